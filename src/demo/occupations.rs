//! The demo register of occupations without title: every unit the registry has in state
//! OCCUPATO SENZA TITOLO (2% of the demo's units) gets an occupation, its occupant the unit's
//! household where there is one. Half of those with a household were regularised: their
//! occupation is closed and the unit is OCCUPATO again, so about 1% of the units stay occupied
//! without title and the register holds as many closed occupations. For the demo notice, a
//! handful of applicants' members are put in the register too (`for_applicants`), around the
//! five-year boundary, so the exclusion shows in the demo rankings.

use super::names::{FEMALE, MALE, SURNAMES, pick_common, pick_origin, pick_str};
use crate::domain::application::Application;
use crate::domain::occupation::codes::CodeLists;
use crate::domain::occupation::{
    Act, Debt, Member, Occupant, Occupation, UnitPlace, split_address,
};
use crate::store::Store;
use crate::store::occupations::demo::{self as store_demo, UnitRef};
use anyhow::Result;
use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random stream of the register (independent of the registry's).
const STREAM: u64 = 7;

/// What was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Made {
    pub open: usize,
    pub closed: usize,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse().ok())
}

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

fn days_after(d: NaiveDate, n: u64, cap: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d).min(cap)
}

const DETECTING: &[&str] = &[
    "Verbale di accertamento",
    "Segnalazione della Polizia Locale",
    "Sopralluogo dell'ente gestore",
    "Denuncia",
];

/// Occupation type by weight: 1 violence or break-in most often.
fn kind(rng: &mut ChaCha8Rng) -> i64 {
    match rng.random_range(0..100) {
        0..60 => 1,
        60..70 => 2,
        70..88 => 3,
        88..92 => 4,
        _ => 99,
    }
}

/// A record for unit `u`, started at a random day of the last eight years.
fn record(
    rng: &mut ChaCha8Rng,
    u: &UnitRef,
    closed: bool,
    today: NaiveDate,
    codes: &CodeLists,
) -> Occupation {
    let started = days_before(today, rng.random_range(30..2900));
    let detected = days_after(started, rng.random_range(0..60), today);
    let kind = kind(rng);
    let (prefix, street) = split_address(&u.address, codes);
    let occupant = match u.people.first() {
        Some(p) => {
            let abroad = p.birth_place.as_deref().is_some_and(|c| c.starts_with('Z'));
            Occupant {
                tax_code: Some(p.tax_code.clone()),
                name: p.name.clone(),
                surname: p.surname.clone(),
                birth_date: date(&p.birth_date)
                    .or(Some(NaiveDate::from_ymd_opt(1980, 1, 1).expect("date"))),
                sex: p.sex.clone(),
                birth_nation: p.birth_place.clone().filter(|_| abroad),
                birth_province: abroad.then(|| "EE".to_string()),
                birth_comune: p.birth_place.clone().filter(|_| !abroad),
                citizenship: p.birth_place.clone().filter(|_| abroad),
            }
        }
        None => {
            // Nobody registered: a person known by name, birth and citizenship only.
            let origin = pick_origin(rng);
            let female = rng.random_bool(0.4);
            let state = pick_str(rng, origin.states);
            Occupant {
                tax_code: None,
                name: pick_str(rng, if female { origin.female } else { origin.male }).to_string(),
                surname: pick_str(rng, origin.surnames).to_string(),
                birth_date: Some(days_before(today, rng.random_range(20 * 365..60 * 365))),
                sex: Some(if female { "F" } else { "M" }.to_string()),
                birth_nation: Some(state.to_string()),
                birth_province: Some("EE".into()),
                birth_comune: None,
                citizenship: Some(state.to_string()),
            }
        }
    };
    let started = started.max(occupant.birth_date.unwrap_or(started));
    let members = u
        .people
        .iter()
        .skip(1)
        .map(|p| Member {
            tax_code: p.tax_code.clone(),
            surname: p.surname.clone(),
            name: p.name.clone(),
            birth_date: date(&p.birth_date),
            relationship: p.relationship.clone().unwrap_or_else(|| "ALTRO".into()),
        })
        .collect();
    let ended_on =
        closed.then(|| days_after(started, rng.random_range(60..1500), days_before(today, 1)));
    let legit_type = match kind {
        3 => Some(1),
        4 => Some(2),
        _ => None,
    };
    Occupation {
        code: format!("OCC-{}-{:06}", started.year(), u.unit_id),
        owner_tax_code: u.owner_tax_code.clone(),
        unit: UnitPlace {
            code: u.code.clone(),
            province: u.province.clone(),
            cadastral: u.cadastral.clone(),
            prefix,
            street,
            number: u.street_number.clone().unwrap_or_else(|| "SNC".into()),
        },
        occupant,
        started_on: Some(started),
        kind,
        detect_type: pick_str(rng, DETECTING).to_string(),
        detect_id: format!("{}/{}", rng.random_range(100..9999), detected.year()),
        detect_on: Some(detected),
        legit_type,
        legit: Act {
            id: legit_type.map(|_| format!("DEC-{}", rng.random_range(10..999))),
            protocol: None,
            date: legit_type.map(|_| days_before(started, rng.random_range(30..400))),
        },
        release: Act::default(),
        debt: Debt {
            presence: rng.random_range(0..3),
            ..Default::default()
        },
        ended_on,
        end: match ended_on {
            Some(e) => Act {
                id: Some(format!("REG-{}", rng.random_range(100..9999))),
                protocol: Some(format!("PG {}/{}", e.year(), rng.random_range(1000..99999))),
                date: Some(e),
            },
            None => Act::default(),
        },
        members,
    }
}

/// Builds the register of the demo database: an occupation for every unit occupied without
/// title, half of those with a household regularised (closed, unit OCCUPATO).
pub fn register(store: &mut Store, seed: u64, today: NaiveDate, stamp: &str) -> Result<Made> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(STREAM);
    let units = store_demo::squatted_units(store.conn())?;
    let codes = crate::store::occupations::codes(store.conn())?;
    let mut made = Made::default();
    let mut records = Vec::with_capacity(units.len());
    let mut regularised = Vec::new();
    for u in &units {
        let closed = !u.people.is_empty() && rng.random_bool(0.5);
        let o = record(&mut rng, u, closed, today, &codes);
        if closed {
            regularised.push(u.unit_id);
            made.closed += 1;
        } else {
            made.open += 1;
        }
        records.push((o, u.owner_id, u.unit_id, u.istat_code.clone()));
    }
    let tx = store.write()?;
    store_demo::insert(&tx, &records, &regularised, stamp)?;
    tx.commit()?;
    Ok(made)
}

/// Puts one member of a few of `apps` in the register, at the district's first unit with an
/// occupation: occupations open, ended three years ago, ended exactly five years before the
/// submission (counted) and five years and a day before (not counted). Returns the ID domanda
/// of each with whether it must be excluded.
pub fn for_applicants(
    store: &mut Store,
    district_id: i64,
    apps: &[Application],
    seed: u64,
    today: NaiveDate,
) -> Result<Vec<(String, bool)>> {
    let units = store_demo::district_units(store.conn(), district_id, 50)?;
    let Some(unit) = units.iter().find(|u| u.state == 5).or(units.first()) else {
        return Ok(Vec::new());
    };
    let codes = crate::store::occupations::codes(store.conn())?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(STREAM + 1);
    let mut out = Vec::new();
    let picks = [
        apps.len() / 7,
        apps.len() / 3,
        apps.len() / 2,
        (apps.len() * 5) / 6,
    ];
    for (i, &at) in picks.iter().enumerate() {
        let Some(app) = apps.get(at) else { continue };
        if out.iter().any(|(c, _)| *c == app.code) {
            continue;
        }
        let submitted = app.submitted_at.date();
        let five = submitted
            .checked_sub_months(chrono::Months::new(60))
            .unwrap_or(submitted);
        // A member of age when the occupation started, the last such (household members
        // count as much as the applicant).
        let Some(member) = app
            .members
            .iter()
            .rev()
            .find(|m| m.birth_date < days_before(five, 800 + 18 * 365))
        else {
            continue;
        };
        let (started, ended, excluded) = match i {
            0 => (days_before(submitted, 400), None, true),
            1 => (
                days_before(submitted, 2000),
                Some(days_before(submitted, 3 * 365)),
                true,
            ),
            2 => (days_before(five, 700), Some(five), true),
            _ => (days_before(five, 700), Some(days_before(five, 1)), false),
        };
        let mut o = record(&mut rng, unit, ended.is_some(), today, &codes);
        let female = member.tax_code.get(9..10).is_some_and(|d| d >= "4");
        o.code = format!("OCC-DEMO-{}", i + 1);
        o.occupant = Occupant {
            tax_code: Some(member.tax_code.clone()),
            name: pick_common(&mut rng, if female { FEMALE } else { MALE }).to_string(),
            surname: pick_common(&mut rng, SURNAMES).to_string(),
            birth_date: Some(member.birth_date),
            sex: Some(if female { "F" } else { "M" }.into()),
            ..Default::default()
        };
        o.members.clear();
        o.started_on = Some(started.max(member.birth_date));
        o.detect_on = o.started_on;
        o.legit = Act {
            id: o.legit.id.clone(),
            protocol: None,
            date: o.legit_type.map(|_| o.started_on.unwrap_or(started)),
        };
        o.ended_on = ended;
        o.end = match ended {
            Some(e) => Act {
                id: Some(format!("SGOMBERO-{}", i + 1)),
                protocol: None,
                date: Some(e),
            },
            None => Act::default(),
        };
        store.add_occupation("demo", &o, today)?;
        out.push((app.code.clone(), excluded));
    }
    Ok(out)
}
