//! Branch naming rules: what a branch name means in the monorepo.
//!
//! A push names a ref; the pipeline needs to know which *kind* of branch it is (trunk, feature,
//! topic, release, or a kind the repository defines), which service it belongs to, and for a
//! release branch which version it carries. [`BranchRules`] is the `branches:` section of
//! `shiprail.yaml`; [`BranchRules::classify`] turns a ref into a [`Branch`] or into an [`Error`]
//! that names the broken rule and, for near-misses, the branch name that was probably meant.
//!
//! # Defaults
//!
//! Without configuration, `main` and `master` are trunk branches and three kinds exist:
//!
//! ```yaml
//! branches:
//!   trunk: [main, master]
//!   kinds:
//!     feature: "feature/{service}/{topic}"
//!     topic: "topic/{service}/{topic}"
//!     release: "release/{service}/v{version}"
//! ```
//!
//! ```
//! use shiprail::branch::{BranchKind, BranchRules};
//! let rules = BranchRules::default();
//! let branch = rules.classify("release/delivery/v1.0.2", None)?;
//! assert_eq!(branch.kind, BranchKind::Release);
//! assert_eq!(branch.service.as_deref(), Some("delivery"));
//! assert_eq!(branch.version.as_ref().map(|v| v.to_string()).as_deref(), Some("1.0.2"));
//! assert_eq!(rules.classify("master", None)?.kind, BranchKind::Trunk);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Patterns
//!
//! A kind is a [`BranchPattern`]: `/`-separated segments, each a literal or a placeholder.
//! `{service}` fills exactly one whole segment and takes a service name
//! (`[a-z0-9]([a-z0-9-]*[a-z0-9])?`); `{topic}` is the last segment and takes the rest of the
//! name, slashes included; `{version}` ends its segment, may follow literal text (usually `v`),
//! and takes a strict SemVer 2.0 version. Each placeholder appears at most once. Kinds whose
//! pattern holds `{version}` are *release-like*. Anything else is [`ErrorKind::InvalidPattern`].
//!
//! ```
//! use shiprail::branch::BranchPattern;
//! use shiprail::ErrorKind;
//! let pattern: BranchPattern = "hotfix/{service}/v{version}".parse()?;
//! assert!(pattern.is_release_like());
//! let err = "feature/{svc}/{topic}".parse::<BranchPattern>().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidPattern);
//! let err = "feature/{topic}/{service}".parse::<BranchPattern>().unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidPattern);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Refs
//!
//! [`BranchRules::classify`] takes a short name (`feature/delivery/retry`) or a full ref
//! (`refs/heads/feature/delivery/retry`). Tags, pull-request refs, remote-tracking refs, any other
//! `refs/...` and `HEAD` are [`ErrorKind::NotABranch`].
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! let rules = BranchRules::default();
//! let branch = rules.classify("refs/heads/topic/ingestion/batching", None)?;
//! assert_eq!(branch.name, "topic/ingestion/batching");
//! let err = rules.classify("refs/tags/delivery-v1.0.2", None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::NotABranch);
//! assert_eq!(err.to_string(), "`refs/tags/delivery-v1.0.2` is a tag, not a branch");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Git ref-name rules
//!
//! A name git itself refuses is [`ErrorKind::InvalidRefName`]: empty; a control character or
//! DEL; a space, `~`, `^`, `:`, `?`, `*`, `[` or `\`; `..`; `@{`; the name `@`; a leading `/`,
//! `//`, a trailing `/` or `.`; a segment starting with `.` or ending with `.lock`; a leading `-`.
//! When the empty segment sits where a kind expects a placeholder, the message says which one.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! let rules = BranchRules::default();
//! let err = rules.classify("feature/delivery/a..b", None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidRefName);
//! let err = rules.classify("release//v1.0.2", None).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "`release//v1.0.2` is not a valid git branch name: it has an empty segment (`//`); \
//!      the service of a `release` branch (`release/{service}/v{version}`) is missing"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Services
//!
//! With `services = None` any syntactically valid service name is accepted; with
//! `Some(list)` the service must be declared, else [`ErrorKind::UnknownService`].
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! let rules = BranchRules::default();
//! let services = ["delivery", "dronescheduler", "ingestion", "package", "workflow"];
//! assert!(rules.classify("feature/billing/x", None).is_ok());
//! let err = rules.classify("feature/billing/x", Some(&services)).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::UnknownService);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Versions
//!
//! A release-like branch carries the literal text before `{version}` (usually `v`) and then a
//! strict SemVer 2.0 version, pre-release and build metadata included. A missing `v`, a missing
//! component or a leading zero is [`ErrorKind::InvalidBranchVersion`].
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! let rules = BranchRules::default();
//! let rc = rules.classify("release/delivery/v1.0.3-rc.1", None)?;
//! assert!(rc.version.as_ref().is_some_and(|v| v.is_prerelease()));
//! let err = rules.classify("release/delivery/v1.0", None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidBranchVersion);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Precedence and suggestions
//!
//! When several things are wrong, the error reports the first broken rule in this order:
//! not a branch ref ([`ErrorKind::NotABranch`]), git ref-name rules
//! ([`ErrorKind::InvalidRefName`]), the kind ([`ErrorKind::UnknownBranchKind`]: no kind's literal
//! segments match exactly, or the name has the wrong number of segments for the kind they
//! match), the service ([`ErrorKind::UnknownService`]), the version
//! ([`ErrorKind::InvalidBranchVersion`]). The suggestion, though, fixes every fixable part at once
//! (a typo or wrong case in a literal segment or a trunk name, a service typo when services are
//! known, an upper-case service, a missing or upper-case `v`, a version missing its minor or patch
//! number) and is only given when the corrected name classifies cleanly. It keeps the input's
//! form: a full ref gets a full ref back.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! let rules = BranchRules::default();
//! let err = rules.classify("Release/delivery/1.0.2", None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::UnknownBranchKind);
//! assert_eq!(err.suggestion(), Some("release/delivery/v1.0.2"));
//! let err = rules.classify("release/delivery/1.0.2", None).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::InvalidBranchVersion);
//! assert!(err.to_string().ends_with("(did you mean `release/delivery/v1.0.2`?)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! When two kinds could match one name (only possible in rules that [`BranchRules::validate`]
//! refuses), trunk names win, then kinds in name order.
//!
//! # Rendering
//!
//! [`BranchRules::render`] fills a kind's pattern; [`BranchRules::release_branch`] is the
//! `release` kind. A missing placeholder value is [`ErrorKind::InvalidTemplate`]; values the
//! pattern does not use are ignored. The result is classified again before it is returned, so a
//! rendered name always reads back as the same kind with the same values (a bad value fails with
//! the error classification would give).
//!
//! ```
//! use shiprail::branch::{BranchKind, BranchRules};
//! use shiprail::version::ReleaseVersion;
//! let rules = BranchRules::default();
//! let version: ReleaseVersion = "1.0.2".parse()?;
//! assert_eq!(rules.release_branch("delivery", &version)?, "release/delivery/v1.0.2");
//! let name = rules.render(&BranchKind::Feature, Some("package"), Some("ui/retry"), None)?;
//! assert_eq!(name, "feature/package/ui/retry");
//! assert!(rules.render(&BranchKind::Feature, Some("package"), None, None).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Configuration
//!
//! User `kinds` merge with the defaults by name: the same name overrides, `null` removes a
//! default, a new name adds a kind. `trunk` replaces the default list.
//!
//! ```
//! use shiprail::branch::{BranchKind, BranchRules};
//! let rules: BranchRules = serde_saphyr::from_str(
//!     "kinds:\n  hotfix: \"hotfix/{service}/v{version}\"\n  topic: null\n",
//! )?;
//! let hotfix = rules.classify("hotfix/package/v2.1.1", None)?;
//! assert_eq!(hotfix.kind, BranchKind::Other("hotfix".into()));
//! assert!(rules.classify("topic/package/x", None).is_err());
//! assert!(rules.classify("feature/package/x", None).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Validation
//!
//! [`BranchRules::validate`] refuses rules that contradict themselves
//! ([`ErrorKind::ConfigInvalid`]): two kinds that can match the same name (the message gives one),
//! a trunk name that a kind also matches, a duplicate or invalid trunk name, an invalid kind name,
//! a `release` kind without `{version}`.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::ErrorKind;
//! assert!(BranchRules::default().validate().is_ok());
//! let rules: BranchRules = serde_json::from_value(serde_json::json!({
//!     "kinds": {"train": "release/{service}/{topic}"}
//! }))?;
//! assert_eq!(rules.validate().unwrap_err().kind(), ErrorKind::ConfigInvalid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::suggest;
use crate::version::ReleaseVersion;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// The prefix of a full branch ref.
const HEADS: &str = "refs/heads/";

/// Inputs longer than this are shortened in messages, so an error stays readable.
const SHOWN_MAX_CHARS: usize = 120;

/// Names longer than this get no typo suggestion (the distance computation is quadratic).
const SUGGEST_MAX_CHARS: usize = 64;

/// Branch names longer than this (in bytes) get no corrected-name suggestion: such a name is
/// not a typo, and echoing it back whole would flood the message.
const SUGGEST_MAX_NAME_BYTES: usize = 1024;

/// At most this many declared services are listed in an "unknown service" message.
const LISTED_SERVICES: usize = 10;

// ---------------------------------------------------------------------------------------------
// BranchKind
// ---------------------------------------------------------------------------------------------

/// What a branch is for: the trunk, or one of the configured kinds.
///
/// The three default kinds have their own variants so that callers can match on them; a kind the
/// repository defines (`hotfix`, ...) is [`BranchKind::Other`]. Serialized as its name
/// (`"trunk"`, `"feature"`, `"topic"`, `"release"`, `"hotfix"`). Equality, ordering and hashing go
/// by name, so `Other("release".into()) == Release`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BranchKind {
    /// A long-lived integration branch (`main`, `master`): listed by name, not by pattern.
    Trunk,
    /// Short-lived work on one service (`feature/{service}/{topic}`): validation builds only.
    Feature,
    /// Shared work on one service (`topic/{service}/{topic}`).
    Topic,
    /// A release line of one service (`release/{service}/v{version}`): the full CI.
    Release,
    /// A kind defined in the configuration, by name.
    Other(String),
}

impl BranchKind {
    /// The kind's name as written in configuration and JSON.
    pub fn as_str(&self) -> &str {
        match self {
            BranchKind::Trunk => "trunk",
            BranchKind::Feature => "feature",
            BranchKind::Topic => "topic",
            BranchKind::Release => "release",
            BranchKind::Other(name) => name,
        }
    }

    /// The kind named `name`, without checking the name's syntax: the built-in names map to
    /// their variants so that equal names give equal kinds.
    fn from_name(name: &str) -> Self {
        match name {
            "trunk" => BranchKind::Trunk,
            "feature" => BranchKind::Feature,
            "topic" => BranchKind::Topic,
            "release" => BranchKind::Release,
            other => BranchKind::Other(other.to_owned()),
        }
    }
}

/// Kind names: a lowercase letter, then lowercase letters, digits, `-` or `_`.
fn is_kind_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl FromStr for BranchKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if !is_kind_name(s) {
            return Err(Error::new(
                ErrorKind::UnknownBranchKind,
                format!(
                    "`{}` is not a valid branch kind name: use a lowercase letter, then lowercase \
                     letters, digits, `-` or `_`",
                    shown(s)
                ),
            )
            .with_input(s));
        }
        Ok(BranchKind::from_name(s))
    }
}

impl fmt::Display for BranchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for BranchKind {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for BranchKind {}

impl PartialOrd for BranchKind {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BranchKind {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for BranchKind {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl serde::Serialize for BranchKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BranchKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for BranchKind {
    fn schema_name() -> Cow<'static, str> {
        "BranchKind".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z][a-z0-9_-]*$",
            "description": "A branch kind: `trunk`, `feature`, `topic`, `release` or a configured kind name."
        })
    }
}

// ---------------------------------------------------------------------------------------------
// BranchPattern
// ---------------------------------------------------------------------------------------------

/// One `/`-separated segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    /// Text that must appear as is.
    Literal(String),
    /// `{service}`: one whole segment holding a service name.
    Service,
    /// `{topic}`: the last segment and everything after it.
    Topic,
    /// `<prefix>{version}`: literal text, then a SemVer version, up to the end of the segment.
    Version {
        /// The literal text before the version, usually `v`.
        prefix: String,
    },
}

impl Segment {
    /// How messages name the part of the branch this segment holds.
    fn describe(&self) -> String {
        match self {
            Segment::Literal(text) => format!("`{text}` segment"),
            Segment::Service => "service".to_owned(),
            Segment::Topic => "topic".to_owned(),
            Segment::Version { .. } => "version".to_owned(),
        }
    }
}

/// The shape of one branch kind, e.g. `release/{service}/v{version}`.
///
/// Parsed once from configuration so that a malformed pattern is reported where it is written,
/// not at the first push. Serialized as the pattern text.
///
/// ```
/// use shiprail::branch::BranchPattern;
/// let pattern: BranchPattern = "feature/{service}/{topic}".parse()?;
/// assert_eq!(pattern.to_string(), "feature/{service}/{topic}");
/// assert!(pattern.has_service() && pattern.has_topic() && !pattern.is_release_like());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BranchPattern {
    segments: Vec<Segment>,
}

impl BranchPattern {
    /// Whether the pattern holds `{version}`: such branches carry a release version and trigger
    /// the release pipeline.
    pub fn is_release_like(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Version { .. }))
    }

    /// Whether the pattern holds `{service}`, i.e. its branches belong to one service.
    pub fn has_service(&self) -> bool {
        self.segments.contains(&Segment::Service)
    }

    /// Whether the pattern holds `{topic}`.
    pub fn has_topic(&self) -> bool {
        self.segments.contains(&Segment::Topic)
    }

    /// Index of the `{topic}` segment, if any (it is always the last).
    fn topic_index(&self) -> Option<usize> {
        self.segments.iter().position(|s| *s == Segment::Topic)
    }

    /// Indices of the whole-literal segments.
    fn literal_indices(&self) -> impl Iterator<Item = (usize, &str)> {
        self.segments
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Segment::Literal(text) => Some((i, text.as_str())),
                _ => None,
            })
    }

    /// Whether a name with `count` segments has the right number of segments for this pattern.
    fn fits_count(&self, count: usize) -> bool {
        match self.topic_index() {
            Some(t) => count > t,
            None => count == self.segments.len(),
        }
    }

    /// Strict match: the values of the placeholders, or `None`.
    fn capture(&self, segs: &[&str], services: Option<&[&str]>) -> Option<Captures> {
        if !self.fits_count(segs.len()) {
            return None;
        }
        let mut captures = Captures::default();
        for (i, segment) in self.segments.iter().enumerate() {
            let seg = segs[i];
            match segment {
                Segment::Literal(text) => {
                    if seg != text {
                        return None;
                    }
                }
                Segment::Service => {
                    if service_problem(seg, services).is_some() {
                        return None;
                    }
                    captures.service = Some(seg.to_owned());
                }
                Segment::Version { prefix } => {
                    let body = seg.strip_prefix(prefix.as_str())?;
                    let version = semver::Version::parse(body).ok()?;
                    captures.version = Some(ReleaseVersion::new(version));
                }
                Segment::Topic => {
                    captures.topic = Some(segs[i..].join("/"));
                }
            }
        }
        Some(captures)
    }

    /// Fills the placeholders; `Err` lists the ones without a value.
    fn fill(
        &self,
        service: Option<&str>,
        topic: Option<&str>,
        version: Option<&ReleaseVersion>,
    ) -> Result<String, Vec<&'static str>> {
        let mut missing = Vec::new();
        let mut parts = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => parts.push(text.clone()),
                Segment::Service => match service {
                    Some(s) => parts.push(s.to_owned()),
                    None => missing.push("service"),
                },
                Segment::Topic => match topic {
                    Some(t) => parts.push(t.to_owned()),
                    None => missing.push("topic"),
                },
                Segment::Version { prefix } => match version {
                    Some(v) => parts.push(format!("{prefix}{v}")),
                    None => missing.push("version"),
                },
            }
        }
        if missing.is_empty() {
            Ok(parts.join("/"))
        } else {
            Err(missing)
        }
    }

    /// A name both patterns match, if there is one (used to report overlapping kinds).
    fn overlap_witness(&self, other: &BranchPattern) -> Option<String> {
        let (a, b) = (&self.segments, &other.segments);
        let mut parts = Vec::new();
        let mut i = 0;
        loop {
            match (a.get(i), b.get(i)) {
                (None, None) => return Some(parts.join("/")),
                (None, Some(_)) | (Some(_), None) => return None,
                (Some(x), Some(y)) if *x == Segment::Topic || *y == Segment::Topic => {
                    // `{topic}` takes whatever the other pattern has left.
                    let tail = if *x == Segment::Topic {
                        &b[i..]
                    } else {
                        &a[i..]
                    };
                    for segment in tail {
                        parts.push(witness_of(segment));
                    }
                    return Some(parts.join("/"));
                }
                (Some(x), Some(y)) => parts.push(segment_witness(x, y)?),
            }
            i += 1;
        }
    }
}

/// A sample value for one segment.
fn witness_of(segment: &Segment) -> String {
    match segment {
        Segment::Literal(text) => text.clone(),
        Segment::Service => "svc".to_owned(),
        Segment::Topic => "topic".to_owned(),
        Segment::Version { prefix } => format!("{prefix}1.0.0"),
    }
}

/// A segment value that both `x` and `y` accept (neither is `{topic}`), if any.
fn segment_witness(x: &Segment, y: &Segment) -> Option<String> {
    use Segment::{Literal, Service, Version};
    match (x, y) {
        (Literal(p), Literal(q)) => (p == q).then(|| p.clone()),
        (Literal(l), Service) | (Service, Literal(l)) => is_service_name(l).then(|| l.clone()),
        (Literal(l), Version { prefix }) | (Version { prefix }, Literal(l)) => l
            .strip_prefix(prefix.as_str())
            .is_some_and(|body| semver::Version::parse(body).is_ok())
            .then(|| l.clone()),
        (Service, Service) => Some("svc".to_owned()),
        // A service name has no `.`, a version always does.
        (Service, Version { .. }) | (Version { .. }, Service) => None,
        (Version { prefix: p }, Version { prefix: q }) => {
            let (short, long) = if p.len() <= q.len() { (p, q) } else { (q, p) };
            let rest = long.strip_prefix(short.as_str())?;
            // `short{version}` and `long{version}` share `long` + `1.0.0` when the extra text
            // can start a major version number.
            let shares = rest.is_empty()
                || (rest.bytes().all(|b| b.is_ascii_digit()) && !rest.starts_with('0'));
            shares.then(|| format!("{long}1.0.0"))
        }
        (Segment::Topic, _) | (_, Segment::Topic) => Some("topic".to_owned()),
    }
}

impl FromStr for BranchPattern {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = |reason: &str| {
            Error::new(
                ErrorKind::InvalidPattern,
                format!("branch pattern `{}` is invalid: {reason}", shown(s)),
            )
            .with_input(s)
        };
        if s.is_empty() {
            return Err(invalid("it is empty"));
        }
        let parts: Vec<&str> = s.split('/').collect();
        if parts.iter().any(|part| part.is_empty()) {
            return Err(invalid(
                "it has an empty segment (a leading, trailing or doubled `/`)",
            ));
        }
        let last = parts.len() - 1;
        let mut segments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let Some(open) = part.find('{') else {
                if part.contains('}') {
                    return Err(invalid(&format!(
                        "segment `{}` has a `}}` without a matching `{{`",
                        shown(part)
                    )));
                }
                segments.push(Segment::Literal((*part).to_owned()));
                continue;
            };
            let prefix = &part[..open];
            let rest = &part[open + 1..];
            if prefix.contains('}') {
                return Err(invalid(&format!(
                    "segment `{}` has a `}}` without a matching `{{`",
                    shown(part)
                )));
            }
            let Some(close) = rest.find('}') else {
                return Err(invalid(&format!(
                    "segment `{}` has a `{{` without a matching `}}`",
                    shown(part)
                )));
            };
            let name = &rest[..close];
            let after = &rest[close + 1..];
            if name.contains('{') {
                return Err(invalid(&format!(
                    "segment `{}` has a `{{` inside a placeholder",
                    shown(part)
                )));
            }
            let segment = match name {
                "service" => Segment::Service,
                "topic" => Segment::Topic,
                "version" => Segment::Version {
                    prefix: prefix.to_owned(),
                },
                _ => {
                    return Err(invalid(&format!(
                        "unknown placeholder `{{{}}}`; the placeholders are `{{service}}`, \
                         `{{topic}}` and `{{version}}`",
                        shown(name)
                    )));
                }
            };
            if segments.contains(&segment)
                || (matches!(segment, Segment::Version { .. })
                    && segments
                        .iter()
                        .any(|s| matches!(s, Segment::Version { .. })))
            {
                return Err(invalid(&format!("`{{{name}}}` appears more than once")));
            }
            if !after.is_empty() {
                return Err(if after.contains(['{', '}']) {
                    invalid(&format!(
                        "segment `{}` holds more than one placeholder or a stray brace",
                        shown(part)
                    ))
                } else if name == "version" {
                    invalid(&format!(
                        "`{{version}}` must end its segment, but `{}` follows it",
                        shown(after)
                    ))
                } else {
                    invalid(&format!(
                        "`{{{name}}}` must fill a whole segment, not `{}`",
                        shown(part)
                    ))
                });
            }
            if name != "version" && !prefix.is_empty() {
                return Err(invalid(&format!(
                    "`{{{name}}}` must fill a whole segment, not `{}`",
                    shown(part)
                )));
            }
            if segment == Segment::Topic && i != last {
                return Err(invalid(
                    "`{topic}` must be the last segment (it takes the rest of the branch name)",
                ));
            }
            segments.push(segment);
        }
        let pattern = BranchPattern { segments };
        // The literal text must be legal in a branch name: check a sample rendering.
        let sample_version = ReleaseVersion::new(semver::Version::new(1, 0, 0));
        let sample = pattern
            .fill(Some("svc"), Some("topic"), Some(&sample_version))
            .map_err(|_| invalid("it cannot be filled"))?;
        if let Err(problem) = check_ref_name(&sample) {
            return Err(invalid(&format!(
                "its literal text breaks git's branch-name rules: {}",
                problem.describe(0)
            )));
        }
        if sample == "HEAD" {
            return Err(invalid("`HEAD` is not a branch name"));
        }
        Ok(pattern)
    }
}

impl fmt::Display for BranchPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Service => f.write_str("{service}")?,
                Segment::Topic => f.write_str("{topic}")?,
                Segment::Version { prefix } => write!(f, "{prefix}{{version}}")?,
            }
        }
        Ok(())
    }
}

impl serde::Serialize for BranchPattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BranchPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for BranchPattern {
    fn schema_name() -> Cow<'static, str> {
        "BranchPattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "A branch pattern: `/`-separated literal segments and placeholders \
                `{service}` (one whole segment), `{topic}` (the last segment and the rest of the \
                name) and `{version}` (a SemVer version ending its segment, usually after `v`), \
                each at most once. Example: `release/{service}/v{version}`."
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Branch
// ---------------------------------------------------------------------------------------------

/// The values a pattern's placeholders took.
#[derive(Debug, Default)]
struct Captures {
    service: Option<String>,
    version: Option<ReleaseVersion>,
    topic: Option<String>,
}

/// A classified branch: what [`BranchRules::classify`] found in a ref.
///
/// Serialized as `{"ref", "name", "kind", "service", "version", "topic"}`, with `null` for the
/// parts the kind does not have; the version without its `v`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Branch {
    /// The full ref, `refs/heads/<name>`, whatever form the input had.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The short branch name.
    pub name: String,
    /// The branch's kind.
    pub kind: BranchKind,
    /// The service the branch belongs to, for kinds with `{service}`.
    pub service: Option<String>,
    /// The release version, for release-like kinds.
    pub version: Option<ReleaseVersion>,
    /// The topic (slashes included), for kinds with `{topic}`.
    pub topic: Option<String>,
}

impl Branch {
    /// Whether this branch carries a release version (its kind's pattern holds `{version}`).
    pub fn is_release_like(&self) -> bool {
        self.version.is_some()
    }
}

// ---------------------------------------------------------------------------------------------
// BranchRules
// ---------------------------------------------------------------------------------------------

/// The branch naming rules of the repository: the `branches:` section of `shiprail.yaml`.
///
/// `Default` is the reference scenario: trunk `main` and `master`; kinds
/// `feature/{service}/{topic}`, `topic/{service}/{topic}` and `release/{service}/v{version}`.
/// Call [`BranchRules::validate`] after loading: classification assumes unambiguous rules.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct BranchRules {
    /// Trunk branch names, matched exactly. Replaces the default list when given.
    pub trunk: Vec<String>,
    /// Branch kinds by name. Merged with the defaults: the same name overrides a default and
    /// `null` removes it.
    #[serde(with = "kinds_serde")]
    #[schemars(with = "BTreeMap<String, Option<BranchPattern>>")]
    pub kinds: BTreeMap<BranchKind, BranchPattern>,
}

/// The default kinds, in the form the defaults are written.
const DEFAULT_KINDS: &[(&str, &str)] = &[
    ("feature", "feature/{service}/{topic}"),
    ("topic", "topic/{service}/{topic}"),
    ("release", "release/{service}/v{version}"),
];

fn default_kinds() -> BTreeMap<BranchKind, BranchPattern> {
    DEFAULT_KINDS
        .iter()
        .filter_map(|(name, pattern)| Some((BranchKind::from_name(name), pattern.parse().ok()?)))
        .collect()
}

impl Default for BranchRules {
    fn default() -> Self {
        BranchRules {
            trunk: vec!["main".to_owned(), "master".to_owned()],
            kinds: default_kinds(),
        }
    }
}

/// Serde for `kinds`: deserializes overrides and merges them into the defaults; serializes the
/// kinds plus `null` for each removed default, so that a round trip gives the same rules.
mod kinds_serde {
    use super::{BranchKind, BranchPattern, DEFAULT_KINDS, default_kinds};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub(super) fn serialize<S: Serializer>(
        kinds: &BTreeMap<BranchKind, BranchPattern>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out: BTreeMap<&str, Option<&BranchPattern>> = BTreeMap::new();
        for (name, _) in DEFAULT_KINDS {
            if !kinds.contains_key(&BranchKind::from_name(name)) {
                out.insert(name, None);
            }
        }
        for (kind, pattern) in kinds {
            out.insert(kind.as_str(), Some(pattern));
        }
        out.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<BranchKind, BranchPattern>, D::Error> {
        let overrides: Option<BTreeMap<String, Option<BranchPattern>>> =
            Option::deserialize(deserializer)?;
        let mut kinds = default_kinds();
        for (name, pattern) in overrides.unwrap_or_default() {
            let kind: BranchKind = name.parse().map_err(D::Error::custom)?;
            if kind == BranchKind::Trunk {
                return Err(D::Error::custom(
                    "`trunk` is not a branch kind: trunk branches are listed under `trunk`",
                ));
            }
            match pattern {
                Some(pattern) => kinds.insert(kind, pattern),
                None => kinds.remove(&kind),
            };
        }
        Ok(kinds)
    }
}

impl BranchRules {
    /// The pattern of `kind`, if the rules define it (`None` for the trunk).
    pub fn pattern(&self, kind: &BranchKind) -> Option<&BranchPattern> {
        self.kinds.get(kind)
    }

    /// Whether branches of `kind` carry a release version.
    pub fn is_release_like(&self, kind: &BranchKind) -> bool {
        self.pattern(kind)
            .is_some_and(BranchPattern::is_release_like)
    }

    /// Classifies a ref: a short branch name or `refs/heads/...`.
    ///
    /// `services = None` accepts any syntactically valid service name; `Some(list)` requires a
    /// declared one. Errors follow the precedence of the module documentation and carry the
    /// input and, for near-misses, the corrected name as suggestion.
    pub fn classify(&self, reference: &str, services: Option<&[&str]>) -> Result<Branch> {
        let name = short_name(reference).map_err(|error| {
            // `refs/remotes/<remote>/<branch>`: point at the local branch of the same name.
            let local = reference
                .strip_prefix("refs/remotes/")
                .and_then(|rest| rest.split_once('/'))
                .map(|(_, branch)| branch)
                .filter(|branch| {
                    branch.len() <= SUGGEST_MAX_NAME_BYTES && self.is_clean(branch, services)
                });
            match local {
                Some(branch) => error.with_suggestion(format!("{HEADS}{branch}")),
                None => error,
            }
        })?;
        let fail =
            |kind: ErrorKind, message: String| Error::new(kind, message).with_input(reference);
        if name == "HEAD" {
            return Err(fail(
                ErrorKind::NotABranch,
                format!(
                    "`{}` is a symbolic ref, not a branch: resolve it to the branch it points at",
                    shown(reference)
                ),
            ));
        }
        if let Err(problem) = check_ref_name(name) {
            return Err(fail(
                ErrorKind::InvalidRefName,
                self.ref_name_message(reference, name, &problem),
            ));
        }
        let segs: Vec<&str> = name.split('/').collect();
        if let Some(branch) = self.exact(name, &segs, services) {
            return Ok(branch);
        }
        let prefix = &reference[..reference.len() - name.len()];
        let (kind, message, corrected) = self.diagnose(reference, &segs, services);
        let mut error = fail(kind, message);
        if let Some(corrected) = corrected.filter(|c| c.len() <= SUGGEST_MAX_NAME_BYTES) {
            error = error.with_suggestion(format!("{prefix}{corrected}"));
        }
        Err(error)
    }

    /// The release branch of `service` at `version`: the `release` kind rendered, e.g.
    /// `release/delivery/v1.0.2`.
    pub fn release_branch(&self, service: &str, version: &ReleaseVersion) -> Result<String> {
        self.render(&BranchKind::Release, Some(service), None, Some(version))
    }

    /// Renders a branch name of `kind` from placeholder values.
    ///
    /// The trunk renders as the first trunk name. A value the pattern needs but that is `None`
    /// is [`ErrorKind::InvalidTemplate`]; values it does not use are ignored. The name is
    /// classified before it is returned, so that it reads back as `kind` with the same values;
    /// an invalid value fails with the classification error.
    pub fn render(
        &self,
        kind: &BranchKind,
        service: Option<&str>,
        topic: Option<&str>,
        version: Option<&ReleaseVersion>,
    ) -> Result<String> {
        if *kind == BranchKind::Trunk {
            return self.trunk.first().cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownBranchKind,
                    "no trunk branch is configured, so there is none to render",
                )
                .with_input(kind.as_str())
            });
        }
        let Some(pattern) = self.pattern(kind) else {
            let mut error = Error::new(
                ErrorKind::UnknownBranchKind,
                format!(
                    "branch kind `{}` is not configured (configured: {})",
                    shown(kind.as_str()),
                    self.kind_names()
                ),
            )
            .with_input(kind.as_str());
            if let Some(near) = suggest_name(kind.as_str(), self.kinds.keys().map(|k| k.as_str())) {
                error = error.with_suggestion(near);
            }
            return Err(error);
        };
        if let Some(service) = service.filter(|s| pattern.has_service() && s.contains('/')) {
            return Err(Error::new(
                ErrorKind::UnknownService,
                format!(
                    "service `{}` is not a valid service name: it contains `/`, but a service \
                     fills exactly one segment of a branch name",
                    shown(service)
                ),
            )
            .with_input(service));
        }
        let name = pattern.fill(service, topic, version).map_err(|missing| {
            Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "rendering a `{kind}` branch (`{pattern}`) needs a {}, but none was given",
                    join_and(&missing)
                ),
            )
            .with_input(pattern.to_string())
        })?;
        let branch = self.classify(&name, None)?;
        let same = branch.kind == *kind
            && (!pattern.has_service() || branch.service.as_deref() == service)
            && (!pattern.has_topic() || branch.topic.as_deref() == topic)
            && (!pattern.is_release_like() || branch.version.as_ref() == version);
        if !same {
            return Err(Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "rendering a `{kind}` branch gives `{}`, which reads back as a `{}` branch; \
                     the branch kinds overlap",
                    shown(&name),
                    branch.kind
                ),
            )
            .with_input(name));
        }
        Ok(name)
    }

    /// Checks the rules for contradictions that classification cannot resolve.
    ///
    /// Refuses ([`ErrorKind::ConfigInvalid`]): a trunk name that is not a valid branch name or
    /// appears twice; a kind named `trunk` or with an invalid name; a `release` kind without
    /// `{version}`; a trunk name that a kind's pattern also matches; two kinds that can match
    /// the same branch name (the message gives such a name).
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Error::new(ErrorKind::ConfigInvalid, message);
        for (i, trunk) in self.trunk.iter().enumerate() {
            if let Err(problem) = check_ref_name(trunk) {
                return Err(invalid(format!(
                    "trunk branch `{}` is not a valid git branch name: {}",
                    shown(trunk),
                    problem.describe(0)
                ))
                .with_input(trunk.as_str()));
            }
            if trunk == "HEAD" {
                return Err(invalid(
                    "trunk branch `HEAD` is a symbolic ref, not a branch".to_owned(),
                )
                .with_input(trunk.as_str()));
            }
            if self.trunk[..i].contains(trunk) {
                return Err(
                    invalid(format!("trunk branch `{}` is listed twice", shown(trunk)))
                        .with_input(trunk.as_str()),
                );
            }
        }
        for (kind, pattern) in &self.kinds {
            if *kind == BranchKind::Trunk || !is_kind_name(kind.as_str()) {
                return Err(invalid(format!(
                    "`{}` cannot name a branch kind: use a lowercase letter, then lowercase \
                     letters, digits, `-` or `_`, and not `trunk`",
                    shown(kind.as_str())
                ))
                .with_input(kind.as_str()));
            }
            if *kind == BranchKind::Release && !pattern.is_release_like() {
                return Err(invalid(format!(
                    "the `release` kind (`{pattern}`) has no `{{version}}`, so release branches \
                     cannot carry their version"
                ))
                .with_input(pattern.to_string()));
            }
        }
        for trunk in &self.trunk {
            let segs: Vec<&str> = trunk.split('/').collect();
            for (kind, pattern) in &self.kinds {
                if pattern.capture(&segs, None).is_some() {
                    return Err(invalid(format!(
                        "trunk branch `{}` also matches the `{kind}` kind (`{pattern}`)",
                        shown(trunk)
                    ))
                    .with_input(trunk.as_str()));
                }
            }
        }
        let kinds: Vec<_> = self.kinds.iter().collect();
        for (i, (kind_a, a)) in kinds.iter().enumerate() {
            for (kind_b, b) in &kinds[i + 1..] {
                if let Some(witness) = a.overlap_witness(b) {
                    return Err(invalid(format!(
                        "branch kinds `{kind_a}` (`{a}`) and `{kind_b}` (`{b}`) overlap: \
                         `{witness}` matches both"
                    ))
                    .with_input(witness));
                }
            }
        }
        Ok(())
    }

    // -- classification internals ---------------------------------------------------------

    /// A strict match: a trunk name, or the first kind (by name) whose pattern matches.
    fn exact(&self, name: &str, segs: &[&str], services: Option<&[&str]>) -> Option<Branch> {
        let make = |kind: BranchKind, captures: Captures| Branch {
            reference: format!("{HEADS}{name}"),
            name: name.to_owned(),
            kind,
            service: captures.service,
            version: captures.version,
            topic: captures.topic,
        };
        if self.trunk.iter().any(|t| t == name) {
            return Some(make(BranchKind::Trunk, Captures::default()));
        }
        self.kinds.iter().find_map(|(kind, pattern)| {
            pattern
                .capture(segs, services)
                .map(|captures| make(kind.clone(), captures))
        })
    }

    /// Whether `name` is a valid branch name that classifies cleanly.
    fn is_clean(&self, name: &str, services: Option<&[&str]>) -> bool {
        name != "HEAD"
            && check_ref_name(name).is_ok()
            && self
                .exact(name, &name.split('/').collect::<Vec<_>>(), services)
                .is_some()
    }

    /// Why a valid ref name matches no kind: the error kind, message and corrected name.
    fn diagnose(
        &self,
        reference: &str,
        segs: &[&str],
        services: Option<&[&str]>,
    ) -> (ErrorKind, String, Option<String>) {
        // Kinds whose literal segments all match exactly, best first.
        let mut exact: Vec<(&BranchKind, &BranchPattern, usize)> = Vec::new();
        // Kinds whose literal segments match up to case or a typo, and trunk names likewise.
        let mut near: Vec<(usize, usize, String)> = Vec::new();
        for (order, (kind, pattern)) in self.kinds.iter().enumerate() {
            let mut compared = 0;
            let mut cost = 0;
            let mut fits = true;
            for (i, literal) in pattern.literal_indices() {
                let Some(seg) = segs.get(i) else { continue };
                compared += 1;
                match literal_cost(seg, literal) {
                    Some(c) => cost += c,
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            if !fits || compared == 0 {
                continue;
            }
            if cost == 0 {
                exact.push((kind, pattern, compared));
            } else {
                let assessment = assess(pattern, segs, services);
                if let Some(corrected) = assessment.corrected {
                    near.push((cost, self.trunk.len() + order, corrected));
                }
            }
        }
        let name = segs.join("/");
        for (order, trunk) in self.trunk.iter().enumerate() {
            if let Some(cost) = literal_cost(&name, trunk) {
                near.push((cost, order, trunk.clone()));
            }
        }

        exact.sort_by(|(ka, pa, ca), (kb, pb, cb)| {
            let fit_a = pa.fits_count(segs.len());
            let fit_b = pb.fits_count(segs.len());
            fit_b.cmp(&fit_a).then(cb.cmp(ca)).then(ka.cmp(kb))
        });
        if let Some((kind, pattern, _)) = exact.first() {
            let assessment = assess(pattern, segs, services);
            let corrected = assessment
                .corrected
                .filter(|c| *c != name && self.is_clean(c, services));
            let shown_ref = shown(reference);
            if let Some(detail) = assessment.shape {
                return (
                    ErrorKind::UnknownBranchKind,
                    format!(
                        "`{shown_ref}` does not fit the `{kind}` branch pattern `{pattern}`: {detail}"
                    ),
                    corrected,
                );
            }
            if let Some(detail) = assessment.service {
                return (
                    ErrorKind::UnknownService,
                    format!("`{shown_ref}` names service {detail}"),
                    corrected,
                );
            }
            if let Some(detail) = assessment.version {
                return (
                    ErrorKind::InvalidBranchVersion,
                    format!("`{shown_ref}` is a `{kind}` branch (`{pattern}`) but {detail}"),
                    corrected,
                );
            }
        }

        near.retain(|(_, _, corrected)| *corrected != name && self.is_clean(corrected, services));
        near.sort();
        let corrected = near.into_iter().next().map(|(_, _, corrected)| corrected);
        (
            ErrorKind::UnknownBranchKind,
            format!(
                "`{}` matches no branch kind; expected {}",
                shown(reference),
                self.expected_list()
            ),
            corrected,
        )
    }

    /// The message for a name git refuses, with the missing part when a kind tells which.
    fn ref_name_message(&self, reference: &str, name: &str, problem: &RefProblem) -> String {
        if reference.is_empty() {
            return "an empty string is not a valid git branch name".to_owned();
        }
        let offset = reference.len() - name.len();
        let mut message = format!(
            "`{}` is not a valid git branch name: {}",
            shown(reference),
            problem.describe(offset)
        );
        if matches!(
            problem,
            RefProblem::LeadingSlash | RefProblem::EmptySegment | RefProblem::TrailingSlash
        ) && let Some(context) = self.empty_segment_context(name)
        {
            message.push_str("; ");
            message.push_str(&context);
        }
        message
    }

    /// For a name with an empty segment: which placeholder of which kind it leaves empty.
    fn empty_segment_context(&self, name: &str) -> Option<String> {
        let segs: Vec<&str> = name.split('/').collect();
        let empty = segs.iter().position(|s| s.is_empty())?;
        self.kinds.iter().find_map(|(kind, pattern)| {
            if !pattern.fits_count(segs.len()) {
                return None;
            }
            let mut literals = pattern.literal_indices().peekable();
            literals.peek()?;
            if !literals.all(|(i, literal)| segs[i] == literal) {
                return None;
            }
            let segment = pattern.segments.get(empty)?;
            let is_placeholder = !matches!(segment, Segment::Literal(_));
            let whole = *segment != Segment::Topic || empty == segs.len() - 1;
            (is_placeholder && whole).then(|| {
                format!(
                    "the {} of a `{kind}` branch (`{pattern}`) is missing",
                    segment.describe()
                )
            })
        })
    }

    /// "`main`, `master`, `feature/{service}/{topic}` or ..." for messages.
    fn expected_list(&self) -> String {
        let items: Vec<String> = self
            .trunk
            .iter()
            .map(|t| format!("`{}`", shown(t)))
            .chain(self.kinds.values().map(|p| format!("`{p}`")))
            .collect();
        if items.is_empty() {
            return "nothing: no trunk branch and no branch kind is configured".to_owned();
        }
        join_or(&items)
    }

    /// The configured kind names, for messages.
    fn kind_names(&self) -> String {
        if self.kinds.is_empty() {
            return "none".to_owned();
        }
        self.kinds
            .keys()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What is wrong with a name measured against one pattern, and its corrected form.
#[derive(Debug, Default)]
struct Assessment {
    /// The name has the wrong number of segments for the pattern (with details).
    shape: Option<String>,
    /// The service is undeclared or malformed (message tail).
    service: Option<String>,
    /// The version segment is malformed (message tail).
    version: Option<String>,
    /// The name with literals, service and version corrected, when every problem is fixable.
    corrected: Option<String>,
}

/// Measures `segs` against `pattern` (literal segments are assumed to match up to a fix).
fn assess(pattern: &BranchPattern, segs: &[&str], services: Option<&[&str]>) -> Assessment {
    let mut assessment = Assessment::default();
    if !pattern.fits_count(segs.len()) {
        assessment.shape = Some(shape_detail(pattern, segs));
        return assessment;
    }
    let mut fixed: Vec<String> = segs.iter().map(|s| (*s).to_owned()).collect();
    let mut fixable = true;
    for (i, segment) in pattern.segments.iter().enumerate() {
        let seg = segs[i];
        match segment {
            Segment::Literal(text) => fixed[i] = text.clone(),
            Segment::Service => {
                if let Some((detail, fix)) = service_problem(seg, services) {
                    assessment.service = Some(detail);
                    match fix {
                        Some(fix) => fixed[i] = fix,
                        None => fixable = false,
                    }
                }
            }
            Segment::Version { prefix } => {
                if let Some(detail) = version_problem(seg, prefix) {
                    assessment.version = Some(detail);
                    match version_fix(seg, prefix) {
                        Some(fix) => fixed[i] = fix,
                        None => fixable = false,
                    }
                }
            }
            Segment::Topic => break,
        }
    }
    if fixable {
        assessment.corrected = Some(fixed.join("/"));
    }
    assessment
}

/// Why `segs` has the wrong number of segments for `pattern`: which parts are missing, when
/// that can be told, else the counts.
fn shape_detail(pattern: &BranchPattern, segs: &[&str]) -> String {
    let want = pattern.segments.len();
    let have = segs.len();
    if have < want {
        let aligned = |parts: &[&Segment]| {
            parts
                .iter()
                .zip(segs)
                .all(|(segment, seg)| loosely_fits(segment, seg))
        };
        let all: Vec<&Segment> = pattern.segments.iter().collect();
        // The name is a prefix of the pattern: the rest is missing.
        if aligned(&all[..have]) {
            let missing: Vec<String> = all[have..].iter().map(|s| s.describe()).collect();
            return missing_phrase(&missing);
        }
        // One segment is missing somewhere in the middle.
        if have + 1 == want {
            for skip in 0..want {
                // The literals identified the kind, so only a placeholder can be missing.
                if matches!(all[skip], Segment::Literal(_)) {
                    continue;
                }
                let rest: Vec<&Segment> = all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, s)| *s)
                    .collect();
                if aligned(&rest) {
                    return missing_phrase(&[all[skip].describe()]);
                }
            }
        }
    }
    let plural = |n: usize| if n == 1 { "segment" } else { "segments" };
    match pattern.topic_index() {
        Some(t) => format!(
            "it has {have} {}, the pattern at least {}",
            plural(have),
            t + 1
        ),
        None => format!("it has {have} {}, the pattern {want}", plural(have)),
    }
}

/// "the topic is missing", "the service and the version are missing".
fn missing_phrase(parts: &[String]) -> String {
    let named: Vec<String> = parts.iter().map(|p| format!("the {p}")).collect();
    let verb = if parts.len() == 1 { "is" } else { "are" };
    let list = match named.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!("{list} {verb} missing")
}

/// A lenient per-segment check used to tell which part of a short name is missing.
fn loosely_fits(segment: &Segment, seg: &str) -> bool {
    match segment {
        Segment::Literal(text) => seg.eq_ignore_ascii_case(text),
        Segment::Service => {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        }
        Segment::Topic => true,
        Segment::Version { prefix } => {
            let body = strip_prefix_ignore_case(seg, prefix)
                .or_else(|| seg.strip_prefix(['v', 'V']))
                .unwrap_or(seg);
            body.starts_with(|c: char| c.is_ascii_digit())
        }
    }
}

/// The cost of reading `seg` as the literal `literal`: 0 exact, 1 for case only, else the typo
/// distance when it is a plausible typo; `None` when it is not.
fn literal_cost(seg: &str, literal: &str) -> Option<usize> {
    if seg == literal {
        return Some(0);
    }
    if seg.eq_ignore_ascii_case(literal) {
        return Some(1);
    }
    suggest_name(seg, [literal]).map(|_| suggest::osa_distance(&seg.to_lowercase(), literal) + 1)
}

/// `suggest::closest`, skipped for inputs too long to be typos of short names.
fn suggest_name<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if input.chars().count() > SUGGEST_MAX_CHARS {
        return None;
    }
    suggest::closest(input, candidates)
}

/// Whether `s` is a service name: `[a-z0-9]([a-z0-9-]*[a-z0-9])?`.
fn is_service_name(s: &str) -> bool {
    let ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            ok(first) && ok(last) && bytes.iter().all(|&c| ok(c) || c == b'-')
        }
        _ => false,
    }
}

/// What is wrong with `seg` as a service (message tail after "names service"), and its fix.
fn service_problem(seg: &str, services: Option<&[&str]>) -> Option<(String, Option<String>)> {
    match services {
        None => {
            if is_service_name(seg) {
                return None;
            }
            let normalized = seg.to_lowercase().replace('_', "-");
            let fix = is_service_name(&normalized).then_some(normalized);
            Some((
                format!(
                    "`{}`, which is not a valid service name (lowercase letters, digits and `-`, \
                     starting and ending with a letter or digit)",
                    shown(seg)
                ),
                fix,
            ))
        }
        Some(list) => {
            if list.contains(&seg) {
                return None;
            }
            let declared = if list.is_empty() {
                "no services are declared".to_owned()
            } else {
                let mut names: Vec<String> = list
                    .iter()
                    .take(LISTED_SERVICES)
                    .map(|s| format!("`{}`", shown(s)))
                    .collect();
                if list.len() > LISTED_SERVICES {
                    names.push(format!("and {} more", list.len() - LISTED_SERVICES));
                }
                format!("declared: {}", names.join(", "))
            };
            let fix = suggest_name(seg, list.iter().copied()).map(str::to_owned);
            Some((
                format!("`{}`, which is not declared ({declared})", shown(seg)),
                fix,
            ))
        }
    }
}

/// What is wrong with a version segment (message tail after "but"), if anything.
fn version_problem(seg: &str, prefix: &str) -> Option<String> {
    let Some(body) = seg.strip_prefix(prefix) else {
        return Some(format!(
            "its version segment `{}` does not start with `{prefix}`",
            shown(seg)
        ));
    };
    match semver::Version::parse(body) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "`{}` is not a SemVer 2.0 version: {e}",
            shown(body)
        )),
    }
}

/// A corrected version segment: the prefix in the right case or added, a leading `v` dropped
/// when the prefix has none, a missing minor or patch number added as `0`.
fn version_fix(seg: &str, prefix: &str) -> Option<String> {
    let mut bodies = Vec::with_capacity(3);
    if let Some(body) = strip_prefix_ignore_case(seg, prefix) {
        bodies.push(body);
    }
    bodies.push(seg);
    if let Some(body) = seg.strip_prefix(['v', 'V']) {
        bodies.push(body);
    }
    bodies.into_iter().find_map(|body| {
        if semver::Version::parse(body).is_ok() {
            Some(format!("{prefix}{body}"))
        } else {
            pad_version(body).map(|padded| format!("{prefix}{padded}"))
        }
    })
}

/// `1` -> `1.0.0`, `1.2` -> `1.2.0`; `None` for anything else.
fn pad_version(body: &str) -> Option<String> {
    let parts: Vec<&str> = body.split('.').collect();
    let numeric = |p: &&str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (*p == "0" || !p.starts_with('0'))
    };
    if !(1..=2).contains(&parts.len()) || !parts.iter().all(numeric) {
        return None;
    }
    let padded = match parts.as_slice() {
        [major] => format!("{major}.0.0"),
        [major, minor] => format!("{major}.{minor}.0"),
        _ => return None,
    };
    semver::Version::parse(&padded).ok().map(|_| padded)
}

/// `s` without `prefix`, compared ASCII-case-insensitively.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

// ---------------------------------------------------------------------------------------------
// Refs and git's ref-name rules
// ---------------------------------------------------------------------------------------------

/// The branch name of a short name or `refs/heads/...`; other refs are not branches.
fn short_name(reference: &str) -> Result<&str> {
    if let Some(name) = reference.strip_prefix(HEADS) {
        return Ok(name);
    }
    let Some(rest) = reference.strip_prefix("refs/") else {
        return Ok(reference);
    };
    let not_a_branch = |what: &str| {
        Error::new(
            ErrorKind::NotABranch,
            format!("`{}` {what}", shown(reference)),
        )
        .with_input(reference)
    };
    Err(if rest.starts_with("tags/") {
        not_a_branch("is a tag, not a branch")
    } else if rest.starts_with("pull/") || rest.starts_with("merge-requests/") {
        not_a_branch("is a pull-request ref, not a branch")
    } else if rest.starts_with("remotes/") {
        not_a_branch("is a remote-tracking ref, not a branch")
    } else {
        not_a_branch("is not a branch: branch refs start with `refs/heads/`")
    })
}

/// One way a name breaks git's ref-name rules (`git check-ref-format --branch`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum RefProblem {
    Empty,
    /// A forbidden character and its 0-based character index in the name.
    Char(char, usize),
    DoubleDot,
    AtBrace,
    LoneAt,
    LeadingSlash,
    EmptySegment,
    TrailingSlash,
    TrailingDot,
    DotSegment(String),
    LockSegment(String),
    LeadingDash,
}

impl RefProblem {
    /// The reason, as a message tail; `offset` is the number of characters before the name in
    /// the input (for positions).
    fn describe(&self, offset: usize) -> String {
        match self {
            RefProblem::Empty => "it is empty".to_owned(),
            RefProblem::Char(c, at) => {
                let what = match c {
                    ' ' => "a space".to_owned(),
                    c if c.is_control() => {
                        format!("the control character `{}`", c.escape_debug())
                    }
                    c => format!("`{c}`"),
                };
                format!(
                    "it contains {what} at character {} (git forbids control characters, space, \
                     `~`, `^`, `:`, `?`, `*`, `[` and `\\`)",
                    offset + at + 1
                )
            }
            RefProblem::DoubleDot => "it contains `..`".to_owned(),
            RefProblem::AtBrace => "it contains `@{`".to_owned(),
            RefProblem::LoneAt => "`@` alone is reserved".to_owned(),
            RefProblem::LeadingSlash => "it starts with `/`".to_owned(),
            RefProblem::EmptySegment => "it has an empty segment (`//`)".to_owned(),
            RefProblem::TrailingSlash => "it ends with `/`".to_owned(),
            RefProblem::TrailingDot => "it ends with `.`".to_owned(),
            RefProblem::DotSegment(seg) => {
                format!("segment `{}` starts with `.`", shown(seg))
            }
            RefProblem::LockSegment(seg) => {
                format!("segment `{}` ends with `.lock`", shown(seg))
            }
            RefProblem::LeadingDash => {
                "it starts with `-` (git refuses branch names that look like options)".to_owned()
            }
        }
    }
}

/// Checks git's ref-name rules, reporting the first broken one in a fixed order: empty, a
/// forbidden character (the leftmost), `..`, `@{`, `@`, leading `/`, `//`, trailing `/`,
/// trailing `.`, a segment starting with `.`, a segment ending with `.lock`, a leading `-`.
fn check_ref_name(name: &str) -> Result<(), RefProblem> {
    if name.is_empty() {
        return Err(RefProblem::Empty);
    }
    if let Some((at, c)) = name
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_ascii_control() || " ~^:?*[\\".contains(*c))
    {
        return Err(RefProblem::Char(c, at));
    }
    if name.contains("..") {
        return Err(RefProblem::DoubleDot);
    }
    if name.contains("@{") {
        return Err(RefProblem::AtBrace);
    }
    if name == "@" {
        return Err(RefProblem::LoneAt);
    }
    if name.starts_with('/') {
        return Err(RefProblem::LeadingSlash);
    }
    if name.contains("//") {
        return Err(RefProblem::EmptySegment);
    }
    if name.ends_with('/') {
        return Err(RefProblem::TrailingSlash);
    }
    if name.ends_with('.') {
        return Err(RefProblem::TrailingDot);
    }
    for seg in name.split('/') {
        if seg.starts_with('.') {
            return Err(RefProblem::DotSegment(seg.to_owned()));
        }
        if seg.ends_with(".lock") {
            return Err(RefProblem::LockSegment(seg.to_owned()));
        }
    }
    if name.starts_with('-') {
        return Err(RefProblem::LeadingDash);
    }
    Ok(())
}

/// Compile-time check: every public type can cross threads (bindings and async callers need it).
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<BranchRules>();
    check::<BranchPattern>();
    check::<BranchKind>();
    check::<Branch>();
};

// ---------------------------------------------------------------------------------------------
// Message helpers
// ---------------------------------------------------------------------------------------------

/// Untrusted input as shown in a message: control characters escaped, long input shortened.
fn shown(s: &str) -> String {
    let count = s.chars().count();
    if count <= SHOWN_MAX_CHARS {
        return s.escape_debug().to_string();
    }
    let head: String = s.chars().take(SHOWN_MAX_CHARS).collect();
    format!("{}... ({count} characters)", head.escape_debug())
}

/// "a", "a or b", "a, b or c".
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// "service", "service and topic", "service, topic and version".
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SERVICES: &[&str] = &[
        "delivery",
        "dronescheduler",
        "ingestion",
        "package",
        "workflow",
    ];

    fn rules() -> BranchRules {
        BranchRules::default()
    }

    fn custom(json: serde_json::Value) -> BranchRules {
        serde_json::from_value(json).unwrap()
    }

    fn version(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    /// `kind service version topic`, `-` for null.
    fn summary(b: &Branch) -> String {
        let or_dash = |s: Option<String>| s.unwrap_or_else(|| "-".to_owned());
        format!(
            "{} {} {} {}",
            b.kind,
            or_dash(b.service.clone()),
            or_dash(b.version.as_ref().map(ToString::to_string)),
            or_dash(b.topic.clone())
        )
    }

    #[test]
    fn classifies_valid_names() {
        let cases: &[(&str, bool, &str)] = &[
            ("main", true, "trunk - - -"),
            ("master", true, "trunk - - -"),
            ("refs/heads/main", true, "trunk - - -"),
            (
                "feature/delivery/retry-policy",
                true,
                "feature delivery - retry-policy",
            ),
            (
                "feature/delivery/ui/retry/v2",
                true,
                "feature delivery - ui/retry/v2",
            ),
            (
                "topic/ingestion/batching",
                true,
                "topic ingestion - batching",
            ),
            ("release/delivery/v1.0.2", true, "release delivery 1.0.2 -"),
            ("release/workflow/v0.0.0", true, "release workflow 0.0.0 -"),
            (
                "release/delivery/v1.0.3-rc.1",
                true,
                "release delivery 1.0.3-rc.1 -",
            ),
            (
                "release/delivery/v1.0.3+build.7",
                true,
                "release delivery 1.0.3+build.7 -",
            ),
            (
                "release/delivery/v1.0.3-rc.1+b.7",
                true,
                "release delivery 1.0.3-rc.1+b.7 -",
            ),
            (
                "refs/heads/release/package/v2.10.0",
                true,
                "release package 2.10.0 -",
            ),
            ("feature/billing/x", false, "feature billing - x"),
            ("feature/a1-b2/x", false, "feature a1-b2 - x"),
            ("feature/delivery/café", true, "feature delivery - café"),
            ("feature/delivery/x.y", true, "feature delivery - x.y"),
            ("feature/delivery/@", true, "feature delivery - @"),
        ];
        for (input, declared, want) in cases {
            let services = declared.then_some(SERVICES);
            let branch = rules().classify(input, services).unwrap();
            assert_eq!(summary(&branch), *want, "{input}");
            let name = input.strip_prefix(HEADS).unwrap_or(input);
            assert_eq!(branch.name, name);
            assert_eq!(branch.reference, format!("{HEADS}{name}"));
        }
    }

    #[test]
    fn rejects_with_the_right_kind() {
        use ErrorKind::*;
        let cases: &[(&str, ErrorKind, Option<&str>)] = &[
            ("refs/tags/delivery-v1.0.2", NotABranch, None),
            ("refs/pull/12/merge", NotABranch, None),
            ("refs/merge-requests/3/head", NotABranch, None),
            (
                "refs/remotes/origin/main",
                NotABranch,
                Some("refs/heads/main"),
            ),
            ("refs/notes/commits", NotABranch, None),
            ("refs/heads", NotABranch, None),
            ("HEAD", NotABranch, None),
            ("", InvalidRefName, None),
            ("refs/heads/", InvalidRefName, None),
            ("feature/delivery/a b", InvalidRefName, None),
            ("feature/delivery/a\u{1}b", InvalidRefName, None),
            ("feature/delivery/a\u{7f}b", InvalidRefName, None),
            ("feature/delivery/a~1", InvalidRefName, None),
            ("feature/delivery/a^1", InvalidRefName, None),
            ("feature/delivery/a:b", InvalidRefName, None),
            ("feature/delivery/a?", InvalidRefName, None),
            ("feature/delivery/a*", InvalidRefName, None),
            ("feature/delivery/a[b", InvalidRefName, None),
            ("feature/delivery/a\\b", InvalidRefName, None),
            ("feature/delivery/a..b", InvalidRefName, None),
            ("feature/delivery/a@{1}", InvalidRefName, None),
            ("@", InvalidRefName, None),
            ("/main", InvalidRefName, None),
            ("feature//x", InvalidRefName, None),
            ("feature/delivery/", InvalidRefName, None),
            ("feature/delivery/x.", InvalidRefName, None),
            ("feature/delivery/.x", InvalidRefName, None),
            ("feature/delivery/x.lock", InvalidRefName, None),
            ("-main", InvalidRefName, None),
            ("develop", UnknownBranchKind, None),
            ("Main", UnknownBranchKind, Some("main")),
            ("mastr", UnknownBranchKind, Some("master")),
            (
                "relase/delivery/v1.0.2",
                UnknownBranchKind,
                Some("release/delivery/v1.0.2"),
            ),
            (
                "Release/delivery/1.0.2",
                UnknownBranchKind,
                Some("release/delivery/v1.0.2"),
            ),
            (
                "FEATURE/delivery/x",
                UnknownBranchKind,
                Some("feature/delivery/x"),
            ),
            ("feature/delivery", UnknownBranchKind, None),
            ("release/delivery/v1.0.2/x", UnknownBranchKind, None),
            (
                "release/delivry/v1.0.2",
                UnknownService,
                Some("release/delivery/v1.0.2"),
            ),
            (
                "feature/Delivery/x",
                UnknownService,
                Some("feature/delivery/x"),
            ),
            ("feature/billing/x", UnknownService, None),
            (
                "release/delivery/1.0.2",
                InvalidBranchVersion,
                Some("release/delivery/v1.0.2"),
            ),
            (
                "release/delivery/V1.0.2",
                InvalidBranchVersion,
                Some("release/delivery/v1.0.2"),
            ),
            (
                "release/delivery/v1.0",
                InvalidBranchVersion,
                Some("release/delivery/v1.0.0"),
            ),
            (
                "release/delivery/v1",
                InvalidBranchVersion,
                Some("release/delivery/v1.0.0"),
            ),
            ("release/delivery/v01.0.2", InvalidBranchVersion, None),
            ("release/delivery/vx", InvalidBranchVersion, None),
        ];
        for (input, kind, suggestion) in cases {
            let err = rules().classify(input, Some(SERVICES)).unwrap_err();
            assert_eq!(err.kind(), *kind, "{input}: {err}");
            assert_eq!(err.suggestion(), *suggestion, "{input}: {err}");
            assert_eq!(err.input(), Some(*input));
        }
    }

    #[test]
    fn exact_messages() {
        let cases: &[(&str, &str)] = &[
            (
                "relase/delivery/v1.0.2",
                "`relase/delivery/v1.0.2` matches no branch kind; expected `main`, `master`, \
                 `feature/{service}/{topic}`, `release/{service}/v{version}` or \
                 `topic/{service}/{topic}` (did you mean `release/delivery/v1.0.2`?)",
            ),
            (
                "release/delivry/v1.0.2",
                "`release/delivry/v1.0.2` names service `delivry`, which is not declared \
                 (declared: `delivery`, `dronescheduler`, `ingestion`, `package`, `workflow`) \
                 (did you mean `release/delivery/v1.0.2`?)",
            ),
            (
                "release/delivery/1.0.2",
                "`release/delivery/1.0.2` is a `release` branch (`release/{service}/v{version}`) \
                 but its version segment `1.0.2` does not start with `v` \
                 (did you mean `release/delivery/v1.0.2`?)",
            ),
            (
                "feature/delivery",
                "`feature/delivery` does not fit the `feature` branch pattern \
                 `feature/{service}/{topic}`: the topic is missing",
            ),
            (
                "release/v1.0.2",
                "`release/v1.0.2` does not fit the `release` branch pattern \
                 `release/{service}/v{version}`: the service is missing",
            ),
            (
                "release",
                "`release` does not fit the `release` branch pattern \
                 `release/{service}/v{version}`: the service and the version are missing",
            ),
            (
                "feature/delivery/",
                "`feature/delivery/` is not a valid git branch name: it ends with `/`; the topic \
                 of a `feature` branch (`feature/{service}/{topic}`) is missing",
            ),
            (
                "refs/heads/feature/x/a b",
                "`refs/heads/feature/x/a b` is not a valid git branch name: it contains a space at \
                 character 23 (git forbids control characters, space, `~`, `^`, `:`, `?`, `*`, \
                 `[` and `\\`)",
            ),
            (
                "feature/x/\u{7f}",
                "`feature/x/\\u{7f}` is not a valid git branch name: it contains the control \
                 character `\\u{7f}` at character 11 (git forbids control characters, space, \
                 `~`, `^`, `:`, `?`, `*`, `[` and `\\`)",
            ),
            (
                "refs/tags/v1.0.2",
                "`refs/tags/v1.0.2` is a tag, not a branch",
            ),
            ("", "an empty string is not a valid git branch name"),
        ];
        for (input, message) in cases {
            let err = rules().classify(input, Some(SERVICES)).unwrap_err();
            assert_eq!(err.to_string(), *message, "{input}");
        }
    }

    #[test]
    fn services_none_checks_syntax_only() {
        let err = rules().classify("feature/-x/y", None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownService);
        assert_eq!(err.suggestion(), None);
        let err = rules()
            .classify("feature/Drone_Scheduler/y", None)
            .unwrap_err();
        assert_eq!(err.suggestion(), Some("feature/drone-scheduler/y"));
        let err = rules().classify("feature/x/y", Some(&[])).unwrap_err();
        assert!(
            err.to_string().contains("no services are declared"),
            "{err}"
        );
    }

    #[test]
    fn long_service_lists_are_shortened() {
        let many: Vec<String> = (0..25).map(|i| format!("svc{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let err = rules()
            .classify("feature/other/x", Some(&many))
            .unwrap_err();
        assert!(err.to_string().contains("`svc9`, and 15 more)"), "{err}");
    }

    #[test]
    fn precedence_is_ref_kind_service_version() {
        // Each input breaks several rules; the first in precedence order is reported.
        let cases: &[(&str, ErrorKind)] = &[
            ("refs/tags/a b", ErrorKind::NotABranch),
            ("relase/delivry/a b", ErrorKind::InvalidRefName),
            ("relase/delivry/1.0.2", ErrorKind::UnknownBranchKind),
            ("release/delivry/1.0.2", ErrorKind::UnknownService),
            ("release/billing/1.0.2", ErrorKind::UnknownService),
        ];
        for (input, kind) in cases {
            let err = rules().classify(input, Some(SERVICES)).unwrap_err();
            assert_eq!(err.kind(), *kind, "{input}: {err}");
        }
        // The suggestion fixes everything fixable at once.
        let err = rules()
            .classify("relase/delivry/1.0", Some(SERVICES))
            .unwrap_err();
        assert_eq!(err.suggestion(), Some("release/delivery/v1.0.0"));
        // ... and is withheld when something stays broken.
        let err = rules()
            .classify("release/billing/1.0.2", Some(SERVICES))
            .unwrap_err();
        assert_eq!(err.suggestion(), None);
    }

    #[test]
    fn parses_patterns() {
        let ok = [
            "feature/{service}/{topic}",
            "release/{service}/v{version}",
            "release/v{version}",
            "{service}/release/{version}",
            "rel-{version}/{service}",
            "develop",
            "{topic}",
            "users/{topic}",
        ];
        for text in ok {
            let pattern: BranchPattern = text.parse().unwrap();
            assert_eq!(pattern.to_string(), text);
        }
        let bad: &[(&str, &str)] = &[
            ("", "it is empty"),
            ("feature//{topic}", "empty segment"),
            ("/feature/{topic}", "empty segment"),
            ("feature/{topic}/", "empty segment"),
            ("feature/{svc}/{topic}", "unknown placeholder `{svc}`"),
            ("feature/{}/x", "unknown placeholder `{}`"),
            ("feature/{service/{topic}", "`{` without a matching `}`"),
            ("feature/service}/{topic}", "`}` without a matching `{`"),
            ("feature/x}{service}/{topic}", "`}` without a matching `{`"),
            ("feature/{{service}}/x", "`{` inside a placeholder"),
            ("feature/{topic}/{service}", "must be the last segment"),
            (
                "feature/{service}/{service}",
                "`{service}` appears more than once",
            ),
            (
                "r/v{version}/x{version}",
                "`{version}` appears more than once",
            ),
            (
                "r/{service}/v{version}-rc",
                "`{version}` must end its segment",
            ),
            ("feature/svc-{service}/{topic}", "must fill a whole segment"),
            ("feature/{service}-x/{topic}", "must fill a whole segment"),
            ("r/{service}/{version}{topic}", "more than one placeholder"),
            ("feature/a b/{topic}", "contains a space"),
            ("feature/.x/{topic}", "starts with `.`"),
            ("feature/x.lock/{topic}", "ends with `.lock`"),
            ("-x/{topic}", "starts with `-`"),
            ("HEAD", "`HEAD` is not a branch name"),
        ];
        for (text, reason) in bad {
            let err = text.parse::<BranchPattern>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidPattern, "{text}");
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
        assert_eq!(
            "feature/{svc}/{topic}"
                .parse::<BranchPattern>()
                .unwrap_err()
                .to_string(),
            "branch pattern `feature/{svc}/{topic}` is invalid: unknown placeholder `{svc}`; \
             the placeholders are `{service}`, `{topic}` and `{version}`"
        );
    }

    #[test]
    fn kinds_parse_and_compare_by_name() {
        let cases: &[(&str, Option<BranchKind>)] = &[
            ("trunk", Some(BranchKind::Trunk)),
            ("feature", Some(BranchKind::Feature)),
            ("topic", Some(BranchKind::Topic)),
            ("release", Some(BranchKind::Release)),
            ("hotfix", Some(BranchKind::Other("hotfix".into()))),
            ("hot_fix-2", Some(BranchKind::Other("hot_fix-2".into()))),
            ("Hotfix", None),
            ("", None),
            ("2fix", None),
            ("hot fix", None),
        ];
        for (text, want) in cases {
            let got = text.parse::<BranchKind>().ok();
            assert_eq!(got, *want, "{text}");
            if let Some(kind) = got {
                assert_eq!(kind.to_string(), *text);
            }
        }
        assert_eq!(BranchKind::Other("release".into()), BranchKind::Release);
        assert_eq!(
            serde_json::to_value(BranchKind::Other("hotfix".into())).unwrap(),
            serde_json::json!("hotfix")
        );
    }

    #[test]
    fn config_merges_with_defaults() {
        let rules = custom(serde_json::json!({
            "trunk": ["trunk-main"],
            "kinds": {"hotfix": "hotfix/{service}/v{version}", "topic": null,
                      "feature": "feat/{service}/{topic}"}
        }));
        let names: Vec<&str> = rules.kinds.keys().map(BranchKind::as_str).collect();
        assert_eq!(names, ["feature", "hotfix", "release"]);
        assert_eq!(rules.trunk, ["trunk-main"]);
        assert!(rules.is_release_like(&BranchKind::Other("hotfix".into())));
        assert!(!rules.is_release_like(&BranchKind::Feature));
        // Serializing keeps the removal, so the round trip is exact.
        let json = serde_json::to_value(&rules).unwrap();
        assert_eq!(json["kinds"]["topic"], serde_json::Value::Null);
        assert_eq!(custom(json), rules);
        // Defaults serialize to the documented section.
        assert_eq!(
            serde_json::to_value(BranchRules::default()).unwrap(),
            serde_json::json!({"trunk": ["main", "master"], "kinds": {
                "feature": "feature/{service}/{topic}",
                "release": "release/{service}/v{version}",
                "topic": "topic/{service}/{topic}"}})
        );
        assert_eq!(custom(serde_json::json!({})), BranchRules::default());
        assert_eq!(
            custom(serde_json::json!({"kinds": null})),
            BranchRules::default()
        );
        for bad in [
            serde_json::json!({"kinds": {"trunk": "x/{topic}"}}),
            serde_json::json!({"kinds": {"Hotfix": "x/{topic}"}}),
            serde_json::json!({"kinds": {"x": "x/{nope}"}}),
            serde_json::json!({"branches": {}}),
        ] {
            assert!(
                serde_json::from_value::<BranchRules>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn config_from_yaml() {
        let rules: BranchRules = serde_saphyr::from_str(
            "trunk: [main]\nkinds:\n  hotfix: \"hotfix/{service}/v{version}\"\n  topic: ~\n",
        )
        .unwrap();
        assert_eq!(rules.trunk, ["main"]);
        assert!(rules.classify("hotfix/delivery/v1.0.3", None).is_ok());
        assert!(rules.classify("master", None).is_err());
        let schema = schemars::schema_for!(BranchRules);
        let text = serde_json::to_string(&schema).unwrap();
        assert!(text.contains("BranchPattern"), "{text}");
    }

    #[test]
    fn validates_rules() {
        assert!(rules().validate().is_ok());
        assert!(
            custom(serde_json::json!({"kinds": {"hotfix": "hotfix/{service}/v{version}"}}))
                .validate()
                .is_ok()
        );
        assert!(
            custom(serde_json::json!({"kinds": {"a": "r/v{version}", "b": "r/x{version}"}}))
                .validate()
                .is_ok()
        );
        assert!(
            custom(serde_json::json!({"kinds": {"a": "x/{service}", "b": "x/v{version}"}}))
                .validate()
                .is_ok()
        );
        let cases: &[(serde_json::Value, &str)] = &[
            (
                serde_json::json!({"kinds": {"train": "release/{service}/{topic}"}}),
                "branch kinds `release` (`release/{service}/v{version}`) and `train` \
                 (`release/{service}/{topic}`) overlap: `release/svc/v1.0.0` matches both",
            ),
            (
                serde_json::json!({"kinds": {"a": "r/v{version}", "b": "r/v1{version}"}}),
                "branch kinds `a` (`r/v{version}`) and `b` (`r/v1{version}`) overlap: \
                 `r/v11.0.0` matches both",
            ),
            (
                serde_json::json!({"kinds": {"a": "x/stable", "b": "x/{service}"}}),
                "branch kinds `a` (`x/stable`) and `b` (`x/{service}`) overlap: `x/stable` \
                 matches both",
            ),
            (
                serde_json::json!({"kinds": {"any": "{topic}"}}),
                "trunk branch `main` also matches the `any` kind (`{topic}`)",
            ),
            (
                serde_json::json!({"trunk": ["main", "main"]}),
                "trunk branch `main` is listed twice",
            ),
            (
                serde_json::json!({"trunk": ["ma in"]}),
                "trunk branch `ma in` is not a valid git branch name: it contains a space at \
                 character 3 (git forbids control characters, space, `~`, `^`, `:`, `?`, `*`, \
                 `[` and `\\`)",
            ),
            (
                serde_json::json!({"trunk": ["HEAD"]}),
                "trunk branch `HEAD` is a symbolic ref, not a branch",
            ),
            (
                serde_json::json!({"kinds": {"release": "release/{service}/{topic}"}}),
                "the `release` kind (`release/{service}/{topic}`) has no `{version}`, so release \
                 branches cannot carry their version",
            ),
        ];
        for (json, message) in cases {
            let err = custom(json.clone()).validate().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{json}");
            assert_eq!(err.to_string(), *message, "{json}");
        }
        let mut bad_name = rules();
        bad_name.kinds.insert(
            BranchKind::Other("Hot Fix".into()),
            "hf/{topic}".parse().unwrap(),
        );
        assert_eq!(
            bad_name.validate().unwrap_err().kind(),
            ErrorKind::ConfigInvalid
        );
    }

    #[test]
    fn overlap_witnesses_match_both_patterns() {
        let patterns = [
            "feature/{service}/{topic}",
            "release/{service}/v{version}",
            "release/{service}/{topic}",
            "release/{topic}",
            "{service}/{topic}",
            "{topic}",
            "r/v{version}",
            "r/v1{version}",
            "r/v0{version}",
            "r/{version}",
            "x/stable",
            "x/{service}",
            "x/v1.0.0",
            "x/v{version}",
            "develop",
        ];
        for a in patterns {
            for b in patterns {
                let pa: BranchPattern = a.parse().unwrap();
                let pb: BranchPattern = b.parse().unwrap();
                let witness = pa.overlap_witness(&pb);
                if let Some(w) = &witness {
                    let segs: Vec<&str> = w.split('/').collect();
                    assert!(pa.capture(&segs, None).is_some(), "{a} vs {b}: {w}");
                    assert!(pb.capture(&segs, None).is_some(), "{a} vs {b}: {w}");
                }
                assert_eq!(
                    witness.is_some(),
                    pb.overlap_witness(&pa).is_some(),
                    "{a} {b}"
                );
            }
        }
        let no = |a: &str, b: &str| {
            let pa: BranchPattern = a.parse().unwrap();
            pa.overlap_witness(&b.parse().unwrap()).is_none()
        };
        assert!(no(
            "feature/{service}/{topic}",
            "release/{service}/v{version}"
        ));
        assert!(no("r/v{version}", "r/v0{version}"));
        assert!(no("x/{service}", "x/v{version}"));
        assert!(no("develop", "release/{topic}"));
    }

    #[test]
    fn renders() {
        let r = rules();
        assert_eq!(
            r.release_branch("delivery", &version("1.0.2")).unwrap(),
            "release/delivery/v1.0.2"
        );
        assert_eq!(
            r.release_branch("delivery", &version("v1.0.3-rc.1"))
                .unwrap(),
            "release/delivery/v1.0.3-rc.1"
        );
        assert_eq!(
            r.render(&BranchKind::Trunk, None, None, None).unwrap(),
            "main"
        );
        assert_eq!(
            r.render(
                &BranchKind::Topic,
                Some("ingestion"),
                Some("a/b"),
                Some(&version("1.0.0"))
            )
            .unwrap(),
            "topic/ingestion/a/b"
        );
        type Case<'a> = (
            BranchKind,
            Option<&'a str>,
            Option<&'a str>,
            ErrorKind,
            &'a str,
        );
        let cases: &[Case<'_>] = &[
            (
                BranchKind::Feature,
                Some("delivery"),
                None,
                ErrorKind::InvalidTemplate,
                "rendering a `feature` branch (`feature/{service}/{topic}`) needs a topic, but \
                 none was given",
            ),
            (
                BranchKind::Feature,
                None,
                None,
                ErrorKind::InvalidTemplate,
                "rendering a `feature` branch (`feature/{service}/{topic}`) needs a service and \
                 topic, but none was given",
            ),
            (
                BranchKind::Other("hotfix".into()),
                None,
                None,
                ErrorKind::UnknownBranchKind,
                "branch kind `hotfix` is not configured (configured: `feature`, `release`, \
                 `topic`)",
            ),
            (
                BranchKind::Other("featur".into()),
                None,
                None,
                ErrorKind::UnknownBranchKind,
                "branch kind `featur` is not configured (configured: `feature`, `release`, \
                 `topic`) (did you mean `feature`?)",
            ),
            (
                BranchKind::Feature,
                Some("Delivery"),
                Some("x"),
                ErrorKind::UnknownService,
                "`feature/Delivery/x` names service `Delivery`, which is not a valid service \
                 name (lowercase letters, digits and `-`, starting and ending with a letter or \
                 digit) (did you mean `feature/delivery/x`?)",
            ),
            (
                BranchKind::Feature,
                Some("delivery"),
                Some("a b"),
                ErrorKind::InvalidRefName,
                "`feature/delivery/a b` is not a valid git branch name: it contains a space at \
                 character 19 (git forbids control characters, space, `~`, `^`, `:`, `?`, `*`, \
                 `[` and `\\`)",
            ),
            (
                BranchKind::Feature,
                Some("delivery/x"),
                Some("y"),
                ErrorKind::UnknownService,
                "service `delivery/x` is not a valid service name: it contains `/`, but a \
                 service fills exactly one segment of a branch name",
            ),
        ];
        for (kind, service, topic, code, message) in cases {
            let err = r.render(kind, *service, *topic, None).unwrap_err();
            assert_eq!(err.kind(), *code, "{kind} {service:?} {topic:?}: {err}");
            assert_eq!(err.to_string(), *message);
        }
        let err = r.release_branch("delivery", &version("1.0.2"));
        assert!(err.is_ok());
        let no_release = custom(serde_json::json!({"kinds": {"release": null}}));
        let err = no_release
            .release_branch("delivery", &version("1.0.2"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownBranchKind);
        let no_trunk = custom(serde_json::json!({"trunk": []}));
        let err = no_trunk
            .render(&BranchKind::Trunk, None, None, None)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownBranchKind);
        // Overlapping (unvalidated) kinds: the rendered name reads back as another kind.
        let overlapping =
            custom(serde_json::json!({"kinds": {"a": "x/{topic}", "b": "x/{service}/v{version}"}}));
        let err = overlapping
            .render(
                &BranchKind::Other("b".into()),
                Some("svc"),
                None,
                Some(&version("1.0.0")),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidTemplate);
        assert_eq!(
            err.to_string(),
            "rendering a `b` branch gives `x/svc/v1.0.0`, which reads back as a `a` branch; the \
             branch kinds overlap"
        );
    }

    #[test]
    fn render_then_classify_round_trips() {
        let r = custom(
            serde_json::json!({"kinds": {"hotfix": "hotfix/{service}/v{version}",
                                                    "nightly": "nightly/v{version}"}}),
        );
        r.validate().unwrap();
        let versions = [
            "0.0.0",
            "1.0.2",
            "1.0.3-rc.1",
            "2.0.0+build.5",
            "10.20.30-alpha.1+x.y",
        ];
        let topics = ["x", "retry-policy", "ui/retry", "a/b/c/d", "café", "v1.0.0"];
        for kind in r.kinds.keys() {
            for service in SERVICES {
                for v in versions {
                    for topic in topics {
                        let v = version(v);
                        let name = r
                            .render(kind, Some(service), Some(topic), Some(&v))
                            .unwrap();
                        let branch = r.classify(&name, Some(SERVICES)).unwrap();
                        assert_eq!(branch.kind, *kind, "{name}");
                        let pattern = r.pattern(kind).unwrap();
                        if pattern.has_service() {
                            assert_eq!(branch.service.as_deref(), Some(*service), "{name}");
                        }
                        if pattern.has_topic() {
                            assert_eq!(branch.topic.as_deref(), Some(topic), "{name}");
                        }
                        if pattern.is_release_like() {
                            assert_eq!(branch.version.as_ref(), Some(&v), "{name}");
                            assert!(branch.is_release_like());
                        }
                    }
                }
            }
        }
    }

    /// A tiny deterministic generator (xorshift), so the fuzz-like test needs no dependency.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    #[test]
    fn never_panics_and_suggestions_classify() {
        let pieces = [
            "release",
            "relase",
            "Release",
            "feature",
            "FEATURE",
            "topic",
            "hotfix",
            "delivery",
            "delivry",
            "Delivery",
            "package",
            "v1.0.2",
            "1.0.2",
            "v1.0",
            "V2",
            "v1.0.3-rc.1",
            "main",
            "Main",
            "mian",
            "refs/heads/",
            "refs/tags/",
            "refs/remotes/o/",
            "/",
            "/",
            "/",
            "",
            ".",
            "..",
            "@",
            "@{",
            "~",
            " ",
            "\u{0}",
            "\u{7f}",
            "\t",
            "é",
            "日本",
            "-",
            "_",
            ".lock",
            "x",
            "HEAD",
            "{service}",
            "\\",
            "*",
            "+build.1",
        ];
        let r = custom(serde_json::json!({"kinds": {"hotfix": "hotfix/{service}/v{version}"}}));
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let n = (g.next() % 7) as usize;
            let input: String = (0..n).map(|_| g.pick(&pieces)).collect();
            for services in [None, Some(SERVICES)] {
                match r.classify(&input, services) {
                    Ok(branch) => {
                        assert_eq!(branch.reference, format!("{HEADS}{}", branch.name));
                        if branch.kind != BranchKind::Trunk {
                            let again = r
                                .render(
                                    &branch.kind,
                                    branch.service.as_deref(),
                                    branch.topic.as_deref(),
                                    branch.version.as_ref(),
                                )
                                .unwrap();
                            assert_eq!(again, branch.name, "{input:?}");
                        }
                    }
                    Err(err) => {
                        assert!(!err.message().is_empty());
                        if let Some(suggestion) = err.suggestion() {
                            assert!(
                                r.classify(suggestion, services).is_ok(),
                                "{input:?} -> {suggestion:?}"
                            );
                        }
                    }
                }
            }
            if let Ok(pattern) = input.parse::<BranchPattern>() {
                assert_eq!(pattern.to_string(), input);
                assert_eq!(
                    pattern.to_string().parse::<BranchPattern>().unwrap(),
                    pattern
                );
            }
            if let Ok(kind) = input.parse::<BranchKind>() {
                assert_eq!(kind.to_string(), input);
            }
        }
    }

    #[test]
    fn huge_and_odd_inputs_stay_bounded() {
        let huge = "a".repeat(1 << 20);
        let inputs = [
            huge.clone(),
            format!("feature/delivery/{huge}"),
            format!("release/{huge}/v1.0.2"),
            format!("release/delivery/v1.0.{huge}"),
            format!("{huge} "),
            format!("relase/{huge}/1.0.2"),
            "\u{0}\u{1}\u{1f}\u{7f}".to_owned(),
            "日本/語/テスト".to_owned(),
            "\u{feff}main".to_owned(),
        ];
        for input in &inputs {
            for services in [None, Some(SERVICES)] {
                if let Err(err) = rules().classify(input, services) {
                    assert!(err.to_string().len() < 2_000, "{}", &err.to_string()[..300]);
                }
            }
            assert!(input.parse::<BranchPattern>().is_err() || !input.contains(' '));
        }
        let big_service = format!("feature/{}/x", "b".repeat(100_000));
        assert!(rules().classify(&big_service, None).is_ok());
    }
}
