//! `nvctl dev`: an in-memory Vault sandbox on loopback, like `vault server -dev`; with
//! `--nomad`, an in-memory Nomad beside it (ACLs bootstrapped) that Vault's Nomad secrets
//! engine at `nomad/` is configured to use.
//!
//! Nothing is persisted: the sandboxes live in this process and are gone at Ctrl-C. As with
//! `vault server -dev`, the root token (and unseal keys when sealed) and the Nomad management
//! token are printed on purpose: these servers hold nothing worth protecting.

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::cli::{DevArgs, Flavor as FlavorArg, Format};
use crate::dev::{self, Flavor, Start};
use crate::exit::Exit;
use crate::output::{self, Ui};
use crate::postgres_url::PostgresUrl;
use crate::secret::SecretString;
use crate::settings::Settings;
use crate::vault::database::ConnectionWrite;
use crate::vault::mounts::MountRequest;
use crate::vault::{ClientConfig, VaultClient};

pub fn run(args: &DevArgs, settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("dev", &[Format::Table, Format::Json])?;
    if args.background {
        return background(args, format);
    }
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
    if args.nomad && flavor == Flavor::OpenBao {
        bail!("--nomad needs --flavor vault: OpenBao has no Nomad secrets engine");
    }
    let postgres = args
        .postgres
        .as_deref()
        .map(PostgresTarget::from_flag)
        .transpose()?;
    let sandbox = dev::start(flavor, start, args.port)?;
    let info = sandbox.connection_info();
    let database_note = match (&postgres, &info.root_token) {
        (Some(target), Some(token)) => Some(target.connect(&info.address, token)?),
        _ => None,
    };
    let nomad = if args.nomad {
        Some(dev::start_nomad(&sandbox)?)
    } else {
        None
    };
    let nomad_info = nomad.as_ref().map(dev::DevNomad::connection_info);

    match format {
        Format::Json => match &nomad_info {
            None => output::stdout(&info.json_line)?,
            Some(n) => {
                // Vault's document, plus a `nomad` object.
                let mut doc: Value = serde_json::from_str(&info.json_line)?;
                doc["nomad"] = serde_json::json!({
                    "address": n.address,
                    "management_token": n.management_token,
                    "jwks_url": n.jwks_url,
                    "secrets_mount": dev::NOMAD_MOUNT,
                });
                output::stdout(&doc.to_string())?
            }
        },
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
            if let Some(note) = &database_note {
                text.push_str(note);
            }
            if let Some(n) = &nomad_info {
                text.push_str(&format!(
                    "\nNomad sandbox (Nomad API) listening on {}\n\n    export NOMAD_ADDR='{}'\n    export NOMAD_TOKEN='{}'\n\nNomad's ACLs are bootstrapped (NOMAD_TOKEN is its management token); Vault's Nomad\nsecrets engine at `{}/` uses it. Workload identities are signed with the keys at\n{}\n",
                    n.address, n.address, n.management_token, dev::NOMAD_MOUNT, n.jwks_url
                ));
            }
            text.push_str("\nIn memory only: nothing is kept. Stop it with Ctrl-C.");
            output::stdout(&text)?;
        }
    }
    ui.detail("serving until interrupted");
    // Both sandboxes serve from their own threads until the process ends.
    let _keep = (sandbox, nomad);
    // Serve until the process is interrupted; the sandbox runs on its own threads.
    loop {
        std::thread::park();
    }
}

/// `--background`: the same sandbox in a child process of its own (its own process group, so
/// the terminal's Ctrl-C does not reach it), started with `--format json`; its first line
/// says it listens, and becomes shell lines for `eval`. The child's output goes nowhere after
/// that line; `kill $NVCTL_DEV_PID` stops it.
fn background(args: &DevArgs, format: Format) -> Result<Exit> {
    use std::io::{BufRead, Read};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let exe = std::env::current_exe().context("cannot find the nvctl executable to start")?;
    let mut command = Command::new(exe);
    command.args(["dev", "--format", "json"]);
    if let Some(port) = args.port {
        command.args(["--port", &port.to_string()]);
    }
    if args.uninitialized {
        command.arg("--uninitialized");
    }
    if args.sealed {
        command.arg("--sealed");
    }
    if let FlavorArg::Openbao = args.flavor {
        command.args(["--flavor", "openbao"]);
    }
    if let Some(url) = &args.postgres {
        command.args(["--postgres", url]);
    }
    if args.nomad {
        command.arg("--nomad");
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .context("cannot start the in-memory Vault in the background")?;
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        // One line of JSON: bounded like any answer.
        std::io::BufReader::new(out.take(64 * 1024))
            .read_line(&mut first)
            .context("cannot read what the background sandbox printed")?;
    }
    let info: serde_json::Value = match serde_json::from_str(first.trim()) {
        Ok(info) => info,
        Err(_) => {
            let mut why = String::new();
            if let Some(err) = child.stderr.take() {
                let _ = err.take(64 * 1024).read_to_string(&mut why);
            }
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "the background sandbox did not start: {}",
                why.trim().trim_start_matches("error: ")
            );
        }
    };
    // With `--format json` the child's errors are JSON documents too: `{"error", "exit_code"}`
    // is a sandbox that did not start (PostgreSQL unreachable, a wrong PGPASSWORD…).
    if let Some(error) = info.get("error").and_then(|e| e.as_str()) {
        let _ = child.wait();
        let message = format!("the background sandbox did not start: {error}");
        return Err(match info.get("exit_code").and_then(|c| c.as_i64()) {
            Some(2) => crate::exit::VaultFailure(message).into(),
            _ => anyhow::anyhow!(message),
        });
    }
    let pid = child.id();
    if format == Format::Json {
        let mut info = info;
        if let Some(object) = info.as_object_mut() {
            object.insert("pid".into(), pid.into());
        }
        output::stdout(&info.to_string())?;
        return Ok(Exit::Success);
    }
    let quoted = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| format!("'{}'", s.replace('\'', "'\\''")))
    };
    let mut lines = Vec::new();
    if let Some(address) = info.get("address").and_then(&quoted) {
        lines.push(format!("export VAULT_ADDR={address}"));
    }
    if let Some(token) = info.get("root_token").and_then(&quoted) {
        lines.push(format!("export VAULT_TOKEN={token}"));
    }
    if let Some(nomad) = info.get("nomad") {
        if let Some(address) = nomad.get("address").and_then(&quoted) {
            lines.push(format!("export NOMAD_ADDR={address}"));
        }
        if let Some(token) = nomad.get("management_token").and_then(&quoted) {
            lines.push(format!("export NOMAD_TOKEN={token}"));
        }
    }
    lines.push(format!("export NVCTL_DEV_PID={pid}"));
    for key in info
        .get("unseal_keys")
        .and_then(|k| k.as_array())
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
    {
        lines.push(format!("# unseal key: {key}"));
    }
    lines.push("# in memory only; stop it with: kill \"$NVCTL_DEV_PID\"".into());
    output::stdout(&lines.join("\n"))?;
    Ok(Exit::Success)
}

/// `--postgres URL`: the operator's PostgreSQL that the sandbox's database engine connects to.
struct PostgresTarget {
    url: PostgresUrl,
    user: String,
    password: SecretString,
}

impl PostgresTarget {
    /// The URL names the user; the password comes from `PGPASSWORD` (libpq's variable), since
    /// every user of the machine can read a process's arguments.
    fn from_flag(text: &str) -> Result<PostgresTarget> {
        let url = PostgresUrl::parse(text).map_err(|e| anyhow::anyhow!("--postgres: {e}"))?;
        if url.has_literal_password() {
            bail!(
                "--postgres: the URL carries a password, and every user of this machine can read a \
                 process's arguments: leave it out of the URL and put it in PGPASSWORD"
            );
        }
        let Some(user) = url.user() else {
            bail!("--postgres: the URL names no user (postgresql://USER@host:5432/database)");
        };
        let password = std::env::var("PGPASSWORD").unwrap_or_default();
        if password.is_empty() {
            bail!(
                "--postgres: PGPASSWORD is not set: export the password of {user:?} in PGPASSWORD"
            );
        }
        Ok(PostgresTarget {
            url,
            user,
            password: SecretString::new(password),
        })
    }

    /// Mounts `database/` and writes `database/config/postgresql` (Vault connects and pings
    /// now); answers the lines `nvctl dev` prints about it.
    fn connect(&self, address: &str, root_token: &str) -> Result<String> {
        let client =
            VaultClient::new(ClientConfig::new(address))?.with_token(SecretString::new(root_token));
        client.enable_mount("database", &MountRequest::of_type("database"))?;
        let connection = ConnectionWrite {
            plugin_name: "postgresql-database-plugin".into(),
            connection_url: self.url.templated(),
            username: self.user.clone(),
            password: self.password.clone(),
            allowed_roles: vec!["*".into()],
            verify_connection: true,
        };
        client
            .write_database_connection("database", "postgresql", &connection)
            .with_context(|| {
                format!(
                    "the in-memory Vault could not connect to {} as {:?}",
                    self.url.redacted(),
                    self.user
                )
            })?;
        Ok(format!(
            "`database/` is a database secrets engine connected to {} as {:?}: connection \
             `postgresql`, every role allowed.\n",
            self.url.templated(),
            self.user
        ))
    }
}
