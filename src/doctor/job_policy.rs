//! `nvctl job-policy`: the least-privilege ACL policy a task needs, derived from what its
//! templates read — each path as consul-template will request it ([`super::secret_read`]:
//! `data/` inserted on KV v2, `metadata/` for `secrets` lists on KV v2) with the capability
//! its function needs (`secret` read → `read`, `secret` with data → `update`, `secrets` →
//! `list`). Paths built at run time (`printf`, variables, HCL interpolation) cannot be
//! derived: they are listed as comments, never guessed.
//!
//! Naming ([`name_policies`]): `--name` for the one task that reads from Vault; else the
//! job's `vault.policies` entry when it names exactly one policy (besides `default`) that
//! Vault does not have yet — or, on a re-run, that already holds exactly the derived rules —
//! else `<job>-<task>`. Tasks that end up with the same name share one policy: the union of
//! what they read.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::secret_read::{self, MountView};
use crate::acl::{self, Operation, PolicyDoc};
use crate::nomad::jobspec::{Checkable, Job, Task};

/// What one task's templates read from Vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskNeeds {
    /// `job/group/task`.
    pub task: String,
    pub job: String,
    /// The task's own name.
    pub task_name: String,
    /// The job file.
    pub file: String,
    /// The policies the task's `vault` block names, as Vault stores names (no `default`);
    /// `None` when it has no vault block or the list is not literal.
    pub listed: Option<Vec<String>>,
    /// Path → capabilities.
    pub paths: BTreeMap<String, BTreeSet<String>>,
    /// Template calls whose path is not a literal (`file:line: expression`).
    pub not_derivable: Vec<String>,
    /// The same calls for the policy text (`job/group/task: expression`): no file path, so a
    /// job file named another way gives the same text.
    pub computed: Vec<String>,
}

/// One policy to write: its name, the tasks it serves and its text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DerivedPolicy {
    pub name: String,
    /// `job/group/task` of each task it serves.
    pub tasks: Vec<String>,
    /// Path → capabilities.
    pub paths: BTreeMap<String, BTreeSet<String>>,
    /// Template calls whose path is not a literal (`file:line: expression`).
    pub not_derivable: Vec<String>,
    /// The HCL text.
    pub policy: String,
}

/// What `task` reads from Vault; `None` when its templates read nothing from Vault.
pub fn needs(job: &Job, task: &Task, file: &str, mounts: &[MountView]) -> Option<TaskNeeds> {
    let mut paths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut not_derivable = Vec::new();
    let mut computed = Vec::new();
    let task_id = format!("{}/{}/{}", job.name, task.group, task.name);
    for template in &task.templates {
        for secret in template.secret_refs() {
            let at = super::template_reads::call_location(&template.at, secret.file_line);
            match &secret.path {
                Checkable::Literal(path) => {
                    let r =
                        secret_read::resolve(secret.function, secret.writes, path, mounts, None);
                    let cap = match r.op {
                        Operation::List => "list",
                        Operation::Update => "update",
                        _ => "read",
                    };
                    paths.entry(r.requested).or_default().insert(cap.to_owned());
                }
                Checkable::NotCheckable { expression } => {
                    not_derivable.push(format!("{at}: {expression}"));
                    computed.push(format!("{task_id}: {expression}"));
                }
            }
        }
    }
    if paths.is_empty() && not_derivable.is_empty() {
        return None;
    }
    let listed = task
        .vault
        .as_ref()
        .and_then(|v| v.policies().literal().cloned())
        .map(|l| {
            super::task_policies::sanitize(&l, false)
                .into_iter()
                .filter(|p| p != "default")
                .collect()
        });
    Some(TaskNeeds {
        task: task_id,
        job: job.name.clone(),
        task_name: task.name.clone(),
        file: file.to_owned(),
        listed,
        paths,
        not_derivable,
        computed,
    })
}

/// The policy text serving `tasks`: the union of what they read.
pub fn derive(name: &str, tasks: &[&TaskNeeds]) -> DerivedPolicy {
    let mut paths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut not_derivable = Vec::new();
    for t in tasks {
        for (path, caps) in &t.paths {
            paths
                .entry(path.clone())
                .or_default()
                .extend(caps.iter().cloned());
        }
        not_derivable.extend(t.not_derivable.iter().cloned());
    }
    let mut text = String::from(
        "# What these tasks read from Vault through their templates, derived by nvctl job-policy:\n",
    );
    // Tasks only, not their files: a path spelled another way (relative, from another
    // directory) must not change the text, or a re-run would rewrite the policy.
    for t in tasks {
        text.push_str(&format!("#   {}\n", t.task));
    }
    for (path, caps) in &paths {
        let caps: Vec<String> = caps.iter().map(|c| format!("{c:?}")).collect();
        text.push_str(&format!(
            "\npath {path:?} {{\n  capabilities = [{}]\n}}\n",
            caps.join(", ")
        ));
    }
    for note in tasks.iter().flat_map(|t| &t.computed) {
        text.push_str(&format!(
            "\n# not derived (the path is computed at run time): {note}\n"
        ));
    }
    DerivedPolicy {
        name: name.to_owned(),
        tasks: tasks.iter().map(|t| t.task.clone()).collect(),
        paths,
        not_derivable,
        policy: text,
    }
}

/// What Vault holds under a policy name, as far as naming cares.
pub enum Live<'a> {
    Missing,
    /// Its parsed text.
    Holds(&'a PolicyDoc),
    /// It exists (or may: its text could not be read).
    Unknown,
}

/// Names every task's policy (see the module's comment) and merges tasks sharing a name.
/// `name` is `--name` (for exactly one task; the caller checked); `live` says what Vault
/// holds under a name.
pub fn name_policies<'a>(
    tasks: &[TaskNeeds],
    name: Option<&str>,
    live: &dyn Fn(&str) -> Live<'a>,
) -> Vec<DerivedPolicy> {
    let mut named: Vec<(String, &TaskNeeds)> = Vec::new();
    if let Some(name) = name {
        named.extend(tasks.iter().map(|t| (name.to_owned(), t)));
    } else {
        // The job's one listed policy, per candidate name, for every task listing it.
        let mut by_candidate: BTreeMap<String, Vec<&TaskNeeds>> = BTreeMap::new();
        for t in tasks {
            match t.listed.as_deref() {
                Some([one]) => by_candidate.entry(one.clone()).or_default().push(t),
                _ => named.push((own_name(t), t)),
            }
        }
        for (candidate, group) in by_candidate {
            let keep = match live(&candidate) {
                Live::Missing => true,
                // A re-run: it already holds exactly what these tasks need.
                Live::Holds(doc) => acl::parse_policy(&derive(&candidate, &group).policy, "")
                    .is_ok_and(|d| acl::canonical_text(&d) == acl::canonical_text(doc)),
                Live::Unknown => false,
            };
            for t in group {
                named.push((if keep { candidate.clone() } else { own_name(t) }, t));
            }
        }
    }
    let mut by_name: BTreeMap<String, Vec<&TaskNeeds>> = BTreeMap::new();
    for (name, t) in named {
        by_name.entry(name).or_default().push(t);
    }
    let mut policies: Vec<DerivedPolicy> = by_name
        .iter()
        .map(|(name, group)| derive(name, group))
        .collect();
    // In the order of the job files' tasks, as the operator reads them.
    let position = |p: &DerivedPolicy| {
        tasks
            .iter()
            .position(|t| p.tasks.first() == Some(&t.task))
            .unwrap_or(usize::MAX)
    };
    policies.sort_by_key(position);
    policies
}

/// `<job>-<task>`, lower-cased as Vault stores policy names.
fn own_name(t: &TaskNeeds) -> String {
    format!("{}-{}", t.job, t.task_name).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nomad::jobspec;
    use crate::vault::Mount;
    use std::path::Path;

    fn mounts() -> Vec<MountView> {
        secret_read::mount_views(&BTreeMap::from([
            (
                "secret/".to_owned(),
                Mount {
                    mount_type: "kv".into(),
                    options: Some(BTreeMap::from([("version".into(), "2".into())])),
                    ..Mount::default()
                },
            ),
            (
                "database/".to_owned(),
                Mount {
                    mount_type: "database".into(),
                    ..Mount::default()
                },
            ),
        ]))
    }

    const JOB: &str = r#"job "web" {
  group "g" {
    task "t" {
      vault { policies = ["web-secrets"] }
      template {
        destination = "local/x"
        data = <<EOF
{{ with secret "secret/web/config" }}{{ .Data.data.k }}{{ end }}
{{ with secret "database/creds/web" }}{{ .Data.username }}{{ end }}
{{ range secrets "secret/web/" }}{{ . }}{{ end }}
{{ with secret (printf "secret/%s" (env "X")) }}{{ end }}
EOF
      }
    }
    task "u" {
      vault { policies = ["web-secrets", "default"] }
      template {
        destination = "local/y"
        data = "{{ with secret \"secret/data/web/other\" }}{{ .Data.data.k }}{{ end }}"
      }
    }
    task "quiet" {
      template {
        destination = "local/z"
        data = "no vault here"
      }
    }
  }
}
"#;

    fn all_needs() -> Vec<TaskNeeds> {
        let spec = jobspec::parse(JOB, Path::new("web.nomad.hcl")).unwrap();
        let job = &spec.jobs[0];
        job.tasks
            .iter()
            .filter_map(|t| needs(job, t, "web.nomad.hcl", &mounts()))
            .collect()
    }

    #[test]
    fn derives_exact_kv2_aware_paths_and_lists_what_it_cannot_derive() {
        let tasks = all_needs();
        assert_eq!(tasks.len(), 2, "the quiet task reads nothing");
        let t = &tasks[0];
        let paths: Vec<(&str, Vec<&str>)> = t
            .paths
            .iter()
            .map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("database/creds/web", vec!["read"]),
                ("secret/data/web/config", vec!["read"]),
                ("secret/metadata/web", vec!["list"]),
            ]
        );
        assert_eq!(t.not_derivable.len(), 1);
        assert_eq!(t.computed.len(), 1);
        assert_eq!(t.listed.as_deref(), Some(&["web-secrets".to_owned()][..]));
        let p = derive("web-secrets", &[t]);
        assert!(p
            .policy
            .contains("path \"secret/data/web/config\" {\n  capabilities = [\"read\"]\n}"));
        assert!(crate::acl::parse_policy(&p.policy, "derived").is_ok());
        // The text names the task, never the job file (a re-run may spell it another way).
        assert!(p
            .policy
            .contains("# not derived (the path is computed at run time): "));
        assert!(!p.policy.contains(".nomad.hcl"), "{}", p.policy);
    }

    #[test]
    fn tasks_naming_the_same_missing_policy_share_the_union() {
        let tasks = all_needs();
        let policies = name_policies(&tasks, None, &|_| Live::Missing);
        assert_eq!(policies.len(), 1);
        let p = &policies[0];
        assert_eq!(p.name, "web-secrets");
        assert_eq!(p.tasks, vec!["web/g/t", "web/g/u"]);
        assert!(p.paths.contains_key("secret/data/web/other"));
        assert!(p.paths.contains_key("secret/data/web/config"));
    }

    #[test]
    fn an_existing_policy_keeps_its_name_only_when_it_holds_the_same_rules() {
        let tasks = all_needs();
        let merged = derive("web-secrets", &tasks.iter().collect::<Vec<_>>());
        let same = crate::acl::parse_policy(&merged.policy, "live").unwrap();
        let policies = name_policies(&tasks, None, &|_| Live::Holds(&same));
        assert_eq!(policies.len(), 1);
        assert_eq!(policies[0].name, "web-secrets");
        let other =
            crate::acl::parse_policy("path \"x\" { capabilities = [\"read\"] }", "live").unwrap();
        let names: Vec<String> = name_policies(&tasks, None, &|_| Live::Holds(&other))
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, vec!["web-t", "web-u"]);
        let names: Vec<String> = name_policies(&tasks, None, &|_| Live::Unknown)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, vec!["web-t", "web-u"]);
    }

    #[test]
    fn the_name_flag_names_the_policy() {
        let tasks = all_needs();
        let policies = name_policies(&tasks[..1], Some("mine"), &|_| Live::Missing);
        assert_eq!(policies[0].name, "mine");
    }
}
