//! Draws an `app::form::Form`: a title, then one line per entry — ✖ on a refused one, the
//! label, then the field's box (the one field renderer) or `[x]`/`[ ]` for a check box.

use crate::app::form::{Form, Input};
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws `form` in `area` with `intro` lines between the title and the entries; returns the
/// rows used.
pub fn draw(form: &Form, intro: &[String], frame: &mut Frame, theme: &Theme, area: Rect) -> u16 {
    let w = area.width as usize;
    let mut lines = vec![Line::styled(truncate(&form.title, w), theme.header)];
    for i in intro {
        lines.push(Line::styled(truncate(i, w), theme.muted));
    }
    let label_w = form
        .entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(w / 2)
        .max(8);
    let first = lines.len();
    for (i, e) in form.entries.iter().enumerate() {
        let mark = if e.invalid { INVALID_GLYPH } else { " " };
        let cursor = if i == form.focus { SELECTED_GLYPH } else { " " };
        let label = format!("{mark}{cursor}{:<label_w$} ", truncate(&e.label, label_w));
        let style = if e.invalid {
            theme.invalid
        } else {
            theme.label
        };
        match &e.input {
            Input::Text(_) => lines.push(Line::from(Span::styled(label, style))),
            Input::Check(on) => lines.push(Line::from(vec![
                Span::styled(label, style),
                Span::styled(
                    if *on { "[x]" } else { "[ ]" },
                    if i == form.focus {
                        theme.focus
                    } else {
                        theme.body
                    },
                ),
            ])),
        }
    }
    let height = area.height as usize;
    let focus_line = first + form.focus;
    let scroll = (focus_line + 1).saturating_sub(height);
    let used = lines.len().min(height) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), area);
    let x = (label_w + 3) as u16;
    for (i, e) in form.entries.iter().enumerate() {
        let Input::Text(tf) = &e.input else {
            continue;
        };
        let Some(row) = (first + i).checked_sub(scroll).filter(|r| *r < height) else {
            continue;
        };
        let box_w = (tf.max() as u16 + 1).min(area.width.saturating_sub(x + 1));
        field::draw(
            frame,
            theme,
            Rect::new(area.x + x, area.y + row as u16, box_w, 1).intersection(area),
            tf,
            Look {
                focused: i == form.focus,
                invalid: e.invalid,
            },
        );
    }
    used
}
