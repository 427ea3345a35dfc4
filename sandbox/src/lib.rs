//! `vault-sandbox`: an in-memory server that speaks Vault's HTTP API on loopback.
//!
//! It is the other side of the wire for nvctl's end-to-end tests and for `nvctl dev`. It is
//! written from `vault-api.md` and the upstream sources, never from nvctl's code, so that a
//! misunderstanding in nvctl's client is not mirrored by the same misunderstanding here.
//!
//! ```no_run
//! use vault_sandbox::{Sandbox, Flavor};
//! let vault = Sandbox::builder().sealed(5, 3).flavor(Flavor::OpenBao).start().unwrap();
//! println!("{} {:?}", vault.addr(), vault.unseal_keys().len());
//! ```

pub mod api;
pub mod state;

// The front end and the platform (owned together): HTTP, envelopes, seal, faults, mounts.
pub mod clock;
pub mod database;
pub mod faults;
pub mod flavor;
pub mod gojson;
pub mod kv;
pub mod leases;
pub mod mounts;
pub mod nomad_secrets;
pub mod router;
pub mod sandbox;
pub mod seal;
pub mod server;
pub mod shamir;
pub mod tune;

// The auth side (owned together): ACL engine, policies, tokens, roles, capabilities.
pub mod acl;
pub mod auth;
pub mod capabilities;
pub mod policy;
pub mod token;
pub mod wrapping;

// Workload identity (issue 7): JWT login, identity store, and a JWKS server for tests.
pub mod jwt;
pub mod testing;

pub use faults::{Fault, Trigger};
pub use flavor::Flavor;
pub use sandbox::{ConnectionInfo, Sandbox, SandboxBuilder, SandboxHandle};
pub use server::RecordedRequest;
