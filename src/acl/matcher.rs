//! Evaluating parsed policies against a request path with Vault's matching rules
//! (vault-api.md §3 "Path matching"; hashicorp/vault `vault/acl.go`): an exact rule wins
//! outright; otherwise the single highest-priority rule among the longest matching `*` prefix
//! and every matching `+` rule; `deny` wins; the same pattern across policies is unioned.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::acl::policy::PolicyDoc;

/// A request's operation, mapped to the capability Vault requires for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Read,
    Update,
    Delete,
    List,
    Patch,
    /// Token renew: needs `update`.
    Renew,
    /// Token revoke: needs `update`.
    Revoke,
}

impl Operation {
    pub fn required_capability(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Read => "read",
            Operation::Update | Operation::Renew | Operation::Revoke => "update",
            Operation::Delete => "delete",
            Operation::List => "list",
            Operation::Patch => "patch",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grant {
    caps: BTreeSet<String>,
}

impl Grant {
    fn merge(&mut self, caps: &[String]) {
        self.caps.extend(caps.iter().cloned());
        if self.caps.contains("deny") {
            self.caps = BTreeSet::from(["deny".to_string()]);
        }
    }
    fn is_deny(&self) -> bool {
        self.caps.contains("deny")
    }
}

/// Policies compiled for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acl {
    root: bool,
    exact: BTreeMap<String, Grant>,
    /// `foo*` rules, keyed without the `*`.
    prefix: BTreeMap<String, Grant>,
    /// Rules with a `+` segment, keyed as written (trailing `*` kept).
    segment: BTreeMap<String, Grant>,
}

fn has_segment_wildcard(path: &str) -> bool {
    path == "+" || path.contains("/+") || path.starts_with("+/")
}

/// One candidate among the non-exact rules, with what Vault's priority needs.
struct Candidate<'a> {
    /// Position of the first `+` or of the trailing `*`.
    first_wildcard: usize,
    is_prefix: bool,
    plus_segments: usize,
    /// The pattern without its trailing `*`.
    pattern: &'a str,
    grant: &'a Grant,
}

/// `Ordering::Less` when `a` has lower priority than `b` (vault-api.md §3).
fn priority(a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
    // The first wildcard occurs earlier: lower.
    a.first_wildcard
        .cmp(&b.first_wildcard)
        // Ends in `*` while the other doesn't: lower.
        .then_with(|| b.is_prefix.cmp(&a.is_prefix))
        // More `+` segments: lower.
        .then_with(|| b.plus_segments.cmp(&a.plus_segments))
        // Shorter: lower.
        .then_with(|| a.pattern.len().cmp(&b.pattern.len()))
        // Lexicographically smaller: lower.
        .then_with(|| a.pattern.cmp(b.pattern))
}

impl Acl {
    /// The ACL of a token holding these policies. A policy named `root` makes it a root ACL.
    pub fn from_policies(policies: &[PolicyDoc]) -> Acl {
        let mut acl = Acl::default();
        for doc in policies {
            if doc.name.as_deref() == Some("root") {
                acl.root = true;
            }
            for rule in &doc.rules {
                let path = rule.path.as_str();
                let tree = if has_segment_wildcard(path) {
                    acl.segment.entry(path.to_string())
                } else if let Some(prefix) = path.strip_suffix('*') {
                    acl.prefix.entry(prefix.to_string())
                } else {
                    acl.exact.entry(path.to_string())
                };
                tree.or_default().merge(&rule.capabilities);
            }
        }
        acl
    }

    /// The ACL of a root token: everything allowed, capabilities `["root"]`.
    pub fn root() -> Acl {
        Acl {
            root: true,
            ..Acl::default()
        }
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    fn non_exact(&self, path: &str) -> Option<&Grant> {
        // Longest matching `*` prefix.
        let prefix = self
            .prefix
            .iter()
            .filter(|(p, _)| path.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len());
        let parts: Vec<&str> = path.split('/').collect();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        'rules: for (full, grant) in &self.segment {
            let is_prefix = full.ends_with('*');
            let pattern = full.strip_suffix('*').unwrap_or(full);
            let wc_parts: Vec<&str> = pattern.split('/').collect();
            if parts.len() < wc_parts.len() || (!is_prefix && parts.len() != wc_parts.len()) {
                continue;
            }
            let mut plus_segments = 0;
            for (i, wc) in wc_parts.iter().enumerate() {
                if is_prefix && i == wc_parts.len() - 1 {
                    if *wc == "+" {
                        plus_segments += 1;
                    } else if !parts[i].starts_with(wc) {
                        continue 'rules;
                    }
                    continue;
                }
                if *wc == "+" {
                    plus_segments += 1;
                } else if *wc != parts[i] {
                    continue 'rules;
                }
            }
            candidates.push(Candidate {
                first_wildcard: full.find('+').unwrap_or(full.len()),
                is_prefix,
                plus_segments,
                pattern,
                grant,
            });
        }
        if candidates.is_empty() {
            return prefix.map(|(_, g)| g);
        }
        if let Some((p, g)) = prefix {
            candidates.push(Candidate {
                first_wildcard: p.len(),
                is_prefix: true,
                plus_segments: 0,
                pattern: p,
                grant: g,
            });
        }
        candidates.into_iter().max_by(priority).map(|c| c.grant)
    }

    /// What `sys/capabilities` would answer for this path: `{"root"}` for root, `{"deny"}`
    /// when nothing matches or the matching rule denies, else the granted capabilities.
    pub fn capabilities(&self, path: &str) -> BTreeSet<String> {
        let deny = || BTreeSet::from(["deny".to_string()]);
        if self.root {
            return BTreeSet::from(["root".to_string()]);
        }
        let grant = self.exact.get(path).or_else(|| self.non_exact(path));
        match grant {
            Some(g) if !g.is_deny() && !g.caps.is_empty() => g.caps.clone(),
            _ => deny(),
        }
    }

    /// Whether the token has some capability other than `deny` on a path under `prefix`
    /// (`secret/`): Vault's `hasMountAccess`, which decides whether
    /// `sys/internal/ui/mounts/<path>` answers (vault-api-engines.md §1). A `*`/`+` rule counts
    /// when it could match something under the prefix.
    pub fn has_access_under(&self, prefix: &str) -> bool {
        if self.root {
            return true;
        }
        let grants = |g: &Grant| !g.is_deny() && !g.caps.is_empty();
        let overlaps = |literal: &str| literal.starts_with(prefix) || prefix.starts_with(literal);
        self.exact
            .iter()
            .any(|(p, g)| p.starts_with(prefix) && grants(g))
            || self.prefix.iter().any(|(p, g)| overlaps(p) && grants(g))
            || self.segment.iter().any(|(p, g)| {
                let literal = p.split('+').next().unwrap_or_default();
                overlaps(literal) && grants(g)
            })
    }

    /// Whether a request with this operation on this path is allowed. LIST also tries the
    /// exact rule without the trailing `/`.
    pub fn allows(&self, op: Operation, path: &str) -> bool {
        if self.root {
            return true;
        }
        let mut grant = self.exact.get(path);
        if grant.is_none() && op == Operation::List {
            grant = path.strip_suffix('/').and_then(|p| self.exact.get(p));
        }
        let grant = grant.or_else(|| self.non_exact(path));
        match grant {
            Some(g) => !g.is_deny() && g.caps.contains(op.required_capability()),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::policy::parse_policy;

    fn acl(texts: &[&str]) -> Acl {
        let docs: Vec<PolicyDoc> = texts
            .iter()
            .map(|t| parse_policy(t, "t").unwrap())
            .collect();
        Acl::from_policies(&docs)
    }

    fn caps(a: &Acl, path: &str) -> Vec<String> {
        a.capabilities(path).into_iter().collect()
    }

    // vault-api.md §3: an exact rule wins outright.
    #[test]
    fn exact_rule_beats_any_wildcard() {
        let a = acl(&[r#"
            path "secret/data/app" { capabilities = ["read"] }
            path "secret/*" { capabilities = ["update"] }
            path "secret/+/app" { capabilities = ["list"] }
        "#]);
        assert_eq!(caps(&a, "secret/data/app"), vec!["read"]);
        assert!(a.allows(Operation::Read, "secret/data/app"));
        assert!(!a.allows(Operation::Update, "secret/data/app"));
    }

    // vault-api.md §3: nothing matches → deny.
    #[test]
    fn no_match_is_deny() {
        let a = acl(&[r#"path "secret/data/hashicups-api" { capabilities = ["read"] }"#]);
        assert_eq!(caps(&a, "secret/data/other"), vec!["deny"]);
        assert!(!a.allows(Operation::Read, "secret/data/other"));
        assert!(!a.allows(Operation::Read, "database/creds/accessdb"));
    }

    // vault-api.md §3: the longest `*` prefix is the one used; capabilities are not merged.
    #[test]
    fn longest_prefix_wins_without_merging() {
        let a = acl(&[r#"
            path "secret/*" { capabilities = ["read"] }
            path "secret/data/*" { capabilities = ["list"] }
        "#]);
        assert_eq!(caps(&a, "secret/data/x"), vec!["list"]);
        assert_eq!(caps(&a, "secret/meta"), vec!["read"]);
        assert!(!a.allows(Operation::Read, "secret/data/x"));
    }

    // vault-api.md §3: `*` only at the end; a prefix matches the bare prefix too.
    #[test]
    fn prefix_matches_the_prefix_itself_and_deeper() {
        let a = acl(&[r#"path "secret/data/app*" { capabilities = ["read"] }"#]);
        assert!(a.allows(Operation::Read, "secret/data/app"));
        assert!(a.allows(Operation::Read, "secret/data/app-2/x"));
        assert!(!a.allows(Operation::Read, "secret/data/ap"));
    }

    // vault-api.md §3: `+` matches exactly one whole segment.
    #[test]
    fn plus_matches_one_segment() {
        let a = acl(&[r#"path "secret/+/app" { capabilities = ["read"] }"#]);
        assert!(a.allows(Operation::Read, "secret/data/app"));
        assert!(!a.allows(Operation::Read, "secret/data/x/app"));
        assert!(!a.allows(Operation::Read, "secret/app"));
        let b = acl(&[r#"path "secret/+/app/*" { capabilities = ["read"] }"#]);
        assert!(b.allows(Operation::Read, "secret/data/app/x/y"));
        assert!(!b.allows(Operation::Read, "secret/data/other/x"));
    }

    // vault-api.md §3 priority: the first wildcard occurring earlier is lower.
    #[test]
    fn later_first_wildcard_has_priority() {
        let a = acl(&[r#"
            path "secret/+/app" { capabilities = ["read"] }
            path "secret/data/+" { capabilities = ["update"] }
        "#]);
        assert_eq!(caps(&a, "secret/data/app"), vec!["update"]);
        // A `*` prefix further right beats a `+` further left.
        let b = acl(&[r#"
            path "secret/+/app" { capabilities = ["read"] }
            path "secret/data/a*" { capabilities = ["list"] }
        "#]);
        assert_eq!(caps(&b, "secret/data/app"), vec!["list"]);
    }

    // vault-api.md §3 priority: ending in `*` is lower than not.
    #[test]
    fn glob_ending_is_lower_than_plain_segment_rule() {
        let a = acl(&[r#"
            path "secret/+/app" { capabilities = ["read"] }
            path "secret/+/app*" { capabilities = ["update"] }
        "#]);
        assert_eq!(caps(&a, "secret/data/app"), vec!["read"]);
        assert_eq!(caps(&a, "secret/data/apple"), vec!["update"]);
    }

    // vault-api.md §3 priority: more `+` segments are lower.
    #[test]
    fn more_plus_segments_are_lower() {
        let a = acl(&[r#"
            path "a/+/+/d" { capabilities = ["read"] }
            path "a/+/c/d" { capabilities = ["update"] }
        "#]);
        assert_eq!(caps(&a, "a/b/c/d"), vec!["update"]);
    }

    // vault-api.md §3 priority: shorter is lower, then lexicographically smaller is lower.
    #[test]
    fn shorter_then_lexicographically_smaller_are_lower() {
        let a = acl(&[r#"
            path "a/+/c*" { capabilities = ["read"] }
            path "a/+/cd*" { capabilities = ["update"] }
        "#]);
        assert_eq!(caps(&a, "a/b/cde"), vec!["update"]);
        let b = acl(&[r#"
            path "a/+/x" { capabilities = ["read"] }
            path "+/b/x" { capabilities = ["update"] }
        "#]);
        // "+/b/x" has its wildcard earlier: lower.
        assert_eq!(caps(&b, "a/b/x"), vec!["read"]);
    }

    // vault-api.md §3: same pattern across policies is unioned; deny wins.
    #[test]
    fn same_pattern_across_policies_unions_and_deny_wins() {
        let a = acl(&[
            r#"path "secret/*" { capabilities = ["read"] }"#,
            r#"path "secret/*" { capabilities = ["list"] }"#,
        ]);
        assert_eq!(caps(&a, "secret/x"), vec!["list", "read"]);
        let b = acl(&[
            r#"path "secret/*" { capabilities = ["read"] }"#,
            r#"path "secret/*" { capabilities = ["deny"] }"#,
        ]);
        assert_eq!(caps(&b, "secret/x"), vec!["deny"]);
        assert!(!b.allows(Operation::Read, "secret/x"));
    }

    // vault-api.md §3: deny on a more specific rule beats a broader grant.
    #[test]
    fn deny_on_the_winning_rule_denies() {
        let a = acl(&[
            r#"path "secret/*" { capabilities = ["read"] }"#,
            r#"path "secret/admin" { capabilities = ["deny"] }"#,
        ]);
        assert!(!a.allows(Operation::Read, "secret/admin"));
        assert!(a.allows(Operation::Read, "secret/other"));
    }

    // vault-api.md §3: LIST also tries the path without its trailing `/`.
    #[test]
    fn list_tries_without_trailing_slash() {
        let a = acl(&[r#"path "secret/metadata" { capabilities = ["list"] }"#]);
        assert!(a.allows(Operation::List, "secret/metadata/"));
        assert!(!a.allows(Operation::Read, "secret/metadata/"));
    }

    // vault-api.md §3: renew/revoke need update.
    #[test]
    fn renew_and_revoke_need_update() {
        let a = acl(&[r#"path "auth/token/renew-self" { capabilities = ["update"] }"#]);
        assert!(a.allows(Operation::Renew, "auth/token/renew-self"));
        assert!(a.allows(Operation::Revoke, "auth/token/renew-self"));
        assert!(!a.allows(Operation::Create, "auth/token/renew-self"));
    }

    // vault-api.md §7: root → ["root"].
    #[test]
    fn root_acl_allows_everything() {
        let r = Acl::root();
        assert_eq!(caps(&r, "anything"), vec!["root"]);
        assert!(r.allows(Operation::Delete, "sys/seal"));
    }

    #[test]
    fn seed_policy_grants_what_nomad_checks() {
        let policy = crate::acl::template::render_server_policy("nomad-cluster");
        let a = acl(&[&policy]);
        for (path, want) in [
            ("auth/token/create/nomad-cluster", "update"),
            ("auth/token/roles/nomad-cluster", "read"),
            ("auth/token/lookup-self", "read"),
            ("auth/token/lookup", "update"),
            ("auth/token/revoke-accessor", "update"),
            ("sys/capabilities-self", "update"),
            ("auth/token/renew-self", "update"),
        ] {
            assert_eq!(caps(&a, path), vec![want], "{path}");
        }
        assert_eq!(caps(&a, "auth/token/create/other"), vec!["deny"]);
    }
}
