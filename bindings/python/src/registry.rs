//! `shiprail.registry`: OCI registries (tags, digests, deletion), image promotion, and Helm
//! charts pushed, pulled and listed as OCI artifacts (`push_chart`, `pull_chart`,
//! `chart_versions` → `ChartPush`, `ChartPull`, versions).
//!
//! `RegistryClient` wraps the core's async client. Every network operation is offered twice:
//! a blocking call that releases the GIL (`promote`, `list_tags`, ...) and an `..._async` call
//! returning an awaitable for asyncio code (see `runtime`). Promotion reports progress to an
//! optional Python callable, one dict per event (`{"event": "blob_copied", "digest", "size"}`,
//! the core's JSON).
//!
//! Secrets never reach Python: `Credentials` has no getter for a password or token, its
//! `repr()` shows `<redacted>`, it does not pickle, and the core's messages name where
//! credentials came from, never what they are.

use crate::chart::{PyChartMetadata, limits as chart_limits};
use crate::chart_oci::PyChartReference;
use crate::config::PyConfig;
use crate::conversions::{
    ChartData, ChartRefArg, Data, DigestArg, ImageArg, JsonDict, PathArg, Platforms, Seconds,
    Section, Strings, TagPolicyArg, TimeText, hash_of, py_repr, repr_fields, tag_policy,
};
use crate::error::{BindingError, Result};
use crate::runtime::{block_on, future_into_py};
use crate::tag::PyTagPolicy;
use crate::version::PyReleaseVersion;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple, PyType};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::registry::{
    self as core, ChartPull, ChartPush, ChartPushOptions, Credentials, DeletedTag, Digest,
    DockerConfig, Platform, ProgressEvent, PromoteRequest, Promotion, PromotionPolicy,
    RegistryClient, RegistryOptions, ReleaseTag, Resolved,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// Values

/// The digest of a manifest or blob, `algorithm:hex` (`sha256`, `sha384` or `sha512`,
/// lowercase hex); raises `ImageError` when malformed. Compares and hashes as its text.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, ord, name = "Digest", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PyDigest(pub(crate) Digest);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyDigest {
    /// Parses a digest.
    #[new]
    fn new(text: &str) -> Result<Self> {
        Ok(PyDigest(text.parse()?))
    }

    /// The sha256 digest of `data`.
    #[staticmethod]
    fn of(data: Data<'_>) -> Self {
        PyDigest(Digest::of(data.as_bytes()))
    }

    /// The algorithm (`sha256`).
    #[getter]
    fn algorithm(&self) -> &str {
        self.0.algorithm()
    }

    /// The hex part.
    #[getter]
    fn hex(&self) -> &str {
        self.0.hex()
    }

    /// `sha256-<hex>`: the prefix of the tags that hold this manifest's signatures (`.sig`),
    /// attestations (`.att`) and SBOMs (`.sbom`).
    #[getter]
    fn tag_form(&self) -> String {
        self.0.tag_form()
    }

    /// Whether `data` hashes to this digest.
    fn matches(&self, data: Data<'_>) -> bool {
        self.0.matches(data.as_bytes())
    }

    fn __str__(&self) -> &str {
        self.0.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Digest({})", py_repr(py, self.0.as_str())?))
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[Digest], tuple[builtins.str]]",
        imports = ("builtins")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let args = PyTuple::new(slf.py(), [slf.get().0.as_str()])?;
        Ok((slf.get_type(), args))
    }
}

/// A platform `os/architecture[/variant]` of an image index entry (`linux/amd64`,
/// `linux/arm/v7`); raises `ImageError` when malformed. Without a variant it selects every
/// variant of its architecture.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "Platform", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyPlatform(pub(crate) Platform);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyPlatform {
    /// Parses a platform.
    #[new]
    fn new(text: &str) -> Result<Self> {
        Ok(PyPlatform(text.parse()?))
    }

    /// The operating system (`linux`).
    #[getter]
    fn os(&self) -> &str {
        self.0.os()
    }

    /// The CPU architecture (`amd64`).
    #[getter]
    fn architecture(&self) -> &str {
        self.0.architecture()
    }

    /// The variant (`v7`), when one is required.
    #[getter]
    fn variant(&self) -> Option<&str> {
        self.0.variant()
    }

    /// Whether an index entry of this os, architecture and variant is selected.
    #[pyo3(signature = (os, architecture, variant = None))]
    fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        self.0.matches(os, architecture, variant)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Platform({})", py_repr(py, self.0.to_string())?))
    }
}

/// How shiprail authenticates to one registry: `Credentials.anonymous()`,
/// `Credentials.basic(username, password)` (also exchanged for a repository-scoped bearer
/// token when the registry asks for one, as `docker login` does) or `Credentials.bearer(token)`.
///
/// The secret stays in Rust: there is no getter for it, `repr()` shows `<redacted>`, and
/// credentials do not pickle.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Credentials", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyCredentials(pub(crate) Credentials);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyCredentials {
    /// No credentials: public registries, loopback test registries.
    #[staticmethod]
    fn anonymous() -> Self {
        PyCredentials(Credentials::Anonymous)
    }

    /// A user name and a password (or a token used as password, as ACR and GHCR accept).
    #[staticmethod]
    fn basic(username: &str, password: &str) -> Self {
        PyCredentials(Credentials::basic(username, password))
    }

    /// A ready bearer token, sent as `Authorization: Bearer ...`.
    #[staticmethod]
    fn bearer(token: &str) -> Self {
        PyCredentials(Credentials::Bearer(core::Secret::new(token)))
    }

    /// `anonymous`, `basic` or `bearer`.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['anonymous', 'basic', 'bearer']",
        imports = ("typing")
    ))]
    fn kind(&self) -> &'static str {
        match &self.0 {
            Credentials::Basic { .. } => "basic",
            Credentials::Bearer(_) => "bearer",
            _ => "anonymous",
        }
    }

    /// The user name of basic credentials, `None` otherwise.
    #[getter]
    fn username(&self) -> Option<&str> {
        match &self.0 {
            Credentials::Basic { username, .. } => Some(username),
            _ => None,
        }
    }

    /// A description without the secret (`user \`ci\``, `a bearer token`, `no credentials`).
    fn describe(&self) -> String {
        self.0.describe()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.0 {
            Credentials::Basic { username, .. } => format!(
                "Credentials.basic(username={}, password=<redacted>)",
                py_repr(py, username.as_str())?
            ),
            Credentials::Bearer(_) => "Credentials.bearer(<redacted>)".to_string(),
            _ => "Credentials.anonymous()".to_string(),
        })
    }
}

/// The docker CLI's `config.json`, as far as credentials go: `auths` entries, the credential
/// store `credsStore` and per-registry `credHelpers` (run as `docker-credential-<name> get`).
/// `DockerConfig()` is an empty config (anonymous everywhere); a malformed file raises
/// `ConfigError`, naming a bad entry's key, never its value.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, name = "DockerConfig", module = "shiprail._native")]
pub(crate) struct PyDockerConfig(pub(crate) DockerConfig);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyDockerConfig {
    /// An empty config: no credentials for any registry.
    #[new]
    fn new() -> Self {
        PyDockerConfig(DockerConfig::default())
    }

    /// The current user's config: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`;
    /// a missing file is an empty config.
    #[staticmethod]
    fn load_default(py: Python<'_>) -> Result<Self> {
        Ok(PyDockerConfig(py.detach(DockerConfig::load_default)?))
    }

    /// Reads a config file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathArg) -> Result<Self> {
        Ok(PyDockerConfig(py.detach(|| DockerConfig::load(&path.0))?))
    }

    /// Parses config text (JSON).
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(PyDockerConfig(DockerConfig::from_json_str(text)?))
    }

    /// The same config, looking for credential helpers in `dirs` instead of `PATH`.
    fn with_helper_dirs(&self, dirs: Vec<PathArg>) -> Self {
        let dirs: Vec<PathBuf> = dirs.into_iter().map(|d| d.0).collect();
        PyDockerConfig(self.0.clone().with_helper_dirs(dirs))
    }

    /// The file it was read from, `None` otherwise.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.0.path().map(std::path::Path::to_path_buf)
    }

    /// The credentials for `registry` (`host[:port]`): a credential helper's for the host,
    /// else the credential store's, else an `auths` entry, else anonymous. A helper runs with
    /// the GIL released; one that cannot run or answers garbage raises.
    fn credentials_for(&self, py: Python<'_>, registry: &str) -> Result<PyCredentials> {
        let config = &self.0;
        Ok(PyCredentials(
            py.detach(|| config.credentials_for(registry))?,
        ))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "DockerConfig",
            "path" => self.0.path().map(|p| p.display().to_string()),
        )
    }
}

/// One release tag of a repository and the version it names.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ReleaseTag", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReleaseTag(pub(crate) ReleaseTag);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyReleaseTag {
    /// The tag (`v1.0.2`).
    #[getter]
    fn tag(&self) -> &str {
        &self.0.tag
    }

    /// The version it names.
    #[getter]
    fn version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.version.clone())
    }

    /// `{"tag", "version"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.tag
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ReleaseTag",
            "tag" => self.0.tag.as_str(),
            "version" => self.0.version.to_string(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0.tag)
    }
}

/// A manifest reference resolved to its digest.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Resolved", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyResolved(pub(crate) Resolved);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyResolved {
    /// The reference asked for, normalised.
    #[getter]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// The digest of the manifest it names.
    #[getter]
    fn digest(&self) -> PyDigest {
        PyDigest(self.0.digest.clone())
    }

    /// The manifest's media type (an image manifest or an index).
    #[getter]
    fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// The manifest's size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// `{"reference", "digest", "media_type", "size"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Resolved",
            "reference" => self.0.reference.as_str(),
            "digest" => self.0.digest.as_str(),
            "media_type" => self.0.media_type.as_str(),
            "size" => self.0.size,
        )
    }
}

/// What `RegistryClient.delete_tag` deleted.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "DeletedTag", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyDeletedTag(pub(crate) DeletedTag);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyDeletedTag {
    /// The reference whose tag was deleted.
    #[getter]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// The digest the tag named.
    #[getter]
    fn digest(&self) -> PyDigest {
        PyDigest(self.0.digest.clone())
    }

    /// `tag` when the registry deleted the tag alone, `manifest` when it could only delete the
    /// manifest (done only when no other tag names it).
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['tag', 'manifest']",
        imports = ("typing")
    ))]
    fn method(&self) -> &str {
        &self.0.method
    }

    /// `{"reference", "digest", "method"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "DeletedTag",
            "reference" => self.0.reference.as_str(),
            "digest" => self.0.digest.as_str(),
            "method" => self.0.method.as_str(),
        )
    }
}

/// The result of a promotion.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Promotion", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyPromotion(pub(crate) Promotion);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyPromotion {
    /// The source reference (by tag).
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }

    /// The destination reference (by tag).
    #[getter]
    fn destination(&self) -> &str {
        &self.0.destination
    }

    /// The digest the destination tag names: the source's, unless a platform filter rewrote
    /// an index.
    #[getter]
    fn digest(&self) -> PyDigest {
        PyDigest(self.0.digest.clone())
    }

    /// The digest the source tag named.
    #[getter]
    fn source_digest(&self) -> PyDigest {
        PyDigest(self.0.source_digest.clone())
    }

    /// How many manifests were written (or would be, in a dry run).
    #[getter]
    fn manifests(&self) -> usize {
        self.0.manifests
    }

    /// How the blobs were handled: `{"skipped", "mounted", "copied"}`.
    #[getter]
    fn blobs(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.blobs)
    }

    /// The bytes streamed between registries (or that would be).
    #[getter]
    fn bytes_copied(&self) -> u64 {
        self.0.bytes_copied
    }

    /// The destination tag already named the digest: nothing was written.
    #[getter]
    fn already_promoted(&self) -> bool {
        self.0.already_promoted
    }

    /// Nothing was written: the counts are the plan.
    #[getter]
    fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    /// The signature, attestation and SBOM tags, and referrer digests, that travelled along.
    #[getter]
    fn referrers(&self) -> Vec<String> {
        self.0.referrers.clone()
    }

    /// `{"source", "destination", "digest", "manifests", "blobs", "bytes_copied",
    /// "already_promoted", "source_digest", "dry_run", "referrers"}`, as `shiprail image
    /// promote` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Promotion",
            "source" => self.0.source.as_str(),
            "destination" => self.0.destination.as_str(),
            "digest" => self.0.digest.as_str(),
            "already_promoted" => self.0.already_promoted,
            "dry_run" => self.0.dry_run,
        )
    }
}

/// What `RegistryClient.push_chart` did: where the chart is, its digests, and whether the
/// tag already named this archive (`already_pushed`: nothing was written).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartPush", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartPush(pub(crate) ChartPush);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChartPush {
    /// Where the chart is now: `oci://HOST/PATH/NAME:TAG`.
    #[getter]
    fn reference(&self) -> PyChartReference {
        PyChartReference(self.0.reference.clone())
    }

    /// The chart name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The chart version (with `+` where the tag has `_`).
    #[getter]
    fn version(&self) -> &str {
        &self.0.version
    }

    /// The tag: the version with `+` written as `_`.
    #[getter]
    fn tag(&self) -> &str {
        &self.0.tag
    }

    /// The digest of the manifest the tag names.
    #[getter]
    fn digest(&self) -> PyDigest {
        PyDigest(self.0.digest.clone())
    }

    /// The digest of the chart layer: the SHA-256 of the archive (`ChartPackage.digest`).
    #[getter]
    fn chart_digest(&self) -> PyDigest {
        PyDigest(self.0.chart_digest.clone())
    }

    /// The digest of the config blob (`helm_config_json`).
    #[getter]
    fn config_digest(&self) -> PyDigest {
        PyDigest(self.0.config_digest.clone())
    }

    /// The archive's size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// The tag already named this archive: nothing was written, and `digest` is the manifest
    /// found (another tool or creation time may have written a different one).
    #[getter]
    fn already_pushed(&self) -> bool {
        self.0.already_pushed
    }

    /// With `force`, the manifest digest the tag named before it was replaced.
    #[getter]
    fn replaced(&self) -> Option<PyDigest> {
        self.0.replaced.clone().map(PyDigest)
    }

    /// `{"reference", "name", "version", "tag", "digest", "chart_digest", "config_digest",
    /// "size", "already_pushed", "replaced"?}`, as `shiprail chart push` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartPush",
            "reference" => self.0.reference.to_string(),
            "digest" => self.0.digest.as_str(),
            "already_pushed" => self.0.already_pushed,
        )
    }
}

/// A chart read by `RegistryClient.pull_chart`: its reference, digests and metadata, and the
/// archive's bytes exactly as pushed (checked against the layer digest and loaded with the
/// loader's checks).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, name = "ChartPull", module = "shiprail._native")]
pub(crate) struct PyChartPull(pub(crate) ChartPull);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChartPull {
    /// The reference pulled: `oci://HOST/PATH/NAME:TAG`.
    #[getter]
    fn reference(&self) -> PyChartReference {
        PyChartReference(self.0.reference.clone())
    }

    /// The chart name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The chart version.
    #[getter]
    fn version(&self) -> &str {
        &self.0.version
    }

    /// The digest of the manifest.
    #[getter]
    fn digest(&self) -> PyDigest {
        PyDigest(self.0.digest.clone())
    }

    /// The digest of the chart layer: the SHA-256 of the archive.
    #[getter]
    fn chart_digest(&self) -> PyDigest {
        PyDigest(self.0.chart_digest.clone())
    }

    /// The archive's size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// The chart's metadata, from the archive's Chart.yaml.
    #[getter]
    fn metadata(&self) -> PyChartMetadata {
        PyChartMetadata(self.0.metadata.clone())
    }

    /// The `.tgz` bytes (`ChartArchive.read` loads them).
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.bytes())
    }

    /// `<name>-<version>.tgz`.
    #[getter]
    fn file_name(&self) -> String {
        self.0.file_name()
    }

    /// Writes `dir/<name>-<version>.tgz` (creating `dir`; through a temporary file renamed
    /// into place, replacing a file of that name as `helm pull` does; the GIL released) and
    /// returns its path.
    fn write_to(&self, py: Python<'_>, dir: PathArg) -> Result<PathBuf> {
        let pulled = &self.0;
        Ok(py.detach(|| pulled.write_to(&dir.0))?)
    }

    /// Everything but the bytes: `{"reference", "name", "version", "digest", "chart_digest",
    /// "size", "metadata"}`, as `shiprail chart pull` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartPull",
            "reference" => self.0.reference.to_string(),
            "digest" => self.0.digest.as_str(),
            "size" => self.0.size,
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Policy and requests

/// One promotion to perform: `source` (by tag; a digest on it is the expected digest),
/// `destination` (a tag, on the same or another registry) and options: `expected_digest` (the
/// digest QA approved), `platforms` (for an index, the platforms to keep; empty keeps all),
/// `force` (move a destination tag that names another digest), `dry_run` (plan only) and
/// `referrers` (copy signatures, attestations and SBOMs along; on by default).
/// `PromotionPolicy.request` builds one by the rules; `replace(...)` changes options.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "PromoteRequest", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyPromoteRequest(pub(crate) PromoteRequest);

/// A request with the options that are given replaced.
fn with_options(
    mut request: PromoteRequest,
    expected_digest: Option<DigestArg>,
    platforms: Option<Platforms>,
    force: Option<bool>,
    dry_run: Option<bool>,
    referrers: Option<bool>,
) -> PromoteRequest {
    if let Some(digest) = expected_digest {
        request.expected_digest = Some(digest.0);
    }
    if let Some(platforms) = platforms {
        request.platforms = platforms.0;
    }
    if let Some(force) = force {
        request.force = force;
    }
    if let Some(dry_run) = dry_run {
        request.dry_run = dry_run;
    }
    if let Some(referrers) = referrers {
        request.referrers = referrers;
    }
    request
}

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyPromoteRequest {
    /// A request with the core's defaults for every option not given (all platforms, no
    /// force, not a dry run, referrers copied). No policy is applied: `PromotionPolicy.request`
    /// checks the tags.
    #[new]
    #[pyo3(signature = (
        source,
        destination,
        *,
        expected_digest = None,
        platforms = None,
        force = None,
        dry_run = None,
        referrers = None
    ))]
    fn new(
        source: ImageArg,
        destination: ImageArg,
        expected_digest: Option<DigestArg>,
        platforms: Option<Platforms>,
        force: Option<bool>,
        dry_run: Option<bool>,
        referrers: Option<bool>,
    ) -> Self {
        let request = PromoteRequest::new(source.0, destination.0);
        PyPromoteRequest(with_options(
            request,
            expected_digest,
            platforms,
            force,
            dry_run,
            referrers,
        ))
    }

    /// The same request with the given options replaced (`request.replace(dry_run=True)`).
    #[pyo3(signature = (
        *,
        expected_digest = None,
        platforms = None,
        force = None,
        dry_run = None,
        referrers = None
    ))]
    fn replace(
        &self,
        expected_digest: Option<DigestArg>,
        platforms: Option<Platforms>,
        force: Option<bool>,
        dry_run: Option<bool>,
        referrers: Option<bool>,
    ) -> Self {
        PyPromoteRequest(with_options(
            self.0.clone(),
            expected_digest,
            platforms,
            force,
            dry_run,
            referrers,
        ))
    }

    /// The image promoted.
    #[getter]
    fn source(&self) -> crate::image::PyImageReference {
        crate::image::PyImageReference(self.0.source.clone())
    }

    /// The tag written.
    #[getter]
    fn destination(&self) -> crate::image::PyImageReference {
        crate::image::PyImageReference(self.0.destination.clone())
    }

    /// The digest the source tag must resolve to, if known.
    #[getter]
    fn expected_digest(&self) -> Option<PyDigest> {
        self.0.expected_digest.clone().map(PyDigest)
    }

    /// The platforms kept of an index (empty: all).
    #[getter]
    fn platforms(&self) -> Vec<PyPlatform> {
        self.0.platforms.iter().cloned().map(PyPlatform).collect()
    }

    /// Whether a destination tag naming another digest is moved.
    #[getter]
    fn force(&self) -> bool {
        self.0.force
    }

    /// Whether nothing is written.
    #[getter]
    fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    /// Whether signatures, attestations and SBOMs travel along.
    #[getter]
    fn referrers(&self) -> bool {
        self.0.referrers
    }

    /// `{"source", "destination", "expected_digest", "platforms", "force", "dry_run",
    /// "referrers"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "PromoteRequest",
            "source" => self.0.source.to_string(),
            "destination" => self.0.destination.to_string(),
            "expected_digest" => self.0.expected_digest.as_ref().map(|d| d.as_str().to_string()),
            "force" => self.0.force,
            "dry_run" => self.0.dry_run,
        )
    }
}

/// The rules a promotion follows: where an image goes (the promotion `template` and the
/// target environment's registry `namespace`) and which tags may be promoted (release tags
/// under `tags.image` only, never `latest` or another mutable tag). Build it from
/// `shiprail.yaml` with `PromotionPolicy.from_config(config, environment)`, or from keywords.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "PromotionPolicy", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyPromotionPolicy(pub(crate) PromotionPolicy);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyPromotionPolicy {
    /// A policy; omitted keywords take the core's defaults (the default promotion template,
    /// the registry root as namespace, the default tag policy, release tags only). A malformed
    /// template raises `PatternError`.
    #[new]
    #[pyo3(signature = (*, namespace = None, template = None, tags = None, release_tags_only = None))]
    fn new(
        namespace: Option<String>,
        template: Option<&str>,
        tags: Option<TagPolicyArg>,
        release_tags_only: Option<bool>,
    ) -> Result<Self> {
        let mut policy = PromotionPolicy::default();
        if let Some(namespace) = namespace {
            policy.namespace = namespace;
        }
        if let Some(template) = template {
            policy.template = template.parse()?;
        }
        if let Some(tags) = tags {
            policy.tags = tags.0;
        }
        if let Some(release_tags_only) = release_tags_only {
            policy.release_tags_only = release_tags_only;
        }
        Ok(PyPromotionPolicy(policy))
    }

    /// The policy of promoting into `environment` of `config`: its `registry_namespace`, the
    /// configured `promotion.template` and the `tags` policy. Raises `UnknownNameError` for an
    /// undeclared environment.
    #[staticmethod]
    fn from_config(config: &PyConfig, environment: &str) -> Result<Self> {
        Ok(PyPromotionPolicy(PromotionPolicy::from_config(
            &config.0,
            environment,
        )?))
    }

    /// The registry namespace promoted into (`prod`); `""` for the registry root.
    #[getter]
    fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The promotion template.
    #[getter]
    fn template(&self) -> &str {
        self.0.template.as_str()
    }

    /// The tag policy (mutable tags, the image tag template).
    #[getter]
    fn tags(&self) -> PyTagPolicy {
        PyTagPolicy(self.0.tags.clone())
    }

    /// Whether both tags must be release tags.
    #[getter]
    fn release_tags_only(&self) -> bool {
        self.0.release_tags_only
    }

    /// Checks a tag: `latest` and mutable tags raise `PolicyError` (`mutable_tag`); with
    /// `release_tags_only`, a tag that is not a release tag raises `TagError`. Returns the
    /// release version the tag names, `None` when it names none.
    fn check_tag(&self, tag: &str) -> Result<Option<PyReleaseVersion>> {
        Ok(self.0.check_tag(tag)?.map(PyReleaseVersion))
    }

    /// The request promoting `source` to `destination`, or, without one, to where the
    /// template and namespace send it. Both tags are checked (`check_tag`); a digest on the
    /// source becomes the expected digest; the destination names no digest and is not the
    /// source.
    #[pyo3(signature = (source, destination = None))]
    fn request(&self, source: &str, destination: Option<&str>) -> Result<PyPromoteRequest> {
        Ok(PyPromoteRequest(self.0.request(source, destination)?))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "PromotionPolicy",
            "namespace" => self.0.namespace.as_str(),
            "template" => self.0.template.as_str(),
            "release_tags_only" => self.0.release_tags_only,
        )
    }
}

/// The highest release among a repository's `tags` by SemVer precedence: tags that are not
/// release tags under `policy.image` (mutable tags, signature tags, other names) are ignored;
/// with a `{service}` in the image template only `service`'s tags count; pre-releases count
/// only with `include_prereleases`. `None` when there is none.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (tags, policy = None, service = None, include_prereleases = false))]
fn highest_release(
    tags: Strings,
    policy: Option<TagPolicyArg>,
    service: Option<&str>,
    include_prereleases: bool,
) -> Option<PyReleaseTag> {
    core::highest_release(&tags.0, &tag_policy(policy), service, include_prereleases)
        .map(PyReleaseTag)
}

// ---------------------------------------------------------------------------------------------
// The client

/// The progress callback of one promotion: each event is passed as the core's JSON; the first
/// exception it raises is kept and stops the promotion.
struct Progress {
    callback: Option<Py<PyAny>>,
    failure: Mutex<Option<PyErr>>,
    failed: tokio::sync::Notify,
}

impl Progress {
    fn new(callback: Option<Py<PyAny>>) -> Progress {
        Progress {
            callback,
            failure: Mutex::new(None),
            failed: tokio::sync::Notify::new(),
        }
    }

    fn failure(&self) -> std::sync::MutexGuard<'_, Option<PyErr>> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls the callback with the event (from whichever thread runs the promotion, holding
    /// the GIL for the call).
    fn report(&self, event: &ProgressEvent) {
        let Some(callback) = &self.callback else {
            return;
        };
        if self.failure().is_some() {
            return;
        }
        Python::attach(|py| {
            let called = JsonDict::of(py, event)
                .map_err(PyErr::from)
                .and_then(|dict| callback.call1(py, (dict,)).map(drop));
            if let Err(err) = called {
                *self.failure() = Some(err);
                self.failed.notify_one();
            }
        });
    }

    /// Runs the promotion until it ends or the callback fails; a failure of the callback wins
    /// (raised even when the promotion finished meanwhile).
    ///
    /// The failure is checked first at every wake-up (`biased`): the callback runs inside the
    /// promotion's own poll, so once it has failed the promotion is never polled again and
    /// starts no further request; in particular it cannot go on to write the tag. (Polled in
    /// random order, the promotion could take one more step first, and a request it sends
    /// then is carried out by the registry even though the future is dropped afterwards.)
    async fn run<F>(&self, promotion: F) -> Result<Promotion>
    where
        F: Future<Output = shiprail::Result<Promotion>>,
    {
        let outcome = tokio::select! {
            biased;
            () = self.failed.notified() => Err(BindingError::Python(
                pyo3::exceptions::PyRuntimeError::new_err("the progress callback failed"),
            )),
            out = promotion => out.map_err(BindingError::Core),
        };
        match self.failure().take() {
            Some(err) => Err(BindingError::Python(err)),
            None => outcome,
        }
    }
}

fn promotion_object(py: Python<'_>, promotion: Promotion) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyPromotion(promotion))?.into_any())
}

/// Chart push options from keywords; what is not given keeps the core's default.
fn push_options(
    py: Python<'_>,
    created: Option<TimeText>,
    force: bool,
    limits: Option<Section<'_>>,
) -> Result<ChartPushOptions> {
    Ok(ChartPushOptions {
        created: created.map(|c| c.0),
        force,
        limits: chart_limits(py, limits)?,
    })
}

/// A client for OCI registries (the Docker Registry HTTP API v2 / OCI distribution): lists
/// tags, resolves digests, deletes tags, promotes images, and pushes, pulls and lists Helm
/// charts.
///
/// Options: `ca_files` (PEM files trusted besides the system roots), `insecure` (hosts that
/// may be reached over plain HTTP when they do not speak TLS; loopback hosts always may),
/// `credentials` (a mapping of `host[:port]` to `Credentials`; a host listed there never
/// consults the docker config), `docker_config` (where other hosts' credentials come from;
/// default: the user's `config.json`, read when first needed), `retries` and `backoff`
/// (seconds, or a `timedelta`) for 5xx, 429, timeouts and dropped connections,
/// `concurrency` (blobs transferred at a time), `connect_timeout`, `read_timeout`. Omitted
/// options take the core's defaults.
///
/// Each operation blocks with the GIL released (Ctrl-C cancels it) and has an `..._async`
/// twin to `await` from asyncio. Failures raise `RegistryError` subclasses:
/// `RegistryAuthError`, `RegistryNotFoundError`, `RegistryTlsError`, `DigestMismatchError`,
/// `ClobberError`, `UnexpectedDigestError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, name = "RegistryClient", module = "shiprail._native")]
pub(crate) struct PyRegistryClient {
    client: Arc<RegistryClient>,
    /// The plain-HTTP hosts, for `repr()`.
    insecure: Vec<String>,
    /// Which credentials each listed host uses, described without the secret, for `repr()`.
    credentials: BTreeMap<String, String>,
}

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyRegistryClient {
    /// A client with the given options (see the class). Reads the CA files now: a missing one
    /// raises `IoError`, one without a certificate `RegistryTlsError`.
    #[new]
    #[pyo3(signature = (
        *,
        ca_files = None,
        insecure = None,
        credentials = None,
        docker_config = None,
        retries = None,
        backoff = None,
        concurrency = None,
        connect_timeout = None,
        read_timeout = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        ca_files: Option<Vec<PathArg>>,
        insecure: Option<Strings>,
        credentials: Option<BTreeMap<String, Bound<'_, PyCredentials>>>,
        docker_config: Option<Bound<'_, PyDockerConfig>>,
        retries: Option<u32>,
        backoff: Option<Seconds>,
        concurrency: Option<usize>,
        connect_timeout: Option<Seconds>,
        read_timeout: Option<Seconds>,
    ) -> Result<Self> {
        let mut options = RegistryOptions::default();
        if let Some(files) = ca_files {
            options.ca_files = files.into_iter().map(|f| f.0).collect();
        }
        if let Some(hosts) = insecure {
            options.insecure = hosts.0;
        }
        if let Some(credentials) = credentials {
            options.credentials = credentials
                .into_iter()
                .map(|(host, c)| (host, c.get().0.clone()))
                .collect();
        }
        options.docker_config = docker_config.map(|c| c.get().0.clone());
        if let Some(retries) = retries {
            options.retries = retries;
        }
        if let Some(backoff) = backoff {
            options.backoff = backoff.0;
        }
        if let Some(concurrency) = concurrency {
            options.concurrency = concurrency;
        }
        if let Some(timeout) = connect_timeout {
            options.connect_timeout = timeout.0;
        }
        if let Some(timeout) = read_timeout {
            options.read_timeout = timeout.0;
        }
        let insecure = options.insecure.clone();
        let credentials = options
            .credentials
            .iter()
            .map(|(host, c)| (host.clone(), c.describe()))
            .collect();
        let client = py.detach(|| RegistryClient::new(options))?;
        Ok(PyRegistryClient {
            client: Arc::new(client),
            insecure,
            credentials,
        })
    }

    /// Every tag of `repository` (its tag and digest are ignored), in the registry's order,
    /// following pagination.
    fn list_tags(&self, py: Python<'_>, repository: ImageArg) -> Result<Vec<String>> {
        let client = &self.client;
        block_on(
            py,
            async move { Ok(client.list_tags(&repository.0).await?) },
        )
    }

    /// `list_tags` for `await`.
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, builtins.list[builtins.str]]",
        imports = ("collections.abc", "typing", "builtins")
    ))]
    fn list_tags_async<'py>(
        &self,
        py: Python<'py>,
        repository: ImageArg,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        future_into_py(
            py,
            async move { Ok(client.list_tags(&repository.0).await?) },
            |py, tags| Ok(tags.into_pyobject(py)?.into_any().unbind()),
        )
    }

    /// The digest, media type and size of the manifest `image` names (by tag or digest).
    fn resolve(&self, py: Python<'_>, image: ImageArg) -> Result<PyResolved> {
        let client = &self.client;
        let resolved = block_on(py, async move { Ok(client.resolve(&image.0).await?) })?;
        Ok(PyResolved(resolved))
    }

    /// `resolve` for `await`.
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, Resolved]",
        imports = ("collections.abc", "typing")
    ))]
    fn resolve_async<'py>(&self, py: Python<'py>, image: ImageArg) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        future_into_py(
            py,
            async move { Ok(client.resolve(&image.0).await?) },
            |py, resolved| Ok(Py::new(py, PyResolved(resolved))?.into_any()),
        )
    }

    /// The highest release tag of `repository` (see the function `highest_release`), `None`
    /// when it has none.
    #[pyo3(signature = (repository, policy = None, service = None, include_prereleases = false))]
    fn highest_release(
        &self,
        py: Python<'_>,
        repository: ImageArg,
        policy: Option<TagPolicyArg>,
        service: Option<String>,
        include_prereleases: bool,
    ) -> Result<Option<PyReleaseTag>> {
        let client = &self.client;
        let policy = tag_policy(policy);
        let found = block_on(py, async move {
            Ok(client
                .highest_release(
                    &repository.0,
                    &policy,
                    service.as_deref(),
                    include_prereleases,
                )
                .await?)
        })?;
        Ok(found.map(PyReleaseTag))
    }

    /// `highest_release` for `await`.
    #[pyo3(signature = (repository, policy = None, service = None, include_prereleases = false))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, typing.Optional[ReleaseTag]]",
        imports = ("collections.abc", "typing")
    ))]
    fn highest_release_async<'py>(
        &self,
        py: Python<'py>,
        repository: ImageArg,
        policy: Option<TagPolicyArg>,
        service: Option<String>,
        include_prereleases: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        let policy = tag_policy(policy);
        future_into_py(
            py,
            async move {
                Ok(client
                    .highest_release(
                        &repository.0,
                        &policy,
                        service.as_deref(),
                        include_prereleases,
                    )
                    .await?)
            },
            |py, found| match found {
                Some(tag) => Ok(Py::new(py, PyReleaseTag(tag))?.into_any()),
                None => Ok(py.None()),
            },
        )
    }

    /// Deletes the tag of `image`: the tag alone where the registry can (OCI distribution
    /// 1.1), else its manifest, but only when no other tag names it (`RegistryError`
    /// otherwise, naming them).
    fn delete_tag(&self, py: Python<'_>, image: ImageArg) -> Result<PyDeletedTag> {
        let client = &self.client;
        let deleted = block_on(py, async move { Ok(client.delete_tag(&image.0).await?) })?;
        Ok(PyDeletedTag(deleted))
    }

    /// `delete_tag` for `await`.
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, DeletedTag]",
        imports = ("collections.abc", "typing")
    ))]
    fn delete_tag_async<'py>(
        &self,
        py: Python<'py>,
        image: ImageArg,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        future_into_py(
            py,
            async move { Ok(client.delete_tag(&image.0).await?) },
            |py, deleted| Ok(Py::new(py, PyDeletedTag(deleted))?.into_any()),
        )
    }

    /// Promotes `request.source` to `request.destination`: the digest never changes
    /// (manifests are copied byte for byte), blobs are skipped when present, mounted inside one
    /// registry and streamed between registries, signatures travel along, and the destination
    /// tag is written last. A destination tag naming another digest raises `ClobberError`
    /// unless `force`; a source that is not the expected digest `UnexpectedDigestError`.
    ///
    /// `progress`, when given, is called with each event as a dict (`{"event": "resolved" |
    /// "planned" | "blob_skipped" | "blob_mounted" | "blob_progress" | "blob_copied" |
    /// "manifest" | "tagged", ...}`), from the thread that runs the promotion; an exception
    /// it raises stops the promotion (no tag is written on an incomplete image) and is raised
    /// here.
    #[pyo3(signature = (request, *, progress = None))]
    fn promote(
        &self,
        py: Python<'_>,
        request: &PyPromoteRequest,
        #[gen_stub(override_type(
            type_repr = "typing.Optional[collections.abc.Callable[[builtins.dict[builtins.str, typing.Any]], object]]",
            imports = ("typing", "collections.abc", "builtins")
        ))]
        progress: Option<Py<PyAny>>,
    ) -> Result<PyPromotion> {
        let client = &self.client;
        let request = &request.0;
        let progress = Progress::new(progress);
        let promotion = block_on(py, async {
            let report = |event: &ProgressEvent| progress.report(event);
            progress.run(client.promote(request, &report)).await
        })?;
        Ok(PyPromotion(promotion))
    }

    /// `promote` for `await`: the promotion runs on the binding's runtime, and cancelling the
    /// awaitable stops it.
    #[pyo3(signature = (request, *, progress = None))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, Promotion]",
        imports = ("collections.abc", "typing")
    ))]
    fn promote_async<'py>(
        &self,
        py: Python<'py>,
        request: &PyPromoteRequest,
        #[gen_stub(override_type(
            type_repr = "typing.Optional[collections.abc.Callable[[builtins.dict[builtins.str, typing.Any]], object]]",
            imports = ("typing", "collections.abc", "builtins")
        ))]
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        let request = request.0.clone();
        let progress = Progress::new(progress);
        future_into_py(
            py,
            async move {
                let report = |event: &ProgressEvent| progress.report(event);
                progress.run(client.promote(&request, &report)).await
            },
            promotion_object,
        )
    }

    /// Pushes a packaged chart (`.tgz` bytes, a `ChartPackage` or the path of a `.tgz`) under
    /// `destination` (`oci://HOST/PATH`, no tag) as `helm push` does: repository
    /// `PATH/<name>`, tag the chart version with `+` written as `_`, Helm's config, layer and
    /// manifest. The archive is loaded with the loader's checks first (`limits` as
    /// `ChartArchive.default_limits()`), blobs go first and the tag last.
    ///
    /// `created` is the `org.opencontainers.image.created` annotation (an RFC 3339 `str` or
    /// an aware `datetime`; default `DEFAULT_CREATED`, so one archive gives one manifest
    /// digest). A tag that already names this archive is left alone (`already_pushed`);
    /// one naming anything else raises `ClobberError` unless `force`.
    #[pyo3(signature = (archive, destination, *, created = None, force = false, limits = None))]
    fn push_chart(
        &self,
        py: Python<'_>,
        archive: ChartData,
        destination: ChartRefArg,
        created: Option<TimeText>,
        force: bool,
        limits: Option<Section<'_>>,
    ) -> Result<PyChartPush> {
        let client = &self.client;
        let options = push_options(py, created, force, limits)?;
        let pushed = block_on(py, async move {
            let bytes = archive.into_bytes()?;
            Ok(client.push_chart(&bytes, &destination.0, &options).await?)
        })?;
        Ok(PyChartPush(pushed))
    }

    /// `push_chart` for `await`.
    #[pyo3(signature = (archive, destination, *, created = None, force = false, limits = None))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartPush]",
        imports = ("collections.abc", "typing")
    ))]
    fn push_chart_async<'py>(
        &self,
        py: Python<'py>,
        archive: ChartData,
        destination: ChartRefArg,
        created: Option<TimeText>,
        force: bool,
        limits: Option<Section<'py>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        let options = push_options(py, created, force, limits)?;
        future_into_py(
            py,
            async move {
                let bytes = archive.into_bytes()?;
                Ok(client.push_chart(&bytes, &destination.0, &options).await?)
            },
            |py, pushed| Ok(Py::new(py, PyChartPush(pushed))?.into_any()),
        )
    }

    /// Pulls the chart `reference` names (`oci://HOST/PATH/NAME`, optionally `:TAG`) at
    /// `version` (default: the tag, else the highest version, as `helm pull` does): the
    /// manifest and layer are checked against their digests, the archive loaded with the
    /// loader's checks (`limits`), and the chart inside must have the name and version asked
    /// for. An image is refused with `ChartError`; a missing version raises
    /// `RegistryNotFoundError`.
    #[pyo3(signature = (reference, version = None, *, limits = None))]
    fn pull_chart(
        &self,
        py: Python<'_>,
        reference: ChartRefArg,
        version: Option<String>,
        limits: Option<Section<'_>>,
    ) -> Result<PyChartPull> {
        let client = &self.client;
        let limits = chart_limits(py, limits)?;
        let pulled = block_on(py, async move {
            Ok(client
                .pull_chart(&reference.0, version.as_deref(), &limits)
                .await?)
        })?;
        Ok(PyChartPull(pulled))
    }

    /// `pull_chart` for `await`.
    #[pyo3(signature = (reference, version = None, *, limits = None))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartPull]",
        imports = ("collections.abc", "typing")
    ))]
    fn pull_chart_async<'py>(
        &self,
        py: Python<'py>,
        reference: ChartRefArg,
        version: Option<String>,
        limits: Option<Section<'py>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        let limits = chart_limits(py, limits)?;
        future_into_py(
            py,
            async move {
                Ok(client
                    .pull_chart(&reference.0, version.as_deref(), &limits)
                    .await?)
            },
            |py, pulled| Ok(Py::new(py, PyChartPull(pulled))?.into_any()),
        )
    }

    /// The chart versions in the repository `reference` names (`oci://HOST/PATH/NAME`; a tag
    /// is ignored), highest first, as Helm lists them (`chart_versions_from_tags`).
    fn chart_versions(&self, py: Python<'_>, reference: ChartRefArg) -> Result<Vec<String>> {
        let client = &self.client;
        block_on(
            py,
            async move { Ok(client.chart_versions(&reference.0).await?) },
        )
    }

    /// `chart_versions` for `await`.
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, builtins.list[builtins.str]]",
        imports = ("collections.abc", "typing", "builtins")
    ))]
    fn chart_versions_async<'py>(
        &self,
        py: Python<'py>,
        reference: ChartRefArg,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        future_into_py(
            py,
            async move { Ok(client.chart_versions(&reference.0).await?) },
            |py, versions| Ok(versions.into_pyobject(py)?.into_any().unbind()),
        )
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "RegistryClient",
            "insecure" => self.insecure.clone(),
            "credentials" => self.credentials.clone(),
        )
    }
}

/// Registers the registry classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDigest>()?;
    m.add_class::<PyPlatform>()?;
    m.add_class::<PyCredentials>()?;
    m.add_class::<PyDockerConfig>()?;
    m.add_class::<PyReleaseTag>()?;
    m.add_class::<PyResolved>()?;
    m.add_class::<PyDeletedTag>()?;
    m.add_class::<PyPromotion>()?;
    m.add_class::<PyPromoteRequest>()?;
    m.add_class::<PyPromotionPolicy>()?;
    m.add_class::<PyChartPush>()?;
    m.add_class::<PyChartPull>()?;
    m.add_class::<PyRegistryClient>()?;
    m.add_function(wrap_pyfunction!(highest_release, m)?)?;
    Ok(())
}
