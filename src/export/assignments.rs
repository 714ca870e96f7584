//! The year's assignments as .xlsx, in the shape an owner reports to the Region: a sheet with
//! the quota ledger (one row per owner × comune × line: the units available in the year, the
//! share and its rounding, the quota, the units assigned, in progress and still owed) and a
//! sheet with every assignment (unit, ID domanda — never names or codici fiscali —, line,
//! stage, dates, the act and the lease). Numbers are written as numbers; the file is written to
//! `FILE.part` and renamed when complete.

use crate::domain::assignment::{Line, LineState};
use crate::output_file::{self, Target};
use crate::store::assignments::{AssignmentRow, LedgerView};
use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Columns of the ledger sheet.
pub const LEDGER_HEADERS: [&str; 15] = [
    "Ente proprietario",
    "Tipo ente",
    "Comune",
    "Codice ISTAT",
    "Anno",
    "U.I. disponibili nell'anno",
    "U.I. previste dal piano (g)",
    "Linea",
    "Percentuale",
    "Arrotondamento",
    "Quota",
    "Assegnate",
    "In corso",
    "Dovute",
    "Fonte delle percentuali",
];

/// Columns of the assignments sheet.
pub const ASSIGNMENT_HEADERS: [&str; 18] = [
    "ID alloggio",
    "Codice identificativo U.I.",
    "Ente proprietario",
    "Comune",
    "Indirizzo",
    "Superficie utile (m²)",
    "ID domanda",
    "Linea",
    "Stato",
    "Data proposta",
    "Data offerta",
    "Termine risposta",
    "Data esito",
    "Motivo",
    "N. provvedimento",
    "Data provvedimento",
    "Data contratto",
    "Regole",
];

fn line_row(
    ws: &mut Worksheet,
    row: u32,
    v: &LedgerView,
    s: &LineState,
    pct: &Format,
) -> Result<(), XlsxError> {
    ws.write_string(row, 0, &v.owner_name)?;
    ws.write_string(row, 1, &v.owner_kind)?;
    ws.write_string(row, 2, &v.comune)?;
    ws.write_string(row, 3, &v.key.istat)?;
    ws.write_number(row, 4, f64::from(v.key.year))?;
    ws.write_number(row, 5, v.ledger.base as f64)?;
    if let Some(f) = v.ledger.shares.forecast {
        ws.write_number(row, 6, f as f64)?;
    }
    ws.write_string(row, 7, s.label(v.ledger.shares.other_name.as_deref()))?;
    if let Some(p) = s.pct {
        ws.write_number_with_format(row, 8, p as f64 / 10_000.0, pct)?;
    }
    if let Some(r) = s.rounding {
        ws.write_string(row, 9, r.label())?;
    }
    if s.line != Line::Graduatoria {
        ws.write_number(row, 10, s.quota as f64)?;
    }
    ws.write_number(row, 11, s.used as f64)?;
    ws.write_number(row, 12, s.in_progress as f64)?;
    if s.line != Line::Graduatoria {
        ws.write_number(row, 13, s.owed() as f64)?;
    }
    ws.write_string(row, 14, &v.ledger.shares.source)?;
    Ok(())
}

fn header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, bold)?;
    }
    Ok(())
}

/// Writes the ledgers and the assignments of a year to `out`. `notes` go above the ledger
/// (the rule set, unverified values).
pub fn write(
    out: &Target,
    year: i32,
    notes: &[String],
    ledgers: &[LedgerView],
    rows: &[AssignmentRow],
) -> Result<()> {
    let mut file = out.create(&output_file::XLSX)?;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.00%");
    let area = Format::new().set_num_format("0.00");
    {
        let ws = wb.add_worksheet();
        ws.set_name(format!("Quote {year}"))?;
        let mut row = 0u32;
        for n in notes {
            ws.write_string(row, 0, n)?;
            row += 1;
        }
        if !notes.is_empty() {
            row += 1;
        }
        header(ws, row, &LEDGER_HEADERS, &bold)?;
        ws.set_freeze_panes(row + 1, 0)?;
        row += 1;
        for v in ledgers {
            for s in &v.ledger.lines {
                line_row(ws, row, v, s, &pct)?;
                row += 1;
            }
        }
        if ledgers.is_empty() {
            ws.write_string(row, 0, "Nessuna unità disponibile nell'anno")?;
        }
        ws.set_column_width(0, 40)?;
        ws.set_column_width(7, 34)?;
        ws.set_column_width(14, 60)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(format!("Assegnazioni {year}"))?;
        header(ws, 0, &ASSIGNMENT_HEADERS, &bold)?;
        ws.set_freeze_panes(1, 0)?;
        for (i, a) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_number(r, 0, a.unit_id as f64)?;
            ws.write_string(r, 1, &a.unit_code)?;
            ws.write_string(r, 2, &a.owner_name)?;
            ws.write_string(r, 3, &a.comune)?;
            ws.write_string(r, 4, &a.address)?;
            if let Some(m) = a.area_m2 {
                ws.write_number_with_format(r, 5, m, &area)?;
            }
            ws.write_string(r, 6, &a.code)?;
            ws.write_string(r, 7, a.line.label())?;
            ws.write_string(r, 8, a.stage.db())?;
            let dates = [
                Some(&a.proposed_on),
                a.offered_on.as_ref(),
                a.answer_by.as_ref(),
                a.outcome_on.as_ref(),
            ];
            for (c, d) in dates.into_iter().enumerate() {
                if let Some(d) = d {
                    ws.write_string(r, 9 + c as u16, d)?;
                }
            }
            if let Some(m) = &a.outcome_reason {
                ws.write_string(r, 13, m)?;
            }
            if let Some(n) = &a.act_number {
                ws.write_string(r, 14, n)?;
            }
            if let Some(d) = &a.act_date {
                ws.write_string(r, 15, d)?;
            }
            if let Some(d) = &a.lease_date {
                ws.write_string(r, 16, d)?;
            }
            ws.write_string(r, 17, &a.rule_set)?;
        }
        if rows.is_empty() {
            ws.write_string(1, 0, "Nessuna assegnazione nell'anno")?;
        }
        ws.set_column_width(2, 40)?;
        ws.set_column_width(4, 30)?;
        ws.set_column_width(13, 40)?;
    }
    wb.save_to_writer(std::io::BufWriter::new(file.file()))
        .with_context(|| format!("scrittura di {} non riuscita", out.shown()))?;
    file.commit()
}
