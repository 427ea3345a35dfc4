//! Nomad's clock: the wall clock shifted by a signed offset that tests set, so a sandbox can
//! play a Nomad whose clock is skewed against Vault's (seed 004's "Token immediately invalid").
//!
//! Everything the agent stamps with a time goes through [`Clock::now`]: the `Date` header,
//! token `CreateTime`/`ExpirationTime`, and the `iat`/`nbf`/`exp` of the identities it signs.
//! Also here: the text forms Go gives times and durations (`time.Time.MarshalJSON`,
//! `time.Duration.String`, `time.ParseDuration`), which Nomad's JSON carries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Default, Clone, Copy)]
pub struct Clock {
    /// Nanoseconds added to the wall clock (negative: Nomad is behind).
    offset_nanos: i128,
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        shift(SystemTime::now(), self.offset_nanos)
    }

    pub fn set_offset(&mut self, ahead: Duration, negative: bool) {
        let nanos = i128::try_from(ahead.as_nanos()).unwrap_or(i128::MAX);
        self.offset_nanos = if negative { -nanos } else { nanos };
    }

    /// The offset in nanoseconds (negative: behind the wall clock).
    pub fn offset_nanos(&self) -> i128 {
        self.offset_nanos
    }
}

fn shift(t: SystemTime, nanos: i128) -> SystemTime {
    let magnitude = Duration::from_nanos(u64::try_from(nanos.unsigned_abs()).unwrap_or(u64::MAX));
    if nanos >= 0 {
        t.checked_add(magnitude).unwrap_or(t)
    } else {
        t.checked_sub(magnitude).unwrap_or(UNIX_EPOCH)
    }
}

/// Seconds since the epoch (JWT NumericDate).
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Nanoseconds since the epoch (Nomad's `SubmitTime`, key `CreateTime`).
pub fn unix_nanos(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The `Date` header Go's net/http writes: `Mon, 02 Jan 2006 15:04:05 GMT`.
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// `time.Time.MarshalJSON` in UTC (RFC 3339 with trailing zeros of the fraction dropped):
/// `2017-08-23T22:47:14.695408057Z`, `2017-08-23T22:47:14Z`.
pub fn go_time(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let rem = secs % 86_400;
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    let nanos = since.subsec_nanos();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// The zero `time.Time` as Go prints it.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Parses an RFC 3339 time as Go's `time.Time.UnmarshalJSON` accepts it; `None` for Go's
/// zero time (and anything before the epoch, which Nomad never has for a real token).
pub fn parse_go_time(text: &str) -> Result<Option<SystemTime>, String> {
    let bad = || format!("parsing time {text:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse");
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<i64, String> {
        text.get(range)
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    let mut nanos: i64 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(bad());
        }
        let padded = format!("{:0<9}", &digits[..digits.len().min(9)]);
        nanos = padded.parse().map_err(|_| bad())?;
        rest = &frac[digits.len()..];
    }
    let offset_secs = match rest {
        "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            let h: i64 = zone[1..3].parse().map_err(|_| bad())?;
            let m: i64 = zone[4..6].parse().map_err(|_| bad())?;
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    if secs < 0 {
        return Ok(None);
    }
    let secs = u64::try_from(secs).map_err(|_| bad())?;
    let nanos = u32::try_from(nanos).map_err(|_| bad())?;
    Ok(Some(UNIX_EPOCH + Duration::new(secs, nanos)))
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Go's `time.Duration.String()`: `1h0m0s`, `1m30s`, `1.5s`, `20ms`, `0s`.
pub fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let negative = nanos < 0;
    let n = nanos.unsigned_abs();
    let body = if n < 1_000_000_000 {
        let (unit, div) = if n < 1_000 {
            ("ns", 1)
        } else if n < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        format!("{}{unit}", fraction(n, div))
    } else {
        let hours = n / 3_600_000_000_000;
        let minutes = n / 60_000_000_000 % 60;
        let secs = fraction(n % 60_000_000_000, 1_000_000_000);
        if hours > 0 {
            format!("{hours}h{minutes}m{secs}s")
        } else if minutes > 0 {
            format!("{minutes}m{secs}s")
        } else {
            format!("{secs}s")
        }
    };
    if negative {
        format!("-{body}")
    } else {
        body
    }
}

fn fraction(n: u64, div: u64) -> String {
    let whole = n / div;
    let rest = n % div;
    if rest == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration` (units ns, us, µs, ms, s, m, h; decimals; a sign), in
/// nanoseconds. The error is Go's text.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(text));
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {}", go_quote(text))),
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(other),
                    go_quote(text)
                ))
            }
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    #[allow(clippy::cast_possible_truncation)]
    let nanos = total.round() as i64;
    Ok(if negative { -nanos } else { nanos })
}

/// Go's `%q`/`strconv.Quote` for the plain strings that appear in error messages.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_drops_trailing_zeros_of_the_fraction() {
        assert_eq!(go_time(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::new(1_503_528_434, 695_408_000);
        assert_eq!(go_time(t), "2017-08-23T22:47:14.695408Z");
        assert_eq!(parse_go_time(&go_time(t)).unwrap(), Some(t));
        assert_eq!(parse_go_time(GO_ZERO_TIME).unwrap(), None);
        assert!(parse_go_time("yesterday").is_err());
    }

    #[test]
    fn go_durations_print_and_parse_like_go() {
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(20_000_000), "20ms");
        assert_eq!(go_duration(0), "0s");
        assert_eq!(parse_go_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_go_duration("-1.5s").unwrap(), -1_500_000_000);
        assert_eq!(
            parse_go_duration("10").unwrap_err(),
            "time: missing unit in duration \"10\""
        );
        assert_eq!(
            parse_go_duration("1d").unwrap_err(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
    }

    #[test]
    fn offset_moves_now_both_ways() {
        let mut clock = Clock::default();
        clock.set_offset(Duration::from_secs(600), true);
        let behind = SystemTime::now()
            .duration_since(clock.now())
            .unwrap_or_default();
        assert!(behind >= Duration::from_secs(599));
        assert_eq!(clock.offset_nanos(), -600_000_000_000);
    }
}
