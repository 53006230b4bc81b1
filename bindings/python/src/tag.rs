//! `shiprail.tag`: tag templates, the tag policy and the names derived from a release version.

use crate::conversions::{
    JsonDict, Section, Strings, VersionArg, hash_of, py_repr, repr_fields, section,
};
use crate::error::Result;
use crate::version::PyReleaseVersion;
use pyo3::prelude::*;
use pyo3::types::PyDict;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::tag::{self, ReleaseTags, TagPolicy, TagTemplate};

/// A naming template such as `{service}-v{version}`; raises `PatternError` when malformed.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "TagTemplate", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyTagTemplate(pub(crate) TagTemplate);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyTagTemplate {
    /// Parses a template: literal text with `{version}` once and `{service}` at most once.
    #[new]
    fn new(template: &str) -> Result<Self> {
        Ok(PyTagTemplate(template.parse()?))
    }

    /// Whether the template names the service.
    #[getter]
    fn has_service(&self) -> bool {
        self.0.has_service()
    }

    /// The tag of `service` at `version`.
    fn render(&self, service: &str, version: VersionArg) -> String {
        self.0.render(service, &version.0)
    }

    /// `(service or None, version)` read back from `tag`, or `None` when it does not fit.
    fn parse(&self, tag: &str) -> Option<(Option<String>, PyReleaseVersion)> {
        self.0
            .parse(tag)
            .map(|(service, version)| (service, PyReleaseVersion(version)))
    }

    /// The version of `tag` when it is the tag of `service`, or `None`.
    fn parse_for_service(&self, tag: &str, service: &str) -> Option<PyReleaseVersion> {
        self.0.parse_for_service(tag, service).map(PyReleaseVersion)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("TagTemplate({})", py_repr(py, self.0.to_string())?))
    }
}

/// Every name of one release: image tag, chart version and appVersion, git tag, chart OCI tag.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ReleaseTags", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReleaseTags(pub(crate) ReleaseTags);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyReleaseTags {
    /// The release version.
    #[getter]
    fn version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.version.clone())
    }

    /// The image tag (`v1.0.2`; build metadata's `+` mapped to `_`).
    #[getter]
    fn image_tag(&self) -> &str {
        &self.0.image_tag
    }

    /// The Helm chart `version` (`1.0.2`).
    #[getter]
    fn chart_version(&self) -> &str {
        &self.0.chart_version
    }

    /// The Helm chart `appVersion` (`1.0.2`).
    #[getter]
    fn app_version(&self) -> &str {
        &self.0.app_version
    }

    /// The git tag of the release (`delivery-v1.0.2`).
    #[getter]
    fn git_tag(&self) -> &str {
        &self.0.git_tag
    }

    /// The OCI tag the chart is pushed under (`+` mapped to `_`).
    #[getter]
    fn chart_oci_tag(&self) -> &str {
        &self.0.chart_oci_tag
    }

    /// `{"version", "image_tag", "chart_version", "app_version", "git_tag", "chart_oci_tag"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ReleaseTags",
            "version" => self.0.version.to_string(),
            "image_tag" => self.0.image_tag.as_str(),
            "chart_version" => self.0.chart_version.as_str(),
            "app_version" => self.0.app_version.as_str(),
            "git_tag" => self.0.git_tag.as_str(),
            "chart_oci_tag" => self.0.chart_oci_tag.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.version, &self.0.image_tag, &self.0.git_tag))
    }
}

/// The `tags:` section of `shiprail.yaml`: how a release's names follow from its version and
/// which tags are mutable.
///
/// `TagPolicy()` is the default; a mapping or keyword fields set keys as in the file
/// (`TagPolicy(git="{service}/v{version}")`). Like the core, construction does not run
/// `validate()`; `derive()` does.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "TagPolicy", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyTagPolicy(pub(crate) TagPolicy);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyTagPolicy {
    /// Builds the policy from a mapping and/or keyword fields (fields win).
    #[new]
    #[pyo3(signature = (policy = None, **fields))]
    fn new(
        py: Python<'_>,
        policy: Option<Section<'_>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> Result<Self> {
        Ok(PyTagPolicy(section(py, "tags policy", policy, fields)?))
    }

    /// The image tag template.
    #[getter]
    fn image(&self) -> PyTagTemplate {
        PyTagTemplate(self.0.image.clone())
    }

    /// The chart version template.
    #[getter]
    fn chart_version(&self) -> PyTagTemplate {
        PyTagTemplate(self.0.chart_version.clone())
    }

    /// The appVersion template.
    #[getter]
    fn app_version(&self) -> PyTagTemplate {
        PyTagTemplate(self.0.app_version.clone())
    }

    /// The git tag template.
    #[getter]
    fn git(&self) -> PyTagTemplate {
        PyTagTemplate(self.0.git.clone())
    }

    /// The mutable tags, refused everywhere (compared case-insensitively).
    #[getter]
    fn mutable(&self) -> Vec<String> {
        self.0.mutable.clone()
    }

    /// Checks what a template alone cannot; raises `ConfigError`.
    fn validate(&self) -> Result<()> {
        Ok(self.0.validate()?)
    }

    /// Raises `PolicyError` (`mutable_tag`) for a mutable tag.
    fn check_immutable(&self, tag: &str) -> Result<()> {
        Ok(self.0.check_immutable(tag)?)
    }

    /// Every name of the release of `service` at `version`.
    fn derive(&self, service: &str, version: VersionArg) -> Result<PyReleaseTags> {
        Ok(PyReleaseTags(self.0.derive(service, &version.0)?))
    }

    /// `(service, version)` of a git tag among the declared `services`.
    fn attribute(&self, tag: &str, services: Strings) -> Result<(String, PyReleaseVersion)> {
        let (service, version) = self.0.attribute(tag, &services.as_strs())?;
        Ok((service, PyReleaseVersion(version)))
    }

    /// The released versions of `service` among any `tags` (others ignored), ascending.
    fn released_versions(
        &self,
        service: &str,
        tags: Strings,
        services: Strings,
    ) -> Vec<PyReleaseVersion> {
        self.0
            .released_versions(service, &tags.as_strs(), &services.as_strs())
            .into_iter()
            .map(PyReleaseVersion)
            .collect()
    }

    /// The policy as the `tags:` section would be written, every key filled in.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let dict = JsonDict::of(py, &self.0)?;
        Ok(format!("TagPolicy({})", py_repr(py, dict)?))
    }
}

/// Helm's OCI tag for a chart version: `+` becomes `_` (`1.0.2+build.5` -> `1.0.2_build.5`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn chart_oci_tag(version: &str) -> String {
    tag::chart_oci_tag(version)
}

/// The inverse of `chart_oci_tag`: `_` becomes `+`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn chart_version_from_oci_tag(tag: &str) -> String {
    tag::chart_version_from_oci_tag(tag)
}

/// Registers the tag classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTagTemplate>()?;
    m.add_class::<PyReleaseTags>()?;
    m.add_class::<PyTagPolicy>()?;
    m.add_function(wrap_pyfunction!(chart_oci_tag, m)?)?;
    m.add_function(wrap_pyfunction!(chart_version_from_oci_tag, m)?)?;
    Ok(())
}
