//! `nvctl init`: step 1 on its own — initialise Vault, keep the keys in a 0600 file, print a
//! summary that says where they are (masked unless `--show-secrets`).
//!
//! Exit 0 when initialised now or already; 1 for bad flags, an existing or unwritable output
//! file (nothing sent then); 2 when Vault failed, including when the keys could not be saved
//! after Vault answered (they are printed on stderr instead).

use anyhow::Result;
use serde_json::json;

use crate::cli::{Format, InitArgs};
use crate::exit::Exit;
use crate::initfile::InitFile;
use crate::output::{self, Ui};
use crate::secret::UnsealKey;
use crate::settings::Settings;
use crate::steps::init::{read_pgp_key, InitSpec, InitStep};
use crate::steps::pipeline::drive_one;
use crate::steps::Consent;

pub fn run(args: &InitArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("init", &[Format::Table, Format::Json])?;
    let spec = InitSpec {
        shares: args.key_shares,
        threshold: args.key_threshold,
        pgp_keys: args
            .pgp_keys
            .iter()
            .map(|p| read_pgp_key(p))
            .collect::<Result<_>>()?,
        root_token_pgp_key: args
            .root_token_pgp_key
            .as_deref()
            .map(read_pgp_key)
            .transpose()?,
        output: args.output.clone(),
    };
    // Vault's own rules, before anything is sent (the step checks again with the seal type).
    spec.validate(false)?;
    if let Some(warning) = spec.weak_split_warning() {
        ui.warn(warning);
    }

    let client = settings.vault_client()?;
    let mut step = InitStep::new(spec);
    let report = drive_one(&mut step, &client, ui, Consent::AskOnUpdate)?;

    if step.was_initialized() {
        if let Some(told) = step.keys_lost() {
            return Err(anyhow::Error::new(crate::exit::VaultFailure(
                told.to_owned(),
            )));
        }
        ui.info(format!(
            "Vault at {} is already initialized: nothing was sent (nvctl never re-initialises).",
            client.address()
        ));
        if format == Format::Json {
            output::json(&json!({
                "address": client.address(),
                "initialized": true,
                "already_initialized": true,
                "output": null,
                "findings": report.findings,
            }))?;
        }
        return Ok(Exit::Success);
    }

    let Some(file) = step.init_file() else {
        anyhow::bail!("sys/init answered but no keys were kept (internal error)");
    };
    let path = step.spec().output.display().to_string();
    let shown = |keys: &[UnsealKey]| -> Vec<String> {
        keys.iter().map(|k| ui.secret(k.expose())).collect()
    };
    match format {
        Format::Json => output::json(&json!({
            "address": client.address(),
            "initialized": true,
            "already_initialized": false,
            "output": path,
            "seal_type": step.observed_seal().map(|s| s.seal_type.clone()),
            "unseal_shares": file.unseal_shares,
            "unseal_threshold": file.unseal_threshold,
            "recovery_keys_shares": file.recovery_keys_shares,
            "recovery_keys_threshold": file.recovery_keys_threshold,
            "unseal_keys_b64": shown(&file.unseal_keys_b64),
            "unseal_keys_hex": shown(&file.unseal_keys_hex),
            "recovery_keys_b64": shown(&file.recovery_keys_b64),
            "recovery_keys_hex": shown(&file.recovery_keys_hex),
            "root_token": ui.secret(file.root_token.expose()),
            "secrets_shown": ui.show_secrets,
            "findings": report.findings,
        }))?,
        _ => output::stdout(&summary(file, &path, step.spec(), ui))?,
    }
    for finding in report.findings.iter() {
        ui.warn(&finding.message);
    }
    Ok(if report.findings.has_errors() {
        Exit::Vault
    } else {
        Exit::Success
    })
}

/// The human summary, shaped like `vault operator init`'s (Vault's sentences are quoted).
fn summary(file: &InitFile, path: &str, spec: &InitSpec, ui: &Ui) -> String {
    let mut out = Vec::new();
    let recovery = file.is_recovery();
    out.push(format!(
        "Vault initialized. The {} and the root token are saved in {path} (mode 0600).",
        if recovery {
            "recovery keys"
        } else {
            "unseal keys"
        }
    ));
    out.push(String::new());
    let pick = |b64: &[UnsealKey], hex: &[UnsealKey]| -> Vec<String> {
        let keys = if b64.len() == hex.len() || hex.is_empty() {
            b64
        } else {
            hex
        };
        keys.iter().map(|k| ui.secret(k.expose())).collect()
    };
    for (i, key) in pick(&file.unseal_keys_b64, &file.unseal_keys_hex)
        .iter()
        .enumerate()
    {
        out.push(format!("Unseal Key {}: {key}", i + 1));
    }
    for (i, key) in pick(&file.recovery_keys_b64, &file.recovery_keys_hex)
        .iter()
        .enumerate()
    {
        out.push(format!("Recovery Key {}: {key}", i + 1));
    }
    out.push(String::new());
    out.push(format!(
        "Initial Root Token: {}",
        ui.secret(file.root_token.expose())
    ));
    out.push(String::new());
    let (shares, threshold) = (spec.shares, spec.threshold);
    if ui.show_secrets && !recovery {
        out.push(format!(
            "Vault initialized with {shares} key shares and a key threshold of {threshold}. Please \
             securely distribute the key shares printed above. When the Vault is re-sealed, \
             restarted, or stopped, you must supply at least {threshold} of these keys to unseal \
             it before it can start servicing requests."
        ));
    } else if ui.show_secrets {
        out.push(format!(
            "Recovery key initialized with {shares} key shares and a key threshold of \
             {threshold}. Please securely distribute the key shares printed above."
        ));
    } else {
        out.push(format!(
            "Vault initialized with {shares} key shares and a key threshold of {threshold}. The \
             keys are masked here (--show-secrets prints them); distribute the shares in {path} \
             securely to their holders, then remove the file."
        ));
    }
    if !recovery {
        out.push(String::new());
        out.push(format!(
            "Vault does not store the generated root key. Without at least {threshold} keys to \
             reconstruct the root key, Vault will remain permanently sealed!"
        ));
        out.push(String::new());
        out.push(format!("Next: nvctl unseal --keys-file {path}"));
    }
    out.join("\n")
}
