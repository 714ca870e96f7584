//! Role × action over every mutating command of the CLI: each cell runs on its own copy of one
//! prepared database and asserts the outcome (done, refused as not allowed = exit 3, refused by
//! the rules = exit 4). Every command that goes through writes exactly one audit record, with
//! the state after it (and before it, for changes to something that existed). A refused
//! command leaves the file byte-identical. Every command is refused, byte for byte, to the
//! helpdesk and to every allowed role with --read-only. The helpdesk sees personal data masked
//! unless it reveals them, and a reveal is audited.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const CAP: &str = "capofila.bg-seriate";
const OTHER_CAP: &str = "capofila.bg-dalmine";
const COMUNE: &str = "comune.016198"; // Seriate, in BG-SERIATE, all services on its Comune
const REGISTRY_ONLY: &str = "solo.anagrafe"; // ANAGRAFE only, on Seriate
const DISABLED: &str = "disabilitato"; // an owner operator of Seriate, disabled
const ALER: &str = "aler.bg-lc-so";
const ROLES: [&str; 7] = [
    "regione",
    "helpdesk",
    CAP,
    OTHER_CAP,
    COMUNE,
    REGISTRY_ONLY,
    ALER,
];
/// Comune di Seriate's real codice fiscale (IndicePA; a synthetic one before issue 12).
const SERIATE_CF: &str = "00384000162";

fn casa(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casa"));
    if let Some(op) = operator {
        cmd.args(["--operator", op]);
    }
    cmd.args(args)
        .env("CASA_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "nobody")
        .env_remove("CASA_OPERATOR")
        .output()
        .unwrap()
}

fn ok(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> String {
    let out = casa(db, home, operator, args);
    assert!(
        out.status.success(),
        "{operator:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// Ids of what the base database holds.
struct Base {
    _dir: tempfile::TempDir,
    db: PathBuf,
    home: PathBuf,
    files: PathBuf,
    ids: BTreeMap<&'static str, String>,
}

fn json_id(s: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(s).unwrap();
    v["id"].as_i64().unwrap().to_string()
}

/// The prepared database: plans of BG-SERIATE in every state, a notice of BG-SERIATE still
/// open and one closed with ranked applications, an operator with the registry service only,
/// and the files the commands read.
fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("base.sqlite");
        let home = dir.path().join("home");
        let files = dir.path().join("files");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&files).unwrap();
        let run = |op: Option<&str>, args: &[&str]| ok(&db, &home, op, args);
        run(None, &["demo", "--units", "3000", "--applications", "100"]);
        run(
            Some("regione"),
            &[
                "operators",
                "add",
                REGISTRY_ONLY,
                "--surname",
                "Bianchi",
                "--name",
                "Anna",
                "--tax-code",
                "RSSMRA70A41H501W",
                "--email",
                "a@example.it",
                "--role",
                "ente",
                "--owner",
                "016198",
                "--service",
                "anagrafe",
            ],
        );
        run(
            Some("regione"),
            &[
                "operators",
                "add",
                DISABLED,
                "--surname",
                "Verdi",
                "--name",
                "Carla",
                "--tax-code",
                "RSSMRA80A01F205X",
                "--email",
                "c@example.it",
                "--role",
                "ente",
                "--owner",
                "016198",
            ],
        );
        run(Some("regione"), &["operators", "disable", DISABLED]);
        let mut ids = BTreeMap::new();
        let plan = |year: &str, start: i64, end: i64| {
            json_id(&run(
                Some(CAP),
                &[
                    "plan", "create", "--district", "BG-SERIATE", "--year", year, "--start",
                    &day(start), "--end", &day(end), "--format", "json",
                ],
            ))
        };
        // BOZZA (2029), APERTO with the Comune and the ALER certified (2028), CHIUSO early
        // (2027), APPROVATO (2026).
        ids.insert("plan_draft", plan("2029", 1, 30));
        let open = plan("2028", -3, 30);
        run(Some(CAP), &["plan", "open", &open]);
        run(Some(COMUNE), &["certification", "certify"]);
        run(Some(ALER), &["certification", "certify"]);
        ids.insert("plan_open", open);
        let closed = plan("2027", -3, 30);
        run(Some(CAP), &["plan", "open", &closed]);
        run(Some(CAP), &["plan", "close", &closed]);
        ids.insert("plan_closed", closed);
        let approved = plan("2026", -3, 30);
        run(Some(CAP), &["plan", "open", &approved]);
        run(Some(CAP), &["plan", "close", &approved]);
        run(Some(CAP), &["plan", "approve", &approved]);
        ids.insert("plan_approved", approved);
        // Units of the district in avviso, then a notice still open and a closed one with
        // three applications and its rankings.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE unit SET in_notice = 1 WHERE id IN (SELECT u.id FROM unit u
               JOIN district_municipality dm ON dm.istat_code = u.istat_code
               JOIN district d ON d.id = dm.district_id AND d.code = 'BG-SERIATE'
              ORDER BY u.istat_code <> '016198', u.state <> 1, u.id LIMIT 30)",
            [],
        )
        .unwrap();
        let seriate_unit: i64 = conn
            .query_row(
                "SELECT id FROM unit WHERE istat_code = '016198' ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(conn);
        ids.insert("unit", seriate_unit.to_string());
        let notice = |opens: i64, closes: i64| {
            json_id(&run(
                Some(CAP),
                &[
                    "notice", "create", "--district", "BG-SERIATE", "--title", "Avviso",
                    "--opens", &day(opens), "--closes", &day(closes), "--format", "json",
                ],
            ))
        };
        ids.insert("notice_open", notice(-10, 30));
        let closed = notice(-60, -2);
        let apps = files.join("domande.csv");
        std::fs::write(
            &apps,
            "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Condizioni\n\
             P-1;01/03/2026 10:00;RSSMRA85T10A562S;10/12/1985;RICHIEDENTE;;;2.500,00;1000;SI;NO;016198;;20;12;RILASCIO_ALLOGGIO\n\
             P-1;01/03/2026 10:00;RSSMRA70A41H501W;01/01/1970;CONIUGE;70;NO;2.500,00;1000;SI;NO;016198;;20;12;RILASCIO_ALLOGGIO\n\
             P-2;02/03/2026 09:00;RSSMRA80A01F205X;01/01/1980;RICHIEDENTE;;;9000;0;SI;NO;016198;;10;3;\n",
        )
        .unwrap();
        run(
            Some(CAP),
            &["applications", "import", apps.to_str().unwrap(), "--notice", &closed],
        );
        run(Some(CAP), &["rankings", "compute", "--notice", &closed]);
        ids.insert("notice_closed", closed.clone());
        // A second file of applications for the open notice.
        let more = files.join("altre.csv");
        std::fs::write(
            &more,
            std::fs::read_to_string(&apps)
                .unwrap()
                .replace("P-1", "Q-1")
                .replace("P-2", "Q-2"),
        )
        .unwrap();
        // A unit file for Seriate, and a rule-set file with one changed value.
        let header = casa::domain::unit_record::Column::ALL
            .iter()
            .map(|c| c.header())
            .collect::<Vec<_>>()
            .join(";");
        let cells: Vec<String> = casa::domain::unit_record::Column::ALL
            .iter()
            .map(|c| {
                use casa::domain::unit_record::Column as C;
                match c {
                    C::OwnerKind => "COMUNE",
                    C::OwnerTaxCode => SERIATE_CF,
                    C::OwnerName => "Comune di Seriate",
                    C::BuildingCode => "F-PROVA-1",
                    C::YearBuilt => "1970",
                    C::UnitCode => "PROVA-1",
                    C::IstatCode => "016198",
                    C::Municipality => "Seriate",
                    C::Province => "BG",
                    C::Address => "Via Roma",
                    C::StreetNumber => "1",
                    C::FloorArea => "60",
                    C::Rooms => "3",
                    C::Service => "SAP",
                    C::Sat => "NO",
                    C::State => "LIBERO",
                    C::InNotice => "NO",
                    C::BarrierFree => "NO",
                    C::Lift => "NO",
                    _ => "",
                }
                .to_string()
            })
            .collect();
        std::fs::write(
            files.join("alloggi.csv"),
            format!("{header}\n{}\n", cells.join(";")),
        )
        .unwrap();
        let rules = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/rr-2-2025.toml"),
        )
        .unwrap()
        .replacen("points = { value = 20.00", "points = { value = 25.00", 1);
        std::fs::write(files.join("regole.toml"), rules).unwrap();
        // A backup of the prepared database, for `db restore`.
        run(
            Some("regione"),
            &["db", "backup", files.join("copia.sqlite").to_str().unwrap()],
        );
        // Settle the WAL so that a copy of the main file is the whole database.
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        Base {
            _dir: dir,
            db,
            home,
            files,
            ids,
        }
    })
}

/// The outcome of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Done,
    /// Allowed, and there was nothing to change: no audit record, not a byte changed.
    Unchanged,
    Denied,
    Refused,
}

use Out::*;

struct Case {
    name: &'static str,
    args: Vec<String>,
    /// Whether a successful run also changes something that existed (audit `before`).
    changes_existing: bool,
    /// Whether a successful run replaces the whole database (`demo`): its audit starts anew.
    replaces_database: bool,
    /// Outcome by role; roles not listed are refused as not allowed.
    allowed: Vec<(&'static str, Out)>,
}

fn cases(b: &Base) -> Vec<Case> {
    let id = |k: &str| b.ids[k].clone();
    let file = |n: &str| b.files.join(n).to_str().unwrap().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let comm = |owner: &str| {
        s(&[
            "comm",
            "file",
            "--plan",
            &id("plan_open"),
            "--owner",
            owner,
            "--carenze",
            "1",
            "--nuove",
            "0",
            "--turnover",
            "2",
            "--privati",
            "0",
            "--sat",
            "0",
            "--assegnate",
            "0",
        ])
    };
    vec![
        Case {
            name: "operators grant",
            args: s(&[
                "operators",
                "grant",
                REGISTRY_ONLY,
                "--owner",
                "016198",
                "--service",
                "programmazione",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "operators disable",
            args: s(&["operators", "disable", REGISTRY_ONLY]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "units import",
            args: s(&["units", "import", &file("alloggi.csv")]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done), (REGISTRY_ONLY, Done)],
        },
        Case {
            name: "certification certify (Seriate)",
            args: s(&["certification", "certify", "--owner", "016198"]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done), (REGISTRY_ONLY, Done)],
        },
        Case {
            name: "certification none (Seriate has units)",
            args: s(&["certification", "none", "--owner", "016198"]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Refused), (COMUNE, Refused), (REGISTRY_ONLY, Refused)],
        },
        Case {
            name: "plan create",
            args: s(&[
                "plan",
                "create",
                "--district",
                "BG-SERIATE",
                "--year",
                "2031",
                "--start",
                &day(1),
                "--end",
                &day(20),
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan open",
            args: s(&["plan", "open", &id("plan_draft")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan close",
            args: s(&["plan", "close", &id("plan_open")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan reopen",
            args: s(&["plan", "reopen", &id("plan_closed"), "--end", &day(20)]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan approve",
            args: s(&["plan", "approve", &id("plan_closed")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan approve (window open)",
            args: s(&["plan", "approve", &id("plan_open")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused)],
        },
        Case {
            name: "plan cancel",
            args: s(&["plan", "cancel", &id("plan_draft")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan revise",
            args: s(&[
                "plan",
                "revise",
                &id("plan_approved"),
                "--start",
                &day(1),
                "--end",
                &day(20),
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "comm file (Seriate)",
            args: comm("016198"),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "comm file (ALER)",
            args: comm(ALER),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(ALER, Done)],
        },
        Case {
            name: "rules load",
            args: s(&["rules", "load", &file("regole.toml")]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "notice create",
            args: s(&[
                "notice",
                "create",
                "--district",
                "BG-SERIATE",
                "--title",
                "Nuovo",
                "--opens",
                &day(1),
                "--closes",
                &day(40),
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "notice close",
            args: s(&["notice", "close", &id("notice_open")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "applications import",
            args: s(&[
                "applications",
                "import",
                &file("altre.csv"),
                "--notice",
                &id("notice_open"),
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "rankings compute",
            args: s(&["rankings", "compute", "--notice", &id("notice_closed")]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "rankings correct",
            args: s(&[
                "rankings",
                "correct",
                "--notice",
                &id("notice_closed"),
                "--application",
                "P-1",
                "--member",
                "RSSMRA70A41H501W",
                "--disability-pct",
                "100",
            ]),
            changes_existing: true,
            replaces_database: false,
            // The capofila, and the AVVISI operators of the owners whose rankings hold P-1.
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "rankings finalize (corrections window open)",
            args: s(&["rankings", "finalize", "--notice", &id("notice_closed")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused)],
        },
        Case {
            name: "operators add",
            args: s(&[
                "operators",
                "add",
                "nuovo.operatore",
                "--surname",
                "Neri",
                "--name",
                "Luca",
                "--tax-code",
                "RSSMRA80A01H501U",
                "--email",
                "n@example.it",
                "--role",
                "ente",
                "--owner",
                "016198",
                "--service",
                "anagrafe",
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "operators enable",
            args: s(&["operators", "enable", DISABLED]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "units mark (Seriate)",
            args: s(&["units", "mark", "--owner", "016198", "--year", "2031"]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done), (REGISTRY_ONLY, Done)],
        },
        Case {
            name: "units mark --undo (nothing marked: nothing to record)",
            args: s(&[
                "units", "mark", "--owner", "016198", "--year", "2032", "--undo",
            ]),
            changes_existing: false,
            replaces_database: false,
            // The Regione sees Seriate's units but keeps no registry: with nothing marked there
            // is nothing to refuse either.
            allowed: vec![
                (CAP, Unchanged),
                (COMUNE, Unchanged),
                (REGISTRY_ONLY, Unchanged),
                ("regione", Unchanged),
            ],
        },
        Case {
            name: "comm file --draft (Seriate)",
            args: {
                let mut a = comm("016198");
                a.push("--draft".into());
                a
            },
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "db restore",
            args: s(&["db", "restore", &file("copia.sqlite")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "demo (replaces the demo database)",
            args: s(&["demo", "--units", "300", "--applications", "0"]),
            changes_existing: false,
            replaces_database: true,
            allowed: vec![("regione", Done)],
        },
    ]
}

fn hash(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

fn audit(db: &Path) -> (i64, Option<String>, Option<String>, String) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT (SELECT count(*) FROM audit), before, after, action FROM audit ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

/// Runs one cell (`case` as `role`, with `flags` before the command) on a copy of the base
/// and checks its outcome against `want`; returns what is wrong.
fn cell(b: &Base, case: &Case, role: &str, flags: &[&str], want: Out) -> Vec<String> {
    let mut failures = Vec::new();
    let who = if flags.is_empty() {
        role.to_string()
    } else {
        format!("{role} {}", flags.join(" "))
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cell.sqlite");
    std::fs::copy(&b.db, &db).unwrap();
    let before_file = hash(&db);
    let (n_before, ..) = audit(&db);
    let mut args: Vec<&str> = flags.to_vec();
    args.extend(case.args.iter().map(String::as_str));
    let out = casa(&db, &b.home, Some(role), &args);
    let got = match (out.status.code(), want) {
        (Some(0), Unchanged) => Unchanged,
        (Some(0), _) => Done,
        (Some(3), _) => Denied,
        (Some(4), _) => Refused,
        (other, _) => {
            failures.push(format!(
                "{} as {who}: exit {other:?}: {}",
                case.name,
                String::from_utf8_lossy(&out.stderr)
            ));
            return failures;
        }
    };
    if got != want {
        failures.push(format!(
            "{} as {who}: {got:?}, expected {want:?}: {}",
            case.name,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return failures;
    }
    if got == Done && case.replaces_database {
        // A new demo database: its own creation record, the new size.
        let c = rusqlite::Connection::open(&db).unwrap();
        let (units, created): (i64, i64) = c
            .query_row(
                "SELECT (SELECT count(*) FROM unit),
                        (SELECT count(*) FROM audit WHERE action = 'demo.crea')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        if (units, created) != (300, 1) {
            failures.push(format!(
                "{} as {who}: {units} units, {created} creation records",
                case.name
            ));
        }
    } else if got == Done {
        let (n_after, before, after, action) = audit(&db);
        if n_after != n_before + 1 {
            failures.push(format!(
                "{} as {who}: {} audit records, expected exactly one",
                case.name,
                n_after - n_before
            ));
        }
        if after.is_none() {
            failures.push(format!("{} ({action}): audit without 'after'", case.name));
        }
        if case.changes_existing && before.is_none() {
            failures.push(format!("{} ({action}): audit without 'before'", case.name));
        }
    } else {
        // Refused or nothing to do: not a byte changed (WAL included: the main file after a
        // checkpoint).
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        drop(c);
        if hash(&db) != before_file {
            failures.push(format!(
                "{} as {who}: {got:?} but the database changed",
                case.name
            ));
        }
        if got != Unchanged && String::from_utf8_lossy(&out.stderr).trim().is_empty() {
            failures.push(format!(
                "{} as {who}: refused without a message",
                case.name
            ));
        }
    }
    failures
}

#[test]
fn role_by_action_over_every_mutating_command() {
    let b = base();
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut read_only_cells = 0;
    for case in cases(b) {
        for role in ROLES {
            cells += 1;
            let want = case
                .allowed
                .iter()
                .find(|(r, _)| *r == role)
                .map_or(Denied, |(_, o)| *o);
            failures.extend(cell(b, &case, role, &[], want));
        }
        // Whoever may run the command is refused in a read-only session, before anything.
        for (role, _) in &case.allowed {
            cells += 1;
            read_only_cells += 1;
            failures.extend(cell(b, &case, role, &["--read-only"], Denied));
        }
    }
    assert!(cells > 200, "{cells} cells");
    assert!(read_only_cells > 40, "{read_only_cells} read-only cells");
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn helpdesk_sees_masked_data_and_a_reveal_is_audited() {
    let b = base();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hd.sqlite");
    std::fs::copy(&b.db, &db).unwrap();
    let unit: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT u.id FROM unit u JOIN household h ON h.unit_id = u.id
               JOIN tenant t ON t.household_id = h.id ORDER BY u.id LIMIT 1",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        .to_string();
    let tax_code: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT t.tax_code FROM tenant t JOIN household h ON h.id = t.household_id
              WHERE h.unit_id = ?1 ORDER BY t.id LIMIT 1",
            [unit.parse::<i64>().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let (n0, ..) = audit(&db);
    let masked = ok(
        &db,
        &b.home,
        Some("helpdesk"),
        &["units", "show", &unit, "--format", "json"],
    );
    assert!(!masked.contains(&tax_code), "masked for the helpdesk");
    assert_eq!(audit(&db).0, n0, "reading masked writes nothing");
    let shown = ok(
        &db,
        &b.home,
        Some("helpdesk"),
        &["units", "show", &unit, "--reveal", "--format", "json"],
    );
    assert!(shown.contains(&tax_code), "revealed");
    let (n1, _, _, action) = audit(&db);
    assert_eq!(n1, n0 + 1, "one audit record per reveal");
    assert_eq!(action, "dati.visualizza");
    // Rankings and explanations never carry codici fiscali, for anyone.
    let notice = &b.ids["notice_closed"];
    for args in [
        vec![
            "rankings",
            "show",
            "--notice",
            notice.as_str(),
            "--format",
            "json",
        ],
        vec![
            "isbar",
            "explain",
            "P-1",
            "--notice",
            notice.as_str(),
            "--format",
            "json",
        ],
    ] {
        let out = ok(&db, &b.home, Some("helpdesk"), &args);
        assert!(!out.contains("RSSMRA"), "{args:?}: {out}");
    }
}
