//! Registration (SCHEDA UTENTE) and its validation by the Regione. Three ways in: an applicant
//! connecting with a key casa does not know (a registration-only `Applicant`: the form and
//! nothing else, rate-limited, no data shown), an operator filing for a colleague of its owner
//! or asking more for itself (an extension), and the Regione's decisions.

use super::{Denied, InvalidInput, Service};
use crate::domain::access::{Action, OperatorStatus, Service as Grant};
use crate::domain::operator_key::KeyInfo;
use crate::domain::registration::{Field, FieldError, Form, Kind, Person, Status, check_reason};
use crate::domain::registry::OwnerKind;
use crate::store::registrations::{Limits, NewRequest, Request};
use crate::store::{Access, Store};
use anyhow::{Result, anyhow};
use std::path::Path;

/// Requests from unknown keys, at most, per client address and in all per hour.
pub const PER_CLIENT_PER_HOUR: i64 = 3;
pub const TOTAL_PER_HOUR: i64 = 30;

/// Rows of a page of requests.
pub const PAGE: i64 = 200;

fn limits() -> Limits {
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    Limits {
        per_client: PER_CLIENT_PER_HOUR,
        total: TOTAL_PER_HOUR,
        since: since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// The address of a client given as `ip:port` or `[ipv6]:port` (as the session's origin
/// shows it), without the port.
fn host_of(client: &str) -> &str {
    if let Some(rest) = client.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    match client.split_once(':') {
        Some((host, port)) if !port.contains(':') => host,
        _ => client,
    }
}

/// A form refused: every bad field, in the form's order (the interface moves the cursor to
/// the first; the command line names the options). Exit 4.
#[derive(Debug, Clone)]
pub struct FormRefused(pub Vec<FieldError>);

impl std::fmt::Display for FormRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{} ({}): {}", e.field.label(), e.field.option(), e.message))
            .collect();
        write!(f, "richiesta non valida: {}", parts.join("; "))
    }
}

impl std::error::Error for FormRefused {}

fn refused(field: Field, message: String) -> anyhow::Error {
    anyhow!(FormRefused(vec![FieldError { field, message }]))
}

/// Checks `form` and resolves its owner.
fn prepare(store: &Store, form: &Form) -> Result<(Person, i64, Vec<Grant>)> {
    let mut errors = Vec::new();
    let checked = form.check().map_err(|e| errors = e);
    let owner = if form.owner.trim().is_empty() {
        None
    } else {
        match store.find_owner(&form.owner) {
            Ok(o)
                if matches!(
                    o.kind,
                    OwnerKind::Municipality | OwnerKind::Aler | OwnerKind::AccreditedOperator
                ) =>
            {
                Some(o.id)
            }
            Ok(o) => {
                errors.push(FieldError {
                    field: Field::Owner,
                    message: format!("{} non è un ente proprietario", o.name),
                });
                None
            }
            Err(e) => {
                errors.push(FieldError {
                    field: Field::Owner,
                    message: e.to_string(),
                });
                None
            }
        }
    };
    errors.sort_by_key(|e| Field::ALL.iter().position(|f| *f == e.field));
    match (checked, owner) {
        (Ok((person, services)), Some(owner)) if errors.is_empty() => Ok((person, owner, services)),
        _ => Err(anyhow!(FormRefused(errors))),
    }
}

/// Where an applicant with an unknown key stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing filed yet (or the last request was rejected): the form.
    New { rejected: Option<Request> },
    /// A request is waiting for the Regione.
    Pending(Request),
    /// The key was bound meanwhile (validated): reconnect to work.
    Registered { username: String },
}

/// A registration-only session: a key OpenSSH authenticated that no operator has. It can file
/// one request for that key and see where it stands; nothing else.
pub struct Applicant {
    store: Store,
    key: KeyInfo,
    client: String,
}

impl Applicant {
    /// Opens the database for an applicant with `key`, connecting from `client`.
    pub fn open(db: &Path, key: KeyInfo, client: String) -> Result<Applicant> {
        let store = Store::open(db, Access::ReadWrite)?;
        store.set_origin(format!("ssh {} {client}", key.fingerprint).trim_end())?;
        Ok(Applicant { store, key, client })
    }

    pub fn key(&self) -> &KeyInfo {
        &self.key
    }

    /// Whether this key has a request waiting, was bound, or may file one.
    pub fn standing(&self) -> Result<Standing> {
        if let Some(username) = self.store.operator_of_key(&self.key.fingerprint)? {
            return Ok(Standing::Registered { username });
        }
        if let Some(p) = self.store.pending_request_for_key(&self.key.fingerprint)? {
            return Ok(Standing::Pending(p));
        }
        Ok(Standing::New {
            rejected: self
                .store
                .last_rejected_request_for_key(&self.key.fingerprint)?,
        })
    }

    /// Files the SCHEDA UTENTE for this key: pending until the Regione decides.
    pub fn file(&mut self, form: &Form) -> Result<Request> {
        let (person, owner_id, services) = prepare(&self.store, form)?;
        let new = NewRequest {
            kind: Kind::NewOperator,
            person,
            owner_id,
            services,
            operator_id: None,
            key: Some(self.key.clone()),
            filed_by: String::new(),
            // The rate limit counts by address: every connection comes from a new port.
            client: host_of(&self.client).to_string(),
        };
        let origin = format!("ssh {} {}", self.key.fingerprint, self.client);
        self.store
            .file_request(origin.trim_end(), &new, Some(&limits()))
            .map_err(super::errors::refused_as_invalid)
    }
}

impl Service {
    /// Files a request: for a new operator (`key` required: the one they will connect with),
    /// or, when the username is the session's own, for more owners or services for itself.
    pub fn file_registration(&mut self, form: &Form, key: Option<KeyInfo>) -> Result<Request> {
        self.session.check_write(Action::FileRegistration)?;
        let me = self.session.username().to_string();
        let own = form.username.trim().is_empty() || form.username.trim() == me;
        let new = if own {
            if key.is_some() {
                return Err(refused(
                    Field::Key,
                    "una richiesta di abilitazione per sé non porta chiavi: le chiavi le aggiunge la Regione (casa operators key add)".into(),
                ));
            }
            let mine = self
                .store
                .operators(Some(&me))?
                .into_iter()
                .next()
                .ok_or_else(|| anyhow!("operatore {me} non trovato"))?;
            let filled = Form {
                surname: mine.surname.clone(),
                name: mine.name.clone(),
                username: me.clone(),
                tax_code: mine.tax_code.clone(),
                email: mine.email.clone(),
                owner: form.owner.clone(),
                services: form.services.clone(),
            };
            // Usernames made with `operators add` may not follow the registration's rule.
            let (mut person, owner_id, services) = prepare(
                &self.store,
                &Form {
                    username: "x".repeat(3),
                    ..filled
                },
            )?;
            person.username = me.clone();
            let operator_id = self.store.operator_id(&me)?;
            NewRequest {
                kind: Kind::Extension,
                person,
                owner_id,
                services,
                operator_id: Some(operator_id),
                key: None,
                filed_by: me.clone(),
                client: String::new(),
            }
        } else {
            let Some(key) = key else {
                return Err(refused(
                    Field::Key,
                    "allegare la chiave pubblica SSH della persona (--key FILE.pub)".into(),
                ));
            };
            let (person, owner_id, services) = prepare(&self.store, form)?;
            // The owner sends its operators' requests (DOMAIN.md §2): an operator files for
            // the owners it works for; the Regione for any.
            if !self.session.scope().sees_everything()
                && !self
                    .session
                    .scope()
                    .grants
                    .iter()
                    .any(|(o, _)| *o == owner_id)
            {
                return Err(anyhow!(Denied(format!(
                    "l'operatore {me} può chiedere la registrazione di colleghi solo per gli enti per cui lavora"
                ))));
            }
            NewRequest {
                kind: Kind::NewOperator,
                person,
                owner_id,
                services,
                operator_id: None,
                key: Some(key),
                filed_by: me.clone(),
                client: String::new(),
            }
        };
        let origin = self.session.origin().audit_text();
        self.writable()?
            .file_request(&origin, &new, None)
            .map_err(super::errors::refused_as_invalid)
    }

    /// Requests (in one status, if given), newest first, older than `before`: the Regione and
    /// the helpdesk see all; another operator those it filed or that concern it.
    pub fn registrations(
        &self,
        status: Option<Status>,
        before: Option<i64>,
    ) -> Result<Vec<Request>> {
        self.session.check(Action::ReadReference)?;
        let rows = self.store.registration_requests(status, before, PAGE)?;
        if self.session.scope().sees_everything() {
            return Ok(rows);
        }
        let me = self.session.username();
        Ok(rows
            .into_iter()
            .filter(|r| r.filed_by == me || r.username == me)
            .collect())
    }

    /// One request, as `registrations` shows it.
    pub fn registration(&self, id: i64) -> Result<Request> {
        self.session.check(Action::ReadReference)?;
        let r = self
            .store
            .registration_request(id)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("richiesta {id} non trovata"))))?;
        let me = self.session.username();
        if !self.session.scope().sees_everything() && r.filed_by != me && r.username != me {
            return Err(anyhow!(Denied(format!(
                "la richiesta {id} non è stata inviata da {me} né lo riguarda"
            ))));
        }
        Ok(r)
    }

    /// Validates request `id` (the Regione): the operator is activated with exactly the
    /// requested owner and services and its key bound, or the operator who asked gets them.
    pub fn validate_registration(&mut self, id: i64, version: Option<i64>) -> Result<Request> {
        self.session.check_write(Action::ManageOperators)?;
        let r = self.registration(id)?;
        if r.kind() == Kind::Extension
            && self
                .store
                .operators(Some(&r.username))?
                .first()
                .is_some_and(|o| o.status == OperatorStatus::Disabled.db())
        {
            return Err(anyhow!(InvalidInput(format!(
                "l'operatore {} è disabilitato: riabilitarlo prima (casa operators enable {})",
                r.username, r.username
            ))));
        }
        let actor = self.session.username().to_string();
        self.writable()?
            .validate_request(&actor, id, version)
            .map_err(super::errors::refused_as_invalid)
    }

    /// Rejects request `id` with a reason (the Regione): nothing is granted.
    pub fn reject_registration(
        &mut self,
        id: i64,
        reason: &str,
        version: Option<i64>,
    ) -> Result<Request> {
        self.session.check_write(Action::ManageOperators)?;
        let reason = check_reason(reason).map_err(|e| anyhow!(InvalidInput(e)))?;
        let actor = self.session.username().to_string();
        self.writable()?
            .reject_request(&actor, id, &reason, version)
            .map_err(super::errors::refused_as_invalid)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rate_limit_counts_addresses_not_ports() {
        assert_eq!(super::host_of("192.0.2.7:51234"), "192.0.2.7");
        assert_eq!(super::host_of("[2001:db8::7]:51234"), "2001:db8::7");
        assert_eq!(super::host_of("192.0.2.7"), "192.0.2.7");
        assert_eq!(super::host_of(""), "");
    }
}
