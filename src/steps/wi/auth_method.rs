//! WI step 1: the `jwt` auth method Nomad's workload identities log in at (`jwt-nomad/` by
//! default), enabled with nvctl's mark in its description so `--destroy` knows it is nvctl's.
//!
//! An existing `jwt` mount at the path is used as it is (and stays the operator's); a mount of
//! another type there is refused before anything is written.

use anyhow::{Context, Result};

use crate::checks::{Finding, Findings, Severity};
use crate::exit::VaultFailure;
use crate::nomad::workload_identity::{self as wi, CHECK};
use crate::output::Ui;
use crate::vault::{AuthMount, MountRequest, VaultClient};

use crate::steps::{Plan, Step};

pub struct AuthMethodStep {
    /// Without slashes.
    path: String,
    /// Observed: `None` before `observe`, `Some(None)` when nothing is mounted there.
    live: Option<Option<AuthMount>>,
}

impl AuthMethodStep {
    pub fn new(path: &str) -> AuthMethodStep {
        AuthMethodStep {
            path: path.trim_matches('/').to_string(),
            live: None,
        }
    }

    /// The mount as observed (`None`: not observed, or absent).
    pub fn live(&self) -> Option<&AuthMount> {
        self.live.as_ref().and_then(Option::as_ref)
    }

    fn request(&self) -> MountRequest {
        MountRequest {
            description: wi::auth_mount_description(),
            ..MountRequest::of_type("jwt")
        }
    }

    fn subject(&self) -> String {
        format!("sys/auth/{}", self.path)
    }
}

impl Step for AuthMethodStep {
    fn name(&self) -> &'static str {
        "auth-method"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        let mounts = client
            .list_auth_mounts()
            .context("cannot list the auth methods (sys/auth)")?;
        let live = mounts.get(&format!("{}/", self.path)).cloned();
        if let Some(mount) = &live {
            if mount.mount_type != "jwt" {
                anyhow::bail!(
                    "an auth method of type {:?} is already enabled at {}/; Nomad's workload identities need a jwt auth method: choose another --auth-path (and the clients' jwt_auth_backend_path)",
                    mount.mount_type,
                    self.path
                );
            }
        }
        self.live = Some(live);
        Ok(())
    }

    fn plan(&self) -> Plan {
        match self.live() {
            Some(mount) => Plan::nothing(
                self.subject(),
                format!(
                    "JWT auth method {:?} ({}{})",
                    self.path,
                    mount.accessor,
                    if wi::is_marked_description(&mount.description) {
                        ", created by nvctl"
                    } else {
                        ""
                    }
                ),
            ),
            None => Plan::create(
                self.subject(),
                format!("enable the JWT auth method at {}/", self.path),
                serde_json::to_string_pretty(&self.request()).unwrap_or_default(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = client
            .enable_auth(&self.path, &self.request())
            .with_context(|| format!("cannot enable the jwt auth method at {}/", self.path))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mounts = client
            .list_auth_mounts()
            .context("cannot list the auth methods (sys/auth)")?;
        let Some(mount) = mounts.get(&format!("{}/", self.path)).cloned() else {
            return Err(VaultFailure(format!(
                "the jwt auth method at {}/ was enabled but sys/auth does not list it",
                self.path
            ))
            .into());
        };
        let mut findings = Findings::new();
        if mount.mount_type != "jwt" {
            findings.push(Finding::nvctl(
                Severity::Error,
                CHECK,
                self.subject(),
                format!("{}/ is of type {:?}, not jwt", self.path, mount.mount_type),
            ));
        }
        self.live = Some(Some(mount));
        Ok(findings)
    }
}
