//! `shiprail chart push|pull|versions` end to end: JSON on stdout, exit codes, credentials from
//! `DOCKER_CONFIG`, trust from `--ca-file`.
//!
//! The tests that talk to registries need the ones of `bash tests/services/registry.sh start
//! DIR` (`SHIPRAIL_REGISTRY_ENV=DIR/env`); they fail without it unless `SHIPRAIL_SKIP_REAL=1`.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
        .env("DOCKER_CONFIG", "/nonexistent-shiprail-test")
        .env_remove("SOURCE_DATE_EPOCH")
        .envs(env.iter().copied())
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of {args:?} is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), value)
}

fn run(args: &[&str]) -> (i32, Value) {
    run_env(args, &[])
}

fn real() -> Option<HashMap<String, String>> {
    let path = match std::env::var("SHIPRAIL_REGISTRY_ENV") {
        Ok(path) if !path.is_empty() => path,
        _ if std::env::var("SHIPRAIL_SKIP_REAL").as_deref() == Ok("1") => return None,
        _ => panic!(
            "SHIPRAIL_REGISTRY_ENV is not set: run `bash tests/services/registry.sh start DIR` and \
             set SHIPRAIL_REGISTRY_ENV=DIR/env (or SHIPRAIL_SKIP_REAL=1 to skip)"
        ),
    };
    let text = std::fs::read_to_string(&path).unwrap();
    Some(
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// Standard base64 with padding (the docker config's `auth`).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("clicharts{}-{nanos}", std::process::id())
}

/// Packages the example's delivery chart at `version` into `out`; returns the path.
fn package(out: &Path, version: &str) -> String {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/charts/delivery");
    let (code, value) = run(&[
        "chart",
        "package",
        dir.to_str().unwrap(),
        "--version",
        version,
        "-d",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{value}");
    value["path"].as_str().unwrap().to_string()
}

#[test]
fn bad_references_and_files_are_refused_before_any_network() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["chart", "push", "/nonexistent.tgz", "oci://127.0.0.1:1/x"],
            2,
            "io",
        ),
        (
            &["chart", "push", "x.tgz", "127.0.0.1:1/charts"],
            2,
            "invalid_image_reference",
        ),
        (
            &["chart", "push", "x.tgz", "oci://registry/charts"],
            2,
            "invalid_image_reference",
        ),
        (
            &["chart", "pull", "delivery", "--version", "1.0.0"],
            2,
            "invalid_image_reference",
        ),
        (
            &["chart", "pull", "oci://r.io/Delivery"],
            2,
            "invalid_image_reference",
        ),
        (
            &["chart", "versions", "oci://r.io/a@sha256:00"],
            2,
            "invalid_image_reference",
        ),
    ];
    for (args, exit, code) in cases {
        let (got, value) = run(args);
        assert_eq!(got, *exit, "{args:?}: {value}");
        assert_eq!(value["error"]["code"], *code, "{args:?}: {value}");
    }
    let (_, value) = run(&["chart", "push", "x.tgz", "oci://registry/charts"]);
    assert_eq!(
        value["error"]["message"],
        "`oci://registry/charts` is not a valid chart reference: `registry` does not read as a registry host: it needs a `.` or a `:` (`registry:5000`), or to be `localhost`"
    );
}

/// A `SOURCE_DATE_EPOCH` that is not a number of seconds is refused (exit 2, before any
/// network call), not read as the epoch, by push and by package.
#[test]
fn a_malformed_source_date_epoch_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let archive = package(out.path(), "1.0.2");
    let (code, value) = run_env(
        &["chart", "push", &archive, "oci://127.0.0.1:1/charts"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "invalid_chart");
    assert_eq!(
        value["error"]["message"],
        "SOURCE_DATE_EPOCH `yesterday` is not a number of seconds since 1970-01-01T00:00:00Z"
    );
    // The same rule for the mtime of packaged entries.
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/charts/delivery");
    let (code, value) = run_env(
        &[
            "chart",
            "package",
            dir.to_str().unwrap(),
            "-d",
            out.path().to_str().unwrap(),
        ],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert_eq!(
        (code, &value["error"]["code"]),
        (2, &Value::from("invalid_chart")),
        "{value}"
    );
}

#[test]
fn push_of_a_non_archive_is_invalid_archive() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.tgz");
    std::fs::write(&file, b"not gzip").unwrap();
    let (code, value) = run(&[
        "chart",
        "push",
        file.to_str().unwrap(),
        "oci://127.0.0.1:1/charts",
    ]);
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "invalid_archive");
    let (code, value) = run(&[
        "chart",
        "push",
        file.to_str().unwrap(),
        "oci://127.0.0.1:1/charts/delivery:1.0.0",
    ]);
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "invalid_image_reference");
}

#[test]
fn push_versions_pull_on_the_plain_registry() {
    let Some(env) = real() else { return };
    let plain = &env["SHIPRAIL_REGISTRY_PLAIN"];
    let work = tempfile::tempdir().unwrap();
    let file = package(work.path(), "1.0.2");
    let base = format!("oci://{plain}/{}", unique());
    let (code, pushed) = run(&[
        "chart",
        "push",
        &file,
        &base,
        "--created",
        "2024-05-01T12:00:00Z",
    ]);
    assert_eq!(code, 0, "{pushed}");
    assert_eq!(pushed["reference"], format!("{base}/delivery:1.0.2"));
    assert_eq!(pushed["tag"], "1.0.2");
    assert_eq!(pushed["already_pushed"], false);
    assert!(pushed["digest"].as_str().unwrap().starts_with("sha256:"));
    // Again: nothing written; the stored manifest is reported.
    let (code, again) = run(&["chart", "push", &file, &base]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["already_pushed"], true);
    assert_eq!(again["digest"], pushed["digest"]);
    // Other content under the same version: a rule violation, exit 1.
    let other_dir = work.path().join("other");
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/drone-delivery/charts/delivery");
    let (code, _) = run(&[
        "chart",
        "package",
        dir.to_str().unwrap(),
        "--version",
        "1.0.2",
        "--mtime",
        "5",
        "-d",
        other_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let other = other_dir.join("delivery-1.0.2.tgz");
    let (code, value) = run(&["chart", "push", other.to_str().unwrap(), &base]);
    assert_eq!(code, 1, "{value}");
    assert_eq!(value["error"]["code"], "registry_clobber");
    let chart = format!("{base}/delivery");
    let (code, versions) = run(&["chart", "versions", &chart]);
    assert_eq!(code, 0, "{versions}");
    assert_eq!(versions["versions"], serde_json::json!(["1.0.2"]));
    let out = work.path().join("pulled");
    let (code, pulled) = run(&[
        "chart",
        "pull",
        &chart,
        "--version",
        "1.0.2",
        "-d",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{pulled}");
    let path = out.join("delivery-1.0.2.tgz");
    assert_eq!(pulled["path"], path.display().to_string());
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&file).unwrap());
    assert_eq!(
        pulled["sha256"],
        pushed["chart_digest"]
            .as_str()
            .unwrap()
            .trim_start_matches("sha256:")
    );
    assert_eq!(pulled["metadata"]["name"], "delivery");
    let (code, value) = run(&[
        "chart",
        "pull",
        &chart,
        "--version",
        "9.9.9",
        "-d",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "registry_not_found");
}

#[test]
fn tls_registry_with_docker_config_credentials_and_ca_file() {
    let Some(env) = real() else { return };
    let tls = &env["SHIPRAIL_REGISTRY_TLS"];
    let ca = &env["SHIPRAIL_REGISTRY_CA"];
    let work = tempfile::tempdir().unwrap();
    let file = package(work.path(), "2.0.0");
    let config = |password: &str| {
        let dir = work.path().join(format!("docker-{}", password.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let auth = base64(format!("{}:{password}", env["SHIPRAIL_REGISTRY_USER"]).as_bytes());
        std::fs::write(
            dir.join("config.json"),
            format!(r#"{{"auths":{{"{tls}":{{"auth":"{auth}"}}}}}}"#),
        )
        .unwrap();
        dir.display().to_string()
    };
    let good = config(&env["SHIPRAIL_REGISTRY_PASSWORD"]);
    let base = format!("oci://{tls}/{}", unique());
    let (code, pushed) = run_env(
        &["chart", "push", &file, &base, "--ca-file", ca],
        &[("DOCKER_CONFIG", &good)],
    );
    assert_eq!(code, 0, "{pushed}");
    let chart = format!("{base}/delivery");
    let out = work.path().join("pulled");
    let (code, pulled) = run_env(
        &[
            "chart",
            "pull",
            &chart,
            "--version",
            "2.0.0",
            "-d",
            out.to_str().unwrap(),
            "--ca-file",
            ca,
        ],
        &[("DOCKER_CONFIG", &good)],
    );
    assert_eq!(code, 0, "{pulled}");
    assert_eq!(
        std::fs::read(out.join("delivery-2.0.0.tgz")).unwrap(),
        std::fs::read(&file).unwrap()
    );
    let bad = config("wrong-password-shiprail");
    let (code, value) = run_env(
        &["chart", "versions", &chart, "--ca-file", ca],
        &[("DOCKER_CONFIG", &bad)],
    );
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "registry_unauthorized");
    assert!(!value.to_string().contains("wrong-password-shiprail"));
    // Without the CA: a TLS error, not a silent fallback to plain HTTP.
    let (code, value) = run_env(&["chart", "versions", &chart], &[("DOCKER_CONFIG", &good)]);
    assert_eq!(code, 2, "{value}");
    assert_eq!(value["error"]["code"], "registry_tls");
}
