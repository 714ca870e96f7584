//! Editing one unit (state, flags, works): the owner's ANAGRAFE operators, version-checked.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::unit_edit::UnitEdit;
use crate::store::unit_edit::{self, Editable};
use anyhow::{Result, anyhow};

impl Service {
    /// The unit as an edit starts from, refused unless the session may change its registry.
    pub fn editable_unit(&self, unit_id: i64) -> Result<Editable> {
        let Some(e) = unit_edit::editable(self.store.conn(), unit_id)? else {
            return Err(anyhow!(InvalidInput(format!(
                "alloggio {unit_id} non trovato"
            ))));
        };
        self.session.check_write(Action::EditRegistry {
            owner_id: e.owner_id,
        })?;
        Ok(e)
    }

    /// Whether the session may edit unit `unit_id` (what the interface offers).
    pub fn may_edit_unit(&self, unit_id: i64) -> bool {
        self.editable_unit(unit_id).is_ok()
    }

    /// Changes a unit's values typed in `EditField::ALL` order, if nobody changed it since
    /// `expected_version` was read; the new version. A wrong value names its field.
    pub fn edit_unit(
        &mut self,
        unit_id: i64,
        typed: &[&str; 7],
        expected_version: i64,
    ) -> Result<i64> {
        let current = self.editable_unit(unit_id)?;
        // An `EditError` (exit code 4) names the field for the interface's form.
        let edit = UnitEdit::parse(typed, current.service)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .edit_unit(&actor, unit_id, &edit, expected_version)
    }
}
