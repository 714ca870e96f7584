//! The assignment parameters of a rule set (DOMAIN.md 5; art. 13 c.3 and art. 15 r.r. 4/2017):
//! the indigent quota and its rounding, the category reserves of the plan and their rounding,
//! the police share, which applications belong to each reserve, the household's time to answer
//! an offer and what a refusal does. Parsed from `[quotas]`.
//!
//! Keys after the first three were added with the assignment module; a stored rule
//! set without them gets the values below, flagged as unverified defaults, since no assignment
//! was ever computed with it.

use super::Sourced;
use super::ranking::{KeyError, Unverified};
use serde::Deserialize;

/// How a quota is rounded to whole units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Per eccesso: any fraction counts as one more unit.
    Eccesso,
    /// Matematico: half up.
    MetaSuperiore,
    /// Per difetto.
    Difetto,
}

impl Rounding {
    /// `pct` (hundredths of a percent) of `units`, rounded this way. Saturating: a quota never
    /// exceeds what u64 holds, and percentages are at most 100.
    pub fn share(self, units: u64, pct_hundredths: u64) -> u64 {
        let num = units.saturating_mul(pct_hundredths);
        let den = 10_000;
        match self {
            Rounding::Eccesso => num.div_ceil(den),
            Rounding::MetaSuperiore => (num / den) + u64::from(num % den * 2 >= den),
            Rounding::Difetto => num / den,
        }
    }

    /// Italian name, for explanations.
    pub fn label(self) -> &'static str {
        match self {
            Rounding::Eccesso => "arrotondata per eccesso",
            Rounding::MetaSuperiore => "arrotondata all'unità superiore da 0,5",
            Rounding::Difetto => "arrotondata per difetto",
        }
    }
}

/// A reserve of the plan: the four social categories of letter c-bis, the police share of
/// letter d-bis and the Comune's other category of letter d.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Anziani,
    Monogenitori,
    Disabili,
    NuoveFamiglie,
    ForzePolizia,
    Altra,
}

impl Category {
    /// Plan order (the order of the communication form).
    pub const ALL: [Category; 6] = [
        Category::Anziani,
        Category::Monogenitori,
        Category::Disabili,
        Category::NuoveFamiglie,
        Category::ForzePolizia,
        Category::Altra,
    ];

    /// Short Italian label (ledger lines).
    pub fn label(self) -> &'static str {
        match self {
            Category::Anziani => "Anziani",
            Category::Monogenitori => "Famiglie monoparentali",
            Category::Disabili => "Disabili",
            Category::NuoveFamiglie => "Famiglie di nuova formazione",
            Category::ForzePolizia => "Forze di Polizia",
            Category::Altra => "Altra categoria",
        }
    }

    /// The code stored with an assignment (its ledger line).
    pub fn db(self) -> &'static str {
        match self {
            Category::Anziani => "ANZIANI",
            Category::Monogenitori => "MONOGENITORI",
            Category::Disabili => "DISABILI",
            Category::NuoveFamiglie => "NUOVE_FAMIGLIE",
            Category::ForzePolizia => "FORZE_POLIZIA",
            Category::Altra => "ALTRA",
        }
    }

    pub fn from_db(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.db() == s)
    }

    /// The plan letter that sets its share.
    pub fn letter(self) -> &'static str {
        match self {
            Category::ForzePolizia => "d-bis",
            Category::Altra => "d",
            _ => "c-bis",
        }
    }
}

/// Which applications belong to a reserve: those where one of `codes` scored (an ISBAR
/// condition) or was declared (a declaration).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveCategory {
    pub category: Category,
    pub codes: Vec<String>,
}

/// A code an application may declare that scores nothing but puts it in a reserve (e.g. a
/// member of the police forces).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuotas {
    indigent_pct: Sourced<f64>,
    indigent_rounding: Sourced<Rounding>,
    reserves_rounding: Sourced<Rounding>,
    #[serde(default)]
    indigent_cap: Option<Sourced<bool>>,
    #[serde(default)]
    indigent_residents_first: Option<Sourced<bool>>,
    #[serde(default)]
    police_as_reserve: Option<Sourced<bool>>,
    #[serde(default)]
    reserve_categories: Option<Sourced<Vec<ReserveCategory>>>,
    #[serde(default)]
    declarations: Option<Sourced<Vec<Declaration>>>,
    #[serde(default)]
    offer_answer_days: Option<Sourced<u32>>,
    #[serde(default)]
    refusal_removes: Option<Sourced<bool>>,
}

/// The assignment parameters, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRules {
    /// Share of the units available in the year that goes to indigents, hundredths of a
    /// percent (a Comune's plan may raise it for its own units: letter h).
    pub indigent_pct: u64,
    pub indigent_rounding: Rounding,
    pub reserves_rounding: Rounding,
    /// Indigent households are assigned only within their quota (never in ranking order nor
    /// for a reserve beyond it).
    pub indigent_cap: bool,
    /// Among indigents, residents of the unit's comune come first.
    pub indigent_residents_first: bool,
    /// The police share (d-bis) is a reserve like the c-bis ones; otherwise it is ignored.
    pub police_as_reserve: bool,
    pub categories: Vec<ReserveCategory>,
    pub declarations: Vec<Declaration>,
    /// Days the household has to accept or refuse an offer.
    pub offer_answer_days: u32,
    /// A refusal, or no answer by the deadline, removes the application from the rankings.
    pub refusal_removes: bool,
    /// Unverified values of this section, by name.
    pub unverified: Vec<Unverified>,
}

impl QuotaRules {
    /// The codes that put an application in `category`.
    pub fn codes_of(&self, category: Category) -> &[String] {
        self.categories
            .iter()
            .find(|c| c.category == category)
            .map_or(&[], |c| c.codes.as_slice())
    }

    /// Whether a declared code is a declaration of this section.
    pub fn is_declaration(&self, code: &str) -> bool {
        self.declarations.iter().any(|d| d.code == code)
    }

    /// The reserves this rule set knows (the police share only when it is a reserve).
    pub fn reserve_categories(&self) -> impl Iterator<Item = Category> + '_ {
        self.categories
            .iter()
            .map(|c| c.category)
            .filter(|c| *c != Category::ForzePolizia || self.police_as_reserve)
    }
}

const DEFAULT_SOURCE: &str =
    "chiave assente nel file (scritto prima delle assegnazioni): valore predefinito di casa";

fn default_categories() -> Vec<ReserveCategory> {
    let c = |category, codes: &[&str]| ReserveCategory {
        category,
        codes: codes.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        c(Category::Anziani, &["ANZIANI"]),
        c(Category::Monogenitori, &["MONOGENITORE"]),
        c(
            Category::Disabili,
            &[
                "DISABILE_66_99",
                "DISABILE_100",
                "DISABILE_100_ACCOMPAGNAMENTO",
            ],
        ),
        c(Category::NuoveFamiglie, &["FAMIGLIA_NUOVA"]),
        c(Category::ForzePolizia, &["FORZE_POLIZIA"]),
        c(Category::Altra, &["ALTRA_CATEGORIA"]),
    ]
}

fn default_declarations() -> Vec<Declaration> {
    vec![
        Declaration {
            code: "FORZE_POLIZIA".into(),
            label:
                "Appartenente a Forze di Polizia, Vigili del Fuoco, Forze Armate o Polizia Locale"
                    .into(),
        },
        Declaration {
            code: "ALTRA_CATEGORIA".into(),
            label: "Altra categoria di particolare rilevanza sociale stabilita dal Comune".into(),
        },
    ]
}

/// Converts `[quotas]`; `condition_codes` are the ISBAR conditions of the same file.
pub(super) fn convert(q: &RawQuotas, condition_codes: &[&str]) -> Result<QuotaRules, KeyError> {
    let mut unverified = Vec::new();
    let mut note = |name: &str, verified: bool, source: &str| {
        if !verified {
            unverified.push(Unverified {
                name: name.to_string(),
                source: source.to_string(),
            });
        }
    };
    note(
        "quotas.indigent_pct",
        q.indigent_pct.verified,
        &q.indigent_pct.source,
    );
    note(
        "quotas.indigent_rounding",
        q.indigent_rounding.verified,
        &q.indigent_rounding.source,
    );
    note(
        "quotas.reserves_rounding",
        q.reserves_rounding.verified,
        &q.reserves_rounding.source,
    );
    let v = q.indigent_pct.value;
    let h = (v * 100.0).round();
    if !(0.0..=100.0).contains(&v) || (h - v * 100.0).abs() > 1e-6 {
        return Err((
            "quotas.indigent_pct".into(),
            format!("{v}: una percentuale da 0 a 100 con al più due decimali"),
        ));
    }
    // An optional key: its value, or the default flagged as unverified.
    macro_rules! opt {
        ($field:ident, $key:literal, $default:expr) => {
            match &q.$field {
                Some(s) => {
                    note($key, s.verified, &s.source);
                    s.value.clone()
                }
                None => {
                    note($key, false, DEFAULT_SOURCE);
                    $default
                }
            }
        };
    }
    let indigent_cap = opt!(indigent_cap, "quotas.indigent_cap", true);
    let indigent_residents_first = opt!(
        indigent_residents_first,
        "quotas.indigent_residents_first",
        true
    );
    let police_as_reserve = opt!(police_as_reserve, "quotas.police_as_reserve", true);
    let categories = opt!(
        reserve_categories,
        "quotas.reserve_categories",
        default_categories()
    );
    let declarations = opt!(declarations, "quotas.declarations", default_declarations());
    let offer_answer_days = opt!(offer_answer_days, "quotas.offer_answer_days", 10);
    let refusal_removes = opt!(refusal_removes, "quotas.refusal_removes", true);

    if !(1..=365).contains(&offer_answer_days) {
        return Err((
            "quotas.offer_answer_days".into(),
            format!("{offer_answer_days} giorni: da 1 a 365"),
        ));
    }
    for d in &declarations {
        if d.code.trim().is_empty() || d.code != d.code.to_uppercase() || d.code.contains(' ') {
            return Err((
                "quotas.declarations".into(),
                format!("codice '{}': maiuscole senza spazi", d.code),
            ));
        }
        if condition_codes.contains(&d.code.as_str()) {
            return Err((
                "quotas.declarations".into(),
                format!(
                    "'{}' è già una condizione del punteggio: una dichiarazione non dà punti",
                    d.code
                ),
            ));
        }
    }
    let mut seen = Vec::new();
    for c in &categories {
        if seen.contains(&c.category) {
            return Err((
                "quotas.reserve_categories".into(),
                format!("categoria '{}' ripetuta", c.category.label()),
            ));
        }
        seen.push(c.category);
        if c.codes.is_empty() {
            return Err((
                "quotas.reserve_categories".into(),
                format!("categoria '{}' senza codici", c.category.label()),
            ));
        }
        for code in &c.codes {
            let known = condition_codes.contains(&code.as_str())
                || declarations.iter().any(|d| &d.code == code);
            if !known {
                return Err((
                    "quotas.reserve_categories".into(),
                    format!(
                        "categoria '{}': '{code}' non è una condizione né una dichiarazione del file",
                        c.category.label()
                    ),
                ));
            }
        }
    }
    Ok(QuotaRules {
        indigent_pct: h as u64,
        indigent_rounding: q.indigent_rounding.value,
        reserves_rounding: q.reserves_rounding.value,
        indigent_cap,
        indigent_residents_first,
        police_as_reserve,
        categories,
        declarations,
        offer_answer_days,
        refusal_removes,
        unverified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The indigent vectors of issue 16 (20% rounded up) and the reserve vectors (half up).
    #[test]
    fn indigent_and_reserve_test_vectors() {
        for (units, quota) in [(1, 1), (5, 1), (7, 2), (10, 2), (11, 3), (21, 5)] {
            assert_eq!(Rounding::Eccesso.share(units, 2000), quota, "{units} units");
        }
        assert_eq!(Rounding::MetaSuperiore.share(7, 2000), 1);
        assert_eq!(Rounding::MetaSuperiore.share(8, 2000), 2);
        assert_eq!(Rounding::MetaSuperiore.share(5, 1000), 1);
        assert_eq!(Rounding::Difetto.share(5, 1000), 0);
        assert_eq!(Rounding::Eccesso.share(0, 2000), 0);
        assert_eq!(
            Rounding::MetaSuperiore.share(u64::MAX, 10_000),
            u64::MAX / 10_000
        );
    }

    #[test]
    fn rounding_matches_exact_fractions() {
        // Half up against the exact rational: floor(x + 1/2).
        for units in 0..300u64 {
            for pct in (0..=10_000u64).step_by(37) {
                let num = units * pct;
                assert_eq!(
                    Rounding::MetaSuperiore.share(units, pct),
                    (2 * num + 10_000) / 20_000
                );
                assert_eq!(Rounding::Eccesso.share(units, pct), num.div_ceil(10_000));
            }
        }
    }

    fn builtin_2025() -> &'static crate::rules::RuleSet {
        crate::rules::builtin()
            .unwrap()
            .iter()
            .find(|s| s.cite == "R.R. 2/2025")
            .unwrap()
    }

    #[test]
    fn shipped_quotas_cite_the_articles_and_flag_our_rules() {
        for set in &crate::rules::builtin().unwrap()[1..] {
            let q = &set.ranking().unwrap().quotas;
            assert_eq!(q.indigent_pct, 2000);
            assert_eq!(q.indigent_rounding, Rounding::Eccesso);
            assert_eq!(q.reserves_rounding, Rounding::MetaSuperiore);
            assert_eq!(q.categories.len(), 6);
            assert!(q.is_declaration("FORZE_POLIZIA"));
            let names: Vec<&str> = q.unverified.iter().map(|u| u.name.as_str()).collect();
            for ours in [
                "quotas.indigent_cap",
                "quotas.police_as_reserve",
                "quotas.offer_answer_days",
                "quotas.refusal_removes",
            ] {
                assert!(names.contains(&ours), "{}: {ours} is our rule", set.cite);
            }
            assert!(!names.contains(&"quotas.indigent_rounding"));
        }
        let p = |key: &str| {
            builtin_2025()
                .parameters
                .iter()
                .find(|p| p.key == key)
                .unwrap()
                .source
                .clone()
        };
        assert!(p("quotas.indigent_rounding").contains("art. 13 c.3"));
        assert!(p("quotas.reserves_rounding").contains("art. 15 c.1-ter"));
        assert!(p("quotas.police_as_reserve").contains("7-ter"));
    }

    #[test]
    fn a_file_written_before_the_assignments_gets_flagged_defaults() {
        let text = &builtin_2025().text;
        let cut = text.find("[quotas.indigent_cap]").unwrap();
        let set = crate::rules::parse("vecchio.toml", &text[..cut]).unwrap();
        let q = &set.ranking().unwrap().quotas;
        assert!(q.indigent_cap && q.refusal_removes && q.police_as_reserve);
        assert_eq!(q.offer_answer_days, 10);
        let defaults = q
            .unverified
            .iter()
            .filter(|u| u.source == DEFAULT_SOURCE)
            .count();
        assert_eq!(defaults, 7, "{:?}", q.unverified);
    }

    #[test]
    fn bad_quota_values_are_refused_naming_the_key_and_line() {
        let text = &builtin_2025().text;
        let bad = text.replacen("codes = [\"ANZIANI\"]", "codes = [\"ANZIANX\"]", 1);
        let e = crate::rules::parse("x.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("quotas.reserve_categories"), "{e}");
        assert!(e.contains("ANZIANX"), "{e}");
        assert!(e.starts_with("x.toml, riga "), "{e}");
        let bad = text.replacen("category = \"monogenitori\"", "category = \"anziani\"", 1);
        let e = crate::rules::parse("x.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("ripetuta"), "{e}");
        let cut = text.find("[quotas.offer_answer_days]").unwrap();
        let bad = format!(
            "{}[quotas.offer_answer_days]\nvalue = 0\nsource = \"x\"\nverified = false\n",
            &text[..cut]
        );
        let e = crate::rules::parse("x.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("da 1 a 365"), "{e}");
        let bad = text.replacen("code = \"FORZE_POLIZIA\"", "code = \"ANZIANI\"", 1);
        let e = crate::rules::parse("x.toml", &bad).unwrap_err().to_string();
        assert!(e.contains("già una condizione"), "{e}");
    }
}
