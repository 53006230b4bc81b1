//! `shiprail plan` and `shiprail release ...` end to end: plans as JSON and as CI variables,
//! changes from a file, stdin or git, the release state from init to rollback plan, refusals
//! and their exit codes, and the end-to-end example against a real registry.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn shiprail_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPRAIL_ACTOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// (exit code, stdout as JSON).
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> (i32, Value) {
    let out = shiprail_in(dir, args, stdin);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}): {stdout}"));
    (out.status.code().unwrap(), value)
}

fn run(args: &[&str]) -> (i32, Value) {
    run_in(&std::env::temp_dir(), args, "")
}

/// (exit code, stdout as text).
fn text(args: &[&str]) -> (i32, String) {
    let out = shiprail_in(&std::env::temp_dir(), args, "");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn release_plan_as_json_and_outline() {
    let config = example_config();
    let (code, plan) = run(&[
        "plan",
        "--config",
        &config,
        "--event",
        "push",
        "--ref",
        "release/delivery/v1.0.2",
        "--commit",
        "4f2a9c1e0b",
    ]);
    assert_eq!(code, 0);
    assert_eq!(plan["pipeline"], "release");
    assert_eq!(plan["run"], true);
    assert_eq!(
        plan["environments"],
        json!(["dev", "qa", "staging", "prod"])
    );
    assert_eq!(
        plan["release"]["image"],
        "myrepo.azurecr.io/delivery:v1.0.2"
    );
    assert_eq!(plan["release"]["release_name"], "delivery-v1-0-2");
    assert_eq!(plan["event"]["commit"], "4f2a9c1e0b");
    let (code, outline) = run(&[
        "plan",
        "--config",
        &config,
        "--event",
        "push",
        "--ref",
        "release/delivery/v1.0.2",
        "--output",
        "outline",
    ]);
    assert_eq!(code, 0);
    let steps = outline["services"]["delivery"].as_array().unwrap();
    assert_eq!(steps.len(), 19);
    assert_eq!(steps[14], "staging/promote [passed:qa]");
    assert_eq!(steps[17], "prod/deploy [passed:staging, approval:1]");
}

#[test]
fn ci_outputs() {
    let config = example_config();
    let args = |output: &'static str| {
        vec![
            "plan",
            "--config",
            &config,
            "--event",
            "pull_request",
            "--ref",
            "feature/delivery/x",
            "--base-ref",
            "main",
            "--changed-from",
            "-",
            "--output",
            output,
        ]
    };
    let stdin = "M\tlibs/common/retry.cs\n";
    let out = |output| {
        let o = shiprail_in(&std::env::temp_dir(), &args(output), stdin);
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8(o.stdout).unwrap()
    };
    let reason = "pull request from `feature/delivery/x` into `main` (a trunk branch) runs `pull_request` (pipelines.rules[1])";
    let legs = [
        r#"{"service":"delivery","image":"myrepo.azurecr.io/delivery:ci-feature-delivery-x","chart":"charts/delivery"}"#,
        r#"{"service":"workflow","image":"myrepo.azurecr.io/workflow:ci-feature-delivery-x","chart":"charts/workflow"}"#,
    ];
    assert_eq!(
        out("github"),
        format!(
            "run=true\npipeline=pull_request\nreason={reason}\nservices=[\"delivery\",\"workflow\"]\nservice_list=delivery workflow\nmatrix={{\"include\":[{},{}]}}\n",
            legs[0], legs[1]
        )
    );
    let azure = out("azure");
    assert!(azure.starts_with("##vso[task.setvariable variable=run;isoutput=true]true\n"));
    assert!(azure.contains(&format!(
        "##vso[task.setvariable variable=matrix;isoutput=true]{{\"delivery\":{},\"workflow\":{}}}\n",
        legs[0], legs[1]
    )));
    let gitlab = out("gitlab");
    assert!(gitlab.contains("\nSHIPRAIL_SERVICE_LIST=delivery workflow\n"));
    assert!(
        gitlab
            .lines()
            .all(|l| l.starts_with("SHIPRAIL_") && l.contains('='))
    );
}

/// `--format github|azure|gitlab` is `--output` of the same name for `plan`, and refused
/// (exit 2, before anything runs) by every other command or beside another `--output`.
#[test]
fn ci_formats_through_the_global_format_flag() {
    let config = example_config();
    let plan = |extra: &[&'static str]| {
        let mut args = vec![
            "plan",
            "--config",
            &config,
            "--event",
            "push",
            "--ref",
            "refs/heads/release/delivery/v1.0.2",
        ];
        args.extend_from_slice(extra);
        let out = shiprail_in(&std::env::temp_dir(), &args, "");
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    for ci in ["github", "azure", "gitlab"] {
        let by_format = plan(&["--format", ci]);
        let by_output = plan(&["--output", ci]);
        assert_eq!(by_format.0, 0, "{ci}: {}", by_format.2);
        assert_eq!(by_format.1, by_output.1, "{ci}");
        assert_eq!(plan(&["--format", ci, "--output", ci]).1, by_output.1);
    }
    assert!(
        plan(&["--format", "github"])
            .1
            .contains("\nimage=myrepo.azurecr.io/delivery:v1.0.2\n")
    );
    let (code, out, err) = plan(&["--format", "azure", "--output", "gitlab"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err.trim_end(),
        "error: `--format azure` and `--output gitlab` ask for two different outputs"
    );
    assert_eq!(plan(&["--format", "github", "--output", "outline"]).0, 2);
    let out = shiprail_in(
        &std::env::temp_dir(),
        &["branch", "main", "--format", "github"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("applies to `shiprail plan` only")
    );
}

#[test]
fn plan_saves_the_plan_beside_ci_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("plan.json");
    let saved_arg = saved.display().to_string();
    let config = example_config();
    let (code, out) = text(&[
        "plan",
        "--config",
        &config,
        "--event",
        "tag",
        "--ref",
        "delivery-v1.0.2",
        "--output",
        "github",
        "--save",
        &saved_arg,
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("run=false\npipeline=\nreason=push of tag `delivery-v1.0.2`: no rule"));
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(plan["run"], false);
    assert_eq!(plan["event"]["ref"], "refs/tags/delivery-v1.0.2");
}

#[test]
fn plan_errors_keep_the_exit_codes() {
    let config = example_config();
    // A rule violation: exit 1, JSON error even with a CI output format.
    let (code, out) = run(&[
        "plan",
        "--config",
        &config,
        "--event",
        "push",
        "--ref",
        "relase/delivery/v1.0.2",
        "--output",
        "github",
    ]);
    assert_eq!(code, 1);
    assert_eq!(out["error"]["code"], "unknown_branch_kind");
    // Malformed input: exit 2.
    let (code, out) = run(&[
        "plan",
        "--config",
        &config,
        "--event",
        "pull_request",
        "--ref",
        "feature/delivery/x",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        out["error"],
        json!({"code": "invalid_event", "message": "a pull_request event needs `base_ref`, the branch it merges into"})
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("shiprail.yaml");
    std::fs::write(
        &bad,
        "services:\n  delivery: {paths: {include: ['src/**']}}\nenvironments:\n  qa: {cluster: c, namespace: qa, after: [dve]}\n  dev: {cluster: c, namespace: dev}\n",
    )
    .unwrap();
    let (code, out) = run(&[
        "plan",
        "--config",
        &bad.display().to_string(),
        "--event",
        "push",
        "--ref",
        "main",
    ]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "config_invalid");
    assert_eq!(
        (out["error"]["line"].clone(), out["error"]["column"].clone()),
        (json!(4), json!(43))
    );
    assert_eq!(out["error"]["suggestion"], "dev");
    // A usage error is clap's own (exit 2).
    let o = shiprail_in(
        &std::env::temp_dir(),
        &["plan", "--event", "deploy", "--ref", "x"],
        "",
    );
    assert_eq!(o.status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn plan_reads_changes_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::copy(example_config(), repo.join("shiprail.yaml")).unwrap();
    std::fs::create_dir_all(repo.join("src/shipping/package")).unwrap();
    std::fs::write(repo.join("src/shipping/package/index.js"), "1").unwrap();
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "init"]);
    git(repo, &["checkout", "-q", "-b", "feature/package/x"]);
    std::fs::write(repo.join("src/shipping/package/index.js"), "2").unwrap();
    git(repo, &["commit", "-q", "-am", "change"]);
    git(repo, &["checkout", "-q", "main"]);
    std::fs::create_dir_all(repo.join("src/shipping/delivery")).unwrap();
    std::fs::write(repo.join("src/shipping/delivery/a.cs"), "1").unwrap();
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "main moves on"]);
    // A pull request compares from the merge-base: only the branch's own change.
    let (code, out) = run_in(
        repo,
        &[
            "plan",
            "--event",
            "pull_request",
            "--ref",
            "feature/package/x",
            "--base-ref",
            "main",
            "--base",
            "main",
            "--head",
            "feature/package/x",
            "--output",
            "outline",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out["services"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["package"]
    );
    // A push compares the two commits.
    let (code, out) = run_in(
        repo,
        &[
            "plan", "--event", "push", "--ref", "main", "--base", "HEAD~1", "--head", "HEAD",
            "--output", "outline",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out["services"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["delivery", "workflow"]
    );
}

/// The state commands, on a plan saved by `shiprail plan --save`.
#[test]
fn release_state_from_init_to_rollback_plan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("shiprail.yaml");
    std::fs::write(
        &config,
        concat!(
            "registry: myrepo.azurecr.io\n",
            "services:\n  delivery: {paths: {include: ['src/**']}}\n",
            "environments:\n  qa: {cluster: dev-aks, namespace: qa}\n",
            "  prod: {cluster: prod-aks, namespace: prod, registry_namespace: prod, production: true,\n",
            "         allowed_branches: [release], approval: {required: true}}\n",
            "pipelines:\n  kinds:\n    release: {steps: [build, image_push], deploy: true}\n",
        ),
    )
    .unwrap();
    let run = |args: &[&str]| run_in(d, args, "");
    let digest = format!("sha256:{}", "a".repeat(64));
    let other = format!("sha256:{}", "b".repeat(64));
    let at = "--at";
    for (version, prev) in [("1.0.1", None), ("1.0.2", Some("state-1.0.1.json"))] {
        let plan = format!("plan-{version}.json");
        let state = format!("state-{version}.json");
        let (code, _) = run(&[
            "plan",
            "--config",
            "shiprail.yaml",
            "--event",
            "push",
            "--ref",
            &format!("release/delivery/v{version}"),
            "--save",
            &plan,
        ]);
        assert_eq!(code, 0);
        let mut init = vec![
            "release",
            "init",
            "--state",
            &state,
            "--plan",
            &plan,
            "--author",
            "alice",
            "--by",
            "ci",
            at,
            "2024-06-11T09:00:00Z",
        ];
        if let Some(p) = prev {
            init.extend(["--previous", p]);
        }
        let (code, out) = run(&init);
        assert_eq!(code, 0, "{out}");
        assert_eq!(out["ready"], json!(["delivery/ci/build"]));
        // Started once.
        let (code, out) = run(&init);
        assert_eq!((code, out["error"]["code"].clone()), (2, json!("io")));

        let d_ = if version == "1.0.1" { &other } else { &digest };
        let ok = |args: &[&str]| {
            let (code, out) = run(args);
            assert_eq!(code, 0, "{args:?}: {out}");
            out
        };
        ok(&[
            "release",
            "record",
            "gate",
            "--state",
            &state,
            "--step",
            "ci/build",
            "--by",
            "ci",
            at,
            "2024-06-11T09:01:00Z",
        ]);
        ok(&[
            "release",
            "record",
            "gate",
            "--state",
            &state,
            "--step",
            "delivery/ci/image_push",
            "--digest",
            d_,
            at,
            "2024-06-11T09:02:00Z",
        ]);
        ok(&[
            "release",
            "record",
            "deploy",
            "--state",
            &state,
            "--env",
            "qa",
            "--digest",
            d_,
            at,
            "2024-06-11T09:03:00Z",
        ]);
        let out = ok(&[
            "release",
            "record",
            "gate",
            "--state",
            &state,
            "--step",
            "qa/verify",
            at,
            "2024-06-11T09:04:00Z",
        ]);
        assert_eq!(out["ready"], json!([]));
        // Production: refused without approval, self-approval refused, approval needs --by.
        let (code, out) = run(&[
            "release",
            "record",
            "promote",
            "--state",
            &state,
            "--env",
            "prod",
            "--digest",
            d_,
            at,
            "2024-06-11T09:05:00Z",
        ]);
        assert_eq!(
            (code, out["error"]["code"].clone()),
            (1, json!("approval_missing"))
        );
        let (code, out) = run(&[
            "release", "record", "approve", "--state", &state, "--env", "prod", "--digest", d_,
            "--by", "alice",
        ]);
        assert_eq!(
            (code, out["error"]["code"].clone()),
            (1, json!("approval_refused"))
        );
        let (code, out) = run(&[
            "release", "record", "approve", "--state", &state, "--env", "prod", "--digest", d_,
        ]);
        assert_eq!(
            (code, out["error"]["code"].clone()),
            (2, json!("invalid_event"))
        );
        let out = ok(&[
            "release",
            "record",
            "approve",
            "--state",
            &state,
            "--env",
            "prod",
            "--digest",
            d_,
            "--by",
            "bob",
            "--comment",
            "ok",
            at,
            "2024-06-11T09:06:00Z",
        ]);
        assert_eq!(out["recorded"]["action"], "approve");
        assert_eq!(out["recorded"]["actor"], "bob");
        assert_eq!(out["ready"], json!(["delivery/prod/promote"]));
        ok(&[
            "release",
            "record",
            "promote",
            "--state",
            &state,
            "--env",
            "prod",
            "--digest",
            d_,
            at,
            "2024-06-11T09:07:00Z",
        ]);
        ok(&[
            "release",
            "record",
            "deploy",
            "--state",
            &state,
            "--env",
            "prod",
            "--digest",
            d_,
            at,
            "2024-06-11T09:08:00Z",
        ]);
        let out = ok(&[
            "release",
            "record",
            "gate",
            "--state",
            &state,
            "--step",
            "prod/verify",
            at,
            "2024-06-11T09:09:00Z",
        ]);
        assert_eq!(out["complete"], true);
        let out = ok(&["release", "next", "--state", &state]);
        assert_eq!(out["complete"], true);
    }
    let (code, out) = run(&[
        "release",
        "rollback-plan",
        "--state",
        "state-1.0.2.json",
        "--env",
        "prod",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["previous"]["version"], "1.0.1");
    assert_eq!(out["previous"]["digest"], json!(other));
    let actions: Vec<&str> = out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["redeploy", "verify", "uninstall"]);
    assert_eq!(
        out["steps"][0]["inputs"]["image"],
        format!("myrepo.azurecr.io/prod/delivery@{other}")
    );

    // The audit trail: JSON and JSON lines.
    let (code, out) = run(&["release", "audit", "--state", "state-1.0.2.json"]);
    assert_eq!(code, 0);
    assert_eq!(out["verified"], true);
    let entries = out["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 9);
    assert_eq!(out["head"], entries[8]["hash"]);
    let o = shiprail_in(
        d,
        &["release", "audit", "--state", "state-1.0.2.json", "--jsonl"],
        "",
    );
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, entries);

    // Tampered, newer: refused with exit 2.
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("state-1.0.2.json")).unwrap())
            .unwrap();
    state["audit"][5]["actor"] = json!("mallory");
    std::fs::write(d.join("tampered.json"), state.to_string()).unwrap();
    let (code, out) = run(&["release", "next", "--state", "tampered.json"]);
    assert_eq!(code, 2);
    assert_eq!(out["error"]["code"], "state_tampered");
    assert_eq!(out["error"]["file"], "tampered.json");
    state["format"] = json!(2);
    std::fs::write(d.join("newer.json"), state.to_string()).unwrap();
    let (code, out) = run(&[
        "release",
        "record",
        "gate",
        "--state",
        "newer.json",
        "--step",
        "ci/build",
    ]);
    assert_eq!(
        (code, out["error"]["code"].clone()),
        (2, json!("state_version"))
    );
    // A failed write leaves the state as it was: nothing is recorded on a refusal.
    let before = std::fs::read(d.join("state-1.0.2.json")).unwrap();
    let (code, _) = run(&[
        "release",
        "record",
        "deploy",
        "--state",
        "state-1.0.2.json",
        "--env",
        "qa",
        "--digest",
        &other,
    ]);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read(d.join("state-1.0.2.json")).unwrap(), before);
}

#[test]
fn release_lint() {
    let config = example_config();
    let (code, out) = run(&["release", "lint", "--config", &config]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["passed"], true);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("shiprail.yaml");
    std::fs::write(
        &bad,
        concat!(
            "services:\n  delivery: {paths: {include: ['src/**']}}\n",
            "environments:\n  qa: {cluster: aks, namespace: qa, values: {image.tag: latest}}\n",
            "  prod: {cluster: aks, namespace: prod, production: true}\n",
        ),
    )
    .unwrap();
    let (code, out) = run(&["release", "lint", "--config", &bad.display().to_string()]);
    assert_eq!(code, 1);
    assert_eq!(out["passed"], false);
    let rules: Vec<&str> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "any_branch",
            "no_approval",
            "shared_cluster",
            "no_promotion",
            "mutable_tag"
        ]
    );
}

/// examples/drone-delivery/release-e2e.sh against the registry of tests/services/registry.sh
/// (`SHIPRAIL_REGISTRY_ENV`). Without it this test fails, unless `SHIPRAIL_SKIP_REAL=1`.
#[test]
fn release_e2e_example_against_a_real_registry() {
    let Some(env) = std::env::var_os("SHIPRAIL_REGISTRY_ENV") else {
        if std::env::var_os("SHIPRAIL_SKIP_REAL").is_some() {
            eprintln!("SHIPRAIL_SKIP_REAL: release-e2e.sh skipped");
            return;
        }
        panic!(
            "SHIPRAIL_REGISTRY_ENV is not set: start tests/services/registry.sh (or set SHIPRAIL_SKIP_REAL=1)"
        );
    };
    let out = Command::new("bash")
        .arg(root().join("examples/drone-delivery/release-e2e.sh"))
        .env("SHIPRAIL_REGISTRY_ENV", env)
        .env("SHIPRAIL_BIN", env!("CARGO_BIN_EXE_shiprail"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "release-e2e.sh failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.trim_end().ends_with("release-e2e: ok"), "{stdout}");
}

/// The sample pipelines in docs/samples/ use the output format they document, and read only
/// variables that format writes.
#[test]
fn sample_pipelines_read_the_variables_plan_writes() {
    let config = example_config();
    let release = |output: &str| {
        let (code, out) = text(&[
            "plan",
            "--config",
            &config,
            "--event",
            "push",
            "--ref",
            "release/delivery/v1.0.2",
            "--output",
            output,
        ]);
        assert_eq!(code, 0);
        out
    };
    let names_before = |text: &str, sep: char| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_once(sep).map(|(k, _)| k.to_string()))
            .collect()
    };
    let written = names_before(&release("github"), '=');
    // Identifiers that follow `marker` in `text`.
    let used = |text: &str, marker: &str| -> Vec<String> {
        text.match_indices(marker)
            .map(|(i, _)| {
                text[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .collect()
    };
    let sample =
        |name: &str| std::fs::read_to_string(root().join("docs/samples").join(name)).unwrap();

    let github = sample("github.yml");
    assert!(github.contains("--output github"));
    let read = used(&github, "steps.plan.outputs.");
    assert!(!read.is_empty());
    for name in read.iter().chain(&used(&github, "needs.plan.outputs.")) {
        assert!(
            written.contains(name),
            "github.yml reads `{name}`, which plan does not write"
        );
    }

    let azure = sample("azure.yml");
    assert!(azure.contains("--output azure"));
    let azure_written: Vec<String> = release("azure")
        .lines()
        .filter_map(|l| l.strip_prefix("##vso[task.setvariable variable="))
        .filter_map(|l| l.split_once(';').map(|(k, _)| k.to_string()))
        .collect();
    assert_eq!(azure_written, written);
    let read = [
        used(&azure, "outputs['plan.plan."),
        used(&azure, "outputs['plan."),
    ]
    .concat();
    assert!(!read.is_empty());
    for name in read.iter().filter(|n| n.as_str() != "plan") {
        assert!(
            written.contains(name),
            "azure.yml reads `{name}`, which plan does not write"
        );
    }

    let gitlab = sample("gitlab.yml");
    assert!(gitlab.contains("--output gitlab"));
    let gitlab_written = names_before(&release("gitlab"), '=');
    let read = used(&gitlab, "$SHIPRAIL_");
    assert!(!read.is_empty());
    for name in read {
        let var = format!("SHIPRAIL_{name}");
        assert!(
            gitlab_written.contains(&var),
            "gitlab.yml reads `{var}`, which plan does not write"
        );
    }
}
