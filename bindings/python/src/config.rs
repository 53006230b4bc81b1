//! `shiprail.config`: `shiprail.yaml`, and the release questions answered from it.

use crate::branch::{PyBranch, PyBranchRules};
use crate::conversions::{Changes, JsonDict, PathArg, Strings, YamlText, repr_fields};
use crate::error::{BindingError, Result};
use crate::release::{PyNextRelease, PyPromotionTarget, PyRelease};
use crate::tag::PyTagPolicy;
use crate::version::PyVersionPolicy;
use pyo3::prelude::*;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pymethods};
use shiprail::config::{self, Config};

/// A validated `shiprail.yaml`: services, branch rules, version and tag policies, promotion,
/// environments.
///
/// Load it with `Config.load(path)` or `Config.from_yaml(text)` (JSON is YAML too, so
/// `Config.from_yaml(json.dumps(data))` builds one from Python data); errors are `ConfigError`
/// with `file`, `line` and `column`. `Config.default()` is the scenario's rules with no
/// services declared (any well-formed service name is accepted).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Config", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyConfig(pub(crate) Config);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyConfig {
    /// Reads and validates a configuration file.
    #[staticmethod]
    fn load(path: PathArg) -> Result<Self> {
        Ok(PyConfig(Config::load(&path.0)?))
    }

    /// Parses and validates configuration text (bytes must be UTF-8; a BOM is ignored).
    #[staticmethod]
    fn from_yaml(text: YamlText) -> Result<Self> {
        Ok(PyConfig(match text {
            YamlText::Text(text) => Config::from_yaml_str(&text)?,
            YamlText::Bytes(bytes) => Config::from_yaml_bytes(&bytes)?,
        }))
    }

    /// The scenario's rules with no services declared.
    #[staticmethod]
    fn default() -> Self {
        PyConfig(Config::default())
    }

    /// The JSON Schema of `shiprail.yaml`.
    #[staticmethod]
    fn json_schema(py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &Config::json_schema())
    }

    /// The default file name, looked up at the repository root.
    #[classattr]
    #[allow(non_snake_case)]
    fn FILE_NAME() -> &'static str {
        config::FILE_NAME
    }

    /// The registry (`myrepo.azurecr.io`), or `None`.
    #[getter]
    fn registry(&self) -> Option<&str> {
        self.0.registry.as_ref().map(|r| r.as_str())
    }

    /// The services by name, each as its section of the file.
    #[getter]
    fn services(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.services)
    }

    /// The environments by name, each as its section of the file.
    #[getter]
    fn environments(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.environments)
    }

    /// The branch naming rules.
    #[getter]
    fn branches(&self) -> PyBranchRules {
        PyBranchRules(self.0.branches.clone())
    }

    /// The version policy.
    #[getter]
    fn versioning(&self) -> PyVersionPolicy {
        PyVersionPolicy(self.0.versioning.clone())
    }

    /// The tag policy.
    #[getter]
    fn tags(&self) -> PyTagPolicy {
        PyTagPolicy(self.0.tags.clone())
    }

    /// The promotion template (`{registry}/{namespace}/{name}:{tag}`).
    #[getter]
    fn promotion_template(&self) -> &str {
        self.0.promotion.template.as_str()
    }

    /// The declared service names, sorted.
    fn service_names(&self) -> Vec<&str> {
        self.0.service_names()
    }

    /// A declared service as its section of the file; raises `UnknownNameError`.
    fn service(&self, py: Python<'_>, name: &str) -> Result<JsonDict> {
        JsonDict::of(py, self.0.service(name)?)
    }

    /// A declared environment as its section of the file; raises `UnknownNameError`.
    fn environment(&self, py: Python<'_>, name: &str) -> Result<JsonDict> {
        JsonDict::of(py, self.0.environment(name)?)
    }

    /// The image repository of a service (`myrepo.azurecr.io/delivery`).
    fn image_repository(&self, service: &str) -> Result<String> {
        Ok(self.0.image_repository(service)?)
    }

    /// The services `service` depends on, directly or not, sorted.
    fn service_dependencies(&self, service: &str) -> Result<Vec<&str>> {
        Ok(self.0.service_dependencies(service)?.into_iter().collect())
    }

    /// Checks references between sections, cycles and the policies; raises `ConfigError`.
    fn validate(&self) -> Result<()> {
        Ok(self.0.validate()?)
    }

    /// Classifies a branch or ref by the branch rules and the declared services.
    fn classify_branch(&self, reference: &str) -> Result<PyBranch> {
        Ok(PyBranch(self.0.classify_branch(reference)?))
    }

    /// Classifies many refs in one call: a `Branch` or the `ShiprailError` per ref, in order
    /// (see `BranchRules.classify_many`).
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[Branch | exceptions.ShiprailError]",
        imports = ("builtins", "shiprail.exceptions")
    ))]
    fn classify_branches(&self, py: Python<'_>, references: Strings) -> Result<Vec<Py<PyAny>>> {
        references
            .0
            .iter()
            .map(|r| match self.0.classify_branch(r) {
                Ok(branch) => Ok(Py::new(py, PyBranch(branch))?.into_any()),
                Err(err) => Ok(PyErr::from(BindingError::Core(err))
                    .into_value(py)
                    .into_any()),
            })
            .collect()
    }

    /// What a release branch releases: service, version and every tag; raises `BranchError`
    /// (`not_a_release_branch`) for other branches.
    fn release_for_branch(&self, reference: &str) -> Result<PyRelease> {
        Ok(PyRelease(self.0.release_for_branch(reference)?))
    }

    /// The next version of `service` from the repository's tags (any; others are ignored) and
    /// the commit messages since the last release.
    #[pyo3(signature = (service, tags, commits, prerelease = false))]
    fn next_version(
        &self,
        service: &str,
        tags: Strings,
        commits: Strings,
        prerelease: bool,
    ) -> Result<PyNextRelease> {
        Ok(PyNextRelease(self.0.next_version(
            service,
            &tags.as_strs(),
            &commits.as_strs(),
            prerelease,
        )?))
    }

    /// Where `image` is promoted to for `environment`.
    fn promotion_target(&self, image: &str, environment: &str) -> Result<PyPromotionTarget> {
        Ok(PyPromotionTarget(
            self.0.promotion_target(image, environment)?,
        ))
    }

    /// The services a change set affects, sorted (see `AffectedMatcher`): `changed` holds
    /// `ChangedPath`s (both paths of a rename count), plain paths or their mappings; with
    /// `explain`, one `Reason` per service. Compiles the matcher for this one question (build
    /// an `AffectedMatcher` to ask many); matching runs with the GIL released.
    #[pyo3(signature = (changed, explain = false))]
    fn affected(
        &self,
        py: Python<'_>,
        changed: Changes,
        explain: bool,
    ) -> Result<crate::affected::PyAffected> {
        let config = &self.0;
        let affected = py.detach(|| config.affected(&changed.0, explain))?;
        Ok(crate::affected::PyAffected(affected))
    }

    /// `affected` for bare path names (any iterable of `str`).
    #[pyo3(signature = (paths, explain = false))]
    fn affected_paths(
        &self,
        py: Python<'_>,
        paths: Strings,
        explain: bool,
    ) -> Result<crate::affected::PyAffected> {
        let config = &self.0;
        let affected =
            py.detach(|| config.affected_paths(paths.0.iter().map(String::as_str), explain))?;
        Ok(crate::affected::PyAffected(affected))
    }

    /// The repository paths that two or more services claim, in input order: a lint for
    /// globs written too wide.
    fn overlapping_paths(
        &self,
        py: Python<'_>,
        paths: Strings,
    ) -> Result<Vec<crate::affected::PyOverlap>> {
        let config = &self.0;
        let overlaps =
            py.detach(|| config.overlapping_paths(paths.0.iter().map(String::as_str)))?;
        Ok(overlaps
            .into_iter()
            .map(crate::affected::PyOverlap)
            .collect())
    }

    /// What an event runs (`shiprail plan`): `kind` is `push`, `pull_request`, `tag` or
    /// `manual`; `ref` the branch pushed or run on, the tag, or a pull request's source branch
    /// (`base_ref` its target); `changed` the changed paths (`ChangedPath`s, paths or their
    /// mappings; `None`: unknown, so a feature branch plans its service and other events every
    /// service); `commit` names images without a version. Planning runs with the GIL released.
    // The stub is written out below: a parameter named `ref` is `r#ref` in Rust, which the
    // stub generator would print as it is.
    #[gen_stub(skip)]
    #[pyo3(signature = (kind, r#ref, *, base_ref = None, changed = None, commit = None))]
    fn plan(
        &self,
        py: Python<'_>,
        kind: &str,
        r#ref: String,
        base_ref: Option<String>,
        changed: Option<Changes>,
        commit: Option<String>,
    ) -> Result<crate::plan::PyPlan> {
        let mut event =
            shiprail::plan::PlanEvent::new(kind.parse::<shiprail::plan::Trigger>()?, r#ref);
        event.base_ref = base_ref;
        event.changed = changed.map(|c| c.0);
        event.commit = commit;
        let config = &self.0;
        Ok(crate::plan::PyPlan(py.detach(|| config.plan(&event))?))
    }

    /// The whole configuration as the file would be written, defaults filled in.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Config",
            "registry" => self.0.registry.as_ref().map(|r| r.as_str()),
            "services" => self.0.service_names(),
            "environments" => self.0.environments.keys().collect::<Vec<_>>(),
        )
    }
}

/// Registers the configuration class.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyConfig>()?;
    Ok(())
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::inventory::submit! {
    pyo3_stub_gen::derive::gen_methods_from_python! {
        r#"
        import builtins
        import collections.abc
        import typing

        class PyConfig:
            def plan(
                self,
                kind: builtins.str,
                ref: builtins.str,
                *,
                base_ref: typing.Optional[builtins.str] = None,
                changed: typing.Optional[collections.abc.Iterable[ChangedPath | builtins.str | collections.abc.Mapping[builtins.str, typing.Any]]] = None,
                commit: typing.Optional[builtins.str] = None,
            ) -> Plan:
                """What an event runs (`shiprail plan`): `kind` is `push`, `pull_request`, `tag` or
                `manual`; `ref` the branch pushed or run on, the tag, or a pull request's source branch
                (`base_ref` its target); `changed` the changed paths (`ChangedPath`s, paths or their
                mappings; `None`: unknown, so a feature branch plans its service and other events every
                service); `commit` names images without a version. Planning runs with the GIL released."""
        "#
    }
}
