//! The demo notices, of the district with the most rankings on offer: an earlier one whose
//! rankings are final (so Assegnazione has households to propose for the units free this
//! year), then the demo notice proper, closed three days ago with its provisional rankings
//! (so the Graduatorie screens and the corrections have something real to show).

use super::applications::{ComuneRef2, OfferedRef, generate};
use crate::store::{Access, Store, notices, operators, owners, rankings};
use anyhow::{Context, Result, anyhow};
use chrono::{Duration, NaiveDate};
use std::path::Path;

/// What was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoNotice {
    pub notice_id: i64,
    pub district: String,
    pub applications: usize,
    pub rankings: usize,
    pub excluded: usize,
}

/// Creates the demo notice on the demo database at `path` with `applications` applications
/// (none: no notice). Dates are relative to `today`: it closed three days ago, after 45 days.
pub fn create(
    path: &Path,
    applications: usize,
    seed: u64,
    today: NaiveDate,
) -> Result<Option<DemoNotice>> {
    if applications == 0 {
        return Ok(None);
    }
    let mut store = Store::open(path, Access::ReadWrite)?;
    let found = owners::busiest_notice_district(store.conn())?;
    let Some((district_id, code)) = found else {
        return Ok(None);
    };
    let username = format!("capofila.{}", code.to_lowercase());
    // The demo capofila acts: it must exist (it is in the audit records).
    if operators::list(store.conn(), Some(&username))?.is_empty() {
        return Err(anyhow!("operatore dimostrativo {username} mancante"));
    }
    // The earlier notice, created first so that the demo notice stays the newest: a fifth
    // of the applications, closed 75 days ago, its rankings final after the corrections.
    let earlier_closes = today - Duration::days(75);
    let earlier = run_notice(
        &mut store,
        &username,
        district_id,
        "Avviso dimostrativo precedente (graduatorie definitive)",
        earlier_closes,
        (applications / 5).max(1),
        seed.wrapping_add(1),
        earlier_closes + Duration::days(2),
        Some("P"),
    )?;
    store.finalize_rankings(&username, earlier.0, earlier_closes + Duration::days(30))?;
    let (notice_id, count, s) = run_notice(
        &mut store,
        &username,
        district_id,
        "Avviso dimostrativo servizi abitativi pubblici",
        today - Duration::days(3),
        applications,
        seed,
        today,
        None,
    )?;
    Ok(Some(DemoNotice {
        notice_id,
        district: code,
        applications: count,
        rankings: s.rankings,
        excluded: s.excluded,
    }))
}

/// A notice of `district_id` open 45 days until `closes`, with `applications` generated
/// applications and its rankings computed on `computed_on`: (id, applications, summary).
#[allow(clippy::too_many_arguments)]
fn run_notice(
    store: &mut Store,
    username: &str,
    district_id: i64,
    title: &str,
    closes: NaiveDate,
    applications: usize,
    seed: u64,
    computed_on: NaiveDate,
    prefix: Option<&str>,
) -> Result<(i64, usize, rankings::Summary)> {
    let opens = closes - Duration::days(45);
    let notice = store.create_notice(
        username,
        notices::NewNotice {
            district_id,
            title,
            opens_on: opens,
            closes_on: closes,
            rule_set: None,
        },
    )?;
    let ctx = rankings::Context::load(store.conn(), notice.id)?;
    let rules = ctx.set.ranking().map_err(|e| anyhow!(e.0))?;
    let offered: Vec<OfferedRef> = {
        let mut v: Vec<OfferedRef> = ctx
            .offered
            .values()
            .map(|u| OfferedRef {
                unit_id: u.id,
                istat: u.istat.clone(),
                area_m2: u.area_m2,
            })
            .collect();
        v.sort_by_key(|u| u.unit_id);
        v
    };
    let comuni: Vec<ComuneRef2> = owners::district_population(store.conn(), district_id)?
        .into_iter()
        .map(|(istat, population)| ComuneRef2 { istat, population })
        .collect();
    let codes: Vec<String> = rules.conditions.iter().map(|c| c.code.clone()).collect();
    let mut apps = generate(
        applications,
        seed,
        &comuni,
        &offered,
        rules.max_preferences as usize,
        opens,
        closes,
        &codes,
    );
    // An ID domanda names one application across notices (`isbar explain` looks it up).
    if let Some(p) = prefix {
        for a in &mut apps {
            a.code = format!("{p}{}", a.code);
        }
    } else {
        // A few applicants' members of the demo notice in the register, so the five-year
        // check shows.
        super::occupations::for_applicants(store, district_id, &apps, seed, computed_on)
            .context("occupazioni dei richiedenti dimostrativi")?;
    }
    store
        .import_applications(username, notice.id, &apps)
        .context("domande dimostrative")?;
    let s = store.compute_rankings(username, notice.id, computed_on)?;
    Ok((notice.id, apps.len(), s))
}
