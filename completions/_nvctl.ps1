
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nvctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nvctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nvctl' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('bootstrap', 'bootstrap', [CompletionResultType]::ParameterValue, 'Run the whole sequence: init, unseal, policy, role, token, stanza, verification')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show init, seal and HA state of each --address')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Step 1: initialise Vault and save the unseal keys and root token to a 0600 file')
            [CompletionResult]::new('unseal', 'unseal', [CompletionResultType]::ParameterValue, 'Step 2: unseal every --address with keys from the init file, stdin or a prompt')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Step 3: the nomad-server policy (write, show, diff)')
            [CompletionResult]::new('role', 'role', [CompletionResultType]::ParameterValue, 'Step 4: the nomad-cluster token role (create, show, diff)')
            [CompletionResult]::new('check-role', 'check-role', [CompletionResultType]::ParameterValue, 'Nomad''s role and capability rules for a role and token, plus nvctl''s own findings')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Step 5: mint, inspect or validate the Nomad servers'' token')
            [CompletionResult]::new('stanza', 'stanza', [CompletionResultType]::ParameterValue, 'Step 6: print the Nomad agent `vault` block for servers or clients')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Everything Nomad checks at start, run on your real agent config files')
            [CompletionResult]::new('check-job', 'check-job', [CompletionResultType]::ParameterValue, 'Check job files'' `vault` blocks and templates against the live policies and role')
            [CompletionResult]::new('job-policy', 'job-policy', [CompletionResultType]::ParameterValue, 'The least-privilege policy each job''s templates need, as HCL to review (--write: write it)')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Run an in-memory Vault sandbox on loopback until Ctrl-C (like `vault server -dev`)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;bootstrap' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Declarative configuration (HCL); flags override it. See bootstrap.example.hcl')
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'Integration flow; chosen from --nomad-version when not given')
            [CompletionResult]::new('--nomad-version', '--nomad-version', [CompletionResultType]::ParameterName, 'Version of the Nomad servers (selects the flow and the rules)')
            [CompletionResult]::new('--key-shares', '--key-shares', [CompletionResultType]::ParameterName, 'Key shares for init [default: 5]')
            [CompletionResult]::new('--key-threshold', '--key-threshold', [CompletionResultType]::ParameterName, 'Key threshold for init [default: 3]')
            [CompletionResult]::new('--init-output', '--init-output', [CompletionResultType]::ParameterName, 'Where init writes the keys, and where unseal reads them [default: vault-init.json]')
            [CompletionResult]::new('--policy-name', '--policy-name', [CompletionResultType]::ParameterName, 'Name of the Nomad servers'' policy [default: nomad-server]')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Name of the token role [default: nomad-cluster]')
            [CompletionResult]::new('--allowed-policies', '--allowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may use (instead of --disallowed-policies)')
            [CompletionResult]::new('--disallowed-policies', '--disallowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may not use [default: the server policy]')
            [CompletionResult]::new('--role-period', '--role-period', [CompletionResultType]::ParameterName, 'The role''s token period [default: 72h]')
            [CompletionResult]::new('--token-period', '--token-period', [CompletionResultType]::ParameterName, 'The server token''s period [default: 72h]')
            [CompletionResult]::new('--task-token-ttl', '--task-token-ttl', [CompletionResultType]::ParameterName, 'task_token_ttl in the server stanza [default: 1h]')
            [CompletionResult]::new('--token-output', '--token-output', [CompletionResultType]::ParameterName, 'File (0600) holding the Nomad servers'' token; kept when it still passes Nomad''s checks')
            [CompletionResult]::new('--server-stanza-output', '--server-stanza-output', [CompletionResultType]::ParameterName, 'Where to write the server `vault` block')
            [CompletionResult]::new('--client-stanza-output', '--client-stanza-output', [CompletionResultType]::ParameterName, 'Where to write the client `vault` block')
            [CompletionResult]::new('--vault-address', '--vault-address', [CompletionResultType]::ParameterName, 'Vault address the Nomad agents use [default: the first --address]')
            [CompletionResult]::new('--job-policy', '--job-policy', [CompletionResultType]::ParameterName, 'Extra policy for jobs, written from a file: NAME=FILE (repeatable)')
            [CompletionResult]::new('--auth-path', '--auth-path', [CompletionResultType]::ParameterName, 'Workload identity: path of the jwt auth method [default: jwt-nomad]')
            [CompletionResult]::new('--jwks-url', '--jwks-url', [CompletionResultType]::ParameterName, 'Workload identity: Nomad''s JWKS URL [default: <--nomad-addr>/.well-known/jwks.json]')
            [CompletionResult]::new('--nomad-addr', '--nomad-addr', [CompletionResultType]::ParameterName, 'Workload identity: Nomad''s HTTP address, to derive the JWKS URL')
            [CompletionResult]::new('--jwks-ca-file', '--jwks-ca-file', [CompletionResultType]::ParameterName, 'Workload identity: CA certificate (PEM) Vault uses to verify the JWKS endpoint')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Workload identity: audience of the workload identities [default: vault.io]')
            [CompletionResult]::new('--kv-mount', '--kv-mount', [CompletionResultType]::ParameterName, 'Workload identity: mount a KV v2 engine here when none is (the policy grants on it) [default: none mounted; the policy grants on secret/, as nomad setup vault''s]')
            [CompletionResult]::new('--identity-file', '--identity-file', [CompletionResultType]::ParameterName, 'Workload identity: a workload identity (JWT) Nomad signed for a task, to prove the set-up: logged in through the role, its token''s policies checked, the token revoked')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Only observe: print what would change; exit 3 when changes are pending')
            [CompletionResult]::new('--dev', '--dev', [CompletionResultType]::ParameterName, 'Start an uninitialised in-memory Vault and bootstrap it (nothing installed, nothing kept)')
            [CompletionResult]::new('--rotate-token', '--rotate-token', [CompletionResultType]::ParameterName, 'Mint a new server token, write it, then revoke the old one')
            [CompletionResult]::new('--no-mint', '--no-mint', [CompletionResultType]::ParameterName, 'Skip the credentials proofs of the database and Nomad engines (mint through Vault, use, revoke)')
            [CompletionResult]::new('--rewrite-nomad-token', '--rewrite-nomad-token', [CompletionResultType]::ParameterName, 'nomad_secrets: send the Nomad management token to Vault''s config/access again (Vault never reads it back, so a rotated token is not seen otherwise)')
            [CompletionResult]::new('--destroy', '--destroy', [CompletionResultType]::ParameterName, 'Workload identity: remove what nvctl created (and only that)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;status' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;init' {
            [CompletionResult]::new('--key-shares', '--key-shares', [CompletionResultType]::ParameterName, 'Number of key shares (recovery shares on an auto-unseal Vault)')
            [CompletionResult]::new('--key-threshold', '--key-threshold', [CompletionResultType]::ParameterName, 'Shares needed to unseal (recovery threshold on an auto-unseal Vault)')
            [CompletionResult]::new('--pgp-keys', '--pgp-keys', [CompletionResultType]::ParameterName, 'Base64 PGP public key files, one per share, to encrypt the shares')
            [CompletionResult]::new('--root-token-pgp-key', '--root-token-pgp-key', [CompletionResultType]::ParameterName, 'Base64 PGP public key file to encrypt the root token')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to save Vault''s answer (must not exist; created 0600)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;unseal' {
            [CompletionResult]::new('--keys-file', '--keys-file', [CompletionResultType]::ParameterName, 'Init file: nvctl''s, `vault operator init -format=json` output, or a raw sys/init answer')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read keys from standard input, one per line')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Discard the unseal progress of each node instead of unsealing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;policy' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write the policy: created when absent, nothing when equal, a diff and consent when different')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live policy text (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;policy;write' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Policy name')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Token role substituted into the shipped policy')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Policy file to use instead of the shipped nomad-server policy')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;policy;show' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Policy name')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Token role substituted into the shipped policy')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Policy file to use instead of the shipped nomad-server policy')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;policy;diff' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Policy name')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Token role substituted into the shipped policy')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Policy file to use instead of the shipped nomad-server policy')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;policy;help' {
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write the policy: created when absent, nothing when equal, a diff and consent when different')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live policy text (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;policy;help;write' {
            break
        }
        'nvctl;policy;help;show' {
            break
        }
        'nvctl;policy;help;diff' {
            break
        }
        'nvctl;policy;help;help' {
            break
        }
        'nvctl;role' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create or update the role; refuses a role Nomad would reject unless --force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live role (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;role;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Role name')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Role JSON file (both `period` and `token_period` spellings accepted)')
            [CompletionResult]::new('--allowed-policies', '--allowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may use')
            [CompletionResult]::new('--disallowed-policies', '--disallowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may not use')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Token period, e.g. 72h')
            [CompletionResult]::new('--orphan', '--orphan', [CompletionResultType]::ParameterName, 'Whether tokens from the role are orphans')
            [CompletionResult]::new('--renewable', '--renewable', [CompletionResultType]::ParameterName, 'Whether tokens from the role are renewable')
            [CompletionResult]::new('--explicit-max-ttl', '--explicit-max-ttl', [CompletionResultType]::ParameterName, 'Explicit max TTL (Nomad requires 0)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write a role Nomad would reject anyway')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;role;show' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Role name')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Role JSON file (both `period` and `token_period` spellings accepted)')
            [CompletionResult]::new('--allowed-policies', '--allowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may use')
            [CompletionResult]::new('--disallowed-policies', '--disallowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may not use')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Token period, e.g. 72h')
            [CompletionResult]::new('--orphan', '--orphan', [CompletionResultType]::ParameterName, 'Whether tokens from the role are orphans')
            [CompletionResult]::new('--renewable', '--renewable', [CompletionResultType]::ParameterName, 'Whether tokens from the role are renewable')
            [CompletionResult]::new('--explicit-max-ttl', '--explicit-max-ttl', [CompletionResultType]::ParameterName, 'Explicit max TTL (Nomad requires 0)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write a role Nomad would reject anyway')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;role;diff' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Role name')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Role JSON file (both `period` and `token_period` spellings accepted)')
            [CompletionResult]::new('--allowed-policies', '--allowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may use')
            [CompletionResult]::new('--disallowed-policies', '--disallowed-policies', [CompletionResultType]::ParameterName, 'Policies jobs may not use')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Token period, e.g. 72h')
            [CompletionResult]::new('--orphan', '--orphan', [CompletionResultType]::ParameterName, 'Whether tokens from the role are orphans')
            [CompletionResult]::new('--renewable', '--renewable', [CompletionResultType]::ParameterName, 'Whether tokens from the role are renewable')
            [CompletionResult]::new('--explicit-max-ttl', '--explicit-max-ttl', [CompletionResultType]::ParameterName, 'Explicit max TTL (Nomad requires 0)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write a role Nomad would reject anyway')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;role;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create or update the role; refuses a role Nomad would reject unless --force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live role (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;role;help;create' {
            break
        }
        'nvctl;role;help;show' {
            break
        }
        'nvctl;role;help;diff' {
            break
        }
        'nvctl;role;help;help' {
            break
        }
        'nvctl;check-role' {
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'Which flow''s role to check')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Nomad agent `allow_unauthenticated` (checks auth/token/lookup when false)')
            [CompletionResult]::new('--auth-path', '--auth-path', [CompletionResultType]::ParameterName, 'Workload identity: path of the jwt auth method')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Workload identity: the servers'' default_identity audience')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Check every token role, concurrently (with --flow workload-identity: every role at --auth-path)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;token' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Mint the Nomad servers'' token (orphan, periodic, renewable) and verify it as Nomad would')
            [CompletionResult]::new('unwrap', 'unwrap', [CompletionResultType]::ParameterValue, 'On the server host: unwrap the servers'' token (once), write it 0600, check it as Nomad would')
            [CompletionResult]::new('lookup', 'lookup', [CompletionResultType]::ParameterValue, 'Show a token''s properties (the token itself masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run a Nomad server''s start-up validation on an existing token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;token;create' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policies of the token (repeatable)')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Token period')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Create from this token role (auth/token/create/ROLE) instead of create-orphan')
            [CompletionResult]::new('--orphan', '--orphan', [CompletionResultType]::ParameterName, 'Whether the token is an orphan')
            [CompletionResult]::new('--display-name', '--display-name', [CompletionResultType]::ParameterName, 'Display name (Vault stores it as token-NAME)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the token to this file (created 0600, never overwritten)')
            [CompletionResult]::new('--nomad-role', '--nomad-role', [CompletionResultType]::ParameterName, 'Role name Nomad''s create_from_role will use (for the start-up checks)')
            [CompletionResult]::new('--wrap-ttl', '--wrap-ttl', [CompletionResultType]::ParameterName, 'Deliver the token response-wrapped: only a single-use wrapping token valid this long is printed or saved (unwrap it with `nvctl token unwrap`)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;token;unwrap' {
            [CompletionResult]::new('--wrapping-token-file', '--wrapping-token-file', [CompletionResultType]::ParameterName, 'File holding the wrapping token (`-`: standard input)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the servers'' token (created 0600, never overwritten)')
            [CompletionResult]::new('--nomad-role', '--nomad-role', [CompletionResultType]::ParameterName, 'create_from_role of the Nomad servers (for the start-up checks); empty: the token''s own role')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Nomad agent `allow_unauthenticated`')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;token;lookup' {
            [CompletionResult]::new('--accessor', '--accessor', [CompletionResultType]::ParameterName, 'Look up by accessor instead of the token from --token-file / VAULT_TOKEN')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;token;check' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'create_from_role of the Nomad servers; pass an empty value to use the token''s own role')
            [CompletionResult]::new('--allow-unauthenticated', '--allow-unauthenticated', [CompletionResultType]::ParameterName, 'Nomad agent `allow_unauthenticated`')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Mint the Nomad servers'' token (orphan, periodic, renewable) and verify it as Nomad would')
            [CompletionResult]::new('unwrap', 'unwrap', [CompletionResultType]::ParameterValue, 'On the server host: unwrap the servers'' token (once), write it 0600, check it as Nomad would')
            [CompletionResult]::new('lookup', 'lookup', [CompletionResultType]::ParameterValue, 'Show a token''s properties (the token itself masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run a Nomad server''s start-up validation on an existing token')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;token;help;create' {
            break
        }
        'nvctl;token;help;unwrap' {
            break
        }
        'nvctl;token;help;lookup' {
            break
        }
        'nvctl;token;help;check' {
            break
        }
        'nvctl;token;help;help' {
            break
        }
        'nvctl;stanza' {
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'The server block (enabled, address, create_from_role, task_token_ttl)')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'The client block (enabled, address; never a token)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;stanza;server' {
            [CompletionResult]::new('--vault-address', '--vault-address', [CompletionResultType]::ParameterName, 'Vault address the Nomad agents use [default: the --address]')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'create_from_role (server)')
            [CompletionResult]::new('--task-token-ttl', '--task-token-ttl', [CompletionResultType]::ParameterName, 'task_token_ttl (server); at least 5m')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'ca_file on the Nomad hosts')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'cert_file on the Nomad hosts')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'key_file on the Nomad hosts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the block to this file instead of stdout')
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'Workload identity blocks instead of the token flow')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Workload identity (server): default_identity aud, comma-separated; must meet the role''s bound_audiences')
            [CompletionResult]::new('--identity-ttl', '--identity-ttl', [CompletionResultType]::ParameterName, 'Workload identity (server): default_identity ttl')
            [CompletionResult]::new('--auth-path', '--auth-path', [CompletionResultType]::ParameterName, 'Workload identity (client): path of the jwt auth method (jwt_auth_backend_path)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--embed-token', '--embed-token', [CompletionResultType]::ParameterName, 'Embed the servers'' token from --token-file (prefer VAULT_TOKEN in the service); a root token is refused')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;stanza;client' {
            [CompletionResult]::new('--vault-address', '--vault-address', [CompletionResultType]::ParameterName, 'Vault address the Nomad agents use [default: the --address]')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'create_from_role (server)')
            [CompletionResult]::new('--task-token-ttl', '--task-token-ttl', [CompletionResultType]::ParameterName, 'task_token_ttl (server); at least 5m')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'ca_file on the Nomad hosts')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'cert_file on the Nomad hosts')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'key_file on the Nomad hosts')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the block to this file instead of stdout')
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'Workload identity blocks instead of the token flow')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Workload identity (server): default_identity aud, comma-separated; must meet the role''s bound_audiences')
            [CompletionResult]::new('--identity-ttl', '--identity-ttl', [CompletionResultType]::ParameterName, 'Workload identity (server): default_identity ttl')
            [CompletionResult]::new('--auth-path', '--auth-path', [CompletionResultType]::ParameterName, 'Workload identity (client): path of the jwt auth method (jwt_auth_backend_path)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--embed-token', '--embed-token', [CompletionResultType]::ParameterName, 'Embed the servers'' token from --token-file (prefer VAULT_TOKEN in the service); a root token is refused')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;stanza;help' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'The server block (enabled, address, create_from_role, task_token_ttl)')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'The client block (enabled, address; never a token)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;stanza;help;server' {
            break
        }
        'nvctl;stanza;help;client' {
            break
        }
        'nvctl;stanza;help;help' {
            break
        }
        'nvctl;doctor' {
            [CompletionResult]::new('--agent-config', '--agent-config', [CompletionResultType]::ParameterName, 'Nomad agent config files or directories, as given to `nomad agent -config`')
            [CompletionResult]::new('--nomad-version', '--nomad-version', [CompletionResultType]::ParameterName, 'Nomad version of the agents (e.g. 1.9.7)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Role to check instead of the config''s create_from_role')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;check-job' {
            [CompletionResult]::new('--nomad-addr', '--nomad-addr', [CompletionResultType]::ParameterName, 'Check the jobs registered in the Nomad at URL (its JSON job format) instead of files; the Nomad ACL token from NOMAD_TOKEN or --nomad-token-file')
            [CompletionResult]::new('--nomad-token-file', '--nomad-token-file', [CompletionResultType]::ParameterName, 'With --nomad-addr: a file (mode 0600) holding the Nomad ACL token, instead of NOMAD_TOKEN')
            [CompletionResult]::new('--nomad-namespace', '--nomad-namespace', [CompletionResultType]::ParameterName, 'With --nomad-addr: the namespace whose jobs are checked (`*`: every namespace)')
            [CompletionResult]::new('--nomad-ca-cert', '--nomad-ca-cert', [CompletionResultType]::ParameterName, 'With --nomad-addr: the CA certificate (PEM) Nomad''s TLS certificate is verified against, instead of the built-in roots')
            [CompletionResult]::new('--nomad-client-cert', '--nomad-client-cert', [CompletionResultType]::ParameterName, 'With --nomad-addr: the client certificate (PEM) for Nomad''s mutual TLS')
            [CompletionResult]::new('--nomad-client-key', '--nomad-client-key', [CompletionResultType]::ParameterName, 'With --nomad-addr: the client certificate''s private key (PEM)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Token role the Nomad servers create task tokens from')
            [CompletionResult]::new('--flow', '--flow', [CompletionResultType]::ParameterName, 'The flow the Nomad servers use: the token role (legacy) or workload identity, where a task''s policies are the JWT role''s, templated on its identity''s claims')
            [CompletionResult]::new('--auth-path', '--auth-path', [CompletionResultType]::ParameterName, 'Workload identity: path of the jwt auth method the tasks log in with')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--rehearse', '--rehearse', [CompletionResultType]::ParameterName, 'Ask Vault itself: mint a short-lived task token from the role with each distinct set of job policies (as a Nomad server does), ask sys/capabilities-self about every path the templates read, and revoke it by accessor')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;job-policy' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the policy (only with a single task); default: the job''s vault.policies entry when it names exactly one policy Vault does not have, else <job>-<task>')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Token role the Nomad servers create task tokens from (legacy flow)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Vault Enterprise namespace [env: VAULT_NAMESPACE]')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to verify Vault''s certificate [env: VAULT_CACERT]')
            [CompletionResult]::new('--ca-path', '--ca-path', [CompletionResultType]::ParameterName, 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]')
            [CompletionResult]::new('--tls-server-name', '--tls-server-name', [CompletionResultType]::ParameterName, 'Name to verify Vault''s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]')
            [CompletionResult]::new('--tls-skip-verify', '--tls-skip-verify', [CompletionResultType]::ParameterName, 'Do not verify Vault''s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Write each policy (plan, diff, consent) and, when the token role has an allowed_policies list, add it there (role diff, consent)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to every confirmation (needed when not on a terminal)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print tokens and unseal keys instead of masking them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;dev' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 [default: any free port]')
            [CompletionResult]::new('--flavor', '--flavor', [CompletionResultType]::ParameterName, 'Which server to imitate')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'Connect the sandbox''s database secrets engine to this PostgreSQL: `database/` is mounted and `database/config/postgresql` written (all roles allowed). The URL names the user but no password: that comes from PGPASSWORD, never from an argument')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('--uninitialized', '--uninitialized', [CompletionResultType]::ParameterName, 'Start uninitialised (to try `nvctl init`)')
            [CompletionResult]::new('--sealed', '--sealed', [CompletionResultType]::ParameterName, 'Start initialised but sealed (prints the unseal keys)')
            [CompletionResult]::new('--background', '--background', [CompletionResultType]::ParameterName, 'Start the sandbox in the background and print the shell lines that use it (`export VAULT_ADDR=…`, `VAULT_TOKEN`, `NVCTL_DEV_PID`), for `eval "$(nvctl dev --background)"`')
            [CompletionResult]::new('--nomad', '--nomad', [CompletionResultType]::ParameterName, 'Also start an in-memory Nomad (ACLs bootstrapped) and point Vault''s Nomad secrets engine (`nomad/`) at it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;completions' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what is sent (never secrets); repeat for more')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 3) on nvctl''s error-grade advice too, not only where Nomad itself refuses')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'nvctl;help' {
            [CompletionResult]::new('bootstrap', 'bootstrap', [CompletionResultType]::ParameterValue, 'Run the whole sequence: init, unseal, policy, role, token, stanza, verification')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show init, seal and HA state of each --address')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Step 1: initialise Vault and save the unseal keys and root token to a 0600 file')
            [CompletionResult]::new('unseal', 'unseal', [CompletionResultType]::ParameterValue, 'Step 2: unseal every --address with keys from the init file, stdin or a prompt')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Step 3: the nomad-server policy (write, show, diff)')
            [CompletionResult]::new('role', 'role', [CompletionResultType]::ParameterValue, 'Step 4: the nomad-cluster token role (create, show, diff)')
            [CompletionResult]::new('check-role', 'check-role', [CompletionResultType]::ParameterValue, 'Nomad''s role and capability rules for a role and token, plus nvctl''s own findings')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Step 5: mint, inspect or validate the Nomad servers'' token')
            [CompletionResult]::new('stanza', 'stanza', [CompletionResultType]::ParameterValue, 'Step 6: print the Nomad agent `vault` block for servers or clients')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Everything Nomad checks at start, run on your real agent config files')
            [CompletionResult]::new('check-job', 'check-job', [CompletionResultType]::ParameterValue, 'Check job files'' `vault` blocks and templates against the live policies and role')
            [CompletionResult]::new('job-policy', 'job-policy', [CompletionResultType]::ParameterValue, 'The least-privilege policy each job''s templates need, as HCL to review (--write: write it)')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Run an in-memory Vault sandbox on loopback until Ctrl-C (like `vault server -dev`)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nvctl;help;bootstrap' {
            break
        }
        'nvctl;help;status' {
            break
        }
        'nvctl;help;init' {
            break
        }
        'nvctl;help;unseal' {
            break
        }
        'nvctl;help;policy' {
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write the policy: created when absent, nothing when equal, a diff and consent when different')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live policy text (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)')
            break
        }
        'nvctl;help;policy;write' {
            break
        }
        'nvctl;help;policy;show' {
            break
        }
        'nvctl;help;policy;diff' {
            break
        }
        'nvctl;help;role' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create or update the role; refuses a role Nomad would reject unless --force')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the live role (exit 2 when it does not exist)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)')
            break
        }
        'nvctl;help;role;create' {
            break
        }
        'nvctl;help;role;show' {
            break
        }
        'nvctl;help;role;diff' {
            break
        }
        'nvctl;help;check-role' {
            break
        }
        'nvctl;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Mint the Nomad servers'' token (orphan, periodic, renewable) and verify it as Nomad would')
            [CompletionResult]::new('unwrap', 'unwrap', [CompletionResultType]::ParameterValue, 'On the server host: unwrap the servers'' token (once), write it 0600, check it as Nomad would')
            [CompletionResult]::new('lookup', 'lookup', [CompletionResultType]::ParameterValue, 'Show a token''s properties (the token itself masked)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Run a Nomad server''s start-up validation on an existing token')
            break
        }
        'nvctl;help;token;create' {
            break
        }
        'nvctl;help;token;unwrap' {
            break
        }
        'nvctl;help;token;lookup' {
            break
        }
        'nvctl;help;token;check' {
            break
        }
        'nvctl;help;stanza' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'The server block (enabled, address, create_from_role, task_token_ttl)')
            [CompletionResult]::new('client', 'client', [CompletionResultType]::ParameterValue, 'The client block (enabled, address; never a token)')
            break
        }
        'nvctl;help;stanza;server' {
            break
        }
        'nvctl;help;stanza;client' {
            break
        }
        'nvctl;help;doctor' {
            break
        }
        'nvctl;help;check-job' {
            break
        }
        'nvctl;help;job-policy' {
            break
        }
        'nvctl;help;dev' {
            break
        }
        'nvctl;help;completions' {
            break
        }
        'nvctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
