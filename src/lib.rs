//! nvctl: bootstrap and verify the Nomad ↔ Vault integration against a live Vault.
//!
//! Data flows one way: `cli` → `commands` → `steps`/`checks` → `vault` (HTTP). Nomad's rules
//! live in `nomad` as pure functions; `output` is the only place that talks to the terminal.

pub mod acl;
pub mod bootstrap;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod dev;
pub mod doctor;
pub mod duration;
pub mod exit;
pub mod initfile;
pub mod interrupt;
pub mod local_file;
pub mod nomad;
pub mod output;
pub mod postgres_login;
pub mod postgres_url;
pub mod secret;
pub mod secret_file;
pub mod secret_once;
pub mod settings;
pub mod source;
pub mod steps;
pub mod validation;
pub mod vault;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::Exit;
use crate::settings::{ProcessEnvironment, Settings};

/// The whole program: parse, resolve settings once, run, map the outcome to an exit code.
/// Errors are printed once, with their causes, on stderr.
pub fn main() -> ExitCode {
    // First: from here on a signal removes nvctl's temporary files, and is held while a
    // secret that exists once is on its way to disk.
    if let Err(e) = interrupt::install() {
        eprintln!("warning: cannot handle signals ({e}): an interrupt may leave temporary files");
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            let exit = match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Exit::Success,
                // Usage errors are 1 (clap's own default is 2, which nvctl reserves for Vault).
                _ => Exit::Usage,
            };
            let _ = err.print();
            return exit.into();
        }
    };
    let outcome = Settings::resolve(&cli.global, &ProcessEnvironment)
        .and_then(|settings| commands::dispatch(cli, &settings));
    match outcome {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::classify(&err).into()
        }
    }
}
