//! `casa rankings show|excluded|export|compare`: reading a notice's rankings, its exclusions,
//! writing them to a file, comparing them under another rule set.

use crate::cli::output::{Format, Listing};
use crate::cli::{Global, InvalidInput, open};
use crate::domain::application::euro;
use crate::domain::isbar::points;
use crate::service::Need;
use crate::service::rankings::RankingsFile;
use anyhow::{Result, anyhow};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct ShownRow<'a> {
    owner: &'a str,
    owner_id: i64,
    comune: &'a str,
    istat_code: &'a str,
    state: &'a str,
    position: i64,
    id_domanda: &'a str,
    isbar: f64,
    familiari: f64,
    abitative: f64,
    economica: f64,
    residenza_regione: f64,
    residenza_comune: f64,
    isee: f64,
    indigente: bool,
    senza_preferenze: bool,
    id_alloggio_1: Option<i64>,
    id_alloggio_2: Option<i64>,
    categorie: &'a str,
    /// Where the application stands in the assignments (IN ISTRUTTORIA, ASSEGNATA, RIMOSSA).
    assegnazione: Option<&'a str>,
}

fn h(v: i64) -> f64 {
    v as f64 / 100.0
}

pub(super) fn show(
    g: &Global,
    notice: i64,
    owner: Option<&str>,
    comune: Option<&str>,
    limit: Option<usize>,
    format: Format,
) -> Result<()> {
    let shown = open(g, Need::Read)?.ranking_tables(notice, owner, comune, limit)?;
    let items: Vec<ShownRow> = shown
        .tables
        .iter()
        .flat_map(|(r, rows)| {
            rows.iter().map(move |e| ShownRow {
                owner: &r.owner_name,
                owner_id: r.owner_id,
                comune: &r.comune,
                istat_code: &r.istat_code,
                state: &r.state,
                position: e.position,
                id_domanda: &e.code,
                isbar: h(e.isbar),
                familiari: h(e.familiari),
                abitative: h(e.abitative),
                economica: h(e.economica),
                residenza_regione: h(e.residenza_regione),
                residenza_comune: h(e.residenza_comune),
                isee: h(e.isee_cents),
                indigente: e.indigent,
                senza_preferenze: e.without_preferences,
                id_alloggio_1: e.unit1,
                id_alloggio_2: e.unit2,
                categorie: &e.conditions,
                assegnazione: e.outcome.as_deref(),
            })
        })
        .collect();
    if format == Format::Table
        && let Some(u) = &shown.unverified
    {
        eprintln!("{u}");
    }
    let rows = items
        .iter()
        .map(|r| {
            vec![
                r.owner.to_string(),
                r.comune.to_string(),
                r.state.to_string(),
                r.position.to_string(),
                r.id_domanda.to_string(),
                points((r.isbar * 100.0).round() as i64),
                if r.indigente { "SI" } else { "NO" }.into(),
                r.categorie.to_string(),
                r.id_alloggio_1.map(|u| u.to_string()).unwrap_or_default(),
                r.id_alloggio_2.map(|u| u.to_string()).unwrap_or_default(),
                euro((r.isee * 100.0).round() as i64),
                r.assegnazione.unwrap_or_default().to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ENTE",
            "COMUNE",
            "STATO",
            "POSIZIONE",
            "ID DOMANDA",
            "ISBAR",
            "INDIGENTE",
            "CATEGORIE",
            "ID ALLOGGIO 1",
            "ID ALLOGGIO 2",
            "ISEE",
            "ASSEGNAZIONE",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

pub(super) fn excluded(g: &Global, notice: i64, preferences: bool, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    if preferences {
        let rows_data = svc.dropped_preferences(notice)?;
        let rows = rows_data
            .iter()
            .map(|x| vec![x.code.clone(), x.unit_id.to_string(), x.reason.clone()])
            .collect();
        return Listing {
            headers: &["ID DOMANDA", "ID ALLOGGIO", "MOTIVO"],
            rows,
            items: &rows_data,
        }
        .print(format);
    }
    let rows_data = svc.excluded_applications(notice)?;
    let rows = rows_data
        .iter()
        .map(|x| vec![x.code.clone(), x.requirement.clone(), x.reason.clone()])
        .collect();
    Listing {
        headers: &["ID DOMANDA", "REQUISITO", "MOTIVO"],
        rows,
        items: &rows_data,
    }
    .print(format)?;
    if format == Format::Table {
        let n = svc.dropped_preferences(notice)?.len();
        if n > 0 {
            println!(
                "{n} alloggi scelti non considerati: `casa rankings excluded --notice {notice} --preferences`"
            );
        }
    }
    Ok(())
}

pub(super) fn export(
    g: &Global,
    notice: i64,
    out: &crate::output_file::Target,
    internal: bool,
) -> Result<()> {
    out.ensure_usable(&crate::output_file::XLSX)?;
    let form = if internal {
        RankingsFile::Internal
    } else {
        RankingsFile::Published
    };
    let written = open(g, Need::Read)?.export_rankings(notice, out, form)?;
    out.announce(&format!(
        "{} graduatorie esportate in {}{}",
        written,
        out.shown(),
        if internal { " (modulo interno)" } else { "" }
    ));
    Ok(())
}

#[derive(Serialize)]
struct MovedRow<'a> {
    owner: &'a str,
    comune: &'a str,
    id_domanda: &'a str,
    before: Option<usize>,
    after: Option<usize>,
    delta: i64,
}

pub(super) fn compare(
    g: &Global,
    notice: i64,
    stored: Option<&str>,
    file: Option<&Path>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let other = match (stored, file) {
        (Some(r), None) => svc.rule_set(r)?,
        (None, Some(f)) => {
            let text = crate::bounded::read_text(
                f,
                crate::bounded::limits::RULE_SET_BYTES,
                "file delle regole",
            )
            .map_err(|e| anyhow!(InvalidInput(e.0)))?;
            svc.rule_set_file(&f.display().to_string(), &text)?
        }
        _ => {
            return Err(anyhow!(InvalidInput(
                "indicare --rules (regole memorizzate) o --rules-file (un file)".into()
            )));
        }
    };
    let w = svc.what_if(notice, other)?;
    let (label, unverified, comparisons) = (w.label, w.unverified, w.comparisons);
    if format == Format::Json {
        let v = serde_json::json!({ "notice": notice, "rule_set": label, "rankings": comparisons });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let items: Vec<MovedRow> = comparisons
        .iter()
        .flat_map(|c| {
            c.movements.iter().map(move |m| MovedRow {
                owner: &c.owner_name,
                comune: &c.comune,
                id_domanda: &m.code,
                before: m.before,
                after: m.after,
                delta: m.delta,
            })
        })
        .collect();
    if format == Format::Table {
        let moved: usize = comparisons.iter().map(|c| c.movements.len()).sum();
        println!(
            "Avviso {notice} ricalcolato con {label} (nulla è cambiato): {} graduatorie, {moved} domande si spostano",
            comparisons.len()
        );
        if let Some(u) = unverified {
            println!("{u}");
        }
    }
    let pos = |p: Option<usize>| p.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
    let rows = items
        .iter()
        .map(|m| {
            vec![
                m.owner.to_string(),
                m.comune.to_string(),
                m.id_domanda.to_string(),
                pos(m.before),
                pos(m.after),
                match (m.before, m.after) {
                    (Some(_), Some(_)) if m.delta > 0 => format!("+{}", m.delta),
                    (Some(_), Some(_)) => m.delta.to_string(),
                    (None, Some(_)) => "entra".into(),
                    (Some(_), None) => "esce".into(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ENTE",
            "COMUNE",
            "ID DOMANDA",
            "PRIMA",
            "DOPO",
            "SPOSTAMENTO",
        ],
        rows,
        items: &items,
    }
    .print(format)
}
