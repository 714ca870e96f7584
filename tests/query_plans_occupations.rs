//! The statements the Banca dati occupanti issues — every filter of Ricerca occupazioni alone
//! and combined, pages forward and back, the count, the card, a save and a close, the feed's
//! export and import, the five-year check's lookups — are captured with SQLite's trace and
//! explained, as the Regione (every occupation) and as a Comune's operator (its owner and its
//! territory): none may read a table whole without an index. `occupation_code` (a few dozen
//! codes) and `owner` by primary key are small.

use casa::domain::occupation::filter::{Field, FilterText};
use casa::service::{Claim, Need, Origin, Service};
use casa::store::occupations::search::Direction;
use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::scanning_statements;

mod support;

/// Reference tables (the comuni, read whole to resolve a name), the code lists and FTS5's own
/// configuration table.
const SMALL: &[&str] = &[
    "occupation_code",
    "pc",
    "municipality",
    "main.occupation_text_config",
];

fn service(path: &std::path::Path, who: &str) -> Service {
    let claim = Claim {
        operator: who.into(),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: false,
    };
    Service::open(path, &claim, Need::Write).unwrap()
}

/// Every filter alone, then pairs with the most common ones, then all at once.
fn filters(owner: &str, comune: &str, cf: &str) -> Vec<FilterText> {
    let one: Vec<(Field, &str)> = vec![
        (Field::Owner, owner),
        (Field::Comune, comune),
        (Field::Kind, "1"),
        (Field::Status, "IN CORSO"),
        (Field::Status, "CESSATA"),
        (Field::From, "01/01/2022"),
        (Field::To, "31/12/2023"),
        (Field::TaxCode, cf),
        (Field::Text, "Via"),
    ];
    let mut out = vec![FilterText::default()];
    for (f, v) in &one {
        let mut t = FilterText::default();
        t.set(*f, Some(v));
        out.push(t.clone());
        for (g, w) in [(Field::Status, "IN CORSO"), (Field::Comune, comune)] {
            if g != *f {
                let mut u = t.clone();
                u.set(g, Some(w));
                out.push(u);
            }
        }
    }
    let mut all = FilterText::default();
    for (f, v) in one.iter().filter(|(f, _)| *f != Field::Status) {
        all.set(*f, Some(v));
    }
    out.push(all);
    out
}

#[test]
fn every_occupation_statement_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
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
    let cf: String = db
        .query_row(
            "SELECT tax_code FROM occupation WHERE tax_code IS NOT NULL LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // A register of realistic size (the demo's ~100 occupations × 200, spread over 200 days
    // of starts and codici fiscali of their own), so the planner's choices are the ones it
    // makes in the field.
    let columns = "owner_id, code, unit_code, istat_code, province, address_prefix, address,
        street_number, tax_code, name, surname, birth_date, sex, started_on, kind, detect_type,
        detect_id, detect_on, debt, ended, ended_on, created_at, updated_at";
    db.execute_batch(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
         INSERT INTO occupation ({columns})
         SELECT owner_id, code || '-' || i, unit_code, istat_code, province, address_prefix,
                address, street_number,
                CASE WHEN tax_code IS NULL THEN NULL ELSE substr(tax_code, 1, 11) || printf('%05d', i) END,
                name, surname, birth_date, sex, date(started_on, '-' || i || ' days'), kind,
                detect_type, detect_id, detect_on, debt, ended, ended_on, created_at, updated_at
         FROM occupation, n;
         ANALYZE;"
    ))
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    for who in ["regione", "comune.015146"] {
        let mut svc = service(&path, who);
        let sink = seen.clone();
        svc.trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
            .unwrap();
        svc.occupation_codes().unwrap();
        let mut ids = Vec::new();
        for text in filters("015146", "Milano", &cf) {
            let f = svc.occupation_filter(&text).unwrap();
            svc.occupation_count(&f).unwrap();
            let first = svc
                .occupation_page(&f, None, Direction::Forward, 3)
                .unwrap();
            if let Some(last) = first.rows.last() {
                let next = svc
                    .occupation_page(&f, Some(last.id), Direction::Forward, 3)
                    .unwrap();
                if let Some(n) = next.rows.first() {
                    svc.occupation_page(&f, Some(n.id), Direction::Backward, 3)
                        .unwrap();
                }
                ids.push(last.id);
            }
            svc.occupation_page(&f, None, Direction::Backward, 3)
                .unwrap();
        }
        ids.sort();
        ids.dedup();
        for id in ids.iter().take(5) {
            svc.occupation(*id, false).unwrap();
        }
        svc.trace_sql(None).unwrap();
    }
    // Changes, as the Comune di Milano: a record on one of its units, saved and closed; the
    // feed out and back in; the check's lookups.
    let mut svc = service(&path, "comune.015146");
    let sink = seen.clone();
    svc.trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();
    let (_, milano, _) = svc.occupation_owner("015146").unwrap();
    let unit: String = db
        .query_row(
            "SELECT u.code FROM unit u JOIN owner o ON o.id = u.owner_id
              WHERE o.istat_code = '015146' AND u.state = 1 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_, place) = svc.occupation_unit_place(&milano, &unit).unwrap().unwrap();
    let record = casa::domain::occupation::Occupation {
        code: "OCC-PLAN-1".into(),
        owner_tax_code: milano.clone(),
        unit: place,
        occupant: casa::domain::occupation::Occupant {
            tax_code: Some("RSSMRA80A01F205X".into()),
            name: "Mario".into(),
            surname: "Rossi".into(),
            birth_date: Some("1980-01-01".parse().unwrap()),
            ..Default::default()
        },
        started_on: Some("2025-01-01".parse().unwrap()),
        kind: 1,
        detect_type: "Verbale".into(),
        detect_id: "V".into(),
        detect_on: Some("2025-01-02".parse().unwrap()),
        ..Default::default()
    };
    let saved = svc.add_occupation(&record).unwrap();
    let mut changed = record.clone();
    changed.detect_id = "V2".into();
    svc.update_occupation(saved.id, 1, &changed).unwrap();
    svc.close_occupation(
        saved.id,
        2,
        &casa::store::occupations::Closing {
            ended_on: Some("2025-06-01".parse().unwrap()),
            unit_state: Some(casa::domain::registry::UnitState::Free),
            ..Default::default()
        },
    )
    .unwrap();
    let out = dir.path().join("feed.xml");
    svc.export_occupations("015146", None, false, &out, false)
        .unwrap()
        .unwrap();
    // The feed back in: the record just closed, as the Region would send it.
    let mine = svc.occupation(saved.id, false).unwrap().record;
    let back = dir.path().join("back.xml");
    std::fs::write(
        &back,
        casa::anpu::write::document(&casa::anpu::Richiesta {
            owner_tax_code: milano.clone(),
            action: casa::anpu::Operation::Modify,
            records: vec![mine],
        }),
    )
    .unwrap();
    svc.import_occupations(&back).unwrap();
    svc.trace_sql(None).unwrap();
    drop(svc);
    let store = casa::store::Store::open(&path, casa::store::Access::ReadOnly).unwrap();
    let lookback = casa::rules::ranking::OccupationLookback {
        years: 5,
        boundary_included: true,
    };
    let mut store = store;
    let sink = seen.clone();
    store
        .trace_sql(Some(Box::new(move |s| sink.lock().unwrap().push(s))))
        .unwrap();
    casa::store::occupations::register::for_window(
        store.conn(),
        "2026-01-01".parse().unwrap(),
        "2026-02-01".parse().unwrap(),
        &lookback,
    )
    .unwrap();
    casa::store::occupations::register::for_tax_codes(store.conn(), [cf.as_str()]).unwrap();
    store.trace_sql(None).unwrap();
    drop(store);

    let failures = scanning_statements(&db, &seen.lock().unwrap(), SMALL, 30);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
