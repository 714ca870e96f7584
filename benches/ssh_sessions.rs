//! Operators over SSH at scale, through a real OpenSSH server (the harness of
//! tests/e2e_ssh.rs): N concurrent sessions of the interface, each in its own pseudo-terminal
//! through `ssh -tt`, moving through the unit search on a large database; and a remote command
//! against `ssh casa@host true`. Figures are printed, never asserted. Needs root (it creates
//! the service account and runs sshd) and OpenSSH; it takes over the database it is given
//! (moved into the account's data folder) and DELETES it at the end.
//!
//!     ./target/release/casa demo --units 1000000 --db /tmp/ssh1m.sqlite --applications 0
//!     cargo bench --bench ssh_sessions -- --db /tmp/ssh1m.sqlite --sessions 1,20,100 --moves 40
//!
//! Per session count: memory per session (RSS and PSS of the casa process of each session,
//! and of its sshd processes), and keystroke-to-frame latency — from writing ↓ to the pty
//! until the status line shows the new row number — median and 99th percentile over every
//! move of every session (a page turn every 13 moves at 80x24 reads the next page). Sessions
//! pause 50–150 ms between moves, as a person does.

#[path = "../tests/support/sshd.rs"]
mod sshd;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use sshd::{Key, Mode, Server, keygen};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

struct Screen {
    parser: vt100::Parser,
    /// When the last bytes arrived.
    at: Instant,
    closed: bool,
}

/// One `ssh -tt` in a pty: keys in, screen out, each chunk's arrival time kept.
struct Session {
    screen: Arc<(Mutex<Screen>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    fn open(server: &Server, key: &Key) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("ssh");
        cmd.arg("-tt");
        cmd.args(server.ssh_args(key));
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(24.try_into().unwrap(), 80.try_into().unwrap(), 0),
                at: Instant::now(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let s2 = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (m, cv) = &*s2;
                let mut g = m.lock().unwrap();
                if n == 0 {
                    g.closed = true;
                    cv.notify_all();
                    break;
                }
                g.parser.process(&buf[..n]);
                g.at = Instant::now();
                cv.notify_all();
            }
        });
        Session {
            screen,
            writer: pair.master.take_writer().unwrap(),
            child,
            _master: pair.master,
        }
    }

    /// Waits until the screen satisfies `ok`; returns when the bytes that made it so arrived.
    fn wait(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> Instant {
        let (m, cv) = &*self.screen;
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut g = m.lock().unwrap();
        loop {
            if ok(&g.parser.screen().contents()) {
                return g.at;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero() && !g.closed,
                "never {what}; screen:\n{}",
                g.parser.screen().contents()
            );
            g = cv.wait_timeout(g, left).unwrap().0;
        }
    }

    fn send(&mut self, keys: &str) -> Instant {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        Instant::now()
    }
}

const DOWN: &str = "\x1b[B";

/// Memory of the processes whose command line contains `needle`, in KiB: (count, RSS, PSS).
fn memory_of(needle: &str, exe: Option<&std::path::Path>) -> (usize, u64, u64) {
    let mut out = (0, 0, 0);
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let p = e.path();
        if !p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let Ok(cmdline) = std::fs::read(p.join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let matches = match exe {
            Some(x) => std::fs::read_link(p.join("exe")).is_ok_and(|l| l == x),
            None => cmdline.starts_with(needle),
        };
        if !matches {
            continue;
        }
        let field = |file: &str, name: &str| -> u64 {
            std::fs::read_to_string(p.join(file))
                .unwrap_or_default()
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        out.0 += 1;
        out.1 += field("status", "VmRSS:");
        out.2 += field("smaps_rollup", "Pss:");
    }
    out
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// `n` sessions open the search, then each moves `moves` rows down; their latencies.
fn round(server: &Server, keys: &[Key], n: usize, moves: usize) -> Vec<Duration> {
    let mut sessions: Vec<Session> = Vec::new();
    for i in 0..n {
        let s = Session::open(server, &keys[i % keys.len()]);
        sessions.push(s);
        // sshd accepts connections at its own pace: open them a little apart.
        std::thread::sleep(Duration::from_millis(20));
    }
    for s in &mut sessions {
        s.wait("the home screen", 120, |t| t.contains("Ricerca alloggi"));
        s.send("\r");
    }
    for s in &sessions {
        s.wait("the search's count", 300, |t| t.contains("alloggi ·"));
    }
    let casa = server.casa.clone();
    let (procs, rss, pss) = memory_of("", Some(&casa));
    let (sshd_n, sshd_rss, sshd_pss) = memory_of(&format!("sshd: {}", sshd::ACCOUNT), None);
    println!(
        "{n:>4} sessions: casa {procs} processes, per session RSS {:.1} MiB, PSS {:.1} MiB; sshd {sshd_n} processes, per session RSS {:.1} MiB, PSS {:.1} MiB",
        rss as f64 / 1024.0 / n as f64,
        pss as f64 / 1024.0 / n as f64,
        sshd_rss as f64 / 1024.0 / n as f64,
        sshd_pss as f64 / 1024.0 / n as f64,
    );
    let handles: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(moves);
                let mut rng = i as u64 * 7919 + 1;
                for k in 0..moves {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    std::thread::sleep(Duration::from_millis(50 + (rng >> 33) % 100));
                    let want = format!("riga {}", k + 2);
                    let sent = s.send(DOWN);
                    let shown = s.wait(&want, 60, |t| {
                        t.lines().any(|l| l.contains(&format!("{want} ")))
                    });
                    lat.push(shown.saturating_duration_since(sent));
                }
                s.send("\x03");
                let _ = s.child.wait();
                lat
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(db) = arg("--db").map(PathBuf::from) else {
        eprintln!(
            "uso: cargo bench --bench ssh_sessions -- --db DB [--sessions 1,20,100] [--moves 40] [--runs 21]"
        );
        std::process::exit(2);
    };
    let counts: Vec<usize> = arg("--sessions")
        .unwrap_or_else(|| "1,20,100".into())
        .split(',')
        .map(|n| n.parse().expect("--sessions: numbers"))
        .collect();
    let moves: usize = arg("--moves").and_then(|m| m.parse().ok()).unwrap_or(40);
    let runs: usize = arg("--runs").and_then(|m| m.parse().ok()).unwrap_or(21);
    let mut server = Server::adopt(&db);
    let dir = server.dir.path().to_path_buf();
    let operators = ["regione", "aler.mi", "comune.015146", "capofila.mi-milano"];
    let keys: Vec<Key> = operators
        .iter()
        .map(|op| {
            let k = keygen(&dir, op);
            server.add_key(op, &k);
            k
        })
        .collect();
    let plain = keygen(&dir, "shell");
    server.write_authorized_keys_with(&[&plain]);
    server.start(Mode::File);
    println!(
        "ssh sessions bench: {} via sshd on 127.0.0.1:{}, {moves} moves per session",
        db.display(),
        server.port
    );

    // A remote command against the bare cost of an SSH command.
    let time = |key: &Key, command: &str| {
        let t = Instant::now();
        let out = server.ssh(key, command, None);
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.elapsed()
    };
    let mut bare = Vec::new();
    let mut count = Vec::new();
    let mut count_city = Vec::new();
    for _ in 0..runs {
        bare.push(time(&plain, "true"));
        count.push(time(&keys[0], "units count --stato LIBERO"));
        count_city.push(time(&keys[1], "units count --comune 015146 --stato LIBERO"));
    }
    let (b, c, cc) = (
        percentile(&mut bare, 0.5),
        percentile(&mut count, 0.5),
        percentile(&mut count_city, 0.5),
    );
    println!(
        "ssh casa@host true: {} ms; units count --stato LIBERO (Regione): {} ms, ratio {:.2}; units count --comune 015146 --stato LIBERO (ALER MI): {} ms, ratio {:.2} (medians of {runs})",
        ms(b),
        ms(c),
        c.as_secs_f64() / b.as_secs_f64(),
        ms(cc),
        cc.as_secs_f64() / b.as_secs_f64()
    );

    for n in counts {
        let mut lat = round(&server, &keys, n, moves);
        let p50 = percentile(&mut lat, 0.5);
        let p99 = percentile(&mut lat, 0.99);
        let max = lat.last().copied().unwrap_or_default();
        println!(
            "{n:>4} sessions: keystroke to frame over {} moves: median {} ms, p99 {} ms, max {} ms",
            lat.len(),
            ms(p50),
            ms(p99),
            ms(max)
        );
    }
    server.stop();
}
