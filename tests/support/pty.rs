//! Drives the real casa binary in a pseudo-terminal: keys in, screen text out.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub use portable_pty::CommandBuilder;
use portable_pty::{Child, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct PtySession {
    parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte casa wrote, for measuring output size.
    pub bytes: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl PtySession {
    /// Starts casa with `args` in a `cols`x`rows` terminal, with a private HOME.
    pub fn spawn(
        args: &[&str],
        home: &Path,
        envs: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> PtySession {
        Self::spawn_in(None, args, home, envs, cols, rows)
    }

    /// As `spawn`, in the working directory `cwd` (where casa writes files by default).
    pub fn spawn_in(
        cwd: Option<&Path>,
        args: &[&str],
        home: &Path,
        envs: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> PtySession {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_casa"));
        cmd.args(args);
        if let Some(dir) = cwd {
            cmd.cwd(dir);
        }
        cmd.env("HOME", home);
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env_remove("CASA_OPERATOR");
        Self::spawn_command(cmd, envs, cols, rows)
    }

    /// Starts any program (e.g. `ssh -tt` to casa on a server) in a `cols`x`rows` terminal.
    pub fn spawn_command(
        mut cmd: CommandBuilder,
        envs: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> PtySession {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().expect("rows > 0"),
            cols.try_into().expect("cols > 0"),
            0,
        )));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        {
            let parser = parser.clone();
            let bytes = bytes.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    parser.lock().unwrap().process(&buf[..n]);
                    bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        PtySession {
            parser,
            bytes,
            writer,
            child,
            _master: pair.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Where the terminal's cursor is (row, column, from 0), or None while it is hidden.
    pub fn cursor(&self) -> Option<(u16, u16)> {
        let p = self.parser.lock().unwrap();
        let screen = p.screen();
        (!screen.hide_cursor()).then(|| screen.cursor_position())
    }

    /// Whether the program asked the terminal for bracketed paste.
    pub fn bracketed_paste(&self) -> bool {
        self.parser.lock().unwrap().screen().bracketed_paste()
    }

    /// Pastes `text` as a terminal with bracketed paste does: between ESC [200~ and ESC [201~.
    pub fn paste(&mut self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }

    /// Waits until `check` holds for the screen, or panics with the screen after `secs`.
    pub fn wait_until(&self, what: &str, secs: u64, check: impl Fn(&PtySession) -> bool) {
        let start = Instant::now();
        while !check(self) {
            if start.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "never {what}; cursor {:?}, screen:\n{}",
                    self.cursor(),
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until the screen contains `needle`, or panics with the screen after `secs`.
    pub fn wait_for(&self, needle: &str, secs: u64) {
        let start = Instant::now();
        loop {
            if self.screen().contains(needle) {
                return;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!(
                    "screen never showed {needle:?}; it shows:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits for the process to end; returns its exit success.
    pub fn wait_exit(&mut self, secs: u64) -> bool {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let _ = self.child.kill();
                panic!("casa did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Whether the terminal is back on the main screen (alternate screen left). Waits a little:
    /// the reader thread may still be passing casa's last bytes to the screen.
    pub fn left_alternate_screen(&self) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if !self.parser.lock().unwrap().screen().alternate_screen() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

pub const F1: &str = "\x1bOP";
pub const F3: &str = "\x1bOR";
pub const ESC: &str = "\x1b";
pub const ENTER: &str = "\r";
pub const DOWN: &str = "\x1b[B";
pub const UP: &str = "\x1b[A";
pub const TAB: &str = "\t";
pub const HOME: &str = "\x1b[H";
pub const END: &str = "\x1b[F";
pub const LEFT: &str = "\x1b[D";
pub const CTRL_U: &str = "\x15";
pub const BACKSPACE: &str = "\x7f";
