//! The home menu.

use crate::app::screens::Home;
use crate::ui::{SELECTED_GLYPH, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(home: &Home, frame: &mut Frame, theme: &Theme, area: Rect) {
    let mut lines = Vec::new();
    let mut last_area = "";
    for (i, item) in home.items.iter().enumerate() {
        if item.area != last_area {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(item.area.to_uppercase(), theme.header));
            last_area = item.area;
        }
        let selected = i == home.selected;
        let marker = if selected { SELECTED_GLYPH } else { " " };
        let style = if selected { theme.selected } else { theme.body };
        lines.push(Line::from(vec![
            Span::raw(format!(" {marker} ")),
            Span::styled(format!("{:<24}", item.label), style),
            Span::styled(format!("  {}", item.hint), theme.muted),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(theme.border),
        ),
        area,
    );
}
