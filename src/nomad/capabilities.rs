//! The capability table a Nomad server checks on its own token at start (nomad-rules.md §2
//! "Capabilities"), as data, and the check over one `sys/capabilities-self` answer.
//!
//! Nomad asks path by path; nvctl asks for every path in one request (vault-api.md §7) and
//! evaluates the same table over the answer, producing Nomad's own failure text.

use std::collections::BTreeMap;

use crate::checks::{check as check_name, Finding};
use crate::nomad::gofmt::{go_list, go_quote, go_quote_list};

/// `sys/capabilities-self`: row 0 of the table.
pub const CAPABILITIES_SELF_PATH: &str = "sys/capabilities-self";

const UPDATE_ROOT: &[&str] = &["update", "root"];
const READ_ROOT: &[&str] = &["read", "root"];

/// When a row of the table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only when `allow_unauthenticated` is false.
    VerifyingJobTokens,
    /// Only when a role name is set.
    RoleSet,
}

/// One row of Nomad's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapabilityRule {
    /// `#` in nomad-rules.md §2.
    pub number: u8,
    /// The path, `%s` standing for the role name.
    pub path_template: &'static str,
    /// Any one of these passes.
    pub accepted: &'static [&'static str],
    pub when: When,
    /// Why Nomad needs it (for remedies and docs).
    pub purpose: &'static str,
}

/// Nomad's table, rows 0..5, in the order Nomad checks them.
pub const TABLE: [CapabilityRule; 6] = [
    CapabilityRule {
        number: 0,
        path_template: CAPABILITIES_SELF_PATH,
        accepted: UPDATE_ROOT,
        when: When::Always,
        purpose: "check the token's own capabilities at start-up",
    },
    CapabilityRule {
        number: 1,
        path_template: "auth/token/lookup",
        accepted: UPDATE_ROOT,
        when: When::VerifyingJobTokens,
        purpose: "look up the Vault tokens submitted with jobs",
    },
    CapabilityRule {
        number: 2,
        path_template: "auth/token/renew-self",
        accepted: UPDATE_ROOT,
        when: When::Always,
        purpose: "renew its own token",
    },
    CapabilityRule {
        number: 3,
        path_template: "auth/token/revoke-accessor",
        accepted: UPDATE_ROOT,
        when: When::Always,
        purpose: "revoke the tokens of dead tasks",
    },
    CapabilityRule {
        number: 4,
        path_template: "auth/token/roles/%s",
        accepted: READ_ROOT,
        when: When::RoleSet,
        purpose: "read the token role",
    },
    CapabilityRule {
        number: 5,
        path_template: "auth/token/create/%s",
        accepted: UPDATE_ROOT,
        when: When::RoleSet,
        purpose: "create task tokens from the role",
    },
];

/// One path to ask `sys/capabilities-self` about, with what Nomad accepts there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredCapability {
    pub number: u8,
    pub path: String,
    pub accepted: &'static [&'static str],
    pub purpose: &'static str,
}

/// Every path Nomad would check for this configuration, row 0 first: send them all in one
/// `sys/capabilities-self` request. An empty role name counts as no role.
pub fn required_paths(role: Option<&str>, allow_unauthenticated: bool) -> Vec<RequiredCapability> {
    let role = role.filter(|r| !r.is_empty());
    TABLE
        .iter()
        .filter(|rule| match rule.when {
            When::Always => true,
            When::VerifyingJobTokens => !allow_unauthenticated,
            When::RoleSet => role.is_some(),
        })
        .map(|rule| RequiredCapability {
            number: rule.number,
            path: rule.path_template.replace("%s", role.unwrap_or("")),
            accepted: rule.accepted,
            purpose: rule.purpose,
        })
        .collect()
}

/// The path list alone, for the request body.
pub fn request_paths(role: Option<&str>, allow_unauthenticated: bool) -> Vec<String> {
    required_paths(role, allow_unauthenticated)
        .into_iter()
        .map(|r| r.path)
        .collect()
}

/// Nomad's failure text for one row.
pub fn failure_message(path: &str, accepted: &[&str], has: &[String]) -> String {
    format!(
        "token must have one of the following capabilities {} on {}; has {}",
        go_quote_list(accepted),
        go_quote(path),
        go_list(has)
    )
}

/// One row of the table judged against a `sys/capabilities-self` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityRow {
    pub required: RequiredCapability,
    /// What the answer gave for the path (empty when the path is missing from it).
    pub has: Vec<String>,
    /// Any one of `required.accepted` is among `has`.
    pub ok: bool,
}

/// Every row Nomad would check for this configuration, row 0 first, against an answer
/// (path → capabilities). A path missing from the answer counts as having nothing.
pub fn rows(
    caps: &BTreeMap<String, Vec<String>>,
    role: Option<&str>,
    allow_unauthenticated: bool,
) -> Vec<CapabilityRow> {
    required_paths(role, allow_unauthenticated)
        .into_iter()
        .map(|required| {
            let has = caps.get(&required.path).cloned().unwrap_or_default();
            let ok = has.iter().any(|c| required.accepted.contains(&c.as_str()));
            CapabilityRow { required, has, ok }
        })
        .collect()
}

/// Check rows 1..5 against a `sys/capabilities-self` answer (path → capabilities). A path
/// missing from the answer counts as having nothing. Row 0 is not judged on an answer: the
/// request succeeding is what Nomad checks there.
pub fn check(
    caps: &BTreeMap<String, Vec<String>>,
    role: Option<&str>,
    allow_unauthenticated: bool,
) -> Vec<Finding> {
    rows(caps, role, allow_unauthenticated)
        .into_iter()
        .filter(|row| row.required.number != 0 && !row.ok)
        .map(|CapabilityRow { required: r, has, .. }| {
            Finding::nomad_error(
                check_name::CAPABILITIES,
                r.path.clone(),
                failure_message(&r.path, r.accepted, &has),
            )
            .with_remedy(format!(
                "Nomad needs this to {}: grant {} on {} in the server token's policy (nvctl policy write), then restart the Nomad servers",
                r.purpose,
                go_quote(r.accepted[0]),
                go_quote(&r.path)
            ))
        })
        .collect()
}

/// Whether a failed `sys/capabilities-self` call only makes Nomad warn: Nomad matches
/// `Code:\s+40(0|3|4)` in the error. Any other failure (a 5xx, a sealed Vault) is Vault's
/// trouble, not the token's, and is reported as a Vault error instead of a finding.
pub fn failure_is_unrecoverable(status: Option<u16>) -> bool {
    matches!(status, Some(400 | 403 | 404))
}

/// Row 0 failed with 400/403/404 ([`failure_is_unrecoverable`]): Nomad's warning, in its
/// words. Nomad carries on and skips rows 1..5.
pub fn lookup_failed() -> Finding {
    let message = format!(
        "can not lookup token capabilities. As such certain operations may fail in the future. Please give Nomad a Vault token with one of the following capabilities {} on {} so that the required capabilities can be verified",
        go_quote_list(UPDATE_ROOT),
        go_quote(CAPABILITIES_SELF_PATH)
    );
    Finding::nomad_warning(check_name::CAPABILITIES, CAPABILITIES_SELF_PATH, message).with_remedy(
        "Nomad skips its capability checks then; grant \"update\" on \"sys/capabilities-self\" (the default policy does) so they run",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Severity, Source};

    fn answer(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(p, c)| (p.to_string(), c.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn required_paths_follow_the_table_conditions() {
        let paths = request_paths(Some("nomad-cluster"), false);
        assert_eq!(
            paths,
            vec![
                "sys/capabilities-self",
                "auth/token/lookup",
                "auth/token/renew-self",
                "auth/token/revoke-accessor",
                "auth/token/roles/nomad-cluster",
                "auth/token/create/nomad-cluster",
            ]
        );
        // allow_unauthenticated defaults to true in the agent: no lookup row.
        assert_eq!(
            request_paths(None, true),
            vec![
                "sys/capabilities-self",
                "auth/token/renew-self",
                "auth/token/revoke-accessor"
            ]
        );
        assert_eq!(request_paths(Some(""), true).len(), 3);
    }

    #[test]
    fn seed_policy_capabilities_pass_every_row() {
        let caps = answer(&[
            ("sys/capabilities-self", &["update"]),
            ("auth/token/lookup", &["update"]),
            ("auth/token/renew-self", &["update"]),
            ("auth/token/revoke-accessor", &["update"]),
            ("auth/token/roles/nomad-cluster", &["read"]),
            ("auth/token/create/nomad-cluster", &["update"]),
        ]);
        assert!(check(&caps, Some("nomad-cluster"), false).is_empty());
    }

    #[test]
    fn root_capability_passes_every_row() {
        let caps: BTreeMap<_, _> = request_paths(Some("r"), false)
            .into_iter()
            .map(|p| (p, vec!["root".to_string()]))
            .collect();
        assert!(check(&caps, Some("r"), false).is_empty());
    }

    #[test]
    fn missing_capability_uses_nomads_exact_text() {
        let caps = answer(&[
            ("auth/token/renew-self", &["update"]),
            ("auth/token/revoke-accessor", &["deny"]),
        ]);
        let fs = check(&caps, None, true);
        assert_eq!(fs.len(), 1);
        assert_eq!(
            fs[0].message,
            r#"token must have one of the following capabilities ["update" "root"] on "auth/token/revoke-accessor"; has [deny]"#
        );
        assert_eq!(fs[0].subject, "auth/token/revoke-accessor");
        assert_eq!(fs[0].source, Source::Nomad);
    }

    #[test]
    fn role_rows_need_read_and_update_and_accumulate() {
        let caps = answer(&[
            ("auth/token/renew-self", &["update"]),
            ("auth/token/revoke-accessor", &["update"]),
            ("auth/token/roles/nomad-cluster", &["list", "update"]),
        ]);
        let fs = check(&caps, Some("nomad-cluster"), true);
        let msgs: Vec<_> = fs.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                r#"token must have one of the following capabilities ["read" "root"] on "auth/token/roles/nomad-cluster"; has [list update]"#,
                r#"token must have one of the following capabilities ["update" "root"] on "auth/token/create/nomad-cluster"; has []"#,
            ]
        );
    }

    #[test]
    fn lookup_row_only_checked_when_verifying_job_tokens() {
        let caps = answer(&[
            ("auth/token/renew-self", &["update"]),
            ("auth/token/revoke-accessor", &["update"]),
            ("auth/token/lookup", &["deny"]),
        ]);
        assert!(check(&caps, None, true).is_empty());
        let fs = check(&caps, None, false);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].subject, "auth/token/lookup");
    }

    #[test]
    fn capabilities_self_denied_only_warns_in_nomads_words() {
        for status in [400, 403, 404] {
            assert!(failure_is_unrecoverable(Some(status)));
        }
        for status in [None, Some(429), Some(500), Some(503)] {
            assert!(!failure_is_unrecoverable(status), "{status:?}");
        }
        let f = lookup_failed();
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.source, Source::Nomad);
        assert!(f.message.starts_with(
            r#"can not lookup token capabilities. As such certain operations may fail in the future. Please give Nomad a Vault token with one of the following capabilities ["update" "root"] on "sys/capabilities-self""#
        ));
    }

    #[test]
    fn rows_show_what_nomad_needs_and_what_the_token_has() {
        let caps = answer(&[
            ("sys/capabilities-self", &["update"]),
            ("auth/token/renew-self", &["update"]),
            ("auth/token/revoke-accessor", &["deny"]),
            ("auth/token/roles/r", &["read"]),
        ]);
        let rows = rows(&caps, Some("r"), true);
        let shown: Vec<(&str, bool)> = rows
            .iter()
            .map(|r| (r.required.path.as_str(), r.ok))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("sys/capabilities-self", true),
                ("auth/token/renew-self", true),
                ("auth/token/revoke-accessor", false),
                ("auth/token/roles/r", true),
                ("auth/token/create/r", false),
            ]
        );
        assert_eq!(rows[2].has, vec!["deny"]);
        assert!(rows[4].has.is_empty(), "missing from the answer: nothing");
    }
}
