//! Who is asking: the operator a front end claims to act as, where the request comes from, and
//! the session the service makes of it once the operator is known. A session is made in one
//! place (`Service::open`) and every service call checks its permission against it.

use crate::domain::access::{Action, Denied, OperatorScope, OperatorStatus};
use crate::store::{Store, keys, operators};
use anyhow::{Result, anyhow};

/// Where a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// casa started by a person on their own Unix account (run locally, it is one person's
    /// tool): the login name is recorded for the log; the operator is the one claimed.
    Local { login: String },
    /// An operator on the shared service account reached with `ssh casa@host`, known by the
    /// key OpenSSH authenticated (issue #11 binds operators to keys: `fingerprint` is the key's
    /// SHA256 fingerprint, `client` the address it connected from). The operator then comes
    /// from the key, never from what the client asks.
    SshKey { fingerprint: String, client: String },
}

impl Origin {
    /// How the audit trail records it: `locale LOGIN` or `ssh SHA256:… CLIENT`.
    pub fn audit_text(&self) -> String {
        match self {
            Origin::Local { login } => format!("locale {login}"),
            Origin::SshKey {
                fingerprint,
                client,
            } => format!("ssh {fingerprint} {client}").trim_end().to_string(),
        }
    }
}

/// What a front end knows before the database is consulted: the operator it asks to act as
/// (`--operator`, or the login name), where the request comes from, and whether the user asked
/// for a read-only session (`--read-only`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub operator: String,
    pub origin: Origin,
    pub read_only: bool,
}

/// An authenticated operator: its permission scope, where it connected from, and whether
/// nothing may be changed (asked, or the helpdesk, which only reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    scope: OperatorScope,
    origin: Origin,
    asked_read_only: bool,
}

impl Session {
    /// Authenticates `claim` on `store`: unknown, pending and disabled operators are refused
    /// (not allowed, exit 3). Called only by `Service::open`.
    pub(super) fn establish(store: &Store, claim: &Claim) -> Result<Session> {
        // Over SSH the operator is the key's, whatever the client asks; locally (the
        // administrator, or one person's own copy) the one claimed.
        let username = match &claim.origin {
            Origin::SshKey { fingerprint, .. } => keys::operator_of(store.conn(), fingerprint)?
                .ok_or_else(|| {
                    anyhow!(Denied(format!(
                        "la chiave SSH {fingerprint} non è associata ad alcun operatore"
                    )))
                })?,
            Origin::Local { .. } => claim.operator.trim().to_string(),
        };
        let username = username.as_str();
        let scope = operators::scope(store.conn(), username)?.ok_or_else(|| {
            anyhow!(Denied(format!(
                "operatore '{username}' sconosciuto: indicare --operator con un operatore registrato (casa operators list)"
            )))
        })?;
        if scope.status != OperatorStatus::Active {
            // The check itself words the reason (pending or disabled).
            scope
                .check(Action::ReadReference)
                .map_err(anyhow::Error::new)?;
        }
        Ok(Session {
            scope,
            origin: claim.origin.clone(),
            asked_read_only: claim.read_only,
        })
    }

    pub fn scope(&self) -> &OperatorScope {
        &self.scope
    }

    pub fn username(&self) -> &str {
        &self.scope.username
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Whether nothing may be changed: asked with `--read-only`, or the helpdesk.
    pub fn read_only(&self) -> bool {
        self.asked_read_only || self.scope.is_read_only()
    }

    /// Whether the user asked for a read-only session (the helpdesk's reveal is still audited
    /// in a session that is read-only only because of its role).
    pub fn asked_read_only(&self) -> bool {
        self.asked_read_only
    }

    /// The permission check of a read: `domain::access` decides.
    pub fn check(&self, action: Action) -> Result<(), Denied> {
        self.scope.check(action)
    }

    /// Refuses any change in a read-only session, worded for who it is.
    pub fn require_writable(&self) -> Result<(), Denied> {
        if self.scope.is_read_only() {
            return Err(Denied(format!(
                "l'operatore {} ({}) può solo consultare i dati",
                self.scope.username,
                self.scope.role.label()
            )));
        }
        if self.asked_read_only {
            return Err(Denied(
                "sessione in sola lettura: il comando modificherebbe dati".into(),
            ));
        }
        Ok(())
    }

    /// The permission check of a change: the session must be writable and the action allowed.
    pub fn check_write(&self, action: Action) -> Result<(), Denied> {
        self.require_writable()?;
        self.check(action)
    }
}
