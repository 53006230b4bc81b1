//! Release versions: the `ReleaseVersion` class, batch parsing and sorting, commit bumps, the
//! next version and the version policy.
//!
//! `policy` is the `versioning:` section as a plain object (defaults when omitted).

use crate::convert::{self, NextVersion, VersionResult, section};
use crate::error::OrThrow;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;
use shiprail::version::{self as core, Bump, VersionPolicy};
use std::cmp::Ordering;

/// Every bump level, lowest first.
#[napi]
pub const BUMP_LEVELS: [&str; 4] = [
    Bump::ALL[0].as_str(),
    Bump::ALL[1].as_str(),
    Bump::ALL[2].as_str(),
    Bump::ALL[3].as_str(),
];

fn version_policy(value: Option<Value>) -> shiprail::Result<VersionPolicy> {
    section("versioning", value)
}

fn ordering(o: Ordering) -> i32 {
    o as i32
}

fn parse_all(env: &Env, inputs: &[String]) -> napi::Result<Vec<core::ReleaseVersion>> {
    inputs
        .iter()
        .map(|s| s.parse::<core::ReleaseVersion>())
        .collect::<shiprail::Result<_>>()
        .or_throw(env)
}

/// A release version: strict SemVer 2.0, a leading `v` accepted on input and dropped.
///
/// Ordered by SemVer precedence with build metadata as a final tie-breaker (`compare`);
/// `comparePrecedence` ignores build metadata.
#[napi]
pub struct ReleaseVersion {
    inner: core::ReleaseVersion,
}

impl From<core::ReleaseVersion> for ReleaseVersion {
    fn from(inner: core::ReleaseVersion) -> Self {
        ReleaseVersion { inner }
    }
}

#[napi]
impl ReleaseVersion {
    /// Parses `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, with or without a leading `v`.
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse::<core::ReleaseVersion>()
            .map(Self::from)
            .or_throw(env)
    }

    /// Parses under a version policy (its `v_prefix` rule applies).
    #[napi(factory)]
    pub fn parse(
        env: &Env,
        text: String,
        #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
    ) -> napi::Result<Self> {
        version_policy(policy)
            .and_then(|p| p.parse(&text))
            .map(Self::from)
            .or_throw(env)
    }

    /// The major number (exact up to `Number.MAX_SAFE_INTEGER`; `toString()` is always exact).
    #[napi(getter)]
    pub fn major(&self) -> f64 {
        self.inner.semver().major as f64
    }

    /// The minor number.
    #[napi(getter)]
    pub fn minor(&self) -> f64 {
        self.inner.semver().minor as f64
    }

    /// The patch number.
    #[napi(getter)]
    pub fn patch(&self) -> f64 {
        self.inner.semver().patch as f64
    }

    /// The pre-release identifiers (`rc.1`), empty for a stable version.
    #[napi(getter)]
    pub fn prerelease(&self) -> String {
        self.inner.semver().pre.to_string()
    }

    /// The build metadata (`sha.abc1234`), empty when there is none.
    #[napi(getter)]
    pub fn build(&self) -> String {
        self.inner.semver().build.to_string()
    }

    /// Whether this is a pre-release.
    #[napi(getter)]
    pub fn is_prerelease(&self) -> bool {
        self.inner.is_prerelease()
    }

    /// The version with a `v` in front (`v1.0.2`).
    #[napi]
    pub fn with_v(&self) -> String {
        self.inner.with_v()
    }

    /// `MAJOR.MINOR.PATCH` alone: the release a pre-release leads to.
    #[napi]
    pub fn base(&self) -> ReleaseVersion {
        self.inner.base().into()
    }

    /// The version without build metadata.
    #[napi]
    pub fn without_build(&self) -> ReleaseVersion {
        self.inner.without_build().into()
    }

    /// The smallest version of level `bump` above this one.
    #[napi]
    pub fn bump(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Bump")] bump: String,
    ) -> napi::Result<ReleaseVersion> {
        let bump: Bump = bump.parse().or_throw(env)?;
        self.inner.bump(bump).map(Self::from).or_throw(env)
    }

    /// The next pre-release with `label` (`1.0.3-rc.1` -> `1.0.3-rc.2`).
    #[napi]
    pub fn next_prerelease(&self, env: &Env, label: String) -> napi::Result<ReleaseVersion> {
        self.inner
            .next_prerelease(&label)
            .map(Self::from)
            .or_throw(env)
    }

    /// This version with build metadata `build` (replacing any).
    #[napi]
    pub fn with_build(&self, env: &Env, build: String) -> napi::Result<ReleaseVersion> {
        self.inner.with_build(&build).map(Self::from).or_throw(env)
    }

    /// This version with build metadata `sha.<commit>` (7 to 40 hex digits).
    #[napi]
    pub fn with_commit(&self, env: &Env, commit: String) -> napi::Result<ReleaseVersion> {
        self.inner
            .with_commit(&commit)
            .map(Self::from)
            .or_throw(env)
    }

    /// -1, 0 or 1: SemVer precedence, then build metadata (a total order, for sorting).
    #[napi]
    pub fn compare(&self, other: &ReleaseVersion) -> i32 {
        ordering(self.inner.cmp(&other.inner))
    }

    /// -1, 0 or 1 by SemVer precedence alone (build metadata ignored).
    #[napi]
    pub fn compare_precedence(&self, other: &ReleaseVersion) -> i32 {
        ordering(self.inner.cmp_precedence(&other.inner))
    }

    /// Whether both are the same version, build metadata included.
    #[napi]
    pub fn equals(&self, other: &ReleaseVersion) -> bool {
        self.inner == other.inner
    }

    /// The normalised version (no `v`).
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// JSON form: the normalised version string.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}

/// Parses a version under a policy and returns it normalised (`v1.0.2` -> `1.0.2`).
#[napi]
pub fn parse_version(
    env: &Env,
    text: String,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<String> {
    version_policy(policy)
        .and_then(|p| p.parse(&text))
        .map(|v| v.to_string())
        .or_throw(env)
}

/// Parses many versions in one call; each item carries its normalised version or its error.
#[napi]
pub fn parse_versions(
    env: &Env,
    inputs: Vec<String>,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<Vec<VersionResult>> {
    let policy = version_policy(policy).or_throw(env)?;
    Ok(inputs
        .iter()
        .map(|s| VersionResult::new(s, policy.parse(s).map(|v| v.to_string())))
        .collect())
}

/// Sorts versions ascending (precedence, then build metadata) and returns them normalised;
/// throws `invalid_version` for the first input that is not a version.
#[napi]
pub fn sort_versions(env: &Env, versions: Vec<String>) -> napi::Result<Vec<String>> {
    let mut parsed = parse_all(env, &versions)?;
    parsed.sort();
    Ok(convert::strings(&parsed))
}

/// -1, 0 or 1: the order of two version strings (precedence, then build metadata).
#[napi]
pub fn compare_versions(env: &Env, a: String, b: String) -> napi::Result<i32> {
    let a: core::ReleaseVersion = a.parse().or_throw(env)?;
    let b: core::ReleaseVersion = b.parse().or_throw(env)?;
    Ok(ordering(a.cmp(&b)))
}

/// The bump one commit message calls for.
#[napi(ts_return_type = "Bump")]
pub fn bump_for_commit(
    env: &Env,
    message: String,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<String> {
    let policy = version_policy(policy).or_throw(env)?;
    Ok(policy.bump_for_commit(&message).to_string())
}

/// The largest bump the commit messages call for (`none` for no messages); without a policy,
/// messages that are not conventional commits call for none.
#[napi(ts_return_type = "Bump")]
pub fn bump_for_commits(
    env: &Env,
    messages: Vec<String>,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<String> {
    let messages = convert::strs(&messages);
    let bump = match policy {
        None => core::bump_for_commits(&messages),
        Some(value) => version_policy(Some(value))
            .or_throw(env)?
            .bump_for_commits(&messages),
    };
    Ok(bump.to_string())
}

/// The bump actually applied to `base` (the pre-1.0 rules map major and minor on 0.x).
#[napi(ts_return_type = "Bump")]
pub fn effective_bump(
    env: &Env,
    base: String,
    #[napi(ts_arg_type = "Bump")] bump: String,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<String> {
    let base: core::ReleaseVersion = base.parse().or_throw(env)?;
    let bump: Bump = bump.parse().or_throw(env)?;
    let policy = version_policy(policy).or_throw(env)?;
    Ok(policy.effective_bump(&base, bump).to_string())
}

/// Options of `nextVersion`.
#[napi(object, object_to_js = false)]
pub struct NextVersionOptions {
    /// Ask for `X.Y.Z-<label>.N` instead of a stable version.
    pub prerelease: Option<bool>,
    /// The `versioning:` section.
    #[napi(ts_type = "VersionPolicy")]
    pub policy: Option<Value>,
}

/// The next version from the released versions and the commit messages since the last release.
#[napi]
pub fn next_version(
    env: &Env,
    released: Vec<String>,
    commits: Vec<String>,
    options: Option<NextVersionOptions>,
) -> napi::Result<NextVersion> {
    let (prerelease, policy) =
        options.map_or((false, None), |o| (o.prerelease.unwrap_or(false), o.policy));
    let policy = version_policy(policy).or_throw(env)?;
    let released = parse_all(env, &released)?;
    policy
        .next(&released, &convert::strs(&commits), prerelease)
        .map(NextVersion::from)
        .or_throw(env)
}

/// Throws `version_not_higher` unless `version` is higher, by precedence, than every released one.
#[napi]
pub fn ensure_higher(env: &Env, version: String, released: Vec<String>) -> napi::Result<()> {
    let version: core::ReleaseVersion = version.parse().or_throw(env)?;
    let released = parse_all(env, &released)?;
    core::ensure_higher(&version, &released).or_throw(env)
}

/// Checks a version policy and returns it normalised (defaults filled in).
#[napi(ts_return_type = "VersionPolicy")]
pub fn validate_version_policy(
    env: &Env,
    #[napi(ts_arg_type = "VersionPolicy")] policy: Option<Value>,
) -> napi::Result<Value> {
    let policy = version_policy(policy).or_throw(env)?;
    policy.validate().or_throw(env)?;
    convert::to_plain(&policy)
}
