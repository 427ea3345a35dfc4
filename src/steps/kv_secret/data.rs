//! A KV secret's data as the operator gives it: a JSON object of strings (what
//! `vault kv put PATH k=v …` sends), read from a file only its owner may read. The values are
//! [`SecretString`]s: never printed, never in a `Debug`, compared in memory only; what the
//! operator sees of a secret is its key names.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::secret::SecretString;

/// The key/value pairs of a KV secret. `Debug` shows the keys only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretData(BTreeMap<String, SecretString>);

impl fmt::Debug for SecretData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretData")
            .field("keys", &self.keys())
            .field("values", &crate::secret::REDACTED)
            .finish()
    }
}

/// How a live secret differs from the desired one, by key name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl KeyChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// `keys added: a, b` / `keys removed: c` / `keys changed: d (values not shown)`, one a
    /// line, for the plan.
    pub fn describe(&self) -> String {
        let mut lines = Vec::new();
        for (what, keys) in [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ] {
            if !keys.is_empty() {
                lines.push(format!("keys {what}: {}", keys.join(", ")));
            }
        }
        if !self.changed.is_empty() {
            lines.push("(values are never shown)".to_owned());
        }
        lines.join("\n")
    }
}

impl SecretData {
    /// The key names, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }

    pub fn values(&self) -> &BTreeMap<String, SecretString> {
        &self.0
    }

    /// A live secret as Vault answered it: string values kept as secrets; any other value
    /// (a number, a map written by another tool) is kept as `None`, which differs from every
    /// string the file can hold.
    pub fn from_live(
        live: &BTreeMap<String, serde_json::Value>,
    ) -> BTreeMap<String, Option<SecretString>> {
        live.iter()
            .map(|(k, v)| {
                let value = v.as_str().map(SecretString::from);
                (k.clone(), value)
            })
            .collect()
    }

    /// What writing `self` over `live` changes, by key name.
    pub fn changes_from(&self, live: &BTreeMap<String, Option<SecretString>>) -> KeyChanges {
        let mut changes = KeyChanges::default();
        for (key, value) in &self.0 {
            match live.get(key) {
                None => changes.added.push(key.clone()),
                Some(Some(v)) if v == value => {}
                Some(_) => changes.changed.push(key.clone()),
            }
        }
        changes.removed = live
            .keys()
            .filter(|k| !self.0.contains_key(*k))
            .cloned()
            .collect();
        changes
    }

    /// Parses a JSON object of strings. Problems name keys and types, never a value.
    pub fn from_json(bytes: &[u8]) -> Result<SecretData, String> {
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let entries = deserializer
            .deserialize_any(EntriesVisitor)
            .and_then(|entries| deserializer.end().map(|()| entries))
            .map_err(|e| {
                // serde_json quotes what it read in some messages: keep the shape only.
                crate::vault::describe_json_error(&e)
            })?;
        let entries = entries.map_err(|got| {
            format!("expected a JSON object of strings (key: value, as vault kv put takes them), got {got}")
        })?;
        let mut data = BTreeMap::new();
        let mut problems = Vec::new();
        for (key, value) in entries {
            match value {
                Value::String(secret) => {
                    if data.insert(key.clone(), secret).is_some() {
                        problems.push(format!("key {key:?} is given twice"));
                    }
                }
                Value::Other(kind) => problems.push(format!(
                    "key {key:?}: expected a string, got {kind} (KV values are strings, as vault kv put sends them)"
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        if data.is_empty() {
            return Err("the object has no keys: vault kv put needs at least one key=value".into());
        }
        Ok(SecretData(data))
    }

    /// Reads `path`: refused unless only its owner may read or write it (0600), bounded, then
    /// [`SecretData::from_json`]. The bytes read are zeroized once parsed.
    pub fn from_private_file(path: &Path) -> Result<SecretData, String> {
        use std::os::unix::fs::PermissionsExt;
        let shown = path.display();
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {shown}: {e}"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{shown} has mode {:04o}: a file holding secret values must be 0600 (readable and writable by its owner only); chmod 600 {shown}",
                mode & 0o7777
            ));
        }
        let bytes = zeroize::Zeroizing::new(
            crate::local_file::read_bytes(path, crate::local_file::MAX_INPUT_BYTES)
                .map_err(|e| format!("cannot read {shown}: {e}"))?,
        );
        SecretData::from_json(&bytes).map_err(|e| format!("{shown}: {e}"))
    }

    /// Reads the JSON object of strings from the environment variable `name` (a CI secret):
    /// never from the configuration's text or a flag.
    pub fn from_env(name: &str) -> Result<SecretData, String> {
        let value = std::env::var_os(name)
            .ok_or_else(|| format!("the environment variable {name} is not set"))?;
        let text = zeroize::Zeroizing::new(
            value
                .into_string()
                .map_err(|_| format!("the environment variable {name} is not UTF-8"))?,
        );
        SecretData::from_json(text.as_bytes()).map_err(|e| format!("${name}: {e}"))
    }
}

/// One value of the object: a string (kept as a secret), or what else it was.
enum Value {
    String(SecretString),
    Other(&'static str),
}

/// The object's entries in the file's order (duplicates kept, to be reported), or the kind of
/// JSON value found instead of an object.
struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Result<Vec<(String, Value)>, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed)?;
            entries.push((key, value));
        }
        Ok(Ok(entries))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
}

struct ValueSeed;

impl<'de> de::DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// One value: strings become secrets; everything else only says what it was (and nested
/// values are skipped unread).
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(SecretString::from(v)))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(SecretString::new(v)))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Other("a number"))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Other("null"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Other("an object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_of_strings_is_read_and_debug_shows_keys_only() {
        let data =
            SecretData::from_json(br#"{"api-key": "s3cr3t-value", "principal-id": "p1"}"#).unwrap();
        assert_eq!(data.keys(), vec!["api-key", "principal-id"]);
        let shown = format!("{data:?}");
        assert!(
            !shown.contains("s3cr3t-value") && !shown.contains("p1\""),
            "{shown}"
        );
    }

    #[test]
    fn wrong_shapes_name_keys_and_types_never_values() {
        let err = SecretData::from_json(br#"{"pin": 12345, "nested": {"a": "hidden"}, "ok": "x"}"#)
            .unwrap_err();
        assert!(
            err.contains("key \"pin\": expected a string, got a number"),
            "{err}"
        );
        assert!(
            err.contains("key \"nested\": expected a string, got an object"),
            "{err}"
        );
        assert!(!err.contains("12345") && !err.contains("hidden"), "{err}");
        let err = SecretData::from_json(br#"{"a": "x", "a": "y"}"#).unwrap_err();
        assert_eq!(err, "key \"a\" is given twice");
        let err = SecretData::from_json(br#"["hunter2"]"#).unwrap_err();
        assert!(err.ends_with("got an array"), "{err}");
        assert!(!err.contains("hunter2"));
        let err = SecretData::from_json(b"{}").unwrap_err();
        assert!(err.contains("no keys"), "{err}");
        let err = SecretData::from_json(br#"{"a": "unterminated"#).unwrap_err();
        assert!(!err.contains("unterminated"), "{err}");
        let err = SecretData::from_json(br#"{"a": "x"} leftover-value"#).unwrap_err();
        assert!(err.contains("trailing characters"), "{err}");
        assert!(!err.contains("leftover"), "{err}");
    }

    #[test]
    fn changes_are_counted_by_key_name() {
        let desired = SecretData::from_json(br#"{"a": "1", "b": "2", "c": "3"}"#).unwrap();
        let live = BTreeMap::from([
            ("a".to_owned(), serde_json::json!("1")),
            ("b".to_owned(), serde_json::json!("other")),
            ("d".to_owned(), serde_json::json!(4)),
        ]);
        let changes = desired.changes_from(&SecretData::from_live(&live));
        assert_eq!(changes.added, vec!["c"]);
        assert_eq!(changes.changed, vec!["b"]);
        assert_eq!(changes.removed, vec!["d"]);
        assert_eq!(
            changes.describe(),
            "keys added: c\nkeys removed: d\nkeys changed: b\n(values are never shown)"
        );
        let same = BTreeMap::from([
            ("a".to_owned(), serde_json::json!("1")),
            ("b".to_owned(), serde_json::json!("2")),
            ("c".to_owned(), serde_json::json!("3")),
        ]);
        assert!(desired
            .changes_from(&SecretData::from_live(&same))
            .is_empty());
    }

    #[test]
    fn a_file_others_may_read_is_refused_with_its_path_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, br#"{"k": "v"}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = SecretData::from_private_file(&path).unwrap_err();
        assert!(err.contains("has mode 0644"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            SecretData::from_private_file(&path).unwrap().keys(),
            vec!["k"]
        );
    }
}
