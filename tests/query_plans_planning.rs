//! The statements the planning screens issue (plan list, plan card with the owners' overview,
//! communication list and form, certification card, the lifecycle actions, a save and a
//! filing, report and export) are captured with SQLite's trace as they run through the
//! service, then each is explained: none may scan a table without an index. Run on a demo
//! database with statistics.

use casa::domain::communication::{Counts, FormInput};
use casa::domain::plan::PlanAction;
use casa::export::plan_export::PlanFile;
use casa::service::{Claim, Need, Origin, Service};
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
    let db = Connection::open(&path).unwrap();
    db.execute_batch("ANALYZE").unwrap();
    let district: i64 = db
        .query_row(
            "SELECT id FROM district WHERE code = 'BG-SERIATE'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let today = chrono::Local::now().date_naive();

    // Each operator's session as the interface opens it, its statements captured.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let session = |operator: &str| {
        let claim = Claim {
            operator: operator.into(),
            origin: Origin::Local {
                login: "test".into(),
            },
            read_only: false,
        };
        let mut s = Service::open(&path, &claim, Need::Write).unwrap();
        let sink = seen.clone();
        s.trace_sql(Some(Box::new(move |q| sink.lock().unwrap().push(q))))
            .unwrap();
        s
    };
    let mut capofila = session("capofila.bg-seriate");
    let helpdesk = session("helpdesk");

    // The capofila creates and opens a plan; reads list and card.
    let year = 2027;
    let start = today - chrono::Duration::days(1);
    let end = today + chrono::Duration::days(30);
    let plan = capofila
        .create_plan(district, year, start, end)
        .unwrap()
        .plan;
    capofila.plans(None, None, today).unwrap();
    let card = capofila.plan_card(plan.id, today).unwrap();
    capofila
        .plan_action(plan.id, PlanAction::Open, Some(card.plan.version), today)
        .unwrap();
    // A Comune of the district certifies, opens its form, saves a draft and files.
    let (user, owner_id): (String, i64) = db
        .query_row(
            "SELECT o.username, g.owner_id FROM operator o
             JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'PROGRAMMAZIONE'
             JOIN communication c ON c.owner_id = g.owner_id AND c.plan_id = ?1
             WHERE o.role = 'ENTE' ORDER BY o.username LIMIT 1",
            [plan.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut comune = session(&user);
    comune.certification_card(owner_id).unwrap();
    comune.certify(owner_id, false).unwrap();
    let rows = comune.own_communications().unwrap();
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
    for (draft, expected) in [(true, version), (false, None)] {
        comune
            .save_communication(plan.id, owner_id, &input, expected, draft, today)
            .unwrap();
    }
    comune.plans(None, None, today).unwrap();
    comune.plan_card(plan.id, today).unwrap();
    // The Comune edits one of its units from the unit card (Modifica).
    let unit: i64 = db
        .query_row(
            "SELECT id FROM unit WHERE owner_id = ?1 AND service = 1 LIMIT 1",
            [owner_id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(comune.may_edit_unit(unit));
    let e = comune.editable_unit(unit).unwrap();
    comune
        .edit_unit(
            unit,
            &[
                "SFITTO PER CARENZE MANUTENTIVE",
                "NO",
                "NO",
                "NO",
                "NO",
                "Bagno",
                "3000",
            ],
            e.version,
        )
        .unwrap();
    // The capofila closes, approves, writes report and export; the helpdesk reads.
    capofila
        .plan_action(plan.id, PlanAction::Close, None, today)
        .unwrap();
    capofila
        .plan_action(plan.id, PlanAction::Approve, None, today)
        .unwrap();
    capofila.plan_card(plan.id, today).unwrap();
    for (what, name) in [(PlanFile::Report, "r.xlsx"), (PlanFile::Export, "e.xlsx")] {
        capofila
            .write_plan_file(
                plan.id,
                what,
                &casa::output_file::Target::new(&dir.path().join(name), false),
                today,
            )
            .unwrap();
    }
    helpdesk.plans(None, None, today).unwrap();
    helpdesk.own_communications().unwrap();
    drop((capofila, comune, helpdesk));

    let failures = scanning_statements(&db, &seen.lock().unwrap(), &[], 31);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
