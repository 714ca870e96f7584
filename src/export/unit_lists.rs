//! The plan's three detail lists (units LIBERO, SFITTO PER CARENZE MANUTENTIVE, SFITTO PER
//! RISTRUTTURAZIONE) of a search, as one .xlsx with a sheet per list, or as CSV for scripts.
//!
//! Rows stream from the store in keyset pages into rust_xlsxwriter's constant-memory
//! worksheets, so memory stays flat whatever the number of units.

use super::Cancelled;
use crate::domain::registry::UnitState;
use crate::domain::unit_filter::{Sort, UnitFilter, Visibility};
use crate::output_file::{self, Target};
use crate::store::Store;
use crate::store::search::{self, UnitRow};
use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde::Serialize;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Columns of the regional detail list, plus superficie and destinazione d'uso.
pub const HEADERS: [&str; 9] = [
    "Ragione sociale dell'Ente proprietario",
    "Codice identificativo U.I.",
    "ID Alloggio",
    "Comune",
    "Quartiere/Zona/Località/Frazione",
    "Indirizzo",
    "Stato",
    "Superficie utile (m²)",
    "Destinazione d'uso",
];

/// Column widths in characters (Excel units), matching the headers.
const WIDTHS: [f64; 9] = [40.0, 20.0, 12.0, 24.0, 28.0, 36.0, 32.0, 12.0, 28.0];

/// Rows read from the store per page.
const PAGE: usize = 1_000;

/// SQLite page cache while exporting: the export reads each page once, so a large cache would
/// only raise the memory peak.
const EXPORT_CACHE_KIB: i64 = 8 * 1024;

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ListsRequest {
    pub filter: UnitFilter,
    pub visibility: Visibility,
    /// Only the units marked for the plan of this year.
    pub only_marked: Option<i32>,
    /// Order of the rows within each list.
    pub sort: Sort,
}

/// Rows written per list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListsSummary {
    pub free: u64,
    pub vacant_maintenance: u64,
    pub vacant_renovation: u64,
}

impl ListsSummary {
    pub fn total(&self) -> u64 {
        self.free + self.vacant_maintenance + self.vacant_renovation
    }

    fn add(&mut self, state: UnitState, n: u64) {
        match state {
            UnitState::Free => self.free += n,
            UnitState::VacantMaintenance => self.vacant_maintenance += n,
            _ => self.vacant_renovation += n,
        }
    }
}

/// Sheet name of a list (at most 31 characters, as Excel requires).
pub fn sheet_name(state: UnitState) -> &'static str {
    match state {
        UnitState::Free => "LIBERO",
        UnitState::VacantMaintenance => "SFITTO CARENZE MANUTENTIVE",
        _ => "SFITTO RISTRUTTURAZIONE",
    }
}

/// The filter of one list: the request's filter restricted to `state` (None when the filter
/// asks for other states only: the list is then empty).
pub fn list_filter(req: &ListsRequest, state: UnitState) -> Option<UnitFilter> {
    if !req.filter.states.is_empty() && !req.filter.states.contains(&state) {
        return None;
    }
    let mut f = req.filter.clone();
    f.states = vec![state];
    if let Some(y) = req.only_marked {
        f.marked_for_year = Some(y);
    }
    Some(f)
}

/// The filter of the three lists together: the request's filter restricted to the lists'
/// states (None when it asks for other states only).
pub fn lists_filter(req: &ListsRequest) -> Option<UnitFilter> {
    let states: Vec<UnitState> = UnitState::PLAN_LISTS
        .into_iter()
        .filter(|s| req.filter.states.is_empty() || req.filter.states.contains(s))
        .collect();
    if states.is_empty() {
        return None;
    }
    let mut f = req.filter.clone();
    f.states = states;
    if let Some(y) = req.only_marked {
        f.marked_for_year = Some(y);
    }
    Some(f)
}

/// Units each list will hold.
pub fn counts(store: &Store, req: &ListsRequest) -> Result<ListsSummary> {
    let mut s = ListsSummary {
        free: 0,
        vacant_maintenance: 0,
        vacant_renovation: 0,
    };
    for state in UnitState::PLAN_LISTS {
        if let Some(f) = list_filter(req, state) {
            s.add(
                state,
                search::count(store.conn(), &f, &req.visibility)? as u64,
            );
        }
    }
    Ok(s)
}

/// Streams the rows of the three lists to `write`, in one pass over the units in the order of
/// the sort (each list's rows stay in that order; one pass reads each table page once instead
/// of once per list). `progress(written, total)` is called after every page; `cancel` is
/// checked between pages.
fn stream(
    store: &Store,
    req: &ListsRequest,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &AtomicBool,
    write: &mut dyn FnMut(Vec<UnitRow>) -> Result<()>,
) -> Result<ListsSummary> {
    let _cache = store.page_cache(EXPORT_CACHE_KIB)?;
    let conn = store.conn();
    let mut done = ListsSummary {
        free: 0,
        vacant_maintenance: 0,
        vacant_renovation: 0,
    };
    let Some(f) = lists_filter(req) else {
        progress(0, 0);
        return Ok(done);
    };
    let total = search::count(conn, &f, &req.visibility)? as u64;
    progress(0, total);
    search::for_each_list_page(conn, &f, &req.visibility, req.sort, PAGE, |rows| {
        if cancel.load(Ordering::Relaxed) {
            return Err(Cancelled.into());
        }
        for u in &rows {
            done.add(u.state, 1);
        }
        write(rows)?;
        progress(done.total(), total);
        Ok(true)
    })?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled.into());
    }
    Ok(done)
}

/// Writes one unit's cells, moving its strings into the sheet (rust_xlsxwriter keeps each
/// cell's string as its own `Arc<str>`: a borrowed string would be copied twice).
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    mut u: UnitRow,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let address = u.take_full_address();
    ws.write_string(row, 0, u.owner_name)?;
    ws.write_string(row, 1, u.code)?;
    // Ids stay well below 2^53: exact as numbers.
    ws.write_number(row, 2, u.id as f64)?;
    ws.write_string(row, 3, u.comune)?;
    if let Some(l) = u.locality {
        ws.write_string(row, 4, l)?;
    }
    ws.write_string(row, 5, address)?;
    ws.write_string(row, 6, u.state.label())?;
    if let Some(a) = u.floor_area {
        ws.write_number(row, 7, a)?;
    }
    ws.write_string(row, 8, u.service.label())?;
    Ok(())
}

/// Writes the three lists of `req` to `out` (.xlsx, one sheet per list, header bold and
/// frozen). The file appears under its name only when complete (see `crate::output_file`);
/// on error or cancel the partial file is removed.
pub fn write_xlsx(
    store: &Store,
    req: &ListsRequest,
    out: &Target,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &AtomicBool,
) -> Result<ListsSummary> {
    let mut file = out.create(&output_file::XLSX)?;
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let area = Format::new().set_num_format("0.00");
    for state in UnitState::PLAN_LISTS {
        let ws = workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name(state))?;
        for (i, (h, w)) in HEADERS.iter().zip(WIDTHS).enumerate() {
            ws.set_column_width(i as u16, w)?;
            ws.write_string_with_format(0, i as u16, *h, &header)?;
        }
        ws.set_column_format(7, &area)?;
        ws.set_freeze_panes(1, 0)?;
    }
    // The cells are written by a second thread while this one reads the next pages: reading
    // a page costs about as much as writing it, so the export takes little more than writing.
    let (pages, received) = std::sync::mpsc::sync_channel::<Vec<UnitRow>>(4);
    let writer = std::thread::Builder::new()
        .name("export-xlsx".into())
        .spawn(move || -> Result<Workbook> {
            let mut next_row = [1u32; 3];
            for page in received {
                for u in page {
                    let index = UnitState::PLAN_LISTS
                        .iter()
                        .position(|s| *s == u.state)
                        .unwrap_or(0);
                    let ws = workbook.worksheet_from_index(index)?;
                    write_row(ws, next_row[index], u)?;
                    next_row[index] += 1;
                }
            }
            Ok(workbook)
        })?;
    let read = stream(store, req, progress, cancel, &mut |rows| {
        // A send fails only when the writer stopped on an error, reported by join below.
        pages
            .send(rows)
            .map_err(|_| anyhow::anyhow!("scrittura del file interrotta"))
    });
    drop(pages);
    let written = writer
        .join()
        .map_err(|_| anyhow::anyhow!("errore interno nella scrittura del file xlsx"))?;
    let (summary, mut workbook) = match (read, written) {
        // The writer's own error explains a failed send better than the send does.
        (_, Err(e)) | (Err(e), Ok(_)) => return Err(e),
        (Ok(summary), Ok(wb)) => (summary, wb),
    };
    workbook
        .save_to_writer(std::io::BufWriter::new(file.file()))
        .with_context(|| format!("scrittura di {} non riuscita", out.shown()))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled.into());
    }
    file.commit()?;
    Ok(summary)
}

/// The same rows as CSV (header + one line per unit, in the order of the sort).
pub fn write_csv(
    store: &Store,
    req: &ListsRequest,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &AtomicBool,
) -> Result<ListsSummary> {
    let mut w = crate::csv_cell::Writer::from_writer(out);
    w.write_record(HEADERS)?;
    let summary = stream(store, req, progress, cancel, &mut |rows| {
        for u in &rows {
            w.write_record([
                u.owner_name.as_str(),
                u.code.as_str(),
                &u.id.to_string(),
                u.comune.as_str(),
                u.locality.as_deref().unwrap_or(""),
                &u.full_address(),
                u.state.label(),
                &u.floor_area.map(|a| format!("{a:.2}")).unwrap_or_default(),
                u.service.label(),
            ])?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(summary)
}

/// Writes the CSV to a file (or standard output) the same way as the .xlsx.
pub fn write_csv_file(
    store: &Store,
    req: &ListsRequest,
    out: &Target,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &AtomicBool,
) -> Result<ListsSummary> {
    let mut file = out.create(&output_file::CSV)?;
    let mut buf = std::io::BufWriter::new(file.file());
    let summary = write_csv(store, req, &mut buf, progress, cancel)?;
    buf.flush()?;
    drop(buf);
    file.commit()?;
    Ok(summary)
}
