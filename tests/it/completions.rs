//! The completion scripts checked in under completions/ are what `nvctl completions` prints.
//! When this fails, regenerate them: `NVCTL_BLESS=1 cargo test -p nvctl --test it -- completions`.

use crate::support;

use support::Nvctl;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "nvctl.bash"),
    ("zsh", "_nvctl"),
    ("fish", "nvctl.fish"),
    ("powershell", "_nvctl.ps1"),
    ("elvish", "nvctl.elv"),
];

#[test]
fn checked_in_completions_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var_os("NVCTL_BLESS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let run = Nvctl::new().args(["completions", shell]).run().exit(0);
        let generated = format!("{}\n", run.stdout.trim_end());
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        if checked_in != generated {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale: run `NVCTL_BLESS=1 cargo test -p nvctl --test it -- completions` and commit"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    Nvctl::new()
        .args(["completions", "tcsh"])
        .run()
        .exit(1)
        .stderr_has("invalid value 'tcsh'");
}

/// Issue 10: `dev` and `completions` take no Vault option, and their completions offer none
/// (clap_complete offers hidden options too, so hiding them is not enough); the commands that
/// talk to Vault, nested ones included, and nvctl itself still offer them.
#[test]
fn dev_and_completions_are_offered_no_vault_option() {
    let script = Nvctl::new()
        .args(["completions", "bash"])
        .run()
        .exit(0)
        .stdout;
    let opts = |case: &str| -> String {
        let at = script
            .find(&format!("        {case})\n"))
            .unwrap_or_else(|| panic!("no case {case}"));
        script[at..]
            .lines()
            .find(|l| l.trim_start().starts_with("opts=\""))
            .expect("an opts line")
            .to_string()
    };
    for case in ["nvctl__subcmd__dev", "nvctl__subcmd__completions"] {
        let line = opts(case);
        for option in [
            "--address",
            "--token-file",
            "--ca-cert",
            "--timeout",
            "--yes",
            "-y",
        ] {
            assert!(
                !line.split(&[' ', '"'][..]).any(|w| w == option),
                "{case} offers {option}: {line}"
            );
        }
        assert!(line.contains(" --format "), "{case}: {line}");
    }
    for case in [
        "nvctl",
        "nvctl__subcmd__bootstrap",
        "nvctl__subcmd__token__subcmd__create",
    ] {
        let line = opts(case);
        assert!(line.contains(" --address "), "{case}: {line}");
        assert!(line.contains(" --token-file "), "{case}: {line}");
    }
}
