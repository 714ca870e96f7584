//! Annual programming end to end through the binary: plan lifecycle, permissions, the
//! communication form under two rule sets, refiling, stale saves, certification and window.
//! Each test builds a `casa demo --units 3000` database in its own temporary directory.

mod support;

use serde_json::Value;
use support::cli::Env;

const DISTRICT: &str = "BG-SERIATE";
const CAPOFILA: &str = "capofila.bg-seriate";
const OTHER_CAPOFILA: &str = "capofila.bg-dalmine";
/// Comune di Seriate, in the district.
const COMUNE: &str = "comune.016198";
const COMUNE_OWNER: &str = "016198";
/// Comune di Dalmine, in another district.
const OTHER_COMUNE: &str = "comune.016091";
/// Comune di Pedrengo, in the district.
const OTHER_COMUNE_OF_DISTRICT: &str = "016160";
const ALER: &str = "aler.bg-lc-so";
const ALER_OWNER: &str = "aler.bg-lc-so";

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// The demo every test starts from (no notice: these tests are about plans).
const DEMO: &[&str] = &["--units", "3000", "--applications", "0"];

impl Env {
    /// Creates a plan of DISTRICT for `year` with a window from `start` to `end` days from today.
    fn plan(&self, year: i32, start: i64, end: i64) -> String {
        let v = self.json(
            CAPOFILA,
            &[
                "plan",
                "create",
                "--district",
                DISTRICT,
                "--year",
                &year.to_string(),
                "--start",
                &day(start),
                "--end",
                &day(end),
                "--format",
                "json",
            ],
        );
        v["id"].as_i64().unwrap().to_string()
    }

    /// An open plan whose Comune and ALER have certified after the opening.
    fn open_plan(&self, year: i32) -> String {
        let id = self.plan(year, -5, 20);
        self.ok(CAPOFILA, &["plan", "open", &id]);
        self.ok(COMUNE, &["certification", "certify"]);
        self.ok(ALER, &["certification", "certify"]);
        id
    }

    fn state(&self, id: &str) -> String {
        let v = self.json("helpdesk", &["plan", "show", id, "--format", "json"]);
        v["plan"]["effective_state"].as_str().unwrap().to_string()
    }

    fn audit_count(&self) -> i64 {
        let store = casa::store::Store::open(&self.db, casa::store::Access::ReadOnly).unwrap();
        casa::store::audit::count(store.conn()).unwrap()
    }
}

/// `comm file` arguments with the given counts, then `extra`.
fn file_args<'a>(plan: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "comm",
        "file",
        "--plan",
        plan,
        "--carenze",
        "1",
        "--nuove",
        "2",
        "--turnover",
        "3",
        "--privati",
        "4",
        "--sat",
        "5",
        "--assegnate",
        "6",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn lifecycle_transitions_allowed_and_refused() {
    let env = Env::demo(DEMO);
    let id = env.plan(2026, -5, 20);
    assert_eq!(env.state(&id), "BOZZA");
    let id = id.as_str();

    let e = env.fails(4, CAPOFILA, &["plan", "approve", id]);
    assert!(
        e.contains("Il piano può essere approvato solo dopo la chiusura della finestra"),
        "{e}"
    );
    env.fails(4, CAPOFILA, &["plan", "close", id]);
    env.fails(4, CAPOFILA, &["plan", "reopen", id, "--end", &day(30)]);

    let before = env.audit_count();
    env.ok(CAPOFILA, &["plan", "open", id]);
    assert_eq!(env.audit_count(), before + 1, "one audit record per change");
    assert_eq!(env.state(id), "APERTO");
    env.fails(4, CAPOFILA, &["plan", "open", id]);
    let e = env.fails(4, CAPOFILA, &["plan", "approve", id]);
    assert!(e.contains("solo dopo la chiusura della finestra"), "{e}");
    env.fails(4, CAPOFILA, &["plan", "reopen", id, "--end", &day(30)]);

    env.ok(CAPOFILA, &["plan", "close", id]);
    assert_eq!(env.state(id), "CHIUSO");
    env.fails(4, CAPOFILA, &["plan", "close", id]);
    env.fails(4, CAPOFILA, &["plan", "open", id]);
    let e = env.fails(4, CAPOFILA, &["plan", "reopen", id, "--end", &day(-1)]);
    assert!(e.contains("già passata"), "{e}");
    env.ok(CAPOFILA, &["plan", "reopen", id, "--end", &day(30)]);
    let v = env.json("helpdesk", &["plan", "show", id, "--format", "json"]);
    assert_eq!(v["plan"]["window_end"], day(30));
    env.ok(CAPOFILA, &["plan", "close", id]);

    // The plan is for 2026 and today is past 31/12/2025 or not: a late approval warns only.
    let out = env.casa(Some(CAPOFILA), &["plan", "approve", id]);
    assert!(out.status.success());
    assert_eq!(env.state(id), "APPROVATO");
    for args in [
        vec!["plan", "cancel", id],
        vec!["plan", "open", id],
        vec!["plan", "close", id],
        vec!["plan", "approve", id],
    ] {
        env.fails(4, CAPOFILA, &args);
    }
    env.fails(4, CAPOFILA, &["plan", "reopen", id, "--end", &day(30)]);

    // Who and when of every change.
    let v = env.json("helpdesk", &["plan", "show", id, "--format", "json"]);
    let actions: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["crea", "apri", "chiudi", "riapri", "chiudi", "approva"]
    );
    assert!(
        v["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["operator"] == CAPOFILA)
    );

    // One plan per district and year; an approved plan is corrected by a revision.
    let e = env.fails(
        4,
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2026",
            "--start",
            &day(0),
            "--end",
            &day(9),
        ],
    );
    assert!(e.contains("revisione"), "{e}");
    let rev = env.ok(
        CAPOFILA,
        &["plan", "revise", id, "--start", &day(0), "--end", &day(9)],
    );
    let rev = rev.trim();
    let v = env.json("helpdesk", &["plan", "show", rev, "--format", "json"]);
    assert_eq!(v["plan"]["revision"], 2);
    assert_eq!(v["plan"]["supersedes"].to_string(), id);
    assert_eq!(env.state(id), "APPROVATO", "the approved plan is kept");
    env.fails(
        4,
        CAPOFILA,
        &["plan", "revise", id, "--start", &day(0), "--end", &day(9)],
    );
    env.ok(CAPOFILA, &["plan", "cancel", rev]);
    assert_eq!(env.state(rev), "ANNULLATO");
    env.fails(4, CAPOFILA, &["plan", "cancel", rev]);

    // Cancel from BOZZA and from APERTO; a cancelled plan frees its year.
    let p = env.plan(2027, 0, 10);
    env.ok(CAPOFILA, &["plan", "cancel", &p]);
    let p = env.plan(2027, 0, 10);
    env.ok(CAPOFILA, &["plan", "open", &p]);
    env.ok(CAPOFILA, &["plan", "cancel", &p]);
    assert_eq!(env.state(&p), "ANNULLATO");

    // A window whose end date passed cannot be opened.
    let p = env.plan(2028, -10, -1);
    let e = env.fails(4, CAPOFILA, &["plan", "open", &p]);
    assert!(e.contains("già passata"), "{e}");

    let list = env.json(
        "helpdesk",
        &[
            "plan",
            "list",
            "--district",
            DISTRICT,
            "--year",
            "2027",
            "--format",
            "json",
        ],
    );
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "ANNULLATO")
    );
}

#[test]
fn bad_plan_cards_are_refused() {
    let env = Env::demo(DEMO);
    let e = env.fails(
        4,
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2026",
            "--start",
            &day(5),
            "--end",
            &day(1),
        ],
    );
    assert!(e.contains("precede"), "{e}");
    env.fails(
        4,
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2026",
            "--start",
            "31/02/2026",
            "--end",
            &day(1),
        ],
    );
    env.fails(
        4,
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            "NOWHERE",
            "--year",
            "2026",
            "--start",
            &day(0),
            "--end",
            &day(1),
        ],
    );
    env.fails(4, CAPOFILA, &["plan", "show", "999"]);
    // A late window warns on stderr but the plan is created.
    let out = env.casa(
        Some(CAPOFILA),
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2025",
            "--start",
            "2024-09-01",
            "--end",
            "2024-11-15",
        ],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("31/10/2024"));
}

/// DOMAIN.md 3 and issue 12 item 8: the capofila starts the survey by 31 October of the year
/// before (art. 4 c.2, confirmed); the owners' reply deadline (art. 5) is an unverified
/// reading; the assembly approves by 31 December. Each date comes from the rule set, each
/// warning names its source, and none blocks.
#[test]
fn plan_deadlines_warn_with_their_source_and_never_block() {
    let env = Env::demo(DEMO);
    let create = |start: &str, end: &str| {
        let out = env.casa(
            Some(CAPOFILA),
            &[
                "plan",
                "create",
                "--district",
                DISTRICT,
                "--year",
                "2027",
                "--start",
                start,
                "--end",
                end,
                "--format",
                "json",
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let id = v["id"].as_i64().unwrap().to_string();
        env.ok(CAPOFILA, &["plan", "cancel", &id]);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Started in time and ending by 31/10: no warning.
    assert_eq!(create("2026-09-01", "2026-10-31"), "");
    // Started in time, ending after 31/10: only the unverified reply deadline, said so.
    let e = create("2026-10-01", "2026-11-15");
    assert!(e.contains("31/10/2026") && e.contains("art. 5"), "{e}");
    assert!(e.contains("non verificato"), "{e}");
    assert!(!e.contains("art. 4 c.2"), "{e}");
    // Started after 31/10: the capofila started the survey late (art. 4 c.2).
    let e = create("2026-11-02", "2026-11-30");
    assert!(e.contains("art. 4 c.2") && e.contains("31/10/2026"), "{e}");
    assert!(
        e.contains("avvia la ricognizione") || e.contains("avviata"),
        "{e}"
    );
}

#[test]
fn permission_matrix() {
    let env = Env::demo(DEMO);
    let id = env.plan(2026, -5, 20);
    let id = id.as_str();
    for op in [OTHER_CAPOFILA, COMUNE, ALER, "helpdesk"] {
        let e = env.fails(3, op, &["plan", "open", id]);
        assert!(!e.is_empty());
        env.fails(3, op, &["plan", "cancel", id]);
        env.fails(
            3,
            op,
            &[
                "plan",
                "create",
                "--district",
                DISTRICT,
                "--year",
                "2030",
                "--start",
                &day(0),
                "--end",
                &day(5),
            ],
        );
        // Everybody reads.
        env.ok(op, &["plan", "show", id]);
        env.ok(op, &["plan", "status", id]);
        env.ok(op, &["plan", "list"]);
    }
    // Without --district, plan list gives the plans that concern the operator: its owners
    // file into this one; a Comune of another district does not, but may ask by district.
    let listed = |op: &str, extra: &[&str]| -> Vec<i64> {
        let mut args = vec!["plan", "list", "--format", "json"];
        args.extend_from_slice(extra);
        env.json(op, &args)
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let pid: i64 = id.parse().unwrap();
    assert!(listed(COMUNE, &[]).contains(&pid));
    assert!(listed(ALER, &[]).contains(&pid));
    assert!(!listed(OTHER_COMUNE, &[]).contains(&pid));
    assert!(listed(OTHER_COMUNE, &["--district", DISTRICT]).contains(&pid));
    // An operator without the PROGRAMMAZIONE service does not read plans.
    env.ok(
        "regione",
        &[
            "operators",
            "add",
            "solo.anagrafe",
            "--surname",
            "Bianchi",
            "--name",
            "Anna",
            "--tax-code",
            "RSSMRA70A41H501W",
            "--email",
            "a@example.it",
            "--role",
            "ente",
            "--owner",
            COMUNE_OWNER,
            "--service",
            "anagrafe",
        ],
    );
    let e = env.fails(3, "solo.anagrafe", &["plan", "show", id]);
    assert!(e.contains("PROGRAMMAZIONE"), "{e}");
    env.fails(3, "solo.anagrafe", &["plan", "list"]);
    env.ok(CAPOFILA, &["plan", "open", id]);
    env.ok(COMUNE, &["certification", "certify"]);
    env.ok(ALER, &["certification", "certify"]);

    // Filing: the owner's operators only.
    let comune_filing = file_args(id, &["--owner", COMUNE_OWNER]);
    // The capofila's operator works for its own Comune (Seriate), not for the others.
    env.fails(
        3,
        CAPOFILA,
        &file_args(id, &["--owner", OTHER_COMUNE_OF_DISTRICT]),
    );
    env.fails(3, OTHER_CAPOFILA, &comune_filing);
    env.fails(3, "helpdesk", &comune_filing);
    env.fails(3, ALER, &comune_filing);
    env.fails(3, COMUNE, &file_args(id, &["--owner", ALER_OWNER]));
    // A Comune of another district has no communication in this plan.
    let e = env.fails(4, OTHER_COMUNE, &file_args(id, &[]));
    assert!(e.contains("non ha una comunicazione"), "{e}");
    env.ok(COMUNE, &file_args(id, &[]));
    env.ok(ALER, &file_args(id, &[]));
    // Everybody reads the communications.
    for op in [OTHER_CAPOFILA, COMUNE, ALER, "helpdesk", CAPOFILA] {
        env.ok(op, &["comm", "show", "--plan", id]);
        env.ok(op, &["comm", "history", "--plan", id]);
    }
}

/// Files as the Comune on `plan` with extra options; returns the exit code and stderr.
fn comune_files(env: &Env, plan: &str, extra: &[&str]) -> (i32, String) {
    let out = env.casa(Some(COMUNE), &file_args(plan, extra));
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validation_limits_under_both_rule_sets() {
    let env = Env::demo(DEMO);
    let old = env.open_plan(2025);
    // One plan per district and year: the 2026 plan is a second plan of the same district.
    let new = env.plan(2026, -5, 20);
    env.ok(CAPOFILA, &["plan", "open", &new]);
    env.ok(COMUNE, &["certification", "certify"]);
    env.ok(ALER, &["certification", "certify"]);
    let rules = |id: &str| {
        env.json("helpdesk", &["plan", "show", id, "--format", "json"])["plan"]["rule_set"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(rules(&old), "R.R. 6/2021");
    assert_eq!(rules(&new), "R.R. 2/2025");

    // Police share: 10% before R.R. 2/2025, 20% from it.
    assert_eq!(comune_files(&env, &old, &["--polizia-pct", "10"]).0, 0);
    let (code, e) = comune_files(&env, &old, &["--polizia-pct", "10.01"]);
    assert_eq!(code, 4);
    assert!(
        e.contains("Forze di Polizia") && e.contains("massimo 10% (R.R. 6/2021)"),
        "{e}"
    );
    assert_eq!(comune_files(&env, &new, &["--polizia-pct", "20"]).0, 0);
    let (code, e) = comune_files(&env, &new, &["--polizia-pct", "20.01"]);
    assert_eq!(code, 4);
    assert!(e.contains("massimo 20% (R.R. 2/2025)"), "{e}");

    // Category reserves together: no combined limit before, 20% from R.R. 2/2025.
    let reserves = [
        "--anziani-pct",
        "8",
        "--monoparentali-pct",
        "5",
        "--disabili-pct",
        "4",
        "--nuove-famiglie-pct",
        "2",
        "--altra-categoria",
        "Giovani coppie",
        "--altra-pct",
        "1.5",
    ];
    assert_eq!(comune_files(&env, &old, &reserves).0, 0);
    let (code, e) = comune_files(&env, &new, &reserves);
    assert_eq!(code, 4);
    assert!(
        e.contains("20,5%") && e.contains("massimo 20% (R.R. 2/2025)"),
        "{e}"
    );
    let mut at_limit = reserves;
    at_limit[11] = "1";
    assert_eq!(comune_files(&env, &new, &at_limit).0, 0);

    // 20% + indigent excess <= 100%, percentages 0-100 with two decimals, under both.
    for plan in [&old, &new] {
        assert_eq!(comune_files(&env, plan, &["--indigenti-pct", "80"]).0, 0);
        let (code, e) = comune_files(&env, plan, &["--indigenti-pct", "80.01"]);
        assert_eq!(code, 4);
        assert!(e.contains("indigenti (h)"), "{e}");
        for bad in ["100.01", "1.234", "-3", "abc"] {
            let (code, e) = comune_files(&env, plan, &["--anziani-pct", bad]);
            assert_eq!(code, 4, "{bad}: {e}");
            assert!(e.contains("Anziani"), "{e}");
        }
        let (code, e) = comune_files(&env, plan, &["--altra-pct", "3"]);
        assert_eq!(code, 4);
        assert!(e.contains("nome della categoria"), "{e}");
        // Counts are whole numbers >= 0.
        let mut args = file_args(plan, &[]);
        args[9] = "-1";
        let e = env.fails(4, COMUNE, &args);
        assert!(e.contains("turn-over (e)"), "{e}");
        // Before R.R. 2/2025 an ALER fills no social-category field. From R.R. 2/2025 the
        // category reserves (art. 4 c.3 lett. c-bis) are set by each owner, ALERs included;
        // the police share (d-bis), the other category (d) and the indigent excess (h) stay
        // the Comuni's.
        let cbis = ["--anziani-pct", "1", "--monoparentali-pct", "2"];
        if plan == &old {
            let e = env.fails(4, ALER, &file_args(plan, &cbis));
            assert!(e.contains("riservato ai Comuni"), "{e}");
        } else {
            env.ok(ALER, &file_args(plan, &cbis));
        }
        for comuni_only in [
            &["--polizia-pct", "1"][..],
            &["--indigenti-pct", "1"],
            &["--altra-categoria", "X", "--altra-pct", "1"],
        ] {
            let e = env.fails(4, ALER, &file_args(plan, comuni_only));
            assert!(e.contains("riservato ai Comuni"), "{e}");
        }
        env.ok(ALER, &file_args(plan, &[]));
    }
}

#[test]
fn refiling_keeps_history_and_status_totals_the_filings_in_force() {
    let env = Env::demo(DEMO);
    let id = env.open_plan(2026);
    let id = id.as_str();
    let first = env.json(COMUNE, &file_args(id, &["--format", "json"]));
    let receipt = &first["receipt"];
    assert!(
        receipt["transmission_id"]
            .as_str()
            .unwrap()
            .starts_with("PA2026-")
    );
    assert!(receipt["received_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(receipt["total"], 1 + 2 + 3 + 4);
    let mut args = file_args(id, &["--format", "json"]);
    args[5] = "10";
    let second = env.json(COMUNE, &args);
    assert_ne!(
        second["receipt"]["transmission_id"],
        receipt["transmission_id"]
    );
    env.ok(ALER, &file_args(id, &[]));

    let h = env.json(
        "helpdesk",
        &[
            "comm",
            "history",
            "--plan",
            id,
            "--owner",
            COMUNE_OWNER,
            "--format",
            "json",
        ],
    );
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["superseded_by"], h[1]["id"]);
    assert!(h[1]["superseded_by"].is_null());
    assert_eq!(h[0]["form"]["counts"]["carenze"], 1);
    assert_eq!(h[1]["form"]["counts"]["carenze"], 10);

    let s = env.json(CAPOFILA, &["plan", "status", id, "--format", "json"]);
    assert_eq!(s["filed"], 2);
    let owners = s["owners"].as_array().unwrap();
    assert_eq!(s["missing"].as_array().unwrap().len(), owners.len() - 2);
    // Every comune of the district has a communication, and the ALER with units there.
    assert!(
        owners
            .iter()
            .filter(|o| o["owner_kind"] == "COMUNE")
            .count()
            >= 11
    );
    assert!(owners.iter().any(|o| o["owner_kind"] == "ALER"));
    assert_eq!(s["totals"]["carenze"], 10 + 1);
    assert_eq!(s["totals"]["total"], (10 + 2 + 3 + 4) + (1 + 2 + 3 + 4));
    assert_eq!(s["totals"]["assegnate"], 12);
}

#[test]
fn a_stale_save_is_refused() {
    let env = Env::demo(DEMO);
    let id = env.open_plan(2026);
    let id = id.as_str();
    let read = |env: &Env| {
        env.json(
            COMUNE,
            &[
                "comm",
                "show",
                "--plan",
                id,
                "--owner",
                COMUNE_OWNER,
                "--format",
                "json",
            ],
        )[0]["version"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    // Two sessions read the same version; a draft, then a filing.
    let v = read(&env);
    let draft = env.json(
        COMUNE,
        &file_args(id, &["--draft", "--version", &v, "--format", "json"]),
    );
    assert_eq!(draft["state"], "IN COMPILAZIONE");
    assert!(draft["receipt"].is_null());
    let audit = env.audit_count();
    let e = env.fails(4, COMUNE, &file_args(id, &["--version", &v]));
    assert!(e.contains("modificata da un'altra sessione"), "{e}");
    assert_eq!(env.audit_count(), audit, "a refused save writes nothing");
    assert!(
        env.json(
            "helpdesk",
            &["comm", "history", "--plan", id, "--format", "json"]
        )
        .as_array()
        .unwrap()
        .is_empty(),
        "nothing filed by the stale save"
    );
    let v = read(&env);
    env.ok(COMUNE, &file_args(id, &["--version", &v]));
    assert_eq!(env.audit_count(), audit + 1, "one audit record per filing");
}

#[test]
fn filing_needs_a_certification_made_after_the_window_opened() {
    let env = Env::demo(DEMO);
    env.ok(COMUNE, &["certification", "certify"]);
    let id = env.plan(2026, -5, 20);
    // Times are stored in whole seconds: the opening must fall in a later second than the
    // certification. Wait for exactly that (not a fixed pause).
    let certified: String = {
        let store = casa::store::Store::open(&env.db, casa::store::Access::ReadOnly).unwrap();
        store
            .conn()
            .query_row("SELECT max(at) FROM certification", [], |r| r.get(0))
            .unwrap()
    };
    let certified = chrono::DateTime::parse_from_rfc3339(&certified).unwrap();
    while chrono::Utc::now().timestamp() <= certified.timestamp() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    env.ok(CAPOFILA, &["plan", "open", &id]);
    let e = env.fails(4, COMUNE, &file_args(&id, &[]));
    assert!(e.contains("certificare"), "{e}");
    let s = env.json(CAPOFILA, &["plan", "status", &id, "--format", "json"]);
    let comune = s["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["owner_name"] == "Comune di Seriate")
        .unwrap();
    assert_eq!(comune["certified_for_plan"], false);
    env.ok(COMUNE, &["certification", "certify"]);
    env.ok(COMUNE, &file_args(&id, &[]));
}

#[test]
fn filing_outside_the_window_is_refused() {
    let env = Env::demo(DEMO);
    env.ok(COMUNE, &["certification", "certify"]);
    // BOZZA: the window was never opened.
    let id = env.plan(2026, -5, 20);
    let e = env.fails(4, COMUNE, &file_args(&id, &[]));
    assert!(e.contains("non è ancora stata aperta"), "{e}");
    // Opened, but the start date is in the future.
    env.ok(CAPOFILA, &["plan", "cancel", &id]);
    let id = env.plan(2026, 3, 20);
    env.ok(CAPOFILA, &["plan", "open", &id]);
    env.ok(COMUNE, &["certification", "certify"]);
    let e = env.fails(4, COMUNE, &file_args(&id, &[]));
    assert!(e.contains("si apre il"), "{e}");
    // Closed, then cancelled.
    env.ok(CAPOFILA, &["plan", "close", &id]);
    let e = env.fails(4, COMUNE, &file_args(&id, &[]));
    assert!(e.contains("chiusa"), "{e}");
    env.ok(CAPOFILA, &["plan", "cancel", &id]);
    let e = env.fails(4, COMUNE, &file_args(&id, &[]));
    assert!(e.contains("annullato"), "{e}");
}

#[test]
fn report_has_a_row_per_owner_numbers_as_numbers_and_totals_equal_to_the_filings() {
    use calamine::{Data, DataType, Reader, open_workbook_auto};
    let env = Env::demo(DEMO);
    let id = env.open_plan(2026);
    let id = id.as_str();
    env.ok(
        COMUNE,
        &file_args(id, &["--anziani-pct", "12.5", "--polizia-pct", "3"]),
    );
    let mut aler = file_args(id, &[]);
    aler[5] = "7";
    env.ok(ALER, &aler);
    let out = env.home.join("report.xlsx");
    let out_s = out.to_str().unwrap();
    // Comuni and ALER download the report of their plan too (the communications it lists
    // are readable one by one); the export stays the capofila's.
    for op in [OTHER_CAPOFILA, COMUNE, ALER, CAPOFILA] {
        env.ok(op, &["plan", "report", id, "--out", out_s, "--force"]);
    }

    let status = env.json(CAPOFILA, &["plan", "status", id, "--format", "json"]);
    let owners = status["owners"].as_array().unwrap().len();
    let mut wb = open_workbook_auto(&out).unwrap();
    let sheet = wb.worksheet_range("Comunicazioni").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows[1][0], Data::String("Nome ente".into()));
    assert_eq!(rows.len(), 2 + owners + 1, "title, headers, owners, totals");
    let seriate = rows
        .iter()
        .find(|r| r[0] == Data::String("Comune di Seriate".into()))
        .unwrap();
    assert_eq!(seriate[5], Data::Float(1.0));
    assert_eq!(seriate[9], Data::Float(10.0));
    assert_eq!(seriate[13], Data::Float(12.5));
    assert_eq!(seriate[17], Data::Float(3.0));
    let totals = rows.last().unwrap();
    assert_eq!(totals[0], Data::String("Totale".into()));
    // Totals equal the sums of the filed communications, column by column.
    for (col, key) in [
        (5, "carenze"),
        (6, "nuove"),
        (7, "turnover"),
        (8, "privati"),
        (9, "total"),
        (10, "sat"),
        (11, "assegnate"),
    ] {
        let sum: f64 = rows[2..rows.len() - 1]
            .iter()
            .filter_map(|r| r[col].as_f64())
            .sum();
        assert_eq!(totals[col], Data::Float(sum), "column {key}");
        assert_eq!(status["totals"][key].as_f64().unwrap(), sum, "column {key}");
    }
    assert_eq!(totals[5], Data::Float(1.0 + 7.0));
}

#[test]
fn the_form_shows_the_registry_counts_marked_for_the_plan_year() {
    let env = Env::demo(DEMO);
    let id = env.open_plan(2026);
    env.ok(
        COMUNE,
        &["units", "mark", "--owner", COMUNE_OWNER, "--year", "2026"],
    );
    let count = |state: &str| {
        env.ok(
            COMUNE,
            &[
                "units",
                "count",
                "--owner",
                COMUNE_OWNER,
                "--marcati",
                "2026",
                "--stato",
                state,
            ],
        )
        .trim()
        .to_string()
    };
    let (free, repairs, works) = (
        count("LIBERO"),
        count("SFITTO PER CARENZE MANUTENTIVE"),
        count("SFITTO PER RISTRUTTURAZIONE"),
    );
    let show = env.ok(
        COMUNE,
        &["comm", "show", "--plan", &id, "--owner", COMUNE_OWNER],
    );
    let expected = format!(
        "liberi {free} (turn-over, e), sfitti per carenze manutentive {repairs} (b), sfitti per ristrutturazione {works} (c+d)"
    );
    assert!(show.contains(&expected), "{show}\nexpected: {expected}");
    let marked: i64 = [&free, &repairs, &works]
        .iter()
        .map(|n| n.parse::<i64>().unwrap())
        .sum();
    assert!(
        marked > 0,
        "the demo Comune has free or vacant units to mark"
    );
}

#[test]
fn export_of_an_approved_plan_has_four_sheets_and_totals_equal_to_the_filings() {
    use calamine::{Data, DataType, Reader, open_workbook_auto};
    let env = Env::demo(DEMO);
    let id = env.open_plan(2026);
    let id = id.as_str();
    env.ok(
        COMUNE,
        &["units", "mark", "--owner", COMUNE_OWNER, "--year", "2026"],
    );
    env.ok(COMUNE, &file_args(id, &[]));
    let mut aler = file_args(id, &[]);
    aler[5] = "7";
    env.ok(ALER, &aler);
    let out = env.home.join("export.xlsx");
    let out_s = out.to_str().unwrap();
    let e = env.fails(4, CAPOFILA, &["plan", "export", id, "--out", out_s]);
    assert!(e.contains("si esportano solo i piani APPROVATO"), "{e}");
    env.ok(CAPOFILA, &["plan", "close", id]);
    env.ok(CAPOFILA, &["plan", "approve", id]);
    for op in [OTHER_CAPOFILA, COMUNE, ALER] {
        env.fails(3, op, &["plan", "export", id, "--out", out_s]);
    }
    assert!(!out.exists());
    env.ok(CAPOFILA, &["plan", "export", id, "--out", out_s]);

    let mut wb = open_workbook_auto(&out).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Scheda piano",
            "Comunicazioni",
            "Patrimonio",
            "Alloggi inclusi"
        ]
    );
    let card = wb.worksheet_range("Scheda piano").unwrap();
    assert!(
        card.rows()
            .any(|r| r[0] == Data::String("STATO DEL PIANO".into())
                && r[1] == Data::String("APPROVATO".into()))
    );

    // Comunicazioni totals equal the sums of the filings in force (from `comm history`).
    let history = env.json(
        CAPOFILA,
        &["comm", "history", "--plan", id, "--format", "json"],
    );
    let filings: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["superseded_by"].is_null())
        .collect();
    assert_eq!(filings.len(), 2);
    let sheet = wb.worksheet_range("Comunicazioni").unwrap();
    let totals = sheet.rows().next_back().unwrap().to_vec();
    assert_eq!(totals[0], Data::String("Totale".into()));
    for (col, key) in [
        (5, "carenze"),
        (6, "nuove"),
        (7, "turnover"),
        (8, "privati"),
        (10, "sat"),
        (11, "assegnate"),
    ] {
        let sum: i64 = filings
            .iter()
            .map(|f| f["form"]["counts"][key].as_i64().unwrap())
            .sum();
        assert_eq!(totals[col], Data::Float(sum as f64), "column {key}");
    }
    let total: i64 = filings.iter().map(|f| f["total"].as_i64().unwrap()).sum();
    assert_eq!(totals[9], Data::Float(total as f64));
    assert_eq!(totals[5], Data::Float(1.0 + 7.0));

    // Stock: numbers as numbers, a certification total for both owners that certified.
    let stock = wb.worksheet_range("Patrimonio").unwrap();
    let certified = stock
        .rows()
        .filter(|r| {
            r[6].as_string()
                .is_some_and(|s| s.starts_with("certificazione del"))
        })
        .count();
    assert_eq!(certified, 2);
    assert!(stock.rows().skip(1).all(|r| r[2].as_f64().is_some()));

    let units = wb.worksheet_range("Alloggi inclusi").unwrap();
    assert!(units.height() > 1, "the Comune's marked units are listed");
    assert!(
        units
            .rows()
            .skip(1)
            .all(|r| r[2] == Data::String("Seriate".into())
                || r[0] != Data::String("Comune di Seriate".into()))
    );
}

#[test]
fn a_plan_action_on_a_stale_card_is_refused() {
    let env = Env::demo(DEMO);
    let id = env.plan(2026, -5, 20);
    let id = id.as_str();
    let version = |env: &Env| {
        env.json("helpdesk", &["plan", "show", id, "--format", "json"])["plan"]["version"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    // Two capofila sessions read the same card; one opens the window.
    let read = version(&env);
    env.ok(CAPOFILA, &["plan", "open", id, "--version", &read]);
    assert_eq!(env.state(id), "APERTO");
    // The other, still looking at BOZZA, cancels: refused, nothing written.
    let audit = env.audit_count();
    let e = env.fails(4, CAPOFILA, &["plan", "cancel", id, "--version", &read]);
    assert!(e.contains("modificato da un'altra sessione"), "{e}");
    assert!(e.contains("apri"), "names the change that happened: {e}");
    assert_eq!(env.state(id), "APERTO");
    assert_eq!(env.audit_count(), audit, "a refused action writes nothing");
    // With the version read again the action goes through.
    let now = version(&env);
    assert_ne!(now, read);
    env.ok(CAPOFILA, &["plan", "close", id, "--version", &now]);
    assert_eq!(env.state(id), "CHIUSO");
}
