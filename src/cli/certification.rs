//! `casa certification show|certify|none`: the SCHEDA CERTIFICAZIONE of an owner.

use super::output::Format;
use super::{Global, open};
use crate::service::{Need, messages};
use crate::store::certification::Card;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CertificationCommand {
    /// Show the certification card: registry totals and the last certification
    Show {
        /// Owner (codice fiscale, ISTAT code, ALER code or name); default: the operator's one
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Certify that the owner's registry is current (records date, operator and totals)
    Certify {
        #[arg(long)]
        owner: Option<String>,
    },
    /// Declare that the owner has no units (refused when the registry holds any)
    None {
        #[arg(long)]
        owner: Option<String>,
    },
}

pub fn run(g: &Global, cmd: CertificationCommand) -> Result<()> {
    match cmd {
        CertificationCommand::Show { owner, format } => show(g, owner.as_deref(), format),
        CertificationCommand::Certify { owner } => act(g, owner.as_deref(), false),
        CertificationCommand::None { owner } => act(g, owner.as_deref(), true),
    }
}

fn show(g: &Global, owner: Option<&str>, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let card = svc.certification_card(svc.owner_or_own(owner)?)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&card)?),
        Format::Csv => {
            let mut w = crate::csv_cell::Writer::from_writer(std::io::stdout().lock());
            w.write_record(["campo", "valore"])?;
            for (k, v) in lines(&card) {
                w.write_record([k.trim(), v.as_str()])?;
            }
            w.flush()?;
        }
        Format::Table => {
            println!(
                "SCHEDA CERTIFICAZIONE — {} ({})",
                card.owner_name, card.owner_kind
            );
            let rows = lines(&card);
            let width = rows
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (k, v) in rows {
                println!("{k}{}  {v}", " ".repeat(width - k.chars().count()));
            }
        }
    }
    Ok(())
}

fn lines(card: &Card) -> Vec<(String, String)> {
    let t = &card.totals;
    let mut v = vec![
        ("Fabbricati".to_string(), t.buildings.to_string()),
        ("Unità abitative".to_string(), t.units.to_string()),
        (
            "  Servizi abitativi pubblici (SAP)".to_string(),
            t.sap.to_string(),
        ),
        (
            "  Servizi abitativi sociali (SAS)".to_string(),
            t.sas.to_string(),
        ),
        ("  Altro uso residenziale".to_string(), t.other.to_string()),
        ("Nuclei familiari".to_string(), t.households.to_string()),
        ("Inquilini".to_string(), t.tenants.to_string()),
    ];
    match &card.last {
        Some(c) => {
            v.push((
                "Ultima certificazione".to_string(),
                format!("{} del {} ({})", c.kind.label(), c.at, c.operator),
            ));
            v.push((
                "Unità all'ultima certificazione".to_string(),
                c.totals.units.to_string(),
            ));
        }
        None => v.push(("Ultima certificazione".to_string(), "nessuna".to_string())),
    }
    v
}

fn act(g: &Global, owner: Option<&str>, no_units: bool) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    // A read-only session is refused before the arguments are looked at.
    svc.session().require_writable()?;
    let id = svc.owner_or_own(owner)?;
    let c = svc.certify(id, no_units)?;
    println!("{}", messages::certified_in_full(&c));
    Ok(())
}
