//! Raw HTTP helpers for the conformance tests: a plain reqwest client, never nvctl's code.
#![allow(dead_code)]

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// Asserts a Nomad error: this status, this plain-text body.
    pub fn assert_error(&self, status: u16, text: &str) {
        assert_eq!(
            (self.status, self.text.as_str()),
            (status, text),
            "headers: {:?}",
            self.headers
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
    }
}

/// Sends `method` to `<addr><path>` with optional token (`X-Nomad-Token`) and body.
pub fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    send_with(
        addr,
        method,
        path,
        &token
            .map(|t| ("X-Nomad-Token", t))
            .into_iter()
            .collect::<Vec<_>>(),
        body,
    )
}

pub fn send_with(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("{addr}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.body(body.to_string());
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().unwrap();
    Answer {
        status,
        headers,
        text,
    }
}

pub fn get(addr: &str, path: &str, token: Option<&str>) -> Answer {
    send(addr, "GET", path, token, None)
}

pub fn put(addr: &str, path: &str, token: Option<&str>, body: &str) -> Answer {
    send(addr, "PUT", path, token, Some(body))
}

/// Seed 004's deploy policy.
pub const DEPLOY_RULES: &str = r#"namespace "default" {
  policy = "write"
  capabilities = ["submit-job", "read-logs", "alloc-exec"]
}
node {
  policy = "read"
}
"#;

/// Seed 004's readonly policy.
pub const READONLY_RULES: &str = r#"namespace "*" {
  policy = "read"
}
node {
  policy = "read"
}
"#;
