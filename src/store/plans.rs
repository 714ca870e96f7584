//! Plan cards (SCHEDA PROGRAMMAZIONE ANNUALE): create, the lifecycle actions, revisions, reads.
//! The rules of the lifecycle live in `domain::plan`; this module stores their outcome, each
//! change in one transaction with its state-history row and its audit record.

mod window;

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, communications, now};
use crate::domain::plan::{self, PlanAction, PlanState, Window};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: i64,
    pub district_id: i64,
    pub district_code: String,
    pub district_name: String,
    pub year: i32,
    pub revision: i64,
    pub supersedes: Option<i64>,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    /// Stored state; `effective_state` applies the end date.
    pub state: PlanState,
    pub rule_set: String,
    pub opened_at: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub version: i64,
}

impl Plan {
    pub fn window(&self) -> Window {
        Window {
            year: self.year,
            start: self.window_start,
            end: self.window_end,
            state: self.state,
        }
    }

    pub fn effective_state(&self, today: NaiveDate) -> PlanState {
        self.window().effective_state(today)
    }
}

/// One row of a plan's state history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub window_end: String,
    pub at: String,
    pub operator: String,
}

/// Outcome of a change: the plan after it and the warnings to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub plan: Plan,
    pub warnings: Vec<String>,
}

const PLAN_SELECT: &str =
    "SELECT p.id, p.district_id, d.code, d.name, p.year, p.revision, p.supersedes,
        p.window_start, p.window_end, p.state, p.rule_set, p.opened_at, p.created_at, p.created_by,
        p.version
     FROM plan p JOIN district d ON d.id = p.district_id";

fn date_col(r: &Row, i: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(i)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn plan_row(r: &Row) -> rusqlite::Result<Plan> {
    let state: String = r.get(9)?;
    Ok(Plan {
        id: r.get(0)?,
        district_id: r.get(1)?,
        district_code: r.get(2)?,
        district_name: r.get(3)?,
        year: r.get(4)?,
        revision: r.get(5)?,
        supersedes: r.get(6)?,
        window_start: date_col(r, 7)?,
        window_end: date_col(r, 8)?,
        state: PlanState::from_db(&state).unwrap_or(PlanState::Draft),
        rule_set: r.get(10)?,
        opened_at: r.get(11)?,
        created_at: r.get(12)?,
        created_by: r.get(13)?,
        version: r.get(14)?,
    })
}

pub fn plan_by_id(conn: &Connection, id: i64) -> Result<Option<Plan>> {
    Ok(conn
        .query_row(&format!("{PLAN_SELECT} WHERE p.id = ?1"), [id], plan_row)
        .optional()?)
}

/// The plan with this id, or an error naming it.
pub fn get(conn: &Connection, id: i64) -> Result<Plan> {
    plan_by_id(conn, id)?.ok_or_else(|| anyhow!(Refused(format!("piano {id} non trovato"))))
}

/// Plans, optionally of one district and/or year, by year, district and revision.
pub fn list(conn: &Connection, district_id: Option<i64>, year: Option<i32>) -> Result<Vec<Plan>> {
    let mut stmt = conn.prepare(&format!(
        "{PLAN_SELECT} WHERE (?1 IS NULL OR p.district_id = ?1) AND (?2 IS NULL OR p.year = ?2)
         ORDER BY p.year DESC, d.code, p.revision, p.id"
    ))?;
    let rows = stmt.query_map(params![district_id, year], plan_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The plans that concern an operator who does not see every district: those of its own
/// district (a capofila) and those in which one of its owners has a communication.
pub fn list_concerning(
    conn: &Connection,
    district_id: Option<i64>,
    owner_ids: &[i64],
) -> Result<Vec<Plan>> {
    // Two index lookups, then the plans by id: an IN over a UNION made SQLite scan `plan`.
    let mut ids: Vec<i64> = Vec::new();
    if let Some(d) = district_id {
        let mut stmt = conn.prepare_cached("SELECT id FROM plan WHERE district_id = ?1")?;
        for id in stmt.query_map([d], |r| r.get(0))? {
            ids.push(id?);
        }
    }
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT plan_id FROM communication WHERE owner_id = ?1")?;
    for owner in owner_ids {
        for id in stmt.query_map([owner], |r| r.get(0))? {
            ids.push(id?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.extend(plan_by_id(conn, id)?);
    }
    found.sort_by(|a, b| {
        (b.year, &a.district_code, a.revision, a.id).cmp(&(
            a.year,
            &b.district_code,
            b.revision,
            b.id,
        ))
    });
    Ok(found)
}

pub fn history(conn: &Connection, plan_id: i64) -> Result<Vec<StateChange>> {
    let mut stmt = conn.prepare(
        "SELECT action, from_state, to_state, window_end, at, operator
         FROM plan_state_history WHERE plan_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok(StateChange {
            action: r.get(0)?,
            from_state: r.get(1)?,
            to_state: r.get(2)?,
            window_end: r.get(3)?,
            at: r.get(4)?,
            operator: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A state change to record in the history.
struct Move<'a> {
    action: &'a str,
    from: Option<PlanState>,
    to: PlanState,
    end: NaiveDate,
}

fn record_change(
    conn: &Connection,
    plan_id: i64,
    m: Move<'_>,
    at: &str,
    operator: &str,
) -> Result<()> {
    let Move {
        action,
        from,
        to,
        end,
    } = m;
    conn.execute(
        "INSERT INTO plan_state_history (plan_id, action, from_state, to_state, window_end, at, operator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            plan_id,
            action,
            from.map(PlanState::db),
            to.db(),
            end.to_string(),
            at,
            operator
        ],
    )?;
    Ok(())
}

impl Store {
    /// Creates a plan card (BOZZA) for a district and year, with a communication for each owner
    /// of the district. Refused when the district already has a live plan for the year.
    pub fn create_plan(
        &mut self,
        actor: &str,
        district_id: i64,
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Changed> {
        let warnings = plan::check_card(year, start, end).map_err(|e| Refused(e.0))?;
        let rules = crate::rules::for_plan(year).map_err(|e| Refused(e.0))?;
        let tx = self.write()?;
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, state FROM plan WHERE district_id = ?1 AND year = ?2 AND state <> 'ANNULLATO'
                 ORDER BY revision DESC LIMIT 1",
                params![district_id, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, state)) = existing {
            return Err(Refused(format!(
                "l'ambito ha già il piano {id} per il {year} (stato {state}): un piano per ambito e anno{}",
                if state == "APPROVATO" {
                    "; per correggere un piano approvato crearne una revisione (casa plan revise)"
                } else {
                    ""
                }
            ))
            .into());
        }
        let at = now();
        tx.execute(
            "INSERT INTO plan (district_id, year, window_start, window_end, state, rule_set, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, 'BOZZA', ?5, ?6, ?7)",
            params![
                district_id,
                year,
                start.to_string(),
                end.to_string(),
                rules.cite,
                at,
                actor
            ],
        )?;
        let id = tx.last_insert_rowid();
        let m = Move {
            action: "crea",
            from: None,
            to: PlanState::Draft,
            end,
        };
        record_change(&tx, id, m, &at, actor)?;
        communications::ensure_for_plan(&tx, id, district_id)?;
        let plan = get(&tx, id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "piano.crea",
                entity: "plan",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&plan)?),
            },
        )?;
        tx.commit()?;
        Ok(Changed { plan, warnings })
    }

    /// A new revision (BOZZA) of an approved plan, superseding it; the approved one is kept.
    pub fn revise_plan(
        &mut self,
        actor: &str,
        plan_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Changed> {
        let old = get(self.conn(), plan_id)?;
        let warnings = plan::check_card(old.year, start, end).map_err(|e| Refused(e.0))?;
        let tx = self.write()?;
        let old = get(&tx, plan_id)?;
        if old.state != PlanState::Approved {
            return Err(Refused(format!(
                "solo un piano approvato si corregge con una revisione (il piano {plan_id} è {})",
                old.state
            ))
            .into());
        }
        let newer: Option<i64> = tx
            .query_row(
                "SELECT id FROM plan WHERE supersedes = ?1 AND state <> 'ANNULLATO'",
                [plan_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(n) = newer {
            return Err(Refused(format!(
                "il piano {plan_id} ha già la revisione {n}: correggere quella"
            ))
            .into());
        }
        let at = now();
        tx.execute(
            "INSERT INTO plan (district_id, year, revision, supersedes, window_start, window_end, state,
                               rule_set, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'BOZZA', ?7, ?8, ?9)",
            params![
                old.district_id,
                old.year,
                old.revision + 1,
                plan_id,
                start.to_string(),
                end.to_string(),
                old.rule_set,
                at,
                actor
            ],
        )?;
        let id = tx.last_insert_rowid();
        let m = Move {
            action: "revisione",
            from: None,
            to: PlanState::Draft,
            end,
        };
        record_change(&tx, id, m, &at, actor)?;
        communications::ensure_for_plan(&tx, id, old.district_id)?;
        let plan = get(&tx, id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "piano.revisione",
                entity: "plan",
                entity_id: Some(id.to_string()),
                before: Some(serde_json::to_value(&old)?),
                after: Some(serde_json::to_value(&plan)?),
            },
        )?;
        tx.commit()?;
        Ok(Changed { plan, warnings })
    }

    /// Applies a lifecycle action on `today` (the caller's date, so tests can choose it).
    /// `expected_version` is the version the caller read (the card on screen, `plan show`): if
    /// another operator changed the plan since, the action is refused rather than applied to a
    /// state the caller has not seen. `None` acts on the current state (scripts).
    pub fn plan_action(
        &mut self,
        actor: &str,
        plan_id: i64,
        action: PlanAction,
        expected_version: Option<i64>,
        today: NaiveDate,
    ) -> Result<Changed> {
        let district_id = get(self.conn(), plan_id)?.district_id;
        let tx = self.write()?;
        // Re-read inside the write lock: the decision uses the current state.
        let before = get(&tx, plan_id)?;
        if let Some(read) = expected_version
            && read != before.version
        {
            let last = history(&tx, plan_id)?.pop();
            let by = last
                .map(|h| format!(" ({} di {} il {})", h.action, h.operator, h.at))
                .unwrap_or_default();
            return Err(Refused(format!(
                "il piano {plan_id} è stato modificato da un'altra sessione dopo la lettura (versione letta {read}, attuale {}{by}): rileggere il piano e ripetere l'azione",
                before.version
            ))
            .into());
        }
        let t = before
            .window()
            .apply(action, today)
            .map_err(|e| Refused(e.0))?;
        let at = now();
        tx.execute(
            "UPDATE plan SET state = ?2, window_end = ?3, version = version + 1,
                 opened_at = CASE WHEN ?2 = 'APERTO' THEN ifnull(opened_at, ?4) ELSE opened_at END
             WHERE id = ?1",
            params![plan_id, t.to.db(), t.end.to_string(), at],
        )?;
        let m = Move {
            action: action.code(),
            from: Some(before.effective_state(today)),
            to: t.to,
            end: t.end,
        };
        record_change(&tx, plan_id, m, &at, actor)?;
        if t.to == PlanState::Open {
            // Owners that got units in the district since the plan was created join it.
            communications::ensure_for_plan(&tx, plan_id, district_id)?;
        }
        let plan = get(&tx, plan_id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: &format!("piano.{}", action.code()),
                entity: "plan",
                entity_id: Some(plan_id.to_string()),
                before: Some(serde_json::to_value(&before)?),
                after: Some(serde_json::to_value(&plan)?),
            },
        )?;
        tx.commit()?;
        Ok(Changed {
            plan,
            warnings: t.warnings,
        })
    }
}
