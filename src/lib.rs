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
pub mod http;
pub mod initfile;
pub mod interrupt;
pub mod local_file;
pub mod nomad;
pub mod nomad_api;
pub mod output;
pub mod own_file;
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
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            let exit = match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Exit::Success,
                // Usage errors are 1 (clap's own default is 2, which nvctl reserves for Vault).
                _ => Exit::Usage,
            };
            let _ = err.print();
            if exit != Exit::Success && json_asked(std::env::args_os().skip(1)) {
                // clap's text has its own "error: " prefix and usage lines; keep the first line.
                let text = err.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                output::json_error(first.trim_start_matches("error: "), exit.code());
            }
            return exit.into();
        }
    };
    let json = cli.global.format.map_or_else(
        || json_asked(std::iter::empty()),
        |f| f == cli::Format::Json,
    );
    let outcome = {
        let _leftovers = interrupt::Leftovers;
        Settings::resolve(&cli.global, &ProcessEnvironment)
            .and_then(|settings| commands::dispatch(cli, &settings))
    };
    match outcome {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            let exit = exit::classify(&err);
            if json {
                output::json_error(&format!("{err:#}"), exit.code());
            }
            exit.into()
        }
    }
}

/// Whether JSON output was asked for, from raw arguments (when clap refused them) or
/// `NVCTL_FORMAT`: `--format json` / `--format=json` win over the environment.
fn json_asked(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let mut from_flag = None;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        if arg == "--format" {
            from_flag = args
                .peek()
                .map(|v| v.to_string_lossy().eq_ignore_ascii_case("json"));
        } else if let Some(value) = arg.strip_prefix("--format=") {
            from_flag = Some(value.eq_ignore_ascii_case("json"));
        }
    }
    from_flag.unwrap_or_else(|| {
        std::env::var("NVCTL_FORMAT").is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"))
    })
}
