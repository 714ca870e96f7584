//! Ricerca fabbricati and Ricerca inquilini: the buildings (tenants) of a comune — each
//! operator its owners' ones, the Regione and the helpdesk all, the helpdesk with the tenants'
//! personal data masked — the counts, and those of one owner (refused to whoever does not work
//! for it, as the unit search refuses it).

use super::*;
use casa::domain::registry_search::{Field, Typed};

fn buildings(field: Field, value: &str, with_count: bool) -> Request {
    let mut typed = Typed::default();
    typed.set(field, value);
    Request::Buildings {
        generation: 1,
        typed,
        cursor: None,
        direction: Direction::Forward,
        limit: 5000,
        with_count,
    }
}

fn page_ids() -> TuiRows {
    answer(|d| match d {
        DataMsg::Buildings { page, .. } => {
            Some(page.rows.iter().map(|r| r.id.to_string()).collect())
        }
        _ => None,
    })
}

fn tenants(field: Field, value: &str, with_count: bool) -> Request {
    let mut typed = Typed::default();
    typed.set(field, value);
    Request::Tenants {
        generation: 1,
        typed,
        after: None,
        direction: Direction::Forward,
        limit: 5000,
        with_count,
    }
}

/// A tenant as a row: id and codice fiscale as shown.
fn tenant_row(id: &str, cf: &str) -> String {
    format!("{id} {cf}")
}

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let seriate_tenants = move |who: &str| {
        let masked = f.role(who).role == "HELPDESK";
        f.when(f.role(who).active, || {
            matrix_rows(
                f,
                &format!(
                    "SELECT t.id || ' ' || {} FROM tenant t
                       JOIN household h ON h.id = t.household_id
                       JOIN unit u ON u.id = h.unit_id
                      WHERE u.istat_code = '{SERIATE}' AND {}",
                    if masked {
                        "'****************'"
                    } else {
                        "t.tax_code"
                    },
                    f.visible(who, "t.owner_id")
                ),
            )
        })
    };
    let seriate = move |who: &str| {
        f.when(f.role(who).active, || {
            matrix_rows(
                f,
                &format!(
                    "SELECT id FROM building WHERE istat_code = '{SERIATE}' AND {}",
                    f.visible(who, "owner_id")
                ),
            )
        })
    };
    let owned = move |who: &str| {
        f.when(f.role(who).sees_owner(f.seriate_owner), || {
            matrix_rows(
                f,
                &format!(
                    "SELECT id FROM building WHERE owner_id = {}",
                    f.seriate_owner
                ),
            )
        })
    };
    vec![
        Read {
            name: "tenants search / Ricerca inquilini (a comune; masked for the helpdesk)",
            cli: Some((
                s(&["tenants", "search", "--comune", SERIATE, "--format", "json"]),
                Box::new(|v| {
                    sorted(
                        v.as_array()
                            .into_iter()
                            .flatten()
                            .map(|t| tenant_row(&text(&t["id"]), &text(&t["tax_code"])))
                            .collect(),
                    )
                }),
            )),
            tui: Some((
                tenants(Field::Comune, SERIATE, false),
                answer(|d| match d {
                    DataMsg::Tenants { page, .. } => Some(
                        page.rows
                            .iter()
                            .map(|t| tenant_row(&t.id.to_string(), &t.tax_code))
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(seriate_tenants),
        },
        Read {
            name: "tenants count --owner / Ricerca inquilini's count (an owner)",
            cli: Some((
                s(&["tenants", "count", "--owner", SERIATE, "--format", "json"]),
                Box::new(|v| vec![v["count"].to_string()]),
            )),
            tui: Some((
                tenants(Field::Owner, SERIATE, true),
                answer(|d| match d {
                    DataMsg::Tenants { count: Some(c), .. } => Some(vec![c.to_string()]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).sees_owner(f.seriate_owner), || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT count(*) FROM tenant WHERE owner_id = {}",
                            f.seriate_owner
                        ),
                    )
                })
            }),
        },
        Read {
            name: "buildings search / Ricerca fabbricati (a comune)",
            cli: Some((
                s(&[
                    "buildings",
                    "search",
                    "--comune",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                field("id"),
            )),
            tui: Some((buildings(Field::Comune, SERIATE, false), page_ids())),
            want: Box::new(seriate),
        },
        Read {
            name: "buildings count / Ricerca fabbricati's count",
            cli: Some((
                s(&[
                    "buildings",
                    "count",
                    "--comune",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                Box::new(|v| vec![v["count"].to_string()]),
            )),
            tui: Some((
                buildings(Field::Comune, SERIATE, true),
                answer(|d| match d {
                    DataMsg::Buildings { count: Some(c), .. } => Some(vec![c.to_string()]),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| match seriate(who) {
                Want::Rows(Some(r)) => Want::Rows(Some(vec![r.len().to_string()])),
                w => w,
            }),
        },
        Read {
            name: "buildings search --owner / Ricerca fabbricati (an owner)",
            cli: Some((
                s(&[
                    "buildings",
                    "search",
                    "--owner",
                    SERIATE,
                    "--format",
                    "json",
                ]),
                field("id"),
            )),
            tui: Some((buildings(Field::Owner, SERIATE, false), page_ids())),
            want: Box::new(owned),
        },
    ]
}
