//! Hostile input, round two (issue #14): the files casa writes, the memory and time one bad
//! file may cost, spreadsheets and terminals that attack the operator, databases and arguments.
//! Every test drives the real binary, so each can be run against another build:
//!
//!     CASA_TEST_BIN=/path/to/other/casa cargo test --test hostile_world
//!
//! (that is how each was seen failing on main at 3c4a6ce; the test that writes to the real
//! /dev/null only runs against this build). Hostile files are generated here, at test time:
//! the 3 GB zip bomb is a 3 MB file built from one compressed megabyte repeated.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// -------------------------------------------------------------------------------------------
// Harness

fn bin() -> PathBuf {
    std::env::var_os("CASA_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_casa")))
}

fn this_build() -> bool {
    std::env::var_os("CASA_TEST_BIN").is_none()
}

/// Address space allowed to a casa run that reads a hostile file: far above what a refusal
/// needs, far below what the attacks cost (a 4 GiB allocation, 12 GB for the zip bomb).
const MEMORY_CAP_KIB: u64 = 1024 * 1024;

struct World {
    dir: tempfile::TempDir,
    db: PathBuf,
    home: PathBuf,
}

/// The demo database every test copies (300 units, 50 applications), built once.
fn template() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("hostile_world-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.sqlite");
        let out = Command::new(bin())
            .arg("--db")
            .arg(&db)
            .args(["demo", "--units", "300", "--applications", "50"])
            .env_remove("CASA_DB")
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "casa demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        db
    })
}

impl World {
    /// An empty directory: no database.
    fn empty() -> World {
        let dir = tempfile::Builder::new()
            .prefix("hostile-world")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        World {
            db: dir.path().join("casa.sqlite"),
            home,
            dir,
        }
    }

    /// A copy of the demo database.
    fn demo() -> World {
        let w = World::empty();
        std::fs::copy(template(), &w.db).unwrap();
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self, operator: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        self.prepare(&mut c, operator, args);
        c
    }

    fn prepare(&self, c: &mut Command, operator: Option<&str>, args: &[&str]) {
        c.arg("--db").arg(&self.db);
        if let Some(op) = operator {
            c.args(["--operator", op]);
        }
        c.args(args)
            .current_dir(self.dir.path())
            .env_remove("CASA_DB")
            .env_remove("CASA_OPERATOR")
            .env_remove("CASA_CRASH_POINT")
            .env_remove("NO_COLOR")
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("USER", "nobody");
    }

    fn run(&self, operator: &str, args: &[&str]) -> Output {
        self.command(Some(operator), args).output().unwrap()
    }

    /// The same, under a memory cap (`ulimit -v`), timed.
    fn run_capped(&self, operator: &str, args: &[&str]) -> (Output, Duration) {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("ulimit -v {MEMORY_CAP_KIB}; exec \"$0\" \"$@\""))
            .arg(bin());
        self.prepare(&mut c, Some(operator), args);
        let t = Instant::now();
        let out = c.output().unwrap();
        (out, t.elapsed())
    }

    fn ok(&self, operator: &str, args: &[&str]) -> String {
        let out = self.run(operator, args);
        assert!(
            out.status.success(),
            "casa {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Asserts exit code `code`; returns stderr.
    fn fails(&self, code: i32, operator: &str, args: &[&str]) -> String {
        let out = self.run(operator, args);
        expect_code(&out, code, args);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn sql(&self, sql: &str) {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    fn count(&self, sql: &str) -> i64 {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    fn db_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.db).unwrap()
    }

    /// The demo notice and the capofila of its district.
    fn notice(&self) -> (String, String) {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        conn.query_row(
            "SELECT n.id, d.code FROM notice n JOIN district d ON d.id = n.district_id ORDER BY n.id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?.to_string(),
                    format!("capofila.{}", r.get::<_, String>(1)?.to_lowercase()),
                ))
            },
        )
        .unwrap()
    }
}

fn expect_code(out: &Output, code: i32, args: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "casa {args:?}: stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// English that must never reach an operator.
const ENGLISH: &[&str] = &[
    "error:",
    "Error",
    "Usage",
    "unexpected",
    "invalid",
    "found",
    "expected",
    "os error",
    "No such file",
    "Permission denied",
    "Is a directory",
    "failed",
    "constraint",
    "readonly",
    "database is",
    "For more information",
    "tip:",
];

fn assert_italian(text: &str) {
    for w in ENGLISH {
        assert!(!text.contains(w), "English {w:?} in: {text}");
    }
    assert!(!text.trim().is_empty(), "empty message");
}

/// No byte a terminal would obey: ESC, BEL, CSI, other C0 controls but line breaks and tabs.
fn assert_terminal_safe(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "control character {c:?} printed: {text:?}");
    }
}

// -------------------------------------------------------------------------------------------
// Hostile files, generated

/// The example unit rows (`fixtures/units_example.csv`), `;`-separated.
fn unit_rows() -> Vec<Vec<String>> {
    include_str!("../fixtures/units_example.csv")
        .lines()
        .map(|l| l.split(';').map(String::from).collect())
        .collect()
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn csv_of(rows: &[Vec<String>], line_end: &str) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(if line_end == "\r\n" {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// A workbook of `rows` (strings), one sheet.
fn xlsx_of(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// A raw-deflate piece (byte-aligned by a sync flush; final when `last`).
fn deflate(data: &[u8], last: bool) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    loop {
        let before = c.total_in() as usize;
        out.reserve(64 * 1024);
        let status = c.compress_vec(&data[before..], &mut out, flush).unwrap();
        if c.total_in() as usize == data.len()
            && (status == flate2::Status::StreamEnd || !last)
            && (last || out.last().is_some())
        {
            break;
        }
    }
    out
}

struct Part {
    name: &'static str,
    method: u16,
    crc: u32,
    size: u32,
    data: Vec<u8>,
}

fn stored(name: &'static str, text: &str) -> Part {
    Part {
        name,
        method: 0,
        crc: crc32fast::hash(text.as_bytes()),
        size: text.len() as u32,
        data: text.as_bytes().to_vec(),
    }
}

/// A zip archive of `parts` (no zip64: every size below 4 GiB).
fn zip_of(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(p.method.to_le_bytes());
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(p.crc.to_le_bytes());
            h.extend((p.data.len() as u32).to_le_bytes());
            h.extend(p.size.to_le_bytes());
            h.extend((p.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment length, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(p.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&p.data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook of ~3 MB whose only cell holds `cell_gib` GiB of 'a' (an honest zip: sizes and
/// CRC as they are) or, `lying`, declaring its sheet a few bytes long.
fn zip_bomb(cell_mib: u64, lying: bool) -> Vec<u8> {
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>";
    let tail = "</t></is></c></row></sheetData></worksheet>";
    let mib = vec![b'a'; 1 << 20];
    let chunk = deflate(&mib, false);
    let mut data = deflate(head.as_bytes(), false);
    for _ in 0..cell_mib {
        data.extend(&chunk);
    }
    data.extend(deflate(tail.as_bytes(), true));
    let mut crc = crc32fast::Hasher::new();
    crc.update(head.as_bytes());
    let mut one = crc32fast::Hasher::new();
    one.update(&mib);
    for _ in 0..cell_mib {
        crc.combine(&one);
    }
    crc.update(tail.as_bytes());
    let size = head.len() as u64 + (cell_mib << 20) + tail.len() as u64;
    let sheet = Part {
        name: "xl/worksheets/sheet1.xml",
        method: 8,
        crc: crc.finalize(),
        size: if lying { 4096 } else { size as u32 },
        data,
    };
    zip_of(&[
        stored(
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
        ),
        stored(
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        ),
        stored(
            "xl/workbook.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Foglio1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
        ),
        sheet,
    ])
}

/// Writes `data` to `path` and returns its path as text.
fn write_file(path: &Path, data: &[u8]) -> String {
    std::fs::write(path, data).unwrap();
    s(path).to_string()
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(st.success());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const UNITS: &str = "comune.015146";

/// Unit export arguments for `out`.
fn export_units<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["units", "export", "--out", out];
    v.extend_from_slice(extra);
    v
}

// -------------------------------------------------------------------------------------------
// Files casa writes

#[test]
fn a_planted_part_link_is_never_followed() {
    let w = World::demo();
    let (notice, capofila) = w.notice();
    let victim = w.path("important.conf");
    std::fs::write(&victim, "segreto").unwrap();
    for (name, operator, args) in [
        ("elenchi.xlsx", UNITS, vec!["units", "export"]),
        ("elenchi.csv", UNITS, vec!["units", "export"]),
        (
            "graduatorie.xlsx",
            capofila.as_str(),
            vec!["rankings", "export", "--notice", notice.as_str()],
        ),
        ("quote.xlsx", "regione", vec!["assignments", "export"]),
    ] {
        let out = w.path(name);
        let mut part = out.clone().into_os_string();
        part.push(".part");
        std::os::unix::fs::symlink(&victim, PathBuf::from(part)).unwrap();
        let mut a = args.clone();
        a.extend(["--out", s(&out)]);
        w.ok(operator, &a);
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "segreto",
            "{name}: the planted link was followed"
        );
        assert!(std::fs::metadata(&out).unwrap().len() > 0, "{name}");
    }
}

#[test]
fn devices_fifos_and_directories_are_never_replaced() {
    let w = World::demo();
    let fifo = w.path("elenchi.xlsx");
    mkfifo(&fifo);
    let dir = w.path("cartella.csv");
    std::fs::create_dir(&dir).unwrap();
    let to_null = w.path("nulla.xlsx");
    std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
    for target in [&fifo, &dir, &to_null] {
        let e = w.fails(4, UNITS, &export_units(s(target), &["--force"]));
        assert!(e.contains("non un file regolare"), "{e}");
        assert_italian(&e);
    }
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    assert!(dir.is_dir());
    assert_eq!(
        std::fs::read_link(&to_null).unwrap(),
        Path::new("/dev/null")
    );
    let backup = w.fails(4, "regione", &["db", "backup", s(&fifo), "--force"]);
    assert!(backup.contains("non un file regolare"), "{backup}");
    assert!(is_fifo(&fifo));
    if this_build() {
        // The real devices (only against this build: another one might replace them).
        for dev in ["/dev/null", "/dev/full"] {
            let e = w.fails(
                4,
                UNITS,
                &[
                    "units", "export", "--out", dev, "--format", "csv", "--force",
                ],
            );
            assert!(e.contains("dispositivo"), "{e}");
            let e = w.fails(4, "regione", &["db", "backup", dev, "--force"]);
            assert!(e.contains("dispositivo"), "{e}");
        }
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}

#[test]
fn every_writer_refuses_an_existing_file_unless_forced() {
    let w = World::demo();
    let (notice, capofila) = w.notice();
    let bad_units = w.path("bad.csv");
    let mut rows = unit_rows();
    let state = column(&rows[0], "Stato");
    rows[1][state] = "BOH".into();
    write_file(&bad_units, &csv_of(&rows[..2], "\n"));
    let plan = {
        let d =
            |o: i64| (chrono::Local::now().date_naive() + chrono::Duration::days(o)).to_string();
        let v = w.ok(
            "capofila.bg-seriate",
            &[
                "plan",
                "create",
                "--district",
                "BG-SERIATE",
                "--year",
                "2027",
                "--start",
                &d(-5),
                "--end",
                &d(20),
                "--format",
                "json",
            ],
        );
        serde_json::from_str::<serde_json::Value>(&v).unwrap()["id"].to_string()
    };
    type Case<'a> = (&'a str, String, Vec<String>, i32);
    let cases: Vec<Case> = vec![
        (
            "a.xlsx",
            UNITS.into(),
            vec!["units".into(), "export".into(), "--out".into()],
            0,
        ),
        (
            "a.csv",
            UNITS.into(),
            vec!["units".into(), "export".into(), "--out".into()],
            0,
        ),
        (
            "g.xlsx",
            capofila.clone(),
            vec![
                "rankings".into(),
                "export".into(),
                "--notice".into(),
                notice.clone(),
                "--out".into(),
            ],
            0,
        ),
        (
            "p.xlsx",
            "capofila.bg-seriate".into(),
            vec!["plan".into(), "report".into(), plan.clone(), "--out".into()],
            0,
        ),
        (
            "r.csv",
            UNITS.into(),
            vec![
                "units".into(),
                "import".into(),
                s(&bad_units).into(),
                "--report".into(),
            ],
            4,
        ),
        (
            "copia.sqlite",
            "regione".into(),
            vec!["db".into(), "backup".into()],
            0,
        ),
        (
            "q.xlsx",
            "regione".into(),
            vec!["assignments".into(), "export".into(), "--out".into()],
            0,
        ),
    ];
    for (name, operator, args, code) in cases {
        let out = w.path(name);
        std::fs::write(&out, "prezioso").unwrap();
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.push(s(&out));
        let e = w.fails(4, &operator, &a);
        assert!(e.contains("esiste già"), "{name}: {e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "prezioso", "{name}");
        a.push("--force");
        let o = w.run(&operator, &a);
        expect_code(&o, code, &a);
        assert_ne!(
            std::fs::read(&out).unwrap(),
            b"prezioso",
            "{name} not replaced"
        );
    }
}

#[test]
fn a_dash_is_standard_output_for_every_writer() {
    let w = World::demo();
    let (notice, capofila) = w.notice();
    let out = w.run(
        UNITS,
        &["units", "export", "--out", "-", "--format", "xlsx"],
    );
    expect_code(&out, 0, &["export xlsx"]);
    assert!(
        out.stdout.starts_with(b"PK\x03\x04"),
        "not an xlsx on stdout"
    );
    let out = w.run(UNITS, &["units", "export", "--out", "-", "--format", "csv"]);
    expect_code(&out, 0, &["export csv"]);
    assert!(
        out.stdout.starts_with(b"Ragione sociale"),
        "{:?}",
        &out.stdout[..20]
    );
    let out = w.run(
        &capofila,
        &["rankings", "export", "--notice", &notice, "--out", "-"],
    );
    expect_code(&out, 0, &["rankings export"]);
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let out = w.run("regione", &["assignments", "export", "--out", "-"]);
    expect_code(&out, 0, &["assignments export"]);
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Quote "));
    let out = w.run("regione", &["db", "backup", "-"]);
    expect_code(&out, 0, &["backup"]);
    assert!(out.stdout.starts_with(b"SQLite format 3\0"));
    let bad = w.path("bad.csv");
    let mut rows = unit_rows();
    let state = column(&rows[0], "Stato");
    rows[1][state] = "BOH".into();
    write_file(&bad, &csv_of(&rows[..2], "\n"));
    let out = w.run(UNITS, &["units", "import", s(&bad), "--report", "-"]);
    expect_code(&out, 4, &["import --report -"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("BOH"));
    assert!(!w.path("-").exists(), "a file named - was created");
    // A failing write to standard output (a full disk) is told in Italian.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = w
        .command(
            Some(UNITS),
            &["units", "export", "--out", "-", "--format", "csv"],
        )
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("spazio su disco esaurito"), "{e}");
    assert_italian(&e);
}

#[test]
fn the_extension_is_followed_or_refused() {
    let w = World::demo();
    let (notice, capofila) = w.notice();
    let e = w.fails(
        4,
        &capofila,
        &["rankings", "export", "--notice", &notice, "--out", "r.csv"],
    );
    assert!(e.contains(".xlsx"), "{e}");
    assert!(!w.path("r.csv").exists());
    let e = w.fails(4, "regione", &["assignments", "export", "--out", "q.csv"]);
    assert!(e.contains(".xlsx"), "{e}");
    assert!(!w.path("q.csv").exists());
    let e = w.fails(
        4,
        UNITS,
        &["units", "export", "--out", "x.csv", "--format", "xlsx"],
    );
    assert!(e.contains(".xlsx"), "{e}");
    let e = w.fails(4, UNITS, &["units", "export", "--out", "x.txt"]);
    assert!(e.contains(".xlsx o .csv"), "{e}");
    assert_eq!(names_in(w.dir.path()), ["casa.sqlite", "home"]);
}

#[test]
fn operating_system_errors_are_italian() {
    let w = World::demo();
    for args in [
        export_units("/proc/elenchi.xlsx", &[]),
        export_units("nessuna/cartella/elenchi.xlsx", &[]),
        vec!["db", "backup", "/proc/copia.sqlite"],
        vec!["rules", "check", "/proc"],
        vec!["units", "import", "nessuno.csv"],
    ] {
        let out = w.run("regione", &args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert_italian(&String::from_utf8_lossy(&out.stderr));
    }
}

// -------------------------------------------------------------------------------------------
// Memory and time bounds

#[test]
fn a_zip_bomb_is_refused_at_once_in_little_memory() {
    let w = World::demo();
    let (notice, capofila) = w.notice();
    for (name, lying) in [("bomba.xlsx", false), ("bomba-bugiarda.xlsx", true)] {
        let file = w.path(name);
        let bomb = zip_bomb(3 * 1024, lying);
        assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
        write_file(&file, &bomb);
        let before = w.db_bytes();
        for (op, args) in [
            (UNITS, vec!["units", "import", s(&file)]),
            (
                capofila.as_str(),
                vec![
                    "applications",
                    "import",
                    s(&file),
                    "--notice",
                    notice.as_str(),
                ],
            ),
        ] {
            let (out, took) = w.run_capped(op, &args);
            expect_code(&out, 4, &args);
            let e = String::from_utf8_lossy(&out.stderr);
            assert!(e.len() < 2_000, "{} bytes of refusal", e.len());
            assert_italian(&e);
            if !lying {
                assert!(e.contains("zip bomb"), "{e}");
            }
            // Generous (a debug build on a shared machine); the release figure is in BENCHMARKS.md.
            assert!(took < Duration::from_secs(20), "{took:?}");
        }
        assert_eq!(w.db_bytes(), before);
    }
}

#[test]
fn a_csv_record_that_never_ends_is_refused() {
    let w = World::demo();
    // /dev/zero under a .csv name: a device, refused unread.
    let zero = w.path("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let (out, _) = w.run_capped(UNITS, &["units", "import", s(&zero)]);
    expect_code(&out, 4, &["/dev/zero"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("dispositivo"));
    // The same zeros through a pipe: refused when the record passes its limit.
    let fifo = w.path("flusso.csv");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
                return;
            };
            let zeros = vec![0u8; 1 << 16];
            // Until the reader goes (or 2 GiB: then the reader is the one at fault).
            for _ in 0..(2u64 << 30) / zeros.len() as u64 {
                if f.write_all(&zeros).is_err() {
                    return;
                }
            }
        })
    };
    let (out, took) = w.run_capped(UNITS, &["units", "import", s(&fifo)]);
    expect_code(&out, 4, &["fifo of zeros"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("riga 1: "), "{e}");
    assert!(e.contains("più lung"), "{e}");
    assert!(e.len() < 1_000, "{} bytes", e.len());
    assert_terminal_safe(e.as_bytes());
    assert!(took < Duration::from_secs(20), "{took:?}");
    writer.join().unwrap();
}

#[test]
fn huge_headers_rows_and_cells_get_short_refusals() {
    let w = World::demo();
    let before = w.db_bytes();
    let rows = unit_rows();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // A 1 MB header.
    let mut big_header = rows.clone();
    big_header[0][3] = "X".repeat(1 << 20);
    cases.push(("intestazione.csv", csv_of(&big_header[..2], "\n")));
    // A 10 KB cell, in CSV and in Excel.
    let mut big_cell = rows.clone();
    let address = column(&rows[0], "Indirizzo");
    big_cell[1][address] = "Via ".to_string() + &"\u{1b}[2J".repeat(2_500);
    cases.push(("cella.csv", csv_of(&big_cell[..2], "\n")));
    cases.push(("cella.xlsx", xlsx_of(&big_cell[..2])));
    // 300 columns.
    let mut wide = rows.clone();
    for r in &mut wide[..2] {
        r.extend((0..300).map(|i| format!("c{i}")));
    }
    cases.push(("larga.csv", csv_of(&wide[..2], "\n")));
    cases.push(("larga.xlsx", xlsx_of(&wide[..2])));
    for (name, data) in cases {
        let file = w.path(name);
        write_file(&file, &data);
        let (out, _) = w.run_capped(UNITS, &["units", "import", s(&file)]);
        expect_code(&out, 4, &[name]);
        assert!(
            out.stderr.len() < 2_000,
            "{name}: {} bytes of refusal",
            out.stderr.len()
        );
        assert_terminal_safe(&out.stderr);
        assert_italian(&String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(w.db_bytes(), before);
}

#[test]
fn rule_set_keymap_and_theme_files_are_bounded() {
    let w = World::demo();
    let (out, took) = w.run_capped("regione", &["rules", "check", "/dev/zero"]);
    expect_code(&out, 4, &["rules check /dev/zero"]);
    assert!(took < Duration::from_secs(20));
    let big = w.path("regole.toml");
    let mut text = include_str!("../rules/rr-2-2025.toml").to_string();
    text.push('#');
    text.push_str(&"x".repeat(2 << 20));
    write_file(&big, text.as_bytes());
    let (out, _) = w.run_capped("regione", &["rules", "check", s(&big)]);
    expect_code(&out, 4, &["rules check big"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("troppo grande"));
    // The what-if of the assignments reads a rule-set file too.
    let what_if = |file: &str| {
        w.run_capped(
            "regione",
            &[
                "assignments",
                "what-if",
                "--owner",
                "015146",
                "--comune",
                "015146",
                "--rules-file",
                file,
            ],
        )
    };
    let (out, took) = what_if("/dev/zero");
    expect_code(&out, 4, &["assignments what-if /dev/zero"]);
    assert!(took < Duration::from_secs(20));
    let (out, _) = what_if(s(&big));
    expect_code(&out, 4, &["assignments what-if big"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("troppo grande"));
    let config = w.home.join("config/casa");
    std::fs::create_dir_all(config.join("themes")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", config.join("keymap.toml")).unwrap();
    let (out, _) = w.run_capped("regione", &["check-config"]);
    expect_code(&out, 4, &["keymap /dev/zero"]);
    std::fs::remove_file(config.join("keymap.toml")).unwrap();
    write_file(&config.join("keymap.toml"), &vec![b'#'; 1 << 20]);
    let (out, _) = w.run_capped("regione", &["check-config"]);
    expect_code(&out, 4, &["keymap big"]);
    std::fs::remove_file(config.join("keymap.toml")).unwrap();
    write_file(&config.join("themes/grande.toml"), &vec![b'#'; 1 << 20]);
    let (out, _) = w.run_capped("regione", &["--theme", "grande", "check-config"]);
    expect_code(&out, 4, &["theme big"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("troppo grande"));
}

#[test]
fn demo_arguments_are_bounded_and_an_interrupted_demo_keeps_the_old_database() {
    let w = World::demo();
    let before = w.db_bytes();
    for args in [
        ["demo", "--applications", "99999999999"],
        ["demo", "--units", "18446744073709551615"],
    ] {
        let (out, _) = w.run_capped("regione", &args);
        expect_code(&out, 2, &args);
        assert_italian(&String::from_utf8_lossy(&out.stderr));
        assert_eq!(w.db_bytes(), before);
    }
    // Killed while building the new database (deterministically, just before it would
    // replace the old one): the old one is untouched and no temporary file is left.
    let mut child = w
        .command(
            Some("regione"),
            &["demo", "--units", "500", "--applications", "30"],
        )
        .env("CASA_CRASH_POINT", "demo.before-swap")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reached = wait_for_crash_point(&mut child, "demo.before-swap");
    let _ = child.kill();
    let _ = child.wait();
    assert!(reached, "the demo never reached its kill point");
    assert_eq!(
        w.db_bytes(),
        before,
        "the interrupted demo changed the database"
    );
}

/// Reads the child's stderr until `crash-point NAME` (true) or its end (false), at most 60 s.
fn wait_for_crash_point(child: &mut std::process::Child, name: &str) -> bool {
    let mut err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let wanted = format!("crash-point {name}");
    std::thread::spawn(move || {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        loop {
            match err.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(false);
                    return;
                }
                Ok(n) => {
                    seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if seen.contains(&wanted) {
                        let _ = tx.send(true);
                        return;
                    }
                }
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60)).unwrap_or(false)
}

#[test]
fn long_filter_text_is_refused_at_once() {
    let w = World::demo();
    let long = "via ".repeat(10_000);
    for option in ["--testo", "--comune", "--owner", "--fabbricato"] {
        let (out, took) = w.run_capped(UNITS, &["units", "search", option, &long]);
        expect_code(&out, 4, &[option]);
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("troppo lungo"), "{option}: {e}");
        assert!(e.len() < 500, "{option}: {} bytes", e.len());
        assert!(took < Duration::from_secs(5), "{option}: {took:?}");
    }
}

// -------------------------------------------------------------------------------------------
// Spreadsheets and terminals

/// Values a spreadsheet would run (OWASP's list of first characters).
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://x\",\"clic\")",
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
];

fn assert_no_formula_cells(name: &str, text: &[u8], delimiter: u8) {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut cells = 0;
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            cells += 1;
            let numeric = cell.trim_start_matches(['-', '+']).replace([',', '.'], "");
            let plain_number = !numeric.is_empty() && numeric.bytes().all(|b| b.is_ascii_digit());
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']) || plain_number,
                "{name}: a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    assert!(cells > 0, "{name}: empty");
}

#[test]
fn csv_for_spreadsheets_never_carries_a_formula() {
    let w = World::demo();
    // Units imported with formulas in their text (they are valid text to the importer).
    let mut rows = unit_rows();
    let h = rows[0].clone();
    for (i, f) in FORMULAS.iter().enumerate().take(4) {
        let r = &mut rows[1 + i];
        r[column(&h, "Indirizzo")] = (*f).to_string();
        r[column(&h, "Quartiere/Zona/Località/Frazione")] = (*f).to_string();
        r[column(&h, "Stato")] = "LIBERO".into();
    }
    let file = w.path("formule.csv");
    write_file(&file, &csv_of(&rows[..5], "\n"));
    w.ok(UNITS, &["units", "import", s(&file)]);
    // Names and codes in the rankings, as any earlier import may have left them.
    w.sql(&format!(
        "UPDATE application SET code = '{}' WHERE id = (SELECT min(application_id) FROM ranking_entry);
         UPDATE owner SET name = '{}' WHERE id IN (SELECT owner_id FROM ranking);",
        FORMULAS[1].replace('\'', "''"),
        FORMULAS[4].replace('\'', "''")
    ));
    let (notice, capofila) = w.notice();
    let csv_out = w.path("elenchi.csv");
    w.ok(UNITS, &["units", "export", "--out", s(&csv_out)]);
    assert_no_formula_cells("units export", &std::fs::read(&csv_out).unwrap(), b',');
    let out = w.ok(UNITS, &["units", "search", "--format", "csv"]);
    assert!(out.contains("HYPERLINK"), "{out}");
    assert_no_formula_cells("units search", out.as_bytes(), b',');
    let out = w.ok(
        &capofila,
        &["rankings", "show", "--notice", &notice, "--format", "csv"],
    );
    assert!(out.contains("cmd|"), "{out}");
    assert_no_formula_cells("rankings show", out.as_bytes(), b',');
    // The import's report: every bad value as it was typed.
    let mut bad = unit_rows();
    for (i, f) in FORMULAS.iter().enumerate() {
        bad[1 + i][column(&h, "Stato")] = (*f).to_string();
    }
    let file = w.path("errate.csv");
    write_file(&file, &csv_of(&bad[..7], "\n"));
    let report = w.path("rapporto.csv");
    w.fails(
        4,
        UNITS,
        &["units", "import", s(&file), "--report", s(&report)],
    );
    let text = std::fs::read(&report).unwrap();
    assert!(String::from_utf8_lossy(&text).contains("HYPERLINK"));
    assert_no_formula_cells("import report", &text, b';');
}

/// Every cell of every sheet of a workbook: no formula, and the formula texts are there as
/// plain strings.
fn assert_xlsx_has_no_formula(name: &str, path: &Path, expect_text: &str) {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut found = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        if part.name().unwrap().starts_with("xl/worksheets/") {
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{name}: a formula cell"
            );
        }
        let escaped = expect_text.replace('&', "&amp;").replace('"', "&quot;");
        found |= xml.contains(expect_text) || xml.contains(&escaped);
    }
    assert!(found, "{name}: {expect_text:?} not in the workbook");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}/{sheet}: formulas"
        );
    }
}

#[test]
fn xlsx_writers_store_formula_text_as_text() {
    let w = World::demo();
    let mut rows = unit_rows();
    let h = rows[0].clone();
    rows[1][column(&h, "Indirizzo")] = FORMULAS[0].into();
    rows[1][column(&h, "Stato")] = "LIBERO".into();
    let file = w.path("formule.csv");
    write_file(&file, &csv_of(&rows[..2], "\n"));
    w.ok(UNITS, &["units", "import", s(&file)]);
    w.sql(&format!(
        "UPDATE application SET code = '{}' WHERE id = (SELECT min(application_id) FROM ranking_entry);",
        FORMULAS[1].replace('\'', "''")
    ));
    let (notice, capofila) = w.notice();
    let out = w.path("elenchi.xlsx");
    w.ok(UNITS, &["units", "export", "--out", s(&out)]);
    assert_xlsx_has_no_formula("units export", &out, "HYPERLINK");
    for internal in [false, true] {
        let out = w.path(if internal { "int.xlsx" } else { "pub.xlsx" });
        let mut a = vec!["rankings", "export", "--notice", &notice, "--out", s(&out)];
        if internal {
            a.push("--internal");
        }
        w.ok(&capofila, &a);
        assert_xlsx_has_no_formula("rankings export", &out, "cmd|");
    }
}

#[test]
fn terminal_escapes_in_data_are_never_printed() {
    let w = World::demo();
    // As older data, or another program, may have stored them.
    w.sql(
        "UPDATE notice SET title = 'Avviso' || char(27) || ']0;PWNED' || char(7) || char(27) || '[2J';
         UPDATE operator SET surname = 'Rossi' || char(27) || '[31m', name = 'Anna' || char(155) || '2J'
          WHERE username = 'regione';
         UPDATE owner SET name = 'Comune' || char(27) || '[8m' WHERE istat_code = '015146';",
    );
    let (notice, capofila) = w.notice();
    for (op, args) in [
        ("regione", vec!["notice", "list"]),
        ("regione", vec!["notice", "list", "--format", "csv"]),
        ("regione", vec!["notice", "show", notice.as_str()]),
        ("regione", vec!["operators", "list"]),
        ("regione", vec!["operators", "list", "--format", "csv"]),
        ("regione", vec!["owners", "list"]),
        (UNITS, vec!["units", "search", "--limit", "3"]),
        (
            capofila.as_str(),
            vec!["rankings", "show", "--notice", notice.as_str()],
        ),
        ("regione", vec!["assignments", "ledger"]),
        (
            "regione",
            vec![
                "assignments",
                "ledger",
                "--owner",
                "015146",
                "--comune",
                "015146",
            ],
        ),
        (
            "regione",
            vec![
                "assignments",
                "what-if",
                "--owner",
                "015146",
                "--comune",
                "015146",
                "--indigenti-pct",
                "10",
            ],
        ),
    ] {
        let out = w.run(op, &args);
        expect_code(&out, 0, &args);
        assert_terminal_safe(&out.stdout);
        assert_terminal_safe(&out.stderr);
    }
    // Import refusals quote the file.
    let mut rows = unit_rows();
    let h = rows[0].clone();
    rows[1][column(&h, "Stato")] = "\u{1b}]0;PWNED\u{7}\u{1b}[2J".into();
    rows[1][column(&h, "Indirizzo")] = "Via\u{1b}[31m Roma".into();
    let file = w.path("escape.csv");
    write_file(&file, &csv_of(&rows[..2], "\n"));
    let out = w.run(UNITS, &["units", "import", s(&file)]);
    expect_code(&out, 4, &["import"]);
    assert_terminal_safe(&out.stderr);
    // Error messages quote the command line.
    let out = w.run("\u{1b}]0;PWNED\u{7}", &["units", "count"]);
    assert_ne!(out.status.code(), Some(0));
    assert_terminal_safe(&out.stderr);
}

#[test]
fn control_characters_are_refused_in_names_and_titles() {
    let w = World::demo();
    let audit = w.count("SELECT count(*) FROM audit");
    let e = w.fails(
        4,
        "regione",
        &[
            "operators",
            "add",
            "anna.x",
            "--role",
            "regione",
            "--surname",
            "Rossi\u{1b}[31m",
            "--name",
            "Anna",
            "--tax-code",
            "RSSMRA70A41H501W",
            "--email",
            "a@example.it",
        ],
    );
    assert!(e.contains("cognome"), "{e}");
    assert_terminal_safe(e.as_bytes());
    let day = |o: i64| (chrono::Local::now().date_naive() + chrono::Duration::days(o)).to_string();
    let e = w.fails(
        4,
        "capofila.bg-seriate",
        &[
            "notice",
            "create",
            "--district",
            "BG-SERIATE",
            "--title",
            "Avviso\u{1b}]0;PWNED\u{7}",
            "--opens",
            &day(1),
            "--closes",
            &day(60),
        ],
    );
    assert!(e.contains("titolo"), "{e}");
    assert_eq!(
        w.count("SELECT count(*) FROM audit"),
        audit,
        "something was stored"
    );
}

// -------------------------------------------------------------------------------------------
// Databases and arguments

#[test]
fn only_init_and_demo_create_a_database() {
    let w = World::empty();
    let missing = w.path("manca/casa.sqlite");
    for args in [
        vec!["operators", "disable", "x"],
        vec!["units", "mark", "--year", "2026"],
        vec!["certification", "certify"],
    ] {
        let out = Command::new(bin())
            .arg("--db")
            .arg(&missing)
            .args(["--operator", "regione"])
            .args(&args)
            .current_dir(w.dir.path())
            .env("HOME", &w.home)
            .env("XDG_DATA_HOME", w.home.join("data"))
            .env("XDG_CONFIG_HOME", w.home.join("config"))
            .output()
            .unwrap();
        expect_code(&out, 4, &args);
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("manca/casa.sqlite"), "{e}");
        assert_italian(&e);
        assert!(!w.path("manca").exists(), "{args:?} created a directory");
    }
    std::fs::write(&w.db, b"").unwrap();
    let e = w.fails(4, "regione", &["operators", "disable", "x"]);
    assert!(e.contains("vuoto"), "{e}");
    assert_eq!(std::fs::metadata(&w.db).unwrap().len(), 0);
    // init may.
    let out = w.command(None, &["init"]).output().unwrap();
    expect_code(&out, 0, &["init"]);
    assert!(std::fs::metadata(&w.db).unwrap().len() > 0);
}

#[test]
fn a_database_path_is_a_path_not_a_uri() {
    let w = World::empty();
    for uri in [
        "file:zz/q.sqlite?immutable=1",
        "file:casa.sqlite?mode=memory",
    ] {
        let out = Command::new(bin())
            .args([
                "--db",
                uri,
                "--operator",
                "regione",
                "operators",
                "disable",
                "x",
            ])
            .current_dir(w.dir.path())
            .env("HOME", &w.home)
            .env("XDG_DATA_HOME", w.home.join("data"))
            .env("XDG_CONFIG_HOME", w.home.join("config"))
            .output()
            .unwrap();
        expect_code(&out, 4, &[uri]);
        assert_eq!(names_in(w.dir.path()), ["home"], "{uri} left files behind");
    }
    // init on such a name makes exactly that file, nothing else.
    let out = Command::new(bin())
        .args(["--db", "file:x.sqlite", "init"])
        .current_dir(w.dir.path())
        .env("HOME", &w.home)
        .env("XDG_DATA_HOME", w.home.join("data"))
        .env("XDG_CONFIG_HOME", w.home.join("config"))
        .output()
        .unwrap();
    expect_code(&out, 0, &["init file:x.sqlite"]);
    assert!(w.path("file:x.sqlite").exists());
    assert!(!w.path("x.sqlite").exists());
}

#[test]
fn restore_checks_the_whole_schema_and_is_audited() {
    let w = World::demo();
    let before = w.db_bytes();
    // A shell: casa's identity and schema number, no tables.
    let shell = w.path("guscio.sqlite");
    {
        let c = rusqlite::Connection::open(&shell).unwrap();
        c.pragma_update(None, "application_id", 0x4341_5341)
            .unwrap();
        c.pragma_update(None, "user_version", 5).unwrap();
    }
    let e = w.fails(4, "regione", &["db", "restore", s(&shell)]);
    assert!(e.contains("manca la tabella"), "{e}");
    assert_eq!(w.db_bytes(), before);
    let out = w.run("regione", &["db", "check", s(&shell)]);
    expect_code(&out, 1, &["db check shell"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("manca la tabella"));
    // A real backup with a trigger of its own: it would run on the live database.
    let copy = w.path("copia.sqlite");
    w.ok("regione", &["db", "backup", s(&copy)]);
    rusqlite::Connection::open(&copy)
        .unwrap()
        .execute_batch("CREATE TRIGGER furbo AFTER INSERT ON audit BEGIN DELETE FROM audit; END;")
        .unwrap();
    let e = w.fails(4, "regione", &["db", "restore", s(&copy)]);
    assert!(e.contains("furbo"), "{e}");
    // A good backup is restored, and the restore is in the audit of the restored database.
    std::fs::remove_file(&copy).unwrap();
    w.ok("regione", &["db", "backup", s(&copy)]);
    w.ok("regione", &["db", "restore", s(&copy)]);
    assert_eq!(
        w.count("SELECT count(*) FROM audit WHERE action = 'database.ripristina'"),
        1
    );
    let left: Vec<String> = names_in(w.dir.path())
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn a_negative_schema_version_is_refused() {
    let w = World::demo();
    rusqlite::Connection::open(&w.db)
        .unwrap()
        .pragma_update(None, "user_version", -1)
        .unwrap();
    let before = w.db_bytes();
    let out = w.run("regione", &["operators", "list"]);
    assert_ne!(out.status.code(), Some(0));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("non valida"), "{e}");
    let out = w.command(None, &["init"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(w.db_bytes(), before);
    let v: i64 = rusqlite::Connection::open(&w.db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, -1);
}

#[test]
fn communication_counts_are_bounded() {
    let w = World::demo();
    let day = |o: i64| (chrono::Local::now().date_naive() + chrono::Duration::days(o)).to_string();
    let v = w.ok(
        "capofila.bg-seriate",
        &[
            "plan",
            "create",
            "--district",
            "BG-SERIATE",
            "--year",
            "2027",
            "--start",
            &day(-5),
            "--end",
            &day(20),
            "--format",
            "json",
        ],
    );
    let id = serde_json::from_str::<serde_json::Value>(&v).unwrap()["id"].to_string();
    w.ok("capofila.bg-seriate", &["plan", "open", &id]);
    w.ok("comune.016198", &["certification", "certify"]);
    let max = i64::MAX.to_string();
    let e = w.fails(
        4,
        "comune.016198",
        &[
            "comm",
            "file",
            "--plan",
            &id,
            "--carenze",
            &max,
            "--nuove",
            &max,
            "--turnover",
            "0",
            "--privati",
            "0",
            "--sat",
            "0",
            "--assegnate",
            "0",
        ],
    );
    assert!(e.contains("troppo grande"), "{e}");
    assert_italian(&e);
}

#[test]
fn short_years_and_absurd_dates_are_refused() {
    let w = World::demo();
    for (start, end, why) in [
        ("01/05/28", "30/06/2028", "4 cifre"),
        ("2027-09-01", "28-10-31", "4 cifre"),
        ("2027-09-01", "31/12/9999", "fuori"),
        ("2027-09-01", "31/12/2099", "fuori"),
        ("2018-09-01", "31/10/2027", "fuori"),
    ] {
        let e = w.fails(
            4,
            "capofila.bg-seriate",
            &[
                "plan",
                "create",
                "--district",
                "BG-SERIATE",
                "--year",
                "2028",
                "--start",
                start,
                "--end",
                end,
            ],
        );
        assert!(e.contains(why), "{start} {end}: {e}");
    }
    assert_eq!(w.count("SELECT count(*) FROM plan"), 0);
}

#[test]
fn blank_filters_never_mean_everything() {
    let w = World::demo();
    let audit = w.count("SELECT count(*) FROM audit");
    for args in [
        vec!["units", "mark", "--year", "2027", "--comune", ""],
        vec!["units", "mark", "--year", "2027", "--testo", "   "],
        vec!["units", "mark", "--year", "2027", "--owner", " "],
        vec!["units", "mark", "--year", "2027", "--stato", ""],
    ] {
        // An operator who may mark its units: a blank filter would mark every one of them.
        let e = w.fails(4, UNITS, &args);
        assert!(e.contains("vuoto"), "{args:?}: {e}");
    }
    assert_eq!(w.count("SELECT count(*) FROM audit"), audit);
    assert_eq!(
        w.count("SELECT count(*) FROM unit WHERE plan_year IS NOT NULL"),
        0
    );
}

#[test]
fn usage_errors_and_help_are_italian() {
    let w = World::demo();
    for args in [
        vec!["units", "search", "-1"],
        vec!["units", "searh"],
        vec!["units", "search", "--limit", "molti"],
        vec!["units", "search", "--format", "pdf"],
        vec!["demo", "--units", "-5"],
        vec!["plan", "create"],
        vec![],
    ] {
        let out = w.run("regione", &args);
        if args.is_empty() {
            // No terminal: the screen cannot start.
            expect_code(&out, 4, &args);
        } else {
            expect_code(&out, 2, &args);
        }
        assert_italian(&String::from_utf8_lossy(&out.stderr));
    }
    // Bytes that are not UTF-8 in a text argument.
    use std::os::unix::ffi::OsStrExt;
    let out = w
        .command(None, &[])
        .arg("--operator")
        .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
        .args(["units", "count"])
        .output()
        .unwrap();
    expect_code(&out, 2, &["invalid utf-8"]);
    assert_italian(&String::from_utf8_lossy(&out.stderr));
    let help = w.ok("regione", &["units", "export", "--help"]);
    assert!(help.contains("Uso:") && help.contains("Opzioni:"), "{help}");
    assert_italian(&help);
}

#[test]
fn unknown_districts_owners_and_operators_are_invalid_input() {
    let w = World::demo();
    for (op, args) in [
        (
            "capofila.bg-seriate",
            vec![
                "plan",
                "create",
                "--district",
                "NESSUNO",
                "--year",
                "2027",
                "--start",
                "2026-09-01",
                "--end",
                "2026-10-31",
            ],
        ),
        ("regione", vec!["plan", "list", "--district", "NESSUNO"]),
        ("regione", vec!["notice", "list", "--district", "NESSUNO"]),
        (
            "regione",
            vec!["certification", "show", "--owner", "NESSUNO"],
        ),
        ("regione", vec!["units", "search", "--owner", "NESSUNO"]),
        ("regione", vec!["operators", "disable", "nessuno"]),
        ("regione", vec!["operators", "enable", "nessuno"]),
    ] {
        let e = w.fails(4, op, &args);
        assert!(e.contains("non trovat"), "{args:?}: {e}");
    }
}

#[test]
fn import_lines_are_the_editors_lines() {
    let w = World::demo();
    let rows = unit_rows();
    let state = column(&rows[0], "Stato");
    let address = column(&rows[0], "Indirizzo");
    // Line 1 header, lines 2-3 good, line 4 bad.
    let mut bad = rows[..4].to_vec();
    bad[3][state] = "BOH".into();
    for (name, data) in [
        ("lf.csv", csv_of(&bad, "\n")),
        ("crlf.csv", csv_of(&bad, "\r\n")),
        (
            "cr.csv",
            csv_of(&bad, "\n")
                .iter()
                .map(|&b| if b == b'\n' { b'\r' } else { b })
                .collect(),
        ),
        ("riga4.xlsx", xlsx_of(&bad)),
    ] {
        let file = w.path(name);
        write_file(&file, &data);
        let e = w.fails(4, UNITS, &["units", "import", s(&file)]);
        assert!(e.contains("riga 4,"), "{name}: {e}");
        assert!(!e.contains("riga 3,"), "{name}: {e}");
    }
    // A quoted cell over two lines moves the next lines down, as in an editor.
    let mut multi = rows[..4].to_vec();
    multi[1][address] = "Via\nPadova".into();
    multi[3][state] = "BOH".into();
    let file = w.path("multi.csv");
    write_file(&file, &csv_of(&multi, "\r\n"));
    let e = w.fails(4, UNITS, &["units", "import", s(&file)]);
    assert!(e.contains("riga 5,"), "{e}");
    // Applications too.
    let (notice, capofila) = w.notice();
    let apps = include_str!("../fuzz/seeds/application_csv/a.csv");
    let mut lines: Vec<String> = apps.lines().map(String::from).collect();
    assert_eq!(lines.len(), 3);
    let isee = lines[0].split(';').position(|h| h == "ISEE").unwrap();
    // Line 4: another application, with an ISEE that is not an amount.
    let mut cells: Vec<String> = lines[1].split(';').map(String::from).collect();
    cells[0] = "P-2".into();
    cells[isee] = "molto".into();
    lines.push(cells.join(";"));
    let file = w.path("domande.csv");
    write_file(&file, (lines.join("\r\n") + "\r\n").as_bytes());
    let e = w.fails(
        4,
        &capofila,
        &[
            "applications",
            "import",
            s(&file),
            "--notice",
            &notice,
            "--dry-run",
        ],
    );
    assert!(e.contains("riga 4"), "{e}");
    assert!(!e.contains("riga 3,"), "{e}");
}

/// Writes the hostile files of this suite to `$CASA_HOSTILE_OUT` for the measurements in
/// BENCHMARKS.md (`scripts/bench-hostile.sh` runs it): not part of the suite.
#[test]
#[ignore]
fn generate_hostile_files() {
    let Some(out) = std::env::var_os("CASA_HOSTILE_OUT").map(PathBuf::from) else {
        panic!("set CASA_HOSTILE_OUT to a directory");
    };
    std::fs::create_dir_all(&out).unwrap();
    write_file(&out.join("bomba-3gib.xlsx"), &zip_bomb(3 * 1024, false));
    write_file(&out.join("bomba-bugiarda.xlsx"), &zip_bomb(3 * 1024, true));
    let mut rows = unit_rows();
    rows[0][3] = "X".repeat(1 << 20);
    write_file(&out.join("intestazione-1mb.csv"), &csv_of(&rows[..2], "\n"));
}
