//! Step 2: unseal every node. `sys/unseal` is never forwarded to the active node, so each
//! standby needs the shares too (vault-api.md §0 "Standby nodes", §2).
//!
//! Keys are checked locally (hex, else base64, of 16..33 bytes, as Vault decodes them) before
//! anything is sent, so a mistyped key never spends a node's unseal attempt. Nodes already
//! unsealed get nothing.

use anyhow::{Context, Result};
use base64::Engine;
use serde::Serialize;

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::output::{Progress, Ui};
use crate::secret::UnsealKey;
use crate::vault::{SealStatus, VaultClient, VaultError};

use super::{Plan, Step};

const CHECK: &str = "unseal";

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Already read (init file, stdin, or an earlier step), already validated.
    Given(Vec<UnsealKey>),
    /// Asked on the terminal, hidden, as many as the nodes' threshold.
    Prompt,
}

/// Checks one key the way Vault decodes it (hex first, else base64; 16..33 bytes), with
/// Vault's words. Never includes the key in the message.
pub fn validate_key(key: &UnsealKey) -> Result<()> {
    let text = key.expose();
    if text.is_empty() {
        anyhow::bail!("the key is empty");
    }
    let bytes = match hex::decode(text) {
        Ok(bytes) => bytes,
        Err(_) => match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) => bytes,
            Err(_) => anyhow::bail!("'key' must be a valid hex or base64 string"),
        },
    };
    if bytes.len() < 16 {
        anyhow::bail!("invalid key: key is shorter than minimum 16 bytes");
    }
    if bytes.len() > 33 {
        anyhow::bail!(
            "invalid key: key is longer than maximum 33 bytes (a PGP-encrypted share? decrypt it \
             first, e.g. `base64 -d | gpg -dq`)"
        );
    }
    Ok(())
}

/// Validates every key, naming which one (1-based) and where it came from.
pub fn validate_keys(keys: &[UnsealKey], origin: &str) -> Result<()> {
    for (i, key) in keys.iter().enumerate() {
        validate_key(key)
            .with_context(|| format!("unseal key {} from {origin} is malformed", i + 1))?;
    }
    Ok(())
}

/// One node's seal state, as shown in the result table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NodeState {
    pub initialized: bool,
    pub sealed: bool,
    pub progress: u32,
    pub threshold: u32,
}

impl From<&SealStatus> for NodeState {
    fn from(s: &SealStatus) -> Self {
        NodeState {
            initialized: s.initialized,
            sealed: s.sealed,
            progress: s.progress,
            threshold: s.t,
        }
    }
}

impl NodeState {
    /// `unsealed`, `sealed (1/3)`, `not initialized`.
    pub fn describe(&self) -> String {
        if !self.initialized {
            "not initialized".into()
        } else if !self.sealed {
            "unsealed".into()
        } else {
            format!("sealed ({}/{})", self.progress, self.threshold)
        }
    }
}

/// What happened on one node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeUnseal {
    pub address: String,
    pub before: NodeState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<NodeState>,
    /// Shares sent to this node by this run.
    pub keys_submitted: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl NodeUnseal {
    /// Sealed and initialised: unsealing (or `--reset`) applies. Already unsealed nodes get
    /// nothing; uninitialised ones are reported, not sent anything.
    fn needs_work(&self) -> bool {
        self.before.initialized && self.before.sealed
    }
}

pub struct UnsealStep {
    addresses: Vec<String>,
    keys: KeySource,
    reset: bool,
    nodes: Vec<NodeUnseal>,
}

impl UnsealStep {
    /// Unseal (or, with `reset`, discard the progress of) every node in `addresses`.
    pub fn new(addresses: Vec<String>, keys: KeySource, reset: bool) -> UnsealStep {
        UnsealStep {
            addresses,
            keys,
            reset,
            nodes: Vec::new(),
        }
    }

    /// Per-node results, in address order (after `observe`; completed by `apply`/`verify`).
    pub fn nodes(&self) -> &[NodeUnseal] {
        &self.nodes
    }

    fn pending(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].needs_work())
            .collect()
    }

    /// Resolves the keys, prompting when asked to (once for all nodes: they share the keys).
    fn keys(&mut self, ui: &Ui, needed: u32) -> Result<Vec<UnsealKey>> {
        if let KeySource::Given(keys) = &self.keys {
            return Ok(keys.clone());
        }
        let mut keys = Vec::new();
        for i in 1..=needed {
            let key = UnsealKey::from(ui.ask_secret(&format!("Unseal key {i} of {needed}"))?);
            validate_key(&key).with_context(|| format!("unseal key {i} is malformed"))?;
            keys.push(key);
        }
        self.keys = KeySource::Given(keys.clone());
        Ok(keys)
    }

    fn unseal_node(
        node: &VaultClient,
        keys: &[UnsealKey],
        ui: &Ui,
        entry: &mut NodeUnseal,
    ) -> Result<()> {
        let threshold = u64::from(entry.before.threshold.max(1));
        let bar = Progress::bar(
            ui.progress,
            ui.quiet,
            threshold,
            &format!("unsealing {}", entry.address),
        );
        bar.set_position(u64::from(entry.before.progress));
        let mut last: Option<SealStatus> = None;
        for key in keys {
            let status = match node.unseal(key) {
                Ok(status) => status,
                Err(e) => {
                    bar.finish(&format!(
                        "{} {}: failed",
                        ui.paint("[✘]", "31"),
                        entry.address
                    ));
                    return Err(unseal_error(e, &entry.address));
                }
            };
            entry.keys_submitted += 1;
            bar.set_position(u64::from(if status.sealed {
                status.progress
            } else {
                status.t
            }));
            let done = !status.sealed;
            last = Some(status);
            if done {
                break;
            }
        }
        match last {
            Some(status) if !status.sealed => {
                bar.finish(&format!(
                    "{} {} unsealed ({} key(s) sent)",
                    ui.paint("[✔]", "32"),
                    entry.address,
                    entry.keys_submitted
                ));
                Ok(())
            }
            Some(status) => {
                bar.finish(&format!(
                    "{} {}: still sealed",
                    ui.paint("[✘]", "31"),
                    entry.address
                ));
                anyhow::bail!(
                    "{} is still sealed after {} key(s): progress {}/{} — give {} more distinct key(s) \
                     (the init file holds them; a key submitted twice does not count)",
                    entry.address,
                    entry.keys_submitted,
                    status.progress,
                    status.t,
                    status.t.saturating_sub(status.progress)
                )
            }
            None => {
                bar.finish(&format!(
                    "{} {}: no keys",
                    ui.paint("[✘]", "31"),
                    entry.address
                ));
                anyhow::bail!(
                    "no unseal keys to send to {} (an auto-unseal Vault's init file holds only \
                     recovery keys, which do not unseal)",
                    entry.address
                )
            }
        }
    }
}

/// Maps a failed `sys/unseal`: a 400/500 at the threshold means the combined key was wrong.
fn unseal_error(e: VaultError, address: &str) -> anyhow::Error {
    let not_initialized = e.errors().iter().any(|m| m.contains("not initialized"));
    match e.status() {
        Some(400) if not_initialized => anyhow::Error::new(e).context(format!(
            "{address} is not initialized: run `nvctl init` first"
        )),
        Some(400) | Some(500) => anyhow::Error::new(e).context(format!(
            "{address} rejected the unseal keys and its progress was reset: the keys do not \
             belong to this Vault (or one of them is wrong); check the init file and try again"
        )),
        _ => anyhow::Error::new(e).context(format!("unsealing {address} failed")),
    }
}

impl Step for UnsealStep {
    fn name(&self) -> &'static str {
        "unseal"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.nodes.clear();
        for address in &self.addresses {
            let status = client
                .with_address(address)
                .and_then(|node| node.seal_status())?;
            self.nodes.push(NodeUnseal {
                address: address.clone(),
                before: NodeState::from(&status),
                after: None,
                keys_submitted: 0,
                error: None,
            });
        }
        Ok(())
    }

    fn plan(&self) -> Plan {
        let pending = self.pending();
        let subject = "sys/unseal".to_string();
        let uninitialized: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| !n.before.initialized)
            .map(|n| n.address.as_str())
            .collect();
        if pending.is_empty() && uninitialized.is_empty() {
            let summary = if self.reset {
                "no sealed node to reset: Vault unsealed on every node —"
            } else {
                "Vault unsealed on every node:"
            };
            return Plan::nothing(subject, summary);
        }
        let mut body: Vec<String> = pending
            .iter()
            .map(|&i| {
                format!(
                    "{}: {}",
                    self.nodes[i].address,
                    self.nodes[i].before.describe()
                )
            })
            .collect();
        body.extend(
            uninitialized
                .iter()
                .map(|a| format!("{a}: not initialized")),
        );
        let summary = if self.reset {
            format!("discard the unseal progress of {} node(s)", pending.len())
        } else {
            format!("unseal {} node(s)", pending.len() + uninitialized.len())
        };
        Plan::create(subject, summary, body.join("\n"))
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let mut first_error: Option<anyhow::Error> = None;
        for entry in self.nodes.iter_mut().filter(|n| !n.before.initialized) {
            let message = format!(
                "{} is not initialized: run `nvctl init` first",
                entry.address
            );
            ui.failed(&message);
            entry.error = Some(message.clone());
            first_error.get_or_insert_with(|| anyhow::Error::new(VaultFailure(message)));
        }
        let pending = self.pending();
        let keys = if self.reset || pending.is_empty() {
            Vec::new()
        } else {
            let needed = pending
                .iter()
                .map(|&i| self.nodes[i].before.threshold)
                .max()
                .unwrap_or(1);
            self.keys(ui, needed)?
        };
        let reset = self.reset;
        for i in pending {
            let entry = &mut self.nodes[i];
            let result = client
                .with_address(&entry.address)
                .map_err(anyhow::Error::new)
                .and_then(|node| {
                    if reset {
                        node.unseal_reset().map(drop).map_err(|e| {
                            anyhow::Error::new(e)
                                .context(format!("resetting {} failed", entry.address))
                        })
                    } else {
                        UnsealStep::unseal_node(&node, &keys, ui, entry)
                    }
                });
            if let Err(e) = result {
                entry.error = Some(format!("{e:#}"));
                first_error.get_or_insert(e);
            } else if reset {
                ui.done(format!("{}: unseal progress discarded", entry.address));
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        for entry in &mut self.nodes {
            let status = match client
                .with_address(&entry.address)
                .and_then(|n| n.seal_status())
            {
                Ok(status) => status,
                Err(e) => {
                    findings.push(Finding::vault(
                        Severity::Error,
                        CHECK,
                        &entry.address,
                        e.to_string(),
                    ));
                    continue;
                }
            };
            entry.after = Some(NodeState::from(&status));
            if !self.reset && status.sealed {
                findings.push(
                    Finding::nvctl(
                        Severity::Error,
                        CHECK,
                        &entry.address,
                        format!("still sealed ({}/{})", status.progress, status.t),
                    )
                    .with_remedy("run `nvctl unseal` with the keys from the init file"),
                );
            }
        }
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_as_vault_decodes_them() {
        let hex33 = "ab".repeat(33);
        let b64_33 = base64::engine::general_purpose::STANDARD.encode([7u8; 33]);
        assert!(validate_key(&UnsealKey::new(hex33)).is_ok());
        assert!(validate_key(&UnsealKey::new(b64_33)).is_ok());
        assert!(
            validate_key(&UnsealKey::new("ab".repeat(32))).is_ok(),
            "1/1 key: 32 bytes"
        );
        let err = |k: &str| validate_key(&UnsealKey::new(k)).unwrap_err().to_string();
        assert_eq!(
            err("not a key!"),
            "'key' must be a valid hex or base64 string"
        );
        assert_eq!(
            err("abcd"),
            "invalid key: key is shorter than minimum 16 bytes"
        );
        assert!(
            err(&"ab".repeat(40)).starts_with("invalid key: key is longer than maximum 33 bytes")
        );
    }

    #[test]
    fn a_malformed_key_is_named_by_position_never_by_value() {
        let secret = "zz-secret-but-malformed";
        let keys = vec![UnsealKey::new("ab".repeat(33)), UnsealKey::new(secret)];
        let err = format!("{:#}", validate_keys(&keys, "stdin").unwrap_err());
        assert!(err.contains("unseal key 2 from stdin"), "{err}");
        assert!(!err.contains(secret), "{err}");
    }
}
