//! `<mount>/role/NAME` (vault-api-engines.md §5.3) — singular `role`: seed 004 writes
//! `nomad/roles/NAME`, which Vault answers 404 `unsupported path`. The whole body is always
//! sent, `type` included, because Vault resets `type` to `client` on a write that omits it.
//! The role's own rules (Vault's 400s) were checked when the configuration was read.
//!
//! Seed 004's typo leaves a footprint: the engine configured by hand (`config/access` exists)
//! and the roles missing, because every `vault write nomad/roles/NAME` got 404 and wrote
//! nothing. A role missing beside an existing `config/access` is planned with that said.

use anyhow::{Context, Result};

use crate::checks::Findings;
use crate::output::Ui;
use crate::steps::pipeline::Facts;
use crate::steps::{unified_diff, Plan, Step};
use crate::vault::nomad_engine::NomadRoleWrite;
use crate::vault::{NomadRole, VaultClient};

use super::{wrote, NomadEngineRole, NomadSecretsSpec};

pub struct RoleStep {
    mount: String,
    name: String,
    desired: NomadRoleWrite,
    facts: Facts,
    live: Option<Option<NomadRole>>,
    /// The role is missing but the engine's `config/access` exists (seed 004's footprint).
    missing_beside_access: bool,
    written: bool,
}

impl RoleStep {
    pub fn new(spec: &NomadSecretsSpec, role: &NomadEngineRole, facts: &Facts) -> RoleStep {
        RoleStep {
            mount: spec.mount.clone(),
            name: role.name.clone(),
            desired: NomadRoleWrite {
                policies: role.policies.clone(),
                token_type: role.token_type.clone(),
                global: role.global,
            },
            facts: facts.clone(),
            live: None,
            missing_beside_access: false,
            written: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/role/{}", self.mount, self.name)
    }
}

fn text(token_type: &str, policies: &[String], global: bool) -> String {
    format!(
        "type = {token_type}\npolicies = [{}]\nglobal = {global}\n",
        policies
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Why a role is missing on an engine configured by hand, most likely.
fn seed_typo(mount: &str, name: &str) -> String {
    format!(
        "{mount}/config/access exists but {mount}/role/{name} does not: a role written as seed \
         004 writes it (`vault write {mount}/roles/{name} …`) got 404 `unsupported path` from \
         Vault and was never created — seed 004's `roles/` is a typo; Vault's path is \
         {mount}/role/{name}, where nvctl writes it (nvctl's remark)"
    )
}

fn same(live: &NomadRole, desired: &NomadRoleWrite) -> bool {
    live.token_type == desired.token_type
        && live.policies == desired.policies
        && live.global == desired.global
}

impl Step for RoleStep {
    fn name(&self) -> &'static str {
        "nomad-role"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let live = client
            .observe_nomad_role(&self.mount, &self.name)
            .with_context(|| format!("cannot read {}", self.subject()))?;
        self.missing_beside_access = live.is_none()
            && client
                .read_nomad_access(&self.mount)
                .with_context(|| format!("cannot read {}/config/access", self.mount))?
                .is_some();
        self.live = Some(live);
        self.written = false;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        let d = &self.desired;
        match self.live.as_ref().and_then(Option::as_ref) {
            Some(live) if same(live, d) => {
                Plan::nothing(&subject, format!("Nomad engine role {:?}", self.name))
            }
            Some(live) => Plan::update(
                &subject,
                format!("Nomad engine role {:?} differs", self.name),
                unified_diff(
                    &text(&live.token_type, &live.policies, live.global),
                    &text(&d.token_type, &d.policies, d.global),
                    &subject,
                ),
            ),
            None => {
                let plan = Plan::create(
                    &subject,
                    format!(
                        "create the Nomad engine role {:?} ({} tokens{})",
                        self.name,
                        d.token_type,
                        if d.policies.is_empty() {
                            String::new()
                        } else {
                            format!(" with policies {}", d.policies.join(", "))
                        }
                    ),
                    serde_json::to_string_pretty(d).unwrap_or_default(),
                );
                if self.missing_beside_access {
                    plan.with_warning(seed_typo(&self.mount, &self.name))
                } else {
                    plan
                }
            }
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        for w in client
            .write_nomad_role(&self.mount, &self.name, &self.desired)
            .with_context(|| format!("cannot write {}", self.subject()))?
        {
            ui.warn(format!("Vault: {w}"));
        }
        self.written = true;
        wrote(&self.facts);
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.written {
            let live = client.read_nomad_role(&self.mount, &self.name)?;
            if !live.as_ref().is_some_and(|l| same(l, &self.desired)) {
                return Err(crate::exit::VaultFailure(format!(
                    "{} was written but reads back as {live:?}",
                    self.subject()
                ))
                .into());
            }
            self.live = Some(live);
        }
        Ok(Findings::new())
    }
}
