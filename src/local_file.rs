//! The one way nvctl reads an input file (token, policy, role, job, agent and bootstrap
//! configuration, CA, PGP key, init file): bounded, so that `/dev/zero` or a multi-gigabyte
//! file given by mistake ends in a message instead of exhausting memory, and checked as text
//! (UTF-8 without a byte order mark, which Nomad's and Vault's parsers do not take either).
//!
//! Errors are `io::Error`s so that callers keep their own "cannot read the X file P: …"
//! wording; the text after the colon says what is wrong, once.

use std::io::{self, Read};
use std::path::Path;

/// The most nvctl reads from a text input (a policy, a jobspec, a configuration): far above
/// any real one (a 10 MB policy is already extreme), far below trouble.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;
/// The most nvctl reads from a file holding one secret (a token file): a token is well under
/// a kilobyte.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Reads at most `limit` bytes of `path`; more is an error.
pub fn read_bytes(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(io::Error::other("it is a directory, not a file"));
    }
    read_bounded(file, limit)
}

/// Reads at most `limit` bytes from `reader` (stdin, a file); more is an error.
pub fn read_bounded(reader: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "it is larger than {}, the most nvctl reads from such a file",
            size(limit)
        )));
    }
    Ok(bytes)
}

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    text(read_bytes(path, limit)?)
}

/// Checks `bytes` are UTF-8 text without a byte order mark; names the line of a problem.
pub fn text(bytes: Vec<u8>) -> io::Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "line 1 starts with a UTF-8 byte order mark (BOM), which Nomad's and Vault's \
             parsers do not accept: save the file as UTF-8 without BOM",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line {line} is not UTF-8 text: is this the right file?"),
        )
    })
}

fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_zero_ends_in_a_message() {
        let err = read_text(Path::new("/dev/zero"), MAX_SECRET_FILE_BYTES).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is larger than 64 KiB, the most nvctl reads from such a file"
        );
    }

    #[test]
    fn a_bom_and_bad_bytes_are_named_with_their_line() {
        let bom = text(b"\xEF\xBB\xBFjob \"x\" {}".to_vec()).unwrap_err();
        assert!(bom
            .to_string()
            .starts_with("line 1 starts with a UTF-8 byte order mark"));
        let bad = text(b"a\nb\n\xFF".to_vec()).unwrap_err();
        assert_eq!(
            bad.to_string(),
            "line 3 is not UTF-8 text: is this the right file?"
        );
        assert_eq!(text(b"ok\n".to_vec()).unwrap(), "ok\n");
    }
}
