# Seed 004 ("Nomad Secrets Engine": Vault minting Nomad ACL tokens) as one declarative file.
# With the rest of the bootstrap left at its defaults (init, the nomad-server policy, the
# nomad-cluster role, the servers' token), this block adds Vault's Nomad secrets engine:
#
#   nvctl bootstrap --config nomad-secrets.example.hcl --plan   # what would change (exit 3 if any)
#   nvctl bootstrap --config nomad-secrets.example.hcl          # do it (asks per step; --yes in CI)
#
# To try it: `nvctl dev --nomad` runs an in-memory Vault and Nomad and prints their addresses and
# Nomad's management token; point `address` at that Nomad, give the token through NOMAD_TOKEN
# (and drop token_file), and create the roles' policies in that Nomad first.
#
# The seed's steps, and what nvctl adds to each:
# - `vault secrets enable nomad`                      -> the engine at `path`
# - `nomad acl bootstrap` ("save this!")              -> acl_bootstrap = true: the token is saved
#   0600 (fsync'd) before anything else is written; a lost answer is said plainly on the re-run
# - `vault write nomad/config/access address= token=` -> address, token_file (never printed)
# - `vault write nomad/config/lease ttl= max_ttl=`    -> lease_ttl, lease_max_ttl
# - `vault write nomad/roles/NAME …`                  -> role "NAME" { … }, written at
#   nomad/role/NAME: the seed's `roles/` is a typo, Vault answers it 404 and writes nothing
# - `vault read nomad/creds/deployer`, `nomad acl token self` -> the proof: one token minted
#   per role through Vault, checked on Nomad (type, policies, global), its lease revoked and
#   the token confirmed gone (only on a run that wrote something; `--no-mint` skips it)
# - the troubleshooting table -> checks from Nomad's side before anything is relied on: ACLs
#   enabled, a management token, every role's policy exists in Nomad, the clocks of Vault and
#   Nomad agree (their Date headers, 60s at most); each a finding with exit 3.
#
# The policies the roles name must exist in Nomad first (seed 004's "Create Policies in Nomad"):
#   nomad acl policy apply deploy deploy.policy.hcl   (readonly, read-logs, submit-jobs, …)

nomad_secrets {
  path          = "nomad"                       # the engine's mount (default "nomad")
  address       = "http://127.0.0.1:4646"       # Nomad's HTTP address as Vault reaches it
  token_file    = "nomad-management.token"      # 0600; or NOMAD_TOKEN in the environment
  # ca_cert_file     = "nomad-ca.pem"           # the seed's `ca_cert=@/path/to/ca.crt`
  # client_cert_file = "nomad-client.pem"       # with client_key_file (0600)
  acl_bootstrap = false                         # true: bootstrap Nomad's ACLs, token saved to token_file
  lease_ttl     = "1h"                          # the seed's ttl=3600
  lease_max_ttl = "24h"                         # the seed's max_ttl=86400

  # "Map to Single Policy"
  role "deployer" {
    policies = ["deploy"]
  }
  # "Map to Multiple Policies"
  role "platform" {
    policies = ["deploy", "read-logs", "submit-jobs"]
  }
  # "Global Tokens" (multi-region Nomad clusters)
  role "global-admin" {
    policies = ["admin"]
    global   = true
  }
  # "Token Type": client (the default) …
  role "app-submitter" {
    policies = ["submit-job"]
    type     = "client"
  }
  # … and management (full access; a management role names no policies)
  role "nomad-admin" {
    type = "management"
  }
}
