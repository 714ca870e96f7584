//! Assegnazione › Alloggi da assegnare: the quota ledgers the operator reads (one per owner
//! and comune), a ledger with its line on top and the units still to assign, the proposal of a
//! unit explained before it is made, the istruttoria of a unit (offer, answer, document
//! checks, act, lease) with every step explained, and the what-if replay of the year. The
//! worker turns each query into a service call; the service decides who may do what.

mod case;
mod ledger;
mod ledgers;
mod preview;
mod what_if;

pub use case::{CaseScreen, Dialog, StepKind};
pub use ledger::LedgerScreen;
pub use ledgers::LedgerList;
pub use preview::PreviewScreen;
pub use what_if::WhatIfScreen;

use super::{DataMsg, Request, Screen, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::store::assignments::{
    AssignmentRow, AvailableUnit, DocumentCheck, LedgerKey, LedgerView, Proposed, StepRequest,
    WhatIf,
};
use crate::store::rule_sets::Stored;
use chrono::NaiveDate;
use std::path::PathBuf;

/// What an Assegnazione screen asks the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Ledgers {
        year: i32,
    },
    /// A ledger and `limit` of its units after availability `after`.
    Ledger {
        key: LedgerKey,
        after: Option<i64>,
        limit: usize,
    },
    /// What a proposal would be (nothing written).
    Preview {
        unit_id: i64,
    },
    /// Make the proposal.
    Propose {
        unit_id: i64,
    },
    Case {
        id: i64,
    },
    Step(StepRequest),
    Check {
        id: i64,
        version: i64,
        check: DocumentCheck,
    },
    /// The stored rule sets a replay may use.
    RuleSets,
    WhatIf {
        key: LedgerKey,
        rule_set_id: Option<i64>,
        h: Option<u64>,
    },
    Export {
        year: i32,
        path: PathBuf,
    },
}

/// The worker's answers.
#[derive(Debug, Clone)]
pub enum Data {
    Ledgers(Vec<LedgerView>),
    Ledger {
        view: Box<LedgerView>,
        units: Vec<AvailableUnit>,
        after: Option<i64>,
        may_assign: bool,
    },
    Preview {
        proposed: Box<Proposed>,
        may_assign: bool,
    },
    /// A proposal was written: its assignment (`None`: nobody could be proposed).
    Proposed(Box<Proposed>),
    Case {
        row: Box<AssignmentRow>,
        /// The default deadline of an offer made today.
        answer_by: NaiveDate,
        may_assign: bool,
        /// What the step just done said.
        message: Option<Message>,
    },
    RuleSets(Vec<Stored>),
    WhatIf(Box<WhatIf>),
    Exported {
        path: PathBuf,
        ledgers: usize,
        rows: usize,
    },
}

/// Fixed lines of the ledger screen around its units: headline, unverified line, the lines
/// table's header, a separator, the units' header, the status line (the lines themselves are
/// added per ledger).
pub const LEDGER_FIXED_LINES: u16 = 6;

/// Units of a ledger shown at once: what the body leaves after the ledger's lines.
pub fn unit_rows(width: u16, height: u16, ledger_lines: usize) -> usize {
    let body = height.saturating_sub(crate::app::layout::chrome_lines(width, height));
    (body.saturating_sub(LEDGER_FIXED_LINES) as usize)
        .saturating_sub(ledger_lines)
        .max(3)
}

/// The screens of the Assegnazione area.
#[derive(Debug)]
pub enum Assignments {
    Ledgers(LedgerList),
    Ledger(Box<LedgerScreen>),
    Preview(PreviewScreen),
    Case(CaseScreen),
    WhatIf(WhatIfScreen),
}

/// What a sub-screen's action leads to: nothing, a query, or an outcome of its own.
type Next = Option<Result<Query, ScreenOutcome>>;

fn push(a: Assignments) -> ScreenOutcome {
    ScreenOutcome::push(Screen::Assignments(Box::new(a)))
}

/// "2026-03-02" → "02/03/2026"; anything else as it is.
pub fn it_date(s: &str) -> String {
    s.get(..10)
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or_else(|| s.to_string(), |d| d.format("%d/%m/%Y").to_string())
}

impl Assignments {
    pub fn ledgers(year: i32) -> Assignments {
        Assignments::Ledgers(LedgerList::new(year))
    }

    fn generation_mut(&mut self) -> &mut u64 {
        match self {
            Assignments::Ledgers(s) => &mut s.generation,
            Assignments::Ledger(s) => &mut s.generation,
            Assignments::Preview(s) => &mut s.generation,
            Assignments::Case(s) => &mut s.generation,
            Assignments::WhatIf(s) => &mut s.generation,
        }
    }

    /// The first request of the screen (also what Refresh asks).
    fn load(&self) -> Query {
        match self {
            Assignments::Ledgers(s) => Query::Ledgers { year: s.year },
            Assignments::Ledger(s) => s.reload(),
            Assignments::Preview(s) => Query::Preview { unit_id: s.unit_id },
            Assignments::Case(s) => Query::Case { id: s.id },
            Assignments::WhatIf(_) => Query::RuleSets,
        }
    }

    fn ask(&mut self, generation: u64, query: Query) -> ScreenOutcome {
        *self.generation_mut() = generation;
        ScreenOutcome::requests(vec![Request::Assignments { generation, query }])
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        let q = self.load();
        self.ask(generation, q).requests
    }

    pub fn title(&self) -> String {
        match self {
            Assignments::Ledgers(s) => format!("Alloggi da assegnare {}", s.year),
            Assignments::Ledger(s) => format!("{} · {}", s.owner_name(), s.comune()),
            Assignments::Preview(s) => format!("Proposta unità {}", s.unit_id),
            Assignments::Case(s) => format!("Istruttoria {}", s.id),
            Assignments::WhatIf(_) => "Simulazione quote".into(),
        }
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        let updown = keys.pair(Action::Up, Action::Down);
        match self {
            Assignments::Ledgers(_) => format!(
                "Registri delle quote per ente e comune: {updown} sceglie, {} apre le unità da assegnare",
                k(Action::Select)
            ),
            Assignments::Ledger(_) => format!(
                "Unità da assegnare: {} spiega la proposta o apre l'istruttoria; {} simula altre quote",
                k(Action::Select),
                k(Action::WhatIf)
            ),
            Assignments::Preview(s) if s.may_assign => format!(
                "Proposta spiegata, nulla è ancora salvato: {} la registra, {} torna indietro",
                k(Action::AssignmentPropose),
                keys.plain(Action::Back)
            ),
            Assignments::Preview(_) => "Proposta spiegata (sola consultazione)".into(),
            Assignments::Case(s) if s.dialog.is_some() => format!(
                "{} conferma il passo, {} annulla; nulla cambia prima della conferma",
                k(Action::Select),
                keys.plain(Action::Back)
            ),
            Assignments::Case(s) if s.may_assign => format!(
                "Istruttoria: {updown} sceglie il passo, {} lo apre",
                k(Action::Select)
            ),
            Assignments::Case(_) => "Istruttoria (sola consultazione)".into(),
            Assignments::WhatIf(s) if s.list_open => format!(
                "Scegliere l'insieme di regole: {updown} e {}; nulla viene modificato",
                k(Action::Select)
            ),
            Assignments::WhatIf(_) => format!(
                "Soglia eccedente per indigenti (lett. h): {} ricalcola; {} altre regole; nulla viene salvato",
                k(Action::Select),
                k(Action::ListOfValues)
            ),
        }
    }

    pub fn actions(&self) -> Vec<Action> {
        use Action::*;
        match self {
            Assignments::Ledgers(_) => vec![Up, Down, PageUp, PageDown, Select, Export, Refresh],
            Assignments::Ledger(s) => {
                let mut v = vec![Up, Down, PageUp, PageDown, First, Select];
                if s.view.is_some() {
                    v.push(WhatIf);
                }
                v.push(Refresh);
                v
            }
            Assignments::Preview(s) => {
                let mut v = vec![Up, Down];
                if s.may_assign
                    && s.proposed
                        .as_ref()
                        .is_some_and(|p| p.decision.proposal().is_some())
                {
                    v.push(AssignmentPropose);
                }
                v.push(Refresh);
                v
            }
            Assignments::Case(s) if s.dialog.is_some() => vec![NextField, PrevField, Select, Back],
            Assignments::Case(s) => {
                let mut v = vec![Up, Down];
                if s.may_assign && !s.steps().is_empty() {
                    v.push(Select);
                }
                v.push(Refresh);
                v
            }
            Assignments::WhatIf(s) if s.list_open => vec![Up, Down, Select, Back],
            Assignments::WhatIf(_) => vec![Select, ListOfValues, Up, Down, PageUp, PageDown],
        }
    }

    pub fn in_text(&self) -> bool {
        match self {
            Assignments::Case(s) => s.dialog.as_ref().is_some_and(|d| !d.fields.is_empty()),
            Assignments::WhatIf(s) => !s.list_open,
            _ => false,
        }
    }

    pub fn consumes_back(&self) -> bool {
        match self {
            Assignments::Case(s) => s.dialog.is_some(),
            Assignments::WhatIf(s) => s.list_open,
            _ => false,
        }
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self {
            Assignments::Case(s) => s.dialog.as_mut().and_then(Dialog::focused_mut),
            Assignments::WhatIf(s) if !s.list_open => Some(&mut s.h),
            _ => None,
        }
    }

    pub fn on_action(
        &mut self,
        action: Action,
        session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        if action == Action::Refresh {
            let q = self.load();
            return self.ask(generation, q);
        }
        let next = match self {
            Assignments::Ledgers(s) => s.on_action(action, session),
            Assignments::Ledger(s) => s.on_action(action),
            Assignments::Preview(s) => s.on_action(action),
            Assignments::Case(s) => s.on_action(action),
            Assignments::WhatIf(s) => s.on_action(action),
        };
        match next {
            Some(Ok(q)) => self.ask(generation, q),
            Some(Err(outcome)) => outcome,
            None => ScreenOutcome::none(),
        }
    }

    /// The page size follows the terminal: the ledger refetches its units.
    pub fn on_resize(&mut self, width: u16, height: u16, generation: u64) -> Vec<Request> {
        if let Assignments::Ledger(s) = self
            && s.resize(width, height)
        {
            let q = self.load();
            return self.ask(generation, q).requests;
        }
        Vec::new()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        let mine = *self.generation_mut();
        match data {
            DataMsg::Assignments { generation, data } if generation == mine => {
                // A proposal written in the preview: the preview becomes the istruttoria.
                if let (Assignments::Preview(p), Data::Proposed(proposed)) = (&*self, &*data) {
                    let unit = p.unit_id;
                    return match proposed.assignment_id {
                        Some(id) => {
                            // Refresh loads the new screen with a fresh generation.
                            *self = Assignments::Case(CaseScreen::new(id));
                            ScreenOutcome {
                                message: Some(Message::Info(format!(
                                    "Proposta registrata per l'unità {unit}: istruttoria {id}"
                                ))),
                                refresh: true,
                                ..ScreenOutcome::default()
                            }
                        }
                        None => ScreenOutcome::message(Message::Warning(format!(
                            "Nessuna domanda da proporre per l'unità {unit}"
                        ))),
                    };
                }
                match self {
                    Assignments::Ledgers(s) => s.on_data(*data),
                    Assignments::Ledger(s) => s.on_data(*data),
                    Assignments::Preview(s) => s.on_data(*data),
                    Assignments::Case(s) => s.on_data(*data),
                    Assignments::WhatIf(s) => s.on_data(*data),
                }
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == mine => {
                match self {
                    Assignments::WhatIf(s) => s.waiting = false,
                    Assignments::Case(s) => s.waiting = false,
                    _ => {}
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

/// Moving a selection in a list of `n`.
fn step(selected: &mut usize, n: usize, action: Action, page: usize) {
    let last = n.saturating_sub(1);
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(last),
        Action::PageUp => *selected = selected.saturating_sub(page),
        Action::PageDown => *selected = (*selected + page).min(last),
        Action::First => *selected = 0,
        Action::Last => *selected = last,
        _ => {}
    }
}
