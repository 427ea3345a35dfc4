//! SQL statements as the PostgreSQL plugin handles them (vault-api-engines.md §7): the split on
//! `;` with its quirks, the `{{name}}` placeholders, identifier quoting.
//!
//! Upstream: plugins/database/postgresql/postgresql.go (NewUser, containsMultilineStatement,
//! extractQuotedStrings), go-secure-stdlib/strutil (ParseArbitraryStringSlice,
//! ParseStringSlice), sdk/database/helper/dbutil (QueryHelper, QuoteIdentifier).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `strutil.ParseArbitraryStringSlice(input, ";")` followed by the plugin's trim and skip of
/// empty pieces: the queries one stored statement runs as, in order.
///
/// Vault's helper first tries the whole text as standard base64 and, when it decodes, splits
/// the *decoded* text; then tries it as a JSON list of strings. Both quirks are kept: a
/// statement that happens to be valid base64 is run decoded, as Vault would.
pub fn split(statement: &str) -> Vec<String> {
    let mut input = statement.trim().to_string();
    if input.is_empty() {
        return Vec::new();
    }
    if let Ok(decoded) = STANDARD.decode(input.as_bytes()) {
        if let Ok(text) = String::from_utf8(decoded) {
            input = text;
        }
    }
    let pieces: Vec<String> = match serde_json::from_str::<Vec<String>>(&input) {
        Ok(list) => list,
        Err(_) => input.trim().split(';').map(str::to_string).collect(),
    };
    pieces
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The queries of creation or revocation statements: a statement holding the word `END`
/// (outside quotes, as best Vault can tell) runs whole, e.g. `DO $$ BEGIN … END $$;`;
/// every other one is split on `;`.
pub fn queries_keeping_blocks(statements: &[String]) -> Vec<String> {
    statements
        .iter()
        .flat_map(|s| {
            if contains_multiline_statement(s) {
                vec![s.clone()]
            } else {
                split(s)
            }
        })
        .collect()
}

/// The queries of renew and rotation statements: always split on `;`.
pub fn queries(statements: &[String]) -> Vec<String> {
    statements.iter().flat_map(|s| split(s)).collect()
}

/// `containsMultilineStatement`: the upper-case word `END` once quoted phrases are removed.
///
/// Upstream removes the literals in a loop that restarts from the original text each time, so
/// only the *last* literal found (double-quoted phrases first, then single-quoted ones) is
/// actually removed; kept as it is, since it decides which statements are split.
pub fn contains_multiline_statement(statement: &str) -> bool {
    let mut literals = quoted_phrases(statement, '"');
    literals.extend(quoted_phrases(statement, '\''));
    let without = match literals.last() {
        Some(last) => statement.replace(last.as_str(), ""),
        None => statement.to_string(),
    };
    has_word(&without, "END")
}

/// Non-greedy `(".*?")`/`('.*?')` matches, left to right (`.` does not match a newline).
fn quoted_phrases(text: &str, quote: char) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(quote) {
        let after = &rest[start + quote.len_utf8()..];
        let Some(len) = after.find(quote) else {
            break;
        };
        let inner = &after[..len];
        if inner.contains('\n') {
            // `.` stops at a line end: look for the next opening quote after it.
            rest = &rest[start + quote.len_utf8() + inner.find('\n').unwrap_or(0)..];
            continue;
        }
        found.push(format!("{quote}{inner}{quote}"));
        rest = &after[len + quote.len_utf8()..];
    }
    found
}

/// Go regexp `\bword\b` (ASCII word characters).
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !is_word(before) && !is_word(after)
    })
}

/// `dbutil.QueryHelper`: every `{{key}}` replaced by its value, nothing escaped.
pub fn render(query: &str, values: &BTreeMap<&str, &str>) -> String {
    values.iter().fold(query.to_string(), |q, (key, value)| {
        q.replace(&format!("{{{{{key}}}}}"), value)
    })
}

/// `dbutil.QuoteIdentifier` (pq's): double quotes around, inner double quotes doubled, and
/// the text cut at a NUL.
pub fn quote_identifier(name: &str) -> String {
    let name = name.split('\0').next().unwrap_or_default();
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_semicolons_trimmed_without_empties() {
        assert_eq!(
            split("CREATE ROLE \"{{name}}\";\n  GRANT SELECT ON t TO \"{{name}}\";  "),
            vec![
                "CREATE ROLE \"{{name}}\"",
                "GRANT SELECT ON t TO \"{{name}}\""
            ]
        );
        assert!(split("  ").is_empty());
        assert_eq!(split(";;x;"), vec!["x"]);
    }

    #[test]
    fn a_json_list_or_base64_text_is_decoded_first_as_strutil_does() {
        assert_eq!(
            split(r#"["SELECT 1", " SELECT 2 "]"#),
            vec!["SELECT 1", "SELECT 2"]
        );
        let encoded = STANDARD.encode("SELECT 1; SELECT 2");
        assert_eq!(split(&encoded), vec!["SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn a_do_block_with_end_runs_whole_and_others_split() {
        let block = "DO $$ BEGIN CREATE ROLE \"{{name}}\"; END $$;".to_string();
        let plain = "CREATE ROLE a; GRANT b TO a;".to_string();
        assert_eq!(
            queries_keeping_blocks(&[block.clone(), plain]),
            vec![block, "CREATE ROLE a".into(), "GRANT b TO a".into()]
        );
        // APPEND is not END, nor is a lower-case end.
        assert!(!contains_multiline_statement("SELECT append(x); end"));
    }

    #[test]
    fn only_the_last_quoted_literal_is_ignored_as_upstream_does() {
        // 'END' is the last literal: removed, no END left.
        assert!(!contains_multiline_statement("SELECT \"a\", 'END'"));
        // "END" is a double-quoted literal, but the single-quoted one comes last: END stays.
        assert!(contains_multiline_statement("SELECT \"END\", 'x'"));
    }

    #[test]
    fn placeholders_render_and_identifiers_quote() {
        let values = BTreeMap::from([("name", "v-root-x"), ("password", "p'w")]);
        assert_eq!(
            render(
                "CREATE ROLE \"{{name}}\" PASSWORD '{{password}}' {{other}}",
                &values
            ),
            "CREATE ROLE \"v-root-x\" PASSWORD 'p'w' {{other}}"
        );
        assert_eq!(quote_identifier("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(quote_identifier("a\0b"), "\"a\"");
    }
}
