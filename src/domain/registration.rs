//! The registration request (SCHEDA UTENTE): who asks to become an operator, for which owner
//! and services, with the public key they will connect with. Checked field by field, so a form
//! can put the cursor on the first bad field and the command line can name the option.

use super::access::Service;
use super::codice_fiscale;
use std::fmt;

/// The fields of the SCHEDA UTENTE, in the form's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Surname,
    Name,
    Username,
    TaxCode,
    Email,
    Owner,
    Services,
    Key,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Surname,
        Field::Name,
        Field::Username,
        Field::TaxCode,
        Field::Email,
        Field::Owner,
        Field::Services,
        Field::Key,
    ];

    /// The label of the regional platform's form.
    pub fn label(self) -> &'static str {
        match self {
            Field::Surname => "Cognome",
            Field::Name => "Nome",
            Field::Username => "Nome utente",
            Field::TaxCode => "Codice fiscale",
            Field::Email => "E-mail",
            Field::Owner => "Ente",
            Field::Services => "Servizi",
            Field::Key => "Chiave pubblica SSH",
        }
    }

    /// The command-line option that gives it.
    pub fn option(self) -> &'static str {
        match self {
            Field::Surname => "--surname",
            Field::Name => "--name",
            Field::Username => "--username",
            Field::TaxCode => "--tax-code",
            Field::Email => "--email",
            Field::Owner => "--owner",
            Field::Services => "--service",
            Field::Key => "--key",
        }
    }
}

/// A field refused, and why (Italian).
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

fn bad(field: Field, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// Longest name, surname or e-mail accepted (what the regional form allows is not published;
/// these are generous bounds against abuse, not rules of the law).
pub const MAX_TEXT: usize = 80;
pub const MAX_USERNAME: usize = 40;

/// A person's name or surname: letters (accented too), spaces, apostrophes, hyphens, dots.
pub fn check_person_name(field: Field, value: &str) -> Result<String, FieldError> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        return Err(bad(field, "obbligatorio"));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(bad(field, format!("al massimo {MAX_TEXT} caratteri")));
    }
    if !v.chars().all(|c| c.is_alphabetic() || " '’-.".contains(c)) {
        return Err(bad(
            field,
            "solo lettere, spazi, apostrofi, trattini e punti",
        ));
    }
    Ok(v)
}

/// A username: 3–40 characters among lower-case letters, digits and `. - _`, starting with a
/// letter (it is typed in commands and shown in every audit record).
pub fn check_username(value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_lowercase();
    let n = v.chars().count();
    if !(3..=MAX_USERNAME).contains(&n) {
        return Err(bad(
            Field::Username,
            format!("da 3 a {MAX_USERNAME} caratteri (ad es. anna.bianchi)"),
        ));
    }
    if !v.starts_with(|c: char| c.is_ascii_lowercase())
        || !v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
    {
        return Err(bad(
            Field::Username,
            "lettere minuscole senza accenti, cifre e . - _; inizia con una lettera",
        ));
    }
    Ok(v)
}

/// A person's codice fiscale (16 characters, omocodia allowed), upper case.
pub fn check_tax_code(value: &str) -> Result<String, FieldError> {
    let v = codice_fiscale::normalize(value);
    codice_fiscale::validate_person_code(&v).map_err(|e| bad(Field::TaxCode, e.to_string()))?;
    Ok(v)
}

/// An e-mail address: one `@`, a local part, a domain with a dot, no spaces or control
/// characters. (Whether it is reachable is the Regione's to check.)
pub fn check_email(value: &str) -> Result<String, FieldError> {
    let v = value.trim().to_string();
    let err = || {
        bad(
            Field::Email,
            format!("indirizzo non valido: '{v}' (ad es. nome@comune.it)"),
        )
    };
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err());
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err(err());
    };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(err());
    }
    Ok(v)
}

/// Services by name (any of ANAGRAFE, AVVISI, OCCUPANTI / BANCA DATI OCCUPANTI SENZA TITOLO,
/// PROGRAMMAZIONE; comma-separated allowed), at least one, without repeats, in a fixed order.
pub fn check_services(values: &[String]) -> Result<Vec<Service>, FieldError> {
    let mut out = Vec::new();
    for v in values.iter().flat_map(|s| s.split(',')) {
        if v.trim().is_empty() {
            continue;
        }
        let s = Service::parse(v).map_err(|e| bad(Field::Services, e))?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() {
        return Err(bad(
            Field::Services,
            "indicare almeno un servizio (ANAGRAFE, AVVISI, OCCUPANTI, PROGRAMMAZIONE)",
        ));
    }
    out.sort();
    Ok(out)
}

/// What an applicant typed, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    pub surname: String,
    pub name: String,
    pub username: String,
    pub tax_code: String,
    pub email: String,
    /// The owner (ente): codice fiscale, ISTAT code, ALER code or name.
    pub owner: String,
    pub services: Vec<String>,
}

/// The person part of a form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub surname: String,
    pub name: String,
    pub username: String,
    pub tax_code: String,
    pub email: String,
}

impl Form {
    /// Every field checked (the owner is resolved against the database by the caller); all
    /// problems, in the form's order.
    pub fn check(&self) -> Result<(Person, Vec<Service>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, FieldError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let person = Person {
            surname: keep(check_person_name(Field::Surname, &self.surname)),
            name: keep(check_person_name(Field::Name, &self.name)),
            username: keep(check_username(&self.username)),
            tax_code: keep(check_tax_code(&self.tax_code)),
            email: keep(check_email(&self.email)),
        };
        if self.owner.trim().is_empty() {
            errors.push(bad(
                Field::Owner,
                "indicare l'ente (codice fiscale, codice ISTAT del comune, codice ALER o nome)",
            ));
        }
        let services = match check_services(&self.services) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok((person, services))
        } else {
            Err(errors)
        }
    }
}

/// A request's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Validated,
    Rejected,
}

impl Status {
    pub fn db(self) -> &'static str {
        match self {
            Status::Pending => "IN_ATTESA",
            Status::Validated => "VALIDATA",
            Status::Rejected => "RESPINTA",
        }
    }

    pub fn from_db(s: &str) -> Option<Status> {
        match s {
            "IN_ATTESA" => Some(Status::Pending),
            "VALIDATA" => Some(Status::Validated),
            "RESPINTA" => Some(Status::Rejected),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "In attesa di validazione",
            Status::Validated => "Validata",
            Status::Rejected => "Respinta",
        }
    }

    /// From what a user types: `in-attesa`, `validata`, `respinta` (or the labels).
    pub fn parse(input: &str) -> Result<Status, String> {
        let f = input.trim().to_lowercase().replace(['-', '_'], " ");
        match f.as_str() {
            "in attesa" | "in attesa di validazione" | "attesa" => Ok(Status::Pending),
            "validata" | "validate" => Ok(Status::Validated),
            "respinta" | "respinte" => Ok(Status::Rejected),
            _ => Err(format!(
                "stato della richiesta non valido: '{}' (valori ammessi: in-attesa, validata, respinta)",
                input.trim()
            )),
        }
    }
}

/// What a request asks: a new operator, or new owner/services for one already registered
/// (the seed's third case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NewOperator,
    Extension,
}

impl Kind {
    pub fn db(self) -> &'static str {
        match self {
            Kind::NewOperator => "NUOVO",
            Kind::Extension => "ESTENSIONE",
        }
    }

    pub fn from_db(s: &str) -> Option<Kind> {
        match s {
            "NUOVO" => Some(Kind::NewOperator),
            "ESTENSIONE" => Some(Kind::Extension),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::NewOperator => "Nuovo operatore",
            Kind::Extension => "Abilitazione aggiuntiva",
        }
    }
}

/// A rejection's reason: required, one line, at most 300 characters.
pub fn check_reason(value: &str) -> Result<String, String> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.chars().count() < 3 {
        return Err("indicare il motivo del rifiuto (almeno 3 caratteri)".into());
    }
    if v.chars().count() > 300 {
        return Err("motivo troppo lungo (al massimo 300 caratteri)".into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            surname: "D'Angelo".into(),
            name: "Anna Maria".into(),
            username: "Anna.Dangelo".into(),
            tax_code: "rssmra70a41h501w".into(),
            email: "anna@comune.seriate.bg.it".into(),
            owner: "016198".into(),
            services: vec!["anagrafe,programmazione".into(), "anagrafe".into()],
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let (p, s) = form().check().unwrap();
        assert_eq!(p.username, "anna.dangelo");
        assert_eq!(p.tax_code, "RSSMRA70A41H501W");
        assert_eq!(s, vec![Service::Registry, Service::Planning]);
    }

    #[test]
    fn every_bad_field_is_named_in_form_order() {
        let f = Form {
            surname: " ".into(),
            name: "Anna3".into(),
            username: "1x".into(),
            tax_code: "RSSMRA70A41H501X".into(),
            email: "anna@".into(),
            owner: "".into(),
            services: vec!["cucina".into()],
        };
        let errs = f.check().unwrap_err();
        let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::Surname,
                Field::Name,
                Field::Username,
                Field::TaxCode,
                Field::Email,
                Field::Owner,
                Field::Services
            ]
        );
        assert!(errs[3].message.contains("controllo"), "{}", errs[3]);
    }

    #[test]
    fn emails_and_usernames() {
        for ok in ["a@b.it", "nome.cognome+x@comune.milano.it"] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in ["a@b", "@b.it", "a b@c.it", "a@@b.it", "a@.it", "a@b..it"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert!(check_username("ànna").is_err());
        assert!(check_username(&"a".repeat(41)).is_err());
        assert_eq!(check_username(" Mario.Rossi ").unwrap(), "mario.rossi");
        assert_eq!(Status::parse("in-attesa"), Ok(Status::Pending));
        assert!(check_reason("no").is_err());
    }
}
