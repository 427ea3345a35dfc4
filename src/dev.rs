//! The in-memory Vault (`vault-sandbox`) for `nvctl dev` and `nvctl bootstrap --dev`, and the
//! only code path of nvctl that may use it.
//!
//! The sandbox brings an async runtime, an HTTP server and RSA along; they sit behind the
//! default-on cargo feature `dev` (as ripgrep keeps PCRE2 behind one), so an nvctl built with
//! `--no-default-features` carries none of them. There, the same functions exist and answer
//! with [`NOT_BUILT_IN`], which says how to get them.

use anyhow::Result;

/// What `nvctl dev` and `--dev` say when this nvctl was built without the sandbox.
pub const NOT_BUILT_IN: &str = "this nvctl was built without the in-memory Vault (cargo feature \
    `dev`, on by default): rebuild with `cargo build --features dev` (or install with the default \
    features), or point nvctl at a Vault with --address/VAULT_ADDR";

/// Which server `nvctl dev` imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Vault,
    OpenBao,
}

/// The state `nvctl dev` starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Initialised and unsealed, with a root token and a KV v2 mount at `secret/`.
    Ready,
    /// Initialised, sealed with 5 shares and a threshold of 3.
    Sealed,
    Uninitialized,
}

/// How to reach a running in-memory Vault. The root token and unseal keys are printed on
/// purpose by `nvctl dev`: this Vault holds nothing worth protecting.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub address: String,
    pub root_token: Option<String>,
    pub unseal_keys: Vec<String>,
    /// `{"address":…,"root_token":…,"unseal_keys":[…]}` on one line.
    pub json_line: String,
}

#[cfg(feature = "dev")]
mod built_in {
    use anyhow::{Context, Result};
    use vault_sandbox::{Sandbox, SandboxHandle};

    use super::{ConnectionInfo, Flavor, NomadConnection, Start, NOMAD_MOUNT};
    use crate::secret::SecretString;
    use crate::vault::nomad_engine::NomadAccess;
    use crate::vault::{ClientConfig, MountRequest, VaultClient};

    /// A running in-memory Vault; it stops when dropped (or with the process).
    pub struct DevVault(SandboxHandle);

    impl DevVault {
        pub fn address(&self) -> String {
            self.0.addr()
        }

        pub fn connection_info(&self) -> ConnectionInfo {
            let info = self.0.connection_info();
            ConnectionInfo {
                json_line: info.to_json_line(),
                address: info.address,
                root_token: info.root_token,
                unseal_keys: info.unseal_keys,
            }
        }
    }

    pub fn start(flavor: Flavor, start: Start, port: Option<u16>) -> Result<DevVault> {
        let mut builder = Sandbox::builder().flavor(match flavor {
            Flavor::Vault => vault_sandbox::Flavor::Vault,
            Flavor::OpenBao => vault_sandbox::Flavor::OpenBao,
        });
        builder = match start {
            Start::Ready => builder.dev_default(),
            Start::Sealed => builder.sealed(5, 3),
            Start::Uninitialized => builder.uninitialized(),
        };
        if let Some(port) = port {
            builder = builder.port(port);
        }
        let handle = builder.start().with_context(|| match port {
            Some(port) => format!("cannot start the in-memory Vault on 127.0.0.1:{port}"),
            None => "cannot start the in-memory Vault".to_string(),
        })?;
        Ok(DevVault(handle))
    }

    /// A running in-memory Nomad (ACLs bootstrapped) wired to a [`DevVault`]'s `nomad/`
    /// secrets engine; it stops when dropped.
    pub struct DevNomad(nomad_sandbox::NomadSandboxHandle);

    impl DevNomad {
        pub fn connection_info(&self) -> NomadConnection {
            let info = self.0.connection_info();
            NomadConnection {
                address: info.address,
                management_token: info.management_token.unwrap_or_default(),
                jwks_url: self.0.jwks_url(),
            }
        }
    }

    /// Starts the in-memory Nomad, bootstraps its ACLs, mounts Vault's Nomad secrets engine
    /// at `nomad/` and gives it the management token (`nomad/config/access`).
    pub fn start_nomad(vault: &DevVault) -> Result<DevNomad> {
        let nomad = nomad_sandbox::NomadSandbox::builder()
            .bootstrapped()
            .vault_address(&vault.address())
            .start()
            .context("cannot start the in-memory Nomad")?;
        let root = vault
            .0
            .root_token()
            .context("the in-memory Vault has no root token to configure its Nomad engine")?;
        let client = VaultClient::new(ClientConfig::new(vault.address()))?
            .with_token(SecretString::new(root));
        client.enable_mount(NOMAD_MOUNT, &MountRequest::of_type("nomad"))?;
        let access = NomadAccess {
            address: nomad.addr(),
            token: Some(SecretString::new(
                nomad.management_token().unwrap_or_default(),
            )),
            ..NomadAccess::default()
        };
        client.write_nomad_access(NOMAD_MOUNT, &access)?;
        Ok(DevNomad(nomad))
    }

    /// An in-memory Nomad that signs workload identities, for `bootstrap --dev` in the
    /// workload-identity flow: Vault's jwt auth fetches its JWKS, and nvctl proves the set-up
    /// with an identity it signs. It serves until dropped.
    pub struct DevIdentityNomad(nomad_sandbox::NomadSandboxHandle);

    impl DevIdentityNomad {
        pub fn address(&self) -> String {
            self.0.addr()
        }

        /// The Vault identity (`vault_default`) of task `job` in group `job` of job `job`,
        /// signed as Nomad signs it for an allocation, for `audiences` and naming `role`.
        pub fn sign_identity(&self, job: &str, audiences: &[String], role: &str) -> SecretString {
            let aud: Vec<&str> = audiences.iter().map(String::as_str).collect();
            let task = nomad_sandbox::TaskIdentity::new(job, job, job)
                .audience(&aud)
                .vault_role(role);
            SecretString::new(self.0.sign_task_identity(&task))
        }
    }

    pub fn start_identity_nomad() -> Result<DevIdentityNomad> {
        nomad_sandbox::NomadSandbox::builder()
            .start()
            .map(DevIdentityNomad)
            .context("cannot start the in-memory Nomad")
    }
}

#[cfg(not(feature = "dev"))]
mod built_in {
    use anyhow::Result;

    use super::{ConnectionInfo, Flavor, NomadConnection, Start, NOT_BUILT_IN};

    /// Never constructed: this build has no in-memory Nomad.
    pub struct DevNomad(std::convert::Infallible);

    impl DevNomad {
        pub fn connection_info(&self) -> NomadConnection {
            match self.0 {}
        }
    }

    pub fn start_nomad(_vault: &DevVault) -> Result<DevNomad> {
        anyhow::bail!(NOT_BUILT_IN)
    }

    /// Never constructed: this build has no in-memory Vault.
    pub struct DevVault(std::convert::Infallible);

    impl DevVault {
        pub fn address(&self) -> String {
            match self.0 {}
        }

        pub fn connection_info(&self) -> ConnectionInfo {
            match self.0 {}
        }
    }

    pub fn start(_flavor: Flavor, _start: Start, _port: Option<u16>) -> Result<DevVault> {
        anyhow::bail!(NOT_BUILT_IN)
    }

    /// Never constructed: this build has no in-memory Nomad.
    pub struct DevIdentityNomad(std::convert::Infallible);

    impl DevIdentityNomad {
        pub fn address(&self) -> String {
            match self.0 {}
        }

        pub fn sign_identity(
            &self,
            _job: &str,
            _audiences: &[String],
            _role: &str,
        ) -> crate::secret::SecretString {
            match self.0 {}
        }
    }

    pub fn start_identity_nomad() -> Result<DevIdentityNomad> {
        anyhow::bail!(NOT_BUILT_IN)
    }
}

pub use built_in::{DevIdentityNomad, DevNomad, DevVault};

/// Where `nvctl dev --nomad` mounts Vault's Nomad secrets engine.
pub const NOMAD_MOUNT: &str = "nomad";

/// How to reach the in-memory Nomad. The management token is printed on purpose by
/// `nvctl dev --nomad`, as Vault's root token is: this Nomad holds nothing worth protecting.
#[derive(Clone)]
pub struct NomadConnection {
    pub address: String,
    pub management_token: String,
    pub jwks_url: String,
}

impl std::fmt::Debug for NomadConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NomadConnection")
            .field("address", &self.address)
            .field("management_token", &"<redacted>")
            .field("jwks_url", &self.jwks_url)
            .finish()
    }
}

/// Starts an in-memory Nomad wired to `vault` (which must be initialised and unsealed).
pub fn start_nomad(vault: &DevVault) -> Result<DevNomad> {
    built_in::start_nomad(vault)
}

/// Starts an in-memory Vault on loopback (any free port unless `port`).
pub fn start(flavor: Flavor, start: Start, port: Option<u16>) -> Result<DevVault> {
    built_in::start(flavor, start, port)
}

/// Starts an in-memory Nomad that signs workload identities (its JWKS is what Vault fetches).
pub fn start_identity_nomad() -> Result<DevIdentityNomad> {
    built_in::start_identity_nomad()
}

/// Whether this build carries the in-memory Vault.
pub const fn built_in() -> bool {
    cfg!(feature = "dev")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "dev"))]
    #[test]
    fn without_the_feature_dev_says_how_to_get_it() {
        let err = start(Flavor::Vault, Start::Ready, None)
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some(NOT_BUILT_IN));
        assert!(NOT_BUILT_IN.contains("cargo build --features dev"));
        assert!(start_identity_nomad().is_err());
        assert!(!built_in());
    }

    #[cfg(feature = "dev")]
    #[test]
    fn with_the_feature_an_uninitialised_vault_starts_on_loopback() {
        let vault = start(Flavor::Vault, Start::Uninitialized, None).unwrap();
        let info = vault.connection_info();
        assert!(info.address.starts_with("http://127.0.0.1:"), "{info:?}");
        assert_eq!(info.root_token, None);
        assert!(built_in());
    }
}
