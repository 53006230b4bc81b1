//! Charts in real OCI registries, cross-checked with the real `helm` 3 and 4 binaries: what
//! shiprail pushes, helm pulls byte for byte (and helm's own push of the same archive and time
//! gives the same manifest digest); what helm pushes, shiprail lists, pulls and loads; the TLS
//! registry with basic auth works both ways; a wrong password is `registry_unauthorized`.
//!
//! Needs the registries of `bash tests/services/registry.sh start DIR` (`SHIPRAIL_REGISTRY_ENV
//! =DIR/env`) and helm from `tests/tools/install-helm.sh` (`SHIPRAIL_HELM3`, `SHIPRAIL_HELM4`);
//! without them the tests fail, unless `SHIPRAIL_SKIP_REAL=1`.
#![cfg(feature = "registry")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shiprail::chart::{ArchiveLimits, ChartReference, PackageOptions, package};
use shiprail::registry::{ChartPushOptions, Credentials, RegistryClient, RegistryOptions};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Env(HashMap<String, String>);

impl Env {
    fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing from SHIPRAIL_REGISTRY_ENV"))
    }

    fn options(&self, password: &str) -> RegistryOptions {
        let mut options = RegistryOptions {
            ca_files: vec![PathBuf::from(self.get("SHIPRAIL_REGISTRY_CA"))],
            ..RegistryOptions::default()
        };
        options.credentials.insert(
            self.get("SHIPRAIL_REGISTRY_TLS").to_string(),
            Credentials::basic(self.get("SHIPRAIL_REGISTRY_USER"), password),
        );
        options
    }

    fn client(&self) -> RegistryClient {
        RegistryClient::new(self.options(self.get("SHIPRAIL_REGISTRY_PASSWORD"))).unwrap()
    }
}

fn real() -> Option<(Env, Vec<(&'static str, PathBuf)>)> {
    let skip = std::env::var("SHIPRAIL_SKIP_REAL").as_deref() == Ok("1");
    let path = match std::env::var("SHIPRAIL_REGISTRY_ENV") {
        Ok(path) if !path.is_empty() => path,
        _ if skip => return None,
        _ => panic!(
            "SHIPRAIL_REGISTRY_ENV is not set: run `bash tests/services/registry.sh start DIR` and \
             set SHIPRAIL_REGISTRY_ENV=DIR/env (or SHIPRAIL_SKIP_REAL=1 to skip)"
        ),
    };
    let mut helms = Vec::new();
    for (label, var) in [("helm3", "SHIPRAIL_HELM3"), ("helm4", "SHIPRAIL_HELM4")] {
        match std::env::var_os(var) {
            Some(p) if !p.is_empty() => helms.push((label, PathBuf::from(p))),
            _ if skip => return None,
            _ => panic!(
                "{var} is not set: run `tests/tools/install-helm.sh target/tools` and set \
                 {var}=target/tools/{label} (or SHIPRAIL_SKIP_REAL=1 to skip)"
            ),
        }
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let env = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Some((Env(env), helms))
}

/// A repository path no other test (or run) uses.
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("charts{}-{nanos}/{name}", std::process::id())
}

/// Runs helm with an isolated home; returns stdout+stderr, panicking on failure.
fn helm(bin: &Path, home: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(bin)
        .args(args)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("TZ", "UTC")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("helm runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "helm {args:?} failed: {text}");
    text
}

fn delivery_chart(version: &str) -> shiprail::chart::ChartPackage {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/charts/delivery");
    let options = PackageOptions {
        version: Some(version.parse().unwrap()),
        app_version: Some(version.to_string()),
        ..PackageOptions::default()
    };
    package(dir, &options).unwrap()
}

fn chart_ref(registry: &str, path: &str) -> ChartReference {
    format!("oci://{registry}/{path}").parse().unwrap()
}

#[tokio::test]
async fn shiprail_push_is_pulled_byte_identical_by_helm_3_and_4() {
    let Some((env, helms)) = real() else { return };
    let client = env.client();
    let plain = env.get("SHIPRAIL_REGISTRY_PLAIN");
    let base = unique("release");
    let pkg = delivery_chart("1.0.2+build.7");
    let pushed = client
        .push_chart(
            pkg.bytes(),
            &chart_ref(plain, &base),
            &ChartPushOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(pushed.tag, "1.0.2_build.7");
    assert_eq!(
        pushed.reference.to_string(),
        format!("oci://{plain}/{base}/delivery:1.0.2_build.7")
    );
    assert_eq!(pushed.chart_digest.hex(), pkg.sha256);
    assert!(!pushed.already_pushed);
    for (label, bin) in &helms {
        let home = tempfile::tempdir().unwrap();
        let out = home.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let reference = format!("oci://{plain}/{base}/delivery");
        let text = helm(
            bin,
            home.path(),
            &[
                "pull",
                &reference,
                "--version",
                "1.0.2+build.7",
                "--plain-http",
                "-d",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert!(text.contains(pushed.digest.as_str()), "{label}: {text}");
        let pulled = std::fs::read(out.join("delivery-1.0.2+build.7.tgz")).unwrap();
        assert!(
            pulled == pkg.bytes(),
            "{label}: helm pulled other bytes than shiprail pushed"
        );
        let shown = helm(
            bin,
            home.path(),
            &[
                "show",
                "chart",
                &reference,
                "--version",
                "1.0.2+build.7",
                "--plain-http",
            ],
            None,
        );
        assert!(shown.contains("version: 1.0.2+build.7"), "{label}: {shown}");
    }
    // The same archive again: nothing written.
    let again = client
        .push_chart(
            pkg.bytes(),
            &chart_ref(plain, &base),
            &ChartPushOptions::default(),
        )
        .await
        .unwrap();
    assert!(again.already_pushed);
    assert_eq!(again.digest, pushed.digest);
}

#[tokio::test]
async fn manifest_is_byte_identical_to_helm_push_of_the_same_archive_and_time() {
    let Some((env, helms)) = real() else { return };
    let client = env.client();
    let plain = env.get("SHIPRAIL_REGISTRY_PLAIN");
    let pkg = delivery_chart("2.3.4");
    let work = tempfile::tempdir().unwrap();
    let path = pkg.write_to(work.path()).unwrap();
    // Helm stamps `created` with the archive's modification time.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_934_245))
        .unwrap();
    drop(file);
    let ours = client
        .push_chart(
            pkg.bytes(),
            &chart_ref(plain, &unique("shiprail")),
            &ChartPushOptions {
                created: Some("2020-01-02T03:04:05Z".into()),
                ..ChartPushOptions::default()
            },
        )
        .await
        .unwrap();
    for (label, bin) in &helms {
        let home = tempfile::tempdir().unwrap();
        let target = format!(
            "oci://{plain}/{}",
            unique(label).rsplit_once('/').unwrap().0
        );
        let text = helm(
            bin,
            home.path(),
            &["push", path.to_str().unwrap(), &target, "--plain-http"],
            None,
        );
        assert!(
            text.contains(&format!("Digest: {}", ours.digest)),
            "{label} pushed another manifest than shiprail ({}): {text}",
            ours.digest
        );
    }
}

#[tokio::test]
async fn helm_pushed_chart_is_listed_pulled_and_loaded() {
    let Some((env, helms)) = real() else { return };
    let client = env.client();
    let plain = env.get("SHIPRAIL_REGISTRY_PLAIN");
    let work = tempfile::tempdir().unwrap();
    for (label, bin) in &helms {
        let home = tempfile::tempdir().unwrap();
        let repo = unique(label);
        let parent = repo.rsplit_once('/').unwrap().0.to_string();
        let mut files = Vec::new();
        for version in ["1.0.2", "1.0.3-rc.1+build.2", "0.9.0"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../examples/drone-delivery/charts/delivery");
            let out = work.path().join(label).join(version);
            helm(
                bin,
                home.path(),
                &[
                    "package",
                    dir.to_str().unwrap(),
                    "--version",
                    version,
                    "-d",
                    out.to_str().unwrap(),
                ],
                None,
            );
            let path = out.join(format!("delivery-{version}.tgz"));
            helm(
                bin,
                home.path(),
                &[
                    "push",
                    path.to_str().unwrap(),
                    &format!("oci://{plain}/{parent}"),
                    "--plain-http",
                ],
                None,
            );
            files.push((version, std::fs::read(&path).unwrap()));
        }
        let reference = chart_ref(plain, &format!("{parent}/delivery"));
        let versions = client.chart_versions(&reference).await.unwrap();
        assert_eq!(
            versions,
            ["1.0.3-rc.1+build.2", "1.0.2", "0.9.0"],
            "{label}"
        );
        for (version, bytes) in &files {
            let pulled = client
                .pull_chart(&reference, Some(version), &ArchiveLimits::default())
                .await
                .unwrap();
            assert!(
                pulled.bytes() == bytes.as_slice(),
                "{label} {version}: other bytes"
            );
            assert_eq!(pulled.metadata.name, "delivery");
            assert_eq!(pulled.version, *version);
            let written = pulled.write_to(work.path().join("pulled")).unwrap();
            assert_eq!(
                written.file_name().unwrap().to_str().unwrap(),
                format!("delivery-{version}.tgz")
            );
            assert_eq!(std::fs::read(written).unwrap(), *bytes);
        }
        // No version: the highest, as helm does.
        let highest = client
            .pull_chart(&reference, None, &ArchiveLimits::default())
            .await
            .unwrap();
        assert_eq!(highest.version, "1.0.3-rc.1+build.2");
    }
}

#[tokio::test]
async fn tls_registry_with_basic_auth_both_ways() {
    let Some((env, helms)) = real() else { return };
    let client = env.client();
    let tls = env.get("SHIPRAIL_REGISTRY_TLS");
    let base = unique("tls");
    let pkg = delivery_chart("3.0.0");
    let pushed = client
        .push_chart(
            pkg.bytes(),
            &chart_ref(tls, &base),
            &ChartPushOptions::default(),
        )
        .await
        .unwrap();
    let reference = chart_ref(tls, &format!("{base}/delivery"));
    let pulled = client
        .pull_chart(&reference, Some("3.0.0"), &ArchiveLimits::default())
        .await
        .unwrap();
    assert!(pulled.bytes() == pkg.bytes());
    assert_eq!(pulled.digest, pushed.digest);
    assert_eq!(client.chart_versions(&reference).await.unwrap(), ["3.0.0"]);
    let ca = env.get("SHIPRAIL_REGISTRY_CA");
    for (label, bin) in &helms {
        let home = tempfile::tempdir().unwrap();
        helm(
            bin,
            home.path(),
            &[
                "registry",
                "login",
                tls,
                "--username",
                env.get("SHIPRAIL_REGISTRY_USER"),
                "--password-stdin",
                "--ca-file",
                ca,
            ],
            Some(env.get("SHIPRAIL_REGISTRY_PASSWORD")),
        );
        let out = home.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        helm(
            bin,
            home.path(),
            &[
                "pull",
                &format!("oci://{tls}/{base}/delivery"),
                "--version",
                "3.0.0",
                "--ca-file",
                ca,
                "-d",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert!(
            std::fs::read(out.join("delivery-3.0.0.tgz")).unwrap() == pkg.bytes(),
            "{label}"
        );
        // And helm pushes there, shiprail pulls.
        let work = tempfile::tempdir().unwrap();
        let theirs = delivery_chart(if *label == "helm3" { "3.0.1" } else { "3.0.2" });
        let path = theirs.write_to(work.path()).unwrap();
        helm(
            bin,
            home.path(),
            &[
                "push",
                path.to_str().unwrap(),
                &format!("oci://{tls}/{base}"),
                "--ca-file",
                ca,
            ],
            None,
        );
        let pulled = client
            .pull_chart(&reference, Some(&theirs.version), &ArchiveLimits::default())
            .await
            .unwrap();
        assert!(pulled.bytes() == theirs.bytes(), "{label}");
    }
}

#[tokio::test]
async fn wrong_password_is_registry_unauthorized_and_never_shown() {
    let Some((env, _)) = real() else { return };
    let client = RegistryClient::new(env.options("not-the-password-x9")).unwrap();
    let tls = env.get("SHIPRAIL_REGISTRY_TLS");
    let pkg = delivery_chart("1.0.0");
    let err = client
        .push_chart(
            pkg.bytes(),
            &chart_ref(tls, &unique("denied")),
            &ChartPushOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized", "{err}");
    assert!(!err.to_string().contains("not-the-password-x9"));
    assert!(!format!("{err:?}").contains("not-the-password-x9"));
    let reference = chart_ref(tls, &format!("{}/delivery", unique("denied")));
    let err = client
        .pull_chart(&reference, Some("1.0.0"), &ArchiveLimits::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized", "{err}");
    let err = client.chart_versions(&reference).await.unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized", "{err}");
}

#[tokio::test]
async fn other_content_under_a_pushed_tag_is_refused_unless_forced() {
    let Some((env, _)) = real() else { return };
    let client = env.client();
    let plain = env.get("SHIPRAIL_REGISTRY_PLAIN");
    let base = chart_ref(plain, &unique("clobber"));
    let first = delivery_chart("1.0.2");
    let pushed = client
        .push_chart(first.bytes(), &base, &ChartPushOptions::default())
        .await
        .unwrap();
    // Same archive, another creation time: same chart, nothing written.
    let later = ChartPushOptions {
        created: Some("2024-05-01T12:00:00Z".into()),
        ..ChartPushOptions::default()
    };
    let again = client
        .push_chart(first.bytes(), &base, &later)
        .await
        .unwrap();
    assert!(again.already_pushed);
    assert_eq!(again.digest, pushed.digest);
    // Other content (another mtime in the archive) under the same version: refused.
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/charts/delivery");
    let other = package(
        dir,
        &PackageOptions {
            version: Some("1.0.2".parse().unwrap()),
            mtime: 86_400,
            ..PackageOptions::default()
        },
    )
    .unwrap();
    let err = client
        .push_chart(other.bytes(), &base, &ChartPushOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_clobber");
    assert!(err.to_string().contains(pushed.digest.as_str()), "{err}");
    let forced = client
        .push_chart(
            other.bytes(),
            &base,
            &ChartPushOptions {
                force: true,
                ..ChartPushOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(forced.replaced, Some(pushed.digest));
    let reference = base.join("delivery").unwrap();
    let pulled = client
        .pull_chart(&reference, Some("1.0.2"), &ArchiveLimits::default())
        .await
        .unwrap();
    assert!(pulled.bytes() == other.bytes());
}

#[tokio::test]
async fn pull_refuses_images_missing_versions_and_mismatches() {
    let Some((env, _)) = real() else { return };
    let client = env.client();
    let plain = env.get("SHIPRAIL_REGISTRY_PLAIN");
    // The seeded image is not a chart.
    let image = chart_ref(plain, "delivery");
    let err = client
        .pull_chart(&image, Some("v1.0.2"), &ArchiveLimits::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_chart", "{err}");
    assert!(err.to_string().contains("is not a Helm chart"), "{err}");
    // A version that was never pushed.
    let base = chart_ref(plain, &unique("missing"));
    client
        .push_chart(
            delivery_chart("1.0.0").bytes(),
            &base,
            &ChartPushOptions::default(),
        )
        .await
        .unwrap();
    let reference = base.join("delivery").unwrap();
    let err = client
        .pull_chart(&reference, Some("9.9.9"), &ArchiveLimits::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_not_found", "{err}");
    // A tag and a version that disagree.
    let tagged = reference.with_version("1.0.0").unwrap();
    let err = client
        .pull_chart(&tagged, Some("1.0.1"), &ArchiveLimits::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_image_reference");
    // A push destination with a tag.
    let err = client
        .push_chart(
            delivery_chart("1.0.0").bytes(),
            &tagged,
            &ChartPushOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_image_reference");
    // Not an archive at all: refused before any request.
    let err = client
        .push_chart(b"not gzip", &base, &ChartPushOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_archive");
}
