//! `stanza { vault_address, task_token_ttl, server_output, client_output }`: the agents'
//! `vault` blocks — the address the agents use, the servers' `task_token_ttl` (checked with
//! Nomad's own rule, `nomad::stanza::task_token_ttl`), and the files they are written to.

use std::path::PathBuf;

use super::problems::{Origin, Setting};
use super::reader::{RawBlock, Schema};
use super::{Resolver, DEFAULT_TASK_TOKEN_TTL};
use crate::nomad::gofmt::go_quote;
use crate::nomad::stanza::{task_token_ttl, TaskTokenTtlError};

pub(super) const SCHEMA: Schema = Schema::block(
    "stanza",
    &[
        "vault_address",
        "task_token_ttl",
        "server_output",
        "client_output",
    ],
);

pub(super) struct Stanza {
    /// The address the Nomad agents use.
    pub vault_address: String,
    /// A Go duration, as written into the server block.
    pub task_token_ttl: String,
    pub server_output: Option<Setting<PathBuf>>,
    pub client_output: Option<Setting<PathBuf>>,
}

/// `active` is the active node's address, the agents' default.
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver, active: Option<&String>) -> Stanza {
    let block = file.block(SCHEMA.name);
    let p = &mut r.problems;
    let file_address = block.and_then(|b| b.string("vault_address", p));
    let file_ttl = block.and_then(|b| b.duration("task_token_ttl", p));
    let file_server = block.and_then(|b| b.path("server_output", p));
    let file_client = block.and_then(|b| b.path("client_output", p));
    let args = r.args;

    let vault_address =
        match Setting::either(args.vault_address.clone(), "--vault-address", file_address) {
            Some(a) => match crate::settings::validate_address(&a.value) {
                Ok(v) => v,
                Err(e) => {
                    r.problems
                        .error(&a.origin, format!("invalid Nomad vault address: {e:#}"));
                    String::new()
                }
            },
            None => active.cloned().unwrap_or_default(),
        };

    // Read by Nomad with Go's parser: its words, its minimum.
    let ttl = Setting::pick(
        args.task_token_ttl.clone(),
        "--task-token-ttl",
        file_ttl,
        || DEFAULT_TASK_TOKEN_TTL.to_string(),
    );
    let ttl_text = match ttl.value.parse::<u64>() {
        // A bare number in the file means seconds; Nomad's parser wants a unit.
        Ok(secs) if matches!(ttl.origin, Origin::File(_)) => format!("{secs}s"),
        _ => ttl.value.clone(),
    };
    match task_token_ttl(&ttl_text) {
        Err(e @ TaskTokenTtlError::Unparsable(_)) => r.problems.error(
            &ttl.origin,
            format!("{e} (Nomad's words; use a Go duration such as \"1h\")"),
        ),
        Err(e @ TaskTokenTtlError::BelowMinimum) => r.problems.error(
            &ttl.origin,
            format!(
                "task_token_ttl {}: {e} (Nomad would refuse to start)",
                go_quote(&ttl_text)
            ),
        ),
        Ok(_) => {}
    }

    Stanza {
        vault_address,
        task_token_ttl: ttl_text,
        server_output: Setting::either(
            args.server_stanza_output.clone(),
            "--server-stanza-output",
            file_server,
        ),
        client_output: Setting::either(
            args.client_stanza_output.clone(),
            "--client-stanza-output",
            file_client,
        ),
    }
}
