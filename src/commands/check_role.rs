//! `nvctl check-role [NAME] [--all]`: Nomad's role rules, the capability table for the given
//! token (one `sys/capabilities-self` request for every path), and nvctl's own findings.

use anyhow::{Context, Result};
use serde_json::json;

use crate::checks::Findings;
use crate::cli::{CheckRoleArgs, Flow, Format};
use crate::exit::Exit;
use crate::nomad::capabilities;
use crate::nomad::role_rules::{self, RoleContext};
use crate::output::{self, Ui};
use crate::settings::Settings;
use crate::validation::role_facts;
use crate::vault::VaultClient;

/// The role checked when none is named and the token has none.
const DEFAULT_ROLE: &str = "nomad-cluster";

pub fn run(args: &CheckRoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    if args.flow == Flow::WorkloadIdentity {
        return run_workload_identity(args, settings, ui);
    }
    let format = settings.format_for("check-role", &[Format::Table, Format::Json])?;
    settings.require_token()?;
    let client = VaultClient::new(settings.client_config(settings.address()))?;

    let names: Vec<String> = if args.all {
        client
            .list_token_roles()
            .context("cannot list the token roles")?
    } else {
        vec![match &args.name {
            Some(name) => name.clone(),
            None => client
                .lookup_self()
                .ok()
                .and_then(|l| l.role)
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| DEFAULT_ROLE.to_string()),
        }]
    };
    if names.is_empty() {
        ui.info("no token roles exist");
        return Ok(Exit::Success);
    }

    // The token's policies and the list of existing policies feed nvctl's own findings.
    let policies_of_token = client.lookup_self().map(|l| l.policies).unwrap_or_default();
    let existing = client.list_policies().ok();

    let reports: Vec<(String, Result<Findings>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| {
                let (client, policies_of_token, existing) =
                    (&client, &policies_of_token, &existing);
                scope.spawn(move || {
                    check_one(client, name, policies_of_token, existing.as_deref(), args)
                })
            })
            .collect();
        names
            .iter()
            .cloned()
            .zip(handles.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error")))
            }))
            .collect()
    });

    let mut exit = Exit::Success;
    let mut docs = Vec::new();
    for (name, report) in reports {
        let findings = report?;
        if findings.has_errors() {
            exit = Exit::Problems;
        }
        if format == Format::Json {
            docs.push(json!({ "role": name, "ok": !findings.has_errors(), "findings": findings }));
        } else {
            let verdict = output::findings_summary(&findings);
            if findings.has_errors() {
                ui.failed(format!("role {name:?}: {verdict}"));
            } else {
                ui.done(format!("role {name:?}: {verdict}"));
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

fn check_one(
    client: &VaultClient,
    name: &str,
    token_policies: &[String],
    existing: Option<&[String]>,
    args: &CheckRoleArgs,
) -> Result<Findings> {
    let mut findings = Findings::new();
    // The role read and the capability check are independent: one request each, in parallel.
    let paths = capabilities::request_paths(Some(name), args.allow_unauthenticated);
    let (role, caps) = std::thread::scope(|scope| {
        let caps = scope.spawn(|| client.capabilities_self(&paths));
        let role = client.read_token_role(name);
        (role, caps.join())
    });
    match role {
        Ok(role) => {
            let facts = role_facts(name, role.as_ref());
            findings.extend(role_rules::check(&facts));
            findings.extend(role_rules::nvctl_findings(
                &facts,
                &RoleContext {
                    server_policies: token_policies,
                    existing_policies: existing,
                },
            ));
        }
        Err(e) if e.status().is_some() => {
            findings.push(role_rules::lookup_failed(name, &e.to_string()))
        }
        Err(e) => return Err(e.into()),
    }
    match caps.map_err(|_| anyhow::anyhow!("internal error"))? {
        Ok(caps) => findings.extend(capabilities::check(
            &caps,
            Some(name),
            args.allow_unauthenticated,
        )),
        Err(e) if e.status().is_some() => {
            findings.extend(capabilities::lookup_failed(e.status(), &e.to_string()))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(findings)
}

/// `--flow workload-identity`: the live workload-identity checks (`steps::wi::check`) for the
/// JWT role(s) at `--auth-path`, against the servers' `default_identity.aud` (`--audience`,
/// comma-separated for several).
fn run_workload_identity(args: &CheckRoleArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    use crate::nomad::workload_identity::DEFAULT_ROLE as WI_ROLE;
    use crate::steps::wi::check::{check_live, WiTarget};

    let format = settings.format_for("check-role", &[Format::Table, Format::Json])?;
    settings.require_token()?;
    let client = VaultClient::new(settings.client_config(settings.address()))?;
    let path = args.auth_path.trim_matches('/').to_string();
    if path.is_empty() {
        anyhow::bail!("invalid --auth-path: it must not be empty");
    }
    let audiences: Vec<String> = args
        .audience
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
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
