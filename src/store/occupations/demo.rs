//! What the demo generator reads and writes of the register (the generation itself is
//! `demo::occupations`): the units occupied without title with their household, and the
//! records written in one go.

use super::{Resolved, write_row};
use crate::domain::occupation::Occupation;
use crate::domain::registry::UnitState;
use anyhow::Result;
use rusqlite::{Connection, params};

/// A person of a unit's household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub tax_code: String,
    pub surname: String,
    pub name: String,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    /// Belfiore code.
    pub birth_place: Option<String>,
    pub relationship: Option<String>,
    pub is_holder: bool,
}

/// A unit of the registry, as an occupation record names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub unit_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_tax_code: String,
    pub code: String,
    pub istat_code: String,
    pub province: String,
    pub cadastral: String,
    pub address: String,
    pub street_number: Option<String>,
    pub state: i64,
    /// The household living there, holder first.
    pub people: Vec<Person>,
}

const UNIT: &str = "SELECT u.id, u.owner_id, o.name, o.tax_code, u.code, u.istat_code, u.province,
    m.cadastral_code, u.address, u.street_number, u.state
    FROM unit u JOIN owner o ON o.id = u.owner_id JOIN municipality m ON m.istat_code = u.istat_code";

fn unit_row(r: &rusqlite::Row) -> rusqlite::Result<UnitRef> {
    Ok(UnitRef {
        unit_id: r.get(0)?,
        owner_id: r.get(1)?,
        owner_name: r.get(2)?,
        owner_tax_code: r.get(3)?,
        code: r.get(4)?,
        istat_code: r.get(5)?,
        province: r.get(6)?,
        cadastral: r.get(7)?,
        address: r.get(8)?,
        street_number: r.get(9)?,
        state: r.get(10)?,
        people: Vec::new(),
    })
}

fn with_people(conn: &Connection, mut u: UnitRef) -> Result<UnitRef> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.tax_code, t.surname, t.name, t.sex, t.birth_date, t.birth_place, t.relationship,
                t.is_holder
         FROM household h JOIN tenant t ON t.household_id = h.id
         WHERE h.unit_id = ?1 ORDER BY t.is_holder DESC, t.id",
    )?;
    u.people = stmt
        .query_map([u.unit_id], |r| {
            Ok(Person {
                tax_code: r.get(0)?,
                surname: r.get(1)?,
                name: r.get(2)?,
                sex: r.get(3)?,
                birth_date: r.get(4)?,
                birth_place: r.get(5)?,
                relationship: r.get(6)?,
                is_holder: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(u)
}

/// Every unit in state OCCUPATO SENZA TITOLO, by id, with its household.
pub fn squatted_units(conn: &Connection) -> Result<Vec<UnitRef>> {
    let mut stmt = conn.prepare(&format!("{UNIT} WHERE u.state = ?1 ORDER BY u.id"))?;
    let units: Vec<UnitRef> = stmt
        .query_map([UnitState::OccupiedWithoutTitle.code()], unit_row)?
        .collect::<rusqlite::Result<_>>()?;
    units.into_iter().map(|u| with_people(conn, u)).collect()
}

/// Up to `n` units of the comuni of a district, by id, with their households.
pub fn district_units(conn: &Connection, district_id: i64, n: usize) -> Result<Vec<UnitRef>> {
    let mut stmt = conn.prepare(&format!(
        "{UNIT} WHERE u.istat_code IN (SELECT istat_code FROM district_municipality
                                       WHERE district_id = ?1)
         ORDER BY u.id LIMIT ?2"
    ))?;
    let units: Vec<UnitRef> = stmt
        .query_map(params![district_id, n as i64], unit_row)?
        .collect::<rusqlite::Result<_>>()?;
    units.into_iter().map(|u| with_people(conn, u)).collect()
}

/// Writes generated records (already checked by the generator's own tests) and sets the
/// units whose occupation was regularised to OCCUPATO, in the caller's transaction.
pub fn insert(
    conn: &Connection,
    records: &[(Occupation, i64, i64, String)],
    regularised: &[i64],
    at: &str,
) -> Result<()> {
    for (o, owner_id, unit_id, istat) in records {
        let r = Resolved {
            owner_id: *owner_id,
            owner_name: String::new(),
            istat_code: istat.clone(),
            unit_id: Some(*unit_id),
            unit_state: None,
        };
        write_row(conn, None, o, &r, at)?;
    }
    let mut set = conn.prepare_cached(
        "UPDATE unit SET state = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
    )?;
    for u in regularised {
        set.execute(params![u, UnitState::Occupied.code(), at])?;
    }
    Ok(())
}
