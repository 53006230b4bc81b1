//! `shiprail chart lint` on a Chart.yaml whose fields have the wrong YAML type: a lint
//! finding with its rule, severity and position (exit 1), as `helm lint` reports it, never a
//! refusal of the input (exit 2). `chart package` and `chart version`, which need the
//! metadata, refuse such a chart.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[test]
fn wrongly_typed_fields_are_findings() {
    // (the field's line, the rule, line, column, the start of the message)
    let cases = [
        (
            "version: 1.0",
            "version_type",
            3,
            10,
            "version should be of type string but it's of type float64",
        ),
        (
            "version: 1",
            "version_type",
            3,
            10,
            "version should be of type string but it's of type float64",
        ),
        (
            "version: {major: 1}",
            "chart_yaml_syntax",
            3,
            10,
            "`version` must be a string, not a mapping",
        ),
        (
            "version: [1.0.0]",
            "chart_yaml_syntax",
            3,
            10,
            "`version` must be a string, not a list",
        ),
    ];
    for (field, rule, line, column, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("Chart.yaml"),
            format!("apiVersion: v2\nname: c\n{field}\nappVersion: \"1.0.0\"\n"),
        )
        .unwrap();
        let chart = dir.path().to_str().unwrap();
        let (code, report) = run(&["chart", "lint", chart]);
        assert_eq!(code, 1, "{field}: {report}");
        assert_eq!(report["passed"], false, "{field}: {report}");
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["severity"] == "error")
            .unwrap();
        assert_eq!(finding["rule"], rule, "{field}: {report}");
        assert_eq!(finding["file"], "Chart.yaml");
        assert_eq!(
            (finding["line"].as_u64(), finding["column"].as_u64()),
            (Some(line), Some(column)),
            "{field}: {report}"
        );
        let text = finding["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{field}: {text}");

        if rule == "chart_yaml_syntax" {
            // Helm cannot load such a chart: packaging it is refused, exit 2 with the position.
            let (code, out) = run(&["chart", "package", chart, "-d", chart]);
            assert_eq!(code, 2, "{field}: {out}");
            assert!(out["error"]["code"].is_string(), "{field}: {out}");
        }
    }
}
