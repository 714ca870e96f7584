//! The process: parses the command line, starts the full-screen interface when only global
//! options are given or runs a command, and turns the outcome into an exit code that scripts
//! can rely on. The one module that knows both front ends (they do not know each other).

use crate::service::errors::{is_denied, is_invalid_input};
use crate::{cli, config, tui};
use std::process::ExitCode;

/// Exit codes (documented in the README).
pub mod exit {
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DENIED: u8 = 3;
    pub const INVALID_INPUT: u8 = 4;
}

/// The exit code of a failure: not allowed, the user's input refused, or another error.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if is_denied(e) {
        exit::DENIED
    } else if is_invalid_input(e) {
        exit::INVALID_INPUT
    } else {
        exit::ERROR
    }
}

pub fn main() -> ExitCode {
    let parsed = match cli::parse() {
        Ok(p) => p,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    config::init_logging();
    let result = match parsed.command {
        None => tui::require_terminal()
            .and_then(|()| cli::open_inputs(&parsed.global))
            .and_then(|(db, claim)| {
                tui::run(&tui::Start {
                    db,
                    claim,
                    theme: parsed.global.theme.clone(),
                })
            }),
        Some(command) => cli::run(&parsed.global, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("errore: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}
