//! `nvctl bootstrap`: the configuration (file + flags) settled and validated before Vault is
//! touched, then the whole sequence (`crate::bootstrap`), then the summary, the stanzas and
//! the exit code: 0 done (or nothing pending with `--plan`), 3 changes pending with `--plan`
//! or Nomad would not accept the result, 1 bad configuration, 2 Vault.
//!
//! `--dev` runs the same thing against an uninitialised in-process sandbox, so the whole
//! setup can be tried with nothing installed.

use anyhow::{Context, Result};
use serde_json::json;

use crate::bootstrap::config::{resolve, ResolveContext};
use crate::bootstrap::{self, BootstrapReport, Connection, Mode};
use crate::cli::{BootstrapArgs, Flow, Format, GlobalArgs};
use crate::exit::Exit;
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::steps::Outcome;

pub fn run(
    args: &BootstrapArgs,
    global: &GlobalArgs,
    settings: &Settings,
    ui: &Ui,
) -> Result<Exit> {
    let format = settings.format_for("bootstrap", &[Format::Table, Format::Json])?;
    refuse_unsupported(args)?;

    // --dev: an uninitialised sandbox of our own; files in a temporary directory.
    let sandbox = if args.dev {
        if !global.addresses.is_empty() {
            anyhow::bail!("--dev starts its own Vault: drop --address");
        }
        Some(
            vault_sandbox::Sandbox::builder()
                .uninitialized()
                .start()
                .context("cannot start the in-memory Vault")?,
        )
    } else {
        None
    };
    let ctx = match &sandbox {
        Some(sandbox) => ResolveContext {
            address_flags: vec![sandbox.addr()],
            fallback_addresses: Vec::new(),
            default_dir: Some(bootstrap::dev_dir()?),
        },
        None => ResolveContext {
            address_flags: global.addresses.clone(),
            fallback_addresses: settings.addresses.clone(),
            default_dir: None,
        },
    };
    let config = resolve(args, &ctx)?;

    let (conn, ui) = match &sandbox {
        // A throwaway Vault: no operator token, default TLS, consent implied.
        Some(_) => (
            Connection {
                token: None,
                namespace: None,
                tls: Default::default(),
                timeout: settings.timeout,
                max_retries: settings.max_retries,
            },
            Ui {
                yes: true,
                ..ui.clone()
            },
        ),
        None => (
            Connection {
                token: settings.token.clone(),
                namespace: settings.namespace.clone(),
                tls: settings.tls.clone(),
                timeout: settings.timeout,
                max_retries: settings.max_retries,
            },
            ui.clone(),
        ),
    };
    if let Some(sandbox) = &sandbox {
        ui.info(format!(
            "In-memory Vault (uninitialised) at {}; files go to {}",
            sandbox.addr(),
            config
                .init_output
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    let mode = if args.plan { Mode::Plan } else { Mode::Apply };
    let outcome = bootstrap::run(&config, &conn, &ui, mode);
    if let Some(dir) = ctx.default_dir.as_ref().filter(|_| sandbox.is_some()) {
        // The in-memory Vault dies with this process: its keys and token are worthless after.
        let _ = std::fs::remove_dir_all(dir);
        ui.info(format!(
            "{} removed: the in-memory Vault stops with nvctl (pass --init-output/--token-output to keep the files)",
            dir.display()
        ));
    }
    let report = outcome?;

    match format {
        Format::Json => output::json(&json_document(&report, settings.show_secrets))?,
        _ => {
            if !ui.quiet {
                eprintln!("{}", summary_table(&report));
            }
            if let Some(v) = &report.verification {
                if !v.findings.is_empty() {
                    eprint!("{}", output::render_findings(&ui, &v.findings));
                }
            }
            if !args.plan {
                output::stdout(&format!(
                    "# Nomad servers (server.hcl)\n{}\n# Nomad clients (client.hcl)\n{}",
                    report.server_stanza.trim_end(),
                    report.client_stanza.trim_end()
                ))?;
            }
        }
    }
    Ok(verdict(&report, &ui))
}

/// The workload-identity flow is a different pipeline; it is not wired into bootstrap yet.
fn refuse_unsupported(args: &BootstrapArgs) -> Result<()> {
    let wi = match (&args.flow, &args.nomad_version) {
        (Some(flow), _) => *flow == Flow::WorkloadIdentity,
        (None, Some(v)) => {
            let v = crate::nomad::versions::NomadVersion::parse(v)
                .context("invalid --nomad-version")?;
            !v.flow().supports_legacy()
        }
        (None, None) => false,
    };
    if wi || args.destroy {
        anyhow::bail!(
            "`nvctl bootstrap` runs the legacy token flow only for now (Nomad ≤ 1.9); the \
             workload-identity flow (--flow workload-identity, Nomad ≥ 1.10, --destroy) is not \
             implemented yet"
        );
    }
    Ok(())
}

fn verdict(report: &BootstrapReport, ui: &Ui) -> Exit {
    if report.plan {
        if report.pending() {
            ui.info("Changes are pending: run without --plan to apply them.");
            return Exit::Problems;
        }
        ui.done("Nothing to change.");
        return Exit::Success;
    }
    match &report.verification {
        Some(v) if v.nomad_would_refuse_to_start => {
            ui.failed("Nomad would refuse to start with this configuration (\"Failed to setup Vault client\")");
            Exit::Problems
        }
        Some(v) if v.nomad_would_disable_vault => {
            ui.failed("Nomad would start with its Vault integration disabled (\"failed to validate self token/role\")");
            Exit::Problems
        }
        _ if report.has_problems() => {
            ui.failed("the bootstrap finished with errors (see the findings above)");
            Exit::Problems
        }
        _ => {
            ui.done(format!(
                "Bootstrap complete: Nomad's start-up checks pass. Give the servers the token in {} (VAULT_TOKEN in their environment).",
                report.token_output
            ));
            Exit::Success
        }
    }
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Unchanged => "unchanged",
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Pending => "pending",
    }
}

fn summary_table(report: &BootstrapReport) -> String {
    let mut table = Table::new(["Step", "Object", "Outcome", "Verification"]);
    for s in &report.steps {
        let verification = if report.plan || s.outcome == Outcome::Pending {
            "-".to_string()
        } else {
            output::findings_summary(&s.findings)
        };
        table.row([
            s.step.to_string(),
            s.subject.clone(),
            outcome_word(s.outcome).to_string(),
            verification,
        ]);
    }
    if let Some(v) = &report.verification {
        table.row([
            "verify".to_string(),
            "Nomad start-up checks".to_string(),
            "-".to_string(),
            output::findings_summary(&v.findings),
        ]);
    }
    table.render()
}

fn json_document(report: &BootstrapReport, show_secrets: bool) -> serde_json::Value {
    let mut token = json!({
        "accessor": report.token_accessor,
        "output": report.token_output,
    });
    if show_secrets {
        if let Some(t) = &report.token {
            token["token"] = json!(t.expose());
        }
    }
    json!({
        "addresses": report.addresses,
        "plan": report.plan,
        "pending": report.pending(),
        "ok": !report.has_problems() && (!report.plan || !report.pending()),
        "steps": report.steps,
        "verification": report.verification,
        "token": token,
        "init_output": report.init_output,
        "written": report.written(),
        "stanzas": {
            "server": report.server_stanza,
            "client": report.client_stanza,
        },
    })
}
