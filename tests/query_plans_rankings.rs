//! The statements the ranking screens and commands issue (notices, rule sets, rankings, their
//! pages forward and back, the jump to an ID domanda, explanations, exclusions, the computation,
//! a correction, a what-if) are captured with SQLite's trace and explained: none may scan a
//! table that grows with applications or units without an index. `notice`, `rule_set` and
//! `ranking` hold a row per notice, rule set or owner×comune (tens to hundreds in all): with
//! statistics that say so, SQLite rightly reads them whole, and that is allowed.

use casa::store::{Access, Store, applications, notices, operators, rankings, rule_sets};
use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::{explain, full_scans, scanning_statements};

mod support;

/// The small tables (aliases as the statements use them).
const SMALL: &[&str] = &["n", "notice", "rule_set", "r", "ranking", "d", "district"];

#[test]
fn the_checker_catches_a_full_scan() {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("CREATE TABLE t(a, b); CREATE INDEX t_a ON t(a);")
        .unwrap();
    assert_eq!(
        full_scans(&explain(&c, "SELECT * FROM t WHERE b = 1"), SMALL),
        vec!["SCAN t"]
    );
    assert!(full_scans(&explain(&c, "SELECT * FROM t WHERE a = 1"), SMALL).is_empty());
}

#[test]
fn every_ranking_statement_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 5000,
            seed: 2,
        },
        &mut |_| {},
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    let made = casa::demo::notice::create(&path, 800, 2, today)
        .unwrap()
        .unwrap();
    let id = made.notice_id;
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    store.conn().execute_batch("ANALYZE").unwrap();
    let capofila = operators::scope(
        store.conn(),
        &format!("capofila.{}", made.district.to_lowercase()),
    )
    .unwrap()
    .unwrap();

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    store
        .trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();

    let conn = store.conn();
    notices::list(conn, None).unwrap();
    notices::get(conn, id).unwrap();
    rule_sets::list(conn).unwrap();
    rule_sets::find(conn, "R.R. 3/2019").unwrap();
    let list = rankings::list(conn, id).unwrap();
    let r = &list[0];
    let first = rankings::page(conn, r.id, None, None, 20).unwrap();
    let next = rankings::page(conn, r.id, Some(first.last().unwrap().position), None, 20).unwrap();
    rankings::page(conn, r.id, None, Some(next[0].position), 20).unwrap();
    let code = next[3].code.clone();
    rankings::position_of(conn, r.id, id, &code).unwrap();
    rankings::explain(conn, id, &code).unwrap();
    rankings::excluded(conn, id).unwrap();
    casa::store::preferences::dropped(conn, id).unwrap();
    applications::by_code(conn, id, &code).unwrap();
    applications::load_all(conn, id).unwrap();
    rule_sets::in_force_on(conn, today).unwrap();
    let other = rule_sets::find(conn, "R.R. 3/2019").unwrap();
    let other = rule_sets::load_parsed(conn, other.id).unwrap();
    rankings::compare(conn, id, other).unwrap();
    store.compute_rankings(&capofila, id, today).unwrap();
    let tax_code: String = store
        .conn()
        .query_row(
            "SELECT m.tax_code FROM application a JOIN application_member m ON m.application_id = a.id
              WHERE a.notice_id = ?1 AND a.code = ?2 LIMIT 1",
            rusqlite::params![id, code],
            |r| r.get(0),
        )
        .unwrap();
    store
        .correct_disability(
            &capofila,
            &rankings::Correction {
                notice_id: id,
                code: &code,
                tax_code: &tax_code,
                disability_pct: 100,
                attendance: true,
            },
            today,
        )
        .unwrap();
    store.trace_sql(None).unwrap();

    let c = Connection::open(&path).unwrap();
    let failures = scanning_statements(&c, &seen.lock().unwrap(), SMALL, 21);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
