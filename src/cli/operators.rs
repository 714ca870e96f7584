//! `casa operators add|list|grant|disable|enable`.

use super::output::{Format, Listing};
use super::{Global, open, open_inputs};
use crate::domain::access::OperatorStatus;
use crate::service::Need;
use crate::service::operators::{Registration, parse_services, register};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// Register an operator (Regione only; the very first operator, a Regione one, needs none)
    Add(AddArgs),
    /// List operators with role, owners and district
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Grant an operator services on an owner (Regione only)
    Grant(GrantArgs),
    /// Disable an operator: they can no longer act (Regione only)
    Disable { username: String },
    /// Re-enable (or validate) an operator (Regione only)
    Enable { username: String },
    /// SSH keys operators connect with: add (Regione), list, remove (Regione)
    #[command(subcommand)]
    Key(KeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Bind a public key (.pub file, or - for standard input) to an operator (Regione)
    Add {
        username: String,
        #[arg(value_name = "FILE.pub")]
        file: PathBuf,
    },
    /// Keys with their operator (Regione and helpdesk: all; others: their own)
    List {
        /// Only this operator's keys
        username: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Remove a key by fingerprint (Regione): it no longer opens sessions
    Remove {
        #[arg(value_name = "SHA256:…")]
        fingerprint: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Username (login name used with --operator)
    pub username: String,
    #[arg(long)]
    pub surname: String,
    #[arg(long)]
    pub name: String,
    /// Codice fiscale of the person (16 characters)
    #[arg(long = "tax-code", visible_alias = "cf")]
    pub tax_code: String,
    #[arg(long)]
    pub email: String,
    /// regione, capofila, ente or helpdesk
    #[arg(long)]
    pub role: String,
    /// District led (capofila only): code or name
    #[arg(long)]
    pub district: Option<String>,
    /// Owner worked for (codice fiscale, ISTAT code, ALER code or name); repeatable
    #[arg(long = "owner")]
    pub owners: Vec<String>,
    /// Services on those owners: anagrafe, avvisi, occupanti, programmazione (default: all)
    #[arg(long = "service")]
    pub services: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    pub username: String,
    /// Owner (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    pub owner: String,
    /// Services: anagrafe, avvisi, occupanti, programmazione (default: all)
    #[arg(long = "service")]
    pub services: Vec<String>,
}

pub fn run(g: &Global, cmd: OperatorsCommand) -> Result<()> {
    match cmd {
        OperatorsCommand::Add(a) => add(g, a),
        OperatorsCommand::List { format } => list(g, format),
        OperatorsCommand::Grant(a) => grant(g, a),
        OperatorsCommand::Disable { username } => status(g, &username, OperatorStatus::Disabled),
        OperatorsCommand::Enable { username } => status(g, &username, OperatorStatus::Active),
        OperatorsCommand::Key(k) => key(g, k),
    }
}

fn key(g: &Global, cmd: KeyCommand) -> Result<()> {
    match cmd {
        KeyCommand::Add { username, file } => {
            let text = super::read_text(&file, "chiave pubblica")?;
            let k = open(g, Need::Write)?.add_key(&username, &text)?;
            println!(
                "Chiave {} ({}) associata a {}{}.",
                k.fingerprint,
                k.algorithm,
                k.username,
                if k.comment.is_empty() {
                    String::new()
                } else {
                    format!(", commento «{}»", k.comment)
                }
            );
            println!(
                "Con AuthorizedKeysCommand vale subito; con un authorized_keys fisso rigenerarlo: casa ssh authorized-keys"
            );
            Ok(())
        }
        KeyCommand::List { username, format } => {
            let rows = open(g, Need::Read)?.keys(username.as_deref())?;
            let table = rows
                .iter()
                .map(|k| {
                    vec![
                        k.username.clone(),
                        k.status.clone(),
                        k.fingerprint.clone(),
                        k.algorithm.clone(),
                        k.comment.clone(),
                        k.added_at.clone(),
                    ]
                })
                .collect();
            Listing {
                headers: &[
                    "USERNAME",
                    "STATO",
                    "IMPRONTA",
                    "ALGORITMO",
                    "COMMENTO",
                    "AGGIUNTA",
                ],
                rows: table,
                items: &rows,
            }
            .print(format)
        }
        KeyCommand::Remove { fingerprint } => {
            match open(g, Need::Write)?.remove_key(&fingerprint)? {
                Some(k) => println!("Chiave {} di {} rimossa.", k.fingerprint, k.username),
                None => println!("Nessuna modifica: la chiave {fingerprint} non è registrata."),
            }
            Ok(())
        }
    }
}

fn add(g: &Global, a: AddArgs) -> Result<()> {
    let (db, claim) = open_inputs(g)?;
    let registration = Registration {
        username: a.username,
        surname: a.surname,
        name: a.name,
        tax_code: a.tax_code,
        email: a.email,
        role: a.role,
        district: a.district,
        owners: a.owners,
        services: a.services,
    };
    let username = register(&db, &claim, &registration)?;
    let role = crate::domain::access::Role::parse(&registration.role)
        .map(|r| r.label())
        .unwrap_or_default();
    println!("Operatore {username} registrato ({role}).");
    Ok(())
}

fn list(g: &Global, format: Format) -> Result<()> {
    let rows = open(g, Need::Read)?.operators()?;
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.username.clone(),
                format!("{} {}", r.surname, r.name),
                r.role.clone(),
                r.status.clone(),
                r.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default()
                    + &if r.owners.len() > 1 {
                        format!(" (+{})", r.owners.len() - 1)
                    } else {
                        String::new()
                    },
                r.district.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Listing {
        headers: &["USERNAME", "NOME", "RUOLO", "STATO", "ENTE", "AMBITO"],
        rows: table,
        items: &rows,
    }
    .print(format)
}

fn grant(g: &Global, a: GrantArgs) -> Result<()> {
    let services = parse_services(&a.services)?;
    let (owner, added) = open(g, Need::Write)?.grant(&a.username, &a.owner, &services)?;
    if added == 0 {
        println!(
            "Nessuna modifica: {} era già abilitato su {}.",
            a.username, owner
        );
    } else {
        println!(
            "{} abilitato su {} per: {}.",
            a.username,
            owner,
            services
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn status(g: &Global, username: &str, status: OperatorStatus) -> Result<()> {
    if open(g, Need::Write)?.set_operator_status(username, status)? {
        println!("Operatore {username}: {}.", status.label().to_lowercase());
    } else {
        println!(
            "Nessuna modifica: {username} è già {}.",
            status.label().to_lowercase()
        );
    }
    Ok(())
}
