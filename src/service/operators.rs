//! Operators: the list, registering one (the very first, a Regione operator, needs no
//! session: the database has nobody to ask), granting services, disabling and re-enabling.

use super::{Claim, Denied, InvalidInput, Need, Service};
use crate::domain::access::{Action, OperatorStatus, Role, Service as Grant};
use crate::domain::codice_fiscale;
use crate::store::operators::{NewOperator, OperatorRow};
use crate::store::{Access, Store};
use anyhow::{Result, anyhow, bail};
use std::path::Path;

/// An operator to register, as typed.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub username: String,
    pub surname: String,
    pub name: String,
    pub tax_code: String,
    pub email: String,
    /// regione, capofila, ente or helpdesk
    pub role: String,
    /// District led (capofila only): code or name.
    pub district: Option<String>,
    /// Owners worked for (codice fiscale, ISTAT code, ALER code or name).
    pub owners: Vec<String>,
    /// Services on those owners (empty: all).
    pub services: Vec<String>,
}

/// Services by name (anagrafe, avvisi, occupanti, programmazione; comma-separated allowed);
/// none: all of them.
pub fn parse_services(raw: &[String]) -> Result<Vec<Grant>> {
    if raw.is_empty() {
        return Ok(Grant::ALL.to_vec());
    }
    raw.iter()
        .flat_map(|s| s.split(','))
        .map(|s| Grant::parse(s).map_err(|e| InvalidInput(e).into()))
        .collect()
}

/// Checks what was typed and resolves district and owners on `store`.
fn prepare(
    store: &Store,
    r: &Registration,
    role: Role,
) -> Result<(NewOperator, Vec<(i64, Grant)>)> {
    let username = r.username.trim().to_string();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
    {
        bail!(InvalidInput(format!(
            "username non valido: '{username}' (lettere, cifre e . - _ @)"
        )));
    }
    let tax_code = codice_fiscale::normalize(&r.tax_code);
    codice_fiscale::validate_person_code(&tax_code)
        .map_err(|e| InvalidInput(format!("--tax-code: {e}")))?;
    if !r.email.contains('@') || r.email.trim().len() < 3 {
        bail!(InvalidInput(format!(
            "--email: indirizzo non valido: '{}'",
            r.email
        )));
    }
    if r.surname.trim().is_empty() || r.name.trim().is_empty() {
        bail!(InvalidInput("--surname e --name sono obbligatori".into()));
    }
    let district_id = match (&r.district, role) {
        (Some(d), Role::LeadMunicipality) => Some(store.find_district(d)?.id),
        (None, Role::LeadMunicipality) => bail!(InvalidInput(
            "un operatore capofila richiede --district".into()
        )),
        (Some(_), _) => bail!(InvalidInput(
            "--district vale solo per il ruolo capofila".into()
        )),
        (None, _) => None,
    };
    if role == Role::OwnerOperator && r.owners.is_empty() {
        bail!(InvalidInput(
            "un operatore di ente richiede almeno un --owner".into()
        ));
    }
    let services = parse_services(&r.services)?;
    let mut grants = Vec::new();
    for o in &r.owners {
        let id = store.find_owner(o)?.id;
        grants.extend(services.iter().map(|s| (id, *s)));
    }
    Ok((
        NewOperator {
            username,
            surname: r.surname.trim().to_string(),
            name: r.name.trim().to_string(),
            tax_code,
            email: r.email.trim().to_string(),
            role,
            district_id,
            status: OperatorStatus::Active,
        },
        grants,
    ))
}

/// Registers an operator with its grants, in one transaction with one audit record. On a
/// database with no operator anyone may register the first, which must be a Regione operator
/// (recorded as done by the claimed operator); afterwards only the Regione does.
pub fn register(db: &Path, claim: &Claim, r: &Registration) -> Result<String> {
    let role = Role::parse(&r.role).map_err(InvalidInput)?;
    let access = if claim.read_only {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let mut store = Store::open(db, access)?;
    store.set_origin(&claim.origin.audit_text())?;
    if store.operator_count()? == 0 {
        if role != Role::Region {
            bail!(Denied(
                "il primo operatore registrato deve essere della Regione (--role regione)".into()
            ));
        }
        if store.access() == Access::ReadOnly {
            bail!(Denied(
                "sessione in sola lettura: il comando modificherebbe dati".into()
            ));
        }
        let (op, grants) = prepare(&store, r, role)?;
        store.register_operator(&claim.operator, &op, &grants)?;
        return Ok(op.username);
    }
    drop(store);
    let mut svc = Service::open(db, claim, Need::Write)?;
    svc.session.check_write(Action::ManageOperators)?;
    let (op, grants) = prepare(&svc.store, r, role)?;
    let actor = svc.session.username().to_string();
    svc.writable()?.register_operator(&actor, &op, &grants)?;
    Ok(op.username)
}

impl Service {
    /// Every operator with role, owners and district.
    pub fn operators(&self) -> Result<Vec<OperatorRow>> {
        self.session.check(Action::ReadReference)?;
        self.store.operators(None)
    }

    /// Grants `username` services on an owner (Regione); returns the owner's name and how many
    /// grants were new.
    pub fn grant(
        &mut self,
        username: &str,
        owner: &str,
        services: &[Grant],
    ) -> Result<(String, usize)> {
        self.session.check_write(Action::ManageOperators)?;
        let owner = self.store.find_owner(owner)?;
        let actor = self.session.username().to_string();
        let added = self
            .writable()?
            .grant(&actor, username, owner.id, services)?;
        Ok((owner.name, added))
    }

    /// Disables, validates or re-enables an operator (Regione); false when it already had
    /// that status. No operator disables itself.
    pub fn set_operator_status(&mut self, username: &str, status: OperatorStatus) -> Result<bool> {
        self.session.check_write(Action::ManageOperators)?;
        if username == self.session.username() && status == OperatorStatus::Disabled {
            return Err(anyhow!(InvalidInput(
                "un operatore non può disabilitare se stesso".into()
            )));
        }
        let actor = self.session.username().to_string();
        self.writable()?
            .set_operator_status(&actor, username, status)
    }
}
