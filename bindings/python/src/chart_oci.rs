//! `shiprail.chart_oci`: Helm charts as OCI artifacts, the offline half (core `chart::oci`).
//!
//! `ChartReference` is an `oci://HOST[:PORT]/PATH[:TAG]` location; `chart_versions_from_tags`,
//! `helm_config_json`, `helm_annotations`, `helm_manifest_json`, `rfc3339_utc` and
//! `check_created` are what `helm push` writes and `helm` lists, byte for byte. The network
//! half (`RegistryClient.push_chart`, `pull_chart`, `chart_versions` and their results) is in
//! `registry`.

use crate::chart::PyChartMetadata;
use crate::conversions::{Data, Strings, py_repr};
use crate::error::Result;
use crate::image::PyImageReference;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple, PyType};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::chart::{self as core, ChartReference};
use std::collections::BTreeMap;

/// Where a chart lives in an OCI registry: `oci://HOST[:PORT]/PATH[:TAG]`; raises
/// `ImageError` when malformed.
///
/// For a push the path is where charts go (`oci://myrepo.azurecr.io/helm`; it may be empty)
/// and the chart name is appended; for a pull or a version listing it ends with the chart name
/// (`oci://myrepo.azurecr.io/helm/delivery`). The host must read as a registry host
/// (`localhost`, or with a `.` or a `:`); digests (`@sha256:`) are not supported. Compares and
/// hashes as its parts; `str()` is the `oci://` form.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "ChartReference", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyChartReference(pub(crate) ChartReference);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartReference {
    /// Parses a reference.
    #[new]
    fn new(text: &str) -> Result<Self> {
        Ok(PyChartReference(text.parse()?))
    }

    /// The registry host (`myrepo.azurecr.io`, `127.0.0.1:5000`).
    #[getter]
    fn registry(&self) -> &str {
        self.0.registry()
    }

    /// The repository path (`helm/delivery`); `""` for `oci://HOST`.
    #[getter]
    fn repository(&self) -> &str {
        self.0.repository()
    }

    /// The tag after `:` in the last path component, `None` without one.
    #[getter]
    fn tag(&self) -> Option<&str> {
        self.0.tag()
    }

    /// The last path component: the chart name of a pull reference.
    #[getter]
    fn name(&self) -> &str {
        self.0.name()
    }

    /// The same location without its tag.
    fn without_tag(&self) -> Self {
        PyChartReference(self.0.without_tag())
    }

    /// The reference of chart `name` under this location (where a push writes): the path
    /// with `/name` appended, no tag. Raises `ImageError` when the result breaks the
    /// repository rules.
    fn join(&self, name: &str) -> Result<Self> {
        Ok(PyChartReference(self.0.join(name)?))
    }

    /// The reference with the tag of chart version `version` (`+` written as `_`, as
    /// `chart_oci_tag` does). Raises `ImageError` when that is not a valid OCI tag.
    fn with_version(&self, version: &str) -> Result<Self> {
        Ok(PyChartReference(self.0.with_version(version)?))
    }

    /// The repository as an `ImageReference` (with the tag, when there is one). Raises
    /// `ImageError` for a reference without a path.
    fn image(&self) -> Result<PyImageReference> {
        Ok(PyImageReference(self.0.image()?))
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ChartReference({})",
            py_repr(py, self.0.to_string())?
        ))
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[ChartReference], tuple[builtins.str]]",
        imports = ("builtins")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((slf.get_type(), args))
    }
}

/// The chart versions among a repository's `tags`, highest first, as Helm lists them: each
/// tag with `_` read as `+`, kept when it is strict SemVer (`1.0.2`, `1.0.2_build.5`; not
/// `v1.0.2`, not `latest`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn chart_versions_from_tags(tags: Strings) -> Vec<String> {
    core::chart_versions_from_tags(&tags.0)
}

/// The config blob `helm push` writes for a chart: its metadata as JSON bytes, with Helm's
/// field names and order, empty fields left out, fields Helm does not know dropped, strings
/// sanitized as Helm's loader does and Go's escaping (`<` is `\u003c`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn helm_config_json<'py>(py: Python<'py>, metadata: &PyChartMetadata) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &core::helm_config_json(&metadata.0))
}

/// The manifest annotations `helm push` writes (`org.opencontainers.image.title`, `version`,
/// `description`, `url`, `source`, `authors`, `created`, then the chart's own annotations,
/// which may replace any but title and version). `created` is written as given (`None`:
/// `DEFAULT_CREATED`, as `push_chart` does); `check_created` checks one.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (metadata, created = None))]
fn helm_annotations(metadata: &PyChartMetadata, created: Option<&str>) -> BTreeMap<String, String> {
    core::helm_annotations(&metadata.0, created.unwrap_or(core::DEFAULT_CREATED))
}

/// The manifest of a chart as Helm writes it (an OCI image manifest without a `mediaType`
/// field), for the `config` blob, the `chart` archive and the manifest `annotations`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn helm_manifest_json<'py>(
    py: Python<'py>,
    config: Data<'py>,
    chart: Data<'py>,
    annotations: BTreeMap<String, String>,
) -> Bound<'py, PyBytes> {
    PyBytes::new(
        py,
        &core::helm_manifest_json(config.as_bytes(), chart.as_bytes(), &annotations),
    )
}

/// `seconds` after the Unix epoch as RFC 3339 in UTC (`2024-05-01T12:00:00Z`), the form of
/// `org.opencontainers.image.created` (the CLI's default: `$SOURCE_DATE_EPOCH`, else 0).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn rfc3339_utc(seconds: u64) -> String {
    core::rfc3339_utc(seconds)
}

/// Checks that `created` is an RFC 3339 date-time (`2024-05-01T12:00:00Z`, an offset or a
/// fraction allowed); raises `ChartError` (`invalid_chart`) otherwise.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn check_created(created: &str) -> Result<()> {
    Ok(core::check_created(created)?)
}

/// Registers the chart OCI classes, functions and media-type constants.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyChartReference>()?;
    m.add_function(wrap_pyfunction!(chart_versions_from_tags, m)?)?;
    m.add_function(wrap_pyfunction!(helm_config_json, m)?)?;
    m.add_function(wrap_pyfunction!(helm_annotations, m)?)?;
    m.add_function(wrap_pyfunction!(helm_manifest_json, m)?)?;
    m.add_function(wrap_pyfunction!(rfc3339_utc, m)?)?;
    m.add_function(wrap_pyfunction!(check_created, m)?)?;
    m.add("HELM_CONFIG_MEDIA_TYPE", core::HELM_CONFIG_MEDIA_TYPE)?;
    m.add(
        "HELM_CHART_LAYER_MEDIA_TYPE",
        core::HELM_CHART_LAYER_MEDIA_TYPE,
    )?;
    m.add(
        "HELM_LEGACY_CHART_LAYER_MEDIA_TYPE",
        core::HELM_LEGACY_CHART_LAYER_MEDIA_TYPE,
    )?;
    m.add(
        "HELM_PROV_LAYER_MEDIA_TYPE",
        core::HELM_PROV_LAYER_MEDIA_TYPE,
    )?;
    m.add("OCI_MANIFEST_MEDIA_TYPE", core::OCI_MANIFEST_MEDIA_TYPE)?;
    m.add("DEFAULT_CREATED", core::DEFAULT_CREATED)?;
    Ok(())
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "HELM_CONFIG_MEDIA_TYPE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "HELM_CHART_LAYER_MEDIA_TYPE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!(
    "shiprail._native",
    "HELM_LEGACY_CHART_LAYER_MEDIA_TYPE",
    &str
);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "HELM_PROV_LAYER_MEDIA_TYPE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "OCI_MANIFEST_MEDIA_TYPE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "DEFAULT_CREATED", &str);
