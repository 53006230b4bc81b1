//! `shiprail image promote|tags|digest` end to end: JSON on stdout, exit codes, credentials
//! from `DOCKER_CONFIG`, trust from `SSL_CERT_FILE`.
//!
//! The tests that talk to registries need the ones started by
//! `bash tests/services/registry.sh start DIR`, named by `SHIPRAIL_REGISTRY_ENV=DIR/env`; they
//! fail without it unless `SHIPRAIL_SKIP_REAL=1`.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Runs the binary with extra environment variables; returns (exit code, stdout as JSON).
fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiprail"))
        .args(args)
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
    // An empty docker config: the tests never read the user's credentials.
    run_env(args, &[("DOCKER_CONFIG", "/nonexistent-shiprail-test")])
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

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cli{}-{nanos}", std::process::id())
}

#[test]
fn promote_refuses_bad_requests_before_any_network() {
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[
                "image",
                "promote",
                "r.io/delivery:latest",
                "r.io/prod/delivery:v1.0.2",
            ],
            1,
            "mutable_tag",
        ),
        (
            &["image", "promote", "r.io/delivery:v1.0.2"],
            2,
            "invalid_image_reference",
        ),
        (
            &[
                "image",
                "promote",
                "r.io/delivery:nightly-5",
                "r.io/prod/delivery:v1.0.2",
            ],
            2,
            "invalid_tag",
        ),
        (
            &[
                "image",
                "promote",
                "r.io/delivery:v1.0.2",
                "r.io/prod/delivery:v1.0.2",
                "--platform",
                "linux",
            ],
            2,
            "invalid_image_reference",
        ),
        (
            &[
                "image",
                "promote",
                "r.io/delivery:v1.0.2",
                "r.io/prod/delivery:v1.0.2",
                "--expect-digest",
                "sha256:00",
            ],
            2,
            "invalid_image_reference",
        ),
        (
            &["image", "digest", "r.io/delivery"],
            2,
            "invalid_image_reference",
        ),
    ];
    for (args, code, error) in cases {
        let (got, out) = run(args);
        assert_eq!(
            (got, out["error"]["code"].as_str()),
            (*code, Some(*error)),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn promote_digest_and_tags_against_the_registries() {
    let Some(env) = real() else { return };
    let plain = &env["SHIPRAIL_REGISTRY_PLAIN"];
    let source = format!("{plain}/{}", env["SHIPRAIL_SEED_SINGLE"]);
    let repo = format!("{plain}/{}/prod/delivery", unique());
    let destination = format!("{repo}:v1.0.2");

    let (code, plan) = run(&["image", "promote", &source, &destination, "--dry-run"]);
    assert_eq!(code, 0, "{plan}");
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["blobs"]["mounted"], 2);

    let (code, out) = run(&["image", "promote", &source, &destination]);
    assert_eq!(code, 0, "{out}");
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "source",
            "destination",
            "digest",
            "manifests",
            "blobs",
            "bytes_copied",
            "already_promoted",
            "source_digest",
            "dry_run",
            "referrers"
        ]
    );
    assert_eq!(out["digest"], env["SHIPRAIL_SEED_SINGLE_DIGEST"].as_str());
    assert_eq!(out["already_promoted"], false);
    let (code, again) = run(&["image", "promote", &source, &destination]);
    assert_eq!((code, &again["already_promoted"]), (0, &Value::Bool(true)));

    let (code, digest) = run(&["image", "digest", &destination]);
    assert_eq!(code, 0);
    assert_eq!(digest["digest"], out["digest"]);
    let (code, tags) = run(&["image", "tags", &repo]);
    assert_eq!(code, 0);
    assert_eq!(tags["tags"], serde_json::json!(["v1.0.2"]));
    assert_eq!(tags["highest_release"]["tag"], "v1.0.2");

    // The tag never moves: promoting another image onto it is a rule violation (exit 1).
    let index = format!("{plain}/{}", env["SHIPRAIL_SEED_INDEX"]);
    let (code, out) = run(&["image", "promote", &index, &destination]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (1, Some("registry_clobber")),
        "{out}"
    );
    // An approved digest that is not the source's: exit 1.
    let other = format!("{repo}:v1.0.3");
    let (code, out) = run(&[
        "image",
        "promote",
        &source,
        &other,
        "--expect-digest",
        &env["SHIPRAIL_SEED_INDEX_DIGEST"],
    ]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (1, Some("registry_unexpected_digest"))
    );
    // A tag that does not exist: exit 2.
    let (code, out) = run(&["image", "digest", &format!("{plain}/delivery:v9.9.9")]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (2, Some("registry_not_found"))
    );
}

#[test]
fn promote_by_environment_into_the_tls_registry_with_docker_config_and_ssl_cert_file() {
    use std::io::Write as _;
    let Some(env) = real() else { return };
    let (plain, tls) = (
        &env["SHIPRAIL_REGISTRY_PLAIN"],
        &env["SHIPRAIL_REGISTRY_TLS"],
    );
    let dir = tempfile::tempdir().unwrap();
    // Credentials as `docker login` stores them.
    let auth = {
        let text = format!(
            "{}:{}",
            env["SHIPRAIL_REGISTRY_USER"], env["SHIPRAIL_REGISTRY_PASSWORD"]
        );
        base64(text.as_bytes())
    };
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"auths": {{"{tls}": {{"auth": "{auth}"}}}}}}"#),
    )
    .unwrap();
    let namespace = unique();
    let config = dir.path().join("shiprail.yaml");
    let mut file = std::fs::File::create(&config).unwrap();
    write!(
        file,
        "services:\n  delivery:\n    paths: {{include: ['src/delivery/**']}}\n\
         environments:\n  prod: {{cluster: aks, namespace: shipping, registry_namespace: {namespace}}}\n"
    )
    .unwrap();
    let docker_config = dir.path().display().to_string();
    let vars = [
        ("DOCKER_CONFIG", docker_config.as_str()),
        ("SSL_CERT_FILE", env["SHIPRAIL_REGISTRY_CA"].as_str()),
    ];
    // Seeded on the TLS registry too: promote inside it, by environment.
    let source = format!("{tls}/{}", env["SHIPRAIL_SEED_SINGLE"]);
    let config_arg = config.display().to_string();
    let (code, out) = run_env(
        &[
            "image",
            "promote",
            &source,
            "--env",
            "prod",
            "--config",
            &config_arg,
        ],
        &vars,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out["destination"],
        format!("{tls}/{namespace}/delivery:v1.0.2")
    );
    assert_eq!(out["blobs"]["mounted"], 2);
    // Across registries, plain HTTP source to TLS destination.
    let source = format!("{plain}/{}", env["SHIPRAIL_SEED_INDEX"]);
    let destination = format!("{tls}/{namespace}/multi:v2.0.0");
    let (code, out) = run_env(&["image", "promote", &source, &destination], &vars);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["manifests"], 3);
    // Without the CA: a TLS error; without the credentials: unauthorized.
    let (code, out) = run_env(&["image", "digest", &destination], &vars[..1]);
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (2, Some("registry_tls")),
        "{out}"
    );
    let (code, out) = run_env(
        &[
            "image",
            "digest",
            &destination,
            "--ca-file",
            &env["SHIPRAIL_REGISTRY_CA"],
        ],
        &[("DOCKER_CONFIG", "/nonexistent-shiprail-test")],
    );
    assert_eq!(
        (code, out["error"]["code"].as_str()),
        (2, Some("registry_unauthorized")),
        "{out}"
    );
    assert!(!out.to_string().contains(&env["SHIPRAIL_REGISTRY_PASSWORD"]));
    assert!(Path::new(&config).exists());
}

/// Standard base64 (the test crate has no base64 dependency).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
