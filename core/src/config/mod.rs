//! `shiprail.yaml`: the one file that describes a monorepo's release model.
//!
//! It sits at the repository root and declares the services (their paths, what they depend
//! on, their chart, image and Dockerfile), the branch naming rules, the version and tag
//! policy, the registry, the promotion naming and the environments:
//!
//! ```yaml
//! registry: myrepo.azurecr.io
//! services:
//!   delivery:
//!     paths: {include: ["src/shipping/delivery/**"], exclude: ["**/*.md"]}
//!     depends_on: ["libs/common/**"]
//!     chart: charts/delivery
//!     image: delivery
//!     dockerfile: src/shipping/delivery/Dockerfile
//! environments:
//!   prod: {cluster: prod-aks, namespace: shipping, registry_namespace: prod, production: true,
//!          approval: {required: true}}
//! ```
//!
//! Every section but `services` has defaults (the scenario's), so the smallest valid file lists
//! services only. Unknown keys are errors, and every error carries the file, line and column.
//! The JSON Schema of the file ([`Config::json_schema`]) is published in `docs/`.
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::from_yaml_str(
//!     "services:\n  delivery:\n    paths: {include: ['src/shipping/delivery/**']}\n",
//! )?;
//! assert_eq!(config.service_names(), ["delivery"]);
//!
//! let err = Config::from_yaml_str("services:\n  delivery:\n    path: {}\n").unwrap_err();
//! assert_eq!(err.code(), "config_syntax");
//! assert_eq!(err.location().map(|l| (l.line, l.column)), Some((3, 5)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod environment;
mod located;
mod paths;
mod service;

pub use environment::{Approval, Duration, Environment};
pub use located::Located;
pub(crate) use located::{utf8_text, yaml_error};
pub use paths::{PathGlob, RepoPath};
pub use service::{Dependency, PathFilter, Service, ServiceDependency, ServiceName};

use crate::branch::BranchRules;
use crate::error::{Error, ErrorKind, Result};
use crate::image::PromotionTemplate;
use crate::suggest;
use crate::tag::TagPolicy;
use crate::version::VersionPolicy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The default file name, looked up at the repository root.
pub const FILE_NAME: &str = "shiprail.yaml";

/// The largest configuration file accepted (a guard against feeding shiprail a wrong file).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The whole of `shiprail.yaml`.
///
/// `Config::default()` is the scenario's rules with no services declared: what commands use when
/// there is no configuration file, accepting any well-formed service name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "shiprail.yaml",
    description = "A monorepo's services and release rules: branches, versions, tags, promotion, environments."
)]
pub struct Config {
    /// The registry images are pushed to and promoted within (`myrepo.azurecr.io`,
    /// `127.0.0.1:5000`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Located<String>>,
    /// The services of the monorepo, by name.
    pub services: BTreeMap<ServiceName, Service>,
    /// Branch naming rules.
    #[serde(default)]
    pub branches: BranchRules,
    /// How versions are written, bumped and pre-released.
    #[serde(default)]
    pub versioning: VersionPolicy,
    /// How image tags, chart versions and git tags follow from a release version.
    #[serde(default)]
    pub tags: TagPolicy,
    /// How images are named when promoted into an environment's registry namespace.
    #[serde(default)]
    pub promotion: Promotion,
    /// Deployment environments, by name (`dev`, `qa`, `staging`, `prod`).
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    /// Which pipeline kind each event runs, and what each kind does (see [`crate::plan`]).
    #[serde(default)]
    pub pipelines: crate::plan::Pipelines,
}

/// Promotion naming.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    /// The destination of a promoted image, from the source's parts and the target
    /// environment's `registry_namespace`.
    #[serde(default)]
    pub template: PromotionTemplate,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: impl AsRef<Path>) -> Result<Config> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
        if meta.len() > MAX_FILE_SIZE {
            return Err(Error::new(
                ErrorKind::ConfigSyntax,
                format!(
                    "`{}` is {} bytes; a configuration file is at most {MAX_FILE_SIZE} bytes",
                    path.display(),
                    meta.len()
                ),
            )
            .in_file(path));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        Config::from_yaml_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// Parses and validates configuration bytes (UTF-8 required; a leading BOM is ignored).
    pub fn from_yaml_bytes(bytes: &[u8]) -> Result<Config> {
        Config::from_yaml_str(located::utf8_text(bytes)?)
    }

    /// Parses and validates configuration text.
    pub fn from_yaml_str(text: &str) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::ConfigSyntax,
                "the configuration is empty: at least `services:` is required",
            ));
        }
        let config: Config = serde_saphyr::from_str(text).map_err(|e| located::yaml_error(&e))?;
        config.validate()?;
        Ok(config)
    }

    /// The declared service names, sorted.
    pub fn service_names(&self) -> Vec<&str> {
        self.services.keys().map(ServiceName::as_str).collect()
    }

    /// A declared service, or an `unknown_service` error with a suggestion.
    pub fn service(&self, name: &str) -> Result<&Service> {
        self.services.get(name).ok_or_else(|| {
            let mut err = Error::new(
                ErrorKind::UnknownService,
                format!(
                    "unknown service `{}`: the configuration declares {}",
                    name.escape_debug(),
                    list(self.service_names())
                ),
            )
            .with_input(name);
            if let Some(s) = suggest::closest(name, self.service_names()) {
                err = err.with_suggestion(s);
            }
            err
        })
    }

    /// A declared environment, or an `unknown_environment` error with a suggestion.
    pub fn environment(&self, name: &str) -> Result<&Environment> {
        self.environments.get(name).ok_or_else(|| {
            let names: Vec<&str> = self.environments.keys().map(String::as_str).collect();
            let mut err = Error::new(
                ErrorKind::UnknownEnvironment,
                format!(
                    "unknown environment `{}`: the configuration declares {}",
                    name.escape_debug(),
                    list(names.clone())
                ),
            )
            .with_input(name);
            if let Some(s) = suggest::closest(name, names) {
                err = err.with_suggestion(s);
            }
            err
        })
    }

    /// The image repository of a service (`myrepo.azurecr.io/delivery`): its `image` joined to
    /// the registry when it is relative, the service name when it has none.
    pub fn image_repository(&self, service: &str) -> Result<String> {
        let svc = self.service(service)?;
        let image = svc.image.as_ref().map_or(service, |i| i.as_str());
        Ok(match &self.registry {
            Some(registry) if !has_registry(image) => format!("{}/{image}", registry.as_str()),
            _ => image.to_string(),
        })
    }

    /// The services that `service` depends on, directly or through other services.
    pub fn service_dependencies(&self, service: &str) -> Result<BTreeSet<&str>> {
        self.service(service)?;
        let mut seen = BTreeSet::new();
        let mut stack = vec![service];
        while let Some(current) = stack.pop() {
            let Some(svc) = self.services.get(current) else {
                continue;
            };
            for dep in &svc.depends_on {
                if let Dependency::Service(d) = dep.value()
                    && seen.insert(d.service.as_str())
                {
                    stack.push(d.service.as_str());
                }
            }
        }
        seen.remove(service);
        Ok(seen)
    }

    /// Checks what the schema cannot: references between sections, cycles, and the policies'
    /// own consistency.
    pub fn validate(&self) -> Result<()> {
        if self.services.is_empty() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "`services` is empty: declare at least one service",
            ));
        }
        for (name, svc) in &self.services {
            if svc.paths.include.is_empty() {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "service `{name}` has no `paths.include`: no change could ever affect it"
                    ),
                ));
            }
            for dep in &svc.depends_on {
                if let Dependency::Service(d) = dep.value() {
                    if d.service.as_str() == name.as_str() {
                        return Err(dep.locate(Error::new(
                            ErrorKind::ConfigInvalid,
                            format!("service `{name}` depends on itself"),
                        )));
                    }
                    if !self.services.contains_key(d.service.as_str()) {
                        let mut err = Error::new(
                            ErrorKind::ConfigInvalid,
                            format!(
                                "service `{name}` depends on `{}`, which is not a declared service",
                                d.service
                            ),
                        )
                        .with_input(d.service.as_str());
                        if let Some(s) = suggest::closest(d.service.as_str(), self.service_names())
                        {
                            err = err.with_suggestion(s);
                        }
                        return Err(dep.locate(err));
                    }
                }
            }
            if let Some(image) = &svc.image {
                self.check_image(name, image)?;
            }
        }
        self.check_cycles()?;
        if let Some(registry) = &self.registry {
            check_registry(registry)?;
        }
        for (name, env) in &self.environments {
            check_environment(name, env)?;
        }
        self.branches.validate()?;
        self.tags.validate()?;
        crate::plan::validate_config(self)?;
        Ok(())
    }

    fn check_image(&self, service: &ServiceName, image: &Located<String>) -> Result<()> {
        let bad = |why: &str| {
            image.locate(
                Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "service `{service}` has image `{}`: {why}",
                        image.as_str().escape_debug()
                    ),
                )
                .with_input(image.as_str()),
            )
        };
        if image.contains(['@'])
            || image
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains(':'))
        {
            return Err(bad(
                "give the repository only; tags and digests follow from the release version",
            ));
        }
        let full = match &self.registry {
            Some(registry) if !has_registry(image) => {
                format!("{}/{}", registry.as_str(), image.as_str())
            }
            _ => image.to_string(),
        };
        full.parse::<crate::image::ImageReference>()
            .map_err(|e| bad(e.message()))?;
        Ok(())
    }

    fn check_cycles(&self) -> Result<()> {
        for name in self.services.keys() {
            let deps = self.service_dependencies(name.as_str())?;
            // A service reached from itself through others is a cycle.
            for dep in &deps {
                if let Some(svc) = self.services.get(*dep)
                    && svc.depends_on.iter().any(|d| {
                        matches!(d.value(), Dependency::Service(s) if s.service.as_str() == name.as_str())
                    })
                {
                    return Err(Error::new(
                        ErrorKind::ConfigInvalid,
                        format!("services `{name}` and `{dep}` depend on each other (a cycle)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The JSON Schema of `shiprail.yaml`, as published in `docs/shiprail.schema.json`.
    pub fn json_schema() -> serde_json::Value {
        let schema = schemars::schema_for!(Config);
        serde_json::to_value(&schema).unwrap_or_default()
    }
}

/// Whether an image string starts with a registry host (a first segment holding `.` or `:`, or
/// `localhost`), as the docker reference grammar decides.
fn has_registry(image: &str) -> bool {
    match image.split_once('/') {
        Some((first, _)) => first.contains(['.', ':']) || first == "localhost",
        None => false,
    }
}

fn check_registry(registry: &Located<String>) -> Result<()> {
    let host = registry.as_str();
    let probe = format!("{host}/probe");
    let valid = !host.contains('/')
        && has_registry(&probe)
        && probe.parse::<crate::image::ImageReference>().is_ok();
    if valid {
        Ok(())
    } else {
        Err(registry.locate(
            Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "invalid registry `{}`: expected a host name with a `.` or a port, or `localhost` (e.g. `myrepo.azurecr.io`, `127.0.0.1:5000`)",
                    host.escape_debug()
                ),
            )
            .with_input(host),
        ))
    }
}

fn check_environment(name: &str, env: &Environment) -> Result<()> {
    let bad = |why: String| {
        Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!("environment `{name}`: {why}"),
        ))
    };
    if name.parse::<ServiceName>().is_err() {
        return bad(
            "an environment name is a DNS-1123 label (lowercase letters, digits, `-`)".into(),
        );
    }
    if env.cluster.trim().is_empty() {
        return bad("`cluster` cannot be empty".into());
    }
    if env.namespace.parse::<ServiceName>().is_err() {
        return bad(format!(
            "namespace `{}` is not a valid Kubernetes namespace (a DNS-1123 label)",
            env.namespace.escape_debug()
        ));
    }
    if !env.registry_namespace.is_empty()
        && format!("example.io/{}/x", env.registry_namespace)
            .parse::<crate::image::ImageReference>()
            .is_err()
    {
        return bad(format!(
            "registry_namespace `{}` is not a valid repository path (lowercase components separated by `/`)",
            env.registry_namespace.escape_debug()
        ));
    }
    if env.approval.required && env.approval.reviewers == 0 {
        return bad("an approval that is required needs at least 1 reviewer".into());
    }
    Ok(())
}

fn list(names: Vec<&str>) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
