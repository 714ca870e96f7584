//! Districts as the Regione configures them (DOMAIN.md §3, phase 1): create, rename, member
//! comuni, the act naming the capofila. Every active operator reads them.

use super::{InvalidInput, Service, today};
use crate::domain::access::Action;
use crate::domain::district;
use crate::store::districts::{self, DistrictCard};
use crate::store::owners;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;

fn invalid(option: &str, e: String) -> anyhow::Error {
    anyhow!(InvalidInput(format!("{option}: {e}")))
}

/// What a change of capofila did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapofilaSet {
    pub card: DistrictCard,
    /// Capofila operators of the district who do not work for the new capofila: they are now
    /// operators of their own owners.
    pub demoted: Vec<String>,
}

impl Service {
    /// A district's card: members and the acts naming its capofila.
    pub fn district_card(&self, query: &str) -> Result<DistrictCard> {
        self.session.check(Action::ReadReference)?;
        let d = self.find_district("ambito", query)?;
        districts::card(self.store.conn(), d.id)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("ambito '{query}' non trovato"))))
    }

    /// A new district with its member comuni (the Regione).
    pub fn create_district(
        &mut self,
        code: &str,
        name: &str,
        members: &[String],
    ) -> Result<DistrictCard> {
        self.session.check_write(Action::ConfigureRegion)?;
        let code = district::check_code(code).map_err(|e| invalid("codice", e))?;
        let name = district::check_name(name).map_err(|e| invalid("--name", e))?;
        let members = district::parse_istat_list(members).map_err(|e| invalid("--comune", e))?;
        let actor = self.session.username().to_string();
        let id = self
            .writable()?
            .create_district(&actor, &code, &name, &members)
            .map_err(super::errors::refused_as_invalid)?;
        self.card_by_id(id)
    }

    fn card_by_id(&self, id: i64) -> Result<DistrictCard> {
        districts::card(self.store.conn(), id)?.ok_or_else(|| anyhow!("ambito {id} non trovato"))
    }

    /// Renames a district (the Regione); false when it already had that name.
    pub fn rename_district(
        &mut self,
        query: &str,
        name: &str,
        version: Option<i64>,
    ) -> Result<(DistrictCard, bool)> {
        self.session.check_write(Action::ConfigureRegion)?;
        let d = self.find_district("ambito", query)?;
        let name = district::check_name(name).map_err(|e| invalid("--name", e))?;
        let actor = self.session.username().to_string();
        let changed = self
            .writable()?
            .rename_district(&actor, d.id, &name, version)
            .map_err(super::errors::refused_as_invalid)?;
        Ok((self.card_by_id(d.id)?, changed))
    }

    /// Adds and removes member comuni (the Regione); how many memberships changed.
    pub fn change_district_members(
        &mut self,
        query: &str,
        add: &[String],
        remove: &[String],
        version: Option<i64>,
    ) -> Result<(DistrictCard, usize)> {
        self.session.check_write(Action::ConfigureRegion)?;
        let d = self.find_district("ambito", query)?;
        let add = district::parse_istat_list(add).map_err(|e| invalid("--add", e))?;
        let remove = district::parse_istat_list(remove).map_err(|e| invalid("--remove", e))?;
        if add.is_empty() && remove.is_empty() {
            return Err(invalid(
                "comuni",
                "indicare i comuni da aggiungere (--add) o togliere (--remove)".into(),
            ));
        }
        let actor = self.session.username().to_string();
        let n = self
            .writable()?
            .change_members(&actor, d.id, &add, &remove, version)
            .map_err(super::errors::refused_as_invalid)?;
        Ok((self.card_by_id(d.id)?, n))
    }

    /// Records the act naming comune `comune` (ISTAT code or name, a member) capofila of the
    /// district (the Regione). Plans and notices already made keep the capofila they had.
    pub fn set_capofila(
        &mut self,
        query: &str,
        comune: &str,
        act_date: NaiveDate,
        act_reference: &str,
        version: Option<i64>,
    ) -> Result<CapofilaSet> {
        self.session.check_write(Action::ConfigureRegion)?;
        let d = self.find_district("ambito", query)?;
        let q = crate::domain::unit_filter::parse_comune(comune)
            .map_err(|e| invalid("--comune", e.message))?
            .ok_or_else(|| invalid("--comune", "indicare il comune capofila".into()))?;
        let istat = crate::store::search::resolve_comune(self.store.conn(), &q)
            .map_err(|e| invalid("--comune", e.message))?
            .istat;
        let act_date =
            district::check_act_date(act_date, today()).map_err(|e| invalid("--act-date", e))?;
        let reference =
            district::check_act_reference(act_reference).map_err(|e| invalid("--act", e))?;
        let actor = self.session.username().to_string();
        let demoted = self
            .writable()?
            .set_capofila(&actor, d.id, &istat, act_date, &reference, version)
            .map_err(super::errors::refused_as_invalid)?;
        Ok(CapofilaSet {
            card: self.card_by_id(d.id)?,
            demoted,
        })
    }

    /// Every district with its capofila (for the interface's list): as `districts`.
    pub fn district_list(&self) -> Result<Vec<owners::DistrictRef>> {
        self.districts()
    }
}
