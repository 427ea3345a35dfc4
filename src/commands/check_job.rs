//! `nvctl check-job JOBFILE... [--role R] [--rehearse]`: jobs' `vault` blocks and templates
//! against the live policies, token role and secrets engines (see `doctor::job`), and with
//! `--rehearse` against Vault's own verdict for a real task token (`doctor::rehearse`).
//!
//! Exit 0 when nothing is an error; 3 when a task would be refused by Nomad, by Vault when its
//! token is created, or would have a template denied; 1 when a job file cannot be read or
//! parsed; 2 when Vault cannot be reached.

use anyhow::Result;
use serde_json::json;

use crate::cli::{CheckJobArgs, Flow, Format};
use crate::doctor::jobs::{self, JobFlow};
use crate::exit::Exit;
use crate::nomad::jobspec;
use crate::output::{self, Ui};
use crate::settings::Settings;

pub fn run(args: &CheckJobArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("check-job", &[Format::Table, Format::Json])?;
    let specs = args
        .jobs
        .iter()
        .map(|path| jobspec::load(path))
        .collect::<Result<Vec<_>, _>>()?;
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
