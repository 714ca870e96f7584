//! Making a notice's provisional rankings final, after the corrections window.

use super::deadlines;
use crate::store::audit::{self, Entry as AuditEntry};
use crate::store::certification::Refused;
use crate::store::{Store, notices};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::params;

impl Store {
    /// Makes a notice's rankings final (capofila), once the corrections window has passed.
    pub fn finalize_rankings(
        &mut self,
        actor: &str,
        notice_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<String>> {
        notices::get(self.conn(), notice_id)?;
        let d = deadlines(self.conn(), notice_id, today)?;
        let tx = self.write()?;
        let provisional: i64 = tx.query_row(
            "SELECT count(*) FROM ranking INDEXED BY ranking_notice
             WHERE notice_id = ?1 AND state = 'PROVVISORIA'",
            [notice_id],
            |r| r.get(0),
        )?;
        if provisional == 0 {
            return Err(Refused(format!(
                "l'avviso {notice_id} non ha graduatorie provvisorie da rendere definitive"
            ))
            .into());
        }
        if today <= d.corrections_until {
            return Err(Refused(format!(
                "le rettifiche sono ammesse fino al {}: la graduatoria diventa definitiva dopo",
                d.corrections_until.format("%d/%m/%Y")
            ))
            .into());
        }
        let mut warnings = Vec::new();
        if today > d.final_by {
            warnings.push(format!(
                "Attenzione: graduatoria definitiva dopo il {}",
                d.final_by.format("%d/%m/%Y")
            ));
        }
        tx.execute(
            "UPDATE ranking INDEXED BY ranking_notice
                SET state = 'DEFINITIVA', final_on = ?2, version = version + 1
              WHERE notice_id = ?1 AND state = 'PROVVISORIA'",
            params![notice_id, today.to_string()],
        )?;
        audit::record(
            &tx,
            AuditEntry {
                operator: actor,
                action: "graduatorie.definitive",
                entity: "notice",
                entity_id: Some(notice_id.to_string()),
                before: None,
                after: Some(serde_json::json!({ "rankings": provisional, "final_on": today })),
            },
        )?;
        tx.commit()?;
        Ok(warnings)
    }
}
