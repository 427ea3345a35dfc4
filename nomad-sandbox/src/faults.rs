//! Fault injection, as far as tests need it: latency, a canned error answer instead of the
//! real one (Nomad's plain-text errors), a dropped connection, and an answer broken off part
//! way — chosen by the index of the request (counted from 1 over everything the agent
//! received) or by method and path.

use std::time::Duration;

/// Which requests a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// Only the N-th request (1-based).
    Nth(u64),
    /// Every request.
    Always,
    /// Every request with this method whose path starts with `path_prefix`
    /// (`DELETE`, `/v1/acl/token/`).
    Path { method: String, path_prefix: String },
}

impl Trigger {
    pub fn on_path(method: &str, path_prefix: &str) -> Self {
        Trigger::Path {
            method: method.to_ascii_uppercase(),
            path_prefix: path_prefix.to_string(),
        }
    }

    fn matches(&self, index: u64, method: &str, path: &str) -> bool {
        match self {
            Trigger::Nth(n) => index == *n,
            Trigger::Always => true,
            Trigger::Path {
                method: m,
                path_prefix,
            } => m == method && path.starts_with(path_prefix.as_str()),
        }
    }
}

/// One injected misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Every request waits this long first.
    Latency(Duration),
    /// Matching requests get `status` with `body` as plain text, and are **not** applied.
    Respond {
        on: Trigger,
        status: u16,
        body: String,
    },
    /// Matching requests get no answer: the connection is closed. With `after_apply` the
    /// request takes effect first.
    DropConnection { on: Trigger, after_apply: bool },
    /// Matching requests take effect, and their answer goes out with its whole
    /// `Content-Length` but only the part `keep` says; then the connection stalls (the
    /// client's timeout ends it) or closes. Half an answer that may hold a secret.
    BreakAnswer {
        on: Trigger,
        keep: Keep,
        then: Break,
    },
}

/// How much of a broken answer is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Its first N bytes.
    First(usize),
    /// All of it but its last N bytes.
    AllBut(usize),
}

impl Keep {
    /// How many of an answer of `len` bytes are sent.
    pub fn of(self, len: usize) -> usize {
        match self {
            Keep::First(n) => n.min(len),
            Keep::AllBut(n) => len.saturating_sub(n),
        }
    }
}

/// What follows the part of a broken answer that was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// Nothing more: the connection stays open and silent.
    Stall,
    /// The connection closes.
    Close,
}

impl Fault {
    /// Requests with `method` under `path_prefix` answer `status` and `body` (not applied).
    pub fn respond_on_path(method: &str, path_prefix: &str, status: u16, body: &str) -> Self {
        Fault::Respond {
            on: Trigger::on_path(method, path_prefix),
            status,
            body: body.to_string(),
        }
    }

    /// The N-th request answers `status` and `body` (not applied).
    pub fn respond_on_nth(n: u64, status: u16, body: &str) -> Self {
        Fault::Respond {
            on: Trigger::Nth(n),
            status,
            body: body.to_string(),
        }
    }

    /// Requests with `method` under `path_prefix` are dropped before they are applied.
    pub fn drop_on_path(method: &str, path_prefix: &str) -> Self {
        Fault::DropConnection {
            on: Trigger::on_path(method, path_prefix),
            after_apply: false,
        }
    }
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Proceed,
    Respond { status: u16, body: String },
    DropBeforeApply,
    DropAfterApply,
    BreakAnswer { keep: Keep, then: Break },
}

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

    pub fn latency(&self) -> Duration {
        self.faults
            .iter()
            .map(|f| match f {
                Fault::Latency(d) => *d,
                _ => Duration::ZERO,
            })
            .sum()
    }

    /// The first matching fault decides.
    pub fn action(&self, index: u64, method: &str, path: &str) -> Action {
        for fault in &self.faults {
            match fault {
                Fault::Respond { on, status, body } if on.matches(index, method, path) => {
                    return Action::Respond {
                        status: *status,
                        body: body.clone(),
                    }
                }
                Fault::DropConnection { on, after_apply } if on.matches(index, method, path) => {
                    return if *after_apply {
                        Action::DropAfterApply
                    } else {
                        Action::DropBeforeApply
                    }
                }
                Fault::BreakAnswer { on, keep, then } if on.matches(index, method, path) => {
                    return Action::BreakAnswer {
                        keep: *keep,
                        then: *then,
                    }
                }
                _ => {}
            }
        }
        Action::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_triggers_match_method_and_prefix() {
        let mut plan = FaultPlan::default();
        plan.add(Fault::respond_on_path(
            "delete",
            "/v1/acl/token/",
            500,
            "boom",
        ));
        assert_eq!(plan.action(1, "GET", "/v1/acl/token/x"), Action::Proceed);
        assert_eq!(
            plan.action(2, "DELETE", "/v1/acl/token/x"),
            Action::Respond {
                status: 500,
                body: "boom".into()
            }
        );
    }
}
