//! CSV files as spreadsheets write them: UTF-8 with or without BOM, `,` or `;` as separator
//! (Italian Excel writes `;`), detected from the header line.

use super::source::{RowSink, is_blank, open_error};
use crate::bounded::{self, CsvLimits, limits};
use std::borrow::Cow;
use std::io::{BufRead, BufReader};
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn read(path: &Path, sink: &mut dyn RowSink) -> Result<(), String> {
    read_limited(path, sink, CsvLimits::default(), limits::ROWS)
}

/// `read` within the given limits (the tests use small ones).
pub fn read_limited(
    path: &Path,
    sink: &mut dyn RowSink,
    csv_limits: CsvLimits,
    max_rows: u64,
) -> Result<(), String> {
    // A device (`/dev/zero`) or a directory is refused; a stream is read within the limits.
    let (file, size) = bounded::open(path).map_err(|e| e.0)?;
    if let Some(n) = size
        && n > csv_limits.bytes
    {
        return Err(format!(
            "il file è troppo grande ({}, al massimo {}): dividerlo in più file",
            bounded::size_text(n),
            bounded::size_text(csv_limits.bytes)
        ));
    }
    let total = size.unwrap_or(0);
    let mut input = BufReader::with_capacity(1 << 16, file);
    let head = input
        .fill_buf()
        .map_err(|e| open_error(path, &crate::italian::io_error(&e)))?;
    let has_bom = head.starts_with(BOM);
    let delimiter = detect_delimiter(if has_bom { &head[BOM.len()..] } else { head });
    if has_bom {
        input.consume(BOM.len());
    }
    let guarded = bounded::CsvGuard::new(input, delimiter, csv_limits);
    read_records(guarded, delimiter, total, max_rows, sink)
}

/// Reads CSV records from `input` (BOM already removed, line ends LF: see `CsvGuard`) into
/// `sink`, at most `max_rows` data rows.
pub fn read_records(
    input: impl std::io::Read,
    delimiter: u8,
    total: u64,
    max_rows: u64,
    sink: &mut dyn RowSink,
) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut header_seen = false;
    let mut count = 0u64;
    let mut rows = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let csv::ErrorKind::Io(io) = e.kind()
                    && let Some(refused) = bounded::refused_in(io)
                {
                    return Err(format!("file CSV rifiutato: {refused}"));
                }
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!(
                    "file CSV illeggibile (riga {line}): {}",
                    crate::italian::render(&anyhow::Error::new(e))
                ));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut cells: Vec<Cow<str>> = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(Cow::Borrowed(s)),
                Err(_) => {
                    let lossy = String::from_utf8_lossy(field).into_owned();
                    sink.bad_cell(
                        line,
                        i,
                        &lossy,
                        "testo non in UTF-8: salvare il file come \"CSV UTF-8\"",
                    );
                    cells.push(Cow::Owned(lossy));
                }
            }
        }
        if !header_seen {
            if is_blank(&cells) {
                continue;
            }
            header_seen = true;
            sink.header(line, &cells);
        } else if !is_blank(&cells) {
            rows += 1;
            if rows > max_rows {
                return Err(format!(
                    "il file ha più di {} righe di dati (riga {line}): dividerlo in più file",
                    crate::safe_text::thousands(max_rows)
                ));
            }
            sink.row(line, &cells);
        }
        count += 1;
        if count.is_multiple_of(4096) {
            sink.progress(record.position().map_or(0, |p| p.byte()), total);
        }
    }
    sink.progress(total, total);
    Ok(())
}

/// The separator of the header line: whichever of `;`, `,` and tab appears most often outside
/// quotes (`,` when none does).
pub fn detect_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => counts[0] += 1,
            b',' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b',', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], i == 1)).unwrap_or(1);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_separators() {
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"\"a;x\",b,c"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"solo"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }
}
