//! `nvctl check-job JOBFILE... [--role R] [--rehearse]`: jobs' `vault` blocks and templates
//! against the live policies, token role and secrets engines (see `doctor::job`), and with
//! `--rehearse` against Vault's own verdict for a real task token (`doctor::rehearse`).
//!
//! Exit 0 when nothing is an error; 3 when a task would be refused by Nomad, by Vault when its
//! token is created, or would have a template denied; 1 when a job file cannot be read or
//! parsed; 2 when Vault cannot be reached.

use anyhow::Result;
use serde_json::json;

use crate::checks::Findings;
use crate::cli::{CheckJobArgs, Flow, Format};
use crate::doctor::job::{self, TaskReport};
use crate::doctor::{rehearse, wi_task};
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
    let state = job::fetch_state(&client, &args.role, &specs)?;

    // Every task first, so a rehearsal can cover each distinct policy set once.
    let wi = match args.flow {
        Flow::WorkloadIdentity => Some(wi_task::fetch(&client, &args.auth_path, &specs)?),
        Flow::Legacy => None,
    };
    let mut tasks: Vec<(usize, TaskReport)> = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        for j in &spec.jobs {
            for t in &j.tasks {
                let report = match &wi {
                    Some(facts) => wi_task::check_task(&j.name, t, facts, &state),
                    None => job::check_task(&j.name, t, &args.role, &state),
                };
                tasks.push((index, report));
            }
        }
    }
    if args.rehearse && wi.is_none() {
        let (indices, mut reports): (Vec<usize>, Vec<TaskReport>) = tasks.into_iter().unzip();
        rehearse::rehearse_legacy(&client, &args.role, &mut reports)?;
        tasks = indices.into_iter().zip(reports).collect();
    }

    let mut all = Findings::new();
    let mut files = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let file_findings = job::offline_findings(spec);
        let file_tasks: Vec<&TaskReport> = tasks
            .iter()
            .filter(|(i, _)| *i == index)
            .map(|(_, t)| t)
            .collect();
        all.extend(file_findings.iter().cloned());
        for t in &file_tasks {
            all.extend(t.findings.iter().cloned());
        }
        files.push(json!({
            "file": spec.file,
            "jobs": spec.jobs.iter().map(|j| j.name.clone()).collect::<Vec<_>>(),
            "findings": file_findings,
            "tasks": file_tasks,
        }));
    }

    if format == Format::Json {
        output::json(&json!({
            "role": args.role,
            "flow": match args.flow { Flow::Legacy => "legacy", Flow::WorkloadIdentity => "workload-identity" },
            "rehearsed": args.rehearse,
            "ok": !all.has_errors(),
            "files": files,
            "findings": all,
        }))?;
    } else {
        if !all.is_empty() {
            output::stdout(output::render_findings(ui, &all).trim_end())?;
        }
        let verdict = output::findings_summary(&all);
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
