//! WI, only when asked for (`--kv-mount PATH`, `kv_mount` in the configuration): the KV
//! version 2 engine the workload policy grants on, mounted with nvctl's mark when nothing is
//! mounted there (`nomad setup vault` mounts none; its policy assumes `secret/`). An existing engine is never changed: a KV v1
//! or other engine at the path is reported (the policy's `secret/data/…` paths only exist on
//! KV v2).

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::workload_identity::{self as wi, CHECK};
use crate::output::Ui;
use crate::vault::{Mount, MountRequest, VaultClient};

use crate::steps::{Plan, Step};

pub struct KvMountStep {
    /// Without slashes.
    path: String,
    live: Option<Option<Mount>>,
}

impl KvMountStep {
    pub fn new(path: &str) -> KvMountStep {
        KvMountStep {
            path: path.trim_matches('/').to_string(),
            live: None,
        }
    }

    fn live(&self) -> Option<&Mount> {
        self.live.as_ref().and_then(Option::as_ref)
    }

    fn request(&self) -> MountRequest {
        MountRequest {
            description: wi::kv_mount_description(),
            ..MountRequest::kv_v2()
        }
    }

    fn subject(&self) -> String {
        format!("sys/mounts/{}", self.path)
    }

    fn read(&self, client: &VaultClient) -> Result<Option<Mount>> {
        Ok(client
            .list_mounts()
            .context("cannot list the secrets engines (sys/mounts)")?
            .get(&format!("{}/", self.path))
            .cloned())
    }

    fn describe(mount: &Mount) -> String {
        let version = mount
            .options
            .as_ref()
            .and_then(|o| o.get("version"))
            .map_or("1", String::as_str);
        if mount.mount_type == "kv" {
            format!("kv version {version}")
        } else {
            format!("a {:?} engine", mount.mount_type)
        }
    }
}

impl Step for KvMountStep {
    fn name(&self) -> &'static str {
        "kv"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(self.read(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        match self.live() {
            Some(m) if m.is_kv_v2() => Plan::nothing(
                self.subject(),
                format!("KV v2 secrets engine at {}/", self.path),
            ),
            Some(m) => Plan::nothing(
                self.subject(),
                format!(
                    "secrets engine at {}/ ({}, left as it is)",
                    self.path,
                    Self::describe(m)
                ),
            ),
            None => Plan::create(
                self.subject(),
                format!(
                    "mount a KV v2 secrets engine at {}/ for the jobs' secrets",
                    self.path
                ),
                serde_json::to_string_pretty(&self.request()).unwrap_or_default(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .enable_mount(&self.path, &self.request())
            .with_context(|| format!("cannot mount a KV v2 engine at {}/", self.path))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mount = self.read(client)?.ok_or_else(|| {
            VaultFailure(format!(
                "the secrets engine at {}/ was mounted but sys/mounts does not list it",
                self.path
            ))
        })?;
        let mut findings = Findings::new();
        if !mount.is_kv_v2() {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    self.subject(),
                    format!(
                        "{}/ is {}, but the workload policy grants on {}/data/… and {}/metadata/…, which only a KV version 2 engine has",
                        self.path,
                        Self::describe(&mount),
                        self.path,
                        self.path
                    ),
                )
                .with_remedy(format!(
                    "upgrade it with `vault kv enable-versioning {}/` (KV v1), or keep the jobs' secrets in another KV v2 engine",
                    self.path
                )),
            );
        }
        self.live = Some(Some(mount));
        Ok(findings)
    }
}
