//! `jobs = ["example.nomad.hcl", …]`: job files check-job judges as the bootstrap's last
//! verification. Each is read and parsed here, so a missing or broken job file is a problem
//! of the configuration, reported with the others before Vault is touched.

use std::collections::BTreeSet;

use super::reader::RawBlock;
use super::Resolver;
use crate::nomad::jobspec::{self, Jobspec};

/// The top-level key.
pub(super) const KEY: &str = "jobs";

pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Vec<Jobspec> {
    let Some(paths) = file.paths(KEY, "a list of job files", &mut r.problems) else {
        return Vec::new();
    };
    let mut specs = Vec::new();
    let mut seen = BTreeSet::new();
    for path in paths.value {
        if !seen.insert(path.clone()) {
            r.problems.at(
                &paths.at,
                format!("jobs: {} is listed twice", path.display()),
            );
            continue;
        }
        match jobspec::load(&path) {
            Ok(spec) => specs.push(spec),
            Err(e) => r
                .problems
                .at(&paths.at, format!("jobs: cannot check the job file {e}")),
        }
    }
    specs
}
