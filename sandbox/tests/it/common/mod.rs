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

    /// The first entry of `errors`.
    pub fn error(&self) -> String {
        self.json()["errors"][0]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Sends `method` to `<addr>/v1/<path>` with optional raw headers and body text.
pub fn send(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client().request(method, format!("{addr}/v1/{path}"));
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

/// A JSON request with an optional token, as the Vault Go client sends it.
pub fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let body = body.map(|b| b.to_string());
    let mut headers = vec![("X-Vault-Request", "true")];
    if let Some(token) = token {
        headers.push(("X-Vault-Token", token));
    }
    send(addr, method, path, &headers, body.as_deref())
}
