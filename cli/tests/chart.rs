//! `shiprail chart ...` end to end on the example charts: reproducible packages, inspection
//! of what was packaged, lint exit codes, side-by-side release names.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn example_chart(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/drone-delivery/charts")
        .join(name)
}

fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The same chart packaged twice, from two places with different file times, gives the same
/// bytes; the archive carries the release version.
#[test]
fn packages_are_reproducible_and_carry_the_release_version() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("elsewhere/delivery");
    copy_dir(&example_chart("delivery"), &copy);
    let (out1, out2) = (dir.path().join("a"), dir.path().join("b"));
    let chart = example_chart("delivery");
    let (c1, p1) = run(&[
        "chart",
        "package",
        chart.to_str().unwrap(),
        "--version",
        "1.0.2",
        "-d",
        out1.to_str().unwrap(),
    ]);
    let (c2, p2) = run(&[
        "chart",
        "package",
        copy.to_str().unwrap(),
        "--version",
        "1.0.2",
        "-d",
        out2.to_str().unwrap(),
    ]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(p1["sha256"], p2["sha256"]);
    assert_eq!(p1["file_name"], "delivery-1.0.2.tgz");
    let b1 = std::fs::read(out1.join("delivery-1.0.2.tgz")).unwrap();
    let b2 = std::fs::read(out2.join("delivery-1.0.2.tgz")).unwrap();
    assert_eq!(b1, b2);

    let (code, inspected) = run(&[
        "chart",
        "inspect",
        out1.join("delivery-1.0.2.tgz").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(inspected["metadata"]["version"], "1.0.2");
    assert_eq!(inspected["metadata"]["appVersion"], "1.0.2");
    assert_eq!(inspected["sha256"], p1["sha256"]);
    let files: Vec<&str> = inspected["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"Chart.yaml") && files.contains(&"templates/deployment.yaml"),
        "{files:?}"
    );
}

#[test]
fn lint_passes_the_examples_and_fails_broken_charts() {
    for svc in [
        "delivery",
        "dronescheduler",
        "ingestion",
        "package",
        "workflow",
    ] {
        let (code, report) = run(&["chart", "lint", example_chart(svc).to_str().unwrap()]);
        assert_eq!(
            (code, &report["passed"]),
            (0, &Value::Bool(true)),
            "{svc}: {report}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("Chart.yaml"),
        "apiVersion: v2\nname: Bad_Name\nversion: \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), "image:\n  tag: latest\n").unwrap();
    let (code, report) = run(&["chart", "lint", dir.path().to_str().unwrap()]);
    assert_ne!(code, 0, "{report}");
}

#[test]
fn release_names_are_side_by_side_dns_labels() {
    let (code, names) = run(&[
        "chart",
        "release-name",
        "--service",
        "delivery",
        "--version",
        "1.0.2",
        "--env",
        "qa",
    ]);
    assert_eq!(code, 0);
    assert_eq!(names["release"], "delivery-v1-0-2-qa");
    let long = "a-very-long-service-name-that-goes-on-and-on";
    let (_, a) = run(&[
        "chart",
        "release-name",
        "--service",
        long,
        "--version",
        "10.20.30-rc.1",
        "--env",
        "staging",
    ]);
    let release = a["release"].as_str().unwrap();
    assert!(release.len() <= 53, "{release}");
    assert!(
        release
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    );
}
