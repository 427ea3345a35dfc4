//! `nvctl doctor --agent-config PATH... [--nomad-version V] [--role R]`: everything a Nomad
//! agent checks about Vault at start, from its real configuration files (see `doctor::agent`).
//!
//! The servers' token is the one given to nvctl through `VAULT_TOKEN` or `--token-file` (the
//! token you give the servers), unless the configuration embeds one; `~/.vault-token` does not
//! count, as Nomad never reads it. Exit 0 when nothing is an error; 3 when Nomad would refuse
//! to start, run with the integration disabled, or nvctl found another error; 1 when a file
//! cannot be read or parsed.

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::{DoctorArgs, Format};
use crate::doctor::agent::{self, AgentCheckOptions, CheckedFlow};
use crate::exit::Exit;
use crate::nomad::agent_config;
use crate::nomad::versions::NomadVersion;
use crate::output::{self, Ui};
use crate::settings::{Settings, TokenSource};

pub fn run(args: &DoctorArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("doctor", &[Format::Table, Format::Json])?;
    let nomad_version = args
        .nomad_version
        .as_deref()
        .map(NomadVersion::parse)
        .transpose()
        .context("invalid --nomad-version")?;
    let config = agent_config::load(&args.agent_config)
        .context("cannot read the Nomad agent configuration")?;

    let given_token = match &settings.token_source {
        TokenSource::Env | TokenSource::Flag(_) => settings
            .token
            .clone()
            .map(|t| (t, settings.token_source.to_string())),
        TokenSource::HomeFile(_) | TokenSource::None => None,
    };
    let opts = AgentCheckOptions {
        nomad_version,
        role: args.role.clone(),
        given_token,
        nvctl_address: settings.address().to_string(),
        timeout: settings.timeout,
        max_retries: settings.max_retries,
    };
    let diagnosis = agent::diagnose(&config, &opts);
    let findings = &diagnosis.findings;

    if format == Format::Json {
        output::json(&json!({
            "files": diagnosis.files,
            "server": diagnosis.server,
            "client": diagnosis.client,
            "flow": diagnosis.flow,
            "nomad_version": opts.nomad_version.as_ref().map(ToString::to_string),
            "vault_address": diagnosis.vault_address,
            "token_source": diagnosis.token_source,
            "ok": !findings.has_errors(),
            "nomad_would_refuse_to_start": findings.nomad_would_refuse_to_start(),
            "nomad_would_disable_vault": findings.nomad_would_disable(),
            "findings": findings,
        }))?;
    } else {
        let kind = match (diagnosis.server, diagnosis.client) {
            (true, true) => "server and client",
            (true, false) => "server",
            _ => "client",
        };
        let flow = match diagnosis.flow {
            CheckedFlow::Legacy => "legacy token flow",
            CheckedFlow::WorkloadIdentity => "workload identity",
            CheckedFlow::Disabled => "Vault integration off",
        };
        let files: Vec<String> = diagnosis
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect();
        ui.info(format!(
            "Nomad {kind} agent ({flow}) from {}",
            files.join(", ")
        ));
        if let Some(address) = &diagnosis.vault_address {
            ui.detail(format!("Vault contacted at {address}"));
        }
        if !findings.is_empty() {
            output::stdout(output::render_findings(ui, findings).trim_end())?;
        }
        let verdict = output::findings_summary(findings);
        if findings.nomad_would_refuse_to_start() {
            ui.failed(format!(
                "{verdict}: Nomad would refuse to start (\"Failed to setup Vault client\")"
            ));
        } else if findings.nomad_would_disable() {
            ui.failed(format!("{verdict}: Nomad would start with its Vault integration disabled (\"failed to validate self token/role\")"));
        } else if findings.has_errors() {
            ui.failed(verdict);
        } else {
            ui.done(verdict);
        }
    }
    Ok(if findings.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    })
}
