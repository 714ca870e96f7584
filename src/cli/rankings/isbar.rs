//! `casa isbar explain`: an application's ISBAR, condition by condition.

use crate::cli::output::Format;
use crate::cli::{Global, open};
use crate::domain::isbar::points;
use crate::service::Need;
use crate::store::rankings;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum IsbarCommand {
    /// Explain an application's ISBAR: conditions, points, legal references, residence,
    /// tie-break keys, positions, rule set and unverified values
    Explain {
        /// ID domanda
        id: String,
        /// The notice (needed when the ID domanda is in several notices)
        #[arg(long)]
        notice: Option<i64>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

pub fn run(g: &Global, cmd: IsbarCommand) -> Result<()> {
    let IsbarCommand::Explain { id, notice, format } = cmd;
    let svc = open(g, Need::Read)?;
    let notice = match notice {
        Some(n) => n,
        None => svc.notice_of_application(&id)?,
    };
    let e = svc.explain_application(notice, &id)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(());
    }
    print_explanation(&e);
    Ok(())
}

fn print_explanation(e: &rankings::Explanation) {
    println!(
        "Domanda {} — avviso {} — regole {}",
        crate::safe_text::clean(&e.code),
        e.notice_id,
        crate::safe_text::clean(&e.rule_set)
    );
    if !e.admitted || !e.failures.is_empty() {
        println!("ESCLUSA:");
        for f in &e.failures {
            println!("  {:<18} {}", f.requirement, f.reason);
        }
    }
    if let Some(s) = &e.score {
        println!();
        println!(
            "{:<10} {:>7}  {:<45} RIFERIMENTO",
            "GRUPPO", "PUNTI", "CONDIZIONE"
        );
        for l in &s.lines {
            let mark = if l.verified { "" } else { " (non verificato)" };
            println!(
                "{:<10} {:>7}  {:<45} {}{mark}",
                l.group.key().split('_').next().unwrap_or_default(),
                points(l.points),
                l.label,
                l.legal_ref
            );
            if !l.detail.is_empty() {
                println!("{:<19}{}", "", l.detail);
            }
        }
        println!("{:<10} {:>7}", "ISBAR", points(s.total));
        println!(
            "Indigente: {}",
            if e.indigent {
                "SI (ISEE entro la soglia)"
            } else {
                "NO"
            }
        );
        println!();
        println!("Criteri di parità, nell'ordine:");
        for (k, v) in &e.tie_keys {
            println!("  {k:<36} {v}");
        }
    }
    if !e.positions.is_empty() {
        println!();
        println!("Posizioni:");
        for (r, p) in &e.positions {
            println!(
                "  {} · {} ({}): posizione {p} di {}",
                crate::safe_text::clean(&r.owner_name),
                crate::safe_text::clean(&r.comune),
                r.state,
                r.entries
            );
        }
    }
    if !e.kept_preferences.is_empty() {
        println!(
            "Alloggi scelti validi: {}",
            e.kept_preferences
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for d in &e.dropped_preferences {
        println!("Alloggio {} non considerato: {}", d.unit_id, d.reason);
    }
    if e.by_comune.len() > 1 {
        println!();
        println!(
            "Punteggio nei comuni delle graduatorie (residenza nel comune dell'alloggio, art. 12 c.2):"
        );
        for c in &e.by_comune {
            println!(
                "  {:<28} {:>3} anni  residenza Comune {:>6}  ISBAR {:>7}",
                c.comune,
                c.years,
                points(c.residenza_comune),
                points(c.isbar)
            );
        }
    }
    if let Some(u) = &e.unverified {
        println!();
        println!("{u}");
    }
}
