//! The certification card and its two actions, marking units for a plan year, and the export
//! of the three detail lists (xlsx and CSV), on generated registries.

mod unit_data;

use calamine::{Data, Reader, open_workbook_auto};
use casa::domain::access::{OperatorStatus, Role, Service};
use casa::domain::registry::UnitState;
use casa::domain::unit_filter::{Sort, SortKey, UnitFilter, Visibility};
use casa::export::Cancelled;
use casa::export::unit_lists::{self, HEADERS, ListsRequest};
use casa::output_file::Target;
use casa::service::{Claim, Need, Origin};
use casa::store::audit;
use casa::store::certification::{self, CertificationKind, Refused};
use casa::store::operators::{self, NewOperator};
use casa::store::search::{self, Direction};
use rusqlite::Connection;
use std::sync::atomic::AtomicBool;

fn owner(c: &Connection, w: &str) -> i64 {
    c.query_row(&format!("SELECT id FROM owner WHERE {w}"), [], |r| r.get(0))
        .unwrap()
}

/// The session of operator `username` (registered with `role` and `grants` when new), as a
/// front end opens it: the permission checks are the service's.
fn operator(
    fx: &unit_data::Fixture,
    username: &str,
    role: Role,
    grants: &[(i64, Service)],
) -> casa::service::Service {
    let mut store = fx.store();
    if operators::scope(store.conn(), username).unwrap().is_none() {
        let new = NewOperator {
            username: username.into(),
            surname: "Bianchi".into(),
            name: "Anna".into(),
            tax_code: "RSSMRA70A41H501W".into(),
            email: format!("{username}@example.it"),
            role,
            district_id: None,
            status: OperatorStatus::Active,
        };
        store.register_operator("test", &new, grants).unwrap();
    }
    let claim = Claim {
        operator: username.into(),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: false,
    };
    casa::service::Service::open(&fx.path, &claim, Need::Write).unwrap()
}

fn count(c: &Connection, sql: &str, owner: i64) -> i64 {
    c.query_row(sql, [owner], |r| r.get(0)).unwrap()
}

#[test]
fn card_totals_match_the_registry() {
    let fx = unit_data::build(1_500, 2);
    let store = fx.store();
    let c = store.conn();
    for w in ["aler_code = 'ALER_MI'", "istat_code = '015146'"] {
        let o = owner(c, w);
        let card = certification::card(c, o).unwrap();
        let t = card.totals;
        assert_eq!(
            t.units,
            count(c, "SELECT count(*) FROM unit WHERE owner_id = ?1", o)
        );
        assert!(t.units > 0);
        assert_eq!(
            t.buildings,
            count(c, "SELECT count(*) FROM building WHERE owner_id = ?1", o)
        );
        assert_eq!(
            t.households,
            count(c, "SELECT count(*) FROM household WHERE owner_id = ?1", o)
        );
        assert_eq!(
            t.tenants,
            count(c, "SELECT count(*) FROM tenant WHERE owner_id = ?1", o)
        );
        assert_eq!(
            t.sap,
            count(
                c,
                "SELECT count(*) FROM unit WHERE owner_id = ?1 AND service = 1",
                o
            )
        );
        assert_eq!(
            t.sas,
            count(
                c,
                "SELECT count(*) FROM unit WHERE owner_id = ?1 AND service = 2",
                o
            )
        );
        assert_eq!(t.sap + t.sas + t.other, t.units);
        assert!(card.last.is_none());
    }
}

#[test]
fn certify_and_declare_no_units() {
    let fx = unit_data::build(600, 3);
    let store = fx.store();
    let aler = owner(store.conn(), "aler_code = 'ALER_MI'");
    // A comune outside the generated ones owns nothing.
    let empty = owner(store.conn(), "istat_code = '012001'");
    let mut op = operator(
        &fx,
        "anna",
        Role::OwnerOperator,
        &[(aler, Service::Registry), (empty, Service::Registry)],
    );
    let mut others = [
        operator(
            &fx,
            "anna.programmazione",
            Role::OwnerOperator,
            &[(aler, Service::Planning)],
        ),
        operator(&fx, "anna.helpdesk", Role::Helpdesk, &[]),
        operator(&fx, "anna.regione", Role::Region, &[]),
    ];
    let audits = audit::count(store.conn()).unwrap();

    let refused = op.certify(aler, true).unwrap_err();
    assert!(refused.downcast_ref::<Refused>().is_some(), "{refused:#}");
    assert!(
        refused.to_string().contains("non può dichiarare"),
        "{refused}"
    );
    assert_eq!(
        audit::count(store.conn()).unwrap(),
        audits,
        "nothing written"
    );

    let c1 = op.certify(aler, false).unwrap();
    assert_eq!(c1.kind, CertificationKind::Certify);
    assert_eq!(c1.operator, "anna");
    let card = certification::card(store.conn(), aler).unwrap();
    assert_eq!(card.last.as_ref(), Some(&c1));
    assert_eq!(c1.totals, card.totals);

    let none = op.certify(empty, true).unwrap();
    assert_eq!(none.kind, CertificationKind::NoUnits);
    assert_eq!(none.totals.units, 0);

    let records = audit::list(
        store.conn(),
        &audit::Filter {
            entity: Some("owner".into()),
            ..audit::Filter::default()
        },
        None,
        10,
    )
    .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].action, "certificazione.nessuna_unita");
    assert_eq!(records[1].action, "certificazione.certifica");
    assert_eq!(
        records[1].entity_id.as_deref(),
        Some(aler.to_string().as_str())
    );
    assert!(records[1].after.as_ref().unwrap().contains("\"units\""));

    // Without the ANAGRAFE service, or as helpdesk, or Regione: refused before anything.
    for who in &mut others {
        let e = who.certify(aler, false).unwrap_err();
        assert!(
            e.downcast_ref::<casa::domain::access::Denied>().is_some(),
            "{e:#}"
        );
    }
    assert_eq!(audit::count(store.conn()).unwrap(), audits + 2);
}

fn plan_units(c: &Connection, owner: i64, year: i32) -> Vec<i64> {
    c.prepare("SELECT id FROM unit WHERE owner_id = ?1 AND plan_year = ?2 ORDER BY id")
        .unwrap()
        .query_map(rusqlite::params![owner, year], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn marking_for_a_plan_year_and_undoing_it() {
    let fx = unit_data::build(1_200, 4);
    let store = fx.store();
    let aler = owner(store.conn(), "aler_code = 'ALER_MI'");
    let milano = owner(store.conn(), "istat_code = '015146'");
    let mut op = operator(
        &fx,
        "anna",
        Role::OwnerOperator,
        &[(aler, Service::Registry), (milano, Service::Notices)],
    );
    let vis = Visibility::for_scope(op.session().scope());
    let audits = audit::count(store.conn()).unwrap();

    // The filter spans Comune di Milano, whose registry this operator may not edit.
    let e = op
        .mark_units(&UnitFilter::default(), 2030, false, None)
        .unwrap_err();
    assert!(e.to_string().contains("Comune di Milano"), "{e:#}");
    assert!(plan_units(store.conn(), aler, 2030).is_empty());

    let f = UnitFilter {
        owner_id: Some(aler),
        ..Default::default()
    };
    let want: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM unit WHERE owner_id = ?1 AND state IN (1, 3, 4) ORDER BY id")
        .unwrap()
        .query_map([aler], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(want.len() > 20);
    let o = op.mark_units(&f, 2030, false, None).unwrap();
    assert_eq!(o.matched, want.len());
    assert_eq!(o.changed, want.len());
    assert_eq!(plan_units(store.conn(), aler, 2030), want);
    // Marking again changes nothing; the search filter finds exactly them.
    assert_eq!(op.mark_units(&f, 2030, false, None).unwrap().changed, 0);
    let marked = UnitFilter {
        marked_for_year: Some(2030),
        ..Default::default()
    };
    assert_eq!(
        search::count(store.conn(), &marked, &vis).unwrap(),
        want.len() as i64
    );
    let records = audit::list(
        store.conn(),
        &audit::Filter {
            entity: Some("unit".into()),
            ..audit::Filter::default()
        },
        None,
        10,
    )
    .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].action, "alloggi.marca_piano");
    let after: serde_json::Value =
        serde_json::from_str(records[1].after.as_ref().unwrap()).unwrap();
    assert_eq!(after["anno"], 2030);
    assert_eq!(after["id"].as_array().unwrap().len(), want.len());

    // Only the plan's states can be marked.
    let occupied = UnitFilter {
        owner_id: Some(aler),
        states: vec![UnitState::Occupied],
        ..Default::default()
    };
    assert!(op.mark_units(&occupied, 2030, false, None).is_err());

    // Undo the LIBERO ones only.
    let free = UnitFilter {
        owner_id: Some(aler),
        states: vec![UnitState::Free],
        ..Default::default()
    };
    let undone = op.mark_units(&free, 2030, true, None).unwrap();
    assert!(undone.changed > 0);
    let left = plan_units(store.conn(), aler, 2030);
    assert_eq!(left.len(), want.len() - undone.changed);
    assert_eq!(audit::count(store.conn()).unwrap(), audits + 3);

    // Ticked rows: only those, and only where the filter and the plan's states allow. An
    // occupied unit and a unit of Milano (not this operator's to edit, not in the filter)
    // ticked with them are left alone.
    let occupied_id: i64 = store
        .conn()
        .query_row(
            "SELECT id FROM unit WHERE owner_id = ?1 AND state = 2 LIMIT 1",
            [aler],
            |r| r.get(0),
        )
        .unwrap();
    let milano_id: i64 = store
        .conn()
        .query_row(
            "SELECT id FROM unit WHERE owner_id = ?1 LIMIT 1",
            [milano],
            |r| r.get(0),
        )
        .unwrap();
    let ticked = [want[0], want[1], occupied_id, milano_id];
    let o = op.mark_units(&f, 2031, false, Some(&ticked)).unwrap();
    assert_eq!((o.matched, o.changed), (2, 2));
    assert_eq!(plan_units(store.conn(), aler, 2031), vec![want[0], want[1]]);
    let o = op.mark_units(&f, 2031, true, Some(&[want[1]])).unwrap();
    assert_eq!(o.changed, 1);
    assert_eq!(plan_units(store.conn(), aler, 2031), vec![want[0]]);
    let filter = audit::Filter {
        entity: Some("unit".into()),
        ..Default::default()
    };
    let records = audit::list(store.conn(), &filter, None, 10).unwrap();
    let after: serde_json::Value =
        serde_json::from_str(records[0].after.as_ref().unwrap()).unwrap();
    assert_eq!(after["selezionati"], 1, "{after}");
}

fn sheet_rows(path: &std::path::Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb = open_workbook_auto(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            (name, range.rows().map(<[Data]>::to_vec).collect())
        })
        .collect()
}

#[test]
fn lists_export_matches_the_search() {
    let fx = unit_data::build(2_000, 5);
    let store = fx.read_only();
    let c = store.conn();
    let aler = owner(c, "aler_code = 'ALER_MI'");
    let req = ListsRequest {
        filter: UnitFilter {
            province: Some("MI".into()),
            ..Default::default()
        },
        visibility: Visibility::Owners(vec![aler]),
        only_marked: None,
        sort: Sort::new(SortKey::Area, false),
    };
    let out = fx.dir.path().join("liste.xlsx");
    let mut seen = Vec::new();
    let s = unit_lists::write_xlsx(
        &store,
        &req,
        &Target::new(&out, false),
        &mut |done, total| seen.push((done, total)),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(unit_lists::lists_filter(&req).is_some());
    assert!(no_part_file(fx.dir.path()));
    let sheets = sheet_rows(&out);
    assert_eq!(
        sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "LIBERO",
            "SFITTO CARENZE MANUTENTIVE",
            "SFITTO RISTRUTTURAZIONE"
        ]
    );
    let mut total = 0;
    for (state, (_, rows)) in UnitState::PLAN_LISTS.iter().zip(&sheets) {
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(header, HEADERS);
        let f = UnitFilter {
            states: vec![*state],
            ..req.filter.clone()
        };
        let want = search::page(
            c,
            &f,
            &req.visibility,
            req.sort,
            None,
            Direction::Forward,
            10_000,
        )
        .unwrap();
        assert!(!want.is_empty());
        assert_eq!(rows.len() - 1, want.len(), "{state}");
        for (row, u) in rows[1..].iter().zip(&want) {
            assert_eq!(row[2], Data::Float(u.id as f64), "ID is a number");
            assert_eq!(row[0], Data::String(u.owner_name.clone()));
            assert_eq!(row[1], Data::String(u.code.clone()));
            assert_eq!(row[6], Data::String(state.label().into()));
            match u.floor_area {
                Some(a) => assert_eq!(row[7], Data::Float(a)),
                None => assert_eq!(row[7], Data::Empty),
            }
        }
        total += want.len() as u64;
    }
    assert_eq!(s.total(), total);
    assert_eq!(seen.first(), Some(&(0, total)));
    assert_eq!(seen.last(), Some(&(total, total)));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(unit_lists::counts(&store, &req).unwrap(), s);

    // The CSV has the same rows in the same order.
    let csv_path = fx.dir.path().join("liste.csv");
    let cs = unit_lists::write_csv_file(
        &store,
        &req,
        &Target::new(&csv_path, false),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(cs, s);
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADERS);
    let csv_ids: Vec<i64> = r
        .records()
        .map(|rec| rec.unwrap()[2].parse().unwrap())
        .collect();
    let mut xlsx_ids: Vec<(f64, i64)> = Vec::new();
    for (_, rows) in &sheets {
        for row in &rows[1..] {
            let area = match row[7] {
                Data::Float(a) => a,
                _ => 0.0,
            };
            let Data::Float(id) = row[2] else { panic!() };
            xlsx_ids.push((area, id as i64));
        }
    }
    // The CSV is one list in sort order: the three sheets merged by (superficie, id).
    xlsx_ids.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    assert_eq!(csv_ids, xlsx_ids.iter().map(|p| p.1).collect::<Vec<_>>());
}

#[test]
fn only_marked_units_and_state_filters() {
    let fx = unit_data::build(1_000, 6);
    let store = fx.read_only();
    let c = store.conn();
    let req = ListsRequest {
        filter: UnitFilter {
            states: vec![UnitState::Free, UnitState::Occupied],
            ..Default::default()
        },
        visibility: Visibility::All,
        only_marked: Some(2026),
        sort: Sort::default(),
    };
    let out = fx.dir.path().join("marcati.xlsx");
    let s = unit_lists::write_xlsx(
        &store,
        &req,
        &Target::new(&out, false),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let want: i64 = c
        .query_row(
            "SELECT count(*) FROM unit WHERE state = 1 AND plan_year = 2026",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(want > 0);
    assert_eq!(s.free as i64, want);
    assert_eq!(s.vacant_maintenance + s.vacant_renovation, 0);
    let sheets = sheet_rows(&out);
    assert_eq!(sheets[0].1.len() as i64, want + 1);
    assert_eq!(sheets[1].1.len(), 1, "header only");
    // A filter with none of the three states: three empty lists, still a valid file.
    let occupied = ListsRequest {
        filter: UnitFilter {
            states: vec![UnitState::Occupied],
            ..Default::default()
        },
        only_marked: None,
        ..req
    };
    // Over the previous file: `--force`.
    let s = unit_lists::write_xlsx(
        &store,
        &occupied,
        &Target::new(&out, true),
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(s.total(), 0);
    assert_eq!(sheet_rows(&out).len(), 3);
}

#[test]
fn cancel_and_errors_leave_no_partial_file() {
    let fx = unit_data::build(1_500, 8);
    let store = fx.read_only();
    let c = store.conn();
    let req = ListsRequest {
        filter: UnitFilter::default(),
        visibility: Visibility::All,
        only_marked: None,
        sort: Sort::default(),
    };
    let out = fx.dir.path().join("annullato.xlsx");
    let cancel = AtomicBool::new(false);
    // Cancelled after the first page, as a screen's Esc would.
    let e = unit_lists::write_xlsx(
        &store,
        &req,
        &Target::new(&out, false),
        &mut |done, _| {
            if done > 0 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .unwrap_err();
    assert!(e.downcast_ref::<Cancelled>().is_some(), "{e:#}");
    assert!(!out.exists() && no_part_file(fx.dir.path()));
    let csv_out = fx.dir.path().join("annullato.csv");
    let e = unit_lists::write_csv_file(
        &store,
        &req,
        &Target::new(&csv_out, false),
        &mut |_, _| {},
        &AtomicBool::new(true),
    )
    .unwrap_err();
    assert!(e.downcast_ref::<Cancelled>().is_some());
    assert!(!csv_out.exists() && no_part_file(fx.dir.path()));
    // A folder that does not exist: an error, nothing left behind.
    let bad = fx.dir.path().join("manca/liste.xlsx");
    assert!(
        unit_lists::write_xlsx(
            &store,
            &req,
            &Target::new(&bad, false),
            &mut |_, _| {},
            &AtomicBool::new(false)
        )
        .is_err()
    );
    assert!(!fx.dir.path().join("manca").exists());
    // The store is still usable after a cancelled export (its cache size was restored).
    let size: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, -65536);
}

/// No temporary file of an export is left in `dir`.
fn no_part_file(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".part"))
}
