//! The data derived from `unit` for the search (comune sort rank, tally, text index), and how a
//! bulk loader switches its triggers off and rebuilds it once at the end.

use anyhow::{Context, Result};
use rusqlite::Connection;

/// Name prefix of every trigger that keeps derived search data in step with `unit`.
const SYNC_PREFIX: &str = "search_sync_";

/// Ranks the comuni alphabetically (municipality.sort_rank). Run after the reference data is
/// loaded or changed; units pick the rank up on insert, or through `rebuild_derived`.
pub fn rank_comuni(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "UPDATE municipality SET sort_rank = (
             SELECT r FROM (SELECT istat_code AS ic,
                                   row_number() OVER (ORDER BY name COLLATE NOCASE, istat_code) AS r
                            FROM municipality) WHERE ic = municipality.istat_code)",
    )
    .context("ordinamento alfabetico dei comuni")?;
    Ok(())
}

/// Rebuilds the trigram text index from the units (after a bulk load without triggers), then
/// merges it into one segment: 'rebuild' leaves several (9 at a million units), and a text's
/// first page, read straight from the index, looks each trigram up in every segment (at 1M
/// units: 95 µs for "garibaldi" with 9 segments, 14 µs with one; the merge takes about 1 s).
pub fn rebuild_text_index(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT INTO unit_text(unit_text) VALUES ('rebuild');
         INSERT INTO unit_text(unit_text) VALUES ('optimize');",
    )
    .context("ricostruzione dell'indice di ricerca testuale")?;
    Ok(())
}

/// Recomputes everything the sync triggers maintain: comune ranks, each unit's comune_sort,
/// the tally and the text index. Idempotent; about 10 s for a million units.
pub fn rebuild_derived(conn: &Connection) -> Result<()> {
    rank_comuni(conn)?;
    conn.execute_batch(
        "UPDATE unit SET comune_sort = m.sort_rank
         FROM municipality m
         WHERE m.istat_code = unit.istat_code AND unit.comune_sort <> m.sort_rank;
         DELETE FROM unit_tally;
         INSERT INTO unit_tally
             SELECT owner_id, istat_code, service, state, in_notice, ifnull(plan_year, 0),
                    max(province), count(*)
             FROM unit
             GROUP BY owner_id, istat_code, service, state, in_notice, ifnull(plan_year, 0);",
    )
    .context("ricalcolo dei totali degli alloggi")?;
    rebuild_text_index(conn)
}

/// The sync triggers dropped by `suspend_sync`, to recreate with `resume`.
#[derive(Debug, Clone)]
#[must_use = "call resume() after the load, or the search data stays stale"]
pub struct SuspendedSync(Vec<(String, String)>);

/// Drops the sync triggers before a bulk load of `unit`: a million trigger runs (and a
/// million text-index inserts) cost far more than one rebuild at the end.
pub fn suspend_sync(conn: &Connection) -> Result<SuspendedSync> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE ?1 ORDER BY name",
    )?;
    let saved = stmt
        .query_map([format!("{SYNC_PREFIX}%")], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    for (name, _) in &saved {
        conn.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(SuspendedSync(saved))
}

impl SuspendedSync {
    /// Rebuilds the derived data and recreates the triggers, in one transaction when `conn`
    /// is not already in one.
    pub fn resume(self, conn: &Connection) -> Result<()> {
        let tx = if conn.is_autocommit() {
            Some(conn.unchecked_transaction()?)
        } else {
            None
        };
        rebuild_derived(conn)?;
        for (name, sql) in &self.0 {
            conn.execute_batch(sql)
                .with_context(|| format!("ricreazione del trigger {name}"))?;
        }
        if let Some(tx) = tx {
            tx.commit()?;
        }
        Ok(())
    }
}
