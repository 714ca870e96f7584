//! An application (domanda) to a notice, the access requirements of DOMAIN.md 5 and the
//! preferred units. Money in cents; no floating point decides anything.

use crate::rules::ranking::{OtherComuneRule, RankingRules};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Relationship of a member to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relationship {
    Richiedente,
    Coniuge,
    Convivente,
    Figlio,
    Genitore,
    Altro,
}

impl Relationship {
    pub const ALL: [Relationship; 6] = [
        Relationship::Richiedente,
        Relationship::Coniuge,
        Relationship::Convivente,
        Relationship::Figlio,
        Relationship::Genitore,
        Relationship::Altro,
    ];

    pub fn db(self) -> &'static str {
        match self {
            Relationship::Richiedente => "RICHIEDENTE",
            Relationship::Coniuge => "CONIUGE",
            Relationship::Convivente => "CONVIVENTE",
            Relationship::Figlio => "FIGLIO",
            Relationship::Genitore => "GENITORE",
            Relationship::Altro => "ALTRO",
        }
    }

    pub fn parse(s: &str) -> Option<Relationship> {
        let t = s.trim().to_uppercase();
        Relationship::ALL
            .into_iter()
            .find(|r| r.db() == t || (t == "FIGLIA" && *r == Relationship::Figlio))
    }
}

/// One member of the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub tax_code: String,
    pub birth_date: NaiveDate,
    pub relationship: Relationship,
    /// Recognised disability, 0–100.
    pub disability_pct: u8,
    /// Indennità di accompagnamento.
    pub attendance_allowance: bool,
}

impl Member {
    /// Age in whole years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        let mut years = on.year() - self.birth_date.year();
        if (on.month(), on.day()) < (self.birth_date.month(), self.birth_date.day()) {
            years -= 1;
        }
        years.max(0) as u32
    }
}

/// An application as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// ID domanda: the only identifier published.
    pub code: String,
    pub submitted_at: NaiveDateTime,
    pub members: Vec<Member>,
    /// ISEE in cents.
    pub isee: i64,
    /// Assets (patrimonio mobiliare e immobiliare) in cents.
    pub assets: i64,
    pub resides_in_lombardy: bool,
    pub works_in_lombardy: bool,
    /// ISTAT code of the comune of residence (if in Lombardy) and of work.
    pub residence_istat: Option<String>,
    pub work_istat: Option<String>,
    pub years_region: u32,
    /// Years of residence in the comune of residence.
    pub years_comune: u32,
    /// Years of residence in other comuni (ISTAT code, years), for the rankings of those
    /// comuni (art. 12 c.2: the points are for residence in the comune of the unit). Sorted
    /// by ISTAT code, without the comune of residence.
    #[serde(default)]
    pub other_comuni_years: Vec<(String, u32)>,
    /// Largest dwelling owned, in m², if any.
    pub owned_dwelling_m2: Option<u32>,
    /// Date of the last forfeiture, eviction for arrears or occupation without title.
    pub exclusion_on: Option<NaiveDate>,
    /// Declared conditions, by the rule set's codes.
    pub declared: Vec<String>,
    /// Preferred units (registry ids), in order.
    pub preferences: Vec<i64>,
}

impl Application {
    pub fn size(&self) -> u32 {
        self.members.len() as u32
    }

    pub fn is_indigent(&self, rules: &RankingRules) -> bool {
        self.isee <= rules.indigent_isee_max
    }

    /// Years of residence in comune `istat` (0 where the household never lived).
    pub fn years_in(&self, istat: &str) -> u32 {
        if self.residence_istat.as_deref() == Some(istat) {
            return self.years_comune;
        }
        self.other_comuni_years
            .iter()
            .find(|(c, _)| c == istat)
            .map_or(0, |(_, y)| *y)
    }
}

/// Euro from cents, Italian style: 16.000,01.
pub fn euro(cents: i64) -> String {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let int = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{}{grouped},{:02} €", if neg { "-" } else { "" }, c % 100)
}

/// Parses an amount typed in euro ("16000", "16.000,01", "16000.01") into cents, exactly.
pub fn parse_euro(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_end_matches('€').trim().replace(' ', "");
    if t.is_empty() {
        return Err("importo mancante".into());
    }
    // A comma is the decimal separator; dots are then thousands. With no comma, a single dot
    // followed by one or two digits is decimal.
    let (int, dec) = if let Some((i, d)) = t.rsplit_once(',') {
        (i.replace('.', ""), d.to_string())
    } else if let Some((i, d)) = t.rsplit_once('.')
        && d.len() <= 2
        && !i.contains('.')
    {
        (i.to_string(), d.to_string())
    } else {
        (t.replace('.', ""), String::new())
    };
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !dec.chars().all(|c| c.is_ascii_digit())
        || dec.len() > 2
    {
        return Err(format!(
            "'{}' non è un importo in euro (es. 16000,00)",
            s.trim()
        ));
    }
    let int: i64 = int
        .parse()
        .map_err(|_| format!("'{}' importo troppo grande", s.trim()))?;
    let dec: i64 = match dec.len() {
        0 => 0,
        1 => dec.parse::<i64>().unwrap_or(0) * 10,
        _ => dec.parse().unwrap_or(0),
    };
    int.checked_mul(100)
        .and_then(|v| v.checked_add(dec))
        .ok_or_else(|| format!("'{}' importo troppo grande", s.trim()))
}

/// A failed access requirement with its reason (Italian, with the values and the rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub requirement: &'static str,
    pub reason: String,
}

/// Checks the access requirements on the notice's opening day; an empty list means admitted.
pub fn access_failures(
    app: &Application,
    rules: &RankingRules,
    cite: &str,
    opens_on: NaiveDate,
) -> Vec<Failure> {
    let mut out = Vec::new();
    let n = app.size();
    if n == 0
        || !app
            .members
            .iter()
            .any(|m| m.relationship == Relationship::Richiedente)
    {
        out.push(Failure {
            requirement: "NUCLEO",
            reason: "il nucleo deve comprendere il richiedente".into(),
        });
    }
    if rules.lombardy_required && !app.resides_in_lombardy && !app.works_in_lombardy {
        out.push(Failure {
            requirement: "RESIDENZA",
            reason: format!("né residenza né attività lavorativa in Lombardia ({cite})"),
        });
    }
    if app.isee > rules.isee_max {
        out.push(Failure {
            requirement: "ISEE",
            reason: format!(
                "ISEE {} oltre il limite di {} ({cite})",
                euro(app.isee),
                euro(rules.isee_max)
            ),
        });
    }
    let assets_max = rules.assets_max(n.max(1));
    if app.assets > assets_max {
        out.push(Failure {
            requirement: "PATRIMONIO",
            reason: format!(
                "patrimonio {} oltre il limite di {} per {} componenti ({cite})",
                euro(app.assets),
                euro(assets_max),
                n.max(1)
            ),
        });
    }
    if let (Some(owned), Some(adequate)) =
        (app.owned_dwelling_m2, rules.adequate_dwelling_m2(n.max(1)))
        && owned >= adequate
    {
        out.push(Failure {
            requirement: "ALLOGGIO_ADEGUATO",
            reason: format!(
                "possiede un alloggio adeguato di {owned} mq (adeguato da {adequate} mq per {} componenti, {cite})",
                n.max(1)
            ),
        });
    }
    if let Some(on) = app.exclusion_on {
        let limit = opens_on
            .with_year(opens_on.year() - rules.exclusion_years as i32)
            .unwrap_or(opens_on - chrono::Duration::days(365 * i64::from(rules.exclusion_years)));
        if on > limit {
            out.push(Failure {
                requirement: "DECADENZA",
                reason: format!(
                    "decadenza, sfratto per morosità o occupazione senza titolo il {} (meno di {} anni prima dell'avviso, {cite})",
                    on.format("%d/%m/%Y"),
                    rules.exclusion_years
                ),
            });
        }
    }
    out
}

/// A unit offered by a notice, as the preference rules need it.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedUnit {
    pub id: i64,
    pub owner_id: i64,
    pub istat: String,
    pub area_m2: f64,
}

/// Why a preferred unit was not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DroppedPreference {
    pub unit_id: i64,
    pub reason: String,
}

/// The preferences kept (in order) and those dropped with the reason.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preferences {
    pub kept: Vec<i64>,
    pub dropped: Vec<DroppedPreference>,
}

/// Applies the preference rules: at most the rule set's number of units, offered by the
/// notice, adequate to the household; a unit in another comune of the district only when
/// neither the comune of residence nor that of work offers an adequate unit (art. 9 c.2, for
/// the applicants the rule set says); an indigent household only in its comune of residence,
/// else of work, else a comune above the population threshold (DOMAIN.md 5).
pub fn resolve_preferences(
    app: &Application,
    rules: &RankingRules,
    offered: &HashMap<i64, OfferedUnit>,
    population: &HashMap<String, u32>,
) -> Preferences {
    let mut p = Preferences::default();
    let n = app.size().max(1);
    let suits = |u: &OfferedUnit| rules.unit_suits(n, u.area_m2);
    let has_offer = |istat: &Option<String>| {
        istat
            .as_ref()
            .is_some_and(|c| offered.values().any(|u| &u.istat == c && suits(u)))
    };
    let name = |istat: &Option<String>| istat.clone().unwrap_or_else(|| "nessuno".into());
    // The comuni allowed, with the reason a unit elsewhere is dropped; None: any comune.
    let allowed: Option<(BTreeSet<String>, String)> = if app.is_indigent(rules) {
        Some(if has_offer(&app.residence_istat) {
            (
                app.residence_istat.iter().cloned().collect(),
                format!(
                    "per un nucleo indigente l'alloggio deve essere nel comune di residenza ({}), che offre un alloggio adeguato",
                    name(&app.residence_istat)
                ),
            )
        } else if has_offer(&app.work_istat) {
            (
                app.work_istat.iter().cloned().collect(),
                format!(
                    "per un nucleo indigente senza alloggio adeguato nel comune di residenza l'alloggio deve essere nel comune di lavoro ({}), che ne offre uno",
                    name(&app.work_istat)
                ),
            )
        } else {
            (
                population
                    .iter()
                    .filter(|(_, p)| **p > rules.indigent_min_population)
                    .map(|(c, _)| c.clone())
                    .collect(),
                format!(
                    "per un nucleo indigente senza alloggio adeguato nel comune di residenza o di lavoro l'alloggio deve essere in un comune dell'ambito con più di {} abitanti",
                    rules.indigent_min_population
                ),
            )
        })
    } else if rules.other_comune_rule == OtherComuneRule::Tutti
        && (has_offer(&app.residence_istat) || has_offer(&app.work_istat))
    {
        Some((
            [&app.residence_istat, &app.work_istat]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            format!(
                "art. 9 c.2: un alloggio in un altro comune dell'ambito si sceglie solo se né il comune di residenza ({}) né quello di lavoro ({}) offrono un alloggio adeguato",
                name(&app.residence_istat),
                name(&app.work_istat)
            ),
        ))
    } else {
        None
    };
    let mut seen = BTreeSet::new();
    for &id in &app.preferences {
        let drop = |reason: String| DroppedPreference {
            unit_id: id,
            reason,
        };
        if !seen.insert(id) {
            p.dropped.push(drop("alloggio indicato due volte".into()));
            continue;
        }
        if p.kept.len() as u32 >= rules.max_preferences {
            p.dropped.push(drop(format!(
                "oltre il numero massimo di {} alloggi",
                rules.max_preferences
            )));
            continue;
        }
        let Some(u) = offered.get(&id) else {
            p.dropped
                .push(drop("alloggio non offerto dall'avviso".into()));
            continue;
        };
        if !suits(u) {
            p.dropped.push(drop(format!(
                "alloggio di {} mq non adeguato a un nucleo di {n} componenti",
                u.area_m2
            )));
            continue;
        }
        if let Some((allowed, why)) = &allowed
            && !allowed.contains(&u.istat)
        {
            p.dropped
                .push(drop(format!("alloggio nel comune {}: {why}", u.istat)));
            continue;
        }
        p.kept.push(id);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin;

    fn rules() -> &'static RankingRules {
        builtin().unwrap().last().unwrap().ranking().unwrap()
    }

    pub(crate) fn app() -> Application {
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
            isee: 1_000_000,
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

    fn failures(a: &Application) -> Vec<&'static str> {
        access_failures(a, rules(), "R.R. 2/2025", "2026-02-01".parse().unwrap())
            .into_iter()
            .map(|f| f.requirement)
            .collect()
    }

    #[test]
    fn isee_at_the_exact_threshold() {
        let mut a = app();
        a.isee = 1_600_000;
        assert!(failures(&a).is_empty());
        a.isee = 1_600_001;
        assert_eq!(failures(&a), vec!["ISEE"]);
        let f = access_failures(&a, rules(), "R.R. 2/2025", "2026-02-01".parse().unwrap());
        assert!(f[0].reason.contains("16.000,01 €"), "{}", f[0].reason);
        assert!(f[0].reason.contains("16.000,00 €"), "{}", f[0].reason);
    }

    #[test]
    fn indigent_at_the_exact_threshold() {
        let mut a = app();
        a.isee = 300_000;
        assert!(a.is_indigent(rules()));
        a.isee = 300_001;
        assert!(!a.is_indigent(rules()));
    }

    #[test]
    fn assets_by_household_size() {
        let r = rules();
        assert_eq!(r.assets_max(1), 2_200_000);
        // 16,000 + 5,000 × 1.57 = 23,850
        assert_eq!(r.assets_max(2), 2_385_000);
        // 5 members: 16,000 + 5,000 × 2.85 = 30,250; 6: PSE 3.20 → 32,000
        assert_eq!(r.assets_max(5), 3_025_000);
        assert_eq!(r.assets_max(6), 3_200_000);
        let mut a = app();
        a.assets = 2_200_000;
        assert!(failures(&a).is_empty());
        a.assets = 2_200_001;
        assert_eq!(failures(&a), vec!["PATRIMONIO"]);
    }

    #[test]
    fn lombardy_dwelling_and_exclusion() {
        let mut a = app();
        a.resides_in_lombardy = false;
        assert_eq!(failures(&a), vec!["RESIDENZA"]);
        a.works_in_lombardy = true;
        assert!(failures(&a).is_empty());
        a.owned_dwelling_m2 = Some(44);
        assert!(failures(&a).is_empty());
        a.owned_dwelling_m2 = Some(45);
        assert_eq!(failures(&a), vec!["ALLOGGIO_ADEGUATO"]);
        a.owned_dwelling_m2 = None;
        a.exclusion_on = Some("2021-02-01".parse().unwrap());
        assert!(failures(&a).is_empty(), "exactly five years before");
        a.exclusion_on = Some("2021-02-02".parse().unwrap());
        assert_eq!(failures(&a), vec!["DECADENZA"]);
        a.members.clear();
        assert!(failures(&a).contains(&"NUCLEO"));
    }

    #[test]
    fn euro_amounts_parse_exactly() {
        assert_eq!(parse_euro("16000").unwrap(), 1_600_000);
        assert_eq!(parse_euro("16.000,01").unwrap(), 1_600_001);
        assert_eq!(parse_euro("16000.01").unwrap(), 1_600_001);
        assert_eq!(parse_euro("3000,1").unwrap(), 300_010);
        assert_eq!(parse_euro("1.600.000").unwrap(), 160_000_000);
        assert!(parse_euro("12,345").is_err());
        assert!(parse_euro("abc").is_err());
        assert!(parse_euro("").is_err());
        assert_eq!(euro(1_600_001), "16.000,01 €");
        assert_eq!(euro(5), "0,05 €");
    }

    /// Art. 9 c.2: a unit in another comune of the district may be chosen only when neither
    /// the comune of residence nor that of work offers an adequate unit — for every applicant,
    /// not only indigents; the preference is dropped with the reason.
    #[test]
    fn art_9_c2_another_comune_only_when_none_is_adequate_at_home_or_work() {
        let r = rules();
        let unit = |id, istat: &str, area| {
            (
                id,
                OfferedUnit {
                    id,
                    owner_id: 1,
                    istat: istat.into(),
                    area_m2: area,
                },
            )
        };
        // Residence Milano (015146), work Rho (015182), third comune San Giuliano (015195).
        let offered: HashMap<i64, OfferedUnit> = [
            unit(1, "015146", 50.0),
            unit(2, "015195", 50.0),
            unit(3, "015182", 50.0),
            unit(4, "015146", 20.0),
        ]
        .into_iter()
        .collect();
        let pop: HashMap<String, u32> = [
            ("015146".into(), 1_300_000),
            ("015182".into(), 50_000),
            ("015195".into(), 40_000),
        ]
        .into_iter()
        .collect();
        let mut a = app();
        assert!(!a.is_indigent(r));
        a.work_istat = Some("015182".into());
        a.preferences = vec![2, 3];
        let p = resolve_preferences(&a, r, &offered, &pop);
        assert_eq!(p.kept, vec![3], "work comune kept, third comune dropped");
        assert_eq!(p.dropped.len(), 1);
        assert_eq!(p.dropped[0].unit_id, 2);
        assert!(
            p.dropped[0].reason.contains("art. 9 c.2"),
            "{:?}",
            p.dropped
        );
        // Without an adequate unit at home or work, another comune of the district is fine.
        let far: HashMap<i64, OfferedUnit> = [unit(2, "015195", 50.0), unit(4, "015146", 20.0)]
            .into_iter()
            .collect();
        a.preferences = vec![2];
        let p = resolve_preferences(&a, r, &far, &pop);
        assert_eq!(p.kept, vec![2]);
    }

    #[test]
    fn preferences_are_capped_offered_adequate_and_local_for_indigents() {
        let r = rules();
        let unit = |id, istat: &str, area| {
            (
                id,
                OfferedUnit {
                    id,
                    owner_id: 1,
                    istat: istat.into(),
                    area_m2: area,
                },
            )
        };
        let offered: HashMap<i64, OfferedUnit> = [
            unit(1, "015146", 50.0),
            unit(2, "015146", 20.0),
            unit(3, "015077", 50.0),
            unit(4, "015146", 60.0),
            unit(5, "015146", 40.0),
        ]
        .into_iter()
        .collect();
        let pop: HashMap<String, u32> = [("015146".into(), 1_300_000), ("015077".into(), 3_000)]
            .into_iter()
            .collect();
        let mut a = app();
        // Unit 3 is in another comune while Milano, the comune of residence, offers adequate
        // units: art. 9 c.2 drops it (this test kept it before issue 12).
        a.preferences = vec![9, 2, 1, 3, 4, 5];
        let p = resolve_preferences(&a, r, &offered, &pop);
        assert_eq!(p.kept, vec![1, 4], "max 2 under R.R. 2/2025");
        assert_eq!(p.dropped.len(), 4);
        assert!(p.dropped[0].reason.contains("non offerto"));
        assert!(p.dropped[1].reason.contains("non adeguato"));
        assert!(p.dropped[2].reason.contains("art. 9 c.2"));
        assert!(p.dropped[3].reason.contains("massimo di 2"));
        // Indigent resident in Milano: only Milano's units.
        a.isee = 200_000;
        let p = resolve_preferences(&a, r, &offered, &pop);
        assert_eq!(p.kept, vec![1, 4]);
        assert!(
            p.dropped
                .iter()
                .any(|d| d.unit_id == 3 && d.reason.contains("indigente"))
        );
    }
}
