//! Ricerca occupazioni: the filter form (full layout) or a summary line (compact), the table
//! and the status line.

use crate::app::keymap::{Action, Keymap};
use crate::app::layout;
use crate::app::screens::occupations::{FILTER_FIELDS, OccupationSearch, SearchFocus as Focus};
use crate::domain::occupation::filter::Field;
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The form's rows in the full layout: (field, label, box width).
const FORM: [&[(Field, &str, u16)]; 3] = [
    &[(Field::Owner, "Ente", 26), (Field::Comune, "Comune", 24)],
    &[
        (Field::Kind, "Tipo", 12),
        (Field::Status, "Stato", 9),
        (Field::From, "Dal", 10),
        (Field::To, "Al", 10),
    ],
    &[
        (Field::TaxCode, "Cod. fiscale", 16),
        (Field::Text, "Testo", 26),
    ],
];

pub fn draw(s: &OccupationSearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let full = frame.area();
    let filter_h = layout::filter_lines(full.width, full.height);
    let rows = Layout::vertical([
        Constraint::Length(filter_h),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .split(area);
    if filter_h > 1 {
        form(s, keys, frame, theme, rows[0]);
    } else {
        summary(s, keys, frame, theme, rows[0]);
    }
    table(s, frame, theme, rows[1], rows[2]);
    status(s, frame, theme, rows[3]);
    if let Some(l) = &s.lov {
        let items: Vec<String> = l.items.iter().map(|(_, label)| label.clone()).collect();
        super::list_popup(
            &format!("{} ({})", l.field.label(), keys.key(Action::ListOfValues)),
            &items,
            l.selected,
            l.loading,
            frame,
            theme,
            area,
        );
    }
}

fn form(s: &OccupationSearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .border_style(theme.border)
        .title(format!(" Filtri ({}) ", keys.either(Action::Filter, true)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let focused = s.focused_field();
    for (row, fields) in FORM.iter().enumerate() {
        if row >= inner.height as usize {
            break;
        }
        let y = inner.y + row as u16;
        let mut x = inner.x;
        for (f, label, width) in fields.iter() {
            let invalid = s.invalid == Some(*f);
            let label = Span::styled(
                format!("{}{label} ", if invalid { INVALID_GLYPH } else { " " }),
                if invalid { theme.invalid } else { theme.label },
            );
            let w = label.width() as u16;
            frame.render_widget(label, Rect::new(x, y, w, 1).intersection(inner));
            x += w;
            field::draw(
                frame,
                theme,
                Rect::new(x, y, *width, 1).intersection(inner),
                &s.fields[OccupationSearch::field_index(*f)],
                Look {
                    focused: focused == Some(*f) && s.lov.is_none(),
                    invalid,
                },
            );
            x += width + 1;
        }
    }
}

fn summary(s: &OccupationSearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let (Focus::Field(i), None) = (s.focus, &s.lov) {
        let f = FILTER_FIELDS[i];
        let invalid = s.invalid == Some(f);
        let label = Span::styled(
            format!(
                "{}{}: ",
                if invalid { INVALID_GLYPH } else { "" },
                f.label()
            ),
            if invalid { theme.invalid } else { theme.label },
        );
        let w = (label.width() as u16).min(area.width);
        frame.render_widget(label, Rect { width: w, ..area });
        field::draw(
            frame,
            theme,
            Rect {
                x: area.x + w,
                width: (area.width - w).saturating_sub(1),
                ..area
            },
            &s.fields[i],
            Look {
                focused: true,
                invalid,
            },
        );
        return;
    }
    let parts: Vec<String> = FILTER_FIELDS
        .iter()
        .zip(&s.fields)
        .filter(|(_, v)| !v.value().trim().is_empty())
        .map(|(f, v)| format!("{} {}", f.label(), v.value().trim()))
        .collect();
    let text = if parts.is_empty() {
        format!(
            "Filtri: nessuno ({} per filtrare)",
            keys.plain(Action::Filter)
        )
    } else {
        format!("Filtri: {}", parts.join(" · "))
    };
    let style = if s.invalid.is_some() {
        theme.invalid
    } else {
        theme.label
    };
    frame.render_widget(
        Paragraph::new(truncate(&text, area.width as usize)).style(style),
        area,
    );
}

/// (title, width) of the columns at this width; widths add up to the line.
fn columns(width: u16) -> Vec<(&'static str, usize)> {
    let w = width.saturating_sub(2) as usize;
    if w >= 110 {
        vec![
            ("ID", 6),
            ("Ente proprietario", 22),
            ("Codice", 16),
            ("Comune", 16),
            ("Indirizzo", 24),
            ("Occupante", 18),
            ("Inizio", 10),
            (
                "Cessazione",
                w.saturating_sub(6 + 22 + 16 + 16 + 24 + 18 + 10 + 7),
            ),
        ]
    } else if w >= 70 {
        vec![
            ("ID", 5),
            ("Ente", 11),
            ("Comune", 10),
            ("Indirizzo", 14),
            ("Occupante", 12),
            ("Inizio", 10),
            ("Fine", w.saturating_sub(5 + 11 + 10 + 14 + 12 + 10 + 6)),
        ]
    } else {
        vec![
            ("ID", 5),
            ("Comune", 12),
            ("Occupante", 12),
            ("Inizio", 10),
            ("Fine", w.saturating_sub(5 + 12 + 12 + 10 + 4)),
        ]
    }
}

fn day(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

fn line(cols: &[(&str, usize)], cells: &[String]) -> String {
    cols.iter()
        .zip(cells)
        .map(|((_, w), c)| format!("{:<w$}", truncate(c, *w), w = *w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn table(s: &OccupationSearch, frame: &mut Frame, theme: &Theme, header: Rect, body: Rect) {
    let cols = columns(header.width);
    let titles: Vec<String> = cols.iter().map(|c| c.0.to_string()).collect();
    frame.render_widget(
        Paragraph::new(format!("  {}", line(&cols, &titles))).style(theme.header),
        header,
    );
    if s.rows.is_empty() {
        let text = if s.loading {
            "Ricerca in corso…"
        } else if s.invalid.is_some() {
            "Correggere il filtro segnato con ✖"
        } else {
            "Nessuna occupazione corrisponde ai filtri"
        };
        frame.render_widget(Paragraph::new(text).style(theme.muted), body);
        return;
    }
    let lines: Vec<Line> = s
        .rows
        .iter()
        .take(body.height as usize)
        .enumerate()
        .map(|(i, r)| {
            let cells: Vec<String> = cols
                .iter()
                .map(|(title, _)| match *title {
                    "ID" => r.id.to_string(),
                    "Ente proprietario" | "Ente" => r.owner_name.clone(),
                    "Codice" => r.code.clone(),
                    "Comune" => r.comune.clone(),
                    "Indirizzo" => r.address.clone(),
                    "Occupante" => r.occupant.clone(),
                    "Inizio" => day(&r.started_on),
                    _ => r
                        .ended_on
                        .as_deref()
                        .map(day)
                        .unwrap_or_else(|| "in corso".into()),
                })
                .collect();
            let text = line(&cols, &cells);
            if i == s.selected && s.focus == Focus::Table {
                Line::styled(
                    format!("{SELECTED_GLYPH} {text:<w$}", w = body.width as usize - 2),
                    theme.selected,
                )
            } else if i == s.selected {
                Line::raw(format!("{SELECTED_GLYPH} {text}"))
            } else {
                Line::raw(format!("  {text}"))
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

fn status(s: &OccupationSearch, frame: &mut Frame, theme: &Theme, area: Rect) {
    let count = match s.count {
        Some(1) => "1 occupazione".to_string(),
        Some(c) => format!("{} occupazioni", thousands(c)),
        None if s.invalid.is_some() => "—".into(),
        None => "conteggio in corso…".into(),
    };
    let text = format!("{count} · ordinate per ID occupazione ↑");
    frame.render_widget(
        Paragraph::new(truncate(&text, area.width as usize)).style(theme.muted),
        area,
    );
}

fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}
