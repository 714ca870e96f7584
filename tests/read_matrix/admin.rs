//! The administration reads (issue #11): the audit trail (Regione and helpdesk), registration
//! requests (all for Regione and helpdesk, one's own for the others), a district's card (every
//! active operator), SSH keys (all for Regione and helpdesk, one's own for the others).

use super::*;
use casa::app::screens::audit::AuditQuery;

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let all_or_own = move |who: &str, table: &str, col: &str, own: &str| {
        let r = f.role(who);
        f.when(r.active, || {
            let filter = if r.sees_all() {
                "1".to_string()
            } else {
                own.replace("WHO", &who.replace('\'', "''"))
            };
            matrix_rows(f, &format!("SELECT {col} FROM {table} WHERE {filter}"))
        })
    };
    vec![
        Read {
            name: "audit list / Registro operazioni",
            cli: Some((
                s(&["audit", "list", "--limit", "200", "--format", "json"]),
                field("id"),
            )),
            tui: Some((
                Request::Audit {
                    generation: 1,
                    query: AuditQuery::default(),
                    before: None,
                },
                answer(|d| match d {
                    DataMsg::Audit { rows, .. } => {
                        Some(rows.iter().map(|r| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(r.active && r.sees_all(), || {
                    matrix_rows(
                        f,
                        "SELECT id FROM (SELECT id FROM audit ORDER BY id DESC LIMIT 200)",
                    )
                })
            }),
        },
        Read {
            name: "audit verify / verifica della catena",
            cli: Some((
                s(&["audit", "verify", "--format", "json"]),
                Box::new(|v| vec![v["problem"].to_string()]),
            )),
            tui: None,
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(r.active && r.sees_all(), || vec!["null".to_string()])
            }),
        },
        Read {
            name: "registrations list / Richieste di registrazione",
            cli: Some((
                s(&[
                    "registrations",
                    "list",
                    "--status",
                    "tutte",
                    "--format",
                    "json",
                ]),
                field("id"),
            )),
            tui: Some((
                Request::Registrations {
                    generation: 1,
                    status: None,
                },
                answer(|d| match d {
                    DataMsg::Registrations { rows, .. } => {
                        Some(rows.iter().map(|r| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                all_or_own(
                    who,
                    "registration_request",
                    "id",
                    "filed_by = 'WHO' OR username = 'WHO'",
                )
            }),
        },
        Read {
            name: "districts show / scheda dell'ambito",
            cli: Some((
                s(&["districts", "show", "BG-SERIATE", "--format", "json"]),
                Box::new(|v| {
                    sorted(
                        v["members"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|m| text(&m["istat_code"]))
                            .collect(),
                    )
                }),
            )),
            tui: Some((
                Request::DistrictCard {
                    generation: 1,
                    code: "BG-SERIATE".into(),
                },
                answer(|d| match d {
                    DataMsg::DistrictCard { card, .. } => {
                        Some(card.members.iter().map(|m| m.istat_code.clone()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).active, || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT istat_code FROM district_municipality WHERE district_id = {}",
                            f.district
                        ),
                    )
                })
            }),
        },
        Read {
            name: "operators key list / Chiavi SSH",
            cli: Some((
                s(&["operators", "key", "list", "--format", "json"]),
                field("fingerprint"),
            )),
            tui: Some((
                Request::Keys { generation: 1 },
                answer(|d| match d {
                    DataMsg::Keys { rows, .. } => {
                        Some(rows.iter().map(|k| k.fingerprint.clone()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                all_or_own(
                    who,
                    "operator_key k JOIN operator o ON o.id = k.operator_id",
                    "k.fingerprint",
                    "o.username = 'WHO'",
                )
            }),
        },
    ]
}
