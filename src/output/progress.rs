//! One line per step: a spinner on a terminal, a plain line otherwise (nothing animated in CI).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn spinner(animated: bool, quiet: bool, message: &str) -> Progress {
        let bar = animated.then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.set_message(message.to_string());
            bar.enable_steady_tick(Duration::from_millis(80));
            bar
        });
        Progress { bar, quiet }
    }

    /// A bar counting `total` items (unseal shares), drawn only on a terminal.
    pub fn bar(animated: bool, quiet: bool, total: u64, message: &str) -> Progress {
        let bar = animated.then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:20}] {pos}/{len}") {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(message.to_string());
            bar
        });
        Progress { bar, quiet }
    }

    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    /// Ends the line with its final text (printed plainly when not animated).
    pub fn finish(self, line: &str) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("{line}");
        }
    }
}
