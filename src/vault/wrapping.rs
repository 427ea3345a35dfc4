//! Response wrapping (vault-api.md §9): a token minted with `X-Vault-Wrap-TTL` comes back as a
//! single-use wrapping token in `wrap_info` — the token itself stays in Vault until
//! `sys/wrapping/unwrap` hands it out, once. `sys/wrapping/lookup` says where a wrapping token
//! came from without using it up (hashicorp/vault vault/logical_system.go
//! handleWrappingLookup, handleWrappingUnwrap).

use crate::http::Method;
use serde::Deserialize;

use super::error::VaultError;
use super::shape::{self, Expected, Part};
use super::token::{TokenCreateRequest, TokenCreated};
use super::transport::{Replay, Request, VaultClient};
use super::wire::{self, Reply};
use crate::secret::SecretString;
use zeroize::Zeroizing;

/// What Vault answers in place of a wrapped answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WrapInfo {
    /// The wrapping token: single use, lives `ttl` seconds.
    pub token: SecretString,
    /// The wrapping token's accessor.
    pub accessor: String,
    #[serde(deserialize_with = "wire::seconds")]
    pub ttl: u64,
    pub creation_time: String,
    /// The request whose answer is wrapped (`auth/token/create-orphan`).
    pub creation_path: String,
    /// The accessor of the token inside, when a token is wrapped.
    pub wrapped_accessor: Option<String>,
}

impl Expected for WrapInfo {
    const WHAT: &'static str = "a wrapped answer";
    const REQUIRED: &'static [&'static str] = &["token", "accessor", "ttl", "creation_path"];
}

/// The body of a wrapped answer: only `wrap_info` matters.
#[derive(Deserialize)]
struct Wrapped {
    wrap_info: Option<WrapInfo>,
}

impl Expected for Wrapped {
    const WHAT: &'static str = "a wrapped answer";
    const REQUIRED: &'static [&'static str] = &["wrap_info"];
}

/// `sys/wrapping/lookup`: what a wrapping token wraps, without using it up.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WrapLookup {
    /// Seconds.
    #[serde(deserialize_with = "wire::seconds")]
    pub creation_ttl: u64,
    pub creation_time: String,
    pub creation_path: String,
}

impl Expected for WrapLookup {
    const WHAT: &'static str = "a wrapping token lookup";
    const REQUIRED: &'static [&'static str] = &["creation_path"];
}

impl VaultClient {
    /// `POST <path>` (a token creation endpoint) with `X-Vault-Wrap-TTL`: the new token comes
    /// back wrapped. Never retried once sent (a second copy mints a second token). `path` as
    /// shown (`auth/token/create/<role>`): the role's segment is encoded for the wire here.
    pub fn create_token_wrapped(
        &self,
        path: &str,
        body: &TokenCreateRequest,
        wrap_ttl: u64,
    ) -> Result<WrapInfo, VaultError> {
        let wire_path = match path.strip_prefix("auth/token/create/") {
            Some(role) => format!("auth/token/create/{}", wire::segment(role)),
            None => path.to_string(),
        };
        let request = Request::new(Method::POST, wire_path, Replay::NeverAfterSend)
            .json(body)?
            .wrapped(wrap_ttl);
        let reply = self.execute(&request)?;
        let (wrapped, _) = shape::decode::<Wrapped>(&reply, path, Part::Body)?;
        let info = wrapped.wrap_info.ok_or_else(|| VaultError::Decode {
            address: reply.answered_by.clone(),
            path: path.to_owned(),
            detail: "expected a wrapped answer, but `wrap_info` is null: Vault did not wrap it \
                     (a proxy dropping the X-Vault-Wrap-TTL header?)"
                .into(),
        })?;
        if info.token.expose().is_empty() {
            return Err(VaultError::Decode {
                address: reply.answered_by,
                path: path.to_owned(),
                detail: "expected a wrapped answer, but `wrap_info.token` is empty".into(),
            });
        }
        Ok(info)
    }

    /// `POST sys/wrapping/lookup {"token"}`: where `wrapping_token` came from. Sent without
    /// nvctl's own token (the endpoint needs none) and does not use the wrapping token up.
    pub fn lookup_wrapping(&self, wrapping_token: &SecretString) -> Result<WrapLookup, VaultError> {
        let path = "sys/wrapping/lookup";
        // Borrowed, not copied into a JSON value: the body itself is zeroized after the call.
        #[derive(serde::Serialize)]
        struct Named<'a> {
            token: &'a str,
        }
        let body = Named {
            token: wrapping_token.expose(),
        };
        let request = Request::new(Method::POST, path, Replay::Safe)
            .json(&body)?
            .unauthenticated();
        let reply = self.execute(&request)?;
        wire::decode_data(&reply, path).map(|(data, _)| data)
    }

    /// `POST sys/wrapping/unwrap` with the wrapping token as `X-Vault-Token`: the answer's
    /// bytes as they came (not judged), for a caller that must keep them before deciding
    /// whether they are what was expected ([`crate::secret_once`]): the token inside is handed
    /// out once. Never retried once sent: the first copy that arrives uses the wrapping token
    /// up. Then [`VaultClient::judge_unwrapped`].
    pub fn unwrap_answer(
        &self,
        wrapping_token: &SecretString,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let request = Request::new(Method::POST, UNWRAP, Replay::NeverAfterSend);
        let reply = self.with_token(wrapping_token.clone()).execute(&request)?;
        Ok(reply.body)
    }

    /// An unwrap answer holding a token creation's `auth`.
    pub fn judge_unwrapped(&self, answer: &[u8]) -> Result<TokenCreated, VaultError> {
        let reply = Reply {
            status: 200,
            body: Zeroizing::new(answer.to_vec()),
            attempts: 1,
            answered_by: self.address().to_owned(),
            date: None,
        };
        let (auth, warnings) = wire::decode_auth(&reply, UNWRAP)?;
        Ok(TokenCreated { auth, warnings })
    }
}

const UNWRAP: &str = "sys/wrapping/unwrap";
