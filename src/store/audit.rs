//! The audit trail: every change to shared data writes one record, inside the change's own
//! transaction, so a change and its record are saved together or not at all. `record` is the
//! only writer: it stamps the connection's origin (where the session came from) and chains the
//! record to the one before it by hash (`domain::audit_chain`), so every writer gets both.

use crate::domain::audit_chain::{self, Break, GENESIS, Head, Link, Sealed, Verifier};
use anyhow::{Context, Result};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, params};
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

/// Sets the origin every record written on `conn` carries, as the SQL function
/// `casa_origin()` of the connection (so that it follows the connection into any transaction).
pub fn set_origin(conn: &Connection, origin: &str) -> Result<()> {
    let origin = origin.to_string();
    conn.create_scalar_function(
        "casa_origin",
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |_| Ok(origin.clone()),
    )?;
    Ok(())
}

/// The newest record's number and hash (None: no record yet).
fn last_link(conn: &Connection) -> Result<Option<(i64, Option<String>)>> {
    Ok(conn
        .prepare_cached("SELECT id, hash FROM audit WHERE id = (SELECT max(id) FROM audit)")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Writes `entry` on `conn` (pass the open write transaction): the next number, chained to the
/// newest record.
pub fn record(conn: &Connection, entry: Entry<'_>) -> Result<i64> {
    let origin: String = conn
        .prepare_cached("SELECT casa_origin()")?
        .query_row([], |r| r.get(0))?;
    let (id, prev) = match last_link(conn)? {
        Some((id, hash)) => (id + 1, hash.unwrap_or_else(|| GENESIS.to_string())),
        None => (1, GENESIS.to_string()),
    };
    let link = Link {
        id,
        at: super::now(),
        operator: entry.operator.to_string(),
        origin,
        action: entry.action.to_string(),
        entity: entry.entity.to_string(),
        entity_id: entry.entity_id,
        before: entry.before.map(|v| v.to_string()),
        after: entry.after.map(|v| v.to_string()),
    };
    let hash = audit_chain::hash(&prev, &link);
    conn.prepare_cached(
        "INSERT INTO audit (id, at, operator, origin, action, entity, entity_id, before, after,
                            prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        link.id,
        link.at,
        link.operator,
        link.origin,
        link.action,
        link.entity,
        link.entity_id,
        link.before,
        link.after,
        prev,
        hash
    ])
    .context("scrittura del registro audit")?;
    Ok(id)
}

const SEALED_COLUMNS: &str =
    "id, at, operator, origin, action, entity, entity_id, before, after, prev_hash, hash";

fn sealed_row(r: &rusqlite::Row) -> rusqlite::Result<Sealed> {
    Ok(Sealed {
        link: Link {
            id: r.get(0)?,
            at: r.get(1)?,
            operator: r.get(2)?,
            origin: r.get(3)?,
            action: r.get(4)?,
            entity: r.get(5)?,
            entity_id: r.get(6)?,
            before: r.get(7)?,
            after: r.get(8)?,
        },
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

/// Chains the records written before the chain existed (migration 10), in number order, after
/// the last sealed one. Run while migrating: later records are sealed as they are written.
pub fn seal(conn: &Connection) -> Result<u64> {
    let mut prev = GENESIS.to_string();
    let mut sealed = 0;
    let rows: Vec<Sealed> = {
        let mut stmt = conn.prepare(&format!("SELECT {SEALED_COLUMNS} FROM audit ORDER BY id"))?;
        stmt.query_map([], sealed_row)?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut set = conn.prepare("UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE id = ?1")?;
    for r in rows {
        match r.hash {
            Some(h) => prev = h,
            None => {
                let h = audit_chain::hash(&prev, &r.link);
                set.execute(params![r.link.id, prev, h])?;
                prev = h;
                sealed += 1;
            }
        }
    }
    Ok(sealed)
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Records checked before the first break (all of them when the chain is whole).
    pub checked: u64,
    /// The newest record, when the chain is whole: the checkpoint to keep.
    pub head: Option<Head>,
    /// The first break, in Italian, and its record number.
    pub problem: Option<String>,
    pub problem_record: Option<i64>,
}

impl Verification {
    pub fn is_whole(&self) -> bool {
        self.problem.is_none()
    }
}

fn break_record(b: &Break) -> i64 {
    match b {
        Break::Missing { from, .. } => *from,
        Break::Rewritten { id }
        | Break::Unsealed { id }
        | Break::Headless { id }
        | Break::Unlinked { id, .. } => *id,
        Break::Truncated { last, .. } => last.map_or(1, |l| l + 1),
        Break::CheckpointMismatch { id } => *id,
    }
}

/// Walks the whole trail in number order and reports the first broken link; with a
/// checkpoint, also a trail shorter than it or different up to it.
pub fn verify(conn: &Connection, checkpoint: Option<Head>) -> Result<Verification> {
    let mut v = Verifier::new(checkpoint);
    let mut stmt = conn.prepare(&format!("SELECT {SEALED_COLUMNS} FROM audit ORDER BY id"))?;
    let mut rows = stmt.query_map([], sealed_row)?;
    let mut problem = None;
    for r in rows.by_ref() {
        if let Err(b) = v.push(&r?) {
            problem = Some(b);
            break;
        }
    }
    let checked = v.checked;
    let head = match problem {
        Some(_) => None,
        None => match v.finish() {
            Ok(h) => h,
            Err(b) => {
                problem = Some(b);
                None
            }
        },
    };
    Ok(Verification {
        checked,
        head,
        problem_record: problem.as_ref().map(break_record),
        problem: problem.map(|b| b.to_string()),
    })
}

/// The newest record's number and hash, as the trail stands (not verified).
pub fn head(conn: &Connection) -> Result<Option<Head>> {
    Ok(last_link(conn)?.and_then(|(id, hash)| hash.map(|hash| Head { id, hash })))
}

/// A stored audit record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub id: i64,
    pub at: String,
    pub operator: String,
    /// Where the session came from: `locale UTENTE`, `ssh SHA256:… INDIRIZZO`, or empty for
    /// records written before casa kept it.
    pub origin: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

fn record_row(r: &rusqlite::Row) -> rusqlite::Result<Record> {
    Ok(Record {
        id: r.get(0)?,
        at: r.get(1)?,
        operator: r.get(2)?,
        origin: r.get(3)?,
        action: r.get(4)?,
        entity: r.get(5)?,
        entity_id: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
    })
}

/// The filters of `casa audit list` and of the Audit screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub operator: Option<String>,
    /// Entity kind (operator, unit, plan, …).
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// An action (`plan.approve`), or a group of actions (`operatore`: every `operatore.…`).
    pub action: Option<String>,
    /// From this instant (RFC 3339, inclusive) to that one (exclusive).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Records matching `filter`, newest first, older than `before` (a record number: keyset
/// paging), at most `limit`. The most selective filter given leads through its index.
pub fn list(
    conn: &Connection,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Record>> {
    let mut conds = vec!["id < ?1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = vec![before.unwrap_or(i64::MAX).into()];
    let mut add = |cond: &str, v: String| {
        args.push(v.into());
        conds.push(cond.replace('?', &format!("?{}", args.len())));
    };
    // The first condition decides the index: SQLite picks the equality on an indexed column.
    if let Some(o) = &filter.operator {
        add("operator = ?", o.clone());
    }
    if let Some(e) = &filter.entity {
        add("entity = ?", e.clone());
    }
    if let Some(e) = &filter.entity_id {
        add("entity_id = ?", e.clone());
    }
    if let Some(a) = &filter.action {
        if a.contains('.') {
            add("action = ?", a.clone());
        } else {
            // A group: `operatore` matches `operatore.…` ('/' follows '.').
            add("action >= ?", format!("{a}."));
            add("action < ?", format!("{a}/"));
        }
    }
    if let Some(f) = &filter.from {
        add("at >= ?", f.clone());
    }
    if let Some(t) = &filter.to {
        add("at < ?", t.clone());
    }
    args.push(limit.into());
    let sql = format!(
        "SELECT id, at, operator, origin, action, entity, entity_id, before, after FROM audit
         WHERE {} ORDER BY id DESC LIMIT ?{}",
        conds.join(" AND "),
        args.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), record_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One record by number.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Record>> {
    Ok(conn
        .query_row(
            "SELECT id, at, operator, origin, action, entity, entity_id, before, after
             FROM audit WHERE id = ?1",
            [id],
            record_row,
        )
        .optional()?)
}

/// Number of audit records (tests and `casa doctor`).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn write(store: &mut Store, n: usize) {
        for i in 0..n {
            let tx = store.write().unwrap();
            record(
                &tx,
                Entry {
                    operator: "regione",
                    action: "prova.scrive",
                    entity: "prova",
                    entity_id: Some(i.to_string()),
                    before: None,
                    after: Some(serde_json::json!({ "i": i })),
                },
            )
            .unwrap();
            tx.commit().unwrap();
        }
    }

    #[test]
    fn every_record_carries_the_origin_and_the_chain_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("a.sqlite")).unwrap();
        store.set_origin("ssh SHA256:abc 192.0.2.1:5000").unwrap();
        write(&mut store, 5);
        let c = store.conn();
        let r = list(c, &Filter::default(), None, 10).unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].id, 5, "newest first");
        assert!(
            r.iter()
                .all(|x| x.origin == "ssh SHA256:abc 192.0.2.1:5000")
        );
        let v = verify(c, None).unwrap();
        assert!(v.is_whole(), "{v:?}");
        assert_eq!((v.checked, v.head.as_ref().unwrap().id), (5, 5));
        // Paging by key and the action group.
        let older = list(c, &Filter::default(), Some(3), 10).unwrap();
        assert_eq!(older.iter().map(|x| x.id).collect::<Vec<_>>(), vec![2, 1]);
        let f = Filter {
            action: Some("prova".into()),
            operator: Some("regione".into()),
            ..Filter::default()
        };
        assert_eq!(list(c, &f, None, 2).unwrap().len(), 2);
        let none = Filter {
            action: Some("prov".into()),
            ..Filter::default()
        };
        assert!(list(c, &none, None, 10).unwrap().is_empty());
    }

    #[test]
    fn tampering_with_sqlite_is_named_by_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        let mut store = Store::create(&path).unwrap();
        write(&mut store, 6);
        let head = verify(store.conn(), None).unwrap().head.unwrap();
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute("DELETE FROM audit WHERE id = 6", []).unwrap();
        let v = verify(store.conn(), Some(head)).unwrap();
        assert_eq!(v.problem_record, Some(6), "{v:?}");
        raw.execute("UPDATE audit SET operator = 'mallory' WHERE id = 2", [])
            .unwrap();
        let v = verify(store.conn(), None).unwrap();
        assert_eq!(v.problem_record, Some(2), "{v:?}");
        assert!(v.problem.unwrap().contains("record 2 modificato"));
    }
}
