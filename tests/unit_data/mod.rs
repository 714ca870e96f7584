//! Generated registries for the search tests: a few thousand units over a handful of comuni in
//! four provinces, owned by ALERs and Comuni, with every state, service, notice and plan-year
//! case, shared building codes, accented addresses and missing surfaces; plus a plain-Rust
//! reference of every unit to check the store's answers against.
#![allow(dead_code)]

use casa::store::{Access, Store};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

pub const ADDRESSES: [&str; 8] = [
    "Via Roma",
    "VIA GARIBALDI",
    "Viale della Libertà",
    "Piazza XXV Aprile",
    "Via Sant'Ambrogio",
    "Corso Città Studi",
    "VIA ÉMILE ZOLA",
    "Via \"Quotata\"",
];

pub const LOCALITIES: [Option<&str>; 6] = [
    None,
    None,
    Some("Centro"),
    Some("Quarto Oggiaro"),
    Some("Frazione Càscina Nuova"),
    Some("San Siro"),
];

/// (state code, weight): every state appears, the plan's three often enough.
const STATES: [(i64, u32); 8] = [
    (2, 50),
    (1, 12),
    (3, 10),
    (4, 8),
    (5, 6),
    (6, 6),
    (7, 5),
    (8, 3),
];

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Fixture {
    pub fn store(&self) -> Store {
        Store::open(&self.path, Access::ReadWrite).expect("open")
    }

    pub fn read_only(&self) -> Store {
        Store::open(&self.path, Access::ReadOnly).expect("open read-only")
    }
}

/// A new database with `units` generated units.
pub fn build(units: usize, seed: u64) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("casa.sqlite");
    drop(Store::create(&path).expect("create"));
    let conn = Connection::open(&path).expect("open");
    populate(&conn, units, seed, 1);
    Fixture { dir, path }
}

/// The comuni the generator uses: six per province of MI, BG, SO, MB, Milano among them.
pub fn comuni(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT istat_code, province FROM municipality
             WHERE province IN ('MI', 'BG', 'SO', 'MB') ORDER BY province, istat_code",
        )
        .expect("comuni");
    let all: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("comuni")
        .collect::<Result<_, _>>()
        .expect("comuni");
    let mut out: Vec<(String, String)> = Vec::new();
    for prov in ["MI", "BG", "SO", "MB"] {
        let of: Vec<&(String, String)> = all.iter().filter(|c| c.1 == prov).collect();
        let step = (of.len() / 6).max(1);
        out.extend(of.iter().step_by(step).take(6).map(|c| (*c).clone()));
    }
    if !out.iter().any(|c| c.0 == "015146") {
        out.push(("015146".into(), "MI".into()));
    }
    out
}

fn pick_state(rng: &mut ChaCha8Rng) -> i64 {
    let total: u32 = STATES.iter().map(|s| s.1).sum();
    let mut r = rng.random_range(0..total);
    for (code, w) in STATES {
        if r < w {
            return code;
        }
        r -= w;
    }
    2
}

/// Inserts `units` units (through the normal triggers) with building codes numbered from
/// `first_building` per owner.
pub fn populate(conn: &Connection, units: usize, seed: u64, first_building: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let comuni = comuni(conn);
    let tx = conn.unchecked_transaction().expect("tx");
    let mut building_no: std::collections::HashMap<i64, usize> = Default::default();
    let mut made = 0;
    while made < units {
        let (istat, province) = &comuni[rng.random_range(0..comuni.len())];
        let comune_owner: i64 = tx
            .query_row("SELECT id FROM owner WHERE istat_code = ?1", [istat], |r| {
                r.get(0)
            })
            .expect("comune owner");
        let aler: i64 = tx
            .query_row(
                "SELECT owner_id FROM aler_province WHERE province = ?1",
                [province],
                |r| r.get(0),
            )
            .expect("aler");
        let owner = if rng.random_bool(0.6) {
            aler
        } else {
            comune_owner
        };
        let n = building_no.entry(owner).or_insert(first_building - 1);
        *n += 1;
        let code = format!("F{:04}", *n);
        let address = ADDRESSES[rng.random_range(0..ADDRESSES.len())];
        let number: Option<String> = match rng.random_range(0..10) {
            0 => None,
            1 => Some(format!("{}/A", rng.random_range(1..40))),
            _ => Some(rng.random_range(1..120).to_string()),
        };
        let locality = LOCALITIES[rng.random_range(0..LOCALITIES.len())];
        tx.execute(
            "INSERT INTO building (code, owner_id, istat_code, address, street_number, locality)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![code, owner, istat, address, number, locality],
        )
        .expect("building");
        let building = tx.last_insert_rowid();
        let in_building = rng.random_range(1..=12).min(units - made);
        for _ in 0..in_building {
            let state = pick_state(&mut rng);
            let service: i64 = match rng.random_range(0..10) {
                0..=6 => 1,
                7 | 8 => 2,
                _ => 3,
            };
            let area: Option<f64> = if rng.random_bool(0.05) {
                None
            } else {
                Some(f64::from(rng.random_range(50..280u32)) / 2.0)
            };
            let in_notice = i64::from(rng.random_bool(0.08));
            let plan_year: Option<i32> = match rng.random_range(0..20) {
                0 => Some(2025),
                1 => Some(2026),
                _ => None,
            };
            let manager: Option<i64> =
                (owner == comune_owner && rng.random_bool(0.5)).then_some(aler);
            tx.execute(
                "INSERT INTO unit (code, building_id, owner_id, manager_id, istat_code, province,
                                   locality, address, street_number, floor, floor_area, rooms,
                                   service, state, in_notice, plan_year, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         '2025-01-01T00:00:00Z')",
                params![
                    format!("UI-{seed}-{made}"),
                    building,
                    owner,
                    manager,
                    istat,
                    province,
                    locality,
                    address,
                    number,
                    rng.random_range(0..6).to_string(),
                    area,
                    rng.random_range(1..6),
                    service,
                    state,
                    in_notice,
                    plan_year
                ],
            )
            .expect("unit");
            let unit = tx.last_insert_rowid();
            if state == 2 || state == 5 {
                let members = rng.random_range(1..=4);
                tx.execute(
                    "INSERT INTO household (unit_id, owner_id, members, isee_cents) VALUES (?1, ?2, ?3, ?4)",
                    params![unit, owner, members, rng.random_range(0..2_000_000)],
                )
                .expect("household");
                let household = tx.last_insert_rowid();
                for m in 0..members {
                    tx.execute(
                        "INSERT INTO tenant (household_id, owner_id, tax_code, surname, name, sex,
                                             birth_date, relationship, is_holder)
                         VALUES (?1, ?2, 'RSSMRA80A01H501U', ?3, 'Maria', 'F', '1980-01-01', ?4, ?5)",
                        params![
                            household,
                            owner,
                            format!("Rossi{m}"),
                            if m == 0 { "INTESTATARIO" } else { "FIGLIO" },
                            m == 0
                        ],
                    )
                    .expect("tenant");
                }
            }
            made += 1;
        }
    }
    tx.commit().expect("commit");
}

/// Everything the reference filter needs about a unit.
#[derive(Debug, Clone)]
pub struct RefUnit {
    pub id: i64,
    pub owner_id: i64,
    pub istat: String,
    pub province: String,
    pub state: i64,
    pub service: i64,
    pub in_notice: i64,
    pub plan_year: Option<i32>,
    pub building_code: String,
    pub address: String,
    pub street_number: Option<String>,
    pub locality: Option<String>,
    pub floor_area: Option<f64>,
    /// Alphabetical position of the comune (case-insensitive name, then ISTAT code).
    pub comune_pos: usize,
}

/// Every unit, read with plain SQL (no search code).
pub fn reference(conn: &Connection) -> Vec<RefUnit> {
    let mut names: Vec<(String, String)> = conn
        .prepare("SELECT istat_code, name FROM municipality")
        .expect("names")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("names")
        .collect::<Result<_, _>>()
        .expect("names");
    names.sort_by(|a, b| {
        a.1.to_ascii_lowercase()
            .cmp(&b.1.to_ascii_lowercase())
            .then(a.0.cmp(&b.0))
    });
    let pos: std::collections::HashMap<String, usize> = names
        .into_iter()
        .enumerate()
        .map(|(i, (istat, _))| (istat, i))
        .collect();
    let mut stmt = conn
        .prepare(
            "SELECT u.id, u.owner_id, u.istat_code, u.province, u.state, u.service, u.in_notice,
                    u.plan_year, b.code, u.address, u.street_number, u.locality, u.floor_area
             FROM unit u JOIN building b ON b.id = u.building_id ORDER BY u.id",
        )
        .expect("units");
    stmt.query_map([], |r| {
        let istat: String = r.get(2)?;
        Ok(RefUnit {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            comune_pos: pos[&istat],
            istat,
            province: r.get(3)?,
            state: r.get(4)?,
            service: r.get(5)?,
            in_notice: r.get(6)?,
            plan_year: r.get(7)?,
            building_code: r.get(8)?,
            address: r.get(9)?,
            street_number: r.get(10)?,
            locality: r.get(11)?,
            floor_area: r.get(12)?,
        })
    })
    .expect("units")
    .collect::<Result<_, _>>()
    .expect("units")
}

/// Lower case without the accents of Latin letters: how the trigram index compares text.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

pub fn db_path(f: &Fixture) -> &Path {
    &f.path
}
