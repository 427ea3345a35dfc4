//! Nomad versions and which Vault integration flow each one supports (nomad-rules.md §1).

use std::fmt;

/// A Nomad version such as `1.9.7`, `v1.6.2`, `1.10.0`, `1.8.0-beta.1` or `1.9.7+ent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NomadVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// `beta.1` in `1.8.0-beta.1`.
    pub pre_release: Option<String>,
    /// `ent` in `1.9.7+ent`.
    pub metadata: Option<String>,
}

/// The Vault integration flow a Nomad version runs (nomad-rules.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// ≤ 0.7: legacy token flow; the role must **not** be orphan.
    LegacyNonOrphanRole,
    /// 0.8 – 1.6: legacy token flow; orphan roles allowed and recommended.
    Legacy,
    /// 1.7 – 1.9: legacy flow deprecated (warns); workload identity available.
    LegacyOrWorkloadIdentity,
    /// ≥ 1.10: workload identity only; `token`, `allow_unauthenticated`, `task_token_ttl`
    /// are gone from the agent block and jobspec `vault.policies` is dropped.
    WorkloadIdentityOnly,
}

impl Flow {
    pub fn supports_legacy(self) -> bool {
        !matches!(self, Flow::WorkloadIdentityOnly)
    }

    pub fn supports_workload_identity(self) -> bool {
        matches!(
            self,
            Flow::LegacyOrWorkloadIdentity | Flow::WorkloadIdentityOnly
        )
    }

    /// 1.7–1.9 read `VAULT_TOKEN` from the environment when the block has no token.
    pub fn reads_vault_token_env(self) -> bool {
        matches!(self, Flow::LegacyOrWorkloadIdentity)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    pub input: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid Nomad version {:?}: expected MAJOR.MINOR[.PATCH], such as 1.9.7",
            self.input
        )
    }
}

impl std::error::Error for VersionError {}

impl NomadVersion {
    /// Parse `1.9.7`, `v1.6.2`, `Nomad v1.9.7` (the first line of `nomad version`), `1.10`,
    /// `1.8.0-beta.1`, `1.9.7+ent`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let err = || VersionError {
            input: input.to_string(),
        };
        let mut s = input.trim();
        s = s.strip_prefix("Nomad ").unwrap_or(s).trim();
        s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        // `nomad version` may append a revision in parentheses.
        s = s.split_whitespace().next().ok_or_else(err)?;
        let (s, metadata) = match s.split_once('+') {
            Some((v, m)) if !m.is_empty() => (v, Some(m.to_string())),
            Some(_) => return Err(err()),
            None => (s, None),
        };
        let (s, pre_release) = match s.split_once('-') {
            Some((v, p)) if !p.is_empty() => (v, Some(p.to_string())),
            Some(_) => return Err(err()),
            None => (s, None),
        };
        let parts: Vec<&str> = s.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(err());
        }
        let num = |p: &str| -> Result<u64, VersionError> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            p.parse().map_err(|_| err())
        };
        Ok(NomadVersion {
            major: num(parts[0])?,
            minor: num(parts[1])?,
            patch: match parts.get(2) {
                Some(p) => num(p)?,
                None => 0,
            },
            pre_release,
            metadata,
        })
    }

    fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// The flow this version runs (a pre-release counts as its release line).
    pub fn flow(&self) -> Flow {
        if self.at_least(1, 10) {
            Flow::WorkloadIdentityOnly
        } else if self.at_least(1, 7) {
            Flow::LegacyOrWorkloadIdentity
        } else if self.at_least(0, 8) {
            Flow::Legacy
        } else {
            Flow::LegacyNonOrphanRole
        }
    }

    /// Nomad Enterprise (`+ent`): needed for Vault namespaces in jobs.
    pub fn is_enterprise(&self) -> bool {
        self.metadata.as_deref().is_some_and(|m| m.contains("ent"))
    }
}

impl fmt::Display for NomadVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(p) = &self.pre_release {
            write!(f, "-{p}")?;
        }
        if let Some(m) = &self.metadata {
            write!(f, "+{m}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for NomadVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NomadVersion::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        let v = NomadVersion::parse("1.9.7").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 9, 7));
        let v = NomadVersion::parse("v1.6.2").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 6, 2));
        let v = NomadVersion::parse("1.10.0").unwrap();
        assert_eq!((v.major, v.minor), (1, 10));
        let v = NomadVersion::parse("Nomad v1.9.7 (abc123)").unwrap();
        assert_eq!(v.to_string(), "1.9.7");
        let v = NomadVersion::parse("1.8.0-beta.1").unwrap();
        assert_eq!(v.pre_release.as_deref(), Some("beta.1"));
        let v = NomadVersion::parse("1.9.7+ent").unwrap();
        assert!(v.is_enterprise());
        assert_eq!(v.to_string(), "1.9.7+ent");
        assert_eq!(NomadVersion::parse("1.10").unwrap().patch, 0);
    }

    #[test]
    fn refuses_malformed_versions() {
        for bad in [
            "", "1", "x.y.z", "1.9.7.1", "1..2", "1.9.x", "1.9.7-", "v", "-1.2.3",
        ] {
            let err = NomadVersion::parse(bad).unwrap_err();
            assert!(err.to_string().contains("invalid Nomad version"), "{bad}");
        }
    }

    #[test]
    fn flow_follows_the_version_table() {
        let cases = [
            ("0.7.1", Flow::LegacyNonOrphanRole),
            ("0.8.0", Flow::Legacy),
            ("1.5.6", Flow::Legacy),
            ("1.6.2", Flow::Legacy),
            ("1.7.0", Flow::LegacyOrWorkloadIdentity),
            ("1.9.7", Flow::LegacyOrWorkloadIdentity),
            ("1.10.0", Flow::WorkloadIdentityOnly),
            ("1.10.0-beta.1", Flow::WorkloadIdentityOnly),
            ("2.0.0", Flow::WorkloadIdentityOnly),
        ];
        for (v, want) in cases {
            assert_eq!(NomadVersion::parse(v).unwrap().flow(), want, "{v}");
        }
        assert!(!Flow::WorkloadIdentityOnly.supports_legacy());
        assert!(Flow::LegacyOrWorkloadIdentity.supports_legacy());
        assert!(Flow::LegacyOrWorkloadIdentity.reads_vault_token_env());
        assert!(!Flow::Legacy.supports_workload_identity());
    }
}
