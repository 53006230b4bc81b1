//! Paths and path globs written in shiprail.yaml.
//!
//! Globs use the GitHub Actions filter syntax (`*` within one path segment, `**` across
//! segments, `?` one character, `[...]` a class), always relative to the repository root.
//! The config keeps includes and excludes in separate lists, so a leading `!` (GitHub's
//! negation) is refused with a pointer to `exclude`.

use crate::error::{Error, ErrorKind};
use crate::trigger::github::GithubPattern;
use std::str::FromStr;

/// A path glob relative to the repository root, validated when it is read.
///
/// ```
/// use shiprail::config::PathGlob;
/// let glob: PathGlob = "src/shipping/delivery/**".parse()?;
/// assert!(glob.is_match("src/shipping/delivery/Program.cs"));
/// assert!(!glob.is_match("src/shipping/package/index.js"));
/// assert!("/src/**".parse::<PathGlob>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Parsing checks the syntax only; the single-glob matcher behind [`PathGlob::is_match`] is
/// compiled on first use, so loading a configuration of thousands of globs stays cheap (the
/// affected-services matcher compiles all of them together instead).
#[derive(Clone)]
pub struct PathGlob {
    pattern: GithubPattern,
}

impl PathGlob {
    /// The glob as written.
    pub fn as_str(&self) -> &str {
        self.pattern.as_str()
    }

    /// The compiled GitHub Actions pattern.
    pub fn pattern(&self) -> &GithubPattern {
        &self.pattern
    }

    /// Whether a repository-relative path (with `/` separators) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.pattern.is_match(path)
    }
}

fn pattern_error(input: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidPattern,
        format!("invalid path glob `{}`: {why}", input.escape_debug()),
    )
    .with_input(input)
}

impl FromStr for PathGlob {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s.is_empty() {
            return Err(pattern_error(s, "a glob cannot be empty"));
        }
        if s.chars().any(char::is_control) {
            return Err(pattern_error(s, "control characters are not allowed"));
        }
        if s.starts_with('/') {
            return Err(pattern_error(
                s,
                "globs are relative to the repository root and cannot start with `/`",
            )
            .with_suggestion(s.trim_start_matches('/')));
        }
        if let Some(rest) = s.strip_prefix("./") {
            return Err(pattern_error(
                s,
                "globs are relative to the repository root; drop the leading `./`",
            )
            .with_suggestion(rest));
        }
        if s.starts_with('!') {
            return Err(pattern_error(
                s,
                "negation is written as an entry of `exclude`, not with a leading `!`",
            ));
        }
        if s.split('/').any(|segment| segment == "..") {
            return Err(pattern_error(
                s,
                "`..` segments cannot match a repository path",
            ));
        }
        let pattern = GithubPattern::parse(s).map_err(|e| {
            let why = e
                .message()
                .split_once("`: ")
                .map_or(e.message(), |(_, why)| why);
            pattern_error(s, why)
        })?;
        Ok(PathGlob { pattern })
    }
}

/// A relative path inside the repository (a chart folder, a Dockerfile), validated so that it
/// can never point outside the repository.
///
/// ```
/// use shiprail::config::RepoPath;
/// assert_eq!("charts/delivery/".parse::<RepoPath>()?.as_str(), "charts/delivery");
/// assert!("../outside".parse::<RepoPath>().is_err());
/// assert!("/etc/passwd".parse::<RepoPath>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    /// The normalised path (no leading `./`, no trailing `/`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RepoPath {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let err = |why: &str| {
            Error::new(
                ErrorKind::ConfigInvalid,
                format!("invalid repository path `{}`: {why}", s.escape_debug()),
            )
            .with_input(s)
        };
        let trimmed = s.strip_prefix("./").unwrap_or(s).trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(err("a path cannot be empty"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(err("control characters are not allowed"));
        }
        if trimmed.starts_with('/') || trimmed.contains('\\') || trimmed.get(1..2) == Some(":") {
            return Err(err(
                "paths are relative to the repository root, with `/` separators",
            ));
        }
        if trimmed.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            return Err(err("paths cannot contain `..` or empty segments"));
        }
        Ok(RepoPath(trimmed.to_string()))
    }
}

macro_rules! string_serde {
    ($ty:ty, $name:literal, $description:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{:?}", self.as_str())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "description": $description })
            }
        }
    };
}

string_serde!(
    PathGlob,
    "PathGlob",
    "A path glob relative to the repository root (GitHub Actions syntax: `*` within a segment, `**` across segments)."
);

impl PartialEq for PathGlob {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for PathGlob {}

string_serde!(
    RepoPath,
    "RepoPath",
    "A path relative to the repository root, without `..`."
);
pub(crate) use string_serde;
