//! The init file: what `sys/init` answered, kept on disk because the keys and the root token
//! exist nowhere else.
//!
//! Written in the format of `vault operator init -format=json` (which many scripts already
//! read) plus nvctl's `address` and `created_at`. Read back from that format, from nvctl's own
//! (the same plus two fields), or from a saved raw `sys/init` answer (`keys`/`keys_base64`).
//!
//! Parsing never echoes the file's contents: serde's type errors quote the offending value,
//! which here would be a key or a token, so the document is read as a `Value` and every field
//! is extracted by hand with messages that name only the field.

use std::path::Path;
use std::time::SystemTime;

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

use crate::secret::{SecretString, UnsealKey};
use crate::vault::{InitRequest, InitResponse};

/// The contents of an init file. `Debug` shows no secret (the key types redact themselves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitFile {
    pub unseal_keys_b64: Vec<UnsealKey>,
    pub unseal_keys_hex: Vec<UnsealKey>,
    pub unseal_shares: u32,
    /// `None` when the file does not say (a raw `sys/init` answer).
    pub unseal_threshold: Option<u32>,
    pub recovery_keys_b64: Vec<UnsealKey>,
    pub recovery_keys_hex: Vec<UnsealKey>,
    pub recovery_keys_shares: u32,
    pub recovery_keys_threshold: u32,
    pub root_token: SecretString,
    /// nvctl only: the Vault node that was initialised.
    pub address: Option<String>,
    /// nvctl only: when, RFC 3339.
    pub created_at: Option<String>,
}

impl InitFile {
    /// The file for `response`, the answer to `request` sent to `address` at `now`.
    pub fn from_response(
        request: &InitRequest,
        response: &InitResponse,
        address: &str,
        now: SystemTime,
    ) -> InitFile {
        // As `vault operator init` does: no unseal keys back (auto-unseal) is recorded as 1/1.
        let (unseal_shares, unseal_threshold) = if response.keys.is_empty() {
            (1, 1)
        } else {
            (
                request.secret_shares.unwrap_or(response.keys.len() as u32),
                request.secret_threshold.unwrap_or(0),
            )
        };
        InitFile {
            unseal_keys_b64: response.keys_base64.clone(),
            unseal_keys_hex: response.keys.clone(),
            unseal_shares,
            unseal_threshold: Some(unseal_threshold),
            recovery_keys_b64: response.recovery_keys_base64.clone(),
            recovery_keys_hex: response.recovery_keys.clone(),
            recovery_keys_shares: request.recovery_shares.unwrap_or(0),
            recovery_keys_threshold: request.recovery_threshold.unwrap_or(0),
            root_token: response.root_token.clone(),
            address: Some(address.to_string()),
            created_at: Some(humantime::format_rfc3339_seconds(now).to_string()),
        }
    }

    /// The document as written to disk. Exposes every secret: only for the 0600 file and for
    /// the emergency print when that file cannot be written.
    pub fn to_json(&self) -> String {
        let expose = |keys: &[UnsealKey]| -> Vec<String> {
            keys.iter().map(|k| k.expose().to_string()).collect()
        };
        let mut doc = json!({
            "unseal_keys_b64": expose(&self.unseal_keys_b64),
            "unseal_keys_hex": expose(&self.unseal_keys_hex),
            "unseal_shares": self.unseal_shares,
            "unseal_threshold": self.unseal_threshold.unwrap_or(0),
            "recovery_keys_b64": expose(&self.recovery_keys_b64),
            "recovery_keys_hex": expose(&self.recovery_keys_hex),
            "recovery_keys_shares": self.recovery_keys_shares,
            "recovery_keys_threshold": self.recovery_keys_threshold,
            "root_token": self.root_token.expose(),
        });
        if let Some(obj) = doc.as_object_mut() {
            if let Some(address) = &self.address {
                obj.insert("address".into(), json!(address));
            }
            if let Some(created_at) = &self.created_at {
                obj.insert("created_at".into(), json!(created_at));
            }
        }
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads and parses an init file.
    pub fn read(path: &Path) -> Result<InitFile> {
        if let Some(told) = crate::secret_once::diagnose_missing(path) {
            bail!("cannot read the init file: {told}");
        }
        let text = crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)
            .with_context(|| format!("cannot read the init file {}", path.display()))?;
        InitFile::parse(&text).with_context(|| format!("invalid init file {}", path.display()))
    }

    /// Parses nvctl's format, `vault operator init -format=json` output, or a raw `sys/init`
    /// answer.
    pub fn parse(text: &str) -> Result<InitFile> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            // Syntax errors carry only a position, never the text around it.
            anyhow::anyhow!(
                "not JSON ({} at line {} column {})",
                category(&e),
                e.line(),
                e.column()
            )
        })?;
        let Value::Object(obj) = value else {
            bail!("expected a JSON object");
        };
        if obj.contains_key("unseal_keys_b64") || obj.contains_key("unseal_keys_hex") {
            Ok(InitFile {
                unseal_keys_b64: keys(&obj, "unseal_keys_b64")?,
                unseal_keys_hex: keys(&obj, "unseal_keys_hex")?,
                unseal_shares: number(&obj, "unseal_shares")?.unwrap_or(0),
                unseal_threshold: number(&obj, "unseal_threshold")?.filter(|t| *t > 0),
                recovery_keys_b64: keys(&obj, "recovery_keys_b64")?,
                recovery_keys_hex: keys(&obj, "recovery_keys_hex")?,
                recovery_keys_shares: number(&obj, "recovery_keys_shares")?.unwrap_or(0),
                recovery_keys_threshold: number(&obj, "recovery_keys_threshold")?.unwrap_or(0),
                root_token: token(&obj)?,
                address: text_field(&obj, "address")?,
                created_at: text_field(&obj, "created_at")?,
            })
        } else if obj.contains_key("keys") || obj.contains_key("keys_base64") {
            let hex = keys(&obj, "keys")?;
            let b64 = keys(&obj, "keys_base64")?;
            Ok(InitFile {
                unseal_shares: hex.len().max(b64.len()) as u32,
                unseal_keys_hex: hex,
                unseal_keys_b64: b64,
                unseal_threshold: None,
                recovery_keys_hex: keys(&obj, "recovery_keys")?,
                recovery_keys_b64: keys(&obj, "recovery_keys_base64")?,
                root_token: token(&obj)?,
                ..InitFile::default()
            })
        } else {
            bail!(
                "no unseal keys found: expected `unseal_keys_b64`/`unseal_keys_hex` (the output of \
                 `nvctl init` or `vault operator init -format=json`) or `keys`/`keys_base64` (a \
                 saved sys/init answer)"
            )
        }
    }

    /// The keys that unseal: base64 when present (what `vault operator init` prints), else hex;
    /// only the first `unseal_threshold` when the file says it, all of them otherwise.
    pub fn unseal_keys(&self) -> Vec<UnsealKey> {
        let all = if self.unseal_keys_b64.is_empty() {
            &self.unseal_keys_hex
        } else {
            &self.unseal_keys_b64
        };
        let take = match self.unseal_threshold {
            Some(t) if (t as usize) <= all.len() => t as usize,
            _ => all.len(),
        };
        all[..take].to_vec()
    }

    /// Whether this Vault has recovery keys (auto-unseal) rather than unseal keys.
    pub fn is_recovery(&self) -> bool {
        self.unseal_keys_hex.is_empty()
            && self.unseal_keys_b64.is_empty()
            && (!self.recovery_keys_hex.is_empty() || !self.recovery_keys_b64.is_empty())
    }
}

fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end of file",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Data => "unexpected value",
    }
}

fn keys(obj: &Map<String, Value>, field: &str) -> Result<Vec<UnsealKey>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(UnsealKey::new(s.as_str())),
                _ => bail!("`{field}` item {} is not a string", i + 1),
            })
            .collect(),
        Some(_) => bail!("`{field}` must be a list of strings"),
    }
}

fn number(obj: &Map<String, Value>, field: &str) -> Result<Option<u32>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(n)),
            None => bail!("`{field}` must be a non-negative integer"),
        },
        Some(_) => bail!("`{field}` must be a number"),
    }
}

fn token(obj: &Map<String, Value>) -> Result<SecretString> {
    match obj.get("root_token") {
        None | Some(Value::Null) => Ok(SecretString::default()),
        Some(Value::String(s)) => Ok(SecretString::new(s.as_str())),
        Some(_) => bail!("`root_token` must be a string"),
    }
}

fn text_field(obj: &Map<String, Value>, field: &str) -> Result<Option<String>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => bail!("`{field}` must be a string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff0011223344";
    const TOKEN: &str = "hvs.very-secret-root";

    fn response() -> InitResponse {
        InitResponse {
            keys: vec![
                UnsealKey::new(HEX),
                UnsealKey::new("bb"),
                UnsealKey::new("cc"),
            ],
            keys_base64: vec![
                UnsealKey::new("b1"),
                UnsealKey::new("b2"),
                UnsealKey::new("b3"),
            ],
            root_token: SecretString::new(TOKEN),
            ..InitResponse::default()
        }
    }

    #[test]
    fn written_file_has_the_vault_operator_init_fields_and_reads_back() {
        let file = InitFile::from_response(
            &InitRequest::shamir(3, 2),
            &response(),
            "http://127.0.0.1:8200",
            SystemTime::UNIX_EPOCH,
        );
        let text = file.to_json();
        let value: Value = serde_json::from_str(&text).unwrap();
        for field in [
            "unseal_keys_b64",
            "unseal_keys_hex",
            "unseal_shares",
            "unseal_threshold",
            "recovery_keys_b64",
            "recovery_keys_hex",
            "recovery_keys_shares",
            "recovery_keys_threshold",
            "root_token",
            "address",
            "created_at",
        ] {
            assert!(value.get(field).is_some(), "{field} missing in {text}");
        }
        assert_eq!(value["created_at"], "1970-01-01T00:00:00Z");
        assert_eq!(InitFile::parse(&text).unwrap(), file);
    }

    #[test]
    fn unseal_keys_are_the_threshold_count_base64_first() {
        let file = InitFile::from_response(
            &InitRequest::shamir(3, 2),
            &response(),
            "a",
            SystemTime::UNIX_EPOCH,
        );
        let keys: Vec<String> = file
            .unseal_keys()
            .iter()
            .map(|k| k.expose().to_string())
            .collect();
        assert_eq!(keys, ["b1", "b2"]);
    }

    #[test]
    fn a_raw_sys_init_answer_gives_all_its_keys() {
        let file = InitFile::parse(&format!(
            r#"{{"keys":["{HEX}","bb"],"keys_base64":[],"root_token":"{TOKEN}"}}"#
        ))
        .unwrap();
        assert_eq!(file.unseal_keys().len(), 2);
        assert_eq!(file.unseal_threshold, None);
        assert_eq!(file.root_token.expose(), TOKEN);
    }

    #[test]
    fn parse_errors_never_quote_the_contents() {
        for text in [
            format!(r#"{{"unseal_keys_b64":"{HEX}","root_token":"{TOKEN}"}}"#),
            format!(r#"{{"unseal_keys_b64":[],"root_token":{{"x":"{TOKEN}"}}}}"#),
            format!(r#"{{"unseal_keys_b64":[],"unseal_shares":"{TOKEN}"}}"#),
            format!(r#"{{"keys":["{HEX}" "{TOKEN}"]}}"#),
            format!(r#"{{"other":"{TOKEN}"}}"#),
        ] {
            let err = format!("{:#}", InitFile::parse(&text).unwrap_err());
            assert!(!err.contains(TOKEN) && !err.contains(HEX), "{err}");
        }
    }
}
