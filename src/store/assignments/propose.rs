//! A proposal: the household art. 13 and 15 call for, for one available unit, written with its
//! explanation in one transaction with its audit record. Everything is read inside the write
//! transaction, so two operators proposing at once never propose on a stale ledger.

use super::candidates::candidates;
use super::ledger::{LedgerKey, LedgerView, ledger};
use super::{ranking_rules, rules_of_year};
use crate::domain::assignment::proposal::{self, also_eligible, owner_choice_line};
use crate::domain::assignment::{Applicant, Decision, UnitOnOffer};
use crate::rules::ranking::RankingRules;
use crate::store::audit::{self, Entry};
use crate::store::certification::Refused;
use crate::store::{Store, now, rule_sets};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// What a proposal did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposed {
    pub unit_id: i64,
    /// The istruttoria opened; `None` when nobody could be proposed.
    pub assignment_id: Option<i64>,
    pub decision: Decision,
    /// Other units of the same owner the household could have (art. 15 c.1-bis).
    pub owner_choice: Vec<i64>,
    /// The ledger's top line after the proposal.
    pub headline: String,
}

/// The unit as the proposal needs it, with its open availability.
pub(super) struct Target {
    pub unit: UnitOnOffer,
    pub availability_id: i64,
    pub year: i32,
    pub state: i64,
}

pub(super) fn target(conn: &Connection, unit_id: i64) -> Result<Target> {
    let row: Option<(i64, String, String, i64, Option<f64>, String)> = conn
        .prepare_cached(
            "SELECT u.owner_id, u.istat_code, m.name, u.state, u.floor_area, us.label
               FROM unit u JOIN municipality m ON m.istat_code = u.istat_code
               JOIN unit_state us ON us.code = u.state
              WHERE u.id = ?1",
        )?
        .query_row([unit_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((owner_id, istat, comune, state, area, label)) = row else {
        return Err(anyhow!(Refused(format!(
            "nessuna unità con ID alloggio {unit_id}"
        ))));
    };
    let open: Option<(i64, i32)> = conn
        .prepare_cached(
            "SELECT id, year FROM availability INDEXED BY availability_open
              WHERE unit_id = ?1 AND closed IS NULL",
        )?
        .query_row([unit_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((availability_id, year)) = open else {
        return Err(anyhow!(Refused(format!(
            "l'unità {unit_id} è in stato {label}: non è disponibile per l'assegnazione (si assegnano le unità rese LIBERO)"
        ))));
    };
    Ok(Target {
        unit: UnitOnOffer {
            unit_id,
            owner_id,
            istat,
            comune,
            area_m2: area,
        },
        availability_id,
        year,
        state,
    })
}

/// The open istruttoria of a unit: (assignment id, stage).
pub(super) fn open_of(conn: &Connection, unit_id: i64) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, stage FROM assignment INDEXED BY assignment_open_unit
              WHERE unit_id = ?1 AND (stage IN ('PROPOSTA','OFFERTA','ACCETTATA') OR (stage = 'ASSEGNATA' AND lease_date IS NULL))")?.query_row(
            [unit_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The final ranking of the owner in the comune: the latest.
pub(super) fn final_ranking(conn: &Connection, owner_id: i64, istat: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM ranking INDEXED BY ranking_owner_comune
              WHERE owner_id = ?1 AND istat_code = ?2 AND state = 'DEFINITIVA'
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![owner_id, istat], |r| r.get(0))
        .optional()?)
}

/// Decides for `t` from `ranking_id` on the current ledger.
pub(super) fn decide_for(
    conn: &Connection,
    t: &Target,
    ranking_id: i64,
    rules: &RankingRules,
) -> Result<(Decision, LedgerView)> {
    let view = ledger(
        conn,
        &LedgerKey {
            owner_id: t.unit.owner_id,
            istat: t.unit.istat.clone(),
            year: t.year,
        },
    )?;
    let q = &rules.quotas;
    let (unit, istat) = (t.unit.unit_id, t.unit.istat.as_str());
    let indigents = candidates(conn, ranking_id, unit, istat, q, true);
    let all = candidates(conn, ranking_id, unit, istat, q, false);
    let d = proposal::decide(&view.ledger, &t.unit, rules, indigents, all)?;
    Ok((d, view))
}

use crate::domain::assignment::proposal::OWNER_CHOICE_COUNTED as OTHERS_SHOWN;

/// Other open units of the same owner `a` could have (art. 15 c.1-bis): those it chose, and,
/// ranked without preferences, those of the comune that suit it (at most `OTHERS_SHOWN` + 1).
pub(super) fn others_for(
    conn: &Connection,
    t: &Target,
    a: &Applicant,
    rules: &RankingRules,
) -> Result<Vec<i64>> {
    const OPEN: &str = "NOT EXISTS (SELECT 1 FROM assignment s INDEXED BY assignment_open_unit
                                     WHERE s.unit_id = v.unit_id
                                       AND (s.stage IN ('PROPOSTA','OFFERTA','ACCETTATA') OR (s.stage = 'ASSEGNATA' AND s.lease_date IS NULL)))";
    let unit = |r: &rusqlite::Row| {
        Ok(UnitOnOffer {
            unit_id: r.get(0)?,
            owner_id: t.unit.owner_id,
            istat: r.get(1)?,
            comune: r.get(2)?,
            area_m2: r.get(3)?,
        })
    };
    let mut candidates: Vec<(UnitOnOffer, bool)> = Vec::new();
    let chosen: Vec<i64> = conn
        .prepare_cached(
            "SELECT unit1, unit2 FROM ranking_entry INDEXED BY ranking_entry_application
              WHERE application_id = ?1 AND ranking_id = ?2",
        )?
        .query_row(params![a.application_id, a.ranking_id], |r| {
            Ok([r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?])
        })
        .optional()?
        .map(|u| u.into_iter().flatten().collect())
        .unwrap_or_default();
    let mut by_id = conn.prepare_cached(&format!(
        "SELECT v.unit_id, u.istat_code, m.name, u.floor_area
           FROM availability v INDEXED BY availability_open
           JOIN unit u ON u.id = v.unit_id
           JOIN municipality m ON m.istat_code = u.istat_code
          WHERE v.unit_id = ?1 AND v.closed IS NULL AND u.owner_id = ?2 AND {OPEN}"
    ))?;
    for id in chosen.into_iter().filter(|u| *u != t.unit.unit_id) {
        if let Some(u) = by_id
            .query_row(params![id, t.unit.owner_id], unit)
            .optional()?
        {
            candidates.push((u, true));
        }
    }
    if a.without_preferences
        && let Some((min, max)) = rules.unit_size_range(a.members)
    {
        // Enough to flag the choice and name a few: at most OTHERS_SHOWN + 1.
        let mut free = conn.prepare_cached(&format!(
            "SELECT v.unit_id, v.istat_code, m.name, u.floor_area
               FROM availability v INDEXED BY availability_waiting
               JOIN unit u ON u.id = v.unit_id
               JOIN municipality m ON m.istat_code = v.istat_code
              WHERE v.owner_id = ?1 AND v.istat_code = ?2 AND v.closed IS NULL
                AND v.unit_id <> ?3 AND u.floor_area BETWEEN ?4 AND ?5 AND {OPEN}
              LIMIT {}",
            OTHERS_SHOWN + 1
        ))?;
        let rows = free.query_map(
            params![t.unit.owner_id, t.unit.istat, t.unit.unit_id, min, max],
            unit,
        )?;
        for u in rows {
            let u = u?;
            if !candidates.iter().any(|(c, _)| c.unit_id == u.unit_id) {
                candidates.push((u, false));
            }
        }
    }
    Ok(also_eligible(a, rules, &candidates))
}

/// The stored rule set of `year`, storing the shipped ones first if needed (inside the
/// transaction).
pub(super) fn stored_rule_set(conn: &Connection, year: i32, by: &str) -> Result<i64> {
    if let (Some(id), _) = rules_of_year(conn, year)? {
        return Ok(id);
    }
    rule_sets::sync_builtin(conn, by)?;
    rules_of_year(conn, year)?.0.ok_or_else(|| {
        anyhow!(Refused(format!(
            "nessun insieme di regole in vigore il 1° gennaio {year}"
        )))
    })
}

/// A decision with where it was taken.
pub(super) struct Decided<'a> {
    pub ranking_id: i64,
    pub rule_set_id: i64,
    pub decision: &'a Decision,
    pub others: &'a [i64],
}

/// Writes a proposal decided on `conn` (inside its transaction), with its audit record when
/// `audited`.
pub(super) fn write_proposal(
    conn: &Connection,
    by: &str,
    t: &Target,
    decided: &Decided<'_>,
    today: NaiveDate,
    audited: bool,
) -> Result<Option<i64>> {
    let Decided {
        ranking_id,
        rule_set_id,
        decision: d,
        others,
    } = *decided;
    let Decision::Propose(p) = d else {
        return Ok(None);
    };
    let base: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM availability INDEXED BY availability_ledger
          WHERE year = ?1 AND owner_id = ?2 AND istat_code = ?3
            AND (closed IS NULL OR closed = 'ASSEGNATA')",
        )?
        .query_row(params![t.year, t.unit.owner_id, t.unit.istat], |r| r.get(0))?;
    let mut explanation = p.explanation.clone();
    explanation.extend(owner_choice_line(others));
    let at = now();
    conn.execute(
        "INSERT INTO assignment (availability_id, unit_id, owner_id, istat_code, year, ranking_id,
             application_id, line, stage, base_at, rule_set_id, explanation, owner_choice,
             proposed_on, proposed_by, unit_state_before, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'PROPOSTA', ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                 ?16, ?14)",
        params![
            t.availability_id,
            t.unit.unit_id,
            t.unit.owner_id,
            t.unit.istat,
            t.year,
            ranking_id,
            p.applicant.application_id,
            p.line.db(),
            base,
            rule_set_id,
            serde_json::to_string(&explanation)?,
            others
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(","),
            today.to_string(),
            by,
            t.state,
            at,
        ],
    )
    .map_err(|e| busy_unit(e, t.unit.unit_id))?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO application_outcome (application_id, state, assignment_id, at, by_operator)
         VALUES (?1, 'IN ISTRUTTORIA', ?2, ?3, ?4)",
        params![p.applicant.application_id, id, at, by],
    )
    .map_err(|e| busy_unit(e, t.unit.unit_id))?;
    if audited {
        audit::record(
            conn,
            Entry {
                operator: by,
                action: "assegnazioni.proposta",
                entity: "assignment",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(serde_json::json!({
                    "unit": t.unit.unit_id, "application": p.applicant.code,
                    "ranking": ranking_id, "line": p.line.db(), "base": base,
                    "explanation": explanation, "owner_choice": others,
                })),
            },
        )?;
    }
    Ok(Some(id))
}

fn busy_unit(e: rusqlite::Error, unit_id: i64) -> anyhow::Error {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        anyhow!(Refused(format!(
            "l'unità {unit_id} o la domanda proposta sono appena entrate in un'altra istruttoria (un altro operatore): ricaricare e riprovare"
        )))
    } else {
        e.into()
    }
}

/// Proposes `t` inside the open transaction `conn`.
pub(super) fn propose_on(
    conn: &Connection,
    by: &str,
    t: &Target,
    today: NaiveDate,
    audited: bool,
) -> Result<Proposed> {
    if let Some((id, stage)) = open_of(conn, t.unit.unit_id)? {
        return Err(anyhow!(Refused(format!(
            "l'unità {} ha già un'istruttoria in corso (assegnazione {id}, {stage})",
            t.unit.unit_id
        ))));
    }
    let Some(ranking_id) = final_ranking(conn, t.unit.owner_id, &t.unit.istat)? else {
        return Err(anyhow!(Refused(format!(
            "nessuna graduatoria definitiva dell'ente per il comune di {}: la proposta si fa dalla graduatoria definitiva",
            t.unit.comune
        ))));
    };
    let rule_set_id = stored_rule_set(conn, t.year, by)?;
    let set = super::rule_set(conn, rule_set_id)?;
    let rules = ranking_rules(&set)?;
    let (d, mut view) = decide_for(conn, t, ranking_id, rules)?;
    let others = match &d {
        Decision::Propose(p) => others_for(conn, t, &p.applicant, rules)?,
        Decision::Nobody(_) => Vec::new(),
    };
    let assignment_id = write_proposal(
        conn,
        by,
        t,
        &Decided {
            ranking_id,
            rule_set_id,
            decision: &d,
            others: &others,
        },
        today,
        audited,
    )?;
    // The ledger after the proposal, as a recomputation would give it.
    if let (Some(_), Decision::Propose(p)) = (assignment_id, &d) {
        view.ledger
            .record(p.line, crate::domain::assignment::Count::InProgress);
        view.waiting = view.waiting.saturating_sub(1);
    }
    Ok(Proposed {
        unit_id: t.unit.unit_id,
        assignment_id,
        decision: d,
        owner_choice: others,
        headline: view.headline(),
    })
}

/// What a proposal for `unit_id` would be now, without writing anything: the decision, the
/// other units of the owner the household could have, the ledger's top line.
pub fn preview(conn: &Connection, unit_id: i64) -> Result<Proposed> {
    let t = target(conn, unit_id)?;
    if let Some((id, stage)) = open_of(conn, unit_id)? {
        return Err(anyhow!(Refused(format!(
            "l'unità {unit_id} ha già un'istruttoria in corso (assegnazione {id}, {stage})"
        ))));
    }
    let Some(ranking_id) = final_ranking(conn, t.unit.owner_id, &t.unit.istat)? else {
        return Err(anyhow!(Refused(format!(
            "nessuna graduatoria definitiva dell'ente per il comune di {}",
            t.unit.comune
        ))));
    };
    let (_, set) = rules_of_year(conn, t.year)?;
    let rules = ranking_rules(&set)?;
    let (d, view) = decide_for(conn, &t, ranking_id, rules)?;
    let headline = view.headline();
    let owner_choice = match &d {
        Decision::Propose(p) => others_for(conn, &t, &p.applicant, rules)?,
        Decision::Nobody(_) => Vec::new(),
    };
    Ok(Proposed {
        unit_id,
        assignment_id: None,
        decision: d,
        owner_choice,
        headline,
    })
}

/// The oldest unit of the owner in the comune still waiting for an istruttoria.
pub fn next_waiting(conn: &Connection, owner_id: i64, istat: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT v.unit_id FROM availability v INDEXED BY availability_waiting
              WHERE v.owner_id = ?1 AND v.istat_code = ?2 AND v.closed IS NULL
                AND NOT EXISTS (SELECT 1 FROM assignment s INDEXED BY assignment_open_unit
                                 WHERE s.unit_id = v.unit_id
                                   AND (s.stage IN ('PROPOSTA','OFFERTA','ACCETTATA') OR (s.stage = 'ASSEGNATA' AND s.lease_date IS NULL)))
              ORDER BY v.available_on, v.id LIMIT 1")?.query_row(
            params![owner_id, istat],
            |r| r.get(0),
        )
        .optional()?)
}

impl Store {
    /// Proposes a household for unit `unit_id` (art. 13 and 15), one transaction with its
    /// audit record. When nobody can be proposed, nothing is written and the explanation says
    /// why.
    pub fn propose_assignment(
        &mut self,
        by: &str,
        unit_id: i64,
        today: NaiveDate,
    ) -> Result<Proposed> {
        let tx = self.write()?;
        let t = target(&tx, unit_id)?;
        let p = propose_on(&tx, by, &t, today, true)?;
        tx.commit()?;
        Ok(p)
    }
}
