//! # Release tags
//!
//! One release version gives every other name of a release: the image tag, the Helm chart
//! version and appVersion, the git tag, and the tag under which the chart is pushed to an OCI
//! registry. The `tags:` section of `shiprail.yaml` ([`TagPolicy`]) holds the templates; this
//! module derives the names, refuses mutable tags, and reads git tags back into
//! (service, version) pairs.
//!
//! ## Templates
//!
//! A [`TagTemplate`] is literal text with the placeholders `{service}` and `{version}`:
//! `{version}` exactly once, `{service}` at most once, the two never adjacent (a literal
//! separates them so a tag can be split back), and literal text limited to ASCII letters,
//! digits, `.`, `_`, `/` and `-`, arranged so that every rendered tag is a valid git tag name.
//! A literal between the placeholders must hold a non-digit, and when `{version}` comes first it
//! must hold `/` or `_`, because a pre-release (`1.0.0-rc-x`) can contain any `-`-joined text.
//! Anything else is [`ErrorKind::InvalidTemplate`].
//!
//! ```
//! use shiprail::tag::TagTemplate;
//! for ok in ["{service}-v{version}", "{service}/v{version}", "v{version}", "{version}_{service}"] {
//!     assert_eq!(ok.parse::<TagTemplate>()?.to_string(), ok);
//! }
//! assert_eq!(
//!     "{service}{version}".parse::<TagTemplate>().unwrap_err().to_string(),
//!     "`{service}{version}` is not a valid tag template: {service} and {version} are adjacent; \
//!      separate them with a literal such as `-v` so that a tag can be split back"
//! );
//! assert!("{service}-v".parse::<TagTemplate>().is_err());
//! assert!("{version}-{service}".parse::<TagTemplate>().is_err());
//! assert!("{service}:{version}".parse::<TagTemplate>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Rendering and parsing
//!
//! [`TagTemplate::render`] writes the version without `v` (the template carries its own).
//! [`TagTemplate::parse`] reads a tag back: the version must be strict SemVer 2.0, and the
//! service a name as it appears in tags (ASCII letters, digits, `-`, `_`, starting with a
//! letter or digit, no `.`). Because service names hold no `.` and a version starts with
//! `N.N.N`, rendering then parsing gives back the same service and version: `api-v2-v1.0.0` is
//! `api-v2` 1.0.0 and `api-v2.0.0` is `api` 2.0.0.
//!
//! ```
//! use shiprail::tag::TagTemplate;
//! use shiprail::version::ReleaseVersion;
//! let t: TagTemplate = "{service}-v{version}".parse()?;
//! let v: ReleaseVersion = "1.0.2".parse()?;
//! assert_eq!(t.render("delivery", &v), "delivery-v1.0.2");
//! assert_eq!(t.parse("delivery-v1.0.2"), Some((Some("delivery".to_string()), v)));
//! assert_eq!(t.parse("api-v2-v1.0.0").map(|(s, v)| (s, v.to_string())),
//!            Some((Some("api-v2".to_string()), "1.0.0".to_string())));
//! assert_eq!(t.parse("delivery-1.0.2"), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Derived names
//!
//! [`TagPolicy::derive`] gives a release's [`ReleaseTags`]. With the defaults, release branch
//! `release/delivery/v1.0.2` gives image tag `v1.0.2`, chart version and appVersion `1.0.2`,
//! git tag `delivery-v1.0.2`. The chart version is always exactly the version, since Helm
//! requires SemVer 2.0 there.
//!
//! ```
//! use shiprail::tag::TagPolicy;
//! let tags = TagPolicy::default().derive("delivery", &"1.0.2".parse()?)?;
//! assert_eq!(
//!     serde_json::to_string(&tags)?,
//!     r#"{"version":"1.0.2","image_tag":"v1.0.2","chart_version":"1.0.2","app_version":"1.0.2","git_tag":"delivery-v1.0.2","chart_oci_tag":"1.0.2"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## OCI tags and build metadata
//!
//! An OCI tag is `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`: no `+`. Helm pushes chart `1.0.2+build.5`
//! under tag `1.0.2_build.5` ([`chart_oci_tag`]); the image tag follows the same mapping rather
//! than refusing build metadata, so a CI build `1.0.2+sha.abc1234` is pushed as
//! `v1.0.2_sha.abc1234`. SemVer never contains `_`, so [`chart_version_from_oci_tag`] inverts
//! the mapping. Git tags, chart versions and appVersions keep the `+`.
//!
//! ```
//! use shiprail::tag::{chart_oci_tag, chart_version_from_oci_tag, TagPolicy};
//! assert_eq!(chart_oci_tag("1.0.2+build.5"), "1.0.2_build.5");
//! assert_eq!(chart_version_from_oci_tag("1.0.2_build.5"), "1.0.2+build.5");
//! let tags = TagPolicy::default().derive("delivery", &"1.0.2+sha.abc1234".parse()?)?;
//! assert_eq!(tags.image_tag, "v1.0.2_sha.abc1234");
//! assert_eq!(tags.git_tag, "delivery-v1.0.2+sha.abc1234");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Mutable tags
//!
//! Tags that move (`latest`, `stable`, `edge`, `dev`, `main`, `master`, `nightly` by default,
//! [`TagPolicy::mutable`]) are refused everywhere, case-insensitively, with
//! [`ErrorKind::MutableTag`]: a release is only ever named by something that never changes.
//!
//! ```
//! use shiprail::tag::TagPolicy;
//! let policy = TagPolicy::default();
//! assert!(policy.check_immutable("v1.0.2").is_ok());
//! assert_eq!(
//!     policy.check_immutable("Latest").unwrap_err().to_string(),
//!     "`Latest` is a mutable tag (tags.mutable lists `latest`): a release is only named by tags \
//!      that never move, such as `v1.0.2`"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Attribution
//!
//! [`TagPolicy::attribute`] finds the one declared service a git tag belongs to (a leading
//! `refs/tags/` is ignored). Several matching services are [`ErrorKind::AmbiguousTag`]; a tag
//! of the right shape naming an undeclared service is [`ErrorKind::UnknownService`] (with the
//! closest declared name as suggestion); any other tag is [`ErrorKind::InvalidTag`]. A template
//! without `{service}` attributes every tag to the only service, and is ambiguous when there
//! are several. [`TagPolicy::released_versions`] collects one service's versions from any list
//! of tags, ignoring the others.
//!
//! ```
//! use shiprail::tag::TagPolicy;
//! let policy = TagPolicy::default();
//! let services = ["delivery", "dronescheduler", "ingestion", "package", "workflow"];
//! let (service, version) = policy.attribute("refs/tags/delivery-v1.0.2", &services)?;
//! assert_eq!((service.as_str(), version.to_string().as_str()), ("delivery", "1.0.2"));
//! assert_eq!(
//!     policy.attribute("delivry-v1.0.2", &services).unwrap_err().to_string(),
//!     "`delivry-v1.0.2` is a tag of service `delivry`, which is not declared (did you mean `delivery`?)"
//! );
//! let tags = ["delivery-v1.0.10", "package-v2.0.0", "delivery-v1.0.2", "latest", "delivery-v1.0.3-rc.1"];
//! let versions = policy.released_versions("delivery", &tags, &services);
//! let versions: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
//! assert_eq!(versions, ["1.0.2", "1.0.3-rc.1", "1.0.10"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::version::ReleaseVersion;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Literal(String),
    Service,
    Version,
}

/// A naming template such as `{service}-v{version}` (see the module section "Templates").
///
/// Parsed from and displayed as its text; serialized as a string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagTemplate {
    parts: Vec<Part>,
}

/// Whether `c` may appear in the literal text of a template.
fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-')
}

/// Whether `c` may appear in a SemVer 2.0 version.
fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')
}

/// Whether `s` is a service name as it may appear in a tag: ASCII letters, digits, `-` and
/// `_`, starting with a letter or digit. No `.`, which keeps tags unambiguous.
fn is_service_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A near-miss suggestion, skipped for long inputs (no real name is that long, and the edit
/// distance is quadratic).
fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if input.len() > 64 {
        return None;
    }
    crate::suggest::closest(input, candidates)
}

/// Strict SemVer 2.0 (no `v`): the version part of a tag.
fn strict_version(s: &str) -> Option<ReleaseVersion> {
    semver::Version::parse(s).ok().map(ReleaseVersion::new)
}

/// Why `s` is not a valid git tag name (git check-ref-format rules, plus no leading `-` so that
/// the tag cannot be read as a command-line option), or `None` when it is valid.
fn git_tag_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("it is empty");
    }
    if s.chars().any(|c| c.is_control()) {
        return Some("it contains a control character");
    }
    if s.contains([' ', '~', '^', ':', '?', '*', '[', '\\']) {
        return Some("it contains a space or one of ~ ^ : ? * [ \\");
    }
    if s.contains("..") {
        return Some("it contains `..`");
    }
    if s.contains("@{") || s == "@" {
        return Some("it contains `@{` or is `@`");
    }
    if s.starts_with('-') {
        return Some("it starts with `-`");
    }
    if s.ends_with('.') {
        return Some("it ends with `.`");
    }
    for component in s.split('/') {
        if component.is_empty() {
            return Some("it has an empty path component");
        }
        if component.starts_with('.') {
            return Some("a path component starts with `.`");
        }
        if component.ends_with(".lock") {
            return Some("a path component ends with `.lock`");
        }
    }
    None
}

/// Why `s` is not a valid OCI tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`), or `None`.
fn oci_tag_problem(s: &str) -> Option<&'static str> {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if !first_ok {
        return Some("an OCI tag starts with an ASCII letter, digit or `_`");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Some("an OCI tag holds only ASCII letters, digits, `.`, `_` and `-`");
    }
    if s.len() > 128 {
        return Some("an OCI tag is at most 128 characters long");
    }
    None
}

impl TagTemplate {
    /// A template from parts known to be valid (for the built-in defaults).
    fn builtin(parts: &[Part]) -> TagTemplate {
        TagTemplate {
            parts: parts.to_vec(),
        }
    }

    /// Whether the template has a `{service}` placeholder: without one, tags cannot tell
    /// services apart, which only suits a repository with one service.
    pub fn has_service(&self) -> bool {
        self.parts.contains(&Part::Service)
    }

    /// The tag of `service` at `version` (written without `v`; the template carries its own).
    pub fn render(&self, service: &str, version: &ReleaseVersion) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Service => out.push_str(service),
                Part::Version => out.push_str(&version.to_string()),
            }
        }
        out
    }

    /// The service (when the template names one) and version that `tag` was rendered from, or
    /// `None` when it does not fit the template. The version must be strict SemVer 2.0 and the
    /// service a name as it may appear in a tag (ASCII letters, digits, `-`, `_`, starting with
    /// a letter or digit). Render then parse round-trips for such names.
    pub fn parse(&self, tag: &str) -> Option<(Option<String>, ReleaseVersion)> {
        let (prefix, inner, suffix) = self.split_outer();
        let middle = tag.strip_prefix(prefix)?.strip_suffix(suffix)?;
        match inner {
            [Part::Version] => strict_version(middle).map(|v| (None, v)),
            [Part::Version, Part::Literal(sep), Part::Service] => {
                // The separator holds a character no version can, so its first occurrence
                // ends the version.
                let at = middle.find(sep.as_str())?;
                let service = &middle[at + sep.len()..];
                let version = strict_version(&middle[..at])?;
                is_service_name(service).then(|| (Some(service.to_string()), version))
            }
            [Part::Service, Part::Literal(sep), Part::Version] => {
                // The service ends at a separator; it can only extend as far as the first
                // character a service name cannot hold. The leftmost split whose remainder is a
                // version wins (and is the only one, since service names hold no `.`).
                let limit = middle
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(middle.len());
                let mut from = 0;
                while let Some(offset) = middle.get(from..).and_then(|m| m.find(sep.as_str())) {
                    let at = from + offset;
                    if at > limit {
                        break;
                    }
                    // Every character before `limit` may be in a service name, so only the
                    // first one needs checking (keeps this linear on hostile input).
                    let service = &middle[..at];
                    if service.starts_with(|c: char| c.is_ascii_alphanumeric())
                        && let Some(version) = strict_version(&middle[at + sep.len()..])
                    {
                        return Some((Some(service.to_string()), version));
                    }
                    from = at + 1;
                    while !middle.is_char_boundary(from) {
                        from += 1;
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The version of `tag` when it is the tag of `service` under this template, or `None`.
    /// `service` is taken literally (no name rules), so a caller can check its own list.
    pub fn parse_for_service(&self, tag: &str, service: &str) -> Option<ReleaseVersion> {
        if !self.has_service() {
            return self.parse(tag).map(|(_, v)| v);
        }
        let mut before = String::new();
        let mut after = String::new();
        let mut seen_version = false;
        for part in &self.parts {
            let text = match part {
                Part::Literal(l) => l.as_str(),
                Part::Service => service,
                Part::Version => {
                    seen_version = true;
                    continue;
                }
            };
            if seen_version {
                after.push_str(text);
            } else {
                before.push_str(text);
            }
        }
        let middle = tag
            .strip_prefix(before.as_str())?
            .strip_suffix(after.as_str())?;
        strict_version(middle)
    }

    /// (leading literal, placeholders with their separator, trailing literal).
    fn split_outer(&self) -> (&str, &[Part], &str) {
        let mut inner = self.parts.as_slice();
        let mut prefix = "";
        let mut suffix = "";
        if let [Part::Literal(l), rest @ ..] = inner {
            prefix = l;
            inner = rest;
        }
        if let [rest @ .., Part::Literal(l)] = inner {
            suffix = l;
            inner = rest;
        }
        (prefix, inner, suffix)
    }

    /// The literal text of the template, placeholders left out.
    fn literals(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Literal(l) => Some(l.as_str()),
            _ => None,
        })
    }
}

impl FromStr for TagTemplate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let err = |reason: String| {
            Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "`{}` is not a valid tag template: {reason}",
                    s.escape_debug()
                ),
            )
            .with_input(s)
        };
        if s.is_empty() {
            return Err(err(
                "it is empty; a template has {version} and usually {service}, e.g. `{service}-v{version}`".to_string(),
            ));
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut literal = String::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if c == '{' {
                let Some(end) = rest.find('}') else {
                    return Err(err("a `{` is never closed".to_string()));
                };
                let name = &rest[1..end];
                let part = match name {
                    "service" => Part::Service,
                    "version" => Part::Version,
                    _ => {
                        let mut e = err(format!(
                            "`{{{}}}` is not a placeholder; the placeholders are {{service}} and {{version}}",
                            name.escape_debug()
                        ));
                        if let Some(c) = suggest(name, ["service", "version"]) {
                            e = e.with_suggestion(format!("{{{c}}}"));
                        }
                        return Err(e);
                    }
                };
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                } else if let Some(previous @ (Part::Service | Part::Version)) = parts.last() {
                    let name_of = |p: &Part| {
                        if *p == Part::Service {
                            "{service}"
                        } else {
                            "{version}"
                        }
                    };
                    return Err(err(format!(
                        "{} and {} are adjacent; separate them with a literal such as `-v` so that a tag can be split back",
                        name_of(previous),
                        name_of(&part)
                    )));
                }
                parts.push(part);
                rest = &rest[end + 1..];
                continue;
            }
            if c == '}' {
                return Err(err("a `}` closes no placeholder".to_string()));
            }
            if !is_literal_char(c) {
                return Err(err(format!(
                    "`{}` cannot appear in a tag; literal text is ASCII letters, digits, `.`, `_`, `/` and `-`",
                    c.escape_debug()
                )));
            }
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let versions = parts.iter().filter(|p| **p == Part::Version).count();
        let services = parts.iter().filter(|p| **p == Part::Service).count();
        if versions == 0 {
            return Err(err(
                "it has no {version}, and every release tag names its version".to_string(),
            ));
        }
        if versions > 1 {
            return Err(err(format!(
                "{{version}} appears {versions} times; it must appear exactly once"
            )));
        }
        if services > 1 {
            return Err(err(format!(
                "{{service}} appears {services} times; it may appear at most once"
            )));
        }
        let template = TagTemplate { parts };
        if let (_, [first, Part::Literal(sep), _], _) = template.split_outer() {
            if sep.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(format!(
                    "the literal `{sep}` between {{service}} and {{version}} is all digits, so a tag could not be split back; use a separator such as `-v`"
                )));
            }
            if *first == Part::Version && sep.chars().all(is_version_char) {
                return Err(err(format!(
                    "the literal `{sep}` after {{version}} must hold `/` or `_`, since a pre-release such as `1.0.0-rc-x` could otherwise swallow part of the service name"
                )));
            }
        }
        let sample = template.render("svc", &ReleaseVersion::new(semver::Version::new(1, 0, 0)));
        if let Some(problem) = git_tag_problem(&sample) {
            return Err(err(format!(
                "it renders tags like `{sample}`, which git refuses: {problem}"
            )));
        }
        Ok(template)
    }
}

impl fmt::Display for TagTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Literal(l) => f.write_str(l)?,
                Part::Service => f.write_str("{service}")?,
                Part::Version => f.write_str("{version}")?,
            }
        }
        Ok(())
    }
}

impl serde::Serialize for TagTemplate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TagTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for TagTemplate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TagTemplate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9._/{}-]+$",
            "description": "A tag template: literal text (ASCII letters, digits, `.`, `_`, `/`, `-`) with `{version}` exactly once and `{service}` at most once, separated by a literal, e.g. `{service}-v{version}`."
        })
    }
}

/// Helm's OCI tag for a chart version: `+` (not allowed in OCI tags) becomes `_`, so
/// `1.0.2+build.5` is pushed as `1.0.2_build.5`. Image tags use the same mapping.
pub fn chart_oci_tag(version: &str) -> String {
    version.replace('+', "_")
}

/// The inverse of [`chart_oci_tag`]: `_` becomes `+` (SemVer never contains `_`).
pub fn chart_version_from_oci_tag(tag: &str) -> String {
    tag.replace('_', "+")
}

/// Every name of one release, derived by [`TagPolicy::derive`].
///
/// Serialized as `{"version", "image_tag", "chart_version", "app_version", "git_tag",
/// "chart_oci_tag"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseTags {
    /// The release version, normalised (no `v`).
    pub version: ReleaseVersion,
    /// The image tag: a valid OCI tag, build metadata's `+` mapped to `_` (`v1.0.2`).
    pub image_tag: String,
    /// The Helm chart `version` (`1.0.2`): always the release version itself.
    pub chart_version: String,
    /// The Helm chart `appVersion` (`1.0.2`).
    pub app_version: String,
    /// The git tag marking the release commit (`delivery-v1.0.2`).
    pub git_tag: String,
    /// The OCI tag under which the chart is pushed (`+` -> `_`).
    pub chart_oci_tag: String,
}

fn default_mutable() -> Vec<String> {
    [
        "latest", "stable", "edge", "dev", "main", "master", "nightly",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// The `tags:` section of `shiprail.yaml`: how a release's names follow from its version, and
/// which tags are mutable and therefore refused.
///
/// Defaults: `{image: "v{version}", chart_version: "{version}", app_version: "{version}",
/// git: "{service}-v{version}", mutable: [latest, stable, edge, dev, main, master, nightly]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct TagPolicy {
    /// The image tag; rendered tags must be valid OCI tags, so no `/` in the literal text.
    pub image: TagTemplate,
    /// The Helm chart version: must be `{version}`, since Helm requires SemVer 2.0 there and a
    /// literal would change the version or its precedence.
    pub chart_version: TagTemplate,
    /// The Helm chart appVersion.
    pub app_version: TagTemplate,
    /// The git tag of a release. `{service}-v{version}`, `{service}/v{version}` and (for a
    /// repository with one service) `v{version}` are the usual choices.
    pub git: TagTemplate,
    /// Tags that move and are refused everywhere, compared case-insensitively.
    pub mutable: Vec<String>,
}

impl Default for TagPolicy {
    fn default() -> Self {
        let lit = |s: &str| Part::Literal(s.to_string());
        TagPolicy {
            image: TagTemplate::builtin(&[lit("v"), Part::Version]),
            chart_version: TagTemplate::builtin(&[Part::Version]),
            app_version: TagTemplate::builtin(&[Part::Version]),
            git: TagTemplate::builtin(&[Part::Service, lit("-v"), Part::Version]),
            mutable: default_mutable(),
        }
    }
}

impl TagPolicy {
    /// Checks the rules a template alone cannot: the image template's literal text fits an OCI
    /// tag, the chart version is `{version}`, mutable entries are not empty. Fails with
    /// [`ErrorKind::ConfigInvalid`].
    pub fn validate(&self) -> Result<()> {
        if let Some(c) = self
            .image
            .literals()
            .flat_map(str::chars)
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "tags.image `{}`: `{c}` cannot appear in an image tag, which holds only ASCII letters, digits, `.`, `_` and `-`",
                    self.image
                ),
            )
            .with_input(self.image.to_string()));
        }
        if self.chart_version.parts != [Part::Version] {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "tags.chart_version `{}` must be `{{version}}`: Helm requires the chart version to be SemVer 2.0, and any literal would change it or its precedence",
                    self.chart_version
                ),
            )
            .with_input(self.chart_version.to_string()));
        }
        if self.mutable.iter().any(|m| m.trim().is_empty()) {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "tags.mutable has an empty entry: list tag names such as `latest`",
            ));
        }
        Ok(())
    }

    /// Refuses a mutable tag ([`ErrorKind::MutableTag`]): one listed in
    /// [`mutable`](Self::mutable), compared case-insensitively.
    pub fn check_immutable(&self, tag: &str) -> Result<()> {
        match self.mutable.iter().find(|m| m.eq_ignore_ascii_case(tag)) {
            None => Ok(()),
            Some(listed) => Err(Error::new(
                ErrorKind::MutableTag,
                format!(
                    "`{}` is a mutable tag (tags.mutable lists `{}`): a release is only named by tags that never move, such as `v1.0.2`",
                    tag.escape_debug(),
                    listed.escape_debug()
                ),
            )
            .with_input(tag)),
        }
    }

    /// Every name of the release of `service` at `version` (see the module sections "Derived
    /// names" and "OCI tags and build metadata").
    ///
    /// Fails with [`ErrorKind::ConfigInvalid`] for an invalid policy,
    /// [`ErrorKind::InvalidTag`] when the service name cannot appear in a tag or a rendered name
    /// is not a valid OCI or git tag (too long, ...), and [`ErrorKind::MutableTag`] when a name
    /// is a mutable tag.
    pub fn derive(&self, service: &str, version: &ReleaseVersion) -> Result<ReleaseTags> {
        self.validate()?;
        if !is_service_name(service) {
            return Err(Error::new(
                ErrorKind::InvalidTag,
                format!(
                    "`{}` cannot be part of a tag: a service name in a tag is ASCII letters, digits, `-` and `_`, starting with a letter or digit",
                    service.escape_debug()
                ),
            )
            .with_input(service));
        }
        let image_tag = chart_oci_tag(&self.image.render(service, version));
        if let Some(problem) = oci_tag_problem(&image_tag) {
            return Err(Error::new(
                ErrorKind::InvalidTag,
                format!("image tag `{image_tag}` is not a valid OCI tag: {problem}"),
            )
            .with_input(image_tag));
        }
        let git_tag = self.git.render(service, version);
        if let Some(problem) = git_tag_problem(&git_tag) {
            return Err(Error::new(
                ErrorKind::InvalidTag,
                format!("git tag `{git_tag}` is not a valid git tag: {problem}"),
            )
            .with_input(git_tag));
        }
        let expected = (
            self.git.has_service().then(|| service.to_string()),
            version.clone(),
        );
        if self.git.parse(&git_tag).as_ref() != Some(&expected) {
            return Err(Error::new(
                ErrorKind::InvalidTag,
                format!(
                    "git tag `{git_tag}` does not read back as `{service}` {version} under tags.git `{}`",
                    self.git
                ),
            )
            .with_input(git_tag));
        }
        let chart_version = self.chart_version.render(service, version);
        let app_version = self.app_version.render(service, version);
        for name in [&image_tag, &chart_version, &app_version, &git_tag] {
            self.check_immutable(name)?;
        }
        Ok(ReleaseTags {
            version: version.clone(),
            chart_oci_tag: chart_oci_tag(&chart_version),
            image_tag,
            chart_version,
            app_version,
            git_tag,
        })
    }

    /// The service and version of git tag `tag` among the declared `services` (see the module
    /// section "Attribution"). A leading `refs/tags/` is ignored.
    ///
    /// Fails with [`ErrorKind::MutableTag`] for a mutable tag, [`ErrorKind::AmbiguousTag`] when
    /// several services match (or the template has no `{service}` and there are several
    /// services), [`ErrorKind::UnknownService`] when the tag names an undeclared service (or
    /// none are declared), and [`ErrorKind::InvalidTag`] when it does not fit the template.
    pub fn attribute(&self, tag: &str, services: &[&str]) -> Result<(String, ReleaseVersion)> {
        let tag = tag.strip_prefix("refs/tags/").unwrap_or(tag);
        self.check_immutable(tag)?;
        let mut unique: Vec<&str> = Vec::new();
        for s in services {
            if !unique.contains(s) {
                unique.push(s);
            }
        }
        let template = &self.git;
        let no_match = || {
            Error::new(
                ErrorKind::InvalidTag,
                format!(
                    "`{}` does not match the git tag template `{template}`",
                    tag.escape_debug()
                ),
            )
            .with_input(tag)
        };
        if !template.has_service() {
            let (_, version) = template.parse(tag).ok_or_else(no_match)?;
            return match unique.as_slice() {
                [only] => Ok((only.to_string(), version)),
                [] => Err(Error::new(
                    ErrorKind::UnknownService,
                    format!(
                        "`{}` cannot be attributed: no services are declared",
                        tag.escape_debug()
                    ),
                )
                .with_input(tag)),
                many => Err(Error::new(
                    ErrorKind::AmbiguousTag,
                    format!(
                        "`{}` cannot be attributed to one service: git tag template `{template}` names no service and {} services are declared; use a template with {{service}}, such as `{{service}}-v{{version}}`",
                        tag.escape_debug(),
                        many.len()
                    ),
                )
                .with_input(tag)),
            };
        }
        let matches: Vec<(&str, ReleaseVersion)> = unique
            .iter()
            .filter_map(|s| template.parse_for_service(tag, s).map(|v| (*s, v)))
            .collect();
        match matches.as_slice() {
            [(service, version)] => Ok((service.to_string(), version.clone())),
            [] => match template.parse(tag) {
                Some((Some(service), _)) => {
                    let mut err = Error::new(
                        ErrorKind::UnknownService,
                        format!(
                            "`{}` is a tag of service `{service}`, which is not declared",
                            tag.escape_debug()
                        ),
                    )
                    .with_input(tag);
                    if let Some(c) = suggest(&service, unique.iter().copied()) {
                        err = err.with_suggestion(c);
                    }
                    Err(err)
                }
                _ => Err(no_match()),
            },
            many => {
                let candidates: Vec<String> =
                    many.iter().map(|(s, v)| format!("`{s}` {v}")).collect();
                Err(Error::new(
                    ErrorKind::AmbiguousTag,
                    format!(
                        "`{}` could be the tag of {} under git tag template `{template}`",
                        tag.escape_debug(),
                        candidates.join(" or ")
                    ),
                )
                .with_input(tag))
            }
        }
    }

    /// The released versions of `service` among arbitrary `tags` (tags of other services,
    /// mutable, ambiguous or unrelated tags are ignored), sorted ascending by precedence,
    /// without duplicates.
    pub fn released_versions(
        &self,
        service: &str,
        tags: &[&str],
        services: &[&str],
    ) -> Vec<ReleaseVersion> {
        let mut versions: Vec<ReleaseVersion> = tags
            .iter()
            .filter_map(|tag| self.attribute(tag, services).ok())
            .filter(|(s, _)| s == service)
            .map(|(_, v)| v)
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }
}

// Public types must be shareable across threads (bindings hand them to worker threads).
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<TagTemplate>();
    check::<ReleaseTags>();
    check::<TagPolicy>();
};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    const SERVICES: &[&str] = &[
        "delivery",
        "dronescheduler",
        "ingestion",
        "package",
        "workflow",
    ];

    #[test]
    fn template_table() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("{service}-v{version}", Ok(())),
            ("{service}/v{version}", Ok(())),
            ("v{version}", Ok(())),
            ("{version}", Ok(())),
            ("release/{service}/{version}", Ok(())),
            ("{version}_{service}", Ok(())),
            ("{version}/{service}", Ok(())),
            ("{service}.{version}", Ok(())),
            (
                "",
                Err(
                    "`` is not a valid tag template: it is empty; a template has {version} and usually {service}, e.g. `{service}-v{version}`",
                ),
            ),
            (
                "{service}-v",
                Err(
                    "`{service}-v` is not a valid tag template: it has no {version}, and every release tag names its version",
                ),
            ),
            (
                "{version}-{version}",
                Err(
                    "`{version}-{version}` is not a valid tag template: {version} appears 2 times; it must appear exactly once",
                ),
            ),
            (
                "{service}-{service}-{version}",
                Err(
                    "`{service}-{service}-{version}` is not a valid tag template: {service} appears 2 times; it may appear at most once",
                ),
            ),
            (
                "{servce}-v{version}",
                Err(
                    "`{servce}-v{version}` is not a valid tag template: `{servce}` is not a placeholder; the placeholders are {service} and {version} (did you mean `{service}`?)",
                ),
            ),
            (
                "{service}-v{version",
                Err("`{service}-v{version` is not a valid tag template: a `{` is never closed"),
            ),
            (
                "v{version}}",
                Err("`v{version}}` is not a valid tag template: a `}` closes no placeholder"),
            ),
            (
                "{service}:{version}",
                Err(
                    "`{service}:{version}` is not a valid tag template: `:` cannot appear in a tag; literal text is ASCII letters, digits, `.`, `_`, `/` and `-`",
                ),
            ),
            (
                "{service} {version}",
                Err(
                    "`{service} {version}` is not a valid tag template: ` ` cannot appear in a tag; literal text is ASCII letters, digits, `.`, `_`, `/` and `-`",
                ),
            ),
            (
                "{version}-{service}",
                Err(
                    "`{version}-{service}` is not a valid tag template: the literal `-` after {version} must hold `/` or `_`, since a pre-release such as `1.0.0-rc-x` could otherwise swallow part of the service name",
                ),
            ),
            (
                "{service}1{version}",
                Err(
                    "`{service}1{version}` is not a valid tag template: the literal `1` between {service} and {version} is all digits, so a tag could not be split back; use a separator such as `-v`",
                ),
            ),
            (
                "{service}..{version}",
                Err(
                    "`{service}..{version}` is not a valid tag template: it renders tags like `svc..1.0.0`, which git refuses: it contains `..`",
                ),
            ),
            (
                "/{version}",
                Err(
                    "`/{version}` is not a valid tag template: it renders tags like `/1.0.0`, which git refuses: it has an empty path component",
                ),
            ),
            (
                "{version}.lock",
                Err(
                    "`{version}.lock` is not a valid tag template: it renders tags like `1.0.0.lock`, which git refuses: a path component ends with `.lock`",
                ),
            ),
            (
                "-{version}",
                Err(
                    "`-{version}` is not a valid tag template: it renders tags like `-1.0.0`, which git refuses: it starts with `-`",
                ),
            ),
            (
                "{service}/.v{version}",
                Err(
                    "`{service}/.v{version}` is not a valid tag template: it renders tags like `svc/.v1.0.0`, which git refuses: a path component starts with `.`",
                ),
            ),
        ];
        for (input, want) in cases {
            let got = input
                .parse::<TagTemplate>()
                .map(|t| assert_eq!(t.to_string(), *input))
                .map_err(|e| e.to_string());
            assert_eq!(
                got.as_ref().map_err(String::as_str),
                want.as_ref().map_err(|e| *e),
                "{input}"
            );
        }
    }

    #[test]
    fn render_parse_round_trip() {
        let templates = [
            "{service}-v{version}",
            "{service}/v{version}",
            "{service}-{version}",
            "{service}.{version}",
            "release/{service}/{version}-final",
            "{version}_{service}",
            "{version}/{service}",
            "x-{service}_v{version}",
        ];
        let services = [
            "delivery",
            "api",
            "api-v2",
            "a-1",
            "x_y",
            "api-v2-v3",
            "9lives",
        ];
        let versions = [
            "1.0.2",
            "0.0.0",
            "1.0.3-rc.1",
            "2.0.0-v1.0.0",
            "1.0.0-rc-x",
            "1.0.0-x-v1",
            "1.0.2+sha.abc1234",
            "1.0.0-alpha.1+build-5.x",
        ];
        for t in templates {
            let template: TagTemplate = t.parse().unwrap();
            for s in services {
                for ver in versions {
                    let ver = v(ver);
                    let tag = template.render(s, &ver);
                    assert_eq!(
                        template.parse(&tag),
                        Some((Some(s.to_string()), ver.clone())),
                        "{t} {tag}"
                    );
                    assert_eq!(
                        template.parse_for_service(&tag, s),
                        Some(ver.clone()),
                        "{t} {tag}"
                    );
                }
            }
        }
        let bare: TagTemplate = "v{version}".parse().unwrap();
        let ver = v("1.0.3-rc.1+b");
        assert_eq!(bare.parse(&bare.render("ignored", &ver)), Some((None, ver)));
    }

    #[test]
    fn attribute_table() {
        let policy = TagPolicy::default();
        type Case<'a> = (&'a str, &'a [&'a str], Result<(&'a str, &'a str), &'a str>);
        let cases: &[Case<'_>] = &[
            ("delivery-v1.0.2", SERVICES, Ok(("delivery", "1.0.2"))),
            (
                "refs/tags/workflow-v0.1.0-rc.0",
                SERVICES,
                Ok(("workflow", "0.1.0-rc.0")),
            ),
            ("api-v2-v1.0.0", &["api", "api-v2"], Ok(("api-v2", "1.0.0"))),
            ("api-v2.0.0", &["api", "api-v2"], Ok(("api", "2.0.0"))),
            (
                "api-v1.0.0-rc-v2.0.0",
                &["api", "api-v1.0.0-rc"],
                Err(
                    "`api-v1.0.0-rc-v2.0.0` could be the tag of `api` 1.0.0-rc-v2.0.0 or `api-v1.0.0-rc` 2.0.0 under git tag template `{service}-v{version}`",
                ),
            ),
            (
                "delivry-v1.0.2",
                SERVICES,
                Err(
                    "`delivry-v1.0.2` is a tag of service `delivry`, which is not declared (did you mean `delivery`?)",
                ),
            ),
            (
                "delivery-1.0.2",
                SERVICES,
                Err("`delivery-1.0.2` does not match the git tag template `{service}-v{version}`"),
            ),
            (
                "delivery-v1.0",
                SERVICES,
                Err("`delivery-v1.0` does not match the git tag template `{service}-v{version}`"),
            ),
            (
                "LATEST",
                SERVICES,
                Err(
                    "`LATEST` is a mutable tag (tags.mutable lists `latest`): a release is only named by tags that never move, such as `v1.0.2`",
                ),
            ),
        ];
        for (tag, services, want) in cases {
            let got = policy
                .attribute(tag, services)
                .map(|(s, v)| (s, v.to_string()))
                .map_err(|e| e.to_string());
            let got = got
                .as_ref()
                .map(|(s, v)| (s.as_str(), v.as_str()))
                .map_err(String::as_str);
            assert_eq!(got, *want, "{tag}");
        }
        let single = TagPolicy {
            git: "v{version}".parse().unwrap(),
            ..TagPolicy::default()
        };
        assert_eq!(
            single.attribute("v1.0.2", &["delivery"]).unwrap().0,
            "delivery"
        );
        assert_eq!(
            single.attribute("v1.0.2", SERVICES).unwrap_err().kind(),
            ErrorKind::AmbiguousTag
        );
        assert_eq!(
            single.attribute("v1.0.2", &[]).unwrap_err().kind(),
            ErrorKind::UnknownService
        );
        assert_eq!(
            single
                .attribute("vv1.0.2", &["delivery"])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidTag
        );
    }

    #[test]
    fn derive_and_validate() {
        let policy = TagPolicy::default();
        let tags = policy.derive("delivery", &v("1.0.2")).unwrap();
        assert_eq!(tags.git_tag, "delivery-v1.0.2");
        assert_eq!(tags.image_tag, "v1.0.2");
        assert_eq!(
            policy
                .derive("Delivery Svc", &v("1.0.2"))
                .unwrap_err()
                .to_string(),
            "`Delivery Svc` cannot be part of a tag: a service name in a tag is ASCII letters, digits, `-` and `_`, starting with a letter or digit"
        );
        let long = format!("1.0.0-{}", "a".repeat(130));
        assert_eq!(
            policy.derive("delivery", &v(&long)).unwrap_err().kind(),
            ErrorKind::InvalidTag
        );
        let bad_image = TagPolicy {
            image: "{service}/v{version}".parse().unwrap(),
            ..TagPolicy::default()
        };
        assert_eq!(
            bad_image.validate().unwrap_err().to_string(),
            "tags.image `{service}/v{version}`: `/` cannot appear in an image tag, which holds only ASCII letters, digits, `.`, `_` and `-`"
        );
        let bad_chart = TagPolicy {
            chart_version: "v{version}".parse().unwrap(),
            ..TagPolicy::default()
        };
        assert_eq!(
            bad_chart
                .derive("delivery", &v("1.0.2"))
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
        let empty_mutable = TagPolicy {
            mutable: vec![" ".into()],
            ..TagPolicy::default()
        };
        assert_eq!(
            empty_mutable.validate().unwrap_err().kind(),
            ErrorKind::ConfigInvalid
        );
        let json = serde_json::to_value(TagPolicy::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"image": "v{version}", "chart_version": "{version}", "app_version": "{version}",
                "git": "{service}-v{version}", "mutable": ["latest", "stable", "edge", "dev", "main", "master", "nightly"]})
        );
        let back: TagPolicy = serde_json::from_value(json).unwrap();
        assert_eq!(back, TagPolicy::default());
    }

    #[test]
    fn json_schema_has_every_field() {
        let schema = serde_json::to_value(schemars::schema_for!(TagPolicy)).unwrap();
        for field in ["image", "chart_version", "app_version", "git", "mutable"] {
            assert!(
                schema["properties"].get(field).is_some(),
                "{field}: {schema}"
            );
        }
    }

    #[test]
    fn released_versions_sorted() {
        let tags = [
            "delivery-v1.0.10",
            "delivery-v1.0.2",
            "refs/tags/delivery-v1.0.3-rc.1",
            "package-v9.0.0",
            "delivery-v1.0.2",
            "latest",
            "v1.0.0",
            "delivery-v01.0.0",
            "",
        ];
        let got: Vec<String> = TagPolicy::default()
            .released_versions("delivery", &tags, SERVICES)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, ["1.0.2", "1.0.3-rc.1", "1.0.10"]);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let big = "a-v".repeat(1 << 18);
        let inputs = [
            String::new(),
            "\0".to_string(),
            "{".to_string(),
            "}".to_string(),
            "{{version}}".to_string(),
            "ü{version}".to_string(),
            format!("{big}1.0.0"),
            format!("{big}{big}"),
            "{version}".repeat(1000),
            format!("{{{big}}}"),
        ];
        let policy = TagPolicy::default();
        for input in &inputs {
            let _ = input.parse::<TagTemplate>();
            let _ = policy.git.parse(input);
            let _ = policy.attribute(input, SERVICES);
            let _ = policy.check_immutable(input);
            let _ = policy.derive(input, &v("1.0.0"));
            let _ = chart_oci_tag(input);
        }
        let err = policy
            .attribute("delivery-v1.0.2\u{1b}", SERVICES)
            .unwrap_err();
        assert!(
            err.to_string().starts_with("`delivery-v1.0.2\\u{1b}`"),
            "{err}"
        );
    }
}
