//! Codice fiscale validation: 16-character personal codes (with omocodia) and 11-digit numeric
//! codes of legal bodies.
//!
//! Written here rather than taken from the `codice_fiscale` crate: that crate rejects omocodes
//! (a valid, common case), slices strings by byte index (a panic on non-ASCII input, which our
//! importers must survive) and compiles regexes on every call (too slow for a million tenants).

use std::fmt;

/// Why a codice fiscale was refused. `Display` gives the Italian message shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfError {
    Empty,
    Length(usize),
    Characters,
    Layout,
    Month(char),
    Day,
    CheckCharacter { expected: char },
    CheckDigit { expected: char },
}

impl fmt::Display for CfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfError::Empty => write!(f, "codice fiscale mancante"),
            CfError::Length(n) => write!(
                f,
                "codice fiscale di {n} caratteri: deve averne 16 (persona) o 11 (ente)"
            ),
            CfError::Characters => write!(f, "codice fiscale con caratteri non ammessi"),
            CfError::Layout => write!(
                f,
                "codice fiscale non nel formato previsto (6 lettere, anno, mese, giorno, comune, controllo)"
            ),
            CfError::Month(c) => write!(f, "codice fiscale con mese di nascita non valido ('{c}')"),
            CfError::Day => write!(f, "codice fiscale con giorno di nascita non valido"),
            CfError::CheckCharacter { expected } => write!(
                f,
                "carattere di controllo del codice fiscale errato (atteso '{expected}')"
            ),
            CfError::CheckDigit { expected } => write!(
                f,
                "cifra di controllo del codice fiscale numerico errata (attesa '{expected}')"
            ),
        }
    }
}

impl std::error::Error for CfError {}

/// Which kind of code was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfKind {
    Person,
    Body,
}

const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd positions (1st, 3rd, …), indexed by letter A..Z; digits map to
/// the letter at the same alphabet position.
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
/// Omocodia letters replacing digits 0..9.
const OMOCODE: &[u8; 10] = b"LMNPQRSTUV";

/// Normalises user input: trims and upper-cases. Validation works on the result.
pub fn normalize(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// Validates a personal (16) or numeric (11) codice fiscale, already normalised or not.
pub fn validate(input: &str) -> Result<CfKind, CfError> {
    let code = normalize(input);
    if code.is_empty() {
        return Err(CfError::Empty);
    }
    if !code.is_ascii() {
        return Err(CfError::Characters);
    }
    match code.len() {
        16 => validate_person(code.as_bytes()).map(|_| CfKind::Person),
        11 => validate_body(code.as_bytes()).map(|_| CfKind::Body),
        n => Err(CfError::Length(n)),
    }
}

/// Validates a personal codice fiscale only (16 characters).
pub fn validate_person_code(input: &str) -> Result<(), CfError> {
    match validate(input)? {
        CfKind::Person => Ok(()),
        CfKind::Body => Err(CfError::Length(11)),
    }
}

/// Validates a body's numeric codice fiscale only (11 digits).
pub fn validate_body_code(input: &str) -> Result<(), CfError> {
    match validate(input)? {
        CfKind::Body => Ok(()),
        CfKind::Person => Err(CfError::Length(16)),
    }
}

fn validate_person(c: &[u8]) -> Result<(), CfError> {
    if !c
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(CfError::Characters);
    }
    // Positions (0-based) that hold digits, or their omocodia letters.
    const DIGITS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
    for (i, &b) in c.iter().enumerate().take(15) {
        let ok = if DIGITS.contains(&i) {
            b.is_ascii_digit() || OMOCODE.contains(&b)
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            return Err(CfError::Layout);
        }
    }
    if !c[15].is_ascii_uppercase() {
        return Err(CfError::Layout);
    }
    if !MONTHS.contains(&c[8]) {
        return Err(CfError::Month(c[8] as char));
    }
    let day = decode_digit(c[9]) * 10 + decode_digit(c[10]);
    if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
        return Err(CfError::Day);
    }
    let expected = person_check_char(&c[..15]);
    if c[15] != expected {
        return Err(CfError::CheckCharacter {
            expected: expected as char,
        });
    }
    Ok(())
}

fn decode_digit(b: u8) -> u32 {
    if b.is_ascii_digit() {
        u32::from(b - b'0')
    } else {
        OMOCODE.iter().position(|&o| o == b).unwrap_or(0) as u32
    }
}

/// Check letter of the first 15 characters of a personal code (upper-case ASCII letters and
/// digits). Used by the validator and by the demo generator.
pub fn person_check_char(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let idx = if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b.saturating_sub(b'A')).min(25)
            };
            // Position i is 0-based, so even i is an odd (1st, 3rd, …) position.
            if i % 2 == 0 { ODD[idx as usize] } else { idx }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

fn validate_body(c: &[u8]) -> Result<(), CfError> {
    if !c.iter().all(u8::is_ascii_digit) {
        return Err(CfError::Characters);
    }
    let expected = body_check_digit(&c[..10]);
    if c[10] != expected {
        return Err(CfError::CheckDigit {
            expected: expected as char,
        });
    }
    Ok(())
}

/// Check digit (as an ASCII byte) of the first 10 digits of a numeric codice fiscale.
pub fn body_check_digit(first10: &[u8]) -> u8 {
    let sum: u32 = first10
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b.wrapping_sub(b'0')) % 10;
            if i % 2 == 0 {
                d
            } else {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            }
        })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_samples() {
        for ok in [
            "RSSMRA85T10A562S",
            "RSSMRA80A01H501U",
            "RSSMRA70A41H501W",
            "RSSSCC80A01A944N",
            "RSSMRA85T10A56NH",
            "rssmra85t10a562s",
        ] {
            assert_eq!(validate(ok), Ok(CfKind::Person), "{ok}");
        }
        assert_eq!(
            validate("RSSMRA85T10A562T"),
            Err(CfError::CheckCharacter { expected: 'S' })
        );
        assert_eq!(validate("80050050154"), Ok(CfKind::Body));
        assert_eq!(validate("01199250158"), Ok(CfKind::Body));
        assert_eq!(
            validate("01199250159"),
            Err(CfError::CheckDigit { expected: '8' })
        );
    }

    #[test]
    fn malformed_codes_are_refused_with_a_reason() {
        assert_eq!(validate(""), Err(CfError::Empty));
        assert_eq!(validate("   "), Err(CfError::Empty));
        assert_eq!(validate("RSSMRA85"), Err(CfError::Length(8)));
        assert_eq!(validate("RSSMRA85T10A562"), Err(CfError::Length(15)));
        assert_eq!(validate("RSSMRÀ85T10A562S"), Err(CfError::Characters));
        assert_eq!(validate("RSSMRA85Z10A562S"), Err(CfError::Month('Z')));
        assert_eq!(validate("RSSMRA85T35A562S"), Err(CfError::Day));
        assert_eq!(validate("RSS1RA85T10A562S"), Err(CfError::Layout));
        assert_eq!(validate("0119925015A"), Err(CfError::Characters));
        assert!(validate_body_code("RSSMRA85T10A562S").is_err());
        assert!(validate_person_code("80050050154").is_err());
    }

    #[test]
    fn messages_are_italian() {
        let msg = validate("RSSMRA85T10A562T").unwrap_err().to_string();
        assert!(msg.contains("carattere di controllo"), "{msg}");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = validate(&s);
        }

        #[test]
        fn generated_person_codes_validate(
            letters in "[A-Z]{6}", year in 0u32..100, month in 0usize..12, day in 1u32..=31,
            female in any::<bool>(), place in "[A-Z][0-9]{3}")
        {
            let day = if female { day + 40 } else { day };
            let mut code = format!("{letters}{year:02}{}{day:02}{place}", MONTHS[month] as char);
            let check = person_check_char(code.as_bytes());
            code.push(check as char);
            prop_assert_eq!(validate(&code), Ok(CfKind::Person));
            // Any other check letter is refused.
            let wrong = if check == b'A' { 'B' } else { 'A' };
            code.pop();
            code.push(wrong);
            prop_assert!(validate(&code).is_err());
        }

        #[test]
        fn generated_body_codes_validate(first in "[0-9]{10}") {
            let mut code = first.clone();
            code.push(body_check_digit(first.as_bytes()) as char);
            prop_assert_eq!(validate(&code), Ok(CfKind::Body));
        }
    }
}
