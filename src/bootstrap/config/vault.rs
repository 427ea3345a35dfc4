//! `vault { address, standbys }`: the Vault nodes, the active one first. `--address` flags
//! replace the block; without either, `VAULT_ADDR` (or Vault's default address).

use super::problems::{Origin, Setting};
use super::reader::{RawBlock, Schema};
use super::Resolver;
use crate::source::Located;

pub(super) const SCHEMA: Schema = Schema::block("vault", &["address", "standbys"]);

struct FileVault {
    address: Option<Located<String>>,
    standbys: Option<Located<Vec<String>>>,
}

fn read(block: Option<&RawBlock>, r: &mut Resolver) -> FileVault {
    let p = &mut r.problems;
    FileVault {
        address: block.and_then(|b| b.string("address", p)),
        standbys: block.and_then(|b| b.list("standbys", "a list of addresses", p)),
    }
}

/// The addresses, each checked with the client's own address rule.
pub(super) fn resolve(file: &RawBlock, r: &mut Resolver) -> Vec<String> {
    let file = read(file.block(SCHEMA.name), r);
    let mut addresses: Vec<Setting<String>> = if !r.ctx.address_flags.is_empty() {
        r.ctx
            .address_flags
            .iter()
            .map(|a| Setting::new(a.clone(), Origin::Flag("--address")))
            .collect()
    } else if file.address.is_some() || file.standbys.is_some() {
        let mut list = Vec::new();
        match file.address {
            Some(a) => list.push(Setting::from(a)),
            None => {
                if let Some(s) = &file.standbys {
                    r.problems.at(
                        &s.at,
                        "vault.standbys is set but vault.address (the active node) is not",
                    );
                }
            }
        }
        if let Some(s) = file.standbys {
            let origin = Origin::File(s.at);
            list.extend(s.value.into_iter().map(|a| Setting::new(a, origin.clone())));
        }
        list
    } else {
        r.ctx
            .fallback_addresses
            .iter()
            .map(|a| Setting::new(a.clone(), Origin::Default))
            .collect()
    };
    for a in &mut addresses {
        match crate::settings::validate_address(&a.value) {
            Ok(valid) => a.value = valid,
            Err(e) => r
                .problems
                .error(&a.origin, format!("invalid Vault address: {e:#}")),
        }
    }
    let mut unique = std::collections::BTreeSet::new();
    for a in &addresses {
        if !unique.insert(a.value.trim_end_matches('/').to_string()) {
            r.problems.error(
                &a.origin,
                format!("Vault address {} is listed twice", a.value),
            );
        }
    }
    if addresses.is_empty() {
        r.problems.error(
            &Origin::Default,
            "no Vault address: give --address or vault { address = … }",
        );
    }
    addresses.into_iter().map(|a| a.value).collect()
}
