//! What-if: a year's assignments of one owner in one comune replayed under another rule set
//! or another plan letter h. Each unit that was given is decided again, in the order it was
//! proposed, on the base the ledger had then, from the same rankings; households that refused,
//! did not answer or were cancelled in reality are left out again, every other one proposed is
//! assumed to accept. The result names the units whose household or line would change.
//! Nothing is saved.

use super::{Applicant, Count, Decision, Ledger, Line, PlanShares, UnitOnOffer, proposal};
use crate::rules::ranking::RankingRules;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One unit that was given, as it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Given {
    pub unit: UnitOnOffer,
    pub ranking_id: i64,
    /// The ledger's base when it was proposed.
    pub base_at: u64,
    pub code: String,
    pub line: Line,
}

/// The candidates of each ranking, in ranking order, with `chose` false; `choices` holds the
/// (application, unit) pairs of kept preferences.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    pub rankings: HashMap<i64, Vec<Applicant>>,
    pub choices: HashSet<(i64, i64)>,
    /// Removed in reality (refusal, no answer, a missing requirement): never proposed.
    pub removed: HashSet<i64>,
}

/// One unit in both worlds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayRow {
    pub unit_id: i64,
    pub actual_code: String,
    pub actual_line: Line,
    /// `None`: nobody could be proposed under the other rules.
    pub replay_code: Option<String>,
    pub replay_line: Option<Line>,
}

impl ReplayRow {
    pub fn differs(&self) -> bool {
        self.replay_code.as_deref() != Some(self.actual_code.as_str())
            || self.replay_line != Some(self.actual_line)
    }
}

/// The replay of a ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    pub rows: Vec<ReplayRow>,
    pub actual: Ledger,
    pub replay: Ledger,
}

impl Replay {
    pub fn changed(&self) -> usize {
        self.rows.iter().filter(|r| r.differs()).count()
    }
}

/// Replays `given` (in proposal order) under `rules` and `shares`; `actual` is the ledger as
/// it stands, `base` the units available in the year.
pub fn replay(
    given: &[Given],
    pool: &Pool,
    rules: &RankingRules,
    shares: &PlanShares,
    base: u64,
    actual: Ledger,
) -> Replay {
    let mut ledger = Ledger::new(&rules.quotas, shares, 0);
    let mut taken: HashSet<i64> = HashSet::new();
    let mut rows = Vec::with_capacity(given.len());
    let empty = Vec::new();
    for g in given {
        ledger.set_base(g.base_at.max(ledger.base));
        let candidates: Vec<Applicant> = pool
            .rankings
            .get(&g.ranking_id)
            .unwrap_or(&empty)
            .iter()
            .filter(|a| {
                !taken.contains(&a.application_id) && !pool.removed.contains(&a.application_id)
            })
            .map(|a| {
                let mut a = a.clone();
                a.chose = pool.choices.contains(&(a.application_id, g.unit.unit_id));
                a
            })
            .collect();
        let d = proposal::decide_all(&ledger, &g.unit, rules, &candidates);
        let (code, line) = match d {
            Decision::Propose(p) => {
                taken.insert(p.applicant.application_id);
                ledger.record(p.line, Count::Used);
                (Some(p.applicant.code), Some(p.line))
            }
            Decision::Nobody(_) => (None, None),
        };
        rows.push(ReplayRow {
            unit_id: g.unit.unit_id,
            actual_code: g.code.clone(),
            actual_line: g.line,
            replay_code: code,
            replay_line: line,
        });
    }
    ledger.set_base(base.max(ledger.base));
    Replay {
        rows,
        actual,
        replay: ledger,
    }
}
