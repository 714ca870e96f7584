//! The rows the search shows and exports, fetched by id once a page's ids are known.

use super::Cursor;
use crate::domain::registry::{OwnerKind, ServiceType, UnitState};
use crate::domain::unit_filter::SortKey;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, Row};
use serde::Serialize;
use std::collections::HashMap;

fn label<S: serde::Serializer, T: std::fmt::Display>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// One unit in the results: the export columns of the regional platform (DOMAIN.md §4) and what
/// the plan's detail lists add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRow {
    /// ID Alloggio.
    pub id: i64,
    /// Codice identificativo U.I.
    pub code: String,
    pub owner_id: i64,
    /// Tipo Ente Proprietario.
    #[serde(serialize_with = "label")]
    pub owner_kind: OwnerKind,
    /// Ragione sociale Ente Proprietario.
    pub owner_name: String,
    /// Sigla of the province.
    pub province: String,
    pub istat: String,
    pub comune: String,
    /// Quartiere/Zona/Località/Frazione.
    pub locality: Option<String>,
    pub address: String,
    pub street_number: Option<String>,
    #[serde(serialize_with = "label")]
    pub state: UnitState,
    /// Codice fabbricato.
    pub building_code: String,
    /// Destinazione d'uso.
    #[serde(serialize_with = "label")]
    pub service: ServiceType,
    /// Superficie utile, m².
    pub floor_area: Option<f64>,
    pub in_notice: bool,
    /// Marked for the plan of this year.
    pub plan_year: Option<i32>,
    #[serde(skip)]
    pub(crate) comune_sort: i64,
}

impl UnitRow {
    /// Address with the street number, as the export shows it.
    pub fn full_address(&self) -> String {
        match &self.street_number {
            Some(n) if !n.trim().is_empty() => format!("{} {}", self.address, n.trim()),
            _ => self.address.clone(),
        }
    }

    /// `full_address`, taking the address out of the row instead of copying it (for writers
    /// that consume the rows).
    pub fn take_full_address(&mut self) -> String {
        match &self.street_number {
            Some(n) if !n.trim().is_empty() => format!("{} {}", self.address, n.trim()),
            _ => std::mem::take(&mut self.address),
        }
    }

    /// Where the next page after (or the previous page before) this row starts.
    pub fn cursor(&self, key: SortKey) -> Cursor {
        let key_value = match key {
            SortKey::Id => 0.0,
            SortKey::Comune => self.comune_sort as f64,
            SortKey::State => self.state.code() as f64,
            SortKey::Area => self.floor_area.unwrap_or(0.0),
        };
        Cursor {
            key: key_value,
            id: self.id,
        }
    }
}

/// The columns of a `UnitRow`, on `unit u` joined with `JOINS`.
pub(super) const COLUMNS: &str =
    "u.id, u.code, u.owner_id, o.kind, o.name, u.province, u.istat_code,
        m.name, u.locality, u.address, u.street_number, u.state, b.code, u.service, u.floor_area,
        u.in_notice, u.plan_year, u.comune_sort";

/// Number of columns in `COLUMNS` (a sort key selected after them is at this index).
pub(super) const COLUMN_COUNT: usize = 18;

/// The joins `COLUMNS` needs; CROSS JOIN keeps `unit` the outer loop (its index gives the order).
pub(super) const JOINS: &str = " CROSS JOIN owner o ON o.id = u.owner_id
    CROSS JOIN municipality m ON m.istat_code = u.istat_code
    CROSS JOIN building b ON b.id = u.building_id";

fn coded<T>(v: Option<T>, what: &str, code: i64) -> rusqlite::Result<T> {
    v.ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("{what} sconosciuto: codice {code}").into(),
        )
    })
}

pub(super) fn unit_row(r: &Row) -> rusqlite::Result<UnitRow> {
    let kind: i64 = r.get(3)?;
    let state: i64 = r.get(11)?;
    let service: i64 = r.get(13)?;
    Ok(UnitRow {
        id: r.get(0)?,
        code: r.get(1)?,
        owner_id: r.get(2)?,
        owner_kind: coded(OwnerKind::from_code(kind), "tipo ente", kind)?,
        owner_name: r.get(4)?,
        province: r.get(5)?,
        istat: r.get(6)?,
        comune: r.get(7)?,
        locality: r.get(8)?,
        address: r.get(9)?,
        street_number: r.get(10)?,
        state: coded(UnitState::from_code(state), "stato", state)?,
        building_code: r.get(12)?,
        service: coded(
            ServiceType::from_code(service),
            "destinazione d'uso",
            service,
        )?,
        floor_area: r.get(14)?,
        in_notice: r.get::<_, i64>(15)? == 1,
        plan_year: r.get(16)?,
        comune_sort: r.get(17)?,
    })
}

/// Statement sizes used for `id IN (…)`, so that few distinct statements are cached; the
/// unused slots are NULL, which matches nothing.
const CHUNKS: [usize; 5] = [1, 8, 32, 128, 512];

/// The statements selecting `columns` of the units with `size` ids, one per size in `CHUNKS`
/// (built once per column set: `which` names the cache).
fn in_list_sql(
    which: &'static std::sync::OnceLock<Vec<String>>,
    from: fn() -> String,
    size: usize,
) -> &'static str {
    let all = which.get_or_init(|| {
        let from = from();
        CHUNKS
            .iter()
            .map(|&n| {
                let slots: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
                format!("SELECT {from} WHERE u.id IN ({})", slots.join(","))
            })
            .collect()
    });
    CHUNKS
        .iter()
        .position(|n| *n == size)
        .map_or("", |i| all[i].as_str())
}

/// The rows of `ids` in the order given (ids not found are skipped), in statements of the
/// sizes of `CHUNKS`; `sql(size)` gives the statement, `map` builds a row.
fn fetch_with(
    conn: &Connection,
    ids: &[i64],
    sql: impl Fn(usize) -> &'static str,
    mut map: impl FnMut(&Row) -> Result<UnitRow>,
) -> Result<Vec<UnitRow>> {
    let mut found: HashMap<i64, UnitRow> = HashMap::with_capacity(ids.len());
    let mut rest = ids;
    while !rest.is_empty() {
        let size = CHUNKS
            .iter()
            .copied()
            .find(|c| *c >= rest.len())
            .unwrap_or(CHUNKS[CHUNKS.len() - 1]);
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        let mut stmt = conn.prepare_cached(sql(size))?;
        let params: Vec<Option<i64>> = (0..size).map(|i| chunk.get(i).copied()).collect();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let row = map(r)?;
            found.insert(row.id, row);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The rows with these ids, in the order given (ids not found are skipped).
pub fn fetch(conn: &Connection, ids: &[i64]) -> Result<Vec<UnitRow>> {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    fetch_with(
        conn,
        ids,
        |size| in_list_sql(&SQL, || format!("{COLUMNS} FROM unit u{JOINS}"), size),
        |r| Ok(unit_row(r)?),
    )
}

/// Owner and comune names for the export's rows, read once: the long reads of the export then
/// fetch units alone, without three joins per row (owners and comuni are a few thousand).
pub struct Names {
    owners: HashMap<i64, (OwnerKind, String)>,
    comuni: HashMap<String, String>,
}

impl Names {
    pub fn load(conn: &Connection) -> Result<Names> {
        let mut owners = HashMap::new();
        let mut stmt = conn.prepare("SELECT id, kind, name FROM owner WHERE id > 0")?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (id, kind, name) = r?;
            owners.insert(
                id,
                (coded(OwnerKind::from_code(kind), "tipo ente", kind)?, name),
            );
        }
        let mut comuni = HashMap::new();
        let mut stmt =
            conn.prepare("SELECT istat_code, name FROM municipality WHERE istat_code > ''")?;
        for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (k, v) = r?;
            comuni.insert(k, v);
        }
        Ok(Names { owners, comuni })
    }
}

/// The columns of a row for the export (no joins; names come from `Names`, the building code
/// is not exported).
const LIST_COLUMNS: &str = "u.id, u.code, u.owner_id, u.province, u.istat_code, u.locality,
    u.address, u.street_number, u.state, u.service, u.floor_area, u.in_notice, u.plan_year,
    u.comune_sort";

/// As `fetch`, for the export: the same rows (building code left empty), in the order given.
pub fn fetch_for_list(conn: &Connection, ids: &[i64], names: &Names) -> Result<Vec<UnitRow>> {
    static SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    fetch_with(
        conn,
        ids,
        |size| in_list_sql(&SQL, || format!("{LIST_COLUMNS} FROM unit u"), size),
        |r| {
            let owner_id: i64 = r.get(2)?;
            let istat: String = r.get(4)?;
            let state: i64 = r.get(8)?;
            let service: i64 = r.get(9)?;
            let (owner_kind, owner_name) = names
                .owners
                .get(&owner_id)
                .cloned()
                .ok_or_else(|| anyhow!("ente {owner_id} sconosciuto"))?;
            let comune = names.comuni.get(&istat).cloned().unwrap_or_default();
            Ok(UnitRow {
                id: r.get(0)?,
                code: r.get(1)?,
                owner_id,
                owner_kind,
                owner_name,
                province: r.get(3)?,
                istat,
                comune,
                locality: r.get(5)?,
                address: r.get(6)?,
                street_number: r.get(7)?,
                state: coded(UnitState::from_code(state), "stato", state)?,
                building_code: String::new(),
                service: coded(
                    ServiceType::from_code(service),
                    "destinazione d'uso",
                    service,
                )?,
                floor_area: r.get(10)?,
                in_notice: r.get::<_, i64>(11)? == 1,
                plan_year: r.get(12)?,
                comune_sort: r.get(13)?,
            })
        },
    )
}

/// The row of one unit (any owner: callers check visibility).
pub fn by_id(conn: &Connection, id: i64) -> Result<UnitRow> {
    fetch(conn, &[id])?
        .pop()
        .ok_or_else(|| anyhow!("alloggio {id} non trovato"))
}
