//! The terminal application's runner: terminal guard, input and signal threads, the store
//! worker, and the loop that feeds messages to `app::update` and draws when something changed.

use crate::app::keymap::Keymap;
use crate::app::{App, Effect, Msg, Session, update};
use crate::cli::{Global, InvalidInput};
use crate::store::{Access, owners};
use crate::ui::{self, Theme};
use crate::{paths, term, worker};
use anyhow::{Context, Result};
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufWriter, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Pause after the last keystroke in a filter before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Loads the user's keymap (config dir `keymap.toml`), reporting file, line and reason.
pub fn load_keymap() -> Result<Keymap> {
    let path = paths::config_dir()?.join("keymap.toml");
    Keymap::load(&path).map_err(|e| InvalidInput(format!("mappa dei tasti non valida: {e}")).into())
}

/// Loads the theme: NO_COLOR → mono; else `--theme`/`CASA_THEME`; else default.
pub fn load_theme(name: Option<&str>) -> Result<Theme> {
    Theme::select(name, ui::theme::no_color_requested(), &paths::config_dir()?)
        .map_err(|e| InvalidInput(format!("tema non valido: {e}")).into())
}

/// Builds the session shown in the title line from the operator's scope.
pub fn session_for(
    g: &Global,
    store: &crate::store::Store,
    scope: crate::domain::access::OperatorScope,
) -> Result<Session> {
    let mut owner_ids: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
    owner_ids.dedup();
    let mut owners_named = Vec::new();
    for id in owner_ids {
        if let Some(o) = owners::owner_by_id(store.conn(), id)? {
            owners_named.push((o.id, o.name));
        }
    }
    let database = store
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    use chrono::Datelike;
    let (w, h) = crossterm::terminal::size().unwrap_or((80, 24));
    Ok(Session {
        read_only: g.read_only || store.access() == Access::ReadOnly,
        scope,
        database,
        owners: owners_named,
        size: (w, h),
        plan_year: chrono::Local::now().year() + 1,
    })
}

pub fn run(g: &Global, theme_name: Option<&str>) -> Result<()> {
    let keymap = load_keymap()?;
    let theme = load_theme(theme_name)?;
    let (store, scope) = crate::cli::session(g, Access::ReadWrite)?;
    let session = session_for(g, &store, scope)?;
    let db_path = store.path().to_path_buf();
    let scope = session.scope.clone();
    let mut app = App::new(session, keymap);

    let (tx, rx) = mpsc::channel::<Msg>();
    let worker = worker::Worker::spawn(store, db_path, scope, tx.clone())?;

    term::install_panic_hook(paths::log_file().ok());
    let guard = term::TerminalGuard::enter().context("impossibile preparare il terminale")?;
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

fn spawn_input(tx: mpsc::Sender<Msg>) {
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

fn spawn_signals(tx: mpsc::Sender<Msg>) -> Result<()> {
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
