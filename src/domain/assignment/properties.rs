//! Property tests of the assignment rules: a whole year simulated — units becoming available
//! one by one, each proposed, accepted or refused — under random plans and random variants of
//! the rule set, with every decision checked against a brute-force reading of art. 13 and 15.

use super::proposal::{decide_all, eligible};
use super::*;
use crate::rules::quotas::{Category, Rounding};
use crate::rules::ranking::RankingRules;
use proptest::prelude::*;
use std::collections::HashSet;

fn base_rules() -> RankingRules {
    crate::rules::builtin()
        .unwrap()
        .last()
        .unwrap()
        .ranking()
        .unwrap()
        .clone()
}

#[derive(Debug, Clone)]
struct Household {
    indigent: bool,
    resident: bool,
    members: u32,
    without_preferences: bool,
    /// Indexes of the units chosen (ignored without preferences).
    chosen: Vec<usize>,
    categories: Vec<Category>,
    accepts: bool,
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Eccesso),
        Just(Rounding::MetaSuperiore),
        Just(Rounding::Difetto)
    ]
}

fn household(units: usize) -> impl Strategy<Value = Household> {
    (
        any::<bool>(),
        any::<bool>(),
        1u32..8,
        prop::bool::weighted(0.4),
        prop::collection::vec(0..units.max(1), 0..3),
        prop::collection::vec(prop::sample::select(Category::ALL.to_vec()), 0..3),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(
                indigent,
                resident,
                members,
                without_preferences,
                chosen,
                mut categories,
                accepts,
            )| {
                categories.sort();
                categories.dedup();
                Household {
                    indigent,
                    resident,
                    members,
                    without_preferences,
                    chosen,
                    categories,
                    accepts,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct Year {
    areas: Vec<Option<f64>>,
    households: Vec<Household>,
    h: u64,
    reserves: Vec<(Category, u64)>,
    indigent_rounding: Rounding,
    reserves_rounding: Rounding,
    indigent_cap: bool,
    residents_first: bool,
    police_as_reserve: bool,
}

fn year() -> impl Strategy<Value = Year> {
    (1usize..25).prop_flat_map(|n| {
        (
            prop::collection::vec(
                prop_oneof![9 => (25u32..140).prop_map(|a| Some(f64::from(a))), 1 => Just(None)],
                n,
            ),
            prop::collection::vec(household(n), 0..40),
            prop_oneof![Just(0u64), 500u64..3000],
            prop::collection::vec(
                (prop::sample::select(Category::ALL.to_vec()), 0u64..2500),
                0..4,
            ),
            (rounding(), rounding()),
            (any::<bool>(), any::<bool>(), any::<bool>()),
        )
            .prop_map(
                |(areas, households, h, mut reserves, (ir, rr), (cap, rf, pol))| {
                    reserves.sort_by_key(|r| r.0);
                    reserves.dedup_by_key(|r| r.0);
                    Year {
                        areas,
                        households,
                        h,
                        reserves,
                        indigent_rounding: ir,
                        reserves_rounding: rr,
                        indigent_cap: cap,
                        residents_first: rf,
                        police_as_reserve: pol,
                    }
                },
            )
    })
}

fn applicant(i: usize, h: &Household, unit: usize) -> Applicant {
    Applicant {
        application_id: i as i64 + 1,
        code: format!("D{:04}", i + 1),
        ranking_id: 1,
        position: i as i64 + 1,
        isbar: 10_000 - i as i64,
        indigent: h.indigent,
        resident: h.resident,
        members: h.members,
        chose: !h.without_preferences && h.chosen.contains(&unit),
        without_preferences: h.without_preferences,
        categories: h.categories.clone(),
    }
}

/// The decision art. 13 and 15 call for, by brute force over every candidate.
fn expected(
    ledger: &Ledger,
    unit: &UnitOnOffer,
    rules: &RankingRules,
    cands: &[Applicant],
) -> Option<(i64, Line)> {
    let q = &rules.quotas;
    let ok: Vec<&Applicant> = cands
        .iter()
        .filter(|a| eligible(a, unit, rules).is_ok())
        .collect();
    if ledger.owed(Line::Indigenti) > 0 {
        let ind: Vec<&&Applicant> = ok.iter().filter(|a| a.indigent).collect();
        let res = ind
            .iter()
            .filter(|a| a.resident || !q.indigent_residents_first)
            .min_by_key(|a| a.position);
        if let Some(a) = res.or_else(|| ind.iter().min_by_key(|a| a.position)) {
            return Some((a.application_id, Line::Indigenti));
        }
    }
    let rest: Vec<&&Applicant> = ok
        .iter()
        .filter(|a| !(a.indigent && q.indigent_cap))
        .collect();
    let owed: Vec<&LineState> = ledger
        .lines
        .iter()
        .filter(|s| matches!(s.line, Line::Riserva(_)) && s.owed() > 0)
        .collect();
    let meets = |a: &Applicant| {
        owed.iter()
            .filter(|s| matches!(s.line, Line::Riserva(c) if a.categories.contains(&c)))
            .copied()
            .collect::<Vec<_>>()
    };
    if let Some(a) = rest
        .iter()
        .filter(|a| !meets(a).is_empty())
        .min_by_key(|a| a.position)
    {
        let m = meets(a);
        let most = m.iter().map(|s| s.owed()).max().unwrap_or(0);
        let line = m.iter().find(|s| s.owed() == most).map(|s| s.line).unwrap();
        return Some((a.application_id, line));
    }
    rest.iter()
        .min_by_key(|a| a.position)
        .map(|a| (a.application_id, Line::Graduatoria))
}

fn check_quotas(l: &Ledger) -> Result<(), TestCaseError> {
    for s in &l.lines {
        if let (Some(p), Some(r)) = (s.pct, s.rounding) {
            prop_assert_eq!(s.quota, r.share(l.base, p), "rounding per the rule set");
            prop_assert!(
                s.used + s.in_progress <= s.quota,
                "{:?} past its quota: {} + {} > {}",
                s.line,
                s.used,
                s.in_progress,
                s.quota
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_year_of_assignments_follows_art_13_and_15(y in year()) {
        let mut rules = base_rules();
        rules.quotas.indigent_rounding = y.indigent_rounding;
        rules.quotas.reserves_rounding = y.reserves_rounding;
        rules.quotas.indigent_cap = y.indigent_cap;
        rules.quotas.indigent_residents_first = y.residents_first;
        rules.quotas.police_as_reserve = y.police_as_reserve;
        let shares = PlanShares {
            indigent_excess: y.h,
            reserves: y.reserves.clone(),
            ..PlanShares::default()
        };
        let mut ledger = Ledger::new(&rules.quotas, &shares, 0);
        let mut history: Vec<(Line, Count)> = Vec::new();
        let mut gone: HashSet<usize> = HashSet::new();
        for (u, area) in y.areas.iter().enumerate() {
            ledger.add_unit();
            check_quotas(&ledger)?;
            let unit = UnitOnOffer {
                unit_id: 1000 + u as i64,
                owner_id: 1,
                istat: "015146".into(),
                comune: "Milano".into(),
                area_m2: *area,
            };
            loop {
                let cands: Vec<Applicant> = y
                    .households
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !gone.contains(i))
                    .map(|(i, h)| applicant(i, h, u))
                    .collect();
                let want = expected(&ledger, &unit, &rules, &cands);
                let d = decide_all(&ledger, &unit, &rules, &cands);
                let got = d.proposal().map(|p| (p.applicant.application_id, p.line));
                prop_assert_eq!(got, want, "decision for unit {}: {:?}", u, d.explanation());
                let Some(p) = d.proposal() else { break };
                // Never past a quota: a quota line is chosen only while it is owed.
                if p.line != Line::Graduatoria {
                    prop_assert!(ledger.owed(p.line) > 0);
                }
                prop_assert!(!p.explanation.is_empty());
                ledger.record(p.line, Count::InProgress);
                check_quotas(&ledger)?;
                let i = (p.applicant.application_id - 1) as usize;
                gone.insert(i);
                let accepts = y.households[i].accepts;
                ledger.settle(p.line, accepts);
                check_quotas(&ledger)?;
                if accepts {
                    history.push((p.line, Count::Used));
                    break;
                }
            }
            // Recomputation from scratch equals the running ledger.
            let scratch = Ledger::from_scratch(&rules.quotas, &shares, ledger.base, history.clone());
            prop_assert_eq!(&scratch, &ledger);
            let mut reversed = history.clone();
            reversed.reverse();
            prop_assert_eq!(
                Ledger::from_scratch(&rules.quotas, &shares, ledger.base, reversed),
                scratch
            );
        }
    }

    #[test]
    fn replaying_under_the_same_rules_changes_nobody(y in year()) {
        let rules = base_rules();
        let shares = PlanShares {
            indigent_excess: y.h,
            reserves: y.reserves.clone(),
            ..PlanShares::default()
        };
        let mut ledger = Ledger::new(&rules.quotas, &shares, 0);
        let mut given = Vec::new();
        let mut taken = HashSet::new();
        let mut pool = replay::Pool::default();
        pool.rankings.insert(
            1,
            y.households
                .iter()
                .enumerate()
                .map(|(i, h)| Applicant { chose: false, ..applicant(i, h, 0) })
                .collect(),
        );
        for (i, h) in y.households.iter().enumerate() {
            for u in &h.chosen {
                if !h.without_preferences {
                    pool.choices.insert((i as i64 + 1, 1000 + *u as i64));
                }
            }
        }
        for (u, area) in y.areas.iter().enumerate() {
            ledger.add_unit();
            let unit = UnitOnOffer {
                unit_id: 1000 + u as i64,
                owner_id: 1,
                istat: "015146".into(),
                comune: "Milano".into(),
                area_m2: *area,
            };
            let cands: Vec<Applicant> = y
                .households
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken.contains(i))
                .map(|(i, h)| applicant(i, h, u))
                .collect();
            if let Decision::Propose(p) = decide_all(&ledger, &unit, &rules, &cands) {
                taken.insert((p.applicant.application_id - 1) as usize);
                ledger.record(p.line, Count::Used);
                given.push(replay::Given {
                    unit,
                    ranking_id: 1,
                    base_at: ledger.base,
                    code: p.applicant.code.clone(),
                    line: p.line,
                });
            }
        }
        let r = replay::replay(&given, &pool, &rules, &shares, ledger.base, ledger.clone());
        prop_assert_eq!(r.changed(), 0, "{:?}", r.rows);
        prop_assert_eq!(&r.replay, &ledger);
    }
}

#[test]
fn a_higher_letter_h_gives_more_units_to_indigents_in_the_replay() {
    let rules = base_rules();
    let plain = PlanShares::default();
    // Ten units of 50 m²; households ranked 1..=20, the odd ones indigent, all without
    // preferences and of two members.
    let hs: Vec<Household> = (0..20)
        .map(|i| Household {
            indigent: i % 2 == 1,
            resident: true,
            members: 2,
            without_preferences: true,
            chosen: vec![],
            categories: vec![],
            accepts: true,
        })
        .collect();
    let unit = |u: usize| UnitOnOffer {
        unit_id: 1000 + u as i64,
        owner_id: 1,
        istat: "015146".into(),
        comune: "Milano".into(),
        area_m2: Some(50.0),
    };
    let mut ledger = Ledger::new(&rules.quotas, &plain, 0);
    let mut given = Vec::new();
    let mut taken = HashSet::new();
    for u in 0..10 {
        ledger.add_unit();
        let cands: Vec<Applicant> = hs
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken.contains(i))
            .map(|(i, h)| applicant(i, h, u))
            .collect();
        let p = decide_all(&ledger, &unit(u), &rules, &cands)
            .proposal()
            .cloned()
            .unwrap();
        taken.insert((p.applicant.application_id - 1) as usize);
        ledger.record(p.line, Count::Used);
        given.push(replay::Given {
            unit: unit(u),
            ranking_id: 1,
            base_at: ledger.base,
            code: p.applicant.code,
            line: p.line,
        });
    }
    // 20% of 10, rounded up: 2 indigents.
    assert_eq!(ledger.line(Line::Indigenti).used, 2);
    let mut pool = replay::Pool::default();
    pool.rankings.insert(
        1,
        hs.iter()
            .enumerate()
            .map(|(i, h)| applicant(i, h, 0))
            .collect(),
    );
    let r = replay::replay(
        &given,
        &pool,
        &rules,
        &plain.with_indigent_excess(2000),
        10,
        ledger.clone(),
    );
    // 40% of 10: 4 indigents; the units that change are named.
    assert_eq!(r.replay.line(Line::Indigenti).used, 4);
    assert!(r.changed() >= 2, "{:?}", r.rows);
    assert_eq!(r.actual, ledger);
}

#[test]
fn the_explanation_names_the_quota_and_the_resident() {
    let rules = base_rules();
    let mut ledger = Ledger::new(&rules.quotas, &PlanShares::default(), 25);
    for _ in 0..2 {
        ledger.record(Line::Indigenti, Count::Used);
    }
    let h = |indigent, resident| Household {
        indigent,
        resident,
        members: 3,
        without_preferences: true,
        chosen: vec![],
        categories: vec![],
        accepts: true,
    };
    let cands: Vec<Applicant> = [h(false, true), h(true, false), h(true, true)]
        .iter()
        .enumerate()
        .map(|(i, x)| applicant(i, x, 0))
        .collect();
    let unit = UnitOnOffer {
        unit_id: 7,
        owner_id: 1,
        istat: "015146".into(),
        comune: "Milano".into(),
        area_m2: Some(60.0),
    };
    let d = decide_all(&ledger, &unit, &rules, &cands);
    let p = d.proposal().unwrap();
    assert_eq!(
        (p.applicant.code.as_str(), p.line),
        ("D0003", Line::Indigenti)
    );
    assert!(
        p.explanation.iter().any(
            |l| l == "quota indigenti: 2 di 5 usate; questa unità va a un indigente residente."
        ),
        "{:?}",
        p.explanation
    );
}
