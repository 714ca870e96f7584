//! The architecture, checked on the sources: front ends (cli, tui with its state `app` and
//! drawing `ui`, and ssh, the forced command of an operator's key) → service → store → domain. `src/domain` holds pure rules (no terminal, no
//! SQL); only `src/store` speaks SQL or uses rusqlite; the front ends hold no database handle
//! and do not import each other; below the front ends nothing reads the environment (the
//! session is made once, from what the front end gives); permissions are checked by the
//! service with domain::access's rules, not by the store. Tests and benches are aside (they
//! set up data with SQL); so are the interface's snapshot tests under src/ui.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The Rust files under `dir` (a file or a folder, relative to src/), with their code lines:
/// comments dropped (they may name what they explain), test-only files skipped.
fn code_under(dir: &str) -> Vec<(PathBuf, String)> {
    let root = src().join(dir);
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p).unwrap() {
                stack.push(entry.unwrap().path());
            }
            continue;
        }
        let name = p.to_string_lossy();
        if !name.ends_with(".rs") || name.contains("snapshot_tests") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        out.push((p, code));
    }
    assert!(!out.is_empty(), "no files under src/{dir}");
    out
}

/// Every top-level module of src/ but `except`.
fn modules_except(except: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let module = name.trim_end_matches(".rs").to_string();
        if !except.contains(&module.as_str()) {
            out.push(name);
        }
    }
    out
}

/// What in `code` is SQL or a call that runs SQL: the first offending text, if any.
fn sql_in(code: &str) -> Option<String> {
    for call in [
        "rusqlite",
        ".prepare(",
        ".prepare_cached(",
        ".execute(",
        ".execute_batch(",
        ".query_row(",
        ".query_map(",
        ".pragma_update(",
        ".pragma_query",
        ".transaction(",
    ] {
        if code.contains(call) {
            return Some(call.to_string());
        }
    }
    // SQL statements in string literals.
    for (i, part) in code.split('"').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let t = part.trim_start();
        let words: Vec<&str> = t.split_whitespace().take(3).collect();
        let statement = matches!(
            words.as_slice(),
            ["SELECT", ..]
                | ["PRAGMA", ..]
                | ["WITH", _, "AS", ..]
                | ["INSERT", "INTO", ..]
                | ["DELETE", "FROM", ..]
                | ["CREATE", "TABLE" | "INDEX" | "VIEW" | "TRIGGER", ..]
                | ["UPDATE", _, "SET", ..]
        );
        if statement {
            return Some(t.chars().take(60).collect());
        }
    }
    None
}

/// Whether `code` holds `word` as a whole identifier (not `Stored` for `Store`).
fn has_word(code: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn failures(dirs: &[String], check: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out = Vec::new();
    for d in dirs {
        for (path, code) in code_under(d) {
            if let Some(what) = check(&code) {
                out.push(format!("{}: {what}", path.display()));
            }
        }
    }
    out
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn domain_imports_no_terminal_or_sql_crate() {
    let bad = failures(&names(&["domain"]), |code| {
        [
            "ratatui",
            "crossterm",
            "rusqlite",
            "crate::store",
            "crate::service",
        ]
        .into_iter()
        .find(|b| code.contains(b))
        .map(|b| format!("mentions {b}: domain code must stay pure"))
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn nothing_outside_the_store_speaks_sql_or_uses_rusqlite() {
    let dirs = modules_except(&["store"]);
    assert!(dirs.len() >= 12, "{dirs:?}");
    let bad = failures(&dirs, sql_in);
    assert!(bad.is_empty(), "SQL outside src/store:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_finds_sql() {
    for sql in [
        "let s = \"SELECT id FROM unit\";",
        "c.execute(\"x\", [])",
        "use rusqlite::Connection;",
        "f(\"  UPDATE unit SET x = 1\")",
        "f(\"\n   INSERT INTO t VALUES (1)\")",
    ] {
        assert!(sql_in(sql).is_some(), "{sql}");
    }
    for not_sql in [
        "println!(\"Seleziona un ente\")",
        "format!(\"Alloggi marcati per il piano\")",
        "\"UPDATE\"",
        "x.update(1)",
    ] {
        assert_eq!(sql_in(not_sql), None, "{not_sql}");
    }
}

#[test]
fn the_word_check_needs_whole_words() {
    assert!(has_word("let s: Store = x;", "Store"));
    assert!(has_word("svc.conn()", "conn"));
    assert!(!has_word("use rule_sets::Stored;", "Store"));
    assert!(!has_word("connection_count", "conn"));
}

#[test]
fn front_ends_hold_no_database_handle() {
    let front = names(&["cli", "tui", "app", "ui", "config", "ssh", "launch.rs"]);
    let bad = failures(&front, |code| {
        ["Store", "conn", "Access", "Connection", "Transaction"]
            .into_iter()
            .find(|b| has_word(code, b))
            .map(|b| format!("uses {b}: a front end goes through the service"))
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_interface_and_the_command_line_do_not_import_each_other() {
    // config/ is shared by both (keymap and theme files): it may name the interface's types.
    let mut bad = failures(&names(&["tui", "app", "ui", "config"]), |code| {
        code.contains("crate::cli")
            .then(|| "imports the command line".into())
    });
    bad.extend(failures(&names(&["cli"]), |code| {
        ["crate::tui", "crate::app", "crate::ui::"]
            .into_iter()
            .find(|b| code.contains(b))
            .map(|b| format!("imports {b}"))
    }));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn below_the_front_ends_nothing_reads_the_environment() {
    let below = names(&[
        "service",
        "store",
        "domain",
        "rules",
        "export",
        "import",
        "demo",
        "reference.rs",
    ]);
    let bad = failures(&below, |code| {
        [
            "env::var",
            "\"USER\"",
            "\"LOGNAME\"",
            "CASA_OPERATOR",
            "--operator\"",
        ]
        .into_iter()
        .find(|b| code.contains(b))
        .map(|b| format!("reads {b}: the session comes from the front end"))
    });
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn a_session_is_made_in_one_place_and_permissions_are_checked_by_the_service() {
    // Operators' scopes are loaded only to make a session.
    let mut bad = failures(&modules_except(&["store"]), |code| {
        code.contains("operators::scope(")
            .then(|| "loads an operator's scope outside the session".to_string())
    });
    bad.retain(|f| !f.contains("service/session.rs"));
    // The store records who acted; it does not decide what they may do.
    bad.extend(failures(&names(&["store"]), |code| {
        [".check(Action", "Action::", "OperatorScope)"]
            .into_iter()
            .find(|b| code.contains(b))
            .map(|b| format!("decides a permission ({b}): the service does"))
    }));
    // Nor do the command line and the interface's runtime.
    bad.extend(failures(
        &names(&["cli", "tui", "ssh", "launch.rs"]),
        |code| {
            [".check(", "domain::access::Action"]
                .into_iter()
                .find(|b| code.contains(b))
                .map(|b| format!("decides a permission ({b}): the service does"))
        },
    ));
    let establish = failures(&modules_except(&[]), |code| {
        code.contains("Session::establish(")
            .then(|| "makes a session".into())
    });
    assert_eq!(
        establish.len(),
        1,
        "one place makes sessions: {establish:?}"
    );
    assert!(establish[0].contains("service/mod.rs"), "{establish:?}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
