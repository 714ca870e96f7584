//! A correction (rettifica) of one application: a disability recognised later, the score
//! recomputed and the rankings it is in re-ranked.

use super::{deadlines, rankings_of};
use crate::domain::isbar;
use crate::domain::ranking::{self, Candidate};
use crate::store::audit::{self, Entry as AuditEntry};
use crate::store::certification::Refused;
use crate::store::{Store, applications, notices, rule_sets};
use anyhow::{Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, params};
use serde::Serialize;

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

impl Store {
    /// A correction (rettifica): a disability recognised after a procedure started in time.
    /// Sets the member's percentage and allowance, recomputes the application's score and
    /// re-ranks the rankings it is in; one transaction with its audit record (before and
    /// after: score and positions). Only while the rankings are provisional and within the
    /// corrections window; the owner's AVVISI operators or the capofila.
    pub fn correct_disability(
        &mut self,
        actor: &str,
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
                operator: actor,
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
