//! `src/domain` holds pure rules: it must not depend on the terminal or on SQL.

#[test]
fn domain_imports_no_terminal_or_sql_crate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
    let mut checked = 0;
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Code lines only: comments may name the crates to explain the rule.
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for banned in ["ratatui", "crossterm", "rusqlite"] {
                assert!(
                    !code.contains(banned),
                    "{} mentions {banned}: domain code must stay pure",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "no domain files found");
}
