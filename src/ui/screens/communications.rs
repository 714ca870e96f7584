//! Comunicazione annuale: the owner's communications and the SCHEMA COMUNICAZIONE ANNUALE form.
//! States are written out and the refused field carries ✖, so nothing rests on colour alone.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::CommunicationsScreen;
use crate::app::screens::communications::{CommunicationForm, received, short};
use crate::domain::communication::Field;
use crate::domain::registry::OwnerKind;
use crate::store::communications::Communication;
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(c: &CommunicationsScreen, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match &c.form {
        Some(f) => draw_form(f, keys, frame, theme, area),
        None => draw_list(c, keys, frame, theme, area),
    }
}

fn draw_list(
    c: &CommunicationsScreen,
    keys: &Keymap,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
) {
    let Some(rows) = &c.rows else {
        frame.render_widget(
            Paragraph::new(Line::styled("Caricamento…", theme.muted)),
            area,
        );
        return;
    };
    let w = area.width as usize;
    // The receipt's column goes first when the terminal is narrow: it is also under the list.
    let ente_w = if w >= 100 { 30 } else { 20 };
    let row = |id: &str, ambito: &str, anno: &str, ente: &str, stato: &str, ricevuta: &str| {
        format!(
            "{id:>5} {:<12} {anno:<5} {:<ente_w$} {:<15} {ricevuta}",
            truncate(ambito, 12),
            truncate(ente, ente_w),
            truncate(stato, 15),
        )
    };
    let mut lines = vec![Line::styled(
        truncate(
            &format!(
                "   {}",
                row("Piano", "Ambito", "Anno", "Ente", "Stato", "Ricevuta")
            ),
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
                &state_label(&r.communication),
                r.communication
                    .filing
                    .as_ref()
                    .map_or("", |f| f.transmission_id.as_str()),
            )
        );
        let style = if sel { theme.selected } else { theme.body };
        lines.push(Line::styled(truncate(&text, w), style));
    }
    // What the selected communication's receipt says, and which version a draft is.
    if let Some(r) = rows.get(c.selected) {
        lines.push(Line::raw(""));
        for l in version_lines(&r.communication, keys) {
            lines.push(Line::styled(truncate(&l, w), theme.muted));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The state as the list shows it: a draft saved after a transmission is said.
pub fn state_label(c: &Communication) -> String {
    if c.filing.is_some() && c.draft.is_some() {
        "TRASMESSA+BOZZA".into()
    } else {
        c.state.to_string()
    }
}

/// Which version of a communication is in force and which one the form shows, with the
/// receipt of the transmission in force.
pub fn version_lines(c: &Communication, keys: &Keymap) -> Vec<String> {
    let export = keys.key(Action::Export);
    match (&c.filing, &c.draft) {
        (Some(f), None) => vec![format!(
            "RICEVUTA: ID {} del {} · {export} la esporta",
            f.transmission_id,
            received(&f.received_at)
        )],
        (Some(f), Some(_)) => vec![
            format!(
                "Valori della bozza non trasmessa (versione {}): la trasmissione in vigore resta",
                c.version
            ),
            format!(
                "RICEVUTA: ID {} del {} · {export} la esporta",
                f.transmission_id,
                received(&f.received_at)
            ),
        ],
        (None, Some(_)) => vec![format!(
            "Valori della bozza non trasmessa (versione {})",
            c.version
        )],
        (None, None) => vec!["Non ancora compilata né trasmessa".into()],
    }
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
                state_label(&r.communication),
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
    for l in version_lines(&r.communication, keys) {
        lines.insert(lines.len() - 1, Line::styled(truncate(&l, w), theme.header));
    }
    // Code, label, box: the label gives way on narrow terminals.
    let label_w = w.saturating_sub(7 + 1 + 24).clamp(12, 40);
    let mut focus_line = 0;
    // (line, column, box width) of each field, drawn once the lines are.
    let mut boxes = Vec::new();
    for (i, (field, _)) in f.fields.iter().enumerate() {
        let (code, label) = short(*field);
        let invalid = f.error(*field).is_some();
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
                Span::raw(format!(
                    "{} (calcolato)",
                    crate::domain::format::int(f.total())
                )),
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
                invalid: f.error(*field).is_some(),
            },
        );
    }
}
