//! `nvctl check-job JOBFILE... [--role R] [--rehearse]`: jobs' `vault` blocks and templates
//! against the live policies, token role and secrets engines (see `doctor::job`), and with
//! `--rehearse` against Vault's own verdict for a real task token (`doctor::rehearse`).
//!
//! `--nomad-addr URL [JOB_ID...]` reads the jobs registered in a running Nomad instead
//! (`nomad::job_json`) and judges them by the same checks, each named `nomad:<namespace>/<id>`.
//!
//! Exit 0 when nothing is an error; 3 when a task would be refused by Nomad, by Vault when its
//! token is created, or would have a template denied; 1 when a job file cannot be read or
//! parsed, or a job ID is not registered; 2 when Vault or Nomad cannot be reached or refuses.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::cli::{CheckJobArgs, Flow, Format};
use crate::doctor::jobs::{self, JobFlow};
use crate::exit::Exit;
use crate::nomad::job_json;
use crate::nomad::jobspec::{self, Jobspec};
use crate::nomad_api::{NomadClient, NomadClientConfig, NomadError, NomadTls, TlsNames};
use crate::output::{self, Ui};
use crate::secret::SecretString;
use crate::settings::Settings;

pub fn run(args: &CheckJobArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("check-job", &[Format::Table, Format::Json])?;
    let specs = match &args.nomad_addr {
        None => args
            .jobs
            .iter()
            .map(|path| jobspec::load(path))
            .collect::<Result<Vec<_>, _>>()?,
        Some(address) => registered_jobs(args, address, settings)?,
    };
    if specs.is_empty() && format != Format::Json {
        // Only a Nomad with no job (in that namespace) gets here: never "all checks passed".
        ui.warn(format!(
            "no job is registered in Nomad at {} (namespace {:?}): nothing was checked",
            crate::vault::redact_userinfo(args.nomad_addr.as_deref().unwrap_or_default()),
            args.nomad_namespace
        ));
        return Ok(Exit::Success);
    }
    let client = settings.authenticated_client()?;
    let flow = match args.flow {
        Flow::Legacy => JobFlow::Legacy {
            role: args.role.clone(),
            rehearse: args.rehearse,
        },
        Flow::WorkloadIdentity => JobFlow::WorkloadIdentity {
            auth_path: args.auth_path.clone(),
        },
    };
    let report = jobs::check(&client, &specs, &flow)?;
    let all = &report.findings;

    if format == Format::Json {
        output::json(&json!({
            "role": args.role,
            "flow": flow.name(),
            "rehearsed": args.rehearse,
            "nomad_addr": args.nomad_addr.as_deref().map(crate::vault::redact_userinfo),
            "ok": !all.has_errors(),
            "files": report.files,
            "findings": all,
        }))?;
    } else {
        if !all.is_empty() {
            output::stdout(output::render_findings(ui, all).trim_end())?;
        }
        let verdict = output::findings_summary(all);
        if all.has_errors() {
            ui.failed(verdict);
        } else {
            ui.done(verdict);
        }
    }
    Ok(if all.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    })
}

/// The jobs registered in the Nomad at `address` (`args.jobs` as IDs: those; none: all), read
/// in Nomad's JSON job format into the jobspec model.
fn registered_jobs(
    args: &CheckJobArgs,
    address: &str,
    settings: &Settings,
) -> Result<Vec<Jobspec>> {
    let client = NomadClient::new(NomadClientConfig {
        address: address.to_string(),
        token: nomad_token(args.nomad_token_file.as_deref())?,
        tls: NomadTls {
            ca_cert: args.nomad_ca_cert.clone(),
            client_cert: args.nomad_client_cert.clone(),
            client_key: args.nomad_client_key.clone(),
            names: TlsNames::FLAGS,
        },
        timeout: settings.timeout,
        observer: settings.request_log(),
    })?;
    let namespace = &args.nomad_namespace;
    let listed = client.jobs(namespace).map_err(|e| {
        let anonymous = e.status() == Some(403) && !client.has_token();
        let error = anyhow::Error::from(e);
        if anonymous {
            error.context(crate::exit::VaultFailure(
                "Nomad refused the anonymous token, as no Nomad token was given: set NOMAD_TOKEN or --nomad-token-file"
                    .into(),
            ))
        } else {
            error
        }
    })?;
    let ids: Vec<String> = args
        .jobs
        .iter()
        .map(|id| id.to_string_lossy().into_owned())
        .collect();
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !listed.iter().any(|stub| &stub.id == *id))
        .collect();
    if !missing.is_empty() {
        bail!(not_registered(&missing, client.address(), namespace));
    }
    let mut specs = Vec::new();
    for stub in listed
        .iter()
        .filter(|stub| ids.is_empty() || ids.contains(&stub.id))
    {
        let job = match client.job(&stub.namespace, &stub.id) {
            Err(e) if e.status() == Some(404) => {
                bail!(not_registered(
                    &[&stub.id],
                    client.address(),
                    &stub.namespace
                ))
            }
            other => other?,
        };
        specs.push(job_json::read(&job).map_err(|detail| NomadError::Decode {
            address: client.address().to_string(),
            path: format!("/v1/job/{}", stub.id),
            detail,
        })?);
    }
    Ok(specs)
}

fn not_registered(ids: &[&String], address: &str, namespace: &str) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    format!(
        "no job {} is registered in Nomad at {address} (namespace {namespace:?}): `nomad job status` lists the job IDs; --nomad-namespace chooses the namespace",
        quoted.join(", ")
    )
}

/// The Nomad ACL token: from `--nomad-token-file` (refused unless 0600), else `NOMAD_TOKEN`;
/// never a flag's value (it would show in `ps` and shell history).
fn nomad_token(file: Option<&Path>) -> Result<Option<SecretString>> {
    let Some(path) = file else {
        return Ok(crate::nomad_api::env_token());
    };
    crate::steps::nomad_secrets::check_private(path, "the Nomad token file", "a Nomad ACL token")?;
    let token = crate::settings::read_token_file(path)
        .with_context(|| format!("cannot read the Nomad token file {}", path.display()))?;
    Ok(Some(token))
}
