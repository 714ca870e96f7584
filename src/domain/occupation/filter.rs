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
