//! A simple form: labelled text fields and check boxes, one focused at a time. The SCHEDA
//! UTENTE, the Regione's district forms, the key to add and the reason of a rejection are all
//! one. Tab/↓ and Shift-Tab/↑ move, Space ticks a box, Enter submits, Esc cancels; on a
//! refused submission the cursor goes to the first bad entry, which carries ✖.

use super::field::TextField;
use super::keymap::Action;

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text(TextField),
    Check(bool),
}

/// One labelled entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub input: Input,
    /// The last submission refused it.
    pub invalid: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    pub entries: Vec<Entry>,
    pub focus: usize,
    /// Why the last submission was refused (shown on the message line by the screen).
    pub error: Option<String>,
}

/// What an action did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Nothing,
    Submit,
    Cancel,
}

impl Form {
    pub fn new(title: impl Into<String>) -> Form {
        Form {
            title: title.into(),
            entries: Vec::new(),
            focus: 0,
            error: None,
        }
    }

    /// Adds a text field of at most `max` characters, holding `value`.
    pub fn text(mut self, label: &str, max: usize, value: &str) -> Form {
        self.entries.push(Entry {
            label: label.into(),
            input: Input::Text(TextField::with_value(max, value)),
            invalid: false,
        });
        self
    }

    /// Adds a check box.
    pub fn check(mut self, label: &str, on: bool) -> Form {
        self.entries.push(Entry {
            label: label.into(),
            input: Input::Check(on),
            invalid: false,
        });
        self
    }

    /// The value of entry `i` (empty for a check box).
    pub fn value(&self, i: usize) -> &str {
        match self.entries.get(i).map(|e| &e.input) {
            Some(Input::Text(t)) => t.value(),
            _ => "",
        }
    }

    /// Whether check box `i` is ticked.
    pub fn checked(&self, i: usize) -> bool {
        matches!(
            self.entries.get(i).map(|e| &e.input),
            Some(Input::Check(true))
        )
    }

    /// Whether the focused entry is a text field (plain keys are typed).
    pub fn in_text(&self) -> bool {
        matches!(
            self.entries.get(self.focus).map(|e| &e.input),
            Some(Input::Text(_))
        )
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self.entries.get_mut(self.focus).map(|e| &mut e.input) {
            Some(Input::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The actions the form offers.
    pub fn actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Select, Action::NextField, Action::PrevField];
        if !self.in_text() {
            v.push(Action::Toggle);
        }
        v.extend([Action::Up, Action::Down]);
        v
    }

    pub fn on_action(&mut self, action: Action) -> FormOutcome {
        let n = self.entries.len().max(1);
        match action {
            Action::NextField | Action::Down => {
                self.focus = (self.focus + 1) % n;
                FormOutcome::Nothing
            }
            Action::PrevField | Action::Up => {
                self.focus = (self.focus + n - 1) % n;
                FormOutcome::Nothing
            }
            Action::Toggle => {
                if let Some(Entry {
                    input: Input::Check(on),
                    ..
                }) = self.entries.get_mut(self.focus)
                {
                    *on = !*on;
                }
                FormOutcome::Nothing
            }
            Action::Select => FormOutcome::Submit,
            Action::Back => FormOutcome::Cancel,
            _ => FormOutcome::Nothing,
        }
    }

    /// Marks the entries `bad` refused (in form order), moves the cursor to the first, and
    /// keeps the message; typed values stay.
    pub fn refuse(&mut self, bad: &[usize], message: String) {
        for (i, e) in self.entries.iter_mut().enumerate() {
            e.invalid = bad.contains(&i);
        }
        if let Some(first) = bad.iter().min() {
            self.focus = *first;
        }
        self.error = Some(message);
    }

    pub fn clear_errors(&mut self) {
        for e in &mut self.entries {
            e.invalid = false;
        }
        self.error = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_ticks_submits_and_refuses_keeping_what_was_typed() {
        let mut f = Form::new("Prova")
            .text("Nome", 20, "Anna")
            .check("ANAGRAFE", false)
            .text("E-mail", 40, "");
        assert!(f.in_text());
        assert_eq!(f.on_action(Action::Down), FormOutcome::Nothing);
        assert!(!f.in_text() && f.actions().contains(&Action::Toggle));
        f.on_action(Action::Toggle);
        assert!(f.checked(1));
        f.on_action(Action::Up);
        f.on_action(Action::Up);
        assert_eq!(f.focus, 2, "wraps around");
        assert_eq!(f.on_action(Action::Select), FormOutcome::Submit);
        f.refuse(&[2, 0], "due campi".into());
        assert_eq!(f.focus, 0);
        assert!(f.entries[0].invalid && f.entries[2].invalid && !f.entries[1].invalid);
        assert_eq!(f.value(0), "Anna");
        assert_eq!(f.on_action(Action::Back), FormOutcome::Cancel);
    }
}
