//! Units and buildings: what the importer checks a file against, and its writes.

use super::audit::{self, Entry};
use super::{Store, now, search};
use crate::domain::registry::{OwnerKind, ServiceType, UnitState};
use crate::domain::unit_record::{BuildingFields, UnitFields};
use anyhow::{Result, anyhow, bail};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};
use serde_json::Value;
use std::collections::HashMap;

/// A comune as the importer checks it.
#[derive(Debug, Clone)]
pub struct Municipality {
    pub istat_code: String,
    pub name: String,
    /// Sigla (MI, BG, …).
    pub province: String,
    pub province_name: String,
}

/// Every comune, by ISTAT code (1,501 rows: cheaper to hold than to query per row).
pub fn municipalities(conn: &Connection) -> Result<HashMap<String, Municipality>> {
    let mut stmt = conn.prepare(
        "SELECT m.istat_code, m.name, m.province, p.name
         FROM municipality m JOIN province p ON p.sigla = m.province",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Municipality {
            istat_code: r.get(0)?,
            name: r.get(1)?,
            province: r.get(2)?,
            province_name: r.get(3)?,
        })
    })?;
    let mut out = HashMap::new();
    for m in rows {
        let m = m?;
        out.insert(m.istat_code.clone(), m);
    }
    Ok(out)
}

/// A stored building, with its version for the optimistic update.
#[derive(Debug, Clone)]
pub struct StoredBuilding {
    pub id: i64,
    pub version: i64,
    pub istat_code: String,
    pub fields: BuildingFields,
}

/// The building `code` of an owner.
pub fn building_by_key(
    conn: &Connection,
    owner_id: i64,
    code: &str,
) -> Result<Option<StoredBuilding>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, istat_code, address, street_number, cap, locality, year_built, has_lift
         FROM building WHERE owner_id = ?1 AND code = ?2",
    )?;
    Ok(stmt
        .query_row(params![owner_id, code], |r| {
            Ok(StoredBuilding {
                id: r.get(0)?,
                version: r.get(1)?,
                istat_code: r.get(2)?,
                fields: BuildingFields {
                    address: r.get(3)?,
                    street_number: r.get(4)?,
                    cap: r.get(5)?,
                    locality: r.get(6)?,
                    year_built: r.get(7)?,
                    has_lift: r.get(8)?,
                },
            })
        })
        .optional()?)
}

/// A stored unit: the values the importer compares, with its version.
#[derive(Debug, Clone)]
pub struct StoredUnit {
    pub id: i64,
    pub version: i64,
    pub building_id: i64,
    pub manager_id: Option<i64>,
    pub istat_code: String,
    pub fields: UnitFields,
}

const UNIT_COLS: &str = "id, code, version, building_id, manager_id, istat_code, locality, address,
    street_number, cap, staircase, floor, has_lift, cadastral_sheet, cadastral_parcel, cadastral_sub,
    cadastral_category, floor_area, rooms, service, sat, state, in_notice, works, works_cost_cents,
    barrier_free";

fn unit_row(r: &Row) -> rusqlite::Result<StoredUnit> {
    let service: i64 = r.get(19)?;
    let state: i64 = r.get(21)?;
    let area: Option<f64> = r.get(17)?;
    Ok(StoredUnit {
        id: r.get(0)?,
        version: r.get(2)?,
        building_id: r.get(3)?,
        manager_id: r.get(4)?,
        istat_code: r.get(5)?,
        fields: UnitFields {
            locality: r.get(6)?,
            address: r.get(7)?,
            street_number: r.get(8)?,
            cap: r.get(9)?,
            staircase: r.get(10)?,
            floor: r.get(11)?,
            has_lift: r.get(12)?,
            cadastral_sheet: r.get(13)?,
            cadastral_parcel: r.get(14)?,
            cadastral_sub: r.get(15)?,
            cadastral_category: r.get(16)?,
            floor_area_centi: area.map(|a| (a * 100.0).round() as i64),
            rooms: r.get(18)?,
            // Foreign keys keep codes within the lookup tables.
            service: ServiceType::from_code(service).unwrap_or(ServiceType::Sap),
            sat: r.get(20)?,
            state: UnitState::from_code(state).unwrap_or(UnitState::Free),
            in_notice: r.get(22)?,
            works: r.get(23)?,
            works_cost_cents: r.get(24)?,
            barrier_free: r.get(25)?,
        },
    })
}

/// The unit `code` (Codice identificativo U.I.) of an owner. One indexed lookup per row costs
/// about what loading an owner's whole registry does when the file covers all of it, and far
/// less for the usual file of a few changed units.
pub fn unit_by_key(conn: &Connection, owner_id: i64, code: &str) -> Result<Option<StoredUnit>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {UNIT_COLS} FROM unit WHERE owner_id = ?1 AND code = ?2"
    ))?;
    Ok(stmt
        .query_row(params![owner_id, code], unit_row)
        .optional()?)
}

/// Who a platform id (ID Alloggio) belongs to.
#[derive(Debug, Clone)]
pub struct UnitKey {
    pub owner_id: i64,
    pub owner_name: String,
    pub code: String,
}

pub fn unit_key_by_id(conn: &Connection, id: i64) -> Result<Option<UnitKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.owner_id, o.name, u.code FROM unit u JOIN owner o ON o.id = u.owner_id WHERE u.id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            Ok(UnitKey {
                owner_id: r.get(0)?,
                owner_name: r.get(1)?,
                code: r.get(2)?,
            })
        })
        .optional()?)
}

/// A record that exists, or one written earlier in the same import (index into its list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    Existing(i64),
    New(usize),
}

/// The row a write replaces, identified with the version read at validation: an update
/// applies only if nobody changed the row since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versioned {
    pub id: i64,
    pub version: i64,
}

/// An accredited operator first named by an import file.
#[derive(Debug, Clone)]
pub struct NewOwner {
    pub kind: OwnerKind,
    pub tax_code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct BuildingWrite {
    /// None: a new building.
    pub existing: Option<Versioned>,
    pub owner: Ref,
    pub code: String,
    pub istat_code: String,
    pub fields: BuildingFields,
}

#[derive(Debug, Clone)]
pub struct UnitWrite {
    /// None: a new unit.
    pub existing: Option<Versioned>,
    /// ID Alloggio given in the file for a new unit.
    pub new_id: Option<i64>,
    pub owner: Ref,
    pub building: Ref,
    pub code: String,
    pub manager_id: Option<i64>,
    pub istat_code: String,
    pub province: String,
    pub fields: UnitFields,
}

/// Everything one import writes. `Ref::New` in `buildings` points into `owners`; in `units`,
/// `owner` points into `owners` and `building` into `buildings`.
#[derive(Debug, Clone, Default)]
pub struct ImportWrites {
    pub owners: Vec<NewOwner>,
    pub buildings: Vec<BuildingWrite>,
    pub units: Vec<UnitWrite>,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub owners_created: usize,
    pub buildings_created: usize,
    pub buildings_updated: usize,
    pub units_created: usize,
    pub units_updated: usize,
    /// Ids of the units created or updated, in the order written; at most `CHANGED_IDS_KEPT`.
    pub changed_ids: Vec<i64>,
}

/// How many changed ids the audit record lists.
pub const CHANGED_IDS_KEPT: usize = 20;

/// A stale row: another operator changed it between the check and the write. A refusal
/// (exit 4 on the command line), like a stale save of a form.
fn conflict(what: &str) -> anyhow::Error {
    anyhow!(super::certification::Refused(format!(
        "{what} è stato modificato da un altro operatore durante l'importazione: nessuna modifica salvata, ripetere l'importazione"
    )))
}

fn resolve(r: Ref, new_ids: &[i64]) -> Result<i64> {
    match r {
        Ref::Existing(id) => Ok(id),
        Ref::New(i) => new_ids
            .get(i)
            .copied()
            .ok_or_else(|| anyhow!("riferimento interno non valido nell'importazione")),
    }
}

/// Maps a uniqueness violation (another operator inserted the same key meanwhile) to the
/// conflict message; other errors pass through.
fn on_insert(e: rusqlite::Error, what: &str) -> anyhow::Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => conflict(what),
        _ => e.into(),
    }
}

/// Imports writing fewer units keep the search triggers on.
const BULK_WRITES: usize = 10_000;

/// Whether to switch the search triggers off during the import and rebuild the derived search
/// data once at the end (same transaction). Measured on the 2-core machine, the triggers cost
/// about 5 times more per written unit than a unit's share of the rebuild, which walks the
/// whole table: worth it from about a quarter of the table on (100,000 new units into 200,000
/// stored: write 5.0 s with triggers, 3.1–4.1 s without).
fn is_bulk(conn: &Connection, writes: &ImportWrites) -> Result<bool> {
    let n = writes.units.len() as i64;
    if (n as usize) < BULK_WRITES {
        return Ok(false);
    }
    let stored: i64 = conn.query_row("SELECT count(*) FROM unit", [], |r| r.get(0))?;
    let inserted = writes.units.iter().filter(|u| u.existing.is_none()).count() as i64;
    Ok(4 * n >= stored + inserted)
}

fn area_m2(centi: Option<i64>) -> Option<f64> {
    centi.map(|c| c as f64 / 100.0)
}

impl Store {
    /// Writes a validated import in one transaction with its audit record (`after` builds the
    /// record's JSON from what was written). `progress` is called with the number of units
    /// written since the previous call.
    pub fn apply_unit_import(
        &mut self,
        actor: &str,
        file_name: &str,
        writes: &ImportWrites,
        after: impl FnOnce(&Applied) -> Value,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Applied> {
        let tx = self.write()?;
        let suspended = if is_bulk(&tx, writes)? {
            Some(search::suspend_sync(&tx)?)
        } else {
            None
        };
        let mut applied = Applied::default();
        let stamp = now();

        let mut owner_ids = Vec::with_capacity(writes.owners.len());
        for o in &writes.owners {
            tx.execute(
                "INSERT INTO owner (kind, tax_code, name) VALUES (?1, ?2, ?3)",
                params![o.kind.code(), o.tax_code, o.name],
            )
            .map_err(|e| on_insert(e, &format!("l'ente {}", o.tax_code)))?;
            owner_ids.push(tx.last_insert_rowid());
        }
        applied.owners_created = owner_ids.len();

        let mut building_ids = Vec::with_capacity(writes.buildings.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO building (code, owner_id, istat_code, address, street_number, cap, locality, year_built, has_lift)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE building SET istat_code = ?3, address = ?4, street_number = ?5, cap = ?6,
                     locality = ?7, year_built = ?8, has_lift = ?9, version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?;
            for b in &writes.buildings {
                let f = &b.fields;
                match b.existing {
                    None => {
                        let owner = resolve(b.owner, &owner_ids)?;
                        insert
                            .execute(params![
                                b.code,
                                owner,
                                b.istat_code,
                                f.address,
                                f.street_number,
                                f.cap,
                                f.locality,
                                f.year_built,
                                f.has_lift
                            ])
                            .map_err(|e| on_insert(e, &format!("il fabbricato {}", b.code)))?;
                        building_ids.push(tx.last_insert_rowid());
                        applied.buildings_created += 1;
                    }
                    Some(v) => {
                        let n = update.execute(params![
                            v.id,
                            v.version,
                            b.istat_code,
                            f.address,
                            f.street_number,
                            f.cap,
                            f.locality,
                            f.year_built,
                            f.has_lift
                        ])?;
                        if n == 0 {
                            return Err(conflict(&format!("il fabbricato {}", b.code)));
                        }
                        building_ids.push(v.id);
                        applied.buildings_updated += 1;
                    }
                }
            }
        }

        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO unit (id, code, building_id, owner_id, manager_id, istat_code, province,
                     locality, address, street_number, cap, staircase, floor, has_lift, cadastral_sheet,
                     cadastral_parcel, cadastral_sub, cadastral_category, floor_area, rooms, service, sat,
                     state, in_notice, works, works_cost_cents, barrier_free, updated_at, comune_sort)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28,
                     ifnull((SELECT sort_rank FROM municipality WHERE istat_code = ?6), 0))",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE unit SET building_id = ?3, manager_id = ?4, istat_code = ?5, province = ?6,
                     locality = ?7, address = ?8, street_number = ?9, cap = ?10, staircase = ?11,
                     floor = ?12, has_lift = ?13, cadastral_sheet = ?14, cadastral_parcel = ?15,
                     cadastral_sub = ?16, cadastral_category = ?17, floor_area = ?18, rooms = ?19,
                     service = ?20, sat = ?21, state = ?22, in_notice = ?23, works = ?24,
                     works_cost_cents = ?25, barrier_free = ?26, updated_at = ?27,
                     version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?;
            // comune_sort is given on insert (the search trigger then skips its extra UPDATE).
            // New units with an ID Alloggio from the file go first, so that SQLite's automatic
            // ids (max + 1) for the others can never take an id the file reserved.
            let mut order: Vec<&UnitWrite> = writes.units.iter().collect();
            order.sort_by_key(|u| (u.existing.is_some(), u.new_id.is_none()));
            let mut pending = 0u64;
            for u in order {
                let f = &u.fields;
                let building = resolve(u.building, &building_ids)?;
                let id = match u.existing {
                    None => {
                        let owner = resolve(u.owner, &owner_ids)?;
                        insert
                            .execute(params![
                                u.new_id,
                                u.code,
                                building,
                                owner,
                                u.manager_id,
                                u.istat_code,
                                u.province,
                                f.locality,
                                f.address,
                                f.street_number,
                                f.cap,
                                f.staircase,
                                f.floor,
                                f.has_lift,
                                f.cadastral_sheet,
                                f.cadastral_parcel,
                                f.cadastral_sub,
                                f.cadastral_category,
                                area_m2(f.floor_area_centi),
                                f.rooms,
                                f.service.code(),
                                f.sat,
                                f.state.code(),
                                f.in_notice,
                                f.works,
                                f.works_cost_cents,
                                f.barrier_free,
                                stamp
                            ])
                            .map_err(|e| on_insert(e, &format!("l'alloggio {}", u.code)))?;
                        applied.units_created += 1;
                        tx.last_insert_rowid()
                    }
                    Some(v) => {
                        let n = update.execute(params![
                            v.id,
                            v.version,
                            building,
                            u.manager_id,
                            u.istat_code,
                            u.province,
                            f.locality,
                            f.address,
                            f.street_number,
                            f.cap,
                            f.staircase,
                            f.floor,
                            f.has_lift,
                            f.cadastral_sheet,
                            f.cadastral_parcel,
                            f.cadastral_sub,
                            f.cadastral_category,
                            area_m2(f.floor_area_centi),
                            f.rooms,
                            f.service.code(),
                            f.sat,
                            f.state.code(),
                            f.in_notice,
                            f.works,
                            f.works_cost_cents,
                            f.barrier_free,
                            stamp
                        ])?;
                        if n == 0 {
                            return Err(conflict(&format!("l'alloggio {}", u.code)));
                        }
                        applied.units_updated += 1;
                        v.id
                    }
                };
                if applied.changed_ids.len() < CHANGED_IDS_KEPT {
                    applied.changed_ids.push(id);
                }
                crate::crash_point::reach("import.row");
                pending += 1;
                if pending == 1024 {
                    progress(pending);
                    pending = 0;
                }
            }
            progress(pending);
        }

        if let Some(sync) = suspended {
            sync.resume(&tx)?;
        }
        if applied == Applied::default() {
            bail!("importazione senza modifiche: nulla da scrivere");
        }
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "alloggi.importa",
                entity: "import",
                entity_id: Some(file_name.to_string()),
                before: None,
                after: Some(after(&applied)),
            },
        )?;
        tx.commit()?;
        crate::crash_point::reach("after-commit");
        Ok(applied)
    }
}
