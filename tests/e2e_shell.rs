//! End to end in a pseudo-terminal: the shell opens, helps, exits, and gives the terminal back
//! on quit, SIGTERM and SIGHUP.

mod support;

use std::path::PathBuf;
use std::process::Command;
use support::pty::{self, PtySession};

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
    home: PathBuf,
}

fn casa(db: &Db, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(args)
        .env("CASA_DB", &db.path)
        .env("HOME", &db.home)
        .env("XDG_DATA_HOME", db.home.join("data"))
        .env("XDG_CONFIG_HOME", db.home.join("config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn database() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let db = Db {
        path: dir.path().join("casa.sqlite"),
        home: dir.path().join("home"),
        _dir: dir,
    };
    std::fs::create_dir_all(&db.home).unwrap();
    casa(&db, &["init"]);
    casa(
        &db,
        &[
            "operators",
            "add",
            "reg",
            "--role",
            "regione",
            "--surname",
            "Rossi",
            "--name",
            "Mario",
            "--tax-code",
            "RSSMRA80A01H501U",
            "--email",
            "r@example.it",
        ],
    );
    db
}

fn open(db: &Db, extra: &[(&str, &str)]) -> PtySession {
    let path = db.path.to_str().unwrap().to_string();
    let mut envs = vec![("CASA_DB", path.as_str())];
    envs.extend_from_slice(extra);
    PtySession::spawn(&["--operator", "reg"], &db.home, &envs, 80, 24)
}

#[test]
fn opens_helps_and_quits_restoring_the_terminal() {
    let db = database();
    let mut s = open(&db, &[]);
    s.wait_for("Ricerca alloggi", 20);
    assert!(s.screen().contains("reg · casa.sqlite"), "{}", s.screen());
    s.send(pty::F1);
    s.wait_for("Tasti di «Menu»", 5);
    s.send("x");
    s.send("?");
    s.wait_for("Tasti di «Menu»", 5);
    s.send(pty::ESC);
    s.send("q");
    assert!(s.wait_exit(10));
    assert!(s.left_alternate_screen());
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for sig in ["TERM", "HUP"] {
        let db = database();
        let mut s = open(&db, &[]);
        s.wait_for("Ricerca alloggi", 20);
        let pid = s.child.process_id().unwrap();
        let status = Command::new("kill")
            .args([&format!("-{sig}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        s.wait_exit(10);
        assert!(
            s.left_alternate_screen(),
            "SIG{sig}: alternate screen not left"
        );
    }
}

#[test]
fn bad_keymap_is_reported_with_file_and_line() {
    let db = database();
    let config = db.home.join("config/casa");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("keymap.toml"),
        "[keys]\nhelp = [\"F1\"]\nvolare = [\"x\"]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(["check-config"])
        .env("CASA_DB", &db.path)
        .env("HOME", &db.home)
        .env("XDG_CONFIG_HOME", db.home.join("config"))
        .env("XDG_DATA_HOME", db.home.join("data"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keymap.toml, riga 3") && err.contains("azione sconosciuta 'volare'"),
        "{err}"
    );
    // The TUI refuses to start with it, before touching the terminal.
    let mut s = open(&db, &[]);
    assert!(!s.wait_exit(10));
    // The reader thread may still be passing the last output to the screen.
    s.wait_for("riga 3", 5);
}

#[test]
fn no_color_gives_a_monochrome_screen() {
    let db = database();
    let mut s = open(&db, &[("NO_COLOR", "1")]);
    s.wait_for("Ricerca alloggi", 20);
    s.send("q");
    s.wait_exit(10);
    let bytes = s.bytes.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes);
    // No SGR colour codes (30–37, 40–47, 90–97, 100–107, 38;…, 48;…).
    for seq in text.split("\x1b[").skip(1) {
        let Some(end) = seq.find('m') else { continue };
        let params = &seq[..end];
        if params.chars().all(|c| c.is_ascii_digit() || c == ';') {
            for p in params.split(';') {
                let n: u32 = p.parse().unwrap_or(0);
                assert!(
                    !(30..=49).contains(&n) && !(90..=107).contains(&n) || n == 39 || n == 49,
                    "colour SGR {params} in NO_COLOR output"
                );
            }
        }
    }
}
