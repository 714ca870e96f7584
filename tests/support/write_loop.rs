//! A process that commits small writes as fast as it can, each a certification with its audit
//! record made through the service as `casa certification certify` makes it, and prints
//! `ok <certification id>` once each is committed: what the crash-safety tests kill with
//! SIGKILL and what the backup tests copy from while it writes.
//!
//! The process is the test binary itself, run again with only its `write_loop_child` test
//! selected and the job in the environment, so the operator's binary carries no such loop.
//! A test file using it declares an ignored test named `write_loop_child` that calls `child()`.
#![allow(dead_code)] // each test binary uses a different part of the harness

use casa::domain::access::Service as Grant;
use casa::service::{Claim, Need, Origin, Service};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The job of a child: database, operator and number of writes, separated by newlines.
const JOB: &str = "CASA_TEST_WRITE_LOOP";

/// This test binary run as the write loop: `count` certifications by `operator` on `db`.
pub fn command(db: &Path, operator: &str, count: u64) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("the test binary"));
    c.args([
        "write_loop_child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(JOB, format!("{}\n{operator}\n{count}", db.display()));
    c
}

/// The id of an acknowledged write, from a line of the child's output (the test harness
/// prints lines of its own).
pub fn acknowledged(line: &str) -> Option<i64> {
    line.strip_prefix("ok ")?.trim().parse().ok()
}

/// The loop, when this process was started by `command`; nothing otherwise.
pub fn child() {
    let Ok(job) = std::env::var(JOB) else {
        return;
    };
    let mut parts = job.split('\n');
    let (Some(db), Some(operator), Some(count)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("bad write loop job: {job:?}");
    };
    let count: u64 = count.parse().expect("count");
    let claim = Claim {
        operator: operator.into(),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: false,
    };
    let mut svc = Service::open(Path::new(db), &claim, Need::Write).expect("session");
    // The first owner whose registry the operator keeps.
    let owner = svc
        .session()
        .scope()
        .grants
        .iter()
        .find(|(_, s)| *s == Grant::Registry)
        .map(|(o, _)| *o)
        .unwrap_or_else(|| panic!("{operator} keeps no registry"));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for _ in 0..count {
        let done = svc.certify(owner, false).expect("certify");
        // Committed, not yet acknowledged: a kill point of the crash tests.
        casa::crash_point::reach("after-commit");
        writeln!(out, "ok {}", done.id).expect("stdout");
        out.flush().expect("stdout");
    }
}
