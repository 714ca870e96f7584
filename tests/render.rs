//! Render snapshots of every screen at 80x24, 60x16 and 120x40, and in mono; mono output
//! carries no colour.

use casa::app::keymap::Keymap;
use casa::app::{App, Msg, Session, update};
use casa::domain::access::{OperatorScope, OperatorStatus, Role, Service};
use casa::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn session(role: Role, read_only: bool) -> Session {
    Session {
        scope: OperatorScope {
            username: "comune.015146".into(),
            role,
            status: OperatorStatus::Active,
            district_id: None,
            grants: vec![(1, Service::Registry)],
        },
        database: "demo.sqlite".into(),
        read_only,
        owners: vec![(1, "Comune di Milano".into())],
        size: (80, 24),
        plan_year: 2027,
        remote: false,
    }
}

fn render(app: &App, theme: &Theme, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::view(app, f, theme)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn assert_no_colour(buf: &Buffer) {
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "mono output has a foreground colour");
        assert_eq!(cell.bg, Color::Reset, "mono output has a background colour");
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Renders `app` at the three sizes and in mono, snapshotting each.
fn snapshot_all(name: &str, app: &App) {
    let theme = Theme::default_theme();
    for (w, h) in [(80, 24), (60, 16), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&render(app, &theme, w, h)));
    }
    let mono = render(app, &Theme::mono(), 80, 24);
    assert_no_colour(&mono);
    insta::assert_snapshot!(format!("{name}_mono"), text(&mono));
}

#[test]
fn home_menu() {
    let app = App::new(session(Role::OwnerOperator, false), Keymap::default_map());
    snapshot_all("home", &app);
}

#[test]
fn help_overlay_lists_the_screens_actions() {
    let mut app = App::new(session(Role::OwnerOperator, false), Keymap::default_map());
    update(&mut app, key(KeyCode::F(1)));
    assert!(app.help_open);
    let t = text(&render(&app, &Theme::default_theme(), 80, 24));
    assert!(t.contains("F1/?") && t.contains("Aiuto"), "{t}");
    assert!(t.contains("F3/q") && t.contains("Esci"), "{t}");
    snapshot_all("home_help", &app);
    // Any key closes it.
    update(&mut app, key(KeyCode::Char('x')));
    assert!(!app.help_open);
}

#[test]
fn too_small_terminal_says_so() {
    let app = App::new(session(Role::OwnerOperator, false), Keymap::default_map());
    let t = text(&render(&app, &Theme::default_theme(), 50, 10));
    assert!(t.contains("Terminale troppo piccolo (50x10)"), "{t}");
    // Degenerate sizes never panic.
    for (w, h) in [(1, 1), (0, 0), (59, 16), (60, 15), (200, 3)] {
        render(&app, &Theme::default_theme(), w, h);
    }
}

#[test]
fn read_only_session_is_marked_in_the_title() {
    let app = App::new(session(Role::Helpdesk, true), Keymap::default_map());
    let t = text(&render(&app, &Theme::mono(), 80, 24));
    assert!(t.lines().next().unwrap().contains("[SOLA LETTURA]"), "{t}");
}

#[test]
fn rebinding_a_key_changes_legend_and_help() {
    let keymap = Keymap::parse(
        "[keys]\nexit = [\"F10\", \"ctrl-x\"]\nreveal = [\"ctrl-v\"]\n",
        "test.toml",
        Some(&Keymap::default_map()),
    )
    .unwrap();
    let mut app = App::new(session(Role::OwnerOperator, false), keymap);
    let t = text(&render(&app, &Theme::default_theme(), 80, 24));
    assert!(t.contains("F10 Esci"), "{t}");
    assert!(!t.contains("F3 Esci"), "{t}");
    update(&mut app, key(KeyCode::F(1)));
    let t = text(&render(&app, &Theme::default_theme(), 80, 24));
    assert!(t.contains("F10/Ctrl-x"), "{t}");
}
