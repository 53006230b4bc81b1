//! Runs the shared vectors of `tests/conformance/trigger_native.json` (shiprail's own path
//! rules: affected services, explanations, overlaps) against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value};
use shiprail::Error;
use shiprail::config::Config;
use shiprail::trigger::ChangedPath;

fn config_arg(args: &Map<String, Value>) -> Result<Config, Error> {
    let text = args
        .get("config")
        .and_then(Value::as_str)
        .expect("argument `config` must be YAML text");
    Config::from_yaml_str(text)
}

/// `changed` items: a bare path (modified) or a ChangedPath object.
fn changed_arg(args: &Map<String, Value>) -> Vec<ChangedPath> {
    args.get("changed")
        .and_then(Value::as_array)
        .expect("argument `changed` must be a list")
        .iter()
        .map(|item| match item {
            Value::String(path) => ChangedPath::modified(path.as_str()),
            other => serde_json::from_value(other.clone()).expect("a ChangedPath object"),
        })
        .collect()
}

fn paths_arg(args: &Map<String, Value>) -> Vec<&str> {
    args.get("paths")
        .and_then(Value::as_array)
        .expect("argument `paths` must be a list")
        .iter()
        .map(|v| v.as_str().expect("paths are strings"))
        .collect()
}

#[test]
fn trigger_native_vectors() {
    let count = common::check_file("trigger_native", |op, args| {
        let config = config_arg(args)?;
        Ok(match op {
            "affected" => {
                serde_json::to_value(config.affected(&changed_arg(args), false)?.services)
            }
            "affected.explain" => {
                serde_json::to_value(config.affected(&changed_arg(args), true)?.explain)
            }
            "affected.overlaps" => serde_json::to_value(config.overlapping_paths(paths_arg(args))?),
            other => panic!("unknown op {other}"),
        }
        .unwrap())
    });
    assert!(count >= 60, "only {count} cases");
}
