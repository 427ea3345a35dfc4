//! Where a setting came from (a line of the file, a flag, nvctl's default) and the problems
//! found in the configuration, collected so that every one is reported at once.

use std::fmt;

use crate::source::SourceLocation;

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A place in the configuration file (`bootstrap.hcl:12`).
    File(SourceLocation),
    /// A command-line flag, e.g. `--key-threshold`.
    Flag(&'static str),
    /// nvctl's default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(at) => at.fmt(f),
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A resolved setting and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    pub fn new(value: T, origin: Origin) -> Setting<T> {
        Setting { value, origin }
    }

    /// Flags over the file over the default: the precedence of every setting.
    pub fn pick(
        flag: Option<T>,
        name: &'static str,
        file: Option<crate::source::Located<T>>,
        default: impl FnOnce() -> T,
    ) -> Setting<T> {
        match (flag, file) {
            (Some(v), _) => Setting::new(v, Origin::Flag(name)),
            (None, Some(f)) => Setting::from(f),
            (None, None) => Setting::new(default(), Origin::Default),
        }
    }

    /// The flag's value when given, else the file's (no default).
    pub fn either(
        flag: Option<T>,
        name: &'static str,
        file: Option<crate::source::Located<T>>,
    ) -> Option<Setting<T>> {
        match (flag, file) {
            (Some(v), _) => Some(Setting::new(v, Origin::Flag(name))),
            (None, f) => f.map(Setting::from),
        }
    }
}

impl<T> From<crate::source::Located<T>> for Setting<T> {
    fn from(located: crate::source::Located<T>) -> Setting<T> {
        Setting::new(located.value, Origin::File(located.at))
    }
}

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Every problem found in the configuration; nothing was sent to Vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(
            f,
            "invalid bootstrap configuration ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        write!(f, "nothing was sent to Vault")
    }
}

impl std::error::Error for ConfigErrors {}

/// The problems and remarks of one reading and resolution.
#[derive(Debug, Default)]
pub struct Problems {
    errors: Vec<ConfigError>,
    warnings: Vec<String>,
    advice: Vec<String>,
}

impl Problems {
    pub fn error(&mut self, origin: &Origin, message: impl Into<String>) {
        self.errors.push(ConfigError {
            origin: origin.clone(),
            message: message.into(),
        });
    }

    /// A problem at a place in the file.
    pub fn at(&mut self, at: &SourceLocation, message: impl Into<String>) {
        self.error(&Origin::File(at.clone()), message);
    }

    /// A non-fatal remark (e.g. a 1/1 key split), shown before anything is done.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// nvctl's error-grade advice about a setting Nomad itself accepts (a role that hands the
    /// servers' powers to jobs): a warning, or a refusal under `strict`.
    pub fn advise(&mut self, origin: &Origin, message: impl Into<String>) {
        self.advice.push(format!("{origin}: {}", message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The warnings and the advice, once the configuration is good.
    pub fn into_remarks(self) -> (Vec<String>, Vec<String>) {
        (self.warnings, self.advice)
    }

    /// The errors in the order an operator fixes them: the file's from top to bottom, then
    /// the flags' and the defaults' in the order they were found. The reader and each
    /// block's resolver find them in their own order; this is the one the operator reads.
    pub fn into_errors(self) -> ConfigErrors {
        let mut errors = self.errors;
        errors.sort_by_key(|e| match &e.origin {
            Origin::File(at) => (0, at.line.unwrap_or(0)),
            Origin::Flag(_) | Origin::Default => (1, 0),
        });
        ConfigErrors { errors }
    }
}
