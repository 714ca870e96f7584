//! The statements Ricerca fabbricati issues — every filter alone and with the others, first
//! pages, the next and the previous page, the count, the cursor of `--after` — captured with
//! SQLite's trace and explained, as the Regione (one lane over every building) and as an
//! operator of ALER Milano (one lane per owner): none reads a table whole, and none sorts its
//! matches (a page walks an index in address order and stops), except a codice fabbricato,
//! which names at most one building per owner.

use casa::domain::registry_search::{Field, Typed};
use casa::service::{Claim, Need, Origin, Service};
use casa::store::search::Direction;
use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::{explain, scanning_statements};

mod support;

/// Reference tables: the comuni and the bodies (about 1,600 rows, read whole when an owner is
/// looked up by name — `store::owners::find_owner`, shared with the unit search).
const SMALL: &[&str] = &["municipality", "owner"];

fn service(path: &std::path::Path, who: &str) -> Service {
    let claim = Claim {
        operator: who.into(),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: true,
    };
    Service::open(path, &claim, Need::Read).unwrap()
}

fn filters(code: &str) -> Vec<Typed> {
    let one = [
        (Field::Owner, "ALER Milano"),
        (Field::Comune, "Milano"),
        (Field::Code, code),
        (Field::Address, "via ro"),
    ];
    let mut out = vec![Typed::default()];
    for (i, (f, v)) in one.iter().enumerate() {
        let mut t = Typed::default();
        t.set(*f, v);
        out.push(t.clone());
        for (g, w) in &one[i + 1..] {
            let mut u = t.clone();
            u.set(*g, w);
            out.push(u);
        }
    }
    let mut all = Typed::default();
    for (f, v) in one {
        all.set(f, v);
    }
    out.push(all);
    out
}

#[test]
fn every_building_search_statement_walks_an_index_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 5000,
            seed: 4,
        },
        &mut |_| {},
    )
    .unwrap();
    let db = Connection::open(&path).unwrap();
    db.execute_batch("ANALYZE").unwrap();
    let code: String = db
        .query_row(
            "SELECT b.code FROM building b JOIN owner o ON o.id = b.owner_id
              WHERE o.aler_code = 'ALER_MI' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut pages = 0;
    for who in ["regione", "aler.mi"] {
        let mut svc = service(&path, who);
        let sink = seen.clone();
        svc.trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
            .unwrap();
        for t in filters(&code) {
            svc.building_count(&t).unwrap();
            let first = svc.building_page(&t, None, Direction::Forward, 3).unwrap();
            pages += usize::from(!first.rows.is_empty());
            if let Some(last) = first.rows.last() {
                let c = svc.building_cursor(last.id).unwrap();
                let next = svc
                    .building_page(&t, Some(&c), Direction::Forward, 3)
                    .unwrap();
                if let Some(n) = next.rows.first() {
                    svc.building_page(&t, Some(&n.cursor()), Direction::Backward, 3)
                        .unwrap();
                }
            }
        }
        svc.trace_sql(None).unwrap();
    }
    assert!(pages >= 10, "only {pages} filters found buildings");
    let seen = seen.lock().unwrap();
    let failures = scanning_statements(&db, &seen, SMALL, 30);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // A page is read in index order: no sort of the matches, but for a codice fabbricato.
    let mut sorted = Vec::new();
    for sql in seen.iter().filter(|s| s.contains("ORDER BY b.address")) {
        let plan = explain(&db, sql);
        let by_code = sql.contains("b.code =");
        let on_building = plan
            .iter()
            .find(|l| l.contains(" b USING"))
            .cloned()
            .unwrap_or_default();
        // The index leads with the filter's equalities: a comune (or an owner) is a range of
        // the index, not a walk of every building checking each.
        let leads = (by_code && on_building.contains("building_code_nocase"))
            || (sql.contains("b.istat_code =") == on_building.contains("istat")
                && sql.contains("b.owner_id =") == on_building.contains("owner"));
        if plan.iter().any(|l| l.contains("TEMP B-TREE")) && !by_code || !leads {
            sorted.push(format!("{sql}\n    {}", plan.join("; ")));
        }
    }
    assert!(
        sorted.is_empty(),
        "{} pages sort their matches:\n{}",
        sorted.len(),
        sorted.join("\n")
    );
}

fn tenant_filters(cf: &str) -> Vec<Typed> {
    let one = [
        (Field::Owner, "ALER Milano"),
        (Field::Comune, "Milano"),
        (Field::TaxCode, cf),
        (Field::Surname, "ro"),
    ];
    let mut out = vec![Typed::default()];
    for (i, (f, v)) in one.iter().enumerate() {
        let mut t = Typed::default();
        t.set(*f, v);
        out.push(t.clone());
        for (g, w) in &one[i + 1..] {
            let mut u = t.clone();
            u.set(*g, w);
            out.push(u);
        }
    }
    out
}

#[test]
fn every_tenant_search_statement_walks_an_index_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 5000,
            seed: 4,
        },
        &mut |_| {},
    )
    .unwrap();
    let db = Connection::open(&path).unwrap();
    db.execute_batch("ANALYZE").unwrap();
    let cf: String = db
        .query_row(
            "SELECT t.tax_code FROM tenant t JOIN owner o ON o.id = t.owner_id
              WHERE o.aler_code = 'ALER_MI' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut pages = 0;
    for who in ["regione", "helpdesk", "aler.mi"] {
        let mut svc = service(&path, who);
        let sink = seen.clone();
        svc.trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
            .unwrap();
        for t in tenant_filters(&cf) {
            svc.tenant_count(&t).unwrap();
            let first = svc.tenant_page(&t, None, Direction::Forward, 3).unwrap();
            pages += usize::from(!first.rows.is_empty());
            if let Some(last) = first.rows.last() {
                let next = svc
                    .tenant_page(&t, Some(last.id), Direction::Forward, 3)
                    .unwrap();
                if let Some(n) = next.rows.first() {
                    svc.tenant_page(&t, Some(n.id), Direction::Backward, 3)
                        .unwrap();
                }
            }
        }
        svc.trace_sql(None).unwrap();
    }
    assert!(pages >= 15, "only {pages} filters found tenants");
    let seen = seen.lock().unwrap();
    let failures = scanning_statements(&db, &seen, SMALL, 30);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let mut sorted = Vec::new();
    for sql in seen.iter().filter(|s| s.contains("ORDER BY t.surname")) {
        let plan = explain(&db, sql);
        let by_cf = sql.contains("t.tax_code =");
        let on_tenant = plan
            .iter()
            .find(|l| l.contains(" t USING"))
            .cloned()
            .unwrap_or_default();
        let leads = (by_cf && on_tenant.contains("tenant_tax_code"))
            || (sql.contains("t.istat_code =") == on_tenant.contains("istat")
                && sql.contains("t.owner_id =") == on_tenant.contains("owner"));
        if plan.iter().any(|l| l.contains("TEMP B-TREE")) && !by_cf || !leads {
            sorted.push(format!("{sql}\n    {}", plan.join("; ")));
        }
    }
    assert!(
        sorted.is_empty(),
        "{} pages of tenants sort their matches or walk the wrong index:\n{}",
        sorted.len(),
        sorted.join("\n")
    );
}
