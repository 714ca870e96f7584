//! `casa assignments` through the binary, on the demo database (its earlier notice has final
//! rankings): the ledger with a plan's reserves and letter h, proposals and their reasons, the
//! istruttoria with exit codes that mean something (stale version, step out of order: 4; not
//! allowed: 3), the export opened as a workbook, the what-if saving nothing.

use calamine::{Data, Reader, open_workbook_auto};
mod support;

use serde_json::Value;
use support::cli::Env;

const ALER: &str = "aler.va-co-mb-ba";

fn demo() -> Env {
    Env::demo(&["--units", "30000", "--applications", "1500"])
}

impl Env {
    fn audit_count(&self) -> i64 {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap()
    }
}

fn propose(env: &Env) -> Value {
    env.json(
        ALER,
        &[
            "assignments",
            "propose",
            "--owner",
            ALER,
            "--comune",
            "Monza",
            "--format",
            "json",
        ],
    )
}

#[test]
fn ledger_proposal_istruttoria_and_exit_codes() {
    let env = demo();
    let ledger = env.json(
        ALER,
        &[
            "assignments",
            "ledger",
            "--comune",
            "Monza",
            "--format",
            "json",
        ],
    );
    let lines = ledger.as_array().unwrap();
    assert_eq!(lines[0]["linea"], "Quota indigenti");
    let base = lines[0]["disponibili"].as_u64().unwrap();
    // 20% rounded up (art. 13 c.3).
    assert_eq!(
        lines[0]["quota"].as_u64().unwrap(),
        (base * 20).div_ceil(100)
    );
    // A preview writes nothing; a proposal writes one audit record.
    let audits = env.audit_count();
    let dry = env.ok(
        ALER,
        &[
            "assignments",
            "propose",
            "--owner",
            ALER,
            "--comune",
            "Monza",
            "--dry-run",
        ],
    );
    assert!(dry.contains("nulla è stato salvato"), "{dry}");
    assert!(dry.contains("quota indigenti: 0 di"), "{dry}");
    assert_eq!(env.audit_count(), audits);
    let p = propose(&env);
    let id = p["assignment_id"].as_i64().unwrap().to_string();
    assert_eq!(p["decision"]["Propose"]["line"], "INDIGENTI", "{p}");
    assert_eq!(env.audit_count(), audits + 1);
    // Out of order: exit 4, nothing changed.
    let e = env.fails(4, ALER, &["assignments", "accept", &id]);
    assert!(e.contains("non ammesso"), "{e}");
    // Not allowed: exit 3 (the Regione reads, it does not assign).
    let e = env.fails(3, "regione", &["assignments", "offer", &id]);
    assert!(e.contains("AVVISI"), "{e}");
    env.ok(
        ALER,
        &["assignments", "offer", &id, "--answer-by", "31/12/2099"],
    );
    // A stale version: exit 4.
    let e = env.fails(4, ALER, &["assignments", "accept", &id, "--version", "1"]);
    assert!(e.contains("modificata da un altro operatore"), "{e}");
    env.ok(ALER, &["assignments", "accept", &id, "--version", "2"]);
    // A bad date names the option.
    let e = env.fails(
        4,
        ALER,
        &[
            "assignments",
            "assign",
            &id,
            "--act",
            "PG 1",
            "--act-date",
            "31/02/2026",
        ],
    );
    assert!(e.contains("--act-date"), "{e}");
    let today = chrono::Local::now()
        .date_naive()
        .format("%d/%m/%Y")
        .to_string();
    let out = env.ok(
        ALER,
        &[
            "assignments",
            "assign",
            &id,
            "--act",
            "PG 1/2026",
            "--act-date",
            &today,
            "--lease-date",
            &today,
        ],
    );
    assert!(out.contains("OCCUPATO"), "{out}");
    let shown = env.json(ALER, &["assignments", "show", &id, "--format", "json"]);
    assert_eq!(shown["stage"], "ASSEGNATA");
    assert_eq!(shown["act_number"], "PG 1/2026");
    let list = env.json(
        "helpdesk",
        &[
            "assignments",
            "list",
            "--stage",
            "assegnata",
            "--format",
            "json",
        ],
    );
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["stato"], "ASSEGNATA");
    // The ledger counts it as used, recomputed from the rows.
    let ledger = env.json(
        ALER,
        &[
            "assignments",
            "ledger",
            "--comune",
            "Monza",
            "--format",
            "json",
        ],
    );
    assert_eq!(ledger[0]["usate"], 1, "{ledger}");
}

#[test]
fn refusal_removes_and_a_missing_requirement_proposes_the_next() {
    let env = demo();
    let first = propose(&env);
    let id = first["assignment_id"].as_i64().unwrap().to_string();
    let code = first["decision"]["Propose"]["applicant"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(ALER, &["assignments", "offer", &id]);
    let out = env.ok(
        ALER,
        &["assignments", "refuse", &id, "--reason", "troppo lontano"],
    );
    assert!(out.contains("esce dalle graduatorie"), "{out}");
    // The ranking says so.
    let notice = env.json("regione", &["notice", "list", "--format", "json"])[1]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let rows = env.json(
        "regione",
        &["rankings", "show", "--notice", &notice, "--format", "json"],
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["id_domanda"] == code.as_str() && r["assegnazione"] == "RIMOSSA"),
        "{code} removed"
    );
    // A missing requirement: cancelled, removed, the next proposed, one audit record.
    let next = propose(&env);
    let id2 = next["assignment_id"].as_i64().unwrap().to_string();
    let audits = env.audit_count();
    let out = env.ok(
        ALER,
        &[
            "assignments",
            "cancel",
            &id2,
            "--reason",
            "ISEE aggiornato oltre la soglia",
            "--missing-requirement",
            "isee",
        ],
    );
    assert!(out.contains("ANNULLATA"), "{out}");
    assert!(out.contains("proposta per l'unità"), "{out}");
    assert_eq!(env.audit_count(), audits + 1);
    // A cancellation without a reason is refused by clap (exit 2), nothing written.
    let out = env.casa(Some(ALER), &["assignments", "cancel", &id2]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_plan_with_reserves_and_letter_h_shapes_the_ledger_export_and_what_if() {
    let env = demo();
    // The Comune di Monza's plan for the year: 10% more for indigents (h), 10% for the
    // elderly (c-bis).
    let year = chrono::Local::now().date_naive().format("%Y").to_string();
    let district = "DEMO-MB-2";
    let capofila = "capofila.demo-mb-2";
    let day = |o: i64| (chrono::Local::now().date_naive() + chrono::Duration::days(o)).to_string();
    let plan = env.json(
        capofila,
        &[
            "plan",
            "create",
            "--district",
            district,
            "--year",
            &year,
            "--start",
            &day(-3),
            "--end",
            &day(30),
            "--format",
            "json",
        ],
    )["id"]
        .as_i64()
        .unwrap()
        .to_string();
    env.ok(capofila, &["plan", "open", &plan]);
    let comune = "comune.108033"; // Monza
    env.ok(comune, &["certification", "certify"]);
    env.ok(
        comune,
        &[
            "comm",
            "file",
            "--plan",
            &plan,
            "--carenze",
            "0",
            "--nuove",
            "0",
            "--turnover",
            "9",
            "--privati",
            "0",
            "--sat",
            "0",
            "--assegnate",
            "0",
            "--indigenti-pct",
            "10",
            "--anziani-pct",
            "10",
        ],
    );
    let ledger = env.json(
        comune,
        &[
            "assignments",
            "ledger",
            "--owner",
            "108033",
            "--comune",
            "Monza",
            "--format",
            "json",
        ],
    );
    let lines = ledger.as_array().unwrap();
    let base = lines[0]["disponibili"].as_u64().unwrap();
    assert_eq!(lines[0]["percentuale"], 30.0, "20% + h: {ledger}");
    assert_eq!(
        lines[0]["quota"].as_u64().unwrap(),
        (base * 30).div_ceil(100)
    );
    assert_eq!(lines[1]["linea"], "Riserva anziani");
    // Half up (art. 15 c.1-ter): 10% of the base.
    assert_eq!(
        lines[1]["quota"].as_u64().unwrap(),
        (base * 10 * 2 + 100) / 200
    );
    assert_eq!(lines[0]["previste_dal_piano"], 9);
    assert!(lines[0]["fonte"].as_str().unwrap().contains("piano"));

    // The export: two sheets, numbers as numbers, only ID domanda.
    let out = env.dir().join("assegnazioni.xlsx");
    env.ok(
        "regione",
        &["assignments", "export", "--out", out.to_str().unwrap()],
    );
    let mut wb = open_workbook_auto(&out).unwrap();
    let names = wb.sheet_names().to_vec();
    assert_eq!(
        names,
        vec![format!("Quote {year}"), format!("Assegnazioni {year}")]
    );
    let quote = wb.worksheet_range(&names[0]).unwrap();
    let header = quote
        .rows()
        .position(|r| r.first() == Some(&Data::String("Ente proprietario".into())))
        .unwrap();
    let monza: Vec<_> = quote
        .rows()
        .skip(header + 1)
        .filter(|r| r[0] == Data::String("Comune di Monza".into()))
        .collect();
    assert_eq!(monza.len(), 3, "indigents, elderly, ranking");
    assert!(matches!(monza[0][5], Data::Float(_)), "{:?}", monza[0][5]);
    assert!(matches!(monza[0][10], Data::Float(_)));

    // What-if with letter h at 40%: nothing saved.
    let audits = env.audit_count();
    let w = env.json(
        comune,
        &[
            "assignments",
            "what-if",
            "--owner",
            "108033",
            "--comune",
            "Monza",
            "--indigenti-pct",
            "40",
            "--format",
            "json",
        ],
    );
    assert_eq!(w["h_actual"], 1000);
    assert_eq!(w["h_other"], 4000);
    assert_eq!(env.audit_count(), audits);
    let e = env.fails(
        4,
        comune,
        &[
            "assignments",
            "what-if",
            "--owner",
            "108033",
            "--comune",
            "Monza",
            "--indigenti-pct",
            "90",
        ],
    );
    assert!(e.contains("80%"), "{e}");
}
