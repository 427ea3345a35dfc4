//! Which policies Vault puts on a task token that a Nomad server creates from a token role
//! (`auth/token/create/<role>`), or why Vault refuses it — vault-api.md §5, hashicorp/vault
//! `vault/token_store.go` `handleCreateCommon`. Nomad does not check this at submission; Vault
//! enforces it when a client asks for the task's token, so the allocation fails at run time.
//!
//! Pure: the role comes from a `read_token_role`, the request from the jobspec. Nomad sends the
//! job's policies and never `no_default_policy`, so `default` handling is the role's.

use crate::nomad::gofmt::{go_quote, go_quote_list};
use crate::nomad::role_rules::glob_matches;
use crate::vault::TokenRole;

/// What Vault does with a task token request against a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskTokenPolicies {
    /// The token is created with these policies (sorted, as Vault stores them).
    Granted(Vec<String>),
    /// Vault refuses the request with this message (its own words).
    Refused {
        message: String,
        /// The role field whose list refused it: `allowed_policies` (with its glob),
        /// `disallowed_policies` or `disallowed_policies_glob`.
        forbidden_by: &'static str,
        /// The policies the token would have carried, had the role allowed them: what the
        /// template checks still evaluate, so every problem shows up in one run.
        requested: Vec<String>,
    },
    /// The role has no allowed/disallowed lists: Vault falls back to the parent-subset rule
    /// against the Nomad servers' own token, which check-job does not know.
    DependsOnServerToken { requested: Vec<String> },
}

impl TaskTokenPolicies {
    /// The policies to evaluate templates against.
    pub fn effective(&self) -> &[String] {
        match self {
            TaskTokenPolicies::Granted(p) => p,
            TaskTokenPolicies::Refused { requested, .. } => requested,
            TaskTokenPolicies::DependsOnServerToken { requested } => requested,
        }
    }
}

/// Vault's `policyutil.SanitizePolicies`: trimmed, lower-cased, de-duplicated, sorted, empty
/// names dropped, `default` added on request, and a list holding `root` collapsed to `["root"]`.
pub fn sanitize(policies: &[String], add_default: bool) -> Vec<String> {
    let mut out: Vec<String> = policies
        .iter()
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
        .collect();
    if out.iter().any(|p| p == "root") {
        return vec!["root".to_string()];
    }
    if add_default {
        out.push("default".to_string());
    }
    out.sort();
    out.dedup();
    out
}

fn listed_or_glob(list: &[String], globs: &[String], policy: &str) -> bool {
    list.iter().any(|p| p == policy) || globs.iter().any(|g| glob_matches(g, policy))
}

/// Vault's resolution of `requested` (the job's `vault.policies`) against `role`.
pub fn resolve(role: &TokenRole, requested: &[String]) -> TaskTokenPolicies {
    let has_lists = !role.allowed_policies.is_empty()
        || !role.allowed_policies_glob.is_empty()
        || !role.disallowed_policies.is_empty()
        || !role.disallowed_policies_glob.is_empty();
    if !has_lists {
        return TaskTokenPolicies::DependsOnServerToken {
            requested: sanitize(requested, !role.token_no_default_policy),
        };
    }
    let disallowed = sanitize(&role.disallowed_policies, false);
    let disallowed_glob = sanitize(&role.disallowed_policies_glob, false);
    // `default` is added unless the role says not to, or disallows it by name or glob.
    let add_default =
        !role.token_no_default_policy && !listed_or_glob(&disallowed, &disallowed_glob, "default");
    let mut final_policies = if requested.is_empty() {
        Vec::new()
    } else {
        sanitize(requested, add_default)
    };

    if !role.allowed_policies.is_empty() || !role.allowed_policies_glob.is_empty() {
        let allowed = sanitize(&role.allowed_policies, add_default);
        let allowed_glob = sanitize(&role.allowed_policies_glob, false);
        if final_policies.is_empty() {
            final_policies = allowed;
        } else if let Some(_outside) = final_policies
            .iter()
            .find(|p| !listed_or_glob(&allowed, &allowed_glob, p))
        {
            return TaskTokenPolicies::Refused {
                message: format!(
                    "token policies ({}) must be subset of the role's allowed policies ({}) or glob policies ({})",
                    go_quote_list(&final_policies),
                    go_quote_list(&allowed),
                    go_quote_list(&allowed_glob)
                ),
                forbidden_by: "allowed_policies",
                requested: final_policies,
            };
        }
    } else if final_policies.is_empty() {
        // No allowed list and no policies asked for: the parent's (the servers') policies.
        return TaskTokenPolicies::DependsOnServerToken {
            requested: final_policies,
        };
    }

    if let Some(bad) = final_policies
        .iter()
        .find(|p| listed_or_glob(&disallowed, &disallowed_glob, p))
    {
        return TaskTokenPolicies::Refused {
            message: format!("token policy {} is disallowed by this role", go_quote(bad)),
            forbidden_by: if disallowed.contains(bad) {
                "disallowed_policies"
            } else {
                "disallowed_policies_glob"
            },
            requested: final_policies.clone(),
        };
    }
    TaskTokenPolicies::Granted(final_policies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(allowed: &[&str], disallowed: &[&str]) -> TokenRole {
        TokenRole {
            name: "nomad-cluster".into(),
            allowed_policies: allowed.iter().map(|s| s.to_string()).collect(),
            disallowed_policies: disallowed.iter().map(|s| s.to_string()).collect(),
            renewable: true,
            ..TokenRole::default()
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn seed_role_with_only_disallowed_grants_the_job_policies_plus_default() {
        // vault-api.md §5: with only disallowed lists any requested policy passes the first stage.
        let r = role(&[], &["nomad-server"]);
        assert_eq!(
            resolve(&r, &names(&["access-tables"])),
            TaskTokenPolicies::Granted(names(&["access-tables", "default"]))
        );
    }

    #[test]
    fn disallowed_policy_is_refused_in_vaults_words() {
        let r = role(&[], &["nomad-server"]);
        match resolve(&r, &names(&["nomad-server"])) {
            TaskTokenPolicies::Refused {
                message,
                forbidden_by,
                ..
            } => {
                assert_eq!(
                    message,
                    "token policy \"nomad-server\" is disallowed by this role"
                );
                assert_eq!(forbidden_by, "disallowed_policies");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn policy_outside_the_allowed_list_is_refused_with_default_counted_as_allowed() {
        let r = role(&["access-tables"], &[]);
        assert_eq!(
            resolve(&r, &names(&["access-tables"])),
            TaskTokenPolicies::Granted(names(&["access-tables", "default"]))
        );
        match resolve(&r, &names(&["hashicups-api"])) {
            TaskTokenPolicies::Refused {
                message,
                forbidden_by,
                ..
            } => {
                assert_eq!(
                    message,
                    "token policies ([\"default\" \"hashicups-api\"]) must be subset of the role's allowed policies ([\"access-tables\" \"default\"]) or glob policies ([])"
                );
                assert_eq!(forbidden_by, "allowed_policies");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn allowed_glob_admits_matching_policies() {
        let mut r = role(&[], &[]);
        r.allowed_policies_glob = names(&["app-*"]);
        assert_eq!(
            resolve(&r, &names(&["app-web"])),
            TaskTokenPolicies::Granted(names(&["app-web", "default"]))
        );
    }

    #[test]
    fn disallowing_default_by_glob_stops_vault_adding_it() {
        let mut r = role(&["a"], &[]);
        r.disallowed_policies_glob = names(&["def*"]);
        assert_eq!(
            resolve(&r, &names(&["a"])),
            TaskTokenPolicies::Granted(names(&["a"]))
        );
    }

    #[test]
    fn token_no_default_policy_keeps_default_off() {
        let mut r = role(&[], &["nomad-server"]);
        r.token_no_default_policy = true;
        assert_eq!(
            resolve(&r, &names(&["x"])),
            TaskTokenPolicies::Granted(names(&["x"]))
        );
    }

    #[test]
    fn no_policies_with_an_allowed_list_gets_the_allowed_list() {
        let r = role(&["a", "b"], &[]);
        assert_eq!(
            resolve(&r, &[]),
            TaskTokenPolicies::Granted(names(&["a", "b", "default"]))
        );
    }

    #[test]
    fn role_without_lists_depends_on_the_server_token() {
        let r = role(&[], &[]);
        assert!(matches!(
            resolve(&r, &names(&["x"])),
            TaskTokenPolicies::DependsOnServerToken { .. }
        ));
    }
}
