//! What nvctl does when it is asked to stop (SIGINT, SIGTERM, SIGHUP).
//!
//! Outside a held section it stops as the signal asks, after removing every temporary file it
//! registered here: nothing half-written is left behind. Inside a held section — from the
//! moment a request whose answer is a secret that exists once is sent until that answer is on
//! disk ([`crate::secret_once`]) — stopping would lose the secret for good, so the signal is
//! noted, the operator is told why nvctl keeps going (a second signal says what is at stake),
//! and nvctl stops as soon as the section ends. The wait is bounded by the request's own
//! timeout, which covers the whole answer.
//!
//! Messages are written without panicking: after SIGHUP the terminal may be gone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

struct Held {
    id: u64,
    /// A secret on its way to disk, or a clean-up to finish.
    kind: Kind,
    /// What nvctl is waiting for, e.g. "Vault's answer to PUT sys/init".
    waiting_for: String,
    /// What a stop now would lose, said on the second signal.
    at_stake: String,
    /// The longest the wait can take.
    bound: Duration,
    /// Said when stopping at the end of the section, once the outcome is known.
    outcome: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A secret that exists once is on its way to disk ([`hold`]).
    Secret,
    /// Something nvctl made must be undone before it stops ([`hold_cleanup`]).
    Cleanup,
}

struct State {
    /// The held sections open now (verification steps run side by side, each may hold).
    held: Vec<Held>,
    next_id: u64,
    /// The first signal received inside a held section.
    pending: Option<i32>,
    received: u32,
    temps: Vec<PathBuf>,
}

static STATE: Mutex<State> = Mutex::new(State {
    held: Vec::new(),
    next_id: 0,
    pending: None,
    received: 0,
    temps: Vec::new(),
});

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Routes SIGINT, SIGTERM and SIGHUP to nvctl's own handling; called once, first thing.
pub fn install() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        })?;
    Ok(())
}

fn on_signal(signal: i32) {
    let mut state = state();
    let name = signal_name(signal);
    if let Some(held) = state.held.last() {
        let first = state.received == 0;
        let message = if held.kind == Kind::Cleanup {
            if first {
                format!(
                    "nvctl: {name} received while {}: nvctl stops as soon as that is done (at \
                     most {})",
                    held.waiting_for,
                    humantime::format_duration(held.bound)
                )
            } else {
                format!(
                    "nvctl: {name} received again. {} So nvctl still finishes {} before \
                     stopping (at most {} in all).",
                    held.at_stake,
                    held.waiting_for,
                    humantime::format_duration(held.bound)
                )
            }
        } else if first {
            format!(
                "nvctl: {name} received while waiting for {}: nvctl stops as soon as it is saved \
                 (at most {})",
                held.waiting_for,
                humantime::format_duration(held.bound)
            )
        } else {
            format!(
                "nvctl: {name} received again. {} Stopping now would lose them for good, so \
                 nvctl still waits for {} and saves it before stopping (at most {} in all).",
                held.at_stake,
                held.waiting_for,
                humantime::format_duration(held.bound)
            )
        };
        state.received += 1;
        state.pending.get_or_insert(signal);
        drop(state);
        say(&message);
        return;
    }
    let temps = std::mem::take(&mut state.temps);
    drop(state);
    stop(signal, &temps);
}

fn stop(signal: i32, temps: &[PathBuf]) {
    remove(temps);
    // Dies of the signal, as the shell that sent it expects (exit status 128 + signal).
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
}

fn signal_name(signal: i32) -> &'static str {
    signal_hook::low_level::signal_name(signal).unwrap_or("a signal")
}

fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Holds SIGINT/SIGTERM/SIGHUP until dropped; a signal received meanwhile stops the process at
/// the drop, after the outcome was said.
#[must_use = "signals are held only while the guard lives"]
pub struct Hold {
    id: u64,
}

/// Starts a held section. `waiting_for` names what is awaited ("Vault's answer to PUT
/// sys/init"), `at_stake` what a stop would lose (a sentence), `bound` the longest wait.
pub fn hold(waiting_for: impl Into<String>, at_stake: impl Into<String>, bound: Duration) -> Hold {
    open(Kind::Secret, waiting_for.into(), at_stake.into(), bound)
}

/// Starts a held section around a clean-up that must finish: `doing` says what ("revoking the
/// credential minted for the proof"), `at_stake` what a stop would leave behind (a sentence).
pub fn hold_cleanup(
    doing: impl Into<String>,
    at_stake: impl Into<String>,
    bound: Duration,
) -> Hold {
    open(Kind::Cleanup, doing.into(), at_stake.into(), bound)
}

fn open(kind: Kind, waiting_for: String, at_stake: String, bound: Duration) -> Hold {
    let mut state = state();
    if state.held.is_empty() {
        state.pending = None;
        state.received = 0;
    }
    state.next_id += 1;
    let id = state.next_id;
    state.held.push(Held {
        id,
        kind,
        waiting_for,
        at_stake,
        bound,
        outcome: None,
    });
    Hold { id }
}

impl Hold {
    /// What to say if the section ends with a signal pending ("the keys are saved in …").
    pub fn outcome(&self, outcome: impl Into<String>) {
        if let Some(held) = state().held.iter_mut().find(|h| h.id == self.id) {
            held.outcome = Some(outcome.into());
        }
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut state = state();
        let at = state.held.iter().position(|h| h.id == self.id);
        let held = at.map(|i| state.held.remove(i));
        // Another section still open: it stops the process when it ends.
        if !state.held.is_empty() {
            return;
        }
        let Some(signal) = state.pending.take() else {
            return;
        };
        let temps = std::mem::take(&mut state.temps);
        drop(state);
        let outcome = held
            .and_then(|h| h.outcome)
            .unwrap_or_else(|| "see the message above".into());
        say(&format!(
            "nvctl: stopping on {}: {outcome}",
            signal_name(signal)
        ));
        stop(signal, &temps);
    }
}

fn remove(temps: &[PathBuf]) {
    for temp in temps {
        // A directory (`bootstrap --dev`'s) goes with what is in it.
        if temp.is_dir() {
            let _ = std::fs::remove_dir_all(temp);
        } else {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Registers a temporary file or directory to remove if a signal stops nvctl before it is
/// gone, and at exit ([`Leftovers`]).
pub fn register_temp(path: &Path) {
    state().temps.push(path.to_path_buf());
}

/// Removes every temporary file or directory still registered when dropped: held by
/// [`crate::main`] around nvctl's work, so that whatever ends it — success, an error's early
/// return, or a panic unwinding — leaves nothing behind (a signal is handled above).
pub struct Leftovers;

impl Drop for Leftovers {
    fn drop(&mut self) {
        let temps = std::mem::take(&mut state().temps);
        remove(&temps);
    }
}

/// The temporary file is gone (renamed into place or removed): forget it.
pub fn forget_temp(path: &Path) {
    state().temps.retain(|p| p != path);
}
