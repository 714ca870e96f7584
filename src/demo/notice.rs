//! The demo notice: a closed notice of the district with the most rankings on offer, with
//! generated applications and its provisional rankings computed, so the Graduatorie screens
//! and commands have something real to show.

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
    let closes = today - Duration::days(3);
    let opens = closes - Duration::days(45);
    let notice = store.create_notice(
        &username,
        notices::NewNotice {
            district_id,
            title: "Avviso dimostrativo servizi abitativi pubblici",
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
    let apps = generate(
        applications,
        seed,
        &comuni,
        &offered,
        rules.max_preferences as usize,
        opens,
        closes,
        &codes,
    );
    // A few applicants' members in the register, so the five-year check shows.
    super::occupations::for_applicants(&mut store, district_id, &apps, seed, today)
        .context("occupazioni dei richiedenti dimostrativi")?;
    store
        .import_applications(&username, notice.id, &apps)
        .context("domande dimostrative")?;
    let s = store.compute_rankings(&username, notice.id, today)?;
    Ok(Some(DemoNotice {
        notice_id: notice.id,
        district: code,
        applications: apps.len(),
        rankings: s.rankings,
        excluded: s.excluded,
    }))
}
