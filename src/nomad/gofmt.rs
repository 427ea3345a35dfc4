//! Go's formatting, reproduced where Nomad's messages depend on it: `%q` on strings and
//! string slices, `%v` on string slices, and go-multierror's list format. Findings quote
//! Nomad verbatim, so these must match byte for byte.

use std::fmt::Display;

/// Go's `%q` on a string (`strconv.Quote`): double quotes, escapes for `"`, `\`, control
/// characters; printable Unicode is kept as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let v = c as u32;
                if v <= 0xffff {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` on a `[]string`: `["update" "root"]`.
pub fn go_quote_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s.as_ref())).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%v` on a `[]string`: `[deny]`, `[read update]`, `[]` for nil or empty.
pub fn go_list<S: AsRef<str>>(items: &[S]) -> String {
    let plain: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("[{}]", plain.join(" "))
}

/// go-multierror's default format, as Nomad logs it after
/// `failed to validate self token/role and not retrying: `:
/// `1 error occurred:\n\t* x\n\n` or `2 errors occurred:\n\t* a\n\t* b\n\n`.
/// Empty input gives the empty string (Nomad logs nothing then).
pub fn multierror<S: Display>(errors: &[S]) -> String {
    match errors.len() {
        0 => String::new(),
        1 => format!("1 error occurred:\n\t* {}\n\n", errors[0]),
        n => {
            let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
            format!("{n} errors occurred:\n\t{}\n\n", points.join("\n\t"))
        }
    }
}

/// Nomad's whole start-up log line for a token/role validation failure.
pub fn validation_log_line<S: Display>(errors: &[S]) -> String {
    format!(
        "failed to validate self token/role and not retrying: {}",
        multierror(errors)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_quote_escapes_like_strconv_quote() {
        assert_eq!(go_quote("nomad-cluster"), r#""nomad-cluster""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("a\nb\tc"), r#""a\nb\tc""#);
        assert_eq!(go_quote("\u{1}"), r#""\x01""#);
        assert_eq!(go_quote("µs"), "\"µs\"");
        assert_eq!(go_quote(""), r#""""#);
    }

    #[test]
    fn go_quote_list_matches_percent_q_on_slices() {
        assert_eq!(go_quote_list(&["update", "root"]), r#"["update" "root"]"#);
        assert_eq!(go_quote_list::<&str>(&[]), "[]");
    }

    #[test]
    fn go_list_matches_percent_v_on_slices() {
        assert_eq!(go_list(&["deny"]), "[deny]");
        assert_eq!(go_list(&["read", "update"]), "[read update]");
        assert_eq!(go_list::<String>(&[]), "[]");
    }

    #[test]
    fn multierror_formats_one_and_many() {
        assert_eq!(
            multierror(&["token TTL is zero"]),
            "1 error occurred:\n\t* token TTL is zero\n\n"
        );
        assert_eq!(
            multierror(&["a", "b"]),
            "2 errors occurred:\n\t* a\n\t* b\n\n"
        );
        assert_eq!(multierror::<&str>(&[]), "");
        assert!(validation_log_line(&["x"])
            .starts_with("failed to validate self token/role and not retrying: 1 error occurred:"));
    }
}
