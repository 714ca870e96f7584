//! The export of an approved plan (xlsx): the plan card, the communications, the owners' stock
//! per comune and the units marked for the plan year. A district has a few dozen comuni and a
//! few hundred marked units: written in one go.

use super::plan_report::{communications_sheet, save};
use crate::output_file::Target;
use crate::store::Store;
use crate::store::certification::{self, CertificationKind};
use crate::store::communications::Communication;
use crate::store::plan_files::{self, ComuneStock};
use crate::store::plans::Plan;
use anyhow::Result;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

fn it(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Which file of a plan to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFile {
    /// `plan report`: the communications, in any state.
    Report,
    /// `plan export`: everything, approved plans only.
    Export,
}

/// Writes the export of `plan` (the caller checks that it is approved) to `out`.
pub fn write(
    store: &Store,
    plan: &Plan,
    communications: &[Communication],
    out: &Target,
) -> Result<()> {
    let mut workbook = Workbook::new();
    card_sheet(workbook.add_worksheet(), plan)?;
    communications_sheet(workbook.add_worksheet(), plan, communications)?;
    stock_sheet(workbook.add_worksheet(), store, plan, communications)?;
    units_sheet(workbook.add_worksheet(), store, plan)?;
    save(&mut workbook, out)
}

fn card_sheet(ws: &mut Worksheet, plan: &Plan) -> Result<()> {
    let bold = Format::new().set_bold();
    ws.set_name("Scheda piano")?;
    ws.write_string_with_format(0, 0, "SCHEDA PROGRAMMAZIONE ANNUALE", &bold)?;
    let fields = [
        ("ID", plan.id.to_string()),
        ("ANNO DI RIFERIMENTO", plan.year.to_string()),
        ("DATA INIZIO COMUNICAZIONE", it(plan.window_start)),
        ("DATA FINE COMUNICAZIONE", it(plan.window_end)),
        (
            "PIANO DI ZONA",
            format!("{} ({})", plan.district_name, plan.district_code),
        ),
        ("STATO DEL PIANO", plan.state.db().to_string()),
        ("Revisione", plan.revision.to_string()),
        ("Regole", plan.rule_set.clone()),
    ];
    for (i, (k, v)) in fields.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, *k, &bold)?;
        ws.write_string(row, 1, v)?;
    }
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, 40)?;
    Ok(())
}

/// Stock per owner and comune of the district from the registry, then a total row per owner:
/// the totals of its last certification when it has one (what the owner vouched for), else
/// the registry now.
fn stock_sheet(
    ws: &mut Worksheet,
    store: &Store,
    plan: &Plan,
    communications: &[Communication],
) -> Result<()> {
    let bold = Format::new().set_bold();
    ws.set_name("Patrimonio")?;
    let headers = [
        "Ente",
        "Comune",
        "SAP",
        "SAS",
        "Altro uso residenziale",
        "Totale",
        "Fonte",
    ];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    for c in communications {
        for stock in plan_files::stock_by_comune(store.conn(), c.owner_id, plan.district_id)? {
            let ComuneStock {
                comune,
                sap,
                sas,
                other,
            } = stock;
            ws.write_string(row, 0, &c.owner_name)?;
            ws.write_string(row, 1, comune)?;
            for (i, v) in [sap, sas, other, sap + sas + other].into_iter().enumerate() {
                ws.write_number(row, 2 + i as u16, v as f64)?;
            }
            ws.write_string(row, 6, "anagrafe attuale")?;
            row += 1;
        }
        let (t, source) = match &c.last_certification {
            Some(l) if l.kind == CertificationKind::Certify => {
                (l.totals, format!("certificazione del {}", l.at))
            }
            Some(l) => (
                l.totals,
                format!("dichiarazione di nessuna unità del {}", l.at),
            ),
            None => (
                certification::totals(store.conn(), c.owner_id)?,
                "anagrafe attuale (nessuna certificazione)".to_string(),
            ),
        };
        ws.write_string_with_format(row, 0, &c.owner_name, &bold)?;
        ws.write_string_with_format(row, 1, "Totale ente (tutti i comuni)", &bold)?;
        for (i, v) in [t.sap, t.sas, t.other, t.sap + t.sas + t.other]
            .into_iter()
            .enumerate()
        {
            ws.write_number_with_format(row, 2 + i as u16, v as f64, &bold)?;
        }
        ws.write_string(row, 6, source)?;
        row += 1;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(6, 45)?;
    Ok(())
}

/// Units marked for the plan year in the district's comuni.
fn units_sheet(ws: &mut Worksheet, store: &Store, plan: &Plan) -> Result<()> {
    let bold = Format::new().set_bold();
    ws.set_name("Alloggi inclusi")?;
    let headers = [
        "Ragione sociale ente",
        "Codice identificativo U.I.",
        "Comune",
        "Quartiere/Zona/Località/Frazione",
        "Stato",
    ];
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let units = plan_files::marked_units(store.conn(), plan.year, plan.district_id)?;
    for (i, u) in units.iter().enumerate() {
        let cells = [&u.owner, &u.code, &u.comune, &u.locality, &u.state];
        for (col, v) in cells.into_iter().enumerate() {
            ws.write_string(i as u32 + 1, col as u16, v.as_str())?;
        }
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 25)?;
    ws.set_column_width(2, 25)?;
    ws.set_column_width(3, 30)?;
    ws.set_column_width(4, 35)?;
    Ok(())
}
