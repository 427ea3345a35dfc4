//! Everything one sandbox node knows, behind one lock. Each field belongs to one module.

use crate::clock::Clock;
use crate::database::DatabaseStore;
use crate::flavor::Flavor;
use crate::leases::LeaseStore;
use crate::mounts::MountTable;
use crate::nomad_secrets::NomadSecretsStore;
use crate::policy::PolicyStore;
use crate::seal::SealState;
use crate::token::TokenStore;
use crate::wrapping::WrappingStore;

pub struct State {
    pub flavor: Flavor,
    pub clock: Clock,
    /// owned by `seal`: init/unseal/seal, the barrier keys, HA role
    pub seal: SealState,
    /// owned by `policy` (and read by `auth` for ACL checks)
    pub policies: PolicyStore,
    /// owned by `token`: tokens, accessors, roles
    pub tokens: TokenStore,
    /// owned by `mounts`: secret and auth mounts, KV v2 data, JWT config and roles
    pub mounts: MountTable,
    /// owned by `leases`: leased secrets and the engines that renew and revoke them
    pub leases: LeaseStore,
    /// owned by `nomad_secrets`: each `nomad` mount's access, lease and role settings
    pub nomad_secrets: NomadSecretsStore,
    /// owned by `wrapping`: the responses response-wrapping tokens hold
    pub wrapping: WrappingStore,
    /// owned by `database`: the connections and roles of every `database` mount
    pub databases: DatabaseStore,
}

impl State {
    /// A fresh node: uninitialised and sealed, with the built-in mounts.
    pub fn new(flavor: Flavor, seal: SealState) -> Self {
        State {
            flavor,
            clock: Clock::default(),
            seal,
            policies: PolicyStore::default(),
            tokens: TokenStore::default(),
            mounts: MountTable::with_builtins(),
            leases: LeaseStore::new(),
            nomad_secrets: NomadSecretsStore::default(),
            wrapping: WrappingStore::default(),
            databases: DatabaseStore::default(),
        }
    }
}
