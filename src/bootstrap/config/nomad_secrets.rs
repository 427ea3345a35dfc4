//! `nomad_secrets { … }` (issue 15's contract, seed 004): Vault's Nomad secrets engine.
//!
//! ```hcl
//! nomad_secrets {
//!   path          = "nomad"
//!   address       = "https://nomad.example.com:4646"
//!   token_file    = "nomad-management.token"    # 0600; or NOMAD_TOKEN in the environment
//!   ca_cert_file  = "nomad-ca.pem"              # client_cert_file / client_key_file too
//!   acl_bootstrap = false
//!   lease_ttl     = "1h"
//!   lease_max_ttl = "24h"
//!   role "deployer"    { policies = ["deploy"] }
//!   role "nomad-admin" { type = "management" }
//! }
//! ```
//!
//! Each role is judged by Vault's own rules, in Vault's order and words (path_roles.go
//! `pathRolesWrite`), so a role Vault would refuse is refused here with its `file:line`.
//! A `path` naming `roles` is seed 004's typo and refused with the real path.

use std::path::PathBuf;

use super::problems::Origin;
use super::reader::{Label, RawBlock, Schema};
use super::Resolver;
use crate::nomad_api::NomadTls;
use crate::steps::nomad_secrets::{NomadEngineRole, NomadSecretsSpec, TokenSource};

const ROLE: Schema = Schema {
    name: "role",
    label: Label::One {
        what: "role name",
        example: "role \"deployer\" { policies = [\"deploy\"] }",
    },
    keys: &["policies", "type", "global"],
    blocks: &[],
};

pub(super) const SCHEMA: Schema = Schema {
    name: "nomad_secrets",
    label: Label::None,
    keys: &[
        "path",
        "address",
        "token_file",
        "ca_cert_file",
        "client_cert_file",
        "client_key_file",
        "acl_bootstrap",
        "lease_ttl",
        "lease_max_ttl",
    ],
    blocks: &[&ROLE],
};

/// The default mount, as `vault secrets enable nomad` makes it.
pub const DEFAULT_PATH: &str = "nomad";

/// Vault's role name pattern `\w(([\w-.]+)?\w)?` (framework.GenericNameRegex).
fn valid_role_name(name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let bytes: Vec<char> = name.chars().collect();
    match bytes.as_slice() {
        [] => false,
        [only] => word(*only),
        [first, middle @ .., last] => {
            word(*first) && word(*last) && middle.iter().all(|c| word(*c) || *c == '-' || *c == '.')
        }
    }
}

/// Vault's 400s for a role, in Vault's order (vault-api-engines.md §5.3).
pub fn role_problem(token_type: &str, policies: &[String]) -> Option<&'static str> {
    if token_type == "client" && policies.is_empty() {
        Some("policies cannot be empty when using client tokens")
    } else if token_type == "management" && !policies.is_empty() {
        Some("policies should be empty when using management tokens")
    } else if token_type != "client" && token_type != "management" {
        Some("type must be \"client\" or \"management\"")
    } else {
        None
    }
}

pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Option<NomadSecretsSpec> {
    let block = file.block(SCHEMA.name)?;
    let at = Origin::File(block.at.clone());
    let p = &mut r.problems;
    let path = block.string("path", p);
    let address = block.string("address", p);
    let token_file = block.path("token_file", p);
    let ca_cert = block.path("ca_cert_file", p);
    let client_cert = block.path("client_cert_file", p);
    let client_key = block.path("client_key_file", p);
    let acl_bootstrap = block.bool("acl_bootstrap", p).map(|b| b.value);
    let lease_ttl = block.duration("lease_ttl", p);
    let lease_max_ttl = block.duration("lease_max_ttl", p);
    let acl_bootstrap = acl_bootstrap.unwrap_or(false);

    let mount = match &path {
        Some(path) => {
            let mount = path.value.trim_matches('/').to_string();
            let last = mount.rsplit('/').next().unwrap_or_default();
            if mount.is_empty() {
                p.at(
                    &path.at,
                    "nomad_secrets.path: the engine's mount must not be empty",
                );
            } else if last == "roles" || last == "role" || mount.contains("/roles/") {
                p.at(
                    &path.at,
                    format!(
                        "nomad_secrets.path {:?} names a role path, not the engine's mount: seed \
                         004's `nomad/roles/NAME` is a typo (Vault answers 404); the mount is \
                         `nomad` and roles are `role \"NAME\" {{ … }}` blocks, written at \
                         `nomad/role/NAME`",
                        path.value
                    ),
                );
            }
            mount
        }
        None => DEFAULT_PATH.to_string(),
    };

    let address = match address {
        None => {
            p.error(
                &at,
                "nomad_secrets needs address: Nomad's HTTP address as Vault reaches it, e.g. \"https://nomad.example.com:4646\"",
            );
            String::new()
        }
        Some(a) => {
            if let Err(e) = crate::nomad::workload_identity::jwks_url_from_nomad_addr(&a.value) {
                p.at(&a.at, format!("nomad_secrets.address: {e}"));
            } else if url::Url::parse(a.value.trim())
                .is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
            {
                // It would be printed in every message and stored in Vault's engine config.
                p.at(
                    &a.at,
                    format!(
                        "nomad_secrets.address {:?} carries a user and password: Nomad authenticates with its ACL token (token_file or NOMAD_TOKEN), not with them; remove them from the address",
                        crate::vault::redact_userinfo(a.value.trim())
                    ),
                );
            }
            a.value.trim().trim_end_matches('/').to_string()
        }
    };

    let token = match (&token_file, &r.ctx.nomad_token) {
        (Some(file), _) => {
            if file.value.exists() {
                if let Err(e) = crate::steps::nomad_secrets::check_private(
                    &file.value,
                    "the Nomad token file",
                    "a management token",
                ) {
                    p.at(&file.at, format!("{e:#}"));
                }
            } else if !acl_bootstrap {
                p.at(
                    &file.at,
                    format!(
                        "nomad_secrets.token_file {} does not exist: write Nomad's management token there (chmod 600), or set acl_bootstrap = true to bootstrap Nomad's ACLs and save it there",
                        file.value.display()
                    ),
                );
            }
            Some(TokenSource::File(file.value.clone()))
        }
        (None, _) if acl_bootstrap => {
            p.error(
                &at,
                "acl_bootstrap = true needs token_file: the management token Nomad's bootstrap answers exists once, and nvctl saves it there (0600) before anything else",
            );
            None
        }
        (None, Some(token)) => Some(TokenSource::Environment(token.clone())),
        (None, None) => {
            p.error(
                &at,
                "nomad_secrets needs Nomad's management token: token_file = \"…\" (a 0600 file), or NOMAD_TOKEN in nvctl's environment",
            );
            None
        }
    };

    let mut tls = NomadTls::default();
    for (name, file, slot) in [
        ("ca_cert_file", &ca_cert, &mut tls.ca_cert),
        ("client_cert_file", &client_cert, &mut tls.client_cert),
        ("client_key_file", &client_key, &mut tls.client_key),
    ] {
        if let Some(file) = file {
            if !file.value.is_file() {
                p.at(
                    &file.at,
                    format!(
                        "nomad_secrets.{name} {} does not exist",
                        file.value.display()
                    ),
                );
            }
            *slot = Some(file.value.clone());
        }
    }
    if tls.client_cert.is_some() != tls.client_key.is_some() {
        p.error(
            &at,
            "nomad_secrets: a client certificate needs both client_cert_file and client_key_file",
        );
    }
    if let Some(key) = &client_key {
        if key.value.is_file() {
            if let Err(e) = crate::steps::nomad_secrets::check_private(
                &key.value,
                "nomad_secrets.client_key_file",
                "the private key of Vault's client certificate",
            ) {
                p.at(&key.at, format!("{e:#}"));
            }
        }
    }

    let seconds = |p: &mut super::Problems, d: &Option<crate::source::Located<String>>, key| {
        d.as_ref()
            .map(|d| match crate::duration::parse_flag_seconds(&d.value) {
                Ok(s) => s,
                Err(e) => {
                    p.at(&d.at, format!("nomad_secrets.{key}: {e}"));
                    0
                }
            })
    };
    let ttl = seconds(p, &lease_ttl, "lease_ttl");
    let max_ttl = seconds(p, &lease_max_ttl, "lease_max_ttl");
    let lease = match (ttl, max_ttl) {
        (None, None) => None,
        (ttl, max) => {
            let (ttl, max) = (ttl.unwrap_or(0), max.unwrap_or(0));
            if max > 0 && ttl > max {
                // Vault does not check it; its leases are then capped at max_ttl.
                p.warn(format!(
                    "nomad_secrets: lease_ttl ({ttl}s) is above lease_max_ttl ({max}s): Vault accepts it and caps every lease at {max}s (nvctl's remark)"
                ));
            }
            Some((ttl, max))
        }
    };

    let mut roles: Vec<NomadEngineRole> = Vec::new();
    for role in block.blocks(ROLE.name) {
        let name = role.label();
        let role_at = Origin::File(role.at.clone());
        if !valid_role_name(&name) {
            p.error(
                &role_at,
                format!("invalid Nomad engine role name {name:?}: use letters, digits, '_', '-' and '.', starting and ending with a letter, digit or '_'"),
            );
        }
        let policies = role
            .list("policies", "a list of Nomad ACL policy names", p)
            .map(|l| l.value)
            .unwrap_or_default();
        let token_type = role
            .string("type", p)
            .map(|t| t.value)
            .unwrap_or_else(|| "client".to_string());
        let global = role.bool("global", p).is_some_and(|g| g.value);
        if let Some(problem) = role_problem(&token_type, &policies) {
            p.error(
                &role_at,
                format!("role {name:?}: {problem} (Vault's words: it refuses this role with 400)"),
            );
        }
        roles.push(NomadEngineRole {
            name,
            policies,
            token_type,
            global,
        });
    }

    Some(NomadSecretsSpec {
        mount,
        address,
        token: token?,
        tls,
        acl_bootstrap,
        lease,
        roles,
        rewrite_token: r.args.rewrite_nomad_token,
        no_mint: r.args.no_mint,
    })
}

/// The files the block writes (the bootstrap token), for the distinct-outputs check.
pub(super) fn outputs(spec: &Option<NomadSecretsSpec>) -> Option<PathBuf> {
    match spec {
        Some(NomadSecretsSpec {
            acl_bootstrap: true,
            token: TokenSource::File(path),
            ..
        }) => Some(path.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_follow_vaults_pattern() {
        for ok in ["deployer", "a", "nomad-admin", "x.y_z"] {
            assert!(valid_role_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a/b", "a b"] {
            assert!(!valid_role_name(bad), "{bad}");
        }
    }

    #[test]
    fn roles_are_judged_in_vaults_order() {
        // path_roles.go pathRolesWrite: client without policies first, then management
        // with policies, then the type itself.
        assert_eq!(
            role_problem("client", &[]),
            Some("policies cannot be empty when using client tokens")
        );
        assert_eq!(
            role_problem("management", &["x".into()]),
            Some("policies should be empty when using management tokens")
        );
        assert_eq!(
            role_problem("admin", &[]),
            Some("type must be \"client\" or \"management\"")
        );
        assert_eq!(role_problem("management", &[]), None);
    }
}
