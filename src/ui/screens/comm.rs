//! Comunicazione annuale: the owner's communications and the SCHEMA COMUNICAZIONE ANNUALE form.
//! States are written out and the refused field carries ✖, so nothing rests on colour alone.

use crate::app::screens::CommScreen;
use crate::app::screens::comm::{CommForm, received, short};
use crate::domain::communication::Field;
use crate::domain::registry::OwnerKind;
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(c: &CommScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
    match &c.form {
        Some(f) => draw_form(f, frame, theme, area),
        None => draw_list(c, frame, theme, area),
    }
}

fn draw_list(c: &CommScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(rows) = &c.rows else {
        frame.render_widget(
            Paragraph::new(Line::styled("Caricamento…", theme.muted)),
            area,
        );
        return;
    };
    let w = area.width as usize;
    let row = |id: &str, ambito: &str, anno: &str, ente: &str, stato: &str| {
        format!(
            "{id:>5} {:<12} {anno:<5} {:<22} {stato}",
            truncate(ambito, 12),
            truncate(ente, 22)
        )
    };
    let mut lines = vec![Line::styled(
        truncate(
            &format!("   {}", row("Piano", "Ambito", "Anno", "Ente", "Stato")),
            w,
        ),
        theme.header,
    )];
    if rows.is_empty() {
        lines.push(Line::styled(
            "   Nessun piano per gli enti dell'operatore",
            theme.muted,
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        let sel = i == c.selected;
        let text = format!(
            "{} {}",
            if sel { SELECTED_GLYPH } else { " " },
            row(
                &r.plan.id.to_string(),
                &r.plan.district_code,
                &r.plan.year.to_string(),
                &r.comm.owner_name,
                &r.comm.state.to_string(),
            )
        );
        let style = if sel { theme.selected } else { theme.body };
        lines.push(Line::styled(truncate(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The value from `start` (so the cursor stays inside), padded to the box.
fn boxed(value: &str, start: usize, width: usize) -> String {
    let shown: String = value.chars().skip(start).take(width).collect();
    format!("[{shown:<width$}]")
}

fn draw_form(f: &CommForm, frame: &mut Frame, theme: &Theme, area: Rect) {
    let w = area.width as usize;
    let r = &f.row;
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!(
                    "SCHEMA COMUNICAZIONE ANNUALE — {} ({})",
                    r.comm.owner_name,
                    r.kind.label()
                ),
                w,
            ),
            theme.header,
        ),
        Line::raw(truncate(
            &format!(
                "Piano {} {} {} · stato {} · versione {}",
                r.plan.id, r.plan.district_code, r.plan.year, r.comm.state, r.comm.version
            ),
            w,
        )),
        Line::styled(
            truncate(
                &format!(
                    "Registro {}: liberi {} (e), carenze {} (b), ristrutt. {} (c+d) · Ctrl-E copia",
                    r.plan.year, r.prefill.libero, r.prefill.carenze, r.prefill.ristrutturazione
                ),
                w,
            ),
            theme.muted,
        ),
    ];
    // Code, label, box: the label gives way on narrow terminals.
    let label_w = w.saturating_sub(7 + 1 + 24).clamp(12, 40);
    let mut cursor = None;
    let mut focus_line = 0;
    for (i, (field, tf)) in f.fields.iter().enumerate() {
        let (code, label) = short(*field);
        let invalid = f.invalid == Some(*field);
        let focused = i == f.focus;
        let mark = if invalid { INVALID_GLYPH } else { " " };
        let box_w: usize = if *field == Field::OtherName { 22 } else { 8 };
        let prefix = format!("{mark}{code:<6}{:<label_w$} ", truncate(label, label_w));
        let start = if focused {
            tf.cursor.saturating_sub(box_w.saturating_sub(1))
        } else {
            0
        };
        if focused {
            focus_line = lines.len();
            cursor = Some(prefix.chars().count() + 1 + tf.cursor - start);
        }
        let style = if focused {
            theme.focus
        } else if invalid {
            theme.invalid
        } else {
            theme.field
        };
        lines.push(Line::from(vec![
            Span::styled(prefix, if invalid { theme.invalid } else { theme.label }),
            Span::styled(boxed(&tf.value, start, box_w), style),
        ]));
        if *field == Field::Privati {
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        " {:<6}{:<label_w$}  ",
                        "g",
                        truncate("Totale disponibili b+c+d+e+f", label_w)
                    ),
                    theme.label,
                ),
                Span::raw(format!("{} (calcolato)", f.total())),
            ]));
        }
    }
    if f.row.kind != OwnerKind::Municipality {
        lines.push(Line::styled(
            if f.row.rules.communication.category_reserves_all_owners() {
                "Polizia, altra categoria e indigenti sono dei soli Comuni"
            } else {
                "Le quote per categorie sociali sono dei soli Comuni"
            },
            theme.muted,
        ));
    }
    if let Some(rc) = &f.receipt {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "RICEVUTA: ID {} del {}",
                    rc.transmission_id,
                    received(&rc.received_at)
                ),
                w,
            ),
            theme.header,
        ));
    }
    // Scroll just enough to keep the focused field in view.
    let height = area.height as usize;
    let scroll = (focus_line + 1).saturating_sub(height);
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), area);
    if let Some(x) = cursor
        && x < w
    {
        frame.set_cursor_position(Position::new(
            area.x + x as u16,
            area.y + (focus_line - scroll) as u16,
        ));
    }
}
