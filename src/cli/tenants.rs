//! `casa tenants search|count`: Ricerca inquilini of the Anagrafe (masked for the helpdesk;
//! `casa units show ID --reveal` shows a household's data, audited).

use super::output::{Format, Listing};
use super::{Global, open};
use crate::domain::registry_search::{Field, Typed};
use crate::service::Need;
use crate::store::search::Direction;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Clone, clap::Args)]
pub struct TenantFilterArgs {
    /// Owner (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    pub owner: Option<String>,
    /// Comune of the unit: ISTAT code or name
    #[arg(long)]
    pub comune: Option<String>,
    /// Codice fiscale of the tenant (exact)
    #[arg(long)]
    pub cf: Option<String>,
    /// The beginning of the surname (case ignored)
    #[arg(long)]
    pub cognome: Option<String>,
}

impl TenantFilterArgs {
    pub fn typed(&self) -> Typed {
        let mut t = Typed::default();
        for (field, v) in [
            (Field::Owner, &self.owner),
            (Field::Comune, &self.comune),
            (Field::TaxCode, &self.cf),
            (Field::Surname, &self.cognome),
        ] {
            if let Some(v) = v {
                t.set(field, v);
            }
        }
        t
    }
}

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Search tenants (in surname order, a page at a time)
    Search {
        #[command(flatten)]
        filter: TenantFilterArgs,
        /// Start after this tenant (its ID), as the next page
        #[arg(long)]
        after: Option<i64>,
        /// At most this many tenants (default: all)
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Count the tenants matching the filters
    Count {
        #[command(flatten)]
        filter: TenantFilterArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

const HEADERS: [&str; 8] = [
    "ID",
    "Cognome",
    "Nome",
    "Codice fiscale",
    "Ente proprietario",
    "Comune",
    "Indirizzo",
    "ID alloggio",
];

pub fn run(g: &Global, cmd: TenantsCommand) -> Result<()> {
    match cmd {
        TenantsCommand::Search {
            filter,
            after,
            limit,
            format,
        } => search(g, &filter.typed(), after, limit, format),
        TenantsCommand::Count { filter, format } => {
            let svc = open(g, Need::Read)?;
            let n = svc.tenant_count(&filter.typed())?;
            match format {
                Format::Table => println!("{n}"),
                Format::Csv => println!("inquilini\n{n}"),
                Format::Json => println!("{}", serde_json::json!({ "count": n })),
            }
            Ok(())
        }
    }
}

fn search(
    g: &Global,
    typed: &Typed,
    mut after: Option<i64>,
    limit: Option<usize>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let mut rows = Vec::new();
    let mut left = limit.unwrap_or(usize::MAX);
    while left > 0 {
        let page = svc.tenant_page(typed, after, Direction::Forward, left.min(1_000))?;
        left -= page.rows.len();
        let next = page.rows.last().map(|r| r.id);
        rows.extend(page.rows);
        match next {
            Some(id) if !page.at_end => after = Some(id),
            _ => break,
        }
    }
    Listing {
        headers: &HEADERS,
        rows: rows
            .iter()
            .map(|t| {
                vec![
                    t.id.to_string(),
                    t.surname.clone(),
                    t.name.clone(),
                    t.tax_code.clone(),
                    t.owner_name.clone(),
                    t.comune.clone(),
                    t.address.clone(),
                    t.unit_id.to_string(),
                ]
            })
            .collect(),
        items: &rows,
    }
    .print(format)
}
