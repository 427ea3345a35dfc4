//! Workload identity (nomad-rules.md §5) as data and pure functions: what `nomad setup vault`
//! creates (the `jwt` auth method's config, the `nomad-workloads` policy templated on the
//! mount's accessor, the `nomad-workloads` role), the marks nvctl leaves on what it creates so
//! that `--destroy` removes only that, and the rules for judging a live set-up: the role's
//! audiences against the servers' `default_identity.aud`, the claims the policy's templates
//! need, and the accessor the policy is templated on against the mount's real one.
//!
//! No network here: `crate::wi_check` gathers the facts and calls these rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::checks::{Finding, Severity};
use crate::nomad::gofmt::go_quote_list;

/// The `check` name of every workload-identity finding.
pub const CHECK: &str = "workload-identity";

/// Defaults of `nomad setup vault` (hashicorp/nomad `command/setup_vault.go`).
pub const DEFAULT_AUTH_PATH: &str = "jwt-nomad";
pub const DEFAULT_ROLE: &str = "nomad-workloads";
pub const DEFAULT_POLICY: &str = "nomad-workloads";
pub const DEFAULT_AUDIENCE: &str = "vault.io";
pub const DEFAULT_USER_CLAIM: &str = "/nomad_job_id";
pub const DEFAULT_TOKEN_TYPE: &str = "service";
/// `token_period` of the role: 30m.
pub const DEFAULT_TOKEN_PERIOD: u64 = 1800;
/// `default_identity.ttl` in the server block.
pub const DEFAULT_IDENTITY_TTL: &str = "1h";
/// The algorithms Nomad signs workload identities with.
pub const DEFAULT_SUPPORTED_ALGS: [&str; 2] = ["EdDSA", "RS256"];
/// The KV v2 engine the policy's paths live in.
pub const DEFAULT_KV_MOUNT: &str = "secret";
/// Where a Nomad agent serves its public keys.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The claims Nomad puts in a workload identity that the policy's templates use, mapped to
/// alias metadata of the same name.
pub const DEFAULT_CLAIM_MAPPINGS: [&str; 3] = ["nomad_namespace", "nomad_job_id", "nomad_task"];

/// What nvctl writes into what it creates, so `--destroy` can tell its objects from the
/// operator's (`nomad setup vault` marks its namespace with `created-by: nomad-setup` the same
/// way). Mount descriptions contain it; nvctl's policy starts with a comment line holding it.
pub const NVCTL_MARK: &str = "[created-by: nvctl]";

/// Description of the auth method nvctl enables.
pub fn auth_mount_description() -> String {
    format!("Nomad workload identity {NVCTL_MARK}")
}

/// Description of the KV v2 engine nvctl mounts.
pub fn kv_mount_description() -> String {
    format!("Nomad workload secrets {NVCTL_MARK}")
}

/// Whether a mount's description carries nvctl's mark.
pub fn is_marked_description(description: &str) -> bool {
    description.contains(NVCTL_MARK)
}

/// Everything the workload-identity set-up is made of, with `nomad setup vault`'s defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadIdentitySpec {
    /// Path of the `jwt` auth method, without slashes (`jwt-nomad`).
    pub auth_path: String,
    /// Nomad's JWKS URL, which Vault fetches.
    pub jwks_url: String,
    /// CA certificate (PEM) Vault (and nvctl's pre-flight) verify the JWKS endpoint with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_ca_pem: Option<String>,
    pub supported_algs: Vec<String>,
    /// The role, also the config's `default_role`.
    pub role_name: String,
    pub policy_name: String,
    /// The role's `bound_audiences`: must meet the servers' `default_identity.aud`.
    pub audiences: Vec<String>,
    pub user_claim: String,
    /// claim → alias metadata key.
    pub claim_mappings: BTreeMap<String, String>,
    pub token_type: String,
    /// Seconds.
    pub token_period: u64,
    pub token_policies: Vec<String>,
    /// The KV v2 mount the policy grants on (no slashes): `secret`, as in `nomad setup vault`'s
    /// policy, unless `--kv-mount` names another.
    pub kv_mount: String,
    /// Whether nvctl mounts a KV v2 engine at `kv_mount` when nothing is there. Only when asked
    /// for (`--kv-mount`, `kv_mount` in the configuration): `nomad setup vault` mounts none.
    pub mount_kv: bool,
    /// `default_identity.ttl` for the server block.
    pub identity_ttl: String,
}

impl WorkloadIdentitySpec {
    /// `nomad setup vault`'s set-up for Nomad's JWKS at `jwks_url`.
    pub fn nomad_defaults(jwks_url: impl Into<String>) -> Self {
        WorkloadIdentitySpec {
            auth_path: DEFAULT_AUTH_PATH.to_string(),
            jwks_url: jwks_url.into(),
            jwks_ca_pem: None,
            supported_algs: DEFAULT_SUPPORTED_ALGS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            role_name: DEFAULT_ROLE.to_string(),
            policy_name: DEFAULT_POLICY.to_string(),
            audiences: vec![DEFAULT_AUDIENCE.to_string()],
            user_claim: DEFAULT_USER_CLAIM.to_string(),
            claim_mappings: DEFAULT_CLAIM_MAPPINGS
                .iter()
                .map(|c| (c.to_string(), c.to_string()))
                .collect(),
            token_type: DEFAULT_TOKEN_TYPE.to_string(),
            token_period: DEFAULT_TOKEN_PERIOD,
            token_policies: vec![DEFAULT_POLICY.to_string()],
            kv_mount: DEFAULT_KV_MOUNT.to_string(),
            mount_kv: false,
            identity_ttl: DEFAULT_IDENTITY_TTL.to_string(),
        }
    }

    /// Checks the spec before anything is sent; the message names the offending setting.
    pub fn validate(&self) -> Result<(), String> {
        let path = self.auth_path.trim_matches('/');
        if path.is_empty() {
            return Err("the auth path must not be empty".into());
        }
        if path == "token" {
            return Err("the auth path \"token\" is Vault's token store; choose another".into());
        }
        if self.jwks_url.is_empty() {
            return Err("no JWKS URL: give --jwks-url URL or --nomad-addr URL".into());
        }
        if !(self.jwks_url.starts_with("http://") || self.jwks_url.starts_with("https://")) {
            return Err(format!(
                "invalid JWKS URL {:?}: it must start with http:// or https://",
                self.jwks_url
            ));
        }
        role_name(&self.role_name)?;
        crate::acl::policy_name(&self.policy_name)?;
        if self.audiences.iter().all(|a| a.trim().is_empty()) {
            return Err("at least one audience is needed (Nomad's default is vault.io)".into());
        }
        if self.user_claim.is_empty() {
            return Err("the role needs a user_claim".into());
        }
        if ![
            "service",
            "batch",
            "default",
            "default-service",
            "default-batch",
        ]
        .contains(&self.token_type.as_str())
        {
            return Err(format!(
                "invalid token type {:?}: use service (or batch, default)",
                self.token_type
            ));
        }
        if self.kv_mount.trim_matches('/').is_empty() {
            return Err("the KV mount path must not be empty".into());
        }
        Ok(())
    }

    /// The auth path without slashes.
    pub fn path(&self) -> &str {
        self.auth_path.trim_matches('/')
    }

    /// The role as nvctl writes and compares it.
    pub fn desired_role(&self) -> ManagedRole {
        ManagedRole {
            role_type: "jwt".to_string(),
            bound_audiences: sorted(self.audiences.iter().map(|a| a.trim().to_string())),
            user_claim: self.user_claim.clone(),
            user_claim_json_pointer: self.user_claim.starts_with('/'),
            claim_mappings: self.claim_mappings.clone(),
            token_type: self.token_type.clone(),
            token_period: self.token_period,
            token_policies: sorted(self.token_policies.iter().map(|p| p.to_lowercase())),
        }
    }
}

/// A jwt role name nvctl will write: not empty, no `/` (it is the last segment of
/// `auth/<path>/role/<name>`).
pub fn role_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.contains('/') {
        return Err(format!(
            "invalid role name {name:?}: it must be non-empty without '/'"
        ));
    }
    Ok(())
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = items.filter(|s| !s.is_empty()).collect();
    set.into_iter().collect()
}

/// `<nomad_addr>/.well-known/jwks.json`, the JWKS URL of a Nomad agent.
pub fn jwks_url_from_nomad_addr(nomad_addr: &str) -> Result<String, String> {
    let addr = nomad_addr.trim().trim_end_matches('/');
    let host = addr
        .strip_prefix("http://")
        .or_else(|| addr.strip_prefix("https://"))
        .ok_or_else(|| {
            format!("invalid Nomad address {nomad_addr:?}: it must start with http:// or https://")
        })?;
    if host.is_empty() {
        return Err(format!("invalid Nomad address {nomad_addr:?}: no host"));
    }
    Ok(format!("{addr}{JWKS_PATH}"))
}

/// The fields of a JWT role nvctl manages, in a comparable form (lists sorted, policies
/// lower-cased as Vault stores them). Other fields of a live role are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManagedRole {
    pub role_type: String,
    pub bound_audiences: Vec<String>,
    pub user_claim: String,
    pub user_claim_json_pointer: bool,
    pub claim_mappings: BTreeMap<String, String>,
    pub token_type: String,
    /// Seconds.
    pub token_period: u64,
    pub token_policies: Vec<String>,
}

impl ManagedRole {
    /// Pretty JSON with sorted keys, for plans and diffs.
    pub fn canonical_json(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A live JWT role in plain fields, for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtRoleFacts {
    pub managed: ManagedRole,
    /// Seconds.
    pub token_ttl: u64,
    pub has_bound_claims: bool,
}

/// The live JWT auth config in plain fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtConfigFacts {
    pub jwks_url: String,
    pub has_other_key_source: bool,
    pub supported_algs: Vec<String>,
    pub default_role: String,
}

/// The policy nvctl writes for workload identities: `nomad setup vault`'s text, templated on
/// the auth mount's `accessor`, on the KV v2 mount `kv_mount`.
pub fn policy_body(accessor: &str, kv_mount: &str) -> String {
    let kv = kv_mount.trim_matches('/');
    let ns = format!("{{{{identity.entity.aliases.{accessor}.metadata.nomad_namespace}}}}");
    let job = format!("{{{{identity.entity.aliases.{accessor}.metadata.nomad_job_id}}}}");
    format!(
        "path \"{kv}/data/{ns}/{job}/*\" {{\n  capabilities = [\"read\"]\n}}\n\n\
         path \"{kv}/data/{ns}/{job}\" {{\n  capabilities = [\"read\"]\n}}\n\n\
         path \"{kv}/metadata/{ns}/*\" {{\n  capabilities = [\"list\"]\n}}\n\n\
         path \"{kv}/metadata/*\" {{\n  capabilities = [\"list\"]\n}}\n"
    )
}

/// What nvctl's comment lines at the top of a policy say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMarks {
    /// nvctl created this policy.
    pub created_by_nvctl: bool,
    /// JWT roles (`auth/<path>/role/<name>`) nvctl created beside it. JWT roles have no field
    /// for a mark of their own, so their creation is recorded here.
    pub roles: Vec<String>,
}

const MARK_POLICY_LINE: &str = "policy for Nomad workload identities";
const MARK_ROLE_PREFIX: &str = "also created ";

impl PolicyMarks {
    /// The comment lines carrying these marks (empty when nvctl did not create the policy).
    pub fn header(&self) -> String {
        if !self.created_by_nvctl {
            return String::new();
        }
        let mut out = format!(
            "# {NVCTL_MARK} {MARK_POLICY_LINE}; `nvctl bootstrap --flow workload-identity --destroy` removes it\n"
        );
        for role in &self.roles {
            out.push_str(&format!("# {NVCTL_MARK} {MARK_ROLE_PREFIX}{role}\n"));
        }
        out
    }

    /// Reads the marks from a policy's leading comment lines.
    pub fn parse(text: &str) -> PolicyMarks {
        let mut marks = PolicyMarks::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let Some(comment) = line.strip_prefix('#') else {
                break;
            };
            let Some(rest) = comment.trim().strip_prefix(NVCTL_MARK) else {
                continue;
            };
            let rest = rest.trim();
            if rest.starts_with(MARK_POLICY_LINE) {
                marks.created_by_nvctl = true;
            } else if let Some(role) = rest.strip_prefix(MARK_ROLE_PREFIX) {
                marks.roles.push(role.trim().to_string());
            }
        }
        if !marks.created_by_nvctl {
            marks.roles.clear();
        }
        marks
    }
}

/// The subject naming a JWT role: `auth/<path>/role/<name>`.
pub fn role_subject(auth_path: &str, role: &str) -> String {
    format!("auth/{}/role/{role}", auth_path.trim_matches('/'))
}

/// `{{identity.entity.aliases.<ACCESSOR>.<rest>}}` templates in a policy text: accessor →
/// the `metadata.<key>` keys used with it (a template on `.name` adds no key).
pub fn alias_templates(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    const PREFIX: &str = "identity.entity.aliases.";
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let inner = after[..end].trim();
        rest = &after[end + 2..];
        let Some(tail) = inner.strip_prefix(PREFIX) else {
            continue;
        };
        let Some((accessor, field)) = tail.split_once('.') else {
            continue;
        };
        let keys = out.entry(accessor.to_string()).or_default();
        if let Some(key) = field.strip_prefix("metadata.") {
            keys.insert(key.to_string());
        }
    }
    out
}

/// How Vault compares audiences: a login passes when the identity's `aud` shares at least one
/// value with the role's `bound_audiences`.
pub fn audiences_meet(bound: &[String], identity_aud: &[String]) -> bool {
    bound.iter().any(|b| identity_aud.iter().any(|a| a == b))
}

/// What the role rules know besides the role.
#[derive(Debug, Clone)]
pub struct RoleContext<'a> {
    pub auth_path: &'a str,
    pub role_name: &'a str,
    /// The servers' `default_identity.aud`; empty when unknown (a client's configuration).
    pub server_audiences: &'a [String],
    /// Policies that exist in Vault; `None` when they could not be listed.
    pub existing_policies: Option<&'a [String]>,
}

/// Vault's answer to a login whose audience the role does not bind.
pub const VAULT_AUDIENCE_MISMATCH: &str =
    "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience";

/// The rules for one JWT role Nomad's workloads log in with. `None`: the role does not exist.
pub fn check_role(role: Option<&JwtRoleFacts>, ctx: &RoleContext<'_>) -> Vec<Finding> {
    let subject = role_subject(ctx.auth_path, ctx.role_name);
    let mut out = Vec::new();
    let Some(role) = role else {
        out.push(
            error(
                &subject,
                format!(
                    "role {:?} does not exist at auth/{}: every task login fails with \"role {:?} could not be found\"",
                    ctx.role_name,
                    ctx.auth_path.trim_matches('/'),
                    ctx.role_name
                ),
            )
            .with_remedy("create it with `nvctl bootstrap --flow workload-identity`"),
        );
        return out;
    };
    let r = &role.managed;
    if r.role_type != "jwt" {
        out.push(
            error(
                &subject,
                format!(
                    "role_type is {:?}: Nomad logs in with a JWT, which Vault refuses on an OIDC role",
                    r.role_type
                ),
            )
            .with_remedy("set role_type = \"jwt\""),
        );
    }

    // Audiences: Vault compares the identity's aud with bound_audiences at every login.
    if !ctx.server_audiences.is_empty() {
        if r.bound_audiences.is_empty() {
            out.push(
                error(
                    &subject,
                    format!(
                        "the role binds no audience while the servers' default_identity.aud is {}: Vault refuses every login with \"audience claim found in JWT but no audiences bound to the role\"",
                        go_quote_list(ctx.server_audiences)
                    ),
                )
                .with_remedy(format!(
                    "set bound_audiences to {} (nvctl bootstrap --flow workload-identity --audience {})",
                    go_quote_list(ctx.server_audiences),
                    ctx.server_audiences[0]
                )),
            );
        } else if !audiences_meet(&r.bound_audiences, ctx.server_audiences) {
            out.push(
                error(
                    &subject,
                    format!(
                        "audience mismatch: the role's bound_audiences {} share nothing with the servers' default_identity.aud {}; every task login fails with \"{VAULT_AUDIENCE_MISMATCH}\"",
                        go_quote_list(&r.bound_audiences),
                        go_quote_list(ctx.server_audiences)
                    ),
                )
                .with_remedy(format!(
                    "make them agree: set the role's bound_audiences to {} (nvctl bootstrap --flow workload-identity --audience {}), or change default_identity {{ aud }} in the Nomad servers' vault block",
                    go_quote_list(ctx.server_audiences),
                    ctx.server_audiences[0]
                )),
            );
        }
    } else if r.bound_audiences.is_empty() && !role.has_bound_claims {
        out.push(error(
            &subject,
            "the role binds no audience: Nomad's identities always carry one, and Vault refuses them",
        ));
    }

    // The user claim names the identity alias; per job keeps jobs apart.
    if r.user_claim.is_empty() {
        out.push(
            error(&subject, "the role has no user_claim: Vault cannot name the identity alias and refuses the role")
                .with_remedy(format!("set user_claim = {DEFAULT_USER_CLAIM:?} with user_claim_json_pointer = true")),
        );
    } else {
        if r.user_claim.starts_with('/') && !r.user_claim_json_pointer {
            out.push(
                error(
                    &subject,
                    format!(
                        "user_claim {:?} is a JSON pointer but user_claim_json_pointer is false: Vault looks for a claim literally named {:?} and every login fails with \"claim {:?} not found in token\"",
                        r.user_claim, r.user_claim, r.user_claim
                    ),
                )
                .with_remedy("set user_claim_json_pointer = true"),
            );
        }
        if r.user_claim.trim_start_matches('/') != "nomad_job_id" {
            out.push(
                Finding::nvctl(
                    Severity::Warning,
                    CHECK,
                    &subject,
                    format!(
                        "user_claim is {:?}, not per job: every job it covers shares one identity alias, whose metadata is rewritten at each login, so a token's templated paths follow whichever job logged in last",
                        r.user_claim
                    ),
                )
                .with_remedy(format!("set user_claim = {DEFAULT_USER_CLAIM:?} (user_claim_json_pointer = true), as nomad setup vault does")),
            );
        }
    }

    if r.claim_mappings.is_empty() {
        out.push(
            error(
                &subject,
                "the role has no claim_mappings: the identity alias gets no metadata, so policies templated on nomad_namespace/nomad_job_id grant nothing",
            )
            .with_remedy("map nomad_namespace, nomad_job_id and nomad_task to metadata of the same names"),
        );
    }

    match r.token_type.as_str() {
        "service" | "default" | "default-service" => {}
        "batch" | "default-batch" => out.push(
            Finding::nvctl(
                Severity::Warning,
                CHECK,
                &subject,
                format!(
                    "token_type is {:?}: batch tokens cannot be renewed, so tasks lose Vault access when the first TTL runs out",
                    r.token_type
                ),
            )
            .with_remedy("set token_type = \"service\""),
        ),
        other => out.push(error(&subject, format!("unknown token_type {other:?}"))),
    }
    if r.token_period == 0 && role.token_ttl == 0 {
        out.push(
            Finding::nvctl(
                Severity::Info,
                CHECK,
                &subject,
                "neither token_period nor token_ttl is set: tokens get the mount's default TTL (32 days unless tuned)",
            )
            .with_remedy(format!(
                "set token_period = \"{}\" as nomad setup vault does",
                crate::duration::format_friendly(DEFAULT_TOKEN_PERIOD)
            )),
        );
    }

    if r.token_policies.is_empty() {
        out.push(
            Finding::nvctl(
                Severity::Warning,
                CHECK,
                &subject,
                "the role grants no policies: workload tokens only get \"default\"",
            )
            .with_remedy(format!("set token_policies = [{DEFAULT_POLICY:?}]")),
        );
    }
    if let Some(existing) = ctx.existing_policies {
        for policy in &r.token_policies {
            if policy != "default" && !existing.iter().any(|e| e == policy) {
                out.push(
                    error(
                        &subject,
                        format!(
                            "policy {policy:?} named in token_policies does not exist: workload tokens get nothing from it"
                        ),
                    )
                    .with_remedy("write it (nvctl bootstrap --flow workload-identity writes nomad-workloads)"),
                );
            }
        }
    }
    out
}

/// The auth method's config against the role Nomad uses.
pub fn check_config(config: Option<&JwtConfigFacts>, ctx: &RoleContext<'_>) -> Vec<Finding> {
    let path = ctx.auth_path.trim_matches('/');
    let subject = format!("auth/{path}/config");
    let Some(config) = config else {
        return vec![error(
            &subject,
            "the JWT auth method is not configured: Vault has no keys to verify Nomad's identities and refuses every login",
        )
        .with_remedy("write it with `nvctl bootstrap --flow workload-identity --nomad-addr URL`")];
    };
    let mut out = Vec::new();
    if config.jwks_url.is_empty() && !config.has_other_key_source {
        out.push(error(
            &subject,
            "the config names no JWKS URL (nor static keys): Vault cannot verify Nomad's identities",
        ));
    }
    if config.supported_algs.is_empty() {
        out.push(
            Finding::nvctl(
                Severity::Warning,
                CHECK,
                &subject,
                "jwt_supported_algs is empty: Vault then accepts RS256 only, and identities Nomad signs with EdDSA are refused",
            )
            .with_remedy("set jwt_supported_algs = [\"EdDSA\", \"RS256\"]"),
        );
    } else if !config
        .supported_algs
        .iter()
        .any(|a| DEFAULT_SUPPORTED_ALGS.contains(&a.as_str()))
    {
        out.push(error(
            &subject,
            format!(
                "jwt_supported_algs {} has neither EdDSA nor RS256: Vault refuses Nomad's identities",
                go_quote_list(&config.supported_algs)
            ),
        ));
    }
    if config.default_role != ctx.role_name {
        let said = if config.default_role.is_empty() {
            "no default_role".to_string()
        } else {
            format!("default_role is {:?}", config.default_role)
        };
        out.push(Finding::nvctl(
            Severity::Info,
            CHECK,
            &subject,
            format!(
                "{said}: jobs whose vault block names no role (and agents without create_from_role) do not log in with {:?}",
                ctx.role_name
            ),
        ));
    }
    out
}

/// Accessor drift and claim coverage for one policy of the role. `mount_accessor` is the auth
/// method's real accessor; `other_mounts` maps the accessors of the other auth methods to
/// their paths (to say which one a stale template points at).
pub fn check_policy_templates(
    policy_name: &str,
    text: &str,
    auth_path: &str,
    mount_accessor: &str,
    other_mounts: &BTreeMap<String, String>,
    role: Option<&ManagedRole>,
) -> Vec<Finding> {
    let subject = format!("sys/policies/acl/{policy_name}");
    let path = auth_path.trim_matches('/');
    let mut out = Vec::new();
    for (accessor, keys) in alias_templates(text) {
        if accessor == mount_accessor {
            if let Some(role) = role {
                let mapped: BTreeSet<&str> =
                    role.claim_mappings.values().map(String::as_str).collect();
                for key in keys.iter().filter(|k| !mapped.contains(k.as_str())) {
                    out.push(
                        error(
                            &subject,
                            format!(
                                "the policy templates on alias metadata {key:?}, which the role's claim_mappings never set: those paths render empty and grant nothing"
                            ),
                        )
                        .with_remedy(format!("map a claim to {key:?} in the role's claim_mappings")),
                    );
                }
            }
            continue;
        }
        let message = match other_mounts.get(&accessor) {
            Some(other) => format!(
                "accessor drift: the policy is templated on {accessor}, the accessor of auth/{}, not of auth/{path}/ ({mount_accessor}): it grants nothing to tokens from {path}",
                other.trim_end_matches('/').to_string() + "/"
            ),
            None => format!(
                "accessor drift: the policy is templated on {accessor}, which no auth method has any more; auth/{path}/ now has {mount_accessor} (it was disabled and enabled again): the templated paths grant nothing, silently"
            ),
        };
        out.push(error(&subject, message).with_remedy(format!(
            "re-run `nvctl bootstrap --flow workload-identity --auth-path {path}` (it rewrites the policy on the current accessor), or replace {accessor} by {mount_accessor} in the policy"
        )));
    }
    out
}

fn error(subject: &str, message: impl Into<String>) -> Finding {
    Finding::nvctl(Severity::Error, CHECK, subject, message)
}

/// One key of a JWK set, as the pre-flight reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwkSummary {
    pub kid: String,
    pub kty: String,
    /// `EdDSA` or `RS256` when Vault can verify Nomad's identities with it.
    pub alg: Option<String>,
}

/// Checks a JWKS document: a `keys` array holding at least one EdDSA (OKP/Ed25519) or RS256
/// (RSA) key. Returns the keys, or what is wrong in words for the operator.
pub fn check_jwks(doc: &serde_json::Value) -> Result<Vec<JwkSummary>, String> {
    let keys = doc
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| "the answer is not a JWK set (no \"keys\" array)".to_string())?;
    let text = |k: &serde_json::Value, f: &str| {
        k.get(f)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let summaries: Vec<JwkSummary> = keys
        .iter()
        .map(|k| {
            let kty = text(k, "kty");
            let alg = text(k, "alg");
            let usable = match kty.as_str() {
                "OKP" => {
                    text(k, "crv") == "Ed25519"
                        && !text(k, "x").is_empty()
                        && (alg.is_empty() || alg == "EdDSA")
                }
                "RSA" => {
                    !text(k, "n").is_empty()
                        && !text(k, "e").is_empty()
                        && (alg.is_empty() || alg == "RS256")
                }
                _ => false,
            };
            JwkSummary {
                kid: text(k, "kid"),
                alg: usable.then(|| {
                    if kty == "OKP" {
                        "EdDSA".to_string()
                    } else {
                        "RS256".to_string()
                    }
                }),
                kty,
            }
        })
        .collect();
    if summaries.iter().all(|s| s.alg.is_none()) {
        let kinds: Vec<String> = summaries.iter().map(|s| s.kty.clone()).collect();
        return Err(format!(
            "the JWK set holds no EdDSA (OKP/Ed25519) or RS256 (RSA) key (key types: {})",
            if kinds.is_empty() {
                "none".to_string()
            } else {
                kinds.join(", ")
            }
        ));
    }
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(spec: &WorkloadIdentitySpec) -> JwtRoleFacts {
        JwtRoleFacts {
            managed: spec.desired_role(),
            token_ttl: 0,
            has_bound_claims: false,
        }
    }

    fn ctx<'a>(aud: &'a [String], existing: Option<&'a [String]>) -> RoleContext<'a> {
        RoleContext {
            auth_path: "jwt-nomad",
            role_name: "nomad-workloads",
            server_audiences: aud,
            existing_policies: existing,
        }
    }

    fn spec() -> WorkloadIdentitySpec {
        WorkloadIdentitySpec::nomad_defaults("http://127.0.0.1:4646/.well-known/jwks.json")
    }

    #[test]
    fn defaults_are_those_of_nomad_setup_vault() {
        let role = spec().desired_role();
        let v = serde_json::to_value(&role).unwrap();
        assert_eq!(
            v,
            json!({
                "role_type": "jwt",
                "bound_audiences": ["vault.io"],
                "user_claim": "/nomad_job_id",
                "user_claim_json_pointer": true,
                "claim_mappings": {"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task"},
                "token_type": "service",
                "token_period": 1800,
                "token_policies": ["nomad-workloads"],
            })
        );
        assert!(spec().validate().is_ok());
    }

    #[test]
    fn policy_body_is_templated_on_the_accessor_and_parses() {
        let text = policy_body("auth_jwt_1234abcd", "secret");
        assert!(text.contains(
            "path \"secret/data/{{identity.entity.aliases.auth_jwt_1234abcd.metadata.nomad_namespace}}/{{identity.entity.aliases.auth_jwt_1234abcd.metadata.nomad_job_id}}/*\""
        ));
        assert!(text.contains("path \"secret/metadata/*\""));
        assert!(crate::acl::parse_policy(&text, "p").is_ok());
        let templates = alias_templates(&text);
        assert_eq!(templates.len(), 1);
        assert_eq!(
            templates["auth_jwt_1234abcd"],
            ["nomad_job_id", "nomad_namespace"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        );
    }

    #[test]
    fn policy_marks_round_trip_and_unmarked_text_is_not_nvctls() {
        let marks = PolicyMarks {
            created_by_nvctl: true,
            roles: vec!["auth/jwt-nomad/role/nomad-workloads".into()],
        };
        let text = format!("{}{}", marks.header(), policy_body("a", "secret"));
        assert_eq!(PolicyMarks::parse(&text), marks);
        assert_eq!(
            PolicyMarks::parse(&policy_body("a", "secret")),
            PolicyMarks::default()
        );
        // A mark below the first rule is not a header mark.
        let late = format!("{}{}", policy_body("a", "secret"), marks.header());
        assert!(!PolicyMarks::parse(&late).created_by_nvctl);
        // A role line without the policy mark means nothing.
        let stray = format!("# {NVCTL_MARK} also created auth/x/role/y\npath \"a\" {{}}\n");
        assert_eq!(PolicyMarks::parse(&stray), PolicyMarks::default());
    }

    #[test]
    fn jwks_url_is_derived_from_the_nomad_address() {
        assert_eq!(
            jwks_url_from_nomad_addr("https://nomad.example:4646/").unwrap(),
            "https://nomad.example:4646/.well-known/jwks.json"
        );
        assert!(jwks_url_from_nomad_addr("nomad:4646").is_err());
        assert!(jwks_url_from_nomad_addr("http://").is_err());
    }

    #[test]
    fn matching_audience_passes_and_mismatch_is_an_error_quoting_vault() {
        let s = spec();
        let aud = vec!["vault.io".to_string()];
        let existing = vec!["nomad-workloads".to_string(), "default".to_string()];
        assert!(check_role(Some(&facts(&s)), &ctx(&aud, Some(&existing))).is_empty());
        let other = vec!["nomad.io".to_string()];
        let found = check_role(Some(&facts(&s)), &ctx(&other, Some(&existing)));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].is_error());
        assert!(found[0].message.starts_with("audience mismatch"));
        assert!(found[0].message.contains(VAULT_AUDIENCE_MISMATCH));
        // One shared value is enough, as in Vault.
        let several = vec!["nomad.io".to_string(), "vault.io".to_string()];
        assert!(check_role(Some(&facts(&s)), &ctx(&several, Some(&existing))).is_empty());
    }

    #[test]
    fn pointer_claim_without_the_pointer_flag_and_missing_mappings_are_errors() {
        let mut f = facts(&spec());
        f.managed.user_claim_json_pointer = false;
        f.managed.claim_mappings.clear();
        let aud = vec!["vault.io".to_string()];
        let found = check_role(Some(&f), &ctx(&aud, None));
        assert_eq!(
            found.iter().filter(|f| f.is_error()).count(),
            2,
            "{found:?}"
        );
        assert!(found
            .iter()
            .any(|f| f.message.contains("user_claim_json_pointer is false")));
        assert!(found
            .iter()
            .any(|f| f.message.contains("no claim_mappings")));
    }

    #[test]
    fn namespace_wide_user_claim_and_batch_tokens_are_warnings() {
        let mut f = facts(&spec());
        f.managed.user_claim = "/nomad_namespace".into();
        f.managed.token_type = "batch".into();
        let found = check_role(Some(&f), &ctx(&[], None));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.severity == Severity::Warning));
    }

    #[test]
    fn missing_role_and_missing_policy_are_errors() {
        let aud = vec!["vault.io".to_string()];
        let found = check_role(None, &ctx(&aud, None));
        assert!(found[0].is_error());
        assert!(found[0].message.contains("does not exist"));
        let existing = vec!["default".to_string()];
        let found = check_role(Some(&facts(&spec())), &ctx(&aud, Some(&existing)));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("\"nomad-workloads\""));
    }

    #[test]
    fn stale_accessor_is_drift_and_current_one_passes() {
        let text = policy_body("auth_jwt_old00000", "secret");
        let role = spec().desired_role();
        let none = BTreeMap::new();
        assert!(check_policy_templates(
            "nomad-workloads",
            &text,
            "jwt-nomad",
            "auth_jwt_old00000",
            &none,
            Some(&role)
        )
        .is_empty());
        let found = check_policy_templates(
            "nomad-workloads",
            &text,
            "jwt-nomad",
            "auth_jwt_new11111",
            &none,
            Some(&role),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.starts_with("accessor drift"));
        assert!(found[0].message.contains("auth_jwt_new11111"));
        let other: BTreeMap<String, String> =
            [("auth_jwt_old00000".to_string(), "jwt-other/".to_string())].into();
        let found = check_policy_templates(
            "nomad-workloads",
            &text,
            "jwt-nomad",
            "auth_jwt_new11111",
            &other,
            Some(&role),
        );
        assert!(found[0].message.contains("auth/jwt-other/"), "{found:?}");
    }

    #[test]
    fn template_on_metadata_the_role_never_maps_is_an_error() {
        let text = policy_body("auth_jwt_a", "secret");
        let mut role = spec().desired_role();
        role.claim_mappings.remove("nomad_job_id");
        let found = check_policy_templates(
            "p",
            &text,
            "jwt-nomad",
            "auth_jwt_a",
            &BTreeMap::new(),
            Some(&role),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("\"nomad_job_id\""));
    }

    #[test]
    fn jwks_with_ed25519_or_rsa_keys_passes_others_do_not() {
        let ed = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "k1", "alg": "EdDSA"}]});
        assert_eq!(check_jwks(&ed).unwrap()[0].alg.as_deref(), Some("EdDSA"));
        let rsa = json!({"keys": [{"kty": "RSA", "n": "abc", "e": "AQAB", "kid": "k2"}]});
        assert_eq!(check_jwks(&rsa).unwrap()[0].alg.as_deref(), Some("RS256"));
        let ec = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]});
        assert!(check_jwks(&ec).unwrap_err().contains("EC"));
        assert!(check_jwks(&json!({"keys": []})).is_err());
        assert!(check_jwks(&json!({"error": "nope"}))
            .unwrap_err()
            .contains("not a JWK set"));
    }

    #[test]
    fn config_without_algs_or_with_another_default_role_is_reported() {
        let aud = vec!["vault.io".to_string()];
        let config = JwtConfigFacts {
            jwks_url: "http://x/.well-known/jwks.json".into(),
            has_other_key_source: false,
            supported_algs: vec![],
            default_role: "other".into(),
        };
        let found = check_config(Some(&config), &ctx(&aud, None));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[1].severity, Severity::Info);
        assert!(check_config(None, &ctx(&aud, None))[0].is_error());
    }

    #[test]
    fn invalid_specs_are_refused_with_the_setting_named() {
        let mut s = spec();
        s.auth_path = "/token/".into();
        assert!(s.validate().unwrap_err().contains("token"));
        let mut s = spec();
        s.jwks_url = "nomad:4646".into();
        assert!(s.validate().unwrap_err().contains("JWKS URL"));
        let mut s = spec();
        s.audiences = vec![" ".into()];
        assert!(s.validate().unwrap_err().contains("audience"));
        let mut s = spec();
        s.token_type = "weird".into();
        assert!(s.validate().is_err());
    }
}
