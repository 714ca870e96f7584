//! Operators' SSH keys: which operator a key fingerprint stands for, adding and removing keys
//! (each with its audit record).

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, now};
use crate::domain::operator_key::KeyInfo;
use anyhow::{Result, anyhow, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A stored key with its operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredKey {
    pub fingerprint: String,
    pub username: String,
    /// The operator's status (ATTIVO, IN_ATTESA, DISABILITATO).
    pub status: String,
    pub algorithm: String,
    /// `ALGORITHM BASE64`.
    pub public_key: String,
    pub comment: String,
    pub added_at: String,
    pub added_by: String,
}

const KEY_SELECT: &str = "SELECT k.fingerprint, o.username, o.status, k.algorithm, k.public_key,
        k.comment, k.added_at, k.added_by
     FROM operator_key k JOIN operator o ON o.id = k.operator_id";

fn key_row(r: &rusqlite::Row) -> rusqlite::Result<StoredKey> {
    Ok(StoredKey {
        fingerprint: r.get(0)?,
        username: r.get(1)?,
        status: r.get(2)?,
        algorithm: r.get(3)?,
        public_key: r.get(4)?,
        comment: r.get(5)?,
        added_at: r.get(6)?,
        added_by: r.get(7)?,
    })
}

/// The username a key is bound to.
pub fn operator_of(conn: &Connection, fingerprint: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT o.username FROM operator_key k JOIN operator o ON o.id = k.operator_id
             WHERE k.fingerprint = ?1",
        )?
        .query_row([fingerprint], |r| r.get(0))
        .optional()?)
}

/// One key by fingerprint.
pub fn get(conn: &Connection, fingerprint: &str) -> Result<Option<StoredKey>> {
    Ok(conn
        .query_row(
            &format!("{KEY_SELECT} WHERE k.fingerprint = ?1"),
            [fingerprint],
            key_row,
        )
        .optional()?)
}

/// Every key (of one operator, if given), by operator and age.
pub fn list(conn: &Connection, username: Option<&str>) -> Result<Vec<StoredKey>> {
    let mut stmt = conn.prepare(&format!(
        "{KEY_SELECT} WHERE ?1 IS NULL OR o.username = ?1 ORDER BY o.username, k.id"
    ))?;
    let rows = stmt.query_map([username], key_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn key_json(k: &StoredKey) -> serde_json::Value {
    serde_json::json!({
        "fingerprint": k.fingerprint,
        "operatore": k.username,
        "algoritmo": k.algorithm,
        "commento": k.comment,
    })
}

/// Binds `key` to `operator_id` on the open transaction (refused when the key is bound already).
pub(super) fn bind(conn: &Connection, actor: &str, operator_id: i64, key: &KeyInfo) -> Result<()> {
    if let Some(owner) = operator_of(conn, &key.fingerprint)? {
        bail!(Refused(format!(
            "la chiave {} è già associata all'operatore {owner}: ogni chiave identifica una sola persona",
            key.fingerprint
        )));
    }
    conn.execute(
        "INSERT INTO operator_key (operator_id, fingerprint, algorithm, public_key, comment, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            operator_id,
            key.fingerprint,
            key.algorithm,
            key.openssh,
            key.comment,
            now(),
            actor
        ],
    )?;
    Ok(())
}

impl Store {
    /// Binds `key` to `username`: one transaction with its audit record.
    pub fn add_key(&mut self, actor: &str, username: &str, key: &KeyInfo) -> Result<StoredKey> {
        let tx = self.write()?;
        let operator_id: i64 = tx
            .query_row(
                "SELECT id FROM operator WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| anyhow!(Refused(format!("operatore '{username}' non trovato"))))?;
        bind(&tx, actor, operator_id, key)?;
        let stored = get(&tx, &key.fingerprint)?
            .ok_or_else(|| anyhow!("chiave appena salvata non trovata"))?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "chiave.aggiungi",
                entity: "operator_key",
                entity_id: Some(key.fingerprint.clone()),
                before: None,
                after: Some(key_json(&stored)),
            },
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Removes the key `fingerprint`: one transaction with its audit record. None when no such
    /// key exists (nothing written).
    pub fn remove_key(&mut self, actor: &str, fingerprint: &str) -> Result<Option<StoredKey>> {
        let tx = self.write()?;
        let Some(stored) = get(&tx, fingerprint)? else {
            return Ok(None);
        };
        tx.execute(
            "DELETE FROM operator_key WHERE fingerprint = ?1",
            [fingerprint],
        )?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "chiave.rimuovi",
                entity: "operator_key",
                entity_id: Some(fingerprint.to_string()),
                before: Some(key_json(&stored)),
                after: Some(serde_json::json!({ "rimossa": true })),
            },
        )?;
        tx.commit()?;
        Ok(Some(stored))
    }
}
