//! `casa demo`: determinism, realistic mixes, valid codici fiscali, operators for every body,
//! a clean database, safe refresh. Databases are small (a few thousand units) to stay fast in a
//! debug build.

use casa::demo::{self, Options, cf::Sex, cf::personal_tax_code};
use casa::domain::codice_fiscale::{CfKind, validate};
use casa::store::{Access, Store};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn build(dir: &Path, name: &str, units: u64, seed: u64) -> PathBuf {
    let path = dir.join(name);
    demo::create(&path, &Options { units, seed }, &mut |_| {}).unwrap();
    path
}

fn open(path: &Path) -> Connection {
    Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn one<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A hash over every row of the generated tables, in id order.
fn dump_hash(conn: &Connection) -> u64 {
    let mut h = DefaultHasher::new();
    for table in [
        "district",
        "district_municipality",
        "operator",
        "operator_grant",
        "building",
        "unit",
        "household",
        "tenant",
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                format!("{:?}", row.get_ref(i).unwrap()).hash(&mut h);
            }
        }
    }
    h.finish()
}

#[test]
fn same_seed_same_data_different_seed_different_data() {
    let dir = tempfile::tempdir().unwrap();
    let a = build(dir.path(), "a.sqlite", 3000, 7);
    let b = build(dir.path(), "b.sqlite", 3000, 7);
    let c = build(dir.path(), "c.sqlite", 3000, 8);
    let (a, b, c) = (open(&a), open(&b), open(&c));
    assert_eq!(dump_hash(&a), dump_hash(&b));
    assert_ne!(dump_hash(&a), dump_hash(&c));
    let stamp: String = one(&a, "SELECT DISTINCT updated_at FROM unit");
    assert_eq!(
        stamp,
        demo::timestamp(7).format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
}

#[test]
fn mixes_are_realistic_and_rows_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path(), "mix.sqlite", 20_000, 1);
    let conn = open(&path);
    let share = |sql: &str| -> f64 { one(&conn, sql) };
    let units: i64 = one(&conn, "SELECT count(*) FROM unit");
    assert_eq!(units, 20_000);

    // 2% drawn OCCUPATO SENZA TITOLO; 80% of those have a household, half of which were
    // regularised (their occupation closed, the unit OCCUPATO): 1.2% stay occupied without
    // title, 0.8% more are OCCUPATO.
    for (state, expected) in [(2, 0.858), (1, 0.03), (3, 0.07), (4, 0.03), (5, 0.012)] {
        let got = share(&format!("SELECT avg(state = {state}) FROM unit"));
        assert!(
            (got - expected).abs() < expected * 0.15 + 0.003,
            "state {state}: {got}"
        );
    }
    // The register agrees with the units: every unit occupied without title has an open
    // occupation, and every open occupation's unit is occupied without title.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit u WHERE u.state = 5 AND NOT EXISTS
               (SELECT 1 FROM occupation o WHERE o.unit_id = u.id AND o.ended = 0)"
        ),
        0
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM occupation o JOIN unit u ON u.id = o.unit_id
             WHERE o.ended = 0 AND u.state <> 5"
        ),
        0
    );
    let closed: f64 = share("SELECT avg(ended) FROM occupation");
    assert!((0.3..0.5).contains(&closed), "closed occupations {closed}");
    for (service, expected) in [(1, 0.88), (2, 0.09), (3, 0.03)] {
        let got = share(&format!("SELECT avg(service = {service}) FROM unit"));
        assert!(
            (got - expected).abs() < expected * 0.15 + 0.003,
            "service {service}: {got}"
        );
    }
    let sat = share("SELECT avg(sat) FROM unit WHERE service = 1");
    assert!((0.02..0.04).contains(&sat), "sat {sat}");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit WHERE sat = 1 AND service <> 1"
        ),
        0
    );
    let notice = share("SELECT avg(in_notice) FROM unit WHERE state = 1");
    assert!((0.2..0.4).contains(&notice), "in avviso {notice}");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit WHERE in_notice = 1 AND state <> 1"
        ),
        0
    );
    // Works and their cost exactly on units vacant for maintenance deficiencies.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit WHERE (state = 3) <> (works IS NOT NULL AND works_cost_cents IS NOT NULL)"
        ),
        0
    );
    let cheap = share("SELECT avg(works_cost_cents <= 800000) FROM unit WHERE state = 3");
    assert!((0.7..0.95).contains(&cheap), "works ≤ €8,000: {cheap}");
    let barrier_free = share("SELECT avg(barrier_free) FROM unit");
    assert!((0.05..0.11).contains(&barrier_free), "{barrier_free}");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit WHERE floor_area < 28 OR floor_area > 130
                OR round(floor_area, 2) <> floor_area OR rooms NOT BETWEEN 1 AND 6"
        ),
        0
    );

    // About two thirds ALER, one third Comune; every owner is the comune's or its province's ALER.
    let aler = share("SELECT avg(o.kind = 2) FROM unit u JOIN owner o ON o.id = u.owner_id");
    assert!((0.6..0.73).contains(&aler), "ALER share {aler}");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit u JOIN owner o ON o.id = u.owner_id
             WHERE NOT (o.istat_code = u.istat_code
                OR EXISTS (SELECT 1 FROM aler_province ap WHERE ap.owner_id = o.id AND ap.province = u.province))"
        ),
        0
    );
    // Units carry their building's comune, owner and address.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit u JOIN building b ON b.id = u.building_id
             WHERE b.owner_id <> u.owner_id OR b.istat_code <> u.istat_code OR b.address <> u.address"
        ),
        0
    );

    // One household per OCCUPATO unit, most OCCUPATO SENZA TITOLO ones, none elsewhere.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit u WHERE u.state = 2
               AND NOT EXISTS (SELECT 1 FROM household h WHERE h.unit_id = u.id)"
        ),
        0
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM household h JOIN unit u ON u.id = h.unit_id
             WHERE u.state NOT IN (2, 5) OR h.owner_id <> u.owner_id"
        ),
        0
    );
    let squatted = share(
        "SELECT avg(EXISTS (SELECT 1 FROM household h WHERE h.unit_id = u.id)) FROM unit u WHERE state = 5",
    );
    assert!(squatted > 0.6, "{squatted}");
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM (SELECT h.id FROM household h JOIN tenant t ON t.household_id = h.id
             GROUP BY h.id HAVING sum(t.is_holder) <> 1 OR count(*) <> h.members
                 OR max(t.owner_id <> h.owner_id))"
        ),
        0
    );
    let singles = share("SELECT avg(members = 1) FROM household");
    assert!((0.28..0.45).contains(&singles), "singles {singles}");
}

#[test]
fn every_tenant_has_a_valid_codice_fiscale_matching_their_data() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&build(dir.path(), "cf.sqlite", 4000, 3));
    let mut stmt = conn
        .prepare("SELECT tax_code, surname, name, sex, birth_date, birth_place FROM tenant")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut n = 0;
    let mut foreign = 0;
    while let Some(r) = rows.next().unwrap() {
        let code: String = r.get(0).unwrap();
        assert_eq!(validate(&code), Ok(CfKind::Person), "{code}");
        let sex = match r.get::<_, String>(3).unwrap().as_str() {
            "M" => Sex::M,
            _ => Sex::F,
        };
        let birth = NaiveDate::parse_from_str(&r.get::<_, String>(4).unwrap(), "%Y-%m-%d").unwrap();
        let place: String = r.get(5).unwrap();
        foreign += usize::from(place.starts_with('Z'));
        let expected = personal_tax_code(
            &r.get::<_, String>(1).unwrap(),
            &r.get::<_, String>(2).unwrap(),
            sex,
            birth,
            &place,
        );
        assert_eq!(code, expected);
        n += 1;
    }
    assert!(n > 5000, "{n} tenants");
    assert!(
        foreign > 0 && foreign < n / 3,
        "{foreign} of {n} born abroad"
    );
    let mut stmt = conn.prepare("SELECT tax_code FROM operator").unwrap();
    for code in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let code = code.unwrap();
        assert_eq!(validate(&code), Ok(CfKind::Person), "operator {code}");
    }
}

#[test]
fn operators_for_every_body_and_district() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&build(dir.path(), "ops.sqlite", 1000, 1));
    // comune.<ISTAT> for every comune, with all four services on that Comune.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM municipality m WHERE NOT EXISTS (
                SELECT 1 FROM operator op JOIN operator_grant g ON g.operator_id = op.id
                JOIN owner o ON o.id = g.owner_id
                WHERE op.username = 'comune.' || m.istat_code AND o.istat_code = m.istat_code
                  AND op.role = 'ENTE' AND op.status = 'ATTIVO'
                GROUP BY op.id HAVING count(*) = 4)"
        ),
        0
    );
    assert_eq!(one::<i64>(&conn, "SELECT count(*) FROM municipality"), 1501);
    // Every district (real and synthetic) has a capofila and a capofila operator granted on it.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM district d WHERE d.lead_istat IS NULL OR NOT EXISTS (
                SELECT 1 FROM operator op JOIN operator_grant g ON g.operator_id = op.id
                JOIN owner o ON o.id = g.owner_id
                WHERE op.username = 'capofila.' || lower(d.code) AND op.role = 'CAPOFILA'
                  AND op.district_id = d.id AND o.istat_code = d.lead_istat)"
        ),
        0
    );
    assert!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM operator WHERE username = 'capofila.mi-milano'"
        ) == 1
    );
    // Every comune belongs to exactly one district; synthetic ones are marked and sized 12–25
    // (or the whole remainder of a province, when smaller).
    assert_eq!(
        one::<i64>(&conn, "SELECT count(*) FROM district_municipality"),
        1501
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM district WHERE code LIKE 'DEMO-%' AND (synthetic <> 1
                OR name NOT LIKE 'Ambito dimostrativo %' OR source NOT LIKE '%non è un ambito reale%')"
        ),
        0
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM district WHERE synthetic = 0 AND code LIKE 'DEMO-%'"
        ),
        0
    );
    // The twelve real ambiti of the reference data (Merate is the twelfth, issue 12).
    assert_eq!(
        one::<i64>(&conn, "SELECT count(*) FROM district WHERE synthetic = 0"),
        12
    );
    let (min, max): (i64, i64) = conn
        .query_row(
            "SELECT min(n), max(n) FROM (SELECT count(*) n FROM district_municipality dm
             JOIN district d ON d.id = dm.district_id WHERE d.synthetic = 1 GROUP BY d.id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(min >= 1 && max <= 25, "{min}..{max}");
    // The Region, the helpdesk and the five ALERs.
    for (user, role) in [
        ("regione", "REGIONE"),
        ("helpdesk", "HELPDESK"),
        ("aler.mi", "ENTE"),
        ("aler.bg-lc-so", "ENTE"),
    ] {
        let got: String = one(
            &conn,
            &format!("SELECT role FROM operator WHERE username = '{user}'"),
        );
        assert_eq!(got, role, "{user}");
    }
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(DISTINCT op.id) FROM operator op JOIN operator_grant g ON g.operator_id = op.id
             JOIN owner o ON o.id = g.owner_id WHERE op.username LIKE 'aler.%' AND o.kind = 2"
        ),
        5
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM operator WHERE email <> username || '@demo.casa.invalid'"
        ),
        0
    );
    // The store's own permission scope works for a demo operator.
    let scope = casa::store::operators::scope(&conn, "comune.015146")
        .unwrap()
        .unwrap();
    assert_eq!(scope.grants.len(), 4);
}

#[test]
fn database_is_clean_and_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path(), "clean.sqlite", 2000, 5);
    let conn = open(&path);
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check").unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(one::<String>(&conn, "PRAGMA integrity_check"), "ok");
    assert_eq!(one::<String>(&conn, "PRAGMA journal_mode"), "wal");
    // The same tables, indexes, triggers and views as a database made by `Store::open`: what
    // the bulk load drops, it restores.
    let schema = |c: &Connection| -> Vec<(String, String)> {
        let mut s = c
            .prepare("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let fresh = Store::create(&dir.path().join("fresh.sqlite")).unwrap();
    assert_eq!(schema(&conn), schema(fresh.conn()));
    // The search's derived data matches the units: comune ranks, tallies, text index.
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM unit u JOIN municipality m ON m.istat_code = u.istat_code
             WHERE u.comune_sort <> m.sort_rank OR m.sort_rank = 0"
        ),
        0
    );
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM (
                SELECT owner_id, istat_code, service, state, in_notice, count(*) FROM unit
                GROUP BY owner_id, istat_code, service, state, in_notice
                EXCEPT SELECT owner_id, istat_code, service, state, in_notice, n FROM unit_tally)"
        ),
        0
    );
    assert_eq!(one::<i64>(&conn, "SELECT sum(n) FROM unit_tally"), 2000);
    let address: String = one(&conn, "SELECT address FROM unit WHERE id = 1");
    let found: i64 = conn
        .query_row(
            "SELECT count(*) FROM unit_text WHERE unit_text MATCH ?1 AND rowid = 1",
            [format!("\"{address}\"")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(found, 1, "text index finds {address}");
    // Opens normally, and the creation is audited.
    drop(conn);
    let store = Store::open(&path, Access::ReadWrite).unwrap();
    let after: String = one(
        store.conn(),
        "SELECT after FROM audit WHERE action = 'demo.crea' AND operator = 'casa demo'",
    );
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["units"], 2000);
    assert_eq!(after["seed"], 5);
    // Nothing left beside it but the database itself (and its live WAL files).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("fresh.sqlite") && !n.starts_with("clean.sqlite"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn units_follow_population() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&build(dir.path(), "pop.sqlite", 10_000, 2));
    let top: Vec<String> = {
        let mut s = conn
            .prepare(
                "SELECT istat_code FROM unit GROUP BY istat_code ORDER BY count(*) DESC LIMIT 3",
            )
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(top[0], "015146", "Milano has the most units");
    // Each comune's units are its population quota, rounded.
    let mut stmt = conn
        .prepare(
            "SELECT m.population, (SELECT count(*) FROM unit u WHERE u.istat_code = m.istat_code)
             FROM municipality m ORDER BY m.istat_code",
        )
        .unwrap();
    let rows: Vec<(i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let total: i64 = rows.iter().map(|r| r.0).sum();
    for (population, units) in rows {
        let quota = 10_000.0 * population as f64 / total as f64;
        assert!(
            (units as f64 - quota).abs() < 1.0,
            "{units} units for quota {quota}"
        );
    }
    // Buildings: 4–60 units, except where a small comune's share is smaller.
    let big_buildings: i64 = one(
        &conn,
        "SELECT count(*) FROM (SELECT count(*) n FROM unit GROUP BY building_id) WHERE n > 60",
    );
    assert_eq!(big_buildings, 0);
}

#[test]
fn refresh_replaces_a_demo_but_never_other_databases() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path(), "demo.sqlite", 1500, 1);
    // A reader keeps the old database open during the refresh.
    let old = open(&path);
    assert_eq!(one::<i64>(&old, "SELECT count(*) FROM unit"), 1500);
    build(dir.path(), "demo.sqlite", 1200, 2);
    let conn = open(&path);
    assert_eq!(one::<i64>(&conn, "SELECT count(*) FROM unit"), 1200);
    assert_eq!(
        one::<i64>(
            &conn,
            "SELECT count(*) FROM audit WHERE action = 'demo.crea'"
        ),
        1
    );
    drop(old);

    // A real casa database and a foreign file are refused and left untouched.
    let real = dir.path().join("casa.sqlite");
    drop(Store::create(&real).unwrap());
    let before = std::fs::read(&real).unwrap();
    let err = demo::create(&real, &Options { units: 10, seed: 1 }, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("non viene sostituito"), "{err:#}");
    assert_eq!(std::fs::read(&real).unwrap(), before);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "appunti").unwrap();
    assert!(demo::create(&text, &Options { units: 10, seed: 1 }, &mut |_| {}).is_err());
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "appunti");
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn command_line_creates_at_db_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(["demo", "--units", "300", "--seed", "4", "--db"])
        .arg(&db)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("300 alloggi"), "{stderr}");
    assert_eq!(one::<i64>(&open(&db), "SELECT count(*) FROM unit"), 300);
}
