//! The unit search against a plain-Rust reference filter over every unit: each filter alone,
//! common pairs, several owners and states, every sort in both directions, pages forward and
//! backward, counts; the derived data (tally, text index, comune rank) after changes, a bulk
//! load and a migration from schema 1.

mod unit_data;

use casa::domain::registry::{ServiceType, UnitState};
use casa::domain::unit_filter::{ComuneQuery, Sort, SortKey, UnitFilter, Visibility};
use casa::store::search::{self, Cursor, Direction};
use casa::store::{Access, Store};
use proptest::prelude::*;
use rusqlite::Connection;
use std::sync::OnceLock;
use unit_data::{RefUnit, fold};

fn owner_id(c: &Connection, sql_where: &str) -> i64 {
    c.query_row(
        &format!("SELECT id FROM owner WHERE {sql_where}"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn matches(u: &RefUnit, f: &UnitFilter, vis: &Visibility) -> bool {
    if let Visibility::Owners(o) = vis
        && !o.contains(&u.owner_id)
    {
        return false;
    }
    let text_ok = f.text.as_ref().is_none_or(|t| {
        let needle = fold(t);
        let addr = match &u.street_number {
            Some(n) => format!("{} {n}", u.address),
            None => u.address.clone(),
        };
        fold(&addr).contains(&needle)
            || u.locality
                .as_ref()
                .is_some_and(|l| fold(l).contains(&needle))
    });
    f.unit_id.is_none_or(|id| u.id == id)
        && f.building_code
            .as_ref()
            .is_none_or(|c| c.eq_ignore_ascii_case(&u.building_code))
        && f.service.is_none_or(|s| s.code() == u.service)
        && f.province.as_ref().is_none_or(|p| *p == u.province)
        && f.istat.as_ref().is_none_or(|i| *i == u.istat)
        && (f.states.is_empty() || f.states.iter().any(|s| s.code() == u.state))
        && f.in_notice.is_none_or(|n| (u.in_notice == 1) == n)
        && f.owner_id.is_none_or(|o| u.owner_id == o)
        && f.marked_for_year.is_none_or(|y| u.plan_year == Some(y))
        && text_ok
}

fn key(u: &RefUnit, k: SortKey) -> f64 {
    match k {
        SortKey::Id => 0.0,
        SortKey::Comune => u.comune_pos as f64,
        SortKey::State => u.state as f64,
        SortKey::Area => u.floor_area.unwrap_or(0.0),
    }
}

fn expected(all: &[RefUnit], f: &UnitFilter, vis: &Visibility, sort: Sort) -> Vec<i64> {
    let mut v: Vec<&RefUnit> = all.iter().filter(|u| matches(u, f, vis)).collect();
    v.sort_by(|a, b| {
        let o = key(a, sort.key)
            .total_cmp(&key(b, sort.key))
            .then(a.id.cmp(&b.id));
        if sort.descending { o.reverse() } else { o }
    });
    v.into_iter().map(|u| u.id).collect()
}

/// Every page forward, then every page backward from the end; both must give `want`.
fn check_paging(
    c: &Connection,
    f: &UnitFilter,
    vis: &Visibility,
    sort: Sort,
    page: usize,
    want: &[i64],
) {
    let mut got = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let rows = search::page(c, f, vis, sort, cursor, Direction::Forward, page).unwrap();
        got.extend(rows.iter().map(|r| r.id));
        assert!(
            got.len() <= want.len() + page,
            "runaway paging {f:?} {sort:?}"
        );
        match rows.last() {
            Some(last) if rows.len() == page => cursor = Some(last.cursor(sort.key)),
            _ => break,
        }
    }
    assert_eq!(got, want, "forward {f:?} {vis:?} {sort:?}");

    let mut back: Vec<i64> = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let rows = search::page(c, f, vis, sort, cursor, Direction::Backward, page).unwrap();
        let mut ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        ids.extend(back);
        back = ids;
        match rows.first() {
            Some(first) if rows.len() == page => cursor = Some(first.cursor(sort.key)),
            _ => break,
        }
    }
    assert_eq!(back, want, "backward {f:?} {vis:?} {sort:?}");
}

struct Shared {
    fixture: unit_data::Fixture,
    all: Vec<RefUnit>,
}

/// One generated database for the read-only tests of this file.
fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let fixture = unit_data::build(3_000, 7);
        let store = fixture.store();
        store.conn().execute_batch("ANALYZE").unwrap();
        let all = unit_data::reference(store.conn());
        Shared { fixture, all }
    })
}

fn filters(c: &Connection) -> Vec<UnitFilter> {
    let f = UnitFilter::default;
    let aler_mi = owner_id(c, "aler_code = 'ALER_MI'");
    let milano = owner_id(c, "istat_code = '015146'");
    let bg_comune: String = c
        .query_row(
            "SELECT istat_code FROM unit WHERE province = 'BG' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let some_id: i64 = c
        .query_row(
            "SELECT id FROM unit ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 3 FROM unit)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut v = vec![
        f(),
        UnitFilter {
            unit_id: Some(some_id),
            ..f()
        },
        UnitFilter {
            unit_id: Some(some_id),
            states: vec![UnitState::Free],
            ..f()
        },
        UnitFilter {
            building_code: Some("f0003".into()),
            ..f()
        },
        UnitFilter {
            service: Some(ServiceType::Sas),
            ..f()
        },
        UnitFilter {
            province: Some("SO".into()),
            ..f()
        },
        UnitFilter {
            istat: Some("015146".into()),
            ..f()
        },
        UnitFilter {
            istat: Some(bg_comune.clone()),
            ..f()
        },
        UnitFilter {
            states: vec![UnitState::NewBuild],
            ..f()
        },
        UnitFilter {
            states: UnitState::PLAN_LISTS.to_vec(),
            ..f()
        },
        UnitFilter {
            in_notice: Some(true),
            ..f()
        },
        UnitFilter {
            in_notice: Some(false),
            ..f()
        },
        UnitFilter {
            owner_id: Some(aler_mi),
            ..f()
        },
        UnitFilter {
            owner_id: Some(milano),
            ..f()
        },
        UnitFilter {
            marked_for_year: Some(2026),
            ..f()
        },
        UnitFilter {
            istat: Some("015146".into()),
            states: vec![UnitState::Free, UnitState::VacantRenovation],
            ..f()
        },
        UnitFilter {
            province: Some("MI".into()),
            service: Some(ServiceType::Sap),
            in_notice: Some(true),
            ..f()
        },
        UnitFilter {
            owner_id: Some(aler_mi),
            province: Some("SO".into()),
            ..f()
        },
        UnitFilter {
            marked_for_year: Some(2025),
            states: vec![UnitState::VacantMaintenance],
            province: Some("BG".into()),
            ..f()
        },
        UnitFilter {
            building_code: Some("F0002".into()),
            istat: Some(bg_comune),
            ..f()
        },
    ];
    for text in [
        "roma",
        "LIBERTÀ",
        "liberta",
        "zola",
        "via \"quo",
        "12/a",
        "centro",
        "sant'a",
        "cascina",
        "nessuna via così",
    ] {
        v.push(UnitFilter {
            text: Some(text.into()),
            ..f()
        });
    }
    v.push(UnitFilter {
        text: Some("garibaldi".into()),
        states: vec![UnitState::Free],
        province: Some("MI".into()),
        ..f()
    });
    v
}

fn visibilities(c: &Connection) -> Vec<Visibility> {
    let aler_mi = owner_id(c, "aler_code = 'ALER_MI'");
    let aler_bg = owner_id(c, "aler_code = 'ALER_BG_LC_SO'");
    let milano = owner_id(c, "istat_code = '015146'");
    let mut two = vec![milano, aler_bg];
    two.sort();
    vec![
        Visibility::All,
        Visibility::Owners(vec![aler_mi]),
        Visibility::Owners(two),
        Visibility::Owners(vec![]),
    ]
}

#[test]
fn every_filter_sort_and_direction_matches_the_reference() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let mut checked = 0;
    for vis in visibilities(c) {
        for f in filters(c) {
            let all_ids = expected(&s.all, &f, &vis, Sort::default());
            assert_eq!(
                search::count(c, &f, &vis).unwrap(),
                all_ids.len() as i64,
                "count {f:?} {vis:?}"
            );
            for key in SortKey::ALL {
                for descending in [false, true] {
                    let sort = Sort::new(key, descending);
                    let want = expected(&s.all, &f, &vis, sort);
                    // Big pages for big results keep the test quick; small ones cross lanes.
                    let page = if want.len() > 400 { 97 } else { 7 };
                    check_paging(c, &f, &vis, sort, page, &want);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 600, "{checked}");
}

#[test]
fn results_are_not_trivial() {
    // The filters above must select something in most cases, or the comparison proves little.
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let non_empty = filters(c)
        .iter()
        .filter(|f| !expected(&s.all, f, &Visibility::All, Sort::default()).is_empty())
        .count();
    assert!(non_empty >= filters(c).len() - 3, "{non_empty}");
    let shared_code = s
        .all
        .iter()
        .filter(|u| u.building_code == "F0003")
        .map(|u| u.owner_id)
        .collect::<std::collections::BTreeSet<_>>();
    assert!(
        shared_code.len() > 1,
        "building codes must repeat across owners"
    );
}

#[test]
fn backward_from_a_middle_cursor_gives_the_previous_page() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let f = UnitFilter {
        states: UnitState::PLAN_LISTS.to_vec(),
        ..Default::default()
    };
    for key in SortKey::ALL {
        let sort = Sort::new(key, false);
        let want = expected(&s.all, &f, &Visibility::All, sort);
        let first =
            search::page(c, &f, &Visibility::All, sort, None, Direction::Forward, 10).unwrap();
        let second = search::page(
            c,
            &f,
            &Visibility::All,
            sort,
            Some(first[9].cursor(key)),
            Direction::Forward,
            10,
        )
        .unwrap();
        let back = search::page(
            c,
            &f,
            &Visibility::All,
            sort,
            Some(second[0].cursor(key)),
            Direction::Backward,
            10,
        )
        .unwrap();
        assert_eq!(
            back.iter().map(|r| r.id).collect::<Vec<_>>(),
            want[..10].to_vec()
        );
        // --after ID: the cursor built from an id continues after that unit.
        let after = search::cursor_for(c, want[4], key).unwrap();
        let next =
            search::page(c, &f, &Visibility::All, sort, after, Direction::Forward, 3).unwrap();
        assert_eq!(
            next.iter().map(|r| r.id).collect::<Vec<_>>(),
            want[5..8].to_vec()
        );
    }
    assert!(
        search::cursor_for(c, 99_999_999, SortKey::Id)
            .unwrap()
            .is_none()
    );
}

fn arb_filter() -> impl Strategy<Value = (UnitFilter, usize, u8, bool)> {
    let states = proptest::collection::vec(0usize..8, 0..3);
    (
        (
            proptest::option::of(0usize..4),
            proptest::option::of(0usize..3),
            proptest::option::of(0usize..3),
            states,
            proptest::option::of(any::<bool>()),
        ),
        (
            proptest::option::of(prop_oneof![Just(2025), Just(2026)]),
            proptest::option::of(0usize..4),
            proptest::option::of(0usize..2),
            0usize..4,
            0u8..4,
            any::<bool>(),
        ),
    )
        .prop_map(
            |((prov, service, istat, states, notice), (year, text, owner, vis, key, desc))| {
                let f = UnitFilter {
                    province: prov.map(|i| ["MI", "BG", "SO", "MB"][i].to_string()),
                    service: service.map(|i| ServiceType::ALL[i]),
                    istat: istat.map(|i| ["015146", "016024", "014061"][i].to_string()),
                    states: {
                        let mut s: Vec<UnitState> =
                            states.into_iter().map(|i| UnitState::ALL[i]).collect();
                        s.sort();
                        s.dedup();
                        s
                    },
                    in_notice: notice,
                    marked_for_year: year,
                    text: text.map(|i| ["via", "roma", "tà s", "centro"][i].to_string()),
                    owner_id: owner.map(|i| i as i64),
                    ..Default::default()
                };
                (f, vis, key, desc)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Random combinations: the first pages and the count agree with the reference.
    #[test]
    fn random_filters_match_the_reference((mut f, vis_i, key_i, desc) in arb_filter()) {
        let s = shared();
        let store = s.fixture.read_only();
        let c = store.conn();
        let vis = visibilities(c).swap_remove(vis_i);
        // Owner indexes 0/1 stand for ALER Milano / Comune di Milano.
        if let Some(i) = f.owner_id {
            f.owner_id = Some(if i == 0 {
                owner_id(c, "aler_code = 'ALER_MI'")
            } else {
                owner_id(c, "istat_code = '015146'")
            });
        }
        let sort = Sort::new(SortKey::ALL[key_i as usize], desc);
        let want = expected(&s.all, &f, &vis, sort);
        prop_assert_eq!(search::count(c, &f, &vis).unwrap(), want.len() as i64);
        let mut got = Vec::new();
        let mut cursor = None;
        for _ in 0..3 {
            let rows = search::page(c, &f, &vis, sort, cursor, Direction::Forward, 25).unwrap();
            got.extend(rows.iter().map(|r| r.id));
            match rows.last() {
                Some(l) => cursor = Some(l.cursor(sort.key)),
                None => break,
            }
        }
        let n = got.len();
        prop_assert_eq!(&got[..], &want[..n.min(want.len())]);
        prop_assert_eq!(n, want.len().min(75));
    }
}

#[test]
fn rows_carry_the_export_columns() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let rows = search::page(
        c,
        &UnitFilter {
            istat: Some("015146".into()),
            ..Default::default()
        },
        &Visibility::All,
        Sort::default(),
        None,
        Direction::Forward,
        5,
    )
    .unwrap();
    let r = &rows[0];
    assert_eq!(r.comune, "Milano");
    assert_eq!(r.province, "MI");
    assert!(r.owner_name == "ALER Milano" || r.owner_name == "Comune di Milano");
    assert!(!r.code.is_empty() && r.building_code.starts_with('F'));
    let json = serde_json::to_value(r).unwrap();
    assert!(json["state"].is_string() && json["owner_kind"].is_string());
}

#[test]
fn refuses_what_the_parsers_refuse() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let short = UnitFilter {
        text: Some("ab".into()),
        ..Default::default()
    };
    let err = search::count(c, &short, &Visibility::All).unwrap_err();
    assert!(err.to_string().contains("almeno 3 caratteri"), "{err:#}");
    assert!(
        search::page(
            c,
            &short,
            &Visibility::All,
            Sort::default(),
            None,
            Direction::Forward,
            5
        )
        .is_err()
    );
}

#[test]
fn comune_list_of_values_and_resolution() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let mil = search::comuni_matching(c, "mil", 10).unwrap();
    assert_eq!(mil[0].name, "Milano");
    assert!(
        search::comuni_matching(c, "0151", 500)
            .unwrap()
            .iter()
            .all(|x| x.istat.starts_with("0151"))
    );
    // Accents and apostrophes are ignored; a later word matches after the direct matches.
    let cantu = search::comuni_matching(c, "cantu", 5).unwrap();
    assert!(cantu.iter().any(|x| x.name == "Cantù"), "{cantu:?}");
    let adda = search::comuni_matching(c, "adda", 50).unwrap();
    assert!(adda.iter().any(|x| x.name == "Cassano d'Adda"), "{adda:?}");
    assert_eq!(
        search::resolve_comune(c, &ComuneQuery::Name("milano".into()))
            .unwrap()
            .istat,
        "015146"
    );
    assert_eq!(
        search::resolve_comune(c, &ComuneQuery::Istat("015146".into()))
            .unwrap()
            .name,
        "Milano"
    );
    let many = search::resolve_comune(c, &ComuneQuery::Name("Ca".into())).unwrap_err();
    assert!(many.to_string().contains("indica"), "{many}");
    let none = search::resolve_comune(c, &ComuneQuery::Istat("999999".into())).unwrap_err();
    assert!(none.to_string().contains("999999"), "{none}");
    assert!(search::check_province(c, "SO").is_ok());
    assert!(
        search::check_province(c, "RM")
            .unwrap_err()
            .to_string()
            .contains("RM")
    );
}

#[test]
fn unit_detail_with_household_and_masking() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let id: i64 = c
        .query_row(
            "SELECT unit_id FROM household h JOIN unit u ON u.id = h.unit_id
             WHERE u.manager_id IS NOT NULL AND h.members > 1 ORDER BY unit_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut d = search::unit_detail(c, id).unwrap().unwrap();
    assert_eq!(d.id, id);
    assert!(d.manager.is_some());
    assert_eq!(d.households.len(), 1);
    let h = &d.households[0];
    assert_eq!(h.tenants.len() as i64, h.members);
    assert!(h.tenants[0].is_holder);
    assert_eq!(h.tenants[0].tax_code, "RSSMRA80A01H501U");
    d.mask_personal_data();
    let t = &d.households[0].tenants[0];
    assert_eq!(t.tax_code, "****************");
    assert_eq!(t.surname, "R***");
    assert!(t.birth_date.is_none() && d.households[0].isee_cents.is_none());
    assert!(d.personal_data_masked);
    assert!(search::unit_detail(c, 99_999_999).unwrap().is_none());
}

/// Checks the derived data against a recomputation from the units.
fn assert_derived_consistent(c: &Connection) {
    let diff: i64 = c
        .query_row(
            "SELECT count(*) FROM (
                SELECT owner_id, istat_code, service, state, in_notice, ifnull(plan_year, 0), count(*)
                FROM unit GROUP BY 1, 2, 3, 4, 5, 6
                EXCEPT SELECT owner_id, istat_code, service, state, in_notice, plan_year, n
                FROM unit_tally)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(diff, 0, "tally differs from the units");
    let stale: i64 = c
        .query_row(
            "SELECT (SELECT count(*) FROM unit_tally WHERE n <= 0)
                  + (SELECT count(*) FROM unit u JOIN municipality m ON m.istat_code = u.istat_code
                     WHERE u.comune_sort <> m.sort_rank)
                  + (SELECT count(*) FROM municipality WHERE sort_rank = 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stale, 0, "stale tally rows or comune ranks");
    c.execute_batch("INSERT INTO unit_text(unit_text, rank) VALUES ('integrity-check', 1)")
        .expect("text index out of step with the units");
}

fn assert_search_matches(c: &Connection) {
    let all = unit_data::reference(c);
    for f in filters(c) {
        for key in [SortKey::Id, SortKey::Comune] {
            let sort = Sort::new(key, false);
            let want = expected(&all, &f, &Visibility::All, sort);
            check_paging(c, &f, &Visibility::All, sort, 50, &want);
            assert_eq!(
                search::count(c, &f, &Visibility::All).unwrap(),
                want.len() as i64
            );
        }
    }
}

#[test]
fn derived_data_follows_updates_and_deletes() {
    let fx = unit_data::build(800, 11);
    let store = fx.store();
    let c = store.conn();
    assert_derived_consistent(c);
    c.execute_batch(
        "UPDATE unit SET state = 1 WHERE id % 7 = 0;
         UPDATE unit SET address = 'Via Nuova Liberazione', street_number = NULL WHERE id % 11 = 0;
         UPDATE unit SET locality = 'Borgo Antico' WHERE id % 13 = 0;
         UPDATE unit SET istat_code = '015146', province = 'MI' WHERE id % 17 = 0;
         UPDATE unit SET plan_year = 2027, in_notice = 1 WHERE id % 19 = 0;
         UPDATE unit SET owner_id = (SELECT id FROM owner WHERE aler_code = 'ALER_MI') WHERE id % 23 = 0;
         DELETE FROM tenant WHERE household_id IN (SELECT id FROM household WHERE unit_id % 5 = 0);
         DELETE FROM household WHERE unit_id % 5 = 0;
         DELETE FROM unit WHERE id % 5 = 0;",
    )
    .unwrap();
    assert_derived_consistent(c);
    let hits = search::count(
        c,
        &UnitFilter {
            text: Some("liberazione".into()),
            ..Default::default()
        },
        &Visibility::All,
    )
    .unwrap();
    assert!(hits > 0);
    assert_search_matches(c);
}

#[test]
fn bulk_load_with_suspended_sync_then_resume() {
    let fx = unit_data::build(300, 3);
    let store = fx.store();
    let c = store.conn();
    let suspended = search::suspend_sync(c).unwrap();
    let triggers: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'search_sync_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 0);
    unit_data::populate(c, 700, 4, 5000);
    // Without the triggers nothing was derived for the new units.
    let zero_rank: i64 = c
        .query_row("SELECT count(*) FROM unit WHERE comune_sort = 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(zero_rank >= 700);
    suspended.resume(c).unwrap();
    assert_derived_consistent(c);
    assert_search_matches(c);
    // The triggers work again afterwards.
    c.execute_batch("UPDATE unit SET address = 'Piazzale Ritrovato' WHERE id = 5")
        .unwrap();
    assert_derived_consistent(c);
}

#[test]
fn migrates_a_schema_1_database_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    {
        // A database as casa wrote it before migration 2.
        let mut c = Connection::open(&path).unwrap();
        let tx = c.transaction().unwrap();
        tx.execute_batch(include_str!("../src/store/migrations/001_registry.sql"))
            .unwrap();
        casa::store::reference::load(&tx).unwrap();
        tx.pragma_update(None, "application_id", casa::store::APPLICATION_ID)
            .unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
        unit_data::populate(&c, 600, 9, 1);
    }
    let store = Store::open(&path, Access::ReadWrite).unwrap();
    assert_eq!(
        store.current_schema_version().unwrap(),
        casa::store::schema_version()
    );
    let c = store.conn();
    assert_derived_consistent(c);
    assert_search_matches(c);
}

#[test]
fn search_works_on_a_read_only_connection_and_sees_other_writers() {
    let fx = unit_data::build(200, 5);
    let ro = fx.read_only();
    let f = UnitFilter {
        text: Some("roma".into()),
        ..Default::default()
    };
    let before = search::count(ro.conn(), &f, &Visibility::All).unwrap();
    let page = search::page(
        ro.conn(),
        &f,
        &Visibility::All,
        Sort::new(SortKey::Area, false),
        None,
        Direction::Forward,
        10,
    )
    .unwrap();
    assert!(!page.is_empty());
    // Another connection changes the data: the cached text matches are dropped.
    let rw = fx.store();
    rw.conn()
        .execute_batch(
            "UPDATE unit SET address = 'Via Roma' WHERE address <> 'Via Roma' AND id % 3 = 0",
        )
        .unwrap();
    let after = search::count(ro.conn(), &f, &Visibility::All).unwrap();
    let want: i64 = rw
        .conn()
        .query_row(
            "SELECT count(*) FROM unit WHERE lower(address) LIKE '%roma%' OR lower(locality) LIKE '%roma%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after, want);
    assert!(after > before);
}

#[test]
fn text_matches_are_read_by_the_way_their_number_calls_for() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let sql_of = |text: &str, key: SortKey| -> String {
        let f = UnitFilter {
            text: Some(text.into()),
            ..Default::default()
        };
        search::explain_page(c, &f, &Visibility::All, Sort::new(key, false), 20)
            .unwrap()
            .into_iter()
            .map(|(sql, _)| sql)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A text typed anew is read from the text index without storing its matches: in id order
    // straight from it, stopping after the page; in another order scanned whole and sorted in
    // memory (the first time only).
    let id = sql_of("zola", SortKey::Id);
    assert!(
        id.contains("FROM unit_text t") && id.contains("ORDER BY t.rowid"),
        "{id}"
    );
    let comune = sql_of("zola", SortKey::Comune);
    assert!(
        comune.contains("FROM unit_text t") && !comune.contains("ORDER BY"),
        "{comune}"
    );
    // Asked for again in another order than the id (paged, re-sorted): stored. Few matches:
    // their own sorted copy, then in every order.
    for key in [SortKey::Comune, SortKey::Id, SortKey::State, SortKey::Area] {
        assert!(sql_of("zola", key).contains("search_hit_rows"), "{key:?}");
    }
    // Most units match: their ids in id order, otherwise the sort index with an id check.
    assert!(sql_of("via", SortKey::Id).contains("FROM unit_text t"));
    assert!(sql_of("via", SortKey::Area).contains("FROM unit_text t"));
    let area = sql_of("via", SortKey::Area);
    assert!(
        area.contains("INDEXED BY unit_area") && area.contains("search_hits"),
        "{area}"
    );
    assert!(sql_of("via", SortKey::Id).contains("temp.search_hits h"));
}

#[test]
fn a_unit_id_or_building_code_with_a_text_checks_that_text() {
    let fx = unit_data::build(300, 8);
    let store = fx.read_only();
    let c = store.conn();
    let (id, code): (i64, String) = c
        .query_row(
            "SELECT u.id, b.code FROM unit u JOIN building b ON b.id = u.building_id \
             WHERE u.address LIKE '%roma%' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let text = Some("roma".to_string());
    for f in [
        UnitFilter {
            unit_id: Some(id),
            text: text.clone(),
            ..Default::default()
        },
        UnitFilter {
            building_code: Some(code.clone()),
            text: text.clone(),
            ..Default::default()
        },
    ] {
        // Another text's matches stored first: they must not be used for this one.
        let other = UnitFilter {
            text: Some("zzzz".into()),
            ..Default::default()
        };
        search::count(c, &other, &Visibility::All).unwrap();
        let n = search::count(c, &f, &Visibility::All).unwrap();
        let rows = search::page(
            c,
            &f,
            &Visibility::All,
            Sort::default(),
            None,
            Direction::Forward,
            50,
        )
        .unwrap();
        assert!(n >= 1, "{f:?}");
        assert_eq!(n as usize, rows.len(), "{f:?}");
    }
}

#[test]
fn the_export_reads_the_same_rows_as_the_search() {
    let s = shared();
    let store = s.fixture.read_only();
    let c = store.conn();
    let collect = |f: &UnitFilter, vis: &Visibility, sort: Sort, list: bool| {
        let mut out = Vec::new();
        let each = |rows: Vec<search::UnitRow>| {
            out.extend(rows.into_iter().map(|mut r| {
                r.building_code.clear();
                r
            }));
            Ok(true)
        };
        if list {
            search::for_each_list_page(c, f, vis, sort, 13, each).unwrap();
        } else {
            search::for_each_page(c, f, vis, sort, 13, each).unwrap();
        }
        out
    };
    let mut compared = 0;
    for vis in visibilities(c) {
        for f in filters(c).into_iter().take(12) {
            for key in SortKey::ALL {
                let sort = Sort::new(key, false);
                let a = collect(&f, &vis, sort, false);
                let b = collect(&f, &vis, sort, true);
                assert_eq!(a, b, "{f:?} {vis:?} {sort:?}");
                compared += a.len();
            }
        }
    }
    assert!(compared > 1000, "{compared}");
}
