//! Richieste di registrazione: the requests (pending first; Space shows every state), one
//! request's SCHEDA UTENTE, and the Regione's decision: validate (asked twice) or reject with
//! a reason.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::form::{Form, FormOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::domain::access::Role;
use crate::domain::registration::Status;
use crate::store::registrations::Request as Filed;

/// The Regione's decision on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Validate,
    Reject(String),
}

#[derive(Debug)]
pub struct Registrations {
    pub rows: Option<Vec<Filed>>,
    pub selected: usize,
    /// Every state, not only pending requests.
    pub all: bool,
    /// The request shown whole.
    pub open: bool,
    /// Validation asked once: the next press confirms.
    pub confirm: bool,
    /// The reason of a rejection being typed.
    pub reason: Option<Form>,
    /// The Regione decides; others only read.
    pub decides: bool,
    generation: u64,
}

impl Registrations {
    pub fn new(session: &Session) -> Registrations {
        Registrations {
            rows: None,
            selected: 0,
            all: false,
            open: false,
            confirm: false,
            reason: None,
            decides: session.scope.role == Role::Region && !session.read_only,
            generation: 0,
        }
    }

    fn load(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Registrations {
            generation,
            status: (!self.all).then_some(Status::Pending),
        }]
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.load(generation)
    }

    pub fn current(&self) -> Option<&Filed> {
        self.rows.as_ref().and_then(|r| r.get(self.selected))
    }

    pub fn in_text(&self) -> bool {
        self.reason.as_ref().is_some_and(Form::in_text)
    }

    pub fn consumes_back(&self) -> bool {
        self.reason.is_some() || self.open
    }

    pub fn actions(&self) -> Vec<Action> {
        if let Some(f) = &self.reason {
            return f.actions();
        }
        let pending = self
            .current()
            .is_some_and(|r| r.status() == Status::Pending);
        let mut v = vec![Action::Up, Action::Down];
        if !self.open {
            v.push(Action::Select);
        }
        if self.decides && pending {
            v.extend([Action::RequestValidate, Action::RequestReject]);
        }
        if !self.open {
            v.push(Action::Toggle);
        }
        v.push(Action::Refresh);
        v
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut crate::app::field::TextField> {
        self.reason.as_mut().and_then(Form::focused_text_mut)
    }

    fn decide(&mut self, decision: Decision, generation: u64) -> ScreenOutcome {
        let Some(r) = self.current() else {
            return ScreenOutcome::none();
        };
        let (id, version) = (r.id, r.version);
        self.generation = generation;
        ScreenOutcome::requests(vec![Request::RegistrationDecide {
            generation,
            id,
            version,
            decision,
        }])
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(f) = &mut self.reason {
            return match f.on_action(action) {
                FormOutcome::Cancel => {
                    self.reason = None;
                    ScreenOutcome::message(Message::Warning("Rifiuto annullato".into()))
                }
                FormOutcome::Submit => {
                    let text = f.value(0).to_string();
                    self.decide(Decision::Reject(text), generation)
                }
                FormOutcome::Nothing => ScreenOutcome::none(),
            };
        }
        let n = self.rows.as_ref().map_or(0, Vec::len);
        if action != Action::RequestValidate {
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
            Action::Select if n > 0 => {
                self.open = true;
                ScreenOutcome::none()
            }
            Action::Back => {
                self.open = false;
                ScreenOutcome::none()
            }
            Action::Toggle => {
                self.all = !self.all;
                self.selected = 0;
                ScreenOutcome::requests(self.load(generation))
            }
            Action::Refresh => ScreenOutcome::requests(self.load(generation)),
            Action::RequestValidate if self.confirm => {
                self.confirm = false;
                self.decide(Decision::Validate, generation)
            }
            Action::RequestValidate => {
                self.confirm = true;
                let who = self
                    .current()
                    .map(|r| format!("{} di {}", r.id, r.username))
                    .unwrap_or_default();
                ScreenOutcome::message(Message::Warning(format!(
                    "Validare la richiesta {who}? L'operatore sarà abilitato: premere di nuovo per confermare"
                )))
            }
            Action::RequestReject => {
                self.reason = Some(Form::new("Motivo del rifiuto").text("Motivo", 300, ""));
                ScreenOutcome::none()
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Registrations { generation, rows } if generation == self.generation => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.rows = Some(rows);
                ScreenOutcome::none()
            }
            DataMsg::RegistrationDecided {
                generation,
                message,
            } if generation == self.generation => {
                self.reason = None;
                self.open = false;
                let mut out = ScreenOutcome::message(Message::Info(message));
                out.refresh = true;
                out
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                if let Some(f) = &mut self.reason {
                    f.refuse(&[0], message.clone());
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}
