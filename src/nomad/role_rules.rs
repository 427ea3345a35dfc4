//! Nomad's token-role rules (nomad-rules.md §2 "Role rules") and nvctl's own findings about
//! the role (§2 "nvctl's own findings"), over plain [`RoleFacts`].

use crate::checks::{check, Finding, Severity};
use crate::nomad::gofmt::go_quote;

/// The role as read from `auth/token/roles/<name>` (vault-api.md §4), in plain fields.
/// Durations are whole seconds. `exists: false` means the read answered 404.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFacts {
    pub name: String,
    pub exists: bool,
    pub renewable: bool,
    pub period: u64,
    pub token_period: u64,
    pub explicit_max_ttl: u64,
    pub token_explicit_max_ttl: u64,
    pub orphan: bool,
    pub allowed_policies: Vec<String>,
    pub disallowed_policies: Vec<String>,
    pub allowed_policies_glob: Vec<String>,
    pub disallowed_policies_glob: Vec<String>,
    pub token_type: String,
    pub token_no_default_policy: bool,
}

impl RoleFacts {
    /// A role that does not exist (the read answered 404).
    pub fn missing(name: &str) -> Self {
        RoleFacts {
            exists: false,
            ..RoleFacts::seed(name)
        }
    }

    /// The documented role (roles/nomad-cluster.json): disallowed `nomad-server`, orphan,
    /// `token_period` 72h, renewable, no explicit max TTL.
    pub fn seed(name: &str) -> Self {
        RoleFacts {
            name: name.to_string(),
            exists: true,
            renewable: true,
            period: 0,
            token_period: 259_200,
            explicit_max_ttl: 0,
            token_explicit_max_ttl: 0,
            orphan: true,
            allowed_policies: Vec::new(),
            disallowed_policies: vec!["nomad-server".to_string()],
            allowed_policies_glob: Vec::new(),
            disallowed_policies_glob: Vec::new(),
            token_type: "default-service".to_string(),
            token_no_default_policy: false,
        }
    }

    /// The period tokens from this role get: `token_period`, else the legacy `period`.
    pub fn effective_period(&self) -> u64 {
        if self.token_period != 0 {
            self.token_period
        } else {
            self.period
        }
    }

    /// The path findings about this role name.
    pub fn subject(&self) -> String {
        subject(&self.name)
    }

    fn has_any_list(&self) -> bool {
        !(self.allowed_policies.is_empty()
            && self.allowed_policies_glob.is_empty()
            && self.disallowed_policies.is_empty()
            && self.disallowed_policies_glob.is_empty())
    }
}

fn subject(name: &str) -> String {
    format!("auth/token/roles/{name}")
}

/// Nomad's role rules for Nomad 0.8 and later (identical through 1.9), all accumulated.
pub fn check(role: &RoleFacts) -> Vec<Finding> {
    if role.name.is_empty() {
        return vec![Finding::nomad_error(check::ROLE, "auth/token/roles/", "Invalid empty role name")
            .with_remedy("set create_from_role in the servers' vault block (the documented role is nomad-cluster)")];
    }
    let subject = role.subject();
    if !role.exists {
        return vec![Finding::nomad_error(
            check::ROLE,
            subject,
            format!("Role {} does not exist", go_quote(&role.name)),
        )
        .with_remedy(format!("create it: nvctl role create --name {}", role.name))];
    }
    let mut out = Vec::new();
    let mut push = |message: &str, remedy: &str| {
        out.push(Finding::nomad_error(check::ROLE, subject.clone(), message).with_remedy(remedy));
    };
    if !role.renewable {
        push(
            "Role must allow tokens to be renewed",
            "set \"renewable\": true on the role (nvctl role create writes it)",
        );
    }
    if role.explicit_max_ttl != 0 || role.token_explicit_max_ttl != 0 {
        push(
            "Role can not use an explicit max ttl. Token must be periodic.",
            "set \"token_explicit_max_ttl\": 0 (and the legacy \"explicit_max_ttl\": 0) on the role",
        );
    }
    if role.period == 0 && role.token_period == 0 {
        push(
            "Role must have a non-zero period to make tokens periodic.",
            "set \"token_period\" on the role, e.g. 259200 (72h)",
        );
    }
    out
}

/// Nomad 0.7 and earlier also refused orphan roles (nomad-rules.md §1).
pub fn check_pre_0_8(role: &RoleFacts) -> Vec<Finding> {
    let mut out = check(role);
    if role.exists && !role.name.is_empty() && role.orphan {
        out.insert(
            0,
            Finding::nomad_error(check::ROLE, role.subject(), "Role must not allow orphans")
                .with_remedy("Nomad 0.7 and earlier need \"orphan\": false on the role"),
        );
    }
    out
}

/// Nomad's error when the role read itself failed (not a 404).
pub fn lookup_failed(name: &str, error: &str) -> Finding {
    Finding::nomad_error(
        check::ROLE,
        subject(name),
        format!("failed to lookup role {}: {error}", go_quote(name)),
    )
    .with_remedy("the server token needs \"read\" on auth/token/roles/<role> (nvctl policy write)")
}

/// What nvctl knows beyond the role itself, for its own findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleContext<'a> {
    /// Policies of the Nomad server token (besides `default`); `nomad-server` is always
    /// treated as one.
    pub server_policies: &'a [String],
    /// Policy names that exist in Vault, when nvctl could list them.
    pub existing_policies: Option<&'a [String]>,
}

/// Vault's role glob matching (`*` matches any run of characters, anywhere).
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let first = parts[0];
    let last = parts[parts.len() - 1];
    if !name.starts_with(first) || name.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    if !name.ends_with(last) {
        return false;
    }
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// nvctl's own findings about a role Nomad will create task tokens from. Nomad checks none of
/// these; each one is a way a working setup goes wrong later.
pub fn nvctl_findings(role: &RoleFacts, ctx: &RoleContext<'_>) -> Vec<Finding> {
    if role.name.is_empty() || !role.exists {
        return Vec::new();
    }
    let subject = role.subject();
    let mut out = Vec::new();
    let mut server: Vec<&str> = ctx
        .server_policies
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "default" && *p != "root")
        .collect();
    if !server.contains(&"nomad-server") {
        server.push("nomad-server");
    }

    // A job asking for the server's policy must be refused by the role.
    for policy in &server {
        let allowed_by_list = role.allowed_policies.iter().any(|p| p == policy);
        let allowed_by_glob = role
            .allowed_policies_glob
            .iter()
            .any(|g| glob_matches(g, policy));
        if allowed_by_list || allowed_by_glob {
            let how = if allowed_by_list {
                "allowed_policies"
            } else {
                "allowed_policies_glob"
            };
            out.push(
                Finding::nvctl(
                    Severity::Error,
                    check::ROLE,
                    subject.clone(),
                    format!("{how} lets job tokens carry {policy:?}, the Nomad servers' own policy: any job could obtain the servers' powers"),
                )
                .with_remedy(format!("remove {policy:?} from {how}")),
            );
        }
    }
    let has_allowed = !role.allowed_policies.is_empty() || !role.allowed_policies_glob.is_empty();
    let has_disallowed =
        !role.disallowed_policies.is_empty() || !role.disallowed_policies_glob.is_empty();
    if !has_allowed && has_disallowed {
        for policy in &server {
            let refused = role.disallowed_policies.iter().any(|p| p == policy)
                || role
                    .disallowed_policies_glob
                    .iter()
                    .any(|g| glob_matches(g, policy));
            if !refused {
                out.push(
                    Finding::nvctl(
                        Severity::Error,
                        check::ROLE,
                        subject.clone(),
                        format!("disallowed_policies does not list {policy:?}, the Nomad servers' own policy: any job could obtain the servers' powers"),
                    )
                    .with_remedy(format!("add {policy:?} to disallowed_policies")),
                );
            }
        }
    }
    if !role.has_any_list() {
        out.push(
            Finding::nvctl(
                Severity::Error,
                check::ROLE,
                subject.clone(),
                "the role has neither allowed_policies nor disallowed_policies: task tokens may only carry the Nomad server token's own policies (other jobs fail with \"child policies must be subset of parent\", and a job asking for nomad-server gets the servers' powers)",
            )
            .with_remedy("set \"disallowed_policies\": \"nomad-server\" (or an explicit allowed_policies list)"),
        );
    }
    if let Some(existing) = ctx.existing_policies {
        for policy in &role.allowed_policies {
            if policy != "default" && !existing.iter().any(|e| e == policy) {
                out.push(
                    Finding::nvctl(
                        Severity::Warning,
                        check::ROLE,
                        subject.clone(),
                        format!("allowed_policies names {policy:?}, which does not exist in Vault: task tokens get it with the warning \"Policy {policy:?} does not exist\" and no permissions from it"),
                    )
                    .with_remedy(format!("write the policy (vault policy write {policy} FILE) or remove it from allowed_policies")),
                );
            }
        }
    }
    if !role.orphan {
        out.push(
            Finding::nvctl(
                Severity::Warning,
                check::ROLE,
                subject.clone(),
                "the role creates non-orphan task tokens: they are revoked when the Nomad server token is revoked or expires",
            )
            .with_remedy("set \"orphan\": true (recommended since Nomad 0.8)"),
        );
    }
    if role.period != 0 && role.token_period == 0 {
        out.push(
            Finding::nvctl(
                Severity::Info,
                check::ROLE,
                subject,
                "the role uses the deprecated \"period\" field",
            )
            .with_remedy(
                "rewrite it with \"token_period\" (nvctl role create writes the token_* form)",
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Source;
    use crate::nomad::gofmt::multierror;

    fn messages(fs: &[Finding]) -> Vec<&str> {
        fs.iter().map(|f| f.message.as_str()).collect()
    }

    #[test]
    fn seed_role_passes_nomads_rules_and_nvctls() {
        let role = RoleFacts::seed("nomad-cluster");
        assert!(check(&role).is_empty());
        assert!(nvctl_findings(&role, &RoleContext::default()).is_empty());
    }

    #[test]
    fn empty_name_and_missing_role_stop_the_role_checks() {
        let fs = check(&RoleFacts::seed(""));
        assert_eq!(messages(&fs), vec!["Invalid empty role name"]);
        let fs = check(&RoleFacts::missing("nomad-cluster"));
        assert_eq!(
            messages(&fs),
            vec![r#"Role "nomad-cluster" does not exist"#]
        );
        assert_eq!(fs[0].subject, "auth/token/roles/nomad-cluster");
    }

    #[test]
    fn each_role_rule_fires_and_they_accumulate() {
        let role = RoleFacts {
            renewable: false,
            token_explicit_max_ttl: 3600,
            token_period: 0,
            period: 0,
            ..RoleFacts::seed("r")
        };
        let fs = check(&role);
        assert_eq!(
            messages(&fs),
            vec![
                "Role must allow tokens to be renewed",
                "Role can not use an explicit max ttl. Token must be periodic.",
                "Role must have a non-zero period to make tokens periodic.",
            ]
        );
        assert!(fs
            .iter()
            .all(|f| f.source == Source::Nomad && f.remedy.is_some()));
        assert_eq!(
            multierror(&messages(&fs)),
            "3 errors occurred:\n\t* Role must allow tokens to be renewed\n\t* Role can not use an explicit max ttl. Token must be periodic.\n\t* Role must have a non-zero period to make tokens periodic.\n\n"
        );
    }

    #[test]
    fn legacy_fields_count_for_period_and_explicit_max_ttl() {
        let legacy_period = RoleFacts {
            period: 259_200,
            token_period: 0,
            ..RoleFacts::seed("r")
        };
        assert!(check(&legacy_period).is_empty());
        let legacy_max = RoleFacts {
            explicit_max_ttl: 10,
            ..RoleFacts::seed("r")
        };
        assert_eq!(check(&legacy_max).len(), 1);
    }

    #[test]
    fn orphan_and_policy_lists_are_not_nomads_business() {
        let role = RoleFacts {
            orphan: false,
            disallowed_policies: vec![],
            allowed_policies: vec!["nomad-server".into()],
            ..RoleFacts::seed("r")
        };
        assert!(check(&role).is_empty());
    }

    #[test]
    fn pre_0_8_nomad_refuses_orphan_roles() {
        let fs = check_pre_0_8(&RoleFacts::seed("r"));
        assert_eq!(messages(&fs), vec!["Role must not allow orphans"]);
        let non_orphan = RoleFacts {
            orphan: false,
            ..RoleFacts::seed("r")
        };
        assert!(check_pre_0_8(&non_orphan).is_empty());
    }

    #[test]
    fn read_error_quotes_nomad() {
        assert_eq!(
            lookup_failed("nomad-cluster", "Code: 403").message,
            r#"failed to lookup role "nomad-cluster": Code: 403"#
        );
    }

    #[test]
    fn nvctl_flags_allowed_policies_containing_the_server_policy() {
        let role = RoleFacts {
            allowed_policies: vec!["access-tables".into(), "nomad-server".into()],
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let fs = nvctl_findings(&role, &RoleContext::default());
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].source, Source::Nvctl);
        assert_eq!(fs[0].severity, Severity::Error);
        assert!(fs[0]
            .message
            .contains("allowed_policies lets job tokens carry \"nomad-server\""));
    }

    #[test]
    fn nvctl_flags_allowed_glob_matching_the_server_token_policy() {
        let server = vec!["default".to_string(), "nomad-ops".to_string()];
        let role = RoleFacts {
            allowed_policies_glob: vec!["nomad-*".into()],
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let ctx = RoleContext {
            server_policies: &server,
            existing_policies: None,
        };
        let fs = nvctl_findings(&role, &ctx);
        // both nomad-ops (the token's own) and nomad-server match the glob
        assert_eq!(fs.len(), 2, "{fs:?}");
    }

    #[test]
    fn nvctl_flags_disallowed_list_without_the_server_policy() {
        let role = RoleFacts {
            disallowed_policies: vec!["admin".into()],
            ..RoleFacts::seed("r")
        };
        let fs = nvctl_findings(&role, &RoleContext::default());
        assert_eq!(fs.len(), 1);
        assert!(fs[0]
            .message
            .starts_with("disallowed_policies does not list \"nomad-server\""));
        // A glob covering it is fine.
        let globbed = RoleFacts {
            disallowed_policies: vec![],
            disallowed_policies_glob: vec!["nomad-*".into()],
            ..RoleFacts::seed("r")
        };
        assert!(nvctl_findings(&globbed, &RoleContext::default()).is_empty());
    }

    #[test]
    fn nvctl_flags_role_without_any_policy_list() {
        let role = RoleFacts {
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let fs = nvctl_findings(&role, &RoleContext::default());
        assert_eq!(fs.len(), 1);
        assert!(fs[0]
            .message
            .contains("neither allowed_policies nor disallowed_policies"));
    }

    #[test]
    fn nvctl_flags_allowed_policy_missing_from_vault() {
        let existing = vec!["default".to_string(), "nomad-server".to_string()];
        let role = RoleFacts {
            allowed_policies: vec!["access-tables".into()],
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let ctx = RoleContext {
            server_policies: &[],
            existing_policies: Some(&existing),
        };
        let fs = nvctl_findings(&role, &ctx);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].severity, Severity::Warning);
        assert!(fs[0]
            .message
            .contains("\"access-tables\", which does not exist"));
    }

    #[test]
    fn nvctl_notes_non_orphan_role_and_legacy_period() {
        let role = RoleFacts {
            orphan: false,
            period: 259_200,
            token_period: 0,
            ..RoleFacts::seed("r")
        };
        let fs = nvctl_findings(&role, &RoleContext::default());
        let sev: Vec<_> = fs.iter().map(|f| f.severity).collect();
        assert_eq!(sev, vec![Severity::Warning, Severity::Info]);
    }

    #[test]
    fn glob_matching_follows_star_anywhere() {
        assert!(glob_matches("nomad-*", "nomad-server"));
        assert!(glob_matches("*-server", "nomad-server"));
        assert!(glob_matches("*", "x"));
        assert!(glob_matches("a*c*e", "abcde"));
        assert!(!glob_matches("a*c*e", "abcdf"));
        assert!(!glob_matches("ab*ba", "aba"));
        assert!(glob_matches("exact", "exact"));
        assert!(!glob_matches("exact", "exactly"));
    }
}
