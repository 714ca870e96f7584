//! `casa units search|count|show|export|mark`: the unit search from the command line, with the
//! same filters, permission checks and results as the search screen.

use super::output::Format;
use super::{Global, InvalidInput, open};
use crate::domain::unit_filter::{
    self as uf, FilterError, FilterField, FilterText, Sort, SortKey, UnitFilter,
};
use crate::export::Cancelled;
use crate::service::units::{Export, ListsFile};
use crate::service::{Need, Refused, Service, messages};
use crate::store::search::{Direction, UnitDetail, UnitRow};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use std::io::Write;
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
    /// Output file (.xlsx, or .csv)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
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

/// Column headers of `search` (the regional export columns, then the search's own).
const SEARCH_HEADERS: [&str; 14] = [
    "ID Alloggio",
    "Codice identificativo U.I.",
    "Tipo Ente Proprietario",
    "Ragione sociale Ente Proprietario",
    "Provincia",
    "Comune",
    "Quartiere/Zona/Località/Frazione",
    "Indirizzo",
    "Stato",
    "Codice fabbricato",
    "Destinazione d'uso",
    "Superficie utile",
    "In avviso",
    "Marcato per il piano",
];

fn cells(u: &UnitRow) -> Vec<String> {
    vec![
        u.id.to_string(),
        u.code.clone(),
        u.owner_kind.label().to_string(),
        u.owner_name.clone(),
        u.province.clone(),
        u.comune.clone(),
        u.locality.clone().unwrap_or_default(),
        u.full_address(),
        u.state.label().to_string(),
        u.building_code.clone(),
        u.service.short().to_string(),
        u.floor_area.map(|a| format!("{a:.2}")).unwrap_or_default(),
        if u.in_notice { "SI" } else { "NO" }.to_string(),
        u.plan_year.map(|y| y.to_string()).unwrap_or_default(),
    ]
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
            let mut w = csv::Writer::from_writer(out);
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

type Out = std::io::BufWriter<std::io::StdoutLock<'static>>;

/// Short headers of the table format.
const TABLE_HEADERS: [&str; 14] = [
    "ID",
    "CODICE U.I.",
    "TIPO",
    "ENTE",
    "PROV",
    "COMUNE",
    "LOCALITÀ",
    "INDIRIZZO",
    "STATO",
    "FABBR.",
    "DEST.",
    "MQ",
    "AVVISO",
    "PIANO",
];

/// Rows the table format reads before fixing its column widths.
const TABLE_SAMPLE: usize = 1_000;

/// Where `search` writes its rows.
enum Sink {
    Json {
        out: Out,
        written: usize,
    },
    Csv(Box<csv::Writer<Out>>),
    /// An aligned table: the widths come from the first rows, then the rest streams (a longer
    /// cell further down only shifts its own line).
    Table {
        out: Out,
        pending: Vec<Vec<String>>,
        widths: Option<Vec<usize>>,
    },
}

fn table_line(out: &mut Out, widths: &[usize], cells: &[&str]) -> Result<()> {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(c);
        let pad = widths[i].saturating_sub(c.chars().count());
        line.extend(std::iter::repeat_n(' ', pad));
    }
    writeln!(out, "{}", line.trim_end())?;
    Ok(())
}

impl Sink {
    fn push(&mut self, u: &UnitRow) -> Result<()> {
        match self {
            Sink::Json { out, written } => {
                write!(out, "{}", if *written == 0 { "[\n" } else { ",\n" })?;
                serde_json::to_writer_pretty(&mut *out, u)?;
                *written += 1;
            }
            Sink::Csv(w) => w.write_record(cells(u))?,
            Sink::Table {
                out,
                pending,
                widths,
            } => match widths {
                Some(w) => {
                    let c = cells(u);
                    table_line(out, w, &c.iter().map(String::as_str).collect::<Vec<_>>())?;
                }
                None => {
                    pending.push(cells(u));
                    if pending.len() == TABLE_SAMPLE {
                        *widths = Some(Self::flush_table(out, pending)?);
                    }
                }
            },
        }
        Ok(())
    }

    /// Prints the header and the sampled rows; returns the widths used.
    fn flush_table(out: &mut Out, rows: &mut Vec<Vec<String>>) -> Result<Vec<usize>> {
        let mut widths: Vec<usize> = TABLE_HEADERS.iter().map(|h| h.chars().count()).collect();
        for r in rows.iter() {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        table_line(out, &widths, &TABLE_HEADERS)?;
        for r in rows.drain(..) {
            table_line(
                out,
                &widths,
                &r.iter().map(String::as_str).collect::<Vec<_>>(),
            )?;
        }
        Ok(widths)
    }

    fn finish(self) -> Result<()> {
        match self {
            Sink::Json { mut out, written } => {
                writeln!(out, "{}", if written == 0 { "[]" } else { "\n]" })?;
                out.flush()?;
            }
            Sink::Csv(mut w) => w.flush()?,
            Sink::Table {
                mut out,
                mut pending,
                widths,
            } => {
                if widths.is_none() {
                    Self::flush_table(&mut out, &mut pending)?;
                }
                out.flush()?;
            }
        }
        Ok(())
    }
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

fn yes(b: bool) -> String {
    if b { "SI" } else { "NO" }.into()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The detail as label/value lines (table) or label,value records (CSV).
fn print_detail(d: &UnitDetail, format: Format) -> Result<()> {
    let mut lines: Vec<Vec<String>> = vec![
        vec!["ID Alloggio".into(), d.id.to_string()],
        vec!["Codice identificativo U.I.".into(), d.code.clone()],
        vec![
            "Ente proprietario".into(),
            format!(
                "{} ({}, CF {})",
                d.owner.name, d.owner.kind, d.owner.tax_code
            ),
        ],
        vec![
            "Ente gestore".into(),
            d.manager
                .as_ref()
                .map(|m| format!("{} ({}, CF {})", m.name, m.kind, m.tax_code))
                .unwrap_or_default(),
        ],
        vec![
            "Fabbricato".into(),
            format!("{} ({})", d.building.code, d.building.address),
        ],
        vec![
            "Comune".into(),
            format!(
                "{} ({}, ISTAT {}, {})",
                d.comune, d.province, d.istat, d.cadastral_code
            ),
        ],
        vec!["Quartiere/Zona/Località/Frazione".into(), opt(&d.locality)],
        vec!["Indirizzo".into(), d.full_address()],
        vec!["CAP".into(), opt(&d.cap)],
        vec![
            "Scala / piano".into(),
            format!("{} / {}", opt(&d.staircase), opt(&d.floor)),
        ],
        vec!["Ascensore".into(), yes(d.has_lift)],
        vec![
            "Catasto (foglio/particella/sub/categoria)".into(),
            format!(
                "{}/{}/{}/{}",
                opt(&d.cadastral_sheet),
                opt(&d.cadastral_parcel),
                opt(&d.cadastral_sub),
                opt(&d.cadastral_category)
            ),
        ],
        vec![
            "Superficie utile (m²)".into(),
            d.floor_area.map(|a| format!("{a:.2}")).unwrap_or_default(),
        ],
        vec!["Vani".into(), opt(&d.rooms)],
        vec!["Destinazione d'uso".into(), d.service.label().into()],
        vec!["SAT".into(), yes(d.sat)],
        vec!["Stato".into(), d.state.label().into()],
        vec!["In avviso".into(), yes(d.in_notice)],
        vec!["Interventi necessari".into(), opt(&d.works)],
        vec![
            "Costo stimato (€)".into(),
            d.works_cost_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
        ],
        vec!["Senza barriere architettoniche".into(), yes(d.barrier_free)],
        vec!["Marcato per il piano".into(), opt(&d.plan_year)],
        vec!["Aggiornato il".into(), d.updated_at.clone()],
    ];
    for h in &d.households {
        lines.push(vec![
            format!("Nucleo {}", h.id),
            format!("{} componenti", h.members),
        ]);
        for t in &h.tenants {
            lines.push(vec![
                if t.is_holder {
                    "  Intestatario".into()
                } else {
                    format!("  {}", opt(&t.relationship))
                },
                format!(
                    "{} {} ({}) {}",
                    t.surname,
                    t.name,
                    t.tax_code,
                    opt(&t.birth_date)
                )
                .trim_end()
                .to_string(),
            ]);
        }
    }
    if d.personal_data_masked {
        lines.push(vec![
            "Dati personali".into(),
            "oscurati (--reveal per vederli, l'accesso è registrato)".into(),
        ]);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["campo", "valore"])?;
            for l in &lines {
                w.write_record(l)?;
            }
            w.flush()?;
        }
        _ => {
            let width = lines
                .iter()
                .map(|l| l[0].chars().count())
                .max()
                .unwrap_or(0);
            for l in &lines {
                let pad = width - l[0].chars().count();
                writeln!(out, "{}{}  {}", l[0], " ".repeat(pad), l[1])?;
            }
        }
    }
    Ok(())
}

fn export_cmd(g: &Global, a: ExportArgs) -> Result<()> {
    let format = match a.format {
        Some(f) => f,
        None => match a
            .out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx") => ExportFormat::Xlsx,
            Some("csv") => ExportFormat::Csv,
            _ => bail!(InvalidInput(format!(
                "--out: {} non termina con .xlsx o .csv (oppure indicare --format)",
                a.out.display()
            ))),
        },
    };
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
    let result = svc.export_unit_lists(&export, file, &a.out, &mut progress, &cancel);
    bar.finish_and_clear();
    let s = result.map_err(|e| {
        if e.is::<Cancelled>() {
            e.context(format!("{} non creato", a.out.display()))
        } else {
            e
        }
    })?;
    println!("{}", messages::lists_exported_in_full(&a.out, &s));
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
        .mark_units(&filter, year, a.undo)
        .context("marcatura non eseguita")?;
    println!("{}", messages::marked_in_full(&outcome, a.undo));
    Ok(())
}
