//! Vault or OpenBao: the differences on the wire (vault-api.md §0–§2).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    #[default]
    Vault,
    OpenBao,
}

impl Flavor {
    /// The version string seal-status and health report.
    pub fn version(self) -> &'static str {
        match self {
            Flavor::Vault => "1.21.3",
            Flavor::OpenBao => "2.6.0",
        }
    }

    /// Vault's envelope carries `mount_type`; OpenBao's does not (vault-api.md §0).
    pub fn has_mount_type(self) -> bool {
        self == Flavor::Vault
    }

    /// The prefix of the 400 answered for a malformed JSON body (vault-api.md §0).
    pub fn json_error_prefix(self) -> &'static str {
        match self {
            Flavor::Vault => "failed to parse JSON input",
            Flavor::OpenBao => "failed to decode JSON input",
        }
    }

    /// The name of the date field in seal-status: Vault `build_date`, OpenBao `commit_date`.
    pub fn date_field(self) -> &'static str {
        match self {
            Flavor::Vault => "build_date",
            Flavor::OpenBao => "commit_date",
        }
    }

    pub fn build_date(self) -> &'static str {
        match self {
            Flavor::Vault => "2025-11-20T14:01:37Z",
            Flavor::OpenBao => "2025-12-04T09:12:50Z",
        }
    }

    /// The cluster name prefix the sandbox generates (`vault-cluster-…` / `bao-cluster-…`).
    pub fn cluster_prefix(self) -> &'static str {
        match self {
            Flavor::Vault => "vault-cluster",
            Flavor::OpenBao => "bao-cluster",
        }
    }
}
