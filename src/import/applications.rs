//! Applications (domande) from a CSV or Excel file: one row per household member, the rows of
//! one application sharing its `ID domanda`. All or nothing: every problem of the file is
//! reported (line, column, value, Italian reason) and no application is returned unless the
//! whole file is clean. Pure: no database; the caller stores the result.
//!
//! The layout is documented in `docs/import-domande.md`.

use super::report::{Problem, Report};
use super::source::{self, RowSink};
use crate::domain::application::{Application, Member, Relationship, parse_euro};
use crate::domain::codice_fiscale;
use crate::domain::registry::parse_flag;
use crate::domain::unit_record::{loose_key, parse_istat, parse_text, parse_unit_id, parse_whole};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// Most members an application may have.
pub const MAX_MEMBERS: usize = 20;
/// Longest ID domanda.
const MAX_CODE: usize = 50;
/// Most years of residence accepted (a typing error beyond).
const MAX_YEARS: i64 = 120;
/// Largest owned dwelling accepted, in m².
const MAX_OWNED_M2: i64 = 100_000;

macro_rules! columns {
    ($($variant:ident = $header:literal, $required:literal, [$($synonym:literal),*];)+) => {
        /// A column of the applications file, in documented order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Col {
            $($variant),+
        }

        impl Col {
            pub const ALL: &'static [Col] = &[$(Col::$variant),+];

            /// The documented header.
            pub fn header(self) -> &'static str {
                match self { $(Col::$variant => $header),+ }
            }

            /// Whether the column must be in the file.
            pub fn required(self) -> bool {
                match self { $(Col::$variant => $required),+ }
            }

            fn synonyms(self) -> &'static [&'static str] {
                match self { $(Col::$variant => &[$($synonym),*]),+ }
            }
        }
    };
}

columns! {
    Code = "ID domanda", true, ["ID", "Codice domanda", "Numero domanda"];
    SubmittedAt = "Data presentazione", true, ["Data e ora presentazione", "Data domanda"];
    TaxCode = "Codice fiscale", true, ["CF", "Codice fiscale componente"];
    BirthDate = "Data di nascita", true, ["Data nascita"];
    Relationship = "Parentela", true, ["Relazione di parentela", "Rapporto di parentela"];
    Disability = "Invalidità %", false, ["Invalidità", "Percentuale invalidità"];
    Attendance = "Accompagnamento", false, ["Indennità di accompagnamento"];
    Isee = "ISEE", true, ["Valore ISEE"];
    Assets = "Patrimonio", true, [];
    ResidesLombardy = "Residenza Lombardia", true, ["Residente in Lombardia"];
    WorksLombardy = "Lavoro Lombardia", true, ["Lavoro in Lombardia", "Attività lavorativa in Lombardia"];
    ResidenceIstat = "Comune residenza", false, ["Codice ISTAT comune residenza", "ISTAT residenza"];
    WorkIstat = "Comune lavoro", false, ["Codice ISTAT comune lavoro", "ISTAT lavoro"];
    YearsRegion = "Anni residenza Regione", true, ["Anni di residenza in Regione"];
    YearsComune = "Anni residenza Comune", true, ["Anni di residenza nel Comune"];
    OtherComuni = "Residenza altri comuni", false, ["Anni residenza altri comuni", "Anni di residenza in altri comuni"];
    OwnedM2 = "Alloggio posseduto mq", false, ["Alloggio posseduto", "Alloggio posseduto (mq)"];
    ExclusionOn = "Data esclusione", false, ["Data decadenza"];
    Conditions = "Condizioni", false, ["Condizioni dichiarate"];
    Unit1 = "Alloggio 1", false, ["ID alloggio 1"];
    Unit2 = "Alloggio 2", false, ["ID alloggio 2"];
    Unit3 = "Alloggio 3", false, ["ID alloggio 3"];
    Unit4 = "Alloggio 4", false, ["ID alloggio 4"];
    Unit5 = "Alloggio 5", false, ["ID alloggio 5"];
}

const UNIT_COLS: [Col; 5] = [Col::Unit1, Col::Unit2, Col::Unit3, Col::Unit4, Col::Unit5];

impl Col {
    /// Recognises a header ignoring case, spaces, accents and punctuation.
    pub fn from_header(raw: &str) -> Option<Col> {
        let key = loose_key(raw);
        if key.is_empty() {
            return None;
        }
        Col::ALL.iter().copied().find(|c| {
            loose_key(c.header()) == key || c.synonyms().iter().any(|s| loose_key(s) == key)
        })
    }
}

/// Reads `path` (.csv or .xlsx; `sheet` names the Excel worksheet, default the first) into
/// applications, in the order of their first row. `known_conditions` are the condition codes
/// the `Condizioni` column may name. On any problem, the full report and no application.
pub fn read_applications(
    path: &Path,
    sheet: Option<&str>,
    known_conditions: &[String],
) -> Result<Vec<Application>, Report> {
    let mut sink = Sink::new(known_conditions);
    if let Err(reason) = source::read(path, sheet, &mut sink) {
        sink.problems.push(Problem::file(reason));
    }
    sink.finish()
}

// ---------------------------------------------------------------------------------------------
// Field parsers: Italian reasons on failure.

/// A date: YYYY-MM-DD, DD/MM/YYYY (also with `-` or `.`), or an Excel serial number.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let s = input.trim();
    let bad = || {
        format!(
            "data non valida: '{}' (usare GG/MM/AAAA o AAAA-MM-GG)",
            crate::safe_text::excerpt(s)
        )
    };
    if s.is_empty() {
        return Err("data mancante".into());
    }
    // Day, month and a year in full (`01/05/28` is refused, not the year 28).
    let plain = crate::domain::dates::parse(s, crate::domain::dates::PERSON_YEARS);
    if plain.is_ok()
        || !s.contains([' ', 'T']) && !s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return plain;
    }
    // A date with a midnight time, as spreadsheets sometimes export dates.
    if let Ok(t) = parse_datetime(s)
        && t.time() == NaiveTime::MIN
    {
        return Ok(t.date());
    }
    excel_serial(s).map(|t| t.date()).ok_or_else(bad)
}

/// A date and time: YYYY-MM-DD HH:MM[:SS] (or with `T`), DD/MM/YYYY HH:MM[:SS], or an Excel
/// serial number.
pub fn parse_datetime(input: &str) -> Result<NaiveDateTime, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("data e ora mancanti".into());
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            // The date part with its year in full and plausible (chrono takes `28` as 28).
            let day = s.split([' ', 'T']).next().unwrap_or("");
            crate::domain::dates::parse(day, crate::domain::dates::PERSON_YEARS)?;
            return Ok(t);
        }
    }
    // Fractional seconds (an Excel date-time read as ISO text).
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        let day = s.split('T').next().unwrap_or("");
        crate::domain::dates::parse(day, crate::domain::dates::PERSON_YEARS)?;
        return Ok(t.with_nanosecond(0).unwrap_or(t));
    }
    excel_serial(s).ok_or_else(|| {
        format!(
            "data e ora non valide: '{}' (usare GG/MM/AAAA HH:MM o AAAA-MM-GG HH:MM)",
            crate::safe_text::excerpt(s)
        )
    })
}

/// An Excel serial date (days since 1899-12-30, the fraction is the time of day), as the Excel
/// reader gives date cells; rounded to the second.
fn excel_serial(s: &str) -> Option<NaiveDateTime> {
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    // 1 = 1900-01-01 … 2958465 = 9999-12-31; require a plausible range (1900–2199).
    if !(1.0..=109_575.0).contains(&v) {
        return None;
    }
    let secs = (v * 86_400.0).round() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    base.checked_add_signed(TimeDelta::seconds(secs))
}

fn parse_years(input: &str) -> Result<u32, String> {
    let n = parse_whole(input).map_err(|_| "indicare un numero intero di anni".to_string())?;
    if !(0..=MAX_YEARS).contains(&n) {
        return Err(format!("anni non validi: da 0 a {MAX_YEARS}"));
    }
    Ok(n as u32)
}

/// Years of residence in other comuni: `ISTAT:anni` pairs separated by `;` or `,` (`=` also
/// accepted between code and years), e.g. `015192:3;015077:5`. Sorted by ISTAT code; a comune
/// twice is refused.
fn parse_other_comuni(input: &str) -> Result<Vec<(String, u32)>, String> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for part in input.split([';', ',']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (istat, years) = part.split_once([':', '=']).ok_or_else(|| {
            format!("'{part}': indicare codice ISTAT e anni come 015192:3, separati da ;")
        })?;
        let istat = parse_istat(istat).map_err(|e| format!("'{part}': {e}"))?;
        let years = parse_years(years).map_err(|e| format!("'{part}': {e}"))?;
        if out.iter().any(|(c, _)| *c == istat) {
            return Err(format!("il comune {istat} è indicato due volte"));
        }
        out.push((istat, years));
    }
    out.sort();
    Ok(out)
}

fn parse_disability(input: &str) -> Result<u8, String> {
    if input.trim().is_empty() {
        return Ok(0);
    }
    let t = input.trim().trim_end_matches('%');
    match parse_whole(t) {
        Ok(n) if (0..=100).contains(&n) => Ok(n as u8),
        _ => Err("percentuale di invalidità non valida: numero intero da 0 a 100".into()),
    }
}

fn parse_yes_no(input: &str, empty: Option<bool>) -> Result<bool, String> {
    match parse_flag(input)? {
        Some(b) => Ok(b),
        None => empty.ok_or_else(|| "valore mancante: indicare SI o NO".to_string()),
    }
}

fn parse_optional_istat(input: &str) -> Result<Option<String>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_istat(input).map(Some)
    }
}

fn parse_owned_m2(input: &str) -> Result<Option<u32>, String> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    match parse_whole(input) {
        Ok(0) => Ok(None),
        Ok(n) if (1..=MAX_OWNED_M2).contains(&n) => Ok(Some(n as u32)),
        _ => {
            Err("superficie non valida: numero intero di mq (0 o vuoto se nessun alloggio)".into())
        }
    }
}

fn parse_relationship(input: &str) -> Result<Relationship, String> {
    Relationship::parse(input).ok_or_else(|| {
        format!(
            "parentela non valida (ammesse: {})",
            Relationship::ALL.map(|r| r.db()).join(", ")
        )
    })
}

/// Condition codes separated by `;` or `,`: each must be known. Sorted, without repeats.
fn parse_conditions(input: &str, known: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for part in input.split([';', ',']) {
        let code: String = part
            .trim()
            .to_uppercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("_");
        if code.is_empty() {
            continue;
        }
        if known.iter().any(|k| k.eq_ignore_ascii_case(&code)) {
            out.push(code);
        } else {
            unknown.push(code);
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "{} {} (ammesse: {})",
            if unknown.len() == 1 {
                "condizione sconosciuta:"
            } else {
                "condizioni sconosciute:"
            },
            unknown.join(", "),
            if known.is_empty() {
                "nessuna".to_string()
            } else {
                known.join(", ")
            }
        ));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn parse_preference(input: &str) -> Result<Option<i64>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse_unit_id(input)
            .map(Some)
            .map_err(|_| "l'ID alloggio deve essere un numero intero positivo".into())
    }
}

// ---------------------------------------------------------------------------------------------
// The reader.

/// The application-level values of one row; None where the cell could not be read (the
/// problem is already reported).
#[derive(Debug, Clone, Default)]
struct AppRow {
    submitted_at: Option<NaiveDateTime>,
    isee: Option<i64>,
    assets: Option<i64>,
    resides: Option<bool>,
    works: Option<bool>,
    residence_istat: Option<Option<String>>,
    work_istat: Option<Option<String>>,
    years_region: Option<u32>,
    years_comune: Option<u32>,
    other_comuni: Option<Vec<(String, u32)>>,
    owned_m2: Option<Option<u32>>,
    exclusion_on: Option<Option<NaiveDate>>,
    declared: Option<Vec<String>>,
    preferences: [Option<Option<i64>>; 5],
}

fn differ<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

impl AppRow {
    /// Columns whose value differs from `first` (both read).
    fn conflicts(&self, first: &AppRow) -> Vec<Col> {
        let mut out = Vec::new();
        let checks = [
            (
                Col::SubmittedAt,
                differ(&self.submitted_at, &first.submitted_at),
            ),
            (Col::Isee, differ(&self.isee, &first.isee)),
            (Col::Assets, differ(&self.assets, &first.assets)),
            (Col::ResidesLombardy, differ(&self.resides, &first.resides)),
            (Col::WorksLombardy, differ(&self.works, &first.works)),
            (
                Col::ResidenceIstat,
                differ(&self.residence_istat, &first.residence_istat),
            ),
            (Col::WorkIstat, differ(&self.work_istat, &first.work_istat)),
            (
                Col::YearsRegion,
                differ(&self.years_region, &first.years_region),
            ),
            (
                Col::YearsComune,
                differ(&self.years_comune, &first.years_comune),
            ),
            (
                Col::OtherComuni,
                differ(&self.other_comuni, &first.other_comuni),
            ),
            (Col::OwnedM2, differ(&self.owned_m2, &first.owned_m2)),
            (
                Col::ExclusionOn,
                differ(&self.exclusion_on, &first.exclusion_on),
            ),
            (Col::Conditions, differ(&self.declared, &first.declared)),
        ];
        out.extend(checks.iter().filter(|(_, d)| *d).map(|(c, _)| *c));
        for (i, c) in UNIT_COLS.iter().enumerate() {
            if differ(&self.preferences[i], &first.preferences[i]) {
                out.push(*c);
            }
        }
        out
    }
}

/// An application being read.
struct Entry {
    code: String,
    first_line: u64,
    first: AppRow,
    members: Vec<Member>,
    /// (codice fiscale, line) of every member row whose code was valid.
    tax_codes: Vec<(String, u64)>,
    rows: usize,
    applicant_line: Option<u64>,
}

struct Sink<'k> {
    known: &'k [String],
    headers: Vec<String>,
    header_line: u64,
    /// Position of each column in the file (by `Col` index).
    positions: Vec<Option<usize>>,
    /// Rows can be checked (no required column missing).
    usable: bool,
    header_seen: bool,
    width: usize,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    rows: usize,
    problems: Vec<Problem>,
}

impl<'k> Sink<'k> {
    fn new(known: &'k [String]) -> Self {
        Sink {
            known,
            headers: Vec::new(),
            header_line: 0,
            positions: vec![None; Col::ALL.len()],
            usable: false,
            header_seen: false,
            width: 0,
            entries: Vec::new(),
            index: HashMap::new(),
            rows: 0,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, line: u64, col: Col, value: &str, reason: impl Into<String>) {
        self.problems.push(Problem {
            line,
            column: Some(self.column_name(col)),
            value: Some(value.trim().to_string()),
            reason: reason.into(),
        });
    }

    /// The column's header as written in the file (else as documented).
    fn column_name(&self, col: Col) -> String {
        self.positions[col as usize]
            .and_then(|p| self.headers.get(p))
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| col.header().to_string())
    }

    fn cell<'c>(&self, cells: &'c [Cow<str>], col: Col) -> &'c str {
        self.positions[col as usize]
            .and_then(|p| cells.get(p))
            .map_or("", |c| c.as_ref())
    }

    /// Parses one cell; on failure reports it and gives None.
    fn field<T>(
        &mut self,
        line: u64,
        cells: &[Cow<str>],
        col: Col,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.cell(cells, col);
        match parse(raw) {
            Ok(v) => Some(v),
            Err(reason) => {
                let raw = raw.to_string();
                self.problem(line, col, &raw, reason);
                None
            }
        }
    }

    fn check_row(&mut self, line: u64, cells: &[Cow<str>]) {
        let extra_filled = cells.iter().skip(self.width).any(|c| !c.trim().is_empty());
        if cells.len() < self.width || extra_filled {
            self.problems.push(Problem {
                line,
                column: None,
                value: None,
                reason: format!(
                    "la riga ha {} campi, l'intestazione {} (separatore o virgolette fuori posto?)",
                    cells.len(),
                    self.width
                ),
            });
            return;
        }
        let code = self.field(line, cells, Col::Code, |s| {
            let t = parse_text(s, MAX_CODE)?;
            if t.is_empty() {
                Err("ID domanda mancante".to_string())
            } else {
                Ok(t)
            }
        });

        // Member-level values.
        let tax_code = self.field(line, cells, Col::TaxCode, |s| {
            codice_fiscale::validate_person_code(s)
                .map(|()| codice_fiscale::normalize(s))
                .map_err(|e| e.to_string())
        });
        let birth = self.field(line, cells, Col::BirthDate, parse_date);
        let relationship = self.field(line, cells, Col::Relationship, parse_relationship);
        let disability = self.field(line, cells, Col::Disability, parse_disability);
        let attendance = self.field(line, cells, Col::Attendance, |s| {
            parse_yes_no(s, Some(false))
        });

        // Application-level values.
        let known = self.known;
        let mut app = AppRow {
            submitted_at: self.field(line, cells, Col::SubmittedAt, parse_datetime),
            isee: self.field(line, cells, Col::Isee, parse_euro),
            assets: self.field(line, cells, Col::Assets, parse_euro),
            resides: self.field(line, cells, Col::ResidesLombardy, |s| parse_yes_no(s, None)),
            works: self.field(line, cells, Col::WorksLombardy, |s| parse_yes_no(s, None)),
            residence_istat: self.field(line, cells, Col::ResidenceIstat, parse_optional_istat),
            work_istat: self.field(line, cells, Col::WorkIstat, parse_optional_istat),
            years_region: self.field(line, cells, Col::YearsRegion, parse_years),
            years_comune: self.field(line, cells, Col::YearsComune, parse_years),
            other_comuni: self.field(line, cells, Col::OtherComuni, parse_other_comuni),
            owned_m2: self.field(line, cells, Col::OwnedM2, parse_owned_m2),
            exclusion_on: self.field(line, cells, Col::ExclusionOn, |s| {
                if s.trim().is_empty() {
                    Ok(None)
                } else {
                    parse_date(s).map(Some)
                }
            }),
            declared: self.field(line, cells, Col::Conditions, |s| parse_conditions(s, known)),
            preferences: Default::default(),
        };
        for (i, c) in UNIT_COLS.into_iter().enumerate() {
            app.preferences[i] = self.field(line, cells, c, parse_preference);
        }
        if let (Some(region), Some(comune)) = (app.years_region, app.years_comune)
            && comune > region
        {
            let raw = self.cell(cells, Col::YearsComune).to_string();
            self.problem(
                line,
                Col::YearsComune,
                &raw,
                format!(
                    "gli anni di residenza nel Comune ({comune}) superano quelli in Regione ({region})"
                ),
            );
        }
        if let Some(others) = &app.other_comuni {
            let raw = self.cell(cells, Col::OtherComuni).to_string();
            let mut problems = Vec::new();
            if let Some(Some(home)) = &app.residence_istat
                && others.iter().any(|(c, _)| c == home)
            {
                problems.push(format!(
                    "il comune di residenza {home} va in \"Anni residenza Comune\", non tra gli altri comuni"
                ));
            }
            if let Some(region) = app.years_region
                && let Some((c, y)) = others.iter().find(|(_, y)| *y > region)
            {
                problems.push(format!(
                    "gli anni di residenza nel comune {c} ({y}) superano quelli in Regione ({region})"
                ));
            }
            for reason in problems {
                self.problem(line, Col::OtherComuni, &raw, reason);
            }
        }
        if let (Some(b), Some(t)) = (birth, app.submitted_at)
            && b > t.date()
        {
            let raw = self.cell(cells, Col::BirthDate).to_string();
            self.problem(
                line,
                Col::BirthDate,
                &raw,
                "data di nascita successiva alla data di presentazione della domanda",
            );
        }

        let Some(code) = code else {
            return;
        };
        let index = match self.index.get(&code) {
            Some(&i) => {
                let conflicts = app.conflicts(&self.entries[i].first);
                let first_line = self.entries[i].first_line;
                for c in conflicts {
                    let raw = self.cell(cells, c).to_string();
                    self.problem(
                        line,
                        c,
                        &raw,
                        format!(
                            "valore diverso da quello della riga {first_line} per la stessa domanda {code}: i dati della domanda devono essere uguali su tutte le sue righe"
                        ),
                    );
                }
                i
            }
            None => {
                self.index.insert(code.clone(), self.entries.len());
                self.entries.push(Entry {
                    code: code.clone(),
                    first_line: line,
                    first: app,
                    members: Vec::new(),
                    tax_codes: Vec::new(),
                    rows: 0,
                    applicant_line: None,
                });
                self.entries.len() - 1
            }
        };

        let mut problems = Vec::new();
        let entry = &mut self.entries[index];
        entry.rows += 1;
        if entry.rows == MAX_MEMBERS + 1 {
            problems.push((
                Col::Code,
                code.clone(),
                format!("la domanda {code} ha più di {MAX_MEMBERS} componenti"),
            ));
        }
        if let Some(cf) = &tax_code {
            if let Some((_, first)) = entry.tax_codes.iter().find(|(c, _)| c == cf) {
                problems.push((
                    Col::TaxCode,
                    cf.clone(),
                    format!(
                        "codice fiscale ripetuto nella domanda {code}: è già alla riga {first}"
                    ),
                ));
            } else {
                entry.tax_codes.push((cf.clone(), line));
            }
        }
        if relationship == Some(Relationship::Richiedente) {
            match entry.applicant_line {
                Some(first) => problems.push((
                    Col::Relationship,
                    Relationship::Richiedente.db().to_string(),
                    format!(
                        "la domanda {code} ha già un RICHIEDENTE alla riga {first}: ce ne deve essere uno solo"
                    ),
                )),
                None => entry.applicant_line = Some(line),
            }
        }
        if let (Some(tax_code), Some(birth_date), Some(relationship), Some(dis), Some(att)) =
            (tax_code, birth, relationship, disability, attendance)
        {
            entry.members.push(Member {
                tax_code,
                birth_date,
                relationship,
                disability_pct: dis,
                attendance_allowance: att,
            });
        }
        for (c, v, reason) in problems {
            self.problem(line, c, &v, reason);
        }
    }

    fn finish(mut self) -> Result<Vec<Application>, Report> {
        if !self.header_seen && self.problems.is_empty() {
            self.problems.push(Problem::file(
                "il file è vuoto: manca la riga di intestazione",
            ));
        } else if self.header_seen && self.usable && self.rows == 0 {
            self.problems.push(Problem::file(
                "il file non contiene domande (solo l'intestazione)",
            ));
        }
        let mut missing_applicant = Vec::new();
        for e in &self.entries {
            if e.applicant_line.is_none() {
                missing_applicant.push(Problem {
                    line: e.first_line,
                    column: Some(self.column_name(Col::Code)),
                    value: Some(e.code.clone()),
                    reason: format!(
                        "la domanda {} non ha un RICHIEDENTE: ce ne deve essere esattamente uno",
                        e.code
                    ),
                });
            }
        }
        self.problems.extend(missing_applicant);
        if !self.problems.is_empty() {
            // Stable: problems of one line keep the order of the columns.
            self.problems.sort_by_key(|p| p.line);
            return Err(Report {
                rows: self.rows,
                problems: self.problems,
            });
        }
        let mut out = Vec::with_capacity(self.entries.len());
        for e in self.entries {
            let a = e.first;
            // A clean file read every value; a None here would be a bug, reported as such
            // rather than a panic.
            let (
                Some(submitted_at),
                Some(isee),
                Some(assets),
                Some(resides),
                Some(works),
                Some(residence_istat),
                Some(work_istat),
                Some(years_region),
                Some(years_comune),
                Some(other_comuni),
                Some(owned),
                Some(exclusion_on),
                Some(declared),
            ) = (
                a.submitted_at,
                a.isee,
                a.assets,
                a.resides,
                a.works,
                a.residence_istat,
                a.work_istat,
                a.years_region,
                a.years_comune,
                a.other_comuni,
                a.owned_m2,
                a.exclusion_on,
                a.declared,
            )
            else {
                return Err(Report {
                    rows: self.rows,
                    problems: vec![Problem {
                        line: e.first_line,
                        column: None,
                        value: Some(e.code),
                        reason: "errore interno: domanda letta in modo incompleto".into(),
                    }],
                });
            };
            let preferences = a.preferences.iter().flatten().flatten().copied().collect();
            out.push(Application {
                code: e.code,
                submitted_at,
                members: e.members,
                isee,
                assets,
                resides_in_lombardy: resides,
                works_in_lombardy: works,
                residence_istat,
                work_istat,
                years_region,
                years_comune,
                other_comuni_years: other_comuni,
                owned_dwelling_m2: owned,
                exclusion_on,
                declared,
                preferences,
            });
        }
        Ok(out)
    }
}

impl RowSink for Sink<'_> {
    fn header(&mut self, line: u64, cells: &[Cow<str>]) {
        self.header_seen = true;
        self.header_line = line;
        self.headers = cells.iter().map(|c| c.to_string()).collect();
        self.width = cells.len();
        // Trailing empty header cells (a sheet formatted further right) do not count.
        while self.width > 0 && cells[self.width - 1].trim().is_empty() {
            self.width -= 1;
        }
        let mut problems = Vec::new();
        for (i, raw) in cells.iter().enumerate().take(self.width) {
            match Col::from_header(raw) {
                Some(c) => match self.positions[c as usize] {
                    Some(first) => problems.push(Problem {
                        line,
                        column: Some(raw.trim().to_string()),
                        value: None,
                        reason: format!(
                            "colonna ripetuta: \"{}\" è già la colonna {}",
                            c.header(),
                            first + 1
                        ),
                    }),
                    None => self.positions[c as usize] = Some(i),
                },
                None if raw.trim().is_empty() => problems.push(Problem {
                    line,
                    column: None,
                    value: None,
                    reason: format!("la colonna {} non ha intestazione", i + 1),
                }),
                None => problems.push(Problem {
                    line,
                    column: Some(raw.trim().to_string()),
                    value: None,
                    reason: "colonna sconosciuta (vedere docs/import-domande.md)".into(),
                }),
            }
        }
        let missing: Vec<&str> = Col::ALL
            .iter()
            .filter(|c| c.required() && self.positions[**c as usize].is_none())
            .map(|c| c.header())
            .collect();
        if !missing.is_empty() {
            self.problems.push(Problem::file(format!(
                "{}: {}",
                if missing.len() == 1 {
                    "manca la colonna obbligatoria"
                } else {
                    "mancano le colonne obbligatorie"
                },
                missing.join(", ")
            )));
        }
        self.usable = missing.is_empty();
        self.problems.extend(problems);
    }

    fn row(&mut self, line: u64, cells: &[Cow<str>]) {
        self.rows += 1;
        if self.usable {
            self.check_row(line, cells);
        }
    }

    fn bad_cell(&mut self, line: u64, column: usize, value: &str, reason: &str) {
        self.problems.push(Problem {
            line,
            column: self
                .headers
                .get(column)
                .map(|h| h.trim().to_string())
                .or_else(|| Some(format!("colonna {}", column + 1))),
            value: Some(value.to_string()),
            reason: reason.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn known() -> Vec<String> {
        [
            "FAMIGLIA_NUOVA",
            "MONOGENITORE",
            "GENITORE_SEPARATO",
            "RILASCIO_ALLOGGIO",
            "ALLOGGIO_ANTIGIENICO",
            "STRUTTURA_ASSISTENZIALE",
        ]
        .map(String::from)
        .to_vec()
    }

    const HEADER: &str = "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Alloggio posseduto mq;Data esclusione;Condizioni;Alloggio 1;Alloggio 2;Alloggio 3;Alloggio 4;Alloggio 5";

    // Valid codes (textbook examples and the validator's samples).
    const CF1: &str = "RSSMRA85T10A562S";
    const CF2: &str = "RSSMRA70A41H501W";
    const CF3: &str = "RSSMRA80A01F205X";

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        path
    }

    fn good_csv() -> String {
        format!(
            "{HEADER}\n\
             D-2026-0000001;2026-03-01 10:15;{CF1};10/12/1985;RICHIEDENTE;;;8.500,50;12000;SI;NO;015146;;20;12;;;FAMIGLIA_NUOVA;101;102;;;\n\
             D-2026-0000001;2026-03-01 10:15;{CF2};1970-01-01;CONIUGE;100;SI;8500.50;12.000,00;SI;NO;15146;;20;12;;;famiglia_nuova;101;102;;;\n\
             D-2026-0000002;02/03/2026 09:00:30;{CF3};01/01/1980;RICHIEDENTE;0;NO;2500;0;NO;SI;;015077;0;0;40;01/06/2015;RILASCIO_ALLOGGIO, ALLOGGIO_ANTIGIENICO;;;;;\n"
        )
    }

    #[test]
    fn good_csv_gives_two_applications() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "domande.csv", &good_csv());
        let apps = read_applications(&path, None, &known()).unwrap();
        assert_eq!(apps.len(), 2);
        let a = &apps[0];
        assert_eq!(a.code, "D-2026-0000001");
        assert_eq!(a.submitted_at.to_string(), "2026-03-01 10:15:00");
        assert_eq!(a.members.len(), 2);
        assert_eq!(a.members[0].relationship, Relationship::Richiedente);
        assert_eq!(a.members[1].relationship, Relationship::Coniuge);
        assert_eq!(a.members[1].disability_pct, 100);
        assert!(a.members[1].attendance_allowance);
        assert_eq!(a.members[0].birth_date.to_string(), "1985-12-10");
        assert_eq!(a.isee, 850_050);
        assert_eq!(a.assets, 1_200_000);
        assert!(a.resides_in_lombardy && !a.works_in_lombardy);
        assert_eq!(a.residence_istat.as_deref(), Some("015146"));
        assert_eq!(a.work_istat, None);
        assert_eq!((a.years_region, a.years_comune), (20, 12));
        assert_eq!(a.declared, vec!["FAMIGLIA_NUOVA".to_string()]);
        assert_eq!(a.preferences, vec![101, 102]);
        let b = &apps[1];
        assert_eq!(b.submitted_at.to_string(), "2026-03-02 09:00:30");
        assert_eq!(b.members.len(), 1);
        assert_eq!(b.work_istat.as_deref(), Some("015077"));
        assert_eq!(b.owned_dwelling_m2, Some(40));
        assert_eq!(
            b.exclusion_on.map(|d| d.to_string()).as_deref(),
            Some("2015-06-01")
        );
        assert_eq!(
            b.declared,
            vec![
                "ALLOGGIO_ANTIGIENICO".to_string(),
                "RILASCIO_ALLOGGIO".to_string()
            ]
        );
        assert!(b.preferences.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_line_and_column() {
        let text = format!(
            "{HEADER}\n\
             D1;2026-03-01 10:15;{CF1};10/12/1985;RICHIEDENTE;120;FORSE;abc;0;SI;NO;015146;;5;9;;;XYZ;7;;;;\n\
             D1;2026-03-02 10:15;{CF1};10/12/1985;RICHIEDENTE;;;abc;0;SI;NO;015146;;5;9;;;;7;;;;\n\
             D2;2026-03-01 10:15;RSSMRA85T10A562Z;31/02/1985;ZIO;;;1000;0;SI;NO;15146;;5;3;;;;x;;;;\n\
             D3;ieri;{CF2};01/01/1970;CONIUGE;;;1000;0;;NO;015146;;5;3;;;;;;;;\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "domande.csv", &text);
        let report = read_applications(&path, None, &known()).unwrap_err();
        let got: Vec<(u64, &str)> = report
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_deref().unwrap_or("")))
            .collect();
        let expect = [
            (2, "Invalidità %"),
            (2, "Accompagnamento"),
            (2, "ISEE"),
            (2, "Anni residenza Comune"),
            (2, "Condizioni"),
            (3, "ISEE"),
            (3, "Anni residenza Comune"),
            (3, "Data presentazione"),
            (3, "Codice fiscale"),
            (3, "Parentela"),
            (4, "Codice fiscale"),
            (4, "Data di nascita"),
            (4, "Parentela"),
            (4, "Alloggio 1"),
            (4, "ID domanda"),
            (5, "Data presentazione"),
            (5, "Residenza Lombardia"),
            (5, "ID domanda"),
        ];
        for e in &expect {
            assert!(got.contains(e), "missing {e:?} in {got:#?}");
        }
        assert_eq!(report.rows, 4);
        let cond = report
            .problems
            .iter()
            .find(|p| p.line == 2 && p.column.as_deref() == Some("Condizioni"))
            .unwrap();
        assert!(
            cond.reason.contains("ammesse: FAMIGLIA_NUOVA"),
            "{}",
            cond.reason
        );
        assert_eq!(cond.value.as_deref(), Some("XYZ"));
        let dup = report
            .problems
            .iter()
            .find(|p| p.line == 3 && p.column.as_deref() == Some("Codice fiscale"))
            .unwrap();
        assert!(dup.reason.contains("riga 2"), "{}", dup.reason);
        let lines: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
        assert!(lines.is_sorted());
        // No applicant in D2 (ZIO is refused) and D3.
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.line == 5 && p.reason.contains("non ha un RICHIEDENTE"))
        );
    }

    #[test]
    fn missing_columns_empty_file_and_header_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "a.csv",
            "ID domanda;Codice fiscale;Colore\nD1;x;y\n",
        );
        let r = read_applications(&path, None, &known()).unwrap_err();
        let file = r.problems.iter().find(|p| p.line == 0).unwrap();
        assert!(file.reason.contains("mancano le colonne obbligatorie"));
        assert!(file.reason.contains("Data presentazione"));
        assert!(file.reason.contains("Anni residenza Comune"));
        assert!(!file.reason.contains("Alloggio 1"));
        assert!(
            r.problems
                .iter()
                .any(|p| p.line == 1 && p.column.as_deref() == Some("Colore"))
        );

        let path = write(dir.path(), "b.csv", "");
        let r = read_applications(&path, None, &known()).unwrap_err();
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].reason.contains("vuoto"));

        let path = write(dir.path(), "c.csv", &format!("{HEADER}\n"));
        let r = read_applications(&path, None, &known()).unwrap_err();
        assert!(r.problems[0].reason.contains("non contiene domande"));

        let r = read_applications(&dir.path().join("x.ods"), None, &known()).unwrap_err();
        assert!(r.problems[0].reason.contains(".xlsx"));
    }

    #[test]
    fn headers_match_loosely() {
        for (raw, col) in [
            ("id DOMANDA", Col::Code),
            ("Invalidita", Col::Disability),
            ("  invalidità  % ", Col::Disability),
            ("anni_residenza_regione", Col::YearsRegion),
            ("ALLOGGIO POSSEDUTO (MQ)", Col::OwnedM2),
            ("codice-fiscale", Col::TaxCode),
            ("Alloggio 5", Col::Unit5),
        ] {
            assert_eq!(Col::from_header(raw), Some(col), "{raw}");
        }
        assert_eq!(Col::from_header("Nome"), None);
        assert_eq!(Col::from_header(""), None);
        // Optional columns may be missing altogether; order does not matter.
        let text = format!(
            "parentela,id domanda,DATA PRESENTAZIONE,codice fiscale,data di nascita,isee,patrimonio,residenza lombardia,lavoro lombardia,anni residenza regione,anni residenza comune\n\
             RICHIEDENTE,D9,2026-03-01T08:00:00,{CF3},1980-01-01,\"1.000,00\",0,SI,NO,3,3\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "h.csv", &text);
        let apps = read_applications(&path, None, &known()).unwrap();
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].isee, 100_000);
        assert_eq!(apps[0].members[0].disability_pct, 0);
        assert!(apps[0].declared.is_empty());
    }

    #[test]
    fn limits_on_members_and_repeated_headers() {
        let mut text = format!("{HEADER}\n");
        for i in 0..21 {
            let rel = if i == 0 { "RICHIEDENTE" } else { "FIGLIO" };
            // Distinct valid codes are not needed to see the member cap.
            text.push_str(&format!(
                "D1;2026-03-01 10:00;{CF1};01/01/2000;{rel};;;1000;0;SI;NO;;;1;1;;;;;;;;\n"
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "m.csv", &text);
        let r = read_applications(&path, None, &known()).unwrap_err();
        assert!(
            r.problems
                .iter()
                .any(|p| p.line == 22 && p.reason.contains("più di 20 componenti"))
        );
        let path = write(
            dir.path(),
            "r.csv",
            &format!(
                "{HEADER};ISEE\nD1;2026-03-01 10:00;{CF1};01/01/2000;RICHIEDENTE;;;1000;0;SI;NO;;;1;1;;;;;;;;;1\n"
            ),
        );
        let r = read_applications(&path, None, &known()).unwrap_err();
        assert!(
            r.problems
                .iter()
                .any(|p| p.reason.contains("colonna ripetuta"))
        );
    }

    /// Art. 12 c.2: the years of residence in other comuni, `Residenza altri comuni`, one
    /// application-level column; sorted, each checked, repeated equal on every member row.
    #[test]
    fn residence_in_other_comuni() {
        let header = "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Anni residenza Regione;Anni residenza Comune;Anni di residenza in altri comuni";
        let dir = tempfile::tempdir().unwrap();
        let read = |rows: &str| {
            let path = write(dir.path(), "r.csv", &format!("{header}\n{rows}"));
            read_applications(&path, None, &known())
        };
        let apps = read(&format!(
            "D1;2026-03-01 10:15;{CF1};10/12/1985;RICHIEDENTE;8000;0;SI;NO;015146;30;12;\"15195:3, 015182=10\"\n\
             D1;2026-03-01 10:15;{CF2};01/01/1970;CONIUGE;8000;0;SI;NO;015146;30;12;\"015182:10;015195:3\"\n\
             D2;2026-03-01 11:15;{CF3};01/01/1980;RICHIEDENTE;8000;0;SI;NO;015146;30;12;\n"
        ))
        .unwrap();
        assert_eq!(
            apps[0].other_comuni_years,
            vec![("015182".to_string(), 10), ("015195".to_string(), 3)]
        );
        assert_eq!(apps[0].years_in("015195"), 3);
        assert_eq!(apps[0].years_in("015146"), 12);
        assert_eq!(apps[0].years_in("016024"), 0);
        assert!(apps[1].other_comuni_years.is_empty());
        for (cell, why) in [
            ("015146:4", "comune di residenza"),
            ("015182:31", "superano quelli in Regione"),
            ("015182:3;015182:4", "due volte"),
            ("015182", "015192:3"),
            ("15x:3", "015x"),
            ("015182:-1", "anni"),
        ] {
            let report = read(&format!(
                "D1;2026-03-01 10:15;{CF1};10/12/1985;RICHIEDENTE;8000;0;SI;NO;015146;30;12;\"{cell}\"\n"
            ))
            .unwrap_err();
            let p = &report.problems[0];
            assert_eq!(
                p.column.as_deref(),
                Some("Anni di residenza in altri comuni"),
                "{cell}"
            );
            assert!(
                p.reason.contains(why) || p.reason.contains("ISTAT"),
                "{cell}: {}",
                p.reason
            );
        }
        // Different on two rows of the same application: refused, naming the first row.
        let report = read(&format!(
            "D1;2026-03-01 10:15;{CF1};10/12/1985;RICHIEDENTE;8000;0;SI;NO;015146;30;12;015182:10\n\
             D1;2026-03-01 10:15;{CF2};01/01/1970;CONIUGE;8000;0;SI;NO;015146;30;12;015182:9\n"
        ))
        .unwrap_err();
        assert!(
            report.problems[0].reason.contains("riga 2"),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn the_documented_example_reads() {
        let doc = include_str!("../../docs/import-domande.md");
        let csv = doc
            .split("```csv\n")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "esempio.csv", csv);
        let apps = read_applications(&path, None, &known()).unwrap();
        assert_eq!(apps.len(), 2);
        assert_eq!(apps[0].members.len(), 2);
        assert_eq!(apps[0].preferences, vec![101, 102]);
        assert_eq!(apps[0].other_comuni_years, vec![("015182".to_string(), 5)]);
    }

    #[test]
    fn dates_in_every_accepted_form() {
        assert_eq!(parse_date("2026-03-01").unwrap().to_string(), "2026-03-01");
        assert_eq!(parse_date("01/03/2026").unwrap().to_string(), "2026-03-01");
        assert_eq!(parse_date("46082").unwrap().to_string(), "2026-03-01");
        assert_eq!(
            parse_date("2026-03-01 00:00:00").unwrap().to_string(),
            "2026-03-01"
        );
        assert!(parse_date("31/02/2026").is_err());
        assert!(parse_date("").is_err());
        assert!(parse_date("-5").is_err());
        assert_eq!(
            parse_datetime("46082.5").unwrap().to_string(),
            "2026-03-01 12:00:00"
        );
        assert_eq!(
            parse_datetime("01/03/2026 9:05").unwrap().to_string(),
            "2026-03-01 09:05:00"
        );
        assert!(parse_datetime("2026-03-01").is_err());
        assert!(parse_datetime("1e308").is_err());
    }

    #[test]
    fn xlsx_round_trip() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("domande.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Domande").unwrap();
        let headers: Vec<&str> = HEADER.split(';').collect();
        for (i, h) in headers.iter().enumerate() {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
        let dt_fmt = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        let submitted = NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(10, 15, 0)
            .unwrap();
        for (r, (cf, birth, rel)) in [
            (CF1, (1985, 12, 10), "RICHIEDENTE"),
            (CF2, (1970, 1, 1), "CONIUGE"),
        ]
        .into_iter()
        .enumerate()
        {
            let row = r as u32 + 1;
            ws.write_string(row, 0, "D-2026-0000001").unwrap();
            let t = ExcelDateTime::from_ymd(2026, 3, 1)
                .unwrap()
                .and_hms(10, 15, 0)
                .unwrap();
            ws.write_datetime_with_format(row, 1, &t, &dt_fmt).unwrap();
            ws.write_string(row, 2, cf).unwrap();
            let b = ExcelDateTime::from_ymd(birth.0, birth.1, birth.2).unwrap();
            ws.write_datetime_with_format(row, 3, &b, &date_fmt)
                .unwrap();
            ws.write_string(row, 4, rel).unwrap();
            ws.write_number(row, 5, if r == 1 { 75.0 } else { 0.0 })
                .unwrap();
            ws.write_string(row, 6, "NO").unwrap();
            ws.write_number(row, 7, 7999.99).unwrap();
            ws.write_number(row, 8, 15000.0).unwrap();
            ws.write_boolean(row, 9, true).unwrap();
            ws.write_string(row, 10, "NO").unwrap();
            // ISTAT as a number: the leading zero comes back.
            ws.write_number(row, 11, 15146.0).unwrap();
            ws.write_number(row, 13, 30.0).unwrap();
            ws.write_number(row, 14, 30.0).unwrap();
            ws.write_string(row, 17, "MONOGENITORE").unwrap();
            ws.write_number(row, 18, 555.0).unwrap();
        }
        wb.save(&path).unwrap();
        let apps = read_applications(&path, Some("domande"), &known()).unwrap();
        assert_eq!(apps.len(), 1);
        let a = &apps[0];
        assert_eq!(a.submitted_at, submitted);
        assert_eq!(a.members.len(), 2);
        assert_eq!(a.members[0].birth_date.to_string(), "1985-12-10");
        assert_eq!(a.members[1].disability_pct, 75);
        assert_eq!(a.isee, 799_999);
        assert_eq!(a.assets, 1_500_000);
        assert!(a.resides_in_lombardy);
        assert_eq!(a.residence_istat.as_deref(), Some("015146"));
        assert_eq!(a.declared, vec!["MONOGENITORE".to_string()]);
        assert_eq!(a.preferences, vec![555]);

        let r = read_applications(&path, Some("Altro"), &known()).unwrap_err();
        assert!(r.problems[0].reason.contains("non trovato"));
    }
}
