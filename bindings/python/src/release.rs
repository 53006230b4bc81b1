//! `shiprail.release`: the answers `Config` gives (a release, a next release, a promotion
//! target) and the helpers that split git's output into the lists they take.

use crate::branch::PyBranch;
use crate::conversions::{JsonDict, hash_of, repr_fields};
use crate::error::Result;
use crate::tag::PyReleaseTags;
use crate::version::PyReleaseVersion;
use pyo3::prelude::*;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::release::{self, NextRelease, PromotionTarget, Release};

/// What a release branch releases: the service, the classified branch and every tag.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Release", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyRelease(pub(crate) Release);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyRelease {
    /// The service released.
    #[getter]
    fn service(&self) -> &str {
        &self.0.service
    }

    /// The classified release branch.
    #[getter]
    fn branch(&self) -> PyBranch {
        PyBranch(self.0.branch.clone())
    }

    /// The version and every name derived from it.
    #[getter]
    fn tags(&self) -> PyReleaseTags {
        PyReleaseTags(self.0.tags.clone())
    }

    /// The release version (`tags.version`).
    #[getter]
    fn version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.tags.version.clone())
    }

    /// `{"service", "branch": {...}, "version", "image_tag", ...}`: the tags flattened in, as
    /// `shiprail version` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Release",
            "service" => self.0.service.as_str(),
            "branch" => self.0.branch.name.as_str(),
            "version" => self.0.tags.version.to_string(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(
            &self.0.service,
            &self.0.branch.reference,
            &self.0.tags.version,
        ))
    }
}

/// The next version of a service, with the tags it would get.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "NextRelease", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyNextRelease(pub(crate) NextRelease);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyNextRelease {
    /// The service.
    #[getter]
    fn service(&self) -> &str {
        &self.0.service
    }

    /// The highest released version, or `None` for a service never released.
    #[getter]
    fn current(&self) -> Option<PyReleaseVersion> {
        self.0.next.current.clone().map(PyReleaseVersion)
    }

    /// The bump applied: `none`, `patch`, `minor` or `major`.
    #[getter]
    fn bump(&self) -> &'static str {
        self.0.next.bump.as_str()
    }

    /// The next version, or `None` when no commit calls for a release.
    #[getter]
    fn next(&self) -> Option<PyReleaseVersion> {
        self.0.next.next.clone().map(PyReleaseVersion)
    }

    /// The tags of the next version, when there is one.
    #[getter]
    fn tags(&self) -> Option<PyReleaseTags> {
        self.0.tags.clone().map(PyReleaseTags)
    }

    /// `{"service", "current", "bump", "next", "tags"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> String {
        format!("{}: {}", self.0.service, self.0.next)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "NextRelease",
            "service" => self.0.service.as_str(),
            "current" => self.0.next.current.as_ref().map(ToString::to_string),
            "bump" => self.0.next.bump.as_str(),
            "next" => self.0.next.next.as_ref().map(ToString::to_string),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.service, &self.0.next.current, &self.0.next.next))
    }
}

/// Where an image goes when it is promoted into an environment.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "PromotionTarget", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyPromotionTarget(pub(crate) PromotionTarget);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyPromotionTarget {
    /// The source reference, normalised.
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }

    /// The destination reference.
    #[getter]
    fn target(&self) -> &str {
        &self.0.target
    }

    /// The environment promoted into.
    #[getter]
    fn environment(&self) -> &str {
        &self.0.environment
    }

    /// The environment's registry namespace.
    #[getter]
    fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// `{"source", "target", "environment", "namespace"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.target
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "PromotionTarget",
            "source" => self.0.source.as_str(),
            "target" => self.0.target.as_str(),
            "environment" => self.0.environment.as_str(),
            "namespace" => self.0.namespace.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.source, &self.0.target, &self.0.environment))
    }
}

/// Splits commit messages as `git log --format=%B%x00` prints them (NUL-separated; without a
/// NUL, one message a line); empty messages are dropped.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn split_commit_messages(text: &str) -> Vec<&str> {
    release::split_commit_messages(text)
}

/// Splits a list given one item a line (as `git tag` prints it), trimmed, blank lines dropped.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn split_lines(text: &str) -> Vec<&str> {
    release::split_lines(text)
}

/// Registers the release classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRelease>()?;
    m.add_class::<PyNextRelease>()?;
    m.add_class::<PyPromotionTarget>()?;
    m.add_function(wrap_pyfunction!(split_commit_messages, m)?)?;
    m.add_function(wrap_pyfunction!(split_lines, m)?)?;
    Ok(())
}
