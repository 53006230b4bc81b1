//! Tags: the `TagTemplate` class, the names of a release (`deriveTags`), attributing git tags
//! to services, released versions among a repository's tags, mutable tags, chart OCI tags.
//!
//! `policy` is the `tags:` section as a plain object (defaults when omitted).

use crate::convert::{self, ParsedTag, ReleaseTags, TagAttribution, TagAttributionResult, section};
use crate::error::OrThrow;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;
use shiprail::tag::{self as core, TagPolicy};
use shiprail::version::ReleaseVersion;

fn tag_policy(value: Option<Value>) -> shiprail::Result<TagPolicy> {
    section("tags", value)
}

/// A naming template such as `{service}-v{version}`, parsed once.
#[napi]
pub struct TagTemplate {
    inner: core::TagTemplate,
}

#[napi]
impl TagTemplate {
    /// Parses a template: literal text with `{version}` once and `{service}` at most once.
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse()
            .map(|inner| TagTemplate { inner })
            .or_throw(env)
    }

    /// Whether the template has a `{service}` placeholder.
    #[napi(getter)]
    pub fn has_service(&self) -> bool {
        self.inner.has_service()
    }

    /// The tag of `service` at `version`.
    #[napi]
    pub fn render(&self, env: &Env, service: String, version: String) -> napi::Result<String> {
        let version: ReleaseVersion = version.parse().or_throw(env)?;
        Ok(self.inner.render(&service, &version))
    }

    /// The service and version `tag` was rendered from, or `null` when it does not fit.
    #[napi]
    pub fn parse(&self, tag: String) -> Option<ParsedTag> {
        self.inner.parse(&tag).map(ParsedTag::from)
    }

    /// The version of `tag` when it is the tag of `service` under this template, else `null`.
    #[napi]
    pub fn parse_for_service(&self, tag: String, service: String) -> Option<String> {
        self.inner
            .parse_for_service(&tag, &service)
            .map(|v| v.to_string())
    }

    /// The template text.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// JSON form: the template text.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}

/// Every name of the release of `service` at `version`: image tag, chart version, appVersion,
/// git tag and the chart's OCI tag.
#[napi]
pub fn derive_tags(
    env: &Env,
    service: String,
    version: String,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<ReleaseTags> {
    let policy = tag_policy(policy).or_throw(env)?;
    let version: ReleaseVersion = version.parse().or_throw(env)?;
    policy
        .derive(&service, &version)
        .map(ReleaseTags::from)
        .or_throw(env)
}

/// The service and version of a git tag among the declared `services`.
#[napi]
pub fn attribute_tag(
    env: &Env,
    tag: String,
    services: Vec<String>,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<TagAttribution> {
    tag_policy(policy)
        .and_then(|p| p.attribute(&tag, &convert::strs(&services)))
        .map(TagAttribution::from)
        .or_throw(env)
}

/// Attributes many git tags in one call; each item carries its attribution or its error.
#[napi]
pub fn attribute_tags(
    env: &Env,
    tags: Vec<String>,
    services: Vec<String>,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<Vec<TagAttributionResult>> {
    let policy = tag_policy(policy).or_throw(env)?;
    let services = convert::strs(&services);
    Ok(tags
        .iter()
        .map(|t| TagAttributionResult::new(t, policy.attribute(t, &services)))
        .collect())
}

/// The released versions of `service` among arbitrary `tags`, ascending, without duplicates.
#[napi]
pub fn released_versions(
    env: &Env,
    service: String,
    tags: Vec<String>,
    services: Vec<String>,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<Vec<String>> {
    let policy = tag_policy(policy).or_throw(env)?;
    let versions =
        policy.released_versions(&service, &convert::strs(&tags), &convert::strs(&services));
    Ok(convert::strings(&versions))
}

/// Throws `mutable_tag` for a tag the policy lists as mutable (`latest`, ...).
#[napi]
pub fn check_immutable_tag(
    env: &Env,
    tag: String,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<()> {
    tag_policy(policy)
        .and_then(|p| p.check_immutable(&tag))
        .or_throw(env)
}

/// Checks a tag policy and returns it normalised (defaults filled in).
#[napi(ts_return_type = "TagPolicy")]
pub fn validate_tag_policy(
    env: &Env,
    #[napi(ts_arg_type = "TagPolicy")] policy: Option<Value>,
) -> napi::Result<Value> {
    let policy = tag_policy(policy).or_throw(env)?;
    policy.validate().or_throw(env)?;
    convert::to_plain(&policy)
}

/// Helm's OCI tag for a chart version (`1.0.2+build.5` -> `1.0.2_build.5`).
#[napi]
pub fn chart_oci_tag(version: String) -> String {
    core::chart_oci_tag(&version)
}

/// The chart version of an OCI tag (`1.0.2_build.5` -> `1.0.2+build.5`).
#[napi]
pub fn chart_version_from_oci_tag(tag: String) -> String {
    core::chart_version_from_oci_tag(&tag)
}
