//! The `postgresql-database-plugin`: what Vault checks in a connection's details, and what it
//! runs on PostgreSQL (vault-api-engines.md §3.1, §7), over a real connection (tokio-postgres).
//!
//! [`Plugin::initialize`] is Vault's `Initialize` without its network part and runs under the
//! sandbox's state lock; everything async here opens its own short connection and must be
//! awaited *without* the lock (the handlers hand it to `api::Deferred` or a lease engine).
//!
//! Upstream: plugins/database/postgresql/postgresql.go (Initialize, NewUser, UpdateUser,
//! changeUserPassword, changeUserExpiration, customDeleteUser, defaultDeleteUser),
//! sdk/database/helper/connutil/sql.go (Init, Connection, applyPostgresSettings),
//! pgconn's connectError (`failed to connect to `host=… user=… database=…`: dial error (…)`)
//! and PgError (`ERROR: … (SQLSTATE …)`), the error sanitizer middleware (`[password]`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};
use tokio::net::TcpStream;
use tokio_postgres::{Client, NoTls};

use super::statements;

/// The default renew statement (`defaultExpirationStatement`).
const DEFAULT_RENEW: &str = "ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}';";
/// The default root rotation statement (`defaultChangePasswordStatement`).
const DEFAULT_ROTATE: &str = "ALTER ROLE \"{{username}}\" WITH PASSWORD '{{password}}';";
/// The default username template, the only one the sandbox renders.
pub const DEFAULT_USERNAME_TEMPLATE: &str = r#"{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}"#;

/// Bounds on the sandbox's own waits (Vault's are its request context's, 90 s by default).
const DIAL_TIMEOUT: Duration = Duration::from_secs(10);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// Go's `url.PathEscape` (a path segment): everything but unreserved characters and `$&+:=@`.
const PATH_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'/')
    .add(b';')
    .add(b',')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'\'')
    .add(b'!')
    .add(b'(')
    .add(b')')
    .add(b'*');

/// How `{{password}}` reaches PostgreSQL (`password_authentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PasswordAuthentication {
    Password,
    ScramSha256,
}

/// Where to connect, parsed from the rendered `connection_url`.
#[derive(Clone)]
struct Target {
    host: String,
    port: u16,
    user: String,
    password: String,
    database: String,
    application_name: String,
    /// Run-time parameters sent at start-up (`timezone=UTC` and any the URL adds).
    options: Vec<(String, String)>,
    dial_timeout: Duration,
    /// `sslmode` asks for TLS, which the sandbox does not speak to PostgreSQL.
    tls_required: Option<String>,
}

/// An initialised plugin: everything a connection and a statement need. Cloned into the
/// async work, so it holds no reference to the state.
#[derive(Clone)]
pub struct Plugin {
    target: Target,
    /// The configured root credentials (`username`, `password`), as given.
    root_user: String,
    root_password: String,
    password_authentication: PasswordAuthentication,
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plugin")
            .field("host", &self.target.host)
            .field("port", &self.target.port)
            .field("user", &self.target.user)
            .finish_non_exhaustive()
    }
}

/// A string detail (`strutil.GetString`: absent is empty, another type an error).
fn detail(details: &Map<String, Value>, key: &str) -> Result<String, String> {
    match details.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "failed to retrieve {key}: expected string, got {other}"
        )),
    }
}

/// A string field decoded weakly, as mapstructure does (numbers and bools become text).
fn weak_string(details: &Map<String, Value>, key: &str) -> String {
    match details.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
        Some(other) => other.to_string(),
    }
}

fn weak_bool(details: &Map<String, Value>, key: &str) -> bool {
    details
        .get(key)
        .is_some_and(|v| crate::token::fields::parse_bool(v).unwrap_or(false))
}

impl Plugin {
    /// Vault's `Initialize` up to (not including) the connection check: the errors come back
    /// as Vault words them, without the handler's `error creating database object: ` prefix.
    pub fn initialize(details: &Map<String, Value>) -> Result<Plugin, String> {
        let sslcert = detail(details, "tls_certificate")?;
        let sslkey = detail(details, "private_key")?;
        let sslrootcert = detail(details, "tls_ca")?;
        if sslcert.is_empty() != sslkey.is_empty() {
            return Err(r#"both "sslcert" and "sslkey" are required"#.to_string());
        }
        if !sslrootcert.is_empty() || !sslcert.is_empty() {
            return Err(
                "tls_ca/tls_certificate: the vault-sandbox does not speak TLS to PostgreSQL \
                 (a real Vault would use them)"
                    .to_string(),
            );
        }
        // connutil.SQLConnectionProducer.Init
        let connection_url = weak_string(details, "connection_url");
        if connection_url.is_empty() {
            return Err("connection_url cannot be empty".to_string());
        }
        let templated =
            connection_url.contains("{{username}}") && connection_url.contains("{{password}}");
        let username = weak_string(details, "username");
        let password = weak_string(details, "password");
        let holds_template = |s: &str| s.contains("{{username}}") || s.contains("{{password}}");
        if holds_template(&username) || holds_template(&password) {
            return Err("username and/or password cannot contain the template variables".into());
        }
        let self_managed = weak_bool(details, "self_managed");
        if !self_managed && username.is_empty() && password.is_empty() && templated {
            return Err(
                "must either provide username/password or set self-managed to 'true'".into(),
            );
        }
        if self_managed && (!username.is_empty() || !password.is_empty() || !templated) {
            return Err("cannot use both self-managed and vault-managed workflows".into());
        }
        if self_managed {
            return Err(
                "self_managed: static roles are not modelled by the vault-sandbox".to_string(),
            );
        }
        let escaping = !weak_bool(details, "disable_escaping");
        let escape = |s: &str| {
            if escaping {
                utf8_percent_encode(s, PATH_ESCAPE).to_string()
            } else {
                s.to_string()
            }
        };
        let rendered = statements::render(
            &connection_url,
            &BTreeMap::from([
                ("username", escape(&username).as_str()),
                ("password", escape(&password).as_str()),
            ]),
        );
        if let Some(raw) = details.get("max_connection_lifetime") {
            crate::token::fields::parse_duration(raw)
                .map_err(|e| format!("invalid max_connection_lifetime: {e}"))?;
        }
        let auth_type = weak_string(details, "auth_type");
        if !["", "cert", "gcp_iam"].contains(&auth_type.as_str()) {
            return Err(format!("invalid auth_type: {auth_type}"));
        }
        let target = Target::parse(&rendered)?;
        // postgresql.go Initialize, after the producer
        let template = detail(details, "username_template")?;
        if !template.is_empty() && template != DEFAULT_USERNAME_TEMPLATE {
            return Err(
                "invalid username template: custom username templates are not modelled by the \
                 vault-sandbox (only Vault's default)"
                    .to_string(),
            );
        }
        let password_authentication = match detail(details, "password_authentication")?.as_str() {
            "" | "password" => PasswordAuthentication::Password,
            "scram-sha-256" => PasswordAuthentication::ScramSha256,
            other => {
                return Err(format!(
                    "'{other}' is not a valid password authentication type"
                ))
            }
        };
        Ok(Plugin {
            target,
            root_user: username,
            root_password: password,
            password_authentication,
        })
    }

    /// The connection check of `Initialize` (`verify_connection`): connect, then ping.
    pub async fn verify(&self) -> Result<(), String> {
        self.bounded(async {
            let client = self
                .connect()
                .await
                .map_err(|e| format!("error verifying connection: ping failed: {e}"))?;
            client
                .simple_query(";")
                .await
                .map(drop)
                .map_err(|e| format!("error verifying connection: ping failed: {}", pg_error(&e)))
        })
        .await
    }

    /// `NewUser`: the creation statements, rendered, in one transaction.
    pub async fn new_user(
        &self,
        creation: &[String],
        username: &str,
        password: &str,
        expiration: &str,
    ) -> Result<(), String> {
        let password = self.password_for_statements(password)?;
        let values = BTreeMap::from([
            ("name", username),
            ("username", username),
            ("password", password.as_str()),
            ("expiration", expiration),
        ]);
        let queries: Vec<String> = statements::queries_keeping_blocks(creation)
            .iter()
            .map(|q| statements::render(q, &values))
            .collect();
        self.bounded(async {
            let client = self
                .connect()
                .await
                .map_err(|e| format!("unable to start transaction: {e}"))?;
            in_transaction(&client, &queries, |e| {
                format!("failed to execute query: {e}")
            })
            .await
        })
        .await
    }

    /// `UpdateUser` with a new expiration (a lease renewal): the renew statements or
    /// `ALTER ROLE … VALID UNTIL`, in one transaction; Vault gathers the error in a multierror.
    pub async fn renew_user(
        &self,
        renew: &[String],
        username: &str,
        expiration: &str,
    ) -> Result<(), String> {
        let renew = if renew.is_empty() {
            vec![DEFAULT_RENEW.to_string()]
        } else {
            renew.to_vec()
        };
        let values = BTreeMap::from([
            ("name", username),
            ("username", username),
            ("expiration", expiration),
        ]);
        let queries: Vec<String> = statements::queries(&renew)
            .iter()
            .map(|q| statements::render(q, &values))
            .collect();
        self.bounded(async {
            let client = self.connect().await.map_err(|e| multierror(&e))?;
            in_transaction(&client, &queries, |e| e)
                .await
                .map_err(|e| multierror(&e))
        })
        .await
    }

    /// `DeleteUser`: the revocation statements in one transaction, or without any, Vault's
    /// default sequence (§7): revoke what can be revoked, collecting errors, then drop.
    pub async fn delete_user(&self, revocation: &[String], username: &str) -> Result<(), String> {
        let values = BTreeMap::from([("name", username), ("username", username)]);
        let queries: Vec<String> = statements::queries_keeping_blocks(revocation)
            .iter()
            .map(|q| statements::render(q, &values))
            .collect();
        self.bounded(async {
            let client = self.connect().await?;
            if queries.is_empty() {
                default_delete_user(&client, username).await
            } else {
                in_transaction(&client, &queries, |e| e).await
            }
        })
        .await
    }

    /// `UpdateUser` with a new password for the configured root user (`rotate-root`): the
    /// rotation statements or `ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}'`.
    pub async fn rotate_root(&self, rotation: &[String], new_password: &str) -> Result<(), String> {
        let rotation = if rotation.is_empty() {
            vec![DEFAULT_ROTATE.to_string()]
        } else {
            rotation.to_vec()
        };
        let password = self.password_for_statements(new_password)?;
        let user = self.root_user.as_str();
        let values = BTreeMap::from([
            ("name", user),
            ("username", user),
            ("password", password.as_str()),
        ]);
        let queries: Vec<String> = statements::queries(&rotation)
            .iter()
            .map(|q| statements::render(q, &values))
            .collect();
        self.bounded(async {
            let client = self
                .connect()
                .await
                .map_err(|e| multierror(&format!("unable to start transaction: {e}")))?;
            client
                .query_one(
                    "SELECT exists (SELECT rolname FROM pg_roles WHERE rolname=$1);",
                    &[&user],
                )
                .await
                .map_err(|e| {
                    multierror(&format!("user does not appear to exist: {}", pg_error(&e)))
                })?;
            in_transaction(&client, &queries, |e| {
                format!("failed to execute query: {e}")
            })
            .await
            .map_err(|e| multierror(&e))
        })
        .await
    }

    /// `{{password}}` as the statements see it: the SCRAM verifier with
    /// `password_authentication = "scram-sha-256"`, else the password itself.
    fn password_for_statements(&self, password: &str) -> Result<String, String> {
        Ok(match self.password_authentication {
            PasswordAuthentication::Password => password.to_string(),
            PasswordAuthentication::ScramSha256 => {
                postgres_protocol::password::scram_sha_256(password.as_bytes())
            }
        })
    }

    /// The error sanitizer middleware: the root password never appears in an error.
    fn sanitize(&self, message: String) -> String {
        if self.root_password.is_empty() {
            return message;
        }
        let escaped = utf8_percent_encode(&self.root_password, PATH_ESCAPE).to_string();
        message
            .replace(&self.root_password, "[password]")
            .replace(&escaped, "[password]")
    }

    /// Bounds an operation in time and sanitises its error.
    async fn bounded<F>(&self, work: F) -> Result<(), String>
    where
        F: std::future::Future<Output = Result<(), String>>,
    {
        match tokio::time::timeout(OPERATION_TIMEOUT, work).await {
            Ok(result) => result.map_err(|e| self.sanitize(e)),
            Err(_) => Err("context deadline exceeded".to_string()),
        }
    }

    /// Connects as the root user; the error is pgconn's `failed to connect to …` text.
    async fn connect(&self) -> Result<Client, String> {
        let t = &self.target;
        let failed = |msg: &str, err: &str| {
            format!(
                "failed to connect to `host={} user={} database={}`: {msg} ({err})",
                t.host, t.user, t.database
            )
        };
        if let Some(mode) = &t.tls_required {
            return Err(failed(
                "tls error",
                &format!("sslmode={mode}: the vault-sandbox does not speak TLS to PostgreSQL"),
            ));
        }
        let addrs: Vec<std::net::SocketAddr> = match tokio::time::timeout(
            t.dial_timeout,
            tokio::net::lookup_host((t.host.as_str(), t.port)),
        )
        .await
        {
            Ok(Ok(addrs)) => addrs.collect(),
            Ok(Err(_)) | Err(_) => {
                return Err(failed(
                    "hostname resolving error",
                    &format!("lookup {}: no such host", t.host),
                ))
            }
        };
        let mut last = format!("lookup {}: no such host", t.host);
        let mut stream = None;
        for addr in addrs {
            match tokio::time::timeout(t.dial_timeout, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => {
                    stream = Some(s);
                    break;
                }
                Ok(Err(e)) => last = format!("dial tcp {addr}: connect: {}", go_errno(&e)),
                Err(_) => last = format!("dial tcp {addr}: i/o timeout"),
            }
        }
        let Some(stream) = stream else {
            return Err(failed("dial error", &last));
        };
        let mut config = tokio_postgres::Config::new();
        config
            .user(&t.user)
            .password(&t.password)
            .dbname(&t.database)
            .application_name(&t.application_name);
        let options: Vec<String> = t
            .options
            .iter()
            .map(|(k, v)| format!("-c {k}={}", v.replace(' ', "\\ ")))
            .collect();
        if !options.is_empty() {
            config.options(options.join(" "));
        }
        match tokio::time::timeout(t.dial_timeout, config.connect_raw(stream, NoTls)).await {
            Ok(Ok((client, connection))) => {
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                Ok(client)
            }
            Ok(Err(e)) => Err(match e.as_db_error() {
                Some(_) => failed("server error", &pg_error(&e)),
                None => failed("failed to receive message", &e.to_string()),
            }),
            Err(_) => Err(failed("failed to receive message", "i/o timeout")),
        }
    }
}

/// Go's multierror text for one error, as `UpdateUser` returns it.
fn multierror(e: &str) -> String {
    format!("1 error occurred:\n\t* {e}\n\n")
}

/// pgconn's `PgError.Error()`: `ERROR: role "x" does not exist (SQLSTATE 42704)`.
pub fn pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        ),
        None => e.to_string(),
    }
}

/// The text Go's net package gives a failed connect (`connection refused`).
fn go_errno(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".into(),
        ErrorKind::HostUnreachable => "no route to host".into(),
        ErrorKind::NetworkUnreachable => "network is unreachable".into(),
        ErrorKind::TimedOut => "connection timed out".into(),
        _ => {
            let text = e.to_string();
            text.split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase()
        }
    }
}

/// Runs `queries` (already rendered) in one transaction; the first error rolls it back.
async fn in_transaction(
    client: &Client,
    queries: &[String],
    frame: impl Fn(String) -> String,
) -> Result<(), String> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| pg_error(&e))?;
    for query in queries {
        if let Err(e) = client.batch_execute(query).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(frame(pg_error(&e)));
        }
    }
    client
        .batch_execute("COMMIT")
        .await
        .map_err(|e| pg_error(&e))
}

/// `defaultDeleteUser` (§7): nothing to do for a role that is gone; else revoke its grants
/// outside a transaction, collecting the last error, and drop it only if all succeeded.
async fn default_delete_user(client: &Client, username: &str) -> Result<(), String> {
    let exists: bool = client
        .query_one(
            "SELECT exists (SELECT rolname FROM pg_roles WHERE rolname=$1);",
            &[&username],
        )
        .await
        .map_err(|e| pg_error(&e))?
        .get(0);
    if !exists {
        return Ok(());
    }
    let user = statements::quote_identifier(username);
    let schemas = client
        .query(
            "SELECT DISTINCT table_schema FROM information_schema.role_column_grants WHERE grantee=$1;",
            &[&username],
        )
        .await
        .map_err(|e| pg_error(&e))?;
    let mut revocations = Vec::new();
    for row in schemas {
        let Ok(schema) = row.try_get::<_, String>(0) else {
            continue;
        };
        let schema = statements::quote_identifier(&schema);
        revocations.push(format!(
            "REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA {schema} FROM {user};"
        ));
        revocations.push(format!("REVOKE USAGE ON SCHEMA {schema} FROM {user};"));
    }
    revocations.push(format!(
        "REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM {user};"
    ));
    revocations.push(format!(
        "REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM {user};"
    ));
    revocations.push(format!("REVOKE USAGE ON SCHEMA public FROM {user};"));
    let database: Option<String> = client
        .query_one("SELECT current_database();", &[])
        .await
        .map_err(|e| pg_error(&e))?
        .get(0);
    if let Some(database) = database {
        revocations.push(format!(
            "REVOKE CONNECT ON DATABASE {} FROM {user};",
            statements::quote_identifier(&database)
        ));
    }
    let mut last_error = None;
    for query in &revocations {
        if let Err(e) = client.batch_execute(query).await {
            last_error = Some(pg_error(&e));
        }
    }
    if let Some(e) = last_error {
        return Err(format!("could not perform all revocation statements: {e}"));
    }
    client
        .batch_execute(&format!("DROP ROLE IF EXISTS {user};"))
        .await
        .map_err(|e| pg_error(&e))
}

impl Target {
    /// The rendered connection string: a `postgres://`/`postgresql://` URL (as pgx reads it,
    /// with connutil's `timezone=UTC` and `application_name=vault`), or `key=value` pairs.
    fn parse(conn: &str) -> Result<Target, String> {
        let mut target = Target {
            host: "localhost".into(),
            port: 5432,
            user: String::new(),
            password: String::new(),
            database: String::new(),
            application_name: "vault".into(),
            options: vec![("timezone".into(), "UTC".into())],
            dial_timeout: DIAL_TIMEOUT,
            tls_required: None,
        };
        let mut params: Vec<(String, String)> = Vec::new();
        if conn.starts_with("postgres://") || conn.starts_with("postgresql://") {
            let url = url::Url::parse(conn).map_err(|e| {
                format!(
                    "cannot parse `{}`: failed to parse as URL ({e})",
                    redact(conn)
                )
            })?;
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            target.user = decode(url.username());
            target.password = url.password().map(decode).unwrap_or_default();
            if let Some(host) = url.host_str() {
                target.host = host.trim_matches(|c| c == '[' || c == ']').to_string();
            }
            if let Some(port) = url.port() {
                target.port = port;
            }
            target.database = decode(url.path().trim_start_matches('/'));
            params = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        } else {
            for pair in conn.split_whitespace() {
                if let Some((k, v)) = pair.split_once('=') {
                    params.push((k.to_string(), v.trim_matches('\'').to_string()));
                }
            }
        }
        for (key, value) in params {
            match key.as_str() {
                "host" => target.host = value,
                "port" => {
                    target.port = value
                        .parse()
                        .map_err(|_| format!("cannot parse `{}`: invalid port", redact(conn)))?
                }
                "user" => target.user = value,
                "password" => target.password = value,
                "dbname" => target.database = value,
                "application_name" => target.application_name = value,
                "connect_timeout" => {
                    if let Ok(secs) = value.parse::<u64>() {
                        if secs > 0 {
                            target.dial_timeout = Duration::from_secs(secs);
                        }
                    }
                }
                "sslmode" => match value.as_str() {
                    "disable" | "allow" | "prefer" => {}
                    "require" | "verify-ca" | "verify-full" => target.tls_required = Some(value),
                    other => {
                        return Err(format!(
                        "cannot parse `{}`: failed to configure TLS (sslmode is invalid: {other})",
                        redact(conn)
                    ))
                    }
                },
                "sslcert"
                | "sslkey"
                | "sslrootcert"
                | "sslpassword"
                | "target_session_attrs"
                | "search_path" => {}
                _ => target.options.push((key, value)),
            }
        }
        if target.database.is_empty() {
            target.database = target.user.clone();
        }
        Ok(target)
    }
}

/// pgconn redacts the password of a connection string it cannot parse.
fn redact(conn: &str) -> String {
    match url::Url::parse(conn) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("xxxxx"));
            url.to_string()
        }
        _ => conn.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn details(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn initialize_refuses_as_connutil_does_in_its_order() {
        let refuse = |v: Value| Plugin::initialize(&details(v)).unwrap_err();
        assert_eq!(refuse(json!({})), "connection_url cannot be empty");
        assert_eq!(
            refuse(
                json!({"connection_url": "postgresql://{{username}}:{{password}}@h/db",
                          "username": "{{username}}"})
            ),
            "username and/or password cannot contain the template variables"
        );
        assert_eq!(
            refuse(json!({"connection_url": "postgresql://{{username}}:{{password}}@h/db"})),
            "must either provide username/password or set self-managed to 'true'"
        );
        assert_eq!(
            refuse(
                json!({"connection_url": "postgresql://{{username}}:{{password}}@h/db",
                          "username": "u", "password": "p", "password_authentication": "md5"})
            ),
            "'md5' is not a valid password authentication type"
        );
    }

    #[test]
    fn the_url_is_rendered_with_escaped_credentials_and_vaults_settings() {
        let plugin = Plugin::initialize(&details(json!({
            "connection_url": "postgresql://{{username}}:{{password}}@db.example:6543/app?sslmode=disable",
            "username": "postgres", "password": "p@ss/w:rd"
        })))
        .unwrap();
        let t = &plugin.target;
        assert_eq!((t.host.as_str(), t.port), ("db.example", 6543));
        assert_eq!(
            (t.user.as_str(), t.password.as_str()),
            ("postgres", "p@ss/w:rd")
        );
        assert_eq!(t.database, "app");
        assert_eq!(t.application_name, "vault");
        assert_eq!(t.options, vec![("timezone".to_string(), "UTC".to_string())]);
        assert!(t.tls_required.is_none());
    }

    #[test]
    fn errors_never_carry_the_root_password() {
        let plugin = Plugin::initialize(&details(json!({
            "connection_url": "postgresql://{{username}}:{{password}}@h/db",
            "username": "u", "password": "s3cr3t!"
        })))
        .unwrap();
        assert_eq!(
            plugin.sanitize("bad s3cr3t! and s3cr3t%21".into()),
            "bad [password] and [password]"
        );
    }
}
