//! Graduatorie: the notices an operator may read, the rankings of a notice (one per owner per
//! comune), a ranking paged by position with a jump to an ID domanda, the explanation of an
//! application's score, and the what-if comparison with another stored rule set. Everything is
//! read by the store worker (`answer`); nothing here writes.

use super::{DataMsg, Request, Screen, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::domain::access::{Denied, OperatorScope, OperatorStatus, Role, Service};
use crate::store::notices::{self, Notice};
use crate::store::rankings::{self, Comparison, EntryRow, Explanation, RankingInfo};
use crate::store::rule_sets::{self, Stored};
use chrono::NaiveDate;
use rusqlite::Connection;

// ---------------------------------------------------------------------------------------------
// Who may read what

/// Whether the operator may open the Graduatorie area at all: the Regione, the helpdesk, a
/// capofila, or an operator with the AVVISI service on some owner.
pub fn may_read_rankings(scope: &OperatorScope) -> bool {
    scope.may_read_rankings()
}

/// Whether the operator reads every ranking of a notice of `district_id`: the Regione, the
/// helpdesk and the capofila of that district.
pub fn reads_whole_notice(scope: &OperatorScope, district_id: i64) -> bool {
    scope.reads_whole_notice(district_id)
}

/// Whether the operator may read the ranking of `owner_id` in a notice of `district_id`: as
/// above, or with the AVVISI service on that owner.
pub fn may_read_ranking(scope: &OperatorScope, district_id: i64, owner_id: i64) -> bool {
    scope.may_read_ranking(district_id, owner_id)
}

fn denied(scope: &OperatorScope, what: &str) -> anyhow::Error {
    Denied(format!(
        "l'operatore {} non può consultare {what}",
        scope.username
    ))
    .into()
}

// ---------------------------------------------------------------------------------------------
// Requests to the store worker and its answers

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
}

/// The worker's answers.
#[derive(Debug, Clone)]
pub enum Data {
    /// Readable notices with their state today.
    Notices(Vec<(Notice, &'static str)>),
    Rankings {
        notice: Box<Notice>,
        rankings: Vec<RankingInfo>,
        unverified: Option<String>,
    },
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

fn notice_readable(conn: &Connection, scope: &OperatorScope, n: &Notice) -> anyhow::Result<bool> {
    if reads_whole_notice(scope, n.district_id) {
        return Ok(true);
    }
    if !may_read_rankings(scope) {
        return Ok(false);
    }
    Ok(rankings::list(conn, n.id)?
        .iter()
        .any(|r| may_read_ranking(scope, n.district_id, r.owner_id)))
}

fn readable_notice(conn: &Connection, scope: &OperatorScope, id: i64) -> anyhow::Result<Notice> {
    let n = notices::get(conn, id)?;
    if notice_readable(conn, scope, &n)? {
        Ok(n)
    } else {
        Err(denied(scope, &format!("le graduatorie dell'avviso {id}")))
    }
}

/// Answers a query for `scope` (the store worker calls this on its connection).
pub fn answer(
    conn: &Connection,
    scope: &OperatorScope,
    query: Query,
    today: NaiveDate,
) -> anyhow::Result<Data> {
    if !may_read_rankings(scope) {
        return Err(denied(scope, "le graduatorie"));
    }
    match query {
        Query::Notices => {
            let district = if scope.sees_everything() {
                None
            } else if scope.role == Role::LeadMunicipality
                && scope.grants.iter().all(|(_, s)| *s != Service::Notices)
            {
                scope.district_id
            } else {
                None
            };
            let mut out = Vec::new();
            for n in notices::list(conn, district)? {
                if notice_readable(conn, scope, &n)? {
                    let state = n.effective_state(today);
                    out.push((n, state));
                }
            }
            Ok(Data::Notices(out))
        }
        Query::Rankings { notice_id } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let rankings = rankings::list(conn, notice_id)?
                .into_iter()
                .filter(|r| may_read_ranking(scope, notice.district_id, r.owner_id))
                .collect();
            let (_, set) = rule_sets::load_parsed(conn, notice.rule_set_id)?;
            Ok(Data::Rankings {
                notice: Box::new(notice),
                rankings,
                unverified: rankings::unverified_line(&set),
            })
        }
        Query::Page {
            ranking_id,
            after,
            before,
            limit,
            select,
        } => {
            let info = readable_ranking(conn, scope, ranking_id)?;
            let limit = limit.max(1);
            let mut rows = rankings::page(conn, ranking_id, after, before, limit)?;
            // Near the start a backward page is short: show a full window from the top.
            if before.is_some() && rows.len() < limit {
                rows = rankings::page(conn, ranking_id, None, None, limit)?;
            }
            Ok(Data::Page {
                rows,
                select,
                entries: info.entries,
            })
        }
        Query::Jump {
            ranking_id,
            code,
            limit,
        } => {
            let info = readable_ranking(conn, scope, ranking_id)?;
            let code = code.trim().to_string();
            if code.is_empty() {
                return Ok(Data::NotFound("Scrivere un ID domanda".into()));
            }
            match rankings::position_of(conn, ranking_id, info.notice_id, &code)? {
                Some(p) => {
                    let limit = limit.max(1) as i64;
                    // The window ends at the last row when the position is near the end.
                    let start = (p - 1).min((info.entries - limit).max(0));
                    let rows = rankings::page(conn, ranking_id, Some(start), None, limit as usize)?;
                    Ok(Data::Page {
                        rows,
                        select: Some(p),
                        entries: info.entries,
                    })
                }
                None => Ok(Data::NotFound(format!(
                    "La domanda {code} non è in questa graduatoria"
                ))),
            }
        }
        Query::Explain { notice_id, code } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let mut e = rankings::explain(conn, notice_id, &code)?;
            if !reads_whole_notice(scope, notice.district_id) {
                e.positions
                    .retain(|(r, _)| may_read_ranking(scope, notice.district_id, r.owner_id));
                if e.positions.is_empty() {
                    return Err(denied(
                        scope,
                        &format!("la domanda {code}: non è in una graduatoria dei suoi enti"),
                    ));
                }
            }
            Ok(Data::Explanation(Box::new(e)))
        }
        Query::RuleSets { notice_id } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let mut out = Vec::new();
            for s in rule_sets::list(conn)? {
                if s.id == notice.rule_set_id {
                    continue;
                }
                // Only those that carry the ranking parameters can be compared.
                if let Ok((_, set)) = rule_sets::load_parsed(conn, s.id)
                    && set.ranking().is_ok()
                {
                    out.push(s);
                }
            }
            Ok(Data::RuleSets(out))
        }
        Query::WhatIf {
            notice_id,
            rule_set_id,
        } => {
            let notice = readable_notice(conn, scope, notice_id)?;
            let other = rule_sets::load_parsed(conn, rule_set_id)?;
            let unverified = rankings::unverified_line(&other.1);
            let (label, mut comparisons) = rankings::compare(conn, notice_id, other)?;
            comparisons.retain(|c| may_read_ranking(scope, notice.district_id, c.owner_id));
            Ok(Data::WhatIf {
                label,
                unverified,
                comparisons,
            })
        }
    }
}

fn readable_ranking(
    conn: &Connection,
    scope: &OperatorScope,
    ranking_id: i64,
) -> anyhow::Result<RankingInfo> {
    let info = rankings::info(conn, ranking_id)?;
    // Paging calls this on every window: the notice is read only when the district decides.
    let fast = scope.status == OperatorStatus::Active
        && (scope.sees_everything() || scope.has_grant(info.owner_id, Service::Notices));
    if fast
        || may_read_ranking(
            scope,
            notices::get(conn, info.notice_id)?.district_id,
            info.owner_id,
        )
    {
        Ok(info)
    } else {
        Err(denied(scope, &format!("la graduatoria {ranking_id}")))
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry

/// Fixed lines of the ranking view around its rows: title, unverified values, jump field,
/// header, status.
pub const RANKING_FIXED_LINES: u16 = 5;

/// Rows of a ranking shown at once (the page size).
pub fn ranking_rows(width: u16, height: u16) -> usize {
    let body = height.saturating_sub(crate::app::layout::chrome_lines(width, height));
    body.saturating_sub(RANKING_FIXED_LINES).max(1) as usize
}

// ---------------------------------------------------------------------------------------------
// Screens

/// The screens of the Graduatorie area.
#[derive(Debug)]
pub enum Rankings {
    Notices(NoticeList),
    Notice(NoticeRankings),
    Ranking(RankingView),
    Explain(ExplainView),
    WhatIf(WhatIf),
}

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
            Rankings::Notices(_) => format!(
                "Avvisi dell'ambito: {updown} sceglie, {} apre le graduatorie",
                k(Action::Select)
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
            Rankings::WhatIf(_) => format!(
                "Chi si sposta con le altre regole (nulla viene modificato); {} cambia regole",
                k(Action::ListOfValues)
            ),
        }
    }

    pub fn actions(&self) -> Vec<Action> {
        match self {
            Rankings::Notices(_) => vec![Action::Up, Action::Down, Action::Select, Action::Refresh],
            Rankings::Notice(s) => {
                let mut v = vec![Action::Up, Action::Down, Action::Select];
                if s.rankings.as_ref().is_some_and(|r| !r.is_empty()) {
                    v.push(Action::WhatIf);
                }
                v.push(Action::Refresh);
                v
            }
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
            Rankings::WhatIf(_) => vec![
                Action::ListOfValues,
                Action::Up,
                Action::Down,
                Action::PageUp,
                Action::PageDown,
                Action::First,
            ],
        }
    }

    pub fn in_text(&self) -> bool {
        matches!(self, Rankings::Ranking(s) if s.jump_focus)
    }

    pub fn consumes_back(&self) -> bool {
        match self {
            Rankings::Ranking(s) => s.jump_focus,
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
            Rankings::Notices(s) => return s.on_action(action),
            Rankings::Notice(s) => return s.on_action(action, size),
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

/// Avvisi e graduatorie: the notices the operator may read.
#[derive(Debug, Default)]
pub struct NoticeList {
    pub notices: Option<Vec<(Notice, &'static str)>>,
    pub selected: usize,
    generation: u64,
}

impl NoticeList {
    fn on_action(&mut self, action: Action) -> ScreenOutcome {
        let n = self.notices.as_ref().map_or(0, Vec::len);
        match action {
            Action::Select => match self.notices.as_ref().and_then(|v| v.get(self.selected)) {
                Some((notice, _)) => push(Rankings::Notice(NoticeRankings::new(notice.id))),
                None => ScreenOutcome::message(Message::Warning("Nessun avviso".into())),
            },
            a => {
                step(&mut self.selected, n, a, 10);
                ScreenOutcome::none()
            }
        }
    }

    fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Notices(v) = data {
            self.selected = self.selected.min(v.len().saturating_sub(1));
            self.notices = Some(v);
        }
        ScreenOutcome::none()
    }
}

/// The rankings of a notice, one per owner and comune.
#[derive(Debug)]
pub struct NoticeRankings {
    pub notice_id: i64,
    pub notice: Option<Box<Notice>>,
    pub rankings: Option<Vec<RankingInfo>>,
    pub unverified: Option<String>,
    pub selected: usize,
    generation: u64,
}

impl NoticeRankings {
    pub fn new(notice_id: i64) -> NoticeRankings {
        NoticeRankings {
            notice_id,
            notice: None,
            rankings: None,
            unverified: None,
            selected: 0,
            generation: 0,
        }
    }

    fn on_action(&mut self, action: Action, size: (u16, u16)) -> ScreenOutcome {
        let n = self.rankings.as_ref().map_or(0, Vec::len);
        let chosen = self
            .rankings
            .as_ref()
            .and_then(|v| v.get(self.selected))
            .cloned();
        match (action, &self.notice) {
            (Action::Select, Some(notice)) => match chosen {
                Some(info) => push(Rankings::Ranking(RankingView::new(
                    notice,
                    info,
                    self.unverified.clone(),
                    ranking_rows(size.0, size.1),
                ))),
                None => ScreenOutcome::message(Message::Warning(
                    "Nessuna graduatoria: il capofila la calcola dopo la chiusura dell'avviso"
                        .into(),
                )),
            },
            (Action::WhatIf, Some(notice)) => push(Rankings::WhatIf(WhatIf::new(notice))),
            (a, _) => {
                step(&mut self.selected, n, a, 10);
                ScreenOutcome::none()
            }
        }
    }

    fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Rankings {
            notice,
            rankings,
            unverified,
        } = data
        {
            self.selected = self.selected.min(rankings.len().saturating_sub(1));
            self.notice = Some(notice);
            self.rankings = Some(rankings);
            self.unverified = unverified;
        }
        ScreenOutcome::none()
    }
}

/// One ranking, a window of rows around the cursor read by position.
#[derive(Debug)]
pub struct RankingView {
    pub notice: Box<Notice>,
    pub info: RankingInfo,
    pub unverified: Option<String>,
    pub rows: Vec<EntryRow>,
    pub loaded: bool,
    /// Index into `rows`.
    pub selected: usize,
    /// Rows per window.
    pub limit: usize,
    pub jump: TextField,
    pub jump_focus: bool,
    generation: u64,
}

type Step = Option<Result<Query, ScreenOutcome>>;

impl RankingView {
    pub fn new(
        notice: &Notice,
        info: RankingInfo,
        unverified: Option<String>,
        limit: usize,
    ) -> RankingView {
        RankingView {
            notice: Box::new(notice.clone()),
            info,
            unverified,
            rows: Vec::new(),
            loaded: false,
            selected: 0,
            limit,
            jump: TextField::new(20),
            jump_focus: false,
            generation: 0,
        }
    }

    fn page(&self, after: Option<i64>, before: Option<i64>, select: i64) -> Step {
        Some(Ok(Query::Page {
            ranking_id: self.info.id,
            after,
            before,
            limit: self.limit,
            select: Some(select),
        }))
    }

    fn on_action(&mut self, action: Action) -> Step {
        if self.jump_focus {
            return match action {
                Action::Back => {
                    self.jump_focus = false;
                    None
                }
                Action::Select => Some(Ok(Query::Jump {
                    ranking_id: self.info.id,
                    code: self.jump.value().to_string(),
                    limit: self.limit,
                })),
                _ => None,
            };
        }
        let (Some(first), Some(last)) = (self.rows.first(), self.rows.last()) else {
            return None;
        };
        let (first, last) = (first.position, last.position);
        let entries = self.info.entries;
        let at = self.rows.get(self.selected).map_or(first, |r| r.position);
        match action {
            Action::Filter => {
                self.jump_focus = true;
                None
            }
            Action::Select => self.rows.get(self.selected).map(|r| {
                Err(push(Rankings::Explain(ExplainView::new(
                    self.notice.id,
                    &r.code,
                ))))
            }),
            Action::Down if at == last && last < entries => self.page(Some(last), None, last + 1),
            Action::Up if at == first && first > 1 => self.page(None, Some(first), first - 1),
            Action::PageDown if last < entries => self.page(Some(last), None, last + 1),
            Action::PageUp if first > 1 => {
                let to = (first - self.limit as i64).max(1);
                self.page(None, Some(first), to)
            }
            Action::First if first > 1 => self.page(None, None, 1),
            Action::Last if last < entries => self.page(None, Some(entries + 1), entries),
            a => {
                step(&mut self.selected, self.rows.len(), a, self.limit);
                None
            }
        }
    }

    fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::Page {
                rows,
                select,
                entries,
            } => {
                self.selected = select
                    .and_then(|p| rows.iter().position(|r| r.position == p))
                    .unwrap_or(0);
                self.rows = rows;
                self.info.entries = entries;
                self.loaded = true;
                if self.jump_focus {
                    // The jump went through: back to the table, on the row found.
                    self.jump_focus = false;
                    if let Some(r) = self.rows.get(self.selected) {
                        return ScreenOutcome::message(Message::Info(format!(
                            "Domanda {} in posizione {}",
                            r.code, r.position
                        )));
                    }
                }
                ScreenOutcome::none()
            }
            Data::NotFound(m) => ScreenOutcome::message(Message::Warning(m)),
            _ => ScreenOutcome::none(),
        }
    }
}

/// Spiegazione del punteggio of one application.
#[derive(Debug)]
pub struct ExplainView {
    pub notice_id: i64,
    pub code: String,
    pub explanation: Option<Box<Explanation>>,
    pub scroll: u16,
    generation: u64,
}

impl ExplainView {
    pub fn new(notice_id: i64, code: &str) -> ExplainView {
        ExplainView {
            notice_id,
            code: code.to_string(),
            explanation: None,
            scroll: 0,
            generation: 0,
        }
    }

    fn on_action(&mut self, action: Action) {
        match action {
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::First => self.scroll = 0,
            _ => {}
        }
    }

    fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Explanation(e) = data {
            self.explanation = Some(e);
        }
        ScreenOutcome::none()
    }
}

/// What-if: the notice's rankings under another stored rule set. Nothing is written.
#[derive(Debug)]
pub struct WhatIf {
    pub notice: Box<Notice>,
    /// The rule sets one may compare with (not the notice's own).
    pub sets: Option<Vec<Stored>>,
    pub list_open: bool,
    pub list_selected: usize,
    /// The rule set compared.
    pub chosen: Option<i64>,
    /// Label of the compared rule set, its unverified line, the comparisons.
    pub result: Option<(String, Option<String>, Vec<Comparison>)>,
    /// A comparison is being computed.
    pub waiting: bool,
    pub scroll: u16,
    generation: u64,
}

impl WhatIf {
    pub fn new(notice: &Notice) -> WhatIf {
        WhatIf {
            notice: Box::new(notice.clone()),
            sets: None,
            list_open: false,
            list_selected: 0,
            chosen: None,
            result: None,
            waiting: false,
            scroll: 0,
            generation: 0,
        }
    }

    fn on_action(&mut self, action: Action) -> Step {
        if self.list_open {
            let n = self.sets.as_ref().map_or(0, Vec::len);
            return match action {
                Action::Back => {
                    self.list_open = false;
                    None
                }
                Action::Select => {
                    let id = self.sets.as_ref()?.get(self.list_selected)?.id;
                    self.list_open = false;
                    self.chosen = Some(id);
                    self.waiting = true;
                    self.scroll = 0;
                    Some(Ok(Query::WhatIf {
                        notice_id: self.notice.id,
                        rule_set_id: id,
                    }))
                }
                a => {
                    step(&mut self.list_selected, n, a, 10);
                    None
                }
            };
        }
        match action {
            Action::ListOfValues if self.sets.as_ref().is_some_and(|s| !s.is_empty()) => {
                self.list_open = true;
            }
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::First => self.scroll = 0,
            _ => {}
        }
        None
    }

    fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::RuleSets(sets) => {
                let empty = sets.is_empty();
                self.list_open = !empty && self.result.is_none();
                self.list_selected = self.list_selected.min(sets.len().saturating_sub(1));
                self.sets = Some(sets);
                if empty {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessun altro insieme di regole con i parametri delle graduatorie".into(),
                    ));
                }
                ScreenOutcome::none()
            }
            Data::WhatIf {
                label,
                unverified,
                comparisons,
            } => {
                self.waiting = false;
                let moved: usize = comparisons.iter().map(|c| c.movements.len()).sum();
                let message = Message::Info(format!(
                    "Simulazione con {label}: {moved} spostamenti in {} graduatorie, nessuna modifica salvata",
                    comparisons.len()
                ));
                self.result = Some((label, unverified, comparisons));
                ScreenOutcome::message(message)
            }
            _ => ScreenOutcome::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(role: Role, district: Option<i64>, grants: Vec<(i64, Service)>) -> OperatorScope {
        OperatorScope {
            username: "op".into(),
            role,
            status: OperatorStatus::Active,
            district_id: district,
            grants,
        }
    }

    #[test]
    fn who_reads_which_ranking() {
        let region = scope(Role::Region, None, vec![]);
        let help = scope(Role::Helpdesk, None, vec![]);
        let capofila = scope(Role::LeadMunicipality, Some(7), vec![]);
        let avvisi = scope(Role::OwnerOperator, None, vec![(3, Service::Notices)]);
        let anagrafe = scope(Role::OwnerOperator, None, vec![(3, Service::Registry)]);
        for s in [&region, &help, &capofila, &avvisi] {
            assert!(may_read_rankings(s), "{s:?}");
        }
        assert!(!may_read_rankings(&anagrafe));
        assert!(may_read_ranking(&region, 7, 9) && may_read_ranking(&help, 7, 9));
        assert!(may_read_ranking(&capofila, 7, 9));
        assert!(!may_read_ranking(&capofila, 8, 9), "another district");
        assert!(may_read_ranking(&avvisi, 8, 3) && !may_read_ranking(&avvisi, 8, 4));
        assert!(!reads_whole_notice(&avvisi, 8));
        let mut pending = region.clone();
        pending.status = OperatorStatus::Pending;
        assert!(!may_read_rankings(&pending) && !may_read_ranking(&pending, 7, 9));
    }

    fn row(position: i64) -> EntryRow {
        EntryRow {
            position,
            application_id: position,
            code: format!("D-{position}"),
            isbar: 0,
            familiari: 0,
            abitative: 0,
            economica: 0,
            residenza_regione: 0,
            residenza_comune: 0,
            indigent: false,
            without_preferences: false,
            unit1: None,
            unit2: None,
            conditions: String::new(),
            isee_cents: 0,
        }
    }

    fn view(entries: i64) -> RankingView {
        let notice = Notice {
            id: 1,
            district_id: 1,
            district_code: "X".into(),
            district_name: "X".into(),
            title: "t".into(),
            opens_on: NaiveDate::MIN,
            closes_on: NaiveDate::MIN,
            rule_set_id: 1,
            rule_set: "r".into(),
            state: "CHIUSO".into(),
            created_at: String::new(),
            created_by: String::new(),
            closed_at: None,
            units: 0,
            applications: 0,
            version: 1,
        };
        let info = RankingInfo {
            id: 5,
            notice_id: 1,
            owner_id: 1,
            owner_name: "E".into(),
            istat_code: "0".into(),
            comune: "C".into(),
            state: "PROVVISORIA".into(),
            entries,
            computed_at: String::new(),
            provisional_on: String::new(),
            final_on: None,
            version: 1,
        };
        RankingView::new(&notice, info, None, 10)
    }

    #[test]
    fn moving_past_the_window_asks_the_next_one_by_position() {
        let mut v = view(25);
        v.on_data(Data::Page {
            rows: (1..=10).map(row).collect(),
            select: None,
            entries: 25,
        });
        // Inside the window: no query.
        assert!(v.on_action(Action::Down).is_none());
        assert_eq!(v.selected, 1);
        assert!(v.on_action(Action::Up).is_none());
        // At the top of the ranking Up asks nothing.
        assert!(v.on_action(Action::Up).is_none());
        let Some(Ok(Query::Page { before, select, .. })) = v.on_action(Action::Last) else {
            panic!("Last asks the last window");
        };
        assert_eq!((before, select), (Some(26), Some(25)));
        for _ in 0..9 {
            assert!(v.on_action(Action::Down).is_none());
        }
        assert_eq!(v.selected, 9);
        let Some(Ok(q)) = v.on_action(Action::Down) else {
            panic!("Down at the window's end asks the next window");
        };
        assert_eq!(
            q,
            Query::Page {
                ranking_id: 5,
                after: Some(10),
                before: None,
                limit: 10,
                select: Some(11)
            }
        );
        v.on_data(Data::Page {
            rows: (11..=20).map(row).collect(),
            select: Some(11),
            entries: 25,
        });
        assert_eq!(v.selected, 0);
        let Some(Ok(Query::Page { before, select, .. })) = v.on_action(Action::Up) else {
            panic!("Up at the window's start asks the previous window");
        };
        assert_eq!((before, select), (Some(11), Some(10)));
    }

    #[test]
    fn letters_go_into_the_jump_field() {
        let mut v = view(25);
        v.on_data(Data::Page {
            rows: (1..=10).map(row).collect(),
            select: None,
            entries: 25,
        });
        v.on_action(Action::Filter);
        assert!(v.jump_focus);
        let Some(Ok(Query::Jump { code, .. })) = v.on_action(Action::Select) else {
            panic!("Enter in the field jumps");
        };
        assert_eq!(code, "");
        v.on_data(Data::NotFound("x".into()));
        assert!(v.jump_focus, "a failed jump keeps the field");
        v.on_data(Data::Page {
            rows: (11..=20).map(row).collect(),
            select: Some(14),
            entries: 25,
        });
        assert!(!v.jump_focus);
        assert_eq!(v.rows[v.selected].position, 14);
    }
}
