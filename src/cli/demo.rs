//! `casa demo`: creates or refreshes a demo database.

use super::Global;
use crate::demo::{self, Event, Options, Summary};
use crate::service::database;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of housing units to generate
    #[arg(long, default_value_t = 50_000)]
    pub units: u64,
    /// Random seed: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Applications of the demo notice (a closed notice with its provisional rankings); 0: none
    #[arg(long, default_value_t = 20_000)]
    pub applications: usize,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            units: 50_000,
            seed: 1,
            applications: 20_000,
        }
    }
}

/// `casa demo`: at `--db`/`CASA_DB` when given, else the demo database of the data directory.
/// Replacing an existing demo database is the Regione's (`regione` unless `--operator` says
/// otherwise, as with `--demo`).
pub fn run(g: &Global, args: &DemoArgs) -> Result<()> {
    let path = match &g.db {
        Some(p) if !g.demo => p.clone(),
        _ => crate::config::paths::demo_db()?,
    };
    database::may_replace_demo(&path, &super::claim_as(g, true))?;
    create(&path, args)
}

/// Builds the demo database at `path`, with a progress bar on stderr (hidden when stderr is not
/// a terminal) and a one-line summary at the end.
pub fn create(path: &Path, args: &DemoArgs) -> Result<()> {
    let bar = ProgressBar::new(args.units).with_style(
        ProgressStyle::with_template(
            "{spinner} {msg:<20} [{bar:30}] {human_pos}/{human_len} alloggi ({elapsed})",
        )?
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut on_event = |e: Event| match e {
        Event::Phase(name) => bar.set_message(name),
        Event::Units(n) => bar.set_position(n),
    };
    let opts = Options {
        units: args.units,
        seed: args.seed,
    };
    let result = demo::create(path, &opts, &mut on_event);
    if result.is_ok() && args.applications > 0 {
        bar.set_message("avviso e graduatorie");
    }
    let notice = match &result {
        Ok(_) => demo::notice::create(
            path,
            args.applications,
            args.seed,
            chrono::Local::now().date_naive(),
        ),
        Err(_) => Ok(None),
    };
    bar.finish_and_clear();
    eprintln!("{}", summary_line(&result?));
    if let Some(n) = notice? {
        eprintln!(
            "Avviso dimostrativo {} (ambito {}): {} domande, {} graduatorie provvisorie, {} domande escluse",
            n.notice_id,
            n.district,
            thousands(n.applications as u64),
            n.rankings,
            thousands(n.excluded as u64)
        );
    }
    Ok(())
}

/// Thousands separated by dots, the Italian way.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn summary_line(s: &Summary) -> String {
    format!(
        "Database dimostrativo {} (seme {}): {} alloggi, {} fabbricati, {} nuclei, {} inquilini, {} ambiti ({} dimostrativi), {} operatori in {} s",
        s.path.display(),
        s.seed,
        thousands(s.rows.units),
        thousands(s.rows.buildings),
        thousands(s.rows.households),
        thousands(s.rows.tenants),
        s.districts,
        s.synthetic_districts,
        thousands(s.operators),
        format!("{:.1}", s.elapsed.as_secs_f64()).replace('.', ",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }
}
