//! nvctl's own short PostgreSQL session: log in with credentials Vault minted, run `SELECT 1`,
//! hang up. It proves that a role's credentials work on the real database (issue 14), and
//! that they stop working once the lease is revoked.

use std::time::Duration;

use crate::postgres_url::PostgresUrl;
use crate::secret::SecretString;

/// How a login went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// PostgreSQL answered, and refused: its own words (`FATAL: password authentication
    /// failed for user "v-…" (SQLSTATE 28P01)`).
    Refused(String),
    /// PostgreSQL could not be reached (or spoke no protocol nvctl can use).
    Unreachable(String),
}

impl LoginError {
    /// PostgreSQL refused the password (`28P01 invalid_password`), as it does once the
    /// password was changed.
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, LoginError::Refused(words) if words.ends_with("(SQLSTATE 28P01)"))
    }
}

/// Logs in to the database `url` names as `user`, runs `SELECT 1`.
pub fn login(
    url: &PostgresUrl,
    user: &str,
    password: &SecretString,
    timeout: Duration,
) -> Result<(), LoginError> {
    session(url, user, password, timeout).map(drop)
}

/// A short session, logged in and past `SELECT 1`; it hangs up when dropped.
pub struct Session(postgres::Client);

impl Session {
    /// `has_table_privilege(table, 'SELECT')` for the session's user: whether a `SELECT` on
    /// `table` (`schema.table`) would be allowed. A table PostgreSQL does not know is its
    /// error (`relation "…" does not exist (SQLSTATE 42P01)`).
    pub fn can_select(&mut self, table: &str) -> Result<bool, LoginError> {
        let row = self
            .0
            .query_one("SELECT has_table_privilege($1, 'SELECT')", &[&table])
            .map_err(describe)?;
        row.try_get(0).map_err(describe)
    }
}

/// Logs in as `user` (see [`login`]) and keeps the session open for further checks.
pub fn session(
    url: &PostgresUrl,
    user: &str,
    password: &SecretString,
    timeout: Duration,
) -> Result<Session, LoginError> {
    let at = url.location();
    if let Some(mode) = at
        .param("sslmode")
        .filter(|m| matches!(*m, "require" | "verify-ca" | "verify-full"))
    {
        return Err(LoginError::Unreachable(format!(
            "sslmode={mode}: nvctl logs in without TLS only (use --no-mint to skip the proof)"
        )));
    }
    let mut config = postgres::Config::new();
    config
        .host(&at.host)
        .port(at.port)
        .user(user)
        .password(password.expose())
        .dbname(if at.database.is_empty() {
            user
        } else {
            &at.database
        })
        .application_name("nvctl")
        .connect_timeout(timeout);
    let mut client = config.connect(postgres::NoTls).map_err(describe)?;
    client.simple_query("SELECT 1").map_err(describe)?;
    Ok(Session(client))
}

/// PostgreSQL's own words for an error it sent; the client's description otherwise.
fn describe(e: postgres::Error) -> LoginError {
    match e.as_db_error() {
        Some(db) => LoginError::Refused(format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        )),
        None => LoginError::Unreachable(e.to_string()),
    }
}
