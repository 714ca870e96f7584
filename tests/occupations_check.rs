//! The five-year check on every application, end to end through the store: a member found in
//! an occupation that ran within the look-back before the submission is refused access with
//! the occupation's reference (the computed exclusions, the explanation, the import report);
//! ended five years and one day before, it is not counted; exactly five years, it is.

use casa::domain::application::{Application, Member, Relationship};
use casa::domain::occupation::{Debt, Occupant, Occupation, UnitPlace};
use casa::store::{Access, Store, notices, rankings};
use chrono::{Duration, Months, NaiveDate};

fn member(cf: &str, rel: Relationship) -> Member {
    Member {
        tax_code: cf.into(),
        birth_date: "1980-01-01".parse().unwrap(),
        relationship: rel,
        disability_pct: 0,
        attendance_allowance: false,
    }
}

fn application(code: &str, submitted: NaiveDate, members: Vec<Member>, istat: &str) -> Application {
    Application {
        code: code.into(),
        submitted_at: submitted.and_hms_opt(9, 30, 0).unwrap(),
        members,
        isee: 800_000,
        assets: 0,
        resides_in_lombardy: true,
        works_in_lombardy: false,
        residence_istat: Some(istat.into()),
        work_istat: None,
        years_region: 10,
        years_comune: 6,
        other_comuni_years: vec![],
        owned_dwelling_m2: None,
        exclusion_on: None,
        declared: vec![],
        preferences: vec![],
    }
}

fn occupation(
    owner_cf: &str,
    code: &str,
    occupant_cf: &str,
    started: NaiveDate,
    ended: Option<NaiveDate>,
) -> Occupation {
    Occupation {
        code: code.into(),
        owner_tax_code: owner_cf.into(),
        unit: UnitPlace {
            code: format!("EXT-{code}"),
            province: "MI".into(),
            cadastral: "F205".into(),
            prefix: 1,
            street: "Padova".into(),
            number: "1".into(),
        },
        occupant: Occupant {
            tax_code: Some(occupant_cf.into()),
            name: "Nome".into(),
            surname: "Cognome".into(),
            birth_date: Some("1980-01-01".parse().unwrap()),
            ..Default::default()
        },
        started_on: Some(started),
        kind: 1,
        detect_type: "Verbale".into(),
        detect_id: "V1".into(),
        detect_on: Some(started),
        debt: Debt {
            presence: 0,
            ..Default::default()
        },
        ended_on: ended,
        ..Default::default()
    }
}

/// Valid codici fiscali (check character computed), one per person of the test.
const CF: [&str; 6] = [
    "RSSMRA80A01F205X",
    "BNCLRA85M41F205C",
    "VRDGPP90B15F205M",
    "NRIMRC75C22F205F",
    "FRRLCA05E10F205Q",
    "RSSLGU15H01F205Z",
];

#[test]
fn members_in_the_register_within_five_years_are_refused_access() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 3000,
            seed: 3,
        },
        &mut |_| {},
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    // The district of Milano and its capofila; the notice closed a week ago.
    let (district, code): (i64, String) = store
        .conn()
        .query_row(
            "SELECT d.id, d.code FROM district d JOIN district_municipality dm ON dm.district_id = d.id
             WHERE dm.istat_code = '015146'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let capofila = format!("capofila.{}", code.to_lowercase());
    let closes = today - Duration::days(7);
    let opens = closes - Duration::days(40);
    let notice = store
        .create_notice(
            &capofila,
            notices::NewNotice {
                district_id: district,
                title: "Avviso di prova",
                opens_on: opens,
                closes_on: closes,
                rule_set: None,
            },
        )
        .unwrap();
    let submitted = opens + Duration::days(10);
    let five = submitted.checked_sub_months(Months::new(60)).unwrap();
    let milano_cf: String = store
        .conn()
        .query_row(
            "SELECT tax_code FROM owner WHERE istat_code = '015146'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // The register: ended exactly five years before (counts), five years and a day (does
    // not), open since long ago (counts), started after the submission (does not).
    for o in [
        occupation(
            &milano_cf,
            "OCC-A",
            CF[1],
            five - Duration::days(300),
            Some(five),
        ),
        occupation(
            &milano_cf,
            "OCC-B",
            CF[2],
            five - Duration::days(300),
            Some(five - Duration::days(1)),
        ),
        occupation(
            &milano_cf,
            "OCC-C",
            CF[3],
            five - Duration::days(3000),
            None,
        ),
        occupation(
            &milano_cf,
            "OCC-D",
            CF[4],
            submitted + Duration::days(1),
            None,
        ),
    ] {
        store.add_occupation("op", &o, today).unwrap();
    }
    let apps = vec![
        application(
            "D-EXACT",
            submitted,
            vec![
                member(CF[0], Relationship::Richiedente),
                member(CF[1], Relationship::Coniuge),
            ],
            "015146",
        ),
        application(
            "D-DAY-MORE",
            submitted,
            vec![member(CF[2], Relationship::Richiedente)],
            "015146",
        ),
        application(
            "D-OPEN",
            submitted,
            vec![member(CF[3], Relationship::Richiedente)],
            "015146",
        ),
        application(
            "D-AFTER",
            submitted,
            vec![member(CF[4], Relationship::Richiedente)],
            "015146",
        ),
        application(
            "D-CLEAN",
            submitted,
            vec![member(CF[5], Relationship::Richiedente)],
            "015146",
        ),
    ];
    let imported = store
        .import_applications(&capofila, notice.id, &apps)
        .unwrap();
    let mut reported: Vec<&str> = imported
        .in_register
        .iter()
        .map(|h| h.code.as_str())
        .collect();
    reported.sort();
    assert_eq!(reported, vec!["D-EXACT", "D-OPEN"], "the import report");
    store.compute_rankings(&capofila, notice.id, today).unwrap();
    let excluded = rankings::excluded(store.conn(), notice.id).unwrap();
    let by_register: Vec<(&str, &str)> = excluded
        .iter()
        .filter(|x| x.requirement == "OCCUPAZIONE")
        .map(|x| (x.code.as_str(), x.reason.as_str()))
        .collect();
    assert_eq!(
        by_register.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        vec!["D-EXACT", "D-OPEN"],
        "{excluded:#?}"
    );
    let (_, reason) = by_register[0];
    assert!(reason.contains("componente n. 2 (coniuge)"), "{reason}");
    assert!(reason.contains("occupazione OCC-A"), "{reason}");
    assert!(
        reason.contains(&format!("al {}", five.format("%d/%m/%Y"))),
        "{reason}"
    );
    assert!(
        !reason.contains(CF[1]),
        "no codice fiscale in a reason: {reason}"
    );
    // The explanation says the same.
    let e = rankings::explain(store.conn(), notice.id, "D-OPEN").unwrap();
    assert!(!e.admitted);
    assert!(
        e.failures
            .iter()
            .any(|f| f.requirement == "OCCUPAZIONE" && f.reason.contains("OCC-C")),
        "{:?}",
        e.failures
    );
    let e = rankings::explain(store.conn(), notice.id, "D-DAY-MORE").unwrap();
    assert!(
        e.failures.iter().all(|f| f.requirement != "OCCUPAZIONE"),
        "{:?}",
        e.failures
    );
}
