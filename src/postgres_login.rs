//! nvctl's own short PostgreSQL session: log in with credentials Vault minted, run `SELECT 1`,
//! hang up. It proves that a role's credentials work on the real database (issue 14), and
//! that they stop working once the lease is revoked.
//!
//! The client is nvctl's own and synchronous (issue 12): a `TcpStream` (or a `UnixStream` when
//! the URL's host is a directory, `{host}/.s.PGSQL.{port}`) with read and write timeouts, the
//! messages encoded and decoded by `postgres-protocol`, which also does the authentication
//! (cleartext, MD5, SCRAM-SHA-256 without channel binding). No async runtime, no TLS.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256, SCRAM_SHA_256};
use postgres_protocol::message::backend::{ErrorResponseBody, Message};
use postgres_protocol::message::frontend;
use postgres_protocol::IsNull;

use crate::postgres_url::PostgresUrl;
use crate::secret::SecretString;

/// How a login went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// PostgreSQL answered, and refused: its own words (`FATAL: password authentication
    /// failed for user "v-…" (SQLSTATE 28P01)`).
    Refused(String),
    /// PostgreSQL could not be reached (or spoke no protocol nvctl can use).
    Unreachable(String),
}

impl LoginError {
    /// PostgreSQL refused the password (`28P01 invalid_password`), as it does once the
    /// password was changed.
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, LoginError::Refused(words) if words.ends_with("(SQLSTATE 28P01)"))
    }
}

/// Logs in to the database `url` names as `user`, runs `SELECT 1`.
pub fn login(
    url: &PostgresUrl,
    user: &str,
    password: &SecretString,
    timeout: Duration,
) -> Result<(), LoginError> {
    session(url, user, password, timeout).map(drop)
}

/// A short session, logged in and past `SELECT 1`; it hangs up when dropped.
pub struct Session(Connection);

impl Session {
    /// `has_table_privilege(table, 'SELECT')` for the session's user: whether a `SELECT` on
    /// `table` (`schema.table`) would be allowed. A table PostgreSQL does not know is its
    /// error (`relation "…" does not exist (SQLSTATE 42P01)`).
    pub fn can_select(&mut self, table: &str) -> Result<bool, LoginError> {
        let conn = &mut self.0;
        conn.deadline = Instant::now() + conn.timeout;
        // The extended protocol, the table a bound text parameter: never spliced into SQL.
        let mut buf = BytesMut::new();
        frontend::parse(
            "",
            "SELECT has_table_privilege($1, 'SELECT')",
            [TEXT_OID],
            &mut buf,
        )
        .map_err(|e| LoginError::Unreachable(format!("cannot encode the query: {e}")))?;
        frontend::bind(
            "",
            "",
            [0], // the parameter in text format
            [table.as_bytes()],
            |value, buf| {
                buf.extend_from_slice(value);
                Ok(IsNull::No)
            },
            [0], // the result in text format
            &mut buf,
        )
        .map_err(|_| LoginError::Unreachable(format!("cannot encode the table name {table:?}")))?;
        frontend::execute("", 0, &mut buf)
            .map_err(|e| LoginError::Unreachable(format!("cannot encode the query: {e}")))?;
        frontend::sync(&mut buf);
        conn.send(&buf)?;

        let mut answer = None;
        conn.until_ready(|message| {
            if let Message::DataRow(row) = message {
                if answer.is_none() {
                    answer = Some(first_bool(&row));
                }
            }
            Ok(())
        })?;
        match answer {
            Some(Ok(Some(granted))) => Ok(granted),
            Some(Ok(None)) => Err(LoginError::Unreachable(format!(
                "has_table_privilege('{table}', 'SELECT') answered NULL"
            ))),
            Some(Err(why)) => Err(LoginError::Unreachable(format!(
                "has_table_privilege('{table}', 'SELECT') answered {why}"
            ))),
            None => Err(LoginError::Unreachable(format!(
                "has_table_privilege('{table}', 'SELECT') answered no row"
            ))),
        }
    }
}

/// Logs in as `user` (see [`login`]) and keeps the session open for further checks.
pub fn session(
    url: &PostgresUrl,
    user: &str,
    password: &SecretString,
    timeout: Duration,
) -> Result<Session, LoginError> {
    let at = url.location();
    if let Some(mode) = at
        .param("sslmode")
        .filter(|m| matches!(*m, "require" | "verify-ca" | "verify-full"))
    {
        return Err(LoginError::Unreachable(format!(
            "sslmode={mode}: nvctl logs in without TLS only (use --no-mint to skip the proof)"
        )));
    }
    let deadline = Instant::now() + timeout;
    let mut conn = Connection::open(&at.host, at.port, timeout, deadline)?;
    let database = if at.database.is_empty() {
        user
    } else {
        &at.database
    };
    conn.startup(user, database, password)?;
    conn.simple_query("SELECT 1")?;
    Ok(Session(conn))
}

/// The most nvctl reads of one message (a hostile server could announce up to 2 GiB):
/// nothing it asks for comes near it.
const MAX_MESSAGE: usize = 1 << 20;

/// `text`'s type OID: the parameter's type, fixed so PostgreSQL picks
/// `has_table_privilege(text, text)`.
const TEXT_OID: u32 = 25;

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    fn set_timeouts(&self, read: Option<Duration>, write: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(read)?;
                s.set_write_timeout(write)
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(read)?;
                s.set_write_timeout(write)
            }
        }
    }

    fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            #[cfg(unix)]
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
        };
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            #[cfg(unix)]
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// One connection; every read and write ends by `deadline` (the login's, then each query's).
struct Connection {
    stream: Stream,
    /// `host:port` or the socket's path, for the error texts.
    place: String,
    timeout: Duration,
    deadline: Instant,
}

impl Connection {
    fn open(
        host: &str,
        port: u16,
        timeout: Duration,
        deadline: Instant,
    ) -> Result<Connection, LoginError> {
        if host.starts_with('/') {
            let path = format!("{host}/.s.PGSQL.{port}");
            return Connection::open_unix(path, timeout, deadline);
        }
        let place = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let addrs = (host, port)
            .to_socket_addrs()
            .map_err(|e| LoginError::Unreachable(format!("cannot resolve {host}: {e}")))?;
        let mut failures = Vec::new();
        for addr in addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                failures.push(format!(
                    "cannot connect to {addr}: no answer within {}",
                    humantime::format_duration(timeout)
                ));
                break;
            }
            match TcpStream::connect_timeout(&addr, left) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Connection {
                        stream: Stream::Tcp(stream),
                        place,
                        timeout,
                        deadline,
                    });
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    failures.push(format!(
                        "cannot connect to {addr}: no answer within {}",
                        humantime::format_duration(timeout)
                    ))
                }
                Err(e) => failures.push(format!("cannot connect to {addr}: {e}")),
            }
        }
        if failures.is_empty() {
            failures.push(format!("cannot resolve {host}: no address"));
        }
        Err(LoginError::Unreachable(failures.join("; ")))
    }

    #[cfg(unix)]
    fn open_unix(
        path: String,
        timeout: Duration,
        deadline: Instant,
    ) -> Result<Connection, LoginError> {
        // std has no connect timeout for Unix sockets, and a connect blocks while the
        // server's listen backlog is full: it runs on a thread of its own, waited for until
        // the deadline (a thread still blocked then ends with the process).
        let (tx, rx) = std::sync::mpsc::channel();
        let target = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(UnixStream::connect(&target));
        });
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(stream)) => Ok(Connection {
                stream: Stream::Unix(stream),
                place: path,
                timeout,
                deadline,
            }),
            Ok(Err(e)) => Err(LoginError::Unreachable(format!(
                "cannot connect to {path}: {e}"
            ))),
            Err(_) => Err(LoginError::Unreachable(format!(
                "cannot connect to {path}: no connection within {}",
                humantime::format_duration(timeout)
            ))),
        }
    }

    #[cfg(not(unix))]
    fn open_unix(
        path: String,
        _timeout: Duration,
        _deadline: Instant,
    ) -> Result<Connection, LoginError> {
        Err(LoginError::Unreachable(format!(
            "cannot connect to {path}: Unix sockets are not supported on this platform"
        )))
    }

    /// The time left before the deadline, set as both socket timeouts.
    fn arm(&self) -> io::Result<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_timeouts(Some(left), Some(left))
    }

    /// What an I/O error means, in the operator's words (never a secret: nvctl's own texts
    /// and the OS's).
    fn io_error(&self, doing: &str, e: io::Error) -> LoginError {
        LoginError::Unreachable(match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => format!(
                "{doing} PostgreSQL at {}: no answer within {}",
                self.place,
                humantime::format_duration(self.timeout)
            ),
            io::ErrorKind::UnexpectedEof => {
                format!(
                    "{doing} PostgreSQL at {}: it closed the connection",
                    self.place
                )
            }
            _ => format!("{doing} PostgreSQL at {}: {e}", self.place),
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), LoginError> {
        self.arm()
            .and_then(|()| self.stream.write_all(bytes))
            .map_err(|e| self.io_error("writing to", e))
    }

    fn receive(&mut self) -> Result<Message, LoginError> {
        let mut reader = Deadlined(self);
        read_message(&mut reader).map_err(|e| self.io_error("reading from", e))
    }

    /// StartupMessage and the authentication, then up to the first ReadyForQuery.
    fn startup(
        &mut self,
        user: &str,
        database: &str,
        password: &SecretString,
    ) -> Result<(), LoginError> {
        let mut buf = BytesMut::new();
        frontend::startup_message(
            [
                ("user", user),
                ("database", database),
                ("application_name", "nvctl"),
                ("client_encoding", "UTF8"),
            ],
            &mut buf,
        )
        .map_err(|e| LoginError::Unreachable(format!("cannot encode the startup message: {e}")))?;
        self.send(&buf)?;
        self.authenticate(user, password)?;
        // ParameterStatus, BackendKeyData, notices, then ReadyForQuery (or an error).
        self.until_ready(|_| Ok(()))
    }

    fn authenticate(&mut self, user: &str, password: &SecretString) -> Result<(), LoginError> {
        loop {
            let mut buf = BytesMut::new();
            match self.receive()? {
                Message::AuthenticationOk => return Ok(()),
                Message::AuthenticationCleartextPassword => {
                    frontend::password_message(password.expose().as_bytes(), &mut buf)
                        .map_err(|_| unencodable_password())?;
                    self.send(&buf)?;
                }
                Message::AuthenticationMd5Password(body) => {
                    let hash =
                        md5_hash(user.as_bytes(), password.expose().as_bytes(), body.salt());
                    frontend::password_message(hash.as_bytes(), &mut buf)
                        .map_err(|_| unencodable_password())?;
                    self.send(&buf)?;
                }
                Message::AuthenticationSasl(body) => {
                    let mut mechanisms = body.mechanisms();
                    let mut offered = Vec::new();
                    while let Some(mechanism) = mechanisms.next().map_err(|e| self.malformed(e))? {
                        offered.push(mechanism.to_string());
                    }
                    if !offered.iter().any(|m| m == SCRAM_SHA_256) {
                        return Err(LoginError::Unreachable(format!(
                            "PostgreSQL at {} asks for SASL authentication with {}: nvctl speaks SCRAM-SHA-256 only",
                            self.place,
                            offered.join(", ")
                        )));
                    }
                    self.scram(password)?;
                }
                Message::ErrorResponse(body) => return Err(refusal(&body)),
                Message::NoticeResponse(_) => {}
                other => {
                    return Err(LoginError::Unreachable(format!(
                        "PostgreSQL at {} asks for {}, which nvctl does not speak (it logs in with a password: cleartext, MD5 or SCRAM-SHA-256)",
                        self.place,
                        auth_kind(&other)
                    )))
                }
            }
        }
    }

    /// SCRAM-SHA-256 without channel binding (no TLS): initial response, response, final.
    fn scram(&mut self, password: &SecretString) -> Result<(), LoginError> {
        let mut scram =
            ScramSha256::new(password.expose().as_bytes(), ChannelBinding::unsupported());
        let mut buf = BytesMut::new();
        frontend::sasl_initial_response(SCRAM_SHA_256, scram.message(), &mut buf)
            .map_err(|e| self.scram_failed(e))?;
        self.send(&buf)?;
        match self.receive()? {
            Message::AuthenticationSaslContinue(body) => scram
                .update(body.data())
                .map_err(|e| self.scram_failed(e))?,
            Message::ErrorResponse(body) => return Err(refusal(&body)),
            _ => return Err(self.scram_failed(io::Error::other("unexpected message"))),
        }
        buf.clear();
        frontend::sasl_response(scram.message(), &mut buf).map_err(|e| self.scram_failed(e))?;
        self.send(&buf)?;
        match self.receive()? {
            Message::AuthenticationSaslFinal(body) => {
                scram.finish(body.data()).map_err(|e| self.scram_failed(e))
            }
            Message::ErrorResponse(body) => Err(refusal(&body)),
            _ => Err(self.scram_failed(io::Error::other("unexpected message"))),
        }
    }

    fn scram_failed(&self, e: io::Error) -> LoginError {
        LoginError::Unreachable(format!(
            "SCRAM-SHA-256 authentication with PostgreSQL at {} failed: {e}",
            self.place
        ))
    }

    fn malformed(&self, e: io::Error) -> LoginError {
        LoginError::Unreachable(format!(
            "PostgreSQL at {} sent a malformed message: {e}",
            self.place
        ))
    }

    /// A simple query whose rows nvctl does not need.
    fn simple_query(&mut self, sql: &str) -> Result<(), LoginError> {
        let mut buf = BytesMut::new();
        frontend::query(sql, &mut buf)
            .map_err(|e| LoginError::Unreachable(format!("cannot encode the query: {e}")))?;
        self.send(&buf)?;
        self.until_ready(|_| Ok(()))
    }

    /// Reads up to ReadyForQuery, each message but the noise handed to `each`. An
    /// ErrorResponse is the answer, once ReadyForQuery came (the connection stays usable); a
    /// connection lost after it (as after a FATAL) still answers with PostgreSQL's words.
    fn until_ready(
        &mut self,
        mut each: impl FnMut(Message) -> Result<(), LoginError>,
    ) -> Result<(), LoginError> {
        let mut error = None;
        loop {
            let message = match self.receive() {
                Ok(message) => message,
                Err(lost) => return Err(error.unwrap_or(lost)),
            };
            match message {
                Message::ReadyForQuery(_) => return error.map_or(Ok(()), Err),
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| refusal(&body));
                }
                Message::ParameterStatus(_)
                | Message::BackendKeyData(_)
                | Message::NoticeResponse(_)
                | Message::NotificationResponse(_) => {}
                other if error.is_none() => each(other)?,
                _ => {}
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut buf = BytesMut::new();
        frontend::terminate(&mut buf);
        let wait = self
            .timeout
            .clamp(Duration::from_millis(1), Duration::from_secs(1));
        let _ = self.stream.set_timeouts(Some(wait), Some(wait));
        let _ = self.stream.write_all(&buf);
        self.stream.shutdown();
    }
}

/// The stream, each read bounded by the connection's deadline.
struct Deadlined<'a>(&'a mut Connection);

impl Read for Deadlined<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.arm()?;
        self.0.stream.read(buf)
    }
}

/// One backend message: the header read first, a length over [`MAX_MESSAGE`] refused before
/// anything is allocated for it.
fn read_message(reader: &mut impl Read) -> io::Result<Message> {
    let mut header = [0u8; 5];
    reader.read_exact(&mut header)?;
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if len < 4 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message whose length is {len}, below the minimum of 4"),
        ));
    }
    if len - 4 > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a message of {} bytes (type {:?}), over nvctl's limit of {MAX_MESSAGE}",
                len - 4,
                char::from(header[0])
            ),
        ));
    }
    let mut buf = BytesMut::zeroed(len + 1);
    buf[..5].copy_from_slice(&header);
    reader.read_exact(&mut buf[5..])?;
    match Message::parse(&mut buf) {
        Ok(Some(message)) => Ok(message),
        Ok(None) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a truncated message",
        )),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a malformed message: {e}"),
        )),
    }
}

/// PostgreSQL's own words for an error it sent: `{severity}: {message} (SQLSTATE {code})`.
fn refusal(body: &ErrorResponseBody) -> LoginError {
    let (mut severity, mut message, mut code) = (None, None, None);
    let mut fields = body.fields();
    loop {
        match fields.next() {
            Ok(Some(field)) => {
                let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
                match field.type_() {
                    b'S' => severity = Some(value),
                    b'M' => message = Some(value),
                    b'C' => code = Some(value),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                return LoginError::Unreachable(format!(
                    "PostgreSQL sent a malformed error message: {e}"
                ))
            }
        }
    }
    match (severity, message, code) {
        (Some(severity), Some(message), Some(code)) => {
            LoginError::Refused(format!("{severity}: {message} (SQLSTATE {code})"))
        }
        (_, message, code) => LoginError::Unreachable(format!(
            "PostgreSQL sent an error without its severity, message or code: {} (SQLSTATE {})",
            message.as_deref().unwrap_or("no message"),
            code.as_deref().unwrap_or("none")
        )),
    }
}

/// The first column of a DataRow as a text-format boolean; `None` for NULL.
fn first_bool(
    row: &postgres_protocol::message::backend::DataRowBody,
) -> Result<Option<bool>, String> {
    let range = match row.ranges().next() {
        Ok(Some(range)) => range,
        Ok(None) => return Err("a row without columns".to_string()),
        Err(e) => return Err(format!("a malformed row: {e}")),
    };
    match range.map(|r| &row.buffer()[r]) {
        None => Ok(None),
        Some(b"t") => Ok(Some(true)),
        Some(b"f") => Ok(Some(false)),
        Some(other) => Err(format!(
            "{:?}, not a boolean",
            String::from_utf8_lossy(other)
        )),
    }
}

fn unencodable_password() -> LoginError {
    // The password itself is never quoted.
    LoginError::Unreachable(
        "the password cannot be sent to PostgreSQL (it holds a NUL byte)".to_string(),
    )
}

/// The name of an authentication request nvctl does not answer.
fn auth_kind(message: &Message) -> &'static str {
    match message {
        Message::AuthenticationKerberosV5 => "Kerberos V5 authentication",
        Message::AuthenticationScmCredential => "SCM credential authentication",
        Message::AuthenticationGss | Message::AuthenticationGssContinue(_) => {
            "GSSAPI authentication"
        }
        Message::AuthenticationSspi => "SSPI authentication",
        Message::AuthenticationSaslContinue(_) | Message::AuthenticationSaslFinal(_) => {
            "a SASL step out of order"
        }
        _ => "a message out of order during authentication",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn frame(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn error_body(fields: &[(u8, &str)]) -> ErrorResponseBody {
        let mut body = Vec::new();
        for (kind, value) in fields {
            body.push(*kind);
            body.extend_from_slice(value.as_bytes());
            body.push(0);
        }
        body.push(0);
        match read_message(&mut Cursor::new(frame(b'E', &body))).unwrap() {
            Message::ErrorResponse(body) => body,
            _ => panic!("not an ErrorResponse"),
        }
    }

    #[test]
    fn an_error_response_is_said_in_postgresqls_words() {
        let e = refusal(&error_body(&[
            (b'S', "FATAL"),
            (b'V', "FATAL"),
            (b'C', "28P01"),
            (b'M', "password authentication failed for user \"x\""),
            (b'F', "auth.c"),
        ]));
        assert_eq!(
            e,
            LoginError::Refused(
                "FATAL: password authentication failed for user \"x\" (SQLSTATE 28P01)".into()
            )
        );
        assert!(e.is_wrong_password());
        let e = refusal(&error_body(&[
            (b'S', "ERROR"),
            (b'C', "42501"),
            (b'M', "permission denied for schema app"),
        ]));
        assert_eq!(
            e,
            LoginError::Refused("ERROR: permission denied for schema app (SQLSTATE 42501)".into())
        );
        assert!(!e.is_wrong_password());
    }

    #[test]
    fn an_error_response_without_its_code_is_no_refusal() {
        let e = refusal(&error_body(&[(b'S', "ERROR"), (b'M', "odd")]));
        assert!(matches!(e, LoginError::Unreachable(_)), "{e:?}");
    }

    #[test]
    fn a_message_over_the_limit_is_refused_before_it_is_read() {
        // The header announces 2 GiB; nothing follows it.
        let mut header = vec![b'D'];
        header.extend_from_slice(&0x7fff_fff0u32.to_be_bytes());
        let e = read_message(&mut Cursor::new(header)).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(
            e.to_string().contains("over nvctl's limit of 1048576"),
            "{e}"
        );

        let at_limit = frame(b'D', &vec![0; MAX_MESSAGE + 1]);
        let e = read_message(&mut Cursor::new(at_limit)).err().unwrap();
        assert!(e.to_string().contains("over nvctl's limit"), "{e}");
    }

    #[test]
    fn a_message_within_the_limit_is_read() {
        let mut row = 1u16.to_be_bytes().to_vec();
        row.extend_from_slice(&1i32.to_be_bytes());
        row.push(b't');
        match read_message(&mut Cursor::new(frame(b'D', &row))).unwrap() {
            Message::DataRow(row) => assert_eq!(first_bool(&row), Ok(Some(true))),
            _ => panic!("not a DataRow"),
        }
        let mut null = 1u16.to_be_bytes().to_vec();
        null.extend_from_slice(&(-1i32).to_be_bytes());
        match read_message(&mut Cursor::new(frame(b'D', &null))).unwrap() {
            Message::DataRow(row) => assert_eq!(first_bool(&row), Ok(None)),
            _ => panic!("not a DataRow"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_socket_directory_without_postgresql_is_unreachable_in_its_words() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().to_str().unwrap().replace('/', "%2F");
        let url = PostgresUrl::parse(&format!(
            "postgresql://{{{{username}}}}:{{{{password}}}}@{host}:5432/postgres"
        ))
        .unwrap();
        let err = login(
            &url,
            "someone",
            &SecretString::new("not-shown-7f3a9"),
            Duration::from_secs(2),
        )
        .unwrap_err();
        let LoginError::Unreachable(words) = err else {
            panic!("not unreachable: {err:?}")
        };
        assert!(
            words.starts_with(&format!(
                "cannot connect to {}/.s.PGSQL.5432: ",
                dir.path().display()
            )),
            "{words}"
        );
        assert!(!words.contains("not-shown-7f3a9"), "{words}");
    }

    #[test]
    fn a_short_length_or_a_cut_message_is_an_error() {
        let e = read_message(&mut Cursor::new(vec![b'Z', 0, 0, 0, 3]))
            .err()
            .unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let mut cut = frame(b'Z', b"I");
        cut.pop();
        let e = read_message(&mut Cursor::new(cut)).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }
}
