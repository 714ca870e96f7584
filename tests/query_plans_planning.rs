//! The statements the planning screens issue (plan list, plan card with the owners' overview,
//! communication list and form, certification card, the lifecycle actions, a save and a
//! filing, report and export) are captured with SQLite's trace as they run, then each is
//! explained: none may scan a table without an index. Run on a demo database with statistics.

use casa::app::screens::{communications, plans::PlanCard, plans::visible_plans};
use casa::domain::communication::{Counts, FormInput};
use casa::domain::plan::PlanAction;
use casa::export::plan_export::{self, PlanFile};
use casa::store::communications::{Save, SaveMode};
use casa::store::{Access, Store, certification, operators};
mod support;

use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::{explain, full_scans, scanning_statements};

#[test]
fn the_checker_catches_a_full_scan() {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("CREATE TABLE t(a, b); CREATE INDEX t_a ON t(a);")
        .unwrap();
    assert_eq!(
        full_scans(&explain(&c, "SELECT * FROM t WHERE b = 1"), &[]),
        vec!["SCAN t"]
    );
    assert!(full_scans(&explain(&c, "SELECT * FROM t WHERE a = 1"), &[]).is_empty());
    assert!(full_scans(&explain(&c, "SELECT * FROM t WHERE b = 1"), &["t"]).is_empty());
}

#[test]
fn every_planning_statement_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 5000,
            seed: 3,
        },
        &mut |_| {},
    )
    .unwrap();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    store.conn().execute_batch("ANALYZE").unwrap();
    let scope = |store: &Store, u: &str| operators::scope(store.conn(), u).unwrap().unwrap();
    let capofila = scope(&store, "capofila.bg-seriate");
    let helpdesk = scope(&store, "helpdesk");
    let d = casa::store::owners::find_district(store.conn(), "BG-SERIATE").unwrap();
    let today = chrono::Local::now().date_naive();

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    store
        .trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();

    // The capofila creates and opens a plan; reads list and card.
    let year = 2027;
    let start = today - chrono::Duration::days(1);
    let end = today + chrono::Duration::days(30);
    let plan = store
        .create_plan(&capofila, d.id, year, start, end)
        .unwrap()
        .plan;
    visible_plans(store.conn(), &capofila).unwrap();
    let card = PlanCard::load(store.conn(), &capofila, plan.id, today).unwrap();
    store
        .plan_action(
            &capofila,
            plan.id,
            PlanAction::Open,
            Some(card.plan.version),
            today,
        )
        .unwrap();
    // A Comune of the district certifies, opens its form, saves a draft and files.
    let (user, owner_id): (String, i64) = store
        .conn()
        .query_row(
            "SELECT o.username, g.owner_id FROM operator o
             JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'PROGRAMMAZIONE'
             JOIN communication c ON c.owner_id = g.owner_id AND c.plan_id = ?1
             WHERE o.role = 'ENTE' ORDER BY o.username LIMIT 1",
            [plan.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let comune = scope(&store, &user);
    certification::card(store.conn(), owner_id).unwrap();
    store.certify(&comune, owner_id).unwrap();
    let rows = communications::load_rows(store.conn(), &comune).unwrap();
    let version = rows
        .iter()
        .find(|r| r.plan.id == plan.id)
        .map(|r| r.communication.version);
    let input = FormInput {
        counts: Counts {
            carenze: 2,
            turnover: 3,
            ..Counts::default()
        },
        ..FormInput::default()
    };
    for (mode, expected) in [(SaveMode::Draft, version), (SaveMode::File, None)] {
        store
            .save_communication(
                &comune,
                Save {
                    plan_id: plan.id,
                    owner_id,
                    input: &input,
                    expected_version: expected,
                    mode,
                    today,
                },
            )
            .unwrap();
    }
    visible_plans(store.conn(), &comune).unwrap();
    PlanCard::load(store.conn(), &comune, plan.id, today).unwrap();
    // The capofila closes, approves, writes report and export; the helpdesk reads.
    store
        .plan_action(&capofila, plan.id, PlanAction::Close, None, today)
        .unwrap();
    store
        .plan_action(&capofila, plan.id, PlanAction::Approve, None, today)
        .unwrap();
    PlanCard::load(store.conn(), &capofila, plan.id, today).unwrap();
    for (what, name) in [(PlanFile::Report, "r.xlsx"), (PlanFile::Export, "e.xlsx")] {
        plan_export::write_for(
            store.conn(),
            &capofila,
            plan.id,
            what,
            &dir.path().join(name),
            today,
        )
        .unwrap();
    }
    visible_plans(store.conn(), &helpdesk).unwrap();
    communications::load_rows(store.conn(), &helpdesk).unwrap();
    store.trace_sql(None).unwrap();

    let c = Connection::open(&path).unwrap();
    let failures = scanning_statements(&c, &seen.lock().unwrap(), &[], 31);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
