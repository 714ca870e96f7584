//! Rankings of a notice: computed by the domain from the stored applications and the notice's
//! rule set, stored one per owner per comune with every sub-score; read by key (position);
//! corrected, finalized, explained and compared with another rule set.

use super::audit::{self, Entry as AuditEntry};
use super::certification::Refused;
use super::{Store, applications, notices, now, rule_sets};
use crate::domain::access::{Action, OperatorScope};
use crate::domain::application::{Failure, OfferedUnit};
use crate::domain::isbar::{self, Score};
use crate::domain::ranking::{
    self, Candidate, Computed, Deadlines, Movement, NoticeContext, RankingKey,
};
use crate::rules::RuleSet;
use crate::rules::ranking::Group;
use anyhow::{Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
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

    pub fn compute(&self, apps: &[(i64, crate::domain::application::Application)]) -> Computed {
        let ctx = NoticeContext {
            rules: self.set.ranking().expect("checked in with_rules"),
            cite: &self.set.cite,
            opens_on: self.notice.opens_on,
            offered: &self.offered,
            population: &self.population,
        };
        ranking::compute_all(&ctx, apps)
    }
}

/// The one line that says a result used unverified values, naming them; `None` if none.
pub fn unverified_line(set: &RuleSet) -> Option<String> {
    let r = set.ranking.as_ref()?;
    let mut conds = Vec::new();
    let mut members = Vec::new();
    let mut others = Vec::new();
    for u in &r.unverified {
        match u.name.strip_prefix("isbar.conditions.") {
            Some(code) => match code.strip_suffix(".membership") {
                Some(code) => members.push(code.to_string()),
                None => conds.push(code.to_string()),
            },
            None => others.push(u.name.clone()),
        }
    }
    if conds.is_empty() && members.is_empty() && others.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !conds.is_empty() {
        parts.push(format!("punti di {}", conds.join(", ")));
    }
    if !members.is_empty() {
        parts.push(format!("appartenenza a {}", members.join(", ")));
    }
    parts.extend(others);
    Some(format!(
        "Calcolata con valori non verificati ({}): {}",
        set.cite,
        parts.join("; ")
    ))
}

/// A stored ranking, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankingInfo {
    pub id: i64,
    pub notice_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub comune: String,
    pub state: String,
    pub entries: i64,
    pub computed_at: String,
    pub provisional_on: String,
    pub final_on: Option<String>,
    pub version: i64,
}

const INFO_SELECT: &str = "SELECT r.id, r.notice_id, r.owner_id, o.name, r.istat_code, m.name,
        r.state, (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id),
        r.computed_at, r.provisional_on, r.final_on, r.version
     FROM ranking r JOIN owner o ON o.id = r.owner_id
       JOIN municipality m ON m.istat_code = r.istat_code";

fn info_row(r: &rusqlite::Row) -> rusqlite::Result<RankingInfo> {
    Ok(RankingInfo {
        id: r.get(0)?,
        notice_id: r.get(1)?,
        owner_id: r.get(2)?,
        owner_name: r.get(3)?,
        istat_code: r.get(4)?,
        comune: r.get(5)?,
        state: r.get(6)?,
        entries: r.get(7)?,
        computed_at: r.get(8)?,
        provisional_on: r.get(9)?,
        final_on: r.get(10)?,
        version: r.get(11)?,
    })
}

/// The rankings of a notice, by owner and comune.
pub fn list(conn: &Connection, notice_id: i64) -> Result<Vec<RankingInfo>> {
    let from_notice =
        INFO_SELECT.replace("FROM ranking r", "FROM ranking r INDEXED BY ranking_notice");
    let mut stmt = conn.prepare_cached(&format!(
        "{from_notice} WHERE r.notice_id = ?1 ORDER BY o.name, m.name"
    ))?;
    let rows = stmt.query_map([notice_id], info_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn info(conn: &Connection, ranking_id: i64) -> Result<RankingInfo> {
    conn.query_row(
        &format!("{INFO_SELECT} WHERE r.id = ?1"),
        [ranking_id],
        info_row,
    )
    .optional()?
    .ok_or_else(|| anyhow!(Refused(format!("graduatoria {ranking_id} non trovata"))))
}

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRow {
    pub position: i64,
    pub application_id: i64,
    pub code: String,
    /// Hundredths of a point.
    pub isbar: i64,
    pub familiari: i64,
    pub abitative: i64,
    pub economica: i64,
    pub residenza_regione: i64,
    pub residenza_comune: i64,
    pub indigent: bool,
    pub without_preferences: bool,
    pub unit1: Option<i64>,
    pub unit2: Option<i64>,
    /// Codes of the conditions that scored.
    pub conditions: String,
    pub isee_cents: i64,
}

const ENTRY_SELECT: &str = "SELECT e.position, e.application_id, a.code, e.isbar, e.familiari,
        e.abitative, e.economica, e.residenza_regione, e.residenza_comune, e.indigent,
        e.without_preferences, e.unit1, e.unit2, e.conditions, a.isee_cents
     FROM ranking_entry e JOIN application a ON a.id = e.application_id";

fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        position: r.get(0)?,
        application_id: r.get(1)?,
        code: r.get(2)?,
        isbar: r.get(3)?,
        familiari: r.get(4)?,
        abitative: r.get(5)?,
        economica: r.get(6)?,
        residenza_regione: r.get(7)?,
        residenza_comune: r.get(8)?,
        indigent: r.get(9)?,
        without_preferences: r.get(10)?,
        unit1: r.get(11)?,
        unit2: r.get(12)?,
        conditions: r.get(13)?,
        isee_cents: r.get(14)?,
    })
}

/// A page of a ranking by key: the `limit` rows after position `after` (forward) or before
/// position `before` (backward, returned in ranking order).
pub fn page(
    conn: &Connection,
    ranking_id: i64,
    after: Option<i64>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<EntryRow>> {
    let limit = limit as i64;
    if let Some(b) = before {
        let mut stmt = conn.prepare_cached(&format!(
            "{ENTRY_SELECT} WHERE e.ranking_id = ?1 AND e.position < +?2
             ORDER BY e.position DESC LIMIT ?3"
        ))?;
        let mut rows: Vec<EntryRow> = stmt
            .query_map(params![ranking_id, b, limit], entry_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.reverse();
        return Ok(rows);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "{ENTRY_SELECT} WHERE e.ranking_id = ?1 AND e.position > +?2
         ORDER BY e.position LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![ranking_id, after.unwrap_or(0), limit], entry_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every row of a ranking, in order (exports).
pub fn all_entries(conn: &Connection, ranking_id: i64) -> Result<Vec<EntryRow>> {
    page(conn, ranking_id, None, None, usize::MAX >> 2)
}

/// Position of an ID domanda in a ranking, if it is there.
pub fn position_of(
    conn: &Connection,
    ranking_id: i64,
    notice_id: i64,
    code: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT e.position FROM application a
               JOIN ranking_entry e ON e.application_id = a.id AND e.ranking_id = ?1
              WHERE a.notice_id = ?2 AND a.code = ?3",
            params![ranking_id, notice_id, code.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

/// An application left out, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedRow {
    pub application_id: i64,
    pub code: String,
    pub requirement: String,
    pub reason: String,
}

/// The applications of a notice left out of every ranking, with each reason.
pub fn excluded(conn: &Connection, notice_id: i64) -> Result<Vec<ExcludedRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT x.application_id, a.code, x.requirement, x.reason
         FROM application_exclusion x JOIN application a ON a.id = x.application_id
         WHERE x.notice_id = ?1 ORDER BY a.code, x.requirement",
    )?;
    let rows = stmt.query_map([notice_id], |r| {
        Ok(ExcludedRow {
            application_id: r.get(0)?,
            code: r.get(1)?,
            requirement: r.get(2)?,
            reason: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

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
    super::preferences::write_dropped(conn, notice_id, &computed.dropped)?;
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

/// The deadlines of a notice's rankings (provisional date: the stored one, else today).
pub fn deadlines(conn: &Connection, notice_id: i64, today: NaiveDate) -> Result<Deadlines> {
    let ctx_notice = notices::get(conn, notice_id)?;
    let (_, set) = rule_sets::load_parsed(conn, ctx_notice.rule_set_id)?;
    let rules = set.ranking().map_err(|e| anyhow!(Refused(e.0)))?;
    let provisional: Option<String> = conn
        .query_row(
            "SELECT min(provisional_on) FROM ranking INDEXED BY ranking_notice WHERE notice_id = ?1",
            [notice_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let provisional = provisional.and_then(|d| d.parse().ok()).unwrap_or(today);
    let closes = ctx_notice
        .closed_at
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or(ctx_notice.closes_on, |d| d.min(ctx_notice.closes_on));
    Ok(ranking::deadlines(rules, closes, provisional))
}

impl Store {
    /// Computes every ranking of a closed notice (capofila): access checks, ISBAR, order;
    /// stores them as provisional with the exclusions, in one transaction with its audit
    /// record. Refused once the rankings are final.
    pub fn compute_rankings(
        &mut self,
        actor: &OperatorScope,
        notice_id: i64,
        today: NaiveDate,
    ) -> Result<Summary> {
        let notice = notices::get(self.conn(), notice_id)?;
        actor.check(Action::ManageNotice {
            district_id: notice.district_id,
        })?;
        if !notice.is_closed(today) {
            return Err(Refused(format!(
                "l'avviso {notice_id} è aperto fino al {}: le graduatorie si calcolano dopo la chiusura",
                notice.closes_on.format("%d/%m/%Y")
            ))
            .into());
        }
        let ctx = Context::load(self.conn(), notice_id)?;
        let apps = applications::load_all(self.conn(), notice_id)?;
        let computed = ctx.compute(&apps);
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
        write_computed(&tx, notice_id, &ctx, &computed, &actor.username, today)?;
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
                operator: &actor.username,
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

    /// Makes a notice's rankings final (capofila), once the corrections window has passed.
    pub fn finalize_rankings(
        &mut self,
        actor: &OperatorScope,
        notice_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<String>> {
        let notice = notices::get(self.conn(), notice_id)?;
        actor.check(Action::ManageNotice {
            district_id: notice.district_id,
        })?;
        let d = deadlines(self.conn(), notice_id, today)?;
        let tx = self.write()?;
        let provisional: i64 = tx.query_row(
            "SELECT count(*) FROM ranking INDEXED BY ranking_notice
             WHERE notice_id = ?1 AND state = 'PROVVISORIA'",
            [notice_id],
            |r| r.get(0),
        )?;
        if provisional == 0 {
            return Err(Refused(format!(
                "l'avviso {notice_id} non ha graduatorie provvisorie da rendere definitive"
            ))
            .into());
        }
        if today <= d.corrections_until {
            return Err(Refused(format!(
                "le rettifiche sono ammesse fino al {}: la graduatoria diventa definitiva dopo",
                d.corrections_until.format("%d/%m/%Y")
            ))
            .into());
        }
        let mut warnings = Vec::new();
        if today > d.final_by {
            warnings.push(format!(
                "Attenzione: graduatoria definitiva dopo il {}",
                d.final_by.format("%d/%m/%Y")
            ));
        }
        tx.execute(
            "UPDATE ranking INDEXED BY ranking_notice
                SET state = 'DEFINITIVA', final_on = ?2, version = version + 1
              WHERE notice_id = ?1 AND state = 'PROVVISORIA'",
            params![notice_id, today.to_string()],
        )?;
        audit::record(
            &tx,
            AuditEntry {
                operator: &actor.username,
                action: "graduatorie.definitive",
                entity: "notice",
                entity_id: Some(notice_id.to_string()),
                before: None,
                after: Some(serde_json::json!({ "rankings": provisional, "final_on": today })),
            },
        )?;
        tx.commit()?;
        Ok(warnings)
    }

    /// A correction (rettifica): a disability recognised after a procedure started in time.
    /// Sets the member's percentage and allowance, recomputes the application's score and
    /// re-ranks the rankings it is in; one transaction with its audit record (before and
    /// after: score and positions). Only while the rankings are provisional and within the
    /// corrections window; the owner's AVVISI operators or the capofila.
    pub fn correct_disability(
        &mut self,
        actor: &OperatorScope,
        c: &Correction<'_>,
        today: NaiveDate,
    ) -> Result<Corrected> {
        let notice = notices::get(self.conn(), c.notice_id)?;
        let (app_id, mut app) = applications::by_code(self.conn(), c.notice_id, c.code)?
            .ok_or_else(|| applications::not_found(c.notice_id, c.code))?;
        let rankings = rankings_of(self.conn(), app_id)?;
        if rankings.is_empty() {
            return Err(Refused(format!(
                "la domanda {} non è in graduatoria (esclusa o graduatorie non calcolate)",
                app.code
            ))
            .into());
        }
        let capofila = actor
            .check(Action::ManageNotice {
                district_id: notice.district_id,
            })
            .is_ok();
        if !capofila {
            for r in &rankings {
                actor.check(Action::ManageRankings {
                    owner_id: r.owner_id,
                })?;
            }
        }
        if rankings.iter().any(|r| r.state == "DEFINITIVA") {
            return Err(Refused("la graduatoria è definitiva: nessuna rettifica".into()).into());
        }
        let d = deadlines(self.conn(), c.notice_id, today)?;
        if today > d.corrections_until {
            return Err(Refused(format!(
                "le rettifiche si chiudevano il {}",
                d.corrections_until.format("%d/%m/%Y")
            ))
            .into());
        }
        if c.disability_pct > 100 {
            return Err(Refused(format!(
                "invalidità {}%: il valore va da 0 a 100",
                c.disability_pct
            ))
            .into());
        }
        let Some(seq) = app
            .members
            .iter()
            .position(|m| m.tax_code.eq_ignore_ascii_case(c.tax_code.trim()))
        else {
            return Err(Refused(format!(
                "nessun componente con codice fiscale {} nella domanda {}",
                c.tax_code.trim(),
                app.code
            ))
            .into());
        };
        // Only the rules are needed: a correction does not touch preferences or placement.
        let (_, set) = rule_sets::load_parsed(self.conn(), notice.rule_set_id)?;
        let rules = set.ranking().map_err(|e| anyhow!(e.0))?;
        let before_score = isbar::groups(&app, rules, notice.opens_on);
        app.members[seq].disability_pct = c.disability_pct;
        app.members[seq].attendance_allowance = c.attendance;
        let groups = isbar::groups(&app, rules, notice.opens_on);
        let tx = self.write()?;
        tx.execute(
            "UPDATE application_member SET disability_pct = ?3, attendance = ?4
             WHERE application_id = ?1 AND seq = ?2",
            params![app_id, seq as i64 + 1, c.disability_pct, c.attendance],
        )?;
        tx.execute(
            "UPDATE application SET version = version + 1 WHERE id = ?1",
            [app_id],
        )?;
        let mut moves = Vec::new();
        for r in &rankings {
            // The score in this ranking's comune (art. 12 c.2).
            let (groups, conditions) =
                isbar::groups_and_conditions(&app, rules, notice.opens_on, Some(&r.istat_code));
            let codes = isbar::condition_codes(rules, conditions).join(",");
            let mut cands = candidates_of(&tx, r.id)?;
            let old_pos = cands
                .iter()
                .position(|x| x.0.application_id == app_id)
                .map(|p| p + 1);
            for (cand, _, _) in cands.iter_mut() {
                if cand.application_id == app_id {
                    cand.groups = groups;
                    cand.total = groups.iter().sum();
                    cand.conditions = conditions;
                }
            }
            let keys = &rules.tie_break;
            cands.sort_by(|a, b| ranking::compare(&a.0, &b.0, keys));
            tx.execute("DELETE FROM ranking_entry WHERE ranking_id = ?1", [r.id])?;
            let mut en = tx.prepare_cached(
                "INSERT INTO ranking_entry (ranking_id, position, application_id, isbar,
                     familiari, abitative, economica, residenza_regione, residenza_comune,
                     indigent, without_preferences, unit1, unit2, conditions, years_comune)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut new_pos = None;
            for (i, (cand, rest, cond_text)) in cands.iter().enumerate() {
                if cand.application_id == app_id {
                    new_pos = Some(i + 1);
                }
                let cond_text = if cand.application_id == app_id {
                    codes.as_str()
                } else {
                    cond_text.as_str()
                };
                en.execute(params![
                    r.id,
                    i as i64 + 1,
                    cand.application_id,
                    cand.total,
                    cand.groups[0],
                    cand.groups[1],
                    cand.groups[2],
                    cand.groups[3],
                    cand.groups[4],
                    cand.indigent,
                    rest.0,
                    rest.1,
                    rest.2,
                    cond_text,
                    cand.years_comune,
                ])?;
            }
            tx.execute(
                "UPDATE ranking SET version = version + 1 WHERE id = ?1",
                [r.id],
            )?;
            moves.push(serde_json::json!({
                "ranking": r.id, "owner": r.owner_name, "comune": r.comune,
                "before": old_pos, "after": new_pos
            }));
        }
        let corrected = Corrected {
            code: app.code.clone(),
            isbar_before: before_score.iter().sum(),
            isbar_after: groups.iter().sum(),
            positions: moves,
        };
        audit::record(
            &tx,
            AuditEntry {
                operator: &actor.username,
                action: "graduatorie.rettifica",
                entity: "application",
                entity_id: Some(app_id.to_string()),
                before: Some(serde_json::json!({
                    "tax_code": c.tax_code, "isbar": corrected.isbar_before
                })),
                after: Some(serde_json::json!({
                    "tax_code": c.tax_code, "disability_pct": c.disability_pct,
                    "attendance": c.attendance, "isbar": corrected.isbar_after,
                    "positions": corrected.positions
                })),
            },
        )?;
        tx.commit()?;
        Ok(corrected)
    }
}

/// A correction request.
pub struct Correction<'a> {
    pub notice_id: i64,
    pub code: &'a str,
    pub tax_code: &'a str,
    pub disability_pct: u8,
    pub attendance: bool,
}

/// What a correction did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Corrected {
    pub code: String,
    pub isbar_before: i64,
    pub isbar_after: i64,
    pub positions: Vec<serde_json::Value>,
}

/// The rankings an application is in.
pub fn rankings_of(conn: &Connection, application_id: i64) -> Result<Vec<RankingInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{INFO_SELECT} WHERE r.id IN (SELECT ranking_id FROM ranking_entry WHERE application_id = ?1)
         ORDER BY o.name, m.name"
    ))?;
    let rows = stmt.query_map([application_id], info_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

type Rest = (bool, Option<i64>, Option<i64>);

/// A stored ranking as candidates again (for a re-rank), with the columns they do not carry.
fn candidates_of(conn: &Connection, ranking_id: i64) -> Result<Vec<(Candidate, Rest, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.application_id, a.code, a.submitted_at, e.isbar, e.familiari, e.abitative,
                e.economica, e.residenza_regione, e.residenza_comune, a.years_region,
                ifnull(e.years_comune, a.years_comune), e.indigent, e.without_preferences, e.unit1, e.unit2, e.conditions
         FROM ranking_entry e JOIN application a ON a.id = e.application_id
         WHERE e.ranking_id = ?1 ORDER BY e.position",
    )?;
    let rows = stmt.query_map([ranking_id], |r| {
        let submitted: String = r.get(2)?;
        let submitted_at =
            NaiveDateTime::parse_from_str(&submitted, "%Y-%m-%dT%H:%M:%S").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
        Ok((
            Candidate {
                application_id: r.get(0)?,
                code: r.get(1)?,
                submitted_at,
                total: r.get(3)?,
                groups: [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                years_region: r.get(9)?,
                years_comune: r.get(10)?,
                indigent: r.get(11)?,
                conditions: 0,
            },
            (r.get(12)?, r.get(13)?, r.get(14)?),
            r.get::<_, String>(15)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The explanation of one application's score and positions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub notice_id: i64,
    pub code: String,
    pub rule_set: String,
    pub admitted: bool,
    pub failures: Vec<Failure>,
    pub score: Option<Score>,
    pub indigent: bool,
    /// Tie-break keys in order with their values.
    pub tie_keys: Vec<(String, String)>,
    pub positions: Vec<(RankingInfo, i64)>,
    pub dropped_preferences: Vec<crate::domain::application::DroppedPreference>,
    pub kept_preferences: Vec<i64>,
    pub unverified: Option<String>,
    /// The score in each comune of the rankings it is in (art. 12 c.2: the comune points are
    /// for the years in the comune of the unit); `score` is the first of them.
    pub by_comune: Vec<ComuneScore>,
}

/// An application's score in the rankings of one comune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComuneScore {
    pub istat_code: String,
    pub comune: String,
    /// Years of residence that scored the comune points there.
    pub years: u32,
    pub residenza_regione: i64,
    pub residenza_comune: i64,
    pub isbar: i64,
}

/// Explains an application: each condition that scored with its points and legal reference,
/// residence points with the years, the tie-break keys, the rule set, the unverified values
/// used; where it stands in each ranking, or why it was left out.
pub fn explain(conn: &Connection, notice_id: i64, code: &str) -> Result<Explanation> {
    let (app_id, app) = applications::by_code(conn, notice_id, code)?
        .ok_or_else(|| applications::not_found(notice_id, code))?;
    let ctx = Context::load(conn, notice_id)?;
    let rules = ctx.set.ranking().map_err(|e| anyhow!(e.0))?;
    let failures = crate::domain::application::access_failures(
        &app,
        rules,
        &ctx.set.cite,
        ctx.notice.opens_on,
    );
    let prefs =
        crate::domain::application::resolve_preferences(&app, rules, &ctx.offered, &ctx.population);
    let stored_exclusions = excluded_of(conn, notice_id, app_id)?;
    let admitted = failures.is_empty();
    let mut positions = Vec::new();
    for r in rankings_of(conn, app_id)? {
        if let Some(p) = position_of(conn, r.id, notice_id, &app.code)? {
            positions.push((r, p));
        }
    }
    let mut comuni: Vec<(String, String)> = Vec::new();
    for (r, _) in &positions {
        if !comuni.iter().any(|(c, _)| *c == r.istat_code) {
            comuni.push((r.istat_code.clone(), r.comune.clone()));
        }
    }
    // The score in the comune of its first ranking (else of residence).
    let first = comuni.first().map(|(c, _)| c.as_str());
    let score =
        admitted.then(|| isbar::score_in(&app, rules, &ctx.set.cite, ctx.notice.opens_on, first));
    let by_comune = if admitted {
        comuni
            .iter()
            .map(|(istat, name)| {
                let g =
                    isbar::groups_and_conditions(&app, rules, ctx.notice.opens_on, Some(istat)).0;
                ComuneScore {
                    istat_code: istat.clone(),
                    comune: name.clone(),
                    years: isbar::comune_years(&app, rules, Some(istat)),
                    residenza_regione: g[Group::ResidenzaRegione.index()],
                    residenza_comune: g[Group::ResidenzaComune.index()],
                    isbar: g.iter().sum(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let tie_keys = match &score {
        Some(s) => ranking::tie_keys(
            &Candidate {
                application_id: app_id,
                code: app.code.clone(),
                submitted_at: app.submitted_at,
                total: s.total,
                groups: s.groups,
                years_region: app.years_region,
                years_comune: isbar::comune_years(&app, rules, first),
                indigent: app.is_indigent(rules),
                conditions: 0,
            },
            rules,
        ),
        None => Vec::new(),
    };
    let unverified = score.as_ref().and_then(|s| {
        (!s.unverified.is_empty()).then(|| {
            format!(
                "Calcolato con valori non verificati ({}): {}",
                ctx.set.cite,
                s.unverified.join(", ")
            )
        })
    });
    Ok(Explanation {
        notice_id,
        code: app.code.clone(),
        rule_set: ctx.rule_set.label(),
        admitted,
        failures: if admitted {
            stored_exclusions
        } else {
            failures
        },
        indigent: app.is_indigent(rules),
        score,
        tie_keys,
        positions,
        dropped_preferences: prefs.dropped,
        kept_preferences: prefs.kept,
        unverified,
        by_comune,
    })
}

fn excluded_of(conn: &Connection, notice_id: i64, app_id: i64) -> Result<Vec<Failure>> {
    let mut stmt = conn.prepare_cached(
        "SELECT requirement, reason FROM application_exclusion
         WHERE notice_id = ?1 AND application_id = ?2",
    )?;
    let rows = stmt.query_map(params![notice_id, app_id], |r| {
        let req: String = r.get(0)?;
        Ok(Failure {
            // The stored requirement codes are the domain's own.
            requirement: match req.as_str() {
                "NUCLEO" => "NUCLEO",
                "RESIDENZA" => "RESIDENZA",
                "ISEE" => "ISEE",
                "PATRIMONIO" => "PATRIMONIO",
                "ALLOGGIO_ADEGUATO" => "ALLOGGIO_ADEGUATO",
                "DECADENZA" => "DECADENZA",
                _ => "GRADUATORIA",
            },
            reason: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One ranking compared under another rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub comune: String,
    pub before: usize,
    pub after: usize,
    pub movements: Vec<Movement>,
}

/// What-if: the notice's rankings recomputed under `other` against the stored ones; who moves
/// and by how much. Nothing is written.
pub fn compare(
    conn: &Connection,
    notice_id: i64,
    other: (rule_sets::Stored, RuleSet),
) -> Result<(String, Vec<Comparison>)> {
    let notice = notices::get(conn, notice_id)?;
    let label = other.0.label();
    let ctx = Context::with_rules(conn, notice, other.0, other.1)?;
    let apps = applications::load_all(conn, notice_id)?;
    let computed = ctx.compute(&apps);
    let stored = list(conn, notice_id)?;
    if stored.is_empty() {
        return Err(Refused(format!(
            "l'avviso {notice_id} non ha graduatorie calcolate: eseguire prima `casa rankings compute`"
        ))
        .into());
    }
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut comuni: HashMap<String, String> = HashMap::new();
    let mut keys: Vec<RankingKey> = computed.rankings.keys().cloned().collect();
    for r in &stored {
        names.insert(r.owner_id, r.owner_name.clone());
        comuni.insert(r.istat_code.clone(), r.comune.clone());
        keys.push(RankingKey {
            owner_id: r.owner_id,
            istat: r.istat_code.clone(),
        });
    }
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let before: Vec<String> = match stored
            .iter()
            .find(|r| r.owner_id == k.owner_id && r.istat_code == k.istat)
        {
            Some(r) => all_entries(conn, r.id)?
                .into_iter()
                .map(|e| e.code)
                .collect(),
            None => Vec::new(),
        };
        let after: Vec<String> = computed
            .rankings
            .get(&k)
            .map(|v| v.iter().map(|e| e.candidate.code.clone()).collect())
            .unwrap_or_default();
        let owner_name = match names.get(&k.owner_id) {
            Some(n) => n.clone(),
            None => conn.query_row("SELECT name FROM owner WHERE id = ?1", [k.owner_id], |r| {
                r.get(0)
            })?,
        };
        let comune = match comuni.get(&k.istat) {
            Some(n) => n.clone(),
            None => conn.query_row(
                "SELECT name FROM municipality WHERE istat_code = ?1",
                [&k.istat],
                |r| r.get(0),
            )?,
        };
        out.push(Comparison {
            owner_id: k.owner_id,
            owner_name,
            istat_code: k.istat.clone(),
            comune,
            before: before.len(),
            after: after.len(),
            movements: ranking::movements(&before, &after),
        });
    }
    Ok((label, out))
}
