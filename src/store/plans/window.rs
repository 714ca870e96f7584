//! The plan card's Salva: new window dates for a plan in BOZZA or APERTO, version-checked,
//! with its history row and audit record.

use super::{Changed, Move, get, record_change};
use crate::domain::plan::{self, PlanState};
use crate::store::audit::{self, Entry};
use crate::store::certification::Refused;
use crate::store::{Store, now};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::params;

impl Store {
    /// Sets the communication window of plan `plan_id` to `start`–`end`, if it is still at
    /// `expected_version`. Only in BOZZA or APERTO (a closed window is reopened with Riapri);
    /// an open window keeps its start (owners may have filed) and may not end before today.
    pub fn set_plan_window(
        &mut self,
        actor: &str,
        plan_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        expected_version: i64,
        today: NaiveDate,
    ) -> Result<Changed> {
        let tx = self.write()?;
        let before = get(&tx, plan_id)?;
        if before.version != expected_version {
            return Err(Refused(format!(
                "il piano {plan_id} è stato modificato da un'altra sessione dopo la lettura (versione letta {expected_version}, attuale {}): rileggere il piano e ripetere la modifica",
                before.version
            ))
            .into());
        }
        let state = before.effective_state(today);
        if !matches!(state, PlanState::Draft | PlanState::Open) {
            return Err(Refused(format!(
                "il piano {plan_id} è in stato {}: le date si cambiano solo in BOZZA o APERTO",
                state.db()
            ))
            .into());
        }
        let warnings = plan::check_card(before.year, start, end).map_err(|e| Refused(e.0))?;
        if state == PlanState::Open {
            if start != before.window_start {
                return Err(Refused(format!(
                    "la finestra del piano {plan_id} è aperta dal {}: la data di inizio non cambia",
                    before.window_start.format("%d/%m/%Y")
                ))
                .into());
            }
            if end < today {
                return Err(Refused(
                    "la data di fine comunicazione è passata: per chiudere la finestra usare Chiudi finestra".into(),
                )
                .into());
            }
        }
        if (start, end) == (before.window_start, before.window_end) {
            tx.commit()?;
            return Ok(Changed {
                plan: before,
                warnings,
            });
        }
        let at = now();
        tx.execute(
            "UPDATE plan SET window_start = ?2, window_end = ?3, version = version + 1 WHERE id = ?1",
            params![plan_id, start.to_string(), end.to_string()],
        )?;
        let m = Move {
            action: "date",
            from: Some(state),
            to: state,
            end,
        };
        record_change(&tx, plan_id, m, &at, actor)?;
        let plan = get(&tx, plan_id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "piano.date",
                entity: "plan",
                entity_id: Some(plan_id.to_string()),
                before: Some(serde_json::to_value(&before)?),
                after: Some(serde_json::to_value(&plan)?),
            },
        )?;
        tx.commit()?;
        Ok(Changed { plan, warnings })
    }
}
