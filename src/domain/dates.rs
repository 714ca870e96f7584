//! Calendar dates as people type them: GG/MM/AAAA (the regional platform's form), AAAA-MM-GG,
//! and GG-MM-AAAA or GG.MM.AAAA. The year is written in full: `01/05/28` is refused, not read
//! as the year 28 (chrono's `%Y` takes any number of digits), and a year outside the range a
//! field allows (`31/12/9999` for a plan window) is refused with the range.

use chrono::NaiveDate;
use std::ops::RangeInclusive;

/// Years of the dates of plans and notices.
pub const ADMIN_YEARS: RangeInclusive<i32> = 2000..=2100;

/// Years of people's dates (births, residence) and of submissions.
pub const PERSON_YEARS: RangeInclusive<i32> = 1900..=2100;

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    (s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses a date; the reason of a refusal is Italian and quotes at most an excerpt.
pub fn parse(input: &str, years: RangeInclusive<i32>) -> Result<NaiveDate, String> {
    let s = input.trim();
    let shown = crate::safe_text::excerpt(s);
    let format = || format!("'{shown}' non è una data (scrivere GG/MM/AAAA o AAAA-MM-GG)");
    if s.is_empty() {
        return Err("data mancante (scrivere GG/MM/AAAA o AAAA-MM-GG)".into());
    }
    let Some(sep) = s.chars().find(|c| matches!(c, '/' | '-' | '.')) else {
        return Err(format());
    };
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(format());
    };
    let (year_text, month, day) = if a.len() == 4 && sep == '-' {
        (*a, *b, *c)
    } else {
        (*c, *b, *a)
    };
    let (Some(month), Some(day)) = (digits(month, 1, 2), digits(day, 1, 2)) else {
        return Err(format());
    };
    let Some(year) = digits(year_text, 1, 6) else {
        return Err(format());
    };
    if year_text.len() != 4 {
        return Err(format!(
            "'{shown}': l'anno va scritto per intero con 4 cifre (ad es. {day:02}/{month:02}/20{:02})",
            year % 100
        ));
    }
    let year = year as i32;
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("'{shown}' non è una data esistente"))?;
    if !years.contains(&year) {
        return Err(format!(
            "'{shown}': anno {year} fuori dall'intervallo ammesso ({}–{})",
            years.start(),
            years.end()
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepts_the_usual_forms() {
        for s in [
            "01/05/2028",
            "1/5/2028",
            "2028-05-01",
            "01-05-2028",
            "01.05.2028",
            " 2028-5-1 ",
        ] {
            assert_eq!(parse(s, ADMIN_YEARS), Ok(d(2028, 5, 1)), "{s}");
        }
    }

    #[test]
    fn refuses_short_years_absurd_years_and_non_dates() {
        let e = parse("01/05/28", ADMIN_YEARS).unwrap_err();
        assert!(e.contains("4 cifre"), "{e}");
        assert!(e.contains("01/05/2028"), "{e}");
        let e = parse("31/12/9999", ADMIN_YEARS).unwrap_err();
        assert!(e.contains("fuori dall'intervallo"), "{e}");
        assert!(parse("31/12/1950", PERSON_YEARS).is_ok());
        assert!(parse("31/12/1950", ADMIN_YEARS).is_err());
        for s in [
            "",
            "oggi",
            "2028/05/01",
            "30/02/2028",
            "01/05-2028",
            "1/2/3/4",
            "01/05/+2028",
        ] {
            assert!(parse(s, ADMIN_YEARS).is_err(), "{s}");
        }
        let long = "1".repeat(100_000);
        assert!(parse(&long, ADMIN_YEARS).unwrap_err().len() < 200);
    }
}
