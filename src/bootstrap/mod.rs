//! `nvctl bootstrap`: the whole setup sequence (DESIGN.md §1) as one pipeline per flow
//! ([`flows`]), driven by the one driver (`steps::pipeline::drive`): init → unseal →
//! {policies, role} → token → agent block files → final verification; or, for the
//! workload-identity flow (nomad-rules.md §5), init → unseal → the workload-identity stages →
//! agent block files → their verification.
//!
//! Round trips: a token at hand before Vault's state is known (the operator's, or the root
//! token in the init file of an earlier run) lets every step observe at once, together with
//! the init and seal observation, so a re-run that has nothing to do costs one round of reads,
//! and those reads are also its verification. Consent is asked per step before anything of its
//! stage is written, so a refusal (no terminal and no `--yes`) happens before the first write.

pub mod config;
pub mod database;
pub mod flows;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::checks::Findings;
use crate::doctor::jobs::JobsReport;
use crate::initfile::InitFile;
use crate::nomad::stanza::AgentKind;
use crate::nomad::workload_identity::WorkloadIdentitySpec;
use crate::output::Ui;
use crate::secret::SecretString;
use crate::steps::pipeline::{drive, Facts};
use crate::steps::token::ServerTokenFacts;
use crate::steps::{wi, Consent, Outcome, StepReport};
use crate::vault::VaultClient;

use config::BootstrapConfig;

/// How the run may change things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Observe, ask per step (or take `--yes`), apply, verify.
    Apply,
    /// `--plan`: observe only, never write.
    Plan,
}

/// Which integration the run sets up once Vault is initialised and unsealed.
#[derive(Debug, Clone)]
pub enum FlowSpec {
    /// The token flow (Nomad ≤ 1.9): policies, token role, the servers' token.
    Legacy,
    /// Workload identity (Nomad ≥ 1.7, the only flow on ≥ 1.10): jwt auth method, its
    /// config, a KV v2 mount, role and templated policy. Built (and its CA file read) before
    /// Vault is touched.
    WorkloadIdentity(Box<WorkloadIdentitySpec>),
}

impl FlowSpec {
    /// `legacy` or `workload-identity`, as `--flow` spells it (and the JSON report).
    pub fn name(&self) -> &'static str {
        match self {
            FlowSpec::Legacy => "legacy",
            FlowSpec::WorkloadIdentity(_) => "workload-identity",
        }
    }
}

/// How to reach Vault, besides the addresses in the configuration.
#[derive(Debug, Clone)]
pub struct Connection {
    /// A client with the operator's TLS settings, timeout and retries (and the `-v` request
    /// log); bootstrap points it at the active node, and the driver swaps the token after init.
    pub client: VaultClient,
    /// The operator's token (used when Vault was already initialised).
    pub token: Option<SecretString>,
    pub namespace: Option<String>,
}

/// The final verification: Nomad's start-up validation of the token and the agent rules over
/// the stanzas (the checks `doctor` runs).
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The summary table's row: `Nomad start-up checks`, `Nomad agent rules`.
    #[serde(skip)]
    pub label: String,
    pub findings: Findings,
    pub nomad_would_refuse_to_start: bool,
    pub nomad_would_disable_vault: bool,
    /// What a Nomad server would log about the token (see `validation::StartupReport`).
    pub nomad_error: Option<String>,
}

/// Everything one run did and found.
#[derive(Debug, Serialize)]
pub struct BootstrapReport {
    /// `legacy` or `workload-identity`.
    pub flow: &'static str,
    pub addresses: Vec<String>,
    pub plan: bool,
    pub steps: Vec<StepReport>,
    /// `None` with `--plan` or when the run stopped before it.
    pub verification: Option<Verification>,
    pub token_accessor: Option<String>,
    #[serde(skip)]
    pub token: Option<SecretString>,
    /// The servers' token file (legacy flow only: workload identity has no server token).
    pub token_output: Option<String>,
    pub init_output: String,
    /// The workload-identity set-up (that flow only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<WorkloadIdentitySpec>,
    pub server_stanza: String,
    pub client_stanza: String,
    /// What check-job found on the configuration's `jobs` (when it lists some and the run
    /// got that far).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<JobsReport>,
}

impl BootstrapReport {
    /// Changes are pending (`--plan`).
    pub fn pending(&self) -> bool {
        self.steps.iter().any(|s| s.outcome == Outcome::Pending)
    }

    /// Every file written by this run.
    pub fn written(&self) -> Vec<String> {
        self.steps
            .iter()
            .flat_map(|s| s.written.iter().cloned())
            .collect()
    }

    /// `--strict` (or `strict = true`): nvctl's error-grade advice in every finding becomes an
    /// error.
    pub fn under_strict(&mut self, strict: bool) {
        for s in &mut self.steps {
            s.findings.under_strict(strict);
        }
        if let Some(v) = &mut self.verification {
            v.findings.under_strict(strict);
        }
    }

    /// Whether every error found is nvctl's advice failing under `--strict` (and there is one).
    pub fn fails_only_strict(&self) -> bool {
        let all = self
            .steps
            .iter()
            .flat_map(|s| s.findings.iter())
            .chain(self.verification.iter().flat_map(|v| v.findings.iter()));
        let (mut strict, mut other) = (0, 0);
        for f in all.filter(|f| f.is_error()) {
            if f.is_strict_failure() {
                strict += 1;
            } else {
                other += 1;
            }
        }
        strict > 0 && other == 0
    }

    /// Whether the final verification found an error.
    pub fn has_problems(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.findings.has_errors())
            || self.steps.iter().any(|s| s.findings.has_errors())
    }
}

/// Runs the whole bootstrap.
pub fn run(
    config: &BootstrapConfig,
    flow: &FlowSpec,
    conn: &Connection,
    ui: &Ui,
    mode: Mode,
) -> Result<BootstrapReport> {
    for warning in &config.warnings {
        ui.warn(warning);
    }
    for advice in &config.advice {
        ui.warn(format!("nvctl's advice (Nomad accepts this): {advice}"));
    }
    let active = config
        .addresses
        .first()
        .context("no Vault address to bootstrap")?;
    let client = conn.client.with_address(active)?;
    let block_text = |kind| {
        let block = match flow {
            FlowSpec::Legacy => flows::legacy_block(config, kind, conn.namespace.clone()),
            FlowSpec::WorkloadIdentity(spec) => wi::stanza(spec, kind, &config.nomad_vault_address),
        };
        flows::render_block(&block, kind)
    };

    // The operator's token, else the root token in an earlier run's init file: at hand before
    // Vault's state is known, it lets every step observe at once. A file that cannot be read
    // only means no early token here; the init step reports the problem where it matters.
    let early_token = conn.token.clone().or_else(|| {
        InitFile::read(&config.init_output)
            .ok()
            .map(|file| file.root_token)
            .filter(|token| !token.is_empty())
    });
    let client = match early_token {
        Some(token) => client.with_token(token),
        None => client,
    };
    // The database blocks' checks come before anything is written: a statement that never
    // creates the user, a role the connection does not allow… (exit 3, nothing touched).
    // The mounts' live max when Vault answers already (an earlier run's or the operator's
    // token), read for every block at once; a Vault not readable yet is a fresh one, whose
    // default applies.
    let mut specs: Vec<&database::DatabaseSpec> = config.databases.iter().collect();
    let maxes = crate::steps::pipeline::all_at_once(&mut specs, |spec| {
        client
            .has_token()
            .then(|| database::MountMax::live(&client, &spec.path).ok())
            .flatten()
            .unwrap_or_else(database::MountMax::default_system)
    });
    let mut database_checks = Findings::new();
    for (spec, max) in config.databases.iter().zip(&maxes) {
        database_checks.extend(database::checks(spec, max));
    }
    if !database_checks.has_errors() {
        for f in database_checks.iter() {
            ui.warn(format!("{}: {}", f.subject, f.message));
        }
    } else {
        return Ok(BootstrapReport {
            flow: flow.name(),
            addresses: config.addresses.clone(),
            plan: mode == Mode::Plan,
            steps: Vec::new(),
            verification: Some(Verification {
                label: "database checks before writing".into(),
                nomad_would_refuse_to_start: false,
                nomad_would_disable_vault: false,
                nomad_error: None,
                findings: database_checks,
            }),
            token_accessor: None,
            token: None,
            token_output: None,
            init_output: config.init_output.display().to_string(),
            workload_identity: None,
            jobs: None,
            server_stanza: String::new(),
            client_stanza: String::new(),
        });
    }
    let facts = Facts::default();
    let mut pipeline = match flow {
        FlowSpec::Legacy => flows::legacy(config, conn.namespace.clone(), &facts)?,
        FlowSpec::WorkloadIdentity(spec) => flows::workload_identity(config, spec, &facts)?,
    };
    let consent = match mode {
        Mode::Plan => Consent::PlanOnly,
        Mode::Apply => Consent::AskAlways,
    };
    let driven = drive(&mut pipeline, &client, ui, consent)?;
    let server_token = facts.get::<ServerTokenFacts>();
    let nomad_error = server_token
        .as_ref()
        .and_then(|t| t.startup.nomad_error.clone());
    let verification = match (driven.verification, &server_token) {
        (Some(v), _) => Some(Verification {
            label: v.label,
            nomad_would_refuse_to_start: v.findings.nomad_would_refuse_to_start(),
            nomad_would_disable_vault: v.findings.nomad_would_disable(),
            nomad_error,
            findings: v.findings,
        }),
        // --plan: the servers' token on file, validated as Nomad would against Vault as it is
        // now (the token step's plan depends on it).
        (None, Some(token)) if mode == Mode::Plan => Some(Verification {
            label: "Nomad start-up checks (token on file)".into(),
            nomad_would_refuse_to_start: false,
            nomad_would_disable_vault: token.startup.findings.nomad_would_disable(),
            nomad_error,
            findings: token.startup.findings.clone(),
        }),
        (None, _) => None,
    };
    Ok(BootstrapReport {
        flow: flow.name(),
        addresses: config.addresses.clone(),
        plan: mode == Mode::Plan,
        steps: driven.steps,
        verification,
        token_accessor: server_token
            .as_ref()
            .and_then(|t| t.startup.accessor.clone()),
        token: server_token.and_then(|t| t.token),
        token_output: matches!(flow, FlowSpec::Legacy)
            .then(|| config.token_output.display().to_string()),
        init_output: config.init_output.display().to_string(),
        workload_identity: match flow {
            FlowSpec::Legacy => None,
            FlowSpec::WorkloadIdentity(spec) => Some((**spec).clone()),
        },
        server_stanza: block_text(AgentKind::Server),
        client_stanza: block_text(AgentKind::Client),
        jobs: facts.take::<JobsReport>(),
    })
}

/// The temporary directory `--dev` keeps its files in, removed when nvctl exits, however it
/// exits (a signal included): the in-memory Vault dies with the process, and with it
/// everything in there is worthless.
pub fn dev_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("nvctl-dev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    crate::interrupt::register_temp(&dir);
    Ok(dir)
}

#[cfg(test)]
mod tests {
    //! The round trips a bootstrap costs, pinned by what the sandbox receives (never by time).

    use super::*;
    use crate::cli::BootstrapArgs;
    use config::{resolve, ResolveContext};
    use std::path::Path;
    use vault_sandbox::{RecordedRequest, Sandbox, SandboxHandle};

    fn bootstrap(sandbox: &SandboxHandle, dir: &Path) -> BootstrapReport {
        bootstrap_with(sandbox, dir, Mode::Apply).unwrap()
    }

    fn bootstrap_with(sandbox: &SandboxHandle, dir: &Path, mode: Mode) -> Result<BootstrapReport> {
        let args = BootstrapArgs {
            init_output: Some(dir.join("vault-init.json")),
            token_output: Some(dir.join("nomad-server.token")),
            ..BootstrapArgs::default()
        };
        let ctx = ResolveContext {
            nomad_token: None,
            address_flags: vec![sandbox.addr()],
            fallback_addresses: Vec::new(),
            default_dir: None,
        };
        let config = resolve(&args, &ctx).unwrap();
        let conn = Connection {
            client: VaultClient::new(crate::vault::ClientConfig {
                timeout: std::time::Duration::from_secs(10),
                max_retries: 0,
                ..crate::vault::ClientConfig::new(sandbox.addr())
            })
            .unwrap(),
            token: None,
            namespace: None,
        };
        run(&config, &FlowSpec::Legacy, &conn, &Ui::unattended(), mode)
    }

    fn count(requests: &[RecordedRequest], method: &str, path: &str) -> usize {
        requests
            .iter()
            .filter(|r| r.method == method && r.path == format!("/v1/{path}"))
            .count()
    }

    #[test]
    fn fresh_bootstrap_sends_the_threshold_of_shares_and_reads_each_write_back_once() {
        let sandbox = Sandbox::builder().uninitialized().start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let report = bootstrap(&sandbox, dir.path());
        assert!(!report.has_problems(), "{:?}", report.verification);
        let requests = sandbox.requests();
        // vault-api.md §2: the threshold (3 of 5) is enough, and the status observed before
        // init is not asked for again.
        assert_eq!(count(&requests, "PUT", "sys/unseal"), 3);
        assert_eq!(count(&requests, "GET", "sys/seal-status"), 1);
        // Observed once before writing, read back once after.
        assert_eq!(count(&requests, "GET", "sys/policies/acl/nomad-server"), 2);
        assert_eq!(count(&requests, "PUT", "sys/policies/acl/nomad-server"), 1);
        // The role: observed, read back, and read by the new token as a Nomad server does.
        assert_eq!(count(&requests, "GET", "auth/token/roles/nomad-cluster"), 3);
        assert_eq!(count(&requests, "GET", "auth/token/lookup-self"), 1);
        assert_eq!(count(&requests, "POST", "sys/capabilities-self"), 1);
        // And nothing else: 2 observations, init, 3 shares, 2 reads, 2 writes, the token, 5
        // read-backs (BENCHMARKS.md "Bootstrap").
        assert_eq!(requests.len(), 16, "{requests:?}");
    }

    #[test]
    fn rerun_reads_each_object_once_and_its_reads_are_the_verification() {
        let sandbox = Sandbox::builder().uninitialized().start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        bootstrap(&sandbox, dir.path());
        sandbox.clear_requests();
        let report = bootstrap(&sandbox, dir.path());
        assert!(report
            .steps
            .iter()
            .all(|s| matches!(s.outcome, Outcome::Unchanged)));
        assert!(report.token_accessor.is_some());
        assert!(!report.has_problems(), "{:?}", report.verification);
        let requests = sandbox.requests();
        let seen: Vec<(String, String, Option<String>)> = requests
            .iter()
            .map(|r| {
                (
                    r.method.clone(),
                    r.path.clone(),
                    r.header("x-vault-token").map(str::to_string),
                )
            })
            .collect();
        for (i, r) in seen.iter().enumerate() {
            assert!(!seen[..i].contains(r), "asked twice: {} {}", r.0, r.1);
        }
        // Init and seal state, policy, role (root token), and the kept token's lookup,
        // capabilities and role read: nothing else.
        let paths: Vec<String> = requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert_eq!(requests.len(), 7, "{paths:?}");
    }

    #[test]
    fn auto_unseal_vault_gets_recovery_shares_and_no_unseal_keys_are_sent() {
        // vault-api.md §1: with auto-unseal the node unseals itself; init takes recovery_*.
        let sandbox = Sandbox::builder()
            .uninitialized()
            .auto_unseal()
            .start()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let report = bootstrap(&sandbox, dir.path());
        assert!(!report.has_problems(), "{:?}", report.verification);
        let requests = sandbox.requests();
        let init = requests
            .iter()
            .find(|r| r.method == "PUT" && r.path == "/v1/sys/init")
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&init.body).unwrap();
        assert_eq!(
            (
                body["recovery_shares"].as_u64(),
                body["recovery_threshold"].as_u64()
            ),
            (Some(5), Some(3))
        );
        assert_eq!(count(&requests, "PUT", "sys/unseal"), 0);
        let unseal = report.steps.iter().find(|s| s.step == "unseal").unwrap();
        assert_eq!(unseal.outcome, Outcome::Unchanged);
    }

    #[test]
    fn a_sealed_vault_is_unsealed_with_the_keys_and_token_of_an_earlier_runs_init_file() {
        // vault-api.md §2: a restarted Vault is sealed again; a re-run needs nothing but the
        // init file (no VAULT_TOKEN): its keys unseal, its root token configures.
        let sandbox = Sandbox::builder().uninitialized().start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        bootstrap(&sandbox, dir.path());
        let root = VaultClient::new(crate::vault::ClientConfig {
            token: sandbox.root_token().map(SecretString::new),
            ..crate::vault::ClientConfig::new(sandbox.addr())
        })
        .unwrap();
        root.seal().unwrap();
        sandbox.clear_requests();
        let report = bootstrap(&sandbox, dir.path());
        assert!(!report.has_problems(), "{:?}", report.verification);
        let outcomes: Vec<(&str, Outcome)> =
            report.steps.iter().map(|s| (s.step, s.outcome)).collect();
        assert_eq!(
            outcomes[..2],
            [("init", Outcome::Unchanged), ("unseal", Outcome::Created)]
        );
        assert!(
            outcomes[2..].iter().all(|(_, o)| *o == Outcome::Unchanged),
            "{outcomes:?}"
        );
        assert_eq!(count(&sandbox.requests(), "PUT", "sys/unseal"), 3);
    }

    #[test]
    fn plan_against_a_sealed_vault_lists_what_cannot_be_observed_yet() {
        let sandbox = Sandbox::builder().sealed(5, 3).start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let report = bootstrap_with(&sandbox, dir.path(), Mode::Plan).unwrap();
        assert!(report.pending());
        assert!(sandbox.requests().iter().all(|r| r.method == "GET"));
    }
}
