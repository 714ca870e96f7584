//! The explanation of one application: its score line by line, tie-break keys, positions.

use super::{Context, RankingInfo, position_of, rankings_of};
use crate::domain::application::Failure;
use crate::domain::isbar::{self, Score};
use crate::domain::ranking::{self, Candidate};
use crate::rules::ranking::Group;
use crate::store::applications;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, params};
use serde::Serialize;

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
    let mut failures = crate::domain::application::access_failures(
        &app,
        rules,
        &ctx.set.cite,
        ctx.notice.opens_on,
    );
    // One application: its members looked up in the register's indexes.
    let register = crate::store::occupations::register::for_tax_codes(
        conn,
        app.members.iter().map(|m| m.tax_code.as_str()),
    )?;
    failures.extend(crate::domain::occupation::check::failure(
        &app,
        &register,
        &rules.occupation_lookback,
        &ctx.set.cite,
    ));
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
                "OCCUPAZIONE" => crate::domain::occupation::check::REQUIREMENT,
                _ => "GRADUATORIA",
            },
            reason: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
