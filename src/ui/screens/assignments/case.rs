//! An istruttoria: the unit and the household, where it stands, why this household, the steps
//! it allows, and the dialog of the step being confirmed.

use super::wrap;
use crate::app::screens::assignments::{CaseScreen, it_date};
use crate::ui::field::{self, Look};
use crate::ui::screens::rankings::{loading, marked};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &CaseScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(a) = &s.row else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let body = area.height as usize;
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!(
                    "Istruttoria {} · unità {} · {}, {}{}",
                    a.id,
                    a.unit_id,
                    a.address,
                    a.comune,
                    a.area_m2
                        .map(|m| format!(" ({} m²)", m.round() as i64))
                        .unwrap_or_default()
                ),
                width,
            ),
            theme.label,
        ),
        Line::styled(
            truncate(
                &format!(
                    "Domanda {} · {} · stato {}{}{} · versione {}",
                    a.code,
                    a.line.label(),
                    a.stage.db(),
                    a.answer_by
                        .as_deref()
                        .map(|d| format!(" · risposta entro {}", it_date(d)))
                        .unwrap_or_default(),
                    a.act_number
                        .as_deref()
                        .map(|n| format!(" · provv. {n}"))
                        .unwrap_or_default(),
                    a.version
                ),
                width,
            ),
            theme.header,
        ),
    ];
    if let Some(r) = &a.outcome_reason {
        lines.push(Line::styled(
            truncate(&format!("Motivo: {r}"), width),
            theme.muted,
        ));
    }
    // The steps (or the dialog) take the bottom; the explanation gets what is left.
    let bottom: Vec<Line> = match &s.dialog {
        Some(d) => {
            let mut v = vec![Line::styled(
                truncate(&format!("{SELECTED_GLYPH} {}", d.kind.label()), width),
                theme.header,
            )];
            for w in wrap(d.kind.consequence(), width.saturating_sub(2)) {
                v.push(Line::raw(format!("  {w}")));
            }
            for (i, label) in d.labels.iter().enumerate() {
                let glyph = if d.bad == Some(i) { INVALID_GLYPH } else { " " };
                v.push(Line::from(vec![
                    Span::raw(format!(" {glyph} ")),
                    Span::styled(format!("{label}: "), theme.label),
                ]));
            }
            if d.labels.is_empty() {
                v.push(Line::styled("   Confermare?", theme.label));
            }
            v
        }
        None if !s.may_assign => vec![Line::styled(
            "Sola consultazione: i passi sono degli operatori dell'ente con il servizio AVVISI",
            theme.muted,
        )],
        None => {
            let steps = s.steps();
            let mut v = vec![Line::styled(
                if steps.is_empty() {
                    "Nessun altro passo: istruttoria conclusa"
                } else {
                    "Passi possibili:"
                },
                theme.header,
            )];
            for (i, k) in steps.iter().enumerate() {
                v.push(marked(k.label().to_string(), i == s.selected, theme));
            }
            v
        }
    };
    lines.push(Line::styled("Perché questa domanda:", theme.label));
    let room = body.saturating_sub(lines.len() + bottom.len());
    let mut why: Vec<Line> = Vec::new();
    for l in &a.explanation {
        for w in wrap(l, width.saturating_sub(2)) {
            why.push(Line::raw(format!("  {w}")));
        }
    }
    if why.len() > room {
        why.truncate(room.saturating_sub(1));
        why.push(Line::styled(
            "  … (spiegazione completa: casa assignments show)",
            theme.muted,
        ));
    }
    lines.extend(why);
    let top = lines.len();
    lines.extend(bottom);
    frame.render_widget(Paragraph::new(lines), area);
    // The dialog's fields, drawn after their labels.
    if let Some(d) = &s.dialog {
        let consequence = wrap(d.kind.consequence(), width.saturating_sub(2)).len();
        for (i, (label, f)) in d.labels.iter().zip(&d.fields).enumerate() {
            let row = top + 1 + consequence + i;
            let x = 3 + label.chars().count() + 2;
            if row >= body || x >= width {
                continue;
            }
            let r = Rect::new(
                area.x + x as u16,
                area.y + row as u16,
                (width - x).min(f.max().max(10)) as u16,
                1,
            );
            field::draw(
                frame,
                theme,
                r.intersection(area),
                f,
                Look::focused(i == d.focus),
            );
        }
    }
}
