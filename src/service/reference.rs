//! Reference data every active operator reads: districts and their capofila, the bodies that
//! own or manage units, the rule sets; looking them up by code or name. Loading a rule set is
//! the Regione's.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::registry::OwnerKind;
use crate::rules::{self, RuleSet};
use crate::store::owners::{self, DistrictRef, OwnerRef};
use crate::store::rule_sets::{self, Loaded, Stored};
use anyhow::{Result, anyhow};

/// A rule set's text: stored, or shipped with casa and not stored yet.
#[derive(Debug, Clone)]
pub struct RuleSetText {
    pub label: String,
    pub name: String,
    pub text: String,
}

impl Service {
    /// Districts with their capofila and number of comuni.
    pub fn districts(&self) -> Result<Vec<DistrictRef>> {
        self.session.check(Action::ReadReference)?;
        owners::districts(self.store.conn())
    }

    /// Bodies (of one kind, if given) with kind, codice fiscale and ISTAT code.
    pub fn owners(&self, kind: Option<OwnerKind>) -> Result<Vec<OwnerRef>> {
        self.session.check(Action::ReadReference)?;
        Ok(owners::all_owners(self.store.conn())?
            .into_iter()
            .filter(|o| kind.is_none_or(|k| o.kind == k))
            .collect())
    }

    /// A district by code or name (refused with the option's name as what the user gave).
    pub fn find_district(&self, option: &str, query: &str) -> Result<DistrictRef> {
        owners::find_district(self.store.conn(), query)
            .map_err(|e| anyhow!(InvalidInput(format!("{option}: {e}"))))
    }

    /// An owner by codice fiscale, ISTAT code, ALER code or name.
    pub fn find_owner(&self, option: &str, query: &str) -> Result<OwnerRef> {
        owners::find_owner(self.store.conn(), query)
            .map_err(|e| anyhow!(InvalidInput(format!("{option}: {e}"))))
    }

    /// The stored rule sets with their parameters, by effective date.
    pub fn stored_rule_sets(&self) -> Result<Vec<(Stored, RuleSet)>> {
        self.session.check(Action::ReadReference)?;
        let conn = self.store.conn();
        let mut out = Vec::new();
        for s in rule_sets::list(conn)? {
            out.push(rule_sets::load_parsed(conn, s.id)?);
        }
        Ok(out)
    }

    /// The text of rule set `what` (id, citation, citation and version): stored, else shipped.
    pub fn rule_set_text(&self, what: &str) -> Result<RuleSetText> {
        self.session.check(Action::ReadReference)?;
        let conn = self.store.conn();
        match rule_sets::find(conn, what) {
            Ok(s) => Ok(RuleSetText {
                label: s.label(),
                text: rule_sets::text(conn, s.id)?,
                name: s.name,
            }),
            Err(e) => match rules::builtin()
                .map_err(|e| anyhow!(e.0))?
                .iter()
                .find(|s| s.cite == what.trim())
            {
                Some(s) => Ok(RuleSetText {
                    label: s.cite.clone(),
                    name: s.name.clone(),
                    text: s.text.clone(),
                }),
                None => Err(e),
            },
        }
    }

    /// Checks a rule-set file and stores it (the Regione); a stored rule set never changes.
    pub fn load_rule_set(&mut self, file_name: &str, text: &str) -> Result<Loaded> {
        self.session.check_write(Action::ConfigureRegion)?;
        let actor = self.session.username().to_string();
        self.writable()?.load_rule_set(&actor, file_name, text)
    }
}
