//! The database file: creating it, what `doctor` reports, backup (the Regione: a copy holds
//! every personal datum), restore (the Regione), integrity check.

use super::{Claim, Denied, Need, Service};
use crate::domain::access::Action;
use crate::store::backup::{self, CheckReport, Restored, Summary};
use crate::store::bulk::{self, Existing};
use crate::store::facts::{self, Facts};
use crate::store::{Access, Store};
use anyhow::{Result, anyhow};
use std::path::Path;

/// A database created (or found) by `init`.
#[derive(Debug, Clone, Copy)]
pub struct Initialized {
    pub existed: bool,
    pub schema_version: i64,
    pub facts: Facts,
}

/// Creates the database with the reference data, or opens (and upgrades) an existing one;
/// `read_only`: only reports on an existing one.
pub fn init(db: &Path, read_only: bool) -> Result<Initialized> {
    let existed = std::fs::metadata(db).is_ok_and(|m| m.len() > 0);
    // `init` is one of the two commands (with `demo`) that may create a database.
    let store = if read_only {
        Store::open(db, Access::ReadOnly)?
    } else {
        Store::create(db)?
    };
    Ok(Initialized {
        existed,
        schema_version: store.current_schema_version()?,
        facts: facts::facts(store.conn())?,
    })
}

/// Refuses, before anything is touched, to replace the demo database at `db` with a new one
/// unless `claim` makes a session that may (the Regione: the whole database is replaced). A
/// file that does not exist yet replaces nothing; a file that is not a demo database is
/// refused by the demo generator itself.
pub fn may_replace_demo(db: &Path, claim: &Claim) -> Result<()> {
    if claim.read_only {
        return Err(anyhow!(Denied(
            "sessione in sola lettura: `casa demo` scrive un database".into()
        )));
    }
    if bulk::existing(db)? != Existing::Demo {
        return Ok(());
    }
    let svc = Service::open(db, claim, Need::Write)?;
    svc.session.check_write(Action::ConfigureRegion)?;
    Ok(())
}

/// What `doctor` reports of an existing database: its schema version and counts.
pub fn inspect(db: &Path) -> Result<(i64, Facts)> {
    let store = Store::open(db, Access::ReadOnly)?;
    Ok((store.current_schema_version()?, facts::facts(store.conn())?))
}

/// Checks integrity, foreign keys, identity and schema version of a file (any file: it may
/// not be a casa database at all).
pub fn check(path: &Path) -> Result<CheckReport> {
    backup::check(path)
}

/// The SQLite library's version.
pub fn sqlite_version() -> &'static str {
    Store::sqlite_version()
}

impl Service {
    /// Copies the database to `dest` (see `crate::output_file`: an existing file only with
    /// --force, `-` for standard output) while others work, and verifies the copy.
    pub fn backup(&self, dest: &crate::output_file::Target) -> Result<Summary> {
        self.session.check(Action::CopyDatabase)?;
        backup::backup(self.store.path(), dest)
    }

    /// Replaces the database with the backup `file` (the Regione), keeping a safety copy.
    pub fn restore(&mut self, file: &Path) -> Result<Restored> {
        self.session.check_write(Action::ConfigureRegion)?;
        let actor = self.session.username().to_string();
        self.writable()?.restore_from(&actor, file)
    }

    /// Refuses the database's checks (integrity, audit chain) to who may not read the audit
    /// trail: over SSH the file is the service's, not the operator's.
    pub fn may_check_database(&self) -> Result<()> {
        self.session.check(Action::ReadAudit)?;
        Ok(())
    }

    /// The path of the database (what `restore` replaced).
    pub fn database_path(&self) -> &Path {
        self.store.path()
    }
}
