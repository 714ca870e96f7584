//! `casa init`, `casa doctor` and the `casa db` group: backup, restore, check (and a hidden
//! write loop for the crash-safety tests).

use super::{Format, Global, InvalidInput, db_path, open_store, require_writable, session};
use crate::domain::access::{Action, Service};
use crate::store::backup::{self, BadFile, CheckReport, Summary};
use crate::store::{Access, Store, audit, operators};
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the database with the reference data (same as `casa init`)
    Init,
    /// Print version, paths, schema and SQLite versions (same as `casa doctor`)
    Doctor,
    /// Copy the database to FILE (SQLite online backup: safe while others write), verified
    Backup {
        /// The copy to write (refused if it exists, unless --force)
        file: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Replace the database with the backup FILE (Regione only); a safety copy of the current
    /// database is kept next to it
    Restore {
        /// A backup made by `casa db backup`
        file: PathBuf,
    },
    /// Check integrity, foreign keys, identity and schema version; exit 1 when problems are found
    Check {
        /// The file to check (default: the database)
        file: Option<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Crash-safety test helper: N small committed writes, printing `ok <id>` after each commit
    #[command(hide = true)]
    StressWrites {
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
}

pub fn run(g: &Global, cmd: DbCommand) -> Result<()> {
    let result = match cmd {
        DbCommand::Init => init(g),
        DbCommand::Doctor => doctor(g),
        DbCommand::Backup { file, force } => backup_cmd(g, &file, force),
        DbCommand::Restore { file } => restore_cmd(g, &file),
        DbCommand::Check { file, format } => check_cmd(g, file, format),
        DbCommand::StressWrites { count } => stress_writes(g, count),
    };
    // A file the user named that cannot be used: exit code 4.
    result.map_err(|e| match e.downcast_ref::<BadFile>() {
        Some(bad) => anyhow!(InvalidInput(bad.0.clone())),
        None => e,
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

fn print_summary(s: &Summary) {
    println!("  dimensione:     {}", mib(s.size));
    println!("  schema:         {}", s.schema_version);
    println!("  alloggi:        {}", s.units);
    println!("  registro audit: {} voci", s.audit_records);
}

fn live_db(g: &Global) -> Result<PathBuf> {
    let path = db_path(g)?;
    if g.demo {
        super::ensure_demo(&path)?;
    }
    Ok(path)
}

/// `casa db backup FILE [--force]`.
fn backup_cmd(g: &Global, file: &std::path::Path, force: bool) -> Result<()> {
    let path = live_db(g)?;
    let summary = backup::backup(&path, file, force)?;
    println!(
        "Copia di {} salvata in {} e verificata (integrità, identificativo casa):",
        path.display(),
        summary.path.display()
    );
    print_summary(&summary);
    Ok(())
}

/// `casa db restore FILE`: Regione only.
fn restore_cmd(g: &Global, file: &std::path::Path) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    scope
        .check(Action::ConfigureRegion)
        .map_err(anyhow::Error::new)?;
    require_writable(&store)?;
    let done = store.restore_from(&scope, file)?;
    println!(
        "Copia di sicurezza del database precedente: {}",
        done.safety_copy.path.display()
    );
    print_summary(&done.safety_copy);
    println!(
        "Database {} ripristinato da {}:",
        store.path().display(),
        done.source.path.display()
    );
    if done.source.schema_version < done.schema_version {
        println!(
            "  schema:         {} (aggiornato dalla {} della copia)",
            done.schema_version, done.source.schema_version
        );
    } else {
        println!("  schema:         {}", done.schema_version);
    }
    println!("  alloggi:        {}", done.units);
    Ok(())
}

/// `casa db check [FILE] [--format table|csv|json]`: exit 1 when problems are found.
fn check_cmd(g: &Global, file: Option<PathBuf>, format: Format) -> Result<()> {
    let path = match file {
        Some(f) => f,
        None => live_db(g)?,
    };
    if !path.exists() {
        bail!(InvalidInput(format!("{} non esiste", path.display())));
    }
    let report = backup::check(&path)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Csv => write_check_csv(&mut out, &report)?,
        Format::Table => write_check_text(&mut out, &report)?,
    }
    out.flush()?;
    let n = report.file_problems.len() + report.integrity.len() + report.foreign_keys.len();
    if n > 0 {
        bail!(
            "{}: {n} {} (vedi il resoconto)",
            path.display(),
            if n == 1 { "problema" } else { "problemi" }
        );
    }
    Ok(())
}

fn write_check_text(out: &mut impl Write, r: &CheckReport) -> Result<()> {
    writeln!(out, "Controllo di {} ({})", r.path.display(), mib(r.size))?;
    let ok = |b: bool| if b { "ok" } else { "PROBLEMA" };
    writeln!(out, "  identificativo casa:  {}", ok(r.application_id_ok))?;
    match r.schema_version {
        Some(v) => writeln!(
            out,
            "  versione schema:      {v} (questa versione di casa: {}) {}",
            r.build_schema_version,
            ok(v == r.build_schema_version)
        )?,
        None => writeln!(out, "  versione schema:      non leggibile")?,
    }
    writeln!(
        out,
        "  integrità:            {}",
        if r.integrity.is_empty() {
            "ok".to_string()
        } else {
            format!("{} problemi", r.integrity.len())
        }
    )?;
    writeln!(
        out,
        "  chiavi esterne:       {}",
        if r.foreign_keys.is_empty() {
            "ok".to_string()
        } else {
            format!("{} righe senza riferimento valido", r.foreign_keys.len())
        }
    )?;
    for p in &r.file_problems {
        writeln!(out, "- {p}")?;
    }
    for p in &r.integrity {
        writeln!(out, "- integrità: {p}")?;
    }
    for fk in &r.foreign_keys {
        let row = fk
            .rowid
            .map_or_else(|| "(senza rowid)".to_string(), |id| id.to_string());
        writeln!(
            out,
            "- chiave esterna: tabella {}, riga {row}: il riferimento a {} non esiste (vincolo {})",
            fk.table, fk.parent, fk.fkid
        )?;
    }
    if r.is_clean() {
        writeln!(out, "Nessun problema trovato.")?;
    }
    Ok(())
}

fn write_check_csv(out: &mut impl Write, r: &CheckReport) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["tipo", "tabella", "rowid", "tabella_padre", "messaggio"])?;
    for p in &r.file_problems {
        w.write_record(["file", "", "", "", p])?;
    }
    for p in &r.integrity {
        w.write_record(["integrita", "", "", "", p])?;
    }
    for fk in &r.foreign_keys {
        let row = fk.rowid.map(|id| id.to_string()).unwrap_or_default();
        w.write_record([
            "chiave_esterna",
            &fk.table,
            &row,
            &fk.parent,
            "riferimento inesistente",
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// `casa db stress-writes --count N` (hidden): certifies the first owner the operator keeps
/// the registry of, N times, each its own transaction with its audit record, and prints
/// `ok <certification id>` once each has been committed.
fn stress_writes(g: &Global, count: u64) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let owner = scope
        .grants
        .iter()
        .find(|(_, s)| *s == Service::Registry)
        .map(|(o, _)| *o)
        .ok_or_else(|| {
            anyhow!(InvalidInput(format!(
                "l'operatore {} non tiene l'anagrafe di alcun ente",
                scope.username
            )))
        })?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for _ in 0..count {
        let done = store.certify(&scope, owner)?;
        writeln!(out, "ok {}", done.id)?;
        out.flush()?;
    }
    Ok(())
}

pub fn init(g: &Global) -> Result<()> {
    let path = db_path(g)?;
    let existed = path.exists();
    let store = open_store(g, Access::ReadWrite)?;
    let (comuni, ambiti): (i64, i64) = store.conn().query_row(
        "SELECT (SELECT count(*) FROM municipality), (SELECT count(*) FROM district)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if existed {
        println!("Database già presente: {}", path.display());
    } else {
        println!("Database creato: {}", path.display());
    }
    println!(
        "Comuni: {comuni}, ambiti: {ambiti}, schema: {}",
        store.current_schema_version()?
    );
    if operators::count(store.conn())? == 0 {
        println!(
            "Nessun operatore registrato: il primo deve essere della Regione, ad es.\n  casa operators add mario.rossi --role regione --surname Rossi --name Mario --tax-code RSSMRA80A01H501U --email mario.rossi@example.it"
        );
    }
    Ok(())
}

pub fn doctor(g: &Global) -> Result<()> {
    let path = db_path(g)?;
    println!("casa {}", env!("CARGO_PKG_VERSION"));
    println!("database:        {}", path.display());
    println!("schema gestito:  {}", crate::store::schema_version());
    if path.exists() {
        match Store::open(&path, Access::ReadOnly) {
            Ok(store) => {
                let c = store.conn();
                println!("schema database: {}", store.current_schema_version()?);
                let (units, owners, synthetic): (i64, i64, i64) = c.query_row(
                    "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM owner),
                            (SELECT count(*) FROM owner WHERE synthetic_tax_code = 1)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                println!("alloggi:         {units}");
                println!(
                    "enti:            {owners} ({} con codice fiscale reale, {synthetic} con codice sintetico, generato)",
                    owners - synthetic
                );
                println!("operatori:       {}", operators::count(c)?);
                println!("registro audit:  {} voci", audit::count(c)?);
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("dimensione:      {:.1} MiB", size as f64 / 1048576.0);
            }
            Err(e) => println!("schema database: non leggibile ({e:#})"),
        }
    } else {
        println!("schema database: (non ancora creato)");
    }
    println!("SQLite:          {}", Store::sqlite_version());
    println!("configurazione:  {}", crate::paths::config_dir()?.display());
    println!("log:             {}", crate::paths::log_file()?.display());
    println!("dati demo:       {}", crate::paths::demo_db()?.display());
    Ok(())
}
