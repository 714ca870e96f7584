//! Rankings end to end through the binary: the demo notice and its rankings, rule sets loaded
//! and versioned, a notice keeping its rule set, applications import, what-if, corrections,
//! exports and permissions. Each test builds a small demo database of its own.

use calamine::{Reader, open_workbook_auto};
mod support;

use serde_json::Value;
use std::path::Path;
use support::cli::Env;

/// A 3,000-unit demo whose notice has `applications` applications (0: no notice).
fn demo(applications: usize) -> Env {
    let n = applications.to_string();
    Env::demo(&["--units", "3000", "--applications", &n])
}

impl Env {
    /// The demo notice and the capofila of its district.
    fn demo_notice(&self) -> (String, String) {
        let v = self.json("regione", &["notice", "list", "--format", "json"]);
        let n = &v.as_array().unwrap()[0];
        (
            n["id"].as_i64().unwrap().to_string(),
            format!(
                "capofila.{}",
                n["district_code"].as_str().unwrap().to_lowercase()
            ),
        )
    }

    fn ranked(&self, notice: &str) -> Vec<Value> {
        self.json(
            "regione",
            &["rankings", "show", "--notice", notice, "--format", "json"],
        )
        .as_array()
        .unwrap()
        .clone()
    }

    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }
}

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

#[test]
fn demo_notice_rankings_are_complete_ordered_and_anonymous() {
    let env = demo(400);
    let (notice, _) = env.demo_notice();
    let rows = env.ranked(&notice);
    assert!(rows.len() > 50, "{} ranked", rows.len());
    for key in [
        "owner",
        "comune",
        "position",
        "id_domanda",
        "isbar",
        "familiari",
        "abitative",
        "economica",
        "residenza_regione",
        "residenza_comune",
        "isee",
        "indigente",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}: {}", rows[0]);
    }
    let text = serde_json::to_string(&rows).unwrap();
    assert!(!text.contains("tax_code") && !text.contains("codice_fiscale"));
    // Positions 1..n per ranking, ISBAR not increasing, sub-scores adding up.
    let mut by_ranking: std::collections::BTreeMap<(String, String), Vec<&Value>> =
        Default::default();
    for r in &rows {
        by_ranking
            .entry((
                r["owner"].as_str().unwrap().into(),
                r["comune"].as_str().unwrap().into(),
            ))
            .or_default()
            .push(r);
    }
    for list in by_ranking.values() {
        for (i, r) in list.iter().enumerate() {
            assert_eq!(r["position"].as_i64().unwrap(), i as i64 + 1);
            let sum: f64 = [
                "familiari",
                "abitative",
                "economica",
                "residenza_regione",
                "residenza_comune",
            ]
            .iter()
            .map(|k| r[*k].as_f64().unwrap())
            .sum();
            assert!((sum - r["isbar"].as_f64().unwrap()).abs() < 0.001, "{r}");
            // The indigent flag follows ISEE ≤ 3,000.00 exactly.
            assert_eq!(
                r["indigente"].as_bool().unwrap(),
                r["isee"].as_f64().unwrap() <= 3000.0,
                "{r}"
            );
        }
        for w in list.windows(2) {
            assert!(w[0]["isbar"].as_f64() >= w[1]["isbar"].as_f64());
        }
    }
    // Excluded applications are listed with the reason.
    let ex = env.json(
        "regione",
        &[
            "rankings", "excluded", "--notice", &notice, "--format", "json",
        ],
    );
    let ex = ex.as_array().unwrap();
    assert!(!ex.is_empty());
    assert!(ex.iter().all(|x| !x["reason"].as_str().unwrap().is_empty()));
    // An explanation adds up and names the rule set.
    let code = rows[0]["id_domanda"].as_str().unwrap();
    let e = env.json("regione", &["isbar", "explain", code, "--format", "json"]);
    assert_eq!(e["rule_set"], "R.R. 2/2025");
    let lines: i64 = e["score"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["points"].as_i64().unwrap())
        .sum();
    assert_eq!(lines, e["score"]["total"].as_i64().unwrap());
    assert!(e["unverified"].as_str().unwrap().contains("non verificati"));
    let text = env.ok("regione", &["isbar", "explain", code]);
    assert!(text.contains("Criteri di parità"), "{text}");
    assert!(text.contains("ISBAR"), "{text}");

    // A Comune's operator (AVVISI on its own Comune) reads only its Comune's rankings, not the
    // exclusions; an operator without AVVISI reads none.
    let comune_owner: (String, String) = env
        .conn()
        .query_row(
            "SELECT o.name, o.istat_code FROM ranking r JOIN owner o ON o.id = r.owner_id
              WHERE o.kind = 1 ORDER BY o.name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let op = format!("comune.{}", comune_owner.1);
    let mine = env.json(
        &op,
        &["rankings", "show", "--notice", &notice, "--format", "json"],
    );
    let mine = mine.as_array().unwrap();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|r| r["owner"] == comune_owner.0.as_str()));
    env.fails(3, &op, &["rankings", "excluded", "--notice", &notice]);
    env.fails(
        3,
        "comune.016003",
        &["rankings", "show", "--notice", &notice],
    );
}

#[test]
fn rule_sets_load_as_new_versions_and_a_notice_keeps_its_own() {
    let env = demo(300);
    let (notice, capofila) = env.demo_notice();
    let before = env.ranked(&notice);
    // A file with overlapping bands is refused with file and line, by check and by load.
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/rr-2-2025.toml"))
            .unwrap();
    let bad = env.dir().join("bad.toml");
    std::fs::write(
        &bad,
        text.replacen(
            "{ from_years = 10, to_years = 15, points = 4.50 }",
            "{ from_years = 9, to_years = 15, points = 4.50 }",
            1,
        ),
    )
    .unwrap();
    let e = env.fails(4, "regione", &["rules", "check", bad.to_str().unwrap()]);
    assert!(e.contains("riga ") && e.contains("sovrapposte"), "{e}");
    env.fails(4, "regione", &["rules", "load", bad.to_str().unwrap()]);
    // A changed value under the same citation: version 2. Only the Regione loads.
    let changed = env.dir().join("rr-2-2025-bis.toml");
    std::fs::write(
        &changed,
        text.replacen("points = { value = 20.00", "points = { value = 35.00", 1),
    )
    .unwrap();
    let f = changed.to_str().unwrap();
    env.fails(3, &capofila, &["rules", "load", f]);
    let out = env.ok("regione", &["rules", "load", f]);
    assert!(out.contains("R.R. 2/2025 v2"), "{out}");
    let out = env.ok("regione", &["rules", "load", f]);
    assert!(out.contains("Già memorizzato"), "{out}");
    let list = env.json("regione", &["rules", "list", "--format", "json"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["cite"] == "R.R. 2/2025 v2")
    );
    // The notice keeps R.R. 2/2025 (version 1) and recomputes identically.
    env.ok(&capofila, &["rankings", "compute", "--notice", &notice]);
    assert_eq!(env.ranked(&notice), before);
    let n = env.json("regione", &["notice", "show", &notice, "--format", "json"]);
    assert_eq!(n["notice"]["rule_set"], "R.R. 2/2025");
    // What-if under version 2 moves someone and changes nothing stored.
    let cmp = env.json(
        "regione",
        &[
            "rankings",
            "compare",
            "--notice",
            &notice,
            "--rules",
            "R.R. 2/2025 v2",
            "--format",
            "json",
        ],
    );
    let moved: usize = cmp["rankings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["movements"].as_array().unwrap().len())
        .sum();
    assert!(moved > 0, "{cmp}");
    // Under R.R. 3/2019 (residence for all, cap 14.5) people move as well; a file works too.
    let table = env.ok(
        "regione",
        &[
            "rankings",
            "compare",
            "--notice",
            &notice,
            "--rules-file",
            f,
        ],
    );
    assert!(table.contains("nulla è cambiato"), "{table}");
    assert_eq!(env.ranked(&notice), before, "compare writes nothing");
    // A stored rule set cannot be changed, even behind casa's back.
    let e = env
        .conn()
        .execute("UPDATE rule_set SET name = 'x' WHERE id = 1", [])
        .unwrap_err();
    assert!(e.to_string().contains("non cambia"), "{e}");
}

#[test]
fn notices_applications_import_corrections_and_permissions() {
    let env = demo(200);
    let (demo_notice, capofila) = env.demo_notice();
    let district = capofila.trim_start_matches("capofila.").to_uppercase();
    // A notice shorter than 30 days is refused; another operator may not create one.
    let create = |op: &str, opens: i64, closes: i64| {
        env.casa(
            Some(op),
            &[
                "notice",
                "create",
                "--district",
                &district,
                "--title",
                "Avviso di prova",
                "--opens",
                &day(opens),
                "--closes",
                &day(closes),
                "--format",
                "json",
            ],
        )
    };
    let out = create(&capofila, -40, -15);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("almeno 30 giorni"));
    assert_eq!(create("regione", -60, -2).status.code(), Some(3));
    let out = create(&capofila, -60, -2);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notice = id["id"].as_i64().unwrap().to_string();

    // Import: one bad row refuses the whole file; fixed, it goes in; again, nothing changes.
    let header = "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Condizioni\n";
    let istat: String = env
        .conn()
        .query_row(
            "SELECT dm.istat_code FROM district_municipality dm JOIN district d ON d.id = dm.district_id
              JOIN notice_unit nu ON nu.notice_id = ?1
              JOIN unit u ON u.id = nu.unit_id AND u.istat_code = dm.istat_code
             WHERE d.code = ?2 LIMIT 1",
            rusqlite::params![notice.parse::<i64>().unwrap(), district],
            |r| r.get(0),
        )
        .unwrap();
    let rows = format!(
        "P-1;01/03/2026 10:00;RSSMRA85T10A562S;10/12/1985;RICHIEDENTE;;;2.500,00;1000;SI;NO;{istat};;20;12;RILASCIO_ALLOGGIO\n\
         P-1;01/03/2026 10:00;RSSMRA70A41H501W;01/01/1970;CONIUGE;70;NO;2.500,00;1000;SI;NO;{istat};;20;12;RILASCIO_ALLOGGIO\n\
         P-2;02/03/2026 09:00;RSSMRA80A01F205X;01/01/1980;RICHIEDENTE;;;16.000,01;0;SI;NO;{istat};;10;3;\n\
         P-3;02/03/2026 09:30;BNCGNN80A01F205W;01/01/1980;RICHIEDENTE;;;16.000,00;0;SI;NO;{istat};;10;3;\n"
    );
    let bad = env.dir().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}{}", rows.replace("16.000,00", "sedicimila")),
    )
    .unwrap();
    let e = env.fails(
        4,
        &capofila,
        &[
            "applications",
            "import",
            bad.to_str().unwrap(),
            "--notice",
            &notice,
        ],
    );
    assert!(e.contains("ISEE"), "{e}");
    let n = env.json("regione", &["notice", "show", &notice, "--format", "json"]);
    assert_eq!(n["notice"]["applications"], 0, "nothing imported");
    let good = env.dir().join("good.csv");
    std::fs::write(&good, format!("{header}{rows}")).unwrap();
    let f = good.to_str().unwrap();
    let out = env.ok(
        &capofila,
        &["applications", "import", f, "--notice", &notice],
    );
    assert!(out.contains("3 domande importate"), "{out}");
    let out = env.ok(
        &capofila,
        &["applications", "import", f, "--notice", &notice],
    );
    assert!(out.contains("0 domande importate, 3 già presenti"), "{out}");

    // Compute: €16,000.01 is excluded, €16,000.00 is ranked; P-1 is indigent (≤ €3,000).
    env.fails(3, "regione", &["rankings", "compute", "--notice", &notice]);
    env.ok(&capofila, &["rankings", "compute", "--notice", &notice]);
    let ex = env.json(
        "regione",
        &[
            "rankings", "excluded", "--notice", &notice, "--format", "json",
        ],
    );
    let ex = ex.as_array().unwrap();
    assert_eq!(ex.len(), 1, "{ex:?}");
    assert_eq!(ex[0]["code"], "P-2");
    assert_eq!(ex[0]["requirement"], "ISEE");
    let ranked = env.ranked(&notice);
    let p1 = ranked.iter().find(|r| r["id_domanda"] == "P-1").unwrap();
    assert_eq!(p1["indigente"], true);
    assert!(ranked.iter().any(|r| r["id_domanda"] == "P-3"));

    // A correction: the spouse's disability recognised at 100% with attendance allowance.
    let isbar = |env: &Env| {
        env.json(
            "regione",
            &[
                "isbar", "explain", "P-1", "--notice", &notice, "--format", "json",
            ],
        )["score"]["total"]
            .as_i64()
            .unwrap()
    };
    let before = isbar(&env);
    env.fails(
        3,
        "comune.016003",
        &[
            "rankings",
            "correct",
            "--notice",
            &notice,
            "--application",
            "P-1",
            "--member",
            "RSSMRA70A41H501W",
            "--disability-pct",
            "100",
            "--attendance",
        ],
    );
    let out = env.ok(
        &capofila,
        &[
            "rankings",
            "correct",
            "--notice",
            &notice,
            "--application",
            "P-1",
            "--member",
            "RSSMRA70A41H501W",
            "--disability-pct",
            "100",
            "--attendance",
        ],
    );
    assert!(out.contains("Rettifica della domanda P-1"), "{out}");
    assert!(isbar(&env) > before, "the score goes up");
    let audited: i64 = env
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'graduatorie.rettifica'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    // Final only after the corrections window.
    let e = env.fails(4, &capofila, &["rankings", "finalize", "--notice", &notice]);
    assert!(e.contains("rettifiche"), "{e}");

    // Exports: the published form has no codici fiscali and as many rows as the rankings.
    let published = env.dir().join("pub.xlsx");
    let internal = env.dir().join("int.xlsx");
    env.ok(
        "regione",
        &[
            "rankings",
            "export",
            "--notice",
            &demo_notice,
            "--out",
            published.to_str().unwrap(),
        ],
    );
    env.ok(
        "regione",
        &[
            "rankings",
            "export",
            "--notice",
            &demo_notice,
            "--out",
            internal.to_str().unwrap(),
            "--internal",
        ],
    );
    let codes = |p: &Path| -> Vec<String> {
        let mut wb = open_workbook_auto(p).unwrap();
        let mut out = Vec::new();
        for name in wb.sheet_names().to_owned() {
            let range = wb.worksheet_range(&name).unwrap();
            for row in range.rows() {
                if let Some(c) = row.get(1) {
                    let s = c.to_string();
                    if s.starts_with("D-") {
                        out.push(s);
                    }
                }
            }
        }
        out
    };
    let shown = env.ranked(&demo_notice);
    assert_eq!(codes(&published).len(), shown.len());
    assert_eq!(codes(&internal).len(), shown.len());
}

#[test]
fn the_first_notice_stores_the_shipped_rule_sets_with_one_audit_record() {
    let env = demo(0);
    let count = |env: &Env| -> i64 {
        env.conn()
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
            .unwrap()
    };
    let stored = |env: &Env| -> i64 {
        env.conn()
            .query_row("SELECT count(*) FROM rule_set", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(&env), 0);
    let before = count(&env);
    env.ok(
        "capofila.bg-seriate",
        &[
            "notice",
            "create",
            "--district",
            "BG-SERIATE",
            "--title",
            "Primo avviso",
            "--opens",
            &day(1),
            "--closes",
            &day(40),
        ],
    );
    assert_eq!(stored(&env), 4, "the four shipped rule sets");
    assert_eq!(count(&env), before + 1, "one audit record: the notice");
    let list = env.ok("regione", &["rules", "list"]);
    assert!(
        list.contains("R.R. 3/2019") && list.contains("incluso"),
        "{list}"
    );
}

/// Issue 12 item 7: `rules list`, `rules show` and `rules check` count the same unverified
/// values (every parameter with `verified = false`: the communication limits, the dates and
/// the ranking parameters alike), whether the rule set is stored yet or not.
#[test]
fn one_unverified_count_in_list_show_and_check() {
    let env = demo(0);
    let check = |env: &Env| {
        let list = env.json("regione", &["rules", "list", "--format", "json"]);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 4, "{list:?}");
        for row in list {
            let cite = row["cite"].as_str().unwrap();
            let show = env.json("regione", &["rules", "show", cite, "--format", "json"]);
            let unverified = show
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["verified"] == false)
                .count();
            assert!(unverified > 0, "{cite}");
            assert_eq!(row["unverified"], unverified, "{cite}: list vs show");
            let table = env.ok("regione", &["rules", "show", cite]);
            assert!(
                table.contains(&format!("{unverified} non verificati")),
                "{cite}: {table}"
            );
            let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(row["file"].as_str().unwrap());
            let out = env.ok("regione", &["rules", "check", file.to_str().unwrap()]);
            assert!(
                out.contains(&format!("{unverified} valori non verificati")),
                "{cite}: {out}"
            );
        }
    };
    check(&env);
    env.ok(
        "capofila.bg-seriate",
        &[
            "notice",
            "create",
            "--district",
            "BG-SERIATE",
            "--title",
            "Avviso",
            "--opens",
            &day(1),
            "--closes",
            &day(40),
        ],
    );
    check(&env);
}

/// Art. 12 c.2 and art. 9 c.2 through the binary: the years of residence in other comuni are
/// imported (`Residenza altri comuni`), each ranking scores the years in its own comune and the
/// explanation shows the score per comune; a unit in a third comune, chosen while the comune
/// of residence offers an adequate one, is dropped with the reason, listed by `rankings
/// excluded --preferences` and in the explanation.
#[test]
fn residence_per_comune_and_art_9_c2_through_the_binary() {
    let env = demo(200);
    let (_, capofila) = env.demo_notice();
    let district = capofila.trim_start_matches("capofila.").to_uppercase();
    let out = env.casa(
        Some(&capofila),
        &[
            "notice",
            "create",
            "--district",
            &district,
            "--title",
            "Avviso art. 12",
            "--opens",
            &day(-60),
            "--closes",
            &day(-2),
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notice = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_i64()
        .unwrap();
    // Two comuni of the notice with a unit adequate for one person each.
    let units: Vec<(String, i64)> = {
        let conn = env.conn();
        let mut stmt = conn
            .prepare(
                "SELECT u.istat_code, min(u.id) FROM notice_unit nu JOIN unit u ON u.id = nu.unit_id
                  WHERE nu.notice_id = ?1 AND u.floor_area BETWEEN 28 AND 75
                  GROUP BY u.istat_code ORDER BY u.istat_code LIMIT 2",
            )
            .unwrap();
        stmt.query_map([notice], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(units.len(), 2, "two comuni with units on offer");
    let ((c1, u1), (c2, u2)) = (units[0].clone(), units[1].clone());
    let header = "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Residenza altri comuni;Alloggio 1;Alloggio 2\n";
    let rows = format!(
        "Q-1;01/03/2026 10:00;RSSMRA50A01F205R;01/01/1950;RICHIEDENTE;8000;0;SI;NO;{c1};;20;12;;{u1};{u2}\n\
         Q-2;01/03/2026 11:00;BNCGNN50A01F205Q;01/01/1950;RICHIEDENTE;8000;0;SI;SI;{c2};{c1};20;3;{c1}:10;{u1};{u2}\n"
    );
    let file = env.dir().join("q.csv");
    // The comune of residence among the other comuni is refused, naming the column.
    std::fs::write(
        &file,
        format!(
            "{header}{}",
            rows.replace(&format!("{c1}:10"), &format!("{c2}:10"))
        ),
    )
    .unwrap();
    let e = env.fails(
        4,
        &capofila,
        &[
            "applications",
            "import",
            file.to_str().unwrap(),
            "--notice",
            &notice.to_string(),
        ],
    );
    assert!(
        e.contains("Residenza altri comuni") && e.contains("Anni residenza Comune"),
        "{e}"
    );
    std::fs::write(&file, format!("{header}{rows}")).unwrap();
    let n = notice.to_string();
    env.ok(
        &capofila,
        &[
            "applications",
            "import",
            file.to_str().unwrap(),
            "--notice",
            &n,
        ],
    );
    env.ok(&capofila, &["rankings", "compute", "--notice", &n]);

    let dropped = env.json(
        "regione",
        &[
            "rankings",
            "excluded",
            "--notice",
            &n,
            "--preferences",
            "--format",
            "json",
        ],
    );
    let q1: Vec<&Value> = dropped
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "Q-1")
        .collect();
    assert_eq!(q1.len(), 1, "{dropped}");
    assert_eq!(q1[0]["unit_id"], u2);
    assert!(
        q1[0]["reason"].as_str().unwrap().contains("art. 9 c.2"),
        "{dropped}"
    );
    let table = env.ok("regione", &["rankings", "excluded", "--notice", &n]);
    assert!(table.contains("--preferences"), "{table}");
    let text = env.ok("regione", &["isbar", "explain", "Q-1", "--notice", &n]);
    assert!(
        text.contains(&format!("Alloggio {u2} non considerato")) && text.contains("art. 9 c.2"),
        "{text}"
    );

    // Q-2 lives in c2 (3 years) and lived 10 years in c1: each ranking its own years.
    let e = env.json(
        "regione",
        &[
            "isbar", "explain", "Q-2", "--notice", &n, "--format", "json",
        ],
    );
    let by: Vec<(String, u64)> = e["by_comune"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["istat_code"].as_str().unwrap().to_string(),
                c["years"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        by.contains(&(c1.clone(), 10)) && by.contains(&(c2.clone(), 3)),
        "{by:?}"
    );
    let ranked = env.ranked(&n);
    let residence = |code: &str, istat: &str| {
        ranked
            .iter()
            .find(|r| r["id_domanda"] == code && r["istat_code"] == istat)
            .map(|r| r["residenza_comune"].as_f64().unwrap())
            .unwrap_or_else(|| panic!("{code} not ranked in {istat}"))
    };
    assert!(residence("Q-2", &c1) > residence("Q-2", &c2), "{ranked:?}");
    let text = env.ok("regione", &["isbar", "explain", "Q-2", "--notice", &n]);
    assert!(text.contains("art. 12 c.2"), "{text}");
}
