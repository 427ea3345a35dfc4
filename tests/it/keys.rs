//! Issue 10, "never lose the keys": the real binary signalled while the sandbox holds back
//! `sys/init`'s answer, answers of the wrong shape, answers that never come, and what a re-run
//! says afterwards. Sandbox only: it needs fault injection and an uninitialised Vault.
//!
//! The request count before `PUT sys/init` is that of `nvctl init`: GET sys/init, GET
//! sys/seal-status, then PUT sys/init (the third request).

use crate::support;

use std::path::Path;

use support::{await_that, file_names, read_json, workdir, writes, Nvctl};
use vault_sandbox::{Fault, Sandbox, SandboxHandle};

const INIT_PUT: u64 = 3;

fn uninitialized_with(fault: Fault) -> SandboxHandle {
    support::sandbox_only("needs fault injection and an uninitialised Vault");
    Sandbox::builder()
        .uninitialized()
        .fault(fault)
        .start()
        .expect("sandbox")
}

fn init_sent(h: &SandboxHandle) -> bool {
    writes(h).iter().any(|w| w.starts_with("PUT /v1/sys/init"))
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

fn keys_in(path: &Path) -> Vec<String> {
    read_json(path)["unseal_keys_hex"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().expect("key").to_string())
        .collect()
}

/// Two Ctrl-C while Vault's answer is held: the first says nvctl waits, the second says what is
/// at stake, and once the answer arrives the keys are on disk before nvctl dies of SIGINT.
#[test]
fn sigint_twice_while_the_init_answer_is_held_waits_saves_the_keys_then_stops() {
    let h = uninitialized_with(Fault::hold_answer_nth(INIT_PUT));
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    let running = Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .spawn();
    await_that("nvctl sent PUT sys/init", || init_sent(&h));

    running.signal("INT");
    running.await_stderr(&format!(
        "nvctl: SIGINT received while waiting for {}'s answer to PUT sys/init: nvctl stops as \
         soon as it is saved (at most 1m)",
        h.addr()
    ));
    running.signal("INT");
    running.await_stderr(
        "nvctl: SIGINT received again. That answer holds the unseal keys and the root token, \
         which exist nowhere else. Stopping now would lose them for good",
    );
    assert!(!out.exists(), "not saved before the answer came");

    h.release_held();
    running
        .finish()
        .killed_by(2)
        .stderr_has(&format!(
            "nvctl: stopping on SIGINT: the unseal keys and the root token are saved in {}",
            out.display()
        ))
        .hides(&h.root_token().expect("root token"));

    assert_eq!(mode(&out), 0o600);
    assert_eq!(keys_in(&out), h.unseal_keys(), "the keys Vault made");
    assert_eq!(
        file_names(dir.path()),
        ["vault-init.json"],
        "no temp file, no note"
    );

    // The re-run finds the file and sends nothing.
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(0)
        .stderr_has("is already initialized: nothing was sent");
}

/// SIGTERM and SIGHUP (a closed terminal) are held the same way.
#[test]
fn sigterm_and_sighup_while_the_init_answer_is_held_still_save_the_keys() {
    for (name, number) in [("TERM", 15), ("HUP", 1)] {
        let h = uninitialized_with(Fault::hold_answer_nth(INIT_PUT));
        let dir = workdir();
        let out = dir.path().join("vault-init.json");
        let running = Nvctl::new()
            .sandbox(&h)
            .args(["init", "--output"])
            .arg(&out)
            .spawn();
        await_that("nvctl sent PUT sys/init", || init_sent(&h));
        running.signal(name);
        running.await_stderr(&format!("nvctl: SIG{name} received while waiting for"));
        h.release_held();
        running
            .finish()
            .killed_by(number)
            .stderr_has(&format!("nvctl: stopping on SIG{name}: the unseal keys"));
        assert_eq!(keys_in(&out), h.unseal_keys(), "SIG{name}");
        assert_eq!(file_names(dir.path()), ["vault-init.json"], "SIG{name}");
    }
}

/// The answer never comes: nvctl gives up after its timeout (the bound of the wait), says Vault
/// may be initialised — not that Vault refused — and leaves a note; the re-run reads the note
/// and says plainly that the keys are lost and what to do, as do `unseal` and `bootstrap`.
#[test]
fn an_init_answer_that_never_comes_is_reported_as_possibly_applied_and_the_rerun_says_the_keys_are_lost(
) {
    let h = uninitialized_with(Fault::hold_answer_nth(INIT_PUT));
    let dir = workdir();
    let out = dir.path().join("vault-init.json");
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--timeout", "1s", "--output"])
        .arg(&out)
        .run()
        .exit(2)
        .stderr_has(&format!(
            "PUT sys/init was sent to {} but no usable answer came back: {} may have acted on \
             it (Vault was initialised)",
            h.addr(),
            h.addr()
        ))
        .stderr_has("Check with `nvctl status`")
        .stderr_lacks("refused");
    assert_eq!(
        file_names(dir.path()),
        ["vault-init.json.sent"],
        "no temp file"
    );

    let lost = "Vault was initialised by a run whose answer was not saved: the unseal keys and \
                the root token are lost; nothing can recover them: this Vault must be wiped \
                (stop it, remove its storage) and initialised again with `nvctl init`";
    Nvctl::new()
        .sandbox(&h)
        .args(["init", "--output"])
        .arg(&out)
        .run()
        .exit(2)
        .stderr_has(lost)
        .stderr_has("PUT sys/init was sent to");
    Nvctl::new()
        .sandbox(&h)
        .args(["unseal", "--keys-file"])
        .arg(&out)
        .run()
        .exit(1)
        .stderr_has(lost);
}

/// Answers of the wrong shape are kept raw, 0600, beside the intended file before being
/// judged; the message says what was wrong, where the bytes are, and never "refused".
#[test]
fn a_truncated_or_wrong_typed_init_answer_is_saved_raw_and_named() {
    for (body, why) in [
        (
            r#"{"keys":["aa11","bb22"],"keys_base64":["qh"#,
            "EOF while parsing",
        ),
        (
            r#"{"keys":5,"root_token":"hvs.x"}"#,
            "invalid type: integer",
        ),
        (r#"{"keys":[],"root_token":""}"#, "it has no `root_token`"),
        (
            r#"{"keys":["aa"],"keys_base64":["qg=="],"root_token":"hvs.x"}"#,
            "5 key shares were asked for, it has 1",
        ),
    ] {
        let h = uninitialized_with(Fault::respond_on_nth(INIT_PUT, 200, body));
        let dir = workdir();
        let out = dir.path().join("vault-init.json");
        let raw = dir.path().join("vault-init.json.raw");
        Nvctl::new()
            .sandbox(&h)
            .args(["init", "--output"])
            .arg(&out)
            .run()
            .exit(2)
            .stderr_has(&format!(
                "{} answered PUT sys/init, but not as expected (",
                h.addr()
            ))
            .stderr_has(why)
            .stderr_has(&format!(
                "the answer may hold the unseal keys and the root token: it was saved unread to \
                 {} (0600)",
                raw.display()
            ))
            .stderr_lacks("refused");
        assert_eq!(std::fs::read_to_string(&raw).expect("raw"), body);
        assert_eq!(mode(&raw), 0o600);
        assert_eq!(file_names(dir.path()), ["vault-init.json.raw"], "{body}");

        // Never overwritten by a second attempt.
        Nvctl::new()
            .sandbox(&h)
            .args(["init", "--output"])
            .arg(&out)
            .run()
            .exit(1)
            .stderr_has(&format!(
                "{} holds an earlier answer to PUT sys/init that nvctl could not read",
                raw.display()
            ));
        assert_eq!(std::fs::read_to_string(&raw).expect("raw"), body);
    }
}

/// A signal outside a held section stops nvctl at once, and the temporary file it had
/// created (here: the token file's, made before the token is minted) is removed.
#[test]
fn a_signal_while_a_token_file_is_pending_removes_the_temporary_file() {
    support::sandbox_only("needs fault injection");
    // Where `token create` sends its create request, counted on a first sandbox.
    let probe = support::dev_sandbox();
    let probe_dir = workdir();
    Nvctl::new()
        .sandbox(&probe)
        .args(["token", "create", "--output"])
        .arg(probe_dir.path().join("token"))
        .run();
    let create = probe
        .requests()
        .iter()
        .position(|r| r.method == "POST" && r.path.starts_with("/v1/auth/token/create"))
        .expect("a create request") as u64
        + 1;

    let h = support::dev_sandbox();
    h.set_fault(Fault::hold_answer_nth(create));
    let dir = workdir();
    let running = Nvctl::new()
        .sandbox(&h)
        .args(["token", "create", "--output"])
        .arg(dir.path().join("token"))
        .spawn();
    await_that("nvctl asked for the token", || {
        h.requests()
            .iter()
            .any(|r| r.path.starts_with("/v1/auth/token/create"))
    });
    assert_eq!(file_names(dir.path()).len(), 1, "the temporary file exists");
    running.signal("TERM");
    running.finish().killed_by(15);
    assert!(
        file_names(dir.path()).is_empty(),
        "{:?}",
        file_names(dir.path())
    );
}

/// What the server below does once it has sent part of `sys/init`'s answer.
#[derive(Clone, Copy)]
enum Then {
    /// Drops the connection: what a proxy or a network failure does halfway through.
    Drop,
    /// Keeps the connection open and sends nothing more: a server stalling (or trickling
    /// slower than the timeout allows).
    Stall,
}

/// A server that answers `nvctl init`'s two reads as an uninitialised Vault, then sends the
/// head of `PUT sys/init`'s answer and `prefix` of its body, and then does `then`. Each answer
/// closes its connection, so every request comes on a connection of its own.
fn breaking_in_the_init_answer(prefix: &'static str, then: Then) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut stalled = Vec::new();
        for stream in listener.incoming().take(8) {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            let mut length = 0usize;
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                let lower = header.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = reader.into_inner();
            let answer = |body: &str| {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let reply = if request_line.starts_with("GET /v1/sys/init") {
                answer(r#"{"initialized":false}"#)
            } else if request_line.starts_with("GET /v1/sys/seal-status") {
                answer(
                    r#"{"type":"shamir","initialized":false,"sealed":true,"t":0,"n":0,"progress":0,"nonce":"","version":"1.19.0"}"#,
                )
            } else if request_line.starts_with("PUT /v1/sys/init") {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n{prefix}"
                )
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into()
            };
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.flush();
            match then {
                // Kept open until the test process ends: nothing more ever comes.
                Then::Stall if request_line.starts_with("PUT /v1/sys/init") => stalled.push(stream),
                // Dropping the stream closes the connection: for sys/init, 4096 bytes short.
                _ => drop(stream),
            }
        }
    });
    addr
}

/// The connection drops halfway through `sys/init`'s answer: the bytes that did arrive may
/// be most of the keys, so they are saved raw (0600) like a whole answer, and the message
/// says where — never that Vault refused.
#[test]
fn an_init_answer_cut_off_halfway_keeps_the_bytes_that_arrived() {
    const PREFIX: &str =
        r#"{"keys":["8d5f2e6c1b2a"],"keys_base64":["jV8ubBsq"],"root_token":"hvs.Cut"#;
    let addr = breaking_in_the_init_answer(PREFIX, Then::Drop);
    let dir = workdir();
    let target = dir.path().join("vault-init.json");
    let raw = dir.path().join("vault-init.json.raw");
    Nvctl::new()
        .env("VAULT_ADDR", &addr)
        .args(["init", "--max-retries", "0", "--output"])
        .arg(&target)
        .run()
        .exit(2)
        .stderr_has("PUT sys/init was sent to")
        .stderr_has(&format!(
            "The {} bytes of the answer that arrived were saved unread to {} (0600): keep that \
             file.",
            PREFIX.len(),
            raw.display()
        ))
        .stderr_lacks("refused")
        .hides("hvs.Cut");
    assert_eq!(std::fs::read_to_string(&raw).expect("raw"), PREFIX);
    assert_eq!(mode(&raw), 0o600);
    assert!(!target.exists());
}

/// Part of `sys/init`'s answer arrives and then nothing more: once the timeout is over, the
/// bytes that came are saved raw (0600) before anything is judged, the message is the one for
/// an answer that may have been applied (never "refused"), and the re-run refuses to send
/// `sys/init` again while that file is there.
#[test]
fn an_init_answer_that_stalls_halfway_keeps_the_bytes_that_arrived_when_the_time_is_up() {
    const PREFIX: &str = r#"{"keys":["8d5f2e6c1b2a"],"keys_base64":["jV8ubBsq"],"root_tok"#;
    let addr = breaking_in_the_init_answer(PREFIX, Then::Stall);
    let dir = workdir();
    let target = dir.path().join("vault-init.json");
    let raw = dir.path().join("vault-init.json.raw");
    Nvctl::new()
        .env("VAULT_ADDR", &addr)
        .args(["init", "--timeout", "1s", "--max-retries", "0", "--output"])
        .arg(&target)
        .run()
        .exit(2)
        .stderr_has(&format!(
            "PUT sys/init was sent to {addr} but no usable answer came back: {addr} may have \
             acted on it (Vault was initialised)"
        ))
        .stderr_has("within 1s")
        .stderr_has(&format!(
            "The {} bytes of the answer that arrived were saved unread to {} (0600): keep that \
             file.",
            PREFIX.len(),
            raw.display()
        ))
        .stderr_lacks("refused");
    assert_eq!(std::fs::read_to_string(&raw).expect("raw"), PREFIX);
    assert_eq!(mode(&raw), 0o600);
    assert_eq!(
        file_names(dir.path()),
        ["vault-init.json.raw", "vault-init.json.sent"],
        "no temporary file; the note of the attempt stays"
    );

    Nvctl::new()
        .env("VAULT_ADDR", &addr)
        .args(["init", "--timeout", "1s", "--output"])
        .arg(&target)
        .run()
        .exit(1)
        .stderr_has(&format!(
            "{} holds an earlier answer to PUT sys/init that nvctl could not read",
            raw.display()
        ));
    assert_eq!(std::fs::read_to_string(&raw).expect("raw"), PREFIX);
}
