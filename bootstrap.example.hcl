# nvctl bootstrap configuration — the seed tutorial ("Vault Integration", Nomad guide) as one
# declarative file:
#
#   nvctl bootstrap --config bootstrap.example.hcl --plan   # what would change (exit 3 if any)
#   nvctl bootstrap --config bootstrap.example.hcl          # do it (asks per step; --yes in CI)
#   nvctl bootstrap --config bootstrap.example.hcl --dev    # try it against an in-memory Vault
#
# Every key is optional: the defaults are the documented setup. Flags override this file
# (e.g. --key-shares 5). Relative paths are relative to this file's directory. Durations are
# strings such as "72h" or a number of seconds. The whole file is checked before Vault is
# contacted; every problem is reported with its line.

vault {
  # The active node. Without it: --address, then VAULT_ADDR.
  address = "https://vault-1.example.com:8200"

  # Standby nodes: each must be unsealed too (unseal is never forwarded).
  # standbys = ["https://vault-2.example.com:8200", "https://vault-3.example.com:8200"]
}

# Step 1 (the tutorial's step 1) — `vault operator init -key-shares=1 -key-threshold=1` in the
# tutorial. One key is a convenience of the tutorial (nvctl warns about it); production wants 5
# shares, threshold 3.
init {
  key_shares    = 1
  key_threshold = 1
  # Keys and root token, saved 0600 before anything is printed. Never overwritten: an
  # existing file stops init. Later runs read it to unseal and, without VAULT_TOKEN, to log in.
  output = "vault-init.json"
}

# Step 3 (the tutorial's step 4) — the nomad-server policy (the shipped policies/nomad-server.hcl,
# with the role name substituted).
policy {
  name = "nomad-server"
}

# Step 4 (the tutorial's step 5) — the token role Nomad creates task tokens from: orphan,
# renewable, periodic, no explicit max TTL. Jobs may use exactly the allowed policies (the
# tutorial's first variant); or use disallowed_policies = ["nomad-server"] to allow everything
# else (the second variant).
role {
  name             = "nomad-cluster"
  allowed_policies = ["access-tables"]
  period           = "72h" # token_period 259200
}

# Step 5 (the tutorial's step 6) — `vault token create -policy nomad-server -period 72h -orphan`.
# A token already in the output file that passes Nomad's start-up checks is kept (--rotate-token
# mints a new one and revokes the old one after the new one is saved).
token {
  period = "72h"
  output = "nomad-server.token"
}

# Step 6 (the tutorial's step 7) — the agents' `vault` blocks. Without output paths they are
# printed.
stanza {
  # The address the Nomad agents use (default: the vault address above).
  vault_address  = "https://vault.service.consul:8200"
  task_token_ttl = "1h" # Nomad refuses anything under 5m
  # server_output = "nomad/server-vault.hcl"
  # client_output = "nomad/client-vault.hcl"
}

# The tutorial's step 13 — the policy its web job uses (`vault { policies = ["access-tables"] }`).
# Written alongside the server policy; `file = "access-tables-policy.hcl"` works as well.
job_policy "access-tables" {
  policy = <<-EOT
    path "database/creds/accessdb" {
      capabilities = ["read"]
    }
  EOT
}

# Workload identity (Nomad ≥ 1.7; the only flow on Nomad ≥ 1.10) — used with
# `--flow workload-identity` (or `--nomad-version 1.10.0`), as `nomad setup vault` does it:
# a jwt auth method, its config, a KV v2 mount at secret/ when absent, the role and a policy
# templated on the mount's accessor. The legacy blocks above (role, token, job_policy, the
# stanza's task_token_ttl) are not used by that flow. Flags override these keys
# (--jwks-url, --nomad-addr, --jwks-ca-file, --audience, --auth-path, --role, --policy-name,
# --role-period).
#
# workload_identity {
#   # Where Vault fetches Nomad's signing keys: give nomad_addr (the URL is
#   # <nomad_addr>/.well-known/jwks.json) or jwks_url. Vault itself must reach it.
#   nomad_addr = "https://nomad.service.consul:4646"
#   # jwks_url   = "https://nomad.service.consul:4646/.well-known/jwks.json"
#   # jwks_ca_file = "nomad-ca.pem"   # CA (PEM) of the JWKS endpoint, when it is private
#
#   audience     = ["vault.io"]     # must match the servers' default_identity.aud
#   auth_path    = "jwt-nomad"      # the client stanza's jwt_auth_backend_path
#   role         = "nomad-workloads"
#   policy       = "nomad-workloads"
#   token_period = "30m"            # the period of the workloads' Vault tokens
#   # kv_mount   = "secret"         # mount a KV v2 engine here when none is (the policy
#   #                               # grants on it); unset, none is mounted, as nomad setup vault
# }

# Seed 001 steps 9–12: the database secrets engine for the jobs (here the web job's
# database/creds/accessdb). Enabled, connected and its roles written as steps; then nvctl proves
# it: credentials minted through Vault log in to PostgreSQL (SELECT 1), their lease is revoked
# and the user is gone (`--no-mint` skips the proof). Checked before anything is written: a
# role's statements must create the user — the seed's one-line
# `GRANT ALL ON SCHEMA public TO "{{name}}";` does not, and fails on a real PostgreSQL —, every
# role must be in allowed_roles, the URL must be templated, TTLs at most the mount's live max_lease_ttl
# (768h unless tuned).
#
# database "postgresql" {                       # the connection's name: database/config/postgresql
#   path           = "database"                 # the engine's mount (default "database")
#   plugin_name    = "postgresql-database-plugin"
#   connection_url = "postgresql://{{username}}:{{password}}@database.service.consul:5432/postgres?sslmode=disable"
#   username       = "postgres"
#   password_file  = "postgres.password"        # 0600; or password_env = "PGPASSWORD"; never here
#   allowed_roles  = ["accessdb"]
#   verify_connection = true                    # Vault connects and pings when it is written
#   rotate_root    = false                      # true: rotate-root after the credentials proof;
#                                               # the password in the file is no longer valid then
#   role "accessdb" {
#     # accessdb.sql:
#     #   CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
#     #   GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";
#     creation_statements_file   = "accessdb.sql"
#     # revocation_statements_file = "accessdb-revoke.sql"   # optional; default: Vault drops the user
#     default_ttl = "1h"
#     max_ttl     = "24h"
#     tables      = ["public.products"]        # optional: the tables the job reads; the proof
#                                               # checks the minted user may SELECT from each
#   }
# }

# Seed 001 step 14 — the last verification: `nvctl check-job --rehearse` on the jobs that will
# read from this Vault (the web job's template reads database/creds/accessdb with the
# access-tables policy): a real task token is minted from the role, Vault is asked what it may
# read, and it is revoked. A task that would not get its secrets makes the run exit 3.
# Each file is read and checked before Vault is contacted.
#
# jobs = ["web-app.nomad.hcl"]

# A KV v2 secret a job's template reads (seed 000's `vault kv put secret/hashicups-api …`; see
# examples/seed-000 for that seed end to end): the values come from a JSON object of strings
# that only its owner may read (0600) — or `from_env = "VARIABLE"`, that JSON object in an
# environment variable — never from this file; the plan lists keys, never values; written with
# check-and-set.
#
# kv_secret "secret/hashicups-api" {
#   from_file = "hashicups-api.json"   # or: from_env = "HASHICUPS_API_JSON"
# }
