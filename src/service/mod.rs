//! What an operator can read and do, shared by every front end (the command line, the
//! full-screen interface, SSH sessions). A `Service` is a session (who is asking) with the
//! database it works on; every read and every change is a method that checks the session's
//! permission itself with the rules of `domain::access`, then calls the store. Front ends never
//! open the database, never speak SQL and never decide a permission.

pub mod assignments;
pub mod audit;
pub mod certification;
pub mod communications;
pub mod database;
pub mod districts;
pub mod errors;
pub mod keys;
pub mod messages;
pub mod notices;
pub mod occupations;
pub mod operators;
pub mod plans;
pub mod rankings;
pub mod reference;
pub mod registrations;
pub mod registry_search;
pub mod session;
pub mod unit_edit;
pub mod units;

pub use crate::store::{Interrupt, is_interrupted};
pub use errors::{Denied, InvalidInput, Refused};
pub use session::{Claim, Origin, Session};

use crate::store::{Access, Store};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// What a caller is about to do: reads run on a read-only connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Write,
}

/// A session with its database.
pub struct Service {
    store: Store,
    session: Session,
}

impl Service {
    /// The one place a session is made: opens the database at `db` (read-only for reads, for
    /// `--read-only` and for the helpdesk), authenticates `claim` and refuses unknown, pending
    /// and disabled operators.
    pub fn open(db: &Path, claim: &Claim, need: Need) -> Result<Service> {
        let access = if claim.read_only || need == Need::Read {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let store = Store::open(db, access)?;
        let session = Session::establish(&store, claim)?;
        tracing::info!(
            "session of {} ({:?}){}",
            session.username(),
            session.origin(),
            if session.read_only() {
                ", read-only"
            } else {
                ""
            }
        );
        Service::with(store, session)
    }

    /// `session` on `store`, read-only when the session is; every audit record its changes
    /// write carries the session's origin.
    fn with(store: Store, session: Session) -> Result<Service> {
        let store = if session.read_only() && store.access() == Access::ReadWrite {
            let path = store.path().to_path_buf();
            drop(store);
            Store::open(&path, Access::ReadOnly)
                .context("apertura in sola lettura per l'helpdesk")?
        } else {
            store
        };
        store.set_origin(&session.origin().audit_text())?;
        Ok(Service { store, session })
    }

    /// Another connection to this session's database, for a write the session makes outside
    /// its own connection (the helpdesk's audited reveal), with the session's origin.
    fn side_store(&self) -> Result<Store> {
        let store = Store::open(self.store.path(), Access::ReadWrite)?;
        store.set_origin(&self.session.origin().audit_text())?;
        Ok(store)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The database file's name (for the title line).
    pub fn database_name(&self) -> String {
        self.store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// What opens another connection for this session (a thread of the interface: counts,
    /// exports), without authenticating again.
    pub fn reopener(&self) -> Reopen {
        Reopen {
            path: self.store.path().to_path_buf(),
            session: self.session.clone(),
        }
    }

    /// Interrupts the query running on this connection (its answer would be stale).
    pub fn interrupter(&self) -> Interrupt {
        self.store.interrupter()
    }

    /// Calls `sink` with every statement this session's connection runs (`None` stops): for
    /// the tests that explain the queries each screen issues, and for diagnosing a slow one.
    pub fn trace_sql(&mut self, sink: Option<Box<dyn FnMut(String) + Send>>) -> Result<()> {
        self.store.trace_sql(sink)
    }

    /// The store for a change: refused, before anything is touched, in a read-only session.
    fn writable(&mut self) -> Result<&mut Store> {
        self.session.require_writable()?;
        Ok(&mut self.store)
    }
}

/// A session that opens connections of its own (sent to another thread).
#[derive(Debug, Clone)]
pub struct Reopen {
    path: PathBuf,
    session: Session,
}

impl Reopen {
    pub fn open(&self, need: Need) -> Result<Service> {
        let access = if need == Need::Read || self.session.read_only() {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        Service::with(Store::open(&self.path, access)?, self.session.clone())
    }
}

/// Today in the operator's time zone: plan windows, notices and deadlines are calendar dates.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
