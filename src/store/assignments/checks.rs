//! Document checks during the istruttoria (DOMAIN.md 5): a missing access requirement removes
//! the application and the next household is proposed for the unit; a scoring condition the
//! documents do not prove is taken away, the ISBAR recomputed, the application moved in its
//! rankings, and the unit proposed again on the new order (the same household may come out
//! again). Each is one transaction with its audit records.

use super::propose::{Proposed, propose_on, target};
use super::ranking_rules;
use super::rerank::{Moved, rerank};
use super::steps::{StepDone, StepRequest, apply};
use crate::domain::application::Application;
use crate::domain::assignment::Step;
use crate::domain::isbar::{self, points};
use crate::rules::ranking::{Membership, RankingRules};
use crate::store::audit::{self, Entry};
use crate::store::certification::Refused;
use crate::store::{Store, applications, notices};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;

/// What the documents showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentCheck {
    /// An access requirement is missing (ISEE, assets, residence, …): the application leaves
    /// the rankings, the istruttoria is cancelled, the next household is proposed.
    MissingRequirement { requirement: String, reason: String },
    /// A condition that scored is not documented: it is taken away (a declared one from the
    /// declaration, a disability from the members it came from), the score recomputed and the
    /// application re-ranked; the istruttoria is cancelled and the unit proposed again.
    MissingCondition { code: String, reason: String },
}

/// What a document check did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub cancelled: StepDone,
    /// The application's new places, after a missing condition.
    pub moved: Vec<Moved>,
    /// The next proposal for the same unit.
    pub next: Option<Proposed>,
}

fn clean(what: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(anyhow!(Refused(format!("{what} mancante"))));
    }
    if t.chars().count() > 500 || t.chars().any(crate::safe_text::is_unsafe) {
        return Err(anyhow!(Refused(format!(
            "{what}: al più 500 caratteri stampabili"
        ))));
    }
    Ok(t.to_string())
}

impl Store {
    /// A document check of assignment `id` (seen at `version`), one transaction with its
    /// audit records.
    pub fn assignment_check(
        &mut self,
        by: &str,
        id: i64,
        version: Option<i64>,
        check: &DocumentCheck,
        today: NaiveDate,
    ) -> Result<Checked> {
        let tx = self.write()?;
        let (cancelled, moved) = match check {
            DocumentCheck::MissingRequirement {
                requirement,
                reason,
            } => (
                missing_requirement(&tx, by, id, version, requirement, reason, today)?,
                Vec::new(),
            ),
            DocumentCheck::MissingCondition { code, reason } => {
                missing_condition(&tx, by, id, version, code, reason, today)?
            }
        };
        let t = target(&tx, cancelled.assignment.unit_id)?;
        let next = propose_on(&tx, by, &t, today, false)?;
        // One audit record for all the check did: the cancellation, the application's fate,
        // the next proposal.
        let (action, what) = match check {
            DocumentCheck::MissingRequirement { requirement, .. } => (
                "assegnazioni.requisito_mancante",
                serde_json::json!({ "requirement": requirement }),
            ),
            DocumentCheck::MissingCondition { code, .. } => (
                "assegnazioni.condizione_non_documentata",
                serde_json::json!({ "condition": code, "moved": moved }),
            ),
        };
        let a = &cancelled.assignment;
        audit::record(
            &tx,
            Entry {
                operator: by,
                action,
                entity: "assignment",
                entity_id: Some(id.to_string()),
                before: Some(serde_json::json!({
                    "stage": cancelled.before, "unit": a.unit_id, "application": a.code,
                })),
                after: Some(serde_json::json!({
                    "stage": a.stage, "version": a.version, "reason": a.outcome_reason,
                    "check": what,
                    "next": next.assignment_id,
                    "next_application": next.decision.proposal().map(|p| p.applicant.code.clone()),
                })),
            },
        )?;
        tx.commit()?;
        Ok(Checked {
            cancelled,
            moved,
            next: Some(next),
        })
    }
}

fn missing_requirement(
    tx: &Connection,
    by: &str,
    id: i64,
    version: Option<i64>,
    requirement: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<StepDone> {
    let requirement = clean("requisito", requirement)?.to_uppercase();
    let reason = clean("motivo", reason)?;
    let why = format!("requisito di accesso mancante ({requirement}): {reason}");
    let cancelled = apply(
        tx,
        by,
        &StepRequest {
            assignment_id: id,
            version,
            step: Step::Cancel,
            reason: Some(why.clone()),
        },
        today,
        false,
    )?;
    let app = cancelled.assignment.application_id;
    tx.execute(
        "INSERT INTO application_outcome (application_id, state, assignment_id, reason, at,
             by_operator)
         VALUES (?1, 'RIMOSSA', ?2, ?3, ?4, ?5)
         ON CONFLICT (application_id) DO UPDATE SET state = 'RIMOSSA',
             assignment_id = ?2, reason = ?3, at = ?4, by_operator = ?5",
        params![app, id, why, crate::store::now(), by],
    )?;
    Ok(cancelled)
}

/// Takes condition `code` away from `app`: from the declaration, or — a disability — from the
/// members it came from. Refused for a condition that did not score or that the household's
/// dates make (an age).
fn take_away(
    app: &mut Application,
    code: &str,
    rules: &RankingRules,
    scored: &[String],
) -> Result<String> {
    let Some(c) = rules.condition(code) else {
        return Err(anyhow!(Refused(format!(
            "'{code}' non è una condizione del punteggio di questo avviso"
        ))));
    };
    if !scored.iter().any(|s| s == code) {
        return Err(anyhow!(Refused(format!(
            "la condizione {code} non ha dato punti alla domanda {}: nulla da ricalcolare",
            app.code
        ))));
    }
    match &c.membership {
        Some(Membership::Disabilita {
            min_pct,
            max_pct,
            accompagnamento,
        }) => {
            let mut n = 0;
            for m in app.members.iter_mut() {
                let in_band = (*min_pct..=*max_pct).contains(&m.disability_pct)
                    && accompagnamento.is_none_or(|a| a == m.attendance_allowance);
                if in_band {
                    m.disability_pct = 0;
                    m.attendance_allowance = false;
                    n += 1;
                }
            }
            Ok(format!("invalidità non documentata tolta a {n} componenti"))
        }
        Some(m) if m.derived() => Err(anyhow!(Refused(format!(
            "la condizione {code} deriva dalle date di nascita e dalla composizione del nucleo: si corregge con i dati della domanda, non togliendola"
        )))),
        _ => {
            app.declared.retain(|d| d != code);
            Ok("tolta dalle condizioni dichiarate".into())
        }
    }
}

fn missing_condition(
    tx: &Connection,
    by: &str,
    id: i64,
    version: Option<i64>,
    code: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<(StepDone, Vec<Moved>)> {
    let code = clean("condizione", code)?.to_uppercase();
    let reason = clean("motivo", reason)?;
    let a = super::reads::assignment(tx, id)?;
    let notice = notices::get(tx, a.notice_id)?;
    let set = super::rule_set(tx, notice.rule_set_id)?;
    let rules = ranking_rules(&set)?;
    let (app_id, mut app) = applications::by_code(tx, a.notice_id, &a.code)?
        .ok_or_else(|| applications::not_found(a.notice_id, &a.code))?;
    let scored: Vec<String> = isbar::conditions_met(&app, rules, notice.opens_on);
    let what = take_away(&mut app, &code, rules, &scored)?;
    tx.execute(
        "UPDATE application SET declared = ?2, version = version + 1 WHERE id = ?1",
        params![app_id, app.declared.join(";")],
    )?;
    for (i, m) in app.members.iter().enumerate() {
        tx.execute(
            "UPDATE application_member SET disability_pct = ?3, attendance = ?4
              WHERE application_id = ?1 AND seq = ?2",
            params![
                app_id,
                i as i64 + 1,
                m.disability_pct,
                m.attendance_allowance
            ],
        )?;
    }
    let moved = rerank(tx, app_id, &app, rules, notice.opens_on)?;
    let places: Vec<String> = moved
        .iter()
        .map(|m| {
            format!(
                "{}: ISBAR {} → {}, posizione {} → {}",
                m.comune,
                points(m.isbar_before),
                points(m.isbar_after),
                m.before,
                m.after
            )
        })
        .collect();
    let why = format!(
        "condizione {code} non documentata ({reason}): {what}; punteggio ricalcolato ({})",
        places.join("; ")
    );
    let cancelled = apply(
        tx,
        by,
        &StepRequest {
            assignment_id: id,
            version,
            step: Step::Cancel,
            reason: Some(why.clone()),
        },
        today,
        false,
    )?;
    Ok((cancelled, moved))
}
