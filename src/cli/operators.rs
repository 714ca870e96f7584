//! `casa operators add|list|grant|disable|enable`.

use super::output::{Format, Listing};
use super::{Global, InvalidInput, login_name, open_store, require_writable, session};
use crate::domain::access::{Action, Denied, OperatorStatus, Role, Service};
use crate::domain::codice_fiscale;
use crate::store::operators::{self, NewOperator};
use crate::store::{Access, owners};
use anyhow::{Result, bail};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// Register an operator (Regione only; the very first operator, a Regione one, needs none)
    Add(AddArgs),
    /// List operators with role, owners and district
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Grant an operator services on an owner (Regione only)
    Grant(GrantArgs),
    /// Disable an operator: they can no longer act (Regione only)
    Disable { username: String },
    /// Re-enable (or validate) an operator (Regione only)
    Enable { username: String },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Username (login name used with --operator)
    pub username: String,
    #[arg(long)]
    pub surname: String,
    #[arg(long)]
    pub name: String,
    /// Codice fiscale of the person (16 characters)
    #[arg(long = "tax-code", visible_alias = "cf")]
    pub tax_code: String,
    #[arg(long)]
    pub email: String,
    /// regione, capofila, ente or helpdesk
    #[arg(long)]
    pub role: String,
    /// District led (capofila only): code or name
    #[arg(long)]
    pub district: Option<String>,
    /// Owner worked for (codice fiscale, ISTAT code, ALER code or name); repeatable
    #[arg(long = "owner")]
    pub owners: Vec<String>,
    /// Services on those owners: anagrafe, avvisi, occupanti, programmazione (default: all)
    #[arg(long = "service")]
    pub services: Vec<String>,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    pub username: String,
    /// Owner (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    pub owner: String,
    /// Services: anagrafe, avvisi, occupanti, programmazione (default: all)
    #[arg(long = "service")]
    pub services: Vec<String>,
}

fn parse_services(raw: &[String]) -> Result<Vec<Service>> {
    if raw.is_empty() {
        return Ok(Service::ALL.to_vec());
    }
    raw.iter()
        .flat_map(|s| s.split(','))
        .map(|s| Service::parse(s).map_err(|e| InvalidInput(e).into()))
        .collect()
}

pub fn run(g: &Global, cmd: OperatorsCommand) -> Result<()> {
    match cmd {
        OperatorsCommand::Add(a) => add(g, a),
        OperatorsCommand::List { format } => list(g, format),
        OperatorsCommand::Grant(a) => grant(g, a),
        OperatorsCommand::Disable { username } => status(g, &username, OperatorStatus::Disabled),
        OperatorsCommand::Enable { username } => status(g, &username, OperatorStatus::Active),
    }
}

fn add(g: &Global, a: AddArgs) -> Result<()> {
    let role = Role::parse(&a.role).map_err(InvalidInput)?;
    // Bootstrap: a database with no operator accepts a first Regione operator from anyone.
    let mut store = open_store(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let actor = if operators::count(store.conn())? == 0 {
        if role != Role::Region {
            bail!(Denied(
                "il primo operatore registrato deve essere della Regione (--role regione)".into()
            ));
        }
        g.operator.clone().unwrap_or_else(login_name)
    } else {
        drop(store);
        let (s, scope) = session(g, Access::ReadWrite)?;
        scope.check(Action::ManageOperators)?;
        store = s;
        scope.username
    };
    let username = a.username.trim().to_string();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
    {
        bail!(InvalidInput(format!(
            "username non valido: '{username}' (lettere, cifre e . - _ @)"
        )));
    }
    let tax_code = codice_fiscale::normalize(&a.tax_code);
    codice_fiscale::validate_person_code(&tax_code)
        .map_err(|e| InvalidInput(format!("--tax-code: {e}")))?;
    if !a.email.contains('@') || a.email.trim().len() < 3 {
        bail!(InvalidInput(format!(
            "--email: indirizzo non valido: '{}'",
            a.email
        )));
    }
    if a.surname.trim().is_empty() || a.name.trim().is_empty() {
        bail!(InvalidInput("--surname e --name sono obbligatori".into()));
    }
    let district_id = match (&a.district, role) {
        (Some(d), Role::LeadMunicipality) => Some(owners::find_district(store.conn(), d)?.id),
        (None, Role::LeadMunicipality) => bail!(InvalidInput(
            "un operatore capofila richiede --district".into()
        )),
        (Some(_), _) => bail!(InvalidInput(
            "--district vale solo per il ruolo capofila".into()
        )),
        (None, _) => None,
    };
    if role == Role::OwnerOperator && a.owners.is_empty() {
        bail!(InvalidInput(
            "un operatore di ente richiede almeno un --owner".into()
        ));
    }
    let owner_ids = a
        .owners
        .iter()
        .map(|o| owners::find_owner(store.conn(), o).map(|o| o.id))
        .collect::<Result<Vec<_>>>()?;
    let services = parse_services(&a.services)?;
    store.add_operator(
        &actor,
        &NewOperator {
            username: username.clone(),
            surname: a.surname.trim().to_string(),
            name: a.name.trim().to_string(),
            tax_code,
            email: a.email.trim().to_string(),
            role,
            district_id,
            status: OperatorStatus::Active,
        },
    )?;
    for id in owner_ids {
        store.grant(&actor, &username, id, &services)?;
    }
    println!("Operatore {username} registrato ({}).", role.label());
    Ok(())
}

fn list(g: &Global, format: Format) -> Result<()> {
    let (store, _scope) = session(g, Access::ReadOnly)?;
    let rows = operators::list(store.conn(), None)?;
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.username.clone(),
                format!("{} {}", r.surname, r.name),
                r.role.clone(),
                r.status.clone(),
                r.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default()
                    + &if r.owners.len() > 1 {
                        format!(" (+{})", r.owners.len() - 1)
                    } else {
                        String::new()
                    },
                r.district.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Listing {
        headers: &["USERNAME", "NOME", "RUOLO", "STATO", "ENTE", "AMBITO"],
        rows: table,
        items: &rows,
    }
    .print(format)
}

fn grant(g: &Global, a: GrantArgs) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    scope.check(Action::ManageOperators)?;
    require_writable(&store)?;
    let owner = owners::find_owner(store.conn(), &a.owner)?;
    let services = parse_services(&a.services)?;
    let added = store.grant(&scope.username, &a.username, owner.id, &services)?;
    if added == 0 {
        println!(
            "Nessuna modifica: {} era già abilitato su {}.",
            a.username, owner.name
        );
    } else {
        println!(
            "{} abilitato su {} per: {}.",
            a.username,
            owner.name,
            services
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn status(g: &Global, username: &str, status: OperatorStatus) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    scope.check(Action::ManageOperators)?;
    require_writable(&store)?;
    if username == scope.username && status == OperatorStatus::Disabled {
        bail!(InvalidInput(
            "un operatore non può disabilitare se stesso".into()
        ));
    }
    if store.set_operator_status(&scope.username, username, status)? {
        println!("Operatore {username}: {}.", status.label().to_lowercase());
    } else {
        println!(
            "Nessuna modifica: {username} è già {}.",
            status.label().to_lowercase()
        );
    }
    Ok(())
}
