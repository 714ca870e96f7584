//! Every rule-set parameter moves the result the way the law says: each test changes one
//! parameter of R.R. 2/2025 and compares the rankings of the same 3,000 generated applications
//! before and after.

use casa::demo::applications::{ComuneRef2, OfferedRef, generate};
use casa::domain::application::{Application, OfferedUnit};
use casa::domain::ranking::{Computed, NoticeContext, compute_all};
use casa::rules::ranking::{Group, RankingRules};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

struct Fixture {
    apps: Vec<(i64, Application)>,
    offered: HashMap<i64, OfferedUnit>,
    population: HashMap<String, u32>,
    rules: RankingRules,
    opens: NaiveDate,
}

fn fixture() -> Fixture {
    let comuni: Vec<ComuneRef2> = [
        ("015146", 1_300_000),
        ("015077", 30_000),
        ("015182", 12_000),
        ("015999", 3_000),
    ]
    .iter()
    .map(|(i, p)| ComuneRef2 {
        istat: i.to_string(),
        population: *p,
    })
    .collect();
    let mut offered_refs = Vec::new();
    let mut offered = HashMap::new();
    for id in 1..=60i64 {
        let istat = comuni[(id % 4) as usize].istat.clone();
        let area = 30.0 + (id * 7 % 90) as f64;
        offered_refs.push(OfferedRef {
            unit_id: id,
            istat: istat.clone(),
            area_m2: area,
        });
        offered.insert(
            id,
            OfferedUnit {
                id,
                owner_id: 1 + id % 3,
                istat,
                area_m2: area,
            },
        );
    }
    let set = casa::rules::builtin()
        .unwrap()
        .iter()
        .find(|s| s.cite == "R.R. 2/2025")
        .unwrap();
    let rules = set.ranking().unwrap().clone();
    let opens: NaiveDate = "2026-02-01".parse().unwrap();
    let codes: Vec<String> = rules.conditions.iter().map(|c| c.code.clone()).collect();
    let apps = generate(
        3000,
        11,
        &comuni,
        &offered_refs,
        rules.max_preferences as usize,
        opens,
        "2026-03-15".parse().unwrap(),
        &codes,
    );
    Fixture {
        apps: apps
            .into_iter()
            .enumerate()
            .map(|(i, a)| (i as i64 + 1, a))
            .collect(),
        offered,
        population: comuni
            .iter()
            .map(|c| (c.istat.clone(), c.population))
            .collect(),
        rules,
        opens,
    }
}

impl Fixture {
    fn run(&self, rules: &RankingRules) -> Computed {
        compute_all(
            &NoticeContext {
                rules,
                cite: "test",
                opens_on: self.opens,
                offered: &self.offered,
                population: &self.population,
            },
            &self.apps,
        )
    }
}

fn excluded_by(c: &Computed, requirement: &str) -> HashSet<i64> {
    c.excluded
        .iter()
        .filter(|x| x.failures.iter().any(|f| f.requirement == requirement))
        .map(|x| x.application_id)
        .collect()
}

/// Each ranked application's total and groups, by id (the same in every ranking it is in).
fn scores(c: &Computed) -> HashMap<i64, (i64, [i64; 5], bool)> {
    c.rankings
        .values()
        .flatten()
        .map(|e| {
            (
                e.candidate.application_id,
                (e.candidate.total, e.candidate.groups, e.candidate.indigent),
            )
        })
        .collect()
}

#[test]
fn the_generated_applications_exercise_every_branch() {
    let f = fixture();
    let c = f.run(&f.rules);
    for req in [
        "ISEE",
        "PATRIMONIO",
        "ALLOGGIO_ADEGUATO",
        "DECADENZA",
        "RESIDENZA",
    ] {
        assert!(!excluded_by(&c, req).is_empty(), "no exclusion for {req}");
    }
    let s = scores(&c);
    assert!(s.len() > 1000, "{} ranked", s.len());
    assert!(s.values().any(|v| v.2), "some indigent");
    assert!(!c.dropped.is_empty(), "some preferences dropped");
}

#[test]
fn access_thresholds_exclude_more_when_lowered() {
    let f = fixture();
    let base = f.run(&f.rules);
    type Change = Box<dyn Fn(&mut RankingRules)>;
    let cases: Vec<(&str, Change)> = vec![
        ("ISEE", Box::new(|r| r.isee_max = 1_000_000)),
        ("PATRIMONIO", Box::new(|r| r.assets_single_max = 500_000)),
        ("PATRIMONIO", Box::new(|r| r.assets_base = 500_000)),
        ("PATRIMONIO", Box::new(|r| r.assets_per_pse = 100_000)),
        (
            "ALLOGGIO_ADEGUATO",
            Box::new(|r| r.adequate_dwelling.iter_mut().for_each(|b| b.m2 /= 2)),
        ),
        ("DECADENZA", Box::new(|r| r.exclusion_years = 10)),
    ];
    for (req, change) in cases {
        let mut r = f.rules.clone();
        change(&mut r);
        let after = f.run(&r);
        let (b, a) = (excluded_by(&base, req), excluded_by(&after, req));
        assert!(a.is_superset(&b), "{req}: nobody leaves the exclusions");
        assert!(a.len() > b.len(), "{req}: a stricter limit excludes more");
        assert!(scores(&after).len() < scores(&base).len());
    }
    // Without the Lombardy requirement nobody is excluded for residence.
    let mut r = f.rules.clone();
    r.lombardy_required = false;
    assert!(excluded_by(&f.run(&r), "RESIDENZA").is_empty());
}

#[test]
fn the_indigent_threshold_moves_only_the_flag() {
    let f = fixture();
    let base = scores(&f.run(&f.rules));
    let mut r = f.rules.clone();
    r.indigent_isee_max = 600_000;
    let after = scores(&f.run(&r));
    let count = |s: &HashMap<i64, (i64, [i64; 5], bool)>| s.values().filter(|v| v.2).count();
    assert!(count(&after) > count(&base));
    for (id, (total, _, was)) in &base {
        // Preferences of indigents are restricted, so compare only those ranked in both.
        if let Some((t, _, now)) = after.get(id) {
            assert_eq!(t, total, "ISBAR does not depend on the indigent threshold");
            assert!(
                *now || !*was,
                "an indigent stays indigent with a higher threshold"
            );
        }
    }
}

/// The applications in which condition `code` counted.
fn counted(c: &Computed, rules: &RankingRules, code: &str) -> HashSet<i64> {
    c.rankings
        .values()
        .flatten()
        .filter(|e| {
            casa::domain::isbar::condition_codes(rules, e.candidate.conditions).contains(&code)
        })
        .map(|e| e.candidate.application_id)
        .collect()
}

#[test]
fn raising_one_condition_raises_exactly_those_who_have_it() {
    let f = fixture();
    let base_run = f.run(&f.rules);
    let base = scores(&base_run);
    for i in 0..f.rules.conditions.len() {
        let mut r = f.rules.clone();
        r.conditions[i].points += 500;
        let code = r.conditions[i].code.clone();
        let group = r.conditions[i].group.index();
        let after_run = f.run(&r);
        let before_with = counted(&base_run, &f.rules, &code);
        let after_with = counted(&after_run, &r, &code);
        assert!(after_with.is_superset(&before_with), "{code}");
        let after = scores(&after_run);
        for (id, (total, groups, _)) in &base {
            let (t, g, _) = after[id];
            if before_with.contains(id) {
                // It counted already: exactly the 5 points more in its group.
                assert_eq!(g[group], groups[group] + 500, "{code}");
            } else if after_with.contains(id) {
                // Now worth more than the condition it excluded (same exclusive set).
                assert!(g[group] > groups[group], "{code}");
            } else {
                assert_eq!(t, *total, "{code}: others keep their ISBAR");
            }
        }
        assert!(
            !before_with.is_empty(),
            "{code}: nobody has it in the sample"
        );
    }
}

#[test]
fn economic_formula_and_residence_parameters() {
    let f = fixture();
    let base = scores(&f.run(&f.rules));
    let eco = Group::Economica.index();
    let (reg, com) = (
        Group::ResidenzaRegione.index(),
        Group::ResidenzaComune.index(),
    );
    // A higher maximum raises the economic score of everyone under the reference ISEE.
    let mut r = f.rules.clone();
    r.economic_max += 1000;
    let after = scores(&f.run(&r));
    assert!(base.iter().all(|(id, v)| after[id].1[eco] >= v.1[eco]));
    assert!(base.iter().any(|(id, v)| after[id].1[eco] > v.1[eco]));
    // A lower cap bounds residence.
    let mut r = f.rules.clone();
    r.residence_cap = 500;
    let after = scores(&f.run(&r));
    assert!(after.values().all(|v| v.1[reg] + v.1[com] <= 500));
    assert!(base.values().any(|v| v.1[reg] + v.1[com] > 500));
    // Without the fragility rule more households get residence points, never fewer.
    let mut r = f.rules.clone();
    r.fragility_only = false;
    let after = scores(&f.run(&r));
    assert!(base.iter().all(|(id, v)| after[id].1[reg] >= v.1[reg]));
    assert!(base.iter().any(|(id, v)| after[id].1[reg] > v.1[reg]));
    // Richer region bands raise region points of those in a band.
    let mut r = f.rules.clone();
    r.fragility_only = false;
    let plain = scores(&f.run(&r));
    r.region_bands.iter_mut().for_each(|b| b.points += 100);
    r.residence_cap = 10_000;
    let mut r0 = f.rules.clone();
    r0.fragility_only = false;
    r0.residence_cap = 10_000;
    let before = scores(&f.run(&r0));
    let after = scores(&f.run(&r));
    assert!(plain.len() == after.len());
    assert!(
        before
            .iter()
            .all(|(id, v)| after[id].1[reg] == v.1[reg] + if v.1[reg] > 0 { 100 } else { 0 })
    );
}

#[test]
fn preference_rules_limit_and_filter_the_choices() {
    let f = fixture();
    let base = f.run(&f.rules);
    let mut r = f.rules.clone();
    r.max_preferences = 1;
    let after = f.run(&r);
    assert!(
        after
            .rankings
            .values()
            .flatten()
            .all(|e| e.units.len() <= 1)
    );
    assert!(base.rankings.values().flatten().any(|e| e.units.len() == 2));
    // A narrower adequacy table drops more preferences.
    let mut r = f.rules.clone();
    r.unit_adequacy.iter_mut().for_each(|b| {
        b.min_m2 += 20;
    });
    assert!(f.run(&r).dropped.len() > base.dropped.len());
}

#[test]
fn the_tie_break_order_moves_only_tied_applications() {
    let f = fixture();
    let base = f.run(&f.rules);
    let mut r = f.rules.clone();
    r.tie_break.reverse();
    let after = f.run(&r);
    for (k, list) in &base.rankings {
        let other = &after.rankings[k];
        let a: Vec<i64> = list.iter().map(|e| e.candidate.total).collect();
        let b: Vec<i64> = other.iter().map(|e| e.candidate.total).collect();
        assert_eq!(a, b, "the ISBAR at each position is unchanged");
        let sa: HashSet<i64> = list.iter().map(|e| e.candidate.application_id).collect();
        let sb: HashSet<i64> = other.iter().map(|e| e.candidate.application_id).collect();
        assert_eq!(sa, sb, "the same applications");
    }
}
