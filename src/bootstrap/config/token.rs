//! `token { period, output }`: the Nomad servers' token — its period and the 0600 file it is
//! kept in.

use std::path::PathBuf;

use super::problems::Setting;
use super::reader::{RawBlock, Schema};
use super::{Resolver, DEFAULT_PERIOD, DEFAULT_TOKEN_OUTPUT};

pub(super) const SCHEMA: Schema = Schema::block("token", &["period", "output"]);

pub(super) struct Token {
    /// Seconds.
    pub period: u64,
    pub output: Setting<PathBuf>,
}

pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Token {
    let block = file.block(SCHEMA.name);
    let p = &mut r.problems;
    let file_period = block.and_then(|b| b.duration("period", p));
    let file_output = block.and_then(|b| b.path("output", p));
    let period = Setting::pick(
        r.args.token_period.clone(),
        "--token-period",
        file_period,
        || DEFAULT_PERIOD.to_string(),
    );
    let output = Setting::pick(
        r.args.token_output.clone(),
        "--token-output",
        file_output,
        || r.default_path(DEFAULT_TOKEN_OUTPUT),
    );
    Token {
        period: r.period(&period, "token period"),
        output,
    }
}
