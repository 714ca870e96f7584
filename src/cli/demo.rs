//! `casa demo`: creates or refreshes a demo database.

use super::Global;
use crate::demo::{self, Event, Options, Summary};
use crate::service::database;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Duration;

/// Most units a demo may have (the benchmarks use 1,000,000; Lombardy has about 160,000).
pub const MAX_UNITS: u64 = 2_000_000;
/// Most applications of the demo notice (the rankings benchmark uses 500,000).
pub const MAX_APPLICATIONS: u64 = 1_000_000;

/// A whole number in `0..=max`, refused in Italian otherwise (clap's own message is English).
fn count_arg(s: &str, max: u64) -> Result<u64, String> {
    let shown = crate::safe_text::excerpt(s);
    let n: u64 = s.trim().parse().map_err(|_| {
        format!(
            "'{shown}' non è un numero intero tra 0 e {}",
            crate::safe_text::thousands(max)
        )
    })?;
    if n > max {
        return Err(format!(
            "al massimo {} (indicato {})",
            crate::safe_text::thousands(max),
            crate::safe_text::thousands(n)
        ));
    }
    Ok(n)
}

fn units_arg(s: &str) -> Result<u64, String> {
    count_arg(s, MAX_UNITS)
}

fn applications_arg(s: &str) -> Result<usize, String> {
    count_arg(s, MAX_APPLICATIONS).map(|n| n as usize)
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Number of housing units to generate (at most 2,000,000)
    #[arg(long, default_value_t = 50_000, value_parser = units_arg)]
    pub units: u64,
    /// Random seed: the same seed gives the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Applications of the demo notice (a closed notice with its provisional rankings); 0: none;
    /// at most 1,000,000
    #[arg(long, default_value_t = 20_000, value_parser = applications_arg)]
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
    let mut notice = None;
    // The notice is built in the new database before it replaces the old one: an
    // interrupted demo leaves the previous database as it was.
    let result = demo::create_with(path, &opts, &mut on_event, &mut |tmp| {
        if args.applications > 0 {
            bar.set_message("avviso e graduatorie");
        }
        notice = demo::notice::create(
            tmp,
            args.applications,
            args.seed,
            chrono::Local::now().date_naive(),
        )?;
        Ok(())
    });
    bar.finish_and_clear();
    eprintln!("{}", summary_line(&result?));
    if let Some(n) = notice {
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
        "Database dimostrativo {} (seme {}): {} alloggi, {} fabbricati, {} nuclei, {} inquilini, {} ambiti ({} dimostrativi), {} operatori, {} occupazioni senza titolo ({} in corso) in {} s",
        s.path.display(),
        s.seed,
        thousands(s.rows.units),
        thousands(s.rows.buildings),
        thousands(s.rows.households),
        thousands(s.rows.tenants),
        s.districts,
        s.synthetic_districts,
        thousands(s.operators),
        thousands((s.occupations.open + s.occupations.closed) as u64),
        thousands(s.occupations.open as u64),
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
