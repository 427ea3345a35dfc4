//! The token rules a Nomad server applies to its own Vault token at start
//! (nomad-rules.md §2 "Token rules"): all accumulated, none short-circuits, root tokens
//! judged differently from the rest; plus nvctl's own findings about the server token.

use crate::checks::{check, Finding};
use crate::duration::format_friendly;
use crate::nomad::role_rules::RoleFacts;

/// What a token lookup tells us, in plain fields (the lead converts from the Vault client).
/// Durations are whole seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFacts {
    /// Shown in subjects so the token can be found and revoked; never the token itself.
    pub accessor: Option<String>,
    pub policies: Vec<String>,
    pub creation_ttl: u64,
    pub ttl: u64,
    pub renewable: bool,
    /// The `role` field of the lookup (present only for role tokens).
    pub role: Option<String>,
    pub orphan: bool,
    /// `period` when the lookup shows it.
    pub period: Option<u64>,
    pub explicit_max_ttl: u64,
    pub expire_time: Option<String>,
}

impl TokenFacts {
    /// Nomad's definition: "root" means `policies` contains `root`.
    pub fn is_root(&self) -> bool {
        self.policies.iter().any(|p| p == "root")
    }

    /// The subject used in findings about this token.
    pub fn subject(&self) -> String {
        match &self.accessor {
            Some(a) if !a.is_empty() => format!("token (accessor {a})"),
            _ => "token".to_string(),
        }
    }
}

/// The role name Nomad uses: the agent's `create_from_role` if set, else the token's `role`.
/// Empty strings count as unset, as in Go.
pub fn resolve_role(create_from_role: Option<&str>, token: &TokenFacts) -> Option<String> {
    create_from_role
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .or_else(|| token.role.clone().filter(|r| !r.is_empty()))
}

/// Nomad's token rules, in Nomad's order, every failure reported.
pub fn check(token: &TokenFacts, create_from_role: Option<&str>) -> Vec<Finding> {
    let subject = token.subject();
    let role = resolve_role(create_from_role, token);
    let mut out = Vec::new();
    let mut push = |message: &str, remedy: &str| {
        out.push(Finding::nomad_error(check::TOKEN, subject.clone(), message).with_remedy(remedy));
    };
    if !token.is_root() {
        if !token.renewable {
            push(
                "Vault token is not renewable or root",
                "create a renewable periodic token: nvctl token create (or vault token create -policy nomad-server -period 72h -orphan)",
            );
        }
        if token.creation_ttl == 0 {
            push(
                "invalid lease duration of zero",
                "a non-root token needs a TTL: create it with a period (nvctl token create --period 72h)",
            );
        }
        if token.ttl == 0 {
            push(
                "token TTL is zero",
                "the token has expired: create a new one (nvctl token create) and give it to the Nomad servers",
            );
        }
        if role.is_none() {
            push(
                "token role name must be set when not using a root token",
                "set create_from_role = \"nomad-cluster\" in the servers' vault block, or create the token from the role (nvctl token create --role nomad-cluster)",
            );
        }
    } else if token.creation_ttl != 0 {
        if !token.renewable {
            push(
                "Vault token has a TTL but is not renewable",
                "create a renewable token (nvctl token create), or use a root token without a TTL",
            );
        } else if token.ttl == 0 {
            push(
                "token TTL is zero",
                "the token has expired: create a new one (nvctl token create) and give it to the Nomad servers",
            );
        }
    }
    out
}

/// How Nomad begins its error when its token cannot be looked up (nomad/vault.go lookupSelf).
pub const LOOKUP_FAILED: &str = "failed to lookup Vault periodic token: ";

/// Nomad's errors when the token cannot be looked up at all; no further checks follow.
/// `error` is the failure of the fallback `auth/token/lookup`, as the Go client renders it.
pub fn lookup_failed(error: &str) -> Finding {
    Finding::nomad_error(
        check::TOKEN,
        "auth/token/lookup",
        format!("{LOOKUP_FAILED}{error}"),
    )
    .with_remedy("check that the token exists and has not expired (nvctl token lookup)")
}

/// The lookup answered with no data.
pub fn lookup_empty() -> Finding {
    Finding::nomad_error(
        check::TOKEN,
        "auth/token/lookup",
        format!("{LOOKUP_FAILED}got empty response"),
    )
    .with_remedy("check the Vault address and namespace: the lookup returned no token data")
}

/// Below this many seconds left, a token is called "near expiry" (a Nomad server renews at
/// half-life; an hour left means renewals are already failing or the token is not periodic).
pub const NEAR_EXPIRY_SECS: u64 = 3600;

/// nvctl's own findings about a Nomad server token (nomad-rules.md §2 "nvctl's own
/// findings") — advice, not Nomad's verdict: orphan-ness, periodicity vs the role, time left.
/// `role` is the role the servers create task tokens from, when known.
pub fn nvctl_findings(token: &TokenFacts, role: Option<&RoleFacts>) -> Vec<Finding> {
    let subject = token.subject();
    let mut out = Vec::new();
    let renew_fresh =
        "create a new periodic token (nvctl token create) and give it to the Nomad servers";
    if token.is_root() {
        if token.creation_ttl == 0 {
            out.push(
                Finding::advice(
                    check::TOKEN,
                    subject.clone(),
                    "the Nomad servers would run with a root token",
                )
                .with_risk("anyone who reads the servers' configuration or environment holds Vault's root")
                .with_remedy(
                    "give the servers a periodic token with only the nomad-server policy (nvctl token create)",
                ),
            );
        }
        return out;
    }
    if !token.orphan {
        out.push(
            Finding::advice(
                check::TOKEN,
                subject.clone(),
                "the server token is not an orphan",
            )
            .with_risk("it is revoked when its parent token is revoked or expires, and the Nomad servers lose Vault then")
            .with_remedy("create it with -orphan (nvctl token create does so by default)"),
        );
    }
    let token_period = token.period.unwrap_or(0);
    let role_period = role.map(RoleFacts::effective_period).unwrap_or(0);
    if token_period == 0 && token.explicit_max_ttl != 0 {
        out.push(
            Finding::advice(
                check::TOKEN,
                subject.clone(),
                format!(
                    "the server token is not periodic and has an explicit max TTL of {}",
                    format_friendly(token.explicit_max_ttl)
                ),
            )
            .with_risk("renewals stop at the explicit max TTL; the Nomad servers lose Vault then")
            .with_remedy("create the token with -period 72h instead of -ttl (nvctl token create)"),
        );
    } else if token_period == 0 && token.role.is_none() && token.creation_ttl != 0 {
        out.push(
            Finding::advice(
                check::TOKEN,
                subject.clone(),
                "the server token is not periodic",
            )
            .with_risk("it cannot be renewed past the token mount's max TTL; the Nomad servers lose Vault then")
            .with_remedy("create the token with -period 72h instead of -ttl (nvctl token create)"),
        );
    }
    if token_period != 0 && role_period != 0 && token_period.saturating_mul(2) <= role_period {
        out.push(
            Finding::advice(
                check::TOKEN,
                subject.clone(),
                format!(
                    "the server token's period ({}) is much shorter than the role's ({})",
                    format_friendly(token_period),
                    format_friendly(role_period)
                ),
            )
            .with_risk(
                "a Nomad server that cannot reach Vault for one period loses its token for good",
            )
            .with_remedy(
                "create the server token with the role's period (nvctl token create --period 72h)",
            ),
        );
    }
    if token.ttl != 0 && token.ttl < NEAR_EXPIRY_SECS {
        let expires = match &token.expire_time {
            Some(t) if !t.is_empty() => format!(" (expires {t})"),
            _ => String::new(),
        };
        out.push(
            Finding::advice(
                check::TOKEN,
                subject,
                format!(
                    "the server token expires in {}{expires}",
                    format_friendly(token.ttl)
                ),
            )
            .with_risk("a Nomad server renews at half its TTL: this little left means renewals are failing or the period is very short")
            .with_remedy(format!("renew it (vault token renew), or {renew_fresh}")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Severity, Source};

    fn server_token() -> TokenFacts {
        // The seed tutorial's token: orphan, periodic 72h, renewable, nomad-server.
        TokenFacts {
            accessor: Some("acc1".into()),
            policies: vec!["default".into(), "nomad-server".into()],
            creation_ttl: 259_200,
            ttl: 259_150,
            renewable: true,
            role: None,
            orphan: true,
            period: Some(259_200),
            explicit_max_ttl: 0,
            expire_time: None,
        }
    }

    fn messages(fs: &[Finding]) -> Vec<&str> {
        fs.iter().map(|f| f.message.as_str()).collect()
    }

    #[test]
    fn seed_token_with_create_from_role_passes() {
        assert!(check(&server_token(), Some("nomad-cluster")).is_empty());
    }

    #[test]
    fn non_root_token_failures_accumulate_in_nomads_order() {
        let t = TokenFacts {
            renewable: false,
            creation_ttl: 0,
            ttl: 0,
            ..server_token()
        };
        let fs = check(&t, None);
        assert_eq!(
            messages(&fs),
            vec![
                "Vault token is not renewable or root",
                "invalid lease duration of zero",
                "token TTL is zero",
                "token role name must be set when not using a root token",
            ]
        );
        assert!(fs.iter().all(|f| f.source == Source::Nomad && f.is_error()));
        assert!(fs.iter().all(|f| f.remedy.is_some()));
        assert_eq!(fs[0].subject, "token (accessor acc1)");
    }

    #[test]
    fn role_comes_from_agent_config_first_then_token() {
        let mut t = server_token();
        t.role = Some("from-token".into());
        assert_eq!(resolve_role(Some("agent"), &t).as_deref(), Some("agent"));
        assert_eq!(resolve_role(Some(""), &t).as_deref(), Some("from-token"));
        assert_eq!(resolve_role(None, &t).as_deref(), Some("from-token"));
        t.role = Some(String::new());
        assert_eq!(resolve_role(None, &t), None);
        // A role on the token satisfies the "role name must be set" rule.
        t.role = Some("nomad-cluster".into());
        assert!(check(&t, None).is_empty());
    }

    #[test]
    fn root_token_without_ttl_gets_no_ttl_checks() {
        let t = TokenFacts {
            policies: vec!["root".into()],
            creation_ttl: 0,
            ttl: 0,
            renewable: false,
            period: None,
            ..server_token()
        };
        assert!(check(&t, None).is_empty());
    }

    #[test]
    fn root_token_with_ttl_must_be_renewable_and_unexpired() {
        let base = TokenFacts {
            policies: vec!["root".into()],
            creation_ttl: 3600,
            ttl: 0,
            renewable: false,
            ..server_token()
        };
        // Not renewable wins; the TTL check is an else-branch in Nomad.
        assert_eq!(
            messages(&check(&base, None)),
            vec!["Vault token has a TTL but is not renewable"]
        );
        let renewable = TokenFacts {
            renewable: true,
            ..base.clone()
        };
        assert_eq!(
            messages(&check(&renewable, None)),
            vec!["token TTL is zero"]
        );
        let fine = TokenFacts {
            renewable: true,
            ttl: 10,
            ..base
        };
        assert!(check(&fine, None).is_empty());
    }

    #[test]
    fn nvctl_flags_non_orphan_server_token_as_its_own_finding() {
        let t = TokenFacts {
            orphan: false,
            ..server_token()
        };
        let fs = nvctl_findings(&t, None);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].source, Source::Nvctl);
        assert_eq!(fs[0].severity, Severity::Warning);
        assert!(fs[0].message.contains("not an orphan"));
        assert!(nvctl_findings(&server_token(), None).is_empty());
    }

    #[test]
    fn nvctl_flags_short_period_against_role_and_near_expiry() {
        let role = RoleFacts {
            token_period: 259_200,
            ..RoleFacts::seed("nomad-cluster")
        };
        let t = TokenFacts {
            period: Some(3600),
            creation_ttl: 3600,
            ttl: 600,
            ..server_token()
        };
        let fs = nvctl_findings(&t, Some(&role));
        let msgs = messages(&fs);
        assert!(
            msgs.iter()
                .any(|m| m.contains("much shorter than the role's (3d)")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("expires in 10m")),
            "{msgs:?}"
        );
    }

    #[test]
    fn nvctl_flags_ttl_tokens_that_will_stop_renewing() {
        let t = TokenFacts {
            period: None,
            explicit_max_ttl: 86_400,
            ..server_token()
        };
        let fs = nvctl_findings(&t, None);
        assert!(fs[0].message.contains("not periodic"));
        assert!(fs[0]
            .remedy
            .as_deref()
            .unwrap_or("")
            .contains("-period 72h"));
    }

    #[test]
    fn lookup_failures_quote_nomad() {
        assert_eq!(
            lookup_failed("Code: 403. Errors:\n\n* permission denied").message,
            "failed to lookup Vault periodic token: Code: 403. Errors:\n\n* permission denied"
        );
        assert_eq!(
            lookup_empty().message,
            "failed to lookup Vault periodic token: got empty response"
        );
    }
}
