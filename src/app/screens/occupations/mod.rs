//! Banca dati occupanti: Ricerca occupazioni (filters, a table paged by key, the count) and the
//! occupation card (SCHEDA OCCUPAZIONE), a form whose coded fields have lists of values, with
//! Salva, Chiudi occupazione (end, release act and the unit's new state, asked to confirm) and,
//! for the helpdesk, the audited reveal of personal data. The worker answers with the
//! service's reads and changes. One file per sub-screen; this one holds the queries, the
//! answers and the dispatch.

pub mod card;
mod search;

pub use card::{CARD_FIELDS, CLOSE_LABELS, CardField, CardForm, CloseDialog, OccupationCard};
pub use search::{FILTER_FIELDS, Focus as SearchFocus, OccupationSearch};

use super::{DataMsg, Request, Screen, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::domain::occupation::Occupation;
use crate::domain::occupation::codes::CodeLists;
use crate::domain::occupation::filter::{Field, FilterText};
use crate::store::occupations::search::{Direction, OccupationRow};
use crate::store::occupations::{Closing, Saved, Stored};

/// What a screen of the area asks the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The code lists (labels of the coded fields).
    Codes,
    /// A page of the search (with its count when `with_count`).
    Page {
        input: FilterText,
        cursor: Option<i64>,
        direction: Direction,
        limit: usize,
        with_count: bool,
    },
    /// The values of the owner or comune filter (F4).
    Values { field: Field, prefix: String },
    /// An occupation's card.
    Card { id: i64, reveal: bool },
    /// casa's unit with this code, to fill the unit's place in the form.
    UnitPlace {
        owner_tax_code: String,
        code: String,
    },
    /// Save the card: a new record, or a change of the one read at `version`.
    Save {
        id: Option<i64>,
        version: i64,
        record: Box<Occupation>,
    },
    /// Close the occupation read at `version`.
    Close {
        id: i64,
        version: i64,
        closing: Box<Closing>,
    },
}

/// The worker's answers.
#[derive(Debug, Clone)]
pub enum Data {
    Codes(CodeLists),
    Page {
        rows: Vec<OccupationRow>,
        at_start: bool,
        at_end: bool,
        direction: Direction,
        count: Option<i64>,
    },
    /// A filter value the search refuses.
    FilterRefused {
        field: Field,
        message: String,
    },
    Values(Vec<(String, String)>),
    Card {
        stored: Box<Stored>,
        masked: bool,
        /// The operator may change it.
        editable: bool,
    },
    UnitPlace(Option<crate::domain::occupation::UnitPlace>),
    /// A change went through: what it did and the card reread.
    Saved {
        saved: Box<Saved>,
        stored: Box<Stored>,
    },
    /// A change refused for its content: every problem by the feed's attribute.
    Invalid(Vec<crate::domain::occupation::Problem>),
    /// A change refused because another operator changed the record since it was read: the
    /// reason and the record as stored now (the typed values stay in the form).
    Stale {
        message: String,
        stored: Box<Stored>,
    },
}

/// The screens of the area.
#[derive(Debug)]
pub enum Occupations {
    Search(OccupationSearch),
    Card(Box<OccupationCard>),
}

fn request(generation: u64, query: Query) -> Request {
    Request::Occupations { generation, query }
}

impl Occupations {
    pub fn search(session: &Session) -> Occupations {
        Occupations::Search(OccupationSearch::new(
            crate::app::layout::table_rows(session.size.0, session.size.1),
            may_record(session),
        ))
    }

    fn generation_mut(&mut self) -> &mut u64 {
        match self {
            Occupations::Search(s) => &mut s.generation,
            Occupations::Card(c) => &mut c.generation,
        }
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        *self.generation_mut() = generation;
        let queries = match self {
            Occupations::Search(s) => s.first_queries(),
            Occupations::Card(c) => c.first_queries(),
        };
        queries
            .into_iter()
            .map(|q| request(generation, q))
            .collect()
    }

    pub fn title(&self) -> String {
        match self {
            Occupations::Search(_) => "Ricerca occupazioni".into(),
            Occupations::Card(c) => match &c.stored {
                Some(s) => format!("Occupazione {}", s.record.code),
                None => "Nuova occupazione".into(),
            },
        }
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        match self {
            Occupations::Search(s) => s.instruction(keys),
            Occupations::Card(c) => c.instruction(keys),
        }
    }

    pub fn actions(&self) -> Vec<Action> {
        match self {
            Occupations::Search(s) => s.actions(),
            Occupations::Card(c) => c.actions(),
        }
    }

    pub fn in_text(&self) -> bool {
        match self {
            Occupations::Search(s) => s.in_text(),
            Occupations::Card(c) => c.in_text(),
        }
    }

    pub fn consumes_back(&self) -> bool {
        match self {
            Occupations::Search(s) => s.consumes_back(),
            Occupations::Card(c) => c.consumes_back(),
        }
    }

    pub fn on_action(
        &mut self,
        action: Action,
        session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        let (queries, mut outcome) = match self {
            Occupations::Search(s) => s.on_action(action, session),
            Occupations::Card(c) => c.on_action(action, session),
        };
        if !queries.is_empty() {
            *self.generation_mut() = generation;
            outcome
                .requests
                .extend(queries.into_iter().map(|q| request(generation, q)));
        }
        outcome
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self {
            Occupations::Search(s) => s.focused_text_mut(),
            Occupations::Card(c) => c.focused_text_mut(),
        }
    }

    pub fn edited(&mut self) -> ScreenOutcome {
        match self {
            Occupations::Search(s) => s.edited(),
            Occupations::Card(c) => c.edited(),
        }
    }

    pub fn on_debounce(&mut self, generation: u64) -> ScreenOutcome {
        match self {
            Occupations::Search(s) if s.debounce_pending => {
                *self.generation_mut() = generation;
                let Occupations::Search(s) = self else {
                    unreachable!()
                };
                ScreenOutcome::requests(vec![request(generation, s.restart())])
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_resize(&mut self, width: u16, height: u16, generation: u64) -> Vec<Request> {
        if let Occupations::Search(s) = self
            && let Some(q) = s.resize(crate::app::layout::table_rows(width, height))
        {
            *self.generation_mut() = generation;
            return vec![request(generation, q)];
        }
        Vec::new()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        let mine = *self.generation_mut();
        match data {
            DataMsg::Occupations { generation, data } if generation == mine => match self {
                Occupations::Search(s) => s.on_data(*data),
                Occupations::Card(c) => c.on_data(*data),
            },
            DataMsg::Failed {
                generation,
                message,
            } if generation == mine => {
                if let Occupations::Search(s) = self {
                    s.loading = false;
                }
                if let Occupations::Card(c) = self {
                    c.waiting = false;
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

/// Whether the operator may record occupations for some owner (Nuova occupazione).
pub fn may_record(session: &Session) -> bool {
    !session.read_only
        && session
            .scope
            .grants
            .iter()
            .any(|(_, s)| *s == crate::domain::access::Service::Occupations)
}

fn push(screen: Occupations) -> ScreenOutcome {
    ScreenOutcome::push(Screen::Occupations(Box::new(screen)))
}
