//! Reading stored rankings: the list of a notice, a ranking's rows by position, where an
//! application stands, the exclusions and the deadlines.

use crate::domain::ranking::{self, Deadlines};
use crate::store::certification::Refused;
use crate::store::{notices, rule_sets};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A stored ranking, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankingInfo {
    pub id: i64,
    pub notice_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub comune: String,
    pub state: String,
    pub entries: i64,
    pub computed_at: String,
    pub provisional_on: String,
    pub final_on: Option<String>,
    pub version: i64,
}

pub(super) const INFO_SELECT: &str =
    "SELECT r.id, r.notice_id, r.owner_id, o.name, r.istat_code, m.name,
        r.state, (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id),
        r.computed_at, r.provisional_on, r.final_on, r.version
     FROM ranking r JOIN owner o ON o.id = r.owner_id
       JOIN municipality m ON m.istat_code = r.istat_code";

pub(super) fn info_row(r: &rusqlite::Row) -> rusqlite::Result<RankingInfo> {
    Ok(RankingInfo {
        id: r.get(0)?,
        notice_id: r.get(1)?,
        owner_id: r.get(2)?,
        owner_name: r.get(3)?,
        istat_code: r.get(4)?,
        comune: r.get(5)?,
        state: r.get(6)?,
        entries: r.get(7)?,
        computed_at: r.get(8)?,
        provisional_on: r.get(9)?,
        final_on: r.get(10)?,
        version: r.get(11)?,
    })
}

/// The rankings of a notice, by owner and comune.
pub fn list(conn: &Connection, notice_id: i64) -> Result<Vec<RankingInfo>> {
    let from_notice =
        INFO_SELECT.replace("FROM ranking r", "FROM ranking r INDEXED BY ranking_notice");
    let mut stmt = conn.prepare_cached(&format!(
        "{from_notice} WHERE r.notice_id = ?1 ORDER BY o.name, m.name"
    ))?;
    let rows = stmt.query_map([notice_id], info_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn info(conn: &Connection, ranking_id: i64) -> Result<RankingInfo> {
    conn.query_row(
        &format!("{INFO_SELECT} WHERE r.id = ?1"),
        [ranking_id],
        info_row,
    )
    .optional()?
    .ok_or_else(|| anyhow!(Refused(format!("graduatoria {ranking_id} non trovata"))))
}

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRow {
    pub position: i64,
    pub application_id: i64,
    pub code: String,
    /// Hundredths of a point.
    pub isbar: i64,
    pub familiari: i64,
    pub abitative: i64,
    pub economica: i64,
    pub residenza_regione: i64,
    pub residenza_comune: i64,
    pub indigent: bool,
    pub without_preferences: bool,
    pub unit1: Option<i64>,
    pub unit2: Option<i64>,
    /// Codes of the conditions that scored.
    pub conditions: String,
    pub isee_cents: i64,
    /// Where the application stands in the assignments: IN ISTRUTTORIA, ASSEGNATA, RIMOSSA.
    pub outcome: Option<String>,
}

const ENTRY_SELECT: &str = "SELECT e.position, e.application_id, a.code, e.isbar, e.familiari,
        e.abitative, e.economica, e.residenza_regione, e.residenza_comune, e.indigent,
        e.without_preferences, e.unit1, e.unit2, e.conditions, a.isee_cents, o.state
     FROM ranking_entry e JOIN application a ON a.id = e.application_id
     LEFT JOIN application_outcome o ON o.application_id = e.application_id";

fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        position: r.get(0)?,
        application_id: r.get(1)?,
        code: r.get(2)?,
        isbar: r.get(3)?,
        familiari: r.get(4)?,
        abitative: r.get(5)?,
        economica: r.get(6)?,
        residenza_regione: r.get(7)?,
        residenza_comune: r.get(8)?,
        indigent: r.get(9)?,
        without_preferences: r.get(10)?,
        unit1: r.get(11)?,
        unit2: r.get(12)?,
        conditions: r.get(13)?,
        isee_cents: r.get(14)?,
        outcome: r.get(15)?,
    })
}

/// A page of a ranking by key: the `limit` rows after position `after` (forward) or before
/// position `before` (backward, returned in ranking order).
pub fn page(
    conn: &Connection,
    ranking_id: i64,
    after: Option<i64>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<EntryRow>> {
    let limit = limit as i64;
    if let Some(b) = before {
        let mut stmt = conn.prepare_cached(&format!(
            "{ENTRY_SELECT} WHERE e.ranking_id = ?1 AND e.position < +?2
             ORDER BY e.position DESC LIMIT ?3"
        ))?;
        let mut rows: Vec<EntryRow> = stmt
            .query_map(params![ranking_id, b, limit], entry_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.reverse();
        return Ok(rows);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "{ENTRY_SELECT} WHERE e.ranking_id = ?1 AND e.position > +?2
         ORDER BY e.position LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![ranking_id, after.unwrap_or(0), limit], entry_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every row of a ranking, in order (exports).
pub fn all_entries(conn: &Connection, ranking_id: i64) -> Result<Vec<EntryRow>> {
    page(conn, ranking_id, None, None, usize::MAX >> 2)
}

/// Position of an ID domanda in a ranking, if it is there.
pub fn position_of(
    conn: &Connection,
    ranking_id: i64,
    notice_id: i64,
    code: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT e.position FROM application a
               JOIN ranking_entry e ON e.application_id = a.id AND e.ranking_id = ?1
              WHERE a.notice_id = ?2 AND a.code = ?3",
            params![ranking_id, notice_id, code.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

/// An application left out, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedRow {
    pub application_id: i64,
    pub code: String,
    pub requirement: String,
    pub reason: String,
}

/// The applications of a notice left out of every ranking, with each reason.
pub fn excluded(conn: &Connection, notice_id: i64) -> Result<Vec<ExcludedRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT x.application_id, a.code, x.requirement, x.reason
         FROM application_exclusion x JOIN application a ON a.id = x.application_id
         WHERE x.notice_id = ?1 ORDER BY a.code, x.requirement",
    )?;
    let rows = stmt.query_map([notice_id], |r| {
        Ok(ExcludedRow {
            application_id: r.get(0)?,
            code: r.get(1)?,
            requirement: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The deadlines of a notice's rankings (provisional date: the stored one, else today).
pub fn deadlines(conn: &Connection, notice_id: i64, today: NaiveDate) -> Result<Deadlines> {
    let ctx_notice = notices::get(conn, notice_id)?;
    let (_, set) = rule_sets::load_parsed(conn, ctx_notice.rule_set_id)?;
    let rules = set.ranking().map_err(|e| anyhow!(Refused(e.0)))?;
    let provisional: Option<String> = conn
        .query_row(
            "SELECT min(provisional_on) FROM ranking INDEXED BY ranking_notice WHERE notice_id = ?1",
            [notice_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let provisional = provisional.and_then(|d| d.parse().ok()).unwrap_or(today);
    let closes = ctx_notice
        .closed_at
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or(ctx_notice.closes_on, |d| d.min(ctx_notice.closes_on));
    Ok(ranking::deadlines(rules, closes, provisional))
}

/// The rankings an application is in.
pub fn rankings_of(conn: &Connection, application_id: i64) -> Result<Vec<RankingInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{INFO_SELECT} WHERE r.id IN (SELECT ranking_id FROM ranking_entry WHERE application_id = ?1)
         ORDER BY o.name, m.name"
    ))?;
    let rows = stmt.query_map([application_id], info_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where an application of a notice stands in one of its rankings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub code: String,
    pub ranking_id: i64,
    pub position: i64,
}

/// The applications of `notice_id` whose ID domanda contains `part` (any case), with every
/// ranking they are in: the exact ID first, then by ID; at most `limit` rows. Reads the
/// notice's applications by its index, the rankings by the application's.
pub fn find_in_notice(
    conn: &Connection,
    notice_id: i64,
    part: &str,
    limit: usize,
) -> Result<Vec<Placement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.code, e.ranking_id, e.position
           FROM application a INDEXED BY application_notice
           JOIN ranking_entry e INDEXED BY ranking_entry_application ON e.application_id = a.id
          WHERE a.notice_id = ?1 AND instr(upper(a.code), upper(?2)) > 0
          ORDER BY a.code <> ?2, a.code, e.ranking_id
          LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![notice_id, part.trim(), limit as i64], |r| {
        Ok(Placement {
            code: r.get(0)?,
            ranking_id: r.get(1)?,
            position: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
