//! The unit detail: every field of the unit, its building, owner and manager, household and
//! tenants. Tenants' personal data come masked for the helpdesk until revealed (audited).

use super::form::Form;
use super::{DataMsg, Request, ScreenOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::domain::unit_edit::{EditField, UnitEdit};
use crate::store::search::UnitDetail;

#[derive(Debug)]
pub struct Detail {
    pub unit_id: i64,
    pub detail: Option<Box<UnitDetail>>,
    pub scroll: u16,
    pub error: Option<String>,
    /// The operator may edit the unit: Modifica is offered.
    pub editable: bool,
    /// The Modifica form, while open; the version it was filled from.
    pub form: Option<Form>,
    form_version: i64,
    generation: u64,
}

/// The Modifica form filled with the unit's values.
fn edit_form(d: &UnitDetail) -> Form {
    let values = UnitEdit {
        state: d.state,
        sat: d.sat,
        in_notice: d.in_notice,
        barrier_free: d.barrier_free,
        has_lift: d.has_lift,
        works: d.works.clone(),
        works_cost_cents: d.works_cost_cents,
    }
    .typed();
    let max = [
        40,
        2,
        2,
        2,
        2,
        crate::domain::unit_edit::WORKS_MAX_CHARS,
        12,
    ];
    let fields: Vec<(&'static str, usize, &str)> = EditField::ALL
        .iter()
        .zip(&values)
        .zip(max)
        .map(|((f, v), m)| (f.label(), m, v.as_str()))
        .collect();
    Form::new("MODIFICA ALLOGGIO", &fields)
}

impl Detail {
    pub fn new(unit_id: i64) -> Detail {
        Detail {
            unit_id,
            detail: None,
            scroll: 0,
            error: None,
            editable: false,
            form: None,
            form_version: 0,
            generation: 0,
        }
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Detail {
            generation,
            unit_id: self.unit_id,
            reveal: false,
        }]
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.form.is_some() {
            return Form::actions();
        }
        let mut v = vec![
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::Refresh,
        ];
        if self.detail.as_ref().is_some_and(|d| d.personal_data_masked) {
            v.insert(0, Action::Reveal);
        }
        if self.editable && self.detail.is_some() {
            v.insert(0, Action::UnitEdit);
        }
        v
    }

    fn on_form(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        let (Some(f), Some(d)) = (&mut self.form, &self.detail) else {
            return ScreenOutcome::none();
        };
        match action {
            Action::Back => self.form = None,
            Action::Select => {
                let values = f.values();
                let typed: [&str; 7] = std::array::from_fn(|i| values[i]);
                // Checked here first, so the cursor lands on the field at fault; the service
                // checks again, with the unit's version.
                if let Err(e) = UnitEdit::parse(&typed, d.service) {
                    let at = EditField::ALL.iter().position(|x| *x == e.field);
                    f.refuse(at.unwrap_or(0));
                    return ScreenOutcome::message(Message::Error(e.to_string()));
                }
                self.generation = generation;
                return ScreenOutcome::requests(vec![Request::UnitEdit {
                    generation,
                    unit_id: self.unit_id,
                    typed: Box::new(typed.map(str::to_string)),
                    version: self.form_version,
                }]);
            }
            a => {
                f.navigate(a);
            }
        }
        ScreenOutcome::none()
    }

    pub fn on_action(
        &mut self,
        action: Action,
        _session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        if self.form.is_some() {
            return self.on_form(action, generation);
        }
        match action {
            Action::UnitEdit if self.editable => {
                if let Some(d) = &self.detail {
                    self.form = Some(edit_form(d));
                    self.form_version = d.version;
                }
            }
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::Refresh => return ScreenOutcome::requests(self.opened(generation)),
            Action::Reveal => {
                self.generation = generation;
                return ScreenOutcome {
                    message: Some(Message::Warning(
                        "Dati personali visualizzati: l'accesso è registrato".into(),
                    )),
                    requests: vec![Request::Detail {
                        generation,
                        unit_id: self.unit_id,
                        reveal: true,
                    }],
                    ..ScreenOutcome::default()
                };
            }
            _ => {}
        }
        ScreenOutcome::none()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Detail {
                generation,
                detail,
                editable,
            } if generation == self.generation => {
                let saved = self.form.is_some();
                self.detail = Some(detail);
                self.editable = editable;
                self.error = None;
                if saved {
                    self.form = None;
                    return ScreenOutcome::message(Message::Info(format!(
                        "Alloggio {} salvato",
                        self.unit_id
                    )));
                }
            }
            DataMsg::UnitEditRefused {
                generation,
                field,
                message,
            } if generation == self.generation => {
                // The form stays as typed, the cursor on the field at fault.
                if let (Some(f), Some(field)) = (&mut self.form, field) {
                    let at = EditField::ALL.iter().position(|x| *x == field);
                    f.refuse(at.unwrap_or(0));
                }
                return ScreenOutcome::message(Message::Error(message));
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                self.error = Some(message.clone());
                return ScreenOutcome::message(Message::Error(message));
            }
            _ => {}
        }
        ScreenOutcome::none()
    }
}
