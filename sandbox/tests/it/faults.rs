//! Fault injection (issue 3): latency, canned answers, dropped connections, 429.

use crate::common;

use std::time::{Duration, Instant};

use common::call;
use serde_json::json;
use vault_sandbox::{Fault, Sandbox, Trigger};

fn mounts(addr: &str) -> Vec<String> {
    let body = call(addr, "GET", "sys/mounts", Some("root"), None).json();
    body["data"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn latency_delays_every_answer() {
    let node = Sandbox::builder()
        .dev("root")
        .latency(Duration::from_millis(120))
        .start()
        .unwrap();
    let started = Instant::now();
    call(&node.addr(), "GET", "sys/health", None, None);
    assert!(started.elapsed() >= Duration::from_millis(120));
    node.set_latency(Duration::ZERO);
    node.set_fault(Fault::Latency(Duration::from_millis(80)));
    let started = Instant::now();
    call(&node.addr(), "GET", "sys/health", None, None);
    assert!(started.elapsed() >= Duration::from_millis(80));
    node.clear_faults();
    let started = Instant::now();
    call(&node.addr(), "GET", "sys/health", None, None);
    assert!(started.elapsed() < Duration::from_millis(80));
}

#[test]
fn nth_request_gets_the_canned_answer_and_is_not_applied() {
    let node = Sandbox::builder()
        .dev("root")
        .fault(Fault::respond_on_nth(2, 502, r#"{"errors":["upstream"]}"#))
        .start()
        .unwrap();
    let first = call(&node.addr(), "GET", "sys/health", None, None);
    assert_eq!(first.status, 200);
    let second = call(
        &node.addr(),
        "POST",
        "sys/mounts/kv-x",
        Some("root"),
        Some(json!({"type": "kv"})),
    );
    assert_eq!((second.status, second.error().as_str()), (502, "upstream"));
    assert!(
        !mounts(&node.addr()).contains(&"kv-x/".to_string()),
        "the faulted write was applied"
    );
}

#[test]
fn every_kth_request_gets_the_canned_answer() {
    let node = Sandbox::builder()
        .dev("root")
        .fault(Fault::respond_every(3, 503, "{}"))
        .start()
        .unwrap();
    let codes: Vec<u16> = (0..6)
        .map(|_| call(&node.addr(), "GET", "sys/health", None, None).status)
        .collect();
    assert_eq!(codes, vec![200, 200, 503, 200, 200, 503]);
}

#[test]
fn dropped_before_apply_gives_no_answer_and_no_effect() {
    let node = Sandbox::builder()
        .dev("root")
        .fault(Fault::drop_before_apply(1))
        .start()
        .unwrap();
    let err = reqwest::blocking::Client::new()
        .post(format!("{}/v1/sys/mounts/kv-y", node.addr()))
        .header("X-Vault-Token", "root")
        .body(r#"{"type":"kv"}"#)
        .send();
    assert!(err.is_err(), "expected a connection error, got {err:?}");
    assert!(!mounts(&node.addr()).contains(&"kv-y/".to_string()));
}

#[test]
fn dropped_after_apply_gives_no_answer_but_keeps_the_effect() {
    let node = Sandbox::builder()
        .dev("root")
        .fault(Fault::drop_after_apply(1))
        .start()
        .unwrap();
    let err = reqwest::blocking::Client::new()
        .post(format!("{}/v1/sys/mounts/kv-z", node.addr()))
        .header("X-Vault-Token", "root")
        .body(r#"{"type":"kv"}"#)
        .send();
    assert!(err.is_err());
    assert!(mounts(&node.addr()).contains(&"kv-z/".to_string()));
}

// vault-api.md §0 errors: rate limit → 429 with the quota message and Retry-After
#[test]
fn rate_limit_answers_429_with_retry_after() {
    let node = Sandbox::builder().dev("root").start().unwrap();
    node.set_fault(Fault::rate_limit_nth(1, 7));
    let a = call(&node.addr(), "GET", "sys/mounts", Some("root"), None);
    assert_eq!(a.status, 429);
    assert_eq!(a.header("retry-after").as_deref(), Some("7"));
    assert_eq!(
        a.error(),
        "request path \"sys/mounts\": rate limit quota exceeded"
    );
    node.set_fault(Fault::RateLimit {
        on: Trigger::Always,
        retry_after_secs: 1,
    });
    assert_eq!(
        call(&node.addr(), "GET", "sys/health", None, None).status,
        429
    );
}

#[test]
fn request_indices_count_from_one_over_all_requests() {
    let node = Sandbox::builder().dev("root").start().unwrap();
    call(&node.addr(), "GET", "sys/health", None, None);
    call(&node.addr(), "GET", "sys/seal-status", None, None);
    node.set_fault(Fault::respond_on_nth(3, 418, "{}"));
    assert_eq!(
        call(&node.addr(), "GET", "sys/health", None, None).status,
        418
    );
    assert_eq!(
        call(&node.addr(), "GET", "sys/health", None, None).status,
        200
    );
}
