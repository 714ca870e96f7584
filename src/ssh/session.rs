//! `casa session`: the forced command OpenSSH runs for a key of the service account. The
//! identity is the key's operator, never what the client asks: the options and environment
//! variables that would choose the operator or the database are refused (exit 3), not
//! ignored. Without `SSH_ORIGINAL_COMMAND` the session opens the interface; with one it runs
//! that command line (see `remote`). A key no operator has gets a registration-only session.

use super::remote::{self, Remote};
use crate::cli::{Cli, Command, Global, RegistrationsCommand, SessionArgs, print_filed};
use crate::domain::operator_key;
use crate::service::registrations::{Applicant, Standing};
use crate::service::{Claim, Denied, InvalidInput, Origin};
use crate::tui;
use anyhow::{Result, anyhow};
use clap::FromArgMatches;
use std::path::PathBuf;

/// Environment variables that would choose the operator or the database locally: in a forced
/// session their presence is an attempt to pass for someone else (or a server set up wrong).
pub const REFUSED_ENV: [&str; 2] = ["CASA_OPERATOR", "CASA_DB"];

fn denied(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Denied(msg.into()))
}

/// The client's address and port from `SSH_CONNECTION` (`ip port server_ip server_port`), as
/// `ip:port` (`[ip]:port` for IPv6); empty when absent.
pub fn client_address(ssh_connection: Option<&str>) -> String {
    let Some(s) = ssh_connection else {
        return String::new();
    };
    let mut parts = s.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(ip), Some(port)) if ip.contains(':') => format!("[{ip}]:{port}"),
        (Some(ip), Some(port)) => format!("{ip}:{port}"),
        (Some(ip), None) => ip.to_string(),
        _ => String::new(),
    }
}

/// The forced command: checks what the client could have changed, then runs the session.
pub fn run(g: &Global, args: &SessionArgs) -> Result<()> {
    for var in REFUSED_ENV {
        if std::env::var_os(var).is_some() {
            return Err(denied(format!(
                "in una sessione SSH l'operatore e il database sono fissati dalla chiave: la variabile {var} non è ammessa"
            )));
        }
    }
    if g.operator.is_some() || g.demo {
        return Err(denied(
            "in una sessione SSH l'operatore è quello della chiave: --operator e --demo non sono ammessi",
        ));
    }
    let Some(db) = g.db.clone() else {
        return Err(anyhow!(InvalidInput(
            "il comando forzato di authorized_keys deve indicare --db (rigenerarlo con casa ssh authorized-keys)"
                .into()
        )));
    };
    let client = client_address(std::env::var("SSH_CONNECTION").ok().as_deref());
    let command = std::env::var("SSH_ORIGINAL_COMMAND")
        .ok()
        .filter(|c| !c.trim().is_empty());
    match (&args.key, &args.register_key) {
        (Some(fp), None) => {
            if !operator_key::is_fingerprint(fp) {
                return Err(anyhow!(InvalidInput(format!(
                    "--key {fp}: impronta non valida (SHA256:…)"
                ))));
            }
            let claim = Claim {
                operator: String::new(),
                origin: Origin::SshKey {
                    fingerprint: fp.clone(),
                    client,
                },
                read_only: g.read_only,
            };
            operator_session(db, claim, command, g.theme.clone())
        }
        (None, Some(key)) => {
            let key = operator_key::parse(key).map_err(|e| anyhow!(InvalidInput(e.0)))?;
            applicant_session(db, key, client, command, g.theme.clone())
        }
        _ => Err(anyhow!(InvalidInput(
            "indicare --key SHA256:… (o --register-key per una chiave non registrata)".into()
        ))),
    }
}

fn operator_session(
    db: PathBuf,
    claim: Claim,
    command: Option<String>,
    theme: Option<String>,
) -> Result<()> {
    let screen = |claim: Claim, theme: Option<String>| {
        tui::require_terminal().map_err(|_| {
            anyhow!(InvalidInput(
                "l'interfaccia richiede un terminale: collegarsi con ssh -t casa@host, oppure indicare un comando (ssh casa@host units count …)".into()
            ))
        })?;
        tui::run(&tui::Start {
            db: db.clone(),
            claim,
            theme,
        })
    };
    let Some(line) = command else {
        return screen(claim, theme);
    };
    match remote::parse(&line, db.clone(), claim)? {
        None => Ok(()),
        Some(Remote::Command(g, c, _input)) => crate::cli::run(&g, *c),
        Some(Remote::Screen(g)) => {
            let claim = crate::cli::claim(&g);
            screen(claim, g.theme.or(theme))
        }
    }
}

/// A key nobody has: the registration form and nothing else, over the interface or as
/// `registrations request …` (status: `registrations list`).
fn applicant_session(
    db: PathBuf,
    key: operator_key::KeyInfo,
    client: String,
    command: Option<String>,
    theme: Option<String>,
) -> Result<()> {
    let mut applicant = Applicant::open(&db, key, client)?;
    let Some(line) = command else {
        tui::require_terminal().map_err(|_| {
            anyhow!(InvalidInput(format!(
                "chiave SSH {} non registrata: per chiedere la registrazione collegarsi con ssh -t casa@host (modulo a schermo) o usare ssh casa@host registrations request --help",
                applicant.key().fingerprint
            )))
        })?;
        return tui::registration::run(applicant, theme);
    };
    let only = || {
        denied(format!(
            "chiave SSH {} non registrata: è possibile solo chiedere la registrazione (ssh casa@host registrations request --help) e vederne lo stato (ssh casa@host registrations list)",
            applicant.key().fingerprint
        ))
    };
    let mut args = vec!["casa".to_string()];
    args.extend(remote::words(&line)?);
    let matches = match crate::cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            return if crate::launch::print_usage(&e) == 0 {
                Ok(())
            } else {
                Err(anyhow!(remote::Usage))
            };
        }
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|_| anyhow!(remote::Usage))?;
    if cli.global.operator.is_some() || cli.global.db.is_some() || cli.global.demo {
        return Err(only());
    }
    match cli.command {
        Some(Command::Registrations(RegistrationsCommand::Request(a))) => {
            if a.key.is_some() {
                return Err(denied(
                    "la chiave della richiesta è quella con cui ci si è collegati: --key non serve",
                ));
            }
            let r = applicant.file(&a.form())?;
            print_filed(&r, a.format)?;
            println!(
                "Quando la Regione l'avrà validata, la stessa chiave aprirà la sessione come {}.",
                r.username
            );
            Ok(())
        }
        Some(Command::Registrations(RegistrationsCommand::List { .. })) => {
            print_standing(&applicant.standing()?);
            Ok(())
        }
        _ => Err(only()),
    }
}

/// Where the applicant's key stands, in Italian.
pub fn standing_text(s: &Standing) -> String {
    match s {
        Standing::Registered { username } => format!(
            "La chiave è ora associata all'operatore {username}: ricollegarsi per lavorare."
        ),
        Standing::Pending(r) => format!(
            "Richiesta {} del {} per {} ({}, servizi {}): in attesa di validazione da parte della Regione.",
            r.id,
            r.filed_at,
            r.username,
            r.owner_name,
            r.services.join(", ")
        ),
        Standing::New { rejected: Some(r) } => format!(
            "La richiesta {} è stata respinta: {}. È possibile inviarne una nuova.",
            r.id,
            r.reason.as_deref().unwrap_or("motivo non indicato")
        ),
        Standing::New { rejected: None } => {
            "Nessuna richiesta inviata con questa chiave.".to_string()
        }
    }
}

fn print_standing(s: &Standing) {
    println!("{}", standing_text(s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_addresses() {
        assert_eq!(
            client_address(Some("192.0.2.7 51234 10.0.0.1 22")),
            "192.0.2.7:51234"
        );
        assert_eq!(
            client_address(Some("2001:db8::7 51234 2001:db8::1 22")),
            "[2001:db8::7]:51234"
        );
        assert_eq!(client_address(None), "");
    }
}
