//! Operators' roles, the services they are granted, and the one permission check every command
//! and screen calls before acting.

use super::registry::fold_label;
use std::fmt;

macro_rules! simple_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $db:literal, $label:literal, [$($alias:literal),*];)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Value stored in the database.
            pub fn db(self) -> &'static str {
                match self { $($name::$variant => $db),+ }
            }

            pub fn from_db(s: &str) -> Option<Self> {
                match s { $($db => Some($name::$variant),)+ _ => None }
            }

            /// Italian label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(input: &str) -> Result<Self, String> {
                let f = fold_label(input);
                $(
                    if f == fold_label($db) || f == fold_label($label) $(|| f == fold_label($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                let accepted: Vec<String> = Self::ALL.iter().map(|v| v.db().to_lowercase()).collect();
                Err(format!("{} non valido: '{}' (valori ammessi: {})", $what, input.trim(), accepted.join(", ")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.label()) }
        }
    };
}

simple_enum! {
    /// What an operator is, which decides the scope of what they may do.
    Role, "ruolo" {
        Region = "REGIONE", "Regione", [];
        LeadMunicipality = "CAPOFILA", "Comune capofila", ["CAPOFILA"];
        OwnerOperator = "ENTE", "Operatore ente proprietario", ["OPERATORE", "OWNER"];
        Helpdesk = "HELPDESK", "Helpdesk", [];
    }
}

simple_enum! {
    /// The services of the regional platform an operator asks for, per owner.
    Service, "servizio" {
        Registry = "ANAGRAFE", "ANAGRAFE", [];
        Notices = "AVVISI", "AVVISI", [];
        Occupations = "OCCUPANTI", "BANCA DATI OCCUPANTI SENZA TITOLO", ["OCCUPANTI SENZA TITOLO"];
        Planning = "PROGRAMMAZIONE", "PROGRAMMAZIONE", [];
    }
}

simple_enum! {
    /// Registration status: only active (validated) operators act.
    OperatorStatus, "stato operatore" {
        Pending = "IN_ATTESA", "In attesa di validazione", ["IN ATTESA"];
        Active = "ATTIVO", "Attivo", ["VALIDATO"];
        Disabled = "DISABILITATO", "Disabilitato", [];
    }
}

/// What the permission check needs to know of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorScope {
    pub username: String,
    pub role: Role,
    pub status: OperatorStatus,
    /// District led, for a capofila operator.
    pub district_id: Option<i64>,
    /// (owner id, service) pairs granted.
    pub grants: Vec<(i64, Service)>,
}

/// Something an operator may try to do. Later features add variants here, so that every
/// permission decision stays in one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See an owner's units and households.
    ViewOwner { owner_id: i64 },
    /// Create or change an owner's buildings and units (includes import).
    EditRegistry { owner_id: i64 },
    /// Certify an owner's registry or declare it owns no units.
    Certify { owner_id: i64 },
    /// File an owner's annual communication.
    FileCommunication { owner_id: i64 },
    /// Create, open, close, approve or cancel a district's plan.
    ManagePlan { district_id: i64 },
    /// Read plan cards, their owners' overview and reports (any district: plans are public
    /// acts, and owners file into the plans of every district where they have units).
    ReadPlans,
    /// Manage an owner's notices, applications and rankings.
    ManageRankings { owner_id: i64 },
    /// Create and close a district's notices, load their applications, compute and finalize
    /// their rankings: the capofila of the district.
    ManageNotice { district_id: i64 },
    /// Record occupations without title for an owner.
    RecordOccupation { owner_id: i64 },
    /// Open the register of occupations without title at all (which records: the
    /// visibility of `domain::occupation::filter`).
    ReadOccupations,
    /// Register, grant, validate or disable operators.
    ManageOperators,
    /// Configure districts and their capofila; publish rule sets.
    ConfigureRegion,
    /// Show masked personal data (always audited by the caller).
    RevealPersonalData,
    /// Read the reference lists: districts, owners, operators, rule sets (any active operator).
    ReadReference,
    /// Copy the whole database to a file (a backup holds every personal datum unmasked): the
    /// Regione.
    CopyDatabase,
    /// Write the export of a district's approved plan, the file that goes to the assembly and
    /// the Region (the capofila, the Regione and the helpdesk). The report of the
    /// communications is a read (`ReadPlans`): Comuni and ALER download it too.
    ExportPlan { district_id: i64 },
    /// Open the Graduatorie area: the notices and the rankings one may read in them (the
    /// Regione, the helpdesk, any capofila, operators with the AVVISI service on some owner).
    ReadRankings,
    /// Read the audit trail and verify its chain: the Regione and the helpdesk.
    ReadAudit,
    /// File a registration request (a new operator of one's owner, or more services for
    /// oneself): any active operator who may change data.
    FileRegistration,
    /// Read every ranking of a notice of `district_id` and its exclusions: the Regione, the
    /// helpdesk and the capofila of that district.
    ReadWholeNotice { district_id: i64 },
    /// Read the ranking of `owner_id` in a notice of `district_id`: as above, or with the
    /// AVVISI service on that owner.
    ReadRanking { district_id: i64, owner_id: i64 },
    /// Open the Assegnazione area: the Regione, the helpdesk, any capofila, operators with the
    /// AVVISI service on some owner.
    ReadAssignments,
    /// Read the quota ledger and the assignments of `owner_id` in a comune of `district_id`:
    /// the Regione and the helpdesk (every ledger of the region), the capofila of that
    /// district (every ledger of the district), the owner's operators with AVVISI.
    ReadLedger {
        district_id: Option<i64>,
        owner_id: i64,
    },
    /// Propose, offer, record the household's answer, check the documents, sign the act and
    /// the lease of `owner_id`'s units: its operators with the AVVISI service.
    Assign { owner_id: i64 },
}

/// Why an action was refused; `Display` is the Italian message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Denied {}

impl OperatorScope {
    pub fn has_grant(&self, owner_id: i64, service: Service) -> bool {
        self.grants.contains(&(owner_id, service))
    }

    /// True when the operator sees every owner's data (Regione, helpdesk).
    pub fn sees_everything(&self) -> bool {
        matches!(self.role, Role::Region | Role::Helpdesk)
    }

    /// Whether the operator may open the rankings at all (`Action::ReadRankings`).
    pub fn may_read_rankings(&self) -> bool {
        self.check(Action::ReadRankings).is_ok()
    }

    /// Whether the operator reads every ranking of a notice of `district_id`
    /// (`Action::ReadWholeNotice`).
    pub fn reads_whole_notice(&self, district_id: i64) -> bool {
        self.check(Action::ReadWholeNotice { district_id }).is_ok()
    }

    /// Whether the operator reads the ranking of `owner_id` in a notice of `district_id`
    /// (`Action::ReadRanking`).
    pub fn may_read_ranking(&self, district_id: i64, owner_id: i64) -> bool {
        self.check(Action::ReadRanking {
            district_id,
            owner_id,
        })
        .is_ok()
    }

    /// Whether tenants' personal data are shown masked (the helpdesk, unless it reveals them).
    pub fn sees_personal_data_masked(&self) -> bool {
        self.role == Role::Helpdesk
    }

    /// Whether the operator may open the register of occupations without title: Regione,
    /// helpdesk, operators with the OCCUPANTI service on some owner.
    pub fn may_read_occupations(&self) -> bool {
        self.check(Action::ReadOccupations).is_ok()
    }

    /// Whether the session must be read-only whatever the operator asks.
    pub fn is_read_only(&self) -> bool {
        self.role == Role::Helpdesk
    }

    /// The permission check. `Ok(())` means the action may go ahead.
    pub fn check(&self, action: Action) -> Result<(), Denied> {
        let who = &self.username;
        match self.status {
            OperatorStatus::Active => {}
            OperatorStatus::Pending => {
                return Err(Denied(format!(
                    "l'operatore {who} è in attesa di validazione da parte della Regione"
                )));
            }
            OperatorStatus::Disabled => {
                return Err(Denied(format!("l'operatore {who} è disabilitato")));
            }
        }
        let read_only = || {
            Err(Denied(format!(
                "l'operatore {who} ({}) può solo consultare i dati",
                self.role.label()
            )))
        };
        let needs = |owner_id: i64, service: Service, what: &str| {
            if self.role == Role::Helpdesk {
                return read_only();
            }
            if self.has_grant(owner_id, service) {
                Ok(())
            } else {
                Err(Denied(format!(
                    "l'operatore {who} non è abilitato al servizio {} per questo ente: non può {what}",
                    service.label()
                )))
            }
        };
        match action {
            Action::ViewOwner { owner_id } => {
                if self.sees_everything() || self.grants.iter().any(|(o, _)| *o == owner_id) {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non lavora per questo ente e non può vederne i dati"
                    )))
                }
            }
            Action::EditRegistry { owner_id } => {
                needs(owner_id, Service::Registry, "modificare l'anagrafe")
            }
            Action::Certify { owner_id } => {
                needs(owner_id, Service::Registry, "certificare l'anagrafe")
            }
            Action::FileCommunication { owner_id } => needs(
                owner_id,
                Service::Planning,
                "trasmettere la comunicazione annuale",
            ),
            Action::ManageRankings { owner_id } => {
                needs(owner_id, Service::Notices, "gestire avvisi e graduatorie")
            }
            Action::RecordOccupation { owner_id } => needs(
                owner_id,
                Service::Occupations,
                "registrare occupazioni senza titolo",
            ),
            Action::ManagePlan { district_id } => match self.role {
                Role::LeadMunicipality if self.district_id == Some(district_id) => Ok(()),
                Role::Helpdesk => read_only(),
                _ => Err(Denied(format!(
                    "solo gli operatori del Comune capofila dell'ambito possono gestirne il piano (operatore {who})"
                ))),
            },
            Action::ManageNotice { district_id } => match self.role {
                Role::LeadMunicipality if self.district_id == Some(district_id) => Ok(()),
                Role::Helpdesk => read_only(),
                _ => Err(Denied(format!(
                    "solo gli operatori del Comune capofila dell'ambito gestiscono i suoi avvisi e le graduatorie (operatore {who})"
                ))),
            },
            Action::ReadOccupations => {
                let granted = self.grants.iter().any(|(_, s)| *s == Service::Occupations);
                if self.sees_everything() || granted {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non è abilitato al servizio {}: non può consultare le occupazioni senza titolo",
                        Service::Occupations.label()
                    )))
                }
            }
            Action::ReadPlans => {
                let files = self.grants.iter().any(|(_, s)| *s == Service::Planning);
                if self.sees_everything() || self.role == Role::LeadMunicipality || files {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non è abilitato al servizio {}: non può consultare i piani",
                        Service::Planning.label()
                    )))
                }
            }
            Action::CopyDatabase => match self.role {
                Role::Region => Ok(()),
                _ => Err(Denied(format!(
                    "solo un operatore della Regione copia il database, che contiene tutti i dati personali (operatore {who}, {})",
                    self.role.label()
                ))),
            },
            Action::ManageOperators | Action::ConfigureRegion => match self.role {
                Role::Region => Ok(()),
                Role::Helpdesk => read_only(),
                _ => Err(Denied(format!(
                    "solo un operatore della Regione può farlo (operatore {who}, {})",
                    self.role.label()
                ))),
            },
            Action::RevealPersonalData | Action::ReadReference => Ok(()),
            Action::ReadAudit => {
                if self.sees_everything() {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "il registro delle operazioni (audit) è consultabile dalla Regione e dall'assistenza (operatore {who}, {})",
                        self.role.label()
                    )))
                }
            }
            Action::FileRegistration => match self.role {
                Role::Helpdesk => read_only(),
                _ => Ok(()),
            },
            Action::ExportPlan { district_id } => {
                if self.sees_everything() {
                    Ok(())
                } else {
                    self.check(Action::ManagePlan { district_id })
                }
            }
            Action::ReadRankings => {
                let avvisi = self.grants.iter().any(|(_, s)| *s == Service::Notices);
                if self.sees_everything() || self.role == Role::LeadMunicipality || avvisi {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non è abilitato al servizio {}: non può consultare le graduatorie",
                        Service::Notices.label()
                    )))
                }
            }
            Action::ReadWholeNotice { district_id } => {
                if self.sees_everything()
                    || (self.role == Role::LeadMunicipality
                        && self.district_id == Some(district_id))
                {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "tutte le graduatorie di un avviso e le domande escluse sono del capofila dell'ambito, della Regione e dell'assistenza (operatore {who})"
                    )))
                }
            }
            Action::ReadAssignments => {
                let avvisi = self.grants.iter().any(|(_, s)| *s == Service::Notices);
                if self.sees_everything() || self.role == Role::LeadMunicipality || avvisi {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non è abilitato al servizio {}: non può consultare le assegnazioni",
                        Service::Notices.label()
                    )))
                }
            }
            Action::ReadLedger {
                district_id,
                owner_id,
            } => {
                let capofila = self.role == Role::LeadMunicipality
                    && district_id.is_some()
                    && self.district_id == district_id;
                if self.sees_everything() || capofila || self.has_grant(owner_id, Service::Notices)
                {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non può consultare le quote e le assegnazioni di questo ente in questo comune: servono il servizio {} per l'ente, o il ruolo di capofila dell'ambito",
                        Service::Notices.label()
                    )))
                }
            }
            Action::Assign { owner_id } => {
                needs(owner_id, Service::Notices, "assegnare le unità dell'ente")
            }
            Action::ReadRanking {
                district_id,
                owner_id,
            } => {
                if self.reads_whole_notice(district_id)
                    || self.has_grant(owner_id, Service::Notices)
                {
                    Ok(())
                } else {
                    Err(Denied(format!(
                        "l'operatore {who} non può consultare la graduatoria di un ente per cui non è abilitato al servizio {}",
                        Service::Notices.label()
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(role: Role, grants: &[(i64, Service)]) -> OperatorScope {
        OperatorScope {
            username: "u".into(),
            role,
            status: OperatorStatus::Active,
            district_id: (role == Role::LeadMunicipality).then_some(7),
            grants: grants.to_vec(),
        }
    }

    /// Issue 16: the owner's AVVISI operators assign its units; the capofila reads the ledgers
    /// of its district, the Regione and the helpdesk every ledger; nobody else assigns.
    #[test]
    fn assignments_are_the_owners_avvisi_operators_ledgers_are_read_more_widely() {
        let assign = |o: i64| Action::Assign { owner_id: o };
        let read = |d: Option<i64>, o: i64| Action::ReadLedger {
            district_id: d,
            owner_id: o,
        };
        let avvisi = op(Role::OwnerOperator, &[(1, Service::Notices)]);
        assert!(avvisi.check(Action::ReadAssignments).is_ok());
        assert!(avvisi.check(assign(1)).is_ok());
        assert!(avvisi.check(read(Some(7), 1)).is_ok());
        assert!(avvisi.check(assign(2)).is_err());
        assert!(avvisi.check(read(Some(7), 2)).is_err());
        let registry = op(Role::OwnerOperator, &[(1, Service::Registry)]);
        assert!(registry.check(Action::ReadAssignments).is_err());
        assert!(registry.check(assign(1)).is_err());
        assert!(registry.check(read(Some(7), 1)).is_err());
        let capofila = op(Role::LeadMunicipality, &[]);
        assert!(capofila.check(Action::ReadAssignments).is_ok());
        assert!(capofila.check(read(Some(7), 99)).is_ok());
        assert!(capofila.check(read(Some(8), 99)).is_err());
        assert!(capofila.check(read(None, 99)).is_err());
        assert!(capofila.check(assign(99)).is_err());
        for role in [Role::Region, Role::Helpdesk] {
            let r = op(role, &[]);
            assert!(r.check(read(Some(8), 99)).is_ok());
            assert!(r.check(read(None, 99)).is_ok());
            assert!(r.check(assign(99)).is_err());
        }
        let e = op(Role::Helpdesk, &[(1, Service::Notices)])
            .check(assign(1))
            .unwrap_err();
        assert!(e.0.contains("può solo consultare"), "{e}");
    }

    #[test]
    fn owner_operator_acts_only_on_granted_owner_and_service() {
        let o = op(Role::OwnerOperator, &[(1, Service::Registry)]);
        assert!(o.check(Action::EditRegistry { owner_id: 1 }).is_ok());
        assert!(o.check(Action::Certify { owner_id: 1 }).is_ok());
        assert!(o.check(Action::ViewOwner { owner_id: 1 }).is_ok());
        assert!(o.check(Action::EditRegistry { owner_id: 2 }).is_err());
        assert!(o.check(Action::ViewOwner { owner_id: 2 }).is_err());
        assert!(o.check(Action::FileCommunication { owner_id: 1 }).is_err());
        assert!(o.check(Action::ManagePlan { district_id: 7 }).is_err());
        assert!(o.check(Action::ManageOperators).is_err());
    }

    #[test]
    fn plans_are_read_by_planning_operators_capofila_regione_and_helpdesk() {
        let filer = op(Role::OwnerOperator, &[(1, Service::Planning)]);
        assert!(filer.check(Action::ReadPlans).is_ok());
        assert!(filer.check(Action::ManagePlan { district_id: 7 }).is_err());
        let registry_only = op(Role::OwnerOperator, &[(1, Service::Registry)]);
        let e = registry_only.check(Action::ReadPlans).unwrap_err();
        assert!(e.0.contains("PROGRAMMAZIONE"), "{e}");
        assert!(
            op(Role::LeadMunicipality, &[])
                .check(Action::ReadPlans)
                .is_ok()
        );
        assert!(op(Role::Region, &[]).check(Action::ReadPlans).is_ok());
        assert!(op(Role::Helpdesk, &[]).check(Action::ReadPlans).is_ok());
    }

    #[test]
    fn capofila_manages_only_its_district() {
        let c = op(Role::LeadMunicipality, &[(3, Service::Planning)]);
        assert!(c.check(Action::ManagePlan { district_id: 7 }).is_ok());
        assert!(c.check(Action::ManagePlan { district_id: 8 }).is_err());
        assert!(c.check(Action::FileCommunication { owner_id: 3 }).is_ok());
        assert!(c.check(Action::EditRegistry { owner_id: 3 }).is_err());
    }

    #[test]
    fn helpdesk_reads_everything_and_changes_nothing() {
        let h = op(Role::Helpdesk, &[(1, Service::Registry)]);
        assert!(h.check(Action::ViewOwner { owner_id: 99 }).is_ok());
        assert!(h.check(Action::RevealPersonalData).is_ok());
        for a in [
            Action::EditRegistry { owner_id: 1 },
            Action::Certify { owner_id: 1 },
            Action::ManagePlan { district_id: 7 },
            Action::ManageOperators,
            Action::ConfigureRegion,
        ] {
            let err = h.check(a).unwrap_err().to_string();
            assert!(err.contains("può solo consultare"), "{a:?}: {err}");
        }
        assert!(h.is_read_only());
    }

    #[test]
    fn region_configures_but_does_not_edit_owners_registries() {
        let r = op(Role::Region, &[]);
        assert!(r.check(Action::ManageOperators).is_ok());
        assert!(r.check(Action::ConfigureRegion).is_ok());
        assert!(r.check(Action::ViewOwner { owner_id: 5 }).is_ok());
        assert!(r.check(Action::EditRegistry { owner_id: 5 }).is_err());
        assert!(r.check(Action::ManagePlan { district_id: 7 }).is_err());
    }

    #[test]
    fn inactive_operators_do_nothing() {
        for status in [OperatorStatus::Disabled, OperatorStatus::Pending] {
            let mut r = op(Role::Region, &[]);
            r.status = status;
            assert!(r.check(Action::ViewOwner { owner_id: 1 }).is_err());
            assert!(r.check(Action::ManageOperators).is_err());
        }
    }

    #[test]
    fn who_reads_which_ranking() {
        let region = op(Role::Region, &[]);
        let help = op(Role::Helpdesk, &[]);
        let capofila = op(Role::LeadMunicipality, &[]);
        let avvisi = op(Role::OwnerOperator, &[(3, Service::Notices)]);
        let anagrafe = op(Role::OwnerOperator, &[(3, Service::Registry)]);
        for s in [&region, &help, &capofila, &avvisi] {
            assert!(s.may_read_rankings(), "{s:?}");
        }
        assert!(!anagrafe.may_read_rankings());
        assert!(region.may_read_ranking(7, 9) && help.may_read_ranking(7, 9));
        assert!(capofila.may_read_ranking(7, 9));
        assert!(!capofila.may_read_ranking(8, 9), "another district");
        assert!(avvisi.may_read_ranking(8, 3) && !avvisi.may_read_ranking(8, 4));
        assert!(!avvisi.reads_whole_notice(8));
        let mut pending = region.clone();
        pending.status = OperatorStatus::Pending;
        assert!(!pending.may_read_rankings() && !pending.may_read_ranking(7, 9));
    }

    #[test]
    fn plan_files_are_for_the_capofila_regione_and_helpdesk() {
        assert!(
            op(Role::LeadMunicipality, &[])
                .check(Action::ExportPlan { district_id: 7 })
                .is_ok()
        );
        assert!(
            op(Role::LeadMunicipality, &[])
                .check(Action::ExportPlan { district_id: 8 })
                .is_err()
        );
        assert!(
            op(Role::Region, &[])
                .check(Action::ExportPlan { district_id: 8 })
                .is_ok()
        );
        assert!(
            op(Role::Helpdesk, &[])
                .check(Action::ExportPlan { district_id: 8 })
                .is_ok()
        );
        let filer = op(Role::OwnerOperator, &[(1, Service::Planning)]);
        assert!(filer.check(Action::ExportPlan { district_id: 7 }).is_err());
    }

    #[test]
    fn the_audit_is_read_by_the_regione_and_the_helpdesk() {
        assert!(op(Role::Region, &[]).check(Action::ReadAudit).is_ok());
        assert!(op(Role::Helpdesk, &[]).check(Action::ReadAudit).is_ok());
        for r in [Role::LeadMunicipality, Role::OwnerOperator] {
            let e = op(r, &[(1, Service::Registry)])
                .check(Action::ReadAudit)
                .unwrap_err();
            assert!(e.0.contains("audit"), "{e}");
        }
        assert!(
            op(Role::OwnerOperator, &[])
                .check(Action::FileRegistration)
                .is_ok()
        );
        assert!(
            op(Role::Helpdesk, &[])
                .check(Action::FileRegistration)
                .is_err()
        );
    }

    #[test]
    fn parsing_roles_and_services() {
        assert_eq!(Role::parse("capofila"), Ok(Role::LeadMunicipality));
        assert_eq!(Role::parse("ente"), Ok(Role::OwnerOperator));
        assert_eq!(
            Service::parse("banca dati occupanti senza titolo"),
            Ok(Service::Occupations)
        );
        assert!(Role::parse("admin").is_err());
    }
}
