//! `casa comm show|file|receipt|history` (also `casa communications`): an owner's annual
//! communication (SCHEMA COMUNICAZIONE ANNUALE) for a plan, its receipt and its filings.

use super::output::{Format, Listing};
use super::{Global, open};
use crate::domain::communication::{Counts, Form, FormInput};
use crate::service::{Need, Service, today};
use crate::store::communications::{Communication, Filing, Saved};
use anyhow::Result;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum CommunicationsCommand {
    /// Show the communications of a plan, or one owner's form with its version
    Show {
        #[arg(long)]
        plan: i64,
        /// Owner (codice fiscale, ISTAT code, ALER code or name)
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// File (transmit) the communication; prints the receipt
    #[command(disable_version_flag = true)]
    File(Box<FileArgs>),
    /// Receipt of the transmission in force (xlsx: ID di trasmissione telematica, date and
    /// time of receipt, values filed), to send to the capofila
    Receipt {
        #[arg(long)]
        plan: i64,
        /// Owner (default: the operator's own, when it files for one owner only)
        #[arg(long)]
        owner: Option<String>,
        /// Output file (.xlsx; - for standard output)
        #[arg(long)]
        out: std::path::PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Every filing of a plan (or of one owner), superseded ones included
    History {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct FileArgs {
    #[arg(long)]
    plan: i64,
    /// Owner; default: the operator's only owner
    #[arg(long)]
    owner: Option<String>,
    /// (b) U.I. in carenza manutentiva assegnabili nello stato di fatto
    #[arg(long, allow_negative_numbers = true)]
    carenze: i64,
    /// (c+d) U.I. per nuova edificazione, ristrutturazione, recupero, riqualificazione
    #[arg(long, allow_negative_numbers = true)]
    nuove: i64,
    /// (e) U.I. libere e che si libereranno per turn-over
    #[arg(long, allow_negative_numbers = true)]
    turnover: i64,
    /// (f) U.I. conferite da privati
    #[arg(long, allow_negative_numbers = true)]
    privati: i64,
    /// (j) U.I. per servizi abitativi transitori
    #[arg(long, allow_negative_numbers = true)]
    sat: i64,
    /// (k) U.I. assegnate l'anno precedente
    #[arg(long, allow_negative_numbers = true)]
    assegnate: i64,
    /// (h) soglia % eccedente il 20% per indigenti (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    indigenti_pct: Option<String>,
    /// (c-bis) Anziani, soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    anziani_pct: Option<String>,
    /// (c-bis) Famiglie monoparentali, soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    monoparentali_pct: Option<String>,
    /// (c-bis) Disabili, soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    disabili_pct: Option<String>,
    /// (c-bis) Famiglie di nuova formazione, soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    nuove_famiglie_pct: Option<String>,
    /// (d-bis) Forze di Polizia, soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    polizia_pct: Option<String>,
    /// (d) Altra categoria di particolare rilevanza sociale: nome (Comuni)
    #[arg(long)]
    altra_categoria: Option<String>,
    /// (d) Altra categoria: soglia % (Comuni)
    #[arg(long, allow_negative_numbers = true)]
    altra_pct: Option<String>,
    /// Version read with `comm show`: the save is refused if someone saved meanwhile
    #[arg(long = "version", id = "expected_version", value_name = "V")]
    expected_version: Option<i64>,
    /// Save without transmitting (IN COMPILAZIONE)
    #[arg(long)]
    draft: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

impl FileArgs {
    fn input(&self) -> FormInput {
        FormInput {
            counts: Counts {
                carenze: self.carenze,
                nuove: self.nuove,
                turnover: self.turnover,
                privati: self.privati,
                sat: self.sat,
                assegnate: self.assegnate,
            },
            indigent_excess: self.indigenti_pct.clone(),
            elderly: self.anziani_pct.clone(),
            single_parent: self.monoparentali_pct.clone(),
            disabled: self.disabili_pct.clone(),
            new_family: self.nuove_famiglie_pct.clone(),
            police: self.polizia_pct.clone(),
            other_name: self.altra_categoria.clone(),
            other: self.altra_pct.clone(),
        }
    }
}

pub fn run(g: &Global, cmd: CommunicationsCommand) -> Result<()> {
    match cmd {
        CommunicationsCommand::Show {
            plan,
            owner,
            format,
        } => show(g, plan, owner.as_deref(), format),
        CommunicationsCommand::File(args) => file(g, &args),
        CommunicationsCommand::Receipt {
            plan,
            owner,
            out,
            force,
        } => receipt(
            g,
            plan,
            owner.as_deref(),
            &crate::output_file::Target::new(&out, force),
        ),
        CommunicationsCommand::History {
            plan,
            owner,
            format,
        } => history(g, plan, owner.as_deref(), format),
    }
}

fn receipt(
    g: &Global,
    plan_id: i64,
    owner: Option<&str>,
    out: &crate::output_file::Target,
) -> Result<()> {
    out.ensure_usable(&crate::output_file::XLSX)?;
    let svc = open(g, Need::Read)?;
    let owner_id = svc.owner_or_own(owner)?;
    let f = svc.write_receipt(plan_id, owner_id, out)?;
    out.announce(&format!(
        "Ricevuta {} di {} scritta in {}",
        f.transmission_id,
        crate::safe_text::clean(&f.owner_name),
        out.shown()
    ));
    Ok(())
}

fn find_owner(svc: &Service, owner: Option<&str>) -> Result<Option<i64>> {
    owner
        .map(|o| svc.find_owner("--owner", o).map(|o| o.id))
        .transpose()
}

fn file(g: &Global, a: &FileArgs) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    // A read-only session is refused before the arguments are looked at.
    svc.session().require_writable()?;
    let owner_id = svc.owner_or_own(a.owner.as_deref())?;
    let input = a.input();
    let saved = svc.save_communication(
        a.plan,
        owner_id,
        &input,
        a.expected_version,
        a.draft,
        today(),
    )?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&saved)?);
        return Ok(());
    }
    print_saved(&saved);
    Ok(())
}

/// Date and time of receipt in the operator's time zone.
fn received(at: &str) -> (String, String) {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => {
            let local = t.with_timezone(&chrono::Local);
            (
                local.format("%d/%m/%Y").to_string(),
                local.format("%H:%M:%S").to_string(),
            )
        }
        Err(_) => (at.to_string(), String::new()),
    }
}

fn print_saved(s: &Saved) {
    match &s.receipt {
        None => println!(
            "Comunicazione salvata senza trasmetterla (stato {}, versione {})",
            s.state, s.version
        ),
        Some(f) => {
            let (date, time) = received(&f.received_at);
            println!(
                "RICEVUTA DI TRASMISSIONE — {}",
                crate::safe_text::clean(&f.owner_name)
            );
            println!("ID di trasmissione telematica  {}", f.transmission_id);
            println!("Data ricezione                 {date}");
            println!("Ora ricezione                  {time}");
            println!("Versione                       {}", s.version);
            for (k, v) in form_lines(&f.form, Some(f.total)) {
                println!("{k:<31}{}", crate::safe_text::clean(&v));
            }
        }
    }
}

fn form_lines(form: &Form, total: Option<i64>) -> Vec<(String, String)> {
    let n = &form.counts;
    let s = &form.shares;
    let mut v = vec![
        ("Carenze manutentive (b)".to_string(), n.carenze.to_string()),
        ("Nuove/ristrutturate (c+d)".into(), n.nuove.to_string()),
        ("Turn-over (e)".into(), n.turnover.to_string()),
        ("Conferite da privati (f)".into(), n.privati.to_string()),
        (
            "Complessivo disponibili (g)".into(),
            total.map_or_else(|| "fuori misura".into(), |t| t.to_string()),
        ),
        ("SAT (j)".into(), n.sat.to_string()),
        (
            "Assegnate anno precedente (k)".into(),
            n.assegnate.to_string(),
        ),
    ];
    let pcts = [
        ("Eccedenza indigenti (h)", s.indigent_excess),
        ("Anziani (c-bis)", s.elderly),
        ("Famiglie monoparentali (c-bis)", s.single_parent),
        ("Disabili (c-bis)", s.disabled),
        ("Nuove famiglie (c-bis)", s.new_family),
        ("Forze di Polizia (d-bis)", s.police),
    ];
    for (k, p) in pcts {
        if let Some(p) = p {
            v.push((k.to_string(), p.to_string()));
        }
    }
    if let (Some(name), Some(p)) = (&s.other_name, s.other) {
        v.push((format!("{name} (d)"), p.to_string()));
    }
    v
}

fn show(g: &Global, plan_id: i64, owner: Option<&str>, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let owner_id = find_owner(&svc, owner)?;
    let (plan, communications) = svc.communications(plan_id, owner_id)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&communications)?),
        _ if owner_id.is_some() => {
            print_one(&communications[0]);
            let p = svc.communication_prefill(&plan, communications[0].owner_id)?;
            println!(
                "Dal registro (alloggi segnati per il piano {}): liberi {} (turn-over, e), sfitti per carenze manutentive {} (b), sfitti per ristrutturazione {} (c+d)",
                plan.year, p.libero, p.carenze, p.ristrutturazione
            );
        }
        _ => {
            let rows = communications
                .iter()
                .map(|c| {
                    vec![
                        c.owner_name.clone(),
                        c.owner_kind.clone(),
                        c.state.db().to_string(),
                        c.version.to_string(),
                        c.filing
                            .as_ref()
                            .map(|f| f.transmission_id.clone())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            Listing {
                headers: &["Ente", "Tipo", "Stato", "Versione", "ID trasmissione"],
                rows,
                items: &communications,
            }
            .print(format)?;
        }
    }
    Ok(())
}

fn print_one(c: &Communication) {
    println!(
        "SCHEMA COMUNICAZIONE ANNUALE — {} ({})",
        crate::safe_text::clean(&c.owner_name),
        c.owner_kind
    );
    if c.filing.is_some() && c.draft.is_some() {
        // The draft is a new version not yet transmitted: the filing stays in force.
        println!(
            "Stato                          {} (in vigore), con una bozza non trasmessa salvata dopo",
            c.state
        );
    } else {
        println!("Stato                          {}", c.state);
    }
    println!("Versione                       {}", c.version);
    if let Some(f) = &c.filing {
        let (date, time) = received(&f.received_at);
        println!("ID di trasmissione telematica  {}", f.transmission_id);
        println!("Ricevuta il                    {date} alle {time}");
        println!("Valori trasmessi (in vigore):");
        for (k, v) in form_lines(&f.form, Some(f.total)) {
            println!("{k:<31}{}", crate::safe_text::clean(&v));
        }
    }
    if let Some(d) = &c.draft {
        println!("Bozza non trasmessa:");
        for (k, v) in form_lines(d, d.counts.total()) {
            println!("  {k:<29}{}", crate::safe_text::clean(&v));
        }
    }
}

fn history(g: &Global, plan_id: i64, owner: Option<&str>, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let owner_id = find_owner(&svc, owner)?;
    let filings: Vec<Filing> = svc.filings(plan_id, owner_id)?;
    let rows = filings
        .iter()
        .map(|f| {
            let n = &f.form.counts;
            vec![
                f.owner_name.clone(),
                f.transmission_id.clone(),
                f.received_at.clone(),
                f.operator.clone(),
                n.carenze.to_string(),
                n.nuove.to_string(),
                n.turnover.to_string(),
                n.privati.to_string(),
                f.total.to_string(),
                n.sat.to_string(),
                n.assegnate.to_string(),
                if f.superseded_by.is_some() {
                    "sostituita".into()
                } else {
                    "in vigore".into()
                },
            ]
        })
        .collect();
    Listing {
        headers: &[
            "Ente",
            "ID trasmissione",
            "Ricevuta",
            "Operatore",
            "b",
            "c+d",
            "e",
            "f",
            "g",
            "j",
            "k",
            "Stato",
        ],
        rows,
        items: &filings,
    }
    .print(format)
}
