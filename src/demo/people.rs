//! Households and tenants: a realistic mix of sizes (many elderly people living alone), Italian
//! and foreign-born families, ISEE and contract dates, and a valid codice fiscale for everyone.

use super::cf::{Sex, personal_tax_code};
use super::names::{FEMALE, MALE, Origin, SURNAMES, pick_common, pick_origin, pick_str};
use super::places::ITALY_ELSEWHERE;
use crate::domain::registry::{ServiceType, UnitState};
use crate::store::bulk::{ComuneRef, HouseholdRow, TenantRow};
use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;

/// Household sizes 1..=8, in tenths of a percent: public housing has many people living alone,
/// most of them elderly.
const SIZE_WEIGHTS: [u32; 8] = [360, 270, 150, 120, 60, 25, 10, 5];
/// Share of foreign-born households by size, in percent: larger families are more often foreign.
const FOREIGN_BY_SIZE: [f64; 8] = [0.10, 0.18, 0.32, 0.38, 0.45, 0.50, 0.55, 0.60];

/// Where people are born: weighted towards the populous comuni of Lombardy.
pub struct BirthPlaces<'a> {
    comuni: &'a [ComuneRef],
    cumulative: Vec<u64>,
}

impl<'a> BirthPlaces<'a> {
    pub fn new(comuni: &'a [ComuneRef]) -> Self {
        let mut total = 0u64;
        let cumulative = comuni
            .iter()
            .map(|c| {
                total += c.population.max(1) as u64;
                total
            })
            .collect();
        BirthPlaces { comuni, cumulative }
    }

    fn lombard<R: Rng>(&self, rng: &mut R) -> &'a str {
        let total = *self.cumulative.last().expect("comuni");
        let x = rng.random_range(0..total);
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.comuni[i].cadastral
    }
}

/// One member before names and codes are drawn.
struct Member {
    relationship: &'static str,
    sex: Sex,
    age: u32,
    /// Takes the family surname (children), or has their own (holder, spouse, others).
    family_surname: bool,
}

/// Draws the household of a unit, or None when nobody is registered there.
pub struct Households<'a> {
    pub places: BirthPlaces<'a>,
    pub today: NaiveDate,
    pub next_household: i64,
    pub next_tenant: i64,
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

impl Households<'_> {
    /// The household of a unit in `state`, or None (vacant units; some units occupied without
    /// title whose occupants are not identified).
    pub fn draw<R: Rng>(
        &mut self,
        rng: &mut R,
        comune: &ComuneRef,
        state: UnitState,
        service: ServiceType,
        year_built: i32,
    ) -> Option<HouseholdRow> {
        match state {
            UnitState::Occupied => {}
            UnitState::OccupiedWithoutTitle if rng.random_bool(0.8) => {}
            _ => return None,
        }
        let size = weighted_index(rng, &SIZE_WEIGHTS) + 1;
        let origin = rng
            .random_bool(FOREIGN_BY_SIZE[size - 1])
            .then(|| pick_origin(rng));
        let members = compose(rng, size, origin.is_some());
        let holder_age = members[0].age;

        let holder_surname = surname(rng, origin);
        let partner = members
            .get(1)
            .filter(|m| matches!(m.relationship, "CONIUGE" | "CONVIVENTE"));
        let partner_surname = partner.map(|_| surname(rng, origin));
        // Children take the father's surname.
        let children_surname = match (members[0].sex, partner, partner_surname) {
            (Sex::F, Some(p), Some(s)) if p.sex == Sex::M => s,
            _ => holder_surname,
        };

        let id = self.next_household;
        self.next_household += 1;
        let mut tenants = Vec::with_capacity(members.len());
        for (i, m) in members.iter().enumerate() {
            let surname = match (i, partner_surname) {
                (0, _) => holder_surname,
                (1, Some(s)) => s,
                _ if m.family_surname => children_surname,
                _ => surname(rng, origin),
            };
            let name = first_name(rng, origin, m.sex);
            let birth = self.birth_date(rng, m.age);
            let place = self.birth_place(rng, comune, origin, m.age);
            let tenant_id = self.next_tenant;
            self.next_tenant += 1;
            tenants.push(TenantRow {
                id: tenant_id,
                tax_code: personal_tax_code(surname, name, m.sex, birth, &place),
                surname,
                name,
                sex: m.sex.db(),
                birth_date: iso_date(birth),
                birth_place: place,
                relationship: m.relationship,
                is_holder: i == 0,
            });
        }

        let (isee_cents, contract_date) = if state == UnitState::OccupiedWithoutTitle {
            (None, None)
        } else {
            (
                isee(rng, service),
                Some(iso_date(self.contract_date(rng, holder_age, year_built))),
            )
        };
        Some(HouseholdRow {
            id,
            isee_cents,
            contract_date,
            tenants,
        })
    }

    fn birth_date<R: Rng>(&self, rng: &mut R, age: u32) -> NaiveDate {
        let days = u64::from(age) * 365 + u64::from(age / 4) + rng.random_range(0..365);
        self.today - Days::new(days)
    }

    fn birth_place<R: Rng>(
        &self,
        rng: &mut R,
        comune: &ComuneRef,
        origin: Option<&Origin>,
        age: u32,
    ) -> String {
        if let Some(o) = origin {
            // Most children of foreign families living here were born here.
            if !(age < 16 && rng.random_bool(0.65)) {
                return pick_str(rng, o.states).to_string();
            }
        } else if rng.random_bool(if age >= 55 { 0.25 } else { 0.08 }) {
            return pick_str(rng, ITALY_ELSEWHERE).to_string();
        }
        if rng.random_bool(0.5) {
            comune.cadastral.clone()
        } else {
            self.places.lombard(rng).to_string()
        }
    }

    /// A contract signed after the building was built and the holder came of age.
    fn contract_date<R: Rng>(&self, rng: &mut R, holder_age: u32, year_built: i32) -> NaiveDate {
        let year = self.today.year();
        let adult = year - holder_age as i32 + 19;
        let from = year_built.max(adult).max(1975).min(year);
        let day = NaiveDate::from_yo_opt(rng.random_range(from..=year), rng.random_range(1..=365))
            .expect("valid day of year");
        day.min(self.today)
    }
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

fn random_sex<R: Rng>(rng: &mut R, female: f64) -> Sex {
    if rng.random_bool(female) {
        Sex::F
    } else {
        Sex::M
    }
}

/// Relationships, sexes and ages of a household of `size`.
fn compose<R: Rng>(rng: &mut R, size: usize, foreign: bool) -> Vec<Member> {
    let mut members = Vec::with_capacity(size);
    let holder = |age: u32, sex: Sex| Member {
        relationship: "INTESTATARIO",
        sex,
        age,
        family_surname: false,
    };
    let child = |rng: &mut R, parent_age: u32| {
        let sex = random_sex(rng, 0.5);
        Member {
            relationship: if sex == Sex::M { "FIGLIO" } else { "FIGLIA" },
            sex,
            age: rng.random_range(0..=parent_age.saturating_sub(18).min(45)),
            family_surname: true,
        }
    };
    if size == 1 {
        let elderly = rng.random_bool(if foreign { 0.15 } else { 0.62 });
        if elderly {
            members.push(holder(rng.random_range(66..=96), random_sex(rng, 0.68)));
        } else {
            members.push(holder(rng.random_range(24..=65), random_sex(rng, 0.45)));
        }
        return members;
    }
    let couple = rng.random_bool(if size == 2 { 0.6 } else { 0.78 });
    let age = if size == 2 && couple {
        rng.random_range(30..=92)
    } else if size == 2 {
        rng.random_range(38..=85)
    } else {
        rng.random_range(28..=62)
    };
    let sex = if couple {
        random_sex(rng, 0.3)
    } else {
        random_sex(rng, 0.8)
    };
    members.push(holder(age, sex));
    if couple {
        let partner_age = if sex == Sex::M {
            age.saturating_sub(rng.random_range(0..=6)).max(20)
        } else {
            (age + rng.random_range(0..=5)).min(98)
        };
        members.push(Member {
            relationship: if rng.random_bool(0.82) {
                "CONIUGE"
            } else {
                "CONVIVENTE"
            },
            sex: sex.other(),
            age: partner_age,
            family_surname: false,
        });
    }
    // Large families sometimes host a grandparent or a grandchild.
    let extra = size >= 5 && rng.random_bool(0.3);
    while members.len() < size - usize::from(extra) {
        members.push(child(rng, age));
    }
    if extra {
        members.push(if rng.random_bool(0.5) {
            Member {
                relationship: "GENITORE",
                sex: random_sex(rng, 0.7),
                age: (age + rng.random_range(20..=32)).min(99),
                family_surname: false,
            }
        } else {
            Member {
                relationship: "NIPOTE",
                sex: random_sex(rng, 0.5),
                age: rng.random_range(0..=12),
                family_surname: false,
            }
        });
    }
    members
}

/// ISEE in cents: SAP households are poor (limit about €16,000), SAS ones moderate; a few
/// households have not declared it.
fn isee<R: Rng>(rng: &mut R, service: ServiceType) -> Option<i64> {
    if rng.random_bool(0.03) {
        return None;
    }
    let u: f64 = rng.random();
    let euros = match service {
        ServiceType::Sap => 500.0 + u.powf(1.4) * 15_500.0,
        ServiceType::Sas => 14_000.0 + u * 26_000.0,
        ServiceType::OtherResidential => 9_000.0 + u * 36_000.0,
    };
    Some((euros * 100.0) as i64 + rng.random_range(0..100))
}

/// `YYYY-MM-DD`, without going through a format string (millions of calls).
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}
