//! A request whose answer is a secret that exists once — Vault's unseal keys and root token
//! from `PUT sys/init`, Nomad's ACL bootstrap token — and the durable file that keeps it.
//!
//! The rules, in the order they apply ([`OnceSecret::prepare`], then [`Prepared::exchange`]):
//! 1. Before anything is sent: the target file must not exist, and a 0600 temporary file beside
//!    it proves the place writable, so an unwritable place fails while the server is untouched.
//! 2. SIGINT/SIGTERM/SIGHUP are held ([`crate::interrupt`]) from just before the request is
//!    sent until its answer is durable on disk; a signal meanwhile stops nvctl right after.
//! 3. Before sending, a note `<target>.sent` (no secret in it) records what was sent where and
//!    when. It is removed once the answer is saved or once the server refused; it stays when
//!    the answer was lost, so that a later run can say plainly that the secret is lost
//!    ([`diagnose_missing`]) instead of pointing at a file that never existed.
//! 4. Whatever arrives is saved raw, 0600, as `<target>.raw` before it is judged: an answer of
//!    the wrong shape may still hold the secret. The raw file is removed once the judged
//!    answer is durable in the target; otherwise it stays and the error names it.
//! 5. The judged answer goes to the target through the temporary file (fsync, rename, fsync of
//!    the directory). If that fails, the secret is printed on stderr with a loud warning.
//! 6. A failure that may have happened after the server acted (a dropped connection, a
//!    timeout, a 5xx) is never worded as a refusal.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::exit::VaultFailure;
use crate::interrupt;
use crate::secret_file::{ensure_absent, remove_durably, write_private_now, PendingSecretFile};
use crate::vault::VaultError;

/// What is asked, of whom, and what its answer holds: the words of every message.
#[derive(Debug, Clone)]
pub struct OnceSecret {
    /// The request, e.g. `PUT sys/init`.
    pub request: String,
    /// The server it goes to, e.g. `http://127.0.0.1:8200`.
    pub server: String,
    /// What the request does, past tense with its subject, e.g. `Vault was initialised`.
    pub effect: String,
    /// What the answer holds, e.g. `the unseal keys and the root token`.
    pub holds: String,
    /// Whether `holds` names several things (`are saved`, `exist`) or one (`is`, `exists`).
    pub plural: bool,
    /// What to do once the answer is lost, e.g. `wipe this Vault … and run nvctl init again`.
    pub if_lost: String,
    /// How the operator finds out whether the server acted, e.g. `Check with `nvctl status``.
    pub check: String,
    /// The sign that it did, e.g. `if it says initialized`.
    pub if_acted: String,
    /// The longest the exchange can take (the client's timeout): the bound of held signals.
    pub bound: Duration,
    /// The file that keeps the answer.
    pub target: PathBuf,
}

/// How the request ended, as the caller's client saw it.
pub enum Sent {
    /// An answer arrived (not judged yet).
    Answer(Zeroizing<Vec<u8>>),
    /// The server refused, or nothing was sent: the secret does not exist.
    Refused(anyhow::Error),
    /// No usable answer, but the server may have acted (the connection dropped after sending,
    /// a timeout, a 5xx): the secret may exist and be lost.
    Unknown(anyhow::Error),
}

impl Sent {
    /// Sorts a Vault client's result: an answer; a refusal (Vault's 4xx, or nothing sent); or
    /// an unknown outcome (dropped after sending, timed out, 5xx).
    pub fn from_vault(result: Result<Zeroizing<Vec<u8>>, VaultError>) -> Sent {
        match result {
            Ok(body) => Sent::Answer(body),
            Err(e) if vault_may_have_acted(&e) => Sent::Unknown(e.into()),
            Err(e) => Sent::Refused(e.into()),
        }
    }
}

impl Sent {
    /// Sorts a Nomad client's result the same way: Nomad's 4xx (or nothing sent) is a
    /// refusal; a broken connection, a timeout, an unreadable answer or a 5xx is unknown.
    pub fn from_nomad(result: Result<Zeroizing<Vec<u8>>, crate::nomad_api::NomadError>) -> Sent {
        match result {
            Ok(body) => Sent::Answer(body),
            Err(e) if e.may_have_acted() => Sent::Unknown(e.into()),
            Err(e) => Sent::Refused(e.into()),
        }
    }
}

fn vault_may_have_acted(e: &VaultError) -> bool {
    // An answer that could not be read (wrong shape, too large) came after Vault handled the
    // request.
    e.may_have_been_applied()
        || e.is_timeout()
        || matches!(e, VaultError::Decode { .. })
        || matches!(e, VaultError::Api { status, .. } if *status >= 500 && *status != 503)
}

/// The files beside the target.
fn sent_note(target: &Path) -> PathBuf {
    sibling(target, "sent")
}

/// Where an answer is kept raw until judged (and for good when it cannot be).
pub fn raw_path(target: &Path) -> PathBuf {
    sibling(target, "raw")
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    target.with_file_name(name)
}

impl OnceSecret {
    /// `plural` or `singular`, agreeing with [`OnceSecret::holds`].
    fn verb(&self, plural: &'static str, singular: &'static str) -> &'static str {
        if self.plural {
            plural
        } else {
            singular
        }
    }

    /// Checks, before anything is sent, that the answer can be kept: neither the target nor an
    /// earlier raw answer exists, and the place is writable.
    pub fn prepare(self) -> Result<Prepared> {
        ensure_absent(&self.target)?;
        if let Some(why) = kept_raw_answer(&self.target, &self.request, &self.holds) {
            anyhow::bail!(why);
        }
        let pending = PendingSecretFile::create_new(&self.target)?;
        Ok(Prepared {
            secret: self,
            pending,
        })
    }
}

/// Why nothing may be sent while an earlier unreadable answer is kept beside `target` (the
/// next answer must never be written over it), when one is.
pub fn kept_raw_answer(target: &Path, request: &str, holds: &str) -> Option<String> {
    let raw = raw_path(target);
    raw.exists().then(|| {
        format!(
            "{} holds an earlier answer to {request} that nvctl could not read: it may hold \
             {holds}; keep it somewhere safe and move it away before trying again",
            raw.display()
        )
    })
}

/// Ready to send: the place is known writable.
pub struct Prepared {
    secret: OnceSecret,
    pending: PendingSecretFile,
}

impl Prepared {
    /// Sends with `send`, keeps the answer raw, judges it with `judge`, writes `render` of the
    /// judged value to the target. Signals are held from before `send` until the answer is
    /// durable. Errors are worded for the operator; the exit code is 2 once anything was sent.
    pub fn exchange<T>(
        self,
        send: impl FnOnce() -> Sent,
        judge: impl FnOnce(&[u8]) -> Result<T>,
        render: impl FnOnce(&T) -> Zeroizing<Vec<u8>>,
    ) -> Result<T> {
        let hold = interrupt::hold(
            format!("{}'s answer to {}", self.secret.server, self.secret.request),
            format!(
                "That answer holds {}, which {} nowhere else.",
                self.secret.holds,
                self.secret.verb("exist", "exists")
            ),
            self.secret.bound,
        );
        let target = self.secret.target.clone();
        let holds = self.secret.holds.clone();
        let are = self.secret.verb("are", "is");
        let result = self.exchange_held(send, judge, render);
        // Said if a signal arrived meanwhile: the process stops when `hold` drops, before the
        // caller could print anything.
        hold.outcome(match &result {
            Ok(_) => format!("{holds} {are} saved in {}", target.display()),
            Err(e) => format!("{e:#}"),
        });
        drop(hold);
        result
    }

    fn exchange_held<T>(
        self,
        send: impl FnOnce() -> Sent,
        judge: impl FnOnce(&[u8]) -> Result<T>,
        render: impl FnOnce(&T) -> Zeroizing<Vec<u8>>,
    ) -> Result<T> {
        let Prepared { secret, pending } = self;
        let s = &secret;
        let note = sent_note(&s.target);
        // A note left by an earlier attempt whose request never took effect (the server is
        // not initialised, or this would not be sent again): replaced by this one.
        remove_durably(&note)?;
        let sent_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let note_text = json!({
            "request": s.request,
            "server": s.server,
            "sent_at": sent_at,
            "effect": s.effect,
            "holds": s.holds,
            "if_lost": s.if_lost,
            "about": "nvctl sent this request and had not saved its answer when it wrote this; \
                      it removes this file once the answer is saved",
        });
        write_private_now(&note, format!("{note_text:#}\n").as_bytes())
            .context("nothing was sent")?;

        let body = match send() {
            Sent::Answer(body) => body,
            Sent::Refused(error) => {
                let _ = remove_durably(&note);
                return Err(error);
            }
            Sent::Unknown(error) => {
                // Half an answer may still be half the secret: kept raw, like a whole one.
                let partial = error.chain().find_map(|cause| {
                    cause
                        .downcast_ref::<VaultError>()
                        .and_then(VaultError::partial_answer)
                        .or_else(|| {
                            cause
                                .downcast_ref::<crate::nomad_api::NomadError>()
                                .and_then(crate::nomad_api::NomadError::partial_answer)
                        })
                });
                let kept = match partial {
                    Some(bytes) => {
                        let raw = raw_path(&s.target);
                        match write_private_now(&raw, bytes) {
                            Ok(()) => format!(
                                " The {} bytes of the answer that arrived were saved unread to {} \
                                 (0600): keep that file. It may hold {} in clear text, and nvctl \
                                 sends {} again only once it is moved somewhere safe.",
                                bytes.len(),
                                raw.display(),
                                s.holds,
                                s.request
                            ),
                            Err(e) => {
                                emergency(
                                    &format!("the part of {}'s answer that arrived", s.server),
                                    &raw,
                                    &format!("{e:#}"),
                                    &String::from_utf8_lossy(bytes),
                                );
                                " The part of the answer that arrived was printed above.".into()
                            }
                        }
                    }
                    None => String::new(),
                };
                return Err(error.context(VaultFailure(format!(
                    "{request} was sent to {server} but no usable answer came back: {server} may \
                     have acted on it ({effect}) and {holds} would then be lost with the \
                     answer. {check}; {if_acted}, {if_lost}. ({note} records the attempt; the \
                     next run reports it.){kept}",
                    request = s.request,
                    server = s.server,
                    effect = s.effect,
                    holds = s.holds,
                    check = s.check,
                    if_acted = s.if_acted,
                    if_lost = s.if_lost,
                    note = note.display(),
                ))));
            }
        };

        // Before judging: whatever came may hold the secret.
        let raw = raw_path(&s.target);
        let raw_saved = write_private_now(&raw, &body);
        let value = match judge(&body) {
            Ok(value) => value,
            Err(why) => {
                let kept = match &raw_saved {
                    Ok(()) => {
                        let _ = remove_durably(&note);
                        format!("it was saved unread to {} (0600)", raw.display())
                    }
                    Err(e) => {
                        emergency(
                            &format!("{}'s answer to {}", s.server, s.request),
                            &raw,
                            &format!("{e:#}"),
                            &String::from_utf8_lossy(&body),
                        );
                        "it was printed above".into()
                    }
                };
                return Err(anyhow::Error::new(VaultFailure(format!(
                    "{server} answered {request}, but not as expected ({why:#}). {server} has \
                     probably acted on it, and the answer may hold {holds}: {kept}. Keep that \
                     file; {check}",
                    server = s.server,
                    request = s.request,
                    holds = s.holds,
                    check = lower_first(&s.check),
                ))));
            }
        };
        let rendered = render(&value);
        if let Err(e) = pending.commit(&rendered) {
            emergency(
                &s.holds,
                &s.target,
                &format!("{e:#}"),
                &String::from_utf8_lossy(&rendered),
            );
            let raw_note = match raw_saved {
                Ok(()) => {
                    let _ = remove_durably(&note);
                    format!("; the raw answer is in {}", raw.display())
                }
                Err(_) => String::new(),
            };
            return Err(anyhow::Error::new(VaultFailure(format!(
                "{} on {}, but {} could not be written ({e:#}); {} {} printed above{raw_note}",
                s.effect,
                s.server,
                s.target.display(),
                s.holds,
                s.verb("were", "was")
            ))));
        }
        // Durable in the target: the raw copy and the note have done their job.
        if raw_saved.is_ok() {
            let _ = remove_durably(&raw);
        }
        let _ = remove_durably(&note);
        Ok(value)
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The last resort when the secret cannot be written: stderr, loudly.
fn emergency(what: &str, path: &Path, error: &str, text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "!!! {what} could not be saved to {}: {error}",
        path.display()
    );
    let _ = writeln!(
        err,
        "!!! Copy what follows somewhere safe NOW: it cannot be recovered."
    );
    let _ = writeln!(err, "\n{text}");
}

/// Why `target` does not exist although the server says the request took effect, when an
/// earlier run left word of it: its raw answer (unreadable), or its note that the answer was
/// never saved. `None` when no run of nvctl left anything beside `target`.
pub fn diagnose_missing(target: &Path) -> Option<String> {
    if target.exists() {
        return None;
    }
    let raw = raw_path(target);
    if raw.exists() {
        return Some(format!(
            "{} does not exist, but {} holds an answer an earlier run received and could not \
             read: it may hold the secrets; keep it somewhere safe.",
            target.display(),
            raw.display()
        ));
    }
    let note = sent_note(target);
    let text = std::fs::read_to_string(&note).ok()?;
    let fields: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let field = |name: &str, fallback: &str| -> String {
        fields
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or(fallback)
            .to_string()
    };
    Some(format!(
        "{} by a run whose answer was not saved: {} are lost; {}. ({} was sent to {} at {}; \
         {} records it.)",
        field("effect", "the request took effect"),
        field("holds", "the secrets"),
        field("if_lost", "they cannot be recovered"),
        field("request", "the request"),
        field("server", "the server"),
        field("sent_at", "an unknown time"),
        note.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(target: &Path) -> OnceSecret {
        OnceSecret {
            request: "PUT x/once".into(),
            server: "http://127.0.0.1:1".into(),
            effect: "The server was set up".into(),
            holds: "the secrets".into(),
            plural: true,
            if_lost: "start again".into(),
            check: "Check with `nvctl status`".into(),
            if_acted: "if it says initialized".into(),
            bound: Duration::from_secs(1),
            target: target.to_path_buf(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_judged_answer_lands_in_the_target_and_nothing_else_remains() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let value = secret(&target)
            .prepare()
            .unwrap()
            .exchange(
                || Sent::Answer(Zeroizing::new(b"42".to_vec())),
                |raw| Ok(String::from_utf8(raw.to_vec())?),
                |v| Zeroizing::new(format!("{v}\n").into_bytes()),
            )
            .unwrap();
        assert_eq!(value, "42");
        assert_eq!(names(dir.path()), ["out.json"]);
        assert!(diagnose_missing(&target).is_none());
    }

    #[test]
    fn an_unusable_answer_is_kept_raw_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let err = secret(&target)
            .prepare()
            .unwrap()
            .exchange(
                || Sent::Answer(Zeroizing::new(b"{\"trunc".to_vec())),
                |_| -> Result<()> { anyhow::bail!("not JSON") },
                |_| Zeroizing::new(Vec::new()),
            )
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("out.json.raw") && text.contains("not JSON"),
            "{text}"
        );
        assert_eq!(names(dir.path()), ["out.json.raw"]);
        assert_eq!(
            std::fs::read(dir.path().join("out.json.raw")).unwrap(),
            b"{\"trunc"
        );
        assert!(diagnose_missing(&target).unwrap().contains("out.json.raw"));
    }

    #[test]
    fn a_lost_answer_leaves_a_note_that_a_later_run_reads() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        let err = secret(&target)
            .prepare()
            .unwrap()
            .exchange(
                || Sent::Unknown(anyhow::anyhow!("connection dropped")),
                |_| Ok(()),
                |_| Zeroizing::new(Vec::new()),
            )
            .unwrap_err();
        assert!(format!("{err:#}").contains("may have acted"), "{err:#}");
        assert_eq!(names(dir.path()), ["out.json.sent"]);
        let told = diagnose_missing(&target).unwrap();
        assert!(
            told.starts_with(
                "The server was set up by a run whose answer was not saved: the secrets are lost; start again."
            ),
            "{told}"
        );
    }

    #[test]
    fn a_refusal_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        secret(&target)
            .prepare()
            .unwrap()
            .exchange(
                || Sent::Refused(anyhow::anyhow!("400")),
                |_| Ok(()),
                |_| Zeroizing::new(Vec::new()),
            )
            .unwrap_err();
        assert!(names(dir.path()).is_empty());
    }
}
