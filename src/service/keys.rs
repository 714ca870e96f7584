//! Operators' SSH keys: binding and removing them (the Regione), listing them, and the
//! `authorized_keys` lines OpenSSH reads to know which casa command each key runs.

use super::{Denied, InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::operator_key::{self, KeyInfo};
use crate::store::keys::{self, StoredKey};
use crate::store::registrations;
use crate::store::{Access, Store};
use anyhow::{Result, anyhow};
use std::path::Path;

/// Reads a key from the text of a `.pub` file; refused as the user's input (exit 4).
pub fn read_key(text: &str) -> Result<KeyInfo> {
    operator_key::parse(text).map_err(|e| anyhow!(InvalidInput(e.0)))
}

/// What OpenSSH should do with a key, for `casa ssh authorized-keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyUse {
    /// Bound to this operator: a session as them.
    Operator { key: KeyInfo, username: String },
    /// Unknown: a registration-only session (only when asked for one key, as
    /// `AuthorizedKeysCommand` does).
    Registration { key: KeyInfo },
}

/// The keys OpenSSH should accept: every bound key, or what to do with `key` (bound: its
/// operator; unknown: registration, unless `registration` is off, then nothing). Opens the
/// database read-only without a session: sshd runs this as the service account for every key
/// a client offers, before anyone is authenticated.
pub fn authorized(db: &Path, key: Option<&KeyInfo>, registration: bool) -> Result<Vec<KeyUse>> {
    let store = Store::open(db, Access::ReadOnly)?;
    let conn = store.conn();
    match key {
        None => Ok(keys::list(conn, None)?
            .into_iter()
            .filter_map(|k| {
                let key = operator_key::parse(&k.public_key).ok()?;
                Some(KeyUse::Operator {
                    key,
                    username: k.username,
                })
            })
            .collect()),
        Some(key) => Ok(match keys::operator_of(conn, &key.fingerprint)? {
            Some(username) => vec![KeyUse::Operator {
                key: key.clone(),
                username,
            }],
            None if registration => vec![KeyUse::Registration { key: key.clone() }],
            None => Vec::new(),
        }),
    }
}

impl Service {
    /// Every key (of one operator, if given). The Regione and the helpdesk see every key; an
    /// operator its own.
    pub fn keys(&self, username: Option<&str>) -> Result<Vec<StoredKey>> {
        self.session.check(Action::ReadReference)?;
        let everyone = self.session.scope().sees_everything();
        let me = self.session.username();
        if !everyone && username.is_some_and(|u| u != me) {
            return Err(anyhow!(Denied(format!(
                "l'operatore {me} vede solo le proprie chiavi"
            ))));
        }
        let only = if everyone { username } else { Some(me) };
        keys::list(self.store.conn(), only)
    }

    /// Binds the key in `text` (a `.pub` file) to `username` (the Regione).
    pub fn add_key(&mut self, username: &str, text: &str) -> Result<StoredKey> {
        self.session.check_write(Action::ManageOperators)?;
        let key = read_key(text)?;
        if let Some(p) = registrations::pending_for_key(self.store.conn(), &key.fingerprint)? {
            return Err(anyhow!(InvalidInput(format!(
                "la chiave {} accompagna la richiesta di registrazione n. {} in attesa: validarla o respingerla prima",
                key.fingerprint, p.id
            ))));
        }
        let actor = self.session.username().to_string();
        self.writable()?.add_key(&actor, username.trim(), &key)
    }

    /// Removes the key `fingerprint` (the Regione): that key no longer opens sessions. None
    /// when no such key exists.
    pub fn remove_key(&mut self, fingerprint: &str) -> Result<Option<StoredKey>> {
        self.session.check_write(Action::ManageOperators)?;
        let fp = fingerprint.trim();
        if !operator_key::is_fingerprint(fp) {
            return Err(anyhow!(InvalidInput(format!(
                "impronta non valida: '{fp}' (come la stampa `casa operators key list`: SHA256:…)"
            ))));
        }
        let actor = self.session.username().to_string();
        self.writable()?.remove_key(&actor, fp)
    }
}
