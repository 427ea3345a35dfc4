//! Issue 10, bounds: every answer is bounded in time (the whole exchange, body included) and in
//! size. The misbehaving servers here are a few lines of TCP on loopback, each serving one
//! connection: Vault never behaves like this, a broken proxy might.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use support::Nvctl;

/// Serves one connection: reads the request head, then lets `answer` write.
fn one_shot(answer: impl FnOnce(&mut std::net::TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => return,
                }
            }
            answer(&mut stream);
        }
    });
    addr
}

/// A server that sends its headers at once and then one byte of body every 200 ms: each read
/// succeeds, so only a deadline over the whole exchange stops it.
#[test]
fn a_server_trickling_its_answer_cannot_hold_nvctl_past_the_timeout() {
    let addr = one_shot(|stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
        );
        for _ in 0..600 {
            std::thread::sleep(Duration::from_millis(200));
            if stream.write_all(b" ").is_err() {
                return;
            }
        }
    });
    Nvctl::new()
        .args([
            "status",
            "--timeout",
            "2s",
            "--max-retries",
            "0",
            "--address",
            &addr,
        ])
        .run()
        .exit(2)
        .stderr_has(&format!(
            "no answer from {addr} on sys/seal-status within 2s: raise the limit with \
             --timeout/VAULT_CLIENT_TIMEOUT"
        ));
}

/// An answer announced (or sent) larger than 32 MiB is refused, not read into memory.
#[test]
fn an_answer_over_32_mib_is_refused_with_a_clear_error() {
    for announced in [true, false] {
        let addr = one_shot(move |stream| {
            let head = if announced {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n"
            } else {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            };
            let _ = stream.write_all(head.as_bytes());
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..40 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        });
        Nvctl::new()
            .args(["status", "--max-retries", "0", "--address", &addr])
            .run()
            .exit(2)
            .stderr_has(&format!(
                "unexpected answer from {addr}/v1/sys/seal-status: the answer is larger than 32 \
                 MiB, the most nvctl reads: refused"
            ));
    }
}
