vault {
  enabled = true
  address = "https://vault.example.com:8200"
}
