//! Registration requests (SCHEDA UTENTE): filing one (pending), and the Regione's decision —
//! validation, which creates the operator or adds the grants and binds the key, or rejection
//! with a reason — each in one transaction with its audit record.

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, keys, now, operators};
use crate::domain::access::Service;
use crate::domain::operator_key::KeyInfo;
use crate::domain::registration::{Kind, Person, Status};
use anyhow::{Result, anyhow, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A request to file.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: Kind,
    pub person: Person,
    pub owner_id: i64,
    pub services: Vec<Service>,
    /// The operator asking for more (an extension).
    pub operator_id: Option<i64>,
    /// The key to bind (a new operator).
    pub key: Option<KeyInfo>,
    /// The operator filing it; empty for an applicant with an unknown key.
    pub filed_by: String,
    /// The client address (without the port) of an SSH filing (empty: local).
    pub client: String,
}

/// How many requests unknown keys may file (the rate limit of registration-only sessions).
#[derive(Debug, Clone)]
pub struct Limits {
    /// From one client address per window.
    pub per_client: i64,
    /// From all unknown keys together per window.
    pub total: i64,
    /// The window, as an RFC 3339 instant: filings after it count.
    pub since: String,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub surname: String,
    pub name: String,
    pub username: String,
    pub tax_code: String,
    pub email: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_tax_code: String,
    pub services: Vec<String>,
    pub fingerprint: Option<String>,
    pub key_comment: Option<String>,
    pub filed_at: String,
    pub filed_by: String,
    pub origin: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
}

impl Request {
    pub fn status(&self) -> Status {
        Status::from_db(&self.status).unwrap_or(Status::Pending)
    }

    pub fn kind(&self) -> Kind {
        Kind::from_db(&self.kind).unwrap_or(Kind::NewOperator)
    }
}

const SELECT: &str = "SELECT r.id, r.kind, r.status, r.surname, r.name, r.username, r.tax_code,
        r.email, r.owner_id, w.name, w.tax_code, r.services, r.fingerprint, r.key_comment,
        r.filed_at, r.filed_by, r.origin, r.decided_at, r.decided_by, r.reason, r.version
     FROM registration_request r JOIN owner w ON w.id = r.owner_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Request> {
    let services: String = r.get(11)?;
    Ok(Request {
        id: r.get(0)?,
        kind: r.get(1)?,
        status: r.get(2)?,
        surname: r.get(3)?,
        name: r.get(4)?,
        username: r.get(5)?,
        tax_code: r.get(6)?,
        email: r.get(7)?,
        owner_id: r.get(8)?,
        owner_name: r.get(9)?,
        owner_tax_code: r.get(10)?,
        services: services
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        fingerprint: r.get(12)?,
        key_comment: r.get(13)?,
        filed_at: r.get(14)?,
        filed_by: r.get(15)?,
        origin: r.get(16)?,
        decided_at: r.get(17)?,
        decided_by: r.get(18)?,
        reason: r.get(19)?,
        version: r.get(20)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Request>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE r.id = ?1"), [id], row)
        .optional()?)
}

/// Requests (in one status, if given), newest first, older than `before` (keyset paging).
pub fn list(
    conn: &Connection,
    status: Option<Status>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Request>> {
    let before = before.unwrap_or(i64::MAX);
    let rows = match status {
        Some(s) => {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE r.status = ?1 AND r.id < ?2 ORDER BY r.id DESC LIMIT ?3"
            ))?;
            stmt.query_map(params![s.db(), before, limit], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        None => {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE r.id < ?1 ORDER BY r.id DESC LIMIT ?2"
            ))?;
            stmt.query_map(params![before, limit], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// The pending request of a key, if any.
pub fn pending_for_key(conn: &Connection, fingerprint: &str) -> Result<Option<Request>> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE r.fingerprint = ?1 AND r.status = 'IN_ATTESA'"),
            [fingerprint],
            row,
        )
        .optional()?)
}

/// The newest rejected request of a key (to show its reason when the applicant comes back).
pub fn last_rejected_for_key(conn: &Connection, fingerprint: &str) -> Result<Option<Request>> {
    Ok(conn
        .query_row(
            &format!(
                "{SELECT} WHERE r.fingerprint = ?1 AND r.status = 'RESPINTA' ORDER BY r.id DESC LIMIT 1"
            ),
            [fingerprint],
            row,
        )
        .optional()?)
}

fn json(r: &Request) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(r)?)
}

fn refuse(msg: String) -> anyhow::Error {
    anyhow!(Refused(msg))
}

impl Store {
    /// Files a request (pending): one transaction with its audit record. Refused when the key
    /// is bound already or has a pending request, when the username is taken or pending, and,
    /// for an unknown key, beyond `limits`.
    pub fn file_request(
        &mut self,
        origin: &str,
        new: &NewRequest,
        limits: Option<&Limits>,
    ) -> Result<Request> {
        let tx = self.write()?;
        if let Some(l) = limits {
            let (by_client, total): (i64, i64) = tx.query_row(
                "SELECT (SELECT count(*) FROM registration_request
                          WHERE client = ?1 AND filed_at >= ?2 AND filed_by = ''),
                        (SELECT count(*) FROM registration_request
                          WHERE filed_at >= ?2 AND filed_by = '')",
                params![new.client, l.since],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if by_client >= l.per_client || total >= l.total {
                bail!(super::RateLimited(
                    "troppe richieste di registrazione in poco tempo: riprovare tra un'ora".into()
                ));
            }
        }
        if let Some(k) = &new.key {
            if let Some(owner) = keys::operator_of(&tx, &k.fingerprint)? {
                bail!(refuse(format!(
                    "la chiave {} è già associata all'operatore {owner}",
                    k.fingerprint
                )));
            }
            if let Some(p) = pending_for_key(&tx, &k.fingerprint)? {
                bail!(refuse(format!(
                    "per la chiave {} c'è già la richiesta n. {} in attesa di validazione",
                    k.fingerprint, p.id
                )));
            }
        }
        if new.kind == Kind::NewOperator {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM operator WHERE username = ?1)
                     OR EXISTS (SELECT 1 FROM registration_request
                                 WHERE username = ?1 AND status = 'IN_ATTESA' AND kind = 'NUOVO')",
                [&new.person.username],
                |r| r.get(0),
            )?;
            if taken {
                bail!(refuse(format!(
                    "nome utente '{}' già in uso o già richiesto: sceglierne un altro",
                    new.person.username
                )));
            }
        }
        let services: Vec<&str> = new.services.iter().map(|s| s.db()).collect();
        let p = &new.person;
        tx.execute(
            "INSERT INTO registration_request (kind, status, surname, name, username, tax_code,
                 email, owner_id, services, operator_id, fingerprint, public_key, key_comment,
                 filed_at, filed_by, origin, client)
             VALUES (?1, 'IN_ATTESA', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                new.kind.db(),
                p.surname,
                p.name,
                p.username,
                p.tax_code,
                p.email,
                new.owner_id,
                services.join(","),
                new.operator_id,
                new.key.as_ref().map(|k| &k.fingerprint),
                new.key.as_ref().map(|k| &k.openssh),
                new.key.as_ref().map(|k| &k.comment),
                now(),
                new.filed_by,
                origin,
                new.client
            ],
        )?;
        let id = tx.last_insert_rowid();
        let stored =
            get(&tx, id)?.ok_or_else(|| anyhow!("richiesta appena salvata non trovata"))?;
        let actor = if new.filed_by.is_empty() {
            UNREGISTERED
        } else {
            &new.filed_by
        };
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "registrazione.richiedi",
                entity: "registration_request",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(json(&stored)?),
            },
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Validates pending request `id` as read at `version` (if given): creates the operator
    /// (an owner operator, active, with exactly the requested owner and services) and binds
    /// its key, or adds the grants to the operator who asked. One transaction, one audit
    /// record with the request before and after and the operator as it is now.
    pub fn validate_request(
        &mut self,
        actor: &str,
        id: i64,
        version: Option<i64>,
    ) -> Result<Request> {
        let tx = self.write()?;
        let before = pending(&tx, id, version)?;
        let services: Vec<Service> = before
            .services
            .iter()
            .filter_map(|s| Service::from_db(s))
            .collect();
        let operator_id = match before.kind() {
            Kind::NewOperator => {
                let taken: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM operator WHERE username = ?1)",
                    [&before.username],
                    |r| r.get(0),
                )?;
                if taken {
                    bail!(refuse(format!(
                        "nome utente '{}' già in uso: respingere la richiesta indicando di sceglierne un altro",
                        before.username
                    )));
                }
                tx.execute(
                    "INSERT INTO operator (username, surname, name, tax_code, email, role, district_id, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'ENTE', NULL, 'ATTIVO', ?6)",
                    params![
                        before.username,
                        before.surname,
                        before.name,
                        before.tax_code,
                        before.email,
                        now()
                    ],
                )?;
                let op = tx.last_insert_rowid();
                let key_text: String = tx.query_row(
                    "SELECT public_key FROM registration_request WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                let key = crate::domain::operator_key::parse(&key_text)
                    .map_err(|e| anyhow!("chiave della richiesta {id} non leggibile: {e}"))?;
                keys::bind(&tx, actor, op, &key)?;
                op
            }
            Kind::Extension => {
                let op: i64 = tx.query_row(
                    "SELECT operator_id FROM registration_request WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE operator SET version = version + 1 WHERE id = ?1",
                    [op],
                )?;
                op
            }
        };
        for s in &services {
            tx.execute(
                "INSERT OR IGNORE INTO operator_grant (operator_id, owner_id, service) VALUES (?1, ?2, ?3)",
                params![operator_id, before.owner_id, s.db()],
            )?;
        }
        tx.execute(
            "UPDATE registration_request
                SET status = 'VALIDATA', decided_at = ?2, decided_by = ?3, operator_id = ?4,
                    version = version + 1
              WHERE id = ?1",
            params![id, now(), actor, operator_id],
        )?;
        let after = get(&tx, id)?.ok_or_else(|| anyhow!("richiesta {id} non trovata"))?;
        let operator = operators::list(&tx, Some(&after.username))?
            .into_iter()
            .next()
            .map(serde_json::to_value)
            .transpose()?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "registrazione.valida",
                entity: "registration_request",
                entity_id: Some(id.to_string()),
                before: Some(json(&before)?),
                after: Some(
                    serde_json::json!({ "richiesta": json(&after)?, "operatore": operator }),
                ),
            },
        )?;
        tx.commit()?;
        Ok(after)
    }

    /// Rejects pending request `id` with `reason`: nothing is granted; one audit record.
    pub fn reject_request(
        &mut self,
        actor: &str,
        id: i64,
        reason: &str,
        version: Option<i64>,
    ) -> Result<Request> {
        let tx = self.write()?;
        let before = pending(&tx, id, version)?;
        tx.execute(
            "UPDATE registration_request
                SET status = 'RESPINTA', decided_at = ?2, decided_by = ?3, reason = ?4,
                    version = version + 1
              WHERE id = ?1",
            params![id, now(), actor, reason],
        )?;
        let after = get(&tx, id)?.ok_or_else(|| anyhow!("richiesta {id} non trovata"))?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "registrazione.respingi",
                entity: "registration_request",
                entity_id: Some(id.to_string()),
                before: Some(json(&before)?),
                after: Some(json(&after)?),
            },
        )?;
        tx.commit()?;
        Ok(after)
    }
}

/// Who the audit names for a request filed with an unknown key (the key is in the origin).
pub const UNREGISTERED: &str = "(non registrato)";

/// Request `id`, refused unless pending and (when given) still at `version`.
fn pending(conn: &Connection, id: i64, version: Option<i64>) -> Result<Request> {
    let r = get(conn, id)?.ok_or_else(|| refuse(format!("richiesta {id} non trovata")))?;
    if r.status() != Status::Pending {
        bail!(refuse(format!(
            "la richiesta {id} è già stata esaminata ({} da {} il {})",
            r.status().label().to_lowercase(),
            r.decided_by.as_deref().unwrap_or("?"),
            r.decided_at.as_deref().unwrap_or("?")
        )));
    }
    if let Some(v) = version
        && v != r.version
    {
        bail!(refuse(format!(
            "la richiesta {id} è cambiata dopo la lettura (versione {}, non {v}): rileggerla",
            r.version
        )));
    }
    Ok(r)
}
