//! # Release versions
//!
//! A release of a service carries one version, and every other name of that release (image tag,
//! chart version, git tag, see [`crate::tag`]) is derived from it. This module holds the rules
//! for that version: its grammar, its order, how it is bumped, how the next one follows from
//! conventional commits, and that it only ever goes up. The rules of the `versioning:` section
//! of `shiprail.yaml` are carried by [`VersionPolicy`].
//!
//! ## Strict SemVer 2.0
//!
//! A version is `MAJOR.MINOR.PATCH[-PRE][+BUILD]` exactly as SemVer 2.0 defines it: three
//! numbers without leading zeros, dot-separated pre-release identifiers (numeric ones without
//! leading zeros) and build identifiers. No whitespace, no `1.0`, no `V1.0.0`.
//!
//! ```
//! use shiprail::version::ReleaseVersion;
//! assert_eq!("1.0.2".parse::<ReleaseVersion>()?.to_string(), "1.0.2");
//! assert!("1.02.0".parse::<ReleaseVersion>().is_err());
//! assert!("1.0".parse::<ReleaseVersion>().is_err());
//! assert!(" 1.0.2".parse::<ReleaseVersion>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The `v` prefix
//!
//! Branches and tags usually write `v1.0.2`. [`VPrefix`] decides how a version *written in a
//! branch, tag or input* may be prefixed: `accept` (the default) takes both forms, `require`
//! insists on the `v`, `forbid` refuses it. Output is always normalised: [`ReleaseVersion`]
//! displays without `v`, and [`ReleaseVersion::with_v`] adds it where a name wants one.
//!
//! ```
//! use shiprail::version::{VPrefix, VersionPolicy};
//! let policy = VersionPolicy { v_prefix: VPrefix::Require, ..VersionPolicy::default() };
//! assert_eq!(policy.parse("v1.0.2")?.to_string(), "1.0.2");
//! assert_eq!(
//!     policy.parse("1.0.2").unwrap_err().to_string(),
//!     "`1.0.2` lacks the `v` prefix that versioning.v_prefix `require` asks for (did you mean `v1.0.2`?)"
//! );
//! assert_eq!(policy.parse("v1.0.2-rc.1")?.with_v(), "v1.0.2-rc.1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Precedence
//!
//! Versions are compared by SemVer precedence: numbers numerically, a pre-release below its
//! release, numeric identifiers below alphanumeric ones, a longer identifier list above its
//! prefix. Build metadata does not count ([`ReleaseVersion::cmp_precedence`]); the `Ord` of
//! [`ReleaseVersion`] uses it only as a last tie-breaker so that sorting is deterministic.
//!
//! ```
//! use shiprail::version::ReleaseVersion;
//! let order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0"];
//! let parsed = order.iter().map(|s| s.parse()).collect::<Result<Vec<ReleaseVersion>, _>>()?;
//! assert!(parsed.windows(2).all(|w| w[0] < w[1]));
//! let a: ReleaseVersion = "1.0.2+sha.abc1234".parse()?;
//! assert_eq!(a.cmp_precedence(&"1.0.2".parse()?), std::cmp::Ordering::Equal);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Bumps
//!
//! [`Bump`] is ordered `none < patch < minor < major`. [`ReleaseVersion::bump`] gives the
//! smallest version of that level above the version, so a pre-release is first completed:
//! `1.0.3-rc.1` bumped by patch is `1.0.3`, `1.0.2` bumped by patch is `1.0.3`. Build metadata
//! is dropped.
//!
//! ```
//! use shiprail::version::{Bump, ReleaseVersion};
//! let v: ReleaseVersion = "1.0.2".parse()?;
//! assert_eq!(v.bump(Bump::Minor)?.to_string(), "1.1.0");
//! assert_eq!("2.0.0-rc.1".parse::<ReleaseVersion>()?.bump(Bump::Major)?.to_string(), "2.0.0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Pre-release counters
//!
//! A pre-release is `X.Y.Z-<label>.<N>` with the label from the policy (`rc`) and a counter
//! starting at 0. [`ReleaseVersion::next_prerelease`] increments the counter of a pre-release
//! of the same label; when the last identifier is not numeric (`1.0.3-rc`) a counter `.0` is
//! appended (which SemVer orders above the bare label); a stable version moves to the next
//! patch's `-<label>.0`; switching to another label starts at `.0` and is refused when that
//! would not be higher (`1.0.3-rc.1` cannot go to `beta`).
//!
//! ```
//! use shiprail::version::ReleaseVersion;
//! let rc1: ReleaseVersion = "1.0.3-rc.1".parse()?;
//! assert_eq!(rc1.next_prerelease("rc")?.to_string(), "1.0.3-rc.2");
//! assert_eq!("1.0.3-rc".parse::<ReleaseVersion>()?.next_prerelease("rc")?.to_string(), "1.0.3-rc.0");
//! assert_eq!("1.0.2".parse::<ReleaseVersion>()?.next_prerelease("rc")?.to_string(), "1.0.3-rc.0");
//! assert!(rc1.next_prerelease("beta").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Build metadata
//!
//! CI builds may carry build metadata: [`ReleaseVersion::with_build`] sets validated
//! identifiers, [`ReleaseVersion::with_commit`] sets `sha.<commit>` from a commit id of 7 to 40
//! hexadecimal digits (lower-cased, used as given: pass the short form to get `sha.abc1234`).
//!
//! ```
//! use shiprail::version::ReleaseVersion;
//! let v: ReleaseVersion = "1.0.2".parse()?;
//! assert_eq!(v.with_commit("ABC1234")?.to_string(), "1.0.2+sha.abc1234");
//! assert_eq!(v.with_build("build.5")?.to_string(), "1.0.2+build.5");
//! assert!(v.with_commit("abc12").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Conventional commits
//!
//! [`bump_for_commits`] reads commit messages as Conventional Commits 1.0 and returns the
//! largest bump they call for:
//! - `feat:` is a minor bump; `fix:`, `perf:` and `revert:` (and git's own `Revert "..."`)
//!   are patch bumps, because each changes what ships; every other type (`docs:`, `chore:`,
//!   `ci:`, `refactor:`, `test:`, `build:`, `style:`, ...) calls for no release.
//! - `type!:` / `type(scope)!:`, or a body line starting with `BREAKING CHANGE:` or
//!   `BREAKING-CHANGE:` (upper case, as the specification requires; honoured even under a
//!   non-conventional header, since missing a breaking change is the costly mistake) is major.
//! - Types are case-insensitive; the header is `type[(scope)][!]: description` with a
//!   non-empty scope and description; leading blank lines, surrounding whitespace and CRLF line
//!   ends are tolerated.
//! - Merge commits made by git, GitHub or GitLab (`Merge branch ...`, `Merge pull request ...`,
//!   `Merge remote-tracking branch ...`, `Merge tag ...`, `Merge commit ...`) are skipped: the
//!   commits they bring are in the list themselves. Azure Repos' `Merged PR 42: <header>` is
//!   read as `<header>`, since a squash merge there keeps nothing else.
//! - Any other message calls for [`VersionPolicy::other`]: `none` by default (so that only
//!   deliberate messages release), or `patch`.
//!
//! ```
//! use shiprail::version::{bump_for_commits, Bump};
//! assert_eq!(bump_for_commits(&["docs: typo", "fix(api): null check"]), Bump::Patch);
//! assert_eq!(bump_for_commits(&["feat: drone ETA"]), Bump::Minor);
//! assert_eq!(bump_for_commits(&["refactor!: drop v1 API"]), Bump::Major);
//! assert_eq!(bump_for_commits(&["fix: x\r\n\r\nBREAKING CHANGE: y"]), Bump::Major);
//! assert_eq!(bump_for_commits(&["Merge branch 'feature/x'", "update readme"]), Bump::None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Before 1.0
//!
//! While the major version is 0, SemVer promises nothing, and [`VersionPolicy::pre_1_0`] says
//! what a breaking change and a feature bump: by default both bump the minor version
//! (`0.1.0` + breaking = `0.2.0`); set `breaking: major` to leave 0.x with the first breaking
//! change. Fixes always bump the patch.
//!
//! ```
//! use shiprail::version::{ReleaseVersion, VersionPolicy};
//! let released: Vec<ReleaseVersion> = vec!["0.1.0".parse()?];
//! let next = VersionPolicy::default().next(&released, &["feat!: new API"], false)?;
//! assert_eq!(next.next.map(|v| v.to_string()).as_deref(), Some("0.2.0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Next version
//!
//! [`VersionPolicy::next`] takes the service's released versions and the commits since:
//! - No release at all: the first release is [`VersionPolicy::initial_version`] (`0.1.0`),
//!   whatever the commits (everything is unreleased).
//! - Otherwise the bump of the commits (after the pre-1.0 rules) is applied to the highest
//!   *stable* release; a bump of `none` gives no new version (`next` is `null`).
//! - Stable: when a pending pre-release is higher than that (`0.1.1-rc.3` over `0.1.0`), the
//!   release completes the pending pre-release's base (`0.1.1`), so releases never go down.
//! - Pre-release (`X.Y.Z-rc.N`): when the highest release is a pre-release whose base is the
//!   target or above, its counter is incremented (a fix on `0.1.0` with `0.1.1-rc.0` pending
//!   gives `0.1.1-rc.1`, not `0.1.2-rc.0`); when the bump goes above the pending base (a
//!   feature on the same history gives `0.2.0`), the series restarts at `0.2.0-rc.0`.
//!
//! ```
//! use shiprail::version::{ReleaseVersion, VersionPolicy};
//! let released = ["0.1.0", "0.1.1-rc.0"].iter().map(|s| s.parse()).collect::<Result<Vec<ReleaseVersion>, _>>()?;
//! let policy = VersionPolicy::default();
//! let fix = policy.next(&released, &["fix: retry"], true)?;
//! assert_eq!(serde_json::to_string(&fix)?, r#"{"current":"0.1.1-rc.0","bump":"patch","next":"0.1.1-rc.1"}"#);
//! let feat = policy.next(&released, &["feat: eta"], true)?;
//! assert_eq!(feat.next.map(|v| v.to_string()).as_deref(), Some("0.2.0-rc.0"));
//! let stable = policy.next(&released, &["fix: retry"], false)?;
//! assert_eq!(stable.next.map(|v| v.to_string()).as_deref(), Some("0.1.1"));
//! assert_eq!(policy.next(&released, &["docs: x"], false)?.next, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Monotonicity
//!
//! A new release must be strictly higher, by SemVer precedence, than every version already
//! released; an equal version (even with other build metadata) is not higher.
//!
//! ```
//! use shiprail::version::{ensure_higher, ReleaseVersion};
//! let released: Vec<ReleaseVersion> = vec!["1.0.1".parse()?, "1.0.2".parse()?];
//! assert!(ensure_higher(&"1.0.3".parse()?, &released).is_ok());
//! assert_eq!(
//!     ensure_higher(&"1.0.2+sha.abc1234".parse()?, &released).unwrap_err().to_string(),
//!     "`1.0.2+sha.abc1234` is not higher than `1.0.2`, the highest version already released: \
//!      a new release must have a higher SemVer precedence than every released version"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A release version: strict SemVer 2.0 (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`).
///
/// A leading `v` is accepted on input and dropped: `v1.0.2` and `1.0.2` are the same version,
/// displayed as `1.0.2`. Ordering is SemVer precedence, with build metadata as a final
/// tie-breaker so that the order is total and consistent with equality. To apply the
/// `versioning.v_prefix` rule, parse through [`VersionPolicy::parse`] instead of `FromStr`.
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

    /// Whether this is a pre-release (`1.0.3-rc.1`): pre-releases are never the base a bump
    /// is applied to, and a stable release completes them.
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }

    /// The version with a `v` in front (`v1.0.2`), for names that carry one (image tags, git
    /// tags); the version itself always displays without it.
    pub fn with_v(&self) -> String {
        format!("v{self}")
    }

    /// `MAJOR.MINOR.PATCH` alone: the release a pre-release leads to (`1.0.3-rc.1` -> `1.0.3`).
    pub fn base(&self) -> ReleaseVersion {
        ReleaseVersion(semver::Version::new(
            self.0.major,
            self.0.minor,
            self.0.patch,
        ))
    }

    /// The version without build metadata: build metadata never takes part in precedence, so
    /// versions are compared and bumped without it.
    pub fn without_build(&self) -> ReleaseVersion {
        let mut v = self.0.clone();
        v.build = semver::BuildMetadata::EMPTY;
        ReleaseVersion(v)
    }

    /// SemVer precedence: like `Ord` but ignoring build metadata, so `1.0.2+a` and `1.0.2+b`
    /// are equal here. This is the order in which releases must increase.
    pub fn cmp_precedence(&self, other: &ReleaseVersion) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }

    /// The smallest version of level `bump` above this one; build metadata is dropped.
    ///
    /// A stable version increments the field and zeroes the lower ones (`1.0.2` + minor =
    /// `1.1.0`). A pre-release is completed first when its base already is of that level
    /// (`1.0.3-rc.1` + patch = `1.0.3`, `1.1.0-rc.1` + minor = `1.1.0`, `2.0.0-rc.1` + major =
    /// `2.0.0`). `Bump::None` returns the version unchanged.
    ///
    /// Fails with [`ErrorKind::InvalidVersion`] when a number would overflow `u64`.
    pub fn bump(&self, bump: Bump) -> Result<ReleaseVersion> {
        let v = &self.0;
        let pre = self.is_prerelease();
        let overflow = |field: &str| {
            Error::new(
                ErrorKind::InvalidVersion,
                format!("`{self}` cannot be bumped ({bump}): its {field} version is already the largest number a version can hold"),
            )
            .with_input(self.to_string())
        };
        let (major, minor, patch) = match bump {
            Bump::None => return Ok(self.clone()),
            Bump::Patch if pre => (v.major, v.minor, v.patch),
            Bump::Patch => (
                v.major,
                v.minor,
                v.patch.checked_add(1).ok_or_else(|| overflow("patch"))?,
            ),
            Bump::Minor if pre && v.patch == 0 => (v.major, v.minor, 0),
            Bump::Minor => (
                v.major,
                v.minor.checked_add(1).ok_or_else(|| overflow("minor"))?,
                0,
            ),
            Bump::Major if pre && v.minor == 0 && v.patch == 0 => (v.major, 0, 0),
            Bump::Major => (
                v.major.checked_add(1).ok_or_else(|| overflow("major"))?,
                0,
                0,
            ),
        };
        Ok(ReleaseVersion(semver::Version::new(major, minor, patch)))
    }

    /// The next pre-release with `label` (see the module section "Pre-release counters").
    ///
    /// - `X.Y.Z-<label>...N` with a numeric last identifier -> `N + 1` (`1.0.3-rc.1` ->
    ///   `1.0.3-rc.2`);
    /// - `X.Y.Z-<label>...` with a non-numeric last identifier -> `.0` appended (`1.0.3-rc`
    ///   -> `1.0.3-rc.0`, which SemVer orders above `1.0.3-rc`);
    /// - a pre-release of another label -> `X.Y.Z-<label>.0` when that is higher, else
    ///   [`ErrorKind::VersionNotHigher`];
    /// - a stable version -> the next patch's `-<label>.0` (`1.0.2` -> `1.0.3-rc.0`).
    ///
    /// Build metadata is dropped. `label` must be a [`PrereleaseLabel`]
    /// ([`ErrorKind::InvalidVersion`] otherwise).
    pub fn next_prerelease(&self, label: &str) -> Result<ReleaseVersion> {
        let label: PrereleaseLabel = label.parse()?;
        if !self.is_prerelease() {
            return self.bump(Bump::Patch)?.with_pre(&format!("{label}.0"));
        }
        let pre = self.0.pre.as_str();
        let ids: Vec<&str> = pre.split('.').collect();
        if ids.first() == Some(&label.as_str()) {
            let last = ids.last().copied().unwrap_or_default();
            if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
                let n: u64 = last.parse().map_err(|_| self.counter_overflow())?;
                let n = n.checked_add(1).ok_or_else(|| self.counter_overflow())?;
                let head = &ids[..ids.len() - 1];
                let pre = if head.is_empty() {
                    n.to_string()
                } else {
                    format!("{}.{n}", head.join("."))
                };
                return self.base().with_pre(&pre);
            }
            return self.base().with_pre(&format!("{pre}.0"));
        }
        let candidate = self.base().with_pre(&format!("{label}.0"))?;
        if candidate.cmp_precedence(self) != Ordering::Greater {
            return Err(Error::new(
                ErrorKind::VersionNotHigher,
                format!(
                    "`{self}` cannot move to pre-release label `{label}`: `{candidate}` would not be higher (SemVer orders identifiers by ASCII)"
                ),
            )
            .with_input(self.to_string()));
        }
        Ok(candidate)
    }

    fn counter_overflow(&self) -> Error {
        Error::new(
            ErrorKind::InvalidVersion,
            format!("`{self}` has a pre-release counter too large to increment"),
        )
        .with_input(self.to_string())
    }

    /// This version with pre-release `pre` (already known to be valid identifiers).
    fn with_pre(&self, pre: &str) -> Result<ReleaseVersion> {
        let pre = semver::Prerelease::new(pre).map_err(|e| {
            Error::new(
                ErrorKind::InvalidVersion,
                format!("`{}` is not a valid pre-release: {e}", pre.escape_debug()),
            )
            .with_input(pre)
        })?;
        let mut v = self.0.clone();
        v.pre = pre;
        v.build = semver::BuildMetadata::EMPTY;
        Ok(ReleaseVersion(v))
    }

    /// This version with build metadata `build` (replacing any): dot-separated, non-empty
    /// identifiers of ASCII letters, digits and `-` (leading zeros allowed, as SemVer allows
    /// them in build metadata). Fails with [`ErrorKind::InvalidVersion`] otherwise, including
    /// for an empty string (use [`without_build`](Self::without_build) to remove it).
    pub fn with_build(&self, build: &str) -> Result<ReleaseVersion> {
        let invalid = |reason: String| {
            Error::new(
                ErrorKind::InvalidVersion,
                format!(
                    "`{}` is not valid build metadata: {reason}; build metadata is dot-separated identifiers of ASCII letters, digits and `-`",
                    build.escape_debug()
                ),
            )
            .with_input(build)
        };
        if build.is_empty() {
            return Err(invalid("it is empty".to_string()));
        }
        let meta = semver::BuildMetadata::new(build).map_err(|e| invalid(e.to_string()))?;
        let mut v = self.0.clone();
        v.build = meta;
        Ok(ReleaseVersion(v))
    }

    /// This version with build metadata `sha.<commit>` for a CI build of `commit`: 7 to 40
    /// hexadecimal digits (a short or full git object id), lower-cased and used as given.
    /// Fails with [`ErrorKind::InvalidVersion`] otherwise.
    pub fn with_commit(&self, commit: &str) -> Result<ReleaseVersion> {
        let len = commit.len();
        if !(7..=40).contains(&len) || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::new(
                ErrorKind::InvalidVersion,
                format!(
                    "`{}` is not a commit id: build metadata takes 7 to 40 hexadecimal digits",
                    commit.escape_debug()
                ),
            )
            .with_input(commit));
        }
        self.with_build(&format!("sha.{}", commit.to_ascii_lowercase()))
    }
}

/// The error for a string that is not a version, with a suggestion when the fix is obvious
/// (surrounding whitespace, an upper-case `V`).
fn invalid_version(s: &str, reason: &dyn fmt::Display, v_form: bool) -> Error {
    let message = if s.is_empty() {
        "an empty string is not a SemVer 2.0 version".to_string()
    } else {
        format!(
            "`{}` is not a SemVer 2.0 version: {reason}",
            s.escape_debug()
        )
    };
    let mut err = Error::new(ErrorKind::InvalidVersion, message).with_input(s);
    let trimmed = s.trim();
    let body = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
    if (trimmed != s || trimmed.starts_with('V'))
        && let Ok(v) = semver::Version::parse(body)
    {
        let v = ReleaseVersion(v);
        err = err.with_suggestion(if v_form { v.with_v() } else { v.to_string() });
    }
    err
}

impl FromStr for ReleaseVersion {
    type Err = Error;

    /// Parses strict SemVer 2.0 with an optional `v` prefix (the `accept` policy).
    fn from_str(s: &str) -> Result<Self, Error> {
        let body = s.strip_prefix('v').unwrap_or(s);
        semver::Version::parse(body)
            .map(ReleaseVersion)
            .map_err(|e| invalid_version(s, &e, true))
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

/// How much a release changes: the level a version is bumped by.
///
/// Ordered `none < patch < minor < major`, so the bump for several commits is the maximum of
/// theirs. Written in lower case (`"patch"`) in configuration and JSON.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Bump {
    /// Nothing that ships changed: no new release.
    #[default]
    None,
    /// Bug fixes only: `X.Y.Z+1`.
    Patch,
    /// New, backwards-compatible features: `X.Y+1.0`.
    Minor,
    /// Breaking changes: `X+1.0.0`.
    Major,
}

impl Bump {
    /// Every level, lowest first.
    pub const ALL: &'static [Bump] = &[Bump::None, Bump::Patch, Bump::Minor, Bump::Major];

    /// The lower-case name used in configuration and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Bump {
    type Err = Error;

    /// Parses `none`, `patch`, `minor` or `major` (lower case, as written in configuration).
    fn from_str(s: &str) -> Result<Self, Error> {
        Bump::ALL
            .iter()
            .copied()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| {
                let names = Bump::ALL.iter().map(|b| b.as_str());
                let mut err = Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "`{}` is not a bump level: use none, patch, minor or major",
                        s.escape_debug()
                    ),
                )
                .with_input(s);
                if s.len() <= 64
                    && let Some(c) = crate::suggest::closest(s, names)
                {
                    err = err.with_suggestion(c);
                }
                err
            })
    }
}

/// How a version written in a branch, tag or input may be prefixed with `v`
/// (`versioning.v_prefix`). Output is always normalised (no `v`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum VPrefix {
    /// `v1.0.2` and `1.0.2` are both accepted (the default: branch names write the `v`,
    /// tools and humans often do not).
    #[default]
    Accept,
    /// Only `v1.0.2` is accepted, so that every branch and tag is written the same way.
    Require,
    /// Only `1.0.2` is accepted.
    Forbid,
}

impl VPrefix {
    /// The lower-case name used in configuration.
    pub const fn as_str(self) -> &'static str {
        match self {
            VPrefix::Accept => "accept",
            VPrefix::Require => "require",
            VPrefix::Forbid => "forbid",
        }
    }
}

impl fmt::Display for VPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VPrefix {
    type Err = Error;

    /// Parses `accept`, `require` or `forbid`.
    fn from_str(s: &str) -> Result<Self, Error> {
        [VPrefix::Accept, VPrefix::Require, VPrefix::Forbid]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "`{}` is not a v_prefix policy: use accept, require or forbid",
                        s.escape_debug()
                    ),
                )
                .with_input(s)
            })
    }
}

/// The label of pre-release versions (`rc` in `1.0.3-rc.1`): one SemVer identifier of ASCII
/// letters, digits and `-` that is not purely numeric, so that it reads as a name and orders
/// as one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrereleaseLabel(String);

impl PrereleaseLabel {
    /// The label text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for PrereleaseLabel {
    /// `rc`: release candidates.
    fn default() -> Self {
        PrereleaseLabel("rc".to_string())
    }
}

impl FromStr for PrereleaseLabel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let chars_ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !chars_ok || s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::new(
                ErrorKind::InvalidVersion,
                format!(
                    "`{}` is not a pre-release label: a label is one identifier of ASCII letters, digits and `-`, not purely numeric (e.g. `rc`)",
                    s.escape_debug()
                ),
            )
            .with_input(s));
        }
        Ok(PrereleaseLabel(s.to_string()))
    }
}

impl fmt::Display for PrereleaseLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for PrereleaseLabel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PrereleaseLabel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for PrereleaseLabel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PrereleaseLabel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*$",
            "description": "A SemVer pre-release identifier that is not purely numeric, e.g. `rc`."
        })
    }
}

fn level_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["major", "minor", "patch"] })
}

fn other_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["none", "patch"] })
}

/// What a breaking change and a feature bump while the major version is 0 (`versioning.pre_1_0`),
/// since SemVer gives 0.x no compatibility promise. Each is `major`, `minor` or `patch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct PreStablePolicy {
    /// The bump of a breaking change on 0.x (default `minor`: `0.1.0` -> `0.2.0`; `major`
    /// leaves 0.x at the first breaking change).
    #[schemars(schema_with = "level_schema")]
    pub breaking: Bump,
    /// The bump of a feature on 0.x (default `minor`; `patch` keeps 0.x minors for breaks).
    #[schemars(schema_with = "level_schema")]
    pub feature: Bump,
}

impl Default for PreStablePolicy {
    /// `{breaking: minor, feature: minor}`.
    fn default() -> Self {
        PreStablePolicy {
            breaking: Bump::Minor,
            feature: Bump::Minor,
        }
    }
}

/// The `versioning:` section of `shiprail.yaml`: how versions are written, labelled, started
/// and bumped. See the module documentation for each rule.
///
/// Defaults: `{v_prefix: accept, prerelease_label: rc, initial_version: 0.1.0,
/// pre_1_0: {breaking: minor, feature: minor}, other: none}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct VersionPolicy {
    /// How a version written in a branch, tag or input may be prefixed with `v`.
    pub v_prefix: VPrefix,
    /// The label of pre-release versions: `X.Y.Z-<label>.<N>`, N counting from 0.
    pub prerelease_label: PrereleaseLabel,
    /// The first release of a service that has none yet; a stable version without build
    /// metadata.
    pub initial_version: ReleaseVersion,
    /// The bumps of breaking changes and features while the major version is 0.
    pub pre_1_0: PreStablePolicy,
    /// The bump of a commit message that is not a conventional commit: `none` (default: only
    /// deliberate messages release) or `patch` (every change ships).
    #[schemars(schema_with = "other_schema")]
    pub other: Bump,
}

impl Default for VersionPolicy {
    fn default() -> Self {
        VersionPolicy {
            v_prefix: VPrefix::Accept,
            prerelease_label: PrereleaseLabel::default(),
            initial_version: ReleaseVersion(semver::Version::new(0, 1, 0)),
            pre_1_0: PreStablePolicy::default(),
            other: Bump::None,
        }
    }
}

/// The outcome of [`VersionPolicy::next`]: the highest version released so far (`null` for a
/// service never released), the bump applied, and the next version (`null` when the commits
/// call for no release).
///
/// Serialized as `{"current": "0.1.0"|null, "bump": "patch", "next": "0.1.1"|null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextVersion {
    /// The highest released version (pre-releases included), if any.
    pub current: Option<ReleaseVersion>,
    /// The bump applied to the highest stable release, after the pre-1.0 rules (for a first
    /// release, the bump the commits call for).
    pub bump: Bump,
    /// The next version, or `None` when no commit calls for a release.
    pub next: Option<ReleaseVersion>,
}

impl fmt::Display for NextVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.current, &self.next) {
            (None, Some(next)) => write!(f, "first release: {next}"),
            (Some(current), Some(next)) => write!(f, "{current} -> {next} ({})", self.bump),
            (Some(current), None) => {
                write!(f, "no release: no commit since {current} calls for one")
            }
            (None, None) => f.write_str("no release"),
        }
    }
}

impl VersionPolicy {
    /// Parses a version written in a branch, tag or input, applying [`VersionPolicy::v_prefix`].
    /// The result is normalised (displayed without `v`). Errors are
    /// [`ErrorKind::InvalidVersion`], with a suggestion when the fix is obvious.
    pub fn parse(&self, s: &str) -> Result<ReleaseVersion> {
        let v_form = self.v_prefix != VPrefix::Forbid;
        let (has_v, body) = match s.strip_prefix('v') {
            Some(body) => (true, body),
            None => (false, s),
        };
        let version = semver::Version::parse(body)
            .map(ReleaseVersion)
            .map_err(|e| invalid_version(s, &e, v_form))?;
        match (self.v_prefix, has_v) {
            (VPrefix::Require, false) => Err(Error::new(
                ErrorKind::InvalidVersion,
                format!(
                    "`{}` lacks the `v` prefix that versioning.v_prefix `require` asks for",
                    s.escape_debug()
                ),
            )
            .with_input(s)
            .with_suggestion(version.with_v())),
            (VPrefix::Forbid, true) => Err(Error::new(
                ErrorKind::InvalidVersion,
                format!(
                    "`{}` has a `v` prefix, which versioning.v_prefix `forbid` refuses",
                    s.escape_debug()
                ),
            )
            .with_input(s)
            .with_suggestion(version.to_string())),
            _ => Ok(version),
        }
    }

    /// Checks the rules a deserializer cannot: `initial_version` is stable without build
    /// metadata, `pre_1_0` levels are major/minor/patch, `other` is none/patch.
    /// Fails with [`ErrorKind::ConfigInvalid`].
    pub fn validate(&self) -> Result<()> {
        let v = &self.initial_version;
        if v.is_prerelease() || !v.0.build.is_empty() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!("versioning.initial_version `{v}` must be a stable version without build metadata: it is the first release of a service"),
            )
            .with_input(v.to_string()));
        }
        for (field, bump) in [
            ("breaking", self.pre_1_0.breaking),
            ("feature", self.pre_1_0.feature),
        ] {
            if bump == Bump::None {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("versioning.pre_1_0.{field} is `none`: use major, minor or patch"),
                )
                .with_input(bump.to_string()));
            }
        }
        if !matches!(self.other, Bump::None | Bump::Patch) {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "versioning.other is `{}`: a message that is not a conventional commit bumps none or patch",
                    self.other
                ),
            )
            .with_input(self.other.to_string()));
        }
        Ok(())
    }

    /// The bump one commit message calls for under this policy (see "Conventional commits").
    pub fn bump_for_commit(&self, message: &str) -> Bump {
        classify_commit(message).unwrap_or(self.other)
    }

    /// The largest bump the commit messages call for (`none` for no messages).
    pub fn bump_for_commits(&self, messages: &[&str]) -> Bump {
        messages
            .iter()
            .map(|m| self.bump_for_commit(m))
            .max()
            .unwrap_or(Bump::None)
    }

    /// The bump actually applied to `base` for a commits' bump: the pre-1.0 rules map major
    /// and minor while `base` is 0.x.
    pub fn effective_bump(&self, base: &ReleaseVersion, bump: Bump) -> Bump {
        if base.0.major != 0 {
            return bump;
        }
        match bump {
            Bump::Major => self.pre_1_0.breaking,
            Bump::Minor => self.pre_1_0.feature,
            other => other,
        }
    }

    /// The next version of a service from its released versions and the commits since (see the
    /// module section "Next version"). `prerelease` asks for `X.Y.Z-<label>.N` instead of a
    /// stable version.
    ///
    /// Fails with [`ErrorKind::ConfigInvalid`] for an invalid policy, with
    /// [`ErrorKind::VersionNotHigher`] when the pending pre-release series cannot continue with
    /// this label (`1.0.3-rc.1` pending, label `beta`), and with [`ErrorKind::InvalidVersion`]
    /// on numeric overflow.
    pub fn next(
        &self,
        released: &[ReleaseVersion],
        commits: &[&str],
        prerelease: bool,
    ) -> Result<NextVersion> {
        self.validate()?;
        let raw = self.bump_for_commits(commits);
        let label = self.prerelease_label.as_str();
        let highest = released.iter().max_by(|a, b| a.cmp_precedence(b));
        let Some(highest) = highest else {
            let first = self.initial_version.without_build();
            let next = if prerelease {
                first.with_pre(&format!("{label}.0"))?
            } else {
                first
            };
            return Ok(NextVersion {
                current: None,
                bump: raw,
                next: Some(next),
            });
        };
        if raw == Bump::None {
            return Ok(NextVersion {
                current: Some(highest.clone()),
                bump: Bump::None,
                next: None,
            });
        }
        let stable = released
            .iter()
            .filter(|v| !v.is_prerelease())
            .max_by(|a, b| a.cmp_precedence(b));
        let (target, bump) = match stable {
            Some(stable) => {
                let bump = self.effective_bump(stable, raw);
                (stable.without_build().bump(bump)?, bump)
            }
            None => (self.initial_version.without_build(), raw),
        };
        let pending = highest.is_prerelease().then(|| highest.base());
        let next = match (prerelease, pending) {
            (true, Some(base)) if base >= target => highest.next_prerelease(label)?,
            (true, _) => target.with_pre(&format!("{label}.0"))?,
            (false, Some(base)) if base > target => base,
            (false, _) => target,
        };
        ensure_higher(&next, released)?;
        Ok(NextVersion {
            current: Some(highest.clone()),
            bump,
            next: Some(next),
        })
    }
}

/// The largest bump the commit messages call for under the default policy (non-conventional
/// messages call for none). See the module section "Conventional commits";
/// [`VersionPolicy::bump_for_commits`] applies a policy's `other`.
pub fn bump_for_commits(messages: &[&str]) -> Bump {
    VersionPolicy::default().bump_for_commits(messages)
}

/// Checks that `new` is strictly higher, by SemVer precedence, than every version in
/// `released`; fails with [`ErrorKind::VersionNotHigher`] naming `new` and the highest
/// released version. Build metadata is ignored, so an equal version is refused.
pub fn ensure_higher(new: &ReleaseVersion, released: &[ReleaseVersion]) -> Result<()> {
    let Some(highest) = released.iter().max_by(|a, b| a.cmp_precedence(b)) else {
        return Ok(());
    };
    if new.cmp_precedence(highest) == Ordering::Greater {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::VersionNotHigher,
        format!(
            "`{new}` is not higher than `{highest}`, the highest version already released: a new release must have a higher SemVer precedence than every released version"
        ),
    )
    .with_input(new.to_string()))
}

/// The bump of one message, or `None` when it is not a conventional commit (the policy's
/// `other` applies then). Merge commits are `Some(Bump::None)`.
fn classify_commit(message: &str) -> Option<Bump> {
    // `str::lines` splits on `\n` and drops a `\r` before it, so CRLF messages read the same.
    let mut lines = message.lines().skip_while(|l| l.trim().is_empty());
    let header = lines.next()?.trim();
    let breaking_footer =
        lines.any(|l| l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:"));
    if is_merge(header) {
        return Some(Bump::None);
    }
    let header = azure_merged_pr(header).unwrap_or(header);
    if header.starts_with("Revert \"") {
        return Some(if breaking_footer {
            Bump::Major
        } else {
            Bump::Patch
        });
    }
    let Some((kind, bang)) = conventional_header(header) else {
        return breaking_footer.then_some(Bump::Major);
    };
    if bang || breaking_footer {
        return Some(Bump::Major);
    }
    Some(match kind.to_ascii_lowercase().as_str() {
        "feat" => Bump::Minor,
        "fix" | "perf" | "revert" => Bump::Patch,
        _ => Bump::None,
    })
}

/// Whether a header is one git, GitHub or GitLab writes for a merge commit.
fn is_merge(header: &str) -> bool {
    const MERGES: &[&str] = &[
        "Merge branch ",
        "Merge branches ",
        "Merge pull request ",
        "Merge remote-tracking branch ",
        "Merge remote branch ",
        "Merge tag ",
        "Merge commit ",
        "Merge '",
    ];
    MERGES.iter().any(|p| header.starts_with(p))
}

/// The PR title of an Azure Repos merge header `Merged PR 42: <title>`.
fn azure_merged_pr(header: &str) -> Option<&str> {
    let rest = header.strip_prefix("Merged PR ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let title = rest[digits..].strip_prefix(':')?;
    Some(title.trim())
}

/// `type[(scope)][!]: description` -> (type, breaking `!`).
fn conventional_header(header: &str) -> Option<(&str, bool)> {
    let colon = header.find(':')?;
    let (prefix, rest) = (&header[..colon], &header[colon + 1..]);
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return None;
    }
    let (prefix, bang) = match prefix.strip_suffix('!') {
        Some(p) => (p, true),
        None => (prefix, false),
    };
    let kind = match prefix.find('(') {
        Some(open) => {
            let scope = prefix[open + 1..].strip_suffix(')')?;
            if scope.trim().is_empty() || scope.contains(['(', ')']) {
                return None;
            }
            &prefix[..open]
        }
        None => prefix,
    };
    let mut bytes = kind.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (first_ok && rest_ok).then_some((kind, bang))
}

// Public types must be shareable across threads (bindings hand them to worker threads).
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<ReleaseVersion>();
    check::<Bump>();
    check::<VPrefix>();
    check::<PrereleaseLabel>();
    check::<PreStablePolicy>();
    check::<VersionPolicy>();
    check::<NextVersion>();
};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    fn vs(list: &[&str]) -> Vec<ReleaseVersion> {
        list.iter().map(|s| v(s)).collect()
    }

    #[test]
    fn parse_table() {
        // (input, policy prefix, Ok(normalised) | Err(exact message))
        let cases: &[(&str, VPrefix, Result<&str, &str>)] = &[
            ("1.0.2", VPrefix::Accept, Ok("1.0.2")),
            ("v1.0.2", VPrefix::Accept, Ok("1.0.2")),
            ("v1.0.2", VPrefix::Require, Ok("1.0.2")),
            ("1.0.2", VPrefix::Forbid, Ok("1.0.2")),
            (
                "1.0.3-rc.1+sha.abc1234",
                VPrefix::Accept,
                Ok("1.0.3-rc.1+sha.abc1234"),
            ),
            (
                "",
                VPrefix::Accept,
                Err("an empty string is not a SemVer 2.0 version"),
            ),
            (
                "V1.0.0",
                VPrefix::Accept,
                Err(
                    "`V1.0.0` is not a SemVer 2.0 version: unexpected character 'V' while parsing major version number (did you mean `v1.0.0`?)",
                ),
            ),
            (
                "V1.0.0",
                VPrefix::Forbid,
                Err(
                    "`V1.0.0` is not a SemVer 2.0 version: unexpected character 'V' while parsing major version number (did you mean `1.0.0`?)",
                ),
            ),
            (
                " 1.0.0\n",
                VPrefix::Accept,
                Err(
                    "` 1.0.0\\n` is not a SemVer 2.0 version: unexpected character ' ' while parsing major version number (did you mean `v1.0.0`?)",
                ),
            ),
            (
                "1.0.2",
                VPrefix::Require,
                Err(
                    "`1.0.2` lacks the `v` prefix that versioning.v_prefix `require` asks for (did you mean `v1.0.2`?)",
                ),
            ),
            (
                "v1.0.2",
                VPrefix::Forbid,
                Err(
                    "`v1.0.2` has a `v` prefix, which versioning.v_prefix `forbid` refuses (did you mean `1.0.2`?)",
                ),
            ),
            (
                "01.0.0",
                VPrefix::Accept,
                Err(
                    "`01.0.0` is not a SemVer 2.0 version: invalid leading zero in major version number",
                ),
            ),
            (
                "1.0",
                VPrefix::Require,
                Err(
                    "`1.0` is not a SemVer 2.0 version: unexpected end of input while parsing minor version number",
                ),
            ),
            (
                "vv1.0.0",
                VPrefix::Accept,
                Err(
                    "`vv1.0.0` is not a SemVer 2.0 version: unexpected character 'v' while parsing major version number",
                ),
            ),
        ];
        for (input, prefix, want) in cases {
            let policy = VersionPolicy {
                v_prefix: *prefix,
                ..VersionPolicy::default()
            };
            let got = policy
                .parse(input)
                .map(|v| v.to_string())
                .map_err(|e| e.to_string());
            assert_eq!(
                got.as_deref().map_err(String::as_str),
                *want,
                "{input:?} {prefix}"
            );
        }
    }

    #[test]
    fn bump_table() {
        let cases: &[(&str, Bump, &str)] = &[
            ("1.0.2", Bump::None, "1.0.2"),
            ("1.0.2", Bump::Patch, "1.0.3"),
            ("1.0.2", Bump::Minor, "1.1.0"),
            ("1.0.2", Bump::Major, "2.0.0"),
            ("1.0.2+b.1", Bump::Patch, "1.0.3"),
            ("1.0.3-rc.1", Bump::Patch, "1.0.3"),
            ("1.0.3-rc.1", Bump::Minor, "1.1.0"),
            ("1.1.0-rc.1", Bump::Minor, "1.1.0"),
            ("1.1.0-rc.1", Bump::Major, "2.0.0"),
            ("2.0.0-rc.1", Bump::Major, "2.0.0"),
            ("0.1.0", Bump::Major, "1.0.0"),
        ];
        for (input, bump, want) in cases {
            assert_eq!(
                v(input).bump(*bump).unwrap().to_string(),
                *want,
                "{input} {bump}"
            );
        }
        let err = v("18446744073709551615.0.0").bump(Bump::Major).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidVersion);
    }

    #[test]
    fn next_prerelease_table() {
        let cases: &[(&str, &str, Result<&str, ErrorKind>)] = &[
            ("1.0.3-rc.1", "rc", Ok("1.0.3-rc.2")),
            ("1.0.3-rc.9", "rc", Ok("1.0.3-rc.10")),
            ("1.0.3-rc", "rc", Ok("1.0.3-rc.0")),
            ("1.0.3-rc.1.hotfix", "rc", Ok("1.0.3-rc.1.hotfix.0")),
            ("1.0.3-rc.1+b", "rc", Ok("1.0.3-rc.2")),
            ("1.0.2", "rc", Ok("1.0.3-rc.0")),
            ("1.0.3-beta.4", "rc", Ok("1.0.3-rc.0")),
            ("1.0.3-rc.1", "beta", Err(ErrorKind::VersionNotHigher)),
            ("1.0.3-rc1", "rc", Err(ErrorKind::VersionNotHigher)),
            ("1.0.3-rc.1", "r c", Err(ErrorKind::InvalidVersion)),
            ("1.0.3-rc.1", "42", Err(ErrorKind::InvalidVersion)),
            (
                "1.0.3-rc.18446744073709551615",
                "rc",
                Err(ErrorKind::InvalidVersion),
            ),
        ];
        for (input, label, want) in cases {
            let got = v(input)
                .next_prerelease(label)
                .map(|v| v.to_string())
                .map_err(|e| e.kind());
            assert_eq!(got.as_deref().map_err(|k| *k), *want, "{input} {label}");
        }
    }

    #[test]
    fn build_metadata() {
        let base = v("1.0.2");
        assert_eq!(
            base.with_build("build.5").unwrap().to_string(),
            "1.0.2+build.5"
        );
        assert_eq!(base.with_build("001").unwrap().to_string(), "1.0.2+001");
        assert_eq!(
            base.with_build("").unwrap_err().to_string(),
            "`` is not valid build metadata: it is empty; build metadata is dot-separated identifiers of ASCII letters, digits and `-`"
        );
        assert!(base.with_build("a..b").is_err());
        assert!(base.with_build("a_b").is_err());
        assert_eq!(
            base.with_commit("0123456789abcdef0123456789abcdef01234567")
                .unwrap()
                .to_string(),
            "1.0.2+sha.0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(
            base.with_commit("abc123g").unwrap_err().to_string(),
            "`abc123g` is not a commit id: build metadata takes 7 to 40 hexadecimal digits"
        );
        assert!(base.with_commit(&"a".repeat(41)).is_err());
    }

    #[test]
    fn commit_table() {
        let cases: &[(&str, Bump)] = &[
            ("feat: x", Bump::Minor),
            ("feat(api): x", Bump::Minor),
            ("FEAT: x", Bump::Minor),
            ("fix: x", Bump::Patch),
            ("perf: x", Bump::Patch),
            ("revert: feat: x", Bump::Patch),
            (
                "Revert \"feat: x\"\n\nThis reverts commit abc.",
                Bump::Patch,
            ),
            ("docs: x", Bump::None),
            ("chore(deps): x", Bump::None),
            ("feat!: x", Bump::Major),
            ("fix(api)!: x", Bump::Major),
            ("chore!: drop node 18", Bump::Major),
            ("fix: x\n\nBREAKING CHANGE: y", Bump::Major),
            ("fix: x\r\n\r\nBREAKING-CHANGE: y", Bump::Major),
            ("fix: x\n\nbreaking change: y", Bump::Patch),
            ("fix: x\n\n  BREAKING CHANGE: quoted", Bump::Patch),
            ("\n\n  feat: x  \n", Bump::Minor),
            ("feat:x", Bump::None),
            ("feat: ", Bump::None),
            ("feat(): x", Bump::None),
            ("feat (api): x", Bump::None),
            ("fix something: x", Bump::None),
            ("Merge branch 'feature/delivery/eta'", Bump::None),
            ("Merge pull request #12 from org/x\n\nfeat!: y", Bump::None),
            ("Merged PR 42: feat: drone ETA", Bump::Minor),
            ("update readme", Bump::None),
            ("", Bump::None),
            ("Update\n\nBREAKING CHANGE: removes /v1", Bump::Major),
        ];
        for (message, want) in cases {
            assert_eq!(bump_for_commits(&[message]), *want, "{message:?}");
        }
        let patchy = VersionPolicy {
            other: Bump::Patch,
            ..VersionPolicy::default()
        };
        assert_eq!(patchy.bump_for_commits(&["update readme"]), Bump::Patch);
        assert_eq!(patchy.bump_for_commits(&["Merge branch 'x'"]), Bump::None);
        assert_eq!(patchy.bump_for_commits(&["docs: x"]), Bump::None);
        assert_eq!(bump_for_commits(&[]), Bump::None);
    }

    #[test]
    fn next_table() {
        // (released, commits, prerelease, Ok(next or "-") | Err(kind))
        type Case<'a> = (
            &'a [&'a str],
            &'a [&'a str],
            bool,
            Result<&'a str, ErrorKind>,
        );
        let cases: &[Case<'_>] = &[
            (&[], &[], false, Ok("0.1.0")),
            (&[], &["fix: x"], true, Ok("0.1.0-rc.0")),
            (&["1.0.2"], &["fix: x"], false, Ok("1.0.3")),
            (&["1.0.2"], &["feat: x"], false, Ok("1.1.0")),
            (&["1.0.2"], &["feat!: x"], false, Ok("2.0.0")),
            (&["1.0.2"], &["docs: x"], false, Ok("-")),
            (&["0.1.0"], &["feat!: x"], false, Ok("0.2.0")),
            (
                &["0.1.0", "0.1.1-rc.0"],
                &["fix: x"],
                true,
                Ok("0.1.1-rc.1"),
            ),
            (
                &["0.1.0", "0.1.1-rc.0"],
                &["feat: x"],
                true,
                Ok("0.2.0-rc.0"),
            ),
            (&["0.1.0", "0.1.1-rc.3"], &["fix: x"], false, Ok("0.1.1")),
            (&["0.1.0", "0.2.0-rc.0"], &["fix: x"], false, Ok("0.2.0")),
            (
                &["0.1.0", "0.2.0-rc.0"],
                &["fix: x"],
                true,
                Ok("0.2.0-rc.1"),
            ),
            (
                &["1.0.2", "1.0.3-rc.1"],
                &["fix: x"],
                true,
                Ok("1.0.3-rc.2"),
            ),
            (&["0.1.0-rc.0"], &["fix: x"], true, Ok("0.1.0-rc.1")),
            (&["0.1.0-rc.0"], &["fix: x"], false, Ok("0.1.0")),
            (&["1.0.2", "1.0.3-rc.1"], &["docs: x"], true, Ok("-")),
        ];
        let policy = VersionPolicy::default();
        for (released, commits, prerelease, want) in cases {
            let got = policy
                .next(&vs(released), commits, *prerelease)
                .map(|n| n.next.map_or("-".to_string(), |v| v.to_string()))
                .map_err(|e| e.kind());
            assert_eq!(
                got.as_deref().map_err(|k| *k),
                *want,
                "{released:?} {commits:?} {prerelease}"
            );
        }
        let beta = VersionPolicy {
            prerelease_label: "beta".parse().unwrap(),
            ..VersionPolicy::default()
        };
        assert_eq!(
            beta.next(&vs(&["1.0.2", "1.0.3-rc.1"]), &["fix: x"], true)
                .unwrap_err()
                .kind(),
            ErrorKind::VersionNotHigher
        );
    }

    #[test]
    fn ensure_higher_messages() {
        assert!(ensure_higher(&v("1.0.0"), &[]).is_ok());
        assert!(ensure_higher(&v("1.0.0"), &vs(&["1.0.0-rc.1"])).is_ok());
        assert_eq!(
            ensure_higher(&v("1.0.0-rc.1"), &vs(&["0.9.0", "1.0.0"]))
                .unwrap_err()
                .to_string(),
            "`1.0.0-rc.1` is not higher than `1.0.0`, the highest version already released: a new release must have a higher SemVer precedence than every released version"
        );
    }

    #[test]
    fn policy_validation() {
        let mut p = VersionPolicy::default();
        assert!(p.validate().is_ok());
        p.initial_version = v("0.1.0-rc.0");
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "versioning.initial_version `0.1.0-rc.0` must be a stable version without build metadata: it is the first release of a service"
        );
        let p = VersionPolicy {
            pre_1_0: PreStablePolicy {
                breaking: Bump::None,
                feature: Bump::Minor,
            },
            ..VersionPolicy::default()
        };
        assert_eq!(p.validate().unwrap_err().kind(), ErrorKind::ConfigInvalid);
        let p = VersionPolicy {
            other: Bump::Minor,
            ..VersionPolicy::default()
        };
        assert_eq!(p.validate().unwrap_err().kind(), ErrorKind::ConfigInvalid);
        let json = serde_json::to_value(VersionPolicy::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"v_prefix": "accept", "prerelease_label": "rc", "initial_version": "0.1.0",
                "pre_1_0": {"breaking": "minor", "feature": "minor"}, "other": "none"})
        );
        assert!(
            serde_json::from_value::<VersionPolicy>(serde_json::json!({"v_prefx": "accept"}))
                .is_err()
        );
    }

    #[test]
    fn json_schema_lists_allowed_values() {
        let schema = serde_json::to_value(schemars::schema_for!(VersionPolicy)).unwrap();
        let text = schema.to_string();
        assert!(
            text.contains(r#""enum":["major","minor","patch"]"#),
            "{text}"
        );
        assert!(text.contains(r#""enum":["none","patch"]"#), "{text}");
        assert!(
            text.contains("prerelease_label") && text.contains("accept"),
            "{text}"
        );
    }

    #[test]
    fn enums_round_trip() {
        for b in Bump::ALL {
            assert_eq!(b.to_string().parse::<Bump>().unwrap(), *b);
        }
        assert!(Bump::None < Bump::Patch && Bump::Patch < Bump::Minor && Bump::Minor < Bump::Major);
        assert_eq!(
            "majr".parse::<Bump>().unwrap_err().to_string(),
            "`majr` is not a bump level: use none, patch, minor or major (did you mean `major`?)"
        );
        for p in ["accept", "require", "forbid"] {
            assert_eq!(p.parse::<VPrefix>().unwrap().to_string(), p);
        }
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let big = "9".repeat(1 << 20);
        let inputs = [
            String::new(),
            "\0".to_string(),
            "\u{7f}1.0.0".to_string(),
            "1.0.0\u{202e}".to_string(),
            "ü.0.0".to_string(),
            big.clone(),
            format!("1.0.0-{}", "a.".repeat(1 << 19)),
            format!("{big}.0.0"),
        ];
        let policy = VersionPolicy::default();
        for input in &inputs {
            let _ = policy.parse(input);
            let _ = v("1.0.0").with_build(input);
            let _ = v("1.0.0").with_commit(input);
            let _ = v("1.0.0").next_prerelease(input);
            let _ = bump_for_commits(&[input]);
            let _ = input.parse::<Bump>();
            let _ = input.parse::<PrereleaseLabel>();
        }
        let many_colons = format!("feat{}", "(:".repeat(1 << 18));
        let _ = bump_for_commits(&[&many_colons]);
        let err = policy.parse("\u{1b}[31m1.0.0").unwrap_err();
        assert!(err.to_string().starts_with("`\\u{1b}[31m1.0.0`"));
    }
}
