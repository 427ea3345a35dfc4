//! `POST auth/<jwt mount>/login {"role":…,"jwt":…}`: the unauthenticated login of the JWT
//! method (vault-plugin-auth-jwt `path_login.go`), which Nomad's workload identities use.
//!
//! The JWT is verified against the mount's key set (JWKS URL or `jwt_validation_pubkeys`),
//! its claims against the config and role, then the identity store finds or creates the
//! entity behind the alias named by `user_claim`, and the token store mints an orphan token
//! for it with the role's token settings (nomad-rules.md §5).

use serde_json::{Map, Value};

use crate::api::{ApiError, Deferred, HandlerResult, Logical, Reply, Request};
use crate::jwt::claims::{self, Expected};
use crate::jwt::identity::LoginAlias;
use crate::jwt::keyset::{self, CompactJws, FetchError, KeySet, ASYMMETRIC_ALGS};
use crate::mounts::JwtLoginParts;
use crate::state::State;
use crate::token::LoginToken;

/// Fields the login endpoint knows.
const LOGIN_FIELDS: &[&str] = &["role", "jwt"];

/// Whether `path` is the `login` endpoint of a mounted jwt/oidc auth method: one of the
/// paths Vault lets through without a token (the plugin's `PathsSpecial.Unauthenticated`).
pub fn is_login_path(state: &State, path: &str) -> bool {
    state
        .mounts
        .auth_mount_of(path)
        .filter(|m| m.kind == "jwt" || m.kind == "oidc")
        .is_some_and(|m| path == format!("auth/{}login", m.path))
}

fn error(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

fn str_of<'a>(role: &'a Map<String, Value>, key: &str) -> &'a str {
    role.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn u64_of(role: &Map<String, Value>, key: &str) -> u64 {
    role.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn strings_of(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Handles a login request (the router calls this before any token check).
pub fn handle(state: &mut State, req: &Request) -> HandlerResult {
    login(state, req, None)
}

/// The login, once more after a JWKS fetch when `refreshed` holds its outcome: the cached
/// keys did not verify the token, so the key set was fetched (with the node's lock released)
/// and is tried once (go-oidc's RemoteKeySet).
fn login(
    state: &mut State,
    req: &Request,
    refreshed: Option<Result<KeySet, FetchError>>,
) -> HandlerResult {
    if !req.method.is_write() {
        return Err(ApiError::new(
            405,
            "1 error occurred:\n\t* unsupported operation\n\n",
        ));
    }
    let now = state.clock.now();
    let now_unix = i64::try_from(state.clock.unix_seconds()).unwrap_or(i64::MAX);
    let flavor = state.flavor;
    let Some(parts) = state.mounts.jwt_login_parts(&req.path) else {
        return Err(ApiError::no_handler(&req.path));
    };
    let refreshed = refreshed.map(|fetched| {
        fetched.map(|keys| {
            *parts.keys = Some(keys);
        })
    });
    let verified = match verify_login(parts, req, now_unix, refreshed)? {
        Step::Verified(verified) => verified,
        Step::FetchKeys { url, ca_pem } => {
            let req = req.clone();
            return Ok(Deferred::reply(
                keyset::fetch(url, ca_pem),
                move |state: &mut State, fetched| login(state, &req, Some(fetched)),
            ));
        }
    };
    let alias_entity = state
        .mounts
        .identity_mut()
        .upsert_login_alias(&verified.alias, now);
    let login = LoginToken {
        path: req.path.clone(),
        entity_id: alias_entity,
        ..verified.token
    };
    let entry = state.tokens.create_login_token(flavor, &login, now);
    let reply = Reply::Logical(Logical {
        auth: Some(entry.auth_json(now)),
        ..Default::default()
    });
    Ok(reply.warn_unrecognized(req, LOGIN_FIELDS))
}

/// What a successful verification hands on: the alias for the identity store and the token
/// to mint (without its entity, which the identity store decides).
struct VerifiedLogin {
    alias: LoginAlias,
    token: LoginToken,
}

/// Where a verification stands: done, or waiting for the JWKS URL to be fetched.
enum Step {
    Verified(Box<VerifiedLogin>),
    FetchKeys { url: String, ca_pem: String },
}

/// Verifies the JWT for the requested role (`pathLogin` up to `PopulateTokenAuth`).
fn verify_login(
    parts: JwtLoginParts<'_>,
    req: &Request,
    now_unix: i64,
    refreshed: Option<Result<(), FetchError>>,
) -> Result<Step, ApiError> {
    let Some(config) = parts.config else {
        return Err(error("could not load configuration"));
    };
    let requested = req.str_field("role").unwrap_or_default().to_lowercase();
    let role_name = if requested.is_empty() {
        str_of(config, "default_role").to_lowercase()
    } else {
        requested
    };
    if role_name.is_empty() {
        return Err(error("missing role"));
    }
    let Some(role) = parts.roles.get(&role_name) else {
        return Err(error(format!("role {role_name:?} could not be found")));
    };
    if str_of(role, "role_type") == "oidc" {
        return Err(error("role with oidc role_type is not allowed"));
    }
    let token = req.str_field("jwt").unwrap_or_default();
    if token.is_empty() {
        return Err(error("missing token"));
    }

    // cap's Validator: the signature first, then everything else.
    let invalid = |e: String| error(format!("error validating token: {e}"));
    let checked = verify_signature(parts.keys, config, token, refreshed)
        .map_err(|e| invalid(format!("error verifying token signature: {e}")))?;
    let claims_json = match checked {
        Signature::Verified(payload) => payload,
        Signature::FetchKeys { url, ca_pem } => return Ok(Step::FetchKeys { url, ca_pem }),
    };
    let jws = CompactJws::parse(token).map_err(|e| invalid(e.to_string()))?;
    let all_claims: Map<String, Value> = match serde_json::from_slice::<Value>(&claims_json) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(invalid(
                "json: cannot unmarshal claims into Go value of type map[string]interface {}"
                    .into(),
            ))
        }
        Err(e) => return Err(invalid(e.to_string())),
    };
    let mut algorithms = strings_of(config.get("jwt_supported_algs"));
    if algorithms.is_empty() {
        algorithms = ASYMMETRIC_ALGS.iter().map(|a| a.to_string()).collect();
    }
    let leeway = |key: &str| i64::try_from(u64_of(role, key)).unwrap_or(i64::MAX);
    let expected = Expected {
        issuer: str_of(config, "bound_issuer").to_string(),
        subject: str_of(role, "bound_subject").to_string(),
        audiences: strings_of(role.get("bound_audiences")),
        algorithms,
        not_before_leeway: leeway("not_before_leeway"),
        expiration_leeway: leeway("expiration_leeway"),
        clock_skew_leeway: leeway("clock_skew_leeway"),
        now: now_unix,
    };
    claims::validate(&jws.alg, &all_claims, &expected).map_err(invalid)?;
    let aud = claims::audiences(&all_claims).map_err(invalid)?;
    if !aud.is_empty() && expected.audiences.is_empty() {
        return Err(error(
            "audience claim found in JWT but no audiences bound to the role",
        ));
    }

    // createIdentity: the alias name from user_claim, metadata from claim_mappings.
    let user_claim = str_of(role, "user_claim");
    let by_pointer = role
        .get("user_claim_json_pointer")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let raw_user = if by_pointer {
        claims::get_claim(&all_claims, user_claim)
    } else {
        all_claims.get(user_claim).filter(|v| !v.is_null())
    };
    let Some(raw_user) = raw_user else {
        return Err(error(format!("claim {user_claim:?} not found in token")));
    };
    let Some(alias_name) = raw_user.as_str() else {
        return Err(error(format!(
            "claim {user_claim:?} could not be converted to string"
        )));
    };
    let empty = Map::new();
    let mappings = role
        .get("claim_mappings")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let metadata = claims::extract_metadata(&all_claims, mappings).map_err(error)?;
    if let Some(bound) = role.get("bound_claims").and_then(Value::as_object) {
        claims::validate_bound_claims(str_of(role, "bound_claims_type"), bound, &all_claims)
            .map_err(|e| error(format!("error validating claims: {e}")))?;
    }

    // PopulateTokenAuth: the token settings of the role; token metadata carries the role.
    let mut token_metadata = metadata.clone();
    token_metadata.insert("role".to_string(), role_name.clone());
    let max_ttl = [
        u64_of(role, "token_max_ttl"),
        u64_of(role, "token_explicit_max_ttl"),
    ]
    .into_iter()
    .filter(|t| *t > 0)
    .min()
    .unwrap_or(0);
    let token = LoginToken {
        path: String::new(),
        policies: strings_of(role.get("token_policies")),
        metadata: token_metadata,
        // Vault prefixes the display name with the mount path, `/` turned into `-`.
        display_name: format!("{}{alias_name}", parts.path.replace('/', "-"))
            .trim_end_matches('-')
            .to_string(),
        ttl: u64_of(role, "token_ttl"),
        max_ttl,
        period: u64_of(role, "token_period"),
        batch: matches!(str_of(role, "token_type"), "batch" | "default-batch"),
        no_default_policy: role
            .get("token_no_default_policy")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        num_uses: i64::try_from(u64_of(role, "token_num_uses")).unwrap_or(0),
        entity_id: String::new(),
    };
    let alias = LoginAlias {
        name: alias_name.to_string(),
        mount_accessor: parts.accessor.to_string(),
        mount_type: parts.kind.to_string(),
        mount_path: format!("auth/{}", parts.path),
        metadata,
    };
    Ok(Step::Verified(Box::new(VerifiedLogin { alias, token })))
}

/// A signature check's outcome: the verified payload, or the key set to fetch first.
enum Signature {
    Verified(Vec<u8>),
    FetchKeys { url: String, ca_pem: String },
}

/// The signature check of go-oidc's `RemoteKeySet` (or cap's static key set): the cached
/// keys first; when none verifies, the JWKS URL once more (key rotation, `refreshed` holds
/// the outcome of that fetch), then give up.
fn verify_signature(
    cache: &Option<KeySet>,
    config: &Map<String, Value>,
    token: &str,
    refreshed: Option<Result<(), FetchError>>,
) -> Result<Signature, String> {
    let jws = CompactJws::parse(token)?;
    let pems = strings_of(config.get("jwt_validation_pubkeys"));
    if !pems.is_empty() {
        let static_keys = KeySet::from_pems(&pems)?;
        return static_keys
            .verify_any_key(&jws)
            .map(Signature::Verified)
            .ok_or_else(|| "no known key successfully validated the token signature".to_string());
    }
    let url = str_of(config, "jwks_url");
    if url.is_empty() {
        return Err("no JWKS URL or validation keys configured".to_string());
    }
    let verified = cache.as_ref().and_then(|keys| keys.verify(&jws));
    match (verified, refreshed) {
        (Some(payload), _) => Ok(Signature::Verified(payload)),
        (None, None) => Ok(Signature::FetchKeys {
            url: url.to_string(),
            ca_pem: str_of(config, "jwks_ca_pem").to_string(),
        }),
        (None, Some(Err(FetchError::CaPem(e) | FetchError::Fetch(e)))) => {
            Err(format!("fetching keys {e}"))
        }
        (None, Some(Ok(()))) => Err("failed to verify id token signature".to_string()),
    }
}
