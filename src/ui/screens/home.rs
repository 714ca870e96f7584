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
    let mut selected_line = 0;
    for (i, item) in home.items.iter().enumerate() {
        if item.area != last_area {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(item.area.to_uppercase(), theme.header));
            last_area = item.area;
        }
        let selected = i == home.selected;
        if selected {
            selected_line = lines.len();
        }
        let marker = if selected { SELECTED_GLYPH } else { " " };
        let style = if selected { theme.selected } else { theme.body };
        lines.push(Line::from(vec![
            Span::raw(format!(" {marker} ")),
            Span::styled(format!("{:<24}", item.label), style),
            Span::styled(format!("  {}", item.hint), theme.muted),
        ]));
    }
    // On a short screen the menu scrolls so that the selected item shows (below the border).
    let visible = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = (selected_line + 1).saturating_sub(visible);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0))
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border),
            ),
        area,
    );
}
