//! Assignments (DOMAIN.md 5): the units available in each year, the quota ledger recomputed
//! from them and from the assignments, the proposals, the steps of the istruttoria, the
//! document checks and the what-if replay. Permissions are the service's: these functions take
//! the operator's name for the audit trail only.

mod candidates;
mod checks;
mod ledger;
mod propose;
mod reads;
mod rerank;
mod steps;
mod what_if;

pub use checks::{Checked, DocumentCheck};
pub use ledger::{LedgerKey, LedgerView, ledger, ledgers_of_year, plan_shares};
pub use propose::Proposed;
pub use propose::{next_waiting, preview};
pub use reads::{
    AssignmentRow, AvailableUnit, ListFilter, assignment, available_units, district_of,
    districts_of_comuni, find_comune, list, ranking_outcomes, unit_owner,
};
pub use rerank::Moved;
pub use steps::{StepDone, StepRequest, offer_deadline};
pub use what_if::{WhatIf, what_if};

use super::certification::Refused;
use crate::rules::{self, RuleSet};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use std::sync::Arc;

/// The rule set of a calendar year's assignments: the one in force on 1 January of the year
/// (as for the plan of that year), stored when it is; else the shipped one (id `None`).
pub fn rules_of_year(conn: &Connection, year: i32) -> Result<(Option<i64>, Arc<RuleSet>)> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| anyhow!(Refused(format!("anno {year} non valido"))))?;
    // As `rule_sets::in_force_on`, reading only the columns stored before the text (the
    // others sit after tens of kilobytes of it).
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM rule_set r WHERE effective_from <= ?1
                AND version = (SELECT max(v.version) FROM rule_set v WHERE v.cite = r.cite)
              ORDER BY effective_from DESC, id DESC LIMIT 1",
        )?
        .query_row([jan1.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(id) = id {
        let set = rule_set(conn, id)?;
        if set.ranking.is_some() {
            return Ok((Some(id), set));
        }
    }
    let set = rules::for_plan(year).map_err(|e| anyhow!(Refused(e.0)))?;
    Ok((None, Arc::new(set.clone())))
}

/// A stored rule set, parsed once per process: a stored rule set never changes (a trigger
/// refuses it), so the database file, its id, citation, version, file, date and length in
/// bytes (octet_length takes it from the record's header) name its text without reading it (a
/// proposal asks for it twice; the text is tens of kilobytes, and the columns after it are
/// read only through it).
pub fn rule_set(conn: &Connection, id: i64) -> Result<Arc<RuleSet>> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<String, Arc<RuleSet>>>> = OnceLock::new();
    let name: String = conn
        .prepare_cached(
            "SELECT id || '|' || cite || '|' || version || '|' || file_name || '|'
                    || effective_from || '|' || octet_length(text) FROM rule_set WHERE id = ?1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| anyhow!(Refused(format!("insieme di regole {id} non trovato"))))?;
    let name = format!("{}|{name}", conn.path().unwrap_or_default());
    let seen = SEEN.get_or_init(Mutex::default);
    if let Some(set) = seen.lock().ok().and_then(|m| m.get(&name).cloned()) {
        return Ok(set);
    }
    let (file, text): (String, String) = conn
        .prepare_cached("SELECT file_name, text FROM rule_set WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let set = rules::parse_cached(&file, &text).map_err(|e| anyhow!(e.0))?;
    if let Ok(mut m) = seen.lock() {
        if m.len() >= 64 {
            m.clear();
        }
        m.insert(name, set.clone());
    }
    Ok(set)
}

/// The ranking rules of `set`, or why it cannot assign.
fn ranking_rules(set: &RuleSet) -> Result<&crate::rules::ranking::RankingRules> {
    set.ranking().map_err(|e| {
        anyhow!(Refused(format!(
            "{}: senza parametri delle graduatorie non si assegna",
            e.0
        )))
    })
}

/// Days as stored.
fn day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(|d| d.get(..10)?.parse().ok())
}
