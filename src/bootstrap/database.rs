//! The `database "NAME" { … }` block of the bootstrap file (issue 14; seed 001 steps 9–12):
//! reading it with positions, resolving it (the password from a 0600 file or an environment
//! variable, statements from files), and the checks that run before anything is written.
//!
//! ```hcl
//! database "postgresql" {
//!   path           = "database"
//!   plugin_name    = "postgresql-database-plugin"
//!   connection_url = "postgresql://{{username}}:{{password}}@db.example:5432/postgres?sslmode=disable"
//!   username       = "postgres"
//!   password_file  = "postgres.password"        # 0600; or password_env = "PGPASSWORD"
//!   allowed_roles  = ["accessdb"]
//!   verify_connection = true
//!   rotate_root    = false
//!   role "accessdb" {
//!     creation_statements_file   = "accessdb.sql"
//!     revocation_statements_file = "accessdb-revoke.sql"   # optional
//!     default_ttl = "1h"
//!     max_ttl     = "24h"
//!     tables      = ["public.products"]        # optional: the proof checks SELECT on each
//!   }
//! }
//! ```

use crate::checks::{Finding, Findings, Severity};
use crate::duration::format_go_secs;
use crate::postgres_url::PostgresUrl;
use crate::secret::SecretString;
use crate::vault::{VaultClient, VaultError};

/// The check name database findings carry.
pub const CHECK: &str = "database";
/// The one plugin nvctl sets up.
pub const POSTGRESQL_PLUGIN: &str = "postgresql-database-plugin";
/// Vault's system max lease TTL (a fresh mount's max): 768h.
pub const SYSTEM_MAX_TTL: u64 = 768 * 3600;
/// The usual first creation statement (Vault's docs, vault-api-engines.md §7).
pub const USUAL_CREATE: &str =
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';";

/// A database connection and its roles, settled.
#[derive(Debug, Clone)]
pub struct DatabaseSpec {
    /// The connection's name: `database/config/<name>`.
    pub name: String,
    /// `bootstrap.hcl:12`, for findings.
    pub origin: String,
    /// The engine's mount, without slashes.
    pub path: String,
    pub plugin_name: String,
    pub connection_url: PostgresUrl,
    pub url_origin: String,
    pub username: String,
    pub password: SecretString,
    /// Where the root password came from: the file's path, or `$VARIABLE`.
    pub password_source: String,
    pub allowed_roles: Vec<String>,
    pub allowed_roles_origin: String,
    pub verify_connection: bool,
    /// `POST :mount/rotate-root/:name` once the connection and its roles are proven.
    pub rotate_root: bool,
    pub roles: Vec<DatabaseRoleSpec>,
}

/// A `role` block, settled.
#[derive(Debug, Clone)]
pub struct DatabaseRoleSpec {
    pub name: String,
    /// `bootstrap.hcl:12`, for findings.
    pub origin: String,
    /// The file's text as one statement, as `creation_statements=@file` sends it.
    pub creation: Vec<String>,
    pub creation_source: String,
    pub revocation: Vec<String>,
    /// Tables the job reads (`schema.table`): the credentials proof checks that the minted
    /// user may SELECT from each.
    pub tables: Vec<String>,
    /// Seconds; 0: the mount's.
    pub default_ttl: u64,
    pub max_ttl: u64,
}

/// strutil.GlobbedStringsMatch, as `allowed_roles` matches role names.
pub fn allows(allowed_roles: &[String], role: &str) -> bool {
    allowed_roles.iter().any(|pattern| {
        if pattern == "*" {
            return true;
        }
        if pattern.len() < 2 {
            return pattern == role;
        }
        match (pattern.starts_with('*'), pattern.ends_with('*')) {
            (true, true) => role.contains(&pattern[1..pattern.len() - 1]),
            (true, false) => role.ends_with(&pattern[1..]),
            (false, true) => role.starts_with(&pattern[..pattern.len() - 1]),
            (false, false) => role == pattern,
        }
    })
}

/// Whether statements create the user Vault names: `CREATE ROLE|USER "{{name}}"`, or a
/// `CREATE ROLE|USER` built around `{{name}}` (a `DO` block's `format('CREATE ROLE %I …',
/// '{{name}}')`). Comments are not statements: `-- CREATE ROLE "{{name}}"` creates nothing.
fn creates_the_user(statements: &[String]) -> bool {
    statements.iter().any(|s| {
        let flat: String = without_comments(s)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        let names_the_user = flat.contains("{{NAME}}") || flat.contains("{{USERNAME}}");
        let direct = ["CREATE ROLE", "CREATE USER"].iter().any(|verb| {
            flat.match_indices(verb).any(|(i, _)| {
                let rest = flat[i + verb.len()..].trim_start();
                let rest = rest
                    .strip_prefix("IF NOT EXISTS")
                    .map_or(rest, str::trim_start);
                let rest = rest.trim_start_matches('"');
                rest.starts_with("{{NAME}}") || rest.starts_with("{{USERNAME}}")
            })
        });
        let built = names_the_user
            && [
                "CREATE ROLE %I",
                "CREATE USER %I",
                "CREATE ROLE %S",
                "CREATE USER %S",
            ]
            .iter()
            .any(|verb| flat.contains(verb));
        direct || built
    })
}

/// SQL without its comments (`-- …` to the end of the line, `/* … */`), string literals left
/// as they are.
fn without_comments(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\'' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('\'', _) => {
                in_string = true;
                out.push(c);
            }
            ('-', Some('-')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

fn at(origin: &str) -> &str {
    origin
}

/// The longest lease the engine's mount gives, as read before writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountMax {
    pub seconds: u64,
    /// Where it comes from, for findings: `the max_lease_ttl database/ is tuned to (2h0m0s)`.
    pub what: String,
}

impl MountMax {
    /// Vault not readable yet (not initialised, sealed, no token): its default system max.
    pub fn default_system() -> MountMax {
        MountMax {
            seconds: SYSTEM_MAX_TTL,
            what: format!(
                "Vault's default system max_lease_ttl ({}; Vault could not be asked before writing)",
                format_go_secs(SYSTEM_MAX_TTL)
            ),
        }
    }

    /// The live value: `sys/mounts/<path>/tune` (effective: the mount's own, else the
    /// system's); for a mount not there yet, the system's, which a new mount starts with —
    /// read on `sys/`, which Vault never lets be tuned (mount.go untunableMounts).
    pub fn live(client: &VaultClient, path: &str) -> Result<MountMax, VaultError> {
        if let Some(tune) = client.read_mount_tune(path)? {
            return Ok(MountMax {
                seconds: tune.max_lease_ttl,
                what: format!(
                    "the max_lease_ttl of the mount {path}/ ({})",
                    format_go_secs(tune.max_lease_ttl)
                ),
            });
        }
        let system = client.read_mount_tune("sys")?.unwrap_or_default();
        Ok(MountMax {
            seconds: system.max_lease_ttl,
            what: format!(
                "Vault's system max_lease_ttl ({}), which the new mount {path}/ gets",
                format_go_secs(system.max_lease_ttl)
            ),
        })
    }
}

/// What the configuration would do wrong, found before anything is written (exit 3); `max`
/// is the mount's live max (see [`MountMax`]).
pub fn checks(spec: &DatabaseSpec, max: &MountMax) -> Findings {
    let mut findings = Findings::new();
    let subject = format!("{}/config/{}", spec.path, spec.name);
    if spec.connection_url.has_literal_password() {
        findings.push(
            Finding::nvctl(
                Severity::Error,
                CHECK,
                subject.clone(),
                format!(
                    "{}: connection_url has a password written into it ({}): Vault warns \"Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.\", shows it to anyone who may read the config, and rotate-root cannot change it",
                    at(&spec.url_origin),
                    spec.connection_url.redacted()
                ),
            )
            .with_remedy(format!(
                "write connection_url = \"{}\" and keep the password in password_file or password_env",
                spec.connection_url.templated()
            )),
        );
    }
    for role in &spec.roles {
        let subject = format!("{}/roles/{}", spec.path, role.name);
        if !role.creation.is_empty() && !creates_the_user(&role.creation) {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    subject.clone(),
                    format!(
                        "{}: role {:?}: the creation statements ({}) never create the user \"{{{{name}}}}\", so every database/creds/{} fails on PostgreSQL with 'failed to execute query: ERROR: role \"v-…\" does not exist (SQLSTATE 42704)' (Vault answers 500)",
                        at(&role.origin),
                        role.name,
                        role.creation_source,
                        role.name
                    ),
                )
                .with_remedy(format!(
                    "start {} with the usual statement: {USUAL_CREATE}",
                    role.creation_source
                )),
            );
        }
        if !allows(&spec.allowed_roles, &role.name) {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    subject.clone(),
                    format!(
                        "{}: role {:?} is not in the connection's allowed_roles {:?}: Vault answers database/creds/{} with 500 \"{:?} is not an allowed role\"",
                        at(&spec.allowed_roles_origin),
                        role.name,
                        spec.allowed_roles,
                        role.name,
                        role.name
                    ),
                )
                .with_remedy(format!("add {:?} to allowed_roles of database {:?}", role.name, spec.name)),
            );
        }
        let highest = role.default_ttl.max(role.max_ttl);
        if highest > max.seconds {
            let (key, ttl) = if role.default_ttl >= role.max_ttl {
                ("default_ttl", role.default_ttl)
            } else {
                ("max_ttl", role.max_ttl)
            };
            let (ttl, cap) = (format_go_secs(ttl), format_go_secs(max.seconds));
            // Vault issues a lease at the role's default_ttl, capped by the lowest max (role,
            // mount): only a default_ttl above the mount's max draws the core's warning
            // (request_handling.go); a max_ttl above it only ends renewals earlier.
            let effect = if role.default_ttl > max.seconds {
                format!(
                    "issues every lease of {}/creds/{} at {cap}, saying 'TTL of \"{}\" exceeded the effective max_ttl of \"{cap}\"; TTL value is capped accordingly'",
                    spec.path,
                    role.name,
                    format_go_secs(role.default_ttl)
                )
            } else {
                format!(
                    "no lease of {}/creds/{} outlives {cap}: renewals stop {cap} after issue, not {ttl}",
                    spec.path, role.name
                )
            };
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    subject.clone(),
                    format!(
                        "{}: role {:?}: {key} {ttl} is above {}: Vault takes the role as written (path_roles.go checks no TTL against the mount) but {effect}",
                        at(&role.origin),
                        role.name,
                        max.what,
                    ),
                )
                .with_remedy(format!(
                    "keep default_ttl and max_ttl at or below {cap}, or raise the mount's max first (vault secrets tune -max-lease-ttl={ttl} {}/)",
                    spec.path
                )),
            );
        }
        if role.max_ttl > 0 && role.default_ttl > role.max_ttl {
            findings.push(
                Finding::nvctl(
                    Severity::Error,
                    CHECK,
                    subject.clone(),
                    format!("{}: role {:?}: default_ttl is above max_ttl: Vault caps every lease at max_ttl", at(&role.origin), role.name),
                )
                .with_remedy("make default_ttl at most max_ttl"),
            );
        }
        let grants_schema = role.creation.iter().any(|s| {
            let upper = s.to_uppercase();
            upper.contains("GRANT ALL ON SCHEMA") || upper.contains("GRANT CREATE ON SCHEMA")
        });
        if grants_schema && role.revocation.is_empty() {
            findings.push(
                Finding::nvctl(
                    Severity::Warning,
                    CHECK,
                    subject,
                    format!(
                        "role {:?} grants CREATE on a schema and has no revocation statements: Vault's default revocation revokes USAGE only, so its DROP ROLE fails ('role … cannot be dropped because some objects depend on it (SQLSTATE 2BP01)') and expired users stay",
                        role.name
                    ),
                )
                .with_remedy("add revocation_statements_file with REVOKE ALL ON SCHEMA public FROM \"{{name}}\"; DROP ROLE IF EXISTS \"{{name}}\";, or grant USAGE and table privileges instead"),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_statement_does_not_create_the_user_and_the_usual_one_does() {
        assert!(!creates_the_user(&[
            "GRANT ALL ON SCHEMA public TO \"{{name}}\";".into()
        ]));
        assert!(creates_the_user(&[USUAL_CREATE.into()]));
        assert!(creates_the_user(&[
            "create user {{name}} with password '{{password}}'".into()
        ]));
        assert!(creates_the_user(&[
            "DO $$ BEGIN CREATE ROLE \"{{name}}\" LOGIN; END $$;".into()
        ]));
        // A role built by format() around the name creates it too.
        assert!(creates_the_user(&[
            "DO $$ BEGIN EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', '{{name}}', '{{password}}'); END $$;".into()
        ]));
        // A commented-out CREATE ROLE creates nothing.
        assert!(!creates_the_user(&[
            "-- CREATE ROLE \"{{name}}\" WITH LOGIN;\nGRANT ALL ON SCHEMA public TO \"{{name}}\";"
                .into()
        ]));
        assert!(!creates_the_user(&[
            "/* CREATE ROLE \"{{name}}\" */ GRANT ALL ON SCHEMA public TO \"{{name}}\";".into()
        ]));
        // A `--` inside a string is not a comment.
        assert!(creates_the_user(&[
            "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '--';".into()
        ]));
    }

    #[test]
    fn allowed_roles_match_as_vault_matches_them() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(allows(&roles(&["accessdb"]), "accessdb"));
        assert!(allows(&roles(&["*"]), "accessdb"));
        assert!(allows(&roles(&["access*"]), "accessdb"));
        assert!(!allows(&roles(&[]), "accessdb"));
        assert!(!allows(&roles(&["acc*db"]), "accessdb"));
    }
}
