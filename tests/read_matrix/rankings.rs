//! Reads of the Graduatorie area: notices, a notice's rankings, a ranking's rows and a jump in
//! it, the exclusions, the explanation of a score, the what-if comparison, the export.

use super::*;

/// The rankings of the notice `who` reads: every one for who reads the whole notice, else
/// those of the owners it has the AVVISI service on.
fn readable_rankings(f: &Fixture, who: &str) -> Vec<String> {
    let r = f.role(who);
    let all = matrix_rows(
        f,
        &format!(
            "SELECT id || ' ' || owner_id FROM ranking WHERE notice_id = {}",
            f.notice
        ),
    );
    all.into_iter()
        .filter_map(|x| {
            let (id, owner) = x.split_once(' ')?;
            r.reads_ranking(f.district, owner.parse().ok()?)
                .then(|| id.to_string())
        })
        .collect()
}

/// Whether `who` reads anything of the notice.
fn reads_notice(f: &Fixture, who: &str) -> bool {
    let r = f.role(who);
    r.reads_rankings() && (r.whole_notice(f.district) || !readable_rankings(f, who).is_empty())
}

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let notice = f.notice.to_string();
    let out = |n: &str| f.dir.path().join(n).to_string_lossy().into_owned();
    let seriate_ranking = move |who: &str| {
        f.when(
            f.role(who).reads_ranking(f.district, f.seriate_owner),
            || {
                matrix_rows(
                    f,
                    &format!(
                        "SELECT a.code FROM ranking_entry e JOIN application a ON a.id = e.application_id
                          WHERE e.ranking_id = {}",
                        f.seriate_ranking
                    ),
                )
            },
        )
    };
    vec![
        Read {
            name: "notice list / Avvisi e graduatorie",
            cli: Some((s(&["notice", "list", "--format", "json"]), field("id"))),
            tui: Some((
                rankings(Query::Notices),
                ranking_answer(|d| match d {
                    Data::Notices { notices, .. } => {
                        Some(notices.iter().map(|(n, _)| n.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(f.role(who).reads_rankings(), || {
                    if reads_notice(f, who) {
                        vec![f.notice.to_string()]
                    } else {
                        Vec::new()
                    }
                })
            }),
        },
        Read {
            name: "notice show / Avviso (its rankings)",
            cli: Some((
                s(&["notice", "show", &notice, "--format", "json"]),
                Box::new(|v| field("id")(&v["rankings"])),
            )),
            tui: Some((
                rankings(Query::Rankings {
                    notice_id: f.notice,
                }),
                ranking_answer(|d| match d {
                    Data::Rankings { rankings, .. } => {
                        Some(rankings.iter().map(|r| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(reads_notice(f, who), || sorted(readable_rankings(f, who)))
            }),
        },
        Read {
            name: "rankings show --owner --comune (Seriate) / Graduatorie: a ranking's rows",
            cli: Some((
                s(&[
                    "rankings", "show", "--notice", &notice, "--owner", SERIATE, "--comune",
                    SERIATE, "--format", "json",
                ]),
                field("id_domanda"),
            )),
            tui: Some((
                rankings(Query::Page {
                    ranking_id: f.seriate_ranking,
                    after: None,
                    before: None,
                    limit: 100,
                    select: None,
                }),
                ranking_answer(|d| match d {
                    Data::Page { rows, .. } => Some(rows.iter().map(|r| r.code.clone()).collect()),
                    _ => None,
                }),
            )),
            want: Box::new(seriate_ranking),
        },
        Read {
            name: "Graduatorie: jump to an ID domanda (F2)",
            cli: None,
            tui: Some((
                rankings(Query::Jump {
                    ranking_id: f.seriate_ranking,
                    code: "P-1".into(),
                    limit: 100,
                }),
                ranking_answer(|d| match d {
                    Data::Page { rows, .. } => Some(rows.iter().map(|r| r.code.clone()).collect()),
                    _ => None,
                }),
            )),
            want: Box::new(seriate_ranking),
        },
        Read {
            name: "Graduatorie: an ID domanda (or part) in every ranking of the notice",
            cli: None,
            tui: Some((
                rankings(Query::Find {
                    notice_id: f.notice,
                    part: "p-".into(),
                }),
                ranking_answer(|d| match d {
                    Data::Found(found) => Some(
                        found
                            .iter()
                            .map(|(r, p)| format!("{} {}", r.id, p.code))
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(reads_notice(f, who), || {
                    let readable = readable_rankings(f, who);
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT e.ranking_id || ' ' || a.code FROM ranking_entry e
                               JOIN application a ON a.id = e.application_id
                              WHERE a.notice_id = {} AND instr(upper(a.code), 'P-') > 0",
                            f.notice
                        ),
                    )
                    .into_iter()
                    .filter(|row| {
                        readable
                            .iter()
                            .any(|id| row.split(' ').next() == Some(id.as_str()))
                    })
                    .collect()
                })
            }),
        },
        Read {
            name: "rankings excluded",
            cli: Some((
                s(&[
                    "rankings", "excluded", "--notice", &notice, "--format", "json",
                ]),
                field("code"),
            )),
            tui: None,
            want: Box::new(move |who| {
                f.when(f.role(who).whole_notice(f.district), || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT a.code FROM application_exclusion x
                               JOIN application a ON a.id = x.application_id
                              WHERE x.notice_id = {}",
                            f.notice
                        ),
                    )
                })
            }),
        },
        Read {
            name: "isbar explain / Spiegazione del punteggio (positions shown)",
            cli: Some((
                s(&[
                    "isbar", "explain", "P-1", "--notice", &notice, "--format", "json",
                ]),
                Box::new(|v| {
                    sorted(
                        v["positions"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|p| p[0]["id"].to_string())
                            .collect(),
                    )
                }),
            )),
            tui: Some((
                rankings(Query::Explain {
                    notice_id: f.notice,
                    code: "P-1".into(),
                }),
                ranking_answer(|d| match d {
                    Data::Explanation(e) => {
                        Some(e.positions.iter().map(|(r, _)| r.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let readable = readable_rankings(f, who);
                let with_p1: Vec<String> = matrix_rows(
                    f,
                    &format!(
                        "SELECT e.ranking_id FROM ranking_entry e
                           JOIN application a ON a.id = e.application_id
                          WHERE a.notice_id = {} AND a.code = 'P-1'",
                        f.notice
                    ),
                )
                .into_iter()
                .filter(|r| readable.contains(r))
                .collect();
                f.when(reads_notice(f, who) && !with_p1.is_empty(), || with_p1)
            }),
        },
        Read {
            name: "rankings compare / Simulazione regole (who moves, by ranking)",
            cli: Some((
                s(&[
                    "rankings",
                    "compare",
                    "--notice",
                    &notice,
                    "--rules",
                    "R.R. 3/2019",
                    "--format",
                    "json",
                ]),
                Box::new(|v| {
                    sorted(
                        v["rankings"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|c| format!("{} {}", c["owner_id"], text(&c["istat_code"])))
                            .collect(),
                    )
                }),
            )),
            tui: Some((
                rankings(Query::WhatIf {
                    notice_id: f.notice,
                    rule_set_id: f.other_rules,
                }),
                ranking_answer(|d| match d {
                    Data::WhatIf { comparisons, .. } => Some(
                        comparisons
                            .iter()
                            .map(|c| format!("{} {}", c.owner_id, c.istat_code))
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let readable = readable_rankings(f, who);
                f.when(reads_notice(f, who), || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT id || '|' || owner_id || ' ' || istat_code FROM ranking
                              WHERE notice_id = {}",
                            f.notice
                        ),
                    )
                    .into_iter()
                    .filter_map(|x| {
                        let (id, rest) = x.split_once('|')?;
                        readable.contains(&id.to_string()).then(|| rest.to_string())
                    })
                    .collect()
                })
            }),
        },
        Read {
            name: "Simulazione regole: the rule sets to compare with",
            cli: None,
            tui: Some((
                rankings(Query::RuleSets {
                    notice_id: f.notice,
                }),
                ranking_answer(|d| match d {
                    Data::RuleSets(sets) => Some(
                        sets.iter()
                            .filter(|s| s.id == 0 || s.cite == "R.R. 3/2019")
                            .map(|s| s.cite.clone())
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| f.when(reads_notice(f, who), || s(&["R.R. 3/2019"]))),
        },
        Read {
            name: "rankings export",
            cli: Some((
                s(&[
                    "rankings",
                    "export",
                    "--notice",
                    &notice,
                    "--out",
                    &out("g.xlsx"),
                    "--force",
                ]),
                Box::new(|_| Vec::new()),
            )),
            tui: None,
            want: Box::new(move |who| {
                f.when(
                    f.role(who).reads_rankings() && !readable_rankings(f, who).is_empty(),
                    Vec::new,
                )
            }),
        },
    ]
}
