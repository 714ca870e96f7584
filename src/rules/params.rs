//! Every parameter of a rule-set file as written — dotted key, value, verified flag, source —
//! read straight from its TOML, so that every place that counts or lists the unverified
//! values (`rules list`, `rules show`, `rules check`, the screens) counts the same ones.

use serde::Serialize;

/// One parameter: a table of the file with `value`, `source` and `verified`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Dotted key; conditions are named by their code (`isbar.conditions.ANZIANI.points`).
    pub key: String,
    pub value: String,
    pub verified: bool,
    pub source: String,
}

/// The parameters of a rule-set file's text, in file order of the tables (the TOML crate keeps
/// keys sorted inside a table). A text that is not TOML has none.
pub fn parameters(text: &str) -> Vec<Parameter> {
    let mut out = Vec::new();
    let Ok(doc) = text.parse::<toml::Table>() else {
        return out;
    };
    walk("", &toml::Value::Table(doc), &mut out);
    out
}

fn walk(prefix: &str, v: &toml::Value, out: &mut Vec<Parameter>) {
    match v {
        toml::Value::Table(t) if t.contains_key("value") && t.contains_key("verified") => {
            out.push(Parameter {
                key: prefix.to_string(),
                value: match &t["value"] {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                verified: t["verified"].as_bool().unwrap_or(false),
                source: t
                    .get("source")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&key, v, out);
            }
        }
        toml::Value::Array(items) => {
            for item in items {
                // Conditions: name them by their code.
                match item.get("code").and_then(|c| c.as_str()) {
                    Some(c) => walk(&format!("{prefix}.{c}"), item, out),
                    None => walk(prefix, item, out),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_with_value_and_verified_are_parameters() {
        let p = parameters(
            r#"
name = "x"
[a.b]
value = 3
source = "s"
verified = false
[[c]]
code = "K"
points = { value = 1.5, source = "t", verified = true }
"#,
        );
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].key.as_str(), p[0].value.as_str(), p[0].verified),
            ("a.b", "3", false)
        );
        assert_eq!((p[1].key.as_str(), p[1].verified), ("c.K.points", true));
        assert!(parameters("not toml [").is_empty());
    }
}
