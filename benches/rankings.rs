//! Rankings at scale, on a database whose demo notice has 500,000 applications:
//!
//!     cargo build --release
//!     ./target/release/casa demo --units 1000000 --applications 500000 --db /tmp/rank500k.sqlite
//!     cargo bench --bench rankings -- --db /tmp/rank500k.sqlite
//!
//! Measures: reading the notice's applications from SQLite; computing every ranking of the
//! notice in memory (access checks, preferences, ISBAR, sort — the target: ≤ 2 s); the whole
//! `rankings compute` (read + compute + write in one transaction, on a copy of the file); and,
//! in a ranking view, the first page, the next page, the previous page and the jump to an ID
//! domanda (medians). Figures are printed, never asserted.

use casa::store::{Access, Store, applications, notices, operators, rankings};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
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
        eprintln!("uso: cargo bench --bench rankings -- --db DB [--notice N] [--runs N]");
        std::process::exit(2);
    };
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(3);
    let store = Store::open(&db, Access::ReadOnly).expect("open db");
    let conn = store.conn();
    let notice_id: i64 = match arg("--notice") {
        Some(n) => n.parse().expect("--notice N"),
        None => notices::list(conn, None).expect("notices")[0].id,
    };
    let ctx = rankings::Context::load(conn, notice_id).expect("context");

    let mut reads = Vec::new();
    let mut apps = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        apps = applications::load_all(conn, notice_id).expect("applications");
        reads.push(t.elapsed());
    }
    println!(
        "notice {notice_id}: {} applications, {} units offered, rules {}",
        apps.len(),
        ctx.offered.len(),
        ctx.rule_set.label()
    );
    println!("read applications from SQLite: median {:?}", median(reads));

    let mut computes = Vec::new();
    let mut computed = None;
    for _ in 0..runs.max(5) {
        let t = Instant::now();
        let c = ctx.compute(conn, &apps).expect("compute");
        computes.push(t.elapsed());
        computed = Some(c);
    }
    let c = computed.expect("computed");
    let ranked: usize = c.rankings.values().map(Vec::len).sum();
    println!(
        "compute all rankings in memory (checks + ISBAR + sort): median {:?} — {} rankings, {ranked} positions, {} excluded (target ≤ 2 s)",
        median(computes),
        c.rankings.len(),
        c.excluded.len()
    );

    // Page moves in the largest ranking.
    let list = rankings::list(conn, notice_id).expect("rankings");
    if let Some(r) = list.iter().max_by_key(|r| r.entries) {
        let mut first = Vec::new();
        let mut next = Vec::new();
        let mut prev = Vec::new();
        let mut jump = Vec::new();
        let middle = rankings::page(conn, r.id, Some(r.entries / 2), None, 1).expect("page");
        let code = middle.first().map(|e| e.code.clone()).unwrap_or_default();
        for _ in 0..300 {
            let t = Instant::now();
            let p = rankings::page(conn, r.id, None, None, 20).expect("page");
            first.push(t.elapsed());
            let after = p.last().map(|e| e.position);
            let t = Instant::now();
            let q = rankings::page(conn, r.id, after, None, 20).expect("page");
            next.push(t.elapsed());
            let t = Instant::now();
            rankings::page(conn, r.id, None, q.first().map(|e| e.position), 20).expect("page");
            prev.push(t.elapsed());
            let t = Instant::now();
            rankings::position_of(conn, r.id, notice_id, &code).expect("position");
            jump.push(t.elapsed());
        }
        println!(
            "ranking view on {} · {} ({} rows): first page {:?}, next {:?}, previous {:?}, jump to ID domanda {:?} (medians of 300)",
            r.owner_name,
            r.comune,
            r.entries,
            median(first),
            median(next),
            median(prev),
            median(jump)
        );
    }
    drop(store);

    // The whole command on a copy: read, compute, write, audit.
    let copy = std::env::temp_dir().join(format!("casa-rank-bench-{}.sqlite", std::process::id()));
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("VACUUM INTO ?1", [copy.to_str().expect("path")])
        .expect("copy");
    let mut store = Store::open(&copy, Access::ReadWrite).expect("open copy");
    let notice = notices::get(store.conn(), notice_id).expect("notice");
    let district: String = notice.district_code.to_lowercase();
    let scope = operators::scope(store.conn(), &format!("capofila.{district}"))
        .expect("scope")
        .expect("capofila");
    let today = chrono::Local::now().date_naive();
    let t = Instant::now();
    let s = store
        .compute_rankings(&scope.username, notice_id, today)
        .expect("compute");
    println!(
        "casa rankings compute (read + compute + write + audit): {:?} — {} positions",
        t.elapsed(),
        s.ranked
    );
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
}
