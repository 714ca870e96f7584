//! Which household an available unit is proposed to (art. 15 r.r. 4/2017; DOMAIN.md 5):
//! indigent applications while the indigent quota is owed (highest ISBAR, residents of the
//! unit's comune first); then the best-ranked household meeting a reserve still owed, with no
//! priority among reserves; then the ranking order. Only applications that chose the unit, or
//! were ranked without preferences, and only where the unit's superficie utile suits the
//! household (the art. 9 adequacy table of the rule set).
//!
//! The candidates come as two streams in ranking order — the indigent ones and all of them —
//! read only as far as the decision needs, so a proposal in a ranking of 80,000 households
//! reads a handful of rows.

use super::{Ledger, Line};
use crate::domain::isbar::points;
use crate::rules::quotas::Category;
use crate::rules::ranking::RankingRules;
use serde::Serialize;

/// The unit being assigned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitOnOffer {
    pub unit_id: i64,
    pub owner_id: i64,
    pub istat: String,
    /// Name of the comune, for the explanation.
    pub comune: String,
    /// Superficie utile; a unit without it suits nobody until it is recorded.
    pub area_m2: Option<f64>,
}

/// A ranked application that may be proposed (not assigned, removed or in another istruttoria).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applicant {
    pub application_id: i64,
    /// ID domanda.
    pub code: String,
    pub ranking_id: i64,
    /// 1-based position in the ranking: ISBAR order with the rule set's tie-breaks.
    pub position: i64,
    /// Hundredths of a point.
    pub isbar: i64,
    pub indigent: bool,
    /// Resides in the unit's comune.
    pub resident: bool,
    pub members: u32,
    /// The unit is among its kept preferences.
    pub chose: bool,
    /// Ranked without preferences (no adequate unit of its choice was on offer).
    pub without_preferences: bool,
    /// The reserves it belongs to (`categories_of`).
    pub categories: Vec<Category>,
}

/// Why a candidate ahead in the ranking was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Skip {
    /// Chose other units.
    NotChosen,
    /// The unit's superficie utile does not suit the household.
    Inadequate,
    /// Indigent, and the indigent quota is not owed (the quota is also a limit).
    IndigentBeyondQuota,
}

impl Skip {
    fn label(self) -> &'static str {
        match self {
            Skip::NotChosen => "hanno scelto altre unità",
            Skip::Inadequate => "alloggio non adeguato al nucleo",
            Skip::IndigentBeyondQuota => "indigenti oltre la quota",
        }
    }
}

/// A proposal: the household, the ledger line it counts against, and why, in Italian.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub applicant: Applicant,
    pub line: Line,
    pub explanation: Vec<String>,
}

/// The decision for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Decision {
    Propose(Proposal),
    /// Nobody can be proposed: why.
    Nobody(Vec<String>),
}

impl Decision {
    pub fn proposal(&self) -> Option<&Proposal> {
        match self {
            Decision::Propose(p) => Some(p),
            Decision::Nobody(_) => None,
        }
    }

    pub fn explanation(&self) -> &[String] {
        match self {
            Decision::Propose(p) => &p.explanation,
            Decision::Nobody(e) => e,
        }
    }
}

/// Whether `a` may have `unit` at all: it chose it, or was ranked without preferences; and
/// the unit suits the household's size.
pub fn eligible(a: &Applicant, unit: &UnitOnOffer, rules: &RankingRules) -> Result<(), Skip> {
    if !a.chose && !a.without_preferences {
        return Err(Skip::NotChosen);
    }
    let suits = unit
        .area_m2
        .is_some_and(|m| a.members > 0 && rules.unit_suits(a.members, m));
    if !suits {
        return Err(Skip::Inadequate);
    }
    Ok(())
}

fn describe(a: &Applicant, unit: &UnitOnOffer) -> String {
    let how = if a.chose {
        "ha scelto questa unità".to_string()
    } else {
        format!(
            "in graduatoria senza preferenze, alloggio adeguato ({} m² per {} componenti)",
            unit.area_m2.map_or(0, |m| m.round() as i64),
            a.members
        )
    };
    format!(
        "Proposta la domanda {} (posizione {} in graduatoria, ISBAR {}, {} componenti{}): {how}.",
        a.code,
        a.position,
        points(a.isbar),
        a.members,
        if a.indigent { ", indigente" } else { "" }
    )
}

fn skipped_line(skips: &std::collections::BTreeMap<Skip, u64>) -> Option<String> {
    let n: u64 = skips.values().sum();
    if n == 0 {
        return None;
    }
    let parts: Vec<String> = skips
        .iter()
        .map(|(k, v)| format!("{v} {}", k.label()))
        .collect();
    Some(format!(
        "Domande passate prima di questa: {n} ({}).",
        parts.join(", ")
    ))
}

/// Decides who `unit` is proposed to. `indigents` and `all` yield the candidates in ranking
/// order (`indigents` only the indigent ones); they are read only as far as needed, and
/// `indigents` only while the indigent quota is owed. The ledger already counts the unit.
pub fn decide<E>(
    ledger: &Ledger,
    unit: &UnitOnOffer,
    rules: &RankingRules,
    indigents: impl IntoIterator<Item = Result<Applicant, E>>,
    all: impl IntoIterator<Item = Result<Applicant, E>>,
) -> Result<Decision, E> {
    let q = &rules.quotas;
    let mut why = vec![format!(
        "Unità {} a {}: {} unità disponibili nell'anno per questo ente in questo comune.",
        unit.unit_id, unit.comune, ledger.base
    )];
    if unit.area_m2.is_none() {
        why.push("Superficie utile non registrata: nessun nucleo può esserne giudicato adeguato (art. 9); registrarla nell'anagrafe.".into());
        return Ok(Decision::Nobody(why));
    }
    let ind = ledger.line(Line::Indigenti);
    // 1. The indigent quota.
    if ind.owed() > 0 {
        let mut resident = None;
        let mut other = None;
        for a in indigents {
            let a = a?;
            if !a.indigent || eligible(&a, unit, rules).is_err() {
                continue;
            }
            if a.resident || !q.indigent_residents_first {
                resident = Some(a);
                break;
            }
            if other.is_none() {
                other = Some(a);
            }
        }
        if let Some(a) = resident.or(other) {
            let whom = if a.resident {
                "un indigente residente"
            } else if q.indigent_residents_first {
                "un indigente non residente (nessun indigente residente nel comune è idoneo)"
            } else {
                "un indigente"
            };
            why.push(format!(
                "quota indigenti: {} di {} usate; questa unità va a {whom}.",
                ind.used + ind.in_progress,
                ind.quota
            ));
            why.push(describe(&a, unit));
            return Ok(Decision::Propose(Proposal {
                applicant: a,
                line: Line::Indigenti,
                explanation: why,
            }));
        }
        why.push(format!(
            "quota indigenti: {} di {} usate, ma nessun nucleo indigente idoneo per questa unità: la quota resta dovuta.",
            ind.used + ind.in_progress,
            ind.quota
        ));
    } else {
        why.push(format!(
            "quota indigenti: {} di {} usate, nessuna dovuta.",
            ind.used + ind.in_progress,
            ind.quota
        ));
    }
    // 2. The reserves still owed, then 3. the ranking order, in one pass.
    let owed: Vec<(Line, u64)> = ledger
        .lines
        .iter()
        .filter(|s| matches!(s.line, Line::Riserva(_)) && s.owed() > 0)
        .map(|s| (s.line, s.owed()))
        .collect();
    let mut skips = std::collections::BTreeMap::new();
    let mut general: Option<(Applicant, std::collections::BTreeMap<Skip, u64>)> = None;
    let mut reserve: Option<(Applicant, Line)> = None;
    for a in all {
        let a = a?;
        if let Err(s) = eligible(&a, unit, rules) {
            *skips.entry(s).or_insert(0) += 1;
            continue;
        }
        if a.indigent && q.indigent_cap {
            *skips.entry(Skip::IndigentBeyondQuota).or_insert(0) += 1;
            continue;
        }
        // The reserve owed most among those it meets (no priority among reserves).
        let best = owed
            .iter()
            .filter(|(l, _)| matches!(l, Line::Riserva(c) if a.categories.contains(c)))
            .max_by(|x, y| {
                x.1.cmp(&y.1).then_with(|| {
                    // Equal: the earlier in ledger order.
                    let pos = |l: &Line| ledger.lines.iter().position(|s| s.line == *l);
                    pos(&y.0).cmp(&pos(&x.0))
                })
            });
        if let Some((line, _)) = best {
            reserve = Some((a, *line));
            break;
        }
        if general.is_none() {
            general = Some((a, skips.clone()));
            if owed.is_empty() {
                break;
            }
        }
    }
    for (l, _) in &owed {
        why.push(format!("{}.", ledger.describe(*l)));
    }
    if let Some((a, line)) = reserve {
        let s = ledger.line(line);
        why.push(format!(
            "{}: {} di {} usate; questa unità va al primo nucleo in graduatoria che appartiene a una riserva ancora dovuta (nessuna precedenza fra le riserve, art. 15 c.1-ter).",
            s.label(ledger.shares.other_name.as_deref()).to_lowercase(),
            s.used + s.in_progress,
            s.quota
        ));
        if let Some(l) = skipped_line(&skips) {
            why.push(l);
        }
        why.push(describe(&a, unit));
        return Ok(Decision::Propose(Proposal {
            applicant: a,
            line,
            explanation: why,
        }));
    }
    if let Some((a, skips)) = general {
        if owed.is_empty() {
            why.push("Nessuna riserva dovuta: questa unità va alla prima domanda idonea in ordine di graduatoria.".into());
        } else {
            why.push("Riserve dovute ma nessun nucleo idoneo che vi appartenga: questa unità va alla prima domanda idonea in ordine di graduatoria.".into());
        }
        if let Some(l) = skipped_line(&skips) {
            why.push(l);
        }
        why.push(describe(&a, unit));
        return Ok(Decision::Propose(Proposal {
            applicant: a,
            line: Line::Graduatoria,
            explanation: why,
        }));
    }
    why.push("Nessuna domanda idonea per questa unità nella graduatoria definitiva.".into());
    if let Some(l) = skipped_line(&skips) {
        why.push(l.replace("prima di questa", "in graduatoria"));
    }
    Ok(Decision::Nobody(why))
}

/// `decide` on a whole list in ranking order (tests, the what-if replay).
pub fn decide_all(
    ledger: &Ledger,
    unit: &UnitOnOffer,
    rules: &RankingRules,
    applicants: &[Applicant],
) -> Decision {
    let ok = |a: &Applicant| Ok::<_, std::convert::Infallible>(a.clone());
    match decide(
        ledger,
        unit,
        rules,
        applicants.iter().filter(|a| a.indigent).map(ok),
        applicants.iter().map(ok),
    ) {
        Ok(d) => d,
        Err(e) => match e {},
    }
}

/// The other available units of the same owner `a` could also be proposed (it chose them,
/// or, ranked without preferences, they suit it): the owner chooses which (art. 15 c.1-bis).
/// `others` holds each unit with whether `a` chose it.
pub fn also_eligible(
    a: &Applicant,
    rules: &RankingRules,
    others: &[(UnitOnOffer, bool)],
) -> Vec<i64> {
    others
        .iter()
        .filter(|(u, chose)| {
            let mut b = a.clone();
            b.chose = *chose;
            eligible(&b, u, rules).is_ok()
        })
        .map(|(u, _)| u.unit_id)
        .collect()
}

/// Other units of the owner counted one by one for the owner's choice; beyond, "più di".
pub const OWNER_CHOICE_COUNTED: usize = 20;

/// The sentence that flags the owner's choice (at most five units named).
pub fn owner_choice_line(units: &[i64]) -> Option<String> {
    let named = |v: &[i64]| {
        v.iter()
            .take(5)
            .map(|u| u.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match units {
        [] => None,
        [u] => Some(format!(
            "La domanda è idonea anche per l'unità {u} dello stesso ente: l'ente sceglie quale proporre (art. 15 c.1-bis)."
        )),
        many => {
            let how_many = if many.len() > OWNER_CHOICE_COUNTED {
                format!("più di {OWNER_CHOICE_COUNTED} altre")
            } else {
                format!("altre {}", many.len())
            };
            Some(format!(
                "La domanda è idonea anche per {how_many} unità dello stesso ente ({}{}): l'ente sceglie quale proporre (art. 15 c.1-bis).",
                named(many),
                if many.len() > 5 { ", …" } else { "" }
            ))
        }
    }
}
