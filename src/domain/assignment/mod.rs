//! Assignment (assegnazione, DOMAIN.md 5; art. 13–15 r.r. 4/2017): the running quota ledger of
//! each owner × comune × year, the proposal of a household for an available unit, the steps of
//! the istruttoria, and the replay of a year under other rules. Pure: no SQL, no terminal.

pub mod istruttoria;
pub mod ledger;
pub mod proposal;
pub mod replay;

pub use istruttoria::{Stage, Step};
pub use ledger::{Count, Ledger, LineState, PlanShares};
pub use proposal::{Applicant, Decision, Proposal, UnitOnOffer};

use crate::rules::quotas::Category;
use serde::Serialize;
use std::fmt;

/// What an assignment counts against (written as its stored code: INDIGENTI, ANZIANI, …,
/// GRADUATORIA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    /// The indigent quota (art. 13 c.3).
    Indigenti,
    /// A reserve of the plan (c-bis, d-bis, d).
    Riserva(Category),
    /// The ranking order.
    Graduatoria,
}

impl Line {
    /// Stored code.
    pub fn db(self) -> &'static str {
        match self {
            Line::Indigenti => "INDIGENTI",
            Line::Riserva(c) => c.db(),
            Line::Graduatoria => "GRADUATORIA",
        }
    }

    pub fn from_db(s: &str) -> Option<Line> {
        match s {
            "INDIGENTI" => Some(Line::Indigenti),
            "GRADUATORIA" => Some(Line::Graduatoria),
            other => Category::from_db(other).map(Line::Riserva),
        }
    }

    /// Italian label.
    pub fn label(self) -> &'static str {
        match self {
            Line::Indigenti => "Quota indigenti",
            Line::Riserva(Category::Anziani) => "Riserva anziani",
            Line::Riserva(Category::Monogenitori) => "Riserva famiglie monoparentali",
            Line::Riserva(Category::Disabili) => "Riserva disabili",
            Line::Riserva(Category::NuoveFamiglie) => "Riserva famiglie di nuova formazione",
            Line::Riserva(Category::ForzePolizia) => "Riserva Forze di Polizia",
            Line::Riserva(Category::Altra) => "Riserva altra categoria",
            Line::Graduatoria => "Ordine di graduatoria",
        }
    }

    /// Short label for narrow tables.
    pub fn short(self) -> &'static str {
        match self {
            Line::Indigenti => "indigenti",
            Line::Riserva(Category::Anziani) => "anziani",
            Line::Riserva(Category::Monogenitori) => "monogenit.",
            Line::Riserva(Category::Disabili) => "disabili",
            Line::Riserva(Category::NuoveFamiglie) => "nuove fam.",
            Line::Riserva(Category::ForzePolizia) => "polizia",
            Line::Riserva(Category::Altra) => "altra cat.",
            Line::Graduatoria => "graduatoria",
        }
    }
}

impl Serialize for Line {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.db())
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The reserves an application belongs to: a category's code scored in its ranking (an ISBAR
/// condition, `scored`, comma-separated as stored) or, for a declaration of the rule set, was
/// declared (`declared`, semicolon-separated as stored).
pub fn categories_of(
    rules: &crate::rules::quotas::QuotaRules,
    scored: &str,
    declared: &str,
) -> Vec<Category> {
    let scored: Vec<&str> = scored.split(',').map(str::trim).collect();
    let declared: Vec<&str> = declared.split([';', ',']).map(str::trim).collect();
    rules
        .reserve_categories()
        .filter(|c| {
            rules.codes_of(*c).iter().any(|code| {
                scored.contains(&code.as_str())
                    || (rules.is_declaration(code) && declared.contains(&code.as_str()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_through_their_codes() {
        let mut all = vec![Line::Indigenti, Line::Graduatoria];
        all.extend(Category::ALL.into_iter().map(Line::Riserva));
        for l in all {
            assert_eq!(Line::from_db(l.db()), Some(l));
        }
        assert_eq!(Line::from_db("ALTRO"), None);
    }

    #[test]
    fn categories_come_from_scored_conditions_and_declarations_only() {
        let r = ledger::tests::quota_rules();
        assert_eq!(
            categories_of(&r, "ANZIANI,DISABILE_100", ""),
            vec![Category::Anziani, Category::Disabili]
        );
        // A declared scoring condition that did not score does not count; a declaration does.
        assert_eq!(
            categories_of(&r, "", "MONOGENITORE;FORZE_POLIZIA"),
            vec![Category::ForzePolizia]
        );
        assert!(categories_of(&r, "", "").is_empty());
    }
}

#[cfg(test)]
mod properties;
