//! Districts (ambiti territoriali) as the Regione configures them: code, name, member comuni
//! and the act naming the Comune capofila (DOMAIN.md §3, phase 1: the mayors' assembly names
//! the capofila; the Regione records it).

use chrono::NaiveDate;

/// A district code: 3–40 characters among capital letters, digits and `-` (e.g. `BG-SERIATE`),
/// upper-cased.
pub fn check_code(value: &str) -> Result<String, String> {
    let v = value.trim().to_uppercase();
    let n = v.chars().count();
    if !(3..=40).contains(&n)
        || !v
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        || v.starts_with('-')
        || v.ends_with('-')
    {
        return Err(format!(
            "codice d'ambito non valido: '{}' (da 3 a 40 tra lettere, cifre e -, ad es. BG-SERIATE)",
            value.trim()
        ));
    }
    Ok(v)
}

/// A district's name: 3–120 printable characters, spaces collapsed.
pub fn check_name(value: &str) -> Result<String, String> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = v.chars().count();
    if !(3..=120).contains(&n) || v.chars().any(char::is_control) {
        return Err("nome dell'ambito: da 3 a 120 caratteri".into());
    }
    Ok(v)
}

/// The reference of the act naming the capofila (e.g. "Verbale Assemblea dei Sindaci n. 3
/// del 12/02/2025"): 3–200 characters.
pub fn check_act_reference(value: &str) -> Result<String, String> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = v.chars().count();
    if !(3..=200).contains(&n) || v.chars().any(char::is_control) {
        return Err(
            "estremi dell'atto di nomina: da 3 a 200 caratteri (ad es. 'Verbale Assemblea dei Sindaci n. 3/2025')"
                .into(),
        );
    }
    Ok(v)
}

/// The act's date: not after `today` (an act not yet adopted names nobody).
pub fn check_act_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    if date > today {
        return Err(format!(
            "data dell'atto di nomina {} nel futuro: l'atto deve essere già adottato",
            date.format("%d/%m/%Y")
        ));
    }
    Ok(date)
}

/// A date as typed in a form or an option: GG/MM/AAAA or AAAA-MM-GG.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .map_err(|_| format!("data non valida: '{t}' (GG/MM/AAAA)"))
}

/// ISTAT codes of comuni as typed (6 digits; comma-separated lists allowed), without repeats.
pub fn parse_istat_list(values: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for v in values.iter().flat_map(|s| s.split(',')) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "codice ISTAT di comune non valido: '{v}' (6 cifre, ad es. 016198)"
            ));
        }
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_acts_and_lists() {
        assert_eq!(check_code(" bg-seriate ").unwrap(), "BG-SERIATE");
        for bad in ["AB", "BG SERIATE", "-X-", "ÀMBITO"] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_name("  Ambito   di Seriate ").unwrap(),
            "Ambito di Seriate"
        );
        assert!(check_act_reference("x").is_err());
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert!(check_act_date(today, today).is_ok());
        assert!(check_act_date(today.succ_opt().unwrap(), today).is_err());
        assert_eq!(
            parse_istat_list(&["016198,016024".into(), "016198".into()]).unwrap(),
            vec!["016198", "016024"]
        );
        assert!(parse_istat_list(&["16198".into()]).is_err());
        assert_eq!(parse_date("01/02/2025"), parse_date("2025-02-01"));
        assert!(parse_date("31/02/2025").is_err());
    }
}
