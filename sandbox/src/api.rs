//! The contract between the HTTP front end (`server`) and the endpoint handlers.
//!
//! The front end turns an HTTP request into a [`Request`], authenticates and authorises it
//! (`auth`), and hands it to the handler that owns the path. Handlers answer with a [`Reply`]
//! or an [`ApiError`]; the front end renders both exactly as Vault does (vault-api.md §0).

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::state::State;

/// HTTP method as Vault's router sees it. `LIST` and `GET ?list=true` both arrive as `List`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Put,
    Post,
    Delete,
    List,
}

impl Method {
    /// PUT and POST are the same "update" operation in Vault.
    pub fn is_write(self) -> bool {
        matches!(self, Method::Put | Method::Post)
    }
}

/// The operation an ACL rule is checked against (vault-api.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    Create,
    Read,
    Update,
    Delete,
    List,
}

/// A logical request: path without the `/v1/` prefix and without leading/trailing slashes
/// (a trailing slash is remembered in `trailing_slash`, LIST paths care).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub trailing_slash: bool,
    pub query: BTreeMap<String, String>,
    /// `X-Vault-Token`, else `Authorization: Bearer`.
    pub token: Option<String>,
    pub namespace: Option<String>,
    /// The JSON object body; empty when the request had no body.
    pub body: Map<String, Value>,
    /// `X-Vault-Wrap-TTL`, when set and not zero: the answer is response-wrapped (§9).
    pub wrap_ttl: Option<Duration>,
}

impl Request {
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }
}

/// What a handler answers on success.
#[derive(Debug)]
pub enum Reply {
    /// 204 with an empty body.
    NoContent,
    /// 200 with the logical envelope. When `data`, `auth` and `warnings` are all empty the front
    /// end still answers 200 with the envelope (use `NoContent` for 204).
    Logical(Logical),
    /// A raw (non-envelope) JSON body with a status, as the `sys/init`, `sys/seal-status`,
    /// `sys/health` handlers answer.
    Raw { status: u16, body: Value },
    /// A status with no body at all (HEAD sys/health).
    Empty { status: u16 },
    /// The handler must wait for network I/O (PostgreSQL, Nomad, a JWKS URL) before it can
    /// answer; see [`Deferred`].
    Deferred(Deferred),
}

/// What a handler does once the node's state lock is released again: the answer to give.
pub type Continuation = Box<dyn FnOnce(&mut State) -> HandlerResult + Send>;

/// Work a handler must do away from the node's state lock.
///
/// Handlers run with the node's one state lock held, so they must never wait on the network.
/// A handler that needs to (a lease revocation running SQL, a call to Nomad, a JWKS fetch)
/// gathers what it needs from the state, answers `Reply::Deferred(Deferred::reply(io, then))`,
/// and returns. The front end releases the lock, awaits `io`, takes the lock again and calls
/// `then(state, output)`, whose result is the request's answer (it may itself be another
/// `Deferred`). Anything read before the I/O may have changed by the time `then` runs: look
/// it up again there.
pub struct Deferred {
    work: Pin<Box<dyn Future<Output = Continuation> + Send>>,
}

impl Deferred {
    pub fn reply<T, F, C>(io: F, then: C) -> Reply
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
        C: FnOnce(&mut State, T) -> HandlerResult + Send + 'static,
    {
        let work = async move {
            let output = io.await;
            Box::new(move |state: &mut State| then(state, output)) as Continuation
        };
        Reply::Deferred(Deferred {
            work: Box::pin(work),
        })
    }

    /// Runs the I/O (the caller holds no lock) and hands back what to do under the lock.
    pub async fn run(self) -> Continuation {
        self.work.await
    }
}

impl fmt::Debug for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Deferred")
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logical {
    pub data: Option<Value>,
    pub auth: Option<Value>,
    pub warnings: Vec<String>,
    /// `sys/policy*` and `sys/capabilities*` copy every key of `data` to the top level.
    pub data_at_top_level: bool,
    pub renewable: bool,
    pub lease_duration: u64,
    /// Set on a leased secret (`leases::issue`); empty otherwise.
    pub lease_id: String,
    /// A status other than 200 for a body that is still the whole envelope (Vault's
    /// `logical.RespondWithStatusCode`, e.g. KV v2's 404 for a deleted version).
    pub status: Option<u16>,
    /// Set on a response-wrapped answer (`wrapping::wrap`): the envelope's `wrap_info`.
    pub wrap_info: Option<Value>,
}

impl Logical {
    pub fn data(data: Value) -> Self {
        Logical {
            data: Some(data),
            ..Default::default()
        }
    }
}

/// An error answer: `{"errors":[...]}` with a status.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<String>,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            errors: vec![message.into()],
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    /// A missing item: 404 with an empty `errors` list.
    pub fn not_found() -> Self {
        ApiError {
            status: 404,
            errors: vec![],
        }
    }
    pub fn no_handler(path: &str) -> Self {
        Self::new(
            404,
            format!("no handler for route \"{path}\". route entry not found."),
        )
    }
    pub fn unsupported_path() -> Self {
        Self::new(404, "unsupported path")
    }
    /// Missing or invalid token.
    pub fn permission_denied() -> Self {
        Self::new(403, "permission denied")
    }
    /// A valid token whose policies deny the request (multierror formatting).
    pub fn acl_denied() -> Self {
        Self::new(403, "1 error occurred:\n\t* permission denied\n\n")
    }
    pub fn sealed() -> Self {
        Self::new(503, "Vault is sealed")
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
}

pub type HandlerResult = Result<Reply, ApiError>;

impl Request {
    /// The warning Vault attaches when the body carries fields the endpoint does not know
    /// (vault-api.md §0): `Endpoint ignored these unrecognized parameters: [a b]`.
    pub fn unrecognized_warning(&self, known: &[&str]) -> Option<String> {
        let mut unknown: Vec<&str> = self
            .body
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        if unknown.is_empty() {
            return None;
        }
        unknown.sort_unstable();
        Some(format!(
            "Endpoint ignored these unrecognized parameters: [{}]",
            unknown.join(" ")
        ))
    }
}

impl Reply {
    /// Adds the unrecognized-parameters warning when this reply carries an envelope; a 204
    /// stays a 204, as in Vault, where the warning only rides on a body that exists anyway.
    pub fn warn_unrecognized(self, req: &Request, known: &[&str]) -> Reply {
        match self {
            Reply::Logical(mut logical) => {
                if let Some(warning) = req.unrecognized_warning(known) {
                    logical.warnings.push(warning);
                }
                Reply::Logical(logical)
            }
            other => other,
        }
    }
}
