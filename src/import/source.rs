//! Reading a table file (CSV or Excel) row by row, whatever its format, into cells of text.
//!
//! Rows are handed to a `RowSink` as they are read, so a large file is never held in memory
//! as text. Problems with the file as a whole (unreadable, unknown format) are Italian
//! messages; problems with single cells go to the sink.

use std::borrow::Cow;
use std::path::Path;

/// Receives the rows of a table as they are read. Lines are numbered as the user sees them:
/// the header is line 1 of a CSV file; in a spreadsheet, the sheet's row number.
pub trait RowSink {
    fn header(&mut self, line: u64, cells: &[Cow<str>]);
    /// A data row (rows whose cells are all blank are skipped before this).
    fn row(&mut self, line: u64, cells: &[Cow<str>]);
    /// A cell that cannot be read as text (bytes not in UTF-8, an Excel error value); the
    /// cell is also passed to `row`, as the best reading of it. `column` is 0-based.
    fn bad_cell(&mut self, line: u64, column: usize, value: &str, reason: &str);
    /// How far reading has got, in units of `total` (bytes or rows).
    fn progress(&mut self, _done: u64, _total: u64) {}
}

/// The formats the importer reads, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format, String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "" => Err(format!(
                "il file {} non ha estensione: usare un file .csv o .xlsx",
                path.display()
            )),
            "xls" | "ods" => Err(format!(
                "formato .{ext} non supportato: salvare il file come .xlsx (Cartella di lavoro di Excel) o .csv"
            )),
            _ => Err(format!(
                "estensione .{ext} non riconosciuta: usare un file .csv o .xlsx"
            )),
        }
    }
}

/// Reads `path` into `sink`. `sheet` names the worksheet of an Excel file (default: the first).
/// Returns Err with an Italian message when the file as a whole cannot be read.
pub fn read(path: &Path, sheet: Option<&str>, sink: &mut dyn RowSink) -> Result<Format, String> {
    let format = Format::of(path)?;
    match format {
        Format::Csv => {
            if sheet.is_some() {
                return Err("--sheet vale solo per i file .xlsx".to_string());
            }
            super::csv_file::read(path, sink)?;
        }
        Format::Xlsx => super::xlsx_file::read(path, sheet, sink)?,
    }
    Ok(format)
}

/// True when every cell is blank: such rows (often left at the end of a sheet) are skipped.
pub fn is_blank(cells: &[Cow<str>]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// The message for a file that cannot be read (`e`: already Italian, or an io error).
pub fn open_error(path: &Path, e: &dyn std::fmt::Display) -> String {
    format!(
        "impossibile leggere il file {}: {e}",
        crate::safe_text::clean(&path.display().to_string())
    )
}
