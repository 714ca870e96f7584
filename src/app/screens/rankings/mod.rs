//! Graduatorie: the notices an operator may read, the rankings of a notice (one per owner per
//! comune), a ranking paged by position with a jump to an ID domanda, the explanation of an
//! application's score, and the what-if comparison with another stored rule set. The worker
//! answers the queries with the service's reads; nothing here writes. One file per sub-screen; this one
//! holds what they share: the queries and answers, the geometry and the dispatch.

mod explanation;
mod manage;
mod notice;
mod notices;
mod ranking;
mod what_if;

pub use explanation::ExplainView;
pub use manage::{Act, Outcome, is_notice_action};
pub use notice::{Dialog, FIND_LIMIT, NoticeRankings};
pub use notices::NoticeList;
pub use ranking::RankingView;
pub use what_if::WhatIf;

use super::{DataMsg, Request, Screen, ScreenOutcome, form};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::store::notices::Notice;
use crate::store::rankings::{Comparison, EntryRow, Explanation, Placement, RankingInfo};
use crate::store::rule_sets::Stored;

// ---------------------------------------------------------------------------------------------
/// What a Graduatorie screen asks the store worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Notices,
    Rankings {
        notice_id: i64,
    },
    /// A window of a ranking by position: after `after` (forward) or before `before`;
    /// `select` is the position to put the cursor on.
    Page {
        ranking_id: i64,
        after: Option<i64>,
        before: Option<i64>,
        limit: usize,
        select: Option<i64>,
    },
    /// The window holding an ID domanda.
    Jump {
        ranking_id: i64,
        code: String,
        limit: usize,
    },
    Explain {
        notice_id: i64,
        code: String,
    },
    /// The stored rule sets with ranking parameters (for what-if).
    RuleSets {
        notice_id: i64,
    },
    WhatIf {
        notice_id: i64,
        rule_set_id: i64,
    },
    /// Where an ID domanda (or part of it) stands in every readable ranking of a notice.
    Find {
        notice_id: i64,
        part: String,
    },
}

/// The worker's answers.
#[derive(Debug, Clone)]
pub enum Data {
    /// Readable notices with their state today; whether the operator may create one; what
    /// a creation came to.
    Notices {
        notices: Vec<(Notice, &'static str)>,
        may_create: bool,
        outcome: Option<Outcome>,
    },
    Rankings {
        notice: Box<Notice>,
        /// The notice's state today.
        state: &'static str,
        rankings: Vec<RankingInfo>,
        unverified: Option<String>,
        /// The operator may manage the notice (its district's capofila).
        manage: bool,
        /// What a change just done came to.
        outcome: Option<Outcome>,
        /// The categories of the notice's rule set: code and name.
        conditions: Vec<(String, String)>,
    },
    /// The placements of the applications found, with their rankings.
    Found(Vec<(RankingInfo, Placement)>),
    Page {
        rows: Vec<EntryRow>,
        select: Option<i64>,
        /// Rows in the whole ranking (it may have changed since it was listed).
        entries: i64,
    },
    /// A jump found nothing: the reason.
    NotFound(String),
    Explanation(Box<Explanation>),
    RuleSets(Vec<Stored>),
    WhatIf {
        label: String,
        unverified: Option<String>,
        comparisons: Vec<Comparison>,
    },
}

/// The instruction line of a dialog.
fn form_instruction(keys: &Keymap) -> String {
    format!(
        "{} passa al campo successivo, {} conferma, {} annulla",
        keys.key(Action::NextField),
        keys.key(Action::Select),
        keys.plain(Action::Back)
    )
}

fn act(generation: u64, act: Act) -> ScreenOutcome {
    ScreenOutcome::requests(vec![Request::RankingsAct { generation, act }])
}

// ---------------------------------------------------------------------------------------------
/// Fixed lines of the ranking view around its rows: title, unverified values, jump field,
/// header, status.
pub const RANKING_FIXED_LINES: u16 = 5;

/// Rows of a ranking shown at once (the page size).
pub fn ranking_rows(width: u16, height: u16) -> usize {
    let body = height.saturating_sub(crate::app::layout::chrome_lines(width, height));
    body.saturating_sub(RANKING_FIXED_LINES).max(1) as usize
}

// ---------------------------------------------------------------------------------------------
/// The screens of the Graduatorie area.
#[derive(Debug)]
pub enum Rankings {
    Notices(NoticeList),
    Notice(NoticeRankings),
    Ranking(RankingView),
    Explain(ExplainView),
    WhatIf(WhatIf),
}

/// What a sub-screen's action leads to: nothing, a query, or an outcome of its own.
type Step = Option<Result<Query, ScreenOutcome>>;

fn request(generation: u64, query: Query) -> Request {
    Request::Rankings { generation, query }
}

fn push(r: Rankings) -> ScreenOutcome {
    ScreenOutcome::push(Screen::Rankings(Box::new(r)))
}

impl Rankings {
    pub fn notices() -> Rankings {
        Rankings::Notices(NoticeList::default())
    }

    fn generation_mut(&mut self) -> &mut u64 {
        match self {
            Rankings::Notices(s) => &mut s.generation,
            Rankings::Notice(s) => &mut s.generation,
            Rankings::Ranking(s) => &mut s.generation,
            Rankings::Explain(s) => &mut s.generation,
            Rankings::WhatIf(s) => &mut s.generation,
        }
    }

    /// The first request of the screen (also what Refresh asks).
    fn load(&self) -> Query {
        match self {
            Rankings::Notices(_) => Query::Notices,
            Rankings::Notice(s) => Query::Rankings {
                notice_id: s.notice_id,
            },
            Rankings::Ranking(s) if s.open_at.is_some() => Query::Jump {
                ranking_id: s.info.id,
                code: s.open_at.clone().unwrap_or_default(),
                limit: s.limit,
            },
            Rankings::Ranking(s) => Query::Page {
                ranking_id: s.info.id,
                after: s.rows.first().map(|r| r.position - 1),
                before: None,
                limit: s.limit,
                select: s.rows.get(s.selected).map(|r| r.position),
            },
            Rankings::Explain(s) => Query::Explain {
                notice_id: s.notice_id,
                code: s.code.clone(),
            },
            Rankings::WhatIf(s) => match (&s.chosen, &s.result) {
                (Some(id), Some(_)) => Query::WhatIf {
                    notice_id: s.notice.id,
                    rule_set_id: *id,
                },
                _ => Query::RuleSets {
                    notice_id: s.notice.id,
                },
            },
        }
    }

    fn ask(&mut self, generation: u64, query: Query) -> ScreenOutcome {
        *self.generation_mut() = generation;
        ScreenOutcome::requests(vec![request(generation, query)])
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        let q = self.load();
        self.ask(generation, q).requests
    }

    pub fn title(&self) -> String {
        match self {
            Rankings::Notices(_) => "Avvisi e graduatorie".into(),
            Rankings::Notice(s) => format!("Avviso {}", s.notice_id),
            Rankings::Ranking(s) => format!("Graduatoria {}", s.info.comune),
            Rankings::Explain(s) => format!("Domanda {}", s.code),
            Rankings::WhatIf(_) => "Simulazione regole".into(),
        }
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        let updown = keys.pair(Action::Up, Action::Down);
        let pages = format!("{} {}", k(Action::PageUp), k(Action::PageDown));
        match self {
            Rankings::Notices(s) if s.form.is_some() => form_instruction(keys),
            Rankings::Notices(_) => format!(
                "Avvisi dell'ambito: {updown} sceglie, {} apre le graduatorie",
                k(Action::Select)
            ),
            Rankings::Notice(s) if s.form.is_some() => form_instruction(keys),
            Rankings::Notice(s) if s.confirm.is_some() => format!(
                "Per confermare premere di nuovo {}; un altro tasto annulla",
                s.confirm.map_or_else(String::new, &k)
            ),
            Rankings::Notice(s) if s.found.is_some() => format!(
                "Domande trovate: {updown} sceglie, {} apre la graduatoria sulla domanda, {} torna",
                k(Action::Select),
                keys.plain(Action::Back)
            ),
            Rankings::Notice(s) if !s.problems.is_empty() => format!(
                "File rifiutato, nessuna domanda importata: {updown} scorre i problemi, {} li chiude",
                keys.plain(Action::Back)
            ),
            Rankings::Notice(s) if s.manage => format!(
                "{} apre, {} cerca un ID domanda; i tasti in basso gestiscono l'avviso",
                k(Action::Select),
                keys.either(Action::Filter, false)
            ),
            Rankings::Notice(_) => format!(
                "Graduatorie per ente e comune: {} apre, {} confronta con altre regole",
                k(Action::Select),
                k(Action::WhatIf)
            ),
            Rankings::Ranking(s) if s.jump_focus => format!(
                "Scrivere l'ID domanda: {} va alla sua posizione, {} torna alla tabella",
                k(Action::Select),
                keys.plain(Action::Back)
            ),
            Rankings::Ranking(_) => format!(
                "{updown} {pages} scorrono; {} cerca un ID domanda; {} spiega il punteggio",
                keys.either(Action::Filter, false),
                k(Action::Select)
            ),
            Rankings::Explain(_) => {
                format!("Spiegazione del punteggio: {updown} {pages} scorrono")
            }
            Rankings::WhatIf(s) if s.list_open => format!(
                "Scegliere l'insieme di regole da confrontare: {updown} e {}; nulla viene modificato",
                k(Action::Select)
            ),
            Rankings::WhatIf(s) if s.moved() > 0 => format!(
                "Chi si sposta (nulla viene modificato): {} apre la domanda, {} cambia regole",
                k(Action::Select),
                k(Action::ListOfValues)
            ),
            Rankings::WhatIf(_) => format!(
                "Chi si sposta con le altre regole (nulla viene modificato); {} cambia regole",
                k(Action::ListOfValues)
            ),
        }
    }

    pub fn actions(&self) -> Vec<Action> {
        match self {
            Rankings::Notices(s) if s.form.is_some() => form::Form::actions(),
            Rankings::Notices(s) => {
                let mut v = vec![Action::Up, Action::Down, Action::Select];
                if s.may_create {
                    v.push(Action::NoticeNew);
                }
                v.push(Action::Refresh);
                v
            }
            Rankings::Notice(s) => s.actions(),
            Rankings::Ranking(s) if s.jump_focus => vec![Action::Select, Action::Back],
            Rankings::Ranking(_) => vec![
                Action::Up,
                Action::Down,
                Action::PageUp,
                Action::PageDown,
                Action::First,
                Action::Last,
                Action::Select,
                Action::Filter,
                Action::Refresh,
            ],
            Rankings::Explain(_) => vec![
                Action::Up,
                Action::Down,
                Action::PageUp,
                Action::PageDown,
                Action::First,
                Action::Refresh,
            ],
            Rankings::WhatIf(s) if s.list_open => {
                vec![Action::Up, Action::Down, Action::Select, Action::Back]
            }
            Rankings::WhatIf(s) => {
                let mut v = vec![
                    Action::ListOfValues,
                    Action::Up,
                    Action::Down,
                    Action::PageUp,
                    Action::PageDown,
                    Action::First,
                ];
                if s.moved() > 0 {
                    v.insert(1, Action::Select);
                }
                v
            }
        }
    }

    pub fn in_text(&self) -> bool {
        match self {
            Rankings::Ranking(s) => s.jump_focus,
            Rankings::Notices(s) => s.form.is_some(),
            Rankings::Notice(s) => s.form.is_some(),
            _ => false,
        }
    }

    pub fn consumes_back(&self) -> bool {
        match self {
            Rankings::Ranking(s) => s.jump_focus,
            Rankings::Notices(s) => s.form.is_some(),
            Rankings::Notice(s) => s.consumes_back(),
            Rankings::WhatIf(s) => s.list_open && s.result.is_some(),
            _ => false,
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
        let size = session.size;
        let query = match self {
            Rankings::Notices(s) => return s.on_action(action, generation),
            Rankings::Notice(s) => return s.on_action(action, size, generation),
            Rankings::Ranking(s) => s.on_action(action),
            Rankings::Explain(s) => {
                s.on_action(action);
                None
            }
            Rankings::WhatIf(s) => s.on_action(action),
        };
        match query {
            Some(Ok(q)) => self.ask(generation, q),
            Some(Err(outcome)) => outcome,
            None => ScreenOutcome::none(),
        }
    }

    /// The jump field, while it has the focus.
    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self {
            Rankings::Ranking(s) if s.jump_focus => Some(&mut s.jump),
            Rankings::Notices(s) => s.form.as_mut().map(|f| f.focused_mut()),
            Rankings::Notice(s) => s.form.as_mut().map(|(_, f)| f.focused_mut()),
            _ => None,
        }
    }

    /// The page size follows the terminal: the ranking refetches its window.
    pub fn on_resize(&mut self, width: u16, height: u16, generation: u64) -> Vec<Request> {
        if let Rankings::Ranking(s) = self {
            let limit = ranking_rows(width, height);
            if limit != s.limit {
                s.limit = limit;
                let q = self.load();
                return self.ask(generation, q).requests;
            }
        }
        Vec::new()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        let mine = *self.generation_mut();
        match data {
            DataMsg::Rankings { generation, data } if generation == mine => match self {
                Rankings::Notices(s) => s.on_data(*data),
                Rankings::Notice(s) => s.on_data(*data),
                Rankings::Ranking(s) => s.on_data(*data),
                Rankings::Explain(s) => s.on_data(*data),
                Rankings::WhatIf(s) => s.on_data(*data),
            },
            DataMsg::Failed {
                generation,
                message,
            } if generation == mine => {
                if let Rankings::WhatIf(s) = self {
                    s.waiting = false;
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
