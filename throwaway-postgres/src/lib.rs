//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, `postgres` on a
//! free loopback port, run as a non-root user, stopped and removed at the end.
//!
//! ```no_run
//! let cluster = throwaway_postgres::Cluster::shared().expect("throwaway PostgreSQL");
//! let tenant = cluster.tenant().unwrap();          // its own database and superuser
//! println!("{}", tenant.templated_url());          // postgresql://{{username}}:{{password}}@…
//! assert!(tenant.login("nobody", "wrong").is_err());
//! ```
//!
//! Tests share one cluster per test binary ([`Cluster::shared`]) and isolate themselves with a
//! [`Tenant`]: a fresh database owned by a fresh superuser role, so that one test rotating "its"
//! root password or revoking "its" users never touches another's.
//!
//! Why it is shaped like this:
//! - PostgreSQL refuses to run as root, and the tests run as root here and in CI. When the
//!   process is root, `initdb` and `postgres` run as the `postgres` system user (Debian's
//!   packages create it), else as `nobody`; the data directory is handed to that user. When the
//!   tests run as an ordinary user, the server runs as that user.
//! - The binaries are looked up on `PATH` and then under `/usr/lib/postgresql/<version>/bin`
//!   (where Debian puts them). When neither has them the error says how to install them: a test
//!   never skips because PostgreSQL is missing.
//! - A static is never dropped, so a shared cluster cannot stop itself in `Drop`. Each cluster has
//!   a small reaper process (`sh`) that waits on a pipe from this process: when the test binary
//!   exits in any way — normally, on a panic, or killed — the pipe closes and the reaper stops the
//!   server and removes the directory. [`Cluster`]'s `Drop` closes the pipe and waits for it.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use postgres;

/// The loopback address every cluster listens on.
pub const HOST: &str = "127.0.0.1";

/// How long a server may take to become ready, and a client to connect (bounds, not timings).
const READY_WITHIN: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts at starting on a free port (another process may take it between the check and the bind).
const START_ATTEMPTS: u32 = 5;

/// What went wrong setting a cluster up or talking to it; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error(describe(&e))
    }
}

fn io_error(what: &str, e: io::Error) -> Error {
    Error(format!("{what}: {e}"))
}

/// A PostgreSQL error as its server sent it (`ERROR: role "x" does not exist (SQLSTATE 42704)`),
/// else the client's own description.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        ),
        None => e.to_string(),
    }
}

/// Where the server binaries live: one directory holding both `initdb` and `postgres`.
#[derive(Debug, Clone)]
struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    fn find() -> Result<Binaries, Error> {
        let on_path = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default();
        for dir in on_path {
            // Resolve symlinks (Debian machines link /usr/local/bin/initdb into the version's
            // directory) so that `postgres` comes from the same installation as `initdb`.
            let Ok(initdb) = fs::canonicalize(dir.join("initdb")) else {
                continue;
            };
            if let Some(real_dir) = initdb.parent() {
                if real_dir.join("postgres").is_file() {
                    return Ok(Binaries {
                        dir: real_dir.to_path_buf(),
                    });
                }
            }
        }
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
                let bin = entry.path().join("bin");
                (bin.join("initdb").is_file() && bin.join("postgres").is_file())
                    .then_some((version, bin))
            })
            .collect();
        versions.sort();
        match versions.pop() {
            Some((_, dir)) => Ok(Binaries { dir }),
            None => Err(Error(
                "PostgreSQL server binaries (initdb, postgres) were found neither on PATH nor under \
                 /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql) — \
                 .ci/run does this itself, see README \"Testing\""
                    .into(),
            )),
        }
    }

    fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }
}

/// The Unix user the server runs as (`None`: this process's own user).
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: u32,
    gid: u32,
}

impl RunAs {
    fn decide() -> Result<Option<RunAs>, Error> {
        if effective_uid()? != 0 {
            return Ok(None);
        }
        let passwd =
            fs::read_to_string("/etc/passwd").map_err(|e| io_error("reading /etc/passwd", e))?;
        for wanted in ["postgres", "nobody"] {
            for line in passwd.lines() {
                let fields: Vec<&str> = line.split(':').collect();
                if fields.len() < 4 || fields[0] != wanted {
                    continue;
                }
                if let (Ok(uid), Ok(gid)) = (fields[2].parse(), fields[3].parse()) {
                    if uid != 0 {
                        return Ok(Some(RunAs { uid, gid }));
                    }
                }
            }
        }
        Err(Error(
            "running as root, and neither a `postgres` nor a `nobody` user exists to run \
             PostgreSQL as (it refuses root); install Debian's postgresql package, which creates \
             `postgres`, or run the tests as an ordinary user"
                .into(),
        ))
    }

    fn apply(self, command: &mut Command) {
        // As root, std drops the supplementary groups before switching (setgroups(0)).
        command.uid(self.uid).gid(self.gid);
    }
}

/// This process's effective user id, from `/proc/self/status` (`Uid: real effective …`).
fn effective_uid() -> Result<u32, Error> {
    let status = fs::read_to_string("/proc/self/status")
        .map_err(|e| io_error("reading /proc/self/status", e))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| Error("no effective uid in /proc/self/status".into()))
}

fn random_lowercase(len: usize) -> String {
    (0..len).map(|_| fastrand::lowercase()).collect()
}

fn random_password() -> String {
    (0..24).map(|_| fastrand::alphanumeric()).collect()
}

/// A port on 127.0.0.1 that nothing listens on right now (a connection to it is refused).
pub fn unused_port() -> Result<u16, Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| io_error("binding a loopback port", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| io_error("reading the bound port", e))
}

/// A running throwaway cluster. Dropping it stops the server and removes its directory.
pub struct Cluster {
    dir: PathBuf,
    port: u16,
    superuser: String,
    superuser_password: String,
    server: Mutex<Option<Child>>,
    reaper: Mutex<Option<(Child, ChildStdin)>>,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("dir", &self.dir)
            .field("port", &self.port)
            .field("superuser", &self.superuser)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// The cluster this test binary shares, started on first use.
    pub fn shared() -> Result<&'static Cluster, Error> {
        static SHARED: OnceLock<Result<Cluster, Error>> = OnceLock::new();
        SHARED
            .get_or_init(Cluster::start)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A cluster of its own (for a test that stops or breaks the server).
    pub fn start() -> Result<Cluster, Error> {
        let binaries = Binaries::find()?;
        let run_as = RunAs::decide()?;
        let dir = std::env::temp_dir().join(format!(
            "throwaway-postgres-{}-{}",
            std::process::id(),
            random_lowercase(8)
        ));
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| io_error(&format!("creating {}", dir.display()), e))?;
        let mut cluster = Cluster {
            dir,
            port: 0,
            superuser: "throwaway".into(),
            superuser_password: random_password(),
            server: Mutex::new(None),
            reaper: Mutex::new(None),
        };
        // From here on `cluster`'s Drop removes the directory whatever fails.
        cluster.init(&binaries, run_as)?;
        cluster.serve(&binaries, run_as)?;
        Ok(cluster)
    }

    fn init(&self, binaries: &Binaries, run_as: Option<RunAs>) -> Result<(), Error> {
        let password_file = self.dir.join("superuser.password");
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&password_file)
            .and_then(|mut f| io::Write::write_all(&mut f, self.superuser_password.as_bytes()))
            .map_err(|e| io_error("writing the superuser password file", e))?;
        if let Some(user) = run_as {
            for path in [&self.dir, &password_file] {
                std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
                    .map_err(|e| io_error(&format!("handing {} over", path.display()), e))?;
            }
        }
        let mut command = Command::new(binaries.initdb());
        command
            .arg("--pgdata")
            .arg(self.data_dir())
            .arg("--username")
            .arg(&self.superuser)
            .arg(format!("--pwfile={}", password_file.display()))
            .args([
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ])
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        if let Some(user) = run_as {
            user.apply(&mut command);
        }
        let output = command
            .output()
            .map_err(|e| io_error(&format!("running {}", binaries.initdb().display()), e))?;
        fs::remove_file(&password_file).ok();
        if !output.status.success() {
            return Err(Error(format!(
                "initdb failed ({}): {}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// Starts `postgres` on a free port and waits until it accepts connections; retries on
    /// another port when the chosen one was taken in between.
    fn serve(&mut self, binaries: &Binaries, run_as: Option<RunAs>) -> Result<(), Error> {
        let mut last_error = Error("postgres was not started".into());
        for _ in 0..START_ATTEMPTS {
            let port = unused_port()?;
            match self.start_server(binaries, run_as, port) {
                Ok(()) => {
                    self.port = port;
                    return Ok(());
                }
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    fn start_server(
        &mut self,
        binaries: &Binaries,
        run_as: Option<RunAs>,
        port: u16,
    ) -> Result<(), Error> {
        let log = File::create(self.log_path()).map_err(|e| io_error("creating the log", e))?;
        let log_err = log
            .try_clone()
            .map_err(|e| io_error("duplicating the log handle", e))?;
        let mut command = Command::new(binaries.postgres());
        command
            .arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(port.to_string())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                // No Unix socket: its default directory may not exist or not be writable.
                "-c",
                "unix_socket_directories=",
                // A throwaway cluster needs no durability.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        if let Some(user) = run_as {
            user.apply(&mut command);
        }
        let mut server = command
            .spawn()
            .map_err(|e| io_error(&format!("starting {}", binaries.postgres().display()), e))?;
        let pid = server.id();
        // The reaper first, so that the server is stopped even if this process dies while waiting.
        let mut reaper = Command::new("/bin/sh")
            .arg("-c")
            .arg(
                // Wait for the pipe to close (this process ended or dropped the cluster), stop the
                // server (fast shutdown, then SIGKILL after ~15 s), remove the directory.
                r#"read _; kill -INT "$1" 2>/dev/null
                   i=0; while kill -0 "$1" 2>/dev/null && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i+1)); done
                   kill -KILL "$1" 2>/dev/null; rm -rf "$2""#,
            )
            .arg("throwaway-postgres-reaper")
            .arg(pid.to_string())
            .arg(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| io_error("starting the reaper (/bin/sh)", e))?;
        let pipe = reaper.stdin.take();
        match pipe {
            Some(pipe) => *lock(&self.reaper) = Some((reaper, pipe)),
            None => {
                let _ = server.kill();
                let _ = server.wait();
                return Err(Error("the reaper has no stdin pipe".into()));
            }
        }
        *lock(&self.server) = Some(server);
        match self.wait_ready() {
            Ok(()) => Ok(()),
            Err(e) => {
                // Stop this attempt: the reaper kills the server; keep the directory for a retry.
                self.stop(false);
                Err(e)
            }
        }
    }

    /// Ready when `postmaster.pid` says so (line 8, as `pg_ctl -w` checks); failed when the
    /// server exits first.
    fn wait_ready(&self) -> Result<(), Error> {
        let deadline = Instant::now() + READY_WITHIN;
        let pid_file = self.data_dir().join("postmaster.pid");
        loop {
            if let Ok(text) = fs::read_to_string(&pid_file) {
                if text.lines().nth(7).is_some_and(|s| s.trim() == "ready") {
                    return Ok(());
                }
            }
            let exited = lock(&self.server)
                .as_mut()
                .map(|child| child.try_wait())
                .transpose()
                .map_err(|e| io_error("checking on postgres", e))?
                .flatten();
            if let Some(status) = exited {
                return Err(Error(format!(
                    "postgres exited ({status}) before accepting connections: {}",
                    self.log_tail()
                )));
            }
            if Instant::now() >= deadline {
                return Err(Error(format!(
                    "postgres was not ready within {READY_WITHIN:?}: {}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(self.log_path()) {
            let _ = f.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }

    /// Closes the reaper's pipe and waits for it; with `remove` false the reaper was told to
    /// leave the directory (a failed start attempt that is retried).
    fn stop(&self, remove: bool) {
        let reaper = lock(&self.reaper).take();
        if let Some((mut reaper, pipe)) = reaper {
            if !remove {
                // Replace the job: kill the reaper and stop the server by hand.
                let _ = reaper.kill();
                let _ = reaper.wait();
                drop(pipe);
                if let Some(mut server) = lock(&self.server).take() {
                    let _ = server.kill();
                    let _ = server.wait();
                }
                let _ = fs::remove_file(self.data_dir().join("postmaster.pid"));
                return;
            }
            drop(pipe);
            // Reap the server once the reaper's SIGINT has stopped it, so that the reaper does
            // not wait on a zombie; both waits are bounded by the reaper's SIGKILL.
            if let Some(mut server) = lock(&self.server).take() {
                let _ = server.wait();
            }
            let _ = reaper.wait();
        }
        if remove {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    pub fn host(&self) -> &str {
        HOST
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A client connected as the bootstrap superuser to `database`.
    pub fn superuser_client(&self, database: &str) -> Result<postgres::Client, Error> {
        connect(
            self.port,
            &self.superuser,
            &self.superuser_password,
            database,
        )
    }

    /// A fresh database owned by a fresh superuser role, both with random names.
    pub fn tenant(&self) -> Result<Tenant, Error> {
        let name = format!("tenant_{}", random_lowercase(10));
        let password = random_password();
        let mut admin = self.superuser_client("postgres")?;
        admin.batch_execute(&format!(
            "CREATE ROLE \"{name}\" WITH SUPERUSER LOGIN PASSWORD '{password}'"
        ))?;
        // CREATE DATABASE refuses to run in the implicit transaction of a multi-statement batch.
        admin.batch_execute(&format!("CREATE DATABASE \"{name}\" OWNER \"{name}\""))?;
        Ok(Tenant {
            port: self.port,
            database: name.clone(),
            user: name,
            password,
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop(true);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn connect(
    port: u16,
    user: &str,
    password: &str,
    database: &str,
) -> Result<postgres::Client, Error> {
    postgres::Config::new()
        .host(HOST)
        .port(port)
        .user(user)
        .password(password)
        .dbname(database)
        .connect_timeout(CONNECT_TIMEOUT)
        .connect(postgres::NoTls)
        .map_err(Error::from)
}

/// One test's slice of a cluster: its own database, and a superuser role of its own that plays
/// the operator's `postgres` user (the "root" credentials Vault is configured with).
#[derive(Clone)]
pub struct Tenant {
    port: u16,
    database: String,
    user: String,
    password: String,
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant")
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Tenant {
    pub fn host(&self) -> &str {
        HOST
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The tenant's superuser role (what `username` names in Vault's connection config).
    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// `postgresql://{{username}}:{{password}}@127.0.0.1:<port>/<database>?sslmode=disable`,
    /// the seed's URL shape pointed at this tenant.
    pub fn templated_url(&self) -> String {
        format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@{HOST}:{}/{}?sslmode=disable",
            self.port, self.database
        )
    }

    /// The same URL with the tenant's credentials written in (the form Vault warns about).
    pub fn literal_url(&self) -> String {
        format!(
            "postgresql://{}:{}@{HOST}:{}/{}?sslmode=disable",
            self.user, self.password, self.port, self.database
        )
    }

    /// A client connected as the tenant's superuser to the tenant's database.
    pub fn client(&self) -> Result<postgres::Client, Error> {
        connect(self.port, &self.user, &self.password, &self.database)
    }

    /// Runs `sql` (one or more statements) as the tenant's superuser.
    pub fn execute(&self, sql: &str) -> Result<(), Error> {
        self.client()?.batch_execute(sql).map_err(Error::from)
    }

    /// Whether a role of this name exists in the cluster.
    pub fn role_exists(&self, role: &str) -> Result<bool, Error> {
        let row = self.client()?.query_one(
            "SELECT exists (SELECT rolname FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )?;
        Ok(row.get(0))
    }

    /// `VALID UNTIL` of a role as text (`None`: no expiry, or no such role).
    pub fn valid_until(&self, role: &str) -> Result<Option<String>, Error> {
        let rows = self.client()?.query(
            "SELECT rolvaliduntil::text FROM pg_roles WHERE rolname = $1",
            &[&role],
        )?;
        Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)))
    }

    /// Logs in to the tenant's database as `user` and runs `SELECT 1`; the error is the server's
    /// own words (`FATAL: password authentication failed for user "x" (SQLSTATE 28P01)`).
    pub fn login(&self, user: &str, password: &str) -> Result<(), Error> {
        let mut client = connect(self.port, user, password, &self.database)?;
        client.simple_query("SELECT 1")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_gets_its_own_database_and_superuser() {
        let cluster = Cluster::shared().expect("throwaway PostgreSQL");
        let a = cluster.tenant().unwrap();
        let b = cluster.tenant().unwrap();
        assert_ne!(a.database(), b.database());
        a.login(a.user(), a.password()).unwrap();
        a.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1);")
            .unwrap();
        let count: i64 = a
            .client()
            .unwrap()
            .query_one("SELECT count(*) FROM t", &[])
            .unwrap()
            .get(0);
        assert_eq!(count, 1);
        assert!(a.role_exists(b.user()).unwrap());
        assert!(!a.role_exists("no-such-role").unwrap());
    }

    #[test]
    fn a_wrong_password_is_refused_in_the_servers_words() {
        let tenant = Cluster::shared().unwrap().tenant().unwrap();
        let err = tenant.login(tenant.user(), "wrong").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "FATAL: password authentication failed for user \"{}\" (SQLSTATE 28P01)",
                tenant.user()
            )
        );
    }

    #[test]
    fn a_dropped_cluster_stops_and_leaves_nothing_behind() {
        let cluster = Cluster::start().unwrap();
        let port = cluster.port();
        let dir = cluster.dir.clone();
        cluster.tenant().unwrap();
        let pid = lock(&cluster.server).as_ref().map(Child::id).unwrap();
        drop(cluster);
        assert!(!dir.exists(), "{} was not removed", dir.display());
        // The server was waited for: its pid is gone (not even a zombie of this process).
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "postgres {pid} on port {port} still runs"
        );
    }

    #[test]
    fn the_binaries_are_found_with_initdb_and_postgres_together() {
        let binaries = Binaries::find().unwrap();
        assert!(binaries.initdb().is_file());
        assert!(binaries.postgres().is_file());
    }
}
