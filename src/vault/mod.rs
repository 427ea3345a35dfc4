//! The typed Vault client: one request path with retries, redirects and error mapping, and one
//! module per API area. Knows nothing of Nomad or of the terminal.
