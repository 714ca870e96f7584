//! Reference data embedded from `fixtures/`: comuni, ambiti, capofila, ALERs, the codici
//! fiscali of the comuni and of other bodies. Parsed here; written to the database by
//! `store::reference`.

use crate::domain::codice_fiscale::body_check_digit;
use anyhow::{Context, Result};
use serde::Deserialize;

const COMUNI: &str = include_str!("../fixtures/comuni_lombardia.csv");
const AMBITI: &str = include_str!("../fixtures/ambiti_lombardia.csv");
const AMBITI_COMUNI: &str = include_str!("../fixtures/ambiti_comuni.csv");
const CAPOFILA: &str = include_str!("../fixtures/capofila.csv");
const ALER: &str = include_str!("../fixtures/aler.csv");
const TAX_CODES: &str = include_str!("../fixtures/enti_codici_fiscali.csv");
const COMUNI_TAX_CODES: &str = include_str!("../fixtures/comuni_codice_fiscale.csv");
const AMBITI_EXTRA: &str = include_str!("../fixtures/ambiti_extra.csv");
const AMBITI_COMUNI_EXTRA: &str = include_str!("../fixtures/ambiti_comuni_extra.csv");
const MERATE: &str = include_str!("../fixtures/ambito_merate_comuni.csv");
const ANPU_CODES: &str = include_str!("../fixtures/anpu_codici.csv");
/// The district the Merate list (`ambito_merate_comuni.csv`) is for.
const MERATE_CODE: &str = "LC-MERATE";

#[derive(Debug, Clone, Deserialize)]
pub struct Comune {
    #[serde(rename = "codice_istat")]
    pub istat: String,
    #[serde(rename = "denominazione")]
    pub name: String,
    #[serde(rename = "sigla_provincia")]
    pub province: String,
    #[serde(rename = "codice_provincia_istat")]
    pub province_istat: String,
    #[serde(rename = "provincia")]
    pub province_name: String,
    #[serde(rename = "codice_catastale")]
    pub cadastral: String,
    #[serde(rename = "capoluogo_provincia")]
    pub capital: u8,
    #[serde(rename = "popolazione_2021")]
    pub population: i64,
    #[serde(rename = "nota")]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Ambito {
    #[serde(rename = "ambito_id")]
    pub code: String,
    #[serde(rename = "ambito")]
    pub name: String,
    pub ats: String,
    pub capofila: String,
    #[serde(rename = "granularita")]
    pub granularity: String,
    #[serde(rename = "fonte")]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AmbitoComune {
    #[serde(rename = "codice_istat")]
    pub istat: String,
    #[serde(rename = "ambito_id")]
    pub ambito: String,
    #[serde(rename = "nome_nella_fonte")]
    pub name_in_source: String,
    #[serde(rename = "fonte")]
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Capofila {
    #[serde(rename = "ambito_id")]
    pub ambito: String,
    #[serde(rename = "codice_istat")]
    pub istat: String,
    /// 1 where a source names this comune as the capofila; 0 where it is only the usual one.
    #[serde(rename = "confermato")]
    pub confirmed: u8,
    #[serde(rename = "nota")]
    pub note: String,
}

/// A row of `ambito_merate_comuni.csv`.
#[derive(Debug, Clone, Deserialize)]
struct MerateComune {
    #[serde(rename = "codice_istat")]
    istat: String,
    #[serde(rename = "denominazione")]
    name: String,
    sub_area: String,
}

/// The codice fiscale of a comune (IndicePA, cross-checked with SIOPE); empty where none was
/// found.
#[derive(Debug, Clone, Deserialize)]
pub struct ComuneTaxCode {
    #[serde(rename = "codice_istat")]
    pub istat: String,
    #[serde(rename = "codice_fiscale")]
    pub tax_code: String,
    #[serde(rename = "conferma")]
    pub confirmation: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Aler {
    #[serde(rename = "aler_id")]
    pub code: String,
    #[serde(rename = "denominazione")]
    pub name: String,
    /// `;`-separated sigle.
    pub province: String,
}

impl Aler {
    pub fn provinces(&self) -> impl Iterator<Item = &str> {
        self.province
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct KnownTaxCode {
    #[serde(rename = "ente")]
    pub name: String,
    #[serde(rename = "codice_istat")]
    pub istat: String,
    #[serde(rename = "codice_fiscale")]
    pub tax_code: String,
}

/// A value of a code list of the regional feed of occupations (`anpu_codici.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct AnpuCode {
    #[serde(rename = "lista")]
    pub list: String,
    #[serde(rename = "codice")]
    pub code: i64,
    #[serde(rename = "etichetta")]
    pub label: String,
    #[serde(rename = "fonte")]
    pub source: String,
    #[serde(rename = "verificato")]
    pub verified: u8,
}

/// The code lists of the feed of occupations; every list named is one casa knows.
pub fn anpu_codes() -> Result<Vec<AnpuCode>> {
    let rows: Vec<AnpuCode> = parse("anpu_codici.csv", ANPU_CODES)?;
    for r in &rows {
        if crate::domain::occupation::codes::CodeList::from_key(&r.list).is_none() {
            anyhow::bail!("fixtures/anpu_codici.csv: lista sconosciuta '{}'", r.list);
        }
    }
    Ok(rows)
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.with_context(|| format!("fixtures/{name}: riga {}", i + 2)))
        .collect()
}

pub fn comuni() -> Result<Vec<Comune>> {
    parse("comuni_lombardia.csv", COMUNI)
}
/// The known ambiti: those of `ambiti_lombardia.csv` and those added since (`ambiti_extra.csv`).
pub fn ambiti() -> Result<Vec<Ambito>> {
    let mut v: Vec<Ambito> = parse("ambiti_lombardia.csv", AMBITI)?;
    v.extend(parse::<Ambito>("ambiti_extra.csv", AMBITI_EXTRA)?);
    Ok(v)
}

/// Comune → ambito: `ambiti_comuni.csv`, the Merate list and the rows added since with their
/// source (`ambiti_comuni_extra.csv`).
pub fn ambiti_comuni() -> Result<Vec<AmbitoComune>> {
    let mut v: Vec<AmbitoComune> = parse("ambiti_comuni.csv", AMBITI_COMUNI)?;
    let merate_source = ambiti()?
        .into_iter()
        .find(|a| a.code == MERATE_CODE)
        .map(|a| a.source)
        .unwrap_or_default();
    for m in parse::<MerateComune>("ambito_merate_comuni.csv", MERATE)? {
        v.push(AmbitoComune {
            istat: m.istat,
            ambito: MERATE_CODE.to_string(),
            name_in_source: format!("{} ({})", m.name, m.sub_area),
            source: merate_source.clone(),
        });
    }
    v.extend(parse::<AmbitoComune>(
        "ambiti_comuni_extra.csv",
        AMBITI_COMUNI_EXTRA,
    )?);
    Ok(v)
}

/// The real codici fiscali of the comuni that have one (1,499 of 1,501).
pub fn comuni_tax_codes() -> Result<Vec<ComuneTaxCode>> {
    Ok(
        parse::<ComuneTaxCode>("comuni_codice_fiscale.csv", COMUNI_TAX_CODES)?
            .into_iter()
            .filter(|c| !c.tax_code.trim().is_empty())
            .collect(),
    )
}
pub fn capofila() -> Result<Vec<Capofila>> {
    parse("capofila.csv", CAPOFILA)
}
pub fn alers() -> Result<Vec<Aler>> {
    parse("aler.csv", ALER)
}
pub fn known_tax_codes() -> Result<Vec<KnownTaxCode>> {
    parse("enti_codici_fiscali.csv", TAX_CODES)
}

fn with_check_digit(first10: &str) -> String {
    let mut code = first10.to_string();
    code.push(body_check_digit(first10.as_bytes()) as char);
    code
}

/// Synthetic, valid numeric codice fiscale for a Comune whose real code we do not hold:
/// `99` + ISTAT code + `00` + check digit. The office code `000` is not issued, so it cannot
/// collide with a real code.
pub fn synthetic_comune_tax_code(istat: &str) -> String {
    with_check_digit(&format!("99{istat}00"))
}

/// Synthetic, valid numeric codice fiscale for the n-th ALER (1-based): `98` + zeros + n.
pub fn synthetic_aler_tax_code(n: usize) -> String {
    with_check_digit(&format!("98{n:06}00"))
}

/// Short login-name part for an ALER code: `ALER_BG_LC_SO` → `bg-lc-so`.
pub fn aler_slug(code: &str) -> String {
    code.trim_start_matches("ALER_")
        .to_ascii_lowercase()
        .replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::{CfKind, validate};
    use std::collections::HashSet;

    #[test]
    fn fixtures_parse_and_are_consistent() {
        let comuni = comuni().unwrap();
        assert_eq!(comuni.len(), 1501);
        let codes: HashSet<_> = comuni.iter().map(|c| c.istat.as_str()).collect();
        assert_eq!(codes.len(), 1501);
        assert!(
            comuni
                .iter()
                .all(|c| c.istat.len() == 6 && c.cadastral.len() == 4)
        );
        let milano = comuni.iter().find(|c| c.istat == "015146").unwrap();
        assert_eq!(
            (milano.name.as_str(), milano.cadastral.as_str()),
            ("Milano", "F205")
        );
        let ambiti = ambiti().unwrap();
        assert_eq!(ambiti.len(), 12, "11 of ambiti_lombardia.csv and Merate");
        let members = ambiti_comuni().unwrap();
        let mut seen = HashSet::new();
        for m in &members {
            assert!(codes.contains(m.istat.as_str()), "{}", m.istat);
            assert!(ambiti.iter().any(|a| a.code == m.ambito));
            assert!(seen.insert(m.istat.as_str()), "{} in two ambiti", m.istat);
            assert!(!m.source.is_empty(), "{}", m.istat);
        }
        let count = |code: &str| members.iter().filter(|m| m.ambito == code).count();
        assert_eq!(count("LC-MERATE"), 24);
        assert_eq!(
            count("CR-CREMASCO"),
            43,
            "42 of the accordo + Torlino Vimercati"
        );
        let tax = comuni_tax_codes().unwrap();
        assert_eq!(tax.len(), 1499);
        let unique: HashSet<_> = tax.iter().map(|t| t.tax_code.as_str()).collect();
        assert_eq!(unique.len(), 1499);
        for t in &tax {
            assert!(codes.contains(t.istat.as_str()), "{}", t.istat);
            assert_eq!(validate(&t.tax_code), Ok(CfKind::Body), "{}", t.istat);
        }
        for c in capofila().unwrap() {
            assert!(codes.contains(c.istat.as_str()));
        }
        let alers = alers().unwrap();
        assert_eq!(alers.len(), 5);
        let provinces: HashSet<_> = alers.iter().flat_map(|a| a.provinces()).collect();
        assert_eq!(provinces.len(), 12, "every province has exactly one ALER");
        for k in known_tax_codes().unwrap() {
            assert_eq!(validate(&k.tax_code), Ok(CfKind::Body), "{}", k.name);
        }
    }

    #[test]
    fn synthetic_codes_are_valid_and_distinct() {
        let a = synthetic_comune_tax_code("015146");
        assert_eq!(a.len(), 11);
        assert_eq!(validate(&a), Ok(CfKind::Body));
        assert_eq!(validate(&synthetic_aler_tax_code(3)), Ok(CfKind::Body));
        assert_ne!(synthetic_aler_tax_code(1), synthetic_aler_tax_code(2));
        assert_eq!(aler_slug("ALER_BG_LC_SO"), "bg-lc-so");
    }
}
