//! `GET /v1/agent/self` (command/agent/agent_endpoint.go `AgentSelfRequest`): the agent's
//! configuration (`config.ACL.Enabled`, `config.Version`, `Region`, `Datacenter`, the `Vaults`
//! blocks), `member` and `stats`. The token is resolved by the HTTP layer
//! (http.go:`ResolveToken`), then `agent:read` is required.

use serde_json::{json, Value};

use crate::acl::store::AuthFailure;
use crate::api::{Answer, NomadError, Reply, Request};
use crate::state::State;

pub fn agent_self(state: &mut State, req: &Request) -> Answer {
    if req.method != "GET" {
        return Err(NomadError::invalid_method());
    }
    let now = state.clock.now();
    let legacy = state.config.version.legacy_token_errors();
    let caller = state
        .acl
        .authenticate(
            state.config.acl_enabled,
            &req.token,
            now,
            &mut state.keyring,
            legacy,
        )
        .map_err(|f| {
            let text = match (&f, legacy) {
                (AuthFailure::Unknown, true) => {
                    "failed to resolve ACL token: ACL token not found".to_string()
                }
                (AuthFailure::Expired, true) => {
                    "failed to resolve ACL token: ACL token expired".to_string()
                }
                (_, true) => "failed to resolve ACL token: ACL token not found".to_string(),
                (AuthFailure::Unknown, false) => {
                    "ACL token not found or invalid workload identity: Permission denied"
                        .to_string()
                }
                (AuthFailure::Expired, false) => {
                    "ACL token not found or invalid workload identity: ACL token expired"
                        .to_string()
                }
                (AuthFailure::Invalid(e), false) => {
                    format!("ACL token not found or invalid workload identity: {e}")
                }
            };
            NomadError::from_rpc_text(text)
        })?;
    if !state.acl.authority(&caller).allow_agent_read() {
        return Err(NomadError::permission_denied());
    }
    Ok(Reply::plain(document(state)))
}

fn document(state: &State) -> Value {
    let c = &state.config;
    let vault = &c.vault;
    let ttl_nanos = u64::try_from(vault.default_identity_ttl.as_nanos()).unwrap_or(u64::MAX);
    json!({
        "config": {
            "Region": c.region,
            "Datacenter": c.datacenter,
            "NodeName": c.node_name,
            "DataDir": "",
            "LogLevel": "INFO",
            "BindAddr": "127.0.0.1",
            "EnableDebug": false,
            "Ports": {"HTTP": 4646, "RPC": 4647, "Serf": 4648},
            "Addresses": {"HTTP": "127.0.0.1", "RPC": "127.0.0.1", "Serf": "127.0.0.1"},
            "Client": {"Enabled": true},
            "Server": {
                "Enabled": true,
                "AuthoritativeRegion": "",
                "OIDCIssuer": c.oidc_issuer.clone().unwrap_or_default(),
            },
            "ACL": {
                "Enabled": c.acl_enabled,
                "TokenTTL": 30_000_000_000_u64,
                "PolicyTTL": 30_000_000_000_u64,
                "RoleTTL": 30_000_000_000_u64,
                "ReplicationToken": "",
                "TokenMinExpirationTTL": u64::try_from(c.token_min_ttl.as_nanos()).unwrap_or(0),
                "TokenMaxExpirationTTL": u64::try_from(c.token_max_ttl.as_nanos()).unwrap_or(0),
            },
            "Vaults": [{
                "Name": "default",
                "Enabled": vault.enabled,
                "Role": "",
                "Namespace": "",
                "Addr": vault.address,
                "JWTAuthBackendPath": vault.jwt_auth_backend_path,
                "ConnectionRetryIntv": 30_000_000_000_u64,
                "TLSCaFile": "",
                "TLSCaPath": "",
                "TLSCertFile": "",
                "TLSKeyFile": "",
                "TLSSkipVerify": null,
                "TLSServerName": "",
                "DefaultIdentity": {
                    "Audience": vault.default_identity_aud,
                    "Env": null,
                    "File": null,
                    "Filepath": "",
                    "TTL": ttl_nanos,
                    "ExtraClaims": null,
                },
                "Token": "",
            }],
            "DevMode": false,
            "Version": {
                "Revision": "",
                "Version": c.version.number(),
                "VersionMetadata": "",
                "VersionPrerelease": c.version.text.split_once('-').map(|(_, p)| p).unwrap_or_default(),
            },
        },
        "member": {
            "Name": format!("{}.{}", c.node_name, c.region),
            "Addr": "127.0.0.1",
            "Port": 4648,
            "Tags": {
                "role": "nomad",
                "region": c.region,
                "dc": c.datacenter,
                "build": c.version.text,
                "port": "4647",
                "bootstrap": "1",
                "vsn": "1",
            },
            "Status": "alive",
            "ProtocolMin": 1, "ProtocolMax": 5, "ProtocolCur": 2,
            "DelegateMin": 2, "DelegateMax": 5, "DelegateCur": 4,
        },
        "stats": {
            "nomad": {
                "server": "true",
                "leader": "true",
                "leader_addr": "127.0.0.1:4647",
                "bootstrap": "true",
                "known_regions": "1",
            },
        },
    })
}
