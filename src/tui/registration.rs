//! The interface of a registration-only session (an SSH key casa does not know): the SCHEDA
//! UTENTE and nothing else. One screen, no worker: filing is one short write, answered in
//! the loop.

use super::terminal;
use crate::app::screens::registration::{Applying, Registration};
use crate::app::screens::{DataMsg, Request, Screen};
use crate::app::{self, App, Effect, Msg, update};
use crate::config;
use crate::domain::access::{OperatorScope, OperatorStatus, Role};
use crate::service::messages;
use crate::service::registrations::{Applicant, FormRefused, Standing};
use crate::ui;
use anyhow::{Context, Result};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufWriter, Write};
use std::sync::mpsc;

/// Who the title line names: nobody is authenticated as an operator.
pub const APPLICANT: &str = "richiedente";

/// The state of the applicant's interface: the form, or where an earlier request stands.
pub fn app(
    applicant: &Applicant,
    size: (u16, u16),
    keymap: crate::app::keymap::Keymap,
) -> Result<App> {
    use chrono::Datelike;
    let standing = applicant.standing()?;
    let shown = match &standing {
        Standing::New { rejected: None } => None,
        Standing::New { rejected: Some(_) } => None,
        s => Some(crate::ssh::session::standing_text(s)),
    };
    let session = app::Session {
        scope: OperatorScope {
            username: APPLICANT.into(),
            role: Role::OwnerOperator,
            status: OperatorStatus::Pending,
            district_id: None,
            grants: Vec::new(),
        },
        // Not even the database's name is shown to an unknown key.
        database: "casa".into(),
        read_only: false,
        owners: Vec::new(),
        size,
        plan_year: chrono::Local::now().year() + 1,
        remote: true,
    };
    let screen = Registration::new(Applying::NewOperator {
        fingerprint: applicant.key().fingerprint.clone(),
    })
    .with_standing(shown);
    let mut app = App::single(session, keymap, Screen::Registration(Box::new(screen)));
    if let Standing::New { rejected: Some(_) } = &standing {
        app.message = Some(app::Message::Warning(crate::ssh::session::standing_text(
            &standing,
        )));
    }
    Ok(app)
}

/// Answers the one request the screen makes.
pub fn answer(applicant: &mut Applicant, request: Request) -> Option<DataMsg> {
    let Request::RegistrationFile { generation, form } = request else {
        return None;
    };
    Some(match applicant.file(&form) {
        Ok(r) => DataMsg::RegistrationFiled {
            generation,
            text: format!(
                "{}. Quando sarà validata, la stessa chiave aprirà la sessione come {}.",
                messages::registration_filed(&r),
                r.username
            ),
        },
        Err(e) => match e.downcast::<FormRefused>() {
            Ok(f) => DataMsg::RegistrationRefused {
                generation,
                errors: f.0,
            },
            Err(e) => DataMsg::Failed {
                generation,
                message: messages::failure(&e),
            },
        },
    })
}

pub fn run(mut applicant: Applicant, theme: Option<String>) -> Result<()> {
    let keymap = config::load_keymap()?;
    let theme = config::load_theme(theme.as_deref())?;
    let size = crossterm::terminal::size().unwrap_or((80, 24));
    let mut app = app(&applicant, size, keymap)?;
    let (tx, rx) = mpsc::channel::<Msg>();
    terminal::install_panic_hook(config::paths::log_file().ok());
    let guard = terminal::TerminalGuard::enter().context("impossibile preparare il terminale")?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, std::io::stdout()));
    let mut terminal = Terminal::new(backend)?;
    super::spawn_input(tx.clone());
    super::spawn_signals(tx)?;
    let mut pending: Vec<Msg> = Vec::new();
    loop {
        terminal.draw(|f| ui::view(&app, f, &theme))?;
        terminal.backend_mut().flush()?;
        if pending.is_empty() {
            match rx.recv() {
                Ok(m) => pending.push(m),
                Err(_) => break,
            }
            pending.extend(rx.try_iter());
        }
        for msg in std::mem::take(&mut pending) {
            for effect in update(&mut app, msg) {
                if let Effect::Request(r) = effect
                    && let Some(d) = answer(&mut applicant, r)
                {
                    pending.push(Msg::Data(d));
                }
            }
        }
        if app.quit {
            break;
        }
    }
    drop(terminal);
    drop(guard);
    Ok(())
}
