//! `casa units …`.

use super::{Global, InvalidInput, open};
use crate::domain::access::Denied;
use crate::import::{Checked, Options, Plan, Report};
use crate::output_file::Target;
use crate::service::{Need, Service, errors::refused_as_invalid};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Import units from a .csv or .xlsx file in the regional column set
    /// (see docs/import-alloggi.md). The whole file is checked first: any problem stops the
    /// import and nothing is written.
    Import {
        file: PathBuf,
        /// Worksheet to read from an .xlsx file (default: the first)
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Check the file only: report problems and what would change, write nothing
        #[arg(long)]
        dry_run: bool,
        /// Write the full list of problems to this CSV file (- for standard output)
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Replace the report file if it exists
        #[arg(long)]
        force: bool,
    },
    /// Change one unit: state, flags, works and their cost (only the values given change);
    /// refused if another session changed the unit since --version was read
    #[command(disable_version_flag = true)]
    Edit(super::unit_edit::EditArgs),
    #[command(flatten)]
    Query(super::unit_queries::UnitQueryCommand),
}

/// Problems printed on a terminal before the rest is left to `--report`.
const SHOWN_PROBLEMS: usize = 50;

pub fn run(g: &Global, cmd: UnitsCommand) -> Result<()> {
    match cmd {
        UnitsCommand::Import {
            file,
            sheet,
            dry_run,
            report,
            force,
        } => import_file(
            g,
            &file,
            sheet,
            dry_run,
            report.map(|r| Target::new(&r, force)).as_ref(),
        ),
        UnitsCommand::Edit(a) => super::unit_edit::run(g, &a),
        UnitsCommand::Query(c) => super::unit_queries::run(g, c),
    }
}

fn import_file(
    g: &Global,
    file: &Path,
    sheet: Option<String>,
    dry_run: bool,
    report_path: Option<&Target>,
) -> Result<()> {
    if let Some(r) = report_path {
        r.ensure_usable(&crate::output_file::CSV)?;
    }
    // Checking needs no write access: the database stays untouched until the file is valid.
    let svc = open(g, Need::Read)?;
    if !dry_run {
        svc.may_import_units()?;
    }
    let opts = Options {
        sheet,
        progress: std::io::stderr().is_terminal(),
    };
    let plan = match svc.check_unit_import(file, &opts)? {
        Checked::Invalid(report) => {
            return refuse(&report, report_path, svc.session().username());
        }
        Checked::Valid(plan) => plan,
    };
    if let Some(path) = report_path {
        write_report(&Report::default(), path)?;
    }
    let c = &plan.counts;
    if dry_run {
        println!(
            "Verifica superata, nessuna modifica scritta: {} righe; da creare {} alloggi, da aggiornare {}, invariati {}; fabbricati da creare {}{}.",
            c.rows,
            c.units_new,
            c.units_changed,
            c.units_unchanged,
            c.buildings_new,
            extras(
                c.buildings_changed,
                c.owners_new,
                "da aggiornare",
                "da registrare"
            ),
        );
        return Ok(());
    }
    if !plan.has_changes() {
        println!(
            "Nessuna modifica: {} righe, tutti gli alloggi sono già aggiornati.",
            c.rows
        );
        return Ok(());
    }
    write(svc, &plan, &opts)
}

/// Writes a checked import on a connection that may write, the reading one closed first (as
/// the last one to close, the writer then folds the log into the database).
fn write(svc: Service, plan: &Plan, opts: &Options) -> Result<()> {
    let reopen = svc.reopener();
    drop(svc);
    let mut svc = reopen.open(Need::Write)?;
    let applied = svc
        .apply_unit_import(plan, opts)
        .map_err(refused_as_invalid)?;
    println!(
        "Importazione completata: {} righe; alloggi creati {}, aggiornati {}, invariati {}; fabbricati creati {}{}.",
        plan.counts.rows,
        applied.units_created,
        applied.units_updated,
        plan.counts.units_unchanged,
        applied.buildings_created,
        extras(
            applied.buildings_updated,
            applied.owners_created,
            "aggiornati",
            "registrati"
        ),
    );
    Ok(())
}

/// The rarer counts, only when not zero.
fn extras(buildings: usize, owners: usize, updated: &str, registered: &str) -> String {
    let mut s = String::new();
    if buildings > 0 {
        s += &format!(", fabbricati {updated} {buildings}");
    }
    if owners > 0 {
        s += &format!("; operatori accreditati {registered} {owners}");
    }
    s
}

/// Prints the problems (capped on a terminal), writes the full report when asked, and fails
/// with exit code 4.
fn refuse(report: &Report, report_path: Option<&Target>, username: &str) -> Result<()> {
    if let Some(path) = report_path {
        write_report(report, path)?;
    }
    let stderr = std::io::stderr();
    let limit = stderr.is_terminal().then_some(SHOWN_PROBLEMS);
    report.print(&mut stderr.lock(), limit)?;
    let n = report.problems.len();
    let what = if n == 1 {
        "1 problema".to_string()
    } else {
        format!("{n} problemi")
    };
    let lines = match report.bad_lines() {
        0 => String::new(),
        1 => " in 1 riga".to_string(),
        l => format!(" in {l} righe"),
    };
    // Every problem is the operator's missing permission (the refusals of domain::access
    // name the operator): not allowed, exit 3, like every other command.
    let who = format!("operatore {username}");
    if n > 0 && report.problems.iter().all(|p| p.reason.contains(&who)) {
        bail!(Denied(format!(
            "file non importato: l'{who} non può modificare l'anagrafe degli enti del file; il database non è stato modificato"
        )));
    }
    bail!(InvalidInput(format!(
        "file non importato: {what}{lines}; il database non è stato modificato"
    )))
}

fn write_report(report: &Report, path: &Target) -> Result<()> {
    report
        .write_csv(path)
        .with_context(|| format!("impossibile scrivere il rapporto {}", path.shown()))
}
