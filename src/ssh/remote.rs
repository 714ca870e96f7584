//! A command an operator runs over SSH (`ssh casa@host units count --stato LIBERO`): the line
//! OpenSSH hands over in `SSH_ORIGINAL_COMMAND`, split into words like a POSIX shell would
//! (shell-words) without ever running a shell, parsed by the command line's own parser, checked
//! against what a remote operator may ask, then run as the key's operator on the service's
//! database.
//!
//! What a remote operator may not do: choose the operator or the database (`--operator`,
//! `--db`, `--demo`), run the administrator's commands (init, demo, doctor, check-config, ssh,
//! session, db init|doctor|restore), or name files on the server: every path option must be `-`
//! (standard output for what casa writes, standard input for what it reads), so
//! `ssh casa@host units export … --format xlsx --out - > elenchi.xlsx` works and `--out /etc/…` is refused.
//! The last rule holds for any command added later: it is decided from the parser's types.

use crate::cli::{Cli, Command, Forced, Global};
use crate::service::{Claim, Denied};
use anyhow::{Result, anyhow};
use clap::FromArgMatches;
use std::any::TypeId;
use std::path::PathBuf;

/// A command line the parser refused (already printed, as clap prints it): exit 2.
#[derive(Debug)]
pub struct Usage;

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("riga di comando non valida (vedere casa --help)")
    }
}

impl std::error::Error for Usage {}

fn denied(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Denied(msg.into()))
}

/// The words of `line`, as a shell would split them (quotes, backslashes), without running
/// one; a leading `casa` is dropped (`ssh casa@host casa units count` works too).
pub fn words(line: &str) -> Result<Vec<String>> {
    let mut w = shell_words::split(line).map_err(|e| {
        eprintln!("errore: comando non interpretabile ({e}): controllare virgolette e apici");
        anyhow!(Usage)
    })?;
    if w.first().is_some_and(|f| f == "casa") {
        w.remove(0);
    }
    Ok(w)
}

/// Refuses what a remote operator may not ask: identity or database options, the
/// administrator's commands, server paths.
pub fn check(cli: &Cli, matches: &clap::ArgMatches) -> Result<()> {
    let g = &cli.global;
    if g.operator.is_some() {
        return Err(denied(
            "in una sessione SSH l'operatore è quello della chiave con cui ci si collega: --operator non è ammesso",
        ));
    }
    if g.db.is_some() || g.demo {
        return Err(denied(
            "in una sessione SSH il database è quello del servizio: --db e --demo non sono ammessi",
        ));
    }
    if let Some(c) = &cli.command {
        admin_only(c)?;
    }
    server_paths(&crate::cli::command(), matches)
}

fn admin_only(c: &Command) -> Result<()> {
    use crate::cli::DbCommand as D;
    let what = match c {
        Command::Init => "init",
        Command::Demo(_) => "demo",
        Command::Doctor => "doctor",
        Command::CheckConfig => "check-config",
        Command::Ssh(_) => "ssh",
        Command::Session(_) => "session",
        Command::Db(D::Init) => "db init",
        Command::Db(D::Doctor) => "db doctor",
        Command::Db(D::Restore { .. }) => "db restore",
        _ => return Ok(()),
    };
    Err(denied(format!(
        "`casa {what}` è un comando dell'amministratore del server: non è disponibile in una sessione SSH"
    )))
}

/// Every path argument given must be `-`: the server's files are not the remote operator's.
fn server_paths(cmd: &clap::Command, m: &clap::ArgMatches) -> Result<()> {
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "db" || arg.get_value_parser().type_id() != TypeId::of::<PathBuf>() {
            continue;
        }
        let Ok(Some(values)) = m.try_get_raw(id) else {
            continue;
        };
        for v in values {
            if v != "-" {
                let name = arg.get_long().map(|l| format!("--{l}")).unwrap_or_else(|| {
                    arg.get_value_names()
                        .and_then(|n| n.first())
                        .map_or_else(|| id.to_uppercase(), |n| n.to_string())
                });
                return Err(denied(format!(
                    "in una sessione SSH i file del server non sono accessibili ({name} {}): usare - per scrivere sullo standard output (ssh casa@host units export … --format xlsx --out - > file.xlsx) o per leggere dallo standard input (ssh casa@host … - < file)",
                    v.to_string_lossy()
                )));
            }
        }
    }
    if let Some((name, sub)) = m.subcommand()
        && let Some(sub_cmd) = cmd.find_subcommand(name)
    {
        server_paths(sub_cmd, sub)?;
    }
    Ok(())
}

/// What a remote command line asks for.
pub enum Remote {
    /// A command, with its global options fixed to the session's database and operator, and
    /// the copy of a file it reads from standard input (kept until it has run).
    Command(Global, Box<Command>, Option<tempfile::TempDir>),
    /// Only global options (`ssh -t casa@host --read-only`): the interface.
    Screen(Global),
}

/// Parses and checks `line` for a session of `claim` on `db`. `--help` and `--version` are
/// printed here (then None).
pub fn parse(line: &str, db: PathBuf, claim: Claim) -> Result<Option<Remote>> {
    let mut args = vec!["casa".to_string()];
    args.extend(words(line)?);
    let matches = match crate::cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            return if crate::launch::print_usage(&e) == 0 {
                Ok(None)
            } else {
                Err(anyhow!(Usage))
            };
        }
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| {
        let _ = e.print();
        anyhow!(Usage)
    })?;
    check(&cli, &matches)?;
    let mut global = cli.global;
    global.forced = Some(Forced { db, claim });
    Ok(Some(match cli.command {
        Some(mut c) => {
            let input = super::stdin_file::substitute(&mut c)?;
            Remote::Command(global, Box::new(c), input)
        }
        None => Remote::Screen(global),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Origin;

    fn claim() -> Claim {
        Claim {
            operator: String::new(),
            origin: Origin::SshKey {
                fingerprint: "SHA256:x".into(),
                client: "192.0.2.1:4000".into(),
            },
            read_only: false,
        }
    }

    fn outcome(line: &str) -> Result<&'static str, String> {
        match parse(line, PathBuf::from("/srv/casa.sqlite"), claim()) {
            Ok(Some(Remote::Command(g, _, _))) => {
                assert_eq!(
                    crate::cli::db_path(&g).unwrap(),
                    PathBuf::from("/srv/casa.sqlite")
                );
                Ok("command")
            }
            Ok(Some(Remote::Screen(_))) => Ok("screen"),
            Ok(None) => Ok("printed"),
            Err(e) if e.downcast_ref::<Usage>().is_some() => Err("usage".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn commands_run_with_the_session_database_and_operator() {
        assert_eq!(outcome("units count --stato LIBERO"), Ok("command"));
        assert_eq!(
            outcome("casa units count --stato 'SFITTO PER CARENZE MANUTENTIVE'"),
            Ok("command")
        );
        assert_eq!(
            outcome("units export --comune Seriate --out -"),
            Ok("command")
        );
        assert_eq!(outcome("audit verify --checkpoint -"), Ok("command"));
        assert_eq!(outcome("audit checkpoint"), Ok("command"));
        assert_eq!(outcome("--read-only"), Ok("screen"));
        assert_eq!(outcome("--version"), Ok("printed"));
        assert_eq!(outcome("units count --nonsense"), Err("usage".into()));
        assert_eq!(outcome("units count 'unbalanced"), Err("usage".into()));
    }

    #[test]
    fn identity_database_admin_commands_and_server_paths_are_refused() {
        for (line, word) in [
            ("--operator regione units count", "--operator"),
            ("units count --operator regione", "--operator"),
            ("--db /tmp/x.sqlite units count", "--db"),
            ("--demo units count", "--db"),
            ("demo --units 10", "amministratore"),
            ("db restore -", "amministratore"),
            ("ssh authorized-keys", "amministratore"),
            ("session --key SHA256:y", "amministratore"),
            (
                "units export --comune Seriate --out /tmp/e.xlsx",
                "--out /tmp/e.xlsx",
            ),
            ("units import /etc/passwd", "/etc/passwd"),
            ("db backup /tmp/copia.sqlite", "/tmp/copia.sqlite"),
            ("audit checkpoint --out cp.json", "cp.json"),
            ("registrations request --key /root/.ssh/id.pub", "id.pub"),
        ] {
            let e = outcome(line).unwrap_err();
            assert!(e.contains(word), "{line}: {e}");
        }
    }
}
