//! A scripted HTTP/1.1 server on loopback for the client tests: it answers a queue of
//! [`Step`]s one connection at a time, records every request, and can drop the connection
//! after reading a request or stall past the client's timeout.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the server does with the next request.
pub enum Step {
    /// Answer with this status, headers and body.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Read the request, then close the connection without answering.
    Drop,
    /// Read the request, wait, then close without answering.
    Stall(Duration),
}

impl Step {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Step {
        Step::Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_owned(),
        }
    }

    /// An answer without body (204, 307…).
    pub fn empty(status: u16) -> Step {
        Step::Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// Adds a header to a `Reply`.
    pub fn header(mut self, name: &str, value: &str) -> Step {
        if let Step::Reply { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query, e.g. `/v1/sys/policies/acl?list=true`.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct TestServer {
    url: String,
    script: Arc<Mutex<VecDeque<Step>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    /// Starts a server answering `script` in order; once it runs out it answers 418, which
    /// the client never retries, so an unexpected extra request shows up in `requests()`.
    pub fn start(script: Vec<Step>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (thread_script, thread_requests) = (Arc::clone(&script), Arc::clone(&requests));
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                serve(stream, &thread_script, &thread_requests);
            }
        });
        TestServer {
            url,
            script,
            requests,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Appends a step (for scripts that need the server's own URL).
    pub fn push(&self, step: Step) {
        self.script.lock().expect("script lock").push_back(step);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests lock").clone()
    }
}

fn serve(stream: TcpStream, script: &Mutex<VecDeque<Step>>, requests: &Mutex<Vec<Recorded>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    requests.lock().expect("requests lock").push(Recorded {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let step = script.lock().expect("script lock").pop_front();
    let mut stream = reader.into_inner();
    match step {
        Some(Step::Drop) => {}
        Some(Step::Stall(wait)) => thread::sleep(wait),
        Some(Step::Reply {
            status,
            headers,
            body,
        }) => write_reply(&mut stream, status, &headers, &body),
        None => write_reply(
            &mut stream,
            418,
            &[],
            r#"{"errors":["test server: script exhausted"]}"#,
        ),
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn write_reply(stream: &mut TcpStream, status: u16, headers: &[(String, String)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} Scripted\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}
