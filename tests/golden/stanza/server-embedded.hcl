vault {
  enabled          = true
  address          = "https://vault.example.com:8200"
  create_from_role = "nomad-cluster"
  task_token_ttl   = "1h"
  # Warning: this file holds a Vault token; keep it 0600 and out of version control.
  token            = "hvs.TEST-TOKEN"
}
