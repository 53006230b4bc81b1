//! Timestamps of release records: UTC, whole seconds, RFC 3339 (`2024-06-11T09:30:00Z`).

use crate::config::Duration;
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A point in time, UTC, to the second, written `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Parsing also takes fractional seconds (dropped) and a numeric offset (`+02:00`), which is
/// converted to UTC; years 1970 to 9999.
///
/// ```
/// use shiprail::plan::Timestamp;
/// let t: Timestamp = "2024-06-11T11:30:00.250+02:00".parse()?;
/// assert_eq!(t.to_string(), "2024-06-11T09:30:00Z");
/// assert_eq!(t.unix_seconds(), 1_718_098_200);
/// assert!("2024-02-30T00:00:00Z".parse::<Timestamp>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

/// 9999-12-31T23:59:59Z.
const MAX_SECONDS: u64 = 253_402_300_799;

impl Timestamp {
    /// The current time (the Unix epoch if the clock is before it).
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(secs.min(MAX_SECONDS))
    }

    /// The time `secs` seconds after 1970-01-01T00:00:00Z (capped at the year 9999).
    pub fn from_unix_seconds(secs: u64) -> Timestamp {
        Timestamp(secs.min(MAX_SECONDS))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> u64 {
        self.0
    }

    /// This time plus a duration.
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.saturating_add(d.as_secs()))
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = i64::try_from(self.0).unwrap_or(i64::MAX);
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Timestamp> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidEvent,
                format!(
                    "`{}` is not a timestamp: expected RFC 3339 such as `2024-06-11T09:30:00Z`",
                    s.escape_debug()
                ),
            )
            .with_input(s)
        };
        let b = s.as_bytes();
        if b.len() < 20 || !s.is_ascii() {
            return Err(bad());
        }
        let num = |range: std::ops::Range<usize>| -> Result<i64> {
            let part = &s[range];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' {
            return Err(bad());
        }
        if b[16] != b':' {
            return Err(bad());
        }
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if y < 1970 || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
            return Err(bad());
        }
        if h > 23 || mi > 59 || sec > 60 {
            return Err(bad());
        }
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            rest = &frac[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && matches!(rest.as_bytes()[0], b'+' | b'-') => {
                if rest.as_bytes()[3] != b':' {
                    return Err(bad());
                }
                let two = |part: &str| -> Result<i64> {
                    if part.bytes().all(|c| c.is_ascii_digit()) {
                        part.parse().map_err(|_| bad())
                    } else {
                        Err(bad())
                    }
                };
                let (oh, om) = (two(&rest[1..3])?, two(&rest[4..6])?);
                if oh > 23 || om > 59 {
                    return Err(bad());
                }
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                sign * (oh * 3600 + om * 60)
            }
            _ => return Err(bad()),
        };
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec.min(59) - offset;
        let secs = u64::try_from(secs).map_err(|_| bad())?;
        if secs > MAX_SECONDS {
            return Err(bad());
        }
        Ok(Timestamp(secs))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "UTC, whole seconds: `2024-06-11T09:30:00Z`."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    #[allow(clippy::unwrap_used)]
    fn timestamps() {
        let ok: &[(&str, u64, &str)] = &[
            ("1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"),
            (
                "2024-02-29T23:59:59Z",
                1_709_251_199,
                "2024-02-29T23:59:59Z",
            ),
            (
                "2024-06-11T09:30:00.123456Z",
                1_718_098_200,
                "2024-06-11T09:30:00Z",
            ),
            (
                "2024-06-11T09:30:00-01:30",
                1_718_103_600,
                "2024-06-11T11:00:00Z",
            ),
            ("2000-03-01t00:00:00z", 951_868_800, "2000-03-01T00:00:00Z"),
            (
                "9999-12-31T23:59:59Z",
                253_402_300_799,
                "9999-12-31T23:59:59Z",
            ),
        ];
        for (input, secs, shown) in ok {
            let t: Timestamp = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((t.unix_seconds(), t.to_string().as_str()), (*secs, *shown));
            assert_eq!(t.to_string().parse::<Timestamp>().ok(), Some(t));
        }
        for bad in [
            "",
            "2024-06-11",
            "2024-06-11 09:30:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-06-11T24:00:00Z",
            "2024-06-11T09:30:00",
            "2024-06-11T09:30:00+0200",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:00:00+00:01",
            "2024-06-11T09:30:00.Z",
            "２０２４-06-11T09:30:00Z",
            "2024-06-11T09:30:00Z\n",
        ] {
            let err = bad.parse::<Timestamp>().unwrap_err();
            assert_eq!(err.code(), "invalid_event", "{bad:?}");
        }
        let mut t = 0u64;
        while t < 400 * 366 * 86_400 {
            let ts = Timestamp::from_unix_seconds(t);
            assert_eq!(ts.to_string().parse::<Timestamp>().ok(), Some(ts));
            t += 86_400 * 7 + 3_601;
        }
    }
}
