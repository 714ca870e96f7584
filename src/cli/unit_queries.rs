//! `casa units search|count|show|export|mark`: the unit search from the command line, with the
//! same filters, permission checks and results as the search screen.

use super::output::Format;
use super::unit_output::{SEARCH_HEADERS, Sink, print_detail};
use super::{Global, InvalidInput, open};
use crate::domain::unit_filter::{
    self as uf, FilterError, FilterField, FilterText, Sort, SortKey, UnitFilter,
};
use crate::export::Cancelled;
use crate::output_file::Target;
use crate::service::units::{Export, ListsFile};
use crate::service::{Need, Refused, Service, messages};
use crate::store::search::Direction;
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Subcommand)]
pub enum UnitQueryCommand {
    /// Search units (SCHEDA RICERCA ALLOGGI): every match, or --limit N from --after ID
    Search(SearchArgs),
    /// Count the units matching the filters
    Count {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show one unit: every field, building, owner, manager, household and tenants
    Show {
        /// ID alloggio
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Helpdesk: show tenants' personal data unmasked (the reveal is audited)
        #[arg(long)]
        reveal: bool,
    },
    /// Export the plan's three detail lists (LIBERO, SFITTO PER CARENZE MANUTENTIVE, SFITTO PER
    /// RISTRUTTURAZIONE) of the filters: one .xlsx with a sheet per list, or CSV
    Export(ExportArgs),
    /// Mark the units of the filters (in the three plan states) as included in the plan of a
    /// year, or remove the mark with --undo
    Mark(MarkArgs),
}

/// The search filters (SCHEDA RICERCA ALLOGGI).
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// ID alloggio
    #[arg(long = "id", value_name = "ID")]
    pub id: Option<String>,
    /// Codice fabbricato (case ignored)
    #[arg(long = "fabbricato", value_name = "CODICE")]
    pub building: Option<String>,
    /// Destinazione d'uso: SAP, SAS or ALTRO
    #[arg(long = "destinazione", value_name = "SAP|SAS|ALTRO")]
    pub service: Option<String>,
    /// Province sigla, e.g. MI
    #[arg(long = "provincia", value_name = "SIGLA")]
    pub province: Option<String>,
    /// Comune: ISTAT code (015146) or name (Milano)
    #[arg(long = "comune", value_name = "ISTAT|NOME")]
    pub comune: Option<String>,
    /// Stato; repeatable or a comma-separated list, e.g. --stato LIBERO --stato "SFITTO PER RISTRUTTURAZIONE"
    #[arg(long = "stato", value_name = "STATO")]
    pub states: Vec<String>,
    /// Alloggi in avviso: si or no
    #[arg(long = "in-avviso", value_name = "SI|NO")]
    pub in_notice: Option<String>,
    /// Ente proprietario: codice fiscale, ISTAT code, ALER code or ragione sociale
    #[arg(long = "owner", value_name = "ENTE")]
    pub owner: Option<String>,
    /// Free text in address, civico or località (at least 3 characters; case and accents ignored)
    #[arg(long = "testo", value_name = "TESTO")]
    pub text: Option<String>,
    /// Only units marked for the plan of this year
    #[arg(long = "marcati", value_name = "ANNO")]
    pub marked: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Sort by id, comune, stato or superficie
    #[arg(long, default_value = "id", value_name = "id|comune|stato|superficie")]
    pub sort: String,
    /// Descending order
    #[arg(long)]
    pub desc: bool,
    /// At most N units (default: all)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Start after the unit with this ID alloggio, in the chosen order (next page)
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only the units marked for the plan of this year
    #[arg(long = "only-marked", value_name = "ANNO")]
    pub only_marked: Option<String>,
    /// Output file (.xlsx, or .csv; - for standard output, with --format)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// File format (default: from the extension of --out)
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Order of the rows within each list: id, comune, stato or superficie
    #[arg(long, default_value = "id")]
    pub sort: String,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Plan year
    #[arg(long, value_name = "ANNO")]
    pub year: String,
    /// Remove the mark of the units marked for that year
    #[arg(long)]
    pub undo: bool,
    /// Only these units of the filters (ID alloggio, comma separated), as ticked in the
    /// interface
    #[arg(long, value_name = "ID,ID,…", value_delimiter = ',')]
    pub ids: Vec<i64>,
}

/// A value refused by a filter parser, as the CLI reports it: the option and the reason.
fn invalid(e: FilterError) -> anyhow::Error {
    anyhow!(InvalidInput(format!("{}: {}", e.field.option(), e.message)))
}

/// Errors of the user's input keep exit code 4 wherever they come from.
fn classify(e: anyhow::Error) -> anyhow::Error {
    if let Some(f) = e.downcast_ref::<FilterError>() {
        return invalid(f.clone());
    }
    if let Some(r) = e.downcast_ref::<Refused>() {
        return anyhow!(InvalidInput(r.0.clone()));
    }
    e
}

impl FilterArgs {
    /// Parses and resolves the options (comune by name, owner by code) into a filter, refusing
    /// an owner the operator may not see.
    pub fn resolve(&self, svc: &Service) -> Result<UnitFilter> {
        if self
            .in_notice
            .as_deref()
            .is_some_and(|v| v.trim().is_empty())
        {
            return Err(invalid(FilterError {
                field: FilterField::InNotice,
                message: "indicare si o no".into(),
            }));
        }
        // On the form a blank field means "any"; an option given blank (`--comune ''`,
        // `--testo '   '`) is a mistake, and for `units mark` it would mean every unit.
        let given = [
            (FilterField::UnitId, self.id.as_deref()),
            (FilterField::BuildingCode, self.building.as_deref()),
            (FilterField::Service, self.service.as_deref()),
            (FilterField::Province, self.province.as_deref()),
            (FilterField::Comune, self.comune.as_deref()),
            (FilterField::Owner, self.owner.as_deref()),
            (FilterField::Text, self.text.as_deref()),
            (FilterField::MarkedYear, self.marked.as_deref()),
        ];
        for (field, value) in given {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(invalid(FilterError {
                    field,
                    message: "valore vuoto: indicare un valore o togliere l'opzione".into(),
                }));
            }
        }
        if self.states.iter().any(|v| v.trim().is_empty()) {
            return Err(invalid(FilterError {
                field: FilterField::States,
                message: "valore vuoto: indicare uno stato o togliere l'opzione".into(),
            }));
        }
        let mut text = FilterText::default();
        text.set(FilterField::UnitId, self.id.as_deref());
        text.set(FilterField::BuildingCode, self.building.as_deref());
        text.set(FilterField::Service, self.service.as_deref());
        text.set(FilterField::Province, self.province.as_deref());
        text.set(FilterField::Comune, self.comune.as_deref());
        text.set(FilterField::States, Some(&self.states.join(",")));
        text.set(FilterField::InNotice, self.in_notice.as_deref());
        text.set(FilterField::Owner, self.owner.as_deref());
        text.set(FilterField::Text, self.text.as_deref());
        text.set(FilterField::MarkedYear, self.marked.as_deref());
        svc.unit_filter(&text).map_err(classify)
    }
}

fn parse_sort(key: &str, desc: bool) -> Result<Sort> {
    let key = SortKey::parse(key).map_err(|e| anyhow!(InvalidInput(format!("--sort: {e}"))))?;
    Ok(Sort::new(key, desc))
}

pub fn run(g: &Global, cmd: UnitQueryCommand) -> Result<()> {
    let result = match cmd {
        UnitQueryCommand::Search(a) => search_cmd(g, a),
        UnitQueryCommand::Count { filter, format } => count_cmd(g, &filter, format),
        UnitQueryCommand::Show { id, format, reveal } => show_cmd(g, &id, format, reveal),
        UnitQueryCommand::Export(a) => export_cmd(g, a),
        UnitQueryCommand::Mark(a) => mark_cmd(g, a),
    };
    result.map_err(classify)
}

fn search_cmd(g: &Global, a: SearchArgs) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let filter = a.filter.resolve(&svc)?;
    let sort = parse_sort(&a.sort, a.desc)?;
    let mut cursor = match &a.after {
        None => None,
        Some(id) => {
            let id = uf::parse_unit_id(id)
                .map_err(|e| anyhow!(InvalidInput(format!("--after: {}", e.message))))?
                .ok_or_else(|| anyhow!(InvalidInput("--after: ID alloggio mancante".into())))?;
            Some(
                svc.unit_cursor(id, sort.key)
                    .map_err(|e| anyhow!(InvalidInput(format!("--after: {e}"))))?,
            )
        }
    };
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut sink = match a.format {
        Format::Json => Sink::Json { out, written: 0 },
        Format::Csv => {
            let mut w = crate::csv_cell::Writer::from_writer(out);
            w.write_record(SEARCH_HEADERS)?;
            Sink::Csv(Box::new(w))
        }
        Format::Table => Sink::Table {
            out,
            pending: Vec::new(),
            widths: None,
        },
    };
    let mut left = a.limit.unwrap_or(usize::MAX);
    // Pages of the search itself: the output streams, whatever the number of units.
    while left > 0 {
        let size = left.min(1_000);
        let page = svc.unit_page(&filter, sort, cursor, Direction::Forward, size)?;
        for u in &page.rows {
            sink.push(u)?;
        }
        left -= page.rows.len();
        match page.rows.last() {
            Some(last) if !page.at_end => cursor = Some(last.cursor(sort.key)),
            _ => break,
        }
    }
    sink.finish()
}

fn count_cmd(g: &Global, filter: &FilterArgs, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let f = filter.resolve(&svc)?;
    let n = svc.unit_count(&f)?;
    match format {
        Format::Table => println!("{n}"),
        Format::Csv => println!("alloggi\n{n}"),
        Format::Json => println!("{}", serde_json::json!({ "count": n })),
    }
    Ok(())
}

fn show_cmd(g: &Global, id: &str, format: Format, reveal: bool) -> Result<()> {
    let id = uf::parse_unit_id(id)
        .map_err(|e| anyhow!(InvalidInput(format!("ID: {}", e.message))))?
        .ok_or_else(|| anyhow!(InvalidInput("ID alloggio mancante".into())))?;
    let d = open(g, Need::Read)?.unit(id, reveal)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&d)?),
        Format::Table | Format::Csv => print_detail(&d, format)?,
    }
    Ok(())
}

fn export_cmd(g: &Global, a: ExportArgs) -> Result<()> {
    let target = Target::new(&a.out, a.force);
    let format = match a.format {
        Some(f) => f,
        None => match target.extension().as_deref() {
            Some("xlsx") => ExportFormat::Xlsx,
            Some("csv") => ExportFormat::Csv,
            _ if target.is_stdout() => bail!(InvalidInput(
                "--out -: indicare il formato con --format xlsx o --format csv".into()
            )),
            _ => bail!(InvalidInput(format!(
                "--out: {} non termina con .xlsx o .csv (oppure indicare --format)",
                target.shown()
            ))),
        },
    };
    target.ensure_usable(match format {
        ExportFormat::Xlsx => &crate::output_file::XLSX,
        ExportFormat::Csv => &crate::output_file::CSV,
    })?;
    let only_marked = match &a.only_marked {
        Some(y) => Some(
            uf::parse_year(y)
                .map_err(|e| anyhow!(InvalidInput(format!("--only-marked: {}", e.message))))?
                .ok_or_else(|| anyhow!(InvalidInput("--only-marked: anno mancante".into())))?,
        ),
        None => None,
    };
    let sort = parse_sort(&a.sort, false)?;
    let svc = open(g, Need::Read)?;
    let export = Export {
        filter: a.filter.resolve(&svc)?,
        only_marked,
        sort,
    };
    // Ctrl-C cancels cleanly: the partial file is removed.
    let cancel = Arc::new(AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&cancel));
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} alloggi ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let file = match format {
        ExportFormat::Xlsx => ListsFile::Xlsx,
        ExportFormat::Csv => ListsFile::Csv,
    };
    let result = svc.export_unit_lists(&export, file, &target, &mut progress, &cancel);
    bar.finish_and_clear();
    let s = result.map_err(|e| {
        if e.is::<Cancelled>() {
            e.context(format!("{} non creato", target.shown()))
        } else {
            e
        }
    })?;
    target.announce(&messages::lists_exported_in_full(
        std::path::Path::new(&target.shown()),
        &s,
    ));
    Ok(())
}

fn mark_cmd(g: &Global, a: MarkArgs) -> Result<()> {
    let year = uf::parse_year(&a.year)
        .map_err(|e| anyhow!(InvalidInput(format!("--year: {}", e.message))))?
        .ok_or_else(|| anyhow!(InvalidInput("--year: anno mancante".into())))?;
    let mut svc = open(g, Need::Write)?;
    // A read-only session is refused before the arguments are looked at.
    svc.session().require_writable()?;
    let filter = a.filter.resolve(&svc)?;
    let outcome = svc
        .mark_units(
            &filter,
            year,
            a.undo,
            (!a.ids.is_empty()).then_some(a.ids.as_slice()),
        )
        .context("marcatura non eseguita")?;
    println!("{}", messages::marked_in_full(&outcome, a.undo));
    Ok(())
}
