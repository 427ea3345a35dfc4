//! `nvctl bootstrap`'s configuration: the HCL file given with `--config`, the flags that
//! override it, and the defaults of the documented setup, settled into one [`BootstrapConfig`].
//!
//! The whole configuration is validated before Vault is touched, and every problem is reported
//! at once with where it came from (`bootstrap.hcl:12`, `--key-threshold`): an operator fixing
//! a file should not have to run nvctl once per typo. Relative paths in the file are relative
//! to the file's directory (the file describes a layout); paths given as flags are relative to
//! the working directory, as usual.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hcl::edit::expr::Expression;
use hcl::edit::repr::Span;
use hcl::edit::structure::{Block, Structure};
use hcl::eval::{Context, Evaluate};

use crate::cli::BootstrapArgs;
use crate::duration::{format_go, parse_flag_seconds, parse_go};
use crate::nomad::jobspec::source::closest;
use crate::nomad::role_spec::{parse_role_json, validate_role_name, RoleSpec};
use crate::nomad::stanza::MIN_TASK_TOKEN_TTL;
use crate::steps::policy::PolicyStep;
use crate::steps::wi::{self, WiOptions};

pub const DEFAULT_SHARES: u32 = 5;
pub const DEFAULT_THRESHOLD: u32 = 3;
pub const DEFAULT_INIT_OUTPUT: &str = "vault-init.json";
pub const DEFAULT_POLICY: &str = "nomad-server";
pub const DEFAULT_ROLE: &str = "nomad-cluster";
pub const DEFAULT_PERIOD: &str = "72h";
pub const DEFAULT_TASK_TOKEN_TTL: &str = "1h";
pub const DEFAULT_TOKEN_OUTPUT: &str = "nomad-server.token";

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of the configuration file (`None` when the line is unknown).
    File { path: PathBuf, line: Option<usize> },
    /// A command-line flag, e.g. `--key-threshold`.
    Flag(&'static str),
    /// nvctl's default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File {
                path,
                line: Some(line),
            } => write!(f, "{}:{line}", path.display()),
            Origin::File { path, line: None } => write!(f, "{}", path.display()),
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Every problem found in the configuration; nothing was sent to Vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(
            f,
            "invalid bootstrap configuration ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        write!(f, "nothing was sent to Vault")
    }
}

impl std::error::Error for ConfigErrors {}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Located<T> {
    fn new(value: T, origin: Origin) -> Located<T> {
        Located { value, origin }
    }
}

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
    /// The workload-identity settings (flags over the `workload_identity` block), each one
    /// already checked; `crate::steps::wi::spec_from_options` makes the spec of them.
    pub workload_identity: WiOptions,
    /// Where the file's `workload_identity` block is, when it has one.
    pub workload_identity_block: Option<Origin>,
    /// Non-fatal remarks (e.g. a 1/1 key split), shown before anything is done.
    pub warnings: Vec<String>,
}

/// The settings of the file, before flags and defaults.
#[derive(Debug, Default)]
struct FileSettings {
    address: Option<Located<String>>,
    standbys: Option<Located<Vec<String>>>,
    key_shares: Option<Located<i64>>,
    key_threshold: Option<Located<i64>>,
    init_output: Option<Located<PathBuf>>,
    policy_name: Option<Located<String>>,
    role_name: Option<Located<String>>,
    allowed_policies: Option<Located<Vec<String>>>,
    disallowed_policies: Option<Located<Vec<String>>>,
    role_period: Option<Located<String>>,
    token_period: Option<Located<String>>,
    token_output: Option<Located<PathBuf>>,
    vault_address: Option<Located<String>>,
    task_token_ttl: Option<Located<String>>,
    server_output: Option<Located<PathBuf>>,
    client_output: Option<Located<PathBuf>>,
    job_policies: Vec<FileJobPolicy>,
    wi: FileWorkloadIdentity,
}

/// The `workload_identity` block.
#[derive(Debug, Default)]
struct FileWorkloadIdentity {
    block: Option<Origin>,
    jwks_url: Option<Located<String>>,
    nomad_addr: Option<Located<String>>,
    jwks_ca_file: Option<Located<PathBuf>>,
    audience: Option<Located<Vec<String>>>,
    auth_path: Option<Located<String>>,
    role: Option<Located<String>>,
    policy: Option<Located<String>>,
    token_period: Option<Located<String>>,
}

#[derive(Debug)]
struct FileJobPolicy {
    name: String,
    origin: Origin,
    file: Option<Located<PathBuf>>,
    text: Option<Located<String>>,
}

/// The blocks of the file and their keys; the schema used for "did you mean".
const BLOCKS: &[(&str, &[&str])] = &[
    ("vault", &["address", "standbys"]),
    ("init", &["key_shares", "key_threshold", "output"]),
    ("policy", &["name"]),
    (
        "role",
        &["name", "allowed_policies", "disallowed_policies", "period"],
    ),
    ("token", &["period", "output"]),
    (
        "stanza",
        &[
            "vault_address",
            "task_token_ttl",
            "server_output",
            "client_output",
        ],
    ),
    ("job_policy", &["file", "policy"]),
    (
        "workload_identity",
        &[
            "jwks_url",
            "nomad_addr",
            "jwks_ca_file",
            "audience",
            "auth_path",
            "role",
            "policy",
            "token_period",
        ],
    ),
];

/// Byte offset → line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_of(&self, span: Option<std::ops::Range<usize>>) -> Option<usize> {
        let offset = span?.start;
        Some(self.starts.partition_point(|&s| s <= offset))
    }
}

/// A literal HCL value as a JSON-like value. Expressions (variables, functions) are refused:
/// nvctl does not evaluate them, and a silently wrong value would be worse.
fn literal(expr: &Expression) -> Result<hcl::Value, String> {
    let expr: hcl::Expression = expr.clone().into();
    expr.evaluate(&Context::new())
        .map_err(|e| format!("expected a literal value ({e})"))
}

fn type_name(v: &hcl::Value) -> &'static str {
    match v {
        hcl::Value::Null => "null",
        hcl::Value::Bool(_) => "a boolean",
        hcl::Value::Number(_) => "a number",
        hcl::Value::String(_) => "a string",
        hcl::Value::Array(_) => "a list",
        hcl::Value::Object(_) => "an object",
    }
}

/// Reads one file. Syntax errors stop here (nothing else can be trusted); every other
/// problem is collected into `errors`.
fn parse_file(path: &Path, text: &str, errors: &mut Vec<ConfigError>) -> FileSettings {
    let mut settings = FileSettings::default();
    let at = |line: Option<usize>| Origin::File {
        path: path.to_path_buf(),
        line,
    };
    let body = match hcl::edit::parser::parse_body(text) {
        Ok(body) => body,
        Err(e) => {
            errors.push(ConfigError {
                origin: at(Some(e.location().line())),
                message: format!(
                    "HCL syntax: {} (column {})",
                    e.message(),
                    e.location().column()
                ),
            });
            return settings;
        }
    };
    let lines = LineIndex::new(text);
    let block_names: Vec<&str> = BLOCKS.iter().map(|(n, _)| *n).collect();
    let mut seen: BTreeMap<String, Option<usize>> = BTreeMap::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => {
                let key = attr.key.as_str();
                let mut message = format!(
                    "unknown top-level setting {key:?}: settings go in blocks ({})",
                    block_names.join(", ")
                );
                if let Some((block, _)) = BLOCKS.iter().find(|(_, keys)| keys.contains(&key)) {
                    message =
                        format!("{key:?} belongs in the {block} block: {block} {{ {key} = … }}");
                }
                errors.push(ConfigError {
                    origin: at(lines.line_of(attr.span())),
                    message,
                });
            }
            Structure::Block(block) => {
                let line = lines.line_of(block.span());
                let ident = block.ident.as_str();
                let Some((_, keys)) = BLOCKS.iter().find(|(n, _)| *n == ident) else {
                    let mut message = format!("unknown block {ident:?}");
                    if let Some(s) = closest(ident, &block_names) {
                        message.push_str(&format!("; did you mean {s:?}?"));
                    } else {
                        message.push_str(&format!("; known blocks: {}", block_names.join(", ")));
                    }
                    errors.push(ConfigError {
                        origin: at(line),
                        message,
                    });
                    continue;
                };
                let labels: Vec<String> = block
                    .labels
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect();
                if ident == "job_policy" {
                    if labels.len() != 1 {
                        errors.push(ConfigError {
                            origin: at(line),
                            message: "a job_policy block needs exactly one label, the policy name: job_policy \"access-tables\" { … }".to_string(),
                        });
                        continue;
                    }
                } else if !labels.is_empty() {
                    errors.push(ConfigError {
                        origin: at(line),
                        message: format!("the {ident} block takes no label"),
                    });
                    continue;
                }
                let seen_key = match labels.first() {
                    Some(label) => format!("{ident} {label:?}"),
                    None => ident.to_string(),
                };
                if let Some(first) = seen.get(&seen_key) {
                    errors.push(ConfigError {
                        origin: at(line),
                        message: format!(
                            "duplicate {seen_key} block{}",
                            first
                                .map(|l| format!(" (first at line {l})"))
                                .unwrap_or_default()
                        ),
                    });
                    continue;
                }
                seen.insert(seen_key, line);
                let values = BlockValues {
                    ident,
                    values: block_values(block, ident, keys, &lines, &at, errors),
                };
                apply_block(&mut settings, &values, labels.first(), at(line), errors);
            }
        }
    }
    settings
}

/// The attributes of one block as literal values, with their lines; unknown keys, nested
/// blocks and non-literal values are reported.
fn block_values(
    block: &Block,
    ident: &str,
    keys: &[&str],
    lines: &LineIndex,
    at: &dyn Fn(Option<usize>) -> Origin,
    errors: &mut Vec<ConfigError>,
) -> BTreeMap<String, (hcl::Value, Origin)> {
    let mut out = BTreeMap::new();
    for structure in block.body.iter() {
        match structure {
            Structure::Block(inner) => errors.push(ConfigError {
                origin: at(lines.line_of(inner.span())),
                message: format!(
                    "unexpected block {:?} inside {ident}: it takes only {}",
                    inner.ident.as_str(),
                    keys.join(", ")
                ),
            }),
            Structure::Attribute(attr) => {
                let origin = at(lines.line_of(attr.span()));
                let key = attr.key.as_str();
                if !keys.contains(&key) {
                    let mut message = format!("unknown key {key:?} in the {ident} block");
                    match closest(key, keys) {
                        Some(s) => message.push_str(&format!("; did you mean {s:?}?")),
                        None => message.push_str(&format!("; valid keys: {}", keys.join(", "))),
                    }
                    errors.push(ConfigError { origin, message });
                    continue;
                }
                if out.contains_key(key) {
                    errors.push(ConfigError {
                        origin,
                        message: format!("{ident}.{key} is set twice"),
                    });
                    continue;
                }
                match literal(&attr.value) {
                    Ok(value) => {
                        out.insert(key.to_string(), (value, origin));
                    }
                    Err(message) => errors.push(ConfigError {
                        origin,
                        message: format!("{ident}.{key}: {message}"),
                    }),
                }
            }
        }
    }
    out
}

/// One block's literal values, read with the type each key needs.
struct BlockValues<'a> {
    ident: &'a str,
    values: BTreeMap<String, (hcl::Value, Origin)>,
}

impl BlockValues<'_> {
    fn bad(&self, errors: &mut Vec<ConfigError>, key: &str, expected: &str) {
        if let Some((got, origin)) = self.values.get(key) {
            errors.push(ConfigError {
                origin: origin.clone(),
                message: format!(
                    "{}.{key}: expected {expected}, got {}",
                    self.ident,
                    type_name(got)
                ),
            });
        }
    }

    fn string(&self, key: &str, errors: &mut Vec<ConfigError>) -> Option<Located<String>> {
        let (v, origin) = self.values.get(key)?;
        match v {
            hcl::Value::String(s) => Some(Located::new(s.clone(), origin.clone())),
            _ => {
                self.bad(errors, key, "a string");
                None
            }
        }
    }

    fn path(&self, key: &str, errors: &mut Vec<ConfigError>) -> Option<Located<PathBuf>> {
        self.string(key, errors)
            .map(|l| Located::new(PathBuf::from(l.value), l.origin))
    }

    /// A string such as "72h", or a number of seconds.
    fn duration(&self, key: &str, errors: &mut Vec<ConfigError>) -> Option<Located<String>> {
        let (v, origin) = self.values.get(key)?;
        match v {
            hcl::Value::String(s) => Some(Located::new(s.clone(), origin.clone())),
            hcl::Value::Number(n) => Some(Located::new(n.to_string(), origin.clone())),
            _ => {
                self.bad(errors, key, "a duration such as \"72h\"");
                None
            }
        }
    }

    fn whole_number(&self, key: &str, errors: &mut Vec<ConfigError>) -> Option<Located<i64>> {
        let (v, origin) = self.values.get(key)?;
        match v {
            hcl::Value::Number(n) if n.as_i64().is_some() => {
                n.as_i64().map(|n| Located::new(n, origin.clone()))
            }
            _ => {
                self.bad(errors, key, "a whole number");
                None
            }
        }
    }

    fn list(
        &self,
        key: &str,
        what: &str,
        errors: &mut Vec<ConfigError>,
    ) -> Option<Located<Vec<String>>> {
        let (v, origin) = self.values.get(key)?;
        match string_list(v) {
            Some(list) => Some(Located::new(list, origin.clone())),
            None => {
                self.bad(errors, key, what);
                None
            }
        }
    }
}

/// Typed extraction of one block's values into the settings.
fn apply_block(
    settings: &mut FileSettings,
    block: &BlockValues<'_>,
    label: Option<&String>,
    origin: Origin,
    errors: &mut Vec<ConfigError>,
) {
    match block.ident {
        "vault" => {
            settings.address = block.string("address", errors);
            settings.standbys = block.list("standbys", "a list of addresses", errors);
        }
        "init" => {
            settings.key_shares = block.whole_number("key_shares", errors);
            settings.key_threshold = block.whole_number("key_threshold", errors);
            settings.init_output = block.path("output", errors);
        }
        "policy" => settings.policy_name = block.string("name", errors),
        "role" => {
            settings.role_name = block.string("name", errors);
            settings.allowed_policies =
                block.list("allowed_policies", "a list of policy names", errors);
            settings.disallowed_policies =
                block.list("disallowed_policies", "a list of policy names", errors);
            settings.role_period = block.duration("period", errors);
        }
        "token" => {
            settings.token_period = block.duration("period", errors);
            settings.token_output = block.path("output", errors);
        }
        "stanza" => {
            settings.vault_address = block.string("vault_address", errors);
            settings.task_token_ttl = block.duration("task_token_ttl", errors);
            settings.server_output = block.path("server_output", errors);
            settings.client_output = block.path("client_output", errors);
        }
        "workload_identity" => {
            settings.wi = FileWorkloadIdentity {
                block: Some(origin),
                jwks_url: block.string("jwks_url", errors),
                nomad_addr: block.string("nomad_addr", errors),
                jwks_ca_file: block.path("jwks_ca_file", errors),
                audience: block.list("audience", "a list of audiences", errors),
                auth_path: block.string("auth_path", errors),
                role: block.string("role", errors),
                policy: block.string("policy", errors),
                token_period: block.duration("token_period", errors),
            };
        }
        "job_policy" => {
            let file = block.path("file", errors);
            let text = block.string("policy", errors);
            let name = label.cloned().unwrap_or_default();
            match (&file, &text) {
                (None, None)
                    if !block.values.contains_key("file")
                        && !block.values.contains_key("policy") =>
                {
                    errors.push(ConfigError {
                        origin,
                        message: format!(
                            "job_policy {name:?} needs file = \"<path>\" or policy = <<EOT … EOT"
                        ),
                    })
                }
                (Some(_), Some(_)) => errors.push(ConfigError {
                    origin,
                    message: format!("job_policy {name:?}: give file or policy, not both"),
                }),
                (None, None) => {}
                _ => settings.job_policies.push(FileJobPolicy {
                    name,
                    origin,
                    file,
                    text,
                }),
            }
        }
        _ => {}
    }
}

/// A list of strings; a single string is accepted as a comma-list, as Vault does.
fn string_list(v: &hcl::Value) -> Option<Vec<String>> {
    match v {
        hcl::Value::String(s) => Some(
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        ),
        hcl::Value::Array(items) => items
            .iter()
            .map(|i| match i {
                hcl::Value::String(s) => Some(s.trim().to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
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
}

/// Reads `--config` (when given), applies the flags over it and the defaults under it, and
/// validates the result. Every problem is in the error.
pub fn resolve(
    args: &BootstrapArgs,
    ctx: &ResolveContext,
) -> Result<BootstrapConfig, ConfigErrors> {
    let mut errors = Vec::new();
    let (file, base) = match &args.config {
        None => (FileSettings::default(), None),
        Some(path) => {
            match crate::local_file::read_text(path, crate::local_file::MAX_INPUT_BYTES) {
                Ok(text) => (
                    parse_file(path, &text, &mut errors),
                    Some(path.parent().map(Path::to_path_buf).unwrap_or_default()),
                ),
                Err(e) => {
                    return Err(ConfigErrors {
                        errors: vec![ConfigError {
                            origin: Origin::File {
                                path: path.clone(),
                                line: None,
                            },
                            message: format!("cannot read the configuration file: {e}"),
                        }],
                    })
                }
            }
        }
    };
    let config = settle(file, base.as_deref(), args, ctx, &mut errors);
    match config {
        Some(config) if errors.is_empty() => Ok(config),
        _ => Err(ConfigErrors { errors }),
    }
}

/// A file path relative to the configuration file's directory.
fn relative_to(base: Option<&Path>, located: Located<PathBuf>) -> Located<PathBuf> {
    match (base, &located.origin) {
        (Some(base), Origin::File { .. }) if located.value.is_relative() => Located {
            value: base.join(&located.value),
            origin: located.origin,
        },
        _ => located,
    }
}

fn pick<T>(
    flag: Option<T>,
    name: &'static str,
    file: Option<Located<T>>,
    default: impl FnOnce() -> T,
) -> Located<T> {
    match (flag, file) {
        (Some(v), _) => Located::new(v, Origin::Flag(name)),
        (None, Some(f)) => f,
        (None, None) => Located::new(default(), Origin::Default),
    }
}

fn settle(
    file: FileSettings,
    base: Option<&Path>,
    args: &BootstrapArgs,
    ctx: &ResolveContext,
    errors: &mut Vec<ConfigError>,
) -> Option<BootstrapConfig> {
    let mut warnings = Vec::new();
    let mut err = |origin: &Origin, message: String| {
        errors.push(ConfigError {
            origin: origin.clone(),
            message,
        })
    };

    // Addresses: --address flags, else the file's vault block, else VAULT_ADDR / default.
    let mut addresses: Vec<Located<String>> = if !ctx.address_flags.is_empty() {
        ctx.address_flags
            .iter()
            .map(|a| Located::new(a.clone(), Origin::Flag("--address")))
            .collect()
    } else if file.address.is_some() || file.standbys.is_some() {
        let mut list = Vec::new();
        match &file.address {
            Some(a) => list.push(a.clone()),
            None => {
                if let Some(s) = &file.standbys {
                    err(
                        &s.origin,
                        "vault.standbys is set but vault.address (the active node) is not".into(),
                    );
                }
            }
        }
        if let Some(s) = &file.standbys {
            list.extend(
                s.value
                    .iter()
                    .map(|a| Located::new(a.clone(), s.origin.clone())),
            );
        }
        list
    } else {
        ctx.fallback_addresses
            .iter()
            .map(|a| Located::new(a.clone(), Origin::Default))
            .collect()
    };
    for a in &mut addresses {
        match crate::settings::validate_address(&a.value) {
            Ok(valid) => a.value = valid,
            Err(e) => err(&a.origin, format!("invalid Vault address: {e:#}")),
        }
    }
    let mut unique = std::collections::BTreeSet::new();
    for a in &addresses {
        if !unique.insert(a.value.trim_end_matches('/').to_string()) {
            err(
                &a.origin,
                format!("Vault address {} is listed twice", a.value),
            );
        }
    }

    // Init.
    let shares = pick(
        args.key_shares.map(i64::from),
        "--key-shares",
        file.key_shares,
        || i64::from(DEFAULT_SHARES),
    );
    let threshold = pick(
        args.key_threshold.map(i64::from),
        "--key-threshold",
        file.key_threshold,
        || i64::from(DEFAULT_THRESHOLD),
    );
    // Vault's own words (vault-api.md §1), checked before init is sent.
    let mut seal_ok = true;
    if shares.value < 1 {
        err(
            &shares.origin,
            "invalid seal configuration: shares must be at least one".into(),
        );
        seal_ok = false;
    } else if shares.value > 255 {
        err(
            &shares.origin,
            "invalid seal configuration: shares must be less than 256".into(),
        );
        seal_ok = false;
    }
    if threshold.value < 1 {
        err(
            &threshold.origin,
            "invalid seal configuration: threshold must be at least one".into(),
        );
        seal_ok = false;
    } else if threshold.value > 255 {
        err(
            &threshold.origin,
            "invalid seal configuration: threshold must be less than 256".into(),
        );
        seal_ok = false;
    }
    if seal_ok {
        if threshold.value > shares.value {
            err(
                &threshold.origin,
                format!(
                    "invalid seal configuration: threshold cannot be larger than shares ({} > {})",
                    threshold.value, shares.value
                ),
            );
        } else if threshold.value == 1 && shares.value > 1 {
            err(
                &threshold.origin,
                "invalid seal configuration: threshold must be greater than one for multiple shares".into(),
            );
        } else if shares.value == 1 {
            warnings.push(
                "a single unseal key (1/1): whoever holds it can unseal Vault; use 5/3 in production"
                    .to_string(),
            );
        }
    }
    let default_path = |name: &str| match &ctx.default_dir {
        Some(dir) => dir.join(name),
        None => PathBuf::from(name),
    };
    let init_output = relative_to(
        base,
        pick(
            args.init_output.clone(),
            "--init-output",
            file.init_output,
            || default_path(DEFAULT_INIT_OUTPUT),
        ),
    );

    // Policy and role names.
    let policy_name = pick(
        args.policy_name.clone(),
        "--policy-name",
        file.policy_name,
        || DEFAULT_POLICY.to_string(),
    );
    let policy = policy_name.value.trim().to_lowercase();
    if policy.is_empty() || policy.contains('/') || policy == "root" {
        err(
            &policy_name.origin,
            format!(
                "invalid policy name {:?}: not empty, no '/', not \"root\"",
                policy_name.value
            ),
        );
    }
    let role_name = pick(args.role.clone(), "--role", file.role_name, || {
        DEFAULT_ROLE.to_string()
    });
    if let Err(m) = validate_role_name(&role_name.value) {
        err(&role_name.origin, m);
    }

    // Which policies jobs may use. Flags replace the file's choice as a whole.
    let (allowed, disallowed) =
        if args.allowed_policies.is_some() || args.disallowed_policies.is_some() {
            (
                args.allowed_policies
                    .clone()
                    .map(|l| Located::new(l, Origin::Flag("--allowed-policies"))),
                args.disallowed_policies
                    .clone()
                    .map(|l| Located::new(l, Origin::Flag("--disallowed-policies"))),
            )
        } else {
            (file.allowed_policies, file.disallowed_policies)
        };
    let sanitise = |l: &[String]| -> Vec<String> {
        let mut out: Vec<String> = l
            .iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    let rule = match (allowed, disallowed) {
        (Some(a), Some(d)) => {
            err(
                &a.origin,
                format!(
                    "give allowed_policies or disallowed_policies, not both (the other is at {})",
                    d.origin
                ),
            );
            JobPolicies::Disallowed(sanitise(&d.value))
        }
        (Some(a), None) => {
            let list = sanitise(&a.value);
            if list.is_empty() {
                err(&a.origin, "allowed_policies is empty: tokens from the role would inherit the Nomad servers' policies; list the policies jobs may use".into());
            }
            if list.contains(&policy) {
                err(&a.origin, format!("allowed_policies contains {policy:?}, the Nomad servers' own policy: any job could obtain the servers' powers"));
            }
            if list.iter().any(|p| p == "root") {
                err(&a.origin, "allowed_policies contains \"root\"".into());
            }
            JobPolicies::Allowed(list)
        }
        (None, Some(d)) => {
            let list = sanitise(&d.value);
            if !list.contains(&policy) {
                err(&d.origin, format!("disallowed_policies must list {policy:?}, the Nomad servers' own policy, or any job could obtain the servers' powers"));
            }
            JobPolicies::Disallowed(list)
        }
        (None, None) => JobPolicies::Disallowed(vec![policy.clone()]),
    };

    // Periods.
    let period = |flag: Option<String>,
                  name: &'static str,
                  file: Option<Located<String>>,
                  what: &str,
                  err: &mut dyn FnMut(&Origin, String)|
     -> u64 {
        let p = pick(flag, name, file, || DEFAULT_PERIOD.to_string());
        match parse_flag_seconds(&p.value) {
            Ok(0) => {
                err(
                    &p.origin,
                    format!("{what} must not be zero: Nomad needs periodic tokens (e.g. \"72h\")"),
                );
                0
            }
            Ok(secs) => secs,
            Err(e) => {
                err(&p.origin, format!("{what}: {e}"));
                0
            }
        }
    };
    let role_period = period(
        args.role_period.clone(),
        "--role-period",
        file.role_period,
        "role period",
        &mut err,
    );
    let token_period = period(
        args.token_period.clone(),
        "--token-period",
        file.token_period,
        "token period",
        &mut err,
    );

    // task_token_ttl is read by Nomad with Go's parser: its words, its minimum.
    let ttl = pick(
        args.task_token_ttl.clone(),
        "--task-token-ttl",
        file.task_token_ttl,
        || DEFAULT_TASK_TOKEN_TTL.to_string(),
    );
    let ttl_text = match ttl.value.parse::<u64>() {
        // A bare number in the file means seconds; Nomad's parser wants a unit.
        Ok(secs) if matches!(ttl.origin, Origin::File { .. }) => format!("{secs}s"),
        _ => ttl.value.clone(),
    };
    match parse_go(&ttl_text) {
        Err(e) => err(
            &ttl.origin,
            format!(
                "failed to parse TaskTokenTTL {}: {e} (Nomad's words; use a Go duration such as \"1h\")",
                crate::nomad::gofmt::go_quote(&ttl_text)
            ),
        ),
        Ok(d) if d < MIN_TASK_TOKEN_TTL => err(
            &ttl.origin,
            format!(
                "task_token_ttl {ttl_text:?}: ChildTokenTTL is less than minimum allowed of {} (Nomad would refuse to start)",
                format_go(MIN_TASK_TOKEN_TTL)
            ),
        ),
        Ok(_) => {}
    }

    // Outputs.
    let token_output = relative_to(
        base,
        pick(
            args.token_output.clone(),
            "--token-output",
            file.token_output,
            || default_path(DEFAULT_TOKEN_OUTPUT),
        ),
    );
    let stanza_out = |flag: Option<PathBuf>, name: &'static str, f: Option<Located<PathBuf>>| {
        match (flag, f) {
            (Some(p), _) => Some(p),
            (None, Some(l)) => Some(relative_to(base, l).value),
            (None, None) => None,
        }
        .map(|p| Located::new(p, Origin::Flag(name)))
    };
    let server_out = stanza_out(
        args.server_stanza_output.clone(),
        "--server-stanza-output",
        file.server_output,
    );
    let client_out = stanza_out(
        args.client_stanza_output.clone(),
        "--client-stanza-output",
        file.client_output,
    );
    let mut outputs: Vec<(&str, &PathBuf)> = vec![
        ("init output", &init_output.value),
        ("token output", &token_output.value),
    ];
    if let Some(p) = &server_out {
        outputs.push(("server stanza output", &p.value));
    }
    if let Some(p) = &client_out {
        outputs.push(("client stanza output", &p.value));
    }
    for (i, (what, p)) in outputs.iter().enumerate() {
        if let Some((other, _)) = outputs[..i].iter().find(|(_, q)| q == p) {
            err(
                &Origin::Default,
                format!(
                    "the {what} and the {other} are the same file {}",
                    p.display()
                ),
            );
        }
        if p.is_dir() {
            err(
                &Origin::Default,
                format!("the {what} {} is a directory", p.display()),
            );
        }
    }

    // The address the Nomad agents use.
    let nomad_address = match (&args.vault_address, &file.vault_address) {
        (Some(a), _) => Some(Located::new(a.clone(), Origin::Flag("--vault-address"))),
        (None, Some(a)) => Some(a.clone()),
        (None, None) => None,
    };
    let nomad_vault_address = match nomad_address {
        Some(a) => match crate::settings::validate_address(&a.value) {
            Ok(v) => v,
            Err(e) => {
                err(&a.origin, format!("invalid Nomad vault address: {e:#}"));
                String::new()
            }
        },
        None => addresses
            .first()
            .map(|a| a.value.clone())
            .unwrap_or_default(),
    };

    // Job policies: from the file's blocks, then `--job-policy NAME=FILE` flags.
    let mut sources: Vec<FileJobPolicy> = file.job_policies;
    for spec in &args.job_policies {
        match spec.split_once('=') {
            Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => sources
                .push(FileJobPolicy {
                    name: name.trim().to_string(),
                    origin: Origin::Flag("--job-policy"),
                    file: Some(Located::new(
                        PathBuf::from(path.trim()),
                        Origin::Flag("--job-policy"),
                    )),
                    text: None,
                }),
            _ => err(
                &Origin::Flag("--job-policy"),
                format!("expected NAME=FILE, got {spec:?}"),
            ),
        }
    }
    let mut job_policies = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for source in sources {
        let name = source.name.trim().to_lowercase();
        if name == policy {
            err(
                &source.origin,
                format!("job policy {name:?} has the name of the Nomad servers' policy"),
            );
            continue;
        }
        if !names.insert(name.clone()) {
            err(
                &source.origin,
                format!("job policy {name:?} is given twice"),
            );
            continue;
        }
        let (text, label) = match (source.file, source.text) {
            (Some(f), _) => {
                let f = relative_to(base, f);
                match crate::local_file::read_text(&f.value, crate::local_file::MAX_INPUT_BYTES) {
                    Ok(text) => (text, f.value.display().to_string()),
                    Err(e) => {
                        err(
                            &f.origin,
                            format!(
                                "job policy {name:?}: cannot read {}: {e}",
                                f.value.display()
                            ),
                        );
                        continue;
                    }
                }
            }
            (None, Some(t)) => (t.value, t.origin.to_string()),
            (None, None) => continue,
        };
        // The same local validation the policy step does, so errors carry file:line now.
        match PolicyStep::new(&name, &text, &label) {
            Ok(_) => job_policies.push(JobPolicy {
                name,
                source: label,
                text,
            }),
            Err(e) => err(&source.origin, format!("job policy {name:?}: {e:#}")),
        }
    }
    if let JobPolicies::Allowed(list) = &rule {
        for p in list
            .iter()
            .filter(|p| *p != "default" && !names.contains(*p))
        {
            warnings.push(format!("allowed policy {p:?} is not written by this bootstrap: make sure it exists in Vault before jobs use it"));
        }
    }

    // The role as it will be written, through the same parser as role files.
    let mut role_fields = serde_json::json!({
        "orphan": true,
        "renewable": true,
        "token_period": role_period,
        "token_explicit_max_ttl": 0,
    });
    match &rule {
        JobPolicies::Allowed(l) => role_fields["allowed_policies"] = serde_json::json!(l),
        JobPolicies::Disallowed(l) => role_fields["disallowed_policies"] = serde_json::json!(l),
    }
    let role = match parse_role_json(
        &role_fields.to_string(),
        &role_name.value,
        "the bootstrap role",
    ) {
        Ok(role) => Some(role),
        Err(problems) => {
            for p in problems {
                err(&role_name.origin, p.to_string());
            }
            None
        }
    };

    let workload_identity_block = file.wi.block.clone();
    let workload_identity = workload_identity(file.wi, base, args, &mut err);

    if addresses.is_empty() {
        err(
            &Origin::Default,
            "no Vault address: give --address or vault { address = … }".into(),
        );
    }
    Some(BootstrapConfig {
        addresses: addresses.into_iter().map(|a| a.value).collect(),
        key_shares: u32::try_from(shares.value).unwrap_or(0),
        key_threshold: u32::try_from(threshold.value).unwrap_or(0),
        init_output: init_output.value,
        policy_name: policy,
        role_name: role_name.value,
        job_policies_rule: rule,
        role: role?,
        role_period,
        token_period,
        task_token_ttl: ttl_text,
        token_output: token_output.value,
        rotate_token: args.rotate_token,
        server_stanza_output: server_out.map(|l| l.value),
        client_stanza_output: client_out.map(|l| l.value),
        nomad_vault_address,
        job_policies,
        workload_identity,
        workload_identity_block,
        warnings,
    })
}

/// The workload-identity settings: flags over the file's block, every value checked where it
/// came from. `--role`, `--policy-name` and `--role-period` are shared with the legacy flow,
/// which checks them already; the block's own `role`, `policy` and `token_period` are checked
/// here.
fn workload_identity(
    file: FileWorkloadIdentity,
    base: Option<&Path>,
    args: &BootstrapArgs,
    err: &mut dyn FnMut(&Origin, String),
) -> WiOptions {
    let flag = |value: &Option<String>, name: &'static str| {
        value.clone().map(|v| Located::new(v, Origin::Flag(name)))
    };
    let either = |f: Option<Located<String>>, file: Option<Located<String>>| f.or(file);
    fn check(
        err: &mut dyn FnMut(&Origin, String),
        value: &Option<Located<String>>,
        what: &str,
        test: &dyn Fn(&str) -> Result<(), String>,
    ) {
        if let Some(v) = value {
            if let Err(e) = test(&v.value) {
                err(&v.origin, format!("{what}: {e}"));
            }
        }
    }

    let jwks_url = either(flag(&args.jwks_url, "--jwks-url"), file.jwks_url);
    check(err, &jwks_url, "invalid JWKS URL", &|v| {
        wi::jwks_url_setting(v).map(drop)
    });
    let nomad_addr = either(flag(&args.nomad_addr, "--nomad-addr"), file.nomad_addr);
    check(err, &nomad_addr, "invalid Nomad address", &|v| {
        crate::nomad::workload_identity::jwks_url_from_nomad_addr(v).map(drop)
    });
    let jwks_ca_file = match (&args.jwks_ca_file, file.jwks_ca_file) {
        (Some(p), _) => Some(Located::new(p.clone(), Origin::Flag("--jwks-ca-file"))),
        (None, Some(p)) => Some(relative_to(base, p)),
        (None, None) => None,
    };
    if let Some(ca) = &jwks_ca_file {
        if let Err(e) = wi::jwks_ca_setting(&ca.value) {
            err(&ca.origin, format!("JWKS CA file {e}"));
        }
    }
    let audience = either(
        flag(&args.audience, "--audience"),
        file.audience
            .map(|l| Located::new(l.value.join(","), l.origin)),
    );
    check(err, &audience, "invalid audience", &|v| {
        wi::audience_setting(v).map(drop)
    });
    let auth_path = either(flag(&args.auth_path, "--auth-path"), file.auth_path);
    check(err, &auth_path, "invalid auth path", &|v| {
        wi::auth_path_setting(v).map(drop)
    });
    let name = |v: &str| {
        if v.trim().is_empty() || v.contains('/') {
            Err(format!("{v:?}: it must be non-empty without '/'"))
        } else {
            Ok(())
        }
    };
    check(
        err,
        &file.role,
        "invalid workload identity role name",
        &name,
    );
    check(
        err,
        &file.policy,
        "invalid workload identity policy name",
        &|v| {
            name(v)?;
            if v.trim().eq_ignore_ascii_case("root") {
                return Err("the workload policy cannot be Vault's root policy".into());
            }
            Ok(())
        },
    );
    check(
        err,
        &file.token_period,
        "invalid workload identity token period",
        &|v| parse_flag_seconds(v).map(drop).map_err(|e| e.to_string()),
    );
    let value = |l: Option<Located<String>>| l.map(|l| l.value);
    WiOptions {
        jwks_url: value(jwks_url),
        nomad_addr: value(nomad_addr),
        jwks_ca_file: jwks_ca_file.map(|l| l.value),
        audience: value(audience),
        auth_path: value(auth_path),
        role: args.role.clone().or(value(file.role)),
        policy: args.policy_name.clone().or(value(file.policy)),
        token_period: args.role_period.clone().or(value(file.token_period)),
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
        assert_eq!(
            errors.errors[0].origin,
            Origin::File {
                path: match &errors.errors[0].origin {
                    Origin::File { path, .. } => path.clone(),
                    _ => unreachable!(),
                },
                line: Some(2)
            }
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
    fn disallowed_list_without_the_server_policy_is_refused() {
        let errors = resolve_text(
            "role {\n  disallowed_policies = [\"other\"]\n}\n",
            BootstrapArgs::default(),
        )
        .unwrap_err();
        assert!(errors.errors[0]
            .message
            .contains("must list \"nomad-server\""));
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
}
