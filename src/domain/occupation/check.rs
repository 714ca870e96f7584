//! The five-year check (L.R. 16/2016 art. 22 c.1 f; DOMAIN.md 5 and 7): a household any of
//! whose members is in the register of occupations without title for an occupation that ran at
//! any time in the look-back before the application's submission is refused access. The
//! look-back (years, and whether its first day counts) is a rule-set parameter.
//!
//! The register is read once per computation into a map by codice fiscale, so the check of each
//! member is one lookup; one application's check (an explanation, an import report) looks its
//! members up in the database's index instead.

use crate::domain::application::{Application, Failure};
use crate::rules::ranking::OccupationLookback;
use chrono::{Months, NaiveDate};
use std::collections::HashMap;

/// Requirement code of the failure (stored with the exclusions).
pub const REQUIREMENT: &str = "OCCUPAZIONE";

/// One occupation as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// What the reason quotes: "ALER Milano, occupazione OCC-2021-0042".
    pub reference: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

/// The register by codice fiscale (occupants and their household members).
#[derive(Debug, Clone, Default)]
pub struct Register {
    spans: Vec<Span>,
    by_tax_code: HashMap<String, Vec<u32>>,
}

impl Register {
    /// Adds an occupation with the codici fiscali it names.
    pub fn add<'a>(&mut self, span: Span, tax_codes: impl IntoIterator<Item = &'a str>) {
        let i = self.spans.len() as u32;
        self.spans.push(span);
        for cf in tax_codes {
            let v = self.by_tax_code.entry(cf.to_string()).or_default();
            if !v.contains(&i) {
                v.push(i);
            }
        }
    }

    /// The occupations naming `tax_code`.
    pub fn spans<'a>(&'a self, tax_code: &str) -> impl Iterator<Item = &'a Span> + 'a {
        self.by_tax_code
            .get(tax_code)
            .into_iter()
            .flatten()
            .map(|i| &self.spans[*i as usize])
    }

    pub fn occupations(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// The first day of the look-back before `submitted`: the same day `years` years earlier (29
/// February goes to 28 February in a common year).
pub fn window_start(submitted: NaiveDate, lookback: &OccupationLookback) -> NaiveDate {
    submitted
        .checked_sub_months(Months::new(12 * lookback.years))
        .unwrap_or(NaiveDate::MIN)
}

/// Whether `span` ran at some time in the look-back before `submitted`: it started on or
/// before the submission day and had not ended before the window's first day (ended on that
/// day it counts when the rule set says the boundary is included). An occupation still open
/// counts whenever it started.
pub fn counts(span: &Span, submitted: NaiveDate, lookback: &OccupationLookback) -> bool {
    let from = window_start(submitted, lookback);
    span.started_on <= submitted
        && match span.ended_on {
            None => true,
            Some(e) if lookback.boundary_included => e >= from,
            Some(e) => e > from,
        }
}

fn period(s: &Span) -> String {
    match s.ended_on {
        Some(e) => format!(
            "dal {} al {}",
            s.started_on.format("%d/%m/%Y"),
            e.format("%d/%m/%Y")
        ),
        None => format!("dal {}, in corso", s.started_on.format("%d/%m/%Y")),
    }
}

/// The failure of `app` against `register`, if any member is found: each hit names the member
/// by position and relationship (never by codice fiscale: the reason is shown to whoever reads
/// the exclusions) and the occupation by its reference and period.
pub fn failure(
    app: &Application,
    register: &Register,
    lookback: &OccupationLookback,
    cite: &str,
) -> Option<Failure> {
    failure_before(
        app,
        register,
        lookback,
        cite,
        app.submitted_at.date(),
        Moment::Submission,
    )
}

/// When a requirement is checked: access requirements hold at the submission and again at
/// the assignment (the look-back then ends on the act's date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Submission,
    Assignment,
}

/// The failure of `app` against `register` in the look-back that ends on `on`.
pub fn failure_before(
    app: &Application,
    register: &Register,
    lookback: &OccupationLookback,
    cite: &str,
    on: NaiveDate,
    moment: Moment,
) -> Option<Failure> {
    if register.is_empty() {
        return None;
    }
    let submitted = on;
    let mut hits = Vec::new();
    for (i, m) in app.members.iter().enumerate() {
        for s in register.spans(&m.tax_code) {
            if counts(s, submitted, lookback) {
                hits.push(format!(
                    "componente n. {} ({}): {} ({})",
                    i + 1,
                    m.relationship.db().to_lowercase(),
                    s.reference,
                    period(s)
                ));
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let shown = hits.len().min(3);
    let more = match hits.len() - shown {
        0 => String::new(),
        n => format!(" e altre {n}"),
    };
    let from = window_start(submitted, lookback).format("%d/%m/%Y");
    let window = if lookback.boundary_included {
        format!("dal {from} compreso")
    } else {
        format!("dopo il {from}")
    };
    Some(Failure {
        requirement: REQUIREMENT,
        reason: format!(
            "nel registro delle occupazioni senza titolo nei {} anni prima {} del {} ({window}): {}{more} ({cite})",
            lookback.years,
            match moment {
                Moment::Submission => "della presentazione",
                Moment::Assignment => "dell'assegnazione",
            },
            submitted.format("%d/%m/%Y"),
            hits[..shown].join("; "),
        ),
    })
}
