//! A PostgreSQL connection URL as Vault's database engine takes it (vault-api-engines.md §3.1,
//! §7): `postgresql://{{username}}:{{password}}@host:5432/db?sslmode=disable`. nvctl reads one
//! to template it, to tell whether a password is written into it (Vault warns, and rotation
//! cannot work), and to know where the database is when it logs in with minted credentials.

use std::fmt;

/// A `postgres://` or `postgresql://` URL, templated or not.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    scheme: String,
    /// Between `://` and `@` (empty when the URL has no user part).
    userinfo: String,
    /// Everything after the user part: `host:port/db?params`.
    rest: String,
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl PostgresUrl {
    /// Splits `text`; `Err` says what is wrong in the operator's terms.
    pub fn parse(text: &str) -> Result<PostgresUrl, String> {
        let (scheme, after) = text.split_once("://").ok_or_else(|| {
            format!("{text:?} is not a postgresql:// URL (e.g. postgresql://{{{{username}}}}:{{{{password}}}}@db.example:5432/postgres?sslmode=disable)")
        })?;
        if scheme != "postgresql" && scheme != "postgres" {
            return Err(format!(
                "the URL's scheme is {scheme:?}: the PostgreSQL plugin takes postgresql:// or postgres://"
            ));
        }
        let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (userinfo, rest) = match after[..authority_end].rfind('@') {
            Some(at) => (&after[..at], &after[at + 1..]),
            None => ("", after),
        };
        if rest.is_empty() || rest.starts_with(['/', '?']) {
            return Err("the URL names no host".to_string());
        }
        Ok(PostgresUrl {
            scheme: scheme.to_string(),
            userinfo: userinfo.to_string(),
            rest: rest.to_string(),
        })
    }

    /// Whether the user part is Vault's `{{username}}:{{password}}`.
    pub fn is_templated(&self) -> bool {
        self.userinfo.contains("{{username}}") && self.userinfo.contains("{{password}}")
    }

    /// Whether a password is written into the URL (Vault's literal-password warning).
    pub fn has_literal_password(&self) -> bool {
        !self.is_templated()
            && self
                .userinfo
                .split_once(':')
                .is_some_and(|(_, p)| !p.is_empty() && !p.contains("{{"))
    }

    /// The user written into the URL, if any (percent-decoded).
    pub fn user(&self) -> Option<String> {
        let user = self.userinfo.split(':').next().unwrap_or_default();
        (!user.is_empty() && !user.contains("{{")).then(|| percent_decode(user))
    }

    /// The same URL with Vault's `{{username}}:{{password}}` as its user part.
    pub fn templated(&self) -> String {
        format!(
            "{}://{{{{username}}}}:{{{{password}}}}@{}",
            self.scheme, self.rest
        )
    }

    /// The URL with any written-in password shown as `xxxxx` (as Vault's read shows it).
    pub fn redacted(&self) -> String {
        if self.userinfo.is_empty() {
            return format!("{}://{}", self.scheme, self.rest);
        }
        let userinfo = match self.userinfo.split_once(':') {
            Some((user, password)) if !password.is_empty() && !self.is_templated() => {
                format!("{user}:xxxxx")
            }
            _ => self.userinfo.clone(),
        };
        format!("{}://{userinfo}@{}", self.scheme, self.rest)
    }

    /// `host`, `port` (5432 when absent), `database` (empty when absent) and the query.
    pub fn location(&self) -> Location {
        let (authority, tail) = match self.rest.find(['/', '?']) {
            Some(i) => (&self.rest[..i], &self.rest[i..]),
            None => (self.rest.as_str(), ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                (h.trim_matches(['[', ']']), p.parse().unwrap_or(5432))
            }
            _ => (authority.trim_matches(['[', ']']), 5432),
        };
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        Location {
            // Percent-decoded: `%2Fvar%2Frun%2Fpostgresql` names a socket directory, as libpq reads it.
            host: percent_decode(host),
            port,
            database: percent_decode(path.trim_start_matches('/')),
            query: query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), percent_decode(v)))
                .collect(),
        }
    }
}

/// Where a URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub query: Vec<(String, String)>,
}

impl Location {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_url_is_templated_and_has_no_literal_password() {
        let url = PostgresUrl::parse(
            "postgresql://{{username}}:{{password}}@database.service.consul:5432/postgres?sslmode=disable",
        )
        .unwrap();
        assert!(url.is_templated());
        assert!(!url.has_literal_password());
        assert_eq!(url.user(), None);
        let at = url.location();
        assert_eq!(
            (at.host.as_str(), at.port),
            ("database.service.consul", 5432)
        );
        assert_eq!(at.database, "postgres");
        assert_eq!(at.param("sslmode"), Some("disable"));
    }

    #[test]
    fn a_written_in_password_is_found_redacted_and_templated_away() {
        let url = PostgresUrl::parse("postgres://postgres:postgres123@db:6543/app").unwrap();
        assert!(url.has_literal_password());
        assert_eq!(url.user().as_deref(), Some("postgres"));
        assert_eq!(url.redacted(), "postgres://postgres:xxxxx@db:6543/app");
        assert_eq!(
            url.templated(),
            "postgres://{{username}}:{{password}}@db:6543/app"
        );
        assert_eq!(format!("{url:?}"), "postgres://postgres:xxxxx@db:6543/app");
        assert_eq!(url.location().port, 6543);
    }

    #[test]
    fn a_percent_encoded_directory_is_a_socket_host() {
        let at = PostgresUrl::parse("postgresql://%2Fvar%2Frun%2Fpostgresql:5433/app")
            .unwrap()
            .location();
        assert_eq!(
            (at.host.as_str(), at.port, at.database.as_str()),
            ("/var/run/postgresql", 5433, "app")
        );
    }

    #[test]
    fn other_schemes_and_hostless_urls_are_refused() {
        assert!(PostgresUrl::parse("mysql://u@h/db").is_err());
        assert!(PostgresUrl::parse("host=db user=x").is_err());
        assert!(PostgresUrl::parse("postgresql://u@/db").is_err());
    }
}
