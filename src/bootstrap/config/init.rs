//! `init { key_shares, key_threshold, output }`: the seal configuration, checked with Vault's
//! own rules in Vault's order (`InitSpec::seal_problem`, vault/seal_config.go), and where the
//! keys are saved.

use std::path::PathBuf;

use super::problems::Setting;
use super::reader::{RawBlock, Schema};
use super::{Resolver, DEFAULT_INIT_OUTPUT, DEFAULT_SHARES, DEFAULT_THRESHOLD};
use crate::source::Located;
use crate::steps::init::{InitSpec, SealProblem};

pub(super) const SCHEMA: Schema = Schema::block("init", &["key_shares", "key_threshold", "output"]);

pub(super) struct Init {
    pub shares: u32,
    pub threshold: u32,
    pub output: Setting<PathBuf>,
}

#[derive(Default)]
struct FileInit {
    key_shares: Option<Located<i64>>,
    key_threshold: Option<Located<i64>>,
    output: Option<Located<PathBuf>>,
}

fn read(block: Option<&RawBlock>, r: &mut Resolver) -> FileInit {
    let Some(b) = block else {
        return FileInit::default();
    };
    let p = &mut r.problems;
    FileInit {
        key_shares: b.whole_number("key_shares", p),
        key_threshold: b.whole_number("key_threshold", p),
        output: b.path("output", p),
    }
}

pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Init {
    let file = read(file.block(SCHEMA.name), r);
    let shares = Setting::pick(
        r.args.key_shares.map(i64::from),
        "--key-shares",
        file.key_shares,
        || i64::from(DEFAULT_SHARES),
    );
    let threshold = Setting::pick(
        r.args.key_threshold.map(i64::from),
        "--key-threshold",
        file.key_threshold,
        || i64::from(DEFAULT_THRESHOLD),
    );
    // Vault reads them as Go ints: below one is "at least one", above 255 "less than 256".
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    let output = Setting::pick(
        r.args.init_output.clone(),
        "--init-output",
        file.output,
        || r.default_path(DEFAULT_INIT_OUTPUT),
    );
    let spec = InitSpec {
        shares: count(shares.value),
        threshold: count(threshold.value),
        pgp_keys: Vec::new(),
        root_token_pgp_key: None,
        output: output.value.clone(),
    };
    match spec.seal_problem() {
        Some(problem) => {
            let origin = if problem.is_about_threshold() {
                &threshold.origin
            } else {
                &shares.origin
            };
            let mut message = format!("invalid seal configuration: {}", problem.words());
            if problem == SealProblem::ThresholdAboveShares {
                message.push_str(&format!(" ({} > {})", threshold.value, shares.value));
            }
            r.problems.error(origin, message);
        }
        None => {
            if let Some(warning) = spec.weak_split_warning() {
                r.problems.warn(warning);
            }
        }
    }
    Init {
        shares: spec.shares,
        threshold: spec.threshold,
        output,
    }
}
