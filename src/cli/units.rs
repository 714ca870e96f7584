//! `casa units …`.

use super::Global;
use anyhow::{Result, bail};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Import units from a .csv or .xlsx file in the regional column set
    Import { file: std::path::PathBuf },
}

pub fn run(g: &Global, cmd: UnitsCommand) -> Result<()> {
    let _ = (g, cmd);
    bail!("non ancora implementato")
}
