//! The database secrets engine as steps (issue 14; seed 001 steps 9–12): the engine's mount,
//! the connection, the roles, and the proof that a role's credentials work on the real
//! PostgreSQL (minted through Vault, used to log in, revoked, gone).
//!
//! The root password leaves nvctl only in the connection write's body; plans show it masked
//! and an update sends only the keys that changed, never the password (Vault merges the
//! connection's details key by key, vault-api-engines.md §3.1), so a re-run after a root
//! rotation does not push the stale password back.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::bootstrap::database::{DatabaseRoleSpec, DatabaseSpec, CHECK};
use crate::checks::{Finding, Findings, Severity, Source};
use crate::exit::VaultFailure;
use crate::output::Ui;
use crate::postgres_login::{login, session, LoginError, Session};
use crate::steps::pipeline::Facts;
use crate::steps::{unified_diff, Plan, Step};
use crate::vault::database::{ConnectionWrite, DatabaseConnection, DatabaseRole};
use crate::vault::{Mount, MountRequest, VaultClient, VaultError};

/// Published when a database step of this run wrote something: the credentials proof runs
/// then (a re-run with nothing to change writes nothing, the proof included).
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabaseWritten(pub bool);

fn note_write(facts: &Facts) {
    facts.put(DatabaseWritten(true));
}

/// The connections (`path/name`) this run created in Vault: a root password PostgreSQL
/// refuses cannot have been rotated through Vault before them (see `database_root`).
#[derive(Debug, Clone, Default)]
pub struct ConnectionsCreated(pub Vec<String>);

/// The engine's mount (`vault secrets enable database`).
pub struct DatabaseMountStep {
    path: String,
    facts: Facts,
    live: Option<Option<Mount>>,
    written: bool,
}

impl DatabaseMountStep {
    pub fn new(spec: &DatabaseSpec, facts: &Facts) -> Self {
        DatabaseMountStep {
            path: spec.path.clone(),
            facts: facts.clone(),
            live: None,
            written: false,
        }
    }

    fn read(&self, client: &VaultClient) -> Result<Option<Mount>> {
        Ok(client
            .list_mounts()
            .context("cannot list the secrets engines (sys/mounts)")?
            .get(&format!("{}/", self.path))
            .cloned())
    }
}

impl Step for DatabaseMountStep {
    fn name(&self) -> &'static str {
        "database engine"
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(self.read(client)?);
        Ok(())
    }

    fn plan(&self) -> Plan {
        let subject = format!("sys/mounts/{}", self.path);
        match self.live.as_ref().and_then(Option::as_ref) {
            Some(m) if m.mount_type == "database" => {
                Plan::nothing(subject, format!("database secrets engine at {}/", self.path))
            }
            Some(m) => Plan::nothing(
                subject.clone(),
                format!("secrets engine at {}/", self.path),
            )
            .refused(format!(
                "{}/ is a {:?} engine, not a database one: choose another path for the database block",
                self.path, m.mount_type
            )),
            None => Plan::create(
                subject,
                format!("enable the database secrets engine at {}/", self.path),
                serde_json::to_string_pretty(&MountRequest::of_type("database")).unwrap_or_default(),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        for w in client
            .enable_mount(&self.path, &MountRequest::of_type("database"))
            .with_context(|| format!("cannot enable the database engine at {}/", self.path))?
        {
            ui.warn(format!("Vault: {w}"));
        }
        note_write(&self.facts);
        self.written = true;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        // Nothing written since observing: that read stands as the read-back.
        let live = if self.written {
            self.read(client)?
        } else {
            self.live.clone().flatten()
        };
        match live {
            Some(m) if m.mount_type == "database" => {}
            Some(m) => findings.push(Finding::nvctl(
                Severity::Error,
                CHECK,
                format!("sys/mounts/{}", self.path),
                format!(
                    "{}/ is a {:?} engine, not a database one",
                    self.path, m.mount_type
                ),
            )),
            None => {
                return Err(VaultFailure(format!(
                    "the database engine at {}/ was enabled but sys/mounts does not list it",
                    self.path
                ))
                .into())
            }
        }
        Ok(findings)
    }
}

/// `database/config/:name`.
pub struct DatabaseConnectionStep {
    spec: DatabaseSpec,
    facts: Facts,
    live: Option<Option<DatabaseConnection>>,
    written: bool,
}

impl DatabaseConnectionStep {
    pub fn new(spec: &DatabaseSpec, facts: &Facts) -> Self {
        DatabaseConnectionStep {
            spec: spec.clone(),
            facts: facts.clone(),
            live: None,
            written: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/config/{}", self.spec.path, self.spec.name)
    }

    fn write(&self) -> ConnectionWrite {
        ConnectionWrite {
            plugin_name: self.spec.plugin_name.clone(),
            connection_url: self.spec.connection_url.templated(),
            username: self.spec.username.clone(),
            password: self.spec.password.clone(),
            allowed_roles: self.spec.allowed_roles.clone(),
            verify_connection: self.spec.verify_connection,
        }
    }

    /// What nvctl manages of a connection, as text for plans and diffs (no password).
    fn desired_view(&self) -> Value {
        json!({
            "plugin_name": self.spec.plugin_name,
            "connection_url": self.spec.connection_url.templated(),
            "username": self.spec.username,
            "allowed_roles": self.spec.allowed_roles,
            "verify_connection": self.spec.verify_connection,
        })
    }

    fn live_view(live: &DatabaseConnection, desired: &Value) -> Value {
        json!({
            "plugin_name": live.plugin_name,
            "connection_url": live.detail("connection_url"),
            "username": live.detail("username"),
            "allowed_roles": live.allowed_roles,
            // Older Vault and OpenBao do not say: take the desired value.
            "verify_connection": live.verify_connection.map_or(desired["verify_connection"].clone(), Value::Bool),
        })
    }

    fn pretty(v: &Value) -> String {
        serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
    }
}

impl Step for DatabaseConnectionStep {
    fn name(&self) -> &'static str {
        "database connection"
    }

    fn reads_earlier_writes(&self) -> bool {
        // Under a mount the first stage may create.
        true
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(
            client
                .read_database_connection(&self.spec.path, &self.spec.name)
                .with_context(|| format!("cannot read {}", self.subject()))?,
        );
        Ok(())
    }

    fn plan(&self) -> Plan {
        let desired = self.desired_view();
        match self.live.as_ref().and_then(Option::as_ref) {
            None => {
                let mut body = desired.clone();
                body["password"] = json!(crate::secret::REDACTED);
                Plan::create(
                    self.subject(),
                    format!(
                        "connect Vault to PostgreSQL as {:?} ({})",
                        self.spec.username,
                        self.spec.connection_url.templated()
                    ),
                    Self::pretty(&body),
                )
            }
            Some(live) => {
                let live = Self::live_view(live, &desired);
                if live == desired {
                    Plan::nothing(
                        self.subject(),
                        format!("database connection {:?}", self.spec.name),
                    )
                } else {
                    let plan = Plan::update(
                        self.subject(),
                        format!(
                            "database connection {:?} differs from the configuration",
                            self.spec.name
                        ),
                        unified_diff(
                            &Self::pretty(&live),
                            &Self::pretty(&desired),
                            &self.subject(),
                        ),
                    );
                    if live["username"] != desired["username"] {
                        plan.with_warning(format!(
                            "the root user changes: the password from {} is sent with it (Vault would otherwise keep the old user's password)",
                            self.spec.password_source
                        ))
                    } else {
                        plan
                    }
                }
            }
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let warnings = match self.live.as_ref().and_then(Option::as_ref) {
            None => {
                let created = format!("{}/{}", self.spec.path, self.spec.name);
                self.facts
                    .update::<ConnectionsCreated, _>(|c| c.0.push(created));
                client.write_database_connection(&self.spec.path, &self.spec.name, &self.write())
            }
            Some(live) => {
                // Only what changed; never the password (it may have been rotated since).
                let desired = self.desired_view();
                let live = Self::live_view(live, &desired);
                let mut changed: serde_json::Map<String, Value> = desired
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, v)| live.get(k.as_str()) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                // Vault merges an update into the stored connection: a new user with the old
                // user's password would fail to log in (28P01). The new user's goes with it.
                if changed.contains_key("username") {
                    changed.insert(
                        "password".into(),
                        Value::String(self.spec.password.expose().to_string()),
                    );
                }
                client.update_database_connection(
                    &self.spec.path,
                    &self.spec.name,
                    &Value::Object(changed),
                )
            }
        }
        .with_context(|| format!("Vault did not take the connection {}", self.subject()))?;
        for w in warnings {
            ui.warn(format!("Vault: {w}"));
        }
        note_write(&self.facts);
        self.written = true;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.written {
            self.observe(client)?;
        }
        let mut findings = Findings::new();
        if self.plan().change != crate::steps::Change::None {
            findings.push(Finding::nvctl(
                Severity::Error,
                CHECK,
                self.subject(),
                "the connection read back differs from what was written".to_string(),
            ));
        }
        Ok(findings)
    }
}

/// `database/roles/:name`.
pub struct DatabaseRoleStep {
    path: String,
    db_name: String,
    role: DatabaseRoleSpec,
    facts: Facts,
    live: Option<Option<DatabaseRole>>,
    written: bool,
}

impl DatabaseRoleStep {
    pub fn new(spec: &DatabaseSpec, role: &DatabaseRoleSpec, facts: &Facts) -> Self {
        DatabaseRoleStep {
            path: spec.path.clone(),
            db_name: spec.name.clone(),
            role: role.clone(),
            facts: facts.clone(),
            live: None,
            written: false,
        }
    }

    fn subject(&self) -> String {
        format!("{}/roles/{}", self.path, self.role.name)
    }

    fn desired(&self) -> DatabaseRole {
        DatabaseRole {
            db_name: self.db_name.clone(),
            creation_statements: self.role.creation.clone(),
            revocation_statements: self.role.revocation.clone(),
            default_ttl: self.role.default_ttl,
            max_ttl: self.role.max_ttl,
            ..DatabaseRole::default()
        }
    }

    /// The fields nvctl manages (rollback and renew statements are left as they are).
    fn view(role: &DatabaseRole) -> String {
        serde_json::to_string_pretty(&json!({
            "db_name": role.db_name,
            "creation_statements": role.creation_statements,
            "revocation_statements": role.revocation_statements,
            "default_ttl": role.default_ttl,
            "max_ttl": role.max_ttl,
        }))
        .unwrap_or_default()
            + "\n"
    }
}

impl Step for DatabaseRoleStep {
    fn name(&self) -> &'static str {
        "database role"
    }

    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, client: &VaultClient) -> Result<()> {
        self.live = Some(
            client
                .read_database_role(&self.path, &self.role.name)
                .with_context(|| format!("cannot read {}", self.subject()))?,
        );
        Ok(())
    }

    fn plan(&self) -> Plan {
        let desired = Self::view(&self.desired());
        match self.live.as_ref().and_then(Option::as_ref) {
            None => Plan::create(
                self.subject(),
                format!(
                    "database role {:?} (from {})",
                    self.role.name, self.role.creation_source
                ),
                desired,
            ),
            Some(live) if Self::view(live) == desired => Plan::nothing(
                self.subject(),
                format!("database role {:?}", self.role.name),
            ),
            Some(live) => Plan::update(
                self.subject(),
                format!(
                    "database role {:?} differs from the configuration",
                    self.role.name
                ),
                unified_diff(&Self::view(live), &desired, &self.subject()),
            ),
        }
    }

    fn apply(&mut self, client: &VaultClient, ui: &Ui) -> Result<()> {
        let mut role = self.live.clone().flatten().unwrap_or_default();
        let desired = self.desired();
        role.db_name = desired.db_name;
        role.creation_statements = desired.creation_statements;
        role.revocation_statements = desired.revocation_statements;
        role.default_ttl = desired.default_ttl;
        role.max_ttl = desired.max_ttl;
        for w in client
            .write_database_role(&self.path, &self.role.name, &role)
            .with_context(|| format!("Vault did not take the role {}", self.subject()))?
        {
            ui.warn(format!("Vault: {w}"));
        }
        note_write(&self.facts);
        self.written = true;
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        if self.written {
            self.observe(client)?;
        }
        let mut findings = Findings::new();
        if self.plan().change != crate::steps::Change::None {
            findings.push(Finding::nvctl(
                Severity::Error,
                CHECK,
                self.subject(),
                "the role read back differs from what was written".to_string(),
            ));
        }
        Ok(findings)
    }
}

/// The proof: for each role, credentials minted through Vault log in to PostgreSQL, and
/// after their lease is revoked they no longer do.
pub struct DatabaseProofStep {
    spec: DatabaseSpec,
    no_mint: bool,
    facts: Facts,
    timeout: Duration,
}

impl DatabaseProofStep {
    pub fn new(spec: &DatabaseSpec, no_mint: bool, facts: &Facts) -> Self {
        DatabaseProofStep {
            spec: spec.clone(),
            no_mint,
            facts: facts.clone(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The credentials proof of every role of `spec` (minted, logged in with, revoked, gone).
pub(super) fn prove_roles(
    spec: &DatabaseSpec,
    client: &VaultClient,
    timeout: Duration,
) -> Findings {
    let mut findings = Findings::new();
    for role in &spec.roles {
        prove_role(spec, client, role, timeout, &mut findings);
    }
    findings
}

fn prove_role(
    spec: &DatabaseSpec,
    client: &VaultClient,
    role_spec: &DatabaseRoleSpec,
    timeout: Duration,
    findings: &mut Findings,
) {
    let role = role_spec.name.as_str();
    let subject = format!("{}/creds/{role}", spec.path);
    // From the mint to the revocation a stop would leave a live user in PostgreSQL (and a
    // lease in Vault): signals wait until the credential is revoked (four requests' time).
    let hold = crate::interrupt::hold_cleanup(
        format!("nvctl proves {subject}: minting a credential, using it and revoking it"),
        format!(
            "Stopping now would leave the user minted for the proof able to log in to PostgreSQL until its lease ({subject}/…) expires."
        ),
        timeout.saturating_mul(4),
    );
    hold.outcome(format!(
        "the proof of {subject} is over (no credential was minted)"
    ));
    let creds = match client.database_credentials(&spec.path, role) {
        Ok(creds) => creds,
        Err(e) => {
            findings.push(
                Finding::vault(Severity::Error, CHECK, subject, vault_words(&e)).with_remedy(
                    format!(
                        "a job reading {} would get this error",
                        spec.path.clone() + "/creds/" + role
                    ),
                ),
            );
            return;
        }
    };
    let url = &spec.connection_url;
    // The session ends before the revocation: the user is dropped then.
    let logged_in = session(url, &creds.username, &creds.password, timeout).map(|mut session| {
        table_privileges(&mut session, role_spec, &subject, &creds.username, findings)
    });
    if let Err(e) = &logged_in {
        findings.push(login_finding(
            &subject,
            &creds.username,
            e,
            "log in with them",
        ));
    }
    if let Err(e) = client.revoke_lease(&creds.lease_id) {
        hold.outcome(format!(
            "Vault did not revoke the credential minted to prove {subject} ({}): the lease {} stays until it expires",
            vault_words(&e),
            creds.lease_id
        ));
        findings.push(
            Finding::vault(Severity::Error, CHECK, subject.clone(), vault_words(&e)).with_remedy(
                format!(
                    "the lease {} stays until it expires: check the role's revocation statements",
                    creds.lease_id
                ),
            ),
        );
        return;
    }
    hold.outcome(format!(
        "the credential minted to prove {subject} ({:?}) is revoked",
        creds.username
    ));
    if logged_in.is_err() {
        return;
    }
    match login(url, &creds.username, &creds.password, timeout) {
        Err(LoginError::Refused(_)) => findings.push(Finding::nvctl(
            Severity::Info,
            CHECK,
            subject,
            format!(
                "{:?} minted through Vault logged in (SELECT 1); after its lease was revoked PostgreSQL refuses it",
                creds.username
            ),
        )),
        Err(e @ LoginError::Unreachable(_)) => {
            findings.push(login_finding(&subject, &creds.username, &e, "check it is gone"))
        }
        Ok(()) => findings.push(
            Finding::nvctl(
                Severity::Error,
                CHECK,
                subject,
                format!(
                    "{:?} still logs in after Vault revoked its lease: the revocation statements leave the user able to log in",
                    creds.username
                ),
            )
            .with_remedy("make the revocation statements drop the user (DROP ROLE IF EXISTS \"{{name}}\";) or leave them empty for Vault's default"),
        ),
    }
}

/// Whether the user minted for `role` may SELECT from each table the job reads, asked as
/// PostgreSQL answers it (`has_table_privilege`); a missing privilege is said as the job's
/// query would meet it.
fn table_privileges(
    session: &mut Session,
    role: &DatabaseRoleSpec,
    subject: &str,
    user: &str,
    findings: &mut Findings,
) {
    let mut granted = Vec::new();
    for table in &role.tables {
        match session.can_select(table) {
            Ok(true) => granted.push(table.as_str()),
            Ok(false) => findings.push(
                Finding::new(
                    Severity::Error,
                    Source::Postgresql,
                    CHECK,
                    subject,
                    format!(
                        "{user:?} may not SELECT from {table}: has_table_privilege('{table}', 'SELECT') is false, so the job's query fails with 'ERROR: permission denied for table {} (SQLSTATE 42501)'",
                        relation_name(table)
                    ),
                )
                .with_remedy(format!(
                    "grant it in {}: GRANT SELECT ON {table} TO \"{{{{name}}}}\";",
                    role.creation_source
                )),
            ),
            Err(e) => {
                let (LoginError::Refused(words) | LoginError::Unreachable(words)) = &e;
                let finding = Finding::new(
                    Severity::Error,
                    Source::Postgresql,
                    CHECK,
                    subject,
                    format!("{user:?}: checking SELECT on {table}: {words}"),
                );
                // The remedy follows PostgreSQL's reason: an unknown table (42P01), a schema
                // the user may not use (42501: the lookup of schema.table needs USAGE on it,
                // namespace.c LookupExplicitNamespace), or none for a dropped connection.
                let remedy = match &e {
                    LoginError::Refused(w) if w.ends_with("(SQLSTATE 42P01)") => Some(format!(
                        "name an existing table as schema.table in role {:?}'s tables",
                        role.name
                    )),
                    LoginError::Refused(w) if w.ends_with("(SQLSTATE 42501)") => {
                        Some(format!(
                            "grant it in {}: GRANT USAGE ON SCHEMA {} TO \"{{{{name}}}}\";",
                            role.creation_source,
                            schema_name(table)
                        ))
                    }
                    _ => None,
                };
                findings.push(match remedy {
                    Some(remedy) => finding.with_remedy(remedy),
                    None => finding,
                });
            }
        }
    }
    if !granted.is_empty() {
        findings.push(Finding::nvctl(
            Severity::Info,
            CHECK,
            subject,
            format!("{user:?} may SELECT from {}", granted.join(", ")),
        ));
    }
}

/// The schema of `schema.table` as written (`public` when none is named, as PostgreSQL's
/// default search_path resolves it).
fn schema_name(table: &str) -> &str {
    table
        .rsplit_once('.')
        .map_or("public", |(schema, _)| schema)
}

/// The table's own name, as PostgreSQL's messages give it (`products` for `public.products`).
fn relation_name(table: &str) -> &str {
    table
        .rsplit_once('.')
        .map_or(table, |(_, name)| name)
        .trim_matches('"')
}

/// Vault's own words for an error answer; the whole message otherwise.
pub(super) fn vault_words(e: &VaultError) -> String {
    match e {
        VaultError::Api { status, errors, .. } if !errors.is_empty() => {
            format!("Vault answered {status}: {}", errors.join("; "))
        }
        other => other.to_string(),
    }
}

fn login_finding(subject: &str, user: &str, e: &LoginError, doing: &str) -> Finding {
    match e {
        LoginError::Refused(words) => Finding::new(
            Severity::Error,
            Source::Postgresql,
            CHECK,
            subject,
            format!("{user:?}: {words}"),
        )
        .with_remedy("the role's creation statements must let the user log in (CREATE ROLE … WITH LOGIN PASSWORD '{{password}}')"),
        LoginError::Unreachable(why) => Finding::nvctl(
            Severity::Error,
            CHECK,
            subject,
            format!("nvctl could not reach PostgreSQL to {doing}: {why}"),
        )
        .with_remedy("run where the database is reachable, or pass --no-mint to skip the credentials proof"),
    }
}

impl Step for DatabaseProofStep {
    fn name(&self) -> &'static str {
        "database credentials"
    }

    fn reads_earlier_writes(&self) -> bool {
        true
    }

    fn observe(&mut self, _client: &VaultClient) -> Result<()> {
        Ok(())
    }

    fn plan(&self) -> Plan {
        Plan::nothing(
            format!("{}/creds", self.spec.path),
            format!("credentials proof for database {:?}", self.spec.name),
        )
        .with_in_place(if self.no_mint {
            format!("database {:?}: credentials proof skipped (--no-mint).", self.spec.name)
        } else {
            format!(
                "database {:?}: when this run writes its settings, a credential is minted, used and revoked to prove them (a run that writes nothing mints nothing).",
                self.spec.name
            )
        })
    }

    fn apply(&mut self, _client: &VaultClient, _ui: &Ui) -> Result<()> {
        Ok(())
    }

    fn verify(&mut self, client: &VaultClient) -> Result<Findings> {
        let mut findings = Findings::new();
        if self.no_mint {
            return Ok(findings);
        }
        if super::database_root::proves(&self.facts, &self.spec) {
            // The root rotation runs this proof first, and reports it.
            return Ok(findings);
        }
        if !self.facts.get::<DatabaseWritten>().unwrap_or_default().0 {
            findings.push(Finding::nvctl(
                Severity::Info,
                CHECK,
                format!("{}/creds", self.spec.path),
                "nothing changed: the credentials proof ran when the settings were written"
                    .to_string(),
            ));
            return Ok(findings);
        }
        Ok(prove_roles(&self.spec, client, self.timeout))
    }
}
