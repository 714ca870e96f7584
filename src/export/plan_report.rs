//! The capofila's report of a plan's communications (xlsx): one row per owner with the date and
//! time of receipt and every number filed, the Comuni's category percentages, and a totals row.
//! Numbers go in numeric cells. A plan has at most a few hundred owners: written in one go.

use crate::domain::communication::Pct;
use crate::output_file::{self, Target};
use crate::store::communications::Communication;
use crate::store::plans::Plan;
use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

pub const HEADERS: [&str; 20] = [
    "Nome ente",
    "Tipo ente",
    "Data Ricezione",
    "Ora Ricezione",
    "ID trasmissione",
    "U.I. in carenza manutentiva (b)",
    "U.I. nuova edificazione/ristrutturazione (c+d)",
    "U.I. turn-over (e)",
    "U.I. conferite da privati (f)",
    "Numero complessivo U.I. disponibili (g)",
    "U.I. SAT (j)",
    "U.I. assegnate anno precedente (k)",
    "Eccedenza indigenti % (h)",
    "Anziani %",
    "Famiglie monoparentali %",
    "Disabili %",
    "Famiglie di nuova formazione %",
    "Forze di Polizia %",
    "Altra categoria",
    "Altra categoria %",
];

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

fn pct_cell(ws: &mut Worksheet, row: u32, col: u16, p: Option<Pct>, f: &Format) -> Result<()> {
    if let Some(p) = p {
        ws.write_number_with_format(row, col, f64::from(p.0) / 100.0, f)?;
    }
    Ok(())
}

/// Writes the report of `plan` to `out` (see `crate::output_file`).
pub fn write(plan: &Plan, communications: &[Communication], out: &Target) -> Result<()> {
    let mut workbook = Workbook::new();
    communications_sheet(workbook.add_worksheet(), plan, communications)?;
    save(&mut workbook, out)
}

/// The "Comunicazioni" sheet: shared by the report and the export of an approved plan.
pub(super) fn communications_sheet(
    ws: &mut Worksheet,
    plan: &Plan,
    communications: &[Communication],
) -> Result<()> {
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.00");
    ws.set_name("Comunicazioni")?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "Piano {} — {} ({}) — anno {} — stato {}",
            plan.id, plan.district_name, plan.district_code, plan.year, plan.state
        ),
        &bold,
    )?;
    for (i, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, *h, &bold)?;
    }
    let mut totals = [0i64; 7];
    let mut row = 2u32;
    for c in communications {
        ws.write_string(row, 0, &c.owner_name)?;
        ws.write_string(row, 1, &c.owner_kind)?;
        if let Some(f) = &c.filing {
            let (date, time) = received(&f.received_at);
            ws.write_string(row, 2, date)?;
            ws.write_string(row, 3, time)?;
            ws.write_string(row, 4, &f.transmission_id)?;
            let n = &f.form.counts;
            let values = [
                n.carenze,
                n.nuove,
                n.turnover,
                n.privati,
                f.total,
                n.sat,
                n.assegnate,
            ];
            for (i, v) in values.into_iter().enumerate() {
                ws.write_number(row, 5 + i as u16, v as f64)?;
                totals[i] += v;
            }
            let s = &f.form.shares;
            pct_cell(ws, row, 12, s.indigent_excess, &pct)?;
            pct_cell(ws, row, 13, s.elderly, &pct)?;
            pct_cell(ws, row, 14, s.single_parent, &pct)?;
            pct_cell(ws, row, 15, s.disabled, &pct)?;
            pct_cell(ws, row, 16, s.new_family, &pct)?;
            pct_cell(ws, row, 17, s.police, &pct)?;
            if let Some(name) = &s.other_name {
                ws.write_string(row, 18, name)?;
            }
            pct_cell(ws, row, 19, s.other, &pct)?;
        } else {
            ws.write_string(row, 2, "non trasmessa")?;
        }
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Totale", &bold)?;
    for (i, v) in totals.into_iter().enumerate() {
        ws.write_number_with_format(row, 5 + i as u16, v as f64, &bold)?;
    }
    ws.set_column_width(0, 40)?;
    Ok(())
}

/// Saves through `crate::output_file`: complete or not at all.
pub(super) fn save(workbook: &mut Workbook, out: &Target) -> Result<()> {
    let mut file = out.create(&output_file::XLSX)?;
    workbook
        .save_to_writer(std::io::BufWriter::new(file.file()))
        .with_context(|| format!("impossibile scrivere {}", out.shown()))?;
    file.commit()
}
