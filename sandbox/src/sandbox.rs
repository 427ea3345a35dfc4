//! The public entry point: [`Sandbox::builder`] configures a node, [`SandboxBuilder::start`]
//! binds it on loopback and serves it from its own tokio runtime, and the returned
//! [`SandboxHandle`] drives it from synchronous code (tests, `nvctl dev`). Dropping the handle
//! stops the node.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::faults::{Fault, FaultPlan};
use crate::flavor::Flavor;
use crate::seal::{HaRole, InitRequest, SealState, SharedBarrier};
use crate::server::{self, Node, RecordedRequest};
use crate::state::State;

/// Namespace for [`Sandbox::builder`].
pub struct Sandbox;

impl Sandbox {
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// In which state the node starts.
#[derive(Clone, PartialEq, Eq)]
enum StartState {
    Uninitialized,
    Sealed {
        shares: u8,
        threshold: u8,
    },
    /// Initialised 1/1 and unsealed; `None` generates a root token.
    Dev {
        root_token: Option<String>,
    },
}

/// Configures a sandbox node. The default is dev mode with a generated root token.
#[derive(Clone)]
pub struct SandboxBuilder {
    start: StartState,
    flavor: Flavor,
    auto_unseal: bool,
    standby_of: Option<(SharedBarrier, String)>,
    latency: Duration,
    faults: FaultPlan,
    port: u16,
    record_requests: bool,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            start: StartState::Dev { root_token: None },
            flavor: Flavor::Vault,
            auto_unseal: false,
            standby_of: None,
            latency: Duration::ZERO,
            faults: FaultPlan::default(),
            port: 0,
            record_requests: true,
        }
    }
}

impl fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("flavor", &self.flavor)
            .field("auto_unseal", &self.auto_unseal)
            .field("standby", &self.standby_of.as_ref().map(|(_, a)| a))
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl SandboxBuilder {
    /// Not initialised: `sys/init` is the first thing to call.
    pub fn uninitialized(mut self) -> Self {
        self.start = StartState::Uninitialized;
        self
    }

    /// Initialised with `shares`/`threshold` unseal keys and sealed; the keys and root token
    /// are available from the handle. A configuration Vault would refuse makes `start` fail
    /// with `InvalidInput` and Vault's message.
    pub fn sealed(mut self, shares: u8, threshold: u8) -> Self {
        self.start = StartState::Sealed { shares, threshold };
        self
    }

    /// Dev mode (initialised 1/1, unsealed, `secret/` mounted as kv v2) with this root token.
    pub fn dev(mut self, root_token: &str) -> Self {
        self.start = StartState::Dev {
            root_token: Some(root_token.to_string()),
        };
        self
    }

    /// Dev mode with a generated root token (read it with [`SandboxHandle::root_token`]).
    pub fn dev_default(mut self) -> Self {
        self.start = StartState::Dev { root_token: None };
        self
    }

    pub fn flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// An auto-unseal ("awskms") seal: init hands out recovery keys and the node unseals itself.
    pub fn auto_unseal(mut self) -> Self {
        self.auto_unseal = true;
        self
    }

    /// A standby node of `active`'s cluster: it shares the barrier (the active node's keys
    /// unseal it), starts sealed (unless auto-unseal), and redirects logical requests to the
    /// active node with 307.
    pub fn standby_of(mut self, active: &SandboxHandle) -> Self {
        let barrier = active.node.state().seal.shared_barrier();
        self.standby_of = Some((barrier, active.addr()));
        self.flavor = active.node.state().flavor;
        self
    }

    /// Every request waits this long before it is handled.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.add(fault);
        self
    }

    /// Bind this port instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Whether to keep every request for [`SandboxHandle::requests`] (default on; the
    /// benchmark turns it off).
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    fn initial_state(&self) -> std::io::Result<State> {
        let invalid = |msg: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg);
        if let Some((barrier, active_addr)) = &self.standby_of {
            let seal = SealState::new(
                Arc::clone(barrier),
                self.auto_unseal,
                HaRole::Standby(active_addr.clone()),
            );
            return Ok(State::new(self.flavor, seal));
        }
        let seal = SealState::new(SharedBarrier::default(), self.auto_unseal, HaRole::Active);
        let mut state = State::new(self.flavor, seal);
        let (shares, threshold, root) = match &self.start {
            StartState::Uninitialized => return Ok(state),
            StartState::Sealed { shares, threshold } => (*shares, *threshold, None),
            StartState::Dev { root_token } => (1, 1, root_token.clone()),
        };
        let request = if self.auto_unseal {
            InitRequest {
                recovery_shares: i64::from(shares),
                recovery_threshold: i64::from(threshold),
                ..Default::default()
            }
        } else {
            InitRequest {
                secret_shares: i64::from(shares),
                secret_threshold: i64::from(threshold),
                ..Default::default()
            }
        };
        let flavor = state.flavor;
        let now = state.clock.now();
        let tokens = &mut state.tokens;
        state
            .seal
            .initialize(&request, || match root {
                Some(id) => {
                    tokens.insert_root(&id, now);
                    id
                }
                None => tokens.create_root(flavor, now),
            })
            .map_err(|e| invalid(e.errors.join("; ")))?;
        if matches!(self.start, StartState::Dev { .. }) {
            state.seal.force_unsealed();
            state.mounts.mount_dev_secret();
        }
        Ok(state)
    }

    /// Binds 127.0.0.1 and starts serving.
    pub fn start(self) -> std::io::Result<SandboxHandle> {
        let state = self.initial_state()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("vault-sandbox")
            .enable_io()
            .enable_time()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(SocketAddr::from((
            [127, 0, 0, 1],
            self.port,
        ))))?;
        let local = listener.local_addr()?;
        let node = Arc::new(Node::new(
            state,
            self.faults,
            self.latency,
            self.record_requests,
        ));
        node.state().seal.addr = format!("http://{local}");
        let (shutdown, on_shutdown) = tokio::sync::oneshot::channel();
        runtime.spawn(server::accept_loop(
            listener,
            Arc::clone(&node),
            on_shutdown,
        ));
        runtime.spawn(server::expiry_loop(Arc::clone(&node)));
        Ok(SandboxHandle {
            node,
            local,
            runtime: Some(runtime),
            shutdown: Some(shutdown),
        })
    }
}

/// A running sandbox node. Stops serving when dropped.
pub struct SandboxHandle {
    node: Arc<Node>,
    local: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr())
            .finish_non_exhaustive()
    }
}

/// What `nvctl dev` prints: where the node listens and its secrets. `Debug` redacts the
/// secrets; [`ConnectionInfo::to_json_line`] prints them on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub address: String,
    pub root_token: Option<String>,
    /// Hex, as `keys` in the init answer.
    pub unseal_keys: Vec<String>,
}

impl ConnectionInfo {
    /// `{"address":…,"root_token":…,"unseal_keys":[…]}` on one line.
    pub fn to_json_line(&self) -> String {
        json!({
            "address": self.address,
            "root_token": self.root_token,
            "unseal_keys": self.unseal_keys,
        })
        .to_string()
    }
}

impl fmt::Debug for ConnectionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionInfo")
            .field("address", &self.address)
            .field(
                "root_token",
                &self.root_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "unseal_keys",
                &format_args!("<{} redacted>", self.unseal_keys.len()),
            )
            .finish()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("http://{}", self.local)
    }

    pub fn socket_addr(&self) -> SocketAddr {
        self.local
    }

    /// The cluster's root token, once initialised (by the builder or by `sys/init`).
    pub fn root_token(&self) -> Option<String> {
        self.node.state().seal.init_output().map(|o| o.root_token)
    }

    /// The unseal keys (recovery keys with auto-unseal), **hex**, as `keys` in the init answer.
    /// Empty until the cluster is initialised.
    pub fn unseal_keys(&self) -> Vec<String> {
        self.node
            .state()
            .seal
            .init_output()
            .map(|o| o.keys.iter().map(hex::encode).collect())
            .unwrap_or_default()
    }

    /// Address, root token and unseal keys together (for `nvctl dev`).
    pub fn connection_info(&self) -> ConnectionInfo {
        ConnectionInfo {
            address: self.addr(),
            root_token: self.root_token(),
            unseal_keys: self.unseal_keys(),
        }
    }

    /// Moves this node's clock forward (TTLs count down by it). Leases whose expiry has now
    /// passed are revoked before this returns.
    pub fn advance_clock(&self, by: Duration) {
        self.node.state().clock.advance(by);
        self.expire_leases();
    }

    /// Revokes every lease whose expiry the node's clock has passed (and whose retry time
    /// has come, after a failed revocation), waiting for the engines' I/O.
    pub fn expire_leases(&self) {
        let Some(runtime) = self.runtime.as_ref() else {
            return;
        };
        let handle = runtime.handle().clone();
        let node = Arc::clone(&self.node);
        // A thread of its own, so that this works from inside another runtime too.
        let joined = std::thread::scope(|scope| {
            scope
                .spawn(move || handle.block_on(async move { node.expire_leases().await }))
                .join()
        });
        if let Err(panic) = joined {
            std::panic::resume_unwind(panic);
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.node.requests()
    }

    pub fn clear_requests(&self) {
        self.node.clear_requests();
    }

    /// Adds a fault (request indices keep counting from the node's start).
    pub fn set_fault(&self, fault: Fault) {
        self.node.faults().add(fault);
    }

    /// Sends the answers held by [`Fault::HoldAnswer`] (and lets later ones through at once).
    pub fn release_held(&self) {
        self.node.release_held();
    }

    pub fn clear_faults(&self) {
        self.node.faults().clear();
    }

    /// Base latency of every request (faults' latency adds to it).
    pub fn set_latency(&self, latency: Duration) {
        self.node.set_latency(latency);
    }

    /// Direct access to the node's state, for tests that need to look inside.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.node.state())
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
