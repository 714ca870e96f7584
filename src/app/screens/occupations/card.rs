//! SCHEDA OCCUPAZIONE: every field of the feed as a form, coded fields with their lists of
//! values (F4) and labels; Salva (new record or change, with the version read), Chiudi
//! occupazione (a dialog asked to confirm), and the helpdesk's audited reveal. What was typed
//! stays in the form whatever the answer: a refused save puts the cursor on the first field it
//! names.

use super::{Data, Query};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::screens::ScreenOutcome;
use crate::app::{Message, Session};
use crate::domain::occupation::codes::{CodeList, CodeLists};
use crate::domain::occupation::filter::parse_day;
use crate::domain::occupation::{Act, Member, Occupation, Problem};
use crate::domain::registry::{UnitState, parse_flag};
use crate::store::occupations::{Closing, Stored};
use chrono::NaiveDate;

/// What a field holds, for parsing and its list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Code(CodeList),
    /// SI, NO or nothing.
    Flag,
    Sex,
    /// A household member: "CF;COGNOME;NOME;GG/MM/AAAA;PARENTELA".
    Member(usize),
}

/// A field of the card: the feed's attribute it is, its label, its length, its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardField {
    pub attribute: &'static str,
    pub label: &'static str,
    pub max: usize,
    pub kind: Kind,
}

const fn f(attribute: &'static str, label: &'static str, max: usize, kind: Kind) -> CardField {
    CardField {
        attribute,
        label,
        max,
        kind,
    }
}

/// Household members the card holds.
pub const MEMBERS: usize = 6;

/// The card's fields, in Tab order.
pub const CARD_FIELDS: [CardField; 45] = [
    f("cfEnteProprietario", "Ente proprietario", 100, Kind::Text),
    f("cdOccupazione", "Codice occupazione", 100, Kind::Text),
    f("cdAlloggio", "Cod. U.I. alloggio", 100, Kind::Text),
    f(
        "siglaProvinciaAlloggio",
        "Provincia alloggio",
        2,
        Kind::Text,
    ),
    f("cdCatastaleAlloggio", "Cod. catast. comune", 4, Kind::Text),
    f(
        "prefissoIndirizzo",
        "Prefisso indirizzo",
        40,
        Kind::Code(CodeList::AddressPrefix),
    ),
    f("denominazioneIndirizzo", "Indirizzo", 100, Kind::Text),
    f("numCivico", "Numero civico", 100, Kind::Text),
    f("cf", "Codice fiscale", 16, Kind::Text),
    f("cognome", "Cognome", 100, Kind::Text),
    f("nome", "Nome", 100, Kind::Text),
    f("dtNascita", "Data di nascita", 10, Kind::Date),
    f("flgSesso", "Sesso", 1, Kind::Sex),
    f(
        "cdCatastaleComuneNascita",
        "Comune di nascita",
        4,
        Kind::Text,
    ),
    f("siglaProvinciaNascita", "Prov. di nascita", 2, Kind::Text),
    f(
        "cdCatastaleNazioneNascita",
        "Nazione di nascita",
        4,
        Kind::Text,
    ),
    f("cdCittadinanza", "Cittadinanza", 4, Kind::Text),
    f("dtInizioOccupazione", "Inizio occupazione", 10, Kind::Date),
    f(
        "idTipoOccupazione",
        "Tipo occupazione",
        100,
        Kind::Code(CodeList::OccupationType),
    ),
    f("tipoAttoRilevazione", "Atto rilevazione", 100, Kind::Text),
    f(
        "identificativoAttoRilevazione",
        "Rilevazione: num.",
        100,
        Kind::Text,
    ),
    f("dtAttoRilevazione", "Rilevazione: data", 10, Kind::Date),
    f(
        "idTipoAttoLegittimante",
        "Atto legittimante",
        40,
        Kind::Code(CodeList::LegitimatingAct),
    ),
    f(
        "identificativoAttoLegittimante",
        "Legittimante: num.",
        100,
        Kind::Text,
    ),
    f("dtAttoLegittimante", "Legittimante: data", 10, Kind::Date),
    f(
        "identificativoAttoRilascio",
        "Rilascio: num.",
        100,
        Kind::Text,
    ),
    f(
        "protocolloAttoRilascio",
        "Rilascio: protoc.",
        100,
        Kind::Text,
    ),
    f("dtAttoRilascio", "Rilascio: data", 10, Kind::Date),
    f(
        "idTipoPresenzaDebito",
        "Presenza di debito",
        40,
        Kind::Code(CodeList::DebtPresence),
    ),
    f(
        "flgTipoDebitoDanneggiamento",
        "Debito: danni",
        2,
        Kind::Flag,
    ),
    f("flgTipoDebitoMancato", "Debito: indennità", 2, Kind::Flag),
    f("flgTipoDebitoCosti", "Debito: sgombero", 2, Kind::Flag),
    f("flgTipoDebitoAltro", "Debito: altro", 2, Kind::Flag),
    f("flgEstinzioneDebito", "Debito estinto", 2, Kind::Flag),
    f("dtEstinzioneDebito", "Estinzione: data", 10, Kind::Date),
    f("dtCessazioneOccupazione", "Cessazione", 10, Kind::Date),
    f(
        "identificativoProvvedimentoCessazione",
        "Provv.: num.",
        100,
        Kind::Text,
    ),
    f(
        "protocolloProvvedimentoCessazione",
        "Provv.: protocollo",
        100,
        Kind::Text,
    ),
    f("dtProvvedimentoCessazione", "Provv.: data", 10, Kind::Date),
    f("componenti[1]", "Componente 1", 200, Kind::Member(0)),
    f("componenti[2]", "Componente 2", 200, Kind::Member(1)),
    f("componenti[3]", "Componente 3", 200, Kind::Member(2)),
    f("componenti[4]", "Componente 4", 200, Kind::Member(3)),
    f("componenti[5]", "Componente 5", 200, Kind::Member(4)),
    f("componenti[6]", "Componente 6", 200, Kind::Member(5)),
];

/// The fields that only Chiudi occupazione sets on an open occupation.
fn closing_only(attribute: &str) -> bool {
    matches!(
        attribute,
        "dtCessazioneOccupazione"
            | "identificativoProvvedimentoCessazione"
            | "protocolloProvvedimentoCessazione"
            | "dtProvvedimentoCessazione"
    )
}

/// Which field a problem's attribute is about (members: `componenti[N].x` → member N).
pub fn field_of(attribute: &str) -> Option<usize> {
    if let Some(rest) = attribute.strip_prefix("componenti[")
        && let Some(n) = rest.split(']').next().and_then(|n| n.parse::<usize>().ok())
    {
        return CARD_FIELDS
            .iter()
            .position(|f| f.kind == Kind::Member(n.saturating_sub(1)));
    }
    CARD_FIELDS.iter().position(|f| f.attribute == attribute)
}

/// The form's values.
#[derive(Debug, Clone)]
pub struct CardForm {
    pub fields: Vec<TextField>,
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn flag_text(v: Option<bool>) -> String {
    match v {
        Some(true) => "SI".into(),
        Some(false) => "NO".into(),
        None => String::new(),
    }
}

fn code_text(codes: Option<&CodeLists>, list: CodeList, code: Option<i64>) -> String {
    match (code, codes) {
        (None, _) => String::new(),
        (Some(c), Some(codes)) => codes.describe(list, c),
        (Some(c), None) => c.to_string(),
    }
}

impl CardForm {
    fn empty() -> CardForm {
        CardForm {
            fields: CARD_FIELDS.iter().map(|f| TextField::new(f.max)).collect(),
        }
    }

    /// The form showing `o`.
    pub fn of(o: &Occupation, owner: &str, codes: Option<&CodeLists>) -> CardForm {
        let mut form = CardForm::empty();
        let p = &o.occupant;
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        for (i, field) in CARD_FIELDS.iter().enumerate() {
            let value = match field.attribute {
                "cfEnteProprietario" => owner.to_string(),
                "cdOccupazione" => o.code.clone(),
                "cdAlloggio" => o.unit.code.clone(),
                "siglaProvinciaAlloggio" => o.unit.province.clone(),
                "cdCatastaleAlloggio" => o.unit.cadastral.clone(),
                "prefissoIndirizzo" => {
                    code_text(codes, CodeList::AddressPrefix, Some(o.unit.prefix))
                }
                "denominazioneIndirizzo" => o.unit.street.clone(),
                "numCivico" => o.unit.number.clone(),
                "cf" => t(&p.tax_code),
                "cognome" => p.surname.clone(),
                "nome" => p.name.clone(),
                "dtNascita" => date_text(p.birth_date),
                "flgSesso" => t(&p.sex),
                "cdCatastaleComuneNascita" => t(&p.birth_comune),
                "siglaProvinciaNascita" => t(&p.birth_province),
                "cdCatastaleNazioneNascita" => t(&p.birth_nation),
                "cdCittadinanza" => t(&p.citizenship),
                "dtInizioOccupazione" => date_text(o.started_on),
                "idTipoOccupazione" => code_text(codes, CodeList::OccupationType, Some(o.kind)),
                "tipoAttoRilevazione" => o.detect_type.clone(),
                "identificativoAttoRilevazione" => o.detect_id.clone(),
                "dtAttoRilevazione" => date_text(o.detect_on),
                "idTipoAttoLegittimante" => {
                    code_text(codes, CodeList::LegitimatingAct, o.legit_type)
                }
                "identificativoAttoLegittimante" => t(&o.legit.id),
                "dtAttoLegittimante" => date_text(o.legit.date),
                "identificativoAttoRilascio" => t(&o.release.id),
                "protocolloAttoRilascio" => t(&o.release.protocol),
                "dtAttoRilascio" => date_text(o.release.date),
                "idTipoPresenzaDebito" => {
                    code_text(codes, CodeList::DebtPresence, Some(o.debt.presence))
                }
                "flgTipoDebitoDanneggiamento" => flag_text(o.debt.types[0]),
                "flgTipoDebitoMancato" => flag_text(o.debt.types[1]),
                "flgTipoDebitoCosti" => flag_text(o.debt.types[2]),
                "flgTipoDebitoAltro" => flag_text(o.debt.types[3]),
                "flgEstinzioneDebito" => flag_text(o.debt.extinct),
                "dtEstinzioneDebito" => date_text(o.debt.extinct_on),
                "dtCessazioneOccupazione" => date_text(o.ended_on),
                "identificativoProvvedimentoCessazione" => t(&o.end.id),
                "protocolloProvvedimentoCessazione" => t(&o.end.protocol),
                "dtProvvedimentoCessazione" => date_text(o.end.date),
                _ => match field.kind {
                    Kind::Member(n) => o
                        .members
                        .get(n)
                        .map(|m| {
                            format!(
                                "{};{};{};{};{}",
                                m.tax_code,
                                m.surname,
                                m.name,
                                date_text(m.birth_date),
                                m.relationship
                            )
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                },
            };
            form.fields[i].set(&value);
            // Shown from its start (a long label stays readable when the field is left).
            form.fields[i].edit(&crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Home,
                crossterm::event::KeyModifiers::NONE,
            ));
        }
        form
    }

    fn value(&self, attribute: &str) -> &str {
        field_of(attribute).map_or("", |i| self.fields[i].value().trim())
    }

    /// The record the form says, on top of `base` (what the store holds: the members beyond
    /// the form's, the owner's codice fiscale); the first field that cannot be read, with why.
    pub fn record(
        &self,
        base: &Occupation,
        codes: &CodeLists,
    ) -> Result<Occupation, (usize, String)> {
        let at = |a: &str| field_of(a).unwrap_or(0);
        let opt = |a: &str| Some(self.value(a).to_string()).filter(|v| !v.is_empty());
        let date = |a: &str| -> Result<Option<NaiveDate>, (usize, String)> {
            match opt(a) {
                None => Ok(None),
                Some(v) => parse_day(&v).map(Some).map_err(|e| (at(a), e)),
            }
        };
        let code = |a: &str, list: CodeList| -> Result<Option<i64>, (usize, String)> {
            match opt(a) {
                None => Ok(None),
                Some(v) => {
                    // "1 Occupazione con violenza…": the code in front is enough.
                    let head = v.split_whitespace().next().unwrap_or("");
                    let text = if head.parse::<i64>().is_ok() {
                        head
                    } else {
                        v.as_str()
                    };
                    codes.parse(list, text).map(Some).map_err(|e| (at(a), e))
                }
            }
        };
        let flag = |a: &str| parse_flag(self.value(a)).map_err(|e| (at(a), e));
        let mut o = base.clone();
        o.owner_tax_code = self.value("cfEnteProprietario").to_string();
        o.code = self.value("cdOccupazione").to_string();
        o.unit.code = self.value("cdAlloggio").to_string();
        o.unit.province = self.value("siglaProvinciaAlloggio").to_uppercase();
        o.unit.cadastral = self.value("cdCatastaleAlloggio").to_uppercase();
        o.unit.prefix = code("prefissoIndirizzo", CodeList::AddressPrefix)?.ok_or((
            at("prefissoIndirizzo"),
            "prefisso mancante (F4: elenco)".into(),
        ))?;
        o.unit.street = self.value("denominazioneIndirizzo").to_string();
        o.unit.number = self.value("numCivico").to_string();
        let p = &mut o.occupant;
        p.tax_code = opt("cf").map(|c| crate::domain::codice_fiscale::normalize(&c));
        p.surname = self.value("cognome").to_string();
        p.name = self.value("nome").to_string();
        p.birth_date = date("dtNascita")?;
        p.sex = opt("flgSesso").map(|s| s.to_uppercase());
        p.birth_comune = opt("cdCatastaleComuneNascita").map(|s| s.to_uppercase());
        p.birth_province = opt("siglaProvinciaNascita").map(|s| s.to_uppercase());
        p.birth_nation = opt("cdCatastaleNazioneNascita").map(|s| s.to_uppercase());
        p.citizenship = opt("cdCittadinanza").map(|s| s.to_uppercase());
        o.started_on = date("dtInizioOccupazione")?;
        o.kind = code("idTipoOccupazione", CodeList::OccupationType)?
            .ok_or((at("idTipoOccupazione"), "tipo mancante (F4: elenco)".into()))?;
        o.detect_type = self.value("tipoAttoRilevazione").to_string();
        o.detect_id = self.value("identificativoAttoRilevazione").to_string();
        o.detect_on = date("dtAttoRilevazione")?;
        o.legit_type = code("idTipoAttoLegittimante", CodeList::LegitimatingAct)?;
        o.legit = Act {
            id: opt("identificativoAttoLegittimante"),
            protocol: None,
            date: date("dtAttoLegittimante")?,
        };
        o.release = Act {
            id: opt("identificativoAttoRilascio"),
            protocol: opt("protocolloAttoRilascio"),
            date: date("dtAttoRilascio")?,
        };
        o.debt.presence = code("idTipoPresenzaDebito", CodeList::DebtPresence)?.ok_or((
            at("idTipoPresenzaDebito"),
            "presenza di debito mancante (F4: elenco)".into(),
        ))?;
        o.debt.types = [
            flag("flgTipoDebitoDanneggiamento")?,
            flag("flgTipoDebitoMancato")?,
            flag("flgTipoDebitoCosti")?,
            flag("flgTipoDebitoAltro")?,
        ];
        o.debt.extinct = flag("flgEstinzioneDebito")?;
        o.debt.extinct_on = date("dtEstinzioneDebito")?;
        if !base.is_open() {
            o.ended_on = date("dtCessazioneOccupazione")?;
            o.end = Act {
                id: opt("identificativoProvvedimentoCessazione"),
                protocol: opt("protocolloProvvedimentoCessazione"),
                date: date("dtProvvedimentoCessazione")?,
            };
        }
        // The form's members replace the first ones; those beyond it stay.
        let mut members: Vec<Member> = Vec::new();
        for n in 0..MEMBERS {
            let a = format!("componenti[{}]", n + 1);
            let Some(v) = opt(&a) else { continue };
            let parts: Vec<&str> = v.split(';').map(str::trim).collect();
            if parts.len() != 5 {
                return Err((
                    at(&a),
                    "scrivere CF;COGNOME;NOME;GG/MM/AAAA;PARENTELA".into(),
                ));
            }
            members.push(Member {
                tax_code: crate::domain::codice_fiscale::normalize(parts[0]),
                surname: parts[1].to_string(),
                name: parts[2].to_string(),
                birth_date: match parts[3] {
                    "" => None,
                    d => Some(parse_day(d).map_err(|e| (at(&a), e))?),
                },
                relationship: parts[4].to_uppercase(),
            });
        }
        members.extend(base.members.iter().skip(MEMBERS).cloned());
        o.members = members;
        Ok(o)
    }
}

/// Chiudi occupazione: the end, its act, the release act and the unit's state; Invio asks to
/// confirm, then closes.
#[derive(Debug, Clone)]
pub struct CloseDialog {
    /// Data cessazione, provvedimento (n., protocollo, data), rilascio (n., protocollo, data),
    /// stato alloggio.
    pub fields: Vec<TextField>,
    pub focus: usize,
    pub invalid: Option<usize>,
    /// Invio pressed once: the next confirms.
    pub confirming: bool,
    /// The state list (F4) is open: its selection.
    pub states: Option<usize>,
}

pub const CLOSE_LABELS: [&str; 8] = [
    "Data di cessazione",
    "Provv.: num.",
    "Provvedimento: protocollo",
    "Provvedimento: data",
    "Rilascio: num.",
    "Rilascio: protoc.",
    "Rilascio: data",
    "Stato dell'alloggio",
];

/// The states a unit may take when its occupation closes.
pub fn closing_states() -> Vec<UnitState> {
    UnitState::ALL
        .iter()
        .copied()
        .filter(|s| *s != UnitState::OccupiedWithoutTitle)
        .collect()
}

impl CloseDialog {
    fn new(today: NaiveDate, release: &Act) -> CloseDialog {
        let mut fields: Vec<TextField> = [10, 100, 100, 10, 100, 100, 10, 40]
            .iter()
            .map(|m| TextField::new(*m))
            .collect();
        fields[0].set(&today.format("%d/%m/%Y").to_string());
        fields[4].set(release.id.as_deref().unwrap_or(""));
        fields[5].set(release.protocol.as_deref().unwrap_or(""));
        fields[6].set(&date_text(release.date));
        CloseDialog {
            fields,
            focus: 0,
            invalid: None,
            confirming: false,
            states: None,
        }
    }

    fn closing(&self) -> Result<Closing, (usize, String)> {
        let v = |i: usize| self.fields[i].value().trim().to_string();
        let opt = |i: usize| Some(v(i)).filter(|s| !s.is_empty());
        let date = |i: usize| match opt(i) {
            None => Ok(None),
            Some(d) => parse_day(&d).map(Some).map_err(|e| (i, e)),
        };
        let release = Act {
            id: opt(4),
            protocol: opt(5),
            date: date(6)?,
        };
        Ok(Closing {
            ended_on: Some(date(0)?.ok_or((0, "data di cessazione mancante".to_string()))?),
            end: Act {
                id: opt(1),
                protocol: opt(2),
                date: date(3)?,
            },
            release: (!release.is_empty()).then_some(release),
            unit_state: opt(7)
                .map(|s| UnitState::parse(&s))
                .transpose()
                .map_err(|e| (7, e))?,
        })
    }
}

/// A list of values open on field `.0`: (value, label) items and the selection.
pub type CardLov = (usize, Vec<(String, String)>, usize);

#[derive(Debug)]
pub struct OccupationCard {
    pub id: Option<i64>,
    pub stored: Option<Box<Stored>>,
    pub masked: bool,
    pub editable: bool,
    pub form: CardForm,
    pub focus: usize,
    pub invalid: Option<usize>,
    pub codes: Option<CodeLists>,
    /// A list of values open on a field.
    pub lov: Option<CardLov>,
    pub close: Option<CloseDialog>,
    /// A change is on its way.
    pub waiting: bool,
    pub today: NaiveDate,
    pub(super) generation: u64,
}

impl OccupationCard {
    fn blank(id: Option<i64>, codes: Option<CodeLists>) -> OccupationCard {
        OccupationCard {
            id,
            stored: None,
            masked: false,
            editable: false,
            form: CardForm::empty(),
            focus: 0,
            invalid: None,
            codes,
            lov: None,
            close: None,
            waiting: id.is_some(),
            today: chrono::Local::now().date_naive(),
            generation: 0,
        }
    }

    pub fn open(id: i64, codes: Option<CodeLists>) -> OccupationCard {
        OccupationCard::blank(Some(id), codes)
    }

    /// A new record, for the first owner the operator records occupations of.
    pub fn new_record(codes: Option<CodeLists>, session: &Session) -> OccupationCard {
        let mut c = OccupationCard::blank(None, codes);
        c.editable = super::may_record(session);
        let owner = session
            .scope
            .grants
            .iter()
            .find(|(_, s)| *s == crate::domain::access::Service::Occupations)
            .and_then(|(o, _)| session.owners.iter().find(|(id, _)| id == o))
            .map(|(_, name)| name.clone())
            .unwrap_or_default();
        c.form.fields[0].set(&owner);
        c.form.fields[field_of("idTipoPresenzaDebito").unwrap_or(0)].set(
            &c.codes
                .as_ref()
                .map(|k| k.describe(CodeList::DebtPresence, 2))
                .unwrap_or_default(),
        );
        c.focus = 1;
        c
    }

    pub(super) fn first_queries(&mut self) -> Vec<Query> {
        let mut q = Vec::new();
        if self.codes.is_none() {
            q.push(Query::Codes);
        }
        if let Some(id) = self.id {
            q.push(Query::Card { id, reveal: false });
        }
        q
    }

    fn is_open(&self) -> bool {
        self.stored.as_ref().is_some_and(|s| s.record.is_open())
    }

    /// Whether field `i` takes typing now.
    pub fn writable(&self, i: usize) -> bool {
        let a = CARD_FIELDS[i].attribute;
        self.editable
            && !(self.id.is_some() && matches!(a, "cfEnteProprietario" | "cdOccupazione"))
            && !(closing_only(a) && (self.id.is_none() || self.is_open()))
    }

    pub fn in_text(&self) -> bool {
        match &self.close {
            Some(d) => d.states.is_none() && !d.confirming,
            None => self.lov.is_none() && self.writable(self.focus),
        }
    }

    pub fn consumes_back(&self) -> bool {
        self.lov.is_some() || self.close.is_some()
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.lov.is_some() || self.close.as_ref().is_some_and(|d| d.states.is_some()) {
            return vec![Action::Up, Action::Down, Action::Select, Action::Back];
        }
        if let Some(d) = &self.close {
            let mut v = vec![Action::Select, Action::NextField, Action::PrevField];
            if d.focus == 7 {
                v.insert(1, Action::ListOfValues);
            }
            v.push(Action::Back);
            return v;
        }
        let mut v = vec![
            Action::Up,
            Action::Down,
            Action::NextField,
            Action::PrevField,
        ];
        if self.editable {
            if self.writable(self.focus) && self.has_list(self.focus) {
                v.push(Action::ListOfValues);
            }
            v.push(Action::OccupationSave);
            if self.is_open() {
                v.push(Action::OccupationClose);
            }
        }
        if self.masked {
            v.push(Action::Reveal);
        }
        if self.id.is_some() {
            v.push(Action::Refresh);
        }
        v
    }

    fn has_list(&self, i: usize) -> bool {
        matches!(CARD_FIELDS[i].kind, Kind::Code(_) | Kind::Flag | Kind::Sex)
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        let back = keys.plain(Action::Back);
        if let Some(d) = &self.close {
            if d.confirming {
                return format!(
                    "Confermare la chiusura dell'occupazione: {} chiude (non si riapre), {back} torna al modulo",
                    k(Action::Select)
                );
            }
            return format!(
                "Chiudi occupazione: {} campo, {} elenco degli stati, {} chiude, {back} annulla",
                k(Action::NextField),
                k(Action::ListOfValues),
                k(Action::Select)
            );
        }
        if self.lov.is_some() {
            return format!(
                "Scegliere con {} e {}, {back} annulla",
                keys.pair(Action::Up, Action::Down),
                k(Action::Select)
            );
        }
        if self.masked {
            return format!(
                "Dati personali oscurati: {} li mostra (l'accesso è registrato)",
                k(Action::Reveal)
            );
        }
        if !self.editable {
            return format!(
                "Scheda dell'occupazione (consultazione): {} scorre, {back} torna",
                keys.pair(Action::Up, Action::Down)
            );
        }
        let mut s = format!(
            "{} campo, {} elenco, {} salva",
            k(Action::NextField),
            k(Action::ListOfValues),
            k(Action::OccupationSave)
        );
        if self.is_open() {
            s.push_str(&format!(
                ", {} chiude l'occupazione",
                k(Action::OccupationClose)
            ));
        }
        s
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        if self.close.is_some() {
            let d = self.close.as_mut()?;
            if d.states.is_some() || d.confirming {
                return None;
            }
            let i = d.focus;
            return d.fields.get_mut(i);
        }
        if self.lov.is_some() || !self.writable(self.focus) {
            return None;
        }
        self.form.fields.get_mut(self.focus)
    }

    /// A field changed: the dialog's confirmation starts over.
    pub fn edited(&mut self) -> ScreenOutcome {
        if let Some(d) = &mut self.close {
            d.confirming = false;
        }
        ScreenOutcome::none()
    }

    fn move_focus(&mut self, forward: bool) {
        let n = CARD_FIELDS.len();
        self.focus = if forward {
            (self.focus + 1) % n
        } else {
            (self.focus + n - 1) % n
        };
    }

    fn lov_items(&self, i: usize) -> Vec<(String, String)> {
        match (CARD_FIELDS[i].kind, &self.codes) {
            (Kind::Code(list), Some(codes)) => {
                let mut v: Vec<(String, String)> = codes
                    .entries(list)
                    .iter()
                    .map(|c| {
                        (
                            format!("{} {}", c.code, c.label),
                            format!("{:>2} {}", c.code, c.label),
                        )
                    })
                    .collect();
                if list == CodeList::LegitimatingAct {
                    v.insert(0, (String::new(), "   (nessun atto legittimante)".into()));
                }
                v
            }
            (Kind::Flag, _) => vec![
                ("SI".into(), "SI".into()),
                ("NO".into(), "NO".into()),
                (String::new(), "(non indicato)".into()),
            ],
            (Kind::Sex, _) => vec![("M".into(), "M".into()), ("F".into(), "F".into())],
            _ => Vec::new(),
        }
    }

    pub(super) fn on_action(
        &mut self,
        action: Action,
        _session: &Session,
    ) -> (Vec<Query>, ScreenOutcome) {
        let none = || (Vec::new(), ScreenOutcome::none());
        if self.waiting && !matches!(action, Action::Back) {
            return none();
        }
        if let Some(l) = &mut self.lov {
            let n = l.1.len();
            match action {
                Action::Up => l.2 = l.2.saturating_sub(1),
                Action::Down => l.2 = (l.2 + 1).min(n.saturating_sub(1)),
                Action::Back => self.lov = None,
                Action::Select => {
                    let (field, items, selected) = self.lov.take().expect("open");
                    if let Some((value, _)) = items.get(selected) {
                        self.form.fields[field].set(value);
                    }
                }
                _ => {}
            }
            return none();
        }
        if self.close.is_some() {
            return self.on_close_action(action);
        }
        match action {
            Action::Up | Action::PrevField => {
                self.move_focus(false);
                none()
            }
            Action::Down | Action::NextField => {
                // Leaving the unit's code of a new or open record: fill its place from casa.
                let leaving = self.focus;
                self.move_focus(true);
                if self.editable && CARD_FIELDS[leaving].attribute == "cdAlloggio" {
                    let code = self.form.value("cdAlloggio").to_string();
                    if !code.is_empty() {
                        return (
                            vec![Query::UnitPlace {
                                owner_tax_code: self.owner_key(),
                                code,
                            }],
                            ScreenOutcome::none(),
                        );
                    }
                }
                none()
            }
            Action::ListOfValues if self.writable(self.focus) && self.has_list(self.focus) => {
                let items = self.lov_items(self.focus);
                if items.is_empty() {
                    return (
                        Vec::new(),
                        ScreenOutcome::message(Message::Warning(
                            "Elenco dei valori non ancora caricato".into(),
                        )),
                    );
                }
                self.lov = Some((self.focus, items, 0));
                none()
            }
            Action::OccupationSave if self.editable => self.save(),
            Action::OccupationClose if self.editable && self.is_open() => {
                let release = self
                    .stored
                    .as_ref()
                    .map(|s| s.record.release.clone())
                    .unwrap_or_default();
                self.close = Some(CloseDialog::new(self.today, &release));
                none()
            }
            Action::Reveal if self.masked => match self.id {
                Some(id) => {
                    self.waiting = true;
                    (
                        vec![Query::Card { id, reveal: true }],
                        ScreenOutcome::none(),
                    )
                }
                None => none(),
            },
            Action::Refresh => match self.id {
                Some(id) => {
                    self.waiting = true;
                    (
                        vec![Query::Card { id, reveal: false }],
                        ScreenOutcome::none(),
                    )
                }
                None => none(),
            },
            _ => none(),
        }
    }

    /// The owner as typed (new records) or stored.
    fn owner_key(&self) -> String {
        match &self.stored {
            Some(s) => s.record.owner_tax_code.clone(),
            None => self.form.value("cfEnteProprietario").to_string(),
        }
    }

    fn save(&mut self) -> (Vec<Query>, ScreenOutcome) {
        let Some(codes) = &self.codes else {
            return (
                Vec::new(),
                ScreenOutcome::message(Message::Warning(
                    "Elenchi dei valori non ancora caricati".into(),
                )),
            );
        };
        let base = self
            .stored
            .as_ref()
            .map(|s| s.record.clone())
            .unwrap_or_default();
        match self.form.record(&base, codes) {
            Err((field, message)) => {
                self.invalid = Some(field);
                self.focus = field;
                (
                    Vec::new(),
                    ScreenOutcome::message(Message::Error(format!(
                        "{}: {message}",
                        CARD_FIELDS[field].label
                    ))),
                )
            }
            Ok(mut record) => {
                if let Some(s) = &self.stored {
                    record.owner_tax_code = s.record.owner_tax_code.clone();
                }
                self.waiting = true;
                (
                    vec![Query::Save {
                        id: self.id,
                        version: self.stored.as_ref().map_or(0, |s| s.version),
                        record: Box::new(record),
                    }],
                    ScreenOutcome::none(),
                )
            }
        }
    }

    fn on_close_action(&mut self, action: Action) -> (Vec<Query>, ScreenOutcome) {
        let none = || (Vec::new(), ScreenOutcome::none());
        let d = self.close.as_mut().expect("open");
        if let Some(sel) = d.states {
            let states = closing_states();
            match action {
                Action::Up => d.states = Some(sel.saturating_sub(1)),
                Action::Down => d.states = Some((sel + 1).min(states.len() - 1)),
                Action::Back => d.states = None,
                Action::Select => {
                    d.fields[7].set(states[sel].label());
                    d.states = None;
                    d.confirming = false;
                }
                _ => {}
            }
            return none();
        }
        let n = d.fields.len();
        match action {
            Action::Back if d.confirming => d.confirming = false,
            Action::Back => self.close = None,
            Action::NextField | Action::Down => {
                d.focus = (d.focus + 1) % n;
                d.confirming = false;
            }
            Action::PrevField | Action::Up => {
                d.focus = (d.focus + n - 1) % n;
                d.confirming = false;
            }
            Action::ListOfValues if d.focus == 7 => d.states = Some(0),
            Action::Select => match d.closing() {
                Err((field, message)) => {
                    d.invalid = Some(field);
                    d.focus = field;
                    d.confirming = false;
                    return (
                        Vec::new(),
                        ScreenOutcome::message(Message::Error(format!(
                            "{}: {message}",
                            CLOSE_LABELS[field]
                        ))),
                    );
                }
                Ok(_) if !d.confirming => {
                    d.confirming = true;
                    return (
                        Vec::new(),
                        ScreenOutcome::message(Message::Warning(
                            "La chiusura non si annulla: premere di nuovo per confermare".into(),
                        )),
                    );
                }
                Ok(closing) => {
                    d.confirming = false;
                    let (Some(id), Some(s)) = (self.id, &self.stored) else {
                        return none();
                    };
                    self.waiting = true;
                    return (
                        vec![Query::Close {
                            id,
                            version: s.version,
                            closing: Box::new(closing),
                        }],
                        ScreenOutcome::none(),
                    );
                }
            },
            _ => {}
        }
        none()
    }

    /// The first problem of a refused change: its field marked, the cursor on it.
    fn refused(&mut self, problems: &[Problem]) -> ScreenOutcome {
        let first = problems.first();
        let text = problems
            .iter()
            .map(|p| {
                let label = field_of(&p.attribute)
                    .map(|i| CARD_FIELDS[i].label)
                    .or_else(|| (p.attribute == "statoAlloggio").then_some("Stato dell'alloggio"))
                    .unwrap_or(p.attribute.as_str());
                format!("{label}: {}", p.message)
            })
            .collect::<Vec<_>>()
            .join("; ");
        if let Some(p) = first {
            match (&mut self.close, field_of(&p.attribute)) {
                (Some(d), _) if p.attribute == "statoAlloggio" => {
                    d.invalid = Some(7);
                    d.focus = 7;
                }
                (Some(d), _) if p.attribute == "dtCessazioneOccupazione" => {
                    d.invalid = Some(0);
                    d.focus = 0;
                }
                (_, Some(i)) => {
                    self.close = None;
                    self.invalid = Some(i);
                    self.focus = i;
                }
                _ => {}
            }
        }
        ScreenOutcome::message(Message::Error(text))
    }

    fn show(&mut self, stored: Stored, masked: bool, editable: bool) {
        self.id = Some(stored.id);
        self.masked = masked;
        self.editable = editable && !masked;
        self.form = CardForm::of(&stored.record, &stored.owner_name, self.codes.as_ref());
        self.stored = Some(Box::new(stored));
        if !self.writable(self.focus) && self.editable {
            self.focus = (0..CARD_FIELDS.len())
                .find(|i| self.writable(*i))
                .unwrap_or(0);
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        self.waiting = false;
        match data {
            Data::Codes(c) => {
                // Coded fields typed before the lists came show their labels from now on.
                if self.id.is_none() && self.form.value("idTipoPresenzaDebito").is_empty() {
                    let i = field_of("idTipoPresenzaDebito").unwrap_or(0);
                    self.form.fields[i].set(&c.describe(CodeList::DebtPresence, 2));
                }
                self.codes = Some(c);
                if let Some(s) = self.stored.clone() {
                    let (masked, editable) = (self.masked, self.editable);
                    self.show(*s, masked, editable);
                }
                self.waiting = self.id.is_some() && self.stored.is_none();
            }
            Data::Card {
                stored,
                masked,
                editable,
            } => self.show(*stored, masked, editable),
            Data::UnitPlace(Some(place)) => {
                for (a, v) in [
                    ("siglaProvinciaAlloggio", place.province.clone()),
                    ("cdCatastaleAlloggio", place.cadastral.clone()),
                    (
                        "prefissoIndirizzo",
                        code_text(
                            self.codes.as_ref(),
                            CodeList::AddressPrefix,
                            Some(place.prefix),
                        ),
                    ),
                    ("denominazioneIndirizzo", place.street.clone()),
                    ("numCivico", place.number.clone()),
                ] {
                    if let Some(i) = field_of(a) {
                        self.form.fields[i].set(&v);
                    }
                }
                return ScreenOutcome::message(Message::Info(format!(
                    "Alloggio {} trovato nell'anagrafe: provincia, comune e indirizzo compilati",
                    place.code
                )));
            }
            Data::UnitPlace(None) => {
                return ScreenOutcome::message(Message::Info(
                    "Alloggio non presente nell'anagrafe di casa: indicarne provincia, comune e indirizzo".into(),
                ));
            }
            Data::Saved { saved, stored } => {
                let editable = self.editable;
                self.close = None;
                self.invalid = None;
                self.show(*stored, false, editable);
                let mut text = format!(
                    "✔ Occupazione {} salvata (versione {})",
                    saved.reference, saved.version
                );
                if let Some(c) = &saved.unit_state {
                    text.push_str(&format!(
                        "; alloggio {}: {} → {}",
                        c.unit_id, c.before, c.after
                    ));
                }
                for n in &saved.notes {
                    text.push_str(&format!("; {n}"));
                }
                return ScreenOutcome::message(Message::Info(
                    text.trim_start_matches("✔ ").to_string(),
                ));
            }
            Data::Invalid(problems) => return self.refused(&problems),
            Data::Stale { message, stored } => {
                // The typed values stay; the version becomes the stored one, so saving again
                // writes them over the other operator's change, knowingly.
                self.stored = Some(stored);
                return ScreenOutcome::message(Message::Error(format!(
                    "{message} — i valori scritti restano nel modulo: salvare di nuovo per sovrascrivere"
                )));
            }
            _ => {}
        }
        ScreenOutcome::none()
    }
}
