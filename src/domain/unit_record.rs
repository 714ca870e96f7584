//! One row of the unit import (`casa units import`): the column set of the regional export, how
//! headers are recognised, and the parser of every field.
//!
//! Pure: checks that need the database (owners, comuni, existing units, permissions) live in
//! `crate::import`. Every parser returns an Italian reason on failure, shown to the user next to
//! the line, column and value.

use super::codice_fiscale;
use super::registry::{OwnerKind, ServiceType, UnitState, fold_label, parse_flag};

macro_rules! columns {
    ($($variant:ident = $header:literal, $required:literal, [$($synonym:literal),*];)+) => {
        /// A column of the import file. The order is the order of the documented column set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Column {
            $($variant),+
        }

        impl Column {
            pub const ALL: &'static [Column] = &[$(Column::$variant),+];

            /// The header as the regional export writes it.
            pub fn header(self) -> &'static str {
                match self { $(Column::$variant => $header),+ }
            }

            /// Whether the column must be in the file and its cells must not be empty.
            pub fn required(self) -> bool {
                match self { $(Column::$variant => $required),+ }
            }

            /// Other headers accepted for the column (older exports, the platform's lists).
            fn synonyms(self) -> &'static [&'static str] {
                match self { $(Column::$variant => &[$($synonym),*]),+ }
            }
        }
    };
}

columns! {
    UnitId = "ID Alloggio", false, [];
    OwnerKind = "Tipo Ente Proprietario", true, ["Tipo ente"];
    OwnerTaxCode = "Codice Fiscale Ente Proprietario", true, ["CF Ente Proprietario"];
    OwnerName = "Ragione sociale Ente Proprietario", true,
        ["Ragione sociale dell'Ente proprietario", "Ente proprietario"];
    ManagerTaxCode = "Codice Fiscale Ente Gestore", false, ["CF Ente Gestore"];
    BuildingCode = "Codice fabbricato", true, [];
    YearBuilt = "Anno di costruzione", false, ["Anno costruzione"];
    UnitCode = "Codice identificativo U.I.", true,
        ["Codice U.I.", "Codice identificativo unità immobiliare"];
    IstatCode = "Codice ISTAT Comune", true, ["Codice ISTAT", "Codice ISTAT del Comune", "ISTAT"];
    Municipality = "Comune", false, [];
    Province = "Provincia", false, [];
    Locality = "Quartiere/Zona/Località/Frazione", false, ["Località", "Quartiere"];
    Address = "Indirizzo", true, [];
    StreetNumber = "Numero civico", false, ["Civico", "N. civico"];
    Cap = "CAP", false, [];
    Staircase = "Scala", false, [];
    Floor = "Piano", false, [];
    Lift = "Ascensore", false, [];
    CadastralSheet = "Foglio", false, [];
    CadastralParcel = "Particella", false, ["Mappale"];
    CadastralSub = "Subalterno", false, [];
    CadastralCategory = "Categoria catastale", false, [];
    FloorArea = "Superficie utile", false, ["Superficie utile (m²)", "Superficie utile (mq)"];
    Rooms = "Vani", false, ["Numero vani"];
    Service = "Destinazione d'uso", true, ["Destinazione uso"];
    Sat = "SAT", false, ["Servizi abitativi transitori"];
    State = "Stato", true, ["Stato alloggio"];
    InNotice = "In avviso", false, ["Alloggio in avviso", "Alloggi in avviso"];
    Works = "Interventi necessari", false, [];
    WorksCost = "Costo stimato interventi", false, [];
    BarrierFree = "Privo di barriere architettoniche", false, [];
}

/// Number of columns; sizes the header map.
const COLUMNS: usize = Column::ALL.len();

/// Key under which headers and names are compared: case, spaces, accents and punctuation
/// ignored ("Quartiere/Zona/Località" ~ "quartiere zona localita").
pub fn loose_key(raw: &str) -> String {
    fold_label(raw)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

impl Column {
    /// Recognises a header (the documented name or a synonym), ignoring case, spaces, accents
    /// and punctuation.
    pub fn from_header(raw: &str) -> Option<Column> {
        let key = loose_key(raw);
        if key.is_empty() {
            return None;
        }
        Column::ALL.iter().copied().find(|c| {
            loose_key(c.header()) == key || c.synonyms().iter().any(|s| loose_key(s) == key)
        })
    }
}

/// What is wrong with the header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    /// A header that names no known column (position is 0-based).
    Unknown { position: usize, header: String },
    /// A header without a name in the middle of the line.
    Blank { position: usize },
    /// Two headers naming the same column.
    Duplicate { header: String, column: Column },
    /// A required column that is not in the file.
    Missing(Column),
}

impl HeaderProblem {
    /// The Italian reason, without the position.
    pub fn reason(&self) -> String {
        match self {
            HeaderProblem::Unknown { .. } => {
                "colonna sconosciuta (vedere l'elenco delle colonne in docs/import-alloggi.md)"
                    .to_string()
            }
            HeaderProblem::Blank { position } => {
                format!("la colonna {} non ha intestazione", position + 1)
            }
            HeaderProblem::Duplicate { column, .. } => format!(
                "colonna ripetuta: \"{}\" compare più di una volta",
                column.header()
            ),
            HeaderProblem::Missing(c) => {
                format!("manca la colonna obbligatoria \"{}\"", c.header())
            }
        }
    }
}

/// Where each known column sits in a row of the file.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    positions: [Option<usize>; COLUMNS],
    width: usize,
}

impl HeaderMap {
    /// Maps the header line; trailing blank headers (spreadsheets often leave some) are ignored.
    pub fn from_headers<S: AsRef<str>>(headers: &[S]) -> Result<HeaderMap, Vec<HeaderProblem>> {
        let width = headers
            .iter()
            .rposition(|h| !h.as_ref().trim().is_empty())
            .map_or(0, |i| i + 1);
        let mut positions = [None; COLUMNS];
        let mut problems = Vec::new();
        for (position, raw) in headers[..width].iter().enumerate() {
            let raw = raw.as_ref();
            if raw.trim().is_empty() {
                problems.push(HeaderProblem::Blank { position });
                continue;
            }
            match Column::from_header(raw) {
                None => problems.push(HeaderProblem::Unknown {
                    position,
                    header: raw.to_string(),
                }),
                Some(c) if positions[c as usize].is_some() => {
                    problems.push(HeaderProblem::Duplicate {
                        header: raw.to_string(),
                        column: c,
                    })
                }
                Some(c) => positions[c as usize] = Some(position),
            }
        }
        for c in Column::ALL {
            if c.required() && positions[*c as usize].is_none() {
                problems.push(HeaderProblem::Missing(*c));
            }
        }
        if problems.is_empty() {
            Ok(HeaderMap { positions, width })
        } else {
            Err(problems)
        }
    }

    /// Whether the file has this column.
    pub fn has(&self, c: Column) -> bool {
        self.positions[c as usize].is_some()
    }

    /// Number of named columns (a row may carry extra empty cells after them).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The cell of column `c`, trimmed; empty when the file has no such column.
    pub fn cell<'a, S: AsRef<str>>(&self, cells: &'a [S], c: Column) -> &'a str {
        self.positions[c as usize]
            .and_then(|i| cells.get(i))
            .map_or("", |s| s.as_ref().trim())
    }
}

/// A problem with one cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub column: Column,
    pub value: String,
    pub reason: String,
}

/// The keys of a row: who owns the unit, where it is, how it is identified. A key is `None`
/// when its cell is empty or could not be read (the row then also carries a problem).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowKeys {
    pub unit_id: Option<i64>,
    pub owner_kind: Option<OwnerKind>,
    pub owner_tax_code: Option<String>,
    pub owner_name: Option<String>,
    pub manager_tax_code: Option<String>,
    pub building_code: Option<String>,
    pub unit_code: Option<String>,
    pub istat_code: Option<String>,
    /// Comune and Provincia as written, to cross-check against the ISTAT code.
    pub municipality: Option<String>,
    pub province: Option<String>,
    pub year_built: Option<i32>,
}

/// The values stored on a unit, as the import compares them with the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFields {
    pub locality: Option<String>,
    pub address: String,
    pub street_number: Option<String>,
    pub cap: Option<String>,
    pub staircase: Option<String>,
    pub floor: Option<String>,
    pub has_lift: bool,
    pub cadastral_sheet: Option<String>,
    pub cadastral_parcel: Option<String>,
    pub cadastral_sub: Option<String>,
    pub cadastral_category: Option<String>,
    /// Superficie utile in hundredths of a square metre (exact, unlike the REAL column).
    pub floor_area_centi: Option<i64>,
    pub rooms: Option<i64>,
    pub service: ServiceType,
    pub sat: bool,
    pub state: UnitState,
    pub in_notice: bool,
    pub works: Option<String>,
    pub works_cost_cents: Option<i64>,
    pub barrier_free: bool,
}

impl UnitFields {
    /// Columns missing from the file leave the stored value alone: a file without cadastral
    /// columns must not wipe cadastral data. (An empty cell in a present column does clear.)
    pub fn keep_absent(&mut self, stored: &UnitFields, map: &HeaderMap) {
        macro_rules! keep {
            ($($col:ident => $field:ident),+) => {
                $(if !map.has(Column::$col) { self.$field = stored.$field.clone(); })+
            };
        }
        keep!(
            Locality => locality, StreetNumber => street_number, Cap => cap,
            Staircase => staircase, Floor => floor, Lift => has_lift,
            CadastralSheet => cadastral_sheet, CadastralParcel => cadastral_parcel,
            CadastralSub => cadastral_sub, CadastralCategory => cadastral_category,
            FloorArea => floor_area_centi, Rooms => rooms, Sat => sat,
            InNotice => in_notice, Works => works, WorksCost => works_cost_cents,
            BarrierFree => barrier_free
        );
    }
}

/// The values stored on a building, taken from the first row of the building in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingFields {
    pub address: String,
    pub street_number: Option<String>,
    pub cap: Option<String>,
    pub locality: Option<String>,
    pub year_built: Option<i32>,
    pub has_lift: bool,
}

impl BuildingFields {
    pub fn from_row(keys: &RowKeys, unit: &UnitFields) -> BuildingFields {
        BuildingFields {
            address: unit.address.clone(),
            street_number: unit.street_number.clone(),
            cap: unit.cap.clone(),
            locality: unit.locality.clone(),
            year_built: keys.year_built,
            has_lift: unit.has_lift,
        }
    }

    /// As `UnitFields::keep_absent`.
    pub fn keep_absent(&mut self, stored: &BuildingFields, map: &HeaderMap) {
        if !map.has(Column::StreetNumber) {
            self.street_number = stored.street_number.clone();
        }
        if !map.has(Column::Cap) {
            self.cap = stored.cap.clone();
        }
        if !map.has(Column::Locality) {
            self.locality = stored.locality.clone();
        }
        if !map.has(Column::YearBuilt) {
            self.year_built = stored.year_built;
        }
        if !map.has(Column::Lift) {
            self.has_lift = stored.has_lift;
        }
    }
}

/// A row read and checked on its own (no database): its keys, its unit values when every
/// field is good, and the problems found.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub keys: RowKeys,
    pub fields: Option<UnitFields>,
    pub problems: Vec<FieldProblem>,
}

/// Longest free text accepted in a cell (works description aside).
const MAX_TEXT: usize = 200;
/// Longest code (building, unit, cadastral references).
const MAX_CODE: usize = 50;
/// Longest works description.
const MAX_WORKS: usize = 2000;
/// Largest plausible superficie utile of a dwelling, in m².
const MAX_AREA_M2: i64 = 2000;
/// Most rooms a dwelling plausibly has.
const MAX_ROOMS: i64 = 50;
/// Earliest plausible year of construction (historic buildings are part of the stock).
const FIRST_YEAR: i32 = 1500;
/// Floors accepted as numbers.
const FLOORS: std::ops::RangeInclusive<i64> = -5..=99;

/// Reads one row. `this_year` bounds the year of construction (planned buildings allowed up
/// to ten years ahead).
pub fn parse_row<S: AsRef<str>>(map: &HeaderMap, cells: &[S], this_year: i32) -> ParsedRow {
    let mut row = RowParser {
        map,
        cells,
        problems: Vec::new(),
    };
    let keys = RowKeys {
        unit_id: row.optional(Column::UnitId, parse_unit_id),
        owner_kind: row.required(Column::OwnerKind, parse_owner_kind),
        owner_tax_code: row.required(Column::OwnerTaxCode, parse_body_tax_code),
        owner_name: row.required(Column::OwnerName, |v| parse_text(v, MAX_TEXT)),
        manager_tax_code: row.optional(Column::ManagerTaxCode, parse_body_tax_code),
        building_code: row.required(Column::BuildingCode, |v| parse_text(v, MAX_CODE)),
        unit_code: row.required(Column::UnitCode, |v| parse_text(v, MAX_CODE)),
        istat_code: row.required(Column::IstatCode, parse_istat),
        municipality: row.optional(Column::Municipality, |v| parse_text(v, MAX_TEXT)),
        province: row.optional(Column::Province, |v| parse_text(v, MAX_TEXT)),
        year_built: row.optional(Column::YearBuilt, |v| parse_year(v, this_year)),
    };
    let before = row.problems.len();
    let service = row.required(Column::Service, ServiceType::parse);
    let state = row.required(Column::State, UnitState::parse);
    let address = row.required(Column::Address, |v| parse_text(v, MAX_TEXT));
    let text = |v: &str| parse_text(v, MAX_TEXT);
    let code = |v: &str| parse_text(v, MAX_CODE);
    let fields = UnitFields {
        locality: row.optional(Column::Locality, text),
        address: address.unwrap_or_default(),
        street_number: row.optional(Column::StreetNumber, code),
        cap: row.optional(Column::Cap, parse_cap),
        staircase: row.optional(Column::Staircase, code),
        floor: row.optional(Column::Floor, parse_floor),
        has_lift: row.flag(Column::Lift),
        cadastral_sheet: row.optional(Column::CadastralSheet, code),
        cadastral_parcel: row.optional(Column::CadastralParcel, code),
        cadastral_sub: row.optional(Column::CadastralSub, code),
        cadastral_category: row.optional(Column::CadastralCategory, parse_cadastral_category),
        floor_area_centi: row.optional(Column::FloorArea, parse_floor_area),
        rooms: row.optional(Column::Rooms, parse_rooms),
        service: service.unwrap_or(ServiceType::Sap),
        sat: row.flag(Column::Sat),
        state: state.unwrap_or(UnitState::Free),
        in_notice: row.flag(Column::InNotice),
        works: row.optional(Column::Works, |v| parse_text(v, MAX_WORKS)),
        works_cost_cents: row.optional(Column::WorksCost, parse_money_cents),
        barrier_free: row.flag(Column::BarrierFree),
    };
    if fields.sat && service.is_some_and(|s| s != ServiceType::Sap) {
        row.problem(
            Column::Sat,
            format!(
                "SAT ammesso solo per gli alloggi SAP (questo è {})",
                fields.service.label()
            ),
        );
    }
    let ok = row.problems.len() == before;
    ParsedRow {
        keys,
        fields: ok.then_some(fields),
        problems: row.problems,
    }
}

/// Collects the problems of one row while its cells are parsed.
struct RowParser<'a, S> {
    map: &'a HeaderMap,
    cells: &'a [S],
    problems: Vec<FieldProblem>,
}

impl<S: AsRef<str>> RowParser<'_, S> {
    fn value(&self, c: Column) -> &str {
        self.map.cell(self.cells, c)
    }

    fn problem(&mut self, column: Column, reason: String) {
        let value = self.value(column).to_string();
        self.problems.push(FieldProblem {
            column,
            value,
            reason,
        });
    }

    fn optional<T>(
        &mut self,
        c: Column,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.value(c);
        if v.is_empty() {
            return None;
        }
        match parse(v) {
            Ok(x) => Some(x),
            Err(reason) => {
                self.problem(c, reason);
                None
            }
        }
    }

    fn required<T>(
        &mut self,
        c: Column,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if self.value(c).is_empty() {
            self.problem(c, "valore obbligatorio mancante".to_string());
            return None;
        }
        self.optional(c, parse)
    }

    /// A yes/no cell; empty means NO.
    fn flag(&mut self, c: Column) -> bool {
        match parse_flag(self.value(c)) {
            Ok(v) => v.unwrap_or(false),
            Err(reason) => {
                self.problem(c, reason);
                false
            }
        }
    }
}

/// Free text: trimmed, at most `max` characters, no control characters (they would break
/// the terminal screens and the exports).
pub fn parse_text(input: &str, max: usize) -> Result<String, String> {
    let s = input.trim();
    let n = s.chars().count();
    if n > max {
        return Err(format!(
            "testo troppo lungo: {n} caratteri (al massimo {max})"
        ));
    }
    // Control characters and the bidirectional overrides that reorder text on a screen.
    if s.chars()
        .any(|c| crate::safe_text::is_unsafe(c) && c != '\t')
    {
        return Err("il testo contiene caratteri di controllo".to_string());
    }
    Ok(s.to_string())
}

/// ID Alloggio: a positive whole number.
pub fn parse_unit_id(input: &str) -> Result<i64, String> {
    let s = input.trim();
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("l'ID Alloggio deve essere un numero intero positivo".to_string());
    }
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("l'ID Alloggio deve essere un numero intero positivo".to_string()),
    }
}

/// Tipo Ente Proprietario: only the kinds that own units.
pub fn parse_owner_kind(input: &str) -> Result<OwnerKind, String> {
    match OwnerKind::parse(input) {
        Ok(k @ (OwnerKind::Municipality | OwnerKind::Aler | OwnerKind::AccreditedOperator)) => {
            Ok(k)
        }
        _ => Err(
            "tipo ente proprietario non valido (ammessi: COMUNE, ALER, OPERATORE ACCREDITATO)"
                .to_string(),
        ),
    }
}

/// A body's codice fiscale (11 digits; a personal one is accepted for individual operators).
/// Spreadsheets drop leading zeros of numbers (01199250158 becomes 1199250158): a shorter
/// all-digit code is padded back when the padded code has a valid check digit.
pub fn parse_body_tax_code(input: &str) -> Result<String, String> {
    let code = codice_fiscale::normalize(input);
    if (8..11).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        let padded = format!("{code:0>11}");
        if codice_fiscale::validate_body_code(&padded).is_ok() {
            return Ok(padded);
        }
    }
    codice_fiscale::validate(&code).map_err(|e| e.to_string())?;
    Ok(code)
}

/// Codice ISTAT of a comune: 6 digits; leading zeros lost by a spreadsheet are restored.
pub fn parse_istat(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() || s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("il codice ISTAT del comune ha 6 cifre (es. 015146)".to_string());
    }
    Ok(format!("{s:0>6}"))
}

/// CAP: exactly 5 digits.
pub fn parse_cap(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("il CAP deve essere di 5 cifre".to_string())
    }
}

/// Year of construction: a whole number from 1500 to ten years from now.
pub fn parse_year(input: &str, this_year: i32) -> Result<i32, String> {
    let last = this_year + 10;
    let range =
        format!("anno di costruzione non valido: indicare un anno tra {FIRST_YEAR} e {last}");
    let n = parse_whole(input).map_err(|_| range.clone())?;
    i32::try_from(n)
        .ok()
        .filter(|y| (FIRST_YEAR..=last).contains(y))
        .ok_or(range)
}

/// Piano: a number (−5…99, negative below ground) or a letter code: T (terra), R (rialzato),
/// S (seminterrato), M (mezzanino), A (attico). Stored normalised ("3", "-1", "T").
pub fn parse_floor(input: &str) -> Result<String, String> {
    let s = input.trim().trim_end_matches(['°', 'º']).trim();
    if let Ok(n) = parse_whole(s)
        && FLOORS.contains(&n)
    {
        return Ok(n.to_string());
    }
    let code = match loose_key(s).as_str() {
        "T" | "PT" | "TERRA" | "PIANOTERRA" => "T",
        "R" | "PR" | "RIALZATO" | "PIANORIALZATO" => "R",
        "S" | "SEMINTERRATO" => "S",
        "M" | "MEZZANINO" | "AMMEZZATO" => "M",
        "A" | "ATTICO" => "A",
        _ => {
            return Err(
                "piano non valido: indicare un numero da -5 a 99 o T (terra), R (rialzato), S (seminterrato), M (mezzanino), A (attico)"
                    .to_string(),
            );
        }
    };
    Ok(code.to_string())
}

/// Categoria catastale: group letter and class, e.g. A/3 (also written A3, a/03, A-3).
pub fn parse_cadastral_category(input: &str) -> Result<String, String> {
    let err = || {
        "categoria catastale non valida: indicare gruppo e classe, es. A/3 (A/1…A/11, B/1…B/8, C/1…C/7, D/1…D/10, E/1…E/9, F/1…F/7)"
            .to_string()
    };
    let s: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '/' | '-' | ' ' | '.'))
        .collect::<String>()
        .to_ascii_uppercase();
    let mut chars = s.chars();
    let group = chars.next().ok_or_else(err)?;
    let class: u32 = chars.as_str().parse().map_err(|_| err())?;
    let max = match group {
        'A' => 11,
        'B' => 8,
        'C' => 7,
        'D' => 10,
        'E' => 9,
        'F' => 7,
        _ => return Err(err()),
    };
    if (1..=max).contains(&class) {
        Ok(format!("{group}/{class}"))
    } else {
        Err(err())
    }
}

/// Superficie utile in hundredths of m²: greater than zero, at most two decimals.
pub fn parse_floor_area(input: &str) -> Result<i64, String> {
    let v = parse_hundredths(input)?;
    if v <= 0 {
        return Err("la superficie deve essere maggiore di zero".to_string());
    }
    if v > MAX_AREA_M2 * 100 {
        return Err(format!(
            "superficie non plausibile per un alloggio (oltre {MAX_AREA_M2} m²)"
        ));
    }
    Ok(v)
}

/// Vani: a whole number, at least 1.
pub fn parse_rooms(input: &str) -> Result<i64, String> {
    let n = parse_whole(input)?;
    if !(1..=MAX_ROOMS).contains(&n) {
        return Err(format!("numero di vani non valido: da 1 a {MAX_ROOMS}"));
    }
    Ok(n)
}

/// An amount in euro, at least zero and with at most two decimals, as cents.
pub fn parse_money_cents(input: &str) -> Result<i64, String> {
    let v = parse_hundredths(input)?;
    if v < 0 {
        return Err("l'importo non può essere negativo".to_string());
    }
    Ok(v)
}

/// A whole number, written as a number people or spreadsheets write it ("3", "3,0").
pub fn parse_whole(input: &str) -> Result<i64, String> {
    let v = parse_hundredths(input)?;
    if v % 100 != 0 {
        return Err("deve essere un numero intero".to_string());
    }
    Ok(v / 100)
}

/// Parses a decimal number with `,` or `.` as decimal separator (Italian or English style) and
/// at most two decimals, into hundredths. Thousands separators are accepted only when both
/// separators appear ("1.234,50"), because "8.000" alone is ambiguous. A euro sign and spaces
/// are ignored.
pub fn parse_hundredths(input: &str) -> Result<i64, String> {
    let invalid = || format!("numero non valido: '{}'", input.trim());
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if body.is_empty() {
        return Err(invalid());
    }
    let last_dot = body.rfind('.');
    let last_comma = body.rfind(',');
    let (int_part, frac_part): (String, &str) = match (last_dot, last_comma) {
        (None, None) => (body.to_string(), ""),
        (Some(d), Some(c)) => {
            let (sep_at, thousands) = if d > c { (d, ',') } else { (c, '.') };
            let int = &body[..sep_at];
            // Thousands groups: 1 to 3 leading digits, then groups of exactly 3.
            let mut groups = int.split(thousands);
            let first = groups.next().unwrap_or("");
            let well_grouped = (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3);
            if !well_grouped {
                return Err(invalid());
            }
            (int.replace(thousands, ""), &body[sep_at + 1..])
        }
        (Some(i), None) | (None, Some(i)) => {
            let sep = body.as_bytes()[i] as char;
            if body.matches(sep).count() > 1 {
                return Err(invalid());
            }
            (body[..i].to_string(), &body[i + 1..])
        }
    };
    let int_part = if int_part.is_empty() && !frac_part.is_empty() {
        "0".to_string()
    } else {
        int_part
    };
    if int_part.is_empty()
        || int_part.len() > 15
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    if frac_part.len() > 2 {
        return Err(format!(
            "troppi decimali in '{}': al massimo 2",
            input.trim()
        ));
    }
    let whole: i64 = int_part.parse().map_err(|_| invalid())?;
    let frac: i64 = format!("{frac_part:0<2}").parse().map_err(|_| invalid())?;
    let v = whole * 100 + frac;
    Ok(if negative { -v } else { v })
}

/// Formats hundredths back as a decimal with `,` (for messages and the documentation).
pub fn format_hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.abs();
    if v % 100 == 0 {
        format!("{sign}{}", v / 100)
    } else {
        format!("{sign}{},{:02}", v / 100, v % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn full_header() -> Vec<&'static str> {
        Column::ALL.iter().map(|c| c.header()).collect()
    }

    fn good_row() -> Vec<String> {
        let mut row = vec![String::new(); Column::ALL.len()];
        let set = |row: &mut Vec<String>, c: Column, v: &str| row[c as usize] = v.to_string();
        set(&mut row, Column::OwnerKind, "COMUNE");
        set(&mut row, Column::OwnerTaxCode, "01199250158");
        set(&mut row, Column::OwnerName, "Comune di Milano");
        set(&mut row, Column::BuildingCode, "F001");
        set(&mut row, Column::UnitCode, "U001");
        set(&mut row, Column::IstatCode, "015146");
        set(&mut row, Column::Address, "Via Padova");
        set(&mut row, Column::Service, "SAP");
        set(&mut row, Column::State, "LIBERO");
        row
    }

    #[test]
    fn headers_match_ignoring_case_spaces_accents_and_punctuation() {
        assert_eq!(
            Column::from_header("  quartiere / zona / localita / frazione "),
            Some(Column::Locality)
        );
        assert_eq!(
            Column::from_header("CODICE IDENTIFICATIVO UI"),
            Some(Column::UnitCode)
        );
        assert_eq!(
            Column::from_header("destinazione d uso"),
            Some(Column::Service)
        );
        assert_eq!(
            Column::from_header("Superficie utile (m²)"),
            Some(Column::FloorArea)
        );
        assert_eq!(
            Column::from_header("Ragione sociale dell'Ente proprietario"),
            Some(Column::OwnerName)
        );
        assert_eq!(Column::from_header("Colore"), None);
        assert_eq!(Column::from_header(""), None);
        // No two columns share a key.
        let mut keys: Vec<String> = Column::ALL
            .iter()
            .flat_map(|c| std::iter::once(c.header()).chain(c.synonyms().iter().copied()))
            .map(loose_key)
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn header_problems_are_all_reported() {
        let err = HeaderMap::from_headers(&["Stato", "Colore", "stato", "", "Indirizzo", "", ""])
            .unwrap_err();
        assert!(err.contains(&HeaderProblem::Unknown {
            position: 1,
            header: "Colore".into()
        }));
        assert!(err.contains(&HeaderProblem::Duplicate {
            header: "stato".into(),
            column: Column::State
        }));
        assert!(err.contains(&HeaderProblem::Blank { position: 3 }));
        assert!(err.contains(&HeaderProblem::Missing(Column::OwnerTaxCode)));
        assert!(!err.contains(&HeaderProblem::Missing(Column::State)));
        assert!(!err.contains(&HeaderProblem::Missing(Column::Rooms)));
    }

    #[test]
    fn good_row_parses() {
        let map = HeaderMap::from_headers(&full_header()).unwrap();
        let p = parse_row(&map, &good_row(), 2026);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let f = p.fields.unwrap();
        assert_eq!(f.state, UnitState::Free);
        assert!(!f.has_lift);
        assert_eq!(p.keys.istat_code.as_deref(), Some("015146"));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let map = HeaderMap::from_headers(&full_header()).unwrap();
        let mut row = good_row();
        row[Column::State as usize] = "AFFITTATO".into();
        row[Column::Cap as usize] = "2010".into();
        row[Column::FloorArea as usize] = "45,555".into();
        row[Column::Service as usize] = "SAS".into();
        row[Column::Sat as usize] = "SI".into();
        row[Column::UnitCode as usize] = "".into();
        let p = parse_row(&map, &row, 2026);
        let cols: Vec<Column> = p.problems.iter().map(|x| x.column).collect();
        assert_eq!(
            cols,
            [
                Column::UnitCode,
                Column::State,
                Column::Cap,
                Column::FloorArea,
                Column::Sat
            ]
        );
        assert!(p.fields.is_none());
        assert!(p.problems[1].reason.starts_with("stato non valido"));
        assert_eq!(p.problems[1].value, "AFFITTATO");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_hundredths("45,5"), Ok(4550));
        assert_eq!(parse_hundredths("45.50"), Ok(4550));
        assert_eq!(parse_hundredths(" € 1.234,56 "), Ok(123_456));
        assert_eq!(parse_hundredths("1,234.5"), Ok(123_450));
        assert_eq!(parse_hundredths("-3"), Ok(-300));
        assert_eq!(parse_hundredths(",5"), Ok(50));
        assert!(parse_hundredths("8.000,0,0").is_err());
        assert!(parse_hundredths("1.2.3").is_err());
        assert!(parse_hundredths("12a").is_err());
        assert!(parse_hundredths("12.345.6,7").is_err());
        assert!(
            parse_hundredths("45,555")
                .unwrap_err()
                .contains("al massimo 2")
        );
        assert!(parse_floor_area("0").is_err());
        assert!(parse_floor_area("-4").is_err());
        assert!(parse_money_cents("-1").unwrap_err().contains("negativo"));
        assert_eq!(parse_money_cents("7.999,99"), Ok(799_999));
        assert_eq!(parse_rooms("3,0"), Ok(3));
        assert!(parse_rooms("2,5").is_err());
        assert!(parse_rooms("0").is_err());
        assert_eq!(parse_year("1965", 2026), Ok(1965));
        assert!(parse_year("1965,5", 2026).is_err());
        assert!(parse_year("3000", 2026).is_err());
        assert!(parse_year("65", 2026).is_err());
        assert_eq!(format_hundredths(4550), "45,50");
        assert_eq!(format_hundredths(800_000), "8000");
    }

    #[test]
    fn codes() {
        assert_eq!(parse_istat("15146"), Ok("015146".into()));
        assert!(parse_istat("0151466").is_err());
        assert!(parse_istat("MI").is_err());
        assert_eq!(parse_cap("20121"), Ok("20121".into()));
        assert!(parse_cap("2012").is_err());
        assert_eq!(parse_body_tax_code("1199250158"), Ok("01199250158".into()));
        assert_eq!(
            parse_body_tax_code(" 01199250158 "),
            Ok("01199250158".into())
        );
        assert!(
            parse_body_tax_code("01199250159")
                .unwrap_err()
                .contains("controllo")
        );
        assert_eq!(parse_cadastral_category("a/03"), Ok("A/3".into()));
        assert_eq!(parse_cadastral_category("A 10"), Ok("A/10".into()));
        assert!(parse_cadastral_category("A/12").is_err());
        assert!(parse_cadastral_category("Z/1").is_err());
        assert_eq!(parse_floor("3°"), Ok("3".into()));
        assert_eq!(parse_floor("piano terra"), Ok("T".into()));
        assert_eq!(parse_floor("-1"), Ok("-1".into()));
        assert!(parse_floor("cantina").is_err());
        assert!(parse_floor("120").is_err());
        assert_eq!(parse_unit_id("42"), Ok(42));
        assert!(parse_unit_id("0").is_err());
        assert!(parse_unit_id("4.2").is_err());
        assert_eq!(
            parse_owner_kind("operatore accreditato"),
            Ok(OwnerKind::AccreditedOperator)
        );
        assert!(parse_owner_kind("REGIONE").is_err());
    }

    #[test]
    fn absent_columns_keep_stored_values() {
        let map = HeaderMap::from_headers(&[
            "Tipo Ente Proprietario",
            "Codice Fiscale Ente Proprietario",
            "Ragione sociale Ente Proprietario",
            "Codice fabbricato",
            "Codice identificativo U.I.",
            "Codice ISTAT Comune",
            "Indirizzo",
            "Destinazione d'uso",
            "Stato",
            "Vani",
        ])
        .unwrap();
        let p = parse_row(
            &map,
            &[
                "COMUNE",
                "01199250158",
                "Comune di Milano",
                "F1",
                "U1",
                "015146",
                "Via Padova",
                "SAP",
                "OCCUPATO",
                "",
            ],
            2026,
        );
        let mut f = p.fields.unwrap();
        let mut stored = f.clone();
        stored.cadastral_sheet = Some("12".into());
        stored.rooms = Some(3);
        f.keep_absent(&stored, &map);
        assert_eq!(f.cadastral_sheet.as_deref(), Some("12"));
        // Vani is in the file, empty: it clears.
        assert_eq!(f.rooms, None);
    }

    proptest! {
        #[test]
        fn row_parser_never_panics(cells in proptest::collection::vec("\\PC{0,12}|[0-9.,;€ -]{0,10}", 0..40)) {
            let map = HeaderMap::from_headers(&full_header()).unwrap();
            let _ = parse_row(&map, &cells, 2026);
        }

        #[test]
        fn header_mapping_never_panics(headers in proptest::collection::vec("\\PC{0,20}", 0..40)) {
            let _ = HeaderMap::from_headers(&headers);
        }

        #[test]
        fn hundredths_round_trip(v in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!(parse_hundredths(&format_hundredths(v)), Ok(v));
        }
    }
}
