//! The `shiprail` binary end to end: JSON on stdout, exit codes 0 / 1 / 2, and the README's
//! quickstart output.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn example_config() -> String {
    root()
        .join("examples/drone-delivery/shiprail.yaml")
        .display()
        .to_string()
}

fn shiprail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

/// Runs the binary and returns (exit code, stdout as JSON).
fn run(args: &[&str]) -> (i32, Value) {
    let out = shiprail(args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}): {stdout}"));
    (out.status.code().unwrap(), value)
}

#[test]
fn branch_classifies_with_the_example_config() {
    let config = example_config();
    let (code, out) = run(&[
        "branch",
        "refs/heads/release/delivery/v1.0.2",
        "--config",
        &config,
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        json!({"ref": "refs/heads/release/delivery/v1.0.2", "name": "release/delivery/v1.0.2",
               "kind": "release", "service": "delivery", "version": "1.0.2", "topic": null})
    );
}

#[test]
fn branch_rule_violations_exit_1_with_code_and_suggestion() {
    let config = example_config();
    for (reference, code, suggestion) in [
        (
            "relase/delivery/v1.0.2",
            "unknown_branch_kind",
            "release/delivery/v1.0.2",
        ),
        (
            "release/delivry/v1.0.2",
            "unknown_service",
            "release/delivery/v1.0.2",
        ),
        (
            "Release/delivery/1.0.2",
            "unknown_branch_kind",
            "release/delivery/v1.0.2",
        ),
        (
            "release/delivery/1.0.2",
            "invalid_branch_version",
            "release/delivery/v1.0.2",
        ),
    ] {
        let (exit, out) = run(&["branch", reference, "--config", &config]);
        assert_eq!(exit, 1, "{reference}: {out}");
        assert_eq!(out["error"]["code"], code, "{reference}: {out}");
        assert_eq!(out["error"]["suggestion"], suggestion, "{reference}: {out}");
    }
    let (exit, out) = run(&["branch", "refs/tags/delivery-v1.0.2"]);
    assert_eq!(
        (exit, out["error"]["code"].as_str()),
        (1, Some("not_a_branch"))
    );
}

#[test]
fn bad_input_exits_2() {
    let (exit, out) = run(&["branch", "feature/a..b/x"]);
    assert_eq!(
        (exit, out["error"]["code"].as_str()),
        (2, Some("invalid_ref_name"))
    );
    let (exit, out) = run(&["branch", "main", "--config", "/nonexistent/shiprail.yaml"]);
    assert_eq!((exit, out["error"]["code"].as_str()), (2, Some("io")));
    // clap's own usage errors also exit 2.
    assert_eq!(shiprail(&["branch"]).status.code(), Some(2));
    assert_eq!(shiprail(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn version_of_a_release_branch() {
    let config = example_config();
    let (code, out) = run(&[
        "version",
        "release/package/v2.3.0-rc.1",
        "--config",
        &config,
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["service"], "package");
    assert_eq!(out["version"], "2.3.0-rc.1");
    assert_eq!(out["image_tag"], "v2.3.0-rc.1");
    assert_eq!(out["chart_version"], "2.3.0-rc.1");
    assert_eq!(out["app_version"], "2.3.0-rc.1");
    assert_eq!(out["git_tag"], "package-v2.3.0-rc.1");
    let (code, out) = run(&["version", "feature/delivery/eta", "--config", &config]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (1, Some("not_a_release_branch"))
    );
}

#[test]
fn version_next_reads_tags_and_nul_separated_commits() {
    let dir = tempfile::tempdir().unwrap();
    let tags = dir.path().join("tags.txt");
    let commits = dir.path().join("commits.txt");
    std::fs::write(
        &tags,
        "delivery-v1.0.2\ndelivery-v1.0.3-rc.1\npackage-v9.0.0\nv7.0.0\n",
    )
    .unwrap();
    std::fs::write(&commits, "fix: round ETAs\n\nCloses #7\n\0docs: typo\n\0").unwrap();
    let (tags, commits, config) = (
        tags.display().to_string(),
        commits.display().to_string(),
        example_config(),
    );
    let args = [
        "version",
        "next",
        "--service",
        "delivery",
        "--tags-from",
        &tags,
        "--commits-from",
        &commits,
        "--config",
        &config,
    ];
    let (code, out) = run(&args);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        (
            out["current"].as_str(),
            out["bump"].as_str(),
            out["next"].as_str()
        ),
        (Some("1.0.3-rc.1"), Some("patch"), Some("1.0.3"))
    );
    let mut pre = args.to_vec();
    pre.push("--pre");
    let (_, out) = run(&pre);
    assert_eq!(out["next"], "1.0.3-rc.2");
    assert_eq!(out["tags"]["image_tag"], "v1.0.3-rc.2");

    // One message a line when the file holds no NUL; a breaking change bumps major.
    std::fs::write(dir.path().join("commits.txt"), "feat!: new API\nfix: x\n").unwrap();
    let (_, out) = run(&args);
    assert_eq!(out["next"], "2.0.0");
}

#[test]
fn image_target_for_prod() {
    let config = example_config();
    let source = "myrepo.azurecr.io/delivery:v1.0.2";
    let (code, out) = run(&[
        "image", "target", source, "--env", "prod", "--config", &config,
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["target"], "myrepo.azurecr.io/prod/delivery:v1.0.2");
    let (code, out) = run(&[
        "image", "target", source, "--env", "prdo", "--config", &config,
    ]);
    assert_eq!(
        (
            code,
            out["error"]["code"].as_str(),
            out["error"]["suggestion"].as_str()
        ),
        (1, Some("unknown_environment"), Some("prod"))
    );
    let bad = "myrepo.azurecr.io/Delivery:v1";
    let (code, out) = run(&["image", "target", bad, "--env", "prod", "--config", &config]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (2, Some("invalid_image_reference"))
    );
}

#[test]
fn config_check_reports_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("shiprail.yaml");
    std::fs::write(
        &bad,
        "services:\n  delivery:\n    paths: {include: ['src/**']}\n    imgae: delivery\n",
    )
    .unwrap();
    let (code, out) = run(&["config", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "config_syntax");
    assert_eq!(
        (
            out["error"]["line"].as_u64(),
            out["error"]["column"].as_u64()
        ),
        (Some(4), Some(5))
    );
    assert_eq!(out["error"]["file"], bad.display().to_string());
    let (code, out) = run(&["config", "check", &example_config()]);
    assert_eq!(code, 0);
    assert_eq!(
        out["services"]["workflow"]["depends_on_services"],
        json!(["delivery"])
    );
}

#[test]
fn text_format_is_for_people() {
    let out = shiprail(&["branch", "feature/delivery/eta", "--format", "text"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("kind: feature\n") && text.contains("topic: eta\n"),
        "{text}"
    );
    let out = shiprail(&["branch", "relase/delivery/v1.0.2", "--format", "text"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error[unknown_branch_kind]: "), "{err}");
}

/// The README's quickstart output is the real output of its first command.
#[test]
fn readme_quickstart_output_is_current() {
    const PREFIX: &str = "cargo run -q -p shiprail-cli -- ";
    const BLOCK: &str = "<!-- quickstart-output -->\n```json\n";
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let command = readme
        .lines()
        .find(|l| l.starts_with(PREFIX))
        .expect("README has the quickstart command");
    let args: Vec<String> = command[PREFIX.len()..]
        .split_whitespace()
        .map(|a| {
            if a.ends_with("shiprail.yaml") {
                root().join(a).display().to_string()
            } else {
                a.to_string()
            }
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(&args);
    assert_eq!(code, 0);
    let start = readme.find(BLOCK).expect("output block") + BLOCK.len();
    let end = readme[start..].find("```").unwrap() + start;
    let documented = &readme[start..end];
    let actual = serde_json::to_string_pretty(&out).unwrap() + "\n";
    if std::env::var_os("SHIPRAIL_BLESS").is_some() {
        let updated = format!("{}{actual}{}", &readme[..start], &readme[end..]);
        std::fs::write(root().join("README.md"), updated).unwrap();
        return;
    }
    assert_eq!(
        documented, actual,
        "README quickstart output is stale: rerun with SHIPRAIL_BLESS=1"
    );
}

/// Every error code is documented in docs/cli.md with the exit code the CLI really uses.
#[test]
fn every_error_code_is_documented_with_its_exit_code() {
    let doc = std::fs::read_to_string(root().join("docs/cli.md")).unwrap();
    for kind in shiprail::ErrorKind::ALL {
        let exit = if kind.is_rule_violation() { 1 } else { 2 };
        let row = format!("| `{}` | {exit} |", kind.code());
        assert!(doc.contains(&row), "docs/cli.md lacks the row {row}");
    }
}
