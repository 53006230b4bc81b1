//! Runs the shared plan vectors of `tests/conformance/plan_*.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::config::Config;
use shiprail::plan::{InitOptions, Plan, PlanEvent, ReleaseState, Timestamp, ci, lint};
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
        "plan.lint" => Ok(to_json(&lint(&config(args)?))),
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

/// Applies one record of a state case: `{"action": "gate"|"approve"|"promote"|"deploy", "by",
/// "at", "step", "result", "env", "digest", "comment"}`.
fn apply(state: &mut ReleaseState, record: &Value) -> Result<(), Error> {
    let s = |k: &str| record.get(k).and_then(Value::as_str);
    let by = s("by").unwrap_or("ci");
    let at: Timestamp = s("at").expect("records carry `at`").parse()?;
    match s("action").expect("records carry `action`") {
        "gate" => state
            .record_gate(
                s("step").unwrap(),
                s("result").unwrap_or("passed").parse()?,
                s("digest"),
                by,
                at,
            )
            .map(drop),
        "approve" => state
            .record_approval(
                s("env").unwrap(),
                s("digest").unwrap(),
                by,
                s("comment"),
                at,
            )
            .map(drop),
        "promote" => state
            .record_promotion(s("env").unwrap(), s("digest").unwrap(), by, at)
            .map(drop),
        "deploy" => state
            .record_deployment(s("env").unwrap(), s("digest").unwrap(), by, at)
            .map(drop),
        other => panic!("unknown record action {other}"),
    }
}

/// A state from `event` (a release), `author`, `at`, an optional `previous` state spec (same
/// keys) and `records`.
fn state_of(args: &Map<String, Value>) -> Result<ReleaseState, Error> {
    let previous = match args.get("previous") {
        Some(Value::Object(prev)) => {
            let mut merged = args.clone();
            merged.remove("previous");
            for (k, v) in prev {
                merged.insert(k.clone(), v.clone());
            }
            Some(state_of(&merged)?)
        }
        _ => None,
    };
    let plan = plan(args)?;
    let mut state = ReleaseState::new(
        &plan,
        InitOptions {
            author: args
                .get("author")
                .and_then(Value::as_str)
                .map(str::to_string),
            actor: Some("ci".into()),
            at: Some(args["at"].as_str().unwrap().parse()?),
            previous,
            ..InitOptions::default()
        },
    )?;
    for record in args
        .get("records")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        apply(&mut state, record)?;
    }
    Ok(state)
}

fn run_state(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    let now = || -> Result<Timestamp, Error> { args["now"].as_str().unwrap().parse() };
    match op {
        "state.next" => Ok(to_json(&state_of(args)?.next(now()?))),
        "state.ready" => Ok(json!(state_of(args)?.next(now()?).ready)),
        "state.rollback" => {
            let env = args["env"].as_str().unwrap();
            Ok(to_json(&state_of(args)?.rollback_plan(env)?))
        }
        "state.audit" => {
            let state = state_of(args)?;
            Ok(json!(
                state
                    .audit()
                    .iter()
                    .map(|e| {
                        let mut v = to_json(e);
                        let o = v.as_object_mut().unwrap();
                        o.remove("hash");
                        o.remove("prev");
                        o.remove("header_sha256");
                        v
                    })
                    .collect::<Vec<_>>()
            ))
        }
        "state.tamper" => {
            // Serialize, change one value at a JSON pointer, read back.
            let state = state_of(args)?;
            let mut value = to_json(&state);
            let pointer = args["pointer"].as_str().unwrap();
            *value.pointer_mut(pointer).expect("the pointer exists") = args["value"].clone();
            ReleaseState::from_json(&value.to_string())?;
            Ok(json!("accepted"))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn plan_state_vectors() {
    let n = common::check_file("plan_state", run_state);
    assert!(n >= 30, "only {n} cases");
}

#[test]
fn plan_lint_vectors() {
    let n = common::check_file("plan_lint", run_plan);
    assert!(n >= 12, "only {n} cases");
}
