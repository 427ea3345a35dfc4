# The HashiCups job of seeds/000, with the vault block it needs: the blog post's job has none
# (`nvctl check-job` says so: without it Nomad gives the task no Vault token and the template
# cannot read the secret). The task token carries hashicups-api, the policy the role allows.
job "example" {
  datacenters = ["dc1"]
  type        = "service"

  group "example" {
    count = 1

    network {
      port "vs" {
        static = 14646
      }
    }

    task "demo" {
      driver = "docker"

      vault {
        policies = ["hashicups-api"]
      }

      template {
        destination = "${NOMAD_SECRETS_DIR}/env.vars"
        env         = true
        change_mode = "restart"
        data        = <<EOF
SECRET_ONE = "{{with secret "secret/data/hashicups-api"}}{{index .Data.data "api-key"}}{{end}}"
SECRET_TWO = "{{with secret "secret/data/hashicups-api"}}{{index .Data.data "principal-id"}}{{end}}"
EOF
      }

      config {
        image = "devopsrob/nomad-vault-integration:1.1.0"
        ports = ["vs"]
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
