//! The command line: clap definitions and dispatch. Each subcommand group has its own module.

mod assignments;
mod audit;
mod buildings;
mod certification;
mod communications;
mod db;
mod demo;
mod help_it;
mod help_it_occupations;
mod help_it_registry;
mod occupations;
mod operators;
pub mod output;
mod plan;
mod rankings;
mod registrations;
mod registry;
mod rules;
mod ssh;
mod tenants;
mod unit_edit;
mod unit_output;
mod unit_queries;
mod units;

use crate::service::{Claim, Need, Origin, Service};
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub use crate::service::InvalidInput;
pub use db::DbCommand;
pub use output::Format;
pub use registrations::{RegistrationsCommand, RequestArgs, print_filed, read_text};

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
    /// Set by an SSH session (`casa session`), never from the command line: the database and
    /// the claim of the key's operator, which every command then uses.
    #[arg(skip)]
    pub forced: Option<Forced>,
}

/// What a forced SSH session fixes for the command it runs: the database of the forced
/// command and the operator of the key (the client's options cannot change either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forced {
    pub db: PathBuf,
    pub claim: Claim,
}

impl Global {
    /// Whether this command runs for an operator connected over SSH (files on the server are
    /// then out of reach: `--out -` streams to the client instead).
    pub fn remote(&self) -> bool {
        self.forced.is_some()
    }
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
    /// Ricerca fabbricati: search and count buildings
    #[command(subcommand)]
    Buildings(buildings::BuildingsCommand),
    /// Ricerca inquilini: search and count tenants (masked for the helpdesk)
    #[command(subcommand)]
    Tenants(tenants::TenantsCommand),
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
    #[command(subcommand, name = "comm", visible_alias = "communications")]
    Communications(communications::CommunicationsCommand),
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
    Notice(rankings::notice::NoticeCommand),
    /// Applications (domande) of a notice: import
    #[command(subcommand)]
    Applications(rankings::applications::ApplicationsCommand),
    /// Banca dati degli occupanti senza titolo: search, show, add, update, close, import and
    /// export the regional feed
    #[command(subcommand)]
    Occupations(Box<occupations::OccupationsCommand>),
    /// Rankings: compute, show, export, compare with another rule set, correct, finalize
    #[command(subcommand)]
    Rankings(rankings::RankingsCommand),
    /// Assegnazione: the quota ledger, proposals, the istruttoria (offer, answer, act, lease),
    /// document checks, the list and export of a year, what-if
    #[command(subcommand)]
    Assignments(assignments::AssignmentsCommand),
    /// ISBAR: explain an application's score
    #[command(subcommand)]
    Isbar(rankings::isbar::IsbarCommand),
    /// The database file: backup, restore, check (also init and doctor)
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Registration requests (SCHEDA UTENTE): file one, list, validate or reject (Regione)
    #[command(subcommand, visible_alias = "registration")]
    Registrations(registrations::RegistrationsCommand),
    /// The audit trail: list with filters, verify the hash chain, export a checkpoint
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// OpenSSH set-up: the authorized_keys lines of the operators' keys
    #[command(subcommand)]
    Ssh(ssh::SshCommand),
    /// The forced command of an SSH key (in authorized_keys): a session as the key's operator
    Session(SessionArgs),
}

/// `casa session`: what OpenSSH runs for a key (see `casa ssh authorized-keys`).
#[derive(Debug, Clone, clap::Args)]
pub struct SessionArgs {
    /// The fingerprint of the key OpenSSH authenticated (SHA256:…): its operator acts
    #[arg(long, value_name = "SHA256:…", conflicts_with = "register_key")]
    pub key: Option<String>,
    /// An unknown key (ALGORITHM BASE64): a registration-only session for it
    #[arg(long, value_name = "KEY")]
    pub register_key: Option<String>,
}

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
    fn the_command_tree_is_consistent() {
        // clap's own checks (unique names, --version clashes), which otherwise fire only when
        // that subcommand is first used.
        use clap::CommandFactory;
        Cli::command().debug_assert();
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

/// Parses the process's arguments: global options alone start the screen (parsed without
/// the command tree, see `ScreenStart`).
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if screen_start(&args) {
        return ScreenStart::try_parse_from(&args).map(|s| Cli {
            global: s.global,
            command: None,
        });
    }
    use clap::FromArgMatches;
    // The help in Italian (help_it); parsing is the derive's.
    let matches = command().try_get_matches_from(&args)?;
    Cli::from_arg_matches(&matches)
}

/// The file argument of a command that reads one, with the extension of its text form (an SSH
/// session sends the file on standard input: `crate::ssh::stdin_file`).
pub fn file_read(c: &mut Command) -> Option<(&mut PathBuf, &'static str)> {
    use occupations::OccupationsCommand as O;
    use rankings::applications::ApplicationsCommand as A;
    use rules::RulesCommand as R;
    use units::UnitsCommand as U;
    match c {
        Command::Units(U::Import { file, .. }) => Some((file, "csv")),
        Command::Applications(A::Import { file, .. }) => Some((file, "csv")),
        Command::Occupations(o) => match o.as_mut() {
            O::Import { file, .. } => Some((file, "xml")),
            _ => None,
        },
        Command::Rules(R::Check { file } | R::Load { file }) => Some((file, "toml")),
        _ => None,
    }
}

/// The command tree with its help in Italian (what `parse` and an SSH session parse with).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    help_it::italian(Cli::command())
}

pub fn run(g: &Global, command: Command) -> Result<()> {
    match command {
        Command::CheckConfig => check_config(g),
        Command::Init => db::init(g),
        Command::Doctor => db::doctor(g),
        Command::Demo(args) => demo::run(g, &args),
        Command::Units(c) => units::run(g, c),
        Command::Buildings(c) => buildings::run(g, c),
        Command::Tenants(c) => tenants::run(g, c),
        Command::Operators(c) => operators::run(g, c),
        Command::Certification(c) => certification::run(g, c),
        Command::Plan(c) => plan::run(g, c),
        Command::Communications(c) => communications::run(g, c),
        Command::Districts(c) => registry::districts(g, c),
        Command::Owners(c) => registry::owners(g, c),
        Command::Rules(c) => rules::run(g, c),
        Command::Notice(c) => rankings::notice::run(g, c),
        Command::Applications(c) => rankings::applications::run(g, c),
        Command::Rankings(c) => rankings::run(g, c),
        Command::Occupations(c) => occupations::run(g, *c),
        Command::Isbar(c) => rankings::isbar::run(g, c),
        Command::Assignments(c) => assignments::run(g, c),
        Command::Db(c) => db::run(g, c),
        Command::Registrations(c) => registrations::run(g, c),
        Command::Audit(c) => audit::run(g, c),
        Command::Ssh(c) => ssh::run(g, c),
        // Started by `launch`, which knows both front ends; never nested in a remote command.
        Command::Session(_) => Err(anyhow::anyhow!(crate::service::Denied(
            "`casa session` è il comando forzato di una chiave SSH: lo avvia OpenSSH".into()
        ))),
    }
}

/// The database file this invocation works on.
pub fn db_path(g: &Global) -> Result<PathBuf> {
    if let Some(f) = &g.forced {
        return Ok(f.db.clone());
    }
    if g.demo {
        return crate::config::paths::demo_db();
    }
    match &g.db {
        Some(p) => Ok(p.clone()),
        None => crate::config::paths::default_db(),
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

/// The login name of the Unix user running casa.
pub fn login_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "operatore".to_string())
}

/// Who this invocation claims to act as: `--operator` (or `CASA_OPERATOR`), else `regione` on
/// the demo database, else the login name; a local user.
pub fn claim(g: &Global) -> Claim {
    claim_as(g, g.demo)
}

pub(crate) fn claim_as(g: &Global, demo_default: bool) -> Claim {
    if let Some(f) = &g.forced {
        let mut claim = f.claim.clone();
        claim.read_only |= g.read_only;
        return claim;
    }
    let login = login_name();
    let operator = match &g.operator {
        Some(u) => u.clone(),
        None if demo_default => "regione".to_string(),
        None => login.clone(),
    };
    Claim {
        operator,
        origin: Origin::Local { login },
        read_only: g.read_only,
    }
}

/// The database (the demo one created on first use with `--demo`) and the claim: what a
/// session is made of.
pub fn open_inputs(g: &Global) -> Result<(PathBuf, Claim)> {
    let path = db_path(g)?;
    if g.demo {
        ensure_demo(&path)?;
    }
    Ok((path, claim(g)))
}

/// The service for this invocation's operator, on a read-only connection for reads.
pub fn open(g: &Global, need: Need) -> Result<Service> {
    let (path, claim) = open_inputs(g)?;
    Service::open(&path, &claim, need)
}

/// `casa check-config`: validates keymap.toml and the chosen theme, naming file, line, reason.
fn check_config(g: &Global) -> Result<()> {
    let keymap = crate::config::keymap_path()?;
    crate::config::load_keymap()?;
    if keymap.exists() {
        println!("Mappa dei tasti valida: {}", keymap.display());
    } else {
        println!(
            "Nessuna mappa dei tasti personale ({}): si usa quella predefinita.",
            keymap.display()
        );
    }
    let theme = crate::config::load_theme(g.theme.as_deref())?;
    println!("Tema: {}", theme.name);
    Ok(())
}
