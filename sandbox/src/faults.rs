//! Fault injection for reliability tests: latency, canned answers, dropped connections and
//! rate limiting, triggered by the index of the request (counted from 1 over every request the
//! node received, whatever its path).

use std::time::Duration;

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Only the N-th request (1-based).
    Nth(u64),
    /// Every K-th request: K, 2K, 3K, …
    EveryKth(u64),
    /// Every request.
    Always,
    /// Every request to this API path (without `/v1/` and the query), whatever its index:
    /// for clients that send several requests at once, in no fixed order.
    Path(&'static str),
    /// Every request with this method (`DELETE`) to this API path: a write refused while
    /// the reads of the same path are answered.
    MethodPath(&'static str, &'static str),
}

impl Trigger {
    /// Whether the trigger fires on the `index`-th request (a [`Trigger::Path`] or
    /// [`Trigger::MethodPath`] never does without a request: see [`Trigger::fires`]).
    pub fn matches(self, index: u64) -> bool {
        self.fires(index, None)
    }

    /// Whether the trigger fires on the `index`-th request, `(method, API path)`.
    pub fn fires(self, index: u64, request: Option<(&str, &str)>) -> bool {
        match self {
            Trigger::Nth(n) => index == n,
            Trigger::EveryKth(k) => k != 0 && index.is_multiple_of(k),
            Trigger::Always => true,
            Trigger::Path(p) => request.is_some_and(|(_, path)| path == p),
            Trigger::MethodPath(m, p) => {
                request.is_some_and(|(method, path)| method.eq_ignore_ascii_case(m) && path == p)
            }
        }
    }
}

/// One injected misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Every request waits this long before it is handled (adds to the node's base latency).
    Latency(Duration),
    /// Matching requests get `status` and `body` (sent as is, `Content-Type: application/json`)
    /// and are **not** applied.
    Respond {
        on: Trigger,
        status: u16,
        body: String,
    },
    /// Matching requests never get an answer: the connection is closed. With `after_apply` the
    /// request is handled first (its effect is kept), otherwise it is not applied.
    DropConnection { on: Trigger, after_apply: bool },
    /// Matching requests get 429 `request path "<p>": rate limit quota exceeded` with
    /// `Retry-After: <seconds>`, and are not applied.
    RateLimit { on: Trigger, retry_after_secs: u64 },
    /// Matching requests are applied, and their answer is held back until the test calls
    /// `SandboxHandle::release_held` (for ever, if it never does): the window in which a
    /// client has sent a request whose effect exists on the server but whose answer it does
    /// not have yet — e.g. signalling nvctl while `sys/init`'s keys are on their way.
    HoldAnswer { on: Trigger },
}

impl Fault {
    /// The N-th request answers `status` with `body` without being applied.
    pub fn respond_on_nth(n: u64, status: u16, body: impl Into<String>) -> Self {
        Fault::Respond {
            on: Trigger::Nth(n),
            status,
            body: body.into(),
        }
    }

    /// Every K-th request answers `status` with `body` without being applied.
    pub fn respond_every(k: u64, status: u16, body: impl Into<String>) -> Self {
        Fault::Respond {
            on: Trigger::EveryKth(k),
            status,
            body: body.into(),
        }
    }

    /// Every request to API path `path` answers `status` with `body` without being applied.
    pub fn respond_on_path(path: &'static str, status: u16, body: impl Into<String>) -> Self {
        Fault::Respond {
            on: Trigger::Path(path),
            status,
            body: body.into(),
        }
    }

    /// Every `method` request to API path `path` answers `status` with `body` without being
    /// applied; other methods on the path are served.
    pub fn respond_on_method_path(
        method: &'static str,
        path: &'static str,
        status: u16,
        body: impl Into<String>,
    ) -> Self {
        Fault::Respond {
            on: Trigger::MethodPath(method, path),
            status,
            body: body.into(),
        }
    }

    /// The N-th request's connection is dropped before the request is applied.
    pub fn drop_before_apply(n: u64) -> Self {
        Fault::DropConnection {
            on: Trigger::Nth(n),
            after_apply: false,
        }
    }

    /// The N-th request is applied, then its connection is dropped without an answer.
    pub fn drop_after_apply(n: u64) -> Self {
        Fault::DropConnection {
            on: Trigger::Nth(n),
            after_apply: true,
        }
    }

    /// The N-th request is applied and its answer held until released.
    pub fn hold_answer_nth(n: u64) -> Self {
        Fault::HoldAnswer {
            on: Trigger::Nth(n),
        }
    }

    /// The N-th request is refused with 429 and `Retry-After`.
    pub fn rate_limit_nth(n: u64, retry_after_secs: u64) -> Self {
        Fault::RateLimit {
            on: Trigger::Nth(n),
            retry_after_secs,
        }
    }
}

/// What the front end must do with one request, decided before it is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    Proceed,
    Respond { status: u16, body: String },
    RateLimit { retry_after_secs: u64 },
    DropBeforeApply,
    DropAfterApply,
    HoldAfterApply,
}

/// The faults set on one node.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    faults: Vec<Fault>,
}

impl FaultPlan {
    pub fn add(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// The latency the faults add to every request.
    pub fn latency(&self) -> Duration {
        self.faults
            .iter()
            .map(|f| match f {
                Fault::Latency(d) => *d,
                _ => Duration::ZERO,
            })
            .sum()
    }

    /// The first fault matching request `index` (`method` to API path `path`) decides;
    /// none → proceed.
    pub fn action(&self, index: u64, method: &str, path: &str) -> FaultAction {
        let path = Some((method, path));
        for fault in &self.faults {
            match fault {
                Fault::Latency(_) => {}
                Fault::Respond { on, status, body } if on.fires(index, path) => {
                    return FaultAction::Respond {
                        status: *status,
                        body: body.clone(),
                    }
                }
                Fault::DropConnection { on, after_apply } if on.fires(index, path) => {
                    return if *after_apply {
                        FaultAction::DropAfterApply
                    } else {
                        FaultAction::DropBeforeApply
                    };
                }
                Fault::HoldAnswer { on } if on.fires(index, path) => {
                    return FaultAction::HoldAfterApply
                }
                Fault::RateLimit {
                    on,
                    retry_after_secs,
                } if on.fires(index, path) => {
                    return FaultAction::RateLimit {
                        retry_after_secs: *retry_after_secs,
                    }
                }
                _ => {}
            }
        }
        FaultAction::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kth_trigger_fires_on_multiples_only() {
        let t = Trigger::EveryKth(3);
        let fired: Vec<u64> = (1..=10).filter(|&i| t.matches(i)).collect();
        assert_eq!(fired, vec![3, 6, 9]);
        assert!(!Trigger::EveryKth(0).matches(0));
    }

    #[test]
    fn the_first_matching_fault_decides_and_latencies_add_up() {
        let mut plan = FaultPlan::default();
        plan.add(Fault::Latency(Duration::from_millis(5)));
        plan.add(Fault::drop_after_apply(2));
        plan.add(Fault::respond_on_nth(2, 500, "{}"));
        plan.add(Fault::Latency(Duration::from_millis(7)));
        assert_eq!(plan.action(1, "GET", "sys/health"), FaultAction::Proceed);
        assert_eq!(
            plan.action(2, "GET", "sys/health"),
            FaultAction::DropAfterApply
        );
        assert_eq!(plan.latency(), Duration::from_millis(12));
    }

    #[test]
    fn a_held_answer_is_applied_first() {
        let mut plan = FaultPlan::default();
        plan.add(Fault::hold_answer_nth(3));
        assert_eq!(plan.action(2, "GET", "sys/health"), FaultAction::Proceed);
        assert_eq!(
            plan.action(3, "GET", "sys/health"),
            FaultAction::HoldAfterApply
        );
    }

    #[test]
    fn a_path_trigger_fires_on_that_path_only() {
        let mut plan = FaultPlan::default();
        plan.add(Fault::respond_on_path("sys/capabilities-self", 500, "{}"));
        assert_eq!(
            plan.action(1, "GET", "auth/token/lookup-self"),
            FaultAction::Proceed
        );
        assert!(matches!(
            plan.action(2, "GET", "sys/capabilities-self"),
            FaultAction::Respond { status: 500, .. }
        ));
        assert!(!Trigger::Path("x").matches(1));
    }

    #[test]
    fn a_method_path_trigger_fires_on_that_method_only() {
        let mut plan = FaultPlan::default();
        plan.add(Fault::respond_on_method_path(
            "DELETE",
            "auth/jwt/role/r",
            500,
            "{}",
        ));
        assert_eq!(
            plan.action(1, "GET", "auth/jwt/role/r"),
            FaultAction::Proceed
        );
        assert!(matches!(
            plan.action(2, "DELETE", "auth/jwt/role/r"),
            FaultAction::Respond { status: 500, .. }
        ));
        assert_eq!(
            plan.action(3, "DELETE", "auth/jwt/role/other"),
            FaultAction::Proceed
        );
        assert!(!Trigger::MethodPath("DELETE", "x").matches(1));
    }
}
