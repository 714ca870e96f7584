//! Preferred units a ranking computation did not keep, with the reason (art. 9 c.2, the
//! number of units, adequacy, the indigents' comune): stored with the rankings, listed by
//! `casa rankings excluded --preferences` and shown in the explanation.

use crate::domain::application::DroppedPreference;
use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// Replaces a notice's dropped preferences (inside the computation's transaction).
pub fn write_dropped(
    conn: &Connection,
    notice_id: i64,
    dropped: &[(i64, DroppedPreference)],
) -> Result<()> {
    conn.execute(
        "DELETE FROM preference_dropped WHERE notice_id = ?1",
        [notice_id],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO preference_dropped (notice_id, application_id, seq, unit_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut seq = 0i64;
    let mut last = None;
    for (app, d) in dropped {
        seq = if last == Some(*app) { seq + 1 } else { 1 };
        last = Some(*app);
        stmt.execute(params![notice_id, app, seq, d.unit_id, d.reason])?;
    }
    Ok(())
}

/// A dropped preference, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedRow {
    pub application_id: i64,
    pub code: String,
    pub unit_id: i64,
    pub reason: String,
}

/// The preferences of a notice's applications that its last computation did not keep.
pub fn dropped(conn: &Connection, notice_id: i64) -> Result<Vec<DroppedRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.application_id, a.code, p.unit_id, p.reason
         FROM preference_dropped p JOIN application a ON a.id = p.application_id
         WHERE p.notice_id = ?1 ORDER BY a.code, p.seq",
    )?;
    let rows = stmt.query_map([notice_id], |r| {
        Ok(DroppedRow {
            application_id: r.get(0)?,
            code: r.get(1)?,
            unit_id: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
