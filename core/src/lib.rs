//! # shiprail
//!
//! The release logic of a microservice monorepo shipped to Kubernetes with Helm, modelled once:
//! what a branch name means, which version a release gets, which tags follow from it, where an
//! image is promoted to, and how a monorepo declares its services. The CLI and the Python and
//! Node bindings are thin layers over this crate; the behaviour lives here, pinned by the
//! shared vectors in `tests/conformance/`.
//!
//! The modules read as a specification, one section and one example per rule:
//!
//! | module | the rules of |
//! |---|---|
//! | [`branch`] | branch kinds (`feature/<service>/<topic>`, `release/<service>/v<semver>`, ...), git's ref rules, suggestions |
//! | [`version`] | strict SemVer, the `v` prefix, bumps from conventional commits, pre-release counters, monotonicity |
//! | [`tag`] | image tag, chart version, appVersion, git tag and chart OCI tag from one version; mutable tags |
//! | [`image`] | the docker reference grammar and promotion targets |
//! | [`chart`] | Chart.yaml as Helm reads it, `helm lint`'s checks, in-place versioning, `.helmignore`, reproducible packages, safe archive loading, release names |
//! | [`config`] | `shiprail.yaml`: services, paths, dependencies, environments, with file:line:column errors |
//! | [`release`] | the composed questions: what a branch releases, what comes next, where an image goes |
//! | [`trigger`] | the events a CI system reacts to |
//! | [`affected`] | which services a change set affects: includes, excludes, shared paths, service dependencies |
//! | [`changes`] | the changed paths of a push, a pull request or a new branch, read from git |
//! | [`plan`] | what an event runs: pipeline kinds, stages and steps per service with inputs and gates; release state, approvals, audit trail, rollback |
//! | [`error`] | the one error type and its stable codes |
//!
//! The whole flow on the scenario's release branch:
//!
//! ```
//! use shiprail::config::Config;
//!
//! let config = Config::from_yaml_str(r#"
//! registry: myrepo.azurecr.io
//! services:
//!   delivery:
//!     paths: {include: ["src/shipping/delivery/**"], exclude: ["**/*.md"]}
//! environments:
//!   prod: {cluster: prod-aks, namespace: shipping, registry_namespace: prod, production: true}
//! "#)?;
//!
//! let release = config.release_for_branch("refs/heads/release/delivery/v1.0.2")?;
//! assert_eq!(release.service, "delivery");
//! assert_eq!(release.tags.image_tag, "v1.0.2");
//! assert_eq!(release.tags.chart_version, "1.0.2");
//!
//! let image = format!("{}:{}", config.image_repository("delivery")?, release.tags.image_tag);
//! assert_eq!(image, "myrepo.azurecr.io/delivery:v1.0.2");
//! let promoted = config.promotion_target(&image, "prod")?;
//! assert_eq!(promoted.target, "myrepo.azurecr.io/prod/delivery:v1.0.2");
//!
//! // Near misses are errors with a stable code and a suggestion.
//! let err = config.classify_branch("release/delivry/v1.0.2").unwrap_err();
//! assert_eq!(err.code(), "unknown_service");
//! assert_eq!(err.suggestion(), Some("release/delivery/v1.0.2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod affected;
pub mod branch;
pub mod changes;
pub mod chart;
pub mod config;
pub mod error;
pub mod image;
pub mod plan;
#[cfg(feature = "registry")]
pub mod registry;
pub mod release;
mod suggest;
pub mod tag;
pub mod trigger;
pub mod version;

pub use error::{Error, ErrorKind, Location, Result};
