//! `nvctl stanza server|client`: print (or write) the agent `vault` block, checked by parsing it
//! back and running Nomad's agent rules over it.

use anyhow::{bail, Context, Result};

use crate::cli::{Flow, Format, StanzaArgs, StanzaCommand};
use crate::exit::Exit;
use crate::nomad::stanza::{AgentKind, StanzaOptions, VaultBlock, TOKEN_ENV_NOTE};
use crate::output::{self, Ui};
use crate::secret::SecretString;
use crate::settings::Settings;
use crate::steps::pipeline::drive_one;
use crate::steps::stanza::{StanzaFormat, StanzaStep};
use crate::steps::Consent;

pub fn run(command: &StanzaCommand, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let (kind, args) = match command {
        StanzaCommand::Server(args) => (AgentKind::Server, args),
        StanzaCommand::Client(args) => (AgentKind::Client, args),
    };
    let format = match settings.format_for("stanza", &[Format::Hcl, Format::Json])? {
        Format::Json => StanzaFormat::Json,
        _ => StanzaFormat::Hcl,
    };
    // A block with a token is a secret and never replaces anything (`embeddable_token`).
    if let Some(path) = args.output.as_ref().filter(|_| !args.embed_token) {
        crate::own_file::ensure_replaceable(
            path,
            crate::own_file::OwnFile::VaultBlock,
            "--output",
        )?;
    }
    let embed_token = if args.embed_token {
        Some(embeddable_token(kind, args, settings)?)
    } else {
        None
    };
    let stanza = build(kind, args, settings, embed_token)?;
    let mut step = StanzaStep::new(kind, stanza, format, args.output.clone());

    // Nomad's fatal start errors in a block nvctl would print are the operator's input errors.
    let findings = step.check();
    if findings.nomad_would_refuse_to_start() {
        eprint!("{}", output::render_findings(ui, &findings));
        bail!("refusing to print a vault block Nomad would not start with");
    }
    if args.embed_token {
        let place = args
            .output
            .as_ref()
            .map(|p| format!("{} (created 0600)", p.display()))
            .unwrap_or_else(|| "stdout".to_string());
        ui.warn(format!(
            "the block embeds the Nomad servers' Vault token in {place}; prefer VAULT_TOKEN in \
             the Nomad service environment"
        ));
    }

    match &args.output {
        None => output::stdout(step.render().trim_end())?,
        Some(_) => {
            // The stanza step never talks to Vault; a client is only needed for the trait.
            let client = settings.vault_client()?;
            drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;
        }
    }
    // The HCL carries this note as a comment; JSON cannot.
    if kind == AgentKind::Server
        && args.flow == Flow::Legacy
        && !args.embed_token
        && format == StanzaFormat::Json
    {
        ui.info(TOKEN_ENV_NOTE);
    }
    if findings.worst() > Some(crate::checks::Severity::Info) || ui.verbose > 0 {
        eprint!("{}", output::render_findings(ui, &findings));
    }
    Ok(if findings.has_errors() {
        Exit::Problems
    } else {
        Exit::Success
    })
}

/// The token `--embed-token` puts in the block (clap has made sure it came from
/// `--token-file`), after the checks that make embedding it acceptable: a server block of the
/// token flow, a file that does not exist yet, and not a root token.
fn embeddable_token(
    kind: AgentKind,
    args: &StanzaArgs,
    settings: &Settings,
) -> Result<SecretString> {
    if kind == AgentKind::Client {
        bail!("a client vault block never carries a token (Nomad clients do not use one)");
    }
    if args.flow == Flow::WorkloadIdentity {
        bail!("a workload-identity vault block carries no token: drop --embed-token");
    }
    match &args.output {
        Some(path) => crate::secret_file::ensure_absent(path)?,
        // `token create`'s rule: a token reaches stdout only when the operator asked for
        // secrets to be shown.
        None if !settings.show_secrets => bail!(
            "--embed-token without --output would print the servers' token on stdout: use \
             --output FILE (written 0600), or --show-secrets to print it"
        ),
        None => {}
    }
    let token = settings.require_token()?.clone();
    let lookup = settings
        .vault_client()?
        .lookup_self()
        .context("cannot look up the token to embed")?;
    if lookup.policies.iter().any(|p| p == "root") {
        bail!(
            "refusing to embed a root token ({}) in the Nomad servers' vault block: it never \
             expires, nothing limits what it can do, and whoever reads the agent configuration \
             owns all of Vault. Give the servers their own token — `nvctl token create --output \
             FILE` mints the documented orphan, periodic nomad-server token — and embed that",
            settings.token_source
        );
    }
    Ok(token)
}

/// The block the flags describe, carrying `embed_token` when given.
pub fn build(
    kind: AgentKind,
    args: &StanzaArgs,
    settings: &Settings,
    embed_token: Option<SecretString>,
) -> Result<VaultBlock> {
    let address = match &args.vault_address {
        Some(a) => crate::settings::validate_address(a).context("invalid --vault-address")?,
        None => settings.address().to_string(),
    };
    if args.flow == Flow::WorkloadIdentity {
        let audiences = crate::steps::wi::audience_setting(&args.audience)
            .map_err(|e| anyhow::anyhow!("invalid --audience: {e}"))?;
        crate::duration::parse_go(&args.identity_ttl)
            .map_err(|e| anyhow::anyhow!("invalid --identity-ttl {:?}: {e}", args.identity_ttl))?;
        let path = crate::steps::wi::auth_path_setting(&args.auth_path)
            .map_err(|e| anyhow::anyhow!("invalid --auth-path: {e}"))?;
        return Ok(match kind {
            AgentKind::Server => {
                let mut s = VaultBlock::workload_identity_server(&audiences, &args.identity_ttl);
                s.address = Some(address);
                s
            }
            AgentKind::Client => {
                VaultBlock::workload_identity_client(&address, &format!("{path}/"))
            }
        });
    }
    let opts = StanzaOptions {
        vault_address: address,
        role: Some(args.role.clone()),
        task_token_ttl: Some(args.task_token_ttl.clone()),
        namespace: settings.namespace.clone(),
        ca_file: args.ca_file.clone(),
        cert_file: args.cert_file.clone(),
        key_file: args.key_file.clone(),
        tls_server_name: settings.tls.server_name.clone(),
        embed_token,
    };
    Ok(match kind {
        AgentKind::Server => VaultBlock::server(&opts),
        AgentKind::Client => VaultBlock::client(&opts),
    })
}
