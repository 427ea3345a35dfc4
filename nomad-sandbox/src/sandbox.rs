//! The public entry point: [`NomadSandbox::builder`] configures an agent,
//! [`NomadSandboxBuilder::start`] binds it on loopback (ephemeral port) and serves it from its
//! own tokio runtime, and the [`NomadSandboxHandle`] drives it from synchronous code (tests,
//! `nvctl dev --nomad`). Dropping the handle stops the agent.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::api::{NomadError, Reply, Request};
use crate::clock::Clock;
use crate::faults::{Fault, FaultPlan};
use crate::identity::{IdentityClaims, TaskIdentity, JWKS_PATH};
use crate::router::Routed;
use crate::server::{self, Node, RecordedRequest};
use crate::state::{AgentConfig, State, Version};

/// Namespace for [`NomadSandbox::builder`].
pub struct NomadSandbox;

impl NomadSandbox {
    pub fn builder() -> NomadSandboxBuilder {
        NomadSandboxBuilder::default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Bootstrap {
    No,
    /// Bootstrapped at start; `None` generates the secret.
    Yes(Option<String>),
}

/// Configures a sandbox agent. The default is a fresh Nomad 1.9.7 server+client in region
/// `global`, datacenter `dc1`, with ACLs **enabled and not bootstrapped**, a Vault block
/// enabled with the workload-identity `default_identity` (`aud = ["vault.io"]`, `ttl = 1h`).
#[derive(Clone)]
pub struct NomadSandboxBuilder {
    config: AgentConfig,
    version: String,
    bootstrap: Bootstrap,
    clock: Clock,
    faults: FaultPlan,
    latency: Duration,
    port: u16,
    record_requests: bool,
}

impl Default for NomadSandboxBuilder {
    fn default() -> Self {
        NomadSandboxBuilder {
            config: AgentConfig::default(),
            version: crate::state::DEFAULT_VERSION.into(),
            bootstrap: Bootstrap::No,
            clock: Clock::default(),
            faults: FaultPlan::default(),
            latency: Duration::ZERO,
            port: 0,
            record_requests: true,
        }
    }
}

impl fmt::Debug for NomadSandboxBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NomadSandboxBuilder")
            .field("version", &self.version)
            .field("acl_enabled", &self.config.acl_enabled)
            .field("bootstrapped", &(self.bootstrap != Bootstrap::No))
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl NomadSandboxBuilder {
    /// `acl { enabled = … }` (default true).
    pub fn acl_enabled(mut self, enabled: bool) -> Self {
        self.config.acl_enabled = enabled;
        self
    }

    /// ACLs bootstrapped at start with a generated management token
    /// ([`NomadSandboxHandle::management_token`]).
    pub fn bootstrapped(mut self) -> Self {
        self.bootstrap = Bootstrap::Yes(None);
        self
    }

    /// ACLs bootstrapped at start with this secret (a UUID, as `BootstrapSecret` requires).
    pub fn bootstrapped_with(mut self, secret: &str) -> Self {
        self.bootstrap = Bootstrap::Yes(Some(secret.to_string()));
        self
    }

    /// The Nomad version to play (`1.9.7` by default). It shows in `/v1/agent/self` and
    /// switches behaviour where Nomad changed: before 1.5 an unknown token is
    /// `ACL token not found`; from 1.7 identities are RS256 (EdDSA before); from 1.10 jobs
    /// lose `vault.policies`.
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.to_string();
        self
    }

    pub fn region(mut self, region: &str) -> Self {
        self.config.region = region.into();
        self
    }

    pub fn datacenter(mut self, datacenter: &str) -> Self {
        self.config.datacenter = datacenter.into();
        self
    }

    /// Whether the agent's `vault` block is enabled (default true); jobs using Vault are
    /// refused when it is not.
    pub fn vault_enabled(mut self, enabled: bool) -> Self {
        self.config.vault.enabled = enabled;
        self
    }

    /// The Vault address in the agent's `vault` block (shown by `/v1/agent/self`).
    pub fn vault_address(mut self, address: &str) -> Self {
        self.config.vault.address = address.into();
        self
    }

    /// `server { oidc_issuer = … }`: enables OIDC discovery and the `iss` claim.
    pub fn oidc_issuer(mut self, issuer: &str) -> Self {
        self.config.oidc_issuer = Some(issuer.into());
        self
    }

    /// Nomad's clock runs `by` ahead of the wall clock.
    pub fn clock_ahead(mut self, by: Duration) -> Self {
        self.clock.set_offset(by, false);
        self
    }

    /// Nomad's clock runs `by` behind the wall clock.
    pub fn clock_behind(mut self, by: Duration) -> Self {
        self.clock.set_offset(by, true);
        self
    }

    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.add(fault);
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Bind this port instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Whether to keep every request for [`NomadSandboxHandle::requests`] (default on).
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// Binds 127.0.0.1 and starts serving. A version that does not parse, or a bootstrap
    /// Nomad would refuse, fails with `InvalidInput`.
    pub fn start(self) -> io::Result<NomadSandboxHandle> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        let mut config = self.config;
        config.version = Version::parse(&self.version)
            .ok_or_else(|| invalid(format!("not a Nomad version: {:?}", self.version)))?;
        let state = State::new(config, self.clock);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("nomad-sandbox")
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
        if let Bootstrap::Yes(secret) = &self.bootstrap {
            let body = match secret {
                Some(s) => json!({ "BootstrapSecret": s }).to_string(),
                None => String::new(),
            };
            call(&node, "PUT", "/v1/acl/bootstrap", "", &body)
                .map_err(|e| invalid(format!("cannot bootstrap: {}", e.message)))?;
        }
        let (shutdown, on_shutdown) = tokio::sync::oneshot::channel();
        runtime.spawn(server::accept_loop(
            listener,
            Arc::clone(&node),
            on_shutdown,
        ));
        Ok(NomadSandboxHandle {
            node,
            local,
            runtime: Some(runtime),
            shutdown: Some(shutdown),
        })
    }
}

/// A running sandbox agent. Stops serving when dropped.
pub struct NomadSandboxHandle {
    node: Arc<Node>,
    local: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl fmt::Debug for NomadSandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NomadSandboxHandle")
            .field("addr", &self.addr())
            .finish_non_exhaustive()
    }
}

/// What `nvctl dev --nomad` prints about the agent. `Debug` redacts the token;
/// [`NomadConnectionInfo::to_json`] includes it on purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct NomadConnectionInfo {
    pub address: String,
    pub management_token: Option<String>,
    pub acl_enabled: bool,
}

impl NomadConnectionInfo {
    pub fn to_json(&self) -> Value {
        json!({
            "address": self.address,
            "acl_enabled": self.acl_enabled,
            "management_token": self.management_token,
        })
    }
}

impl fmt::Debug for NomadConnectionInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NomadConnectionInfo")
            .field("address", &self.address)
            .field("acl_enabled", &self.acl_enabled)
            .field(
                "management_token",
                &self.management_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl NomadSandboxHandle {
    /// `http://127.0.0.1:<port>` (what `NOMAD_ADDR` would hold).
    pub fn addr(&self) -> String {
        format!("http://{}", self.local)
    }

    pub fn socket_addr(&self) -> SocketAddr {
        self.local
    }

    /// `<addr>/.well-known/jwks.json`: the JWKS URL Vault's jwt auth should be given.
    pub fn jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.addr())
    }

    /// The secret of the bootstrap management token, while that token exists (bootstrapped by
    /// the builder or through the API).
    pub fn management_token(&self) -> Option<String> {
        self.node
            .state()
            .acl
            .bootstrap_token()
            .map(|t| t.secret_id.clone())
    }

    pub fn connection_info(&self) -> NomadConnectionInfo {
        NomadConnectionInfo {
            address: self.addr(),
            management_token: self.management_token(),
            acl_enabled: self.node.state().config.acl_enabled,
        }
    }

    fn call(&self, method: &str, path: &str, token: &str, body: &str) -> Result<Reply, NomadError> {
        call(&self.node, method, path, token, body)
    }

    fn admin_token(&self) -> String {
        self.management_token().unwrap_or_default()
    }

    /// Writes an ACL policy with the management token, as `nomad acl policy apply` does.
    /// The error is Nomad's message.
    pub fn put_policy(&self, name: &str, rules: &str) -> Result<(), String> {
        let body = json!({"Name": name, "Description": "", "Rules": rules}).to_string();
        self.call(
            "PUT",
            &format!("/v1/acl/policy/{name}"),
            &self.admin_token(),
            &body,
        )
        .map(|_| ())
        .map_err(|e| e.message)
    }

    /// Creates an ACL token with the management token; returns `(accessor, secret)`.
    pub fn create_token(
        &self,
        name: &str,
        token_type: &str,
        policies: &[&str],
    ) -> Result<(String, String), String> {
        let body = json!({"Name": name, "Type": token_type, "Policies": policies}).to_string();
        match self.call("PUT", "/v1/acl/token", &self.admin_token(), &body) {
            Ok(Reply::Json { value, .. }) => Ok((
                value["AccessorID"].as_str().unwrap_or_default().to_string(),
                value["SecretID"].as_str().unwrap_or_default().to_string(),
            )),
            Ok(_) => Err("no token in the answer".into()),
            Err(e) => Err(e.message),
        }
    }

    /// Registers a job given in Nomad's JSON job format (the `Job` object, or a whole
    /// `{"Job": …}` register request), with the management token.
    pub fn register_job(&self, job: &Value) -> Result<(), String> {
        let body = if job.get("Job").is_some() {
            job.clone()
        } else {
            json!({ "Job": job })
        };
        self.call("PUT", "/v1/jobs", &self.admin_token(), &body.to_string())
            .map(|_| ())
            .map_err(|e| e.message)
    }

    /// Sets a registered job's `Status` (the sandbox schedules nothing: jobs stay
    /// `pending` unless a test says otherwise). False when there is no such job.
    pub fn set_job_status(&self, namespace: &str, job_id: &str, status: &str) -> bool {
        let mut state = self.node.state();
        match state
            .jobs
            .jobs
            .get_mut(&(namespace.to_string(), job_id.to_string()))
        {
            Some(job) => {
                job.job.insert("Status".into(), json!(status));
                true
            }
            None => false,
        }
    }

    /// Whether a token with this accessor exists (e.g. after Vault revoked a lease).
    pub fn token_exists(&self, accessor: &str) -> bool {
        self.node.state().acl.tokens.contains_key(accessor)
    }

    /// The token with this accessor as Nomad would answer it (with its secret).
    pub fn token(&self, accessor: &str) -> Option<Value> {
        self.node
            .state()
            .acl
            .tokens
            .get(accessor)
            .map(|t| t.to_json())
    }

    /// Every token's accessor, in creation order.
    pub fn token_accessors(&self) -> Vec<String> {
        let state = self.node.state();
        let mut tokens: Vec<_> = state.acl.tokens.values().collect();
        tokens.sort_by_key(|t| t.create_index);
        tokens.iter().map(|t| t.accessor_id.clone()).collect()
    }

    /// Simulates `<data_dir>/acl-bootstrap-reset` holding `index` (Nomad's re-bootstrap).
    pub fn write_bootstrap_reset_file(&self, index: u64) {
        self.node.state().acl.reset_file = Some(index);
    }

    /// The reset index Nomad reports once bootstrapped.
    pub fn bootstrap_reset_index(&self) -> Option<u64> {
        self.node.state().acl.bootstrap_index
    }

    /// Signs `task`'s workload identity as this agent would for an allocation (its key, its
    /// region, its clock, its `oidc_issuer`).
    pub fn sign_task_identity(&self, task: &TaskIdentity) -> String {
        let mut state = self.node.state();
        let now = state.clock.now();
        let claims = IdentityClaims::build(
            task,
            &state.config.region,
            state.config.oidc_issuer.as_deref(),
            now,
        );
        state.keyring.sign(&claims, now)
    }

    /// Signs the Vault identity (`vault_default`) of `task` in the registered job
    /// `namespace/job_id`: its group, its `vault` block's role and namespace, and the
    /// audience and TTL of the agent's `default_identity`. `None` without such a job and task.
    pub fn sign_vault_identity(&self, namespace: &str, job_id: &str, task: &str) -> Option<String> {
        let identity = {
            let state = self.node.state();
            let job = state
                .jobs
                .jobs
                .get(&(namespace.to_string(), job_id.to_string()))?;
            let groups = job.job.get("TaskGroups")?.as_array()?;
            let (group, task_json) = groups.iter().find_map(|g| {
                let found = g
                    .get("Tasks")?
                    .as_array()?
                    .iter()
                    .find(|t| t.get("Name").and_then(Value::as_str) == Some(task))?;
                Some((g.get("Name")?.as_str()?.to_string(), found.clone()))
            })?;
            let vault = task_json.get("Vault").cloned().unwrap_or(Value::Null);
            let text = |k: &str| {
                vault
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let aud: Vec<&str> = state
                .config
                .vault
                .default_identity_aud
                .iter()
                .map(String::as_str)
                .collect();
            let mut identity = TaskIdentity::new(job_id, &group, task)
                .namespace(namespace)
                .audience(&aud)
                .ttl(Some(state.config.vault.default_identity_ttl))
                .vault_role(&text("Role"));
            identity.vault_namespace = text("Namespace");
            identity
        };
        Some(self.sign_task_identity(&identity))
    }

    /// Nomad's clock runs `by` ahead of the wall clock from now on (the `Date` header, token
    /// times, identity `iat`/`nbf`/`exp`).
    pub fn set_clock_ahead(&self, by: Duration) {
        self.node.state().clock.set_offset(by, false);
    }

    /// Nomad's clock runs `by` behind the wall clock from now on.
    pub fn set_clock_behind(&self, by: Duration) {
        self.node.state().clock.set_offset(by, true);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.node.requests()
    }

    pub fn clear_requests(&self) {
        self.node.clear_requests();
    }

    pub fn set_fault(&self, fault: Fault) {
        self.node.faults().add(fault);
    }

    pub fn clear_faults(&self) {
        self.node.faults().clear();
    }

    pub fn set_latency(&self, latency: Duration) {
        self.node.set_latency(latency);
    }

    /// Direct access to the agent's state, for tests that need to look inside.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.node.state())
    }
}

impl Drop for NomadSandboxHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Routes one request through the agent's handlers (no HTTP, no faults): the handle's helpers
/// go through exactly the code HTTP requests do.
fn call(
    node: &Node,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Result<Reply, NomadError> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let req = Request {
        method: method.into(),
        path: path.into(),
        query: query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        token: token.into(),
        body: body.as_bytes().to_vec(),
    };
    match node.handle(&req).0 {
        Routed::Answer(answer) => answer,
        Routed::Redirect(_) | Routed::NotFound => Err(NomadError::new(404, "")),
    }
}
