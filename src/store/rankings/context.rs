//! What the computation of a notice's rankings needs from the database besides the
//! applications: the notice, its rule set (or another, for what-if), the units offered and the
//! comuni's population.

use crate::domain::application::OfferedUnit;
use crate::domain::occupation::check::Register;
use crate::domain::ranking::{self, Computed, NoticeContext};
use crate::rules::RuleSet;
use crate::store::certification::Refused;
use crate::store::{notices, rule_sets};
use anyhow::{Result, anyhow};
use rusqlite::Connection;
use std::collections::HashMap;

/// What the computation needs from the database besides the applications.
pub struct Context {
    pub notice: notices::Notice,
    pub rule_set: rule_sets::Stored,
    pub set: RuleSet,
    pub offered: HashMap<i64, OfferedUnit>,
    pub population: HashMap<String, u32>,
}

impl Context {
    pub fn load(conn: &Connection, notice_id: i64) -> Result<Context> {
        let notice = notices::get(conn, notice_id)?;
        let (rule_set, set) = rule_sets::load_parsed(conn, notice.rule_set_id)?;
        Context::with_rules(conn, notice, rule_set, set)
    }

    /// The notice's data with another rule set (what-if).
    pub fn with_rules(
        conn: &Connection,
        notice: notices::Notice,
        rule_set: rule_sets::Stored,
        set: RuleSet,
    ) -> Result<Context> {
        set.ranking().map_err(|e| anyhow!(Refused(e.0)))?;
        let mut offered = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT u.id, u.owner_id, u.istat_code, ifnull(u.floor_area, 0)
             FROM notice_unit n JOIN unit u ON u.id = n.unit_id WHERE n.notice_id = ?1",
        )?;
        for r in stmt.query_map([notice.id], |r| {
            Ok(OfferedUnit {
                id: r.get(0)?,
                owner_id: r.get(1)?,
                istat: r.get(2)?,
                area_m2: r.get(3)?,
            })
        })? {
            let u = r?;
            offered.insert(u.id, u);
        }
        let mut population = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT m.istat_code, m.population FROM district_municipality dm
               JOIN municipality m ON m.istat_code = dm.istat_code WHERE dm.district_id = ?1",
        )?;
        for r in stmt.query_map([notice.district_id], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (k, v): (String, u32) = r?;
            population.insert(k, v);
        }
        Ok(Context {
            notice,
            rule_set,
            set,
            offered,
            population,
        })
    }

    /// Computes the notice's rankings from `apps`, checking every member against the register
    /// of occupations without title read from `conn` for the applications' submission dates.
    pub fn compute(
        &self,
        conn: &Connection,
        apps: &[(i64, crate::domain::application::Application)],
    ) -> Result<Computed> {
        let register = self.register(conn, apps)?;
        Ok(self.compute_with(apps, &register))
    }

    /// The register as far as it may concern `apps` (empty when there are none).
    pub fn register(
        &self,
        conn: &Connection,
        apps: &[(i64, crate::domain::application::Application)],
    ) -> Result<Register> {
        let rules = self.set.ranking().map_err(|e| anyhow!(Refused(e.0)))?;
        let dates = apps.iter().map(|(_, a)| a.submitted_at.date());
        match (dates.clone().min(), dates.max()) {
            (Some(from), Some(to)) => crate::store::occupations::register::for_window(
                conn,
                from,
                to,
                &rules.occupation_lookback,
            ),
            _ => Ok(Register::default()),
        }
    }

    /// Computes with a register already read.
    pub fn compute_with(
        &self,
        apps: &[(i64, crate::domain::application::Application)],
        register: &Register,
    ) -> Computed {
        let ctx = NoticeContext {
            rules: self.set.ranking().expect("checked in with_rules"),
            cite: &self.set.cite,
            opens_on: self.notice.opens_on,
            offered: &self.offered,
            population: &self.population,
            register,
        };
        ranking::compute_all(&ctx, apps)
    }
}
