use super::check::{Register, Span, counts, failure, window_start};
use super::codes::{Code, CodeList, CodeLists};
use super::*;
use crate::domain::application::{Application, Member as AppMember, Relationship};
use crate::rules::ranking::OccupationLookback;

/// The code lists of the shipped configuration, parsed here without a database.
pub(crate) fn codes() -> CodeLists {
    let mut out = CodeLists::default();
    for c in crate::reference::anpu_codes().unwrap() {
        out.insert(
            CodeList::from_key(&c.list).unwrap(),
            Code {
                code: c.code,
                label: c.label,
                source: c.source,
                verified: c.verified != 0,
            },
        );
    }
    out
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn sample() -> Occupation {
    Occupation {
        code: "OCC-2024-001".into(),
        owner_tax_code: "01199250158".into(),
        unit: UnitPlace {
            code: "U-1".into(),
            province: "MI".into(),
            cadastral: "F205".into(),
            prefix: 1,
            street: "Roma".into(),
            number: "12".into(),
        },
        occupant: Occupant {
            tax_code: Some("RSSMRA80A01F205X".into()),
            name: "Mario".into(),
            surname: "Rossi".into(),
            birth_date: Some(d("1980-01-01")),
            ..Default::default()
        },
        started_on: Some(d("2024-02-01")),
        kind: 1,
        detect_type: "Verbale di accertamento".into(),
        detect_id: "VA-12".into(),
        detect_on: Some(d("2024-02-05")),
        debt: Debt {
            presence: 0,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn attrs(o: &Occupation) -> Vec<String> {
    validate(o, &codes(), d("2026-06-01"))
        .into_iter()
        .map(|p| p.attribute)
        .collect()
}

#[test]
fn the_shipped_code_lists_carry_every_list_and_the_xsd_codes() {
    let c = codes();
    let list = |l| c.entries(l).iter().map(|c| c.code).collect::<Vec<_>>();
    assert_eq!(list(CodeList::OccupationType), vec![1, 2, 3, 4, 99]);
    assert_eq!(list(CodeList::LegitimatingAct), vec![1, 2, 3, 4, 99]);
    assert_eq!(list(CodeList::DebtPresence), vec![0, 1, 2]);
    assert_eq!(list(CodeList::DebtType), DEBT_TYPE_CODES.to_vec());
    assert_eq!(list(CodeList::AddressPrefix), (1..=18).collect::<Vec<_>>());
    assert_eq!(
        c.describe(CodeList::OccupationType, 1),
        "1 Occupazione con violenza o effrazione"
    );
    // The sources disagree on what 0 and 1 mean: flagged, never silently trusted.
    assert!(!c.get(CodeList::DebtPresence, 1).unwrap().verified);
    assert_eq!(c.parse(CodeList::AddressPrefix, "piazza"), Ok(2));
    assert_eq!(c.parse(CodeList::AddressPrefix, " 7 "), Ok(7));
    let e = c.parse(CodeList::AddressPrefix, "Boulevard").unwrap_err();
    assert!(e.contains("'Boulevard'") && e.contains("1 Via"), "{e}");
}

#[test]
fn a_complete_record_passes() {
    assert_eq!(attrs(&sample()), Vec::<String>::new());
}

#[test]
fn each_problem_names_its_attribute() {
    let mut o = sample();
    o.occupant.tax_code = Some("RSSMRA80A01F205Y".into());
    o.kind = 5;
    o.unit.cadastral = "F2_5".into();
    o.unit.prefix = 19;
    o.detect_id = "x".repeat(101);
    o.started_on = Some(d("2027-01-01"));
    let a = attrs(&o);
    for want in [
        "cf",
        "idTipoOccupazione",
        "cdCatastaleAlloggio",
        "prefissoIndirizzo",
        "identificativoAttoRilevazione",
        "dtInizioOccupazione",
    ] {
        assert!(a.contains(&want.to_string()), "{want} missing in {a:?}");
    }
    let p = validate(&o, &codes(), d("2026-06-01"));
    let kind = p
        .iter()
        .find(|p| p.attribute == "idTipoOccupazione")
        .unwrap();
    assert!(kind.message.contains("valori ammessi"), "{}", kind.message);
}

#[test]
fn without_codice_fiscale_the_person_is_known_by_sex_birth_place_and_citizenship() {
    let mut o = sample();
    o.occupant.tax_code = None;
    let a = attrs(&o);
    assert_eq!(
        a,
        vec!["flgSesso", "cdCatastaleComuneNascita", "cdCittadinanza"],
        "{a:?}"
    );
    o.occupant.sex = Some("F".into());
    o.occupant.birth_nation = Some("Z404".into());
    o.occupant.citizenship = Some("Z404".into());
    assert!(attrs(&o).is_empty(), "{:?}", attrs(&o));
}

#[test]
fn ends_acts_and_debts_are_consistent() {
    let mut o = sample();
    o.end.id = Some("PROV-1".into());
    assert_eq!(attrs(&o), vec!["dtCessazioneOccupazione"]);
    o.ended_on = Some(d("2024-01-01"));
    assert_eq!(
        attrs(&o),
        vec!["dtCessazioneOccupazione"],
        "ended before it started"
    );
    o.ended_on = Some(d("2025-01-01"));
    assert!(attrs(&o).is_empty());
    o.legit.id = Some("DEC-9".into());
    assert_eq!(attrs(&o), vec!["idTipoAttoLegittimante"]);
    o.legit_type = Some(1);
    assert!(attrs(&o).is_empty());
    o.debt.extinct_on = Some(d("2025-02-01"));
    assert_eq!(attrs(&o), vec!["flgEstinzioneDebito"]);
    o.debt.extinct = Some(true);
    assert!(attrs(&o).is_empty());
}

#[test]
fn members_need_a_valid_codice_fiscale_each_once() {
    let mut o = sample();
    let m = Member {
        tax_code: "BNCLRA85M41F205C".into(),
        surname: "Bianchi".into(),
        name: "Laura".into(),
        birth_date: Some(d("1985-08-01")),
        relationship: "CONIUGE".into(),
    };
    o.members = vec![m.clone(), m.clone()];
    let a = attrs(&o);
    assert_eq!(a, vec!["componenti[2].cf"], "{a:?}");
    o.members[1].tax_code = "RSSMRA80A01F205X".into();
    assert_eq!(attrs(&o), vec!["componenti[2].cf"], "the occupant again");
    o.members.pop();
    assert!(attrs(&o).is_empty());
    assert_eq!(
        o.tax_codes().collect::<Vec<_>>(),
        vec!["RSSMRA80A01F205X", "BNCLRA85M41F205C"]
    );
}

fn lookback(inclusive: bool) -> OccupationLookback {
    OccupationLookback {
        years: 5,
        boundary_included: inclusive,
    }
}

fn span(start: &str, end: Option<&str>) -> Span {
    Span {
        reference: "ALER Milano, occupazione OCC-1".into(),
        started_on: d(start),
        ended_on: end.map(d),
    }
}

/// The boundary of issue 15: an occupation ended 5 years and 1 day before the application is
/// not counted; one ended exactly 5 years before is (our rule, stated in the rule set).
#[test]
fn five_years_exactly_counts_five_years_and_a_day_does_not() {
    let submitted = d("2026-03-01");
    let lb = lookback(true);
    assert_eq!(window_start(submitted, &lb), d("2021-03-01"));
    assert!(counts(
        &span("2019-01-01", Some("2021-03-01")),
        submitted,
        &lb
    ));
    assert!(!counts(
        &span("2019-01-01", Some("2021-02-28")),
        submitted,
        &lb
    ));
    // The other reading of the boundary, should a rule set choose it.
    assert!(!counts(
        &span("2019-01-01", Some("2021-03-01")),
        submitted,
        &lookback(false)
    ));
    assert!(counts(
        &span("2019-01-01", Some("2021-03-02")),
        submitted,
        &lookback(false)
    ));
    // Started within the five years; still open whenever it started; started after the
    // submission: not before it.
    assert!(counts(
        &span("2025-12-01", Some("2026-01-10")),
        submitted,
        &lb
    ));
    assert!(counts(&span("2001-01-01", None), submitted, &lb));
    assert!(counts(&span("2026-03-01", None), submitted, &lb));
    assert!(!counts(&span("2026-03-02", None), submitted, &lb));
    // 29 February: five years earlier is 28 February.
    assert_eq!(window_start(d("2028-02-29"), &lb), d("2023-02-28"));
}

fn application(members: &[&str]) -> Application {
    Application {
        code: "D1".into(),
        submitted_at: "2026-03-01T10:00:00".parse().unwrap(),
        members: members
            .iter()
            .enumerate()
            .map(|(i, cf)| AppMember {
                tax_code: cf.to_string(),
                birth_date: d("1980-01-01"),
                relationship: if i == 0 {
                    Relationship::Richiedente
                } else {
                    Relationship::Figlio
                },
                disability_pct: 0,
                attendance_allowance: false,
            })
            .collect(),
        isee: 0,
        assets: 0,
        resides_in_lombardy: true,
        works_in_lombardy: false,
        residence_istat: None,
        work_istat: None,
        years_region: 0,
        years_comune: 0,
        other_comuni_years: vec![],
        owned_dwelling_m2: None,
        exclusion_on: None,
        declared: vec![],
        preferences: vec![],
    }
}

#[test]
fn the_failure_names_the_member_and_the_occupation_not_the_codice_fiscale() {
    let mut reg = Register::default();
    reg.add(
        span("2019-01-01", Some("2021-03-01")),
        ["AAAAAA80A01F205A", "BBBBBB10A01F205B"],
    );
    reg.add(span("2010-01-01", Some("2012-01-01")), ["CCCCCC80A01F205C"]);
    let lb = lookback(true);
    assert!(
        failure(
            &application(&["XXXXXX80A01F205X"]),
            &reg,
            &lb,
            "R.R. 2/2025"
        )
        .is_none()
    );
    assert!(
        failure(
            &application(&["CCCCCC80A01F205C"]),
            &reg,
            &lb,
            "R.R. 2/2025"
        )
        .is_none(),
        "ended long before"
    );
    let f = failure(
        &application(&["XXXXXX80A01F205X", "BBBBBB10A01F205B"]),
        &reg,
        &lb,
        "R.R. 2/2025",
    )
    .expect("member 2 is in the register");
    assert_eq!(f.requirement, "OCCUPAZIONE");
    assert!(
        f.reason.contains("componente n. 2 (figlio)"),
        "{}",
        f.reason
    );
    assert!(
        f.reason.contains("ALER Milano, occupazione OCC-1"),
        "{}",
        f.reason
    );
    assert!(
        f.reason.contains("dal 01/01/2019 al 01/03/2021"),
        "{}",
        f.reason
    );
    assert!(f.reason.contains("dal 01/03/2021 compreso"), "{}", f.reason);
    assert!(f.reason.contains("R.R. 2/2025"), "{}", f.reason);
    assert!(!f.reason.contains("BBBBBB10A01F205B"), "{}", f.reason);
}
