//! The Banca dati occupanti: the Regione and the helpdesk read every occupation (the helpdesk
//! with personal data masked unless revealed); an operator with the OCCUPANTI service those of
//! its owners and, for a Comune, those on its territory; everyone else is refused.

use super::*;
use casa::app::screens::occupations::{Data as OccData, Query as OccQuery};
use casa::domain::occupation::filter::{Field, FilterText};

fn page(comune: &str) -> Request {
    let mut input = FilterText::default();
    input.set(Field::Comune, Some(comune));
    Request::Occupations {
        generation: 1,
        query: OccQuery::Page {
            input,
            cursor: None,
            direction: Direction::Forward,
            limit: 5000,
            with_count: true,
        },
    }
}

fn occ_answer(pick: impl Fn(&OccData) -> Option<Vec<String>> + 'static) -> TuiRows {
    answer(move |d| match d {
        DataMsg::Occupations { data, .. } => pick(data),
        _ => None,
    })
}

/// A card as rows: id, whether masked, the occupant's codice fiscale as shown.
fn card_rows(v: &Value) -> Vec<String> {
    sorted(vec![
        format!("id {}", v["id"]),
        format!("masked {}", v["personal_data_masked"]),
        format!("cf {}", text(&v["record"]["occupant"]["tax_code"])),
    ])
}

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    // The rule as DOMAIN.md 7 and issue 15 state it, in SQL.
    let visible = move |who: &str| -> Option<String> {
        let r = f.role(who);
        if !r.active {
            return None;
        }
        if r.sees_all() {
            return Some("1".into());
        }
        let owners: Vec<String> = r
            .grants
            .iter()
            .filter(|(_, s)| s == "OCCUPANTI")
            .map(|(o, _)| o.to_string())
            .collect();
        if owners.is_empty() {
            return None;
        }
        let list = owners.join(",");
        Some(format!(
            "(owner_id IN ({list}) OR istat_code IN
               (SELECT istat_code FROM owner WHERE id IN ({list}) AND kind = 1))"
        ))
    };
    let seriate = move |who: &str| match visible(who) {
        None => Want::Denied,
        Some(cond) => Want::Rows(Some(matrix_rows(
            f,
            &format!("SELECT id FROM occupation WHERE istat_code = '{SERIATE}' AND {cond}"),
        ))),
    };
    let card = move |who: &str, id: i64, reveal: bool| {
        let r = f.role(who);
        let sees = visible(who).is_some_and(|cond| {
            !matrix_rows(
                f,
                &format!("SELECT id FROM occupation WHERE id = {id} AND {cond}"),
            )
            .is_empty()
        });
        if !sees {
            return Want::Denied;
        }
        let masked = r.role == "HELPDESK" && !reveal;
        let cf = matrix_rows(
            f,
            &format!("SELECT tax_code FROM occupation WHERE id = {id}"),
        )
        .remove(0);
        Want::Rows(Some(sorted(vec![
            format!("id {id}"),
            format!("masked {masked}"),
            format!("cf {}", if masked { "***".to_string() } else { cf }),
        ])))
    };
    let show = move |id: i64, reveal: bool| {
        let mut args = vec!["occupations".to_string(), "show".into(), id.to_string()];
        if reveal {
            args.push("--reveal".into());
        }
        args.extend(["--format".into(), "json".into()]);
        Read {
            name: if reveal {
                "occupations show --reveal / F10 on the card (audited)"
            } else {
                "occupations show / SCHEDA OCCUPAZIONE"
            },
            cli: Some((args, Box::new(card_rows))),
            tui: Some((
                Request::Occupations {
                    generation: 1,
                    query: OccQuery::Card { id, reveal },
                },
                occ_answer(|d| match d {
                    OccData::Card { stored, masked, .. } => Some(vec![
                        format!("id {}", stored.id),
                        format!("masked {masked}"),
                        format!(
                            "cf {}",
                            stored.record.occupant.tax_code.clone().unwrap_or_default()
                        ),
                    ]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| card(who, id, reveal)),
        }
    };
    let out = f.dir.path().join("copia-occupazioni.xml");
    vec![
        Read {
            name: "occupations search / Ricerca occupazioni",
            cli: Some((
                s(&[
                    "occupations",
                    "search",
                    "--comune",
                    SERIATE,
                    "--limit",
                    "5000",
                    "--format",
                    "json",
                ]),
                field("id"),
            )),
            tui: Some((
                page(SERIATE),
                occ_answer(|d| match d {
                    OccData::Page { rows, .. } => {
                        Some(rows.iter().map(|r| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(seriate),
        },
        Read {
            name: "occupations count / the search's count",
            cli: Some((
                s(&[
                    "occupations",
                    "count",
                    "--comune",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                Box::new(|v| vec![v["count"].to_string()]),
            )),
            tui: Some((
                page(SERIATE),
                occ_answer(|d| match d {
                    OccData::Page { count: Some(c), .. } => Some(vec![c.to_string()]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| match seriate(who) {
                Want::Rows(Some(r)) => Want::Rows(Some(vec![r.len().to_string()])),
                w => w,
            }),
        },
        show(f.occupation_aler, false),
        show(f.occupation_aler, true),
        show(f.occupation_comune, false),
        Read {
            name: "occupations export --tutte (a full copy of an owner's register)",
            cli: Some((
                vec![
                    "occupations".into(),
                    "export".into(),
                    "--owner".into(),
                    SERIATE.into(),
                    "--tutte".into(),
                    "--force".into(),
                    "--out".into(),
                    out.to_string_lossy().into_owned(),
                ],
                Box::new(|_| Vec::new()),
            )),
            tui: None,
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(
                    r.active
                        && (r.sees_all()
                            || r.grants
                                .contains(&(f.seriate_owner, "OCCUPANTI".to_string()))),
                    Vec::new,
                )
            }),
        },
    ]
}
