//! Lists of values for the search form (F4): comuni by name or ISTAT code, provinces, owners.

use crate::domain::registry::{OwnerKind, fold_label};
use crate::domain::unit_filter::{ComuneQuery, FilterError, FilterField, Visibility};
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComuneRef {
    pub istat: String,
    pub name: String,
    /// Sigla of the province.
    pub province: String,
}

fn all_comuni(conn: &Connection) -> Result<Vec<ComuneRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT istat_code, name, province FROM municipality ORDER BY sort_rank, istat_code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ComuneRef {
            istat: r.get(0)?,
            name: r.get(1)?,
            province: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Comuni whose ISTAT code starts with `prefix`, or whose name does (ignoring case, accents,
/// apostrophes and dashes), alphabetical, at most `limit`. Names where a later word starts with
/// the prefix ("Cassano d'Adda" for "adda") follow the direct matches.
pub fn comuni_matching(conn: &Connection, prefix: &str, limit: usize) -> Result<Vec<ComuneRef>> {
    let p = fold_name(prefix);
    let all = all_comuni(conn)?;
    if p.is_empty() {
        return Ok(all.into_iter().take(limit).collect());
    }
    let digits = p.bytes().all(|b| b.is_ascii_digit());
    let mut first = Vec::new();
    let mut later = Vec::new();
    for c in all {
        if digits {
            if c.istat.starts_with(&p) {
                first.push(c);
            }
            continue;
        }
        let name = fold_name(&c.name);
        if name.starts_with(&p) {
            first.push(c);
        } else if name.split(' ').skip(1).any(|w| w.starts_with(&p)) {
            later.push(c);
        }
    }
    first.extend(later);
    first.truncate(limit);
    Ok(first)
}

/// Folds a name for comparison: `fold_label` plus apostrophes read as spaces.
fn fold_name(s: &str) -> String {
    fold_label(&s.replace(['\'', '’', '`'], " "))
}

/// The one comune a query names: its ISTAT code, its exact name, or a prefix only one name has.
pub fn resolve_comune(conn: &Connection, query: &ComuneQuery) -> Result<ComuneRef, FilterError> {
    let fail = |message: String| FilterError {
        field: FilterField::Comune,
        message,
    };
    match query {
        ComuneQuery::Istat(code) => {
            let found = conn
                .query_row(
                    "SELECT istat_code, name, province FROM municipality WHERE istat_code = ?1",
                    [code],
                    |r| {
                        Ok(ComuneRef {
                            istat: r.get(0)?,
                            name: r.get(1)?,
                            province: r.get(2)?,
                        })
                    },
                )
                .optional()
                .map_err(|e| fail(format!("lettura dei comuni non riuscita: {e}")))?;
            found.ok_or_else(|| fail(format!("nessun comune lombardo ha codice ISTAT {code}")))
        }
        ComuneQuery::Name(name) => {
            let matches = comuni_matching(conn, name, 2000)
                .map_err(|e| fail(format!("lettura dei comuni non riuscita: {e:#}")))?;
            let folded = fold_name(name);
            if let Some(exact) = matches.iter().find(|c| fold_name(&c.name) == folded) {
                return Ok(exact.clone());
            }
            let direct: Vec<&ComuneRef> = matches
                .iter()
                .filter(|c| fold_name(&c.name).starts_with(&folded))
                .collect();
            match direct.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(fail(format!("nessun comune lombardo si chiama '{name}'"))),
                many => {
                    let names: Vec<String> = many
                        .iter()
                        .take(5)
                        .map(|c| format!("{} ({})", c.name, c.istat))
                        .collect();
                    let more = if many.len() > 5 { ", …" } else { "" };
                    Err(fail(format!(
                        "'{name}' indica {} comuni: {}{more}; indicare il nome completo o il codice ISTAT",
                        many.len(),
                        names.join(", ")
                    )))
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvinceRef {
    pub sigla: String,
    pub name: String,
}

pub fn provinces(conn: &Connection) -> Result<Vec<ProvinceRef>> {
    let mut stmt = conn.prepare_cached("SELECT sigla, name FROM province ORDER BY sigla")?;
    let rows = stmt.query_map([], |r| {
        Ok(ProvinceRef {
            sigla: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses a province sigla that is not Lombardy's.
pub fn check_province(conn: &Connection, sigla: &str) -> Result<(), FilterError> {
    let known = provinces(conn).map_err(|e| FilterError {
        field: FilterField::Province,
        message: format!("lettura delle province non riuscita: {e:#}"),
    })?;
    if known.iter().any(|p| p.sigla == sigla) {
        return Ok(());
    }
    let list: Vec<&str> = known.iter().map(|p| p.sigla.as_str()).collect();
    Err(FilterError {
        field: FilterField::Province,
        message: format!(
            "'{sigla}' non è una provincia lombarda (ammesse: {})",
            list.join(", ")
        ),
    })
}

/// An owner in a list of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerChoice {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub tax_code: String,
}

/// Owners the operator may see whose name contains `text` (ignoring case and accents), ALERs
/// first, then alphabetical; at most `limit`.
pub fn owners_matching(
    conn: &Connection,
    text: &str,
    visibility: &Visibility,
    limit: usize,
) -> Result<Vec<OwnerChoice>> {
    let t = fold_name(text);
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, name, tax_code FROM owner WHERE kind IN (1, 2, 3)
         ORDER BY kind = 2 DESC, name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        let kind: i64 = r.get(1)?;
        Ok(OwnerChoice {
            id: r.get(0)?,
            kind: OwnerKind::from_code(kind)
                .map(|k| k.label().to_string())
                .unwrap_or_default(),
            name: r.get(2)?,
            tax_code: r.get(3)?,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let o = row?;
        if !visibility.allows(o.id) {
            continue;
        }
        if t.is_empty() || fold_name(&o.name).contains(&t) || o.tax_code.starts_with(&t) {
            out.push(o);
            if out.len() == limit {
                break;
            }
        }
    }
    Ok(out)
}
