//! Ricerca fabbricati and inquilini: walking every page forward and back gives each row once,
//! in the order SQLite's NOCASE gives, for an operator with one lane per owner and for the
//! Regione; the tenant's copy of its unit's comune follows the unit and a new tenant.

use casa::domain::registry_search::{Field, Typed};
use casa::service::{Claim, Need, Origin, Service};
use casa::store::search::Direction;
use rusqlite::Connection;

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

fn ids(db: &Connection, sql: &str) -> Vec<i64> {
    let mut st = db.prepare(sql).unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn pages_forward_and_back_cover_every_row_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 3000,
            seed: 5,
        },
        &mut |_| {},
    )
    .unwrap();
    let db = Connection::open(&path).unwrap();
    for (who, scope) in [
        ("regione", "1".to_string()),
        (
            "aler.mi",
            "owner_id IN (SELECT owner_id FROM operator_grant g JOIN operator o
              ON o.id = g.operator_id WHERE o.username = 'aler.mi')"
                .to_string(),
        ),
    ] {
        let svc = service(&path, who);
        let typed = Typed::default();
        let want = ids(
            &db,
            &format!("SELECT id FROM building WHERE {scope} ORDER BY address COLLATE NOCASE, id"),
        );
        let mut got = Vec::new();
        let mut cursor = None;
        let mut pages = Vec::new();
        loop {
            let p = svc
                .building_page(&typed, cursor.as_ref(), Direction::Forward, 7)
                .unwrap();
            got.extend(p.rows.iter().map(|r| r.id));
            pages.push(p.rows.iter().map(|r| r.id).collect::<Vec<_>>());
            cursor = p.rows.last().map(|r| r.cursor());
            if p.at_end {
                break;
            }
        }
        assert!(want.len() > 20, "{who}: {} buildings", want.len());
        assert_eq!(got, want, "{who}: buildings forward");
        // Back from the last page: each page the rows just before the one shown; a page that
        // would be short is the first page, whole.
        let mut page = svc
            .building_page(&typed, None, Direction::Backward, 7)
            .unwrap();
        let mut end = want.len();
        loop {
            let shown: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            let from = end.saturating_sub(7);
            if page.at_start {
                assert_eq!(shown, want[..7.min(want.len())], "{who}: first page");
                break;
            }
            assert_eq!(shown, want[from..end], "{who}: buildings backward");
            end = from;
            let first = page.rows.first().unwrap().cursor();
            page = svc
                .building_page(&typed, Some(&first), Direction::Backward, 7)
                .unwrap();
        }
        assert!(pages.len() > 3);

        let want = ids(
            &db,
            &format!(
                "SELECT id FROM tenant WHERE {scope} AND surname LIKE 'b%'
                  ORDER BY surname COLLATE NOCASE, id"
            ),
        );
        let mut typed = Typed::default();
        typed.set(Field::Surname, "B");
        let mut got = Vec::new();
        let mut after = None;
        loop {
            let p = svc
                .tenant_page(&typed, after, Direction::Forward, 9)
                .unwrap();
            got.extend(p.rows.iter().map(|r| r.id));
            after = p.rows.last().map(|r| r.id);
            if p.at_end {
                break;
            }
        }
        assert!(want.len() > 10, "{who}: {} tenants", want.len());
        assert_eq!(got, want, "{who}: tenants forward");
        assert_eq!(svc.tenant_count(&typed).unwrap(), want.len() as i64);
    }
}

#[test]
fn a_tenant_keeps_the_comune_of_its_unit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 500,
            seed: 6,
        },
        &mut |_| {},
    )
    .unwrap();
    let db = Connection::open(&path).unwrap();
    let wrong = "SELECT count(*) FROM tenant t JOIN household h ON h.id = t.household_id
                   JOIN unit u ON u.id = h.unit_id WHERE t.istat_code IS NOT u.istat_code";
    let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count(wrong), 0, "after the demo's bulk load");
    // A unit moved to another comune (a correction), a household moved to another unit, a
    // new tenant.
    db.execute_batch(
        "UPDATE unit SET istat_code = '015146', province = 'MI'
          WHERE id = (SELECT unit_id FROM household ORDER BY id LIMIT 1);
         UPDATE household SET unit_id = (SELECT id FROM unit WHERE istat_code <> '015146' LIMIT 1)
          WHERE id = (SELECT id FROM household ORDER BY id DESC LIMIT 1);
         INSERT INTO tenant (household_id, owner_id, tax_code, surname, name)
         SELECT id, owner_id, 'RSSMRA80A01F205X', 'Rossi', 'Mario' FROM household LIMIT 1 OFFSET 3;",
    )
    .unwrap();
    assert_eq!(count(wrong), 0, "after the changes");
    assert_eq!(
        count("SELECT count(*) FROM tenant WHERE istat_code IS NULL"),
        0
    );
}
