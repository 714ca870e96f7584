//! The ranking parameters of a rule set (DOMAIN.md 5): access thresholds, adequacy tables,
//! preferences, the ISBAR conditions and formulas, residence bands, tie-breaks, deadlines and
//! quotas. Parsed from the TOML sections `[access]`, `[preferences]`, `[isbar]`, `[ranking]`,
//! `[quotas]`, checked, and converted to exact integers (cents, hundredths of a point).

use super::Sourced;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The five groups of ISBAR: each application keeps one sub-score per group.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Condizioni familiari.
    Familiari,
    /// Condizioni abitative.
    Abitative,
    /// Condizione economica.
    Economica,
    /// Residenza in Regione.
    ResidenzaRegione,
    /// Residenza nel Comune.
    ResidenzaComune,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Familiari,
        Group::Abitative,
        Group::Economica,
        Group::ResidenzaRegione,
        Group::ResidenzaComune,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Group::Familiari => "Condizioni familiari",
            Group::Abitative => "Condizioni abitative",
            Group::Economica => "Condizione economica",
            Group::ResidenzaRegione => "Residenza in Regione",
            Group::ResidenzaComune => "Residenza nel Comune",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Group::Familiari => "familiari",
            Group::Abitative => "abitative",
            Group::Economica => "economica",
            Group::ResidenzaRegione => "residenza_regione",
            Group::ResidenzaComune => "residenza_comune",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One key of the tie-break order; higher wins. Submission time, then ID domanda, always
/// close the order (our rule), so a ranking is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieKey {
    /// Years of residence in the comune.
    AnniResidenzaComune,
    /// Years of residence in the region.
    AnniResidenzaRegione,
    Familiari,
    Abitative,
    Economica,
    ResidenzaRegione,
    ResidenzaComune,
}

impl TieKey {
    pub fn label(self) -> &'static str {
        match self {
            TieKey::AnniResidenzaComune => "anni di residenza nel Comune",
            TieKey::AnniResidenzaRegione => "anni di residenza in Regione",
            TieKey::Familiari => "punteggio condizioni familiari",
            TieKey::Abitative => "punteggio condizioni abitative",
            TieKey::Economica => "punteggio condizione economica",
            TieKey::ResidenzaRegione => "punteggio residenza in Regione",
            TieKey::ResidenzaComune => "punteggio residenza nel Comune",
        }
    }
}

/// Who belongs to a condition (art. 14 and DOMAIN.md 5). The derived kinds are recognised from
/// the household and cannot be declared; the others check a declared condition against the
/// household: declared by a household that is not the one it names, it counts nothing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Membership {
    /// A member at least this old on the notice's opening day (files written before the art.
    /// 14 a test; kept so stored rule sets compute as they did).
    EtaMinima { anni: u32 },
    /// A member with a disability percentage in [min, max] (attendance allowance as given:
    /// `accompagnamento = true` needs it, `false` needs its absence, absent does not look).
    Disabilita {
        min_pct: u8,
        max_pct: u8,
        #[serde(default)]
        accompagnamento: Option<bool>,
    },
    /// Art. 14 c.1 lett. a: a single person, or a household of at most `max_componenti`
    /// members, who have turned `anni`; or two members of whom one has turned `anni` and the
    /// other, younger, is totally unfit for work (invalidity of at least `inabile_pct`) or the
    /// older is over `oltre_anni` (past that birthday).
    Anziani {
        anni: u32,
        max_componenti: u32,
        oltre_anni: u32,
        inabile_pct: u8,
    },
    /// Declared single parent: no spouse or partner, everyone but the applicant a child, at
    /// least one child under `eta_minore`.
    Monogenitore { eta_minore: u32 },
    /// Declared new household: the applicant with a spouse or partner, any other member under
    /// `eta_minore`.
    NuovaFamiglia { eta_minore: u32 },
}

impl Membership {
    /// Recognised from the household (never declared).
    pub fn derived(&self) -> bool {
        !matches!(
            self,
            Membership::Monogenitore { .. } | Membership::NuovaFamiglia { .. }
        )
    }
}

/// The name files written before `membership` use.
pub type Derive = Membership;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    code: String,
    label: String,
    group: Group,
    points: Sourced<f64>,
    legal_ref: String,
    #[serde(default)]
    exclusive: Option<String>,
    /// Older spelling of a derived `membership`, without source or flag.
    #[serde(default)]
    derive: Option<Derive>,
    #[serde(default)]
    membership: Option<Sourced<Membership>>,
}

/// An ISBAR condition as used by the scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub code: String,
    pub label: String,
    pub group: Group,
    /// Hundredths of a point.
    pub points: i64,
    pub verified: bool,
    pub source: String,
    pub legal_ref: String,
    /// Of the conditions sharing this name, only the one worth most counts.
    pub exclusive: Option<String>,
    /// Who belongs to it; `None`: whoever declares it.
    pub membership: Option<Membership>,
    pub membership_verified: bool,
    pub membership_source: String,
}

impl Condition {
    /// Recognised from the household rather than declared.
    pub fn derived(&self) -> bool {
        self.membership.as_ref().is_some_and(Membership::derived)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    from_years: u32,
    #[serde(default)]
    to_years: Option<u32>,
    points: f64,
}

/// Residence band: `from_years` ≤ years < `to_years` (no upper end when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub from_years: u32,
    pub to_years: Option<u32>,
    /// Hundredths of a point.
    pub points: i64,
}

impl Band {
    pub fn contains(&self, years: u32) -> bool {
        years >= self.from_years && self.to_years.is_none_or(|t| years < t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeBand {
    pub members_from: u32,
    #[serde(default)]
    pub members_to: Option<u32>,
    pub m2: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSizeBand {
    pub members_from: u32,
    #[serde(default)]
    pub members_to: Option<u32>,
    pub min_m2: u32,
    #[serde(default)]
    pub max_m2: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccess {
    lombardy_required: Sourced<bool>,
    isee_max_eur: Sourced<f64>,
    assets_single_max_eur: Sourced<f64>,
    assets_base_eur: Sourced<f64>,
    assets_per_pse_eur: Sourced<f64>,
    pse_scale: Sourced<Vec<f64>>,
    pse_each_further: Sourced<f64>,
    indigent_isee_max_eur: Sourced<f64>,
    adequate_dwelling_m2: Sourced<Vec<SizeBand>>,
    exclusion_years: Sourced<u32>,
    /// The register of occupations without title: years looked back from the submission
    /// (absent in files written before the register: `exclusion_years`, flagged).
    #[serde(default)]
    occupation_lookback_years: Option<Sourced<u32>>,
    /// Whether an occupation ended on the look-back's first day counts (absent: it does,
    /// flagged).
    #[serde(default)]
    occupation_boundary: Option<Sourced<Boundary>>,
}

/// Whether the first day of a look-back belongs to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    /// The day exactly N years before counts.
    Inclusa,
    /// Only the days after it count.
    Esclusa,
}

/// The look-back of the five-year check against the register of occupations without title
/// (art. 22 c.1 f L.R. 16/2016).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OccupationLookback {
    pub years: u32,
    /// An occupation that ended exactly `years` years before the submission counts.
    pub boundary_included: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPreferences {
    max_units: Sourced<u32>,
    unit_adequacy_m2: Sourced<Vec<UnitSizeBand>>,
    indigent_min_population: Sourced<u32>,
    /// To whom art. 9 c.2 applies; absent: indigents only (as computed before the key).
    #[serde(default)]
    other_comune_rule: Option<Sourced<OtherComuneRule>>,
}

/// Who may choose a unit in another comune of the district only when neither the comune of
/// residence nor that of work offers an adequate unit (art. 9 c.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherComuneRule {
    /// Every applicant.
    Tutti,
    /// Indigent applicants only.
    Indigenti,
}

/// What a household without a fragility condition gets for residence when region and comune
/// points add up only with one (R.R. 2/2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WithoutFragility {
    /// The higher of the region's and the comune's points.
    Maggiore,
    /// None at all (how files before the key computed).
    Nessuno,
}

/// Which comune's years of residence score the comune points of a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComunePointsIn {
    /// The comune where the unit is (art. 12 c.2): each ranking its own comune.
    ComuneAlloggio,
    /// The comune of residence in every ranking (how files before the key computed).
    ComuneResidenza,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEconomic {
    formula: Sourced<String>,
    max_points: Sourced<f64>,
    isee_reference_eur: Sourced<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResidence {
    region_bands: Sourced<Vec<RawBand>>,
    comune_bands: Sourced<Vec<RawBand>>,
    cap_points: Sourced<f64>,
    fragility_only: Sourced<bool>,
    #[serde(default)]
    fragility_conditions: Option<Sourced<Vec<String>>>,
    /// Absent: no residence points without fragility (as computed before the key).
    #[serde(default)]
    without_fragility: Option<Sourced<WithoutFragility>>,
    /// Absent: the comune of residence (as computed before the key).
    #[serde(default)]
    comune_points_in: Option<Sourced<ComunePointsIn>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIsbar {
    conditions: Vec<RawCondition>,
    economic: RawEconomic,
    residence: RawResidence,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRanking {
    tie_break: Sourced<Vec<TieKey>>,
    provisional_days: Sourced<u32>,
    correction_days: Sourced<u32>,
    decision_days: Sourced<u32>,
    final_days: Sourced<u32>,
    notice_min_days: Sourced<u32>,
}

/// The ranking sections of a rule-set file, as read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRankingRules {
    pub access: RawAccess,
    pub preferences: RawPreferences,
    pub isbar: RawIsbar,
    pub ranking: RawRanking,
    pub quotas: super::quotas::RawQuotas,
}

pub use super::quotas::Rounding;

/// A parameter named for "computed with unverified values" lines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unverified {
    pub name: String,
    pub source: String,
}

/// The ranking parameters, checked and exact.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingRules {
    pub lombardy_required: bool,
    /// Cents.
    pub isee_max: i64,
    pub assets_single_max: i64,
    pub assets_base: i64,
    pub assets_per_pse: i64,
    /// Scale values ×100 for 1, 2, 3 … members; beyond the list `pse_each_further` is added.
    pub pse_scale: Vec<i64>,
    pub pse_each_further: i64,
    pub indigent_isee_max: i64,
    pub adequate_dwelling: Vec<SizeBand>,
    pub exclusion_years: u32,
    /// The register check's look-back.
    pub occupation_lookback: OccupationLookback,
    pub max_preferences: u32,
    pub unit_adequacy: Vec<UnitSizeBand>,
    pub indigent_min_population: u32,
    /// To whom art. 9 c.2 applies.
    pub other_comune_rule: OtherComuneRule,
    pub conditions: Vec<Condition>,
    /// Hundredths of a point.
    pub economic_max: i64,
    /// Cents.
    pub economic_isee_reference: i64,
    pub region_bands: Vec<Band>,
    pub comune_bands: Vec<Band>,
    pub residence_cap: i64,
    /// Region and comune points add up only for a household with a fragility condition.
    pub fragility_only: bool,
    pub fragility_conditions: Vec<String>,
    /// Under `fragility_only`, what a household without fragility gets.
    pub without_fragility: WithoutFragility,
    /// Which comune the comune points of a ranking are for.
    pub comune_points_in: ComunePointsIn,
    pub tie_break: Vec<TieKey>,
    pub provisional_days: u32,
    pub correction_days: u32,
    pub decision_days: u32,
    pub final_days: u32,
    pub notice_min_days: u32,
    /// The assignment parameters (quotas, reserves, offers).
    pub quotas: super::quotas::QuotaRules,
    /// Every unverified value, by name, for the lines that say so.
    pub unverified: Vec<Unverified>,
}

impl RankingRules {
    pub fn condition(&self, code: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.code == code)
    }

    /// Unverified values that do not depend on which conditions scored: formulas, bands,
    /// thresholds, tie-breaks.
    pub fn unverified_general(&self) -> impl Iterator<Item = &Unverified> {
        self.unverified
            .iter()
            .filter(|u| !u.name.starts_with("isbar.conditions."))
    }

    /// The PSE (ISEE equivalence scale) for a household of `members`, ×100.
    pub fn pse(&self, members: u32) -> i64 {
        let n = members.max(1) as usize;
        match self.pse_scale.get(n - 1) {
            Some(v) => *v,
            None => {
                let last = *self.pse_scale.last().unwrap_or(&100);
                let further = (n - self.pse_scale.len()) as i64;
                last.saturating_add(self.pse_each_further.saturating_mul(further))
            }
        }
    }

    /// Asset limit in cents for a household of `members`.
    pub fn assets_max(&self, members: u32) -> i64 {
        if members <= 1 {
            self.assets_single_max
        } else {
            // base + per_pse × PSE; PSE is ×100, so divide once at the end (exact in cents).
            // Saturating: a rule set's values are bounded, but their products need not fit.
            self.assets_base
                .saturating_add(self.assets_per_pse.saturating_mul(self.pse(members)) / 100)
        }
    }

    /// Minimum area of an owned dwelling that counts as adequate for `members`.
    pub fn adequate_dwelling_m2(&self, members: u32) -> Option<u32> {
        self.adequate_dwelling
            .iter()
            .find(|b| members >= b.members_from && b.members_to.is_none_or(|t| members <= t))
            .map(|b| b.m2)
    }

    /// The superficie utile (m², from–to) that suits a household of `members`, if any.
    pub fn unit_size_range(&self, members: u32) -> Option<(f64, f64)> {
        self.unit_adequacy
            .iter()
            .find(|b| members >= b.members_from && b.members_to.is_none_or(|t| members <= t))
            .map(|b| (f64::from(b.min_m2), b.max_m2.map_or(f64::MAX, f64::from)))
    }

    /// Whether a unit of `area_m2` suits a household of `members`.
    pub fn unit_suits(&self, members: u32, area_m2: f64) -> bool {
        self.unit_adequacy
            .iter()
            .find(|b| members >= b.members_from && b.members_to.is_none_or(|t| members <= t))
            .is_some_and(|b| {
                area_m2 >= f64::from(b.min_m2) && b.max_m2.is_none_or(|m| area_m2 <= f64::from(m))
            })
    }
}

/// Largest value ×100 a rule set may give (a billion euro or points): far above any real
/// threshold, and small enough for sums of values to stay exact.
const MAX_HUNDREDTHS: f64 = 1e11;

/// Converts a decimal written in the file to an exact integer ×100; refuses more than two
/// decimals or a negative value.
fn hundredths(v: f64) -> Result<i64, String> {
    let h = (v * 100.0).round();
    if (h - v * 100.0).abs() > 1e-6 {
        return Err(format!("{v}: al più due decimali"));
    }
    if h < 0.0 {
        return Err(format!("{v}: non può essere negativo"));
    }
    if h > MAX_HUNDREDTHS {
        return Err(format!("{v}: valore troppo grande"));
    }
    Ok(h as i64)
}

fn bands(raw: &[RawBand]) -> Result<Vec<Band>, String> {
    let mut out: Vec<Band> = Vec::with_capacity(raw.len());
    for b in raw {
        if let Some(t) = b.to_years
            && t <= b.from_years
        {
            return Err(format!(
                "fascia da {} a {} anni: la fine deve seguire l'inizio",
                b.from_years, t
            ));
        }
        out.push(Band {
            from_years: b.from_years,
            to_years: b.to_years,
            points: hundredths(b.points)?,
        });
    }
    out.sort_by_key(|b| b.from_years);
    for w in out.windows(2) {
        match w[0].to_years {
            None => {
                return Err(format!(
                    "fasce sovrapposte: quella da {} anni non ha fine e si sovrappone a quella da {} anni",
                    w[0].from_years, w[1].from_years
                ));
            }
            Some(t) if t > w[1].from_years => {
                return Err(format!(
                    "fasce sovrapposte: {}-{} anni e da {} anni",
                    w[0].from_years, t, w[1].from_years
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn size_bands_ok(bands: &[(u32, Option<u32>)]) -> Result<(), String> {
    let mut b: Vec<(u32, Option<u32>)> = bands.to_vec();
    b.sort_by_key(|x| x.0);
    if b.first().map(|x| x.0) != Some(1) {
        return Err("le fasce per numero di componenti devono partire da 1".into());
    }
    for w in b.windows(2) {
        match w[0].1 {
            Some(t) if t + 1 == w[1].0 => {}
            Some(t) if t >= w[1].0 => {
                return Err(format!(
                    "fasce sovrapposte: {}-{} componenti e da {} componenti",
                    w[0].0, t, w[1].0
                ));
            }
            Some(t) => {
                return Err(format!(
                    "fasce non contigue: manca da {} a {} componenti",
                    t + 1,
                    w[1].0 - 1
                ));
            }
            None => {
                return Err(format!(
                    "fasce sovrapposte: quella da {} componenti non ha fine",
                    w[0].0
                ));
            }
        }
    }
    if b.last().is_some_and(|x| x.1.is_some()) {
        return Err("l'ultima fascia per numero di componenti deve essere senza fine".into());
    }
    Ok(())
}

/// A problem with its dotted key, for `file, riga N: key: reason`.
pub(super) type KeyError = (String, String);

fn k(key: &'static str) -> impl Fn(String) -> KeyError {
    move |e| (key.to_string(), e)
}

pub(super) fn convert(raw: RawRankingRules) -> Result<RankingRules, KeyError> {
    let mut unverified: Vec<Unverified> = Vec::new();
    let mut note = |name: &str, verified: bool, source: &str| {
        if !verified {
            unverified.push(Unverified {
                name: name.to_string(),
                source: source.to_string(),
            });
        }
    };
    let a = &raw.access;
    macro_rules! money {
        ($field:ident, $key:literal) => {{
            note($key, a.$field.verified, &a.$field.source);
            hundredths(a.$field.value).map_err(k($key))?
        }};
    }
    note(
        "access.lombardy_required",
        a.lombardy_required.verified,
        &a.lombardy_required.source,
    );
    let isee_max = money!(isee_max_eur, "access.isee_max_eur");
    let assets_single_max = money!(assets_single_max_eur, "access.assets_single_max_eur");
    let assets_base = money!(assets_base_eur, "access.assets_base_eur");
    let assets_per_pse = money!(assets_per_pse_eur, "access.assets_per_pse_eur");
    let indigent_isee_max = money!(indigent_isee_max_eur, "access.indigent_isee_max_eur");
    note(
        "access.pse_scale",
        a.pse_scale.verified,
        &a.pse_scale.source,
    );
    let pse_scale = a
        .pse_scale
        .value
        .iter()
        .map(|v| hundredths(*v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(k("access.pse_scale"))?;
    if pse_scale.is_empty() || pse_scale.windows(2).any(|w| w[1] <= w[0]) {
        return Err((
            "access.pse_scale".into(),
            "la scala deve avere almeno un valore e crescere".into(),
        ));
    }
    note(
        "access.pse_each_further",
        a.pse_each_further.verified,
        &a.pse_each_further.source,
    );
    let pse_each_further =
        hundredths(a.pse_each_further.value).map_err(k("access.pse_each_further"))?;
    if indigent_isee_max > isee_max {
        return Err((
            "access.indigent_isee_max_eur".into(),
            "supera la soglia ISEE di accesso".into(),
        ));
    }
    note(
        "access.adequate_dwelling_m2",
        a.adequate_dwelling_m2.verified,
        &a.adequate_dwelling_m2.source,
    );
    size_bands_ok(
        &a.adequate_dwelling_m2
            .value
            .iter()
            .map(|b| (b.members_from, b.members_to))
            .collect::<Vec<_>>(),
    )
    .map_err(k("access.adequate_dwelling_m2"))?;
    note(
        "access.exclusion_years",
        a.exclusion_years.verified,
        &a.exclusion_years.source,
    );
    let occupation_years = match &a.occupation_lookback_years {
        Some(y) => {
            note("access.occupation_lookback_years", y.verified, &y.source);
            y.value
        }
        None => {
            note(
                "access.occupation_lookback_years",
                false,
                "chiave assente in questo file: si usano gli anni di access.exclusion_years",
            );
            a.exclusion_years.value
        }
    };
    if occupation_years == 0 || occupation_years > 100 {
        return Err((
            "access.occupation_lookback_years".into(),
            format!("{occupation_years} anni: da 1 a 100"),
        ));
    }
    let boundary = match &a.occupation_boundary {
        Some(b) => {
            note("access.occupation_boundary", b.verified, &b.source);
            b.value
        }
        None => {
            note(
                "access.occupation_boundary",
                false,
                "chiave assente in questo file: il primo giorno del periodo è compreso (nostra regola)",
            );
            Boundary::Inclusa
        }
    };

    let p = &raw.preferences;
    note(
        "preferences.max_units",
        p.max_units.verified,
        &p.max_units.source,
    );
    if p.max_units.value == 0 {
        return Err(("preferences.max_units".into(), "almeno 1".into()));
    }
    note(
        "preferences.unit_adequacy_m2",
        p.unit_adequacy_m2.verified,
        &p.unit_adequacy_m2.source,
    );
    size_bands_ok(
        &p.unit_adequacy_m2
            .value
            .iter()
            .map(|b| (b.members_from, b.members_to))
            .collect::<Vec<_>>(),
    )
    .map_err(k("preferences.unit_adequacy_m2"))?;
    note(
        "preferences.indigent_min_population",
        p.indigent_min_population.verified,
        &p.indigent_min_population.source,
    );
    let other_comune_rule = match &p.other_comune_rule {
        Some(r) => {
            note("preferences.other_comune_rule", r.verified, &r.source);
            r.value
        }
        None => OtherComuneRule::Indigenti,
    };

    let i = &raw.isbar;
    let mut codes = BTreeSet::new();
    let mut conditions = Vec::with_capacity(i.conditions.len());
    for c in &i.conditions {
        let key = format!("isbar.conditions.{}", c.code);
        if c.code.trim().is_empty() || !codes.insert(c.code.clone()) {
            return Err((
                format!("code = \"{}\"", c.code),
                format!("codice di condizione '{}' vuoto o ripetuto", c.code),
            ));
        }
        if matches!(
            c.group,
            Group::Economica | Group::ResidenzaRegione | Group::ResidenzaComune
        ) {
            return Err((
                format!("code = \"{}\"", c.code),
                format!(
                    "la condizione {} è nel gruppo {}: le condizioni sono familiari o abitative (economia e residenza hanno le loro formule)",
                    c.code,
                    c.group.key()
                ),
            ));
        }
        let (membership, membership_verified, membership_source) = match (&c.derive, &c.membership)
        {
            (Some(_), Some(_)) => {
                return Err((
                    format!("code = \"{}\"", c.code),
                    "indicare membership oppure derive, non entrambi".into(),
                ));
            }
            (Some(d), None) => (Some(d.clone()), true, String::new()),
            (None, Some(m)) => (Some(m.value.clone()), m.verified, m.source.clone()),
            (None, None) => (None, true, String::new()),
        };
        match &membership {
            Some(Membership::Disabilita {
                min_pct, max_pct, ..
            }) if min_pct > max_pct || *max_pct > 100 => {
                return Err((
                    format!("code = \"{}\"", c.code),
                    format!("percentuali di disabilità {min_pct}-{max_pct} non valide"),
                ));
            }
            Some(Membership::Anziani {
                max_componenti,
                inabile_pct,
                anni,
                oltre_anni,
            }) if *max_componenti == 0 || *inabile_pct > 100 || oltre_anni < anni => {
                return Err((
                    format!("code = \"{}\"", c.code),
                    "anziani: max_componenti almeno 1, inabile_pct fino a 100, oltre_anni non inferiore ad anni".into(),
                ));
            }
            _ => {}
        }
        note(&key, c.points.verified, &c.points.source);
        if let Some(m) = &c.membership {
            note(&format!("{key}.membership"), m.verified, &m.source);
        }
        conditions.push(Condition {
            code: c.code.clone(),
            label: c.label.clone(),
            group: c.group,
            points: hundredths(c.points.value)
                .map_err(|e| (format!("code = \"{}\"", c.code), e))?,
            verified: c.points.verified,
            source: c.points.source.clone(),
            legal_ref: c.legal_ref.clone(),
            exclusive: c.exclusive.clone(),
            membership,
            membership_verified,
            membership_source,
        });
    }
    let e = &i.economic;
    if e.formula.value != "lineare_isee" {
        return Err((
            "isbar.economic.formula".into(),
            format!(
                "formula '{}' sconosciuta (disponibile: lineare_isee)",
                e.formula.value
            ),
        ));
    }
    note(
        "isbar.economic.formula",
        e.formula.verified,
        &e.formula.source,
    );
    note(
        "isbar.economic.max_points",
        e.max_points.verified,
        &e.max_points.source,
    );
    note(
        "isbar.economic.isee_reference_eur",
        e.isee_reference_eur.verified,
        &e.isee_reference_eur.source,
    );
    let economic_isee_reference =
        hundredths(e.isee_reference_eur.value).map_err(k("isbar.economic.isee_reference_eur"))?;
    if economic_isee_reference == 0 {
        return Err((
            "isbar.economic.isee_reference_eur".into(),
            "deve essere maggiore di zero".into(),
        ));
    }
    let r = &i.residence;
    note(
        "isbar.residence.region_bands",
        r.region_bands.verified,
        &r.region_bands.source,
    );
    note(
        "isbar.residence.comune_bands",
        r.comune_bands.verified,
        &r.comune_bands.source,
    );
    note(
        "isbar.residence.cap_points",
        r.cap_points.verified,
        &r.cap_points.source,
    );
    note(
        "isbar.residence.fragility_only",
        r.fragility_only.verified,
        &r.fragility_only.source,
    );
    let fragility_conditions = match (&r.fragility_conditions, r.fragility_only.value) {
        (Some(f), _) => {
            note(
                "isbar.residence.fragility_conditions",
                f.verified,
                &f.source,
            );
            for code in &f.value {
                if !codes.contains(code) {
                    return Err((
                        "fragility_conditions".into(),
                        format!(
                            "condizione di fragilità '{code}' non definita in isbar.conditions"
                        ),
                    ));
                }
            }
            f.value.clone()
        }
        (None, true) => {
            return Err((
                "fragility_only".into(),
                "con fragility_only = true va indicato fragility_conditions".into(),
            ));
        }
        (None, false) => Vec::new(),
    };
    let without_fragility = match &r.without_fragility {
        Some(w) => {
            note("isbar.residence.without_fragility", w.verified, &w.source);
            w.value
        }
        None => WithoutFragility::Nessuno,
    };
    let comune_points_in = match &r.comune_points_in {
        Some(c) => {
            note("isbar.residence.comune_points_in", c.verified, &c.source);
            c.value
        }
        None => ComunePointsIn::ComuneResidenza,
    };

    let g = &raw.ranking;
    note(
        "ranking.tie_break",
        g.tie_break.verified,
        &g.tie_break.source,
    );
    let mut seen = BTreeSet::new();
    for t in &g.tie_break.value {
        if !seen.insert(format!("{t:?}")) {
            return Err((
                "ranking.tie_break".into(),
                format!("criterio '{}' ripetuto", t.label()),
            ));
        }
    }
    for (key, v) in [
        ("ranking.provisional_days", &g.provisional_days),
        ("ranking.correction_days", &g.correction_days),
        ("ranking.decision_days", &g.decision_days),
        ("ranking.final_days", &g.final_days),
        ("ranking.notice_min_days", &g.notice_min_days),
    ] {
        note(key, v.verified, &v.source);
    }
    let codes: Vec<&str> = conditions
        .iter()
        .map(|c: &Condition| c.code.as_str())
        .collect();
    let quotas = super::quotas::convert(&raw.quotas, &codes)?;

    Ok(RankingRules {
        lombardy_required: a.lombardy_required.value,
        isee_max,
        assets_single_max,
        assets_base,
        assets_per_pse,
        pse_scale,
        pse_each_further,
        indigent_isee_max,
        adequate_dwelling: a.adequate_dwelling_m2.value.clone(),
        exclusion_years: a.exclusion_years.value,
        occupation_lookback: OccupationLookback {
            years: occupation_years,
            boundary_included: boundary == Boundary::Inclusa,
        },
        max_preferences: p.max_units.value,
        unit_adequacy: p.unit_adequacy_m2.value.clone(),
        indigent_min_population: p.indigent_min_population.value,
        other_comune_rule,
        conditions,
        economic_max: hundredths(e.max_points.value).map_err(k("isbar.economic.max_points"))?,
        economic_isee_reference,
        region_bands: bands(&r.region_bands.value).map_err(k("region_bands"))?,
        comune_bands: bands(&r.comune_bands.value).map_err(k("comune_bands"))?,
        residence_cap: hundredths(r.cap_points.value).map_err(k("cap_points"))?,
        fragility_only: r.fragility_only.value,
        fragility_conditions,
        without_fragility,
        comune_points_in,
        tie_break: g.tie_break.value.clone(),
        provisional_days: g.provisional_days.value,
        correction_days: g.correction_days.value,
        decision_days: g.decision_days.value,
        final_days: g.final_days.value,
        notice_min_days: g.notice_min_days.value,
        quotas,
        unverified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_and_open_bands_are_refused() {
        let b = |f, t: Option<u32>, p| RawBand {
            from_years: f,
            to_years: t,
            points: p,
        };
        assert!(bands(&[b(5, Some(10), 3.0), b(10, None, 4.5)]).is_ok());
        let e = bands(&[b(5, Some(11), 3.0), b(10, None, 4.5)]).unwrap_err();
        assert!(e.contains("sovrapposte"), "{e}");
        let e = bands(&[b(5, None, 3.0), b(10, None, 4.5)]).unwrap_err();
        assert!(e.contains("sovrapposte"), "{e}");
        assert!(bands(&[b(5, Some(5), 3.0)]).is_err());
        assert!(size_bands_ok(&[(1, Some(2)), (3, None)]).is_ok());
        assert!(size_bands_ok(&[(1, Some(3)), (3, None)]).is_err());
        assert!(size_bands_ok(&[(1, Some(2)), (4, None)]).is_err());
    }
}
