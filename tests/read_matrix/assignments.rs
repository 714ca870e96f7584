//! Reads of the Assegnazione area (issue 16): the ledgers of the year, one ledger with its
//! units, an istruttoria, the preview of a proposal, the list of the year and the what-if.

use super::*;
use casa::app::screens::assignments::{Data as A, Query as Q};
use casa::store::assignments::LedgerKey;
use chrono::Datelike;

fn assignments(query: Q) -> Request {
    Request::Assignments {
        generation: 1,
        query,
    }
}

fn assignment_answer(pick: impl Fn(&A) -> Option<Vec<String>> + 'static) -> TuiRows {
    answer(move |d| match d {
        DataMsg::Assignments { data, .. } => pick(data),
        _ => None,
    })
}

/// "owner istat" of every ledger of the year `who` reads, by the rule: every one for the
/// Regione and the helpdesk, the district's for its capofila, its owners' for an AVVISI
/// operator.
fn readable_ledgers(f: &Fixture, who: &str, year: i32) -> Vec<String> {
    let r = f.role(who);
    matrix_rows(
        f,
        &format!(
            "SELECT DISTINCT v.owner_id || ' ' || v.istat_code || ' ' || ifnull(dm.district_id, '')
               FROM availability v LEFT JOIN district_municipality dm ON dm.istat_code = v.istat_code
              WHERE v.year = {year} AND (v.closed IS NULL OR v.closed = 'ASSEGNATA')"
        ),
    )
    .into_iter()
    .filter_map(|x| {
        let mut p = x.split(' ');
        let (o, c, d) = (p.next()?, p.next()?, p.next()?);
        r.reads_ledger(d.parse().ok(), o.parse().ok()?)
            .then(|| format!("{o} {c}"))
    })
    .collect()
}

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let year = chrono::Local::now().date_naive().year();
    let key = LedgerKey {
        owner_id: f.seriate_owner,
        istat: SERIATE.into(),
        year,
    };
    let seriate = move |who: &str| f.role(who).reads_ledger(Some(f.district), f.seriate_owner);
    vec![
        Read {
            name: "assignments ledger / Alloggi da assegnare",
            cli: Some((
                s(&["assignments", "ledger", "--format", "json"]),
                Box::new(|v| {
                    let mut rows: Vec<String> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|x| format!("{} {}", x["ente_id"], text(&x["istat"])))
                        .collect();
                    rows.sort();
                    rows.dedup();
                    rows
                }),
            )),
            tui: Some((
                assignments(Q::Ledgers { year }),
                assignment_answer(|d| match d {
                    A::Ledgers(v) => Some(
                        v.iter()
                            .map(|l| format!("{} {}", l.key.owner_id, l.key.istat))
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).reads_assignments(), || {
                    readable_ledgers(f, who, year)
                })
            }),
        },
        Read {
            name: "assignments ledger --owner --comune / a ledger and its units",
            cli: Some((
                s(&[
                    "assignments",
                    "ledger",
                    "--owner",
                    SERIATE,
                    "--comune",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                Box::new(|v| {
                    let mut rows: Vec<String> = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|x| format!("base {}", x["disponibili"]))
                        .collect();
                    rows.dedup();
                    rows
                }),
            )),
            tui: Some((
                assignments(Q::Ledger {
                    key: key.clone(),
                    after: None,
                    limit: 50,
                }),
                assignment_answer(|d| match d {
                    A::Ledger { view, .. } => Some(vec![format!("base {}", view.ledger.base)]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let r = f.role(who);
                if r.reads_assignments() && !seriate(who) {
                    // The CLI lists no ledger (filtered out), the screen's read is refused:
                    // both say the operator may not read it.
                    return Want::Denied;
                }
                f.when(seriate(who), || {
                    vec![format!(
                        "base {}",
                        matrix_rows(
                            f,
                            &format!(
                                "SELECT count(*) FROM availability WHERE year = {year}
                                   AND owner_id = {} AND istat_code = '{SERIATE}'
                                   AND (closed IS NULL OR closed = 'ASSEGNATA')",
                                f.seriate_owner
                            )
                        )[0]
                    )]
                })
            }),
        },
        Read {
            name: "assignments show / Istruttoria",
            cli: Some((
                s(&[
                    "assignments",
                    "show",
                    &f.assignment.to_string(),
                    "--format",
                    "json",
                ]),
                Box::new(|v| vec![format!("{} {}", v["id"], text(&v["stage"]))]),
            )),
            tui: Some((
                assignments(Q::Case { id: f.assignment }),
                assignment_answer(|d| match d {
                    A::Case { row, .. } => Some(vec![format!("{} {}", row.id, row.stage)]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(seriate(who), || vec![format!("{} PROPOSTA", f.assignment)])
            }),
        },
        Read {
            name: "assignments propose --dry-run / the proposal explained",
            cli: Some((
                s(&[
                    "assignments",
                    "propose",
                    "--unit",
                    &f.waiting_unit.to_string(),
                    "--dry-run",
                    "--format",
                    "json",
                ]),
                Box::new(|v| {
                    vec![format!(
                        "unit {} saved {}",
                        v["unit_id"], v["assignment_id"]
                    )]
                }),
            )),
            tui: Some((
                assignments(Q::Preview {
                    unit_id: f.waiting_unit,
                }),
                assignment_answer(|d| match d {
                    A::Preview { proposed, .. } => Some(vec![format!(
                        "unit {} saved {}",
                        proposed.unit_id,
                        proposed
                            .assignment_id
                            .map_or_else(|| "null".to_string(), |i| i.to_string())
                    )]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(seriate(who), || {
                    vec![format!("unit {} saved null", f.waiting_unit)]
                })
            }),
        },
        Read {
            name: "assignments list",
            cli: Some((s(&["assignments", "list", "--format", "json"]), field("id"))),
            tui: None,
            want: Box::new(move |who| {
                f.when(f.role(who).reads_assignments(), || {
                    if seriate(who) {
                        vec![f.assignment.to_string()]
                    } else {
                        Vec::new()
                    }
                })
            }),
        },
        Read {
            name: "assignments what-if / Simulazione quote",
            cli: Some((
                s(&[
                    "assignments",
                    "what-if",
                    "--owner",
                    SERIATE,
                    "--comune",
                    SERIATE,
                    "--indigenti-pct",
                    "10",
                    "--format",
                    "json",
                ]),
                Box::new(|v| vec![format!("h {} rows {}", v["h_other"], v["replay"]["rows"])]),
            )),
            tui: Some((
                assignments(Q::WhatIf {
                    key,
                    rule_set_id: None,
                    h: Some(1000),
                }),
                assignment_answer(|d| match d {
                    A::WhatIf(w) => Some(vec![format!(
                        "h {} rows {}",
                        w.h_other,
                        serde_json::to_value(&w.replay.rows).unwrap()
                    )]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| f.when(seriate(who), || vec!["h 1000 rows []".into()])),
        },
    ]
}
