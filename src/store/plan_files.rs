//! What the export of a plan reads besides the plan and its communications: the owners' stock
//! per comune of the district, and the units marked for the plan year.

use anyhow::Result;
use rusqlite::{Connection, params};

/// Units of one owner in one comune of the district, by service type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComuneStock {
    pub comune: String,
    pub sap: i64,
    pub sas: i64,
    pub other: i64,
}

/// The stock of `owner_id` in each comune of `district_id`, by comune name.
pub fn stock_by_comune(
    conn: &Connection,
    owner_id: i64,
    district_id: i64,
) -> Result<Vec<ComuneStock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.name,
                sum(CASE WHEN t.service = 1 THEN t.n ELSE 0 END),
                sum(CASE WHEN t.service = 2 THEN t.n ELSE 0 END),
                sum(CASE WHEN t.service NOT IN (1, 2) THEN t.n ELSE 0 END)
         FROM unit_tally t
         JOIN district_municipality dm ON dm.istat_code = t.istat_code AND dm.district_id = ?2
         JOIN municipality m ON m.istat_code = t.istat_code
         WHERE t.owner_id = ?1
         GROUP BY t.istat_code ORDER BY m.name",
    )?;
    let rows = stmt.query_map(params![owner_id, district_id], |r| {
        Ok(ComuneStock {
            comune: r.get(0)?,
            sap: r.get(1)?,
            sas: r.get(2)?,
            other: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A unit marked for the plan, with the columns of the plan's detail list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedUnit {
    pub owner: String,
    pub code: String,
    pub comune: String,
    pub locality: String,
    pub state: String,
}

/// The units marked for the plan of `year` in the comuni of `district_id`, by owner, comune
/// and code.
pub fn marked_units(conn: &Connection, year: i32, district_id: i64) -> Result<Vec<MarkedUnit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.name, u.code, m.name, ifnull(u.locality, ''), s.label
         FROM unit u
         JOIN district_municipality dm ON dm.istat_code = u.istat_code AND dm.district_id = ?2
         JOIN owner o ON o.id = u.owner_id
         JOIN municipality m ON m.istat_code = u.istat_code
         JOIN unit_state s ON s.code = u.state
         WHERE u.plan_year = ?1
         ORDER BY o.name, m.name, u.code",
    )?;
    let rows = stmt.query_map(params![year, district_id], |r| {
        Ok(MarkedUnit {
            owner: r.get(0)?,
            code: r.get(1)?,
            comune: r.get(2)?,
            locality: r.get(3)?,
            state: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
