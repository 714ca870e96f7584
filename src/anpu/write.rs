//! The richiesta as text, in one canonical form: UTF-8, the XML declaration, the root in the
//! `anpu` prefix, unqualified children (the XSD's local elements), attributes in the XSD's
//! order, absent ones omitted, one element per line.

use super::{NAMESPACE, Richiesta};
use crate::domain::occupation::Occupation;
use chrono::NaiveDate;
use std::fmt::Write;

/// Escapes an attribute value. Tabs and line ends are written as character references so that
/// attribute-value normalisation does not turn them into spaces when the document is read.
fn escape(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fn attr(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape(out, v);
        out.push('"');
    }
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn date(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// One `occupazioni` element.
pub fn element(out: &mut String, o: &Occupation) {
    let p = &o.occupant;
    let u = &o.unit;
    out.push_str("  <occupazioni");
    attr(out, "flgCfConosciuto", Some(flag(p.tax_code.is_some())));
    attr(out, "cf", p.tax_code.as_deref());
    attr(out, "cdOccupazione", Some(&o.code));
    attr(out, "nome", Some(&p.name));
    attr(out, "cognome", Some(&p.surname));
    attr(out, "dtNascita", date(p.birth_date).as_deref());
    attr(out, "flgSesso", p.sex.as_deref());
    attr(out, "cdCatastaleNazioneNascita", p.birth_nation.as_deref());
    attr(out, "siglaProvinciaNascita", p.birth_province.as_deref());
    attr(out, "cdCatastaleComuneNascita", p.birth_comune.as_deref());
    attr(out, "cdCittadinanza", p.citizenship.as_deref());
    attr(out, "cfEnteProprietario", Some(&o.owner_tax_code));
    attr(out, "cdAlloggio", Some(&u.code));
    attr(out, "siglaProvinciaAlloggio", Some(&u.province));
    attr(out, "cdCatastaleAlloggio", Some(&u.cadastral));
    attr(out, "prefissoIndirizzo", Some(&u.prefix.to_string()));
    attr(out, "denominazioneIndirizzo", Some(&u.street));
    attr(out, "numCivico", Some(&u.number));
    attr(out, "dtInizioOccupazione", date(o.started_on).as_deref());
    attr(out, "idTipoOccupazione", Some(&o.kind.to_string()));
    attr(out, "tipoAttoRilevazione", Some(&o.detect_type));
    attr(out, "identificativoAttoRilevazione", Some(&o.detect_id));
    attr(out, "dtAttoRilevazione", date(o.detect_on).as_deref());
    attr(
        out,
        "idTipoAttoLegittimante",
        o.legit_type.map(|t| t.to_string()).as_deref(),
    );
    attr(out, "identificativoAttoLegittimante", o.legit.id.as_deref());
    attr(out, "dtAttoLegittimante", date(o.legit.date).as_deref());
    attr(out, "identificativoAttoRilascio", o.release.id.as_deref());
    attr(out, "protocolloAttoRilascio", o.release.protocol.as_deref());
    attr(out, "dtAttoRilascio", date(o.release.date).as_deref());
    attr(
        out,
        "idTipoPresenzaDebito",
        Some(&o.debt.presence.to_string()),
    );
    for (name, v) in [
        "flgTipoDebitoDanneggiamento",
        "flgTipoDebitoMancato",
        "flgTipoDebitoCosti",
        "flgTipoDebitoAltro",
    ]
    .into_iter()
    .zip(o.debt.types)
    {
        attr(out, name, v.map(flag));
    }
    attr(out, "flgEstinzioneDebito", o.debt.extinct.map(flag));
    attr(
        out,
        "dtEstinzioneDebito",
        date(o.debt.extinct_on).as_deref(),
    );
    attr(
        out,
        "flgCessazioneOccupazione",
        Some(flag(o.ended_on.is_some())),
    );
    attr(out, "dtCessazioneOccupazione", date(o.ended_on).as_deref());
    attr(
        out,
        "identificativoProvvedimentoCessazione",
        o.end.id.as_deref(),
    );
    attr(
        out,
        "protocolloProvvedimentoCessazione",
        o.end.protocol.as_deref(),
    );
    attr(
        out,
        "dtProvvedimentoCessazione",
        date(o.end.date).as_deref(),
    );
    out.push_str("/>\n");
}

/// The whole document.
pub fn document(r: &Richiesta) -> String {
    let mut out = String::with_capacity(200 + r.records.len() * 900);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<anpu:richiesta xmlns:anpu=\"{NAMESPACE}\">");
    out.push_str("  <intestazione");
    attr(&mut out, "cfEnteProprietario", Some(&r.owner_tax_code));
    attr(&mut out, "azione", Some(r.action.code()));
    out.push_str("/>\n");
    for o in &r.records {
        element(&mut out, o);
    }
    out.push_str("</anpu:richiesta>\n");
    out
}
