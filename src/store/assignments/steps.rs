//! The steps of the istruttoria: offer, accept, refuse, no answer, cancel, the assignment act,
//! the lease. Each is one transaction with its audit record; the version the operator saw is
//! checked, so two operators never overwrite each other's step.

use super::reads::{AssignmentRow, assignment};
use super::{day, ranking_rules};
use crate::domain::assignment::istruttoria::{self, Facts, Stage, Step};
use crate::domain::occupation::check;
use crate::store::audit::{self, Entry};
use crate::store::certification::Refused;
use crate::store::{Store, now};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;

/// A step asked by an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRequest {
    pub assignment_id: i64,
    /// The version the operator saw; `None` does not check (a script that just read it).
    pub version: Option<i64>,
    pub step: Step,
    /// Why (refusal, no answer, cancellation): kept with the assignment and the application.
    pub reason: Option<String>,
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepDone {
    pub before: Stage,
    pub assignment: AssignmentRow,
    /// The application left the rankings (a refusal or no answer, per the rule set).
    pub removed: bool,
    /// The unit's new state, when it changed.
    pub unit_state: Option<&'static str>,
}

pub(super) fn facts(a: &AssignmentRow) -> Facts {
    Facts {
        stage: a.stage,
        proposed_on: day(&Some(a.proposed_on.clone())).unwrap_or_default(),
        offered_on: day(&a.offered_on),
        answer_by: day(&a.answer_by),
        act_date: day(&a.act_date),
        lease_date: day(&a.lease_date),
    }
}

pub(super) fn check_version(a: &AssignmentRow, seen: Option<i64>) -> Result<()> {
    if let Some(v) = seen
        && v != a.version
    {
        return Err(anyhow!(Refused(format!(
            "l'assegnazione {} è stata modificata da un altro operatore (ora {}, versione {}): ricaricare e riprovare",
            a.id, a.stage, a.version
        ))));
    }
    Ok(())
}

pub(super) fn set_unit_state(conn: &Connection, unit_id: i64, label: &str) -> Result<()> {
    conn.execute(
        "UPDATE unit SET state = (SELECT code FROM unit_state WHERE label = ?2),
                version = version + 1, updated_at = ?3
          WHERE id = ?1",
        params![unit_id, label, now()],
    )?;
    Ok(())
}

/// Whether the rule set of the assignment removes an application that refuses.
fn refusal_removes(conn: &Connection, assignment_id: i64) -> Result<bool> {
    let rs: i64 = conn
        .prepare_cached("SELECT rule_set_id FROM assignment WHERE id = ?1")?
        .query_row([assignment_id], |r| r.get(0))?;
    let set = super::rule_set(conn, rs)?;
    Ok(ranking_rules(&set)?.quotas.refusal_removes)
}

/// The default deadline of an offer made `today`: the rule set's days to answer.
pub fn offer_deadline(
    conn: &Connection,
    assignment_id: i64,
    today: NaiveDate,
) -> Result<NaiveDate> {
    let rs: i64 = conn
        .prepare_cached("SELECT rule_set_id FROM assignment WHERE id = ?1")?
        .query_row([assignment_id], |r| r.get(0))?;
    let set = super::rule_set(conn, rs)?;
    let days = ranking_rules(&set)?.quotas.offer_answer_days;
    Ok(today + chrono::Duration::days(i64::from(days)))
}

/// Records the lease: the unit leaves the units to assign (its availability closes before the
/// unit becomes OCCUPATO, which would otherwise withdraw it).
fn sign_lease(conn: &Connection, id: i64, date: NaiveDate) -> Result<()> {
    conn.execute(
        "UPDATE assignment SET lease_date = ?2 WHERE id = ?1",
        params![id, date.to_string()],
    )?;
    conn.execute(
        "UPDATE availability SET closed = 'ASSEGNATA', closed_on = ?2
          WHERE id = (SELECT availability_id FROM assignment WHERE id = ?1)",
        params![id, date.to_string()],
    )?;
    Ok(())
}

/// The access requirements hold at the assignment too: a member found in the register of
/// occupations without title in the look-back ending on the act's date stops the act, naming
/// the occupation and the document check that ends the istruttoria.
fn register_check_at_act(conn: &Connection, a: &AssignmentRow, act: NaiveDate) -> Result<()> {
    let Some((_, app)) = crate::store::applications::by_code(conn, a.notice_id, &a.code)? else {
        return Ok(());
    };
    let register = crate::store::occupations::register::for_tax_codes(
        conn,
        app.members.iter().map(|m| m.tax_code.as_str()),
    )?;
    let rs: i64 = conn
        .prepare_cached("SELECT rule_set_id FROM assignment WHERE id = ?1")?
        .query_row([a.id], |r| r.get(0))?;
    let set = super::rule_set(conn, rs)?;
    let rules = ranking_rules(&set)?;
    match check::failure_before(
        &app,
        &register,
        &rules.occupation_lookback,
        &set.cite,
        act,
        check::Moment::Assignment,
    ) {
        None => Ok(()),
        Some(f) => Err(anyhow!(Refused(format!(
            "assegnazione {}: requisito {} non soddisfatto alla data del provvedimento: {}; \
             chiudere l'istruttoria con il controllo dei documenti (casa assignments cancel {} \
             --missing-requirement {} --reason …)",
            a.id, f.requirement, f.reason, a.id, f.requirement
        )))),
    }
}

/// Applies `req` inside the open transaction `conn`; with `audited`, writes its audit record
/// (a document check writes one record for all it does).
pub(super) fn apply(
    conn: &Connection,
    by: &str,
    req: &StepRequest,
    today: NaiveDate,
    audited: bool,
) -> Result<StepDone> {
    let a = assignment(conn, req.assignment_id)?;
    check_version(&a, req.version)?;
    let to = istruttoria::next(&facts(&a), &req.step, today)
        .map_err(|e| anyhow!(Refused(format!("assegnazione {}: {e}", a.id))))?;
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if matches!(req.step, Step::Cancel) && reason.is_none() {
        return Err(anyhow!(Refused(
            "annullamento: indicare il motivo (--reason)".into()
        )));
    }
    if reason.is_some_and(|r| r.chars().count() > 500 || r.chars().any(crate::safe_text::is_unsafe))
    {
        return Err(anyhow!(Refused(
            "motivo: al più 500 caratteri stampabili".into()
        )));
    }
    let at = now();
    let t = today.to_string();
    let mut removed = false;
    match &req.step {
        Step::Offer { answer_by } => {
            conn.execute(
                "UPDATE assignment SET offered_on = ?2, answer_by = ?3 WHERE id = ?1",
                params![a.id, t, answer_by.to_string()],
            )?;
        }
        Step::Accept => {
            conn.execute(
                "UPDATE assignment SET outcome_on = ?2 WHERE id = ?1",
                params![a.id, t],
            )?;
        }
        Step::Refuse | Step::NoAnswer => {
            let why = reason.map(str::to_string).unwrap_or_else(|| {
                if req.step == Step::Refuse {
                    "rifiuto dell'alloggio proposto".into()
                } else {
                    format!(
                        "nessuna risposta entro il {}",
                        day(&a.answer_by)
                            .map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
                    )
                }
            });
            conn.execute(
                "UPDATE assignment SET outcome_on = ?2, outcome_reason = ?3 WHERE id = ?1",
                params![a.id, t, why],
            )?;
            removed = refusal_removes(conn, a.id)?;
            if removed {
                conn.execute(
                    "UPDATE application_outcome SET state = 'RIMOSSA', reason = ?2, at = ?3,
                            by_operator = ?4
                      WHERE application_id = ?1",
                    params![a.application_id, format!("{}: {why}", to), at, by],
                )?;
            } else {
                conn.execute(
                    "DELETE FROM application_outcome WHERE application_id = ?1",
                    [a.application_id],
                )?;
            }
        }
        Step::Cancel => {
            conn.execute(
                "UPDATE assignment SET outcome_on = ?2, outcome_reason = ?3 WHERE id = ?1",
                params![a.id, t, reason],
            )?;
            conn.execute(
                "DELETE FROM application_outcome WHERE application_id = ?1",
                [a.application_id],
            )?;
        }
        Step::Assign {
            number,
            date,
            lease,
        } => {
            register_check_at_act(conn, &a, *date)?;
            conn.execute(
                "UPDATE assignment SET act_number = ?2, act_date = ?3 WHERE id = ?1",
                params![a.id, number.trim(), date.to_string()],
            )?;
            conn.execute(
                "UPDATE application_outcome SET state = 'ASSEGNATA', at = ?2, by_operator = ?3
                  WHERE application_id = ?1",
                params![a.application_id, at, by],
            )?;
            if let Some(l) = lease {
                sign_lease(conn, a.id, *l)?;
            }
        }
        Step::Lease { date } => sign_lease(conn, a.id, *date)?,
    }
    let unit_state = istruttoria::unit_state_after(&req.step, a.stage);
    if let Some(label) = unit_state {
        set_unit_state(conn, a.unit_id, label)?;
    }
    conn.execute(
        "UPDATE assignment SET stage = ?2, version = version + 1, updated_at = ?3,
                updated_by = ?4
          WHERE id = ?1",
        params![a.id, to.db(), at, by],
    )?;
    let after = assignment(conn, a.id)?;
    if audited {
        audit::record(
            conn,
            Entry {
                operator: by,
                action: match req.step {
                    Step::Offer { .. } => "assegnazioni.offerta",
                    Step::Accept => "assegnazioni.accetta",
                    Step::Refuse => "assegnazioni.rifiuto",
                    Step::NoAnswer => "assegnazioni.senza_risposta",
                    Step::Cancel => "assegnazioni.annulla",
                    Step::Assign { .. } => "assegnazioni.provvedimento",
                    Step::Lease { .. } => "assegnazioni.contratto",
                },
                entity: "assignment",
                entity_id: Some(a.id.to_string()),
                before: Some(serde_json::json!({
                    "stage": a.stage, "version": a.version, "unit": a.unit_id,
                    "application": a.code,
                })),
                after: Some(serde_json::json!({
                    "stage": after.stage, "version": after.version, "reason": reason,
                    "answer_by": after.answer_by, "act_number": after.act_number,
                    "act_date": after.act_date, "lease_date": after.lease_date,
                    "removed": removed, "unit_state": unit_state,
                })),
            },
        )?;
    }
    Ok(StepDone {
        before: a.stage,
        assignment: after,
        removed,
        unit_state,
    })
}

impl Store {
    /// One step of an istruttoria, in one transaction with its audit record.
    pub fn assignment_step(
        &mut self,
        by: &str,
        req: &StepRequest,
        today: NaiveDate,
    ) -> Result<StepDone> {
        let tx = self.write()?;
        let done = apply(&tx, by, req, today, true)?;
        tx.commit()?;
        Ok(done)
    }
}
