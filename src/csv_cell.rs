//! CSV meant for a spreadsheet: cells that Excel or LibreOffice would run as a formula are
//! neutralised, following OWASP's rule for CSV injection: a cell starting with `=`, `+`, `-`,
//! `@`, tab or carriage return gets a leading `'`, so `=HYPERLINK("http://x","clic")` or
//! `=cmd|' /C calc'!A0` stored in a unit's address is shown as text, never evaluated. A plain
//! signed number (`-3`, `+1,5`) is left alone: it cannot be a formula, and scripts read it.
//!
//! Every CSV casa writes goes through `Writer`, which also escapes terminal control characters
//! (the same CSV may be printed on a terminal). The .xlsx writers need none of this: they
//! write text cells as strings, which Excel never evaluates (tests/hostile_world.rs checks it).

use std::borrow::Cow;
use std::io::Write;

/// The first characters that make a spreadsheet read a cell as a formula (OWASP).
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain decimal number with an optional sign: `-3`, `+12.50`, `-0,5`.
fn is_signed_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = digits.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The cell as it is safe to hand to a spreadsheet.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if TRIGGERS.contains(&c) && !is_signed_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// The cell neutralised and with terminal control characters escaped (line breaks and tabs
/// inside a cell are kept: the CSV quoting carries them).
pub fn safe(cell: &str) -> Cow<'_, str> {
    match neutralise(cell) {
        Cow::Borrowed(c) => crate::safe_text::clean_message(c),
        Cow::Owned(c) => Cow::Owned(crate::safe_text::clean_message(&c).into_owned()),
    }
}

/// A CSV writer whose every cell goes through `safe`.
pub struct Writer<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    /// Comma-separated, the format for scripts (`--format csv`).
    pub fn from_writer(w: W) -> Writer<W> {
        Writer {
            inner: csv::Writer::from_writer(w),
        }
    }

    /// With another separator (`;` for the reports Italian Excel opens directly).
    pub fn with_delimiter(w: W, delimiter: u8) -> Writer<W> {
        Writer {
            inner: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(w),
        }
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner
            .write_record(record.into_iter().map(|c| safe(c.as_ref()).into_owned()))
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// The writer underneath, flushed.
    pub fn into_inner(self) -> anyhow::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| anyhow::Error::new(e.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for f in [
            "=HYPERLINK(\"http://x\",\"clic\")",
            "=cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "-",
            "+",
        ] {
            let n = neutralise(f);
            assert!(n.starts_with('\''), "{f:?} -> {n:?}");
            assert_eq!(&n[1..], f);
        }
    }

    #[test]
    fn text_and_numbers_stay() {
        for s in [
            "Via Roma 1",
            "",
            "-3",
            "+12.50",
            "-0,5",
            "42",
            "a=b",
            "Sant'Anna",
        ] {
            assert_eq!(neutralise(s), s);
        }
        for s in ["-3-1", "-3.", "-.5", "--3", "-3,5,1"] {
            assert!(neutralise(s).starts_with('\''), "{s}");
        }
    }

    #[test]
    fn writer_neutralises_every_cell() {
        let mut w = Writer::with_delimiter(Vec::new(), b';');
        w.write_record(["=1+1", "ok", "\u{1b}[31mrosso", "-7"])
            .unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(out, "'=1+1;ok;␛[31mrosso;-7\n");
    }
}
