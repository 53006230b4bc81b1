//! `shiprail.branch`: branch naming rules and classified branches.

use crate::conversions::{
    JsonDict, Section, Strings, VersionArg, hash_of, py_repr, repr_fields, section,
};
use crate::error::{BindingError, Result};
use pyo3::prelude::*;
use pyo3::types::PyDict;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pymethods};
use shiprail::branch::{Branch, BranchKind, BranchPattern, BranchRules};
use std::collections::BTreeMap;

/// The shape of one branch kind, e.g. `release/{service}/v{version}`; raises `PatternError`
/// when malformed.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "BranchPattern", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyBranchPattern(pub(crate) BranchPattern);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyBranchPattern {
    /// Parses a pattern: `/`-separated literals and `{service}`, `{topic}`, `{version}`.
    #[new]
    fn new(pattern: &str) -> Result<Self> {
        Ok(PyBranchPattern(pattern.parse()?))
    }

    /// Whether the pattern holds `{version}` (its branches carry a release version).
    #[getter]
    fn is_release_like(&self) -> bool {
        self.0.is_release_like()
    }

    /// Whether the pattern holds `{service}`.
    #[getter]
    fn has_service(&self) -> bool {
        self.0.has_service()
    }

    /// Whether the pattern holds `{topic}`.
    #[getter]
    fn has_topic(&self) -> bool {
        self.0.has_topic()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BranchPattern({})",
            py_repr(py, self.0.to_string())?
        ))
    }
}

/// A classified branch: what `BranchRules.classify` found in a ref.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Branch", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyBranch(pub(crate) Branch);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyBranch {
    /// The full ref, `refs/heads/<name>`, whatever form the input had.
    #[getter]
    #[pyo3(name = "ref")]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// The short branch name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The kind's name: `trunk`, `feature`, `topic`, `release` or a configured kind.
    #[getter]
    fn kind(&self) -> &str {
        self.0.kind.as_str()
    }

    /// The service, for kinds whose pattern holds `{service}`.
    #[getter]
    fn service(&self) -> Option<&str> {
        self.0.service.as_deref()
    }

    /// The release version, for release-like kinds.
    #[getter]
    fn version(&self) -> Option<crate::version::PyReleaseVersion> {
        self.0.version.clone().map(crate::version::PyReleaseVersion)
    }

    /// The topic (slashes included), for kinds whose pattern holds `{topic}`.
    #[getter]
    fn topic(&self) -> Option<&str> {
        self.0.topic.as_deref()
    }

    /// Whether the branch carries a release version.
    #[getter]
    fn is_release_like(&self) -> bool {
        self.0.is_release_like()
    }

    /// `{"ref", "name", "kind", "service", "version", "topic"}` with `None` for absent parts.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.name
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Branch",
            "ref" => self.0.reference.as_str(),
            "kind" => self.0.kind.as_str(),
            "service" => self.0.service.as_deref(),
            "version" => self.0.version.as_ref().map(ToString::to_string),
            "topic" => self.0.topic.as_deref(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.reference, &self.0.kind, &self.0.version))
    }
}

/// The branch naming rules: the `branches:` section of `shiprail.yaml`.
///
/// `BranchRules()` is the default (trunk `main`/`master`; `feature/{service}/{topic}`,
/// `topic/{service}/{topic}`, `release/{service}/v{version}`). A mapping or keyword fields set
/// keys as in the file: `kinds` merge with the defaults by name (`None` removes one), `trunk`
/// replaces the list. Like the core, construction does not run `validate()`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "BranchRules", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyBranchRules(pub(crate) BranchRules);

/// The `services` argument of classification: `None` accepts any well-formed service name.
fn service_list(services: &Option<Strings>) -> Option<Vec<&str>> {
    services.as_ref().map(Strings::as_strs)
}

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyBranchRules {
    /// Builds the rules from a mapping and/or keyword fields (fields win).
    #[new]
    #[pyo3(signature = (rules = None, **fields))]
    fn new(
        py: Python<'_>,
        rules: Option<Section<'_>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> Result<Self> {
        Ok(PyBranchRules(section(py, "branch rules", rules, fields)?))
    }

    /// The trunk branch names.
    #[getter]
    fn trunk(&self) -> Vec<String> {
        self.0.trunk.clone()
    }

    /// The kinds by name, each pattern as written.
    #[getter]
    fn kinds(&self) -> BTreeMap<String, String> {
        self.0
            .kinds
            .iter()
            .map(|(k, p)| (k.to_string(), p.to_string()))
            .collect()
    }

    /// The pattern of `kind`, or `None` (always for the trunk).
    fn pattern(&self, kind: &str) -> Result<Option<PyBranchPattern>> {
        let kind: BranchKind = kind.parse()?;
        Ok(self.0.pattern(&kind).cloned().map(PyBranchPattern))
    }

    /// Whether branches of `kind` carry a release version.
    fn is_release_like(&self, kind: &str) -> Result<bool> {
        Ok(self.0.is_release_like(&kind.parse()?))
    }

    /// Classifies a short branch name or `refs/heads/...`; `services` (when given) must
    /// declare the branch's service. Raises `BranchError`, or `UnknownNameError` for an
    /// undeclared service.
    #[pyo3(signature = (reference, services = None))]
    fn classify(&self, reference: &str, services: Option<Strings>) -> Result<PyBranch> {
        let services = service_list(&services);
        Ok(PyBranch(self.0.classify(reference, services.as_deref())?))
    }

    /// Classifies many refs in one call: one result per ref, in order, each a `Branch` or the
    /// `ShiprailError` that `classify` would raise for it (refs listed by git are often not
    /// branches of any kind, so errors are values here, as in `asyncio.gather(...,
    /// return_exceptions=True)`).
    #[pyo3(signature = (references, services = None))]
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[Branch | exceptions.ShiprailError]",
        imports = ("builtins", "shiprail.exceptions")
    ))]
    fn classify_many(
        &self,
        py: Python<'_>,
        references: Strings,
        services: Option<Strings>,
    ) -> Result<Vec<Py<PyAny>>> {
        let services = service_list(&services);
        references
            .0
            .iter()
            .map(|r| match self.0.classify(r, services.as_deref()) {
                Ok(branch) => Ok(Py::new(py, PyBranch(branch))?.into_any()),
                Err(err) => Ok(PyErr::from(BindingError::Core(err))
                    .into_value(py)
                    .into_any()),
            })
            .collect()
    }

    /// The release branch of `service` at `version` (`release/delivery/v1.0.2`).
    fn release_branch(&self, service: &str, version: VersionArg) -> Result<String> {
        Ok(self.0.release_branch(service, &version.0)?)
    }

    /// Renders a branch name of `kind` from placeholder values; values the pattern does not
    /// use are ignored, a missing one raises `PatternError`.
    #[pyo3(signature = (kind, service = None, topic = None, version = None))]
    fn render(
        &self,
        kind: &str,
        service: Option<&str>,
        topic: Option<&str>,
        version: Option<VersionArg>,
    ) -> Result<String> {
        let kind: BranchKind = kind.parse()?;
        let version = version.map(|v| v.0);
        Ok(self.0.render(&kind, service, topic, version.as_ref())?)
    }

    /// Checks the rules for contradictions; raises `ConfigError`.
    fn validate(&self) -> Result<()> {
        Ok(self.0.validate()?)
    }

    /// The rules as the `branches:` section would be written (removed defaults as `None`).
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let dict = JsonDict::of(py, &self.0)?;
        Ok(format!("BranchRules({})", py_repr(py, dict)?))
    }
}

/// Registers the branch classes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBranchPattern>()?;
    m.add_class::<PyBranch>()?;
    m.add_class::<PyBranchRules>()?;
    Ok(())
}
