//! `shiprail.image`: container image references and promotion targets.

use crate::conversions::{JsonDict, Strings, py_repr};
use crate::error::Result;
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::image::{self, ImageReference, PromotionTemplate};

/// A container image reference, `registry/path[:tag][@digest]`, normalised the way Docker
/// does (`ubuntu` is `docker.io/library/ubuntu`); raises `ImageError` when invalid.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "ImageReference", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyImageReference(pub(crate) ImageReference);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyImageReference {
    /// Parses a reference with Docker's grammar.
    #[new]
    fn new(reference: &str) -> Result<Self> {
        Ok(PyImageReference(reference.parse()?))
    }

    /// The registry host with its port (`docker.io`, `127.0.0.1:5000`).
    #[getter]
    fn registry(&self) -> &str {
        self.0.registry()
    }

    /// The path inside the registry (`library/ubuntu`, `prod/delivery`).
    #[getter]
    fn repository(&self) -> &str {
        self.0.repository()
    }

    /// The last path component (`delivery`).
    #[getter]
    fn name(&self) -> &str {
        self.0.name()
    }

    /// The path before the name (`prod`), `""` when there is none.
    #[getter]
    fn namespace(&self) -> &str {
        self.0.namespace()
    }

    /// The tag, or `None`; never defaulted to `latest`.
    #[getter]
    fn tag(&self) -> Option<&str> {
        self.0.tag()
    }

    /// The digest (`sha256:...`), or `None`.
    #[getter]
    fn digest(&self) -> Option<&str> {
        self.0.digest()
    }

    /// `registry/repository`, without tag or digest.
    #[getter]
    fn full_name(&self) -> String {
        self.0.full_name()
    }

    /// The short form Docker prints (`ubuntu:22.04`); parses back to an equal reference.
    #[getter]
    fn familiar(&self) -> String {
        self.0.familiar()
    }

    /// `{"registry", "repository", "name", "namespace", "tag", "digest", "full", "familiar"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.parts())
    }

    /// The same reference with `tag` (replacing any, keeping any digest).
    fn with_tag(&self, tag: &str) -> Result<Self> {
        Ok(PyImageReference(self.0.with_tag(tag)?))
    }

    /// The same reference without a tag.
    fn without_tag(&self) -> Self {
        PyImageReference(self.0.without_tag())
    }

    /// The same reference pinned to `digest` (`algorithm:hex`), keeping any tag.
    fn with_digest(&self, digest: &str) -> Result<Self> {
        Ok(PyImageReference(self.0.with_digest(digest)?))
    }

    /// The same reference without its digest.
    fn without_digest(&self) -> Self {
        PyImageReference(self.0.without_digest())
    }

    /// The same reference on the same registry with path `repository`.
    fn with_repository(&self, repository: &str) -> Result<Self> {
        Ok(PyImageReference(self.0.with_repository(repository)?))
    }

    /// Where this image goes when promoted into registry namespace `namespace` (`prod`; `""`
    /// for the registry root) by `template` (default `{registry}/{namespace}/{name}:{tag}`).
    #[pyo3(signature = (namespace, template = None))]
    fn promotion_target(&self, namespace: &str, template: Option<&str>) -> Result<Self> {
        let template: PromotionTemplate = match template {
            Some(text) => text.parse()?,
            None => PromotionTemplate::default(),
        };
        Ok(PyImageReference(
            self.0.promotion_target(&template, namespace)?,
        ))
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ImageReference({})",
            py_repr(py, self.0.to_string())?
        ))
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[ImageReference], tuple[builtins.str]]",
        imports = ("builtins")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((slf.get_type(), args))
    }
}

/// Parses many references in one call; raises on the first invalid one.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_images(references: Strings) -> Result<Vec<PyImageReference>> {
    references
        .0
        .iter()
        .map(|r| Ok(PyImageReference(r.parse()?)))
        .collect()
}

/// Registers the image classes, functions and constants.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyImageReference>()?;
    m.add_function(wrap_pyfunction!(parse_images, m)?)?;
    m.add(
        "DEFAULT_PROMOTION_TEMPLATE",
        image::DEFAULT_PROMOTION_TEMPLATE,
    )?;
    m.add("DOCKER_HUB", image::DOCKER_HUB)?;
    m.add("MAX_NAME_LEN", image::MAX_NAME_LEN)?;
    m.add("MAX_TAG_LEN", image::MAX_TAG_LEN)?;
    Ok(())
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "DEFAULT_PROMOTION_TEMPLATE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "DOCKER_HUB", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "MAX_NAME_LEN", usize);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "MAX_TAG_LEN", usize);
