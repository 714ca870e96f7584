//! Render snapshots of the data screens on a small deterministic demo database: the app is
//! driven with key messages, its requests answered by the real worker code (the service calls
//! the interface makes), and the screen drawn with ratatui's TestBackend at 80x24, 60x16,
//! 120x40 and in mono.

use crate::app::field::is_editing_key;
use crate::app::keymap::{Action, Key, Keymap};
use crate::app::screens::Request;
use crate::app::{App, Effect, Msg, update};
use crate::service::{Claim, Need, Origin, Service};
use crate::store::{Access, Store};
use crate::tui::jobs::Jobs;
use crate::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use std::path::PathBuf;
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

/// One demo database shared by the tests of this module (built once, read only).
fn demo_db() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        crate::demo::create(
            &path,
            &crate::demo::Options {
                units: 3000,
                seed: 7,
            },
            &mut |_| {},
        )
        .unwrap();
        (dir, path)
    })
    .1
}

struct Harness {
    app: App,
    ctx: Jobs,
    rx: mpsc::Receiver<Msg>,
}

impl Harness {
    /// Moves down the home menu to the item labelled `label` and opens it.
    fn open_menu(&mut self, label: &str) {
        let Some(crate::app::screens::Screen::Home(home)) = self.app.stack.first() else {
            panic!("no home menu");
        };
        let at = home
            .items
            .iter()
            .position(|i| i.label == label)
            .unwrap_or_else(|| panic!("no menu item {label}"));
        for _ in 0..at.saturating_sub(home.selected) {
            self.key(KeyCode::Down);
        }
        self.key(KeyCode::Enter);
    }

    fn new(username: &str, size: (u16, u16)) -> Harness {
        Harness::on(demo_db(), Access::ReadOnly, username, size)
    }

    /// The interface of `username` on the database at `path` (`access`: whether the worker's
    /// connection may write), made as `casa` makes it: a session from a claim, the worker's
    /// service calls.
    fn on(path: &std::path::Path, access: Access, username: &str, size: (u16, u16)) -> Harness {
        Harness::with_keymap(path, access, username, size, Keymap::default_map())
    }

    /// As `on`, with `keymap` active: the steps still press the default keys, which `press`
    /// turns into the keys of the same actions in `keymap`.
    fn with_keymap(
        path: &std::path::Path,
        access: Access,
        username: &str,
        size: (u16, u16),
        keymap: Keymap,
    ) -> Harness {
        let claim = Claim {
            operator: username.into(),
            origin: Origin::Local {
                login: "test".into(),
            },
            read_only: false,
        };
        let need = match access {
            Access::ReadOnly => Need::Read,
            Access::ReadWrite => Need::Write,
        };
        let service = Service::open(path, &claim, need).unwrap();
        let mut session = crate::tui::app_session(&service, size).unwrap();
        session.database = "demo.sqlite".into();
        session.plan_year = 2027;
        let (tx, rx) = mpsc::channel();
        let ctx = Jobs::new(service, tx);
        Harness {
            app: App::new(session, keymap),
            ctx,
            rx,
        }
    }

    /// Feeds a message and answers every request it causes, until the app is quiet.
    fn feed(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            for effect in update(&mut self.app, m) {
                match effect {
                    Effect::Request(r) => {
                        let waits_count = matches!(
                            r,
                            Request::Search {
                                with_count: true,
                                ..
                            }
                        );
                        self.ctx.handle(r);
                        if waits_count {
                            // The count comes from its own thread: wait for it.
                            if let Ok(m) = self.rx.recv_timeout(Duration::from_secs(10)) {
                                queue.push(m);
                            }
                        }
                    }
                    Effect::Debounce => queue.push(Msg::Debounce),
                    Effect::Cancel | Effect::Quit => {}
                }
            }
            while let Ok(m) = self.rx.recv_timeout(Duration::from_millis(50)) {
                queue.push(m);
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.press(KeyEvent::new(code, KeyModifiers::NONE));
    }

    /// Presses a key of the default keymap: with another keymap active, the key that keymap
    /// binds to the same action (one that works where the focus is: in a text field, not a
    /// letter or a key the field keeps). Typed text and keys no action has go as they are.
    fn press(&mut self, ev: KeyEvent) {
        let ev = self.translated(ev);
        self.feed(Msg::Key(ev));
    }

    fn translated(&self, ev: KeyEvent) -> KeyEvent {
        let default = default_keymap();
        if self.app.keymap == *default {
            return ev;
        }
        let key = Key::from_event(&ev);
        let in_text = self.app.screen().in_text();
        let typed = |k: &Key| in_text && (k.is_text() || is_editing_key(k));
        if typed(&key) {
            return ev;
        }
        let Some(action) = Action::ALL
            .iter()
            .find(|a| default.keys(**a).contains(&key))
        else {
            return ev;
        };
        let Some(k) = self.app.keymap.keys(*action).iter().find(|k| !typed(k)) else {
            panic!("{action:?} has no key usable here in the keymap under test");
        };
        let mut modifiers = KeyModifiers::NONE;
        if k.ctrl {
            modifiers |= KeyModifiers::CONTROL;
        }
        if k.alt {
            modifiers |= KeyModifiers::ALT;
        }
        KeyEvent::new(k.code, modifiers)
    }

    fn text(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn render(&self, theme: &Theme, w: u16, h: u16) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| ui::view(&self.app, f, theme)).unwrap();
        terminal.backend().buffer().clone()
    }
}

fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn assert_no_colour(buf: &Buffer) {
    for cell in buf.content() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "colour in mono output"
        );
    }
}

fn default_keymap() -> &'static Keymap {
    static MAP: OnceLock<Keymap> = OnceLock::new();
    MAP.get_or_init(Keymap::default_map)
}

/// The vim preset as shipped.
fn vim_keymap() -> Keymap {
    Keymap::parse("preset = \"vim\"\n", "vim.toml", None).unwrap()
}

/// The vim preset with every action moved to an Alt- key no shipped keymap uses: a key name
/// the default or vim keymap would show can then only come from a text that types it.
fn remapped_keymap() -> Keymap {
    let mut file = String::from("preset = \"vim\"\n[keys]\n");
    let spare = "abcdefghijklmnopqrstuvwxyz0123456789=-ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars();
    assert!(Action::ALL.len() <= spare.clone().count());
    for (a, c) in Action::ALL.iter().zip(spare) {
        file.push_str(&format!("{} = [\"alt-{c}\"]\n", a.name()));
    }
    Keymap::parse(&file, "remapped.toml", None).unwrap()
}

/// Fails if `text`, drawn under `remapped_keymap()`, names a key of the default or vim
/// keymap, or names none of its own.
fn assert_no_hard_coded_key_names(name: &str, text: &str, width: u16) {
    // Keys outside the keymap, by design: Ctrl-C and the keys a field keeps.
    let mut rest = text.replace(&crate::app::QUIT_KEY.to_string(), "");
    for (keys, _) in crate::app::field::editing_keys_help() {
        rest = rest.replace(&keys, "");
    }
    let mut old: Vec<String> = Vec::new();
    for map in [default_keymap().clone(), vim_keymap()] {
        for a in Action::ALL {
            for k in map.keys(*a) {
                old.push(k.to_string());
            }
        }
    }
    let mut words: Vec<&str> = Vec::new();
    for line in rest.lines() {
        let mut w: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || ",;:()·'".contains(c))
            // A full stop ends a sentence, not an abbreviation ("r.r.", "Ind.").
            .map(|w| w.trim_end_matches('.'))
            .filter(|w| !w.is_empty())
            .collect();
        // A line cut at the edge ends in a piece of a word.
        if line.chars().count() >= width as usize {
            w.pop();
        }
        words.extend(w);
    }
    let mut found = Vec::new();
    for n in &old {
        // "Fine" (End) is also a word and a label (Action::Last); single characters are
        // words ("a", "e", "i", "o") and codes of the communication form ("b" … "k"): only
        // the others are looked for, as whole words (arrows below). "+" and "-" (new, remove)
        // are also punctuation in data ("Valle Imagna - Villa d'Almè"); "l" is a word once the
        // apostrophe is split off ("l'alloggio"); "=", "!", "#", "*" (the administration's) are
        // signs of explanations and data.
        let ambiguous = n == "Fine"
            || (n.chars().count() == 1 && "abcdefghijklo/+-=!#*↑↓←→".contains(n.as_str()));
        let hit = !ambiguous && words.iter().any(|w| w == n || w.split('/').any(|p| p == n));
        if hit {
            found.push(n.clone());
        }
    }
    // Arrows: movement keys when paired ("↑↓"); a lone one is the sort direction.
    for line in rest.lines() {
        if (line.contains('↑') || line.contains('↓'))
            && !line.contains("ordinati per")
            && !line.contains("ordinate per")
        {
            found.push(format!("arrow in {line:?}"));
        }
    }
    found.dedup();
    assert!(
        found.is_empty(),
        "{name}: key names not from the keymap: {found:?}\n{text}"
    );
    assert!(
        text.contains("Alt-"),
        "{name}: the keymap's keys are shown\n{text}"
    );
}

/// Builds the same state at each size (page sizes depend on it) on database `db` and
/// snapshots it; the 80x24 state also in mono, checked for colour. Then once more under the
/// vim keymap (snapshot `NAME_vim`), and under a keymap where every action has another key,
/// checking that no key name survives from the other keymaps.
fn snapshot_on(db: &std::path::Path, name: &str, user: &str, steps: impl Fn(&mut Harness)) {
    for (w, h) in [(80, 24), (60, 16), (120, 40)] {
        let mut hs = Harness::on(db, Access::ReadOnly, user, (w, h));
        steps(&mut hs);
        insta::assert_snapshot!(
            format!("{name}_{w}x{h}"),
            text(&hs.render(&Theme::default_theme(), w, h))
        );
        if (w, h) == (80, 24) {
            let mono = hs.render(&Theme::mono(), w, h);
            assert_no_colour(&mono);
            insta::assert_snapshot!(format!("{name}_mono"), text(&mono));
        }
    }
    let (w, h) = (80, 24);
    let mut hs = Harness::with_keymap(db, Access::ReadOnly, user, (w, h), vim_keymap());
    steps(&mut hs);
    insta::assert_snapshot!(
        format!("{name}_vim"),
        text(&hs.render(&Theme::default_theme(), w, h))
    );
    for (w, h) in [(80, 24), (60, 16), (120, 40)] {
        let mut hs = Harness::with_keymap(db, Access::ReadOnly, user, (w, h), remapped_keymap());
        steps(&mut hs);
        let shown = text(&hs.render(&Theme::mono(), w, h));
        assert_no_hard_coded_key_names(&format!("{name} at {w}x{h}"), &shown, w);
        // And the help over it.
        hs.key(KeyCode::F(1));
        let help = text(&hs.render(&Theme::mono(), w, h));
        assert!(hs.app.help_open, "{name}: help opens with its remapped key");
        assert_no_hard_coded_key_names(&format!("{name} help at {w}x{h}"), &help, w);
    }
}

fn snapshot_sizes(name: &str, user: &str, steps: impl Fn(&mut Harness)) {
    snapshot_on(demo_db(), name, user, steps);
}

fn open_search(h: &mut Harness) {
    h.key(KeyCode::Enter);
}

#[test]
fn search_first_page_with_count() {
    snapshot_sizes("search", "comune.015146", |h| {
        open_search(h);
        let s = text(&h.render(&Theme::default_theme(), 80, 24));
        assert!(s.contains("alloggi ·"), "count shown: {s}");
    });
}

#[test]
fn search_filtered_by_state_and_comune_with_invalid_field() {
    snapshot_sizes("search_invalid", "regione", |h| {
        open_search(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..4 {
            h.key(KeyCode::Tab);
        }
        h.text("Atlantide");
    });
    let mut h = Harness::new("regione", (80, 24));
    open_search(&mut h);
    h.key(KeyCode::Char('/'));
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.text("Atlantide");
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains("✖Comune"),
        "invalid field marked with a glyph: {s}"
    );
    assert!(s.contains("✖ Comune:"), "message names the field: {s}");
}

#[test]
fn search_state_list_of_values() {
    snapshot_sizes("search_lov", "regione", |h| {
        open_search(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..5 {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::F(4));
        h.key(KeyCode::Char(' '));
    });
}

#[test]
fn search_export_dialog() {
    snapshot_sizes("search_export", "comune.015146", |h| {
        open_search(h);
        h.key(KeyCode::F(8));
        // A fixed name so the snapshot does not depend on the clock.
        for _ in 0..40 {
            h.key(KeyCode::Backspace);
        }
        h.text("elenchi.xlsx");
    });
}

#[test]
fn search_mark_dialog() {
    // The year is typed; Tab goes to "togli la marcatura", where Space ticks it.
    snapshot_sizes("search_mark", "comune.015146", |h| {
        open_search(h);
        h.key(KeyCode::F(9));
        h.key(KeyCode::Backspace);
        h.text("8");
        h.key(KeyCode::Tab);
        h.key(KeyCode::Char(' '));
    });
    let mut h = Harness::new("comune.015146", (80, 24));
    open_search(&mut h);
    h.key(KeyCode::F(9));
    h.key(KeyCode::Char(' '));
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains("[ ] togli"),
        "Space in the year field is not a tick: {s}"
    );
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("▶[x] togli la marcatura"), "{s}");
}

#[test]
fn unit_detail_and_masked_for_helpdesk() {
    snapshot_sizes("detail", "comune.015146", |h| {
        open_search(h);
        h.key(KeyCode::Enter);
    });
    snapshot_sizes("detail_helpdesk", "helpdesk", |h| {
        open_search(h);
        h.key(KeyCode::Enter);
        for _ in 0..40 {
            h.key(KeyCode::Down);
        }
    });
    let mut h = Harness::new("helpdesk", (80, 24));
    open_search(&mut h);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("F10 Mostra dati"), "reveal offered: {s}");
    assert!(s.contains("[SOLA LETTURA]"), "{s}");
}

#[test]
fn certification_card() {
    snapshot_sizes("certification", "comune.015146", |h| {
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
    });
}

#[test]
fn actions_the_operator_cannot_do_are_not_offered() {
    // A Comune's operator may mark its units.
    let mut h = Harness::new("comune.015146", (120, 40));
    open_search(&mut h);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    // (The legend's short label: the full ones do not all fit at 120 columns.)
    assert!(s.contains("F9 Marca"), "{s}");
    // The helpdesk is read-only: nothing that changes data.
    let mut h = Harness::new("helpdesk", (120, 40));
    open_search(&mut h);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(!s.contains("F9 Marca"), "{s}");
}

/// A copy of the demo database with a plan (BOZZA) of BG-SERIATE for 2027 created by its
/// capofila through the store. The window ends far ahead (so its state does not depend on the
/// day the tests run, and the late-end warning shows) and the history is stamped at a fixed
/// time, for stable snapshots.
fn plan_db_copy() -> (tempfile::TempDir, PathBuf, i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans.sqlite");
    rusqlite::Connection::open(demo_db())
        .unwrap()
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let d = crate::store::owners::find_district(store.conn(), "BG-SERIATE").unwrap();
    let date = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let c = store
        .create_plan(CAPOFILA, d.id, 2027, date("2026-09-01"), date("2027-12-31"))
        .unwrap();
    // A window that never closes, whatever day the tests run: no operator may type one (the
    // end is at most five years after the reference year), so it is written here.
    store
        .conn()
        .execute_batch(
            "UPDATE plan_state_history SET at = '2026-09-01T08:00:00Z', window_end = '2099-12-31';
             UPDATE plan SET created_at = '2026-09-01T08:00:00Z', window_end = '2099-12-31';",
        )
        .unwrap();
    (dir, path, c.plan.id)
}

fn plan_db() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf, i64)> = OnceLock::new();
    &DB.get_or_init(plan_db_copy).1
}

const CAPOFILA: &str = "capofila.bg-seriate";

/// Home → Programmazione (the last item of the menu).
fn open_plans(h: &mut Harness) {
    h.open_menu("Piani annuali");
}

fn plan_sizes(name: &str, user: &str, steps: impl Fn(&mut Harness)) {
    snapshot_on(plan_db(), name, user, steps);
}

#[test]
fn plan_list_and_card_of_the_capofila() {
    plan_sizes("plan_list", CAPOFILA, open_plans);
    plan_sizes("plan_card", CAPOFILA, |h| {
        open_plans(h);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::on(plan_db(), Access::ReadOnly, CAPOFILA, (80, 24));
    open_plans(&mut h);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("SCHEDA PROGRAMMAZIONE ANNUALE"), "{s}");
    // BOZZA: the window may be opened or the plan cancelled, not closed or approved.
    assert!(
        s.contains("Apri finestra") && s.contains("Annulla piano"),
        "{s}"
    );
    assert!(
        !s.contains("Chiudi finestra") && !s.contains("Approva"),
        "{s}"
    );
    // End shows the card's last lines (the owners still missing), Home its first.
    h.key(KeyCode::End);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains("Mancano:") && !s.contains("SCHEDA PROGRAMMAZIONE"),
        "{s}"
    );
    h.key(KeyCode::Down);
    let again = text(&h.render(&Theme::mono(), 80, 24));
    assert_eq!(s, again, "nothing below the last line");
    h.key(KeyCode::Home);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("SCHEDA PROGRAMMAZIONE ANNUALE"), "{s}");
}

#[test]
fn a_help_longer_than_the_screen_scrolls() {
    let mut h = Harness::new("comune.015146", (60, 16));
    open_search(&mut h);
    h.key(KeyCode::F(1));
    let first = text(&h.render(&Theme::mono(), 60, 16));
    assert!(first.contains("scorre, righe 1-"), "{first}");
    insta::assert_snapshot!("help_scrolls_60x16", first);
    h.key(KeyCode::End);
    let last = text(&h.render(&Theme::mono(), 60, 16));
    assert!(h.app.help_open && last != first, "{last}");
    assert!(last.contains("un altro tasto lo chiude"), "{last}");
    insta::assert_snapshot!("help_scrolled_to_the_end_60x16", last);
}

#[test]
fn plan_card_offers_no_action_to_who_is_not_its_capofila() {
    for user in ["regione", "helpdesk"] {
        let mut h = Harness::on(plan_db(), Access::ReadOnly, user, (120, 40));
        open_plans(&mut h);
        h.key(KeyCode::Enter);
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(s.contains("SCHEDA PROGRAMMAZIONE ANNUALE"), "{user}: {s}");
        for label in [
            "Apri finestra",
            "Chiudi finestra",
            "Approva",
            "Annulla piano",
        ] {
            assert!(!s.contains(label), "{user} offered {label}: {s}");
        }
        // The key does nothing either.
        h.key(KeyCode::Char('a'));
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(s.contains("BOZZA"), "{user}: {s}");
    }
    // The capofila of another district does not see the plan at all.
    let mut h = Harness::on(plan_db(), Access::ReadOnly, "capofila.bg-dalmine", (80, 24));
    open_plans(&mut h);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Nessun piano"), "{s}");
}

#[test]
fn plan_actions_go_through_the_store_and_reload_the_card() {
    let (_dir, path, _id) = plan_db_copy();
    let mut h = Harness::on(&path, Access::ReadWrite, CAPOFILA, (120, 40));
    open_plans(&mut h);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("stato APERTO"), "{s}");
    assert!(
        s.contains("Chiudi finestra") && !s.contains("Apri finestra"),
        "{s}"
    );
    // Closing asks first, saying how many owners have not filed; the same key again closes.
    h.key(KeyCode::Char('h'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.contains("non hanno trasmesso") && !s.contains("stato CHIUSO"),
        "{s}"
    );
    h.key(KeyCode::Char('h'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("stato CHIUSO") && s.contains("Approva"), "{s}");
    // Riapri asks for the new end date; a bad one is explained, a good one reopens.
    h.key(KeyCode::Char('r'));
    h.text("31/13/2099");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("non è una data"), "{s}");
    for _ in 0..10 {
        h.key(KeyCode::Backspace);
    }
    // An end beyond the reference year is not late, it is a mistake: refused, kept typed.
    h.text("31/12/2099");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("fuori dal periodo possibile"), "{s}");
    for _ in 0..10 {
        h.key(KeyCode::Backspace);
    }
    h.text("31/12/2027");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.contains("stato APERTO, fine comunicazione 31/12/2027"),
        "{s}"
    );
    assert!(s.contains("riapri"), "history row: {s}");
    h.key(KeyCode::Char('h'));
    // Annulla asks first, then cancels.
    h.key(KeyCode::Char('d'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("premere di nuovo"), "{s}");
    h.key(KeyCode::Char('d'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("stato ANNULLATO"), "{s}");
    assert!(!s.contains("Annulla piano"), "{s}");
}

#[test]
fn a_plan_action_on_a_stale_card_is_refused_and_the_card_reloads() {
    let (_dir, path, id) = plan_db_copy();
    let mut h = Harness::on(&path, Access::ReadWrite, CAPOFILA, (120, 40));
    open_plans(&mut h);
    h.key(KeyCode::Enter);
    // Meanwhile, another session of the capofila cancels the plan: the card here is stale.
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let today = chrono::Local::now().date_naive();
    store
        .plan_action(
            CAPOFILA,
            id,
            crate::domain::plan::PlanAction::Cancel,
            None,
            today,
        )
        .unwrap();
    h.key(KeyCode::Char('a'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.contains("✖ il piano 1 è stato modificato da un'altra sessione"),
        "{s}"
    );
    assert!(
        s.contains("STATO DEL PIANO            ANNULLATO"),
        "the card shows the current state: {s}"
    );
}

#[cfg(test)]
mod admin;
#[cfg(test)]
mod assignments;
#[cfg(test)]
mod communications;

mod manage;
#[cfg(test)]
mod occupations;
#[cfg(test)]
mod permissions;
#[cfg(test)]
mod rankings;
#[cfg(test)]
mod registry;
