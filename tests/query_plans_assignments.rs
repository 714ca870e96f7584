//! The statements the Assegnazione screen and the `casa assignments` commands issue (the
//! ledger of one owner in one comune and of the whole region, the units to assign, the list
//! of the year, a preview and a proposal with its candidates, every step of the istruttoria, a
//! document check, the what-if replay, where the applications of a ranking stand) are
//! captured with SQLite's trace and explained: none may scan a table that grows with units,
//! applications or assignments without an index. Reference tables (owners, comuni, districts,
//! kinds and states, rule sets, plans, rankings: bounded by the region, not by the data) may be
//! read whole.

use casa::domain::assignment::Step;
use casa::store::assignments::{self, DocumentCheck, LedgerKey, ListFilter, StepRequest};
use casa::store::{Access, Store};
use chrono::Datelike;
use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::{explain, scanning_statements};

mod support;

const SMALL: &[&str] = &[
    "o",
    "owner",
    "k",
    "owner_kind",
    "m",
    "municipality",
    "dm",
    "district_municipality",
    "d",
    "district",
    "rs",
    "rule_set",
    "us",
    "unit_state",
    "p",
    "plan",
    "r",
    "ranking",
];

#[test]
fn every_assignment_statement_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 30000,
            seed: 1,
        },
        &mut |_| {},
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    casa::demo::notice::create(&path, 1500, 1, today)
        .unwrap()
        .unwrap();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let (owner_id, istat): (i64, String) = store
        .conn()
        .query_row(
            "SELECT r.owner_id, r.istat_code FROM ranking r
              ORDER BY (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id) DESC
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    store
        .conn()
        .execute_batch("UPDATE ranking SET state = 'DEFINITIVA'; ANALYZE;")
        .unwrap();
    let key = LedgerKey {
        owner_id,
        istat: istat.clone(),
        year: today.year(),
    };

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    store
        .trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();

    let conn = store.conn();
    assignments::ledger(conn, &key).unwrap();
    assignments::ledgers_of_year(conn, key.year, &|_, _| true).unwrap();
    let units = assignments::available_units(conn, &key, None, 50).unwrap();
    let after = units.first().map(|u| u.availability_id);
    assignments::available_units(conn, &key, after, 50).unwrap();
    assert!(units.len() >= 3);
    let next = assignments::next_waiting(conn, owner_id, &istat)
        .unwrap()
        .unwrap();
    assignments::preview(conn, next).unwrap();
    let p = store.propose_assignment("op", next, today).unwrap();
    let id = p.assignment_id.unwrap();
    let by = assignments::offer_deadline(store.conn(), id, today).unwrap();
    for step in [Step::Offer { answer_by: by }, Step::Accept] {
        store
            .assignment_step(
                "op",
                &StepRequest {
                    assignment_id: id,
                    version: None,
                    step,
                    reason: None,
                },
                today,
            )
            .unwrap();
    }
    for step in [
        Step::Assign {
            number: "1/2026".into(),
            date: today,
            lease: None,
        },
        Step::Lease { date: today },
    ] {
        store
            .assignment_step(
                "op",
                &StepRequest {
                    assignment_id: id,
                    version: None,
                    step,
                    reason: None,
                },
                today,
            )
            .unwrap();
    }
    let second = units
        .iter()
        .map(|u| u.unit_id)
        .find(|u| *u != next)
        .unwrap();
    let p = store.propose_assignment("op", second, today).unwrap();
    let id2 = p.assignment_id.unwrap();
    store
        .assignment_step(
            "op",
            &StepRequest {
                assignment_id: id2,
                version: None,
                step: Step::Offer { answer_by: today },
                reason: None,
            },
            today,
        )
        .unwrap();
    store
        .assignment_step(
            "op",
            &StepRequest {
                assignment_id: id2,
                version: None,
                step: Step::Refuse,
                reason: Some("no".into()),
            },
            today,
        )
        .unwrap();
    let p = store.propose_assignment("op", second, today).unwrap();
    store
        .assignment_check(
            "op",
            p.assignment_id.unwrap(),
            None,
            &DocumentCheck::MissingRequirement {
                requirement: "ISEE".into(),
                reason: "oltre la soglia".into(),
            },
            today,
        )
        .unwrap();
    let conn = store.conn();
    let list = assignments::list(
        conn,
        &ListFilter {
            year: key.year,
            owner_id: Some(owner_id),
            istat: Some(istat.clone()),
            stages: vec![],
        },
    )
    .unwrap();
    assert!(list.len() >= 3);
    assignments::assignment(conn, id).unwrap();
    assignments::what_if(conn, &key, None, Some(3000)).unwrap();
    assignments::ranking_outcomes(
        conn,
        &list.iter().map(|a| a.application_id).collect::<Vec<_>>(),
    )
    .unwrap();
    store.trace_sql(None).unwrap();

    let c = Connection::open(&path).unwrap();
    let captured = seen.lock().unwrap().clone();
    let failures = scanning_statements(&c, &captured, SMALL, 25);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Stricter: not even a whole index of a large table (a covering index read end to end is
    // still a scan of every unit or application).
    let mut whole = Vec::new();
    // The audit writer's read of its connection's origin is a function, not a query.
    for sql in captured.iter().filter(|s| !s.contains("casa_origin()")) {
        let head = sql.trim_start().to_ascii_uppercase();
        if !["SELECT", "WITH", "UPDATE", "DELETE", "INSERT"]
            .iter()
            .any(|k| head.starts_with(k))
        {
            continue;
        }
        for line in explain(&c, sql) {
            let l = line.trim();
            let table = l.strip_prefix("SCAN ").and_then(|t| t.split(' ').next());
            if let Some(t) = table
                && !SMALL.contains(&t)
                && !l.starts_with("SCAN CONSTANT ROW")
            {
                whole.push(format!(
                    "{}\n    {l}",
                    sql.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    whole.sort();
    whole.dedup();
    assert!(whole.is_empty(), "whole-index reads:\n{}", whole.join("\n"));
}
