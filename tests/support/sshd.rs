//! A real OpenSSH server on 127.0.0.1 for casa's service account, as the README sets it up:
//! the service account (created with useradd), casa installed where sshd accepts an
//! AuthorizedKeysCommand (a root-owned path), the data folder and database made by casa as
//! that account, operators' keys generated with ssh-keygen and registered with casa, and sshd
//! started on a free port with a generated host key and its own configuration — either with
//! the `authorized_keys` file casa prints (`Mode::File`) or with `AuthorizedKeysCommand`
//! (`Mode::Command`, which also lets unknown keys register).
//!
//! Needs root (CI runs `.ci/run` as root) and the Debian packages openssh-server,
//! openssh-client (`.ci/run` installs them): without them the test fails, loudly.
#![allow(dead_code)] // the test and the benchmark use different parts

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The service account casa runs as (kept between runs: creating it is idempotent).
pub const ACCOUNT: &str = "casae2e";
/// A second Unix user, an operator's own account on the server: it must not read the data.
pub const OTHER_USER: &str = "casaop2e";
pub const ACCOUNT_HOME: &str = "/var/lib/casae2e";

/// How sshd finds the operators' keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `~/.ssh/authorized_keys` as `casa ssh authorized-keys` printed it.
    File,
    /// `AuthorizedKeysCommand casa … ssh authorized-keys %t %k`.
    Command,
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Refuses to go on without root or OpenSSH: the test must fail, not skip.
pub fn require_root_and_openssh() {
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1);
    assert_eq!(
        uid, 0,
        "the SSH end-to-end test needs root: it creates Unix users and runs sshd (CI runs bash .ci/run as root)"
    );
    for tool in [
        "/usr/sbin/sshd",
        "/usr/bin/ssh",
        "/usr/bin/ssh-keygen",
        "/usr/sbin/useradd",
        "/usr/sbin/runuser",
    ] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: install openssh-server and openssh-client (bash .ci/run does)"
        );
    }
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg(name)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Creates the service account and the second user if missing.
pub fn ensure_users() {
    if !user_exists(ACCOUNT) {
        run(Command::new("useradd").args([
            "--system",
            "--create-home",
            "--home-dir",
            ACCOUNT_HOME,
            "--shell",
            "/bin/sh",
            ACCOUNT,
        ]));
    }
    // A locked password ("!") makes sshd without PAM refuse even keys; "*" means no password.
    run(Command::new("usermod").args(["-p", "*", ACCOUNT]));
    std::fs::set_permissions(ACCOUNT_HOME, std::fs::Permissions::from_mode(0o700)).unwrap();
    if !user_exists(OTHER_USER) {
        run(Command::new("useradd").args([
            "--system",
            "--no-create-home",
            "--shell",
            "/bin/sh",
            OTHER_USER,
        ]));
    }
}

/// A private key and its `.pub`.
pub struct Key {
    pub private: PathBuf,
    pub public: String,
    pub fingerprint: String,
}

pub fn keygen(dir: &Path, name: &str) -> Key {
    let private = dir.join(name);
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@e2e"))
        .arg("-f")
        .arg(&private));
    // Not with_extension: a name such as "aler.mi" has a dot of its own.
    let public_file = PathBuf::from(format!("{}.pub", private.display()));
    let public = std::fs::read_to_string(&public_file).unwrap();
    let fp = run(Command::new("ssh-keygen").arg("-lf").arg(&public_file));
    let fingerprint = String::from_utf8_lossy(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    Key {
        private,
        public,
        fingerprint,
    }
}

/// casa installed for sshd, a database of the account, and sshd running.
pub struct Server {
    /// Test files (keys, sshd configuration), root's.
    pub dir: tempfile::TempDir,
    /// Where casa is installed: a root-owned path, as sshd wants for AuthorizedKeysCommand.
    pub bin_dir: PathBuf,
    pub casa: PathBuf,
    /// The account's data folder (made by casa, 0700) and database.
    pub data: PathBuf,
    pub db: PathBuf,
    pub port: u16,
    sshd: Option<Child>,
}

impl Server {
    /// Installs casa and creates the account's demo database of `units` units.
    pub fn new(units: u32) -> Server {
        let s = Server::installed();
        let out = s.as_account(
            &["demo", "--units", &units.to_string(), "--applications", "0"],
            None,
        );
        assert!(
            out.status.success(),
            "demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }

    /// Installs casa and takes over the database `db` (made elsewhere, e.g. the benchmark's
    /// 1M-unit one): moved into the account's data folder and given to the account. It is
    /// deleted with the server.
    pub fn adopt(db: &Path) -> Server {
        assert!(db.exists(), "{} does not exist", db.display());
        let s = Server::installed();
        run(Command::new("runuser")
            .args(["-u", ACCOUNT, "--", "mkdir", "-m", "700", "-p"])
            .arg(&s.data));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", s.db.display()));
                std::fs::rename(&from, &to).unwrap();
                run(Command::new("chown")
                    .arg(format!("{ACCOUNT}:{ACCOUNT}"))
                    .arg(&to));
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
        s
    }

    fn installed() -> Server {
        require_root_and_openssh();
        ensure_users();
        let dir = tempfile::tempdir().unwrap();
        let bin_dir = PathBuf::from(format!("/usr/local/lib/casa-e2e-{}", std::process::id()));
        std::fs::create_dir_all(&bin_dir).unwrap();
        std::fs::set_permissions(&bin_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let casa = bin_dir.join("casa");
        std::fs::copy(env!("CARGO_BIN_EXE_casa"), &casa).unwrap();
        std::fs::set_permissions(&casa, std::fs::Permissions::from_mode(0o755)).unwrap();
        let data = PathBuf::from(ACCOUNT_HOME).join(format!("e2e-{}", std::process::id()));
        let db = data.join("casa.sqlite");
        Server {
            dir,
            bin_dir,
            casa,
            data,
            db,
            port: 0,
            sshd: None,
        }
    }

    /// casa run locally by the service account (the administrator), on its database.
    pub fn as_account(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", ACCOUNT, "--", "env", "-i"])
            .arg(format!("HOME={ACCOUNT_HOME}"))
            .arg("USER=".to_string() + ACCOUNT)
            .arg("PATH=/usr/bin:/bin")
            .arg(&self.casa)
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// Binds `key` to `operator` with `casa operators key add OPERATOR -` (the key on stdin:
    /// the test's files are root's).
    pub fn add_key(&self, operator: &str, key: &Key) {
        let out = self.as_account(
            &[
                "--operator",
                "regione",
                "operators",
                "key",
                "add",
                operator,
                "-",
            ],
            Some(&key.public),
        );
        assert!(
            out.status.success(),
            "key add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Writes the account's authorized_keys as `casa ssh authorized-keys` prints it.
    pub fn write_authorized_keys(&self) -> String {
        self.write_authorized_keys_with(&[])
    }

    /// As `write_authorized_keys`, plus `plain` keys with no forced command (a shell on the
    /// account: only the benchmark's baseline, `ssh casa@host true`, uses one).
    pub fn write_authorized_keys_with(&self, plain: &[&Key]) -> String {
        let out = self.as_account(&["ssh", "authorized-keys"], None);
        assert!(
            out.status.success(),
            "authorized-keys: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut text = String::from_utf8(out.stdout).unwrap();
        for k in plain {
            text.push_str(&k.public);
        }
        let ssh = Path::new(ACCOUNT_HOME).join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        let file = ssh.join("authorized_keys");
        std::fs::write(&file, &text).unwrap();
        run(Command::new("chown")
            .args(["-R", &format!("{ACCOUNT}:{ACCOUNT}")])
            .arg(&ssh));
        std::fs::set_permissions(&ssh, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        text
    }

    /// Starts sshd (stopping a previous one) in `mode`.
    pub fn start(&mut self, mode: Mode) {
        self.stop();
        std::fs::create_dir_all("/run/sshd").unwrap();
        std::fs::set_permissions("/run/sshd", std::fs::Permissions::from_mode(0o755)).unwrap();
        let host_key = self.dir.path().join("host_ed25519");
        if !host_key.exists() {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&host_key));
        }
        let port = free_port();
        let keys = match mode {
            Mode::File => "    AuthorizedKeysFile .ssh/authorized_keys\n".to_string(),
            Mode::Command => format!(
                "    AuthorizedKeysFile none\n    AuthorizedKeysCommand {} --db {} ssh authorized-keys %t %k\n    AuthorizedKeysCommandUser {ACCOUNT}\n",
                self.casa.display(),
                self.db.display()
            ),
        };
        let config = self.dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nAllowUsers {ACCOUNT}\nStrictModes yes\nPermitUserEnvironment no\nAcceptEnv LANG LC_* CASA_*\nMaxStartups 400:30:600\nMaxSessions 10\nLogLevel ERROR\nMatch User {ACCOUNT}\n{keys}    PermitTTY yes\n    DisableForwarding yes\n",
                host_key.display(),
                self.dir.path().join("sshd.pid").display()
            ),
        )
        .unwrap();
        run(Command::new("/usr/sbin/sshd")
            .arg("-t")
            .arg("-f")
            .arg(&config));
        let child = Command::new("/usr/sbin/sshd")
            .arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sshd");
        self.sshd = Some(child);
        self.port = port;
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "sshd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.sshd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The ssh client's arguments to reach the account with `key`.
    pub fn ssh_args(&self, key: &Key) -> Vec<String> {
        vec![
            "-F".into(),
            "/dev/null".into(),
            "-i".into(),
            key.private.display().to_string(),
            "-p".into(),
            self.port.to_string(),
            "-o".into(),
            "StrictHostKeyChecking=no".into(),
            "-o".into(),
            "UserKnownHostsFile=/dev/null".into(),
            "-o".into(),
            "IdentitiesOnly=yes".into(),
            "-o".into(),
            "BatchMode=yes".into(),
            "-o".into(),
            "LogLevel=ERROR".into(),
            format!("{ACCOUNT}@127.0.0.1"),
        ]
    }

    /// `ssh casa@host COMMAND` with `key`; standard input from `stdin`.
    pub fn ssh(&self, key: &Key, command: &str, stdin: Option<&str>) -> Output {
        let mut cmd = Command::new("ssh");
        // `--`: the command is casa's even when it starts with an option (ssh reads options
        // after the destination too).
        cmd.args(self.ssh_args(key))
            .arg("--")
            .arg(command)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// The modes and owner of the data folder and the database files that exist.
    pub fn file_modes(&self) -> Vec<(PathBuf, u32, String)> {
        let mut out = Vec::new();
        let owner = |m: &std::fs::Metadata| {
            let o = Command::new("id")
                .args(["-nu", &m.uid().to_string()])
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).trim().to_string()
        };
        let m = std::fs::metadata(&self.data).unwrap();
        out.push((self.data.clone(), m.mode() & 0o777, owner(&m)));
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", self.db.display()));
            if let Ok(m) = std::fs::metadata(&p) {
                out.push((p, m.mode() & 0o777, owner(&m)));
            }
        }
        out
    }

    /// Whether the second Unix user can read `path` (it must not).
    pub fn other_user_reads(&self, path: &Path) -> bool {
        Command::new("runuser")
            .args(["-u", OTHER_USER, "--", "cat"])
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_dir_all(&self.bin_dir);
        let _ = std::fs::remove_file(Path::new(ACCOUNT_HOME).join(".ssh/authorized_keys"));
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
