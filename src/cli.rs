//! The command line, as clap definitions only. Nothing here talks to Vault or reads the
//! environment; `settings` resolves these flags together with `VAULT_*` into one value.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Environment (flags override it): VAULT_ADDR, VAULT_TOKEN (then ~/.vault-token), VAULT_NAMESPACE,
VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME,
VAULT_SKIP_VERIFY, VAULT_CLIENT_TIMEOUT, VAULT_MAX_RETRIES, NVCTL_FORMAT, NO_COLOR, CI.

Exit codes: 0 success, 1 usage or local error, 2 Vault or network error,
3 checks ran and found problems.

Start here:  nvctl bootstrap --dev      (the whole setup against an in-memory Vault)";

/// Bootstrap and verify the HashiCorp Nomad ↔ Vault integration against a live Vault.
///
/// nvctl runs the documented setup sequence (init, unseal, the nomad-server policy, the
/// nomad-cluster token role, the Nomad servers' token, the agent `vault` blocks), checks every
/// step exactly as a Nomad server will at start-up, and is safe to run again and again.
#[derive(Debug, Parser)]
#[command(name = "nvctl", version, about, long_about, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Global options that only matter to commands that talk to Vault (or ask, or print secrets).
/// `dev` and `completions` take none of them, so their help does not list them and giving
/// one is refused (see [`command`]).
pub const VAULT_OPTIONS: &[&str] = &[
    "addresses",
    "token_file",
    "namespace",
    "ca_cert",
    "ca_path",
    "client_cert",
    "client_key",
    "tls_server_name",
    "tls_skip_verify",
    "timeout",
    "max_retries",
    "yes",
    "show_secrets",
];

/// Subcommands that never talk to Vault.
pub const WITHOUT_VAULT: &[&str] = &["dev", "completions"];

/// The whole command tree as clap sees it: [`Cli`] with the global Vault options hidden under
/// `dev` and `completions`. clap copies each global option into every subcommand when the
/// tree is built, unless the subcommand has one of that name already: those two get hidden
/// copies first. Parse with this, and generate completions and help from it;
/// [`GlobalArgs::vault_options_given`] refuses the options there.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let hidden: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| VAULT_OPTIONS.contains(&a.get_id().as_str()))
        .map(|a| a.clone().hide(true))
        .collect();
    for name in WITHOUT_VAULT {
        cmd = cmd.mut_subcommand(*name, |sub| sub.args(hidden.clone()));
    }
    cmd.build();
    cmd
}

/// The tree completion scripts are generated from: [`command`]'s, except that `dev` and
/// `completions` have no Vault options at all. clap_complete's generators offer hidden options
/// too, so hiding them (as [`command`] does for help and parsing) is not enough there: here the
/// options are the root's own (not global), and each other subcommand gets them as globals of
/// its subtree.
pub fn completion_command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let vault: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| VAULT_OPTIONS.contains(&a.get_id().as_str()))
        .cloned()
        .collect();
    for arg in &vault {
        cmd = cmd.mut_arg(arg.get_id().clone(), |a| a.global(false));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    // Every subcommand in its order (each one mutated moves to the end).
    for name in names {
        let without_vault = WITHOUT_VAULT.contains(&name.as_str());
        cmd = cmd.mut_subcommand(name, |sub| {
            if without_vault {
                sub
            } else {
                sub.args(vault.clone())
            }
        });
    }
    cmd.build();
    cmd
}

/// Parses the process's arguments with [`command`].
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Options every command understands. Secrets are never taken as values: only paths.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap)
    /// [env: VAULT_ADDR] [default: https://127.0.0.1:8200]
    #[arg(long = "address", global = true, value_name = "URL")]
    pub addresses: Vec<String>,

    /// File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Vault Enterprise namespace [env: VAULT_NAMESPACE]
    #[arg(long, global = true, value_name = "NS")]
    pub namespace: Option<String>,

    /// PEM file of CA certificates to verify Vault's certificate [env: VAULT_CACERT]
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,

    /// Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]
    #[arg(long, global = true, value_name = "DIR")]
    pub ca_path: Option<PathBuf>,

    /// PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]
    #[arg(long, global = true, value_name = "PATH")]
    pub client_cert: Option<PathBuf>,

    /// PEM private key of --client-cert [env: VAULT_CLIENT_KEY]
    #[arg(long, global = true, value_name = "PATH")]
    pub client_key: Option<PathBuf>,

    /// Name to verify Vault's certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]
    #[arg(long, global = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// Do not verify Vault's TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub tls_skip_verify: Option<String>,

    /// Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        allow_hyphen_values = true
    )]
    pub timeout: Option<String>,

    /// Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<String>,

    /// Output format: table or json (some commands also take env, raw or hcl)
    /// [env: NVCTL_FORMAT] [default: table]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Answer yes to every confirmation (needed when not on a terminal)
    #[arg(short = 'y', long, global = true)]
    pub yes: bool,

    /// Say more about what is sent (never secrets); repeat for more
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only results and errors
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print tokens and unseal keys instead of masking them
    #[arg(long, global = true)]
    pub show_secrets: bool,

    /// Fail (exit 3) on nvctl's error-grade advice too, not only where Nomad itself refuses
    #[arg(long, global = true)]
    pub strict: bool,
}

impl GlobalArgs {
    /// The Vault options given on the command line, as `--flag`s (for commands that take none).
    pub fn vault_options_given(&self) -> Vec<&'static str> {
        let given = [
            ("--address", !self.addresses.is_empty()),
            ("--token-file", self.token_file.is_some()),
            ("--namespace", self.namespace.is_some()),
            ("--ca-cert", self.ca_cert.is_some()),
            ("--ca-path", self.ca_path.is_some()),
            ("--client-cert", self.client_cert.is_some()),
            ("--client-key", self.client_key.is_some()),
            ("--tls-server-name", self.tls_server_name.is_some()),
            ("--tls-skip-verify", self.tls_skip_verify.is_some()),
            ("--timeout", self.timeout.is_some()),
            ("--max-retries", self.max_retries.is_some()),
            ("--yes", self.yes),
            ("--show-secrets", self.show_secrets),
        ];
        given
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(flag, _)| flag)
            .collect()
    }
}

/// Output formats. Each command says which it supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// `VAULT_TOKEN=…` (token create)
    Env,
    /// the bare value, for `$(…)` (token create)
    Raw,
    /// HCL (stanza)
    Hcl,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole sequence: init, unseal, policy, role, token, stanza, verification
    ///
    /// Each step observes the live state first, plans (nothing / create / update with a diff),
    /// applies after consent and verifies by reading back, so a second run changes nothing and an
    /// interrupted run converges when re-run.
    ///
    /// Examples:
    ///   nvctl bootstrap --dev                     # try it against an in-memory Vault
    ///   nvctl bootstrap --address https://vault:8200 --token-output nomad-token
    ///   nvctl bootstrap --config bootstrap.hcl --plan   # CI drift check: exit 3 when changes are pending
    #[command(verbatim_doc_comment)]
    Bootstrap(Box<BootstrapArgs>),

    /// Show init, seal and HA state of each --address
    ///
    /// Exit 0 when every node is reachable and unsealed, 2 when any node is unreachable,
    /// 3 when every node answered but one is sealed or uninitialised.
    ///
    /// Example:
    ///   nvctl status --address https://vault-1:8200 --address https://vault-2:8200
    #[command(verbatim_doc_comment)]
    Status,

    /// Step 1: initialise Vault and save the unseal keys and root token to a 0600 file
    ///
    /// The file is created (empty, 0600) before Vault is asked, so an unwritable place fails
    /// before anything happens; the keys exist only in Vault's one answer. The file has the format
    /// of `vault operator init -format=json`. An initialised Vault is left alone (exit 0).
    ///
    /// Example:
    ///   nvctl init --key-shares 5 --key-threshold 3 --output vault-init.json
    #[command(verbatim_doc_comment)]
    Init(InitArgs),

    /// Step 2: unseal every --address with keys from the init file, stdin or a prompt
    ///
    /// Keys are never taken from arguments. Standby nodes must each be unsealed.
    ///
    /// Examples:
    ///   nvctl unseal --keys-file vault-init.json
    ///   nvctl unseal --stdin < keys.txt --address https://vault-1:8200 --address https://vault-2:8200
    #[command(verbatim_doc_comment)]
    Unseal(UnsealArgs),

    /// Step 3: the nomad-server policy (write, show, diff)
    ///
    /// Examples:
    ///   nvctl policy write
    ///   nvctl policy diff --name nomad-server     # CI drift check: exit 3 when it differs
    #[command(subcommand, verbatim_doc_comment)]
    Policy(PolicyCommand),

    /// Step 4: the nomad-cluster token role (create, show, diff)
    ///
    /// Examples:
    ///   nvctl role create
    ///   nvctl role diff --name nomad-cluster      # CI drift check: exit 3 when it differs
    #[command(subcommand, verbatim_doc_comment)]
    Role(RoleCommand),

    /// Nomad's role and capability rules for a role and token, plus nvctl's own findings
    ///
    /// Exit 3 when any error finding is reported.
    ///
    /// Example:
    ///   nvctl check-role nomad-cluster --token-file nomad-server.token
    #[command(verbatim_doc_comment)]
    CheckRole(CheckRoleArgs),

    /// Step 5: mint, inspect or validate the Nomad servers' token
    ///
    /// Examples:
    ///   nvctl token create --output nomad-server.token
    ///   nvctl token check --token-file nomad-server.token
    #[command(subcommand, verbatim_doc_comment)]
    Token(TokenCommand),

    /// Step 6: print the Nomad agent `vault` block for servers or clients
    ///
    /// Examples:
    ///   nvctl stanza server --vault-address https://vault.example.com:8200
    ///   nvctl stanza client --vault-address https://vault.example.com:8200 --output vault.hcl
    #[command(subcommand, verbatim_doc_comment)]
    Stanza(StanzaCommand),

    /// Everything Nomad checks at start, run on your real agent config files
    ///
    /// Example:
    ///   nvctl doctor --agent-config /etc/nomad.d --nomad-version 1.9.7
    #[command(verbatim_doc_comment)]
    Doctor(DoctorArgs),

    /// Check job files' `vault` blocks and templates against the live policies and role
    ///
    /// Examples:
    ///   nvctl check-job web-app.nomad.hcl --role nomad-cluster
    ///   NOMAD_TOKEN=… nvctl check-job --nomad-addr https://nomad.example.com:4646   # every registered job
    #[command(verbatim_doc_comment)]
    CheckJob(CheckJobArgs),

    /// The least-privilege policy each job's templates need, as HCL to review (--write: write it)
    ///
    /// Example:
    ///   nvctl job-policy example.nomad.hcl --write --role nomad-cluster
    #[command(verbatim_doc_comment)]
    JobPolicy(JobPolicyArgs),

    /// Run an in-memory Vault sandbox on loopback until Ctrl-C (like `vault server -dev`)
    ///
    /// Nothing is persisted. With --format json the first line printed is
    /// {"address":…,"root_token":…,"unseal_keys":[…]} so scripts can start it in the background.
    ///
    /// Examples:
    ///   eval "$(nvctl dev --background)"          # VAULT_ADDR and VAULT_TOKEN set; kill "$NVCTL_DEV_PID" to stop it
    ///   nvctl dev --sealed --port 8200
    ///   PGPASSWORD=… nvctl dev --postgres 'postgresql://postgres@localhost:5432/postgres?sslmode=disable'
    #[command(verbatim_doc_comment)]
    Dev(DevArgs),

    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    ///
    /// Example:
    ///   nvctl completions bash > /etc/bash_completion.d/nvctl
    #[command(verbatim_doc_comment)]
    Completions(CompletionsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// the token flow (Nomad ≤ 1.9): policy, token role, server token
    Legacy,
    /// workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role
    WorkloadIdentity,
}

#[derive(Debug, Args, Default)]
pub struct BootstrapArgs {
    /// Declarative configuration (HCL); flags override it. See bootstrap.example.hcl
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Only observe: print what would change; exit 3 when changes are pending
    #[arg(long)]
    pub plan: bool,

    /// Start an uninitialised in-memory Vault and bootstrap it (nothing installed, nothing kept)
    #[arg(long)]
    pub dev: bool,

    /// Integration flow; chosen from --nomad-version when not given
    #[arg(long, value_enum)]
    pub flow: Option<Flow>,

    /// Version of the Nomad servers (selects the flow and the rules)
    #[arg(long, value_name = "VERSION")]
    pub nomad_version: Option<String>,

    /// Key shares for init [default: 5]
    #[arg(long, value_name = "N")]
    pub key_shares: Option<u32>,

    /// Key threshold for init [default: 3]
    #[arg(long, value_name = "N")]
    pub key_threshold: Option<u32>,

    /// Where init writes the keys, and where unseal reads them [default: vault-init.json]
    #[arg(long, value_name = "PATH")]
    pub init_output: Option<PathBuf>,

    /// Name of the Nomad servers' policy [default: nomad-server]
    #[arg(long, value_name = "NAME")]
    pub policy_name: Option<String>,

    /// Name of the token role [default: nomad-cluster]
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,

    /// Policies jobs may use (instead of --disallowed-policies)
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub allowed_policies: Option<Vec<String>>,

    /// Policies jobs may not use [default: the server policy]
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub disallowed_policies: Option<Vec<String>>,

    /// The role's token period [default: 72h]
    #[arg(long, value_name = "DURATION")]
    pub role_period: Option<String>,

    /// The server token's period [default: 72h]
    #[arg(long, value_name = "DURATION")]
    pub token_period: Option<String>,

    /// task_token_ttl in the server stanza [default: 1h]
    #[arg(long, value_name = "DURATION")]
    pub task_token_ttl: Option<String>,

    /// File (0600) holding the Nomad servers' token; kept when it still passes Nomad's checks
    #[arg(long, value_name = "PATH")]
    pub token_output: Option<PathBuf>,

    /// Mint a new server token, write it, then revoke the old one
    #[arg(long)]
    pub rotate_token: bool,

    /// Skip the credentials proofs of the database and Nomad engines (mint through Vault, use,
    /// revoke)
    #[arg(long)]
    pub no_mint: bool,
    /// nomad_secrets: send the Nomad management token to Vault's config/access again (Vault
    /// never reads it back, so a rotated token is not seen otherwise)
    #[arg(long)]
    pub rewrite_nomad_token: bool,

    /// Where to write the server `vault` block
    #[arg(long, value_name = "PATH")]
    pub server_stanza_output: Option<PathBuf>,

    /// Where to write the client `vault` block
    #[arg(long, value_name = "PATH")]
    pub client_stanza_output: Option<PathBuf>,

    /// Vault address the Nomad agents use [default: the first --address]
    #[arg(long, value_name = "URL")]
    pub vault_address: Option<String>,

    /// Extra policy for jobs, written from a file: NAME=FILE (repeatable)
    #[arg(long = "job-policy", value_name = "NAME=FILE")]
    pub job_policies: Vec<String>,

    /// Workload identity: path of the jwt auth method [default: jwt-nomad]
    #[arg(long, value_name = "PATH")]
    pub auth_path: Option<String>,

    /// Workload identity: Nomad's JWKS URL [default: <--nomad-addr>/.well-known/jwks.json]
    #[arg(long, value_name = "URL")]
    pub jwks_url: Option<String>,

    /// Workload identity: Nomad's HTTP address, to derive the JWKS URL
    #[arg(long, value_name = "URL")]
    pub nomad_addr: Option<String>,

    /// Workload identity: CA certificate (PEM) Vault uses to verify the JWKS endpoint
    #[arg(long, value_name = "PATH")]
    pub jwks_ca_file: Option<PathBuf>,

    /// Workload identity: audience of the workload identities [default: vault.io]
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,

    /// Workload identity: mount a KV v2 engine here when none is (the policy grants on it)
    /// [default: none mounted; the policy grants on secret/, as nomad setup vault's]
    #[arg(long, value_name = "PATH")]
    pub kv_mount: Option<String>,

    /// Workload identity: a workload identity (JWT) Nomad signed for a task, to prove the
    /// set-up: logged in through the role, its token's policies checked, the token revoked
    #[arg(long, value_name = "PATH")]
    pub identity_file: Option<PathBuf>,

    /// Workload identity: remove what nvctl created (and only that)
    #[arg(long)]
    pub destroy: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Number of key shares (recovery shares on an auto-unseal Vault)
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub key_shares: u32,

    /// Shares needed to unseal (recovery threshold on an auto-unseal Vault)
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub key_threshold: u32,

    /// Base64 PGP public key files, one per share, to encrypt the shares
    #[arg(long, value_delimiter = ',', value_name = "FILE,..")]
    pub pgp_keys: Vec<PathBuf>,

    /// Base64 PGP public key file to encrypt the root token
    #[arg(long, value_name = "FILE")]
    pub root_token_pgp_key: Option<PathBuf>,

    /// Where to save Vault's answer (must not exist; created 0600)
    #[arg(long, default_value = "vault-init.json", value_name = "PATH")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct UnsealArgs {
    /// Init file: nvctl's, `vault operator init -format=json` output, or a raw sys/init answer
    #[arg(long, value_name = "PATH", conflicts_with = "stdin")]
    pub keys_file: Option<PathBuf>,

    /// Read keys from standard input, one per line
    #[arg(long)]
    pub stdin: bool,

    /// Discard the unseal progress of each node instead of unsealing
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, Args, Clone)]
pub struct PolicyArgs {
    /// Policy name
    #[arg(long, default_value = "nomad-server", value_name = "NAME")]
    pub name: String,

    /// Token role substituted into the shipped policy
    #[arg(long, default_value = "nomad-cluster", value_name = "ROLE")]
    pub role: String,

    /// Policy file to use instead of the shipped nomad-server policy
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write the policy: created when absent, nothing when equal, a diff and consent when different
    ///
    /// Examples:
    ///   nvctl policy write
    ///   nvctl policy write --name app-readonly --file policies/app-readonly.hcl --yes
    #[command(verbatim_doc_comment)]
    Write(PolicyArgs),
    /// Print the live policy text (exit 2 when it does not exist)
    ///
    /// Example:
    ///   nvctl policy show --name nomad-server
    #[command(verbatim_doc_comment)]
    Show(PolicyArgs),
    /// Show the difference between the live and the desired policy; exit 3 when they differ or
    /// the policy is missing (drift detection in CI)
    ///
    /// Example:
    ///   nvctl policy diff --name nomad-server --role nomad-cluster
    #[command(verbatim_doc_comment)]
    Diff(PolicyArgs),
}

#[derive(Debug, Args, Clone, Default)]
pub struct RoleArgs {
    /// Role name
    #[arg(long, default_value = "nomad-cluster", value_name = "NAME")]
    pub name: String,

    /// Role JSON file (both `period` and `token_period` spellings accepted)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Policies jobs may use
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub allowed_policies: Option<Vec<String>>,

    /// Policies jobs may not use
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub disallowed_policies: Option<Vec<String>>,

    /// Token period, e.g. 72h
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub period: Option<String>,

    /// Whether tokens from the role are orphans
    #[arg(long, value_name = "BOOL")]
    pub orphan: Option<bool>,

    /// Whether tokens from the role are renewable
    #[arg(long, value_name = "BOOL")]
    pub renewable: Option<bool>,

    /// Explicit max TTL (Nomad requires 0)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub explicit_max_ttl: Option<String>,

    /// Write a role Nomad would reject anyway
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Create or update the role; refuses a role Nomad would reject unless --force
    ///
    /// Examples:
    ///   nvctl role create
    ///   nvctl role create --name nomad-cluster --disallowed-policies nomad-server --period 72h --yes
    #[command(verbatim_doc_comment)]
    Create(RoleArgs),
    /// Print the live role (exit 2 when it does not exist)
    ///
    /// Example:
    ///   nvctl role show --name nomad-cluster
    #[command(verbatim_doc_comment)]
    Show(RoleArgs),
    /// Show the difference between the live and the desired role; exit 3 when they differ or
    /// the role is missing (drift detection in CI)
    ///
    /// Example:
    ///   nvctl role diff --name nomad-cluster --file roles/nomad-cluster.json
    #[command(verbatim_doc_comment)]
    Diff(RoleArgs),
}

#[derive(Debug, Args)]
pub struct CheckRoleArgs {
    /// Role to check [default: nomad-cluster, or the token's role; nomad-workloads with --flow workload-identity]
    pub name: Option<String>,

    /// Check every token role, concurrently (with --flow workload-identity: every role at --auth-path)
    #[arg(long, conflicts_with = "name")]
    pub all: bool,

    /// Which flow's role to check
    #[arg(long, value_enum, default_value = "legacy")]
    pub flow: Flow,

    /// Nomad agent `allow_unauthenticated` (checks auth/token/lookup when false)
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub allow_unauthenticated: bool,

    /// Workload identity: path of the jwt auth method
    #[arg(long, default_value = "jwt-nomad", value_name = "PATH")]
    pub auth_path: String,

    /// Workload identity: the servers' default_identity audience
    #[arg(long, default_value = "vault.io", value_name = "AUD")]
    pub audience: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint the Nomad servers' token (orphan, periodic, renewable) and verify it as Nomad would
    ///
    /// With --wrap-ttl the token is delivered response-wrapped: only a single-use wrapping
    /// token leaves Vault; `nvctl token unwrap` on the server host gets the token itself.
    ///
    /// Example:
    ///   nvctl token create --output nomad-server.token
    ///   VAULT_TOKEN=$(nvctl token create --format raw)
    ///   nvctl token create --wrap-ttl 15m --output nomad-server.wrapped
    #[command(verbatim_doc_comment)]
    Create(TokenCreateArgs),
    /// On the server host: unwrap the servers' token (once), write it 0600, check it as Nomad would
    ///
    /// Example:
    ///   nvctl token unwrap --wrapping-token-file nomad-server.wrapped --output /etc/nomad.d/vault.token
    ///   nvctl token unwrap --wrapping-token-file - --output /etc/nomad.d/vault.token < wrapped
    #[command(verbatim_doc_comment)]
    Unwrap(TokenUnwrapArgs),
    /// Show a token's properties (the token itself masked)
    ///
    /// Examples:
    ///   nvctl token lookup --token-file nomad-server.token
    ///   nvctl token lookup --accessor 8609694a-cdbc-db9b-d345-e782dbb562ed
    #[command(verbatim_doc_comment)]
    Lookup(TokenLookupArgs),
    /// Run a Nomad server's start-up validation on an existing token
    ///
    /// Example:
    ///   nvctl token check --token-file nomad-server.token --role nomad-cluster
    #[command(verbatim_doc_comment)]
    Check(TokenCheckArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Policies of the token (repeatable)
    #[arg(long = "policy", value_name = "NAME", default_values_t = ["nomad-server".to_string()])]
    pub policies: Vec<String>,

    /// Token period
    #[arg(long, default_value = "72h", value_name = "DURATION")]
    pub period: String,

    /// Create from this token role (auth/token/create/ROLE) instead of create-orphan
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,

    /// Whether the token is an orphan
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub orphan: bool,

    /// Display name (Vault stores it as token-NAME)
    #[arg(long, value_name = "NAME", default_value = "nomad-server")]
    pub display_name: String,

    /// Write the token to this file (created 0600, never overwritten)
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Role name Nomad's create_from_role will use (for the start-up checks)
    #[arg(long, value_name = "ROLE", default_value = "nomad-cluster")]
    pub nomad_role: String,

    /// Deliver the token response-wrapped: only a single-use wrapping token valid this long is
    /// printed or saved (unwrap it with `nvctl token unwrap`)
    #[arg(long, value_name = "DURATION")]
    pub wrap_ttl: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenUnwrapArgs {
    /// File holding the wrapping token (`-`: standard input)
    #[arg(long, value_name = "PATH")]
    pub wrapping_token_file: PathBuf,

    /// Where to write the servers' token (created 0600, never overwritten)
    #[arg(long, value_name = "PATH")]
    pub output: PathBuf,

    /// create_from_role of the Nomad servers (for the start-up checks); empty: the token's own role
    #[arg(long, value_name = "ROLE", default_value = "nomad-cluster")]
    pub nomad_role: String,

    /// Nomad agent `allow_unauthenticated`
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub allow_unauthenticated: bool,
}

#[derive(Debug, Args)]
pub struct TokenLookupArgs {
    /// Look up by accessor instead of the token from --token-file / VAULT_TOKEN
    #[arg(long, value_name = "ACCESSOR")]
    pub accessor: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenCheckArgs {
    /// create_from_role of the Nomad servers; pass an empty value to use the token's own role
    #[arg(long, value_name = "ROLE", default_value = "nomad-cluster")]
    pub role: Option<String>,

    /// Nomad agent `allow_unauthenticated`
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub allow_unauthenticated: bool,
}

#[derive(Debug, Args, Clone)]
pub struct StanzaArgs {
    /// Vault address the Nomad agents use [default: the --address]
    #[arg(long, value_name = "URL")]
    pub vault_address: Option<String>,

    /// create_from_role (server)
    #[arg(long, default_value = "nomad-cluster", value_name = "ROLE")]
    pub role: String,

    /// task_token_ttl (server); at least 5m
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    pub task_token_ttl: String,

    /// ca_file on the Nomad hosts
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,

    /// cert_file on the Nomad hosts
    #[arg(long, value_name = "PATH")]
    pub cert_file: Option<String>,

    /// key_file on the Nomad hosts
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<String>,

    /// Embed the servers' token from --token-file (prefer VAULT_TOKEN in the service); a root
    /// token is refused
    #[arg(long, requires = "token_file")]
    pub embed_token: bool,

    /// Write the block to this file instead of stdout
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Workload identity blocks instead of the token flow
    #[arg(long, value_enum, default_value = "legacy")]
    pub flow: Flow,

    /// Workload identity (server): default_identity aud, comma-separated; must meet the role's bound_audiences
    #[arg(long, default_value = "vault.io", value_name = "AUD")]
    pub audience: String,

    /// Workload identity (server): default_identity ttl
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    pub identity_ttl: String,

    /// Workload identity (client): path of the jwt auth method (jwt_auth_backend_path)
    #[arg(long, default_value = "jwt-nomad", value_name = "PATH")]
    pub auth_path: String,
}

#[derive(Debug, Subcommand)]
pub enum StanzaCommand {
    /// The server block (enabled, address, create_from_role, task_token_ttl)
    ///
    /// Example:
    ///   nvctl stanza server --vault-address https://vault.example.com:8200 --output vault-server.hcl
    #[command(verbatim_doc_comment)]
    Server(StanzaArgs),
    /// The client block (enabled, address; never a token)
    ///
    /// Example:
    ///   nvctl stanza client --vault-address https://vault.example.com:8200
    #[command(verbatim_doc_comment)]
    Client(StanzaArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Nomad agent config files or directories, as given to `nomad agent -config`
    #[arg(long = "agent-config", value_name = "PATH", required = true)]
    pub agent_config: Vec<PathBuf>,

    /// Nomad version of the agents (e.g. 1.9.7)
    #[arg(long, value_name = "VERSION")]
    pub nomad_version: Option<String>,

    /// Role to check instead of the config's create_from_role
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckJobArgs {
    /// Job files (HCL2); with --nomad-addr, IDs of jobs registered in Nomad (default: every job)
    #[arg(value_name = "JOBFILE", required_unless_present = "nomad_addr")]
    pub jobs: Vec<PathBuf>,

    /// Check the jobs registered in the Nomad at URL (its JSON job format) instead of files;
    /// the Nomad ACL token from NOMAD_TOKEN or --nomad-token-file
    #[arg(long, value_name = "URL")]
    pub nomad_addr: Option<String>,

    /// With --nomad-addr: a file (mode 0600) holding the Nomad ACL token, instead of NOMAD_TOKEN
    #[arg(long, value_name = "FILE", requires = "nomad_addr")]
    pub nomad_token_file: Option<PathBuf>,

    /// With --nomad-addr: the namespace whose jobs are checked (`*`: every namespace)
    #[arg(long, value_name = "NAMESPACE", default_value = "*")]
    pub nomad_namespace: String,

    /// With --nomad-addr: the CA certificate (PEM) Nomad's TLS certificate is verified against,
    /// instead of the built-in roots
    #[arg(long, value_name = "FILE", env = "NOMAD_CACERT")]
    pub nomad_ca_cert: Option<PathBuf>,

    /// With --nomad-addr: the client certificate (PEM) for Nomad's mutual TLS
    #[arg(long, value_name = "FILE", env = "NOMAD_CLIENT_CERT")]
    pub nomad_client_cert: Option<PathBuf>,

    /// With --nomad-addr: the client certificate's private key (PEM)
    #[arg(long, value_name = "FILE", env = "NOMAD_CLIENT_KEY")]
    pub nomad_client_key: Option<PathBuf>,

    /// Token role the Nomad servers create task tokens from
    #[arg(long, default_value = "nomad-cluster", value_name = "ROLE")]
    pub role: String,

    /// Ask Vault itself: mint a short-lived task token from the role with each distinct set
    /// of job policies (as a Nomad server does), ask sys/capabilities-self about every path
    /// the templates read, and revoke it by accessor
    #[arg(long)]
    pub rehearse: bool,

    /// The flow the Nomad servers use: the token role (legacy) or workload identity, where a
    /// task's policies are the JWT role's, templated on its identity's claims
    #[arg(long, value_enum, default_value_t = Flow::Legacy)]
    pub flow: Flow,

    /// Workload identity: path of the jwt auth method the tasks log in with
    #[arg(long, default_value = "jwt-nomad", value_name = "PATH")]
    pub auth_path: String,
}

#[derive(Debug, Args)]
pub struct JobPolicyArgs {
    /// Job files (HCL2)
    #[arg(value_name = "JOBFILE", required = true)]
    pub jobs: Vec<PathBuf>,

    /// Write each policy (plan, diff, consent) and, when the token role has an
    /// allowed_policies list, add it there (role diff, consent)
    #[arg(long)]
    pub write: bool,

    /// Name of the policy (only with a single task); default: the job's vault.policies entry
    /// when it names exactly one policy Vault does not have, else <job>-<task>
    #[arg(long, value_name = "N")]
    pub name: Option<String>,

    /// Token role the Nomad servers create task tokens from (legacy flow)
    #[arg(long, default_value = "nomad-cluster", value_name = "ROLE")]
    pub role: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Flavor {
    #[default]
    Vault,
    Openbao,
}

#[derive(Debug, Args)]
pub struct DevArgs {
    /// Port on 127.0.0.1 [default: any free port]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,

    /// Start uninitialised (to try `nvctl init`)
    #[arg(long, conflicts_with = "sealed")]
    pub uninitialized: bool,

    /// Start initialised but sealed (prints the unseal keys)
    #[arg(long)]
    pub sealed: bool,

    /// Which server to imitate
    #[arg(long, value_enum, default_value = "vault")]
    pub flavor: Flavor,

    /// Start the sandbox in the background and print the shell lines that use it
    /// (`export VAULT_ADDR=…`, `VAULT_TOKEN`, `NVCTL_DEV_PID`), for `eval "$(nvctl dev --background)"`
    #[arg(long)]
    pub background: bool,

    /// Connect the sandbox's database secrets engine to this PostgreSQL: `database/` is
    /// mounted and `database/config/postgresql` written (all roles allowed). The URL names the
    /// user but no password: that comes from PGPASSWORD, never from an argument
    #[arg(long, value_name = "URL", conflicts_with_all = ["uninitialized", "sealed"])]
    pub postgres: Option<String>,

    /// Also start an in-memory Nomad (ACLs bootstrapped) and point Vault's Nomad secrets
    /// engine (`nomad/`) at it
    #[arg(long, conflicts_with_all = ["uninitialized", "sealed"])]
    pub nomad: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every page of the tree, with its command path (`nvctl token create`).
    fn pages(cmd: &mut clap::Command, path: String, out: &mut Vec<(String, String)>) {
        out.push((path.clone(), cmd.render_long_help().to_string()));
        let names: Vec<String> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .map(|s| s.get_name().to_string())
            .collect();
        for name in names {
            if let Some(sub) = cmd.find_subcommand_mut(&name) {
                pages(sub, format!("{path} {name}"), out);
            }
        }
    }

    #[test]
    fn every_help_page_has_an_example_of_its_own_command() {
        let mut out = Vec::new();
        pages(&mut command(), "nvctl".into(), &mut out);
        assert!(out.len() > 20, "{} pages", out.len());
        for (path, help) in &out {
            if path == "nvctl" {
                assert!(help.contains("nvctl bootstrap --dev"), "{help}");
                continue;
            }
            let section = help
                .split_once("\nExample")
                .map(|(_, rest)| rest)
                .unwrap_or_else(|| panic!("`{path} --help` has no example:\n{help}"));
            assert!(
                section.contains(&format!("{path} ")) || section.contains(&format!("{path}\n")),
                "`{path} --help`: the example does not run `{path}`:\n{help}"
            );
        }
    }

    #[test]
    fn dev_and_completions_do_not_list_vault_options() {
        let mut cmd = command();
        for name in WITHOUT_VAULT {
            let help = cmd
                .find_subcommand_mut(name)
                .expect("subcommand")
                .render_long_help()
                .to_string();
            for flag in [
                "--address",
                "--token-file",
                "--ca-cert",
                "--timeout",
                "--yes",
            ] {
                assert!(
                    !help.contains(flag),
                    "`nvctl {name} --help` lists {flag}:\n{help}"
                );
            }
        }
        let help = cmd
            .find_subcommand_mut("status")
            .expect("status")
            .render_long_help()
            .to_string();
        assert!(help.contains("--address"), "{help}");
    }
}
