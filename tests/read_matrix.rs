//! Role × read: every read of the command line and of the interface's screens, for every kind
//! of operator (the Regione, the capofila of the district, the capofila of another district, a
//! Comune operator with every service and one with the registry only, an ALER operator, the
//! helpdesk, a disabled and a pending operator). Each cell asserts the outcome — allowed with
//! the rows the rule gives (computed from the data with the rules as DOMAIN.md states them, not
//! by casa), allowed with personal data masked, or refused with an Italian message and exit 3 —
//! and that the command line and the interface agree: the same rows, or the same refusal word
//! for word. The interface is driven as the screens drive it: requests handed to the worker of
//! a session made as `casa` makes it, answers read back.

#[path = "support/read_matrix.rs"]
mod matrix;

use casa::app::screens::rankings::{Data, Query};
use casa::app::screens::{DataMsg, Request};
use casa::domain::unit_filter::{FilterField, FilterText, Sort};
use casa::export::plan_export::PlanFile;
use casa::store::search::Direction;
use matrix::*;
use serde_json::Value;

const ROLES: [&str; 9] = [
    "regione",
    CAP,
    OTHER_CAP,
    COMUNE,
    REGISTRY_ONLY,
    ALER,
    "helpdesk",
    DISABLED,
    PENDING,
];

type CliRows = Box<dyn Fn(&Value) -> Vec<String>>;
type TuiRows = Box<dyn Fn(&[DataMsg]) -> Option<Vec<String>>>;

/// A read: the command, the interface's request, and what each operator must get.
struct Read {
    name: &'static str,
    cli: Option<(Vec<String>, CliRows)>,
    tui: Option<(Request, TuiRows)>,
    want: Box<dyn Fn(&str) -> Want>,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `key` of every element of a JSON array, sorted.
fn field(key: &'static str) -> CliRows {
    Box::new(move |v| {
        sorted(
            v.as_array()
                .into_iter()
                .flatten()
                .map(|x| text(&x[key]))
                .collect(),
        )
    })
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The first answer `pick` recognises, as sorted rows.
fn answer(pick: impl Fn(&DataMsg) -> Option<Vec<String>> + 'static) -> TuiRows {
    Box::new(move |msgs| msgs.iter().find_map(&pick).map(sorted))
}

/// The rows of an answer of the Graduatorie area.
fn ranking_answer(pick: impl Fn(&Data) -> Option<Vec<String>> + 'static) -> TuiRows {
    answer(move |d| match d {
        DataMsg::Rankings { data, .. } => pick(data),
        _ => None,
    })
}

fn search(comune: &str) -> Request {
    let mut input = FilterText::default();
    input.set(FilterField::Comune, Some(comune));
    Request::Search {
        generation: 1,
        input,
        sort: Sort::default(),
        cursor: None,
        direction: Direction::Forward,
        limit: 5000,
        with_count: true,
    }
}

fn rankings(query: Query) -> Request {
    Request::Rankings {
        generation: 1,
        query,
    }
}

/// A unit's detail as rows: id, whether masked, its tenants' codici fiscali.
fn detail_rows(v: &Value) -> Vec<String> {
    let mut out = vec![
        format!("id {}", v["id"]),
        format!("masked {}", v["personal_data_masked"]),
    ];
    out.extend(
        v["households"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|h| h["tenants"].as_array().into_iter().flatten())
            .map(|t| format!("cf {}", text(&t["tax_code"]))),
    );
    sorted(out)
}

fn registry_reads(f: &'static Fixture) -> Vec<Read> {
    let unit = f.unit.to_string();
    let out = |n: &str| f.dir.path().join(n).to_string_lossy().into_owned();
    let seriate_units = move |who: &str| {
        f.when(f.role(who).active, || {
            matrix_rows(
                f,
                &format!(
                    "SELECT id FROM unit WHERE istat_code = '{SERIATE}' AND {}",
                    f.visible(who, "owner_id")
                ),
            )
        })
    };
    let detail = move |who: &str, reveal: bool| {
        let r = f.role(who);
        f.when(r.sees_owner(f.seriate_owner), || {
            let masked = r.role == "HELPDESK" && !reveal;
            let mut rows = vec![format!("id {}", f.unit), format!("masked {masked}")];
            for cf in matrix_rows(
                f,
                &format!(
                    "SELECT t.tax_code FROM tenant t JOIN household h ON h.id = t.household_id
                      WHERE h.unit_id = {}",
                    f.unit
                ),
            ) {
                // Masked: not a character of the codice fiscale is shown.
                let shown = if masked {
                    "*".repeat(cf.chars().count())
                } else {
                    cf
                };
                rows.push(format!("cf {shown}"));
            }
            sorted(rows)
        })
    };
    let detail_answer = || {
        answer(|d| match d {
            DataMsg::Detail { detail, .. } => {
                Some(detail_rows(&serde_json::to_value(detail).unwrap()))
            }
            _ => None,
        })
    };
    vec![
        Read {
            name: "units search / Ricerca alloggi",
            cli: Some((
                s(&["units", "search", "--comune", SERIATE, "--format", "json"]),
                field("id"),
            )),
            tui: Some((
                search(SERIATE),
                answer(|d| match d {
                    DataMsg::Page { rows, .. } => {
                        Some(rows.iter().map(|r| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(seriate_units),
        },
        Read {
            name: "units count / the search's count",
            cli: Some((
                s(&["units", "count", "--comune", SERIATE, "--format", "json"]),
                Box::new(|v| vec![v["count"].to_string()]),
            )),
            tui: Some((
                search(SERIATE),
                answer(|d| match d {
                    DataMsg::Count { count, .. } => Some(vec![count.to_string()]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| match seriate_units(who) {
                Want::Rows(Some(r)) => Want::Rows(Some(vec![r.len().to_string()])),
                w => w,
            }),
        },
        Read {
            name: "units show / Dettaglio alloggio (the helpdesk sees it masked)",
            cli: Some((
                s(&["units", "show", &unit, "--format", "json"]),
                Box::new(detail_rows),
            )),
            tui: Some((
                Request::Detail {
                    generation: 1,
                    unit_id: f.unit,
                    reveal: false,
                },
                detail_answer(),
            )),
            want: Box::new(move |who| detail(who, false)),
        },
        Read {
            name: "units show --reveal / F10 (the reveal is audited)",
            cli: Some((
                s(&["units", "show", &unit, "--reveal", "--format", "json"]),
                Box::new(detail_rows),
            )),
            tui: Some((
                Request::Detail {
                    generation: 1,
                    unit_id: f.unit,
                    reveal: true,
                },
                detail_answer(),
            )),
            want: Box::new(move |who| detail(who, true)),
        },
        Read {
            name: "list of values of the owner field (F4)",
            cli: None,
            tui: Some((
                Request::Lov {
                    generation: 1,
                    field: FilterField::Owner,
                    prefix: String::new(),
                },
                answer(|d| match d {
                    DataMsg::Lov { items, .. } => {
                        Some(items.iter().map(|(v, _)| v.clone()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).active, || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT tax_code FROM (SELECT tax_code FROM owner
                              WHERE kind IN (1, 2, 3) AND {}
                              ORDER BY kind = 2 DESC, name COLLATE NOCASE LIMIT 300)",
                            f.visible(who, "id")
                        ),
                    )
                })
            }),
        },
        Read {
            name: "units export / Esporta",
            cli: Some((
                s(&[
                    "units",
                    "export",
                    "--comune",
                    SERIATE,
                    "--out",
                    &out("e.csv"),
                    // Each role writes the same name.
                    "--force",
                ]),
                Box::new(|_| Vec::new()),
            )),
            tui: Some((
                Request::Export {
                    generation: 1,
                    input: {
                        let mut t = FilterText::default();
                        t.set(FilterField::Comune, Some(SERIATE));
                        t
                    },
                    only_marked: None,
                    path: f.dir.path().join("e.xlsx"),
                },
                answer(|d| match d {
                    DataMsg::Done { message, .. } if message.text().starts_with("Esportati") => {
                        Some(Vec::new())
                    }
                    DataMsg::Done { message, .. } => Some(vec![message.text().to_string()]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| f.when(f.role(who).active, Vec::new)),
        },
        Read {
            name: "certification show / Scheda certificazione",
            cli: Some((
                s(&[
                    "certification",
                    "show",
                    "--owner",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                Box::new(|v| vec![v["owner_id"].to_string(), v["totals"]["units"].to_string()]),
            )),
            tui: Some((
                Request::Card {
                    generation: 1,
                    owner_id: f.seriate_owner,
                },
                answer(|d| match d {
                    DataMsg::Card { card, .. } => Some(vec![
                        card.owner_id.to_string(),
                        card.totals.units.to_string(),
                    ]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).sees_owner(f.seriate_owner), || {
                    sorted(vec![
                        f.seriate_owner.to_string(),
                        matrix_rows(
                            f,
                            &format!(
                                "SELECT count(*) FROM unit WHERE owner_id = {}",
                                f.seriate_owner
                            ),
                        )
                        .remove(0),
                    ])
                })
            }),
        },
    ]
}

fn matrix_rows(f: &Fixture, sql: &str) -> Vec<String> {
    let c = f.sql();
    let mut stmt = c.prepare(sql).unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
        .unwrap()
        .map(|v| match v.unwrap() {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .collect();
    sorted(rows)
}

#[path = "read_matrix/admin.rs"]
mod admin;
#[path = "read_matrix/assignments.rs"]
mod assignment_reads;
#[path = "read_matrix/occupations.rs"]
mod occupation_reads;
#[path = "read_matrix/planning.rs"]
mod planning;
#[path = "read_matrix/rankings.rs"]
mod ranking_reads;
#[path = "read_matrix/reference.rs"]
mod reference;
#[path = "read_matrix/registry.rs"]
mod registry_reads;

#[test]
fn every_read_for_every_role_and_the_two_front_ends_agree() {
    let f = fixture();
    let all: Vec<Read> = registry_reads(f)
        .into_iter()
        .chain(planning::reads(f))
        .chain(ranking_reads::reads(f))
        .chain(reference::reads(f))
        .chain(occupation_reads::reads(f))
        .chain(assignment_reads::reads(f))
        .chain(admin::reads(f))
        .chain(registry_reads::reads(f))
        .collect();
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut agreeing = 0;
    for read in &all {
        for who in ROLES {
            cells += 1;
            let want = (read.want)(who);
            let cli = read.cli.as_ref().map(|(args, rows)| f.cli(who, args, rows));
            let tui = read
                .tui
                .as_ref()
                .map(|(request, rows)| f.tui(who, request.clone(), rows))
                .map(|t| t.into_refusal_of(cli.as_ref()));
            for (side, seen) in [("command line", &cli), ("interface", &tui)] {
                if let Some(seen) = seen
                    && let Err(e) = want.check(seen)
                {
                    failures.push(format!("{} as {who}, {side}: {e}", read.name));
                }
            }
            if let (Some(c), Some(t)) = (&cli, &tui) {
                agreeing += 1;
                if c != t {
                    failures.push(format!(
                        "{} as {who}: the front ends disagree: command line {c:?}, interface {t:?}",
                        read.name
                    ));
                }
            }
        }
    }
    assert!(all.len() >= 20, "{} reads", all.len());
    assert!(agreeing >= 120, "{agreeing} cells compared");
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
