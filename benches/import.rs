//! Unit import at scale: 100,000 rows from CSV and from xlsx, into a database with no units,
//! then the same file again (nothing to change); and the CSV again into a database already
//! holding 200,000 other units (the search triggers then stay on). Median of 3 runs each;
//! figures printed, not asserted.
//!
//!     cargo bench --bench import
//!
//! Everything is generated in a temporary directory and removed at the end.

use casa::domain::access::{OperatorStatus, Role, Service};
use casa::domain::unit_record::Column;
use casa::import::{self, Checked, Options, Plan};
use casa::store::operators::{self, NewOperator};
use casa::store::{Access, Store, owners};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ROWS: usize = 100_000;
/// Units already in the database for the third case.
const PRELOADED: usize = 200_000;
const RUNS: usize = 3;
const UNITS_PER_BUILDING: usize = 12;
/// Comuni of the province of Milano whose Comune also owns units in the file.
const COMUNI_OWNERS: usize = 20;

/// An owner of generated units: its codice fiscale, name, kind, and the comuni it builds in.
struct Owner {
    kind: &'static str,
    tax_code: String,
    name: String,
    comuni: Vec<(String, String)>,
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let template = dir.path().join("template.sqlite");
    let owners = setup(&template);
    let csv_path = dir.path().join("alloggi.csv");
    let rows = generate(&owners, "UI", ROWS);
    write_csv(&csv_path, &rows);
    let xlsx_path = dir.path().join("alloggi.xlsx");
    write_xlsx(&xlsx_path, &rows);
    drop(rows);
    println!(
        "import bench: {ROWS} rows, {} owners, CSV {:.1} MiB, xlsx {:.1} MiB; median of {RUNS} runs",
        owners.len(),
        size_mib(&csv_path),
        size_mib(&xlsx_path)
    );
    bench_file(dir.path(), &template, &csv_path, "csv, empty registry");
    bench_file(dir.path(), &template, &xlsx_path, "xlsx, empty registry");

    // Other units of the same owners, loaded once into a second template.
    let populated = dir.path().join("populated.sqlite");
    std::fs::copy(&template, &populated).expect("copy");
    let other = dir.path().join("altri.csv");
    write_csv(&other, &generate(&owners, "PRE", PRELOADED));
    let plan = check(&populated, &other);
    let mut store = Store::open(&populated, Access::ReadWrite).expect("open");
    import::apply(&mut store, "bench", &plan, &Options::default()).expect("preload");
    drop(store);
    bench_file(
        dir.path(),
        &populated,
        &csv_path,
        &format!("csv, {}k units stored", PRELOADED / 1000),
    );
}

fn size_mib(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

/// A database with reference data and an operator `bench` granted on ALER Milano, Comune di
/// Milano and twenty more comuni of the province.
fn setup(path: &Path) -> Vec<Owner> {
    let mut store = Store::create(path).expect("create");
    store
        .add_operator(
            "bench",
            &NewOperator {
                username: "bench".into(),
                surname: "Rossi".into(),
                name: "Mario".into(),
                tax_code: "RSSMRA80A01H501U".into(),
                email: "bench@example.it".into(),
                role: Role::OwnerOperator,
                district_id: None,
                status: OperatorStatus::Active,
            },
        )
        .expect("operator");
    let conn = store.conn();
    let mi: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare("SELECT istat_code, name FROM municipality WHERE province = 'MI' ORDER BY istat_code")
            .expect("comuni");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("comuni")
            .collect::<rusqlite::Result<_>>()
            .expect("comuni")
    };
    let aler = owners::find_owner(conn, "ALER_MI").expect("aler");
    let mut list = vec![Owner {
        kind: "ALER",
        tax_code: aler.tax_code.clone(),
        name: aler.name.clone(),
        comuni: mi.clone(),
    }];
    let mut ids = vec![aler.id];
    let milano = mi.iter().position(|(c, _)| c == "015146").expect("Milano");
    let others = mi
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != milano)
        .map(|(_, c)| c);
    for (istat, name) in std::iter::once(&mi[milano]).chain(others.take(COMUNI_OWNERS)) {
        let o = owners::owner_by_istat(conn, istat)
            .expect("owner")
            .expect("comune");
        ids.push(o.id);
        list.push(Owner {
            kind: "COMUNE",
            tax_code: o.tax_code,
            name: o.name,
            comuni: vec![(istat.clone(), name.clone())],
        });
    }
    for id in ids {
        store
            .grant("bench", "bench", id, &[Service::Registry])
            .expect("grant");
    }
    list
}

/// `n` rows (codes starting with `prefix`): 60% ALER Milano across the province, 30% Comune di Milano, the rest spread
/// over the other Comuni; twelve units per building. Deterministic.
fn generate(owners: &[Owner], prefix: &str, n: usize) -> Vec<Vec<String>> {
    const STATES: [&str; 8] = [
        "OCCUPATO",
        "OCCUPATO",
        "OCCUPATO",
        "OCCUPATO",
        "OCCUPATO",
        "LIBERO",
        "SFITTO PER CARENZE MANUTENTIVE",
        "SFITTO PER RISTRUTTURAZIONE",
    ];
    const STREETS: [&str; 6] = [
        "Via Padova",
        "Via Lorenteggio",
        "Viale Molise",
        "Via dei Cinquecento",
        "Piazzale Selinunte",
        "Via Giambellino",
    ];
    let mut rows = Vec::with_capacity(n);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..n {
        let owner = match i % 10 {
            0..=5 => &owners[0],
            6..=8 => &owners[1],
            _ => &owners[2 + (i / 10) % (owners.len() - 2)],
        };
        let building = i / UNITS_PER_BUILDING;
        let (istat, comune) = &owner.comuni[building % owner.comuni.len()];
        let r = next();
        let state = STATES[(r % 8) as usize];
        let service = if r.is_multiple_of(17) { "SAS" } else { "SAP" };
        let works = state == "SFITTO PER CARENZE MANUTENTIVE";
        let mut cells = vec![String::new(); Column::ALL.len()];
        let mut set = |c: Column, v: String| cells[c as usize] = v;
        set(Column::OwnerKind, owner.kind.into());
        set(Column::OwnerTaxCode, owner.tax_code.clone());
        set(Column::OwnerName, owner.name.clone());
        set(Column::BuildingCode, format!("{prefix}-FB{building:06}"));
        set(Column::YearBuilt, (1930 + building % 90).to_string());
        set(Column::UnitCode, format!("{prefix}{i:07}"));
        set(Column::IstatCode, istat.clone());
        set(Column::Municipality, comune.clone());
        set(Column::Province, "MI".into());
        set(Column::Locality, format!("Zona {}", building % 9 + 1));
        set(Column::Address, STREETS[building % STREETS.len()].into());
        set(Column::StreetNumber, (building % 300 + 1).to_string());
        set(Column::Cap, format!("20{:03}", 100 + building % 60));
        set(Column::Staircase, ["A", "B", "C"][i % 3].into());
        set(Column::Floor, (i % UNITS_PER_BUILDING / 2).to_string());
        set(
            Column::Lift,
            if building.is_multiple_of(3) {
                "NO"
            } else {
                "SI"
            }
            .into(),
        );
        set(Column::CadastralSheet, (building % 700 + 1).to_string());
        set(Column::CadastralParcel, (building % 400 + 1).to_string());
        set(
            Column::CadastralSub,
            (i % UNITS_PER_BUILDING + 1).to_string(),
        );
        set(
            Column::CadastralCategory,
            if r.is_multiple_of(3) { "A/3" } else { "A/4" }.into(),
        );
        set(
            Column::FloorArea,
            format!("{},{:02}", 28 + (r >> 8) % 90, (r >> 16) % 100),
        );
        set(Column::Rooms, (1 + (r >> 24) % 5).to_string());
        set(Column::Service, service.into());
        let sat = service == "SAP" && (r >> 32).is_multiple_of(20);
        set(Column::Sat, if sat { "SI" } else { "NO" }.into());
        set(Column::State, state.into());
        set(
            Column::InNotice,
            if state == "LIBERO" { "SI" } else { "NO" }.into(),
        );
        if works {
            set(Column::Works, "Rifacimento impianti e bagno".into());
            set(
                Column::WorksCost,
                format!("{},{:02}", 1000 + (r >> 40) % 7000, (r >> 20) % 100),
            );
        }
        set(
            Column::BarrierFree,
            if (r >> 48).is_multiple_of(5) {
                "SI"
            } else {
                "NO"
            }
            .into(),
        );
        rows.push(cells);
    }
    rows
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .expect("csv");
    w.write_record(Column::ALL.iter().map(|c| c.header()))
        .expect("csv");
    for r in rows {
        w.write_record(r).expect("csv");
    }
    w.flush().expect("csv");
}

/// The same rows as a workbook, with numbers stored as numbers (ISTAT code and codice fiscale
/// lose their leading zeros, as in a real spreadsheet).
fn write_xlsx(path: &Path, rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().expect("xlsx");
    for (c, h) in Column::ALL.iter().enumerate() {
        sheet.write_string(0, c as u16, h.header()).expect("xlsx");
    }
    let numeric = [
        Column::IstatCode,
        Column::OwnerTaxCode,
        Column::YearBuilt,
        Column::FloorArea,
        Column::Rooms,
        Column::WorksCost,
        Column::Cap,
    ];
    for (r, cells) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in cells.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let number = numeric
                .iter()
                .any(|n| *n as usize == c)
                .then(|| v.replace(',', ".").parse::<f64>().ok())
                .flatten();
            match number {
                Some(n) => sheet.write_number(r, c as u16, n),
                None => sheet.write_string(r, c as u16, v),
            }
            .expect("xlsx");
        }
    }
    book.save(path).expect("xlsx");
}

/// Checks `file` as operator `bench`, the way the CLI does (read-only connection).
fn check(db: &Path, file: &Path) -> Plan {
    let store = Store::open(db, Access::ReadOnly).expect("open");
    let scope = operators::scope(store.conn(), "bench")
        .expect("scope")
        .expect("operator");
    match import::check(&store, &|a| scope.check(a), file, &Options::default()).expect("check") {
        Checked::Valid(plan) => plan,
        Checked::Invalid(report) => {
            for p in report.problems.iter().take(10) {
                eprintln!("{p}");
            }
            panic!("generated file refused: {} problems", report.problems.len());
        }
    }
}

fn bench_file(dir: &Path, template: &Path, file: &Path, case: &str) {
    let mut first_check = Vec::new();
    let mut first_write = Vec::new();
    let mut first_total = Vec::new();
    let mut again = Vec::new();
    for run in 0..RUNS {
        let db: PathBuf = dir.join(format!("run{run}.sqlite"));
        std::fs::copy(template, &db).expect("copy");
        let t0 = Instant::now();
        let plan = check(&db, file);
        let t1 = Instant::now();
        let mut store = Store::open(&db, Access::ReadWrite).expect("open");
        let applied =
            import::apply(&mut store, "bench", &plan, &Options::default()).expect("apply");
        drop(store);
        let t2 = Instant::now();
        assert_eq!(applied.units_created, ROWS);
        let plan = check(&db, file);
        let t3 = Instant::now();
        assert!(!plan.has_changes(), "re-import found changes");
        first_check.push(t1 - t0);
        first_write.push(t2 - t1);
        first_total.push(t2 - t0);
        again.push(t3 - t2);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    println!(
        "{case:>26}: first import {:>6.2} s (validation {:.2} s + write {:.2} s); re-import, no changes {:>6.2} s",
        median(first_total),
        median(first_check),
        median(first_write),
        median(again)
    );
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}
