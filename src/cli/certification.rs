//! `casa certification show|certify|none`: the SCHEDA CERTIFICAZIONE of an owner.

use super::output::Format;
use super::{Global, InvalidInput, require_writable, session};
use crate::domain::access::{Action, OperatorScope};
use crate::store::certification::{self, Card, Refused};
use crate::store::{Access, owners};
use anyhow::{Result, anyhow};
use clap::Subcommand;
use rusqlite::Connection;

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

/// The owner asked for, or the operator's only owner.
pub(super) fn owner_id(
    conn: &Connection,
    scope: &OperatorScope,
    asked: Option<&str>,
) -> Result<i64> {
    if let Some(o) = asked {
        return Ok(owners::find_owner(conn, o)
            .map_err(|e| anyhow!(InvalidInput(format!("--owner: {e}"))))?
            .id);
    }
    let mut mine: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
    mine.sort_unstable();
    mine.dedup();
    match mine.as_slice() {
        [one] => Ok(*one),
        [] => Err(anyhow!(InvalidInput(format!(
            "l'operatore {} non lavora per alcun ente: indicare --owner",
            scope.username
        )))),
        many => Err(anyhow!(InvalidInput(format!(
            "l'operatore {} lavora per {} enti: indicare quale con --owner",
            scope.username,
            many.len()
        )))),
    }
}

pub fn run(g: &Global, cmd: CertificationCommand) -> Result<()> {
    let result = match cmd {
        CertificationCommand::Show { owner, format } => show(g, owner.as_deref(), format),
        CertificationCommand::Certify { owner } => act(g, owner.as_deref(), false),
        CertificationCommand::None { owner } => act(g, owner.as_deref(), true),
    };
    result.map_err(|e| match e.downcast_ref::<Refused>() {
        Some(r) => anyhow!(InvalidInput(r.0.clone())),
        None => e,
    })
}

fn show(g: &Global, owner: Option<&str>, format: Format) -> Result<()> {
    let (store, scope) = session(g, Access::ReadOnly)?;
    let id = owner_id(store.conn(), &scope, owner)?;
    scope.check(Action::ViewOwner { owner_id: id })?;
    let card = certification::card(store.conn(), id)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&card)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
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
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let id = owner_id(store.conn(), &scope, owner)?;
    let c = if no_units {
        store.declare_no_units(&scope, id)?
    } else {
        store.certify(&scope, id)?
    };
    println!(
        "{} registrata il {} da {}: {} fabbricati, {} alloggi, {} nuclei, {} inquilini",
        c.kind.label(),
        c.at,
        c.operator,
        c.totals.buildings,
        c.totals.units,
        c.totals.households,
        c.totals.tenants
    );
    Ok(())
}
