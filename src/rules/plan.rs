//! The dates of the annual plan (DOMAIN.md 3) as rule-set parameters: the day by which the
//! capofila starts the survey (art. 4 c.2), the owners' reply deadline (art. 5, unverified)
//! and the assembly's approval. Each is a month and day of the year before the reference year;
//! a late date warns, never blocks.

use super::Sourced;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    survey_start_by: Sourced<String>,
    answers_by: Sourced<String>,
    approval_by: Sourced<String>,
}

/// A yearly date (`"10-31"`: 31 October), with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearlyDate {
    pub month: u32,
    pub day: u32,
    pub source: String,
    pub verified: bool,
}

impl YearlyDate {
    /// This date in the year before the plan's reference `year`.
    pub fn before_year(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year - 1, self.month, self.day)
    }
}

/// The plan's deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDeadlines {
    /// The capofila starts the survey (ricognizione) by this day.
    pub survey_start_by: YearlyDate,
    /// The owners reply by this day.
    pub answers_by: YearlyDate,
    /// The mayors' assembly approves the plan by this day.
    pub approval_by: YearlyDate,
}

fn yearly(key: &str, s: &Sourced<String>) -> Result<YearlyDate, (String, String)> {
    let bad = || {
        (
            key.to_string(),
            format!(
                "'{}': indicare mese e giorno come \"MM-GG\" (es. \"10-31\"; non il 29 febbraio)",
                s.value
            ),
        )
    };
    let (m, d) = s.value.trim().split_once('-').ok_or_else(bad)?;
    let (month, day): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    // A leap year would accept 29 February: every year must have the date.
    NaiveDate::from_ymd_opt(2025, month, day).ok_or_else(bad)?;
    Ok(YearlyDate {
        month,
        day,
        source: s.source.clone(),
        verified: s.verified,
    })
}

pub(super) fn convert(raw: &RawPlan) -> Result<PlanDeadlines, (String, String)> {
    Ok(PlanDeadlines {
        survey_start_by: yearly("plan.survey_start_by", &raw.survey_start_by)?,
        answers_by: yearly("plan.answers_by", &raw.answers_by)?,
        approval_by: yearly("plan.approval_by", &raw.approval_by)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Sourced<String> {
        Sourced {
            value: v.into(),
            source: "x".into(),
            verified: true,
        }
    }

    #[test]
    fn month_and_day_of_the_year_before() {
        let d = yearly("k", &s("10-31")).unwrap();
        assert_eq!(d.before_year(2026), NaiveDate::from_ymd_opt(2025, 10, 31));
        for bad in ["31-10", "02-29", "1031", "10-", "x-1"] {
            assert!(yearly("k", &s(bad)).is_err(), "{bad}");
        }
    }
}
