//! Ricerca occupazioni: the filters of the search (owner, comune, occupation type, open or
//! closed, period, codice fiscale, text) and who sees which occupations.

use crate::domain::access::{OperatorScope, Role, Service};
use chrono::NaiveDate;
use serde::Serialize;

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// In corso.
    Open,
    /// Cessata.
    Closed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "IN CORSO",
            Status::Closed => "CESSATA",
        }
    }

    pub fn parse(s: &str) -> Result<Status, String> {
        match crate::domain::registry::fold_label(s).as_str() {
            "IN CORSO" | "APERTA" | "APERTE" | "APERTO" | "CORSO" => Ok(Status::Open),
            "CESSATA" | "CESSATE" | "CHIUSA" | "CHIUSE" | "CHIUSO" => Ok(Status::Closed),
            _ => Err(format!(
                "stato dell'occupazione '{}': IN CORSO o CESSATA",
                s.trim()
            )),
        }
    }
}

/// The search's filters, parsed. Every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OccupationFilter {
    pub owner_id: Option<i64>,
    /// ISTAT code of the unit's comune.
    pub istat: Option<String>,
    /// idTipoOccupazione.
    pub kind: Option<i64>,
    pub status: Option<Status>,
    /// Occupations under way at some time between the two days (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The occupant's or a household member's codice fiscale.
    pub tax_code: Option<String>,
    /// Codes, address or (unless masked) the occupant's name: three characters at least.
    pub text: Option<String>,
}

impl OccupationFilter {
    pub fn is_empty(&self) -> bool {
        *self == OccupationFilter::default()
    }
}

/// Which occupations an operator sees: the Regione and the helpdesk every one; an operator
/// with the OCCUPANTI service those of its owners and, for a Comune, those on its territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Visibility {
    All,
    Scoped {
        owners: Vec<i64>,
        /// ISTAT codes of the Comuni whose territory the operator sees.
        comuni: Vec<String>,
    },
}

impl Visibility {
    /// The visibility of `scope`; `comune_of` gives the ISTAT code of an owner that is a
    /// Comune.
    pub fn for_scope(scope: &OperatorScope, comune_of: impl Fn(i64) -> Option<String>) -> Self {
        if matches!(scope.role, Role::Region | Role::Helpdesk) {
            return Visibility::All;
        }
        let owners: Vec<i64> = scope
            .grants
            .iter()
            .filter(|(_, s)| *s == Service::Occupations)
            .map(|(o, _)| *o)
            .collect();
        let comuni = owners.iter().filter_map(|o| comune_of(*o)).collect();
        Visibility::Scoped { owners, comuni }
    }

    /// Whether the operator may open the register at all.
    pub fn sees_any(&self) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Scoped { owners, .. } => !owners.is_empty(),
        }
    }

    /// Whether an occupation of `owner_id` in comune `istat` is visible.
    pub fn sees(&self, owner_id: i64, istat: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Scoped { owners, comuni } => {
                owners.contains(&owner_id) || comuni.iter().any(|c| c == istat)
            }
        }
    }

    /// Whether every occupation of `owner_id` is visible (the feed of an owner).
    pub fn sees_owner(&self, owner_id: i64) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Scoped { owners, .. } => owners.contains(&owner_id),
        }
    }
}

/// A field of the search form (and its command-line option), for messages and the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Field {
    Owner,
    Comune,
    Kind,
    Status,
    From,
    To,
    TaxCode,
    Text,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Owner,
        Field::Comune,
        Field::Kind,
        Field::Status,
        Field::From,
        Field::To,
        Field::TaxCode,
        Field::Text,
    ];

    /// The form's label.
    pub fn label(self) -> &'static str {
        match self {
            Field::Owner => "Ente",
            Field::Comune => "Comune",
            Field::Kind => "Tipo",
            Field::Status => "Stato",
            Field::From => "Dal",
            Field::To => "Al",
            Field::TaxCode => "Cod. fiscale",
            Field::Text => "Testo",
        }
    }

    /// The command line's option.
    pub fn option(self) -> &'static str {
        match self {
            Field::Owner => "--owner",
            Field::Comune => "--comune",
            Field::Kind => "--tipo",
            Field::Status => "--stato",
            Field::From => "--dal",
            Field::To => "--al",
            Field::TaxCode => "--cf",
            Field::Text => "--testo",
        }
    }
}

/// A filter field that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

impl std::error::Error for FieldError {}

/// What was typed in each field (form or options), before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FilterText {
    values: Vec<(Field, String)>,
}

impl FilterText {
    pub fn get(&self, f: Field) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == f)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, f: Field, v: Option<&str>) {
        self.values.retain(|(k, _)| *k != f);
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            self.values.push((f, v.to_string()));
        }
    }
}

/// A day typed as GG/MM/AAAA or AAAA-MM-GG.
pub fn parse_day(input: &str) -> Result<NaiveDate, String> {
    let s = input.trim();
    for f in ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Ok(d);
        }
    }
    Err(format!("data non valida: '{s}' (usare GG/MM/AAAA)"))
}

/// The parts of `text` that need no database: type (code or label), state, period, codice
/// fiscale and free text. Owner and comune are resolved by the store.
pub fn parse_local(
    text: &FilterText,
    codes: &super::codes::CodeLists,
) -> Result<OccupationFilter, FieldError> {
    let err = |field: Field, message: String| FieldError { field, message };
    let opt = |f: Field| Some(text.get(f).trim()).filter(|s| !s.is_empty());
    let kind = opt(Field::Kind)
        .map(|k| codes.parse(super::codes::CodeList::OccupationType, k))
        .transpose()
        .map_err(|m| err(Field::Kind, m))?;
    let status = opt(Field::Status)
        .map(Status::parse)
        .transpose()
        .map_err(|m| err(Field::Status, m))?;
    let from = opt(Field::From)
        .map(parse_day)
        .transpose()
        .map_err(|m| err(Field::From, m))?;
    let to = opt(Field::To)
        .map(parse_day)
        .transpose()
        .map_err(|m| err(Field::To, m))?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(err(
            Field::To,
            format!(
                "il periodo finisce il {} prima di iniziare il {}",
                t.format("%d/%m/%Y"),
                f.format("%d/%m/%Y")
            ),
        ));
    }
    let tax_code = match opt(Field::TaxCode) {
        Some(cf) => {
            let cf = crate::domain::codice_fiscale::normalize(cf);
            crate::domain::codice_fiscale::validate(&cf)
                .map_err(|e| err(Field::TaxCode, e.to_string()))?;
            Some(cf)
        }
        None => None,
    };
    let text = match opt(Field::Text) {
        Some(t) => {
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if t.chars().count() < 3 {
                return Err(err(
                    Field::Text,
                    format!("'{t}' è troppo corto: scrivere almeno 3 caratteri"),
                ));
            }
            if t.chars().any(char::is_control) {
                return Err(err(
                    Field::Text,
                    "il testo contiene caratteri non ammessi".into(),
                ));
            }
            Some(t)
        }
        None => None,
    };
    Ok(OccupationFilter {
        owner_id: None,
        istat: None,
        kind,
        status,
        from,
        to,
        tax_code,
        text,
    })
}
