//! Findings shared by check-role, token check, doctor, check-job and every step's verify.
//!
//! A [`Finding`] records *whose words* it carries ([`Source`]): when Nomad would log a message,
//! the finding quotes it verbatim so operators can grep their Nomad logs for it, and nvctl's own
//! advice goes in `remedy`. Rendering lives in `output/`; this module only holds the data.
//!
//! Nomad's verdict and nvctl's advice are kept apart: an error-severity finding in Nomad's
//! words ([`Findings::nomad_would_disable`]) is what Nomad itself refuses; nvctl's own findings
//! beyond Nomad's checks are [`Finding::advice`] — warnings with the risk and the remedy — and
//! the error-grade ones among them ([`Finding::strict`]) fail only under `--strict`
//! ([`Findings::under_strict`]).

use serde::Serialize;

/// Names for the `check` field, so every producer spells them the same way.
pub mod check {
    /// Nomad's token rules (lookup-self fields).
    pub const TOKEN: &str = "token";
    /// Nomad's capability table (`sys/capabilities-self`).
    pub const CAPABILITIES: &str = "capabilities";
    /// Nomad's token-role rules.
    pub const ROLE: &str = "role";
    /// The agent `vault` block.
    pub const STANZA: &str = "stanza";
    /// Vault ACL policy text.
    pub const POLICY: &str = "policy";
    /// Nomad version vs integration flow.
    pub const FLOW: &str = "flow";
    /// A job's `vault` blocks.
    pub const JOB: &str = "job";
}

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Whose words the message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Verbatim text Nomad would log or return.
    Nomad,
    /// Verbatim text Vault answered.
    Vault,
    /// nvctl's own finding, beyond what Nomad checks.
    Nvctl,
    /// Verbatim text PostgreSQL answered (a login with minted credentials).
    Postgresql,
}

/// One thing a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Which check produced it (see [`check`]).
    pub check: String,
    /// What it is about, e.g. `auth/token/roles/nomad-cluster`.
    pub subject: String,
    pub source: Source,
    /// Verbatim Nomad/Vault text when `source` says so.
    pub message: String,
    /// nvctl's advice: what can go wrong when the finding is left as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// nvctl's advice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// nvctl's error-grade advice: a warning that `--strict` turns into an error (exit 3),
    /// although Nomad itself accepts what it is about.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
}

impl Finding {
    pub fn new(
        severity: Severity,
        source: Source,
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            check: check.into(),
            subject: subject.into(),
            source,
            message: message.into(),
            risk: None,
            remedy: None,
            strict: false,
        }
    }

    /// nvctl's advice beyond what Nomad checks: a warning (Nomad accepts what it is about).
    /// Give it the risk and the remedy; [`Finding::error_grade`] makes `--strict` fail on it.
    pub fn advice(
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(Severity::Warning, Source::Nvctl, check, subject, message)
    }

    /// What goes wrong when the advice is ignored.
    pub fn with_risk(mut self, risk: impl Into<String>) -> Self {
        self.risk = Some(risk.into());
        self
    }

    /// Marks advice as error-grade: `--strict` turns it into an error.
    pub fn error_grade(mut self) -> Self {
        self.strict = true;
        self
    }

    /// An error-grade advice turned into an error by `--strict`.
    pub fn is_strict_failure(&self) -> bool {
        self.strict && self.is_error()
    }

    /// An error in Nomad's own words.
    pub fn nomad_error(
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(Severity::Error, Source::Nomad, check, subject, message)
    }

    /// A warning Nomad would log (it carries on).
    pub fn nomad_warning(
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(Severity::Warning, Source::Nomad, check, subject, message)
    }

    /// An nvctl finding with the given severity.
    pub fn nvctl(
        severity: Severity,
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(severity, Source::Nvctl, check, subject, message)
    }

    /// A finding carrying Vault's answer verbatim.
    pub fn vault(
        severity: Severity,
        check: impl Into<String>,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding::new(severity, Source::Vault, check, subject, message)
    }

    /// Attach nvctl's advice.
    pub fn with_remedy(mut self, remedy: impl Into<String>) -> Self {
        self.remedy = Some(remedy.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// What a set of findings means for the command's verdict and exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nomad's own checks refuse (an error in Nomad's words): exit 3.
    NomadRefuses,
    /// Nomad accepts, but nvctl found an error of its own (not advice): exit 3.
    Problems,
    /// Nomad accepts; only nvctl's error-grade advice fails, because of `--strict`: exit 3.
    FailsStrict,
    /// Nomad accepts; at most warnings (nvctl's advice) and notes: exit 0.
    Passes,
}

impl Verdict {
    pub fn passes(self) -> bool {
        self == Verdict::Passes
    }
}

/// An ordered collection of findings. Serialises as a JSON array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    pub fn new() -> Self {
        Findings::default()
    }

    pub fn push(&mut self, finding: Finding) {
        self.items.push(finding);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.items.extend(findings);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.items.iter()
    }

    /// Keeps only the findings `keep` says yes to (a later, better-informed verdict
    /// replacing an earlier one).
    pub fn retain(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.items.retain(keep);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn as_slice(&self) -> &[Finding] {
        &self.items
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }

    /// Any error-severity finding: the commands exit 3 on this.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Finding::is_error)
    }

    /// The worst severity present, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.items.iter().map(|f| f.severity).max()
    }

    /// Nomad itself would refuse to start (`Failed to setup Vault client: …`): a Nomad error
    /// from the agent-block check.
    pub fn nomad_would_refuse_to_start(&self) -> bool {
        self.items
            .iter()
            .any(|f| f.is_error() && f.source == Source::Nomad && f.check == check::STANZA)
    }

    /// Nomad would start but log `failed to validate self token/role` and keep running with the
    /// Vault integration disabled: any Nomad error from the token, capability or role checks.
    pub fn nomad_would_disable(&self) -> bool {
        self.items.iter().any(|f| {
            f.is_error()
                && f.source == Source::Nomad
                && matches!(
                    f.check.as_str(),
                    check::TOKEN | check::CAPABILITIES | check::ROLE
                )
        })
    }

    /// `--strict`: nvctl's error-grade advice becomes an error (exit 3). Nomad's verdict is
    /// unchanged ([`Findings::nomad_would_disable`] looks at Nomad's own words only).
    pub fn under_strict(&mut self, strict: bool) {
        if !strict {
            return;
        }
        for f in &mut self.items {
            if f.strict && f.source == Source::Nvctl {
                f.severity = Severity::Error;
            }
        }
    }

    /// Nomad's verdict first, then nvctl's own errors, then `--strict`.
    pub fn verdict(&self) -> Verdict {
        if self.nomad_would_disable() || self.nomad_would_refuse_to_start() {
            Verdict::NomadRefuses
        } else if self
            .items
            .iter()
            .any(|f| f.is_error() && !f.is_strict_failure())
        {
            Verdict::Problems
        } else if self.strict_failures() > 0 {
            Verdict::FailsStrict
        } else {
            Verdict::Passes
        }
    }

    /// The errors that are nvctl's advice failing under `--strict`.
    pub fn strict_failures(&self) -> usize {
        self.items.iter().filter(|f| f.is_strict_failure()).count()
    }

    /// Nomad's error messages for the start-up validation, in order: what Nomad would join
    /// into its multierror log line (see `nomad::multierror`).
    pub fn nomad_validation_messages(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter(|f| {
                f.is_error()
                    && f.source == Source::Nomad
                    && matches!(
                        f.check.as_str(),
                        check::TOKEN | check::CAPABILITIES | check::ROLE
                    )
            })
            .map(|f| f.message.as_str())
            .collect()
    }

    /// Findings grouped by `check`, groups in first-seen order.
    pub fn by_check(&self) -> Vec<(&str, Vec<&Finding>)> {
        let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
        for f in &self.items {
            match groups.iter_mut().find(|(c, _)| *c == f.check) {
                Some((_, list)) => list.push(f),
                None => groups.push((f.check.as_str(), vec![f])),
            }
        }
        groups
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(items: Vec<Finding>) -> Self {
        Findings { items }
    }
}

impl FromIterator<Finding> for Findings {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        Findings {
            items: iter.into_iter().collect(),
        }
    }
}

impl IntoIterator for Findings {
    type Item = Finding;
    type IntoIter = std::vec::IntoIter<Finding>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::slice::Iter<'a, Finding>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_serialises_with_lowercase_enums_and_omits_empty_remedy() {
        let f = Finding::nomad_error(
            check::ROLE,
            "auth/token/roles/r",
            "Role \"r\" does not exist",
        );
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "severity": "error",
                "check": "role",
                "subject": "auth/token/roles/r",
                "source": "nomad",
                "message": "Role \"r\" does not exist"
            })
        );
        let f = f.with_remedy("create it");
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["remedy"], "create it");
    }

    #[test]
    fn findings_serialise_as_a_json_array() {
        let fs: Findings = vec![Finding::nvctl(Severity::Info, "token", "t", "m")].into();
        let v = serde_json::to_value(&fs).unwrap();
        assert!(v.is_array());
        assert_eq!(v[0]["source"], "nvctl");
        assert_eq!(v[0]["severity"], "info");
    }

    #[test]
    fn has_errors_ignores_warnings_and_info() {
        let mut fs = Findings::new();
        fs.push(Finding::nomad_warning(check::CAPABILITIES, "x", "w"));
        fs.push(Finding::nvctl(Severity::Info, check::ROLE, "x", "i"));
        assert!(!fs.has_errors());
        assert_eq!(fs.worst(), Some(Severity::Warning));
        fs.push(Finding::nvctl(Severity::Error, check::ROLE, "x", "e"));
        assert!(fs.has_errors());
        assert_eq!(fs.worst(), Some(Severity::Error));
    }

    #[test]
    fn nomad_would_disable_only_for_nomad_errors_in_startup_validation() {
        let mut fs = Findings::new();
        fs.push(Finding::nvctl(
            Severity::Error,
            check::ROLE,
            "r",
            "nvctl's own",
        ));
        assert!(!fs.nomad_would_disable());
        fs.push(Finding::nomad_error(
            check::STANZA,
            "vault",
            "Vault token must be set",
        ));
        assert!(!fs.nomad_would_disable());
        assert!(fs.nomad_would_refuse_to_start());
        fs.push(Finding::nomad_error(
            check::TOKEN,
            "token",
            "token TTL is zero",
        ));
        assert!(fs.nomad_would_disable());
        assert_eq!(fs.nomad_validation_messages(), vec!["token TTL is zero"]);
    }

    #[test]
    fn advice_is_a_warning_until_strict_makes_the_error_grade_fail() {
        let mut fs: Findings = vec![
            Finding::advice(check::ROLE, "r", "error-grade")
                .with_risk("jobs get the servers' powers")
                .error_grade(),
            Finding::advice(check::TOKEN, "t", "warning-grade"),
        ]
        .into();
        assert_eq!(fs.verdict(), Verdict::Passes);
        fs.under_strict(false);
        assert_eq!(fs.verdict(), Verdict::Passes);
        fs.under_strict(true);
        assert_eq!(fs.verdict(), Verdict::FailsStrict);
        assert_eq!(fs.strict_failures(), 1);
        assert!(!fs.nomad_would_disable(), "Nomad's verdict is unchanged");
        let v = serde_json::to_value(&fs).unwrap();
        assert_eq!(v[0]["strict"], true);
        assert_eq!(v[0]["risk"], "jobs get the servers' powers");
        assert!(v[1].get("strict").is_none());
        fs.push(Finding::nomad_error(
            check::ROLE,
            "r",
            "Role must allow tokens to be renewed",
        ));
        assert_eq!(fs.verdict(), Verdict::NomadRefuses);
    }

    #[test]
    fn by_check_groups_in_first_seen_order() {
        let fs: Findings = vec![
            Finding::nomad_error(check::TOKEN, "t", "a"),
            Finding::nomad_error(check::ROLE, "r", "b"),
            Finding::nomad_error(check::TOKEN, "t", "c"),
        ]
        .into();
        let groups = fs.by_check();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, "token");
        assert_eq!(groups[0].1.len(), 2);
        assert_eq!(groups[1].0, "role");
    }
}
