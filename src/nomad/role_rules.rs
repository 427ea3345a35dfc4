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
    /// The policies of the Nomad servers' token — as looked up when the token is at hand, else
    /// the configured servers' policy (`nomad-server`). `default` and `root` are not judged
    /// (every token has the first; Nomad refuses jobs asking for the second). Empty: the
    /// rules about the servers' powers have nothing to judge.
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

/// The risk of a role that hands out the servers' policies, said the same way everywhere.
const SERVERS_POWERS_RISK: &str = "a job whose vault block asks for these policies gets task tokens with the Nomad servers' powers (creating tokens from the role for any job, revoking other tasks' tokens); Nomad does not check this, Vault enforces only the role's lists";

/// `"a"`, `"a" and "b"`, `"a", "b" and "c"`.
fn quoted_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| go_quote(n)).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// nvctl's own findings about a role Nomad will create task tokens from — its advice, not
/// Nomad's verdict: Nomad checks none of these (nomad/vault.go validateRole reads only
/// `renewable`, the explicit max TTLs and the periods). Each is a way a set-up Nomad accepts
/// goes wrong later; the ones that hand the servers' powers to jobs are error-grade (they fail
/// under `--strict`).
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
        .filter(|p| !p.is_empty() && *p != "default" && *p != "root")
        .collect();
    server.sort_unstable();
    server.dedup();

    // A job asking for the servers' policies must be refused by the role.
    for (how, carried) in [
        (
            "allowed_policies",
            server
                .iter()
                .copied()
                .filter(|p| role.allowed_policies.iter().any(|a| a == p))
                .collect::<Vec<_>>(),
        ),
        (
            "allowed_policies_glob",
            server
                .iter()
                .copied()
                .filter(|p| !role.allowed_policies.iter().any(|a| a == p))
                .filter(|p| {
                    role.allowed_policies_glob
                        .iter()
                        .any(|g| glob_matches(g, p))
                })
                .collect::<Vec<_>>(),
        ),
    ] {
        if carried.is_empty() {
            continue;
        }
        out.push(
            Finding::advice(
                check::ROLE,
                subject.clone(),
                format!(
                    "{how} lets job tokens carry {}, the Nomad servers' own {}",
                    quoted_names(&carried),
                    plural(carried.len(), "policy", "policies")
                ),
            )
            .with_risk(SERVERS_POWERS_RISK)
            .with_remedy(format!(
                "remove {} from {how} on auth/token/roles/{}",
                quoted_names(&carried),
                role.name
            ))
            .error_grade(),
        );
    }
    let has_allowed = !role.allowed_policies.is_empty() || !role.allowed_policies_glob.is_empty();
    let has_disallowed =
        !role.disallowed_policies.is_empty() || !role.disallowed_policies_glob.is_empty();
    if !has_allowed && has_disallowed {
        let missed: Vec<&str> = server
            .iter()
            .copied()
            .filter(|p| {
                !role.disallowed_policies.iter().any(|d| d == p)
                    && !role
                        .disallowed_policies_glob
                        .iter()
                        .any(|g| glob_matches(g, p))
            })
            .collect();
        if !missed.is_empty() {
            out.push(
                Finding::advice(
                    check::ROLE,
                    subject.clone(),
                    format!(
                        "disallowed_policies does not list {}, the Nomad servers' own {}, and the role has no allowed list",
                        quoted_names(&missed),
                        plural(missed.len(), "policy", "policies")
                    ),
                )
                .with_risk(SERVERS_POWERS_RISK)
                .with_remedy(format!(
                    "add {} to disallowed_policies on auth/token/roles/{}",
                    quoted_names(&missed),
                    role.name
                ))
                .error_grade(),
            );
        }
    }
    if !role.has_any_list() {
        out.push(
            Finding::advice(
                check::ROLE,
                subject.clone(),
                "the role has neither allowed_policies nor disallowed_policies",
            )
            .with_risk("task tokens may then only carry policies of the Nomad servers' token: jobs asking for other policies fail (Vault: \"child policies must be subset of parent\"), and a job asking for the servers' policies gets the servers' powers")
            .with_remedy("set \"disallowed_policies\" to the servers' policy (e.g. nomad-server), or list the policies jobs may use in \"allowed_policies\"")
            .error_grade(),
        );
    }
    if let Some(existing) = ctx.existing_policies {
        for policy in &role.allowed_policies {
            if policy != "default" && !existing.iter().any(|e| e == policy) {
                out.push(
                    Finding::advice(
                        check::ROLE,
                        subject.clone(),
                        format!("allowed_policies names {}, which does not exist in Vault", go_quote(policy)),
                    )
                    .with_risk(format!("task tokens get it with Vault's warning \"Policy {} does not exist\" and no permissions from it", go_quote(policy)))
                    .with_remedy(format!("write the policy (vault policy write {policy} FILE) or remove it from allowed_policies")),
                );
            }
        }
    }
    if !role.orphan {
        out.push(
            Finding::advice(
                check::ROLE,
                subject.clone(),
                "the role creates non-orphan task tokens",
            )
            .with_risk(
                "task tokens are revoked when the Nomad servers' token is revoked or expires",
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

    fn servers() -> Vec<String> {
        vec!["default".to_string(), "nomad-server".to_string()]
    }

    #[test]
    fn nvctl_advises_against_allowed_policies_containing_the_server_policy() {
        let role = RoleFacts {
            allowed_policies: vec!["access-tables".into(), "nomad-server".into()],
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let server = servers();
        let ctx = RoleContext {
            server_policies: &server,
            existing_policies: None,
        };
        let fs = nvctl_findings(&role, &ctx);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].source, Source::Nvctl);
        // Advice, not Nomad's verdict: a warning that only --strict fails on.
        assert_eq!(fs[0].severity, Severity::Warning);
        assert!(fs[0].strict && fs[0].risk.is_some() && fs[0].remedy.is_some());
        assert_eq!(
            fs[0].message,
            "allowed_policies lets job tokens carry \"nomad-server\", the Nomad servers' own policy"
        );
        // Without knowing the servers' policies there is nothing to judge.
        assert!(nvctl_findings(&role, &RoleContext::default()).is_empty());
    }

    #[test]
    fn nvctl_advice_names_the_policies_the_servers_token_has() {
        // nomad/vault_test.go defaultTestVaultAllowlistRoleAndToken: the role allows exactly
        // the policies of the token minted from it.
        let server = vec![
            "default".to_string(),
            "nomad-role-create".to_string(),
            "nomad-role-management".to_string(),
        ];
        let role = RoleFacts {
            allowed_policies: vec!["nomad-role-create".into(), "nomad-role-management".into()],
            disallowed_policies: vec![],
            ..RoleFacts::seed("test")
        };
        let ctx = RoleContext {
            server_policies: &server,
            existing_policies: None,
        };
        let fs = nvctl_findings(&role, &ctx);
        assert_eq!(
            fs[0].message,
            "allowed_policies lets job tokens carry \"nomad-role-create\" and \"nomad-role-management\", the Nomad servers' own policies"
        );
        // defaultTestVaultDenylistRoleAndToken: the deny list names one of the two.
        let denylist = RoleFacts {
            disallowed_policies: vec!["nomad-role-create".into()],
            ..RoleFacts::seed("test")
        };
        let fs = nvctl_findings(&denylist, &ctx);
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert_eq!(
            fs[0].message,
            "disallowed_policies does not list \"nomad-role-management\", the Nomad servers' own policy, and the role has no allowed list"
        );
    }

    #[test]
    fn nvctl_advises_on_an_allowed_glob_matching_the_server_token_policy() {
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
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert!(fs[0]
            .message
            .starts_with("allowed_policies_glob lets job tokens carry \"nomad-ops\""));
    }

    #[test]
    fn nvctl_advises_on_a_disallowed_list_without_the_server_policy() {
        let role = RoleFacts {
            disallowed_policies: vec!["admin".into()],
            ..RoleFacts::seed("r")
        };
        let server = servers();
        let ctx = RoleContext {
            server_policies: &server,
            existing_policies: None,
        };
        let fs = nvctl_findings(&role, &ctx);
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
        assert!(nvctl_findings(&globbed, &ctx).is_empty());
    }

    #[test]
    fn nvctl_advises_on_a_role_without_any_policy_list() {
        let role = RoleFacts {
            disallowed_policies: vec![],
            ..RoleFacts::seed("r")
        };
        let fs = nvctl_findings(&role, &RoleContext::default());
        assert_eq!(fs.len(), 1);
        assert!(fs[0].strict);
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
