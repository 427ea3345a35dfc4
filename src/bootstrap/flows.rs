//! The flows `nvctl bootstrap` runs, each written once as a pipeline (DESIGN.md §1): the order
//! of a flow is here and nowhere else. Optional groups (a step group configured in the
//! bootstrap file) are further `.stage(…)` lines; an empty one is left out.

use std::path::PathBuf;

use anyhow::Result;

use crate::checks::Findings;
use crate::doctor::jobs::JobFlow;
use crate::nomad::stanza::{self as agent_block, AgentKind, StanzaOptions, VaultBlock};
use crate::nomad::workload_identity::WorkloadIdentitySpec;
use crate::steps::database::{
    DatabaseConnectionStep, DatabaseMountStep, DatabaseProofStep, DatabaseRoleStep,
};
use crate::steps::database_root::DatabaseRootRotationStep;
use crate::steps::init::{InitSpec, InitStep};
use crate::steps::job_check::JobCheckStep;
use crate::steps::kv_secret;
use crate::steps::pipeline::{Facts, FinalCheck, Pipeline, Stage};
use crate::steps::policy::{server_policy_text, PolicyStep};
use crate::steps::role::RoleStep;
use crate::steps::stanza::{StanzaFormat, StanzaStep};
use crate::steps::token::{ServerTokenFacts, ServerTokenSpec, TokenStep};
use crate::steps::unseal::{KeySource, UnsealStep};
use crate::steps::{nomad_secrets, wi, Step};
use crate::validation::AgentSettings;
use crate::vault::VaultClient;

use super::config::BootstrapConfig;

/// What to say when Vault was initialised before and no token is at hand.
const NO_TOKEN: &str = "no Vault token: set VAULT_TOKEN, write it to ~/.vault-token, or pass \
    --token-file PATH (Vault was initialised before this run, so nvctl has no root token of its own)";

/// The legacy token flow (Nomad ≤ 1.9): init → unseal → [the `nomad_secrets` block: Nomad's
/// ACL bootstrap, then its engine — first, so a token that exists once is saved before any
/// other write, and Nomad's problems stop the run before the rest is written] → {policies,
/// role} → the jobs' KV secrets → the servers' token → the `database` blocks → the agent
/// blocks' files → the jobs' checks (`jobs`, rehearsed with the role); then Nomad's start-up
/// checks of the token and the agent rules.
pub fn legacy(
    config: &BootstrapConfig,
    namespace: Option<String>,
    facts: &Facts,
) -> Result<Pipeline<'static>> {
    let jobs = JobFlow::Legacy {
        role: config.role_name.clone(),
        rehearse: true,
    };
    Ok(Pipeline::new(facts.clone())
        .stages(vault_ready(config, facts))
        .stages(nomad_secrets::bootstrap_stage(
            config.nomad_secrets.as_ref(),
            facts,
        ))
        .stages(nomad_secrets::stages(config.nomad_secrets.as_ref(), facts))
        .stage("policies and role", policies_and_role(config)?)
        .stages(kv_secret::stages(&config.kv_secrets))
        .stage("the servers' token", [boxed(server_token(config, facts))])
        .stages(database_stages(config, facts))
        .stage(
            "agent vault blocks",
            block_files(config, |kind| legacy_block(config, kind, namespace.clone())),
        )
        .stage("job checks", job_checks(config, jobs, facts))
        .final_check(NomadStartupChecks {
            config: config.clone(),
        })
        .no_token_message(NO_TOKEN))
}

/// The workload-identity flow (Nomad ≥ 1.7, the only one on ≥ 1.10): init → unseal → [the
/// `nomad_secrets` block, as in [`legacy`]] → the workload-identity stages ([`wi::stages`]),
/// with an identity the login proof ([`wi::login_stage`]) → the `database` blocks → the jobs'
/// KV secrets → the agent blocks' files → the jobs' checks (`jobs`, with the JWT role's
/// templated policies); then Nomad's agent rules over both blocks (the live checks are the
/// policy step's verification).
pub fn workload_identity(
    config: &BootstrapConfig,
    spec: &WorkloadIdentitySpec,
    facts: &Facts,
) -> Result<Pipeline<'static>> {
    let address = config.nomad_vault_address.clone();
    let jobs = JobFlow::WorkloadIdentity {
        auth_path: spec.path().to_string(),
    };
    Ok(Pipeline::new(facts.clone())
        .stages(vault_ready(config, facts))
        .stages(nomad_secrets::bootstrap_stage(
            config.nomad_secrets.as_ref(),
            facts,
        ))
        .stages(nomad_secrets::stages(config.nomad_secrets.as_ref(), facts))
        .stages(wi::stages(spec)?)
        .stages(wi::login_stage(
            spec,
            config.workload_identity.identity_file.as_ref(),
        ))
        .stages(database_stages(config, facts))
        .stages(kv_secret::stages(&config.kv_secrets))
        .stage(
            "agent vault blocks",
            block_files(config, |kind| wi::stanza(spec, kind, &address)),
        )
        .stage("job checks", job_checks(config, jobs, facts))
        .final_check(AgentRules {
            blocks: [AgentKind::Server, AgentKind::Client]
                .map(|kind| (kind, wi::stanza(spec, kind, &address))),
        })
        .no_token_message(NO_TOKEN))
}

/// The `database` blocks (seed 001 steps 9–12): engines, connections, roles, then the
/// credentials proof, then the root rotations asked for (`rotate_root = true`, done after the
/// proof); left out when none is configured.
fn database_stages<'a>(config: &BootstrapConfig, facts: &Facts) -> [Stage<'a>; 5] {
    let dbs = &config.databases;
    [
        Stage::new(
            "database engines",
            dbs.iter().map(|d| boxed(DatabaseMountStep::new(d, facts))),
        ),
        Stage::new(
            "database connections",
            dbs.iter()
                .map(|d| boxed(DatabaseConnectionStep::new(d, facts))),
        ),
        Stage::new(
            "database roles",
            dbs.iter()
                .flat_map(|d| {
                    d.roles
                        .iter()
                        .map(move |r| boxed(DatabaseRoleStep::new(d, r, facts)))
                })
                .collect::<Vec<_>>(),
        ),
        Stage::new(
            "database credentials",
            dbs.iter()
                .map(|d| boxed(DatabaseProofStep::new(d, config.no_mint, facts))),
        ),
        Stage::new(
            "database root rotation",
            dbs.iter()
                .filter(|d| d.rotate_root)
                .map(|d| boxed(DatabaseRootRotationStep::new(d, config.no_mint, facts))),
        ),
    ]
}

/// Init, then unseal: every flow starts with a Vault that answers.
fn vault_ready<'a>(config: &BootstrapConfig, facts: &Facts) -> [Stage<'a>; 2] {
    let init = InitStep::new(InitSpec {
        shares: config.key_shares,
        threshold: config.key_threshold,
        pgp_keys: Vec::new(),
        root_token_pgp_key: None,
        output: config.init_output.clone(),
    })
    .sharing(facts.clone());
    let unseal = UnsealStep::new(config.addresses.clone(), KeySource::Prompt, false)
        .with_keys_together()
        .sharing(facts.clone());
    [
        Stage::new("init", [boxed(init)]),
        Stage::new("unseal", [boxed(unseal)]),
    ]
}

/// The last stage when the configuration lists job files: check-job on them.
fn job_checks(config: &BootstrapConfig, flow: JobFlow, facts: &Facts) -> Option<Box<dyn Step>> {
    (!config.jobs.is_empty()).then(|| boxed(JobCheckStep::new(config.jobs.clone(), flow, facts)))
}

fn boxed<'a>(step: impl Step + 'a) -> Box<dyn Step + 'a> {
    Box::new(step)
}

/// `nomad-server` (the shipped policy for the role), the job policies, and the token role.
fn policies_and_role(config: &BootstrapConfig) -> Result<Vec<Box<dyn Step>>> {
    let mut steps = vec![boxed(PolicyStep::new(
        &config.policy_name,
        server_policy_text(&config.role_name)?,
        "policies/nomad-server.hcl",
    )?)];
    for job in &config.job_policies {
        steps.push(boxed(PolicyStep::new(&job.name, &job.text, &job.source)?));
    }
    steps.push(boxed(
        RoleStep::new(
            &config.role_name,
            config.role.clone(),
            "the bootstrap configuration",
            false,
        )
        .with_server_policies(vec![config.policy_name.clone()]),
    ));
    Ok(steps)
}

fn server_token(config: &BootstrapConfig, facts: &Facts) -> TokenStep {
    TokenStep::new(
        ServerTokenSpec {
            policies: vec![config.policy_name.clone()],
            period: config.token_period,
            ..ServerTokenSpec::documented()
        },
        agent_settings(config),
        Some(config.token_output.clone()),
        config.rotate_token,
    )
    .sharing(facts.clone())
}

fn agent_settings(config: &BootstrapConfig) -> AgentSettings {
    // The server stanza nvctl emits leaves allow_unauthenticated at Nomad's default (true).
    AgentSettings::new(Some(&config.role_name), true)
}

/// A step writing each agent block a file was asked for.
fn block_files(
    config: &BootstrapConfig,
    block: impl Fn(AgentKind) -> VaultBlock,
) -> Vec<Box<dyn Step>> {
    block_outputs(config)
        .into_iter()
        .map(|(kind, path)| {
            boxed(StanzaStep::new(
                kind,
                block(kind),
                StanzaFormat::Hcl,
                Some(path),
            ))
        })
        .collect()
}

/// The agent block files asked for, by kind.
fn block_outputs(config: &BootstrapConfig) -> Vec<(AgentKind, PathBuf)> {
    [
        (AgentKind::Server, &config.server_stanza_output),
        (AgentKind::Client, &config.client_stanza_output),
    ]
    .into_iter()
    .filter_map(|(kind, path)| path.clone().map(|p| (kind, p)))
    .collect()
}

/// The legacy flow's agent block of each kind.
pub fn legacy_block(
    config: &BootstrapConfig,
    kind: AgentKind,
    namespace: Option<String>,
) -> VaultBlock {
    let opts = StanzaOptions {
        vault_address: config.nomad_vault_address.clone(),
        role: Some(config.role_name.clone()),
        task_token_ttl: Some(config.task_token_ttl.clone()),
        namespace,
        ..StanzaOptions::default()
    };
    match kind {
        AgentKind::Server => VaultBlock::server(&opts),
        AgentKind::Client => VaultBlock::client(&opts),
    }
}

/// The agent rules over both blocks, parsed back as Nomad reads them.
fn agent_rules(blocks: &[(AgentKind, VaultBlock)]) -> Findings {
    let mut findings = Findings::new();
    for (kind, block) in blocks {
        findings.extend(
            StanzaStep::new(*kind, block.clone(), StanzaFormat::Hcl, None)
                .check()
                .iter()
                .cloned(),
        );
    }
    findings
}

/// The legacy flow's final verification: Nomad's start-up validation of the servers' token
/// (from the token step) and the agent rules over both blocks.
struct NomadStartupChecks {
    config: BootstrapConfig,
}

impl FinalCheck for NomadStartupChecks {
    fn label(&self) -> String {
        "Nomad start-up checks".into()
    }

    fn check(&mut self, facts: &Facts, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        if let Some(token) = facts.get::<ServerTokenFacts>() {
            findings.extend(token.startup.findings.iter().cloned());
        }
        let namespace = client.namespace().map(str::to_string);
        let blocks = [AgentKind::Server, AgentKind::Client]
            .map(|kind| (kind, legacy_block(&self.config, kind, namespace.clone())));
        findings.extend(agent_rules(&blocks).iter().cloned());
        Ok(findings)
    }
}

/// The workload-identity flow's final verification: the agent rules over both blocks.
struct AgentRules {
    blocks: [(AgentKind, VaultBlock); 2],
}

impl FinalCheck for AgentRules {
    fn label(&self) -> String {
        "Nomad agent rules".into()
    }

    fn check(&mut self, _facts: &Facts, _client: &VaultClient) -> Result<Findings> {
        Ok(agent_rules(&self.blocks))
    }
}

/// The agent block of `kind` as HCL, for the report and stdout.
pub fn render_block(block: &VaultBlock, kind: AgentKind) -> String {
    agent_block::render_hcl(block, kind)
}
