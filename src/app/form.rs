//! A single-line text field: what forms are made of. Editing keys only; actions are the
//! keymap's business.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    /// Longest value accepted, in characters.
    pub max: usize,
}

impl TextField {
    pub fn new(max: usize) -> TextField {
        TextField {
            value: String::new(),
            cursor: 0,
            max,
        }
    }

    pub fn with_value(max: usize, value: &str) -> TextField {
        let mut f = TextField::new(max);
        f.set(value);
        f
    }

    pub fn set(&mut self, value: &str) {
        self.value = value.chars().take(self.max).collect();
        self.cursor = self.value.chars().count();
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_index)
            .map(|(b, _)| b)
            .unwrap_or(self.value.len())
    }

    /// Applies an editing key; returns true when the value changed.
    pub fn edit(&mut self, ev: &KeyEvent) -> bool {
        let len = self.value.chars().count();
        match ev.code {
            KeyCode::Char(c)
                if !ev.modifiers.contains(KeyModifiers::CONTROL)
                    && !ev.modifiers.contains(KeyModifiers::ALT)
                    && !c.is_control() =>
            {
                if len >= self.max {
                    return false;
                }
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.value.remove(at);
                self.cursor -= 1;
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
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
        assert_eq!(f.value, "Cità");
        assert!(f.edit(&key(KeyCode::Delete)));
        assert_eq!(f.value, "Cit");
        assert!(!f.edit(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)));
    }
}
