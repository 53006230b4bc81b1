//! `shiprail.version`: release versions, the version policy and the next version.

use crate::conversions::{
    JsonDict, Section, Strings, VersionArg, Versions, hash_of, repr_fields, section,
};
use crate::error::Result;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::version::{self, Bump, NextVersion, PrereleaseLabel, ReleaseVersion, VersionPolicy};

/// A release version: strict SemVer 2.0 (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`).
///
/// `ReleaseVersion("v1.0.2")` accepts a leading `v` and drops it: `str()` gives `1.0.2`.
/// Versions order by SemVer precedence, with build metadata as the last tie-breaker, so
/// `sorted()` is total and consistent with `==`; `cmp_precedence` ignores build metadata.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(
    frozen,
    eq,
    hash,
    ord,
    name = "ReleaseVersion",
    module = "shiprail._native"
)]
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PyReleaseVersion(pub(crate) ReleaseVersion);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyReleaseVersion {
    /// Parses strict SemVer 2.0 with an optional `v` prefix; raises `VersionError`.
    #[new]
    fn new(version: &str) -> Result<Self> {
        Ok(PyReleaseVersion(version.parse()?))
    }

    /// The major version number.
    #[getter]
    fn major(&self) -> u64 {
        self.0.semver().major
    }

    /// The minor version number.
    #[getter]
    fn minor(&self) -> u64 {
        self.0.semver().minor
    }

    /// The patch version number.
    #[getter]
    fn patch(&self) -> u64 {
        self.0.semver().patch
    }

    /// The pre-release identifiers (`rc.1`), or `""` for a stable version.
    #[getter]
    fn prerelease(&self) -> &str {
        self.0.semver().pre.as_str()
    }

    /// The build metadata (`sha.abc1234`), or `""` when there is none.
    #[getter]
    fn build(&self) -> &str {
        self.0.semver().build.as_str()
    }

    /// Whether this is a pre-release (`1.0.3-rc.1`).
    #[getter]
    fn is_prerelease(&self) -> bool {
        self.0.is_prerelease()
    }

    /// The version with a `v` in front (`v1.0.2`).
    fn with_v(&self) -> String {
        self.0.with_v()
    }

    /// `MAJOR.MINOR.PATCH` alone: the release a pre-release leads to.
    fn base(&self) -> Self {
        PyReleaseVersion(self.0.base())
    }

    /// The version without build metadata.
    fn without_build(&self) -> Self {
        PyReleaseVersion(self.0.without_build())
    }

    /// SemVer precedence against `other`: -1, 0 or 1; build metadata is ignored.
    fn cmp_precedence(&self, other: VersionArg) -> i8 {
        self.0.cmp_precedence(&other.0) as i8
    }

    /// The smallest version of level `bump` (`none`, `patch`, `minor`, `major`) above this one.
    fn bump(&self, bump: &str) -> Result<Self> {
        Ok(PyReleaseVersion(self.0.bump(bump.parse::<Bump>()?)?))
    }

    /// The next pre-release with `label` (`1.0.3-rc.1` -> `1.0.3-rc.2`, `1.0.2` -> `1.0.3-rc.0`);
    /// `None` is the default label (`rc`).
    #[pyo3(signature = (label = None))]
    fn next_prerelease(&self, label: Option<&str>) -> Result<Self> {
        let default = PrereleaseLabel::default();
        let label = label.unwrap_or(default.as_str());
        Ok(PyReleaseVersion(self.0.next_prerelease(label)?))
    }

    /// This version with build metadata `build` (replacing any).
    fn with_build(&self, build: &str) -> Result<Self> {
        Ok(PyReleaseVersion(self.0.with_build(build)?))
    }

    /// This version with build metadata `sha.<commit>` (7 to 40 hex digits, lower-cased).
    fn with_commit(&self, commit: &str) -> Result<Self> {
        Ok(PyReleaseVersion(self.0.with_commit(commit)?))
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("ReleaseVersion('{}')", self.0)
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[ReleaseVersion], tuple[builtins.str]]",
        imports = ("builtins")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((slf.get_type(), args))
    }
}

/// The `versioning:` section of `shiprail.yaml`: how versions are written, labelled, started
/// and bumped.
///
/// `VersionPolicy()` is the default; `VersionPolicy({"v_prefix": "require"})` or
/// `VersionPolicy(v_prefix="require")` set keys as in the file (unknown keys raise
/// `ConfigError`). Like the core, construction does not run `validate()`; `next()` does.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "VersionPolicy", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyVersionPolicy(pub(crate) VersionPolicy);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyVersionPolicy {
    /// Builds the policy from a mapping and/or keyword fields (fields win).
    #[new]
    #[pyo3(signature = (policy = None, **fields))]
    fn new(
        py: Python<'_>,
        policy: Option<Section<'_>>,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> Result<Self> {
        Ok(PyVersionPolicy(section(
            py,
            "versioning policy",
            policy,
            fields,
        )?))
    }

    /// How a written version may be prefixed with `v`: `accept`, `require` or `forbid`.
    #[getter]
    fn v_prefix(&self) -> &'static str {
        self.0.v_prefix.as_str()
    }

    /// The pre-release label (`rc`).
    #[getter]
    fn prerelease_label(&self) -> &str {
        self.0.prerelease_label.as_str()
    }

    /// The first release of a service that has none.
    #[getter]
    fn initial_version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.initial_version.clone())
    }

    /// The bump of a commit that is not a conventional commit: `none` or `patch`.
    #[getter]
    fn other(&self) -> &'static str {
        self.0.other.as_str()
    }

    /// Parses a version written in a branch, tag or input, applying `v_prefix`.
    fn parse(&self, version: &str) -> Result<PyReleaseVersion> {
        Ok(PyReleaseVersion(self.0.parse(version)?))
    }

    /// Checks what the schema cannot; raises `ConfigError`.
    fn validate(&self) -> Result<()> {
        Ok(self.0.validate()?)
    }

    /// The bump one commit message calls for: `none`, `patch`, `minor` or `major`.
    fn bump_for_commit(&self, message: &str) -> &'static str {
        self.0.bump_for_commit(message).as_str()
    }

    /// The largest bump the commit messages call for (`none` for no messages).
    fn bump_for_commits(&self, messages: Strings) -> &'static str {
        self.0.bump_for_commits(&messages.as_strs()).as_str()
    }

    /// The bump actually applied to `base` (the pre-1.0 rules map major and minor on 0.x).
    fn effective_bump(&self, base: VersionArg, bump: &str) -> Result<&'static str> {
        Ok(self.0.effective_bump(&base.0, bump.parse()?).as_str())
    }

    /// The next version from the released versions and the commit messages since the last
    /// release; `prerelease=True` asks for `X.Y.Z-<label>.N`.
    #[pyo3(signature = (released, commits, prerelease = false))]
    fn next(
        &self,
        released: Versions,
        commits: Strings,
        prerelease: bool,
    ) -> Result<PyNextVersion> {
        Ok(PyNextVersion(self.0.next(
            &released.0,
            &commits.as_strs(),
            prerelease,
        )?))
    }

    /// The policy as the `versioning:` section would be written, every key filled in.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let dict = JsonDict::of(py, &self.0)?;
        Ok(format!(
            "VersionPolicy({})",
            crate::conversions::py_repr(py, dict)?
        ))
    }
}

/// The outcome of `VersionPolicy.next`: the highest released version (`None` for a service
/// never released), the bump applied, and the next version (`None` when the commits call for
/// no release).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "NextVersion", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyNextVersion(pub(crate) NextVersion);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyNextVersion {
    /// The highest released version, pre-releases included.
    #[getter]
    fn current(&self) -> Option<PyReleaseVersion> {
        self.0.current.clone().map(PyReleaseVersion)
    }

    /// The bump applied: `none`, `patch`, `minor` or `major`.
    #[getter]
    fn bump(&self) -> &'static str {
        self.0.bump.as_str()
    }

    /// The next version, or `None` when no commit calls for a release.
    #[getter]
    fn next(&self) -> Option<PyReleaseVersion> {
        self.0.next.clone().map(PyReleaseVersion)
    }

    /// `{"current", "bump", "next"}`, versions as strings.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "NextVersion",
            "current" => self.0.current.as_ref().map(ToString::to_string),
            "bump" => self.0.bump.as_str(),
            "next" => self.0.next.as_ref().map(ToString::to_string),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.current, self.0.bump, &self.0.next))
    }
}

/// Parses many versions in one call (`ReleaseVersion` or `str` each); raises on the first
/// invalid one.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_versions(versions: Versions) -> Vec<PyReleaseVersion> {
    versions.0.into_iter().map(PyReleaseVersion).collect()
}

/// Parses and sorts many versions in one call, lowest first, by the order of `ReleaseVersion`
/// (SemVer precedence, build metadata last).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn sort_versions(versions: Versions) -> Vec<PyReleaseVersion> {
    let mut versions = versions.0;
    versions.sort();
    versions.into_iter().map(PyReleaseVersion).collect()
}

/// The largest bump conventional commit messages call for under the default policy.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn bump_for_commits(messages: Strings) -> &'static str {
    version::bump_for_commits(&messages.as_strs()).as_str()
}

/// Raises `PolicyError` (`version_not_higher`) unless `new` is strictly higher, by SemVer
/// precedence, than every version in `released`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn ensure_higher(new: VersionArg, released: Versions) -> Result<()> {
    Ok(version::ensure_higher(&new.0, &released.0)?)
}

/// Registers the version classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReleaseVersion>()?;
    m.add_class::<PyVersionPolicy>()?;
    m.add_class::<PyNextVersion>()?;
    m.add_function(wrap_pyfunction!(parse_versions, m)?)?;
    m.add_function(wrap_pyfunction!(sort_versions, m)?)?;
    m.add_function(wrap_pyfunction!(bump_for_commits, m)?)?;
    m.add_function(wrap_pyfunction!(ensure_higher, m)?)?;
    Ok(())
}
