//! `nvctl completions SHELL`: the same scripts that are checked in under completions/.

use anyhow::Result;

use crate::cli::CompletionsArgs;
use crate::exit::Exit;

pub fn run(args: &CompletionsArgs) -> Result<Exit> {
    let mut out = Vec::new();
    render(args.shell, &mut out);
    crate::output::stdout(String::from_utf8_lossy(&out).trim_end())?;
    Ok(Exit::Success)
}

/// Writes the completion script for `shell`; the completions test compares these with the
/// checked-in files.
pub fn render(shell: clap_complete::Shell, out: &mut Vec<u8>) {
    clap_complete::generate(shell, &mut crate::cli::completion_command(), "nvctl", out);
}
