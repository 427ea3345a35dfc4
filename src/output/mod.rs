//! Everything the operator sees: messages on stderr, one result document on stdout, tables,
//! masking of secrets, prompts and progress. The only place that touches comfy-table,
//! dialoguer and indicatif.

mod findings;
mod progress;
mod prompt;
mod table;

use std::io::Write;

use anyhow::Result;

pub use findings::{render as render_findings, summary as findings_summary};
pub use progress::Progress;
pub use table::Table;

use crate::settings::Settings;
use crate::vault::{RequestEvent, RequestObserver};

/// The terminal side of a command: built once from [`Settings`].
#[derive(Debug, Clone)]
pub struct Ui {
    pub quiet: bool,
    pub verbose: u8,
    pub color: bool,
    pub interactive: bool,
    pub progress: bool,
    pub yes: bool,
    pub show_secrets: bool,
}

impl Ui {
    pub fn new(settings: &Settings) -> Ui {
        Ui {
            quiet: settings.quiet,
            verbose: settings.verbose,
            color: settings.color,
            interactive: settings.interactive,
            progress: settings.progress,
            yes: settings.yes,
            show_secrets: settings.show_secrets,
        }
    }

    /// An unattended run: quiet, never prompts, consent already given (as `--quiet --yes` off a
    /// terminal). For callers driving steps as a library, and for tests.
    pub fn unattended() -> Ui {
        Ui {
            quiet: true,
            verbose: 0,
            color: false,
            interactive: false,
            progress: false,
            yes: true,
            show_secrets: false,
        }
    }

    /// A progress message on stderr (suppressed by --quiet).
    pub fn info(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// Detail shown with -v.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            eprintln!("{}", self.paint(message.as_ref(), "2"));
        }
    }

    /// A warning on stderr (shown even with --quiet).
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!("{} {}", self.paint("warning:", "33"), message.as_ref());
    }

    /// `[✔] … already in place.` / `[✔] created …` lines, as `nomad setup vault` prints them.
    pub fn done(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{} {}", self.paint("[✔]", "32"), message.as_ref());
        }
    }

    /// A failed item (`[✘] …`), shown even with --quiet.
    pub fn failed(&self, message: impl AsRef<str>) {
        eprintln!("{} {}", self.paint("[✘]", "31"), message.as_ref());
    }

    /// Wraps text in an ANSI colour when colour is on (never on a pipe, never with NO_COLOR).
    pub fn paint(&self, text: &str, sgr: &str) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// A secret as the operator may see it: itself with --show-secrets, else masked.
    pub fn secret(&self, value: &str) -> String {
        if self.show_secrets {
            value.to_string()
        } else {
            mask(value)
        }
    }

    /// Asks before a change. `--yes` answers yes; without a terminal (or with CI set) and
    /// without `--yes` it refuses with a message naming `--yes`, so no prompt ever blocks.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if self.yes {
            return Ok(true);
        }
        if !self.interactive {
            anyhow::bail!(
                "{question} — refusing to change Vault without consent: not on a terminal \
                 (or CI is set); re-run with --yes to approve"
            );
        }
        prompt::confirm(question)
    }

    /// Reads a secret from the terminal without echo.
    pub fn ask_secret(&self, prompt: &str) -> Result<crate::secret::SecretString> {
        if !self.interactive {
            anyhow::bail!("{prompt}: cannot prompt without a terminal");
        }
        prompt::password(prompt)
    }

    pub fn progress(&self, message: &str) -> Progress {
        Progress::spinner(self.progress, self.quiet, message)
    }
}

/// `-v`: one [`Ui::detail`] line on stderr per exchange with Vault
/// (`GET auth/token/lookup-self → 200 (attempt 1, node …, 3 ms)`). The event never holds a
/// header or a body, so no token reaches the terminal this way.
#[derive(Debug, Clone)]
pub struct RequestLog {
    ui: Ui,
}

impl RequestLog {
    pub fn new(ui: Ui) -> RequestLog {
        RequestLog { ui }
    }
}

impl RequestObserver for RequestLog {
    fn exchange(&self, event: &RequestEvent<'_>) {
        self.ui.detail(event.to_string());
    }
}

/// Masks a secret, keeping a short recognisable prefix such as `hvs.` or `s.`.
pub fn mask(value: &str) -> String {
    let prefix = match value.split_once('.') {
        Some((p, _)) if p.len() <= 3 => &value[..p.len() + 1],
        _ => "",
    };
    format!("{prefix}********")
}

/// Writes the command's result to stdout. A closed pipe (`nvctl … | head`) is not an error.
pub fn stdout(text: &str) -> Result<()> {
    RESULT_PRINTED.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut out = std::io::stdout().lock();
    let result = writeln!(out, "{text}").and_then(|_| out.flush());
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Whether the command printed its result on stdout: an error after that must not add a
/// second JSON document.
static RESULT_PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// With `--format json`, a failure is the one JSON document on stdout too (README "JSON
/// output"): `{"error": "<message with its causes>", "exit_code": N}`. Nothing is printed when
/// the command already printed its document.
pub fn json_error(message: &str, exit_code: u8) {
    if RESULT_PRINTED.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let document = serde_json::json!({"error": message, "exit_code": exit_code});
    // Nothing more can be done if stdout is gone: the message is on stderr already.
    let _ = stdout(&document.to_string());
}

/// Prints exactly one JSON document on stdout.
pub fn json(value: &serde_json::Value) -> Result<()> {
    stdout(&serde_json::to_string_pretty(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_only_the_token_prefix() {
        assert_eq!(mask("hvs.CAESIabcdef"), "hvs.********");
        assert_eq!(mask("s.abcdefgh"), "s.********");
        assert_eq!(mask("deadbeef"), "********");
        assert!(!mask("abc.def.secret").contains("secret"));
    }
}
