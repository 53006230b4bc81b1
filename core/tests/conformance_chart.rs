//! Runs the shared chart vectors of `tests/conformance/chart_*.json` against the Rust API.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Map, Value, json};
use shiprail::chart::{
    ChangeCause, ChangeCauseTemplate, ChartFile, ChartVersions, HelmIgnore, LintInput, LintOptions,
    PathKind, is_dns1123_label, lint, release_names, rewrite_dependency_version, rewrite_versions,
};
use shiprail::tag::{TagPolicy, chart_oci_tag, chart_version_from_oci_tag};
use shiprail::version::ReleaseVersion;
use shiprail::{Error, ErrorKind};

fn str_arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("argument `{key}` must be a string"))
}

fn opt_str<'a>(args: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn from_arg<T: serde::de::DeserializeOwned + Default>(
    args: &Map<String, Value>,
    key: &str,
) -> Result<T, Error> {
    match args.get(key) {
        None => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| Error::new(ErrorKind::ConfigSyntax, e.to_string())),
    }
}

fn version(args: &Map<String, Value>, key: &str) -> Result<Option<ReleaseVersion>, Error> {
    opt_str(args, key).map(str::parse).transpose()
}

/// The lint input of a case: `chart_yaml`, `values_yaml` (default `a: 1`), `values_schema`,
/// `templates` (default directory), `subcharts`.
fn lint_input(args: &Map<String, Value>) -> Result<(LintInput, LintOptions), Error> {
    let input = LintInput {
        chart_yaml: opt_str(args, "chart_yaml").map(str::to_string),
        values_yaml: match args.get("values_yaml") {
            None => Some("a: 1\n".to_string()),
            Some(Value::Null) => None,
            Some(v) => v.as_str().map(str::to_string),
        },
        values_schema: opt_str(args, "values_schema").map(str::to_string),
        templates: from_arg::<Option<PathKind>>(args, "templates")?.unwrap_or_default(),
        subcharts: from_arg(args, "subcharts")?,
    };
    let options = LintOptions {
        released: from_arg(args, "released")?,
        policy: from_arg::<TagPolicy>(args, "policy")?,
    };
    Ok((input, options))
}

fn run(op: &str, args: &Map<String, Value>) -> Result<Value, Error> {
    Ok(match op {
        "chart.parse" => json!(ChartFile::parse(str_arg(args, "chart_yaml"))?.metadata()),
        "chart.validate" => {
            ChartFile::parse(str_arg(args, "chart_yaml"))?.validate()?;
            json!(true)
        }
        "chart.archive_name" => {
            json!(
                ChartFile::parse(str_arg(args, "chart_yaml"))?
                    .metadata()
                    .archive_name()
            )
        }
        "chart.lint" => {
            let (input, options) = lint_input(args)?;
            json!(lint(&input, &options))
        }
        "chart.lint_rules" => {
            let (input, options) = lint_input(args)?;
            let report = lint(&input, &options);
            let rules: Vec<String> = report
                .findings
                .iter()
                .map(|f| format!("{} {}", f.severity, f.rule))
                .collect();
            json!({"passed": report.passed(), "rules": rules})
        }
        "chart.set_versions" => json!(rewrite_versions(
            str_arg(args, "chart_yaml"),
            version(args, "version")?.as_ref(),
            opt_str(args, "app_version"),
        )?),
        "chart.bump_dependency" => json!(rewrite_dependency_version(
            str_arg(args, "chart_yaml"),
            str_arg(args, "dependency"),
            str_arg(args, "version"),
        )?),
        "chart.versions_from_release" => json!(ChartVersions::from_release(
            &from_arg::<TagPolicy>(args, "policy")?,
            str_arg(args, "chart"),
            &str_arg(args, "version").parse()?,
        )?),
        "chart.helmignore" => {
            let ignore = HelmIgnore::parse(str_arg(args, "rules"))?;
            let is_dir = args.get("is_dir").and_then(Value::as_bool).unwrap_or(false);
            json!(ignore.is_ignored(str_arg(args, "path"), is_dir))
        }
        "chart.release_name" => json!(release_names(
            str_arg(args, "service"),
            &str_arg(args, "version").parse()?,
            opt_str(args, "environment"),
        )?),
        "chart.change_cause" => {
            let template = match opt_str(args, "template") {
                Some(t) => t.parse::<ChangeCauseTemplate>()?,
                None => ChangeCauseTemplate::default(),
            };
            json!(template.render(&from_arg::<ChangeCause>(args, "cause")?)?)
        }
        "chart.is_dns1123_label" => json!(is_dns1123_label(str_arg(args, "name"))),
        "chart.oci_tag" => json!(chart_oci_tag(str_arg(args, "version"))),
        "chart.version_from_oci_tag" => json!(chart_version_from_oci_tag(str_arg(args, "tag"))),
        other => panic!("unknown op `{other}`"),
    })
}

#[test]
fn chart_metadata_vectors() {
    let count = common::check_file("chart_metadata", run);
    assert!(count >= 20, "chart_metadata.json has only {count} cases");
}

#[test]
fn chart_lint_vectors() {
    let count = common::check_file("chart_lint", run);
    assert!(count >= 40, "chart_lint.json has only {count} cases");
}

#[test]
fn chart_versioning_vectors() {
    let count = common::check_file("chart_versioning", run);
    assert!(count >= 15, "chart_versioning.json has only {count} cases");
}

#[test]
fn chart_helmignore_vectors() {
    let count = common::check_file("chart_helmignore", run);
    assert!(count >= 25, "chart_helmignore.json has only {count} cases");
}

#[test]
fn chart_release_names_vectors() {
    let count = common::check_file("chart_release_names", run);
    assert!(
        count >= 20,
        "chart_release_names.json has only {count} cases"
    );
}
