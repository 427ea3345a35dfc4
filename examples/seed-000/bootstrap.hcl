# nvctl bootstrap configuration — seeds/000 ("Nomad secrets consumption patterns: Vault
# integration", HashiCorp blog) end to end: the nomad-server policy, the nomad-cluster role
# allowing hashicups-api, the hashicups-api policy and KV v2 secret, the servers' token, the
# agent blocks, and the blog's job checked against all of it.
#
#   chmod 600 hashicups-api.json                 # once: git does not keep file modes
#   nvctl bootstrap --config bootstrap.hcl --plan
#   nvctl bootstrap --config bootstrap.hcl       # asks per step; --yes in CI
#   nvctl bootstrap --config bootstrap.hcl --dev # against an in-memory Vault
#
# Relative paths are relative to this file's directory. See README.md here.

# Step 1 — the nomad-server policy (the shipped policies/nomad-server.hcl for the role).
policy {
  name = "nomad-server"
}

# Step 2 — the token role: tasks may only get hashicups-api (the blog's allowed_policies).
role {
  name             = "nomad-cluster"
  allowed_policies = ["hashicups-api"]
  period           = "72h" # token_period 259200
}

# Step 3 — `vault policy write hashicups-api hashicups-api-policy.hcl`.
job_policy "hashicups-api" {
  file = "hashicups-api-policy.hcl"
}

# Step 4 — `vault kv put secret/hashicups-api api-key=… principal-id=…`, from a JSON object of
# strings only its owner may read (0600). Its values are never printed: the plan lists the
# keys added, removed or changed. Written with check-and-set, so a change someone makes
# meanwhile is refused by Vault rather than overwritten. A Vault that is not a dev server has
# no secret/ engine: a KV v2 one is mounted there first (shown in the plan).
kv_secret "secret/hashicups-api" {
  from_file = "hashicups-api.json"
}

# Step 5 — `vault token create -policy nomad-server -period 72h -orphan`, saved 0600 to
# nomad-server.token in the working directory (the init file likewise to vault-init.json;
# with --dev both go to a temporary directory).
token {
  period = "72h"
}

# The agents' vault blocks (the blog's server stanza: task_token_ttl 1h, create_from_role).
stanza {
  task_token_ttl = "1h"
}

# The last verification: check-job --rehearse on the blog's job (a real task token from the
# role, asked what it may read, then revoked): exit 3 when a task would not get its secrets.
jobs = ["example.nomad.hcl"]
