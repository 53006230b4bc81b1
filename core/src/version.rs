//! Release versions: strict SemVer 2.0 with an optional `v` prefix on input.
//!
//! (Being extended: policy, pre-release counters, conventional commits, monotonicity.)

use crate::error::{Error, ErrorKind};
use std::fmt;
use std::str::FromStr;

/// A release version: strict SemVer 2.0 (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`).
///
/// A leading `v` is accepted on input and dropped: `v1.0.2` and `1.0.2` are the same version,
/// displayed as `1.0.2`. Ordering is SemVer precedence, with build metadata as a final
/// tie-breaker so that the order is total and consistent with equality.
///
/// ```
/// use shiprail::version::ReleaseVersion;
/// let v: ReleaseVersion = "v1.0.2".parse()?;
/// assert_eq!(v.to_string(), "1.0.2");
/// assert!(v < "1.0.10".parse()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReleaseVersion(semver::Version);

impl ReleaseVersion {
    /// Wraps a `semver::Version`.
    pub fn new(version: semver::Version) -> Self {
        ReleaseVersion(version)
    }

    /// The underlying SemVer value.
    pub fn semver(&self) -> &semver::Version {
        &self.0
    }

    /// Whether this is a pre-release (`1.0.3-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }
}

impl FromStr for ReleaseVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let body = s.strip_prefix('v').unwrap_or(s);
        semver::Version::parse(body).map(ReleaseVersion).map_err(|e| {
            Error::new(
                ErrorKind::InvalidVersion,
                format!("`{}` is not a SemVer 2.0 version: {e}", s.escape_debug()),
            )
            .with_input(s)
        })
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl serde::Serialize for ReleaseVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ReleaseVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for ReleaseVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ReleaseVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A SemVer 2.0 version, optionally prefixed with `v`."
        })
    }
}
