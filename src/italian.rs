//! Every message an operator sees is Italian, including those that come from below casa: the
//! operating system ("Is a directory (os error 21)"), SQLite ("attempt to write a readonly
//! database", "disk I/O error"), the libraries that read and write files, and clap's usage
//! errors and help ("unexpected argument '-1' found", "invalid UTF-8 was detected").
//!
//! `render` turns an error chain into the one line the command line prints; `io_error`,
//! `clap_error` and `clap_help` translate one kind each. SQLite's codes are translated in
//! `store::errors` (only the store speaks SQLite). The English originals go to the log.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::error::Error as StdError;
use std::io;

/// Longest message printed: the rest is in the log.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// An operating-system error in Italian (without the English text or the errno name).
pub fn io_error(e: &io::Error) -> String {
    // Our own readers wrap their Italian refusals in io errors (bounded reading).
    if let Some(inner) = e.get_ref()
        && let Some(r) = inner.downcast_ref::<crate::bounded::Refused>()
    {
        return r.0.clone();
    }
    use io::ErrorKind as K;
    if let Some(code) = e.raw_os_error()
        && let Some(text) = errno(code)
    {
        return text.to_string();
    }
    match e.kind() {
        K::NotFound => "file o cartella inesistente".into(),
        K::PermissionDenied => "permesso negato".into(),
        K::AlreadyExists => "esiste già".into(),
        K::IsADirectory => "è una cartella".into(),
        K::NotADirectory => "un elemento del percorso non è una cartella".into(),
        K::DirectoryNotEmpty => "la cartella non è vuota".into(),
        K::StorageFull => "spazio su disco esaurito".into(),
        K::QuotaExceeded => "quota del disco superata".into(),
        K::ReadOnlyFilesystem => "file system in sola lettura".into(),
        K::FileTooLarge => "file troppo grande".into(),
        K::InvalidFilename => "nome di file non valido".into(),
        K::BrokenPipe => "la pipe o la connessione è stata chiusa dall'altro capo".into(),
        K::UnexpectedEof => "il file finisce prima del previsto".into(),
        K::Interrupted => "operazione interrotta".into(),
        K::TimedOut => "tempo scaduto".into(),
        K::OutOfMemory => "memoria esaurita".into(),
        K::ResourceBusy => "risorsa occupata".into(),
        K::CrossesDevices => "spostamento tra file system diversi non possibile".into(),
        K::InvalidData => "dati non validi".into(),
        K::InvalidInput => "parametro non valido".into(),
        K::Unsupported => "operazione non supportata".into(),
        K::WriteZero => "scrittura non riuscita".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("errore del sistema operativo (codice {code})"),
            None => "errore di lettura o scrittura".into(),
        },
    }
}

/// Linux error numbers with a clearer Italian wording than their kind.
fn errno(code: i32) -> Option<&'static str> {
    Some(match code {
        1 | 13 => "permesso negato",
        2 => "file o cartella inesistente",
        5 => "errore di input/output del disco",
        6 | 19 => "dispositivo inesistente",
        17 => "esiste già",
        20 => "un elemento del percorso non è una cartella",
        21 => "è una cartella",
        24 | 23 => "troppi file aperti",
        26 => "il file è un programma in esecuzione",
        27 => "file troppo grande",
        28 => "spazio su disco esaurito",
        30 => "file system in sola lettura",
        32 => "la pipe o la connessione è stata chiusa dall'altro capo",
        36 => "nome di file troppo lungo",
        39 => "la cartella non è vuota",
        40 => "troppi collegamenti simbolici",
        122 => "quota del disco superata",
        _ => return None,
    })
}

/// One error of a chain in Italian, when its type is known. `None`: show its own message
/// (casa's own errors are Italian already).
fn known(e: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(io) = e.downcast_ref::<io::Error>() {
        return Some(io_error(io));
    }
    if let Some(m) = crate::store::errors::sqlite_message(e) {
        return Some(m);
    }
    if let Some(c) = e.downcast_ref::<csv::Error>() {
        return Some(match c.kind() {
            csv::ErrorKind::Io(io) => io_error(io),
            csv::ErrorKind::Utf8 { .. } => "testo non in UTF-8".into(),
            csv::ErrorKind::UnequalLengths { .. } => "righe con numero di campi diverso".into(),
            _ => "file CSV non valido".into(),
        });
    }
    if let Some(x) = e.downcast_ref::<rust_xlsxwriter::XlsxError>() {
        return Some(match x {
            rust_xlsxwriter::XlsxError::IoError(io) => io_error(io),
            _ => "errore nella composizione del file Excel".into(),
        });
    }
    if let Some(z) = e.downcast_ref::<zip::result::ZipError>() {
        return Some(match z {
            zip::result::ZipError::Io(io) => io_error(io),
            _ => "archivio .xlsx non valido o danneggiato".into(),
        });
    }
    if e.downcast_ref::<calamine::XlsxError>().is_some() {
        return Some("file Excel non leggibile o danneggiato".into());
    }
    if e.downcast_ref::<serde_json::Error>().is_some() {
        return Some("errore nella scrittura del JSON".into());
    }
    if let Some(p) = e.downcast_ref::<std::num::ParseIntError>() {
        return Some(parse_int(p).into());
    }
    if e.downcast_ref::<std::num::ParseFloatError>().is_some() {
        return Some("non è un numero".into());
    }
    if e.downcast_ref::<std::str::Utf8Error>().is_some()
        || e.downcast_ref::<std::string::FromUtf8Error>().is_some()
    {
        return Some("testo non in UTF-8".into());
    }
    if e.downcast_ref::<chrono::ParseError>().is_some() {
        return Some("data o ora non valida".into());
    }
    None
}

fn parse_int(p: &std::num::ParseIntError) -> &'static str {
    use std::num::IntErrorKind as K;
    match p.kind() {
        K::Empty => "valore vuoto: indicare un numero",
        K::PosOverflow => "numero troppo grande",
        K::NegOverflow => "numero troppo piccolo",
        K::Zero => "non può essere zero",
        _ => "non è un numero intero",
    }
}

/// The whole chain of `e` as one Italian line ("context: cause"), cleaned of control
/// characters and capped in length.
pub fn render(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        match known(cause) {
            Some(m) => {
                parts.push(m);
                // A translated error stands for its own causes.
                break;
            }
            None => parts.push(cause.to_string()),
        }
    }
    parts.dedup();
    let text = parts.join(": ");
    let text = crate::safe_text::clean_message(&text).into_owned();
    if text.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}… (messaggio troncato, completo nel log)")
    } else {
        text
    }
}

fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    e.get(kind).map(|v| match v {
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    })
}

/// Words of clap's help and usage, and their Italian.
const HELP_WORDS: &[(&str, &str)] = &[
    ("Usage:", "Uso:"),
    ("Options:", "Opzioni:"),
    ("Commands:", "Comandi:"),
    ("Arguments:", "Argomenti:"),
    ("[OPTIONS]", "[OPZIONI]"),
    ("<COMMAND>", "<COMANDO>"),
    ("[COMMAND]", "[COMANDO]"),
    (
        "Print this message or the help of the given subcommand(s)",
        "Mostra questo aiuto o quello del sottocomando indicato",
    ),
    (
        "Print help (see more with '--help')",
        "Mostra l'aiuto (più dettagli con --help)",
    ),
    (
        "Print help (see a summary with '-h')",
        "Mostra l'aiuto (in breve con -h)",
    ),
    ("Print help", "Mostra l'aiuto"),
    ("Print version", "Mostra la versione"),
    ("[default:", "[predefinito:"),
    ("[possible values:", "[valori ammessi:"),
    ("[env:", "[variabile d'ambiente:"),
    ("[aliases:", "[alias:"),
];

/// clap's help (or usage) text with its headings and fixed phrases in Italian.
pub fn clap_help(text: &str) -> String {
    let mut out = text.to_string();
    for (en, it) in HELP_WORDS {
        out = replace_wrapped(&out, en, it);
    }
    out
}

/// `text` with `phrase` replaced by `with`, also where the help's line wrapping split the
/// phrase (a space of the phrase may be any run of blanks and line breaks in the text).
fn replace_wrapped(text: &str, phrase: &str, with: &str) -> String {
    let words: Vec<&str> = phrase.split(' ').collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'search: while let Some(i) = rest.find(words[0]) {
        let mut end = i + words[0].len();
        for w in &words[1..] {
            let after = &rest[end..];
            let blanks = after.len() - after.trim_start().len();
            if blanks == 0 || !after[blanks..].starts_with(w) {
                out.push_str(&rest[..i + words[0].len()]);
                rest = &rest[i + words[0].len()..];
                continue 'search;
            }
            end += blanks + w.len();
        }
        out.push_str(&rest[..i]);
        out.push_str(with);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A usage error of the command line in Italian: what is wrong, a suggestion when clap has
/// one, the usage line and where to find help.
pub fn clap_error(e: &clap::Error) -> String {
    let arg = context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(e, ContextKind::InvalidValue).unwrap_or_default();
    let q = |s: &str| format!("'{}'", crate::safe_text::excerpt(s));
    let mut msg = match e.kind() {
        ErrorKind::InvalidValue => {
            let mut m = if value.is_empty() {
                format!("manca il valore di {arg}")
            } else {
                format!("valore {} non valido per {arg}", q(&value))
            };
            if let Some(valid) = context(e, ContextKind::ValidValue) {
                m.push_str(&format!(" (valori ammessi: {valid})"));
            }
            m
        }
        ErrorKind::UnknownArgument => {
            let mut m = format!("argomento inatteso {}", q(&arg));
            if arg.starts_with('-') && arg[1..].starts_with(|c: char| c.is_ascii_digit()) {
                m.push_str(&format!(
                    "; per indicare {arg} come valore scrivere '-- {arg}'"
                ));
            }
            m
        }
        ErrorKind::InvalidSubcommand => {
            let sub = context(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("comando sconosciuto {}", q(&sub))
        }
        ErrorKind::NoEquals => format!("{arg} richiede '=' prima del valore"),
        ErrorKind::ValueValidation => {
            let reason = match e.source() {
                Some(s) => known(s).unwrap_or_else(|| s.to_string()),
                None => "valore non valido".into(),
            };
            format!("valore {} non valido per {arg}: {reason}", q(&value))
        }
        ErrorKind::TooManyValues => format!("troppi valori per {arg}: {}", q(&value)),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("numero di valori sbagliato per {arg}")
        }
        ErrorKind::ArgumentConflict => match context(e, ContextKind::PriorArg) {
            Some(prior) => format!("{arg} non può essere usato insieme a {prior}"),
            None => format!("{arg} non può essere usato più volte"),
        },
        ErrorKind::MissingRequiredArgument => {
            format!("mancano argomenti obbligatori: {arg}")
        }
        ErrorKind::MissingSubcommand => {
            let valid = context(e, ContextKind::ValidSubcommand).unwrap_or_default();
            format!("manca il sottocomando (uno di: {valid})")
        }
        ErrorKind::InvalidUtf8 => "un argomento contiene byte che non sono testo UTF-8".to_string(),
        _ => "riga di comando non valida".to_string(),
    };
    let suggested = context(e, ContextKind::SuggestedSubcommand)
        .or_else(|| context(e, ContextKind::SuggestedArg))
        .or_else(|| context(e, ContextKind::SuggestedValue))
        .or_else(|| context(e, ContextKind::SuggestedCommand));
    if let Some(s) = suggested.filter(|s| !s.is_empty()) {
        msg.push_str(&format!("; forse si intendeva '{s}'"));
    }
    let mut out = format!("errore: {msg}\n");
    if let Some(usage) = context(e, ContextKind::Usage) {
        out.push('\n');
        out.push_str(&clap_help(usage.trim()));
        out.push('\n');
    }
    out.push_str("\nPer l'aiuto: --help\n");
    crate::safe_text::clean_message(&out).into_owned()
}

thread_local! {
    /// Set while a panic is expected and caught (`contain`): the hook stays silent.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into `Err` (a library that panics on a damaged file), without the
/// panic's English message reaching the operator: the hook logs it only.
pub fn contain<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    CONTAINED.with(|c| c.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(false));
    r
}

/// Whether an error comes from writing to a pipe whose reader has gone (`casa … | head`):
/// not a failure of casa, which then stops quietly as other command-line tools do.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Whether a panic is `println!` failing on a closed pipe ("failed printing to stdout:
/// Broken pipe").
pub fn is_broken_pipe_panic(payload: &Box<dyn std::any::Any + Send>) -> bool {
    broken_pipe_text(payload.as_ref())
}

fn broken_pipe_text(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.contains("Broken pipe") || text.contains("os error 32")
}

/// Whether the running thread is inside `contain` (for other panic hooks: the fuzzers').
pub fn panic_is_contained() -> bool {
    CONTAINED.with(std::cell::Cell::get)
}

/// The command line's panic hook: the details go to the log; the operator reads one Italian
/// line saying where (Rust's default prints "thread 'main' panicked at …" in English). A
/// contained panic (`contain`) is only logged.
pub fn install_panic_hook(log: Option<std::path::PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{backtrace}");
        if CONTAINED.with(std::cell::Cell::get) || broken_pipe_text(info.payload()) {
            return;
        }
        let where_ = log
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(log non disponibile)".into());
        eprintln!("casa si è interrotto per un errore interno. Dettagli nel log: {where_}");
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_in_italian() {
        let e = io::Error::from_raw_os_error(21);
        assert_eq!(io_error(&e), "è una cartella");
        let e = io::Error::from_raw_os_error(28);
        assert_eq!(io_error(&e), "spazio su disco esaurito");
        let e = io::Error::new(io::ErrorKind::InvalidData, "English");
        assert_eq!(io_error(&e), "dati non validi");
        let a = anyhow::Error::new(io::Error::from_raw_os_error(13)).context("scrittura di x");
        assert_eq!(render(&a), "scrittura di x: permesso negato");
    }

    #[test]
    fn help_phrases_even_when_wrapped() {
        let help = "Usage: casa\n  --format <F>  Output [possible\n                values: table, csv] [default: table]\n  -h  Print help (see more\n      with '--help')";
        let it = clap_help(help);
        assert!(it.starts_with("Uso: casa"), "{it}");
        assert!(it.contains("[valori ammessi: table, csv]"), "{it}");
        assert!(it.contains("[predefinito: table]"), "{it}");
        assert!(
            it.contains("Mostra l'aiuto (più dettagli con --help)"),
            "{it}"
        );
    }

    #[test]
    fn rendered_messages_are_clean_and_short() {
        let a = anyhow::anyhow!("titolo \u{1b}]0;PWNED\u{7}{}", "x".repeat(10_000));
        let r = render(&a);
        assert!(!r.contains('\u{1b}'));
        assert!(r.chars().count() < MAX_MESSAGE_CHARS + 60);
    }
}
