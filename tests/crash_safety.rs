//! Crash safety: casa processes killed with SIGKILL while they commit small writes and while
//! they import a large unit file. After every kill the database opens, passes
//! `integrity_check`, holds every change acknowledged before the kill, and an interrupted
//! import has left nothing behind.
//!
//! The kill points are deterministic: the tests' build of casa has kill points
//! (`src/crash_point.rs`, cargo feature `crash-points`, never in the operator's binary) where it
//! stops when `CASA_CRASH_POINT` names them, and the test kills it there — inside SQLite's
//! commit, after it, and part-way through an import's transaction. Random kills (seeded) are
//! kept on top, for the moments no point names.
//!
//! The test suite runs a few iterations; a long run:
//!
//!     CASA_CRASH_ITERATIONS=200 cargo test --release --test crash_safety -- --nocapture
//!
//! (the long run imports 50,000 rows; `CASA_CRASH_IMPORT_ROWS` changes that).

#[path = "support/write_loop.rs"]
mod support_write_loop;

use casa::domain::unit_record::Column;
use casa::store::{Access, Store, owners};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WRITES: u64 = 1000;
/// Rows of the import killed in the test suite (a debug build imports them in about 2 s).
const IMPORT_ROWS: usize = 10_000;
/// Rows of the import in the long run (`CASA_CRASH_ITERATIONS` set).
const LONG_IMPORT_ROWS: usize = 50_000;

fn iterations(default: usize) -> usize {
    std::env::var("CASA_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn casa(home: &Path, db: &Path, operator: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casa"));
    c.arg("--db")
        .arg(db)
        .args(["--operator", operator])
        .args(args)
        .env_remove("CASA_DB")
        .env_remove("CASA_OPERATOR")
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    c
}

/// A demo database of 3,000 units and no applications, made by the real binary.
fn demo_db(home: &Path) -> PathBuf {
    let db = home.join("casa.sqlite");
    let out = casa(
        home,
        &db,
        "regione",
        &["demo", "--units", "3000", "--applications", "0"],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// Opens the database as casa does after a crash (recovery included) and checks integrity.
fn reopen_and_check(db: &Path) -> Connection {
    drop(Store::open(db, Access::ReadWrite).expect("the database opens after the kill"));
    let conn = Connection::open(db).unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0, "foreign key violations after the kill");
    conn
}

/// Removes the WAL companions of a closed database, so that copying the main file over it
/// replaces it entirely.
fn remove_wal(db: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Starts `cmd` with `CASA_CRASH_POINT=point`, waits until it stops there (its stderr says
/// `crash-point NAME`) and kills it with SIGKILL. Returns whether the point was reached (false:
/// the process ended first).
fn kill_at(mut cmd: Command, point: &str) -> bool {
    let name = point.split('@').next().unwrap_or(point).to_string();
    let mut child = cmd
        .env("CASA_CRASH_POINT", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let wanted = format!("crash-point {name}");
    let reached = BufReader::new(err)
        .lines()
        .map_while(Result::ok)
        .any(|l| l == wanted);
    kill(&mut child);
    reached
}

fn kill(child: &mut Child) -> bool {
    // `Child::kill` sends SIGKILL on Unix. Returns whether the process was still running.
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

#[test]
fn killed_writers_lose_no_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0001);
    let runs = iterations(12);
    let mut acknowledged: Vec<i64> = Vec::new();
    let mut killed_running = 0;
    let started = Instant::now();
    for run in 0..runs {
        let mut child = support_write_loop::command(&db, "regione", WRITES)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a random number of acknowledgements (0: while it opens the database).
        let wait_for = rng.random_range(0..WRITES * 9 / 10);
        let mut seen = Vec::new();
        while (seen.len() as u64) < wait_for {
            match lines.next() {
                Some(Ok(l)) => seen.extend(support_write_loop::acknowledged(&l)),
                _ => break,
            }
        }
        if kill(&mut child) {
            killed_running += 1;
        }
        // Lines already in the pipe were printed after their commit: acknowledged too.
        seen.extend(
            lines
                .map_while(Result::ok)
                .filter_map(|l| support_write_loop::acknowledged(&l)),
        );
        acknowledged.extend(seen.iter().copied());
        let conn = reopen_and_check(&db);
        let missing: Vec<i64> = {
            let mut stmt = conn
                .prepare("SELECT count(*) FROM certification WHERE id = ?1")
                .unwrap();
            acknowledged
                .iter()
                .copied()
                .filter(|id| stmt.query_row([id], |r| r.get::<_, i64>(0)).unwrap() == 0)
                .collect()
        };
        assert!(
            missing.is_empty(),
            "run {run}: acknowledged writes lost: {missing:?}"
        );
        // Every certification has its audit record: a change and its record or neither.
        let (certs, audits): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM certification),
                        (SELECT count(*) FROM audit WHERE action = 'certificazione.certifica')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(certs, audits, "run {run}: certifications without audit");
    }
    eprintln!(
        "crash safety (writes): {runs} runs, {killed_running} killed while running, {} acknowledged writes all present, {:.1} s",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(!acknowledged.is_empty());

    // Deterministic: killed inside the K-th commit (the change in flight must be absent, the
    // K-1 before it present), and just after it, before the acknowledgement (present).
    let certs = |conn: &Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM certification", [], |r| r.get(0))
            .unwrap()
    };
    for (point, k, kept) in [("commit", 5, 4), ("commit", 1, 0), ("after-commit", 3, 3)] {
        let before = certs(&reopen_and_check(&db));
        let cmd = support_write_loop::command(&db, "regione", 10);
        assert!(
            kill_at(cmd, &format!("{point}@{k}")),
            "never reached {point}@{k}"
        );
        let conn = reopen_and_check(&db);
        assert_eq!(
            certs(&conn) - before,
            kept,
            "killed at {point}@{k}: wrong number of changes kept"
        );
        let (n, audits): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM certification),
                        (SELECT count(*) FROM audit WHERE action = 'certificazione.certifica')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(n, audits, "{point}@{k}: a change without its audit record");
    }
}

/// A hash of every row of the registry tables, and the audit count.
fn registry_hash(conn: &Connection) -> (i64, u64) {
    let mut h = DefaultHasher::new();
    for table in ["owner", "building", "unit"] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                format!("{:?}", r.get_ref(i).unwrap()).hash(&mut h);
            }
        }
    }
    let units: i64 = conn
        .query_row("SELECT count(*) FROM unit", [], |r| r.get(0))
        .unwrap();
    let audits: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    audits.hash(&mut h);
    (units, h.finish())
}

/// A valid unit file of `rows` new units of ALER Milano across the province of Milano,
/// twelve per building.
fn write_import_file(db: &Path, path: &Path, rows: usize) {
    let conn = Connection::open(db).unwrap();
    let aler = owners::find_owner(&conn, "ALER_MI").unwrap();
    let comuni: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare("SELECT istat_code, name FROM municipality WHERE province = 'MI' ORDER BY istat_code")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    const STATES: [&str; 4] = [
        "OCCUPATO",
        "OCCUPATO",
        "LIBERO",
        "SFITTO PER RISTRUTTURAZIONE",
    ];
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap();
    w.write_record(Column::ALL.iter().map(|c| c.header()))
        .unwrap();
    for i in 0..rows {
        let building = i / 12;
        let (istat, comune) = &comuni[building % comuni.len()];
        let state = STATES[i % STATES.len()];
        let mut cells = vec![String::new(); Column::ALL.len()];
        let mut set = |c: Column, v: String| cells[c as usize] = v;
        set(Column::OwnerKind, "ALER".into());
        set(Column::OwnerTaxCode, aler.tax_code.clone());
        set(Column::OwnerName, aler.name.clone());
        set(Column::BuildingCode, format!("CRASH-FB{building:06}"));
        set(Column::YearBuilt, (1930 + building % 90).to_string());
        set(Column::UnitCode, format!("CRASH{i:07}"));
        set(Column::IstatCode, istat.clone());
        set(Column::Municipality, comune.clone());
        set(Column::Province, "MI".into());
        set(Column::Address, "Via Padova".into());
        set(Column::StreetNumber, (building % 300 + 1).to_string());
        set(Column::Cap, format!("20{:03}", 100 + building % 60));
        set(Column::Floor, (i % 12 / 2).to_string());
        set(Column::Lift, "SI".into());
        set(Column::CadastralSheet, (building % 700 + 1).to_string());
        set(Column::CadastralParcel, (building % 400 + 1).to_string());
        set(Column::CadastralSub, (i % 12 + 1).to_string());
        set(Column::CadastralCategory, "A/3".into());
        set(Column::FloorArea, format!("{},50", 30 + i % 80));
        set(Column::Rooms, (1 + i % 5).to_string());
        set(Column::Service, "SAP".into());
        set(Column::Sat, "NO".into());
        set(Column::State, state.into());
        set(
            Column::InNotice,
            if state == "LIBERO" { "SI" } else { "NO" }.into(),
        );
        set(Column::BarrierFree, "NO".into());
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
}

fn import(home: &Path, db: &Path, file: &Path) -> Command {
    let mut c = casa(
        home,
        db,
        "aler.mi",
        &["units", "import", file.to_str().unwrap()],
    );
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

fn wal_size(db: &Path) -> u64 {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    std::fs::metadata(PathBuf::from(p)).map_or(0, |m| m.len())
}

/// Waits for `child` to end, returning the largest size its WAL reached meanwhile.
fn wait_watching_wal(child: &mut Child, db: &Path) -> u64 {
    let mut max = 0;
    while child.try_wait().unwrap().is_none() {
        max = max.max(wal_size(db));
        std::thread::sleep(Duration::from_micros(200));
    }
    max
}

#[test]
fn killed_import_leaves_nothing_behind() {
    let rows: usize = std::env::var("CASA_CRASH_IMPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::var_os("CASA_CRASH_ITERATIONS").is_some() {
            LONG_IMPORT_ROWS
        } else {
            IMPORT_ROWS
        });
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let file = dir.path().join("alloggi.csv");
    write_import_file(&db, &file, rows);
    let before = registry_hash(&Connection::open(&db).unwrap());
    let pristine = dir.path().join("originale.sqlite");
    std::fs::copy(&db, &pristine).unwrap();

    // The file is good: a full import on a copy stores every row. Its duration and the size
    // its write-ahead log reached (the transaction being committed) bound the random kill
    // points below.
    let copy = dir.path().join("copia.sqlite");
    std::fs::copy(&db, &copy).unwrap();
    let t0 = Instant::now();
    let mut child = import(dir.path(), &copy, &file).spawn().unwrap();
    let wal_max = wait_watching_wal(&mut child, &copy);
    let full = t0.elapsed();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (units, _) = registry_hash(&reopen_and_check(&copy));
    assert_eq!(units, before.0 + rows as i64);

    // Deterministic kill points: the first row written, half-way, the last row, inside the
    // commit (the transaction built, SQLite committing it), and after the commit.
    let half = (rows / 2).to_string();
    let all = rows.to_string();
    let points = [
        ("import.row@1".to_string(), false),
        (format!("import.row@{half}"), false),
        (format!("import.row@{all}"), false),
        ("commit".to_string(), false),
        ("after-commit".to_string(), true),
    ];
    let mut killed_in_commit = 0;
    for (point, committed) in &points {
        assert!(
            kill_at(import(dir.path(), &db, &file), point),
            "the import never reached {point}"
        );
        let conn = reopen_and_check(&db);
        if *committed {
            let (units, _) = registry_hash(&conn);
            assert_eq!(units, before.0 + rows as i64, "killed {point}: commit lost");
            drop(conn);
            remove_wal(&db);
            std::fs::copy(&pristine, &db).unwrap();
        } else {
            assert_eq!(
                registry_hash(&conn),
                before,
                "killed at {point}: the interrupted import left rows behind"
            );
        }
        if point == "commit" {
            killed_in_commit += 1;
        }
    }
    assert_eq!(killed_in_commit, 1, "no kill inside a commit");

    // Random moments on top (seeded), as before: reading, checking, building the transaction,
    // and while the log grows.
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0002);
    let runs = iterations(4);
    let (mut killed, mut killed_writing, mut finished) = (0, 0, 0);
    let started = Instant::now();
    for run in 0..runs {
        let mut child = import(dir.path(), &db, &file).spawn().unwrap();
        let what = if run % 2 == 0 || wal_max == 0 {
            let at = rng.random_range(0..full.as_micros() as u64 * 9 / 10);
            std::thread::sleep(Duration::from_micros(at));
            format!("at {at} µs")
        } else {
            let threshold = rng.random_range(1..wal_max);
            while child.try_wait().unwrap().is_none() && wal_size(&db) < threshold {
                std::thread::sleep(Duration::from_micros(50));
            }
            format!("with the WAL past {threshold} of {wal_max} bytes")
        };
        let wal_at_kill = wal_size(&db);
        let running = kill(&mut child);
        // A kill can land after the commit, while the process is still closing the database:
        // the import was not interrupted then, and is judged as one that finished.
        let committed = running && {
            let (units, _) = registry_hash(&reopen_and_check(&db));
            units == before.0 + rows as i64
        };
        if running && !committed {
            killed += 1;
            if wal_at_kill > 0 {
                killed_writing += 1;
            }
            let conn = reopen_and_check(&db);
            assert_eq!(
                registry_hash(&conn),
                before,
                "run {run}: the interrupted import left rows behind (killed {what})"
            );
        } else {
            // It finished first: it must then have imported everything. Start again from the
            // original database.
            finished += 1;
            let (units, _) = registry_hash(&reopen_and_check(&db));
            assert_eq!(units, before.0 + rows as i64);
            remove_wal(&db);
            std::fs::copy(&pristine, &db).unwrap();
        }
    }
    eprintln!(
        "crash safety (import of {rows} rows, full run {:.1} s, WAL {wal_max} bytes): {} kill points reached ({killed_in_commit} inside the commit); {runs} random runs, {killed} killed mid-import ({killed_writing} while writing the log), {finished} finished before the kill, {:.1} s",
        full.as_secs_f64(),
        points.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "the write loop child process of the tests in this file"]
fn write_loop_child() {
    support_write_loop::child()
}
