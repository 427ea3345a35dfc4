//! `nvctl token create|lookup|check`: mint, inspect and validate the Nomad servers' token
//! (`token create --wrap-ttl` and `token unwrap`: [`super::token_wrapping`]).

use anyhow::{Context, Result};
use serde_json::json;

use crate::checks::{Findings, Severity, Verdict};
use crate::cli::{Format, TokenCheckArgs, TokenCommand, TokenCreateArgs, TokenLookupArgs};
use crate::exit::Exit;
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::steps::pipeline::drive_one;
use crate::steps::token::{ServerTokenSpec, TokenStep};
use crate::steps::Consent;
use crate::validation::{validate_server_token, AgentSettings, StartupReport};
use crate::vault::TokenLookup;

pub fn run(command: &TokenCommand, settings: &Settings, ui: &Ui) -> Result<Exit> {
    match command {
        TokenCommand::Create(args) => create(args, settings, ui),
        TokenCommand::Lookup(args) => lookup(args, settings, ui),
        TokenCommand::Check(args) => check(args, settings, ui),
        TokenCommand::Unwrap(args) => super::token_wrapping::unwrap(args, settings, ui),
    }
}

fn create(args: &TokenCreateArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for(
        "token create",
        &[Format::Table, Format::Json, Format::Env, Format::Raw],
    )?;
    let period = crate::duration::parse_flag_seconds(&args.period).context("invalid --period")?;
    if period == 0 {
        anyhow::bail!("invalid --period: a Nomad server token must be periodic (e.g. 72h)");
    }
    let wrap_ttl = match &args.wrap_ttl {
        Some(ttl) => {
            let secs = crate::duration::parse_flag_seconds(ttl).context("invalid --wrap-ttl")?;
            if secs == 0 {
                anyhow::bail!(
                    "invalid --wrap-ttl: 0 means no wrapping; give how long the wrapping token may \
                     wait to be unwrapped (e.g. 15m)"
                );
            }
            Some(secs)
        }
        None => None,
    };
    if let Some(path) = &args.output {
        crate::secret_file::ensure_absent(path)?;
    }
    if wrap_ttl.is_some() && format == Format::Env {
        anyhow::bail!(
            "--format env prints VAULT_TOKEN=…, and a wrapping token is not the servers' token: \
             with --wrap-ttl use --output FILE or --format raw. Nothing was minted"
        );
    }
    // A table or JSON document masks the token: with nowhere else to put it, the minted
    // token (or the only way to it, the wrapping token) would exist nowhere.
    if matches!(format, Format::Table | Format::Json)
        && args.output.is_none()
        && !settings.show_secrets
    {
        anyhow::bail!(
            "nothing would keep the {}: `--format {}` masks it and there is no --output; \
             use --output FILE (written 0600), {}, or --show-secrets. Nothing was minted",
            if wrap_ttl.is_some() {
                "wrapping token"
            } else {
                "new token"
            },
            if format == Format::Json {
                "json"
            } else {
                "table"
            },
            if wrap_ttl.is_some() {
                "--format raw"
            } else {
                "--format raw or --format env"
            }
        );
    }
    let client = settings.authenticated_client()?;
    let spec = ServerTokenSpec {
        policies: args.policies.clone(),
        period,
        from_role: args.role.clone(),
        orphan: args.orphan,
        display_name: args.display_name.clone(),
    };
    if let Some(wrap_ttl) = wrap_ttl {
        return super::token_wrapping::create_wrapped(args, settings, ui, format, spec, wrap_ttl);
    }
    let agent = AgentSettings::new(Some(args.nomad_role.as_str()), true);
    let mut step = TokenStep::new(spec, agent, args.output.clone(), false);
    // `token create` always mints: the command itself is the consent.
    let report = drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;
    let minted = step
        .minted()
        .context("no token was minted (internal error)")?;
    let auth = &minted.created.auth;
    let token = minted.token.expose();
    let mut findings = report.findings.clone();
    findings.under_strict(settings.strict);
    let verdict = findings.verdict();

    match format {
        Format::Raw => output::stdout(token)?,
        Format::Env => output::stdout(&format!("VAULT_TOKEN={token}"))?,
        Format::Json => {
            let mut doc = json!({
                "accessor": auth.accessor,
                "policies": auth.policies,
                "lease_duration": auth.lease_duration,
                "renewable": auth.renewable,
                "orphan": auth.orphan,
                "output": args.output,
                "findings": findings,
                "nomad_would_accept": verdict != Verdict::NomadRefuses,
                "nomad_error": step.startup().and_then(|s| s.nomad_error.clone()),
                "strict": settings.strict,
                "ok": verdict.passes(),
            });
            if settings.show_secrets {
                doc["token"] = json!(token);
            }
            output::json(&doc)?;
        }
        _ => {
            let mut table = Table::key_value();
            table
                .row(["token", &ui.secret(token)])
                .row(["token_accessor", &auth.accessor])
                .row([
                    "token_duration",
                    &crate::duration::format_friendly(auth.lease_duration),
                ])
                .row(["token_renewable", &auth.renewable.to_string()])
                .row(["token_orphan", &auth.orphan.to_string()])
                .row(["token_policies", &format!("{:?}", auth.policies)]);
            if let Some(path) = &args.output {
                table.row(["written_to", &path.display().to_string()]);
            }
            output::stdout(&table.render())?;
        }
    }
    print_findings(ui, &findings);
    let revoke = format!("vault token revoke -accessor {}", auth.accessor);
    match verdict {
        Verdict::NomadRefuses => {
            print_nomad_error(ui, step.startup().and_then(|s| s.nomad_error.as_deref()));
            ui.failed(format!(
                "Nomad would reject this token. Revoke it with: {revoke}"
            ));
            Ok(Exit::Problems)
        }
        Verdict::Problems => {
            ui.failed(format!("problems found; revoke the token with: {revoke}"));
            Ok(Exit::Problems)
        }
        Verdict::FailsStrict => {
            ui.failed(format!(
                "fails under --strict: {} of nvctl's advice (Nomad's start-up checks pass on this token). Revoke it with: {revoke}",
                findings.strict_failures()
            ));
            Ok(Exit::Problems)
        }
        Verdict::Passes => {
            ui.done(passes_sentence(&findings));
            Ok(Exit::Success)
        }
    }
}

fn lookup(args: &TokenLookupArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("token lookup", &[Format::Table, Format::Json])?;
    if let Some(accessor) = args.accessor.as_deref().filter(|a| a.trim().is_empty()) {
        anyhow::bail!(
            "--accessor {accessor:?} is empty: give the token's accessor (`nvctl token create` \
             prints it), or leave --accessor out to look up the token itself"
        );
    }
    let client = settings.authenticated_client()?;
    let found: TokenLookup = match &args.accessor {
        Some(accessor) => client.lookup_accessor(accessor)?,
        None => client.lookup_self()?,
    };
    // A lookup by accessor never carries the token (`"id":""`).
    let id = found
        .id
        .as_ref()
        .map(|t| ui.secret(t.expose()))
        .unwrap_or_else(|| "-".to_string());
    match format {
        Format::Json => {
            let mut doc = json!({
                "accessor": found.accessor,
                "policies": found.policies,
                "path": found.path,
                "display_name": found.display_name,
                "orphan": found.orphan,
                "renewable": found.renewable,
                "creation_ttl": found.creation_ttl,
                "ttl": found.ttl,
                "explicit_max_ttl": found.explicit_max_ttl,
                "period": found.period,
                "role": found.role,
                "expire_time": found.expire_time,
                "type": found.token_type,
            });
            if settings.show_secrets {
                doc["id"] = json!(found.id.as_ref().map(|t| t.expose().to_string()));
            }
            output::json(&doc)?;
        }
        _ => {
            let mut table = Table::key_value();
            let period = found
                .period
                .map(crate::duration::format_friendly)
                .unwrap_or_else(|| "-".into());
            table
                .row(["id", id.as_str()])
                .row(["accessor", &found.accessor])
                .row(["policies", &format!("{:?}", found.policies)])
                .row(["path", &found.path])
                .row(["display_name", &found.display_name])
                .row(["orphan", &found.orphan.to_string()])
                .row(["renewable", &found.renewable.to_string()])
                .row(["period", &period])
                .row([
                    "creation_ttl",
                    &crate::duration::format_friendly(found.creation_ttl),
                ])
                .row(["ttl", &crate::duration::format_friendly(found.ttl)])
                .row(["role", found.role.as_deref().unwrap_or("-")])
                .row([
                    "expire_time",
                    found.expire_time.as_deref().unwrap_or("never"),
                ])
                .row(["type", &found.token_type]);
            output::stdout(&table.render())?;
        }
    }
    Ok(Exit::Success)
}

fn check(args: &TokenCheckArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("token check", &[Format::Table, Format::Json])?;
    let token = settings.require_token()?.clone();
    let client = settings.vault_client()?;
    let agent = AgentSettings::new(args.role.as_deref(), args.allow_unauthenticated);
    ui.detail(format!(
        "validating the token from {}",
        settings.token_source
    ));
    let report = validate_server_token(&client, &token, &agent)?;
    report_startup(format, ui, &report, settings.strict)
}

/// Prints a start-up validation report and picks the exit code: 3 when Nomad would refuse
/// (and, with `strict`, when nvctl's error-grade advice fails), 0 otherwise.
pub fn report_startup(
    format: Format,
    ui: &Ui,
    report: &StartupReport,
    strict: bool,
) -> Result<Exit> {
    let mut findings = report.findings.clone();
    findings.under_strict(strict);
    let verdict = findings.verdict();
    if format == Format::Json {
        output::json(&json!({
            "accessor": report.accessor,
            "policies": report.policies,
            "role": report.role,
            "nomad_would_accept": verdict != Verdict::NomadRefuses,
            "nomad_error": report.nomad_error,
            "strict": strict,
            "ok": verdict.passes(),
            "findings": findings,
        }))?;
    } else if report.token.is_some() {
        // Without a lookup there is nothing to show but dashes: the findings say why.
        let mut table = Table::key_value();
        table
            .row(["accessor", report.accessor.as_deref().unwrap_or("-")])
            .row(["policies", &format!("{:?}", report.policies)])
            .row(["role", report.role.as_deref().unwrap_or("-")]);
        output::stdout(&table.render())?;
    }
    print_findings(ui, &findings);
    match verdict {
        Verdict::NomadRefuses => {
            print_nomad_error(ui, report.nomad_error.as_deref());
            ui.failed(format!(
                "Nomad would disable its Vault integration: {}",
                output::findings_summary(&findings)
            ));
            Ok(Exit::Problems)
        }
        Verdict::Problems => {
            ui.failed(format!(
                "problems found: {}",
                output::findings_summary(&findings)
            ));
            Ok(Exit::Problems)
        }
        Verdict::FailsStrict => {
            ui.failed(format!(
                "fails under --strict: {} of nvctl's advice (Nomad's start-up checks pass)",
                findings.strict_failures()
            ));
            Ok(Exit::Problems)
        }
        Verdict::Passes => {
            ui.done(passes_sentence(&findings));
            Ok(Exit::Success)
        }
    }
}

/// Nomad accepts; says whether nvctl has advice beside.
fn passes_sentence(findings: &Findings) -> String {
    if findings.worst() == Some(Severity::Warning) {
        format!(
            "Nomad's start-up checks pass; nvctl advises ({}): Nomad accepts this as it is",
            output::findings_summary(findings)
        )
    } else {
        format!(
            "Nomad's start-up checks pass ({})",
            output::findings_summary(findings)
        )
    }
}

/// What a Nomad server would log, byte for byte, as the `error` of
/// `failed to validate self token/role`.
fn print_nomad_error(ui: &Ui, error: Option<&str>) {
    if let (Some(error), false) = (error, ui.quiet) {
        eprintln!("Nomad would log (failed to validate self token/role, error):");
        for line in error.trim_end_matches('\n').split('\n') {
            eprintln!("  | {line}");
        }
    }
}

fn print_findings(ui: &Ui, findings: &Findings) {
    if !findings.is_empty() {
        eprint!("{}", output::render_findings(ui, findings));
    }
}
