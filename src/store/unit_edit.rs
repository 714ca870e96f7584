//! Changing one unit's state, flags and works: one transaction with its audit record (before
//! and after), refused when another session changed the unit after it was read.

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, now};
use crate::domain::registry::{ServiceType, UnitState};
use crate::domain::unit_edit::UnitEdit;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, params};

/// A unit as an edit starts from: its owner, service, editable values and version.
#[derive(Debug, Clone, PartialEq)]
pub struct Editable {
    pub unit_id: i64,
    pub owner_id: i64,
    pub service: ServiceType,
    pub values: UnitEdit,
    pub version: i64,
}

/// The unit `unit_id` as an edit reads it (by its primary key).
pub fn editable(conn: &Connection, unit_id: i64) -> Result<Option<Editable>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, service, state, sat, in_notice, barrier_free, has_lift, works,
                works_cost_cents, version
           FROM unit WHERE id = ?1",
    )?;
    let row = stmt
        .query_row([unit_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                [
                    r.get::<_, bool>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, bool>(6)?,
                ],
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })
        .optional()?;
    let Some((
        owner_id,
        service,
        state,
        [sat, in_notice, barrier_free, has_lift],
        works,
        cost,
        version,
    )) = row
    else {
        return Ok(None);
    };
    Ok(Some(Editable {
        unit_id,
        owner_id,
        service: ServiceType::from_code(service)
            .ok_or_else(|| anyhow!("tipo di servizio {service} sconosciuto"))?,
        values: UnitEdit {
            state: UnitState::from_code(state)
                .ok_or_else(|| anyhow!("stato {state} sconosciuto"))?,
            sat,
            in_notice,
            barrier_free,
            has_lift,
            works,
            works_cost_cents: cost,
        },
        version,
    }))
}

impl Store {
    /// Writes `edit` on unit `unit_id` if it is still at `expected_version`; returns the new
    /// version. Nothing is written (and nothing recorded) when nothing changes.
    pub fn edit_unit(
        &mut self,
        actor: &str,
        unit_id: i64,
        edit: &UnitEdit,
        expected_version: i64,
    ) -> Result<i64> {
        let tx = self.write()?;
        let Some(before) = editable(&tx, unit_id)? else {
            return Err(Refused(format!("alloggio {unit_id} non trovato")).into());
        };
        if before.version != expected_version {
            return Err(Refused(format!(
                "l'alloggio {unit_id} è stato modificato da un'altra sessione dopo la lettura (versione letta {expected_version}, attuale {}): rileggere l'alloggio e ripetere la modifica",
                before.version
            ))
            .into());
        }
        if edit.sat && before.service != ServiceType::Sap {
            return Err(Refused(
                "il SAT è una quota degli alloggi SAP: questo alloggio non è SAP".into(),
            )
            .into());
        }
        if &before.values == edit {
            tx.commit()?;
            return Ok(before.version);
        }
        tx.execute(
            "UPDATE unit SET state = ?2, sat = ?3, in_notice = ?4, barrier_free = ?5,
                    has_lift = ?6, works = ?7, works_cost_cents = ?8,
                    version = version + 1, updated_at = ?9
              WHERE id = ?1",
            params![
                unit_id,
                edit.state.code(),
                edit.sat,
                edit.in_notice,
                edit.barrier_free,
                edit.has_lift,
                edit.works,
                edit.works_cost_cents,
                now(),
            ],
        )?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "alloggio.modifica",
                entity: "unit",
                entity_id: Some(unit_id.to_string()),
                before: Some(serde_json::to_value(&before.values)?),
                after: Some(serde_json::to_value(edit)?),
            },
        )?;
        tx.commit()?;
        Ok(before.version + 1)
    }
}
