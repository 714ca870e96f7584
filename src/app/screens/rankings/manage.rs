//! The capofila's changes in the Graduatorie area: a new notice, closing it, importing its
//! applications from a file, computing, correcting (rettifica) and finalizing its rankings.
//! The screens offer them to whom the service says may manage the notice; the service checks
//! again on each. Closing, computing and finalizing ask first (a second press confirms).

use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::form::Form;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Actions that change notices and rankings: they need the capofila's role, not the ANAGRAFE
/// service, so the registry filter of the legend does not apply to them.
pub fn is_notice_action(action: Action) -> bool {
    matches!(
        action,
        Action::NoticeNew
            | Action::NoticeClose
            | Action::ApplicationsImport
            | Action::RankingsCompute
            | Action::RankingsCorrect
            | Action::RankingsFinalize
    )
}

/// A change asked of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    CreateNotice {
        title: String,
        opens_on: NaiveDate,
        closes_on: NaiveDate,
    },
    Close {
        notice_id: i64,
    },
    Import {
        notice_id: i64,
        file: PathBuf,
    },
    Compute {
        notice_id: i64,
    },
    Correct {
        notice_id: i64,
        code: String,
        tax_code: String,
        disability_pct: u8,
        attendance: bool,
    },
    Finalize {
        notice_id: i64,
    },
}

/// What a change came to: the message line and, for a refused file, its problems by line.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub message: Message,
    pub problems: Vec<String>,
}

fn date(label: &str, v: &str) -> Result<NaiveDate, String> {
    crate::domain::dates::parse(v, crate::domain::dates::ADMIN_YEARS)
        .map_err(|_| format!("{label}: '{v}' non è una data (GG/MM/AAAA)"))
}

/// The "Nuovo avviso" dialog.
pub fn new_notice_form() -> Form {
    Form::new(
        "NUOVO AVVISO",
        &[
            ("Titolo", 200, ""),
            ("Data apertura (GG/MM/AAAA)", 10, ""),
            ("Data chiusura (GG/MM/AAAA)", 10, ""),
        ],
    )
}

/// The new notice's values, or the field at fault and why (the store checks the rest: the
/// rule set's minimum days, the title's length).
pub fn new_notice(form: &Form) -> Result<Act, (usize, String)> {
    let v = form.values();
    if v[0].is_empty() {
        return Err((0, "Titolo: il titolo dell'avviso è obbligatorio".into()));
    }
    let opens_on = date("Data apertura", v[1]).map_err(|m| (1, m))?;
    let closes_on = date("Data chiusura", v[2]).map_err(|m| (2, m))?;
    if closes_on <= opens_on {
        return Err((
            2,
            "Data chiusura: deve seguire la data di apertura".to_string(),
        ));
    }
    Ok(Act::CreateNotice {
        title: v[0].to_string(),
        opens_on,
        closes_on,
    })
}

/// The import dialog: the file (relative to the directory casa was started in).
pub fn import_form() -> Form {
    Form::new(
        "IMPORTA DOMANDE",
        &[("File delle domande (.csv o .xlsx)", 255, "")],
    )
}

pub fn import(form: &Form, notice_id: i64) -> Result<Act, (usize, String)> {
    let v = form.values()[0];
    if v.is_empty() {
        return Err((0, "File: indicare il file delle domande".into()));
    }
    let file = std::path::absolute(v).unwrap_or_else(|_| PathBuf::from(v));
    Ok(Act::Import { notice_id, file })
}

/// The correction dialog, with the ID domanda already there when known.
pub fn correct_form(code: &str) -> Form {
    let mut f = Form::new(
        "RETTIFICA: INVALIDITÀ RICONOSCIUTA DOPO LA DOMANDA",
        &[
            ("ID domanda", 40, code),
            ("Codice fiscale del componente", 16, ""),
            ("Percentuale di invalidità (0-100)", 3, ""),
            ("Indennità di accompagnamento (SI/NO)", 2, "NO"),
        ],
    );
    f.focus = usize::from(!code.is_empty());
    f
}

pub fn correct(form: &Form, notice_id: i64) -> Result<Act, (usize, String)> {
    let v = form.values();
    if v[0].is_empty() {
        return Err((0, "ID domanda: indicare la domanda da rettificare".into()));
    }
    let tax_code = v[1].to_uppercase();
    if tax_code.len() != 16 {
        return Err((1, format!("Codice fiscale: '{}' non ha 16 caratteri", v[1])));
    }
    let disability_pct = match v[2].parse::<u8>() {
        Ok(p) if p <= 100 => p,
        _ => {
            return Err((
                2,
                format!("Percentuale: '{}' non è un numero intero da 0 a 100", v[2]),
            ));
        }
    };
    let attendance = match crate::domain::registry::parse_flag(v[3]) {
        Ok(Some(a)) => a,
        _ => return Err((3, "Indennità di accompagnamento: indicare SI o NO".into())),
    };
    Ok(Act::Correct {
        notice_id,
        code: v[0].to_string(),
        tax_code,
        disability_pct,
        attendance,
    })
}

/// The search of an ID domanda in every ranking of the notice.
pub fn find_form() -> Form {
    Form::new(
        "CERCA ID DOMANDA IN TUTTE LE GRADUATORIE",
        &[("ID domanda (anche parziale)", 40, "")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(mut f: Form, values: &[&str]) -> Form {
        for (field, v) in f.fields.iter_mut().zip(values) {
            field.set(v);
        }
        f
    }

    #[test]
    fn new_notice_errors_name_the_field() {
        let err = |v: &[&str]| new_notice(&filled(new_notice_form(), v)).unwrap_err();
        assert_eq!(err(&["", "01/02/2027", "31/03/2027"]).0, 0);
        assert_eq!(err(&["Avviso", "31/02/2027", "31/03/2027"]).0, 1);
        assert_eq!(err(&["Avviso", "01/02/2027", "01/01/2027"]).0, 2);
        assert!(matches!(
            new_notice(&filled(
                new_notice_form(),
                &["Avviso", "01/02/2027", "2027-03-31"]
            )),
            Ok(Act::CreateNotice { .. })
        ));
    }

    #[test]
    fn correction_errors_name_the_field() {
        let err = |v: &[&str]| correct(&filled(correct_form(""), v), 1).unwrap_err().0;
        assert_eq!(err(&["", "RSSMRA80A01F205X", "70", "NO"]), 0);
        assert_eq!(err(&["D1", "RSSMRA", "70", "NO"]), 1);
        assert_eq!(err(&["D1", "RSSMRA80A01F205X", "170", "NO"]), 2);
        assert_eq!(err(&["D1", "RSSMRA80A01F205X", "70", "forse"]), 3);
        assert!(matches!(
            correct(
                &filled(correct_form(""), &["D1", "rssmra80a01f205x", "70", "si"]),
                1
            ),
            Ok(Act::Correct {
                attendance: true,
                disability_pct: 70,
                ..
            })
        ));
        // The ID known from the ranking is there, the cursor on the next field.
        assert_eq!(correct_form("D7").focus, 1);
    }
}
