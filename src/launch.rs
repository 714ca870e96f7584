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
    if e.downcast_ref::<crate::ssh::remote::Usage>().is_some() {
        exit::USAGE
    } else if is_denied(e) {
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
        Err(e) => return usage_error(&e),
    };
    config::init_logging();
    crate::italian::install_panic_hook(config::paths::log_file().ok());
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
        // The forced command of an SSH key: it runs either front end, so it starts here.
        Some(cli::Command::Session(args)) => crate::ssh::session::run(&parsed.global, &args),
        // `casa … | head`: once the reader has what it wanted, the rest is not written.
        Some(command) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cli::run(&parsed.global, command)
        })) {
            Ok(r) => r,
            Err(p) if crate::italian::is_broken_pipe_panic(&p) => return ExitCode::SUCCESS,
            Err(p) => std::panic::resume_unwind(p),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if crate::italian::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The log keeps the original wording; the operator reads Italian.
            tracing::error!("{e:#}");
            eprintln!("errore: {}", crate::italian::render(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// clap's outcome when the command line did not parse: help and version (translated headings)
/// on stdout, exit 0; usage errors in Italian on stderr, exit 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    ExitCode::from(print_usage(e))
}

/// Prints what clap said about a command line as `usage_error` does; the exit code (0 for
/// help and version). Also for the command line of an SSH session.
pub fn print_usage(e: &clap::Error) -> u8 {
    use clap::error::ErrorKind;
    use std::io::Write;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = crate::italian::clap_help(&e.render().to_string());
            let _ = std::io::stdout().write_all(text.as_bytes());
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let text = crate::italian::clap_help(&e.render().to_string());
            let _ = std::io::stderr().write_all(text.as_bytes());
            exit::USAGE
        }
        _ => {
            let _ = std::io::stderr().write_all(crate::italian::clap_error(e).as_bytes());
            exit::USAGE
        }
    }
}
