//! SCHEDA CERTIFICAZIONE: an owner's registry totals and its last certification; certifying
//! that the registry is current, or declaring that the owner has no units.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::store::certification::{self, Card, Certification};
use crate::store::owners;
use anyhow::{Result, anyhow};

impl Service {
    /// The owners the operator works for (id, name), in the order of its grants.
    pub fn own_owners(&self) -> Result<Vec<(i64, String)>> {
        let mut ids: Vec<i64> = self
            .session
            .scope()
            .grants
            .iter()
            .map(|(o, _)| *o)
            .collect();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            if let Some(o) = owners::owner_by_id(self.store.conn(), id)?
                && !out.iter().any(|(i, _)| *i == o.id)
            {
                out.push((o.id, o.name));
            }
        }
        Ok(out)
    }

    /// The owner named by `asked` (codice fiscale, ISTAT code, ALER code or name), or the
    /// operator's only owner when none is named.
    pub fn owner_or_own(&self, asked: Option<&str>) -> Result<i64> {
        if let Some(o) = asked {
            return Ok(owners::find_owner(self.store.conn(), o)
                .map_err(|e| anyhow!(InvalidInput(format!("--owner: {e}"))))?
                .id);
        }
        let scope = self.session.scope();
        let mut mine: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
        mine.sort_unstable();
        mine.dedup();
        match mine.as_slice() {
            [one] => Ok(*one),
            [] => Err(anyhow!(InvalidInput(format!(
                "l'operatore {} non lavora per alcun ente: indicare --owner",
                scope.username
            )))),
            many => Err(anyhow!(InvalidInput(format!(
                "l'operatore {} lavora per {} enti: indicare quale con --owner",
                scope.username,
                many.len()
            )))),
        }
    }

    /// The certification card of an owner the operator may see.
    pub fn certification_card(&self, owner_id: i64) -> Result<Card> {
        self.session.check(Action::ViewOwner { owner_id })?;
        certification::card(self.store.conn(), owner_id)
    }

    /// Certifies that the owner's registry is current (`no_units`: declares that it has no
    /// units, refused when the registry holds any): date, operator and totals recorded with
    /// the audit record.
    pub fn certify(&mut self, owner_id: i64, no_units: bool) -> Result<Certification> {
        self.session.check_write(Action::Certify { owner_id })?;
        let actor = self.session.username().to_string();
        let store = self.writable()?;
        if no_units {
            store.declare_no_units(&actor, owner_id)
        } else {
            store.certify(&actor, owner_id)
        }
    }
}
