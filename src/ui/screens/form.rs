//! A dialog of labelled one-line fields (`app::screens::form::Form`): its title, then one
//! line per field with the label and the field's box; the field with the cursor has the
//! marker glyph, a refused one the invalid glyph (meaning never rests on colour alone).

use crate::app::screens::form::Form;
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Lines the dialog takes: a blank line, the title, one per field.
pub fn height(form: &Form) -> u16 {
    2 + form.fields.len() as u16
}

/// Draws `form` in the bottom lines of `area` (over whatever was there).
pub fn draw_at_bottom(form: &Form, frame: &mut Frame, theme: &Theme, area: Rect) {
    let h = height(form).min(area.height);
    let r = Rect {
        y: area.bottom().saturating_sub(h),
        height: h,
        ..area
    };
    draw(form, frame, theme, r);
}

pub fn draw(form: &Form, frame: &mut Frame, theme: &Theme, area: Rect) {
    frame.render_widget(Clear, area);
    let width = area.width as usize;
    // Labels in one column, up to half the width; the boxes after them.
    let label_w = form
        .labels
        .iter()
        .map(|l| l.chars().count() + 2)
        .max()
        .unwrap_or(0)
        .min(width / 2);
    let mut lines = vec![
        Line::raw(""),
        Line::styled(truncate(form.title, width), theme.header),
    ];
    for (i, label) in form.labels.iter().enumerate() {
        let glyph = if form.invalid == Some(i) {
            INVALID_GLYPH
        } else if i == form.focus {
            SELECTED_GLYPH
        } else {
            " "
        };
        let text = truncate(&format!("{label}:"), label_w.saturating_sub(1));
        lines.push(Line::from(vec![
            Span::raw(format!(" {glyph} ")),
            Span::styled(format!("{text:<w$}", w = label_w), theme.label),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
    let x = area.x + 3 + label_w as u16;
    for (i, f) in form.fields.iter().enumerate() {
        let y = area.y + 2 + i as u16;
        if y >= area.bottom() {
            break;
        }
        let w = (f.max() as u16).min(area.right().saturating_sub(x + 1));
        let look = Look {
            focused: i == form.focus,
            invalid: form.invalid == Some(i),
        };
        field::draw(frame, theme, Rect::new(x, y, w, 1), f, look);
    }
}
