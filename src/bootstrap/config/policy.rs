//! `policy { name }`: the Nomad servers' policy, named by Vault's rules (`acl::policy_name`).

use super::problems::Setting;
use super::reader::{RawBlock, Schema};
use super::{Resolver, DEFAULT_POLICY};

pub(super) const SCHEMA: Schema = Schema::block("policy", &["name"]);

/// The policy's name as Vault stores it (lower case).
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> String {
    let file_name = file
        .block(SCHEMA.name)
        .and_then(|b| b.string("name", &mut r.problems));
    let name = Setting::pick(
        r.args.policy_name.clone(),
        "--policy-name",
        file_name,
        || DEFAULT_POLICY.to_string(),
    );
    match crate::acl::policy_name(&name.value) {
        Ok(name) => name,
        Err(e) => {
            r.problems.error(&name.origin, e);
            name.value.trim().to_lowercase()
        }
    }
}
