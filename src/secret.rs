//! Types that hold secrets: redacted when formatted, zeroized on drop.
//!
//! A secret is only readable through an explicit `.expose()`, so a stray `{:?}` in a log line,
//! an error message or a `dbg!` prints `[redacted]` instead of a token or an unseal key.
//! None of these types implement `Serialize`: writing a secret anywhere must go through
//! `.expose()` so that every such place is visible in review.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroize;

/// What every secret prints as.
pub const REDACTED: &str = "[redacted]";

/// A secret string (a Vault token, a share, a password): redacted in `Debug`/`Display`,
/// overwritten with zeros when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a value; the `String` is moved, not copied.
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret itself. Call it only where the value must leave the process (an HTTP
    /// header, a 0600 file, `--show-secrets` output).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (e.g. `"id":""` in a lookup-accessor answer).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for SecretString {}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString)
    }
}

/// One unseal (or recovery) key share, hex or base64 as Vault printed it.
///
/// A separate type from [`SecretString`] so that a share cannot be passed where a token is
/// expected (and the other way round).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnsealKey(SecretString);

impl UnsealKey {
    /// Wraps a share; surrounding whitespace (a pasted newline) is trimmed.
    pub fn new(value: impl Into<String>) -> Self {
        let mut raw: String = value.into();
        let trimmed = raw.trim();
        if trimmed.len() != raw.len() {
            let owned = SecretString::new(trimmed);
            raw.zeroize();
            return UnsealKey(owned);
        }
        UnsealKey(SecretString(raw))
    }

    /// The share itself, for the `sys/unseal` body or the init file.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether the share is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<SecretString> for UnsealKey {
    fn from(value: SecretString) -> Self {
        UnsealKey::new(value.expose())
    }
}

impl fmt::Debug for UnsealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for UnsealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for UnsealKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        SecretString::deserialize(deserializer).map(UnsealKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "hvs.CAESIJ-very-secret-token";
    const SHARE: &str = "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3";

    #[test]
    fn secret_string_debug_and_display_are_redacted() {
        let secret = SecretString::new(TOKEN);
        for shown in [
            format!("{secret:?}"),
            format!("{secret}"),
            format!("{secret:#?}"),
        ] {
            assert!(!shown.contains(TOKEN), "{shown}");
            assert_eq!(shown, REDACTED);
        }
        assert_eq!(secret.expose(), TOKEN);
    }

    #[test]
    fn unseal_key_debug_and_display_are_redacted() {
        let key = UnsealKey::new(format!("{SHARE}\n"));
        for shown in [format!("{key:?}"), format!("{key}")] {
            assert!(!shown.contains(SHARE), "{shown}");
        }
        assert_eq!(key.expose(), SHARE, "the pasted newline is trimmed");
    }

    #[test]
    fn secrets_inside_containers_stay_redacted() {
        let keys = vec![UnsealKey::new(SHARE), UnsealKey::new(SHARE)];
        let token = Some(SecretString::new(TOKEN));
        let shown = format!("{keys:?} {token:?}");
        assert!(!shown.contains(SHARE) && !shown.contains(TOKEN), "{shown}");
    }

    #[test]
    fn secrets_deserialize_from_json_strings() {
        let token: SecretString =
            serde_json::from_str(&format!("\"{TOKEN}\"")).expect("string parses");
        assert_eq!(token.expose(), TOKEN);
        let keys: Vec<UnsealKey> =
            serde_json::from_str(&format!("[\"{SHARE}\"]")).expect("list parses");
        assert_eq!(keys[0].expose(), SHARE);
    }

    #[test]
    fn clones_are_equal_and_independent() {
        let a = SecretString::new(TOKEN);
        let b = a.clone();
        drop(a);
        assert_eq!(b.expose(), TOKEN);
        assert!(SecretString::default().is_empty());
    }
}
