//! `casa applications import`: a notice's applications (domande) from a file.

use crate::cli::{Global, InvalidInput, open};
use crate::output_file::Target;
use crate::service::Need;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ApplicationsCommand {
    /// Import applications from a .csv or .xlsx file (one row per household member; see
    /// docs/import-domande.md): every problem reported by line, nothing stored on error
    Import {
        file: PathBuf,
        #[arg(long)]
        notice: i64,
        /// Worksheet of an Excel file (default: the first)
        #[arg(long)]
        sheet: Option<String>,
        /// Also write the problems to this CSV file (- for standard output)
        #[arg(long)]
        report: Option<PathBuf>,
        /// Replace the report file if it exists
        #[arg(long)]
        force: bool,
        /// Check only: store nothing
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(g: &Global, cmd: ApplicationsCommand) -> Result<()> {
    match cmd {
        ApplicationsCommand::Import {
            file,
            notice,
            sheet,
            report,
            force,
            dry_run,
        } => import(
            g,
            &file,
            notice,
            sheet.as_deref(),
            report.map(|r| Target::new(&r, force)).as_ref(),
            dry_run,
        ),
    }
}

fn import(
    g: &Global,
    file: &Path,
    notice_id: i64,
    sheet: Option<&str>,
    report: Option<&Target>,
    dry_run: bool,
) -> Result<()> {
    if let Some(r) = report {
        r.ensure_usable(&crate::output_file::CSV)?;
    }
    let mut svc = open(g, if dry_run { Need::Read } else { Need::Write })?;
    if !dry_run {
        // Refused before the file is read.
        svc.may_import_applications(notice_id)?;
    }
    let known = svc.notice_condition_codes(notice_id)?;
    let apps = match crate::import::applications::read_applications(file, sheet, &known) {
        Ok(a) => a,
        Err(rep) => {
            let mut err = std::io::stderr().lock();
            rep.print(&mut err, Some(50))?;
            if let Some(p) = report {
                rep.write_csv(p)?;
                eprintln!("Elenco completo dei problemi in {}", p.shown());
            }
            return Err(anyhow!(InvalidInput(format!(
                "{}: {} righe con problemi; nessuna domanda importata",
                file.display(),
                rep.bad_lines()
            ))));
        }
    };
    if dry_run {
        println!(
            "{}: {} domande valide (verifica: nulla è stato importato)",
            file.display(),
            apps.len()
        );
        return Ok(());
    }
    let done = svc.import_applications(notice_id, &apps)?;
    println!(
        "Avviso {}: {} domande importate, {} già presenti e invariate",
        notice_id, done.new, done.unchanged
    );
    if !done.in_register.is_empty() {
        println!(
            "Attenzione: {} domande con componenti nel registro delle occupazioni senza titolo (saranno escluse dal calcolo delle graduatorie):",
            done.in_register.len()
        );
        for h in &done.in_register {
            println!("  {}: {}", h.code, h.reason);
        }
    }
    Ok(())
}
