//! Durations the three ways nvctl meets them.
//!
//! * **Vault** accepts integer seconds, numeric strings, a `d` suffix (`3d`) and Go durations
//!   (vault-api.md §0 "Durations and lists") and answers in integer seconds.
//! * **Nomad** parses `task_token_ttl` with Go's `time.ParseDuration`: no `d` unit, a leading
//!   `-` is accepted, and its error texts end up verbatim in Nomad's start-up error
//!   (`failed to parse TaskTokenTTL %q: %v`), so [`parse_go`] reproduces them exactly.
//! * **nvctl's flags** take what Vault takes but refuse negatives and malformed input with one
//!   message that says what to type instead ([`parse_flag_seconds`]); the bootstrap file's
//!   periods too.
//!
//! These are the only duration parsers of nvctl: Vault's answers are read with
//! [`parse_vault_str`] (`vault::parse_duration_secs`), role files with [`parse_vault_json`],
//! Nomad's agent settings (`task_token_ttl`, `default_identity.ttl`) with [`parse_go`]. (The
//! sandboxes, the other side of the wire, keep their own.)

use std::fmt;

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// A Go `time.Duration`: signed nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GoDuration(pub i64);

impl GoDuration {
    pub const fn from_secs(secs: i64) -> Self {
        GoDuration(secs.saturating_mul(SECOND as i64))
    }

    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// Whole seconds, truncated toward zero (what Vault stores).
    pub const fn whole_secs(self) -> i64 {
        self.0 / SECOND as i64
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// `Duration.String()` exactly: `5m0s`, `72h0m0s`, `1.5s`, `300ms`, `0s`, `-1h0m0s`.
impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_go(*self))
    }
}

/// Go's `time.ParseDuration` failed; `Display` is Go's own error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoDurationError {
    /// `time: invalid duration "x"`
    Invalid { input: String },
    /// `time: missing unit in duration "x"`
    MissingUnit { input: String },
    /// `time: unknown unit "u" in duration "x"`
    UnknownUnit { unit: String, input: String },
}

impl fmt::Display for GoDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoDurationError::Invalid { input } => {
                write!(f, "time: invalid duration {}", go_time_quote(input))
            }
            GoDurationError::MissingUnit { input } => {
                write!(f, "time: missing unit in duration {}", go_time_quote(input))
            }
            GoDurationError::UnknownUnit { unit, input } => write!(
                f,
                "time: unknown unit {} in duration {}",
                go_time_quote(unit),
                go_time_quote(input)
            ),
        }
    }
}

impl std::error::Error for GoDurationError {}

/// The `quote` helper of Go's `time` package: double quotes, `"` and `\` escaped, bytes
/// outside printable ASCII as `\xNN` (Go escapes runes below space and non-UTF-8 bytes; this
/// keeps the common cases identical and never panics).
fn go_time_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => NANOSECOND,
        // Go accepts the micro sign (U+00B5) and the Greek mu (U+03BC).
        "us" | "\u{b5}s" | "\u{3bc}s" => MICROSECOND,
        "ms" => MILLISECOND,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

const LIMIT: u64 = 1 << 63;

/// Go's `leadingInt`: digits into a u64, `None` on overflow past 2^63.
fn leading_int(s: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > LIMIT {
            return None;
        }
        i += 1;
    }
    Some((x, i))
}

/// Go's `leadingFraction`: digits after the dot; past overflow, further digits are ignored.
fn leading_fraction(s: &[u8]) -> (u64, f64, usize) {
    let mut x: u64 = 0;
    let mut scale = 1.0f64;
    let mut overflow = false;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > (LIMIT - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > LIMIT {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, i)
}

/// Go's `time.ParseDuration`, same grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, same limits,
/// same error texts.
pub fn parse_go(input: &str) -> Result<GoDuration, GoDurationError> {
    let invalid = || GoDurationError::Invalid {
        input: input.to_string(),
    };
    let mut s = input.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first() {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            s = &s[1..];
        }
    }
    if s == b"0" {
        return Ok(GoDuration(0));
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let (mut v, used) = leading_int(s).ok_or_else(invalid)?;
        let pre = used > 0;
        s = &s[used..];
        let mut frac = 0u64;
        let mut scale = 1.0f64;
        let mut post = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let (f, sc, used) = leading_fraction(s);
            frac = f;
            scale = sc;
            post = used > 0;
            s = &s[used..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(GoDurationError::MissingUnit {
                input: input.to_string(),
            });
        }
        let unit_bytes = &s[..unit_len];
        s = &s[unit_len..];
        // The unit ends at an ASCII byte or at the end, so it is a whole UTF-8 sequence.
        let unit_str = String::from_utf8_lossy(unit_bytes).into_owned();
        let unit = unit_nanos(&unit_str).ok_or_else(|| GoDurationError::UnknownUnit {
            unit: unit_str.clone(),
            input: input.to_string(),
        })?;
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if frac > 0 {
            // Go uses float64 here too, to stay nanosecond-accurate for fractions of hours.
            v += (frac as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        total += v;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        // total <= 2^63, so the negation fits (i64::MIN at the edge).
        return Ok(GoDuration((total as i128).wrapping_neg() as i64));
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(GoDuration(total as i64))
}

/// Go's `fmtFrac`: the fraction of `v / 10^prec` without trailing zeros (and without the dot
/// when it is zero). Returns the text and the integer part.
fn fmt_frac(v: u64, prec: u32) -> (String, u64) {
    let mut digits = Vec::new();
    let mut printed = false;
    let mut v = v;
    for _ in 0..prec {
        let digit = v % 10;
        printed = printed || digit != 0;
        if printed {
            digits.push(b'0' + digit as u8);
        }
        v /= 10;
    }
    if printed {
        digits.push(b'.');
    }
    digits.reverse();
    (String::from_utf8_lossy(&digits).into_owned(), v)
}

/// Go's `Duration.String()`.
pub fn format_go(d: GoDuration) -> String {
    let neg = d.0 < 0;
    let u = d.0.unsigned_abs();
    let mut out = String::new();
    if u < SECOND {
        if u == 0 {
            return "0s".to_string();
        }
        let (prec, unit) = if u < MICROSECOND {
            (0, "ns")
        } else if u < MILLISECOND {
            (3, "\u{b5}s")
        } else {
            (6, "ms")
        };
        let (frac, int) = fmt_frac(u, prec);
        out.push_str(&int.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (frac, secs) = fmt_frac(u, 9);
        let s_part = format!("{}{}s", secs % 60, frac);
        let mins = secs / 60;
        if mins > 0 {
            let hours = mins / 60;
            if hours > 0 {
                out.push_str(&format!("{hours}h"));
            }
            out.push_str(&format!("{}m", mins % 60));
        }
        out.push_str(&s_part);
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// Whole seconds as Go prints them: `259200` → `72h0m0s`.
pub fn format_go_secs(secs: u64) -> String {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX / SECOND as i64);
    format_go(GoDuration::from_secs(secs))
}

/// A compact human form of whole seconds: `3d`, `1h30m`, `45s`, `0s`. Days appear only when
/// the value is a whole number of days, since `72h` is what operators type for the server
/// token.
pub fn format_friendly(secs: u64) -> String {
    if secs == 0 {
        return "0s".to_string();
    }
    if secs % 86_400 == 0 {
        return format!("{}d", secs / 86_400);
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// A value Vault would not take as a duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultDurationError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for VaultDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid duration {:?}: {}", self.input, self.reason)
    }
}

impl std::error::Error for VaultDurationError {}

/// A duration as Vault's `parseutil.ParseDurationSecond` reads a string: empty is 0, an
/// integer is seconds, `<int>d` is days, anything else goes to Go's parser. Sub-second
/// remainders are truncated as Vault does. May be negative (Vault decides per field).
pub fn parse_vault_str(input: &str) -> Result<i64, VaultDurationError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(0);
    }
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    if let Some(days) = s.strip_suffix('d') {
        return days
            .parse::<i64>()
            .ok()
            .and_then(|d| d.checked_mul(86_400))
            .ok_or_else(|| VaultDurationError {
                input: input.to_string(),
                reason: "a day count must be a whole number, such as 3d".to_string(),
            });
    }
    parse_go(s)
        .map(GoDuration::whole_secs)
        .map_err(|e| VaultDurationError {
            input: input.to_string(),
            reason: e.to_string(),
        })
}

/// A JSON value in a duration field, as Vault's field parser accepts it: a number (seconds,
/// fractions truncated) or a string per [`parse_vault_str`].
pub fn parse_vault_json(value: &serde_json::Value) -> Result<i64, VaultDurationError> {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if let Some(f) = n.as_f64().filter(|f| f.is_finite() && f.abs() < 9.2e18) {
                Ok(f.trunc() as i64)
            } else {
                Err(VaultDurationError {
                    input: n.to_string(),
                    reason: "number out of range".to_string(),
                })
            }
        }
        serde_json::Value::String(s) => parse_vault_str(s),
        other => Err(VaultDurationError {
            input: other.to_string(),
            reason: "expected a number of seconds or a string such as \"72h\"".to_string(),
        }),
    }
}

/// A duration given on nvctl's command line or in nvctl's own files was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagDurationError {
    pub input: String,
    pub problem: FlagDurationProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagDurationProblem {
    Malformed,
    Negative,
    SubSecond,
}

impl fmt::Display for FlagDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = "use a number of seconds or a Go duration such as 72h or 1h30m";
        match self.problem {
            FlagDurationProblem::Malformed => {
                write!(f, "invalid duration {:?}: {hint}", self.input)
            }
            FlagDurationProblem::Negative => {
                write!(
                    f,
                    "invalid duration {:?}: must not be negative; {hint}",
                    self.input
                )
            }
            FlagDurationProblem::SubSecond => write!(
                f,
                "invalid duration {:?}: Vault counts whole seconds; {hint}",
                self.input
            ),
        }
    }
}

impl std::error::Error for FlagDurationError {}

/// Parse a duration flag (`--period 72h`, `--explicit-max-ttl 0`) into whole seconds.
/// Accepts what Vault accepts (`259200`, `3d`, `72h`, `1h30m`, `1.5h`); refuses negatives,
/// malformed text and a non-zero sub-second remainder, with a message that says what to type.
pub fn parse_flag_seconds(input: &str) -> Result<u64, FlagDurationError> {
    let err = |problem| FlagDurationError {
        input: input.to_string(),
        problem,
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(err(FlagDurationProblem::Malformed));
    }
    if s.starts_with('-') {
        // Check it parses at all first, so "-abc" reads as malformed rather than negative.
        let malformed = parse_vault_str(s).is_err();
        return Err(err(if malformed {
            FlagDurationProblem::Malformed
        } else {
            FlagDurationProblem::Negative
        }));
    }
    if s.parse::<u64>().is_ok()
        || s.strip_suffix('d')
            .is_some_and(|d| d.parse::<u64>().is_ok())
    {
        return parse_vault_str(s)
            .ok()
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| err(FlagDurationProblem::Malformed));
    }
    let d = parse_go(s).map_err(|_| err(FlagDurationProblem::Malformed))?;
    if d.nanos() % SECOND as i64 != 0 {
        return Err(err(FlagDurationProblem::SubSecond));
    }
    u64::try_from(d.whole_secs()).map_err(|_| err(FlagDurationProblem::Negative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_go_accepts_go_grammar() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("-0", 0),
            ("+0", 0),
            ("5s", 5 * SECOND as i64),
            ("30s", 30 * SECOND as i64),
            ("1478s", 1478 * SECOND as i64),
            ("-5s", -5 * SECOND as i64),
            ("+5s", 5 * SECOND as i64),
            ("-0s", 0),
            ("5.0s", 5 * SECOND as i64),
            ("5.6s", 5 * SECOND as i64 + 600 * MILLISECOND as i64),
            ("5.s", 5 * SECOND as i64),
            (".5s", 500 * MILLISECOND as i64),
            ("1.0s", SECOND as i64),
            ("1.00s", SECOND as i64),
            ("1.004s", SECOND as i64 + 4 * MILLISECOND as i64),
            ("100.00100s", 100 * SECOND as i64 + MILLISECOND as i64),
            ("10ns", 10),
            ("11us", 11 * MICROSECOND as i64),
            ("12\u{b5}s", 12 * MICROSECOND as i64),
            ("12\u{3bc}s", 12 * MICROSECOND as i64),
            ("13ms", 13 * MILLISECOND as i64),
            ("14s", 14 * SECOND as i64),
            ("15m", 15 * MINUTE as i64),
            ("16h", 16 * HOUR as i64),
            ("72h", 72 * HOUR as i64),
            ("1h30m", (HOUR + 30 * MINUTE) as i64),
            ("1.5h", (HOUR + 30 * MINUTE) as i64),
            ("3h30m", (3 * HOUR + 30 * MINUTE) as i64),
            (
                "10.5s4m",
                (4 * MINUTE + 10 * SECOND + 500 * MILLISECOND) as i64,
            ),
            (
                "-2m3.4s",
                -((2 * MINUTE + 3 * SECOND + 400 * MILLISECOND) as i64),
            ),
            (
                "1h2m3s4ms5us6ns",
                (HOUR + 2 * MINUTE + 3 * SECOND + 4 * MILLISECOND + 5 * MICROSECOND + 6) as i64,
            ),
            (
                "39h9m14.425s",
                (39 * HOUR + 9 * MINUTE + 14 * SECOND + 425 * MILLISECOND) as i64,
            ),
            ("52763797000ns", 52763797000),
            ("0.3333333333333333333h", 20 * MINUTE as i64),
            ("9007199254740993ns", (1i64 << 53) + 1),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("0.100000000000000000000h", 6 * MINUTE as i64),
            (
                "0.830103483285477580700h",
                (49 * MINUTE + 48 * SECOND + 372539827) as i64,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_go(input), Ok(GoDuration(*want)), "input {input}");
        }
    }

    #[test]
    fn parse_go_errors_read_like_go() {
        let cases: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("3", r#"time: missing unit in duration "3""#),
            ("-", r#"time: invalid duration "-""#),
            ("s", r#"time: invalid duration "s""#),
            (".", r#"time: invalid duration ".""#),
            ("-.", r#"time: invalid duration "-.""#),
            (".s", r#"time: invalid duration ".s""#),
            ("+.s", r#"time: invalid duration "+.s""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            ("3d", r#"time: unknown unit "d" in duration "3d""#),
            (
                "72hours",
                r#"time: unknown unit "hours" in duration "72hours""#,
            ),
            ("1h30", r#"time: missing unit in duration "1h30""#),
            (" 1h", r#"time: invalid duration " 1h""#),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            (
                "9223372036854775.808us",
                r#"time: invalid duration "9223372036854775.808us""#,
            ),
            (
                "9223372036854ms775us808ns",
                r#"time: invalid duration "9223372036854ms775us808ns""#,
            ),
            (
                "-9223372036854775809ns",
                r#"time: invalid duration "-9223372036854775809ns""#,
            ),
        ];
        for (input, want) in cases {
            let err = parse_go(input).expect_err(input);
            assert_eq!(err.to_string(), *want, "input {input:?}");
        }
    }

    #[test]
    fn format_go_matches_duration_string() {
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1100, "1.1\u{b5}s"),
            (2200 * MICROSECOND as i64, "2.2ms"),
            (3300 * MILLISECOND as i64, "3.3s"),
            ((4 * MINUTE + 5 * SECOND) as i64, "4m5s"),
            ((4 * MINUTE + 5001 * MILLISECOND) as i64, "4m5.001s"),
            (
                (5 * HOUR + 6 * MINUTE + 7001 * MILLISECOND) as i64,
                "5h6m7.001s",
            ),
            ((8 * MINUTE) as i64 + 1, "8m0.000000001s"),
            (5 * MINUTE as i64, "5m0s"),
            (72 * HOUR as i64, "72h0m0s"),
            (HOUR as i64, "1h0m0s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
            (-(HOUR as i64), "-1h0m0s"),
        ];
        for (nanos, want) in cases {
            assert_eq!(format_go(GoDuration(*nanos)), *want);
            assert_eq!(GoDuration(*nanos).to_string(), *want);
        }
    }

    #[test]
    fn go_parse_then_format_round_trips_seed_values() {
        for (input, want) in [
            ("1h", "1h0m0s"),
            ("72h", "72h0m0s"),
            ("5m", "5m0s"),
            ("90s", "1m30s"),
        ] {
            assert_eq!(parse_go(input).unwrap().to_string(), want);
        }
        assert_eq!(format_go_secs(259_200), "72h0m0s");
    }

    #[test]
    fn vault_strings_accept_seconds_days_and_go_durations() {
        let cases: &[(&str, i64)] = &[
            ("", 0),
            ("0", 0),
            ("3600", 3600),
            ("259200", 259_200),
            ("3d", 259_200),
            ("72h", 259_200),
            ("1h30m", 5400),
            ("90s", 90),
            ("1.5h", 5400),
            (" 72h ", 259_200),
            ("1500ms", 1),
            ("-1h", -3600),
        ];
        for (input, want) in cases {
            assert_eq!(parse_vault_str(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn vault_strings_refuse_garbage_with_the_go_reason() {
        let err = parse_vault_str("72hours").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid duration "72hours": time: unknown unit "hours" in duration "72hours""#
        );
        assert!(parse_vault_str("1.5d").is_err());
        assert!(parse_vault_str("xd").is_err());
    }

    #[test]
    fn vault_json_accepts_numbers_and_strings_only() {
        use serde_json::json;
        assert_eq!(parse_vault_json(&json!(259200)), Ok(259_200));
        assert_eq!(parse_vault_json(&json!(1.9)), Ok(1));
        assert_eq!(parse_vault_json(&json!("72h")), Ok(259_200));
        assert!(parse_vault_json(&json!(true)).is_err());
        assert!(parse_vault_json(&json!(["72h"])).is_err());
        assert!(parse_vault_json(&json!(null)).is_err());
    }

    #[test]
    fn flag_durations_take_vault_forms() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("259200", 259_200),
            ("72h", 259_200),
            ("3d", 259_200),
            ("1h30m", 5400),
            ("1.5h", 5400),
            ("90s", 90),
        ];
        for (input, want) in cases {
            assert_eq!(parse_flag_seconds(input), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn flag_durations_refuse_malformed_with_a_hint() {
        let err = parse_flag_seconds("72hours").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid duration \"72hours\": use a number of seconds or a Go duration such as 72h or 1h30m"
        );
        for bad in ["", "h", "72 h", "1h30", "abc", "-abc", "3.5d"] {
            assert_eq!(
                parse_flag_seconds(bad).unwrap_err().problem,
                FlagDurationProblem::Malformed,
                "input {bad:?}"
            );
        }
    }

    #[test]
    fn flag_durations_refuse_negative_and_sub_second() {
        let err = parse_flag_seconds("-1h").unwrap_err();
        assert_eq!(err.problem, FlagDurationProblem::Negative);
        assert!(err.to_string().contains("must not be negative"));
        assert_eq!(
            parse_flag_seconds("-5").unwrap_err().problem,
            FlagDurationProblem::Negative
        );
        assert_eq!(
            parse_flag_seconds("1500ms").unwrap_err().problem,
            FlagDurationProblem::SubSecond
        );
    }

    #[test]
    fn friendly_form_prefers_days_when_whole() {
        assert_eq!(format_friendly(0), "0s");
        assert_eq!(format_friendly(259_200), "3d");
        assert_eq!(format_friendly(5400), "1h30m");
        assert_eq!(format_friendly(3600), "1h");
        assert_eq!(format_friendly(45), "45s");
        assert_eq!(format_friendly(3661), "1h1m1s");
    }
}
