//! `nvctl job-policy [--write] [--name N] [--role R] JOBFILE...`: the least-privilege policy
//! each task's templates need (`doctor::job_policy`), resolved against the live mounts (KV v2
//! aware), as HCL to review. `--write` drives the policies as one stage of steps (plan, body or
//! diff, consent, read-back) and, when the token role keeps an `allowed_policies` list that
//! does not admit them, the role with their names added as the next stage (role diff,
//! consent): Vault would otherwise refuse the task token. A re-run writes nothing.
//!
//! Exit 0 when printed or written; 1 for a bad job file, a bad `--name`, `--name` with several
//! tasks reading from Vault, or consent refused; 2 when Vault cannot be reached; 3 when the
//! role forbids a policy's name (nothing is written then) or a written object does not read
//! back as desired.

use anyhow::Result;
use serde_json::json;

use crate::checks::{check, Finding, Findings, Severity};
use crate::cli::{Format, JobPolicyArgs};
use crate::doctor::job::{self, VaultState};
use crate::doctor::job_policy::{self, DerivedPolicy, Live, TaskNeeds};
use crate::doctor::task_policies::{self, TaskTokenPolicies};
use crate::exit::Exit;
use crate::nomad::jobspec::{self, Jobspec};
use crate::nomad::role_spec::RoleSpec;
use crate::output::{self, Ui};
use crate::settings::Settings;
use crate::steps::pipeline::{drive, Facts, Pipeline};
use crate::steps::policy::PolicyStep;
use crate::steps::role::RoleStep;
use crate::steps::{Consent, Step, StepReport};

pub fn run(args: &JobPolicyArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("job-policy", &[Format::Table, Format::Json])?;
    let specs = args
        .jobs
        .iter()
        .map(|path| jobspec::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    // Every refusal of the input comes before Vault is asked anything.
    let name = args.name.as_deref().map(name_flag).transpose()?;
    if name.is_some() {
        let reading = tasks_needing(&specs, &[]);
        if reading.len() > 1 {
            let tasks: Vec<&str> = reading.iter().map(|t| t.task.as_str()).collect();
            anyhow::bail!(
                "--name names one policy, but {} tasks read from Vault ({}): drop --name so each gets its own, or give one job file with one such task",
                tasks.len(),
                tasks.join(", ")
            );
        }
    }

    let client = settings.authenticated_client()?;
    let state = job::fetch_state(&client, Some(&args.role), &specs)?;
    let mounts = match &state.mounts {
        Ok(m) => m.clone(),
        Err(why) => {
            ui.warn(format!(
                "the mounts are not known ({why}): paths are written as the templates spell them, without KV v2's data/"
            ));
            Vec::new()
        }
    };
    let needs = tasks_needing(&specs, &mounts);
    let policies = job_policy::name_policies(&needs, name.as_deref(), &|n| live(&state, n));
    for p in &policies {
        for note in &p.not_derivable {
            ui.warn(format!(
                "policy {:?}: not derived, the path is computed at run time: {note}",
                p.name
            ));
        }
    }
    let mut findings = unused_findings(&needs, &policies);
    let admit = role_findings(&args.role, &state, &policies, args.write, &mut findings);

    let mut steps: Vec<StepReport> = Vec::new();
    let blocked = findings.has_errors();
    if args.write && !blocked && !policies.is_empty() {
        let mut policy_steps: Vec<Box<dyn Step>> = Vec::new();
        for p in &policies {
            policy_steps.push(Box::new(PolicyStep::new(
                &p.name,
                &p.policy,
                format!("the templates of {}", p.tasks.join(", ")),
            )?));
        }
        let role_step = admit
            .map(|desired| {
                RoleStep::new(
                    &args.role,
                    desired,
                    "the live role with the job policies added to allowed_policies",
                    false,
                )
            })
            .map(|s| Box::new(s) as Box<dyn Step>);
        let mut pipeline = Pipeline::new(Facts::default())
            .stage("job policies", policy_steps)
            .stage("token role", role_step);
        let report = drive(&mut pipeline, &client, ui, Consent::AskAlways)?;
        for s in &report.steps {
            findings.extend(s.findings.iter().cloned());
        }
        steps = report.steps;
    }

    if format == Format::Json {
        output::json(&json!({
            "role": args.role,
            "write": args.write,
            "policies": policies,
            "steps": steps,
            "findings": findings,
            "ok": !findings.has_errors(),
        }))?;
    } else {
        if !args.write || blocked {
            if policies.is_empty() {
                ui.done("no template reads anything from Vault: no policy needed");
            } else {
                let texts: Vec<String> = policies
                    .iter()
                    .map(|p| format!("# policy {:?}\n{}", p.name, p.policy.trim_end()))
                    .collect();
                output::stdout(&texts.join("\n\n"))?;
            }
        } else if policies.is_empty() {
            ui.done("no template reads anything from Vault: nothing to write");
        }
        if !findings.is_empty() {
            eprint!("{}", output::render_findings(ui, &findings));
        }
        if blocked {
            ui.failed("nothing was written (see the findings above)");
        } else if args.write && !policies.is_empty() && !findings.has_errors() {
            let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
            ui.done(format!(
                "in place and read back: {}",
                names
                    .iter()
                    .map(|n| format!("policy {n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(if findings.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    })
}

/// `--name`, as Vault will store it; the policies no job policy may take are refused.
fn name_flag(raw: &str) -> Result<String> {
    let name = crate::acl::policy_name(raw).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    if name == "default" {
        anyhow::bail!(
            "--name: \"default\" is attached to every token Vault issues: a job's rules do not belong in it; choose another name"
        );
    }
    Ok(name)
}

/// Every task whose templates read from Vault, in the files' order.
fn tasks_needing(
    specs: &[Jobspec],
    mounts: &[crate::doctor::secret_read::MountView],
) -> Vec<TaskNeeds> {
    let mut needs = Vec::new();
    for spec in specs {
        let file = spec.file.display().to_string();
        for j in &spec.jobs {
            for t in &j.tasks {
                needs.extend(job_policy::needs(j, t, &file, mounts));
            }
        }
    }
    needs
}

fn live<'a>(state: &'a VaultState, name: &str) -> Live<'a> {
    match state.policies.get(name) {
        Some(Ok(None)) => Live::Missing,
        Some(Ok(Some(doc))) => Live::Holds(doc),
        // Not read (not named by a job) or unreadable: assume it may exist.
        _ => Live::Unknown,
    }
}

/// A task whose `vault.policies` does not name the policy written for it does not get it.
fn unused_findings(needs: &[TaskNeeds], policies: &[DerivedPolicy]) -> Findings {
    let mut findings = Findings::new();
    for p in policies {
        for task in &p.tasks {
            let Some(t) = needs.iter().find(|t| &t.task == task) else {
                continue;
            };
            let asks = t.listed.as_ref().is_some_and(|l| l.contains(&p.name));
            if asks {
                continue;
            }
            let message = match &t.listed {
                None => format!(
                    "task {task} has no vault block with literal policies, so its token will not carry policy {:?}",
                    p.name
                ),
                Some(listed) => format!(
                    "task {task} asks for {}, not for policy {:?}: its token will not carry it",
                    crate::nomad::gofmt::go_list(listed),
                    p.name
                ),
            };
            findings.push(
                Finding::nvctl(Severity::Warning, check::JOB, t.file.clone(), message).with_remedy(
                    format!(
                        "add \"{}\" to the task's vault {{ policies = [...] }}",
                        p.name
                    ),
                ),
            );
        }
    }
    findings
}

/// Whether the token role lets task tokens carry each policy. A name the role forbids is an
/// error (nothing is written); names its `allowed_policies` list lacks come back as the role
/// with them added — to be written with `--write`, else reported.
fn role_findings(
    role_name: &str,
    state: &VaultState,
    policies: &[DerivedPolicy],
    write: bool,
    findings: &mut Findings,
) -> Option<RoleSpec> {
    if policies.is_empty() {
        return None;
    }
    let subject = format!("auth/token/roles/{role_name}");
    let Some(role) = &state.role else {
        findings.push(
            Finding::nvctl(
                Severity::Warning,
                check::ROLE,
                subject,
                format!("token role {role_name:?} does not exist: no task token can carry these policies until it does"),
            )
            .with_remedy("create it (nvctl role create), or pass the servers' create_from_role with --role"),
        );
        return None;
    };
    let mut missing = Vec::new();
    for p in policies {
        match task_policies::resolve(role, std::slice::from_ref(&p.name)) {
            TaskTokenPolicies::Refused {
                message,
                forbidden_by,
                ..
            } if forbidden_by.starts_with("disallowed") => findings.push(
                Finding::vault(Severity::Error, check::ROLE, subject.clone(), message)
                    .with_remedy(format!(
                        "the role's {forbidden_by} forbids policy {:?} to task tokens: choose another name with --name",
                        p.name
                    )),
            ),
            TaskTokenPolicies::Refused { .. } => missing.push(p.name.clone()),
            _ => {}
        }
    }
    if missing.is_empty() {
        return None;
    }
    if !write {
        findings.push(Finding::nvctl(
            Severity::Warning,
            check::ROLE,
            subject,
            format!(
                "the role's allowed_policies does not list {}: Vault refuses task tokens carrying them (--write adds them)",
                crate::nomad::gofmt::go_list(&missing)
            ),
        ));
        return None;
    }
    let live = serde_json::to_value(role)
        .ok()
        .and_then(|data| RoleSpec::from_vault_data(&data).ok());
    let Some(mut desired) = live else {
        findings.push(Finding::nvctl(
            Severity::Error,
            check::ROLE,
            subject,
            "nvctl cannot read the live role back into a role it could write: the policies were not added to allowed_policies",
        ));
        return None;
    };
    desired.allowed_policies.extend(missing);
    desired.allowed_policies = task_policies::sanitize(&desired.allowed_policies, false);
    Some(desired)
}
