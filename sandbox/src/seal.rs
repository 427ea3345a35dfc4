//! Init, unseal, seal, seal-status, health and leader (vault-api.md §1–§2).
//!
//! The *barrier* (whether the cluster is initialised, its seal configuration and the encrypted
//! keyring) is shared by every node of a cluster; each node keeps its own sealed flag and unseal
//! progress, so the active node's keys unseal a standby but every node must be unsealed.
//! A wrong combined key is detected for real: init encrypts a keyring with the root key
//! (AES-256-GCM) and unseal must decrypt it.

use std::sync::{Arc, Mutex, MutexGuard};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand::RngCore;
use serde_json::{json, Map, Value};

use crate::api::{ApiError, HandlerResult, Reply, Request};
use crate::flavor::Flavor;
use crate::shamir;

const KEYRING_PLAINTEXT: &[u8] = b"vault-sandbox keyring v1";
const MIN_KEY_BYTES: usize = 16;
const MAX_KEY_BYTES: usize = 33;

/// What the cluster's barrier holds once initialised.
#[derive(Clone)]
struct BarrierConfig {
    secret_shares: u8,
    secret_threshold: u8,
    /// `Some((shares, threshold))` with an auto-unseal ("awskms") seal.
    recovery: Option<(u8, u8)>,
    keyring_nonce: [u8; 12],
    keyring: Vec<u8>,
    cluster_name: String,
    cluster_id: String,
}

/// The storage every node of one cluster shares.
#[derive(Default)]
pub struct Barrier {
    config: Option<BarrierConfig>,
    /// The keys and root token init handed out, so the handle can show them (never logged).
    init_output: Option<InitOutput>,
}

/// Shared handle to a cluster's barrier (one per cluster, cloned into every node).
pub type SharedBarrier = Arc<Mutex<Barrier>>;

/// The node's place in the HA cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HaRole {
    Active,
    /// A standby node; the string is the active node's address (`http://127.0.0.1:port`).
    Standby(String),
}

/// Key material produced by init, kept by the caller (the builder hands it to the handle).
#[derive(Clone, Default)]
pub struct InitOutput {
    /// The unseal (or, with auto-unseal, recovery) keys, hex.
    pub keys: Vec<Vec<u8>>,
    pub root_token: String,
}

impl std::fmt::Debug for InitOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitOutput")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("root_token", &"<redacted>")
            .finish()
    }
}

/// One node's seal state.
pub struct SealState {
    barrier: SharedBarrier,
    /// The node uses an auto-unseal seal (recovery keys; unseals itself).
    auto_unseal: bool,
    sealed: bool,
    /// Set by `sys/seal` so an auto-unseal node stays sealed until unsealed by hand.
    sealed_by_operator: bool,
    progress: Vec<Vec<u8>>,
    nonce: String,
    pub role: HaRole,
    /// This node's own address, known once the listener is bound.
    pub addr: String,
}

impl Default for SealState {
    fn default() -> Self {
        SealState::new(Arc::default(), false, HaRole::Active)
    }
}

impl std::fmt::Debug for SealState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealState")
            .field("sealed", &self.sealed)
            .field("progress", &self.progress.len())
            .field("role", &self.role)
            .finish()
    }
}

fn lock(barrier: &SharedBarrier) -> MutexGuard<'_, Barrier> {
    // A panic while holding the barrier cannot leave it half-written (all updates are single
    // assignments), so a poisoned lock is still safe to use.
    barrier.lock().unwrap_or_else(|e| e.into_inner())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// An init request after parsing (vault-api.md §1).
#[derive(Debug, Default, Clone)]
pub struct InitRequest {
    pub secret_shares: i64,
    pub secret_threshold: i64,
    pub pgp_keys: Vec<String>,
    pub root_token_pgp_key: String,
    pub recovery_shares: i64,
    pub recovery_threshold: i64,
    pub recovery_pgp_keys: Vec<String>,
}

impl InitRequest {
    pub fn from_body(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let int = |key: &str| -> Result<i64, ApiError> {
            match body.get(key) {
                None | Some(Value::Null) => Ok(0),
                Some(Value::Number(n)) => n
                    .as_i64()
                    .ok_or_else(|| ApiError::bad_request(format!("invalid value for {key}"))),
                Some(Value::String(s)) => s
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::bad_request(format!("invalid value for {key}"))),
                Some(_) => Err(ApiError::bad_request(format!("invalid value for {key}"))),
            }
        };
        let list = |key: &str| -> Vec<String> {
            match body.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Some(Value::String(s)) if !s.is_empty() => {
                    s.split(',').map(|p| p.trim().to_string()).collect()
                }
                _ => Vec::new(),
            }
        };
        Ok(InitRequest {
            secret_shares: int("secret_shares")?,
            secret_threshold: int("secret_threshold")?,
            pgp_keys: list("pgp_keys"),
            root_token_pgp_key: body
                .get("root_token_pgp_key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            recovery_shares: int("recovery_shares")?,
            recovery_threshold: int("recovery_threshold")?,
            recovery_pgp_keys: list("recovery_pgp_keys"),
        })
    }
}

/// Vault's seal-configuration validation, in Vault's order (vault/seal_config.go).
fn validate_seal_config(shares: i64, threshold: i64, pgp_keys: usize) -> Result<(), String> {
    if shares < 1 {
        return Err("shares must be at least one".into());
    }
    if threshold < 1 {
        return Err("threshold must be at least one".into());
    }
    if shares > 1 && threshold == 1 {
        return Err("threshold must be greater than one for multiple shares".into());
    }
    if shares > 255 {
        return Err("shares must be less than 256".into());
    }
    if threshold > 255 {
        return Err("threshold must be less than 256".into());
    }
    if threshold > shares {
        return Err("threshold cannot be larger than shares".into());
    }
    if pgp_keys > 0 && pgp_keys as i64 != shares {
        return Err(
            "count mismatch between number of provided PGP keys and number of shares".into(),
        );
    }
    Ok(())
}

/// Splits `key` as init hands it out: 1/1 gives the raw key itself.
fn split_key(key: &[u8; 32], shares: u8, threshold: u8) -> Vec<Vec<u8>> {
    if shares == 1 {
        vec![key.to_vec()]
    } else {
        shamir::split(key, shares, threshold)
    }
}

impl SealState {
    pub fn new(barrier: SharedBarrier, auto_unseal: bool, role: HaRole) -> Self {
        SealState {
            barrier,
            auto_unseal,
            sealed: true,
            sealed_by_operator: false,
            progress: Vec::new(),
            nonce: String::new(),
            role,
            addr: String::new(),
        }
    }

    /// The barrier to hand to a standby of this node.
    pub fn shared_barrier(&self) -> SharedBarrier {
        Arc::clone(&self.barrier)
    }

    /// The keys and root token of the cluster's init, if it happened.
    pub fn init_output(&self) -> Option<InitOutput> {
        lock(&self.barrier).init_output.clone()
    }

    pub fn is_auto_unseal(&self) -> bool {
        self.auto_unseal
    }

    pub fn is_standby(&self) -> bool {
        matches!(self.role, HaRole::Standby(_))
    }

    pub fn initialized(&self) -> bool {
        lock(&self.barrier).config.is_some()
    }

    /// Whether the node is sealed; an auto-unseal node unseals itself as soon as the cluster is
    /// initialised (unless an operator sealed it).
    pub fn is_sealed(&mut self) -> bool {
        if self.sealed && self.auto_unseal && !self.sealed_by_operator && self.initialized() {
            self.sealed = false;
        }
        self.sealed
    }

    /// Initialises the cluster. `mint_root` creates the root token once the barrier exists.
    /// Returns the JSON body of the 200 answer and the key material.
    pub fn initialize(
        &mut self,
        req: &InitRequest,
        mint_root: impl FnOnce() -> String,
    ) -> Result<(Value, InitOutput), ApiError> {
        // Which parameters belong to the other kind of seal (http/sys_init.go validateInitParameters).
        let mut barrier_flags = Vec::new();
        if req.secret_shares != 0 {
            barrier_flags.push("secret_shares");
        }
        if req.secret_threshold != 0 {
            barrier_flags.push("secret_threshold");
        }
        if !req.pgp_keys.is_empty() {
            barrier_flags.push("pgp_keys");
        }
        let mut recovery_flags = Vec::new();
        if req.recovery_shares != 0 {
            recovery_flags.push("recovery_shares");
        }
        if req.recovery_threshold != 0 {
            recovery_flags.push("recovery_threshold");
        }
        if !req.recovery_pgp_keys.is_empty() {
            recovery_flags.push("recovery_pgp_keys");
        }
        let (seal_type, misplaced) = if self.auto_unseal {
            ("awskms", barrier_flags)
        } else {
            ("shamir", recovery_flags)
        };
        if !misplaced.is_empty() {
            return Err(ApiError::bad_request(format!(
                "parameters {} not applicable to seal type {seal_type}",
                misplaced.join(",")
            )));
        }

        let (shares, threshold, pgp) = if self.auto_unseal {
            // The Vault CLI's defaults for recovery keys when none are given.
            let shares = if req.recovery_shares == 0 {
                5
            } else {
                req.recovery_shares
            };
            let threshold = if req.recovery_threshold == 0 {
                3
            } else {
                req.recovery_threshold
            };
            validate_seal_config(shares, threshold, req.recovery_pgp_keys.len()).map_err(|e| {
                ApiError::bad_request(format!("invalid recovery configuration: {e}"))
            })?;
            (shares, threshold, !req.recovery_pgp_keys.is_empty())
        } else {
            validate_seal_config(req.secret_shares, req.secret_threshold, req.pgp_keys.len())
                .map_err(|e| ApiError::bad_request(format!("invalid seal configuration: {e}")))?;
            (
                req.secret_shares,
                req.secret_threshold,
                !req.pgp_keys.is_empty(),
            )
        };
        if self.initialized() {
            return Err(ApiError::bad_request("Vault is already initialized"));
        }
        if pgp || !req.root_token_pgp_key.is_empty() {
            // Never hand out plaintext keys when the caller asked for encrypted ones.
            return Err(ApiError::bad_request(
                "the vault sandbox does not support PGP encryption of keys or the root token; \
                 retry without pgp_keys/root_token_pgp_key",
            ));
        }
        // Validation above bounds both to 1..=255.
        let shares = u8::try_from(shares).unwrap_or(u8::MAX);
        let threshold = u8::try_from(threshold).unwrap_or(u8::MAX);

        let root_key: [u8; 32] = random_bytes();
        let keyring_nonce: [u8; 12] = random_bytes();
        let cipher = Aes256Gcm::new_from_slice(&root_key)
            .map_err(|_| ApiError::internal("failed to set up the barrier cipher"))?;
        let keyring = cipher
            .encrypt(Nonce::from_slice(&keyring_nonce), KEYRING_PLAINTEXT)
            .map_err(|_| ApiError::internal("failed to encrypt the keyring"))?;
        let keys = if self.auto_unseal {
            // Recovery keys authorise operations, they do not unseal: split a separate key.
            let recovery_key: [u8; 32] = random_bytes();
            split_key(&recovery_key, shares, threshold)
        } else {
            split_key(&root_key, shares, threshold)
        };
        let cluster_id = uuid::Uuid::new_v4().to_string();
        let config = BarrierConfig {
            secret_shares: if self.auto_unseal { 1 } else { shares },
            secret_threshold: if self.auto_unseal { 1 } else { threshold },
            recovery: self.auto_unseal.then_some((shares, threshold)),
            keyring_nonce,
            keyring,
            cluster_name: String::new(),
            cluster_id: cluster_id.clone(),
        };
        lock(&self.barrier).config = Some(config);
        let root_token = mint_root();
        lock(&self.barrier).init_output = Some(InitOutput {
            keys: keys.clone(),
            root_token: root_token.clone(),
        });

        let hex_keys: Vec<String> = keys.iter().map(hex::encode).collect();
        let b64_keys: Vec<String> = keys.iter().map(|k| BASE64.encode(k)).collect();
        let body = if self.auto_unseal {
            json!({"keys": [], "keys_base64": [], "recovery_keys": hex_keys,
                   "recovery_keys_base64": b64_keys, "root_token": root_token})
        } else {
            json!({"keys": hex_keys, "keys_base64": b64_keys, "root_token": root_token})
        };
        Ok((body, InitOutput { keys, root_token }))
    }

    /// Fills in the cluster name (it depends on the flavor, which the barrier does not know).
    fn cluster_identity(&self, flavor: Flavor) -> Option<(String, String)> {
        let barrier = lock(&self.barrier);
        let config = barrier.config.as_ref()?;
        let name = if config.cluster_name.is_empty() {
            format!("{}-{}", flavor.cluster_prefix(), &config.cluster_id[..8])
        } else {
            config.cluster_name.clone()
        };
        Some((name, config.cluster_id.clone()))
    }

    /// The seal-status body (vault-api.md §2), also the answer of every unseal call.
    pub fn status(&mut self, flavor: Flavor) -> Value {
        let sealed = self.is_sealed();
        let config = lock(&self.barrier).config.clone();
        let (seal_type, t, n) = match &config {
            Some(c) => match c.recovery {
                Some((n, t)) => ("awskms", t, n),
                None => ("shamir", c.secret_threshold, c.secret_shares),
            },
            None if self.auto_unseal => ("awskms", 0, 0),
            None => ("shamir", 0, 0),
        };
        let mut body = Map::new();
        body.insert("type".into(), json!(seal_type));
        body.insert("initialized".into(), json!(config.is_some()));
        body.insert("sealed".into(), json!(sealed));
        body.insert("t".into(), json!(t));
        body.insert("n".into(), json!(n));
        body.insert("progress".into(), json!(self.progress.len()));
        body.insert("nonce".into(), json!(self.nonce));
        body.insert("version".into(), json!(flavor.version()));
        body.insert(flavor.date_field().into(), json!(flavor.build_date()));
        body.insert("migration".into(), json!(false));
        if !sealed {
            if let Some((name, id)) = self.cluster_identity(flavor) {
                body.insert("cluster_name".into(), json!(name));
                body.insert("cluster_id".into(), json!(id));
            }
        }
        body.insert("recovery_seal".into(), json!(self.auto_unseal));
        body.insert("storage_type".into(), json!("raft"));
        Value::Object(body)
    }

    /// One `PUT sys/unseal` (vault-api.md §2); answers the seal-status body.
    pub fn unseal(&mut self, flavor: Flavor, req: &Request) -> HandlerResult {
        let reset = match req.body.get("reset") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        if reset {
            if !self.is_sealed() {
                return Err(ApiError::bad_request("vault is unsealed"));
            }
            self.reset_progress();
            return Ok(Reply::Raw {
                status: 200,
                body: self.status(flavor),
            });
        }
        let key_text = req.str_field("key").unwrap_or_default();
        if key_text.is_empty() {
            return Err(ApiError::bad_request(
                "'key' must be specified in request body as JSON, or 'reset' set to true",
            ));
        }
        let key = hex::decode(key_text)
            .or_else(|_| BASE64.decode(key_text))
            .map_err(|_| ApiError::bad_request("'key' must be a valid hex or base64 string"))?;
        if key.len() < MIN_KEY_BYTES {
            return Err(ApiError::bad_request(format!(
                "invalid key: key is shorter than minimum {MIN_KEY_BYTES} bytes"
            )));
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(ApiError::bad_request(format!(
                "invalid key: key is longer than maximum {MAX_KEY_BYTES} bytes"
            )));
        }
        let Some(config) = lock(&self.barrier).config.clone() else {
            return Err(ApiError::bad_request("Vault is not initialized"));
        };
        if !self.is_sealed() {
            return Ok(Reply::Raw {
                status: 200,
                body: self.status(flavor),
            });
        }
        if self.auto_unseal {
            // Only reachable after an operator sealed an auto-unseal node: recovery keys are
            // not unseal keys, the node unseals itself again.
            self.sealed_by_operator = false;
            return Ok(Reply::Raw {
                status: 200,
                body: self.status(flavor),
            });
        }
        if self.progress.contains(&key) {
            // The same share twice is ignored: no progress.
            return Ok(Reply::Raw {
                status: 200,
                body: self.status(flavor),
            });
        }
        if self.progress.is_empty() {
            self.nonce = uuid::Uuid::new_v4().to_string();
        }
        self.progress.push(key);
        if self.progress.len() < usize::from(config.secret_threshold) {
            return Ok(Reply::Raw {
                status: 200,
                body: self.status(flavor),
            });
        }

        let combined = if config.secret_threshold == 1 {
            Ok(self.progress[0].clone())
        } else {
            shamir::combine(&self.progress)
        };
        self.reset_progress();
        let combined = combined.map_err(|e| {
            ApiError::bad_request(format!("invalid key: failed to compute combined key: {e}"))
        })?;
        let opened = Aes256Gcm::new_from_slice(&combined)
            .ok()
            .and_then(|cipher| {
                cipher
                    .decrypt(
                        Nonce::from_slice(&config.keyring_nonce),
                        config.keyring.as_slice(),
                    )
                    .ok()
            })
            .is_some_and(|plain| plain == KEYRING_PLAINTEXT);
        if !opened {
            return Err(ApiError::internal(
                "unable to retrieve stored keys: failed to decrypt encrypted stored keys: \
                 cipher: message authentication failed",
            ));
        }
        self.sealed = false;
        self.sealed_by_operator = false;
        Ok(Reply::Raw {
            status: 200,
            body: self.status(flavor),
        })
    }

    fn reset_progress(&mut self) {
        self.progress.clear();
        self.nonce.clear();
    }

    /// Seals the node (authorisation is the caller's job). Standby → 500 (vault-api.md §2).
    pub fn seal(&mut self) -> HandlerResult {
        if self.is_standby() {
            return Err(ApiError::internal(
                "vault cannot seal when in standby mode; please restart instead",
            ));
        }
        self.sealed = true;
        self.sealed_by_operator = true;
        self.reset_progress();
        Ok(Reply::NoContent)
    }

    /// Unseals with the given keys directly (builders use it for dev/sealed setups).
    pub fn force_unsealed(&mut self) {
        self.sealed = false;
        self.sealed_by_operator = false;
        self.reset_progress();
    }

    /// `GET|HEAD sys/health` (vault-api.md §2).
    pub fn health(&mut self, flavor: Flavor, req: &Request, now_unix: u64) -> HandlerResult {
        let head = req.method == crate::api::Method::Head;
        let code = |name: &str, default: u16| -> Result<u16, ()> {
            match req.query.get(name) {
                None => Ok(default),
                Some(text) => text.trim().parse::<u16>().map_err(|_| ()),
            }
        };
        let bad = || {
            if head {
                Reply::Empty { status: 400 }
            } else {
                Reply::Raw {
                    status: 400,
                    body: json!({"errors": []}),
                }
            }
        };
        let standby_ok = match req.query.get("standbyok") {
            None => false,
            Some(v) => match v.as_str() {
                "" | "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
                "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
                _ => {
                    return Ok(if head {
                        Reply::Empty { status: 400 }
                    } else {
                        Reply::Raw {
                            status: 400,
                            body: json!({"errors": [format!(
                                "bad value for standbyok parameter: strconv.ParseBool: parsing {v:?}: invalid syntax"
                            )]}),
                        }
                    })
                }
            },
        };
        let (Ok(uninit), Ok(sealed_code), Ok(standby_code), Ok(active)) = (
            code("uninitcode", 501),
            code("sealedcode", 503),
            code("standbycode", 429),
            code("activecode", 200),
        ) else {
            return Ok(bad());
        };
        let initialized = self.initialized();
        let sealed = self.is_sealed();
        let active_node = !self.is_standby() && initialized && !sealed;
        // A sealed or uninitialised core is a standby too (vault/core.go CreateCore,
        // sealInternal); it knows no replication state yet (http/sys_health.go getSysHealth).
        let standby = !active_node;
        let replication = if initialized && !sealed {
            "disabled"
        } else {
            "unknown"
        };
        let status = if !initialized {
            uninit
        } else if sealed {
            sealed_code
        } else if standby && !standby_ok {
            standby_code
        } else {
            active
        };
        if head {
            return Ok(Reply::Empty { status });
        }
        let mut body = Map::new();
        body.insert("initialized".into(), json!(initialized));
        body.insert("sealed".into(), json!(sealed));
        body.insert("standby".into(), json!(standby));
        body.insert("performance_standby".into(), json!(false));
        body.insert("replication_performance_mode".into(), json!(replication));
        body.insert("replication_dr_mode".into(), json!(replication));
        body.insert("server_time_utc".into(), json!(now_unix));
        body.insert("version".into(), json!(flavor.version()));
        if !sealed {
            if let Some((name, id)) = self.cluster_identity(flavor) {
                body.insert("cluster_name".into(), json!(name));
                body.insert("cluster_id".into(), json!(id));
            }
        }
        if flavor == Flavor::Vault {
            body.insert("enterprise".into(), json!(false));
            body.insert("echo_duration_ms".into(), json!(0));
            body.insert("clock_skew_ms".into(), json!(0));
            body.insert("replication_primary_canary_age_ms".into(), json!(0));
            // An unsealed standby heartbeats to the active node (GetHAHeartbeatHealth).
            if standby && initialized && !sealed {
                body.insert("ha_connection_healthy".into(), json!(true));
            }
        }
        Ok(Reply::Raw {
            status,
            body: Value::Object(body),
        })
    }

    /// `GET sys/leader`.
    pub fn leader(&mut self) -> HandlerResult {
        if self.is_sealed() {
            return Err(ApiError::sealed());
        }
        let (is_self, leader) = match &self.role {
            HaRole::Active => (true, self.addr.clone()),
            HaRole::Standby(active) => (false, active.clone()),
        };
        let cluster_addr = leader.replace("http://", "https://");
        Ok(Reply::Raw {
            status: 200,
            body: json!({
                "ha_enabled": true,
                "is_self": is_self,
                "active_time": "0001-01-01T00:00:00Z",
                "leader_address": leader,
                "leader_cluster_address": cluster_addr,
                "performance_standby": false,
                "performance_standby_last_remote_wal": 0,
                "raft_committed_index": 0,
                "raft_applied_index": 0,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;
    use std::collections::BTreeMap;

    fn unseal_request(key: &str) -> Request {
        let mut body = Map::new();
        body.insert("key".into(), json!(key));
        Request {
            method: Method::Put,
            path: "sys/unseal".into(),
            trailing_slash: false,
            query: BTreeMap::new(),
            token: None,
            namespace: None,
            body,
            wrap_ttl: None,
        }
    }

    fn initialised(shares: i64, threshold: i64) -> (SealState, InitOutput) {
        let mut seal = SealState::default();
        let req = InitRequest {
            secret_shares: shares,
            secret_threshold: threshold,
            ..Default::default()
        };
        let (_, out) = seal.initialize(&req, || "root".into()).unwrap();
        (seal, out)
    }

    #[test]
    fn one_of_one_init_gives_the_raw_32_byte_key_that_unseals() {
        let (mut seal, out) = initialised(1, 1);
        assert_eq!(out.keys[0].len(), 32);
        let reply = seal
            .unseal(Flavor::Vault, &unseal_request(&hex::encode(&out.keys[0])))
            .unwrap();
        assert!(matches!(reply, Reply::Raw { status: 200, .. }));
        assert!(!seal.is_sealed());
    }

    #[test]
    fn a_share_of_another_cluster_fails_authentication_and_resets_progress() {
        let (mut seal, out) = initialised(3, 2);
        let (_, other) = initialised(3, 2);
        seal.unseal(Flavor::Vault, &unseal_request(&hex::encode(&out.keys[0])))
            .unwrap();
        let err = seal
            .unseal(Flavor::Vault, &unseal_request(&hex::encode(&other.keys[1])))
            .unwrap_err();
        assert!(err.status == 500 || err.status == 400, "{err:?}");
        assert!(seal.is_sealed());
        assert_eq!(seal.status(Flavor::Vault)["progress"], 0);
    }
}
