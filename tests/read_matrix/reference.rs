//! The reference lists every active operator reads, and the copy of the whole database, the
//! Regione's alone.

use super::*;

pub fn reads(f: &'static Fixture) -> Vec<Read> {
    let active = move |who: &str| f.when(f.role(who).active, Vec::new);
    let list = |args: &[&str]| Some((s(args), Box::new(|_: &Value| Vec::new()) as CliRows));
    vec![
        Read {
            name: "districts list",
            cli: list(&["districts", "list", "--format", "json"]),
            tui: None,
            want: Box::new(active),
        },
        Read {
            name: "owners list",
            cli: list(&["owners", "list", "--format", "json"]),
            tui: None,
            want: Box::new(active),
        },
        Read {
            name: "operators list",
            cli: list(&["operators", "list", "--format", "json"]),
            tui: None,
            want: Box::new(active),
        },
        Read {
            name: "rules list",
            cli: list(&["rules", "list", "--format", "json"]),
            tui: None,
            want: Box::new(active),
        },
        Read {
            name: "rules show",
            cli: list(&["rules", "show", "R.R. 3/2019", "--format", "json"]),
            tui: None,
            want: Box::new(active),
        },
        Read {
            name: "db backup (a copy holds every personal datum)",
            cli: Some((
                s(&[
                    "db",
                    "backup",
                    "--force",
                    &f.dir.path().join("copia.sqlite").to_string_lossy(),
                ]),
                Box::new(|_| Vec::new()),
            )),
            tui: None,
            want: Box::new(move |who| {
                let r = f.role(who);
                f.when(r.active && r.role == "REGIONE", Vec::new)
            }),
        },
    ]
}
