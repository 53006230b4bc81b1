//! Runs the shared plan vectors of `tests/conformance/plan_*.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::config::Config;
use shiprail::plan::{Plan, PlanEvent, ci};
use shiprail::trigger::ChangedPath;
use shiprail::{Error, ErrorKind};

fn config(args: &Map<String, Value>) -> Result<Config, Error> {
    let text = args
        .get("config")
        .and_then(Value::as_str)
        .expect("argument `config` must be a string");
    Config::from_yaml_str(text)
}

/// The case's event: `event` ({kind, ref, base_ref, commit}) and `changed` (paths; absent:
/// unknown).
fn event(args: &Map<String, Value>) -> Result<PlanEvent, Error> {
    let mut event: PlanEvent = serde_json::from_value(args["event"].clone())
        .map_err(|e| Error::new(ErrorKind::InvalidEvent, e.to_string()))?;
    if let Some(changed) = args.get("changed").and_then(Value::as_array) {
        event.changed = Some(
            changed
                .iter()
                .map(|p| ChangedPath::modified(p.as_str().expect("changed paths are strings")))
                .collect(),
        );
    }
    Ok(event)
}

fn plan(args: &Map<String, Value>) -> Result<Plan, Error> {
    let config = config(args)?;
    config.plan(&event(args)?)
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn run_plan(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    match op {
        "plan.outline" => Ok(to_json(&plan(args)?.outline())),
        "plan.step" => {
            let id = args["step"].as_str().unwrap();
            Ok(to_json(&plan(args)?.step(id)))
        }
        "plan.release" => Ok(to_json(&plan(args)?.release)),
        "plan.envs" => {
            let plan = plan(args)?;
            Ok(json!({"environments": plan.environments, "notes": plan.notes}))
        }
        "plan.ci" => {
            let format: ci::CiFormat = args["format"].as_str().unwrap().parse()?;
            let text = ci::render(&plan(args)?, format);
            Ok(json!(text.lines().collect::<Vec<_>>()))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn plan_pipelines_vectors() {
    let n = common::check_file("plan_pipelines", run_plan);
    assert!(n >= 60, "only {n} cases");
}
