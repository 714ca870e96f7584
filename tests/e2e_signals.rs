//! SIGTERM and SIGHUP in the middle of work, in a pseudo-terminal: during a form edit nothing
//! half-typed is saved and the database is intact; during an export no partial file is left
//! (the file is whole or absent); the terminal is given back every time.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::pty::{self, PtySession};

struct Demo {
    dir: tempfile::TempDir,
    db: PathBuf,
    home: PathBuf,
}

fn casa(d: &Demo, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(args)
        .env("CASA_DB", &d.db)
        .env("HOME", &d.home)
        .env("XDG_DATA_HOME", d.home.join("data"))
        .env("XDG_CONFIG_HOME", d.home.join("config"))
        .env_remove("CASA_OPERATOR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn demo(units: &str) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let d = Demo {
        db: dir.path().join("casa.sqlite"),
        home: dir.path().join("home"),
        dir,
    };
    std::fs::create_dir_all(&d.home).unwrap();
    casa(&d, &["demo", "--units", units, "--applications", "0"]);
    d
}

fn kill(s: &PtySession, sig: &str) {
    let pid = s.child.process_id().unwrap();
    let status = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// (communication state, version, draft present, audit records, integrity).
fn state(db: &Path) -> (String, i64, bool, i64, String) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT c.state, c.version, c.draft IS NOT NULL, (SELECT count(*) FROM audit),
                (SELECT integrity_check FROM pragma_integrity_check)
         FROM communication c JOIN owner o ON o.id = c.owner_id WHERE o.istat_code = '016198'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )
    .unwrap()
}

#[test]
fn a_signal_during_a_form_edit_saves_nothing_and_restores_the_terminal() {
    let d = demo("3000");
    let plan = casa(
        &d,
        &[
            "--operator",
            "capofila.bg-seriate",
            "plan",
            "create",
            "--district",
            "BG-SERIATE",
            "--year",
            "2027",
            "--start",
            &day(-2),
            "--end",
            &day(20),
        ],
    );
    casa(
        &d,
        &[
            "--operator",
            "capofila.bg-seriate",
            "plan",
            "open",
            plan.trim(),
        ],
    );
    casa(
        &d,
        &["--operator", "comune.016198", "certification", "certify"],
    );
    for sig in ["TERM", "HUP"] {
        let before = state(&d.db);
        let db = d.db.to_str().unwrap().to_string();
        let mut s = PtySession::spawn(
            &["--operator", "comune.016198"],
            &d.home,
            &[("CASA_DB", db.as_str())],
            80,
            24,
        );
        s.wait_for("Ricerca alloggi", 20);
        // The item before the last (Piani annuali); at 80x24 the menu scrolls to show it.
        for _ in 0..20 {
            s.send(pty::DOWN);
        }
        s.send(pty::UP);
        s.wait_for("▶ Comunicazione annuale", 10);
        s.send(pty::ENTER);
        s.wait_for("DA COMPILARE", 10);
        s.send(pty::ENTER);
        s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
        s.send("\x7f");
        s.send("7");
        s.wait_for("7 (calcolato)", 10);
        kill(&s, sig);
        s.wait_exit(10);
        assert!(s.left_alternate_screen(), "SIG{sig}: terminal not restored");
        let after = state(&d.db);
        assert_eq!(
            after, before,
            "SIG{sig}: nothing saved, nothing half-written"
        );
        assert_eq!(after.4, "ok");
    }
}

#[test]
fn a_signal_during_an_export_leaves_no_partial_file() {
    let d = demo("20000");
    let db = d.db.to_str().unwrap().to_string();
    let mut interrupted = 0;
    for (i, (sig, delay)) in [("TERM", 0u64), ("HUP", 40), ("TERM", 120), ("HUP", 5)]
        .into_iter()
        .enumerate()
    {
        let out = d.dir.path().join(format!("elenchi-{i}.xlsx"));
        let mut s = PtySession::spawn(
            &["--operator", "regione"],
            &d.home,
            &[("CASA_DB", db.as_str())],
            120,
            40,
        );
        s.wait_for("Ricerca alloggi", 20);
        s.send(pty::ENTER);
        s.wait_for("alloggi ·", 20);
        s.send("x");
        s.wait_for("Esporta (F8)", 5);
        for _ in 0..80 {
            s.send("\x7f");
        }
        s.send(out.to_str().unwrap());
        s.send(pty::ENTER);
        std::thread::sleep(Duration::from_millis(delay));
        kill(&s, sig);
        s.wait_exit(20);
        assert!(s.left_alternate_screen(), "SIG{sig}: terminal not restored");
        let part = out.with_extension("xlsx.part");
        let leftovers: Vec<String> = std::fs::read_dir(d.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&format!("elenchi-{i}")) && n != &format!("elenchi-{i}.xlsx"))
            .collect();
        assert!(
            !part.exists() && leftovers.is_empty(),
            "SIG{sig} after {delay} ms: partial files left: {leftovers:?}"
        );
        if out.exists() {
            // Whole: it opens and has the three lists.
            let wb = calamine::open_workbook_auto(&out).expect("a complete workbook");
            use calamine::Reader;
            assert_eq!(wb.sheet_names().len(), 3, "SIG{sig} after {delay} ms");
        } else {
            interrupted += 1;
        }
    }
    // Not asserted (timing), but said: how many exports the signal actually cut short.
    eprintln!("exports interrupted by the signal: {interrupted} of 4");
}
