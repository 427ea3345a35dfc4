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

/// The checks Vault runs on a `auth/<jwt>/config` write after the one-key-source rule
/// (`pathConfigWrite`): the JWKS URL is fetched and must serve a JWK set, validation keys
/// must parse, and every `jwt_supported_algs` entry must be a supported algorithm.
pub fn check_config(config: &Map<String, Value>) -> Result<(), ApiError> {
    let text = |key: &str| {
        config
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let list = |key: &str| -> Vec<String> {
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
    };
    let jwks_url = text("jwks_url");
    if !jwks_url.is_empty() {
        match keyset::fetch(&jwks_url, &text("jwks_ca_pem")) {
            Ok(_) => {}
            // Vault logs the cause and answers without it.
            Err(FetchError::CaPem(_)) => {
                return Err(ApiError::bad_request("error checking jwks_ca_pem"))
            }
            Err(FetchError::Fetch(_)) => {
                return Err(ApiError::bad_request(format!(
                    "error checking jwks URL {jwks_url}"
                )))
            }
        }
    } else {
        let pems = list("jwt_validation_pubkeys");
        if !pems.is_empty() {
            KeySet::from_pems(&pems)
                .map_err(|e| ApiError::bad_request(format!("error parsing public key: {e}")))?;
        }
    }
    if let Some(bad) = list("jwt_supported_algs")
        .into_iter()
        .find(|a| !ASYMMETRIC_ALGS.contains(&a.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "invalid jwt_supported_algs: unsupported signing algorithm {bad:?}"
        )));
    }
    Ok(())
}
