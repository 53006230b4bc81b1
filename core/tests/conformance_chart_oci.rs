//! Runs the shared vectors of `tests/conformance/chart_oci.json` (charts as OCI artifacts:
//! tags, versions, references, config JSON, annotations) against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::Error;
use shiprail::chart::{
    ChartFile, ChartReference, chart_versions_from_tags, check_created, helm_annotations,
    helm_config_json, rfc3339_utc,
};
use shiprail::tag::{chart_oci_tag, chart_version_from_oci_tag};

fn str_arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("argument `{key}` must be a string"))
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    let chart = || ChartFile::parse(str_arg(args, "chart_yaml"));
    Ok(match op {
        "chart_oci.tag" => json!(chart_oci_tag(str_arg(args, "version"))),
        "chart_oci.version_from_tag" => json!(chart_version_from_oci_tag(str_arg(args, "tag"))),
        "chart_oci.versions_from_tags" => {
            let tags: Vec<String> = serde_json::from_value(args["tags"].clone()).unwrap();
            json!(chart_versions_from_tags(&tags))
        }
        "chart_oci.reference" => {
            let r: ChartReference = str_arg(args, "reference").parse()?;
            json!({
                "registry": r.registry(),
                "repository": r.repository(),
                "tag": r.tag(),
                "name": r.name(),
                "string": r.to_string(),
            })
        }
        "chart_oci.push_reference" => {
            let base: ChartReference = str_arg(args, "destination").parse()?;
            json!(
                base.join(str_arg(args, "name"))?
                    .with_version(str_arg(args, "version"))?
                    .to_string()
            )
        }
        "chart_oci.config_json" => {
            json!(String::from_utf8(helm_config_json(chart()?.metadata())).unwrap())
        }
        "chart_oci.annotations" => {
            json!(helm_annotations(
                chart()?.metadata(),
                str_arg(args, "created")
            ))
        }
        "chart_oci.created" => json!(rfc3339_utc(args["seconds"].as_u64().unwrap())),
        "chart_oci.check_created" => {
            check_created(str_arg(args, "created"))?;
            json!(true)
        }
        other => panic!("unknown op `{other}`"),
    })
}

#[test]
fn chart_oci_vectors() {
    let count = common::check_file("chart_oci", run);
    assert!(count >= 35, "only {count} chart_oci cases");
}
