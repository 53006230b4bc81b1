//! Runs the shared branch vectors of `tests/conformance/branch.json`.
//!
//! Ops and args (`rules` is always optional: the `branches:` section as JSON, merged with the
//! defaults; `services` absent or `null` means "any syntactically valid service"):
//! - `branch.classify`: `ref`, `services`, `rules` -> the `Branch` JSON
//! - `branch.render_release`: `service`, `version`, `rules` -> the branch name
//! - `branch.render`: `kind`, optional `service`, `topic`, `version`, `rules` -> the branch name
//! - `branch.validate`: `rules` -> `true` (a JSON `null` would read as "no expected result")
//! - `branch.parse_pattern`: `pattern` -> the pattern as displayed
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Map, Value};
use shiprail::branch::{BranchKind, BranchPattern, BranchRules};
use shiprail::version::ReleaseVersion;
use shiprail::{Error, ErrorKind};

fn string<'a>(args: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match args.get(key) {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_str()
                .unwrap_or_else(|| panic!("`{key}` must be a string")),
        ),
    }
}

fn required<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    string(args, key).unwrap_or_else(|| panic!("`{key}` is required"))
}

fn rules(args: &Map<String, Value>) -> Result<BranchRules, Error> {
    match args.get("rules") {
        None | Some(Value::Null) => Ok(BranchRules::default()),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

fn services(args: &Map<String, Value>) -> Option<Vec<String>> {
    match args.get("services") {
        None | Some(Value::Null) => None,
        Some(value) => Some(serde_json::from_value(value.clone()).expect("services: [string]")),
    }
}

fn version(args: &Map<String, Value>) -> Result<Option<ReleaseVersion>, Error> {
    string(args, "version").map(str::parse).transpose()
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    match op {
        "branch.classify" => {
            let services = services(args);
            let services: Option<Vec<&str>> = services
                .as_ref()
                .map(|list| list.iter().map(String::as_str).collect());
            let branch = rules(args)?.classify(required(args, "ref"), services.as_deref())?;
            Ok(serde_json::to_value(branch).unwrap())
        }
        "branch.render_release" => {
            let version: ReleaseVersion = required(args, "version").parse()?;
            let name = rules(args)?.release_branch(required(args, "service"), &version)?;
            Ok(Value::String(name))
        }
        "branch.render" => {
            let kind: BranchKind = required(args, "kind").parse()?;
            let name = rules(args)?.render(
                &kind,
                string(args, "service"),
                string(args, "topic"),
                version(args)?.as_ref(),
            )?;
            Ok(Value::String(name))
        }
        "branch.validate" => {
            rules(args)?.validate()?;
            Ok(Value::Bool(true))
        }
        "branch.parse_pattern" => {
            let pattern: BranchPattern = required(args, "pattern").parse()?;
            Ok(Value::String(pattern.to_string()))
        }
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn branch_vectors() {
    let count = common::check_file("branch", run);
    assert!(count >= 60, "branch.json has only {count} cases");
}
