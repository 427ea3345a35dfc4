# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nvctl_global_optspecs
    string join \n format= v/verbose q/quiet strict address= token-file= namespace= ca-cert= ca-path= client-cert= client-key= tls-server-name= tls-skip-verify= timeout= max-retries= y/yes show-secrets h/help V/version
end

function __fish_nvctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nvctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nvctl_using_subcommand
    set -l cmd (__fish_nvctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nvctl -n "__fish_nvctl_needs_command" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_needs_command" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_needs_command" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_needs_command" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_needs_command" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_needs_command" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_needs_command" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_needs_command" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_needs_command" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_needs_command" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_needs_command" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_needs_command" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "bootstrap" -d 'Run the whole sequence: init, unseal, policy, role, token, stanza, verification'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "status" -d 'Show init, seal and HA state of each --address'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "init" -d 'Step 1: initialise Vault and save the unseal keys and root token to a 0600 file'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "unseal" -d 'Step 2: unseal every --address with keys from the init file, stdin or a prompt'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "policy" -d 'Step 3: the nomad-server policy (write, show, diff)'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "role" -d 'Step 4: the nomad-cluster token role (create, show, diff)'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "check-role" -d 'Nomad\'s role and capability rules for a role and token, plus nvctl\'s own findings'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "token" -d 'Step 5: mint, inspect or validate the Nomad servers\' token'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "stanza" -d 'Step 6: print the Nomad agent `vault` block for servers or clients'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "doctor" -d 'Everything Nomad checks at start, run on your real agent config files'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "check-job" -d 'Check job files\' `vault` blocks and templates against the live policies and role'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "job-policy" -d 'The least-privilege policy each job\'s templates need, as HCL to review (--write: write it)'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "dev" -d 'Run an in-memory Vault sandbox on loopback until Ctrl-C (like `vault server -dev`)'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell, elvish)'
complete -c nvctl -n "__fish_nvctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l config -d 'Declarative configuration (HCL); flags override it. See bootstrap.example.hcl' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l flow -d 'Integration flow; chosen from --nomad-version when not given' -r -f -a "legacy\t'the token flow (Nomad ≤ 1.9): policy, token role, server token'
workload-identity\t'workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role'"
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l nomad-version -d 'Version of the Nomad servers (selects the flow and the rules)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l key-shares -d 'Key shares for init [default: 5]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l key-threshold -d 'Key threshold for init [default: 3]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l init-output -d 'Where init writes the keys, and where unseal reads them [default: vault-init.json]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l policy-name -d 'Name of the Nomad servers\' policy [default: nomad-server]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l role -d 'Name of the token role [default: nomad-cluster]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l allowed-policies -d 'Policies jobs may use (instead of --disallowed-policies)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l disallowed-policies -d 'Policies jobs may not use [default: the server policy]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l role-period -d 'The role\'s token period [default: 72h]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l token-period -d 'The server token\'s period [default: 72h]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l task-token-ttl -d 'task_token_ttl in the server stanza [default: 1h]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l token-output -d 'File (0600) holding the Nomad servers\' token; kept when it still passes Nomad\'s checks' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l server-stanza-output -d 'Where to write the server `vault` block' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l client-stanza-output -d 'Where to write the client `vault` block' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l vault-address -d 'Vault address the Nomad agents use [default: the first --address]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l job-policy -d 'Extra policy for jobs, written from a file: NAME=FILE (repeatable)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l auth-path -d 'Workload identity: path of the jwt auth method [default: jwt-nomad]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l jwks-url -d 'Workload identity: Nomad\'s JWKS URL [default: <--nomad-addr>/.well-known/jwks.json]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l nomad-addr -d 'Workload identity: Nomad\'s HTTP address, to derive the JWKS URL' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l jwks-ca-file -d 'Workload identity: CA certificate (PEM) Vault uses to verify the JWKS endpoint' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l audience -d 'Workload identity: audience of the workload identities [default: vault.io]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l kv-mount -d 'Workload identity: mount a KV v2 engine here when none is (the policy grants on it) [default: none mounted; the policy grants on secret/, as nomad setup vault\'s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l identity-file -d 'Workload identity: a workload identity (JWT) Nomad signed for a task, to prove the set-up: logged in through the role, its token\'s policies checked, the token revoked' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l plan -d 'Only observe: print what would change; exit 3 when changes are pending'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l dev -d 'Start an uninitialised in-memory Vault and bootstrap it (nothing installed, nothing kept)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l rotate-token -d 'Mint a new server token, write it, then revoke the old one'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l no-mint -d 'Skip the credentials proofs of the database and Nomad engines (mint through Vault, use, revoke)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l rewrite-nomad-token -d 'nomad_secrets: send the Nomad management token to Vault\'s config/access again (Vault never reads it back, so a rotated token is not seen otherwise)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l destroy -d 'Workload identity: remove what nvctl created (and only that)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand bootstrap" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l key-shares -d 'Number of key shares (recovery shares on an auto-unseal Vault)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l key-threshold -d 'Shares needed to unseal (recovery threshold on an auto-unseal Vault)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l pgp-keys -d 'Base64 PGP public key files, one per share, to encrypt the shares' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l root-token-pgp-key -d 'Base64 PGP public key file to encrypt the root token' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l output -d 'Where to save Vault\'s answer (must not exist; created 0600)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand init" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l keys-file -d 'Init file: nvctl\'s, `vault operator init -format=json` output, or a raw sys/init answer' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l stdin -d 'Read keys from standard input, one per line'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l reset -d 'Discard the unseal progress of each node instead of unsealing'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand unseal" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -f -a "write" -d 'Write the policy: created when absent, nothing when equal, a diff and consent when different'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -f -a "show" -d 'Print the live policy text (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -f -a "diff" -d 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and not __fish_seen_subcommand_from write show diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l name -d 'Policy name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l role -d 'Token role substituted into the shipped policy' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l file -d 'Policy file to use instead of the shipped nomad-server policy' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from write" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l name -d 'Policy name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l role -d 'Token role substituted into the shipped policy' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l file -d 'Policy file to use instead of the shipped nomad-server policy' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l name -d 'Policy name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l role -d 'Token role substituted into the shipped policy' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l file -d 'Policy file to use instead of the shipped nomad-server policy' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "write" -d 'Write the policy: created when absent, nothing when equal, a diff and consent when different'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the live policy text (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -f -a "create" -d 'Create or update the role; refuses a role Nomad would reject unless --force'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -f -a "show" -d 'Print the live role (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -f -a "diff" -d 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and not __fish_seen_subcommand_from create show diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l name -d 'Role name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l file -d 'Role JSON file (both `period` and `token_period` spellings accepted)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l allowed-policies -d 'Policies jobs may use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l disallowed-policies -d 'Policies jobs may not use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l period -d 'Token period, e.g. 72h' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l orphan -d 'Whether tokens from the role are orphans' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l renewable -d 'Whether tokens from the role are renewable' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l explicit-max-ttl -d 'Explicit max TTL (Nomad requires 0)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l force -d 'Write a role Nomad would reject anyway'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l name -d 'Role name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l file -d 'Role JSON file (both `period` and `token_period` spellings accepted)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l allowed-policies -d 'Policies jobs may use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l disallowed-policies -d 'Policies jobs may not use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l period -d 'Token period, e.g. 72h' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l orphan -d 'Whether tokens from the role are orphans' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l renewable -d 'Whether tokens from the role are renewable' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l explicit-max-ttl -d 'Explicit max TTL (Nomad requires 0)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l force -d 'Write a role Nomad would reject anyway'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l name -d 'Role name' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l file -d 'Role JSON file (both `period` and `token_period` spellings accepted)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l allowed-policies -d 'Policies jobs may use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l disallowed-policies -d 'Policies jobs may not use' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l period -d 'Token period, e.g. 72h' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l orphan -d 'Whether tokens from the role are orphans' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l renewable -d 'Whether tokens from the role are renewable' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l explicit-max-ttl -d 'Explicit max TTL (Nomad requires 0)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l force -d 'Write a role Nomad would reject anyway'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create or update the role; refuses a role Nomad would reject unless --force'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the live role (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l flow -d 'Which flow\'s role to check' -r -f -a "legacy\t'the token flow (Nomad ≤ 1.9): policy, token role, server token'
workload-identity\t'workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role'"
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l allow-unauthenticated -d 'Nomad agent `allow_unauthenticated` (checks auth/token/lookup when false)' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l auth-path -d 'Workload identity: path of the jwt auth method' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l audience -d 'Workload identity: the servers\' default_identity audience' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l all -d 'Check every token role, concurrently (with --flow workload-identity: every role at --auth-path)'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-role" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -f -a "create" -d 'Mint the Nomad servers\' token (orphan, periodic, renewable) and verify it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -f -a "unwrap" -d 'On the server host: unwrap the servers\' token (once), write it 0600, check it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -f -a "lookup" -d 'Show a token\'s properties (the token itself masked)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -f -a "check" -d 'Run a Nomad server\'s start-up validation on an existing token'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and not __fish_seen_subcommand_from create unwrap lookup check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l policy -d 'Policies of the token (repeatable)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l period -d 'Token period' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l role -d 'Create from this token role (auth/token/create/ROLE) instead of create-orphan' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l orphan -d 'Whether the token is an orphan' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l display-name -d 'Display name (Vault stores it as token-NAME)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l output -d 'Write the token to this file (created 0600, never overwritten)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l nomad-role -d 'Role name Nomad\'s create_from_role will use (for the start-up checks)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l wrap-ttl -d 'Deliver the token response-wrapped: only a single-use wrapping token valid this long is printed or saved (unwrap it with `nvctl token unwrap`)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l wrapping-token-file -d 'File holding the wrapping token (`-`: standard input)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l output -d 'Where to write the servers\' token (created 0600, never overwritten)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l nomad-role -d 'create_from_role of the Nomad servers (for the start-up checks); empty: the token\'s own role' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l allow-unauthenticated -d 'Nomad agent `allow_unauthenticated`' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from unwrap" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l accessor -d 'Look up by accessor instead of the token from --token-file / VAULT_TOKEN' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from lookup" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l role -d 'create_from_role of the Nomad servers; pass an empty value to use the token\'s own role' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l allow-unauthenticated -d 'Nomad agent `allow_unauthenticated`' -r -f -a "true\t''
false\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "create" -d 'Mint the Nomad servers\' token (orphan, periodic, renewable) and verify it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "unwrap" -d 'On the server host: unwrap the servers\' token (once), write it 0600, check it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "lookup" -d 'Show a token\'s properties (the token itself masked)'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "check" -d 'Run a Nomad server\'s start-up validation on an existing token'
complete -c nvctl -n "__fish_nvctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -f -a "server" -d 'The server block (enabled, address, create_from_role, task_token_ttl)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -f -a "client" -d 'The client block (enabled, address; never a token)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and not __fish_seen_subcommand_from server client help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l vault-address -d 'Vault address the Nomad agents use [default: the --address]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l role -d 'create_from_role (server)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l task-token-ttl -d 'task_token_ttl (server); at least 5m' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l ca-file -d 'ca_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l cert-file -d 'cert_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l key-file -d 'key_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l output -d 'Write the block to this file instead of stdout' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l flow -d 'Workload identity blocks instead of the token flow' -r -f -a "legacy\t'the token flow (Nomad ≤ 1.9): policy, token role, server token'
workload-identity\t'workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role'"
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l audience -d 'Workload identity (server): default_identity aud, comma-separated; must meet the role\'s bound_audiences' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l identity-ttl -d 'Workload identity (server): default_identity ttl' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l auth-path -d 'Workload identity (client): path of the jwt auth method (jwt_auth_backend_path)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l embed-token -d 'Embed the servers\' token from --token-file (prefer VAULT_TOKEN in the service); a root token is refused'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from server" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l vault-address -d 'Vault address the Nomad agents use [default: the --address]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l role -d 'create_from_role (server)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l task-token-ttl -d 'task_token_ttl (server); at least 5m' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l ca-file -d 'ca_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l cert-file -d 'cert_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l key-file -d 'key_file on the Nomad hosts' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l output -d 'Write the block to this file instead of stdout' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l flow -d 'Workload identity blocks instead of the token flow' -r -f -a "legacy\t'the token flow (Nomad ≤ 1.9): policy, token role, server token'
workload-identity\t'workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role'"
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l audience -d 'Workload identity (server): default_identity aud, comma-separated; must meet the role\'s bound_audiences' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l identity-ttl -d 'Workload identity (server): default_identity ttl' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l auth-path -d 'Workload identity (client): path of the jwt auth method (jwt_auth_backend_path)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l embed-token -d 'Embed the servers\' token from --token-file (prefer VAULT_TOKEN in the service); a root token is refused'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from client" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from help" -f -a "server" -d 'The server block (enabled, address, create_from_role, task_token_ttl)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from help" -f -a "client" -d 'The client block (enabled, address; never a token)'
complete -c nvctl -n "__fish_nvctl_using_subcommand stanza; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l agent-config -d 'Nomad agent config files or directories, as given to `nomad agent -config`' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l nomad-version -d 'Nomad version of the agents (e.g. 1.9.7)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l role -d 'Role to check instead of the config\'s create_from_role' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-addr -d 'Check the jobs registered in the Nomad at URL (its JSON job format) instead of files; the Nomad ACL token from NOMAD_TOKEN or --nomad-token-file' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-token-file -d 'With --nomad-addr: a file (mode 0600) holding the Nomad ACL token, instead of NOMAD_TOKEN' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-namespace -d 'With --nomad-addr: the namespace whose jobs are checked (`*`: every namespace)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-ca-cert -d 'With --nomad-addr: the CA certificate (PEM) Nomad\'s TLS certificate is verified against, instead of the built-in roots' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-client-cert -d 'With --nomad-addr: the client certificate (PEM) for Nomad\'s mutual TLS' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l nomad-client-key -d 'With --nomad-addr: the client certificate\'s private key (PEM)' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l role -d 'Token role the Nomad servers create task tokens from' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l flow -d 'The flow the Nomad servers use: the token role (legacy) or workload identity, where a task\'s policies are the JWT role\'s, templated on its identity\'s claims' -r -f -a "legacy\t'the token flow (Nomad ≤ 1.9): policy, token role, server token'
workload-identity\t'workload identity (Nomad ≥ 1.7; the only flow on ≥ 1.10): jwt auth method and role'"
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l auth-path -d 'Workload identity: path of the jwt auth method the tasks log in with' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l rehearse -d 'Ask Vault itself: mint a short-lived task token from the role with each distinct set of job policies (as a Nomad server does), ask sys/capabilities-self about every path the templates read, and revoke it by accessor'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand check-job" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l name -d 'Name of the policy (only with a single task); default: the job\'s vault.policies entry when it names exactly one policy Vault does not have, else <job>-<task>' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l role -d 'Token role the Nomad servers create task tokens from (legacy flow)' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l address -d 'Vault address; repeat for several nodes where that makes sense (status, unseal, bootstrap) [env: VAULT_ADDR] [default: https://127.0.0.1:8200]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l token-file -d 'File holding the Vault token to use [env: VAULT_TOKEN, then ~/.vault-token]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l namespace -d 'Vault Enterprise namespace [env: VAULT_NAMESPACE]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l ca-cert -d 'PEM file of CA certificates to verify Vault\'s certificate [env: VAULT_CACERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l ca-path -d 'Directory of PEM CA certificates; --ca-cert wins when both are set [env: VAULT_CAPATH]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l client-cert -d 'PEM client certificate for TLS authentication; needs --client-key [env: VAULT_CLIENT_CERT]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l client-key -d 'PEM private key of --client-cert [env: VAULT_CLIENT_KEY]' -r -F
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l tls-server-name -d 'Name to verify Vault\'s certificate against (SNI) [env: VAULT_TLS_SERVER_NAME]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate (insecure) [env: VAULT_SKIP_VERIFY]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l timeout -d 'Per-request timeout, e.g. 60s or 2m [env: VAULT_CLIENT_TIMEOUT] [default: 60s]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l max-retries -d 'Retries on connection errors, 5xx and 429 [env: VAULT_MAX_RETRIES] [default: 2]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l write -d 'Write each policy (plan, diff, consent) and, when the token role has an allowed_policies list, add it there (role diff, consent)'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -s y -l yes -d 'Answer yes to every confirmation (needed when not on a terminal)'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l show-secrets -d 'Print tokens and unseal keys instead of masking them'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand job-policy" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l port -d 'Port on 127.0.0.1 [default: any free port]' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l flavor -d 'Which server to imitate' -r -f -a "vault\t''
openbao\t''"
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l postgres -d 'Connect the sandbox\'s database secrets engine to this PostgreSQL: `database/` is mounted and `database/config/postgresql` written (all roles allowed). The URL names the user but no password: that comes from PGPASSWORD, never from an argument' -r
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l uninitialized -d 'Start uninitialised (to try `nvctl init`)'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l sealed -d 'Start initialised but sealed (prints the unseal keys)'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l background -d 'Start the sandbox in the background and print the shell lines that use it (`export VAULT_ADDR=…`, `VAULT_TOKEN`, `NVCTL_DEV_PID`), for `eval "$(nvctl dev --background)"`'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l nomad -d 'Also start an in-memory Nomad (ACLs bootstrapped) and point Vault\'s Nomad secrets engine (`nomad/`) at it'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand dev" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -l format -d 'Output format: table or json (some commands also take env, raw or hcl) [env: NVCTL_FORMAT] [default: table]' -r -f -a "table\t''
json\t''
env\t'`VAULT_TOKEN=…` (token create)'
raw\t'the bare value, for `$(…)` (token create)'
hcl\t'HCL (stanza)'"
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -s v -l verbose -d 'Say more about what is sent (never secrets); repeat for more'
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -l strict -d 'Fail (exit 3) on nvctl\'s error-grade advice too, not only where Nomad itself refuses'
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nvctl -n "__fish_nvctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "bootstrap" -d 'Run the whole sequence: init, unseal, policy, role, token, stanza, verification'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "status" -d 'Show init, seal and HA state of each --address'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "init" -d 'Step 1: initialise Vault and save the unseal keys and root token to a 0600 file'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "unseal" -d 'Step 2: unseal every --address with keys from the init file, stdin or a prompt'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "policy" -d 'Step 3: the nomad-server policy (write, show, diff)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "role" -d 'Step 4: the nomad-cluster token role (create, show, diff)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "check-role" -d 'Nomad\'s role and capability rules for a role and token, plus nvctl\'s own findings'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "token" -d 'Step 5: mint, inspect or validate the Nomad servers\' token'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "stanza" -d 'Step 6: print the Nomad agent `vault` block for servers or clients'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "doctor" -d 'Everything Nomad checks at start, run on your real agent config files'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "check-job" -d 'Check job files\' `vault` blocks and templates against the live policies and role'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "job-policy" -d 'The least-privilege policy each job\'s templates need, as HCL to review (--write: write it)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "dev" -d 'Run an in-memory Vault sandbox on loopback until Ctrl-C (like `vault server -dev`)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell, elvish)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and not __fish_seen_subcommand_from bootstrap status init unseal policy role check-role token stanza doctor check-job job-policy dev completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "write" -d 'Write the policy: created when absent, nothing when equal, a diff and consent when different'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Print the live policy text (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "diff" -d 'Show the difference between the live and the desired policy; exit 3 when they differ or the policy is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "create" -d 'Create or update the role; refuses a role Nomad would reject unless --force'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "show" -d 'Print the live role (exit 2 when it does not exist)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "diff" -d 'Show the difference between the live and the desired role; exit 3 when they differ or the role is missing (drift detection in CI)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "create" -d 'Mint the Nomad servers\' token (orphan, periodic, renewable) and verify it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "unwrap" -d 'On the server host: unwrap the servers\' token (once), write it 0600, check it as Nomad would'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "lookup" -d 'Show a token\'s properties (the token itself masked)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "check" -d 'Run a Nomad server\'s start-up validation on an existing token'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from stanza" -f -a "server" -d 'The server block (enabled, address, create_from_role, task_token_ttl)'
complete -c nvctl -n "__fish_nvctl_using_subcommand help; and __fish_seen_subcommand_from stanza" -f -a "client" -d 'The client block (enabled, address; never a token)'
