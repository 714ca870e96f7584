//! The regional feed of the register of occupations (anpu-occupazioni.xsd): every export is
//! validated with xmllint (libxml2, the reference validator) against the XSD; imports refuse
//! each problem by element and attribute, store nothing on error and change nothing the second
//! time; export → import into an empty database → export gives the same document; hostile XML
//! is refused without reading more than the limits.

use casa::anpu::read::{LIMITS, Limits, Parsed, read};
use casa::anpu::{Operation, Richiesta, schema, write};
use casa::domain::occupation::{Act, Debt, Member, Occupant, Occupation, UnitPlace};
use casa::store::occupations::feed::{self, Refused};
use casa::store::{Access, Store, audit};
use chrono::NaiveDate;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-06-01";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    d(TODAY)
}

/// Validates `file` with xmllint against the XSD shipped in fixtures/; panics with its output.
fn xmllint(file: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/anpu-occupazioni.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian package libxml2-utils; bash .ci/run installs it)");
    assert!(
        out.status.success(),
        "xmllint refuses {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn xmllint_refuses(text: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.xml");
    std::fs::write(&f, text).unwrap();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/anpu-occupazioni.xsd");
    !Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(&f)
        .output()
        .expect("xmllint")
        .status
        .success()
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("casa.sqlite");
        drop(Store::create(&path).unwrap());
        Db { _dir: dir, path }
    }

    fn store(&self) -> Store {
        Store::open(&self.path, Access::ReadWrite).unwrap()
    }

    /// (id, tax code) of the Comune with ISTAT code `istat`.
    fn comune(&self, istat: &str) -> (i64, String) {
        self.store()
            .conn()
            .query_row(
                "SELECT id, tax_code FROM owner WHERE istat_code = ?1",
                [istat],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }
}

/// Records that use every attribute, absent and present, and text that needs escaping.
fn records(owner_cf: &str) -> Vec<Occupation> {
    let full = Occupation {
        code: "OCC-2024-001".into(),
        owner_tax_code: owner_cf.into(),
        unit: UnitPlace {
            code: "MI/0042 \"A\"".into(),
            province: "MI".into(),
            cadastral: "F205".into(),
            prefix: 7,
            street: "Monte Ceneri & Certosa <lato nord>".into(),
            number: "12/B".into(),
        },
        occupant: Occupant {
            tax_code: Some("RSSMRA80A01F205X".into()),
            name: "Mario Nicolò".into(),
            surname: "D'Angelo Rossi".into(),
            birth_date: Some(d("1980-01-01")),
            sex: Some("M".into()),
            birth_nation: None,
            birth_province: Some("MI".into()),
            birth_comune: Some("F205".into()),
            citizenship: Some("Z000".into()),
        },
        started_on: Some(d("2022-02-01")),
        kind: 3,
        detect_type: "Verbale di accertamento — Polizia Locale".into(),
        detect_id: "VA-12".into(),
        detect_on: Some(d("2022-02-05")),
        legit_type: Some(1),
        legit: Act {
            id: Some("DEC-2021-77".into()),
            protocol: None,
            date: Some(d("2021-11-30")),
        },
        release: Act {
            id: Some("RIL-5".into()),
            protocol: Some("PG 2023/118".into()),
            date: Some(d("2023-01-10")),
        },
        debt: Debt {
            presence: 1,
            types: [Some(true), Some(true), Some(false), None],
            extinct: Some(true),
            extinct_on: Some(d("2024-03-01")),
        },
        ended_on: Some(d("2023-06-30")),
        end: Act {
            id: Some("SGOMBERO-3".into()),
            protocol: Some("PG 2023/501".into()),
            date: Some(d("2023-06-28")),
        },
        members: vec![],
    };
    let bare = Occupation {
        code: "OCC-2025-007".into(),
        owner_tax_code: owner_cf.into(),
        unit: UnitPlace {
            code: "MI/0099".into(),
            province: "MI".into(),
            cadastral: "F205".into(),
            prefix: 2,
            street: "Piazza Prealpi".into(),
            number: "3".into(),
        },
        occupant: Occupant {
            tax_code: None,
            name: "Ana".into(),
            surname: "Popescu".into(),
            birth_date: Some(d("1991-04-12")),
            sex: Some("F".into()),
            birth_nation: Some("Z129".into()),
            birth_province: Some("EE".into()),
            birth_comune: None,
            citizenship: Some("Z129".into()),
        },
        started_on: Some(d("2025-09-01")),
        kind: 1,
        detect_type: "Segnalazione".into(),
        detect_id: "S-1".into(),
        detect_on: Some(d("2025-09-02")),
        debt: Debt {
            presence: 2,
            ..Default::default()
        },
        ..Default::default()
    };
    vec![bare, full]
}

/// Exports the owner's pending records of `action` to `file` (validated first), as the
/// command does.
fn export(db: &Db, owner: (i64, &str), action: Operation, file: &Path) -> Option<usize> {
    let mut store = db.store();
    store
        .export_occupations("op", owner.0, owner.1, action, &mut |r: &Richiesta| {
            let text = write::document(r);
            schema::check(&text)?;
            std::fs::write(file, text)?;
            Ok(())
        })
        .unwrap()
        .map(|s| s.records)
}

fn import(db: &Db, text: &str) -> anyhow::Result<feed::Imported> {
    let parsed = read(text.as_bytes(), &LIMITS);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let r = parsed.richiesta.expect("richiesta");
    db.store()
        .import_occupations("op", &r, &parsed.lines, today())
}

fn seeded() -> (Db, (i64, String)) {
    let db = Db::new();
    let milano = db.comune("015146");
    let mut store = db.store();
    for (i, mut o) in records(&milano.1).into_iter().enumerate() {
        if i == 1 {
            o.members = vec![Member {
                tax_code: "BNCLRA85M41F205C".into(),
                surname: "Bianchi".into(),
                name: "Laura".into(),
                birth_date: None,
                relationship: "CONIUGE".into(),
            }];
        }
        store
            .add_occupation("op", &o, today())
            .map_err(|e| format!("{e:#}"))
            .unwrap();
    }
    (db, milano)
}

#[test]
fn every_export_is_valid_for_xmllint_and_carries_i_then_m() {
    let (db, milano) = seeded();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("i.xml");
    assert_eq!(
        export(&db, (milano.0, &milano.1), Operation::Insert, &first),
        Some(2)
    );
    xmllint(&first);
    let text = std::fs::read_to_string(&first).unwrap();
    assert!(text.contains("azione=\"I\""), "{text}");
    assert!(text.contains("&amp; Certosa &lt;lato nord&gt;"), "{text}");
    assert!(text.contains("accertamento — Polizia Locale"), "{text}");
    // Nothing new since: no I document; nothing changed: no M document.
    let again = dir.path().join("again.xml");
    assert_eq!(
        export(&db, (milano.0, &milano.1), Operation::Insert, &again),
        None
    );
    assert_eq!(
        export(&db, (milano.0, &milano.1), Operation::Modify, &again),
        None
    );
    assert!(!again.exists());
    // One record changes: the M document carries it alone.
    let mut store = db.store();
    let s = feed::owner_records(store.conn(), milano.0).unwrap();
    let mut o = s[0].record.clone();
    o.detect_id = "S-1 bis".into();
    store
        .update_occupation("op", s[0].id, s[0].version, &o, today())
        .unwrap();
    let m = dir.path().join("m.xml");
    assert_eq!(
        export(&db, (milano.0, &milano.1), Operation::Modify, &m),
        Some(1)
    );
    xmllint(&m);
    let text = std::fs::read_to_string(&m).unwrap();
    assert!(
        text.contains("azione=\"M\"") && text.contains("S-1 bis"),
        "{text}"
    );
    assert_eq!(text.matches("<occupazioni ").count(), 1);
}

#[test]
fn export_import_into_an_empty_database_export_gives_the_same_document() {
    let (db, milano) = seeded();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.xml");
    export(&db, (milano.0, &milano.1), Operation::Insert, &a).unwrap();
    let text = std::fs::read_to_string(&a).unwrap();
    let empty = Db::new();
    let report = import(&empty, &text).unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    let b = dir.path().join("b.xml");
    let milano_b = empty.comune("015146");
    export(&empty, (milano_b.0, &milano_b.1), Operation::Insert, &b).unwrap();
    assert_eq!(std::fs::read_to_string(&b).unwrap(), text);
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let (db, milano) = seeded();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.xml");
    export(&db, (milano.0, &milano.1), Operation::Insert, &a).unwrap();
    let text = std::fs::read_to_string(&a).unwrap();
    let other = Db::new();
    import(&other, &text).unwrap();
    let before = std::fs::read(&other.path).unwrap();
    let audits = audit::count(other.store().conn()).unwrap();
    let report = import(&other, &text).unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 0, 2)
    );
    assert_eq!(audit::count(other.store().conn()).unwrap(), audits);
    // Into the database it came from: the records are already there, the same.
    let report = import(&db, &text).unwrap();
    assert_eq!(report.unchanged, 2);
    drop(before);
}

/// A valid document with one record, as a template for the refusals.
fn one_record(owner_cf: &str) -> String {
    write::document(&Richiesta {
        owner_tax_code: owner_cf.into(),
        action: Operation::Insert,
        records: vec![records(owner_cf).remove(0)],
    })
}

fn problems(text: &str) -> Parsed {
    read(text.as_bytes(), &LIMITS)
}

/// (line, element, attribute) of every problem, from the reader and, when it passes, the
/// domain's and the database's checks (what `casa occupations import` reports).
fn refusals(db: &Db, text: &str) -> Vec<(u64, String, Option<String>)> {
    let parsed = problems(text);
    let found: Vec<_> = if !parsed.problems.is_empty() {
        parsed.problems
    } else {
        let r = parsed.richiesta.unwrap();
        match db
            .store()
            .import_occupations("op", &r, &parsed.lines, today())
        {
            Ok(_) => vec![],
            Err(e) => e.downcast::<Refused>().expect("Refused").0,
        }
    };
    found
        .into_iter()
        .map(|p| (p.line, p.element, p.attribute))
        .collect()
}

#[test]
fn the_import_refuses_every_problem_by_element_and_attribute_and_stores_nothing() {
    let db = Db::new();
    let milano = db.comune("015146");
    let ok = one_record(&milano.1);
    let before = std::fs::read(&db.path).unwrap();
    let el = "occupazioni n. 1 (cdOccupazione OCC-2025-007)".to_string();
    let case = |from: &str, to: &str| ok.replacen(from, to, 1);
    // (document, what casa reports, whether the XSD alone refuses it too)
    type Where = Vec<(u64, String, Option<String>)>;
    let cases: Vec<(String, Where, bool)> = vec![
        (
            case(" idTipoOccupazione=\"1\"", " idTipoOccupazione=\"5\""),
            vec![(4, el.clone(), Some("idTipoOccupazione".into()))],
            true,
        ),
        (
            case(" nome=\"Ana\"", ""),
            vec![(4, el.clone(), Some("nome".into()))],
            true,
        ),
        (
            case(" dtNascita=\"1991-04-12\"", " dtNascita=\"1991-02-30\""),
            vec![(4, el.clone(), Some("dtNascita".into()))],
            true,
        ),
        (
            case(" numCivico=\"3\"", " numCivico=\"3\" colore=\"rosso\""),
            vec![(4, el.clone(), Some("colore".into()))],
            true,
        ),
        (
            case(
                " cdCatastaleAlloggio=\"F205\"",
                " cdCatastaleAlloggio=\"F2_5\"",
            ),
            vec![(4, el.clone(), Some("cdCatastaleAlloggio".into()))],
            true,
        ),
        (
            case(" azione=\"I\"", " azione=\"X\""),
            vec![(3, "intestazione".into(), Some("azione".into()))],
            true,
        ),
        (
            case("<intestazione", "<anpu:intestazione"),
            vec![(3, "richiesta".into(), None)],
            true,
        ),
        // Valid for the XSD, refused by the register's own rules.
        (
            case(" flgCfConosciuto=\"0\"", " flgCfConosciuto=\"1\""),
            vec![(4, el.clone(), Some("cf".into()))],
            false,
        ),
        (
            case(
                " cdCatastaleAlloggio=\"F205\"",
                " cdCatastaleAlloggio=\"Z999\"",
            ),
            vec![(4, el.clone(), Some("cdCatastaleAlloggio".into()))],
            false,
        ),
        (
            ok.replace(&format!("\"{}\"", milano.1), "\"80000000000\""),
            vec![(4, el.clone(), Some("cfEnteProprietario".into()))],
            false,
        ),
        (
            case(
                " dtInizioOccupazione=\"2025-09-01\"",
                " dtInizioOccupazione=\"2027-09-01\"",
            ),
            vec![(4, el.clone(), Some("dtInizioOccupazione".into()))],
            false,
        ),
    ];
    for (text, want, xsd) in &cases {
        assert_eq!(xmllint_refuses(text), *xsd, "xmllint on {text}");
        assert_eq!(&refusals(&db, text), want, "{text}");
    }
    // Several problems in several records: all of them, each where it is.
    let mut two = Richiesta {
        owner_tax_code: milano.1.clone(),
        action: Operation::Insert,
        records: records(&milano.1),
    };
    two.records[0].kind = 42;
    two.records[1].occupant.tax_code = Some("RSSMRA80A01F205Y".into());
    let found = refusals(&db, &write::document(&two));
    assert_eq!(
        found,
        vec![
            (4, el.clone(), Some("idTipoOccupazione".into())),
            (
                5,
                "occupazioni n. 2 (cdOccupazione OCC-2024-001)".into(),
                Some("cf".into())
            ),
        ]
    );
    assert_eq!(std::fs::read(&db.path).unwrap(), before, "nothing stored");
    // Italian reasons.
    let p = problems(&cases[0].0);
    assert!(p.problems.is_empty());
    let e = import(&db, &cases[0].0).unwrap_err().to_string();
    assert!(
        e.contains("nulla è stato salvato") && e.contains("valori ammessi"),
        "{e}"
    );
}

#[test]
fn i_refuses_a_changed_record_and_m_a_missing_one() {
    let (db, milano) = seeded();
    let mut r = Richiesta {
        owner_tax_code: milano.1.clone(),
        action: Operation::Insert,
        records: vec![records(&milano.1).remove(1)],
    };
    r.records[0].detect_id = "altro".into();
    let e = import(&db, &write::document(&r)).unwrap_err();
    assert!(e.to_string().contains("azione M"), "{e}");
    r.action = Operation::Modify;
    let report = import(&db, &write::document(&r)).unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 0));
    // The members the feed does not carry are kept.
    let store = db.store();
    let by_code = |code: &str| {
        let id = casa::store::occupations::by_code(store.conn(), milano.0, code)
            .unwrap()
            .unwrap()
            .id;
        casa::store::occupations::get(store.conn(), id)
            .unwrap()
            .unwrap()
    };
    let changed = by_code("OCC-2024-001");
    assert_eq!(changed.record.detect_id, "altro");
    assert_eq!(
        changed.record.members.len(),
        1,
        "members are not in the feed: kept"
    );
    r.records[0].code = "NUOVA".into();
    let e = import(&db, &write::document(&r)).unwrap_err();
    assert!(e.to_string().contains("azione I"), "{e}");
}

/// A reader that yields `head`, then `fill` forever, counting what it gave.
struct Endless {
    head: Vec<u8>,
    at: usize,
    fill: u8,
    given: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            buf[n] = if self.at < self.head.len() {
                self.head[self.at]
            } else {
                self.fill
            };
            self.at += 1;
            n += 1;
        }
        self.given += n as u64;
        Ok(n)
    }
}

#[test]
fn hostile_documents_are_refused_within_the_limits() {
    let small = Limits {
        file_bytes: 1 << 20,
        markup_bytes: 16 << 10,
        records: 3,
        problems: 5,
    };
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario="&lol2;" azione="I"/></anpu:richiesta>"#;
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario="&x;" azione="I"/></anpu:richiesta>"#;
    let undeclared = r#"<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario="&x;" azione="I"/></anpu:richiesta>"#;
    for (text, want) in [
        (laughs, "DOCTYPE"),
        (external, "DOCTYPE"),
        (undeclared, "entità '&x;'"),
    ] {
        let p = read(text.as_bytes(), &small);
        assert!(p.richiesta.is_none(), "{text}");
        assert!(
            p.problems.iter().any(|x| x.message.contains(want)),
            "{want}: {:?}",
            p.problems
        );
    }
    // A 1 GB attribute is never read: the markup limit stops it.
    let mut huge = Endless {
        head: br#"<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario=""#.to_vec(),
        at: 0,
        fill: b'A',
        given: 0,
    };
    let p = read(&mut huge, &small);
    assert!(
        p.problems[0].message.contains("più lunga di 16 KiB"),
        "{:?}",
        p.problems
    );
    assert!(
        huge.given < (16 << 10) + (128 << 10),
        "read {} bytes",
        huge.given
    );
    // Endless well-formed markup: the file limit stops it.
    let mut many = Endless {
        head:
            br#"<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages">"#
                .to_vec(),
        at: 0,
        fill: b' ',
        given: 0,
    };
    let mut limits = small;
    limits.markup_bytes = u64::MAX;
    let p = read(&mut many, &limits);
    assert!(
        p.problems[0].message.contains("file troppo grande"),
        "{:?}",
        p.problems
    );
    assert!(
        many.given < (1 << 20) + (128 << 10),
        "read {} bytes",
        many.given
    );
    // More records than allowed, nesting, text.
    let mut text = String::from(
        r#"<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario="01199250158" azione="I"/>"#,
    );
    for _ in 0..4 {
        text.push_str("<occupazioni/>");
    }
    text.push_str("</anpu:richiesta>");
    let p = read(text.as_bytes(), &small);
    assert!(
        p.problems
            .iter()
            .any(|x| x.message.contains("più di 3 occupazioni"))
    );
    assert_eq!(
        p.problems.len(),
        6,
        "5 problems kept, and the one that stopped the reading"
    );
    assert!(p.more_problems > 0);
    let nested = r#"<anpu:richiesta xmlns:anpu="http://osservatorio.lispa.it/anpu/schemas/messages"><intestazione cfEnteProprietario="01199250158" azione="I"><a><a/></a></intestazione></anpu:richiesta>"#;
    let p = read(nested.as_bytes(), &small);
    assert!(
        p.problems[0].message.contains("deve essere vuoto"),
        "{:?}",
        p.problems
    );
}

/// The program's own validation refuses what xmllint refuses, including the four kinds of
/// error xmlschema alone misses.
#[test]
fn the_program_validator_agrees_with_xmllint() {
    let db = Db::new();
    let milano = db.comune("015146");
    let ok = one_record(&milano.1);
    assert!(
        schema::violations(&ok).is_empty(),
        "{:?}",
        schema::violations(&ok)
    );
    assert!(!xmllint_refuses(&ok));
    for bad in [
        ok.replacen(" numCivico=\"3\"", " numCivico=\"3\" extra=\"x\"", 1),
        ok.replace("anpu:richiesta", "richiesta").replace(
            " xmlns:anpu=\"http://osservatorio.lispa.it/anpu/schemas/messages\"",
            "",
        ),
        ok.replacen("<intestazione", "<anpu:intestazione", 1),
        ok.replacen("flgSesso=\"F\"", "flgSesso=\"X\"", 1),
        ok.replacen(" idTipoPresenzaDebito=\"2\"", "", 1),
        ok.replacen(
            "<occupazioni",
            "<occupazioni>x</occupazioni><occupazioni",
            1,
        ),
    ] {
        assert!(xmllint_refuses(&bad), "xmllint accepts {bad}");
        assert!(!schema::violations(&bad).is_empty(), "casa accepts {bad}");
    }
}
