//! Counts `casa init` and `casa doctor` print about a database.

use anyhow::Result;
use rusqlite::Connection;

/// What a database holds, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub comuni: i64,
    pub districts: i64,
    pub units: i64,
    pub owners: i64,
    /// Owners whose codice fiscale is made up (demo data, bodies without a known one).
    pub synthetic_owners: i64,
    pub operators: i64,
    pub audit_records: i64,
}

pub fn facts(conn: &Connection) -> Result<Facts> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM municipality), (SELECT count(*) FROM district),
                (SELECT count(*) FROM unit), (SELECT count(*) FROM owner),
                (SELECT count(*) FROM owner WHERE synthetic_tax_code = 1),
                (SELECT count(*) FROM operator), (SELECT count(*) FROM audit)",
        [],
        |r| {
            Ok(Facts {
                comuni: r.get(0)?,
                districts: r.get(1)?,
                units: r.get(2)?,
                owners: r.get(3)?,
                synthetic_owners: r.get(4)?,
                operators: r.get(5)?,
                audit_records: r.get(6)?,
            })
        },
    )?)
}
