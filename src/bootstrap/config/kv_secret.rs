//! `kv_secret "MOUNT/PATH" { from_file = "F" }`: a KV v2 secret the jobs read (seed 000's
//! `vault kv put secret/hashicups-api api-key=… principal-id=…`). The label is the path as
//! `vault kv put` takes it; the file is a JSON object of strings, refused unless only its
//! owner may read it (0600) — or, with `from_env = "VARIABLE"`, the same JSON object is that
//! environment variable's value (a CI secret). Never from the configuration's text or a flag.
//! The values are held as secrets from here on and never shown.

use std::collections::BTreeMap;

use super::reader::{Label, RawBlock, Schema};
use super::Resolver;
use crate::steps::kv_secret::{KvSecretSpec, SecretData};

pub(super) const SCHEMA: Schema = Schema {
    name: "kv_secret",
    label: Label::One {
        what: "secret's path as vault kv put takes it",
        example: "kv_secret \"secret/hashicups-api\" { from_file = \"hashicups-api.json\" }",
    },
    keys: &["from_file", "from_env"],
    blocks: &[],
};

/// The secrets, each read and checked; every problem is reported where it is.
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Vec<KvSecretSpec> {
    let mut secrets = Vec::new();
    let mut seen: BTreeMap<String, Option<usize>> = BTreeMap::new();
    for block in file.blocks(SCHEMA.name) {
        let label = block.label();
        let path = label.trim().trim_matches('/').to_owned();
        if path.is_empty() || !path.contains('/') {
            r.problems.at(
                &block.at,
                format!(
                    "kv_secret {label:?}: give the mount and the secret's path, as vault kv put takes them: {}",
                    "kv_secret \"secret/NAME\" { … }"
                ),
            );
            continue;
        }
        if path
            .split('/')
            .any(|segment| segment.is_empty() || segment == "..")
        {
            r.problems.at(
                &block.at,
                format!("kv_secret {label:?}: the path has an empty or \"..\" segment"),
            );
            continue;
        }
        if let Some(first) = seen.get(&path) {
            r.problems.at(
                &block.at,
                format!(
                    "kv_secret {path:?} is given twice{}",
                    first
                        .map(|l| format!(" (first at line {l})"))
                        .unwrap_or_default()
                ),
            );
            continue;
        }
        seen.insert(path.clone(), block.at.line);
        let file = block.path("from_file", &mut r.problems);
        let env = block.string("from_env", &mut r.problems);
        let (read, at, source) = match (file, env) {
            (Some(_), Some(env)) => {
                r.problems.at(
                    &env.at,
                    format!("kv_secret {path:?}: give from_file or from_env, not both"),
                );
                continue;
            }
            (Some(file), None) => (
                SecretData::from_private_file(&file.value),
                file.at,
                file.value.display().to_string(),
            ),
            (None, Some(env)) => (
                SecretData::from_env(&env.value),
                env.at,
                format!("${}", env.value),
            ),
            (None, None) => {
                if !block.has("from_file") && !block.has("from_env") {
                    r.problems.at(
                        &block.at,
                        format!("kv_secret {path:?} needs from_file = \"<0600 JSON file of key: value strings>\" or from_env = \"<variable holding that JSON>\""),
                    );
                }
                continue;
            }
        };
        match read {
            Ok(data) => secrets.push(KvSecretSpec { path, source, data }),
            Err(why) => r.problems.at(&at, format!("kv_secret {path:?}: {why}")),
        }
    }
    secrets
}
