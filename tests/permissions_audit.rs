//! Role × action over every mutating command of the CLI: each cell runs on its own copy of one
//! prepared database and asserts the outcome (done, refused as not allowed = exit 3, refused by
//! the rules = exit 4). Every command that goes through writes exactly one audit record, with
//! the state after it (and before it, for changes to something that existed). A refused
//! command leaves the file byte-identical. Every command is refused, byte for byte, to the
//! helpdesk and to every allowed role with --read-only. The helpdesk sees personal data masked
//! unless it reveals them, and a reveal is audited.

#[path = "support/permissions_base.rs"]
mod permissions_base;

use permissions_base::*;
use std::path::Path;

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
            name: "assignments propose",
            args: s(&["assignments", "propose", "--unit", &id("unit_waiting")]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments offer",
            args: s(&["assignments", "offer", &id("asg_proposed")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments accept",
            args: s(&["assignments", "accept", &id("asg_offered")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments accept (not offered yet)",
            args: s(&["assignments", "accept", &id("asg_proposed")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused), (COMUNE, Refused)],
        },
        Case {
            name: "assignments refuse",
            args: s(&[
                "assignments",
                "refuse",
                &id("asg_offered"),
                "--reason",
                "rinuncia",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments cancel (missing requirement: the next is proposed)",
            args: s(&[
                "assignments",
                "cancel",
                &id("asg_proposed"),
                "--reason",
                "ISEE oltre la soglia",
                "--missing-requirement",
                "ISEE",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments assign",
            args: s(&[
                "assignments",
                "assign",
                &id("asg_accepted"),
                "--act",
                "PG 2/2026",
                "--act-date",
                &day(0),
                "--lease-date",
                &day(0),
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "assignments lease",
            args: s(&[
                "assignments",
                "lease",
                &id("asg_assigned"),
                "--date",
                &day(0),
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
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
            name: "units edit (a unit of Comune di Seriate)",
            args: s(&[
                "units",
                "edit",
                &id("unit_comune"),
                "--interventi",
                "Tinteggiatura",
                "--costo",
                "1.200,50",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done), (REGISTRY_ONLY, Done)],
        },
        Case {
            name: "units edit (a cost that is no amount)",
            args: s(&[
                "units",
                "edit",
                &id("unit_comune"),
                "--interventi",
                "Tinteggiatura",
                "--costo",
                "milleduecento",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused), (COMUNE, Refused), (REGISTRY_ONLY, Refused)],
        },
        Case {
            name: "plan dates (draft)",
            args: s(&[
                "plan",
                "dates",
                &id("plan_draft"),
                "--start",
                &day(2),
                "--end",
                &day(25),
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done)],
        },
        Case {
            name: "plan dates (approved: refused)",
            args: s(&[
                "plan",
                "dates",
                &id("plan_approved"),
                "--start",
                &day(2),
                "--end",
                &day(25),
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused)],
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
        // Administration (issue #11).
        Case {
            name: "districts create",
            args: s(&["districts", "create", "XX-NUOVO", "--name", "Ambito nuovo"]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "districts rename",
            args: s(&[
                "districts",
                "rename",
                "BG-SERIATE",
                "--name",
                "Ambito di Seriate (nuovo nome)",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "districts comuni --remove",
            args: s(&[
                "districts",
                "comuni",
                "BG-SERIATE",
                "--remove",
                &id("member"),
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "districts capofila",
            args: s(&[
                "districts",
                "capofila",
                "BG-SERIATE",
                "--comune",
                &id("member"),
                "--act-date",
                &day(-1),
                "--act",
                "Verbale Assemblea dei Sindaci n. 7/2026",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "operators key add",
            args: s(&[
                "operators",
                "key",
                "add",
                DISABLED,
                &file("chiave_nuova.pub"),
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "operators key remove",
            args: s(&["operators", "key", "remove", &id("key")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "registrations request (a colleague at Seriate)",
            args: s(&[
                "registrations",
                "request",
                "--surname",
                "Neri",
                "--name",
                "Paola",
                "--username",
                "paola.neri",
                "--tax-code",
                "RSSMRA70A41H501W",
                "--email",
                "paola@example.it",
                "--owner",
                "016198",
                "--service",
                "avvisi",
                "--key",
                &file("altro_collega.pub"),
            ]),
            changes_existing: false,
            replaces_database: false,
            // The operators of Seriate (the capofila of BG-SERIATE is its Comune) and the
            // Regione; not another district's capofila, the ALER or the helpdesk.
            allowed: vec![
                ("regione", Done),
                (CAP, Done),
                (COMUNE, Done),
                (REGISTRY_ONLY, Done),
            ],
        },
        Case {
            name: "registrations request (more services for oneself)",
            args: s(&[
                "registrations",
                "request",
                "--owner",
                "016198",
                "--service",
                "avvisi",
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![
                ("regione", Done),
                (CAP, Done),
                (OTHER_CAP, Done),
                (COMUNE, Done),
                (REGISTRY_ONLY, Done),
                (ALER, Done),
            ],
        },
        Case {
            name: "registrations validate",
            args: s(&["registrations", "validate", &id("request")]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "registrations reject",
            args: s(&[
                "registrations",
                "reject",
                &id("request"),
                "--reason",
                "Manca l'atto di incarico",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![("regione", Done)],
        },
        Case {
            name: "occupations add (Seriate)",
            args: s(&[
                "occupations",
                "add",
                "--owner",
                "016198",
                "--codice",
                "OCC-NEW-1",
                "--alloggio",
                "SER-EXT-3",
                "--comune",
                "016198",
                "--prefisso",
                "Via",
                "--indirizzo",
                "Roma",
                "--civico",
                "3",
                "--cf",
                "RSSMRA80A01F205X",
                "--nome",
                "Mario",
                "--cognome",
                "Rossi",
                "--nascita",
                "01/01/1980",
                "--inizio",
                "01/02/2025",
                "--tipo",
                "1",
                "--tipo-rilevazione",
                "Verbale",
                "--rilevazione",
                "V2",
                "--data-rilevazione",
                "02/02/2025",
                "--debito",
                "2",
            ]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "occupations update (Seriate)",
            args: s(&[
                "occupations",
                "update",
                &id("occupation"),
                "--version",
                "1",
                "--rilevazione",
                "V1-bis",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "occupations update with a stale version",
            args: s(&[
                "occupations",
                "update",
                &id("occupation"),
                "--version",
                "7",
                "--rilevazione",
                "V1-ter",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Refused), (COMUNE, Refused)],
        },
        Case {
            name: "occupations close (Seriate)",
            args: s(&[
                "occupations",
                "close",
                &id("occupation"),
                "--version",
                "1",
                "--data",
                &day(-1),
                "--provvedimento",
                "SG-1",
            ]),
            changes_existing: true,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "occupations import (Seriate's feed)",
            args: s(&["occupations", "import", &file("occupazioni.xml")]),
            changes_existing: false,
            replaces_database: false,
            allowed: vec![(CAP, Done), (COMUNE, Done)],
        },
        Case {
            name: "occupations export (Seriate's feed, marked as sent)",
            args: s(&[
                "occupations",
                "export",
                "--owner",
                "016198",
                "--force",
                "--out",
                &file("invio.xml"),
            ]),
            changes_existing: false,
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
            failures.push(format!("{} as {who}: refused without a message", case.name));
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
