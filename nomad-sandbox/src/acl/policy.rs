//! Nomad ACL policy rules: parsing and validation as hashicorp/nomad `acl/policy.go:Parse`
//! does it (HCL or JSON; `namespace`, `node_pool`, `host_volume` blocks with a label;
//! `agent`, `node`, `operator`, `sentinel`, `quota`, `plugin` blocks without), the short-hand
//! `policy = "read"` expanded to capabilities, and the capability checks a token's policies
//! grant (`acl/acl.go`: `AllowNsOp`, `AllowAgentRead`, glob namespaces, deny wins).
//!
//! Error texts follow `Parse`, including Go's `%#v` renderings of the offending block. Where
//! Nomad's HCL1 parser reports a syntax error, the position and wording here come from hcl-rs
//! and will differ from Nomad's (`Failed to parse ACL Policy: ...` is kept).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

const POLICY_DENY: &str = "deny";
const POLICY_READ: &str = "read";
const POLICY_LIST: &str = "list";
const POLICY_WRITE: &str = "write";
const POLICY_SCALE: &str = "scale";

const NAMESPACE_CAPABILITIES: &[&str] = &[
    "deny",
    "list-jobs",
    "parse-job",
    "read-job",
    "submit-job",
    "dispatch-job",
    "read-logs",
    "read-fs",
    "alloc-exec",
    "alloc-node-exec",
    "alloc-lifecycle",
    "csi-register-plugin",
    "csi-write-volume",
    "csi-read-volume",
    "csi-list-volume",
    "csi-mount-volume",
    "host-volume-create",
    "host-volume-register",
    "host-volume-read",
    "host-volume-write",
    "host-volume-delete",
    "list-scaling-policies",
    "read-scaling-policy",
    "read-job-scaling",
    "scale-job",
    "register-job",
    "revert-job",
    "deregister-job",
    "purge-job",
    "evaluate-job",
    "plan-job",
    "tag-job-version",
    "stable-job",
    "fail-deployment",
    "pause-deployment",
    "promote-deployment",
    "unblock-deployment",
    "cancel-deployment",
    "set-alloc-health-deployment",
    "gc-allocation",
    "pause-allocation",
    "force-periodic-job",
    "delete-service-registration",
    "sentinel-override",
    "submit-recommendation",
];

const VARIABLE_CAPABILITIES: &[&str] = &["write", "read", "list", "destroy", "deny"];
const NODE_POOL_CAPABILITIES: &[&str] = &["delete", "deny", "read", "write"];
const HOST_VOLUME_CAPABILITIES: &[&str] = &["deny", "mount-readonly", "mount-readwrite"];
const OPERATOR_CAPABILITIES: &[&str] = &[
    "deny",
    "snapshot-save",
    "license-read",
    "keyring-rotate",
    "keyring-read",
    "keyring-delete",
];
const SENTINEL_CAPABILITIES: &[&str] = &[
    "deny",
    "sentinel-read",
    "sentinel-submit",
    "sentinel-delete",
];

/// The top-level keys `Parse` knows; anything else is an "Invalid or duplicate policy key".
const TOP_LEVEL_KEYS: &[&str] = &[
    "namespace",
    "node_pool",
    "host_volume",
    "agent",
    "node",
    "operator",
    "sentinel",
    "quota",
    "plugin",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamespacePolicy {
    pub name: String,
    pub policy: String,
    pub capabilities: Option<Vec<String>>,
    pub variables: Option<Vec<(String, Option<Vec<String>>)>>,
}

/// A labelled block with a policy and capabilities (`node_pool`, `host_volume`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: String,
    pub capabilities: Option<Vec<String>>,
}

/// An unlabelled block (`agent`, `node`, `quota`, `plugin`; `operator`, `sentinel` with
/// capabilities).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockPolicy {
    pub policy: String,
    pub capabilities: Option<Vec<String>>,
}

/// A parsed, validated and expanded policy (acl.Policy).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub namespaces: Vec<NamespacePolicy>,
    pub node_pools: Vec<NamedPolicy>,
    pub host_volumes: Vec<NamedPolicy>,
    pub agent: Option<BlockPolicy>,
    pub node: Option<BlockPolicy>,
    pub operator: Option<BlockPolicy>,
    pub sentinel: Option<BlockPolicy>,
    pub quota: Option<BlockPolicy>,
    pub plugin: Option<BlockPolicy>,
    pub raw: String,
    extra_keys: Vec<String>,
}

impl Policy {
    fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
            && self.node_pools.is_empty()
            && self.host_volumes.is_empty()
            && self.agent.is_none()
            && self.node.is_none()
            && self.operator.is_none()
            && self.sentinel.is_none()
            && self.quota.is_none()
            && self.plugin.is_none()
    }

    /// The policy as `RulesJSON` in a policy read (Go field names, Go's nils as `null`).
    pub fn to_json(&self) -> Value {
        let caps = |c: &Option<Vec<String>>| json!(c);
        let block = |b: &Option<BlockPolicy>, with_caps: bool| match b {
            None => Value::Null,
            Some(b) if with_caps => {
                json!({"Policy": b.policy, "Capabilities": caps(&b.capabilities)})
            }
            Some(b) => json!({"Policy": b.policy}),
        };
        let named = |list: &[NamedPolicy]| {
            if list.is_empty() {
                return Value::Null;
            }
            Value::Array(
                list.iter()
                    .map(|p| json!({"Name": p.name, "Policy": p.policy, "Capabilities": caps(&p.capabilities)}))
                    .collect(),
            )
        };
        let namespaces = if self.namespaces.is_empty() {
            Value::Null
        } else {
            Value::Array(
                self.namespaces
                    .iter()
                    .map(|ns| {
                        let variables = ns.variables.as_ref().map(|paths| {
                            json!({"Paths": paths.iter().map(|(spec, c)| json!({"PathSpec": spec, "Capabilities": caps(c)})).collect::<Vec<_>>()})
                        });
                        json!({"Name": ns.name, "Policy": ns.policy, "Capabilities": caps(&ns.capabilities), "Variables": variables})
                    })
                    .collect(),
            )
        };
        json!({
            "Namespaces": namespaces,
            "NodePools": named(&self.node_pools),
            "HostVolumes": named(&self.host_volumes),
            "Agent": block(&self.agent, false),
            "Node": block(&self.node, false),
            "Operator": block(&self.operator, true),
            "Sentinel": block(&self.sentinel, true),
            "Quota": block(&self.quota, false),
            "Plugin": block(&self.plugin, false),
            "Raw": self.raw,
            "ExtraKeysHCL": Value::Null,
        })
    }
}

/// Go's `%#v` of a `[]string`.
fn go_strings(list: &Option<Vec<String>>) -> String {
    match list {
        None => "[]string(nil)".into(),
        Some(items) => format!(
            "[]string{{{}}}",
            items
                .iter()
                .map(|s| crate::clock::go_quote(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn go_namespace(ns: &NamespacePolicy) -> String {
    let variables = if ns.variables.is_some() {
        // A pointer's address: whatever it is, Nomad prints one.
        "(*acl.VariablesPolicy)(0xc000010000)"
    } else {
        "(*acl.VariablesPolicy)(nil)"
    };
    format!(
        "&acl.NamespacePolicy{{Name:{}, Policy:{}, Capabilities:{}, Variables:{variables}}}",
        crate::clock::go_quote(&ns.name),
        crate::clock::go_quote(&ns.policy),
        go_strings(&ns.capabilities)
    )
}

fn go_host_volume(hv: &NamedPolicy) -> String {
    format!(
        "&acl.HostVolumePolicy{{Name:{}, Policy:{}, Capabilities:{}}}",
        crate::clock::go_quote(&hv.name),
        crate::clock::go_quote(&hv.policy),
        go_strings(&hv.capabilities)
    )
}

fn go_block(type_name: &str, b: &BlockPolicy, with_caps: bool) -> String {
    if with_caps {
        format!(
            "&acl.{type_name}{{Policy:{}, Capabilities:{}}}",
            crate::clock::go_quote(&b.policy),
            go_strings(&b.capabilities)
        )
    } else {
        format!(
            "&acl.{type_name}{{Policy:{}}}",
            crate::clock::go_quote(&b.policy)
        )
    }
}

fn valid_name(name: &str, extra: &[char]) -> bool {
    (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || extra.contains(&c))
}

fn is_policy_valid(p: &str) -> bool {
    matches!(p, POLICY_DENY | POLICY_READ | POLICY_WRITE | POLICY_SCALE)
}

fn expand_namespace_policy(policy: &str) -> Vec<&'static str> {
    let read = [
        "list-jobs",
        "parse-job",
        "read-job",
        "csi-list-volume",
        "csi-read-volume",
        "read-job-scaling",
        "list-scaling-policies",
        "read-scaling-policy",
        "host-volume-read",
    ];
    match policy {
        POLICY_DENY => vec!["deny"],
        POLICY_READ => read.to_vec(),
        POLICY_WRITE => {
            let mut write = read.to_vec();
            write.extend([
                "scale-job",
                "submit-job",
                "dispatch-job",
                "read-logs",
                "read-fs",
                "alloc-exec",
                "alloc-lifecycle",
                "csi-mount-volume",
                "csi-write-volume",
                "submit-recommendation",
                "host-volume-create",
            ]);
            write
        }
        POLICY_SCALE => vec![
            "list-scaling-policies",
            "read-scaling-policy",
            "read-job-scaling",
            "scale-job",
            "read-job",
            "submit-recommendation",
        ],
        _ => vec![],
    }
}

fn implied_namespace_capabilities(caps: &[String]) -> Vec<String> {
    let mut extra = Vec::new();
    for cap in caps {
        match cap.as_str() {
            "host-volume-write" => extra.extend([
                "host-volume-register",
                "host-volume-create",
                "host-volume-delete",
                "host-volume-read",
            ]),
            "host-volume-register" => extra.extend(["host-volume-create", "host-volume-read"]),
            "host-volume-create" => extra.push("host-volume-read"),
            _ => {}
        }
    }
    extra.into_iter().map(String::from).collect()
}

fn append(caps: &mut Option<Vec<String>>, extra: impl IntoIterator<Item = String>) {
    let extra: Vec<String> = extra.into_iter().collect();
    if extra.is_empty() {
        return;
    }
    caps.get_or_insert_with(Vec::new).extend(extra);
}

/// `acl.Parse(rules, strict)`: the parsed, validated, expanded policy or `Parse`'s error.
pub fn parse(rules: &str, strict: bool) -> Result<Policy, String> {
    let mut p = Policy {
        raw: rules.to_string(),
        ..Policy::default()
    };
    if rules.is_empty() {
        return Ok(p);
    }
    decode(&mut p, rules).map_err(|e| format!("Failed to parse ACL Policy: {e}"))?;
    if p.is_empty() {
        return Err(format!("Invalid policy: {}", p.raw));
    }

    for ns in &mut p.namespaces {
        if !valid_name(&ns.name, &['*']) {
            return Err(format!("Invalid namespace name: {}", go_namespace(ns)));
        }
        if !ns.policy.is_empty() && !is_policy_valid(&ns.policy) {
            return Err(format!("Invalid namespace policy: {}", go_namespace(ns)));
        }
        for cap in ns.capabilities.iter().flatten() {
            if !NAMESPACE_CAPABILITIES.contains(&cap.as_str()) {
                return Err(format!(
                    "Invalid namespace capability '{cap}': {}",
                    go_namespace(ns)
                ));
            }
        }
        if !ns.policy.is_empty() {
            let expanded = expand_namespace_policy(&ns.policy);
            append(&mut ns.capabilities, expanded.into_iter().map(String::from));
        }
        let implied =
            implied_namespace_capabilities(ns.capabilities.as_deref().unwrap_or_default());
        append(&mut ns.capabilities, implied);
        if let Some(paths) = &mut ns.variables {
            if paths.is_empty() {
                return Err(format!(
                    "Invalid variable policy: no variable paths in namespace {}",
                    ns.name
                ));
            }
            for (spec, caps) in paths.iter_mut() {
                if spec.is_empty() {
                    return Err(format!(
                        "Invalid missing variable path in namespace {}",
                        ns.name
                    ));
                }
                if spec.starts_with('/') {
                    return Err(format!(
                        "Invalid variable path {} in namespace {}: cannot start with a leading '/'`",
                        crate::clock::go_quote(spec),
                        ns.name
                    ));
                }
                for cap in caps.iter().flatten() {
                    if !VARIABLE_CAPABILITIES.contains(&cap.as_str()) {
                        return Err(format!(
                            "Invalid variable capability '{cap}' in namespace {}",
                            ns.name
                        ));
                    }
                }
                expand_variable_capabilities(caps);
            }
        }
    }

    for np in &mut p.node_pools {
        if !valid_name(&np.name, &['_', '*']) {
            return Err(format!("Invalid node pool name '{}'", np.name));
        }
        if !np.policy.is_empty() && !is_policy_valid(&np.policy) {
            return Err(format!(
                "Invalid node pool policy '{}' for '{}'",
                np.policy, np.name
            ));
        }
        for cap in np.capabilities.iter().flatten() {
            if !NODE_POOL_CAPABILITIES.contains(&cap.as_str()) {
                return Err(format!(
                    "Invalid node pool capability '{cap}' for '{}'",
                    np.name
                ));
            }
        }
        let expanded: Vec<&str> = match np.policy.as_str() {
            POLICY_DENY => vec!["deny"],
            POLICY_READ => vec!["read"],
            POLICY_WRITE => vec!["delete", "read", "write"],
            _ => vec![],
        };
        append(&mut np.capabilities, expanded.into_iter().map(String::from));
    }

    for hv in &mut p.host_volumes {
        if !valid_name(&hv.name, &['*']) {
            return Err(format!("Invalid host volume name: {}", go_host_volume(hv)));
        }
        if !hv.policy.is_empty() && !is_policy_valid(&hv.policy) {
            return Err(format!(
                "Invalid host volume policy: {}",
                go_host_volume(hv)
            ));
        }
        for cap in hv.capabilities.iter().flatten() {
            if !HOST_VOLUME_CAPABILITIES.contains(&cap.as_str()) {
                return Err(format!(
                    "Invalid host volume capability '{cap}': {}",
                    go_host_volume(hv)
                ));
            }
        }
        let expanded: Vec<&str> = match hv.policy.as_str() {
            POLICY_DENY => vec!["deny"],
            POLICY_READ => vec!["mount-readonly"],
            POLICY_WRITE => vec!["mount-readonly", "mount-readwrite"],
            _ => vec![],
        };
        append(&mut hv.capabilities, expanded.into_iter().map(String::from));
    }

    if !p.extra_keys.is_empty() && strict {
        return Err(format!(
            "Invalid or duplicate policy keys: {}",
            p.extra_keys.join(", ")
        ));
    }
    p.extra_keys.clear();

    if let Some(agent) = &p.agent {
        if !is_policy_valid(&agent.policy) {
            return Err(format!(
                "Invalid agent policy: {}",
                go_block("AgentPolicy", agent, false)
            ));
        }
    }
    if let Some(node) = &p.node {
        if !is_policy_valid(&node.policy) {
            return Err(format!(
                "Invalid node policy: {}",
                go_block("NodePolicy", node, false)
            ));
        }
    }
    if let Some(op) = &mut p.operator {
        if !op.policy.is_empty() && !is_policy_valid(&op.policy) {
            return Err(format!(
                "Invalid operator policy: {}",
                go_block("OperatorPolicy", op, true)
            ));
        }
        for cap in op.capabilities.iter().flatten() {
            if !OPERATOR_CAPABILITIES.contains(&cap.as_str()) {
                return Err(format!("Invalid operator capability '{cap}'"));
            }
        }
        let expanded: Vec<&str> = match op.policy.as_str() {
            POLICY_DENY => vec!["deny"],
            POLICY_READ => vec!["license-read", "keyring-read"],
            POLICY_WRITE => vec![
                "snapshot-save",
                "license-read",
                "keyring-rotate",
                "keyring-read",
                "keyring-delete",
            ],
            _ => vec![],
        };
        append(&mut op.capabilities, expanded.into_iter().map(String::from));
    }
    if let Some(sentinel) = &mut p.sentinel {
        if !sentinel.policy.is_empty() && !is_policy_valid(&sentinel.policy) {
            return Err(format!(
                "Invalid sentinel policy: {}",
                go_block("SentinelPolicy", sentinel, true)
            ));
        }
        for cap in sentinel.capabilities.iter().flatten() {
            if !SENTINEL_CAPABILITIES.contains(&cap.as_str()) {
                return Err(format!("Invalid sentinel capability '{cap}'"));
            }
        }
        let expanded: Vec<&str> = match sentinel.policy.as_str() {
            POLICY_DENY => vec!["deny"],
            POLICY_READ => vec!["sentinel-read"],
            POLICY_WRITE => vec!["sentinel-read", "sentinel-submit", "sentinel-delete"],
            _ => vec![],
        };
        append(
            &mut sentinel.capabilities,
            expanded.into_iter().map(String::from),
        );
    }
    if let Some(quota) = &p.quota {
        if !is_policy_valid(&quota.policy) {
            return Err(format!(
                "Invalid quota policy: {}",
                go_block("QuotaPolicy", quota, false)
            ));
        }
    }
    if let Some(plugin) = &p.plugin {
        if !matches!(
            plugin.policy.as_str(),
            POLICY_DENY | POLICY_READ | POLICY_LIST | POLICY_WRITE
        ) {
            return Err(format!(
                "Invalid plugin policy: {}",
                go_block("PluginPolicy", plugin, false)
            ));
        }
    }
    Ok(p)
}

fn expand_variable_capabilities(caps: &mut Option<Vec<String>>) {
    let Some(list) = caps else { return };
    if list.iter().any(|c| c == "deny") {
        *list = vec!["deny".into()];
        return;
    }
    if list.iter().any(|c| c == "read") && !list.iter().any(|c| c == "list") {
        list.push("list".into());
    }
}

/// One block of the rules, whatever syntax it came in.
struct RawBlock {
    labels: Vec<String>,
    attributes: BTreeMap<String, Value>,
    blocks: Vec<(String, RawBlock)>,
}

fn decode(p: &mut Policy, rules: &str) -> Result<(), String> {
    let top = if rules.trim_start().starts_with('{') {
        from_json(rules)?
    } else {
        from_hcl(rules)?
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (key, block) in top {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            p.extra_keys.push(key);
            continue;
        }
        let label = block.labels.first().cloned().unwrap_or_default();
        let string_attr = |name: &str| -> String {
            match block.attributes.get(name) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }
        };
        let caps_attr = |name: &str| -> Result<Option<Vec<String>>, String> {
            match block.attributes.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(items)) => Ok(Some(
                    items
                        .iter()
                        .map(|i| match i {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect(),
                )),
                Some(other) => Err(format!("capabilities: not a list: {other}")),
            }
        };
        match key.as_str() {
            "namespace" => {
                let variables =
                    block
                        .blocks
                        .iter()
                        .find(|(k, _)| k == "variables")
                        .map(|(_, vars)| {
                            vars.blocks
                                .iter()
                                .filter(|(k, _)| k == "path")
                                .map(|(_, path)| {
                                    let caps = match path.attributes.get("capabilities") {
                                        Some(Value::Array(items)) => Some(
                                            items
                                                .iter()
                                                .map(|i| i.as_str().unwrap_or_default().to_string())
                                                .collect(),
                                        ),
                                        _ => None,
                                    };
                                    (path.labels.first().cloned().unwrap_or_default(), caps)
                                })
                                .collect()
                        });
                p.namespaces.push(NamespacePolicy {
                    name: label,
                    policy: string_attr("policy"),
                    capabilities: caps_attr("capabilities")?,
                    variables,
                });
            }
            "node_pool" | "host_volume" => {
                let named = NamedPolicy {
                    name: label,
                    policy: string_attr("policy"),
                    capabilities: caps_attr("capabilities")?,
                };
                if key == "node_pool" {
                    p.node_pools.push(named);
                } else {
                    p.host_volumes.push(named);
                }
            }
            single => {
                if !seen.insert(single.to_string()) {
                    p.extra_keys.push(single.to_string());
                    continue;
                }
                let with_caps = matches!(single, "operator" | "sentinel");
                let policy = BlockPolicy {
                    policy: string_attr("policy"),
                    capabilities: if with_caps {
                        caps_attr("capabilities")?
                    } else {
                        None
                    },
                };
                let slot = match single {
                    "agent" => &mut p.agent,
                    "node" => &mut p.node,
                    "operator" => &mut p.operator,
                    "sentinel" => &mut p.sentinel,
                    "quota" => &mut p.quota,
                    _ => &mut p.plugin,
                };
                *slot = Some(policy);
            }
        }
    }
    Ok(())
}

fn from_hcl(rules: &str) -> Result<Vec<(String, RawBlock)>, String> {
    let body: hcl::Body = hcl::from_str(rules).map_err(|e| e.to_string())?;
    Ok(hcl_body(&body))
}

fn hcl_body(body: &hcl::Body) -> Vec<(String, RawBlock)> {
    let mut out = Vec::new();
    for structure in body.iter() {
        match structure {
            hcl::Structure::Attribute(attr) => {
                // A top-level `key = value` is an unknown key to Nomad's decoder unless it is
                // an object (HCL1's `agent = { policy = "read" }` form).
                let value = hcl_value(&attr.expr);
                let block = match value {
                    Value::Object(map) => RawBlock {
                        labels: vec![],
                        attributes: map.into_iter().collect(),
                        blocks: vec![],
                    },
                    _ => RawBlock {
                        labels: vec![],
                        attributes: BTreeMap::new(),
                        blocks: vec![],
                    },
                };
                out.push((attr.key.to_string(), block));
            }
            hcl::Structure::Block(block) => {
                let mut attributes = BTreeMap::new();
                for attr in block.body.attributes() {
                    attributes.insert(attr.key.to_string(), hcl_value(&attr.expr));
                }
                out.push((
                    block.identifier.to_string(),
                    RawBlock {
                        labels: block
                            .labels
                            .iter()
                            .map(|l| l.as_str().to_string())
                            .collect(),
                        attributes,
                        blocks: hcl_body(&block.body)
                            .into_iter()
                            .filter(|(k, _)| !block.body.attributes().any(|a| a.key.as_str() == k))
                            .collect(),
                    },
                ));
            }
        }
    }
    out
}

fn hcl_value(expr: &hcl::Expression) -> Value {
    match expr {
        hcl::Expression::Null => Value::Null,
        hcl::Expression::Bool(b) => json!(b),
        hcl::Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        hcl::Expression::String(s) => json!(s),
        hcl::Expression::Array(items) => Value::Array(items.iter().map(hcl_value).collect()),
        hcl::Expression::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        hcl::ObjectKey::Identifier(id) => id.to_string(),
                        hcl::ObjectKey::Expression(e) => match hcl_value(e) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        },
                        _ => String::new(),
                    };
                    (key, hcl_value(v))
                })
                .collect(),
        ),
        other => json!(other.to_string()),
    }
}

/// The JSON form of a policy: `{"namespace": {"default": {"policy": "read"}}, "agent": {...}}`.
fn from_json(rules: &str) -> Result<Vec<(String, RawBlock)>, String> {
    let value: Value = serde_json::from_str(rules).map_err(|e| e.to_string())?;
    let Value::Object(top) = value else {
        return Err("root should be an object".into());
    };
    let mut out = Vec::new();
    for (key, value) in top {
        let labelled = matches!(key.as_str(), "namespace" | "node_pool" | "host_volume");
        match value {
            Value::Object(map) if labelled => {
                for (label, inner) in map {
                    out.push((key.clone(), json_block(vec![label], inner)));
                }
            }
            other => out.push((key, json_block(vec![], other))),
        }
    }
    Ok(out)
}

fn json_block(labels: Vec<String>, value: Value) -> RawBlock {
    let mut block = RawBlock {
        labels,
        attributes: BTreeMap::new(),
        blocks: Vec::new(),
    };
    if let Value::Object(map) = value {
        for (k, v) in map {
            if k == "variables" {
                if let Value::Object(vars) = &v {
                    let mut inner = RawBlock {
                        labels: vec![],
                        attributes: BTreeMap::new(),
                        blocks: vec![],
                    };
                    if let Some(Value::Object(paths)) = vars.get("path") {
                        for (spec, p) in paths {
                            inner
                                .blocks
                                .push(("path".into(), json_block(vec![spec.clone()], p.clone())));
                        }
                    }
                    block.blocks.push(("variables".into(), inner));
                }
            } else {
                block.attributes.insert(k, v);
            }
        }
    }
    block
}

/// A privilege level for the unlabelled areas (`agent`, `node`, `operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    #[default]
    None,
    Read,
    Write,
    Deny,
}

fn level(policy: &str) -> Level {
    match policy {
        POLICY_DENY => Level::Deny,
        POLICY_WRITE => Level::Write,
        POLICY_READ | POLICY_LIST | POLICY_SCALE => Level::Read,
        _ => Level::None,
    }
}

/// What a set of policies grants (acl.ACL). Management grants everything.
#[derive(Debug, Clone, Default)]
pub struct Authority {
    management: bool,
    /// Namespace name or glob → capabilities.
    namespaces: BTreeMap<String, BTreeSet<String>>,
    agent: Level,
    node: Level,
    operator: Level,
}

impl Authority {
    /// A management token, or ACLs disabled.
    pub fn management() -> Self {
        Authority {
            management: true,
            ..Authority::default()
        }
    }

    /// The union of `policies` (deny wins), as `acl.NewACL` merges them.
    pub fn from_policies<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> Self {
        let mut a = Authority::default();
        for p in policies {
            for ns in &p.namespaces {
                a.namespaces
                    .entry(ns.name.clone())
                    .or_default()
                    .extend(ns.capabilities.iter().flatten().cloned());
            }
            for (slot, block) in [
                (&mut a.agent, &p.agent),
                (&mut a.node, &p.node),
                (&mut a.operator, &p.operator),
            ] {
                if let Some(b) = block {
                    *slot = (*slot).max(level(&b.policy));
                }
            }
        }
        a
    }

    pub fn is_management(&self) -> bool {
        self.management
    }

    /// The capabilities that apply to `namespace`: its exact entry, else the closest glob
    /// (acl.go:findClosestMatchingGlob: the fewest characters left to the wildcards).
    fn namespace_caps(&self, namespace: &str) -> Option<&BTreeSet<String>> {
        if let Some(caps) = self.namespaces.get(namespace) {
            return Some(caps);
        }
        self.namespaces
            .iter()
            .filter(|(pattern, _)| pattern.contains('*') && glob_match(pattern, namespace))
            .min_by_key(|(pattern, _)| {
                namespace
                    .len()
                    .saturating_sub(pattern.replace('*', "").len())
            })
            .map(|(_, caps)| caps)
    }

    /// `AllowNsOp`: `*` asks whether any namespace allows the operation.
    pub fn allow_namespace_op(&self, namespace: &str, op: &str) -> bool {
        if self.management {
            return true;
        }
        let allows = |caps: &BTreeSet<String>| !caps.contains("deny") && caps.contains(op);
        if namespace == "*" {
            return self.namespaces.values().any(allows);
        }
        self.namespace_caps(namespace).is_some_and(allows)
    }

    pub fn allow_agent_read(&self) -> bool {
        self.management || matches!(self.agent, Level::Read | Level::Write)
    }

    pub fn allow_node_read(&self) -> bool {
        self.management || matches!(self.node, Level::Read | Level::Write)
    }

    pub fn allow_operator_read(&self) -> bool {
        self.management || matches!(self.operator, Level::Read | Level::Write)
    }
}

/// ryanuber/go-glob: `*` matches any run of characters.
fn glob_match(pattern: &str, subject: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == subject;
    }
    let mut rest = subject;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(idx) => rest = &rest[idx + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    // Seed 004's deploy policy.
    const DEPLOY: &str = r#"
namespace "default" {
  policy = "write"
  capabilities = ["submit-job", "read-logs", "alloc-exec"]
}
node {
  policy = "read"
}
"#;

    #[test]
    fn seed_policies_parse_and_expand() {
        let p = parse(DEPLOY, true).unwrap();
        let caps = p.namespaces[0].capabilities.clone().unwrap();
        assert_eq!(&caps[..3], &["submit-job", "read-logs", "alloc-exec"]);
        assert!(caps.contains(&"list-jobs".to_string()));
        let a = Authority::from_policies([&p]);
        assert!(a.allow_namespace_op("default", "submit-job"));
        assert!(!a.allow_namespace_op("prod", "read-job"));
        assert!(a.allow_node_read());
        assert!(!a.allow_agent_read());
    }

    #[test]
    fn invalid_rules_give_parse_errors_in_nomads_words() {
        assert_eq!(
            parse("namespace \"default\" { policy = \"admin\" }", true).unwrap_err(),
            "Invalid namespace policy: &acl.NamespacePolicy{Name:\"default\", Policy:\"admin\", Capabilities:[]string(nil), Variables:(*acl.VariablesPolicy)(nil)}"
        );
        assert_eq!(
            parse("agent { policy = \"all\" }", true).unwrap_err(),
            "Invalid agent policy: &acl.AgentPolicy{Policy:\"all\"}"
        );
        assert_eq!(
            parse("nodes { policy = \"read\" }", true).unwrap_err(),
            "Invalid policy: nodes { policy = \"read\" }"
        );
        assert_eq!(
            parse(
                "node { policy = \"read\" }\nnodes { policy = \"read\" }",
                true
            )
            .unwrap_err(),
            "Invalid or duplicate policy keys: nodes"
        );
        assert!(parse("namespace \"x\" {", true)
            .unwrap_err()
            .starts_with("Failed to parse ACL Policy: "));
        assert!(parse("", true).is_ok());
    }

    #[test]
    fn globs_pick_the_closest_match_and_deny_wins() {
        let p = parse(
            "namespace \"*\" { policy = \"read\" }\nnamespace \"prod-*\" { policy = \"deny\" }",
            true,
        )
        .unwrap();
        let a = Authority::from_policies([&p]);
        assert!(a.allow_namespace_op("dev", "read-job"));
        assert!(!a.allow_namespace_op("prod-eu", "read-job"));
        assert!(a.allow_namespace_op("*", "list-jobs"));
    }

    #[test]
    fn json_rules_are_accepted() {
        let p = parse(r#"{"namespace": {"default": {"policy": "read"}}}"#, true).unwrap();
        assert_eq!(p.namespaces[0].name, "default");
    }
}
