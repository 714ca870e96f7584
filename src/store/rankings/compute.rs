//! Computing a closed notice's rankings (provisional) and storing them with the exclusions.

use super::{Context, unverified_line};
use crate::domain::isbar;
use crate::domain::ranking::Computed;
use crate::rules::ranking::Group;
use crate::store::audit::{self, Entry as AuditEntry};
use crate::store::certification::Refused;
use crate::store::{Store, applications, notices, now};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;

/// What a computation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub notice_id: i64,
    pub rule_set: String,
    pub applications: usize,
    pub rankings: usize,
    pub ranked: usize,
    pub excluded: usize,
    pub unverified: Option<String>,
    pub warnings: Vec<String>,
}

fn write_computed(
    conn: &Connection,
    notice_id: i64,
    ctx: &Context,
    computed: &Computed,
    by: &str,
    today: NaiveDate,
) -> Result<()> {
    conn.execute(
        "DELETE FROM ranking_entry WHERE ranking_id IN
             (SELECT id FROM ranking INDEXED BY ranking_notice WHERE notice_id = ?1)",
        [notice_id],
    )?;
    conn.execute(
        "DELETE FROM ranking INDEXED BY ranking_notice WHERE notice_id = ?1",
        [notice_id],
    )?;
    conn.execute(
        "DELETE FROM application_exclusion WHERE notice_id = ?1",
        [notice_id],
    )?;
    let at = now();
    let rules = ctx.set.ranking().map_err(|e| anyhow!(e.0))?;
    let mut rk = conn.prepare_cached(
        "INSERT INTO ranking (notice_id, owner_id, istat_code, state, computed_at, computed_by,
             provisional_on)
         VALUES (?1, ?2, ?3, 'PROVVISORIA', ?4, ?5, ?6)",
    )?;
    let mut en = conn.prepare_cached(
        "INSERT INTO ranking_entry (ranking_id, position, application_id, isbar, familiari,
             abitative, economica, residenza_regione, residenza_comune, indigent,
             without_preferences, unit1, unit2, conditions, years_comune)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let mut codes_cache: HashMap<u64, String> = HashMap::new();
    for (key, entries) in &computed.rankings {
        rk.execute(params![
            notice_id,
            key.owner_id,
            key.istat,
            at,
            by,
            today.to_string()
        ])?;
        let ranking_id = conn.last_insert_rowid();
        for (i, e) in entries.iter().enumerate() {
            let c = &e.candidate;
            let codes = codes_cache
                .entry(c.conditions)
                .or_insert_with(|| isbar::condition_codes(rules, c.conditions).join(","));
            en.execute(params![
                ranking_id,
                i as i64 + 1,
                c.application_id,
                c.total,
                c.groups[Group::Familiari.index()],
                c.groups[Group::Abitative.index()],
                c.groups[Group::Economica.index()],
                c.groups[Group::ResidenzaRegione.index()],
                c.groups[Group::ResidenzaComune.index()],
                c.indigent,
                e.without_preferences,
                e.units.first(),
                e.units.get(1),
                codes.as_str(),
                c.years_comune,
            ])?;
        }
    }
    crate::store::preferences::write_dropped(conn, notice_id, &computed.dropped)?;
    let mut ex = conn.prepare_cached(
        "INSERT INTO application_exclusion (notice_id, application_id, requirement, reason)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for x in &computed.excluded {
        for f in &x.failures {
            ex.execute(params![
                notice_id,
                x.application_id,
                f.requirement,
                f.reason
            ])?;
        }
    }
    Ok(())
}

impl Store {
    /// Computes every ranking of a closed notice (capofila): access checks, ISBAR, order;
    /// stores them as provisional with the exclusions, in one transaction with its audit
    /// record. Refused once the rankings are final.
    pub fn compute_rankings(
        &mut self,
        actor: &str,
        notice_id: i64,
        today: NaiveDate,
    ) -> Result<Summary> {
        let notice = notices::get(self.conn(), notice_id)?;
        if !notice.is_closed(today) {
            return Err(Refused(format!(
                "l'avviso {notice_id} è aperto fino al {}: le graduatorie si calcolano dopo la chiusura",
                notice.closes_on.format("%d/%m/%Y")
            ))
            .into());
        }
        let ctx = Context::load(self.conn(), notice_id)?;
        let apps = applications::load_all(self.conn(), notice_id)?;
        let computed = ctx.compute(self.conn(), &apps)?;
        let tx = self.write()?;
        let finals: i64 = tx.query_row(
            "SELECT count(*) FROM ranking INDEXED BY ranking_notice
             WHERE notice_id = ?1 AND state = 'DEFINITIVA'",
            [notice_id],
            |r| r.get(0),
        )?;
        if finals > 0 {
            return Err(Refused(format!(
                "le graduatorie dell'avviso {notice_id} sono definitive: non si ricalcolano"
            ))
            .into());
        }
        write_computed(&tx, notice_id, &ctx, &computed, actor, today)?;
        let mut warnings = Vec::new();
        let rules = ctx.set.ranking().map_err(|e| anyhow!(e.0))?;
        let closes = notice.closes_on;
        let by = closes + chrono::Duration::days(i64::from(rules.provisional_days));
        if today > by {
            warnings.push(format!(
                "Attenzione: graduatoria provvisoria dopo il {}, {} giorni dalla chiusura dell'avviso ({})",
                by.format("%d/%m/%Y"),
                rules.provisional_days,
                ctx.set.cite
            ));
        }
        let summary = Summary {
            notice_id,
            rule_set: ctx.rule_set.label(),
            applications: apps.len(),
            rankings: computed.rankings.len(),
            ranked: computed.rankings.values().map(Vec::len).sum(),
            excluded: computed.excluded.len(),
            unverified: unverified_line(&ctx.set),
            warnings,
        };
        audit::record(
            &tx,
            AuditEntry {
                operator: actor,
                action: "graduatorie.calcola",
                entity: "notice",
                entity_id: Some(notice_id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&summary)?),
            },
        )?;
        tx.commit()?;
        Ok(summary)
    }
}
