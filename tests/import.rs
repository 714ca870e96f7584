//! `casa units import` driven through the real binary: good files, every kind of bad row, the
//! all-or-nothing guarantee, permissions, and input that must never crash the importer.

use casa::domain::access::{OperatorStatus, Role, Service};
use casa::domain::unit_record::Column;
use casa::store::operators::NewOperator;
use casa::store::{Access, Store, owners};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const MILANO_CF: &str = "01199250158";
const ALER_MI_CF: &str = "98000001002";
/// A valid 11-digit codice fiscale no body in the reference data has.
const NEW_OPERATOR_CF: &str = "01349670156";

/// A database with reference data and four operators: `reg` (Regione), `mi` (Comune di Milano
/// and ALER Milano, anagrafe), `bg` (Comune di Bergamo) and `help` (helpdesk).
struct Env {
    dir: TempDir,
    db: PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("casa.sqlite");
    let mut store = Store::create(&db).unwrap();
    let people = [
        ("reg", Role::Region, "RSSMRA80A01H501U", &[][..]),
        (
            "mi",
            Role::OwnerOperator,
            "RSSMRA70A41H501W",
            &["015146", "ALER_MI"][..],
        ),
        (
            "bg",
            Role::OwnerOperator,
            "RSSSCC80A01A944N",
            &["016024"][..],
        ),
        ("help", Role::Helpdesk, "RSSMRA85T10A562S", &[][..]),
    ];
    for (username, role, tax_code, grants) in people {
        store
            .add_operator(
                "test",
                &NewOperator {
                    username: username.into(),
                    surname: "Rossi".into(),
                    name: "Maria".into(),
                    tax_code: tax_code.into(),
                    email: format!("{username}@example.it"),
                    role,
                    district_id: None,
                    status: OperatorStatus::Active,
                },
            )
            .unwrap();
        for owner in grants {
            let id = owners::find_owner(store.conn(), owner).unwrap().id;
            store
                .grant("test", username, id, &[Service::Registry])
                .unwrap();
        }
    }
    drop(store);
    Env { dir, db }
}

impl Env {
    fn casa(&self, operator: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_casa"))
            .arg("--db")
            .arg(&self.db)
            .args(["--operator", operator])
            .args(args)
            .env_remove("CASA_DB")
            .env_remove("CASA_OPERATOR")
            .env("XDG_DATA_HOME", self.dir.path())
            .env("HOME", self.dir.path())
            .output()
            .unwrap()
    }

    fn import(&self, operator: &str, file: &Path, extra: &[&str]) -> Output {
        let mut args = vec!["units", "import", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.casa(operator, &args)
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn conn(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Every row of the registry tables and the number of audit records, as text.
    fn dump(&self) -> (Vec<String>, i64) {
        let conn = self.conn();
        let mut rows = Vec::new();
        for table in ["owner", "building", "unit"] {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
                .unwrap();
            let n = stmt.column_count();
            let mut q = stmt.query([]).unwrap();
            while let Some(r) = q.next().unwrap() {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                rows.push(format!("{table}: {}", cells.join("|")));
            }
        }
        let audit = conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap();
        (rows, audit)
    }

    /// The database file and its WAL, to prove nothing was written.
    fn snapshot(&self) -> (Vec<u8>, u64) {
        let wal = PathBuf::from(format!("{}-wal", self.db.display()));
        let wal_len = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
        (std::fs::read(&self.db).unwrap(), wal_len)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A row of the default file: a Comune di Milano unit; `set` overrides cells by header.
fn row(code: &str, set: &[(Column, &str)]) -> Vec<String> {
    let mut cells: Vec<String> = Column::ALL
        .iter()
        .map(|c| {
            match c {
                Column::OwnerKind => "COMUNE",
                Column::OwnerTaxCode => MILANO_CF,
                Column::OwnerName => "Comune di Milano",
                Column::BuildingCode => "F-ORNATO-7",
                Column::YearBuilt => "1962",
                Column::UnitCode => code,
                Column::IstatCode => "015146",
                Column::Municipality => "Milano",
                Column::Province => "MI",
                Column::Locality => "Niguarda",
                Column::Address => "Via Ornato",
                Column::StreetNumber => "7",
                Column::Cap => "20162",
                Column::Staircase => "A",
                Column::Floor => "2",
                Column::Lift => "SI",
                Column::CadastralSheet => "41",
                Column::CadastralParcel => "120",
                Column::CadastralSub => "8",
                Column::CadastralCategory => "A/3",
                Column::FloorArea => "50,5",
                Column::Rooms => "3",
                Column::Service => "SAP",
                Column::Sat => "NO",
                Column::State => "OCCUPATO",
                Column::InNotice => "NO",
                Column::BarrierFree => "NO",
                _ => "",
            }
            .to_string()
        })
        .collect();
    for (c, v) in set {
        cells[*c as usize] = v.to_string();
    }
    cells
}

fn header() -> Vec<String> {
    Column::ALL.iter().map(|c| c.header().to_string()).collect()
}

/// CSV text with `sep`, quoting cells that need it.
fn csv_text(header: &[String], rows: &[Vec<String>], sep: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn csv_of(rows: &[Vec<String>]) -> String {
    csv_text(&header(), rows, b',')
}

/// Imports `content` as operator `mi`, expects a refusal (exit 4) that names every `expected`
/// text, and checks that the database did not change.
fn refused(env: &Env, content: &str, expected: &[&str]) -> String {
    let file = env.file("bad.csv", content);
    let before = env.snapshot();
    let out = env.import("mi", &file, &[]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(4),
        "stdout: {}\nstderr: {err}",
        stdout(&out)
    );
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert!(err.contains("il database non è stato modificato"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.snapshot(), before, "database changed");
    err
}

fn refused_row(set: &[(Column, &str)], expected: &[&str]) -> String {
    let env = env();
    refused(
        &env,
        &csv_of(&[row("U1", &[]), row("U2", set)]),
        &[&["riga 3"], expected].concat(),
    )
}

// ---------------------------------------------------------------------------------------
// Good files

#[test]
fn good_csv_creates_then_reimport_changes_nothing() {
    let env = env();
    let rows = [
        row("U1", &[]),
        row("U2", &[(Column::State, "LIBERO"), (Column::InNotice, "SI")]),
        row(
            "U3",
            &[
                (Column::BuildingCode, "F-PADOVA-1"),
                (Column::Address, "Via Padova"),
                (Column::State, "SFITTO PER CARENZE MANUTENTIVE"),
                (Column::Works, "Impianto elettrico"),
                (Column::WorksCost, "6.500,50"),
            ],
        ),
        row(
            "A1",
            &[
                (Column::OwnerKind, "ALER"),
                (Column::OwnerTaxCode, ALER_MI_CF),
                (Column::OwnerName, "aler milano"),
                (Column::ManagerTaxCode, MILANO_CF),
            ],
        ),
    ];
    let file = env.file("alloggi.csv", csv_of(&rows));
    let audit_before = env.count("SELECT count(*) FROM audit");
    let out = env.import("mi", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("alloggi creati 4, aggiornati 0, invariati 0; fabbricati creati 3"),
        "{text}"
    );
    let first = env.dump();
    assert_eq!(first.1, audit_before + 1, "one audit record for the import");
    assert_eq!(
        env.count("SELECT works_cost_cents FROM unit WHERE code = 'U3'"),
        650_050
    );
    assert_eq!(
        env.count("SELECT count(*) FROM unit WHERE province = 'MI' AND version = 1"),
        4
    );
    let (action, entity, entity_id, after): (String, String, String, String) = env
        .conn()
        .query_row(
            "SELECT action, entity, entity_id, after FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (action.as_str(), entity.as_str(), entity_id.as_str()),
        ("alloggi.importa", "import", "alloggi.csv")
    );
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["created"], 4);
    assert_eq!(after["rows"], 4);
    assert_eq!(after["first_ids"].as_array().unwrap().len(), 4);

    let again = env.import("mi", &file, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("Nessuna modifica"),
        "{}",
        stdout(&again)
    );
    assert_eq!(env.dump(), first);
}

/// The documented example stays importable.
#[test]
fn example_file_imports_cleanly() {
    let env = env();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/units_example.csv");
    let out = env.import("mi", &example, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("alloggi creati 12, aggiornati 0, invariati 0; fabbricati creati 6"),
        "{}",
        stdout(&out)
    );
    let out = env.import("mi", &example, &[]);
    assert!(
        stdout(&out).contains("Nessuna modifica"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn changed_row_bumps_version_and_writes_one_audit_record() {
    let env = env();
    let file = env.file(
        "a.csv",
        csv_of(&[row("U1", &[]), row("U2", &[]), row("U3", &[])]),
    );
    assert!(env.import("mi", &file, &[]).status.success());
    let audit = env.count("SELECT count(*) FROM audit");
    let file = env.file(
        "a.csv",
        csv_of(&[
            row("U1", &[]),
            row("U2", &[(Column::State, "LIBERO")]),
            row("U3", &[]),
        ]),
    );
    let out = env.import("mi", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("alloggi creati 0, aggiornati 1, invariati 2"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.count("SELECT count(*) FROM audit"), audit + 1);
    assert_eq!(env.count("SELECT version FROM unit WHERE code = 'U2'"), 2);
    assert_eq!(env.count("SELECT state FROM unit WHERE code = 'U2'"), 1);
    assert_eq!(
        env.count("SELECT count(*) FROM unit WHERE code <> 'U2' AND version = 1"),
        2
    );
}

#[test]
fn semicolon_csv_with_bom_and_italian_decimals() {
    let env = env();
    let mut text = String::from("\u{feff}");
    text += &csv_text(
        &header(),
        &[row(
            "U1",
            &[(Column::FloorArea, "45,5"), (Column::WorksCost, "1.234,56")],
        )],
        b';',
    );
    let file = env.file("excel.csv", text);
    let out = env.import("mi", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let area: f64 = env
        .conn()
        .query_row("SELECT floor_area FROM unit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(area, 45.5);
    assert_eq!(env.count("SELECT works_cost_cents FROM unit"), 123_456);
}

#[test]
fn headers_match_loosely_and_absent_columns_keep_stored_values() {
    let env = env();
    let file = env.file("full.csv", csv_of(&[row("U1", &[])]));
    assert!(env.import("mi", &file, &[]).status.success());
    let before = env.dump();
    // Only the required columns, headers in another case and spacing.
    let required: Vec<Column> = Column::ALL
        .iter()
        .copied()
        .filter(|c| c.required())
        .collect();
    let header: Vec<String> = required
        .iter()
        .map(|c| format!("  {}  ", c.header().to_uppercase()))
        .collect();
    let full = row("U1", &[]);
    let cells: Vec<String> = required.iter().map(|c| full[*c as usize].clone()).collect();
    let file = env.file("min.csv", csv_text(&header, &[cells], b';'));
    let out = env.import("mi", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Nessuna modifica"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.dump(), before);
}

#[test]
fn given_new_id_is_kept() {
    let env = env();
    let file = env.file(
        "ids.csv",
        csv_of(&[row("U1", &[(Column::UnitId, "5000")]), row("U2", &[])]),
    );
    let out = env.import("mi", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(env.count("SELECT id FROM unit WHERE code = 'U1'"), 5000);
    // Re-import with the id is unchanged.
    let out = env.import("mi", &file, &[]);
    assert!(
        stdout(&out).contains("Nessuna modifica"),
        "{}",
        stderr(&out)
    );
}

fn write_xlsx(path: &Path, sheets: &[(&str, bool)]) {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    for (name, with_data) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        if !with_data {
            sheet.write_string(0, 0, "note").unwrap();
            continue;
        }
        for (c, h) in header().iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (r, code) in ["X1", "X2"].iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row(code, &[]).iter().enumerate() {
                sheet.write_string(r, c as u16, v).unwrap();
            }
            // Numbers as numbers, the way a spreadsheet holds them: leading zeros lost,
            // binary fractions.
            let num = |col: Column, v: f64, sheet: &mut rust_xlsxwriter::Worksheet| {
                sheet.write_number(r, col as u16, v).unwrap();
            };
            num(Column::IstatCode, 15146.0, sheet);
            num(Column::OwnerTaxCode, 1199250158.0, sheet);
            num(
                Column::FloorArea,
                f64::from_bits(45.5f64.to_bits() - 1),
                sheet,
            );
            num(Column::Rooms, 3.0, sheet);
            num(Column::YearBuilt, 1962.0, sheet);
            num(Column::Cap, 20162.0, sheet);
            num(Column::WorksCost, 0.1 + 0.2, sheet);
            num(Column::Floor, -1.0, sheet);
        }
    }
    book.save(path).unwrap();
}

#[test]
fn xlsx_import_reads_numbers_without_float_noise() {
    let env = env();
    let path = env.dir.path().join("alloggi.xlsx");
    write_xlsx(&path, &[("Note", false), ("Alloggi", true)]);
    let out = env.import("mi", &path, &[]);
    assert_eq!(out.status.code(), Some(4), "first sheet is not the data");
    let out = env.import("mi", &path, &["--sheet", "Unknown"]);
    assert!(
        stderr(&out).contains("foglio \"Unknown\" non trovato"),
        "{}",
        stderr(&out)
    );
    let out = env.import("mi", &path, &["--sheet", "Alloggi"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (istat, area, cost, floor): (String, f64, i64, String) = env
        .conn()
        .query_row(
            "SELECT istat_code, floor_area, works_cost_cents, floor FROM unit WHERE code = 'X1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (istat.as_str(), area, cost, floor.as_str()),
        ("015146", 45.5, 30, "-1")
    );
    let out = env.import("mi", &path, &["--sheet", "alloggi"]);
    assert!(
        stdout(&out).contains("Nessuna modifica"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_writes_nothing() {
    let env = env();
    let file = env.file("a.csv", csv_of(&[row("U1", &[])]));
    let before = env.snapshot();
    let out = env.import("mi", &file, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("da creare 1 alloggi"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn region_registers_a_new_accredited_operator() {
    let env = env();
    let set = [
        (Column::OwnerKind, "OPERATORE ACCREDITATO"),
        (Column::OwnerTaxCode, NEW_OPERATOR_CF),
        (Column::OwnerName, "Cooperativa Casa Nuova"),
    ];
    let file = env.file("op.csv", csv_of(&[row("C1", &set), row("C2", &set)]));
    let err = refused(
        &env,
        &csv_of(&[row("C1", &set)]),
        &["solo un operatore della Regione"],
    );
    assert!(err.contains("riga 2"), "{err}");
    let out = env.import("reg", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("operatori accreditati registrati 1"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM unit u JOIN owner o ON o.id = u.owner_id WHERE o.tax_code = '{NEW_OPERATOR_CF}' AND o.kind = 3"
        )),
        2
    );
}

// ---------------------------------------------------------------------------------------
// Bad files: every kind of problem is reported, and nothing is written

#[test]
fn missing_required_column() {
    let env = env();
    let mut h = header();
    let mut r = row("U1", &[]);
    let i = Column::IstatCode as usize;
    h.remove(i);
    r.remove(i);
    refused(
        &env,
        &csv_text(&h, &[r], b','),
        &[
            "riga 1",
            "manca la colonna obbligatoria \"Codice ISTAT Comune\"",
        ],
    );
}

#[test]
fn unknown_column() {
    let env = env();
    let mut h = header();
    h.push("Colore della porta".into());
    let mut r = row("U1", &[]);
    r.push("verde".into());
    refused(
        &env,
        &csv_text(&h, &[r], b','),
        &[
            "riga 1, colonna \"Colore della porta\"",
            "colonna sconosciuta",
        ],
    );
}

#[test]
fn empty_required_cell() {
    refused_row(
        &[(Column::Address, "")],
        &["colonna \"Indirizzo\"", "valore obbligatorio mancante"],
    );
}

#[test]
fn bad_tax_code() {
    refused_row(
        &[(Column::OwnerTaxCode, "01199250159")],
        &["valore \"01199250159\"", "cifra di controllo"],
    );
}

#[test]
fn unknown_owner() {
    refused_row(
        &[(Column::OwnerTaxCode, NEW_OPERATOR_CF)],
        &["ente proprietario non registrato"],
    );
}

#[test]
fn owner_name_mismatch() {
    refused_row(
        &[(Column::OwnerName, "Comune di Milano Città")],
        &["ragione sociale diversa", "\"Comune di Milano\""],
    );
}

#[test]
fn owner_type_mismatch() {
    refused_row(
        &[(Column::OwnerKind, "ALER")],
        &["colonna \"Tipo Ente Proprietario\"", "tipo ente diverso"],
    );
}

#[test]
fn bad_owner_type() {
    refused_row(
        &[(Column::OwnerKind, "REGIONE")],
        &["tipo ente proprietario non valido"],
    );
}

#[test]
fn unknown_manager() {
    refused_row(
        &[(Column::ManagerTaxCode, NEW_OPERATOR_CF)],
        &["ente gestore non registrato"],
    );
}

#[test]
fn unknown_istat_code() {
    refused_row(
        &[(Column::IstatCode, "058091")],
        &["codice ISTAT 058091 sconosciuto"],
    );
}

#[test]
fn comune_mismatch() {
    refused_row(
        &[(Column::Municipality, "Monza")],
        &["colonna \"Comune\"", "è del comune di Milano"],
    );
}

#[test]
fn province_mismatch() {
    refused_row(
        &[(Column::Province, "BG")],
        &["colonna \"Provincia\"", "in provincia di Milano (MI)"],
    );
}

#[test]
fn bad_cap() {
    refused_row(&[(Column::Cap, "2016")], &["il CAP deve essere di 5 cifre"]);
}

#[test]
fn bad_numbers() {
    let env = env();
    let err = refused(
        &env,
        &csv_of(&[
            row("U1", &[(Column::FloorArea, "-40")]),
            row("U2", &[(Column::FloorArea, "45,555")]),
            row("U3", &[(Column::FloorArea, "tanti")]),
            row("U4", &[(Column::WorksCost, "-100")]),
            row("U5", &[(Column::Rooms, "2,5")]),
            row("U6", &[(Column::YearBuilt, "1200")]),
            row("U7", &[(Column::Floor, "cantina")]),
            row("U8", &[(Column::WorksCost, "100,123")]),
            row("U9", &[(Column::CadastralCategory, "A/12")]),
        ]),
        &[
            "riga 2, colonna \"Superficie utile\", valore \"-40\": la superficie deve essere maggiore di zero",
            "riga 3, colonna \"Superficie utile\", valore \"45,555\": troppi decimali",
            "riga 4, colonna \"Superficie utile\", valore \"tanti\": numero non valido",
            "riga 5, colonna \"Costo stimato interventi\", valore \"-100\": l'importo non può essere negativo",
            "riga 6, colonna \"Vani\", valore \"2,5\": deve essere un numero intero",
            "riga 7, colonna \"Anno di costruzione\", valore \"1200\": anno di costruzione non valido",
            "riga 8, colonna \"Piano\", valore \"cantina\": piano non valido",
            "riga 9, colonna \"Costo stimato interventi\", valore \"100,123\": troppi decimali",
            "riga 10, colonna \"Categoria catastale\"",
        ],
    );
    assert!(err.contains("9 problemi in 9 righe"), "{err}");
}

#[test]
fn bad_state() {
    refused_row(
        &[(Column::State, "AFFITTATO")],
        &["riga 3, colonna \"Stato\", valore \"AFFITTATO\": stato non valido"],
    );
}

#[test]
fn bad_service_type() {
    refused_row(
        &[(Column::Service, "LUSSO")],
        &[
            "colonna \"Destinazione d'uso\"",
            "destinazione d'uso non valido",
        ],
    );
}

#[test]
fn sat_on_a_non_sap_unit() {
    refused_row(
        &[(Column::Service, "SAS"), (Column::Sat, "SI")],
        &["colonna \"SAT\"", "SAT ammesso solo per gli alloggi SAP"],
    );
}

#[test]
fn bad_flag() {
    refused_row(
        &[(Column::Lift, "forse")],
        &["colonna \"Ascensore\"", "ammessi SI o NO"],
    );
}

#[test]
fn duplicate_unit_in_the_file() {
    let env = env();
    refused(
        &env,
        &csv_of(&[row("U1", &[]), row("U2", &[]), row("U1", &[])]),
        &[
            "riga 4, colonna \"Codice identificativo U.I.\"",
            "già alla riga 2",
        ],
    );
}

#[test]
fn building_in_two_comuni_within_the_file() {
    let env = env();
    refused(
        &env,
        &csv_of(&[
            row("U1", &[]),
            row(
                "U2",
                &[
                    (Column::IstatCode, "015209"),
                    (Column::Municipality, "Sesto San Giovanni"),
                ],
            ),
        ]),
        &[
            "riga 3, colonna \"Codice fabbricato\"",
            "già alla riga 2 nel comune Milano (015146)",
        ],
    );
}

#[test]
fn building_in_another_comune_than_in_the_database() {
    let env = env();
    let file = env.file("a.csv", csv_of(&[row("U1", &[])]));
    assert!(env.import("mi", &file, &[]).status.success());
    refused(
        &env,
        &csv_of(&[row(
            "U2",
            &[
                (Column::IstatCode, "015209"),
                (Column::Municipality, "Sesto San Giovanni"),
            ],
        )]),
        &["è registrato nel comune Milano (015146)"],
    );
}

#[test]
fn unit_id_of_another_unit() {
    let env = env();
    let file = env.file("a.csv", csv_of(&[row("U1", &[]), row("U2", &[])]));
    assert!(env.import("mi", &file, &[]).status.success());
    let u1 = env
        .count("SELECT id FROM unit WHERE code = 'U1'")
        .to_string();
    let u2 = env
        .count("SELECT id FROM unit WHERE code = 'U2'")
        .to_string();
    refused(
        &env,
        &csv_of(&[
            row("U1", &[(Column::UnitId, &u2)]),
            row("U3", &[(Column::UnitId, &u1)]),
        ]),
        &[
            &format!(
                "riga 2, colonna \"ID Alloggio\", valore \"{u2}\": l'alloggio U1 di questo ente ha ID Alloggio {u1}"
            ),
            &format!(
                "riga 3, colonna \"ID Alloggio\", valore \"{u1}\": l'ID Alloggio {u1} appartiene a un altro alloggio (codice U1 di Comune di Milano)"
            ),
        ],
    );
}

#[test]
fn wrong_number_of_fields() {
    let env = env();
    let mut text = csv_of(&[row("U1", &[])]);
    text += "COMUNE,01199250158,Comune di Milano\n";
    refused(
        &env,
        &text,
        &["riga 3: la riga ha 3 campi, l'intestazione 31"],
    );
}

#[test]
fn empty_file_and_header_only() {
    let env = env();
    refused(&env, "", &["il file è vuoto"]);
    refused(&env, "\u{feff}\n\n", &["il file è vuoto"]);
    refused(&env, &csv_of(&[]), &["solo la riga di intestazione"]);
}

#[test]
fn unknown_extension() {
    let env = env();
    let file = env.file("alloggi.txt", csv_of(&[row("U1", &[])]));
    let out = env.import("mi", &file, &[]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("estensione .txt non riconosciuta"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_file() {
    let env = env();
    let out = env.import("mi", &env.dir.path().join("nessuno.csv"), &[]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("impossibile leggere il file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn operator_of_another_owner_is_refused_per_row() {
    let env = env();
    let file = env.file("a.csv", csv_of(&[row("U1", &[]), row("U2", &[])]));
    let before = env.snapshot();
    let out = env.import("bg", &file, &[]);
    // Every row refused for permission: not allowed (3), still listed row by row.
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("riga 2, colonna \"Codice Fiscale Ente Proprietario\""),
        "{err}"
    );
    assert!(err.contains("riga 3"), "{err}");
    assert!(
        err.contains("non è abilitato al servizio ANAGRAFE"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn helpdesk_and_read_only_sessions_are_refused() {
    let env = env();
    let file = env.file("a.csv", csv_of(&[row("U1", &[])]));
    let before = env.snapshot();
    let out = env.import("help", &file, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("può solo consultare"),
        "{}",
        stderr(&out)
    );
    let out = env.casa(
        "mi",
        &["--read-only", "units", "import", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(env.snapshot(), before);
}

#[test]
fn every_problem_is_reported_and_the_report_file_has_them_all() {
    let env = env();
    let rows: Vec<Vec<String>> = (0..80)
        .map(|i| row(&format!("U{i}"), &[(Column::State, "AFFITTATO")]))
        .collect();
    let file = env.file("many.csv", csv_of(&rows));
    let report = env.dir.path().join("problemi.csv");
    let out = env.import("mi", &file, &["--report", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    // Not a terminal: everything is printed.
    assert_eq!(stderr(&out).matches("stato non valido").count(), 80);
    let text = std::fs::read_to_string(&report).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert!(text.starts_with("riga;colonna;valore;problema"), "{text}");
    assert_eq!(text.lines().count(), 81);
}

/// `n` good rows of Comune di Milano, ten units per building.
fn many_rows(n: usize) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| {
            let building = format!("F{:04}", i / 10);
            row(&format!("U{i:05}"), &[(Column::BuildingCode, &building)])
        })
        .collect()
}

#[test]
fn ten_thousand_rows_with_one_bad_row_change_nothing() {
    let env = env();
    let mut rows = many_rows(10_000);
    rows[4_999][Column::FloorArea as usize] = "-3".into();
    let err = refused(
        &env,
        &csv_of(&rows),
        &[
            "riga 5001, colonna \"Superficie utile\", valore \"-3\"",
            "1 problema in 1 riga",
        ],
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("riga ")).count(),
        1,
        "{err}"
    );
    assert_eq!(env.count("SELECT count(*) FROM unit"), 0);
}

/// The search data derived from units (tally, text index, comune sort) must follow an import,
/// whether the search triggers run (small import) or are suspended and rebuilt (bulk import).
#[test]
fn search_data_follows_small_and_bulk_imports() {
    let env = env();
    let triggers =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'search_sync_%'";
    let trigger_count = env.count(triggers);
    assert!(trigger_count > 0);
    let consistent = |n: i64| {
        assert_eq!(env.count("SELECT count(*) FROM unit"), n);
        assert_eq!(env.count("SELECT ifnull(sum(n), 0) FROM unit_tally"), n);
        assert_eq!(
            env.count("SELECT count(*) FROM unit_text WHERE unit_text MATCH 'ornato'"),
            n
        );
        assert_eq!(
            env.count("SELECT count(*) FROM unit WHERE comune_sort = 0"),
            0
        );
        assert_eq!(env.count(triggers), trigger_count);
    };
    let small = env.file("small.csv", csv_of(&many_rows(20)));
    assert!(env.import("mi", &small, &[]).status.success());
    consistent(20);
    let big = env.file("big.csv", csv_of(&many_rows(12_000)));
    let out = env.import("mi", &big, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("alloggi creati 11980, aggiornati 0, invariati 20"),
        "{}",
        stdout(&out)
    );
    consistent(12_000);
}

// ---------------------------------------------------------------------------------------
// Input that must never crash the importer

#[test]
fn non_utf8_text_is_reported_not_crashed_on() {
    let env = env();
    // "Città" in Windows-1252, as Excel's plain "CSV" format writes it.
    let text = csv_of(&[row("U1", &[]), row("U2", &[(Column::Locality, "Citt@")])]);
    let bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == b'@' { 0xE0 } else { b })
        .collect();
    let file = env.file("latin1.csv", &bytes);
    let before = env.snapshot();
    let out = env.import("mi", &file, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("riga 3, colonna \"Quartiere/Zona/Località/Frazione\""),
        "{err}"
    );
    assert!(err.contains("salvare il file come \"CSV UTF-8\""), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn garbage_files_are_refused_without_panicking() {
    let env = env();
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for name in ["garbage.csv", "garbage.xlsx"] {
        let file = env.file(name, &garbage);
        let out = env.import("mi", &file, &[]);
        assert_eq!(out.status.code(), Some(4), "{name}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // A zip that is not a workbook.
    let file = env.file(
        "empty.xlsx",
        b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    );
    let out = env.import("mi", &file, &[]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

mod never_panics {
    use super::*;
    use casa::import::{Checked, Options, check};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Checks `bytes` (after a good header when `with_header`) in-process: any verdict is fine,
    /// a panic or a database error is not.
    fn check_bytes(env: &Env, bytes: &[u8]) {
        let file = env.file("p.csv", bytes);
        let store = Store::open(&env.db, Access::ReadOnly).unwrap();
        let scope = casa::store::operators::scope(store.conn(), "mi")
            .unwrap()
            .unwrap();
        match check(&store, &|a| scope.check(a), &file, &Options::default()).unwrap() {
            Checked::Invalid(report) => assert!(!report.problems.is_empty()),
            Checked::Valid(plan) => assert!(plan.counts.rows > 0),
        }
    }

    #[test]
    fn on_arbitrary_bytes() {
        let env = env();
        let mut runner = TestRunner::new(Config::with_cases(128));
        runner
            .run(&proptest::collection::vec(any::<u8>(), 0..600), |body| {
                let mut bytes = csv_of(&[]).into_bytes();
                bytes.extend_from_slice(&body);
                check_bytes(&env, &bytes);
                check_bytes(&env, &body);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn on_rows_of_random_cells() {
        let env = env();
        let cell = "\\PC{0,10}|[0-9.,;€ /-]{0,8}|SI|NO|SAP|LIBERO|015146|01199250158";
        let rows = proptest::collection::vec(
            proptest::collection::vec(cell, Column::ALL.len()..=Column::ALL.len()),
            1..6,
        );
        let mut runner = TestRunner::new(Config::with_cases(128));
        runner
            .run(&rows, |rows| {
                let sep = if rows.len() % 2 == 0 { b';' } else { b',' };
                check_bytes(&env, csv_text(&header(), &rows, sep).as_bytes());
                Ok(())
            })
            .unwrap();
    }
}
