//! Ranking order: by decreasing ISBAR, ties broken by the rule set's keys (higher first), then
//! by submission time, then by ID domanda — a total order, the same on every run. Also the
//! comparison of two orders (what-if) and the dates of the ranking's life (DOMAIN.md 5).

use super::application::{
    Application, DroppedPreference, Failure, OfferedUnit, access_failures, resolve_preferences,
};
use crate::rules::ranking::{Group, RankingRules, TieKey};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// What ordering an application needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub application_id: i64,
    pub code: String,
    pub submitted_at: NaiveDateTime,
    pub total: i64,
    pub groups: [i64; 5],
    pub years_comune: u32,
    pub years_region: u32,
    pub indigent: bool,
    /// The conditions that counted, as bits over the rule set's conditions.
    pub conditions: u64,
}

impl Candidate {
    /// The value of a tie-break key (higher wins).
    pub fn tie_value(&self, k: TieKey) -> i64 {
        match k {
            TieKey::AnniResidenzaComune => i64::from(self.years_comune),
            TieKey::AnniResidenzaRegione => i64::from(self.years_region),
            TieKey::Familiari => self.groups[Group::Familiari.index()],
            TieKey::Abitative => self.groups[Group::Abitative.index()],
            TieKey::Economica => self.groups[Group::Economica.index()],
            TieKey::ResidenzaRegione => self.groups[Group::ResidenzaRegione.index()],
            TieKey::ResidenzaComune => self.groups[Group::ResidenzaComune.index()],
        }
    }
}

/// The order of two candidates under `tie_break`.
pub fn compare(a: &Candidate, b: &Candidate, tie_break: &[TieKey]) -> Ordering {
    b.total
        .cmp(&a.total)
        .then_with(|| {
            tie_break
                .iter()
                .map(|k| b.tie_value(*k).cmp(&a.tie_value(*k)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
        .then_with(|| a.submitted_at.cmp(&b.submitted_at))
        .then_with(|| a.code.cmp(&b.code))
        .then_with(|| a.application_id.cmp(&b.application_id))
}

/// Sorts into ranking order. The key is computed once per candidate, so half a million sort
/// in a fraction of a second.
pub fn order(cands: &mut [Candidate], rules: &RankingRules) {
    // Fixed-width key (−total, −tie₁…−tie₇, submitted, code, id): the rule set cannot repeat
    // a key, and there are seven.
    let keys = &rules.tie_break;
    cands.sort_by_cached_key(|c| {
        let mut t = [0i64; 7];
        for (i, k) in keys.iter().take(7).enumerate() {
            t[i] = -c.tie_value(*k);
        }
        (
            -c.total,
            t,
            c.submitted_at,
            c.code.clone(),
            c.application_id,
        )
    });
}

/// The key fields that decided a position, for the explanation.
pub fn tie_keys(c: &Candidate, rules: &RankingRules) -> Vec<(String, String)> {
    let mut out = vec![("ISBAR".to_string(), super::isbar::points(c.total))];
    for k in &rules.tie_break {
        let v = c.tie_value(*k);
        let shown = match k {
            TieKey::AnniResidenzaComune | TieKey::AnniResidenzaRegione => v.to_string(),
            _ => super::isbar::points(v),
        };
        out.push((k.label().to_string(), shown));
    }
    out.push((
        "data e ora di presentazione".into(),
        c.submitted_at.format("%d/%m/%Y %H:%M:%S").to_string(),
    ));
    out.push(("ID domanda".into(), c.code.clone()));
    out
}

/// Which ranking: one per owner per comune of the notice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RankingKey {
    pub owner_id: i64,
    pub istat: String,
}

/// One ranked application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub candidate: Candidate,
    /// The preferred units kept, in the order given (ID alloggio 1, 2 …).
    pub units: Vec<i64>,
    /// Ranked without preferences: no adequate unit of its choice is on offer.
    pub without_preferences: bool,
}

/// An application left out of every ranking, with each reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub application_id: i64,
    pub code: String,
    pub failures: Vec<Failure>,
}

/// Everything a computation of a notice's rankings produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Computed {
    /// Each ranking in order (position = index + 1).
    pub rankings: BTreeMap<RankingKey, Vec<Entry>>,
    /// Failed access requirements, or no ranking to enter.
    pub excluded: Vec<Excluded>,
    /// Preferences not kept, by application id.
    pub dropped: Vec<(i64, DroppedPreference)>,
}

/// What a notice contributes to the computation.
pub struct NoticeContext<'a> {
    pub rules: &'a RankingRules,
    pub cite: &'a str,
    /// Ages and exclusion periods are taken on this day.
    pub opens_on: NaiveDate,
    pub offered: &'a HashMap<i64, OfferedUnit>,
    /// Population of the district's comuni (ISTAT → inhabitants), for indigents' choices.
    pub population: &'a HashMap<String, u32>,
    /// The register of occupations without title, as far as it may concern the applications
    /// (the five-year check).
    pub register: &'a super::occupation::check::Register,
}

/// Computes every ranking of a notice: access checks, preferences, ISBAR, order. An admitted
/// application enters the ranking of each owner and comune of its kept preferences; with none
/// kept, every ranking of its comune of residence (else of work), flagged as without
/// preferences; with no ranking there either it is listed as excluded with the reason (our
/// rule: DOMAIN.md says it is ranked without preferences, not where).
pub fn compute_all(ctx: &NoticeContext<'_>, apps: &[(i64, Application)]) -> Computed {
    let mut out = Computed::default();
    let rules = ctx.rules;
    // The rankings that exist: owners with units on offer, per comune.
    let mut by_comune: HashMap<&str, Vec<RankingKey>> = HashMap::new();
    let mut keys: Vec<RankingKey> = ctx
        .offered
        .values()
        .map(|u| RankingKey {
            owner_id: u.owner_id,
            istat: u.istat.clone(),
        })
        .collect();
    keys.sort();
    keys.dedup();
    for k in &keys {
        by_comune
            .entry(k.istat.as_str())
            .or_default()
            .push(k.clone());
    }
    let mut lists: BTreeMap<RankingKey, Vec<Entry>> = BTreeMap::new();
    for (id, app) in apps {
        let mut failures = access_failures(app, rules, ctx.cite, ctx.opens_on);
        failures.extend(super::occupation::check::failure(
            app,
            ctx.register,
            &rules.occupation_lookback,
            ctx.cite,
        ));
        if !failures.is_empty() {
            out.excluded.push(Excluded {
                application_id: *id,
                code: app.code.clone(),
                failures,
            });
            continue;
        }
        let prefs = resolve_preferences(app, rules, ctx.offered, ctx.population);
        out.dropped
            .extend(prefs.dropped.into_iter().map(|d| (*id, d)));
        let mut targets: Vec<RankingKey> = prefs
            .kept
            .iter()
            .filter_map(|u| ctx.offered.get(u))
            .map(|u| RankingKey {
                owner_id: u.owner_id,
                istat: u.istat.clone(),
            })
            .collect();
        targets.sort();
        targets.dedup();
        let without_preferences = targets.is_empty();
        if without_preferences {
            let local = [&app.residence_istat, &app.work_istat]
                .into_iter()
                .flatten()
                .find_map(|c| by_comune.get(c.as_str()));
            match local {
                Some(k) => targets = k.clone(),
                None => {
                    out.excluded.push(Excluded {
                        application_id: *id,
                        code: app.code.clone(),
                        failures: vec![Failure {
                            requirement: "GRADUATORIA",
                            reason: "nessun alloggio scelto è offerto e adeguato, e l'avviso non offre alloggi nel comune di residenza o di lavoro".into(),
                        }],
                    });
                    continue;
                }
            }
        }
        // The score depends on the ranking's comune (art. 12 c.2: comune points for the years
        // in the comune of the unit); targets are sorted, so one score per comune is reused.
        let mut scored: Option<(String, Candidate)> = None;
        for k in targets {
            let candidate = match &scored {
                Some((istat, c)) if *istat == k.istat => c.clone(),
                _ => {
                    let c = candidate_in(*id, app, rules, ctx.opens_on, &k.istat);
                    scored = Some((k.istat.clone(), c.clone()));
                    c
                }
            };
            lists.entry(k).or_default().push(Entry {
                candidate,
                units: prefs.kept.clone(),
                without_preferences,
            });
        }
    }
    for (k, mut v) in lists {
        order_entries(&mut v, rules);
        out.rankings.insert(k, v);
    }
    out
}

/// `app` as a candidate of a ranking in comune `istat`.
pub fn candidate_in(
    id: i64,
    app: &Application,
    rules: &RankingRules,
    opens_on: NaiveDate,
    istat: &str,
) -> Candidate {
    let (groups, conditions) =
        super::isbar::groups_and_conditions(app, rules, opens_on, Some(istat));
    Candidate {
        conditions,
        application_id: id,
        code: app.code.clone(),
        submitted_at: app.submitted_at,
        total: groups.iter().sum(),
        groups,
        years_region: app.years_region,
        years_comune: super::isbar::comune_years(app, rules, Some(istat)),
        indigent: app.is_indigent(rules),
    }
}

/// `order` for entries.
pub fn order_entries(v: &mut [Entry], rules: &RankingRules) {
    let keys = &rules.tie_break;
    v.sort_by_cached_key(|e| {
        let c = &e.candidate;
        let mut t = [0i64; 7];
        for (i, k) in keys.iter().take(7).enumerate() {
            t[i] = -c.tie_value(*k);
        }
        (
            -c.total,
            t,
            c.submitted_at,
            c.code.clone(),
            c.application_id,
        )
    });
}

/// How an application moved between two orders of the same ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub code: String,
    /// 1-based positions; `None` when absent from that order.
    pub before: Option<usize>,
    pub after: Option<usize>,
    /// Positive: moved up (towards 1).
    pub delta: i64,
}

/// Who moves and by how much between `before` and `after` (ID domanda in ranking order);
/// those who stay put are left out. Sorted by the new position.
pub fn movements(before: &[String], after: &[String]) -> Vec<Movement> {
    let pos: HashMap<&str, usize> = before
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i + 1))
        .collect();
    let mut out: Vec<Movement> = Vec::new();
    let mut present = std::collections::HashSet::new();
    for (i, code) in after.iter().enumerate() {
        present.insert(code.as_str());
        let b = pos.get(code.as_str()).copied();
        let a = i + 1;
        if b != Some(a) {
            out.push(Movement {
                code: code.clone(),
                before: b,
                after: Some(a),
                delta: b.map_or(0, |b| b as i64 - a as i64),
            });
        }
    }
    for (code, b) in &pos {
        if !present.contains(code) {
            out.push(Movement {
                code: (*code).to_string(),
                before: Some(*b),
                after: None,
                delta: 0,
            });
        }
    }
    out.sort_by_key(|m| (m.after.unwrap_or(usize::MAX), m.before));
    out
}

/// The dates of a ranking's life after the notice closes (DOMAIN.md 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Provisional ranking at the latest.
    pub provisional_by: NaiveDate,
    /// Corrections (rettifiche) until.
    pub corrections_until: NaiveDate,
    /// The owner decides until (silence = accepted).
    pub decision_until: NaiveDate,
    /// Final ranking at the latest.
    pub final_by: NaiveDate,
}

/// Deadlines counted from the notice's closing day and the provisional ranking's day.
pub fn deadlines(
    rules: &RankingRules,
    closes_on: NaiveDate,
    provisional_on: NaiveDate,
) -> Deadlines {
    let d = |n: u32| chrono::Duration::days(i64::from(n));
    let corrections_until = provisional_on + d(rules.correction_days);
    let decision_until = corrections_until + d(rules.decision_days);
    Deadlines {
        provisional_by: closes_on + d(rules.provisional_days),
        corrections_until,
        decision_until,
        final_by: decision_until + d(rules.final_days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin;
    use proptest::prelude::*;

    fn rules() -> RankingRules {
        builtin()
            .unwrap()
            .last()
            .unwrap()
            .ranking()
            .unwrap()
            .clone()
    }

    fn cand(id: i64, total: i64, groups: [i64; 5], years: (u32, u32), minute: u32) -> Candidate {
        Candidate {
            application_id: id,
            code: format!("D{id:05}"),
            submitted_at: NaiveDate::from_ymd_opt(2026, 3, 1)
                .unwrap()
                .and_hms_opt(10, minute % 60, 0)
                .unwrap(),
            total,
            groups,
            years_region: years.0,
            years_comune: years.1,
            indigent: false,
            conditions: 0,
        }
    }

    prop_compose! {
        fn arb_cand()(id in 0i64..1000, total in 0i64..50, f in 0i64..3, h in 0i64..3, e in 0i64..3,
                      yr in 0u32..4, yc in 0u32..4, minute in 0u32..3) -> Candidate {
            cand(id, total, [f, h, e, 0, 0], (yr, yc), minute)
        }
    }

    proptest! {
        #[test]
        fn order_is_total_and_deterministic(mut v in proptest::collection::vec(arb_cand(), 0..60)) {
            v.sort_by_key(|c| c.application_id);
            v.dedup_by_key(|c| c.application_id);
            let r = rules();
            let mut a = v.clone();
            order(&mut a, &r);
            let mut b = v.clone();
            b.reverse();
            order(&mut b, &r);
            prop_assert_eq!(&a, &b, "same order whatever the input order");
            for w in a.windows(2) {
                prop_assert_eq!(compare(&w[0], &w[1], &r.tie_break), Ordering::Less);
                prop_assert_eq!(compare(&w[1], &w[0], &r.tie_break), Ordering::Greater);
                prop_assert!(w[0].total >= w[1].total, "decreasing ISBAR");
            }
        }

        #[test]
        fn changing_the_tie_break_moves_only_tied_positions(v in proptest::collection::vec(arb_cand(), 0..60)) {
            let mut v = v;
            v.sort_by_key(|c| c.application_id);
            v.dedup_by_key(|c| c.application_id);
            let r = rules();
            let mut other = r.clone();
            other.tie_break.reverse();
            let mut a = v.clone();
            order(&mut a, &r);
            let mut b = v.clone();
            order(&mut b, &other);
            // The ISBAR at every position is the same: only candidates with equal ISBAR swap.
            let ta: Vec<i64> = a.iter().map(|c| c.total).collect();
            let tb: Vec<i64> = b.iter().map(|c| c.total).collect();
            prop_assert_eq!(ta, tb);
        }
    }

    #[test]
    fn ties_follow_the_rule_set_order_then_submission() {
        let r = rules();
        // Same ISBAR; 1 has longer residence in the comune; 2 and 3 tie on everything but time.
        let a = cand(1, 100, [10, 0, 0, 0, 0], (5, 9), 5);
        let b = cand(2, 100, [50, 0, 0, 0, 0], (20, 3), 1);
        let c = cand(3, 100, [50, 0, 0, 0, 0], (20, 3), 2);
        let mut v = vec![c.clone(), b.clone(), a.clone()];
        order(&mut v, &r);
        let ids: Vec<i64> = v.iter().map(|c| c.application_id).collect();
        assert_eq!(ids, vec![1, 2, 3]);
        // With family score first, 2 and 3 pass 1.
        let mut r2 = r.clone();
        r2.tie_break = vec![TieKey::Familiari];
        order(&mut v, &r2);
        let ids: Vec<i64> = v.iter().map(|c| c.application_id).collect();
        assert_eq!(ids, vec![2, 3, 1]);
    }

    #[test]
    fn compute_all_places_excludes_and_orders() {
        use crate::domain::application::{Member, Relationship};
        let set = builtin().unwrap().last().unwrap();
        let r = set.ranking().unwrap();
        let unit = |id, owner, istat: &str| {
            (
                id,
                OfferedUnit {
                    id,
                    owner_id: owner,
                    istat: istat.into(),
                    area_m2: 50.0,
                },
            )
        };
        let offered: HashMap<i64, OfferedUnit> =
            [unit(1, 10, "A"), unit(2, 20, "A"), unit(3, 10, "B")]
                .into_iter()
                .collect();
        let population: HashMap<String, u32> = [("A".into(), 10_000), ("B".into(), 10_000)]
            .into_iter()
            .collect();
        let app = |code: &str, isee: i64, res: &str, prefs: Vec<i64>| Application {
            code: code.into(),
            submitted_at: "2026-03-01T10:00:00".parse().unwrap(),
            members: vec![Member {
                tax_code: "RSSMRA80A01F205X".into(),
                birth_date: "1980-01-01".parse().unwrap(),
                relationship: Relationship::Richiedente,
                disability_pct: 0,
                attendance_allowance: false,
            }],
            isee,
            assets: 0,
            resides_in_lombardy: true,
            works_in_lombardy: false,
            residence_istat: Some(res.into()),
            work_istat: None,
            years_region: 10,
            years_comune: 5,
            other_comuni_years: vec![],
            owned_dwelling_m2: None,
            exclusion_on: None,
            declared: vec![],
            preferences: prefs,
        };
        // D1 lives in A and works in B: it may choose in both (art. 9 c.2).
        let mut d1 = app("D1", 500_000, "A", vec![1, 3]);
        d1.work_istat = Some("B".into());
        let apps = vec![
            (1, d1),
            (2, app("D2", 1_700_000, "A", vec![1])),
            (3, app("D3", 200_000, "A", vec![])),
            (4, app("D4", 900_000, "Z", vec![99])),
        ];
        let ctx = NoticeContext {
            rules: r,
            cite: &set.cite,
            opens_on: "2026-02-01".parse().unwrap(),
            offered: &offered,
            population: &population,
            register: &Default::default(),
        };
        let c = compute_all(&ctx, &apps);
        let key = |o, i: &str| RankingKey {
            owner_id: o,
            istat: i.into(),
        };
        let codes = |k: &RankingKey| -> Vec<String> {
            c.rankings[k]
                .iter()
                .map(|e| e.candidate.code.clone())
                .collect()
        };
        // D1 chose units of owner 10 in A and in B; D3 has no preference: every owner of A.
        assert_eq!(codes(&key(10, "A")), vec!["D3", "D1"], "lower ISEE first");
        assert_eq!(codes(&key(20, "A")), vec!["D3"]);
        assert_eq!(codes(&key(10, "B")), vec!["D1"]);
        assert!(c.rankings[&key(20, "A")][0].without_preferences);
        assert!(c.rankings[&key(10, "A")][0].candidate.indigent);
        let excluded: Vec<(&str, &str)> = c
            .excluded
            .iter()
            .map(|e| (e.code.as_str(), e.failures[0].requirement))
            .collect();
        assert_eq!(excluded, vec![("D2", "ISEE"), ("D4", "GRADUATORIA")]);
        assert_eq!(c.dropped.len(), 1, "D4's unit 99 is not offered");
        // Recomputing gives the same result.
        assert_eq!(compute_all(&ctx, &apps), c);
    }

    #[test]
    fn movements_between_two_orders() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let m = movements(&s(&["A", "B", "C", "D"]), &s(&["B", "A", "C", "E"]));
        assert_eq!(m.len(), 4);
        assert_eq!((m[0].code.as_str(), m[0].delta), ("B", 1));
        assert_eq!((m[1].code.as_str(), m[1].delta), ("A", -1));
        assert_eq!(m[2].code, "E");
        assert_eq!(m[2].before, None);
        assert_eq!(m[3].code, "D");
        assert_eq!(m[3].after, None);
        assert!(movements(&s(&["A", "B"]), &s(&["A", "B"])).is_empty());
    }

    #[test]
    fn deadlines_count_from_closing_and_provisional() {
        let r = rules();
        let d = deadlines(
            &r,
            "2026-03-31".parse().unwrap(),
            "2026-04-03".parse().unwrap(),
        );
        assert_eq!(d.provisional_by, "2026-04-05".parse::<NaiveDate>().unwrap());
        assert_eq!(
            d.corrections_until,
            "2026-04-18".parse::<NaiveDate>().unwrap()
        );
        assert_eq!(d.decision_until, "2026-05-03".parse::<NaiveDate>().unwrap());
        assert_eq!(d.final_by, "2026-05-08".parse::<NaiveDate>().unwrap());
    }
}
