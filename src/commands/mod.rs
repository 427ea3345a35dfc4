//! One module per command: glue from the parsed command line to steps, checks and output.

mod bootstrap;
mod check_job;
mod check_role;
mod completions;
mod dev;
mod doctor;
mod init;
mod job_policy;
mod policy;
mod role;
mod stanza;
mod status;
mod token;
mod token_wrapping;
mod unseal;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::exit::Exit;
use crate::output::{RequestLog, Ui};
use crate::settings::Settings;

/// Runs one parsed command with settled settings, then shows what the Vault clients noticed
/// on the way (a token sent over plain `http://`…), whatever the outcome: by then the token
/// has travelled.
pub fn dispatch(cli: Cli, settings: &Settings) -> Result<Exit> {
    if let Some(name) = without_vault(&cli.command) {
        let given = cli.global.vault_options_given();
        if !given.is_empty() {
            anyhow::bail!(
                "`nvctl {name}` does not talk to Vault and takes no {}",
                given.join(", ")
            );
        }
    }
    let ui = Ui::new(settings);
    // -v: one line per exchange with Vault, from every client the command builds.
    let logged;
    let settings = if ui.verbose > 0 && !ui.quiet {
        logged = settings
            .clone()
            .with_request_observer(std::sync::Arc::new(RequestLog::new(ui.clone())));
        &logged
    } else {
        settings
    };
    let outcome = match cli.command {
        Command::Completions(args) => completions::run(&args),
        Command::Bootstrap(args) => bootstrap::run(&args, &cli.global, settings, &ui),
        Command::Status => status::run(settings, &ui),
        Command::Init(args) => init::run(&args, settings, &ui),
        Command::Unseal(args) => unseal::run(&args, settings, &ui),
        Command::Policy(command) => policy::run(&command, settings, &ui),
        Command::Role(command) => role::run(&command, settings, &ui),
        Command::CheckRole(args) => check_role::run(&args, settings, &ui),
        Command::Token(command) => token::run(&command, settings, &ui),
        Command::Stanza(command) => stanza::run(&command, settings, &ui),
        Command::Doctor(args) => doctor::run(&args, settings, &ui),
        Command::CheckJob(args) => check_job::run(&args, settings, &ui),
        Command::JobPolicy(args) => job_policy::run(&args, settings, &ui),
        Command::Dev(args) => dev::run(&args, settings, &ui),
    };
    for notice in settings.take_vault_notices() {
        ui.warn(notice);
    }
    outcome
}

/// The name of a command that never talks to Vault (see [`crate::cli::WITHOUT_VAULT`]).
fn without_vault(command: &Command) -> Option<&'static str> {
    match command {
        Command::Dev(_) => Some("dev"),
        Command::Completions(_) => Some("completions"),
        _ => None,
    }
}
