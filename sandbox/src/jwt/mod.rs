//! The JWT auth method beyond storing its config and roles (issue 7, nomad-rules.md §5):
//! checking the key source when the config is written, login with signature and claim
//! checks, and the identity store the login feeds, which policy templates read.
//!
//! Module map: [`keyset`] (JWK sets, JWS verification, JWKS fetch), [`claims`] (claim
//! validation), [`identity`] (entities and aliases), [`login`] (the login endpoint).

pub mod claims;
pub mod identity;
pub mod keyset;
pub mod login;

use serde_json::{Map, Value};

use crate::api::ApiError;
use keyset::{FetchError, KeySet, ASYMMETRIC_ALGS};

/// The JWKS URL a `auth/<jwt>/config` write must fetch before it is accepted (Vault's
/// `pathConfigWrite` checks that it serves a JWK set), with its CA PEM.
pub fn jwks_to_check(config: &Map<String, Value>) -> Option<(String, String)> {
    let url = text(config, "jwks_url");
    (!url.is_empty()).then(|| (url, text(config, "jwks_ca_pem")))
}

/// The outcome of that fetch in Vault's words (it logs the cause and answers without it).
pub fn check_jwks(url: &str, fetched: Result<KeySet, FetchError>) -> Result<(), ApiError> {
    match fetched {
        Ok(_) => Ok(()),
        Err(FetchError::CaPem(_)) => Err(ApiError::bad_request("error checking jwks_ca_pem")),
        Err(FetchError::Fetch(_)) => Err(ApiError::bad_request(format!(
            "error checking jwks URL {url}"
        ))),
    }
}

/// The checks of a config write that need no network, after the JWKS one: validation keys
/// must parse, and every `jwt_supported_algs` entry must be a supported algorithm.
pub fn check_config(config: &Map<String, Value>) -> Result<(), ApiError> {
    if jwks_to_check(config).is_none() {
        let pems = list(config, "jwt_validation_pubkeys");
        if !pems.is_empty() {
            KeySet::from_pems(&pems)
                .map_err(|e| ApiError::bad_request(format!("error parsing public key: {e}")))?;
        }
    }
    if let Some(bad) = list(config, "jwt_supported_algs")
        .into_iter()
        .find(|a| !ASYMMETRIC_ALGS.contains(&a.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "invalid jwt_supported_algs: unsupported signing algorithm {bad:?}"
        )));
    }
    Ok(())
}

fn text(config: &Map<String, Value>, key: &str) -> String {
    config
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn list(config: &Map<String, Value>, key: &str) -> Vec<String> {
    config
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
