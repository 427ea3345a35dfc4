//! `nvctl bootstrap`: the whole setup sequence (DESIGN.md §1) as a loop over the steps:
//! init → unseal → {policies, role} → token → stanzas → final verification; or, for the
//! workload-identity flow (nomad-rules.md §5), init → unseal → the `steps::wi` steps one
//! after the other (each needs the one before: the policy templates on the mount's accessor)
//! → stanzas → their verification.
//!
//! Only true dependencies are sequential: init → unseal (a threshold's worth of shares at
//! once) → {policies, role} → token → {read-backs, the token's lookup, capabilities and role
//! read}. Every step observes at the same time (reads only) — and when a token is at hand
//! before Vault's state is known (the operator's, or the root token in the init file of an
//! earlier run), together with the init and seal observation — so a re-run that has nothing to
//! do costs one round of reads, and those reads are also its verification. The token is looked
//! at again only when the policy or role it depends on changed. Consent is asked per step
//! before anything is written, so a refusal (no terminal and no `--yes`) happens before the
//! first write.

pub mod config;

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::checks::Findings;
use crate::nomad::stanza::{AgentKind, StanzaOptions, VaultStanza};
use crate::nomad::workload_identity::WorkloadIdentitySpec;
use crate::output::{Progress, Ui};
use crate::secret::SecretString;
use crate::steps::init::{InitSpec, InitStep};
use crate::steps::policy::{server_policy_text, PolicyStep};
use crate::steps::role::RoleStep;
use crate::steps::stanza::{StanzaFormat, StanzaStep};
use crate::steps::token::{ServerTokenSpec, TokenStep};
use crate::steps::unseal::{validate_keys, KeySource, UnsealStep};
use crate::steps::wi;
use crate::steps::{show_plan, Change, Consent, Outcome, Plan, Step, StepReport};
use crate::validation::AgentSettings;
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
    /// log); bootstrap points it at the active node and swaps the token after init.
    pub client: VaultClient,
    /// The operator's token (used when Vault was already initialised).
    pub token: Option<SecretString>,
    pub namespace: Option<String>,
}

/// The final verification: Nomad's start-up validation of the token and the agent rules over
/// the stanzas (the checks `doctor` runs).
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub findings: Findings,
    pub nomad_would_refuse_to_start: bool,
    pub nomad_would_disable_vault: bool,
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

    /// Whether the final verification found an error.
    pub fn has_problems(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.findings.has_errors())
            || self.steps.iter().any(|s| s.findings.has_errors())
    }
}

/// Shows a plan and asks for consent; `--yes` consents; without a terminal it refuses,
/// naming `--yes` (Ui::confirm), before anything is written.
fn consent(ui: &Ui, plan: &Plan) -> Result<()> {
    show_plan(ui, plan);
    if !ui.confirm(&format!("Apply this change to {}?", plan.subject))? {
        anyhow::bail!(
            "{} was not changed: the operator declined; nothing after it was done",
            plan.subject
        );
    }
    Ok(())
}

fn outcome_of(change: Change) -> Outcome {
    match change {
        Change::None => Outcome::Unchanged,
        Change::Create => Outcome::Created,
        Change::Update => Outcome::Updated,
    }
}

fn step_report(step: &dyn Step, plan: &Plan, outcome: Outcome, findings: Findings) -> StepReport {
    StepReport {
        step: step.name(),
        subject: plan.subject.clone(),
        outcome,
        findings,
        diff: plan.diff.clone(),
        written: step.written(),
    }
}

/// Drives one step that has already observed: consent, apply, and no verification yet.
fn settle(
    step: &mut dyn Step,
    client: &VaultClient,
    ui: &Ui,
    mode: Mode,
) -> Result<(Plan, Outcome)> {
    let plan = step.plan();
    if plan.change == Change::None {
        ui.done(format!("{} already in place.", plan.summary));
        return Ok((plan, Outcome::Unchanged));
    }
    if mode == Mode::Plan {
        show_plan(ui, &plan);
        return Ok((plan, Outcome::Pending));
    }
    consent(ui, &plan)?;
    step.apply(client, ui)?;
    ui.done(plan.done_message());
    let outcome = outcome_of(plan.change);
    Ok((plan, outcome))
}

/// Runs `f` (requests in flight, no prompt) under a spinner on a terminal; the spinner is
/// cleared when `f` returns, so the step's own `[✔]` line is the only one left, and nothing
/// is drawn or printed without a terminal (or in CI): the output there stays line for line.
fn in_flight<R>(ui: &Ui, message: &str, f: impl FnOnce() -> R) -> R {
    let spinner = Progress::spinner(ui.progress && !ui.quiet, true, message);
    let result = f();
    spinner.finish("");
    result
}

/// Runs `f` on every item at once and returns the results in order.
fn all_at_once<T: Send, R: Send>(items: &mut [T], f: impl Fn(&mut T) -> R + Sync) -> Vec<R> {
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .iter_mut()
            .map(|i| scope.spawn(move || f(i)))
            .collect();
        handles.into_iter().map(join).collect()
    })
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The steps after Vault is ready, in their order.
struct ConfigSteps {
    policies: Vec<PolicyStep>,
    role: RoleStep,
    token: TokenStep,
    stanzas: Vec<StanzaStep>,
}

/// The stanza of each kind, rendered for stdout (no output file) or written to its file.
fn stanza(config: &BootstrapConfig, kind: AgentKind, namespace: Option<String>) -> VaultStanza {
    let opts = StanzaOptions {
        vault_address: config.nomad_vault_address.clone(),
        role: Some(config.role_name.clone()),
        task_token_ttl: Some(config.task_token_ttl.clone()),
        namespace,
        ..StanzaOptions::default()
    };
    match kind {
        AgentKind::Server => VaultStanza::server(&opts),
        AgentKind::Client => VaultStanza::client(&opts),
    }
}

impl ConfigSteps {
    fn new(config: &BootstrapConfig, namespace: Option<String>) -> Result<ConfigSteps> {
        let mut policies = vec![PolicyStep::new(
            &config.policy_name,
            server_policy_text(&config.role_name)?,
            "policies/nomad-server.hcl",
        )?];
        for job in &config.job_policies {
            policies.push(PolicyStep::new(&job.name, &job.text, &job.source)?);
        }
        let role = RoleStep::new(
            &config.role_name,
            config.role.clone(),
            "the bootstrap configuration",
            false,
        );
        let token = TokenStep::new(
            ServerTokenSpec {
                policies: vec![config.policy_name.clone()],
                period: config.token_period,
                ..ServerTokenSpec::documented()
            },
            agent_settings(config),
            Some(config.token_output.clone()),
            config.rotate_token,
        );
        let mut stanzas = Vec::new();
        for (kind, output) in [
            (AgentKind::Server, &config.server_stanza_output),
            (AgentKind::Client, &config.client_stanza_output),
        ] {
            if let Some(path) = output {
                stanzas.push(StanzaStep::new(
                    kind,
                    stanza(config, kind, namespace.clone()),
                    StanzaFormat::Hcl,
                    Some(path.clone()),
                ));
            }
        }
        Ok(ConfigSteps {
            policies,
            role,
            token,
            stanzas,
        })
    }

    /// Observes every step at once: they are reads, and none depends on another's answer.
    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        for result in all_at_once(&mut self.each(), |s| s.observe(client)) {
            result?;
        }
        Ok(())
    }

    /// Every step, in the order they are reported.
    fn each(&mut self) -> Vec<&mut dyn Step> {
        let mut out: Vec<&mut dyn Step> = Vec::new();
        for p in &mut self.policies {
            out.push(p);
        }
        out.push(&mut self.role);
        out.push(&mut self.token);
        for s in &mut self.stanzas {
            out.push(s);
        }
        out
    }
}

fn agent_settings(config: &BootstrapConfig) -> AgentSettings {
    // The server stanza nvctl emits leaves allow_unauthenticated at Nomad's default (true).
    AgentSettings::new(Some(&config.role_name), true)
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
    let active = config
        .addresses
        .first()
        .context("no Vault address to bootstrap")?;
    let client = conn.client.with_address(active)?;
    let stanza_text = |kind| {
        let block = match flow {
            FlowSpec::Legacy => stanza(config, kind, conn.namespace.clone()),
            FlowSpec::WorkloadIdentity(spec) => wi::stanza(spec, kind, &config.nomad_vault_address),
        };
        crate::nomad::stanza::render_hcl(&block, kind)
    };
    let mut report = BootstrapReport {
        flow: flow.name(),
        addresses: config.addresses.clone(),
        plan: mode == Mode::Plan,
        steps: Vec::new(),
        verification: None,
        token_accessor: None,
        token: None,
        token_output: matches!(flow, FlowSpec::Legacy)
            .then(|| config.token_output.display().to_string()),
        init_output: config.init_output.display().to_string(),
        workload_identity: match flow {
            FlowSpec::Legacy => None,
            FlowSpec::WorkloadIdentity(spec) => Some((**spec).clone()),
        },
        server_stanza: stanza_text(AgentKind::Server),
        client_stanza: stanza_text(AgentKind::Client),
    };

    // 1. init and 2. unseal: observed together — and, when a token is already at hand, the
    // configuration too (only kept if Vault turns out to be initialised and unsealed).
    let mut init = InitStep::new(InitSpec {
        shares: config.key_shares,
        threshold: config.key_threshold,
        pgp_keys: Vec::new(),
        root_token_pgp_key: None,
        output: config.init_output.clone(),
    });
    if config.init_output.exists() {
        // An earlier run's init file: its root token lets everything be observed at once. A
        // file that cannot be read only means no early token here; the step tries again
        // once Vault says it is initialised, and the problem is reported where it matters.
        let _ = init.load(&config.init_output);
    }
    let early_token = conn.token.clone().or_else(|| init.root_token().cloned());
    let mut unseal =
        UnsealStep::new(config.addresses.clone(), KeySource::Prompt, false).with_keys_together();
    // The legacy steps observe independently of each other, so they can go out early; the
    // workload-identity steps observe one after the other, once Vault is ready.
    let mut steps = match flow {
        FlowSpec::Legacy => Some(ConfigSteps::new(config, conn.namespace.clone())?),
        FlowSpec::WorkloadIdentity(_) => None,
    };
    let early_client = early_token
        .filter(|_| steps.is_some())
        .map(|t| client.with_token(t));
    let (initialized, unseal_seen, steps_seen) = in_flight(ui, "observing Vault", || {
        std::thread::scope(|scope| {
            let initialized = scope.spawn(|| client.init_status());
            let unseal_seen = scope.spawn(|| unseal.observe(&client));
            let steps_seen = match (&early_client, steps.as_mut()) {
                (Some(c), Some(steps)) => Some(steps.observe(c)),
                _ => None,
            };
            (join(initialized), join(unseal_seen), steps_seen)
        })
    });
    let initialized = initialized?;
    unseal_seen?;
    // The active node's seal status is init's too: asked once, for both steps.
    let seal = unseal
        .observed_seal(active)
        .cloned()
        .context("internal error: the active node's seal status was not observed")?;
    init.record(client.address(), initialized, seal);
    if let Some(problem) = init.load_problem() {
        ui.warn(format!("{}: {problem}", config.init_output.display()));
    }
    let ready = initialized && unseal.plan().change == Change::None;
    // Observed against a sealed or uninitialised Vault, the answers were 503s: look again
    // once Vault is ready.
    let mut steps_observed = false;
    if ready {
        if let Some(result) = steps_seen {
            result?;
            steps_observed = true;
        }
    }

    let (plan, outcome) = settle(&mut init, &client, ui, mode)?;
    report.steps.push(report_of(&init, &plan, outcome));
    if !init.was_initialized() && !init.initialized_now() {
        // --plan on an uninitialised Vault: nothing further can be observed.
        pending_unobservable(&mut report, config, flow, "Vault is not initialised")?;
        return Ok(report);
    }

    if init.initialized_now() {
        ui.warn(format!(
            "{} holds the unseal keys and the root token: Vault cannot be unsealed without them. \
             Distribute the keys to their holders and keep the file out of version control.",
            config.init_output.display()
        ));
        let keys = init.unseal_keys();
        if keys.is_empty() {
            // Auto-unseal: no unseal keys, and the node unseals itself; see how it stands now.
            unseal.observe(&client)?;
        } else {
            // The status seen before init has no threshold: it is the one init just set.
            unseal.after_init(keys, config.key_threshold);
        }
    } else if unseal.any_sealed() && mode == Mode::Apply {
        match init.init_file() {
            Some(file) => {
                let keys = file.unseal_keys();
                validate_keys(&keys, &config.init_output.display().to_string())?;
                unseal.set_keys(KeySource::Given(keys));
            }
            None if !ui.interactive => anyhow::bail!(
                "Vault is sealed and no unseal keys are at hand{}: pass --init-output FILE \
                 pointing at the init file, or run `nvctl unseal --stdin` first",
                match init.load_problem() {
                    Some(problem) => format!(" ({problem})"),
                    None => String::new(),
                }
            ),
            // On a terminal the step asks for them.
            None => {}
        }
    }
    let (plan, outcome) = settle(&mut unseal, &client, ui, mode)?;
    report.steps.push(report_of(&unseal, &plan, outcome));
    if outcome == Outcome::Pending {
        pending_unobservable(&mut report, config, flow, "Vault is sealed")?;
        return Ok(report);
    }

    // The token for the rest: this run's root token, else the operator's, else the root token
    // in the init file (a re-run after an interrupted first run).
    let token = init
        .root_token()
        .filter(|_| init.initialized_now())
        .or(conn.token.as_ref())
        .or_else(|| init.root_token())
        .cloned();
    let token = token.context(
        "no Vault token: set VAULT_TOKEN, write it to ~/.vault-token, or pass --token-file PATH \
         (Vault was initialised before this run, so nvctl has no root token of its own)",
    )?;
    let client = client.with_token(token);
    match (flow, steps.as_mut()) {
        (FlowSpec::WorkloadIdentity(spec), _) => {
            configure_workload_identity(config, spec, &client, ui, mode, &mut report)?
        }
        (FlowSpec::Legacy, Some(steps)) => configure(
            config,
            &client,
            ui,
            mode,
            steps,
            steps_observed,
            &mut report,
        )?,
        (FlowSpec::Legacy, None) => anyhow::bail!("internal error: no legacy steps"),
    }
    Ok(report)
}

/// The stanza files asked for, by kind.
fn stanza_outputs(config: &BootstrapConfig) -> Vec<(AgentKind, PathBuf)> {
    [
        (AgentKind::Server, &config.server_stanza_output),
        (AgentKind::Client, &config.client_stanza_output),
    ]
    .into_iter()
    .filter_map(|(kind, path)| path.clone().map(|p| (kind, p)))
    .collect()
}

/// The workload-identity steps and the stanza files, once Vault is initialised and unsealed
/// and `client` carries a token; the verification is theirs: the live checks of the set-up
/// (the policy step's findings) and Nomad's agent rules over both blocks.
fn configure_workload_identity(
    config: &BootstrapConfig,
    spec: &WorkloadIdentitySpec,
    client: &VaultClient,
    ui: &Ui,
    mode: Mode,
    report: &mut BootstrapReport,
) -> Result<()> {
    let consent = match mode {
        Mode::Plan => Consent::PlanOnly,
        Mode::Apply => Consent::AskAlways,
    };
    let (reports, findings) = wi::configure(
        client,
        ui,
        consent,
        spec,
        &config.nomad_vault_address,
        &stanza_outputs(config),
    )?;
    report.steps.extend(reports);
    if mode == Mode::Apply {
        report.verification = Some(Verification {
            nomad_would_refuse_to_start: findings.nomad_would_refuse_to_start(),
            nomad_would_disable_vault: findings.nomad_would_disable(),
            findings,
        });
    }
    Ok(())
}

fn report_of(step: &dyn Step, plan: &Plan, outcome: Outcome) -> StepReport {
    step_report(step, plan, outcome, Findings::new())
}

/// `--plan` when Vault cannot be read yet: every later step would create its object.
fn pending_unobservable(
    report: &mut BootstrapReport,
    config: &BootstrapConfig,
    flow: &FlowSpec,
    why: &str,
) -> Result<()> {
    if report.steps.iter().all(|s| s.step != "unseal") {
        report.steps.push(StepReport {
            step: "unseal",
            subject: "sys/unseal".into(),
            outcome: Outcome::Pending,
            findings: Findings::new(),
            diff: None,
            written: Vec::new(),
        });
    }
    let mut later: Vec<Box<dyn Step>> = match flow {
        FlowSpec::Legacy => {
            let steps = ConfigSteps::new(config, None)?;
            let mut out: Vec<Box<dyn Step>> = Vec::new();
            out.extend(
                steps
                    .policies
                    .into_iter()
                    .map(|s| Box::new(s) as Box<dyn Step>),
            );
            out.push(Box::new(steps.role));
            out.push(Box::new(steps.token));
            out.extend(
                steps
                    .stanzas
                    .into_iter()
                    .map(|s| Box::new(s) as Box<dyn Step>),
            );
            out
        }
        FlowSpec::WorkloadIdentity(spec) => {
            let mut out = wi::steps(spec)?;
            for (kind, path) in stanza_outputs(config) {
                out.push(Box::new(StanzaStep::new(
                    kind,
                    wi::stanza(spec, kind, &config.nomad_vault_address),
                    StanzaFormat::Hcl,
                    Some(path),
                )));
            }
            out
        }
    };
    for step in &mut later {
        let plan = step.plan();
        report.steps.push(StepReport {
            step: step.name(),
            subject: plan.subject,
            outcome: Outcome::Pending,
            findings: Findings::new(),
            diff: Some(format!("not observable yet: {why}")),
            written: Vec::new(),
        });
    }
    Ok(())
}

/// Steps 3–6 and the final verification, once Vault is initialised and unsealed and
/// `client` carries a token. `observed`: the steps already observed Vault as it is now.
fn configure(
    config: &BootstrapConfig,
    client: &VaultClient,
    ui: &Ui,
    mode: Mode,
    steps: &mut ConfigSteps,
    observed: bool,
    report: &mut BootstrapReport,
) -> Result<()> {
    if !observed {
        in_flight(ui, "observing the policies, role and token", || {
            steps.observe(client)
        })?;
    }

    // Policies and role: consent one by one (prompts cannot interleave), apply side by side.
    let mut first: Vec<&mut dyn Step> = Vec::new();
    for p in &mut steps.policies {
        first.push(p);
    }
    first.push(&mut steps.role);
    let mut plans = Vec::new();
    for step in first.iter() {
        let plan = step.plan();
        if plan.change == Change::None {
            ui.done(format!("{} already in place.", plan.summary));
        } else if mode == Mode::Plan {
            show_plan(ui, &plan);
        } else {
            if plan.subject.starts_with("auth/token/roles/") {
                let rejections = steps_role_rejections(config);
                if !rejections.is_empty() {
                    anyhow::bail!(
                        "the configured role would be rejected by Nomad: {}",
                        rejections.join("; ")
                    );
                }
            }
            consent(ui, &plan)?;
        }
        plans.push(plan);
    }
    let mut outcomes: Vec<Outcome> = plans
        .iter()
        .map(|p| match (p.change, mode) {
            (Change::None, _) => Outcome::Unchanged,
            (_, Mode::Plan) => Outcome::Pending,
            (c, Mode::Apply) => outcome_of(c),
        })
        .collect();
    let mut to_apply: Vec<(&mut &mut dyn Step, &Outcome)> = first
        .iter_mut()
        .zip(outcomes.iter())
        .filter(|(_, o)| matches!(o, Outcome::Created | Outcome::Updated))
        .collect();
    let applied = in_flight(ui, "writing the policies and role", || {
        all_at_once(&mut to_apply, |(s, _)| s.apply(client, ui))
    });
    for result in applied {
        result?;
    }
    for (plan, outcome) in plans.iter().zip(&outcomes) {
        if matches!(outcome, Outcome::Created | Outcome::Updated) {
            ui.done(plan.done_message());
        }
    }
    let changed_before_token = outcomes.iter().any(|o| *o != Outcome::Unchanged);
    drop(first);

    // The token: its validity depends on the policy and role, so look again when they changed.
    if changed_before_token && mode == Mode::Apply {
        in_flight(ui, "looking at the server token", || {
            steps.token.observe(client)
        })?;
    }
    let (token_plan, token_outcome) = settle(&mut steps.token, client, ui, mode)?;
    plans.push(token_plan);
    outcomes.push(token_outcome);

    // Stanza files.
    for s in &mut steps.stanzas {
        let (plan, outcome) = settle(s, client, ui, mode)?;
        plans.push(plan);
        outcomes.push(outcome);
    }

    if mode == Mode::Plan {
        for (step, (plan, outcome)) in steps.each().into_iter().zip(plans.iter().zip(&outcomes)) {
            report
                .steps
                .push(step_report(step, plan, *outcome, Findings::new()));
        }
        return Ok(());
    }

    // Verify everything at once: what was written is read back alongside the token's
    // start-up validation (lookup, capabilities and role read, themselves side by side); what
    // was not written was read by the observation of this run, which stands as its read-back.
    let token_secret = steps.token.token().cloned();
    let findings: Vec<Result<Findings>> = in_flight(ui, "verifying", || {
        all_at_once(&mut steps.each(), |s| s.verify(client))
    });
    let mut verification = Findings::new();
    for (step, ((plan, outcome), found)) in steps
        .each()
        .into_iter()
        .zip(plans.iter().zip(&outcomes).zip(findings))
    {
        report.steps.push(step_report(step, plan, *outcome, found?));
    }
    if let Some(startup) = steps.token.startup() {
        verification.extend(startup.findings.iter().cloned());
        report.token_accessor = startup.accessor.clone();
    }
    for kind in [AgentKind::Server, AgentKind::Client] {
        let check = StanzaStep::new(
            kind,
            stanza(config, kind, client.namespace().map(str::to_string)),
            StanzaFormat::Hcl,
            None,
        )
        .check();
        verification.extend(check.iter().cloned());
    }
    report.token = token_secret;
    report.verification = Some(Verification {
        nomad_would_refuse_to_start: verification.nomad_would_refuse_to_start(),
        nomad_would_disable_vault: verification.nomad_would_disable(),
        findings: verification,
    });
    Ok(())
}

fn steps_role_rejections(config: &BootstrapConfig) -> Vec<String> {
    crate::nomad::role_rules::check(&config.role.to_role_facts(&config.role_name))
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// The temporary directory `--dev` keeps its files in.
pub fn dev_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("nvctl-dev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
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
