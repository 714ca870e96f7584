//! Every filter the search screen offers, alone and in pairs, in every sort, as Regione and as
//! operators of one or two owners: the statements of its first page must read an index, never
//! scan the unit table, and never sort the matches (no temp B-tree for ORDER BY). Run on a
//! generated database with statistics (ANALYZE), so the planner sees realistic numbers.

mod unit_data;

use casa::domain::registry::{ServiceType, UnitState};
use casa::domain::unit_filter::{Sort, SortKey, UnitFilter, Visibility};
use casa::store::search;
use rusqlite::Connection;

/// The problems of one EXPLAIN QUERY PLAN: a full scan of the units or of the buildings, a
/// sort of the results, or (for a statement reading a page in order) a first loop that does not
/// start from the cursor with a range, so that later pages would cost more than the first.
fn problems(sql: &str, plan: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if sql.contains("ORDER BY") {
        let first = plan
            .iter()
            .find(|l| l.trim().starts_with("SEARCH") || l.trim().starts_with("SCAN"));
        // The text index (FTS5) shows a rowid range in its index string: "INDEX 64:M2>".
        let fts_range = |l: &str| {
            l.contains("VIRTUAL TABLE INDEX")
                && l.rsplit(':')
                    .next()
                    .is_some_and(|s| s.contains('>') || s.contains('<'))
        };
        if let Some(l) = first
            && !(l.contains(">?") || l.contains("<?") || fts_range(l))
        {
            out.push(format!("no keyset range: {l}"));
        }
    }
    out.extend(
        plan.iter()
            .filter(|l| {
                let l = l.trim();
                let full_scan = ["SCAN u", "SCAN unit", "SCAN b", "SCAN building"]
                    .iter()
                    .any(|p| l == *p || l.starts_with(&format!("{p} ")))
                    && !l.contains("USING INDEX")
                    && !l.contains("USING COVERING INDEX");
                full_scan || l.contains("USE TEMP B-TREE FOR ORDER BY")
            })
            .cloned(),
    );
    out
}

fn explain(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn owner(c: &Connection, w: &str) -> i64 {
    c.query_row(&format!("SELECT id FROM owner WHERE {w}"), [], |r| r.get(0))
        .unwrap()
}

/// The single filters of the screen, each with a typical value.
fn singles(c: &Connection) -> Vec<(&'static str, UnitFilter)> {
    let f = UnitFilter::default;
    let some_id: i64 = c
        .query_row("SELECT max(id) / 2 FROM unit", [], |r| r.get(0))
        .unwrap();
    vec![
        ("nessuno", f()),
        (
            "id",
            UnitFilter {
                unit_id: Some(some_id),
                ..f()
            },
        ),
        (
            "fabbricato",
            UnitFilter {
                building_code: Some("F0007".into()),
                ..f()
            },
        ),
        (
            "destinazione",
            UnitFilter {
                service: Some(ServiceType::Sas),
                ..f()
            },
        ),
        (
            "provincia",
            UnitFilter {
                province: Some("BG".into()),
                ..f()
            },
        ),
        (
            "comune",
            UnitFilter {
                istat: Some("015146".into()),
                ..f()
            },
        ),
        (
            "stato",
            UnitFilter {
                states: vec![UnitState::Free],
                ..f()
            },
        ),
        (
            "stati del piano",
            UnitFilter {
                states: UnitState::PLAN_LISTS.to_vec(),
                ..f()
            },
        ),
        (
            "in avviso",
            UnitFilter {
                in_notice: Some(true),
                ..f()
            },
        ),
        (
            "non in avviso",
            UnitFilter {
                in_notice: Some(false),
                ..f()
            },
        ),
        (
            "ente",
            UnitFilter {
                owner_id: Some(owner(c, "aler_code = 'ALER_MI'")),
                ..f()
            },
        ),
        (
            "testo raro",
            UnitFilter {
                text: Some("zola".into()),
                ..f()
            },
        ),
        (
            "testo comune",
            UnitFilter {
                text: Some("via".into()),
                ..f()
            },
        ),
        (
            "marcati",
            UnitFilter {
                marked_for_year: Some(2026),
                ..f()
            },
        ),
    ]
}

/// Two filters together: the union of their conditions.
fn pair(a: &UnitFilter, b: &UnitFilter) -> UnitFilter {
    UnitFilter {
        unit_id: a.unit_id.or(b.unit_id),
        building_code: a.building_code.clone().or(b.building_code.clone()),
        service: a.service.or(b.service),
        province: a.province.clone().or(b.province.clone()),
        istat: a.istat.clone().or(b.istat.clone()),
        states: if a.states.is_empty() {
            b.states.clone()
        } else {
            a.states.clone()
        },
        in_notice: a.in_notice.or(b.in_notice),
        owner_id: a.owner_id.or(b.owner_id),
        text: a.text.clone().or(b.text.clone()),
        marked_for_year: a.marked_for_year.or(b.marked_for_year),
    }
}

#[test]
fn the_checker_catches_scans_and_sorts() {
    // Without this the test below could pass by checking nothing.
    let fx = unit_data::build(200, 1);
    let store = fx.store();
    let c = store.conn();
    let check = |sql: &str| problems(sql, &explain(c, sql));
    assert!(!check("SELECT id FROM unit WHERE floor_area > 50").is_empty());
    assert!(!check("SELECT id FROM unit u ORDER BY u.rooms LIMIT 5").is_empty());
    assert!(!check("SELECT id FROM unit u WHERE u.rooms = 3 LIMIT 5").is_empty());
    // An IN on the id turned into lookups: ordered, but every page restarts from the top.
    assert!(
        !check(
            "SELECT u.id FROM unit u INDEXED BY unit_owner_id WHERE u.owner_id = 3 AND u.id > 5
             AND u.id IN (SELECT id FROM building) ORDER BY u.id LIMIT 5"
        )
        .is_empty()
    );
    assert!(check("SELECT id FROM unit WHERE id > 10 ORDER BY id LIMIT 5").is_empty());
    // A text read from its index in id order: from the cursor on, or from the top each time.
    assert!(
        !check("SELECT rowid FROM unit_text WHERE unit_text MATCH 'roma' ORDER BY rowid LIMIT 5")
            .is_empty()
    );
    assert!(
        check(
            "SELECT rowid FROM unit_text WHERE unit_text MATCH 'roma' AND rowid > 10
             ORDER BY rowid LIMIT 5"
        )
        .is_empty()
    );
}

#[test]
fn every_offered_filter_reads_an_index_in_sort_order() {
    let fx = unit_data::build(20_000, 21);
    let store = fx.store();
    let c = store.conn();
    c.execute_batch("ANALYZE").unwrap();
    let aler_mi = owner(c, "aler_code = 'ALER_MI'");
    let milano = owner(c, "istat_code = '015146'");
    let aler_bg = owner(c, "aler_code = 'ALER_BG_LC_SO'");
    let mut two = vec![milano, aler_bg];
    two.sort();
    let visibilities = [
        ("Regione", Visibility::All),
        ("ALER MI", Visibility::Owners(vec![aler_mi])),
        ("due enti", Visibility::Owners(two)),
    ];
    let singles = singles(c);
    let mut filters: Vec<(String, UnitFilter)> = singles
        .iter()
        .map(|(n, f)| (n.to_string(), f.clone()))
        .collect();
    for (i, (na, a)) in singles.iter().enumerate() {
        for (nb, b) in singles.iter().skip(i + 1) {
            if *na == "nessuno" || *nb == "nessuno" {
                continue;
            }
            // A filter can only hold one value of each field.
            let clash = (!a.states.is_empty() && !b.states.is_empty())
                || (a.in_notice.is_some() && b.in_notice.is_some())
                || (a.text.is_some() && b.text.is_some());
            if !clash {
                filters.push((format!("{na} + {nb}"), pair(a, b)));
            }
        }
    }
    // The three-filter combination with its own covering indexes (migration 4).
    filters.push((
        "provincia + destinazione + stati del piano".into(),
        UnitFilter {
            province: Some("MI".into()),
            service: Some(ServiceType::Sas),
            states: UnitState::PLAN_LISTS.to_vec(),
            ..UnitFilter::default()
        },
    ));
    let mut failures = Vec::new();
    let mut statements = 0;
    for (who, vis) in &visibilities {
        for (name, f) in &filters {
            for key in SortKey::ALL {
                for descending in [false, true] {
                    let sort = Sort::new(key, descending);
                    for (sql, plan) in search::explain_page(c, f, vis, sort, 20).unwrap() {
                        statements += 1;
                        let bad = problems(&sql, &plan);
                        if !bad.is_empty() {
                            failures.push(format!(
                                "{name} / {who} / {key:?} desc={descending}: {bad:?}\n  {sql}\n  {plan:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {statements} statements scan or sort:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Pairs of every kind were planned (not only empty results).
    assert!(filters.len() > 60, "{}", filters.len());
    assert!(statements > 2_000, "{statements}");
}
