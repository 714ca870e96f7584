//! Themes: TOML files naming a style per role. `default` uses only the 16 ANSI colours;
//! `mono` only bold/reverse/underline and is chosen when NO_COLOR is set.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");
pub const MONO_THEME: &str = include_str!("../../themes/mono.toml");

macro_rules! roles {
    ($($field:ident),+ $(,)?) => {
        /// The style of every role a screen may use.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(pub $field: Style,)+
        }

        const ROLE_NAMES: &[&str] = &[$(stringify!($field)),+];

        fn build(name: String, mut roles: BTreeMap<String, Style>) -> Theme {
            Theme { name, $($field: roles.remove(stringify!($field)).unwrap_or_default(),)+ }
        }
    };
}

roles!(
    title,
    instruction,
    body,
    border,
    header,
    selected,
    key,
    legend,
    info,
    error,
    warning,
    label,
    field,
    focus,
    invalid,
    muted,
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleSpec {
    fg: Option<toml::Spanned<String>>,
    bg: Option<toml::Spanned<String>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    reverse: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    roles: BTreeMap<toml::Spanned<String>, RoleSpec>,
}

/// A theme problem, with file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, riga {}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for ThemeError {}

fn colour(name: &str) -> Option<Color> {
    Some(match name.to_ascii_lowercase().replace('-', "_").as_str() {
        "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark_gray" | "dark_grey" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return None,
    })
}

impl Theme {
    pub fn parse(text: &str, file: &str) -> Result<Theme, ThemeError> {
        let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let parsed: ThemeFile = toml::from_str(text).map_err(|e| ThemeError {
            file: file.into(),
            line: line(e.span().map(|s| s.start).unwrap_or(0)),
            reason: crate::rules::toml_reason(&e),
        })?;
        let mut roles = BTreeMap::new();
        for (role, spec) in parsed.roles {
            if !ROLE_NAMES.contains(&role.get_ref().as_str()) {
                return Err(ThemeError {
                    file: file.into(),
                    line: line(role.span().start),
                    reason: format!(
                        "ruolo sconosciuto '{}' (ammessi: {})",
                        role.get_ref(),
                        ROLE_NAMES.join(", ")
                    ),
                });
            }
            let mut style = Style::default();
            for (spanned, is_fg) in [(&spec.fg, true), (&spec.bg, false)] {
                if let Some(c) = spanned {
                    let col = colour(c.get_ref()).ok_or_else(|| ThemeError {
                        file: file.into(),
                        line: line(c.span().start),
                        reason: format!(
                            "colore sconosciuto '{}' (usare i 16 colori ANSI: black, red, green, yellow, blue, magenta, cyan, gray, dark_gray, light_red, …, white)",
                            c.get_ref()
                        ),
                    })?;
                    style = if is_fg { style.fg(col) } else { style.bg(col) };
                }
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.reverse, Modifier::REVERSED),
                (spec.underline, Modifier::UNDERLINED),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            roles.insert(role.into_inner(), style);
        }
        Ok(build(
            parsed.name.unwrap_or_else(|| file.to_string()),
            roles,
        ))
    }

    pub fn default_theme() -> Theme {
        Theme::parse(DEFAULT_THEME, "themes/default.toml")
            .unwrap_or_else(|e| panic!("built-in theme is invalid: {e}"))
    }

    pub fn mono() -> Theme {
        Theme::parse(MONO_THEME, "themes/mono.toml")
            .unwrap_or_else(|e| panic!("built-in theme is invalid: {e}"))
    }

    /// Chooses the theme: NO_COLOR wins; else `name` (a built-in, or `NAME.toml` in the
    /// configuration directory's `themes/`), else the default.
    pub fn select(
        name: Option<&str>,
        no_color: bool,
        config_dir: &Path,
    ) -> Result<Theme, ThemeError> {
        if no_color {
            return Ok(Theme::mono());
        }
        match name {
            None | Some("default") => Ok(Theme::default_theme()),
            Some("mono") => Ok(Theme::mono()),
            Some(other) => {
                let path = config_dir.join("themes").join(format!("{other}.toml"));
                let text = crate::bounded::read_text(
                    &path,
                    crate::bounded::limits::CONFIG_BYTES,
                    "file del tema",
                )
                .map_err(|e| ThemeError {
                    file: path.display().to_string(),
                    line: 0,
                    reason: format!(
                        "tema '{}' non trovato o non leggibile: {e}",
                        crate::safe_text::excerpt(other)
                    ),
                })?;
                Theme::parse(&text, &path.display().to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_and_mono_has_no_colour() {
        let d = Theme::default_theme();
        assert!(d.title.bg.is_some());
        let m = Theme::mono();
        for s in [
            &m.title,
            &m.instruction,
            &m.body,
            &m.border,
            &m.header,
            &m.selected,
            &m.key,
            &m.legend,
            &m.info,
            &m.error,
            &m.warning,
            &m.label,
            &m.field,
            &m.focus,
            &m.invalid,
            &m.muted,
        ] {
            assert_eq!((s.fg, s.bg), (None, None));
        }
        assert!(m.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn bad_theme_errors_have_lines() {
        let e = Theme::parse("[roles]\ntitle = { fg = \"#ff0000\" }\n", "t.toml").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("colore sconosciuto"), "{e}");
        let e = Theme::parse("[roles]\n\ntitel = {}\n", "t.toml").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("ruolo sconosciuto"));
        let e = Theme::parse("[roles]\ntitle = { blink = true }\n", "t.toml").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn no_color_selects_mono() {
        let t = Theme::select(Some("default"), true, Path::new("/nonexistent")).unwrap();
        assert_eq!(t.name, "mono");
        assert!(Theme::select(Some("missing"), false, Path::new("/nonexistent")).is_err());
    }
}
