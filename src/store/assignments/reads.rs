//! Reads: one assignment with its explanation, the assignments of a year, the units of a
//! ledger still to assign, and where the applications of a ranking stand.

use super::ledger::LedgerKey;
use crate::domain::assignment::{Line, Stage};
use crate::store::certification::Refused;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::collections::HashMap;

/// An assignment as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub unit_id: i64,
    /// Codice identificativo U.I.
    pub unit_code: String,
    pub address: String,
    pub area_m2: Option<f64>,
    pub owner_id: i64,
    pub owner_name: String,
    pub istat: String,
    pub comune: String,
    pub year: i32,
    pub ranking_id: i64,
    pub notice_id: i64,
    pub application_id: i64,
    /// ID domanda.
    pub code: String,
    pub line: Line,
    pub stage: Stage,
    pub explanation: Vec<String>,
    pub owner_choice: Vec<i64>,
    pub base_at: i64,
    pub rule_set: String,
    pub proposed_on: String,
    pub proposed_by: String,
    pub offered_on: Option<String>,
    pub answer_by: Option<String>,
    pub outcome_on: Option<String>,
    pub outcome_reason: Option<String>,
    pub act_number: Option<String>,
    pub act_date: Option<String>,
    pub lease_date: Option<String>,
    pub version: i64,
}

const SELECT: &str =
    "SELECT s.id, s.unit_id, u.code, u.address || ifnull(' ' || u.street_number, ''),
    u.floor_area, s.owner_id, o.name, s.istat_code, m.name, s.year, s.ranking_id, r.notice_id,
    s.application_id, a.code, s.line, s.stage, s.explanation, s.owner_choice, s.base_at,
    rs.cite || CASE WHEN rs.version > 1 THEN ' v' || rs.version ELSE '' END,
    s.proposed_on, s.proposed_by, s.offered_on, s.answer_by, s.outcome_on, s.outcome_reason,
    s.act_number, s.act_date, s.lease_date, s.version
    FROM assignment s
    JOIN unit u ON u.id = s.unit_id
    JOIN owner o ON o.id = s.owner_id
    JOIN municipality m ON m.istat_code = s.istat_code
    JOIN ranking r ON r.id = s.ranking_id
    JOIN application a ON a.id = s.application_id
    JOIN rule_set rs ON rs.id = s.rule_set_id";

fn row(r: &Row) -> rusqlite::Result<AssignmentRow> {
    let explanation: String = r.get(16)?;
    let choice: String = r.get(17)?;
    let stage: String = r.get(15)?;
    let line: String = r.get(14)?;
    Ok(AssignmentRow {
        id: r.get(0)?,
        unit_id: r.get(1)?,
        unit_code: r.get(2)?,
        address: r.get(3)?,
        area_m2: r.get(4)?,
        owner_id: r.get(5)?,
        owner_name: r.get(6)?,
        istat: r.get(7)?,
        comune: r.get(8)?,
        year: r.get(9)?,
        ranking_id: r.get(10)?,
        notice_id: r.get(11)?,
        application_id: r.get(12)?,
        code: r.get(13)?,
        line: Line::from_db(&line).unwrap_or(Line::Graduatoria),
        stage: Stage::from_db(&stage).unwrap_or(Stage::Annullata),
        explanation: serde_json::from_str(&explanation).unwrap_or_else(|_| vec![explanation]),
        owner_choice: choice
            .split(',')
            .filter_map(|u| u.trim().parse().ok())
            .collect(),
        base_at: r.get(18)?,
        rule_set: r.get(19)?,
        proposed_on: r.get(20)?,
        proposed_by: r.get(21)?,
        offered_on: r.get(22)?,
        answer_by: r.get(23)?,
        outcome_on: r.get(24)?,
        outcome_reason: r.get(25)?,
        act_number: r.get(26)?,
        act_date: r.get(27)?,
        lease_date: r.get(28)?,
        version: r.get(29)?,
    })
}

/// One assignment.
pub fn assignment(conn: &Connection, id: i64) -> Result<AssignmentRow> {
    conn.prepare_cached(&format!("{SELECT} WHERE s.id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| anyhow!(Refused(format!("nessuna assegnazione {id}"))))
}

/// Which assignments a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub year: i32,
    pub owner_id: Option<i64>,
    pub istat: Option<String>,
    /// Only these stages (empty: all).
    pub stages: Vec<Stage>,
}

/// The assignments of a year (of one owner, of one comune), by owner, comune and id.
pub fn list(conn: &Connection, f: &ListFilter) -> Result<Vec<AssignmentRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE s.year = ?1 AND (?2 IS NULL OR s.owner_id = ?2)
                    AND (?3 IS NULL OR s.istat_code = ?3)
          ORDER BY o.name, m.name, s.id"
    ))?;
    let rows = stmt.query_map(params![f.year, f.owner_id, f.istat], row)?;
    let mut out = Vec::new();
    for r in rows {
        let r = r?;
        if f.stages.is_empty() || f.stages.contains(&r.stage) {
            out.push(r);
        }
    }
    Ok(out)
}

/// A unit of a ledger still to assign: waiting, or in an istruttoria (until the lease).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvailableUnit {
    pub availability_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub address: String,
    pub area_m2: Option<f64>,
    pub rooms: Option<i64>,
    pub available_on: String,
    /// The open istruttoria, or the latest one: (id, stage, ID domanda, line, answer by,
    /// version).
    pub assignment: Option<(i64, Stage, String, Line, Option<String>, i64)>,
}

impl AvailableUnit {
    /// Waiting for a proposal (no istruttoria running).
    pub fn waiting(&self) -> bool {
        self.assignment
            .as_ref()
            .is_none_or(|a| !a.1.is_open() && a.1 != Stage::Assegnata)
    }
}

/// The units of a ledger still to assign, oldest first, `limit` after availability `after`
/// (paged by key).
pub fn available_units(
    conn: &Connection,
    key: &LedgerKey,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<AvailableUnit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.id, v.unit_id, u.code, u.address || ifnull(' ' || u.street_number, ''),
                u.floor_area, u.rooms, v.available_on,
                s.id, s.stage, a.code, s.line, s.answer_by, s.version
           FROM availability v INDEXED BY availability_ledger
           JOIN unit u ON u.id = v.unit_id
           LEFT JOIN assignment s ON s.id = (SELECT max(x.id) FROM assignment x
                                              INDEXED BY assignment_availability
                                             WHERE x.availability_id = v.id)
           LEFT JOIN application a ON a.id = s.application_id
          WHERE v.year = ?1 AND v.owner_id = ?2 AND v.istat_code = ?3 AND v.closed IS NULL
            AND v.id > ?4
          ORDER BY v.id LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![
            key.year,
            key.owner_id,
            key.istat,
            after.unwrap_or(0),
            limit as i64
        ],
        |r| {
            let s: Option<i64> = r.get(7)?;
            let assignment = match s {
                Some(id) => {
                    let stage: String = r.get(8)?;
                    let line: String = r.get(10)?;
                    Some((
                        id,
                        Stage::from_db(&stage).unwrap_or(Stage::Annullata),
                        r.get::<_, String>(9)?,
                        Line::from_db(&line).unwrap_or(Line::Graduatoria),
                        r.get(11)?,
                        r.get(12)?,
                    ))
                }
                None => None,
            };
            Ok(AvailableUnit {
                availability_id: r.get(0)?,
                unit_id: r.get(1)?,
                unit_code: r.get(2)?,
                address: r.get(3)?,
                area_m2: r.get(4)?,
                rooms: r.get(5)?,
                available_on: r.get(6)?,
                assignment,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Where the applications of a ranking stand in the assignments (application id → state and
/// reason), for the ranking screens: "ASSEGNATA", "IN ISTRUTTORIA", "RIMOSSA".
pub fn ranking_outcomes(
    conn: &Connection,
    application_ids: &[i64],
) -> Result<HashMap<i64, (String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, reason FROM application_outcome WHERE application_id = ?1",
    )?;
    let mut out = HashMap::new();
    for id in application_ids {
        if let Some(v) = stmt
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
        {
            out.insert(*id, v);
        }
    }
    Ok(out)
}

/// A comune by ISTAT code or name (any case): (ISTAT code, name).
pub fn find_comune(conn: &Connection, query: &str) -> Result<(String, String)> {
    let q = query.trim();
    let by_code = conn
        .prepare_cached("SELECT istat_code, name FROM municipality WHERE istat_code = ?1")?
        .query_row([q], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some(found) = by_code {
        return Ok(found);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT istat_code, name FROM municipality INDEXED BY municipality_name
          WHERE name = ?1 COLLATE NOCASE LIMIT 2",
    )?;
    let found: Vec<(String, String)> = stmt
        .query_map([q], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(anyhow!(Refused(format!(
            "nessun comune '{q}' (indicare il nome o il codice ISTAT)"
        )))),
        _ => Err(anyhow!(Refused(format!(
            "più comuni si chiamano '{q}': indicare il codice ISTAT"
        )))),
    }
}

/// The district of a comune, if it belongs to one.
pub fn district_of(conn: &Connection, istat: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT district_id FROM district_municipality WHERE istat_code = ?1")?
        .query_row([istat], |r| r.get(0))
        .optional()?)
}

/// Every comune's district (ISTAT code → district id): the permission of each ledger of a
/// list is its comune's district.
pub fn districts_of_comuni(conn: &Connection) -> Result<HashMap<String, i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT istat_code, district_id FROM district_municipality")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A unit's owner and comune.
pub fn unit_owner(conn: &Connection, unit_id: i64) -> Result<(i64, String)> {
    conn.prepare_cached("SELECT owner_id, istat_code FROM unit WHERE id = ?1")?
        .query_row([unit_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| anyhow!(Refused(format!("nessuna unità con ID alloggio {unit_id}"))))
}
