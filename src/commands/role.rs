//! `nvctl role create|show|diff`: the token role Nomad creates task tokens from (step 4).
//!
//! The desired role is `roles/nomad-cluster.json` (or `--file`), with the flags overriding its
//! fields. Exit codes: `create` 0 when the role is in place and Nomad accepts it, 1 for bad
//! input or refused consent, 3 when Nomad would reject the role (refused before writing unless
//! `--force`) or any check fails after writing. `show` 2 when the role does not exist. `diff` 0
//! when equal, 3 when different or missing.

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

use crate::checks::{Findings, Verdict};
use crate::cli::{Format, RoleArgs, RoleCommand};
use crate::duration::{format_friendly, parse_flag_seconds};
use crate::exit::{Exit, VaultFailure};
use crate::nomad::role_spec::{
    parse_role_json, validate_role_name, RoleSpec, RoleSpecError, DEFAULT_ROLE_JSON,
};
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::steps::pipeline::{drive_one, preview};
use crate::steps::role::RoleStep;
use crate::steps::{Change, Consent};

/// The role name in the shipped file.
const SHIPPED_ROLE: &str = "nomad-cluster";
const SHIPPED_LABEL: &str = "roles/nomad-cluster.json";

pub fn run(command: &RoleCommand, settings: &Settings, ui: &Ui) -> Result<Exit> {
    match command {
        RoleCommand::Create(args) => create(args, settings, ui),
        RoleCommand::Show(args) => show(args, settings),
        RoleCommand::Diff(args) => diff(args, settings, ui),
    }
}

fn spec_errors(errors: Vec<RoleSpecError>) -> anyhow::Error {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    anyhow::anyhow!("{}\nnothing was sent to Vault", lines.join("\n"))
}

/// The flags that override the file, as role-file fields (`token_*` spellings). Durations are
/// parsed here so that a bad one is reported against its flag.
fn flag_overrides(args: &RoleArgs) -> Result<Map<String, Value>> {
    let mut overlay = Map::new();
    let listed = |list: &Option<Vec<String>>| {
        list.as_ref()
            .is_some_and(|l| l.iter().any(|p| !p.trim().is_empty()))
    };
    if listed(&args.allowed_policies) && listed(&args.disallowed_policies) {
        // As bootstrap refuses them together: the two are alternatives (vault-api.md §4). An
        // empty one (`--disallowed-policies ""`) only clears the file's list.
        anyhow::bail!(
            "give --allowed-policies or --disallowed-policies, not both: jobs may use exactly the \
             allowed policies, or every policy but the disallowed ones"
        );
    }
    if let Some(list) = &args.allowed_policies {
        overlay.insert("allowed_policies".into(), json!(list));
    }
    if let Some(list) = &args.disallowed_policies {
        overlay.insert("disallowed_policies".into(), json!(list));
    }
    if let Some(period) = &args.period {
        let secs = parse_flag_seconds(period).context("invalid --period")?;
        overlay.insert("token_period".into(), json!(secs));
    }
    if let Some(ttl) = &args.explicit_max_ttl {
        let secs = parse_flag_seconds(ttl).context("invalid --explicit-max-ttl")?;
        overlay.insert("token_explicit_max_ttl".into(), json!(secs));
    }
    if let Some(orphan) = args.orphan {
        overlay.insert("orphan".into(), json!(orphan));
    }
    if let Some(renewable) = args.renewable {
        overlay.insert("renewable".into(), json!(renewable));
    }
    Ok(overlay)
}

/// The desired role and a label saying where it came from.
fn desired_spec(args: &RoleArgs) -> Result<(RoleSpec, String)> {
    validate_role_name(&args.name).map_err(|m| anyhow::anyhow!("invalid --name: {m}"))?;
    let overlay = flag_overrides(args)?;
    let (text, label, file_role) = match &args.file {
        None => (
            DEFAULT_ROLE_JSON.to_string(),
            SHIPPED_LABEL.to_string(),
            SHIPPED_ROLE,
        ),
        Some(path) => (
            crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES)
                .with_context(|| format!("cannot read the role file {}", path.display()))?,
            path.display().to_string(),
            args.name.as_str(),
        ),
    };
    // The file on its own first, so its problems are reported with its own field names.
    let spec = parse_role_json(&text, file_role, &label).map_err(spec_errors)?;
    if overlay.is_empty() {
        return Ok((spec, label));
    }
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(&text) else {
        anyhow::bail!("{label}: expected a JSON object of role fields");
    };
    // The shipped file names its own role; the flag values replace both spellings of a field.
    fields.remove("name");
    // One list given replaces the file's other one too: they are alternatives.
    match (
        overlay.contains_key("allowed_policies"),
        overlay.contains_key("disallowed_policies"),
    ) {
        (true, false) => fields.remove("disallowed_policies"),
        (false, true) => fields.remove("allowed_policies"),
        _ => None,
    };
    for (key, value) in overlay {
        if let Some(legacy) = key.strip_prefix("token_") {
            fields.remove(legacy);
        }
        fields.insert(key, value);
    }
    let merged = Value::Object(fields).to_string();
    let spec = parse_role_json(&merged, &args.name, &format!("{label} with the flags"))
        .map_err(spec_errors)?;
    Ok((spec, format!("{label} and the flags")))
}

fn print_findings(ui: &Ui, findings: &Findings) {
    if !findings.is_empty() {
        eprint!("{}", output::render_findings(ui, findings));
    }
}

fn create(args: &RoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("role create", &[Format::Table, Format::Json])?;
    let (spec, label) = desired_spec(args)?;
    let mut step = RoleStep::new(&args.name, spec, label, args.force);
    // Refused before Vault is even asked: Nomad would start and silently disable its Vault
    // integration with this role.
    let rejections = step.nomad_rejections();
    if !rejections.is_empty() {
        if !args.force {
            let mut findings = Findings::new();
            findings.extend(rejections);
            if format == Format::Json {
                output::json(&json!({
                    "name": args.name,
                    "outcome": "refused",
                    "findings": findings,
                    "ok": false,
                }))?;
            }
            print_findings(ui, &findings);
            ui.failed(format!(
                "token role {:?} not written: Nomad would reject it and disable its Vault integration; \
                 fix the role, or pass --force to write it anyway",
                args.name
            ));
            return Ok(Exit::Problems);
        }
        ui.warn(format!(
            "--force: writing token role {:?} although Nomad will reject it",
            args.name
        ));
    }
    let client = settings.authenticated_client()?;
    let report = drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;
    let mut findings = report.findings.clone();
    findings.under_strict(settings.strict);
    let verdict = findings.verdict();
    if format == Format::Json {
        output::json(&json!({
            "name": args.name,
            "subject": report.subject,
            "outcome": report.outcome,
            "diff": report.diff,
            "findings": findings,
            "nomad_would_accept": verdict != Verdict::NomadRefuses,
            "strict": settings.strict,
            "ok": verdict.passes(),
        }))?;
    }
    print_findings(ui, &findings);
    if verdict == Verdict::FailsStrict {
        ui.failed(format!(
            "token role {:?} written; fails under --strict: {} of nvctl's advice (Nomad's role rules pass)",
            args.name,
            findings.strict_failures()
        ));
        Ok(Exit::Problems)
    } else if !verdict.passes() {
        ui.failed(format!(
            "token role {:?}: {}",
            args.name,
            output::findings_summary(&findings)
        ));
        Ok(Exit::Problems)
    } else {
        ui.done(format!(
            "token role {:?} read back; Nomad's role rules pass ({})",
            args.name,
            output::findings_summary(&findings)
        ));
        Ok(Exit::Success)
    }
}

fn show(args: &RoleArgs, settings: &Settings) -> Result<Exit> {
    let format = settings.format_for("role show", &[Format::Table, Format::Json])?;
    validate_role_name(&args.name).map_err(|m| anyhow::anyhow!("invalid --name: {m}"))?;
    let client = settings.authenticated_client()?;
    let live = client
        .read_token_role(&args.name)
        .with_context(|| format!("cannot read token role {:?}", args.name))?;
    let Some(role) = live else {
        return Err(VaultFailure(format!(
            "token role {name:?} does not exist (GET auth/token/roles/{name} answered 404); \
             create it with `nvctl role create --name {name}`",
            name = args.name
        ))
        .into());
    };
    if format == Format::Json {
        let mut doc = serde_json::to_value(&role)?;
        if doc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            doc["name"] = json!(args.name);
        }
        output::json(&doc)?;
        return Ok(Exit::Success);
    }
    let seconds = |s: u64| format!("{s} ({})", format_friendly(s));
    let mut table = Table::key_value();
    table
        .row(["name", args.name.as_str()])
        .row(["allowed_policies", &format!("{:?}", role.allowed_policies)])
        .row([
            "disallowed_policies",
            &format!("{:?}", role.disallowed_policies),
        ])
        .row([
            "allowed_policies_glob",
            &format!("{:?}", role.allowed_policies_glob),
        ])
        .row([
            "disallowed_policies_glob",
            &format!("{:?}", role.disallowed_policies_glob),
        ])
        .row(["orphan", &role.orphan.to_string()])
        .row(["renewable", &role.renewable.to_string()])
        .row(["token_period", &seconds(role.token_period)])
        .row([
            "token_explicit_max_ttl",
            &seconds(role.token_explicit_max_ttl),
        ])
        .row(["period (legacy)", &seconds(role.period)])
        .row(["explicit_max_ttl (legacy)", &seconds(role.explicit_max_ttl)])
        .row(["path_suffix", role.path_suffix.as_str()])
        .row(["token_type", role.token_type.as_str()])
        .row([
            "token_no_default_policy",
            &role.token_no_default_policy.to_string(),
        ])
        .row(["token_num_uses", &role.token_num_uses.to_string()])
        .row([
            "token_bound_cidrs",
            &format!("{:?}", role.token_bound_cidrs),
        ])
        .row([
            "allowed_entity_aliases",
            &role
                .allowed_entity_aliases
                .as_ref()
                .map(|a| format!("{a:?}"))
                .unwrap_or_else(|| "-".into()),
        ]);
    output::stdout(&table.render())?;
    Ok(Exit::Success)
}

fn diff(args: &RoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("role diff", &[Format::Table, Format::Json])?;
    let (spec, label) = desired_spec(args)?;
    let mut step = RoleStep::new(&args.name, spec, label, args.force);
    let client = settings.authenticated_client()?;
    let plan = preview(&mut step, &client)?;
    let exists = step.live().is_some();
    let equal = plan.change == Change::None;
    let diff = if equal { String::new() } else { step.diff()? };
    if format == Format::Json {
        output::json(&json!({
            "name": args.name,
            "exists": exists,
            "equal": equal,
            "diff": diff,
        }))?;
    } else if !equal {
        output::stdout(diff.trim_end())?;
    }
    if equal {
        ui.done(format!("token role {:?} matches", args.name));
        Ok(Exit::Success)
    } else {
        if exists {
            ui.failed(format!(
                "token role {:?} differs from the desired role",
                args.name
            ));
        } else {
            ui.failed(format!("token role {:?} does not exist", args.name));
        }
        Ok(Exit::Problems)
    }
}
