//! The register of units occupied without title (Banca dati degli occupanti senza titolo,
//! DOMAIN.md 7; L.R. 16/2016 art. 22 c.1 f and c.3): an occupation as the regional feed
//! (anpu-occupazioni.xsd) describes it, the household members of its occupant, and the checks
//! every record passes whoever enters it (form, command line, XML import).
//!
//! Problems name the feed's attribute they are about, so the importer can say "elemento
//! occupazioni n. 3, attributo dtNascita" and the form can put the cursor on the field.

pub mod check;
pub mod codes;
pub mod filter;

use super::codice_fiscale;
use chrono::{Datelike, NaiveDate};
use codes::{CodeList, CodeLists};
use serde::{Deserialize, Serialize};

/// The longest text the feed accepts (String100Type).
pub const TEXT_MAX: usize = 100;

/// Who occupies: identified by codice fiscale when known; name, surname and birth date always
/// (the feed requires them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Occupant {
    /// `None`: codice fiscale not known (flgCfConosciuto = 0).
    pub tax_code: Option<String>,
    pub name: String,
    pub surname: String,
    pub birth_date: Option<NaiveDate>,
    /// "M" or "F".
    pub sex: Option<String>,
    /// Cadastral code of the nation of birth (Z…) for those born abroad.
    pub birth_nation: Option<String>,
    pub birth_province: Option<String>,
    /// Cadastral (Belfiore) code of the comune of birth.
    pub birth_comune: Option<String>,
    /// Cadastral code of the citizenship.
    pub citizenship: Option<String>,
}

/// The unit occupied, as the feed names it (the link to casa's unit is kept by the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UnitPlace {
    /// cdAlloggio: the owner's code of the unit (Codice identificativo U.I.).
    pub code: String,
    /// siglaProvinciaAlloggio.
    pub province: String,
    /// cdCatastaleAlloggio: the comune's cadastral code.
    pub cadastral: String,
    /// prefissoIndirizzo (code list).
    pub prefix: i64,
    pub street: String,
    pub number: String,
}

/// An act: identifier, protocol, date (the feed makes every part optional except where said).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Act {
    pub id: Option<String>,
    pub protocol: Option<String>,
    pub date: Option<NaiveDate>,
}

impl Act {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.protocol.is_none() && self.date.is_none()
    }
}

/// The debt the occupation left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Debt {
    /// idTipoPresenzaDebito (code list).
    pub presence: i64,
    /// flgTipoDebitoDanneggiamento, …Mancato, …Costi, …Altro: absent, 0 or 1 each, in the
    /// order of the codes of the `tipo_debito` list (1, 2, 3, 99).
    pub types: [Option<bool>; 4],
    /// flgEstinzioneDebito and dtEstinzioneDebito.
    pub extinct: Option<bool>,
    pub extinct_on: Option<NaiveDate>,
}

/// The codes of the `tipo_debito` list, in the order of `Debt::types`.
pub const DEBT_TYPE_CODES: [i64; 4] = [1, 2, 3, 99];

/// A member of the occupant's household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Member {
    pub tax_code: String,
    pub surname: String,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    /// CONIUGE, FIGLIO, … (free text: the feed has no list).
    pub relationship: String,
}

/// One occupation without title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Occupation {
    /// cdOccupazione: the owner's reference of the record, unique per owner.
    pub code: String,
    /// cfEnteProprietario.
    pub owner_tax_code: String,
    pub unit: UnitPlace,
    pub occupant: Occupant,
    pub started_on: Option<NaiveDate>,
    /// idTipoOccupazione (code list).
    pub kind: i64,
    /// tipoAttoRilevazione (free text), identificativoAttoRilevazione, dtAttoRilevazione.
    pub detect_type: String,
    pub detect_id: String,
    pub detect_on: Option<NaiveDate>,
    /// idTipoAttoLegittimante (code list) and its act.
    pub legit_type: Option<i64>,
    pub legit: Act,
    /// identificativoAttoRilascio, protocolloAttoRilascio, dtAttoRilascio.
    pub release: Act,
    pub debt: Debt,
    /// dtCessazioneOccupazione: `Some` when the occupation ended.
    pub ended_on: Option<NaiveDate>,
    /// The act that ended it: identificativo, protocollo, date of the provvedimento.
    pub end: Act,
    pub members: Vec<Member>,
}

impl Occupation {
    pub fn is_open(&self) -> bool {
        self.ended_on.is_none()
    }

    /// Every codice fiscale the five-year check looks up: the occupant's (when known) and the
    /// members'.
    pub fn tax_codes(&self) -> impl Iterator<Item = &str> {
        self.occupant
            .tax_code
            .as_deref()
            .into_iter()
            .chain(self.members.iter().map(|m| m.tax_code.as_str()))
    }
}

/// A problem of a record, by the feed's attribute (or `membri[N].campo` for a member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub attribute: String,
    pub message: String,
}

fn problem(attribute: &str, message: impl Into<String>) -> Problem {
    Problem {
        attribute: attribute.to_string(),
        message: message.into(),
    }
}

/// Checks a text of the feed: present when required, at most 100 characters, no control
/// characters (they would not survive the XML).
fn text(out: &mut Vec<Problem>, attribute: &str, value: Option<&str>, required: bool) {
    match value {
        None => {
            if required {
                out.push(problem(attribute, "valore mancante"));
            }
        }
        Some(v) => {
            let n = v.chars().count();
            if v.trim().is_empty() {
                out.push(problem(attribute, "valore vuoto"));
            } else if n > TEXT_MAX {
                out.push(problem(
                    attribute,
                    format!("{n} caratteri: al più {TEXT_MAX}"),
                ));
            } else if v.chars().any(char::is_control) {
                out.push(problem(attribute, "contiene caratteri di controllo"));
            }
        }
    }
}

/// (prefissoIndirizzo, denominazioneIndirizzo) of a registry address like "Piazzale Loreto":
/// the longest label of the prefix list the address starts with (accents and case ignored),
/// else Via with the whole address.
pub fn split_address(address: &str, codes: &CodeLists) -> (i64, String) {
    let fold = crate::domain::registry::fold_label;
    let folded = fold(address);
    let mut best: Option<(usize, i64)> = None;
    for c in codes.entries(CodeList::AddressPrefix) {
        let label = fold(&c.label);
        if folded.len() > label.len()
            && folded.starts_with(&label)
            && folded[label.len()..].starts_with(' ')
            && best.is_none_or(|(n, _)| label.chars().count() > n)
        {
            best = Some((label.chars().count(), c.code));
        }
    }
    match best {
        Some((n, code)) => {
            let rest: String = address.trim().chars().skip(n).collect();
            (code, rest.trim().to_string())
        }
        None => (1, address.trim().to_string()),
    }
}

/// A cadastral code: one letter and three digits (F205, Z404).
pub fn is_cadastral(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

/// A province's two letters (EE for abroad).
pub fn is_province(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn date_not_after(out: &mut Vec<Problem>, attribute: &str, d: Option<NaiveDate>, today: NaiveDate) {
    if let Some(d) = d
        && d > today
    {
        out.push(problem(
            attribute,
            format!("data {} nel futuro", d.format("%d/%m/%Y")),
        ));
    }
}

/// Every problem of `o`, checked against the configured code lists on `today`. Checks that
/// need the database (the owner exists, the comune is in Lombardy, the unit) are the store's.
pub fn validate(o: &Occupation, codes: &CodeLists, today: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    text(&mut out, "cdOccupazione", Some(&o.code), true);
    // The occupant.
    let p = &o.occupant;
    match &p.tax_code {
        Some(cf) => {
            if let Err(e) = codice_fiscale::validate(cf) {
                out.push(problem("cf", e.to_string()));
            } else if cf != &codice_fiscale::normalize(cf) {
                out.push(problem(
                    "cf",
                    "codice fiscale da scrivere in maiuscolo, senza spazi",
                ));
            }
        }
        None => {
            // Our rule (issue 15): without a codice fiscale the person is known by the rest.
            let missing: Vec<&str> = [
                ("flgSesso", p.sex.is_none()),
                (
                    "cdCatastaleComuneNascita",
                    p.birth_comune.is_none() && p.birth_nation.is_none(),
                ),
                ("cdCittadinanza", p.citizenship.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(a, _)| a)
            .collect();
            for a in missing {
                out.push(problem(
                    a,
                    "obbligatorio quando il codice fiscale non è conosciuto (sesso, luogo di nascita e cittadinanza identificano la persona)",
                ));
            }
        }
    }
    text(&mut out, "nome", Some(&p.name), true);
    text(&mut out, "cognome", Some(&p.surname), true);
    match p.birth_date {
        None => out.push(problem("dtNascita", "data di nascita mancante")),
        Some(d) => {
            date_not_after(&mut out, "dtNascita", Some(d), today);
            if d.year() < 1900 {
                out.push(problem("dtNascita", "data di nascita anteriore al 1900"));
            }
        }
    }
    if let Some(s) = &p.sex
        && s != "M"
        && s != "F"
    {
        out.push(problem("flgSesso", format!("sesso '{s}': M o F")));
    }
    for (a, v) in [
        ("cdCatastaleNazioneNascita", &p.birth_nation),
        ("cdCatastaleComuneNascita", &p.birth_comune),
        ("cdCittadinanza", &p.citizenship),
    ] {
        if let Some(v) = v
            && !is_cadastral(v)
        {
            out.push(problem(
                a,
                format!(
                    "codice catastale '{v}': una lettera maiuscola e tre cifre (es. F205, Z404)"
                ),
            ));
        }
    }
    if let Some(v) = &p.birth_province
        && !is_province(v)
    {
        out.push(problem(
            "siglaProvinciaNascita",
            format!("sigla di provincia '{v}': due lettere maiuscole (EE per l'estero)"),
        ));
    }
    // The unit.
    let u = &o.unit;
    text(&mut out, "cdAlloggio", Some(&u.code), true);
    if !is_province(&u.province) {
        out.push(problem(
            "siglaProvinciaAlloggio",
            format!("sigla di provincia '{}': due lettere maiuscole", u.province),
        ));
    }
    if !is_cadastral(&u.cadastral) {
        out.push(problem(
            "cdCatastaleAlloggio",
            format!(
                "codice catastale del comune '{}': una lettera maiuscola e tre cifre (es. F205)",
                u.cadastral
            ),
        ));
    }
    if let Err(e) = codes.check(CodeList::AddressPrefix, u.prefix) {
        out.push(problem("prefissoIndirizzo", e));
    }
    text(&mut out, "denominazioneIndirizzo", Some(&u.street), true);
    text(&mut out, "numCivico", Some(&u.number), true);
    // The occupation.
    match o.started_on {
        None => out.push(problem("dtInizioOccupazione", "data di inizio mancante")),
        Some(s) => {
            date_not_after(&mut out, "dtInizioOccupazione", Some(s), today);
            if let Some(b) = p.birth_date
                && s < b
            {
                out.push(problem(
                    "dtInizioOccupazione",
                    format!(
                        "inizio il {} prima della nascita dell'occupante ({})",
                        s.format("%d/%m/%Y"),
                        b.format("%d/%m/%Y")
                    ),
                ));
            }
        }
    }
    if let Err(e) = codes.check(CodeList::OccupationType, o.kind) {
        out.push(problem("idTipoOccupazione", e));
    }
    text(&mut out, "tipoAttoRilevazione", Some(&o.detect_type), true);
    text(
        &mut out,
        "identificativoAttoRilevazione",
        Some(&o.detect_id),
        true,
    );
    match o.detect_on {
        None => out.push(problem(
            "dtAttoRilevazione",
            "data dell'atto di rilevazione mancante",
        )),
        Some(d) => date_not_after(&mut out, "dtAttoRilevazione", Some(d), today),
    }
    // Legitimating act: the type says what the rest is.
    match o.legit_type {
        Some(t) => {
            if let Err(e) = codes.check(CodeList::LegitimatingAct, t) {
                out.push(problem("idTipoAttoLegittimante", e));
            }
        }
        None => {
            if !o.legit.is_empty() {
                out.push(problem(
                    "idTipoAttoLegittimante",
                    "atto legittimante indicato senza il suo tipo",
                ));
            }
        }
    }
    if o.legit.protocol.is_some() {
        out.push(problem(
            "protocolloAttoLegittimante",
            "il tracciato non prevede un protocollo per l'atto legittimante",
        ));
    }
    text(
        &mut out,
        "identificativoAttoLegittimante",
        o.legit.id.as_deref(),
        false,
    );
    date_not_after(&mut out, "dtAttoLegittimante", o.legit.date, today);
    text(
        &mut out,
        "identificativoAttoRilascio",
        o.release.id.as_deref(),
        false,
    );
    text(
        &mut out,
        "protocolloAttoRilascio",
        o.release.protocol.as_deref(),
        false,
    );
    date_not_after(&mut out, "dtAttoRilascio", o.release.date, today);
    // Debt.
    if let Err(e) = codes.check(CodeList::DebtPresence, o.debt.presence) {
        out.push(problem("idTipoPresenzaDebito", e));
    }
    if o.debt.extinct_on.is_some() && o.debt.extinct != Some(true) {
        out.push(problem(
            "flgEstinzioneDebito",
            "data di estinzione del debito indicata ma debito non estinto (flgEstinzioneDebito = 1)",
        ));
    }
    date_not_after(&mut out, "dtEstinzioneDebito", o.debt.extinct_on, today);
    // End.
    match (o.started_on, o.ended_on) {
        (Some(s), Some(e)) if e < s => out.push(problem(
            "dtCessazioneOccupazione",
            format!(
                "cessazione il {} prima dell'inizio ({})",
                e.format("%d/%m/%Y"),
                s.format("%d/%m/%Y")
            ),
        )),
        (_, Some(e)) => date_not_after(&mut out, "dtCessazioneOccupazione", Some(e), today),
        (_, None) => {
            if !o.end.is_empty() {
                out.push(problem(
                    "dtCessazioneOccupazione",
                    "provvedimento di cessazione indicato per un'occupazione non cessata: indicare la data di cessazione",
                ));
            }
        }
    }
    text(
        &mut out,
        "identificativoProvvedimentoCessazione",
        o.end.id.as_deref(),
        false,
    );
    text(
        &mut out,
        "protocolloProvvedimentoCessazione",
        o.end.protocol.as_deref(),
        false,
    );
    date_not_after(&mut out, "dtProvvedimentoCessazione", o.end.date, today);
    // Members.
    let mut seen: Vec<&str> = o.occupant.tax_code.iter().map(String::as_str).collect();
    for (i, m) in o.members.iter().enumerate() {
        let at = |f: &str| format!("componenti[{}].{f}", i + 1);
        if let Err(e) = codice_fiscale::validate(&m.tax_code) {
            out.push(problem(&at("cf"), e.to_string()));
        } else if seen.contains(&m.tax_code.as_str()) {
            out.push(problem(
                &at("cf"),
                format!(
                    "codice fiscale {} già indicato per questa occupazione",
                    m.tax_code
                ),
            ));
        } else if m.tax_code != codice_fiscale::normalize(&m.tax_code) {
            out.push(problem(
                &at("cf"),
                "codice fiscale da scrivere in maiuscolo, senza spazi",
            ));
        }
        seen.push(&m.tax_code);
        text(&mut out, &at("cognome"), Some(&m.surname), true);
        text(&mut out, &at("nome"), Some(&m.name), true);
        text(&mut out, &at("parentela"), Some(&m.relationship), true);
        date_not_after(&mut out, &at("dtNascita"), m.birth_date, today);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
