//! Global flags and the `VAULT_*` environment, resolved once into one [`Settings`] value.
//!
//! Like the Vault CLI, flags override the environment. Nothing downstream reads the
//! environment again: commands get everything from here, which is what makes them testable.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::cli::{Format, GlobalArgs};
use crate::secret::SecretString;
use crate::vault::{ClientConfig, RequestObserver, TlsConfig, VaultClient, VaultError};

pub const DEFAULT_ADDRESS: &str = "https://127.0.0.1:8200";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// Where the process reads its environment from; tests substitute a map.
pub trait Environment {
    fn var(&self, key: &str) -> Option<String>;
    fn home_dir(&self) -> Option<PathBuf>;
    fn stdin_is_terminal(&self) -> bool;
    fn stdout_is_terminal(&self) -> bool;
    fn stderr_is_terminal(&self) -> bool;
}

/// The real process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
    fn home_dir(&self) -> Option<PathBuf> {
        std::env::var_os("HOME").map(PathBuf::from)
    }
    fn stdin_is_terminal(&self) -> bool {
        std::io::stdin().is_terminal()
    }
    fn stdout_is_terminal(&self) -> bool {
        std::io::stdout().is_terminal()
    }
    fn stderr_is_terminal(&self) -> bool {
        std::io::stderr().is_terminal()
    }
}

/// Where the token came from, so messages can say which one was used (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    Flag(PathBuf),
    Env,
    HomeFile(PathBuf),
    None,
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Flag(p) => write!(f, "--token-file {}", p.display()),
            TokenSource::Env => f.write_str("VAULT_TOKEN"),
            TokenSource::HomeFile(p) => write!(f, "{}", p.display()),
            TokenSource::None => f.write_str("no token"),
        }
    }
}

/// Everything a command needs to know about how it was invoked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One or more Vault nodes; the first is the one single-node commands talk to.
    pub addresses: Vec<String>,
    pub token: Option<SecretString>,
    pub token_source: TokenSource,
    pub namespace: Option<String>,
    pub tls: TlsConfig,
    pub timeout: Duration,
    pub max_retries: u32,
    /// The format asked for with --format or NVCTL_FORMAT; `None` means the command's default.
    pub format: Option<Format>,
    /// Prompts may be shown: stdin is a terminal and `CI` is not set.
    pub interactive: bool,
    /// Animated progress may be drawn on stderr.
    pub progress: bool,
    pub color: bool,
    pub yes: bool,
    pub verbose: u8,
    pub quiet: bool,
    pub show_secrets: bool,
    /// `--strict`: nvctl's error-grade advice fails the checks too (exit 3).
    pub strict: bool,
    /// The Vault client, built on first use. Every client a command gets from here is this one
    /// or a clone of it (another node, another token), so they share one connection pool, one
    /// list of notices and one request log.
    client: Arc<OnceLock<VaultClient>>,
    /// Told about every exchange of every client built from here (the `-v` request log, which
    /// the command dispatcher attaches: settings know nothing of the terminal).
    request_observer: Option<ObserverSlot>,
}

/// A request observer that `Settings` can carry and print with `{:?}`.
#[derive(Clone)]
struct ObserverSlot(Arc<dyn RequestObserver>);

impl std::fmt::Debug for ObserverSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestObserver")
    }
}

impl Settings {
    /// Resolves flags and environment. Every invalid value is an error naming the flag or
    /// variable it came from (exit 1).
    pub fn resolve(args: &GlobalArgs, env: &dyn Environment) -> Result<Settings> {
        let addresses = resolve_addresses(args, env)?;
        let (token, token_source) = resolve_token(args, env)?;

        let namespace = args
            .namespace
            .clone()
            .or_else(|| non_empty(env.var("VAULT_NAMESPACE")))
            .map(|ns| ns.trim_matches('/').to_string())
            .filter(|ns| !ns.is_empty());
        if let Some(ns) = &namespace {
            // It travels in an HTTP header: a control character would be refused by the HTTP
            // stack mid-run, or split the header.
            if let Some(c) = ns.chars().find(|c| c.is_control()) {
                bail!(
                    "invalid --namespace/VAULT_NAMESPACE {ns:?}: it contains the control character \
                     {:?}; a namespace is a path like team-a or team-a/child",
                    c
                );
            }
        }

        let tls = resolve_tls(args, env)?;

        let timeout = match (&args.timeout, non_empty(env.var("VAULT_CLIENT_TIMEOUT"))) {
            (Some(flag), _) => parse_timeout(flag).context("invalid --timeout")?,
            (None, Some(var)) => parse_timeout(&var).context("invalid VAULT_CLIENT_TIMEOUT")?,
            (None, None) => DEFAULT_TIMEOUT,
        };

        let max_retries = match (&args.max_retries, non_empty(env.var("VAULT_MAX_RETRIES"))) {
            (Some(flag), _) => parse_retries(flag).context("invalid --max-retries")?,
            (None, Some(var)) => parse_retries(&var).context("invalid VAULT_MAX_RETRIES")?,
            (None, None) => DEFAULT_MAX_RETRIES,
        };

        let format = match (args.format, non_empty(env.var("NVCTL_FORMAT"))) {
            (Some(f), _) => Some(f),
            (None, Some(var)) => Some(match var.to_ascii_lowercase().as_str() {
                "table" => Format::Table,
                "json" => Format::Json,
                _ => bail!("invalid NVCTL_FORMAT {var:?}: expected \"table\" or \"json\""),
            }),
            (None, None) => None,
        };

        let ci = non_empty(env.var("CI")).is_some_and(|v| v != "false" && v != "0");
        let interactive = env.stdin_is_terminal() && !ci;
        let color = env.var("NO_COLOR").is_none_or(|v| v.is_empty()) && env.stderr_is_terminal();

        Ok(Settings {
            addresses,
            token,
            token_source,
            namespace,
            tls,
            timeout,
            max_retries,
            format,
            interactive,
            progress: env.stderr_is_terminal() && !ci && !args.quiet,
            color,
            yes: args.yes,
            verbose: args.verbose,
            quiet: args.quiet,
            show_secrets: args.show_secrets,
            strict: args.strict,
            client: Arc::new(OnceLock::new()),
            request_observer: None,
        })
    }

    /// The first (or only) address.
    pub fn address(&self) -> &str {
        &self.addresses[0]
    }

    /// The output format for a command that supports `supported` (the first is its default).
    pub fn format_for(&self, command: &str, supported: &[Format]) -> Result<Format> {
        match self.format {
            None => Ok(supported[0]),
            Some(f) if supported.contains(&f) => Ok(f),
            Some(f) => {
                let names: Vec<String> = supported.iter().map(|s| format_name(*s)).collect();
                bail!(
                    "`nvctl {command}` cannot print --format {}: use {}",
                    format_name(f),
                    names.join(" or ")
                )
            }
        }
    }

    /// The client configuration for one node, with the resolved token.
    pub fn client_config(&self, address: &str) -> ClientConfig {
        ClientConfig {
            address: address.to_string(),
            token: self.token.clone(),
            namespace: self.namespace.clone(),
            tls: self.tls.clone(),
            timeout: self.timeout,
            max_retries: self.max_retries,
        }
    }

    /// The Vault client for the first address, with the resolved token; with `-v` it logs
    /// every exchange on stderr. Building it reads the CA and client certificate files, so an
    /// unreadable one fails here (a local error, exit 1).
    pub fn vault_client(&self) -> Result<VaultClient, VaultError> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let client = VaultClient::observed(self.client_config(self.address()), self.request_log())?;
        Ok(self.client.get_or_init(|| client).clone())
    }

    /// A client for nvctl's own in-process sandbox (`--dev`): none of the operator's token,
    /// namespace or TLS settings apply to it, but -v logs its requests all the same.
    pub fn vault_client_for_sandbox(&self, address: &str) -> Result<VaultClient, VaultError> {
        let config = ClientConfig {
            timeout: self.timeout,
            max_retries: self.max_retries,
            ..ClientConfig::new(address)
        };
        VaultClient::observed(config, self.request_log())
    }

    /// [`Settings::vault_client`] for another node.
    pub fn vault_client_at(&self, address: &str) -> Result<VaultClient, VaultError> {
        self.vault_client()?.with_address(address)
    }

    /// The same settings, with every Vault client built from them telling `observer` about
    /// each exchange (a client built before this call is dropped).
    pub fn with_request_observer(mut self, observer: Arc<dyn RequestObserver>) -> Settings {
        self.request_observer = Some(ObserverSlot(observer));
        self.client = Arc::new(OnceLock::new());
        self
    }

    /// The `-v` request log, when asked for: every client tells it its exchanges.
    pub fn request_log(&self) -> Option<Arc<dyn RequestObserver>> {
        self.request_observer
            .as_ref()
            .map(|slot| Arc::clone(&slot.0))
    }

    /// [`Settings::vault_client`], for commands that cannot do anything without a token.
    pub fn authenticated_client(&self) -> Result<VaultClient> {
        self.require_token()?;
        Ok(self.vault_client()?)
    }

    /// Warnings the Vault clients gathered for the operator (a token sent over plain
    /// `http://`…), each once; drained by this call.
    pub fn take_vault_notices(&self) -> Vec<String> {
        self.client
            .get()
            .map(VaultClient::take_notices)
            .unwrap_or_default()
    }

    /// The token, or an error telling the operator how to give one.
    pub fn require_token(&self) -> Result<&SecretString> {
        self.token.as_ref().ok_or_else(|| {
            anyhow::anyhow!(
                "no Vault token: set VAULT_TOKEN, write it to ~/.vault-token, or pass --token-file PATH"
            )
        })
    }
}

fn format_name(f: Format) -> String {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Env => "env",
        Format::Raw => "raw",
        Format::Hcl => "hcl",
    }
    .to_string()
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn resolve_addresses(args: &GlobalArgs, env: &dyn Environment) -> Result<Vec<String>> {
    let (raw, origin): (Vec<String>, &str) = if !args.addresses.is_empty() {
        (args.addresses.clone(), "--address")
    } else if let Some(var) = non_empty(env.var("VAULT_ADDR")) {
        (vec![var], "VAULT_ADDR")
    } else {
        (vec![DEFAULT_ADDRESS.to_string()], "the default address")
    };
    raw.iter()
        .map(|a| validate_address(a).with_context(|| format!("invalid {origin}")))
        .collect()
}

/// Checks an address is an http(s) URL with a host (the Vault client's own rule,
/// [`crate::vault::normalise_address`]), and drops a trailing slash.
pub fn validate_address(address: &str) -> Result<String> {
    crate::vault::normalise_address(address).map_err(|e| match e {
        VaultError::Config(message) => anyhow::anyhow!(message),
        other => other.into(),
    })
}

fn resolve_token(
    args: &GlobalArgs,
    env: &dyn Environment,
) -> Result<(Option<SecretString>, TokenSource)> {
    if let Some(path) = &args.token_file {
        let token = read_token_file(path)
            .with_context(|| format!("cannot read --token-file {}", path.display()))?;
        return Ok((Some(token), TokenSource::Flag(path.clone())));
    }
    if let Some(var) = env.var("VAULT_TOKEN").map(|t| t.trim().to_string()) {
        if !var.is_empty() {
            return Ok((Some(SecretString::new(var)), TokenSource::Env));
        }
    }
    if let Some(home) = env.home_dir() {
        let path = home.join(".vault-token");
        if path.is_file() {
            let token = read_token_file(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            return Ok((Some(token), TokenSource::HomeFile(path)));
        }
    }
    Ok((None, TokenSource::None))
}

/// Reads a token file: the first line, trimmed; an empty file is an error.
pub fn read_token_file(path: &Path) -> Result<SecretString> {
    let text = crate::local_file::read_text(path, crate::local_file::MAX_SECRET_FILE_BYTES)?;
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        bail!("the file is empty");
    }
    Ok(SecretString::new(token))
}

fn resolve_tls(args: &GlobalArgs, env: &dyn Environment) -> Result<TlsConfig> {
    let path_var = |flag: &Option<PathBuf>, var: &str| -> Option<PathBuf> {
        flag.clone()
            .or_else(|| non_empty(env.var(var)).map(PathBuf::from))
    };
    let ca_cert = path_var(&args.ca_cert, "VAULT_CACERT");
    // As in the Vault CLI, a CA file wins over a CA directory when both are given.
    let ca_path = if ca_cert.is_some() {
        None
    } else {
        path_var(&args.ca_path, "VAULT_CAPATH")
    };
    let client_cert = path_var(&args.client_cert, "VAULT_CLIENT_CERT");
    let client_key = path_var(&args.client_key, "VAULT_CLIENT_KEY");
    if client_cert.is_some() != client_key.is_some() {
        bail!(
            "a client certificate needs both --client-cert (VAULT_CLIENT_CERT) and --client-key \
             (VAULT_CLIENT_KEY); only one was given"
        );
    }
    let server_name = args
        .tls_server_name
        .clone()
        .or_else(|| non_empty(env.var("VAULT_TLS_SERVER_NAME")));
    let skip_verify = match (&args.tls_skip_verify, env.var("VAULT_SKIP_VERIFY")) {
        (Some(flag), _) => parse_bool(flag).context("invalid --tls-skip-verify")?,
        (None, Some(var)) if !var.is_empty() => parse_bool(&var).with_context(|| {
            format!("could not parse VAULT_SKIP_VERIFY={var:?}: expected true or false")
        })?,
        _ => false,
    };
    Ok(TlsConfig {
        ca_cert,
        ca_path,
        client_cert,
        client_key,
        server_name,
        skip_verify,
    })
}

/// Go's `strconv.ParseBool`, which the Vault CLI uses for `VAULT_SKIP_VERIFY`.
pub fn parse_bool(value: &str) -> Result<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => bail!("{other:?} is not a boolean (use true or false)"),
    }
}

fn parse_timeout(value: &str) -> Result<Duration> {
    let secs = crate::duration::parse_flag_seconds(value)?;
    if secs == 0 {
        bail!("the timeout must be positive");
    }
    Ok(Duration::from_secs(secs))
}

fn parse_retries(value: &str) -> Result<u32> {
    value
        .trim()
        .parse::<u32>()
        .map_err(|_| anyhow::anyhow!("{value:?} is not a whole number of retries (0 or more)"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// An environment made of a map, with terminals on.
    struct FakeEnv(HashMap<&'static str, &'static str>);

    impl Environment for FakeEnv {
        fn var(&self, key: &str) -> Option<String> {
            self.0.get(key).map(|v| v.to_string())
        }
        fn home_dir(&self) -> Option<PathBuf> {
            None
        }
        fn stdin_is_terminal(&self) -> bool {
            true
        }
        fn stdout_is_terminal(&self) -> bool {
            true
        }
        fn stderr_is_terminal(&self) -> bool {
            true
        }
    }

    fn env(pairs: &[(&'static str, &'static str)]) -> FakeEnv {
        FakeEnv(pairs.iter().copied().collect())
    }

    fn resolve(args: &GlobalArgs, pairs: &[(&'static str, &'static str)]) -> Result<Settings> {
        Settings::resolve(args, &env(pairs))
    }

    #[test]
    fn defaults_without_flags_or_environment() {
        let s = resolve(&GlobalArgs::default(), &[]).unwrap();
        assert_eq!(s.addresses, vec![DEFAULT_ADDRESS]);
        assert_eq!(s.timeout, DEFAULT_TIMEOUT);
        assert_eq!(s.max_retries, DEFAULT_MAX_RETRIES);
        assert!(s.token.is_none());
        assert_eq!(s.token_source, TokenSource::None);
        assert!(s.interactive && s.color && !s.tls.skip_verify);
        assert_eq!(s.format, None);
    }

    #[test]
    fn every_variable_is_read() {
        let s = resolve(
            &GlobalArgs::default(),
            &[
                ("VAULT_ADDR", "http://vault:8200/"),
                ("VAULT_TOKEN", "hvs.x"),
                ("VAULT_NAMESPACE", "/team-a/"),
                ("VAULT_CAPATH", "/etc/ca.d"),
                ("VAULT_CLIENT_CERT", "/c.pem"),
                ("VAULT_CLIENT_KEY", "/k.pem"),
                ("VAULT_TLS_SERVER_NAME", "vault.internal"),
                ("VAULT_SKIP_VERIFY", "true"),
                ("VAULT_CLIENT_TIMEOUT", "90s"),
                ("VAULT_MAX_RETRIES", "5"),
                ("NVCTL_FORMAT", "json"),
                ("NO_COLOR", "1"),
                ("CI", "true"),
            ],
        )
        .unwrap();
        assert_eq!(s.addresses, vec!["http://vault:8200"]);
        assert_eq!(s.token.as_ref().map(|t| t.expose()), Some("hvs.x"));
        assert_eq!(s.token_source, TokenSource::Env);
        assert_eq!(s.namespace.as_deref(), Some("team-a"));
        assert_eq!(s.tls.ca_path, Some(PathBuf::from("/etc/ca.d")));
        assert_eq!(s.tls.client_cert, Some(PathBuf::from("/c.pem")));
        assert_eq!(s.tls.client_key, Some(PathBuf::from("/k.pem")));
        assert_eq!(s.tls.server_name.as_deref(), Some("vault.internal"));
        assert!(s.tls.skip_verify);
        assert_eq!(s.timeout, Duration::from_secs(90));
        assert_eq!(s.max_retries, 5);
        assert_eq!(s.format, Some(Format::Json));
        assert!(!s.color, "NO_COLOR turns colour off");
        assert!(!s.interactive && !s.progress, "CI is non-interactive");
    }

    #[test]
    fn flags_override_the_environment() {
        let args = GlobalArgs {
            addresses: vec!["https://a:8200".into(), "https://b:8200".into()],
            namespace: Some("flag-ns".into()),
            tls_server_name: Some("flag-name".into()),
            tls_skip_verify: Some("false".into()),
            timeout: Some("5s".into()),
            max_retries: Some("0".into()),
            format: Some(Format::Table),
            ..GlobalArgs::default()
        };
        let s = resolve(
            &args,
            &[
                ("VAULT_ADDR", "http://env:8200"),
                ("VAULT_NAMESPACE", "env-ns"),
                ("VAULT_TLS_SERVER_NAME", "env-name"),
                ("VAULT_SKIP_VERIFY", "true"),
                ("VAULT_CLIENT_TIMEOUT", "90s"),
                ("VAULT_MAX_RETRIES", "5"),
                ("NVCTL_FORMAT", "json"),
            ],
        )
        .unwrap();
        assert_eq!(s.addresses, vec!["https://a:8200", "https://b:8200"]);
        assert_eq!(s.namespace.as_deref(), Some("flag-ns"));
        assert_eq!(s.tls.server_name.as_deref(), Some("flag-name"));
        assert!(!s.tls.skip_verify);
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert_eq!(s.max_retries, 0);
        assert_eq!(s.format, Some(Format::Table));
    }

    #[test]
    fn ca_cert_wins_over_ca_path() {
        let s = resolve(
            &GlobalArgs::default(),
            &[("VAULT_CACERT", "/ca.pem"), ("VAULT_CAPATH", "/ca.d")],
        )
        .unwrap();
        assert_eq!(s.tls.ca_cert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(s.tls.ca_path, None);
    }

    #[test]
    fn invalid_values_name_where_they_came_from() {
        let cases: &[(&[(&'static str, &'static str)], &str)] = &[
            (&[("VAULT_SKIP_VERIFY", "maybe")], "VAULT_SKIP_VERIFY"),
            (&[("VAULT_CLIENT_TIMEOUT", "soon")], "VAULT_CLIENT_TIMEOUT"),
            (&[("VAULT_CLIENT_TIMEOUT", "0")], "VAULT_CLIENT_TIMEOUT"),
            (&[("VAULT_MAX_RETRIES", "-1")], "VAULT_MAX_RETRIES"),
            (&[("NVCTL_FORMAT", "yaml")], "NVCTL_FORMAT"),
            (&[("VAULT_ADDR", "vault:8200")], "VAULT_ADDR"),
            (&[("VAULT_ADDR", "ftp://vault")], "VAULT_ADDR"),
            (&[("VAULT_CLIENT_CERT", "/c.pem")], "VAULT_CLIENT_KEY"),
        ];
        for (pairs, needle) in cases {
            let err = resolve(&GlobalArgs::default(), pairs).unwrap_err();
            assert!(
                format!("{err:#}").contains(needle),
                "{pairs:?}: {err:#} lacks {needle}"
            );
        }
    }

    #[test]
    fn go_booleans_are_accepted() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert!(parse_bool(t).unwrap());
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert!(!parse_bool(f).unwrap());
        }
        assert!(parse_bool("yes").is_err());
    }

    #[test]
    fn a_format_a_command_cannot_print_is_refused() {
        let args = GlobalArgs {
            format: Some(Format::Hcl),
            ..GlobalArgs::default()
        };
        let s = resolve(&args, &[]).unwrap();
        let err = s
            .format_for("status", &[Format::Table, Format::Json])
            .unwrap_err();
        assert!(err.to_string().contains("table or json"), "{err}");
    }
}
