//! Numbers, counts and dates as an Italian operator reads them: `5.457`, `88,29`, "1 alloggio"
//! and "2 alloggi", `06/12/2026`, times in the operator's time zone.

use chrono::{DateTime, Local, NaiveDate};

/// A whole number with dots between thousands: `50.000`, `-1.250`.
pub fn int(n: i64) -> String {
    let digits = crate::safe_text::thousands(n.unsigned_abs());
    if n < 0 { format!("-{digits}") } else { digits }
}

/// A decimal number with a comma and `places` decimals, thousands dotted: `1.088,29`.
pub fn decimal(v: f64, places: usize) -> String {
    let fixed = format!("{:.*}", places, v.abs());
    let (whole, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let whole: u64 = whole.parse().unwrap_or(0);
    let sign = if v < 0.0 && fixed.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        "-"
    } else {
        ""
    };
    let whole = crate::safe_text::thousands(whole);
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole},{frac}")
    }
}

/// A count with its noun, singular for one: "1 alloggio", "0 alloggi", "5.457 alloggi".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", int(n), if n == 1 { one } else { many })
}

/// A date as GG/MM/AAAA.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A stored instant (RFC 3339, UTC) as GG/MM/AAAA HH:MM:SS in the operator's time zone; an
/// unreadable value is shown as stored.
pub fn instant(at: &str) -> String {
    instant_with(at, "%d/%m/%Y %H:%M:%S")
}

/// As `instant`, to the minute: GG/MM/AAAA HH:MM.
pub fn instant_short(at: &str) -> String {
    instant_with(at, "%d/%m/%Y %H:%M")
}

/// As `instant`, with "alle" between date and time, for sentences.
pub fn instant_in_words(at: &str) -> String {
    instant_with(at, "%d/%m/%Y alle %H:%M:%S")
}

fn instant_with(at: &str, pattern: &str) -> String {
    match DateTime::parse_from_rfc3339(at) {
        Ok(t) => t.with_timezone(&Local).format(pattern).to_string(),
        Err(_) => at.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(5457), "5.457");
        assert_eq!(int(50_000), "50.000");
        assert_eq!(int(-1250), "-1.250");
        assert_eq!(decimal(88.29, 2), "88,29");
        assert_eq!(decimal(1088.294, 2), "1.088,29");
        assert_eq!(decimal(-0.001, 2), "0,00");
        assert_eq!(decimal(-3.5, 1), "-3,5");
        assert_eq!(decimal(7.0, 0), "7");
    }

    #[test]
    fn singular_for_one() {
        assert_eq!(count(1, "alloggio", "alloggi"), "1 alloggio");
        assert_eq!(count(0, "alloggio", "alloggi"), "0 alloggi");
        assert_eq!(count(5457, "componente", "componenti"), "5.457 componenti");
    }

    #[test]
    fn dates_and_local_times() {
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            "06/12/2026"
        );
        let shown = instant("2026-12-06T03:33:07Z");
        let local = DateTime::parse_from_rfc3339("2026-12-06T03:33:07Z")
            .unwrap()
            .with_timezone(&Local);
        assert_eq!(shown, local.format("%d/%m/%Y %H:%M:%S").to_string());
        assert!(!shown.contains('T') && !shown.contains('Z'), "{shown}");
        assert_eq!(instant("ieri"), "ieri");
    }
}
