//! End to end in a pseudo-terminal: a text field of the real binary edits with Home, End,
//! Ctrl-U and the arrows, puts the terminal's cursor on the right column for accented and wide
//! characters, and takes a bracketed paste as text — a pasted "q" does not quit.

mod support;

use support::cli::Env;
use support::pty::{self, PtySession};

/// The Comune field of the search form at 80x24: fifth row of the screen, after " Comune ".
const COMUNE: (u16, u16) = (4, 8);

fn comune_line(s: &PtySession) -> String {
    s.screen()
        .lines()
        .nth(COMUNE.0 as usize)
        .unwrap_or_default()
        .to_string()
}

/// Waits until the Comune field shows `value` (then the fill) and the cursor is `at` columns
/// into it.
fn field_is(s: &PtySession, value: &str, at: u16) {
    let want = format!("Comune {value}_");
    s.wait_until(
        &format!("showing {want:?} with the cursor at {at}"),
        10,
        |s| comune_line(s).contains(&want) && s.cursor() == Some((COMUNE.0, COMUNE.1 + at)),
    );
}

#[test]
fn home_end_ctrl_u_and_bracketed_paste_in_a_real_terminal() {
    let demo = Env::demo(&["--units", "3000", "--applications", "0"]);
    let mut s = demo.tui("comune.015146", 80, 24);
    s.wait_for("Ricerca alloggi", 20);
    assert!(s.bracketed_paste(), "bracketed paste is on while casa runs");
    s.send(pty::ENTER);
    s.wait_for("alloggi ·", 20);
    assert_eq!(s.cursor(), None, "no cursor on the table");

    // Into the Comune field: the cursor shows at its start.
    s.send("/");
    for _ in 0..4 {
        s.send(pty::TAB);
    }
    field_is(&s, "", 0);

    // Home and End within the field.
    s.send("lano");
    field_is(&s, "lano", 4);
    s.send(pty::HOME);
    field_is(&s, "lano", 0);
    s.send("Mi");
    field_is(&s, "Milano", 2);
    s.send(pty::END);
    field_is(&s, "Milano", 6);

    // Ctrl-U deletes to the start; the cursor counts display columns: ù one, 漢 two.
    s.send(pty::CTRL_U);
    field_is(&s, "", 0);
    s.send("Cantù");
    field_is(&s, "Cantù", 5);
    s.send(pty::LEFT);
    field_is(&s, "Cantù", 4);
    s.send(pty::CTRL_U);
    field_is(&s, "ù", 0);
    s.send(pty::END);
    s.send(pty::CTRL_U);
    s.send("漢字");
    field_is(&s, "漢字", 4);

    // A paste is text: "q" (Esci) and an F10 sequence go into the field, nothing acts.
    s.send(pty::CTRL_U);
    s.paste("q\x1b[21~");
    field_is(&s, "q[21~", 5);
    assert!(
        s.child.try_wait().unwrap().is_none(),
        "casa is still running"
    );
    // A pasted line with its line break: the break is not Enter.
    s.send(pty::CTRL_U);
    s.paste("Bergamo\n");
    field_is(&s, "Bergamo", 7);
    assert!(s.screen().contains("Scrivere il filtro"), "{}", s.screen());

    // Off the field a paste does nothing but say so.
    s.send(pty::ESC);
    s.wait_until("back on the table", 10, |s| s.cursor().is_none());
    s.paste("q");
    s.wait_for("Testo incollato ignorato", 10);
    assert!(
        s.child.try_wait().unwrap().is_none(),
        "casa is still running"
    );

    // Leaving gives the terminal back without bracketed paste.
    s.send(pty::F3);
    s.send(pty::F3);
    assert!(s.wait_exit(10));
    assert!(s.left_alternate_screen());
    assert!(!s.bracketed_paste(), "bracketed paste is off again");
}
