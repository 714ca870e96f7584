//! The unit detail: every field of the unit, its building, owner and manager, household and
//! tenants. Tenants' personal data come masked for the helpdesk until revealed (audited).

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::store::search::UnitDetail;

#[derive(Debug)]
pub struct Detail {
    pub unit_id: i64,
    pub detail: Option<Box<UnitDetail>>,
    pub scroll: u16,
    pub error: Option<String>,
    generation: u64,
}

impl Detail {
    pub fn new(unit_id: i64) -> Detail {
        Detail {
            unit_id,
            detail: None,
            scroll: 0,
            error: None,
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
        v
    }

    pub fn on_action(
        &mut self,
        action: Action,
        _session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        match action {
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
            DataMsg::Detail { generation, detail } if generation == self.generation => {
                self.detail = Some(detail);
                self.error = None;
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
