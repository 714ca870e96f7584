//! The concurrency soak: many workers run a seeded mix of real casa commands (one casa process
//! per operation) against one database at once; then every acknowledged change must be stored,
//! no update lost, no user shown a busy or locked database, and the file intact. It writes
//! plans, certifications, communications, units and rankings into the database it is given,
//! so it is test support, not part of the casa binary: `tests/concurrency.rs` runs 6 workers ×
//! 12 operations, `cargo bench --bench concurrency -- --db DB` the 20 × 50 soak.

#![allow(dead_code)] // the test and the bench use different parts

pub mod check;
mod child;
mod prepare;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The casa binary the workers run.
    pub exe: PathBuf,
    /// The database, prepared by `casa demo` (with applications).
    pub db: PathBuf,
    /// Workers running at the same time (each runs one casa process after another).
    pub processes: usize,
    /// Operations per worker.
    pub ops: usize,
    /// Seed of the operation mix.
    pub seed: u64,
    /// Keep logs and files here (default: a temporary directory, removed when all checks pass).
    pub work_dir: Option<PathBuf>,
    /// HOME (and the XDG directories under it) of every casa process, so that their logs stay
    /// out of the user's; default: inherited.
    pub home: Option<PathBuf>,
}

/// What a run did: every operation logged, and the checks that failed.
pub struct Outcome {
    pub lines: Vec<LogLine>,
    pub failures: Vec<String>,
    /// Where the logs are (kept when a check failed or a work directory was given).
    pub work: PathBuf,
    pub wall: Duration,
}

/// A unit the children edit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UnitRef {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) building_code: String,
    pub(crate) istat: String,
    pub(crate) address: String,
    pub(crate) service: String,
    pub(crate) state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OwnerSpec {
    pub(crate) id: i64,
    pub(crate) tax_code: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) operator: String,
    /// Units in the plan's states: `units mark` / `--undo` from several children.
    pub(crate) mark_units: Vec<i64>,
    /// Units updated by `units import` from several children (the Scala column).
    pub(crate) edit_units: Vec<UnitRef>,
    /// Where imported new units go (building code, istat, address).
    pub(crate) new_units_in: UnitRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChildSpec {
    pub(crate) operator: String,
    /// Index into `Spec::owners`; None: the capofila.
    pub(crate) owner: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Spec {
    pub(crate) exe: PathBuf,
    pub(crate) db: PathBuf,
    pub(crate) home: Option<PathBuf>,
    pub(crate) work: PathBuf,
    pub(crate) run_tag: String,
    pub(crate) seed: u64,
    pub(crate) ops: usize,
    pub(crate) plan_id: i64,
    pub(crate) year: i32,
    pub(crate) notice_id: i64,
    pub(crate) capofila: String,
    pub(crate) owners: Vec<OwnerSpec>,
    pub(crate) children: Vec<ChildSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpOutcome {
    Ok,
    ConflictReported,
    Denied,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogLine {
    pub child: usize,
    pub seq: usize,
    pub op: String,
    pub key: String,
    pub outcome: OpOutcome,
    pub exit: Option<i32>,
    /// What the user was shown (stderr, then stdout; long outputs cut).
    pub text: String,
    /// Whether anything shown mentioned a busy or locked database.
    pub busy: bool,
    pub start_us: u64,
    pub end_us: u64,
    pub ms: f64,
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// What a user may never see: SQLite's lock errors.
pub fn mentions_busy(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("busy") || t.contains("database is locked") || t.contains("locked")
}

/// The Italian message of a refused stale communication save.
pub(crate) const STALE_COMM: &str = "modificata da un'altra sessione";
/// The Italian message of an import that met a concurrent change.
pub(crate) const STALE_IMPORT: &str = "modificato da un altro operatore";

pub(crate) fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// One finished casa process.
pub(crate) struct Ran {
    pub(crate) exit: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) start_us: u64,
    pub(crate) end_us: u64,
    pub(crate) ms: f64,
}

impl Ran {
    pub(crate) fn text(&self) -> String {
        let mut t = self.stderr.clone();
        if !self.stdout.is_empty() {
            if !t.is_empty() {
                t.push('\n');
            }
            t.push_str(&self.stdout);
        }
        t
    }

    pub(crate) fn outcome(&self) -> OpOutcome {
        let err = &self.stderr;
        match self.exit {
            Some(0) => OpOutcome::Ok,
            Some(4) if err.contains(STALE_COMM) => OpOutcome::ConflictReported,
            Some(4) if err.contains(STALE_IMPORT) => OpOutcome::ConflictReported,
            Some(3) => OpOutcome::Denied,
            _ => OpOutcome::Error,
        }
    }
}

pub(crate) fn casa(
    exe: &Path,
    db: &Path,
    home: Option<&Path>,
    operator: &str,
    args: &[String],
) -> Ran {
    let start = SystemTime::now();
    let clock = Instant::now();
    let mut cmd = Command::new(exe);
    cmd.arg("--db")
        .arg(db)
        .args(["--operator", operator])
        .args(args)
        .env_remove("CASA_OPERATOR")
        .env_remove("CASA_DB")
        .stdin(Stdio::null());
    if let Some(h) = home {
        cmd.env("HOME", h)
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CONFIG_HOME", h.join("config"));
    }
    let out = cmd.output();
    let ms = clock.elapsed().as_secs_f64() * 1000.0;
    let end = SystemTime::now();
    match out {
        Ok(o) => Ran {
            exit: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            start_us: micros(start),
            end_us: micros(end),
            ms,
        },
        Err(e) => Ran {
            exit: None,
            stdout: String::new(),
            stderr: format!("impossibile avviare {}: {e}", exe.display()),
            start_us: micros(start),
            end_us: micros(end),
            ms,
        },
    }
}

pub(crate) fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Prepares the database, runs the workers, checks and prints the report (timings per
/// operation). `Err` only when the run could not be made; failed checks are in the outcome.
pub fn run(o: &Options) -> Result<Outcome> {
    if o.processes == 0 || o.ops == 0 {
        bail!("processes e ops devono essere maggiori di zero");
    }
    if !o.db.exists() {
        bail!(
            "il database {} non esiste: prepararlo con `casa demo`",
            o.db.display()
        );
    }
    let db = std::fs::canonicalize(&o.db)?;
    let (work, temporary) = match &o.work_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "casa-soak-{}-{}",
                std::process::id(),
                micros(SystemTime::now())
            )),
            true,
        ),
    };
    std::fs::create_dir_all(&work)
        .with_context(|| format!("impossibile creare {}", work.display()))?;
    let work = std::fs::canonicalize(&work)?;

    eprintln!("Preparazione: piano aperto, certificazioni e prime comunicazioni…");
    let spec = prepare::prepare(&o.exe, &db, &work, o)?;
    std::fs::write(work.join("spec.json"), serde_json::to_vec_pretty(&spec)?)?;
    let before = prepare::snapshot(&rusqlite::Connection::open(&db)?, &spec)?;

    eprintln!(
        "Avvio {} processi × {} operazioni su {} (piano {}, avviso {}, enti {})…",
        o.processes,
        o.ops,
        db.display(),
        spec.plan_id,
        spec.notice_id,
        spec.owners
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let started = Instant::now();
    let mut failures = Vec::new();
    // One thread per worker, each running one casa process after another: the casa processes
    // of all workers run at the same time.
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..o.processes)
            .map(|i| {
                let spec = &spec;
                scope.spawn(move || child::worker(spec, i))
            })
            .collect();
        for (i, w) in workers.into_iter().enumerate() {
            match w.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("il processo {i} si è fermato: {e:#}")),
                Err(_) => failures.push(format!("il processo {i} è terminato in errore")),
            }
        }
    });
    let wall = started.elapsed();

    let mut lines = Vec::new();
    for i in 0..o.processes {
        let path = work.join(format!("child-{i:02}.jsonl"));
        let Ok(f) = std::fs::File::open(&path) else {
            failures.push(format!("registro mancante: {}", path.display()));
            continue;
        };
        for l in std::io::BufReader::new(f).lines() {
            let l = l?;
            match serde_json::from_str::<LogLine>(&l) {
                Ok(line) => lines.push(line),
                Err(e) => failures.push(format!("riga di registro illeggibile ({e}): {l}")),
            }
        }
    }
    failures.extend(check::check(
        &rusqlite::Connection::open(&db)?,
        &spec,
        &before,
        &lines,
    )?);

    check::report(&lines, wall);
    if failures.is_empty() {
        println!("Tutti i controlli superati.");
        if temporary {
            let _ = std::fs::remove_dir_all(&work);
        }
    } else {
        for f in failures.iter().take(50) {
            println!("CONTROLLO FALLITO: {f}");
        }
        if failures.len() > 50 {
            println!("… e altri {} controlli falliti", failures.len() - 50);
        }
        println!("Registri dei processi in {}", work.display());
    }
    Ok(Outcome {
        lines,
        failures,
        work,
        wall,
    })
}
