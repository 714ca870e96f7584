//! Start to first frame: the time from spawning `casa` in a pseudo-terminal until its first
//! full frame is on the screen, against `sqlite3 DB 'select 1'` on the same database (the
//! anchor of the target: at most 3×). Median of many runs.
//!
//!   cargo build --release && cargo bench --bench startup -- DB [OPERATOR]
//!
//! `CASA_BIN=PATH` times another build of casa instead (a before/after pair on one machine).
//!
//! Needs the sqlite3 command (Debian package sqlite3).

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 31;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Spawns casa in an 80x24 pty and returns when the key legend (the last line drawn) is there.
fn first_frame(bin: &Path, db: &str, operator: &str, home: &Path) -> Duration {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(["--operator", operator]);
    cmd.env("CASA_DB", db);
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("TERM", "xterm-256color");
    let mut reader = pair.master.try_clone_reader().unwrap();
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    let mut parser = vt100::Parser::new(24.try_into().unwrap(), 80.try_into().unwrap(), 0);
    let mut buf = [0u8; 16384];
    let elapsed = loop {
        let n = reader.read(&mut buf).unwrap();
        assert!(n > 0, "casa ended before its first frame");
        parser.process(&buf[..n]);
        if parser.screen().contents().contains("F1 Aiuto") {
            break start.elapsed();
        }
    };
    child.kill().ok();
    child.wait().ok();
    elapsed
}

fn sqlite_select(db: &str) -> Duration {
    let start = Instant::now();
    let out = Command::new("sqlite3")
        .args([db, "select 1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(db) = args.first().cloned() else {
        eprintln!("uso: cargo bench --bench startup -- DB [OPERATORE]");
        return;
    };
    let operator = args.get(1).cloned().unwrap_or_else(|| "regione".into());
    let bin = std::env::var_os("CASA_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/casa"),
        std::path::PathBuf::from,
    );
    println!("casa: {}", bin.display());
    let home = tempfile::tempdir().unwrap();
    // Warm the page cache for both.
    sqlite_select(&db);
    first_frame(&bin, &db, &operator, home.path());
    let anchor = median((0..RUNS).map(|_| sqlite_select(&db)).collect());
    let casa = median(
        (0..RUNS)
            .map(|_| first_frame(&bin, &db, &operator, home.path()))
            .collect(),
    );
    println!(
        "sqlite3 DB 'select 1': median {:.2} ms ({RUNS} runs)",
        anchor.as_secs_f64() * 1e3
    );
    println!(
        "casa start to first frame: median {:.2} ms ({RUNS} runs)",
        casa.as_secs_f64() * 1e3
    );
    println!(
        "ratio {:.2}× (target ≤ 3×)",
        casa.as_secs_f64() / anchor.as_secs_f64()
    );
}
