//! Comunicazione annuale: the owner's communications and the SCHEMA COMUNICAZIONE ANNUALE form.
//! States are written out and the refused field carries ✖, so nothing rests on colour alone.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::CommunicationsScreen;
use crate::app::screens::communications::{CommunicationForm, received, short};
use crate::domain::communication::Field;
use crate::domain::registry::OwnerKind;
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(c: &CommunicationsScreen, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match &c.form {
        Some(f) => draw_form(f, keys, frame, theme, area),
        None => draw_list(c, frame, theme, area),
    }
}

fn draw_list(c: &CommunicationsScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
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
                &r.communication.owner_name,
                &r.communication.state.to_string(),
            )
        );
        let style = if sel { theme.selected } else { theme.body };
        lines.push(Line::styled(truncate(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_form(f: &CommunicationForm, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let w = area.width as usize;
    let r = &f.row;
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!(
                    "SCHEMA COMUNICAZIONE ANNUALE — {} ({})",
                    r.communication.owner_name,
                    r.kind.label()
                ),
                w,
            ),
            theme.header,
        ),
        Line::raw(truncate(
            &format!(
                "Piano {} {} {} · stato {} · versione {}",
                r.plan.id,
                r.plan.district_code,
                r.plan.year,
                r.communication.state,
                r.communication.version
            ),
            w,
        )),
        Line::styled(
            truncate(
                &format!(
                    "Registro {}: liberi {} (e), carenze {} (b), ristrutt. {} (c+d) · {} copia",
                    r.plan.year,
                    r.prefill.libero,
                    r.prefill.carenze,
                    r.prefill.ristrutturazione,
                    keys.key(Action::CommunicationPrefill)
                ),
                w,
            ),
            theme.muted,
        ),
    ];
    // Code, label, box: the label gives way on narrow terminals.
    let label_w = w.saturating_sub(7 + 1 + 24).clamp(12, 40);
    let mut focus_line = 0;
    // (line, column, box width) of each field, drawn once the lines are.
    let mut boxes = Vec::new();
    for (i, (field, _)) in f.fields.iter().enumerate() {
        let (code, label) = short(*field);
        let invalid = f.invalid == Some(*field);
        let mark = if invalid { INVALID_GLYPH } else { " " };
        let box_w: u16 = if *field == Field::OtherName { 22 } else { 8 };
        let prefix = format!("{mark}{code:<6}{:<label_w$} ", truncate(label, label_w));
        if i == f.focus {
            focus_line = lines.len();
        }
        boxes.push((lines.len(), Span::raw(&prefix).width() as u16 + 1, box_w));
        lines.push(Line::from(Span::styled(
            prefix,
            if invalid { theme.invalid } else { theme.label },
        )));
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
    for (i, ((line, x, width), (field, tf))) in boxes.into_iter().zip(&f.fields).enumerate() {
        let Some(row) = line.checked_sub(scroll).filter(|r| *r < height) else {
            continue;
        };
        field::draw(
            frame,
            theme,
            Rect::new(area.x + x, area.y + row as u16, width, 1).intersection(area),
            tf,
            Look {
                focused: i == f.focus,
                invalid: f.invalid == Some(*field),
            },
        );
    }
}
