//! Actions and the keys bound to them. The keymap is a TOML file (`keymaps/default.toml`
//! embedded; a user's `keymap.toml` in the config directory overrides single actions); the key
//! legend and the help screen are generated from the same table, so rebinding a key changes both.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

macro_rules! actions {
    ($($variant:ident = $name:literal, $label:literal;)+) => {
        /// Everything a key can ask for. Screens say which ones they offer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// Name in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),+ }
            }

            /// Short Italian label for legend and help.
            pub fn label(self) -> &'static str {
                match self { $(Action::$variant => $label),+ }
            }

            /// The action a keymap file names; the names of earlier releases still work.
            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)+
                    "comm_file" => Some(Action::CommunicationFile),
                    "comm_draft" => Some(Action::CommunicationDraft),
                    "comm_prefill" => Some(Action::CommunicationPrefill),
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Help = "help", "Aiuto";
    Exit = "exit", "Esci";
    ListOfValues = "list_of_values", "Elenco valori";
    Refresh = "refresh", "Aggiorna";
    Back = "back", "Indietro";
    Up = "up", "Su";
    Down = "down", "Giù";
    PageUp = "page_up", "Pagina su";
    PageDown = "page_down", "Pagina giù";
    First = "first", "Inizio";
    Last = "last", "Fine";
    Select = "select", "Apri";
    NextField = "next_field", "Campo succ.";
    PrevField = "prev_field", "Campo prec.";
    Filter = "filter", "Filtri";
    ClearFilters = "clear_filters", "Azzera filtri";
    Sort = "sort", "Ordina";
    Export = "export", "Esporta";
    Mark = "mark", "Marca per piano";
    Reveal = "reveal", "Mostra dati";
    Certify = "certify", "Certifica";
    DeclareNoUnits = "declare_no_units", "Nessuna unità";
    Toggle = "toggle", "Seleziona";
    PlanOpen = "plan_open", "Apri finestra";
    PlanClose = "plan_close", "Chiudi finestra";
    PlanApprove = "plan_approve", "Approva";
    PlanCancel = "plan_cancel", "Annulla piano";
    PlanReopen = "plan_reopen", "Riapri";
    PlanReport = "plan_report", "Report";
    PlanNew = "plan_new", "Nuovo piano";
    CommunicationFile = "communication_file", "Trasmetti";
    CommunicationDraft = "communication_draft", "Salva bozza";
    CommunicationPrefill = "communication_prefill", "Dal registro";
    WhatIf = "what_if", "Simula regole";
    OccupationNew = "occupation_new", "Nuova occupazione";
    OccupationSave = "occupation_save", "Salva";
    OccupationClose = "occupation_close", "Chiudi occupazione";
    AssignmentPropose = "assignment_propose", "Proponi";
    NoticeNew = "notice_new", "Nuovo avviso";
    NoticeClose = "notice_close", "Chiudi avviso";
    ApplicationsImport = "applications_import", "Importa domande";
    RankingsCompute = "rankings_compute", "Calcola";
    RankingsCorrect = "rankings_correct", "Rettifica";
    RankingsFinalize = "rankings_finalize", "Rendi definitive";
    UnitEdit = "unit_edit", "Modifica";
    PlanDates = "plan_dates", "Modifica date";
    ItemNew = "item_new", "Nuovo";
    ItemEdit = "item_edit", "Modifica";
    ItemRemove = "item_remove", "Rimuovi";
    Capofila = "capofila", "Capofila";
    RequestValidate = "request_validate", "Valida";
    RequestReject = "request_reject", "Respingi";
    AuditVerify = "audit_verify", "Verifica catena";
}

/// One key with modifiers, as written in keymap files: `F1`, `q`, `?`, `ctrl-r`, `esc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut code = ev.code;
        // Shift is implied by the character itself ('?' vs '/'); BackTab is its own code.
        if let KeyCode::Char(c) = code
            && ev.modifiers.contains(KeyModifiers::CONTROL)
        {
            code = KeyCode::Char(c.to_ascii_lowercase());
        }
        Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// A plain printable character (no ctrl/alt): what a text field takes as input.
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let raw = s.trim();
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = raw;
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = match lower.as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                let n: u8 = f[1..].parse().map_err(|_| {
                    format!("tasto non valido: '{}'", crate::safe_text::excerpt(raw))
                })?;
                if !(1..=12).contains(&n) {
                    return Err(format!(
                        "tasto funzione non valido: '{}' (F1–F12)",
                        crate::safe_text::excerpt(raw)
                    ));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => {
                        KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                    }
                    _ => {
                        return Err(format!(
                            "tasto non valido: '{}'",
                            crate::safe_text::excerpt(raw)
                        ));
                    }
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Enter => f.write_str("Invio"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgSu"),
            KeyCode::PageDown => f.write_str("PgGiù"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("Fine"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Canc"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Char(' ') => f.write_str("Spazio"),
            KeyCode::Char(c) => write!(f, "{c}"),
            _ => f.write_str("?"),
        }
    }
}

/// A keymap problem, with the file and line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, riga {}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for KeymapError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Keys of each action, in the file's order (the first is shown in the legend).
    bindings: BTreeMap<Action, Vec<Key>>,
}

pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");
pub const VIM_KEYMAP: &str = include_str!("../../keymaps/vim.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    preset: Option<toml::Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<toml::Spanned<String>, toml::Spanned<Vec<toml::Spanned<String>>>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Keymap {
    /// The built-in default keymap.
    pub fn default_map() -> Keymap {
        Keymap::parse(DEFAULT_KEYMAP, "keymaps/default.toml", None)
            .unwrap_or_else(|e| panic!("built-in keymap is invalid: {e}"))
    }

    /// Parses a keymap file. Actions it names replace the base's keys; `preset = "vim"` starts
    /// from the vim preset instead of the default.
    pub fn parse(text: &str, file: &str, base: Option<&Keymap>) -> Result<Keymap, KeymapError> {
        let err = |offset: usize, reason: String| KeymapError {
            file: file.to_string(),
            line: line_of(text, offset),
            reason,
        };
        let parsed: KeymapFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            err(offset, crate::rules::toml_reason(&e))
        })?;
        let mut map = match (&parsed.preset, base) {
            (Some(p), _) => match p.get_ref().as_str() {
                "default" => Keymap::default_map(),
                "vim" => {
                    Keymap::parse(VIM_KEYMAP, "keymaps/vim.toml", Some(&Keymap::default_map()))
                        .unwrap_or_else(|e| panic!("built-in vim keymap is invalid: {e}"))
                }
                other => {
                    return Err(err(
                        p.span().start,
                        format!("preset sconosciuto '{other}' (ammessi: default, vim)"),
                    ));
                }
            },
            (None, Some(b)) => b.clone(),
            (None, None) => Keymap {
                bindings: BTreeMap::new(),
            },
        };
        for (name, keys) in &parsed.keys {
            let action = Action::from_name(name.get_ref()).ok_or_else(|| {
                err(
                    name.span().start,
                    format!(
                        "azione sconosciuta '{}' (ammesse: {})",
                        name.get_ref(),
                        Action::ALL
                            .iter()
                            .map(|a| a.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            let mut parsed_keys = Vec::new();
            for k in keys.get_ref() {
                parsed_keys.push(Key::parse(k.get_ref()).map_err(|r| err(k.span().start, r))?);
            }
            if parsed_keys.is_empty() {
                return Err(err(
                    keys.span().start,
                    format!("l'azione '{}' non ha tasti", action.name()),
                ));
            }
            map.bindings.insert(action, parsed_keys);
        }
        // Every action must keep a key, and no key may mean two things.
        for a in Action::ALL {
            if !map.bindings.contains_key(a) {
                return Err(err(
                    0,
                    format!("manca il tasto per l'azione '{}'", a.name()),
                ));
            }
        }
        let mut seen: BTreeMap<String, Action> = BTreeMap::new();
        for (a, keys) in &map.bindings {
            for k in keys {
                if let Some(other) = seen.insert(format!("{k:?}"), *a)
                    && other != *a
                {
                    let offset = parsed
                        .keys
                        .keys()
                        .find(|n| n.get_ref() == a.name() || n.get_ref() == other.name())
                        .map(|n| n.span().start)
                        .unwrap_or(0);
                    return Err(err(
                        offset,
                        format!(
                            "il tasto {k} è assegnato sia a '{}' sia a '{}'",
                            other.name(),
                            a.name()
                        ),
                    ));
                }
            }
        }
        Ok(map)
    }

    /// Loads the user's keymap file when it exists, else the default.
    pub fn load(path: &Path) -> Result<Keymap, KeymapError> {
        if let Err(e) = std::fs::metadata(path)
            && e.kind() == std::io::ErrorKind::NotFound
        {
            return Ok(Keymap::default_map());
        }
        // Bounded: a keymap is a couple of KB; /dev/zero or a huge file is refused unread.
        match crate::bounded::read_text(
            path,
            crate::bounded::limits::CONFIG_BYTES,
            "file della mappa dei tasti",
        ) {
            Ok(text) => Keymap::parse(
                &text,
                &path.display().to_string(),
                Some(&Keymap::default_map()),
            ),
            Err(e) => Err(KeymapError {
                file: path.display().to_string(),
                line: 0,
                reason: format!("file non leggibile: {e}"),
            }),
        }
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.bindings.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The action a key asks for, among those offered. With `in_text` (a text field has focus)
    /// printable keys are never actions: they are typed.
    pub fn action_for(&self, key: &Key, offered: &[Action], in_text: bool) -> Option<Action> {
        if in_text && key.is_text() {
            return None;
        }
        offered
            .iter()
            .copied()
            .find(|a| self.keys(*a).contains(key))
    }

    /// The keys that still act while a text field has the focus: printable characters are
    /// typed there, and the field keeps its editing keys.
    pub fn typing(&self) -> Keymap {
        let acts = |k: &&Key| !k.is_text() && !crate::app::field::is_editing_key(k);
        Keymap {
            bindings: self
                .bindings
                .iter()
                .map(|(a, keys)| (*a, keys.iter().filter(acts).copied().collect()))
                .collect(),
        }
    }

    /// The key named for an action in texts: its first, as in the legend (e.g. `F7`).
    pub fn key(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| "?".into(), Key::to_string)
    }

    /// The first key that is not a function key (it works on every terminal), else the first:
    /// what texts about fields and dialogs name (e.g. `Esc`, `/`).
    pub fn plain(&self, action: Action) -> String {
        let keys = self.keys(action);
        keys.iter()
            .find(|k| !matches!(k.code, KeyCode::F(_)))
            .or(keys.first())
            .map_or_else(|| "?".into(), Key::to_string)
    }

    /// The first key and the plain one, `F2 o /` (or `/ o F2` with `plain_first`); one name
    /// when they are the same key.
    pub fn either(&self, action: Action, plain_first: bool) -> String {
        let (key, plain) = (self.key(action), self.plain(action));
        match (key == plain, plain_first) {
            (true, _) => key,
            (false, false) => format!("{key} o {plain}"),
            (false, true) => format!("{plain} o {key}"),
        }
    }

    /// Two actions' keys together, e.g. Up and Down: `↑↓` for symbols, `k/j` for letters.
    pub fn pair(&self, a: Action, b: Action) -> String {
        let (a, b) = (self.key(a), self.key(b));
        let symbol = |s: &str| s.chars().count() == 1 && !s.chars().all(char::is_alphanumeric);
        if symbol(&a) && symbol(&b) {
            format!("{a}{b}")
        } else {
            format!("{a}/{b}")
        }
    }

    /// Legend text for an action: its keys joined, e.g. `F3/q`.
    pub fn describe(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_vim_keymaps_are_complete() {
        let d = Keymap::default_map();
        for a in Action::ALL {
            assert!(!d.keys(*a).is_empty(), "{a:?}");
        }
        assert_eq!(d.keys(Action::Help)[0], Key::parse("F1").unwrap());
        // Every F-key action has a plain-key alias.
        for a in Action::ALL {
            let keys = d.keys(*a);
            if keys.iter().any(|k| matches!(k.code, KeyCode::F(_))) {
                assert!(
                    keys.iter().any(|k| !matches!(k.code, KeyCode::F(_))),
                    "{a:?} has no alias"
                );
            }
        }
        let v = Keymap::parse("preset = \"vim\"\n", "x.toml", None).unwrap();
        assert!(v.keys(Action::Down).contains(&Key::parse("j").unwrap()));
    }

    #[test]
    fn shipped_keymaps_leave_the_field_editing_keys_to_fields() {
        let vim = Keymap::parse("preset = \"vim\"\n", "x.toml", None).unwrap();
        for map in [Keymap::default_map(), vim] {
            for a in Action::ALL {
                for k in map.keys(*a) {
                    // Home/End move to the first/last row outside fields; in one they edit.
                    let table_move = matches!(a, Action::First | Action::Last);
                    assert!(
                        !crate::app::field::is_editing_key(k) || table_move,
                        "{a:?} is bound to {k}, which a focused field keeps"
                    );
                }
            }
        }
    }

    #[test]
    fn user_file_overrides_one_action() {
        let m = Keymap::parse(
            "[keys]\nexit = [\"ctrl-x\", \"F3\"]\n",
            "k.toml",
            Some(&Keymap::default_map()),
        )
        .unwrap();
        assert_eq!(m.describe(Action::Exit), "Ctrl-x/F3");
        assert_eq!(
            m.describe(Action::Help),
            Keymap::default_map().describe(Action::Help)
        );
    }

    #[test]
    fn errors_name_file_line_and_reason() {
        let base = Keymap::default_map();
        let e = Keymap::parse(
            "[keys]\nhelp = [\"F1\"]\nfly = [\"x\"]\n",
            "k.toml",
            Some(&base),
        )
        .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("k.toml", 3));
        assert!(e.reason.contains("azione sconosciuta 'fly'"), "{e}");
        let e = Keymap::parse("[keys]\n\nhelp = [\"F13\"]\n", "k.toml", Some(&base)).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("F1–F12"), "{e}");
        let e = Keymap::parse("[keys]\nhelp = [\"F1\"\n", "k.toml", Some(&base)).unwrap_err();
        assert!(e.line >= 2, "{e}");
        let e = Keymap::parse("[keys]\nhelp = [\"F3\"]\n", "k.toml", Some(&base)).unwrap_err();
        assert!(e.reason.contains("assegnato sia"), "{e}");
        let e = Keymap::parse("colours = 1\n", "k.toml", Some(&base)).unwrap_err();
        assert_eq!(e.line, 1);
        let e = Keymap::parse("preset = \"emacs\"\n", "k.toml", None).unwrap_err();
        assert!(e.reason.contains("preset sconosciuto"), "{e}");
    }

    #[test]
    fn letters_in_text_fields_are_never_actions() {
        let m = Keymap::default_map();
        let q = Key::parse("q").unwrap();
        assert_eq!(m.action_for(&q, &[Action::Exit], false), Some(Action::Exit));
        assert_eq!(m.action_for(&q, &[Action::Exit], true), None);
        let f3 = Key::parse("F3").unwrap();
        assert_eq!(m.action_for(&f3, &[Action::Exit], true), Some(Action::Exit));
        // Not offered by the screen: no action.
        assert_eq!(m.action_for(&f3, &[Action::Help], false), None);
    }

    #[test]
    fn earlier_action_names_still_load() {
        let m = Keymap::parse(
            "[keys]\ncomm_file = [\"alt-y\"]\n",
            "k.toml",
            Some(&Keymap::default_map()),
        )
        .unwrap();
        assert_eq!(m.describe(Action::CommunicationFile), "Alt-y");
    }

    #[test]
    fn key_names_for_texts() {
        let d = Keymap::default_map();
        assert_eq!(d.key(Action::Sort), "F7");
        assert_eq!(d.plain(Action::Back), "Esc");
        assert_eq!(d.plain(Action::Select), "Invio");
        assert_eq!(d.either(Action::Filter, false), "F2 o /");
        assert_eq!(d.either(Action::Filter, true), "/ o F2");
        assert_eq!(d.pair(Action::Up, Action::Down), "↑↓");
        let v = Keymap::parse("preset = \"vim\"\n", "x.toml", None).unwrap();
        assert_eq!(v.pair(Action::Up, Action::Down), "k/j");
        assert_eq!(v.key(Action::PageDown), "Ctrl-f");
        // In a field k and j are typed: the arrows are the keys that move.
        assert_eq!(v.typing().pair(Action::Up, Action::Down), "↑↓");
        assert!(d.typing().keys(Action::Exit) == [Key::parse("F3").unwrap()]);
        assert!(
            d.typing().keys(Action::First).is_empty(),
            "Home edits the field"
        );
    }

    #[test]
    fn key_parsing() {
        assert_eq!(
            Key::parse("Ctrl-R").unwrap(),
            Key {
                code: KeyCode::Char('r'),
                ctrl: true,
                alt: false
            }
        );
        assert!(Key::parse("").is_err());
        assert!(Key::parse("ab").is_err());
        assert_eq!(Key::parse("?").unwrap().to_string(), "?");
        assert_eq!(Key::parse("pagedown").unwrap().to_string(), "PgGiù");
    }
}
