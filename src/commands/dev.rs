//! `nvctl dev`: an in-memory Vault sandbox on loopback, like `vault server -dev`.
//!
//! Nothing is persisted: the sandbox lives in this process and is gone at Ctrl-C. As with
//! `vault server -dev`, the root token (and unseal keys when sealed) are printed on purpose:
//! this Vault holds nothing worth protecting.

use anyhow::Result;

use crate::cli::{DevArgs, Flavor as FlavorArg, Format};
use crate::dev::{self, Flavor, Start};
use crate::exit::Exit;
use crate::output::{self, Ui};
use crate::settings::Settings;

pub fn run(args: &DevArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("dev", &[Format::Table, Format::Json])?;
    let flavor = match args.flavor {
        FlavorArg::Vault => Flavor::Vault,
        FlavorArg::Openbao => Flavor::OpenBao,
    };
    let start = if args.uninitialized {
        Start::Uninitialized
    } else if args.sealed {
        Start::Sealed
    } else {
        Start::Ready
    };
    let sandbox = dev::start(flavor, start, args.port)?;
    let info = sandbox.connection_info();

    match format {
        Format::Json => output::stdout(&info.json_line)?,
        _ => {
            let mut text = format!(
                "Vault sandbox ({}) listening on {}\n\n    export VAULT_ADDR='{}'\n",
                match args.flavor {
                    FlavorArg::Vault => "Vault API",
                    FlavorArg::Openbao => "OpenBao API",
                },
                info.address,
                info.address
            );
            if let Some(token) = &info.root_token {
                text.push_str(&format!("    export VAULT_TOKEN='{token}'\n"));
            }
            if args.uninitialized {
                text.push_str("\nNot initialised: try `nvctl init` or `nvctl bootstrap --yes`.\n");
            } else if args.sealed {
                text.push_str("\nSealed. Unseal keys (3 of 5 unseal it):\n");
                for key in &info.unseal_keys {
                    text.push_str(&format!("    {key}\n"));
                }
            } else {
                text.push_str("\nInitialised and unsealed; `secret/` is a KV v2 mount.\n");
            }
            text.push_str("\nIn memory only: nothing is kept. Stop it with Ctrl-C.");
            output::stdout(&text)?;
        }
    }
    ui.detail("serving until interrupted");
    // Serve until the process is interrupted; the sandbox runs on its own threads.
    loop {
        std::thread::park();
    }
}
