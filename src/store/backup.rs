//! Backup, restore and check of the database file (`casa db backup|restore|check`).
//!
//! A backup copies the live database with SQLite's online backup API from a read-only
//! connection that holds one read snapshot for the whole copy: in WAL mode writers go on
//! writing meanwhile, and the copy is the database as it was when the snapshot began. The copy
//! goes to a temporary file next to the target, is verified, and is renamed into place only
//! when it is good.
//!
//! A restore checks the candidate file first (a casa database, not from a newer casa, passing
//! `integrity_check`), saves a safety copy of the current database, then copies the file into
//! the live database with the backup API (which takes the write lock like any writer, so other
//! connections see either the old or the restored database), migrates it if it is older, and
//! records the restore in the audit log.

use super::audit::{self, Entry};
use super::{APPLICATION_ID, Store, schema_version};
use crate::output_file::{self, Destination, Target};
use anyhow::{Context, Result, anyhow, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Pages copied per backup step.
const PAGES_PER_STEP: i32 = 1024;
/// How long a step may keep finding the database busy before giving up.
const BUSY_LIMIT: Duration = Duration::from_secs(60);

/// A file the user named cannot be used (not a casa database, newer, damaged, already there):
/// the CLI reports it as invalid input. Nothing has been changed when this is returned.
#[derive(Debug)]
pub struct BadFile(pub String);

impl std::fmt::Display for BadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadFile {}

fn bad(msg: String) -> anyhow::Error {
    anyhow!(BadFile(msg))
}

/// What a verified database file holds.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub path: PathBuf,
    /// File size in bytes.
    pub size: u64,
    pub schema_version: i64,
    pub units: i64,
    pub audit_records: i64,
}

/// Removes a temporary file's SQLite companions (and the file itself with `main`) unless
/// disarmed.
struct TempGuard {
    path: PathBuf,
    armed: bool,
    main: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                if suffix.is_empty() && !self.main {
                    continue;
                }
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
    }
}

/// Runs a backup to completion in steps of `pages` (`-1`: all at once), retrying while the
/// destination or source is busy, up to `BUSY_LIMIT`.
fn run_steps(backup: &Backup<'_, '_>, pages: i32) -> Result<()> {
    let mut busy_since: Option<Instant> = None;
    loop {
        match backup.step(pages)? {
            StepResult::Done => return Ok(()),
            StepResult::More => busy_since = None,
            StepResult::Busy | StepResult::Locked => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() > BUSY_LIMIT {
                    bail!(
                        "database occupato da altre operazioni per oltre {} secondi: riprovare",
                        BUSY_LIMIT.as_secs()
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // `StepResult` is non-exhaustive: treat anything new as progress.
            _ => busy_since = None,
        }
    }
}

fn one_i64(conn: &Connection, sql: &str) -> rusqlite::Result<i64> {
    conn.query_row(sql, [], |r| r.get(0))
}

/// `PRAGMA integrity_check`: empty when the file is sound, else SQLite's messages.
fn integrity(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .iter()
        // SQLite may pack several messages in one row, under a "*** in database main ***" line.
        .flat_map(|row| {
            row.lines()
                .map(str::trim)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|line| !line.is_empty() && !line.starts_with("*** in database"))
        .collect();
    Ok(if rows.len() == 1 && rows[0] == "ok" {
        Vec::new()
    } else {
        rows
    })
}

/// Counts of a casa database (0 when a table is missing, as in a very old or foreign file).
fn counts(conn: &Connection) -> (i64, i64) {
    (
        one_i64(conn, "SELECT count(*) FROM unit").unwrap_or(0),
        one_i64(conn, "SELECT count(*) FROM audit").unwrap_or(0),
    )
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Copies the database at `src` to `dest` (see `crate::output_file`: `-` is standard output, an
/// existing file is refused unless `force`, only regular files), and verifies the copy. Safe
/// while other connections write: they are never blocked.
pub fn backup(src: &Path, dest: &Target) -> Result<Summary> {
    if !src.exists() {
        bail!("il database {} non esiste", src.display());
    }
    if let Destination::File(d) = &dest.dest
        && same_file(src, d)
    {
        return Err(bad(format!(
            "{} è il database stesso: indicare un altro file per la copia",
            dest.shown()
        )));
    }
    dest.ensure_usable(&output_file::DATABASE)
        .map_err(|e| bad(e.0))?;
    let out = dest.create(&output_file::DATABASE).map_err(|e| {
        match e.downcast::<output_file::Refused>() {
            Ok(r) => bad(r.0),
            Err(e) => e,
        }
    })?;
    let tmp = out.path().to_path_buf();
    // SQLite's own companions of the temporary copy (its journal), removed on failure; the
    // copy itself is removed by `out`.
    let _companions = TempGuard {
        path: tmp.clone(),
        armed: true,
        main: false,
    };

    let source = Connection::open_with_flags(
        super::file_path(src),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("impossibile aprire il database {}", src.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    let app_id = one_i64(&source, "PRAGMA application_id")
        .with_context(|| format!("{} non è un database SQLite leggibile", src.display()))?;
    if app_id != i64::from(APPLICATION_ID) {
        bail!("{} non è un database di casa", src.display());
    }
    // One read snapshot for the whole copy: in WAL mode writers are not blocked, and the
    // backup never restarts because of their commits.
    source.execute_batch("BEGIN DEFERRED")?;
    one_i64(&source, "SELECT count(*) FROM sqlite_schema")?;
    let (units, audit_records) = counts(&source);
    let copied_version;
    {
        // The temporary file exists (created exclusively, empty): SQLite writes into it and
        // never creates or follows another name.
        let mut target = Connection::open_with_flags(
            super::file_path(&tmp),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("impossibile creare {}", dest.shown()))?;
        {
            let backup = Backup::new(&source, &mut target)?;
            run_steps(&backup, PAGES_PER_STEP)?;
        }
        // A single self-contained file, whatever the live database's journal mode.
        let mode: String = target.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            bail!("la copia è rimasta in modalità {mode}");
        }
        let (copied_units, copied_audit) = counts(&target);
        let problems = integrity(&target)?;
        if !problems.is_empty() {
            bail!(
                "la copia non supera il controllo di integrità: {}",
                problems.join("; ")
            );
        }
        if one_i64(&target, "PRAGMA application_id")? != i64::from(APPLICATION_ID) {
            bail!("la copia non ha l'identificativo di casa");
        }
        copied_version = one_i64(&target, "PRAGMA user_version")?;
        if (copied_units, copied_audit) != (units, audit_records) {
            bail!("la copia non corrisponde al database (alloggi o registro audit diversi)");
        }
        target
            .close()
            .map_err(|(_, e)| e)
            .context("chiusura della copia")?;
    }
    source.execute_batch("COMMIT")?;
    drop(source);
    let size = std::fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0);
    out.commit()
        .map_err(|e| match e.downcast::<output_file::Refused>() {
            Ok(r) => bad(r.0),
            Err(e) => e,
        })?;
    Ok(Summary {
        path: match &dest.dest {
            Destination::File(p) => p.clone(),
            Destination::Stdout => PathBuf::from("-"),
        },
        size,
        schema_version: copied_version,
        units,
        audit_records,
    })
}

/// Checks that `path` is a casa database this build can use — readable, casa's application
/// id, a schema no newer than this build, passing `integrity_check` — and summarizes it.
/// Refusals are `BadFile`. Opens the file read-only and changes nothing.
pub fn inspect(path: &Path) -> Result<Summary> {
    let shown = path.display();
    if !path.exists() {
        return Err(bad(format!("il file {shown} non esiste")));
    }
    let meta = std::fs::metadata(path)
        .map_err(|e| bad(format!("{shown}: {}", crate::italian::io_error(&e))))?;
    if !meta.is_file() {
        return Err(bad(format!("{shown} non è un file")));
    }
    let conn = Connection::open_with_flags(
        super::file_path(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| {
        bad(format!(
            "{shown} non è un database SQLite leggibile: {}",
            sqlite_text(&e)
        ))
    })?;
    let _ = conn.busy_timeout(Duration::from_secs(10));
    let app_id = one_i64(&conn, "PRAGMA application_id").map_err(|_| {
        bad(format!(
            "{shown} non è un database SQLite (file di altro tipo o danneggiato): nessuna modifica"
        ))
    })?;
    if app_id != i64::from(APPLICATION_ID) {
        return Err(bad(format!(
            "{shown} non è un database di casa (application_id {app_id:#x}): nessuna modifica"
        )));
    }
    let version = one_i64(&conn, "PRAGMA user_version")?;
    if version > schema_version() {
        return Err(bad(format!(
            "{shown} è stato scritto da una versione più recente di casa (schema {version}, questa versione arriva alla {}): aggiornare casa; nessuna modifica",
            schema_version()
        )));
    }
    if version < 1 {
        return Err(bad(format!(
            "{shown} non contiene uno schema di casa (versione {version}): nessuna modifica"
        )));
    }
    let problems = integrity(&conn).map_err(|e| {
        bad(format!(
            "{shown} non supera il controllo di integrità ({}): nessuna modifica",
            crate::italian::render(&e)
        ))
    })?;
    if !problems.is_empty() {
        return Err(bad(format!(
            "{shown} è danneggiato (controllo di integrità: {}): nessuna modifica",
            first_problems(&problems)
        )));
    }
    let schema = schema_problems(&conn, version)?;
    if !schema.is_empty() {
        return Err(bad(format!(
            "{shown} non ha lo schema completo di casa per la versione {version} ({}): nessuna modifica",
            first_problems(&schema)
        )));
    }
    let (units, audit_records) = counts(&conn);
    Ok(Summary {
        path: path.to_path_buf(),
        size: meta.len(),
        schema_version: version,
        units,
        audit_records,
    })
}

/// A SQLite error in Italian.
fn sqlite_text(e: &rusqlite::Error) -> String {
    super::errors::sqlite_message(e).unwrap_or_else(|| "errore del database".into())
}

/// How the schema of a casa database of `version` differs from the one casa builds: every
/// table, index, view and trigger must be there with its definition, and nothing else (a
/// trigger added to a backup would run on the live database after a restore).
pub fn schema_problems(conn: &Connection, version: i64) -> Result<Vec<String>> {
    // Tables first: a missing table says more than its missing indexes.
    let order = |t: &str| {
        ["table", "view", "index", "trigger"]
            .iter()
            .position(|x| *x == t)
    };
    let mut expected = super::expected_schema(version)?;
    expected.sort_by_key(|(t, n, _)| (order(t), n.clone()));
    let actual = super::schema_objects(conn)?;
    let what = |t: &str| match t {
        "table" => "la tabella",
        "index" => "l'indice",
        "view" => "la vista",
        "trigger" => "il trigger",
        _ => "l'oggetto",
    };
    let mut problems = Vec::new();
    for (t, name, sql) in &expected {
        match actual.iter().find(|(at, an, _)| at == t && an == name) {
            None => problems.push(format!("manca {} {name}", what(t))),
            Some((_, _, asql)) if asql != sql => problems.push(format!(
                "{} {name} ha una definizione diversa da quella di casa",
                what(t)
            )),
            Some(_) => {}
        }
    }
    for (t, name, _) in &actual {
        if !expected.iter().any(|(et, en, _)| et == t && en == name) {
            problems.push(format!(
                "{} {} non fa parte dello schema di casa",
                what(t),
                crate::safe_text::excerpt(name)
            ));
        }
    }
    Ok(problems)
}

/// The first problems of a list, and how many more.
fn first_problems(problems: &[String]) -> String {
    let mut shown: Vec<String> = problems.iter().take(5).cloned().collect();
    if problems.len() > 5 {
        shown.push(format!("e altri {}", problems.len() - 5));
    }
    shown.join("; ")
}

/// The outcome of a restore.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    /// The file restored, as checked before the copy.
    pub source: Summary,
    /// The copy of the database as it was before the restore.
    pub safety_copy: Summary,
    /// Schema version after the migrations (this build's).
    pub schema_version: i64,
    pub units: i64,
}

/// Where the safety copy of `db` goes: next to it, named with the time, never an existing file.
pub fn safety_copy_path(db: &Path) -> PathBuf {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let base = db.to_string_lossy().into_owned();
    let mut n = 0;
    loop {
        let candidate = if n == 0 {
            PathBuf::from(format!("{base}.prima-del-ripristino-{stamp}.sqlite"))
        } else {
            PathBuf::from(format!("{base}.prima-del-ripristino-{stamp}-{n}.sqlite"))
        };
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

impl Store {
    /// Replaces the content of this database with the casa database `file` (Regione only).
    /// Refuses, changing nothing, a file that is not usable (see `inspect`). Otherwise saves a
    /// safety copy next to the database first, copies `file` in (other connections see the old
    /// or the new database, never a mix), migrates it to this build's schema if older, and
    /// records the restore in the audit log.
    pub fn restore_from(&mut self, actor: &str, file: &Path) -> Result<Restored> {
        if self.access == super::Access::ReadOnly {
            bail!("sessione in sola lettura: nessuna modifica consentita");
        }
        if same_file(&self.path, file) {
            return Err(bad(format!(
                "{} è il database stesso: indicare una copia",
                file.display()
            )));
        }
        let source = inspect(file)?;
        let safety_path = safety_copy_path(&self.path);
        let safety_copy = backup(&self.path, &Target::new(&safety_path, false))
            .context("copia di sicurezza del database prima del ripristino")?;
        // The file is copied to a staging database beside the live one, brought to this
        // build's schema and given the restore's audit record there; then it replaces the
        // live content in one write. Other sessions see the old or the restored database, and
        // a restored database always carries its audit record: one change, one record.
        let dir = output_file::parent_dir(&self.path);
        let staging = tempfile::Builder::new()
            .prefix(".casa-ripristino.")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| format!("impossibile creare un file temporaneo in {}", dir.display()))?
            .into_temp_path();
        let _companions = TempGuard {
            path: staging.to_path_buf(),
            armed: true,
            main: false,
        };
        {
            let from = Connection::open_with_flags(
                super::file_path(file),
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("impossibile aprire {}", file.display()))?;
            from.busy_timeout(Duration::from_secs(10))?;
            // The file might change between the check and the copy: check what is copied.
            from.execute_batch("BEGIN DEFERRED")?;
            let app_id = one_i64(&from, "PRAGMA application_id")?;
            let version = one_i64(&from, "PRAGMA user_version")?;
            if app_id != i64::from(APPLICATION_ID) || version != source.schema_version {
                return Err(bad(format!(
                    "{} è cambiato durante il ripristino: nessuna modifica",
                    file.display()
                )));
            }
            let problems = schema_problems(&from, version)?;
            if !problems.is_empty() {
                return Err(bad(format!(
                    "{} è cambiato durante il ripristino ({}): nessuna modifica",
                    file.display(),
                    first_problems(&problems)
                )));
            }
            let mut stage = Connection::open_with_flags(
                super::file_path(&staging),
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            let backup = Backup::new(&from, &mut stage)?;
            run_steps(&backup, -1).context("copia del file da ripristinare non riuscita")?;
        }
        let mut staged = Store::open_file(&staging, super::Access::ReadWrite, false)
            .context("aggiornamento dello schema del database ripristinato")?;
        let units = {
            let tx = staged.write()?;
            let units = one_i64(&tx, "SELECT count(*) FROM unit")?;
            audit::record(
                &tx,
                Entry {
                    operator: actor,
                    action: "database.ripristina",
                    entity: "database",
                    entity_id: None,
                    before: Some(serde_json::json!({
                        "copia_di_sicurezza": safety_copy.path.display().to_string(),
                        "alloggi": safety_copy.units,
                        "schema": safety_copy.schema_version,
                    })),
                    after: Some(serde_json::json!({
                        "file": source.path.display().to_string(),
                        "dimensione": source.size,
                        "schema_file": source.schema_version,
                        "schema": schema_version(),
                        "alloggi": units,
                    })),
                },
            )?;
            tx.commit()?;
            units
        };
        {
            let backup = Backup::new(&staged.conn, &mut self.conn)?;
            // All pages in one step: one write transaction on the live database.
            run_steps(&backup, -1).context("copia nel database non riuscita")?;
        }
        drop(staged);
        // Statements prepared against the old schema are stale.
        self.conn.flush_prepared_statement_cache();
        Ok(Restored {
            source,
            safety_copy,
            schema_version: self.user_version()?,
            units,
        })
    }
}

/// A row that points at a parent that does not exist (`PRAGMA foreign_key_check`).
#[derive(Debug, Clone, Serialize)]
pub struct ForeignKeyProblem {
    pub table: String,
    pub rowid: Option<i64>,
    pub parent: String,
    /// Which foreign key of the table (`PRAGMA foreign_key_list` id).
    pub fkid: i64,
}

/// What `casa db check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub path: PathBuf,
    pub size: u64,
    pub application_id_ok: bool,
    pub schema_version: Option<i64>,
    pub build_schema_version: i64,
    /// Problems with the file as a whole (identity, version, readability).
    pub file_problems: Vec<String>,
    /// `PRAGMA integrity_check` messages (empty: sound).
    pub integrity: Vec<String>,
    pub foreign_keys: Vec<ForeignKeyProblem>,
    /// The audit trail's hash chain (None: not checked, the schema has no chain yet).
    pub audit: Option<super::audit::Verification>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.file_problems.is_empty()
            && self.integrity.is_empty()
            && self.foreign_keys.is_empty()
            && self.audit.as_ref().is_none_or(|a| a.is_whole())
    }
}

/// First schema with the audit trail's hash chain.
const CHAINED_SCHEMA: i64 = 8;

fn foreign_keys(conn: &Connection) -> rusqlite::Result<Vec<ForeignKeyProblem>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    stmt.query_map([], |r| {
        Ok(ForeignKeyProblem {
            table: r.get(0)?,
            rowid: r.get(1)?,
            parent: r.get(2)?,
            fkid: r.get(3)?,
        })
    })?
    .collect()
}

/// Checks the database file at `path`: identity, schema version against this build, integrity
/// and foreign keys. Read-only. Errors only when the file cannot be opened at all.
pub fn check(path: &Path) -> Result<CheckReport> {
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| bad(format!("{shown}: {}", crate::italian::io_error(&e))))?;
    let mut report = CheckReport {
        path: path.to_path_buf(),
        size: meta.len(),
        application_id_ok: false,
        schema_version: None,
        build_schema_version: schema_version(),
        file_problems: Vec::new(),
        integrity: Vec::new(),
        foreign_keys: Vec::new(),
        audit: None,
    };
    let conn = Connection::open_with_flags(
        super::file_path(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| {
        bad(format!(
            "{shown} non è un database SQLite leggibile: {}",
            sqlite_text(&e)
        ))
    })?;
    let _ = conn.busy_timeout(Duration::from_secs(10));
    let app_id = match one_i64(&conn, "PRAGMA application_id") {
        Ok(id) => id,
        Err(e) => {
            report.file_problems.push(format!(
                "il file non è un database SQLite leggibile (file di altro tipo o danneggiato): {}",
                sqlite_text(&e)
            ));
            return Ok(report);
        }
    };
    report.application_id_ok = app_id == i64::from(APPLICATION_ID);
    if !report.application_id_ok {
        report.file_problems.push(format!(
            "application_id {app_id:#x}: non è un database di casa (atteso {APPLICATION_ID:#x})"
        ));
    }
    let version = one_i64(&conn, "PRAGMA user_version")?;
    report.schema_version = Some(version);
    if version > schema_version() {
        report.file_problems.push(format!(
            "schema {version} più recente di questa versione di casa ({}): aggiornare casa",
            schema_version()
        ));
    } else if version < schema_version() {
        report.file_problems.push(format!(
            "schema {version} meno recente di questa versione di casa ({}): aprirlo una volta in scrittura (ad es. `casa init`) per aggiornarlo",
            schema_version()
        ));
    }
    if version >= 0 && version <= schema_version() && report.application_id_ok {
        match schema_problems(&conn, version) {
            Ok(p) => report
                .file_problems
                .extend(p.into_iter().map(|p| format!("schema: {p}"))),
            Err(e) => report.file_problems.push(format!(
                "schema non leggibile: {}",
                crate::italian::render(&e)
            )),
        }
    } else if version < 0 {
        report
            .file_problems
            .push(format!("versione dello schema non valida ({version})"));
    }
    // A badly damaged file can stop the checks themselves: that is a finding too.
    report.integrity = integrity(&conn).unwrap_or_else(|e| {
        vec![format!(
            "controllo interrotto, file danneggiato: {}",
            crate::italian::render(&e)
        )]
    });
    match foreign_keys(&conn) {
        Ok(found) => report.foreign_keys = found,
        Err(e) => report.integrity.push(format!(
            "controllo delle chiavi esterne interrotto, file danneggiato: {}",
            sqlite_text(&e)
        )),
    }
    if report.application_id_ok && version >= CHAINED_SCHEMA {
        match super::audit::verify(&conn, None) {
            Ok(v) => report.audit = Some(v),
            Err(e) => report.integrity.push(format!(
                "verifica del registro audit interrotta, file danneggiato: {e:#}"
            )),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_refuses_existing_file_and_verifies_copy() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("casa.sqlite");
        drop(Store::create(&db).unwrap());
        let copy = dir.path().join("copia.sqlite");
        let s = backup(&db, &Target::new(&copy, false)).unwrap();
        assert_eq!(s.schema_version, schema_version());
        assert!(s.size > 0);
        let err = backup(&db, &Target::new(&copy, false)).unwrap_err();
        assert!(err.downcast_ref::<BadFile>().is_some(), "{err:#}");
        backup(&db, &Target::new(&copy, true)).unwrap();
        // Self-contained: no WAL left next to the copy, no temporary file.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.iter().any(|n| n.starts_with("copia.sqlite-")),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.contains(".tmp-")), "{names:?}");
        let report = check(&copy).unwrap();
        assert!(report.is_clean(), "{report:?}");
    }

    #[test]
    fn inspect_refuses_text_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("note.txt");
        std::fs::write(&f, "non sono un database, solo testo qualunque ...........").unwrap();
        let err = inspect(&f).unwrap_err();
        assert!(err.downcast_ref::<BadFile>().is_some(), "{err:#}");
    }
}
