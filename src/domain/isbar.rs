//! ISBAR (Indicatore della Situazione di Bisogno Abitativo Regionale): the score of an
//! admitted application under a rule set, in hundredths of a point, with one sub-score per
//! group and the lines that explain it.

use super::application::Application;
use crate::rules::ranking::{Derive, Group, RankingRules};
use chrono::NaiveDate;
use serde::Serialize;

/// Points in hundredths, shown Italian style (12,50).
pub fn points(h: i64) -> String {
    format!(
        "{}{},{:02}",
        if h < 0 { "-" } else { "" },
        h.unsigned_abs() / 100,
        h.unsigned_abs() % 100
    )
}

/// One line of the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub group: Group,
    /// Condition code, or `ECONOMICA` / `RESIDENZA_REGIONE` / `RESIDENZA_COMUNE`.
    pub code: String,
    pub label: String,
    /// Hundredths of a point counted (0 for a line that explains why nothing counted).
    pub points: i64,
    pub legal_ref: String,
    /// Extra facts: the years, the ISEE, the cap applied.
    pub detail: String,
    pub verified: bool,
}

/// The score of one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Sum of the groups, hundredths.
    pub total: i64,
    /// Sub-score per group, in `Group::ALL` order.
    pub groups: [i64; 5],
    pub lines: Vec<Line>,
    /// Names of the unverified values this score used.
    pub unverified: Vec<String>,
}

impl Score {
    pub fn group(&self, g: Group) -> i64 {
        self.groups[g.index()]
    }
}

fn derived(d: &Derive, app: &Application, on: NaiveDate) -> bool {
    match d {
        Derive::EtaMinima { anni } => app.members.iter().any(|m| m.age_on(on) >= *anni),
        Derive::Disabilita {
            min_pct,
            max_pct,
            accompagnamento,
        } => app.members.iter().any(|m| {
            (*min_pct..=*max_pct).contains(&m.disability_pct)
                && accompagnamento.is_none_or(|a| a == m.attendance_allowance)
        }),
    }
}

/// The condition codes that apply: the derived ones the household meets and the declared ones
/// that are not derived (a derived condition cannot be declared into being).
pub fn conditions_met(app: &Application, rules: &RankingRules, on: NaiveDate) -> Vec<String> {
    rules
        .conditions
        .iter()
        .filter(|c| match &c.derive {
            Some(d) => derived(d, app, on),
            None => app.declared.iter().any(|x| x == &c.code),
        })
        .map(|c| c.code.clone())
        .collect()
}

/// The sub-scores only (the hot path of a ranking): no explanation is built.
pub fn groups(app: &Application, rules: &RankingRules, on: NaiveDate) -> [i64; 5] {
    tally(app, rules, "", on, None).0
}

/// The sub-scores and the conditions that counted, as a bit set over `rules.conditions`.
pub fn groups_and_conditions(
    app: &Application,
    rules: &RankingRules,
    on: NaiveDate,
) -> ([i64; 5], u64) {
    tally(app, rules, "", on, None)
}

/// The codes of a bit set from `groups_and_conditions`.
pub fn condition_codes(rules: &RankingRules, bits: u64) -> Vec<&str> {
    rules
        .conditions
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 64 && bits & (1 << i) != 0)
        .map(|(_, c)| c.code.as_str())
        .collect()
}

/// Scores `app` under `rules` with the explanation; `on` is the notice's opening day (ages
/// are taken then).
pub fn score(app: &Application, rules: &RankingRules, cite: &str, on: NaiveDate) -> Score {
    let mut ex = Explained::default();
    let (groups, _) = tally(app, rules, cite, on, Some(&mut ex));
    let Explained {
        mut lines,
        mut unverified,
    } = ex;
    // The general unverified values (formula, bands, cap, fragility list …) always play.
    unverified.extend(
        rules
            .unverified_general()
            .filter(|u| u.name.starts_with("isbar.") || u.name == "ranking.tie_break")
            .map(|u| u.name.clone()),
    );
    let unv = |name: &str| rules.unverified.iter().any(|u| u.name == name);
    for l in &mut lines {
        l.verified = match l.code.as_str() {
            "ECONOMICA" => {
                !unv("isbar.economic.formula")
                    && !unv("isbar.economic.max_points")
                    && !unv("isbar.economic.isee_reference_eur")
            }
            "RESIDENZA_REGIONE" => {
                !unv("isbar.residence.region_bands") && !unv("isbar.residence.cap_points")
            }
            "RESIDENZA_COMUNE" => {
                !unv("isbar.residence.comune_bands") && !unv("isbar.residence.cap_points")
            }
            _ => l.verified,
        };
    }
    Score {
        total: groups.iter().sum(),
        groups,
        lines,
        unverified,
    }
}

#[derive(Default)]
struct Explained {
    lines: Vec<Line>,
    unverified: Vec<String>,
}

fn tally(
    app: &Application,
    rules: &RankingRules,
    cite: &str,
    on: NaiveDate,
    mut ex: Option<&mut Explained>,
) -> ([i64; 5], u64) {
    let mut groups = [0i64; 5];
    let mut counted_bits = 0u64;
    let met: Vec<bool> = rules
        .conditions
        .iter()
        .map(|c| match &c.derive {
            Some(d) => derived(d, app, on),
            None => app.declared.iter().any(|x| x == &c.code),
        })
        .collect();
    // Of each exclusive set only the condition worth most counts (the first in the file on a
    // tie); the others are listed with 0 and the reason.
    let mut best: Vec<(&str, usize)> = Vec::new();
    for (i, c) in rules.conditions.iter().enumerate().filter(|(i, _)| met[*i]) {
        if let Some(x) = &c.exclusive {
            match best.iter_mut().find(|(n, _)| *n == x.as_str()) {
                Some(b) if rules.conditions[b.1].points < c.points => b.1 = i,
                Some(_) => {}
                None => best.push((x.as_str(), i)),
            }
        }
    }
    for (i, c) in rules.conditions.iter().enumerate().filter(|(i, _)| met[*i]) {
        let winner = c
            .exclusive
            .as_deref()
            .and_then(|x| best.iter().find(|(n, _)| *n == x))
            .map(|b| b.1);
        let counted = winner.is_none_or(|w| w == i);
        let pts = if counted { c.points } else { 0 };
        if counted && i < 64 {
            counted_bits |= 1 << i;
        }
        groups[c.group.index()] += pts;
        if let Some(ex) = ex.as_deref_mut() {
            if counted && !c.verified {
                ex.unverified.push(format!("punti {}", c.code));
            }
            ex.lines.push(Line {
                group: c.group,
                code: c.code.clone(),
                label: c.label.clone(),
                points: pts,
                legal_ref: c.legal_ref.clone(),
                detail: match winner {
                    Some(w) if !counted => {
                        format!("non cumulabile: conta solo {}", rules.conditions[w].code)
                    }
                    _ => String::new(),
                },
                verified: c.verified,
            });
        }
    }

    // Economic condition: max × (reference − ISEE) / reference, truncated; 0 at or above.
    let economic = if app.isee >= rules.economic_isee_reference {
        0
    } else {
        let gap = i128::from(rules.economic_isee_reference - app.isee.max(0));
        (i128::from(rules.economic_max) * gap / i128::from(rules.economic_isee_reference)) as i64
    };
    groups[Group::Economica.index()] = economic;
    if let Some(ex) = ex.as_deref_mut() {
        ex.lines.push(Line {
            group: Group::Economica,
            code: "ECONOMICA".into(),
            label: "Condizione economica (ISEE)".into(),
            points: economic,
            legal_ref: format!("{cite}, formula lineare sull'ISEE"),
            detail: format!(
                "ISEE {}: {} × ({} − ISEE) / {}",
                super::application::euro(app.isee),
                points(rules.economic_max),
                super::application::euro(rules.economic_isee_reference),
                super::application::euro(rules.economic_isee_reference)
            ),
            verified: false,
        });
    }

    // Residence: bands of years, capped together; under a fragility rule only for households
    // with a fragility condition.
    let band = |bands: &[crate::rules::ranking::Band], years| {
        bands
            .iter()
            .find(|b| b.contains(years))
            .map_or(0, |b| b.points)
    };
    let fragile = !rules.fragility_only
        || rules
            .conditions
            .iter()
            .enumerate()
            .any(|(i, c)| met[i] && rules.fragility_conditions.iter().any(|f| f == &c.code));
    let mut region = band(&rules.region_bands, app.years_region);
    let mut comune = band(&rules.comune_bands, app.years_comune);
    let mut why = None;
    if !fragile {
        if region + comune > 0 {
            why = Some("nessuna condizione di fragilità: i punti di residenza non si applicano");
        }
        region = 0;
        comune = 0;
    }
    let mut capped = false;
    if region + comune > rules.residence_cap {
        // Our rule: the region's points first, the comune's up to the cap.
        let over = region + comune - rules.residence_cap;
        let cut = over.min(comune);
        comune -= cut;
        region -= over - cut;
        capped = true;
    }
    groups[Group::ResidenzaRegione.index()] = region;
    groups[Group::ResidenzaComune.index()] = comune;
    if let Some(ex) = ex {
        let mut note_region = format!("{} anni in Regione", app.years_region);
        let mut note_comune = format!("{} anni nel Comune", app.years_comune);
        if let Some(why) = why {
            note_region = format!("{note_region}; {why}");
            note_comune = format!("{note_comune}; {why}");
        }
        if capped {
            note_comune = format!(
                "{note_comune}; residenza limitata a {} punti in tutto",
                points(rules.residence_cap)
            );
        }
        ex.lines.push(Line {
            group: Group::ResidenzaRegione,
            code: "RESIDENZA_REGIONE".into(),
            label: "Residenza in Regione Lombardia".into(),
            points: region,
            legal_ref: format!("{cite}, residenza"),
            detail: note_region,
            verified: true,
        });
        ex.lines.push(Line {
            group: Group::ResidenzaComune,
            code: "RESIDENZA_COMUNE".into(),
            label: "Residenza nel Comune".into(),
            points: comune,
            legal_ref: format!("{cite}, residenza"),
            detail: note_comune,
            verified: false,
        });
    }
    (groups, counted_bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::{Member, Relationship};
    use crate::rules::builtin;

    fn set(cite: &str) -> &'static crate::rules::RuleSet {
        builtin().unwrap().iter().find(|s| s.cite == cite).unwrap()
    }

    fn app() -> Application {
        Application {
            code: "D1".into(),
            submitted_at: "2026-03-01T10:00:00".parse().unwrap(),
            members: vec![Member {
                tax_code: "RSSMRA80A01F205X".into(),
                birth_date: "1980-01-01".parse().unwrap(),
                relationship: Relationship::Richiedente,
                disability_pct: 0,
                attendance_allowance: false,
            }],
            isee: 800_000,
            assets: 0,
            resides_in_lombardy: true,
            works_in_lombardy: false,
            residence_istat: Some("015146".into()),
            work_istat: None,
            years_region: 12,
            years_comune: 7,
            owned_dwelling_m2: None,
            exclusion_on: None,
            declared: vec![],
            preferences: vec![],
        }
    }

    fn on() -> NaiveDate {
        "2026-02-01".parse().unwrap()
    }

    #[test]
    fn economic_formula_is_exact_and_truncated() {
        let s = set("R.R. 3/2019");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.isee = 800_000; // half of 16,000: 15.00 points
        assert_eq!(score(&a, r, &s.cite, on()).group(Group::Economica), 1500);
        a.isee = 1_600_000;
        assert_eq!(score(&a, r, &s.cite, on()).group(Group::Economica), 0);
        a.isee = 0;
        assert_eq!(score(&a, r, &s.cite, on()).group(Group::Economica), 3000);
        a.isee = 100_001; // 30 × 1,499,999 / 1,600,000 = 28.1249… → 28.12
        assert_eq!(score(&a, r, &s.cite, on()).group(Group::Economica), 2812);
    }

    #[test]
    fn residence_bands_and_cap_under_3_2019() {
        let s = set("R.R. 3/2019");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.years_region = 4;
        a.years_comune = 1;
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(sc.group(Group::ResidenzaRegione), 0);
        assert_eq!(sc.group(Group::ResidenzaComune), 0);
        a.years_region = 5;
        a.years_comune = 2;
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(sc.group(Group::ResidenzaRegione), 300);
        assert_eq!(sc.group(Group::ResidenzaComune), 100);
        a.years_region = 30;
        a.years_comune = 30;
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(sc.group(Group::ResidenzaRegione), 650);
        assert_eq!(sc.group(Group::ResidenzaComune), 800);
        assert_eq!(
            sc.group(Group::ResidenzaRegione) + sc.group(Group::ResidenzaComune),
            1450
        );
    }

    #[test]
    fn residence_under_2_2025_needs_fragility_and_is_capped_at_12() {
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.years_region = 30;
        a.years_comune = 30;
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(
            sc.group(Group::ResidenzaRegione) + sc.group(Group::ResidenzaComune),
            0
        );
        assert!(sc.lines.iter().any(|l| l.detail.contains("fragilità")));
        a.members[0].birth_date = "1950-01-01".parse().unwrap(); // elderly: fragile
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(sc.group(Group::ResidenzaRegione), 650);
        assert_eq!(sc.group(Group::ResidenzaComune), 550, "capped at 12 in all");
    }

    #[test]
    fn derived_and_declared_conditions_with_exclusive_sets() {
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.members.push(Member {
            tax_code: "RSSLRA10A41F205X".into(),
            birth_date: "2010-01-01".parse().unwrap(),
            relationship: Relationship::Figlio,
            disability_pct: 100,
            attendance_allowance: true,
        });
        a.members.push(Member {
            tax_code: "RSSGNN12A01F205X".into(),
            birth_date: "2012-01-01".parse().unwrap(),
            relationship: Relationship::Figlio,
            disability_pct: 70,
            attendance_allowance: false,
        });
        a.declared = vec![
            "MONOGENITORE".into(),
            "ANZIANI".into(),
            "RILASCIO_ALLOGGIO".into(),
            "ALLOGGIO_ANTIGIENICO".into(),
        ];
        let sc = score(&a, r, &s.cite, on());
        let got = |code: &str| sc.lines.iter().find(|l| l.code == code).map(|l| l.points);
        assert_eq!(
            got("ANZIANI"),
            None,
            "a derived condition cannot be declared"
        );
        assert_eq!(got("DISABILE_100_ACCOMPAGNAMENTO"), Some(2000));
        assert_eq!(got("DISABILE_66_99"), Some(0), "not cumulable");
        assert_eq!(got("MONOGENITORE"), Some(1200));
        assert_eq!(got("RILASCIO_ALLOGGIO"), Some(2000));
        assert_eq!(got("ALLOGGIO_ANTIGIENICO"), Some(0));
        assert_eq!(sc.group(Group::Familiari), 3200);
        assert_eq!(sc.group(Group::Abitative), 2000);
        assert_eq!(sc.total, sc.groups.iter().sum::<i64>());
        assert!(sc.unverified.iter().any(|u| u == "punti MONOGENITORE"));
    }

    #[test]
    fn age_is_taken_on_the_opening_day() {
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.members[0].birth_date = "1961-02-01".parse().unwrap();
        assert!(conditions_met(&a, r, on()).contains(&"ANZIANI".to_string()));
        a.members[0].birth_date = "1961-02-02".parse().unwrap();
        assert!(!conditions_met(&a, r, on()).contains(&"ANZIANI".to_string()));
    }

    #[test]
    fn groups_alone_equal_the_explained_score() {
        for cite in ["R.R. 3/2019", "R.R. 6/2021", "R.R. 2/2025"] {
            let s = set(cite);
            let r = s.ranking().unwrap();
            let mut a = app();
            a.members[0].birth_date = "1950-01-01".parse().unwrap();
            a.declared = vec!["RILASCIO_ALLOGGIO".into(), "ALLOGGIO_ANTIGIENICO".into()];
            a.years_region = 20;
            a.years_comune = 20;
            let sc = score(&a, r, &s.cite, on());
            assert_eq!(groups(&a, r, on()), sc.groups, "{cite}");
            let sum: i64 = sc.lines.iter().map(|l| l.points).sum();
            assert_eq!(sum, sc.total, "the lines add up to ISBAR ({cite})");
        }
    }

    #[test]
    fn points_format() {
        assert_eq!(points(1450), "14,50");
        assert_eq!(points(5), "0,05");
        assert_eq!(points(0), "0,00");
    }
}
