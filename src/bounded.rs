//! Reading what users hand us within limits fixed before anything is allocated, so that one bad
//! file cannot exhaust a shared server: a CSV whose single record never ends (`/dev/zero`), a
//! 1 MB header, a 3 MB workbook holding a 3 GB cell, `casa rules check /dev/zero`.
//!
//! - `open` refuses directories and devices (a FIFO is a stream: read, within the limits);
//! - `read_text` / `read_bytes` read a whole file of at most N bytes, checking the size first;
//! - `CsvGuard` sits under the CSV parser and stops a record, a cell or a row of columns beyond
//!   its limit as soon as the bytes arrive, before the parser buffers them; it also makes line
//!   ends uniform, so the parser's line numbers are the editor's (CRLF files were one off);
//! - `xlsx_archive` checks a workbook's parts and their declared sizes before the Excel reader
//!   opens it (the zip reader then refuses any part that inflates beyond its declared size).
//!
//! Refusals are Italian and quote at most a short, escaped excerpt of the input.

use crate::safe_text::{excerpt_bytes, thousands};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The limits, in one place (docs/import-alloggi.md and BENCHMARKS.md quote them).
pub mod limits {
    /// A rule-set file (the real ones are ~12 KB).
    pub const RULE_SET_BYTES: u64 = 1 << 20;
    /// A keymap or theme file (the real ones are ~2 KB).
    pub const CONFIG_BYTES: u64 = 256 << 10;
    /// A CSV import file (a 1,000,000-unit registry is about 250 MB).
    pub const CSV_BYTES: u64 = 1 << 30;
    /// One CSV record (a row of 31 columns is about 300 bytes).
    pub const RECORD_BYTES: usize = 64 << 10;
    /// One cell, CSV or Excel (the longest field, Interventi necessari, is 200 characters).
    pub const CELL_BYTES: usize = 4 << 10;
    /// Columns of a row (the unit file has 31, the application file 30).
    pub const COLUMNS: usize = 256;
    /// Data rows of an import file.
    pub const ROWS: u64 = 2_000_000;
    /// An .xlsx file as stored.
    pub const XLSX_BYTES: u64 = 128 << 20;
    /// One part of an .xlsx (a sheet's XML, the shared strings) once inflated.
    pub const XLSX_PART_BYTES: u64 = 256 << 20;
    /// Every part of an .xlsx together, inflated.
    pub const XLSX_TOTAL_BYTES: u64 = 512 << 20;
    /// Parts of an .xlsx archive.
    pub const XLSX_PARTS: usize = 10_000;
    /// Non-empty cells of a sheet (100,000 units × 31 columns is 3.1 million).
    pub const XLSX_CELLS: u64 = 10_000_000;
    /// Problems kept for a refused import (the rest are counted).
    pub const PROBLEMS: usize = 10_000;
}

/// Input refused for its size or kind: an Italian message, quoting at most an excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn shown(path: &Path) -> String {
    crate::safe_text::clean(&path.display().to_string()).into_owned()
}

/// "1,0 MiB", "64 KiB": sizes as the messages give them.
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        let mib = bytes as f64 / 1_048_576.0;
        if mib.fract() == 0.0 {
            format!("{} MiB", thousands(mib as u64))
        } else {
            format!("{mib:.1} MiB").replace('.', ",")
        }
    } else if bytes >= 1 << 10 {
        format!("{} KiB", thousands(bytes >> 10))
    } else {
        format!("{bytes} byte")
    }
}

/// Opens `path` for reading: a regular file (with its size) or a stream (FIFO, socket: size
/// unknown). Directories and devices (`/dev/zero`, a terminal) are refused.
pub fn open(path: &Path) -> Result<(File, Option<u64>), Refused> {
    use std::os::unix::fs::FileTypeExt;
    let err = |e: io::Error| {
        Refused(format!(
            "impossibile leggere il file {}: {}",
            shown(path),
            crate::italian::io_error(&e)
        ))
    };
    let meta = std::fs::metadata(path).map_err(err)?;
    let t = meta.file_type();
    if t.is_dir() {
        return Err(Refused(format!(
            "{} è una cartella, non un file",
            shown(path)
        )));
    }
    if t.is_char_device() || t.is_block_device() {
        return Err(Refused(format!(
            "{} è un dispositivo, non un file: indicare un file",
            shown(path)
        )));
    }
    let file = File::open(path).map_err(err)?;
    Ok((file, t.is_file().then_some(meta.len())))
}

fn too_big(path: &Path, what: &str, max: u64) -> Refused {
    Refused(format!(
        "{}: {what} troppo grande (al massimo {})",
        shown(path),
        size_text(max)
    ))
}

/// The whole of a file of at most `max` bytes (`what` names it in the refusal: "file delle
/// regole").
pub fn read_bytes(path: &Path, max: u64, what: &str) -> Result<Vec<u8>, Refused> {
    let (file, len) = open(path)?;
    if len.is_some_and(|n| n > max) {
        return Err(too_big(path, what, max));
    }
    let mut data = Vec::with_capacity(len.unwrap_or(0).min(max) as usize);
    file.take(max + 1).read_to_end(&mut data).map_err(|e| {
        Refused(format!(
            "impossibile leggere il file {}: {}",
            shown(path),
            crate::italian::io_error(&e)
        ))
    })?;
    if data.len() as u64 > max {
        return Err(too_big(path, what, max));
    }
    Ok(data)
}

/// The whole of a UTF-8 text file of at most `max` bytes.
pub fn read_text(path: &Path, max: u64, what: &str) -> Result<String, Refused> {
    let data = read_bytes(path, max, what)?;
    String::from_utf8(data).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        Refused(format!(
            "{}, riga {line}: testo non in UTF-8 (salvare il file in UTF-8)",
            shown(path)
        ))
    })
}

/// What a CSV reader may meet.
#[derive(Debug, Clone, Copy)]
pub struct CsvLimits {
    pub bytes: u64,
    pub record: usize,
    pub cell: usize,
    pub columns: usize,
}

impl Default for CsvLimits {
    fn default() -> Self {
        CsvLimits {
            bytes: limits::CSV_BYTES,
            record: limits::RECORD_BYTES,
            cell: limits::CELL_BYTES,
            columns: limits::COLUMNS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of the quoting, or the first of `""`.
    AfterQuote,
}

/// Bytes of a record kept for the excerpt of a refusal.
const RECORD_HEAD: usize = 160;

/// A reader under the CSV parser that enforces `CsvLimits` as bytes arrive and turns CRLF and
/// lone CR line ends into LF. It follows the parser's quoting rules (RFC 4180: a quote opens a
/// quoted field only at its start, `""` inside one is a quote), so it knows where records and
/// cells end without buffering them. A limit passed is an `io::Error` carrying `Refused`.
pub struct CsvGuard<R> {
    inner: R,
    delimiter: u8,
    limits: CsvLimits,
    state: State,
    after_cr: bool,
    total: u64,
    /// Line of the file being read (1-based, as an editor numbers them).
    line: u64,
    record_line: u64,
    record_bytes: usize,
    cell_bytes: usize,
    columns: usize,
    head: Vec<u8>,
}

impl<R: Read> CsvGuard<R> {
    pub fn new(inner: R, delimiter: u8, limits: CsvLimits) -> CsvGuard<R> {
        CsvGuard {
            inner,
            delimiter,
            limits,
            state: State::FieldStart,
            after_cr: false,
            total: 0,
            line: 1,
            record_line: 1,
            record_bytes: 0,
            cell_bytes: 0,
            columns: 1,
            head: Vec::with_capacity(RECORD_HEAD),
        }
    }

    fn refuse(&self, what: String) -> io::Error {
        io::Error::other(Refused(format!(
            "riga {}: {what}; inizio della riga: «{}»",
            self.record_line,
            excerpt_bytes(&self.head)
        )))
    }

    fn end_record(&mut self) {
        self.state = State::FieldStart;
        self.record_bytes = 0;
        self.cell_bytes = 0;
        self.columns = 1;
        self.head.clear();
    }

    /// Follows one (normalised) byte; Err when a limit is passed.
    fn step(&mut self, b: u8) -> io::Result<()> {
        if self.record_bytes == 0 && self.head.is_empty() {
            self.record_line = self.line;
        }
        let d = self.delimiter;
        self.state = match (self.state, b) {
            (State::FieldStart | State::Unquoted | State::AfterQuote, b'\n') => {
                self.line += 1;
                self.end_record();
                return Ok(());
            }
            (State::FieldStart | State::Unquoted | State::AfterQuote, x) if x == d => {
                self.columns += 1;
                self.cell_bytes = 0;
                if self.columns > self.limits.columns {
                    return Err(self.refuse(format!(
                        "più di {} colonne (separatore sbagliato o file non CSV?)",
                        self.limits.columns
                    )));
                }
                State::FieldStart
            }
            (State::FieldStart, b'"') => State::Quoted,
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            (State::Quoted, b'"') => State::AfterQuote,
            (State::Quoted, b'\n') => {
                self.line += 1;
                State::Quoted
            }
            (State::Quoted, _) => State::Quoted,
            (State::AfterQuote, b'"') => State::Quoted,
            (State::AfterQuote, _) => State::Unquoted,
        };
        self.record_bytes += 1;
        self.cell_bytes += 1;
        if self.head.len() < RECORD_HEAD {
            self.head.push(b);
        }
        if self.record_bytes > self.limits.record {
            return Err(self.refuse(format!(
                "riga più lunga di {} (virgolette non chiuse o file non CSV?)",
                size_text(self.limits.record as u64)
            )));
        }
        if self.cell_bytes > self.limits.cell {
            return Err(self.refuse(format!(
                "campo {} più lungo di {}",
                self.columns,
                size_text(self.limits.cell as u64)
            )));
        }
        Ok(())
    }
}

impl<R: Read> Read for CsvGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            self.total += n as u64;
            if self.total > self.limits.bytes {
                return Err(io::Error::other(Refused(format!(
                    "file più grande di {}",
                    size_text(self.limits.bytes)
                ))));
            }
            let mut out = 0;
            for i in 0..n {
                let mut b = buf[i];
                if self.after_cr {
                    self.after_cr = false;
                    if b == b'\n' {
                        continue;
                    }
                }
                if b == b'\r' {
                    self.after_cr = true;
                    b = b'\n';
                }
                self.step(b)?;
                buf[out] = b;
                out += 1;
            }
            if out > 0 {
                return Ok(out);
            }
        }
    }
}

/// The `Refused` inside an io error from a guard, if that is what it is.
pub fn refused_in(e: &io::Error) -> Option<&Refused> {
    e.get_ref().and_then(|i| i.downcast_ref::<Refused>())
}

/// Checks a workbook's archive before the Excel reader sees it: a zip with at most
/// `XLSX_PARTS` parts, none declaring more than `XLSX_PART_BYTES` inflated, all together at most
/// `XLSX_TOTAL_BYTES`. The zip reader enforces the declared sizes while inflating (a part that
/// inflates beyond its declared size fails), so these checks bound what the reader allocates.
pub fn xlsx_archive(data: &[u8]) -> Result<(), String> {
    let archive = zip::ZipArchive::new(io::Cursor::new(data)).map_err(|_| {
        "non è un file Excel .xlsx leggibile (l'archivio zip è danneggiato o il file è di altro tipo)"
            .to_string()
    })?;
    if archive.len() > limits::XLSX_PARTS {
        return Err(format!(
            "il file Excel ha {} parti (al massimo {}): file danneggiato o costruito ad arte",
            thousands(archive.len() as u64),
            thousands(limits::XLSX_PARTS as u64)
        ));
    }
    let mut archive = archive;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|_| {
            "il file Excel è danneggiato (archivio .xlsx non leggibile)".to_string()
        })?;
        let size = part.size();
        if size > limits::XLSX_PART_BYTES {
            return Err(format!(
                "la parte «{}» del file Excel si espande a {} (al massimo {}): file costruito per esaurire la memoria (zip bomb) o troppo grande; salvare i dati come .csv",
                crate::safe_text::excerpt(&part.name().unwrap_or_default()),
                size_text(size),
                size_text(limits::XLSX_PART_BYTES)
            ));
        }
        total = total.saturating_add(size);
    }
    if total > limits::XLSX_TOTAL_BYTES {
        return Err(format!(
            "il file Excel si espande a {} (al massimo {}): salvare i dati come .csv",
            size_text(total),
            size_text(limits::XLSX_TOTAL_BYTES)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(input: &[u8], limits: CsvLimits) -> Result<Vec<u8>, String> {
        let mut g = CsvGuard::new(input, b';', limits);
        let mut out = Vec::new();
        g.read_to_end(&mut out)
            .map_err(|e| refused_in(&e).unwrap().0.clone())?;
        Ok(out)
    }

    fn small() -> CsvLimits {
        CsvLimits {
            bytes: 10_000,
            record: 40,
            cell: 12,
            columns: 4,
        }
    }

    #[test]
    fn line_ends_become_lf() {
        assert_eq!(
            guard(b"a;b\r\nc;d\re\n", small()).unwrap(),
            b"a;b\nc;d\ne\n"
        );
        // A CRLF split across two reads still becomes one line end.
        let input = b"a\r\nb".chain(&b"\nc"[..]);
        let mut g = CsvGuard::new(input, b';', small());
        let mut out = Vec::new();
        g.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"a\nb\nc");
    }

    #[test]
    fn limits_stop_records_cells_and_columns() {
        let e = guard(&[0u8; 100], small()).unwrap_err();
        assert!(e.starts_with("riga 1: "), "{e}");
        let unclosed = format!("ok\n\"aperte;{}", "\n;".repeat(30));
        let e = guard(
            unclosed.as_bytes(),
            CsvLimits {
                cell: 1_000,
                ..small()
            },
        )
        .unwrap_err();
        assert!(e.starts_with("riga 2: riga più lunga"), "{e}");
        let e = guard(b"a;b\nc;0123456789abcdef\n", small()).unwrap_err();
        assert!(e.contains("riga 2: campo 2 più lungo"), "{e}");
        let e = guard(b"a;b;c;d;e\n", small()).unwrap_err();
        assert!(e.contains("più di 4 colonne"), "{e}");
        // Quoted separators and line breaks belong to the cell.
        guard(b"\"a;b;c;d;e\";x\n\"l1\nl2\";y\n", small()).unwrap();
        // "" inside quotes is a quote; a stray quote in an unquoted cell is text.
        guard(b"\"a\"\"b\";5\"x;c\nd;e\n", small()).unwrap();
    }

    #[test]
    fn refuses_devices_and_big_files() {
        let e = read_text(Path::new("/dev/zero"), 100, "file").unwrap_err();
        assert!(e.0.contains("dispositivo"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.toml");
        std::fs::write(&p, "x".repeat(101)).unwrap();
        let e = read_text(&p, 100, "file delle regole").unwrap_err();
        assert!(e.0.contains("troppo grande"), "{e}");
        std::fs::write(&p, b"ok\n\xff").unwrap();
        let e = read_text(&p, 100, "file").unwrap_err();
        assert!(e.0.contains("riga 2"), "{e}");
    }
}
