//! `nvctl unseal`: step 2 on its own — unseal every `--address` in turn (or `--reset` them).
//!
//! Keys come from the init file, stdin (one per line) or a hidden prompt, never from
//! arguments. Exit 0 when every node ends unsealed; 1 for a missing key source or a malformed
//! key (nothing sent); 2 when a node refused the keys or could not be reached.

use anyhow::{Context, Result};
use serde_json::json;
use zeroize::Zeroize;

use crate::checks::Findings;
use crate::cli::{Format, UnsealArgs};
use crate::exit::Exit;
use crate::initfile::InitFile;
use crate::output::{self, Table, Ui};
use crate::secret::UnsealKey;
use crate::settings::Settings;
use crate::steps::pipeline::drive_one;
use crate::steps::unseal::{validate_keys, KeySource, NodeUnseal, UnsealStep};
use crate::steps::Consent;

pub fn run(args: &UnsealArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("unseal", &[Format::Table, Format::Json])?;
    let keys = if args.reset {
        KeySource::Given(Vec::new())
    } else {
        key_source(args, ui)?
    };
    let client = settings.vault_client()?;
    let mut step = UnsealStep::new(settings.addresses.clone(), keys, args.reset);

    // A node that failed leaves the others' results standing: the table shows every node,
    // then the error is reported.
    let (findings, applied) = match drive_one(&mut step, &client, ui, Consent::AskOnUpdate) {
        Ok(report) => (report.findings, Ok(())),
        Err(e) if !step.nodes().is_empty() => (Findings::new(), Err(e)),
        Err(e) => return Err(e),
    };

    match format {
        Format::Json => output::json(&json!({
            "reset": args.reset,
            "nodes": step.nodes(),
            "findings": findings,
        }))?,
        _ => output::stdout(&render(step.nodes()))?,
    }
    applied?;
    if findings.has_errors() {
        for f in findings.iter() {
            ui.failed(format!("{}: {}", f.subject, f.message));
        }
        return Ok(Exit::Vault);
    }
    Ok(Exit::Success)
}

/// Reads the keys from the file or stdin and checks them all before anything is sent.
fn key_source(args: &UnsealArgs, ui: &Ui) -> Result<KeySource> {
    if let Some(path) = &args.keys_file {
        let file = InitFile::read(path)?;
        let keys = file.unseal_keys();
        validate_keys(&keys, &path.display().to_string())?;
        return Ok(KeySource::Given(keys));
    }
    if args.stdin {
        let mut text = crate::local_file::read_bounded(
            std::io::stdin().lock(),
            crate::local_file::MAX_SECRET_FILE_BYTES,
        )
        .and_then(crate::local_file::text)
        .context("cannot read unseal keys from stdin")?;
        let keys: Vec<UnsealKey> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(UnsealKey::new)
            .collect();
        text.zeroize();
        if keys.is_empty() {
            anyhow::bail!("no unseal keys on stdin: give one key per line");
        }
        validate_keys(&keys, "stdin")?;
        return Ok(KeySource::Given(keys));
    }
    if ui.interactive {
        return Ok(KeySource::Prompt);
    }
    anyhow::bail!(
        "no unseal keys: pass --keys-file PATH (the init file) or --stdin (one key per line); \
         nvctl prompts only on a terminal and never takes keys from arguments"
    )
}

fn render(nodes: &[NodeUnseal]) -> String {
    let mut table = Table::new(["Address", "Before", "After", "Progress"]);
    for n in nodes {
        let after = match (&n.after, &n.error) {
            (_, Some(_)) if n.after.as_ref().is_none_or(|a| a.sealed) => "failed".to_string(),
            (Some(a), _) => a.describe(),
            (None, _) => "-".to_string(),
        };
        let progress = n
            .after
            .as_ref()
            .map(|a| {
                if a.initialized && !a.sealed {
                    format!("{t}/{t}", t = a.threshold)
                } else {
                    format!("{}/{}", a.progress, a.threshold)
                }
            })
            .unwrap_or_else(|| "-".into());
        table.row([n.address.clone(), n.before.describe(), after, progress]);
    }
    table.render()
}
