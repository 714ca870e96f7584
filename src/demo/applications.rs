//! Realistic, deterministic applications (domande) for a demo notice: household sizes skewed to
//! 1–3 members, some elderly and disabled members, ISEE mostly under the limit with some
//! indigent and some excluded households, residence weighted by population, a few declared
//! conditions, and preferences among the units offered, mostly in the comune of residence.
//!
//! Pure: plain data in, applications out. The same seed gives the same applications.

use super::cf::{Sex, personal_tax_code};
use super::names::{FEMALE, MALE, Origin, SURNAMES, pick_common, pick_origin, pick_str};
use super::places::ITALY_ELSEWHERE;
use crate::domain::application::{Application, Member, Relationship};
use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// A unit offered by the notice.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedRef {
    pub unit_id: i64,
    pub istat: String,
    pub area_m2: f64,
}

/// A comune where applicants may live, with its population (the weight of the draw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComuneRef2 {
    pub istat: String,
    pub population: u32,
}

/// Random stream of the applications (independent of the other demo streams).
const STREAM_APPLICATIONS: u64 = 11;
/// Stream of the residence history in other comuni: drawn apart, per application, so the
/// rest of the applications is what it was before the history existed.
const STREAM_RESIDENCE: u64 = 12;

/// Household sizes 1..=7, in tenths of a percent: mostly 1–3 members.
const SIZE_WEIGHTS: [u32; 7] = [330, 250, 180, 130, 65, 30, 15];
/// Share of foreign-born households by size.
const FOREIGN_BY_SIZE: [f64; 7] = [0.15, 0.22, 0.38, 0.45, 0.52, 0.58, 0.62];

/// Belfiore codes of Lombard comuni (Milano, Bergamo, Brescia, Como, Cremona, Lecco, Lodi,
/// Mantova, Monza, Pavia, Sondrio, Varese), for members born in Lombardy.
const LOMBARD_BIRTH: &[&str] = &[
    "F205", "F205", "F205", "F205", "A794", "B157", "B157", "C933", "D150", "E507", "E648", "E897",
    "F704", "G388", "I829", "L682",
];

/// Generates `n` applications to a notice open from `opens` (inclusive) to `closes`
/// (exclusive). `comuni` weights the comune of residence; `offered` are the units the notice
/// offers (preferences are drawn among them, up to `max_preferences`); `conditions` the rule
/// set's condition codes, of which only the declared ones (not starting with `ANZIANI` or
/// `DISABILE`, which are derived from the members) are drawn.
#[allow(clippy::too_many_arguments)]
pub fn generate(
    n: usize,
    seed: u64,
    comuni: &[ComuneRef2],
    offered: &[OfferedRef],
    max_preferences: usize,
    opens: NaiveDate,
    closes: NaiveDate,
    conditions: &[String],
) -> Vec<Application> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(STREAM_APPLICATIONS);
    let mut g = Generator::new(comuni, offered, max_preferences, opens, closes, conditions);
    g.seed = seed;
    (0..n).map(|i| g.application(&mut rng, i + 1)).collect()
}

struct Generator<'a> {
    comuni: &'a [ComuneRef2],
    cumulative: Vec<u64>,
    offered: &'a [OfferedRef],
    /// Indexes into `offered` by ISTAT code.
    offered_by_comune: HashMap<&'a str, Vec<usize>>,
    max_preferences: usize,
    opens: NaiveDate,
    start: NaiveDateTime,
    window_secs: i64,
    declared: Vec<&'a str>,
    year: i32,
    seed: u64,
}

/// One member before names and codes are drawn.
struct Draft {
    relationship: Relationship,
    sex: Sex,
    age: u32,
}

impl<'a> Generator<'a> {
    fn new(
        comuni: &'a [ComuneRef2],
        offered: &'a [OfferedRef],
        max_preferences: usize,
        opens: NaiveDate,
        closes: NaiveDate,
        conditions: &'a [String],
    ) -> Self {
        let mut total = 0u64;
        let cumulative = comuni
            .iter()
            .map(|c| {
                total += u64::from(c.population.max(1));
                total
            })
            .collect();
        let mut offered_by_comune: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, u) in offered.iter().enumerate() {
            offered_by_comune
                .entry(u.istat.as_str())
                .or_default()
                .push(i);
        }
        let start = opens.and_time(NaiveTime::MIN);
        let window_secs = (closes.and_time(NaiveTime::MIN) - start).num_seconds();
        Generator {
            comuni,
            cumulative,
            offered,
            offered_by_comune,
            max_preferences,
            opens,
            start,
            window_secs,
            declared: conditions
                .iter()
                .map(String::as_str)
                .filter(|c| !c.starts_with("ANZIANI") && !c.starts_with("DISABILE"))
                .collect(),
            year: opens.year(),
            seed: 0,
        }
    }

    fn application(&self, rng: &mut ChaCha8Rng, seq: usize) -> Application {
        let size = weighted_index(rng, &SIZE_WEIGHTS) + 1;
        let origin = rng
            .random_bool(FOREIGN_BY_SIZE[size - 1])
            .then(|| pick_origin(rng));
        let (drafts, couple, single_parent) = compose(rng, size, origin.is_some());
        let members = self.members(rng, &drafts, origin);
        let applicant_age = drafts[0].age;

        let isee = isee(rng);
        let assets = assets(rng, size);

        let resides = rng.random_bool(0.97);
        let residence_istat = if resides { self.comune(rng) } else { None };
        let works = if resides {
            applicant_age < 67 && rng.random_bool(0.55)
        } else {
            rng.random_bool(0.75)
        };
        let work_istat = if works {
            if residence_istat.is_some() && rng.random_bool(0.6) {
                residence_istat.clone()
            } else {
                self.comune(rng)
            }
        } else {
            None
        };
        let (years_region, years_comune) = if resides {
            let max = applicant_age.clamp(1, 70);
            let region = if rng.random_bool(0.1) {
                rng.random_range(0..5.min(max + 1))
            } else {
                rng.random_range(0..=max)
            };
            let comune = if rng.random_bool(0.55) {
                region
            } else {
                rng.random_range(0..=region)
            };
            (region, comune)
        } else {
            (0, 0)
        };
        let other_comuni_years = self.residence_history(
            seq,
            residence_istat.as_deref(),
            work_istat.as_deref(),
            years_region.saturating_sub(years_comune),
        );
        let owned_dwelling_m2 = rng.random_bool(0.03).then(|| rng.random_range(20..=120));
        let exclusion_on = rng.random_bool(0.01).then(|| {
            self.opens
                .checked_sub_days(Days::new(rng.random_range(30..=8 * 365)))
                .unwrap_or(self.opens)
        });
        let minors = drafts.iter().any(|d| d.age < 18);
        let mut declared = Vec::new();
        for &code in &self.declared {
            let p = match code {
                "FAMIGLIA_NUOVA" if couple && applicant_age < 40 => 0.35,
                "FAMIGLIA_NUOVA" => 0.0,
                "MONOGENITORE" if single_parent && minors => 0.75,
                "MONOGENITORE" => 0.0,
                "GENITORE_SEPARATO" if !couple => 0.08,
                "GENITORE_SEPARATO" => 0.01,
                "RILASCIO_ALLOGGIO" => 0.06,
                "ALLOGGIO_ANTIGIENICO" => 0.05,
                "STRUTTURA_ASSISTENZIALE" => 0.01,
                _ => 0.03,
            };
            if p > 0.0 && rng.random_bool(p) {
                declared.push(code.to_string());
            }
        }
        let preferences = self.preferences(rng, residence_istat.as_deref(), size);
        let submitted_at = if self.window_secs > 0 {
            self.start + TimeDelta::seconds(rng.random_range(0..self.window_secs))
        } else {
            self.start + TimeDelta::hours(9)
        };
        Application {
            code: format!("D-{}-{seq:07}", self.year),
            submitted_at,
            members,
            isee,
            assets,
            resides_in_lombardy: resides,
            works_in_lombardy: works,
            residence_istat,
            work_istat,
            years_region,
            years_comune,
            other_comuni_years,
            owned_dwelling_m2,
            exclusion_on,
            declared,
            preferences,
        }
    }

    /// Earlier residence in other comuni of the district, within the `spare` years in the
    /// region not spent in the current comune: about a third of those who moved lived before
    /// in another comune, more often the one they work in.
    fn residence_history(
        &self,
        seq: usize,
        home: Option<&str>,
        work: Option<&str>,
        spare: u32,
    ) -> Vec<(String, u32)> {
        if spare == 0 || home.is_none() {
            return Vec::new();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.wrapping_add(seq as u64));
        rng.set_stream(STREAM_RESIDENCE);
        if !rng.random_bool(0.35) {
            return Vec::new();
        }
        let before = match work.filter(|w| Some(*w) != home) {
            Some(w) if rng.random_bool(0.5) => Some(w.to_string()),
            // Another comune by population (a few draws: one comune may hold most people).
            _ => (0..8)
                .filter_map(|_| self.comune(&mut rng))
                .find(|c| Some(c.as_str()) != home),
        };
        match before {
            Some(c) => vec![(c, rng.random_range(1..=spare))],
            None => Vec::new(),
        }
    }

    /// A comune by population, or None when there is none.
    fn comune(&self, rng: &mut ChaCha8Rng) -> Option<String> {
        let total = *self.cumulative.last()?;
        let x = rng.random_range(0..total);
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.comuni.get(i).map(|c| c.istat.clone())
    }

    /// 0..=max preferences, most households using them all, mostly in their comune and in
    /// units roughly large enough.
    fn preferences(&self, rng: &mut ChaCha8Rng, home: Option<&str>, size: usize) -> Vec<i64> {
        if self.offered.is_empty() || self.max_preferences == 0 {
            return Vec::new();
        }
        let k = if rng.random_bool(0.08) {
            0
        } else if rng.random_bool(0.65) {
            self.max_preferences
        } else {
            rng.random_range(1..=self.max_preferences)
        };
        let local = home.and_then(|h| self.offered_by_comune.get(h));
        let wanted_m2 = 18.0 + 12.0 * size as f64;
        let mut out: Vec<i64> = Vec::with_capacity(k);
        // A bounded number of draws: small offers may not have k distinct suitable units.
        for _ in 0..k * 6 {
            if out.len() == k {
                break;
            }
            let pool_local = local.filter(|l| !l.is_empty() && rng.random_bool(0.85));
            let u = match pool_local {
                Some(l) => &self.offered[l[rng.random_range(0..l.len())]],
                None => &self.offered[rng.random_range(0..self.offered.len())],
            };
            if out.contains(&u.unit_id) || (u.area_m2 < wanted_m2 && rng.random_bool(0.7)) {
                continue;
            }
            out.push(u.unit_id);
        }
        out
    }

    /// Names, birth dates and valid, distinct codici fiscali for the drafts.
    fn members(
        &self,
        rng: &mut ChaCha8Rng,
        drafts: &[Draft],
        origin: Option<&Origin>,
    ) -> Vec<Member> {
        let family = surname(rng, origin);
        let partner_surname = surname(rng, origin);
        let mut out: Vec<Member> = Vec::with_capacity(drafts.len());
        for d in drafts {
            let surname = match d.relationship {
                Relationship::Richiedente | Relationship::Figlio => family,
                Relationship::Coniuge | Relationship::Convivente => partner_surname,
                _ => surname(rng, origin),
            };
            let mut birth = self.birth_date(rng, d.age);
            let place = birth_place(rng, origin, d.age);
            let mut tax_code = String::new();
            // Twins with the same name are possible: another name, then another day.
            for attempt in 0..8 {
                let name = first_name(rng, origin, d.sex);
                if attempt >= 4 {
                    birth = birth.checked_sub_days(Days::new(1)).unwrap_or(birth);
                }
                tax_code = personal_tax_code(surname, name, d.sex, birth, place);
                if !out.iter().any(|m| m.tax_code == tax_code) {
                    break;
                }
            }
            let (disability_pct, attendance_allowance) = disability(rng, d.age);
            out.push(Member {
                tax_code,
                birth_date: birth,
                relationship: d.relationship,
                disability_pct,
                attendance_allowance,
            });
        }
        out
    }

    /// A birth date giving `age` whole years on the opening day.
    fn birth_date(&self, rng: &mut ChaCha8Rng, age: u32) -> NaiveDate {
        let y = self.opens.year() - age as i32;
        let latest = self
            .opens
            .with_year(y)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 2, 28).unwrap_or(self.opens));
        latest
            .checked_sub_days(Days::new(rng.random_range(0..365)))
            .unwrap_or(latest)
    }
}

fn weighted_index<R: Rng>(rng: &mut R, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn random_sex<R: Rng>(rng: &mut R, female: f64) -> Sex {
    if rng.random_bool(female) {
        Sex::F
    } else {
        Sex::M
    }
}

/// Members of a household of `size`: the applicant first. Returns also whether there is a
/// couple and whether the applicant is a single parent.
fn compose<R: Rng>(rng: &mut R, size: usize, foreign: bool) -> (Vec<Draft>, bool, bool) {
    let mut out = Vec::with_capacity(size);
    if size == 1 {
        let elderly = rng.random_bool(if foreign { 0.1 } else { 0.5 });
        let age = if elderly {
            rng.random_range(65..=92)
        } else {
            rng.random_range(19..=64)
        };
        out.push(Draft {
            relationship: Relationship::Richiedente,
            sex: random_sex(rng, if elderly { 0.65 } else { 0.45 }),
            age,
        });
        return (out, false, false);
    }
    let couple = rng.random_bool(if size == 2 { 0.55 } else { 0.7 });
    let age = if size == 2 && couple {
        if rng.random_bool(0.45) {
            rng.random_range(65..=88)
        } else {
            rng.random_range(22..=64)
        }
    } else if size == 2 {
        rng.random_range(22..=85)
    } else {
        rng.random_range(24..=58)
    };
    let sex = if couple {
        random_sex(rng, 0.45)
    } else {
        random_sex(rng, 0.8)
    };
    out.push(Draft {
        relationship: Relationship::Richiedente,
        sex,
        age,
    });
    if couple {
        out.push(Draft {
            relationship: if rng.random_bool(0.75) {
                Relationship::Coniuge
            } else {
                Relationship::Convivente
            },
            sex: sex.other(),
            age: (age as i32 + rng.random_range(-6..=6)).clamp(19, 95) as u32,
        });
    }
    // Some households host a parent of the applicant (rarely someone else).
    let extra = size >= 3 && rng.random_bool(0.12);
    while out.len() < size - usize::from(extra) {
        out.push(Draft {
            relationship: Relationship::Figlio,
            sex: random_sex(rng, 0.5),
            age: rng.random_range(0..=age.saturating_sub(18).clamp(0, 30)),
        });
    }
    if extra {
        out.push(if rng.random_bool(0.8) {
            Draft {
                relationship: Relationship::Genitore,
                sex: random_sex(rng, 0.7),
                age: (age + rng.random_range(20..=32)).min(99),
            }
        } else {
            Draft {
                relationship: Relationship::Altro,
                sex: random_sex(rng, 0.5),
                age: rng.random_range(18..=80),
            }
        });
    }
    let single_parent = !couple && out.iter().any(|d| d.relationship == Relationship::Figlio);
    (out, couple, single_parent)
}

/// Disability percentage and attendance allowance: rare, more frequent with age.
fn disability<R: Rng>(rng: &mut R, age: u32) -> (u8, bool) {
    let scale = if age >= 75 {
        3.0
    } else if age >= 65 {
        1.8
    } else {
        1.0
    };
    let x: f64 = rng.random();
    if x < 0.020 * scale {
        (rng.random_range(66..=99), false)
    } else if x < 0.028 * scale {
        (100, false)
    } else if x < 0.034 * scale {
        (100, true)
    } else if x < 0.050 * scale {
        (rng.random_range(34..=65), false)
    } else {
        (0, false)
    }
}

/// ISEE in cents: about 12% indigent (≤ €3,000), 5% above the €16,000 limit, the rest
/// between, more of them in the lower part.
fn isee<R: Rng>(rng: &mut R) -> i64 {
    let x: f64 = rng.random();
    let euros = if x < 0.12 {
        if rng.random_bool(0.15) {
            return 0;
        }
        rng.random_range(0.0..3_000.0)
    } else if x < 0.95 {
        let u: f64 = rng.random();
        3_000.01 + u.powf(1.3) * 12_999.98
    } else {
        rng.random_range(16_000.01..30_000.0)
    };
    ((euros * 100.0) as i64).max(0)
}

/// Assets in cents: mostly modest, a few above the limit for the household's size.
fn assets<R: Rng>(rng: &mut R, size: usize) -> i64 {
    // ISEE equivalence scale, as the rule sets define the asset limit.
    const PSE: [f64; 5] = [1.0, 1.57, 2.04, 2.46, 2.85];
    let pse = PSE
        .get(size.saturating_sub(1))
        .copied()
        .unwrap_or(2.85 + 0.35 * (size as f64 - 5.0));
    let limit = if size <= 1 {
        22_000.0
    } else {
        16_000.0 + 5_000.0 * pse
    };
    let x: f64 = rng.random();
    let euros = if x < 0.35 {
        rng.random_range(0.0..1_000.0)
    } else if x < 0.90 {
        rng.random_range(1_000.0..10_000.0)
    } else if x < 0.97 {
        rng.random_range(10_000.0..limit)
    } else {
        rng.random_range(limit + 0.01..limit * 2.0)
    };
    (euros * 100.0) as i64
}

fn surname<R: Rng>(rng: &mut R, origin: Option<&Origin>) -> &'static str {
    match origin {
        Some(o) => pick_str(rng, o.surnames),
        None => pick_common(rng, SURNAMES),
    }
}

fn first_name<R: Rng>(rng: &mut R, origin: Option<&Origin>, sex: Sex) -> &'static str {
    match (origin, sex) {
        (Some(o), Sex::M) => pick_str(rng, o.male),
        (Some(o), Sex::F) => pick_str(rng, o.female),
        (None, Sex::M) => pick_common(rng, MALE),
        (None, Sex::F) => pick_common(rng, FEMALE),
    }
}

fn birth_place<R: Rng>(rng: &mut R, origin: Option<&Origin>, age: u32) -> &'static str {
    if let Some(o) = origin
        && !(age < 16 && rng.random_bool(0.65))
    {
        return pick_str(rng, o.states);
    }
    if origin.is_none() && rng.random_bool(if age >= 55 { 0.25 } else { 0.08 }) {
        return pick_str(rng, ITALY_ELSEWHERE);
    }
    pick_str(rng, LOMBARD_BIRTH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::validate_person_code;

    fn comuni() -> Vec<ComuneRef2> {
        vec![
            ComuneRef2 {
                istat: "015146".into(),
                population: 1_370_000,
            },
            ComuneRef2 {
                istat: "016024".into(),
                population: 120_000,
            },
            ComuneRef2 {
                istat: "015077".into(),
                population: 3_000,
            },
        ]
    }

    fn offered() -> Vec<OfferedRef> {
        (1..=60)
            .map(|i| OfferedRef {
                unit_id: 1000 + i,
                istat: ["015146", "016024", "015077"][(i % 3) as usize].into(),
                area_m2: 28.0 + (i % 7) as f64 * 12.5,
            })
            .collect()
    }

    fn conditions() -> Vec<String> {
        [
            "ANZIANI",
            "FAMIGLIA_NUOVA",
            "MONOGENITORE",
            "DISABILE_66_99",
            "DISABILE_100",
            "DISABILE_100_ACCOMPAGNAMENTO",
            "GENITORE_SEPARATO",
            "RILASCIO_ALLOGGIO",
            "ALLOGGIO_ANTIGIENICO",
            "STRUTTURA_ASSISTENZIALE",
        ]
        .map(String::from)
        .to_vec()
    }

    fn run(n: usize, seed: u64) -> Vec<Application> {
        generate(
            n,
            seed,
            &comuni(),
            &offered(),
            2,
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            &conditions(),
        )
    }

    #[test]
    fn applications_are_valid_realistic_and_deterministic() {
        let apps = run(20_000, 7);
        assert_eq!(apps.len(), 20_000);
        assert_eq!(apps[0].code, "D-2026-0000001");
        assert_eq!(apps[19_999].code, "D-2026-0020000");
        let opens = NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_time(NaiveTime::MIN);
        let closes = NaiveDate::from_ymd_opt(2026, 4, 1)
            .unwrap()
            .and_time(NaiveTime::MIN);
        let offered_ids: Vec<i64> = offered().iter().map(|u| u.unit_id).collect();
        let (mut members, mut elderly, mut indigent, mut above, mut residents) = (0, 0, 0, 0, 0);
        let mut disabled = 0;
        let mut history = 0;
        let mut sizes = [0usize; 8];
        for a in &apps {
            assert!((1..=7).contains(&a.members.len()), "{}", a.code);
            sizes[a.members.len()] += 1;
            assert_eq!(
                a.members
                    .iter()
                    .filter(|m| m.relationship == Relationship::Richiedente)
                    .count(),
                1,
                "{}",
                a.code
            );
            assert_eq!(a.members[0].relationship, Relationship::Richiedente);
            for (i, m) in a.members.iter().enumerate() {
                assert!(
                    validate_person_code(&m.tax_code).is_ok(),
                    "{} {}",
                    a.code,
                    m.tax_code
                );
                assert!(
                    a.members[..i].iter().all(|o| o.tax_code != m.tax_code),
                    "{} repeats {}",
                    a.code,
                    m.tax_code
                );
                assert!(m.disability_pct <= 100);
                assert!(!m.attendance_allowance || m.disability_pct == 100);
                if m.age_on(opens.date()) >= 65 {
                    elderly += 1;
                }
                if m.disability_pct >= 66 {
                    disabled += 1;
                }
                members += 1;
            }
            assert!(a.years_comune <= a.years_region);
            // Residence history elsewhere (art. 12 c.2): within the years in the region.
            let elsewhere: u32 = a.other_comuni_years.iter().map(|(_, y)| y).sum();
            assert!(a.years_comune + elsewhere <= a.years_region, "{}", a.code);
            assert!(
                a.other_comuni_years
                    .iter()
                    .all(|(c, y)| *y > 0 && Some(c) != a.residence_istat.as_ref()),
                "{}",
                a.code
            );
            if !a.other_comuni_years.is_empty() {
                history += 1;
            }
            assert!(a.submitted_at >= opens && a.submitted_at < closes);
            assert!(a.preferences.len() <= 2);
            assert!(a.preferences.iter().all(|p| offered_ids.contains(p)));
            if a.preferences.len() == 2 {
                assert_ne!(a.preferences[0], a.preferences[1]);
            }
            assert!(a.declared.iter().all(|c| !c.starts_with("ANZIANI")
                && !c.starts_with("DISABILE")
                && conditions().contains(c)));
            if a.isee <= 300_000 {
                indigent += 1;
            }
            if a.isee > 1_600_000 {
                above += 1;
            }
            if a.resides_in_lombardy {
                residents += 1;
                assert!(a.residence_istat.is_some());
            }
        }
        let pct = |x: usize, of: usize| x as f64 * 100.0 / of as f64;
        assert!(sizes[1] + sizes[2] + sizes[3] > sizes[4] + sizes[5] + sizes[6] + sizes[7]);
        assert!(
            (9.0..16.0).contains(&pct(indigent, apps.len())),
            "{indigent}"
        );
        assert!((3.0..8.0).contains(&pct(above, apps.len())), "{above}");
        assert!(
            (95.0..99.0).contains(&pct(residents, apps.len())),
            "{residents}"
        );
        assert!(
            (8.0..25.0).contains(&pct(elderly, members)),
            "{elderly}/{members}"
        );
        assert!(
            (1.0..8.0).contains(&pct(disabled, members)),
            "{disabled}/{members}"
        );
        assert!(
            (5.0..30.0).contains(&pct(history, apps.len())),
            "{history} with residence in other comuni"
        );
        assert!(apps.iter().any(|a| !a.declared.is_empty()));
        assert!(apps.iter().any(|a| a.preferences.is_empty()));

        assert_eq!(run(500, 7), apps[..500].to_vec(), "same seed, same data");
        assert_ne!(
            run(500, 8),
            apps[..500].to_vec(),
            "another seed, other data"
        );
    }

    #[test]
    fn copes_with_no_comuni_no_units_and_an_empty_window() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let apps = generate(50, 1, &[], &[], 2, d, d, &[]);
        assert_eq!(apps.len(), 50);
        for a in &apps {
            assert!(a.preferences.is_empty() && a.declared.is_empty());
            assert!(a.residence_istat.is_none());
            assert_eq!(a.submitted_at.date(), d);
        }
    }
}
