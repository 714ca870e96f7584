//! The unit search (SCHEDA RICERCA ALLOGGI): its filter, its sort order, what an operator may
//! see, and the parsers for what people type in the form or on the command line.
//!
//! Pure: the store turns a filter into SQL, the screens and the CLI build filters from text.

use super::access::OperatorScope;
use super::registry::{ServiceType, UnitState, fold_label, parse_flag};
use std::fmt;

/// Shortest free text the trigram index can look up.
pub const MIN_TEXT_CHARS: usize = 3;

/// Longest free text searched (the search form's field is as wide): longer text cannot be an
/// address, and each character costs the index a lookup (40 KB took 6 s).
pub const MAX_TEXT_CHARS: usize = 80;

/// Plan years accepted for marking and for the "marcati" filter.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// What the search looks for. `None` / empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UnitFilter {
    /// ID alloggio.
    pub unit_id: Option<i64>,
    /// Codice fabbricato (exact, case-insensitive).
    pub building_code: Option<String>,
    /// Destinazione d'uso.
    pub service: Option<ServiceType>,
    /// Sigla of the province (MI, BG, …).
    pub province: Option<String>,
    /// ISTAT code of the comune (6 digits).
    pub istat: Option<String>,
    /// Any of these states; empty = every state.
    pub states: Vec<UnitState>,
    /// Alloggi in avviso.
    pub in_notice: Option<bool>,
    /// Ente proprietario.
    pub owner_id: Option<i64>,
    /// Free text on address + civico and località (substring, case and accents ignored).
    pub text: Option<String>,
    /// Only units marked for the plan of this year.
    pub marked_for_year: Option<i32>,
}

/// The form field (or CLI option) a filter error is about, so a screen can put the cursor there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterField {
    UnitId,
    BuildingCode,
    Service,
    Province,
    Comune,
    States,
    InNotice,
    Owner,
    Text,
    MarkedYear,
}

impl FilterField {
    /// The label of the field on the search screen.
    pub fn label(self) -> &'static str {
        match self {
            FilterField::UnitId => "ID alloggio",
            FilterField::BuildingCode => "Codice fabbricato",
            FilterField::Service => "Destinazione d'uso",
            FilterField::Province => "Provincia",
            FilterField::Comune => "Comune",
            FilterField::States => "Stato",
            FilterField::InNotice => "Alloggi in avviso",
            FilterField::Owner => "Ente proprietario",
            FilterField::Text => "Testo",
            FilterField::MarkedYear => "Marcati per l'anno",
        }
    }

    /// Longest value the field takes, in characters, whatever the front end (the form's
    /// fields are at most as wide): longer text is refused before any parsing or lookup.
    pub fn max_chars(self) -> usize {
        match self {
            FilterField::UnitId => 20,
            FilterField::MarkedYear | FilterField::Province | FilterField::InNotice => 10,
            FilterField::Service => 60,
            // Several states, comma separated, on the command line.
            FilterField::States => 300,
            FilterField::BuildingCode => 64,
            FilterField::Comune | FilterField::Owner | FilterField::Text => MAX_TEXT_CHARS,
        }
    }

    /// The command-line option of the field.
    pub fn option(self) -> &'static str {
        match self {
            FilterField::UnitId => "--id",
            FilterField::BuildingCode => "--fabbricato",
            FilterField::Service => "--destinazione",
            FilterField::Province => "--provincia",
            FilterField::Comune => "--comune",
            FilterField::States => "--stato",
            FilterField::InNotice => "--in-avviso",
            FilterField::Owner => "--owner",
            FilterField::Text => "--testo",
            FilterField::MarkedYear => "--marcati",
        }
    }
}

/// A value refused by a parser; `Display` is the Italian message, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub field: FilterField,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

impl std::error::Error for FilterError {}

fn err(field: FilterField, message: impl Into<String>) -> FilterError {
    FilterError {
        field,
        message: message.into(),
    }
}

/// What was typed in each field of the search form (or given as CLI options), before parsing
/// and resolving names against the database (`store::search::resolve_filter`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterText {
    pub values: Vec<(FilterField, String)>,
}

impl FilterText {
    /// The text of `field` ("" when not given).
    pub fn get(&self, field: FilterField) -> &str {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Refuses, field by field, text longer than the field takes or holding control characters:
    /// the same limits for the form and the command line, checked before any parsing.
    pub fn check(&self) -> Result<(), FilterError> {
        for (field, value) in &self.values {
            let n = value.chars().count();
            if n > field.max_chars() {
                return Err(err(
                    *field,
                    format!(
                        "testo troppo lungo ({} caratteri, al massimo {})",
                        crate::safe_text::thousands(n as u64),
                        field.max_chars()
                    ),
                ));
            }
            if let Err(reason) = crate::safe_text::check_printable(value) {
                return Err(err(*field, format!("il testo {reason}")));
            }
        }
        Ok(())
    }

    /// Sets `field` when `value` is given.
    pub fn set(&mut self, field: FilterField, value: Option<&str>) {
        if let Some(v) = value {
            self.values.retain(|(f, _)| *f != field);
            self.values.push((field, v.to_string()));
        }
    }
}

/// An empty (or blank) field means "any": parsers return `Ok(None)` for it.
fn blank(input: &str) -> bool {
    input.trim().is_empty()
}

/// ID alloggio: a positive whole number.
pub fn parse_unit_id(input: &str) -> Result<Option<i64>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    match input.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(err(
            FilterField::UnitId,
            format!(
                "'{}' non è un ID alloggio (numero intero positivo)",
                input.trim()
            ),
        )),
    }
}

/// Codice fabbricato: any non-blank text without control characters, compared in upper case.
pub fn parse_building_code(input: &str) -> Result<Option<String>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    let code = input.trim();
    if code.chars().any(char::is_control) || code.chars().count() > 64 {
        return Err(err(
            FilterField::BuildingCode,
            "codice fabbricato non valido (al massimo 64 caratteri stampabili)",
        ));
    }
    Ok(Some(code.to_uppercase()))
}

/// Destinazione d'uso: SAP, SAS, ALTRO or the full label.
pub fn parse_service(input: &str) -> Result<Option<ServiceType>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    ServiceType::parse(input)
        .map(Some)
        .map_err(|m| err(FilterField::Service, m))
}

/// Provincia: the two-letter sigla (MI, BG, …). Whether it exists is the store's to say.
pub fn parse_province(input: &str) -> Result<Option<String>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    let s = input.trim();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(Some(s.to_ascii_uppercase()))
    } else {
        Err(err(
            FilterField::Province,
            format!(
                "'{}' non è una sigla di provincia (due lettere, ad es. MI)",
                crate::safe_text::excerpt(s)
            ),
        ))
    }
}

/// What was typed in the Comune field: an ISTAT code or (the start of) a name. The store
/// resolves it (`store::search::resolve_comune`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComuneQuery {
    Istat(String),
    Name(String),
}

pub fn parse_comune(input: &str) -> Result<Option<ComuneQuery>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    let s = input.trim();
    if s.bytes().all(|b| b.is_ascii_digit()) {
        if s.len() == 6 {
            return Ok(Some(ComuneQuery::Istat(s.to_string())));
        }
        return Err(err(
            FilterField::Comune,
            format!(
                "'{}' non è un codice ISTAT (6 cifre, ad es. 015146) né un nome di comune",
                crate::safe_text::excerpt(s)
            ),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(err(FilterField::Comune, "nome del comune non valido"));
    }
    Ok(Some(ComuneQuery::Name(s.to_string())))
}

/// Stato: one or more states separated by commas or semicolons (the labels contain spaces),
/// e.g. `LIBERO,SFITTO PER CARENZE MANUTENTIVE`. Duplicates are dropped; the result is sorted.
pub fn parse_states(input: &str) -> Result<Vec<UnitState>, FilterError> {
    let mut states = Vec::new();
    for part in input.split([',', ';']) {
        if blank(part) {
            continue;
        }
        let state = UnitState::parse(part).map_err(|m| err(FilterField::States, m))?;
        states.push(state);
    }
    states.sort();
    states.dedup();
    Ok(states)
}

/// Alloggi in avviso: SI or NO.
pub fn parse_in_notice(input: &str) -> Result<Option<bool>, FilterError> {
    parse_flag(input).map_err(|_| {
        err(
            FilterField::InNotice,
            format!("'{}' non valido (ammessi SI o NO)", input.trim()),
        )
    })
}

/// A plan year (for the "marcati" filter and for marking).
pub fn parse_year(input: &str) -> Result<Option<i32>, FilterError> {
    if blank(input) {
        return Ok(None);
    }
    match input.trim().parse::<i32>() {
        Ok(y) if YEARS.contains(&y) => Ok(Some(y)),
        _ => Err(err(
            FilterField::MarkedYear,
            format!(
                "'{}' non è un anno valido ({}–{})",
                input.trim(),
                YEARS.start(),
                YEARS.end()
            ),
        )),
    }
}

/// Free text: blanks collapsed; at least three characters, because the index looks up
/// three-character pieces.
pub fn parse_text(input: &str) -> Result<Option<String>, FilterError> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(err(
            FilterField::Text,
            format!("testo troppo lungo: al massimo {MAX_TEXT_CHARS} caratteri"),
        ));
    }
    if text.chars().count() < MIN_TEXT_CHARS {
        return Err(err(
            FilterField::Text,
            format!("'{text}' è troppo corto: scrivere almeno {MIN_TEXT_CHARS} caratteri"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(err(
            FilterField::Text,
            "il testo contiene caratteri non ammessi",
        ));
    }
    Ok(Some(text))
}

impl UnitFilter {
    /// True when nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == UnitFilter::default()
    }

    /// Checks a filter built in code (the parsers already refuse these values), so the store
    /// never runs a query for a value that cannot match by construction.
    pub fn validate(&self) -> Result<(), FilterError> {
        if let Some(id) = self.unit_id
            && id <= 0
        {
            return Err(err(
                FilterField::UnitId,
                "l'ID alloggio deve essere positivo",
            ));
        }
        if let Some(p) = &self.province {
            parse_province(p)?;
        }
        if let Some(i) = &self.istat
            && !(i.len() == 6 && i.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err(
                FilterField::Comune,
                format!("'{i}' non è un codice ISTAT (6 cifre)"),
            ));
        }
        if let Some(t) = &self.text {
            parse_text(t)?;
        }
        if let Some(b) = &self.building_code {
            parse_building_code(b)?;
        }
        if let Some(y) = self.marked_for_year
            && !YEARS.contains(&y)
        {
            return Err(err(
                FilterField::MarkedYear,
                format!(
                    "{y} non è un anno valido ({}–{})",
                    YEARS.start(),
                    YEARS.end()
                ),
            ));
        }
        Ok(())
    }

    /// A one-line Italian description of the filter, for audit records and messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(id) = self.unit_id {
            parts.push(format!("ID alloggio {id}"));
        }
        if let Some(b) = &self.building_code {
            parts.push(format!("fabbricato {b}"));
        }
        if let Some(s) = self.service {
            parts.push(format!("destinazione {}", s.short()));
        }
        if let Some(p) = &self.province {
            parts.push(format!("provincia {p}"));
        }
        if let Some(i) = &self.istat {
            parts.push(format!("comune {i}"));
        }
        if !self.states.is_empty() {
            let labels: Vec<&str> = self.states.iter().map(|s| s.label()).collect();
            parts.push(format!("stato {}", labels.join(" o ")));
        }
        if let Some(n) = self.in_notice {
            parts.push(format!("in avviso {}", if n { "sì" } else { "no" }));
        }
        if let Some(o) = self.owner_id {
            parts.push(format!("ente {o}"));
        }
        if let Some(t) = &self.text {
            parts.push(format!("testo \"{t}\""));
        }
        if let Some(y) = self.marked_for_year {
            parts.push(format!("marcati per il {y}"));
        }
        if parts.is_empty() {
            "tutti gli alloggi".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The column the results are ordered by; ties are broken by ID alloggio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortKey {
    #[default]
    Id,
    /// Comune name, alphabetical.
    Comune,
    /// State, in the order of the state codes (LIBERO, OCCUPATO, SFITTO …).
    State,
    /// Superficie utile (unknown surfaces first).
    Area,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Id, SortKey::Comune, SortKey::State, SortKey::Area];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Id => "ID alloggio",
            SortKey::Comune => "Comune",
            SortKey::State => "Stato",
            SortKey::Area => "Superficie",
        }
    }

    /// The value the CLI's `--sort` takes.
    pub fn option(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Comune => "comune",
            SortKey::State => "stato",
            SortKey::Area => "superficie",
        }
    }

    pub fn parse(input: &str) -> Result<SortKey, String> {
        match fold_label(input).as_str() {
            "ID" | "ID ALLOGGIO" => Ok(SortKey::Id),
            "COMUNE" => Ok(SortKey::Comune),
            "STATO" | "STATE" => Ok(SortKey::State),
            "SUPERFICIE" | "AREA" | "SUPERFICIE UTILE" => Ok(SortKey::Area),
            _ => Err(format!(
                "ordinamento non valido: '{}' (valori ammessi: id, comune, stato, superficie)",
                input.trim()
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn new(key: SortKey, descending: bool) -> Sort {
        Sort { key, descending }
    }
}

/// The owners whose units an operator may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Regione and helpdesk.
    All,
    /// The owners the operator is granted (sorted, without duplicates; may be empty).
    Owners(Vec<i64>),
}

impl Visibility {
    /// Regione and helpdesk see every owner; everyone else the owners of their grants, whatever
    /// the service granted.
    pub fn for_scope(scope: &OperatorScope) -> Visibility {
        if scope.sees_everything() {
            return Visibility::All;
        }
        let mut owners: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
        owners.sort_unstable();
        owners.dedup();
        Visibility::Owners(owners)
    }

    pub fn allows(&self, owner_id: i64) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Owners(o) => o.binary_search(&owner_id).is_ok(),
        }
    }

    /// The owners a search may return: `None` for any owner, otherwise the (possibly empty)
    /// list, from the filter's owner and what the operator may see.
    pub fn owners_for(&self, filter: &UnitFilter) -> Option<Vec<i64>> {
        match (self, filter.owner_id) {
            (Visibility::All, None) => None,
            (Visibility::All, Some(o)) => Some(vec![o]),
            (Visibility::Owners(list), None) => Some(list.clone()),
            (Visibility::Owners(list), Some(o)) => {
                Some(if list.contains(&o) { vec![o] } else { vec![] })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{OperatorStatus, Role, Service};
    use proptest::prelude::*;

    #[test]
    fn states_list_with_spaces_and_commas() {
        assert_eq!(
            parse_states("LIBERO,SFITTO PER CARENZE MANUTENTIVE").unwrap(),
            vec![UnitState::Free, UnitState::VacantMaintenance]
        );
        assert_eq!(
            parse_states(" sfitto per ristrutturazione ; libero ,libero").unwrap(),
            vec![UnitState::Free, UnitState::VacantRenovation]
        );
        assert_eq!(parse_states("").unwrap(), vec![]);
        let e = parse_states("LIBERO,AFFITTATO").unwrap_err();
        assert_eq!(e.field, FilterField::States);
        assert!(
            e.to_string()
                .starts_with("Stato: stato non valido: 'AFFITTATO'"),
            "{e}"
        );
    }

    #[test]
    fn each_parser_names_its_field() {
        assert_eq!(parse_unit_id("abc").unwrap_err().field, FilterField::UnitId);
        assert_eq!(parse_unit_id("-3").unwrap_err().field, FilterField::UnitId);
        assert_eq!(parse_unit_id(" 42 ").unwrap(), Some(42));
        assert_eq!(parse_unit_id("  ").unwrap(), None);
        assert_eq!(
            parse_service("casa").unwrap_err().field,
            FilterField::Service
        );
        assert_eq!(parse_service("sas").unwrap(), Some(ServiceType::Sas));
        assert_eq!(parse_province("mi").unwrap(), Some("MI".into()));
        let e = parse_province("Milano").unwrap_err();
        assert!(e.to_string().contains("sigla di provincia"), "{e}");
        assert_eq!(
            parse_comune("015146").unwrap(),
            Some(ComuneQuery::Istat("015146".into()))
        );
        assert_eq!(
            parse_comune(" Milano ").unwrap(),
            Some(ComuneQuery::Name("Milano".into()))
        );
        assert_eq!(parse_comune("1514").unwrap_err().field, FilterField::Comune);
        assert_eq!(parse_in_notice("sì").unwrap(), Some(true));
        assert_eq!(
            parse_in_notice("forse").unwrap_err().field,
            FilterField::InNotice
        );
        assert_eq!(parse_year("2026").unwrap(), Some(2026));
        assert_eq!(
            parse_year("26x").unwrap_err().field,
            FilterField::MarkedYear
        );
        assert_eq!(
            parse_year("1999").unwrap_err().field,
            FilterField::MarkedYear
        );
        assert_eq!(
            parse_text("  via   roma ").unwrap(),
            Some("via roma".into())
        );
        let e = parse_text("vi").unwrap_err();
        assert_eq!(e.field, FilterField::Text);
        assert!(e.to_string().contains("almeno 3 caratteri"), "{e}");
        assert_eq!(parse_building_code(" f12 ").unwrap(), Some("F12".into()));
    }

    #[test]
    fn sort_keys_parse() {
        for k in SortKey::ALL {
            assert_eq!(SortKey::parse(k.option()), Ok(k));
        }
        assert_eq!(SortKey::parse("Area"), Ok(SortKey::Area));
        assert!(SortKey::parse("prezzo").unwrap_err().contains("superficie"));
    }

    fn scope(role: Role, grants: &[(i64, Service)]) -> OperatorScope {
        OperatorScope {
            username: "u".into(),
            role,
            status: OperatorStatus::Active,
            district_id: None,
            grants: grants.to_vec(),
        }
    }

    #[test]
    fn visibility_follows_role_and_grants() {
        assert_eq!(
            Visibility::for_scope(&scope(Role::Region, &[])),
            Visibility::All
        );
        assert_eq!(
            Visibility::for_scope(&scope(Role::Helpdesk, &[])),
            Visibility::All
        );
        let v = Visibility::for_scope(&scope(
            Role::OwnerOperator,
            &[
                (9, Service::Registry),
                (3, Service::Planning),
                (9, Service::Notices),
            ],
        ));
        assert_eq!(v, Visibility::Owners(vec![3, 9]));
        assert!(v.allows(3) && v.allows(9) && !v.allows(4));
        let capofila = Visibility::for_scope(&scope(Role::LeadMunicipality, &[]));
        assert_eq!(capofila, Visibility::Owners(vec![]));
    }

    #[test]
    fn describe_reads_in_italian() {
        let f = UnitFilter {
            states: vec![UnitState::Free, UnitState::VacantRenovation],
            province: Some("MI".into()),
            ..Default::default()
        };
        assert_eq!(
            f.describe(),
            "provincia MI, stato LIBERO o SFITTO PER RISTRUTTURAZIONE"
        );
        assert_eq!(UnitFilter::default().describe(), "tutti gli alloggi");
    }

    #[test]
    fn validate_refuses_what_parsers_refuse() {
        let bad = [
            UnitFilter {
                istat: Some("15146".into()),
                ..Default::default()
            },
            UnitFilter {
                text: Some("ab".into()),
                ..Default::default()
            },
            UnitFilter {
                unit_id: Some(0),
                ..Default::default()
            },
            UnitFilter {
                marked_for_year: Some(3000),
                ..Default::default()
            },
            UnitFilter {
                province: Some("M1".into()),
                ..Default::default()
            },
        ];
        for f in bad {
            assert!(f.validate().is_err(), "{f:?}");
        }
        assert!(UnitFilter::default().validate().is_ok());
    }

    proptest! {
        /// Whatever is typed, the parsers answer (never panic), and what they accept is valid.
        #[test]
        fn parsers_never_panic_and_accept_only_valid(s in "\\PC{0,40}") {
            let _ = parse_unit_id(&s);
            let _ = parse_service(&s);
            let _ = parse_comune(&s);
            let _ = parse_in_notice(&s);
            let _ = parse_year(&s);
            if let Ok(Some(p)) = parse_province(&s) {
                prop_assert_eq!(p.len(), 2);
            }
            if let Ok(Some(t)) = parse_text(&s) {
                prop_assert!(t.chars().count() >= MIN_TEXT_CHARS);
                prop_assert!(!t.starts_with(' ') && !t.ends_with(' '));
            }
            if let Ok(states) = parse_states(&s) {
                let mut sorted = states.clone();
                sorted.sort();
                sorted.dedup();
                prop_assert_eq!(states, sorted);
            }
        }

        /// A list of states written out and parsed back gives the same set.
        #[test]
        fn states_round_trip(picks in proptest::collection::vec(0usize..8, 0..8)) {
            let states: Vec<UnitState> = picks.iter().map(|i| UnitState::ALL[*i]).collect();
            let text = states.iter().map(|s| s.label()).collect::<Vec<_>>().join(",");
            let mut expected = states.clone();
            expected.sort();
            expected.dedup();
            prop_assert_eq!(parse_states(&text).unwrap(), expected);
        }

        /// The owners a search may return never include one the operator cannot see.
        #[test]
        fn owners_for_stays_within_visibility(
            granted in proptest::collection::vec(1i64..20, 0..5),
            asked in proptest::option::of(1i64..20),
        ) {
            let mut g = granted.clone();
            g.sort_unstable();
            g.dedup();
            let v = Visibility::Owners(g.clone());
            let f = UnitFilter { owner_id: asked, ..Default::default() };
            let owners = v.owners_for(&f).expect("restricted");
            for o in &owners {
                prop_assert!(g.contains(o));
                if let Some(a) = asked { prop_assert_eq!(*o, a); }
            }
            if asked.is_none() { prop_assert_eq!(owners, g); }
        }
    }
}
