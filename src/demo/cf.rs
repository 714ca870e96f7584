//! Builds personal codici fiscali from surname, name, sex, birth date and birth place, by the
//! real rules (omocodia is not needed for demo data: duplicates are allowed in `tenant`).

use crate::domain::codice_fiscale::person_check_char;
use chrono::{Datelike, NaiveDate};

const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    M,
    F,
}

impl Sex {
    pub fn db(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
        }
    }

    pub fn other(self) -> Sex {
        match self {
            Sex::M => Sex::F,
            Sex::F => Sex::M,
        }
    }
}

/// Upper-case ASCII letter of `c`, accents removed; None for anything that is not a letter
/// (spaces, apostrophes, dashes do not count in a codice fiscale).
fn fold(c: char) -> Option<u8> {
    let c = match c {
        'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'A',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ò' | 'ó' | 'ô' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'O',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ç' | 'Ç' => 'C',
        'ñ' | 'Ñ' => 'N',
        c => c,
    };
    c.is_ascii_alphabetic()
        .then(|| c.to_ascii_uppercase() as u8)
}

/// The letters a code may need: the first four consonants and first three vowels, in order.
#[derive(Default)]
struct Letters {
    cons: [u8; 4],
    n_cons: usize,
    vows: [u8; 3],
    n_vows: usize,
}

impl Letters {
    fn of(s: &str) -> Letters {
        let mut l = Letters::default();
        for b in s.chars().filter_map(fold) {
            if b"AEIOU".contains(&b) {
                if l.n_vows < 3 {
                    l.vows[l.n_vows] = b;
                    l.n_vows += 1;
                }
            } else if l.n_cons < 4 {
                l.cons[l.n_cons] = b;
                l.n_cons += 1;
            }
        }
        l
    }

    /// Three letters: consonants, then vowels, then X.
    fn three(&self) -> [u8; 3] {
        let mut out = [b'X'; 3];
        let letters = self.cons[..self.n_cons]
            .iter()
            .chain(&self.vows[..self.n_vows]);
        for (slot, b) in out.iter_mut().zip(letters) {
            *slot = *b;
        }
        out
    }
}

/// Surname part: first three consonants, then vowels, then X.
pub fn surname_code(surname: &str) -> [u8; 3] {
    Letters::of(surname).three()
}

/// Name part: with four or more consonants the 1st, 3rd and 4th; otherwise as for surnames.
pub fn name_code(name: &str) -> [u8; 3] {
    let l = Letters::of(name);
    if l.n_cons >= 4 {
        [l.cons[0], l.cons[2], l.cons[3]]
    } else {
        l.three()
    }
}

/// The full 16-character code. `place` is a Belfiore code (`F205`, `Z330`).
pub fn personal_tax_code(
    surname: &str,
    name: &str,
    sex: Sex,
    birth: NaiveDate,
    place: &str,
) -> String {
    let mut c = [0u8; 16];
    c[0..3].copy_from_slice(&surname_code(surname));
    c[3..6].copy_from_slice(&name_code(name));
    let yy = birth.year().rem_euclid(100) as u8;
    c[6] = b'0' + yy / 10;
    c[7] = b'0' + yy % 10;
    c[8] = MONTHS[birth.month0() as usize];
    let day = birth.day() as u8 + if sex == Sex::F { 40 } else { 0 };
    c[9] = b'0' + day / 10;
    c[10] = b'0' + day % 10;
    let place = place.as_bytes();
    debug_assert_eq!(place.len(), 4, "Belfiore code");
    c[11..15].copy_from_slice(&place[..4]);
    c[15] = person_check_char(&c[..15]);
    // Every byte is ASCII by construction.
    String::from_utf8(c.to_vec()).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::{CfKind, validate};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn matches_known_codes() {
        // The textbook example and the validator's samples.
        assert_eq!(
            personal_tax_code("Rossi", "Mario", Sex::M, date(1985, 12, 10), "A562"),
            "RSSMRA85T10A562S"
        );
        assert_eq!(
            personal_tax_code("Rossi", "Maria", Sex::F, date(1970, 1, 1), "H501"),
            "RSSMRA70A41H501W"
        );
    }

    #[test]
    fn letter_rules() {
        assert_eq!(&surname_code("Fo"), b"FOX");
        assert_eq!(&surname_code("D'Angelo"), b"DNG");
        assert_eq!(&surname_code("De Luca"), b"DLC");
        assert_eq!(&surname_code("Hu"), b"HUX");
        assert_eq!(&surname_code("Ba"), b"BAX");
        assert_eq!(&name_code("Gianfranco"), b"GFR");
        assert_eq!(&name_code("Francesco"), b"FNC");
        assert_eq!(&name_code("Maria"), b"MRA");
        assert_eq!(&name_code("Nicolò"), b"NCL");
        assert_eq!(&name_code("Ida"), b"DIA");
        assert_eq!(&name_code("Lucía"), b"LCU");
    }

    #[test]
    fn built_codes_validate() {
        for (s, n, sex, d, p) in [
            ("El Amrani", "Fatima", Sex::F, date(1978, 3, 31), "Z330"),
            ("Dell'Acqua", "Ambrogio", Sex::M, date(1931, 8, 15), "F205"),
            ("Xu", "Li", Sex::F, date(2009, 2, 28), "Z210"),
            ("Chávez", "José", Sex::M, date(2001, 12, 1), "Z611"),
        ] {
            let code = personal_tax_code(s, n, sex, d, p);
            assert_eq!(validate(&code), Ok(CfKind::Person), "{code}");
        }
    }
}
