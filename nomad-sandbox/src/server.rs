//! The HTTP front end: one hyper service that records each request, applies faults and
//! latency, turns it into an [`api::Request`](crate::api::Request), routes it, and writes the
//! answer as Nomad's Go server does — JSON documents, plain-text errors, `X-Nomad-Index`, and
//! a `Date` header from the agent's (possibly skewed) clock.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, DATE, LOCATION};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::api::{NomadError, Reply, Request};
use crate::clock::http_date;
use crate::faults::{Action, Break, FaultPlan, Keep};
use crate::router::{self, Routed};
use crate::state::State;

/// One request as the agent received it, for tests to inspect.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path with its query string.
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RecordedRequest {
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
        // Tokens travel in these headers: never in Debug output.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| match k.as_str() {
                "x-nomad-token" | "authorization" => (k.as_str(), "<redacted>"),
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

/// What one running agent shares between its connections and its handle.
pub struct Node {
    state: Mutex<State>,
    records: Mutex<Vec<RecordedRequest>>,
    record: AtomicBool,
    counter: AtomicU64,
    faults: Mutex<FaultPlan>,
    latency: Mutex<Duration>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Handlers do not panic on input; if one ever did, keep answering.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The connection is closed without an answer (a fault).
#[derive(Debug)]
pub struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

type HttpResponse = Response<Full<Bytes>>;

/// The body of an answer on the wire: whole, or broken off by a fault.
pub enum AnswerBody {
    Whole(Full<Bytes>),
    /// The first part of the answer; then, after a moment (so that part is flushed to the
    /// client), silence or an error that closes the connection.
    Broken {
        part: Option<Bytes>,
        then: Break,
        pause: Pin<Box<tokio::time::Sleep>>,
    },
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            AnswerBody::Whole(full) => Pin::new(full)
                .poll_frame(cx)
                .map(|frame| frame.map(|f| f.map_err(|never| match never {}))),
            AnswerBody::Broken { part, then, pause } => {
                if let Some(part) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(part))));
                }
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                match then {
                    // Never woken again: the client's timeout ends the exchange.
                    Break::Stall => Poll::Pending,
                    Break::Close => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "answer broken off by an injected fault",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            AnswerBody::Whole(full) => full.is_end_stream(),
            AnswerBody::Broken { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Whole(full) => full.size_hint(),
            AnswerBody::Broken { .. } => SizeHint::default(),
        }
    }
}

/// The answer with its whole `Content-Length` but only the part `keep` says.
async fn broken(answer: HttpResponse, keep: Keep, then: Break) -> Response<AnswerBody> {
    let (mut parts, body) = answer.into_parts();
    let whole = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    if let Ok(length) = HeaderValue::from_str(&whole.len().to_string()) {
        parts.headers.insert(hyper::header::CONTENT_LENGTH, length);
    }
    let part = whole.slice(..keep.of(whole.len()));
    Response::from_parts(
        parts,
        AnswerBody::Broken {
            part: (!part.is_empty()).then_some(part),
            then,
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        },
    )
}

impl Node {
    pub fn new(state: State, faults: FaultPlan, latency: Duration, record: bool) -> Self {
        Node {
            state: Mutex::new(state),
            records: Mutex::new(Vec::new()),
            record: AtomicBool::new(record),
            counter: AtomicU64::new(0),
            faults: Mutex::new(faults),
            latency: Mutex::new(latency),
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

    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.latency) = latency;
    }

    /// Serves one HTTP request.
    pub async fn serve(
        self: Arc<Self>,
        req: hyper::Request<Incoming>,
    ) -> Result<Response<AnswerBody>, DropConnection> {
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
            (
                *lock(&self.latency) + plan.latency(),
                plan.action(index, parts.method.as_str(), parts.uri.path()),
            )
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let whole = |answer: HttpResponse| Ok(answer.map(AnswerBody::Whole));
        match action {
            Action::Proceed => whole(self.answer(&parts, &body)),
            Action::Respond { status, body } => {
                let date = http_date(self.state().clock.now());
                whole(error_response(&NomadError::new(status, body), &date))
            }
            Action::DropBeforeApply => Err(DropConnection),
            Action::DropAfterApply => {
                let _applied = self.answer(&parts, &body);
                Err(DropConnection)
            }
            Action::BreakAnswer { keep, then } => {
                Ok(broken(self.answer(&parts, &body), keep, then).await)
            }
        }
    }

    /// Routes one parsed request against the state (no HTTP, no faults): the handle's
    /// helpers use this, so they go through exactly the code requests do.
    pub fn handle(&self, req: &Request) -> (Routed, String) {
        let mut state = self.state();
        let date = http_date(state.clock.now());
        (router::route(&mut state, req), date)
    }

    fn answer(&self, parts: &Parts, body: &[u8]) -> HttpResponse {
        let req = parse(parts, body);
        let pretty = req
            .query
            .get("pretty")
            .is_some_and(|v| v.is_empty() || v != "0");
        let (routed, date) = self.handle(&req);
        render(routed, &date, pretty, req.method == "HEAD")
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

fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(query: Option<&str>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        // url.Values.Get returns the first value.
        out.entry(percent_decode(k, true))
            .or_insert_with(|| percent_decode(v, true));
    }
    out
}

fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// http.go:parseToken: `X-Nomad-Token` (trimmed), else `Authorization: <scheme> <value>` with
/// scheme `bearer` in any case, taking the first word of the value.
fn token(parts: &Parts) -> String {
    if let Some(t) = header(parts, "x-nomad-token").filter(|t| !t.is_empty()) {
        return t.trim().to_string();
    }
    if let Some(auth) = header(parts, "authorization") {
        let pieces: Vec<&str> = auth.split(' ').collect();
        if pieces.len() > 1 && pieces[0].eq_ignore_ascii_case("bearer") {
            let value = pieces[1..].join(" ");
            return value
                .trim()
                .split(' ')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
        }
    }
    String::new()
}

fn parse(parts: &Parts, body: &[u8]) -> Request {
    Request {
        method: parts.method.as_str().to_string(),
        path: percent_decode(parts.uri.path(), false),
        query: parse_query(parts.uri.query()),
        token: token(parts),
        body: body.to_vec(),
    }
}

fn response(status: u16, body: Bytes, date: &str) -> HttpResponse {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(date) {
        response.headers_mut().insert(DATE, v);
    }
    response
}

fn set(response: &mut HttpResponse, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), v);
    }
}

/// http.go:wrap's error branch: the message as plain text.
fn error_response(error: &NomadError, date: &str) -> HttpResponse {
    let mut r = response(error.status, Bytes::from(error.message.clone()), date);
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn json_body(value: &Value, pretty: bool) -> Bytes {
    if !pretty {
        return Bytes::from(value.to_string());
    }
    // structs.JsonHandlePretty indents by four spaces and the handler adds a newline.
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if serde::Serialize::serialize(value, &mut ser).is_err() {
        return Bytes::from(value.to_string());
    }
    out.push(b'\n');
    Bytes::from(out)
}

fn render(routed: Routed, date: &str, pretty: bool, head: bool) -> HttpResponse {
    let mut r = match routed {
        Routed::NotFound => response(404, Bytes::new(), date),
        Routed::Redirect(location) => {
            let body = if head {
                Bytes::new()
            } else {
                Bytes::from(format!("<a href=\"{location}\">Moved Permanently</a>.\n\n"))
            };
            let mut r = response(301, body, date);
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(LOCATION, v);
            }
            r
        }
        Routed::Answer(Err(error)) => error_response(&error, date),
        Routed::Answer(Ok(Reply::Empty { index })) => {
            let mut r = response(200, Bytes::new(), date);
            if let Some(index) = index {
                set(&mut r, "x-nomad-index", &index.to_string());
            }
            r
        }
        Routed::Answer(Ok(Reply::Json {
            value,
            index,
            query_meta,
        })) => {
            let mut r = response(200, json_body(&value, pretty), date);
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            if let Some(index) = index {
                set(&mut r, "x-nomad-index", &index.to_string());
            }
            if query_meta {
                set(&mut r, "x-nomad-knownleader", "true");
                set(&mut r, "x-nomad-lastcontact", "0");
            }
            r
        }
        Routed::Answer(Ok(Reply::JsonWithHeaders { value, headers })) => {
            let mut r = response(200, json_body(&value, pretty), date);
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            for (name, value) in headers {
                set(&mut r, name, &value);
            }
            r
        }
    };
    if head {
        *r.body_mut() = Full::new(Bytes::new());
    }
    r
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
    fn queries_and_paths_are_decoded_like_go() {
        let q = parse_query(Some("namespace=%2A&prefix=a+b&namespace=second"));
        assert_eq!(q["namespace"], "*");
        assert_eq!(q["prefix"], "a b");
        assert_eq!(percent_decode("/v1/job/my%20job", false), "/v1/job/my job");
        assert_eq!(percent_decode("/v1/job/a+b", false), "/v1/job/a+b");
    }
}
