//! `<mount>/config/lease` (vault-api-engines.md §5.2): the TTL and max TTL of the leases
//! Vault puts on the tokens it mints. Vault overwrites both on every write (an absent one
//! becomes 0, the mount's default), so both are always sent.

use anyhow::{Context, Result};

use crate::checks::Findings;
use crate::output::Ui;
use crate::steps::pipeline::Facts;
use crate::steps::{unified_diff, Plan, Step};
use crate::vault::nomad_engine::NomadLease;
use crate::vault::VaultClient;

use super::{wrote, NomadSecretsSpec};

pub struct LeaseStep {
    mount: String,
    desired: NomadLease,
    facts: Facts,
    live: Option<Option<NomadLease>>,
    written: bool,
}

impl LeaseStep {
    pub fn new(spec: &NomadSecretsSpec, facts: &Facts) -> LeaseStep {
        let (ttl, max_ttl) = spec.lease.unwrap_or_default();
        LeaseStep {
            mount: spec.mount.clone(),
            desired: NomadLease { ttl, max_ttl },
            facts: facts.clone(),
            live: None,
            written: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/config/lease", self.mount)
    }
}

fn text(lease: &NomadLease) -> String {
    format!("ttl = {}\nmax_ttl = {}\n", lease.ttl, lease.max_ttl)
}

impl Step for LeaseStep {
    fn name(&self) -> &'static str {
        "nomad-lease"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(
            client
                .read_nomad_lease(&self.mount)
                .with_context(|| format!("cannot read {}", self.subject()))?,
        );
        self.written = false;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        match self.live.as_ref().and_then(Option::as_ref) {
            Some(live) if *live == self.desired => Plan::nothing(
                &subject,
                format!(
                    "{subject} (ttl {}s, max_ttl {}s)",
                    self.desired.ttl, self.desired.max_ttl
                ),
            ),
            Some(live) => Plan::update(
                &subject,
                format!("{subject} differs"),
                unified_diff(&text(live), &text(&self.desired), &subject),
            ),
            None => Plan::create(
                &subject,
                format!(
                    "set the leases of minted Nomad tokens: ttl {}s, max_ttl {}s",
                    self.desired.ttl, self.desired.max_ttl
                ),
                serde_json::to_string_pretty(&self.desired).unwrap_or_default(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        for w in client
            .write_nomad_lease(&self.mount, &self.desired)
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
            let live = client.read_nomad_lease(&self.mount)?;
            if live != Some(self.desired) {
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
