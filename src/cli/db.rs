//! `casa init`, `casa doctor` and the `casa db` group: backup, restore, check.

use super::{Format, Global, InvalidInput, db_path, open};
use crate::service::{Need, database};
use crate::store::backup::{CheckReport, Summary};
use anyhow::{Result, bail};
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
    /// (Regione only: the copy holds every personal datum)
    Backup {
        /// The copy to write (refused if it exists, unless --force; - for standard output)
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
}

pub fn run(g: &Global, cmd: DbCommand) -> Result<()> {
    // A file the user named that cannot be used is refused with exit code 4 (`BadFile`).
    match cmd {
        DbCommand::Init => init(g),
        DbCommand::Doctor => doctor(g),
        DbCommand::Backup { file, force } => backup_cmd(g, &file, force),
        DbCommand::Restore { file } => restore_cmd(g, &file),
        DbCommand::Check { file, format } => check_cmd(g, file, format),
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

fn summary_text(s: &Summary) -> String {
    format!(
        "  dimensione:     {}\n  schema:         {}\n  alloggi:        {}\n  registro audit: {} voci\n",
        mib(s.size),
        s.schema_version,
        s.units,
        s.audit_records
    )
}

fn print_summary(s: &Summary) {
    print!("{}", summary_text(s));
}

fn live_db(g: &Global) -> Result<PathBuf> {
    Ok(super::open_inputs(g)?.0)
}

/// `casa db backup FILE [--force]`: the Regione.
fn backup_cmd(g: &Global, file: &std::path::Path, force: bool) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let path = svc.database_path().to_path_buf();
    let target = crate::output_file::Target::new(file, force);
    let summary = svc.backup(&target)?;
    let line = format!(
        "Copia di {} salvata in {} e verificata (integrità, identificativo casa):",
        path.display(),
        target.shown()
    );
    if target.is_stdout() {
        // The copy went to standard output: the summary goes to stderr.
        eprintln!("{line}");
        eprint!("{}", summary_text(&summary));
    } else {
        println!("{line}");
        print_summary(&summary);
    }
    Ok(())
}

/// `casa db restore FILE`: Regione only.
fn restore_cmd(g: &Global, file: &std::path::Path) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    let done = svc.restore(file)?;
    println!(
        "Copia di sicurezza del database precedente: {}",
        done.safety_copy.path.display()
    );
    print_summary(&done.safety_copy);
    println!(
        "Database {} ripristinato da {}:",
        svc.database_path().display(),
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
    if g.remote() {
        // Over SSH the file is the service's: its checks are for who reads the audit trail.
        open(g, Need::Read)?.may_check_database()?;
    }
    let path = match file {
        Some(f) => f,
        None => live_db(g)?,
    };
    if !path.exists() {
        bail!(InvalidInput(format!("{} non esiste", path.display())));
    }
    let report = database::check(&path)?;
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
    let n = report.file_problems.len()
        + report.integrity.len()
        + report.foreign_keys.len()
        + usize::from(report.audit.as_ref().is_some_and(|a| !a.is_whole()));
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
    match &r.audit {
        None => writeln!(
            out,
            "  registro audit:       non verificato (schema senza catena)"
        )?,
        Some(a) => match (&a.problem, &a.head) {
            (Some(p), _) => writeln!(out, "  registro audit:       PROBLEMA: {p}")?,
            (None, Some(h)) => writeln!(
                out,
                "  registro audit:       ok ({} record, catena integra fino al n. {})",
                a.checked, h.id
            )?,
            (None, None) => writeln!(out, "  registro audit:       ok (vuoto)")?,
        },
    }
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
    if let Some(a) = &r.audit
        && let Some(p) = &a.problem
    {
        let record = a.problem_record.map(|n| n.to_string()).unwrap_or_default();
        w.write_record(["registro_audit", "audit", &record, "", p])?;
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

pub fn init(g: &Global) -> Result<()> {
    let path = live_db(g)?;
    let done = database::init(&path, g.read_only)?;
    if done.existed {
        println!("Database già presente: {}", path.display());
    } else {
        println!("Database creato: {}", path.display());
    }
    println!(
        "Comuni: {}, ambiti: {}, schema: {}",
        done.facts.comuni, done.facts.districts, done.schema_version
    );
    if done.facts.operators == 0 {
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
        match database::inspect(&path) {
            Ok((schema, f)) => {
                println!("schema database: {schema}");
                println!("alloggi:         {}", f.units);
                println!(
                    "enti:            {} ({} con codice fiscale reale, {} con codice sintetico, generato)",
                    f.owners,
                    f.owners - f.synthetic_owners,
                    f.synthetic_owners
                );
                println!("operatori:       {}", f.operators);
                println!("registro audit:  {} voci", f.audit_records);
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("dimensione:      {:.1} MiB", size as f64 / 1048576.0);
            }
            Err(e) => println!(
                "schema database: non leggibile ({})",
                crate::italian::render(&e)
            ),
        }
    } else {
        println!("schema database: (non ancora creato)");
    }
    println!("SQLite:          {}", database::sqlite_version());
    use crate::config::paths;
    println!("configurazione:  {}", paths::config_dir()?.display());
    println!("log:             {}", paths::log_file()?.display());
    println!("dati demo:       {}", paths::demo_db()?.display());
    setup_checks(&path)
}

/// The shared set-up: modes and ownership of the data folder and the database files, sshd's
/// snippet or the account's authorized_keys. Problems make `doctor` exit 1.
fn setup_checks(db: &std::path::Path) -> Result<()> {
    use crate::ssh::setup_check::{self, Setup};
    let db = std::path::absolute(db)?;
    let user = super::login_name();
    let registered = if db.exists() {
        crate::service::keys::authorized(&db, None, false)
            .map(|v| {
                v.into_iter()
                    .filter_map(|u| match u {
                        crate::service::keys::KeyUse::Operator { key, .. } => Some(key.fingerprint),
                        crate::service::keys::KeyUse::Registration { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut sshd_files = vec![PathBuf::from("/etc/ssh/sshd_config")];
    if let Ok(dir) = std::fs::read_dir("/etc/ssh/sshd_config.d") {
        let mut more: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "conf"))
            .collect();
        more.sort();
        sshd_files.extend(more);
    }
    let setup = Setup {
        db: &db,
        uid: crate::private_files::current_uid(),
        user: &user,
        home: std::env::var_os("HOME").map(PathBuf::from),
        sshd_files,
        registered,
    };
    let mut findings = setup_check::files(&setup);
    findings.extend(setup_check::sshd(&setup));
    println!("controlli dell'installazione:");
    for f in &findings {
        println!("  {}", f.line());
    }
    let problems = findings.iter().filter(|f| f.is_problem()).count();
    if problems > 0 {
        bail!("{problems} problemi nell'installazione (vedi sopra)");
    }
    Ok(())
}
