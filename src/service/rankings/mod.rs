//! Rankings as operators read them: the rankings of a notice, a ranking by position with a
//! jump to an ID domanda, the exclusions, the explanation of a score, the export; the what-if
//! comparison with another rule set; and the use cases that change them (compute, correct,
//! finalize). Who reads what is `domain::access`'s rule: every ranking of a notice for the
//! Regione, the helpdesk and the district's capofila; an owner's rankings for the operators
//! with the AVVISI service on that owner.

mod export;
mod manage;
mod what_if;

pub use export::RankingsFile;

use super::{Denied, InvalidInput, Service};
use crate::domain::access::{Action, OperatorStatus, Service as Grant};
use crate::store::notices::{self, Notice};
use crate::store::preferences::{self, DroppedRow};
use crate::store::rankings::{self, EntryRow, ExcludedRow, Explanation, RankingInfo};
use crate::store::{applications, owners, rule_sets};
use anyhow::{Result, anyhow};

/// A window of a ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingWindow {
    pub rows: Vec<EntryRow>,
    /// Rows in the whole ranking (it may have changed since it was listed).
    pub entries: i64,
}

/// Where a jump to an ID domanda landed.
#[derive(Debug, Clone, PartialEq)]
pub enum Jump {
    /// The window holding the application, and its position.
    At {
        window: RankingWindow,
        position: i64,
    },
    /// Nothing to show: why.
    NotFound(String),
}

/// Rankings of a notice with their rows, as `rankings show` prints them.
#[derive(Debug, Clone)]
pub struct RankingTables {
    pub notice: Notice,
    pub unverified: Option<String>,
    pub tables: Vec<(RankingInfo, Vec<EntryRow>)>,
}

impl Service {
    /// The ranking `ranking_id`, refused when the operator may not read it.
    fn readable_ranking(&self, ranking_id: i64) -> Result<RankingInfo> {
        self.session.check(Action::ReadRankings)?;
        let conn = self.store.conn();
        let info = rankings::info(conn, ranking_id)?;
        let scope = self.session.scope();
        // Paging asks on every window: the notice is read only when the district decides.
        let fast = scope.status == OperatorStatus::Active
            && (scope.sees_everything() || scope.has_grant(info.owner_id, Grant::Notices));
        if !fast {
            self.session.check(Action::ReadRanking {
                district_id: notices::get(conn, info.notice_id)?.district_id,
                owner_id: info.owner_id,
            })?;
        }
        Ok(info)
    }

    /// The rankings of `notice` the operator may read, chosen by owner and comune when given;
    /// refused when the choice holds rankings and none is readable.
    fn readable_rankings(
        &self,
        notice: &Notice,
        owner: Option<i64>,
        comune: Option<&str>,
    ) -> Result<Vec<RankingInfo>> {
        self.session.check(Action::ReadRankings)?;
        let mut list = rankings::list(self.store.conn(), notice.id)?;
        if let Some(id) = owner {
            list.retain(|r| r.owner_id == id);
        }
        if let Some(c) = comune {
            let c = c.trim();
            list.retain(|r| r.istat_code == c || r.comune.eq_ignore_ascii_case(c));
        }
        // When the choice holds rankings and none is readable, the refusal is the rule's.
        let first = list.first().map(|r| Action::ReadRanking {
            district_id: notice.district_id,
            owner_id: r.owner_id,
        });
        let scope = self.session.scope();
        list.retain(|r| scope.may_read_ranking(notice.district_id, r.owner_id));
        if let (true, Some(refused)) = (list.is_empty(), first) {
            self.session.check(refused)?;
        }
        Ok(list)
    }

    /// A window of a ranking by position: the `limit` rows after `after`, or before `before`;
    /// near the start a backward window is filled from the top.
    pub fn ranking_window(
        &self,
        ranking_id: i64,
        after: Option<i64>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<RankingWindow> {
        let info = self.readable_ranking(ranking_id)?;
        let conn = self.store.conn();
        let limit = limit.max(1);
        let mut rows = rankings::page(conn, ranking_id, after, before, limit)?;
        if before.is_some() && rows.len() < limit {
            rows = rankings::page(conn, ranking_id, None, None, limit)?;
        }
        Ok(RankingWindow {
            rows,
            entries: info.entries,
        })
    }

    /// The window of `limit` rows holding the ID domanda `code`, and its position.
    pub fn ranking_jump(&self, ranking_id: i64, code: &str, limit: usize) -> Result<Jump> {
        let info = self.readable_ranking(ranking_id)?;
        let code = code.trim();
        if code.is_empty() {
            return Ok(Jump::NotFound("Scrivere un ID domanda".into()));
        }
        let conn = self.store.conn();
        let Some(position) = rankings::position_of(conn, ranking_id, info.notice_id, code)? else {
            return Ok(Jump::NotFound(format!(
                "La domanda {code} non è in questa graduatoria"
            )));
        };
        let limit = limit.max(1) as i64;
        // The window ends at the last row when the position is near the end.
        let start = (position - 1).min((info.entries - limit).max(0));
        let rows = rankings::page(conn, ranking_id, Some(start), None, limit as usize)?;
        Ok(Jump::At {
            window: RankingWindow {
                rows,
                entries: info.entries,
            },
            position,
        })
    }

    /// The rankings of a notice with at most `limit` rows each, chosen by owner (name, codice
    /// fiscale or ISTAT code) and comune.
    pub fn ranking_tables(
        &self,
        notice_id: i64,
        owner: Option<&str>,
        comune: Option<&str>,
        limit: Option<usize>,
    ) -> Result<RankingTables> {
        self.session.check(Action::ReadRankings)?;
        let conn = self.store.conn();
        let notice = notices::get(conn, notice_id)?;
        let owner = owner
            .map(|o| {
                owners::find_owner(conn, o)
                    .map(|o| o.id)
                    .map_err(|e| anyhow!(InvalidInput(format!("--owner: {e}"))))
            })
            .transpose()?;
        let list = self.readable_rankings(&notice, owner, comune)?;
        if list.is_empty() {
            return Err(anyhow!(InvalidInput(format!(
                "nessuna graduatoria per l'avviso {notice_id} con questi filtri (calcolarle con `casa rankings compute --notice {notice_id}`)"
            ))));
        }
        let (_, set) = rule_sets::load_parsed(conn, notice.rule_set_id)?;
        let mut tables = Vec::with_capacity(list.len());
        for r in list {
            let rows = rankings::page(conn, r.id, None, None, limit.unwrap_or(usize::MAX >> 2))?;
            tables.push((r, rows));
        }
        Ok(RankingTables {
            notice,
            unverified: rankings::unverified_line(&set),
            tables,
        })
    }

    /// The applications of a notice left out of every ranking, each reason: for those who
    /// read the whole notice.
    pub fn excluded_applications(&self, notice_id: i64) -> Result<Vec<ExcludedRow>> {
        let conn = self.store.conn();
        let n = notices::get(conn, notice_id)?;
        self.session.check(Action::ReadWholeNotice {
            district_id: n.district_id,
        })?;
        rankings::excluded(conn, notice_id)
    }

    /// The preferred units a notice's last computation did not keep, with the reason (art. 9
    /// c.2, adequacy, number): for those who read the whole notice.
    pub fn dropped_preferences(&self, notice_id: i64) -> Result<Vec<DroppedRow>> {
        let conn = self.store.conn();
        let n = notices::get(conn, notice_id)?;
        self.session.check(Action::ReadWholeNotice {
            district_id: n.district_id,
        })?;
        preferences::dropped(conn, notice_id)
    }

    /// The notice holding the ID domanda `code`, when it is in exactly one.
    pub fn notice_of_application(&self, code: &str) -> Result<i64> {
        self.session.check(Action::ReadRankings)?;
        let found = applications::notices_with_code(self.store.conn(), code)?;
        match found.as_slice() {
            [n] => Ok(*n),
            [] => Err(anyhow!(InvalidInput(format!(
                "domanda '{code}' non trovata in nessun avviso"
            )))),
            many => Err(anyhow!(InvalidInput(format!(
                "la domanda '{code}' è in più avvisi ({}): indicare --notice",
                many.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))),
        }
    }

    /// The explanation of an application's score and its positions in the rankings the
    /// operator reads; refused when it is in none of them.
    pub fn explain_application(&self, notice_id: i64, code: &str) -> Result<Explanation> {
        let notice = self.readable_notice(notice_id)?;
        let mut e = rankings::explain(self.store.conn(), notice_id, code)?;
        let scope = self.session.scope();
        if !scope.reads_whole_notice(notice.district_id) {
            e.positions
                .retain(|(r, _)| scope.may_read_ranking(notice.district_id, r.owner_id));
            if e.positions.is_empty() {
                return Err(anyhow!(Denied(format!(
                    "la domanda {code} non è in una graduatoria che l'operatore {} può consultare",
                    scope.username
                ))));
            }
        }
        Ok(e)
    }
}

impl Service {
    /// The rankings of a notice holding an application whose ID domanda contains `part`
    /// (the whole ID or a piece of it), among those the operator may read: at most `limit`.
    pub fn find_in_notice(
        &self,
        notice_id: i64,
        part: &str,
        limit: usize,
    ) -> Result<Vec<(RankingInfo, rankings::Placement)>> {
        let notice = notices::get(self.store.conn(), notice_id)?;
        let part = part.trim();
        if part.is_empty() {
            return Err(anyhow!(InvalidInput(
                "ID domanda: scrivere l'ID o una sua parte".into()
            )));
        }
        let readable = self.readable_rankings(&notice, None, None)?;
        let found = rankings::find_in_notice(self.store.conn(), notice_id, part, limit)?;
        Ok(found
            .into_iter()
            .filter_map(|p| {
                readable
                    .iter()
                    .find(|r| r.id == p.ranking_id)
                    .map(|r| (r.clone(), p))
            })
            .collect())
    }
}
