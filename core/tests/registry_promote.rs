//! Promotion against real registries (the distribution registry, `docker-registry`), checked
//! with skopeo as the reference client.
//!
//! Start them with `bash tests/services/registry.sh start DIR` and point
//! `SHIPRAIL_REGISTRY_ENV` at `DIR/env`. Without it these tests fail, unless
//! `SHIPRAIL_SKIP_REAL=1` says to skip them.
#![cfg(feature = "registry")]
#![allow(clippy::unwrap_used)]

use shiprail::image::ImageReference;
use shiprail::registry::{
    Credentials, Digest, DockerConfig, ProgressEvent, PromoteRequest, Promotion, RegistryClient,
    RegistryOptions,
};
use shiprail::tag::TagPolicy;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The registries started by tests/services/registry.sh, from its env file.
struct Env(HashMap<String, String>);

impl Env {
    fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing from the registry env file"))
    }

    fn plain(&self, rest: &str) -> ImageReference {
        format!("{}/{rest}", self.get("SHIPRAIL_REGISTRY_PLAIN"))
            .parse()
            .unwrap()
    }

    fn tls(&self, rest: &str) -> ImageReference {
        format!("{}/{rest}", self.get("SHIPRAIL_REGISTRY_TLS"))
            .parse()
            .unwrap()
    }

    fn digest(&self, key: &str) -> Digest {
        self.get(key).parse().unwrap()
    }

    /// Options that reach both registries: the CA, and the TLS registry's credentials.
    fn options(&self) -> RegistryOptions {
        let mut options = RegistryOptions {
            ca_files: vec![PathBuf::from(self.get("SHIPRAIL_REGISTRY_CA"))],
            docker_config: Some(DockerConfig::default()),
            ..RegistryOptions::default()
        };
        options.credentials.insert(
            self.get("SHIPRAIL_REGISTRY_TLS").to_string(),
            Credentials::basic(
                self.get("SHIPRAIL_REGISTRY_USER"),
                self.get("SHIPRAIL_REGISTRY_PASSWORD"),
            ),
        );
        options
    }

    fn client(&self) -> RegistryClient {
        RegistryClient::new(self.options()).unwrap()
    }

    /// `skopeo inspect --raw` of a reference on either registry.
    fn skopeo_raw(&self, image: &ImageReference) -> Vec<u8> {
        let out = Command::new("skopeo")
            .args(["inspect", "--raw"])
            .args(self.skopeo_access(image, "--"))
            .arg(format!("docker://{image}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo inspect {image}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Pulls an image with `skopeo copy` into an OCI layout; panics when skopeo fails.
    fn skopeo_pull(&self, image: &ImageReference) {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("skopeo")
            .args(["copy", "-q", "--all"])
            .args(self.skopeo_access(image, "--src-"))
            .arg(format!("docker://{image}"))
            .arg(format!("oci:{}:pulled", dir.path().display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo copy {image}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn skopeo_access(&self, image: &ImageReference, prefix: &str) -> Vec<String> {
        if image.registry() == self.get("SHIPRAIL_REGISTRY_TLS") {
            vec![
                format!(
                    "{prefix}cert-dir={}",
                    self.get("SHIPRAIL_REGISTRY_CERT_DIR")
                ),
                format!(
                    "{prefix}creds={}:{}",
                    self.get("SHIPRAIL_REGISTRY_USER"),
                    self.get("SHIPRAIL_REGISTRY_PASSWORD")
                ),
            ]
        } else {
            vec![format!("{prefix}tls-verify=false")]
        }
    }
}

/// The env of the real registries, or `None` when they are explicitly skipped.
fn real() -> Option<Env> {
    let path = match std::env::var("SHIPRAIL_REGISTRY_ENV") {
        Ok(path) if !path.is_empty() => path,
        _ if std::env::var("SHIPRAIL_SKIP_REAL").as_deref() == Ok("1") => return None,
        _ => panic!(
            "SHIPRAIL_REGISTRY_ENV is not set: run `bash tests/services/registry.sh start DIR` and \
             set SHIPRAIL_REGISTRY_ENV=DIR/env (or SHIPRAIL_SKIP_REAL=1 to skip real-registry tests)"
        ),
    };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read SHIPRAIL_REGISTRY_ENV `{path}`: {e}"));
    Some(Env(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()))
}

/// A repository path no other test (or earlier run) uses.
fn unique(name: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "t{}-{nanos}-{}/{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn quiet(_: &ProgressEvent) {}

async fn promote(client: &RegistryClient, request: &PromoteRequest) -> shiprail::Result<Promotion> {
    client.promote(request, &quiet).await
}

#[tokio::test]
async fn promotes_inside_one_registry_by_mounting_and_is_idempotent() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_SINGLE"));
    let destination = env.plain(&format!("{}:v1.0.2", unique("prod/delivery")));
    let events = Mutex::new(Vec::new());
    let request = PromoteRequest::new(source.clone(), destination.clone());
    let record = |e: &ProgressEvent| events.lock().unwrap().push(e.clone());
    let promotion = client.promote(&request, &record).await.unwrap();
    let digest = env.digest("SHIPRAIL_SEED_SINGLE_DIGEST");
    assert_eq!(promotion.digest, digest);
    assert_eq!(promotion.source_digest, digest);
    assert_eq!((promotion.blobs.mounted, promotion.blobs.copied), (2, 0));
    assert_eq!(promotion.bytes_copied, 0);
    assert_eq!(promotion.manifests, 1);
    assert!(!promotion.already_promoted);
    assert_eq!(env.skopeo_raw(&destination), env.skopeo_raw(&source));
    env.skopeo_pull(&destination);
    let events = events.into_inner().unwrap();
    assert!(matches!(
        events.first(),
        Some(ProgressEvent::Resolved { .. })
    ));
    assert!(matches!(events.last(), Some(ProgressEvent::Tagged { .. })));
    let mounted = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::BlobMounted { .. }))
        .count();
    assert_eq!(mounted, 2);

    let again = promote(&client, &request).await.unwrap();
    assert!(again.already_promoted);
    assert_eq!((again.manifests, again.bytes_copied), (0, 0));
    assert_eq!(again.digest, digest);
}

#[tokio::test]
async fn promotes_between_registries_over_tls_with_basic_auth() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_SINGLE"));
    let destination = env.tls(&format!("{}:v1.0.2", unique("prod/delivery")));
    let promotion = promote(
        &client,
        &PromoteRequest::new(source.clone(), destination.clone()),
    )
    .await
    .unwrap();
    assert_eq!(promotion.digest, env.digest("SHIPRAIL_SEED_SINGLE_DIGEST"));
    assert_eq!((promotion.blobs.mounted, promotion.blobs.copied), (0, 2));
    assert!(promotion.bytes_copied > 0);
    assert_eq!(env.skopeo_raw(&destination), env.skopeo_raw(&source));
    env.skopeo_pull(&destination);
    // The reverse direction: TLS source, plain destination, blobs already there are skipped.
    let back = env.plain(&format!("{}:v1.0.2", unique("back/delivery")));
    let first = promote(
        &client,
        &PromoteRequest::new(destination.clone(), back.clone()),
    )
    .await
    .unwrap();
    assert_eq!(first.digest, promotion.digest);
    assert_eq!(env.skopeo_raw(&back), env.skopeo_raw(&source));
}

#[tokio::test]
async fn credentials_come_from_the_docker_config_and_credential_helpers() {
    use base64::Engine as _;
    let Some(env) = real() else { return };
    let tls = env.get("SHIPRAIL_REGISTRY_TLS");
    let (user, password) = (
        env.get("SHIPRAIL_REGISTRY_USER"),
        env.get("SHIPRAIL_REGISTRY_PASSWORD"),
    );
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let from_auths = DockerConfig::from_json_str(&format!(
        r#"{{"auths": {{"https://{tls}/v2/": {{"auth": "{auth}"}}}}}}"#
    ))
    .unwrap();

    let helpers = tempfile::tempdir().unwrap();
    let helper = helpers.path().join("docker-credential-shiprailtest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$server\" = \"{tls}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}' \"$server\"\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let from_helper = DockerConfig::from_json_str(&format!(
        r#"{{"credHelpers": {{"{tls}": "shiprailtest"}}}}"#
    ))
    .unwrap()
    .with_helper_dirs(vec![helpers.path().to_path_buf()]);
    assert_eq!(
        from_helper.credentials_for(tls).unwrap(),
        Credentials::basic(user, password)
    );
    for config in [from_auths, from_helper] {
        let client = RegistryClient::new(RegistryOptions {
            ca_files: vec![PathBuf::from(env.get("SHIPRAIL_REGISTRY_CA"))],
            docker_config: Some(config),
            ..RegistryOptions::default()
        })
        .unwrap();
        let resolved = client
            .resolve(&env.tls(env.get("SHIPRAIL_SEED_SINGLE")))
            .await
            .unwrap();
        assert_eq!(resolved.digest, env.digest("SHIPRAIL_SEED_SINGLE_DIGEST"));
    }
}

#[tokio::test]
async fn promotes_an_index_with_every_child() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_INDEX"));
    let destination = env.tls(&format!("{}:v2.0.0", unique("prod/multi")));
    let promotion = promote(
        &client,
        &PromoteRequest::new(source.clone(), destination.clone()),
    )
    .await
    .unwrap();
    assert_eq!(promotion.digest, env.digest("SHIPRAIL_SEED_INDEX_DIGEST"));
    assert_eq!(promotion.manifests, 3);
    assert_eq!(promotion.blobs.copied, 4);
    let raw = env.skopeo_raw(&destination);
    assert_eq!(raw, env.skopeo_raw(&source));
    let index: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    for child in index["manifests"].as_array().unwrap() {
        let digest = child["digest"].as_str().unwrap();
        let by_digest = destination.without_tag().with_digest(digest).unwrap();
        assert_eq!(
            client.resolve(&by_digest).await.unwrap().digest.as_str(),
            digest
        );
    }
    env.skopeo_pull(&destination);
}

#[tokio::test]
async fn a_platform_filter_rewrites_the_index_and_says_so() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_INDEX"));
    let destination = env.plain(&format!("{}:v2.0.0", unique("prod/multi")));
    let mut request = PromoteRequest::new(source, destination.clone());
    request.platforms = vec!["linux/arm64".parse().unwrap()];
    let promotion = promote(&client, &request).await.unwrap();
    assert_eq!(
        promotion.source_digest,
        env.digest("SHIPRAIL_SEED_INDEX_DIGEST")
    );
    assert_ne!(promotion.digest, promotion.source_digest);
    assert_eq!(promotion.manifests, 2);
    let raw = env.skopeo_raw(&destination);
    assert_eq!(Digest::of(&raw), promotion.digest);
    let index: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let entries = index["manifests"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["platform"]["architecture"], "arm64");

    request.platforms = vec!["linux/s390x".parse().unwrap()];
    let err = promote(&client, &request).await.unwrap_err();
    assert_eq!(err.code(), "registry_not_found");
    assert!(
        err.message().ends_with(
            "has no manifest for linux/s390x: its index lists `linux/amd64`, `linux/arm64`"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn signatures_travel_along() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_SIGNED"));
    let sig_tag = env.get("SHIPRAIL_SEED_SIGNATURE_TAG");
    let repo = unique("prod/signed");
    let destination = env.tls(&format!("{repo}:v3.0.0"));
    let promotion = promote(
        &client,
        &PromoteRequest::new(source.clone(), destination.clone()),
    )
    .await
    .unwrap();
    assert_eq!(promotion.referrers, vec![sig_tag.to_string()]);
    assert_eq!(promotion.manifests, 2);
    let tags = client.list_tags(&destination).await.unwrap();
    assert!(tags.contains(&sig_tag.to_string()), "{tags:?}");
    let sig_src = source.with_tag(sig_tag).unwrap();
    let sig_dst = destination.with_tag(sig_tag).unwrap();
    assert_eq!(env.skopeo_raw(&sig_dst), env.skopeo_raw(&sig_src));

    // Without referrers, only the image goes.
    let bare = env.plain(&format!("{}:v3.0.0", unique("prod/signed")));
    let mut request = PromoteRequest::new(source, bare.clone());
    request.referrers = false;
    let promotion = promote(&client, &request).await.unwrap();
    assert!(promotion.referrers.is_empty());
    assert_eq!(client.list_tags(&bare).await.unwrap(), ["v3.0.0"]);
}

#[tokio::test]
async fn tags_never_move_unless_forced() {
    let Some(env) = real() else { return };
    let client = env.client();
    let destination = env.plain(&format!("{}:v1.0.2", unique("prod/app")));
    let single = env.plain(env.get("SHIPRAIL_SEED_SINGLE"));
    let index = env.plain(env.get("SHIPRAIL_SEED_INDEX"));
    promote(&client, &PromoteRequest::new(single, destination.clone()))
        .await
        .unwrap();
    let mut request = PromoteRequest::new(index, destination.clone());
    let err = promote(&client, &request).await.unwrap_err();
    assert_eq!(err.code(), "registry_clobber");
    assert_eq!(
        err.message(),
        format!(
            "`{destination}` already names {}; promoting `{}` ({}) would move it, and release tags never move (force overwrites)",
            env.get("SHIPRAIL_SEED_SINGLE_DIGEST"),
            env.plain(env.get("SHIPRAIL_SEED_INDEX")),
            env.get("SHIPRAIL_SEED_INDEX_DIGEST"),
        )
    );
    request.force = true;
    let forced = promote(&client, &request).await.unwrap();
    assert_eq!(forced.digest, env.digest("SHIPRAIL_SEED_INDEX_DIGEST"));
    assert_eq!(
        client.resolve(&destination).await.unwrap().digest,
        forced.digest
    );
}

#[tokio::test]
async fn the_source_must_be_the_approved_digest() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_SINGLE"));
    let destination = env.plain(&format!("{}:v1.0.2", unique("prod/app")));
    let mut request = PromoteRequest::new(source.clone(), destination.clone());
    let approved = env.digest("SHIPRAIL_SEED_INDEX_DIGEST");
    request.expected_digest = Some(approved.clone());
    let err = promote(&client, &request).await.unwrap_err();
    assert_eq!(err.code(), "registry_unexpected_digest");
    assert_eq!(
        err.message(),
        format!(
            "`{source}` is {}, not the approved {approved}: the tag moved since approval; nothing was promoted",
            env.get("SHIPRAIL_SEED_SINGLE_DIGEST")
        )
    );
    request.expected_digest = Some(env.digest("SHIPRAIL_SEED_SINGLE_DIGEST"));
    assert!(promote(&client, &request).await.is_ok());
}

#[tokio::test]
async fn a_dry_run_plans_and_writes_nothing() {
    let Some(env) = real() else { return };
    let client = env.client();
    let source = env.plain(env.get("SHIPRAIL_SEED_INDEX"));
    let destination = env.tls(&format!("{}:v2.0.0", unique("prod/multi")));
    let mut request = PromoteRequest::new(source, destination.clone());
    request.dry_run = true;
    let plan = promote(&client, &request).await.unwrap();
    assert!(plan.dry_run);
    assert_eq!((plan.manifests, plan.blobs.copied), (3, 4));
    assert!(plan.bytes_copied > 0);
    let err = client.resolve(&destination).await.unwrap_err();
    assert_eq!(err.code(), "registry_not_found");
    assert!(client.list_tags(&destination).await.is_err());
}

#[tokio::test]
async fn unknown_repositories_and_tags_are_not_found() {
    let Some(env) = real() else { return };
    let client = env.client();
    for missing in [
        env.plain("no/such/repo:v1.0.0"),
        env.plain("delivery:v9.9.9"),
        env.tls("no/such/repo:v1.0.0"),
    ] {
        let err = client.resolve(&missing).await.unwrap_err();
        assert_eq!(err.code(), "registry_not_found", "{err}");
        assert!(
            err.message().starts_with(&format!(
                "`{missing}` does not exist on `{}`",
                missing.registry()
            )),
            "{err}"
        );
        let destination = env.plain(&format!("{}:v1.0.0", unique("x")));
        let err = promote(&client, &PromoteRequest::new(missing, destination))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "registry_not_found", "{err}");
    }
    let err = client
        .list_tags(&env.plain("no/such/repo"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_not_found", "{err}");
}

#[tokio::test]
async fn wrong_credentials_are_refused_without_showing_them() {
    let Some(env) = real() else { return };
    let tls = env.get("SHIPRAIL_REGISTRY_TLS");
    let wrong = "not-the-Password-42";
    let mut options = env.options();
    options
        .credentials
        .insert(tls.to_string(), Credentials::basic("shiprail", wrong));
    let client = RegistryClient::new(options).unwrap();
    let image = env.tls(env.get("SHIPRAIL_SEED_SINGLE"));
    let err = client.resolve(&image).await.unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized", "{err}");
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains(wrong), "{shown}");
        assert!(
            !shown.contains(env.get("SHIPRAIL_REGISTRY_PASSWORD")),
            "{shown}"
        );
    }
    // No credentials at all.
    let mut options = env.options();
    options.credentials.clear();
    let err = RegistryClient::new(options)
        .unwrap()
        .resolve(&image)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized");
    assert!(
        err.message()
            .contains(&format!("log in with `docker login {tls}`")),
        "{err}"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error() {
    let Some(env) = real() else { return };
    let mut options = env.options();
    options.ca_files.clear();
    let client = RegistryClient::new(options).unwrap();
    let err = client
        .resolve(&env.tls(env.get("SHIPRAIL_SEED_SINGLE")))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "registry_tls", "{err}");
    assert_eq!(
        err.message(),
        format!(
            "the TLS connection to `{}` failed: invalid peer certificate: UnknownIssuer; trust the registry's CA with --ca-file FILE (or SSL_CERT_FILE)",
            env.get("SHIPRAIL_REGISTRY_TLS")
        )
    );
}

#[tokio::test]
async fn tags_digests_releases_and_deletion() {
    let Some(env) = real() else { return };
    let client = env.client();
    let signed = env.plain(env.get("SHIPRAIL_SEED_SIGNED"));
    let tags = client.list_tags(&signed).await.unwrap();
    assert!(tags.contains(&"v3.0.0".to_string()));
    let highest = client
        .highest_release(&signed, &TagPolicy::default(), None, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(highest.tag, "v3.0.0");
    let resolved = client.resolve(&signed).await.unwrap();
    assert_eq!(resolved.digest, env.digest("SHIPRAIL_SEED_SIGNED_DIGEST"));
    assert_eq!(
        resolved.media_type,
        "application/vnd.oci.image.manifest.v1+json"
    );

    // Two tags on one manifest: the registry (distribution 2.x) can only delete manifests.
    let repo = unique("scratch");
    let a = env.plain(&format!("{repo}:v1.0.2"));
    let b = env.plain(&format!("{repo}:v1.0.3"));
    let single = env.plain(env.get("SHIPRAIL_SEED_SINGLE"));
    for tag in [&a, &b] {
        promote(&client, &PromoteRequest::new(single.clone(), tag.clone()))
            .await
            .unwrap();
    }
    let err = client.delete_tag(&a).await.unwrap_err();
    assert_eq!(err.code(), "registry");
    assert!(err.message().contains("`v1.0.3`"), "{err}");
    let mut request = PromoteRequest::new(env.plain(env.get("SHIPRAIL_SEED_INDEX")), b.clone());
    request.force = true;
    promote(&client, &request).await.unwrap();
    let deleted = client.delete_tag(&a).await.unwrap();
    assert_eq!(deleted.digest, env.digest("SHIPRAIL_SEED_SINGLE_DIGEST"));
    assert!(deleted.method == "tag" || deleted.method == "manifest");
    assert_eq!(
        client.resolve(&a).await.unwrap_err().code(),
        "registry_not_found"
    );
    assert_eq!(
        client.resolve(&b).await.unwrap().digest,
        env.digest("SHIPRAIL_SEED_INDEX_DIGEST")
    );
}
