//! The HTTP front end: one hyper service that records the request, applies faults and
//! latency, parses path/query/headers/body into an [`api::Request`](crate::api::Request),
//! routes it, and renders the answer exactly as Vault does (vault-api.md §0).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::api::{ApiError, HandlerResult, Logical, Method, Reply, Request};
use crate::faults::{FaultAction, FaultPlan};
use crate::flavor::Flavor;
use crate::gojson;
use crate::leases;
use crate::router::{self, Routed};
use crate::state::State;
use crate::wrapping;

/// One request as the node received it, for tests to inspect.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `PUT`, `LIST`, …
    pub method: String,
    /// Path with its query string: `/v1/sys/health?standbyok=true`.
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RecordedRequest {
    /// The value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens travel in these headers; Debug output must not show them.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| match k.as_str() {
                "x-vault-token" | "authorization" => (k.as_str(), "<redacted>"),
                _ => (k.as_str(), v.as_str()),
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Everything one running node shares between its connections and its handle.
pub struct Node {
    pub state: Mutex<State>,
    records: Mutex<Vec<RecordedRequest>>,
    record: AtomicBool,
    counter: AtomicU64,
    faults: Mutex<FaultPlan>,
    latency: Mutex<Duration>,
    /// Set once by `release_held`: answers held by `Fault::HoldAnswer` go out.
    released: tokio::sync::watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Handlers do not panic on input; if one ever did, the state is still consistent enough
    // for a test double to keep answering.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The connection must be closed without an answer (a fault).
#[derive(Debug)]
pub struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

type HttpResponse = Response<Full<Bytes>>;

impl Node {
    pub fn new(state: State, faults: FaultPlan, latency: Duration, record: bool) -> Self {
        Node {
            state: Mutex::new(state),
            records: Mutex::new(Vec::new()),
            record: AtomicBool::new(record),
            counter: AtomicU64::new(0),
            faults: Mutex::new(faults),
            latency: Mutex::new(latency),
            released: tokio::sync::watch::Sender::new(false),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.records).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.records).clear();
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultPlan> {
        lock(&self.faults)
    }

    /// Lets every answer held by `Fault::HoldAnswer` go out, now and from now on.
    pub fn release_held(&self) {
        self.released.send_replace(true);
    }

    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.latency) = latency;
    }

    /// Serves one HTTP request.
    pub async fn serve(
        self: Arc<Self>,
        req: hyper::Request<Incoming>,
    ) -> Result<HttpResponse, DropConnection> {
        let (parts, body) = req.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Err(DropConnection),
        };
        let index = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        if self.record.load(Ordering::Relaxed) {
            lock(&self.records).push(record(&parts, &body));
        }
        let (delay, action) = {
            let plan = self.faults();
            let path = parts.uri.path().trim_start_matches("/v1/");
            (
                *lock(&self.latency) + plan.latency(),
                plan.action(index, parts.method.as_str(), path),
            )
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match action {
            FaultAction::Proceed => Ok(self.answer(&parts, &body).await),
            FaultAction::Respond { status, body } => Ok(respond(status, Bytes::from(body))),
            FaultAction::RateLimit { retry_after_secs } => {
                let path = parts.uri.path().trim_start_matches("/v1/");
                let body = json!({"errors": [format!("request path \"{path}\": rate limit quota exceeded")]});
                let mut response = respond(429, Bytes::from(body.to_string()));
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(RETRY_AFTER, v);
                }
                Ok(response)
            }
            FaultAction::DropBeforeApply => Err(DropConnection),
            FaultAction::DropAfterApply => {
                let _applied = self.answer(&parts, &body).await;
                Err(DropConnection)
            }
            FaultAction::HoldAfterApply => {
                let answer = self.answer(&parts, &body).await;
                let mut released = self.released.subscribe();
                // An error means the node is going away: the answer is never sent.
                let outcome = released.wait_for(|released| *released).await.map(drop);
                match outcome {
                    Ok(()) => Ok(answer),
                    Err(_) => Err(DropConnection),
                }
            }
        }
    }

    /// Revokes the leases whose expiry the sandbox clock has passed: the engines' I/O runs
    /// without the state lock, one lease after the other (see [`crate::leases`]).
    pub async fn expire_leases(&self) {
        let due = leases::due_expiries(&mut self.state());
        for expiry in due {
            let outcome = match expiry.io {
                Some(io) => io.await,
                None => Ok(()),
            };
            leases::finish_expiry(&mut self.state(), &expiry.lease_id, outcome);
        }
    }

    /// Runs a handler's deferred I/O without the state lock, then its continuation with it,
    /// until the handler has its answer (see [`crate::api::Deferred`]).
    async fn settle(&self, mut result: HandlerResult) -> HandlerResult {
        loop {
            match result {
                Ok(Reply::Deferred(deferred)) => {
                    let then = deferred.run().await;
                    result = then(&mut self.state());
                }
                settled => return settled,
            }
        }
    }

    /// Response-wraps a handler's answer when the request asked for it and the answer has a
    /// body (vault-api.md §9; a 204, an error or a raw answer is never wrapped).
    fn wrap(&self, req: &Request, result: HandlerResult) -> HandlerResult {
        let Some(ttl) = req.wrap_ttl else {
            return result;
        };
        match result {
            Ok(Reply::Logical(answer)) if answer.status.is_none() && answer.wrap_info.is_none() => {
                let mut state = self.state();
                let stored = stored_response(&answer, state.flavor);
                Ok(Reply::Logical(wrapping::wrap(
                    &mut state, req, answer, stored, ttl,
                )))
            }
            other => other,
        }
    }

    /// Parses, routes and renders one request (no faults).
    async fn answer(&self, parts: &Parts, body: &[u8]) -> HttpResponse {
        let flavor = self.state().flavor;
        let req = match parse(parts, body, flavor) {
            Ok(req) => req,
            Err(error) => return render_error(&error),
        };
        let routed = {
            let mut state = self.state();
            router::route(&mut state, &req)
        };
        match routed {
            Routed::Redirect { active_addr } => {
                let mut location = format!("{active_addr}{}", parts.uri.path());
                if let Some(query) = parts.uri.query() {
                    location.push('?');
                    location.push_str(query);
                }
                let mut response = respond(307, Bytes::new());
                if let Ok(v) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(LOCATION, v);
                }
                response
            }
            Routed::Answer { result, mount_type } => {
                match self.wrap(&req, self.settle(result).await) {
                    Ok(reply) => {
                        let mount_type = mount_type.filter(|_| flavor.has_mount_type());
                        render_reply(reply, &req, mount_type.as_deref())
                    }
                    Err(error) => render_error(&error),
                }
            }
        }
    }
}

fn record(parts: &Parts, body: &[u8]) -> RecordedRequest {
    RecordedRequest {
        method: parts.method.as_str().to_string(),
        path: parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// Decodes `%XX` escapes and `+` in a query component.
fn percent_decode(text: &str) -> String {
    fn hex_digit(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi * 16 + lo);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(query: Option<&str>) -> BTreeMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// HTTP request → logical request, or the error Vault answers before routing.
fn parse(parts: &Parts, body: &[u8], flavor: Flavor) -> Result<Request, ApiError> {
    let Some(path) = parts.uri.path().strip_prefix("/v1/") else {
        return Err(ApiError::not_found());
    };
    let path = percent_decode(&path.replace('+', "%2B"));
    let query = parse_query(parts.uri.query());
    let list_query = query
        .get("list")
        .is_some_and(|v| matches!(v.as_str(), "true" | "1" | "t" | "T" | "TRUE" | "True"));
    let method = match parts.method.as_str() {
        "GET" if list_query => Method::List,
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "LIST" => Method::List,
        _ => {
            return Err(ApiError {
                status: 405,
                errors: vec![],
            })
        }
    };
    let token = header(parts, "x-vault-token").or_else(|| {
        header(parts, "authorization").and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .map(|t| t.trim().to_string())
        })
    });
    let body = if method.is_write() {
        parse_body(flavor, &path, body)?
    } else {
        Map::new()
    };
    // Only logical requests take the header (buildLogicalRequestNoAuth); raw handlers ignore it.
    let raw_handler = matches!(
        path.trim_matches('/'),
        "sys/init" | "sys/seal-status" | "sys/unseal" | "sys/health" | "sys/leader"
    );
    let wrap_ttl = if raw_handler {
        None
    } else {
        wrapping::parse_wrap_ttl(header(parts, "x-vault-wrap-ttl").as_deref())?
    };
    Ok(Request {
        method,
        trailing_slash: path.ends_with('/'),
        path: path.trim_matches('/').to_string(),
        query,
        token,
        namespace: header(parts, "x-vault-namespace"),
        body,
        wrap_ttl,
    })
}

/// A write's JSON body, refused in the flavor's words (vault-api.md §0): Vault's logical
/// handlers say only `error parsing JSON` (http/logical.go buildLogicalRequestNoAuth) and take
/// an empty body; its raw handlers (http/handler.go parseJSONRequest) and every OpenBao
/// handler quote Go's decoder; Vault's raw handlers need a body (`EOF`).
fn parse_body(flavor: Flavor, path: &str, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let path = path.trim_matches('/');
    let raw_handler = matches!(path, "sys/init" | "sys/unseal")
        || path.starts_with("sys/generate-root")
        || path.starts_with("sys/rekey");
    let go_error = |e: &str| {
        ApiError::bad_request(match (flavor, raw_handler) {
            (Flavor::Vault, false) => "error parsing JSON".to_string(),
            _ => format!("{}: {e}", flavor.json_error_prefix()),
        })
    };
    if gojson::is_empty(body) {
        return match (flavor, raw_handler) {
            (Flavor::Vault, true) => Err(go_error("EOF")),
            _ => Ok(Map::new()),
        };
    }
    if let Some(e) = gojson::decode_error(body) {
        return Err(go_error(&e));
    }
    // Like Go's Decoder, read the first value only.
    let first = serde_json::Deserializer::from_slice(body)
        .into_iter::<Value>()
        .next();
    match first {
        Some(Ok(Value::Object(map))) => Ok(map),
        Some(Ok(Value::Null)) => Ok(Map::new()),
        Some(Err(e)) => Err(go_error(&e.to_string())),
        _ => Err(go_error(
            "json: cannot unmarshal into Go value of type map[string]interface {}",
        )),
    }
}

fn respond(status: u16, body: Bytes) -> HttpResponse {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn render_error(error: &ApiError) -> HttpResponse {
    respond(
        error.status,
        Bytes::from(json!({"errors": error.errors}).to_string()),
    )
}

/// Paths whose envelope also carries every key of `data` at the top level (Vault's
/// `injectDataIntoTopRoutes`).
fn injects_data_at_top_level(path: &str) -> bool {
    const EXACT: &[&str] = &[
        "sys/auth",
        "sys/capabilities",
        "sys/capabilities-accessor",
        "sys/capabilities-self",
        "sys/mounts",
        "sys/policy",
    ];
    const PREFIXES: &[&str] = &["sys/auth/", "sys/mounts/", "sys/policy/"];
    EXACT.contains(&path) || PREFIXES.iter().any(|p| path.starts_with(p))
}

fn envelope(logical: Logical, path: &str, mount_type: Option<&str>) -> Value {
    let mut body = Map::new();
    body.insert("request_id".into(), json!(uuid::Uuid::new_v4().to_string()));
    body.insert("lease_id".into(), json!(logical.lease_id));
    body.insert("renewable".into(), json!(logical.renewable));
    body.insert("lease_duration".into(), json!(logical.lease_duration));
    body.insert("data".into(), logical.data.clone().unwrap_or(Value::Null));
    body.insert(
        "wrap_info".into(),
        logical.wrap_info.clone().unwrap_or(Value::Null),
    );
    body.insert(
        "warnings".into(),
        if logical.warnings.is_empty() {
            Value::Null
        } else {
            json!(logical.warnings)
        },
    );
    body.insert("auth".into(), logical.auth.unwrap_or(Value::Null));
    if let Some(mount_type) = mount_type {
        body.insert("mount_type".into(), json!(mount_type));
    }
    if logical.data_at_top_level || injects_data_at_top_level(path) {
        if let Some(Value::Object(data)) = logical.data {
            for (k, v) in data {
                body.entry(k).or_insert(v);
            }
        }
    }
    Value::Object(body)
}

/// The body a wrapped answer would have had, as a wrapping token keeps it and unwrap returns
/// it: `logical.LogicalResponseToHTTPResponse` (no data copied to the top level, `mount_type`
/// empty on Vault, `wrap_info` null).
fn stored_response(answer: &Logical, flavor: Flavor) -> Value {
    let plain = Logical {
        data_at_top_level: false,
        ..answer.clone()
    };
    let mount_type = flavor.has_mount_type().then_some("");
    envelope(plain, "", mount_type)
}

fn render_reply(reply: Reply, req: &Request, mount_type: Option<&str>) -> HttpResponse {
    match reply {
        Reply::NoContent => respond(204, Bytes::new()),
        Reply::Logical(logical) => {
            // A raw-status answer is rendered from the response alone (RespondWithStatusCode
            // marshals logical.HTTPResponse): its mount_type is empty.
            let (status, mount_type) = match logical.status {
                Some(status) => (status, mount_type.map(|_| "")),
                None => (200, mount_type),
            };
            let body = envelope(logical, &req.path, mount_type);
            respond(status, Bytes::from(body.to_string()))
        }
        Reply::Raw { status, body } => respond(status, Bytes::from(body.to_string())),
        Reply::Empty { status } => respond(status, Bytes::new()),
        // `settle` runs every deferral before rendering.
        Reply::Deferred(_) => render_error(&ApiError::internal("internal error")),
    }
}

/// How often a running node looks for expired leases (wall time; tests that move the clock
/// get the sweep at once from `advance_clock`).
const EXPIRY_SWEEP: Duration = Duration::from_secs(1);

/// Revokes expired leases every [`EXPIRY_SWEEP`], for as long as the node's runtime runs.
pub async fn expiry_loop(node: Arc<Node>) {
    let mut ticks = tokio::time::interval(EXPIRY_SWEEP);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        node.expire_leases().await;
    }
}

/// Accepts connections until `shutdown` fires; each connection is served with keep-alive.
pub async fn accept_loop(
    listener: tokio::net::TcpListener,
    node: Arc<Node>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let node = Arc::clone(&node);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| Arc::clone(&node).serve(req));
            let io = hyper_util::rt::TokioIo::new(stream);
            // A dropped connection (fault) ends here with an error: nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(io, service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_percent_decoded() {
        let q = parse_query(Some("list=true&a=b%20c&flag&x=1+2"));
        assert_eq!(q["list"], "true");
        assert_eq!(q["a"], "b c");
        assert_eq!(q["flag"], "");
        assert_eq!(q["x"], "1 2");
    }

    #[test]
    fn top_level_injection_follows_vaults_route_list() {
        assert!(injects_data_at_top_level("sys/mounts"));
        assert!(injects_data_at_top_level("sys/policy/x"));
        assert!(!injects_data_at_top_level("sys/policies/acl/x"));
        assert!(!injects_data_at_top_level("auth/token/lookup-self"));
    }
}
