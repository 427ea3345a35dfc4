//! Output files nvctl may replace on a later run (`--yes` included) — only when they still hold
//! what nvctl wrote there. nvctl recognises its own files by their exact shape, so no header
//! is needed and a file an operator assembled by hand is never taken for one:
//!
//! - a token file is one line, the token (no spaces), and nothing else;
//! - a `vault` block file holds one `vault` block and nothing else (HCL, or JSON
//!   `{"vault": {…}}`) — a whole agent configuration (`server`, `data_dir`, …) is not one.
//!
//! Anything else at the path is refused, naming it, before Vault is contacted (exit 1).

use std::path::Path;

use anyhow::{bail, Context, Result};

/// What nvctl writes to an output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnFile {
    /// The Nomad servers' token (`--token-output`).
    Token,
    /// A Nomad agent `vault` block (`--server-stanza-output`, `--client-stanza-output`,
    /// `stanza --output`).
    VaultBlock,
}

impl OwnFile {
    fn what(self) -> &'static str {
        match self {
            OwnFile::Token => "a token file as nvctl writes it (one line: the token)",
            OwnFile::VaultBlock => {
                "a `vault` block file as nvctl writes it (one `vault` block, nothing else)"
            }
        }
    }
}

/// Refuses `path` when it exists and is not a file nvctl wrote as `kind`; a missing path is
/// fine (it will be created). `flag` names the option that chose the path.
pub fn ensure_replaceable(path: &Path, kind: OwnFile, flag: &str) -> Result<()> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot look at {flag} {}", path.display()))
        }
    };
    if metadata.is_dir() {
        bail!(
            "{flag} {} is a directory: give the path of a file",
            path.display()
        );
    }
    let limit = match kind {
        OwnFile::Token => crate::local_file::MAX_SECRET_FILE_BYTES,
        OwnFile::VaultBlock => crate::local_file::MAX_INPUT_BYTES,
    };
    let text = crate::local_file::read_text(path, limit)
        .with_context(|| format!("{flag} {} exists and cannot be read", path.display()))?;
    let refusal = match kind {
        OwnFile::Token if is_token_file(&text) => return Ok(()),
        OwnFile::VaultBlock => match vault_block_file(&text) {
            BlockFile::Ours => return Ok(()),
            BlockFile::AgentConfig(others) => format!(
                "it is a Nomad agent configuration (it has {} besides `vault`), not a `vault` \
                 block file: nvctl writes only the block, in a file of its own (Nomad merges \
                 every file of its -config directory, e.g. /etc/nomad.d/vault.hcl)",
                others
            ),
            BlockFile::Other => format!("it is not {}", kind.what()),
        },
        OwnFile::Token => format!("it is not {}", kind.what()),
    };
    bail!(
        "{flag} {} exists and {refusal}; nvctl replaces only files it wrote: move it away or \
         choose another path",
        path.display()
    )
}

/// One line holding a token, as nvctl writes it (`<token>\n`).
fn is_token_file(text: &str) -> bool {
    let token = text.strip_suffix('\n').unwrap_or(text);
    !token.is_empty() && token.chars().all(|c| c.is_ascii_graphic())
}

enum BlockFile {
    Ours,
    /// A configuration with other top-level keys, listed.
    AgentConfig(String),
    Other,
}

fn vault_block_file(text: &str) -> BlockFile {
    let keys: Vec<String> = if text.trim_start().starts_with('{') {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
            Ok(map) => map.keys().cloned().collect(),
            Err(_) => return BlockFile::Other,
        }
    } else {
        match hcl::edit::parser::parse_body(text) {
            Ok(body) => {
                let mut keys = Vec::new();
                for structure in body.iter() {
                    match structure {
                        hcl::edit::structure::Structure::Block(b) if b.labels.is_empty() => {
                            keys.push(b.ident.as_str().to_string())
                        }
                        hcl::edit::structure::Structure::Block(b) => {
                            keys.push(format!("{} \"…\"", b.ident.as_str()))
                        }
                        hcl::edit::structure::Structure::Attribute(a) => {
                            keys.push(a.key.as_str().to_string())
                        }
                    }
                }
                keys
            }
            Err(_) => return BlockFile::Other,
        }
    };
    match keys.iter().filter(|k| *k == "vault").count() {
        1 if keys.len() == 1 => BlockFile::Ours,
        1 => {
            let others: Vec<String> = keys
                .iter()
                .filter(|k| *k != "vault")
                .map(|k| format!("`{k}`"))
                .collect();
            BlockFile::AgentConfig(others.join(", "))
        }
        _ => BlockFile::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_is_one_line_without_spaces() {
        assert!(is_token_file("hvs.CAESIabc\n"));
        assert!(is_token_file("s.abc"));
        assert!(!is_token_file(""));
        assert!(!is_token_file("hvs.a\nhvs.b\n"));
        assert!(!is_token_file("export VAULT_TOKEN=x y\n"));
        assert!(!is_token_file("data_dir = \"/opt/nomad\"\n"));
    }

    #[test]
    fn a_vault_block_file_holds_the_block_alone() {
        assert!(matches!(
            vault_block_file("vault {\n  enabled = true\n}\n"),
            BlockFile::Ours
        ));
        assert!(matches!(
            vault_block_file("{\"vault\": {\"enabled\": true}}"),
            BlockFile::Ours
        ));
        match vault_block_file("data_dir = \"/opt/nomad\"\nserver {\n enabled = true\n}\nvault {\n enabled = true\n}\n") {
            BlockFile::AgentConfig(others) => assert_eq!(others, "`data_dir`, `server`"),
            _ => panic!("an agent configuration"),
        }
        assert!(matches!(vault_block_file("hello"), BlockFile::Other));
        assert!(matches!(
            vault_block_file("vault {}\nvault {}\n"),
            BlockFile::Other
        ));
    }
}
