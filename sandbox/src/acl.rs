//! Policy parsing and the ACL engine with Vault's path-matching priority (vault-api.md §3).
//!
//! A policy's HCL (or JSON) text is parsed once, when it is written, into [`ParsedPolicy`];
//! an [`Acl`] is the union of a token's policies and answers "which capabilities does this
//! path get". The matching rules follow hashicorp/vault `vault/acl.go`: an exact rule wins
//! outright; otherwise the longest `foo*` prefix rule competes with every matching `+` rule and
//! the single highest-priority one is used. Rules of different patterns are never merged; the
//! same pattern in several policies is unioned, and `deny` wins.
//!
//! Paths with identity templates (`{{identity.entity.aliases.<accessor>.metadata.<key>}}`)
//! are rendered per caller from its entity when the ACL is built ([`TemplateContext`]),
//! following hashicorp/vault `sdk/helper/identitytpl`; a rule whose template cannot be
//! rendered (no entity, no such alias or key, a `*`/`+` in the value) is dropped.

use std::collections::BTreeMap;

use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};
use hcl::edit::Span;

use crate::api::Operation;
use crate::flavor::Flavor;
use crate::jwt::identity::{Entity, EntityAlias};
use crate::mounts::parse_duration;

/// A set of capabilities as a bitmap (the order of bits is irrelevant on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities(u32);

impl Capabilities {
    pub const NONE: Capabilities = Capabilities(0);
    pub const DENY: Capabilities = Capabilities(1);
    pub const CREATE: Capabilities = Capabilities(1 << 1);
    pub const READ: Capabilities = Capabilities(1 << 2);
    pub const UPDATE: Capabilities = Capabilities(1 << 3);
    pub const DELETE: Capabilities = Capabilities(1 << 4);
    pub const LIST: Capabilities = Capabilities(1 << 5);
    pub const SUDO: Capabilities = Capabilities(1 << 6);
    pub const PATCH: Capabilities = Capabilities(1 << 7);
    pub const SUBSCRIBE: Capabilities = Capabilities(1 << 8);
    pub const RECOVER: Capabilities = Capabilities(1 << 9);
    pub const SCAN: Capabilities = Capabilities(1 << 10);

    /// Every named capability, for rendering.
    const NAMED: [(&'static str, Capabilities); 11] = [
        ("create", Capabilities::CREATE),
        ("delete", Capabilities::DELETE),
        ("deny", Capabilities::DENY),
        ("list", Capabilities::LIST),
        ("patch", Capabilities::PATCH),
        ("read", Capabilities::READ),
        ("recover", Capabilities::RECOVER),
        ("scan", Capabilities::SCAN),
        ("subscribe", Capabilities::SUBSCRIBE),
        ("sudo", Capabilities::SUDO),
        ("update", Capabilities::UPDATE),
    ];

    pub fn contains(self, other: Capabilities) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Capabilities) -> Capabilities {
        Capabilities(self.0 | other.0)
    }

    /// The capability a name stands for in this flavor's policy language.
    pub fn from_name(name: &str, flavor: Flavor) -> Option<Capabilities> {
        let cap = match name {
            "create" => Capabilities::CREATE,
            "read" => Capabilities::READ,
            "update" => Capabilities::UPDATE,
            "delete" => Capabilities::DELETE,
            "list" => Capabilities::LIST,
            "sudo" => Capabilities::SUDO,
            "deny" => Capabilities::DENY,
            "patch" => Capabilities::PATCH,
            "subscribe" if flavor == Flavor::Vault => Capabilities::SUBSCRIBE,
            "recover" if flavor == Flavor::Vault => Capabilities::RECOVER,
            "scan" if flavor == Flavor::OpenBao => Capabilities::SCAN,
            _ => return None,
        };
        Some(cap)
    }

    /// Sorted capability names as `sys/capabilities*` answers them: `["deny"]` when the set is
    /// empty or denies.
    pub fn names(self) -> Vec<String> {
        if self.is_empty() || self.contains(Capabilities::DENY) {
            return vec!["deny".to_string()];
        }
        Capabilities::NAMED
            .iter()
            .filter(|(_, cap)| self.contains(*cap))
            .map(|(name, _)| (*name).to_string())
            .collect()
    }

    /// The capability an operation needs.
    pub fn for_operation(op: Operation) -> Capabilities {
        match op {
            Operation::Create => Capabilities::CREATE,
            Operation::Read => Capabilities::READ,
            Operation::Update => Capabilities::UPDATE,
            Operation::Delete => Capabilities::DELETE,
            Operation::List => Capabilities::LIST,
        }
    }

    /// Merging the same pattern from two policies: `deny` on either side leaves only `deny`.
    fn merge(self, other: Capabilities) -> Capabilities {
        if self.contains(Capabilities::DENY) || other.contains(Capabilities::DENY) {
            Capabilities::DENY
        } else {
            self.union(other)
        }
    }
}

/// One `path "..." { ... }` stanza after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    /// The pattern without a leading `/` (and, for plain prefix rules, without the `*`).
    pub pattern: String,
    pub kind: PatternKind,
    pub capabilities: Capabilities,
    /// Uses identity templating (`{{identity.entity.id}}`): the pattern is rendered for each
    /// caller (see [`TemplateContext`]) and the rule is dropped when it cannot be.
    pub templated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    Exact,
    /// `foo*` with no `+` segment: matches every path starting with `pattern`.
    Prefix,
    /// Contains a `+` segment (and may end in `*`); `pattern` keeps its trailing `*`.
    Segments,
}

/// A parsed policy: the rules in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedPolicy {
    pub rules: Vec<PathRule>,
}

/// Keys Vault and OpenBao accept inside a `path` stanza (the union of both).
const PATH_KEYS: &[&str] = &[
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
    "pagination_limit",
    "expiration",
    "list_scan_response_keys_filter_path",
];

/// go-multierror's rendering, which Vault puts inside its parse errors.
fn multierror(errors: &[String]) -> String {
    let head = if errors.len() == 1 {
        "1 error occurred:".to_string()
    } else {
        format!("{} errors occurred:", errors.len())
    };
    let mut out = head;
    out.push('\n');
    for e in errors {
        out.push_str("\t* ");
        out.push_str(e);
        out.push('\n');
    }
    out.push('\n');
    out
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses a policy as Vault does; errors carry Vault's `failed to parse policy: ` prefix.
pub fn parse_policy(text: &str, flavor: Flavor) -> Result<ParsedPolicy, String> {
    parse_inner(text, flavor).map_err(|e| format!("failed to parse policy: {e}"))
}

/// One path stanza in a neutral form, from either HCL or JSON.
struct RawStanza {
    key: String,
    capabilities: Vec<String>,
    old_policy: Option<String>,
}

fn parse_inner(text: &str, flavor: Flavor) -> Result<ParsedPolicy, String> {
    let stanzas = if text.trim_start().starts_with('{') {
        parse_json(text)?
    } else {
        parse_hcl(text)?
    };
    let mut rules = Vec::with_capacity(stanzas.len());
    for stanza in stanzas {
        rules.push(build_rule(stanza, flavor)?);
    }
    Ok(ParsedPolicy { rules })
}

fn parse_hcl(text: &str) -> Result<Vec<RawStanza>, String> {
    let body: Body = hcl::edit::parser::parse_body(text).map_err(|e| {
        format!(
            "At {}:{}: {}",
            e.location().line(),
            e.location().column(),
            e.message()
        )
    })?;
    let mut invalid = Vec::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                if key != "name" && key != "path" {
                    // HCL1 reports the line of the `=`; it sits on the key's line.
                    let line = attr.span().map(|s| line_of(text, s.start)).unwrap_or(0);
                    invalid.push(format!("invalid key {key:?} on line {line}"));
                }
            }
            Structure::Block(block) => {
                let key = block.ident.as_str();
                if key != "name" && key != "path" {
                    // HCL1 blocks have no `=`, so Vault reports their line as 0.
                    invalid.push(format!("invalid key {key:?} on line 0"));
                }
            }
        }
    }
    if !invalid.is_empty() {
        return Err(multierror(&invalid));
    }

    let mut stanzas = Vec::new();
    for block in body.get_blocks("path") {
        let key = block
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_else(|| "path".to_string());
        let mut invalid = Vec::new();
        let mut capabilities = Vec::new();
        let mut old_policy = None;
        for structure in block.body.iter() {
            let (name, line) = match structure {
                Structure::Attribute(attr) => (
                    attr.key.as_str(),
                    attr.span().map(|s| line_of(text, s.start)).unwrap_or(0),
                ),
                Structure::Block(b) => (b.ident.as_str(), 0),
            };
            if !PATH_KEYS.contains(&name) {
                invalid.push(format!("path {key:?}: invalid key {name:?} on line {line}"));
                continue;
            }
            let Structure::Attribute(attr) = structure else {
                continue;
            };
            match name {
                "capabilities" => capabilities = strings_of(&attr.value, &key)?,
                "policy" => match &attr.value {
                    Expression::String(s) => old_policy = Some(s.value().to_string()),
                    _ => {
                        return Err(multierror(&[format!(
                            "path {key:?}: policy must be a string"
                        )]))
                    }
                },
                _ => {}
            }
        }
        if !invalid.is_empty() {
            return Err(multierror(&invalid));
        }
        stanzas.push(RawStanza {
            key,
            capabilities,
            old_policy,
        });
    }
    Ok(stanzas)
}

/// A `capabilities` value: a list of strings (a lone string is taken as a one-item list).
fn strings_of(expr: &Expression, key: &str) -> Result<Vec<String>, String> {
    match expr {
        Expression::Array(items) => items
            .iter()
            .map(|item| match item {
                Expression::String(s) => Ok(s.value().to_string()),
                _ => Err(multierror(&[format!(
                    "path {key:?}: capabilities must be a list of strings"
                )])),
            })
            .collect(),
        Expression::String(s) => Ok(vec![s.value().to_string()]),
        _ => Err(multierror(&[format!(
            "path {key:?}: capabilities must be a list of strings"
        )])),
    }
}

/// Vault also accepts the JSON form `{"path": {"secret/*": {"capabilities": ["read"]}}}`.
fn parse_json(text: &str) -> Result<Vec<RawStanza>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("At {}:{}: {}", e.line(), e.column(), e))?;
    let Some(top) = value.as_object() else {
        return Err("does not contain a root object".to_string());
    };
    let invalid: Vec<String> = top
        .keys()
        .filter(|k| *k != "name" && *k != "path")
        .map(|k| format!("invalid key {k:?} on line 0"))
        .collect();
    if !invalid.is_empty() {
        return Err(multierror(&invalid));
    }
    let mut stanzas = Vec::new();
    let mut objects = Vec::new();
    match top.get("path") {
        Some(serde_json::Value::Object(map)) => objects.push(map),
        Some(serde_json::Value::Array(list)) => {
            objects.extend(list.iter().filter_map(|v| v.as_object()))
        }
        _ => {}
    }
    for map in objects {
        for (key, stanza) in map {
            let Some(stanza) = stanza.as_object() else {
                continue;
            };
            let invalid: Vec<String> = stanza
                .keys()
                .filter(|k| !PATH_KEYS.contains(&k.as_str()))
                .map(|k| format!("path {key:?}: invalid key {k:?} on line 0"))
                .collect();
            if !invalid.is_empty() {
                return Err(multierror(&invalid));
            }
            let capabilities = match stanza.get("capabilities") {
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            let old_policy = stanza
                .get("policy")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            stanzas.push(RawStanza {
                key: key.clone(),
                capabilities,
                old_policy,
            });
        }
    }
    Ok(stanzas)
}

fn build_rule(stanza: RawStanza, flavor: Flavor) -> Result<PathRule, String> {
    let key = stanza.key;
    let mut path = key.strip_prefix('/').unwrap_or(&key).to_string();
    if path.contains("+*") {
        return Err(format!(
            "path {path:?}: invalid use of wildcards ('+*' is forbidden)"
        ));
    }
    let has_segments = path == "+" || path.contains("/+") || path.starts_with("+/");
    let kind = if has_segments {
        PatternKind::Segments
    } else if path.ends_with('*') {
        path.pop();
        PatternKind::Prefix
    } else {
        PatternKind::Exact
    };

    let mut names = stanza.capabilities;
    if let Some(old) = stanza.old_policy.filter(|p| !p.is_empty()) {
        // The pre-0.5 `policy = "read"` form, which Vault still maps onto capabilities.
        let mapped: &[&str] = match old.as_str() {
            "deny" => &["deny"],
            "read" => &["read", "list"],
            "write" => &["create", "read", "update", "delete", "list"],
            "sudo" => &["create", "read", "update", "delete", "list", "sudo"],
            _ => return Err(format!("path {key:?}: invalid policy {old:?}")),
        };
        if old == "deny" {
            names = vec!["deny".to_string()];
        } else {
            names.extend(mapped.iter().map(|s| s.to_string()));
        }
    }

    let mut capabilities = Capabilities::NONE;
    for name in &names {
        match Capabilities::from_name(name, flavor) {
            Some(Capabilities::DENY) => {
                capabilities = Capabilities::DENY;
                break;
            }
            Some(cap) => capabilities = capabilities.union(cap),
            None => return Err(format!("path {key:?}: invalid capability {name:?}")),
        }
    }
    Ok(PathRule {
        templated: path.contains("{{"),
        pattern: path,
        kind,
        capabilities,
    })
}

/// The union of a token's policies, ready to answer path questions.
#[derive(Debug, Clone, Default)]
pub struct Acl {
    root: bool,
    exact: BTreeMap<String, Capabilities>,
    prefix: BTreeMap<String, Capabilities>,
    segments: BTreeMap<String, Capabilities>,
}

impl Acl {
    /// An ACL for the `root` policy: everything allowed.
    pub fn root() -> Acl {
        Acl {
            root: true,
            ..Acl::default()
        }
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    pub fn from_policies<'a>(policies: impl IntoIterator<Item = &'a ParsedPolicy>) -> Acl {
        let mut acl = Acl::default();
        for policy in policies {
            acl.add(policy);
        }
        acl
    }

    /// The ACL of a caller: its policies with identity templates rendered for it.
    pub fn from_policies_for<'a>(
        policies: impl IntoIterator<Item = &'a ParsedPolicy>,
        context: &TemplateContext<'_>,
    ) -> Acl {
        let mut acl = Acl::default();
        for policy in policies {
            acl.add_rules(policy, Some(context));
        }
        acl
    }

    /// Adds a policy's rules: the same pattern is unioned (deny wins). Templated rules are
    /// skipped: without a caller there is nothing to render them from.
    pub fn add(&mut self, policy: &ParsedPolicy) {
        self.add_rules(policy, None);
    }

    fn add_rules(&mut self, policy: &ParsedPolicy, context: Option<&TemplateContext<'_>>) {
        for rule in &policy.rules {
            let pattern = if rule.templated {
                // A template value never holds `*` or `+`, so the rendered pattern keeps the
                // kind the raw one was parsed as.
                match context.and_then(|c| render_template(&rule.pattern, c)) {
                    Some(rendered) => rendered,
                    None => continue,
                }
            } else {
                rule.pattern.clone()
            };
            let tree = match rule.kind {
                PatternKind::Exact => &mut self.exact,
                PatternKind::Prefix => &mut self.prefix,
                PatternKind::Segments => &mut self.segments,
            };
            let entry = tree.entry(pattern).or_default();
            *entry = entry.merge(rule.capabilities);
        }
    }

    /// The capabilities the governing rule grants `path` for `op` (Vault's `AllowOperation`
    /// lookup order). `None` when no rule matches.
    fn lookup(&self, path: &str, op: Operation) -> Option<Capabilities> {
        let path = path.trim_start_matches('/');
        if let Some(caps) = self.exact.get(path) {
            return Some(*caps);
        }
        if op == Operation::List {
            if let Some(caps) = self.exact.get(path.trim_end_matches('/')) {
                return Some(*caps);
            }
            // A LIST also tries the path without its trailing slash first, because a `foo*`
            // rule may match it.
            if let Some(trimmed) = path.strip_suffix('/') {
                if let Some(caps) = self.non_exact(trimmed) {
                    return Some(caps);
                }
            }
        }
        self.non_exact(path)
    }

    /// The best `*`/`+` rule for `path` (hashicorp/vault `CheckAllowedFromNonExactPaths`).
    fn non_exact(&self, path: &str) -> Option<Capabilities> {
        let longest_prefix = self
            .prefix
            .iter()
            .filter(|(p, _)| path.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len());
        if self.segments.is_empty() {
            return longest_prefix.map(|(_, c)| *c);
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        if let Some((p, caps)) = longest_prefix {
            candidates.push(Candidate {
                first_wildcard: p.len(),
                is_prefix: true,
                wildcards: 0,
                pattern: p.as_str(),
                caps: *caps,
            });
        }
        let parts: Vec<&str> = path.split('/').collect();
        for (full, caps) in &self.segments {
            if let Some(c) = match_segments(full, &parts, *caps) {
                candidates.push(c);
            }
        }
        candidates
            .into_iter()
            .max_by(|a, b| a.priority_cmp(b))
            .map(|c| c.caps)
    }

    /// Whether `op` on `path` is allowed.
    pub fn allows(&self, op: Operation, path: &str) -> bool {
        if self.root {
            return true;
        }
        match self.lookup(path, op) {
            Some(caps) => {
                !caps.contains(Capabilities::DENY) && caps.contains(Capabilities::for_operation(op))
            }
            None => false,
        }
    }

    /// Whether the governing rule for `path` grants `sudo` (root always has it).
    pub fn has_sudo(&self, path: &str) -> bool {
        if self.root {
            return true;
        }
        self.lookup(path, Operation::List)
            .is_some_and(|c| !c.contains(Capabilities::DENY) && c.contains(Capabilities::SUDO))
    }

    /// Whether the caller may learn of the mount at `mount_path` (with its trailing slash):
    /// the mount path itself is not denied, or some rule at or under it grants anything
    /// (logical_system.go hasMountAccess, used by `sys/internal/ui/mounts/<path>`).
    pub fn has_mount_access(&self, mount_path: &str) -> bool {
        if self.root {
            return true;
        }
        if !self
            .capability_names(mount_path)
            .iter()
            .any(|c| c == "deny")
        {
            return true;
        }
        let grants = |caps: &Capabilities| !caps.contains(Capabilities::DENY) && !caps.is_empty();
        let under = |tree: &BTreeMap<String, Capabilities>| {
            tree.range(mount_path.to_string()..)
                .take_while(|(p, _)| p.starts_with(mount_path))
                .any(|(_, caps)| grants(caps))
        };
        if under(&self.exact) || under(&self.prefix) {
            return true;
        }
        // CheckAllowedFromNonExactPaths(path, bareMount=true): a `+` rule whose leading
        // segments take in the mount path.
        let mount_parts: Vec<&str> = mount_path.trim_end_matches('/').split('/').collect();
        self.segments.iter().any(|(pattern, caps)| {
            let parts: Vec<&str> = pattern.split('/').collect();
            grants(caps)
                && parts.len() >= mount_parts.len()
                && mount_parts.iter().zip(&parts).all(|(m, p)| {
                    *p == "+" || p == m || p.strip_suffix('*').is_some_and(|pre| m.starts_with(pre))
                })
        })
    }

    /// What `sys/capabilities*` answers for `path`: `["root"]` for root, `["deny"]` when
    /// nothing matches, else the sorted names.
    pub fn capability_names(&self, path: &str) -> Vec<String> {
        if self.root {
            return vec!["root".to_string()];
        }
        // Vault models the capabilities lookup as a LIST so the trailing-slash fallback applies.
        self.lookup(path, Operation::List)
            .unwrap_or(Capabilities::NONE)
            .names()
    }
}

/// What identity templates in policy paths are rendered from: the caller's entity (none for
/// tokens without one, such as those of the token store) and the time for `{{time.now}}`.
#[derive(Debug, Clone, Copy)]
pub struct TemplateContext<'a> {
    pub entity: Option<&'a Entity>,
    /// Unix seconds.
    pub now: i64,
}

/// Renders every `{{…}}` directive of `text` (`identitytpl.PopulateString` in ACL mode);
/// `None` when a directive has no value, is unknown, is unbalanced, or yields `*`/`+`.
pub fn render_template(text: &str, context: &TemplateContext<'_>) -> Option<String> {
    let mut pieces = text.split("{{");
    let first = pieces.next().unwrap_or_default();
    if first.contains("}}") {
        return None;
    }
    let mut out = first.to_string();
    for piece in pieces {
        let (directive, after) = piece.split_once("}}")?;
        if after.contains("}}") {
            return None;
        }
        let value = template_value(directive.trim(), context)?;
        if value.contains(['*', '+']) {
            return None;
        }
        out.push_str(&value);
        out.push_str(after);
    }
    Some(out)
}

/// A plain string value: empty counts as not found.
fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn template_value(directive: &str, context: &TemplateContext<'_>) -> Option<String> {
    if let Some(rest) = directive.strip_prefix("identity.entity.") {
        return entity_value(rest, context.entity?);
    }
    if let Some(rest) = directive.strip_prefix("time.") {
        return time_value(rest, context.now);
    }
    // `identity.groups.*`: the sandbox has no groups, so no token is a member of any.
    None
}

fn entity_value(selector: &str, entity: &Entity) -> Option<String> {
    match selector {
        "id" => non_empty(&entity.id),
        "name" => non_empty(&entity.name),
        _ => {
            if let Some(key) = selector.strip_prefix("metadata.") {
                // A map value is taken as it is, even when empty (Vault's handler does so).
                return entity.metadata.get(key).cloned();
            }
            let (accessor, rest) = selector.strip_prefix("aliases.")?.split_once('.')?;
            alias_value(rest, entity.alias_on(accessor)?)
        }
    }
}

fn alias_value(selector: &str, alias: &EntityAlias) -> Option<String> {
    match selector {
        "id" => non_empty(&alias.id),
        "name" => non_empty(&alias.name),
        // The sandbox's aliases have no custom metadata, and a whole map is no path segment.
        _ => alias
            .metadata
            .get(selector.strip_prefix("metadata.")?)
            .cloned(),
    }
}

/// `time.now`, `time.now.plus.<duration>`, `time.now.minus.<duration>` as Unix seconds.
fn time_value(selector: &str, now: i64) -> Option<String> {
    let mut ops = selector.splitn(3, '.');
    if ops.next()? != "now" {
        return None;
    }
    let result = match (ops.next(), ops.next()) {
        (None, _) => now,
        (Some(_), None) => return None,
        (Some(op), Some(duration)) => {
            let secs = i64::try_from(parse_duration(&serde_json::Value::String(
                duration.to_string(),
            ))?)
            .ok()?;
            match op {
                "plus" => now.checked_add(secs)?,
                "minus" => now.checked_sub(secs)?,
                _ => return None,
            }
        }
    };
    Some(result.to_string())
}

struct Candidate<'a> {
    first_wildcard: usize,
    is_prefix: bool,
    wildcards: usize,
    pattern: &'a str,
    caps: Capabilities,
}

impl Candidate<'_> {
    /// Vault's ordering: a later first wildcard wins; then not ending in `*`; then fewer `+`;
    /// then longer; then lexicographically greater.
    fn priority_cmp(&self, other: &Candidate) -> std::cmp::Ordering {
        self.first_wildcard
            .cmp(&other.first_wildcard)
            .then_with(|| other.is_prefix.cmp(&self.is_prefix))
            .then_with(|| other.wildcards.cmp(&self.wildcards))
            .then_with(|| self.pattern.len().cmp(&other.pattern.len()))
            .then_with(|| self.pattern.cmp(other.pattern))
    }
}

fn match_segments<'a>(full: &'a str, parts: &[&str], caps: Capabilities) -> Option<Candidate<'a>> {
    if full.is_empty() {
        return None;
    }
    let first_wildcard = full.find('+').unwrap_or(0);
    let (pattern, is_prefix) = match full.strip_suffix('*') {
        Some(p) => (p, true),
        None => (full, false),
    };
    let pattern_parts: Vec<&str> = pattern.split('/').collect();
    if parts.len() < pattern_parts.len() {
        return None;
    }
    if !is_prefix && parts.len() != pattern_parts.len() {
        return None;
    }
    let mut wildcards = 0;
    for (i, acl_part) in pattern_parts.iter().enumerate() {
        let last = i == pattern_parts.len() - 1;
        if *acl_part == "+" {
            wildcards += 1;
        } else if !(*acl_part == parts[i] || (is_prefix && last && parts[i].starts_with(acl_part)))
        {
            return None;
        }
    }
    Some(Candidate {
        first_wildcard,
        is_prefix,
        wildcards,
        pattern,
        caps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl(texts: &[&str]) -> Acl {
        let parsed: Vec<ParsedPolicy> = texts
            .iter()
            .map(|t| parse_policy(t, Flavor::Vault).unwrap())
            .collect();
        Acl::from_policies(parsed.iter())
    }

    fn caps(acl: &Acl, path: &str) -> Vec<String> {
        acl.capability_names(path)
    }

    // vault-api.md §3: an exact rule wins outright over any glob.
    #[test]
    fn exact_rule_beats_longer_glob() {
        let a = acl(&[r#"
path "secret/foo" { capabilities = ["read"] }
path "secret/foo*" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&a, "secret/foo"), vec!["read"]);
        assert_eq!(caps(&a, "secret/foobar"), vec!["update"]);
    }

    // vault-api.md §3: the longest `*` prefix wins among prefix rules.
    #[test]
    fn longest_prefix_rule_wins() {
        let a = acl(&[r#"
path "secret/*" { capabilities = ["read"] }
path "secret/app/*" { capabilities = ["list"] }
"#]);
        assert_eq!(caps(&a, "secret/app/x"), vec!["list"]);
        assert_eq!(caps(&a, "secret/other"), vec!["read"]);
        assert_eq!(caps(&a, "other"), vec!["deny"]);
    }

    // vault-api.md §3: `+` matches exactly one whole segment.
    #[test]
    fn plus_matches_exactly_one_segment() {
        let a = acl(&[r#"path "secret/+/config" { capabilities = ["read"] }"#]);
        assert_eq!(caps(&a, "secret/app/config"), vec!["read"]);
        assert_eq!(caps(&a, "secret/a/b/config"), vec!["deny"]);
        assert_eq!(caps(&a, "secret/app/config/x"), vec!["deny"]);
    }

    // vault-api.md §3: the later first wildcard wins (foo/a* over foo/+).
    #[test]
    fn later_first_wildcard_wins() {
        let a = acl(&[r#"
path "foo/+" { capabilities = ["read"] }
path "foo/a*" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&a, "foo/abc"), vec!["update"]);
        assert_eq!(caps(&a, "foo/xyz"), vec!["read"]);
        let b = acl(&[r#"
path "foo/+/bar/baz" { capabilities = ["read"] }
path "foo/bar/+/baz" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&b, "foo/bar/bar/baz"), vec!["update"]);
    }

    // vault-api.md §3: at the same first-wildcard position, not ending in `*` wins.
    #[test]
    fn non_glob_beats_glob_at_same_position() {
        let a = acl(&[r#"
path "foo/+/bar" { capabilities = ["read"] }
path "foo/+/ba*" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&a, "foo/x/bar"), vec!["read"]);
        assert_eq!(caps(&a, "foo/x/baz"), vec!["update"]);
        // foo/+ beats foo/* (the prefix rule's first glob is at the same offset)
        let b = acl(&[r#"
path "foo/+" { capabilities = ["read"] }
path "foo/*" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&b, "foo/x"), vec!["read"]);
        assert_eq!(caps(&b, "foo/x/y"), vec!["update"]);
    }

    // vault-api.md §3: fewer `+` segments win, then the longer pattern.
    #[test]
    fn fewer_plus_segments_then_longer_pattern_wins() {
        let a = acl(&[r#"
path "foo/+/+/baz" { capabilities = ["read"] }
path "foo/+/bar/baz" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&a, "foo/x/bar/baz"), vec!["update"]);
        let b = acl(&[r#"
path "foo/+/bar/b*" { capabilities = ["read"] }
path "foo/+/bar/ba*" { capabilities = ["update"] }
"#]);
        assert_eq!(caps(&b, "foo/x/bar/baz"), vec!["update"]);
    }

    // vault-api.md §3: capabilities of different patterns are not merged.
    #[test]
    fn different_patterns_are_not_merged() {
        let a = acl(&[
            r#"path "secret/*" { capabilities = ["read"] }"#,
            r#"path "secret/a*" { capabilities = ["list"] }"#,
        ]);
        assert_eq!(caps(&a, "secret/abc"), vec!["list"]);
    }

    // vault-api.md §3: the same pattern across policies is unioned; deny wins.
    #[test]
    fn same_pattern_unioned_and_deny_wins() {
        let a = acl(&[
            r#"path "secret/*" { capabilities = ["read"] }"#,
            r#"path "secret/*" { capabilities = ["list", "update"] }"#,
        ]);
        assert_eq!(caps(&a, "secret/x"), vec!["list", "read", "update"]);
        let d = acl(&[
            r#"path "secret/*" { capabilities = ["read", "sudo"] }"#,
            r#"path "secret/*" { capabilities = ["deny"] }"#,
        ]);
        assert_eq!(caps(&d, "secret/x"), vec!["deny"]);
        assert!(!d.allows(Operation::Read, "secret/x"));
        assert!(!d.has_sudo("secret/x"));
    }

    // vault-api.md §3: LIST also tries the path without its trailing slash.
    #[test]
    fn list_tries_path_without_trailing_slash() {
        let a = acl(&[r#"path "secret/metadata" { capabilities = ["list"] }"#]);
        assert!(a.allows(Operation::List, "secret/metadata/"));
        assert!(!a.allows(Operation::Read, "secret/metadata/"));
        let b = acl(&[r#"path "secret/meta*" { capabilities = ["list"] }"#]);
        assert!(b.allows(Operation::List, "secret/metadata/"));
    }

    #[test]
    fn operations_need_their_capability_and_sudo_is_separate() {
        let a = acl(&[r#"path "auth/token/create" { capabilities = ["update", "sudo"] }"#]);
        assert!(a.allows(Operation::Update, "auth/token/create"));
        assert!(!a.allows(Operation::Create, "auth/token/create"));
        assert!(a.has_sudo("auth/token/create"));
        assert!(!a.has_sudo("auth/token/create-orphan"));
        assert!(Acl::root().allows(Operation::Delete, "anything"));
        assert_eq!(Acl::root().capability_names("x"), vec!["root"]);
    }

    // vault-api.md §3: parse errors carry the documented messages.
    #[test]
    fn parse_errors_have_vaults_messages() {
        let err = parse_policy("foo = 1\n", Flavor::Vault).unwrap_err();
        assert_eq!(
            err,
            "failed to parse policy: 1 error occurred:\n\t* invalid key \"foo\" on line 1\n\n"
        );
        let err =
            parse_policy(r#"path "x" { capabilities = ["foo"] }"#, Flavor::Vault).unwrap_err();
        assert_eq!(
            err,
            "failed to parse policy: path \"x\": invalid capability \"foo\""
        );
        let err =
            parse_policy(r#"path "x/+*" { capabilities = ["read"] }"#, Flavor::Vault).unwrap_err();
        assert_eq!(
            err,
            "failed to parse policy: path \"x/+*\": invalid use of wildcards ('+*' is forbidden)"
        );
        let err =
            parse_policy("path \"x\" {\n  capabilities = [\"read\"\n", Flavor::Vault).unwrap_err();
        assert!(err.starts_with("failed to parse policy: At "), "{err}");
        let err = parse_policy("path \"x\" {\n  capz = []\n}\n", Flavor::Vault).unwrap_err();
        assert!(
            err.contains("path \"x\": invalid key \"capz\" on line 2"),
            "{err}"
        );
    }

    #[test]
    fn flavor_decides_extra_capabilities() {
        assert!(parse_policy(r#"path "x" { capabilities = ["scan"] }"#, Flavor::OpenBao).is_ok());
        assert!(parse_policy(r#"path "x" { capabilities = ["scan"] }"#, Flavor::Vault).is_err());
        assert!(parse_policy(
            r#"path "x" { capabilities = ["subscribe"] }"#,
            Flavor::Vault
        )
        .is_ok());
    }

    #[test]
    fn empty_policy_and_old_style_policy_are_valid() {
        assert_eq!(parse_policy("", Flavor::Vault).unwrap().rules.len(), 0);
        let a = acl(&[r#"path "secret/*" { policy = "write" }"#]);
        assert_eq!(
            caps(&a, "secret/x"),
            vec!["create", "delete", "list", "read", "update"]
        );
        assert!(parse_policy(r#"path "x" { policy = "bogus" }"#, Flavor::Vault).is_err());
    }

    #[test]
    fn json_policies_parse() {
        let a = acl(&[r#"{"path": {"secret/*": {"capabilities": ["read"]}}}"#]);
        assert_eq!(caps(&a, "secret/x"), vec!["read"]);
    }

    fn nomad_entity() -> Entity {
        use std::collections::BTreeMap;
        let now = std::time::SystemTime::now();
        Entity {
            id: "0b9e6c1e-2f0a-4a57-9b55-000000000001".into(),
            name: "entity_1234abcd".into(),
            metadata: BTreeMap::new(),
            aliases: vec![EntityAlias {
                id: "alias-1".into(),
                name: "web".into(),
                mount_accessor: "auth_jwt_0123abcd".into(),
                mount_type: "jwt".into(),
                mount_path: "auth/jwt-nomad/".into(),
                metadata: BTreeMap::from([
                    ("nomad_namespace".to_string(), "default".to_string()),
                    ("nomad_job_id".to_string(), "web".to_string()),
                    ("empty".to_string(), String::new()),
                    ("glob".to_string(), "a*".to_string()),
                ]),
                creation_time: now,
                last_update_time: now,
            }],
            creation_time: now,
            last_update_time: now,
        }
    }

    // nomad-rules.md §5: the nomad-workloads policy renders per job from the alias metadata.
    #[test]
    fn alias_metadata_templates_render_per_entity() {
        let entity = nomad_entity();
        let ctx = TemplateContext {
            entity: Some(&entity),
            now: 1000,
        };
        let acc = "auth_jwt_0123abcd";
        let policy = parse_policy(
            &format!(
                r#"
path "secret/data/{{{{identity.entity.aliases.{acc}.metadata.nomad_namespace}}}}/{{{{identity.entity.aliases.{acc}.metadata.nomad_job_id}}}}/*" {{
  capabilities = ["read"]
}}
path "secret/metadata/{{{{identity.entity.aliases.{acc}.metadata.nomad_namespace}}}}/*" {{
  capabilities = ["list"]
}}
path "secret/data/{{{{identity.entity.aliases.auth_jwt_ffffffff.metadata.nomad_job_id}}}}/*" {{
  capabilities = ["update"]
}}
"#
            ),
            Flavor::Vault,
        )
        .unwrap();
        let a = Acl::from_policies_for([&policy], &ctx);
        assert!(a.allows(Operation::Read, "secret/data/default/web/config"));
        assert!(!a.allows(Operation::Read, "secret/data/default/api/config"));
        assert!(a.allows(Operation::List, "secret/metadata/default/"));
        // The rule templated on another mount's accessor is dropped, not kept literally.
        assert_eq!(caps(&a, "secret/data/web/x"), vec!["deny"]);
        let none = Acl::from_policies_for(
            [&policy],
            &TemplateContext {
                entity: None,
                now: 1000,
            },
        );
        assert!(!none.allows(Operation::Read, "secret/data/default/web/config"));
    }

    #[test]
    fn template_rendering_follows_identitytpl() {
        let entity = nomad_entity();
        let ctx = TemplateContext {
            entity: Some(&entity),
            now: 1000,
        };
        let r = |t: &str| render_template(t, &ctx);
        assert_eq!(
            r("identity/entity/id/{{identity.entity.id}}").as_deref(),
            Some("identity/entity/id/0b9e6c1e-2f0a-4a57-9b55-000000000001")
        );
        assert_eq!(
            r("x/{{ identity.entity.name }}").as_deref(),
            Some("x/entity_1234abcd")
        );
        assert_eq!(
            r("x/{{identity.entity.aliases.auth_jwt_0123abcd.name}}").as_deref(),
            Some("x/web")
        );
        assert_eq!(
            r("x/{{identity.entity.aliases.auth_jwt_0123abcd.metadata.empty}}/y").as_deref(),
            Some("x//y")
        );
        assert_eq!(
            r("x/{{identity.entity.aliases.auth_jwt_0123abcd.metadata.glob}}"),
            None
        );
        assert_eq!(
            r("x/{{identity.entity.aliases.auth_jwt_0123abcd.metadata.nope}}"),
            None
        );
        assert_eq!(r("x/{{identity.entity.metadata.nope}}"), None);
        assert_eq!(r("x/{{identity.groups.names.g.id}}"), None);
        assert_eq!(r("x/{{identity.entity.id}"), None);
        assert_eq!(r("x/}}{{identity.entity.id}}"), None);
        assert_eq!(r("t/{{time.now}}").as_deref(), Some("t/1000"));
        assert_eq!(r("t/{{time.now.plus.1h}}").as_deref(), Some("t/4600"));
        assert_eq!(r("t/{{time.now.minus.10}}").as_deref(), Some("t/990"));
        assert_eq!(r("t/{{time.now.plus}}"), None);
        assert_eq!(r("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn templated_rules_are_skipped_for_tokens_without_entity() {
        let a = acl(&[
            r#"path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }"#,
        ]);
        assert_eq!(
            caps(&a, "identity/entity/id/{{identity.entity.id}}"),
            vec!["deny"]
        );
    }
}
