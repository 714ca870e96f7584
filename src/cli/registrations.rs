//! `casa registrations request|list|show|validate|reject`: the SCHEDA UTENTE and the Regione's
//! validation.

use super::output::{Format, Listing};
use super::{Global, InvalidInput, open};
use crate::domain::registration::{Form, Status};
use crate::service::Need;
use crate::service::keys::read_key;
use crate::store::registrations::Request;
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RegistrationsCommand {
    /// File a SCHEDA UTENTE: a new operator of an owner (with their public key), or more
    /// owners or services for yourself (give your own --username, or none)
    Request(RequestArgs),
    /// Requests, newest first (Regione and helpdesk: all; others: those they filed)
    List {
        /// in-attesa (default), validata, respinta, or tutte
        #[arg(long, default_value = "in-attesa")]
        status: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One request with every field
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Validate a pending request (Regione): the operator is activated with exactly the
    /// requested owner and services and the key bound
    #[command(disable_version_flag = true)]
    Validate {
        id: i64,
        /// Refuse if the request changed since it was read at this version
        #[arg(long)]
        version: Option<i64>,
    },
    /// Reject a pending request with a reason (Regione): nothing is granted
    #[command(disable_version_flag = true)]
    Reject {
        id: i64,
        /// Why (shown to whoever filed it)
        #[arg(long)]
        reason: String,
        #[arg(long)]
        version: Option<i64>,
    },
}

/// The SCHEDA UTENTE's fields as options.
#[derive(Debug, Clone, Default, Args)]
pub struct RequestArgs {
    /// Cognome
    #[arg(long, default_value = "")]
    pub surname: String,
    /// Nome
    #[arg(long, default_value = "")]
    pub name: String,
    /// Nome utente (lower-case letters, digits, . - _)
    #[arg(long, default_value = "")]
    pub username: String,
    /// Codice fiscale of the person
    #[arg(long = "tax-code", visible_alias = "cf", default_value = "")]
    pub tax_code: String,
    /// E-mail
    #[arg(long, default_value = "")]
    pub email: String,
    /// Ente: codice fiscale, ISTAT code of a Comune, ALER code or name
    #[arg(long, default_value = "")]
    pub owner: String,
    /// Servizi: anagrafe, avvisi, occupanti, programmazione (repeatable or comma-separated)
    #[arg(long = "service")]
    pub services: Vec<String>,
    /// The person's public key (.pub file, or - for standard input); over SSH with an
    /// unregistered key, that key is attached and this option is not needed
    #[arg(long, value_name = "FILE.pub")]
    pub key: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl RequestArgs {
    pub fn form(&self) -> Form {
        Form {
            surname: self.surname.clone(),
            name: self.name.clone(),
            username: self.username.clone(),
            tax_code: self.tax_code.clone(),
            email: self.email.clone(),
            owner: self.owner.clone(),
            services: self.services.clone(),
        }
    }
}

pub fn run(g: &Global, cmd: RegistrationsCommand) -> Result<()> {
    match cmd {
        RegistrationsCommand::Request(a) => request(g, &a),
        RegistrationsCommand::List { status, format } => list(g, &status, format),
        RegistrationsCommand::Show { id, format } => {
            let r = open(g, Need::Read)?.registration(id)?;
            print_one(&r, format)
        }
        RegistrationsCommand::Validate { id, version } => {
            let r = open(g, Need::Write)?.validate_registration(id, version)?;
            println!(
                "Richiesta {} validata: {} ({} {}) abilitato su {} per {}.",
                r.id,
                r.username,
                r.name,
                r.surname,
                r.owner_name,
                r.services.join(", ")
            );
            if let Some(fp) = &r.fingerprint {
                println!("Chiave {fp} associata: può collegarsi con ssh.");
            }
            Ok(())
        }
        RegistrationsCommand::Reject {
            id,
            reason,
            version,
        } => {
            let r = open(g, Need::Write)?.reject_registration(id, &reason, version)?;
            println!(
                "Richiesta {} respinta: {}.",
                r.id,
                r.reason.unwrap_or_default()
            );
            Ok(())
        }
    }
}

/// Reads a small text input: a file, or standard input for `-` (the way a remote operator
/// hands casa a file).
pub fn read_text(path: &std::path::Path, what: &str) -> Result<String> {
    use std::io::Read;
    const MAX: u64 = 64 * 1024;
    let mut text = String::new();
    let shown = path.display();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().take(MAX + 1).read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX + 1).read_to_string(&mut text))
    };
    read.map_err(|e| anyhow!(InvalidInput(format!("{what} {shown}: {e}"))))?;
    if text.len() as u64 > MAX {
        return Err(anyhow!(InvalidInput(format!(
            "{what} {shown}: più di {} KiB",
            MAX / 1024
        ))));
    }
    Ok(text)
}

/// Prints what a filing answered.
pub fn print_filed(r: &Request, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    println!(
        "Richiesta n. {} inviata ({}): {} {} ({}) per {}, servizi {}.",
        r.id,
        r.kind().label().to_lowercase(),
        r.name,
        r.surname,
        r.username,
        r.owner_name,
        r.services.join(", ")
    );
    println!(
        "È in attesa di validazione da parte della Regione: nulla è abilitato fino ad allora."
    );
    Ok(())
}

fn request(g: &Global, a: &RequestArgs) -> Result<()> {
    let key = match &a.key {
        Some(p) => Some(read_key(&read_text(p, "chiave pubblica")?)?),
        None => None,
    };
    let r = open(g, Need::Write)?.file_registration(&a.form(), key)?;
    print_filed(&r, a.format)
}

fn list(g: &Global, status: &str, format: Format) -> Result<()> {
    let status = match status.trim().to_lowercase().as_str() {
        "tutte" | "all" => None,
        s => Some(Status::parse(s).map_err(InvalidInput)?),
    };
    let rows = open(g, Need::Read)?.registrations(status, None)?;
    let table = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.status().label().to_string(),
                r.kind().label().to_string(),
                r.username.clone(),
                format!("{} {}", r.surname, r.name),
                r.owner_name.clone(),
                r.services.join(","),
                r.filed_at.clone(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "N.", "STATO", "TIPO", "USERNAME", "NOME", "ENTE", "SERVIZI", "INVIATA",
        ],
        rows: table,
        items: &rows,
    }
    .print(format)
}

fn print_one(r: &Request, format: Format) -> Result<()> {
    if format != Format::Table {
        return Listing {
            headers: &["N.", "STATO", "USERNAME"],
            rows: vec![vec![r.id.to_string(), r.status.clone(), r.username.clone()]],
            items: std::slice::from_ref(r),
        }
        .print(format);
    }
    let line = |k: &str, v: &str| println!("{k:<22}{v}");
    line("Richiesta n.", &r.id.to_string());
    line("Tipo", r.kind().label());
    line("Stato", r.status().label());
    line("Cognome", &r.surname);
    line("Nome", &r.name);
    line("Nome utente", &r.username);
    line("Codice fiscale", &r.tax_code);
    line("E-mail", &r.email);
    line("Ente", &format!("{} ({})", r.owner_name, r.owner_tax_code));
    line("Servizi", &r.services.join(", "));
    if let Some(fp) = &r.fingerprint {
        let comment = r.key_comment.as_deref().unwrap_or("");
        line("Chiave pubblica SSH", format!("{fp} {comment}").trim_end());
    }
    line("Inviata il", &r.filed_at);
    line(
        "Inviata da",
        if r.filed_by.is_empty() {
            "il richiedente (chiave non registrata)"
        } else {
            &r.filed_by
        },
    );
    line("Provenienza", &r.origin);
    if let Some(at) = &r.decided_at {
        line(
            "Esaminata",
            &format!("{at} da {}", r.decided_by.as_deref().unwrap_or("?")),
        );
    }
    if let Some(reason) = &r.reason {
        line("Motivo del rifiuto", reason);
    }
    line("Versione", &r.version.to_string());
    Ok(())
}
