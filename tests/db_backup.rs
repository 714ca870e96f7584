//! `casa db backup|restore|check` through the real binary: a backup taken while two writer
//! processes keep committing is consistent; restore refuses files it must not use and leaves
//! the database byte-identical; a good restore brings the earlier data back and keeps a safety
//! copy; check finds a foreign-key violation.

#[path = "support/write_loop.rs"]
mod support_write_loop;

use casa::store::{Access, Store};
use rusqlite::Connection;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

struct Env {
    dir: TempDir,
    db: PathBuf,
}

fn base(dir: &Path, db: &Path, operator: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casa"));
    c.arg("--db")
        .arg(db)
        .args(["--operator", operator])
        .env_remove("CASA_DB")
        .env_remove("CASA_OPERATOR")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
    c
}

/// A demo database of 3,000 units, no applications.
fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("casa.sqlite");
    let e = Env { dir, db };
    let out = e.casa(
        "regione",
        &["demo", "--units", "3000", "--applications", "0"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    e
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Env {
    fn cmd(&self, operator: &str, args: &[&str]) -> Command {
        let mut c = base(self.dir.path(), &self.db, operator);
        c.args(args);
        c
    }

    fn casa(&self, operator: &str, args: &[&str]) -> Output {
        self.cmd(operator, args).output().unwrap()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn count(&self, path: &Path, sql: &str) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    /// A writer process certifying over and over; counts the acknowledged writes.
    fn writer(&self) -> (Child, Arc<AtomicU64>) {
        let mut child = support_write_loop::command(&self.db, "regione", 10_000_000)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let acks = Arc::new(AtomicU64::new(0));
        let out = child.stdout.take().unwrap();
        let counter = acks.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else {
                    break;
                };
                if support_write_loop::acknowledged(&line).is_some() {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        (child, acks)
    }
}

fn file_hash(path: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    std::fs::read(path).unwrap().hash(&mut h);
    h.finish()
}

/// Waits until the writer has acknowledged `n` writes; fails if it stops first.
fn wait_for(writer: &mut Child, acks: &AtomicU64, n: u64) {
    while acks.load(Ordering::SeqCst) < n {
        if let Some(status) = writer.try_wait().unwrap() {
            panic!(
                "the writer stopped ({status}) after {} writes",
                acks.load(Ordering::SeqCst)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn integrity_ok(path: &Path) {
    let conn = Connection::open(path).unwrap();
    let r: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(r, "ok", "{}", path.display());
}

const AUDIT: &str = "SELECT count(*) FROM audit";
const CERTS: &str = "SELECT count(*) FROM certification";

#[test]
fn backup_while_two_writers_commit_is_consistent_and_restore_works_under_load() {
    let e = env();
    let (mut w1, a1) = e.writer();
    let (mut w2, a2) = e.writer();
    wait_for(&mut w1, &a1, 20);
    wait_for(&mut w2, &a2, 20);
    let before = e.count(&e.db, AUDIT);
    let copy = e.path("copia.sqlite");
    let out = e.casa("regione", &["db", "backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = e.count(&e.db, AUDIT);
    assert!(
        stdout(&out).contains("alloggi:        3000"),
        "{}",
        stdout(&out)
    );
    // The writers kept going after the backup.
    let (n1, n2) = (a1.load(Ordering::SeqCst), a2.load(Ordering::SeqCst));
    wait_for(&mut w1, &a1, n1 + 5);
    wait_for(&mut w2, &a2, n2 + 5);

    integrity_ok(&copy);
    let copied = e.count(&copy, AUDIT);
    assert!(
        before <= copied && copied <= after,
        "audit records: before {before}, copy {copied}, after {after}"
    );
    // A consistent snapshot: every certification has its audit record.
    assert_eq!(
        e.count(&copy, CERTS),
        e.count(
            &copy,
            "SELECT count(*) FROM audit WHERE action = 'certificazione.certifica'"
        )
    );
    drop(Store::open(&copy, Access::ReadOnly).expect("the copy opens"));
    // One file, no temporary left behind.
    let names: Vec<String> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("copia.sqlite-") || n.contains(".tmp-")),
        "{names:?}"
    );

    // Restore the copy while the writers are still committing.
    let out = e.casa("regione", &["db", "restore", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The writers go on committing into the restored database.
    let (n1, n2) = (a1.load(Ordering::SeqCst), a2.load(Ordering::SeqCst));
    wait_for(&mut w1, &a1, n1 + 5);
    wait_for(&mut w2, &a2, n2 + 5);
    for w in [&mut w1, &mut w2] {
        let _ = w.kill();
        let _ = w.wait();
    }
    integrity_ok(&e.db);
    assert_eq!(
        e.count(
            &e.db,
            "SELECT count(*) FROM audit WHERE action = 'database.ripristina'"
        ),
        1
    );
    assert!(e.count(&e.db, CERTS) >= e.count(&copy, CERTS));
    let safety: Vec<PathBuf> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .contains(".prima-del-ripristino-")
        })
        .collect();
    assert_eq!(safety.len(), 1, "{safety:?}");
    integrity_ok(&safety[0]);
    assert!(e.count(&safety[0], AUDIT) >= after);
}

#[test]
fn backup_refuses_to_overwrite_without_force() {
    let e = env();
    let copy = e.path("copia.sqlite");
    std::fs::write(&copy, "da non perdere").unwrap();
    let out = e.casa("regione", &["db", "backup", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("esiste già"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "da non perdere");
    let out = e.casa(
        "regione",
        &["db", "backup", "--force", copy.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    integrity_ok(&copy);
}

#[test]
fn restore_refuses_unusable_files_and_touches_nothing() {
    let e = env();
    let copy = e.path("copia.sqlite");
    assert!(
        e.casa("regione", &["db", "backup", copy.to_str().unwrap()])
            .status
            .success()
    );
    let foreign = e.path("altro.sqlite");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES (1);")
        .unwrap();
    let text = e.path("note.txt");
    std::fs::write(
        &text,
        "Questo è un file di testo, non un database.\n".repeat(50),
    )
    .unwrap();
    let newer = e.path("futuro.sqlite");
    std::fs::copy(&copy, &newer).unwrap();
    {
        let c = Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", casa::store::schema_version() + 1)
            .unwrap();
    }
    // A casa database whose pages past the first are damaged.
    let damaged = e.path("danneggiato.sqlite");
    std::fs::copy(&copy, &damaged).unwrap();
    {
        let mut bytes = std::fs::read(&damaged).unwrap();
        let len = bytes.len();
        for (i, b) in bytes[len / 3..len / 3 + 64 * 1024].iter_mut().enumerate() {
            *b = (i * 7 + 13) as u8;
        }
        std::fs::write(&damaged, bytes).unwrap();
    }
    let original = file_hash(&e.db);
    let cases = [
        (&damaged, "danneggiato"),
        (&foreign, "non è un database di casa"),
        (&text, "non è un database SQLite"),
        (&newer, "versione più recente"),
        (&e.path("manca.sqlite"), "manca.sqlite"),
    ];
    for (file, message) in cases {
        let out = e.casa("regione", &["db", "restore", file.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{}: {}",
            file.display(),
            stderr(&out)
        );
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert_eq!(file_hash(&e.db), original, "{}", file.display());
    }
    // Only the Regione restores.
    let out = e.casa("comune.015146", &["db", "restore", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = e.casa("helpdesk", &["db", "restore", copy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(file_hash(&e.db), original);
    // No safety copy was made for a refused restore.
    assert!(!std::fs::read_dir(e.dir.path()).unwrap().any(|d| {
        d.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("prima-del-ripristino")
    }));
}

#[test]
fn restore_brings_back_earlier_data_and_keeps_a_safety_copy() {
    let e = env();
    let copy = e.path("copia.sqlite");
    assert!(
        e.casa("regione", &["db", "backup", copy.to_str().unwrap()])
            .status
            .success()
    );
    let certs_then = e.count(&e.db, CERTS);
    let out = support_write_loop::command(&e.db, "regione", 7)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let acks = stdout(&out)
        .lines()
        .filter_map(support_write_loop::acknowledged)
        .count();
    assert_eq!(acks, 7);
    assert_eq!(e.count(&e.db, CERTS), certs_then + 7);

    let out = e.casa("regione", &["db", "restore", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ripristinato da"), "{text}");
    assert_eq!(e.count(&e.db, CERTS), certs_then);
    integrity_ok(&e.db);
    // The restore is audited, in the restored database.
    let conn = Connection::open(&e.db).unwrap();
    let (operator, after): (String, String) = conn
        .query_row(
            "SELECT operator, after FROM audit WHERE action = 'database.ripristina'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(operator, "regione");
    assert!(after.contains("copia.sqlite"), "{after}");
    // The safety copy holds the data as it was before the restore.
    let safety: Vec<PathBuf> = std::fs::read_dir(e.dir.path())
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("casa.sqlite.prima-del-ripristino-") && n.ends_with(".sqlite")
        })
        .collect();
    assert_eq!(safety.len(), 1, "{text}");
    assert!(text.contains(&*safety[0].to_string_lossy()), "{text}");
    assert_eq!(e.count(&safety[0], CERTS), certs_then + 7);
    // The database is a working casa database again.
    let out = e.casa("regione", &["db", "check"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn check_reports_foreign_key_violations() {
    let e = env();
    let out = e.casa("regione", &["db", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("Nessun problema"), "{}", stdout(&out));

    let orphan: i64 = {
        let c = Connection::open(&e.db).unwrap();
        c.pragma_update(None, "foreign_keys", false).unwrap();
        c.execute(
            "INSERT INTO certification
                 (owner_id, kind, at, operator, buildings, units, households, tenants, sap, sas, other)
             VALUES (987654, 'CERTIFICA', '2026-01-01T00:00:00Z', 'x', 0, 0, 0, 0, 0, 0, 0)",
            [],
        )
        .unwrap();
        c.last_insert_rowid()
    };
    let out = e.casa("regione", &["db", "check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "tabella certification, riga {orphan}: il riferimento a owner non esiste"
        )),
        "{text}"
    );
    let out = e.casa("regione", &["db", "check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["foreign_keys"][0]["table"], "certification");
    assert_eq!(v["foreign_keys"][0]["parent"], "owner");
    assert_eq!(v["foreign_keys"][0]["rowid"], orphan);
    assert_eq!(v["integrity"].as_array().unwrap().len(), 0);

    // A file that is not a casa database: reported, exit 1.
    let foreign = e.path("altro.sqlite");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(a)")
        .unwrap();
    let out = e.casa("regione", &["db", "check", foreign.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("non è un database di casa"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn restore_of_an_older_file_migrates_it() {
    let e = env();
    // A casa database at schema 3 (before the rankings), built from the migration files.
    let old = e.path("vecchio.sqlite");
    {
        let c = Connection::open(&old).unwrap();
        for sql in [
            include_str!("../src/store/migrations/001_registry.sql"),
            include_str!("../src/store/migrations/002_search.sql"),
            include_str!("../src/store/migrations/003_planning.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "application_id", casa::store::APPLICATION_ID)
            .unwrap();
        c.pragma_update(None, "user_version", 3).unwrap();
    }
    let out = e.casa("regione", &["db", "restore", old.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("aggiornato dalla 3"),
        "{}",
        stdout(&out)
    );
    let version = e.count(&e.db, "PRAGMA user_version");
    assert_eq!(version, casa::store::schema_version());
    assert_eq!(e.count(&e.db, "SELECT count(*) FROM unit"), 0);
    integrity_ok(&e.db);
    let out = e.casa("regione", &["db", "check"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn check_reports_a_damaged_file() {
    let e = env();
    let damaged = e.path("danneggiato.sqlite");
    assert!(
        e.casa("regione", &["db", "backup", damaged.to_str().unwrap()])
            .status
            .success()
    );
    let mut bytes = std::fs::read(&damaged).unwrap();
    let len = bytes.len();
    for (i, b) in bytes[len / 3..len / 3 + 64 * 1024].iter_mut().enumerate() {
        *b = (i * 7 + 13) as u8;
    }
    std::fs::write(&damaged, bytes).unwrap();
    let out = e.casa(
        "regione",
        &["db", "check", "--format", "json", damaged.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["integrity"].as_array().unwrap().is_empty(), "{v}");
    let out = e.casa("regione", &["db", "check", damaged.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("- integrità:"), "{}", stdout(&out));
}

#[test]
#[ignore = "the write loop child process of the tests in this file"]
fn write_loop_child() {
    support_write_loop::child()
}
