//! The regional feed of the register of occupations without title (anpu-occupazioni.xsd): a
//! `richiesta` with its `intestazione` (the owner's codice fiscale and the action, I for new
//! records, M for changed ones) and one empty `occupazioni` element per record, every datum an
//! attribute. Pure: no SQL, no terminal.
//!
//! - `write` turns records into the document, in one canonical form (so a document read and
//!   written again is the same document);
//! - `read` parses a document safely (no DTD, no entities beyond XML's five, bounded size,
//!   markup and record count) into records, every problem by element and attribute in Italian;
//! - `schema` validates a document against the XSD itself before casa writes it.

pub mod read;
pub mod schema;
pub mod write;

use crate::domain::occupation::Occupation;

/// The feed's namespace (`targetNamespace` of the XSD; its local elements are unqualified).
pub const NAMESPACE: &str = "http://osservatorio.lispa.it/anpu/schemas/messages";

/// The XSD, embedded (a copy of `shared/data/regional/anpu-occupazioni.xsd`, unchanged).
pub const XSD: &str = include_str!("../../fixtures/anpu-occupazioni.xsd");

/// What a richiesta asks of the Region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Operation {
    /// I: inserimento (records never sent).
    Insert,
    /// M: modifica (records changed since they were sent).
    Modify,
}

impl Operation {
    pub fn code(self) -> &'static str {
        match self {
            Operation::Insert => "I",
            Operation::Modify => "M",
        }
    }

    pub fn parse(s: &str) -> Option<Operation> {
        match s.trim() {
            "I" | "i" => Some(Operation::Insert),
            "M" | "m" => Some(Operation::Modify),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Operation::Insert => "inserimento",
            Operation::Modify => "modifica",
        }
    }
}

/// One richiesta: the owner, the action and its records (without household members, which
/// the feed does not carry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Richiesta {
    pub owner_tax_code: String,
    pub action: Operation,
    pub records: Vec<Occupation>,
}

/// The attributes of an `occupazioni` element, in the XSD's order (the order `write` uses).
pub const ATTRIBUTES: [&str; 41] = [
    "flgCfConosciuto",
    "cf",
    "cdOccupazione",
    "nome",
    "cognome",
    "dtNascita",
    "flgSesso",
    "cdCatastaleNazioneNascita",
    "siglaProvinciaNascita",
    "cdCatastaleComuneNascita",
    "cdCittadinanza",
    "cfEnteProprietario",
    "cdAlloggio",
    "siglaProvinciaAlloggio",
    "cdCatastaleAlloggio",
    "prefissoIndirizzo",
    "denominazioneIndirizzo",
    "numCivico",
    "dtInizioOccupazione",
    "idTipoOccupazione",
    "tipoAttoRilevazione",
    "identificativoAttoRilevazione",
    "dtAttoRilevazione",
    "idTipoAttoLegittimante",
    "identificativoAttoLegittimante",
    "dtAttoLegittimante",
    "identificativoAttoRilascio",
    "protocolloAttoRilascio",
    "dtAttoRilascio",
    "idTipoPresenzaDebito",
    "flgTipoDebitoDanneggiamento",
    "flgTipoDebitoMancato",
    "flgTipoDebitoCosti",
    "flgTipoDebitoAltro",
    "flgEstinzioneDebito",
    "dtEstinzioneDebito",
    "flgCessazioneOccupazione",
    "dtCessazioneOccupazione",
    "identificativoProvvedimentoCessazione",
    "protocolloProvvedimentoCessazione",
    "dtProvvedimentoCessazione",
];

/// The attributes the XSD declares on `occupazioni`.
pub fn declared(attribute: &str) -> bool {
    ATTRIBUTES.contains(&attribute)
}
