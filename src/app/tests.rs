//! The app without a terminal or a database: messages in, state and effects out. Answers of
//! the store worker are made up here, tagged with the generations the app handed out.

use super::screens::{DataMsg, Request, Screen};
use super::*;
use crate::domain::access::{OperatorScope, OperatorStatus, Role, Service};
use crate::domain::unit_filter::FilterField;
use crossterm::event::KeyModifiers;

fn session(grants: Vec<(i64, Service)>) -> Session {
    Session {
        scope: OperatorScope {
            username: "comune.015146".into(),
            role: Role::OwnerOperator,
            status: OperatorStatus::Active,
            district_id: None,
            grants,
        },
        database: "demo.sqlite".into(),
        read_only: false,
        owners: vec![(1, "Comune di Milano".into())],
        size: (80, 24),
        plan_year: 2027,
        remote: false,
    }
}

fn app() -> App {
    App::new(
        session(vec![(1, Service::Registry), (1, Service::Planning)]),
        Keymap::default_map(),
    )
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn typed(app: &mut App, s: &str) -> Vec<Effect> {
    s.chars().flat_map(|c| key(app, KeyCode::Char(c))).collect()
}

fn searches(effects: &[Effect]) -> Vec<&Request> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request(r @ Request::Search { .. }) => Some(r),
            _ => None,
        })
        .collect()
}

fn generation_of(r: &Request) -> u64 {
    match r {
        Request::Search { generation, .. } => *generation,
        other => panic!("not a search: {other:?}"),
    }
}

fn search(app: &App) -> &screens::Search {
    match app.screen() {
        Screen::Search(s) => s,
        _ => panic!("not on the search"),
    }
}

/// Home → Ricerca alloggi; returns the generation of its first search.
fn open_search(app: &mut App) -> u64 {
    let effects = key(app, KeyCode::Enter);
    let first = searches(&effects);
    assert_eq!(first.len(), 1, "{effects:?}");
    generation_of(first[0])
}

#[test]
fn typing_in_a_filter_is_debounced() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    assert!(app.screen().in_text());
    // Each keystroke (re)starts the pause and asks nothing of the store.
    for c in ['1', '2'] {
        let effects = key(&mut app, KeyCode::Char(c));
        assert_eq!(effects, vec![Effect::Debounce], "{c}");
    }
    // An editing key that changes the value restarts it too; one that only moves does not.
    assert_eq!(key(&mut app, KeyCode::Home), vec![]);
    assert_eq!(ctrl(&mut app, 'k'), vec![Effect::Debounce]);
    typed(&mut app, "835");
    assert!(search(&app).debounce_pending);
    // The pause is over: one search, the running one interrupted first.
    let effects = update(&mut app, Msg::Debounce);
    assert_eq!(effects.first(), Some(&Effect::Cancel));
    let asked = searches(&effects);
    assert_eq!(asked.len(), 1, "{effects:?}");
    let Request::Search { input, .. } = asked[0] else {
        unreachable!()
    };
    assert_eq!(input.get(FilterField::UnitId), "835");
    assert!(!search(&app).debounce_pending);
    // A second pause with nothing typed meanwhile asks nothing.
    assert!(searches(&update(&mut app, Msg::Debounce)).is_empty());
}

#[test]
fn stale_answers_are_dropped() {
    let mut app = app();
    let old = open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "9");
    let effects = update(&mut app, Msg::Debounce);
    let new = generation_of(searches(&effects)[0]);
    assert!(new > old);
    // The first search's page, count and refusal arrive late: nothing changes.
    for stale in [
        DataMsg::Page {
            generation: old,
            rows: Vec::new(),
            at_start: true,
            at_end: true,
            direction: crate::store::search::Direction::Forward,
        },
        DataMsg::Count {
            generation: old,
            count: 50_000,
        },
        DataMsg::FilterRefused {
            generation: old,
            field: FilterField::Comune,
            message: "nessun comune".into(),
        },
    ] {
        assert!(update(&mut app, Msg::Data(stale)).is_empty());
    }
    let s = search(&app);
    assert!(s.loading, "the stale page was not taken");
    assert_eq!(s.count, None, "the stale count was not taken");
    assert_eq!(s.invalid, None, "the stale refusal marks nothing");
    assert_eq!(app.message, None);
    // The current ones are.
    update(
        &mut app,
        Msg::Data(DataMsg::Count {
            generation: new,
            count: 1,
        }),
    );
    update(
        &mut app,
        Msg::Data(DataMsg::Page {
            generation: new,
            rows: Vec::new(),
            at_start: true,
            at_end: true,
            direction: crate::store::search::Direction::Forward,
        }),
    );
    let s = search(&app);
    assert!(!s.loading);
    assert_eq!(s.count, Some(1));
}

#[test]
fn paste_goes_into_the_field_as_text_and_never_acts() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    // Codice fabbricato, a text field (ID alloggio takes digits only).
    key(&mut app, KeyCode::Tab);
    // "q" is Esci, ESC [ 2 1 ~ is what F10 sends, Ctrl-C would quit: pasted, they are text.
    for paste in ["q", "\x1b[21~", "\x03", "?"] {
        let effects = update(&mut app, Msg::Paste(paste.into()));
        assert!(!app.quit, "{paste:?}");
        assert!(
            effects.iter().all(|e| *e == Effect::Debounce),
            "{paste:?}: {effects:?}"
        );
        assert!(matches!(app.screen(), Screen::Search(_)) && !app.help_open);
    }
    assert_eq!(search(&app).fields[1].value(), "q[21~?");
    // Into the middle, at the cursor; a line break becomes a space, with a word why.
    key(&mut app, KeyCode::Home);
    update(&mut app, Msg::Paste("ab\ncd\n".into()));
    assert_eq!(search(&app).fields[1].value(), "ab cdq[21~?");
    assert!(matches!(app.message, Some(Message::Info(_))));
    // Cut to the field's length, said on the message line.
    update(&mut app, Msg::Paste("0123456789".repeat(10)));
    assert_eq!(search(&app).fields[1].value().chars().count(), 80);
    assert!(matches!(app.message, Some(Message::Warning(_))));
    // A number field takes the digits of a paste, and says it left the rest.
    key(&mut app, KeyCode::BackTab);
    update(&mut app, Msg::Paste("12ab3".into()));
    assert_eq!(search(&app).fields[0].value(), "123");
    assert!(matches!(app.message, Some(Message::Warning(_))));
    // With no field focused a paste does nothing at all but say so.
    key(&mut app, KeyCode::Esc);
    assert!(!app.screen().in_text());
    let before = search(&app).fields[1].value().to_string();
    let effects = update(&mut app, Msg::Paste("q".into()));
    assert!(effects.is_empty() && !app.quit);
    assert!(matches!(app.screen(), Screen::Search(_)));
    assert_eq!(search(&app).fields[1].value(), before);
    assert!(matches!(app.message, Some(Message::Warning(_))));
}

#[test]
fn a_field_keeps_its_editing_keys_before_the_keymap() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "1234");
    // Home is "first row" in the keymap; in a field it goes to the start of the value.
    key(&mut app, KeyCode::Home);
    typed(&mut app, "9");
    assert_eq!(search(&app).fields[0].value(), "91234");
    assert!(app.screen().in_text(), "still in the field");
    ctrl(&mut app, 'e');
    ctrl(&mut app, 'w');
    assert_eq!(search(&app).fields[0].value(), "");
}

fn communication_row() -> screens::communications::CommunicationRow {
    use crate::domain::communication::CommunicationState;
    use crate::domain::plan::PlanState;
    use crate::domain::registry::OwnerKind;
    let date = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let rules = crate::rules::for_plan(2027).unwrap();
    let plan = crate::store::plans::Plan {
        id: 1,
        district_id: 1,
        district_code: "BG-SERIATE".into(),
        district_name: "Seriate".into(),
        year: 2027,
        revision: 1,
        supersedes: None,
        window_start: date("2026-09-01"),
        window_end: date("2099-12-31"),
        state: PlanState::Open,
        rule_set: rules.cite.clone(),
        opened_at: None,
        created_at: String::new(),
        created_by: String::new(),
        version: 1,
    };
    screens::communications::CommunicationRow {
        communication: crate::store::communications::Communication {
            id: 1,
            plan_id: 1,
            owner_id: 1,
            owner_name: "Comune di Seriate".into(),
            owner_kind: "COMUNE".into(),
            state: CommunicationState::ToFill,
            version: 1,
            updated_at: None,
            updated_by: None,
            draft: None,
            filing: None,
            last_certification: None,
            certified_for_plan: false,
        },
        plan,
        kind: OwnerKind::Municipality,
        rules,
        prefill: crate::store::communications::Prefill::default(),
    }
}

fn form(app: &App) -> &screens::communications::CommunicationForm {
    match app.screen() {
        Screen::Communications(c) => c.form.as_ref().expect("the form is open"),
        _ => panic!("not on the communications"),
    }
}

#[test]
fn a_refused_save_puts_the_cursor_on_the_first_bad_field() {
    let mut app = app();
    // Home → Comunicazione annuale → its rows → the form.
    let at = match app.screen() {
        Screen::Home(h) => h
            .items
            .iter()
            .position(|i| i.label == "Comunicazione annuale")
            .unwrap(),
        _ => unreachable!(),
    };
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Request(Request::Communications { generation })) = effects.first() else {
        panic!("{effects:?}");
    };
    update(
        &mut app,
        Msg::Data(DataMsg::Communications {
            generation: *generation,
            rows: vec![communication_row()],
        }),
    );
    key(&mut app, KeyCode::Enter);
    use crate::domain::communication::Field;
    let index = |f: Field| form(&app).fields.iter().position(|(k, _)| *k == f).unwrap();
    let (turnover, police) = (index(Field::Turnover), index(Field::Police));
    // Two bad values: a decimal in e (turn-over), 99% police further down.
    for _ in 0..turnover {
        key(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 'u');
    typed(&mut app, "1,5");
    for _ in turnover..police {
        key(&mut app, KeyCode::Tab);
    }
    typed(&mut app, "99");
    assert_eq!(form(&app).focus, police);
    // Transmit: refused before anything is sent, the cursor on the first bad field in form
    // order (not the last one typed), which is marked; what was typed stays.
    let effects = ctrl(&mut app, 't');
    assert!(effects.is_empty(), "nothing sent: {effects:?}");
    let f = form(&app);
    assert_eq!(f.focus, turnover);
    assert!(f.error(Field::Turnover).is_some());
    assert_eq!(f.fields[turnover].1.value(), "1,5");
    assert_eq!(f.fields[police].1.value(), "99");
    assert!(
        matches!(&app.message, Some(Message::Error(m)) if m.contains("(e)")),
        "{:?}",
        app.message
    );
    // Typing goes on in that field.
    ctrl(&mut app, 'u');
    typed(&mut app, "3");
    assert_eq!(form(&app).fields[turnover].1.value(), "3");
    // Fixed: the next refusal is the police share.
    ctrl(&mut app, 't');
    assert_eq!(form(&app).focus, police);
    assert!(form(&app).error(Field::Police).is_some());
    assert!(form(&app).error(Field::Turnover).is_none());
}

#[test]
fn a_refused_new_plan_puts_the_cursor_on_the_bad_field() {
    let mut app = App::new(
        Session {
            scope: OperatorScope {
                username: "capofila.bg-seriate".into(),
                role: Role::LeadMunicipality,
                status: OperatorStatus::Active,
                district_id: Some(1),
                grants: Vec::new(),
            },
            ..session(Vec::new())
        },
        Keymap::default_map(),
    );
    let at = match app.screen() {
        Screen::Home(h) => h
            .items
            .iter()
            .position(|i| i.label == "Piani annuali")
            .unwrap(),
        _ => unreachable!(),
    };
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    let effects = key(&mut app, KeyCode::Enter);
    let Some(Effect::Request(Request::Plans { generation })) = effects.first() else {
        panic!("{effects:?}");
    };
    update(
        &mut app,
        Msg::Data(DataMsg::Plans {
            generation: *generation,
            plans: Vec::new(),
            may_create: true,
            message: None,
        }),
    );
    key(&mut app, KeyCode::Char('i'));
    typed(&mut app, "2027");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "31/02/2026");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "30/09/2026");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(effects.is_empty(), "{effects:?}");
    let Screen::PlanList(l) = app.screen() else {
        panic!("not the plan list");
    };
    let d = l.new_plan.as_ref().expect("the dialog stays open");
    assert_eq!(d.focus, 1, "on Inizio");
    assert_eq!(d.fields[1].value(), "31/02/2026");
    assert!(matches!(&app.message, Some(Message::Error(m)) if m.starts_with("Inizio")));
}

#[test]
fn clearing_the_filters_keeps_the_cursor_in_the_filters() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "F205");
    ctrl(&mut app, 'n');
    let s = search(&app);
    assert_eq!(s.focus, screens::search::Focus::Field(1));
    assert_eq!(s.fields[1].value(), "");
    // Typing goes on in the filters.
    typed(&mut app, "X");
    assert_eq!(search(&app).fields[1].value(), "X");
}

#[test]
fn a_letter_is_not_typed_in_a_number_field_and_says_why() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "12q3");
    assert_eq!(search(&app).fields[0].value(), "123");
    assert!(!app.quit);
    assert!(
        matches!(&app.message, Some(Message::Warning(m)) if m.contains("'q'")),
        "{:?}",
        app.message
    );
}

#[test]
fn the_help_scrolls_with_the_movement_keys_and_closes_with_another() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::F(1));
    assert!(app.help_open);
    // As a frame drawn in a short terminal would find it.
    app.help_max_scroll.set(5);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::PageDown);
    assert!(app.help_open, "movement keys keep the help open");
    assert_eq!(app.help_scroll, 5, "stops at the last line");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.help_scroll, 4);
    key(&mut app, KeyCode::Home);
    assert_eq!(app.help_scroll, 0);
    key(&mut app, KeyCode::Char('x'));
    assert!(!app.help_open);
}

#[test]
fn messages_are_kept_for_the_help() {
    let mut app = app();
    open_search(&mut app);
    key(&mut app, KeyCode::Char('/'));
    for c in ["a", "b", "c"] {
        typed(&mut app, c);
    }
    // Each refused letter said why; the same message twice in a row is kept once.
    assert_eq!(app.history.len(), 3, "{:?}", app.history);
    for i in 0..20 {
        app.message = None;
        typed(&mut app, &char::from(b'd' + (i % 20) as u8).to_string());
    }
    assert_eq!(app.history.len(), MESSAGE_HISTORY);
    assert!(
        app.history.back().unwrap().text().contains("'w'"),
        "{:?}",
        app.history
    );
}

/// Over SSH the server's files are not the operator's: an export on the search is not written
/// on the server, and the message names the command that writes it on the operator's side.
#[test]
fn a_remote_session_exports_from_the_operators_shell() {
    let mut s = session(vec![(1, Service::Registry), (1, Service::Planning)]);
    s.remote = true;
    let mut remote = App::new(s, Keymap::default_map());
    open_search(&mut remote);
    let effects = key(&mut remote, KeyCode::F(8));
    assert!(effects.is_empty(), "{effects:?}");
    let text = match &remote.message {
        Some(Message::Warning(t)) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        text.contains("ssh casa@server units export") && text.contains("--out -"),
        "{text}"
    );
    // The same key locally does not send the operator to the shell.
    let mut app = super::tests::app();
    open_search(&mut app);
    key(&mut app, KeyCode::F(8));
    assert!(
        !matches!(&app.message, Some(Message::Warning(t)) if t.contains("ssh casa@server")),
        "{:?}",
        app.message
    );
}
