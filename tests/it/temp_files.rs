//! Issue 10, "every temp file nvctl creates is removed on every exit path, including signals":
//! `bootstrap --dev`'s directory (`$TMPDIR/nvctl-dev-<pid>`, which holds the throwaway Vault's
//! keys and token) is gone after a success, after an error once it exists, and after SIGTERM
//! or SIGINT while nvctl waits on Vault. Each run gets a `TMPDIR` of its own, so "nothing
//! left" is checked on the whole directory, not on a guessed name. (The temporary files beside
//! an init file or a token file are checked by `keys`.)

use crate::support::{await_that, file_names, workdir, Nvctl};

use std::net::TcpListener;
use std::path::Path;

/// `bootstrap --dev` for workload identity with `jwks_url`, its temporary files under `tmp`.
fn dev_workload_identity(tmp: &Path, jwks_url: &str) -> Nvctl {
    Nvctl::new()
        .env("TMPDIR", &tmp.display().to_string())
        .args([
            "bootstrap",
            "--dev",
            "--flow",
            "workload-identity",
            "--jwks-url",
            jwks_url,
        ])
}

#[test]
fn bootstrap_dev_leaves_no_directory_after_success() {
    let tmp = workdir();
    Nvctl::new()
        .env("TMPDIR", &tmp.path().display().to_string())
        .args(["bootstrap", "--dev"])
        .run()
        .exit(0)
        .stderr_has(&format!("files go to {}/nvctl-dev-", tmp.path().display()))
        .stderr_has("removed: the in-memory Vault stops with nvctl");
    assert_eq!(file_names(tmp.path()), Vec::<String>::new());
}

/// An error after the directory exists (the workload-identity CA file cannot be read, found
/// after the directory was made): exit 1, and the directory goes with the early return.
#[test]
fn bootstrap_dev_leaves_no_directory_after_an_error() {
    let tmp = workdir();
    let missing = tmp.path().join("no-such-ca.pem");
    dev_workload_identity(tmp.path(), "https://127.0.0.1:1/.well-known/jwks.json")
        .arg("--jwks-ca-file")
        .arg(&missing)
        .run()
        .exit(1)
        .stderr_has(&missing.display().to_string());
    assert_eq!(file_names(tmp.path()), Vec::<String>::new());
}

/// Stopped by a signal while Vault is busy (its JWKS fetch goes to a listener that never
/// answers, so the JWT config write hangs with the init file already in the directory): the
/// process dies of the signal, and the directory with the keys in it is gone.
#[test]
fn bootstrap_dev_stopped_by_a_signal_leaves_no_directory() {
    for (name, number) in [("TERM", 15), ("INT", 2)] {
        let tmp = workdir();
        let silent = TcpListener::bind("127.0.0.1:0").expect("listener");
        let url = format!(
            "http://{}/.well-known/jwks.json",
            silent.local_addr().expect("addr")
        );
        silent.set_nonblocking(true).expect("non-blocking");
        let running = dev_workload_identity(tmp.path(), &url).spawn();
        // Vault asks the silent listener for the keys: nvctl is waiting on the config write.
        let mut fetch = None;
        await_that("Vault's JWKS fetch reaches the listener", || {
            fetch = fetch.take().or_else(|| silent.accept().ok());
            fetch.is_some()
        });
        let dirs = file_names(tmp.path());
        assert_eq!(dirs.len(), 1, "SIG{name}: {dirs:?}");
        assert!(dirs[0].starts_with("nvctl-dev-"), "SIG{name}: {dirs:?}");
        let dir = tmp.path().join(&dirs[0]);
        await_that("the init file is in the directory", || {
            dir.join("vault-init.json").exists()
        });

        running.signal(name);
        running.finish().killed_by(number);
        assert_eq!(file_names(tmp.path()), Vec::<String>::new(), "SIG{name}");
    }
}

/// `nvctl dev` (with `--nomad` too) keeps everything in memory: stopped with Ctrl-C once it
/// serves, it dies of SIGINT and has left nothing in its `TMPDIR`.
#[test]
fn dev_stopped_with_ctrl_c_leaves_nothing_behind() {
    for args in [&["dev"][..], &["dev", "--nomad"]] {
        let tmp = workdir();
        let running = Nvctl::new()
            .env("TMPDIR", &tmp.path().display().to_string())
            .args(args)
            .spawn();
        running.await_stdout("Stop it with Ctrl-C.");
        running.signal("INT");
        running.finish().killed_by(2);
        assert_eq!(file_names(tmp.path()), Vec::<String>::new(), "{args:?}");
    }
}
