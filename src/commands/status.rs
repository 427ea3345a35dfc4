//! `nvctl status`: init, seal and HA state of each node, side by side.
//!
//! Exit 0 when every node answered and is unsealed; 2 when any node could not be reached;
//! 3 when every node answered but at least one is sealed or not initialised.

use anyhow::Result;
use serde::Serialize;

use crate::cli::Format;
use crate::exit::Exit;
use crate::output::{self, Table, Ui};
use crate::settings::Settings;
use crate::vault::{HealthQuery, SealStatus, VaultClient};

/// What one node said about itself.
#[derive(Debug, Serialize)]
pub struct NodeStatus {
    pub address: String,
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    /// `active`, `standby`, `performance-standby`, or null when sealed/unknown.
    pub ha_mode: Option<String>,
    pub seal_type: Option<String>,
    pub threshold: Option<u32>,
    pub shares: Option<u32>,
    pub unseal_progress: Option<u32>,
    pub version: Option<String>,
    pub cluster_name: Option<String>,
}

pub fn run(settings: &Settings, ui: &Ui) -> Result<Exit> {
    let format = settings.format_for("status", &[Format::Table, Format::Json])?;
    let client = settings.vault_client()?;
    let nodes: Vec<NodeStatus> = std::thread::scope(|scope| {
        let handles: Vec<_> = settings
            .addresses
            .iter()
            .map(|addr| {
                let client = &client;
                scope.spawn(move || observe(client, addr))
            })
            .collect();
        handles
            .into_iter()
            .zip(&settings.addresses)
            .map(|(h, addr)| {
                h.join()
                    .unwrap_or_else(|_| unreachable_node(addr, "internal error"))
            })
            .collect()
    });

    match format {
        Format::Json => output::json(&serde_json::json!({ "nodes": nodes }))?,
        _ => output::stdout(&render(&nodes))?,
    }
    for node in nodes.iter().filter(|n| !n.reachable) {
        ui.failed(node.error.as_deref().unwrap_or("unreachable"));
    }
    Ok(exit_for(&nodes))
}

/// Reads seal-status, then health for the HA role (an unsealed node only).
pub fn observe(client: &VaultClient, address: &str) -> NodeStatus {
    let node = match client.with_address(address) {
        Ok(node) => node,
        Err(e) => return unreachable_node(address, &e.to_string()),
    };
    let seal: SealStatus = match node.seal_status() {
        Ok(s) => s,
        Err(e) => return unreachable_node(address, &e.to_string()),
    };
    let ha_mode = if seal.initialized && !seal.sealed {
        node.health(&HealthQuery::default()).ok().map(|h| {
            if h.performance_standby {
                "performance-standby".to_string()
            } else if h.standby {
                "standby".to_string()
            } else {
                "active".to_string()
            }
        })
    } else {
        None
    };
    NodeStatus {
        address: address.to_string(),
        reachable: true,
        error: None,
        initialized: Some(seal.initialized),
        sealed: Some(seal.sealed),
        ha_mode,
        seal_type: Some(seal.seal_type.clone()).filter(|t| !t.is_empty()),
        threshold: Some(seal.t),
        shares: Some(seal.n),
        unseal_progress: Some(seal.progress),
        version: Some(seal.version.clone()).filter(|v| !v.is_empty()),
        cluster_name: seal.cluster_name.clone(),
    }
}

fn unreachable_node(address: &str, error: &str) -> NodeStatus {
    NodeStatus {
        address: address.to_string(),
        reachable: false,
        error: Some(error.to_string()),
        initialized: None,
        sealed: None,
        ha_mode: None,
        seal_type: None,
        threshold: None,
        shares: None,
        unseal_progress: None,
        version: None,
        cluster_name: None,
    }
}

fn exit_for(nodes: &[NodeStatus]) -> Exit {
    if nodes.iter().any(|n| !n.reachable) {
        Exit::Vault
    } else if nodes
        .iter()
        .any(|n| n.sealed != Some(false) || n.initialized != Some(true))
    {
        Exit::Problems
    } else {
        Exit::Success
    }
}

fn render(nodes: &[NodeStatus]) -> String {
    let mut table = Table::new([
        "Address",
        "Initialized",
        "Sealed",
        "HA Mode",
        "Unseal",
        "Seal Type",
        "Version",
    ]);
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "true".to_string(),
        Some(false) => "false".to_string(),
        None => "-".to_string(),
    };
    for n in nodes {
        if !n.reachable {
            table.row([n.address.as_str(), "unreachable", "-", "-", "-", "-", "-"]);
            continue;
        }
        let unseal = match (n.sealed, n.unseal_progress, n.threshold) {
            (Some(true), Some(p), Some(t)) if t > 0 => format!("{p}/{t}"),
            _ => "-".to_string(),
        };
        table.row([
            n.address.clone(),
            yes_no(n.initialized),
            yes_no(n.sealed),
            n.ha_mode.clone().unwrap_or_else(|| "-".into()),
            unseal,
            n.seal_type.clone().unwrap_or_else(|| "-".into()),
            n.version.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    table.render()
}
