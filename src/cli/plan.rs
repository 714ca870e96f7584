//! `casa plan …`: the plan card (SCHEDA PROGRAMMAZIONE ANNUALE), its lifecycle and the
//! capofila's overview of the owners' certifications and communications.

use super::output::{Format, Listing};
use super::{Global, InvalidInput, open};
use crate::domain::plan::PlanAction;
use crate::export::plan_export::PlanFile;
use crate::output_file::Target;
use crate::service::{Need, messages, today};
use crate::store::communications::Communication;
use crate::store::plans::{Changed, Plan};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create the plan card of a district for a reference year (state BOZZA); prints its id
    Create {
        /// District (ambito): code (e.g. MI-MILANO) or name
        #[arg(long)]
        district: String,
        /// Reference year (anno di riferimento)
        #[arg(long)]
        year: i32,
        /// Data inizio comunicazione (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long)]
        start: String,
        /// Data fine comunicazione
        #[arg(long)]
        end: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show a plan card with its state history
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List plans
    List {
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Open the communication window (BOZZA → APERTO)
    #[command(disable_version_flag = true)]
    Open {
        id: i64,
        #[command(flatten)]
        expect: Expect,
    },
    /// Close the window early (APERTO → CHIUSO)
    #[command(disable_version_flag = true)]
    Close {
        id: i64,
        #[command(flatten)]
        expect: Expect,
    },
    /// Reopen a closed window with a new end date (CHIUSO → APERTO)
    #[command(disable_version_flag = true)]
    Reopen {
        id: i64,
        #[arg(long)]
        end: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Approve the plan (only after the window closed)
    #[command(disable_version_flag = true)]
    Approve {
        id: i64,
        #[command(flatten)]
        expect: Expect,
    },
    /// Cancel the plan (any state but APPROVATO)
    #[command(disable_version_flag = true)]
    Cancel {
        id: i64,
        #[command(flatten)]
        expect: Expect,
    },
    /// Change the window dates of a plan in BOZZA or APERTO (the plan card's Salva); an open
    /// window keeps its start
    #[command(disable_version_flag = true)]
    Dates {
        id: i64,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
        #[command(flatten)]
        expect: Expect,
    },
    /// Correct an approved plan: a new revision (BOZZA) that supersedes it; prints its id
    Revise {
        id: i64,
        #[arg(long)]
        start: String,
        #[arg(long)]
        end: String,
    },
    /// Report of the communications (xlsx): one row per owner, the numbers filed, totals
    Report {
        id: i64,
        /// Output file (.xlsx; - for standard output)
        #[arg(long)]
        out: std::path::PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Export of an approved plan (xlsx): plan card, communications, stock per owner and
    /// comune, units marked for the plan year
    Export {
        id: i64,
        /// Output file (.xlsx; - for standard output)
        #[arg(long)]
        out: std::path::PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// The capofila's overview: every owner, certification and communication, who is missing,
    /// running totals
    Status {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// The plan version the caller read (`plan show`): the action is refused if the plan changed
/// since.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Expect {
    /// Version read with `plan show`: refused if another operator changed the plan meanwhile
    #[arg(long = "version", value_name = "V")]
    version: Option<i64>,
}

/// Parses a date as typed: GG/MM/AAAA or AAAA-MM-GG, the year in full (domain::dates).
pub(crate) fn parse_date(option: &str, s: &str) -> Result<NaiveDate> {
    crate::domain::dates::parse(s, crate::domain::dates::ADMIN_YEARS)
        .map_err(|e| anyhow!(InvalidInput(format!("{option}: {e}"))))
}

pub fn run(g: &Global, cmd: PlanCommand) -> Result<()> {
    match cmd {
        PlanCommand::Create {
            district,
            year,
            start,
            end,
            format,
        } => create(g, &district, year, &start, &end, format),
        PlanCommand::Show { id, format } => show(g, id, format),
        PlanCommand::List {
            district,
            year,
            format,
        } => list(g, district.as_deref(), year, format),
        PlanCommand::Open { id, expect } => act(g, id, PlanAction::Open, expect),
        PlanCommand::Close { id, expect } => act(g, id, PlanAction::Close, expect),
        PlanCommand::Reopen { id, end, expect } => {
            parse_date("--end", &end).and_then(|end| act(g, id, PlanAction::Reopen { end }, expect))
        }
        PlanCommand::Approve { id, expect } => act(g, id, PlanAction::Approve, expect),
        PlanCommand::Cancel { id, expect } => act(g, id, PlanAction::Cancel, expect),
        PlanCommand::Revise { id, start, end } => revise(g, id, &start, &end),
        PlanCommand::Dates {
            id,
            start,
            end,
            expect,
        } => dates(g, id, &start, &end, expect),
        PlanCommand::Status { id, format } => status(g, id, format),
        PlanCommand::Report { id, out, force } => report(g, id, &Target::new(&out, force)),
        PlanCommand::Export { id, out, force } => export(g, id, &Target::new(&out, force)),
    }
}

fn print_warnings(c: &Changed) {
    for w in &c.warnings {
        eprintln!("{w}");
    }
}

fn create(
    g: &Global,
    district: &str,
    year: i32,
    start: &str,
    end: &str,
    format: Format,
) -> Result<()> {
    let start = parse_date("--start", start)?;
    let end = parse_date("--end", end)?;
    let mut svc = open(g, Need::Write)?;
    // A read-only session is refused before the arguments are looked at.
    svc.session().require_writable()?;
    let d = svc.find_district("--district", district)?;
    let c = svc.create_plan(d.id, year, start, end)?;
    print_warnings(&c);
    print_id(c.plan.id, format)
}

fn print_id(id: i64, format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::json!({ "id": id })),
        Format::Csv | Format::Table => println!("{id}"),
    }
    Ok(())
}

fn revise(g: &Global, id: i64, start: &str, end: &str) -> Result<()> {
    let start = parse_date("--start", start)?;
    let end = parse_date("--end", end)?;
    let c = open(g, Need::Write)?.revise_plan(id, start, end)?;
    print_warnings(&c);
    print_id(c.plan.id, Format::Table)
}

fn dates(g: &Global, id: i64, start: &str, end: &str, expect: Expect) -> Result<()> {
    let start = parse_date("--start", start)?;
    let end = parse_date("--end", end)?;
    let mut svc = open(g, Need::Write)?;
    let version = match expect.version {
        Some(v) => v,
        None => svc.plan_card(id, today())?.plan.version,
    };
    let c = svc.set_plan_window(id, start, end, version, today())?;
    print_warnings(&c);
    println!(
        "Piano {}: comunicazione dal {} al {}",
        c.plan.id,
        c.plan.window_start.format("%d/%m/%Y"),
        c.plan.window_end.format("%d/%m/%Y")
    );
    Ok(())
}

fn act(g: &Global, id: i64, action: PlanAction, expect: Expect) -> Result<()> {
    let c = open(g, Need::Write)?.plan_action(id, action, expect.version, today())?;
    print_warnings(&c);
    println!("{}", messages::plan_changed(&c));
    Ok(())
}

fn it(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A plan with its effective state for JSON.
#[derive(Serialize)]
struct PlanView<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    effective_state: String,
}

fn show(g: &Global, id: i64, format: Format) -> Result<()> {
    let card = open(g, Need::Read)?.plan_card(id, today())?;
    let (plan, history, state) = (card.plan, card.history, card.state);
    if format == Format::Json {
        let v = serde_json::json!({
            "plan": PlanView { plan: &plan, effective_state: state.db().to_string() },
            "history": history,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mut fields = vec![
        ("ID", plan.id.to_string()),
        ("ANNO DI RIFERIMENTO", plan.year.to_string()),
        ("DATA INIZIO COMUNICAZIONE", it(plan.window_start)),
        ("DATA FINE COMUNICAZIONE", it(plan.window_end)),
        (
            "PIANO DI ZONA",
            format!("{} ({})", plan.district_name, plan.district_code),
        ),
        ("STATO DEL PIANO", state.db().to_string()),
        ("Revisione", plan.revision.to_string()),
        ("Regole", plan.rule_set.clone()),
        ("Versione", plan.version.to_string()),
    ];
    if let Some(s) = plan.supersedes {
        fields.push(("Sostituisce il piano", s.to_string()));
    }
    if format == Format::Csv {
        let mut w = csv::Writer::from_writer(std::io::stdout().lock());
        w.write_record(["campo", "valore"])?;
        for (k, v) in &fields {
            w.write_record([*k, v.as_str()])?;
        }
        w.flush()?;
        return Ok(());
    }
    println!("SCHEDA PROGRAMMAZIONE ANNUALE");
    let width = fields
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &fields {
        println!("{k}{}  {v}", " ".repeat(width - k.chars().count()));
    }
    println!();
    println!("Cronologia dello stato:");
    for h in &history {
        println!(
            "  {}  {:<10} {} → {}  (fine {})  {}",
            h.at,
            h.action,
            h.from_state.as_deref().unwrap_or("-"),
            h.to_state,
            h.window_end,
            h.operator
        );
    }
    Ok(())
}

fn list(g: &Global, district: Option<&str>, year: Option<i32>, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let district_id = district
        .map(|d| svc.find_district("--district", d).map(|d| d.id))
        .transpose()?;
    // Without --district an operator who does not see every district gets the plans that
    // concern it, as in the interface; any district's plans can still be asked for by name.
    let found = svc.plans(district_id, year, today())?.plans;
    let items: Vec<PlanView> = found
        .iter()
        .map(|(p, state)| PlanView {
            plan: p,
            effective_state: state.db().to_string(),
        })
        .collect();
    let rows = items
        .iter()
        .map(|v| {
            let p = v.plan;
            vec![
                p.id.to_string(),
                p.year.to_string(),
                p.district_code.clone(),
                p.revision.to_string(),
                it(p.window_start),
                it(p.window_end),
                v.effective_state.clone(),
            ]
        })
        .collect();
    Listing {
        headers: &["ID", "Anno", "Ambito", "Rev.", "Inizio", "Fine", "Stato"],
        rows,
        items: &items,
    }
    .print(format)
}

/// `plan report`: for the capofila of the district, the Region and the helpdesk.
fn report(g: &Global, id: i64, out: &Target) -> Result<()> {
    out.ensure_usable(&crate::output_file::XLSX)?;
    let (_, communications) =
        open(g, Need::Read)?.write_plan_file(id, PlanFile::Report, out, today())?;
    let filed = communications.iter().filter(|c| c.filing.is_some()).count();
    out.announce(&format!(
        "Report del piano {id} scritto in {}: {} enti, {filed} comunicazioni trasmesse",
        out.shown(),
        communications.len()
    ));
    Ok(())
}

/// `plan export`: as `plan report`, for approved plans only.
fn export(g: &Global, id: i64, out: &Target) -> Result<()> {
    out.ensure_usable(&crate::output_file::XLSX)?;
    open(g, Need::Read)?.write_plan_file(id, PlanFile::Export, out, today())?;
    out.announce(&format!("Piano {id} esportato in {}", out.shown()));
    Ok(())
}

/// Sums of the filings in force.
#[derive(Debug, Default, Serialize)]
struct Totals {
    carenze: i64,
    nuove: i64,
    turnover: i64,
    privati: i64,
    total: i64,
    sat: i64,
    assegnate: i64,
}

#[derive(Serialize)]
struct StatusView<'a> {
    plan: PlanView<'a>,
    owners: &'a [Communication],
    filed: usize,
    missing: Vec<&'a str>,
    totals: Totals,
}

fn cert_label(c: &Communication) -> String {
    match (&c.last_certification, c.certified_for_plan) {
        (None, _) => "mancante".into(),
        (Some(l), true) => l.at.clone(),
        (Some(l), false) => format!("{} (prima dell'apertura)", l.at),
    }
}

fn status(g: &Global, id: i64, format: Format) -> Result<()> {
    let card = open(g, Need::Read)?.plan_card(id, today())?;
    let (plan, communications) = (card.plan, card.owners);
    let mut totals = Totals::default();
    for f in communications.iter().filter_map(|c| c.filing.as_ref()) {
        let n = &f.form.counts;
        totals.carenze += n.carenze;
        totals.nuove += n.nuove;
        totals.turnover += n.turnover;
        totals.privati += n.privati;
        totals.total += f.total;
        totals.sat += n.sat;
        totals.assegnate += n.assegnate;
    }
    let missing: Vec<&str> = communications
        .iter()
        .filter(|c| c.filing.is_none())
        .map(|c| c.owner_name.as_str())
        .collect();
    let view = StatusView {
        plan: PlanView {
            plan: &plan,
            effective_state: plan.effective_state(today()).db().to_string(),
        },
        owners: &communications,
        filed: communications.len() - missing.len(),
        missing,
        totals,
    };
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&view)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = communications
        .iter()
        .map(|c| {
            let f = c.filing.as_ref();
            vec![
                c.owner_name.clone(),
                c.owner_kind.clone(),
                cert_label(c),
                c.state.db().to_string(),
                f.map(|f| f.received_at.clone()).unwrap_or_default(),
                f.map(|f| f.total.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let headers = [
        "Ente",
        "Tipo",
        "Certificazione",
        "Comunicazione",
        "Ricevuta il",
        "Totale (g)",
    ];
    if format == Format::Csv {
        return Listing {
            headers: &headers,
            rows,
            items: &communications,
        }
        .print(format);
    }
    println!(
        "Piano {} — {} ({}) anno {} — stato {} — finestra {} - {}",
        plan.id,
        plan.district_name,
        plan.district_code,
        plan.year,
        view.plan.effective_state,
        it(plan.window_start),
        it(plan.window_end)
    );
    let mut out = std::io::stdout().lock();
    super::output::write_table(&mut out, &headers, &rows)?;
    let t = &view.totals;
    println!();
    println!(
        "Trasmesse: {} di {}; mancano {}: {}",
        view.filed,
        communications.len(),
        view.missing.len(),
        if view.missing.is_empty() {
            "nessuno".to_string()
        } else {
            view.missing.join(", ")
        }
    );
    println!(
        "Totali trasmessi: carenze (b) {}, nuove (c+d) {}, turn-over (e) {}, privati (f) {}, complessivo (g) {}, SAT (j) {}, assegnate anno precedente (k) {}",
        t.carenze, t.nuove, t.turnover, t.privati, t.total, t.sat, t.assegnate
    );
    Ok(())
}
