//! The only code that speaks SQL: opening and migrating the database, queries, the audit log.

pub mod applications;
pub mod assignments;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod certification;
pub mod communications;
pub mod directory;
pub mod districts;
pub mod errors;
pub mod facts;
pub mod keys;
pub mod notices;
pub mod occupations;
pub mod operators;
pub mod owners;
pub mod plan_files;
pub mod plan_marks;
pub mod plans;
pub mod preferences;
pub mod rankings;
pub mod reference;
pub mod registrations;
pub mod registry_search;
pub mod rule_sets;
pub mod search;
pub mod unit_edit;
pub mod units;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Numbered migrations, applied in order; `PRAGMA user_version` holds how many are applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_registry.sql"),
    include_str!("migrations/002_search.sql"),
    include_str!("migrations/003_planning.sql"),
    include_str!("migrations/004_search_covering.sql"),
    include_str!("migrations/005_rankings.sql"),
    include_str!("migrations/006_reference.sql"),
    include_str!("migrations/007_law.sql"),
    include_str!("migrations/008_occupations.sql"),
    include_str!("migrations/009_assignment.sql"),
    include_str!("migrations/010_operators_ssh.sql"),
    include_str!("migrations/011_registry_search.sql"),
];

/// Marks a database as casa's (`PRAGMA application_id`), so that `open` and `restore` can tell
/// a casa database from any other SQLite file. The bytes spell "CASA".
pub const APPLICATION_ID: i32 = 0x4341_5341;

/// The schema objects (type, name, SQL with blanks collapsed) a casa database of `version`
/// holds: the migrations up to it applied to an empty in-memory database. SQLite's own objects
/// (`sqlite_stat1`, …) are left out.
pub fn expected_schema(version: i64) -> Result<Vec<(String, String, String)>> {
    let conn = Connection::open_in_memory()?;
    let upto = usize::try_from(version).unwrap_or(0).min(MIGRATIONS.len());
    for sql in &MIGRATIONS[..upto] {
        conn.execute_batch(sql)?;
    }
    schema_objects(&conn)
}

/// The schema objects of a database, as `expected_schema` lists them.
pub fn schema_objects(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, ifnull(sql, '') FROM sqlite_schema
          WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let sql: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                sql.split_whitespace().collect::<Vec<_>>().join(" "),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Schema version this build writes and understands.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    access: Access,
}

/// How long a connection waits for another process's lock before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(10);

/// Applies the connection settings every casa connection uses.
fn configure(conn: &Connection, access: Access) -> Result<()> {
    conn.busy_timeout(BUSY_WAIT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if access == Access::ReadWrite {
        // WAL lets readers (other operators' screens) run while one operator writes.
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!("journal mode is {mode}, not WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "cache_size", -65536)?; // 64 MiB
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The unit search builds a statement per (filter shape, sort, lane): keep them prepared.
    conn.set_prepared_statement_cache_capacity(256);
    audit::set_origin(conn, "")?;
    Ok(())
}

impl Store {
    /// Opens the existing database at `path`. Refuses, naming the path, a missing file, an
    /// empty one, something that is not a file, a file that is not a casa database and a
    /// database written by a newer casa, before changing anything. Only `create` (used by
    /// `casa init` and `casa demo`) makes a new database: a mistyped `--db` must not.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        let shown = crate::safe_text::clean(&path.display().to_string()).into_owned();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(Missing(format!(
                "il database {shown} non esiste: controllare --db (o CASA_DB), oppure crearlo con `casa init`"
            ))),
            Err(e) => bail!(Missing(format!(
                "impossibile aprire il database {shown}: {}",
                crate::italian::io_error(&e)
            ))),
            Ok(m) if !m.is_file() => bail!(Missing(format!("{shown} non è un file di database"))),
            Ok(m) if m.len() == 0 => bail!(Missing(format!(
                "{shown} è un file vuoto, non un database di casa: controllare --db (o CASA_DB), oppure crearlo con `casa init`"
            ))),
            Ok(_) => {}
        }
        Store::open_file(path, access, false)
    }

    /// Opens the database at `path`, creating it (and its directory) with the reference data
    /// when it does not exist or is an empty file. For `casa init`, `casa demo` and tests.
    /// What casa creates is its owner's alone, whatever the umask: folders 0700, the file 0600
    /// (SQLite gives the -wal and -shm the database's mode).
    pub fn create(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            crate::private_files::create_dir_all(dir).with_context(|| {
                format!(
                    "impossibile creare la cartella {}",
                    crate::safe_text::clean(&dir.display().to_string())
                )
            })?;
        }
        crate::private_files::create_file(path).with_context(|| {
            format!(
                "impossibile creare il database {}",
                crate::safe_text::clean(&path.display().to_string())
            )
        })?;
        Store::open_file(path, Access::ReadWrite, true)
    }

    fn open_file(path: &Path, access: Access, may_create: bool) -> Result<Store> {
        if access == Access::ReadWrite {
            // An older casa, or a copy, may have left the files readable by others.
            crate::private_files::tighten_database(path).with_context(|| {
                format!(
                    "impossibile rendere il database {} leggibile dal solo proprietario",
                    crate::safe_text::clean(&path.display().to_string())
                )
            })?;
        }
        // A path is a path: never a `file:` URI with parameters (SQLITE_OPEN_URI is not set).
        let flags = match access {
            Access::ReadWrite if may_create => {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            }
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(file_path(path), flags).with_context(|| {
            format!(
                "impossibile aprire il database {}",
                crate::safe_text::clean(&path.display().to_string())
            )
        })?;
        // Wait for other processes' locks from the very first read (a WAL database can be busy
        // for an instant while another process recovers or checkpoints it).
        conn.busy_timeout(BUSY_WAIT)?;
        check_identity(&conn, path)?;
        configure(&conn, access)?;
        #[cfg(feature = "crash-points")]
        let conn = with_crash_hook(conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            access,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Where this connection's changes come from, written in every audit record (the session's
    /// origin: local user, or SSH key and client address).
    pub fn set_origin(&self, origin: &str) -> Result<()> {
        audit::set_origin(&self.conn, origin)
    }

    /// A handle that interrupts the statement running on this connection, from any thread.
    pub fn interrupter(&self) -> Interrupt {
        Interrupt(self.conn.get_interrupt_handle())
    }

    /// Calls `sink` with every statement this connection runs, its parameters written in
    /// (`None` stops). For the tests that explain the queries the screens issue, and for
    /// diagnosing a slow screen.
    pub fn trace_sql(&mut self, sink: Option<Box<dyn FnMut(String) + Send>>) -> Result<()> {
        use rusqlite::trace::{TraceEvent, TraceEventCodes};
        match sink {
            Some(mut sink) => self.conn.trace_v2(
                TraceEventCodes::SQLITE_TRACE_STMT,
                Some(move |e: TraceEvent<'_>| {
                    if let TraceEvent::Stmt(stmt, text) = e {
                        sink(stmt.expanded_sql().unwrap_or_else(|| text.to_string()));
                    }
                }),
            )?,
            None => self
                .conn
                .trace_v2(TraceEventCodes::empty(), None::<fn(TraceEvent<'_>)>)?,
        }
        Ok(())
    }

    /// Starts a write transaction that takes the write lock at once (BEGIN IMMEDIATE), so a
    /// busy database makes us wait at the start rather than fail half-way.
    pub fn write(&mut self) -> Result<Transaction<'_>> {
        if self.access == Access::ReadOnly {
            bail!("sessione in sola lettura: nessuna modifica consentita");
        }
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| match e.sqlite_error_code() {
                // Never SQLite's own "database is locked": say what happened and what to do.
                Some(rusqlite::ErrorCode::DatabaseBusy) => anyhow::anyhow!(
                    "il database è impegnato da modifiche di altri operatori da oltre {} secondi: nessuna modifica salvata, riprovare tra poco",
                    BUSY_WAIT.as_secs()
                ),
                _ => e.into(),
            })
    }

    fn user_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let current = self.user_version()?;
        let target = schema_version();
        if current == target {
            return Ok(());
        }
        if self.access == Access::ReadOnly {
            bail!(
                "il database è alla versione {current} dello schema, questa versione di casa richiede la {target}: aprirlo una volta in scrittura per aggiornarlo"
            );
        }
        let fresh = current == 0;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Re-read inside the lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if !(0..=target).contains(&current) {
            bail!("versione dello schema non valida ({current}): il database non viene modificato");
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)
                .with_context(|| format!("migrazione {} non riuscita", i + 1))?;
        }
        // Records written before the chain existed are sealed into it now; the search's
        // totals per filter value are computed from the tally.
        audit::seal(&tx)?;
        if current < 8 {
            search::fill_dim_totals(&tx)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", target)?;
        if fresh && current == 0 {
            reference::load(&tx)?;
            reference::confirm_leads(&tx)?;
            // The comuni arrive after the migrations: rank them for the comune sort.
            search::rank_comuni(&tx)?;
        } else {
            // Reference data that arrived after the database was made (real codici fiscali,
            // new ambiti): added where nothing of the operators' is touched.
            reference::refresh(&tx)?;
        }
        reference::anpu_codes(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Facts `casa doctor` prints.
    pub fn sqlite_version() -> &'static str {
        rusqlite::version()
    }

    pub fn current_schema_version(&self) -> Result<i64> {
        self.user_version()
    }

    /// Sets the page cache to `kib` KiB until the guard is dropped (an export reads each page
    /// once: a large cache would only raise the memory peak).
    pub fn page_cache(&self, kib: i64) -> Result<PageCache<'_>> {
        let previous: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(PageCache {
            conn: &self.conn,
            previous,
        })
    }

    /// Runs `PRAGMA optimize` (cheap; keeps the planner's statistics fresh after bulk changes).
    pub fn optimize(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA optimize")?;
        Ok(())
    }
}

/// The name SQLite is given for `path`: always absolute. This SQLite is built to read names
/// starting with `file:` as URIs whatever the open flags (`file:x?immutable=1` would set
/// options and `file:zz/q` create stray directories); an absolute path never starts so.
pub fn file_path(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The database named by the user is missing or is not a file: the user's input is wrong (the
/// command line exits 4), and nothing was created.
#[derive(Debug)]
pub struct Missing(pub String);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Missing {}

/// The tests' kill point inside SQLite's commit (see `crate::crash_point`).
#[cfg(feature = "crash-points")]
fn with_crash_hook(mut conn: Connection) -> Result<Connection> {
    if crate::crash_point::enabled() {
        conn.commit_hook(Some(|| {
            crate::crash_point::reach("commit");
            false
        }))?;
    }
    Ok(conn)
}

/// Refuses a file that is some other SQLite database, or a casa database from a newer version.
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .with_context(|| {
            format!(
                "{} non è un database SQLite leggibile (file danneggiato o di altro tipo)",
                path.display()
            )
        })?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if app_id != APPLICATION_ID && (tables > 0 || version > 0) {
        bail!(
            "{} non è un database di casa (application_id {app_id:#x}): non viene modificato",
            path.display()
        );
    }
    if version < 0 {
        bail!(
            "il database {} ha una versione dello schema non valida ({version}): file danneggiato o non di casa; non viene modificato",
            path.display()
        );
    }
    if version > schema_version() {
        bail!(
            "il database {} è stato scritto da una versione più recente di casa (schema {version}, questa versione arriva alla {}): aggiornare casa; il database non è stato modificato",
            path.display(),
            schema_version()
        );
    }
    Ok(())
}

/// The page cache of an export, restored when dropped.
pub struct PageCache<'c> {
    conn: &'c Connection,
    previous: i64,
}

impl Drop for PageCache<'_> {
    fn drop(&mut self) {
        let _ = self.conn.pragma_update(None, "cache_size", self.previous);
    }
}

/// Too many requests of one kind in a short time (registration from unknown keys): not
/// allowed now, exit 3 on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited(pub String);

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RateLimited {}

/// Interrupts the statement running on a connection (a newer request made it stale).
pub struct Interrupt(rusqlite::InterruptHandle);

impl Interrupt {
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

/// Whether `e` is a statement stopped by an `Interrupt` (not a failure: nobody waits for it).
pub fn is_interrupted(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|r| {
            matches!(r, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted)
        })
    })
}

/// Current time as stored in the database (UTC, RFC 3339, seconds).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/casa.sqlite");
        {
            let store = Store::create(&path).unwrap();
            assert_eq!(store.current_schema_version().unwrap(), schema_version());
            let n: i64 = store
                .conn()
                .query_row("SELECT count(*) FROM municipality", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 1501);
            let mode: String = store
                .conn()
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            let fk: i64 = store
                .conn()
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap();
            assert_eq!(fk, 1);
        }
        // Re-open: nothing re-applied, reference data not duplicated.
        let store = Store::open(&path, Access::ReadWrite).unwrap();
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM owner", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1501 + 5 + 1);
        let ro = Store::open(&path, Access::ReadOnly).unwrap();
        assert_eq!(ro.current_schema_version().unwrap(), schema_version());
    }

    #[test]
    fn refuses_newer_database_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("casa.sqlite");
        drop(Store::create(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", schema_version() + 1)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path, Access::ReadWrite).err().unwrap();
        assert!(err.to_string().contains("versione più recente"), "{err:#}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn refuses_foreign_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE x(a)")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path, Access::ReadWrite).err().unwrap();
        assert!(
            err.to_string().contains("non è un database di casa"),
            "{err:#}"
        );
        // Untouched: not switched to WAL, not migrated, nothing beside it.
        assert!(
            std::fs::read(&path).unwrap() == before,
            "the file was changed"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_garbage_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.sqlite");
        let garbage = b"this is not a database at all, not even close........";
        std::fs::write(&path, garbage).unwrap();
        let err = Store::open(&path, Access::ReadWrite).err().unwrap();
        assert!(
            crate::italian::render(&err).contains("non è un database SQLite leggibile"),
            "{err:#}"
        );
        // Refused untouched: same bytes, no journal or WAL left beside it.
        assert!(
            std::fs::read(&path).unwrap() == garbage,
            "the file was changed"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["garbage.sqlite"]);
    }

    #[test]
    fn read_only_refuses_missing_file_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite");
        assert!(Store::open(&path, Access::ReadOnly).is_err());
        assert!(!path.exists());
        assert!(Store::open(&path, Access::ReadWrite).is_err());
        assert!(!path.exists());
        drop(Store::create(&path).unwrap());
        let mut ro = Store::open(&path, Access::ReadOnly).unwrap();
        assert!(ro.write().is_err());
    }
}
