//! The receipt of a transmitted communication (xlsx), which the owner sends to the capofila:
//! the plan, the owner, the ID di trasmissione telematica, date and time of receipt in the
//! operator's time zone, who transmitted, and every value filed (numbers in numeric cells).

use super::plan_report::save;
use crate::domain::format;
use crate::output_file::Target;
use crate::store::communications::Filing;
use crate::store::plans::Plan;
use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook};

/// The values of a filing as label and number (shares in percent), in the form's order.
pub fn values(f: &Filing) -> Vec<(String, Option<f64>)> {
    let n = &f.form.counts;
    let s = &f.form.shares;
    let mut v: Vec<(String, Option<f64>)> = [
        ("U.I. in carenza manutentiva (b)", n.carenze),
        ("U.I. nuova edificazione/ristrutturazione (c+d)", n.nuove),
        ("U.I. turn-over (e)", n.turnover),
        ("U.I. conferite da privati (f)", n.privati),
        ("Numero complessivo U.I. disponibili (g)", f.total),
        ("U.I. SAT (j)", n.sat),
        ("U.I. assegnate anno precedente (k)", n.assegnate),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), Some(n as f64)))
    .collect();
    let pct = |p: Option<crate::domain::communication::Pct>| p.map(|p| f64::from(p.0) / 100.0);
    for (k, p) in [
        ("Eccedenza indigenti % (h)", s.indigent_excess),
        ("Anziani %", s.elderly),
        ("Famiglie monoparentali %", s.single_parent),
        ("Disabili %", s.disabled),
        ("Famiglie di nuova formazione %", s.new_family),
        ("Forze di Polizia %", s.police),
    ] {
        if p.is_some() {
            v.push((k.to_string(), pct(p)));
        }
    }
    if let Some(name) = &s.other_name {
        v.push((format!("Altra categoria: {name} %"), pct(s.other)));
    }
    v
}

/// The receipt as text lines (label, value), for the command line and the file alike.
pub fn heading(plan: &Plan, f: &Filing) -> Vec<(&'static str, String)> {
    vec![
        (
            "Piano",
            format!(
                "{} — {} ({}) — anno {}",
                plan.id, plan.district_name, plan.district_code, plan.year
            ),
        ),
        ("Ente", f.owner_name.clone()),
        ("ID di trasmissione telematica", f.transmission_id.clone()),
        ("Ricevuta il", format::instant_in_words(&f.received_at)),
        ("Trasmessa da", f.operator.clone()),
    ]
}

/// Writes the receipt of `filing` to `out` (see `crate::output_file`).
pub fn write(plan: &Plan, filing: &Filing, out: &Target) -> Result<()> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    ws.set_name("Ricevuta")?;
    ws.write_string_with_format(
        0,
        0,
        "RICEVUTA DI TRASMISSIONE — COMUNICAZIONE ANNUALE",
        &bold,
    )?;
    let mut row = 2u32;
    for (k, v) in heading(plan, filing) {
        ws.write_string_with_format(row, 0, k, &bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Valori trasmessi", &bold)?;
    row += 1;
    for (k, v) in values(filing) {
        ws.write_string(row, 0, k)?;
        if let Some(v) = v {
            ws.write_number(row, 1, v)?;
        }
        row += 1;
    }
    ws.set_column_width(0, 50)?;
    ws.set_column_width(1, 40)?;
    save(&mut workbook, out)
}
