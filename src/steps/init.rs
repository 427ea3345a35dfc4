//! Step 1: `sys/init` — the one moment the unseal keys and the root token exist.
//!
//! The order is what keeps them from being lost: the 0600 temporary file beside the init file
//! is created *before* `sys/init` is sent, so an unwritable place fails while Vault is still
//! untouched; Vault's answer is written, fsync'd and renamed into place before anything is
//! printed; and if writing fails anyway, the keys go to stderr with a loud warning (exit 2).
//! An initialised Vault is never initialised again: the step then only loads the keys from an
//! existing init file, so later steps (`unseal`, `bootstrap`) can use them.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::checks::{Finding, Findings, Severity};
use crate::initfile::InitFile;
use crate::output::Ui;
use crate::secret::{SecretString, UnsealKey};
use crate::secret_once::{diagnose_missing, OnceSecret, Sent};
use crate::vault::{InitRequest, InitResponse, SealStatus, VaultClient};

use super::pipeline::{Facts, SessionToken};
use super::unseal::ObservedSeals;
use super::{Plan, Step};

/// What the init step hands the unseal step: the keys at hand for unsealing.
#[derive(Debug, Clone, Default)]
pub struct KeysAtHand {
    /// The unseal keys (empty: none at hand, auto-unseal, or PGP-encrypted).
    pub keys: Vec<UnsealKey>,
    /// Where they came from, for messages (the init file's path).
    pub origin: String,
    /// Set when this run initialised Vault with this threshold: every node of the cluster is
    /// now sealed at 0 of it, so the unseal step need not ask.
    pub initialized_now_with: Option<u32>,
    /// Why an existing init file could not be used.
    pub problem: Option<String>,
}

const CHECK: &str = "init";

/// What to initialise with.
#[derive(Debug, Clone)]
pub struct InitSpec {
    /// Key shares (recovery shares on an auto-unseal Vault).
    pub shares: u32,
    /// Shares needed (recovery threshold on an auto-unseal Vault).
    pub threshold: u32,
    /// Base64 PGP public keys, one per share.
    pub pgp_keys: Vec<String>,
    /// Base64 PGP public key for the root token.
    pub root_token_pgp_key: Option<String>,
    /// The init file; must not exist when Vault is initialised by this step.
    pub output: PathBuf,
}

/// One of Vault's objections to a seal configuration (vault/seal_config.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealProblem {
    SharesBelowOne,
    ThresholdBelowOne,
    ThresholdOneForManyShares,
    SharesAbove255,
    ThresholdAbove255,
    ThresholdAboveShares,
    PgpKeyCount,
}

impl SealProblem {
    /// Vault's words.
    pub fn words(self) -> &'static str {
        match self {
            SealProblem::SharesBelowOne => "shares must be at least one",
            SealProblem::ThresholdBelowOne => "threshold must be at least one",
            SealProblem::ThresholdOneForManyShares => {
                "threshold must be greater than one for multiple shares"
            }
            SealProblem::SharesAbove255 => "shares must be less than 256",
            SealProblem::ThresholdAbove255 => "threshold must be less than 256",
            SealProblem::ThresholdAboveShares => "threshold cannot be larger than shares",
            SealProblem::PgpKeyCount => {
                "count mismatch between number of provided PGP keys and number of shares"
            }
        }
    }

    /// Whether the threshold is the setting to change (else the shares, or the PGP keys).
    pub fn is_about_threshold(self) -> bool {
        matches!(
            self,
            SealProblem::ThresholdBelowOne
                | SealProblem::ThresholdOneForManyShares
                | SealProblem::ThresholdAbove255
                | SealProblem::ThresholdAboveShares
        )
    }
}

impl InitSpec {
    /// Vault's own checks of a seal configuration (vault/seal_config.go), in Vault's order, with
    /// Vault's words after `invalid seal configuration: ` (`invalid recovery configuration: `
    /// for recovery keys). Run before anything is sent.
    pub fn validate(&self, recovery: bool) -> Result<()> {
        match self.seal_problem() {
            Some(problem) => anyhow::bail!(
                "invalid {} configuration: {}",
                if recovery { "recovery" } else { "seal" },
                problem.words()
            ),
            None => Ok(()),
        }
    }

    /// The first of Vault's objections to this seal configuration, in Vault's order
    /// (vault/seal_config.go `SealConfig.Validate`).
    pub fn seal_problem(&self) -> Option<SealProblem> {
        if self.shares < 1 {
            Some(SealProblem::SharesBelowOne)
        } else if self.threshold < 1 {
            Some(SealProblem::ThresholdBelowOne)
        } else if self.shares > 1 && self.threshold == 1 {
            Some(SealProblem::ThresholdOneForManyShares)
        } else if self.shares > 255 {
            Some(SealProblem::SharesAbove255)
        } else if self.threshold > 255 {
            Some(SealProblem::ThresholdAbove255)
        } else if self.threshold > self.shares {
            Some(SealProblem::ThresholdAboveShares)
        } else if !self.pgp_keys.is_empty() && self.pgp_keys.len() != self.shares as usize {
            Some(SealProblem::PgpKeyCount)
        } else {
            None
        }
    }

    /// A remark on a valid but weak split (1/1), shown before init is sent.
    pub fn weak_split_warning(&self) -> Option<&'static str> {
        (self.shares == 1 && self.threshold == 1).then_some(
            "a single key share (1/1): whoever holds it can unseal Vault alone; 5 shares with a \
             threshold of 3 is the usual choice",
        )
    }

    /// The `sys/init` body: `secret_*` for a Shamir seal, `recovery_*` for auto-unseal.
    pub fn request(&self, recovery: bool) -> InitRequest {
        if recovery {
            InitRequest {
                recovery_shares: Some(self.shares),
                recovery_threshold: Some(self.threshold),
                recovery_pgp_keys: self.pgp_keys.clone(),
                root_token_pgp_key: self.root_token_pgp_key.clone(),
                ..InitRequest::default()
            }
        } else {
            InitRequest {
                pgp_keys: self.pgp_keys.clone(),
                root_token_pgp_key: self.root_token_pgp_key.clone(),
                ..InitRequest::shamir(self.shares, self.threshold)
            }
        }
    }
}

/// Reads PGP public key files (base64 text, as `vault operator init -pgp-keys` takes them).
pub fn read_pgp_key(path: &Path) -> Result<String> {
    let text = crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)
        .with_context(|| format!("cannot read the PGP key file {}", path.display()))?;
    let key: String = text.split_whitespace().collect();
    if key.is_empty() {
        anyhow::bail!("the PGP key file {} is empty", path.display());
    }
    use base64::Engine;
    if base64::engine::general_purpose::STANDARD
        .decode(key.as_bytes())
        .is_err()
    {
        anyhow::bail!(
            "the PGP key file {} is not base64: export the public key with `gpg --export KEYID | base64`",
            path.display()
        );
    }
    Ok(key)
}

/// `PUT sys/init` as a secret that exists once: its answer holds the unseal keys and the root
/// token, kept in `output` by [`crate::secret_once`]'s rules.
fn vault_init_secret(client: &VaultClient, output: &Path) -> OnceSecret {
    OnceSecret {
        request: "PUT sys/init".into(),
        server: client.address().to_owned(),
        effect: "Vault was initialised".into(),
        holds: "the unseal keys and the root token".into(),
        plural: true,
        if_lost: "nothing can recover them: this Vault must be wiped (stop it, remove its \
                  storage) and initialised again with `nvctl init`"
            .into(),
        check: "Check with `nvctl status`".into(),
        if_acted: "if it says initialized".into(),
        bound: client.timeout(),
        target: output.to_path_buf(),
    }
}

/// What the step saw on the node.
#[derive(Debug, Clone)]
struct Observed {
    address: String,
    initialized: bool,
    /// `None` when the unseal step of the same pipeline asked (see [`InitStep::sharing`]).
    seal: Option<SealStatus>,
}

/// Auto-unseal: recovery keys instead of unseal keys.
fn recovery(seal: &SealStatus) -> bool {
    seal.recovery_seal || (!seal.seal_type.is_empty() && seal.seal_type != "shamir")
}

pub struct InitStep {
    spec: InitSpec,
    observed: Option<Observed>,
    /// The keys: from this step's `sys/init`, or loaded from an existing init file.
    file: Option<InitFile>,
    /// Whether `file` came from this run's `sys/init`.
    initialized_now: bool,
    /// Why an existing init file could not be loaded.
    load_problem: Option<String>,
    /// What an earlier run left beside a missing init file says: the keys are lost, or kept
    /// raw.
    keys_lost: Option<String>,
    written: Vec<String>,
    /// In a pipeline: the unseal step's observation of the node (so the seal status is asked
    /// once for both steps), and where the keys and root token are handed on.
    facts: Option<Facts>,
}

impl InitStep {
    pub fn new(spec: InitSpec) -> InitStep {
        InitStep {
            spec,
            observed: None,
            file: None,
            initialized_now: false,
            load_problem: None,
            keys_lost: None,
            written: Vec::new(),
            facts: None,
        }
    }

    /// In a pipeline with the unseal step: the node's seal status comes from the unseal
    /// step's observation (asked once for both), and the keys and the root token are handed
    /// on as facts ([`KeysAtHand`], [`SessionToken`]).
    pub fn sharing(mut self, facts: Facts) -> InitStep {
        self.facts = Some(facts);
        self
    }

    pub fn spec(&self) -> &InitSpec {
        &self.spec
    }

    /// Loads the keys and root token from an existing init file (e.g. a re-run of bootstrap).
    pub fn load(&mut self, path: &Path) -> Result<()> {
        self.file = Some(InitFile::read(path)?);
        Ok(())
    }

    /// Whether Vault was already initialised when observed.
    pub fn was_initialized(&self) -> bool {
        self.observed.as_ref().is_some_and(|o| o.initialized)
    }

    /// Whether this run initialised Vault.
    pub fn initialized_now(&self) -> bool {
        self.initialized_now
    }

    /// Whether the node has an auto-unseal seal (recovery keys).
    pub fn is_recovery(&self) -> bool {
        self.observed_seal().is_some_and(|seal| recovery(&seal))
    }

    /// The seal status observed before init.
    pub fn observed_seal(&self) -> Option<SealStatus> {
        let observed = self.observed.as_ref()?;
        match (&observed.seal, &self.facts) {
            (Some(seal), _) => Some(seal.clone()),
            (None, Some(facts)) => facts
                .get::<ObservedSeals>()
                .and_then(|seals| seals.of(&observed.address).cloned()),
            (None, None) => None,
        }
    }

    /// The init file's contents, from this run or loaded.
    pub fn init_file(&self) -> Option<&InitFile> {
        self.file.as_ref()
    }

    /// The root token obtained (or loaded); `None` when it is PGP-encrypted or unknown.
    pub fn root_token(&self) -> Option<&SecretString> {
        if self.initialized_now && self.spec.root_token_pgp_key.is_some() {
            return None;
        }
        self.file
            .as_ref()
            .map(|f| &f.root_token)
            .filter(|t| !t.is_empty())
    }

    /// The keys that unseal (threshold count); empty when PGP-encrypted, auto-unseal, or unknown.
    pub fn unseal_keys(&self) -> Vec<UnsealKey> {
        if self.initialized_now && !self.spec.pgp_keys.is_empty() {
            return Vec::new();
        }
        self.file
            .as_ref()
            .map(InitFile::unseal_keys)
            .unwrap_or_default()
    }

    /// When Vault is initialised, the init file is missing and an earlier run left word of
    /// why: the sentence to tell the operator.
    pub fn keys_lost(&self) -> Option<&str> {
        self.keys_lost.as_deref()
    }

    /// Why an existing init file could not be loaded, if it could not.
    pub fn load_problem(&self) -> Option<&str> {
        self.load_problem.as_deref()
    }

    /// What `observe` does once Vault has answered. Loads an existing init file when Vault
    /// is initialised, and hands its keys on.
    fn record(&mut self, address: &str, initialized: bool, seal: Option<SealStatus>) {
        self.observed = Some(Observed {
            address: address.to_string(),
            initialized,
            seal,
        });
        self.load_problem = None;
        if initialized && self.file.is_none() && !self.spec.output.exists() {
            // No file, but an earlier run may have left word of what became of the answer.
            self.keys_lost = diagnose_missing(&self.spec.output);
            self.load_problem.clone_from(&self.keys_lost);
        }
        if initialized && self.file.is_none() && self.spec.output.exists() {
            // Already initialised: the keys can only come from the file a previous run wrote.
            match InitFile::read(&self.spec.output) {
                Ok(file) => self.file = Some(file),
                Err(e) => self.load_problem = Some(format!("{e:#}")),
            }
        }
        if let Some(facts) = &self.facts {
            facts.put(KeysAtHand {
                keys: if initialized {
                    self.unseal_keys()
                } else {
                    Vec::new()
                },
                origin: self.spec.output.display().to_string(),
                initialized_now_with: None,
                problem: self.load_problem.clone(),
            });
        }
    }

    fn address(&self) -> &str {
        self.observed
            .as_ref()
            .map(|o| o.address.as_str())
            .unwrap_or("Vault")
    }
}

impl Step for InitStep {
    fn name(&self) -> &'static str {
        "init"
    }

    fn needs_token(&self) -> bool {
        false
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let initialized = client.init_status()?;
        let seal = match self.facts {
            Some(_) => None,
            None => Some(client.seal_status()?),
        };
        self.record(client.address(), initialized, seal);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = format!("sys/init at {}", self.address());
        if self.was_initialized() {
            let plan = Plan::nothing(
                subject,
                format!("Vault at {} is initialized:", self.address()),
            );
            return match &self.load_problem {
                Some(problem) => {
                    plan.with_warning(format!("{}: {problem}", self.spec.output.display()))
                }
                None => plan,
            };
        }
        let kind = if self.is_recovery() {
            "recovery key shares"
        } else {
            "key shares"
        };
        let mut body = format!(
            "{kind}: {}\nthreshold: {}\nthe keys and root token go to {} (0600) before anything is printed",
            self.spec.shares,
            self.spec.threshold,
            self.spec.output.display()
        );
        if !self.spec.pgp_keys.is_empty() {
            body.push_str("\nshares encrypted with the given PGP keys");
        }
        if self.spec.root_token_pgp_key.is_some() {
            body.push_str("\nroot token encrypted with the given PGP key");
        }
        Plan::create(
            subject,
            format!("initialize Vault at {}", self.address()),
            body,
        )
        .with_done(format!(
            "Vault at {} initialized; keys saved to {}",
            self.address(),
            self.spec.output.display()
        ))
        .blocking("Vault is not initialised")
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let recovery = self.is_recovery();
        self.spec.validate(recovery)?;
        let request = self.spec.request(recovery);
        // Before Vault is touched: the place must be writable and the file must not exist.
        let prepared = vault_init_secret(client, &self.spec.output).prepare()?;
        let now = SystemTime::now();
        let result = prepared.exchange(
            || match Sent::from_vault(client.init_answer(&request)) {
                Sent::Refused(e) => Sent::Refused(e.context("Vault refused to initialise")),
                other => other,
            },
            |answer| {
                let response = InitResponse::judge(&request, answer)
                    .map_err(|why| anyhow::anyhow!("{why}"))?;
                Ok(InitFile::from_response(
                    &request,
                    &response,
                    client.address(),
                    now,
                ))
            },
            |file| Zeroizing::new(file.to_json().into_bytes()),
        );
        let file = result?;
        self.initialized_now = true;
        self.file = Some(file);
        self.written.push(self.spec.output.display().to_string());
        ui.warn(format!(
            "{} holds the unseal keys and the root token: Vault cannot be unsealed without them. \
             Distribute the keys to their holders and keep the file out of version control.",
            self.spec.output.display()
        ));
        if let Some(facts) = &self.facts {
            facts.put(KeysAtHand {
                keys: self.unseal_keys(),
                origin: self.spec.output.display().to_string(),
                initialized_now_with: Some(self.spec.threshold),
                problem: None,
            });
            if let Some(token) = self.root_token() {
                facts.put(SessionToken(token.clone()));
            }
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        // Nothing to read back: Vault's answer to sys/init, saved to disk, is the proof (and an
        // initialised Vault was observed as such in this run).
        let mut findings = Findings::new();
        let subject = format!("sys/init at {}", client.address());
        if self.initialized_now && self.spec.shares == 1 && self.spec.threshold == 1 {
            findings.push(
                Finding::nvctl(
                    Severity::Warning,
                    CHECK,
                    &subject,
                    "a single key share: whoever holds it can unseal Vault alone",
                )
                .with_remedy("use --key-shares 5 --key-threshold 3 (or rekey later with `vault operator rekey`)"),
            );
        }
        if let Some(problem) = &self.load_problem {
            findings.push(
                Finding::nvctl(
                    Severity::Warning,
                    CHECK,
                    self.spec.output.display().to_string(),
                    problem.clone(),
                )
                .with_remedy(
                    "later steps need VAULT_TOKEN (or --token-file) and unseal keys from elsewhere",
                ),
            );
        }
        Ok(findings)
    }

    fn written(&self) -> Vec<String> {
        self.written.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(shares: u32, threshold: u32) -> InitSpec {
        InitSpec {
            shares,
            threshold,
            pgp_keys: Vec::new(),
            root_token_pgp_key: None,
            output: PathBuf::from("vault-init.json"),
        }
    }

    #[test]
    fn validation_uses_vaults_words_in_vaults_order() {
        let err = |s: u32, t: u32| spec(s, t).validate(false).unwrap_err().to_string();
        assert_eq!(
            err(3, 5),
            "invalid seal configuration: threshold cannot be larger than shares"
        );
        assert_eq!(
            err(256, 3),
            "invalid seal configuration: shares must be less than 256"
        );
        assert_eq!(
            err(0, 0),
            "invalid seal configuration: shares must be at least one"
        );
        assert_eq!(
            err(5, 0),
            "invalid seal configuration: threshold must be at least one"
        );
        assert_eq!(
            err(5, 1),
            "invalid seal configuration: threshold must be greater than one for multiple shares"
        );
        assert!(spec(1, 1).validate(false).is_ok());
        assert!(spec(255, 255).validate(false).is_ok());
        assert!(spec(3, 5)
            .validate(true)
            .unwrap_err()
            .to_string()
            .starts_with("invalid recovery configuration:"));
    }

    #[test]
    fn pgp_key_count_must_match_the_shares() {
        let mut s = spec(3, 2);
        s.pgp_keys = vec!["a".into(), "b".into()];
        assert!(s
            .validate(false)
            .unwrap_err()
            .to_string()
            .contains("count mismatch"));
    }

    #[test]
    fn auto_unseal_sends_recovery_fields_only() {
        let r = spec(5, 3).request(true);
        assert_eq!(
            (r.recovery_shares, r.recovery_threshold),
            (Some(5), Some(3))
        );
        assert_eq!((r.secret_shares, r.secret_threshold), (None, None));
        let r = spec(5, 3).request(false);
        assert_eq!((r.secret_shares, r.secret_threshold), (Some(5), Some(3)));
        assert_eq!(r.recovery_shares, None);
    }
}
