//! vault-api.md §0: the namespace header on root-only endpoints, per flavor.

use crate::common;

use common::send;
use vault_sandbox::{Flavor, Sandbox};

const ROOT_ONLY: [(&str, &str); 5] = [
    ("GET", "sys/init"),
    ("PUT", "sys/seal"),
    ("PUT", "sys/unseal"),
    ("GET", "sys/health"),
    ("PUT", "sys/step-down"),
];

// vault-api.md §0: OpenBao answers 400 operation unavailable in namespaces
#[test]
fn openbao_refuses_namespaced_root_only_endpoints_with_400() {
    let bao = Sandbox::builder()
        .dev("root")
        .flavor(Flavor::OpenBao)
        .start()
        .unwrap();
    for (method, path) in ROOT_ONLY {
        let a = send(
            &bao.addr(),
            method,
            path,
            &[("X-Vault-Namespace", "team-a"), ("X-Vault-Token", "root")],
            Some("{}"),
        );
        assert_eq!(a.status, 400, "{path}");
        assert_eq!(a.error(), "operation unavailable in namespaces", "{path}");
    }
}

// vault-api.md §0: Vault answers 404
#[test]
fn vault_answers_404_for_namespaced_root_only_endpoints() {
    let vault = Sandbox::builder().dev("root").start().unwrap();
    for (method, path) in ROOT_ONLY {
        let a = send(
            &vault.addr(),
            method,
            path,
            &[("X-Vault-Namespace", "team-a/"), ("X-Vault-Token", "root")],
            Some("{}"),
        );
        assert_eq!(a.status, 404, "{path}");
    }
    // the node was not sealed by the namespaced sys/seal
    let h = send(&vault.addr(), "GET", "sys/health", &[], None);
    assert_eq!(h.status, 200);
}

// vault-api.md §0: sys/seal-status tolerates the header (both flavors)
#[test]
fn seal_status_tolerates_the_namespace_header() {
    for flavor in [Flavor::Vault, Flavor::OpenBao] {
        let node = Sandbox::builder()
            .dev("root")
            .flavor(flavor)
            .start()
            .unwrap();
        let a = send(
            &node.addr(),
            "GET",
            "sys/seal-status",
            &[("X-Vault-Namespace", "team-a")],
            None,
        );
        assert_eq!(a.status, 200, "{flavor:?}");
        assert_eq!(a.json()["sealed"], false);
    }
}
