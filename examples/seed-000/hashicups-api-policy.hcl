# seeds/000 step 3: what the HashiCups job needs from Vault — the KV v2 secret's data path.
path "secret/data/hashicups-api" {
  capabilities = ["read"]
}
