//! The problems found in an import file, and how they are shown: on the terminal (capped) and
//! as a CSV report for the whole list.

use crate::output_file::Target;
use std::fmt;
use std::io::Write;

/// One problem: where (line, column), what (the value) and why, in Italian. Line 0 means the
/// file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl Problem {
    pub fn file(reason: impl Into<String>) -> Problem {
        Problem {
            line: 0,
            column: None,
            value: None,
            reason: reason.into(),
        }
    }
}

/// Longest value shown on the terminal (the CSV report has it whole).
const SHOWN_VALUE: usize = 60;

/// The value on one line, control characters escaped, at most `SHOWN_VALUE` characters.
fn shown(value: &str) -> String {
    crate::safe_text::excerpt_of(value, SHOWN_VALUE)
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "riga {}", self.line)?;
            if let Some(c) = &self.column {
                write!(f, ", colonna \"{}\"", shown(c))?;
            }
            if let Some(v) = &self.value {
                write!(f, ", valore \"{}\"", shown(v))?;
            }
            write!(f, ": ")?;
        }
        // Reasons may quote the file (a header, a sheet name): cleaned and capped too.
        f.write_str(&crate::safe_text::excerpt_of(&self.reason, SHOWN_REASON))
    }
}

/// Longest reason shown on the terminal.
const SHOWN_REASON: usize = 400;

/// Every problem of a refused file.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Data rows read (0 when the file could not be read).
    pub rows: usize,
    pub problems: Vec<Problem>,
}

impl Report {
    /// Number of distinct lines with at least one problem.
    pub fn bad_lines(&self) -> usize {
        let mut lines: Vec<u64> = self
            .problems
            .iter()
            .filter(|p| p.line > 0)
            .map(|p| p.line)
            .collect();
        lines.dedup();
        lines.len()
    }

    /// Prints the problems, at most `limit` of them, then how many more there are.
    pub fn print(&self, out: &mut dyn Write, limit: Option<usize>) -> std::io::Result<()> {
        let limit = limit.unwrap_or(usize::MAX);
        for p in self.problems.iter().take(limit) {
            writeln!(out, "{p}")?;
        }
        if self.problems.len() > limit {
            writeln!(
                out,
                "… e altri {} problemi (elenco completo con --report FILE)",
                self.problems.len() - limit
            )?;
        }
        Ok(())
    }

    /// Writes every problem as CSV (`;`-separated, with BOM, so that Italian Excel opens it
    /// directly; cells that a spreadsheet would run as formulas neutralised). A clean file gives
    /// a report with the header only. Through `crate::output_file` (`-`: standard output).
    pub fn write_csv(&self, out: &Target) -> anyhow::Result<()> {
        let mut target = out.create(&crate::output_file::CSV)?;
        let mut file = std::io::BufWriter::new(target.file());
        file.write_all(b"\xEF\xBB\xBF")?;
        let mut w = crate::csv_cell::Writer::with_delimiter(&mut file, b';');
        w.write_record(["riga", "colonna", "valore", "problema"])?;
        for p in &self.problems {
            w.write_record([
                if p.line > 0 {
                    p.line.to_string()
                } else {
                    String::new()
                },
                p.column.clone().unwrap_or_default(),
                p.value.clone().unwrap_or_default(),
                p.reason.clone(),
            ])?;
        }
        w.flush()?;
        drop(w);
        file.flush()?;
        drop(file);
        target.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_naturally() {
        let p = Problem {
            line: 5,
            column: Some("Stato".into()),
            value: Some("AFFITTATO".into()),
            reason: "stato non valido".into(),
        };
        assert_eq!(
            p.to_string(),
            "riga 5, colonna \"Stato\", valore \"AFFITTATO\": stato non valido"
        );
        assert_eq!(Problem::file("file vuoto").to_string(), "file vuoto");
    }

    #[test]
    fn printing_is_capped() {
        let report = Report {
            rows: 3,
            problems: (1..=5)
                .map(|i| Problem {
                    line: i,
                    column: None,
                    value: None,
                    reason: "x".into(),
                })
                .collect(),
        };
        let mut out = Vec::new();
        report.print(&mut out, Some(2)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.contains("altri 3 problemi"), "{text}");
        assert_eq!(report.bad_lines(), 5);
    }
}
