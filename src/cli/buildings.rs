//! `casa buildings search|count`: Ricerca fabbricati of the Anagrafe.

use super::output::{Format, Listing};
use super::{Global, InvalidInput, open};
use crate::domain::registry_search::{Field, Typed};
use crate::service::Need;
use crate::store::registry_search::BuildingCursor;
use crate::store::search::Direction;
use anyhow::{Result, anyhow};
use clap::Subcommand;

#[derive(Debug, Clone, clap::Args)]
pub struct BuildingFilterArgs {
    /// Owner (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    pub owner: Option<String>,
    /// Comune: ISTAT code or name
    #[arg(long)]
    pub comune: Option<String>,
    /// Codice fabbricato (exact, case ignored)
    #[arg(long)]
    pub fabbricato: Option<String>,
    /// The beginning of the address (case ignored)
    #[arg(long)]
    pub indirizzo: Option<String>,
}

impl BuildingFilterArgs {
    pub fn typed(&self) -> Typed {
        let mut t = Typed::default();
        for (field, v) in [
            (Field::Owner, &self.owner),
            (Field::Comune, &self.comune),
            (Field::Code, &self.fabbricato),
            (Field::Address, &self.indirizzo),
        ] {
            if let Some(v) = v {
                t.set(field, v);
            }
        }
        t
    }
}

#[derive(Debug, Subcommand)]
pub enum BuildingsCommand {
    /// Search buildings (in address order, a page at a time)
    Search {
        #[command(flatten)]
        filter: BuildingFilterArgs,
        /// Start after this building (its ID), as the next page
        #[arg(long)]
        after: Option<i64>,
        /// At most this many buildings (default: all)
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Count the buildings matching the filters
    Count {
        #[command(flatten)]
        filter: BuildingFilterArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

const HEADERS: [&str; 8] = [
    "ID",
    "Codice fabbricato",
    "Ente proprietario",
    "Comune",
    "Indirizzo",
    "Civico",
    "CAP",
    "Alloggi",
];

pub fn run(g: &Global, cmd: BuildingsCommand) -> Result<()> {
    match cmd {
        BuildingsCommand::Search {
            filter,
            after,
            limit,
            format,
        } => search(g, &filter.typed(), after, limit, format),
        BuildingsCommand::Count { filter, format } => {
            let svc = open(g, Need::Read)?;
            let n = svc.building_count(&filter.typed())?;
            match format {
                Format::Table => println!("{n}"),
                Format::Csv => println!("fabbricati\n{n}"),
                Format::Json => println!("{}", serde_json::json!({ "count": n })),
            }
            Ok(())
        }
    }
}

fn search(
    g: &Global,
    typed: &Typed,
    after: Option<i64>,
    limit: Option<usize>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let mut cursor = match after {
        None => None,
        Some(id) => Some(
            svc.building_cursor(id)
                .map_err(|e| anyhow!(InvalidInput(format!("--after: {e}"))))?,
        ),
    };
    let mut rows = Vec::new();
    let mut left = limit.unwrap_or(usize::MAX);
    while left > 0 {
        let page =
            svc.building_page(typed, cursor.as_ref(), Direction::Forward, left.min(1_000))?;
        left -= page.rows.len();
        let next: Option<BuildingCursor> = page.rows.last().map(|r| r.cursor());
        rows.extend(page.rows);
        match next {
            Some(c) if !page.at_end => cursor = Some(c),
            _ => break,
        }
    }
    Listing {
        headers: &HEADERS,
        rows: rows
            .iter()
            .map(|b| {
                vec![
                    b.id.to_string(),
                    b.code.clone(),
                    b.owner_name.clone(),
                    b.comune.clone(),
                    b.address.clone(),
                    b.street_number.clone().unwrap_or_default(),
                    b.cap.clone().unwrap_or_default(),
                    b.units.to_string(),
                ]
            })
            .collect(),
        items: &rows,
    }
    .print(format)
}
