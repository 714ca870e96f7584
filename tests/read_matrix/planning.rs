//! Reads of the plans area: the plan list, the plan card (owners and history), the report, the
//! communications.

use super::*;

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let plan = f.plan.to_string();
    let out = |n: &str| f.dir.path().join(n).to_string_lossy().into_owned();
    let reads_plans = move |who: &str| f.role(who).reads_plans();
    let card = || Request::PlanCard {
        generation: 1,
        plan_id: f.plan,
    };
    vec![
        Read {
            name: "plan list / Piani annuali",
            cli: Some((s(&["plan", "list", "--format", "json"]), field("id"))),
            tui: Some((
                Request::Plans { generation: 1 },
                answer(|d| match d {
                    DataMsg::Plans { plans, .. } => {
                        Some(plans.iter().map(|(p, _)| p.id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(r.reads_plans(), || {
                    if r.sees_all() {
                        return matrix_rows(f, "SELECT id FROM plan");
                    }
                    let own = r.district.map_or("0".into(), |d| d.to_string());
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT id FROM plan WHERE district_id = {own}
                             UNION SELECT plan_id FROM communication WHERE {}",
                            f.visible(who, "owner_id")
                        ),
                    )
                })
            }),
        },
        Read {
            name: "plan status / Scheda del piano (the owners)",
            cli: Some((
                s(&["plan", "status", &plan, "--format", "json"]),
                Box::new(|v| field("owner_id")(&v["owners"])),
            )),
            tui: Some((
                card(),
                answer(|d| match d {
                    DataMsg::PlanCard { card, .. } => {
                        Some(card.owners.iter().map(|c| c.owner_id.to_string()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                f.when(reads_plans(who), || {
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT owner_id FROM communication WHERE plan_id = {}",
                            f.plan
                        ),
                    )
                })
            }),
        },
        Read {
            name: "plan show / Scheda del piano (the history)",
            cli: Some((
                s(&["plan", "show", &plan, "--format", "json"]),
                Box::new(|v| field("action")(&v["history"])),
            )),
            tui: Some((
                card(),
                answer(|d| match d {
                    DataMsg::PlanCard { card, .. } => {
                        Some(card.history.iter().map(|h| h.action.clone()).collect())
                    }
                    _ => None,
                }),
            )),
            want: Box::new(move |who| f.when(reads_plans(who), || s(&["apri", "crea"]))),
        },
        Read {
            name: "plan report / Report",
            cli: Some((
                s(&[
                    "plan",
                    "report",
                    &plan,
                    "--out",
                    &out("report.xlsx"),
                    "--force",
                ]),
                Box::new(|_| Vec::new()),
            )),
            tui: Some((
                Request::PlanFile {
                    generation: 1,
                    plan_id: f.plan,
                    what: PlanFile::Report,
                    path: f.dir.path().join("report-tui.xlsx"),
                },
                answer(|d| match d {
                    DataMsg::PlanCard { message, .. } => Some(match message {
                        Some(m) if m.text().starts_with("Report scritto") => Vec::new(),
                        other => vec![format!("{other:?}")],
                    }),
                    _ => None,
                }),
            )),
            // Whoever reads plans: Comuni and ALER download the report of their plan.
            want: Box::new(move |who| f.when(reads_plans(who), Vec::new)),
        },
        Read {
            name: "comm show --owner (Seriate)",
            cli: Some((
                s(&[
                    "comm", "show", "--plan", &plan, "--owner", SERIATE, "--format", "json",
                ]),
                field("state"),
            )),
            tui: None,
            want: Box::new(move |who| f.when(reads_plans(who), || s(&["TRASMESSA"]))),
        },
        Read {
            name: "Comunicazione annuale: the operator's own communications",
            cli: None,
            tui: Some((
                Request::Communications { generation: 1 },
                answer(|d| match d {
                    DataMsg::Communications { rows, .. } => Some(
                        rows.iter()
                            .map(|r| format!("{} {}", r.plan.id, r.communication.owner_id))
                            .collect(),
                    ),
                    _ => None,
                }),
            )),
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(r.reads_plans(), || {
                    let planning: Vec<String> = r
                        .grants
                        .iter()
                        .filter(|(_, s)| s == "PROGRAMMAZIONE")
                        .map(|(o, _)| o.to_string())
                        .collect();
                    matrix_rows(
                        f,
                        &format!(
                            "SELECT plan_id || ' ' || owner_id FROM communication
                              WHERE owner_id IN ({})",
                            planning.join(",")
                        ),
                    )
                })
            }),
        },
        Read {
            name: "comm receipt / Ricevuta (Seriate)",
            cli: Some((
                s(&[
                    "comm",
                    "receipt",
                    "--plan",
                    &plan,
                    "--owner",
                    SERIATE,
                    "--out",
                    &out("ricevuta.xlsx"),
                    "--force",
                ]),
                Box::new(|_| Vec::new()),
            )),
            tui: Some((
                Request::CommunicationReceipt {
                    generation: 1,
                    plan_id: f.plan,
                    owner_id: f.seriate_owner,
                    path: f.dir.path().join("ricevuta-tui.xlsx"),
                },
                answer(|d| match d {
                    DataMsg::Done { message, .. } => {
                        Some(if message.text().starts_with("Ricevuta scritta") {
                            Vec::new()
                        } else {
                            vec![message.text().to_string()]
                        })
                    }
                    _ => None,
                }),
            )),
            // Whoever reads the plan's communications reads its receipts.
            want: Box::new(move |who| f.when(reads_plans(who), Vec::new)),
        },
        Read {
            name: "comm history",
            cli: Some((
                s(&["comm", "history", "--plan", &plan, "--format", "json"]),
                field("owner_id"),
            )),
            tui: None,
            want: Box::new(move |who| {
                f.when(reads_plans(who), || vec![f.seriate_owner.to_string()])
            }),
        },
    ]
}
