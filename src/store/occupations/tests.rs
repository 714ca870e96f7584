use super::*;
use crate::domain::occupation::Member;
use crate::store::{Store, audit};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-06-01";

/// A database with one building and two units of the Comune di Milano.
fn store() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("o.sqlite")).unwrap();
    let milano: (i64, String) = store
        .conn()
        .query_row(
            "SELECT id, tax_code FROM owner WHERE istat_code = '015146'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO building (id, code, owner_id, istat_code, address) VALUES (1, 'B1', {o}, '015146', 'Via Roma');
             INSERT INTO unit (id, code, building_id, owner_id, istat_code, province, address, service, state, updated_at)
             VALUES (10, 'U-1', 1, {o}, '015146', 'MI', 'Via Roma', 1, 1, 'x'),
                    (11, 'U-2', 1, {o}, '015146', 'MI', 'Via Roma', 1, 2, 'x');",
            o = milano.0
        ))
        .unwrap();
    (dir, store, milano.1)
}

fn record(owner_cf: &str, code: &str, unit: &str) -> Occupation {
    let mut o = crate::domain::occupation::tests::sample();
    o.owner_tax_code = owner_cf.into();
    o.code = code.into();
    o.unit.code = unit.into();
    o
}

fn unit_state(s: &Store, id: i64) -> (i64, i64) {
    s.conn()
        .query_row("SELECT state, version FROM unit WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
}

fn attributes(e: &anyhow::Error) -> Vec<String> {
    e.downcast_ref::<Invalid>()
        .unwrap_or_else(|| panic!("not Invalid: {e:#}"))
        .0
        .iter()
        .map(|p| p.attribute.clone())
        .collect()
}

#[test]
fn opening_sets_the_unit_occupied_without_title_in_the_same_transaction() {
    let (_d, mut s, cf) = store();
    let audits = audit::count(s.conn()).unwrap();
    let saved = s
        .add_occupation("op", &record(&cf, "OCC-1", "U-1"), d(TODAY))
        .unwrap();
    assert_eq!(unit_state(&s, 10), (5, 2));
    let change = saved.unit_state.expect("state changed");
    assert_eq!(
        (change.before.as_str(), change.after.as_str()),
        ("LIBERO", "OCCUPATO SENZA TITOLO")
    );
    assert_eq!(audit::count(s.conn()).unwrap(), audits + 1);
    let stored = get(s.conn(), saved.id).unwrap().unwrap();
    assert_eq!(stored.unit_id, Some(10));
    assert_eq!(stored.istat_code, "015146");
    assert_eq!(stored.record, record(&cf, "OCC-1", "U-1"));
    // A unit casa does not know: recorded with its code and address, nothing else touched.
    let saved = s
        .add_occupation("op", &record(&cf, "OCC-2", "ESTERNO-9"), d(TODAY))
        .unwrap();
    assert!(saved.unit_state.is_none());
    assert_eq!(get(s.conn(), saved.id).unwrap().unwrap().unit_id, None);
    // The same code twice is refused.
    let e = s
        .add_occupation("op", &record(&cf, "OCC-1", "U-2"), d(TODAY))
        .unwrap_err();
    assert_eq!(attributes(&e), vec!["cdOccupazione"]);
    assert_eq!(unit_state(&s, 11), (2, 1), "nothing of the refused record");
}

#[test]
fn the_database_checks_name_their_attribute() {
    let (_d, mut s, cf) = store();
    let mut o = record("80000000000", "OCC-1", "U-1");
    o.unit.cadastral = "A001".into();
    let e = s.add_occupation("op", &o, d(TODAY)).unwrap_err();
    assert_eq!(
        attributes(&e),
        vec!["cfEnteProprietario", "cdCatastaleAlloggio"]
    );
    let mut o = record(&cf, "OCC-1", "U-1");
    o.unit.province = "BG".into();
    let e = s.add_occupation("op", &o, d(TODAY)).unwrap_err();
    assert_eq!(attributes(&e), vec!["siglaProvinciaAlloggio"]);
    // Unit U-1 is in Milano: a record placing it in Bergamo is refused.
    let mut o = record(&cf, "OCC-1", "U-1");
    o.unit.province = "BG".into();
    o.unit.cadastral = "A794".into();
    let e = s.add_occupation("op", &o, d(TODAY)).unwrap_err();
    assert_eq!(attributes(&e), vec!["cdCatastaleAlloggio"]);
    assert_eq!(unit_state(&s, 10), (1, 1));
}

#[test]
fn a_change_read_before_another_operators_is_refused() {
    let (_d, mut s, cf) = store();
    let saved = s
        .add_occupation("op", &record(&cf, "OCC-1", "U-1"), d(TODAY))
        .unwrap();
    let mut o = record(&cf, "OCC-1", "U-1");
    o.detect_id = "VA-13".into();
    let v2 = s.update_occupation("a", saved.id, 1, &o, d(TODAY)).unwrap();
    assert_eq!(v2.version, 2);
    o.detect_id = "VA-14".into();
    let e = s
        .update_occupation("b", saved.id, 1, &o, d(TODAY))
        .unwrap_err();
    assert!(
        e.to_string().contains("modificata da un altro operatore"),
        "{e}"
    );
    assert_eq!(
        get(s.conn(), saved.id).unwrap().unwrap().record.detect_id,
        "VA-13"
    );
    // Closing goes through close_occupation.
    o.ended_on = Some(d("2026-05-01"));
    let e = s
        .update_occupation("a", saved.id, 2, &o, d(TODAY))
        .unwrap_err();
    assert_eq!(attributes(&e), vec!["dtCessazioneOccupazione"]);
}

#[test]
fn closing_returns_the_unit_to_the_chosen_state_unless_another_occupation_stays_open() {
    let (_d, mut s, cf) = store();
    let a = s
        .add_occupation("op", &record(&cf, "OCC-1", "U-1"), d(TODAY))
        .unwrap();
    let mut other = record(&cf, "OCC-2", "U-1");
    other.occupant.tax_code = Some("VRDGPP90B15F205M".into());
    let b = s.add_occupation("op", &other, d(TODAY)).unwrap();
    let closing = |state| Closing {
        ended_on: Some(d("2026-05-01")),
        end: Act {
            id: Some("SGOMBERO-1".into()),
            protocol: Some("PG 123".into()),
            date: Some(d("2026-05-02")),
        },
        release: Some(Act {
            id: Some("RIL-1".into()),
            protocol: None,
            date: Some(d("2026-04-20")),
        }),
        unit_state: state,
    };
    // Another occupation of the unit stays open: no other state may be chosen.
    let e = s
        .close_occupation("op", a.id, 1, &closing(Some(UnitState::Free)), d(TODAY))
        .unwrap_err();
    assert_eq!(attributes(&e), vec!["statoAlloggio"]);
    let saved = s
        .close_occupation("op", a.id, 1, &closing(None), d(TODAY))
        .unwrap();
    assert!(saved.unit_state.is_none());
    assert!(
        saved.notes[0].contains("resta OCCUPATO SENZA TITOLO"),
        "{:?}",
        saved.notes
    );
    assert_eq!(unit_state(&s, 10).0, 5);
    let closed = get(s.conn(), a.id).unwrap().unwrap();
    assert_eq!(closed.record.ended_on, Some(d("2026-05-01")));
    assert_eq!(closed.record.release.id.as_deref(), Some("RIL-1"));
    assert_eq!(closed.version, 2);
    // Closing the last one needs a state, not OCCUPATO SENZA TITOLO.
    let e = s
        .close_occupation("op", b.id, 1, &closing(None), d(TODAY))
        .unwrap_err();
    assert_eq!(attributes(&e), vec!["statoAlloggio"]);
    let e = s
        .close_occupation(
            "op",
            b.id,
            1,
            &closing(Some(UnitState::OccupiedWithoutTitle)),
            d(TODAY),
        )
        .unwrap_err();
    assert_eq!(attributes(&e), vec!["statoAlloggio"]);
    let saved = s
        .close_occupation(
            "op",
            b.id,
            1,
            &closing(Some(UnitState::VacantMaintenance)),
            d(TODAY),
        )
        .unwrap();
    assert_eq!(
        saved.unit_state.unwrap().after,
        "SFITTO PER CARENZE MANUTENTIVE"
    );
    assert_eq!(unit_state(&s, 10).0, 3);
    // Closed twice: refused.
    let e = s
        .close_occupation("op", b.id, 2, &closing(Some(UnitState::Free)), d(TODAY))
        .unwrap_err();
    assert!(e.to_string().contains("già cessata"), "{e}");
    // Stale version.
    let e = s
        .close_occupation("op", b.id, 1, &closing(Some(UnitState::Free)), d(TODAY))
        .unwrap_err();
    assert!(e.to_string().contains("altro operatore"), "{e}");
}

#[test]
fn the_register_finds_occupants_and_members_by_window_and_by_index() {
    let (_d, mut s, cf) = store();
    let mut o = record(&cf, "OCC-1", "U-1");
    o.members = vec![Member {
        tax_code: "BNCLRA85M41F205C".into(),
        surname: "Bianchi".into(),
        name: "Laura".into(),
        birth_date: None,
        relationship: "CONIUGE".into(),
    }];
    s.add_occupation("op", &o, d(TODAY)).unwrap();
    let mut old = record(&cf, "OCC-OLD", "U-2");
    old.occupant.tax_code = Some("VRDGPP90B15F205M".into());
    old.started_on = Some(d("2010-01-01"));
    old.detect_on = Some(d("2010-01-05"));
    old.ended_on = Some(d("2012-01-01"));
    s.add_occupation("op", &old, d(TODAY)).unwrap();
    let lb = crate::rules::ranking::OccupationLookback {
        years: 5,
        boundary_included: true,
    };
    let reg = register::for_window(s.conn(), d("2026-03-01"), d("2026-03-31"), &lb).unwrap();
    assert_eq!(reg.occupations(), 1, "the one ended in 2012 cannot count");
    assert_eq!(reg.spans("BNCLRA85M41F205C").count(), 1);
    assert_eq!(reg.spans("RSSMRA80A01F205X").count(), 1);
    let reg = register::for_tax_codes(s.conn(), ["BNCLRA85M41F205C", "VRDGPP90B15F205M"]).unwrap();
    assert_eq!(reg.occupations(), 2);
    let span = reg.spans("VRDGPP90B15F205M").next().unwrap();
    assert!(
        span.reference.ends_with("occupazione OCC-OLD"),
        "{}",
        span.reference
    );
}

#[test]
fn masking_hides_every_personal_datum() {
    let (_d, mut s, cf) = store();
    let mut o = record(&cf, "OCC-1", "U-1");
    o.members = vec![Member {
        tax_code: "BNCLRA85M41F205C".into(),
        surname: "Bianchi".into(),
        name: "Laura".into(),
        birth_date: Some(d("1985-08-01")),
        relationship: "CONIUGE".into(),
    }];
    let id = s.add_occupation("op", &o, d(TODAY)).unwrap().id;
    let mut st = get(s.conn(), id).unwrap().unwrap();
    st.mask_personal_data();
    let text = serde_json::to_string(&st).unwrap();
    for secret in [
        "RSSMRA80A01F205X",
        "Rossi",
        "Mario",
        "1980-01-01",
        "BNCLRA85M41F205C",
        "Bianchi",
        "Laura",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
