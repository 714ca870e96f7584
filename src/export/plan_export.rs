//! The export of an approved plan (xlsx): the plan card, the communications, the owners' stock
//! per comune and the units marked for the plan year. A district has a few dozen comuni and a
//! few hundred marked units: written in one go.

use super::plan_report::{comms_sheet, save};
use crate::domain::access::{Action, OperatorScope};
use crate::domain::plan::PlanState;
use crate::store::certification::{self, CertificationKind, Refused};
use crate::store::communications::{self, Communication};
use crate::store::plans::{self, Plan};
use anyhow::Result;
use rusqlite::Connection;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::path::Path;

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

/// Writes the report or the export of a plan for `scope` (the CLI and the TUI worker share
/// it): the capofila of the district, the Region and the helpdesk may. Returns the plan and
/// its communications.
pub fn write_for(
    conn: &Connection,
    scope: &OperatorScope,
    plan_id: i64,
    what: PlanFile,
    out: &Path,
    today: chrono::NaiveDate,
) -> Result<(Plan, Vec<Communication>)> {
    let plan = plans::get(conn, plan_id)?;
    if !scope.sees_everything() {
        scope.check(Action::ManagePlan {
            district_id: plan.district_id,
        })?;
    }
    let comms = communications::list(conn, &plan, None)?;
    match what {
        PlanFile::Report => super::plan_report::write(&plan, &comms, out)?,
        PlanFile::Export => {
            let state = plan.effective_state(today);
            if state != PlanState::Approved {
                return Err(Refused(format!(
                    "Il piano {plan_id} è in stato {}: si esportano solo i piani APPROVATO",
                    state.db()
                ))
                .into());
            }
            write(conn, &plan, &comms, out)?;
        }
    }
    Ok((plan, comms))
}

/// Writes the export of `plan` (the caller checks that it is approved) to `out`.
pub fn write(conn: &Connection, plan: &Plan, comms: &[Communication], out: &Path) -> Result<()> {
    let mut workbook = Workbook::new();
    card_sheet(workbook.add_worksheet(), plan)?;
    comms_sheet(workbook.add_worksheet(), plan, comms)?;
    stock_sheet(workbook.add_worksheet(), conn, plan, comms)?;
    units_sheet(workbook.add_worksheet(), conn, plan)?;
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
    conn: &Connection,
    plan: &Plan,
    comms: &[Communication],
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
    let mut stmt = conn.prepare(
        "SELECT m.name,
                sum(CASE WHEN t.service = 1 THEN t.n ELSE 0 END),
                sum(CASE WHEN t.service = 2 THEN t.n ELSE 0 END),
                sum(CASE WHEN t.service NOT IN (1, 2) THEN t.n ELSE 0 END)
         FROM unit_tally t
         JOIN district_municipality dm ON dm.istat_code = t.istat_code AND dm.district_id = ?2
         JOIN municipality m ON m.istat_code = t.istat_code
         WHERE t.owner_id = ?1
         GROUP BY t.istat_code ORDER BY m.name",
    )?;
    let mut row = 1u32;
    for c in comms {
        let rows = stmt
            .query_map([c.owner_id, plan.district_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (comune, sap, sas, other) in rows {
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
                certification::totals(conn, c.owner_id)?,
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
fn units_sheet(ws: &mut Worksheet, conn: &Connection, plan: &Plan) -> Result<()> {
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
    let mut stmt = conn.prepare(
        "SELECT o.name, u.code, m.name, ifnull(u.locality, ''), s.label
         FROM unit u
         JOIN district_municipality dm ON dm.istat_code = u.istat_code AND dm.district_id = ?2
         JOIN owner o ON o.id = u.owner_id
         JOIN municipality m ON m.istat_code = u.istat_code
         JOIN unit_state s ON s.code = u.state
         WHERE u.plan_year = ?1
         ORDER BY o.name, m.name, u.code",
    )?;
    let rows = stmt.query_map(rusqlite::params![plan.year, plan.district_id], |r| {
        Ok([
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ])
    })?;
    for (i, r) in rows.enumerate() {
        for (col, v) in r?.iter().enumerate() {
            ws.write_string(i as u32 + 1, col as u16, v)?;
        }
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 25)?;
    ws.set_column_width(2, 25)?;
    ws.set_column_width(3, 30)?;
    ws.set_column_width(4, 35)?;
    Ok(())
}
