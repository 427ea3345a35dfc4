//! `nvctl bootstrap`: the configuration (file + flags) settled and validated before Vault is
//! touched, then the whole sequence (`crate::bootstrap`), then the summary, the stanzas and
//! the exit code: 0 done (or nothing pending with `--plan`), 3 changes pending with `--plan`
//! or Nomad would not accept the result, 1 bad configuration, 2 Vault.
//!
//! `--dev` runs the same thing against an uninitialised in-process sandbox, so the whole
//! setup can be tried with nothing installed (with a stand-in for Nomad's JWKS endpoint when
//! the flow is workload identity).
//!
//! The flow: `--flow`, else `--nomad-version` (≥ 1.10 workload identity, the only flow left;
//! ≤ 1.6 legacy; 1.7–1.9 asked on a terminal, legacy with a note otherwise), else legacy.
//! `--destroy` removes what the workload-identity flow created, and only that.

use anyhow::{Context, Result};
use serde_json::json;

use crate::bootstrap::config::{resolve, ResolveContext};
use crate::bootstrap::{self, BootstrapReport, Connection, FlowSpec, Mode};
use crate::cli::{BootstrapArgs, Flow, Format, GlobalArgs};
use crate::exit::Exit;
use crate::nomad::versions::{self, NomadVersion};
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::steps::wi::{self, destroy::DestroyTarget};
use crate::steps::{Consent, Outcome, StepReport};

pub fn run(
    args: &BootstrapArgs,
    global: &GlobalArgs,
    settings: &Settings,
    ui: &Ui,
) -> Result<Exit> {
    let format = settings.format_for("bootstrap", &[Format::Table, Format::Json])?;
    let flow = choose_flow(args, ui)?;
    refuse_other_flows_flags(args, flow)?;
    if args.destroy {
        return destroy(args, global, settings, ui, format, flow);
    }

    // --dev: an uninitialised sandbox of our own; files in a temporary directory.
    let sandbox = if args.dev {
        if !global.addresses.is_empty() {
            anyhow::bail!("--dev starts its own Vault: drop --address");
        }
        Some(crate::dev::start(
            crate::dev::Flavor::Vault,
            crate::dev::Start::Uninitialized,
            None,
        )?)
    } else {
        None
    };
    let ctx = match &sandbox {
        Some(sandbox) => ResolveContext {
            address_flags: vec![sandbox.address()],
            fallback_addresses: Vec::new(),
            default_dir: Some(bootstrap::dev_dir()?),
            nomad_token: crate::nomad_api::env_token(),
        },
        None => ResolveContext {
            address_flags: global.addresses.clone(),
            fallback_addresses: settings.addresses.clone(),
            default_dir: None,
            nomad_token: crate::nomad_api::env_token(),
        },
    };
    let mut config = resolve(args, &ctx)?;
    config.strict |= settings.strict;
    if sandbox.is_some() {
        // The in-memory Vault would hold the only copy of the new root password, and it is
        // gone when nvctl exits: the database's root user would be locked out for good.
        if let Some(spec) = config.databases.iter().find(|d| d.rotate_root) {
            anyhow::bail!(
                "database {:?}: rotate_root = true with --dev would lock {:?} out of PostgreSQL for good: Vault sets a root password only it knows, and the in-memory Vault forgets it when nvctl exits; leave rotate_root out to try the block with --dev (nothing was sent)",
                spec.name,
                spec.username
            );
        }
    }
    if config.strict && !config.advice.is_empty() {
        // nvctl's error-grade advice about the configured role: Nomad would accept the role,
        // but `--strict` (or `strict = true`) asks for nvctl's advice to hold too.
        for advice in &config.advice {
            ui.warn(format!("nvctl's advice (error-grade): {advice}"));
        }
        ui.failed(format!(
            "fails under strict: {} of nvctl's advice about the configured role (Nomad itself would accept it); nothing was sent to Vault",
            config.advice.len()
        ));
        return Ok(Exit::Problems);
    }
    // Output files that exist are replaced only when nvctl wrote them: checked before Vault.
    if flow == Flow::Legacy {
        crate::own_file::ensure_replaceable(
            &config.token_output,
            crate::own_file::OwnFile::Token,
            "--token-output",
        )?;
    }
    for (path, flag) in [
        (&config.server_stanza_output, "--server-stanza-output"),
        (&config.client_stanza_output, "--client-stanza-output"),
    ] {
        if let Some(path) = path {
            crate::own_file::ensure_replaceable(path, crate::own_file::OwnFile::VaultBlock, flag)?;
        }
    }

    // Workload identity: the spec is built (and the CA file read) before Vault is touched.
    // --dev without a JWKS source gets an in-memory Nomad: Vault (in this process too) fetches
    // its JWKS, and the run ends with an identity it signs logging in through the role.
    let dev_nomad = if sandbox.is_some()
        && flow == Flow::WorkloadIdentity
        && config.workload_identity.jwks_url.is_none()
        && config.workload_identity.nomad_addr.is_none()
    {
        let nomad = crate::dev::start_identity_nomad()?;
        config.workload_identity.nomad_addr = Some(nomad.address());
        Some(nomad)
    } else {
        None
    };
    let flow_spec = match flow {
        Flow::Legacy => {
            if let Some(block) = &config.workload_identity_block {
                ui.info(format!(
                    "note: the workload_identity block ({block}) is not used by the legacy token flow; pass --flow workload-identity to use it"
                ));
            }
            FlowSpec::Legacy
        }
        Flow::WorkloadIdentity => {
            FlowSpec::WorkloadIdentity(Box::new(wi::spec_from_options(&config.workload_identity)?))
        }
    };

    if let (Some(nomad), FlowSpec::WorkloadIdentity(spec), Some(dir)) =
        (&dev_nomad, &flow_spec, &ctx.default_dir)
    {
        if config.workload_identity.identity_file.is_none() {
            let file = dir.join("task-identity.jwt");
            let jwt = nomad.sign_identity(DEV_PROOF_JOB, &spec.audiences, &spec.role_name);
            crate::secret_file::write_private_now(&file, jwt.expose().as_bytes())?;
            config.workload_identity.identity_file = Some(file);
        }
    }

    let (conn, ui) = match &sandbox {
        // A throwaway Vault: no operator token, default TLS, consent implied.
        Some(sandbox) => (
            Connection {
                client: settings.vault_client_for_sandbox(&sandbox.address())?,
                token: None,
                namespace: None,
            },
            Ui {
                yes: true,
                ..ui.clone()
            },
        ),
        None => (
            Connection {
                client: settings.vault_client()?,
                token: settings.token.clone(),
                namespace: settings.namespace.clone(),
            },
            ui.clone(),
        ),
    };
    if let Some(sandbox) = &sandbox {
        ui.info(format!(
            "In-memory Vault (uninitialised) at {}; files go to {}",
            sandbox.address(),
            config
                .init_output
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    if let Some(nomad) = &dev_nomad {
        ui.info(format!(
            "In-memory Nomad at {}: Vault fetches its JWKS, and an identity it signs for job {:?} \
             logs in through the role at the end; against a real cluster give --nomad-addr \
             (and --identity-file to prove it the same way)",
            nomad.address(),
            DEV_PROOF_JOB
        ));
    }
    let mode = if args.plan { Mode::Plan } else { Mode::Apply };
    let outcome = bootstrap::run(&config, &flow_spec, &conn, &ui, mode);
    if let Some(dir) = ctx.default_dir.as_ref().filter(|_| sandbox.is_some()) {
        // The in-memory Vault dies with this process: its keys and token are worthless after.
        let _ = std::fs::remove_dir_all(dir);
        ui.info(format!(
            "{} removed: the in-memory Vault stops with nvctl (pass {} to keep the files)",
            dir.display(),
            match flow {
                Flow::Legacy => "--init-output/--token-output",
                Flow::WorkloadIdentity => "--init-output",
            }
        ));
    }
    let mut report = outcome?;
    report.under_strict(config.strict);

    match format {
        Format::Json => output::json(&json_document(&report, settings.show_secrets))?,
        _ => {
            if !ui.quiet {
                eprintln!("{}", summary_table(&report));
            }
            // The steps' own findings (a credentials proof that failed, in Vault's or
            // PostgreSQL's or Nomad's words), then the final verification's.
            for step in &report.steps {
                if step.findings.worst() > Some(crate::checks::Severity::Info)
                    || (ui.verbose > 0 && !step.findings.is_empty())
                {
                    eprint!("{}", output::render_findings(&ui, &step.findings));
                }
            }
            if let Some(v) = &report.verification {
                // Informational findings (e.g. "set VAULT_TOKEN in the service") are already
                // said by the stanza's own comment; show them with -v.
                if v.findings.worst() > Some(crate::checks::Severity::Info)
                    || (ui.verbose > 0 && !v.findings.is_empty())
                {
                    eprint!("{}", output::render_findings(&ui, &v.findings));
                }
            }
            // Nothing was done (checks before writing stopped the run): no blocks to paste.
            if !args.plan && !report.steps.is_empty() {
                output::stdout(&format!(
                    "# Nomad servers (server.hcl)\n{}\n# Nomad clients (client.hcl)\n{}",
                    report.server_stanza.trim_end(),
                    report.client_stanza.trim_end()
                ))?;
            }
        }
    }
    Ok(verdict(&report, &ui, args.dev, config.strict))
}

/// The job whose workload identity the in-memory Nomad of `--dev` signs for the login proof.
const DEV_PROOF_JOB: &str = "nvctl-proof";

/// The flow to set up: `--flow`, else what `--nomad-version` runs, else legacy.
fn choose_flow(args: &BootstrapArgs, ui: &Ui) -> Result<Flow> {
    let version = args
        .nomad_version
        .as_deref()
        .map(NomadVersion::parse)
        .transpose()
        .context("invalid --nomad-version")?;
    let Some(version) = version else {
        return Ok(args.flow.unwrap_or(Flow::Legacy));
    };
    let runs = version.flow();
    match args.flow {
        Some(Flow::Legacy) if !runs.supports_legacy() => anyhow::bail!(
            "--flow legacy with --nomad-version {version}: Nomad 1.10 removed the legacy token \
             flow (its agents no longer read `token` or `create_from_role`); use --flow \
             workload-identity"
        ),
        Some(Flow::WorkloadIdentity) if !runs.supports_workload_identity() => anyhow::bail!(
            "--flow workload-identity with --nomad-version {version}: workload identity came \
             with Nomad 1.7; use --flow legacy, or upgrade Nomad first"
        ),
        Some(flow) => Ok(flow),
        None => Ok(match runs {
            versions::Flow::WorkloadIdentityOnly => {
                ui.info(format!(
                    "Nomad {version}: the workload-identity flow (the only one since Nomad 1.10)"
                ));
                Flow::WorkloadIdentity
            }
            versions::Flow::Legacy | versions::Flow::LegacyNonOrphanRole => Flow::Legacy,
            versions::Flow::LegacyOrWorkloadIdentity => {
                // A question about what to build, not consent to a write: --yes does not
                // answer it, and without a terminal the default stands, said out loud.
                if ui.interactive && !ui.yes {
                    let wi = ui.confirm(&format!(
                        "Nomad {version} supports workload identity, which replaces the \
                         deprecated token flow. Set up workload identity (no = legacy token flow)?"
                    ))?;
                    if wi {
                        Flow::WorkloadIdentity
                    } else {
                        Flow::Legacy
                    }
                } else {
                    ui.info(format!(
                        "note: Nomad {version} runs both flows; setting up the legacy token flow \
                         (deprecated since Nomad 1.7, removed in 1.10). Pass --flow \
                         workload-identity for workload identity, or --flow legacy to choose \
                         explicitly"
                    ));
                    Flow::Legacy
                }
            }
        }),
    }
}

/// Flags that belong to the other flow are refused rather than silently ignored.
fn refuse_other_flows_flags(args: &BootstrapArgs, flow: Flow) -> Result<()> {
    let given = |list: &[(bool, &'static str)]| -> Vec<&'static str> {
        list.iter()
            .filter(|(set, _)| *set)
            .map(|(_, n)| *n)
            .collect()
    };
    match flow {
        Flow::Legacy => {
            let wi_only = given(&[
                (args.jwks_url.is_some(), "--jwks-url"),
                (args.nomad_addr.is_some(), "--nomad-addr"),
                (args.jwks_ca_file.is_some(), "--jwks-ca-file"),
                (args.audience.is_some(), "--audience"),
                (args.auth_path.is_some(), "--auth-path"),
                (args.kv_mount.is_some(), "--kv-mount"),
                (args.identity_file.is_some(), "--identity-file"),
            ]);
            if !wi_only.is_empty() {
                anyhow::bail!(
                    "{} belong(s) to the workload-identity flow, but this run sets up the legacy \
                     token flow: add --flow workload-identity",
                    wi_only.join(", ")
                );
            }
            if args.destroy {
                anyhow::bail!(
                    "--destroy removes what the workload-identity flow created (add --flow \
                     workload-identity); the legacy token flow has no --destroy: remove its \
                     objects with `vault policy delete`, `vault delete auth/token/roles/<role>` \
                     and `vault token revoke`"
                );
            }
        }
        Flow::WorkloadIdentity => {
            let legacy_only = given(&[
                (args.rotate_token, "--rotate-token"),
                (args.token_output.is_some(), "--token-output"),
                (args.token_period.is_some(), "--token-period"),
                (args.task_token_ttl.is_some(), "--task-token-ttl"),
                (args.allowed_policies.is_some(), "--allowed-policies"),
                (args.disallowed_policies.is_some(), "--disallowed-policies"),
                (!args.job_policies.is_empty(), "--job-policy"),
            ]);
            if !legacy_only.is_empty() {
                anyhow::bail!(
                    "{} belong(s) to the legacy token flow: workload identity has no server \
                     token and no token role",
                    legacy_only.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// `--destroy`: removes what the workload-identity flow created and marked, through the one
/// driver (`wi::destroy`); `--plan` only lists it (exit 3 when something would go). The JSON
/// report carries the driver's step reports like `bootstrap`'s.
fn destroy(
    args: &BootstrapArgs,
    global: &GlobalArgs,
    settings: &Settings,
    ui: &Ui,
    format: Format,
    flow: Flow,
) -> Result<Exit> {
    debug_assert_eq!(flow, Flow::WorkloadIdentity);
    if args.dev {
        anyhow::bail!(
            "--destroy works on an existing Vault, and --dev starts an empty one: drop --dev"
        );
    }
    let config = resolve(
        args,
        &ResolveContext {
            address_flags: global.addresses.clone(),
            fallback_addresses: settings.addresses.clone(),
            default_dir: None,
            nomad_token: None,
        },
    )?;
    let target = DestroyTarget::from_options(&config.workload_identity)?;
    settings.require_token()?;
    let address = config
        .addresses
        .first()
        .context("no Vault address: give --address")?;
    let client = settings.vault_client_at(address)?;
    let consent = if args.plan {
        Consent::PlanOnly
    } else {
        Consent::AskAlways
    };
    let report = wi::destroy::destroy(&client, ui, &target, consent)?;
    if format == Format::Json {
        output::json(&json!({
            "flow": "workload-identity",
            "destroy": true,
            "plan": args.plan,
            "pending": !report.pending.is_empty(),
            "removed": report.removed,
            "would_remove": report.pending,
            "kept": report.kept,
            "steps": report.steps,
        }))?;
    } else if !ui.quiet {
        eprintln!("{}", steps_table(&report.steps, args.plan).render());
    }
    if args.plan && !report.pending.is_empty() {
        ui.info("Run without --plan to delete these.");
        return Ok(Exit::Problems);
    }
    Ok(Exit::Success)
}

fn verdict(report: &BootstrapReport, ui: &Ui, dev: bool, strict: bool) -> Exit {
    let wi = report.workload_identity.as_ref();
    if report.plan {
        if report.pending() {
            ui.info("Changes are pending: run without --plan to apply them.");
            return Exit::Problems;
        }
        if strict && report.fails_only_strict() {
            ui.failed("Nothing to change, but it fails under strict: nvctl's advice (see above; Nomad's own checks pass)");
            return Exit::Problems;
        }
        ui.done("Nothing to change.");
        return Exit::Success;
    }
    if strict && report.fails_only_strict() {
        ui.failed("fails under strict: nvctl's error-grade advice (see the findings above); Nomad's own checks pass");
        return Exit::Problems;
    }
    match &report.verification {
        Some(v) if v.nomad_would_refuse_to_start && wi.is_some() => {
            ui.failed(
                "Nomad would refuse to start with these agent blocks (see the findings above)",
            );
            Exit::Problems
        }
        _ if only_the_jobs_failed(report) => {
            ui.failed("the job checks found problems: a task would not get its secrets (see the findings above)");
            Exit::Problems
        }
        _ if wi.is_some() && report.has_problems() => {
            ui.failed("the workload identity set-up has problems: Nomad's workloads could not log in to Vault or read their secrets (see the findings above)");
            Exit::Problems
        }
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
            match (wi, &report.token_output) {
                (Some(spec), _) => ui.done(format!(
                    "Bootstrap complete (workload identity): Vault accepts Nomad's workload identities at auth/{}/ with role {:?}. Add the blocks below to the agents' configuration; the servers need no Vault token.",
                    spec.path(),
                    spec.role_name
                )),
                (None, Some(_)) if dev => ui.done(
                    "Bootstrap complete against the in-memory Vault: Nomad's start-up checks pass. \
                     Against your own Vault: nvctl bootstrap --address URL --token-output FILE",
                ),
                (None, Some(token_output)) => ui.done(format!(
                    "Bootstrap complete: Nomad's start-up checks pass. Give the servers the token in {token_output} (VAULT_TOKEN in their environment)."
                )),
                (None, None) => ui.done("Bootstrap complete."),
            }
            Exit::Success
        }
    }
}

/// Everything passed but the job checks (`jobs = [...]`).
fn only_the_jobs_failed(report: &BootstrapReport) -> bool {
    let jobs_failed = report
        .steps
        .iter()
        .any(|s| s.step == "jobs" && s.findings.has_errors());
    let others_failed = report
        .steps
        .iter()
        .any(|s| s.step != "jobs" && s.findings.has_errors())
        || report
            .verification
            .as_ref()
            .is_some_and(|v| v.findings.has_errors());
    jobs_failed && !others_failed
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Unchanged => "unchanged",
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Deleted => "deleted",
        Outcome::Pending => "pending",
    }
}

fn summary_table(report: &BootstrapReport) -> String {
    let mut table = steps_table(&report.steps, report.plan);
    if let Some(v) = &report.verification {
        table.row([
            "verify".to_string(),
            v.label.clone(),
            "-".to_string(),
            output::findings_summary(&v.findings),
        ]);
    }
    table.render()
}

/// One row per driven step: what it concerned, what happened, what its verification found.
fn steps_table(steps: &[StepReport], plan: bool) -> Table {
    let mut table = Table::new(["Step", "Object", "Outcome", "Verification"]);
    for s in steps {
        let verification = if plan || s.outcome == Outcome::Pending {
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
    table
}

fn json_document(report: &BootstrapReport, show_secrets: bool) -> serde_json::Value {
    // Workload identity mints no server token: `token` is null.
    let token = report.token_output.as_ref().map(|output| {
        let mut token = json!({
            "accessor": report.token_accessor,
            "output": output,
        });
        if show_secrets {
            if let Some(t) = &report.token {
                token["token"] = json!(t.expose());
            }
        }
        token
    });
    let mut doc = json!({
        "flow": report.flow,
        "workload_identity": report.workload_identity,
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
    });
    // Only a configuration with `jobs = [...]` has a job check to report.
    if let Some(jobs) = &report.jobs {
        doc["jobs"] = json!(jobs);
    }
    doc
}
