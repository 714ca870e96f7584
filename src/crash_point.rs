//! Deterministic kill points for the crash-safety tests (tests/crash_safety.rs).
//!
//! Compiled only with the `crash-points` cargo feature, which only the tests' build enables
//! (the package's dev-dependency on itself): `cargo build` — the operator's binary — has
//! `reach` as an empty inline function and carries no trace of it.
//!
//! With the feature, `CASA_CRASH_POINT=NAME` or `NAME@N` (the N-th time, from 1) makes the
//! process stop at that point: it writes `crash-point NAME` on stderr and waits, and the test
//! kills it with SIGKILL there. The points: `commit` (inside SQLite's commit, once the
//! transaction is built: a SQLite commit hook), `import.row` (each unit row written by an
//! import, before the commit), `after-commit` (a change committed, not yet acknowledged).

#[cfg(feature = "crash-points")]
mod armed {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn wanted() -> Option<&'static (String, u64)> {
        static WANTED: OnceLock<Option<(String, u64)>> = OnceLock::new();
        WANTED
            .get_or_init(|| {
                let v = std::env::var("CASA_CRASH_POINT").ok()?;
                Some(match v.split_once('@') {
                    Some((name, n)) => (name.to_string(), n.parse().unwrap_or(1)),
                    None => (v, 1),
                })
            })
            .as_ref()
    }

    static HITS: AtomicU64 = AtomicU64::new(0);

    pub fn enabled() -> bool {
        wanted().is_some()
    }

    pub fn reach(name: &str) {
        let Some((wanted, nth)) = wanted() else {
            return;
        };
        if wanted != name || HITS.fetch_add(1, Ordering::SeqCst) + 1 != *nth {
            return;
        }
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "crash-point {name}");
        let _ = err.flush();
        loop {
            std::thread::sleep(std::time::Duration::from_secs(60));
        }
    }
}

/// Stops here when the tests ask for this point (see the module's documentation).
#[cfg(feature = "crash-points")]
pub fn reach(name: &str) {
    armed::reach(name);
}

#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub fn reach(_name: &str) {}

/// Whether a kill point was asked for (then the store installs its commit hook).
#[cfg(feature = "crash-points")]
pub fn enabled() -> bool {
    armed::enabled()
}
