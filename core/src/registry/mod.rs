//! Registry access and image promotion (cargo feature `registry`).
//!
//! After QA and an approval, the pipeline retags the image it tested into the production
//! namespace: `myrepo.azurecr.io/delivery:v1.0.2` becomes `myrepo.azurecr.io/prod/delivery:v1.0.2`
//! with the same digest. [`RegistryClient::promote`] does that against any registry speaking the
//! OCI distribution API (Docker Registry v2), inside one registry or between two. The rules it
//! follows are below; each holds for the CLI's `shiprail image promote` too.
//!
//! # The digest never changes
//!
//! The source tag is resolved to a digest first, and every manifest is copied as the raw bytes
//! the registry served, checked against its digest, never re-serialized: the destination names
//! the very digest that was tested. When an expected digest is given (the one QA approved, or
//! a `@sha256:...` on the source), a source tag that now names another digest is refused with
//! [`ErrorKind::RegistryUnexpectedDigest`](crate::ErrorKind::RegistryUnexpectedDigest).
//!
//! ```
//! use shiprail::registry::{Digest, PromotionPolicy};
//! let approved = "sha256:4c3b8f7d0b1d3d0a9f2e1c6b5a4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d";
//! let request = PromotionPolicy { namespace: "prod".into(), ..PromotionPolicy::default() }
//!     .request(&format!("myrepo.azurecr.io/delivery:v1.0.2@{approved}"), None)?;
//! assert_eq!(request.expected_digest, Some(approved.parse::<Digest>()?));
//! assert_eq!(request.source.to_string(), "myrepo.azurecr.io/delivery:v1.0.2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Indexes and platforms
//!
//! A multi-platform image index is copied with every child manifest first, then the index, so
//! the registry never holds an index whose children are missing. A platform filter
//! ([`PromoteRequest::platforms`]) keeps only the listed platforms; dropping any entry rewrites
//! the index, which changes its digest: the result then reports the new `digest` beside the
//! `source_digest`. A single-platform image is promoted as it is, whatever the filter.
//!
//! ```
//! use shiprail::registry::{Platform, PromoteRequest};
//! let mut request = PromoteRequest::new(
//!     "127.0.0.1:5000/multi:v2.0.0".parse()?,
//!     "127.0.0.1:5000/prod/multi:v2.0.0".parse()?,
//! );
//! request.platforms.push("linux/amd64".parse::<Platform>()?);
//! assert_eq!(serde_json::to_value(&request)?["platforms"], serde_json::json!(["linux/amd64"]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Blobs: skipped, mounted, copied
//!
//! Every blob is first looked up in the destination repository (HEAD) and skipped when present.
//! Inside one registry a missing blob is mounted from the source repository (no bytes move);
//! when the registry declines the mount, and between registries, it is streamed from source to
//! destination with bounded memory, its size and digest verified on the way. The last chunk is
//! held back until the whole blob has been hashed, so a changed or truncated blob is never
//! completed at the destination ([`ErrorKind::RegistryDigestMismatch`](crate::ErrorKind::RegistryDigestMismatch)).
//! Blob work runs [`RegistryOptions::concurrency`] at a time. Foreign (non-distributable)
//! layers are not copied: registries neither hold nor accept them.
//!
//! ```
//! use shiprail::registry::BlobCounts;
//! let counts = BlobCounts { skipped: 1, mounted: 4, copied: 0 };
//! assert_eq!(serde_json::to_string(&counts)?, r#"{"skipped":1,"mounted":4,"copied":0}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The tag is written last; promotion is idempotent; tags never move
//!
//! Blobs come first, then child manifests, then signatures, and the destination tag last: a
//! promotion that fails half-way leaves no tag pointing at an incomplete image, and running it
//! again finishes it. When the destination tag already names the digest, nothing is written and
//! the result says `already_promoted: true`. When it names another digest the promotion is
//! refused with [`ErrorKind::RegistryClobber`](crate::ErrorKind::RegistryClobber), naming both
//! digests, unless [`PromoteRequest::force`] is set.
//!
//! ```
//! use shiprail::ErrorKind;
//! assert!(ErrorKind::RegistryClobber.is_rule_violation());
//! assert_eq!(ErrorKind::RegistryClobber.code(), "registry_clobber");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Signatures and attestations travel along
//!
//! Tags `sha256-<hex>.sig`, `.att` and `.sbom` (cosign's layout) and `sha256-<hex>` (the OCI
//! referrers tag schema) of the promoted manifests are copied under the same names, after the
//! image and before the destination tag; so are the manifests the OCI referrers API lists for
//! the promoted digest, on registries that have it (Docker distribution 2.x answers 404 and is
//! covered by the tags). When a platform filter rewrote an index, the original index's
//! signatures stay behind: they do not sign the new digest. [`PromoteRequest::referrers`]
//! turns this off.
//!
//! ```
//! use shiprail::registry::Digest;
//! let digest = Digest::of(b"{}");
//! assert_eq!(format!("{}.sig", digest.tag_form()), format!("sha256-{}.sig", digest.hex()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Dry run
//!
//! With [`PromoteRequest::dry_run`] the source is read and the destination looked up (tag and
//! blobs), and the result is the plan (what would be skipped, mounted, copied and written, with
//! `dry_run: true`); nothing is written. A clobber or a digest mismatch is reported exactly as
//! a real run would report it.
//!
//! # Policy
//!
//! [`PromotionPolicy`] says where an image goes and what may be promoted: the destination
//! follows `promotion.template` and the environment's `registry_namespace` (as
//! [`Config::promotion_target`](crate::config::Config::promotion_target)) unless given; both
//! tags must be release tags under `tags.image` (`v1.0.2`), never `latest` or another mutable
//! tag. Each field can be overridden per call.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::registry::PromotionPolicy;
//! let config = Config::from_yaml_str(
//!     "services:\n  delivery:\n    paths: {include: ['src/delivery/**']}\n\
//!      environments:\n  prod: {cluster: aks, namespace: shipping, registry_namespace: prod}\n",
//! )?;
//! let policy = PromotionPolicy::from_config(&config, "prod")?;
//! let request = policy.request("myrepo.azurecr.io/delivery:v1.0.2", None)?;
//! assert_eq!(request.destination.to_string(), "myrepo.azurecr.io/prod/delivery:v1.0.2");
//! assert_eq!(PromotionPolicy::from_config(&config, "prd").unwrap_err().code(), "unknown_environment");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Access: credentials, TLS, plain HTTP, retries
//!
//! Credentials come from [`RegistryOptions::credentials`], else the docker config
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: `auths` entries, `credsStore`
//! and `credHelpers` run as `docker-credential-<name> get`), else none. Basic credentials are
//! exchanged for a repository-scoped bearer token when the registry challenges for one.
//! Secrets are never shown: [`Secret`] prints as `<redacted>`, and messages name where
//! credentials came from, never what they are.
//!
//! TLS uses rustls (ring) with the system roots (`SSL_CERT_FILE` and `SSL_CERT_DIR` are
//! honoured) plus [`RegistryOptions::ca_files`]. Plain HTTP is used only for loopback hosts and
//! hosts listed in [`RegistryOptions::insecure`], and only when they do not speak TLS. Requests
//! are retried [`RegistryOptions::retries`] times with exponential backoff after a 5xx, a 429,
//! a timeout or a dropped connection; failures are reported with distinct codes:
//! `registry_unauthorized`, `registry_not_found`, `registry_tls`, `registry_digest_mismatch`
//! and `registry` for the rest.
//!
//! ```
//! use shiprail::registry::{Credentials, RegistryClient, RegistryOptions};
//! let mut options = RegistryOptions::default();
//! options.credentials.insert("myrepo.azurecr.io".into(), Credentials::basic("ci", "s3cret"));
//! let client = RegistryClient::new(options)?;
//! assert!(!format!("{client:?}").contains("s3cret"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Progress
//!
//! [`RegistryClient::promote`] reports [`ProgressEvent`]s to a callback as it goes (resolved,
//! planned, each blob skipped, mounted or copied with its bytes, each manifest, the tag); the
//! CLI turns them into a progress bar on a terminal.
//!
//! # Helm charts
//!
//! [`RegistryClient::push_chart`] pushes a packaged chart the way `helm push` does (repository
//! `PATH/<name>`, tag = version with `_` for `+`, Helm's config, layer, manifest and
//! annotations; see [`chart`](crate::chart)'s OCI section), after loading the archive with the
//! loader's checks; a tag that names other content is
//! [`ErrorKind::RegistryClobber`](crate::ErrorKind::RegistryClobber) unless forced, the same
//! archive again is `already_pushed`. [`RegistryClient::pull_chart`] verifies the manifest and
//! layer digests and media types and loads the archive; [`RegistryClient::chart_versions`]
//! lists the SemVer tags as versions, highest first.
//!
//! ```
//! use shiprail::registry::ChartPushOptions;
//! let options = ChartPushOptions::default();
//! assert!(options.created.is_none() && !options.force);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Tags, digests, releases, deletion
//!
//! [`RegistryClient::list_tags`], [`RegistryClient::resolve`] (tag or digest to digest, media
//! type and size), [`RegistryClient::highest_release`] (the highest release tag by
//! [`TagPolicy`](crate::tag::TagPolicy), see [`highest_release`]) and
//! [`RegistryClient::delete_tag`] (the tag alone where the registry can, else its manifest when
//! no other tag names it).

mod auth;
mod chart;
mod client;
mod digest;
mod http;
mod manifest;
mod platform;
mod policy;
mod promote;

pub use auth::{Credentials, DockerConfig, Secret};
pub use chart::{ChartPull, ChartPush, ChartPushOptions};
pub use client::{DeletedTag, RegistryClient, RegistryOptions, Resolved};
pub use digest::Digest;
pub use platform::Platform;
pub use policy::{PromoteRequest, PromotionPolicy, ReleaseTag, highest_release};
pub use promote::{BlobCounts, Progress, ProgressEvent, Promotion};

// Public types must be shareable across threads (bindings and servers hand them around).
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<Credentials>();
    check::<DockerConfig>();
    check::<Secret>();
    check::<RegistryClient>();
    check::<RegistryOptions>();
    check::<Resolved>();
    check::<DeletedTag>();
    check::<Digest>();
    check::<Platform>();
    check::<PromoteRequest>();
    check::<PromotionPolicy>();
    check::<ReleaseTag>();
    check::<BlobCounts>();
    check::<ProgressEvent>();
    check::<Promotion>();
    check::<ChartPush>();
    check::<ChartPull>();
    check::<ChartPushOptions>();
};
