//! The full-screen interface's runtime: the terminal guard, the input and signal threads, the
//! worker that turns the screens' requests into service calls (with its count and export
//! threads), and the loop that feeds messages to `app::update` and draws when something
//! changed. It knows the service and the interface's state and drawing, never the store.

mod admin_jobs;
mod counter;
mod exporter;
pub mod jobs;
pub mod registration;
pub mod terminal;
pub mod worker;

use crate::app::{self, App, Effect, Msg, update};
use crate::config;
use crate::service::{Claim, InvalidInput, Need, Service};
use crate::ui;
use anyhow::{Context, Result, bail};
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Pause after the last keystroke in a filter before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// What the front end gives the interface: the database, who asks, the theme asked for.
#[derive(Debug, Clone)]
pub struct Start {
    pub db: PathBuf,
    pub claim: Claim,
    pub theme: Option<String>,
}

/// The interface's copy of the session, with what the chrome shows: database name, the
/// operator's owners, the terminal size, the plan year being prepared.
pub fn app_session(service: &Service, size: (u16, u16)) -> Result<app::Session> {
    use chrono::Datelike;
    let session = service.session();
    Ok(app::Session {
        read_only: session.read_only(),
        scope: session.scope().clone(),
        database: service.database_name(),
        owners: service.own_owners()?,
        size,
        plan_year: chrono::Local::now().year() + 1,
        remote: matches!(session.origin(), crate::service::Origin::SshKey { .. }),
    })
}

/// Refuses to start without a terminal (scripts use the subcommands).
pub fn require_terminal() -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(InvalidInput(
            "l'interfaccia a schermo richiede un terminale; per gli script usare i sottocomandi (casa --help)".into()
        ));
    }
    Ok(())
}

pub fn run(start: &Start) -> Result<()> {
    require_terminal()?;
    let keymap = config::load_keymap()?;
    let theme = config::load_theme(start.theme.as_deref())?;
    let service = Service::open(&start.db, &start.claim, Need::Write)?;
    let size = crossterm::terminal::size().unwrap_or((80, 24));
    let mut app = App::new(app_session(&service, size)?, keymap);

    let (tx, rx) = mpsc::channel::<Msg>();
    let worker = worker::Worker::spawn(service, tx.clone())?;

    terminal::install_panic_hook(config::paths::log_file().ok());
    let guard = terminal::TerminalGuard::enter().context("impossibile preparare il terminale")?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, std::io::stdout()));
    let mut terminal = Terminal::new(backend)?;

    spawn_input(tx.clone());
    spawn_signals(tx)?;

    // When the typing pause ends (debounce of filter fields).
    let mut debounce_at: Option<Instant> = None;
    loop {
        terminal.draw(|f| ui::view(&app, f, &theme))?;
        terminal.backend_mut().flush()?;
        // Block until something happens: no timer redraws (they cost bandwidth over SSH).
        let first = match debounce_at {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    debounce_at = None;
                    Msg::Debounce
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        let mut pending = vec![first];
        // Coalesce what is already queued (key repeat, bursts of data) into one frame.
        pending.extend(rx.try_iter());
        for msg in pending {
            for effect in update(&mut app, msg) {
                match effect {
                    Effect::Quit => {}
                    Effect::Cancel => worker.cancel(),
                    Effect::Debounce => debounce_at = Some(Instant::now() + DEBOUNCE),
                    Effect::Request(r) => worker.send(r),
                }
            }
        }
        if app.quit {
            break;
        }
    }
    worker.shutdown();
    drop(terminal);
    drop(guard);
    Ok(())
}

pub(super) fn spawn_input(tx: mpsc::Sender<Msg>) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let msg = match event::read() {
                    Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                    Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Ok(Event::Paste(text)) => Msg::Paste(text),
                    Ok(_) => continue,
                    // The terminal is gone (e.g. SSH dropped): leave.
                    Err(_) => Msg::Terminate,
                };
                let stop = matches!(msg, Msg::Terminate);
                if tx.send(msg).is_err() || stop {
                    break;
                }
            }
        })
        .ok();
}

pub(super) fn spawn_signals(tx: mpsc::Sender<Msg>) -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                tracing::info!("signal {sig}: leaving");
                if tx.send(Msg::Terminate).is_err() {
                    break;
                }
            }
        })?;
    Ok(())
}
