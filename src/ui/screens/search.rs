//! SCHEDA RICERCA ALLOGGI: filter form (full layout) or summary line (compact), results
//! table, status line, and the list-of-values and dialog overlays.

use crate::app::App;
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::layout;
use crate::app::screens::search::{Dialog, FIELDS, Focus, Lov, Search};
use crate::domain::registry::UnitState;
use crate::domain::unit_filter::FilterField;
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, TICK_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Short state names for the table (the full label is in the detail and the exports).
pub fn state_short(s: UnitState) -> &'static str {
    match s {
        UnitState::Free => "LIBERO",
        UnitState::Occupied => "OCCUPATO",
        UnitState::VacantMaintenance => "SFITTO CAR.",
        UnitState::VacantRenovation => "SFITTO RISTR.",
        UnitState::OccupiedWithoutTitle => "OCC. S.TITOLO",
        UnitState::BeingAssigned => "IN ASSEGN.",
        UnitState::NewBuild => "NUOVA EDIF.",
        UnitState::Unavailable => "NON DISP.",
    }
}

/// Form rows of the full layout: (field, short label, box width).
const FORM: [&[(FilterField, &str, usize)]; 3] = [
    &[
        (FilterField::UnitId, "ID", 9),
        (FilterField::BuildingCode, "Fabbricato", 10),
        (FilterField::Service, "Dest.", 5),
        (FilterField::Province, "Prov.", 2),
        (FilterField::InNotice, "Avviso", 2),
    ],
    &[
        (FilterField::Comune, "Comune", 18),
        (FilterField::States, "Stato", 40),
    ],
    &[
        (FilterField::Owner, "Ente", 22),
        (FilterField::Text, "Testo", 18),
        (FilterField::MarkedYear, "Marcati", 4),
    ],
];

pub fn draw(app: &App, s: &Search, frame: &mut Frame, theme: &Theme, area: Rect) {
    let full = frame.area();
    let filter_h = layout::filter_lines(full.width, full.height);
    let rows = Layout::vertical([
        Constraint::Length(filter_h),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .split(area);
    // How to reach the filters is said for the table, where the whole keymap acts; dialogs
    // and lists name the keys that act while they are open.
    if filter_h > 1 {
        form(s, &app.keymap, frame, theme, rows[0]);
    } else {
        summary(s, &app.keymap, frame, theme, rows[0]);
    }
    let keys = &*app.keys();
    table(s, frame, theme, rows[1], rows[2]);
    status(s, frame, theme, rows[3]);
    if let Some(lov) = &s.lov {
        lov_popup(lov, keys, frame, theme, area);
    }
    if let Some(d) = &s.dialog {
        dialog(d, keys, frame, theme, area);
    }
}

fn form(s: &Search, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
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
        for (field, label, width) in fields.iter() {
            let tf = &s.fields[Search::field_index(*field)];
            let invalid = s.invalid == Some(*field);
            let mark = if invalid { INVALID_GLYPH } else { " " };
            let label = Span::styled(
                format!("{mark}{label} "),
                if invalid { theme.invalid } else { theme.label },
            );
            let label_w = label.width() as u16;
            frame.render_widget(label, Rect::new(x, y, label_w, 1).intersection(inner));
            x += label_w;
            let look = Look {
                focused: focused == Some(*field) && s.lov.is_none() && s.dialog.is_none(),
                invalid,
            };
            field::draw(
                frame,
                theme,
                Rect::new(x, y, *width as u16, 1).intersection(inner),
                tf,
                look,
            );
            x += *width as u16 + 1;
        }
    }
}

/// Compact layout: one line saying what is filtered, or the focused field alone.
fn summary(s: &Search, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let (Focus::Field(i), None, None) = (s.focus, &s.lov, &s.dialog) {
        let field = FIELDS[i];
        let invalid = s.invalid == Some(field);
        let label = Span::styled(
            format!(
                "{}{}: ",
                if invalid { INVALID_GLYPH } else { "" },
                field.label()
            ),
            if invalid { theme.invalid } else { theme.label },
        );
        let label_w = (label.width() as u16).min(area.width);
        frame.render_widget(
            label,
            Rect {
                width: label_w,
                ..area
            },
        );
        let rest = Rect {
            x: area.x + label_w,
            width: (area.width - label_w).saturating_sub(1),
            ..area
        };
        field::draw(
            frame,
            theme,
            rest,
            &s.fields[i],
            Look {
                focused: true,
                invalid,
            },
        );
        return;
    }
    let parts: Vec<String> = FIELDS
        .iter()
        .zip(&s.fields)
        .filter(|(_, f)| !f.value().trim().is_empty())
        .map(|(field, f)| format!("{} {}", field.label(), f.value().trim()))
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Narrow,
    Normal,
    Wide,
}

fn width_class(width: u16) -> Width {
    if width >= 110 {
        Width::Wide
    } else if width >= 80 {
        Width::Normal
    } else {
        Width::Narrow
    }
}

/// Columns for the table's width; the address takes what is left.
fn columns(width: u16) -> Vec<(&'static str, usize)> {
    let mut cols: Vec<(&'static str, usize)> = match width_class(width) {
        Width::Narrow => vec![("ID", 8), ("Comune", 12), ("Indirizzo", 0), ("Stato", 13)],
        Width::Normal => vec![
            ("ID", 8),
            ("Ente proprietario", 13),
            ("Pr", 2),
            ("Comune", 11),
            ("Località", 10),
            ("Indirizzo", 0),
            ("Stato", 13),
        ],
        Width::Wide => vec![
            ("ID", 8),
            ("Ente proprietario", 22),
            ("Pr", 2),
            ("Comune", 18),
            ("Località", 14),
            ("Indirizzo", 0),
            ("Stato", 13),
            ("Dest.", 5),
            ("m²", 7),
        ],
    };
    // 2 for the marker, 1 space after each column.
    let fixed: usize = cols.iter().map(|c| c.1 + 1).sum::<usize>() + 2;
    if let Some(addr) = cols.iter_mut().find(|c| c.0 == "Indirizzo") {
        addr.1 = (width as usize).saturating_sub(fixed).max(6);
    }
    cols
}

fn cells(row: &crate::store::search::UnitRow, cols: &[(&'static str, usize)]) -> Vec<String> {
    cols.iter()
        .map(|(title, _)| match *title {
            "ID" => format!("{:>8}", row.id),
            "Ente proprietario" => row.owner_name.trim_start_matches("Comune di ").to_string(),
            "Pr" => row.province.clone(),
            "Comune" => row.comune.clone(),
            "Località" => row.locality.clone().unwrap_or_default(),
            "Indirizzo" => row.full_address(),
            "Stato" => state_short(row.state).to_string(),
            "Dest." => row.service.short().to_string(),
            "m²" => row
                .floor_area
                .map(|a| format!("{:>7}", crate::domain::format::decimal(a, 2)))
                .unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

fn line_of(cols: &[(&'static str, usize)], values: &[String]) -> String {
    let mut s = String::new();
    for ((_, width), v) in cols.iter().zip(values) {
        let t = truncate(v, *width);
        s.push_str(&format!("{t:<w$} ", w = *width));
    }
    s.trim_end().to_string()
}

fn table(s: &Search, frame: &mut Frame, theme: &Theme, header: Rect, body: Rect) {
    let cols = columns(header.width);
    let titles: Vec<String> = cols.iter().map(|c| c.0.to_string()).collect();
    frame.render_widget(
        Paragraph::new(format!("  {}", line_of(&cols, &titles))).style(theme.header),
        header,
    );
    if s.rows.is_empty() {
        let text = if s.loading {
            "Ricerca in corso…"
        } else if s.invalid.is_some() {
            "Correggere il filtro segnato con ✖"
        } else {
            "Nessun alloggio corrisponde ai filtri"
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
            let text = line_of(&cols, &cells(r, &cols));
            // A ticked row (Space) carries ✓ next to the cursor's column.
            let tick = if s.ticked.contains(&r.id) {
                TICK_GLYPH
            } else {
                " "
            };
            if i == s.selected && s.focus == Focus::Table {
                Line::styled(
                    format!(
                        "{SELECTED_GLYPH}{tick}{text:<w$}",
                        w = body.width as usize - 2
                    ),
                    theme.selected,
                )
            } else if i == s.selected {
                Line::from(vec![
                    Span::raw(format!("{SELECTED_GLYPH}{tick}")),
                    Span::raw(text),
                ])
            } else {
                Line::raw(format!(" {tick}{text}"))
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}

fn thousands(n: i64) -> String {
    crate::domain::format::int(n)
}

fn status(s: &Search, frame: &mut Frame, theme: &Theme, area: Rect) {
    let count = match s.count {
        Some(c) => crate::domain::format::count(c, "alloggio", "alloggi"),
        None if s.invalid.is_some() => "—".to_string(),
        None => "conteggio in corso…".to_string(),
    };
    let position = match (s.base, s.rows.is_empty()) {
        (_, true) => String::new(),
        (Some(b), false) => format!(" · riga {}", thousands(b + s.selected as i64 + 1)),
        (None, false) => String::new(),
    };
    let export = match s.export {
        Some((done, total)) if total > 0 => format!(" · esportazione {}%", done * 100 / total),
        Some(_) => " · esportazione…".to_string(),
        None => String::new(),
    };
    let text = format!(
        "{count}{position} · ordinati per {} {}{export}",
        s.sort.key.label(),
        if s.sort.descending { "↓" } else { "↑" }
    );
    frame.render_widget(
        Paragraph::new(truncate(&text, area.width as usize)).style(theme.muted),
        area,
    );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn lov_popup(lov: &Lov, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let height = (lov.items.len() as u16 + 2).clamp(3, area.height);
    let rect = centered(area, 56, height);
    frame.render_widget(Clear, rect);
    let visible = rect.height.saturating_sub(2) as usize;
    let start = lov.selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = if lov.items.is_empty() {
        vec![Line::styled("Caricamento…", theme.muted)]
    } else {
        lov.items
            .iter()
            .enumerate()
            .skip(start)
            .take(visible)
            .map(|(i, (_, label))| {
                let tick = match &lov.ticked {
                    Some(t) if t[i] => "[x] ",
                    Some(_) => "[ ] ",
                    None => "",
                };
                let marker = if i == lov.selected {
                    SELECTED_GLYPH
                } else {
                    " "
                };
                let style = if i == lov.selected {
                    theme.selected
                } else {
                    Style::default()
                };
                Line::styled(format!("{marker} {tick}{label}"), style)
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(format!(
                    " {} ({}) ",
                    lov.field.label(),
                    keys.key(Action::ListOfValues)
                )),
        ),
        rect,
    );
}

fn dialog(d: &Dialog, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let rect = centered(area, 70, 7);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border);
    let inner = block.inner(rect);
    // (label, field, row in the dialog, box width, focused), drawn over the text.
    let mut boxes: Vec<(&TextField, u16, u16, u16, bool)> = Vec::new();
    let (title, lines) = match d {
        Dialog::Export {
            path,
            year,
            on_year,
        } => {
            let lines = vec![
                Line::raw("Elenchi LIBERO, SFITTO PER CARENZE MANUTENTIVE e SFITTO PER"),
                Line::raw("RISTRUTTURAZIONE del filtro corrente, un foglio ciascuno."),
                Line::styled("File        ", theme.label),
                Line::from(vec![
                    Span::styled("Solo marcati ", theme.label),
                    Span::raw("    "),
                    Span::styled("  anno del piano, vuoto = tutti", theme.muted),
                ]),
            ];
            boxes.push((path, 2, 12, inner.width.saturating_sub(12), !*on_year));
            boxes.push((year, 3, 13, 4, *on_year));
            (format!(" Esporta ({}) ", keys.key(Action::Export)), lines)
        }
        Dialog::Mark {
            year,
            only,
            undo,
            on_undo,
        } => {
            let (first, second) = if only.is_empty() {
                (
                    "Le unità LIBERE e SFITTE del filtro corrente vengono marcate".to_string(),
                    "come incluse nel piano dell'anno indicato.",
                )
            } else {
                (
                    format!(
                        "{} {TICK_GLYPH} (se LIBERE o SFITTE) vengono marcate",
                        crate::domain::format::count(
                            only.len() as i64,
                            "unità selezionata",
                            "unità selezionate"
                        )
                    ),
                    "come incluse nel piano dell'anno indicato.",
                )
            };
            let lines = vec![
                Line::raw(first),
                Line::raw(second),
                Line::styled("Anno        ", theme.label),
                Line::from(vec![
                    Span::styled("Operazione  ", theme.label),
                    Span::styled(
                        format!(
                            "{}[{}] togli la marcatura",
                            if *on_undo { SELECTED_GLYPH } else { " " },
                            if *undo { "x" } else { " " }
                        ),
                        if *on_undo { theme.focus } else { theme.field },
                    ),
                    Span::styled(
                        if *on_undo {
                            format!("  ({})", keys.key(Action::Toggle))
                        } else {
                            String::new()
                        },
                        theme.muted,
                    ),
                ]),
            ];
            boxes.push((year, 2, 12, 4, !*on_undo));
            (
                format!(" Marca per il piano ({}) ", keys.key(Action::Mark)),
                lines,
            )
        }
    };
    frame.render_widget(Paragraph::new(lines).block(block.title(title)), rect);
    for (f, row, x, width, focused) in boxes {
        field::draw(
            frame,
            theme,
            Rect::new(inner.x + x, inner.y + row, width, 1).intersection(inner),
            f,
            Look::focused(focused),
        );
    }
}
