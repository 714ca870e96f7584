//! Screens' state. Each screen says what it is called, what it offers, and how it reacts to
//! actions, typed text and data coming back from the store.

pub mod assignments;
pub mod audit;
pub mod certification;
pub mod communications;
pub mod detail;
pub mod districts;
pub mod form;
pub mod home;
pub mod keys;
pub mod occupations;
pub mod plans;
pub mod rankings;
pub mod registration;
pub mod registrations;
pub mod registry_search;
pub mod search;

use super::field::TextField;
use super::keymap::{Action, Keymap};
use super::{Message, Session};
use crate::domain::unit_filter::{FilterField, FilterText, Sort};
use crate::store::certification::Card;
use crate::store::search::{Cursor, Direction, UnitDetail, UnitRow};
use crossterm::event::KeyEvent;
use std::path::PathBuf;

pub use certification::Certification;
pub use communications::CommunicationsScreen;
pub use detail::Detail;
pub use home::Home;
pub use plans::{PlanCardScreen, PlanList};
pub use registry_search::RegistrySearch;
pub use search::Search;

/// Data requests a screen makes; the store worker answers them off the input thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// A page of the search (and, with `with_count`, its count in the background).
    Search {
        generation: u64,
        input: FilterText,
        sort: Sort,
        cursor: Option<Cursor>,
        direction: Direction,
        limit: usize,
        with_count: bool,
    },
    /// Values for a field's list (F4).
    Lov {
        generation: u64,
        field: FilterField,
        prefix: String,
    },
    Detail {
        generation: u64,
        unit_id: i64,
        reveal: bool,
    },
    Card {
        generation: u64,
        owner_id: i64,
    },
    Certify {
        generation: u64,
        owner_id: i64,
        no_units: bool,
    },
    Export {
        generation: u64,
        input: FilterText,
        only_marked: Option<i32>,
        path: PathBuf,
    },
    Mark {
        generation: u64,
        input: FilterText,
        year: i32,
        undo: bool,
        /// Only these units of the filter (ticked rows); None: the whole filter.
        only: Option<Vec<i64>>,
    },
    /// The plans the operator may read.
    Plans {
        generation: u64,
    },
    PlanCard {
        generation: u64,
        plan_id: i64,
    },
    /// A lifecycle action on a plan; the answer is the reloaded card.
    PlanAct {
        generation: u64,
        plan_id: i64,
        action: crate::domain::plan::PlanAction,
        /// The version of the card on screen: refused if another session changed the plan.
        version: Option<i64>,
    },
    /// Create a plan of the operator's district (state BOZZA); the answer is the reloaded list.
    PlanCreate {
        generation: u64,
        year: i32,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
    /// Write the report or the export of a plan; the answer is the reloaded card with the path.
    PlanFile {
        generation: u64,
        plan_id: i64,
        what: crate::export::plan_export::PlanFile,
        path: PathBuf,
    },
    /// The operator's communications with what their forms need.
    Communications {
        generation: u64,
    },
    /// Save (draft) or file a communication with the version read.
    CommunicationSave {
        generation: u64,
        plan_id: i64,
        owner_id: i64,
        input: Box<crate::domain::communication::FormInput>,
        version: i64,
        draft: bool,
    },
    /// A read or a step of the Assegnazione area.
    Assignments {
        generation: u64,
        query: assignments::Query,
    },
    /// Write the receipt of an owner's transmission in force (xlsx) to `path`.
    CommunicationReceipt {
        generation: u64,
        plan_id: i64,
        owner_id: i64,
        path: PathBuf,
    },
    /// A read of the Graduatorie area.
    Rankings {
        generation: u64,
        query: rankings::Query,
    },
    /// A read or a change of the Banca dati occupanti.
    Occupations {
        generation: u64,
        query: occupations::Query,
    },
    /// Every owner (id, label), for the certification card's picker (Regione, helpdesk).
    Owners {
        generation: u64,
    },
    /// A page of Ricerca fabbricati (with its count when `with_count`).
    Buildings {
        generation: u64,
        typed: crate::domain::registry_search::Typed,
        cursor: Option<crate::store::registry_search::BuildingCursor>,
        direction: Direction,
        limit: usize,
        with_count: bool,
    },
    /// A page of Ricerca inquilini after (or before) the tenant `after`.
    Tenants {
        generation: u64,
        typed: crate::domain::registry_search::Typed,
        after: Option<i64>,
        direction: Direction,
        limit: usize,
        with_count: bool,
    },
    /// Save a unit's values typed in the edit form, with the version read.
    UnitEdit {
        generation: u64,
        unit_id: i64,
        typed: Box<[String; 7]>,
        version: i64,
    },
    /// The plan card's Salva: new window dates, with the version read.
    PlanDates {
        generation: u64,
        plan_id: i64,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
        version: i64,
    },
    /// A change in the Graduatorie area (the capofila's); the answer is the reloaded screen's
    /// data with what the change came to.
    RankingsAct {
        generation: u64,
        act: rankings::Act,
    },
    /// File a SCHEDA UTENTE (a registration-only session) or an extension for oneself.
    RegistrationFile {
        generation: u64,
        form: Box<crate::domain::registration::Form>,
    },
    /// Registration requests (in one status, if given).
    Registrations {
        generation: u64,
        status: Option<crate::domain::registration::Status>,
    },
    /// The Regione's decision on a request read at `version`.
    RegistrationDecide {
        generation: u64,
        id: i64,
        version: i64,
        decision: registrations::Decision,
    },
    Districts {
        generation: u64,
    },
    DistrictCard {
        generation: u64,
        code: String,
    },
    /// A change of a district; the answer is its card.
    DistrictChange {
        generation: u64,
        change: Box<districts::DistrictChange>,
    },
    Keys {
        generation: u64,
    },
    KeyAdd {
        generation: u64,
        username: String,
        key: String,
    },
    KeyRemove {
        generation: u64,
        fingerprint: String,
    },
    /// A page of the audit trail, older than record `before`.
    Audit {
        generation: u64,
        query: audit::AuditQuery,
        before: Option<i64>,
    },
    AuditVerify {
        generation: u64,
    },
}

/// Answers to requests, tagged with the generation that asked.
#[derive(Debug)]
pub enum DataMsg {
    Page {
        generation: u64,
        rows: Vec<UnitRow>,
        at_start: bool,
        at_end: bool,
        direction: Direction,
    },
    Count {
        generation: u64,
        count: i64,
    },
    /// The form holds a value the search refuses: the field and why.
    FilterRefused {
        generation: u64,
        field: FilterField,
        message: String,
    },
    Lov {
        generation: u64,
        items: Vec<(String, String)>,
    },
    Detail {
        generation: u64,
        detail: Box<UnitDetail>,
        /// The operator may edit the unit (ANAGRAFE on its owner, not read-only).
        editable: bool,
    },
    /// An edit of a unit was refused: why, and the field at fault when one is.
    UnitEditRefused {
        generation: u64,
        field: Option<crate::domain::unit_edit::EditField>,
        message: String,
    },
    Card {
        generation: u64,
        card: Box<Card>,
    },
    Certified {
        generation: u64,
        card: Box<Card>,
        message: String,
    },
    ExportProgress {
        generation: u64,
        done: u64,
        total: u64,
    },
    /// A long action finished; `refresh` asks the screen to reload what it shows.
    Done {
        generation: u64,
        message: Message,
        refresh: bool,
    },
    /// Plans with their state as of today (an open window past its end is closed).
    Plans {
        generation: u64,
        plans: Vec<(crate::store::plans::Plan, crate::domain::plan::PlanState)>,
        /// The operator is the capofila of a district: it may create its plans.
        may_create: bool,
        /// The outcome of a creation, for the message line.
        message: Option<Message>,
    },
    /// The plan card, with what an action on it said (if one was done).
    PlanCard {
        generation: u64,
        card: Box<plans::PlanCard>,
        message: Option<Message>,
    },
    Communications {
        generation: u64,
        rows: Vec<communications::CommunicationRow>,
    },
    /// A save was refused because another session saved after this one read: the refusal and
    /// the communication as it is now stored.
    CommunicationStale {
        generation: u64,
        message: String,
        row: Box<communications::CommunicationRow>,
    },
    /// A save went through: what the store answered and the communication reread.
    CommunicationSaved {
        generation: u64,
        saved: Box<crate::store::communications::Saved>,
        row: Box<communications::CommunicationRow>,
    },
    /// An answer of the Assegnazione area.
    Assignments {
        generation: u64,
        data: Box<assignments::Data>,
    },
    /// An answer to a Graduatorie read.
    Rankings {
        generation: u64,
        data: Box<rankings::Data>,
    },
    /// An answer of the Banca dati occupanti.
    Occupations {
        generation: u64,
        data: Box<occupations::Data>,
    },
    /// A request was filed: where it stands now.
    RegistrationFiled {
        generation: u64,
        text: String,
    },
    /// The SCHEDA UTENTE was refused: every bad field.
    RegistrationRefused {
        generation: u64,
        errors: Vec<crate::domain::registration::FieldError>,
    },
    Registrations {
        generation: u64,
        rows: Vec<crate::store::registrations::Request>,
    },
    RegistrationDecided {
        generation: u64,
        message: String,
    },
    Districts {
        generation: u64,
        rows: Vec<crate::store::owners::DistrictRef>,
    },
    DistrictCard {
        generation: u64,
        card: Box<crate::store::districts::DistrictCard>,
        /// What a change did, for the message line.
        message: Option<Message>,
    },
    Keys {
        generation: u64,
        rows: Vec<crate::store::keys::StoredKey>,
        message: Option<Message>,
    },
    Audit {
        generation: u64,
        rows: Vec<crate::store::audit::Record>,
        /// A further page of the same query.
        appended: bool,
    },
    AuditVerified {
        generation: u64,
        message: Message,
    },
    /// A page of Ricerca fabbricati, with the count when asked.
    Buildings {
        generation: u64,
        page: crate::service::registry_search::BuildingPage,
        count: Option<i64>,
    },
    /// A page of Ricerca inquilini, with the count when asked.
    Tenants {
        generation: u64,
        page: crate::service::registry_search::TenantPage,
        count: Option<i64>,
    },
    /// Ricerca fabbricati or inquilini refused a filter: the field and the message.
    RegistryRefused {
        generation: u64,
        field: crate::domain::registry_search::Field,
        message: String,
    },
    Failed {
        generation: u64,
        message: String,
    },
}

/// The Regione's administration (ambiti, chiavi SSH, registration requests, the audit):
/// offered by the permission of each screen, not by an owner's services.
pub fn is_administration_action(action: Action) -> bool {
    matches!(
        action,
        Action::ItemNew
            | Action::ItemEdit
            | Action::ItemRemove
            | Action::Capofila
            | Action::RequestValidate
            | Action::RequestReject
            | Action::AuditVerify
    )
}

/// Actions that change shared data: hidden and refused in read-only sessions.
pub fn is_mutating(action: Action) -> bool {
    matches!(
        action,
        Action::Certify
            | Action::DeclareNoUnits
            | Action::Mark
            | Action::PlanOpen
            | Action::PlanClose
            | Action::PlanApprove
            | Action::PlanCancel
            | Action::PlanReopen
            | Action::PlanNew
            | Action::CommunicationFile
            | Action::CommunicationDraft
            | Action::OccupationNew
            | Action::OccupationSave
            | Action::OccupationClose
            | Action::AssignmentPropose
            | Action::NoticeNew
            | Action::NoticeClose
            | Action::ApplicationsImport
            | Action::RankingsCompute
            | Action::RankingsCorrect
            | Action::RankingsFinalize
            | Action::UnitEdit
            | Action::PlanDates
            | Action::ItemNew
            | Action::ItemEdit
            | Action::ItemRemove
            | Action::Capofila
            | Action::RequestValidate
            | Action::RequestReject
    )
}

/// Actions that write a file on the machine casa runs on: over SSH that is the server, not
/// the operator's computer, so a remote session is told the command that streams it instead.
pub fn writes_server_file(action: Action) -> bool {
    matches!(
        action,
        Action::Export | Action::PlanReport | Action::ApplicationsImport
    )
}

/// What a screen asks of the app after handling something.
#[derive(Debug, Default)]
pub struct ScreenOutcome {
    pub message: Option<Message>,
    pub requests: Vec<Request>,
    pub push: Option<Screen>,
    /// Start (or restart) the typing pause; its end comes back as `Msg::Debounce`.
    pub debounce: bool,
    /// Reload what the screen shows.
    pub refresh: bool,
    /// What the message line said no longer holds: clear it.
    pub clear_message: bool,
}

impl ScreenOutcome {
    pub fn none() -> ScreenOutcome {
        ScreenOutcome::default()
    }

    pub fn message(m: Message) -> ScreenOutcome {
        ScreenOutcome {
            message: Some(m),
            ..ScreenOutcome::default()
        }
    }

    pub fn requests(requests: Vec<Request>) -> ScreenOutcome {
        ScreenOutcome {
            requests,
            ..ScreenOutcome::default()
        }
    }

    pub fn push(screen: Screen) -> ScreenOutcome {
        ScreenOutcome {
            push: Some(screen),
            ..ScreenOutcome::default()
        }
    }
}

#[derive(Debug)]
pub enum Screen {
    Home(Home),
    Search(Box<Search>),
    Detail(Box<Detail>),
    Certification(Box<Certification>),
    Registry(Box<RegistrySearch>),
    PlanList(Box<PlanList>),
    PlanCard(Box<PlanCardScreen>),
    Communications(Box<CommunicationsScreen>),
    Rankings(Box<rankings::Rankings>),
    Occupations(Box<occupations::Occupations>),
    Assignments(Box<assignments::Assignments>),
    Registration(Box<registration::Registration>),
    Registrations(Box<registrations::Registrations>),
    Districts(Box<districts::Districts>),
    Keys(Box<keys::Keys>),
    Audit(Box<audit::Audit>),
}

impl Screen {
    pub fn home(session: &Session) -> Screen {
        Screen::Home(Home::new(session))
    }

    pub fn detail(unit_id: i64) -> Screen {
        Screen::Detail(Box::new(Detail::new(unit_id)))
    }

    /// Called when the screen is pushed: returns its first requests.
    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        match self {
            Screen::Home(_) => Vec::new(),
            Screen::Search(s) => s.opened(generation),
            Screen::Detail(d) => d.opened(generation),
            Screen::Certification(c) => c.opened(generation),
            Screen::Registry(b) => b.opened(generation),
            Screen::PlanList(p) => p.opened(generation),
            Screen::PlanCard(p) => p.opened(generation),
            Screen::Communications(c) => c.opened(generation),
            Screen::Rankings(r) => r.opened(generation),
            Screen::Occupations(o) => o.opened(generation),
            Screen::Assignments(a) => a.opened(generation),
            Screen::Registration(_) => Vec::new(),
            Screen::Registrations(r) => r.opened(generation),
            Screen::Districts(d) => d.opened(generation),
            Screen::Keys(k) => k.opened(generation),
            Screen::Audit(a) => a.opened(generation),
        }
    }

    /// Shown again after the screen above it was closed: lists whose rows that screen may
    /// have changed (a plan approved on its card) read them again.
    pub fn on_return(&mut self, generation: u64) -> Vec<Request> {
        match self {
            Screen::PlanList(p) if p.new_plan.is_none() => p.opened(generation),
            Screen::Communications(c) if !c.in_form() => c.opened(generation),
            _ => Vec::new(),
        }
    }

    pub fn title(&self) -> String {
        match self {
            Screen::Home(_) => "Menu".into(),
            Screen::Search(_) => "Ricerca alloggi".into(),
            Screen::Detail(d) => format!("Alloggio {}", d.unit_id),
            Screen::Certification(_) => "Scheda certificazione".into(),
            Screen::Registry(r) => r.kind.title().into(),
            Screen::PlanList(_) => "Programmazione".into(),
            Screen::PlanCard(p) => format!("Piano {}", p.plan_id),
            Screen::Communications(c) if c.in_form() => "Schema comunicazione annuale".into(),
            Screen::Communications(_) => "Comunicazione annuale".into(),
            Screen::Rankings(r) => r.title(),
            Screen::Occupations(o) => o.title(),
            Screen::Assignments(a) => a.title(),
            Screen::Registration(r) => match r.applying {
                registration::Applying::NewOperator { .. } => "Richiesta di registrazione".into(),
                registration::Applying::Extension => "Richiesta di abilitazione".into(),
            },
            Screen::Registrations(r) if r.open => match r.current() {
                Some(x) => format!("Richiesta {}", x.id),
                None => "Richieste di registrazione".into(),
            },
            Screen::Registrations(_) => "Richieste di registrazione".into(),
            Screen::Districts(d) => match &d.card {
                Some(c) => format!("Ambito {}", c.district.code),
                None => "Ambiti territoriali".into(),
            },
            Screen::Keys(_) => "Chiavi SSH".into(),
            Screen::Audit(a) => match (a.open, a.current()) {
                (Some(_), Some(r)) => format!("Record {}", r.id),
                _ => "Registro operazioni".into(),
            },
        }
    }

    /// The instruction line, naming the keys of `keys` (the active keymap).
    pub fn instruction(&self, keys: &Keymap) -> String {
        use Action::*;
        let k = |a| keys.key(a);
        let updown = keys.pair(Up, Down);
        match self {
            Screen::Home(_) => format!("Scegliere un'area con {updown} e {}", k(Select)),
            Screen::Search(s) => s.instruction(keys),
            Screen::Detail(d) if d.detail.as_ref().is_some_and(|x| x.personal_data_masked) => {
                format!(
                    "Dati personali oscurati: {} li mostra (l'accesso è registrato); {updown} scorre",
                    k(Reveal)
                )
            }
            Screen::Detail(_) => format!(
                "Tutti i dati dell'alloggio; {updown} {} {} scorrono, {} torna ai risultati",
                k(PageUp),
                k(PageDown),
                keys.plain(Back)
            ),
            Screen::Certification(c) if c.picker.is_some() => format!(
                "Scrivere parte di nome, codice fiscale o ISTAT; {updown} e {} scelgono l'ente",
                k(Select)
            ),
            Screen::Certification(c) if c.any_owner => format!(
                "Totali dell'anagrafe dell'ente: {} sceglie un altro ente",
                k(ListOfValues)
            ),
            Screen::Certification(_) => format!(
                "Totali dell'anagrafe dell'ente: {} certifica che sono aggiornati",
                k(Certify)
            ),
            Screen::Registry(b) => b.instruction(keys),
            Screen::PlanList(p) if p.new_plan.is_some() => format!(
                "Nuovo piano: {} passa al campo successivo, {} crea, {} annulla",
                k(NextField),
                k(Select),
                keys.plain(Back)
            ),
            Screen::PlanList(_) => format!(
                "Piani annuali dell'ambito: {updown} sceglie, {} apre la scheda",
                k(Select)
            ),
            Screen::PlanCard(p) if p.save_as.is_some() => format!(
                "Dove salvare il file: {} scrive, {} annulla",
                k(Select),
                keys.plain(Back)
            ),
            Screen::PlanCard(p) if p.dates.is_some() => format!(
                "Date della finestra: {} passa al campo successivo, {} salva, {} annulla",
                k(NextField),
                k(Select),
                keys.plain(Back)
            ),
            Screen::PlanCard(p) if p.reopen.is_some() => format!(
                "Nuova data di fine comunicazione: {} riapre la finestra, {} annulla",
                k(Select),
                keys.plain(Back)
            ),
            Screen::PlanCard(p) if p.card.as_ref().is_some_and(|c| !c.allowed.is_empty()) => {
                format!(
                    "Piano e stato degli enti: {updown} scorre; i tasti in basso cambiano lo stato"
                )
            }
            Screen::PlanCard(_) => format!("Scheda del piano e stato degli enti: {updown} scorre"),
            Screen::Communications(c) if c.in_form() => format!(
                "{}/{updown} cambia campo; {} trasmette, {} salva la bozza",
                k(NextField),
                k(CommunicationFile),
                k(CommunicationDraft)
            ),
            Screen::Communications(_) => format!(
                "Comunicazioni dell'ente per piano: {} apre lo schema",
                k(Select)
            ),
            Screen::Rankings(r) => r.instruction(keys),
            Screen::Occupations(o) => o.instruction(keys),
            Screen::Assignments(a) => a.instruction(keys),
            Screen::Registration(r) if r.done.is_some() => {
                format!("{} per uscire", keys.plain(Exit))
            }
            // On a service's box (no text field focused) the tick key is a key, not typing.
            Screen::Registration(r) if !r.form.in_text() => format!(
                "{}/{updown} cambia campo, {} spunta il servizio, {} invia, {} esce",
                k(NextField),
                k(Toggle),
                k(Select),
                k(Exit)
            ),
            Screen::Registration(_) => format!(
                "{}/{updown} cambia campo, {} invia la richiesta, {} esce",
                k(NextField),
                k(Select),
                k(Exit)
            ),
            Screen::Registrations(_) | Screen::Districts(_) | Screen::Keys(_)
                if self.form_open() =>
            {
                format!(
                    "{}/{updown} cambia campo, {} conferma, {} annulla",
                    k(NextField),
                    k(Select),
                    keys.plain(Back)
                )
            }
            Screen::Registrations(r) if r.open => format!(
                "Scheda utente richiesta; {updown} scorre le richieste, {} torna all'elenco",
                keys.plain(Back)
            ),
            Screen::Registrations(_) => format!(
                "Richieste {}; {} apre, {} mostra anche quelle esaminate",
                "di registrazione",
                k(Select),
                k(Toggle)
            ),
            Screen::Districts(d) if d.card.is_some() => format!(
                "Comuni e atti di nomina del capofila; {updown} scorre, {} torna agli ambiti",
                keys.plain(Back)
            ),
            Screen::Districts(_) => format!("Ambiti e capofila; {} apre la scheda", k(Select)),
            Screen::Keys(_) => format!("Chiavi SSH degli operatori; {updown} sceglie"),
            Screen::Audit(a) if a.editing => format!(
                "Filtri del registro: {} cerca, {} torna all'elenco",
                k(Select),
                keys.plain(Back)
            ),
            Screen::Audit(a) if a.open.is_some() => format!(
                "Dati prima e dopo l'operazione; {updown} scorre, {} torna all'elenco",
                keys.plain(Back)
            ),
            Screen::Audit(_) => format!(
                "Operazioni dalla più recente; {} filtri, {} dettaglio, {} verifica la catena",
                k(Filter),
                k(Select),
                k(AuditVerify)
            ),
        }
    }

    /// Whether one of the administration screens shows a form.
    fn form_open(&self) -> bool {
        match self {
            Screen::Registration(r) => r.done.is_none(),
            Screen::Registrations(r) => r.reason.is_some(),
            Screen::Districts(d) => d.form.is_some(),
            Screen::Keys(k) => k.form.is_some(),
            _ => false,
        }
    }

    /// Screen-specific actions, in legend order.
    pub fn actions(&self) -> Vec<Action> {
        match self {
            Screen::Home(_) => vec![Action::Up, Action::Down, Action::Select],
            Screen::Search(s) => s.actions(),
            Screen::Detail(d) => d.actions(),
            Screen::Certification(c) => c.actions(),
            Screen::Registry(b) => b.actions(),
            Screen::PlanList(p) => p.actions(),
            Screen::PlanCard(p) => p.actions(),
            Screen::Communications(c) => c.actions(),
            Screen::Rankings(r) => r.actions(),
            Screen::Occupations(o) => o.actions(),
            Screen::Assignments(a) => a.actions(),
            Screen::Registration(r) => r.actions(),
            Screen::Registrations(r) => r.actions(),
            Screen::Districts(d) => d.actions(),
            Screen::Keys(k) => k.actions(),
            Screen::Audit(a) => a.actions(),
        }
    }

    /// Whether a text field has the focus (plain keys are typed, not actions).
    pub fn in_text(&self) -> bool {
        match self {
            Screen::Search(s) => s.in_text(),
            Screen::PlanCard(p) => p.reopen.is_some() || p.dates.is_some() || p.save_as.is_some(),
            Screen::PlanList(p) => p.new_plan.is_some(),
            Screen::Communications(c) => c.in_form(),
            Screen::Rankings(r) => r.in_text(),
            Screen::Occupations(o) => o.in_text(),
            Screen::Assignments(a) => a.in_text(),
            Screen::Detail(d) => d.form.is_some(),
            Screen::Certification(c) => c.picker.is_some(),
            Screen::Registration(r) => r.in_text(),
            Screen::Registrations(r) => r.in_text(),
            Screen::Districts(d) => d.in_text(),
            Screen::Keys(k) => k.in_text(),
            Screen::Audit(a) => a.in_text(),
            Screen::Registry(b) => b.in_text(),
            _ => false,
        }
    }

    /// Whether the screen holds typed values not yet saved: leaving it asks first.
    pub fn unsaved(&self) -> bool {
        match self {
            Screen::Communications(c) => c.unsaved(),
            Screen::PlanList(p) => p.unsaved(),
            _ => false,
        }
    }

    /// Whether Back (Esc/F12) is handled by the screen itself (e.g. leaving a field).
    pub fn consumes_back(&self) -> bool {
        match self {
            Screen::Search(s) => s.consumes_back(),
            Screen::PlanCard(p) => p.reopen.is_some() || p.dates.is_some() || p.save_as.is_some(),
            Screen::PlanList(p) => p.new_plan.is_some(),
            Screen::Communications(c) => c.in_form(),
            Screen::Rankings(r) => r.consumes_back(),
            Screen::Occupations(o) => o.consumes_back(),
            Screen::Assignments(a) => a.consumes_back(),
            Screen::Detail(d) => d.form.is_some(),
            Screen::Certification(c) => c.picker.is_some(),
            Screen::Registrations(r) => r.consumes_back(),
            Screen::Districts(d) => d.consumes_back(),
            Screen::Keys(k) => k.consumes_back(),
            Screen::Audit(a) => a.consumes_back(),
            Screen::Registry(b) => b.in_text(),
            _ => false,
        }
    }

    pub fn on_action(
        &mut self,
        action: Action,
        session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        match self {
            Screen::Home(h) => h.on_action(action, session),
            Screen::Search(s) => s.on_action(action, generation),
            Screen::Detail(d) => d.on_action(action, session, generation),
            Screen::Certification(c) => c.on_action(action, session, generation),
            Screen::Registry(b) => b.on_action(action, session, generation),
            Screen::PlanList(p) => p.on_action(action, generation),
            Screen::PlanCard(p) => p.on_action(action, session, generation),
            Screen::Communications(c) => c.on_action(action, generation),
            Screen::Rankings(r) => r.on_action(action, session, generation),
            Screen::Occupations(o) => o.on_action(action, session, generation),
            Screen::Assignments(a) => a.on_action(action, session, generation),
            Screen::Registration(r) => r.on_action(action, generation),
            Screen::Registrations(r) => r.on_action(action, generation),
            Screen::Districts(d) => d.on_action(action, generation),
            Screen::Keys(k) => k.on_action(action, generation),
            Screen::Audit(a) => a.on_action(action, generation),
        }
    }

    /// The text field with the focus, if any: where typed keys and pasted text go.
    fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self {
            Screen::Search(s) => s.focused_text_mut(),
            Screen::PlanCard(p) => match (&mut p.dates, &mut p.save_as) {
                (Some(f), _) | (None, Some((_, f))) => Some(f.focused_mut()),
                (None, None) => p.reopen.as_mut(),
            },
            Screen::PlanList(p) => p.focused_text_mut(),
            Screen::Communications(c) => c.focused_text_mut(),
            Screen::Rankings(r) => r.focused_text_mut(),
            Screen::Occupations(o) => o.focused_text_mut(),
            Screen::Assignments(a) => a.focused_text_mut(),
            Screen::Detail(d) => d.form.as_mut().map(|f| f.focused_mut()),
            Screen::Certification(c) => c.focused_text_mut(),
            Screen::Registration(r) if r.done.is_none() => r.form.focused_text_mut(),
            Screen::Registrations(r) => r.focused_text_mut(),
            Screen::Districts(d) => d.focused_text_mut(),
            Screen::Keys(k) => k.focused_text_mut(),
            Screen::Audit(a) => a.focused_text_mut(),
            Screen::Registry(b) => b.focused_text_mut(),
            _ => None,
        }
    }

    /// A field's value changed.
    fn edited(&mut self) -> ScreenOutcome {
        match self {
            Screen::Search(s) => s.edited(),
            Screen::Occupations(o) => o.edited(),
            _ => ScreenOutcome::none(),
        }
    }

    /// A typed character or an editing key, for the focused field.
    pub fn on_text_key(&mut self, ev: &KeyEvent) -> ScreenOutcome {
        if let crossterm::event::KeyCode::Char(c) = ev.code
            && ev.modifiers.is_empty()
            && let Some(why) = self.focused_text_mut().and_then(|f| f.refuses(c))
        {
            return ScreenOutcome::message(Message::Warning(why));
        }
        let changed = self.focused_text_mut().is_some_and(|f| f.edit(ev));
        if changed {
            self.edited()
        } else {
            ScreenOutcome::none()
        }
    }

    /// Pasted text, for the focused field: inserted as text, never read as keys.
    pub fn on_paste(&mut self, text: &str) -> ScreenOutcome {
        let Some(f) = self.focused_text_mut() else {
            return ScreenOutcome::message(Message::Warning(
                "Testo incollato ignorato: nessun campo di testo ha il cursore".into(),
            ));
        };
        let pasted = f.paste(text);
        let mut out = if pasted.changed {
            self.edited()
        } else {
            ScreenOutcome::none()
        };
        out.message = pasted.note;
        out
    }

    pub fn on_debounce(&mut self, generation: u64) -> ScreenOutcome {
        match self {
            Screen::Search(s) => s.on_debounce(generation),
            Screen::Occupations(o) => o.on_debounce(generation),
            _ => ScreenOutcome::none(),
        }
    }

    /// The terminal changed size: screens whose page size depends on it refetch.
    pub fn on_resize(&mut self, width: u16, height: u16, generation: u64) -> Vec<Request> {
        match self {
            Screen::Search(s) => s.resize(super::layout::table_rows(width, height), generation),
            Screen::Registry(b) => b.resize(super::layout::table_rows(width, height), generation),
            Screen::Rankings(r) => r.on_resize(width, height, generation),
            Screen::Occupations(o) => o.on_resize(width, height, generation),
            Screen::Assignments(a) => a.on_resize(width, height, generation),
            _ => Vec::new(),
        }
    }

    /// An answer came back; `keys` names keys in what the screen says about it.
    pub fn on_data(&mut self, data: DataMsg, keys: &Keymap) -> ScreenOutcome {
        match self {
            Screen::Home(_) => ScreenOutcome::none(),
            Screen::Search(s) => s.on_data(data, keys),
            Screen::Detail(d) => d.on_data(data),
            Screen::Certification(c) => c.on_data(data),
            Screen::Registry(b) => b.on_data(data),
            Screen::PlanList(p) => p.on_data(data),
            Screen::PlanCard(p) => p.on_data(data),
            Screen::Communications(c) => c.on_data(data, keys),
            Screen::Rankings(r) => r.on_data(data),
            Screen::Occupations(o) => o.on_data(data),
            Screen::Assignments(a) => a.on_data(data),
            Screen::Registration(r) => r.on_data(data),
            Screen::Registrations(r) => r.on_data(data),
            Screen::Districts(d) => d.on_data(data),
            Screen::Keys(k) => k.on_data(data),
            Screen::Audit(a) => a.on_data(data),
        }
    }
}

/// Opens a screen chosen in the home menu.
pub fn open_target(target: home::Target, session: &Session) -> ScreenOutcome {
    match target {
        home::Target::UnitSearch => ScreenOutcome::push(Screen::Search(Box::new(Search::new(
            super::layout::table_rows(session.size.0, session.size.1),
            session.plan_year,
        )))),
        home::Target::Certification if session.scope.sees_everything() => {
            ScreenOutcome::push(Screen::Certification(Box::new(
                Certification::for_any_owner(session.owners.clone()),
            )))
        }
        home::Target::Certification => ScreenOutcome::push(Screen::Certification(Box::new(
            Certification::new(session.owners.clone()),
        ))),
        home::Target::Buildings | home::Target::Tenants => {
            let kind = match target {
                home::Target::Buildings => crate::domain::registry_search::Kind::Buildings,
                _ => crate::domain::registry_search::Kind::Tenants,
            };
            ScreenOutcome::push(Screen::Registry(Box::new(RegistrySearch::new(
                kind,
                super::layout::table_rows(session.size.0, session.size.1),
            ))))
        }
        home::Target::Plans => ScreenOutcome::push(Screen::PlanList(Box::default())),
        home::Target::Communications => ScreenOutcome::push(Screen::Communications(Box::default())),
        home::Target::Rankings => {
            ScreenOutcome::push(Screen::Rankings(Box::new(rankings::Rankings::notices())))
        }
        home::Target::Occupations => ScreenOutcome::push(Screen::Occupations(Box::new(
            occupations::Occupations::search(session),
        ))),
        // The ledgers of the calendar year under way: the year before the plan being
        // prepared.
        home::Target::Assignments => ScreenOutcome::push(Screen::Assignments(Box::new(
            assignments::Assignments::ledgers(session.plan_year - 1),
        ))),
        home::Target::Districts => ScreenOutcome::push(Screen::Districts(Box::new(
            districts::Districts::new(session),
        ))),
        home::Target::Registrations => ScreenOutcome::push(Screen::Registrations(Box::new(
            registrations::Registrations::new(session),
        ))),
        home::Target::Keys => ScreenOutcome::push(Screen::Keys(Box::new(keys::Keys::new(session)))),
        home::Target::Audit => ScreenOutcome::push(Screen::Audit(Box::default())),
        home::Target::Extension => ScreenOutcome::push(Screen::Registration(Box::new(
            registration::Registration::new(registration::Applying::Extension),
        ))),
    }
}
