//! The prepared database of the role × action matrix (tests/permissions_audit.rs): plans of
//! BG-SERIATE in every state, a notice still open and one closed with ranked applications, the
//! operators of the matrix, and the files the commands read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const CAP: &str = "capofila.bg-seriate";
pub const OTHER_CAP: &str = "capofila.bg-dalmine";
pub const COMUNE: &str = "comune.016198"; // Seriate, in BG-SERIATE, all services on its Comune
pub const REGISTRY_ONLY: &str = "solo.anagrafe"; // ANAGRAFE only, on Seriate
pub const DISABLED: &str = "disabilitato"; // an owner operator of Seriate, disabled
pub const ALER: &str = "aler.bg-lc-so";
pub const ROLES: [&str; 7] = [
    "regione",
    "helpdesk",
    CAP,
    OTHER_CAP,
    COMUNE,
    REGISTRY_ONLY,
    ALER,
];
/// Public keys the matrix binds, files with or removes (generated with ssh-keygen).
pub const KEY_NEW: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINl+xZwoSQqHgs+gIyiWSPWLyvPOmMcNu/b/Wf+W97WI matrix-a";
pub const KEY_REGISTRY_ONLY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINGSr4Pua7RJZdurLhAMnj/ZhGff+cXlDJCLcpnj6+1T matrix-b";
pub const KEY_COLLEAGUE: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEMHh3bU5dVkCUaFHeFWIlx7gF0vuLvlKjlRlJI6ALce matrix-c";
pub const KEY_OTHER: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXSnNl9PDODifUAMA4o+qyh5OUTE6Y+lklK2n7dxTNf anna@pc";
/// Comune di Seriate's real codice fiscale (IndicePA; a synthetic one before issue 12).
pub const SERIATE_CF: &str = "00384000162";

pub fn casa(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> Output {
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

pub fn ok(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> String {
    let out = casa(db, home, operator, args);
    assert!(
        out.status.success(),
        "{operator:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// Ids of what the base database holds.
pub struct Base {
    pub _dir: tempfile::TempDir,
    pub db: PathBuf,
    pub home: PathBuf,
    pub files: PathBuf,
    pub ids: BTreeMap<&'static str, String>,
}

pub fn json_id(s: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(s).unwrap();
    v["id"].as_i64().unwrap().to_string()
}

/// The prepared database: plans of BG-SERIATE in every state, a notice of BG-SERIATE still
/// open and one closed with ranked applications, an operator with the registry service only,
/// and the files the commands read.
pub fn base() -> &'static Base {
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
        // A unit of Comune di Seriate itself (the Comune's registry), for units edit.
        let comune_unit: i64 = conn
            .query_row(
                "SELECT u.id FROM unit u JOIN owner o ON o.id = u.owner_id
                  WHERE o.tax_code = ?1 ORDER BY u.id LIMIT 1",
                [SERIATE_CF],
                |r| r.get(0),
            )
            .unwrap();
        drop(conn);
        ids.insert("unit", seriate_unit.to_string());
        ids.insert("unit_comune", comune_unit.to_string());
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
        // Assignments: a second closed notice whose rankings are final, six of the Comune di
        // Seriate's units made free, and istruttorie in each stage (proposed, offered,
        // accepted, assigned without lease); one unit still waiting.
        let final_notice = notice(-59, -3);
        let finals = files.join("definitive.csv");
        let mut rows = String::from(
            "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Condizioni\n",
        );
        for (i, cf) in [
            "RSSMRA85T10A562S",
            "RSSMRA80A01F205X",
            "RSSMRA70A41H501W",
            "BNCLRA75A41F205J",
            "VRDGPP60A01F205T",
            "NREMRC90A01F205J",
        ]
        .iter()
        .enumerate()
        {
            rows.push_str(&format!(
                "R-{};0{}/03/2026 10:00;{cf};01/01/1980;RICHIEDENTE;;;{}000;0;SI;NO;016198;;20;{};\n",
                i + 1,
                i + 1,
                2 + i,
                12 - i
            ));
        }
        std::fs::write(&finals, rows).unwrap();
        run(
            Some(CAP),
            &["applications", "import", finals.to_str().unwrap(), "--notice", &final_notice],
        );
        run(Some(CAP), &["rankings", "compute", "--notice", &final_notice]);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE ranking SET state = 'DEFINITIVA' WHERE notice_id = ?1",
            [&final_notice],
        )
        .unwrap();
        conn.execute(
            "UPDATE unit SET state = 1, floor_area = 50 WHERE istat_code = '016198'
               AND owner_id = (SELECT id FROM owner WHERE istat_code = '016198')",
            [],
        )
        .unwrap();
        drop(conn);
        let propose = || {
            let v: serde_json::Value = serde_json::from_str(&run(
                Some(COMUNE),
                &[
                    "assignments", "propose", "--owner", "016198", "--comune", "016198",
                    "--format", "json",
                ],
            ))
            .unwrap();
            v["assignment_id"].as_i64().expect("a proposal").to_string()
        };
        let step = |args: &[&str]| {
            let mut v = vec!["assignments"];
            v.extend_from_slice(args);
            run(Some(COMUNE), &v);
        };
        let proposed = propose();
        let offered = propose();
        step(&["offer", &offered]);
        let accepted = propose();
        step(&["offer", &accepted]);
        step(&["accept", &accepted]);
        let assigned = propose();
        step(&["offer", &assigned]);
        step(&["accept", &assigned]);
        step(&["assign", &assigned, "--act", "PG 1/2026", "--act-date", &day(0)]);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let waiting: i64 = conn
            .query_row(
                "SELECT v.unit_id FROM availability v WHERE v.istat_code = '016198'
                   AND v.closed IS NULL AND NOT EXISTS (SELECT 1 FROM assignment s
                        WHERE s.unit_id = v.unit_id AND s.stage IN ('PROPOSTA','OFFERTA',
                              'ACCETTATA','ASSEGNATA'))
                 ORDER BY v.id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("a unit still waiting");
        drop(conn);
        ids.insert("asg_proposed", proposed);
        ids.insert("asg_offered", offered);
        ids.insert("asg_accepted", accepted);
        ids.insert("asg_assigned", assigned);
        ids.insert("unit_waiting", waiting.to_string());
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
        // An open occupation of the Comune di Seriate (on a unit casa does not hold), and a
        // richiesta of the regional feed with another one, for the register's commands.
        let occupation = json_id(&run(
            Some(COMUNE),
            &[
                "occupations", "add", "--owner", "016198", "--codice", "OCC-BASE-1",
                "--alloggio", "SER-EXT-1", "--comune", "016198", "--prefisso", "Via",
                "--indirizzo", "Roma", "--civico", "2", "--cf", "VRDNNA70A41I628D", "--nome",
                "Anna", "--cognome", "Verdi", "--nascita", "01/01/1970", "--inizio",
                "01/01/2024", "--tipo", "1", "--tipo-rilevazione", "Verbale", "--rilevazione",
                "V1", "--data-rilevazione", "02/01/2024", "--debito", "0", "--format", "json",
            ],
        ));
        ids.insert("occupation", occupation);
        let mut feed = casa::domain::occupation::Occupation {
            code: "OCC-FEED-1".into(),
            owner_tax_code: SERIATE_CF.into(),
            unit: casa::domain::occupation::UnitPlace {
                code: "SER-EXT-2".into(),
                province: "BG".into(),
                cadastral: "I628".into(),
                prefix: 2,
                street: "Libertà".into(),
                number: "5".into(),
            },
            started_on: Some("2025-05-01".parse().unwrap()),
            kind: 99,
            detect_type: "Segnalazione".into(),
            detect_id: "S-9".into(),
            detect_on: Some("2025-05-02".parse().unwrap()),
            ..Default::default()
        };
        feed.occupant = casa::domain::occupation::Occupant {
            tax_code: Some("RSSMRA80A01F205X".into()),
            name: "Mario".into(),
            surname: "Rossi".into(),
            birth_date: Some("1980-01-01".parse().unwrap()),
            ..Default::default()
        };
        std::fs::write(
            files.join("occupazioni.xml"),
            casa::anpu::write::document(&casa::anpu::Richiesta {
                owner_tax_code: SERIATE_CF.into(),
                action: casa::anpu::Operation::Insert,
                records: vec![feed],
            }),
        )
        .unwrap();
        // Administration (issue #11): keys, a pending registration request filed by the
        // Comune for a colleague, a member of BG-SERIATE that is not its capofila.
        for (name, key) in [
            ("chiave_nuova.pub", KEY_NEW),
            ("collega.pub", KEY_COLLEAGUE),
            ("altro_collega.pub", KEY_OTHER),
            ("solo_anagrafe.pub", KEY_REGISTRY_ONLY),
        ] {
            std::fs::write(files.join(name), key).unwrap();
        }
        let file = |n: &str| files.join(n).to_str().unwrap().to_string();
        run(
            Some("regione"),
            &["operators", "key", "add", REGISTRY_ONLY, &file("solo_anagrafe.pub")],
        );
        let fp: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT fingerprint FROM operator_key LIMIT 1", [], |r| r.get(0))
            .unwrap();
        ids.insert("key", fp);
        let filed = run(
            Some(COMUNE),
            &[
                "registrations", "request", "--surname", "Verdi", "--name", "Luca", "--username",
                "luca.verdi", "--tax-code", "RSSMRA80A01H501U", "--email", "luca@example.it",
                "--owner", "016198", "--service", "anagrafe", "--key", &file("collega.pub"),
                "--format", "json",
            ],
        );
        ids.insert("request", json_id(&filed));
        let member: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT dm.istat_code FROM district_municipality dm JOIN district d ON d.id = dm.district_id
                  WHERE d.code = 'BG-SERIATE' AND dm.istat_code IS NOT d.lead_istat
                  ORDER BY dm.istat_code LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        ids.insert("member", member);
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
