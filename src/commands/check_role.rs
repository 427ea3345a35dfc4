//! `nvctl check-role [NAME] [--all]`: Nomad's role rules, the capability table for the given
//! token (one `sys/capabilities-self` request for every path), and nvctl's own findings.

use anyhow::{Context, Result};
use serde_json::json;

use crate::checks::{Findings, Verdict};
use crate::cli::{CheckRoleArgs, Flow, Format};
use crate::exit::Exit;
use crate::nomad::capabilities;
use crate::nomad::role_rules::RoleContext;
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::validation::{check_role, is_nomad_finding, RoleCheck};
use crate::vault::TokenLookup;

/// The role checked when none is named and the token has none.
const DEFAULT_ROLE: &str = "nomad-cluster";
/// The servers' policy of the documented set-up (policies/nomad-server.hcl).
const DOCUMENTED_SERVER_POLICY: &str = "nomad-server";

pub fn run(args: &CheckRoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    if args.flow == Flow::WorkloadIdentity {
        return run_workload_identity(args, settings, ui);
    }
    let format = settings.format_for("check-role", &[Format::Table, Format::Json])?;
    let client = settings.authenticated_client()?;

    // The token's lookup names the role to check when none is given, and its policies are the
    // servers' policies nvctl's advice judges the role against. Neither Nomad's capability
    // table nor its role rules need it: a token whose lookup fails, whatever the reason, is
    // still checked (a Vault that cannot answer fails the checks' own requests).
    let lookup = match client.lookup_self() {
        Ok(lookup) => Some(lookup),
        Err(e) => {
            ui.detail(format!(
                "the token's lookup failed ({e}); checking the role without it"
            ));
            None
        }
    };
    let names: Vec<String> = if args.all {
        client
            .list_token_roles()
            .context("cannot list the token roles")?
    } else {
        vec![args
            .name
            .clone()
            .or_else(|| lookup.as_ref().and_then(|l| l.role.clone()))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| DEFAULT_ROLE.to_string())]
    };
    if names.is_empty() {
        ui.info("no token roles exist");
        return Ok(Exit::Success);
    }

    // Which policies exist: for "a policy in allowed_policies does not exist", and to know
    // whether the documented servers' policy is there. A token that may not list policies
    // skips that.
    let existing = match client.list_policies() {
        Ok(names) => Some(names),
        Err(e) if is_nomad_finding(&e) => None,
        Err(e) => return Err(e.into()),
    };
    let server_policies = servers_policies(lookup.as_ref(), existing.as_deref());
    let context = RoleContext {
        server_policies: &server_policies,
        existing_policies: existing.as_deref(),
    };

    let reports: Vec<(String, Result<RoleCheck>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| {
                let (client, context) = (&client, &context);
                scope.spawn(move || check_role(client, name, args.allow_unauthenticated, context))
            })
            .collect();
        names
            .iter()
            .cloned()
            .zip(handles.into_iter().map(|h| match h.join() {
                Ok(report) => report,
                Err(panic) => std::panic::resume_unwind(panic),
            }))
            .collect()
    });

    let mut exit = Exit::Success;
    let mut docs = Vec::new();
    for (name, report) in reports {
        let RoleCheck {
            mut findings,
            capabilities: caps,
            ..
        } = report?;
        findings.under_strict(settings.strict);
        let verdict = findings.verdict();
        if !verdict.passes() {
            exit = Exit::Problems;
        }
        if format == Format::Json {
            docs.push(json!({
                "role": name,
                "ok": verdict.passes(),
                "nomad_would_accept": verdict != Verdict::NomadRefuses,
                "strict": settings.strict,
                "nomad_error": crate::validation::nomad_error(&findings),
                "capabilities": caps,
                "findings": findings,
            }));
        } else {
            let line = format!("role {name:?}: {}", verdict_sentence(&findings));
            if verdict.passes() {
                ui.done(line);
            } else {
                ui.failed(line);
            }
            // Without an answer from sys/capabilities-self there is no table: the finding
            // says why.
            if let Some(caps) = &caps {
                let rows = capabilities::rows(caps, Some(&name), args.allow_unauthenticated);
                output::stdout(&capability_table(&rows))?;
            }
            if !findings.is_empty() {
                output::stdout(output::render_findings(ui, &findings).trim_end())?;
            }
        }
    }
    if format == Format::Json {
        output::json(&json!({ "roles": docs }))?;
    }
    Ok(exit)
}

/// The policies of the Nomad servers' token that nvctl's advice judges a role against: the
/// checking token's own when it is not root (it is the servers' token, or like it); else the
/// documented servers' policy `nomad-server`, when Vault has it (or cannot say).
fn servers_policies(lookup: Option<&TokenLookup>, existing: Option<&[String]>) -> Vec<String> {
    match lookup {
        Some(l) if !l.policies.iter().any(|p| p == "root") => l.policies.clone(),
        _ if existing.is_none_or(|e| e.iter().any(|p| p == DOCUMENTED_SERVER_POLICY)) => {
            vec![DOCUMENTED_SERVER_POLICY.to_string()]
        }
        _ => Vec::new(),
    }
}

/// One sentence for a role's verdict: Nomad's first, then nvctl's advice.
fn verdict_sentence(findings: &Findings) -> String {
    let summary = output::findings_summary(findings);
    match findings.verdict() {
        Verdict::NomadRefuses => format!("Nomad would refuse it ({summary})"),
        Verdict::Problems => format!("problems found ({summary})"),
        Verdict::FailsStrict => format!(
            "fails under --strict: {} of nvctl's advice (Nomad itself accepts it)",
            findings.strict_failures()
        ),
        Verdict::Passes if findings.worst() == Some(crate::checks::Severity::Warning) => {
            format!("Nomad accepts it; nvctl advises ({summary})")
        }
        Verdict::Passes => format!("Nomad accepts it ({summary})"),
    }
}

/// The capability table as checked: one row per path Nomad asks about.
fn capability_table(rows: &[capabilities::CapabilityRow]) -> String {
    let mut table = Table::new(["path", "Nomad needs", "token has", "ok"]);
    for row in rows {
        table.row([
            row.required.path.clone(),
            row.required.accepted.join(" or "),
            if row.has.is_empty() {
                "-".to_string()
            } else {
                row.has.join(", ")
            },
            if row.ok { "yes" } else { "NO" }.to_string(),
        ]);
    }
    table.render()
}

/// `--flow workload-identity`: the live workload-identity checks (`doctor::workload_identity`) for the
/// JWT role(s) at `--auth-path`, against the servers' `default_identity.aud` (`--audience`,
/// comma-separated for several).
fn run_workload_identity(args: &CheckRoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    use crate::doctor::workload_identity::{check_live, WiTarget};
    use crate::nomad::workload_identity::DEFAULT_ROLE as WI_ROLE;

    let format = settings.format_for("check-role", &[Format::Table, Format::Json])?;
    let client = settings.authenticated_client()?;
    let path = crate::steps::wi::auth_path_setting(&args.auth_path)
        .map_err(|e| anyhow::anyhow!("invalid --auth-path: {e}"))?;
    let audiences = crate::steps::wi::audience_setting(&args.audience)
        .map_err(|e| anyhow::anyhow!("invalid --audience: {e}"))?;
    let names: Vec<String> = if args.all {
        client
            .list_jwt_roles(&path)
            .with_context(|| format!("cannot list the roles of auth/{path}"))?
    } else {
        vec![args.name.clone().unwrap_or_else(|| WI_ROLE.to_string())]
    };
    if names.is_empty() {
        ui.info(format!("no roles exist at auth/{path}"));
        return Ok(Exit::Success);
    }
    let mut exit = Exit::Success;
    let mut docs = Vec::new();
    for name in &names {
        let findings = check_live(
            &client,
            &WiTarget {
                auth_path: &path,
                role: name,
                server_audiences: &audiences,
                fetch_jwks: true,
            },
        )?;
        if findings.has_errors() {
            exit = Exit::Problems;
        }
        if format == Format::Json {
            docs.push(json!({ "role": name, "ok": !findings.has_errors(), "findings": findings }));
        } else {
            let verdict = output::findings_summary(&findings);
            let line = format!("workload identity role {name:?} at auth/{path}: {verdict}");
            if findings.has_errors() {
                ui.failed(line);
            } else {
                ui.done(line);
            }
            if !findings.is_empty() {
                output::stdout(output::render_findings(ui, &findings).trim_end())?;
            }
        }
    }
    if format == Format::Json {
        output::json(&json!({
            "flow": "workload-identity",
            "auth_path": path,
            "audiences": audiences,
            "roles": docs,
        }))?;
    }
    Ok(exit)
}
