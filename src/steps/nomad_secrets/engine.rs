//! `vault secrets enable nomad` (seed 004): the Nomad secrets engine at `path` (default
//! `nomad`). Another engine at that path is never changed: it is refused before anything is
//! written, since every later write of the group would land on the wrong engine.

use anyhow::{Context, Result};

use crate::checks::Findings;
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::steps::pipeline::Facts;
use crate::steps::{Plan, Step};
use crate::vault::{Mount, MountRequest, VaultClient};

use super::{wrote, NomadSecretsSpec};

pub struct EngineStep {
    mount: String,
    facts: Facts,
    live: Option<Option<Mount>>,
}

impl EngineStep {
    pub fn new(spec: &NomadSecretsSpec, facts: &Facts) -> EngineStep {
        EngineStep {
            mount: spec.mount.clone(),
            facts: facts.clone(),
            live: None,
        }
    }

    fn subject(&self) -> String {
        format!("sys/mounts/{}", self.mount)
    }

    fn read(&self, client: &VaultClient) -> Result<Option<Mount>> {
        Ok(client
            .list_mounts()
            .context("cannot list the secrets engines (sys/mounts)")?
            .get(&format!("{}/", self.mount))
            .cloned())
    }
}

impl Step for EngineStep {
    fn name(&self) -> &'static str {
        "nomad-engine"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(self.read(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        match self.live.as_ref().and_then(Option::as_ref) {
            Some(m) if m.mount_type == "nomad" => Plan::nothing(
                self.subject(),
                format!("Nomad secrets engine at {}/", self.mount),
            ),
            Some(m) => Plan::create(
                self.subject(),
                format!("a Nomad secrets engine at {}/", self.mount),
                String::new(),
            )
            .refused(format!(
                "{}/ is already a {:?} secrets engine: nvctl does not replace it; choose another \
                 path in nomad_secrets, or move that engine (`vault secrets move`)",
                self.mount, m.mount_type
            )),
            None => Plan::create(
                self.subject(),
                format!("enable the Nomad secrets engine at {}/", self.mount),
                serde_json::to_string_pretty(&MountRequest::of_type("nomad")).unwrap_or_default(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .enable_mount(&self.mount, &MountRequest::of_type("nomad"))
            .with_context(|| {
                format!("cannot enable the Nomad secrets engine at {}/", self.mount)
            })?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        wrote(&self.facts);
        self.live = None;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.live.is_none() {
            let mount = self.read(client)?;
            if mount.as_ref().is_none_or(|m| m.mount_type != "nomad") {
                return Err(VaultFailure(format!(
                    "the Nomad secrets engine at {}/ was enabled but sys/mounts does not list it",
                    self.mount
                ))
                .into());
            }
            self.live = Some(mount);
        }
        Ok(Findings::new())
    }
}
