//! The shipped `nomad-server` policy (policies/nomad-server.hcl): the seed tutorial's policy
//! with all seven paths and its comments, the role name left as a placeholder.

/// The policy name Nomad's documentation uses for the servers' token.
pub const SERVER_POLICY_NAME: &str = "nomad-server";

/// The role name the documentation uses.
pub const DEFAULT_ROLE: &str = "nomad-cluster";

/// What stands for the role name in the template.
pub const ROLE_PLACEHOLDER: &str = "{{role}}";

/// The template text, embedded at build time.
pub const SERVER_POLICY_TEMPLATE: &str = include_str!("../../policies/nomad-server.hcl");

/// The policy text for a role name. The caller validates the name first
/// (`nomad::role_spec::validate_role_name`); it only ever appears inside quoted paths.
pub fn render_server_policy(role: &str) -> String {
    SERVER_POLICY_TEMPLATE.replace(ROLE_PLACEHOLDER, role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::policy::parse_policy;

    #[test]
    fn rendered_policy_has_the_seven_seed_paths() {
        let text = render_server_policy(DEFAULT_ROLE);
        assert!(!text.contains(ROLE_PLACEHOLDER));
        let doc = parse_policy(&text, "nomad-server.hcl").unwrap();
        let paths: Vec<&str> = doc.rules.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "auth/token/create/nomad-cluster",
                "auth/token/roles/nomad-cluster",
                "auth/token/lookup-self",
                "auth/token/lookup",
                "auth/token/revoke-accessor",
                "sys/capabilities-self",
                "auth/token/renew-self",
            ]
        );
        assert!(doc.warnings.is_empty());
        // The seed's comments are kept.
        assert!(text.contains("# Allow our own token to be renewed."));
        assert!(text.contains("# Allow creating tokens under \"nomad-cluster\" token role."));
    }

    #[test]
    fn role_name_is_substituted_everywhere() {
        let text = render_server_policy("other-role");
        assert!(text.contains("path \"auth/token/create/other-role\""));
        assert!(text.contains("path \"auth/token/roles/other-role\""));
        assert!(!text.contains("nomad-cluster"));
    }
}
