//! Demo operators with predictable usernames, so every process can be tried end to end:
//! `regione`, `helpdesk`, `aler.<slug>`, `comune.<ISTAT>` and `capofila.<district code>`.

use super::cf::{Sex, personal_tax_code};
use super::names::{FEMALE, MALE, SURNAMES, pick, pick_common};
use crate::domain::access::{Role, Service};
use crate::reference::aler_slug;
use crate::store::bulk::{DemoOperator, DistrictRef, Snapshot};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use rand::Rng;

pub const EMAIL_DOMAIN: &str = "demo.casa.invalid";

/// Every service, granted on the operator's own body.
fn all_services(owner_id: i64) -> Vec<(i64, Service)> {
    Service::ALL.iter().map(|s| (owner_id, *s)).collect()
}

/// A made-up person behind a username: name, surname and a valid codice fiscale.
fn person<R: Rng>(
    rng: &mut R,
    snap: &Snapshot,
    username: String,
    role: Role,
    district_id: Option<i64>,
    grants: Vec<(i64, Service)>,
) -> DemoOperator {
    let sex = if rng.random_bool(0.5) { Sex::M } else { Sex::F };
    let name = pick_common(rng, if sex == Sex::M { MALE } else { FEMALE });
    let surname = pick_common(rng, SURNAMES);
    let birth = NaiveDate::from_yo_opt(rng.random_range(1960..=1998), rng.random_range(1..=365))
        .expect("valid day of year");
    let place = &pick(rng, &snap.comuni).cadastral;
    DemoOperator {
        email: format!("{username}@{EMAIL_DOMAIN}"),
        username,
        surname: surname.to_string(),
        name: name.to_string(),
        tax_code: personal_tax_code(surname, name, sex, birth, place),
        role,
        district_id,
        grants,
    }
}

/// `capofila.` + the district code in lower case (`capofila.mi-milano`, `capofila.demo-va-3`).
pub fn capofila_username(district_code: &str) -> String {
    format!("capofila.{}", district_code.to_ascii_lowercase())
}

/// Every demo operator, in a stable order. `districts` must all have a capofila.
pub fn plan<R: Rng>(
    rng: &mut R,
    snap: &Snapshot,
    districts: &[DistrictRef],
) -> Result<Vec<DemoOperator>> {
    let mut ops = Vec::with_capacity(snap.comuni.len() + districts.len() + 8);
    let region_grants = snap.region_owner_id.map(all_services).unwrap_or_default();
    ops.push(person(
        rng,
        snap,
        "regione".into(),
        Role::Region,
        None,
        region_grants,
    ));
    ops.push(person(
        rng,
        snap,
        "helpdesk".into(),
        Role::Helpdesk,
        None,
        Vec::new(),
    ));
    for a in &snap.alers {
        let username = format!("aler.{}", aler_slug(&a.code));
        ops.push(person(
            rng,
            snap,
            username,
            Role::OwnerOperator,
            None,
            all_services(a.owner_id),
        ));
    }
    for c in &snap.comuni {
        let username = format!("comune.{}", c.istat);
        ops.push(person(
            rng,
            snap,
            username,
            Role::OwnerOperator,
            None,
            all_services(c.owner_id),
        ));
    }
    for d in districts {
        let lead = d
            .lead_istat
            .as_deref()
            .with_context(|| format!("l'ambito {} non ha un comune capofila", d.code))?;
        let owner = snap
            .comuni
            .iter()
            .find(|c| c.istat == lead)
            .with_context(|| format!("comune capofila {lead} sconosciuto"))?
            .owner_id;
        ops.push(person(
            rng,
            snap,
            capofila_username(&d.code),
            Role::LeadMunicipality,
            Some(d.id),
            all_services(owner),
        ));
    }
    Ok(ops)
}
