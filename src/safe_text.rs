//! Text from data or from users, made safe to print on a terminal and short enough to quote.
//!
//! A notice title or a surname may carry terminal escape sequences (`\e]0;…\a` retitles the
//! window, `\e[2J` clears the screen, `\e[31m` paints what follows); printed raw by a command,
//! the terminal obeys them. The full-screen interface never prints raw text (ratatui drops
//! control characters); every command-line table and message goes through `clean` here, which
//! shows such characters as visible escapes instead. Input that will be stored (names,
//! titles) is refused when it holds them (`check_printable`).
//!
//! Messages that quote what the user gave (a cell, a header, a file name) quote at most an
//! `excerpt`, so a 1 MB header makes a one-line refusal, not a 1 MB one.

use std::borrow::Cow;

/// Characters an excerpt keeps before cutting.
pub const EXCERPT_CHARS: usize = 40;

/// Whether `c` changes what a terminal shows rather than being shown: the C0 and C1 controls,
/// DEL, and the bidirectional overrides and isolates that reorder text on screen.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The visible form of an unsafe character: the Unicode control picture for C0 and DEL
/// (`␛` for ESC), `\u{…}` for the others.
fn escape_into(out: &mut String, c: char) {
    match c {
        '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\u{7F}' => out.push('\u{2421}'),
        _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

fn clean_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One value (a table cell, a name): every unsafe character escaped, line breaks included.
pub fn clean(s: &str) -> Cow<'_, str> {
    clean_with(s, |_| false)
}

/// A message of several lines: line breaks and tabs kept, every other unsafe character escaped.
pub fn clean_message(s: &str) -> Cow<'_, str> {
    clean_with(s, |c| c == '\n' || c == '\t')
}

/// At most `max` characters of `s`, cleaned, on one line; a cut value ends with "…" and says
/// how long it was.
pub fn excerpt_of(s: &str, max: usize) -> String {
    let total = s.chars().count();
    let head: String = s.chars().take(max).collect();
    let mut out = clean(&head).into_owned();
    if total > max {
        out.push('…');
        out.push_str(&format!(" ({} caratteri)", thousands(total as u64)));
    }
    out
}

/// `excerpt_of` with the usual length.
pub fn excerpt(s: &str) -> String {
    excerpt_of(s, EXCERPT_CHARS)
}

/// The start of bytes that may not be text (the head of a longer input, whose length is not
/// known): at most `EXCERPT_CHARS` characters of their UTF-8 reading, "…" when cut.
pub fn excerpt_bytes(b: &[u8]) -> String {
    // Only the head is decoded: the rest may be megabytes.
    let head = &b[..b.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let kept: String = text.chars().take(EXCERPT_CHARS).collect();
    let mut out = clean(&kept).into_owned();
    if kept.len() < b.len() {
        out.push('…');
    }
    out
}

/// Refuses text with unsafe characters, for values that will be stored and shown to others
/// (names, titles). The reason is Italian and names no value: the caller names the field.
pub fn check_printable(s: &str) -> Result<(), String> {
    match s.chars().find(|&c| is_unsafe(c)) {
        None => Ok(()),
        Some(c) => {
            let mut shown = String::new();
            escape_into(&mut shown, c);
            Err(format!(
                "contiene un carattere di controllo ({shown}): sono ammessi solo caratteri stampabili"
            ))
        }
    }
}

/// Thousands separated by dots, the Italian way.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(clean("Rossi"), "Rossi");
        assert!(matches!(clean("Rossi"), Cow::Borrowed(_)));
        let title = "Avviso\u{1b}]0;PWNED\u{7}\u{1b}[2J";
        let shown = clean(title);
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert_eq!(shown, "Avviso␛]0;PWNED␇␛[2J");
        assert_eq!(clean("a\u{9b}31m"), "a\\u{9b}31m");
        assert_eq!(clean("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(clean("a\nb\rc\u{7f}"), "a␊b␍c␡");
        assert_eq!(clean_message("a\nb\tc\u{1b}"), "a\nb\tc␛");
    }

    #[test]
    fn excerpts_are_short_and_say_how_long() {
        assert_eq!(excerpt("breve"), "breve");
        let long = "x".repeat(1_000_000);
        let e = excerpt(&long);
        assert!(e.chars().count() < 70, "{e}");
        assert!(e.ends_with("… (1.000.000 caratteri)"), "{e}");
        assert_eq!(excerpt("\u{0}\u{0}"), "␀␀");
        let b = vec![0u8; 5_000];
        assert!(excerpt_bytes(&b).chars().count() < 70);
    }

    #[test]
    fn printable_check() {
        assert!(check_printable("Via Roma, 1 — località «Ca' Bianca»").is_ok());
        let e = check_printable("Rossi\u{1b}[31m").unwrap_err();
        assert!(e.contains("␛"), "{e}");
        assert!(check_printable("a\tb").is_err());
    }
}
