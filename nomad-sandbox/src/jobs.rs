//! Jobs: `/v1/jobs` (list, register) and `/v1/job/:id` (read, register, deregister) in Nomad's
//! JSON job format (api.Job in, structs.Job out), enough for nvctl to read running jobs' task
//! `Vault` and `Templates` blocks.
//!
//! Upstream: command/agent/job_endpoint.go (`jobUpdate`, `jobQuery`, `jobDelete`,
//! `regionForJob`, `namespaceForJob`), api/jobs.go + api/tasks.go `Canonicalize` (defaults of
//! the job, task `Vault` and `Templates`), nomad/job_endpoint.go `Register`/`doRegister`
//! (admission controllers — the Vault hook and `Job.Validate` — run *before* the
//! `submit-job`/`register-job` check; their errors are a 500 with a multierror text),
//! `GetJob` (`read-job`), `List` (`list-jobs`, `namespace=*`).
//!
//! Not modelled: scheduling (a registered job stays `pending`), allocations, evaluations,
//! deployments, and the many job fields the sandbox stores as they were sent.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::acl::store::{AuthFailure, Caller};
use crate::api::{multierror, Answer, NomadError, Reply, Request};
use crate::clock::unix_nanos;
use crate::gojson::{self, GoObject};
use crate::state::State;

/// A registered job (structs.Job as JSON).
#[derive(Debug, Clone)]
pub struct StoredJob {
    pub job: Map<String, Value>,
}

impl StoredJob {
    fn str(&self, key: &str) -> &str {
        self.job
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn u64(&self, key: &str) -> u64 {
        self.job
            .get(key)
            .and_then(Value::as_u64)
            .unwrap_or_default()
    }

    /// `JobListStub`.
    fn stub(&self) -> Value {
        let mut summary = Map::new();
        for tg in self
            .job
            .get("TaskGroups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = tg.get("Name").and_then(Value::as_str).unwrap_or_default();
            summary.insert(
                name.to_string(),
                json!({"Queued": 0, "Complete": 0, "Failed": 0, "Running": 0, "Starting": 0, "Lost": 0, "Unknown": 0}),
            );
        }
        json!({
            "ID": self.str("ID"),
            "ParentID": self.str("ParentID"),
            "Name": self.str("Name"),
            "Namespace": self.str("Namespace"),
            "Datacenters": self.job.get("Datacenters"),
            "NodePool": self.str("NodePool"),
            "Multiregion": null,
            "Type": self.str("Type"),
            "Priority": self.job.get("Priority"),
            "Periodic": self.job.get("Periodic").is_some_and(|p| !p.is_null()),
            "ParameterizedJob": self.job.get("ParameterizedJob").is_some_and(|p| !p.is_null()),
            "Stop": self.job.get("Stop"),
            "Status": self.str("Status"),
            "StatusDescription": self.str("StatusDescription"),
            "JobSummary": {
                "JobID": self.str("ID"),
                "Namespace": self.str("Namespace"),
                "Summary": summary,
                "Children": {"Pending": 0, "Running": 0, "Dead": 0},
                "CreateIndex": self.u64("CreateIndex"),
                "ModifyIndex": self.u64("ModifyIndex"),
            },
            "CreateIndex": self.u64("CreateIndex"),
            "ModifyIndex": self.u64("ModifyIndex"),
            "JobModifyIndex": self.u64("JobModifyIndex"),
            "SubmitTime": self.job.get("SubmitTime"),
        })
    }
}

/// Jobs by (namespace, ID).
#[derive(Debug, Default)]
pub struct JobStore {
    pub jobs: BTreeMap<(String, String), StoredJob>,
}

fn resolve(state: &mut State, req: &Request) -> Result<Caller, NomadError> {
    let now = state.clock.now();
    let legacy = state.config.version.legacy_token_errors();
    state
        .acl
        .authenticate(
            state.config.acl_enabled,
            &req.token,
            now,
            &mut state.keyring,
            legacy,
        )
        .map_err(|f| match f {
            AuthFailure::Unknown if legacy => NomadError::token_not_found(),
            _ => NomadError::permission_denied(),
        })
}

/// `parseNamespace`: `?namespace=`, else `default`.
fn request_namespace(req: &Request) -> String {
    req.query("namespace")
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_string()
}

/// `GET|PUT|POST /v1/jobs` (JobsRequest).
pub fn jobs(state: &mut State, req: &Request) -> Answer {
    match req.method.as_str() {
        "GET" => list(state, req),
        "PUT" | "POST" => register(state, req, ""),
        _ => Err(NomadError::invalid_method()),
    }
}

/// `/v1/job/:id` (JobSpecificRequest → jobCRUD). Sub-resources are not modelled.
pub fn job(state: &mut State, req: &Request) -> Answer {
    let id = req.path.trim_start_matches("/v1/job/").to_string();
    const SUB_RESOURCES: &[&str] = &[
        "/evaluate",
        "/allocations",
        "/evaluations",
        "/periodic/force",
        "/plan",
        "/summary",
        "/dispatch",
        "/versions",
        "/revert",
        "/deployments",
        "/deployment",
        "/stable",
        "/scale",
        "/services",
        "/submission",
        "/actions",
        "/action",
        "/tag",
    ];
    if SUB_RESOURCES.iter().any(|s| id.ends_with(s)) {
        return Err(NomadError::new(404, ""));
    }
    match req.method.as_str() {
        "GET" => read(state, req, &id),
        "PUT" | "POST" => register(state, req, &id),
        "DELETE" => deregister(state, req, &id),
        _ => Err(NomadError::invalid_method()),
    }
}

fn list(state: &mut State, req: &Request) -> Answer {
    let caller = resolve(state, req)?;
    let authority = state.acl.authority(&caller);
    let namespace = request_namespace(req);
    if !authority.allow_namespace_op(&namespace, "list-jobs") {
        return Err(NomadError::permission_denied());
    }
    let prefix = req.query("prefix").unwrap_or_default();
    let list: Vec<Value> = state
        .jobs
        .jobs
        .iter()
        .filter(|((ns, id), _)| (namespace == "*" || *ns == namespace) && id.starts_with(prefix))
        .filter(|((ns, _), _)| authority.allow_namespace_op(ns, "list-jobs"))
        .map(|(_, job)| job.stub())
        .collect();
    Ok(Reply::queried(
        Value::Array(list),
        State::index_or_one(state.tables.jobs),
    ))
}

fn read(state: &mut State, req: &Request, id: &str) -> Answer {
    let caller = resolve(state, req)?;
    let namespace = request_namespace(req);
    if !state
        .acl
        .authority(&caller)
        .allow_namespace_op(&namespace, "read-job")
    {
        return Err(NomadError::permission_denied());
    }
    match state.jobs.jobs.get(&(namespace, id.to_string())) {
        Some(job) => Ok(Reply::queried(
            Value::Object(job.job.clone()),
            job.u64("ModifyIndex"),
        )),
        None => Err(NomadError::new(404, "job not found")),
    }
}

fn deregister(state: &mut State, req: &Request, id: &str) -> Answer {
    let purge = match req.query("purge") {
        None | Some("") => false,
        Some(v) => parse_go_bool(v).ok_or_else(|| {
            NomadError::new(
                500,
                format!("Failed to parse value of \"purge\" ({v}) as a bool: strconv.ParseBool: parsing {}: invalid syntax", crate::clock::go_quote(v)),
            )
        })?,
    };
    let caller = resolve(state, req)?;
    let namespace = request_namespace(req);
    let authority = state.acl.authority(&caller);
    if !authority.allow_namespace_op(&namespace, "submit-job")
        && !authority.allow_namespace_op(&namespace, "deregister-job")
    {
        return Err(NomadError::permission_denied());
    }
    let key = (namespace, id.to_string());
    if !state.jobs.jobs.contains_key(&key) {
        return Err(NomadError::bad_request("job not found"));
    }
    let index = state.next_index();
    if purge {
        state.jobs.jobs.remove(&key);
    } else if let Some(job) = state.jobs.jobs.get_mut(&key) {
        job.job.insert("Stop".into(), json!(true));
        job.job.insert("Status".into(), json!("dead"));
        job.job.insert("ModifyIndex".into(), json!(index));
        job.job.insert("JobModifyIndex".into(), json!(index));
    }
    state.tables.jobs = index;
    Ok(Reply::written(
        json!({"EvalID": uuid::Uuid::new_v4().to_string(), "EvalCreateIndex": index, "JobModifyIndex": index, "VolumeEvalID": "", "VolumeEvalIndex": 0, "Index": index, "LastContact": 0, "KnownLeader": false, "NextToken": ""}),
        index,
    ))
}

fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn register(state: &mut State, req: &Request, path_id: &str) -> Answer {
    let body = if req.has_body() {
        gojson::decode(&req.body, "api.JobRegisterRequest").map_err(NomadError::bad_request)?
    } else {
        return Err(NomadError::bad_request("Request body is empty"));
    };
    let job = body
        .object("Job", "Job")
        .map_err(NomadError::bad_request)?
        .ok_or_else(|| NomadError::bad_request("Job must be specified"))?;
    let id = match job.get("ID") {
        None => return Err(NomadError::bad_request("Job ID hasn't been provided")),
        Some(_) => job.string("ID").map_err(NomadError::bad_request)?,
    };
    if !path_id.is_empty() && id != path_id {
        return Err(NomadError::bad_request("Job ID does not match name"));
    }

    // apiJobAndRequestToStructs: namespace and region from the query, the body, the job.
    let body_namespace = body.string("Namespace").map_err(NomadError::bad_request)?;
    let job_namespace = job.string("Namespace").map_err(NomadError::bad_request)?;
    let namespace = [
        req.query("namespace").unwrap_or_default(),
        &body_namespace,
        &job_namespace,
    ]
    .into_iter()
    .find(|n| !n.is_empty())
    .unwrap_or("default")
    .to_string();
    let body_region = body.string("Region").map_err(NomadError::bad_request)?;
    let job_region = job.string("Region").map_err(NomadError::bad_request)?;
    let region = [
        req.query("region").unwrap_or_default(),
        &body_region,
        &job_region,
    ]
    .into_iter()
    .find(|r| !r.is_empty())
    .filter(|r| *r != "global")
    .unwrap_or(&state.config.region)
    .to_string();

    let drop_policies = state.config.version.drops_vault_policies();
    let mut canonical = canonical_job(&job, &id, &namespace, &region, drop_policies)
        .map_err(NomadError::bad_request)?;

    let caller = resolve(state, req)?;

    // Admission controllers: the Vault hook, then Job.Validate.
    let mut errors = Vec::new();
    if job_uses_vault(&canonical) && !state.config.vault.enabled {
        errors.push("Vault \"default\" not enabled but used in the job".to_string());
    }
    errors.extend(validate_job(&canonical));
    if !errors.is_empty() {
        return Err(NomadError::new(500, multierror(&errors)));
    }

    let authority = state.acl.authority(&caller);
    if !authority.allow_namespace_op(&namespace, "submit-job")
        && !authority.allow_namespace_op(&namespace, "register-job")
    {
        return Err(NomadError::permission_denied());
    }

    let index = state.next_index();
    let key = (namespace, id);
    let (version, create_index) = match state.jobs.jobs.get(&key) {
        Some(old) => (old.u64("Version") + 1, old.u64("CreateIndex")),
        None => (0, index),
    };
    let token_accessor = match &caller {
        Caller::Token(t) => t.accessor_id.clone(),
        _ => String::new(),
    };
    for (k, v) in [
        ("Status", json!("pending")),
        ("StatusDescription", json!("")),
        ("Stable", json!(false)),
        ("Version", json!(version)),
        ("SubmitTime", json!(unix_nanos(state.clock.now()))),
        ("CreateIndex", json!(create_index)),
        ("ModifyIndex", json!(index)),
        ("JobModifyIndex", json!(index)),
        ("NomadTokenID", json!(token_accessor)),
    ] {
        canonical.insert(k.into(), v);
    }
    state.jobs.jobs.insert(key, StoredJob { job: canonical });
    state.tables.jobs = index;
    Ok(Reply::written(
        json!({"EvalID": uuid::Uuid::new_v4().to_string(), "EvalCreateIndex": index, "JobModifyIndex": index, "Warnings": "", "Index": index, "LastContact": 0, "KnownLeader": false, "NextToken": ""}),
        index,
    ))
}

/// Sets `key` to `default` unless the object has it (any case): api `Canonicalize`.
fn default_field(target: &mut Map<String, Value>, source: &GoObject, key: &str, default: Value) {
    let value = source.get(key).cloned().unwrap_or(default);
    target.insert(key.to_string(), value);
}

/// Copies every field as sent, under its canonical name when the sandbox knows it.
fn start_from(source: &GoObject, known: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in source.map() {
        let name = known
            .iter()
            .find(|n| n.eq_ignore_ascii_case(k))
            .map_or_else(|| k.clone(), |n| n.to_string());
        out.insert(name, v.clone());
    }
    out
}

const JOB_FIELDS: &[&str] = &[
    "ID",
    "Name",
    "Namespace",
    "Region",
    "Type",
    "Priority",
    "Datacenters",
    "NodePool",
    "TaskGroups",
    "Meta",
    "Stop",
    "AllAtOnce",
    "ParentID",
    "VaultNamespace",
    "Periodic",
    "ParameterizedJob",
    "Constraints",
    "Affinities",
    "Spreads",
    "Update",
];
const GROUP_FIELDS: &[&str] = &["Name", "Count", "Tasks", "Meta"];
const TASK_FIELDS: &[&str] = &[
    "Name",
    "Driver",
    "Vault",
    "Templates",
    "Config",
    "Env",
    "Identity",
    "Identities",
    "KillTimeout",
    "Meta",
];

/// api.Job → structs.Job (the defaults Nomad fills in, as JSON).
fn canonical_job(
    job: &GoObject,
    id: &str,
    namespace: &str,
    region: &str,
    drop_vault_policies: bool,
) -> Result<Map<String, Value>, String> {
    let mut out = start_from(job, JOB_FIELDS);
    out.insert("ID".into(), json!(id));
    out.insert(
        "Name".into(),
        json!(job.get("Name").and_then(Value::as_str).unwrap_or(id)),
    );
    out.insert("Namespace".into(), json!(namespace));
    out.insert("Region".into(), json!(region));
    default_field(&mut out, job, "Type", json!("service"));
    default_field(&mut out, job, "Priority", json!(50));
    default_field(&mut out, job, "Stop", json!(false));
    default_field(&mut out, job, "AllAtOnce", json!(false));
    default_field(&mut out, job, "ParentID", json!(""));
    default_field(&mut out, job, "NodePool", json!("default"));
    default_field(&mut out, job, "VaultNamespace", json!(""));
    let datacenters = job.strings("Datacenters")?.filter(|d| !d.is_empty());
    out.insert(
        "Datacenters".into(),
        json!(datacenters.unwrap_or_else(|| vec!["*".into()])),
    );
    let mut groups = Vec::new();
    for tg in job.objects("TaskGroups", "TaskGroup")?.unwrap_or_default() {
        let mut group = start_from(&tg, GROUP_FIELDS);
        default_field(&mut group, &tg, "Count", json!(1));
        let mut tasks = Vec::new();
        for task in tg.objects("Tasks", "Task")?.unwrap_or_default() {
            tasks.push(Value::Object(canonical_task(&task, drop_vault_policies)?));
        }
        group.insert("Tasks".into(), Value::Array(tasks));
        groups.push(Value::Object(group));
    }
    out.insert("TaskGroups".into(), Value::Array(groups));
    Ok(out)
}

fn canonical_task(
    task: &GoObject,
    drop_vault_policies: bool,
) -> Result<Map<String, Value>, String> {
    let mut out = start_from(task, TASK_FIELDS);
    default_field(&mut out, task, "KillTimeout", json!(5_000_000_000_i64));
    match task.object("Vault", "Vault")? {
        None => {
            out.insert("Vault".into(), Value::Null);
        }
        Some(vault) => {
            let mut v = Map::new();
            v.insert("Role".into(), json!(vault.string("Role")?));
            if !drop_vault_policies {
                v.insert("Policies".into(), json!(vault.strings("Policies")?));
            }
            v.insert("Namespace".into(), json!(vault.string("Namespace")?));
            let cluster = vault.string("Cluster")?;
            v.insert(
                "Cluster".into(),
                json!(if cluster.is_empty() {
                    "default".into()
                } else {
                    cluster
                }),
            );
            v.insert("Env".into(), json!(vault.opt_bool("Env")?.unwrap_or(true)));
            v.insert(
                "DisableFile".into(),
                json!(vault.opt_bool("DisableFile")?.unwrap_or(false)),
            );
            let mode = vault.string("ChangeMode")?;
            v.insert(
                "ChangeMode".into(),
                json!(if mode.is_empty() {
                    "restart".into()
                } else {
                    mode
                }),
            );
            let signal = match vault.get("ChangeSignal") {
                None => "SIGHUP".to_string(),
                Some(_) => vault.string("ChangeSignal")?.to_uppercase(),
            };
            v.insert("ChangeSignal".into(), json!(signal));
            v.insert(
                "AllowTokenExpiration".into(),
                json!(vault.opt_bool("AllowTokenExpiration")?.unwrap_or(false)),
            );
            out.insert("Vault".into(), Value::Object(v));
        }
    }
    let mut templates = Vec::new();
    for tmpl in task.objects("Templates", "Template")?.unwrap_or_default() {
        let mut t = tmpl.map().clone();
        let mode = tmpl
            .get("ChangeMode")
            .and_then(Value::as_str)
            .unwrap_or("restart")
            .to_string();
        for (key, default) in [
            ("SourcePath", json!("")),
            ("DestPath", json!("")),
            ("EmbeddedTmpl", json!("")),
            ("ChangeMode", json!(mode)),
            ("Once", json!(false)),
            ("Splay", json!(5_000_000_000_i64)),
            ("Perms", json!("0644")),
            ("LeftDelim", json!("{{")),
            ("RightDelim", json!("}}")),
            ("Envvars", json!(false)),
            ("ErrMissingKey", json!(false)),
            ("VaultGrace", json!(0)),
        ] {
            if tmpl.get(key).is_none() {
                t.insert(key.into(), default);
            }
        }
        let signal = match tmpl.get("ChangeSignal").and_then(Value::as_str) {
            Some(s) => s.to_uppercase(),
            None if mode == "signal" => "SIGHUP".into(),
            None => String::new(),
        };
        t.insert("ChangeSignal".into(), json!(signal));
        templates.push(Value::Object(t));
    }
    out.insert(
        "Templates".into(),
        if templates.is_empty() {
            Value::Null
        } else {
            Value::Array(templates)
        },
    );
    Ok(out)
}

fn tasks(job: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    job.get("TaskGroups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|tg| {
            tg.get("Tasks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
}

fn job_uses_vault(job: &Map<String, Value>) -> bool {
    tasks(job).any(|t| t.get("Vault").is_some_and(|v| !v.is_null()))
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `Job.Validate` for the parts the sandbox models: the job's identity, its groups and tasks,
/// and each task's `Vault` block (`Can not specify "root" policy` while Nomad had policies).
fn validate_job(job: &Map<String, Value>) -> Vec<String> {
    let mut errors = Vec::new();
    let id = text(&Value::Object(job.clone()), "ID");
    if id.is_empty() {
        errors.push("Missing job ID".to_string());
    } else if id.contains(' ') {
        errors.push("Job ID contains a space".into());
    }
    match job.get("Type").and_then(Value::as_str).unwrap_or_default() {
        "service" | "batch" | "system" | "sysbatch" | "_core" => {}
        "" => errors.push("Missing job type".into()),
        other => errors.push(format!(
            "Invalid job type: {}",
            crate::clock::go_quote(other)
        )),
    }
    let groups: Vec<&Value> = job
        .get("TaskGroups")
        .and_then(Value::as_array)
        .map(|g| g.iter().collect())
        .unwrap_or_default();
    if groups.is_empty() {
        errors.push("Missing job task groups".into());
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, tg) in groups.iter().enumerate() {
        let name = text(tg, "Name");
        if name.is_empty() {
            errors.push(format!("Job task group {} missing name", idx + 1));
        } else if let Some(first) = seen.get(&name) {
            errors.push(format!(
                "Job task group {} redefines '{name}' from group {}",
                idx + 1,
                first + 1
            ));
        } else {
            seen.insert(name, idx);
        }
    }
    for tg in groups {
        let mut group_errors = Vec::new();
        if text(tg, "Name").is_empty() {
            group_errors.push("Missing task group name".to_string());
        }
        let tasks: Vec<&Value> = tg
            .get("Tasks")
            .and_then(Value::as_array)
            .map(|t| t.iter().collect())
            .unwrap_or_default();
        if tasks.is_empty() {
            group_errors.push("Missing tasks for task group".into());
        }
        for task in tasks {
            let mut task_errors = Vec::new();
            if text(task, "Name").is_empty() {
                task_errors.push("Missing task name".to_string());
            }
            if text(task, "Driver").is_empty() {
                task_errors.push("Missing task driver".into());
            }
            if let Some(vault) = task.get("Vault").filter(|v| !v.is_null()) {
                let mut vault_errors = Vec::new();
                let policies = vault.get("Policies").and_then(Value::as_array);
                for p in policies.into_iter().flatten() {
                    if p.as_str() == Some("root") {
                        vault_errors.push("Can not specify \"root\" policy".to_string());
                    }
                }
                match text(vault, "ChangeMode").as_str() {
                    "signal" if text(vault, "ChangeSignal").is_empty() => vault_errors
                        .push("Signal must be specified when using change mode \"signal\"".into()),
                    "signal" | "noop" | "restart" => {}
                    other => vault_errors.push(format!(
                        "Unknown change mode {}",
                        crate::clock::go_quote(other)
                    )),
                }
                if !vault_errors.is_empty() {
                    task_errors.push(format!(
                        "Vault validation failed: {}",
                        multierror(&vault_errors)
                    ));
                }
            }
            if !task_errors.is_empty() {
                group_errors.push(format!(
                    "Task {} validation failed: {}",
                    text(task, "Name"),
                    multierror(&task_errors)
                ));
            }
        }
        if !group_errors.is_empty() {
            errors.push(format!(
                "Task group {} validation failed: {}",
                text(tg, "Name"),
                multierror(&group_errors)
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(json: &str) -> GoObject {
        gojson::decode(json.as_bytes(), "api.Job").unwrap()
    }

    #[test]
    fn task_vault_blocks_get_apis_defaults() {
        let j = job(
            r#"{"ID":"web","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"docker","Vault":{"Policies":["app"],"ChangeSignal":"sigusr1"}}]}]}"#,
        );
        let c = canonical_job(&j, "web", "default", "global", false).unwrap();
        let vault = &c["TaskGroups"][0]["Tasks"][0]["Vault"];
        assert_eq!(vault["Cluster"], "default");
        assert_eq!(vault["Env"], true);
        assert_eq!(vault["ChangeMode"], "restart");
        assert_eq!(vault["ChangeSignal"], "SIGUSR1");
        assert_eq!(vault["Policies"], json!(["app"]));
        assert_eq!(c["Datacenters"], json!(["*"]));
        let dropped = canonical_job(&j, "web", "default", "global", true).unwrap();
        assert!(dropped["TaskGroups"][0]["Tasks"][0]["Vault"]
            .get("Policies")
            .is_none());
    }

    #[test]
    fn validation_nests_messages_like_go_multierror() {
        let j = job(
            r#"{"ID":"web","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"docker","Vault":{"Policies":["root"]}}]}]}"#,
        );
        let c = canonical_job(&j, "web", "default", "global", false).unwrap();
        assert_eq!(
            validate_job(&c),
            vec!["Task group g validation failed: 1 error occurred:\n\t* Task t validation failed: 1 error occurred:\n\t* Vault validation failed: 1 error occurred:\n\t* Can not specify \"root\" policy\n\n\n\n\n\n".to_string()]
        );
    }
}
