//! Rule sets: the dated parameters of the law, as TOML files in `rules/` (one per legal act),
//! embedded in the binary. Pure parsing and selection: no SQL, no terminal.
//!
//! This first slice holds the limits of the communication form (DOMAIN.md 3.1); the ranking
//! parameters of DOMAIN.md 5 come as further sections of the same files (issue 5).

use chrono::NaiveDate;
use serde::Deserialize;
use std::sync::OnceLock;

/// The rule-set files shipped with casa: (file name, text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/rr-4-2017.toml",
        include_str!("../../rules/rr-4-2017.toml"),
    ),
    (
        "rules/rr-2-2025.toml",
        include_str!("../../rules/rr-2-2025.toml"),
    ),
];

/// A value of the law with where it comes from and whether DOMAIN.md marks it confirmed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced<T> {
    pub value: T,
    pub source: String,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSetFile {
    name: String,
    cite: String,
    acts: Vec<String>,
    effective_from: Sourced<toml::value::Datetime>,
    communication: CommunicationRules,
}

/// Limits of the communication form (SCHEMA COMUNICAZIONE ANNUALE). Percentages are in percent
/// (20 means 20%), with at most two decimals.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicationRules {
    /// Police share (d-bis) maximum.
    pub police_share_max_pct: Sourced<f64>,
    /// Category reserves together maximum; absent means no combined limit.
    #[serde(default)]
    pub reserves_total_max_pct: Option<Sourced<f64>>,
    /// Whether the police share counts in the combined reserves limit.
    #[serde(default)]
    pub reserves_total_includes_police: Option<Sourced<bool>>,
    /// Share of the available units that goes to indigents by law (the "20%").
    pub indigent_base_pct: Sourced<f64>,
    /// The base share plus the Comune's excess for indigents may not pass this.
    pub indigent_total_max_pct: Sourced<f64>,
    /// Decimals allowed in a percentage typed in the form.
    pub pct_max_decimals: Sourced<u8>,
}

impl CommunicationRules {
    pub fn reserves_include_police(&self) -> bool {
        self.reserves_total_includes_police
            .as_ref()
            .is_some_and(|s| s.value)
    }
}

/// A parsed rule set.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// File it came from, for messages.
    pub file: String,
    pub name: String,
    /// Short citation used in messages, e.g. "R.R. 2/2025".
    pub cite: String,
    pub acts: Vec<String>,
    pub effective_from: NaiveDate,
    pub effective_from_source: Sourced<String>,
    pub communication: CommunicationRules,
}

/// A rule-set file that cannot be used; `Display` names the file, the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleError {}

/// 1-based line of the first line that defines `key` (or the table `[..key]`), for messages.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&format!("{key} ")) || t.starts_with(&format!("{key}=")) || {
                t.starts_with('[') && t.trim_end().trim_end_matches(']').ends_with(key)
            }
        })
        .map_or(1, |i| i + 1)
}

/// Parses and checks one rule-set file.
pub fn parse(file: &str, text: &str) -> Result<RuleSet, RuleError> {
    let raw: RuleSetFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let reason = e.message().to_string();
        match line {
            Some(l) => RuleError(format!("{file}, riga {l}: {reason}")),
            None => RuleError(format!("{file}: {reason}")),
        }
    })?;
    let err = |key: &str, reason: String| {
        RuleError(format!(
            "{file}, riga {}: {key}: {reason}",
            line_of(text, key)
        ))
    };
    let d = &raw.effective_from.value;
    let effective_from = match (d.date, d.time) {
        (Some(date), None) => {
            NaiveDate::from_ymd_opt(i32::from(date.year), date.month.into(), date.day.into())
        }
        _ => None,
    }
    .ok_or_else(|| {
        err(
            "effective_from",
            "indicare una data senza ora (AAAA-MM-GG)".into(),
        )
    })?;
    let c = &raw.communication;
    let decimals = c.pct_max_decimals.value;
    if decimals > 4 {
        return Err(err(
            "communication.pct_max_decimals",
            format!("{decimals} decimali: al più 4"),
        ));
    }
    let pcts = [
        ("police_share_max_pct", Some(&c.police_share_max_pct)),
        ("reserves_total_max_pct", c.reserves_total_max_pct.as_ref()),
        ("indigent_base_pct", Some(&c.indigent_base_pct)),
        ("indigent_total_max_pct", Some(&c.indigent_total_max_pct)),
    ];
    for (key, v) in pcts {
        if let Some(v) = v
            && !(0.0..=100.0).contains(&v.value)
        {
            return Err(err(key, format!("{} non è una percentuale 0-100", v.value)));
        }
        if let Some(v) = v
            && ((v.value * 100.0).round() - v.value * 100.0).abs() > 1e-9
        {
            return Err(err(key, format!("{}: al più due decimali", v.value)));
        }
    }
    if c.indigent_base_pct.value > c.indigent_total_max_pct.value {
        return Err(err(
            "indigent_base_pct",
            "supera indigent_total_max_pct".into(),
        ));
    }
    Ok(RuleSet {
        file: file.to_string(),
        name: raw.name,
        cite: raw.cite,
        acts: raw.acts,
        effective_from,
        effective_from_source: Sourced {
            value: effective_from.to_string(),
            source: raw.effective_from.source,
            verified: raw.effective_from.verified,
        },
        communication: raw.communication,
    })
}

/// The rule sets shipped with casa, oldest first.
pub fn builtin() -> Result<&'static [RuleSet], RuleError> {
    static SETS: OnceLock<Result<Vec<RuleSet>, RuleError>> = OnceLock::new();
    SETS.get_or_init(|| {
        let mut sets = BUILTIN
            .iter()
            .map(|(file, text)| parse(file, text))
            .collect::<Result<Vec<_>, _>>()?;
        sets.sort_by_key(|s| s.effective_from);
        Ok(sets)
    })
    .as_ref()
    .map(Vec::as_slice)
    .map_err(Clone::clone)
}

/// The rule set in force on `date`: the newest whose effective date is not after it.
pub fn in_force_on(sets: &[RuleSet], date: NaiveDate) -> Option<&RuleSet> {
    sets.iter()
        .filter(|s| s.effective_from <= date)
        .max_by_key(|s| s.effective_from)
}

/// The rule set a plan for `year` uses: the one in force on 1 January of the reference year.
/// A plan is prepared in the autumn of the year before and governs the assignments of its
/// year; taking a fixed day of that year means a plan's rules never change while it runs, and
/// a regulation that takes effect during a year applies from the next year's plan.
pub fn for_plan_year(sets: &[RuleSet], year: i32) -> Result<&RuleSet, RuleError> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| RuleError(format!("anno {year} non valido")))?;
    in_force_on(sets, jan1).ok_or_else(|| {
        RuleError(format!(
            "nessun insieme di regole in vigore il 1° gennaio {year} (il più vecchio decorre dal {})",
            sets.first()
                .map(|s| s.effective_from.format("%d/%m/%Y").to_string())
                .unwrap_or_default()
        ))
    })
}

/// `for_plan_year` on the built-in rule sets.
pub fn for_plan(year: i32) -> Result<&'static RuleSet, RuleError> {
    let sets = builtin()?;
    for_plan_year(sets, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse_and_are_ordered() {
        let sets = builtin().unwrap();
        assert_eq!(sets.len(), 2);
        assert!(sets[0].effective_from < sets[1].effective_from);
        assert_eq!(sets[0].cite, "R.R. 4/2017");
        assert_eq!(sets[1].cite, "R.R. 2/2025");
        assert_eq!(sets[0].communication.police_share_max_pct.value, 10.0);
        assert_eq!(sets[1].communication.police_share_max_pct.value, 20.0);
        assert!(sets[0].communication.reserves_total_max_pct.is_none());
        assert_eq!(
            sets[1]
                .communication
                .reserves_total_max_pct
                .as_ref()
                .map(|s| s.value),
            Some(20.0)
        );
    }

    #[test]
    fn plan_years_choose_by_first_of_january() {
        assert_eq!(for_plan(2025).unwrap().cite, "R.R. 4/2017");
        assert_eq!(for_plan(2026).unwrap().cite, "R.R. 2/2025");
        assert_eq!(for_plan(2018).unwrap().cite, "R.R. 4/2017");
        assert!(for_plan(2017).is_err());
    }

    #[test]
    fn unknown_key_is_reported_with_file_and_line() {
        let text = BUILTIN[0].1.replace("cite = ", "typo = 1\ncite = ");
        let e = parse("x.toml", &text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml, riga "), "{e}");
        assert!(e.contains("typo"), "{e}");
        let line: usize = e["x.toml, riga ".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(text.lines().nth(line - 1).unwrap(), "typo = 1");
    }

    #[test]
    fn missing_value_and_bad_percentage_are_refused() {
        let text = BUILTIN[1].1.replace(
            "verified = true\n\n[communication.reserves",
            "\n[communication.reserves",
        );
        let e = parse("y.toml", &text).unwrap_err().to_string();
        assert!(e.contains("verified"), "{e}");
        let text = BUILTIN[1].1.replacen("value = 20\n", "value = 120\n", 1);
        let e = parse("y.toml", &text).unwrap_err().to_string();
        assert!(
            e.contains("police_share_max_pct") && e.contains("0-100"),
            "{e}"
        );
        let text = BUILTIN[1].1.replacen("value = 20\n", "value = 12.345\n", 1);
        assert!(parse("y.toml", &text).is_err());
    }
}
