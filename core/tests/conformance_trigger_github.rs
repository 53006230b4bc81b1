//! Runs the shared GitHub trigger vectors of `tests/conformance/trigger_github.json`.
//!
//! Ops and args:
//! - `trigger.github.pattern`: `pattern`, `paths` -> `[bool]`, whether the pattern's body
//!   matches each path
//! - `trigger.github.glob`: `pattern` -> the equivalent glob, or `null`
//! - `trigger.github.parse`: `workflow` (YAML text) -> the declared event names
//! - `trigger.github.eval`: `workflow`, `event` (the serde JSON of `trigger::Event`) ->
//!   `{"run": bool}` (the decision projected to `run`)
//! - `trigger.github.lint`: `workflow`, optional `repo_paths` -> `[{code, severity,
//!   suggestion}]`, with the default branch rules and the Drone Delivery services
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::Error;
use shiprail::branch::BranchRules;
use shiprail::trigger::Event;
use shiprail::trigger::github::{GithubPattern, Workflow};
use shiprail::trigger::lint::LintContext;

const SERVICES: &[&str] = &[
    "delivery",
    "dronescheduler",
    "ingestion",
    "package",
    "workflow",
];

fn string<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` must be a string"))
}

fn strings(args: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    args.get(key)
        .filter(|v| !v.is_null())
        .map(|v| serde_json::from_value(v.clone()).expect("a list of strings"))
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    match op {
        "trigger.github.pattern" => {
            let pattern: GithubPattern = string(args, "pattern").parse()?;
            let paths = strings(args, "paths").expect("`paths` is required");
            Ok(json!(
                paths
                    .iter()
                    .map(|p| pattern.is_match(p))
                    .collect::<Vec<_>>()
            ))
        }
        "trigger.github.glob" => {
            let pattern: GithubPattern = string(args, "pattern").parse()?;
            Ok(json!(pattern.as_glob()))
        }
        "trigger.github.parse" => {
            let workflow = Workflow::from_yaml_str(string(args, "workflow"))?;
            Ok(json!(workflow.events()))
        }
        "trigger.github.eval" => {
            let workflow = Workflow::from_yaml_str(string(args, "workflow"))?;
            let event: Event =
                serde_json::from_value(args.get("event").cloned().expect("`event` is required"))
                    .expect("an Event");
            let decision = workflow.evaluate(&event)?;
            assert!(!decision.explain.is_empty(), "the trace is always filled");
            assert!(!decision.reason.is_empty(), "the reason is always filled");
            Ok(json!({"run": decision.run}))
        }
        "trigger.github.lint" => {
            let workflow = Workflow::from_yaml_str(string(args, "workflow"))?;
            let rules = BranchRules::default();
            let mut ctx =
                LintContext::new(&rules, SERVICES.iter().map(|s| (*s).to_owned()).collect());
            if let Some(paths) = strings(args, "repo_paths") {
                ctx = ctx.with_repo_paths(paths);
            }
            let findings: Vec<Value> = workflow
                .lint(&ctx)
                .iter()
                .map(|f| {
                    let full = serde_json::to_value(f).unwrap();
                    json!({"code": full["code"], "severity": full["severity"], "suggestion": full["suggestion"]})
                })
                .collect();
            Ok(Value::Array(findings))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn trigger_github_vectors() {
    let count = common::check_file("trigger_github", run);
    assert!(count >= 160, "trigger_github.json has only {count} cases");
}

/// Every file under `dir`, relative to it, `/`-separated.
fn files(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            files(&entry.path(), &path, out);
        } else {
            out.push(path);
        }
    }
}

/// The sample monorepo's workflows parse, lint clean, and run for their own service only.
#[test]
fn drone_delivery_workflows() {
    let root = common::repo_root().join("examples/drone-delivery");
    let mut repo_paths = Vec::new();
    files(&root, "", &mut repo_paths);
    let rules = BranchRules::default();
    let ctx = LintContext::new(&rules, SERVICES.iter().map(|s| (*s).to_owned()).collect())
        .with_repo_paths(repo_paths);
    for service in SERVICES {
        let path = root.join(format!(".github/workflows/{service}.yml"));
        let workflow = Workflow::load(&path).unwrap();
        assert_eq!(workflow.lint(&ctx), vec![], "{service}");
        for (other, paths) in SERVICES.iter().map(|o| (o, format!("src/shipping/{o}/x"))) {
            let event: Event = serde_json::from_value(json!({
                "kind": "push",
                "ref": format!("release/{service}/v1.0.2"),
                "changed": [{"path": paths, "status": "modified"}],
            }))
            .unwrap();
            let run = workflow.evaluate(&event).unwrap().run;
            assert_eq!(
                run,
                other == service,
                "{service} workflow, change in {other}"
            );
        }
    }
}
