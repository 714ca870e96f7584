//! Application state and its one update function. `update(&mut App, Msg) -> Vec<Effect>`
//! changes state; drawing (`ui::view`) only reads it; effects (queries, exports, writes) are
//! carried out by the runner (`tui.rs`) and come back as messages. Testable without a terminal.

pub mod field;
pub mod form;
pub mod keymap;
pub mod layout;
pub mod screens;

use crate::domain::access::OperatorScope;
use crossterm::event::{KeyCode, KeyEvent};
use keymap::{Action, Key, Keymap};
use screens::{Screen, ScreenOutcome};

/// What a message line says, and how (meaning also rests on the prefix glyph, not colour).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Info(String),
    Warning(String),
    Error(String),
}

impl Message {
    pub fn text(&self) -> &str {
        match self {
            Message::Info(t) | Message::Warning(t) | Message::Error(t) => t,
        }
    }
}

/// Who is working, shown in the title line.
#[derive(Debug, Clone)]
pub struct Session {
    pub scope: OperatorScope,
    /// Short database name for the title line.
    pub database: String,
    pub read_only: bool,
    /// The owners this operator works for (id, name), for the certification card.
    pub owners: Vec<(i64, String)>,
    /// Terminal size (columns, rows), for page sizes.
    pub size: (u16, u16),
    /// The plan year being prepared (next calendar year), the default for marking.
    pub plan_year: i32,
    /// Connected over SSH: files casa writes would land on the server, not with the operator.
    pub remote: bool,
}

pub struct App {
    pub session: Session,
    pub keymap: Keymap,
    /// Screens, the last is shown; the first is the home menu.
    pub stack: Vec<Screen>,
    pub message: Option<Message>,
    pub help_open: bool,
    /// First line of the help shown, when it is longer than the screen.
    pub help_scroll: u16,
    /// The last useful help scroll, as the last frame drawn found it.
    pub help_max_scroll: std::cell::Cell<u16>,
    pub quit: bool,
    /// Bumped for every data request, so stale answers are dropped.
    pub generation: u64,
    /// A key that would throw away unsaved edits was pressed once: pressed again, it acts.
    armed: Option<Key>,
    /// The last messages, for the help.
    pub history: std::collections::VecDeque<Message>,
}

/// Input to `update`.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste): it goes into the focused field as
    /// text, never read as keys.
    Paste(String),
    /// The typing pause after an edit is over.
    Debounce,
    Data(screens::DataMsg),
    /// SIGTERM or SIGHUP: leave cleanly.
    Terminate,
}

/// What the runner must do after an update.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Request(screens::Request),
    /// Stop any running count or query of an older generation.
    Cancel,
    /// (Re)start the typing pause; the runner sends `Msg::Debounce` when it is over.
    Debounce,
    Quit,
}

impl App {
    pub fn new(session: Session, keymap: Keymap) -> App {
        let home = Screen::home(&session);
        App {
            session,
            keymap,
            stack: vec![home],
            message: None,
            help_open: false,
            help_scroll: 0,
            help_max_scroll: std::cell::Cell::new(0),
            quit: false,
            generation: 0,
            armed: None,
            history: Default::default(),
        }
    }

    /// An interface of one screen only (a registration-only session): leaving it quits.
    pub fn single(session: Session, keymap: Keymap, screen: Screen) -> App {
        App {
            session,
            keymap,
            stack: vec![screen],
            message: None,
            help_open: false,
            help_scroll: 0,
            help_max_scroll: std::cell::Cell::new(0),
            quit: false,
            generation: 0,
            armed: None,
            history: Default::default(),
        }
    }

    pub fn screen(&self) -> &Screen {
        self.stack
            .last()
            .unwrap_or_else(|| unreachable!("the home screen is never popped"))
    }

    fn screen_mut(&mut self) -> &mut Screen {
        self.stack
            .last_mut()
            .unwrap_or_else(|| unreachable!("the home screen is never popped"))
    }

    /// Breadcrumbs of the open screens.
    pub fn breadcrumbs(&self) -> Vec<String> {
        self.stack.iter().map(|s| s.title()).collect()
    }

    /// The actions the current screen offers, with what the chrome always offers, minus the
    /// mutating ones in a read-only session. Legend and help are drawn from this.
    pub fn offered(&self) -> Vec<Action> {
        let mut v = vec![Action::Help, Action::Exit];
        if self.stack.len() > 1 {
            v.push(Action::Back);
        }
        // Registry changes need the ANAGRAFE service on some owner: without it the action
        // would only be refused, so it is not offered (the store checks each owner anyway).
        let edits_registry = self
            .session
            .scope
            .grants
            .iter()
            .any(|(_, s)| *s == crate::domain::access::Service::Registry);
        for a in self.screen().actions() {
            // Proposing needs the AVVISI service, checked when the ledger is read; the
            // administration is the Regione's, which has no owner's services.
            let needs_registry = !screens::plans::is_plan_action(a)
                && !screens::communications::is_communication_action(a)
                && a != Action::AssignmentPropose
                && !screens::rankings::is_notice_action(a)
                && !screens::is_administration_action(a);
            if screens::is_mutating(a)
                && (self.session.read_only || (needs_registry && !edits_registry))
            {
                continue;
            }
            if !v.contains(&a) {
                v.push(a);
            }
        }
        v
    }

    /// The keymap as it acts now: with a text field focused, without the keys the field
    /// takes (letters, editing keys). Texts name keys from this, so they name keys that work.
    pub fn keys(&self) -> std::borrow::Cow<'_, Keymap> {
        if self.screen().in_text() {
            std::borrow::Cow::Owned(self.keymap.typing())
        } else {
            std::borrow::Cow::Borrowed(&self.keymap)
        }
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }
}

/// Messages kept for the help (F1), newest last: a message cut on the message line, or
/// replaced by the next one, can still be read whole.
pub const MESSAGE_HISTORY: usize = 10;

/// The single place where state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let before = app.message.clone();
    let effects = update_inner(app, msg);
    if app.message != before
        && let Some(m) = &app.message
    {
        if app.history.len() == MESSAGE_HISTORY {
            app.history.pop_front();
        }
        app.history.push_back(m.clone());
    }
    effects
}

fn update_inner(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Resize(w, h) => {
            app.session.size = (w, h);
            let generation = app.next_generation();
            app.screen_mut()
                .on_resize(w, h, generation)
                .into_iter()
                .map(Effect::Request)
                .collect()
        }
        Msg::Debounce => {
            let generation = app.next_generation();
            let outcome = app.screen_mut().on_debounce(generation);
            let mut effects = vec![Effect::Cancel];
            effects.extend(apply(app, outcome));
            effects
        }
        Msg::Terminate => {
            app.quit = true;
            vec![Effect::Quit]
        }
        Msg::Data(data) => {
            // A finished long action (export, marking) is reported even if its screen is gone.
            let fallback = match &data {
                screens::DataMsg::Done { message, .. } => Some(message.clone()),
                _ => None,
            };
            let keys = app.keys().into_owned();
            let outcome = app.screen_mut().on_data(data, &keys);
            if outcome.message.is_none()
                && let Some(m) = fallback
            {
                app.message = Some(m);
            }
            apply(app, outcome)
        }
        Msg::Key(ev) => on_key(app, ev),
        Msg::Paste(text) => {
            if app.help_open {
                return Vec::new();
            }
            let outcome = app.screen_mut().on_paste(&text);
            apply(app, outcome)
        }
    }
}

/// Ctrl-C: always leaves, whatever the keymap says.
pub const QUIT_KEY: Key = Key {
    code: KeyCode::Char('c'),
    ctrl: true,
    alt: false,
};

/// Typed input is never thrown away silently: the first press of a key that would drop
/// unsaved edits (leave, go back, reread) says so, the same key again acts.
fn asks_before_dropping(app: &mut App, key: Key, armed: Option<Key>, whole_stack: bool) -> bool {
    let unsaved = if whole_stack {
        app.stack.iter().any(Screen::unsaved)
    } else {
        app.screen().unsaved()
    };
    if !unsaved || armed == Some(key) {
        return false;
    }
    app.armed = Some(key);
    let draft = app.keys().key(Action::CommunicationDraft);
    let save = if matches!(app.screen(), Screen::Communications(_)) {
        format!(", {draft} salva la bozza")
    } else {
        String::new()
    };
    app.message = Some(Message::Warning(format!(
        "Modifiche non salvate: {key} di nuovo per lasciarle{save}"
    )));
    true
}

fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    let key = Key::from_event(&ev);
    let armed = app.armed.take();
    if key == QUIT_KEY {
        if asks_before_dropping(app, key, armed, true) {
            return Vec::new();
        }
        app.quit = true;
        return vec![Effect::Quit];
    }
    if app.help_open {
        // The movement keys scroll a help longer than the screen; any other key closes it
        // and does nothing else.
        let max = app.help_max_scroll.get();
        let moves = [
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::First,
            Action::Last,
        ];
        let scroll = app.help_scroll;
        app.help_scroll = match app.keymap.action_for(&key, &moves, false) {
            Some(Action::Up) => scroll.saturating_sub(1),
            Some(Action::Down) => scroll.saturating_add(1).min(max),
            Some(Action::PageUp) => scroll.saturating_sub(10),
            Some(Action::PageDown) => scroll.saturating_add(10).min(max),
            Some(Action::First) => 0,
            Some(Action::Last) => max,
            _ => {
                app.help_open = false;
                0
            }
        };
        return Vec::new();
    }
    let in_text = app.screen().in_text();
    if in_text && field::is_editing_key(&key) {
        // A focused field keeps its editing keys (Home/End, Ctrl-A/E/U/K/W, …).
        let outcome = app.screen_mut().on_text_key(&ev);
        return apply(app, outcome);
    }
    let offered = app.offered();
    let action = app.keymap.action_for(&key, &offered, in_text);
    if let Some(a @ (Action::Exit | Action::Back | Action::Refresh)) = action
        && asks_before_dropping(app, key, armed, a == Action::Exit)
    {
        return Vec::new();
    }
    match action {
        Some(Action::Help) => {
            app.help_open = true;
            app.help_scroll = 0;
            Vec::new()
        }
        Some(Action::Exit) => {
            if app.stack.len() == 1 {
                app.quit = true;
                vec![Effect::Quit]
            } else {
                app.stack.truncate(1);
                app.message = None;
                vec![Effect::Cancel]
            }
        }
        Some(Action::Back) if !app.screen().consumes_back() => {
            if app.stack.len() > 1 {
                app.stack.pop();
                app.message = None;
                // The screen shown again rereads what may have changed meanwhile.
                let generation = app.next_generation();
                let mut effects = vec![Effect::Cancel];
                effects.extend(
                    app.screen_mut()
                        .on_return(generation)
                        .into_iter()
                        .map(Effect::Request),
                );
                effects
            } else {
                Vec::new()
            }
        }
        Some(action) if app.session.remote && screens::writes_server_file(action) => {
            // The file would be the server's: the operator's own shell reads or writes it.
            let hint = match (app.screen(), action) {
                (_, Action::PlanReport) => "plan report ID --out - > report.xlsx",
                (_, Action::ApplicationsImport) => "applications import - --notice N < domande.csv",
                (Screen::PlanCard(_), _) => "plan export ID --out - > piano.xlsx",
                (Screen::Communications(_), _) => "comm receipt --plan ID --out - > ricevuta.xlsx",
                (Screen::Assignments(_), _) => "assignments export --out - > assegnazioni.xlsx",
                _ => "units export [filtri] --format xlsx --out - > elenchi.xlsx",
            };
            app.message = Some(Message::Warning(format!(
                "In una sessione SSH i file sono quelli del proprio computer: dalla propria shell, ad es. ssh casa@server {hint}"
            )));
            Vec::new()
        }
        Some(action) => {
            if app.session.read_only && screens::is_mutating(action) {
                app.message = Some(Message::Error(
                    "Sessione in sola lettura: l'azione non è consentita".into(),
                ));
                return Vec::new();
            }
            let generation = app.next_generation();
            let App { stack, session, .. } = app;
            let screen = stack.last_mut().unwrap_or_else(|| unreachable!());
            let outcome = screen.on_action(action, session, generation);
            let mut effects = Vec::new();
            if matches!(
                outcome.requests.first(),
                Some(screens::Request::Search { .. })
            ) {
                // A new search makes the running one stale: interrupt it.
                effects.push(Effect::Cancel);
            }
            effects.extend(apply(app, outcome));
            effects
        }
        None => {
            if in_text {
                let outcome = app.screen_mut().on_text_key(&ev);
                apply(app, outcome)
            } else {
                Vec::new()
            }
        }
    }
}

fn apply(app: &mut App, outcome: ScreenOutcome) -> Vec<Effect> {
    if outcome.clear_message {
        app.message = None;
    }
    if let Some(m) = outcome.message {
        app.message = Some(m);
    }
    let mut effects: Vec<Effect> = outcome.requests.into_iter().map(Effect::Request).collect();
    if outcome.debounce {
        effects.push(Effect::Debounce);
    }
    if outcome.refresh {
        let generation = app.next_generation();
        let App { stack, session, .. } = app;
        if let Some(screen) = stack.last_mut() {
            let again = screen.on_action(Action::Refresh, session, generation);
            effects.extend(again.requests.into_iter().map(Effect::Request));
        }
    }
    if let Some(mut screen) = outcome.push {
        let generation = app.next_generation();
        let requests = screen.opened(generation);
        app.stack.push(screen);
        app.message = None;
        effects.extend(requests.into_iter().map(Effect::Request));
    }
    effects
}

#[cfg(test)]
mod tests;
