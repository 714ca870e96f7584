//! What-if: the ledger under another letter h or rule set, and the units that would change.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::assignments::WhatIfScreen;
use crate::ui::field::{self, Look};
use crate::ui::screens::rankings::{cell, marked, rcell, window};
use crate::ui::{Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &WhatIfScreen, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let body = area.height as usize;
    let rules = s
        .chosen
        .as_ref()
        .map(|c| c.1.clone())
        .unwrap_or_else(|| "quelle dell'anno".into());
    let label = "Soglia eccedente il 20% per indigenti (lett. h), %: ";
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!(
                    "{} · {} {} · regole: {rules}",
                    s.owner_name, s.comune, s.key.year
                ),
                width,
            ),
            theme.label,
        ),
        Line::from(vec![Span::styled(label, theme.label)]),
    ];
    if s.list_open {
        let sets = s.sets.as_deref().unwrap_or_default();
        lines.push(Line::styled("Regole da usare:", theme.header));
        let names: Vec<String> = std::iter::once("Quelle dell'anno".to_string())
            .chain(sets.iter().map(|x| format!("{} — {}", x.label(), x.name)))
            .collect();
        let rows = body.saturating_sub(lines.len()).max(1);
        for i in window(names.len(), s.list_selected, rows) {
            lines.push(marked(
                truncate(&names[i], width.saturating_sub(3)),
                i == s.list_selected,
                theme,
            ));
        }
    } else if s.waiting {
        lines.push(Line::styled("Ricalcolo…", theme.muted));
    } else if let Some(w) = &s.result {
        let r = &w.replay;
        let lw = width.saturating_sub(3 + 12 + 14).clamp(10, 36);
        lines.push(Line::styled(
            format!(
                "   {} {} {}",
                cell("Linea", lw),
                rcell("Quota ora→sim.", 14),
                rcell("Assegnate", 12)
            ),
            theme.header,
        ));
        for l in &r.actual.lines {
            let o = r.replay.line(l.line);
            lines.push(Line::raw(format!(
                "   {} {} {}",
                cell(l.line.label(), lw),
                rcell(&format!("{} → {}", l.quota, o.quota), 14),
                rcell(&format!("{} → {}", l.used, o.used), 12)
            )));
        }
        let changed: Vec<_> = r.rows.iter().filter(|x| x.differs()).collect();
        lines.push(Line::styled(
            format!(
                "{} unità su {} cambierebbero nucleo o linea (nulla viene salvato):",
                changed.len(),
                r.rows.len()
            ),
            theme.header,
        ));
        let cw = width.saturating_sub(3 + 11 + 4).max(20) / 2;
        for x in changed
            .iter()
            .skip(s.scroll)
            .take(body.saturating_sub(lines.len()))
        {
            lines.push(Line::raw(format!(
                "   {} {} {}",
                cell(&x.unit_id.to_string(), 11),
                cell(&format!("{} {}", x.actual_code, x.actual_line.short()), cw),
                cell(
                    &format!(
                        "→ {} {}",
                        x.replay_code.as_deref().unwrap_or("nessuno"),
                        x.replay_line.map(|l| l.short()).unwrap_or("")
                    ),
                    cw
                )
            )));
        }
    } else {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "Scrivere la soglia e premere {} per rigiocare le assegnazioni dell'anno; {} sceglie altre regole",
                    keys.key(Action::Select),
                    keys.key(Action::ListOfValues)
                ),
                width,
            ),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if !s.list_open {
        let x = label.chars().count();
        if x < width {
            let r = Rect::new(area.x + x as u16, area.y + 1, 8.min((width - x) as u16), 1);
            field::draw(
                frame,
                theme,
                r.intersection(area),
                &s.h,
                Look::focused(true),
            );
        }
    }
}
