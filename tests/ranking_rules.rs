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
                register: &Default::default(),
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

/// A single member born on `birth`, the applicant.
fn household(birth: &str) -> Vec<casa::domain::application::Member> {
    vec![casa::domain::application::Member {
        tax_code: "RSSMRA50A01F205X".into(),
        birth_date: birth.parse().unwrap(),
        relationship: casa::domain::application::Relationship::Richiedente,
        disability_pct: 0,
        attendance_allowance: false,
    }]
}

fn application(code: &str, residence: &str, work: &str, prefs: Vec<i64>) -> Application {
    Application {
        code: code.into(),
        submitted_at: "2026-02-10T10:00:00".parse().unwrap(),
        members: household("1950-01-01"),
        isee: 800_000,
        assets: 0,
        resides_in_lombardy: true,
        works_in_lombardy: true,
        residence_istat: Some(residence.into()),
        work_istat: Some(work.into()),
        years_region: 20,
        years_comune: 12,
        other_comuni_years: vec![],
        owned_dwelling_m2: None,
        exclusion_on: None,
        declared: vec![],
        preferences: prefs,
    }
}

const RHO: &str = "015182";
const SAN_GIULIANO: &str = "015195";

/// Art. 12 c.2: the comune points are for residence "nel comune dove è localizzata l'unità
/// abitativa". A Rho resident of 12 years who works in San Giuliano has no comune points in San
/// Giuliano's ranking; someone who lived 10 years in Rho before moving to San Giuliano has them
/// in Rho's. The tie-break's years in the comune are the ranking's comune's too.
#[test]
fn art_12_c2_comune_points_are_for_the_comune_of_the_unit() {
    let set = casa::rules::builtin()
        .unwrap()
        .iter()
        .find(|s| s.cite == "R.R. 2/2025")
        .unwrap();
    let rules = set.ranking().unwrap();
    let offered: HashMap<i64, OfferedUnit> = [(1, RHO), (2, SAN_GIULIANO)]
        .into_iter()
        .map(|(id, istat)| {
            (
                id,
                OfferedUnit {
                    id,
                    owner_id: 7,
                    istat: istat.into(),
                    area_m2: 50.0,
                },
            )
        })
        .collect();
    let population: HashMap<String, u32> = [(RHO.into(), 50_000), (SAN_GIULIANO.into(), 40_000)]
        .into_iter()
        .collect();
    let a = application("A", RHO, SAN_GIULIANO, vec![1, 2]);
    let mut b = application("B", SAN_GIULIANO, RHO, vec![1, 2]);
    b.years_comune = 3;
    b.other_comuni_years = vec![(RHO.into(), 10)];
    let c = compute_all(
        &NoticeContext {
            rules,
            cite: &set.cite,
            opens_on: "2026-02-01".parse().unwrap(),
            offered: &offered,
            population: &population,
            register: &Default::default(),
        },
        &[(1, a.clone()), (2, b.clone())],
    );
    let entry = |istat: &str, code: &str| {
        c.rankings
            .iter()
            .find(|(k, _)| k.istat == istat)
            .and_then(|(_, v)| v.iter().find(|e| e.candidate.code == code))
            .map(|e| e.candidate.clone())
            .unwrap_or_else(|| panic!("{code} not ranked in {istat}"))
    };
    let com = Group::ResidenzaComune.index();
    let reg = Group::ResidenzaRegione.index();
    // Elderly singles (a fragility condition): region 6.50 + comune, capped at 12.
    let a_rho = entry(RHO, "A");
    let a_sg = entry(SAN_GIULIANO, "A");
    assert_eq!(
        (a_rho.groups[reg], a_rho.groups[com]),
        (650, 550),
        "12 years in Rho"
    );
    assert_eq!(
        (a_sg.groups[reg], a_sg.groups[com]),
        (650, 0),
        "never lived in San Giuliano"
    );
    assert_eq!((a_rho.years_comune, a_sg.years_comune), (12, 0));
    let b_rho = entry(RHO, "B");
    let b_sg = entry(SAN_GIULIANO, "B");
    assert_eq!(b_rho.groups[com], 550, "10 years in Rho before moving");
    assert_eq!(b_sg.groups[com], 100, "3 years in San Giuliano");
    assert_eq!((b_rho.years_comune, b_sg.years_comune), (10, 3));
    // The explanation in each comune says whose years counted.
    let sc = casa::domain::isbar::score_in(
        &b,
        rules,
        &set.cite,
        "2026-02-01".parse().unwrap(),
        Some(RHO),
    );
    let line = sc
        .lines
        .iter()
        .find(|l| l.code == "RESIDENZA_COMUNE")
        .unwrap();
    assert!(
        line.detail.contains("10 anni") && line.detail.contains("art. 12 c.2"),
        "{line:?}"
    );
    assert_eq!(sc.total, b_rho.total);
}
