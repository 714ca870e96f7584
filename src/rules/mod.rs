//! Rule sets: the dated parameters of the law, as TOML files in `rules/` (one per legal act),
//! embedded in the binary. Pure parsing and selection: no SQL, no terminal.
//!
//! A file holds the limits of the communication form (DOMAIN.md 3.1) and, for the acts that
//! govern rankings, every ranking parameter of DOMAIN.md 5 (`ranking.rs`). A file without the
//! ranking sections (R.R. 4/2017 before its 2019 amendment, whose values we do not have) serves
//! plans only; a notice refuses it.
//!
//! Keys added after a file was first written (e.g. `published`, `[plan]`,
//! `communication.category_reserves_all_owners`, the R.R. 2/2025 residence rule) are optional:
//! a stored rule set never changes, and without the key it computes what it computed when it
//! was stored. The shipped files carry every key.

pub mod params;
pub mod plan;
pub mod quotas;
pub mod ranking;

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
        "rules/rr-3-2019.toml",
        include_str!("../../rules/rr-3-2019.toml"),
    ),
    (
        "rules/rr-6-2021.toml",
        include_str!("../../rules/rr-6-2021.toml"),
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
    /// Publication in the regional bulletin (BURL).
    #[serde(default)]
    published: Option<Sourced<toml::value::Datetime>>,
    effective_from: Sourced<toml::value::Datetime>,
    #[serde(default)]
    plan: Option<plan::RawPlan>,
    communication: CommunicationRules,
    #[serde(default)]
    access: Option<ranking::RawAccess>,
    #[serde(default)]
    preferences: Option<ranking::RawPreferences>,
    #[serde(default)]
    isbar: Option<ranking::RawIsbar>,
    #[serde(default)]
    ranking: Option<ranking::RawRanking>,
    #[serde(default)]
    quotas: Option<quotas::RawQuotas>,
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
    /// Whether every owner (not only a Comune) sets the category reserves (c-bis); absent:
    /// Comuni only.
    #[serde(default)]
    pub category_reserves_all_owners: Option<Sourced<bool>>,
}

impl CommunicationRules {
    pub fn reserves_include_police(&self) -> bool {
        self.reserves_total_includes_police
            .as_ref()
            .is_some_and(|s| s.value)
    }

    /// Whether every owner may fill the category reserves (c-bis).
    pub fn category_reserves_all_owners(&self) -> bool {
        self.category_reserves_all_owners
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
    /// Day of publication in the BURL, with its source; `None` in files that predate the key.
    pub published: Option<Sourced<NaiveDate>>,
    /// The day the act takes effect: the day after publication unless the act says otherwise
    /// (our reading, flagged where no text confirms it).
    pub effective_from: NaiveDate,
    pub effective_from_source: Sourced<String>,
    /// The plan's deadlines; `None` in files that predate the section.
    pub plan: Option<plan::PlanDeadlines>,
    pub communication: CommunicationRules,
    /// The ranking parameters; `None` for a file that serves plans only.
    pub ranking: Option<ranking::RankingRules>,
    /// The file's text as read: what the database stores, so a rule set never changes.
    pub text: String,
    /// Every parameter of the file (the source of every unverified count).
    pub parameters: Vec<params::Parameter>,
}

impl RuleSet {
    /// How many parameters of the file are not verified: the one count every listing shows.
    pub fn unverified_count(&self) -> usize {
        self.parameters.iter().filter(|p| !p.verified).count()
    }

    /// The ranking parameters, or why this rule set cannot rank.
    pub fn ranking(&self) -> Result<&ranking::RankingRules, RuleError> {
        self.ranking.as_ref().ok_or_else(|| {
            RuleError(format!(
                "l'insieme di regole {} ({}) non contiene i parametri delle graduatorie",
                self.cite, self.file
            ))
        })
    }
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

/// A TOML or structure error of a configuration file (rule set, keymap, theme) in Italian: the
/// toml crate and serde word their messages in English.
pub fn toml_reason(e: &toml::de::Error) -> String {
    let m = e.message().trim();
    let rest = |prefix: &str| m.strip_prefix(prefix).map(str::trim);
    let expected = |s: &str| {
        serde_words(
            &s.replace(", expected one of ", "; ammessi: ")
                .replace(", expected ", "; atteso: "),
        )
    };
    if let Some(r) = rest("unknown field") {
        format!("chiave sconosciuta {}", expected(r))
    } else if let Some(r) = rest("missing field") {
        format!("manca la chiave {r}")
    } else if let Some(r) = rest("duplicate field").or_else(|| rest("duplicate key")) {
        format!("chiave ripetuta {r}")
    } else if let Some(r) = rest("unknown variant") {
        format!("valore sconosciuto {}", expected(r))
    } else if let Some(r) = rest("invalid type:") {
        format!("tipo di valore non valido: {}", expected(r))
    } else if let Some(r) = rest("invalid value:") {
        format!("valore non valido: {}", expected(r))
    } else if let Some(r) = rest("invalid length") {
        format!("numero di elementi non valido {}", expected(r))
    } else {
        // The parser's own words are English: the line (given by the caller) says where.
        tracing::debug!("TOML: {m}");
        "sintassi TOML non valida (controllare virgolette, parentesi e '=' della riga)".into()
    }
}

/// serde's names of kinds of values, in Italian (longest first: "a string" before "string").
fn serde_words(s: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("a string", "un testo"),
        ("a boolean", "vero o falso"),
        ("an integer", "un numero intero"),
        ("a float", "un numero decimale"),
        ("a sequence", "un elenco"),
        ("an array", "un elenco"),
        ("a map", "una tabella"),
        ("a table", "una tabella"),
        ("a datetime", "una data"),
        ("a character", "un carattere"),
        ("floating point", "numero decimale"),
        ("unit value", "valore vuoto"),
        ("newtype struct", "valore"),
        ("struct", "tabella"),
        ("string", "testo"),
        ("boolean", "vero/falso"),
        ("integer", "numero intero"),
        ("float", "numero decimale"),
        ("sequence", "elenco"),
        ("array", "elenco"),
        ("datetime", "data"),
        ("map", "tabella"),
        ("table", "tabella"),
        ("character", "carattere"),
        ("elements in sequence", "elementi nell'elenco"),
        ("elements", "elementi"),
        ("element", "elemento"),
        ("value", "valore"),
        ("variant", "valore"),
        ("field", "chiave"),
        ("option", "valore facoltativo"),
    ];
    // Quoted parts are the file's own text: kept as they are.
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let mut p = part.to_string();
        for (en, it) in WORDS {
            p = replace_word(&p, en, it);
        }
        out.push_str(&p);
    }
    out
}

/// `text` with `word` replaced where it stands as a word.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before_ok = rest[..i]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = rest[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { with } else { word });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The first string of `v` (at any depth) with a character a terminal would obey: its key
/// and the reason.
fn unprintable(v: &toml::Value, key: &str) -> Option<(String, String)> {
    match v {
        // Line breaks and tabs of a long text are harmless; the other controls are not.
        toml::Value::String(s)
            if s.chars()
                .any(|c| c != '\n' && c != '\t' && crate::safe_text::is_unsafe(c)) =>
        {
            let kept: String = s.chars().filter(|c| *c != '\n' && *c != '\t').collect();
            crate::safe_text::check_printable(&kept)
                .err()
                .map(|r| (key.rsplit('.').next().unwrap_or(key).to_string(), r))
        }
        toml::Value::String(_) => None,
        toml::Value::Array(items) => items.iter().find_map(|i| unprintable(i, key)),
        toml::Value::Table(t) => t.iter().find_map(|(k, i)| {
            crate::safe_text::check_printable(k)
                .err()
                .map(|r| (k.clone(), r))
                .or_else(|| unprintable(i, &format!("{key}.{k}")))
        }),
        _ => None,
    }
}

/// 1-based line of the first line that defines `key` (or the table `[..key]`), else the first
/// line that contains it, for messages.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&format!("{key} ")) || t.starts_with(&format!("{key}=")) || {
                t.starts_with('[') && t.trim_end().trim_end_matches(']').ends_with(key)
            }
        })
        .or_else(|| text.lines().position(|l| l.contains(key)))
        .map_or(1, |i| i + 1)
}

/// Parses and checks one rule-set file.
pub fn parse(file: &str, text: &str) -> Result<RuleSet, RuleError> {
    let raw: RuleSetFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let reason = toml_reason(&e);
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
    let date_of = |key: &str, d: &toml::value::Datetime| {
        match (d.date, d.time) {
            (Some(date), None) => {
                NaiveDate::from_ymd_opt(i32::from(date.year), date.month.into(), date.day.into())
            }
            _ => None,
        }
        .ok_or_else(|| err(key, "indicare una data senza ora (AAAA-MM-GG)".into()))
    };
    let effective_from = date_of("effective_from", &raw.effective_from.value)?;
    let published = match &raw.published {
        Some(p) => {
            let on = date_of("published", &p.value)?;
            if on > effective_from {
                return Err(err(
                    "published",
                    format!(
                        "pubblicato il {} ma in vigore dal {}: l'entrata in vigore non precede la pubblicazione",
                        on.format("%d/%m/%Y"),
                        effective_from.format("%d/%m/%Y")
                    ),
                ));
            }
            Some(Sourced {
                value: on,
                source: p.source.clone(),
                verified: p.verified,
            })
        }
        None => None,
    };
    let plan = raw
        .plan
        .as_ref()
        .map(plan::convert)
        .transpose()
        .map_err(|(key, reason)| err(&key, reason))?;
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
    let ranking = match (
        raw.access,
        raw.preferences,
        raw.isbar,
        raw.ranking,
        raw.quotas,
    ) {
        (None, None, None, None, None) => None,
        (Some(access), Some(preferences), Some(isbar), Some(ranking), Some(quotas)) => Some(
            ranking::convert(ranking::RawRankingRules {
                access,
                preferences,
                isbar,
                ranking,
                quotas,
            })
            .map_err(|(key, reason)| err(&key, reason))?,
        ),
        (a, p, i, r, q) => {
            let missing: Vec<&str> = [
                ("access", a.is_none()),
                ("preferences", p.is_none()),
                ("isbar", i.is_none()),
                ("ranking", r.is_none()),
                ("quotas", q.is_none()),
            ]
            .into_iter()
            .filter(|(_, m)| *m)
            .map(|(n, _)| n)
            .collect();
            return Err(RuleError(format!(
                "{file}: parametri delle graduatorie incompleti, mancano le sezioni [{}]",
                missing.join("], [")
            )));
        }
    };
    // Every text of a rule set is shown somewhere (lists, explanations, rankings): control
    // characters, written raw or as TOML escapes ("\u001b[2J"), are refused wherever they are.
    if let Ok(value) = text.parse::<toml::Table>()
        && let Some((key, reason)) = unprintable(&toml::Value::Table(value), "")
    {
        return Err(err(&key, format!("il testo {reason}")));
    }
    // Shown in lists and on every ranking: printable text only, of a sensible length.
    for (key, value) in [("name", &raw.name), ("cite", &raw.cite)] {
        if value.chars().count() > 200 {
            return Err(err(
                key,
                "testo troppo lungo (al massimo 200 caratteri)".into(),
            ));
        }
        if let Err(reason) = crate::safe_text::check_printable(value) {
            return Err(err(key, format!("il testo {reason}")));
        }
    }
    Ok(RuleSet {
        parameters: params::parameters(text),
        text: text.to_string(),
        published,
        plan,
        ranking,
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

/// `parse`, remembered by text: a stored rule set never changes, and the assignments read the
/// year's rules on every proposal (parsing costs about a millisecond). At most 64 texts are
/// kept; a refused text is not.
pub fn parse_cached(file: &str, text: &str) -> Result<std::sync::Arc<RuleSet>, RuleError> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<RuleSet>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(set) = cache.lock().ok().and_then(|c| c.get(text).cloned()) {
        return Ok(set);
    }
    let set = Arc::new(parse(file, text)?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= 64 {
            c.clear();
        }
        c.insert(text.to_string(), set.clone());
    }
    Ok(set)
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
        let cites: Vec<&str> = sets.iter().map(|s| s.cite.as_str()).collect();
        assert_eq!(
            cites,
            ["R.R. 4/2017", "R.R. 3/2019", "R.R. 6/2021", "R.R. 2/2025"]
        );
        assert!(
            sets.windows(2)
                .all(|w| w[0].effective_from < w[1].effective_from)
        );
        assert!(sets[0].ranking().is_err(), "4/2017 serves plans only");
        assert!(sets[1..].iter().all(|s| s.ranking().is_ok()));
        assert_eq!(sets[1].ranking().unwrap().max_preferences, 5);
        assert_eq!(sets[2].ranking().unwrap().max_preferences, 2);
        assert_eq!(sets[3].ranking().unwrap().residence_cap, 1200);
        assert!(sets[3].ranking().unwrap().fragility_only);
        assert_eq!(sets[0].communication.police_share_max_pct.value, 10.0);
        assert_eq!(sets[3].communication.police_share_max_pct.value, 20.0);
        assert!(sets[0].communication.reserves_total_max_pct.is_none());
        assert_eq!(
            sets[3]
                .communication
                .reserves_total_max_pct
                .as_ref()
                .map(|s| s.value),
            Some(20.0)
        );
    }

    #[test]
    fn plan_years_choose_by_first_of_january() {
        assert_eq!(for_plan(2025).unwrap().cite, "R.R. 6/2021");
        assert_eq!(for_plan(2026).unwrap().cite, "R.R. 2/2025");
        assert_eq!(for_plan(2022).unwrap().cite, "R.R. 6/2021");
        assert_eq!(for_plan(2020).unwrap().cite, "R.R. 3/2019");
        assert_eq!(for_plan(2018).unwrap().cite, "R.R. 4/2017");
        assert!(for_plan(2017).is_err());
    }

    /// DOMAIN.md 6: BURL publication R.R. 3/2019 on 12/03/2019, R.R. 6/2021 on 08/10/2021,
    /// R.R. 2/2025 on 10/03/2025; in force the day after (our reading). A notice takes the
    /// rule set in force on its opening day.
    #[test]
    fn notices_take_the_act_in_force_on_the_opening_day() {
        let sets = builtin().unwrap();
        let on = |d: &str| in_force_on(sets, d.parse().unwrap()).unwrap();
        assert_eq!(on("2021-09-01").cite, "R.R. 3/2019");
        assert_eq!(on("2021-09-01").ranking().unwrap().max_preferences, 5);
        assert_eq!(
            on("2021-10-08").cite,
            "R.R. 3/2019",
            "published, not yet in force"
        );
        assert_eq!(on("2021-10-09").cite, "R.R. 6/2021");
        assert_eq!(on("2025-03-10").cite, "R.R. 6/2021");
        assert_eq!(on("2025-03-11").cite, "R.R. 2/2025");
        assert_eq!(on("2025-05-31").cite, "R.R. 2/2025");
        assert_eq!(on("2019-03-13").cite, "R.R. 3/2019");
        assert_eq!(on("2019-03-12").cite, "R.R. 4/2017");
    }

    /// The `verified` flag and the source of a dotted parameter in a shipped file.
    fn flag(cite: &str, key: &str) -> (bool, String) {
        let set = builtin().unwrap().iter().find(|s| s.cite == cite).unwrap();
        let doc: toml::Table = set.text.parse().unwrap();
        let mut v = &toml::Value::Table(doc);
        for part in key.split('.') {
            v = v.get(part).unwrap_or_else(|| panic!("{cite}: no {key}"));
        }
        (
            v["verified"].as_bool().unwrap(),
            v["source"].as_str().unwrap().to_string(),
        )
    }

    /// Issue 12 item 6: unverified where no source confirms the value, each with the reason;
    /// verified where the acts confirm it, with the citation.
    #[test]
    fn verified_flags_follow_the_sources() {
        for (cite, key, why) in [
            ("R.R. 2/2025", "ranking.tie_break", "R.R. 2/2025"),
            (
                "R.R. 2/2025",
                "access.adequate_dwelling_m2",
                "art. 7 c.1 lett. d",
            ),
            ("R.R. 3/2019", "isbar.residence.region_bands", "10 anni"),
            ("R.R. 4/2017", "communication.police_share_max_pct", "7-bis"),
            ("R.R. 3/2019", "access.pse_scale", "minori"),
            ("R.R. 6/2021", "access.pse_scale", "minori"),
            ("R.R. 2/2025", "access.pse_scale", "minori"),
        ] {
            let (verified, source) = flag(cite, key);
            assert!(!verified, "{cite} {key} must be unverified");
            assert!(source.contains(why), "{cite} {key}: reason? {source}");
        }
        for (cite, key, citation) in [
            ("R.R. 6/2021", "isbar.residence.region_bands", "R.R. 6/2021"),
            ("R.R. 6/2021", "isbar.residence.cap_points", "R.R. 6/2021"),
            (
                "R.R. 2/2025",
                "communication.reserves_total_includes_police",
                "d-bis",
            ),
        ] {
            let (verified, source) = flag(cite, key);
            assert!(verified, "{cite} {key} is confirmed by the sources");
            assert!(source.contains(citation), "{cite} {key}: {source}");
        }
    }

    /// Issue 12 item 7: primary sources (article and comma), not issue numbers.
    #[test]
    fn sources_cite_articles_not_issues() {
        for set in builtin().unwrap() {
            assert!(
                !set.text.to_lowercase().contains("issue"),
                "{}: cites an issue",
                set.file
            );
        }
        for cite in ["R.R. 3/2019", "R.R. 6/2021", "R.R. 2/2025"] {
            let (_, source) = flag(cite, "ranking.notice_min_days");
            assert!(source.contains("art. 8 c.2"), "{source}");
        }
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
    fn terminal_escapes_in_any_text_are_refused() {
        let last = BUILTIN.last().unwrap().1;
        let line = last.lines().find(|l| l.starts_with("name = ")).unwrap();
        for name in ["Avviso\\u001b]0;PWNED\\u0007", "R.R.\\u009b2J"] {
            let text = last.replacen(line, &format!("name = \"{name}\""), 1);
            let e = parse("z.toml", &text).unwrap_err().to_string();
            assert!(e.contains("carattere di controllo"), "{e}");
            assert!(!e.contains('\u{1b}'), "{e}");
        }
    }

    #[test]
    fn missing_value_and_bad_percentage_are_refused() {
        let last = BUILTIN.last().unwrap().1;
        let text = last.replace(
            "verified = true\n\n[communication.reserves",
            "\n[communication.reserves",
        );
        let e = parse("y.toml", &text).unwrap_err().to_string();
        assert!(e.contains("verified"), "{e}");
        let text = last.replacen("value = 20\n", "value = 120\n", 1);
        let e = parse("y.toml", &text).unwrap_err().to_string();
        assert!(
            e.contains("police_share_max_pct") && e.contains("0-100"),
            "{e}"
        );
        let text = last.replacen("value = 20\n", "value = 12.345\n", 1);
        assert!(parse("y.toml", &text).is_err());
    }

    /// The line a message names, and that line's text.
    fn line_named<'a>(e: &str, text: &'a str) -> &'a str {
        let n: usize = e
            .split("riga ")
            .nth(1)
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no line in {e}"));
        text.lines().nth(n - 1).unwrap()
    }

    #[test]
    fn overlapping_bands_are_refused_naming_the_line() {
        let last = BUILTIN.last().unwrap().1;
        let text = last.replacen(
            "{ from_years = 5, to_years = 10, points = 3.00 }",
            "{ from_years = 5, to_years = 11, points = 3.00 }",
            1,
        );
        let e = parse("z.toml", &text).unwrap_err().to_string();
        assert!(e.contains("sovrapposte"), "{e}");
        assert_eq!(line_named(&e, &text), "[isbar.residence.region_bands]");
        let text = last.replacen(
            "{ members_from = 3, members_to = 4, m2 = 60 }",
            "{ members_from = 2, members_to = 4, m2 = 60 }",
            1,
        );
        let e = parse("z.toml", &text).unwrap_err().to_string();
        assert!(e.contains("sovrapposte"), "{e}");
        assert_eq!(line_named(&e, &text), "[access.adequate_dwelling_m2]");
    }

    #[test]
    fn bad_dates_unknown_keys_and_missing_sections_are_refused() {
        let last = BUILTIN.last().unwrap().1;
        let text = last.replacen("value = 2025-03-11", "value = 2025-13-01", 1);
        let e = parse("d.toml", &text).unwrap_err().to_string();
        assert!(e.starts_with("d.toml, riga "), "{e}");
        let text = last.replacen("[quotas.indigent_pct]", "[quotas.indigent_pcx]", 1);
        let e = parse("d.toml", &text).unwrap_err().to_string();
        assert!(e.contains("indigent_pcx"), "{e}");
        assert_eq!(line_named(&e, &text), "[quotas.indigent_pcx]");
        let cut = last.find("# ---------------------------------------------------------------------------------------------\n# Quotas").unwrap();
        let e = parse("d.toml", &last[..cut]).unwrap_err().to_string();
        assert!(e.contains("mancano le sezioni [quotas]"), "{e}");
        let text = last.replacen("code = \"MONOGENITORE\"", "code = \"ANZIANI\"", 1);
        let e = parse("d.toml", &text).unwrap_err().to_string();
        assert!(e.contains("ripetuto"), "{e}");
        let text = last.replacen(
            "\"anni_residenza_comune\", ",
            "\"anni_residenza_comune\", \"anni_residenza_comune\", ",
            1,
        );
        let e = parse("d.toml", &text).unwrap_err().to_string();
        assert!(e.contains("ripetuto"), "{e}");
        let text = last.replacen("value = 16000.00", "value = 16000.001", 1);
        let e = parse("d.toml", &text).unwrap_err().to_string();
        assert!(e.contains("due decimali"), "{e}");
    }
}
