//! Everything about one unit (SCHEDA ALLOGGIO): its fields, building, owner and manager,
//! household and tenants.

use crate::domain::registry::{OwnerKind, ServiceType, UnitState};
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

fn label<S: serde::Serializer, T: std::fmt::Display>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    pub id: i64,
    #[serde(serialize_with = "label")]
    pub kind: OwnerKind,
    pub name: String,
    pub tax_code: String,
    /// ISTAT code (Comune) or ALER code.
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingInfo {
    pub id: i64,
    pub code: String,
    pub address: String,
    pub street_number: Option<String>,
    pub cap: Option<String>,
    pub locality: Option<String>,
    pub year_built: Option<i64>,
    pub has_lift: bool,
    pub floors: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tenant {
    pub tax_code: String,
    pub surname: String,
    pub name: String,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    /// Belfiore code of the place of birth.
    pub birth_place: Option<String>,
    pub relationship: Option<String>,
    pub is_holder: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Household {
    pub id: i64,
    pub members: i64,
    pub isee_cents: Option<i64>,
    pub contract_date: Option<String>,
    pub tenants: Vec<Tenant>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitDetail {
    pub id: i64,
    pub code: String,
    pub building: BuildingInfo,
    pub owner: Body,
    pub manager: Option<Body>,
    pub istat: String,
    pub comune: String,
    pub cadastral_code: String,
    pub province: String,
    pub province_name: String,
    pub locality: Option<String>,
    pub address: String,
    pub street_number: Option<String>,
    pub cap: Option<String>,
    pub staircase: Option<String>,
    pub floor: Option<String>,
    pub has_lift: bool,
    pub cadastral_sheet: Option<String>,
    pub cadastral_parcel: Option<String>,
    pub cadastral_sub: Option<String>,
    pub cadastral_category: Option<String>,
    pub floor_area: Option<f64>,
    pub rooms: Option<i64>,
    #[serde(serialize_with = "label")]
    pub service: ServiceType,
    pub sat: bool,
    #[serde(serialize_with = "label")]
    pub state: UnitState,
    pub in_notice: bool,
    pub works: Option<String>,
    pub works_cost_cents: Option<i64>,
    pub barrier_free: bool,
    pub plan_year: Option<i32>,
    pub version: i64,
    pub updated_at: String,
    pub households: Vec<Household>,
    /// True when tenants' personal data were masked (helpdesk without reveal).
    pub personal_data_masked: bool,
}

impl UnitDetail {
    /// Hides tenants' personal data: names reduced to initials, codes and dates removed.
    pub fn mask_personal_data(&mut self) {
        fn initial(s: &str) -> String {
            s.chars()
                .next()
                .map(|c| format!("{c}***"))
                .unwrap_or_default()
        }
        for h in &mut self.households {
            h.isee_cents = None;
            for t in &mut h.tenants {
                t.tax_code = "*".repeat(16);
                t.surname = initial(&t.surname);
                t.name = initial(&t.name);
                t.birth_date = None;
                t.birth_place = None;
            }
        }
        self.personal_data_masked = true;
    }

    pub fn full_address(&self) -> String {
        match &self.street_number {
            Some(n) if !n.trim().is_empty() => format!("{} {}", self.address, n.trim()),
            _ => self.address.clone(),
        }
    }
}

fn body(r: &Row, at: usize) -> rusqlite::Result<Option<Body>> {
    let Some(id) = r.get::<_, Option<i64>>(at)? else {
        return Ok(None);
    };
    let kind: i64 = r.get(at + 1)?;
    let aler: Option<String> = r.get(at + 5)?;
    let istat: Option<String> = r.get(at + 4)?;
    Ok(Some(Body {
        id,
        kind: OwnerKind::from_code(kind).unwrap_or(OwnerKind::AccreditedOperator),
        name: r.get(at + 2)?,
        tax_code: r.get(at + 3)?,
        code: istat.or(aler),
    }))
}

const SELECT: &str = "SELECT
    u.id, u.code, u.istat_code, m.name, m.cadastral_code, u.province, p.name, u.locality,
    u.address, u.street_number, u.cap, u.staircase, u.floor, u.has_lift, u.cadastral_sheet,
    u.cadastral_parcel, u.cadastral_sub, u.cadastral_category, u.floor_area, u.rooms, u.service,
    u.sat, u.state, u.in_notice, u.works, u.works_cost_cents, u.barrier_free, u.plan_year,
    u.version, u.updated_at,
    b.id, b.code, b.address, b.street_number, b.cap, b.locality, b.year_built, b.has_lift, b.floors,
    o.id, o.kind, o.name, o.tax_code, o.istat_code, o.aler_code,
    g.id, g.kind, g.name, g.tax_code, g.istat_code, g.aler_code
  FROM unit u
  JOIN municipality m ON m.istat_code = u.istat_code
  JOIN province p ON p.sigla = u.province
  JOIN building b ON b.id = u.building_id
  JOIN owner o ON o.id = u.owner_id
  LEFT JOIN owner g ON g.id = u.manager_id
  WHERE u.id = ?1";

fn detail_row(r: &Row) -> rusqlite::Result<UnitDetail> {
    let service: i64 = r.get(20)?;
    let state: i64 = r.get(22)?;
    let bad = |what: &str, code: i64| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("{what} sconosciuto: codice {code}").into(),
        )
    };
    Ok(UnitDetail {
        id: r.get(0)?,
        code: r.get(1)?,
        istat: r.get(2)?,
        comune: r.get(3)?,
        cadastral_code: r.get(4)?,
        province: r.get(5)?,
        province_name: r.get(6)?,
        locality: r.get(7)?,
        address: r.get(8)?,
        street_number: r.get(9)?,
        cap: r.get(10)?,
        staircase: r.get(11)?,
        floor: r.get(12)?,
        has_lift: r.get(13)?,
        cadastral_sheet: r.get(14)?,
        cadastral_parcel: r.get(15)?,
        cadastral_sub: r.get(16)?,
        cadastral_category: r.get(17)?,
        floor_area: r.get(18)?,
        rooms: r.get(19)?,
        service: ServiceType::from_code(service).ok_or_else(|| bad("destinazione", service))?,
        sat: r.get(21)?,
        state: UnitState::from_code(state).ok_or_else(|| bad("stato", state))?,
        in_notice: r.get::<_, i64>(23)? == 1,
        works: r.get(24)?,
        works_cost_cents: r.get(25)?,
        barrier_free: r.get(26)?,
        plan_year: r.get(27)?,
        version: r.get(28)?,
        updated_at: r.get(29)?,
        building: BuildingInfo {
            id: r.get(30)?,
            code: r.get(31)?,
            address: r.get(32)?,
            street_number: r.get(33)?,
            cap: r.get(34)?,
            locality: r.get(35)?,
            year_built: r.get(36)?,
            has_lift: r.get(37)?,
            floors: r.get(38)?,
        },
        owner: body(r, 39)?.ok_or_else(|| bad("ente proprietario", 0))?,
        manager: body(r, 45)?,
        households: Vec::new(),
        personal_data_masked: false,
    })
}

/// The unit with this id and everything attached to it; Ok(None) when there is no such unit.
/// Callers check that the operator may see its owner.
pub fn unit_detail(conn: &Connection, id: i64) -> Result<Option<UnitDetail>> {
    let Some(mut d) = conn
        .prepare_cached(SELECT)?
        .query_row([id], detail_row)
        .optional()?
    else {
        return Ok(None);
    };
    let mut hs = conn.prepare_cached(
        "SELECT id, members, isee_cents, contract_date FROM household WHERE unit_id = ?1 ORDER BY id",
    )?;
    let mut ts = conn.prepare_cached(
        "SELECT tax_code, surname, name, sex, birth_date, birth_place, relationship, is_holder
         FROM tenant WHERE household_id = ?1 ORDER BY is_holder DESC, id",
    )?;
    let households = hs
        .query_map([id], |r| {
            Ok(Household {
                id: r.get(0)?,
                members: r.get(1)?,
                isee_cents: r.get(2)?,
                contract_date: r.get(3)?,
                tenants: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for mut h in households {
        h.tenants = ts
            .query_map([h.id], |r| {
                Ok(Tenant {
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
            .collect::<rusqlite::Result<Vec<_>>>()?;
        d.households.push(h);
    }
    Ok(Some(d))
}

/// Owner of a unit, for permission checks before showing or changing it.
pub fn unit_owner(conn: &Connection, id: i64) -> Result<i64> {
    conn.query_row("SELECT owner_id FROM unit WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| anyhow!("alloggio {id} non trovato"))
}

impl crate::store::Store {
    /// Records that `actor` saw the unmasked personal data of the tenants of unit `unit_id`
    /// (audit action `dati.visualizza`). Needs a writable store even for the helpdesk.
    pub fn record_personal_data_view(&mut self, actor: &str, unit_id: i64) -> Result<()> {
        let tx = self.write()?;
        crate::store::audit::record(
            &tx,
            crate::store::audit::Entry {
                operator: actor,
                action: "dati.visualizza",
                entity: "unit",
                entity_id: Some(unit_id.to_string()),
                before: None,
                after: None,
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}
