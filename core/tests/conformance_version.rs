//! Runs the shared version vectors of `tests/conformance/version.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::version::{Bump, ReleaseVersion, VersionPolicy, bump_for_commits, ensure_higher};
use shiprail::{Error, ErrorKind};

fn str_arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("argument `{key}` must be a string"))
}

fn list_arg<'a>(args: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    args.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("argument `{key}` must be a list"))
        .iter()
        .map(|v| v.as_str().expect("list items are strings"))
        .collect()
}

fn versions_arg(args: &Map<String, Value>, key: &str) -> Result<Vec<ReleaseVersion>, Error> {
    list_arg(args, key).into_iter().map(str::parse).collect()
}

/// The optional `policy` argument: a `versioning:` section as JSON.
fn policy_arg(args: &Map<String, Value>) -> Result<VersionPolicy, Error> {
    match args.get("policy") {
        None => Ok(VersionPolicy::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

fn string(v: impl ToString) -> Value {
    Value::String(v.to_string())
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    let version = || str_arg(args, "version").parse::<ReleaseVersion>();
    Ok(match op {
        "version.parse" => string(policy_arg(args)?.parse(str_arg(args, "input"))?),
        "version.with_v" => json!(str_arg(args, "input").parse::<ReleaseVersion>()?.with_v()),
        "version.bump" => string(version()?.bump(str_arg(args, "bump").parse::<Bump>()?)?),
        "version.next_prerelease" => string(version()?.next_prerelease(str_arg(args, "label"))?),
        "version.with_build" => string(version()?.with_build(str_arg(args, "build"))?),
        "version.with_commit" => string(version()?.with_commit(str_arg(args, "sha"))?),
        "version.cmp_precedence" => {
            let a: ReleaseVersion = str_arg(args, "a").parse()?;
            let b: ReleaseVersion = str_arg(args, "b").parse()?;
            json!(a.cmp_precedence(&b) as i8)
        }
        "version.sort" => {
            let mut versions = versions_arg(args, "versions")?;
            versions.sort();
            json!(versions)
        }
        "version.bump_for_commits" => {
            let messages = list_arg(args, "messages");
            match args.get("policy") {
                None => json!(bump_for_commits(&messages)),
                Some(_) => json!(policy_arg(args)?.bump_for_commits(&messages)),
            }
        }
        "version.next" => {
            let released = versions_arg(args, "released")?;
            let commits = list_arg(args, "commits");
            let prerelease = args
                .get("prerelease")
                .and_then(Value::as_bool)
                .expect("`prerelease` is a boolean");
            json!(policy_arg(args)?.next(&released, &commits, prerelease)?)
        }
        "version.ensure_higher" => {
            ensure_higher(&version()?, &versions_arg(args, "released")?)?;
            json!(true)
        }
        "version.policy" => {
            let policy = policy_arg(args)?;
            policy.validate()?;
            json!(policy)
        }
        other => panic!("unknown op `{other}`"),
    })
}

#[test]
fn version_vectors() {
    let count = common::check_file("version", run);
    assert!(count >= 60, "version.json has only {count} cases");
}
