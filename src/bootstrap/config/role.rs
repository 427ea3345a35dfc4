//! `role { name, allowed_policies, disallowed_policies, period }`: the token role Nomad
//! creates task tokens from. The name follows Vault's rule for role names
//! (`role_spec::validate_role_name`); the role is built through the same parser as role
//! files (`role_spec::parse_role_json`), so it is the role `nvctl role create` would write.

use super::problems::{Origin, Setting};
use super::reader::{RawBlock, Schema};
use super::{JobPolicies, Resolver, DEFAULT_ROLE};
use crate::nomad::role_spec::{parse_role_json, validate_role_name, RoleSpec};
use crate::source::Located;

pub(super) const SCHEMA: Schema = Schema::block(
    "role",
    &["name", "allowed_policies", "disallowed_policies", "period"],
);

pub(super) struct Role {
    pub name: String,
    pub rule: JobPolicies,
    pub period: u64,
    /// `None` when the settings above are not a valid role (already reported).
    pub spec: Option<RoleSpec>,
}

#[derive(Default)]
struct FileRole {
    name: Option<Located<String>>,
    allowed_policies: Option<Located<Vec<String>>>,
    disallowed_policies: Option<Located<Vec<String>>>,
    period: Option<Located<String>>,
}

fn read(block: Option<&RawBlock>, r: &mut Resolver) -> FileRole {
    let Some(b) = block else {
        return FileRole::default();
    };
    let p = &mut r.problems;
    FileRole {
        name: b.string("name", p),
        allowed_policies: b.list("allowed_policies", "a list of policy names", p),
        disallowed_policies: b.list("disallowed_policies", "a list of policy names", p),
        period: b.duration("period", p),
    }
}

/// The role; `server_policy` is the Nomad servers' policy, which jobs must never obtain.
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver, server_policy: &str) -> Role {
    let file = read(file.block(SCHEMA.name), r);
    let name = Setting::pick(r.args.role.clone(), "--role", file.name, || {
        DEFAULT_ROLE.to_string()
    });
    if let Err(m) = validate_role_name(&name.value) {
        r.problems.error(&name.origin, m);
    }
    let rule = job_policies(
        file.allowed_policies,
        file.disallowed_policies,
        r,
        server_policy,
    );
    let period = Setting::pick(
        r.args.role_period.clone(),
        "--role-period",
        file.period,
        || super::DEFAULT_PERIOD.to_string(),
    );
    let period = r.period(&period, "role period");

    let mut fields = serde_json::json!({
        "orphan": true,
        "renewable": true,
        "token_period": period,
        "token_explicit_max_ttl": 0,
    });
    match &rule {
        JobPolicies::Allowed(l) => fields["allowed_policies"] = serde_json::json!(l),
        JobPolicies::Disallowed(l) => fields["disallowed_policies"] = serde_json::json!(l),
    }
    let spec = match parse_role_json(&fields.to_string(), &name.value, "the bootstrap role") {
        Ok(spec) => Some(spec),
        Err(problems) => {
            for p in problems {
                r.problems.error(&name.origin, p.to_string());
            }
            None
        }
    };
    Role {
        name: name.value,
        rule,
        period,
        spec,
    }
}

/// Which policies jobs may ask for. Flags replace the file's choice as a whole.
fn job_policies(
    file_allowed: Option<Located<Vec<String>>>,
    file_disallowed: Option<Located<Vec<String>>>,
    r: &mut Resolver,
    server_policy: &str,
) -> JobPolicies {
    let (allowed, disallowed) =
        if r.args.allowed_policies.is_some() || r.args.disallowed_policies.is_some() {
            (
                r.args
                    .allowed_policies
                    .clone()
                    .map(|l| Setting::new(l, Origin::Flag("--allowed-policies"))),
                r.args
                    .disallowed_policies
                    .clone()
                    .map(|l| Setting::new(l, Origin::Flag("--disallowed-policies"))),
            )
        } else {
            (
                file_allowed.map(Setting::from),
                file_disallowed.map(Setting::from),
            )
        };
    // As Vault stores them (policyutil.SanitizePolicies).
    let sanitise = |l: &[String]| crate::doctor::task_policies::sanitize(l, false);
    let p = &mut r.problems;
    match (allowed, disallowed) {
        (Some(a), Some(d)) => {
            p.error(
                &a.origin,
                format!(
                    "give allowed_policies or disallowed_policies, not both (the other is at {})",
                    d.origin
                ),
            );
            JobPolicies::Disallowed(sanitise(&d.value))
        }
        // nvctl's advice, not Nomad's rules (nomad/vault.go validateRole reads neither list):
        // warnings, and refusals only under `strict`.
        (Some(a), None) => {
            let list = sanitise(&a.value);
            if list.is_empty() {
                p.advise(&a.origin, "allowed_policies is empty, so the role has neither list: task tokens may only carry the Nomad servers' policies (jobs asking for others fail; a job asking for the servers' gets their powers); list the policies jobs may use");
            }
            if list.iter().any(|p| p == server_policy) {
                p.advise(&a.origin, format!("allowed_policies contains {server_policy:?}, the Nomad servers' own policy: a job asking for it gets the servers' powers; remove it"));
            }
            if list.iter().any(|p| p == "root") {
                p.warn(format!("{}: allowed_policies contains \"root\" (Nomad refuses jobs that ask for it: `Can not specify \"root\" policy`)", a.origin));
            }
            JobPolicies::Allowed(list)
        }
        (None, Some(d)) => {
            let list = sanitise(&d.value);
            if !list.iter().any(|p| p == server_policy) {
                p.advise(&d.origin, format!("disallowed_policies does not list {server_policy:?}, the Nomad servers' own policy: a job asking for it gets the servers' powers; add it"));
            }
            JobPolicies::Disallowed(list)
        }
        (None, None) => JobPolicies::Disallowed(vec![server_policy.to_string()]),
    }
}
