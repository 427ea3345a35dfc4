//! `nomad-sandbox`: an in-memory server that speaks Nomad's HTTP API on loopback — ACL
//! bootstrap, policies and tokens (with Nomad's plain-text errors and management checks), a
//! mode with ACLs disabled, `/v1/agent/self`, jobs in Nomad's JSON format, and workload
//! identity (a real signing key behind `/.well-known/jwks.json`, identities signed with
//! Nomad's claims).
//!
//! It is the other side of the wire for nvctl's tests, for vault-sandbox's Nomad secrets
//! engine tests and for `nvctl dev --nomad`. It is written from Nomad's API docs and source
//! (hashicorp/nomad `command/agent/*_endpoint.go`, `nomad/*_endpoint.go`, `nomad/structs`),
//! sharing no code with nvctl or vault-sandbox, so that a misunderstanding on one side is not
//! mirrored on the other.
//!
//! ```no_run
//! use nomad_sandbox::{NomadSandbox, TaskIdentity};
//! let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
//! let token = nomad.management_token().unwrap();
//! nomad.put_policy("deploy", r#"namespace "default" { policy = "write" }"#).unwrap();
//! let jwt = nomad.sign_task_identity(&TaskIdentity::new("web", "frontend", "server"));
//! println!("{} {} {}", nomad.addr(), token.len(), jwt.len());
//! ```
//!
//! Paths the sandbox does not model answer as Nomad's root fallthrough does: 404 with an
//! empty body.

pub mod acl;
pub mod agent;
pub mod api;
pub mod clock;
pub mod faults;
pub mod gojson;
pub mod identity;
pub mod jobs;
pub mod router;
pub mod sandbox;
pub mod server;
pub mod state;

pub use faults::{Break, Fault, Keep, Trigger};
pub use identity::TaskIdentity;
pub use sandbox::{NomadConnectionInfo, NomadSandbox, NomadSandboxBuilder, NomadSandboxHandle};
pub use server::RecordedRequest;
