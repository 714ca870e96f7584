//! Unit import from CSV and Excel (`casa units import`): read the whole file and check every
//! row first; then write everything in one transaction, or nothing at all.
//!
//! `check` only reads (it runs on a read-only connection in the CLI) and returns either the
//! full list of problems or a `Plan` of writes; `apply` writes a plan. Re-importing a file
//! already imported gives an empty plan, and nothing is written.

pub mod applications;
mod csv_file;
mod progress;
pub mod report;
pub mod source;
mod validate;
mod xlsx_file;

pub use report::{Problem, Report};

use crate::domain::access::{Action, Denied};
use crate::store::Store;
use crate::store::units::{Applied, ImportWrites};
use anyhow::Result;
use chrono::Datelike;
use serde::Serialize;
use std::path::Path;

/// How to read the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Worksheet of an Excel file (default: the first).
    pub sheet: Option<String>,
    /// Show progress bars on stderr (they stay hidden when stderr is not a terminal).
    pub progress: bool,
}

/// What a valid file would change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    /// Data rows read.
    pub rows: usize,
    pub units_new: usize,
    pub units_changed: usize,
    pub units_unchanged: usize,
    pub buildings_new: usize,
    pub buildings_changed: usize,
    pub owners_new: usize,
}

/// A checked file: the writes it needs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub file_name: String,
    pub file_size: u64,
    pub counts: PlanCounts,
    pub writes: ImportWrites,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !(self.writes.owners.is_empty()
            && self.writes.buildings.is_empty()
            && self.writes.units.is_empty())
    }
}

/// The verdict on a file.
#[derive(Debug)]
pub enum Checked {
    Valid(Plan),
    Invalid(Report),
}

/// Reads and checks the whole file against the database, as an operator whose permission
/// check is `may` (the service's) would import it. Writes nothing. Errors are failures of the database itself; problems with the file (including a
/// file that cannot be read) are in `Checked::Invalid`.
pub fn check(
    store: &Store,
    may: &dyn Fn(Action) -> Result<(), Denied>,
    path: &Path,
    opts: &Options,
) -> Result<Checked> {
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let this_year = chrono::Local::now().year();
    let bar = progress::reading(
        opts.progress && file_size >= progress::LARGE_FILE,
        file_size,
    );
    let mut validator = validate::Validator::new(store, may, this_year)?;
    {
        let bar = bar.clone();
        validator.on_progress(move |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        });
    }
    if let Err(reason) = source::read(path, opts.sheet.as_deref(), &mut validator) {
        validator.file_problem(reason);
    }
    bar.finish_and_clear();
    Ok(match validator.finish(file_name, file_size)? {
        Ok(plan) => Checked::Valid(plan),
        Err(report) => Checked::Invalid(report),
    })
}

/// Writes a checked plan in one transaction with one audit record (`alloggi.importa`).
pub fn apply(store: &mut Store, actor: &str, plan: &Plan, opts: &Options) -> Result<Applied> {
    let units = plan.writes.units.len() as u64;
    let bar = progress::writing(opts.progress && units >= progress::MANY_UNITS, units);
    let counts = &plan.counts;
    let after = |a: &Applied| {
        serde_json::json!({
            "file": plan.file_name,
            "size": plan.file_size,
            "rows": counts.rows,
            "created": a.units_created,
            "updated": a.units_updated,
            "unchanged": counts.units_unchanged,
            "buildings_created": a.buildings_created,
            "buildings_updated": a.buildings_updated,
            "owners_created": a.owners_created,
            "first_ids": a.changed_ids,
        })
    };
    let result = store.apply_unit_import(actor, &plan.file_name, &plan.writes, after, &mut |n| {
        bar.inc(n)
    });
    bar.finish_and_clear();
    result
}
