//! A minimal identity store: entities and their aliases, as auth method logins create them.
//!
//! Vault ties every token minted by an auth method (other than `token`) to an *entity*, found
//! or created through an *alias* named by the auth method (here: the JWT's `user_claim`) on
//! that method's mount accessor. Policy templates such as
//! `{{identity.entity.aliases.<accessor>.metadata.nomad_job_id}}` read the alias metadata the
//! login recorded (hashicorp/vault `vault/identity_store*.go`). Only what templating and the
//! `identity/entity/*` reads need is modelled: no groups, no merging, no entity policies.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use rand::RngCore;
use serde_json::{json, Value};

use crate::clock::rfc3339;

/// One alias of an entity: the entity as one auth mount knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityAlias {
    pub id: String,
    /// The alias name the auth method chose (the JWT's `user_claim` value).
    pub name: String,
    pub mount_accessor: String,
    pub mount_type: String,
    /// With its trailing slash and the `auth/` prefix: `auth/jwt-nomad/`.
    pub mount_path: String,
    /// Written by every login (the JWT role's `claim_mappings`).
    pub metadata: BTreeMap<String, String>,
    pub creation_time: SystemTime,
    pub last_update_time: SystemTime,
}

/// One entity: a client known to Vault, whatever method it logs in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    /// `entity_<8 hex>`, as Vault names entities it creates on login.
    pub name: String,
    pub metadata: BTreeMap<String, String>,
    pub aliases: Vec<EntityAlias>,
    pub creation_time: SystemTime,
    pub last_update_time: SystemTime,
}

impl Entity {
    /// The alias this entity has on the auth mount with `accessor`, if any.
    pub fn alias_on(&self, accessor: &str) -> Option<&EntityAlias> {
        self.aliases.iter().find(|a| a.mount_accessor == accessor)
    }

    /// The body of `GET identity/entity/id/:id` (Vault's `handleEntityReadCommon`).
    pub fn read_json(&self) -> Value {
        let aliases: Vec<Value> = self
            .aliases
            .iter()
            .map(|a| {
                json!({
                    "canonical_id": self.id,
                    "creation_time": rfc3339(a.creation_time),
                    "custom_metadata": {},
                    "id": a.id,
                    "last_update_time": rfc3339(a.last_update_time),
                    "local": false,
                    "merged_from_canonical_ids": null,
                    "metadata": a.metadata,
                    "mount_accessor": a.mount_accessor,
                    "mount_path": a.mount_path,
                    "mount_type": a.mount_type,
                    "name": a.name,
                })
            })
            .collect();
        json!({
            "aliases": aliases,
            "creation_time": rfc3339(self.creation_time),
            "direct_group_ids": [],
            "disabled": false,
            "group_ids": [],
            "id": self.id,
            "inherited_group_ids": [],
            "last_update_time": rfc3339(self.last_update_time),
            "merged_entity_ids": null,
            "metadata": if self.metadata.is_empty() { Value::Null } else { json!(self.metadata) },
            "mfa_secrets": {},
            "name": self.name,
            "namespace_id": "root",
            "policies": [],
        })
    }
}

/// What a login tells the identity store about the client.
#[derive(Debug, Clone)]
pub struct LoginAlias {
    pub name: String,
    pub mount_accessor: String,
    pub mount_type: String,
    pub mount_path: String,
    pub metadata: BTreeMap<String, String>,
}

/// Every entity of one node, with an index from (mount accessor, alias name) to entity.
#[derive(Debug, Default)]
pub struct IdentityStore {
    entities: HashMap<String, Entity>,
    by_alias: HashMap<(String, String), String>,
}

fn random_hex8() -> String {
    let mut bytes = [0u8; 4];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl IdentityStore {
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        if id.is_empty() {
            return None;
        }
        self.entities.get(id)
    }

    pub fn entity_by_name(&self, name: &str) -> Option<&Entity> {
        self.entities.values().find(|e| e.name == name)
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Finds the entity behind the alias or creates both; the alias metadata is replaced with
    /// what this login carries, as Vault does when a login's alias metadata changed.
    /// Returns the entity id.
    pub fn upsert_login_alias(&mut self, login: &LoginAlias, now: SystemTime) -> String {
        let key = (login.mount_accessor.clone(), login.name.clone());
        if let Some(entity) = self
            .by_alias
            .get(&key)
            .and_then(|id| self.entities.get_mut(id))
        {
            if let Some(alias) = entity
                .aliases
                .iter_mut()
                .find(|a| a.mount_accessor == login.mount_accessor && a.name == login.name)
            {
                if alias.metadata != login.metadata {
                    alias.metadata = login.metadata.clone();
                    alias.last_update_time = now;
                    entity.last_update_time = now;
                }
            }
            return entity.id.clone();
        }
        let id = uuid::Uuid::new_v4().to_string();
        let entity = Entity {
            id: id.clone(),
            name: format!("entity_{}", random_hex8()),
            metadata: BTreeMap::new(),
            aliases: vec![EntityAlias {
                id: uuid::Uuid::new_v4().to_string(),
                name: login.name.clone(),
                mount_accessor: login.mount_accessor.clone(),
                mount_type: login.mount_type.clone(),
                mount_path: login.mount_path.clone(),
                metadata: login.metadata.clone(),
                creation_time: now,
                last_update_time: now,
            }],
            creation_time: now,
            last_update_time: now,
        };
        self.entities.insert(id.clone(), entity);
        self.by_alias.insert(key, id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(name: &str, job: &str) -> LoginAlias {
        LoginAlias {
            name: name.into(),
            mount_accessor: "auth_jwt_0123abcd".into(),
            mount_type: "jwt".into(),
            mount_path: "auth/jwt-nomad/".into(),
            metadata: BTreeMap::from([("nomad_job_id".to_string(), job.to_string())]),
        }
    }

    #[test]
    fn same_alias_logs_in_to_the_same_entity_and_updates_its_metadata() {
        let mut store = IdentityStore::default();
        let now = SystemTime::now();
        let a = store.upsert_login_alias(&login("web", "web"), now);
        let again = store.upsert_login_alias(&login("web", "web-2"), now);
        assert_eq!(a, again);
        assert_eq!(store.len(), 1);
        let entity = store.entity(&a).unwrap();
        assert!(entity.name.starts_with("entity_"));
        let alias = entity.alias_on("auth_jwt_0123abcd").unwrap();
        assert_eq!(alias.metadata["nomad_job_id"], "web-2");
        let other = store.upsert_login_alias(&login("api", "api"), now);
        assert_ne!(other, a);
        assert_eq!(store.len(), 2);
        assert!(store.entity("").is_none());
    }
}
