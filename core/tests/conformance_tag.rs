//! Runs the shared tag vectors of `tests/conformance/tag.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::tag::{TagPolicy, TagTemplate, chart_oci_tag, chart_version_from_oci_tag};
use shiprail::version::ReleaseVersion;
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

/// The optional `policy` argument: a `tags:` section as JSON.
fn policy_arg(args: &Map<String, Value>) -> Result<TagPolicy, Error> {
    match args.get("policy") {
        None => Ok(TagPolicy::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    let version = || str_arg(args, "version").parse::<ReleaseVersion>();
    let template = || str_arg(args, "template").parse::<TagTemplate>();
    Ok(match op {
        "tag.template" => json!(template()?.to_string()),
        "tag.render" => json!(template()?.render(str_arg(args, "service"), &version()?)),
        // `"ok": null` reads as "no ok", so a tag that does not fit gives `false`.
        "tag.parse" => match template()?.parse(str_arg(args, "tag")) {
            Some(parsed) => json!(parsed),
            None => json!(false),
        },
        "tag.derive" => json!(policy_arg(args)?.derive(str_arg(args, "service"), &version()?)?),
        "tag.attribute" => {
            json!(policy_arg(args)?.attribute(str_arg(args, "tag"), &list_arg(args, "services"))?)
        }
        "tag.released_versions" => json!(policy_arg(args)?.released_versions(
            str_arg(args, "service"),
            &list_arg(args, "tags"),
            &list_arg(args, "services"),
        )),
        "tag.chart_oci_tag" => json!(chart_oci_tag(str_arg(args, "version"))),
        "tag.chart_version_from_oci_tag" => json!(chart_version_from_oci_tag(str_arg(args, "tag"))),
        "tag.check_immutable" => {
            policy_arg(args)?.check_immutable(str_arg(args, "tag"))?;
            json!(true)
        }
        "tag.policy" => {
            let policy = policy_arg(args)?;
            policy.validate()?;
            json!(policy)
        }
        other => panic!("unknown op `{other}`"),
    })
}

#[test]
fn tag_vectors() {
    let count = common::check_file("tag", run);
    assert!(count >= 50, "tag.json has only {count} cases");
}
