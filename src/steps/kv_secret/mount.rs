//! The KV v2 engine the configured KV secrets go to, mounted when nothing is mounted where
//! they are: a Vault that is not a dev server has no `secret/` (seed 000 writes
//! `secret/hashicups-api` on a dev server, which mounts KV v2 there). The mount of a path is
//! the longest mounted prefix, as `vault kv put` finds it; when there is none, the first
//! segment of the path is mounted. An existing engine is never changed (the secret step
//! refuses a KV v1 or other engine with the reason).

use anyhow::{Context, Result};

use crate::checks::Findings;
use crate::doctor::secret_read::{mount_for, mount_views, MountView};
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::steps::{Plan, Step};
use crate::vault::{MountRequest, VaultClient};

/// What nvctl writes as the description of the engine it mounts.
const DESCRIPTION: &str = "KV secrets of Nomad jobs (nvctl bootstrap kv_secret)";

/// Makes sure a secrets engine is mounted under each of `paths` (which share their first
/// segment, `mount`).
pub struct KvMountStep {
    /// Without slashes: `secret`.
    mount: String,
    /// The configured secrets under it, as `vault kv put` takes them.
    paths: Vec<String>,
    /// Observed: the mount table, longest path first.
    live: Option<Vec<MountView>>,
}

impl KvMountStep {
    pub fn new(mount: &str, paths: Vec<String>) -> KvMountStep {
        KvMountStep {
            mount: mount.trim_matches('/').to_owned(),
            paths,
            live: None,
        }
    }

    fn subject(&self) -> String {
        format!("sys/mounts/{}", self.mount)
    }

    fn request() -> MountRequest {
        MountRequest {
            description: DESCRIPTION.to_owned(),
            ..MountRequest::kv_v2()
        }
    }

    /// The paths no mounted engine holds.
    fn uncovered(&self) -> Vec<&str> {
        let Some(mounts) = &self.live else {
            return Vec::new();
        };
        self.paths
            .iter()
            .filter(|p| mount_for(p, mounts).is_none())
            .map(String::as_str)
            .collect()
    }

    fn read(client: &VaultClient) -> Result<Vec<MountView>> {
        Ok(mount_views(
            &client
                .list_mounts()
                .context("cannot list the secrets engines (sys/mounts)")?,
        ))
    }
}

impl Step for KvMountStep {
    fn name(&self) -> &'static str {
        "kv mount"
    }

    /// An engine an earlier stage mounts (the workload-identity flow's `secret/`) counts;
    /// when every path was already covered when observed, nothing earlier changes that.
    fn reads_earlier_writes(&self) -> bool {
        self.live.is_none() || !self.uncovered().is_empty()
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(Self::read(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let uncovered = self.uncovered();
        if uncovered.is_empty() {
            let found: Vec<String> = self
                .paths
                .iter()
                .filter_map(|p| self.live.as_deref().and_then(|m| mount_for(p, m)))
                .map(|m| format!("{} ({})", m.path, m.describe()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            return Plan::nothing(
                self.subject(),
                format!("secrets engine for the KV secrets at {}", found.join(", ")),
            );
        }
        Plan::create(
            self.subject(),
            format!(
                "mount a KV v2 secrets engine at {}/ for {}",
                self.mount,
                uncovered.join(", ")
            ),
            serde_json::to_string_pretty(&Self::request()).unwrap_or_default(),
        )
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .enable_mount(&self.mount, &Self::request())
            .with_context(|| format!("cannot mount a KV v2 engine at {}/", self.mount))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        self.live = None;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.live.is_none() {
            self.live = Some(Self::read(client)?);
        }
        let uncovered = self.uncovered();
        if !uncovered.is_empty() {
            return Err(VaultFailure(format!(
                "{}/ was mounted, but sys/mounts lists no engine for {}",
                self.mount,
                uncovered.join(", ")
            ))
            .into());
        }
        Ok(Findings::new())
    }
}
