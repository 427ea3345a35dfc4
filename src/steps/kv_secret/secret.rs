//! One KV v2 secret written from the operator's file (`kv_secret "MOUNT/PATH" { from_file }`),
//! as `vault kv put MOUNT/PATH k=v …` writes it (vault-api-engines.md §2.1): the mount found
//! as `vault kv` finds it, `data/` inserted after it, the whole secret replaced — but with
//! check-and-set (`options.cas` = the version observed, 0 when there is none), so a change
//! made by someone else between nvctl's read and its write is refused by Vault instead of
//! overwritten.
//!
//! Values never leave memory except in the write's body: the plan, the diff, `-v` and the JSON
//! report name keys (added, removed, changed), and a re-run compares values in memory and
//! writes nothing when they are equal. A KV v1 engine is refused: it has no check-and-set.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use super::data::{KeyChanges, SecretData};
use crate::checks::{Finding, Findings, Severity};
use crate::doctor::secret_read::{mount_for, mount_views, Engine, MountView};
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::secret::SecretString;
use crate::steps::{Plan, Step};
use crate::vault::{VaultClient, VaultError};

/// The finding check of this step.
const CHECK: &str = "kv";

/// Vault's words when the check-and-set version is not the current one (path_data.go).
pub const CAS_MISMATCH: &str = "check-and-set parameter did not match the current version";

/// One configured secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvSecretSpec {
    /// As `vault kv put` takes it, without surrounding slashes: `secret/hashicups-api`.
    pub path: String,
    /// Where the data came from (the file), for messages.
    pub source: String,
    pub data: SecretData,
}

/// What a KV v2 secret holds now.
#[derive(Debug, Clone)]
enum Live {
    /// Never written: check-and-set 0.
    Absent,
    /// Its current version is deleted or destroyed: a write must name that version.
    Deleted { version: u64 },
    Present {
        version: u64,
        data: BTreeMap<String, Option<SecretString>>,
    },
}

impl Live {
    fn cas(&self) -> u64 {
        match self {
            Live::Absent => 0,
            Live::Deleted { version } | Live::Present { version, .. } => *version,
        }
    }
}

/// What `observe` found where the secret goes.
#[derive(Debug, Clone)]
enum Observed {
    /// No secrets engine holds the path.
    NoMount,
    /// The engine there cannot take it (KV v1, another engine, the mount itself, a path that
    /// `vault kv put` would not write where the operator meant).
    Refused { why: String },
    Kv2 {
        /// `secret` (no slashes).
        mount: String,
        /// The secret's path inside the mount: `hashicups-api`.
        rest: String,
        live: Live,
    },
}

pub struct KvSecretStep {
    spec: KvSecretSpec,
    observed: Option<Observed>,
    /// Whether `apply` wrote since the last `observe`.
    applied: bool,
}

impl KvSecretStep {
    pub fn new(spec: KvSecretSpec) -> KvSecretStep {
        KvSecretStep {
            spec,
            observed: None,
            applied: false,
        }
    }

    fn subject(&self) -> String {
        match &self.observed {
            Some(Observed::Kv2 { mount, rest, .. }) => format!("{mount}/data/{rest}"),
            _ => self.spec.path.clone(),
        }
    }

    /// The mount the path is under: the mount table, or — when the token may not list it —
    /// the pre-flight `vault kv` itself uses (`sys/internal/ui/mounts/<path>`).
    fn mount_of(&self, client: &VaultClient) -> Result<Option<MountView>> {
        match client.list_mounts() {
            Ok(table) => Ok(mount_for(&self.spec.path, &mount_views(&table)).cloned()),
            Err(e) if e.status().is_some() && !e.is_sealed() => {
                let found = client.mount_of_path(&self.spec.path).with_context(|| {
                    format!(
                        "cannot find the secrets engine of {}: sys/mounts is denied ({e}) and so is",
                        self.spec.path
                    )
                })?;
                Ok(mount_views(&BTreeMap::from([(found.path, found.mount)]))
                    .into_iter()
                    .next())
            }
            Err(e) => Err(e).context("cannot list the secrets engines (sys/mounts)"),
        }
    }

    fn read_live(client: &VaultClient, mount: &str, rest: &str) -> Result<Live> {
        let path = format!("{mount}/data/{rest}");
        match client
            .kv2_read(mount, rest)
            .with_context(|| format!("cannot read {path}"))?
        {
            Some(secret) => Ok(Live::Present {
                version: secret.metadata.version,
                data: SecretData::from_live(&secret.data),
            }),
            // Never written, or its current version deleted: the metadata says which.
            None => Ok(
                match client
                    .kv2_metadata(mount, rest)
                    .with_context(|| format!("cannot read {mount}/metadata/{rest}"))?
                {
                    Some(meta) if meta.current_version > 0 => Live::Deleted {
                        version: meta.current_version,
                    },
                    _ => Live::Absent,
                },
            ),
        }
    }

    /// How the live secret differs from the file's, by key name.
    fn changes(&self, live: &Live) -> KeyChanges {
        match live {
            Live::Present { data, .. } => self.spec.data.changes_from(data),
            Live::Absent | Live::Deleted { .. } => self.spec.data.changes_from(&BTreeMap::new()),
        }
    }
}

/// Why a mounted engine cannot take the secret, or `None` when it is KV v2 and the path is a
/// secret's.
fn refusal(path: &str, mount: &MountView, rest: &str) -> Option<String> {
    let at = &mount.path;
    match mount.engine {
        Engine::KvV2 if rest.is_empty() => Some(format!(
            "{path} is the mount {at} itself: give the secret's path under it (kv_secret \"{}NAME\")",
            at
        )),
        Engine::KvV2 if rest.starts_with("data/") || rest.starts_with("metadata/") => Some(format!(
            "{path} is taken as `vault kv put` takes it, and {at} is KV v2, so it would be written to {at}data/{rest}: drop {} from the name",
            rest.split('/').next().unwrap_or_default()
        )),
        Engine::KvV2 => None,
        Engine::KvV1 => Some(format!(
            "{at} is a KV version 1 engine: nvctl writes KV secrets only with check-and-set, which KV v1 does not have, so a concurrent change could be overwritten; upgrade it with `vault kv enable-versioning {at}`, or write the secret yourself (vault kv put {path} …)"
        )),
        _ => Some(format!(
            "{at} is a {} engine, not KV: kv_secret writes KV version 2 secrets",
            mount.describe()
        )),
    }
}

impl Step for KvSecretStep {
    fn name(&self) -> &'static str {
        "kv secret"
    }

    /// The engine may be mounted by an earlier stage — unless one was already there when
    /// observed (no stage changes an existing engine), so that `--plan` judges the secret.
    fn reads_earlier_writes(&self) -> bool {
        matches!(self.observed, None | Some(Observed::NoMount))
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.applied = false;
        let observed = match self.mount_of(client)? {
            None => Observed::NoMount,
            Some(mount) => {
                let rest = self
                    .spec
                    .path
                    .strip_prefix(&mount.path)
                    .unwrap_or_default()
                    .to_owned();
                match refusal(&self.spec.path, &mount, &rest) {
                    Some(why) => Observed::Refused { why },
                    None => {
                        let name = mount.name().to_owned();
                        let live = Self::read_live(client, &name, &rest)?;
                        Observed::Kv2 {
                            mount: name,
                            rest,
                            live,
                        }
                    }
                }
            }
        };
        self.observed = Some(observed);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let path = &self.spec.path;
        let source = &self.spec.source;
        let keys = self.spec.data.keys().join(", ");
        let cannot = |why: String| {
            Plan::create(
                self.subject(),
                format!("write KV secret {path} from {source}"),
                format!("keys: {keys}"),
            )
            .with_warning(format!("kv_secret {path:?} cannot be written: {why}"))
            .refused(format!("kv_secret {path:?} not written: {why}"))
        };
        match &self.observed {
            None | Some(Observed::NoMount) => cannot(format!(
                "no secrets engine is mounted under {path} (mount one: vault secrets enable -version=2 -path={} kv)",
                path.split('/').next().unwrap_or_default()
            )),
            Some(Observed::Refused { why, .. }) => cannot(why.clone()),
            Some(Observed::Kv2 { live, .. }) => {
                let changes = self.changes(live);
                let cas = live.cas();
                match live {
                    Live::Present { version, .. } if changes.is_empty() => Plan::nothing(
                        self.subject(),
                        format!("KV secret {path} (version {version}, keys {keys})"),
                    ),
                    Live::Present { version, .. } => Plan::update(
                        self.subject(),
                        format!(
                            "KV secret {path} differs from {source}; version {} will be written",
                            version + 1
                        ),
                        format!(
                            "{}\ncheck-and-set: {cas} (refused by Vault if the secret changes before the write)",
                            changes.describe()
                        ),
                    ),
                    Live::Absent => Plan::create(
                        self.subject(),
                        format!("write KV v2 secret {path} from {source}"),
                        format!(
                            "keys: {keys}\ncheck-and-set: 0 (refused by Vault if the secret appears before the write)"
                        ),
                    ),
                    Live::Deleted { version } => Plan::create(
                        self.subject(),
                        format!(
                            "write KV v2 secret {path} from {source} (its current version {version} is deleted)"
                        ),
                        format!(
                            "keys: {keys}\ncheck-and-set: {cas} (refused by Vault if the secret changes before the write)"
                        ),
                    ),
                }
            }
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let Some(Observed::Kv2 { mount, rest, live }) = &self.observed else {
            anyhow::bail!(
                "internal error: KV secret {} applied without a KV v2 mount",
                self.spec.path
            );
        };
        let (mount, rest, cas) = (mount.clone(), rest.clone(), live.cas());
        let written = client.kv2_write_checked(&mount, &rest, self.spec.data.values(), cas);
        let warnings = match written {
            Ok((_, warnings)) => warnings,
            Err(e) if is_cas_mismatch(&e) => {
                // A copy of this very write whose answer was lost may have landed first.
                if e.attempts() > 1 {
                    if let Live::Present { data, .. } = Self::read_live(client, &mount, &rest)? {
                        if self.spec.data.changes_from(&data).is_empty() {
                            ui.warn(format!(
                                "{mount}/data/{rest}: written by an earlier attempt whose answer was lost"
                            ));
                            self.applied = true;
                            return Ok(());
                        }
                    }
                }
                return Err(anyhow::Error::new(e).context(format!(
                    "{} was not written: it changed after nvctl read it (check-and-set {cas}), and Vault refused to overwrite it; nothing was changed — run again to see the difference and approve it",
                    self.spec.path
                )));
            }
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot write KV secret {}", self.spec.path)))
            }
        };
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        self.applied = true;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let Some(Observed::Kv2 { mount, rest, live }) = &self.observed else {
            // Refused before anything was written: the refusal said why.
            return Ok(Findings::new());
        };
        let (mount, rest) = (mount.clone(), rest.clone());
        let live = if self.applied {
            Self::read_live(client, &mount, &rest)?
        } else {
            // Nothing written since `observe`: its read is the read-back.
            live.clone()
        };
        let mut findings = Findings::new();
        match &live {
            Live::Present { .. } => {
                let changes = self.changes(&live);
                if !changes.is_empty() {
                    findings.push(
                        Finding::nvctl(
                            Severity::Error,
                            CHECK,
                            self.subject(),
                            format!(
                                "the secret read back differs from {}: {}",
                                self.spec.source,
                                changes.describe().replace('\n', "; ")
                            ),
                        )
                        .with_remedy(
                            "another writer may have changed it; run again to see the difference",
                        ),
                    );
                }
            }
            Live::Absent | Live::Deleted { .. } if self.applied => {
                return Err(VaultFailure(format!(
                    "{mount}/data/{rest} was written but reading it back finds no current version"
                ))
                .into());
            }
            // Not written (the plan was refused or declined): nothing to check here.
            Live::Absent | Live::Deleted { .. } => {}
        }
        self.observed = Some(Observed::Kv2 { mount, rest, live });
        Ok(findings)
    }
}

fn is_cas_mismatch(e: &VaultError) -> bool {
    e.is_bad_request() && e.errors().iter().any(|m| m.contains(CAS_MISMATCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(live: Live) -> KvSecretStep {
        let mut step = KvSecretStep::new(KvSecretSpec {
            path: "secret/hashicups-api".into(),
            source: "hashicups-api.json".into(),
            data: SecretData::from_json(
                br#"{"api-key": "TOP-SECRET-1", "principal-id": "TOP-SECRET-2"}"#,
            )
            .unwrap(),
        });
        step.observed = Some(Observed::Kv2 {
            mount: "secret".into(),
            rest: "hashicups-api".into(),
            live,
        });
        step
    }

    fn shown(plan: &Plan) -> String {
        format!("{plan:?}")
    }

    #[test]
    fn plans_name_keys_and_the_check_and_set_version_never_values() {
        let create = step(Live::Absent).plan();
        assert_eq!(create.change, crate::steps::Change::Create);
        assert_eq!(create.subject, "secret/data/hashicups-api");
        assert!(create
            .body
            .as_deref()
            .unwrap()
            .contains("keys: api-key, principal-id"));
        assert!(create.body.as_deref().unwrap().contains("check-and-set: 0"));
        let update = step(Live::Present {
            version: 3,
            data: BTreeMap::from([
                ("api-key".into(), Some(SecretString::from("OLD-SECRET"))),
                ("gone".into(), Some(SecretString::from("OLD-2"))),
            ]),
        })
        .plan();
        assert_eq!(update.change, crate::steps::Change::Update);
        let diff = update.diff.as_deref().unwrap();
        assert!(diff.contains("keys added: principal-id"), "{diff}");
        assert!(diff.contains("keys removed: gone"), "{diff}");
        assert!(diff.contains("keys changed: api-key"), "{diff}");
        assert!(diff.contains("check-and-set: 3"), "{diff}");
        for plan in [&create, &update] {
            let text = shown(plan);
            for secret in ["TOP-SECRET", "OLD-SECRET", "OLD-2"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
        let deleted = step(Live::Deleted { version: 4 }).plan();
        assert!(deleted
            .body
            .as_deref()
            .unwrap()
            .contains("check-and-set: 4"));
    }

    #[test]
    fn equal_values_plan_nothing() {
        let same = step(Live::Present {
            version: 1,
            data: BTreeMap::from([
                ("api-key".into(), Some(SecretString::from("TOP-SECRET-1"))),
                (
                    "principal-id".into(),
                    Some(SecretString::from("TOP-SECRET-2")),
                ),
            ]),
        });
        assert_eq!(same.plan().change, crate::steps::Change::None);
    }

    #[test]
    fn kv1_and_misnamed_paths_are_refused_with_the_reason() {
        let v1 = MountView {
            path: "kv/".into(),
            engine: Engine::KvV1,
        };
        let why = refusal("kv/app", &v1, "app").unwrap();
        assert!(why.contains("KV version 1"), "{why}");
        assert!(why.contains("vault kv enable-versioning kv/"), "{why}");
        let v2 = MountView {
            path: "secret/".into(),
            engine: Engine::KvV2,
        };
        assert!(refusal("secret/app", &v2, "app").is_none());
        let why = refusal("secret/data/app", &v2, "data/app").unwrap();
        assert!(why.contains("secret/data/data/app"), "{why}");
        assert!(refusal("secret", &v2, "")
            .unwrap()
            .contains("the mount secret/ itself"));
    }
}
