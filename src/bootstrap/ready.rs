//! Getting Vault ready for the configuration steps: init (keys saved before anything is
//! printed) and unseal of every node, as `Step`s so bootstrap drives them like the others.
//!
//! These are bootstrap's own, minimal versions: `steps::init` / `steps::unseal` were still
//! being written when bootstrap was. They keep the same file format as `nvctl init`
//! (`vault operator init -format=json`) so the two can replace each other.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::checks::Findings;
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::secret::{SecretString, UnsealKey};
use crate::secret_file::PendingSecretFile;
use crate::steps::{Plan, Step};
use crate::vault::{InitRequest, SealStatus, VaultClient};

/// What the init file holds (the subset nvctl reads back).
#[derive(Deserialize, Default)]
#[serde(default)]
struct InitFile {
    unseal_keys_b64: Vec<String>,
    unseal_keys_hex: Vec<String>,
    root_token: String,
    /// A raw `sys/init` answer uses these names.
    keys_base64: Vec<String>,
    keys: Vec<String>,
}

/// The keys and root token read from an init file. Never printed.
pub struct SavedKeys {
    pub keys: Vec<UnsealKey>,
    pub root_token: Option<SecretString>,
}

/// Reads an init file written by `nvctl init`, `vault operator init -format=json`, or a raw
/// `sys/init` answer.
pub fn read_init_file(path: &Path) -> Result<SavedKeys> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the init file {}", path.display()))?;
    // serde_json's messages quote no input, so no key can leak through them.
    let file: InitFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an init file (JSON expected)", path.display()))?;
    let keys: Vec<UnsealKey> = [
        file.unseal_keys_b64,
        file.unseal_keys_hex,
        file.keys_base64,
        file.keys,
    ]
    .into_iter()
    .find(|k| !k.is_empty())
    .unwrap_or_default()
    .into_iter()
    .map(UnsealKey::new)
    .collect();
    let root_token = Some(SecretString::new(file.root_token)).filter(|t| !t.is_empty());
    Ok(SavedKeys { keys, root_token })
}

/// Step 1: `sys/init`, the answer saved to a 0600 file before anything else happens.
pub struct InitStage {
    shares: u32,
    threshold: u32,
    output: PathBuf,
    initialized: Option<bool>,
    saved: Option<SavedKeys>,
    written: Vec<String>,
}

impl InitStage {
    pub fn new(shares: u32, threshold: u32, output: PathBuf) -> InitStage {
        InitStage {
            shares,
            threshold,
            output,
            initialized: None,
            saved: None,
            written: Vec::new(),
        }
    }

    /// Whether the node was (or now is) initialised.
    pub fn is_initialized(&self) -> bool {
        self.initialized == Some(true)
    }

    /// The keys and root token this run obtained from `sys/init`.
    pub fn take_saved(&mut self) -> Option<SavedKeys> {
        self.saved.take()
    }
}

impl Step for InitStage {
    fn name(&self) -> &'static str {
        "init"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.initialized = Some(client.init_status()?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        if self.is_initialized() {
            return Plan::nothing("sys/init", "Vault initialisation");
        }
        Plan::create(
            "sys/init",
            format!(
                "initialise Vault with {} key shares, threshold {}",
                self.shares, self.threshold
            ),
            format!(
                "secret_shares = {}\nsecret_threshold = {}\nkeys and root token saved to {} (0600) before anything is printed",
                self.shares,
                self.threshold,
                self.output.display()
            ),
        )
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        // The file first: a place we cannot write fails before the keys exist.
        let pending = PendingSecretFile::create_new(&self.output)
            .context("refusing to initialise Vault: the init file cannot be created")?;
        let response = client
            .init(&InitRequest::shamir(self.shares, self.threshold))
            .map_err(|e| {
                if e.may_have_been_applied() {
                    anyhow::Error::new(e).context(
                        "the connection broke after sys/init was sent: if `nvctl status` now \
                         shows Vault initialised, its keys were lost with the answer and this \
                         Vault must be wiped and initialised again",
                    )
                } else {
                    e.into()
                }
            })?;
        let doc = serde_json::json!({
            "unseal_keys_b64": response.keys_base64.iter().map(UnsealKey::expose).collect::<Vec<_>>(),
            "unseal_keys_hex": response.keys.iter().map(UnsealKey::expose).collect::<Vec<_>>(),
            "unseal_shares": self.shares,
            "unseal_threshold": self.threshold,
            "recovery_keys_b64": response.recovery_keys_base64.iter().map(UnsealKey::expose).collect::<Vec<_>>(),
            "recovery_keys_hex": response.recovery_keys.iter().map(UnsealKey::expose).collect::<Vec<_>>(),
            "recovery_keys_shares": 0,
            "recovery_keys_threshold": 0,
            "root_token": response.root_token.expose(),
        });
        let text = serde_json::to_string_pretty(&doc).context("internal error: init file")?;
        pending
            .commit(format!("{text}\n").as_bytes())
            .with_context(|| {
                format!(
                    "Vault is initialised but its keys could not be saved to {}",
                    self.output.display()
                )
            })?;
        self.written.push(self.output.display().to_string());
        ui.warn(format!(
            "{} holds the unseal keys and the root token: Vault cannot be unsealed without them. \
             Distribute the keys to their holders and keep the file out of version control.",
            self.output.display()
        ));
        self.initialized = Some(true);
        self.saved = Some(SavedKeys {
            keys: if response.keys_base64.is_empty() {
                response.keys
            } else {
                response.keys_base64
            },
            root_token: Some(response.root_token).filter(|t| !t.is_empty()),
        });
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if !client.init_status()? {
            return Err(VaultFailure(
                "sys/init succeeded but Vault says it is not initialised".into(),
            )
            .into());
        }
        Ok(Findings::new())
    }

    fn written(&self) -> Vec<String> {
        self.written.clone()
    }
}

/// Where unseal keys come from, in order of preference.
pub enum KeySource {
    /// The answer of this run's init.
    InMemory(Vec<UnsealKey>),
    /// An init file on disk.
    File(PathBuf),
    /// None available: prompt on a terminal, else fail.
    Prompt,
}

/// Step 2: unseal every node (unseal is never forwarded: each node needs the shares).
pub struct UnsealStage {
    addresses: Vec<String>,
    keys: KeySource,
    /// Set by [`UnsealStage::after_init`]: a status observed before init says `t: 0`.
    threshold: Option<u32>,
    observed: Vec<(String, SealStatus)>,
}

impl UnsealStage {
    pub fn new(addresses: Vec<String>, keys: KeySource) -> UnsealStage {
        UnsealStage {
            addresses,
            keys,
            threshold: None,
            observed: Vec::new(),
        }
    }

    /// This run initialised Vault: unseal with its shares; `threshold` is the one init set.
    pub fn after_init(&mut self, keys: Vec<UnsealKey>, threshold: u32) {
        self.keys = KeySource::InMemory(keys);
        self.threshold = Some(threshold);
    }

    /// The threshold, when known: set by init, or seen on an initialised node.
    fn threshold(&self) -> Option<u32> {
        self.threshold.or_else(|| {
            self.observed
                .iter()
                .filter(|(_, s)| s.initialized)
                .map(|(_, s)| s.t)
                .max()
                .filter(|t| *t > 0)
        })
    }

    fn sealed(&self) -> Vec<&str> {
        self.observed
            .iter()
            .filter(|(_, s)| s.sealed)
            .map(|(a, _)| a.as_str())
            .collect()
    }

    fn keys(&self, ui: &Ui, threshold: u32) -> Result<Vec<UnsealKey>> {
        match &self.keys {
            KeySource::InMemory(keys) => Ok(keys.clone()),
            KeySource::File(path) => Ok(read_init_file(path)?.keys),
            KeySource::Prompt => {
                if !ui.interactive {
                    bail!(
                        "Vault is sealed and no unseal keys are at hand: pass --init-output FILE \
                         pointing at the init file, or run `nvctl unseal --stdin` first"
                    );
                }
                (0..threshold.max(1))
                    .map(|i| {
                        ui.ask_secret(&format!("Unseal key {} of {threshold}", i + 1))
                            .map(UnsealKey::from)
                    })
                    .collect()
            }
        }
    }
}

/// Submits `keys` to one node at the same time and says where the node stands after all of
/// them: unsealed if any answer says so, else the answer with the most progress.
fn unseal_together(node: &VaultClient, keys: &[UnsealKey]) -> Result<SealStatus> {
    let answers: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = keys
            .iter()
            .map(|key| scope.spawn(move || node.unseal(key)))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(answer) => answer,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let mut last: Option<SealStatus> = None;
    for answer in answers {
        let status = answer?;
        let further = last
            .as_ref()
            .is_none_or(|l| l.sealed && (!status.sealed || status.progress > l.progress));
        if further {
            last = Some(status);
        }
    }
    last.context("internal error: no unseal key submitted")
}

impl Step for UnsealStage {
    fn name(&self) -> &'static str {
        "unseal"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let statuses: Vec<Result<SealStatus>> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .addresses
                .iter()
                .map(|a| {
                    scope.spawn(move || -> Result<SealStatus> {
                        Ok(client.with_address(a)?.seal_status()?)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| bail!("internal error: seal-status thread"))
                })
                .collect()
        });
        self.observed = self
            .addresses
            .iter()
            .cloned()
            .zip(statuses)
            .map(|(a, s)| s.map(|s| (a, s)))
            .collect::<Result<_>>()?;
        Ok(())
    }

    fn plan(&self) -> Plan {
        let sealed = self.sealed();
        if sealed.is_empty() {
            return Plan::nothing(
                "sys/unseal",
                format!("unsealed state of {} node(s)", self.observed.len()),
            );
        }
        Plan::create(
            "sys/unseal",
            format!("unseal {}", sealed.join(", ")),
            format!(
                "shares from {}",
                match &self.keys {
                    KeySource::InMemory(_) => "this run's init".to_string(),
                    KeySource::File(p) => p.display().to_string(),
                    KeySource::Prompt => "a prompt".to_string(),
                }
            ),
        )
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let threshold = self.threshold();
        let keys = self.keys(ui, threshold.unwrap_or(1))?;
        if keys.is_empty() {
            bail!("the init file holds no unseal keys");
        }
        // Shares do not depend on each other: Vault takes them one at a time under its state
        // lock, ignores one it already has, and unseals at the threshold whatever the order.
        // So a threshold's worth go out together (one round trip, not t); any further keys
        // follow one by one only if those were not enough.
        let batch = threshold.map_or(1, |t| t as usize).clamp(1, keys.len());
        for address in self
            .sealed()
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
        {
            let node = client.with_address(&address)?;
            let mut status = unseal_together(&node, &keys[..batch])
                .with_context(|| format!("unseal of {address} failed (wrong key?)"))?;
            for key in &keys[batch..] {
                if !status.sealed {
                    break;
                }
                status = node
                    .unseal(key)
                    .with_context(|| format!("unseal of {address} failed (wrong key?)"))?;
            }
            if status.sealed {
                bail!(
                    "{address} is still sealed after {} key(s) (progress {}/{})",
                    keys.len(),
                    status.progress,
                    status.t
                );
            }
            ui.detail(format!("{address} unsealed"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        self.observe(client)?;
        if let Some(node) = self.sealed().first() {
            return Err(VaultFailure(format!("{node} is still sealed")).into());
        }
        Ok(Findings::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::ClientConfig;
    use vault_sandbox::{Sandbox, SandboxHandle};

    fn quiet() -> Ui {
        Ui {
            quiet: true,
            verbose: 0,
            color: false,
            interactive: false,
            progress: false,
            yes: true,
            show_secrets: false,
        }
    }

    fn sealed_5_of_3() -> (SandboxHandle, VaultClient, Vec<UnsealKey>) {
        let sandbox = Sandbox::builder().sealed(5, 3).start().unwrap();
        let client = VaultClient::new(ClientConfig::new(sandbox.addr())).unwrap();
        let keys = sandbox
            .unseal_keys()
            .into_iter()
            .map(UnsealKey::new)
            .collect();
        (sandbox, client, keys)
    }

    fn unseals_sent(sandbox: &SandboxHandle) -> usize {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/sys/unseal")
            .count()
    }

    #[test]
    fn a_thresholds_worth_of_shares_sent_together_unseals_the_node() {
        // vault-api.md §2: shares are counted one at a time whatever their order.
        let (sandbox, client, keys) = sealed_5_of_3();
        let mut stage = UnsealStage::new(vec![sandbox.addr()], KeySource::Prompt);
        stage.after_init(keys, 3);
        stage.observe(&client).unwrap();
        stage.apply(&client, &quiet()).unwrap();
        assert!(!client.seal_status().unwrap().sealed);
        assert_eq!(unseals_sent(&sandbox), 3);
    }

    #[test]
    fn a_share_already_counted_is_ignored_and_the_rest_complete_the_unseal() {
        // vault-api.md §2: the same share twice is ignored; resuming sends the first t again.
        let (sandbox, client, keys) = sealed_5_of_3();
        client.unseal(&keys[0]).unwrap();
        let mut stage = UnsealStage::new(vec![sandbox.addr()], KeySource::InMemory(keys));
        stage.observe(&client).unwrap();
        assert_eq!(stage.threshold(), Some(3));
        stage.apply(&client, &quiet()).unwrap();
        assert!(!client.seal_status().unwrap().sealed);
    }

    #[test]
    fn a_wrong_share_among_those_sent_together_is_an_error_and_the_node_stays_sealed() {
        // vault-api.md §2: threshold reached with a wrong share → 500 or 400, progress reset.
        let (sandbox, client, mut keys) = sealed_5_of_3();
        let good = keys[2].expose().to_string();
        let flipped = if good.ends_with('0') { '1' } else { '0' };
        keys[2] = UnsealKey::new(format!("{}{flipped}", &good[..good.len() - 1]));
        let mut stage = UnsealStage::new(vec![sandbox.addr()], KeySource::InMemory(keys));
        stage.observe(&client).unwrap();
        assert!(stage.apply(&client, &quiet()).is_err());
        let status = client.seal_status().unwrap();
        assert!(status.sealed);
        assert_eq!(status.progress, 0);
    }
}
