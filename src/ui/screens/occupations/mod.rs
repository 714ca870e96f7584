//! Drawing of the Banca dati occupanti: the search (form, table, status) and the card.

mod card;
mod search;

use crate::app::keymap::Keymap;
use crate::app::screens::occupations::Occupations;
use crate::ui::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(o: &Occupations, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match o {
        Occupations::Search(s) => search::draw(s, keys, frame, theme, area),
        Occupations::Card(c) => card::draw(c, keys, frame, theme, area),
    }
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

/// A list of values over `area`: the labels, the selection marked with a glyph and reverse.
fn list_popup(
    title: &str,
    items: &[String],
    selected: usize,
    loading: bool,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
) {
    let width = items
        .iter()
        .map(|s| s.chars().count() as u16 + 4)
        .max()
        .unwrap_or(20)
        .clamp(30, 76);
    let height = (items.len() as u16 + 2).clamp(3, area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let visible = rect.height.saturating_sub(2) as usize;
    let start = selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = if items.is_empty() {
        vec![Line::styled(
            if loading {
                "Caricamento…"
            } else {
                "Nessun valore"
            },
            theme.muted,
        )]
    } else {
        items
            .iter()
            .enumerate()
            .skip(start)
            .take(visible)
            .map(|(i, label)| {
                let on = i == selected;
                Line::styled(
                    format!(
                        "{} {}",
                        if on { crate::ui::SELECTED_GLYPH } else { " " },
                        crate::ui::truncate(label, rect.width.saturating_sub(4) as usize)
                    ),
                    if on { theme.selected } else { Style::default() },
                )
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border)
                .title(format!(" {title} ")),
        ),
        rect,
    );
}
