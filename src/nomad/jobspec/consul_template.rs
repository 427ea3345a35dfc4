//! Finds the Vault paths a Consul Template text reads through `secret` (and lists through
//! `secrets`), so check-job can evaluate them against the task's policies.
//!
//! This is a tokenizer for Go template actions, not a Go template parser: it only needs to
//! see `secret` and what follows it. A path that is not a string literal (built with
//! `printf`, `env`, a variable …) is reported as not checkable rather than guessed.
//!
//! It also follows what the template does with each secret it reads — `.Data.data.k`,
//! `index .Data.data "k"`, `.Data.k` — through `with` blocks, `$var := secret …` and
//! `(secret …).Data…`, so check-job can compare the keys used with the keys the secret has.
//! Where the dot is not known to be a secret (inside `range`, a `define`), nothing is
//! recorded rather than guessed.

use std::ops::Range;

use crate::source::{Checkable, LineIndex};

/// Which Consul Template function names the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretFunction {
    /// `secret "path"`: a read (`read` capability), or a write when data arguments follow.
    Secret,
    /// `secrets "path"`: a list (`list` capability).
    Secrets,
}

/// One use of `secret`/`secrets` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub function: SecretFunction,
    pub path: Checkable<String>,
    /// 1-based line within the template text.
    pub line: usize,
    /// 1-based line in the jobspec file, when the template's lines map onto the file's
    /// (heredocs do; quoted strings with `\n` escapes do not).
    pub file_line: Option<usize>,
    /// `{{ secret "pki/issue/x" "common_name=foo" }}`: data arguments turn the call into a
    /// Vault write, which needs `update` rather than `read`.
    pub writes: bool,
    /// What the template reads from the secret's `.Data`.
    pub keys: Vec<KeyUse>,
}

/// One read of a secret's `.Data` in a template: `{{ index .Data.data "api-key" }}` is
/// `["data", "api-key"]`, `{{ .Data.password }}` is `["password"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    /// The field names below `.Data`, in order.
    pub segments: Vec<String>,
    /// 1-based line within the template text (mapped to the file by the caller).
    pub line: usize,
    /// 1-based line in the jobspec file, when known (see [`SecretRef::file_line`]).
    pub file_line: Option<usize>,
    /// How it was written (`.Data.data.principal-id`), for messages.
    pub written: String,
    /// Written as a field chain with a `-` in a name: Go templates do not parse it
    /// (`-` cannot be part of a field name), so the template fails to render.
    pub hyphenated_field: bool,
}

/// A reference before it is placed in a file: `path_span` lets the caller tell whether an
/// HCL interpolation falls inside the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSecretRef {
    pub(crate) function: SecretFunction,
    pub(crate) path: Checkable<String>,
    pub(crate) path_span: Option<Range<usize>>,
    pub(crate) line: usize,
    pub(crate) writes: bool,
    pub(crate) keys: Vec<KeyUse>,
}

/// Every `secret`/`secrets` use in `text`, with Consul Template's default `{{ }}` delimiters.
pub fn secret_refs(text: &str) -> Vec<SecretRef> {
    scan(text, "{{", "}}")
        .into_iter()
        .map(|raw| SecretRef {
            function: raw.function,
            path: raw.path,
            line: raw.line,
            file_line: None,
            writes: raw.writes,
            keys: raw.keys,
        })
        .collect()
}

/// The byte offset of the first action opened with `left` that is not closed with `right`
/// before the next `left` or the end of `text` (Go's text/template lexer stops there:
/// "unclosed action"). Quoted strings and comments inside an action are skipped.
pub fn unclosed_action(text: &str, left: &str, right: &str) -> Option<usize> {
    if left.is_empty() || right.is_empty() {
        return None;
    }
    let mut pos = 0;
    while let Some(found) = text.get(pos..).and_then(|rest| rest.find(left)) {
        let open = pos + found;
        let mut at = open + left.len();
        let rest = text.get(at..).unwrap_or("");
        if rest.trim_start_matches('-').trim_start().starts_with("/*") {
            // A comment runs to `*/` then the right delimiter.
            let end = rest.find("*/")?;
            at += end + 2;
            let close = text.get(at..)?.find(right)?;
            pos = at + close + right.len();
            continue;
        }
        let mut quote: Option<char> = None;
        let mut closed = None;
        let mut chars = text.get(at..).unwrap_or("").char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let here = at + i;
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '`' || c == '\'' => quote = Some(c),
                None if text.get(here..).is_some_and(|t| t.starts_with(right)) => {
                    closed = Some(here);
                    break;
                }
                None if text.get(here..).is_some_and(|t| t.starts_with(left)) => return Some(open),
                None => {}
            }
        }
        match closed {
            Some(close) => pos = close + right.len(),
            None => return Some(open),
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokenKind {
    /// A quoted or raw string literal, unescaped.
    Str(String),
    Word(String),
    Pipe,
    Open,
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: TokenKind,
    span: Range<usize>,
}

pub(crate) fn scan(text: &str, left: &str, right: &str) -> Vec<RawSecretRef> {
    let mut refs = Vec::new();
    if left.is_empty() || right.is_empty() {
        return refs;
    }
    let lines = LineIndex::new(text);
    let mut pos = 0;
    let mut dots = DotTracker::default();
    while let Some(found) = text.get(pos..).and_then(|rest| rest.find(left)) {
        let start = pos + found + left.len();
        let Some((tokens, end)) = tokenize_action(text, start, right) else {
            break;
        };
        let first_new = refs.len();
        collect_refs(text, &lines, &tokens, start..end, &mut refs);
        dots.action(&lines, &tokens, first_new, &mut refs);
        pos = end + right.len();
    }
    refs
}

/// What the dot (or a variable) is: a secret read by the ref at `.0`, at the field path `.1`
/// below it (`[]` is the secret itself, `["Data", "data"]` its KV v2 data map).
type SecretValue = (usize, Vec<String>);

/// One open block (`with`, `range`, `if`, `define` …) and the dot outside it.
struct Block {
    keyword: String,
    outside: Option<SecretValue>,
}

/// Follows the dot through blocks, and `$var := secret …` variables, across actions.
#[derive(Default)]
struct DotTracker {
    dot: Option<SecretValue>,
    blocks: Vec<Block>,
    vars: std::collections::BTreeMap<String, SecretValue>,
}

fn is_trim_marker(t: &Token) -> bool {
    matches!(&t.kind, TokenKind::Word(w) if w == "-")
}

impl DotTracker {
    fn action(
        &mut self,
        lines: &LineIndex,
        tokens: &[Token],
        first_new: usize,
        refs: &mut [RawSecretRef],
    ) {
        let tokens: Vec<&Token> = tokens.iter().filter(|t| !is_trim_marker(t)).collect();
        let keyword = match tokens.first().map(|t| &t.kind) {
            Some(TokenKind::Word(w)) => w.as_str(),
            _ => "",
        };
        // Field reads in this action are evaluated with the dot as it is before the action
        // opens or changes a block.
        self.record_reads(lines, &tokens, refs);
        let new_secret = (first_new < refs.len()).then_some(first_new);
        // The value the action's pipeline yields, when it is a secret (or part of one).
        let body = match tokens.get(1).map(|t| &t.kind) {
            Some(TokenKind::Word(v))
                if v.starts_with('$')
                    && matches!(tokens.get(2).map(|t| &t.kind), Some(TokenKind::Word(op)) if op == ":=" || op == "=") =>
            {
                3
            }
            _ => 1,
        };
        let yields = |this: &Self, from: usize| -> Option<SecretValue> {
            match tokens.get(from).map(|t| &t.kind) {
                Some(TokenKind::Word(w)) if w == "secret" => {
                    let only_call = !tokens[from..].iter().any(|t| t.kind == TokenKind::Pipe);
                    new_secret.filter(|_| only_call).map(|i| (i, Vec::new()))
                }
                Some(TokenKind::Word(w)) if tokens.len() == from + 1 => this.value_of(w),
                _ => None,
            }
        };
        match keyword {
            "end" => {
                if let Some(block) = self.blocks.pop() {
                    self.dot = block.outside;
                }
            }
            "else" => {
                let Some(block) = self.blocks.last() else {
                    return;
                };
                let outside = block.outside.clone();
                match tokens.get(1).map(|t| &t.kind) {
                    Some(TokenKind::Word(w)) if w == "with" => {
                        self.dot = yields(self, 2).or(None);
                        if let Some(b) = self.blocks.last_mut() {
                            b.keyword = "with".into();
                        }
                    }
                    Some(TokenKind::Word(w)) if w == "if" => self.dot = outside,
                    _ => {
                        if block.keyword != "if" {
                            self.dot = outside;
                        }
                    }
                }
            }
            "with" | "range" | "if" | "define" | "block" => {
                let outside = self.dot.clone();
                let value = yields(self, body);
                // `with $s := secret "p"`: the variable holds the secret too.
                if let (Some(v), true, Some(TokenKind::Word(name))) = (
                    &value,
                    keyword == "with" && body == 3,
                    tokens.get(1).map(|t| &t.kind),
                ) {
                    self.vars.insert(name.clone(), v.clone());
                }
                self.dot = match keyword {
                    "with" => value,
                    "if" => outside.clone(),
                    _ => None,
                };
                self.blocks.push(Block {
                    keyword: keyword.to_owned(),
                    outside,
                });
            }
            _ => {
                // `{{ $s := secret "p" }}`: the variable holds the secret from here on.
                if let (Some(TokenKind::Word(name)), true) =
                    (tokens.first().map(|t| &t.kind), is_assignment(&tokens))
                {
                    match yields(self, 2) {
                        Some(v) => {
                            self.vars.insert(name.clone(), v);
                        }
                        None => {
                            self.vars.remove(name);
                        }
                    }
                }
            }
        }
    }

    /// The secret value a field chain (`.Data.data`, `$s.Data`, `.`) stands for.
    fn value_of(&self, word: &str) -> Option<SecretValue> {
        let (base, rest) = if word == "." {
            (self.dot.clone()?, "")
        } else if let Some(rest) = word.strip_prefix('.') {
            (self.dot.clone()?, rest)
        } else if word.starts_with('$') {
            let (name, rest) = word.split_once('.').unwrap_or((word, ""));
            (self.vars.get(name)?.clone(), rest)
        } else {
            return None;
        };
        let (index, mut path) = base;
        path.extend(rest.split('.').filter(|s| !s.is_empty()).map(str::to_owned));
        Some((index, path))
    }

    fn record_reads(&self, lines: &LineIndex, tokens: &[&Token], refs: &mut [RawSecretRef]) {
        let line_of = |t: &Token| lines.line(t.span.start);
        let mut k = 0;
        while k < tokens.len() {
            let t = tokens[k];
            let TokenKind::Word(word) = &t.kind else {
                k += 1;
                continue;
            };
            // `(secret "p").Data.data.k`: a field chain glued to a closing parenthesis.
            let chained = k >= 4
                && tokens[k - 1].kind == TokenKind::Close
                && tokens[k - 1].span.end == t.span.start
                && word.starts_with('.');
            let value = if chained {
                let group = (k - 4, k - 3);
                match (&tokens[group.0].kind, &tokens[group.1].kind) {
                    (TokenKind::Open, TokenKind::Word(f)) if f == "secret" => {
                        paren_secret(refs, tokens, k - 3).map(|i| {
                            let mut path = Vec::new();
                            path.extend(
                                word.split('.').filter(|s| !s.is_empty()).map(str::to_owned),
                            );
                            (i, path)
                        })
                    }
                    _ => None,
                }
            } else if word == "index" {
                // `index .Data.data "k"`: the string arguments continue the field chain.
                let base = match tokens.get(k + 1).map(|t| &t.kind) {
                    Some(TokenKind::Word(w)) => self.value_of(w),
                    _ => None,
                };
                if let Some((i, mut path)) = base {
                    let mut n = k + 2;
                    let mut written = format!(
                        "index {}",
                        match &tokens[k + 1].kind {
                            TokenKind::Word(w) => w.as_str(),
                            _ => "",
                        }
                    );
                    while let Some(TokenKind::Str(key)) = tokens.get(n).map(|t| &t.kind) {
                        path.push(key.clone());
                        written.push_str(&format!(" {key:?}"));
                        n += 1;
                    }
                    push_use(refs, i, &path, line_of(t), written, false);
                    k = n;
                    continue;
                }
                None
            } else if word.len() > 1 && (word.starts_with('.') || word.starts_with('$')) {
                self.value_of(word)
            } else {
                None
            };
            if let Some((i, path)) = value {
                let hyphenated = word.split('.').skip(1).any(|s| s.contains('-'));
                push_use(refs, i, &path, line_of(t), word.clone(), hyphenated);
            }
            k += 1;
        }
    }
}

/// `$v := …` / `$v = …` at the start of an action (the pipeline starts at token 2).
fn is_assignment(tokens: &[&Token]) -> bool {
    matches!(
        (tokens.first().map(|t| &t.kind), tokens.get(1).map(|t| &t.kind)),
        (Some(TokenKind::Word(v)), Some(TokenKind::Word(op))) if v.starts_with('$') && (op == ":=" || op == "=")
    )
}

/// The ref read by the `secret` call at token `k` (inside parentheses): refs are in token
/// order, so count the `secret` words before it in this action.
fn paren_secret(refs: &[RawSecretRef], tokens: &[&Token], k: usize) -> Option<usize> {
    let in_action = tokens
        .iter()
        .filter(|t| matches!(&t.kind, TokenKind::Word(w) if w == "secret" || w == "secrets"))
        .count();
    let before = tokens[..k]
        .iter()
        .filter(|t| matches!(&t.kind, TokenKind::Word(w) if w == "secret" || w == "secrets"))
        .count();
    let index = refs.len().checked_sub(in_action)? + before;
    (index < refs.len()).then_some(index)
}

/// Records a read of `.Data…` on ref `index`; other fields of a secret (`.LeaseID`) are not
/// keys and are not recorded.
fn push_use(
    refs: &mut [RawSecretRef],
    index: usize,
    path: &[String],
    line: usize,
    written: String,
    hyphenated_field: bool,
) {
    let Some(("Data", segments)) = path.split_first().map(|(h, t)| (h.as_str(), t)) else {
        return;
    };
    if let Some(r) = refs.get_mut(index) {
        r.keys.push(KeyUse {
            segments: segments.to_vec(),
            line,
            file_line: None,
            written,
            hyphenated_field,
        });
    }
}

/// Tokens of the action starting at `start`, and the offset of its closing delimiter.
/// `None` when the action is never closed (Consul Template would fail to parse it).
fn tokenize_action(text: &str, start: usize, right: &str) -> Option<(Vec<Token>, usize)> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = start;
    // Comments are `{{/* … */}}`, optionally with trim markers; skip them whole so a
    // commented-out `secret` is not reported.
    let body_start = skip_trim_marker(text, start);
    if text[body_start..].starts_with("/*") {
        let close = text[body_start + 2..].find("*/")? + body_start + 4;
        let end = text[close..].find(right)? + close;
        return Some((tokens, end));
    }
    while i < bytes.len() {
        if text[i..].starts_with(right) {
            return Some((tokens, i));
        }
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'"' => {
                let (value, end) = go_string(text, i)?;
                tokens.push(Token {
                    kind: TokenKind::Str(value),
                    span: i..end,
                });
                i = end;
            }
            b'`' => {
                let close = text[i + 1..].find('`')? + i + 1;
                tokens.push(Token {
                    kind: TokenKind::Str(text[i + 1..close].to_owned()),
                    span: i..close + 1,
                });
                i = close + 1;
            }
            b'|' => {
                tokens.push(Token {
                    kind: TokenKind::Pipe,
                    span: i..i + 1,
                });
                i += 1;
            }
            b'(' => {
                tokens.push(Token {
                    kind: TokenKind::Open,
                    span: i..i + 1,
                });
                i += 1;
            }
            b')' => {
                tokens.push(Token {
                    kind: TokenKind::Close,
                    span: i..i + 1,
                });
                i += 1;
            }
            _ => {
                let word_start = i;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'`' | b'|' | b'(' | b')'
                    )
                    && !text[i..].starts_with(right)
                {
                    i += 1;
                }
                // Step over a whole UTF-8 character if the loop stopped inside one.
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                tokens.push(Token {
                    kind: TokenKind::Word(text[word_start..i].to_owned()),
                    span: word_start..i,
                });
            }
        }
    }
    None
}

fn skip_trim_marker(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    if rest.starts_with("- ") || rest.starts_with("-\t") || rest.starts_with("-\n") {
        start + 1 + (rest[1..].len() - rest[1..].trim_start().len())
    } else {
        start
    }
}

/// Reads a Go interpreted string starting at the opening quote; returns the unescaped value
/// and the offset after the closing quote.
fn go_string(text: &str, open: usize) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = text[open + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' => return Some((value, open + 1 + offset + 1)),
            '\n' => return None,
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

fn collect_refs(
    text: &str,
    lines: &LineIndex,
    tokens: &[Token],
    action: Range<usize>,
    refs: &mut Vec<RawSecretRef>,
) {
    for (k, token) in tokens.iter().enumerate() {
        let function = match &token.kind {
            TokenKind::Word(w) if w == "secret" => SecretFunction::Secret,
            TokenKind::Word(w) if w == "secrets" => SecretFunction::Secrets,
            _ => continue,
        };
        let line = lines.line(token.span.start);
        let not_checkable = || Checkable::NotCheckable {
            expression: text[action.clone()].trim().to_owned(),
        };
        let (path, path_span, args_from) = match tokens.get(k + 1).map(|t| &t.kind) {
            Some(TokenKind::Str(path)) => (
                Checkable::Literal(path.clone()),
                Some(tokens[k + 1].span.clone()),
                k + 2,
            ),
            // `{{ "path" | secret }}`: the piped value is the path.
            None | Some(TokenKind::Pipe) | Some(TokenKind::Close) => {
                match piped_literal(tokens, k) {
                    Some(i) => match &tokens[i].kind {
                        TokenKind::Str(path) => (
                            Checkable::Literal(path.clone()),
                            Some(tokens[i].span.clone()),
                            k + 1,
                        ),
                        _ => (not_checkable(), None, k + 1),
                    },
                    None => (not_checkable(), None, k + 1),
                }
            }
            Some(_) => (not_checkable(), None, k + 1),
        };
        let writes = function == SecretFunction::Secret
            && tokens[args_from.min(tokens.len())..]
                .iter()
                .take_while(|t| !matches!(t.kind, TokenKind::Pipe | TokenKind::Close))
                .any(|t| matches!(t.kind, TokenKind::Str(_) | TokenKind::Word(_)));
        refs.push(RawSecretRef {
            function,
            path,
            path_span,
            line,
            writes,
            keys: Vec::new(),
        });
    }
}

/// Index of a lone string literal piped into the function at `k`: `"p" | secret`, at the
/// start of the action or of a parenthesised pipeline.
fn piped_literal(tokens: &[Token], k: usize) -> Option<usize> {
    if k < 2 || tokens[k - 1].kind != TokenKind::Pipe {
        return None;
    }
    let candidate = k - 2;
    let starts_command = candidate == 0
        || matches!(
            tokens[candidate - 1].kind,
            TokenKind::Open | TokenKind::Pipe
        )
        || matches!(&tokens[candidate - 1].kind, TokenKind::Word(w) if is_pipeline_keyword(w));
    (matches!(tokens[candidate].kind, TokenKind::Str(_)) && starts_command).then_some(candidate)
}

fn is_pipeline_keyword(word: &str) -> bool {
    matches!(word, "with" | "range" | "if" | "-" | ":=" | "=") || word.starts_with('$')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal_paths(text: &str) -> Vec<(String, usize)> {
        secret_refs(text)
            .into_iter()
            .map(|r| (r.path.literal().cloned().unwrap_or_default(), r.line))
            .collect()
    }

    #[test]
    fn an_action_left_open_is_found_where_it_opens() {
        let text = "a\n{{ with secret \"x\" }\nuser={{ .Data.username }}\n{{ end }}\n";
        assert_eq!(unclosed_action(text, "{{", "}}"), Some(2));
        assert_eq!(unclosed_action("{{ .Data.x ", "{{", "}}"), Some(0));
        for closed in [
            "{{ with secret \"x\" }}{{ .Data.a }}{{ end }}",
            "{{ \"}}\" }}{{/* {{ not an action */}}",
            "no actions at all } {",
            "[[ secret \"x\" ]]",
        ] {
            assert_eq!(unclosed_action(closed, "{{", "}}"), None, "{closed}");
        }
        assert_eq!(unclosed_action("[[ secret \"x\" ]", "[[", "]]"), Some(0));
    }

    #[test]
    fn with_secret_block_yields_the_path_and_its_line() {
        let text =
            "x\n{{ with secret \"database/creds/accessdb\" }}\n{{ .Data.username }}\n{{ end }}\n";
        assert_eq!(
            literal_paths(text),
            vec![("database/creds/accessdb".to_owned(), 2)]
        );
    }

    #[test]
    fn inline_secret_calls_and_trim_markers_are_found() {
        let text = concat!(
            "A={{with secret \"secret/data/a\"}}{{.Data.data.x}}{{end}}\n",
            "B={{- with secret \"secret/data/b\" -}}{{ .Data.data.y }}{{- end -}}\n",
            "C={{ secret \"kv/c\" }}\n",
        );
        assert_eq!(
            literal_paths(text),
            vec![
                ("secret/data/a".to_owned(), 1),
                ("secret/data/b".to_owned(), 2),
                ("kv/c".to_owned(), 3),
            ]
        );
    }

    #[test]
    fn secret_with_data_arguments_is_a_write() {
        let refs =
            secret_refs(r#"{{ with secret "pki/issue/x" "common_name=foo" "ttl=1h" }}{{ end }}"#);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].path, Checkable::Literal("pki/issue/x".to_owned()));
        assert!(refs[0].writes);
        let plain = secret_refs(r#"{{ with secret "kv/a" }}{{ end }}"#);
        assert!(!plain[0].writes);
    }

    #[test]
    fn computed_paths_are_not_checkable() {
        let text = concat!(
            "{{ with secret (printf \"secret/data/%s\" (env \"NOMAD_JOB_NAME\")) }}{{ end }}\n",
            "{{ $p := \"kv/x\" }}{{ with secret $p }}{{ end }}\n",
        );
        let refs = secret_refs(text);
        assert_eq!(refs.len(), 2);
        assert!(refs.iter().all(|r| !r.path.is_checkable()));
        assert_eq!(refs[1].line, 2);
        match &refs[0].path {
            Checkable::NotCheckable { expression } => assert!(expression.contains("printf")),
            other => panic!("expected not checkable, got {other:?}"),
        }
    }

    #[test]
    fn range_over_secrets_lists_and_nested_secret_reads_are_both_reported() {
        let text = "{{ range secrets \"secret/metadata/app/\" }}\n{{ with secret (printf \"secret/data/app/%s\" .) }}{{ end }}{{ end }}";
        let refs = secret_refs(text);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].function, SecretFunction::Secrets);
        assert_eq!(
            refs[0].path,
            Checkable::Literal("secret/metadata/app/".to_owned())
        );
        assert_eq!(refs[1].function, SecretFunction::Secret);
        assert!(!refs[1].path.is_checkable());
    }

    #[test]
    fn piped_literal_path_is_read() {
        let refs = secret_refs(r#"{{ with "kv/piped" | secret }}{{ end }}"#);
        assert_eq!(refs[0].path, Checkable::Literal("kv/piped".to_owned()));
    }

    #[test]
    fn comments_strings_and_lookalike_words_are_not_secret_calls() {
        let text = concat!(
            "{{/* {{ with secret \"kv/commented\" }} */}}\n",
            "{{ .Data.secret }} {{ $secret }} secret \"kv/plain-text\"\n",
            "{{ \"with secret \\\"kv/in-string\\\"\" }}\n",
        );
        assert!(secret_refs(text).is_empty());
    }

    #[test]
    fn raw_string_paths_and_escapes_are_unquoted() {
        let refs = secret_refs("{{ secret `kv/raw` }}{{ secret \"kv/a\\\"b\" }}");
        assert_eq!(refs[0].path, Checkable::Literal("kv/raw".to_owned()));
        assert_eq!(refs[1].path, Checkable::Literal("kv/a\"b".to_owned()));
    }

    #[test]
    fn custom_delimiters_are_honoured() {
        let refs = scan(
            "[[ with secret \"kv/x\" ]]{{ secret \"kv/not\" }}",
            "[[",
            "]]",
        );
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].path, Checkable::Literal("kv/x".to_owned()));
    }

    #[test]
    fn unterminated_action_stops_the_scan_without_panicking() {
        assert!(secret_refs("{{ with secret \"kv/x").is_empty());
        assert!(secret_refs("{{ secret \"unterminated }}").is_empty());
        assert!(secret_refs("{{/* never closed").is_empty());
    }

    fn uses(text: &str) -> Vec<(String, Vec<Vec<String>>)> {
        secret_refs(text)
            .into_iter()
            .map(|r| {
                (
                    r.path.literal().cloned().unwrap_or_default(),
                    r.keys.into_iter().map(|k| k.segments).collect(),
                )
            })
            .collect()
    }

    fn segs(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|s| s.iter().map(|x| x.to_string()).collect())
            .collect()
    }

    #[test]
    fn seed_000_keys_are_read_through_index_on_data_data() {
        // seeds/000: hyphenated keys need `index` (the blog post says so).
        let text = concat!(
            "SECRET_ONE = \"{{with secret \"secret/data/hashicups-api\"}}{{index .Data.data \"api-key\"}}{{end}}\"\n",
            "SECRET_TWO = \"{{with secret \"secret/data/hashicups-api\"}}{{index .Data.data \"principal-id\"}}{{end}}\"\n",
        );
        assert_eq!(
            uses(text),
            vec![
                (
                    "secret/data/hashicups-api".into(),
                    segs(&[&["data", "api-key"]])
                ),
                (
                    "secret/data/hashicups-api".into(),
                    segs(&[&["data", "principal-id"]])
                ),
            ]
        );
    }

    #[test]
    fn field_chains_nested_with_variables_and_parenthesised_calls_are_followed() {
        let text = concat!(
            "{{ with secret \"kv/a\" }}{{ .Data.user }}{{ with .Data.data }}{{ .inner }}{{ end }}{{ .Data.after }}{{ end }}\n",
            "{{ $s := secret \"kv/b\" }}{{ $s.Data.data.k }}\n",
            "{{ (secret \"kv/c\").Data.password }}\n",
            "{{- with $t := secret \"kv/d\" -}}{{ $t.Data.x }}{{ .Data.y }}{{- end -}}\n",
        );
        assert_eq!(
            uses(text),
            vec![
                (
                    "kv/a".into(),
                    segs(&[&["user"], &["data"], &["data", "inner"], &["after"]])
                ),
                ("kv/b".into(), segs(&[&["data", "k"]])),
                ("kv/c".into(), segs(&[&["password"]])),
                ("kv/d".into(), segs(&[&["x"], &["y"]])),
            ]
        );
    }

    #[test]
    fn dot_inside_range_or_after_end_is_not_the_secret() {
        let text = concat!(
            "{{ with secret \"kv/a\" }}{{ range .Data.list }}{{ .Data.no }}{{ end }}{{ end }}{{ .Data.outside }}\n",
            "{{ with secret \"kv/b\" }}{{ .Data.yes }}{{ else }}{{ .Data.no }}{{ end }}\n",
            "{{ with secret \"kv/c\" }}{{ if .Data.flag }}{{ .Data.inside_if }}{{ end }}{{ end }}\n",
        );
        assert_eq!(
            uses(text),
            vec![
                ("kv/a".into(), segs(&[&["list"]])),
                ("kv/b".into(), segs(&[&["yes"]])),
                ("kv/c".into(), segs(&[&["flag"], &["inside_if"]])),
            ]
        );
    }

    #[test]
    fn hyphen_in_a_field_chain_is_marked_as_unparsable() {
        let refs = secret_refs(
            "{{ with secret \"secret/data/x\" }}{{ .Data.data.principal-id }}{{ end }}",
        );
        assert!(refs[0].keys[0].hyphenated_field);
        assert_eq!(refs[0].keys[0].written, ".Data.data.principal-id");
        let ok = secret_refs(
            "{{ with secret \"secret/data/x\" }}{{ index .Data.data \"principal-id\" }}{{ end }}",
        );
        assert!(!ok[0].keys[0].hyphenated_field);
    }
}
