//! Ricerca fabbricati and Ricerca inquilini: the filter form (full layout) or a summary line
//! (compact), the table (buildings in address order, tenants in surname order) and the status
//! line with the count.

use crate::app::keymap::{Action, Keymap};
use crate::app::layout;
use crate::app::screens::registry_search::{Focus, RegistrySearch, Rows};
use crate::domain::registry_search::{Field, Kind};
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// The form's rows in the full layout: (field, label, box width).
fn form_rows(kind: Kind) -> [&'static [(Field, &'static str, u16)]; 2] {
    match kind {
        Kind::Buildings => [
            &[(Field::Owner, "Ente", 28), (Field::Comune, "Comune", 24)],
            &[
                (Field::Code, "Cod. fabbricato", 16),
                (Field::Address, "Indirizzo", 26),
            ],
        ],
        Kind::Tenants => [
            &[(Field::Owner, "Ente", 28), (Field::Comune, "Comune", 24)],
            &[
                (Field::TaxCode, "Cod. fiscale", 16),
                (Field::Surname, "Cognome", 26),
            ],
        ],
    }
}

pub fn draw(s: &RegistrySearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
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
    let (one, many, order) = match s.kind {
        Kind::Buildings => ("fabbricato", "fabbricati", "indirizzo"),
        Kind::Tenants => ("inquilino", "inquilini", "cognome"),
    };
    let count = match s.count {
        Some(1) => format!("1 {one}"),
        Some(c) => format!("{} {many}", crate::safe_text::thousands(c.max(0) as u64)),
        None if s.invalid.is_some() => "—".into(),
        None => "conteggio in corso…".into(),
    };
    let masked = match &s.rows {
        Rows::Tenants(r) if r.iter().any(|t| t.personal_data_masked) => {
            " · dati personali oscurati"
        }
        _ => "",
    };
    frame.render_widget(
        Paragraph::new(truncate(
            &format!("{count} · ordinati per {order} ↑{masked}"),
            rows[3].width as usize,
        ))
        .style(theme.muted),
        rows[3],
    );
}

fn index(kind: Kind, f: Field) -> usize {
    kind.fields().iter().position(|x| *x == f).unwrap_or(0)
}

fn form(s: &RegistrySearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .border_style(theme.border)
        .title(format!(" Filtri ({}) ", keys.either(Action::Filter, true)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let focused = s.focused_field();
    for (row, fields) in form_rows(s.kind).iter().enumerate() {
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
                &s.fields[index(s.kind, *f)],
                Look {
                    focused: focused == Some(*f),
                    invalid,
                },
            );
            x += width + 1;
        }
    }
}

fn summary(s: &RegistrySearch, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(f) = s.focused_field() {
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
            &s.fields[index(s.kind, f)],
            Look {
                focused: true,
                invalid,
            },
        );
        return;
    }
    let parts: Vec<String> = s
        .kind
        .fields()
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

/// (title, width) of the columns at this width.
fn columns(kind: Kind, width: u16) -> Vec<(&'static str, usize)> {
    let w = width.saturating_sub(2) as usize;
    match kind {
        Kind::Buildings if w >= 110 => vec![
            ("Codice", 14),
            ("Ente proprietario", 30),
            ("Comune", 20),
            ("Indirizzo", 36),
            ("Alloggi", w.saturating_sub(14 + 30 + 20 + 36 + 4)),
        ],
        Kind::Buildings if w >= 70 => vec![
            ("Codice", 12),
            ("Ente", 16),
            ("Comune", 14),
            ("Indirizzo", 23),
            ("All.", w.saturating_sub(12 + 16 + 14 + 23 + 4)),
        ],
        Kind::Buildings => vec![
            ("Codice", 12),
            ("Comune", 12),
            ("Indirizzo", 20),
            ("All.", w.saturating_sub(12 + 12 + 20 + 3)),
        ],
        Kind::Tenants if w >= 110 => vec![
            ("Cognome", 18),
            ("Nome", 14),
            ("Codice fiscale", 16),
            ("Ente proprietario", 24),
            ("Comune", 18),
            ("Indirizzo", w.saturating_sub(18 + 14 + 16 + 24 + 18 + 5)),
        ],
        Kind::Tenants if w >= 70 => vec![
            ("Cognome", 14),
            ("Nome", 10),
            ("Codice fiscale", 16),
            ("Comune", 12),
            ("Indirizzo", w.saturating_sub(14 + 10 + 16 + 12 + 4)),
        ],
        Kind::Tenants => vec![
            ("Cognome", 14),
            ("Nome", 10),
            ("Comune", 12),
            ("Indirizzo", w.saturating_sub(14 + 10 + 12 + 3)),
        ],
    }
}

fn line(cols: &[(&str, usize)], cells: &[String]) -> String {
    cols.iter()
        .zip(cells)
        .map(|((_, w), c)| format!("{:<w$}", truncate(c, *w), w = *w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cells of each row, in the order of `cols`.
fn cells(rows: &Rows, cols: &[(&str, usize)]) -> Vec<Vec<String>> {
    match rows {
        Rows::Buildings(r) => r
            .iter()
            .map(|b| {
                let address = match &b.street_number {
                    Some(n) => format!("{} {n}", b.address),
                    None => b.address.clone(),
                };
                cols.iter()
                    .map(|(title, _)| match *title {
                        "Codice" => b.code.clone(),
                        "Ente proprietario" | "Ente" => b.owner_name.clone(),
                        "Comune" => b.comune.clone(),
                        "Indirizzo" => address.clone(),
                        _ => crate::safe_text::thousands(b.units.max(0) as u64),
                    })
                    .collect()
            })
            .collect(),
        Rows::Tenants(r) => r
            .iter()
            .map(|t| {
                cols.iter()
                    .map(|(title, _)| match *title {
                        "Cognome" => t.surname.clone(),
                        "Nome" => t.name.clone(),
                        "Codice fiscale" => t.tax_code.clone(),
                        "Ente proprietario" => t.owner_name.clone(),
                        "Comune" => t.comune.clone(),
                        _ => t.address.clone(),
                    })
                    .collect()
            })
            .collect(),
    }
}

fn table(s: &RegistrySearch, frame: &mut Frame, theme: &Theme, header: Rect, body: Rect) {
    let cols = columns(s.kind, header.width);
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
            match s.kind {
                Kind::Buildings => "Nessun fabbricato corrisponde ai filtri",
                Kind::Tenants => "Nessun inquilino corrisponde ai filtri",
            }
        };
        frame.render_widget(Paragraph::new(text).style(theme.muted), body);
        return;
    }
    let lines: Vec<Line> = cells(&s.rows, &cols)
        .iter()
        .take(body.height as usize)
        .enumerate()
        .map(|(i, c)| {
            let text = line(&cols, c);
            if i == s.selected && s.focus == Focus::Table {
                Line::styled(
                    format!(
                        "{SELECTED_GLYPH} {text:<w$}",
                        w = (body.width as usize).saturating_sub(2)
                    ),
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
