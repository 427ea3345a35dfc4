//! The one renderer for findings: grouped by check, Nomad's or Vault's words verbatim, nvctl's
//! remedy under them. nvctl's own findings say they are nvctl's advice (Nomad accepts what they
//! are about), with their risk; under `--strict` the error-grade ones say that is why they fail.

use crate::checks::{Findings, Severity, Source};

use super::Ui;

/// Renders findings for a terminal or a log: one group per check.
pub fn render(ui: &Ui, findings: &Findings) -> String {
    let mut out = String::new();
    for (check, items) in findings.by_check() {
        out.push_str(&format!("{check}:\n"));
        for f in items {
            let mark = match f.severity {
                Severity::Error if f.is_strict_failure() => ui.paint("✘ error (--strict)", "31"),
                Severity::Error => ui.paint("✘ error", "31"),
                Severity::Warning => ui.paint("! warning", "33"),
                Severity::Info => ui.paint("· info", "2"),
            };
            let whose = match f.source {
                Source::Nomad => "Nomad",
                Source::Vault => "Vault",
                Source::Nvctl if f.strict || f.severity == Severity::Warning => "nvctl's advice",
                Source::Nvctl => "nvctl",
                Source::Postgresql => "PostgreSQL",
            };
            // Multi-line messages (Go multierror) are indented under their first line.
            let message = f.message.trim_end().replace('\n', "\n      ");
            out.push_str(&format!("  {mark} [{}] {whose}: {message}\n", f.subject));
            if let Some(risk) = &f.risk {
                out.push_str(&format!("      risk: {risk}\n"));
            }
            if let Some(remedy) = &f.remedy {
                out.push_str(&format!("      → {remedy}\n"));
            }
        }
    }
    out
}

/// One line summarising the findings: `2 errors, 1 warning`, or `all checks passed`.
pub fn summary(findings: &Findings) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if errors == 0 && warnings == 0 {
        return "all checks passed".to_string();
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
