//! Rankings of a notice: computed by the domain from the stored applications and the notice's
//! rule set, stored one per owner per comune with every sub-score. The reads (lists, pages by
//! position, exclusions, deadlines, explanations) are apart from the use cases that change
//! rankings: computing them, making them final, correcting one application.

mod compute;
mod context;
mod correct;
mod explain;
mod finalize;
mod reads;
mod what_if;

pub use compute::Summary;
pub use context::Context;
pub use correct::{Corrected, Correction};
pub use explain::{ComuneScore, Explanation, explain};
pub use reads::{
    EntryRow, ExcludedRow, Placement, RankingInfo, all_entries, deadlines, excluded,
    find_in_notice, info, list, page, position_of, rankings_of,
};
pub use what_if::{Comparison, compare};

use crate::rules::RuleSet;

/// The one line that says a result used unverified values, naming them; `None` if none.
pub fn unverified_line(set: &RuleSet) -> Option<String> {
    let r = set.ranking.as_ref()?;
    let mut conds = Vec::new();
    let mut members = Vec::new();
    let mut others = Vec::new();
    for u in &r.unverified {
        match u.name.strip_prefix("isbar.conditions.") {
            Some(code) => match code.strip_suffix(".membership") {
                Some(code) => members.push(code.to_string()),
                None => conds.push(code.to_string()),
            },
            None => others.push(u.name.clone()),
        }
    }
    if conds.is_empty() && members.is_empty() && others.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !conds.is_empty() {
        parts.push(format!("punti di {}", conds.join(", ")));
    }
    if !members.is_empty() {
        parts.push(format!("appartenenza a {}", members.join(", ")));
    }
    parts.extend(others);
    Some(format!(
        "Calcolata con valori non verificati ({}): {}",
        set.cite,
        parts.join("; ")
    ))
}
