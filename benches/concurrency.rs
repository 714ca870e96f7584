//! The concurrency soak: N workers run a mix of real casa commands (one process per
//! operation) on one database at once, then every check of tests/support/soak runs. It writes
//! into the database it is given: use a copy made for it.
//!
//!   ./target/release/casa demo --units 100000 --db /tmp/c.sqlite
//!   cargo bench --bench concurrency -- --db /tmp/c.sqlite --processes 20 --ops 50
//!
//! Options: --seed N (operation mix), --work-dir DIR (keep logs). Exit 1 when a check fails.

#[path = "../tests/support/soak/mod.rs"]
mod soak;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut o = soak::Options {
        exe: env!("CARGO_BIN_EXE_casa").into(),
        db: PathBuf::new(),
        processes: 20,
        ops: 50,
        seed: 1,
        work_dir: None,
        home: None,
    };
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match a.as_str() {
            "--db" => o.db = value().into(),
            "--processes" => o.processes = value().parse().unwrap_or(0),
            "--ops" => o.ops = value().parse().unwrap_or(0),
            "--seed" => o.seed = value().parse().unwrap_or(1),
            "--work-dir" => o.work_dir = Some(value().into()),
            other => {
                eprintln!("opzione sconosciuta: {other}");
                return ExitCode::from(2);
            }
        }
    }
    if o.db.as_os_str().is_empty() {
        eprintln!(
            "uso: cargo bench --bench concurrency -- --db DB [--processes N] [--ops N] [--seed N] [--work-dir DIR]"
        );
        return ExitCode::from(2);
    }
    match soak::run(&o) {
        Ok(outcome) if outcome.failures.is_empty() => ExitCode::SUCCESS,
        Ok(outcome) => {
            eprintln!("{} controlli falliti", outcome.failures.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("errore: {e:#}");
            ExitCode::FAILURE
        }
    }
}
