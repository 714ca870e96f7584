//! SCHEDA CERTIFICAZIONE: an owner's registry totals, its last certification, and the two
//! actions (certify the registry as current, or declare the owner has no units).

use super::audit::{self, Entry};
use super::{Store, now};
use crate::domain::registry::{OwnerKind, ServiceType};
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A business rule refused the action (not a permission problem): exit code 4 on the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// What the owner certifies: the registry totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub buildings: i64,
    pub units: i64,
    pub households: i64,
    pub tenants: i64,
    /// Units by service type.
    pub sap: i64,
    pub sas: i64,
    pub other: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CertificationKind {
    /// Certifica: the registry is current.
    #[serde(rename = "CERTIFICA")]
    Certify,
    /// Dichiara nessuna unità.
    #[serde(rename = "NESSUNA_UNITA")]
    NoUnits,
}

impl CertificationKind {
    fn db(self) -> &'static str {
        match self {
            CertificationKind::Certify => "CERTIFICA",
            CertificationKind::NoUnits => "NESSUNA_UNITA",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CertificationKind::Certify => "Certificazione",
            CertificationKind::NoUnits => "Dichiarazione di nessuna unità",
        }
    }
}

/// A recorded certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certification {
    pub id: i64,
    pub kind: CertificationKind,
    /// Date and time (UTC, RFC 3339).
    pub at: String,
    pub operator: String,
    pub totals: Totals,
}

/// The card as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_kind: String,
    pub totals: Totals,
    pub last: Option<Certification>,
}

/// The registry totals of an owner now. Units come from the tally; households and tenants
/// carry the owner id for this count (one index range each).
pub fn totals(conn: &Connection, owner_id: i64) -> Result<Totals> {
    let mut t = Totals {
        buildings: conn
            .prepare_cached("SELECT count(*) FROM building WHERE owner_id = ?1")?
            .query_row([owner_id], |r| r.get(0))?,
        households: conn
            .prepare_cached("SELECT count(*) FROM household WHERE owner_id = ?1")?
            .query_row([owner_id], |r| r.get(0))?,
        tenants: conn
            .prepare_cached("SELECT count(*) FROM tenant WHERE owner_id = ?1")?
            .query_row([owner_id], |r| r.get(0))?,
        ..Totals::default()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT service, sum(n) FROM unit_tally WHERE owner_id = ?1 GROUP BY service",
    )?;
    let rows = stmt.query_map([owner_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (service, n) = row?;
        match ServiceType::from_code(service) {
            Some(ServiceType::Sap) => t.sap += n,
            Some(ServiceType::Sas) => t.sas += n,
            Some(ServiceType::OtherResidential) | None => t.other += n,
        }
        t.units += n;
    }
    Ok(t)
}

/// The newest certification (or declaration) of an owner.
pub fn last(conn: &Connection, owner_id: i64) -> Result<Option<Certification>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, kind, at, operator, buildings, units, households, tenants, sap, sas, other
             FROM certification WHERE owner_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([owner_id], |r| {
            let kind: String = r.get(1)?;
            Ok(Certification {
                id: r.get(0)?,
                kind: if kind == "NESSUNA_UNITA" {
                    CertificationKind::NoUnits
                } else {
                    CertificationKind::Certify
                },
                at: r.get(2)?,
                operator: r.get(3)?,
                totals: Totals {
                    buildings: r.get(4)?,
                    units: r.get(5)?,
                    households: r.get(6)?,
                    tenants: r.get(7)?,
                    sap: r.get(8)?,
                    sas: r.get(9)?,
                    other: r.get(10)?,
                },
            })
        })
        .optional()?)
}

/// The certification card of an owner (callers check `Action::ViewOwner`).
pub fn card(conn: &Connection, owner_id: i64) -> Result<Card> {
    let (name, kind): (String, i64) = conn
        .prepare_cached("SELECT name, kind FROM owner WHERE id = ?1")?
        .query_row([owner_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| anyhow!("ente {owner_id} non trovato"))?;
    Ok(Card {
        owner_id,
        owner_name: name,
        owner_kind: OwnerKind::from_code(kind)
            .map(|k| k.label().to_string())
            .unwrap_or_default(),
        totals: totals(conn, owner_id)?,
        last: last(conn, owner_id)?,
    })
}

impl Store {
    /// Certifies that the owner's registry is current: records date, operator and the totals,
    /// with its audit record, in one transaction.
    pub fn certify(&mut self, actor: &str, owner_id: i64) -> Result<Certification> {
        self.record_certification(actor, owner_id, CertificationKind::Certify)
    }

    /// Declares that the owner has no units; refused when the registry holds any.
    pub fn declare_no_units(&mut self, actor: &str, owner_id: i64) -> Result<Certification> {
        self.record_certification(actor, owner_id, CertificationKind::NoUnits)
    }

    fn record_certification(
        &mut self,
        actor: &str,
        owner_id: i64,
        kind: CertificationKind,
    ) -> Result<Certification> {
        let tx = self.write()?;
        let owner_name: String = tx
            .query_row("SELECT name FROM owner WHERE id = ?1", [owner_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| anyhow!("ente {owner_id} non trovato"))?;
        let totals = totals(&tx, owner_id)?;
        if kind == CertificationKind::NoUnits && totals.units > 0 {
            return Err(Refused(format!(
                "{owner_name} ha {} alloggi in anagrafe: non può dichiarare di non averne (usare Certifica)",
                totals.units
            ))
            .into());
        }
        let at = now();
        tx.execute(
            "INSERT INTO certification
                 (owner_id, kind, at, operator, buildings, units, households, tenants, sap, sas, other)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                owner_id,
                kind.db(),
                at,
                actor,
                totals.buildings,
                totals.units,
                totals.households,
                totals.tenants,
                totals.sap,
                totals.sas,
                totals.other
            ],
        )?;
        let id = tx.last_insert_rowid();
        let record = Certification {
            id,
            kind,
            at,
            operator: actor.to_string(),
            totals,
        };
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: match kind {
                    CertificationKind::Certify => "certificazione.certifica",
                    CertificationKind::NoUnits => "certificazione.nessuna_unita",
                },
                entity: "owner",
                entity_id: Some(owner_id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&record)?),
            },
        )?;
        tx.commit()?;
        Ok(record)
    }
}
