//! `casa districts list` and `casa owners list`: the reference lists scripts need for codes.

use super::output::{Format, Listing};
use super::{Global, open};
use crate::service::Need;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DistrictsCommand {
    /// List districts (ambiti) with their capofila and number of comuni
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum OwnersCommand {
    /// List bodies with kind, codice fiscale and ISTAT code
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Only this kind: comune, aler, operatore accreditato, regione
        #[arg(long)]
        kind: Option<String>,
    },
}

pub fn districts(g: &Global, cmd: DistrictsCommand) -> Result<()> {
    let DistrictsCommand::List { format } = cmd;
    let items = open(g, Need::Read)?.districts()?;
    let rows = items
        .iter()
        .map(|d| {
            vec![
                d.code.clone(),
                d.name.clone(),
                d.lead_name
                    .clone()
                    .unwrap_or_else(|| "(non indicato)".into()),
                d.municipalities.to_string(),
                match (d.synthetic, d.lead_confirmed) {
                    (true, _) => "dimostrativo",
                    (false, false) if d.lead_istat.is_some() => "capofila non confermato",
                    _ => "",
                }
                .to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &["CODICE", "AMBITO", "CAPOFILA", "COMUNI", "NOTA"],
        rows,
        items: &items,
    }
    .print(format)
}

pub fn owners(g: &Global, cmd: OwnersCommand) -> Result<()> {
    let OwnersCommand::List { format, kind } = cmd;
    let kind = kind
        .map(|k| crate::domain::registry::OwnerKind::parse(&k))
        .transpose()
        .map_err(super::InvalidInput)?;
    let items = open(g, Need::Read)?.owners(kind)?;
    let synthetic = items.iter().filter(|o| o.synthetic_tax_code).count();
    let rows = items
        .iter()
        .map(|o| {
            vec![
                o.kind.label().to_string(),
                o.name.clone(),
                o.tax_code.clone(),
                o.istat_code
                    .clone()
                    .or_else(|| o.aler_code.clone())
                    .unwrap_or_default(),
                if o.synthetic_tax_code {
                    "CF sintetico"
                } else {
                    ""
                }
                .to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "TIPO",
            "RAGIONE SOCIALE",
            "CODICE FISCALE",
            "CODICE",
            "NOTA",
        ],
        rows,
        items: &items,
    }
    .print(format)?;
    if format == Format::Table {
        println!(
            "{} enti con codice fiscale reale, {synthetic} con codice sintetico (generato: codice non ancora noto)",
            items.len() - synthetic
        );
    }
    Ok(())
}
