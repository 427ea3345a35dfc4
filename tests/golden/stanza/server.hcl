vault {
  enabled          = true
  address          = "https://vault.example.com:8200"
  create_from_role = "nomad-cluster"
  task_token_ttl   = "1h"

  # The Nomad servers' Vault token is not written here: set VAULT_TOKEN in the
  # Nomad service environment (for systemd, a drop-in with
  # Environment=VAULT_TOKEN=... in a 0600 file).
}
