//! Helm charts as OCI artifacts: the `ChartReference` class (`oci://HOST[:PORT]/PATH[:TAG]`),
//! the formats Helm writes (`helmConfigJson`, `helmAnnotations`, `helmManifestJson`), versions
//! from tags (`chartVersionsFromTags`), the creation time (`rfc3339Utc`, `checkCreated`), the
//! media types, and the `ChartPull` class a `RegistryClient#pullChart` resolves to. The network
//! operations themselves are `RegistryClient#pushChart`, `#pullChart` and `#chartVersions`
//! (`registry.rs`).
//!
//! Chart metadata comes in as a `ChartFile` or as a `ChartMetadata` object in its Chart.yaml
//! form (what `parseChart`, `ChartArchive#metadata` and `ChartPull#metadata` give), read by the
//! core's serde; the JSON the core writes comes out as a string (UTF-8, the exact bytes of the
//! blob with `Buffer.from`).

use crate::chart::{ChartFile, path_string};
use crate::convert::{self, ChartPullInfo};
use crate::error::OrThrow;
use crate::image::ImageReference;
use crate::task::{Blocking, blocking};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Buffer, ClassInstance, Either, Object};
use napi_derive::napi;
use serde_json::Value;
use shiprail::chart as core;
use shiprail::registry::ChartPull as CoreChartPull;
use shiprail::{Error, ErrorKind};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The media type of a chart's config blob (the Chart.yaml metadata as JSON).
#[napi]
pub const HELM_CONFIG_MEDIA_TYPE: &str = core::HELM_CONFIG_MEDIA_TYPE;

/// The media type of the layer holding the packaged chart (`.tgz`).
#[napi]
pub const HELM_CHART_LAYER_MEDIA_TYPE: &str = core::HELM_CHART_LAYER_MEDIA_TYPE;

/// The chart layer media type of Helm before 3.8, still accepted on pull as Helm does.
#[napi]
pub const HELM_LEGACY_CHART_LAYER_MEDIA_TYPE: &str = core::HELM_LEGACY_CHART_LAYER_MEDIA_TYPE;

/// The media type of a provenance (`.prov`) layer.
#[napi]
pub const HELM_PROV_LAYER_MEDIA_TYPE: &str = core::HELM_PROV_LAYER_MEDIA_TYPE;

/// The media type of a chart's manifest: an OCI image manifest.
#[napi]
pub const OCI_MANIFEST_MEDIA_TYPE: &str = core::OCI_MANIFEST_MEDIA_TYPE;

/// The creation time written when none is given (the Unix epoch, like a package's entries), so
/// one archive always gives one manifest digest.
#[napi]
pub const DEFAULT_CREATED: &str = core::DEFAULT_CREATED;

/// The metadata of a `ChartFile`, or of a `ChartMetadata` object read by the core's serde.
fn metadata(env: &Env, chart: ChartArg<'_>) -> shiprail::Result<core::ChartMetadata> {
    match chart {
        Either::A(file) => Ok(file.inner.metadata().clone()),
        Either::B(object) => env.from_js_value(object).map_err(|e| {
            Error::new(
                ErrorKind::InvalidChart,
                format!("invalid chart metadata: {}", e.reason),
            )
        }),
    }
}

/// A chart given as a `ChartFile` or as a `ChartMetadata` object.
type ChartArg<'a> = Either<ClassInstance<'a, ChartFile>, Object<'a>>;

/// Text of JSON the core wrote (always UTF-8).
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---------------------------------------------------------------------------------------------
// References

/// A chart location in an OCI registry, `oci://HOST[:PORT]/PATH[:TAG]`: for a push, where charts
/// go (the chart name is appended); for a pull or a version listing, the path ends with the
/// chart name. The host must read as a registry (`localhost`, or with a `.` or a `:`); digests
/// are not supported (`invalid_image_reference`).
#[napi]
pub struct ChartReference {
    inner: core::ChartReference,
}

fn reference(inner: core::ChartReference) -> ChartReference {
    ChartReference { inner }
}

#[napi]
impl ChartReference {
    /// Parses `oci://HOST[:PORT]/PATH[:TAG]` (`invalid_image_reference` otherwise).
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse().map(reference).or_throw(env)
    }

    /// The registry host (`myrepo.azurecr.io`, `127.0.0.1:5000`).
    #[napi(getter)]
    pub fn registry(&self) -> String {
        self.inner.registry().to_string()
    }

    /// The repository path (`helm/delivery`); empty for `oci://HOST`.
    #[napi(getter)]
    pub fn repository(&self) -> String {
        self.inner.repository().to_string()
    }

    /// The tag after `:` in the last path component, `null` when there is none.
    #[napi(getter)]
    pub fn tag(&self) -> Option<String> {
        self.inner.tag().map(str::to_string)
    }

    /// The last path component: the chart name of a pull reference.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The same location without its tag.
    #[napi]
    pub fn without_tag(&self) -> ChartReference {
        reference(self.inner.without_tag())
    }

    /// The reference of chart `name` under this location (what a push writes to): `/name`
    /// appended, no tag.
    #[napi]
    pub fn join(&self, env: &Env, name: String) -> napi::Result<ChartReference> {
        self.inner.join(&name).map(reference).or_throw(env)
    }

    /// The reference with the tag of chart version `version` (`+` mapped to `_`).
    #[napi]
    pub fn with_version(&self, env: &Env, version: String) -> napi::Result<ChartReference> {
        self.inner
            .with_version(&version)
            .map(reference)
            .or_throw(env)
    }

    /// The repository as an image reference (with the tag when there is one);
    /// `invalid_image_reference` when the path is empty.
    #[napi]
    pub fn image(&self, env: &Env) -> napi::Result<ImageReference> {
        self.inner.image().map(ImageReference::from).or_throw(env)
    }

    /// Whether two references are the same.
    #[napi]
    pub fn equals(&self, other: &ChartReference) -> bool {
        self.inner == other.inner
    }

    /// The reference as text (`oci://...`).
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// The reference as text (`JSON.stringify` writes the string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// What Helm writes

/// The chart versions among a repository's tags, highest first, as Helm lists them: `_` read
/// as `+`, strict SemVer only (`1.0.2`, not `v1.0.2` or `1.0`).
#[napi]
pub fn chart_versions_from_tags(tags: Vec<String>) -> Vec<String> {
    core::chart_versions_from_tags(&tags)
}

/// The config blob Helm writes for a chart, as JSON text: Helm's field names and order, empty
/// fields left out, strings sanitized, unknown fields dropped, Go's escaping, `apiVersion`
/// `v1` when missing. A metadata object that is not chart metadata is `invalid_chart`.
#[napi]
pub fn helm_config_json(
    env: &Env,
    #[napi(ts_arg_type = "ChartFile | ChartMetadata")] chart: ChartArg<'_>,
) -> napi::Result<String> {
    let md = metadata(env, chart).or_throw(env)?;
    Ok(text(core::helm_config_json(&md)))
}

/// The manifest annotations Helm writes (`org.opencontainers.image.title`, `version`,
/// `description`, `url`, `source`, `authors`, `created`, then the chart's own annotations,
/// which may replace any but title and version), with `created` as the creation time.
#[napi(ts_return_type = "Record<string, string>")]
pub fn helm_annotations(
    env: &Env,
    #[napi(ts_arg_type = "ChartFile | ChartMetadata")] chart: ChartArg<'_>,
    created: String,
) -> napi::Result<Value> {
    let md = metadata(env, chart).or_throw(env)?;
    convert::to_plain(&core::helm_annotations(&md, &created))
}

/// The manifest of a chart as Helm writes it, as JSON text: the config blob (`config`, the
/// bytes or the text of `helmConfigJson`), the chart layer (`chart`, the `.tgz` bytes) and the
/// annotations (`helmAnnotations`).
#[napi]
pub fn helm_manifest_json(
    config: Either<Buffer, String>,
    chart: Buffer,
    annotations: HashMap<String, String>,
) -> String {
    let config: &[u8] = match &config {
        Either::A(bytes) => bytes,
        Either::B(text) => text.as_bytes(),
    };
    let annotations: BTreeMap<String, String> = annotations.into_iter().collect();
    text(core::helm_manifest_json(config, &chart, &annotations))
}

/// `seconds` after the Unix epoch as RFC 3339 in UTC (`2024-05-01T12:00:00Z`): the form of the
/// creation time. `rfc3339Utc(Number(process.env.SOURCE_DATE_EPOCH ?? 0))` is the CLI's default.
#[napi]
pub fn rfc3339_utc(env: &Env, seconds: i64) -> napi::Result<String> {
    let seconds = u64::try_from(seconds)
        .map_err(|_| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!(
                    "`seconds` {seconds} is not a time: give seconds since the epoch, 0 or more"
                ),
            )
            .with_input(seconds.to_string())
        })
        .or_throw(env)?;
    Ok(core::rfc3339_utc(seconds))
}

/// Checks that `created` is an RFC 3339 date-time (`2024-05-01T12:00:00Z`, an offset and
/// fractions allowed); `invalid_chart` otherwise.
#[napi]
pub fn check_created(env: &Env, created: String) -> napi::Result<()> {
    core::check_created(&created).or_throw(env)
}

// ---------------------------------------------------------------------------------------------
// A pulled chart

/// A chart pulled from a registry (`RegistryClient#pullChart`): where it came from, its digests
/// and metadata, and the archive bytes, which stay in Rust until asked for (`bytes`,
/// `writeTo`).
#[napi]
pub struct ChartPull {
    inner: Arc<CoreChartPull>,
}

impl From<CoreChartPull> for ChartPull {
    fn from(inner: CoreChartPull) -> Self {
        ChartPull {
            inner: Arc::new(inner),
        }
    }
}

#[napi]
impl ChartPull {
    /// The reference pulled, with its tag (`oci://HOST/PATH/NAME:TAG`).
    #[napi(getter)]
    pub fn reference(&self) -> String {
        self.inner.reference.to_string()
    }

    /// The chart name.
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The chart version.
    #[napi(getter)]
    pub fn version(&self) -> String {
        self.inner.version.clone()
    }

    /// The digest of the manifest.
    #[napi(getter)]
    pub fn digest(&self) -> String {
        self.inner.digest.to_string()
    }

    /// The digest of the chart layer: the SHA-256 of the archive.
    #[napi(getter)]
    pub fn chart_digest(&self) -> String {
        self.inner.chart_digest.to_string()
    }

    /// The archive size in bytes.
    #[napi(getter)]
    pub fn size(&self) -> f64 {
        self.inner.size as f64
    }

    /// The chart metadata from the archive's Chart.yaml, in its Chart.yaml form.
    #[napi(getter, ts_return_type = "ChartMetadata")]
    pub fn metadata(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.metadata)
    }

    /// `<name>-<version>.tgz`.
    #[napi(getter)]
    pub fn file_name(&self) -> String {
        self.inner.file_name()
    }

    /// The `.tgz` bytes exactly as pushed (a copy).
    #[napi(getter)]
    pub fn bytes(&self) -> Buffer {
        self.inner.bytes().to_vec().into()
    }

    /// Writes `dir/<name>-<version>.tgz` (creating `dir`; through a temporary file renamed
    /// into place, replacing a file of that name as `helm pull` does) without blocking the
    /// event loop; resolves to its path.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn write_to(&self, dir: String) -> AsyncTask<Blocking<std::path::PathBuf, String>> {
        let pull = Arc::clone(&self.inner);
        blocking(move || pull.write_to(&dir), path_string)
    }

    /// Writes `dir/<name>-<version>.tgz`, blocking; returns its path.
    #[napi]
    pub fn write_to_sync(&self, env: &Env, dir: String) -> napi::Result<String> {
        path_string(self.inner.write_to(&dir).or_throw(env)?)
    }

    /// JSON form: everything but the bytes.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> napi::Result<ChartPullInfo> {
        ChartPullInfo::try_from(self.inner.as_ref())
    }
}
