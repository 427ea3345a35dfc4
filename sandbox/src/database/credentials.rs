//! The credentials Vault makes up for a dynamic role (vault-api-engines.md §3.4, §7): the
//! username from the default template, the password from the default generator, the
//! `{{expiration}}` text.
//!
//! Upstream: plugins/database/postgresql/postgresql.go (defaultUserNameTemplate,
//! expirationFormat), sdk/helper/template (truncate, random, unix_time),
//! sdk/helper/random (DefaultStringGenerator: 20 of `[a-zA-Z0-9-]`, one of each class).

use std::time::{SystemTime, UNIX_EPOCH};

use rand::seq::SliceRandom;
use rand::Rng;

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const DASH: &[u8] = b"-";

/// `{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20)
/// (unix_time) | truncate 63 }}`: `v-root-accessdb-5LA65urB4daA8KYy2xku-1542318363`.
pub fn username(display_name: &str, role_name: &str, now: SystemTime) -> String {
    let unix = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let name = format!(
        "v-{}-{}-{}-{unix}",
        truncate(display_name, 8),
        truncate(role_name, 8),
        random_alphanumeric(20)
    );
    truncate(&name, 63).to_string()
}

/// The template helper `truncate`: the first `n` bytes (whole characters only).
fn truncate(text: &str, n: usize) -> &str {
    if text.len() <= n {
        return text;
    }
    let mut end = n;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The template helper `random`: base62 characters.
fn random_alphanumeric(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// Vault's default password: 20 characters of `[a-zA-Z0-9-]` holding at least one lower-case
/// letter, one upper-case letter, one digit and one dash.
pub fn password() -> String {
    let mut rng = rand::thread_rng();
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, DASH].concat();
    let mut chars: Vec<u8> = [LOWER, UPPER, DIGITS, DASH]
        .iter()
        .filter_map(|class| class.choose(&mut rng).copied())
        .collect();
    while chars.len() < 20 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8_lossy(&chars).into_owned()
}

/// `{{expiration}}`: Go's `2006-01-02 15:04:05-0700`, in UTC.
pub fn expiration(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let rfc = crate::token::fields::rfc3339(UNIX_EPOCH + std::time::Duration::from_secs(secs));
    // `2026-01-02T03:04:05Z` → `2026-01-02 03:04:05+0000`
    format!("{} {}+0000", &rfc[..10], &rfc[11..19])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn usernames_follow_the_default_template() {
        let now = UNIX_EPOCH + Duration::from_secs(1_542_318_363);
        let name = username("root", "accessdb", now);
        let parts: Vec<&str> = name.split('-').collect();
        assert_eq!(parts[0], "v");
        assert_eq!(parts[1], "root");
        assert_eq!(parts[2], "accessdb");
        assert_eq!(parts[3].len(), 20);
        assert!(parts[3].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(parts[4], "1542318363");
        let long = username("token-nomad-server", "a-very-long-role-name", now);
        assert!(long.starts_with("v-token-no-a-very-l-"));
        assert!(long.len() <= 63);
    }

    #[test]
    fn passwords_have_twenty_characters_of_every_class() {
        for _ in 0..50 {
            let p = password();
            assert_eq!(p.len(), 20);
            assert!(p.bytes().any(|b| LOWER.contains(&b)));
            assert!(p.bytes().any(|b| UPPER.contains(&b)));
            assert!(p.bytes().any(|b| DIGITS.contains(&b)));
            assert!(p.contains('-'));
        }
    }

    #[test]
    fn expirations_use_gos_layout() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(expiration(at), "2023-11-14 22:13:20+0000");
    }
}
