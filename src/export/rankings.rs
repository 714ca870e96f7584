//! Rankings (graduatorie) as .xlsx: one worksheet per ranking (owner × comune).
//!
//! Two versions: the **published** one, with only the ID domanda (never names or codici
//! fiscali, DOMAIN.md 5), and the **internal** one for the owner's offices, which adds the
//! sub-scores and the ISEE. Numbers are written as numbers. The file is written to `FILE.part`
//! and renamed when complete, so a failed export never leaves a partial file.

use crate::output_file::{self, Target};
use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;

/// One ranking to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingSheet {
    /// The notice (avviso), as shown to users.
    pub notice: String,
    /// The owner (ente proprietario).
    pub owner: String,
    pub comune: String,
    /// Provisional, final, … as shown to users.
    pub state: String,
    /// The rule set the ranking was computed with.
    pub rule_set: String,
    /// Set when the ranking used point values not yet verified: the warning to print.
    pub unverified: Option<String>,
    pub rows: Vec<RankingExportRow>,
}

/// One application in a ranking. Scores in hundredths of a point, ISEE in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingExportRow {
    pub position: u32,
    /// ID domanda.
    pub code: String,
    pub isbar: i64,
    pub indigent: bool,
    pub unit1: Option<i64>,
    pub unit2: Option<i64>,
    pub family: i64,
    pub housing: i64,
    pub economic: i64,
    pub res_region: i64,
    pub res_comune: i64,
    pub isee_cents: i64,
}

/// Columns of the published version.
pub const PUBLISHED_HEADERS: [&str; 6] = [
    "Posizione",
    "ID domanda",
    "ISBAR",
    "Indigente",
    "ID alloggio 1",
    "ID alloggio 2",
];

/// Columns the internal version adds.
pub const INTERNAL_EXTRA_HEADERS: [&str; 6] = [
    "Familiari",
    "Abitative",
    "Economica",
    "Residenza Regione",
    "Residenza Comune",
    "ISEE (€)",
];

/// Sheets with at least this many rows are written in constant-memory mode (rows go to a
/// temporary file); at most `MAX_STREAMED` of them, since each keeps a file open until saved.
const STREAM_FROM_ROWS: usize = 1_000;
const MAX_STREAMED: usize = 200;

/// Writes the published rankings: position, ID domanda, ISBAR, indigent flag, chosen units.
pub fn write_published(path: &Target, sheets: &[RankingSheet]) -> Result<()> {
    write(path, sheets, false)
}

/// Writes the internal rankings: the published columns plus sub-scores and ISEE.
pub fn write_internal(path: &Target, sheets: &[RankingSheet]) -> Result<()> {
    write(path, sheets, true)
}

fn write(path: &Target, sheets: &[RankingSheet], internal: bool) -> Result<()> {
    let mut file = path.create(&output_file::XLSX)?;
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let points = Format::new().set_num_format("0.00");
    let money = Format::new().set_num_format("#,##0.00");
    let mut names = SheetNames::default();
    let mut streamed = 0;
    if sheets.is_empty() {
        let ws = workbook.add_worksheet();
        ws.set_name("Graduatorie")?;
        ws.write_string(0, 0, "Nessuna graduatoria da esportare")?;
    }
    for sheet in sheets {
        let stream = sheet.rows.len() >= STREAM_FROM_ROWS && streamed < MAX_STREAMED;
        let ws = if stream {
            streamed += 1;
            workbook.add_worksheet_with_constant_memory()?
        } else {
            workbook.add_worksheet()
        };
        ws.set_name(names.next(sheet))?;
        write_sheet(ws, sheet, internal, &bold, &points, &money)
            .with_context(|| format!("graduatoria {} - {}", sheet.owner, sheet.comune))?;
    }
    workbook
        .save_to_writer(std::io::BufWriter::new(file.file()))
        .with_context(|| format!("scrittura di {} non riuscita", path.shown()))?;
    file.commit()
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &RankingSheet,
    internal: bool,
    bold: &Format,
    points: &Format,
    money: &Format,
) -> Result<(), XlsxError> {
    let mut headers: Vec<&str> = PUBLISHED_HEADERS.to_vec();
    if internal {
        headers.extend(INTERNAL_EXTRA_HEADERS);
    }
    let widths = [
        10.0, 20.0, 10.0, 10.0, 14.0, 14.0, 11.0, 11.0, 11.0, 18.0, 18.0, 14.0,
    ];
    for (i, w) in widths.iter().take(headers.len()).enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    // Rows in increasing order: constant-memory sheets require it.
    let mut row = 0u32;
    let mut info = vec![
        ("Avviso", sheet.notice.as_str()),
        ("Ente proprietario", sheet.owner.as_str()),
        ("Comune", sheet.comune.as_str()),
        ("Stato", sheet.state.as_str()),
        ("Regole", sheet.rule_set.as_str()),
    ];
    if let Some(u) = &sheet.unverified {
        info.push(("Attenzione", u.as_str()));
    }
    for (label, value) in info {
        ws.write_string_with_format(row, 0, label, bold)?;
        ws.write_string(row, 1, value)?;
        row += 1;
    }
    row += 1;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, bold)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    row += 1;
    for r in &sheet.rows {
        ws.write_number(row, 0, f64::from(r.position))?;
        ws.write_string(row, 1, &r.code)?;
        ws.write_number_with_format(row, 2, hundredths(r.isbar), points)?;
        ws.write_string(row, 3, if r.indigent { "SI" } else { "NO" })?;
        // Unit ids stay far below 2^53: exact as numbers.
        if let Some(u) = r.unit1 {
            ws.write_number(row, 4, u as f64)?;
        }
        if let Some(u) = r.unit2 {
            ws.write_number(row, 5, u as f64)?;
        }
        if internal {
            for (i, v) in [r.family, r.housing, r.economic, r.res_region, r.res_comune]
                .into_iter()
                .enumerate()
            {
                ws.write_number_with_format(row, 6 + i as u16, hundredths(v), points)?;
            }
            ws.write_number_with_format(row, 11, hundredths(r.isee_cents), money)?;
        }
        row += 1;
    }
    Ok(())
}

/// Hundredths as a number with two decimals (the nearest double: 1234 → 12.34).
fn hundredths(v: i64) -> f64 {
    v as f64 / 100.0
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, not starting or ending with an
/// apostrophe, unique ignoring case, not "History".
#[derive(Default)]
struct SheetNames {
    used: HashSet<String>,
}

const MAX_SHEET_NAME: usize = 31;

impl SheetNames {
    fn next(&mut self, sheet: &RankingSheet) -> String {
        let raw = match (sheet.comune.trim(), sheet.owner.trim()) {
            ("", "") => "Graduatoria".to_string(),
            (c, "") => c.to_string(),
            ("", o) => o.to_string(),
            (c, o) => format!("{c} - {o}"),
        };
        let base = clean_sheet_name(&raw);
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name.to_lowercase()) {
            let suffix = format!(" ({n})");
            let keep = MAX_SHEET_NAME - suffix.chars().count();
            let stem: String = base.chars().take(keep).collect();
            name = format!("{}{suffix}", stem.trim_end());
            n += 1;
        }
        self.used.insert(name.to_lowercase());
        name
    }
}

fn clean_sheet_name(raw: &str) -> String {
    let replaced: String = raw
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trimmed = replaced.trim().trim_matches('\'').trim();
    let cut: String = trimmed.chars().take(MAX_SHEET_NAME).collect();
    let cut = cut.trim_end().trim_end_matches('\'').trim_end().to_string();
    if cut.is_empty() || cut.eq_ignore_ascii_case("history") {
        "Graduatoria".to_string()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::validate_person_code;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::path::Path;

    fn sheet(comune: &str, owner: &str, n: u32, unverified: bool) -> RankingSheet {
        RankingSheet {
            notice: "Avviso 2026/1 - Ambito di Milano".into(),
            owner: owner.into(),
            comune: comune.into(),
            state: "PROVVISORIA".into(),
            rule_set: "R.R. 4/2017 (modificato dal R.R. 2/2025)".into(),
            unverified: unverified
                .then(|| "calcolata con punteggi non verificati: FAMIGLIA_NUOVA".into()),
            rows: (1..=n)
                .map(|i| RankingExportRow {
                    position: i,
                    code: format!("D-2026-{i:07}"),
                    isbar: 5_000 - i64::from(i) * 7 + 1,
                    indigent: i % 4 == 0,
                    unit1: (i % 3 != 0).then_some(100_000 + i64::from(i)),
                    unit2: (i % 2 == 0).then_some(200_000 + i64::from(i)),
                    family: 1_234,
                    housing: 500,
                    economic: 1_001,
                    res_region: 300,
                    res_comune: 250,
                    isee_cents: 1_234_567 + i64::from(i),
                })
                .collect(),
        }
    }

    fn sheets() -> Vec<RankingSheet> {
        vec![
            sheet("Milano", "Comune di Milano", 30, true),
            sheet("Milano", "ALER Milano", 1_200, false),
            // Forbidden characters and a long name, twice: names must stay valid and unique.
            sheet(
                "Cassano d'Adda",
                "Azienda Lombarda [Edilizia]: Residenziale / Milano",
                3,
                false,
            ),
            sheet(
                "Cassano d'Adda",
                "Azienda Lombarda [Edilizia]: Residenziale / Milano",
                0,
                false,
            ),
        ]
    }

    fn cells(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
        let mut book: Xlsx<_> = open_workbook(path).unwrap();
        let names = book.sheet_names();
        names
            .into_iter()
            .map(|n| {
                let range = book.worksheet_range(&n).unwrap();
                let rows = range.rows().map(|r| r.to_vec()).collect();
                (n, rows)
            })
            .collect()
    }

    fn text(d: &Data) -> String {
        match d {
            Data::String(s) => s.clone(),
            _ => String::new(),
        }
    }

    /// Index of the column header row (the first row starting with "Posizione").
    fn header_row(rows: &[Vec<Data>]) -> usize {
        rows.iter()
            .position(|r| r.first().map(text).as_deref() == Some("Posizione"))
            .unwrap()
    }

    #[test]
    fn published_has_the_public_columns_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graduatorie.xlsx");
        let input = sheets();
        write_published(&Target::new(&path, false), &input).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        let book = cells(&path);
        assert_eq!(book.len(), 4);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "Milano - Comune di Milano");
        assert_eq!(names[1], "Milano - ALER Milano");
        for n in &names {
            assert!(n.chars().count() <= 31, "{n}");
            assert!(!n.contains(['[', ']', ':', '*', '?', '/', '\\']), "{n}");
        }
        assert_ne!(names[2].to_lowercase(), names[3].to_lowercase());
        assert!(names[3].ends_with("(2)"), "{}", names[3]);

        for ((_, rows), s) in book.iter().zip(&input) {
            let h = header_row(rows);
            let header: Vec<String> = rows[h].iter().map(text).collect();
            assert_eq!(header, PUBLISHED_HEADERS.map(String::from).to_vec());
            assert_eq!(text(&rows[0][0]), "Avviso");
            assert_eq!(text(&rows[0][1]), s.notice);
            assert_eq!(text(&rows[2][1]), s.comune);
            let warned = rows[..h].iter().any(|r| text(&r[0]) == "Attenzione");
            assert_eq!(warned, s.unverified.is_some());
            let data = &rows[h + 1..];
            assert_eq!(data.len(), s.rows.len());
            for (r, e) in data.iter().zip(&s.rows) {
                assert_eq!(r[0], Data::Float(f64::from(e.position)));
                assert_eq!(text(&r[1]), e.code);
                assert_eq!(r[2], Data::Float(e.isbar as f64 / 100.0));
                assert_eq!(text(&r[3]), if e.indigent { "SI" } else { "NO" });
                match e.unit1 {
                    Some(u) => assert_eq!(r[4], Data::Float(u as f64)),
                    None => assert_eq!(r[4], Data::Empty),
                }
            }
            // Every cell: no codice fiscale anywhere.
            for r in rows {
                for c in r {
                    let t = text(c);
                    assert!(validate_person_code(&t).is_err(), "tax code {t}");
                }
            }
        }
    }

    #[test]
    fn internal_adds_sub_scores_and_isee() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("interne.xlsx");
        let input = sheets();
        write_internal(&Target::new(&path, false), &input).unwrap();
        let book = cells(&path);
        let (_, rows) = &book[0];
        let h = header_row(rows);
        let header: Vec<String> = rows[h].iter().map(text).collect();
        let mut expect: Vec<String> = PUBLISHED_HEADERS.map(String::from).to_vec();
        expect.extend(INTERNAL_EXTRA_HEADERS.map(String::from));
        assert_eq!(header, expect);
        let first = &rows[h + 1];
        let e = &input[0].rows[0];
        assert_eq!(first[2], Data::Float(e.isbar as f64 / 100.0));
        assert_eq!(first[6], Data::Float(12.34));
        assert_eq!(first[8], Data::Float(10.01));
        assert_eq!(first[11], Data::Float(e.isee_cents as f64 / 100.0));
        // The large sheet (constant memory) is complete.
        let (_, big) = &book[1];
        assert_eq!(big.len() - header_row(big) - 1, 1_200);
    }

    #[test]
    fn a_failed_export_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("g.xlsx");
        assert!(write_published(&Target::new(&path, false), &sheets()).is_err());
        assert!(!path.exists());
        assert!(!dir.path().join("missing").exists());
        // No rankings: still a valid workbook.
        let path = dir.path().join("vuoto.xlsx");
        write_published(&Target::new(&path, false), &[]).unwrap();
        assert_eq!(cells(&path).len(), 1);
    }

    #[test]
    fn sheet_names_are_cleaned() {
        assert_eq!(clean_sheet_name("a/b:c"), "a-b-c");
        assert_eq!(clean_sheet_name("'Milano'"), "Milano");
        assert_eq!(clean_sheet_name("History"), "Graduatoria");
        assert_eq!(clean_sheet_name("   "), "Graduatoria");
        assert_eq!(clean_sheet_name(&"è".repeat(40)).chars().count(), 31);
    }
}
