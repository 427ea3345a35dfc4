//! Vault or OpenBao: the differences on the wire (vault-api.md §0–§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    #[default]
    Vault,
    OpenBao,
}
