//! `rotate_root = true` (issue 14): `POST :mount/rotate-root/:name` once the connection is
//! written and its roles' credentials proven — Vault then sets a root password only it knows,
//! and the one in the operator's file or variable no longer logs in.
//!
//! Vault never returns the root password nor says whether it was rotated (`GET
//! :mount/config/:name` drops `password`; `root_credentials_rotate_statements` and
//! `password_policy` are the same before and after, vault-api-engines.md §3.2, §3.5). What can
//! be observed honestly is PostgreSQL's side: whether the configured root user still logs in
//! with the configured password. It does → the rotation is still to do; PostgreSQL refuses the
//! password (`28P01`) → it was done (by an earlier run, or by hand) and a re-run writes nothing.
//! Anything else (unreachable, another refusal) cannot tell, and the run stops there (exit 2)
//! rather than guess: a rotation the operator did not expect loses the password they still
//! rely on, and a rotation skipped wrongly leaves a password they meant to retire.
//!
//! Order: the rotation is approved with the other writes, and done at verification, right
//! after the credentials proof (run here, once, instead of by the proof step): a failing proof
//! leaves the root password as it is, so the operator can still fix things with it.

use std::time::Duration;

use anyhow::Result;

use crate::bootstrap::database::{DatabaseSpec, CHECK};
use crate::checks::{Finding, Findings, Severity, Source};
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::postgres_login::{login, LoginError};
use crate::secret::SecretString;
use crate::steps::database::{prove_roles, vault_words, ConnectionsCreated};
use crate::steps::pipeline::Facts;
use crate::steps::{Change, Plan, Step};
use crate::vault::VaultClient;

/// The connections (`path/name`) whose rotation was approved in this run: their credentials
/// proof runs with the rotation, not in the proof step.
#[derive(Debug, Clone, Default)]
struct RotationApproved(Vec<String>);

fn key(spec: &DatabaseSpec) -> String {
    format!("{}/{}", spec.path, spec.name)
}

/// Whether the rotation of `spec`'s root runs (and reports) its credentials proof.
pub fn proves(facts: &Facts, spec: &DatabaseSpec) -> bool {
    facts
        .get::<RotationApproved>()
        .is_some_and(|a| a.0.contains(&key(spec)))
}

/// What logging in as the root user with the configured password said.
#[derive(Debug, Clone)]
enum Root {
    /// It logs in: not rotated yet.
    LogsIn,
    /// PostgreSQL refuses the password: rotated already.
    Rotated,
}

/// `:mount/rotate-root/:name`, when `rotate_root = true`.
pub struct DatabaseRootRotationStep {
    spec: DatabaseSpec,
    no_mint: bool,
    facts: Facts,
    timeout: Duration,
    live: Option<Root>,
    approved: bool,
}

impl DatabaseRootRotationStep {
    pub fn new(spec: &DatabaseSpec, no_mint: bool, facts: &Facts) -> Self {
        DatabaseRootRotationStep {
            spec: spec.clone(),
            no_mint,
            facts: facts.clone(),
            timeout: Duration::from_secs(10),
            live: None,
            approved: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/rotate-root/{}", self.spec.path, self.spec.name)
    }

    fn root_login(&self) -> Result<(), LoginError> {
        login(
            &self.spec.connection_url,
            &self.spec.username,
            &self.spec.password,
            self.timeout,
        )
    }

    fn created_in_this_run(&self) -> bool {
        self.facts
            .get::<ConnectionsCreated>()
            .is_some_and(|c| c.0.contains(&key(&self.spec)))
    }

    /// A PostgreSQL that lets the root user in with any password (`trust` in pg_hba.conf)
    /// would let every run see "not rotated yet" and rotate again: refused before writing.
    fn refuse_unchecked_passwords(&self) -> Result<()> {
        let probe = SecretString::new(format!("nvctl-probe-{:016x}", fastrand::u64(..)));
        if login(
            &self.spec.connection_url,
            &self.spec.username,
            &probe,
            self.timeout,
        )
        .is_ok()
        {
            return Err(VaultFailure(format!(
                "rotate_root: PostgreSQL lets {:?} in with any password (pg_hba.conf `trust` for this host?), so nvctl cannot tell whether the root password was rotated, and a rotation would change nothing PostgreSQL checks; require a password for {:?} (scram-sha-256) or set rotate_root = false; nothing was written",
                self.spec.username, self.spec.username
            ))
            .into());
        }
        Ok(())
    }

    /// The warning the plan and the result carry.
    fn no_longer_valid(&self) -> String {
        format!(
            "after rotate-root the root password in {} no longer logs in to PostgreSQL as {:?}: Vault sets one only it knows (keep using Vault; to connect as {:?} yourself, set a new password with ALTER ROLE as another superuser)",
            self.spec.password_source, self.spec.username, self.spec.username
        )
    }
}

impl Step for DatabaseRootRotationStep {
    fn name(&self) -> &'static str {
        "database root rotation"
    }

    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        // A login and `SELECT 1`: a read on PostgreSQL's side, nothing on Vault's.
        self.live = Some(match self.root_login() {
            Ok(()) => {
                // Once per run: the step is observed again after earlier stages write.
                if !matches!(self.live, Some(Root::LogsIn)) {
                    self.refuse_unchecked_passwords()?;
                }
                Root::LogsIn
            }
            // Vault can only have rotated a connection it had before this run.
            Err(e) if e.is_wrong_password() && self.created_in_this_run() => {
                let (LoginError::Refused(why) | LoginError::Unreachable(why)) = &e;
                return Err(VaultFailure(format!(
                    "rotate_root: the password in {} does not log in to PostgreSQL as {:?} ({why}), and database {:?} is new in Vault, so no rotation through Vault explains it: the password is wrong; nothing was rotated",
                    self.spec.password_source, self.spec.username, self.spec.name
                ))
                .into());
            }
            Err(e) if e.is_wrong_password() => Root::Rotated,
            Err(LoginError::Refused(why) | LoginError::Unreachable(why)) => {
                return Err(VaultFailure(format!(
                    "rotate_root: nvctl cannot tell whether the root password of database {:?} was rotated already: logging in to PostgreSQL as {:?} with the password in {} said: {why}; run where PostgreSQL is reachable, or rotate by hand (vault write -f {}) and set rotate_root = false",
                    self.spec.name, self.spec.username, self.spec.password_source, self.subject()
                ))
                .into())
            }
        });
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = self.subject();
        match &self.live {
            Some(Root::Rotated) => Plan::nothing(subject, "root rotation").with_in_place(format!(
                "database {:?}: the root password was rotated before, as far as PostgreSQL tells: it refuses the password in {} for {:?} (28P01). If that password is simply mistyped, nothing was rotated: nvctl cannot tell the two apart, so it writes nothing.",
                self.spec.name, self.spec.password_source, self.spec.username
            )),
            _ => {
                let proof = if self.no_mint {
                    "(--no-mint: without the credentials proof)"
                } else {
                    "once the credentials proof passes"
                };
                Plan {
                    change: Change::Update,
                    body: Some(format!(
                        "POST {subject} (no body) {proof}: Vault sets a new password for {:?} that only it knows",
                        self.spec.username
                    )),
                    ..Plan::nothing(
                        subject.clone(),
                        format!(
                            "rotate the root password of database {:?} ({:?})",
                            self.spec.name, self.spec.username
                        ),
                    )
                }
                .with_warning(self.no_longer_valid())
                .with_done(if self.no_mint {
                    format!("{subject}: approved; it runs at verification (--no-mint: no credentials proof)")
                } else {
                    format!("{subject}: approved; it runs after the credentials proof")
                })
            }
        }
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        // Done at verification, after the credentials proof (see the module's comment).
        self.approved = true;
        let key = key(&self.spec);
        self.facts.update::<RotationApproved, _>(|a| a.0.push(key));
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        if !self.approved {
            return Ok(findings);
        }
        let subject = self.subject();
        if !self.no_mint {
            findings = prove_roles(&self.spec, client, self.timeout);
            if findings.has_errors() {
                findings.push(
                    Finding::nvctl(
                        Severity::Error,
                        CHECK,
                        subject,
                        format!(
                            "the root password of database {:?} was not rotated: the credentials proof failed (see above); the password in {} still logs in",
                            self.spec.name, self.spec.password_source
                        ),
                    )
                    .with_remedy("fix the roles and run again: the rotation follows a passing proof"),
                );
                return Ok(findings);
            }
        }
        if let Err(e) = client.rotate_database_root(&self.spec.path, &self.spec.name) {
            findings.push(
                Finding::vault(Severity::Error, CHECK, subject, vault_words(&e)).with_remedy(
                    format!(
                        "the root password was not rotated; the password in {} still works",
                        self.spec.password_source
                    ),
                ),
            );
            return Ok(findings);
        }
        // Confirmed from PostgreSQL's side: the configured password no longer logs in.
        match self.root_login() {
            Err(e) if e.is_wrong_password() => findings.push(
                Finding::nvctl(Severity::Warning, CHECK, subject, format!(
                    "Vault rotated the root password of database {:?}: {}",
                    self.spec.name,
                    self.no_longer_valid()
                ))
                .with_remedy(format!(
                    "leave the old password in {} and rotate_root = true as they are: it no longer logs in, and that refusal is how a re-run sees the rotation done (and writes nothing)",
                    self.spec.password_source
                )),
            ),
            Ok(()) => findings.push(Finding::new(
                Severity::Error,
                Source::Postgresql,
                CHECK,
                subject,
                format!(
                    "Vault answered rotate-root with success, but {:?} still logs in with the password in {}",
                    self.spec.username, self.spec.password_source
                ),
            )),
            Err(LoginError::Refused(why) | LoginError::Unreachable(why)) => findings.push(
                Finding::nvctl(Severity::Warning, CHECK, subject, format!(
                    "Vault rotated the root password of database {:?} (nvctl could not confirm it from PostgreSQL: {why}): {}",
                    self.spec.name,
                    self.no_longer_valid()
                )),
            ),
        }
        Ok(findings)
    }
}
