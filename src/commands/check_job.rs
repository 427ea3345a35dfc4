//! `nvctl check-job JOBFILE... [--role R]`: jobs' `vault` blocks and templates against the
//! live policies and token role (see `doctor::job`), with nvctl's usual Vault settings.
//!
//! Exit 0 when nothing is an error; 3 when a task would be refused by Nomad, by Vault when its
//! token is created, or would have a template denied; 1 when a job file cannot be read or
//! parsed; 2 when Vault cannot be reached.

use anyhow::Result;
use serde_json::json;

use crate::checks::Findings;
use crate::cli::{CheckJobArgs, Format};
use crate::doctor::job::{self, TaskReport};
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

    let mut all = Findings::new();
    let mut files = Vec::new();
    for spec in &specs {
        let file_findings = job::offline_findings(spec);
        let tasks: Vec<TaskReport> = spec
            .jobs
            .iter()
            .flat_map(|j| {
                j.tasks
                    .iter()
                    .map(|t| job::check_task(&j.name, t, &args.role, &state))
            })
            .collect();
        all.extend(file_findings.iter().cloned());
        for t in &tasks {
            all.extend(t.findings.iter().cloned());
        }
        files.push(json!({
            "file": spec.file,
            "jobs": spec.jobs.iter().map(|j| j.name.clone()).collect::<Vec<_>>(),
            "findings": file_findings,
            "tasks": tasks,
        }));
    }

    if format == Format::Json {
        output::json(&json!({
            "role": args.role,
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
