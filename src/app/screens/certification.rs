//! SCHEDA CERTIFICAZIONE: an owner's registry totals and last certification, with the two
//! actions Certifica and Dichiara nessuna unità.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::store::certification::Card;

#[derive(Debug)]
pub struct Certification {
    /// The owners the operator works for; ↑↓ chooses among them.
    pub owners: Vec<(i64, String)>,
    pub current: usize,
    pub card: Option<Card>,
    generation: u64,
}

impl Certification {
    pub fn new(owners: Vec<(i64, String)>) -> Certification {
        Certification {
            owners,
            current: 0,
            card: None,
            generation: 0,
        }
    }

    fn owner_id(&self) -> Option<i64> {
        self.owners.get(self.current).map(|(id, _)| *id)
    }

    fn load(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        self.card = None;
        self.owner_id()
            .map(|owner_id| Request::Card {
                generation,
                owner_id,
            })
            .into_iter()
            .collect()
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.load(generation)
    }

    pub fn actions(&self) -> Vec<Action> {
        let mut v = vec![Action::Certify];
        if self.card.as_ref().is_some_and(|c| c.totals.units == 0) {
            v.push(Action::DeclareNoUnits);
        }
        v.push(Action::Refresh);
        if self.owners.len() > 1 {
            v.extend([Action::Up, Action::Down]);
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
            Action::Up | Action::Down if self.owners.len() > 1 => {
                let n = self.owners.len();
                self.current = if action == Action::Down {
                    (self.current + 1) % n
                } else {
                    (self.current + n - 1) % n
                };
                ScreenOutcome::requests(self.load(generation))
            }
            Action::Refresh => ScreenOutcome::requests(self.load(generation)),
            Action::Certify | Action::DeclareNoUnits => {
                let Some(owner_id) = self.owner_id() else {
                    return ScreenOutcome::none();
                };
                if action == Action::DeclareNoUnits
                    && self.card.as_ref().is_some_and(|c| c.totals.units > 0)
                {
                    return ScreenOutcome::message(Message::Error(
                        "L'ente ha alloggi in anagrafe: non può dichiarare di non averne".into(),
                    ));
                }
                self.generation = generation;
                ScreenOutcome::requests(vec![Request::Certify {
                    generation,
                    owner_id,
                    no_units: action == Action::DeclareNoUnits,
                }])
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Card { generation, card } if generation == self.generation => {
                self.card = Some(*card);
                ScreenOutcome::none()
            }
            DataMsg::Certified {
                generation,
                card,
                message,
            } if generation == self.generation => {
                self.card = Some(*card);
                ScreenOutcome::message(Message::Info(message))
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => ScreenOutcome::message(Message::Error(message)),
            _ => ScreenOutcome::none(),
        }
    }
}
