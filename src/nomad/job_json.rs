//! A job registered in Nomad, as `GET /v1/job/:id` answers it (Nomad's JSON job format,
//! structs.Job), read into the same [`Jobspec`] model the HCL reader produces, so a running
//! job is judged by exactly the checks a job file is.
//!
//! Field names from hashicorp/nomad api/tasks.go (`Task.Vault`, `Task.Templates`, `Vault`
//! {Policies, Role, Namespace, Cluster, Env, DisableFile, ChangeMode, ChangeSignal,
//! AllowTokenExpiration}, `Template` {SourcePath, DestPath, EmbeddedTmpl, ChangeMode,
//! ChangeSignal, LeftDelim, RightDelim}). The API has no group- or job-level `Vault`: the
//! jobspec parser copies those onto each task before the job is submitted, so every block
//! read here is the task's own. A registered job has no file lines: its location is
//! `nomad:<namespace>/<id>`.

use serde_json::Value;

use super::jobspec::{
    Checkable, Job, Jobspec, Setting, SourceLocation, Task, TaskTemplate, TaskVault, TemplateData,
    VaultLevel,
};

/// Where findings place a registered job: `nomad:<namespace>/<id>`.
pub fn job_location(namespace: &str, id: &str) -> SourceLocation {
    SourceLocation::new(format!("nomad:{namespace}/{id}"), None)
}

/// Reads one job from Nomad's JSON job format; `Err` says what is missing or malformed.
pub fn read(job: &Value) -> Result<Jobspec, String> {
    let id = text(job, "ID").ok_or("the job has no ID")?;
    let namespace = text(job, "Namespace").unwrap_or_else(|| "default".into());
    let at = job_location(&namespace, &id);
    let mut tasks = Vec::new();
    for group in list(job, "TaskGroups")? {
        let group_name = text(group, "Name").unwrap_or_default();
        for task in list(group, "Tasks")? {
            tasks.push(read_task(&group_name, task, &at)?);
        }
    }
    Ok(Jobspec {
        file: at.file.clone(),
        jobs: vec![Job {
            name: id,
            at: at.clone(),
            namespace: Some(setting(namespace, &at)),
            tasks,
        }],
        problems: Vec::new(),
    })
}

fn read_task(group: &str, task: &Value, at: &SourceLocation) -> Result<Task, String> {
    let name = text(task, "Name").unwrap_or_default();
    let vault = match task.get("Vault") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(read_vault(v, at)?),
        Some(_) => return Err(format!("task {group}/{name}: Vault is not an object")),
    };
    let templates = list(task, "Templates")?
        .into_iter()
        .map(|t| read_template(t, at))
        .collect();
    Ok(Task {
        group: group.to_string(),
        name,
        at: at.clone(),
        vault,
        templates,
    })
}

fn read_vault(vault: &Value, at: &SourceLocation) -> Result<TaskVault, String> {
    let policies = match vault.get("Policies") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.is_empty() => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|p| p.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("Vault.Policies holds a value that is not a string")?,
        ),
        Some(_) => return Err("Vault.Policies is not a list".into()),
    };
    let string = |key: &str| text(vault, key).map(|v| setting(v, at));
    let flag = |key: &str| {
        vault
            .get(key)
            .and_then(Value::as_bool)
            .map(|v| setting(v, at))
    };
    Ok(TaskVault {
        level: VaultLevel::Task,
        at: at.clone(),
        policies: policies.map(|p| setting(p, at)),
        role: string("Role"),
        namespace: string("Namespace"),
        cluster: string("Cluster"),
        env: flag("Env"),
        disable_file: flag("DisableFile"),
        change_mode: string("ChangeMode"),
        change_signal: string("ChangeSignal"),
        allow_token_expiration: flag("AllowTokenExpiration"),
    })
}

fn read_template(template: &Value, at: &SourceLocation) -> TaskTemplate {
    let string = |key: &str| text(template, key).map(|v| setting(v, at));
    TaskTemplate {
        at: at.clone(),
        data: text(template, "EmbeddedTmpl").map(|t| setting(TemplateData::registered(t), at)),
        source: string("SourcePath"),
        destination: string("DestPath"),
        change_mode: string("ChangeMode"),
        change_signal: string("ChangeSignal"),
        left_delimiter: string("LeftDelim"),
        right_delimiter: string("RightDelim"),
    }
}

fn setting<T>(value: T, at: &SourceLocation) -> Setting<T> {
    Setting {
        value: Checkable::Literal(value),
        at: at.clone(),
    }
}

/// A non-empty string field (Go's zero value `""` is "not set", as Canonicalize leaves it).
fn text(object: &Value, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A list field; Go's `null` is empty.
fn list<'a>(object: &'a Value, key: &str) -> Result<Vec<&'a Value>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.iter().collect()),
        Some(_) => Err(format!("{key} is not a list")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_registered_job_reads_as_its_tasks_vault_blocks_and_templates() {
        let spec = read(&json!({
            "ID": "web", "Namespace": "apps",
            "TaskGroups": [{"Name": "api", "Tasks": [
                {"Name": "server", "Vault": {"Policies": ["kv-read"], "Role": "", "Cluster": "default",
                  "ChangeMode": "signal", "ChangeSignal": "SIGHUP", "Env": true},
                 "Templates": [{"EmbeddedTmpl": "{{ with secret \"secret/data/${NOMAD_META_x}\" }}{{ end }}{{ with secret \"secret/data/web\" }}{{ end }}",
                   "SourcePath": "", "DestPath": "secrets/env", "LeftDelim": "{{", "RightDelim": "}}"}]},
                {"Name": "sidecar", "Vault": null, "Templates": null}
            ]}]
        }))
        .unwrap();
        assert_eq!(spec.file, std::path::PathBuf::from("nomad:apps/web"));
        let job = &spec.jobs[0];
        assert_eq!(job.namespace(), Checkable::Literal("apps".to_string()));
        assert_eq!(job.tasks.len(), 2);
        let vault = job.tasks[0].vault.as_ref().unwrap();
        assert_eq!(vault.policies(), Checkable::Literal(vec!["kv-read".into()]));
        assert!(vault.role.is_none());
        assert_eq!(vault.change_mode(), Checkable::Literal("signal".into()));
        let refs = job.tasks[0].templates[0].secret_refs();
        assert_eq!(refs.len(), 2);
        assert!(!refs[0].path.is_checkable(), "{:?}", refs[0].path);
        assert_eq!(refs[1].path, Checkable::Literal("secret/data/web".into()));
        assert!(job.tasks[1].vault.is_none() && job.tasks[1].templates.is_empty());
    }

    #[test]
    fn a_job_without_an_id_or_with_a_malformed_field_is_refused() {
        assert!(read(&json!({"TaskGroups": []})).is_err());
        assert!(read(&json!({"ID": "x", "TaskGroups": {}})).is_err());
        assert!(read(
            &json!({"ID": "x", "TaskGroups": [{"Tasks": [{"Vault": {"Policies": "a"}}]}]})
        )
        .is_err());
    }
}
