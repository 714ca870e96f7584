//! Looking up bodies (owners, managers) and districts by what people type: codice fiscale,
//! ISTAT code, ALER code, name.

use super::certification::Refused;
use crate::domain::registry::OwnerKind;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerRef {
    pub id: i64,
    #[serde(serialize_with = "kind_label")]
    pub kind: OwnerKind,
    pub name: String,
    pub tax_code: String,
    pub istat_code: Option<String>,
    pub aler_code: Option<String>,
    pub synthetic_tax_code: bool,
}

fn kind_label<S: serde::Serializer>(k: &OwnerKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.label())
}

const OWNER_COLS: &str =
    "id, kind, name, tax_code, istat_code, aler_code, synthetic_tax_code FROM owner";

fn owner_row(r: &Row) -> rusqlite::Result<OwnerRef> {
    let kind: i64 = r.get(1)?;
    Ok(OwnerRef {
        id: r.get(0)?,
        kind: OwnerKind::from_code(kind).unwrap_or(OwnerKind::AccreditedOperator),
        name: r.get(2)?,
        tax_code: r.get(3)?,
        istat_code: r.get(4)?,
        aler_code: r.get(5)?,
        synthetic_tax_code: r.get(6)?,
    })
}

pub fn owner_by_id(conn: &Connection, id: i64) -> Result<Option<OwnerRef>> {
    Ok(conn
        .query_row(
            &format!("SELECT {OWNER_COLS} WHERE id = ?1"),
            [id],
            owner_row,
        )
        .optional()?)
}

pub fn owner_by_tax_code(conn: &Connection, tax_code: &str) -> Result<Option<OwnerRef>> {
    Ok(conn
        .query_row(
            &format!("SELECT {OWNER_COLS} WHERE tax_code = ?1"),
            [tax_code],
            owner_row,
        )
        .optional()?)
}

/// The Comune (as owner) with this ISTAT code.
pub fn owner_by_istat(conn: &Connection, istat: &str) -> Result<Option<OwnerRef>> {
    Ok(conn
        .query_row(
            &format!("SELECT {OWNER_COLS} WHERE istat_code = ?1"),
            [istat],
            owner_row,
        )
        .optional()?)
}

/// Every body, ordered by kind and name.
pub fn all_owners(conn: &Connection) -> Result<Vec<OwnerRef>> {
    let mut stmt = conn.prepare(&format!("SELECT {OWNER_COLS} ORDER BY kind, name"))?;
    let rows = stmt.query_map([], owner_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds one owner from what a user typed: codice fiscale, ISTAT code of a Comune, ALER code
/// (`ALER_MI`, `aler.mi`, `mi`), the exact ragione sociale, or a comune's name.
pub fn find_owner(conn: &Connection, query: &str) -> Result<OwnerRef> {
    let q = query.trim();
    if q.is_empty() {
        return Err(Refused("ente non indicato".into()).into());
    }
    if let Some(o) = owner_by_tax_code(conn, &q.to_ascii_uppercase())? {
        return Ok(o);
    }
    if q.len() == 6
        && q.bytes().all(|b| b.is_ascii_digit())
        && let Some(o) = owner_by_istat(conn, q)?
    {
        return Ok(o);
    }
    let upper = q.to_ascii_uppercase();
    let aler_code = match upper.strip_prefix("ALER.") {
        Some(slug) => format!("ALER_{}", slug.replace('-', "_")),
        None if upper.starts_with("ALER_") => upper.clone(),
        None => String::new(),
    };
    if !aler_code.is_empty()
        && let Some(o) = conn
            .query_row(
                &format!("SELECT {OWNER_COLS} WHERE aler_code = ?1"),
                [&aler_code],
                owner_row,
            )
            .optional()?
    {
        return Ok(o);
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT {OWNER_COLS} WHERE name = ?1 COLLATE NOCASE OR name = 'Comune di ' || ?1 COLLATE NOCASE
         ORDER BY id LIMIT 5"
    ))?;
    let found: Vec<OwnerRef> = stmt
        .query_map([q], owner_row)?
        .collect::<rusqlite::Result<_>>()?;
    match found.len() {
        1 => Ok(found.into_iter().next().unwrap_or_else(|| unreachable!())),
        0 => Err(anyhow!(Refused(format!(
            "ente '{}' non trovato (indicare codice fiscale, codice ISTAT del comune, codice ALER o ragione sociale)",
            crate::safe_text::excerpt(q)
        )))),
        _ => Err(anyhow!(Refused(format!(
            "'{}' indica più enti: {}; usare il codice fiscale",
            crate::safe_text::excerpt(q),
            found
                .iter()
                .map(|o| format!("{} ({})", o.name, o.tax_code))
                .collect::<Vec<_>>()
                .join(", ")
        )))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistrictRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lead_istat: Option<String>,
    pub lead_name: Option<String>,
    pub synthetic: bool,
    pub municipalities: i64,
    /// False where no source names the capofila as such (it is the usual one, e.g. Merate).
    pub lead_confirmed: bool,
}

const DISTRICT_SELECT: &str = "SELECT d.id, d.code, d.name, d.lead_istat, m.name, d.synthetic,
        (SELECT count(*) FROM district_municipality dm WHERE dm.district_id = d.id),
        d.lead_confirmed
     FROM district d LEFT JOIN municipality m ON m.istat_code = d.lead_istat";

fn district_row(r: &Row) -> rusqlite::Result<DistrictRef> {
    Ok(DistrictRef {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        lead_istat: r.get(3)?,
        lead_name: r.get(4)?,
        synthetic: r.get(5)?,
        municipalities: r.get(6)?,
        lead_confirmed: r.get(7)?,
    })
}

pub fn districts(conn: &Connection) -> Result<Vec<DistrictRef>> {
    let mut stmt = conn.prepare(&format!("{DISTRICT_SELECT} ORDER BY d.code"))?;
    let rows = stmt.query_map([], district_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a district by code (case-insensitive) or exact name.
pub fn find_district(conn: &Connection, query: &str) -> Result<DistrictRef> {
    let q = query.trim();
    let found = conn
        .query_row(
            &format!(
                "{DISTRICT_SELECT} WHERE d.code = ?1 COLLATE NOCASE OR d.name = ?1 COLLATE NOCASE
                 ORDER BY d.code = ?1 COLLATE NOCASE DESC LIMIT 1"
            ),
            [q],
            district_row,
        )
        .optional()?;
    found.ok_or_else(|| {
        anyhow!(Refused(format!(
            "ambito '{}' non trovato (indicare il codice, ad es. MI-MILANO, o il nome)",
            crate::safe_text::excerpt(q)
        )))
    })
}

pub fn district_by_id(conn: &Connection, id: i64) -> Result<Option<DistrictRef>> {
    Ok(conn
        .query_row(
            &format!("{DISTRICT_SELECT} WHERE d.id = ?1"),
            [id],
            district_row,
        )
        .optional()?)
}

/// The district whose units in avviso make the most rankings (owner × comune), for the demo
/// notice; `None` when no district with a capofila has units in avviso.
pub fn busiest_notice_district(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT d.id, d.code FROM district d
               JOIN district_municipality dm ON dm.district_id = d.id
               JOIN unit_tally t ON t.istat_code = dm.istat_code
              WHERE t.in_notice = 1 AND t.n > 0 AND d.lead_istat IS NOT NULL
              GROUP BY d.id
              ORDER BY count(DISTINCT t.owner_id || '-' || t.istat_code) DESC, d.code
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The comuni of a district with their population, by ISTAT code.
pub fn district_population(conn: &Connection, district_id: i64) -> Result<Vec<(String, u32)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.istat_code, m.population FROM district_municipality dm
           JOIN municipality m ON m.istat_code = dm.istat_code
          WHERE dm.district_id = ?1 ORDER BY m.istat_code",
    )?;
    let rows = stmt.query_map([district_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
