//! The fast concurrency run: `casa bench concurrency` with 6 processes on a small demo database
//! must pass every check (acknowledged changes stored, conflicts reported to the loser, no busy
//! database shown, integrity). The 20-process soak is a separate command (README, BENCHMARKS.md).

use std::path::Path;
use std::process::{Command, Output};

fn casa(db: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(args)
        .env("CASA_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "nobody")
        .env_remove("CASA_OPERATOR")
        .output()
        .unwrap()
}

#[test]
fn six_processes_lose_nothing_and_never_show_busy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("casa.sqlite");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = casa(
        &db,
        &home,
        &["demo", "--units", "3000", "--applications", "300"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let work = dir.path().join("bench");
    let work_arg = work.to_str().unwrap();
    let out = casa(
        &db,
        &home,
        &[
            "bench",
            "concurrency",
            "--processes",
            "6",
            "--ops",
            "12",
            "--work-dir",
            work_arg,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("Tutti i controlli superati."), "{stdout}");
    // The deliberately stale saves were refused and counted as reported conflicts.
    let logs: String = std::fs::read_dir(&work)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(!logs.is_empty(), "no child log in {}", work.display());
    for line in logs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["busy"], false, "{line}");
        if v["op"] == "comm-stale" {
            assert_eq!(v["outcome"], "conflict-reported", "{line}");
            assert_eq!(v["exit"], 4, "{line}");
        }
    }
}
