//! Every conversion between JavaScript values and core values, in one place.
//!
//! Two directions, two rules:
//! - In: a policy or configuration section arrives as a plain JS object written exactly like
//!   its `shiprail.yaml` section (snake_case keys, e.g. `{v_prefix: "require"}`) and is read by
//!   the core's own serde implementation ([`section`]), so defaults, unknown keys and value
//!   checks are the core's. `undefined`/`null` means the section's defaults. A value that does
//!   not fit is a `config_syntax` error, as in a configuration file.
//! - Out: a result is a plain object with camelCase keys (`imageTag`), one `#[napi(object)]`
//!   struct here per core result type, built by a `From` impl that copies fields and nothing
//!   else. Versions and other validated values go out as their display strings. Sections go
//!   out as the core serializes them ([`to_plain`]), so they can be passed back in.

use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shiprail::{Error, ErrorKind};

/// A `shiprail.yaml` section from a plain JS object; `None`/`null` is the section's defaults.
pub(crate) fn section<T: DeserializeOwned + Default>(
    name: &str,
    value: Option<Value>,
) -> shiprail::Result<T> {
    match value {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("invalid `{name}` section: {e}"),
            )
        }),
    }
}

/// A core value as the plain object its serde form describes (sections, schemas).
pub(crate) fn to_plain<T: Serialize>(value: &T) -> napi::Result<Value> {
    serde_json::to_value(value).map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// Display strings of a list of values (versions, references).
pub(crate) fn strings<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// `&[String]` as the `&[&str]` the core takes.
pub(crate) fn strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// A classified branch.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Branch {
    /// The full ref, `refs/heads/<name>`.
    #[napi(js_name = "ref")]
    pub reference: String,
    /// The short branch name.
    pub name: String,
    /// The kind: `trunk`, `feature`, `topic`, `release` or a configured kind.
    pub kind: String,
    /// The service, for kinds whose pattern has `{service}`.
    pub service: Option<String>,
    /// The release version (without `v`), for release-like kinds.
    pub version: Option<String>,
    /// The topic (slashes included), for kinds with `{topic}`.
    pub topic: Option<String>,
}

impl From<shiprail::branch::Branch> for Branch {
    fn from(b: shiprail::branch::Branch) -> Self {
        Branch {
            reference: b.reference,
            name: b.name,
            kind: b.kind.to_string(),
            service: b.service,
            version: b.version.map(|v| v.to_string()),
            topic: b.topic,
        }
    }
}

/// Every name of one release.
#[napi(object, object_from_js = false)]
pub struct ReleaseTags {
    /// The release version, normalised (no `v`).
    pub version: String,
    /// The image tag (`v1.0.2`).
    pub image_tag: String,
    /// The Helm chart version (`1.0.2`).
    pub chart_version: String,
    /// The Helm chart appVersion (`1.0.2`).
    pub app_version: String,
    /// The git tag of the release commit (`delivery-v1.0.2`).
    pub git_tag: String,
    /// The OCI tag the chart is pushed under (`+` -> `_`).
    pub chart_oci_tag: String,
}

impl From<shiprail::tag::ReleaseTags> for ReleaseTags {
    fn from(t: shiprail::tag::ReleaseTags) -> Self {
        ReleaseTags {
            version: t.version.to_string(),
            image_tag: t.image_tag,
            chart_version: t.chart_version,
            app_version: t.app_version,
            git_tag: t.git_tag,
            chart_oci_tag: t.chart_oci_tag,
        }
    }
}

/// What a release branch releases: the service, the branch, and every name of the release
/// (flattened, as the CLI prints it).
#[napi(object, object_from_js = false)]
pub struct Release {
    /// The service released.
    pub service: String,
    /// The classified branch.
    pub branch: Branch,
    /// The release version (no `v`).
    pub version: String,
    /// The image tag.
    pub image_tag: String,
    /// The Helm chart version.
    pub chart_version: String,
    /// The Helm chart appVersion.
    pub app_version: String,
    /// The git tag.
    pub git_tag: String,
    /// The chart's OCI tag.
    pub chart_oci_tag: String,
}

impl From<shiprail::release::Release> for Release {
    fn from(r: shiprail::release::Release) -> Self {
        let tags = ReleaseTags::from(r.tags);
        Release {
            service: r.service,
            branch: r.branch.into(),
            version: tags.version,
            image_tag: tags.image_tag,
            chart_version: tags.chart_version,
            app_version: tags.app_version,
            git_tag: tags.git_tag,
            chart_oci_tag: tags.chart_oci_tag,
        }
    }
}

/// The outcome of a next-version computation.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NextVersion {
    /// The highest released version, `null` for a service never released.
    pub current: Option<String>,
    /// The bump applied.
    #[napi(ts_type = "Bump")]
    pub bump: String,
    /// The next version, `null` when no commit calls for a release.
    pub next: Option<String>,
}

impl From<shiprail::version::NextVersion> for NextVersion {
    fn from(n: shiprail::version::NextVersion) -> Self {
        NextVersion {
            current: n.current.map(|v| v.to_string()),
            bump: n.bump.to_string(),
            next: n.next.map(|v| v.to_string()),
        }
    }
}

/// The next version of a service with the tags it would get.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NextRelease {
    /// The service.
    pub service: String,
    /// The highest released version, `null` for a service never released.
    pub current: Option<String>,
    /// The bump applied.
    #[napi(ts_type = "Bump")]
    pub bump: String,
    /// The next version, `null` when no commit calls for a release.
    pub next: Option<String>,
    /// The names of the next version, `null` when there is none.
    pub tags: Option<ReleaseTags>,
}

impl From<shiprail::release::NextRelease> for NextRelease {
    fn from(n: shiprail::release::NextRelease) -> Self {
        let next = NextVersion::from(n.next);
        NextRelease {
            service: n.service,
            current: next.current,
            bump: next.bump,
            next: next.next,
            tags: n.tags.map(ReleaseTags::from),
        }
    }
}

/// Where an image goes when promoted into an environment.
#[napi(object, object_from_js = false)]
pub struct PromotionTarget {
    /// The source reference, normalised.
    pub source: String,
    /// The destination reference.
    pub target: String,
    /// The environment promoted into.
    pub environment: String,
    /// The environment's registry namespace.
    pub namespace: String,
}

impl From<shiprail::release::PromotionTarget> for PromotionTarget {
    fn from(p: shiprail::release::PromotionTarget) -> Self {
        PromotionTarget {
            source: p.source,
            target: p.target,
            environment: p.environment,
            namespace: p.namespace,
        }
    }
}

/// The parts of an image reference.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ImageParts {
    /// The registry host with its port (`myrepo.azurecr.io`).
    pub registry: String,
    /// The path inside the registry (`prod/delivery`).
    pub repository: String,
    /// The last path component (`delivery`).
    pub name: String,
    /// The path before the name (`prod`), empty when there is none.
    pub namespace: String,
    /// The tag, `null` when absent.
    pub tag: Option<String>,
    /// The digest, `null` when absent.
    pub digest: Option<String>,
    /// The full normalised form.
    pub full: String,
    /// The short form Docker prints.
    pub familiar: String,
}

impl From<shiprail::image::ImageParts> for ImageParts {
    fn from(p: shiprail::image::ImageParts) -> Self {
        ImageParts {
            registry: p.registry,
            repository: p.repository,
            name: p.name,
            namespace: p.namespace,
            tag: p.tag,
            digest: p.digest,
            full: p.full,
            familiar: p.familiar,
        }
    }
}

/// What a tag template reads from a tag.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ParsedTag {
    /// The service, `null` when the template has no `{service}`.
    pub service: Option<String>,
    /// The version (no `v`).
    pub version: String,
}

impl From<(Option<String>, shiprail::version::ReleaseVersion)> for ParsedTag {
    fn from((service, version): (Option<String>, shiprail::version::ReleaseVersion)) -> Self {
        ParsedTag {
            service,
            version: version.to_string(),
        }
    }
}

/// The service and version a git tag belongs to.
#[napi(object, object_from_js = false)]
pub struct TagAttribution {
    /// The declared service the tag belongs to.
    pub service: String,
    /// Its version (no `v`).
    pub version: String,
}

impl From<(String, shiprail::version::ReleaseVersion)> for TagAttribution {
    fn from((service, version): (String, shiprail::version::ReleaseVersion)) -> Self {
        TagAttribution {
            service,
            version: version.to_string(),
        }
    }
}

/// What a branch pattern holds.
#[napi(object, object_from_js = false)]
pub struct BranchPatternInfo {
    /// The pattern as displayed (normalised).
    pub pattern: String,
    /// Whether it holds `{version}` (its branches carry a release version).
    pub release_like: bool,
    /// Whether it holds `{service}`.
    pub has_service: bool,
    /// Whether it holds `{topic}`.
    pub has_topic: bool,
}

impl From<&shiprail::branch::BranchPattern> for BranchPatternInfo {
    fn from(p: &shiprail::branch::BranchPattern) -> Self {
        BranchPatternInfo {
            pattern: p.to_string(),
            release_like: p.is_release_like(),
            has_service: p.has_service(),
            has_topic: p.has_topic(),
        }
    }
}

/// One item of a batch: the input, and either its value or its error.
macro_rules! batch_result {
    ($doc:literal, $name:ident, $field:ident: $ty:ty) => {
        #[doc = $doc]
        #[napi(object, object_from_js = false, use_nullable = true)]
        pub struct $name {
            /// The input item, as given.
            pub input: String,
            /// The result, `null` when the item failed.
            pub $field: Option<$ty>,
            /// The error, `null` when the item succeeded.
            pub error: Option<crate::error::ErrorInfo>,
        }

        impl $name {
            /// The batch item for `input` and its core outcome.
            pub(crate) fn new<T: Into<$ty>>(input: &str, outcome: shiprail::Result<T>) -> Self {
                match outcome {
                    Ok(value) => $name {
                        input: input.to_string(),
                        $field: Some(value.into()),
                        error: None,
                    },
                    Err(err) => $name {
                        input: input.to_string(),
                        $field: None,
                        error: Some((&err).into()),
                    },
                }
            }
        }
    };
}

batch_result!(
    "One ref of `classifyBranches`.",
    BranchResult,
    branch: Branch
);
batch_result!(
    "One input of `parseVersions`: the normalised version or the error.",
    VersionResult,
    version: String
);
batch_result!(
    "One input of `parseImages`.",
    ImageResult,
    image: ImageParts
);
batch_result!(
    "One tag of `attributeTags`.",
    TagAttributionResult,
    attribution: TagAttribution
);
