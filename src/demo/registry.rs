//! Buildings and units: each comune's share of the units is built as buildings owned about two
//! thirds by the province's ALER and one third by the Comune, with plausible addresses, floors,
//! cadastral data, surfaces, service types and states.

use super::names::{pick, pick_str};
use super::people::Households;
use super::places::{self, STREETS};
use crate::domain::registry::{ServiceType, UnitState};
use crate::store::bulk::{BuildingRow, ComuneRef, UnitRow};
use rand::Rng;
use std::collections::BTreeMap;

/// Share of buildings owned by the ALER (the rest by the Comune).
const ALER_SHARE: f64 = 2.0 / 3.0;
/// Share of a Comune's buildings it lets the ALER manage.
const MANAGED_BY_ALER: f64 = 0.5;

/// Floor labels: ground floor is "T" (terra).
const FLOORS: [&str; 16] = [
    "T", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
];
const STAIRCASES: [&str; 4] = ["A", "B", "C", "D"];
/// Cadastral categories of public housing with their weights (per thousand).
const CATEGORIES: [(&str, u32); 4] = [("A/3", 700), ("A/4", 220), ("A/2", 50), ("A/5", 30)];

/// Works needed by units vacant for maintenance deficiencies.
const WORKS: &[&str] = &[
    "rifacimento impianto elettrico",
    "sostituzione serramenti",
    "rifacimento bagno",
    "sostituzione caldaia e adeguamento impianto termico",
    "ripristino pavimenti e rivestimenti",
    "tinteggiatura e risanamento muffe",
    "sostituzione porte interne",
    "adeguamento impianto gas",
    "rifacimento impianto idrico-sanitario",
    "sostituzione portoncino d'ingresso",
    "ripristino intonaci",
    "sgombero e pulizia straordinaria",
];

/// State mix in basis points: OCCUPATO 85%, LIBERO 3%, SFITTO PER CARENZE MANUTENTIVE 7%,
/// SFITTO PER RISTRUTTURAZIONE 3%, OCCUPATO SENZA TITOLO 2%.
const STATES: [(UnitState, u32); 5] = [
    (UnitState::Occupied, 8500),
    (UnitState::Free, 300),
    (UnitState::VacantMaintenance, 700),
    (UnitState::VacantRenovation, 300),
    (UnitState::OccupiedWithoutTitle, 200),
];
/// Service mix in basis points: SAP 88%, SAS 9%, altro uso residenziale 3%.
const SERVICES: [(ServiceType, u32); 3] = [
    (ServiceType::Sap, 8800),
    (ServiceType::Sas, 900),
    (ServiceType::OtherResidential, 300),
];

fn weighted<R: Rng, T: Copy>(rng: &mut R, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// Building sizes by city size: large cities have large estates.
fn size_range(population: i64) -> (u32, u32) {
    match population {
        p if p >= 500_000 => (16, 57),
        p if p >= 60_000 => (8, 48),
        p if p >= 15_000 => (6, 32),
        _ => (4, 20),
    }
}

/// Triangular-ish draw between `lo` and `hi` (the mean of two uniform draws).
fn between<R: Rng>(rng: &mut R, lo: u32, hi: u32) -> u32 {
    (rng.random_range(lo..=hi) + rng.random_range(lo..=hi)) / 2
}

/// Year built: few before the war, most in the post-war and 1970s programmes, some recent.
fn year_built<R: Rng>(rng: &mut R) -> i32 {
    match rng.random_range(0..100) {
        0..10 => rng.random_range(1910..=1945),
        10..70 => rng.random_range(1946..=1985),
        _ => rng.random_range(1986..=2015),
    }
}

/// Superficie utile in m², 28–130 with two decimals, most between 45 and 80.
fn floor_area<R: Rng>(rng: &mut R) -> f64 {
    // Triangular distribution (min 28, mode 60, max 130) by inverse transform.
    let (a, c, b) = (28.0f64, 60.0f64, 130.0f64);
    let u: f64 = rng.random();
    let split = (c - a) / (b - a);
    let x = if u < split {
        a + (u * (b - a) * (c - a)).sqrt()
    } else {
        b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
    };
    let cents = (x * 100.0).round().clamp(2800.0, 13000.0);
    cents / 100.0
}

/// Rooms consistent with the surface: about one per 25 m².
fn rooms<R: Rng>(rng: &mut R, area: f64) -> i32 {
    let base = ((area + 5.0) / 25.0).round() as i32;
    let jitter = match rng.random_range(0..10) {
        0 => -1,
        9 => 1,
        _ => 0,
    };
    (base + jitter).clamp(1, 6)
}

fn works<R: Rng>(rng: &mut R) -> (String, i64) {
    let major = rng.random_bool(0.18);
    let count = if major {
        rng.random_range(3..=5)
    } else {
        rng.random_range(1..=3)
    };
    let first = rng.random_range(0..WORKS.len());
    let step = rng.random_range(1..WORKS.len());
    let list: Vec<&str> = (0..count)
        .map(|i| WORKS[(first + i * step) % WORKS.len()])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let euros: i64 = if major {
        rng.random_range(8_001..=38_000)
    } else {
        rng.random_range(1_200..=8_000)
    };
    // Estimates are rounded to ten euros.
    (list.join("; "), euros / 10 * 10 * 100)
}

/// Generates every comune's buildings and units in order, in batches.
pub struct Registry<'a> {
    pub households: Households<'a>,
    /// ALER owner id per province.
    pub aler_of: BTreeMap<&'a str, i64>,
    pub next_building: i64,
    pub next_unit: i64,
}

impl Registry<'_> {
    /// Builds the buildings of one comune holding `units` units and hands them to `emit`.
    pub fn comune<R: Rng>(
        &mut self,
        rng: &mut R,
        comune: &ComuneRef,
        mut units: u32,
        emit: &mut impl FnMut(BuildingRow),
    ) {
        if units == 0 {
            return;
        }
        let aler = self.aler_of[comune.province.as_str()];
        let city = places::city(&comune.istat);
        let cap = places::comune_cap(&comune.province, &comune.istat, comune.is_capital);
        let (lo, hi) = size_range(comune.population);
        let max_sheet = (comune.population / 2_000).clamp(12, 700) as u32;
        let (mut seq_aler, mut seq_comune) = (0u32, 0u32);
        while units > 0 {
            let mut size = between(rng, lo, hi).min(units);
            // Never leave fewer than 4 units for a last building.
            if units - size < 4 {
                size = units;
            }
            units -= size;

            let by_aler = rng.random_bool(ALER_SHARE);
            let (owner_id, seq) = if by_aler {
                seq_aler += 1;
                (aler, seq_aler)
            } else {
                seq_comune += 1;
                (comune.owner_id, seq_comune)
            };
            let manager_id = if by_aler || rng.random_bool(MANAGED_BY_ALER) {
                aler
            } else {
                comune.owner_id
            };
            let (locality, street, cap) = match city {
                Some(c) => {
                    let q = pick(rng, c.quartieri);
                    let streets = if q.streets.is_empty() {
                        STREETS
                    } else {
                        q.streets
                    };
                    (Some(q.name), pick_str(rng, streets), q.cap.to_string())
                }
                None => (None, pick_str(rng, STREETS), cap.clone()),
            };
            let number = between(rng, 1, 160);
            let street_number = if rng.random_bool(0.06) {
                format!("{number}/{}", pick_str(rng, &["A", "B", "C"]))
            } else {
                number.to_string()
            };

            let stairs = match size {
                0..=20 => 1,
                21..=40 => rng.random_range(2..=3),
                _ => rng.random_range(3..=4),
            };
            let per_stair = size.div_ceil(stairs);
            let per_floor = rng.random_range(2..=4u32);
            let floors = per_stair.div_ceil(per_floor).clamp(1, FLOORS.len() as u32);
            let has_lift = rng.random_bool(if floors > 4 { 0.9 } else { 0.12 });
            let year = year_built(rng);
            let code = format!("{}-{seq:06}", comune.cadastral);
            let building_id = self.next_building;
            self.next_building += 1;
            let category = weighted(rng, &CATEGORIES);
            let first_sub = rng.random_range(1..=4u32);

            let mut rows = Vec::with_capacity(size as usize);
            for i in 0..size {
                let stair = i / per_stair;
                let floor = ((i % per_stair) / per_floor).min(floors - 1) as usize;
                let area = floor_area(rng);
                let service = weighted(rng, &SERVICES);
                let state = weighted(rng, &STATES);
                let (works, works_cost_cents) = if state == UnitState::VacantMaintenance {
                    let (w, c) = works(rng);
                    (Some(w), Some(c))
                } else {
                    (None, None)
                };
                let accessible = floor == 0 || has_lift;
                let household = self.households.draw(rng, comune, state, service, year);
                rows.push(UnitRow {
                    id: self.next_unit,
                    code: format!("{code}-{:03}", i + 1),
                    staircase: (stairs > 1).then(|| STAIRCASES[stair as usize]),
                    floor: FLOORS[floor],
                    cadastral_sub: first_sub + i,
                    cadastral_category: if rng.random_bool(0.9) {
                        category
                    } else {
                        weighted(rng, &CATEGORIES)
                    },
                    floor_area: area,
                    rooms: rooms(rng, area),
                    service: service.code(),
                    sat: service == ServiceType::Sap && rng.random_bool(0.03),
                    state: state.code(),
                    in_notice: state == UnitState::Free && rng.random_bool(0.3),
                    works,
                    works_cost_cents,
                    barrier_free: rng.random_bool(if accessible { 0.11 } else { 0.01 }),
                    household,
                });
                self.next_unit += 1;
            }
            emit(BuildingRow {
                id: building_id,
                code,
                owner_id,
                manager_id,
                istat_code: comune.istat.clone(),
                comune_sort: comune.sort_rank,
                province: comune.province.clone(),
                address: street.to_string(),
                street_number,
                cap,
                locality,
                year_built: year,
                has_lift,
                floors: floors as i32,
                cadastral_sheet: rng.random_range(1..=max_sheet),
                cadastral_parcel: rng.random_range(1..=2_400),
                units: rows,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn surfaces_and_rooms_stay_in_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..20_000 {
            let a = floor_area(&mut rng);
            assert!((28.0..=130.0).contains(&a), "{a}");
            assert_eq!((a * 100.0).round() / 100.0, a);
            let r = rooms(&mut rng, a);
            assert!((1..=6).contains(&r));
        }
    }

    #[test]
    fn works_have_a_rounded_cost() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut cheap = 0;
        for _ in 0..1000 {
            let (w, c) = works(&mut rng);
            assert!(!w.is_empty());
            assert_eq!(c % 1000, 0);
            if c <= 800_000 {
                cheap += 1;
            }
        }
        assert!(cheap > 750, "{cheap}");
    }
}
