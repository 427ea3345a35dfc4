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
/// A [`VaultError::Config`](crate::vault::VaultError::Config) is the operator's own settings
/// (an unreadable CA file, a malformed address): nothing was sent, so it is local — 1.
pub fn classify(err: &anyhow::Error) -> Exit {
    use crate::vault::VaultError;
    for cause in err.chain() {
        match cause.downcast_ref::<VaultError>() {
            Some(VaultError::Config(_)) => return Exit::Usage,
            Some(_) => return Exit::Vault,
            None if cause.is::<VaultFailure>() => return Exit::Vault,
            None => {}
        }
        // Nomad's side is a server on the network too: its answers and failures are 2, its
        // client settings (an unreadable CA file) local.
        match cause.downcast_ref::<crate::nomad_api::NomadError>() {
            Some(crate::nomad_api::NomadError::Config(_)) => return Exit::Usage,
            Some(_) => return Exit::Vault,
            None => {}
        }
    }
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::VaultError;

    #[test]
    fn local_client_settings_are_usage_errors_and_vault_answers_are_vault_errors() {
        let config = anyhow::Error::new(VaultError::Config("cannot read the CA file".into()))
            .context("building the client");
        assert_eq!(classify(&config), Exit::Usage);
        let refused = anyhow::Error::new(VaultError::ConnectionRefused {
            address: "http://127.0.0.1:1".into(),
            path: "sys/health".into(),
            attempts: 1,
        });
        assert_eq!(classify(&refused), Exit::Vault);
        assert_eq!(classify(&anyhow::anyhow!("bad flag")), Exit::Usage);
    }
}
