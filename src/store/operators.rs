//! Operators, their grants and the permission scope loaded for each session.

use super::audit::{self, Entry};
use super::{Store, now};
use crate::domain::access::{OperatorScope, OperatorStatus, Role, Service};
use anyhow::{Result, anyhow, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A new operator to register.
#[derive(Debug, Clone)]
pub struct NewOperator {
    pub username: String,
    pub surname: String,
    pub name: String,
    pub tax_code: String,
    pub email: String,
    pub role: Role,
    pub district_id: Option<i64>,
    pub status: OperatorStatus,
}

/// An owner an operator works for, as listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GrantedOwner {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub tax_code: String,
    /// ISTAT code, where the owner is a Comune.
    pub istat_code: Option<String>,
    pub services: Vec<String>,
}

/// An operator as `casa operators list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorRow {
    pub username: String,
    pub surname: String,
    pub name: String,
    pub tax_code: String,
    pub email: String,
    pub role: String,
    pub status: String,
    /// Code of the district led (capofila operators).
    pub district: Option<String>,
    pub district_name: Option<String>,
    /// The first owner worked for (most operators have one), with its codes.
    pub owner: Option<GrantedOwner>,
    /// Every owner worked for.
    pub owners: Vec<GrantedOwner>,
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM operator", [], |r| r.get(0))?)
}

/// The permission scope of `username`, or None when no such operator exists.
pub fn scope(conn: &Connection, username: &str) -> Result<Option<OperatorScope>> {
    let row = conn
        .query_row(
            "SELECT id, role, status, district_id FROM operator WHERE username = ?1",
            [username],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((id, role, status, district_id)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, service FROM operator_grant WHERE operator_id = ?1 ORDER BY owner_id, service",
    )?;
    let grants = stmt
        .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .map(|g| {
            let (owner, service) = g?;
            Ok((
                owner,
                Service::from_db(&service)
                    .ok_or_else(|| anyhow!("servizio sconosciuto {service}"))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(OperatorScope {
        username: username.to_string(),
        role: Role::from_db(&role).ok_or_else(|| anyhow!("ruolo sconosciuto {role}"))?,
        status: OperatorStatus::from_db(&status)
            .ok_or_else(|| anyhow!("stato sconosciuto {status}"))?,
        district_id,
        grants,
    }))
}

/// The id of operator `username`.
pub fn id_of(conn: &Connection, username: &str) -> Result<i64> {
    operator_id(conn, username)
}

fn operator_id(conn: &Connection, username: &str) -> Result<i64> {
    conn.query_row(
        "SELECT id FROM operator WHERE username = ?1",
        [username],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| {
        anyhow!(super::certification::Refused(format!(
            "operatore '{}' non trovato",
            crate::safe_text::excerpt(username)
        )))
    })
}

fn snapshot(conn: &Connection, username: &str) -> Result<serde_json::Value> {
    let row = list(conn, Some(username))?
        .into_iter()
        .next()
        .ok_or_else(|| {
            anyhow!(super::certification::Refused(format!(
                "operatore '{}' non trovato",
                crate::safe_text::excerpt(username)
            )))
        })?;
    Ok(serde_json::to_value(row)?)
}

impl Store {
    /// Registers an operator; `actor` is who does it (audited).
    pub fn add_operator(&mut self, actor: &str, op: &NewOperator) -> Result<i64> {
        self.register_operator(actor, op, &[])
    }

    /// Registers an operator with its first grants (owner, service): one transaction, one
    /// audit record with the operator as registered.
    pub fn register_operator(
        &mut self,
        actor: &str,
        op: &NewOperator,
        grants: &[(i64, Service)],
    ) -> Result<i64> {
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM operator WHERE username = ?1)",
            [&op.username],
            |r| r.get(0),
        )?;
        if exists {
            bail!(super::certification::Refused(format!(
                "esiste già un operatore con username '{}'",
                op.username
            )));
        }
        for (what, value, max) in [
            ("cognome", &op.surname, 100),
            ("nome", &op.name, 100),
            ("email", &op.email, 254),
        ] {
            if value.chars().count() > max {
                bail!(super::certification::Refused(format!(
                    "{what}: al massimo {max} caratteri"
                )));
            }
            crate::safe_text::check_printable(value)
                .map_err(|reason| super::certification::Refused(format!("{what}: {reason}")))?;
        }
        tx.execute(
            "INSERT INTO operator (username, surname, name, tax_code, email, role, district_id, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                op.username,
                op.surname,
                op.name,
                op.tax_code,
                op.email,
                op.role.db(),
                op.district_id,
                op.status.db(),
                now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (owner_id, service) in grants {
            tx.execute(
                "INSERT OR IGNORE INTO operator_grant (operator_id, owner_id, service) VALUES (?1, ?2, ?3)",
                params![id, owner_id, service.db()],
            )?;
        }
        let after = snapshot(&tx, &op.username)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "operatore.registra",
                entity: "operator",
                entity_id: Some(op.username.clone()),
                before: None,
                after: Some(after),
            },
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Grants `username` the given services on `owner_id`. Returns how many grants were new.
    pub fn grant(
        &mut self,
        actor: &str,
        username: &str,
        owner_id: i64,
        services: &[Service],
    ) -> Result<usize> {
        let tx = self.write()?;
        let id = operator_id(&tx, username)?;
        let before = snapshot(&tx, username)?;
        let mut added = 0;
        for s in services {
            added += tx.execute(
                "INSERT OR IGNORE INTO operator_grant (operator_id, owner_id, service) VALUES (?1, ?2, ?3)",
                params![id, owner_id, s.db()],
            )?;
        }
        if added > 0 {
            tx.execute(
                "UPDATE operator SET version = version + 1 WHERE id = ?1",
                [id],
            )?;
            let after = snapshot(&tx, username)?;
            audit::record(
                &tx,
                Entry {
                    operator: actor,
                    action: "operatore.abilita",
                    entity: "operator",
                    entity_id: Some(username.to_string()),
                    before: Some(before),
                    after: Some(after),
                },
            )?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Changes an operator's status (validate, disable, re-enable). Returns false when the
    /// operator already had that status (nothing written).
    pub fn set_operator_status(
        &mut self,
        actor: &str,
        username: &str,
        status: OperatorStatus,
    ) -> Result<bool> {
        let tx = self.write()?;
        let id = operator_id(&tx, username)?;
        let before = snapshot(&tx, username)?;
        let changed = tx.execute(
            "UPDATE operator SET status = ?2, version = version + 1 WHERE id = ?1 AND status <> ?2",
            params![id, status.db()],
        )?;
        if changed > 0 {
            let after = snapshot(&tx, username)?;
            audit::record(
                &tx,
                Entry {
                    operator: actor,
                    action: "operatore.stato",
                    entity: "operator",
                    entity_id: Some(username.to_string()),
                    before: Some(before),
                    after: Some(after),
                },
            )?;
        }
        tx.commit()?;
        Ok(changed > 0)
    }
}

/// Lists operators (all, or one username), ordered by username, with owners and district.
pub fn list(conn: &Connection, only: Option<&str>) -> Result<Vec<OperatorRow>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, o.username, o.surname, o.name, o.tax_code, o.email, o.role, o.status, d.code, d.name
         FROM operator o LEFT JOIN district d ON d.id = o.district_id
         WHERE ?1 IS NULL OR o.username = ?1
         ORDER BY o.username",
    )?;
    let mut grants = conn.prepare(
        "SELECT w.id, k.label, w.name, w.tax_code, w.istat_code, group_concat(g.service, ',')
         FROM operator_grant g JOIN owner w ON w.id = g.owner_id JOIN owner_kind k ON k.code = w.kind
         WHERE g.operator_id = ?1 GROUP BY w.id ORDER BY w.id",
    )?;
    let rows = stmt
        .query_map([only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                OperatorRow {
                    username: r.get(1)?,
                    surname: r.get(2)?,
                    name: r.get(3)?,
                    tax_code: r.get(4)?,
                    email: r.get(5)?,
                    role: r.get(6)?,
                    status: r.get(7)?,
                    district: r.get(8)?,
                    district_name: r.get(9)?,
                    owner: None,
                    owners: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut row) in rows {
        row.owners = grants
            .query_map([id], |r| {
                let services: String = r.get(5)?;
                Ok(GrantedOwner {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    tax_code: r.get(3)?,
                    istat_code: r.get(4)?,
                    services: services.split(',').map(str::to_string).collect(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        row.owner = row.owners.first().cloned();
        out.push(row);
    }
    Ok(out)
}
