//! Parsing Vault ACL policy text the way Vault does (vault-api.md §3, hashicorp/vault
//! `vault/policy.go`), but reporting every problem at once with `file:line`, before anything
//! is sent to Vault.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use hcl::edit::parser::parse_body;
use hcl::edit::repr::Span;
use hcl::edit::structure::{Attribute, Block, Structure};

use crate::source::LineIndex;

/// Capabilities Vault and OpenBao know (`subscribe`/`recover` are Vault's, `scan` OpenBao's).
pub const KNOWN_CAPABILITIES: &[&str] = &[
    "create",
    "read",
    "update",
    "delete",
    "list",
    "patch",
    "sudo",
    "deny",
    "subscribe",
    "recover",
    "scan",
];

/// Keys Vault accepts inside a `path` block.
pub const PATH_KEYS: &[&str] = &[
    "comment",
    "policy",
    "capabilities",
    "allowed_parameters",
    "denied_parameters",
    "required_parameters",
    "min_wrapping_ttl",
    "max_wrapping_ttl",
    "mfa_methods",
    "control_group",
    "subscribe_event_types",
];

/// A policy name as Vault stores it (trimmed, lower-cased: vault/policy_store.go lower-cases
/// every name), or why Vault would refuse it: empty, `root` (vault-api.md §3: `cannot update
/// "root" policy`), or holding a `/`. The one check of a policy name, wherever one is given.
pub fn policy_name(name: &str) -> Result<String, String> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err("invalid policy name: it must not be empty".into());
    }
    if name == "root" {
        return Err("invalid policy name \"root\": Vault's root policy cannot be written".into());
    }
    if name.contains('/') {
        return Err(format!(
            "invalid policy name {name:?}: it must not contain '/'"
        ));
    }
    Ok(name)
}

/// One problem in a policy file, located when possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

/// One `path` block.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRule {
    /// The path as Vault stores it: a leading `/` stripped, a trailing `*` kept.
    pub path: String,
    /// Capabilities, de-duplicated and sorted; just `["deny"]` when deny is present, as
    /// Vault keeps it. Legacy `policy = "read"` is expanded.
    pub capabilities: Vec<String>,
    /// Other keys (`allowed_parameters`, …) as values, for comparison.
    pub extras: BTreeMap<String, hcl::Value>,
    /// 1-based line of the block in the source (0 when built by hand).
    pub line: usize,
}

impl PathRule {
    /// Contains an identity template (`{{identity.…}}`): Vault fills it per token.
    pub fn is_templated(&self) -> bool {
        self.path.contains("{{")
    }
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDoc {
    pub name: Option<String>,
    pub rules: Vec<PathRule>,
    /// Things Vault accepts but that are probably not what the author meant.
    pub warnings: Vec<PolicyError>,
}

struct Ctx<'a> {
    /// Built once per file: finding a block's line by rescanning the text from its start made
    /// parsing quadratic (16,000 paths took 6 s; BENCHMARKS.md "Policy text").
    lines: LineIndex,
    file: &'a str,
    errors: Vec<PolicyError>,
    warnings: Vec<PolicyError>,
}

impl Ctx<'_> {
    fn at(&self, span: Option<std::ops::Range<usize>>, message: String) -> PolicyError {
        let line = self.lines.line_of(span);
        PolicyError {
            file: self.file.to_string(),
            line,
            column: None,
            message,
        }
    }
    fn error(&mut self, span: Option<std::ops::Range<usize>>, message: String) {
        let e = self.at(span, message);
        self.errors.push(e);
    }
    fn warn(&mut self, span: Option<std::ops::Range<usize>>, message: String) {
        let e = self.at(span, message);
        self.warnings.push(e);
    }
}

fn legacy_policy(p: &str) -> Option<&'static [&'static str]> {
    Some(match p {
        "deny" => &["deny"],
        "read" => &["read", "list"],
        "write" => &["create", "read", "update", "delete", "list"],
        "sudo" => &["create", "read", "update", "delete", "list", "sudo"],
        _ => return None,
    })
}

/// Dedup, sort, and collapse to `["deny"]` when deny is present.
fn settle_capabilities(caps: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = caps.into_iter().collect();
    if set.contains("deny") {
        return vec!["deny".to_string()];
    }
    set.into_iter().collect()
}

/// Checks on the path text itself (vault-api.md §3 wildcard rules).
fn check_path_text(ctx: &mut Ctx<'_>, span: Option<std::ops::Range<usize>>, path: &str) {
    if path.contains("+*") {
        ctx.error(
            span.clone(),
            format!("path {path:?}: invalid use of wildcards ('+*' is forbidden)"),
        );
    }
    let body = path.strip_suffix('*').unwrap_or(path);
    if body.contains('*') {
        ctx.warn(
            span.clone(),
            format!("path {path:?}: '*' is a wildcard only at the end of a path; here Vault matches it literally"),
        );
    }
    for seg in path.split('/') {
        if seg.contains('+') && seg != "+" && !seg.starts_with("{{") && seg != "+*" {
            ctx.warn(
                span.clone(),
                format!("path {path:?}: '+' is a wildcard only as a whole segment (a/+/b); here Vault matches it literally"),
            );
            break;
        }
    }
}

fn parse_path_block(ctx: &mut Ctx<'_>, block: &Block) -> Option<PathRule> {
    let span = block.span();
    let line = ctx.lines.line_of(span.clone()).unwrap_or(0);
    if block.labels.len() != 1 {
        ctx.error(
            span,
            "a path block needs exactly one label: path \"secret/data/app\" { … }".to_string(),
        );
        return None;
    }
    let raw = block.labels[0].as_str();
    let path = raw.strip_prefix('/').unwrap_or(raw).to_string();
    check_path_text(ctx, span.clone(), &path);
    let mut caps: Vec<String> = Vec::new();
    let mut extras = BTreeMap::new();
    let mut ok = true;
    let mut saw_caps = false;
    for structure in block.body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                let aspan = attr.span();
                match key {
                    "capabilities" => {
                        saw_caps = true;
                        ok &= read_capabilities(ctx, &path, attr, &mut caps);
                    }
                    "policy" => {
                        match attr.value.as_str() {
                            Some(p) => match legacy_policy(p) {
                                Some(list) => caps.extend(list.iter().map(|s| s.to_string())),
                                None => {
                                    ctx.error(aspan, format!("path {raw:?}: invalid policy {p:?}"));
                                    ok = false;
                                }
                            },
                            None => {
                                ctx.error(
                                aspan,
                                format!("path {raw:?}: \"policy\" must be a string such as \"read\""),
                            );
                                ok = false;
                            }
                        }
                    }
                    k if PATH_KEYS.contains(&k) => {
                        let expr: hcl::Expression = attr.value.clone().into();
                        let value = hcl::Value::from(expr);
                        if let Err(problem) = check_extra(k, &value) {
                            ctx.error(aspan, format!("path {raw:?}: {problem}"));
                            ok = false;
                        }
                        extras.insert(k.to_string(), value);
                    }
                    other => {
                        ctx.error(
                            aspan,
                            format!(
                                "path {raw:?}: invalid key {other:?} (valid keys: {})",
                                PATH_KEYS.join(", ")
                            ),
                        );
                        ok = false;
                    }
                }
            }
            Structure::Block(inner) => {
                let key = inner.ident.as_str();
                if key == "control_group"
                    || key == "allowed_parameters"
                    || key == "denied_parameters"
                {
                    // Vault's HCL1 allows these as blocks; keep them for comparison only.
                    let body: hcl::Body = inner.body.clone().into();
                    extras.insert(
                        key.to_string(),
                        hcl::Value::from(hcl::to_string(&body).unwrap_or_default()),
                    );
                } else {
                    ctx.error(
                        inner.span(),
                        format!(
                            "path {raw:?}: invalid key {key:?} (valid keys: {})",
                            PATH_KEYS.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    if !saw_caps && caps.is_empty() && ok {
        ctx.warn(
            span,
            format!("path {raw:?}: no capabilities: this block grants nothing"),
        );
    }
    ok.then(|| PathRule {
        path,
        capabilities: settle_capabilities(caps),
        extras,
        line,
    })
}

/// The values Vault parses itself when it reads a path block (hashicorp/vault
/// `vault/policy.go` parsePaths: `parseutil.ParseDurationSecond` on the wrapping TTLs, "error
/// parsing min_wrapping_ttl"), so that Vault's 400 becomes a `file:line` here.
fn check_extra(key: &str, value: &hcl::Value) -> Result<(), String> {
    if key != "min_wrapping_ttl" && key != "max_wrapping_ttl" {
        return Ok(());
    }
    let json = serde_json::to_value(value).map_err(|e| format!("{key}: {e}"))?;
    crate::duration::parse_vault_json(&json)
        .map(drop)
        .map_err(|e| format!("{key}: {e} (a duration such as \"5m\" or a number of seconds)"))
}

fn read_capabilities(
    ctx: &mut Ctx<'_>,
    raw: &str,
    attr: &Attribute,
    caps: &mut Vec<String>,
) -> bool {
    let span = attr.span();
    let Some(array) = attr.value.as_array() else {
        ctx.error(
            span,
            format!("path {raw:?}: capabilities must be a list such as [\"read\", \"list\"]"),
        );
        return false;
    };
    let mut ok = true;
    for item in array.iter() {
        match item.as_str() {
            Some(c) if KNOWN_CAPABILITIES.contains(&c) => caps.push(c.to_string()),
            Some(c) => {
                let hint = if KNOWN_CAPABILITIES.contains(&c.to_lowercase().as_str()) {
                    format!(" (capabilities are lower case: {:?})", c.to_lowercase())
                } else if c == "write" {
                    " (use \"create\" and \"update\")".to_string()
                } else if c == "root" {
                    " (root is never written in a policy)".to_string()
                } else {
                    String::new()
                };
                ctx.error(
                    item.span().or(span.clone()),
                    format!("path {raw:?}: invalid capability {c:?}{hint}"),
                );
                ok = false;
            }
            None => {
                ctx.error(
                    item.span().or(span.clone()),
                    format!("path {raw:?}: capabilities must be strings"),
                );
                ok = false;
            }
        }
    }
    ok
}

/// Parse policy text (HCL, or JSON as Vault's HCL1 parser also accepts) into a
/// [`PolicyDoc`], or every problem found, each with `file:line`.
pub fn parse_policy(text: &str, file_label: &str) -> Result<PolicyDoc, Vec<PolicyError>> {
    if text.trim_start().starts_with('{') {
        return parse_policy_json(text, file_label);
    }
    let body = match parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            let loc = e.location();
            return Err(vec![PolicyError {
                file: file_label.to_string(),
                line: Some(loc.line()),
                column: Some(loc.column()),
                message: format!("HCL syntax: {}", e.message()),
            }]);
        }
    };
    let mut ctx = Ctx {
        lines: LineIndex::new(text),
        file: file_label,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut doc = PolicyDoc::default();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) if attr.key.as_str() == "name" => {
                match attr.value.as_str() {
                    Some(n) => doc.name = Some(n.to_string()),
                    None => ctx.error(attr.span(), "\"name\" must be a string".to_string()),
                }
            }
            Structure::Attribute(attr) => {
                let key = attr.key.as_str().to_string();
                ctx.error(
                    attr.span(),
                    format!(
                        "invalid key {key:?}: a policy holds only \"path\" blocks (and \"name\")"
                    ),
                );
            }
            Structure::Block(block) if block.ident.as_str() == "path" => {
                if let Some(rule) = parse_path_block(&mut ctx, block) {
                    doc.rules.push(rule);
                }
            }
            Structure::Block(block) => {
                let key = block.ident.as_str().to_string();
                ctx.error(
                    block.span(),
                    format!(
                        "invalid key {key:?}: a policy holds only \"path\" blocks (and \"name\")"
                    ),
                );
            }
        }
    }
    if ctx.errors.is_empty() {
        doc.warnings = ctx.warnings;
        Ok(doc)
    } else {
        Err(ctx.errors)
    }
}

/// JSON policies: `{"path": {"secret/*": {"capabilities": ["read"]}}}`. No spans in serde_json
/// values, so a key's line is where that string first appears (one pass over the text).
fn parse_policy_json(text: &str, file_label: &str) -> Result<PolicyDoc, Vec<PolicyError>> {
    let err = |line: Option<usize>, message: String| PolicyError {
        file: file_label.to_string(),
        line,
        column: None,
        message,
    };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![err(Some(e.line()), format!("JSON syntax: {e}"))])?;
    let Some(top) = value.as_object() else {
        return Err(vec![err(
            None,
            "a JSON policy must be an object".to_string(),
        )]);
    };
    let lines = LineIndex::new(text);
    let first_seen = first_offsets_of_strings(text);
    let line_of = |needle: &str| first_seen.get(needle).map(|&at| lines.line(at));
    let mut errors = Vec::new();
    let mut doc = PolicyDoc::default();
    for (key, v) in top {
        match key.as_str() {
            "name" => doc.name = v.as_str().map(str::to_string),
            "path" => {
                let Some(paths) = v.as_object() else {
                    errors.push(err(
                        line_of("path"),
                        "\"path\" must be an object of paths".into(),
                    ));
                    continue;
                };
                for (raw, body) in paths {
                    let line = line_of(raw);
                    let path = raw.strip_prefix('/').unwrap_or(raw).to_string();
                    if path.contains("+*") {
                        errors.push(err(
                            line,
                            format!("path {path:?}: invalid use of wildcards ('+*' is forbidden)"),
                        ));
                    }
                    let mut caps = Vec::new();
                    let mut extras = BTreeMap::new();
                    let Some(fields) = body.as_object() else {
                        errors.push(err(line, format!("path {raw:?}: must be an object")));
                        continue;
                    };
                    for (k, fv) in fields {
                        match k.as_str() {
                            "capabilities" => match fv.as_array() {
                                Some(list) => {
                                    for c in list {
                                        match c.as_str() {
                                            Some(c) if KNOWN_CAPABILITIES.contains(&c) => {
                                                caps.push(c.to_string())
                                            }
                                            _ => errors.push(err(
                                                line,
                                                format!("path {raw:?}: invalid capability {}", c),
                                            )),
                                        }
                                    }
                                }
                                None => errors.push(err(
                                    line,
                                    format!("path {raw:?}: capabilities must be a list"),
                                )),
                            },
                            "policy" => match fv.as_str().and_then(legacy_policy) {
                                Some(list) => caps.extend(list.iter().map(|s| s.to_string())),
                                None => errors
                                    .push(err(line, format!("path {raw:?}: invalid policy {fv}"))),
                            },
                            k if PATH_KEYS.contains(&k) => {
                                if let Ok(v) = hcl::to_value(fv) {
                                    if let Err(problem) = check_extra(k, &v) {
                                        errors.push(err(line, format!("path {raw:?}: {problem}")));
                                    }
                                    extras.insert(k.to_string(), v);
                                }
                            }
                            other => errors
                                .push(err(line, format!("path {raw:?}: invalid key {other:?}"))),
                        }
                    }
                    doc.rules.push(PathRule {
                        path,
                        capabilities: settle_capabilities(caps),
                        extras,
                        line: line.unwrap_or(0),
                    });
                }
            }
            other => errors.push(err(
                line_of(other),
                format!(
                    "invalid key {other:?}: a policy holds only \"path\" blocks (and \"name\")"
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// Where each JSON string literal of `text` first appears (byte offset of its opening quote),
/// keyed by its decoded value. One pass: searching the text once per key was quadratic.
fn first_offsets_of_strings(text: &str) -> std::collections::HashMap<String, usize> {
    let mut found = std::collections::HashMap::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        let end = (i + 1).min(bytes.len());
        if let Some(Ok(decoded)) = text.get(start..end).map(serde_json::from_str::<String>) {
            found.entry(decoded).or_insert(start);
        }
        i = end;
    }
    found
}

/// The meaning of a policy, for "equal, nothing to do": paths merged (Vault unions the same
/// path), sorted, capabilities settled; whitespace, comments, order and `name` ignored.
/// Text that does not parse is compared by its trimmed lines instead.
pub fn normalise(text: &str) -> String {
    match parse_policy(text, "policy") {
        Ok(doc) => canonical_text(&doc),
        Err(_) => text
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string(),
    }
}

/// Canonical HCL of a parsed policy (see [`normalise`]).
pub fn canonical_text(doc: &PolicyDoc) -> String {
    let mut merged: BTreeMap<&str, (BTreeSet<String>, BTreeMap<String, hcl::Value>)> =
        BTreeMap::new();
    for rule in &doc.rules {
        let entry = merged.entry(rule.path.as_str()).or_default();
        entry.0.extend(rule.capabilities.iter().cloned());
        for (k, v) in &rule.extras {
            if k != "comment" {
                entry.1.insert(k.clone(), v.clone());
            }
        }
    }
    let mut out = String::new();
    for (path, (caps, extras)) in merged {
        let caps = settle_capabilities(caps);
        let quoted: Vec<String> = caps.iter().map(|c| format!("{c:?}")).collect();
        out.push_str(&format!(
            "path {path:?} {{\n  capabilities = [{}]\n",
            quoted.join(", ")
        ));
        for (k, v) in extras {
            let rendered = serde_json::to_string(&v).unwrap_or_default();
            out.push_str(&format!("  {k} = {rendered}\n"));
        }
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
# Allow creating tokens under "nomad-cluster" token role.
path "auth/token/create/nomad-cluster" {
  capabilities = ["update"]
}
path "auth/token/roles/nomad-cluster" {
  capabilities = ["read"]
}
"#;

    #[test]
    fn parses_path_blocks_with_lines() {
        let doc = parse_policy(SEED, "p.hcl").unwrap();
        assert_eq!(doc.rules.len(), 2);
        assert_eq!(doc.rules[0].path, "auth/token/create/nomad-cluster");
        assert_eq!(doc.rules[0].capabilities, vec!["update"]);
        assert_eq!(doc.rules[0].line, 3);
        assert_eq!(doc.rules[1].line, 6);
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn name_is_allowed_at_top_level_other_keys_are_not() {
        let doc = parse_policy(
            "name = \"x\"\npath \"a\" { capabilities = [\"read\"] }\n",
            "p",
        )
        .unwrap();
        assert_eq!(doc.name.as_deref(), Some("x"));
        let errs = parse_policy(
            "paht \"a\" {\n capabilities = [\"read\"]\n}\nfoo = 1\n",
            "p.hcl",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].line, Some(1));
        assert!(errs[0]
            .to_string()
            .starts_with("p.hcl:1: invalid key \"paht\""));
        assert_eq!(errs[1].line, Some(4));
    }

    #[test]
    fn unknown_capabilities_are_all_reported_with_lines() {
        let text = "path \"a\" {\n  capabilities = [\"read\", \"wrte\"]\n}\npath \"b\" {\n  capabilities = [\"Read\"]\n}\n";
        let errs = parse_policy(text, "f.hcl").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(
            errs[0].to_string(),
            "f.hcl:2: path \"a\": invalid capability \"wrte\""
        );
        assert_eq!(errs[1].line, Some(5));
        assert!(errs[1].message.contains("lower case"));
    }

    #[test]
    fn every_known_capability_parses() {
        let caps: Vec<String> = KNOWN_CAPABILITIES
            .iter()
            .filter(|c| **c != "deny")
            .map(|c| format!("{c:?}"))
            .collect();
        let text = format!("path \"a\" {{ capabilities = [{}] }}", caps.join(", "));
        let doc = parse_policy(&text, "p").unwrap();
        assert_eq!(
            doc.rules[0].capabilities.len(),
            KNOWN_CAPABILITIES.len() - 1
        );
    }

    #[test]
    fn deny_collapses_the_capability_list() {
        let doc = parse_policy("path \"a\" { capabilities = [\"read\", \"deny\"] }", "p").unwrap();
        assert_eq!(doc.rules[0].capabilities, vec!["deny"]);
    }

    #[test]
    fn plus_star_is_forbidden_and_inner_star_warns() {
        let errs =
            parse_policy("path \"secret/+*\" { capabilities = [\"read\"] }", "p").unwrap_err();
        assert!(errs[0]
            .message
            .contains("invalid use of wildcards ('+*' is forbidden)"));
        let doc = parse_policy("path \"secret/*/x\" { capabilities = [\"read\"] }", "p").unwrap();
        assert_eq!(doc.warnings.len(), 1);
        assert!(doc.warnings[0].message.contains("only at the end"));
        let doc = parse_policy("path \"secret/+/x/*\" { capabilities = [\"read\"] }", "p").unwrap();
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn leading_slash_is_stripped_like_vault() {
        let doc = parse_policy("path \"/secret/a\" { capabilities = [\"read\"] }", "p").unwrap();
        assert_eq!(doc.rules[0].path, "secret/a");
    }

    #[test]
    fn legacy_policy_key_expands() {
        let doc = parse_policy("path \"a\" { policy = \"write\" }", "p").unwrap();
        assert_eq!(
            doc.rules[0].capabilities,
            vec!["create", "delete", "list", "read", "update"]
        );
        let errs = parse_policy("path \"a\" { policy = \"admin\" }", "p").unwrap_err();
        assert!(errs[0].message.contains("invalid policy \"admin\""));
    }

    #[test]
    fn unknown_path_keys_and_extras() {
        let errs = parse_policy("path \"a\" {\n  capabilites = [\"read\"]\n}", "p").unwrap_err();
        assert!(errs[0]
            .message
            .starts_with("path \"a\": invalid key \"capabilites\""));
        assert_eq!(errs[0].line, Some(2));
        let doc = parse_policy(
            "path \"a\" {\n capabilities = [\"update\"]\n allowed_parameters = { \"x\" = [] }\n}",
            "p",
        )
        .unwrap();
        assert!(doc.rules[0].extras.contains_key("allowed_parameters"));
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let errs =
            parse_policy("path \"a\" {\n  capabilities = [\"read\"\n", "bad.hcl").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].line.is_some());
        assert!(errs[0].to_string().starts_with("bad.hcl:"));
        assert!(errs[0].message.starts_with("HCL syntax"));
    }

    #[test]
    fn empty_policy_is_valid() {
        assert!(parse_policy("# nothing\n", "p").unwrap().rules.is_empty());
    }

    #[test]
    fn json_policies_parse_too() {
        let doc = parse_policy(
            r#"{"path": {"secret/*": {"capabilities": ["read", "list"]}}}"#,
            "p.json",
        )
        .unwrap();
        assert_eq!(doc.rules[0].path, "secret/*");
        assert_eq!(doc.rules[0].capabilities, vec!["list", "read"]);
        let errs =
            parse_policy(r#"{"path": {"a": {"capabilities": ["nope"]}}}"#, "p.json").unwrap_err();
        assert!(errs[0].message.contains("invalid capability"));
    }

    #[test]
    fn json_problems_name_the_line_where_the_path_first_appears() {
        let text = "{\"path\": {\n  \"a\\\"b\": {\"capabilities\": [\"read\"]},\n  \"c\": {\"capabilities\": [\"nope\"]}\n}}";
        let errs = parse_policy(text, "p.json").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "p.json:3: path \"c\": invalid capability \"nope\""
        );
    }

    #[test]
    fn normalise_ignores_comments_whitespace_order_and_duplicates() {
        let a = "# c\npath \"b\" {\n  capabilities = [\"update\", \"read\"]\n}\npath \"a\" { capabilities = [\"read\"] }\n";
        let b = "path \"a\" {\ncapabilities=[\"read\"]\n}\n\n\npath \"b\" { capabilities = [\"read\"] }\npath \"b\" { capabilities = [\"update\"] }";
        assert_eq!(normalise(a), normalise(b));
        let c = "path \"a\" { capabilities = [\"read\", \"list\"] }\npath \"b\" { capabilities = [\"read\", \"update\"] }";
        assert_ne!(normalise(a), normalise(c));
        assert_eq!(
            normalise("path \"a\" { capabilities = [\"read\"] }"),
            "path \"a\" {\n  capabilities = [\"read\"]\n}\n"
        );
    }
}
