//! The terminal guard: raw mode and the alternate screen while casa runs, and the terminal
//! given back on every way out — normal exit, panic, SIGTERM, SIGHUP (a dropped SSH link).

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// While alive, the terminal is in raw mode on the alternate screen, with bracketed paste (a
/// paste arrives as text, not as keys that could act). Mouse capture stays off: it breaks copy
/// and paste over SSH.
pub struct TerminalGuard {
    _private: (),
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        if let Err(e) = execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            Hide
        ) {
            restore();
            return Err(e);
        }
        Ok(TerminalGuard { _private: () })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back; safe to call more than once and from the panic hook.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(
            io::stdout(),
            DisableBracketedPaste,
            LeaveAlternateScreen,
            Show
        );
        let _ = disable_raw_mode();
    }
}

/// On panic: restore the terminal first, then log the panic and tell the user in one line
/// where to find it.
pub fn install_panic_hook(log: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let was_active = ACTIVE.load(Ordering::SeqCst);
        restore();
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{backtrace}");
        if was_active {
            let where_ = log
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(log non disponibile)".into());
            eprintln!(
                "casa si è interrotto per un errore interno ({info}). Dettagli nel log: {where_}"
            );
        } else {
            previous(info);
        }
    }));
}
