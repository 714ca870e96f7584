//! What-if: a notice's rankings recomputed under another rule set (stored, or a file not
//! loaded) against the stored ones. Nothing is written.

use crate::domain::access::Action;
use crate::rules::{self, RuleSet};
use crate::service::{InvalidInput, Service};
use crate::store::rankings::{self, Comparison};
use crate::store::rule_sets::{self, Stored};
use anyhow::{Result, anyhow};

/// The outcome of a comparison: the other rule set, its unverified values, the rankings the
/// operator reads with who moves.
#[derive(Debug, Clone)]
pub struct WhatIf {
    pub label: String,
    pub unverified: Option<String>,
    pub comparisons: Vec<Comparison>,
}

impl Service {
    /// The stored rule set `what` (id, citation, or citation and version) with its parameters.
    pub fn rule_set(&self, what: &str) -> Result<(Stored, RuleSet)> {
        self.session.check(Action::ReadReference)?;
        let conn = self.store.conn();
        let s = rule_sets::find(conn, what)?;
        rule_sets::load_parsed(conn, s.id)
    }

    /// A rule-set file not loaded, checked, as a comparison's other rule set.
    pub fn rule_set_file(&self, name: &str, text: &str) -> Result<(Stored, RuleSet)> {
        let set = rules::parse(name, text).map_err(|e| anyhow!(InvalidInput(e.0)))?;
        let s = Stored {
            id: 0,
            cite: set.cite.clone(),
            version: 0,
            name: set.name.clone(),
            effective_from: set.effective_from.to_string(),
            file_name: name.to_string(),
            builtin: false,
            loaded_at: String::new(),
            loaded_by: String::new(),
        };
        Ok((s, set))
    }

    /// The stored rule sets a notice's rankings can be compared with: those with the ranking
    /// parameters, other than the notice's own.
    pub fn comparable_rule_sets(&self, notice_id: i64) -> Result<Vec<Stored>> {
        let notice = self.readable_notice(notice_id)?;
        let conn = self.store.conn();
        let mut out = Vec::new();
        for s in rule_sets::list(conn)? {
            if s.id == notice.rule_set_id {
                continue;
            }
            if let Ok((_, set)) = rule_sets::load_parsed(conn, s.id)
                && set.ranking().is_ok()
            {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The notice's rankings the operator reads, recomputed under `other`.
    pub fn what_if(&self, notice_id: i64, other: (Stored, RuleSet)) -> Result<WhatIf> {
        let notice = self.readable_notice(notice_id)?;
        let unverified = rankings::unverified_line(&other.1);
        let (label, mut comparisons) = rankings::compare(self.store.conn(), notice_id, other)?;
        let scope = self.session.scope();
        comparisons.retain(|c| scope.may_read_ranking(notice.district_id, c.owner_id));
        Ok(WhatIf {
            label,
            unverified,
            comparisons,
        })
    }

    /// `what_if` with a stored rule set by id (the interface's choice).
    pub fn what_if_stored(&self, notice_id: i64, rule_set_id: i64) -> Result<WhatIf> {
        let other = rule_sets::load_parsed(self.store.conn(), rule_set_id)?;
        self.what_if(notice_id, other)
    }
}
