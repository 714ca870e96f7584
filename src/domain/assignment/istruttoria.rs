//! The istruttoria of one unit for one household (DOMAIN.md 5): proposal → offer → the
//! household accepts, refuses or does not answer by the deadline → the assignment act
//! (provvedimento: number and date) → the lease. Document checks may cancel it on the way. Which
//! step is allowed from which stage, how each stage counts on the ledger, and what the unit's
//! state becomes.

use super::ledger::Count;
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// Where an istruttoria stands (written as its stored name: PROPOSTA, SENZA RISPOSTA, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Proposed by casa, not yet sent to the household.
    Proposta,
    /// Offered to the household, answer due by a deadline.
    Offerta,
    /// The household accepted: the assignment act follows.
    Accettata,
    /// The act is signed (number and date); the lease date may follow.
    Assegnata,
    /// The household refused.
    Rifiutata,
    /// No answer by the deadline.
    SenzaRisposta,
    /// Cancelled: withdrawn by the owner or stopped by a document check.
    Annullata,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Proposta,
        Stage::Offerta,
        Stage::Accettata,
        Stage::Assegnata,
        Stage::Rifiutata,
        Stage::SenzaRisposta,
        Stage::Annullata,
    ];

    pub fn db(self) -> &'static str {
        match self {
            Stage::Proposta => "PROPOSTA",
            Stage::Offerta => "OFFERTA",
            Stage::Accettata => "ACCETTATA",
            Stage::Assegnata => "ASSEGNATA",
            Stage::Rifiutata => "RIFIUTATA",
            Stage::SenzaRisposta => "SENZA RISPOSTA",
            Stage::Annullata => "ANNULLATA",
        }
    }

    pub fn from_db(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.db() == s)
    }

    /// Still running: the unit is taken by it.
    pub fn is_open(self) -> bool {
        matches!(self, Stage::Proposta | Stage::Offerta | Stage::Accettata)
    }

    /// How it counts on its ledger line (`None`: it does not).
    pub fn count(self) -> Option<Count> {
        match self {
            Stage::Proposta | Stage::Offerta => Some(Count::InProgress),
            Stage::Accettata | Stage::Assegnata => Some(Count::Used),
            Stage::Rifiutata | Stage::SenzaRisposta | Stage::Annullata => None,
        }
    }
}

impl Serialize for Stage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.db())
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.db())
    }
}

/// A step of the istruttoria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Step {
    /// Send the proposal to the household; it answers by `answer_by`.
    Offer {
        answer_by: NaiveDate,
    },
    Accept,
    Refuse,
    /// The deadline passed without an answer (only after `answer_by`).
    NoAnswer,
    /// Withdrawn, or stopped by a document check.
    Cancel,
    /// The assignment act; with `lease`, the lease signed at once (one step).
    Assign {
        number: String,
        date: NaiveDate,
        lease: Option<NaiveDate>,
    },
    /// The lease is signed: the unit is occupied.
    Lease {
        date: NaiveDate,
    },
}

impl Step {
    pub fn label(&self) -> &'static str {
        match self {
            Step::Offer { .. } => "offerta",
            Step::Accept => "accettazione",
            Step::Refuse => "rifiuto",
            Step::NoAnswer => "mancata risposta",
            Step::Cancel => "annullamento",
            Step::Assign { .. } => "provvedimento di assegnazione",
            Step::Lease { .. } => "contratto di locazione",
        }
    }
}

/// What the istruttoria knows when a step is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub stage: Stage,
    pub proposed_on: NaiveDate,
    pub offered_on: Option<NaiveDate>,
    pub answer_by: Option<NaiveDate>,
    pub act_date: Option<NaiveDate>,
    pub lease_date: Option<NaiveDate>,
}

/// The stage after `step`, or why it is refused (Italian). `today` dates the step.
pub fn next(f: &Facts, step: &Step, today: NaiveDate) -> Result<Stage, String> {
    let d = |x: NaiveDate| x.format("%d/%m/%Y").to_string();
    let wrong = || {
        Err(format!(
            "{}: non ammesso per un'assegnazione in stato {}",
            step.label(),
            f.stage
        ))
    };
    match step {
        Step::Offer { answer_by } => {
            if f.stage != Stage::Proposta {
                return wrong();
            }
            if *answer_by < today {
                return Err(format!(
                    "termine per la risposta {} già passato",
                    d(*answer_by)
                ));
            }
            Ok(Stage::Offerta)
        }
        Step::Accept | Step::Refuse => {
            if f.stage != Stage::Offerta {
                return wrong();
            }
            Ok(if *step == Step::Accept {
                Stage::Accettata
            } else {
                Stage::Rifiutata
            })
        }
        Step::NoAnswer => {
            if f.stage != Stage::Offerta {
                return wrong();
            }
            match f.answer_by {
                Some(by) if today > by => Ok(Stage::SenzaRisposta),
                Some(by) => Err(format!(
                    "il nucleo può rispondere fino al {}: la mancata risposta si registra dopo",
                    d(by)
                )),
                None => wrong(),
            }
        }
        Step::Cancel => {
            if !f.stage.is_open() {
                return wrong();
            }
            Ok(Stage::Annullata)
        }
        Step::Assign {
            number,
            date,
            lease,
        } => {
            if f.stage != Stage::Accettata {
                return wrong();
            }
            if let Some(l) = lease {
                if l < date {
                    return Err(format!(
                        "data del contratto {} precedente al provvedimento del {}",
                        d(*l),
                        d(*date)
                    ));
                }
                if *l > today {
                    return Err(format!("data del contratto {} nel futuro", d(*l)));
                }
            }
            if number.trim().is_empty() {
                return Err("numero del provvedimento mancante".into());
            }
            if number.chars().count() > 40 || number.chars().any(crate::safe_text::is_unsafe) {
                return Err("numero del provvedimento: al più 40 caratteri stampabili".into());
            }
            if *date > today {
                return Err(format!("data del provvedimento {} nel futuro", d(*date)));
            }
            if let Some(o) = f.offered_on
                && *date < o
            {
                return Err(format!(
                    "data del provvedimento {} precedente all'offerta del {}",
                    d(*date),
                    d(o)
                ));
            }
            Ok(Stage::Assegnata)
        }
        Step::Lease { date } => {
            if f.stage != Stage::Assegnata || f.lease_date.is_some() {
                return if f.lease_date.is_some() {
                    Err(format!(
                        "contratto già registrato il {}",
                        d(f.lease_date.unwrap_or(*date))
                    ))
                } else {
                    wrong()
                };
            }
            if let Some(a) = f.act_date
                && *date < a
            {
                return Err(format!(
                    "data del contratto {} precedente al provvedimento del {}",
                    d(*date),
                    d(a)
                ));
            }
            if *date > today {
                return Err(format!("data del contratto {} nel futuro", d(*date)));
            }
            Ok(Stage::Assegnata)
        }
    }
}

/// The unit's state after a step (registry label), or `None` when it does not change: IN
/// ASSEGNAZIONE from the offer, back to LIBERO when the istruttoria ends without assignment,
/// OCCUPATO with the lease.
pub fn unit_state_after(step: &Step, from: Stage) -> Option<&'static str> {
    match step {
        Step::Offer { .. } => Some("IN ASSEGNAZIONE"),
        Step::Refuse | Step::NoAnswer => Some("LIBERO"),
        Step::Cancel if from != Stage::Proposta => Some("LIBERO"),
        Step::Lease { .. } | Step::Assign { lease: Some(_), .. } => Some("OCCUPATO"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(stage: Stage) -> Facts {
        Facts {
            stage,
            proposed_on: day("2026-05-01"),
            offered_on: Some(day("2026-05-02")),
            answer_by: Some(day("2026-05-12")),
            act_date: None,
            lease_date: None,
        }
    }

    #[test]
    fn the_happy_path_and_its_counts() {
        let t = day("2026-05-05");
        let offer = Step::Offer {
            answer_by: day("2026-05-15"),
        };
        assert_eq!(next(&facts(Stage::Proposta), &offer, t), Ok(Stage::Offerta));
        assert_eq!(
            next(&facts(Stage::Offerta), &Step::Accept, t),
            Ok(Stage::Accettata)
        );
        let act = Step::Assign {
            number: "12/2026".into(),
            date: t,
            lease: None,
        };
        assert_eq!(
            next(&facts(Stage::Accettata), &act, t),
            Ok(Stage::Assegnata)
        );
        let lease = Step::Lease { date: t };
        assert_eq!(
            next(&facts(Stage::Assegnata), &lease, t),
            Ok(Stage::Assegnata)
        );
        assert_eq!(Stage::Proposta.count(), Some(Count::InProgress));
        assert_eq!(Stage::Accettata.count(), Some(Count::Used));
        assert_eq!(Stage::Rifiutata.count(), None);
        assert_eq!(
            unit_state_after(&offer, Stage::Proposta),
            Some("IN ASSEGNAZIONE")
        );
        assert_eq!(unit_state_after(&lease, Stage::Assegnata), Some("OCCUPATO"));
        assert_eq!(unit_state_after(&Step::Cancel, Stage::Proposta), None);
    }

    #[test]
    fn steps_out_of_order_or_early_are_refused() {
        let t = day("2026-05-05");
        let e = next(&facts(Stage::Proposta), &Step::Accept, t).unwrap_err();
        assert!(e.contains("stato PROPOSTA"), "{e}");
        let e = next(&facts(Stage::Offerta), &Step::NoAnswer, t).unwrap_err();
        assert!(e.contains("fino al 12/05/2026"), "{e}");
        assert_eq!(
            next(&facts(Stage::Offerta), &Step::NoAnswer, day("2026-05-13")),
            Ok(Stage::SenzaRisposta)
        );
        let e = next(
            &facts(Stage::Accettata),
            &Step::Assign {
                number: " ".into(),
                date: t,
                lease: None,
            },
            t,
        )
        .unwrap_err();
        assert!(e.contains("numero"), "{e}");
        let e = next(
            &facts(Stage::Accettata),
            &Step::Assign {
                number: "1".into(),
                date: day("2026-06-01"),
                lease: None,
            },
            t,
        )
        .unwrap_err();
        assert!(e.contains("futuro"), "{e}");
        assert!(next(&facts(Stage::Assegnata), &Step::Cancel, t).is_err());
        assert!(next(&facts(Stage::Rifiutata), &Step::Cancel, t).is_err());
        let mut leased = facts(Stage::Assegnata);
        leased.lease_date = Some(t);
        assert!(next(&leased, &Step::Lease { date: t }, t).is_err());
    }
}
