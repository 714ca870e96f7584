//! The command line: clap definitions and dispatch. Each subcommand group has its own module.

mod bench;
mod certification;
mod comm;
mod db;
mod demo;
mod operators;
pub mod output;
mod plan;
mod rankings;
mod registry;
mod rules;
mod unit_queries;
mod units;

use crate::domain::access::{Denied, OperatorScope};
use crate::store::{Access, Store};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub use output::Format;

/// casa — anagrafe, programmazione e graduatorie dei servizi abitativi pubblici lombardi.
#[derive(Debug, Parser)]
#[command(name = "casa", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Database file (default: casa.sqlite in the data directory; `casa demo` and --demo use demo.sqlite)
    #[arg(long, global = true, env = "CASA_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use the demo database in the data directory, creating it on first use
    #[arg(long, global = true, conflicts_with = "db")]
    pub demo: bool,
    /// Operator acting (default: the login name; with --demo: `regione`)
    #[arg(long, global = true, env = "CASA_OPERATOR", value_name = "USER")]
    pub operator: Option<String>,
    /// Open the database read-only: no command may change anything
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Colour theme: default, mono, or NAME.toml in the configuration's themes/ (NO_COLOR wins)
    #[arg(long, global = true, env = "CASA_THEME", value_name = "NAME")]
    pub theme: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database with the reference data (comuni, ambiti, ALER, Regione)
    Init,
    /// Create or refresh a demo database with realistic generated data
    Demo(demo::DemoArgs),
    /// Print version, paths, schema and SQLite versions
    Doctor,
    /// Validate the keymap and theme files in the configuration directory
    CheckConfig,
    /// Housing units: import, search, count, show, export the plan lists, mark for a plan
    #[command(subcommand)]
    Units(units::UnitsCommand),
    /// Operators: register, list, grant services, disable
    #[command(subcommand)]
    Operators(operators::OperatorsCommand),
    /// SCHEDA CERTIFICAZIONE: an owner's registry totals; certify, or declare no units
    #[command(subcommand)]
    Certification(certification::CertificationCommand),
    /// SCHEDA PROGRAMMAZIONE ANNUALE: plans, their window and lifecycle, the capofila's overview
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// SCHEMA COMUNICAZIONE ANNUALE: owners' communications for a plan
    #[command(subcommand)]
    Comm(comm::CommCommand),
    /// Districts (ambiti) and their capofila
    #[command(subcommand)]
    Districts(registry::DistrictsCommand),
    /// Bodies that own or manage units (Comuni, ALER, operatori accreditati)
    #[command(subcommand)]
    Owners(registry::OwnersCommand),
    /// Rule sets: the legal parameters by act and date; check and load a file
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Notices (avvisi) of a district: create, show, close
    #[command(subcommand)]
    Notice(rankings::NoticeCommand),
    /// Applications (domande) of a notice: import
    #[command(subcommand)]
    Applications(rankings::ApplicationsCommand),
    /// Rankings: compute, show, export, compare with another rule set, correct, finalize
    #[command(subcommand)]
    Rankings(rankings::RankingsCommand),
    /// ISBAR: explain an application's score
    #[command(subcommand)]
    Isbar(rankings::IsbarCommand),
    /// Benchmarks: many casa processes on one database at once, with checks (see README)
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The database file: backup, restore, check (also init and doctor)
    #[command(subcommand)]
    Db(db::DbCommand),
}

/// Exit codes that scripts can rely on (documented in the README).
pub mod exit {
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DENIED: u8 = 3;
    pub const INVALID_INPUT: u8 = 4;
}

/// An error in what the user gave us (a file, a value): exit code 4.
#[derive(Debug)]
pub struct InvalidInput(pub String);

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidInput {}

#[cfg(test)]
mod screen_start_tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<std::ffi::OsString> {
        std::iter::once("casa")
            .chain(v.iter().copied())
            .map(Into::into)
            .collect()
    }

    #[test]
    fn only_global_options_start_the_screen() {
        assert!(screen_start(&args(&[])));
        assert!(screen_start(&args(&[
            "--operator",
            "regione",
            "--db",
            "x.sqlite"
        ])));
        assert!(screen_start(&args(&[
            "--demo",
            "--read-only",
            "--theme=mono"
        ])));
        assert!(!screen_start(&args(&["--help"])));
        assert!(!screen_start(&args(&["--version"])));
        assert!(!screen_start(&args(&["--db"])));
        assert!(!screen_start(&args(&["units", "search"])));
        assert!(!screen_start(&args(&["--operator", "x", "plan", "list"])));
    }

    #[test]
    fn the_screen_parser_agrees_with_the_full_one() {
        for a in [
            vec!["--operator", "regione", "--db", "x.sqlite", "--read-only"],
            vec!["--demo", "--theme", "mono"],
        ] {
            let full = Cli::try_parse_from(args(&a)).unwrap();
            let short = ScreenStart::try_parse_from(args(&a)).unwrap();
            assert_eq!(format!("{:?}", full.global), format!("{:?}", short.global));
            assert!(full.command.is_none());
        }
        // The conflict --demo / --db holds in both.
        let a = args(&["--demo", "--db", "x"]);
        assert!(Cli::try_parse_from(&a).is_err());
        assert!(ScreenStart::try_parse_from(&a).is_err());
    }
}

/// A start of the full-screen interface: global options only. Parsed on its own because clap
/// builds every subcommand's definition before parsing, and starting the screen is the most
/// frequent invocation (its time is a target, see BENCHMARKS.md).
#[derive(Debug, Parser)]
#[command(name = "casa")]
struct ScreenStart {
    #[command(flatten)]
    global: Global,
}

/// Whether the arguments are only global options (then `casa` opens the screen).
fn screen_start(args: &[std::ffi::OsString]) -> bool {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let Some(s) = a.to_str() else {
            return false;
        };
        match s {
            "--demo" | "--read-only" => {}
            "--db" | "--operator" | "--theme" => {
                if it.next().is_none() {
                    return false;
                }
            }
            _ if ["--db=", "--operator=", "--theme="]
                .iter()
                .any(|p| s.starts_with(p)) => {}
            _ => return false,
        }
    }
    true
}

fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if screen_start(&args) {
        return ScreenStart::try_parse_from(&args).map(|s| Cli {
            global: s.global,
            command: None,
        });
    }
    Cli::try_parse_from(&args)
}

pub fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("errore: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<Denied>().is_some() {
        exit::DENIED
    } else if e.downcast_ref::<InvalidInput>().is_some() {
        exit::INVALID_INPUT
    } else {
        exit::ERROR
    }
}

fn init_logging() {
    let Ok(path) = crate::paths::log_file() else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
}

pub fn run(cli: Cli) -> Result<()> {
    let g = cli.global;
    match cli.command {
        None => {
            use std::io::IsTerminal;
            if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
                bail!(InvalidInput(
                    "l'interfaccia a schermo richiede un terminale; per gli script usare i sottocomandi (casa --help)".into()
                ));
            }
            crate::tui::run(&g, g.theme.as_deref())
        }
        Some(Command::CheckConfig) => check_config(&g),
        Some(Command::Init) => db::init(&g),
        Some(Command::Doctor) => db::doctor(&g),
        Some(Command::Demo(args)) => demo::run(&g, &args),
        Some(Command::Units(c)) => units::run(&g, c),
        Some(Command::Operators(c)) => operators::run(&g, c),
        Some(Command::Certification(c)) => certification::run(&g, c),
        Some(Command::Plan(c)) => plan::run(&g, c),
        Some(Command::Comm(c)) => comm::run(&g, c),
        Some(Command::Districts(c)) => registry::districts(&g, c),
        Some(Command::Owners(c)) => registry::owners(&g, c),
        Some(Command::Rules(c)) => rules::run(&g, c),
        Some(Command::Notice(c)) => rankings::notice(&g, c),
        Some(Command::Applications(c)) => rankings::applications(&g, c),
        Some(Command::Rankings(c)) => rankings::rankings(&g, c),
        Some(Command::Isbar(c)) => rankings::isbar(&g, c),
        Some(Command::Bench(c)) => bench::run(&g, c),
        Some(Command::Db(c)) => db::run(&g, c),
    }
}

/// The database file this invocation works on.
pub fn db_path(g: &Global) -> Result<PathBuf> {
    if g.demo {
        return crate::paths::demo_db();
    }
    match &g.db {
        Some(p) => Ok(p.clone()),
        None => crate::paths::default_db(),
    }
}

/// Creates the demo database with default settings when `--demo` finds none.
fn ensure_demo(path: &std::path::Path) -> Result<()> {
    if !path.exists() {
        eprintln!(
            "Creo il database dimostrativo in {} (solo la prima volta)…",
            path.display()
        );
        demo::create(path, &demo::DemoArgs::default())?;
    }
    Ok(())
}

/// The login name, used as operator when none is given.
pub fn login_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "operatore".to_string())
}

/// Opens the database for this invocation (read-only when asked, or for a read-only command).
pub fn open_store(g: &Global, access: Access) -> Result<Store> {
    let path = db_path(g)?;
    if g.demo {
        ensure_demo(&path)?;
    }
    let access = if g.read_only {
        Access::ReadOnly
    } else {
        access
    };
    Store::open(&path, access)
}

/// Opens the database and loads the acting operator, refusing unknown or inactive operators.
/// Helpdesk operators get a read-only store whatever the command.
pub fn session(g: &Global, access: Access) -> Result<(Store, OperatorScope)> {
    let username = match &g.operator {
        Some(u) => u.clone(),
        None if g.demo => "regione".to_string(),
        None => login_name(),
    };
    let store = open_store(g, access)?;
    let scope = crate::store::operators::scope(store.conn(), &username)?.ok_or_else(|| {
        anyhow!(Denied(format!(
            "operatore '{username}' sconosciuto: indicare --operator con un operatore registrato (casa operators list)"
        )))
    })?;
    if scope.status != crate::domain::access::OperatorStatus::Active {
        // The check itself words the reason (pending or disabled).
        scope
            .check(crate::domain::access::Action::ViewOwner { owner_id: 0 })
            .map_err(anyhow::Error::new)?;
    }
    if scope.is_read_only() && store.access() == Access::ReadWrite {
        drop(store);
        let store = Store::open(&db_path(g)?, Access::ReadOnly)
            .context("apertura in sola lettura per l'helpdesk")?;
        return Ok((store, scope));
    }
    Ok((store, scope))
}

/// Refuses a mutating command in a read-only session with a clear message.
pub fn require_writable(store: &Store) -> Result<()> {
    if store.access() == Access::ReadOnly {
        bail!(Denied(
            "sessione in sola lettura: il comando modificherebbe dati".into()
        ));
    }
    Ok(())
}

/// `casa check-config`: validates keymap.toml and the chosen theme, naming file, line, reason.
fn check_config(g: &Global) -> Result<()> {
    let dir = crate::paths::config_dir()?;
    let keymap = dir.join("keymap.toml");
    crate::tui::load_keymap()?;
    if keymap.exists() {
        println!("Mappa dei tasti valida: {}", keymap.display());
    } else {
        println!(
            "Nessuna mappa dei tasti personale ({}): si usa quella predefinita.",
            keymap.display()
        );
    }
    let theme = crate::tui::load_theme(g.theme.as_deref())?;
    println!("Tema: {}", theme.name);
    Ok(())
}
