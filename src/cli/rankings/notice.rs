//! `casa notice list|create|show|close`: a district's notices (avvisi).

use crate::cli::output::{Format, Listing};
use crate::cli::plan::parse_date;
use crate::cli::{Global, open};
use crate::service::notices::NewNoticeRequest;
use crate::service::{Need, today};
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// Notices, newest first
    List {
        /// Only this district (code or name)
        #[arg(long)]
        district: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Create a notice of a district (capofila): the units marked in avviso are offered; the
    /// rule set in force on the opening day is recorded (or --rules); prints its id
    Create {
        #[arg(long)]
        district: String,
        #[arg(long)]
        title: String,
        /// Opening day (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long)]
        opens: String,
        /// Closing day: at least the rule set's minimum (30 days) after opening
        #[arg(long)]
        closes: String,
        /// Rule set: id or citation (default: in force on the opening day)
        #[arg(long)]
        rules: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// A notice: dates, state, rule set, units offered, applications, ranking deadlines
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Close a notice (capofila)
    Close { id: i64 },
}

pub fn run(g: &Global, cmd: NoticeCommand) -> Result<()> {
    match cmd {
        NoticeCommand::List { district, format } => notice_list(g, district.as_deref(), format),
        NoticeCommand::Create {
            district,
            title,
            opens,
            closes,
            rules,
            format,
        } => notice_create(
            g,
            &district,
            &title,
            &opens,
            &closes,
            rules.as_deref(),
            format,
        ),
        NoticeCommand::Show { id, format } => notice_show(g, id, format),
        NoticeCommand::Close { id } => notice_close(g, id),
    }
}

fn notice_close(g: &Global, id: i64) -> Result<()> {
    let n = open(g, Need::Write)?.close_notice(id)?;
    println!("Avviso {} chiuso", n.id);
    if today() < n.closes_on {
        eprintln!(
            "Chiusura anticipata: la data di chiusura era il {}",
            n.closes_on.format("%d/%m/%Y")
        );
    }
    Ok(())
}

fn notice_list(g: &Global, district: Option<&str>, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let district_id = district
        .map(|d| svc.find_district("--district", d).map(|d| d.id))
        .transpose()?;
    let listed = svc.notices(district_id, today())?;
    let found: Vec<_> = listed.iter().map(|(n, _)| n).collect();
    let rows = listed
        .iter()
        .map(|(n, state)| {
            vec![
                n.id.to_string(),
                n.district_code.clone(),
                n.title.clone(),
                n.opens_on.format("%d/%m/%Y").to_string(),
                n.closes_on.format("%d/%m/%Y").to_string(),
                state.to_string(),
                n.rule_set.clone(),
                n.units.to_string(),
                n.applications.to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ID", "AMBITO", "TITOLO", "APERTURA", "CHIUSURA", "STATO", "REGOLE", "ALLOGGI",
            "DOMANDE",
        ],
        rows,
        items: &found,
    }
    .print(format)
}

fn notice_create(
    g: &Global,
    district: &str,
    title: &str,
    opens: &str,
    closes: &str,
    rules: Option<&str>,
    format: Format,
) -> Result<()> {
    let opens_on = parse_date("--opens", opens)?;
    let closes_on = parse_date("--closes", closes)?;
    let mut svc = open(g, Need::Write)?;
    // A read-only session is refused before the arguments are looked at.
    svc.session().require_writable()?;
    let d = svc.find_district("--district", district)?;
    let n = svc.create_notice(&NewNoticeRequest {
        district_id: d.id,
        title,
        opens_on,
        closes_on,
        rules,
    })?;
    match format {
        Format::Json => println!("{}", serde_json::json!({ "id": n.id })),
        _ => println!("{}", n.id),
    }
    eprintln!(
        "Avviso {} dell'ambito {}: {} alloggi offerti, regole {}",
        n.id, n.district_code, n.units, n.rule_set
    );
    Ok(())
}

fn notice_show(g: &Global, id: i64, format: Format) -> Result<()> {
    let view = open(g, Need::Read)?.notice(id, today())?;
    let (n, d, list) = (&view.notice, view.deadlines, &view.rankings);
    if format == Format::Json {
        let v = serde_json::json!({
            "notice": n,
            "effective_state": view.state,
            "deadlines": d,
            "rankings": list,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let fields = [
        ("ID", n.id.to_string()),
        ("Titolo", n.title.clone()),
        (
            "Ambito",
            format!("{} ({})", n.district_name, n.district_code),
        ),
        ("Apertura", n.opens_on.format("%d/%m/%Y").to_string()),
        ("Chiusura", n.closes_on.format("%d/%m/%Y").to_string()),
        ("Stato", view.state.to_string()),
        ("Regole", n.rule_set.clone()),
        ("Alloggi offerti", n.units.to_string()),
        ("Domande", n.applications.to_string()),
        ("Graduatorie", list.len().to_string()),
    ];
    for (k, v) in fields {
        println!("{k:<18} {}", crate::safe_text::clean(&v));
    }
    if let (Some(d), false) = (d, list.is_empty()) {
        println!(
            "Rettifiche fino al {}; decisione dell'ente fino al {}; definitiva entro il {}",
            d.corrections_until.format("%d/%m/%Y"),
            d.decision_until.format("%d/%m/%Y"),
            d.final_by.format("%d/%m/%Y")
        );
    }
    Ok(())
}
