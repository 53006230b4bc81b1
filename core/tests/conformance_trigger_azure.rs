//! Runs the shared Azure Pipelines trigger vectors of `tests/conformance/trigger_azure.json`.
//!
//! Ops and args (`options` is always optional: an `AzureOptions` object, omitted fields at their
//! defaults):
//! - `trigger.azure.eval`: `pipeline` (the azure-pipelines.yml text), `event` (the serde JSON of
//!   `trigger::Event`) -> `{"run": bool}` (the `Decision` projected to its outcome)
//! - `trigger.azure.pattern`: `kind` (`branch`, `tag` or `path`), `pattern`, `subjects` (refs
//!   or short branch names for `branch`/`tag`, repository paths for `path`) -> `[bool, ...]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::trigger::Event;
use shiprail::trigger::azure::{AzureOptions, PathPattern, Pipeline, RefKind, RefPattern};
use shiprail::trigger::event::full_ref;
use shiprail::{Error, ErrorKind};

fn required<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` must be a string"))
}

fn options(args: &Map<String, Value>) -> Result<AzureOptions, Error> {
    match args.get("options") {
        None | Some(Value::Null) => Ok(AzureOptions::default()),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    let options = options(args)?;
    match op {
        "trigger.azure.eval" => {
            let pipeline =
                Pipeline::from_yaml_str(required(args, "pipeline"))?.with_options(options);
            let event: Event = serde_json::from_value(args["event"].clone())
                .map_err(|e| Error::new(ErrorKind::InvalidEvent, e.to_string()))?;
            let decision = pipeline.evaluate(&event)?;
            assert!(!decision.explain.is_empty(), "explain is always filled");
            assert!(!decision.reason.is_empty(), "a reason is always given");
            Ok(json!({ "run": decision.run }))
        }
        "trigger.azure.pattern" => {
            let pattern = required(args, "pattern");
            let subjects: Vec<String> =
                serde_json::from_value(args["subjects"].clone()).expect("subjects: [string]");
            let results: Vec<bool> = match required(args, "kind") {
                "branch" | "tag" => {
                    let kind = if required(args, "kind") == "tag" {
                        RefKind::Tag
                    } else {
                        RefKind::Branch
                    };
                    let compiled = RefPattern::new(pattern, kind)?;
                    subjects
                        .iter()
                        .map(|s| compiled.matches(&full_ref(s), options.branch_case_insensitive))
                        .collect()
                }
                "path" => {
                    let compiled = PathPattern::new(pattern)?;
                    subjects
                        .iter()
                        .map(|s| compiled.matches(s, options.path_star_crosses_slash))
                        .collect()
                }
                other => panic!("unknown pattern kind `{other}`"),
            };
            Ok(json!(results))
        }
        other => panic!("unknown op `{other}`"),
    }
}

#[test]
fn trigger_azure_vectors() {
    let count = common::check_file("trigger_azure", run);
    assert!(count >= 160, "only {count} cases");
}
