//! Printing lists for people (aligned table) and for scripts (CSV, JSON).

use anyhow::Result;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

/// A list ready to print: column headers, one row of cells per item, and the items themselves
/// for JSON.
pub struct Listing<'a, T: Serialize> {
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
    pub items: &'a [T],
}

impl<T: Serialize> Listing<'_, T> {
    pub fn print(&self, format: Format) -> Result<()> {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, self.items)?;
                writeln!(out)?;
            }
            Format::Csv => {
                let mut w = crate::csv_cell::Writer::from_writer(&mut out);
                w.write_record(self.headers)?;
                for r in &self.rows {
                    w.write_record(r)?;
                }
                w.flush()?;
            }
            Format::Table => write_table(&mut out, self.headers, &self.rows)?,
        }
        out.flush()?;
        Ok(())
    }
}

/// Writes an aligned plain-text table (no colour: it may go to a file or a pipe). Control
/// characters in cells (escape sequences stored in a name or a title) are shown escaped, never
/// sent to the terminal.
pub fn write_table(out: &mut impl Write, headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| crate::safe_text::clean(c).into_owned())
                .collect()
        })
        .collect();
    let rows = &rows;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> Result<()> {
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            let pad = widths[i].saturating_sub(c.chars().count());
            s.extend(std::iter::repeat_n(' ', pad));
        }
        writeln!(out, "{}", s.trim_end())?;
        Ok(())
    };
    line(out, &mut headers.iter().copied())?;
    for r in rows {
        line(out, &mut r.iter().map(String::as_str))?;
    }
    Ok(())
}
