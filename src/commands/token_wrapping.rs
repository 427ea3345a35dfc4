//! The servers' token delivered response-wrapped (vault-api.md §9): `token create --wrap-ttl`
//! mints it and hands out only the single-use wrapping token; `token unwrap`, on the server
//! host, gets the token itself — once — writes it 0600 and runs Nomad's start-up checks on
//! it. The long-lived token never passes through a terminal, a CI log or the operator's
//! machine.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use serde_json::json;
use zeroize::{Zeroize, Zeroizing};

use crate::cli::{Format, TokenCreateArgs, TokenUnwrapArgs};
use crate::exit::{Exit, VaultFailure};
use crate::output::{self, Table, Ui};
use crate::secret::SecretString;
use crate::secret_once::{OnceSecret, Sent};
use crate::settings::{read_token_file, Settings};
use crate::steps::pipeline::drive_one;
use crate::steps::token::{ServerTokenSpec, TokenStep};
use crate::steps::Consent;
use crate::validation::{validate_server_token, AgentSettings};
use crate::vault::{TokenCreated, VaultClient, VaultError};

use super::token::report_startup;

/// `token create --wrap-ttl`: the token minted wrapped; the wrapping token saved (`--output`)
/// or printed (`--format raw`, or a table/JSON with `--show-secrets`).
pub fn create_wrapped(
    args: &TokenCreateArgs,
    settings: &Settings,
    ui: &Ui,
    format: Format,
    spec: ServerTokenSpec,
    wrap_ttl: u64,
) -> Result<Exit> {
    let client = settings.authenticated_client()?;
    let agent = AgentSettings::new(Some(args.nomad_role.as_str()), true);
    let mut step = TokenStep::new(spec, agent, args.output.clone(), false).wrapped(wrap_ttl);
    // `token create` always mints: the command itself is the consent.
    drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;
    let info = step
        .wrap_info()
        .context("no wrapped token was minted (internal error)")?;
    let wrapping = info.token.expose();
    let inside = info.wrapped_accessor.as_deref().unwrap_or("-");
    match format {
        Format::Raw => output::stdout(wrapping)?,
        Format::Json => {
            let mut doc = json!({
                "wrapped": true,
                "wrapping_token_accessor": info.accessor,
                "wrap_ttl": info.ttl,
                "creation_time": info.creation_time,
                "creation_path": info.creation_path,
                "wrapped_accessor": info.wrapped_accessor,
                "output": args.output,
            });
            if settings.show_secrets {
                doc["wrapping_token"] = json!(wrapping);
            }
            output::json(&doc)?;
        }
        _ => {
            let mut table = Table::key_value();
            table
                .row(["wrapping_token", &ui.secret(wrapping)])
                .row(["wrapping_token_accessor", &info.accessor])
                .row([
                    "wrapping_token_ttl",
                    &crate::duration::format_friendly(info.ttl),
                ])
                .row(["wrapping_token_creation_path", &info.creation_path])
                .row(["wrapped_accessor", inside]);
            if let Some(path) = &args.output {
                table.row(["written_to", &path.display().to_string()]);
            }
            output::stdout(&table.render())?;
        }
    }
    let from = match &args.output {
        Some(path) => format!("--wrapping-token-file {}", path.display()),
        None => "--wrapping-token-file - (the wrapping token on standard input)".to_string(),
    };
    ui.done(format!(
        "The servers' token stays in Vault, wrapped: the wrapping token above works once, within {}. \
         On the server host run `nvctl token unwrap {from} --output PATH`: it writes the token 0600 \
         and runs Nomad's start-up checks on it. If the unwrap fails because the wrapping token \
         was already used, someone else unwrapped it: revoke the token with \
         `vault token revoke -accessor {inside}`.",
        crate::duration::format_friendly(info.ttl)
    ));
    Ok(Exit::Success)
}

/// `token unwrap`: the wrapping token checked (where it came from), the token unwrapped once
/// and kept by [`crate::secret_once`]'s rules, then Nomad's start-up checks on it.
pub fn unwrap(args: &TokenUnwrapArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("token unwrap", &[Format::Table, Format::Json])?;
    let wrapping = read_wrapping_token(args)?;
    let client = settings.vault_client()?;
    let secret = OnceSecret {
        request: "POST sys/wrapping/unwrap".into(),
        server: client.address().to_owned(),
        effect: "The wrapping token was used up".into(),
        holds: "the Nomad servers' token".into(),
        plural: false,
        if_lost: "the token inside cannot be unwrapped again: revoke it (`vault token revoke \
                  -accessor <wrapped_accessor>`, as `nvctl token create --wrap-ttl` printed it) \
                  and mint a new one with `nvctl token create --wrap-ttl`"
            .into(),
        check: "Check by running the same `nvctl token unwrap` again (it looks the wrapping \
                token up before using it)"
            .into(),
        if_acted: "if it says the wrapping token cannot be used".into(),
        bound: client.timeout(),
        target: args.output.clone(),
    };
    // Before anything is sent: the file must be new and its place writable.
    let prepared = secret.prepare()?;

    // Not using it up: a wrapping token that wraps anything but a token creation is not
    // nvctl's (vault-api.md §9; Vault's docs advise checking creation_path before unwrapping).
    let lookup = client.lookup_wrapping(&wrapping).map_err(|e| {
        let context = if e.status() == Some(400) {
            "the wrapping token cannot be used: it expired, or it was already unwrapped — if \
             not by you, someone else holds the servers' token: revoke it by its accessor \
             (wrapped_accessor) and mint a new one; nothing was written"
        } else {
            "cannot look the wrapping token up (sys/wrapping/lookup); nothing was unwrapped"
        };
        anyhow::Error::new(e).context(context)
    })?;
    if !lookup.creation_path.starts_with("auth/token/create") {
        ui.failed(format!(
            "the wrapping token wraps the answer of {:?}, not a token creation: it was not \
             unwrapped (it is not what `nvctl token create --wrap-ttl` hands out; it may have \
             been substituted)",
            lookup.creation_path
        ));
        return Ok(Exit::Problems);
    }
    ui.detail(format!(
        "the wrapping token wraps {} (created {}, valid {})",
        lookup.creation_path,
        lookup.creation_time,
        crate::duration::format_friendly(lookup.creation_ttl)
    ));

    let created = prepared.exchange(
        || match Sent::from_vault(client.unwrap_answer(&wrapping)) {
            Sent::Refused(e) => Sent::Refused(e.context(
                "Vault refused to unwrap: the wrapping token may have been used (by someone \
                 else?) or expired since it was looked up",
            )),
            other => other,
        },
        |answer| judge(&client, answer),
        |created| Zeroizing::new(format!("{}\n", created.auth.client_token.expose()).into_bytes()),
    )?;
    for warning in &created.warnings {
        ui.warn(format!("Vault: {warning}"));
    }
    ui.done(format!(
        "Wrote the servers' token (accessor {}) to {} (0600); the wrapping token is used up",
        created.auth.accessor,
        args.output.display()
    ));

    let token = created.auth.client_token.clone();
    let agent = AgentSettings::new(Some(args.nomad_role.as_str()), args.allow_unauthenticated);
    let report = validate_server_token(&client, &token, &agent)?;
    report_startup(format, ui, &report, settings.strict)
}

/// The unwrapped answer: a token creation's `auth`.
fn judge(client: &VaultClient, answer: &[u8]) -> Result<TokenCreated> {
    let created = client
        .judge_unwrapped(answer)
        .map_err(|e: VaultError| anyhow::Error::new(e))?;
    if created.auth.client_token.expose().is_empty() {
        return Err(VaultFailure("the unwrapped answer holds no client_token".into()).into());
    }
    Ok(created)
}

/// The wrapping token from its file, or from standard input (`-`), never from an argument.
fn read_wrapping_token(args: &TokenUnwrapArgs) -> Result<SecretString> {
    let path = &args.wrapping_token_file;
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            anyhow::bail!(
                "--wrapping-token-file - reads the wrapping token from standard input, which is \
                 a terminal: pipe it in, or give the file it is in"
            );
        }
        let mut text =
            crate::local_file::read_bounded(stdin.lock(), crate::local_file::MAX_SECRET_FILE_BYTES)
                .and_then(crate::local_file::text)
                .context("cannot read the wrapping token from standard input")?;
        let token = text.lines().next().unwrap_or("").trim().to_string();
        text.zeroize();
        if token.is_empty() {
            anyhow::bail!("no wrapping token on standard input");
        }
        return Ok(SecretString::new(token));
    }
    read_token_file(path)
        .with_context(|| format!("cannot read the wrapping token file {}", path.display()))
}
