//! Everything one sandbox agent holds: its configuration (what `/v1/agent/self` reports and
//! what changes behaviour), its clock, the Raft index, the ACL store, the jobs and the keyring.

use std::time::Duration;

use crate::acl::store::AclStore;
use crate::clock::Clock;
use crate::identity::Keyring;
use crate::jobs::JobStore;

/// A Nomad version, `1.9.7` (pre-release suffixes are kept for display only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub text: String,
    parts: (u64, u64, u64),
}

impl Version {
    /// `None` unless the text starts with `MAJOR.MINOR.PATCH`.
    pub fn parse(text: &str) -> Option<Version> {
        let core = text.split(['-', '+']).next().unwrap_or_default();
        let mut nums = core.split('.').map(|n| n.parse::<u64>().ok());
        let parts = (nums.next()??, nums.next()??, nums.next()??);
        Some(Version {
            text: text.to_string(),
            parts,
        })
    }

    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.parts.0, self.parts.1) >= (major, minor)
    }

    /// `1.9.7` without any suffix.
    pub fn number(&self) -> String {
        format!("{}.{}.{}", self.parts.0, self.parts.1, self.parts.2)
    }

    /// Before 1.5, tokens were resolved without `Authenticate`: an unknown secret is
    /// `ACL token not found` rather than `Permission denied`.
    pub fn legacy_token_errors(&self) -> bool {
        !self.at_least(1, 5)
    }

    /// From 1.7 Nomad signs workload identities with RS256 keys; before, EdDSA.
    pub fn signs_rs256(&self) -> bool {
        self.at_least(1, 7)
    }

    /// From 1.10 the jobspec `vault.policies` is gone from Nomad's job model (dropped).
    pub fn drops_vault_policies(&self) -> bool {
        self.at_least(1, 10)
    }
}

/// The agent's `vault` block (the default cluster), as `/v1/agent/self` reports it and as job
/// registration checks it (`Vault "default" not enabled but used in the job`).
#[derive(Debug, Clone, PartialEq)]
pub struct VaultAgentConfig {
    pub enabled: bool,
    pub address: String,
    pub jwt_auth_backend_path: String,
    /// `default_identity { aud ttl }` on servers (workload identity).
    pub default_identity_aud: Vec<String>,
    pub default_identity_ttl: Duration,
}

impl Default for VaultAgentConfig {
    fn default() -> Self {
        VaultAgentConfig {
            enabled: true,
            address: "https://vault.service.consul:8200".into(),
            jwt_auth_backend_path: "jwt-nomad".into(),
            default_identity_aud: vec!["vault.io".into()],
            default_identity_ttl: Duration::from_secs(3600),
        }
    }
}

/// The agent's configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub region: String,
    pub datacenter: String,
    pub node_name: String,
    pub version: Version,
    pub acl_enabled: bool,
    pub vault: VaultAgentConfig,
    /// `server { oidc_issuer }`: enables `/.well-known/openid-configuration` and the `iss`
    /// claim.
    pub oidc_issuer: Option<String>,
    /// `acl { token_min_expiration_ttl token_max_expiration_ttl }` (defaults 1m, 24h).
    pub token_min_ttl: Duration,
    pub token_max_ttl: Duration,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            region: "global".into(),
            datacenter: "dc1".into(),
            node_name: "nomad-sandbox".into(),
            version: Version::parse(DEFAULT_VERSION).unwrap_or(Version {
                text: DEFAULT_VERSION.into(),
                parts: (1, 9, 7),
            }),
            acl_enabled: true,
            vault: VaultAgentConfig::default(),
            oidc_issuer: None,
            token_min_ttl: Duration::from_secs(60),
            token_max_ttl: Duration::from_secs(86_400),
        }
    }
}

/// The last version with both Vault flows (legacy tokens and workload identity).
pub const DEFAULT_VERSION: &str = "1.9.7";

/// Raft index of each table Nomad reports in `X-Nomad-Index`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TableIndexes {
    pub acl_token: u64,
    pub acl_policy: u64,
    pub jobs: u64,
}

pub struct State {
    pub config: AgentConfig,
    pub clock: Clock,
    raft_index: u64,
    pub tables: TableIndexes,
    pub acl: AclStore,
    pub jobs: JobStore,
    pub keyring: Keyring,
}

impl State {
    pub fn new(config: AgentConfig, clock: Clock) -> Self {
        let keyring = Keyring::new(config.version.signs_rs256());
        State {
            config,
            clock,
            // A fresh cluster has applied a few entries (leader election, scheduler config)
            // before anything a client writes.
            raft_index: 6,
            tables: TableIndexes::default(),
            acl: AclStore::default(),
            jobs: JobStore::default(),
            keyring,
        }
    }

    /// The index the next Raft write is applied at.
    pub fn next_index(&mut self) -> u64 {
        self.raft_index += 1;
        self.raft_index
    }

    /// Floors a table index at 1, as Nomad's blocking queries do.
    pub fn index_or_one(index: u64) -> u64 {
        index.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_switch_behaviour_at_nomads_releases() {
        let v = Version::parse("1.4.3").unwrap();
        assert!(v.legacy_token_errors() && !v.signs_rs256());
        let v = Version::parse("1.10.0-beta.1").unwrap();
        assert!(v.drops_vault_policies() && v.signs_rs256());
        assert_eq!(v.number(), "1.10.0");
        assert!(Version::parse("one").is_none());
    }
}
