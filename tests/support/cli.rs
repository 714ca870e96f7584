//! Runs the real casa binary on a database of its own, as an operator, for the command-line
//! tests: a private HOME and data/config directories, no inherited operator.
#![allow(dead_code)] // each test binary uses a different part of the harness

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    dir: tempfile::TempDir,
    pub db: PathBuf,
    pub home: PathBuf,
}

impl Env {
    /// A new database made by `casa demo` with `args` (e.g. `["--units", "3000"]`).
    pub fn demo(args: &[&str]) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let env = Env {
            db: dir.path().join("casa.sqlite"),
            home: dir.path().join("home"),
            dir,
        };
        std::fs::create_dir_all(&env.home).unwrap();
        let mut all = vec!["demo"];
        all.extend_from_slice(args);
        env.run(None, &all);
        env
    }

    /// The temporary directory holding the database (for files the test writes).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn casa(&self, operator: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_casa"));
        if let Some(op) = operator {
            cmd.args(["--operator", op]);
        }
        cmd.args(args)
            .env("CASA_DB", &self.db)
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("USER", "nobody")
            .env_remove("CASA_OPERATOR")
            .output()
            .unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn run(&self, operator: Option<&str>, args: &[&str]) -> String {
        let out = self.casa(operator, args);
        assert!(
            out.status.success(),
            "casa {operator:?} {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn ok(&self, operator: &str, args: &[&str]) -> String {
        self.run(Some(operator), args)
    }

    /// Asserts the exit code and returns stderr.
    pub fn fails(&self, code: i32, operator: &str, args: &[&str]) -> String {
        let out = self.casa(Some(operator), args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "casa --operator {operator} {args:?}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, operator: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(operator, args)).unwrap()
    }

    /// The full-screen interface as `operator` in a `cols`x`rows` pseudo-terminal, working in
    /// HOME (where files written from the screens go).
    pub fn tui(&self, operator: &str, cols: u16, rows: u16) -> super::pty::PtySession {
        let db = self.db.to_str().unwrap();
        super::pty::PtySession::spawn_in(
            Some(&self.home),
            &["--operator", operator],
            &self.home,
            &[("CASA_DB", db)],
            cols,
            rows,
        )
    }
}

impl Env {
    /// The interface as `operator` at 80x24 with NO_COLOR, as the thinnest terminal sees it.
    pub fn tui_mono(&self, operator: &str) -> super::pty::PtySession {
        let db = self.db.to_str().unwrap();
        super::pty::PtySession::spawn_in(
            Some(&self.home),
            &["--operator", operator],
            &self.home,
            &[("CASA_DB", db), ("NO_COLOR", "1")],
            80,
            24,
        )
    }
}
