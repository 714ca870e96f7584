//! A single-line text field: what forms are made of. The text and its cursor live in a
//! `ratatui_textarea::TextArea` (editing, grapheme- and display-width-aware cursor, horizontal
//! scrolling); this wrapper keeps it on one line, holds the field's maximum length and maps
//! the editing keys. Which keys are actions is the keymap's business: a field only sees the
//! keys `is_editing_key` names, printable characters and pasted text.

use super::Message;
use super::keymap::Key;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea};

/// The keys a focused field keeps for itself, whatever the keymap says, with what they do
/// (the help lists them from here).
pub const EDITING_KEYS: [(KeyCode, bool, &str); 11] = [
    (KeyCode::Left, false, "carattere precedente"),
    (KeyCode::Right, false, "carattere successivo"),
    (KeyCode::Home, false, "inizio del campo"),
    (KeyCode::End, false, "fine del campo"),
    (KeyCode::Char('a'), true, "inizio del campo"),
    (KeyCode::Char('e'), true, "fine del campo"),
    (KeyCode::Backspace, false, "cancella a sinistra"),
    (KeyCode::Delete, false, "cancella a destra"),
    (KeyCode::Char('u'), true, "cancella fino all'inizio"),
    (KeyCode::Char('k'), true, "cancella fino alla fine"),
    (KeyCode::Char('w'), true, "cancella la parola precedente"),
];

/// Whether a focused field takes this key (rather than the keymap).
pub fn is_editing_key(key: &Key) -> bool {
    !key.alt
        && EDITING_KEYS
            .iter()
            .any(|(code, ctrl, _)| key.code == *code && key.ctrl == *ctrl)
}

/// The editing keys as the help shows them: "Home/Ctrl-a inizio del campo", …
pub fn editing_keys_help() -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    for (code, ctrl, what) in EDITING_KEYS {
        let name = Key {
            code,
            ctrl,
            alt: false,
        }
        .to_string();
        match out.iter_mut().find(|(_, w)| *w == what) {
            Some((keys, _)) => {
                keys.push('/');
                keys.push_str(&name);
            }
            None => out.push((name, what)),
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct TextField {
    /// Boxed: a text area is large, and forms hold many fields.
    area: Box<TextArea<'static>>,
    /// Longest value accepted, in characters.
    max: usize,
    /// The characters the field takes (a number or a date takes no letters: `q` pressed in it
    /// is not typed), and how to say so; None: any printable character.
    accepts: Option<Accepts>,
}

/// Which characters a field takes, and what it wants in words.
type Accepts = (fn(char) -> bool, &'static str);

/// Numbers as operators type them: digits, a sign, decimal separators, a percent sign.
fn numeric_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, ',' | '.' | '%' | '-' | '+' | ' ')
}

/// Dates as GG/MM/AAAA or AAAA-MM-GG.
fn date_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '/' | '-' | '.' | ' ')
}

impl PartialEq for TextField {
    fn eq(&self, other: &TextField) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor() && self.max == other.max
    }
}

impl Default for TextField {
    fn default() -> TextField {
        TextField::new(80)
    }
}

/// What pasting did: whether the value changed, and what the operator should be told (pasted
/// line breaks became spaces, or the text was cut to the field's length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    pub changed: bool,
    pub note: Option<Message>,
}

impl TextField {
    pub fn new(max: usize) -> TextField {
        let mut area = TextArea::default();
        // The look (focus, error, fill) is the renderer's; the cursor is the terminal's own.
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(Style::default());
        area.set_placeholder_style(Style::default());
        TextField {
            area: Box::new(area),
            max,
            accepts: None,
        }
    }

    /// The field takes a number only (digits, sign, decimal separators, %).
    pub fn numeric(mut self) -> TextField {
        self.accepts = Some((numeric_char, "un numero"));
        self
    }

    /// The field takes a date only (digits and separators).
    pub fn date(mut self) -> TextField {
        self.accepts = Some((date_char, "una data (GG/MM/AAAA)"));
        self
    }

    /// Why typing `c` here does nothing, when the field does not take it.
    pub fn refuses(&self, c: char) -> Option<String> {
        let (ok, what) = self.accepts?;
        (!ok(c) && !c.is_control())
            .then(|| format!("'{c}' non si scrive qui: il campo vuole {what}"))
    }

    pub fn with_value(max: usize, value: &str) -> TextField {
        let mut f = TextField::new(max);
        f.set(value);
        f
    }

    /// Replaces the value (cut to the maximum length, on one line); the cursor goes to its end.
    pub fn set(&mut self, value: &str) {
        let clean: String = one_line(value).chars().take(self.max).collect();
        let mut area = TextArea::new(vec![clean]);
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(Style::default());
        area.set_placeholder_style(Style::default());
        area.move_cursor(CursorMove::End);
        *self.area = area;
    }

    pub fn value(&self) -> &str {
        self.area.lines().first().map_or("", String::as_str)
    }

    /// Cursor position in characters.
    pub fn cursor(&self) -> usize {
        self.area.cursor().1
    }

    pub fn max(&self) -> usize {
        self.max
    }

    fn len(&self) -> usize {
        self.value().chars().count()
    }

    /// The text area, for the field renderer (`ui::field`).
    pub fn text_area(&self) -> &TextArea<'static> {
        &self.area
    }

    /// Applies an editing key or a typed character; returns true when the value changed.
    pub fn edit(&mut self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let full = self.len() >= self.max;
        let a = &mut self.area;
        match ev.code {
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                if full || self.accepts.is_some_and(|(ok, _)| !ok(c)) {
                    return false;
                }
                a.insert_char(c);
                true
            }
            KeyCode::Char(c) if ctrl && !alt => match c.to_ascii_lowercase() {
                'a' => {
                    a.move_cursor(CursorMove::Head);
                    false
                }
                'e' => {
                    a.move_cursor(CursorMove::End);
                    false
                }
                'u' => a.delete_line_by_head(),
                'k' => a.delete_line_by_end(),
                'w' => a.delete_word(),
                _ => false,
            },
            KeyCode::Backspace if !ctrl && !alt => a.delete_char(),
            KeyCode::Delete if !ctrl && !alt => a.delete_next_char(),
            KeyCode::Left => {
                a.move_cursor(CursorMove::Back);
                false
            }
            KeyCode::Right => {
                a.move_cursor(CursorMove::Forward);
                false
            }
            KeyCode::Home => {
                a.move_cursor(CursorMove::Head);
                false
            }
            KeyCode::End => {
                a.move_cursor(CursorMove::End);
                false
            }
            _ => false,
        }
    }

    /// Inserts pasted text at the cursor: on one line (line breaks and tabs become spaces, a
    /// final line break is dropped, other control characters too), cut to the maximum length.
    /// Only what fits is looked at, however large the paste.
    pub fn paste(&mut self, text: &str) -> Pasted {
        let room = self.max.saturating_sub(self.len());
        let mut chars = text.trim_end_matches(['\n', '\r']).chars().peekable();
        let (mut fits, mut n, mut broke_lines, mut cut) = (String::new(), 0, false, false);
        let mut refused = false;
        while let Some(c) = chars.next() {
            let c = match c {
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    broke_lines = true;
                    ' '
                }
                '\t' => ' ',
                c if c.is_control() => continue,
                c if self.accepts.is_some_and(|(ok, _)| !ok(c)) => {
                    refused = true;
                    continue;
                }
                c => c,
            };
            if n == room {
                cut = true;
                break;
            }
            fits.push(c);
            n += 1;
        }
        let changed = !fits.is_empty() && self.area.insert_str(&fits);
        let note = if refused {
            Some(Message::Warning(format!(
                "Testo incollato in parte: il campo vuole {}",
                self.accepts.map_or("", |(_, w)| w)
            )))
        } else if cut {
            Some(Message::Warning(format!(
                "Testo incollato troncato: il campo accetta al massimo {} caratteri",
                self.max
            )))
        } else if broke_lines {
            Some(Message::Info(
                "Testo incollato su una riga: gli a capo sono diventati spazi".into(),
            ))
        } else {
            None
        };
        Pasted { changed, note }
    }
}

/// `s` on one line: CR LF, LF, CR and tabs become one space each, other control characters go.
fn one_line(s: &str) -> String {
    let s = s.replace("\r\n", " ");
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(f: &mut TextField, s: &str) {
        for c in s.chars() {
            f.edit(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn edits_with_multibyte_characters_and_limits() {
        let mut f = TextField::new(5);
        for c in "Città".chars() {
            assert!(f.edit(&key(KeyCode::Char(c))));
        }
        assert!(!f.edit(&key(KeyCode::Char('x'))), "max length");
        f.edit(&key(KeyCode::Left));
        assert!(f.edit(&key(KeyCode::Backspace)));
        assert_eq!(f.value(), "Cità");
        assert!(f.edit(&key(KeyCode::Delete)));
        assert_eq!(f.value(), "Cit");
        assert!(!f.edit(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn home_end_and_the_readline_keys() {
        let mut f = TextField::new(40);
        typed(&mut f, "via Roma 12");
        f.edit(&key(KeyCode::Home));
        assert_eq!(f.cursor(), 0);
        typed(&mut f, "> ");
        assert_eq!(f.value(), "> via Roma 12");
        f.edit(&key(KeyCode::End));
        assert_eq!(f.cursor(), 13);
        f.edit(&ctrl('a'));
        assert_eq!(f.cursor(), 0);
        f.edit(&ctrl('e'));
        assert!(
            f.edit(&ctrl('w')),
            "Ctrl-W deletes the word before the cursor"
        );
        assert_eq!(f.value(), "> via Roma ");
        f.edit(&key(KeyCode::Left));
        f.edit(&key(KeyCode::Left));
        assert!(f.edit(&ctrl('k')));
        assert_eq!(f.value(), "> via Rom");
        f.edit(&key(KeyCode::Left));
        assert!(f.edit(&ctrl('u')));
        assert_eq!((f.value(), f.cursor()), ("m", 0));
        // Enter never makes a second line.
        assert!(!f.edit(&key(KeyCode::Enter)));
        assert_eq!(f.text_area().lines().len(), 1);
    }

    #[test]
    fn paste_stays_on_one_line_and_within_the_length() {
        let mut f = TextField::new(13);
        typed(&mut f, "ab");
        f.edit(&key(KeyCode::Home));
        let p = f.paste("D-2026\n");
        assert_eq!((p.changed, p.note), (true, None), "a final line break goes");
        assert_eq!((f.value(), f.cursor()), ("D-2026ab", 6));
        let p = f.paste("x\r\ny\tz");
        assert!(matches!(p.note, Some(Message::Info(_))), "{p:?}");
        assert_eq!(f.value(), "D-2026x y zab");
        let p = f.paste("more");
        assert!(!p.changed);
        assert!(
            matches!(&p.note, Some(Message::Warning(m)) if m.contains("13 caratteri")),
            "{p:?}"
        );
        assert_eq!(f.text_area().lines().len(), 1);
    }

    #[test]
    fn set_cuts_and_puts_the_cursor_at_the_end() {
        let f = TextField::with_value(4, "20271");
        assert_eq!((f.value(), f.cursor()), ("2027", 4));
        let f = TextField::with_value(10, "a\nb");
        assert_eq!(f.value(), "a b");
    }

    #[test]
    fn editing_keys_are_the_fields_and_listed_for_the_help() {
        assert!(is_editing_key(&Key::parse("home").unwrap()));
        assert!(is_editing_key(&Key::parse("ctrl-u").unwrap()));
        assert!(!is_editing_key(&Key::parse("ctrl-t").unwrap()));
        assert!(!is_editing_key(&Key::parse("F3").unwrap()));
        let help = editing_keys_help();
        assert!(help.contains(&("Home/Ctrl-a".to_string(), "inizio del campo")));
    }
}
