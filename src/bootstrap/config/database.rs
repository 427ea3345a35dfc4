//! `database "NAME" { … role "R" { … } }` blocks (issue 14): read against the schema, the root
//! password taken from its 0600 file or its variable, the statements from their files. The
//! checks that need the whole block (statements, allowed roles, URL) are
//! `bootstrap::database::checks`, run before anything is written.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::problems::Origin;
use super::reader::{Label, RawBlock, Schema};
use super::Resolver;
use crate::bootstrap::database::{DatabaseRoleSpec, DatabaseSpec, POSTGRESQL_PLUGIN};
use crate::postgres_url::PostgresUrl;
use crate::secret::SecretString;

const ROLE: Schema = Schema {
    name: "role",
    label: Label::One {
        what: "role name",
        example: "role \"accessdb\" { … }",
    },
    keys: &[
        "creation_statements_file",
        "revocation_statements_file",
        "default_ttl",
        "max_ttl",
        "tables",
    ],
    blocks: &[],
};

pub(super) const SCHEMA: Schema = Schema {
    name: "database",
    label: Label::One {
        what: "connection name",
        example: "database \"postgresql\" { … }",
    },
    keys: &[
        "path",
        "plugin_name",
        "connection_url",
        "username",
        "password_file",
        "password_env",
        "allowed_roles",
        "verify_connection",
        "rotate_root",
    ],
    blocks: &[&ROLE],
};

/// Reads a statements file as one statement (its whole text, trimmed), as
/// `creation_statements=@file` sends it.
fn statements_file(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(vec![text.to_string()])
}

fn seconds(block: &RawBlock, key: &str, r: &mut Resolver) -> u64 {
    let Some(text) = block.duration(key, &mut r.problems) else {
        return 0;
    };
    match crate::vault::parse_duration_secs(&text.value) {
        Some(secs) => secs,
        None => {
            r.problems.at(
                &text.at,
                format!(
                    "role.{key}: {:?} is not a duration such as \"1h\"",
                    text.value
                ),
            );
            0
        }
    }
}

/// The root password: from a file only its owner can read, or from a variable.
/// Returns it with where it came from, in the operator's terms (`postgres.password`,
/// `$PGPASSWORD`).
fn password(block: &RawBlock, name: &str, r: &mut Resolver) -> Option<(SecretString, String)> {
    let here = Origin::File(block.at.clone());
    let file = block.path("password_file", &mut r.problems);
    let env = block.string("password_env", &mut r.problems);
    match (file, env) {
        (Some(_), Some(env)) => {
            r.problems.at(
                &env.at,
                format!("database {name:?}: give password_file or password_env, not both"),
            );
            None
        }
        (None, None) => {
            r.problems.error(&here, format!("database {name:?} needs the root password: password_file = \"<0600 file>\" or password_env = \"VARIABLE\""));
            None
        }
        (Some(file), None) => {
            let path = file.value;
            let mode = match std::fs::metadata(&path) {
                Ok(m) => m.permissions().mode(),
                Err(e) => {
                    r.problems.at(
                        &file.at,
                        format!("cannot read the password file {}: {e}", path.display()),
                    );
                    return None;
                }
            };
            if mode & 0o077 != 0 {
                r.problems.at(&file.at, format!(
                    "the password file {} is readable by others (mode {:o}): it holds a secret; chmod 600 it",
                    path.display(),
                    mode & 0o777
                ));
                return None;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) if !text.trim_end_matches(['\n', '\r']).is_empty() => Some((
                    SecretString::new(text.trim_end_matches(['\n', '\r']).to_string()),
                    path.display().to_string(),
                )),
                Ok(_) => {
                    r.problems.at(
                        &file.at,
                        format!("the password file {} is empty", path.display()),
                    );
                    None
                }
                Err(e) => {
                    r.problems.at(
                        &file.at,
                        format!("cannot read the password file {}: {e}", path.display()),
                    );
                    None
                }
            }
        }
        (None, Some(var)) => match std::env::var(&var.value) {
            Ok(v) if !v.is_empty() => Some((SecretString::new(v), format!("${}", var.value))),
            _ => {
                r.problems.at(
                    &var.at,
                    format!(
                        "database {name:?}: the environment variable {} (password_env) is not set",
                        var.value
                    ),
                );
                None
            }
        },
    }
}

/// Every `database` block, settled; problems go to the resolver.
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Vec<DatabaseSpec> {
    let mut specs = Vec::new();
    for block in file.blocks(SCHEMA.name) {
        let name = block.label();
        let here = Origin::File(block.at.clone());
        let path = block
            .string("path", &mut r.problems)
            .map_or_else(|| "database".to_string(), |p| p.value)
            .trim_matches('/')
            .to_string();
        let plugin_name = block
            .string("plugin_name", &mut r.problems)
            .map_or_else(|| POSTGRESQL_PLUGIN.to_string(), |p| {
                if p.value != POSTGRESQL_PLUGIN {
                    r.problems.at(&p.at, format!("database {name:?}: plugin_name {:?}: nvctl sets up {POSTGRESQL_PLUGIN} only", p.value));
                }
                p.value
            });
        let url = match block.string("connection_url", &mut r.problems) {
            None => {
                r.problems.error(&here, format!("database {name:?} needs connection_url = \"postgresql://{{{{username}}}}:{{{{password}}}}@host:5432/postgres\""));
                None
            }
            Some(text) => match PostgresUrl::parse(&text.value) {
                Ok(url) => Some((url, Origin::File(text.at.clone()).to_string())),
                Err(e) => {
                    r.problems
                        .at(&text.at, format!("database {name:?}: connection_url: {e}"));
                    None
                }
            },
        };
        let username = block
            .string("username", &mut r.problems)
            .map(|u| u.value)
            .or_else(|| url.as_ref().and_then(|(u, _)| u.user()));
        if username.is_none() {
            r.problems.error(
                &here,
                format!(
                    "database {name:?} needs username = \"…\" (the root user Vault connects as)"
                ),
            );
        }
        let password = password(block, &name, r);
        let allowed = block.list("allowed_roles", "a list of role names", &mut r.problems);
        let allowed_roles_origin = allowed.as_ref().map_or_else(
            || here.to_string(),
            |a| Origin::File(a.at.clone()).to_string(),
        );
        let allowed_roles = allowed.map(|a| a.value).unwrap_or_default();
        let verify_connection = block
            .bool("verify_connection", &mut r.problems)
            .is_none_or(|v| v.value);
        let rotate_root = block
            .bool("rotate_root", &mut r.problems)
            .is_some_and(|v| v.value);
        let mut roles = Vec::new();
        for role in block.blocks(ROLE.name) {
            let role_name = role.label();
            let origin = Origin::File(role.at.clone()).to_string();
            let (creation, creation_source) =
                match role.path("creation_statements_file", &mut r.problems) {
                    Some(file) => {
                        let source = file
                            .value
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        match statements_file(&file.value) {
                            Ok(s) => (s, source),
                            Err(e) => {
                                r.problems.at(&file.at, e);
                                (Vec::new(), source)
                            }
                        }
                    }
                    None => {
                        r.problems.at(
                            &role.at,
                            format!(
                            "role {role_name:?} needs creation_statements_file = \"<file.sql>\""
                        ),
                        );
                        (Vec::new(), String::new())
                    }
                };
            let revocation = match role.path("revocation_statements_file", &mut r.problems) {
                Some(file) => statements_file(&file.value).unwrap_or_else(|e| {
                    r.problems.at(&file.at, e);
                    Vec::new()
                }),
                None => Vec::new(),
            };
            let tables = role
                .list(
                    "tables",
                    "a list of tables such as [\"public.products\"]",
                    &mut r.problems,
                )
                .map(|t| {
                    if t.value.iter().any(String::is_empty) {
                        r.problems.at(
                            &t.at,
                            format!("role {role_name:?}: tables has an empty name: write them as [\"public.products\"]"),
                        );
                    }
                    t.value
                })
                .unwrap_or_default();
            roles.push(DatabaseRoleSpec {
                name: role_name,
                origin,
                creation,
                creation_source,
                revocation,
                tables,
                default_ttl: seconds(role, "default_ttl", r),
                max_ttl: seconds(role, "max_ttl", r),
            });
        }
        if let (Some((url, url_origin)), Some(username), Some((password, password_source))) =
            (url, username, password)
        {
            specs.push(DatabaseSpec {
                name,
                origin: here.to_string(),
                path,
                plugin_name,
                connection_url: url,
                url_origin,
                username,
                password,
                password_source,
                allowed_roles,
                allowed_roles_origin,
                verify_connection,
                rotate_root,
                roles,
            });
        }
    }
    specs
}
