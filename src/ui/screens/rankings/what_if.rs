//! What-if: who moves under another stored rule set, and the list of rule sets (F4).

use super::{cell, it_str, marked, window};
use crate::app::keymap::{Action, Keymap};
use crate::app::screens::rankings::WhatIf;
use crate::ui::{Theme, WARNING_GLYPH, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

fn movement_text(before: Option<usize>, after: Option<usize>, delta: i64) -> String {
    let pos = |p: Option<usize>| {
        p.map_or_else(|| "—".to_string(), |p| crate::domain::format::int(p as i64))
    };
    let what = match (before, after) {
        (None, Some(_)) => "entra".to_string(),
        (Some(_), None) => "esce".to_string(),
        _ if delta > 0 => format!("sale di {}", crate::domain::format::int(delta)),
        _ if delta < 0 => format!("scende di {}", crate::domain::format::int(-delta)),
        _ => "resta".to_string(),
    };
    format!("{:>6} → {:<6} {what}", pos(before), pos(after))
}

pub(super) fn draw(s: &WhatIf, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("Avviso {} ", s.notice.id), theme.label),
        Span::raw(truncate(
            &format!(
                "{} · regole dell'avviso {}",
                s.notice.title, s.notice.rule_set
            ),
            width.saturating_sub(10),
        )),
    ])];
    match (&s.result, s.waiting) {
        (_, true) => lines.push(Line::styled("Calcolo della simulazione…", theme.muted)),
        (None, false) => lines.push(Line::styled(
            format!(
                "Nessuna simulazione: {} sceglie l'insieme di regole da confrontare",
                keys.key(Action::ListOfValues)
            ),
            theme.muted,
        )),
        (Some((label, unverified, comparisons)), false) => {
            lines.push(Line::from(vec![
                Span::styled("Confronto con ", theme.label),
                Span::raw(format!("{label} · nessuna modifica salvata")),
            ]));
            if let Some(u) = unverified {
                lines.push(Line::styled(
                    truncate(&format!("{WARNING_GLYPH} {u}"), width),
                    theme.warning,
                ));
            }
            let mut body: Vec<Line<'static>> = Vec::new();
            let mut n = 0usize;
            let mut selected_line = 0usize;
            for c in comparisons {
                body.push(Line::styled(
                    truncate(
                        &format!(
                            "{} · {}: {} domande prima, {} dopo, {} spostamenti",
                            c.owner_name,
                            c.comune,
                            c.before,
                            c.after,
                            c.movements.len()
                        ),
                        width,
                    ),
                    theme.header,
                ));
                if c.movements.is_empty() {
                    body.push(Line::styled("  nessuno spostamento", theme.muted));
                }
                for m in &c.movements {
                    if n == s.selected {
                        selected_line = body.len();
                    }
                    body.push(marked(
                        format!(
                            "{:<14} {}",
                            m.code,
                            movement_text(m.before, m.after, m.delta)
                        ),
                        n == s.selected,
                        theme,
                    ));
                    n += 1;
                }
            }
            if comparisons.is_empty() {
                body.push(Line::styled(
                    "Nessuna graduatoria da confrontare",
                    theme.muted,
                ));
            }
            // The selected row stays in view.
            let room = (area.height as usize).saturating_sub(lines.len()).max(1);
            let skip = if n > 0 {
                selected_line.saturating_sub(room.saturating_sub(1))
            } else {
                s.scroll as usize
            };
            lines.extend(body.into_iter().skip(skip));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
    if s.list_open
        && let Some(sets) = &s.sets
    {
        list_of_rule_sets(s, sets, keys, frame, theme, area);
    }
}

/// The F4 list of the stored rule sets, over the body.
fn list_of_rule_sets(
    s: &WhatIf,
    sets: &[crate::store::rule_sets::Stored],
    keys: &Keymap,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
) {
    let width = area.width.min(64);
    let height = (sets.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1.min(area.height.saturating_sub(height)),
        width,
        height,
    };
    let inner = (width as usize).saturating_sub(5);
    let lines: Vec<Line> = window(sets.len(), s.list_selected, height as usize - 2)
        .map(|i| {
            let r = &sets[i];
            marked(
                cell(
                    &format!(
                        "{:<14} dal {}  {}",
                        r.label(),
                        it_str(&r.effective_from),
                        r.name
                    ),
                    inner,
                ),
                i == s.list_selected,
                theme,
            )
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(
                    " Insiemi di regole ({}) ",
                    keys.key(Action::ListOfValues)
                ))
                .border_style(theme.border),
        ),
        popup,
    );
}
