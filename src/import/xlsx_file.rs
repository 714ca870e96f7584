//! Excel workbooks (.xlsx): the first worksheet, or the one named with `--sheet`.
//!
//! Cells become the text a person reads in Excel: numbers without binary-float noise
//! (45.5, not 45.499999999999993) and whole numbers without ".0", so the same parsers serve
//! CSV and Excel.

use super::source::{RowSink, is_blank, open_error};
use crate::bounded::{self, limits};
use calamine::{Cell, DataRef, Range, Reader, Xlsx, XlsxError};
use std::borrow::Cow;
use std::io::{Read, Seek};
use std::path::Path;

/// Excel's own limits. A cell beyond them comes from a damaged or forged file, whose used area
/// calamine would allocate in full (hundreds of GB for a column reference like ZZZZZZZZZZ1).
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;
/// Largest used area read, in cells (rows × columns): far above the largest real export.
const MAX_CELLS: u64 = 50_000_000;

pub fn read(path: &Path, sheet: Option<&str>, sink: &mut dyn RowSink) -> Result<(), String> {
    // The whole file, within its limit, then its parts checked (sizes declared, enforced while
    // inflating) before the Excel reader allocates anything: a 3 MB workbook holding a 3 GB
    // cell is refused here. The bytes checked are the bytes read.
    let data = bounded::read_bytes(path, limits::XLSX_BYTES, "file Excel").map_err(|e| e.0)?;
    bounded::xlsx_archive(&data).map_err(|e| {
        format!(
            "{}: {e}",
            crate::safe_text::clean(&path.display().to_string())
        )
    })?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(data)).map_err(|e| match e {
        calamine::XlsxError::Io(e) => open_error(path, &crate::italian::io_error(&e)),
        _ => format!(
            "{} non è un file Excel .xlsx leggibile (file danneggiato o di altro tipo)",
            crate::safe_text::clean(&path.display().to_string())
        ),
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        None => names
            .first()
            .cloned()
            .ok_or_else(|| "il file Excel non contiene fogli".to_string())?,
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "foglio \"{}\" non trovato; fogli presenti: {}",
                    crate::safe_text::excerpt(wanted),
                    names
                        .iter()
                        .take(10)
                        .map(|n| format!("\"{}\"", crate::safe_text::excerpt(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?,
    };
    let range = sheet_range(&mut book, &name)?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let total = range.height() as u64;
    let mut header_seen = false;
    let mut cells: Vec<Cow<str>> = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = first_row + i as u64 + 1;
        cells.clear();
        for (col, cell) in row.iter().enumerate() {
            let text = cell_text(cell);
            if let DataRef::Error(e) = cell {
                sink.bad_cell(
                    line,
                    col,
                    &text,
                    &format!("cella con errore di Excel ({e})"),
                );
            }
            cells.push(text);
        }
        if !header_seen {
            if is_blank(&cells) {
                continue;
            }
            header_seen = true;
            sink.header(line, &cells);
        } else if !is_blank(&cells) {
            sink.row(line, &cells);
        }
        if i.is_multiple_of(4096) {
            sink.progress(i as u64, total);
        }
    }
    sink.progress(total, total);
    Ok(())
}

/// The used area of a worksheet, as `ReaderRef::worksheet_range_ref` reads it, refusing cells
/// beyond Excel's limits and areas too large to hold, and turning a panic of the reader on a
/// damaged file (an overflowing cell reference) into a refusal.
fn sheet_range<'a, RS: Read + Seek>(
    book: &'a mut Xlsx<RS>,
    name: &str,
) -> Result<Range<DataRef<'a>>, String> {
    let shown_name = crate::safe_text::excerpt(name);
    let unreadable =
        |e: &dyn std::fmt::Display| format!("impossibile leggere il foglio \"{shown_name}\": {e}");
    // calamine's own messages are English: the sheet is damaged, whatever the detail.
    let damaged = |e: &XlsxError| {
        tracing::debug!("xlsx: {e}");
        unreadable(&"file Excel danneggiato o non valido")
    };
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(damaged(&e)),
    };
    let mut cells: Vec<Cell<DataRef<'a>>> = Vec::new();
    let (mut first, mut last) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    loop {
        let next = crate::italian::contain(|| reader.next_cell())
            .map_err(|_| unreadable(&"file Excel danneggiato"))?;
        let Some(cell) = next.map_err(|e| damaged(&e))? else {
            break;
        };
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(format!(
                "il foglio \"{shown_name}\" ha una cella oltre i limiti di Excel (riga {}, colonna {}): file danneggiato",
                u64::from(row) + 1,
                u64::from(col) + 1
            ));
        }
        if col as usize >= limits::COLUMNS {
            return Err(format!(
                "il foglio \"{shown_name}\" ha dati oltre la colonna {} (riga {}): eliminare le colonne in più",
                limits::COLUMNS,
                u64::from(row) + 1
            ));
        }
        let text: &str = match cell.get_value() {
            DataRef::String(t) | DataRef::DateTimeIso(t) | DataRef::DurationIso(t) => t,
            DataRef::SharedString(t) => t,
            _ => "",
        };
        if text.len() > limits::CELL_BYTES {
            let t = text;
            return Err(format!(
                "il foglio \"{shown_name}\", riga {}, colonna {}: cella più lunga di {}; inizio: «{}»",
                u64::from(row) + 1,
                u64::from(col) + 1,
                bounded::size_text(limits::CELL_BYTES as u64),
                crate::safe_text::excerpt(t)
            ));
        }
        if cells.len() as u64 >= limits::XLSX_CELLS {
            return Err(format!(
                "il foglio \"{shown_name}\" ha più di {} celle piene: salvare i dati come .csv",
                crate::safe_text::thousands(limits::XLSX_CELLS)
            ));
        }
        first = (first.0.min(row), first.1.min(col));
        last = (last.0.max(row), last.1.max(col));
        cells.push(cell);
    }
    if !cells.is_empty() {
        let rows = u64::from(last.0 - first.0) + 1;
        let cols = u64::from(last.1 - first.1) + 1;
        if rows * cols > MAX_CELLS {
            return Err(format!(
                "il foglio \"{shown_name}\" è troppo esteso ({rows} righe × {cols} colonne): eliminare le celle lontane dai dati o salvare come .csv"
            ));
        }
    }
    Ok(Range::from_sparse(cells))
}

/// The text of a cell as Excel shows it.
fn cell_text<'a>(cell: &'a DataRef<'a>) -> Cow<'a, str> {
    match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cow::Borrowed(s.as_str())
        }
        DataRef::SharedString(s) => Cow::Borrowed(s),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) => Cow::Owned(number_text(*f)),
        // A date typed where a number belongs (a year formatted as a date): its serial number.
        DataRef::DateTime(d) => Cow::Owned(number_text(d.as_f64())),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "SI" } else { "NO" }),
        DataRef::Error(e) => Cow::Owned(e.to_string()),
    }
}

/// A number as text: rounded to the 15 significant digits Excel displays (which removes
/// binary-float noise such as 45.499999999999993), whole numbers without a decimal point.
pub fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

#[cfg(test)]
mod tests {
    use super::number_text;

    #[test]
    fn numbers_read_as_people_wrote_them() {
        assert_eq!(number_text(45.5), "45.5");
        // The float just below 45.5: 45.499999999999993 as a spreadsheet may store it.
        assert_eq!(number_text(f64::from_bits(45.5f64.to_bits() - 1)), "45.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(15146.0), "15146");
        assert_eq!(number_text(1199250158.0), "1199250158");
        assert_eq!(number_text(-1.0), "-1");
        assert_eq!(number_text(7999.99), "7999.99");
        assert_eq!(number_text(1e-7), "0.0000001");
    }
}
