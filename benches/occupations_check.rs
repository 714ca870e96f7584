//! The five-year check at scale: `rankings compute` of the demo notice of 500,000 applications,
//! on one copy of the database, with the register of occupations without title empty and
//! with 50,000 occupations (about 125,000 codici fiscali, 2,500 of them applicants' members),
//! in pairs run in ABBA order so drift falls on both sides:
//!
//!     cargo build --release
//!     ./target/release/casa demo --units 1000000 --applications 500000 --db /tmp/rank500k.sqlite
//!     cargo bench --bench occupations_check -- --db /tmp/rank500k.sqlite --pairs 4
//!
//! The target (issue 15): the check adds no more than 10% to the whole command. Figures are
//! printed, never asserted.

use casa::store::{Access, Store, applications, notices, rankings};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const OCCUPATIONS: usize = 50_000;
const HITS: usize = 2_500;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A made-up personal codice fiscale (the check only compares them).
fn code(rng: &mut ChaCha8Rng) -> String {
    let l = |rng: &mut ChaCha8Rng| (b'A' + rng.random_range(0..26)) as char;
    let d = |rng: &mut ChaCha8Rng| (b'0' + rng.random_range(0..10)) as char;
    let mut s = String::new();
    for _ in 0..6 {
        s.push(l(rng));
    }
    s.push(d(rng));
    s.push(d(rng));
    s.push(l(rng));
    s.push(d(rng));
    s.push(d(rng));
    s.push('Z');
    for _ in 0..3 {
        s.push(d(rng));
    }
    s.push(l(rng));
    s
}

/// Fills staging tables with the register (copied into place before each "full" run).
fn stage(c: &Connection, notice_id: i64) {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let members: Vec<String> = {
        let mut stmt = c
            .prepare(
                "SELECT m.tax_code FROM application a JOIN application_member m ON m.application_id = a.id
                  WHERE a.notice_id = ?1",
            )
            .unwrap();
        stmt.query_map([notice_id], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let units: Vec<(i64, i64, String, String)> = {
        let mut stmt = c
            .prepare("SELECT id, owner_id, istat_code, code FROM unit WHERE id % 20 = 0 LIMIT ?1")
            .unwrap();
        stmt.query_map([OCCUPATIONS as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    c.execute_batch(
        "DROP TABLE IF EXISTS bench_occupation; DROP TABLE IF EXISTS bench_member;
         CREATE TABLE bench_occupation AS SELECT * FROM occupation WHERE 0;
         CREATE TABLE bench_member AS SELECT * FROM occupation_member WHERE 0;",
    )
    .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    {
        let mut occ = tx
            .prepare(
                "INSERT INTO bench_occupation (id, owner_id, code, unit_id, unit_code, istat_code,
                    province, address_prefix, address, street_number, tax_code, name, surname,
                    birth_date, started_on, kind, detect_type, detect_id, detect_on, debt, ended,
                    ended_on, version, created_at, updated_at)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, 'MI', 1, 'Roma', '1', ?6, 'Nome', 'Cognome',
                    '1980-01-01', ?7, 1, 'Verbale', 'V', ?7, 0, ?8, ?9, 1, 'x', 'x')",
            )
            .unwrap();
        let mut mem = tx
            .prepare(
                "INSERT INTO bench_member (occupation_id, seq, tax_code, surname, name, relationship)
                 VALUES (?1, ?2, ?3, 'Cognome', 'Nome', 'FIGLIO')",
            )
            .unwrap();
        let today = chrono::Local::now().date_naive();
        for i in 0..OCCUPATIONS {
            let (_, owner, istat, unit) = &units[i % units.len()];
            let started = today - chrono::Duration::days(rng.random_range(30..3650));
            let ended = rng
                .random_bool(0.4)
                .then(|| started + chrono::Duration::days(rng.random_range(30..900)))
                .filter(|e| *e < today);
            // The first HITS occupations name an applicant's member.
            let occupant = if i < HITS {
                members[rng.random_range(0..members.len())].clone()
            } else {
                code(&mut rng)
            };
            let id = i as i64 + 1;
            occ.execute(params![
                id,
                owner,
                format!("BENCH-{id}"),
                format!("{unit}-B"),
                istat,
                occupant,
                started.to_string(),
                ended.is_some(),
                ended.map(|e| e.to_string()),
            ])
            .unwrap();
            for seq in 1..=rng.random_range(0..4) {
                mem.execute(params![id, seq, code(&mut rng)]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn fill(c: &Connection, full: bool) {
    c.execute_batch("DELETE FROM occupation_member; DELETE FROM occupation;")
        .unwrap();
    if full {
        c.execute_batch(
            "INSERT INTO occupation SELECT * FROM bench_occupation;
             INSERT INTO occupation_member SELECT * FROM bench_member;
             ANALYZE occupation; ANALYZE occupation_member;",
        )
        .unwrap();
    }
}

fn compute(db: &Path, notice_id: i64, capofila: &str) -> (Duration, usize) {
    let mut store = Store::open(db, Access::ReadWrite).expect("open");
    let today = chrono::Local::now().date_naive();
    let t = Instant::now();
    let s = store
        .compute_rankings(capofila, notice_id, today)
        .expect("compute");
    (t.elapsed(), s.excluded)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(db) = arg("--db").map(PathBuf::from) else {
        eprintln!("uso: cargo bench --bench occupations_check -- --db DB [--pairs N]");
        std::process::exit(2);
    };
    let pairs: usize = arg("--pairs").and_then(|p| p.parse().ok()).unwrap_or(4);
    let copy = std::env::temp_dir().join(format!("casa-occ-bench-{}.sqlite", std::process::id()));
    // A plain copy (VACUUM INTO would drop the schema version and casa's application id).
    Connection::open(&db)
        .expect("open")
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    std::fs::copy(&db, &copy).expect("copy");
    let (notice_id, capofila) = {
        let store = Store::open(&copy, Access::ReadOnly).expect("open copy");
        let n = notices::list(store.conn(), None)
            .expect("notices")
            .remove(0);
        (n.id, format!("capofila.{}", n.district_code.to_lowercase()))
    };
    let c = Connection::open(&copy).expect("open copy");
    let t = Instant::now();
    stage(&c, notice_id);
    println!(
        "register staged: {OCCUPATIONS} occupations, {HITS} naming an applicant's member ({:?})",
        t.elapsed()
    );
    // The register alone, as the computation reads it (one read, then a lookup per member).
    fill(&c, true);
    {
        let store = Store::open(&copy, Access::ReadOnly).expect("open");
        let ctx = rankings::Context::load(store.conn(), notice_id).expect("context");
        let apps = applications::load_all(store.conn(), notice_id).expect("apps");
        let members: usize = apps.iter().map(|(_, a)| a.members.len()).sum();
        let mut reads = Vec::new();
        let mut checks = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let reg = ctx.register(store.conn(), &apps).expect("register");
            reads.push(t.elapsed());
            let t = Instant::now();
            let lb = ctx.set.ranking().expect("rules").occupation_lookback;
            let hits = apps
                .iter()
                .filter(|(_, a)| {
                    casa::domain::occupation::check::failure(a, &reg, &lb, "R.R.").is_some()
                })
                .count();
            checks.push(t.elapsed());
            if reads.len() == 1 {
                println!(
                    "{} applications, {members} members; register read: {} occupations in the window; {hits} applications refused",
                    apps.len(),
                    reg.occupations()
                );
            }
        }
        println!(
            "register read (medians of 5): {:?}; the check of every member: {:?}",
            median(reads),
            median(checks)
        );
    }
    let mut empty = Vec::new();
    let mut full = Vec::new();
    for i in 0..pairs {
        let order: [bool; 2] = if i % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for with in order {
            fill(&c, with);
            let (d, excluded) = compute(&copy, notice_id, &capofila);
            println!(
                "  pair {} {}: {:?} ({excluded} excluded)",
                i + 1,
                if with {
                    "50,000 occupations"
                } else {
                    "empty register   "
                },
                d
            );
            if with {
                full.push(d);
            } else {
                empty.push(d);
            }
        }
    }
    let ratios: Vec<f64> = empty
        .iter()
        .zip(&full)
        .map(|(e, f)| f.as_secs_f64() / e.as_secs_f64())
        .collect();
    let (me, mf) = (median(empty), median(full));
    println!(
        "casa rankings compute, medians of {pairs}: empty register {me:?}, 50,000 occupations {mf:?} — ratio {:.3} (pairs: {}) — target ≤ 1.10",
        mf.as_secs_f64() / me.as_secs_f64(),
        ratios
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    drop(c);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
}
