//! `casa units edit`: one unit's state, flags and works, as the interface's Modifica does.

use super::{Global, open};
use crate::service::Need;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct EditArgs {
    /// ID alloggio
    pub id: i64,
    /// Stato (LIBERO, OCCUPATO, SFITTO PER CARENZE MANUTENTIVE, …)
    #[arg(long = "stato", value_name = "STATO")]
    pub state: Option<String>,
    /// SAT (servizi abitativi transitori, SAP units only): SI or NO
    #[arg(long = "sat", value_name = "SI|NO")]
    pub sat: Option<String>,
    /// In avviso: SI or NO
    #[arg(long = "in-avviso", value_name = "SI|NO")]
    pub in_notice: Option<String>,
    /// Senza barriere architettoniche: SI or NO
    #[arg(long = "senza-barriere", value_name = "SI|NO")]
    pub barrier_free: Option<String>,
    /// Ascensore: SI or NO
    #[arg(long = "ascensore", value_name = "SI|NO")]
    pub lift: Option<String>,
    /// Interventi necessari ("" clears them and their cost)
    #[arg(long = "interventi", value_name = "TESTO")]
    pub works: Option<String>,
    /// Costo stimato degli interventi in euro, e.g. 4.250,50 ("" clears it)
    #[arg(long = "costo", value_name = "EURO")]
    pub cost: Option<String>,
    /// The version read (units show): refused if the unit changed since
    #[arg(long)]
    pub version: Option<i64>,
}

pub fn run(g: &Global, a: &EditArgs) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    let current = svc.editable_unit(a.id)?;
    let mut typed = current.values.typed();
    let given = [
        &a.state,
        &a.sat,
        &a.in_notice,
        &a.barrier_free,
        &a.lift,
        &a.works,
        &a.cost,
    ];
    for (slot, v) in typed.iter_mut().zip(given) {
        if let Some(v) = v {
            slot.clone_from(v);
        }
    }
    // Clearing the works clears their cost, unless a cost is given with them.
    if a.works.as_deref().is_some_and(|w| w.trim().is_empty()) && a.cost.is_none() {
        typed[6].clear();
    }
    let typed_refs: [&str; 7] = std::array::from_fn(|i| typed[i].as_str());
    let version = svc.edit_unit(a.id, &typed_refs, a.version.unwrap_or(current.version))?;
    if version == current.version {
        println!("Alloggio {}: nessuna modifica", a.id);
    } else {
        println!("Alloggio {} modificato (versione {version})", a.id);
    }
    Ok(())
}
