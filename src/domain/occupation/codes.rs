//! The code lists of the regional feed of occupations (anpu-occupazioni.xsd) with their Italian
//! labels. The values and labels are configuration (`fixtures/anpu_codici.csv`, stored in the
//! database): the program knows only which lists exist, never their contents.

use serde::Serialize;
use std::collections::BTreeMap;

/// The lists of values of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CodeList {
    /// idTipoOccupazione.
    OccupationType,
    /// idTipoAttoLegittimante.
    LegitimatingAct,
    /// idTipoPresenzaDebito.
    DebtPresence,
    /// The four flgTipoDebito… attributes, one code each.
    DebtType,
    /// prefissoIndirizzo.
    AddressPrefix,
}

impl CodeList {
    pub const ALL: [CodeList; 5] = [
        CodeList::OccupationType,
        CodeList::LegitimatingAct,
        CodeList::DebtPresence,
        CodeList::DebtType,
        CodeList::AddressPrefix,
    ];

    /// The list's name in the configuration file and the database.
    pub fn key(self) -> &'static str {
        match self {
            CodeList::OccupationType => "tipo_occupazione",
            CodeList::LegitimatingAct => "atto_legittimante",
            CodeList::DebtPresence => "presenza_debito",
            CodeList::DebtType => "tipo_debito",
            CodeList::AddressPrefix => "prefisso_indirizzo",
        }
    }

    pub fn from_key(key: &str) -> Option<CodeList> {
        CodeList::ALL.into_iter().find(|l| l.key() == key)
    }

    /// Italian name, for messages and list-of-values titles.
    pub fn label(self) -> &'static str {
        match self {
            CodeList::OccupationType => "tipo di occupazione",
            CodeList::LegitimatingAct => "tipo di atto legittimante",
            CodeList::DebtPresence => "presenza di debito",
            CodeList::DebtType => "tipo di debito",
            CodeList::AddressPrefix => "prefisso dell'indirizzo",
        }
    }
}

/// One value of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    pub code: i64,
    pub label: String,
    pub source: String,
    /// False where the sources disagree or only a comment gives the label.
    pub verified: bool,
}

/// Every list, as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeLists {
    lists: BTreeMap<CodeList, Vec<Code>>,
}

impl CodeLists {
    /// Adds a value (configuration loading); a repeated code replaces the earlier one.
    pub fn insert(&mut self, list: CodeList, code: Code) {
        let v = self.lists.entry(list).or_default();
        v.retain(|c| c.code != code.code);
        v.push(code);
        v.sort_by_key(|c| c.code);
    }

    pub fn get(&self, list: CodeList, code: i64) -> Option<&Code> {
        self.lists.get(&list)?.iter().find(|c| c.code == code)
    }

    pub fn entries(&self, list: CodeList) -> &[Code] {
        self.lists.get(&list).map_or(&[], Vec::as_slice)
    }

    /// "1 Occupazione con violenza o effrazione", or the bare code when the list lacks it.
    pub fn describe(&self, list: CodeList, code: i64) -> String {
        match self.get(list, code) {
            Some(c) => format!("{} {}", c.code, c.label),
            None => code.to_string(),
        }
    }

    /// The label of `code`, or the bare code.
    pub fn label(&self, list: CodeList, code: i64) -> String {
        self.get(list, code)
            .map_or_else(|| code.to_string(), |c| c.label.clone())
    }

    /// Checks that `code` is in `list`; the message lists the accepted codes.
    pub fn check(&self, list: CodeList, code: i64) -> Result<(), String> {
        if self.get(list, code).is_some() {
            return Ok(());
        }
        let accepted: Vec<String> = self
            .entries(list)
            .iter()
            .map(|c| format!("{} {}", c.code, c.label))
            .collect();
        Err(format!(
            "{} {code} non previsto (valori ammessi: {})",
            list.label(),
            accepted.join("; ")
        ))
    }

    /// The code whose label matches `label` (accents, case and spacing ignored), or whose
    /// number is `label`: what a user types in a coded field.
    pub fn parse(&self, list: CodeList, label: &str) -> Result<i64, String> {
        let t = label.trim();
        if let Ok(n) = t.parse::<i64>() {
            self.check(list, n)?;
            return Ok(n);
        }
        let f = super::super::registry::fold_label(t);
        self.entries(list)
            .iter()
            .find(|c| super::super::registry::fold_label(&c.label) == f)
            .map(|c| c.code)
            .ok_or_else(|| {
                self.check(list, i64::MIN)
                    .unwrap_err()
                    .replace(&i64::MIN.to_string(), &format!("'{t}'"))
            })
    }
}
