//! Secret and auth mounts, KV v2 data, JWT auth config and roles (vault-api.md §8).
#[derive(Debug, Default)]
pub struct MountTable {}
