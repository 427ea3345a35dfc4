//! `nvctl bootstrap`'s configuration: the HCL file given with `--config`, the flags that
//! override it, and the defaults of the documented setup, settled into one [`BootstrapConfig`].
//!
//! Two stages, so that every problem is reported at once with where it came from
//! (`bootstrap.hcl:12`, `--key-threshold`) before Vault is touched — an operator fixing a file
//! should not have to run nvctl once per typo:
//!
//! 1. **Reading** ([`reader`]): HCL syntax, known blocks and keys ("did you mean"), labels,
//!    duplicates, literal values with their lines, and each value's type. Relative paths in
//!    the file are relative to the file's directory (the file describes a layout); paths
//!    given as flags are relative to the working directory, as usual.
//! 2. **Resolving** (one module per block): flags over the file over the defaults, each value
//!    checked by the domain's own validator — Vault's seal rules (`InitSpec::seal_problem`),
//!    Vault's policy-name rule (`acl::policy_name`), the role parser (`parse_role_json`),
//!    Nomad's `task_token_ttl` rule — so the file is refused for exactly what the step or
//!    Nomad would refuse, in the same words.
//!
//! # Adding a block
//!
//! One module, and three lines here. For `database "NAME" { … }`:
//!
//! ```text
//! // config/database.rs
//! pub(super) const SCHEMA: Schema = Schema {
//!     name: "database",
//!     label: Label::One { what: "connection name", example: "database \"postgresql\" { … }" },
//!     keys: &["path", "plugin_name", "connection_url", "username", "password_file"],
//!     blocks: &[&ROLE],                // nested `role "R" { … }`, a Schema of its own
//! };
//! pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Vec<Database> {
//!     file.blocks(SCHEMA.name).filter_map(|b| {
//!         let url = b.string("connection_url", &mut r.problems)?;    // typed, with its line
//!         let roles = b.blocks("role").map(|role| …);               // nested blocks
//!         // the domain's validator, the problem reported where the value is:
//!         if let Err(e) = check_url(&url.value) { r.problems.at(&url.at, e) }
//!         …
//!     }).collect()
//! }
//!
//! // here: the schema in FILE's blocks, the call in `settle`, the field in BootstrapConfig
//! &database::SCHEMA,
//! let databases = database::resolve(&file, &mut r);
//! pub databases: Vec<Database>,
//! ```
//!
//! A top-level setting (`jobs = [...]`) is a key of [`FILE`] read with `file.paths("jobs", …)`.
//! The reader reports unknown keys and blocks, wrong types and duplicates; a resolver reports
//! only what its domain refuses, with `r.problems.error(&origin, …)` (a flag's, the file's, the
//! default's origin) or `r.problems.at(&located.at, …)`, and remarks with `r.problems.warn`.

mod database;
mod init;
mod job_policy;
mod jobs;
mod kv_secret;
pub mod nomad_secrets;
mod policy;
mod problems;
pub mod reader;
mod role;
mod stanza;
mod token;
mod vault;
mod workload_identity;

use std::path::{Path, PathBuf};

use crate::cli::BootstrapArgs;
use crate::nomad::jobspec::Jobspec;
use crate::nomad::role_spec::RoleSpec;
use crate::secret::SecretString;
use crate::steps::kv_secret::KvSecretSpec;
use crate::steps::nomad_secrets::NomadSecretsSpec;
use crate::steps::wi::WiOptions;

pub use problems::{ConfigError, ConfigErrors, Origin, Problems, Setting};
use reader::{Label, RawBlock, Schema};

pub const DEFAULT_SHARES: u32 = 5;
pub const DEFAULT_THRESHOLD: u32 = 3;
pub const DEFAULT_INIT_OUTPUT: &str = "vault-init.json";
pub const DEFAULT_POLICY: &str = "nomad-server";
pub const DEFAULT_ROLE: &str = "nomad-cluster";
pub const DEFAULT_PERIOD: &str = "72h";
pub const DEFAULT_TASK_TOKEN_TTL: &str = "1h";
pub const DEFAULT_TOKEN_OUTPUT: &str = "nomad-server.token";

/// The file: its top-level keys and blocks, in the order the example file shows them.
pub const FILE: Schema = Schema {
    name: "",
    label: Label::None,
    keys: &["strict", jobs::KEY],
    blocks: &[
        &vault::SCHEMA,
        &init::SCHEMA,
        &policy::SCHEMA,
        &role::SCHEMA,
        &token::SCHEMA,
        &stanza::SCHEMA,
        &job_policy::SCHEMA,
        &kv_secret::SCHEMA,
        &workload_identity::SCHEMA,
        &database::SCHEMA,
        &nomad_secrets::SCHEMA,
    ],
};

/// Which policies jobs may ask for: the role's allow list or its deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobPolicies {
    Allowed(Vec<String>),
    Disallowed(Vec<String>),
}

/// An extra policy for jobs, written alongside the server policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPolicy {
    pub name: String,
    /// Where the text came from (a file path, or `bootstrap.hcl:12` for inline text).
    pub source: String,
    pub text: String,
}

/// The settled configuration of one bootstrap run.
#[derive(Debug, Clone)]
pub struct BootstrapConfig {
    /// Vault nodes: the active node first, then the standbys (each must be unsealed).
    pub addresses: Vec<String>,
    pub key_shares: u32,
    pub key_threshold: u32,
    pub init_output: PathBuf,
    pub policy_name: String,
    pub role_name: String,
    pub job_policies_rule: JobPolicies,
    /// The role as it will be written (`token_*` form, lists sanitised).
    pub role: RoleSpec,
    /// Seconds.
    pub role_period: u64,
    /// Seconds.
    pub token_period: u64,
    /// Go duration, as written into the server stanza.
    pub task_token_ttl: String,
    pub token_output: PathBuf,
    pub rotate_token: bool,
    pub server_stanza_output: Option<PathBuf>,
    pub client_stanza_output: Option<PathBuf>,
    /// The address the Nomad agents use (defaults to the active node).
    pub nomad_vault_address: String,
    pub job_policies: Vec<JobPolicy>,
    /// `kv_secret` blocks: KV v2 secrets the jobs read, data held as secrets.
    pub kv_secrets: Vec<KvSecretSpec>,
    /// `jobs = [...]`: job files check-job judges as the last verification, already parsed.
    pub jobs: Vec<Jobspec>,
    /// The workload-identity settings (flags over the `workload_identity` block), each one
    /// already checked; `crate::steps::wi::spec_from_options` makes the spec of them.
    pub workload_identity: WiOptions,
    /// Where the file's `workload_identity` block is, when it has one.
    pub workload_identity_block: Option<Origin>,
    /// Vault's Nomad secrets engine (`nomad_secrets { … }`), when configured.
    pub nomad_secrets: Option<NomadSecretsSpec>,
    /// The `database` blocks (issue 14), in file order.
    pub databases: Vec<crate::bootstrap::database::DatabaseSpec>,
    /// `--no-mint`: skip the database credentials proof.
    pub no_mint: bool,
    /// Non-fatal remarks (e.g. a 1/1 key split), shown before anything is done.
    pub warnings: Vec<String>,
    /// nvctl's error-grade advice about the configured role (it would hand the servers'
    /// powers to jobs), each naming where it was set: warnings, or with `strict` a refusal
    /// (exit 3) before Vault is touched. Nomad itself accepts such a role.
    pub advice: Vec<String>,
    /// The top-level `strict = true` (or `--strict`): error-grade advice fails the run.
    pub strict: bool,
}

/// What `resolve` needs besides the flags.
#[derive(Debug, Clone, Default)]
pub struct ResolveContext {
    /// `--address` flags as given (not the environment).
    pub address_flags: Vec<String>,
    /// Addresses when neither flags nor the file give any (`VAULT_ADDR` or the default).
    pub fallback_addresses: Vec<String>,
    /// Base directory for paths nvctl invents (e.g. a temporary directory with `--dev`).
    pub default_dir: Option<PathBuf>,
    /// `NOMAD_TOKEN` from the environment (the `nomad_secrets` management token when the
    /// block names no token_file).
    pub nomad_token: Option<SecretString>,
}

/// What every block's resolver works with: the flags, the context, and the problems found.
pub struct Resolver<'a> {
    pub args: &'a BootstrapArgs,
    pub ctx: &'a ResolveContext,
    pub problems: Problems,
}

impl Resolver<'_> {
    /// A file nvctl names itself: in the default directory (`--dev`) or the working one.
    pub fn default_path(&self, name: &str) -> PathBuf {
        match &self.ctx.default_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// A token period in seconds, in Vault's duration syntax (`72h`, `3d`, `3600`); zero is
    /// refused, since Nomad needs periodic tokens. `0` when refused (already reported).
    pub fn period(&mut self, period: &Setting<String>, what: &str) -> u64 {
        match crate::duration::parse_flag_seconds(&period.value) {
            Ok(0) => {
                self.problems.error(
                    &period.origin,
                    format!("{what} must not be zero: Nomad needs periodic tokens (e.g. \"72h\")"),
                );
                0
            }
            Ok(secs) => secs,
            Err(e) => {
                self.problems.error(&period.origin, format!("{what}: {e}"));
                0
            }
        }
    }
}

/// Reads `--config` (when given), applies the flags over it and the defaults under it, and
/// validates the result. Every problem is in the error.
pub fn resolve(
    args: &BootstrapArgs,
    ctx: &ResolveContext,
) -> Result<BootstrapConfig, ConfigErrors> {
    let mut r = Resolver {
        args,
        ctx,
        problems: Problems::default(),
    };
    let file = match &args.config {
        None => RawBlock::empty(),
        Some(path) => read_file(path, &mut r.problems)?,
    };
    let config = settle(&file, &mut r);
    match config {
        Some(config) if r.problems.is_empty() => {
            let (warnings, advice) = r.problems.into_remarks();
            Ok(BootstrapConfig {
                warnings,
                advice,
                ..config
            })
        }
        _ => Err(r.problems.into_errors()),
    }
}

/// The file, read; an unreadable file is the one problem reported.
fn read_file(path: &Path, problems: &mut Problems) -> Result<RawBlock, ConfigErrors> {
    match crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES) {
        Ok(text) => Ok(reader::read(path, &text, &FILE, problems)),
        Err(e) => {
            let mut only = Problems::default();
            only.error(
                &Origin::File(crate::source::SourceLocation::new(path, None)),
                format!("cannot read the configuration file: {e}"),
            );
            Err(only.into_errors())
        }
    }
}

/// Every block resolved, in dependency order (the role needs the servers' policy, the job
/// policies the role's rule, the agents' address the active node).
fn settle(file: &RawBlock, r: &mut Resolver) -> Option<BootstrapConfig> {
    let addresses = vault::resolve(file, r);
    let init = init::resolve(file, r);
    let policy_name = policy::resolve(file, r);
    let role = role::resolve(file, r, &policy_name);
    let token = token::resolve(file, r);
    let stanza = stanza::resolve(file, r, addresses.first());
    let job_policies = job_policy::resolve(file, r, &policy_name, &role.rule);
    let (workload_identity, workload_identity_block) = workload_identity::resolve(file, r);
    let databases = database::resolve(file, r);
    let strict = file
        .bool("strict", &mut r.problems)
        .is_some_and(|s| s.value);
    let nomad_secrets = nomad_secrets::resolve(file, r);
    let nomad_token_output =
        nomad_secrets::outputs(&nomad_secrets).map(|p| Setting::new(p, Origin::Default));
    let kv_secrets = kv_secret::resolve(file, r);
    let jobs = jobs::resolve(file, r);

    let mut outputs = vec![
        ("init output", &init.output),
        ("token output", &token.output),
    ];
    outputs.extend(
        stanza
            .server_output
            .iter()
            .map(|p| ("server stanza output", p)),
    );
    outputs.extend(
        stanza
            .client_output
            .iter()
            .map(|p| ("client stanza output", p)),
    );
    outputs.extend(nomad_token_output.iter().map(|p| ("Nomad token file", p)));
    distinct_files(&outputs, &mut r.problems);

    Some(BootstrapConfig {
        addresses,
        key_shares: init.shares,
        key_threshold: init.threshold,
        init_output: init.output.value,
        policy_name,
        role_name: role.name,
        job_policies_rule: role.rule,
        role: role.spec?,
        role_period: role.period,
        token_period: token.period,
        task_token_ttl: stanza.task_token_ttl,
        token_output: token.output.value,
        rotate_token: r.args.rotate_token,
        server_stanza_output: stanza.server_output.map(|s| s.value),
        client_stanza_output: stanza.client_output.map(|s| s.value),
        nomad_vault_address: stanza.vault_address,
        job_policies,
        kv_secrets,
        jobs,
        workload_identity,
        workload_identity_block,
        databases,
        no_mint: r.args.no_mint,
        nomad_secrets,
        warnings: Vec::new(),
        advice: Vec::new(),
        strict,
    })
}

/// The files a run writes must be different files, and none a directory.
fn distinct_files(outputs: &[(&str, &Setting<PathBuf>)], problems: &mut Problems) {
    for (i, (what, path)) in outputs.iter().enumerate() {
        if let Some((other, _)) = outputs[..i].iter().find(|(_, q)| q.value == path.value) {
            problems.error(
                &path.origin,
                format!(
                    "the {what} and the {other} are the same file {}",
                    path.value.display()
                ),
            );
        }
        if path.value.is_dir() {
            problems.error(
                &path.origin,
                format!("the {what} {} is a directory", path.value.display()),
            );
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_text(text: &str, args: BootstrapArgs) -> Result<BootstrapConfig, ConfigErrors> {
        let dir = std::env::temp_dir().join(format!("nvctl-config-test-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bootstrap.hcl");
        std::fs::write(&path, text).unwrap();
        let args = BootstrapArgs {
            config: Some(path),
            ..args
        };
        let out = resolve(
            &args,
            &ResolveContext {
                fallback_addresses: vec!["https://127.0.0.1:8200".into()],
                ..ResolveContext::default()
            },
        );
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    #[test]
    fn defaults_are_the_documented_setup() {
        let config = resolve(
            &BootstrapArgs::default(),
            &ResolveContext {
                fallback_addresses: vec!["https://127.0.0.1:8200".into()],
                ..ResolveContext::default()
            },
        )
        .unwrap();
        assert_eq!((config.key_shares, config.key_threshold), (5, 3));
        assert_eq!(config.role.disallowed_policies, vec!["nomad-server"]);
        assert_eq!(config.role.token_period, 259_200);
        assert!(config.role.orphan && config.role.renewable);
        assert_eq!(config.token_period, 259_200);
        assert_eq!(config.task_token_ttl, "1h");
        assert_eq!(config.nomad_vault_address, "https://127.0.0.1:8200");
    }

    #[test]
    fn file_values_and_relative_paths_follow_the_file() {
        let config = resolve_text(
            "vault {\n  address = \"https://v1:8200\"\n  standbys = [\"https://v2:8200\"]\n}\ntoken {\n  output = \"t.token\"\n  period = 3600\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap();
        assert_eq!(config.addresses, vec!["https://v1:8200", "https://v2:8200"]);
        assert!(config.token_output.ends_with("t.token"));
        assert!(config
            .token_output
            .parent()
            .unwrap()
            .ends_with(config.token_output.parent().unwrap().file_name().unwrap()));
        assert_eq!(config.token_period, 3600);
    }

    #[test]
    fn flags_win_over_the_file() {
        let config = resolve_text(
            "init {\n  key_shares = 3\n  key_threshold = 2\n}\n",
            BootstrapArgs {
                key_shares: Some(7),
                ..BootstrapArgs::default()
            },
        )
        .unwrap();
        assert_eq!((config.key_shares, config.key_threshold), (7, 2));
    }

    #[test]
    fn a_single_key_share_is_allowed_with_a_warning() {
        let config = resolve_text(
            "init {\n  key_shares = 1\n  key_threshold = 1\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap();
        assert!(config.warnings.iter().any(|w| w.contains("1/1")));
    }

    #[test]
    fn task_token_ttl_below_five_minutes_gets_nomads_message() {
        let errors = resolve_text(
            "stanza {\n  task_token_ttl = \"299s\"\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        assert_eq!(errors.errors.len(), 1);
        assert!(
            matches!(&errors.errors[0].origin, Origin::File(at) if at.line == Some(2)),
            "{:?}",
            errors.errors[0].origin
        );
        assert!(errors.errors[0]
            .message
            .contains("ChildTokenTTL is less than minimum allowed of 5m0s"));
        // Exactly 5m is fine, as in Nomad.
        assert!(resolve_text(
            "stanza {\n  task_token_ttl = \"5m\"\n}\n",
            BootstrapArgs::default()
        )
        .is_ok());
    }

    #[test]
    fn expressions_are_refused_rather_than_guessed() {
        let errors = resolve_text(
            "policy {\n  name = var.policy\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        assert!(errors.errors[0]
            .message
            .contains("expected a literal value"));
    }

    #[test]
    fn disallowed_list_without_the_server_policy_is_advice_not_an_error() {
        // Nomad reads neither list (nomad/vault.go validateRole): nvctl's advice, which only
        // `strict` turns into a refusal.
        let config = resolve_text(
            "role {\n  disallowed_policies = [\"other\"]\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap();
        assert!(!config.strict);
        assert_eq!(config.advice.len(), 1, "{:?}", config.advice);
        assert!(config.advice[0].contains("does not list \"nomad-server\""));
        let strict = resolve_text(
            "strict = true\nrole {\n  allowed_policies = [\"nomad-server\", \"app\"]\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap();
        assert!(strict.strict);
        assert!(strict.advice[0].contains("allowed_policies contains \"nomad-server\""));
        assert!(resolve_text("strict = \"yes\"\n", BootstrapArgs::default()).is_err());
    }

    #[test]
    fn inline_job_policy_text_is_validated_and_kept() {
        let config = resolve_text(
            "job_policy \"access-tables\" {\n  policy = <<-EOT\n    path \"database/creds/accessdb\" {\n      capabilities = [\"read\"]\n    }\n  EOT\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap();
        assert_eq!(config.job_policies.len(), 1);
        assert!(config.job_policies[0]
            .text
            .contains("database/creds/accessdb"));
    }

    fn messages(errors: ConfigErrors) -> Vec<String> {
        errors
            .errors
            .iter()
            .map(|e| match &e.origin {
                Origin::File(at) => format!("line {}: {}", at.line.unwrap_or(0), e.message),
                other => format!("{other}: {}", e.message),
            })
            .collect()
    }

    #[test]
    fn seal_settings_are_judged_by_vaults_rules_in_vaults_order_at_the_setting_at_fault() {
        // vault/seal_config.go: shares < 1 is reported first, and only it.
        let errors = resolve_text(
            "init {\n  key_shares = 0\n  key_threshold = 300\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        assert_eq!(
            messages(errors),
            ["line 2: invalid seal configuration: shares must be at least one"]
        );
        // A threshold of one for several shares is the threshold's problem.
        let errors = resolve_text(
            "init {\n  key_shares = 5\n  key_threshold = 1\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        assert_eq!(
            messages(errors),
            ["line 3: invalid seal configuration: threshold must be greater than one for multiple shares"]
        );
    }

    #[test]
    fn errors_are_listed_in_the_files_order_then_the_flags() {
        let errors = resolve_text(
            "stanza {\n  task_token_ttl = \"3d\"\n}\npolicy {\n  name = \"root\"\n}\nrole {\n  name = \"-bad\"\n}\n",
            BootstrapArgs {
                token_period: Some("0".into()),
                ..BootstrapArgs::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            messages(errors),
            [
                "line 2: failed to parse TaskTokenTTL \"3d\": time: unknown unit \"d\" in duration \"3d\" (Nomad's words; use a Go duration such as \"1h\")",
                "line 5: invalid policy name \"root\": Vault's root policy cannot be written",
                "line 8: invalid role name \"-bad\": use letters, digits, '_', '-' and '.', starting and ending with a letter, digit or '_'",
                "--token-period: token period must not be zero: Nomad needs periodic tokens (e.g. \"72h\")",
            ]
        );
    }

    #[test]
    fn outputs_must_be_distinct_files() {
        let errors = resolve_text(
            "token {\n  output = \"keys.json\"\n}\ninit {\n  output = \"keys.json\"\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        let messages = messages(errors);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0]
            .starts_with("line 2: the token output and the init output are the same file"));
    }
}
