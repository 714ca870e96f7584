//! Explains captured statements: the plans that read a table whole without an index.
#![allow(dead_code)] // each test binary uses a different part of the harness

use rusqlite::Connection;

/// The EXPLAIN QUERY PLAN lines of `sql`.
pub fn explain(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The lines of a plan that read a table whole: `SCAN t` without an index. Virtual tables
/// (json_each over a bound list), constant rows and the tables (or aliases) in `small` are not
/// counted.
pub fn full_scans(plan: &[String], small: &[&str]) -> Vec<String> {
    plan.iter()
        .map(|l| l.trim().to_string())
        .filter(|l| {
            l.starts_with("SCAN ")
                && !l.contains("USING INDEX")
                && !l.contains("USING COVERING INDEX")
                && !l.contains("USING INTEGER PRIMARY KEY")
                && !l.contains("VIRTUAL TABLE")
                && !l.starts_with("SCAN CONSTANT ROW")
                && !small.contains(
                    &l.trim_start_matches("SCAN ")
                        .split(' ')
                        .next()
                        .unwrap_or(""),
                )
        })
        .collect()
}

/// Explains every captured statement that reads or writes (deduplicated) and returns one
/// line per statement that scans a table, with the scans. Fails if fewer than `at_least`
/// statements were captured (the trace would be off).
pub fn scanning_statements(
    c: &Connection,
    captured: &[String],
    small: &[&str],
    at_least: usize,
) -> Vec<String> {
    let mut statements = captured.to_vec();
    statements.sort();
    statements.dedup();
    let explained: Vec<&String> = statements
        .iter()
        .filter(|s| {
            let head = s.trim_start().to_ascii_uppercase();
            ["SELECT", "WITH", "UPDATE", "DELETE", "INSERT"]
                .iter()
                .any(|k| head.starts_with(k))
        })
        .collect();
    assert!(
        explained.len() >= at_least,
        "too few statements captured ({}): is the trace on?",
        explained.len()
    );
    let mut failures = Vec::new();
    // The audit writer's read of its connection's origin (a function of that connection,
    // not a table) is not a query.
    for sql in explained
        .into_iter()
        .filter(|s| !s.contains("casa_origin()"))
    {
        let scans = full_scans(&explain(c, sql), small);
        if !scans.is_empty() {
            let short: String = sql.trim().chars().take(600).collect();
            failures.push(format!("{short}\n    {}", scans.join("; ")));
        }
    }
    failures
}
