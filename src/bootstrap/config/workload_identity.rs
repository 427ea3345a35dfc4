//! `workload_identity { … }`: the settings of the workload-identity flow, flags over the
//! block. Each is checked where it came from with the flow's own validators
//! (`steps::wi::*_setting`, `nomad::workload_identity::role_name`, `acl::policy_name`);
//! `steps::wi::spec_from_options` makes the spec of them. `--role`, `--policy-name` and
//! `--role-period` are shared with the legacy flow, which checks them already.

use std::path::PathBuf;

use super::problems::{Origin, Problems, Setting};
use super::reader::{RawBlock, Schema};
use super::Resolver;
use crate::source::Located;
use crate::steps::wi::{self, WiOptions};

pub(super) const SCHEMA: Schema = Schema::block(
    "workload_identity",
    &[
        "jwks_url",
        "nomad_addr",
        "jwks_ca_file",
        "audience",
        "auth_path",
        "role",
        "policy",
        "token_period",
        "kv_mount",
    ],
);

#[derive(Default)]
struct FileWorkloadIdentity {
    jwks_url: Option<Located<String>>,
    nomad_addr: Option<Located<String>>,
    jwks_ca_file: Option<Located<PathBuf>>,
    audience: Option<Located<Vec<String>>>,
    auth_path: Option<Located<String>>,
    role: Option<Located<String>>,
    policy: Option<Located<String>>,
    token_period: Option<Located<String>>,
    kv_mount: Option<Located<String>>,
}

fn read(block: Option<&RawBlock>, r: &mut Resolver) -> FileWorkloadIdentity {
    let Some(b) = block else {
        return FileWorkloadIdentity::default();
    };
    let p = &mut r.problems;
    FileWorkloadIdentity {
        jwks_url: b.string("jwks_url", p),
        nomad_addr: b.string("nomad_addr", p),
        jwks_ca_file: b.path("jwks_ca_file", p),
        audience: b.list("audience", "a list of audiences", p),
        auth_path: b.string("auth_path", p),
        role: b.string("role", p),
        policy: b.string("policy", p),
        token_period: b.duration("token_period", p),
        kv_mount: b.string("kv_mount", p),
    }
}

/// The options, and where the file's block is (when it has one).
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> (WiOptions, Option<Origin>) {
    let block = file.block(SCHEMA.name);
    let at = block.map(|b| Origin::File(b.at.clone()));
    let file = read(block, r);
    let args = r.args;
    let p = &mut r.problems;
    let jwks_url = Setting::either(args.jwks_url.clone(), "--jwks-url", file.jwks_url);
    check(p, &jwks_url, "invalid JWKS URL", &|v| {
        wi::jwks_url_setting(v).map(drop)
    });
    let nomad_addr = Setting::either(args.nomad_addr.clone(), "--nomad-addr", file.nomad_addr);
    check(p, &nomad_addr, "invalid Nomad address", &|v| {
        crate::nomad::workload_identity::jwks_url_from_nomad_addr(v).map(drop)
    });
    let audience = Setting::either(
        args.audience.clone(),
        "--audience",
        file.audience.map(|l| Located {
            value: l.value.join(","),
            at: l.at,
        }),
    );
    check(p, &audience, "invalid audience", &|v| {
        wi::audience_setting(v).map(drop)
    });
    let auth_path = Setting::either(args.auth_path.clone(), "--auth-path", file.auth_path);
    check(p, &auth_path, "invalid auth path", &|v| {
        wi::auth_path_setting(v).map(drop)
    });
    let kv_mount = Setting::either(args.kv_mount.clone(), "--kv-mount", file.kv_mount);
    check(p, &kv_mount, "invalid KV mount", &|v| {
        wi::kv_mount_setting(v).map(drop)
    });
    let jwks_ca_file = Setting::either(
        args.jwks_ca_file.clone(),
        "--jwks-ca-file",
        file.jwks_ca_file,
    );
    if let Some(ca) = &jwks_ca_file {
        if let Err(e) = wi::jwks_ca_setting(&ca.value) {
            p.error(&ca.origin, format!("JWKS CA file {e}"));
        }
    }
    if let Some(identity) = &args.identity_file {
        let problem = if identity.is_file() {
            crate::steps::wi::login::read_identity(identity).err()
        } else {
            Some(format!(
                "{}: no such file (a workload identity Nomad signed, e.g. the task's \
                 secrets/nomad_vault_default.jwt with `identity {{ file = true }}`)",
                identity.display()
            ))
        };
        if let Some(problem) = problem {
            p.error(&Origin::Flag("--identity-file"), problem);
        }
    }
    let role = file.role.map(Setting::from);
    check(p, &role, "invalid workload identity role name", &|v| {
        crate::nomad::workload_identity::role_name(v)
    });
    let policy = file.policy.map(Setting::from);
    check(p, &policy, "invalid workload identity policy name", &|v| {
        crate::acl::policy_name(v).map(drop)
    });
    let token_period = file.token_period.map(Setting::from);
    check(
        p,
        &token_period,
        "invalid workload identity token period",
        &|v| {
            crate::duration::parse_flag_seconds(v)
                .map(drop)
                .map_err(|e| e.to_string())
        },
    );

    let value = |s: Option<Setting<String>>| s.map(|s| s.value);
    let options = WiOptions {
        jwks_url: value(jwks_url),
        nomad_addr: value(nomad_addr),
        jwks_ca_file: jwks_ca_file.map(|s| s.value),
        audience: value(audience),
        auth_path: value(auth_path),
        role: args.role.clone().or(value(role)),
        policy: args.policy_name.clone().or(value(policy)),
        token_period: args.role_period.clone().or(value(token_period)),
        kv_mount: value(kv_mount),
        identity_file: args.identity_file.clone(),
    };
    (options, at)
}

/// Reports `value` where it came from when `test` refuses it.
fn check(
    p: &mut Problems,
    value: &Option<Setting<String>>,
    what: &str,
    test: &dyn Fn(&str) -> Result<(), String>,
) {
    if let Some(v) = value {
        if let Err(e) = test(&v.value) {
            p.error(&v.origin, format!("{what}: {e}"));
        }
    }
}
