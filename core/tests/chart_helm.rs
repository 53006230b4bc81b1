//! Cross-checks against the real `helm` 3 and 4 binaries: lint verdicts, packaged file lists,
//! `.helmignore` handling, and Helm accepting shiprail's packages.
//!
//! The binaries come from `SHIPRAIL_HELM3` and `SHIPRAIL_HELM4` (installed by
//! `tests/tools/install-helm.sh`). Unset, the tests fail, unless `SHIPRAIL_SKIP_REAL=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shiprail::chart::{
    ArchiveLimits, ChartArchive, ChartFile, LintOptions, LintRule, PackageOptions, Severity,
    lint_dir, package,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The helm binaries to check against: `(label, path)`; empty when skipping is allowed.
fn helms() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for (label, var) in [("helm3", "SHIPRAIL_HELM3"), ("helm4", "SHIPRAIL_HELM4")] {
        match std::env::var_os(var) {
            Some(path) if !path.is_empty() => out.push((label, PathBuf::from(path))),
            _ if std::env::var("SHIPRAIL_SKIP_REAL").as_deref() == Ok("1") => {}
            _ => panic!(
                "{var} is not set: run `tests/tools/install-helm.sh target/tools` and set \
                 {var}=target/tools/{label}, or set SHIPRAIL_SKIP_REAL=1 to skip the real-helm checks"
            ),
        }
    }
    out
}

/// Runs helm with an isolated home so no user configuration leaks in.
fn helm(bin: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .args(args)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env_remove("KUBECONFIG")
        .output()
        .expect("helm runs")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn example_charts() -> Vec<PathBuf> {
    let dir = repo_root().join("examples/drone-delivery/charts");
    let mut charts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    charts.sort();
    assert_eq!(charts.len(), 5, "the sample monorepo has five charts");
    charts
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A minimal chart directory with the given Chart.yaml.
fn chart_dir(root: &Path, name: &str, chart_yaml: &str) -> PathBuf {
    let dir = root.join(name);
    write(&dir, "Chart.yaml", chart_yaml);
    write(&dir, "values.yaml", "replicaCount: 1\n");
    write(
        &dir,
        "templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  a: \"1\"\n",
    );
    dir
}

/// Broken (and a few valid) Chart.yaml files: (label, Chart.yaml, passes `helm lint`).
const LINT_TABLE: &[(&str, &str, bool)] = &[
    (
        "valid",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: \"1.0.0\"\n",
        true,
    ),
    (
        "version is a number",
        "apiVersion: v2\nname: c\nversion: 1.0\n",
        false,
    ),
    (
        "appVersion is a number",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: 1.10\n",
        false,
    ),
    (
        "appVersion is a YAML 1.1 boolean",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: on\n",
        false,
    ),
    (
        "appVersion is null",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion:\n",
        false,
    ),
    (
        "version with leading-zero pre-release",
        "apiVersion: v2\nname: c\nversion: 1.0.0-01\n",
        false,
    ),
    (
        "version 0.0.0-0",
        "apiVersion: v2\nname: c\nversion: 0.0.0-0\n",
        false,
    ),
    (
        "version with four parts",
        "apiVersion: v2\nname: c\nversion: 1.2.3.4\n",
        false,
    ),
    (
        "lenient version v1.0",
        "apiVersion: v2\nname: c\nversion: v1.0\n",
        true,
    ),
    ("missing version", "apiVersion: v2\nname: c\n", false),
    ("missing name", "apiVersion: v2\nversion: 1.0.0\n", false),
    (
        "name with a path",
        "apiVersion: v2\nname: ../c\nversion: 1.0.0\n",
        false,
    ),
    (
        "upper-case name (newer Helm refuses)",
        "apiVersion: v2\nname: MyChart\nversion: 1.0.0\n",
        true,
    ),
    (
        "apiVersion v3",
        "apiVersion: v3\nname: c\nversion: 1.0.0\n",
        false,
    ),
    ("missing apiVersion", "name: c\nversion: 1.0.0\n", false),
    (
        "type in a v1 chart",
        "apiVersion: v1\nname: c\nversion: 1.0.0\ntype: application\n",
        false,
    ),
    (
        "unknown type",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: service\n",
        false,
    ),
    (
        "dependencies in a v1 chart",
        "apiVersion: v1\nname: c\nversion: 1.0.0\ndependencies:\n- name: d\n  version: 1.0.0\n  repository: https://x.io\n",
        false,
    ),
    (
        "duplicate dependency",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: d\n  version: 1.0.0\n- name: d\n  version: 1.0.0\n",
        false,
    ),
    (
        "dependency alias with a dot",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: d\n  alias: d.x\n",
        false,
    ),
    (
        "distinct aliases (missing charts only warn)",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: d\n- name: d\n  alias: e\n",
        true,
    ),
    (
        "maintainer without a name",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nmaintainers:\n- email: a@b.io\n",
        false,
    ),
    (
        "maintainer with a bad e-mail",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nmaintainers:\n- name: a\n  email: a@localhost\n",
        false,
    ),
    (
        "maintainer with a bad url",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nmaintainers:\n- name: a\n  url: nope\n",
        false,
    ),
    (
        "empty maintainer",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nmaintainers:\n- ~\n",
        false,
    ),
    (
        "relative icon",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nicon: /icon.png\n",
        false,
    ),
    (
        "data icon",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nicon: \"data:image/png;base64,AAAA\"\n",
        true,
    ),
    (
        "source without scheme",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nsources:\n- github.com/x/y\n",
        false,
    ),
    (
        "keywords as a string",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nkeywords: drones\n",
        false,
    ),
    (
        "deprecated as a string",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndeprecated: \"yes\"\n",
        false,
    ),
    (
        "unknown field (Helm 4 warns)",
        "apiVersion: v2\nname: c\nversion: 1.0.0\nowner: drones\n",
        true,
    ),
    (
        "malformed YAML",
        "apiVersion: v2\nname: c\nversion: [1.0.0\n",
        false,
    ),
    ("a list, not a mapping", "- apiVersion: v2\n", false),
];

/// Whether shiprail's lint passes on Helm's own rules (shiprail's release rules left out).
fn shiprail_passes(dir: &Path) -> (bool, Vec<String>) {
    let report = lint_dir(dir, &LintOptions::default()).unwrap();
    let own = [
        LintRule::VersionNotHigher,
        LintRule::AppVersionPolicy,
        LintRule::MutableImageTag,
        LintRule::ImageTagPolicy,
        LintRule::ImageUntagged,
    ];
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !own.contains(&f.rule))
        .map(ToString::to_string)
        .collect();
    (errors.is_empty(), errors)
}

#[test]
fn lint_verdicts_match_helm() {
    assert!(LINT_TABLE.len() >= 15);
    let tmp = tempfile::tempdir().unwrap();
    let helms = helms();
    let mut failures = Vec::new();
    for (i, (label, chart_yaml, want)) in LINT_TABLE.iter().enumerate() {
        let dir = chart_dir(tmp.path(), &format!("c{i}"), chart_yaml);
        let (ours, errors) = shiprail_passes(&dir);
        if ours != *want {
            failures.push(format!(
                "{label}: shiprail passed={ours}, table says {want}: {errors:?}"
            ));
        }
        for (helm_label, bin) in &helms {
            let out = helm(bin, tmp.path(), &["lint", dir.to_str().unwrap()]);
            let theirs = out.status.success();
            if theirs != ours {
                failures.push(format!(
                    "{label}: shiprail passed={ours}, {helm_label} passed={theirs}\n{}",
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The file list and Chart.yaml of a `.tgz`, read with shiprail's loader.
fn archive_contents(path: &Path) -> (BTreeSet<String>, ChartFile) {
    let archive = ChartArchive::open(path, &ArchiveLimits::default()).unwrap();
    let files = archive
        .files()
        .iter()
        .map(|f| format!("{}/{}", archive.root(), f.path))
        .collect();
    (files, archive.chart().clone())
}

fn helm_package(bin: &Path, home: &Path, dir: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "package",
        dir.to_str().unwrap(),
        "-d",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let result = helm(bin, home, &args);
    assert!(
        result.status.success(),
        "helm package {}: {}",
        dir.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .unwrap()
}

/// Packages `dir` with shiprail and every helm and compares file lists and Chart.yaml values.
fn compare_packages(dir: &Path, version: Option<&str>, app_version: Option<&str>) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let options = PackageOptions {
        version: version.map(|v| v.parse().unwrap()),
        app_version: app_version.map(str::to_string),
        ..PackageOptions::default()
    };
    let ours = package(dir, &options).unwrap();
    let our_path = ours.write_to(tmp.path().join("ours")).unwrap();
    let (our_files, our_chart) = archive_contents(&our_path);
    assert_eq!(
        our_files,
        ours.files.iter().cloned().collect::<BTreeSet<_>>()
    );
    let mut extra: Vec<&str> = Vec::new();
    if let Some(v) = version {
        extra.extend(["--version", v]);
    }
    if let Some(a) = app_version {
        extra.extend(["--app-version", a]);
    }
    let mut failures = Vec::new();
    for (label, bin) in helms() {
        let out = tmp.path().join(label);
        let theirs = helm_package(&bin, tmp.path(), dir, &out, &extra);
        assert_eq!(
            theirs.file_name().unwrap().to_str().unwrap(),
            ours.file_name,
            "{label} names the package differently"
        );
        let (their_files, their_chart) = archive_contents(&theirs);
        if their_files != our_files {
            failures.push(format!(
                "{} ({label}): only shiprail: {:?}; only helm: {:?}",
                dir.display(),
                our_files.difference(&their_files).collect::<Vec<_>>(),
                their_files.difference(&our_files).collect::<Vec<_>>()
            ));
        }
        // Helm re-serializes Chart.yaml (dropping comments and unknown fields); the values
        // must agree.
        let mut ours_md = our_chart.metadata().clone();
        ours_md.extra.clear();
        if &ours_md != their_chart.metadata() {
            failures.push(format!(
                "{} ({label}): Chart.yaml differs:\nshiprail {:?}\nhelm     {:?}",
                dir.display(),
                ours_md,
                their_chart.metadata()
            ));
        }
    }
    failures
}

#[test]
fn example_packages_match_helm_package() {
    let mut failures = Vec::new();
    for chart in example_charts() {
        failures.extend(compare_packages(&chart, Some("1.0.2"), Some("1.0.2")));
        failures.extend(compare_packages(&chart, None, None));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn helmignore_and_subcharts_match_helm_package() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // A subchart packaged by shiprail, placed as a .tgz dependency.
    let sub = chart_dir(
        root,
        "sub",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n# kept\nx-note: kept\n",
    );
    write(&sub, "templates/.hidden", "not a template\n");
    let sub_pkg = package(&sub, &PackageOptions::default()).unwrap();
    let umbrella = chart_dir(
        root,
        "umbrella",
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://../sub\n- name: inline\n  version: 0.2.0\n  repository: file://../inline\n",
    );
    sub_pkg.write_to(umbrella.join("charts")).unwrap();
    let inline = umbrella.join("charts/inline");
    write(
        &inline,
        "Chart.yaml",
        "apiVersion: v2\nname: inline\nversion: 0.2.0\n",
    );
    write(
        &inline,
        "templates/.dot",
        "kept: helm's default rule only covers the top-level templates/\n",
    );
    write(&inline, "values.yaml", "a: 1\n");
    write(&umbrella, "charts/_scratch/notes.txt", "dropped\n");
    write(&umbrella, "charts/.cache", "dropped\n");
    write(
        &umbrella,
        "templates/.editorconfig",
        "dropped by the default rule\n",
    );
    write(&umbrella, "templates/NOTES.txt", "kept\n");
    write(&umbrella, "docs/guide.md", "ignored by *.md\n");
    write(&umbrella, "docs/keep.txt", "kept\n");
    write(&umbrella, "ci/values.yaml", "ignored dir\n");
    write(&umbrella, "deep/ci/x.yaml", "ignored dir at depth\n");
    write(&umbrella, "notes.txt", "ignored by /notes.txt\n");
    write(&umbrella, "docs/notes.txt", "kept: /notes.txt is rooted\n");
    write(&umbrella, "files/a.bak", "ignored\n");
    write(&umbrella, "files/[weird] name.txt", "kept\n");
    std::fs::write(umbrella.join("files/bom.yaml"), "\u{feff}a: 1\n").unwrap();
    write(
        &umbrella,
        ".helmignore",
        "# comment\n*.md\nci/\n/notes.txt\nfiles/*.bak\n  \n",
    );
    let mut failures = compare_packages(&umbrella, Some("1.0.1"), Some("1.0.1"));
    // A negated rule: Helm ignores every path the rule does not match.
    let negated = chart_dir(
        root,
        "negated",
        "apiVersion: v2\nname: negated\nversion: 1.0.0\n",
    );
    write(&negated, "keep.txt", "kept\n");
    write(&negated, "other.txt", "ignored\n");
    write(&negated, ".helmignore", "!*.yaml\n");
    failures.extend(compare_packages(&negated, None, None));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn helm_accepts_shiprail_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for chart in example_charts() {
        let name = chart.file_name().unwrap().to_str().unwrap().to_string();
        let options = PackageOptions {
            version: Some("1.0.2".parse().unwrap()),
            app_version: Some("1.0.2".to_string()),
            ..PackageOptions::default()
        };
        let pkg = package(&chart, &options).unwrap();
        let path = pkg.write_to(tmp.path().join("dist")).unwrap();
        let path = path.to_str().unwrap();
        for (label, bin) in helms() {
            let lint = helm(&bin, tmp.path(), &["lint", path]);
            if !lint.status.success() {
                failures.push(format!(
                    "{label} lint {name}: {}",
                    String::from_utf8_lossy(&lint.stdout)
                ));
            }
            let template = helm(&bin, tmp.path(), &["template", "delivery-v1-0-2", path]);
            if !template.status.success() {
                failures.push(format!(
                    "{label} template {name}: {}",
                    String::from_utf8_lossy(&template.stderr)
                ));
            } else if !String::from_utf8_lossy(&template.stdout).contains("kind: Deployment") {
                failures.push(format!("{label} template {name}: no Deployment rendered"));
            }
            let show = helm(&bin, tmp.path(), &["show", "chart", path]);
            let shown = ChartFile::from_bytes(&show.stdout).unwrap();
            let md = shown.metadata();
            if (md.version.as_str(), md.app_version.as_deref()) != ("1.0.2", Some("1.0.2")) {
                failures.push(format!("{label} show chart {name}: {md:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every `chart.lint_rules` vector of tests/conformance/chart_lint.json that helm can check
/// alone (no released versions, policy or subcharts) gets helm's verdict on Helm's own rules.
#[test]
fn lint_vectors_match_helm() {
    let helms = helms();
    let text =
        std::fs::read_to_string(repo_root().join("tests/conformance/chart_lint.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shiprail_rules = [
        "version_not_higher",
        "app_version_policy",
        "mutable_image_tag",
        "image_tag_policy",
        "image_untagged",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (i, case) in file["cases"].as_array().unwrap().iter().enumerate() {
        let args = &case["args"];
        if case["op"] != "chart.lint_rules"
            || ["released", "policy", "subcharts"]
                .iter()
                .any(|k| args.get(*k).is_some())
        {
            continue;
        }
        let dir = tmp.path().join(format!("v{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(chart) = args["chart_yaml"].as_str() {
            write(&dir, "Chart.yaml", chart);
        }
        match args.get("values_yaml") {
            None => write(&dir, "values.yaml", "a: 1\n"),
            Some(serde_json::Value::Null) => {}
            Some(v) => write(&dir, "values.yaml", v.as_str().unwrap()),
        }
        if let Some(schema) = args["values_schema"].as_str() {
            write(&dir, "values.schema.json", schema);
        }
        match args["templates"].as_str() {
            Some("missing") => {}
            Some("file") => write(&dir, "templates", "not a directory\n"),
            _ => write(
                &dir,
                "templates/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            ),
        }
        let helm_pass = !case["ok"]["rules"].as_array().unwrap().iter().any(|r| {
            let r = r.as_str().unwrap();
            r.starts_with("error ") && !shiprail_rules.contains(&&r["error ".len()..])
        });
        checked += 1;
        for (label, bin) in &helms {
            // Helm 3.19 only warns about a `templates` file; Helm 4 (and shiprail) refuse it.
            let helm_pass =
                helm_pass || (*label == "helm3" && case["name"] == "templates is a file");
            let out = helm(bin, tmp.path(), &["lint", dir.to_str().unwrap()]);
            if out.status.success() != helm_pass {
                failures.push(format!(
                    "{}: vector implies helm passes={helm_pass}, {label} passed={}\n{}",
                    case["name"],
                    out.status.success(),
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
        }
    }
    assert!(checked >= 60, "only {checked} vectors checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
