//! `casa demo`: creates or refreshes a demo database.

use super::Global;
use anyhow::{Result, bail};
use std::path::Path;

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of housing units to generate
    #[arg(long, default_value_t = 50_000)]
    pub units: u64,
    /// Random seed: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            units: 50_000,
            seed: 1,
        }
    }
}

pub fn run(g: &Global, args: &DemoArgs) -> Result<()> {
    let _ = (g, args);
    bail!("non ancora implementato")
}

pub fn create(path: &Path, args: &DemoArgs) -> Result<()> {
    let _ = (path, args);
    bail!("non ancora implementato")
}
