//! ISBAR (Indicatore della Situazione di Bisogno Abitativo Regionale): the score of an
//! admitted application under a rule set, in hundredths of a point, with one sub-score per
//! group and the lines that explain it.

use super::application::Application;
use crate::rules::ranking::{
    ComunePointsIn, Condition, Group, Membership, RankingRules, WithoutFragility,
};
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

/// Whether `app`'s household is one `m` names, on day `on`. For the declared kinds, `Err`
/// carries why a declaration does not hold.
fn member_of(m: &Membership, app: &Application, on: NaiveDate) -> Result<(), String> {
    use super::application::Relationship::*;
    let ages = || app.members.iter().map(|x| x.age_on(on));
    let yes = |ok: bool, why: &str| if ok { Ok(()) } else { Err(why.to_string()) };
    match m {
        Membership::EtaMinima { anni } => yes(ages().any(|a| a >= *anni), "nessun anziano"),
        Membership::Disabilita {
            min_pct,
            max_pct,
            accompagnamento,
        } => yes(
            app.members.iter().any(|x| {
                (*min_pct..=*max_pct).contains(&x.disability_pct)
                    && accompagnamento.is_none_or(|a| a == x.attendance_allowance)
            }),
            "nessun componente nella fascia di invalidità",
        ),
        Membership::Anziani {
            anni,
            max_componenti,
            oltre_anni,
            inabile_pct,
        } => {
            let n = app.members.len();
            if n == 0 || n > *max_componenti as usize {
                return Err(format!("nucleo di {n} componenti"));
            }
            let old = |x: &super::application::Member| x.age_on(on) >= *anni;
            if app.members.iter().all(old) {
                return Ok(());
            }
            // Two members, one has turned `anni`: the other is totally unfit for work, or the
            // older is past `oltre_anni` (on the day after that birthday, "oltre").
            let day_before = on.pred_opt().unwrap_or(on);
            let over = |x: &super::application::Member| x.age_on(day_before) >= *oltre_anni;
            yes(
                n == 2
                    && app.members.iter().any(&old)
                    && app
                        .members
                        .iter()
                        .any(|x| (!old(x) && x.disability_pct >= *inabile_pct) || over(x)),
                "requisiti di età non soddisfatti",
            )
        }
        Membership::Monogenitore { eta_minore } => {
            let partner = app
                .members
                .iter()
                .any(|x| matches!(x.relationship, Coniuge | Convivente));
            let others_children = app
                .members
                .iter()
                .all(|x| matches!(x.relationship, Richiedente | Figlio));
            let minor = app
                .members
                .iter()
                .any(|x| x.relationship == Figlio && x.age_on(on) < *eta_minore);
            if partner {
                Err("nel nucleo c'è un coniuge o convivente".into())
            } else if !others_children {
                Err("nel nucleo ci sono componenti che non sono figli del richiedente".into())
            } else {
                yes(minor, "nessun figlio minorenne nel nucleo")
            }
        }
        Membership::NuovaFamiglia { eta_minore } => {
            let partners = app
                .members
                .iter()
                .filter(|x| matches!(x.relationship, Coniuge | Convivente))
                .count();
            let others_minor = app.members.iter().all(|x| {
                matches!(x.relationship, Richiedente | Coniuge | Convivente)
                    || x.age_on(on) < *eta_minore
            });
            if partners != 1 {
                Err("il nucleo non è una coppia (richiedente con coniuge o convivente)".into())
            } else {
                yes(
                    others_minor,
                    "oltre alla coppia il nucleo comprende componenti maggiorenni",
                )
            }
        }
    }
}

/// Whether condition `c` applies: derived ones from the household, declared ones when declared
/// and the household is the one they name. `Err` explains a declaration that does not hold.
fn applies(c: &Condition, app: &Application, on: NaiveDate) -> Result<bool, String> {
    match &c.membership {
        Some(m) if m.derived() => Ok(member_of(m, app, on).is_ok()),
        _ if !app.declared.iter().any(|x| x == &c.code) => Ok(false),
        Some(m) => member_of(m, app, on).map(|()| true),
        None => Ok(true),
    }
}

/// The condition codes that apply: the derived ones the household meets and the declared ones
/// that are not derived (a derived condition cannot be declared into being) and whose household
/// is the one they name.
pub fn conditions_met(app: &Application, rules: &RankingRules, on: NaiveDate) -> Vec<String> {
    rules
        .conditions
        .iter()
        .filter(|c| applies(c, app, on) == Ok(true))
        .map(|c| c.code.clone())
        .collect()
}

/// The years that score the comune points of a ranking in `comune` (None: the comune of
/// residence): the years in the comune of the unit (art. 12 c.2), or under older files the
/// years in the comune of residence in every ranking.
pub fn comune_years(app: &Application, rules: &RankingRules, comune: Option<&str>) -> u32 {
    match (comune, rules.comune_points_in) {
        (Some(c), ComunePointsIn::ComuneAlloggio) => app.years_in(c),
        _ => app.years_comune,
    }
}

/// The sub-scores only, in the comune of residence: no explanation is built.
pub fn groups(app: &Application, rules: &RankingRules, on: NaiveDate) -> [i64; 5] {
    tally(app, rules, "", on, None, None).0
}

/// The sub-scores in the ranking of `comune` (None: the comune of residence) and the
/// conditions that counted, as a bit set over `rules.conditions` (the hot path of a ranking).
pub fn groups_and_conditions(
    app: &Application,
    rules: &RankingRules,
    on: NaiveDate,
    comune: Option<&str>,
) -> ([i64; 5], u64) {
    tally(app, rules, "", on, comune, None)
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

/// Scores `app` under `rules` with the explanation, in the comune of residence; `on` is the
/// notice's opening day (ages are taken then).
pub fn score(app: &Application, rules: &RankingRules, cite: &str, on: NaiveDate) -> Score {
    score_in(app, rules, cite, on, None)
}

/// `score` in the ranking of `comune` (None: the comune of residence): the comune points are
/// for the years there (art. 12 c.2).
pub fn score_in(
    app: &Application,
    rules: &RankingRules,
    cite: &str,
    on: NaiveDate,
    comune: Option<&str>,
) -> Score {
    let mut ex = Explained::default();
    let (groups, _) = tally(app, rules, cite, on, comune, Some(&mut ex));
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
    let residence = !unv("isbar.residence.cap_points")
        && !unv("isbar.residence.fragility_only")
        && !unv("isbar.residence.without_fragility")
        && !unv("isbar.residence.fragility_conditions");
    for l in &mut lines {
        l.verified = match l.code.as_str() {
            "ECONOMICA" => {
                !unv("isbar.economic.formula")
                    && !unv("isbar.economic.max_points")
                    && !unv("isbar.economic.isee_reference_eur")
            }
            "RESIDENZA_REGIONE" => residence && !unv("isbar.residence.region_bands"),
            "RESIDENZA_COMUNE" => {
                residence
                    && !unv("isbar.residence.comune_bands")
                    && !unv("isbar.residence.comune_points_in")
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
    comune: Option<&str>,
    mut ex: Option<&mut Explained>,
) -> ([i64; 5], u64) {
    let mut groups = [0i64; 5];
    let mut counted_bits = 0u64;
    let applies: Vec<Result<bool, String>> = rules
        .conditions
        .iter()
        .map(|c| applies(c, app, on))
        .collect();
    let met = |i: usize| applies[i] == Ok(true);
    // Of each exclusive set only the condition worth most counts (the first in the file on a
    // tie); the others are listed with 0 and the reason.
    let mut best: Vec<(&str, usize)> = Vec::new();
    for (i, c) in rules.conditions.iter().enumerate().filter(|(i, _)| met(*i)) {
        if let Some(x) = &c.exclusive {
            match best.iter_mut().find(|(n, _)| *n == x.as_str()) {
                Some(b) if rules.conditions[b.1].points < c.points => b.1 = i,
                Some(_) => {}
                None => best.push((x.as_str(), i)),
            }
        }
    }
    for (i, c) in rules.conditions.iter().enumerate() {
        if let (Err(why), Some(ex)) = (&applies[i], ex.as_deref_mut()) {
            // Declared, but the household is not the one the condition names.
            if !c.membership_verified {
                ex.unverified.push(format!("appartenenza {}", c.code));
            }
            let cite = c.membership_source.split(':').next().unwrap_or_default();
            ex.lines.push(Line {
                group: c.group,
                code: c.code.clone(),
                label: c.label.clone(),
                points: 0,
                legal_ref: c.legal_ref.clone(),
                detail: format!("dichiarata ma non riconosciuta: {why} ({cite})"),
                verified: c.verified && c.membership_verified,
            });
        }
        if !met(i) {
            continue;
        }
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
            if counted && c.membership.is_some() && !c.membership_verified {
                ex.unverified.push(format!("appartenenza {}", c.code));
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
                verified: c.verified && c.membership_verified,
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

    // Residence: bands of years in the region and in the comune of the ranking, capped
    // together; under a fragility rule they add up only for households with a fragility
    // condition, the others get one of the two (the higher, or none, as the rule set says).
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
            .any(|(i, c)| met(i) && rules.fragility_conditions.iter().any(|f| f == &c.code));
    let years_comune = comune_years(app, rules, comune);
    let mut region = band(&rules.region_bands, app.years_region);
    let mut comune_pts = band(&rules.comune_bands, years_comune);
    let mut why_region = None;
    let mut why_comune = None;
    if !fragile && region + comune_pts > 0 {
        match rules.without_fragility {
            WithoutFragility::Nessuno => {
                let why = "nessuna condizione di fragilità: i punti di residenza non si applicano";
                why_region = Some(why.to_string());
                why_comune = Some(why.to_string());
                region = 0;
                comune_pts = 0;
            }
            WithoutFragility::Maggiore => {
                // Our rule: the higher of the two; on a tie the comune's (it is the one the
                // ranking's comune gives).
                let why = format!(
                    "nessuna condizione di fragilità: Regione ({}) e Comune ({}) non si sommano, conta il maggiore",
                    points(region),
                    points(comune_pts)
                );
                if region > comune_pts {
                    comune_pts = 0;
                    why_comune = Some(why);
                } else {
                    region = 0;
                    why_region = Some(why);
                }
            }
        }
    }
    let mut capped = false;
    if region + comune_pts > rules.residence_cap {
        // Our rule: the region's points first, the comune's up to the cap.
        let over = region + comune_pts - rules.residence_cap;
        let cut = over.min(comune_pts);
        comune_pts -= cut;
        region -= over - cut;
        capped = true;
    }
    groups[Group::ResidenzaRegione.index()] = region;
    groups[Group::ResidenzaComune.index()] = comune_pts;
    if let Some(ex) = ex {
        let mut note_region = format!("{} anni in Regione", app.years_region);
        let mut note_comune = match comune {
            Some(c) if rules.comune_points_in == ComunePointsIn::ComuneAlloggio => {
                format!("{years_comune} anni nel Comune dell'alloggio, {c} (art. 12 c.2)")
            }
            _ => format!("{years_comune} anni nel Comune di residenza"),
        };
        if let Some(why) = why_region {
            note_region = format!("{note_region}; {why}");
        }
        if let Some(why) = why_comune {
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
            points: comune_pts,
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
            other_comuni_years: vec![],
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
        // Without fragility only one of the two counts, the higher (issue 12: never zero for
        // both, as this test asserted before).
        assert_eq!(
            sc.group(Group::ResidenzaRegione) + sc.group(Group::ResidenzaComune),
            800
        );
        assert!(sc.lines.iter().any(|l| l.detail.contains("fragilità")));
        a.members[0].birth_date = "1950-01-01".parse().unwrap(); // elderly: fragile
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(sc.group(Group::ResidenzaRegione), 650);
        assert_eq!(sc.group(Group::ResidenzaComune), 550, "capped at 12 in all");
    }

    /// R.R. 2/2025 (DOMAIN.md 5): region and comune points add up only with a fragility
    /// condition (capped at 12); without one only one of the two counts, the higher (our rule,
    /// `isbar.residence.without_fragility`). Never zero for both.
    #[test]
    fn rr_2_2025_residence_without_fragility_counts_the_higher_of_the_two() {
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let mut a = app();
        a.years_region = 20;
        a.years_comune = 12;
        let sc = score(&a, r, &s.cite, on());
        let res = |sc: &Score| {
            (
                sc.group(Group::ResidenzaRegione),
                sc.group(Group::ResidenzaComune),
            )
        };
        assert_eq!(res(&sc), (0, 800), "comune 8.00 beats region 6.50");
        a.years_comune = 3;
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(res(&sc), (650, 0), "region 6.50 beats comune 1.00");
        assert!(
            sc.lines
                .iter()
                .any(|l| l.code == "RESIDENZA_COMUNE" && l.detail.contains("maggiore")),
            "{:?}",
            sc.lines
        );
        // With a fragility condition both count, capped at 12.
        a.years_comune = 12;
        a.members[0].birth_date = "1950-01-01".parse().unwrap();
        let sc = score(&a, r, &s.cite, on());
        assert_eq!(res(&sc), (650, 550));
        // Under R.R. 3/2019 there is no fragility rule: both count, capped at 14.5.
        let s = set("R.R. 3/2019");
        let mut a = app();
        a.years_region = 20;
        a.years_comune = 12;
        let sc = score(&a, s.ranking().unwrap(), &s.cite, on());
        assert_eq!(res(&sc), (650, 800));
    }

    fn member(birth: &str, rel: Relationship, pct: u8) -> Member {
        Member {
            tax_code: format!("X{birth}"),
            birth_date: birth.parse().unwrap(),
            relationship: rel,
            disability_pct: pct,
            attendance_allowance: false,
        }
    }

    /// Art. 14 c.1 lett. a: single persons or households of at most two members who have
    /// turned 65, or where one of the two is totally unfit for work or over 75.
    #[test]
    fn art_14_a_anziani_only_for_one_or_two_members() {
        for cite in ["R.R. 3/2019", "R.R. 6/2021", "R.R. 2/2025"] {
            let r = set(cite).ranking().unwrap();
            let has = |members: Vec<Member>| {
                let mut a = app();
                a.members = members;
                conditions_met(&a, r, on()).contains(&"ANZIANI".to_string())
            };
            use Relationship::*;
            // on() is 2026-02-01.
            assert!(
                has(vec![member("1961-02-01", Richiedente, 0)]),
                "{cite}: 65 today"
            );
            assert!(
                !has(vec![member("1961-02-02", Richiedente, 0)]),
                "{cite}: 64"
            );
            assert!(has(vec![
                member("1956-01-01", Richiedente, 0),
                member("1960-01-01", Coniuge, 0),
            ]));
            assert!(
                !has(vec![
                    member("1956-01-01", Richiedente, 0),
                    member("1990-01-01", Figlio, 0),
                    member("1992-01-01", Figlio, 0),
                ]),
                "{cite}: three members with a 70-year-old"
            );
            assert!(
                !has(vec![
                    member("1956-01-01", Richiedente, 0),
                    member("1970-01-01", Coniuge, 0),
                ]),
                "{cite}: two members, one under 65, fit for work, the other not over 75"
            );
            assert!(
                has(vec![
                    member("1956-01-01", Richiedente, 0),
                    member("1970-01-01", Coniuge, 100),
                ]),
                "{cite}: the one under 65 is totally unfit for work"
            );
            assert!(
                has(vec![
                    member("1950-01-31", Richiedente, 0),
                    member("1970-01-01", Coniuge, 0),
                ]),
                "{cite}: one of the two over 75"
            );
            assert!(
                !has(vec![
                    member("1951-02-01", Richiedente, 0),
                    member("1970-01-01", Coniuge, 0),
                ]),
                "{cite}: 75 today is not over 75"
            );
            assert!(
                !has(vec![
                    member("1970-01-01", Richiedente, 100),
                    member("1972-01-01", Coniuge, 0),
                ]),
                "{cite}: nobody has turned 65"
            );
        }
    }

    /// Art. 14 c.1 (DOMAIN.md 5): a declared family condition counts only when the household
    /// is one: single parent with minor children; new household = a couple, with minors only.
    #[test]
    fn art_14_declared_family_conditions_need_the_household_they_name() {
        use Relationship::*;
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let pts = |members: Vec<Member>, code: &str| {
            let mut a = app();
            a.members = members;
            a.declared = vec![code.to_string()];
            let sc = score(&a, r, &s.cite, on());
            sc.lines
                .iter()
                .find(|l| l.code == code)
                .map(|l| (l.points, l.detail.clone()))
        };
        let single_parent = vec![
            member("1985-01-01", Richiedente, 0),
            member("2015-01-01", Figlio, 0),
        ];
        assert_eq!(pts(single_parent.clone(), "MONOGENITORE").unwrap().0, 1200);
        let mut with_partner = single_parent.clone();
        with_partner.push(member("1984-01-01", Convivente, 0));
        let (p, why) = pts(with_partner, "MONOGENITORE").unwrap();
        assert_eq!(p, 0, "a partner in the household");
        assert!(why.contains("art. 14"), "{why}");
        let adult_child = vec![
            member("1970-01-01", Richiedente, 0),
            member("2000-01-01", Figlio, 0),
        ];
        assert_eq!(pts(adult_child, "MONOGENITORE").unwrap().0, 0, "no minor");
        let couple = vec![
            member("1995-01-01", Richiedente, 0),
            member("1996-01-01", Coniuge, 0),
            member("2025-01-01", Figlio, 0),
        ];
        assert_eq!(pts(couple, "FAMIGLIA_NUOVA").unwrap().0, 1000);
        let alone = vec![member("1995-01-01", Richiedente, 0)];
        assert_eq!(pts(alone, "FAMIGLIA_NUOVA").unwrap().0, 0, "not a couple");
        let with_parent = vec![
            member("1995-01-01", Richiedente, 0),
            member("1996-01-01", Coniuge, 0),
            member("1960-01-01", Genitore, 0),
        ];
        assert_eq!(
            pts(with_parent, "FAMIGLIA_NUOVA").unwrap().0,
            0,
            "only the couple and minors"
        );
    }

    /// DOMAIN.md 5: disability bands 66–99%, 100%, 100% with attendance allowance.
    #[test]
    fn disability_band_edges() {
        let s = set("R.R. 2/2025");
        let r = s.ranking().unwrap();
        let met = |pct: u8, allowance: bool| {
            let mut a = app();
            a.members[0].disability_pct = pct;
            a.members[0].attendance_allowance = allowance;
            conditions_met(&a, r, on())
                .into_iter()
                .filter(|c| c.starts_with("DISABILE"))
                .collect::<Vec<_>>()
        };
        assert!(met(65, false).is_empty());
        assert_eq!(met(66, false), ["DISABILE_66_99"]);
        assert_eq!(met(99, true), ["DISABILE_66_99"]);
        assert_eq!(met(100, false), ["DISABILE_100"]);
        assert_eq!(met(100, true), ["DISABILE_100_ACCOMPAGNAMENTO"]);
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
