//! Platforms of a multi-architecture image (`linux/amd64`, `linux/arm/v7`).

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// A platform `os/architecture[/variant]`, as image indexes describe their entries.
///
/// A platform without a variant matches entries of any variant of its architecture
/// (`linux/arm` matches `linux/arm/v7`); with a variant, the variant must be equal. Components
/// are lowercase ASCII letters, digits, `_`, `.` and `-`.
///
/// ```
/// use shiprail::registry::Platform;
/// let arm: Platform = "linux/arm".parse()?;
/// assert!(arm.matches("linux", "arm", Some("v7")));
/// let v7: Platform = "linux/arm/v7".parse()?;
/// assert!(!v7.matches("linux", "arm", Some("v6")));
/// assert_eq!(v7.to_string(), "linux/arm/v7");
/// assert!("linux".parse::<Platform>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl Platform {
    /// The operating system (`linux`).
    pub fn os(&self) -> &str {
        &self.os
    }

    /// The CPU architecture (`amd64`).
    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// The variant (`v7`), when one is required.
    pub fn variant(&self) -> Option<&str> {
        self.variant.as_deref()
    }

    /// Whether an index entry of this os, architecture and variant is selected.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == architecture
            && (self.variant.is_none() || self.variant.as_deref() == variant)
    }
}

impl FromStr for Platform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Platform> {
        let parts: Vec<&str> = s.split('/').collect();
        let valid = |p: &&str| {
            !p.is_empty()
                && p.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
                })
        };
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(valid) {
            let shown: String = s.chars().take(200).collect();
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{}` is not a platform: expected `os/architecture[/variant]` in lowercase, e.g. `linux/amd64` or `linux/arm/v7`",
                    shown.escape_debug()
                ),
            )
            .with_input(s));
        }
        Ok(Platform {
            os: parts[0].to_string(),
            architecture: parts[1].to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl serde::Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Platform {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Platform {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Platform".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A platform `os/architecture[/variant]`, e.g. `linux/amd64`.",
            "pattern": "^[a-z0-9_.-]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?$"
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("linux/amd64", Some("linux/amd64")),
            ("linux/arm/v7", Some("linux/arm/v7")),
            ("windows/amd64", Some("windows/amd64")),
            ("linux", None),
            ("linux/amd64/v8/x", None),
            ("Linux/amd64", None),
            ("linux//v7", None),
            ("", None),
            ("linux/amd64\n", None),
            ("linux/ämd64", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<Platform>().ok().map(|p| p.to_string());
            assert_eq!(got.as_deref(), *want, "{input:?}");
        }
        assert_eq!(
            "linux".parse::<Platform>().unwrap_err().to_string(),
            "`linux` is not a platform: expected `os/architecture[/variant]` in lowercase, e.g. `linux/amd64` or `linux/arm/v7`"
        );
    }
}
