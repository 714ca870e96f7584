//! Reading a richiesta safely, whoever wrote it.
//!
//! The document is streamed (quick-xml) through a guard that stops it, before anything is
//! kept, when the file passes its size limit or one piece of markup (a tag with its attributes)
//! passes its own: a 100 MB attribute costs at most that much buffer. A DTD is refused outright,
//! so neither internal entities (billion laughs) nor external ones (a file or URL) can be
//! declared; references other than XML's five and character references are refused. The
//! structure is the XSD's (root `anpu:richiesta`, one `intestazione`, then `occupazioni`), every
//! attribute is typed as the XSD types it, and every problem is kept, by line, element and
//! attribute, in Italian, up to a limit.

use super::{NAMESPACE, Operation, Richiesta, declared};
use crate::domain::occupation::{Act, Debt, Occupant, Occupation, UnitPlace};
use chrono::NaiveDate;
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, BufReader, Read};

/// How much of a document casa reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole file (a record is about 1 KB: the largest register has tens of thousands).
    pub file_bytes: u64,
    /// One piece of markup: a start tag with all its attributes (a record is about 1 KB).
    pub markup_bytes: u64,
    /// `occupazioni` elements.
    pub records: usize,
    /// Problems kept (the rest are counted).
    pub problems: usize,
}

pub const LIMITS: Limits = Limits {
    file_bytes: 64 << 20,
    markup_bytes: 64 << 10,
    records: 100_000,
    problems: 10_000,
};

/// One problem of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XmlProblem {
    /// 1-based line (0: the file as a whole).
    pub line: u64,
    /// "occupazioni n. 3 (cdOccupazione OCC-1)", "intestazione", "richiesta", "documento".
    pub element: String,
    pub attribute: Option<String>,
    pub message: String,
}

impl std::fmt::Display for XmlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "riga {}, ", self.line)?;
        }
        write!(f, "elemento {}", self.element)?;
        if let Some(a) = &self.attribute {
            write!(f, ", attributo {a}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What was read: the richiesta when its structure could be read, the line of each record,
/// and every problem (none: the document is valid as far as the XSD goes).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub richiesta: Option<Richiesta>,
    /// Line of each record of `richiesta.records`.
    pub lines: Vec<u64>,
    pub problems: Vec<XmlProblem>,
    /// Problems beyond `Limits::problems`, counted.
    pub more_problems: usize,
}

impl Parsed {
    fn push(&mut self, limits: &Limits, p: XmlProblem) {
        if self.problems.len() < limits.problems {
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }

    /// A problem that stops the reading: always kept.
    fn fatal(&mut self, p: XmlProblem) {
        self.problems.push(p);
    }

    /// How an element of record `i` (0-based) is named in problems.
    pub fn element_name(&self, i: usize) -> String {
        let code = self
            .richiesta
            .as_ref()
            .and_then(|r| r.records.get(i))
            .map(|o| o.code.as_str())
            .unwrap_or("");
        element_name(i, code)
    }
}

pub fn element_name(i: usize, code: &str) -> String {
    if code.is_empty() {
        format!("occupazioni n. {}", i + 1)
    } else {
        format!("occupazioni n. {} (cdOccupazione {code})", i + 1)
    }
}

/// Why the guard stopped the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    File,
    Markup { line: u64 },
}

/// Counts what passes: stops at the file limit and at a piece of markup longer than its limit;
/// records where lines start, for messages.
struct Guard<R> {
    inner: R,
    limits: Limits,
    total: u64,
    since_close: u64,
    newlines: Vec<u64>,
    stop: Option<Stop>,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.is_some() {
            return Err(io::Error::other("lettura interrotta"));
        }
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.newlines.push(self.total);
            }
            self.total += 1;
            if b == b'>' {
                self.since_close = 0;
            } else {
                self.since_close += 1;
            }
            if self.since_close > self.limits.markup_bytes {
                self.stop = Some(Stop::Markup {
                    line: self.newlines.len() as u64 + 1,
                });
                return Err(io::Error::other("marcatura troppo lunga"));
            }
        }
        if self.total > self.limits.file_bytes {
            self.stop = Some(Stop::File);
            return Err(io::Error::other("file troppo grande"));
        }
        Ok(n)
    }
}

impl<R> Guard<R> {
    fn line_of(&self, offset: u64) -> u64 {
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// An Italian reason for a parser error.
fn syntax_reason(e: &quick_xml::Error) -> String {
    use quick_xml::Error as E;
    use quick_xml::errors::{IllFormedError as I, SyntaxError as S};
    use quick_xml::escape::EscapeError;
    match e {
        E::Syntax(s) => match s {
            S::UnclosedTag
            | S::UnclosedSingleQuotedAttributeValue
            | S::UnclosedDoubleQuotedAttributeValue => {
                "marcatura non chiusa (manca '>' o le virgolette di un attributo)".into()
            }
            S::UnclosedComment => "commento non chiuso".into(),
            S::UnclosedCData => "sezione CDATA non chiusa".into(),
            S::UnclosedDoctype => "dichiarazione DOCTYPE non chiusa".into(),
            S::UnclosedPI | S::UnclosedXmlDecl => "istruzione <? … ?> non chiusa".into(),
            S::InvalidBangMarkup => "marcatura <! … non valida".into(),
        },
        E::IllFormed(i) => match i {
            I::MismatchedEndTag { expected, found } => {
                format!("chiusura </{found}> dove era attesa </{expected}>")
            }
            I::UnmatchedEndTag(t) => format!("chiusura </{t}> senza apertura"),
            I::MissingEndTag(t) => format!("elemento <{t}> non chiuso"),
            I::DoubleHyphenInComment => "'--' dentro un commento".into(),
            other => format!("documento XML non ben formato ({other})"),
        },
        E::InvalidAttr(a) => format!("attributo non valido ({a})"),
        E::Encoding(_) => "il file non è in UTF-8".into(),
        E::Escape(EscapeError::UnrecognizedEntity(_, name)) => format!(
            "entità '&{name};' non ammessa: sono ammesse solo &amp; &lt; &gt; &quot; &apos; e i riferimenti numerici"
        ),
        E::Escape(other) => format!("riferimento a carattere non valido ({other})"),
        E::Namespace(n) => format!("prefisso di namespace non dichiarato ({n})"),
        E::Io(io) => format!("errore di lettura ({io})"),
    }
}

/// The attributes of an element: name → normalised value, or the problems.
fn attributes(
    reader: &NsReader<BufReader<Guard<impl Read>>>,
    e: &BytesStart<'_>,
    problems: &mut Vec<(Option<String>, String)>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for a in e.attributes() {
        let a = match a {
            Ok(a) => a,
            Err(err) => {
                problems.push((None, format!("attributo non valido ({err})")));
                continue;
            }
        };
        let raw = a.key.as_ref().to_string();
        if raw == "xmlns" || raw.starts_with("xmlns:") {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(a.key);
        let local = local.as_ref().to_string();
        match ns {
            ResolveResult::Unbound => {}
            ResolveResult::Bound(n)
                if n.as_ref() == "http://www.w3.org/2001/XMLSchema-instance" =>
            {
                continue;
            }
            _ => {
                problems.push((
                    Some(raw.clone()),
                    "attributo con namespace non previsto dal tracciato".into(),
                ));
                continue;
            }
        }
        match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => {
                out.insert(local, v.into_owned());
            }
            Err(err) => problems.push((Some(local), syntax_reason(&err))),
        }
    }
    out
}

/// XML Schema whitespace "collapse" for the typed values (ints, dates, enumerations).
fn collapse(v: &str) -> &str {
    v.trim_matches([' ', '\t', '\n', '\r'])
}

/// Typed access to one element's attributes, collecting problems by attribute.
struct Fields {
    map: BTreeMap<String, String>,
    problems: Vec<(Option<String>, String)>,
}

impl Fields {
    fn bad(&mut self, a: &str, m: impl Into<String>) {
        self.problems.push((Some(a.to_string()), m.into()));
    }

    fn opt(&self, a: &str) -> Option<String> {
        self.map.get(a).cloned()
    }

    fn req(&mut self, a: &str) -> Option<String> {
        let v = self.opt(a);
        if v.is_none() {
            self.bad(a, "attributo obbligatorio mancante");
        }
        v
    }

    fn text(&mut self, a: &str, required: bool) -> Option<String> {
        if required { self.req(a) } else { self.opt(a) }
    }

    fn int(&mut self, a: &str, required: bool) -> Option<i64> {
        let v = if required { self.req(a)? } else { self.opt(a)? };
        let t = collapse(&v);
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            self.bad(a, format!("'{v}' non è un numero intero"));
            return None;
        }
        match t.parse::<i32>() {
            Ok(n) => Some(i64::from(n)),
            Err(_) => {
                self.bad(a, format!("'{v}' fuori dall'intervallo di un intero"));
                None
            }
        }
    }

    fn flag(&mut self, a: &str, required: bool) -> Option<bool> {
        match self.int(a, required)? {
            0 => Some(false),
            1 => Some(true),
            n => {
                self.bad(a, format!("'{n}': ammessi 1 (sì) o 0 (no)"));
                None
            }
        }
    }

    /// xsd:date: AAAA-MM-GG with an optional time zone (ignored: a day is a day).
    fn date(&mut self, a: &str, required: bool) -> Option<NaiveDate> {
        let v = if required { self.req(a)? } else { self.opt(a)? };
        let t = collapse(&v);
        let day = if t.len() > 10 {
            let (d, tz) = t.split_at(10);
            let tz_ok = tz == "Z"
                || (tz.len() == 6
                    && (tz.starts_with('+') || tz.starts_with('-'))
                    && tz.as_bytes()[3] == b':'
                    && tz[1..3].parse::<u8>().is_ok_and(|h| h <= 14)
                    && tz[4..6].parse::<u8>().is_ok_and(|m| m < 60));
            if !tz_ok {
                self.bad(a, format!("'{v}' non è una data AAAA-MM-GG"));
                return None;
            }
            d
        } else {
            t
        };
        let shape = day.len() == 10
            && day.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        match shape
            .then(|| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .flatten()
        {
            Some(d) => Some(d),
            None => {
                self.bad(a, format!("'{v}' non è una data valida AAAA-MM-GG"));
                None
            }
        }
    }
}

/// One `occupazioni` element as a record (what the XSD says of each attribute; the domain's
/// and the database's checks come after).
fn record(f: &mut Fields) -> Occupation {
    for name in f.map.keys().cloned().collect::<Vec<_>>() {
        if !declared(&name) {
            f.bad(
                &name,
                "attributo non previsto dal tracciato anpu-occupazioni",
            );
        }
    }
    let known = f.flag("flgCfConosciuto", true);
    let cf = f.opt("cf");
    match (known, &cf) {
        (Some(true), None) => f.bad("cf", "obbligatorio quando flgCfConosciuto = 1"),
        (Some(false), Some(_)) => f.bad(
            "cf",
            "indicato ma flgCfConosciuto = 0: il codice fiscale non è conosciuto",
        ),
        _ => {}
    }
    // SessoType is a string: blanks count.
    let sex = f.opt("flgSesso");
    if let Some(s) = &sex
        && s != "M"
        && s != "F"
    {
        f.bad("flgSesso", format!("'{s}': ammessi M o F"));
    }
    let occupant = Occupant {
        tax_code: cf,
        name: f.text("nome", true).unwrap_or_default(),
        surname: f.text("cognome", true).unwrap_or_default(),
        birth_date: f.date("dtNascita", true),
        sex,
        birth_nation: f.opt("cdCatastaleNazioneNascita"),
        birth_province: f.opt("siglaProvinciaNascita"),
        birth_comune: f.opt("cdCatastaleComuneNascita"),
        citizenship: f.opt("cdCittadinanza"),
    };
    let unit = UnitPlace {
        code: f.text("cdAlloggio", true).unwrap_or_default(),
        province: f.text("siglaProvinciaAlloggio", true).unwrap_or_default(),
        cadastral: f.text("cdCatastaleAlloggio", true).unwrap_or_default(),
        prefix: f.int("prefissoIndirizzo", true).unwrap_or(0),
        street: f.text("denominazioneIndirizzo", true).unwrap_or_default(),
        number: f.text("numCivico", true).unwrap_or_default(),
    };
    let ended = f.flag("flgCessazioneOccupazione", true);
    let ended_on = f.date("dtCessazioneOccupazione", false);
    match (ended, ended_on) {
        (Some(true), None) => f.bad(
            "dtCessazioneOccupazione",
            "obbligatoria quando flgCessazioneOccupazione = 1",
        ),
        (Some(false), Some(_)) => f.bad(
            "dtCessazioneOccupazione",
            "indicata ma flgCessazioneOccupazione = 0",
        ),
        _ => {}
    }
    Occupation {
        code: f.text("cdOccupazione", true).unwrap_or_default(),
        owner_tax_code: f.text("cfEnteProprietario", true).unwrap_or_default(),
        unit,
        occupant,
        started_on: f.date("dtInizioOccupazione", true),
        kind: f.int("idTipoOccupazione", true).unwrap_or(0),
        detect_type: f.text("tipoAttoRilevazione", true).unwrap_or_default(),
        detect_id: f
            .text("identificativoAttoRilevazione", true)
            .unwrap_or_default(),
        detect_on: f.date("dtAttoRilevazione", true),
        legit_type: f.int("idTipoAttoLegittimante", false),
        legit: Act {
            id: f.opt("identificativoAttoLegittimante"),
            protocol: None,
            date: f.date("dtAttoLegittimante", false),
        },
        release: Act {
            id: f.opt("identificativoAttoRilascio"),
            protocol: f.opt("protocolloAttoRilascio"),
            date: f.date("dtAttoRilascio", false),
        },
        debt: Debt {
            presence: f.int("idTipoPresenzaDebito", true).unwrap_or(-1),
            types: [
                f.flag("flgTipoDebitoDanneggiamento", false),
                f.flag("flgTipoDebitoMancato", false),
                f.flag("flgTipoDebitoCosti", false),
                f.flag("flgTipoDebitoAltro", false),
            ],
            extinct: f.flag("flgEstinzioneDebito", false),
            extinct_on: f.date("dtEstinzioneDebito", false),
        },
        ended_on: if ended == Some(true) { ended_on } else { None },
        end: Act {
            id: f.opt("identificativoProvvedimentoCessazione"),
            protocol: f.opt("protocolloProvvedimentoCessazione"),
            date: f.date("dtProvvedimentoCessazione", false),
        },
        members: Vec::new(),
    }
}

/// Where the reader is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Prolog,
    /// Inside the root, before `intestazione`.
    Root,
    /// Inside the root, after `intestazione`.
    Records,
    /// Inside a child element (which must stay empty).
    Child,
    Epilog,
}

/// Reads a richiesta from `input`.
pub fn read(input: impl Read, limits: &Limits) -> Parsed {
    let guard = Guard {
        inner: input,
        limits: *limits,
        total: 0,
        since_close: 0,
        newlines: Vec::new(),
        stop: None,
    };
    let mut reader = NsReader::from_reader(BufReader::with_capacity(64 << 10, guard));
    {
        let c = reader.config_mut();
        c.check_end_names = true;
        c.expand_empty_elements = false;
        c.check_comments = true;
    }
    let mut parsed = Parsed::default();
    let mut header: Option<(String, Operation)> = None;
    let mut records: Vec<Occupation> = Vec::new();
    let mut at = At::Prolog;
    let mut buf = Vec::new();
    let doc = |line: u64, element: &str, attribute: Option<String>, message: String| XmlProblem {
        line,
        element: element.to_string(),
        attribute,
        message,
    };
    loop {
        buf.clear();
        let pos = reader.buffer_position();
        let event = reader.read_event_into(&mut buf);
        let line = reader.get_ref().get_ref().line_of(pos);
        let event = match event {
            Ok(x) => x,
            Err(e) => {
                let guard = reader.get_ref().get_ref();
                let p = match guard.stop {
                    Some(Stop::File) => doc(
                        0,
                        "documento",
                        None,
                        format!(
                            "file troppo grande: al massimo {}",
                            size_text(limits.file_bytes)
                        ),
                    ),
                    Some(Stop::Markup { line }) => doc(
                        line,
                        "documento",
                        None,
                        format!(
                            "marcatura (elemento con i suoi attributi) più lunga di {}: lettura interrotta",
                            size_text(limits.markup_bytes)
                        ),
                    ),
                    None => doc(
                        guard.line_of(reader.error_position()),
                        "documento",
                        None,
                        syntax_reason(&e),
                    ),
                };
                parsed.fatal(p);
                parsed.richiesta = None;
                return parsed;
            }
        };
        let ns = match &event {
            Event::Start(e) | Event::Empty(e) => reader.resolver().resolve_element(e.name()).0,
            _ => ResolveResult::Unbound,
        };
        let ns_ok = |root: bool| match (&ns, root) {
            (ResolveResult::Bound(n), true) => n.as_ref() == NAMESPACE,
            (ResolveResult::Unbound, false) => true,
            _ => false,
        };
        match event {
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    parsed.fatal(doc(
                        line,
                        "documento",
                        None,
                        format!(
                            "codifica '{}' non ammessa: il file deve essere in UTF-8",
                            enc
                        ),
                    ));
                    return parsed;
                }
            }
            Event::DocType(_) => {
                parsed.fatal(

                    doc(
                        line,
                        "documento",
                        None,
                        "dichiarazione DOCTYPE (DTD) non ammessa: il tracciato non ne usa, e una DTD può dichiarare entità che esplodono o leggono file esterni".into(),
                    ),
                );
                return parsed;
            }
            Event::PI(_) | Event::Comment(_) => {}
            Event::Text(t) => {
                if !t.bytes().all(|b| b.is_ascii_whitespace()) {
                    let element = if at == At::Child {
                        "occupazioni"
                    } else {
                        "richiesta"
                    };
                    parsed.push(
                        limits,
                        doc(
                            line,
                            element,
                            None,
                            "testo non ammesso: i dati stanno negli attributi".into(),
                        ),
                    );
                }
            }
            Event::CData(_) | Event::GeneralRef(_) => parsed.push(
                limits,
                doc(
                    line,
                    "richiesta",
                    None,
                    "testo non ammesso: i dati stanno negli attributi".into(),
                ),
            ),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name().as_ref().to_string();
                match at {
                    At::Prolog => {
                        if name != "richiesta" || !ns_ok(true) {
                            parsed.fatal(doc(line, "documento", None, format!(
                                "elemento radice <{}>: atteso anpu:richiesta nel namespace {NAMESPACE}",
                                e.name().as_ref()
                            )));
                            return parsed;
                        }
                        let mut problems = Vec::new();
                        let attrs = attributes(&reader, e, &mut problems);
                        for a in attrs.keys() {
                            problems.push((
                                Some(a.clone()),
                                "attributo non previsto dal tracciato".into(),
                            ));
                        }
                        for (a, m) in problems {
                            parsed.push(limits, doc(line, "richiesta", a, m));
                        }
                        if empty {
                            parsed.fatal(doc(
                                line,
                                "richiesta",
                                None,
                                "manca l'elemento intestazione e almeno un elemento occupazioni"
                                    .into(),
                            ));
                            return parsed;
                        }
                        at = At::Root;
                    }
                    At::Root | At::Records => {
                        let qualified = !ns_ok(false);
                        let expected = if at == At::Root {
                            "intestazione"
                        } else {
                            "occupazioni"
                        };
                        if name != expected || qualified {
                            let why = if qualified
                                && (name == "intestazione" || name == "occupazioni")
                            {
                                format!(
                                    "<{}> con namespace: gli elementi interni del tracciato sono senza prefisso (<{name}>)",
                                    e.name().as_ref()
                                )
                            } else if at == At::Root {
                                format!("<{name}>: atteso <intestazione> come primo elemento")
                            } else if name == "intestazione" {
                                "<intestazione> ripetuta: ne è ammessa una sola".into()
                            } else {
                                format!(
                                    "<{name}> non previsto: dopo l'intestazione solo elementi <occupazioni>"
                                )
                            };
                            parsed.fatal(doc(line, "richiesta", None, why));
                            return parsed;
                        }
                        let mut problems = Vec::new();
                        let map = attributes(&reader, e, &mut problems);
                        let mut f = Fields { map, problems };
                        if at == At::Root {
                            for a in f.map.keys().cloned().collect::<Vec<_>>() {
                                if a != "cfEnteProprietario" && a != "azione" {
                                    f.bad(&a, "attributo non previsto dal tracciato");
                                }
                            }
                            let owner = f.req("cfEnteProprietario");
                            if let Some(o) = &owner {
                                let n = o.chars().count();
                                if !(11..=16).contains(&n) {
                                    f.bad(
                                        "cfEnteProprietario",
                                        format!("'{o}': da 11 a 16 caratteri"),
                                    );
                                }
                            }
                            // xsd:string keeps blanks: exactly I or M.
                            let action = f.req("azione").and_then(|a| {
                                let parsed = matches!(a.as_str(), "I" | "M")
                                    .then(|| Operation::parse(&a))
                                    .flatten();
                                if parsed.is_none() {
                                    f.bad(
                                        "azione",
                                        format!("'{a}': ammesse I (inserimento) o M (modifica)"),
                                    );
                                }
                                parsed
                            });
                            for (a, m) in f.problems {
                                parsed.push(limits, doc(line, "intestazione", a, m));
                            }
                            if let (Some(o), Some(a)) = (owner, action) {
                                header = Some((o, a));
                            }
                            at = if empty { At::Records } else { At::Child };
                        } else {
                            if records.len() >= limits.records {
                                parsed.fatal(doc(
                                    line,
                                    "richiesta",
                                    None,
                                    format!(
                                        "più di {} occupazioni in un file: dividerlo",
                                        limits.records
                                    ),
                                ));
                                return parsed;
                            }
                            let o = record(&mut f);
                            let element = element_name(records.len(), &o.code);
                            if let Some((owner, _)) = &header
                                && !o.owner_tax_code.is_empty()
                                && o.owner_tax_code != *owner
                            {
                                f.bad("cfEnteProprietario", format!(
                                    "'{}' diverso da quello dell'intestazione ({owner}): una richiesta è di un solo ente",
                                    o.owner_tax_code
                                ));
                            }
                            if let Some(first) = records
                                .iter()
                                .position(|r| !o.code.is_empty() && r.code == o.code)
                            {
                                f.bad(
                                    "cdOccupazione",
                                    format!(
                                        "codice '{}' già usato dall'elemento occupazioni n. {}",
                                        o.code,
                                        first + 1
                                    ),
                                );
                            }
                            for (a, m) in f.problems {
                                parsed.push(limits, doc(line, &element, a, m));
                            }
                            records.push(o);
                            parsed.lines.push(line);
                            if !empty {
                                at = At::Child;
                            }
                        }
                    }
                    At::Child => {
                        parsed.fatal(doc(
                            line,
                            "occupazioni",
                            None,
                            format!("<{name}> non ammesso: l'elemento deve essere vuoto"),
                        ));
                        return parsed;
                    }
                    At::Epilog => {
                        parsed.fatal(doc(
                            line,
                            "documento",
                            None,
                            "contenuto dopo la chiusura di </anpu:richiesta>".into(),
                        ));
                        return parsed;
                    }
                }
            }
            Event::End(_) => {
                at = match at {
                    At::Child => At::Records,
                    At::Root => {
                        parsed.push(
                            limits,
                            doc(
                                line,
                                "richiesta",
                                None,
                                "manca l'elemento intestazione".into(),
                            ),
                        );
                        At::Epilog
                    }
                    At::Records => {
                        if records.is_empty() {
                            parsed.push(limits, doc(line, "richiesta", None,
                                "nessun elemento occupazioni: una richiesta ne contiene almeno uno".into()));
                        }
                        At::Epilog
                    }
                    other => other,
                };
            }
            Event::Eof => {
                if at != At::Epilog {
                    parsed.fatal(doc(
                        line,
                        "documento",
                        None,
                        "il documento finisce prima della chiusura di </anpu:richiesta>".into(),
                    ));
                    return parsed;
                }
                break;
            }
        }
    }
    if let Some((owner, action)) = header {
        parsed.richiesta = Some(Richiesta {
            owner_tax_code: owner,
            action,
            records,
        });
    }
    parsed
}
