//! Assignments at scale, on a database whose demo notice has 500,000 applications:
//!
//!     cargo build --release
//!     ./target/release/casa demo --units 1000000 --applications 500000 --db /tmp/rank500k.sqlite
//!     cargo bench --bench assignments -- --db /tmp/rank500k.sqlite
//!
//! On a copy of the file (VACUUM INTO, removed at the end): the notice's rankings are made
//! final; 170,000 units — Lombardy's whole public stock — are made available in the current
//! year, and one in five of those made available here is given an istruttoria in every stage
//! and on every line. Measures (medians, printed, never asserted):
//!   - the quota ledger of the whole region-year recomputed from scratch (every owner × comune:
//!     base, lines by stage, the plan's shares) — target under 100 ms;
//!   - one proposal in the notice's largest ranking: the decision alone (read only) and the
//!     whole `propose` (decision, write, audit, commit), for every unit waiting, one after
//!     another: median, 90th percentile, first and second half — target under 1 ms.

use casa::store::assignments::{self, ledgers_of_year};
use casa::store::{Access, Store};
use chrono::Datelike;
use rusqlite::{Connection, params};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

const REGION_UNITS: i64 = 170_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(db) = arg("--db").map(PathBuf::from) else {
        eprintln!("uso: cargo bench --bench assignments -- --db DB [--runs N] [--units N]");
        std::process::exit(2);
    };
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(11);
    let proposals: i64 = arg("--units").and_then(|r| r.parse().ok()).unwrap_or(200);
    let copy =
        std::env::temp_dir().join(format!("casa-assign-bench-{}.sqlite", std::process::id()));
    Connection::open(&db)
        .expect("open")
        .execute("VACUUM INTO ?1", [copy.to_str().expect("path")])
        .expect("copy");
    // Opening read-write applies the migrations this build needs.
    drop(Store::open(&copy, Access::ReadWrite).expect("open copy"));
    let year = chrono::Local::now().date_naive().year();
    let today = chrono::Local::now().date_naive();

    // ---- Setup on the copy.
    let t = Instant::now();
    let conn = Connection::open(&copy).expect("open");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        .expect("pragmas");
    let tx = conn.unchecked_transaction().expect("tx");
    tx.execute(
        "UPDATE ranking SET state = 'DEFINITIVA', final_on = date('now')",
        [],
    )
    .expect("final");
    // The largest ranking: its owner and comune get `proposals` units made free.
    let (ranking, owner, istat, entries): (i64, i64, String, i64) = tx
        .query_row(
            "SELECT r.id, r.owner_id, r.istat_code,
                    (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id) n
               FROM ranking r ORDER BY n DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("ranking");
    tx.execute(
        "UPDATE unit SET state = 1 WHERE id IN (
             SELECT id FROM unit INDEXED BY unit_owner_state
              WHERE owner_id = ?1 AND istat_code = ?2 AND state <> 1 AND floor_area IS NOT NULL
              LIMIT ?3)",
        params![owner, istat, proposals],
    )
    .expect("free units");
    let open: i64 = tx
        .query_row("SELECT count(*) FROM availability", [], |r| r.get(0))
        .expect("count");
    // The rest of the region's stock, available in the year; every fifth through an
    // istruttoria (the first as assigned, with the act).
    tx.execute(
        "INSERT INTO availability (unit_id, owner_id, istat_code, year, available_on, origin,
             closed)
         SELECT id, owner_id, istat_code, ?1, date('now'), 'BENCH',
                CASE WHEN id % 5 = 0 THEN 'ASSEGNATA' END
           FROM unit
          WHERE id NOT IN (SELECT unit_id FROM availability) AND NOT (owner_id = ?3 AND istat_code = ?4)
          ORDER BY id LIMIT ?2",
        params![year, (REGION_UNITS - open).max(0), owner, istat],
    )
    .expect("availability");
    let rule_set: i64 = tx
        .query_row("SELECT max(id) FROM rule_set", [], |r| r.get(0))
        .expect("rule set");
    let lines = [
        "INDIGENTI",
        "GRADUATORIA",
        "GRADUATORIA",
        "ANZIANI",
        "DISABILI",
        "GRADUATORIA",
    ];
    let stages = [
        "ASSEGNATA",
        "ASSEGNATA",
        "ACCETTATA",
        "RIFIUTATA",
        "ANNULLATA",
    ];
    {
        let mut apps = tx
            .prepare("SELECT application_id FROM ranking_entry WHERE ranking_id = ?1")
            .expect("apps");
        let apps: Vec<i64> = apps
            .query_map([ranking], |r| r.get(0))
            .expect("apps")
            .collect::<Result<_, _>>()
            .expect("apps");
        let mut avail = tx
            .prepare(
                "SELECT id, unit_id, owner_id, istat_code FROM availability
                  WHERE origin = 'BENCH' AND closed = 'ASSEGNATA'",
            )
            .expect("avail");
        let rows: Vec<(i64, i64, i64, String)> = avail
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("avail")
            .collect::<Result<_, _>>()
            .expect("avail");
        let mut ins = tx
            .prepare(
                "INSERT INTO assignment (availability_id, unit_id, owner_id, istat_code, year,
                     ranking_id, application_id, line, stage, base_at, rule_set_id, explanation,
                     proposed_on, proposed_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, '[]', date('now'), 'bench',
                         date('now'), 'bench')",
            )
            .expect("insert");
        for (i, (a, u, o, c)) in rows.iter().enumerate() {
            ins.execute(params![
                a,
                u,
                o,
                c,
                year,
                ranking,
                apps[i % apps.len()],
                lines[i % lines.len()],
                stages[i % stages.len()],
                rule_set
            ])
            .expect("assignment");
        }
    }
    tx.commit().expect("commit");
    conn.execute_batch("ANALYZE").expect("analyze");
    let (avail, assigned): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM availability WHERE year = ?1),
                    (SELECT count(*) FROM assignment WHERE year = ?1)",
            [year],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("counts");
    let apps: i64 = conn
        .query_row("SELECT count(*) FROM application", [], |r| r.get(0))
        .expect("apps");
    drop(conn);
    println!(
        "setup {:.1} s: year {year}, {avail} units available, {assigned} assignments, {apps} applications; largest ranking {ranking} ({entries} positions)",
        t.elapsed().as_secs_f64()
    );

    // ---- The region-year ledger, recomputed from scratch.
    let mut store = Store::open(&copy, Access::ReadWrite).expect("open");
    let mut times = Vec::new();
    let mut lines_n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let all = ledgers_of_year(store.conn(), year, &|_, _| true).expect("ledgers");
        times.push(t.elapsed());
        lines_n = all.len();
    }
    println!(
        "ledger of the whole region-year, recomputed from scratch: median {:?} over {runs} runs ({lines_n} owner × comune ledgers; target < 100 ms)",
        median(times)
    );

    // ---- Proposals in the largest ranking.
    let waiting: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT unit_id FROM availability WHERE owner_id = ?1 AND istat_code = ?2 AND closed IS NULL")
            .expect("waiting");
        stmt.query_map(params![owner, istat], |r| r.get(0))
            .expect("waiting")
            .collect::<Result<_, _>>()
            .expect("waiting")
    };
    // Where a decision's time goes: the ledger of the unit's owner in its comune alone.
    let key = casa::store::assignments::LedgerKey {
        owner_id: owner,
        istat: istat.clone(),
        year,
    };
    let mut ledgers = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        assignments::ledger(store.conn(), &key).expect("ledger");
        ledgers.push(t.elapsed());
    }
    println!(
        "the ledger of one owner in one comune (part of every proposal): median {:?}",
        median(ledgers)
    );
    let mut previews = Vec::new();
    let mut writes = Vec::new();
    let mut nobody = 0;
    for u in &waiting {
        let t = Instant::now();
        let p = assignments::preview(store.conn(), *u).expect("preview");
        previews.push(t.elapsed());
        if p.assignment_id.is_none() && p.decision.proposal().is_none() {
            nobody += 1;
        }
        let t = Instant::now();
        store
            .propose_assignment("bench", *u, today)
            .expect("propose");
        writes.push(t.elapsed());
    }
    if !previews.is_empty() {
        let p90 = |v: &[Duration]| {
            let mut v = v.to_vec();
            v.sort();
            v[v.len() * 9 / 10]
        };
        let half = previews.len() / 2;
        println!(
            "one proposal in ranking {ranking} ({entries} positions), {} units one after another: decision alone median {:?} (p90 {:?}; first half {:?}, second half {:?}); whole propose with write, audit and commit median {:?} (p90 {:?}); {nobody} with nobody to propose (target < 1 ms)",
            previews.len(),
            median(previews.clone()),
            p90(&previews),
            median(previews[..half.max(1)].to_vec()),
            median(previews[half..].to_vec()),
            median(writes.clone()),
            p90(&writes),
        );
    }
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
}
