//! Ambiti territoriali: every district with its capofila; one district's card (member comuni,
//! the acts naming its capofila). The Regione creates districts, renames them, changes their
//! comuni and records the act naming a new capofila; everyone else reads.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::form::{Form, FormOutcome};
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::domain::access::Role;
use crate::store::districts::DistrictCard;
use crate::store::owners::DistrictRef;

/// A change the Regione asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistrictChange {
    Create {
        code: String,
        name: String,
        members: String,
    },
    Edit {
        code: String,
        /// The name typed (unchanged: nothing to rename).
        name: String,
        add: String,
        remove: String,
        version: i64,
    },
    Capofila {
        code: String,
        comune: String,
        /// As typed: GG/MM/AAAA.
        date: String,
        act: String,
        version: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Create,
    Edit,
    Capofila,
}

#[derive(Debug)]
pub struct Districts {
    pub rows: Option<Vec<DistrictRef>>,
    pub selected: usize,
    pub card: Option<DistrictCard>,
    /// First line of the card shown (members and acts scroll).
    pub scroll: usize,
    pub form: Option<Form>,
    editing: Option<Editing>,
    pub configures: bool,
    generation: u64,
}

impl Districts {
    pub fn new(session: &Session) -> Districts {
        Districts {
            rows: None,
            selected: 0,
            card: None,
            scroll: 0,
            form: None,
            editing: None,
            configures: session.scope.role == Role::Region && !session.read_only,
            generation: 0,
        }
    }

    fn load(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        match &self.card {
            Some(c) => vec![Request::DistrictCard {
                generation,
                code: c.district.code.clone(),
            }],
            None => vec![Request::Districts { generation }],
        }
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.load(generation)
    }

    pub fn in_text(&self) -> bool {
        self.form.as_ref().is_some_and(Form::in_text)
    }

    pub fn consumes_back(&self) -> bool {
        self.form.is_some() || self.card.is_some()
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        self.form.as_mut().and_then(Form::focused_text_mut)
    }

    pub fn actions(&self) -> Vec<Action> {
        if let Some(f) = &self.form {
            return f.actions();
        }
        let mut v = vec![Action::Up, Action::Down];
        match &self.card {
            None => {
                v.push(Action::Select);
                if self.configures {
                    v.push(Action::ItemNew);
                }
            }
            Some(_) if self.configures => v.extend([Action::ItemEdit, Action::Capofila]),
            Some(_) => {}
        }
        v.push(Action::Refresh);
        v
    }

    fn submit(&mut self, generation: u64) -> ScreenOutcome {
        let (Some(f), Some(editing)) = (&self.form, self.editing) else {
            return ScreenOutcome::none();
        };
        let card = self.card.as_ref();
        let code = card.map(|c| c.district.code.clone()).unwrap_or_default();
        let version = card.map_or(0, |c| c.version);
        let change = match editing {
            Editing::Create => DistrictChange::Create {
                code: f.value(0).into(),
                name: f.value(1).into(),
                members: f.value(2).into(),
            },
            Editing::Edit => DistrictChange::Edit {
                code,
                name: f.value(0).into(),
                add: f.value(1).into(),
                remove: f.value(2).into(),
                version,
            },
            Editing::Capofila => DistrictChange::Capofila {
                code,
                comune: f.value(0).into(),
                date: f.value(1).into(),
                act: f.value(2).into(),
                version,
            },
        };
        self.generation = generation;
        ScreenOutcome::requests(vec![Request::DistrictChange {
            generation,
            change: Box::new(change),
        }])
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(f) = &mut self.form {
            return match f.on_action(action) {
                FormOutcome::Cancel => {
                    self.form = None;
                    self.editing = None;
                    ScreenOutcome::message(Message::Warning("Modifica annullata".into()))
                }
                FormOutcome::Submit => self.submit(generation),
                FormOutcome::Nothing => ScreenOutcome::none(),
            };
        }
        let n = self.rows.as_ref().map_or(0, Vec::len);
        match (action, &self.card) {
            (Action::Up, None) => {
                self.selected = self.selected.saturating_sub(1);
                ScreenOutcome::none()
            }
            (Action::Down, None) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                ScreenOutcome::none()
            }
            (Action::Up, Some(_)) => {
                self.scroll = self.scroll.saturating_sub(1);
                ScreenOutcome::none()
            }
            (Action::Down, Some(_)) => {
                self.scroll += 1;
                ScreenOutcome::none()
            }
            (Action::Select, None) => {
                let Some(d) = self.rows.as_ref().and_then(|r| r.get(self.selected)) else {
                    return ScreenOutcome::none();
                };
                self.generation = generation;
                self.scroll = 0;
                ScreenOutcome::requests(vec![Request::DistrictCard {
                    generation,
                    code: d.code.clone(),
                }])
            }
            (Action::Back, Some(_)) => {
                self.card = None;
                ScreenOutcome::requests(self.load(generation))
            }
            (Action::Refresh, _) => ScreenOutcome::requests(self.load(generation)),
            (Action::ItemNew, None) => {
                self.editing = Some(Editing::Create);
                self.form = Some(
                    Form::new("NUOVO AMBITO TERRITORIALE")
                        .text("Codice (es. BG-SERIATE)", 40, "")
                        .text("Nome", 120, "")
                        .text("Comuni (codici ISTAT, separati da virgola)", 400, ""),
                );
                ScreenOutcome::none()
            }
            (Action::ItemEdit, Some(c)) => {
                self.editing = Some(Editing::Edit);
                self.form = Some(
                    Form::new(format!("MODIFICA AMBITO {}", c.district.code))
                        .text("Nome", 120, &c.district.name)
                        .text("Aggiungi comuni (ISTAT)", 400, "")
                        .text("Togli comuni (ISTAT)", 400, ""),
                );
                ScreenOutcome::none()
            }
            (Action::Capofila, Some(c)) => {
                self.editing = Some(Editing::Capofila);
                self.form = Some(
                    Form::new(format!(
                        "NOMINA DEL COMUNE CAPOFILA — AMBITO {}",
                        c.district.code
                    ))
                    .text("Comune capofila (ISTAT o nome)", 60, "")
                    .text("Data dell'atto (GG/MM/AAAA)", 10, "")
                    .text("Estremi dell'atto di nomina", 200, ""),
                );
                ScreenOutcome::none()
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Districts { generation, rows } if generation == self.generation => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.rows = Some(rows);
                ScreenOutcome::none()
            }
            DataMsg::DistrictCard {
                generation,
                card,
                message,
            } if generation == self.generation => {
                if message.is_some() {
                    self.form = None;
                    self.editing = None;
                }
                self.card = Some(*card);
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
                    f.error = Some(message.clone());
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}
