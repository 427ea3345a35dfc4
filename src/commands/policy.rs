//! `nvctl policy write|show|diff`: the nomad-server policy (step 3), or any policy from a file.
//!
//! Exit codes: `write` 0 when the policy is in place, 1 for invalid text or refused consent,
//! 3 when the read-back differs. `show` 2 when the policy does not exist (Vault has no such
//! object; as `vault policy read` does). `diff` 0 when equal, 3 when different or missing (it
//! differs from the desired text) — for drift checks in CI.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::checks::Findings;
use crate::cli::{Format, PolicyArgs, PolicyCommand};
use crate::exit::{Exit, VaultFailure};
use crate::output::{self, Ui};
use crate::settings::Settings;
use crate::steps::pipeline::{drive_one, preview};
use crate::steps::policy::{server_policy_text, PolicyStep};
use crate::steps::{Change, Consent, Outcome};

pub fn run(command: &PolicyCommand, settings: &Settings, ui: &Ui) -> Result<Exit> {
    match command {
        PolicyCommand::Write(args) => write(args, settings, ui),
        PolicyCommand::Show(args) => show(args, settings),
        PolicyCommand::Diff(args) => diff(args, settings, ui),
    }
}

/// The desired policy: the shipped one for `--role`, or `--file` (where `{{role}}`, the
/// shipped template's placeholder, is substituted too, so a copy of it can be customised).
fn desired_step(args: &PolicyArgs) -> Result<PolicyStep> {
    let (text, label) = match &args.file {
        None => (
            server_policy_text(&args.role)?,
            "policies/nomad-server.hcl".to_string(),
        ),
        Some(path) => (
            read_policy_file(path, &args.role)?,
            path.display().to_string(),
        ),
    };
    PolicyStep::new(&args.name, text, label)
}

fn read_policy_file(path: &Path, role: &str) -> Result<String> {
    let text = crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES)
        .with_context(|| format!("cannot read the policy file {}", path.display()))?;
    if text.contains(crate::acl::template::ROLE_PLACEHOLDER) {
        // Same check as for the shipped policy: the name ends up inside paths.
        server_policy_text(role)?;
        Ok(text.replace(crate::acl::template::ROLE_PLACEHOLDER, role))
    } else {
        Ok(text)
    }
}

fn warn_parse(ui: &Ui, step: &PolicyStep) {
    for warning in step.parse_warnings() {
        ui.warn(warning.to_string());
    }
}

fn write(args: &PolicyArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("policy write", &[Format::Table, Format::Json])?;
    // Local validation first: invalid text never reaches Vault.
    let mut step = desired_step(args)?;
    warn_parse(ui, &step);
    let client = settings.authenticated_client()?;
    let report = drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;
    let failed = report.findings.has_errors();
    if format == Format::Json {
        output::json(&json!({
            "name": step.policy_name(),
            "subject": report.subject,
            "outcome": report.outcome,
            "diff": report.diff,
            "findings": report.findings,
            "ok": !failed,
        }))?;
    }
    // Parse warnings were already shown; only the read-back findings are new here.
    let mut new_findings = Findings::new();
    new_findings.extend(report.findings.iter().filter(|f| f.is_error()).cloned());
    if !new_findings.is_empty() {
        eprint!("{}", output::render_findings(ui, &new_findings));
    }
    if failed {
        ui.failed(format!(
            "policy {:?} is not as desired after writing",
            step.policy_name()
        ));
        return Ok(Exit::Problems);
    }
    if report.outcome != Outcome::Unchanged {
        ui.done(format!(
            "policy {:?} read back and matches {}",
            step.policy_name(),
            if args.file.is_some() {
                "the file"
            } else {
                "the shipped policy"
            }
        ));
    }
    Ok(Exit::Success)
}

fn show(args: &PolicyArgs, settings: &Settings) -> Result<Exit> {
    let format = settings.format_for("policy show", &[Format::Table, Format::Json])?;
    let name = args.name.trim().to_lowercase();
    let client = settings.authenticated_client()?;
    let live = client
        .read_policy(&name)
        .with_context(|| format!("cannot read policy {name:?}"))?;
    let Some(policy) = live else {
        return Err(VaultFailure(format!(
            "policy {name:?} does not exist (GET sys/policies/acl/{name} answered 404); create it with `nvctl policy write --name {name}`"
        ))
        .into());
    };
    match format {
        Format::Json => output::json(&json!({ "name": name, "policy": policy.policy }))?,
        _ => output::stdout(policy.policy.trim_end())?,
    }
    Ok(Exit::Success)
}

fn diff(args: &PolicyArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("policy diff", &[Format::Table, Format::Json])?;
    let mut step = desired_step(args)?;
    warn_parse(ui, &step);
    let client = settings.authenticated_client()?;
    let plan = preview(&mut step, &client)?;
    let name = step.policy_name().to_string();
    let exists = step.live_text().is_some();
    let equal = plan.change == Change::None;
    let diff = if equal { String::new() } else { step.diff() };
    if format == Format::Json {
        output::json(&json!({
            "name": name,
            "exists": exists,
            "equal": equal,
            "diff": diff,
        }))?;
    } else if !equal {
        output::stdout(diff.trim_end())?;
    }
    if equal {
        if step.live_text().map(str::trim_end) != Some(step.desired_text().trim_end()) {
            ui.done(format!(
                "policy {name:?} matches (comments or layout differ, the rules are the same)"
            ));
        } else {
            ui.done(format!("policy {name:?} matches"));
        }
        Ok(Exit::Success)
    } else {
        if exists {
            ui.failed(format!("policy {name:?} differs from the desired text"));
        } else {
            ui.failed(format!("policy {name:?} does not exist"));
        }
        Ok(Exit::Problems)
    }
}
