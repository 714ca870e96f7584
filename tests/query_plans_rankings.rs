//! The statements the ranking screens and commands issue (notices, rule sets, rankings, their
//! pages forward and back, the jump to an ID domanda, explanations, exclusions, the computation,
//! a correction, a what-if) are captured with SQLite's trace and explained: none may scan a
//! table that grows with applications or units without an index. `notice`, `rule_set` and
//! `ranking` hold a row per notice, rule set or owner×comune (tens to hundreds in all): with
//! statistics that say so, SQLite rightly reads them whole, and that is allowed.

use casa::service::rankings::Jump;
use casa::service::{Claim, Need, Origin, Service};
use casa::store::rankings::Correction;
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
    let db = Connection::open(&path).unwrap();
    db.execute_batch("ANALYZE").unwrap();
    let claim = Claim {
        operator: format!("capofila.{}", made.district.to_lowercase()),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: false,
    };
    let mut svc = Service::open(&path, &claim, Need::Write).unwrap();

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    svc.trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();

    // What the Graduatorie screens and the commands read, through the service.
    svc.notices(None, today).unwrap();
    let view = svc.notice(id, today).unwrap();
    svc.comparable_rule_sets(id).unwrap();
    let r = &view.rankings[0];
    let first = svc.ranking_window(r.id, None, None, 20).unwrap().rows;
    let next = svc
        .ranking_window(r.id, Some(first.last().unwrap().position), None, 20)
        .unwrap()
        .rows;
    svc.ranking_window(r.id, None, Some(next[0].position), 20)
        .unwrap();
    let code = next[3].code.clone();
    assert!(matches!(
        svc.ranking_jump(r.id, &code, 20).unwrap(),
        Jump::At { .. }
    ));
    svc.explain_application(id, &code).unwrap();
    // The search of an ID domanda, whole or a piece, in every ranking of the notice.
    assert!(!svc.find_in_notice(id, &code, 200).unwrap().is_empty());
    svc.find_in_notice(id, &code[1..4], 200).unwrap();
    // What the capofila's screens ask besides: may it manage the notice, create one.
    assert!(svc.may_manage_notice(&view.notice));
    assert!(svc.own_notice_district().is_some());
    svc.excluded_applications(id).unwrap();
    svc.dropped_preferences(id).unwrap();
    svc.ranking_tables(id, None, None, Some(20)).unwrap();
    let other = svc.rule_set("R.R. 3/2019").unwrap();
    svc.what_if(id, other).unwrap();
    svc.compute_rankings(id, today).unwrap();
    // A new notice finds the rule set in force on its opening day.
    let district: i64 = db
        .query_row("SELECT district_id FROM notice WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    svc.create_notice(&casa::service::notices::NewNoticeRequest {
        district_id: district,
        title: "Secondo avviso",
        opens_on: today,
        closes_on: today + chrono::Duration::days(40),
        rules: None,
    })
    .unwrap();
    let tax_code: String = db
        .query_row(
            "SELECT m.tax_code FROM application a JOIN application_member m ON m.application_id = a.id
              WHERE a.notice_id = ?1 AND a.code = ?2 LIMIT 1",
            rusqlite::params![id, code],
            |r| r.get(0),
        )
        .unwrap();
    svc.correct_ranking(
        &Correction {
            notice_id: id,
            code: &code,
            tax_code: &tax_code,
            disability_pct: 100,
            attendance: true,
        },
        today,
    )
    .unwrap();
    svc.trace_sql(None).unwrap();
    drop(svc);

    let c = Connection::open(&path).unwrap();
    let failures = scanning_statements(&c, &seen.lock().unwrap(), SMALL, 21);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
