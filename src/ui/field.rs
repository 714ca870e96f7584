//! The one text-field renderer every form uses: the value on a box of underscores (visible
//! without colour, as on 5250 screens), styled for focus or error, scrolled by the text area
//! so the cursor stays inside, and the terminal's cursor put on the cursor's cell, counted in
//! display columns (accented and wide characters included).

use crate::app::field::TextField;
use crate::ui::Theme;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;

/// What the field's box shows besides its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Look {
    /// The field has the focus: focus style and the terminal's cursor.
    pub focused: bool,
    /// The last check refused the field (the label carries the glyph).
    pub invalid: bool,
}

impl Look {
    pub fn focused(focused: bool) -> Look {
        Look {
            focused,
            invalid: false,
        }
    }
}

/// The fill of a field's empty cells.
pub const FILL: &str = "_";

/// Where a value goes on past its box.
pub const CLIPPED: &str = "…";

/// Draws `field` in the one-line box `area` (cut to the frame).
pub fn draw(frame: &mut Frame, theme: &Theme, area: Rect, field: &TextField, look: Look) {
    let area = area.intersection(frame.area());
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    let style = if look.focused {
        theme.focus
    } else if look.invalid {
        theme.invalid
    } else {
        theme.field
    };
    let width = area.width as usize;
    frame
        .buffer_mut()
        .set_stringn(area.x, area.y, FILL.repeat(width), width, style);
    let text = field.text_area();
    let value_width = Span::raw(field.value()).width();
    // A value that fills its box exactly is shown whole, with the cursor just after the box
    // (as on a full 5250 field), not scrolled by one to make room for it.
    let past = Position::new(area.right(), area.y);
    let outside = frame.area().contains(past) && value_width == width;
    if outside {
        let saved = frame.buffer_mut()[past].clone();
        frame.render_widget(
            text,
            Rect {
                width: area.width + 1,
                ..area
            },
        );
        frame.buffer_mut()[past] = saved;
    } else {
        frame.render_widget(text, area);
    }
    // The text area draws its cursor as a blank cell past the end of the text: give the fill
    // back from where the text ends.
    let (_, left) = text.scroll_offset();
    let shown = value_width.saturating_sub(left as usize);
    let buf = frame.buffer_mut();
    for x in shown..width {
        let cell = &mut buf[(area.x + x as u16, area.y)];
        if cell.symbol() == " " {
            cell.set_symbol(FILL);
        }
    }
    // A value longer than its box says so: "…" where text is hidden, at either end.
    if !outside && width > 1 {
        let clip = |buf: &mut ratatui::buffer::Buffer, x: u16| {
            buf[(area.x + x, area.y)].set_symbol(CLIPPED);
        };
        if left > 0 {
            clip(buf, 0);
        }
        if shown > width {
            clip(buf, area.width - 1);
        }
    }
    if look.focused {
        let col = text.screen_cursor().col.saturating_sub(left as usize);
        if col < width || (outside && col == width) {
            frame.set_cursor_position(Position::new(area.x + col as u16, area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn shown(field: &TextField, width: u16, look: Look) -> (String, Option<u16>) {
        let mut t = Terminal::new(TestBackend::new(width + 2, 1)).unwrap();
        let mut cursor = None;
        t.draw(|f| draw(f, &Theme::mono(), Rect::new(1, 0, width, 1), field, look))
            .unwrap();
        let buf = t.backend().buffer().clone();
        let mut s = String::new();
        for x in 1..=width {
            s.push_str(buf[(x, 0)].symbol());
        }
        if look.focused {
            let p = t.get_cursor_position().unwrap();
            cursor = Some(p.x - 1);
        }
        (s, cursor)
    }

    fn typed(s: &str, max: usize) -> TextField {
        let mut f = TextField::new(max);
        for c in s.chars() {
            f.edit(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        f
    }

    #[test]
    fn fill_text_and_cursor_in_display_columns() {
        let f = typed("Città", 20);
        assert_eq!(
            shown(&f, 8, Look::focused(true)),
            ("Città___".into(), Some(5))
        );
        assert_eq!(shown(&f, 8, Look::default()).0, "Città___");
        // Wide characters take two columns: the cursor counts them.
        let mut f = typed("漢字x", 20);
        f.edit(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        let (text, cursor) = shown(&f, 8, Look::focused(true));
        assert!(text.starts_with('漢'), "{text:?}");
        assert_eq!(cursor, Some(4));
        let f = typed("", 4);
        assert_eq!(shown(&f, 4, Look::focused(true)), ("____".into(), Some(0)));
        // A full box shows the whole value, the cursor just after it.
        let f = typed("2028", 4);
        assert_eq!(shown(&f, 4, Look::focused(true)), ("2028".into(), Some(4)));
    }

    #[test]
    fn a_long_value_scrolls_to_keep_the_cursor_in_the_box() {
        let mut f = typed("elenchi-alloggi-2027.xlsx", 200);
        assert_eq!(
            shown(&f, 10, Look::focused(true)),
            ("…027.xlsx_".into(), Some(9))
        );
        f.edit(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        let (text, cursor) = shown(&f, 10, Look::focused(true));
        assert_eq!((text.as_str(), cursor), ("elenchi-a…", Some(0)));
    }

    #[test]
    fn a_clipped_value_is_marked_at_the_hidden_end() {
        let mut f = typed("LIBERO,SFITTO PER CARENZE MANUTENTIVE", 200);
        f.edit(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        assert_eq!(shown(&f, 12, Look::default()).0, "LIBERO,SFIT…");
        f.edit(&KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
        let (text, _) = shown(&f, 12, Look::focused(true));
        assert!(text.starts_with('…'), "{text}");
        // A value that fits is not marked.
        assert_eq!(
            shown(&typed("LIBERO", 20), 12, Look::default()).0,
            "LIBERO______"
        );
    }
}
