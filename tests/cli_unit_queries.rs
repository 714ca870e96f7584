//! `casa units search|count|show|export|mark` and `casa certification …` end to end: the same
//! filter gives the same units in search, count and export; operators see only their owners;
//! the helpdesk sees masked personal data unless it reveals them (audited); bad values are
//! refused with exit code 4 naming the option.

mod unit_data;

use calamine::{Data, Reader, open_workbook_auto};
use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    fx: unit_data::Fixture,
    home: PathBuf,
}

impl Env {
    fn casa(&self, user: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_casa"))
            .arg("--operator")
            .arg(user)
            .args(args)
            .env("CASA_DB", &self.fx.path)
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env_remove("CASA_OPERATOR")
            .output()
            .unwrap()
    }

    fn ok(&self, user: &str, args: &[&str]) -> String {
        let out = self.casa(user, args);
        assert!(
            out.status.success(),
            "casa {args:?} as {user}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, code: i32, user: &str, args: &[&str]) -> String {
        let out = self.casa(user, args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "casa {args:?} as {user}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn sql_i64(&self, sql: &str) -> i64 {
        rusqlite::Connection::open(&self.fx.path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    fn out(&self, name: &str) -> String {
        self.fx.dir.path().join(name).display().to_string()
    }
}

/// Units, and operators: `reg` (Regione), `hd` (helpdesk), `aler` (ALER Milano, every
/// service), `mil` (Comune di Milano, ANAGRAFE).
fn env() -> Env {
    let fx = unit_data::build(1_500, 17);
    let home = fx.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let env = Env { fx, home };
    let person = [
        "--surname",
        "Bianchi",
        "--name",
        "Anna",
        "--tax-code",
        "RSSMRA70A41H501W",
        "--email",
        "a@example.it",
    ];
    let mut first = vec!["operators", "add", "reg", "--role", "regione"];
    first.extend(person);
    env.ok("reg", &first);
    for (user, extra) in [
        ("hd", vec!["--role", "helpdesk"]),
        ("aler", vec!["--role", "ente", "--owner", "ALER_MI"]),
        (
            "mil",
            vec![
                "--role",
                "ente",
                "--owner",
                "015146",
                "--service",
                "anagrafe",
            ],
        ),
    ] {
        let mut args = vec!["operators", "add", user];
        args.extend(extra);
        args.extend(person);
        env.ok("reg", &args);
    }
    env
}

fn csv_ids(text: &str, column: usize) -> Vec<i64> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[column].parse().unwrap())
        .collect()
}

fn xlsx_ids(path: &str) -> Vec<i64> {
    let mut wb = open_workbook_auto(path).unwrap();
    let mut ids = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows().skip(1) {
            match row[2] {
                Data::Float(f) => ids.push(f as i64),
                ref other => panic!("ID is not a number: {other:?}"),
            }
        }
    }
    ids.sort();
    ids
}

/// Ids of units in the plan's three states, read back with plain SQL.
fn plan_state_ids(env: &Env, ids: &[i64]) -> Vec<i64> {
    let c = rusqlite::Connection::open(&env.fx.path).unwrap();
    let mut out: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| {
            let s: i64 = c
                .query_row("SELECT state FROM unit WHERE id = ?1", [id], |r| r.get(0))
                .unwrap();
            [1, 3, 4].contains(&s)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn search_count_and_export_agree() {
    let env = env();
    let filters: [&[&str]; 5] = [
        &[
            "--stato",
            "LIBERO",
            "--stato",
            "SFITTO PER CARENZE MANUTENTIVE",
        ],
        &["--comune", "Milano"],
        &["--testo", "roma", "--provincia", "mi"],
        &["--destinazione", "SAS", "--in-avviso", "no"],
        &[
            "--stato",
            "libero,sfitto per ristrutturazione",
            "--comune",
            "015146",
            "--marcati",
            "2026",
        ],
    ];
    for user in ["reg", "aler"] {
        for f in filters {
            let mut search = vec!["units", "search", "--format", "csv"];
            search.extend(f);
            let ids = csv_ids(&env.ok(user, &search), 0);
            let mut count = vec!["units", "count"];
            count.extend(f);
            let n: usize = env.ok(user, &count).trim().parse().unwrap();
            assert_eq!(n, ids.len(), "{user} {f:?}");
            let mut json = vec!["units", "search", "--format", "json", "--sort", "comune"];
            json.extend(f);
            let rows: Vec<serde_json::Value> = serde_json::from_str(&env.ok(user, &json)).unwrap();
            let mut json_ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
            json_ids.sort();
            let mut sorted = ids.clone();
            sorted.sort();
            assert_eq!(json_ids, sorted);

            let xlsx = env.out("liste.xlsx");
            // The same file each round: replaced with --force.
            let mut export = vec!["units", "export", "--force", "--out", &xlsx];
            export.extend(f);
            let said = env.ok(user, &export);
            assert!(said.starts_with("Esportati"), "{said}");
            let in_lists = plan_state_ids(&env, &ids);
            assert_eq!(xlsx_ids(&xlsx), in_lists, "{user} {f:?}");
            let csv_out = env.out("liste.csv");
            let mut export = vec!["units", "export", "--force", "--out", &csv_out];
            export.extend(f);
            env.ok(user, &export);
            let mut from_csv = csv_ids(&std::fs::read_to_string(&csv_out).unwrap(), 2);
            from_csv.sort();
            assert_eq!(from_csv, in_lists);
        }
    }
    // The table format prints the same rows with a header.
    let table = env.ok(
        "reg",
        &["units", "search", "--comune", "Milano", "--limit", "3"],
    );
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(table.starts_with("ID"), "{table}");
}

#[test]
fn operators_see_only_their_owners() {
    let env = env();
    let milano = env.sql_i64("SELECT id FROM owner WHERE istat_code = '015146'");
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok("mil", &["units", "search", "--format", "json"])).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["owner_id"].as_i64() == Some(milano)));
    let n: i64 = env.ok("mil", &["units", "count"]).trim().parse().unwrap();
    assert_eq!(
        n,
        env.sql_i64(&format!(
            "SELECT count(*) FROM unit WHERE owner_id = {milano}"
        ))
    );
    let all: i64 = env.ok("hd", &["units", "count"]).trim().parse().unwrap();
    assert_eq!(all, env.sql_i64("SELECT count(*) FROM unit"));
    let err = env.fails(3, "mil", &["units", "count", "--owner", "ALER_MI"]);
    assert!(err.contains("non lavora per questo ente"), "{err}");
    let aler_unit = env.sql_i64(
        "SELECT min(u.id) FROM unit u JOIN owner o ON o.id = u.owner_id WHERE o.aler_code = 'ALER_MI'",
    );
    env.fails(3, "mil", &["units", "show", &aler_unit.to_string()]);
}

#[test]
fn limit_and_after_page_through_the_same_order() {
    let env = env();
    let all = csv_ids(
        &env.ok(
            "reg",
            &[
                "units",
                "search",
                "--sort",
                "superficie",
                "--desc",
                "--format",
                "csv",
            ],
        ),
        0,
    );
    let first = csv_ids(
        &env.ok(
            "reg",
            &[
                "units",
                "search",
                "--sort",
                "superficie",
                "--desc",
                "--limit",
                "5",
                "--format",
                "csv",
            ],
        ),
        0,
    );
    assert_eq!(first, all[..5]);
    let after = first[4].to_string();
    let next = csv_ids(
        &env.ok(
            "reg",
            &[
                "units",
                "search",
                "--sort",
                "superficie",
                "--desc",
                "--limit",
                "5",
                "--after",
                &after,
                "--format",
                "csv",
            ],
        ),
        0,
    );
    assert_eq!(next, all[5..10]);
}

#[test]
fn show_masks_for_helpdesk_and_audits_a_reveal() {
    let env = env();
    let id = env
        .sql_i64("SELECT min(unit_id) FROM household")
        .to_string();
    let masked = env.ok("hd", &["units", "show", &id]);
    assert!(masked.contains("****************"), "{masked}");
    assert!(masked.contains("oscurati"), "{masked}");
    assert!(!masked.contains("RSSMRA80A01H501U"));
    assert_eq!(
        env.sql_i64("SELECT count(*) FROM audit WHERE action = 'dati.visualizza'"),
        0
    );
    let shown = env.ok(
        "hd",
        &["units", "show", &id, "--reveal", "--format", "json"],
    );
    let d: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(
        d["households"][0]["tenants"][0]["tax_code"],
        "RSSMRA80A01H501U"
    );
    assert_eq!(d["personal_data_masked"], false);
    assert_eq!(
        env.sql_i64(&format!(
            "SELECT count(*) FROM audit WHERE action = 'dati.visualizza' AND operator = 'hd' AND entity_id = '{id}'"
        )),
        1
    );
    // Regione sees the data without masking; the helpdesk cannot reveal in a --read-only run.
    assert!(
        env.ok("reg", &["units", "show", &id])
            .contains("RSSMRA80A01H501U")
    );
    env.fails(3, "hd", &["--read-only", "units", "show", &id, "--reveal"]);
    env.fails(4, "reg", &["units", "show", "99999999"]);
}

#[test]
fn bad_values_name_the_option() {
    let env = env();
    for (args, needle) in [
        (vec!["units", "search", "--stato", "AFFITTATO"], "--stato"),
        (vec!["units", "count", "--comune", "Atlantide"], "--comune"),
        (vec!["units", "count", "--comune", "1514"], "--comune"),
        (vec!["units", "count", "--testo", "ab"], "--testo"),
        (vec!["units", "count", "--provincia", "RM"], "--provincia"),
        (
            vec!["units", "count", "--in-avviso", "forse"],
            "--in-avviso",
        ),
        (
            vec!["units", "count", "--destinazione", "casa"],
            "--destinazione",
        ),
        (vec!["units", "count", "--id", "abc"], "--id"),
        (vec!["units", "count", "--marcati", "20x6"], "--marcati"),
        (vec!["units", "search", "--sort", "prezzo"], "--sort"),
        (vec!["units", "search", "--after", "99999999"], "--after"),
        (vec!["units", "export", "--out", "liste.txt"], "--out"),
        (vec!["units", "mark", "--year", "26"], "--year"),
    ] {
        let err = env.fails(4, "reg", &args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn marking_then_exporting_only_the_marked_units() {
    let env = env();
    let aler = env.sql_i64("SELECT id FROM owner WHERE aler_code = 'ALER_MI'");
    let free = env.sql_i64(&format!(
        "SELECT count(*) FROM unit WHERE owner_id = {aler} AND state = 1"
    ));
    assert!(free > 0);
    let said = env.ok(
        "aler",
        &["units", "mark", "--stato", "LIBERO", "--year", "2031"],
    );
    assert!(said.contains(&format!("{free} alloggi")), "{said}");
    let n: i64 = env
        .ok("aler", &["units", "count", "--marcati", "2031"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(n, free);
    let xlsx = env.out("marcati.xlsx");
    env.ok(
        "aler",
        &["units", "export", "--only-marked", "2031", "--out", &xlsx],
    );
    assert_eq!(xlsx_ids(&xlsx).len() as i64, free);
    env.ok(
        "aler",
        &[
            "units", "mark", "--stato", "LIBERO", "--year", "2031", "--undo",
        ],
    );
    assert_eq!(
        env.sql_i64("SELECT count(*) FROM unit WHERE plan_year = 2031"),
        0
    );
    // Regione and helpdesk may not change owners' registries.
    env.fails(
        3,
        "reg",
        &["units", "mark", "--owner", "ALER_MI", "--year", "2031"],
    );
    env.fails(3, "hd", &["units", "mark", "--year", "2031"]);
}

#[test]
fn certification_card_and_actions() {
    let env = env();
    let card = env.ok("aler", &["certification", "show"]);
    assert!(
        card.contains("SCHEDA CERTIFICAZIONE — ALER Milano"),
        "{card}"
    );
    assert!(
        card.contains("Ultima certificazione") && card.contains("nessuna"),
        "{card}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok("aler", &["certification", "show", "--format", "json"]))
            .unwrap();
    let aler = env.sql_i64("SELECT id FROM owner WHERE aler_code = 'ALER_MI'");
    assert_eq!(
        json["totals"]["units"].as_i64(),
        Some(env.sql_i64(&format!(
            "SELECT count(*) FROM unit WHERE owner_id = {aler}"
        )))
    );
    let said = env.ok("aler", &["certification", "certify"]);
    assert!(said.starts_with("Certificazione registrata"), "{said}");
    let card = env.ok("reg", &["certification", "show", "--owner", "ALER_MI"]);
    assert!(card.contains("Certificazione del"), "{card}");
    let err = env.fails(4, "aler", &["certification", "none"]);
    assert!(err.contains("non può dichiarare"), "{err}");
    env.fails(
        3,
        "reg",
        &["certification", "certify", "--owner", "ALER_MI"],
    );
    env.fails(3, "hd", &["certification", "certify", "--owner", "ALER_MI"]);
    let err = env.fails(4, "reg", &["certification", "show"]);
    assert!(err.contains("--owner"), "{err}");
    env.fails(3, "mil", &["certification", "show", "--owner", "ALER_MI"]);
    assert_eq!(
        env.sql_i64("SELECT count(*) FROM certification"),
        1,
        "refused actions write nothing"
    );
}
