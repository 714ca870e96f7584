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

/// Recomputes the units per filter value (`unit_dim_total`, migration 10) from the tally.
pub fn fill_dim_totals(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM unit_dim_total;
         INSERT INTO unit_dim_total (dim, value, n)
             SELECT 'O', CAST(owner_id AS TEXT), sum(n) FROM unit_tally GROUP BY owner_id
             UNION ALL SELECT 'C', istat_code, sum(n) FROM unit_tally GROUP BY istat_code
             UNION ALL SELECT 'P', province, sum(n) FROM unit_tally GROUP BY province
             UNION ALL SELECT 'T', CAST(state AS TEXT), sum(n) FROM unit_tally GROUP BY state
             UNION ALL SELECT 'S', CAST(service AS TEXT), sum(n) FROM unit_tally GROUP BY service
             UNION ALL SELECT 'N', CAST(in_notice AS TEXT), sum(n) FROM unit_tally GROUP BY in_notice
             UNION ALL SELECT 'Y', CAST(plan_year AS TEXT), sum(n) FROM unit_tally GROUP BY plan_year
             UNION ALL SELECT '*', '', ifnull(sum(n), 0) FROM unit_tally;",
    )
    .context("ricalcolo dei totali per valore dei filtri")?;
    Ok(())
}

/// Recomputes everything the sync triggers maintain: comune ranks, each unit's comune_sort,
/// the tally and its totals per filter value, the text index. Idempotent; about 10 s for a
/// million units.
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
    fill_dim_totals(conn)?;
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

#[cfg(test)]
mod tests {
    use crate::store::{Access, Store};

    /// The totals per filter value always equal the units counted by value, after inserts,
    /// updates of every tallied column and deletes through the triggers, and after a rebuild.
    #[test]
    fn totals_per_value_follow_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        crate::demo::create(
            &path,
            &crate::demo::Options {
                units: 400,
                seed: 2,
            },
            &mut |_| {},
        )
        .unwrap();
        let store = Store::open(&path, Access::ReadWrite).unwrap();
        let c = store.conn();
        let truth = |c: &rusqlite::Connection| -> Vec<(String, String, i64)> {
            let mut s = c
                .prepare(
                    "SELECT 'O', CAST(owner_id AS TEXT), count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'C', istat_code, count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'P', province, count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'T', CAST(state AS TEXT), count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'S', CAST(service AS TEXT), count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'N', CAST(in_notice AS TEXT), count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT 'Y', CAST(ifnull(plan_year, 0) AS TEXT), count(*) FROM unit GROUP BY 2
                     UNION ALL SELECT '*', '', count(*) FROM unit
                     ORDER BY 1, 2",
                )
                .unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let stored = |c: &rusqlite::Connection| -> Vec<(String, String, i64)> {
            let mut s = c
                .prepare("SELECT dim, value, n FROM unit_dim_total WHERE n <> 0 ORDER BY 1, 2")
                .unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(stored(c), truth(c), "after the demo's rebuild");
        c.execute_batch(
            "UPDATE unit SET state = (state % 5) + 1 WHERE id % 7 = 0;
             UPDATE unit SET plan_year = 2031 WHERE id % 5 = 0;
             UPDATE unit SET in_notice = 1 - in_notice WHERE id % 9 = 0;
             UPDATE unit SET service = (service % 3) + 1 WHERE id % 13 = 0 AND sat = 0;
             UPDATE unit SET owner_id = (SELECT min(owner_id) FROM unit) WHERE id % 17 = 0;
             UPDATE unit SET istat_code = '015146', province = 'MI' WHERE id % 19 = 0;
             PRAGMA foreign_keys = OFF;
             DELETE FROM unit WHERE id % 23 = 0;",
        )
        .unwrap();
        assert_eq!(stored(c), truth(c), "after changes through the triggers");
        super::rebuild_derived(c).unwrap();
        assert_eq!(stored(c), truth(c), "after a rebuild");
    }
}
