//! `job_policy "NAME" { file | policy }` blocks and `--job-policy NAME=FILE` flags: extra
//! policies for jobs, written beside the servers' policy. Each is checked by the policy
//! step's own validation (`PolicyStep::new`: Vault's name rules and policy syntax), so a
//! problem carries its `file:line` before Vault is touched.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::problems::{Origin, Setting};
use super::reader::{Label, RawBlock, Schema};
use super::{JobPolicies, JobPolicy, Resolver};
use crate::steps::policy::PolicyStep;

pub(super) const SCHEMA: Schema = Schema {
    name: "job_policy",
    label: Label::One {
        what: "policy name",
        example: "job_policy \"access-tables\" { … }",
    },
    keys: &["file", "policy"],
    blocks: &[],
};

/// Where one job policy's text is.
enum Text {
    File(Setting<PathBuf>),
    Inline(Setting<String>),
}

struct Source {
    name: String,
    origin: Origin,
    text: Text,
}

fn read(file: &RawBlock, r: &mut Resolver) -> Vec<Source> {
    let mut sources = Vec::new();
    for block in file.blocks(SCHEMA.name) {
        let name = block.label();
        let origin = Origin::File(block.at.clone());
        let path = block.path("file", &mut r.problems);
        let text = block.string("policy", &mut r.problems);
        match (path, text) {
            (Some(_), Some(_)) => r.problems.error(
                &origin,
                format!("job_policy {name:?}: give file or policy, not both"),
            ),
            (Some(path), None) => sources.push(Source {
                name,
                origin,
                text: Text::File(path.into()),
            }),
            (None, Some(text)) => sources.push(Source {
                name,
                origin,
                text: Text::Inline(text.into()),
            }),
            // A value of the wrong type was reported by the reader.
            (None, None) if block.has("file") || block.has("policy") => {}
            (None, None) => r.problems.error(
                &origin,
                format!("job_policy {name:?} needs file = \"<path>\" or policy = <<EOT … EOT"),
            ),
        }
    }
    sources
}

/// The job policies, validated; `server_policy` is the Nomad servers' policy (which no job
/// policy may replace) and `rule` what the role lets jobs ask for.
pub(super) fn resolve(
    file: &RawBlock,
    r: &mut Resolver,
    server_policy: &str,
    rule: &JobPolicies,
) -> Vec<JobPolicy> {
    let mut sources = read(file, r);
    for spec in &r.args.job_policies {
        let origin = Origin::Flag("--job-policy");
        match spec.split_once('=') {
            Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => sources
                .push(Source {
                    name: name.trim().to_string(),
                    text: Text::File(Setting::new(PathBuf::from(path.trim()), origin.clone())),
                    origin,
                }),
            _ => r
                .problems
                .error(&origin, format!("expected NAME=FILE, got {spec:?}")),
        }
    }

    let mut policies = Vec::new();
    let mut names = BTreeSet::new();
    for source in sources {
        let name = source.name.trim().to_lowercase();
        if name == server_policy {
            r.problems.error(
                &source.origin,
                format!("job policy {name:?} has the name of the Nomad servers' policy"),
            );
            continue;
        }
        if !names.insert(name.clone()) {
            r.problems.error(
                &source.origin,
                format!("job policy {name:?} is given twice"),
            );
            continue;
        }
        let (text, label) = match source.text {
            Text::File(path) => {
                match crate::local_file::read_text(&path.value, crate::local_file::MAX_INPUT_BYTES)
                {
                    Ok(text) => (text, path.value.display().to_string()),
                    Err(e) => {
                        r.problems.error(
                            &path.origin,
                            format!(
                                "job policy {name:?}: cannot read {}: {e}",
                                path.value.display()
                            ),
                        );
                        continue;
                    }
                }
            }
            Text::Inline(text) => (text.value, text.origin.to_string()),
        };
        match PolicyStep::new(&name, &text, &label) {
            Ok(_) => policies.push(JobPolicy {
                name,
                source: label,
                text,
            }),
            Err(e) => r
                .problems
                .error(&source.origin, format!("job policy {name:?}: {e:#}")),
        }
    }
    if let JobPolicies::Allowed(list) = rule {
        for p in list
            .iter()
            .filter(|p| *p != "default" && !names.contains(*p))
        {
            r.problems.warn(format!("allowed policy {p:?} is not written by this bootstrap: make sure it exists in Vault before jobs use it"));
        }
    }
    policies
}
