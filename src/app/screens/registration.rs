//! SCHEDA UTENTE: the registration request. An applicant with an unknown key fills every field
//! (the key is the one they connected with); an operator already registered asks for another
//! owner or more services (the seed's third case) and fills only those.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::Message;
use crate::app::form::{Form, FormOutcome};
use crate::app::keymap::Action;
use crate::domain::access::Service;
use crate::domain::registration::{self as reg, Field};

/// Who fills the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applying {
    /// An unknown key: the whole SCHEDA UTENTE, for a new operator.
    NewOperator { fingerprint: String },
    /// A registered operator: another owner or more services for itself.
    Extension,
}

#[derive(Debug)]
pub struct Registration {
    pub applying: Applying,
    pub form: Form,
    /// Where the request stands (filed, pending): shown instead of the form.
    pub done: Option<String>,
    generation: u64,
}

/// The text entries of each kind of form, in order; the four services follow as check boxes.
fn text_fields(applying: &Applying) -> &'static [Field] {
    match applying {
        Applying::NewOperator { .. } => &[
            Field::Surname,
            Field::Name,
            Field::Username,
            Field::TaxCode,
            Field::Email,
            Field::Owner,
        ],
        Applying::Extension => &[Field::Owner],
    }
}

impl Registration {
    pub fn new(applying: Applying) -> Registration {
        let title = match &applying {
            Applying::NewOperator { .. } => "SCHEDA UTENTE — richiesta di registrazione",
            Applying::Extension => "RICHIESTA DI ABILITAZIONE — altro ente o altri servizi",
        };
        let mut form = Form::new(title);
        for f in text_fields(&applying) {
            let max = match f {
                Field::TaxCode => 16,
                Field::Username => reg::MAX_USERNAME,
                Field::Email => 100,
                _ => reg::MAX_TEXT,
            };
            form = form.text(f.label(), max, "");
        }
        for s in Service::ALL {
            form = form.check(&format!("Servizio {}", s.label()), false);
        }
        Registration {
            applying,
            form,
            done: None,
            generation: 0,
        }
    }

    /// The form with a standing already known (a pending request): shown, not the form.
    pub fn with_standing(mut self, text: Option<String>) -> Registration {
        self.done = text;
        self
    }

    pub fn in_text(&self) -> bool {
        self.done.is_none() && self.form.in_text()
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.done.is_some() {
            return Vec::new();
        }
        self.form.actions()
    }

    /// What was typed, as the service reads it.
    pub fn typed(&self) -> reg::Form {
        let fields = text_fields(&self.applying);
        let get = |f: Field| {
            fields
                .iter()
                .position(|x| *x == f)
                .map(|i| self.form.value(i).to_string())
                .unwrap_or_default()
        };
        let services = Service::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| self.form.checked(fields.len() + i))
            .map(|(_, s)| s.db().to_string())
            .collect();
        reg::Form {
            surname: get(Field::Surname),
            name: get(Field::Name),
            username: get(Field::Username),
            tax_code: get(Field::TaxCode),
            email: get(Field::Email),
            owner: get(Field::Owner),
            services,
        }
    }

    /// The entry of `field` (the services: the first check box).
    fn entry_of(&self, field: Field) -> Option<usize> {
        let fields = text_fields(&self.applying);
        if field == Field::Services {
            return Some(fields.len());
        }
        fields.iter().position(|f| *f == field)
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if self.done.is_some() {
            return ScreenOutcome::none();
        }
        match self.form.on_action(action) {
            FormOutcome::Submit => {
                self.form.clear_errors();
                self.generation = generation;
                ScreenOutcome {
                    message: Some(Message::Info("Richiesta in corso di invio…".into())),
                    requests: vec![Request::RegistrationFile {
                        generation,
                        form: Box::new(self.typed()),
                    }],
                    ..ScreenOutcome::default()
                }
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::RegistrationFiled { generation, text } if generation == self.generation => {
                self.done = Some(text.clone());
                ScreenOutcome::message(Message::Info(text))
            }
            DataMsg::RegistrationRefused { generation, errors }
                if generation == self.generation =>
            {
                let bad: Vec<usize> = errors
                    .iter()
                    .filter_map(|e| self.entry_of(e.field))
                    .collect();
                let first = errors
                    .first()
                    .map(|e| format!("{}: {}", e.field.label(), e.message))
                    .unwrap_or_default();
                let more = if errors.len() > 1 {
                    format!(" (e altri {} campi)", errors.len() - 1)
                } else {
                    String::new()
                };
                let text = format!("{first}{more}");
                self.form.refuse(&bad, text.clone());
                ScreenOutcome::message(Message::Error(text))
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => ScreenOutcome::message(Message::Error(message)),
            _ => ScreenOutcome::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extension_asks_only_owner_and_services_and_errors_put_the_cursor_on_the_first() {
        let mut r = Registration::new(Applying::Extension);
        assert_eq!(r.form.entries.len(), 1 + Service::ALL.len());
        r.form.focus = 2;
        r.form.on_action(Action::Toggle);
        let typed = r.typed();
        assert_eq!(typed.services, vec!["AVVISI".to_string()]);
        let out = r.on_action(Action::Select, 7);
        assert!(matches!(
            out.requests[0],
            Request::RegistrationFile { generation: 7, .. }
        ));
        r.on_data(DataMsg::RegistrationRefused {
            generation: 7,
            errors: vec![reg::FieldError {
                field: Field::Owner,
                message: "ente non trovato".into(),
            }],
        });
        assert_eq!(r.form.focus, 0);
        assert!(r.form.entries[0].invalid);
        assert!(!r.form.entries[2].invalid);
    }
}
