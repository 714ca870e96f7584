//! Ricerca fabbricati: buildings paged by key in address order (address as NOCASE compares,
//! then id), never by OFFSET.
//!
//! How a page is read: an operator who sees some owners reads one lane per owner (index
//! (owner, address) or (owner, comune, address)), each from the cursor on and at most a page
//! long, merged here; the Regione and the helpdesk read one lane (address, or comune +
//! address). A codice fabbricato names a handful of buildings (one per owner at most): read by
//! its index and sorted in memory. `tests/query_plans_registry.rs` checks every plan.

use crate::domain::registry_search::nocase_key;
use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

/// A building as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingRow {
    pub id: i64,
    /// Codice fabbricato.
    pub code: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_tax_code: String,
    pub istat_code: String,
    pub comune: String,
    pub address: String,
    pub street_number: Option<String>,
    pub cap: Option<String>,
    /// Units of the building.
    pub units: i64,
}

impl BuildingRow {
    /// Where the page after this row starts.
    pub fn cursor(&self) -> BuildingCursor {
        BuildingCursor {
            address: self.address.clone(),
            id: self.id,
        }
    }
}

/// The row just before a page (forward) or just after it (backward), exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BuildingCursor {
    pub address: String,
    pub id: i64,
}

/// A resolved filter with what the operator may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildingFilter {
    /// `None`: any owner; otherwise only these (possibly none).
    pub owners: Option<Vec<i64>>,
    pub istat: Option<String>,
    /// Codice fabbricato, compared ignoring case.
    pub code: Option<String>,
    /// The beginning of the address, case ignored: [lower, upper).
    pub address: Option<(String, String)>,
}

/// One lane's SQL: the WHERE terms and their parameters.
fn conditions(
    f: &BuildingFilter,
    owner: Option<i64>,
    cursor: Option<&BuildingCursor>,
    forward: bool,
) -> (String, Vec<Value>) {
    let mut terms = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(o) = owner {
        params.push(o.into());
        terms.push(format!("b.owner_id = ?{}", params.len()));
    }
    if let Some(i) = &f.istat {
        params.push(i.clone().into());
        terms.push(format!("b.istat_code = ?{}", params.len()));
    }
    if let Some(c) = &f.code {
        params.push(c.clone().into());
        terms.push(format!("b.code = ?{} COLLATE NOCASE", params.len()));
    }
    if let Some((lo, hi)) = &f.address {
        params.push(lo.clone().into());
        params.push(hi.clone().into());
        terms.push(format!(
            "b.address COLLATE NOCASE >= ?{} AND b.address COLLATE NOCASE < ?{}",
            params.len() - 1,
            params.len()
        ));
    }
    if let Some(c) = cursor {
        params.push(c.address.clone().into());
        params.push(c.id.into());
        terms.push(format!(
            "(b.address COLLATE NOCASE, b.id) {} (?{}, ?{})",
            if forward { ">" } else { "<" },
            params.len() - 1,
            params.len()
        ));
    }
    let sql = if terms.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", terms.join(" AND "))
    };
    (sql, params)
}

/// The SQL of one lane's page (see `tests/query_plans_registry.rs`).
pub fn lane_sql(
    f: &BuildingFilter,
    owner: Option<i64>,
    cursor: Option<&BuildingCursor>,
    forward: bool,
    limit: usize,
) -> (String, Vec<Value>) {
    let (cond, params) = conditions(f, owner, cursor, forward);
    let dir = if forward { "ASC" } else { "DESC" };
    (
        format!(
            "SELECT b.id, b.code, b.owner_id, o.name, o.tax_code, b.istat_code, m.name,
                    b.address, b.street_number, b.cap,
                    (SELECT count(*) FROM unit u WHERE u.building_id = b.id)
               FROM building b
               JOIN owner o ON o.id = b.owner_id
               JOIN municipality m ON m.istat_code = b.istat_code
               {cond}
              ORDER BY b.address COLLATE NOCASE {dir}, b.id {dir}
              LIMIT {limit}"
        ),
        params,
    )
}

/// The SQL of one lane's count.
pub fn count_sql(f: &BuildingFilter, owner: Option<i64>) -> (String, Vec<Value>) {
    let (cond, params) = conditions(f, owner, None, true);
    (format!("SELECT count(*) FROM building b {cond}"), params)
}

fn lanes(f: &BuildingFilter) -> Vec<Option<i64>> {
    match &f.owners {
        None => vec![None],
        Some(list) => list.iter().map(|o| Some(*o)).collect(),
    }
}

/// At most `limit` buildings after (`forward`) or before the cursor, in address order.
pub fn building_page(
    conn: &Connection,
    f: &BuildingFilter,
    cursor: Option<&BuildingCursor>,
    forward: bool,
    limit: usize,
) -> Result<Vec<BuildingRow>> {
    let mut rows = Vec::new();
    for owner in lanes(f) {
        let (sql, params) = lane_sql(f, owner, cursor, forward, limit);
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(BuildingRow {
                id: r.get(0)?,
                code: r.get(1)?,
                owner_id: r.get(2)?,
                owner_name: r.get(3)?,
                owner_tax_code: r.get(4)?,
                istat_code: r.get(5)?,
                comune: r.get(6)?,
                address: r.get(7)?,
                street_number: r.get(8)?,
                cap: r.get(9)?,
                units: r.get(10)?,
            })
        })?;
        for row in found {
            rows.push(row?);
        }
    }
    rows.sort_by_key(|a| (nocase_key(&a.address), a.id));
    if forward {
        rows.truncate(limit);
    } else {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    Ok(rows)
}

/// How many buildings match.
pub fn building_count(conn: &Connection, f: &BuildingFilter) -> Result<i64> {
    let mut n = 0;
    for owner in lanes(f) {
        let (sql, params) = count_sql(f, owner);
        n += conn.query_row(&sql, rusqlite::params_from_iter(params), |r| {
            r.get::<_, i64>(0)
        })?;
    }
    Ok(n)
}

/// The owner of building `id` and the cursor just after it, if it exists.
pub fn building_cursor(conn: &Connection, id: i64) -> Result<Option<(i64, BuildingCursor)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT owner_id, address FROM building WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    BuildingCursor {
                        address: r.get(1)?,
                        id,
                    },
                ))
            },
        )
        .optional()?)
}

// Ricerca inquilini: the same shape in surname order (surname as NOCASE compares, then id).
// Lanes: owner (owner, surname) or owner + comune (owner, comune, surname); for the Regione and
// the helpdesk surname or comune + surname. A codice fiscale names a handful of tenants (its
// index, sorted in memory).

/// A tenant as the list shows it, with the household's unit (the card it opens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRow {
    pub id: i64,
    pub surname: String,
    pub name: String,
    pub tax_code: String,
    pub relationship: Option<String>,
    pub is_holder: bool,
    pub household_id: i64,
    pub unit_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub comune: String,
    pub address: String,
    /// Surname, name and codice fiscale hidden (the helpdesk): the unit card reveals them,
    /// audited.
    pub personal_data_masked: bool,
}

impl TenantRow {
    pub fn cursor(&self) -> TenantCursor {
        TenantCursor {
            surname: self.surname.clone(),
            id: self.id,
        }
    }

    /// As the unit card masks a tenant: initials only, no codice fiscale.
    pub fn mask_personal_data(&mut self) {
        fn initial(s: &str) -> String {
            s.chars()
                .next()
                .map(|c| format!("{c}***"))
                .unwrap_or_default()
        }
        self.tax_code = "*".repeat(16);
        self.surname = initial(&self.surname);
        self.name = initial(&self.name);
        self.personal_data_masked = true;
    }
}

/// The row just before (forward) or after (backward) a page of tenants, exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantCursor {
    pub surname: String,
    pub id: i64,
}

/// A resolved tenant filter with what the operator may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantFilter {
    pub owners: Option<Vec<i64>>,
    pub istat: Option<String>,
    pub tax_code: Option<String>,
    /// The beginning of the surname, case ignored: [lower, upper).
    pub surname: Option<(String, String)>,
}

fn tenant_conditions(
    f: &TenantFilter,
    owner: Option<i64>,
    cursor: Option<&TenantCursor>,
    forward: bool,
) -> (String, Vec<Value>) {
    let mut terms = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(o) = owner {
        params.push(o.into());
        terms.push(format!("t.owner_id = ?{}", params.len()));
    }
    if let Some(i) = &f.istat {
        params.push(i.clone().into());
        terms.push(format!("t.istat_code = ?{}", params.len()));
    }
    if let Some(c) = &f.tax_code {
        params.push(c.clone().into());
        terms.push(format!("t.tax_code = ?{}", params.len()));
    }
    if let Some((lo, hi)) = &f.surname {
        params.push(lo.clone().into());
        params.push(hi.clone().into());
        terms.push(format!(
            "t.surname COLLATE NOCASE >= ?{} AND t.surname COLLATE NOCASE < ?{}",
            params.len() - 1,
            params.len()
        ));
    }
    if let Some(c) = cursor {
        params.push(c.surname.clone().into());
        params.push(c.id.into());
        terms.push(format!(
            "(t.surname COLLATE NOCASE, t.id) {} (?{}, ?{})",
            if forward { ">" } else { "<" },
            params.len() - 1,
            params.len()
        ));
    }
    let sql = if terms.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", terms.join(" AND "))
    };
    (sql, params)
}

fn tenant_lanes(f: &TenantFilter) -> Vec<Option<i64>> {
    match &f.owners {
        None => vec![None],
        Some(list) => list.iter().map(|o| Some(*o)).collect(),
    }
}

/// At most `limit` tenants after (`forward`) or before the cursor, in surname order.
pub fn tenant_page(
    conn: &Connection,
    f: &TenantFilter,
    cursor: Option<&TenantCursor>,
    forward: bool,
    limit: usize,
) -> Result<Vec<TenantRow>> {
    let mut rows = Vec::new();
    let dir = if forward { "ASC" } else { "DESC" };
    for owner in tenant_lanes(f) {
        let (cond, params) = tenant_conditions(f, owner, cursor, forward);
        let sql = format!(
            "SELECT t.id, t.surname, t.name, t.tax_code, t.relationship, t.is_holder,
                    t.household_id, h.unit_id, t.owner_id, o.name, u.istat_code, m.name,
                    u.address || ifnull(' ' || u.street_number, '')
               FROM tenant t
               JOIN household h ON h.id = t.household_id
               JOIN unit u ON u.id = h.unit_id
               JOIN owner o ON o.id = t.owner_id
               JOIN municipality m ON m.istat_code = u.istat_code
               {cond}
              ORDER BY t.surname COLLATE NOCASE {dir}, t.id {dir}
              LIMIT {limit}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(TenantRow {
                id: r.get(0)?,
                surname: r.get(1)?,
                name: r.get(2)?,
                tax_code: r.get(3)?,
                relationship: r.get(4)?,
                is_holder: r.get(5)?,
                household_id: r.get(6)?,
                unit_id: r.get(7)?,
                owner_id: r.get(8)?,
                owner_name: r.get(9)?,
                istat_code: r.get(10)?,
                comune: r.get(11)?,
                address: r.get(12)?,
                personal_data_masked: false,
            })
        })?;
        for row in found {
            rows.push(row?);
        }
    }
    rows.sort_by_key(|a| (nocase_key(&a.surname), a.id));
    if forward {
        rows.truncate(limit);
    } else {
        let skip = rows.len().saturating_sub(limit);
        rows.drain(..skip);
    }
    Ok(rows)
}

/// How many tenants match.
pub fn tenant_count(conn: &Connection, f: &TenantFilter) -> Result<i64> {
    let mut n = 0;
    for owner in tenant_lanes(f) {
        let (cond, params) = tenant_conditions(f, owner, None, true);
        n += conn.query_row(
            &format!("SELECT count(*) FROM tenant t {cond}"),
            rusqlite::params_from_iter(params),
            |r| r.get::<_, i64>(0),
        )?;
    }
    Ok(n)
}

/// The owner of tenant `id` and the cursor just after it, if it exists.
pub fn tenant_cursor(conn: &Connection, id: i64) -> Result<Option<(i64, TenantCursor)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT owner_id, surname FROM tenant WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    TenantCursor {
                        surname: r.get(1)?,
                        id,
                    },
                ))
            },
        )
        .optional()?)
}
