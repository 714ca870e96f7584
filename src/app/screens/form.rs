//! A small form of labelled one-line fields, for the dialogs that ask a few values (a new
//! notice, a correction, a file to import, a unit's values): Tab and Shift-Tab move, the
//! screen checks on Enter. A refused value keeps everything typed and puts the cursor on the
//! field at fault, marked until it is changed.

use crate::app::field::TextField;
use crate::app::keymap::Action;

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The dialog's title (upper case, as the platform's cards).
    pub title: &'static str,
    pub labels: Vec<&'static str>,
    pub fields: Vec<TextField>,
    pub focus: usize,
    /// The field the last check refused.
    pub invalid: Option<usize>,
}

impl Form {
    /// A form of `(label, max length, initial value)`.
    pub fn new(title: &'static str, fields: &[(&'static str, usize, &str)]) -> Form {
        Form {
            title,
            labels: fields.iter().map(|f| f.0).collect(),
            fields: fields
                .iter()
                .map(|(_, max, v)| TextField::with_value(*max, v))
                .collect(),
            focus: 0,
            invalid: None,
        }
    }

    /// The values as typed, trimmed.
    pub fn values(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.value().trim()).collect()
    }

    /// Tab and Shift-Tab (and the arrows) move between the fields.
    pub fn navigate(&mut self, action: Action) -> bool {
        let n = self.fields.len();
        match action {
            Action::NextField | Action::Down => self.focus = (self.focus + 1) % n,
            Action::PrevField | Action::Up => self.focus = (self.focus + n - 1) % n,
            _ => return false,
        }
        true
    }

    /// A refusal of field `i`: the cursor goes there, the field is marked.
    pub fn refuse(&mut self, i: usize) {
        self.focus = i.min(self.fields.len().saturating_sub(1));
        self.invalid = Some(self.focus);
    }

    pub fn focused_mut(&mut self) -> &mut TextField {
        if self.invalid == Some(self.focus) {
            // Changing the field at fault clears its mark (it is checked again on Enter).
            self.invalid = None;
        }
        &mut self.fields[self.focus]
    }

    /// The actions a form offers.
    pub fn actions() -> Vec<Action> {
        vec![
            Action::Select,
            Action::NextField,
            Action::PrevField,
            Action::Back,
        ]
    }
}
