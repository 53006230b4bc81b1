//! `shiprail trigger eval` on the example monorepo's pipelines: each service's Azure pipeline and
//! GitHub workflow run for its own feature, topic, release and master pushes and its PRs, and
//! for nothing else.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const SERVICES: &[&str] = &[
    "delivery",
    "dronescheduler",
    "ingestion",
    "package",
    "workflow",
];

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery")
}

/// Runs `trigger eval` and returns (exit code, JSON).
fn eval(
    file: &PathBuf,
    event: &str,
    reference: &str,
    base: Option<&str>,
    changed: &str,
) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("changed.txt");
    std::fs::write(&list, changed).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiprail"));
    cmd.args(["trigger", "eval", "--file"]).arg(file);
    cmd.args(["--event", event, "--ref", reference, "--changed-from"])
        .arg(&list);
    if let Some(base) = base {
        cmd.args(["--base-ref", base]);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), json)
}

#[test]
fn each_service_pipeline_runs_for_its_own_changes_only() {
    let mut failures = Vec::new();
    for svc in SERVICES {
        let other = SERVICES.iter().find(|s| *s != svc).unwrap();
        let own = format!("src/shipping/{svc}/main.c\n");
        let foreign = format!("src/shipping/{other}/main.c\nREADME.md\n");
        let release = format!("release/{svc}/v1.0.2");
        // (event, ref, base ref, changed paths, expected run)
        let cases: Vec<(&str, String, Option<String>, &str, bool)> = vec![
            (
                "push",
                format!("feature/{svc}/eta-rounding"),
                None,
                &own,
                true,
            ),
            ("push", format!("topic/{svc}/spike"), None, &own, true),
            ("push", release.clone(), None, &own, true),
            ("push", "master".into(), None, &own, true),
            ("push", "master".into(), None, &foreign, false),
            ("push", format!("feature/{other}/eta"), None, &own, false),
            ("push", format!("release/{other}/v1.0.2"), None, &own, false),
            ("push", "refs/tags/v1.0.2".into(), None, &own, false),
            (
                "pull_request",
                format!("feature/{svc}/eta"),
                Some("master".into()),
                &own,
                true,
            ),
            (
                "pull_request",
                format!("feature/{svc}/fix"),
                Some(release.clone()),
                &own,
                true,
            ),
            (
                "pull_request",
                format!("feature/{svc}/eta"),
                Some("master".into()),
                &foreign,
                false,
            ),
            (
                "pull_request",
                "x".into(),
                Some(format!("feature/{svc}/eta")),
                &own,
                false,
            ),
        ];
        for dialect_file in [
            example().join(format!("pipelines/azure/{svc}.yml")),
            example().join(format!(".github/workflows/{svc}.yml")),
        ] {
            for (event, reference, base, changed, want) in &cases {
                let (code, out) = eval(&dialect_file, event, reference, base.as_deref(), changed);
                if code != 0 || out["run"] != *want {
                    failures.push(format!(
                        "{}: {event} {reference} (base {base:?}, changed {changed:?}): want run={want}, got {out}",
                        dialect_file.display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn explain_and_errors() {
    let file = example().join("pipelines/azure/delivery.yml");
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args([
            "trigger",
            "eval",
            "--dialect",
            "azure",
            "--event",
            "push",
            "--ref",
            "master",
            "--explain",
            "--file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["run"], true, "unknown changes cannot exclude: {json}");
    assert!(!json["explain"].as_array().unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on:\n  push:\n    branches: [main]\n    branches-ignore: [dev]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args([
            "trigger", "eval", "--event", "push", "--ref", "main", "--file",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json["error"]["code"], "invalid_pipeline");
    assert_eq!(json["error"]["file"], bad.display().to_string());
    assert!(json["error"]["line"].as_u64().is_some());
}
