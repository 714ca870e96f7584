//! Ricerca fabbricati and Ricerca inquilini of the Anagrafe: the filters as typed (form or
//! command line), their parsers, and the order the lists are paged in.
//!
//! Pure: the store turns a resolved filter into SQL, the service resolves owner and comune.

use std::fmt;

/// Which list: buildings (fabbricati) or tenants (inquilini).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Buildings,
    Tenants,
}

impl Kind {
    /// The fields of the form (and options of the command line), in Tab order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Kind::Buildings => &[Field::Owner, Field::Comune, Field::Code, Field::Address],
            Kind::Tenants => &[Field::Owner, Field::Comune, Field::TaxCode, Field::Surname],
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Buildings => "Ricerca fabbricati",
            Kind::Tenants => "Ricerca inquilini",
        }
    }
}

/// A field of the two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    /// Ente proprietario: codice fiscale, ISTAT, ALER code or name.
    Owner,
    /// Comune: ISTAT code or name.
    Comune,
    /// Codice fabbricato (exact, case ignored).
    Code,
    /// Indirizzo: the beginning of the address (case ignored).
    Address,
    /// Codice fiscale of a tenant (exact).
    TaxCode,
    /// Cognome: its beginning (case ignored).
    Surname,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Owner => "Ente proprietario",
            Field::Comune => "Comune",
            Field::Code => "Codice fabbricato",
            Field::Address => "Indirizzo",
            Field::TaxCode => "Codice fiscale",
            Field::Surname => "Cognome",
        }
    }

    /// Longest value accepted, in characters (the form's fields are as wide).
    pub fn max_chars(self) -> usize {
        match self {
            Field::TaxCode => 16,
            Field::Code => 64,
            _ => 80,
        }
    }
}

/// A value refused, naming the field; `Display` is the Italian message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

impl std::error::Error for FieldError {}

/// What was typed in each field ("" or absent: any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Typed {
    pub values: Vec<(Field, String)>,
}

impl Typed {
    pub fn get(&self, field: Field) -> &str {
        self.values
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, field: Field, value: &str) {
        self.values.retain(|(f, _)| *f != field);
        if !value.trim().is_empty() {
            self.values.push((field, value.to_string()));
        }
    }

    /// Refuses text too long for its field or holding control characters.
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, v) in &self.values {
            if v.chars().count() > field.max_chars() {
                return Err(FieldError {
                    field: *field,
                    message: format!("al massimo {} caratteri", field.max_chars()),
                });
            }
            if v.chars().any(char::is_control) {
                return Err(FieldError {
                    field: *field,
                    message: "contiene caratteri di controllo".into(),
                });
            }
        }
        Ok(())
    }
}

/// The beginning of a text matched as SQLite's NOCASE compares (ASCII case folded): the range
/// [lower, upper) of every text that starts with `prefix`.
pub fn prefix_range(prefix: &str) -> (String, String) {
    let lower = prefix.to_ascii_uppercase();
    let upper = format!("{lower}\u{10FFFF}");
    (lower, upper)
}

/// The key SQLite's NOCASE collation sorts by: ASCII letters folded, other bytes as they are.
pub fn nocase_key(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b.to_ascii_lowercase()).collect()
}

/// A codice fiscale as typed: letters and digits, 16 characters (11 digits for a body).
pub fn parse_tax_code(input: &str) -> Result<Option<String>, FieldError> {
    let s = input.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Ok(None);
    }
    if !(s.len() == 16 || s.len() == 11) || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FieldError {
            field: Field::TaxCode,
            message: format!("'{s}' non è un codice fiscale (16 caratteri, lettere e cifre)"),
        });
    }
    Ok(Some(s))
}

/// Text matched by its beginning (indirizzo, cognome): trimmed, inner spaces kept.
pub fn parse_prefix(input: &str) -> Option<String> {
    let s = input.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_range_holds_every_text_starting_with_the_prefix_in_any_case() {
        let (lo, hi) = prefix_range("via Ro");
        for s in ["VIA ROMA", "via roma 3", "Via Rossini"] {
            let k = s.to_ascii_uppercase();
            assert!(k >= lo && k < hi, "{s}");
        }
        for s in ["VIA RN", "VIA S", "PIAZZA ROMA"] {
            let k = s.to_ascii_uppercase();
            assert!(!(k >= lo && k < hi), "{s}");
        }
    }

    #[test]
    fn tax_codes_are_checked_and_typed_text_is_bounded() {
        assert_eq!(
            parse_tax_code(" rssmra80a01f205x ").unwrap(),
            Some("RSSMRA80A01F205X".into())
        );
        assert_eq!(parse_tax_code("").unwrap(), None);
        let e = parse_tax_code("RSS-1").unwrap_err();
        assert_eq!(e.field, Field::TaxCode);
        let mut t = Typed::default();
        t.set(Field::Surname, &"x".repeat(81));
        assert_eq!(t.check().unwrap_err().field, Field::Surname);
        t.set(Field::Surname, "Rossi");
        assert!(t.check().is_ok());
        assert_eq!(t.get(Field::Surname), "Rossi");
    }
}
