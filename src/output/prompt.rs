//! Prompts on the terminal. Only called when the session is interactive.
//!
//! Consent takes a whole line: `y` or `yes` (any case) approves; `n`, `no` or an empty line
//! declines; anything else asks again. What was typed before a question appeared — keys pressed
//! while Vault was being observed, a paste, the rest of an earlier answer — is discarded first,
//! so it never answers a question the operator has not seen.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};

use crate::secret::SecretString;

/// What one line answers to a yes/no question: `None` asks again.
pub(crate) fn answer(line: &str) -> Option<bool> {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(true),
        "n" | "no" | "" => Some(false),
        _ => None,
    }
}

pub fn confirm(question: &str) -> Result<bool> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    discard_typed_ahead();
    loop {
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let read = input
            .read_line(&mut line)
            .context("cannot read the answer from the terminal")?;
        if read == 0 {
            // The terminal closed (Ctrl-D): no consent.
            eprintln!();
            return Ok(false);
        }
        match answer(&line) {
            Some(yes) => return Ok(yes),
            None => eprintln!("Please answer y (yes) or n (no)."),
        }
    }
}

pub fn password(prompt: &str) -> Result<SecretString> {
    discard_typed_ahead();
    let value = dialoguer::Password::new()
        .with_prompt(prompt)
        .allow_empty_password(true)
        .interact()?;
    Ok(SecretString::new(value))
}

/// Drops input the terminal holds that nobody has read yet. The terminal hands lines over one
/// at a time, so nothing typed ahead is buffered inside nvctl between two questions.
fn discard_typed_ahead() {
    #[cfg(unix)]
    // SAFETY: tcflush only takes a file descriptor and a constant; on a descriptor that is not
    // a terminal it fails with ENOTTY, which is ignored (there is nothing typed ahead then).
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
}

#[cfg(test)]
mod tests {
    use super::answer;

    #[test]
    fn a_whole_line_answers_and_anything_else_asks_again() {
        for yes in ["y", "Y", "yes", "YES", "Yes\n", "  y  "] {
            assert_eq!(answer(yes), Some(true), "{yes:?}");
        }
        for no in ["n", "N", "no", "NO", "", "\n", "   "] {
            assert_eq!(answer(no), Some(false), "{no:?}");
        }
        for again in ["yess", "ye", "nope", "y n", "ok", "1", "maybe"] {
            assert_eq!(answer(again), None, "{again:?}");
        }
    }
}
