//! The jobs' KV secrets (issue 13; seed 000's `vault kv put secret/hashicups-api …`), as two
//! stages of the bootstrap pipeline: the KV v2 engines they go to, mounted where nothing is
//! ([`mount::KvMountStep`]), then each secret written with check-and-set
//! ([`secret::KvSecretStep`]). Both flows append them; an empty configuration adds nothing.

pub mod data;
pub mod mount;
pub mod secret;

use std::collections::BTreeMap;

pub use data::SecretData;
pub use secret::{KvSecretSpec, KvSecretStep};

use super::pipeline::Stage;
use super::Step;

/// The stages writing `secrets`: engines, then secrets (none when nothing is configured).
pub fn stages<'a>(secrets: &[KvSecretSpec]) -> Vec<Stage<'a>> {
    let mut by_mount: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in secrets {
        let first = s.path.split('/').next().unwrap_or_default().to_owned();
        by_mount.entry(first).or_default().push(s.path.clone());
    }
    let mounts: Vec<Box<dyn Step + 'a>> = by_mount
        .into_iter()
        .map(|(mount, paths)| Box::new(mount::KvMountStep::new(&mount, paths)) as Box<dyn Step>)
        .collect();
    let writes: Vec<Box<dyn Step + 'a>> = secrets
        .iter()
        .map(|s| Box::new(KvSecretStep::new(s.clone())) as Box<dyn Step>)
        .collect();
    vec![
        Stage::new("secrets engines for the KV secrets", mounts),
        Stage::new("KV secrets", writes),
    ]
}
