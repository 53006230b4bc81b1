//! A service of the monorepo: its name, the paths that belong to it, what it depends on, and
//! where its chart, image and Dockerfile are.

use super::located::Located;
use super::paths::{PathGlob, RepoPath, string_serde};
use crate::error::{Error, ErrorKind};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The name of a service: a DNS-1123 label (`[a-z0-9]([a-z0-9-]*[a-z0-9])?`, at most 63
/// characters), because it ends up in branch names, image repositories, chart names and
/// Kubernetes release names.
///
/// ```
/// use shiprail::config::ServiceName;
/// assert_eq!("dronescheduler".parse::<ServiceName>()?.as_str(), "dronescheduler");
/// assert!("Delivery".parse::<ServiceName>().is_err());
/// assert!("-delivery".parse::<ServiceName>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceName(String);

impl ServiceName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServiceName {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let valid = !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if valid {
            Ok(ServiceName(s.to_string()))
        } else {
            let mut err = Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "invalid service name `{}`: a service name is a DNS-1123 label (lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters)",
                    s.escape_debug()
                ),
            )
            .with_input(s);
            let lower = s.to_ascii_lowercase().replace(['_', '.', ' '], "-");
            if lower != s && lower.parse::<ServiceName>().is_ok() {
                err = err.with_suggestion(lower);
            }
            Err(err)
        }
    }
}

string_serde!(
    ServiceName,
    "ServiceName",
    "A service name: a DNS-1123 label (lowercase letters, digits, `-`)."
);

impl std::borrow::Borrow<str> for ServiceName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// The paths that belong to a service: a path is the service's when it matches an `include`
/// glob and no `exclude` glob.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathFilter {
    /// Globs of the paths that belong to the service.
    #[serde(default)]
    pub include: Vec<PathGlob>,
    /// Globs of paths that never belong to it, even when an include matches (docs, say).
    #[serde(default)]
    pub exclude: Vec<PathGlob>,
}

impl PathFilter {
    /// Whether `path` belongs: some include matches and no exclude does.
    pub fn is_match(&self, path: &str) -> bool {
        self.include.iter().any(|g| g.is_match(path))
            && !self.exclude.iter().any(|g| g.is_match(path))
    }
}

/// Something a service depends on: a change to it counts as a change to the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Dependency {
    /// Shared paths, as a glob (`libs/common/**`).
    Path(PathGlob),
    /// Another service of the monorepo (`{service: ingestion}`): its changes trigger this one.
    Service(ServiceDependency),
}

/// The mapping form of a service dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDependency {
    /// The service depended on.
    pub service: Located<ServiceName>,
}

/// One service of the monorepo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The source paths of the service.
    pub paths: PathFilter,
    /// Shared paths or other services whose changes also affect this service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Located<Dependency>>,
    /// The Helm chart folder of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<RepoPath>,
    /// The image repository, relative to the configured registry (`delivery`) or in full
    /// (`myrepo.azurecr.io/delivery`). Defaults to the service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Located<String>>,
    /// The Dockerfile that builds the runtime image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<RepoPath>,
}
