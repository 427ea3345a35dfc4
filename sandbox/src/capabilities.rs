//! `sys/capabilities`, `sys/capabilities-self` and `sys/capabilities-accessor` (vault-api.md §7).
//!
//! One request answers many paths: `data` maps each path to its sorted capabilities, with a
//! `capabilities` key added when exactly one path was asked, and everything copied to the top
//! level of the envelope.

use serde_json::{Map, Value};

use crate::api::{ApiError, HandlerResult, Logical, Reply, Request};
use crate::auth::Caller;
use crate::state::State;

/// The `paths` field (array or comma string), else the deprecated `path`.
fn requested_paths(req: &Request) -> Vec<String> {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            Value::String(s) => s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    };
    let paths = req.body.get("paths").map(list).unwrap_or_default();
    if paths.is_empty() {
        req.body.get("path").map(list).unwrap_or_default()
    } else {
        paths
    }
}

pub fn handle(state: &mut State, caller: &Caller, req: &Request) -> HandlerResult {
    if !req.method.is_write() {
        return Err(ApiError::new(
            405,
            "1 error occurred:\n\t* unsupported operation\n\n",
        ));
    }
    let now = state.clock.now();
    // The token whose capabilities are asked for, as a caller: its entity matters too, since
    // templated rules (workload identity) are rendered from it.
    let subject: Caller = match req.path.as_str() {
        "sys/capabilities-self" => caller.clone(),
        "sys/capabilities" => {
            let token = req
                .str_field("token")
                .filter(|t| !t.is_empty())
                .unwrap_or(&caller.token_id)
                .to_string();
            match state.tokens.lookup(&token, now) {
                Some(entry) => Caller::from_entry(entry),
                None => return Err(ApiError::bad_request("invalid token")),
            }
        }
        "sys/capabilities-accessor" => {
            let accessor = req.str_field("accessor").unwrap_or_default();
            if accessor.is_empty() {
                return Err(ApiError::bad_request("missing accessor"));
            }
            let entry = state
                .tokens
                .id_for_accessor(accessor)
                .and_then(|id| state.tokens.lookup(&id, now).map(Caller::from_entry));
            match entry {
                Some(c) => c,
                None => return Err(ApiError::bad_request("invalid accessor")),
            }
        }
        _ => return Err(ApiError::unsupported_path()),
    };
    let paths = requested_paths(req);
    if paths.is_empty() {
        return Err(ApiError::bad_request("paths must be supplied"));
    }
    let acl = crate::auth::acl_for(state, &subject);
    let mut data = Map::new();
    for path in &paths {
        let names: Vec<Value> = acl
            .capability_names(path)
            .into_iter()
            .map(Value::String)
            .collect();
        data.insert(path.clone(), Value::Array(names));
    }
    if paths.len() == 1 {
        if let Some(caps) = data.get(&paths[0]).cloned() {
            data.insert("capabilities".to_string(), caps);
        }
    }
    Ok(Reply::Logical(Logical {
        data: Some(Value::Object(data)),
        data_at_top_level: true,
        ..Default::default()
    }))
}
