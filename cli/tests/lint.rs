//! `shiprail lint`: the example monorepo's pipelines are clean; typos, variables in triggers,
//! batching with approvals, wrong-case paths and overlapping services are found, with exit 1
//! when any finding is an error.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery")
}

fn lint(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_example_pipelines_are_clean() {
    let config = example().join("shiprail.yaml");
    let mut args = vec!["--config".to_string(), config.display().to_string()];
    for svc in [
        "delivery",
        "dronescheduler",
        "ingestion",
        "package",
        "workflow",
    ] {
        args.push(
            example()
                .join(format!("pipelines/azure/{svc}.yml"))
                .display()
                .to_string(),
        );
        args.push(
            example()
                .join(format!(".github/workflows/{svc}.yml"))
                .display()
                .to_string(),
        );
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report) = lint(&args);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["findings"], Value::Array(vec![]), "{report}");
}

#[test]
fn broken_pipelines_fail_with_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let azure = dir.path().join("azure-pipelines.yml");
    std::fs::write(
        &azure,
        "trigger:\n  batch: true\n  branches:\n    include: [relelase/delivery/v*, $(branch)]\n  paths:\n    include: [/src/Shipping/delivery/]\nstages:\n- stage: prod\n  jobs:\n  - deployment: d\n    environment: prod\n",
    )
    .unwrap();
    let workflow = dir.path().join("delivery.yml");
    std::fs::write(
        &workflow,
        "on:\n  push:\n    branches: ['!main']\n    paths: ['src/shipping/delivry/**']\n",
    )
    .unwrap();
    let config = example().join("shiprail.yaml");
    let (code, report) = lint(&[
        "--config",
        config.to_str().unwrap(),
        azure.to_str().unwrap(),
        workflow.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{report}");
    let found = codes(&report);
    for want in [
        "batch_with_approvals",
        "variable_in_filter",
        "unmatched_branch_pattern",
        "unmatched_path_pattern",
        "exclude_only_list",
    ] {
        assert!(
            found.iter().any(|c| c == want),
            "missing {want} in {found:?}"
        );
    }
    let typo = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "unmatched_branch_pattern")
        .unwrap();
    assert_eq!(typo["suggestion"], "release/delivery/v*");
    assert_eq!(
        (typo["location"]["line"].as_u64(), typo["file"].as_str()),
        (Some(4), azure.to_str())
    );
    // Every located finding of a pipeline file is self-describing: its location names the file.
    let pipelines = [azure.to_str().unwrap(), workflow.to_str().unwrap()];
    for finding in report["findings"].as_array().unwrap() {
        if pipelines.iter().any(|p| finding["file"] == *p) && !finding["location"].is_null() {
            assert_eq!(finding["location"]["file"], finding["file"], "{finding}");
        }
    }
    let in_workflow = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == workflow.to_str().unwrap())
        .unwrap();
    assert_eq!(in_workflow["location"]["file"], workflow.to_str().unwrap());
    assert!(report["errors"].as_u64().unwrap() >= 2);
}

#[test]
fn services_claiming_the_same_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/a")).unwrap();
    std::fs::write(root.join("src/a/main.c"), "int main;\n").unwrap();
    std::fs::write(
        root.join("shiprail.yaml"),
        "services:\n  a: {paths: {include: ['src/**']}}\n  b: {paths: {include: ['src/a/**']}}\n  c: {paths: {include: ['srv/c/**']}}\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        assert!(
            Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .unwrap()
                .status
                .success()
        );
    };
    git(&["init", "-q"]);
    let (code, report) = lint(&["--config", root.join("shiprail.yaml").to_str().unwrap()]);
    assert_eq!(code, 0, "warnings only: {report}");
    assert_eq!(
        codes(&report),
        ["service_path_overlap", "unmatched_service_paths"]
    );
}
