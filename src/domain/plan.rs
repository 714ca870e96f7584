//! The annual plan card (SCHEDA PROGRAMMAZIONE ANNUALE) and its lifecycle (DOMAIN.md 3.2):
//! BOZZA → APERTO → CHIUSO → APPROVATO, Riapri (CHIUSO → APERTO with a new end date), Annulla
//! (any state but APPROVATO). Pure: the caller passes today's date.

use crate::rules::plan::{PlanDeadlines, YearlyDate};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PlanState {
    #[serde(rename = "BOZZA")]
    Draft,
    #[serde(rename = "APERTO")]
    Open,
    #[serde(rename = "CHIUSO")]
    Closed,
    #[serde(rename = "APPROVATO")]
    Approved,
    #[serde(rename = "ANNULLATO")]
    Cancelled,
}

impl PlanState {
    pub const ALL: [PlanState; 5] = [
        PlanState::Draft,
        PlanState::Open,
        PlanState::Closed,
        PlanState::Approved,
        PlanState::Cancelled,
    ];

    /// Stored value and Italian label (the platform shows the same words).
    pub fn db(self) -> &'static str {
        match self {
            PlanState::Draft => "BOZZA",
            PlanState::Open => "APERTO",
            PlanState::Closed => "CHIUSO",
            PlanState::Approved => "APPROVATO",
            PlanState::Cancelled => "ANNULLATO",
        }
    }

    pub fn from_db(s: &str) -> Option<PlanState> {
        PlanState::ALL.into_iter().find(|p| p.db() == s)
    }
}

impl fmt::Display for PlanState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.db())
    }
}

/// What the lifecycle needs of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub year: i32,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub state: PlanState,
}

/// An action of the plan card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAction {
    Open,
    Close,
    Reopen { end: NaiveDate },
    Approve,
    Cancel,
}

impl PlanAction {
    /// Name used in the audit trail and the state history.
    pub fn code(self) -> &'static str {
        match self {
            PlanAction::Open => "apri",
            PlanAction::Close => "chiudi",
            PlanAction::Reopen { .. } => "riapri",
            PlanAction::Approve => "approva",
            PlanAction::Cancel => "annulla",
        }
    }
}

/// An allowed transition: the new state and end date, with warnings to show (never blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub to: PlanState,
    pub end: NaiveDate,
    pub warnings: Vec<String>,
}

/// Why a plan action or card was refused; `Display` is the Italian reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRefused(pub String);

impl fmt::Display for PlanRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanRefused {}

fn it(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The plan's deadlines: parameters of the rule set of the plan's year (DOMAIN.md 3). `None`
/// when no rule set covers the year or its file predates them.
fn deadlines(year: i32) -> Option<&'static PlanDeadlines> {
    crate::rules::for_plan(year).ok()?.plan.as_ref()
}

/// The short citation of a deadline: its source up to the first colon.
fn cite(d: &YearlyDate) -> String {
    let c = d.source.split(':').next().unwrap_or_default().trim();
    if d.verified {
        c.to_string()
    } else {
        format!("{c}, non verificato")
    }
}

/// The day by which the capofila starts the survey (art. 4 c.2).
pub fn survey_start_deadline(year: i32) -> Option<NaiveDate> {
    deadlines(year)?.survey_start_by.before_year(year)
}

/// The owners' reply deadline (art. 5; unverified in the shipped rule sets).
pub fn answer_deadline(year: i32) -> Option<NaiveDate> {
    deadlines(year)?.answers_by.before_year(year)
}

/// The day by which the mayors' assembly approves the plan.
pub fn approval_deadline(year: i32) -> Option<NaiveDate> {
    deadlines(year)?.approval_by.before_year(year)
}

/// The warning for a window starting after the day the capofila must start the survey.
pub fn late_start_warning(year: i32, start: NaiveDate) -> Option<String> {
    let d = &deadlines(year)?.survey_start_by;
    let deadline = d.before_year(year)?;
    (start > deadline).then(|| {
        format!(
            "Attenzione: la ricognizione per il piano {year} inizia il {}, dopo il {}: il Comune capofila avvia la ricognizione entro quel giorno ({})",
            it(start),
            it(deadline),
            cite(d)
        )
    })
}

/// The warning for a window ending after the owners' reply deadline, if it does.
pub fn late_end_warning(year: i32, end: NaiveDate) -> Option<String> {
    let d = &deadlines(year)?.answers_by;
    let deadline = d.before_year(year)?;
    (end > deadline).then(|| {
        format!(
            "Attenzione: finestra fino al {}, oltre il {}, termine per le risposte degli enti per il piano {year} ({})",
            it(end),
            it(deadline),
            cite(d)
        )
    })
}

/// The warning for a plan approved on `on`, after the assembly's deadline.
pub fn late_approval_warning(year: i32, on: NaiveDate, past: bool) -> Option<String> {
    let d = &deadlines(year)?.approval_by;
    let deadline = d.before_year(year)?;
    (on > deadline).then(|| {
        format!(
            "Attenzione: {} dopo il {}, termine per l'approvazione del piano {year} ({})",
            if past { "approvato" } else { "approvazione" },
            it(deadline),
            cite(d)
        )
    })
}

/// Years a plan's window may be away from its reference year. A late window only warns; one
/// ending decades after the plan's year (31/12/2099 for 2027) is a typing mistake.
const WINDOW_YEARS_AWAY: i32 = 5;

/// The dates a plan's window may take: within `WINDOW_YEARS_AWAY` years of the reference year.
pub fn window_range(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year - WINDOW_YEARS_AWAY, 1, 1)?,
        NaiveDate::from_ymd_opt(year + WINDOW_YEARS_AWAY, 12, 31)?,
    ))
}

fn check_in_window_range(year: i32, what: &str, date: NaiveDate) -> Result<(), PlanRefused> {
    let Some((first, last)) = window_range(year) else {
        return Err(PlanRefused(format!(
            "anno di riferimento {year} non valido"
        )));
    };
    if date < first || date > last {
        return Err(PlanRefused(format!(
            "la data di {what} ({}) è fuori dal periodo possibile per il piano {year} (dal {} al {})",
            it(date),
            it(first),
            it(last)
        )));
    }
    Ok(())
}

/// Checks a new end of the window of a plan of `year` (the screen checks it before asking).
pub fn check_window_end(year: i32, end: NaiveDate) -> Result<(), PlanRefused> {
    check_in_window_range(year, "fine", end)
}

/// A field of the plan card, for saying which one a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardField {
    Year,
    Start,
    End,
}

/// Checks a new plan card's fields; returns the warnings.
pub fn check_card(year: i32, start: NaiveDate, end: NaiveDate) -> Result<Vec<String>, PlanRefused> {
    check_card_fields(year, start, end).map_err(|(_, e)| e)
}

/// As `check_card`, naming the field a refusal is about (the screen puts the cursor there).
pub fn check_card_fields(
    year: i32,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<String>, (CardField, PlanRefused)> {
    if !(2000..=2100).contains(&year) {
        return Err((
            CardField::Year,
            PlanRefused(format!("anno di riferimento {year} non valido (2000-2100)")),
        ));
    }
    check_in_window_range(year, "inizio comunicazione", start)
        .map_err(|e| (CardField::Start, e))?;
    check_in_window_range(year, "fine comunicazione", end).map_err(|e| (CardField::End, e))?;
    if end < start {
        return Err((
            CardField::End,
            PlanRefused(format!(
                "la data di fine comunicazione ({}) precede la data di inizio ({})",
                it(end),
                it(start)
            )),
        ));
    }
    Ok(late_start_warning(year, start)
        .into_iter()
        .chain(late_end_warning(year, end))
        .collect())
}

impl Window {
    /// The state as the dates make it: an open window whose end date has passed is closed.
    pub fn effective_state(&self, today: NaiveDate) -> PlanState {
        if self.state == PlanState::Open && today > self.end {
            PlanState::Closed
        } else {
            self.state
        }
    }

    /// Whether owners may file today, or why not.
    pub fn check_filing(&self, today: NaiveDate) -> Result<(), PlanRefused> {
        match self.effective_state(today) {
            PlanState::Open if today < self.start => Err(PlanRefused(format!(
                "la finestra di comunicazione si apre il {}: non è ancora possibile trasmettere",
                it(self.start)
            ))),
            PlanState::Open => Ok(()),
            PlanState::Draft => Err(PlanRefused(
                "la finestra di comunicazione non è ancora stata aperta dal Comune capofila".into(),
            )),
            PlanState::Closed => Err(PlanRefused(format!(
                "la finestra di comunicazione è chiusa (fine il {}): non è possibile trasmettere",
                it(self.end)
            ))),
            PlanState::Approved => Err(PlanRefused(
                "il piano è approvato: non è possibile trasmettere".into(),
            )),
            PlanState::Cancelled => Err(PlanRefused(
                "il piano è annullato: non è possibile trasmettere".into(),
            )),
        }
    }

    /// Applies `action` on `today`, or says why it is refused.
    pub fn apply(&self, action: PlanAction, today: NaiveDate) -> Result<Transition, PlanRefused> {
        let state = self.effective_state(today);
        let refuse = |why: &str| Err(PlanRefused(why.to_string()));
        let ok = |to: PlanState, end: NaiveDate, warnings: Vec<String>| {
            Ok(Transition { to, end, warnings })
        };
        match action {
            PlanAction::Open => match state {
                PlanState::Draft if self.end < today => Err(PlanRefused(format!(
                    "la data di fine comunicazione ({}) è già passata: correggerla prima di aprire la finestra",
                    it(self.end)
                ))),
                PlanState::Draft => ok(PlanState::Open, self.end, Vec::new()),
                PlanState::Open => refuse("la finestra di comunicazione è già aperta"),
                PlanState::Closed => refuse(
                    "la finestra è chiusa: per riaprirla usare Riapri con una nuova data di fine",
                ),
                PlanState::Approved => refuse("il piano è approvato: non può essere modificato"),
                PlanState::Cancelled => refuse("il piano è annullato"),
            },
            PlanAction::Close => match state {
                // Closing early moves the end date to today (never before the start date).
                PlanState::Open => ok(
                    PlanState::Closed,
                    self.end.min(today).max(self.start),
                    Vec::new(),
                ),
                PlanState::Draft => refuse("la finestra non è stata aperta: non può essere chiusa"),
                PlanState::Closed => refuse("la finestra di comunicazione è già chiusa"),
                PlanState::Approved => refuse("il piano è approvato: non può essere modificato"),
                PlanState::Cancelled => refuse("il piano è annullato"),
            },
            PlanAction::Reopen { end } => match state {
                PlanState::Closed if end < today => Err(PlanRefused(format!(
                    "la nuova data di fine ({}) è già passata",
                    it(end)
                ))),
                PlanState::Closed => {
                    check_in_window_range(self.year, "fine", end)?;
                    ok(
                        PlanState::Open,
                        end,
                        late_end_warning(self.year, end).into_iter().collect(),
                    )
                }
                PlanState::Draft | PlanState::Open => {
                    refuse("solo un piano con la finestra chiusa può essere riaperto")
                }
                PlanState::Approved => {
                    refuse("il piano è approvato: per correggerlo creare una revisione")
                }
                PlanState::Cancelled => refuse("il piano è annullato"),
            },
            PlanAction::Approve => match state {
                PlanState::Closed => {
                    let warnings = late_approval_warning(self.year, today, false)
                        .into_iter()
                        .collect();
                    ok(PlanState::Approved, self.end, warnings)
                }
                PlanState::Draft | PlanState::Open => {
                    refuse("Il piano può essere approvato solo dopo la chiusura della finestra")
                }
                PlanState::Approved => refuse("il piano è già approvato"),
                PlanState::Cancelled => refuse("il piano è annullato"),
            },
            PlanAction::Cancel => match state {
                PlanState::Approved => refuse(
                    "un piano approvato non può essere annullato: per correggerlo creare una revisione",
                ),
                PlanState::Cancelled => refuse("il piano è già annullato"),
                _ => ok(PlanState::Cancelled, self.end, Vec::new()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn w(state: PlanState) -> Window {
        Window {
            year: 2026,
            start: d(2025, 9, 1),
            end: d(2025, 10, 31),
            state,
        }
    }

    const TODAY: fn() -> NaiveDate = || d(2025, 10, 1);

    #[test]
    fn the_happy_path() {
        let t = w(PlanState::Draft)
            .apply(PlanAction::Open, TODAY())
            .unwrap();
        assert_eq!(t.to, PlanState::Open);
        let t = w(PlanState::Open)
            .apply(PlanAction::Close, TODAY())
            .unwrap();
        assert_eq!((t.to, t.end), (PlanState::Closed, TODAY()));
        let t = w(PlanState::Closed)
            .apply(PlanAction::Approve, d(2025, 12, 1))
            .unwrap();
        assert_eq!(t.to, PlanState::Approved);
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn approval_only_after_the_window() {
        for s in [PlanState::Draft, PlanState::Open] {
            let e = w(s).apply(PlanAction::Approve, TODAY()).unwrap_err();
            assert_eq!(
                e.0,
                "Il piano può essere approvato solo dopo la chiusura della finestra"
            );
        }
        // An open window whose end date passed is closed by the date.
        let t = w(PlanState::Open)
            .apply(PlanAction::Approve, d(2025, 11, 2))
            .unwrap();
        assert_eq!(t.to, PlanState::Approved);
    }

    #[test]
    fn late_approval_and_late_window_warn() {
        let t = w(PlanState::Closed)
            .apply(PlanAction::Approve, d(2026, 2, 1))
            .unwrap();
        assert!(t.warnings[0].contains("31/12/2025"), "{:?}", t.warnings);
        let warnings = check_card(2026, d(2025, 9, 1), d(2025, 11, 15)).unwrap();
        assert!(warnings[0].contains("31/10/2025"), "{warnings:?}");
        assert_eq!(warnings.len(), 1, "started in time");
        assert!(
            check_card(2026, d(2025, 9, 1), d(2025, 10, 31))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn reopen_needs_a_closed_window_and_a_future_end() {
        let t = w(PlanState::Closed)
            .apply(
                PlanAction::Reopen {
                    end: d(2025, 10, 20),
                },
                TODAY(),
            )
            .unwrap();
        assert_eq!((t.to, t.end), (PlanState::Open, d(2025, 10, 20)));
        assert!(
            w(PlanState::Closed)
                .apply(
                    PlanAction::Reopen {
                        end: d(2025, 9, 20)
                    },
                    TODAY()
                )
                .is_err()
        );
        for s in [
            PlanState::Draft,
            PlanState::Open,
            PlanState::Approved,
            PlanState::Cancelled,
        ] {
            assert!(
                w(s).apply(
                    PlanAction::Reopen {
                        end: d(2025, 10, 20)
                    },
                    TODAY()
                )
                .is_err()
            );
        }
    }

    #[test]
    fn cancel_anything_but_approved() {
        for s in [PlanState::Draft, PlanState::Open, PlanState::Closed] {
            assert_eq!(
                w(s).apply(PlanAction::Cancel, TODAY()).unwrap().to,
                PlanState::Cancelled
            );
        }
        assert!(
            w(PlanState::Approved)
                .apply(PlanAction::Cancel, TODAY())
                .is_err()
        );
        assert!(
            w(PlanState::Cancelled)
                .apply(PlanAction::Cancel, TODAY())
                .is_err()
        );
    }

    #[test]
    fn filing_only_inside_an_open_window() {
        assert!(w(PlanState::Open).check_filing(TODAY()).is_ok());
        assert!(w(PlanState::Open).check_filing(d(2025, 8, 31)).is_err());
        assert!(w(PlanState::Open).check_filing(d(2025, 11, 1)).is_err());
        for s in [
            PlanState::Draft,
            PlanState::Closed,
            PlanState::Approved,
            PlanState::Cancelled,
        ] {
            assert!(w(s).check_filing(TODAY()).is_err());
        }
    }

    #[test]
    fn card_checks() {
        assert!(check_card(2026, d(2025, 10, 1), d(2025, 9, 1)).is_err());
        // A late window (even in the reference year) only warns: the survey started after
        // 31/10 (art. 4 c.2) and the window ends after the owners' reply deadline (art. 5).
        let w = check_card(2026, d(2026, 3, 1), d(2026, 4, 1)).unwrap();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("art. 4 c.2") && w[1].contains("art. 5"),
            "{w:?}"
        );
        assert!(check_card(1999, d(1998, 1, 1), d(1998, 2, 1)).is_err());
    }

    fn any_state() -> impl Strategy<Value = PlanState> {
        prop::sample::select(PlanState::ALL.to_vec())
    }

    fn any_action() -> impl Strategy<Value = PlanAction> {
        prop_oneof![
            Just(PlanAction::Open),
            Just(PlanAction::Close),
            Just(PlanAction::Approve),
            Just(PlanAction::Cancel),
            (0i64..120).prop_map(|n| PlanAction::Reopen {
                end: d(2025, 9, 1) + chrono::Days::new(n as u64)
            }),
        ]
    }

    proptest! {
        /// Approved and cancelled plans never change; every allowed move follows DOMAIN.md 3.2.
        #[test]
        fn lifecycle_moves_only_along_the_graph(state in any_state(), action in any_action(), day in 0u64..150) {
            let today = d(2025, 8, 1) + chrono::Days::new(day);
            let window = w(state);
            let from = window.effective_state(today);
            if let Ok(t) = window.apply(action, today) {
                let allowed = matches!(
                    (from, t.to),
                    (PlanState::Draft, PlanState::Open)
                        | (PlanState::Open, PlanState::Closed)
                        | (PlanState::Closed, PlanState::Open)
                        | (PlanState::Closed, PlanState::Approved)
                        | (PlanState::Draft | PlanState::Open | PlanState::Closed, PlanState::Cancelled)
                );
                prop_assert!(allowed, "{from:?} -> {:?} by {action:?}", t.to);
                prop_assert!(t.to != PlanState::Open || t.end >= today);
                prop_assert!(t.end >= window.start);
            }
            if matches!(state, PlanState::Approved | PlanState::Cancelled) {
                prop_assert!(window.apply(action, today).is_err());
            }
        }
    }
}
