//! What the client tells a caller that wants to watch it work: one [`RequestEvent`] per HTTP
//! exchange (each attempt, each redirect hop). The client knows nothing of the terminal; the
//! CLI decides whether and how to show these (`-v`).
//!
//! An event carries the method, the API path with its query, the status or the kind of
//! failure, the attempt number, the node and the time taken — never a header or a body, so
//! never a token, a share or a secret's value.

use std::fmt;
use std::time::Duration;

/// How one exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeOutcome {
    /// The node answered with this HTTP status.
    Status(u16),
    /// No answer: a short description of the transport failure (`connection refused`…).
    Failed(&'static str),
}

/// One HTTP exchange with one node.
#[derive(Debug, Clone, Copy)]
pub struct RequestEvent<'a> {
    pub method: &'a str,
    /// The API path without `/v1/`, with its query when it has one (`sys/health?standbyok=true`).
    pub path: &'a str,
    pub outcome: ExchangeOutcome,
    /// 1 for the first attempt; redirect hops keep the attempt's number.
    pub attempt: u32,
    /// The node that was asked, e.g. `http://127.0.0.1:8200`.
    pub node: &'a str,
    pub elapsed: Duration,
}

/// `GET auth/token/lookup-self → 200 (attempt 1, node http://127.0.0.1:8200, 3 ms)`.
impl fmt::Display for RequestEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} → ", self.method, self.path)?;
        match self.outcome {
            ExchangeOutcome::Status(status) => write!(f, "{status}")?,
            ExchangeOutcome::Failed(what) => f.write_str(what)?,
        }
        write!(
            f,
            " (attempt {}, node {}, {} ms)",
            self.attempt,
            self.node,
            self.elapsed.as_millis()
        )
    }
}

/// Receives the client's events. Called from whichever thread sent the request (commands send
/// independent requests in parallel), so implementations must be `Send + Sync`.
pub trait RequestObserver: Send + Sync {
    fn exchange(&self, event: &RequestEvent<'_>);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exchange_reads_as_method_path_status_attempt_node_and_time() {
        let event = RequestEvent {
            method: "GET",
            path: "auth/token/lookup-self",
            outcome: ExchangeOutcome::Status(200),
            attempt: 1,
            node: "http://127.0.0.1:8200",
            elapsed: Duration::from_millis(3),
        };
        assert_eq!(
            event.to_string(),
            "GET auth/token/lookup-self → 200 (attempt 1, node http://127.0.0.1:8200, 3 ms)"
        );
        let failed = RequestEvent {
            outcome: ExchangeOutcome::Failed("connection refused"),
            attempt: 2,
            ..event
        };
        assert!(failed
            .to_string()
            .starts_with("GET auth/token/lookup-self → connection refused (attempt 2,"));
    }
}
