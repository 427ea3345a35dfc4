//! How consul-template (inside the Nomad client) turns a template's `secret "PATH"` into a
//! Vault request, so that check-job judges the policies on the path actually requested.
//!
//! From hashicorp/consul-template `dependency/vault_read.go` (`NewVaultReadQuery`,
//! `readSecret`, `shimKVv2Path`), `vault_common.go` (`isKVv2`), `vault_list.go`
//! (`shimKvV2ListPath`) and `vault_write.go` (`writeSecret`):
//! - the path is trimmed of spaces and `/`, and a `?query` is split off and sent with the
//!   read (`ReadWithData`): `?version=2` reads that version of a KV v2 secret;
//! - reads and lists first ask `sys/internal/ui/mounts/<path>` (with the task token) which
//!   mount the path is under; on a `kv` mount with `options.version = "2"` a read gets `data/`
//!   inserted after the mount unless the rest already starts with `data/` or `metadata/`, and a
//!   list gets `metadata/` unless it already has it;
//! - when that pre-flight fails (the task token has no capability anywhere under the mount:
//!   vault-api-engines.md §1) consul-template logs a warning and reads the path as written;
//! - writes (`secret "p" "k=v"`) are sent as written, never shimmed.
//!
//! Pure: the mounts come from the live Vault, the ACL from the task's policies.

use std::collections::BTreeMap;

use crate::acl::{Acl, Operation};
use crate::nomad::jobspec::SecretFunction;
use crate::vault::Mount;

/// What kind of engine a mount is, as far as templates are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    KvV1,
    KvV2,
    Database,
    Nomad,
    Other(String),
}

/// A secrets engine mount: its path with the trailing `/` (`secret/`) and its engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountView {
    pub path: String,
    pub engine: Engine,
}

impl MountView {
    pub fn new(path: &str, mount: &Mount) -> Self {
        let engine = match mount.mount_type.as_str() {
            "kv" | "generic" if mount.is_kv_v2() => Engine::KvV2,
            "kv" | "generic" => Engine::KvV1,
            "database" => Engine::Database,
            "nomad" => Engine::Nomad,
            other => Engine::Other(other.to_owned()),
        };
        let path = format!("{}/", path.trim_matches('/'));
        MountView { path, engine }
    }

    /// The mount's name without slashes (`database`).
    pub fn name(&self) -> &str {
        self.path.trim_end_matches('/')
    }

    /// `kv v2`, `database` … for messages.
    pub fn describe(&self) -> String {
        match &self.engine {
            Engine::KvV1 => "KV v1".into(),
            Engine::KvV2 => "KV v2".into(),
            Engine::Database => "database".into(),
            Engine::Nomad => "Nomad".into(),
            Engine::Other(t) => t.clone(),
        }
    }
}

/// The mounts of a Vault, longest path first so the first prefix match is the right one.
pub fn mount_views(mounts: &BTreeMap<String, Mount>) -> Vec<MountView> {
    let mut views: Vec<MountView> = mounts
        .iter()
        .map(|(path, m)| MountView::new(path, m))
        .collect();
    views.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.path.cmp(&b.path)));
    views
}

/// A dynamic secret the template asks an engine to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dynamic {
    /// `<mount>/creds/<role>` on a database engine.
    DatabaseCreds { mount: String, role: String },
    /// `<mount>/creds/<role>` on a Nomad engine (the role itself lives at `<mount>/role/<role>`).
    NomadCreds { mount: String, role: String },
}

/// A template's Vault call, resolved as consul-template will send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPath {
    /// The path as written, trimmed as consul-template trims it, without its query.
    pub written: String,
    /// The path consul-template requests.
    pub requested: String,
    pub op: Operation,
    /// The mount the path is under; `None` when no secrets engine is mounted there.
    pub mount: Option<MountView>,
    /// Consul-template's KV v2 pre-flight failed for this token, so the path is read as
    /// written even on a KV v2 mount.
    pub preflight_denied: bool,
    pub dynamic: Option<Dynamic>,
    /// The `version` of `?version=N`, as written: the KV v2 version the template reads
    /// (`None`: the current one).
    pub version: Option<String>,
}

impl ResolvedPath {
    pub fn is_kv_read(&self) -> bool {
        self.op == Operation::Read
            && matches!(
                self.mount.as_ref().map(|m| &m.engine),
                Some(Engine::KvV1 | Engine::KvV2)
            )
    }

    /// What the template reads, as a key for facts and in messages: the requested path,
    /// with `?version=N` when it reads one version (`secret/data/x?version=2`).
    pub fn read_label(&self) -> String {
        match &self.version {
            Some(v) => format!("{}?version={v}", self.requested),
            None => self.requested.clone(),
        }
    }

    /// Whether the request goes to KV v2's data (`.Data.data` holds the keys).
    pub fn reads_kv2_data(&self) -> bool {
        self.is_kv_read()
            && !self.preflight_denied
            && self
                .mount
                .as_ref()
                .is_some_and(|m| m.engine == Engine::KvV2)
    }
}

/// The mount `path` falls under: the longest mount path that prefixes `path/`.
pub fn mount_for<'a>(path: &str, mounts: &'a [MountView]) -> Option<&'a MountView> {
    let with_slash = format!("{path}/");
    mounts.iter().find(|m| with_slash.starts_with(&m.path))
}

/// `NewVaultReadQuery`'s normalisation: spaces and slashes trimmed, the query split off.
pub fn normalise(raw: &str) -> (String, Option<String>) {
    let trimmed = raw.trim().trim_matches('/');
    match trimmed.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (trimmed.to_owned(), None),
    }
}

/// Resolves one template call. `task_acl` is the task token's ACL, used only for the
/// pre-flight's outcome (`None`: assume it succeeds).
pub fn resolve(
    function: SecretFunction,
    writes: bool,
    raw: &str,
    mounts: &[MountView],
    task_acl: Option<&Acl>,
) -> ResolvedPath {
    let (written, query) = normalise(raw);
    let version = query.as_deref().and_then(version_of);
    let mount = mount_for(&written, mounts).cloned();
    let op = match (function, writes) {
        (SecretFunction::Secrets, _) => Operation::List,
        (SecretFunction::Secret, true) => Operation::Update,
        (SecretFunction::Secret, false) => Operation::Read,
    };
    let preflight_denied = op != Operation::Update
        && mount.as_ref().is_some_and(|m| m.engine == Engine::KvV2)
        && task_acl.is_some_and(|acl| !acl.has_access_under(&mount_prefix(mount.as_ref())));
    let requested = match (&mount, op) {
        (Some(m), Operation::Read) if m.engine == Engine::KvV2 && !preflight_denied => {
            shim_kv2_read(&written, &m.path)
        }
        (Some(m), Operation::List) if m.engine == Engine::KvV2 && !preflight_denied => {
            shim_kv2_list(&written, &m.path)
        }
        _ => written.clone(),
    };
    let dynamic = match (&mount, op) {
        (Some(m), Operation::Read) => {
            let rest = requested.strip_prefix(&m.path).unwrap_or_default();
            match rest.strip_prefix("creds/") {
                Some(role) if !role.is_empty() && !role.contains('/') => match m.engine {
                    Engine::Database => Some(Dynamic::DatabaseCreds {
                        mount: m.name().to_owned(),
                        role: role.to_owned(),
                    }),
                    Engine::Nomad => Some(Dynamic::NomadCreds {
                        mount: m.name().to_owned(),
                        role: role.to_owned(),
                    }),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    };
    ResolvedPath {
        written,
        requested,
        op,
        mount,
        preflight_denied,
        dynamic,
        version,
    }
}

/// The `version` parameter of a template path's query (`version=2&x=y` → `2`), as Go's
/// `url.Values` reads it: the first value given.
fn version_of(query: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == "version")
        .map(|(_, value)| value.to_owned())
}

fn mount_prefix(mount: Option<&MountView>) -> String {
    mount.map(|m| m.path.clone()).unwrap_or_default()
}

/// `shimKVv2Path`: `data/` after the mount, unless already there (or `metadata/`).
fn shim_kv2_read(path: &str, mount: &str) -> String {
    let bare = mount.trim_end_matches('/');
    if path == bare {
        return format!("{bare}/data");
    }
    let rest = path.strip_prefix(mount).unwrap_or(path);
    if rest.starts_with("data/") || rest.starts_with("metadata/") {
        return path.to_owned();
    }
    format!("{mount}data/{rest}")
}

/// `shimKvV2ListPath`: `metadata/` after the mount, unless already there.
fn shim_kv2_list(path: &str, mount: &str) -> String {
    let bare = mount.trim_end_matches('/');
    if path.starts_with(&format!("{bare}/metadata")) {
        return path.to_owned();
    }
    if path == bare {
        return format!("{bare}/metadata");
    }
    let rest = path.strip_prefix(mount).unwrap_or(path);
    format!("{mount}metadata/{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::parse_policy;

    fn mounts() -> Vec<MountView> {
        let mut table = BTreeMap::new();
        let v2 = Mount {
            mount_type: "kv".into(),
            options: Some(BTreeMap::from([("version".into(), "2".into())])),
            ..Mount::default()
        };
        table.insert("secret/".to_owned(), v2);
        table.insert(
            "kv/".to_owned(),
            Mount {
                mount_type: "kv".into(),
                ..Mount::default()
            },
        );
        table.insert(
            "database/".to_owned(),
            Mount {
                mount_type: "database".into(),
                ..Mount::default()
            },
        );
        table.insert(
            "nomad/".to_owned(),
            Mount {
                mount_type: "nomad".into(),
                ..Mount::default()
            },
        );
        mount_views(&table)
    }

    fn read(path: &str) -> ResolvedPath {
        resolve(SecretFunction::Secret, false, path, &mounts(), None)
    }

    #[test]
    fn kv2_read_gets_data_inserted_unless_already_there() {
        // consul-template vault_read.go:shimKVv2Path
        assert_eq!(
            read("secret/hashicups-api").requested,
            "secret/data/hashicups-api"
        );
        assert_eq!(
            read("secret/data/hashicups-api").requested,
            "secret/data/hashicups-api"
        );
        assert_eq!(read("/secret/metadata/x").requested, "secret/metadata/x");
        assert_eq!(read(" secret/a/b/ ").requested, "secret/data/a/b");
        assert_eq!(read("secret").requested, "secret/data");
        assert!(read("secret/data/x?version=2").reads_kv2_data());
        assert_eq!(read("secret/data/x?version=2").requested, "secret/data/x");
        // vault_read.go:NewVaultReadQuery keeps the query and ReadWithData sends it.
        assert_eq!(read("secret/x?version=2").version.as_deref(), Some("2"));
        assert_eq!(read("secret/x?a=b&version=3").version.as_deref(), Some("3"));
        assert_eq!(read("secret/x").version, None);
    }

    #[test]
    fn kv1_writes_and_unmounted_paths_are_sent_as_written() {
        assert_eq!(read("kv/app").requested, "kv/app");
        assert!(!read("kv/app").reads_kv2_data());
        let write = resolve(SecretFunction::Secret, true, "secret/x", &mounts(), None);
        assert_eq!(write.requested, "secret/x");
        assert_eq!(write.op, Operation::Update);
        let nowhere = read("nothing/here");
        assert_eq!(nowhere.mount, None);
        assert_eq!(nowhere.requested, "nothing/here");
    }

    #[test]
    fn kv2_list_gets_metadata_inserted() {
        // consul-template vault_list.go:shimKvV2ListPath
        let list = |p| resolve(SecretFunction::Secrets, false, p, &mounts(), None).requested;
        assert_eq!(list("secret/app/"), "secret/metadata/app");
        assert_eq!(list("secret/metadata/app"), "secret/metadata/app");
        assert_eq!(list("secret"), "secret/metadata");
    }

    #[test]
    fn creds_paths_name_the_dynamic_role() {
        assert_eq!(
            read("database/creds/accessdb").dynamic,
            Some(Dynamic::DatabaseCreds {
                mount: "database".into(),
                role: "accessdb".into()
            })
        );
        assert_eq!(
            read("nomad/creds/deployer").dynamic,
            Some(Dynamic::NomadCreds {
                mount: "nomad".into(),
                role: "deployer".into()
            })
        );
        assert_eq!(read("kv/creds/x").dynamic, None);
    }

    #[test]
    fn preflight_denied_reads_the_path_as_written() {
        // vault_read.go:readSecret: isKVv2 failed → "assume not", d.secretPath = rawPath.
        let doc = parse_policy("path \"other/*\" { capabilities = [\"read\"] }", "p").unwrap();
        let acl = Acl::from_policies(&[doc]);
        let r = resolve(
            SecretFunction::Secret,
            false,
            "secret/x",
            &mounts(),
            Some(&acl),
        );
        assert!(r.preflight_denied);
        assert_eq!(r.requested, "secret/x");
        let doc = parse_policy("path \"secret/x\" { capabilities = [\"read\"] }", "p").unwrap();
        let acl = Acl::from_policies(&[doc]);
        let r = resolve(
            SecretFunction::Secret,
            false,
            "secret/x",
            &mounts(),
            Some(&acl),
        );
        assert!(!r.preflight_denied);
        assert_eq!(r.requested, "secret/data/x");
    }
}
