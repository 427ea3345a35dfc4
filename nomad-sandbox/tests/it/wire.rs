//! Wire behaviour: the `Date` header and a skewed clock, routing fallthroughs and redirects,
//! request recording, faults.

use std::time::{Duration, SystemTime};

use nomad_sandbox::{Fault, NomadSandbox};

use crate::common::{get, send};

fn date_of(answer: &crate::common::Answer) -> SystemTime {
    httpdate::parse_http_date(&answer.header("date").expect("a Date header")).unwrap()
}

fn skew(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// Go's net/http sets `Date` on every answer; a skewed Nomad (seed 004's "Token immediately
/// invalid") shows it there, in token create times and in identity `iat`.
#[test]
fn the_date_header_follows_the_agents_clock() {
    let nomad = NomadSandbox::builder()
        .acl_enabled(false)
        .clock_behind(Duration::from_secs(600))
        .start()
        .unwrap();
    let answer = get(&nomad.addr(), "/v1/agent/self", None);
    let behind = skew(SystemTime::now(), date_of(&answer));
    assert!((595..=605).contains(&behind), "{behind}");
    nomad.set_clock_ahead(Duration::from_secs(3600));
    let error = get(&nomad.addr(), "/v1/acl/tokens", None);
    assert_eq!(error.status, 400);
    let ahead = skew(date_of(&error), SystemTime::now());
    assert!((3595..=3605).contains(&ahead), "{ahead}");
}

/// command/agent/http.go:handleRootFallthrough (bare 404) and Go's ServeMux redirect of a
/// subtree asked for without its slash.
#[test]
fn unknown_paths_and_subtree_redirects() {
    let nomad = NomadSandbox::builder().acl_enabled(false).start().unwrap();
    let missing = get(&nomad.addr(), "/v1/no/such/thing", None);
    assert_eq!((missing.status, missing.text.as_str()), (404, ""));
    let moved = get(&nomad.addr(), "/v1/job", None);
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location").as_deref(), Some("/v1/job/"));
    assert_eq!(
        get(&nomad.addr(), "/v1/status/leader", None).json(),
        "127.0.0.1:4647"
    );
}

/// Requests are recorded with their headers; Debug output redacts the token.
#[test]
fn requests_are_recorded_and_tokens_redacted_in_debug() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    get(&nomad.addr(), "/v1/acl/tokens?prefix=ab", Some(&root));
    let recorded = nomad.requests();
    let last = recorded.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("GET", "/v1/acl/tokens?prefix=ab")
    );
    assert_eq!(last.header("X-Nomad-Token"), Some(root.as_str()));
    assert!(!format!("{last:?}").contains(&root));
    assert!(!format!("{:?}", nomad.connection_info()).contains(&root));
    nomad.clear_requests();
    assert!(nomad.requests().is_empty());
}

/// Faults: a canned plain-text error instead of the real answer (not applied), by path.
#[test]
fn faults_answer_instead_of_the_handler() {
    let nomad = NomadSandbox::builder().bootstrapped().start().unwrap();
    let root = nomad.management_token().unwrap();
    let (accessor, _) = nomad.create_token("x", "client", &["a"]).unwrap();
    nomad.set_fault(Fault::respond_on_path(
        "DELETE",
        "/v1/acl/token/",
        500,
        "rpc error: No cluster leader",
    ));
    send(
        &nomad.addr(),
        "DELETE",
        &format!("/v1/acl/token/{accessor}"),
        Some(&root),
        None,
    )
    .assert_error(500, "rpc error: No cluster leader");
    assert!(nomad.token_exists(&accessor));
    nomad.clear_faults();
    assert_eq!(
        send(
            &nomad.addr(),
            "DELETE",
            &format!("/v1/acl/token/{accessor}"),
            Some(&root),
            None
        )
        .status,
        200
    );
}
