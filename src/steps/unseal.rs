//! Step 2: unseal every node. `sys/unseal` is never forwarded to the active node, so each
//! standby needs the shares too (vault-api.md §0 "Standby nodes", §2).
//!
//! Keys are checked locally (hex, else base64, of 16..33 bytes, as Vault decodes them) before
//! anything is sent, so a mistyped key never spends a node's unseal attempt. Nodes already
//! unsealed get nothing. The nodes are observed at the same time; with
//! [`UnsealStep::with_keys_together`] a threshold's worth of shares goes to a node at once.

use crate::steps::pipeline::joined;
use anyhow::{Context, Result};
use base64::Engine;
use serde::Serialize;

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::output::{Progress, Ui};
use crate::secret::UnsealKey;
use crate::vault::{SealStatus, VaultClient, VaultError};

use super::init::KeysAtHand;
use super::pipeline::Facts;
use super::{Plan, Step};

/// What the unseal step saw of every node, for the init step of the same pipeline (the seal
/// status of a node is asked once for both).
#[derive(Debug, Clone, Default)]
pub struct ObservedSeals(pub Vec<(String, SealStatus)>);

impl ObservedSeals {
    /// The status `address` answered.
    pub fn of(&self, address: &str) -> Option<&SealStatus> {
        self.0.iter().find(|(a, _)| a == address).map(|(_, s)| s)
    }
}

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
    /// Send a threshold's worth of shares to a node at once.
    together: bool,
    nodes: Vec<NodeUnseal>,
    /// Vault's whole answers behind `nodes[i].before` (seal type, version…).
    statuses: Vec<SealStatus>,
    /// In a pipeline after the init step: the keys it hands on, and where this step's
    /// observation goes for it.
    facts: Option<Facts>,
}

impl UnsealStep {
    /// Unseal (or, with `reset`, discard the progress of) every node in `addresses`.
    pub fn new(addresses: Vec<String>, keys: KeySource, reset: bool) -> UnsealStep {
        UnsealStep {
            addresses,
            keys,
            reset,
            together: false,
            nodes: Vec::new(),
            statuses: Vec::new(),
            facts: None,
        }
    }

    /// In a pipeline after the init step: its [`KeysAtHand`] unseal (keys from this run's
    /// init, or from an earlier run's init file), and this step's observation is handed to it
    /// as [`ObservedSeals`].
    pub fn sharing(mut self, facts: Facts) -> UnsealStep {
        self.facts = Some(facts);
        self
    }

    /// Sends a threshold's worth of shares to each node at once: one round trip instead of
    /// `t`. Shares do not depend on each other — Vault takes them one at a time under its
    /// state lock, ignores one it already has, and unseals at the threshold whatever the
    /// order (vault-api.md §2) — so only the answers' order changes. Any further keys follow
    /// one by one, only if those were not enough. (BENCHMARKS.md "Bootstrap": needed for the
    /// round-trip target.)
    pub fn with_keys_together(mut self) -> UnsealStep {
        self.together = true;
        self
    }

    /// Where the keys come from, when that is only known after observing (bootstrap reads
    /// the init file once it knows Vault is initialised).
    pub fn set_keys(&mut self, keys: KeySource) {
        self.keys = keys;
    }

    /// This run has just initialised Vault with `threshold` and holds its `keys`. The nodes,
    /// observed uninitialised before, are now initialised and sealed at 0 of `threshold`
    /// (the nodes of one cluster share its barrier), so unsealing goes ahead without asking
    /// Vault for a status it would only confirm.
    pub fn after_init(&mut self, keys: Vec<UnsealKey>, threshold: u32) {
        self.keys = KeySource::Given(keys);
        for node in &mut self.nodes {
            node.before = NodeState {
                initialized: true,
                sealed: true,
                progress: 0,
                threshold,
            };
        }
    }

    /// Per-node results, in address order (after `observe`; completed by `apply`/`verify`).
    pub fn nodes(&self) -> &[NodeUnseal] {
        &self.nodes
    }

    /// The seal status `observe` got from `address`.
    pub fn observed_seal(&self, address: &str) -> Option<&SealStatus> {
        self.nodes
            .iter()
            .zip(&self.statuses)
            .find(|(n, _)| n.address == address)
            .map(|(_, s)| s)
    }

    /// Whether any node is initialised and sealed (what `apply` would unseal).
    pub fn any_sealed(&self) -> bool {
        !self.pending().is_empty()
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
        if let Some(at_hand) = self.facts.as_ref().and_then(Facts::get::<KeysAtHand>) {
            if !at_hand.keys.is_empty() {
                validate_keys(&at_hand.keys, &at_hand.origin)?;
                self.keys = KeySource::Given(at_hand.keys.clone());
                return Ok(at_hand.keys);
            }
            if !ui.interactive {
                anyhow::bail!(
                    "Vault is sealed and no unseal keys are at hand{}: pass --init-output FILE \
                     pointing at the init file, or run `nvctl unseal --stdin` first",
                    match &at_hand.problem {
                        Some(problem) => format!(" ({problem})"),
                        None => String::new(),
                    }
                );
            }
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
        together: bool,
        ui: &Ui,
        entry: &mut NodeUnseal,
    ) -> Result<()> {
        let threshold = entry.before.threshold.max(1);
        let bar = Progress::bar(
            ui.progress,
            ui.quiet,
            u64::from(threshold),
            &format!("unsealing {}", entry.address),
        );
        bar.set_position(u64::from(entry.before.progress));
        // The first round: a threshold's worth at once, or one key; then one key a round.
        let batch = if together {
            (threshold as usize).min(keys.len())
        } else {
            keys.len().min(1)
        };
        let rounds = std::iter::once(&keys[..batch]).chain(keys[batch..].chunks(1));
        let mut last: Option<SealStatus> = None;
        for round in rounds {
            let status = match submit(node, round) {
                Ok(Some(status)) => status,
                Ok(None) => continue,
                Err(e) => {
                    bar.finish(&format!(
                        "{} {}: failed",
                        ui.paint("[✘]", "31"),
                        entry.address
                    ));
                    return Err(unseal_error(e, &entry.address));
                }
            };
            entry.keys_submitted += round.len() as u32;
            bar.set_position(u64::from(if status.sealed {
                status.progress
            } else {
                status.t
            }));
            let done = !status.sealed;
            entry.after = Some(NodeState::from(&status));
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

/// Submits `keys` to one node, all at the same time, and says where the node stands after
/// them: unsealed if any answer says so, else the answer with the most progress. One key is
/// simply sent.
/// `None` when `keys` is empty.
fn submit(node: &VaultClient, keys: &[UnsealKey]) -> Result<Option<SealStatus>, VaultError> {
    if let [key] = keys {
        return node.unseal(key).map(Some);
    }
    let answers: Vec<Result<SealStatus, VaultError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .iter()
            .map(|key| scope.spawn(move || node.unseal(key)))
            .collect();
        handles.into_iter().map(joined).collect()
    });
    let mut furthest: Option<SealStatus> = None;
    for answer in answers {
        let status = answer?;
        let further = furthest
            .as_ref()
            .is_none_or(|f| f.sealed && (!status.sealed || status.progress > f.progress));
        if further {
            furthest = Some(status);
        }
    }
    Ok(furthest)
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

    fn needs_token(&self) -> bool {
        false
    }

    fn reads_earlier_writes(&self) -> bool {
        // After the init step of the same run, the nodes are no longer uninitialised.
        true
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let initialized_now = self
            .facts
            .as_ref()
            .and_then(Facts::get::<KeysAtHand>)
            .filter(|k| !k.keys.is_empty())
            .and_then(|k| k.initialized_now_with.map(|t| (k.keys, t)));
        if let Some((keys, threshold)) = initialized_now.filter(|_| !self.nodes.is_empty()) {
            self.after_init(keys, threshold);
            return Ok(());
        }
        // Every node at the same time: the answers do not depend on each other.
        let answers: Vec<Result<SealStatus, VaultError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .addresses
                .iter()
                .map(|address| {
                    scope.spawn(move || {
                        client
                            .with_address(address)
                            .and_then(|node| node.seal_status())
                    })
                })
                .collect();
            handles.into_iter().map(joined).collect()
        });
        self.nodes.clear();
        self.statuses.clear();
        for (address, answer) in self.addresses.iter().zip(answers) {
            let status = answer?;
            self.nodes.push(NodeUnseal {
                address: address.clone(),
                before: NodeState::from(&status),
                after: None,
                keys_submitted: 0,
                error: None,
            });
            self.statuses.push(status);
        }
        if let Some(facts) = &self.facts {
            facts.put(ObservedSeals(
                self.addresses
                    .iter()
                    .cloned()
                    .zip(self.statuses.iter().cloned())
                    .collect(),
            ));
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
            return Plan::nothing(subject, summary)
                .with_in_place(format!("{summary} nothing sent."));
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
        let plan = Plan::create(subject, summary, body.join("\n"));
        if self.reset {
            plan.with_done("unseal progress discarded")
        } else {
            plan.with_done("every node unsealed")
                .blocking("Vault is sealed")
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let mut first_error: Option<anyhow::Error> = None;
        for entry in self.nodes.iter_mut().filter(|n| !n.before.initialized) {
            let message = format!(
                "{} is not initialized: run `nvctl init` first",
                entry.address
            );
            entry.after = Some(entry.before.clone());
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
        let (reset, together) = (self.reset, self.together);
        for i in pending {
            let entry = &mut self.nodes[i];
            let result = client
                .with_address(&entry.address)
                .map_err(anyhow::Error::new)
                .and_then(|node| {
                    if reset {
                        match node.unseal_reset() {
                            Ok(status) => {
                                entry.after = Some(NodeState::from(&status));
                                Ok(())
                            }
                            Err(e) => Err(anyhow::Error::new(e)
                                .context(format!("resetting {} failed", entry.address))),
                        }
                    } else {
                        UnsealStep::unseal_node(&node, &keys, together, ui, entry)
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

    fn verify(&mut self, _client: &VaultClient) -> Result<Findings> {
        // Nothing to read back: each node's last answer to sys/unseal (or, for a node sent
        // nothing, its observed status) is where it stands.
        let mut findings = Findings::new();
        for entry in &mut self.nodes {
            let status = entry.after.get_or_insert_with(|| entry.before.clone());
            if !self.reset && status.initialized && status.sealed {
                findings.push(
                    Finding::nvctl(
                        Severity::Error,
                        CHECK,
                        &entry.address,
                        format!("still sealed ({}/{})", status.progress, status.threshold),
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
    use crate::vault::{ClientConfig, InitRequest};
    use vault_sandbox::{Sandbox, SandboxHandle};

    fn client_of(sandbox: &SandboxHandle) -> VaultClient {
        VaultClient::new(ClientConfig::new(sandbox.addr())).unwrap()
    }

    fn sealed_5_of_3() -> (SandboxHandle, VaultClient, Vec<UnsealKey>) {
        let sandbox = Sandbox::builder().sealed(5, 3).start().unwrap();
        let client = client_of(&sandbox);
        let keys = sandbox
            .unseal_keys()
            .into_iter()
            .map(UnsealKey::new)
            .collect();
        (sandbox, client, keys)
    }

    fn sent(sandbox: &SandboxHandle, path: &str) -> usize {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.path == format!("/v1/{path}"))
            .count()
    }

    #[test]
    fn a_thresholds_worth_of_shares_sent_together_unseals_the_node() {
        // vault-api.md §2: shares are counted one at a time whatever their order.
        let (sandbox, client, keys) = sealed_5_of_3();
        let mut step = UnsealStep::new(vec![sandbox.addr()], KeySource::Given(keys), false)
            .with_keys_together();
        step.observe(&client).unwrap();
        step.apply(&client, &Ui::unattended()).unwrap();
        assert!(!client.seal_status().unwrap().sealed);
        assert_eq!(sent(&sandbox, "sys/unseal"), 3);
        assert_eq!(step.nodes()[0].keys_submitted, 3);
    }

    #[test]
    fn after_init_unseals_with_this_runs_keys_without_asking_for_the_status_again() {
        // vault-api.md §1: a Shamir-sealed node is still sealed after init, at 0 of t.
        let sandbox = Sandbox::builder().uninitialized().start().unwrap();
        let client = client_of(&sandbox);
        let mut step =
            UnsealStep::new(vec![sandbox.addr()], KeySource::Prompt, false).with_keys_together();
        step.observe(&client).unwrap();
        assert!(!step.nodes()[0].before.initialized);
        let answer = client.init(&InitRequest::shamir(5, 3)).unwrap();
        step.after_init(answer.keys_base64, 3);
        step.apply(&client, &Ui::unattended()).unwrap();
        assert!(!client.seal_status().unwrap().sealed);
        assert_eq!(sent(&sandbox, "sys/unseal"), 3);
        // One status before init (the observation) and the one just above.
        assert_eq!(sent(&sandbox, "sys/seal-status"), 2);
    }

    #[test]
    fn a_share_already_counted_is_ignored_and_the_rest_complete_the_unseal() {
        // vault-api.md §2: the same share twice is ignored; resuming sends the first t again.
        let (sandbox, client, keys) = sealed_5_of_3();
        client.unseal(&keys[0]).unwrap();
        let mut step = UnsealStep::new(vec![sandbox.addr()], KeySource::Given(keys), false)
            .with_keys_together();
        step.observe(&client).unwrap();
        assert_eq!(step.nodes()[0].before.progress, 1);
        step.apply(&client, &Ui::unattended()).unwrap();
        assert!(!client.seal_status().unwrap().sealed);
    }

    #[test]
    fn a_wrong_share_among_those_sent_together_is_an_error_and_the_node_stays_sealed() {
        // vault-api.md §2: threshold reached with a wrong share → 500 or 400, progress reset.
        let (sandbox, client, mut keys) = sealed_5_of_3();
        let good = keys[2].expose().to_string();
        let flipped = if good.ends_with('0') { '1' } else { '0' };
        keys[2] = UnsealKey::new(format!("{}{flipped}", &good[..good.len() - 1]));
        let mut step = UnsealStep::new(vec![sandbox.addr()], KeySource::Given(keys), false)
            .with_keys_together();
        step.observe(&client).unwrap();
        let err = format!("{:#}", step.apply(&client, &Ui::unattended()).unwrap_err());
        assert!(err.contains("progress was reset"), "{err}");
        let status = client.seal_status().unwrap();
        assert!(status.sealed);
        assert_eq!(status.progress, 0);
    }

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
