//! Document checks during the istruttoria (DOMAIN.md 5): a missing access requirement cancels
//! the application and the next household is proposed for the unit.

use super::propose::{Proposed, propose_on, target};
use super::steps::{StepDone, StepRequest, apply};
use crate::domain::assignment::Step;
use crate::store::Store;
use crate::store::audit::{self, Entry};
use crate::store::certification::Refused;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

/// What the documents showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentCheck {
    /// An access requirement is missing (ISEE, assets, residence, …): the application leaves
    /// the rankings, the istruttoria is cancelled, the next household is proposed.
    MissingRequirement { requirement: String, reason: String },
}

/// What a document check did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    pub cancelled: StepDone,
    /// The next proposal for the same unit.
    pub next: Option<Proposed>,
}

fn clean(what: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(anyhow!(Refused(format!("{what} mancante"))));
    }
    if t.chars().count() > 500 || t.chars().any(char::is_control) {
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
        let DocumentCheck::MissingRequirement {
            requirement,
            reason,
        } = check;
        let requirement = clean("requisito", requirement)?.to_uppercase();
        let reason = clean("motivo", reason)?;
        let why = format!("requisito di accesso mancante ({requirement}): {reason}");
        let cancelled = apply(
            &tx,
            by,
            &StepRequest {
                assignment_id: id,
                version,
                step: Step::Cancel,
                reason: Some(why.clone()),
            },
            today,
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
        audit::record(
            &tx,
            Entry {
                operator: by,
                action: "assegnazioni.requisito_mancante",
                entity: "application",
                entity_id: Some(app.to_string()),
                before: None,
                after: Some(serde_json::json!({
                    "assignment": id, "requirement": requirement, "reason": reason,
                })),
            },
        )?;
        let t = target(&tx, cancelled.assignment.unit_id)?;
        let next = propose_on(&tx, by, &t, today)?;
        tx.commit()?;
        Ok(Checked {
            cancelled,
            next: Some(next),
        })
    }
}
