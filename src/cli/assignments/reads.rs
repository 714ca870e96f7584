//! The reads of `casa assignments`: the ledger, one assignment, the list of a year, the
//! what-if.

use super::{key, owner_id};
use crate::cli::output::{Format, Listing};
use crate::cli::{Global, InvalidInput, open};
use crate::domain::assignment::{Line, Stage};
use crate::domain::communication::Pct;
use crate::service::{Need, today};
use crate::store::assignments::{AssignmentRow, LedgerKey, LedgerView, ListFilter};
use anyhow::{Result, anyhow};
use chrono::Datelike;
use serde::Serialize;

#[derive(Serialize)]
struct LedgerLine<'a> {
    ente: &'a str,
    ente_id: i64,
    comune: &'a str,
    istat: &'a str,
    anno: i32,
    disponibili: u64,
    previste_dal_piano: Option<u64>,
    in_attesa: u64,
    linea: String,
    percentuale: Option<f64>,
    quota: Option<u64>,
    usate: u64,
    in_corso: u64,
    dovute: Option<u64>,
    prossima_unita: &'static str,
    regole: &'a str,
    fonte: &'a str,
}

pub(super) fn ledger(
    g: &Global,
    year: Option<i32>,
    owner: Option<&str>,
    comune: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let owner = owner_id(&svc, owner)?;
    let istat = comune
        .map(|c| svc.find_comune("--comune", c).map(|c| c.0))
        .transpose()?;
    let year = year.unwrap_or_else(|| today().year());
    // One ledger named: refused when the operator may not read it.
    let views = match (owner, &istat) {
        (Some(owner_id), Some(istat)) => vec![svc.assignment_ledger(&LedgerKey {
            owner_id,
            istat: istat.clone(),
            year,
        })?],
        _ => svc.assignment_ledgers(year, owner, istat.as_deref())?,
    };
    if views.is_empty() {
        warn!(
            "Nessuna unità disponibile nel {year} per questi filtri tra i registri che l'operatore può consultare"
        );
    }
    let items: Vec<LedgerLine> = views.iter().flat_map(lines).collect();
    if format == Format::Table && !views.is_empty() {
        for v in &views {
            say!("{}", v.headline());
        }
        if let Some(u) = views[0].unverified.as_deref() {
            warn!("{u}");
        }
        println!();
    }
    let rows = items
        .iter()
        .map(|l| {
            vec![
                l.ente.to_string(),
                l.comune.to_string(),
                l.disponibili.to_string(),
                l.linea.clone(),
                l.percentuale
                    .map(|p| Pct((p * 100.0).round() as u32).to_string())
                    .unwrap_or_default(),
                l.quota.map(|q| q.to_string()).unwrap_or_default(),
                l.usate.to_string(),
                l.in_corso.to_string(),
                l.dovute.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "Ente",
            "Comune",
            "Disponibili",
            "Linea",
            "%",
            "Quota",
            "Usate",
            "In corso",
            "Dovute",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

fn lines(v: &LedgerView) -> Vec<LedgerLine<'_>> {
    let next = match v.next_line() {
        Line::Indigenti => "indigenti",
        Line::Riserva(_) => "riserva",
        Line::Graduatoria => "graduatoria",
    };
    v.ledger
        .lines
        .iter()
        .map(|s| LedgerLine {
            ente: &v.owner_name,
            ente_id: v.key.owner_id,
            comune: &v.comune,
            istat: &v.key.istat,
            anno: v.key.year,
            disponibili: v.ledger.base,
            previste_dal_piano: v.ledger.shares.forecast,
            in_attesa: v.waiting,
            linea: s.label(v.ledger.shares.other_name.as_deref()),
            percentuale: s.pct.map(|p| p as f64 / 100.0),
            quota: (s.line != Line::Graduatoria).then_some(s.quota),
            usate: s.used,
            in_corso: s.in_progress,
            dovute: (s.line != Line::Graduatoria).then_some(s.owed()),
            prossima_unita: next,
            regole: &v.rule_set,
            fonte: &v.ledger.shares.source,
        })
        .collect()
}

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    a: &'a AssignmentRow,
}

pub(super) fn print_assignment(a: &AssignmentRow) {
    say!(
        "Assegnazione {} · unità {} ({}, {}) · {} · anno {}",
        a.id,
        a.unit_id,
        a.address,
        a.comune,
        a.owner_name,
        a.year
    );
    say!(
        "Domanda {} · {} · stato {} · versione {}",
        a.code,
        a.line.label(),
        a.stage,
        a.version
    );
    let dates = [
        ("proposta", Some(&a.proposed_on)),
        ("offerta", a.offered_on.as_ref()),
        ("risposta entro", a.answer_by.as_ref()),
        ("esito", a.outcome_on.as_ref()),
        ("provvedimento", a.act_date.as_ref()),
        ("contratto", a.lease_date.as_ref()),
    ];
    let d: Vec<String> = dates
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
        .collect();
    say!("{}", d.join(" · "));
    if let Some(n) = &a.act_number {
        say!("Provvedimento n. {n}");
    }
    if let Some(r) = &a.outcome_reason {
        say!("Motivo: {r}");
    }
    for l in &a.explanation {
        say!("  {l}");
    }
}

pub(super) fn show(g: &Global, id: i64, format: Format) -> Result<()> {
    let a = open(g, Need::Read)?.assignment(id)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&Shown { a: &a })?);
    } else {
        print_assignment(&a);
    }
    Ok(())
}

#[derive(Serialize)]
struct Listed<'a> {
    id: i64,
    id_alloggio: i64,
    codice_ui: &'a str,
    ente: &'a str,
    comune: &'a str,
    anno: i32,
    id_domanda: &'a str,
    linea: &'static str,
    stato: &'static str,
    proposta: &'a str,
    offerta: Option<&'a str>,
    risposta_entro: Option<&'a str>,
    esito: Option<&'a str>,
    motivo: Option<&'a str>,
    provvedimento: Option<&'a str>,
    data_provvedimento: Option<&'a str>,
    contratto: Option<&'a str>,
    versione: i64,
}

pub(super) fn list(
    g: &Global,
    year: Option<i32>,
    owner: Option<&str>,
    comune: Option<&str>,
    stage: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let stages = match stage {
        Some(s) => vec![
            Stage::from_db(&s.trim().to_uppercase().replace('_', " ")).ok_or_else(|| {
                anyhow!(InvalidInput(format!(
                    "--stage: '{s}' non è uno stato (ammessi: {})",
                    Stage::ALL.map(|s| s.db()).join(", ")
                )))
            })?,
        ],
        None => Vec::new(),
    };
    let filter = ListFilter {
        year: year.unwrap_or_else(|| today().year()),
        owner_id: owner_id(&svc, owner)?,
        istat: comune
            .map(|c| svc.find_comune("--comune", c).map(|c| c.0))
            .transpose()?,
        stages,
    };
    let all = svc.assignments(&filter)?;
    let items: Vec<Listed> = all
        .iter()
        .map(|a| Listed {
            id: a.id,
            id_alloggio: a.unit_id,
            codice_ui: &a.unit_code,
            ente: &a.owner_name,
            comune: &a.comune,
            anno: a.year,
            id_domanda: &a.code,
            linea: a.line.label(),
            stato: a.stage.db(),
            proposta: &a.proposed_on,
            offerta: a.offered_on.as_deref(),
            risposta_entro: a.answer_by.as_deref(),
            esito: a.outcome_on.as_deref(),
            motivo: a.outcome_reason.as_deref(),
            provvedimento: a.act_number.as_deref(),
            data_provvedimento: a.act_date.as_deref(),
            contratto: a.lease_date.as_deref(),
            versione: a.version,
        })
        .collect();
    let rows = items
        .iter()
        .map(|l| {
            vec![
                l.id.to_string(),
                l.id_alloggio.to_string(),
                l.comune.to_string(),
                l.id_domanda.to_string(),
                l.linea.to_string(),
                l.stato.to_string(),
                l.provvedimento.unwrap_or_default().to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "N.",
            "ID alloggio",
            "Comune",
            "ID domanda",
            "Linea",
            "Stato",
            "Provvedimento",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn what_if(
    g: &Global,
    owner: &str,
    comune: &str,
    year: Option<i32>,
    rules: Option<&str>,
    rules_file: Option<&std::path::Path>,
    h: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let k = key(&svc, owner, comune, year)?;
    let other = match (rules, rules_file) {
        (Some(r), _) => Some(svc.rule_set(r)?.1),
        (None, Some(f)) => {
            let text = crate::bounded::read_text(
                f,
                crate::bounded::limits::RULE_SET_BYTES,
                "file delle regole",
            )
            .map_err(|e| anyhow!(InvalidInput(e.0)))?;
            Some(svc.rule_set_file(&f.display().to_string(), &text)?.1)
        }
        (None, None) => None,
    };
    let h = h
        .map(|t| {
            Pct::parse(t, 2)
                .map(|p| u64::from(p.0))
                .map_err(|e| anyhow!(InvalidInput(format!("--indigenti-pct: {e}"))))
        })
        .transpose()?;
    if other.is_none() && h.is_none() {
        return Err(anyhow!(InvalidInput(
            "indicare --rules, --rules-file o --indigenti-pct: con cosa confrontare".into()
        )));
    }
    let w = svc.assignment_what_if(&k, other.as_ref(), h)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&w)?);
        return Ok(());
    }
    say!(
        "{} · {} {}: regole {} → {}, soglia eccedente indigenti {} → {} (nulla viene salvato)",
        w.owner_name,
        w.comune,
        w.key.year,
        w.rules_actual,
        w.rules_other,
        Pct(w.h_actual as u32),
        Pct(w.h_other as u32)
    );
    for l in &w.replay.actual.lines {
        let r = w.replay.replay.line(l.line);
        say!(
            "  {}: assegnate {} → {}, quota {} → {}",
            l.line.label(),
            l.used,
            r.used,
            l.quota,
            r.quota
        );
    }
    say!(
        "{} unità su {} cambierebbero nucleo o linea",
        w.replay.changed(),
        w.replay.rows.len()
    );
    let rows = w
        .replay
        .rows
        .iter()
        .filter(|r| r.differs())
        .map(|r| {
            vec![
                r.unit_id.to_string(),
                r.actual_code.clone(),
                r.actual_line.short().to_string(),
                r.replay_code.clone().unwrap_or_else(|| "nessuno".into()),
                r.replay_line.map(|l| l.short()).unwrap_or("-").to_string(),
            ]
        })
        .collect::<Vec<_>>();
    if !rows.is_empty() {
        let mut out = std::io::stdout().lock();
        crate::cli::output::write_table(
            &mut out,
            &[
                "ID alloggio",
                "Assegnata a",
                "Linea",
                "Con le altre regole",
                "Linea",
            ],
            &rows,
        )?;
    }
    Ok(())
}
