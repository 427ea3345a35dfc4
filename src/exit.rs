//! Exit codes, stable for CI (DESIGN.md §2), and how an error maps to one.

use std::process::ExitCode;

/// What the process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; every check passed.
    Success = 0,
    /// Usage or local error: bad flags, unreadable file, invalid input.
    Usage = 1,
    /// Vault or network error: unreachable, TLS, 5xx, permission denied, sealed.
    Vault = 2,
    /// Checks ran and found problems (or, with --plan / diff, changes are pending).
    Problems = 3,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The worse of two outcomes, for commands that visit several nodes or checks.
    pub fn worst(self, other: Exit) -> Exit {
        fn rank(e: Exit) -> u8 {
            match e {
                Exit::Success => 0,
                Exit::Problems => 1,
                Exit::Usage => 2,
                Exit::Vault => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

/// An error that is Vault's or the network's, raised outside the client itself (for example a
/// node answering in a way nvctl cannot use). Errors from `vault::VaultError` map to the same code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct VaultFailure(pub String);

/// Which exit code an error deserves: anything from Vault or the network is 2, the rest is 1.
pub fn classify(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<crate::vault::VaultError>() || cause.is::<VaultFailure>() {
            return Exit::Vault;
        }
    }
    Exit::Usage
}
