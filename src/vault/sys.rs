//! `sys/init`, `sys/unseal`, `sys/seal-status`, `sys/seal`, `sys/health`, `sys/leader`
//! (vault-api.md §1–2). These endpoints answer bare JSON, not the logical envelope.

use crate::http::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::{ApiAnswer, VaultError};
use super::shape::Expected;
use super::transport::{Replay, Request, VaultClient};
use super::wire;
use crate::secret::{SecretString, UnsealKey};

/// The body of `PUT sys/init`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct InitRequest {
    /// Key shares (Shamir seals). `None` with auto-unseal, which rejects it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_shares: Option<u32>,
    /// Shares needed to unseal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_threshold: Option<u32>,
    /// Base64 PGP public keys, one per share: each share comes back encrypted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pgp_keys: Vec<String>,
    /// Base64 PGP public key encrypting the root token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_token_pgp_key: Option<String>,
    /// Recovery shares (auto-unseal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_shares: Option<u32>,
    /// Recovery threshold (auto-unseal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_threshold: Option<u32>,
    /// PGP keys for the recovery shares.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery_pgp_keys: Vec<String>,
}

impl InitRequest {
    /// A Shamir init with `shares` shares, `threshold` of which unseal.
    pub fn shamir(shares: u32, threshold: u32) -> Self {
        InitRequest {
            secret_shares: Some(shares),
            secret_threshold: Some(threshold),
            ..InitRequest::default()
        }
    }
}

/// The answer of `PUT sys/init`: the only time the keys and root token exist.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InitResponse {
    /// Shares, hex (PGP ciphertext when `pgp_keys` was given).
    pub keys: Vec<UnsealKey>,
    /// The same shares, base64.
    pub keys_base64: Vec<UnsealKey>,
    /// The initial root token (base64 ciphertext with `root_token_pgp_key`).
    pub root_token: SecretString,
    /// Recovery shares (auto-unseal), hex.
    pub recovery_keys: Vec<UnsealKey>,
    /// Recovery shares, base64.
    pub recovery_keys_base64: Vec<UnsealKey>,
}

impl InitResponse {
    /// Reads `sys/init`'s answer to `request`: JSON of the right types, a root token, and as
    /// many shares as were asked for. The error names the problem, never a value.
    pub fn judge(request: &InitRequest, answer: &[u8]) -> Result<InitResponse, String> {
        let response: InitResponse =
            serde_json::from_slice(answer).map_err(|e| wire::describe_json_error(&e))?;
        if response.root_token.is_empty() {
            return Err("it has no `root_token`".into());
        }
        let count = |hex: &[UnsealKey], b64: &[UnsealKey]| hex.len().max(b64.len());
        if let Some(shares) = request.secret_shares {
            let got = count(&response.keys, &response.keys_base64);
            if got != shares as usize {
                return Err(format!("{shares} key shares were asked for, it has {got}"));
            }
        }
        if let Some(shares) = request.recovery_shares.filter(|n| *n > 0) {
            let got = count(&response.recovery_keys, &response.recovery_keys_base64);
            if got != shares as usize {
                return Err(format!(
                    "{shares} recovery key shares were asked for, it has {got}"
                ));
            }
        }
        Ok(response)
    }
}

/// `sys/seal-status` (also the answer of `sys/unseal`). Fields absent on one server or the
/// other (Vault's `build_date`, OpenBao's `commit_date`; `cluster_*` only when unsealed) are
/// `None`/default.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct SealStatus {
    /// `shamir`, `awskms`, …
    #[serde(rename = "type")]
    pub seal_type: String,
    pub initialized: bool,
    pub sealed: bool,
    /// Threshold: shares needed.
    pub t: u32,
    /// Number of shares.
    pub n: u32,
    /// Shares submitted so far in this unseal attempt.
    pub progress: u32,
    /// Identifies the current unseal attempt (empty before the first share).
    pub nonce: String,
    pub version: String,
    /// Vault only.
    pub build_date: Option<String>,
    /// OpenBao only.
    pub commit_date: Option<String>,
    pub migration: bool,
    pub recovery_seal: bool,
    pub storage_type: Option<String>,
    pub cluster_name: Option<String>,
    pub cluster_id: Option<String>,
}

impl Expected for SealStatus {
    const WHAT: &'static str = "a seal status";
    const REQUIRED: &'static [&'static str] = &["initialized", "sealed", "t", "n", "progress"];
}

/// Query overrides of `sys/health`: which status code each state answers with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthQuery {
    /// Answer a standby with the active code (`standbyok=true`).
    pub standby_ok: bool,
    /// Answer a performance standby with the active code (`perfstandbyok=true`).
    pub perf_standby_ok: bool,
    pub active_code: Option<u16>,
    pub standby_code: Option<u16>,
    pub dr_secondary_code: Option<u16>,
    pub performance_standby_code: Option<u16>,
    pub sealed_code: Option<u16>,
    pub uninit_code: Option<u16>,
}

/// `GET sys/health`. The state is in the body and in `http_status` (200 active, 429 standby,
/// 472/473 DR/performance standby, 501 not initialised, 503 sealed, by default).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Health {
    /// The status code the node answered with (not part of the body).
    #[serde(skip_deserializing)]
    pub http_status: u16,
    pub initialized: bool,
    pub sealed: bool,
    pub standby: bool,
    pub performance_standby: bool,
    pub replication_performance_mode: Option<String>,
    pub replication_dr_mode: Option<String>,
    pub server_time_utc: Option<i64>,
    pub version: String,
    pub cluster_name: Option<String>,
    pub cluster_id: Option<String>,
}

impl Expected for Health {
    const WHAT: &'static str = "a health status";
    const REQUIRED: &'static [&'static str] = &["initialized", "sealed", "standby"];
}

/// `GET sys/leader`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct Leader {
    pub ha_enabled: bool,
    pub is_self: bool,
    pub active_time: Option<String>,
    pub leader_address: String,
    pub leader_cluster_address: String,
    pub performance_standby: bool,
    pub raft_committed_index: Option<u64>,
    pub raft_applied_index: Option<u64>,
}

impl Expected for Leader {
    const WHAT: &'static str = "the leader status";
    const REQUIRED: &'static [&'static str] = &["ha_enabled", "is_self"];
}

#[derive(Serialize)]
struct UnsealBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    reset: bool,
}

#[derive(Deserialize)]
struct InitStatus {
    initialized: bool,
}

impl Expected for InitStatus {
    const WHAT: &'static str = "the init status";
    const REQUIRED: &'static [&'static str] = &["initialized"];
}

impl VaultClient {
    /// Vault's clock: the `Date` header of its answer to `GET sys/health` (unauthenticated,
    /// answered in any state). `None` when the answer carries no readable `Date`.
    pub fn server_time(&self) -> Result<Option<std::time::SystemTime>, VaultError> {
        let request = Request::get("sys/health")
            .unauthenticated()
            .status_is_data();
        Ok(self.execute(&request)?.date)
    }

    /// `GET sys/init`: whether the node is initialised.
    pub fn init_status(&self) -> Result<bool, VaultError> {
        let request = Request::get("sys/init").unauthenticated();
        let reply = self.execute(&request)?;
        let status: InitStatus = wire::decode_body(&reply, &request.path)?;
        Ok(status.initialized)
    }

    /// `PUT sys/init`. Never retried once sent: a second copy would answer "already
    /// initialized" and this call's keys would be lost. When it fails with
    /// [`VaultError::may_have_been_applied`], check `init_status` before anything else.
    pub fn init(&self, body: &InitRequest) -> Result<InitResponse, VaultError> {
        let answer = self.init_answer(body)?;
        InitResponse::judge(body, &answer).map_err(|detail| VaultError::Decode {
            address: self.address().to_owned(),
            path: "sys/init".into(),
            detail,
        })
    }

    /// `PUT sys/init`, the answer's bytes as they came (not judged): for a caller that must
    /// keep them before deciding whether they are what was expected ([`crate::secret_once`]).
    /// Then [`InitResponse::judge`].
    pub fn init_answer(&self, body: &InitRequest) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let request = Request::new(Method::PUT, "sys/init", Replay::NeverAfterSend).json(body)?;
        let reply = self.execute(&request.unauthenticated())?;
        Ok(reply.body)
    }

    /// `PUT sys/unseal` with one share. Answers the seal status; a wrong combination of
    /// shares is a 400/500 [`VaultError`] (progress is reset by Vault). Retried on transport
    /// errors only (a repeated share is ignored), never after Vault answered 5xx.
    pub fn unseal(&self, key: &UnsealKey) -> Result<SealStatus, VaultError> {
        self.send_unseal(UnsealBody {
            key: Some(key.expose()),
            reset: false,
        })
    }

    /// `PUT sys/unseal {"reset":true}`: forget the shares submitted so far.
    pub fn unseal_reset(&self) -> Result<SealStatus, VaultError> {
        self.send_unseal(UnsealBody {
            key: None,
            reset: true,
        })
    }

    fn send_unseal(&self, body: UnsealBody<'_>) -> Result<SealStatus, VaultError> {
        let request = Request::new(Method::PUT, "sys/unseal", Replay::UntilAnswered)
            .json(&body)?
            .unauthenticated();
        let reply = self.execute(&request)?;
        wire::decode_body(&reply, &request.path)
    }

    /// `GET sys/seal-status`.
    pub fn seal_status(&self) -> Result<SealStatus, VaultError> {
        let request = Request::get("sys/seal-status").unauthenticated();
        let reply = self.execute(&request)?;
        wire::decode_body(&reply, &request.path)
    }

    /// `PUT sys/seal` (needs `sudo` on `sys/seal`). Safe to repeat: sealing a sealed node is 204.
    pub fn seal(&self) -> Result<(), VaultError> {
        let request = Request::new(Method::PUT, "sys/seal", Replay::Safe);
        self.execute(&request).map(drop)
    }

    /// `GET sys/health` with the given overrides. Every status code that carries a health
    /// body is an answer, not an error: look at `http_status` and the flags.
    pub fn health(&self, query: &HealthQuery) -> Result<Health, VaultError> {
        let mut request = Request::get("sys/health")
            .unauthenticated()
            .status_is_data();
        if query.standby_ok {
            request = request.query("standbyok", "true");
        }
        if query.perf_standby_ok {
            request = request.query("perfstandbyok", "true");
        }
        for (name, code) in [
            ("activecode", query.active_code),
            ("standbycode", query.standby_code),
            ("drsecondarycode", query.dr_secondary_code),
            ("performancestandbycode", query.performance_standby_code),
            ("sealedcode", query.sealed_code),
            ("uninitcode", query.uninit_code),
        ] {
            if let Some(code) = code {
                request = request.query(name, code.to_string());
            }
        }
        let reply = self.execute(&request)?;
        match wire::decode_body::<Health>(&reply, &request.path) {
            Ok(mut health) => {
                health.http_status = reply.status;
                Ok(health)
            }
            Err(decode_error) if reply.status >= 400 => {
                // Not a health body (a proxy error, a 400 for a bad override): a real error.
                let (errors, warnings) = wire::error_body(&reply.body);
                drop(decode_error);
                Err(VaultError::Api {
                    address: reply.answered_by.clone(),
                    method: "GET".into(),
                    path: request.path.clone(),
                    status: reply.status,
                    errors,
                    attempts: reply.attempts,
                    answer: Box::new(ApiAnswer {
                        warnings,
                        url: format!("{}/v1/{}", reply.answered_by, request.path),
                        body: String::from_utf8_lossy(&reply.body).into_owned(),
                    }),
                })
            }
            Err(decode_error) => Err(decode_error),
        }
    }

    /// After a 503 "Vault is sealed" on `path`: whether the node is sealed or not even
    /// initialised — Vault answers both alike, the operator's next step differs. One
    /// unauthenticated `GET sys/seal-status`; `None` when it cannot tell.
    pub(crate) fn seal_state_after(
        &self,
        status: u16,
        errors: &[String],
        path: &str,
    ) -> Option<super::error::SealState> {
        let sealed = status == 503 && errors.iter().any(|e| e.to_lowercase().contains("sealed"));
        if !sealed || path.starts_with("sys/seal-status") {
            return None;
        }
        let status = self.seal_status().ok()?;
        if !status.initialized {
            Some(super::error::SealState::NotInitialized)
        } else if status.sealed {
            Some(super::error::SealState::Sealed {
                progress: status.progress,
                threshold: status.t,
            })
        } else {
            None
        }
    }

    /// `GET sys/leader`: HA state and the active node's address.
    pub fn leader(&self) -> Result<Leader, VaultError> {
        let request = Request::get("sys/leader").unauthenticated();
        let reply = self.execute(&request)?;
        wire::decode_body(&reply, &request.path)
    }
}
