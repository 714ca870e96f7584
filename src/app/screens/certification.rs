//! SCHEDA CERTIFICAZIONE: an owner's registry totals and last certification, with the two
//! actions Certifica and Dichiara nessuna unità.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::store::certification::Card;

#[derive(Debug)]
pub struct Certification {
    /// The owners the operator works for; ↑↓ chooses among them.
    pub owners: Vec<(i64, String)>,
    pub current: usize,
    pub card: Option<Card>,
    /// The Regione and the helpdesk read the card of any owner: chosen in this picker.
    pub picker: Option<OwnerPicker>,
    /// The operator may open the picker (it reads every owner).
    pub any_owner: bool,
    /// The owners the operator certifies for (its own): Certifica only on their cards.
    own: Vec<i64>,
    /// Certifying is recorded for good: the first press says what will be recorded, the
    /// second does it.
    confirm: Option<Action>,
    generation: u64,
}

/// Choosing an owner: every owner, filtered as typed (name, codice fiscale, ISTAT code).
#[derive(Debug, Default)]
pub struct OwnerPicker {
    pub field: TextField,
    /// (id, label) of every owner, once read.
    pub all: Option<Vec<(i64, String)>>,
    pub selected: usize,
}

impl OwnerPicker {
    /// The owners matching what is typed, every word anywhere, in any case.
    pub fn matches(&self) -> Vec<&(i64, String)> {
        let words: Vec<String> = self
            .field
            .value()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.all
            .iter()
            .flatten()
            .filter(|(_, l)| {
                let l = l.to_lowercase();
                words.iter().all(|w| l.contains(w.as_str()))
            })
            .collect()
    }
}

impl Certification {
    pub fn new(owners: Vec<(i64, String)>) -> Certification {
        Certification {
            own: owners.iter().map(|(id, _)| *id).collect(),
            owners,
            current: 0,
            card: None,
            picker: None,
            any_owner: false,
            confirm: None,
            generation: 0,
        }
    }

    /// The card of any owner (the Regione, the helpdesk): it opens on the picker when the
    /// operator has no owner of its own.
    pub fn for_any_owner(owners: Vec<(i64, String)>) -> Certification {
        let mut c = Certification::new(owners);
        c.any_owner = true;
        if c.owners.is_empty() {
            c.picker = Some(OwnerPicker::default());
        }
        c
    }

    fn open_picker(&mut self, generation: u64) -> ScreenOutcome {
        self.picker = Some(OwnerPicker::default());
        self.generation = generation;
        ScreenOutcome::requests(vec![Request::Owners { generation }])
    }

    fn on_picker(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        let Some(p) = &mut self.picker else {
            return ScreenOutcome::none();
        };
        let n = p.matches().len();
        match action {
            Action::Back => self.picker = None,
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::Down => p.selected = (p.selected + 1).min(n.saturating_sub(1)),
            Action::Select => {
                let Some((id, label)) = p.matches().get(p.selected).map(|x| (*x).clone()) else {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessun ente corrisponde a quanto scritto".into(),
                    ));
                };
                self.picker = None;
                match self.owners.iter().position(|(o, _)| *o == id) {
                    Some(i) => self.current = i,
                    None => {
                        self.owners.push((id, label));
                        self.current = self.owners.len() - 1;
                    }
                }
                return ScreenOutcome::requests(self.load(generation));
            }
            _ => {}
        }
        ScreenOutcome::none()
    }

    /// The picker's field, while open.
    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        self.picker.as_mut().map(|p| {
            p.selected = 0;
            &mut p.field
        })
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
        if self.picker.is_some() {
            return self.open_picker(generation).requests;
        }
        self.load(generation)
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.picker.is_some() {
            return vec![Action::Up, Action::Down, Action::Select, Action::Back];
        }
        let mut v = Vec::new();
        // Certifying is the owner's own act: only on the card of an owner of the operator.
        if self.owner_id().is_some_and(|o| self.own.contains(&o)) {
            v.push(Action::Certify);
            if self.card.as_ref().is_some_and(|c| c.totals.units == 0) {
                v.push(Action::DeclareNoUnits);
            }
        }
        if self.any_owner {
            v.push(Action::ListOfValues);
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
        if self.picker.is_some() {
            return self.on_picker(action, generation);
        }
        let confirmed = self.confirm.take() == Some(action);
        match action {
            Action::ListOfValues if self.any_owner => self.open_picker(generation),
            Action::Certify | Action::DeclareNoUnits
                if !self.owner_id().is_some_and(|o| self.own.contains(&o)) =>
            {
                ScreenOutcome::none()
            }
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
                if !confirmed {
                    let Some(card) = &self.card else {
                        return ScreenOutcome::none();
                    };
                    self.confirm = Some(action);
                    let what = if action == Action::Certify {
                        format!(
                            "Certificare che l'anagrafe di {} è aggiornata ({})?",
                            card.owner_name,
                            crate::domain::format::count(card.totals.units, "alloggio", "alloggi")
                        )
                    } else {
                        format!("Dichiarare che {} non ha unità abitative?", card.owner_name)
                    };
                    return ScreenOutcome::message(Message::Warning(format!(
                        "{what} Resta registrata con data, ora e operatore: premere di nuovo il tasto per confermare"
                    )));
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
            DataMsg::Lov { generation, items } if generation == self.generation => {
                if let Some(p) = &mut self.picker {
                    p.all = Some(
                        items
                            .into_iter()
                            .filter_map(|(id, label)| Some((id.parse().ok()?, label)))
                            .collect(),
                    );
                }
                ScreenOutcome::none()
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::certification::Totals;

    fn screen(units: i64) -> (Certification, Session) {
        let mut c = Certification::new(vec![(7, "Comune di Seriate".into())]);
        c.card = Some(Card {
            owner_id: 7,
            owner_name: "Comune di Seriate".into(),
            owner_kind: "COMUNE".into(),
            totals: Totals {
                units,
                ..Totals::default()
            },
            last: None,
        });
        let session = crate::app::Session {
            scope: crate::domain::access::OperatorScope {
                username: "comune.016198".into(),
                role: crate::domain::access::Role::OwnerOperator,
                status: crate::domain::access::OperatorStatus::Active,
                district_id: None,
                grants: Vec::new(),
            },
            database: "t".into(),
            read_only: false,
            owners: Vec::new(),
            size: (80, 24),
            remote: false,
            plan_year: 2027,
        };
        (c, session)
    }

    #[test]
    fn certifying_and_declaring_no_units_ask_first() {
        let (mut c, s) = screen(1);
        let out = c.on_action(Action::Certify, &s, 1);
        assert!(out.requests.is_empty());
        let said = out.message.unwrap();
        assert!(said.text().contains("(1 alloggio)"), "{said:?}");
        // Another key in between: asked again.
        c.on_action(Action::Up, &s, 2);
        assert!(c.on_action(Action::Certify, &s, 3).requests.is_empty());
        let out = c.on_action(Action::Certify, &s, 4);
        assert!(matches!(
            out.requests.as_slice(),
            [Request::Certify {
                no_units: false,
                ..
            }]
        ));
        let (mut c, s) = screen(0);
        let out = c.on_action(Action::DeclareNoUnits, &s, 1);
        assert!(
            out.message
                .unwrap()
                .text()
                .contains("non ha unità abitative")
        );
        let out = c.on_action(Action::DeclareNoUnits, &s, 2);
        assert!(matches!(
            out.requests.as_slice(),
            [Request::Certify { no_units: true, .. }]
        ));
    }
}
