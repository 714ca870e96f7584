//! The running quota ledger of one owner in one comune for one calendar year (art. 13 c.3,
//! art. 15 r.r. 4/2017; DOMAIN.md 5): the units available so far, and for each line — the
//! indigent quota, each reserve of the plan, the ranking order — the quota those units imply,
//! how many are used, how many are in progress and how many are still owed.
//!
//! It is never edited: it is recomputed from the availabilities and the assignments. `record`
//! and `settle` update it as a step of the istruttoria would, so that the running ledger can be
//! checked against the one recomputed from scratch (`from_scratch`).

use super::Line;
use crate::domain::communication::{Pct, Shares};
use crate::rules::quotas::{Category, QuotaRules, Rounding};
use serde::Serialize;

/// The shares one owner's plan sets for the year (its transmitted communication), with where
/// they come from. Default: no plan, so only the indigent quota of the law applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanShares {
    /// Letter h: percentage above the law's indigent share, hundredths (Comuni only).
    pub indigent_excess: u64,
    /// The reserves the plan sets (c-bis, d-bis, d), in plan order, hundredths; zero shares
    /// are left out.
    pub reserves: Vec<(Category, u64)>,
    /// Name of the Comune's other category (letter d).
    pub other_name: Option<String>,
    /// Letter g: the units the plan expects to be available in the year (the forecast).
    pub forecast: Option<u64>,
    /// Where the shares come from ("piano 2026 dell'ambito …, comunicazione …"), or why there
    /// are none.
    pub source: String,
}

impl PlanShares {
    /// The shares of a communication's form.
    pub fn from_form(shares: &Shares, forecast: Option<i64>, source: String) -> PlanShares {
        let p = |v: Option<Pct>| u64::from(v.map_or(0, |p| p.0));
        let reserves = [
            (Category::Anziani, shares.elderly),
            (Category::Monogenitori, shares.single_parent),
            (Category::Disabili, shares.disabled),
            (Category::NuoveFamiglie, shares.new_family),
            (Category::ForzePolizia, shares.police),
            (Category::Altra, shares.other),
        ]
        .into_iter()
        .map(|(c, v)| (c, p(v)))
        .filter(|(_, v)| *v > 0)
        .collect();
        PlanShares {
            indigent_excess: p(shares.indigent_excess),
            reserves,
            other_name: shares.other_name.clone(),
            forecast: forecast.map(|f| f.max(0) as u64),
            source,
        }
    }

    /// The same shares with letter h replaced (what-if).
    pub fn with_indigent_excess(&self, h: u64) -> PlanShares {
        PlanShares {
            indigent_excess: h,
            ..self.clone()
        }
    }
}

/// How an assignment counts on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Count {
    /// Proposed or offered: the line is taken while the household decides.
    InProgress,
    /// Accepted or assigned.
    Used,
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineState {
    pub line: Line,
    /// Share, hundredths of a percent; `None` for the ranking order (no quota).
    pub pct: Option<u64>,
    pub rounding: Option<Rounding>,
    /// Units the share gives on the current base.
    pub quota: u64,
    pub used: u64,
    pub in_progress: u64,
}

impl LineState {
    /// Units still owed to this line: quota − used − in progress (never below zero); the
    /// ranking order is never owed anything.
    pub fn owed(&self) -> u64 {
        if self.line == Line::Graduatoria {
            return 0;
        }
        self.quota.saturating_sub(self.used + self.in_progress)
    }

    /// Italian label of the line, naming the Comune's other category when it has a name.
    pub fn label(&self, other_name: Option<&str>) -> String {
        match (self.line, other_name) {
            (Line::Riserva(Category::Altra), Some(n)) if !n.trim().is_empty() => {
                format!("Riserva {}", n.trim())
            }
            (l, _) => l.label().to_string(),
        }
    }
}

/// The ledger of one owner × comune × year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ledger {
    /// Units available in the year so far (assigned, in progress or waiting).
    pub base: u64,
    /// Indigents first, then the reserves in plan order, then the ranking order.
    pub lines: Vec<LineState>,
    pub shares: PlanShares,
}

impl Ledger {
    /// An empty ledger (nothing assigned) on `base` units.
    pub fn new(rules: &QuotaRules, shares: &PlanShares, base: u64) -> Ledger {
        let mut lines = vec![LineState {
            line: Line::Indigenti,
            pct: Some((rules.indigent_pct + shares.indigent_excess).min(10_000)),
            rounding: Some(rules.indigent_rounding),
            quota: 0,
            used: 0,
            in_progress: 0,
        }];
        let known: Vec<Category> = rules.reserve_categories().collect();
        for (c, pct) in &shares.reserves {
            if known.contains(c) && *pct > 0 {
                lines.push(LineState {
                    line: Line::Riserva(*c),
                    pct: Some((*pct).min(10_000)),
                    rounding: Some(rules.reserves_rounding),
                    quota: 0,
                    used: 0,
                    in_progress: 0,
                });
            }
        }
        lines.push(LineState {
            line: Line::Graduatoria,
            pct: None,
            rounding: None,
            quota: 0,
            used: 0,
            in_progress: 0,
        });
        let mut l = Ledger {
            base: 0,
            lines,
            shares: shares.clone(),
        };
        l.set_base(base);
        l
    }

    /// Recomputed from scratch: the base and every assignment that counts (line, how).
    pub fn from_scratch(
        rules: &QuotaRules,
        shares: &PlanShares,
        base: u64,
        assignments: impl IntoIterator<Item = (Line, Count)>,
    ) -> Ledger {
        let mut l = Ledger::new(rules, shares, base);
        for (line, count) in assignments {
            l.record(line, count);
        }
        l
    }

    /// Sets the number of units available and the quotas they imply.
    pub fn set_base(&mut self, base: u64) {
        self.base = base;
        for s in &mut self.lines {
            s.quota = match (s.pct, s.rounding) {
                (Some(p), Some(r)) => r.share(base, p),
                _ => 0,
            };
        }
    }

    /// One more unit became available.
    pub fn add_unit(&mut self) {
        self.set_base(self.base + 1);
    }

    fn line_mut(&mut self, line: Line) -> &mut LineState {
        let i = self
            .lines
            .iter()
            .position(|s| s.line == line)
            .unwrap_or(self.lines.len() - 1);
        &mut self.lines[i]
    }

    /// The state of `line`; a reserve the plan does not set reads as the ranking order.
    pub fn line(&self, line: Line) -> &LineState {
        self.lines
            .iter()
            .find(|s| s.line == line)
            .unwrap_or_else(|| self.lines.last().expect("the ranking line is always there"))
    }

    /// Whether the ledger has `line` (the plan sets that reserve).
    pub fn has(&self, line: Line) -> bool {
        self.lines.iter().any(|s| s.line == line)
    }

    /// An assignment counts on `line` (a reserve the plan does not set counts as ranking).
    pub fn record(&mut self, line: Line, count: Count) {
        let s = self.line_mut(line);
        match count {
            Count::InProgress => s.in_progress += 1,
            Count::Used => s.used += 1,
        }
    }

    /// An assignment in progress on `line` ends: accepted (it becomes used) or not (the line
    /// is free again).
    pub fn settle(&mut self, line: Line, accepted: bool) {
        let s = self.line_mut(line);
        s.in_progress = s.in_progress.saturating_sub(1);
        if accepted {
            s.used += 1;
        }
    }

    /// Units owed to `line`.
    pub fn owed(&self, line: Line) -> u64 {
        self.line(line).owed()
    }

    /// The quota lines still owed something, in ledger order.
    pub fn owed_lines(&self) -> impl Iterator<Item = &LineState> {
        self.lines.iter().filter(|s| s.owed() > 0)
    }

    /// Units assigned or in progress, all lines.
    pub fn taken(&self) -> u64 {
        self.lines.iter().map(|s| s.used + s.in_progress).sum()
    }

    /// What the next unit that becomes available must go to, before the candidates are known:
    /// the first line owed once it is counted.
    pub fn next_unit(&self) -> Line {
        let mut l = self.clone();
        l.add_unit();
        l.owed_lines().next().map_or(Line::Graduatoria, |s| s.line)
    }

    /// Indigent quota of a forecast number of units (the plan's letter g).
    pub fn forecast_quota(&self, line: Line) -> Option<u64> {
        let f = self.shares.forecast?;
        let s = self.line(line);
        match (s.pct, s.rounding) {
            (Some(p), Some(r)) => Some(r.share(f, p)),
            _ => None,
        }
    }

    /// One line in Italian: "Quota indigenti (20%, arrotondata per eccesso): 2 di 5 usate,
    /// 1 in corso, 2 dovute".
    pub fn describe(&self, line: Line) -> String {
        let s = self.line(line);
        let label = s.label(self.shares.other_name.as_deref());
        match (s.pct, s.rounding) {
            (Some(p), Some(r)) => {
                let mut t = format!(
                    "{label} ({}, {}): {} di {} usate",
                    Pct(p as u32),
                    r.label(),
                    s.used,
                    s.quota
                );
                if s.in_progress > 0 {
                    t.push_str(&format!(", {} in corso", s.in_progress));
                }
                match s.owed() {
                    0 => t.push_str(", nessuna dovuta"),
                    1 => t.push_str(", 1 dovuta"),
                    n => t.push_str(&format!(", {n} dovute")),
                }
                t
            }
            _ => {
                let mut t = format!("{label}: {} assegnate", s.used);
                if s.in_progress > 0 {
                    t.push_str(&format!(", {} in corso", s.in_progress));
                }
                t
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::rules::builtin;

    pub(crate) fn quota_rules() -> QuotaRules {
        builtin()
            .unwrap()
            .last()
            .unwrap()
            .ranking()
            .unwrap()
            .quotas
            .clone()
    }

    fn shares(h: u64, reserves: &[(Category, u64)]) -> PlanShares {
        PlanShares {
            indigent_excess: h,
            reserves: reserves.to_vec(),
            ..PlanShares::default()
        }
    }

    #[test]
    fn indigent_quota_vectors_through_the_ledger() {
        let r = quota_rules();
        for (units, quota) in [(1, 1), (5, 1), (7, 2), (10, 2), (11, 3), (21, 5)] {
            let l = Ledger::new(&r, &PlanShares::default(), units);
            assert_eq!(l.line(Line::Indigenti).quota, quota, "{units} units");
        }
    }

    #[test]
    fn reserve_vectors_and_letter_h() {
        let r = quota_rules();
        let s = shares(0, &[(Category::Anziani, 2000), (Category::Disabili, 1000)]);
        assert_eq!(
            Ledger::new(&r, &s, 7)
                .line(Line::Riserva(Category::Anziani))
                .quota,
            1
        );
        assert_eq!(
            Ledger::new(&r, &s, 8)
                .line(Line::Riserva(Category::Anziani))
                .quota,
            2
        );
        assert_eq!(
            Ledger::new(&r, &s, 5)
                .line(Line::Riserva(Category::Disabili))
                .quota,
            1
        );
        // Letter h: 20% + 10% of 7 = 2.1, rounded up: 3.
        let h = shares(1000, &[]);
        assert_eq!(Ledger::new(&r, &h, 7).line(Line::Indigenti).quota, 3);
        assert_eq!(Ledger::new(&r, &h, 7).line(Line::Indigenti).pct, Some(3000));
    }

    #[test]
    fn police_share_is_a_reserve_only_when_the_rules_say_so() {
        let mut r = quota_rules();
        let s = shares(0, &[(Category::ForzePolizia, 1000)]);
        assert!(Ledger::new(&r, &s, 10).has(Line::Riserva(Category::ForzePolizia)));
        r.police_as_reserve = false;
        let l = Ledger::new(&r, &s, 10);
        assert!(!l.has(Line::Riserva(Category::ForzePolizia)));
        assert_eq!(l.owed_lines().count(), 1, "only the indigent line");
    }

    #[test]
    fn the_first_unit_of_the_year_goes_to_an_indigent() {
        let r = quota_rules();
        let mut l = Ledger::new(&r, &PlanShares::default(), 0);
        assert_eq!(l.next_unit(), Line::Indigenti);
        l.add_unit();
        l.record(Line::Indigenti, Count::InProgress);
        assert_eq!(l.owed(Line::Indigenti), 0);
        assert_eq!(l.next_unit(), Line::Graduatoria);
        l.settle(Line::Indigenti, false);
        assert_eq!(l.owed(Line::Indigenti), 1, "a refusal frees the line");
        assert_eq!(
            l.describe(Line::Indigenti),
            "Quota indigenti (20%, arrotondata per eccesso): 0 di 1 usate, 1 dovuta"
        );
    }
}
