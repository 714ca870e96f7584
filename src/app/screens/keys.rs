//! Chiavi SSH: the keys operators connect with (the Regione and the helpdesk see every key, an
//! operator its own). The Regione binds a key to an operator (its `.pub` line pasted) and
//! removes one (asked twice).

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::form::{Form, FormOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::domain::access::Role;
use crate::store::keys::StoredKey;

#[derive(Debug)]
pub struct Keys {
    pub rows: Option<Vec<StoredKey>>,
    pub selected: usize,
    pub form: Option<Form>,
    /// Removal asked once: the next press confirms.
    pub confirm: bool,
    pub manages: bool,
    generation: u64,
}

impl Keys {
    pub fn new(session: &Session) -> Keys {
        Keys {
            rows: None,
            selected: 0,
            form: None,
            confirm: false,
            manages: session.scope.role == Role::Region && !session.read_only,
            generation: 0,
        }
    }

    fn load(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Keys { generation }]
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.load(generation)
    }

    pub fn in_text(&self) -> bool {
        self.form.as_ref().is_some_and(Form::in_text)
    }

    pub fn consumes_back(&self) -> bool {
        self.form.is_some()
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        self.form.as_mut().and_then(Form::focused_text_mut)
    }

    pub fn actions(&self) -> Vec<Action> {
        if let Some(f) = &self.form {
            return f.actions();
        }
        let mut v = vec![Action::Up, Action::Down];
        if self.manages {
            v.push(Action::ItemNew);
            if self.rows.as_ref().is_some_and(|r| !r.is_empty()) {
                v.push(Action::ItemRemove);
            }
        }
        v.push(Action::Refresh);
        v
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(f) = &mut self.form {
            return match f.on_action(action) {
                FormOutcome::Cancel => {
                    self.form = None;
                    ScreenOutcome::message(Message::Warning("Aggiunta annullata".into()))
                }
                FormOutcome::Submit => {
                    self.generation = generation;
                    ScreenOutcome::requests(vec![Request::KeyAdd {
                        generation,
                        username: f.value(0).to_string(),
                        key: f.value(1).to_string(),
                    }])
                }
                FormOutcome::Nothing => ScreenOutcome::none(),
            };
        }
        let n = self.rows.as_ref().map_or(0, Vec::len);
        if action != Action::ItemRemove {
            self.confirm = false;
        }
        match action {
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                ScreenOutcome::none()
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                ScreenOutcome::none()
            }
            Action::Refresh => ScreenOutcome::requests(self.load(generation)),
            Action::ItemNew => {
                self.form = Some(
                    Form::new("NUOVA CHIAVE SSH DI UN OPERATORE")
                        .text("Nome utente", 40, "")
                        .text("Chiave pubblica (incollare la riga .pub)", 4000, ""),
                );
                ScreenOutcome::none()
            }
            Action::ItemRemove => {
                let Some(k) = self.rows.as_ref().and_then(|r| r.get(self.selected)) else {
                    return ScreenOutcome::none();
                };
                if !self.confirm {
                    self.confirm = true;
                    return ScreenOutcome::message(Message::Warning(format!(
                        "Rimuovere la chiave {} di {}? Non aprirà più sessioni: premere di nuovo per confermare",
                        k.fingerprint, k.username
                    )));
                }
                self.confirm = false;
                self.generation = generation;
                ScreenOutcome::requests(vec![Request::KeyRemove {
                    generation,
                    fingerprint: k.fingerprint.clone(),
                }])
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Keys {
                generation,
                rows,
                message,
            } if generation == self.generation => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.rows = Some(rows);
                if message.is_some() {
                    self.form = None;
                }
                match message {
                    Some(m) => ScreenOutcome::message(m),
                    None => ScreenOutcome::none(),
                }
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                if let Some(f) = &mut self.form {
                    f.refuse(&[1], message.clone());
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}
