//! Packaging: reproducibility, normalised entries, overrides, the directory walk, and inputs
//! that must not make any chart operation panic.
#![allow(clippy::unwrap_used)]

use shiprail::chart::{
    ArchiveLimits, ChartArchive, ChartFile, HelmIgnore, LintInput, LintOptions, PackageOptions,
    lint, lint_dir, package, release_names, rewrite_dependency_version, rewrite_versions,
    write_dependency_version, write_versions,
};
use std::io::Read;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn delivery() -> PathBuf {
    repo_root().join("examples/drone-delivery/charts/delivery")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn release(version: &str) -> PackageOptions {
    PackageOptions {
        version: Some(version.parse().unwrap()),
        app_version: Some(version.to_string()),
        ..PackageOptions::default()
    }
}

#[test]
fn packaging_twice_gives_the_same_bytes() {
    let a = package(delivery(), &release("1.0.2")).unwrap();
    let b = package(delivery(), &release("1.0.2")).unwrap();
    assert_eq!(a.bytes(), b.bytes());
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(a.sha256.len(), 64);
    assert_eq!(a.digest(), format!("sha256:{}", a.sha256));
    // A copy of the chart elsewhere, with other timestamps and permissions, packs the same.
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("delivery");
    copy_dir(&delivery(), &copy);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            copy.join("values.yaml"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let c = package(&copy, &release("1.0.2")).unwrap();
    assert_eq!(a.sha256, c.sha256);
    // Another mtime is another archive.
    let d = package(
        delivery(),
        &PackageOptions {
            mtime: 1_700_000_000,
            ..release("1.0.2")
        },
    )
    .unwrap();
    assert_ne!(a.sha256, d.sha256);
    let path = a.write_to(tmp.path().join("dist")).unwrap();
    assert_eq!(path.file_name().unwrap(), "delivery-1.0.2.tgz");
    assert_eq!(std::fs::read(&path).unwrap(), a.bytes());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn entries_are_normalised() {
    let pkg = package(delivery(), &release("1.0.2")).unwrap();
    let bytes = pkg.bytes();
    // gzip: no file name, no timestamp, OS "unknown".
    assert_eq!(&bytes[..4], &[0x1f, 0x8b, 0x08, 0x00]);
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
    assert_eq!(bytes[9], 255);
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut names = Vec::new();
    for entry in tar.entries().unwrap() {
        let entry = entry.unwrap();
        let h = entry.header();
        assert_eq!(h.entry_type(), tar::EntryType::Regular);
        assert_eq!(h.mode().unwrap(), 0o644);
        assert_eq!(
            (h.uid().unwrap(), h.gid().unwrap(), h.mtime().unwrap()),
            (0, 0, 0)
        );
        assert_eq!(h.username().unwrap(), Some(""));
        names.push(entry.path().unwrap().display().to_string());
    }
    assert_eq!(names, pkg.files);
    assert_eq!(
        names,
        [
            "delivery/Chart.yaml",
            "delivery/.helmignore",
            "delivery/templates/NOTES.txt",
            "delivery/templates/_helpers.tpl",
            "delivery/templates/deployment.yaml",
            "delivery/templates/service.yaml",
            "delivery/values.yaml",
        ]
    );
}

#[test]
fn the_archived_chart_yaml_carries_the_overrides_and_keeps_the_rest() {
    let pkg = package(delivery(), &release("1.0.2")).unwrap();
    let archive = ChartArchive::read(pkg.bytes(), &ArchiveLimits::default()).unwrap();
    let original = std::fs::read_to_string(delivery().join("Chart.yaml")).unwrap();
    let archived = std::str::from_utf8(archive.file("Chart.yaml").unwrap()).unwrap();
    let expected = original
        .replace("version: 0.1.0\n", "version: 1.0.2\n")
        .replace("appVersion: \"0.1.0\"\n", "appVersion: \"1.0.2\"\n");
    assert_eq!(archived, expected);
    assert_eq!(pkg.file_name, "delivery-1.0.2.tgz");
    assert_eq!(
        (pkg.version.as_str(), pkg.app_version.as_deref()),
        ("1.0.2", Some("1.0.2"))
    );
    // The chart directory itself is untouched.
    assert_eq!(
        std::fs::read_to_string(delivery().join("Chart.yaml")).unwrap(),
        original
    );
    let no_override = package(delivery(), &PackageOptions::default()).unwrap();
    assert_eq!(no_override.file_name, "delivery-0.1.0.tgz");
}

#[test]
fn the_walk_follows_links_and_refuses_what_helm_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(tmp.path(), "shared/_helpers.tpl", "{{/* shared */}}\n");
    #[cfg(unix)]
    {
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::os::unix::fs::symlink(
            tmp.path().join("shared/_helpers.tpl"),
            dir.join("templates/_helpers.tpl"),
        )
        .unwrap();
        std::os::unix::fs::symlink(tmp.path().join("shared"), dir.join("linked")).unwrap();
        let pkg = package(&dir, &PackageOptions::default()).unwrap();
        assert_eq!(
            pkg.files,
            [
                "c/Chart.yaml",
                "c/linked/_helpers.tpl",
                "c/templates/_helpers.tpl"
            ]
        );
        // A link loop is an error, not a hang.
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        let err = package(&dir, &PackageOptions::default()).unwrap_err();
        assert!(err.to_string().contains("symbolic link loop"), "{err}");
        std::fs::remove_file(dir.join("loop")).unwrap();
        // ... unless ignored.
        std::os::unix::fs::symlink(tmp.path().join("missing"), dir.join("dangling")).unwrap();
        assert_eq!(
            package(&dir, &PackageOptions::default())
                .unwrap_err()
                .code(),
            "io"
        );
        write(&dir, ".helmignore", "dangling\n");
        assert!(package(&dir, &PackageOptions::default()).is_ok());
        // A fifo is refused.
        let status = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe"))
            .status();
        if status.is_ok_and(|s| s.success()) {
            let err = package(&dir, &PackageOptions::default()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "cannot package irregular file `pipe` (a device, fifo or socket)"
            );
        }
    }
}

#[test]
fn package_refusals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: service\n",
    );
    let err = package(&dir, &PackageOptions::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_chart");
    assert!(
        err.to_string().ends_with(
            "Chart.yaml:4:7: chart type `service` is not valid: it must be application or library"
        ),
        "{err}"
    );
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(&dir, "values.schema.json", "{");
    assert_eq!(
        package(&dir, &PackageOptions::default())
            .unwrap_err()
            .to_string(),
        "Invalid JSON in values.schema.json"
    );
    std::fs::remove_file(dir.join("values.schema.json")).unwrap();
    write(&dir, "charts/README.md", "not a chart\n");
    let err = package(&dir, &PackageOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "subchart `charts/README.md`: Chart.yaml file is missing"
    );
    std::fs::remove_file(dir.join("charts/README.md")).unwrap();
    write(&dir, ".helmignore", "a/**/b\n");
    assert_eq!(
        package(&dir, &PackageOptions::default())
            .unwrap_err()
            .code(),
        "invalid_pattern"
    );
    std::fs::remove_file(dir.join(".helmignore")).unwrap();
    write(&dir, "big.bin", &"x".repeat(2048));
    let limits = ArchiveLimits {
        max_file_size: 1024,
        ..ArchiveLimits::default()
    };
    let err = package(
        &dir,
        &PackageOptions {
            limits,
            ..PackageOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "unsafe_archive");
    let err = package(tmp.path().join("nope"), &PackageOptions::default()).unwrap_err();
    assert_eq!(err.code(), "io");
}

#[test]
fn versions_are_written_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("delivery");
    copy_dir(&delivery(), &dir);
    let change = write_versions(&dir, Some(&"1.0.2".parse().unwrap()), Some("1.0.2")).unwrap();
    assert!(change.changed);
    assert_eq!(change.previous_version.as_deref(), Some("0.1.0"));
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();
    assert!(text.contains("# The release pipeline rewrites both fields"));
    assert!(text.contains("\nversion: 1.0.2\nappVersion: \"1.0.2\"\n"));
    let again = write_versions(&dir, Some(&"1.0.2".parse().unwrap()), Some("1.0.2")).unwrap();
    assert!(!again.changed);
    let report = lint_dir(&dir, &LintOptions::default()).unwrap();
    assert!(report.passed(), "{report:?}");
    // values.yaml still pins v0.1.0: a warning that the image tag lags behind.
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule.id() == "image_tag_policy")
    );

    let umbrella = tmp.path().join("umbrella");
    write(
        &umbrella,
        "Chart.yaml",
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: delivery # the service\n    version: \"0.1.0\"\n    repository: oci://myrepo.azurecr.io/helm\n",
    );
    let change = write_dependency_version(&umbrella, "delivery", "1.0.2").unwrap();
    assert_eq!(
        (
            change.previous_version.as_deref(),
            change.version.as_deref()
        ),
        (Some("0.1.0"), Some("1.0.2"))
    );
    let text = std::fs::read_to_string(umbrella.join("Chart.yaml")).unwrap();
    assert!(
        text.contains("  - name: delivery # the service\n    version: \"1.0.2\"\n"),
        "{text}"
    );
}

#[test]
fn lint_dir_reads_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("umbrella");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\nappVersion: \"1.0.0\"\nicon: https://x.io/i.png\ndependencies:\n- name: sub\n  version: 0.1.0\n",
    );
    write(&dir, "values.yaml", "a: 1\n");
    write(&dir, "templates/cm.yaml", "kind: ConfigMap\n");
    write(
        &dir,
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    );
    let rules = |dir: &Path| -> Vec<String> {
        lint_dir(dir, &LintOptions::default())
            .unwrap()
            .findings
            .iter()
            .map(|f| format!("{} {}", f.rule, f.file))
            .collect()
    };
    assert_eq!(rules(&dir), Vec::<String>::new());
    write(&dir, "charts/README.md", "not a chart\n");
    assert_eq!(rules(&dir), ["subchart_invalid charts/"]);
    write(&dir, ".helmignore", "README.md\n");
    assert_eq!(rules(&dir), Vec::<String>::new());
    write(&dir, ".helmignore", "a/**/b\n");
    assert_eq!(rules(&dir), ["chart_files .helmignore"]);
    std::fs::remove_file(dir.join(".helmignore")).unwrap();
    std::fs::remove_file(dir.join("charts/README.md")).unwrap();
    // A broken Chart.yaml is reported once, by its own rule.
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0-01\n",
    );
    let found = rules(&dir);
    assert!(
        found.contains(&"version_semver Chart.yaml".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.starts_with("subchart_invalid")),
        "{found:?}"
    );
    std::fs::remove_dir_all(dir.join("charts")).unwrap();
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\nappVersion: \"1.0.0\"\nicon: https://x.io/i.png\n",
    );
    let missing = tmp.path().join("missing");
    std::fs::create_dir_all(missing.join("Chart.yaml")).unwrap();
    assert_eq!(
        rules(&missing),
        [
            "chart_yaml_missing Chart.yaml",
            "values_missing values.yaml",
            "templates_missing templates/"
        ]
    );
    assert_eq!(
        lint_dir(tmp.path().join("nope"), &LintOptions::default())
            .unwrap_err()
            .code(),
        "io"
    );
}

/// A tiny deterministic generator (no external randomness in tests).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let pieces = [
        "apiVersion: v2\n",
        "name: ",
        "version: ",
        "appVersion: ",
        "1.0.0",
        "1.0",
        "yes",
        "~",
        "- ",
        "  ",
        "\n",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "<<: ",
        "\"",
        "'",
        "|\n",
        ">-\n",
        "#",
        ":",
        "\t",
        "\u{0}",
        "\u{1b}",
        "é",
        "\u{feff}",
        "!!str ",
        "!!int ",
        "dependencies:\n",
        "maintainers:\n",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "? ",
        "0x1F",
        "-.inf",
        "a: b: c",
        "\\",
        "\r\n",
    ];
    let mut rng = Lcg(42);
    let version = "1.0.2".parse().unwrap();
    for _ in 0..3000 {
        let n = (rng.next() % 24) as usize;
        let text: String = (0..n).map(|_| rng.pick(&pieces)).collect();
        let _ = ChartFile::parse(&text).map(|f| f.validate());
        let _ = rewrite_versions(&text, Some(&version), Some("1.0.2"));
        let _ = rewrite_dependency_version(&text, "a", "~1.0.0");
        let _ = HelmIgnore::parse(&text).map(|i| i.is_ignored(&text, true));
        let _ = release_names(&text, &version, Some(&text));
        let input = LintInput {
            chart_yaml: Some(text.clone()),
            values_yaml: Some(text.clone()),
            values_schema: Some(text.clone()),
            ..LintInput::default()
        };
        let _ = lint(&input, &LintOptions::default());
        let _ = ChartArchive::read(text.as_bytes(), &ArchiveLimits::default());
    }
    // Large inputs.
    let huge = format!(
        "name: {}\nversion: {}\n",
        "a".repeat(1 << 20),
        "9".repeat(1 << 16)
    );
    let file = ChartFile::parse(&huge).unwrap();
    assert!(file.validate().is_err());
    let names = release_names(&"a".repeat(1 << 20), &version, Some(&"b".repeat(1 << 20))).unwrap();
    assert!(names.release.len() <= 53);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let _ = ChartFile::parse(&deep);
    let mut sink = Vec::new();
    let _ = std::io::repeat(0).take(16).read_to_end(&mut sink);
}
