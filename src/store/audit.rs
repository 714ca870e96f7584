//! The audit trail: every change to shared data writes one record, inside the change's own
//! transaction, so a change and its record are saved together or not at all.

use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;

/// One audit record to write.
pub struct Entry<'a> {
    pub operator: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Writes `entry` on `conn` (pass the open transaction).
pub fn record(conn: &Connection, entry: Entry<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO audit (at, operator, action, entity, entity_id, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            super::now(),
            entry.operator,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.before.map(|v| v.to_string()),
            entry.after.map(|v| v.to_string()),
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A stored audit record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub id: i64,
    pub at: String,
    pub operator: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The newest `limit` records, optionally for one entity kind (and id), newest first.
pub fn list(
    conn: &Connection,
    entity: Option<&str>,
    entity_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, operator, action, entity, entity_id, before, after FROM audit
         WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, limit], |r| {
        Ok(Record {
            id: r.get(0)?,
            at: r.get(1)?,
            operator: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of audit records (tests and `casa doctor`).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?)
}
