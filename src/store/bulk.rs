//! Bulk loading for the demo generator: reads the reference data it builds on, writes districts,
//! operators and millions of registry rows as fast as SQLite allows, and tells a demo database
//! from any other so that a refresh never replaces real data.
//!
//! The load runs on a fresh temporary file that is thrown away on any error, which is why it may
//! switch journaling and foreign-key enforcement off; the generator guarantees consistency and
//! the demo tests run `PRAGMA foreign_key_check` on the result.

use super::APPLICATION_ID;
use super::audit::{self, Entry};
use super::search::{self, SuspendedSync};
use crate::domain::access::{Role, Service};
use anyhow::{Context, Result, bail};
use rusqlite::{CachedStatement, Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;
use std::time::Instant;

/// Audit action that marks a database as made by `casa demo`.
pub const DEMO_ACTION: &str = "demo.crea";

/// Tables whose secondary indexes are dropped during the load and rebuilt afterwards.
const BULK_TABLES: [&str; 4] = ["building", "unit", "household", "tenant"];

// ---------------------------------------------------------------------------------------------
// Reference data the generator builds on.

/// A comune with the id of its Comune owner.
#[derive(Debug, Clone)]
pub struct ComuneRef {
    pub istat: String,
    pub name: String,
    pub province: String,
    pub province_name: String,
    pub cadastral: String,
    pub population: i64,
    pub is_capital: bool,
    pub owner_id: i64,
    /// Alphabetical rank of the comune (`unit.comune_sort`).
    pub sort_rank: i64,
}

#[derive(Debug, Clone)]
pub struct AlerRef {
    pub owner_id: i64,
    pub code: String,
    pub name: String,
    pub provinces: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DistrictRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lead_istat: Option<String>,
    pub lead_note: Option<String>,
    /// ISTAT codes of the member comuni, ascending.
    pub members: Vec<String>,
}

/// Everything of a freshly created database the demo generator needs, in stable order.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Ordered by ISTAT code.
    pub comuni: Vec<ComuneRef>,
    /// Ordered by owner id.
    pub alers: Vec<AlerRef>,
    pub region_owner_id: Option<i64>,
    /// Ordered by id.
    pub districts: Vec<DistrictRef>,
}

pub fn snapshot(conn: &Connection) -> Result<Snapshot> {
    let mut stmt = conn.prepare(
        "SELECT m.istat_code, m.name, m.province, p.name, m.cadastral_code, m.population,
                m.is_capital, o.id, m.sort_rank
         FROM municipality m
         JOIN province p ON p.sigla = m.province
         JOIN owner o ON o.istat_code = m.istat_code AND o.kind = 1
         ORDER BY m.istat_code",
    )?;
    let comuni = stmt
        .query_map([], |r| {
            Ok(ComuneRef {
                istat: r.get(0)?,
                name: r.get(1)?,
                province: r.get(2)?,
                province_name: r.get(3)?,
                cadastral: r.get(4)?,
                population: r.get(5)?,
                is_capital: r.get(6)?,
                owner_id: r.get(7)?,
                sort_rank: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut stmt = conn.prepare(
        "SELECT o.id, o.aler_code, o.name, ap.province
         FROM owner o JOIN aler_province ap ON ap.owner_id = o.id
         WHERE o.kind = 2 ORDER BY o.id, ap.province",
    )?;
    let mut alers: Vec<AlerRef> = Vec::new();
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, code, name, province) = row?;
        match alers.last_mut() {
            Some(a) if a.owner_id == id => a.provinces.push(province),
            _ => alers.push(AlerRef {
                owner_id: id,
                code,
                name,
                provinces: vec![province],
            }),
        }
    }

    let region_owner_id = conn
        .query_row(
            "SELECT id FROM owner WHERE kind = 4 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;

    let districts = districts(conn)?;

    Ok(Snapshot {
        comuni,
        alers,
        region_owner_id,
        districts,
    })
}

// ---------------------------------------------------------------------------------------------
// Districts and operators.

/// Every district with its members, ordered by id.
pub fn districts(conn: &Connection) -> Result<Vec<DistrictRef>> {
    let mut stmt =
        conn.prepare("SELECT id, code, name, lead_istat, lead_note FROM district ORDER BY id")?;
    let mut districts = stmt
        .query_map([], |r| {
            Ok(DistrictRef {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                lead_istat: r.get(3)?,
                lead_note: r.get(4)?,
                members: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare(
        "SELECT istat_code FROM district_municipality WHERE district_id = ?1 ORDER BY istat_code",
    )?;
    for d in &mut districts {
        d.members = stmt
            .query_map([d.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }

    Ok(districts)
}

/// A made-up district for comuni whose real one is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDistrict {
    pub code: String,
    pub name: String,
    pub lead_istat: String,
    pub lead_note: String,
    pub source: String,
    pub members: Vec<String>,
}

/// Inserts a synthetic district with its members; returns its id.
pub fn insert_synthetic_district(conn: &Connection, d: &NewDistrict) -> Result<i64> {
    conn.execute(
        "INSERT INTO district (code, name, lead_istat, lead_note, granularity, synthetic, source)
         VALUES (?1, ?2, ?3, ?4, 'ambito', 1, ?5)",
        params![d.code, d.name, d.lead_istat, d.lead_note, d.source],
    )?;
    let id = conn.last_insert_rowid();
    let mut member = conn.prepare_cached(
        "INSERT INTO district_municipality (istat_code, district_id, name_in_source, source)
         VALUES (?1, ?2, NULL, ?3)",
    )?;
    for istat in &d.members {
        member.execute(params![istat, id, d.source])?;
    }
    Ok(id)
}

/// Sets the capofila of a real district whose source names none.
pub fn set_district_lead(conn: &Connection, id: i64, lead_istat: &str, note: &str) -> Result<()> {
    conn.execute(
        "UPDATE district SET lead_istat = ?2, lead_note = ?3 WHERE id = ?1",
        params![id, lead_istat, note],
    )?;
    Ok(())
}

/// A demo operator, active, with its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOperator {
    pub username: String,
    pub surname: String,
    pub name: String,
    pub tax_code: String,
    pub email: String,
    pub role: Role,
    pub district_id: Option<i64>,
    pub grants: Vec<(i64, Service)>,
}

pub fn insert_operators(conn: &Connection, ops: &[DemoOperator], created_at: &str) -> Result<()> {
    let mut op = conn.prepare_cached(
        "INSERT INTO operator (username, surname, name, tax_code, email, role, district_id, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'ATTIVO', ?8)",
    )?;
    let mut grant = conn.prepare_cached(
        "INSERT INTO operator_grant (operator_id, owner_id, service) VALUES (?1, ?2, ?3)",
    )?;
    for o in ops {
        op.execute(params![
            o.username,
            o.surname,
            o.name,
            o.tax_code,
            o.email,
            o.role.db(),
            o.district_id,
            created_at
        ])
        .with_context(|| format!("operatore {}", o.username))?;
        let id = conn.last_insert_rowid();
        for (owner, service) in &o.grants {
            grant.execute(params![id, owner, service.db()])?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Registry rows. Buildings own their units, units their household, households their tenants:
// the writer copies the parent's fields (address, owner…) into each child row.

#[derive(Debug, Clone)]
pub struct BuildingRow {
    pub id: i64,
    pub code: String,
    pub owner_id: i64,
    pub manager_id: i64,
    pub istat_code: String,
    /// The comune's alphabetical rank, written directly so the search's rebuild has nothing to
    /// update.
    pub comune_sort: i64,
    pub province: String,
    pub address: String,
    pub street_number: String,
    pub cap: String,
    pub locality: Option<&'static str>,
    pub year_built: i32,
    pub has_lift: bool,
    pub floors: i32,
    pub cadastral_sheet: u32,
    pub cadastral_parcel: u32,
    pub units: Vec<UnitRow>,
}

#[derive(Debug, Clone)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub staircase: Option<&'static str>,
    pub floor: &'static str,
    pub cadastral_sub: u32,
    pub cadastral_category: &'static str,
    pub floor_area: f64,
    pub rooms: i32,
    pub service: i64,
    pub sat: bool,
    pub state: i64,
    pub in_notice: bool,
    pub works: Option<String>,
    pub works_cost_cents: Option<i64>,
    pub barrier_free: bool,
    pub household: Option<HouseholdRow>,
}

#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub id: i64,
    pub isee_cents: Option<i64>,
    pub contract_date: Option<String>,
    pub tenants: Vec<TenantRow>,
}

#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: i64,
    pub tax_code: String,
    pub surname: &'static str,
    pub name: &'static str,
    pub sex: &'static str,
    pub birth_date: String,
    pub birth_place: String,
    pub relationship: &'static str,
    pub is_holder: bool,
}

/// Rows written so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCounts {
    pub buildings: u64,
    pub units: u64,
    pub households: u64,
    pub tenants: u64,
}

/// Writes registry rows with cached prepared statements; use inside one transaction.
pub struct RowWriter<'c> {
    building: CachedStatement<'c>,
    unit: CachedStatement<'c>,
    household: CachedStatement<'c>,
    tenant: CachedStatement<'c>,
    updated_at: String,
    pub counts: RowCounts,
}

impl<'c> RowWriter<'c> {
    pub fn new(conn: &'c Connection, updated_at: &str) -> Result<Self> {
        Ok(RowWriter {
            building: conn.prepare_cached(
                "INSERT INTO building (id, code, owner_id, istat_code, address, street_number, cap,
                     locality, year_built, has_lift, floors)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            unit: conn.prepare_cached(
                "INSERT INTO unit (id, code, building_id, owner_id, manager_id, istat_code, province,
                     locality, address, street_number, cap, staircase, floor, has_lift,
                     cadastral_sheet, cadastral_parcel, cadastral_sub, cadastral_category,
                     floor_area, rooms, service, sat, state, in_notice, works, works_cost_cents,
                     barrier_free, updated_at, comune_sort)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
            )?,
            household: conn.prepare_cached(
                "INSERT INTO household (id, unit_id, owner_id, members, isee_cents, contract_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            tenant: conn.prepare_cached(
                "INSERT INTO tenant (id, household_id, owner_id, tax_code, surname, name, sex,
                     birth_date, birth_place, relationship, is_holder)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            updated_at: updated_at.to_string(),
            counts: RowCounts::default(),
        })
    }

    pub fn write(&mut self, buildings: &[BuildingRow]) -> Result<()> {
        for b in buildings {
            self.building.execute(params![
                b.id,
                b.code,
                b.owner_id,
                b.istat_code,
                b.address,
                b.street_number,
                b.cap,
                b.locality,
                b.year_built,
                b.has_lift,
                b.floors
            ])?;
            self.counts.buildings += 1;
            for u in &b.units {
                // Cadastral numbers are bound as integers: the TEXT columns store them as text.
                self.unit.execute(params![
                    u.id,
                    u.code,
                    b.id,
                    b.owner_id,
                    b.manager_id,
                    b.istat_code,
                    b.province,
                    b.locality,
                    b.address,
                    b.street_number,
                    b.cap,
                    u.staircase,
                    u.floor,
                    b.has_lift,
                    b.cadastral_sheet,
                    b.cadastral_parcel,
                    u.cadastral_sub,
                    u.cadastral_category,
                    u.floor_area,
                    u.rooms,
                    u.service,
                    u.sat,
                    u.state,
                    u.in_notice,
                    u.works,
                    u.works_cost_cents,
                    u.barrier_free,
                    self.updated_at,
                    b.comune_sort
                ])?;
                self.counts.units += 1;
                let Some(h) = &u.household else { continue };
                self.household.execute(params![
                    h.id,
                    u.id,
                    b.owner_id,
                    h.tenants.len() as i64,
                    h.isee_cents,
                    h.contract_date
                ])?;
                self.counts.households += 1;
                for t in &h.tenants {
                    self.tenant.execute(params![
                        t.id,
                        h.id,
                        b.owner_id,
                        t.tax_code,
                        t.surname,
                        t.name,
                        t.sex,
                        t.birth_date,
                        t.birth_place,
                        t.relationship,
                        t.is_holder
                    ])?;
                }
                self.counts.tenants += h.tenants.len() as u64;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Load settings and indexes.

/// What `begin_bulk_load` switched off, to restore with `end_bulk_load`.
#[must_use = "call end_bulk_load() after the load, or indexes and search data are missing"]
pub struct BulkLoad {
    /// Secondary indexes dropped for the load: (name, SQL).
    indexes: Vec<(String, String)>,
    /// The search's sync triggers, whose derived data is rebuilt once at the end.
    sync: SuspendedSync,
}

/// Prepares a fresh temporary database for a bulk load: no journal, no fsync, no foreign-key
/// enforcement, the search's sync triggers suspended and the registry tables' secondary
/// indexes dropped (their SQL is kept, so indexes added by later migrations are handled too).
/// Call outside any transaction.
pub fn begin_bulk_load(conn: &Connection) -> Result<BulkLoad> {
    let mode: String = conn.query_row("PRAGMA journal_mode=OFF", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("off") {
        bail!("impossibile disattivare il journal per il caricamento (modo {mode})");
    }
    conn.execute_batch(
        "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-131072;",
    )?;
    let sync = search::suspend_sync(conn)?;
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_schema
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?1, ?2, ?3, ?4)
         ORDER BY tbl_name, name",
    )?;
    let indexes = stmt
        .query_map(BULK_TABLES, |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(BulkLoad { indexes, sync })
}

/// Rebuilds the search's derived data and the dropped indexes, refreshes the planner's
/// statistics and returns the database to the settings every casa connection expects (WAL,
/// foreign keys on).
pub fn end_bulk_load(conn: &Connection, load: BulkLoad) -> Result<()> {
    // Lets SQLite's sorter use a helper thread for CREATE INDEX.
    conn.execute_batch("PRAGMA threads=2")?;
    let tx = conn.unchecked_transaction()?;
    let started = Instant::now();
    // Before the indexes: the rebuild then writes no index entries.
    load.sync.resume(&tx)?;
    let resumed = Instant::now();
    for (name, sql) in &load.indexes {
        tx.execute_batch(sql)
            .with_context(|| format!("ricostruzione dell'indice {name}"))?;
    }
    tx.commit()?;
    let indexed = Instant::now();
    // Sampled statistics: exact ones would scan a million rows per index for little gain.
    conn.execute_batch("PRAGMA analysis_limit=1000; ANALYZE; PRAGMA optimize;")?;
    tracing::info!(
        "caricamento: dati di ricerca {:.2} s, {} indici {:.2} s, statistiche {:.2} s",
        (resumed - started).as_secs_f64(),
        load.indexes.len(),
        (indexed - resumed).as_secs_f64(),
        indexed.elapsed().as_secs_f64()
    );
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("impossibile riattivare il journal WAL (modo {mode})");
    }
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
    Ok(())
}

/// Writes the audit record of the demo creation (`after` holds units, seed and counts).
pub fn record_creation(conn: &Connection, after: serde_json::Value) -> Result<()> {
    audit::record(
        conn,
        Entry {
            operator: "casa demo",
            action: DEMO_ACTION,
            entity: "database",
            entity_id: None,
            before: None,
            after: Some(after),
        },
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Which files a refresh may replace.

/// What is at the path a demo database is about to be written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Nothing, or an empty file.
    Nothing,
    /// A database made by `casa demo`: a refresh may replace it.
    Demo,
    /// Anything else: never replaced. The text says what it is, in Italian.
    Other(String),
}

/// Looks at `path` without changing it.
pub fn existing(path: &Path) -> Result<Existing> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e).with_context(|| format!("impossibile leggere {}", path.display())),
    };
    if !meta.is_file() {
        return Ok(Existing::Other("non è un file".into()));
    }
    if meta.len() == 0 {
        return Ok(Existing::Nothing);
    }
    let conn = Connection::open_with_flags(
        super::file_path(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let Ok(app_id) = conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0)) else {
        return Ok(Existing::Other("non è un database SQLite".into()));
    };
    if app_id != APPLICATION_ID {
        return Ok(Existing::Other("non è un database di casa".into()));
    }
    let demo: Option<bool> = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM audit WHERE action = ?1)",
            [DEMO_ACTION],
            |r| r.get(0),
        )
        .ok();
    Ok(match demo {
        Some(true) => Existing::Demo,
        _ => Existing::Other("è un database di casa non dimostrativo".into()),
    })
}
