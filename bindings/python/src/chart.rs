//! `shiprail.chart`: Helm charts read, linted, versioned, packaged and loaded the way Helm does.
//!
//! `ChartFile` is a parsed Chart.yaml and `ChartMetadata` its fields; `lint_chart` (files in
//! memory) and `lint_chart_dir` give a `ChartLintReport`; `ChartVersions`,
//! `rewrite_chart_versions` and `write_chart_versions` set versions in place; `HelmIgnore`
//! answers with Helm's `.helmignore` rules; `package_chart` gives a reproducible
//! `ChartPackage`; `ChartArchive` loads a `.tgz` with the loader's checks; `release_names` and
//! `ChangeCauseTemplate` name a deployment. Everything that reads or writes files releases the
//! GIL, and the longer ones have an `..._async` variant (a worker thread, for asyncio code).

use crate::conversions::{
    Data, IgnorePaths, JsonDict, PathArg, Section, Strings, TagPolicyArg, VersionArg, Versions,
    YamlText, hash_of, py_repr, repr_fields, section, tag_policy,
};
use crate::error::{BindingError, Result};
use crate::runtime::to_thread;
use crate::tag::PyTagPolicy;
use crate::version::PyReleaseVersion;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::chart::{
    self as core, ArchiveLimits, ChangeCause, ChangeCauseTemplate, ChartArchive, ChartFile,
    ChartMetadata, ChartPackage, ChartVersions, HelmIgnore, LintInput, LintOptions, LintReport,
    PackageOptions, PathKind, ReleaseNames, VersionChange,
};
use shiprail::{Error, ErrorKind};
use std::path::PathBuf;

/// The exception a core error becomes, as a value (for `to_error()`).
fn exception(py: Python<'_>, err: Error) -> Py<PyAny> {
    PyErr::from(BindingError::Core(err))
        .into_value(py)
        .into_any()
}

/// Archive limits from an optional mapping with the core's keys (`max_total_size`,
/// `max_file_size`, `max_entries`, `max_path_len`); missing keys keep their defaults.
pub(crate) fn limits(py: Python<'_>, limits: Option<Section<'_>>) -> Result<ArchiveLimits> {
    match limits {
        None => Ok(ArchiveLimits::default()),
        Some(mapping) => section(py, "archive limits", Some(mapping), None),
    }
}

// ---------------------------------------------------------------------------------------------
// Chart.yaml

/// The fields of a Chart.yaml, as Helm reads them.
///
/// Values are kept as written (a broken chart can still be inspected and linted); fields Helm
/// does not know are in `extra`. `to_dict()` is the Chart.yaml form (`apiVersion`,
/// `appVersion`, empty optional fields left out), as the CLI prints it.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartMetadata", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartMetadata(pub(crate) ChartMetadata);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartMetadata {
    /// `apiVersion` as written (`v2`); `""` when missing.
    #[getter]
    fn api_version(&self) -> &str {
        &self.0.api_version
    }

    /// The chart name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The chart version as written.
    #[getter]
    fn version(&self) -> &str {
        &self.0.version
    }

    /// `appVersion`, `None` when missing.
    #[getter]
    fn app_version(&self) -> Option<&str> {
        self.0.app_version.as_deref()
    }

    /// `kubeVersion`, the supported Kubernetes versions.
    #[getter]
    fn kube_version(&self) -> Option<&str> {
        self.0.kube_version.as_deref()
    }

    /// `description`.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// `type` as written (`application` or `library`; `None` is an application).
    #[getter]
    fn chart_type(&self) -> Option<&str> {
        self.0.chart_type.as_deref()
    }

    /// `keywords`.
    #[getter]
    fn keywords(&self) -> Vec<String> {
        self.0.keywords.clone()
    }

    /// `home`.
    #[getter]
    fn home(&self) -> Option<&str> {
        self.0.home.as_deref()
    }

    /// `sources`.
    #[getter]
    fn sources(&self) -> Vec<String> {
        self.0.sources.clone()
    }

    /// `dependencies`, each a dict with the Chart.yaml keys (`name`, `version`, `repository`,
    /// `alias`, `import-values`, ...).
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[builtins.dict[builtins.str, typing.Any]]",
        imports = ("builtins", "typing")
    ))]
    fn dependencies(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.dependencies)
    }

    /// `maintainers`, each a dict (`name`, `email`, `url`).
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[builtins.dict[builtins.str, typing.Any]]",
        imports = ("builtins", "typing")
    ))]
    fn maintainers(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.maintainers)
    }

    /// `icon`.
    #[getter]
    fn icon(&self) -> Option<&str> {
        self.0.icon.as_deref()
    }

    /// `deprecated`.
    #[getter]
    fn deprecated(&self) -> bool {
        self.0.deprecated
    }

    /// `annotations`.
    #[getter]
    fn annotations(&self) -> std::collections::BTreeMap<String, String> {
        self.0.annotations.clone()
    }

    /// The legacy top-level `condition`.
    #[getter]
    fn condition(&self) -> Option<&str> {
        self.0.condition.as_deref()
    }

    /// The legacy top-level `tags`.
    #[getter]
    fn tags(&self) -> Option<&str> {
        self.0.tags.as_deref()
    }

    /// Fields Helm does not know, in file order.
    #[getter]
    fn extra(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.extra)
    }

    /// The file name `helm package` gives the chart: `<name>-<version>.tgz`.
    #[getter]
    fn archive_name(&self) -> String {
        self.0.archive_name()
    }

    /// The Chart.yaml form: `{"apiVersion", "name", "version", ...}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartMetadata",
            "name" => self.0.name.as_str(),
            "version" => self.0.version.as_str(),
            "app_version" => self.0.app_version.as_deref(),
        )
    }
}

/// A parsed Chart.yaml: the metadata, the text (a leading BOM removed), the file it came from
/// and where each top-level value is written.
///
/// `ChartFile(text)` parses text (or UTF-8 bytes) the way Helm's loader does: YAML 1.1
/// scalars (`appVersion: 1.10` is the number 1.1, read as `"1.1"`), keys matched ignoring
/// case, the first document only. Malformed YAML, or a field of a type Helm cannot load, raises
/// `ConfigError` (`config_syntax`) with `line` and `column`; semantic checks are `validate()`
/// and `lint_chart`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartFile", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartFile(pub(crate) ChartFile);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartFile {
    /// Parses Chart.yaml text, or bytes that must be UTF-8 (`invalid_utf8` points at the first
    /// bad byte).
    #[new]
    fn new(text: YamlText) -> Result<Self> {
        Ok(PyChartFile(match text {
            YamlText::Text(text) => ChartFile::parse(&text)?,
            YamlText::Bytes(bytes) => ChartFile::from_bytes(&bytes)?,
        }))
    }

    /// Reads a Chart.yaml file (the GIL released); errors name the file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathArg) -> Result<Self> {
        Ok(PyChartFile(py.detach(|| ChartFile::load(&path.0))?))
    }

    /// `load` in a worker thread, for `await` in asyncio code.
    #[staticmethod]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartFile]",
        imports = ("collections.abc", "typing")
    ))]
    fn load_async(py: Python<'_>, path: PathArg) -> PyResult<Bound<'_, PyAny>> {
        let load = py.get_type::<PyChartFile>().getattr("load")?;
        to_thread(load, vec![path.0.into_pyobject(py)?], None)
    }

    /// The metadata.
    #[getter]
    fn metadata(&self) -> PyChartMetadata {
        PyChartMetadata(self.0.metadata().clone())
    }

    /// The text, without a leading BOM.
    #[getter]
    fn text(&self) -> &str {
        self.0.text()
    }

    /// The file it was loaded from, `None` for parsed text.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.0.path().map(std::path::Path::to_path_buf)
    }

    /// `<name>-<version>.tgz`, the file name `helm package` gives the chart.
    #[getter]
    fn archive_name(&self) -> String {
        self.0.metadata().archive_name()
    }

    /// `(line, column)` (1-based) of the value of the top-level field `key`, `None` when the
    /// field is absent.
    fn location_of(&self, key: &str) -> Option<(u32, u32)> {
        self.0.location_of(key).map(|l| (l.line, l.column))
    }

    /// Raises `ChartError` (`invalid_chart`, at its position) for the first problem Helm's
    /// loader refuses a chart for, so that `helm package`, `helm template` and `helm install`
    /// would fail: a name with path parts, a version that is not SemVer, a bad type, empty
    /// maintainer or dependency entries, bad or duplicate dependency aliases.
    fn validate(&self) -> Result<()> {
        Ok(self.0.validate()?)
    }

    /// The metadata in its Chart.yaml form.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, self.0.metadata())
    }

    fn __str__(&self) -> &str {
        self.0.text()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let md = self.0.metadata();
        repr_fields!(py, "ChartFile",
            "name" => md.name.as_str(),
            "version" => md.version.as_str(),
            "path" => self.0.path().map(|p| p.display().to_string()),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Lint

/// One chart lint finding: which rule, how severe, where (`file` relative to the chart), and
/// what is wrong. `str()` is `helm lint`'s line: `[ERROR] Chart.yaml:3:10: ... (version_type)`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartLintFinding", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartLintFinding(pub(crate) core::Finding);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartLintFinding {
    /// `error` (fails the lint), `warning` (fails `--strict`) or `info`.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['error', 'warning', 'info']",
        imports = ("typing")
    ))]
    fn severity(&self) -> String {
        self.0.severity.to_string()
    }

    /// The rule's stable id (`version_type`, `mutable_image_tag`, ...; `chart_lint_rules()`
    /// lists them).
    #[getter]
    fn rule(&self) -> String {
        self.0.rule.to_string()
    }

    /// The file, relative to the chart directory (`Chart.yaml`, `values.yaml`, `templates/`).
    #[getter]
    fn file(&self) -> &str {
        &self.0.file
    }

    /// 1-based line, when the finding is about a written value.
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.line
    }

    /// 1-based column, when known.
    #[getter]
    fn column(&self) -> Option<u32> {
        self.0.column
    }

    /// What is wrong, naming the value.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// The finding as the exception of its rule's family (`ChartError`, `ConfigError`,
    /// `PolicyError`, `TagError`), located in `file`; returned, not raised.
    #[gen_stub(override_return_type(
        type_repr = "exceptions.ShiprailError",
        imports = ("shiprail.exceptions")
    ))]
    fn to_error(&self, py: Python<'_>) -> Py<PyAny> {
        exception(py, self.0.to_error())
    }

    /// `{"severity", "rule", "file", "line"?, "column"?, "message"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartLintFinding",
            "severity" => self.0.severity.to_string(),
            "rule" => self.0.rule.to_string(),
            "file" => self.0.file.as_str(),
            "line" => self.0.line,
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(
            self.0.rule,
            &self.0.file,
            self.0.line,
            self.0.column,
            &self.0.message,
        ))
    }
}

/// The findings of one chart lint, in rule order. Like `helm lint`, only errors fail:
/// `passed` is false when there is one, `passed_strict` (`helm lint --strict`) also when there
/// is a warning.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartLintReport", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartLintReport(pub(crate) LintReport);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartLintReport {
    /// No errors (what makes `helm lint` exit 0).
    #[getter]
    fn passed(&self) -> bool {
        self.0.passed()
    }

    /// No errors and no warnings (`helm lint --strict`).
    #[getter]
    fn passed_strict(&self) -> bool {
        self.0.passed_strict()
    }

    /// The number of errors.
    #[getter]
    fn errors(&self) -> usize {
        self.0.errors()
    }

    /// The number of warnings.
    #[getter]
    fn warnings(&self) -> usize {
        self.0.warnings()
    }

    /// Every finding, in rule order.
    #[getter]
    fn findings(&self) -> Vec<PyChartLintFinding> {
        self.0
            .findings
            .iter()
            .cloned()
            .map(PyChartLintFinding)
            .collect()
    }

    /// The report as one exception (the first error's family and position; with several
    /// errors, the message lists them all), `None` when the lint passed. Returned, not raised:
    /// `if (error := report.to_error()): raise error`.
    #[gen_stub(override_return_type(
        type_repr = "typing.Optional[exceptions.ShiprailError]",
        imports = ("typing", "shiprail.exceptions")
    ))]
    fn to_error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.0.to_error().map(|e| exception(py, e))
    }

    /// `{"passed", "errors", "warnings", "findings": [...]}`, as `shiprail chart lint` prints
    /// it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartLintReport",
            "passed" => self.0.passed(),
            "errors" => self.0.errors(),
            "warnings" => self.0.warnings(),
        )
    }
}

/// shiprail's release context for a lint: the released versions and the tag policy.
fn lint_options(released: Versions, policy: Option<TagPolicyArg>) -> LintOptions {
    LintOptions {
        released: released.0,
        policy: tag_policy(policy),
    }
}

/// What `templates` is, by the core's name (`missing`, `file`, `directory`).
fn path_kind(name: &str) -> Result<PathKind> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|e| {
        Error::new(ErrorKind::InvalidChart, format!("invalid `templates`: {e}"))
            .with_input(name)
            .into()
    })
}

/// Lints a chart from its files in memory: `helm lint`'s chart checks and shiprail's release
/// rules. Each file is its text, `None` when it does not exist; `templates` says what
/// `templates/` is (`directory`, `file` or `missing`); `subcharts` lists the names of the
/// charts in `charts/` (`None` skips the dependency checks). `released` are the versions
/// already released (the chart version must be above them) and `policy` the tag policy that
/// derives appVersion and the image tag from the version (a `TagPolicy` or the `tags:`
/// mapping). A lint never raises for what it finds.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pyfunction]
#[pyo3(signature = (
    *,
    chart_yaml = None,
    values_yaml = None,
    values_schema = None,
    templates = "directory",
    subcharts = None,
    released = Versions(Vec::new()),
    policy = None
))]
#[pyo3(
    text_signature = "(*, chart_yaml=None, values_yaml=None, values_schema=None, templates='directory', subcharts=None, released=(), policy=None)"
)]
#[allow(clippy::too_many_arguments)]
fn lint_chart(
    chart_yaml: Option<String>,
    values_yaml: Option<String>,
    values_schema: Option<String>,
    #[gen_stub(override_type(
        type_repr = "typing.Literal['directory', 'file', 'missing']",
        imports = ("typing")
    ))]
    templates: &str,
    subcharts: Option<Strings>,
    released: Versions,
    policy: Option<TagPolicyArg>,
) -> Result<PyChartLintReport> {
    let input = LintInput {
        chart_yaml,
        values_yaml,
        values_schema,
        templates: path_kind(templates)?,
        subcharts: subcharts.map(|s| s.0),
    };
    let options = lint_options(released, policy);
    Ok(PyChartLintReport(core::lint(&input, &options)))
}

/// Lints a chart directory (the GIL released): Chart.yaml, values.yaml, values.schema.json,
/// `templates/` and the charts in `charts/`, with the release context of `lint_chart`. Raises
/// `IoError` only when the directory cannot be read.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (dir, *, released = Versions(Vec::new()), policy = None))]
#[pyo3(text_signature = "(dir, *, released=(), policy=None)")]
fn lint_chart_dir(
    py: Python<'_>,
    dir: PathArg,
    released: Versions,
    policy: Option<TagPolicyArg>,
) -> Result<PyChartLintReport> {
    let options = lint_options(released, policy);
    Ok(PyChartLintReport(
        py.detach(|| core::lint_dir(&dir.0, &options))?,
    ))
}

/// `lint_chart_dir` in a worker thread, for `await` in asyncio code.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pyfunction]
#[pyo3(signature = (dir, *, released = Versions(Vec::new()), policy = None))]
#[pyo3(text_signature = "(dir, *, released=(), policy=None)")]
#[gen_stub(override_return_type(
    type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartLintReport]",
    imports = ("collections.abc", "typing")
))]
fn lint_chart_dir_async(
    py: Python<'_>,
    dir: PathArg,
    released: Versions,
    policy: Option<TagPolicyArg>,
) -> PyResult<Bound<'_, PyAny>> {
    let function = py.import("shiprail._native")?.getattr("lint_chart_dir")?;
    let kwargs = PyDict::new(py);
    let released: Vec<PyReleaseVersion> = released.0.into_iter().map(PyReleaseVersion).collect();
    kwargs.set_item("released", released)?;
    kwargs.set_item("policy", PyTagPolicy(tag_policy(policy)))?;
    to_thread(function, vec![dir.0.into_pyobject(py)?], Some(&kwargs))
}

/// Every chart lint rule, in evaluation order: `{"id", "severity", "code", "enforced_on_load"}`
/// (`code` is the error code a failing finding maps to; `enforced_on_load`, whether Helm's
/// loader itself refuses such a chart, so that `helm package` and `helm install` fail too).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pyfunction]
#[gen_stub(override_return_type(
    type_repr = "builtins.list[builtins.dict[builtins.str, typing.Any]]",
    imports = ("builtins", "typing")
))]
fn chart_lint_rules(py: Python<'_>) -> Result<JsonDict> {
    let rules: Vec<serde_json::Value> = core::LintRule::ALL
        .iter()
        .map(|rule| {
            serde_json::json!({
                "id": rule.id(),
                "severity": rule.severity().to_string(),
                "code": rule.kind().code(),
                "enforced_on_load": rule.enforced_on_load(),
            })
        })
        .collect();
    JsonDict::of(py, &rules)
}

// ---------------------------------------------------------------------------------------------
// Versions

/// The chart version and appVersion of one release, by the tag policy (1:1 by default:
/// release `1.0.2` gives version `1.0.2` and appVersion `"1.0.2"`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartVersions", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartVersions(pub(crate) ChartVersions);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChartVersions {
    /// The versions of chart `chart` for the release `version` under `policy` (a `TagPolicy`
    /// or the `tags:` mapping; the defaults when omitted). Raises `ConfigError` for an invalid
    /// policy.
    #[staticmethod]
    #[pyo3(signature = (chart, version, policy = None))]
    fn from_release(
        chart: &str,
        version: VersionArg,
        policy: Option<TagPolicyArg>,
    ) -> Result<Self> {
        Ok(PyChartVersions(ChartVersions::from_release(
            &tag_policy(policy),
            chart,
            &version.0,
        )?))
    }

    /// The chart `version`: the release version itself.
    #[getter]
    fn version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.version.clone())
    }

    /// The chart `appVersion`, rendered by the policy's `app_version` template.
    #[getter]
    fn app_version(&self) -> &str {
        &self.0.app_version
    }

    /// `{"version", "app_version"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartVersions",
            "version" => self.0.version.to_string(),
            "app_version" => self.0.app_version.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.version, &self.0.app_version))
    }
}

/// What an in-place edit of Chart.yaml changed.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartVersionChange", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartVersionChange(pub(crate) VersionChange);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChartVersionChange {
    /// The edited file.
    #[getter]
    fn file(&self) -> PathBuf {
        self.0.file.clone()
    }

    /// The chart (or, for a dependency, the dependency's) version before.
    #[getter]
    fn previous_version(&self) -> Option<&str> {
        self.0.previous_version.as_deref()
    }

    /// The version after.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.0.version.as_deref()
    }

    /// appVersion before (chart edits only).
    #[getter]
    fn previous_app_version(&self) -> Option<&str> {
        self.0.previous_app_version.as_deref()
    }

    /// appVersion after (chart edits only).
    #[getter]
    fn app_version(&self) -> Option<&str> {
        self.0.app_version.as_deref()
    }

    /// The dependency edited (dependency edits only).
    #[getter]
    fn dependency(&self) -> Option<&str> {
        self.0.dependency.as_deref()
    }

    /// Whether the file changed (it is only written then).
    #[getter]
    fn changed(&self) -> bool {
        self.0.changed
    }

    /// `{"file", "previous_version", "version", ..., "changed"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartVersionChange",
            "file" => self.0.file.display().to_string(),
            "version" => self.0.version.as_deref(),
            "app_version" => self.0.app_version.as_deref(),
            "changed" => self.0.changed,
        )
    }
}

/// Chart.yaml text with `version` and/or `app_version` set (an omitted one is left as it is),
/// changing only those scalars: comments, order and layout survive; appVersion is written
/// double-quoted. An edit that would change anything else (a shared anchor, a block scalar, a
/// flow-style file) raises `ChartError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (text, *, version = None, app_version = None))]
fn rewrite_chart_versions(
    text: &str,
    version: Option<VersionArg>,
    app_version: Option<&str>,
) -> Result<String> {
    Ok(core::rewrite_versions(
        text,
        version.as_ref().map(|v| &v.0),
        app_version,
    )?)
}

/// Chart.yaml text of an umbrella chart with the version of `dependency` (its alias, else its
/// name) set to `version` (an exact version or a range), changing only that scalar.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn rewrite_chart_dependency_version(text: &str, dependency: &str, version: &str) -> Result<String> {
    Ok(core::rewrite_dependency_version(text, dependency, version)?)
}

/// Sets `version` and/or `app_version` in `dir/Chart.yaml` in place (as
/// `rewrite_chart_versions`; the GIL released); the file is replaced atomically and only when
/// something changed.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (dir, *, version = None, app_version = None))]
fn write_chart_versions(
    py: Python<'_>,
    dir: PathArg,
    version: Option<VersionArg>,
    app_version: Option<String>,
) -> Result<PyChartVersionChange> {
    let version = version.map(|v| v.0);
    let change =
        py.detach(|| core::write_versions(&dir.0, version.as_ref(), app_version.as_deref()))?;
    Ok(PyChartVersionChange(change))
}

/// Sets a dependency's version in `dir/Chart.yaml` in place (as
/// `rewrite_chart_dependency_version`; the GIL released).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn write_chart_dependency_version(
    py: Python<'_>,
    dir: PathArg,
    dependency: &str,
    version: &str,
) -> Result<PyChartVersionChange> {
    let change = py.detach(|| core::write_dependency_version(&dir.0, dependency, version))?;
    Ok(PyChartVersionChange(change))
}

// ---------------------------------------------------------------------------------------------
// .helmignore

/// The rules of a `.helmignore` file plus Helm's default rule (`templates/.?*`), with Helm's
/// semantics, not `.gitignore`'s: rules apply in order and the first decisive one wins; a rule
/// without `/` matches the base name at any depth, one with `/` the whole path; `!rule` ignores
/// every path the rule does not match; a trailing `/` limits a rule to directories; `**` is
/// refused (`PatternError`, at its line).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "HelmIgnore", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyHelmIgnore(pub(crate) HelmIgnore);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyHelmIgnore {
    /// Parses the text of a `.helmignore` file; without one, Helm's default rule only.
    #[new]
    #[pyo3(signature = (text = None))]
    fn new(text: Option<&str>) -> Result<Self> {
        Ok(PyHelmIgnore(match text {
            None => HelmIgnore::default(),
            Some(text) => HelmIgnore::parse(text)?,
        }))
    }

    /// The rules as written, Helm's default rule last.
    #[getter]
    fn rules(&self) -> Vec<&str> {
        self.0.rules()
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored; `is_dir` says
    /// whether it is a directory (an ignored directory is skipped with all it holds).
    #[pyo3(signature = (path, is_dir = false))]
    fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        self.0.is_ignored(path, is_dir)
    }

    /// Whether each path is ignored, one result per path: a `str` is a file, a
    /// `(path, is_dir)` pair says whether it is a directory.
    fn matches(&self, paths: IgnorePaths) -> Vec<bool> {
        paths
            .0
            .iter()
            .map(|(path, is_dir)| self.0.is_ignored(path, *is_dir))
            .collect()
    }

    /// The rules, one a line, Helm's default rule last.
    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "HelmIgnore", "rules" => self.0.rules())
    }
}

// ---------------------------------------------------------------------------------------------
// Packaging

/// A packaged chart in memory: its name, digest and entries, and the `.tgz` bytes. The same
/// files and options always give the same bytes.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartPackage", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartPackage(pub(crate) ChartPackage);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChartPackage {
    /// `<name>-<version>.tgz`.
    #[getter]
    fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// The chart name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The chart version in the archive.
    #[getter]
    fn version(&self) -> &str {
        &self.0.version
    }

    /// The appVersion in the archive, `None` when the chart has none.
    #[getter]
    fn app_version(&self) -> Option<&str> {
        self.0.app_version.as_deref()
    }

    /// The SHA-256 of the archive, lowercase hex.
    #[getter]
    fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// `sha256:<hex>`, as OCI registries and `helm push` print it.
    #[getter]
    fn digest(&self) -> String {
        self.0.digest()
    }

    /// The archive size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// The archive entries (`<name>/Chart.yaml`, ...), in archive order.
    #[getter]
    fn files(&self) -> Vec<String> {
        self.0.files.clone()
    }

    /// The `.tgz` bytes.
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.bytes())
    }

    /// Writes `out_dir/<name>-<version>.tgz` (creating `out_dir`, replacing the file
    /// atomically; the GIL released) and returns its path.
    fn write_to(&self, py: Python<'_>, out_dir: PathArg) -> Result<PathBuf> {
        let package = &self.0;
        Ok(py.detach(|| package.write_to(&out_dir.0))?)
    }

    /// Everything but the bytes: `{"file_name", "name", "version", "app_version"?, "sha256",
    /// "size", "files"}`, as `shiprail chart package` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChartPackage",
            "file_name" => self.0.file_name.as_str(),
            "digest" => self.0.digest(),
            "size" => self.0.size,
        )
    }
}

/// Package options from keywords; `mtime` defaults to 0 (the core's default).
fn package_options(
    py: Python<'_>,
    version: Option<VersionArg>,
    app_version: Option<String>,
    mtime: Option<u64>,
    limits: Option<Section<'_>>,
) -> Result<PackageOptions> {
    let defaults = PackageOptions::default();
    Ok(PackageOptions {
        version: version.map(|v| v.0),
        app_version,
        mtime: mtime.unwrap_or(defaults.mtime),
        limits: self::limits(py, limits)?,
    })
}

/// Packages the chart directory `dir` the way `helm package` does (`.helmignore`, subcharts,
/// Helm's loader checks) into a reproducible `<name>-<version>.tgz` in memory, the GIL
/// released. `version` and `app_version` are set in the archived Chart.yaml only (the sources
/// are left alone); `mtime` is every entry's modification time in seconds since the epoch
/// (default 0, so the same files give the same bytes); `limits` the archive limits (a mapping
/// with the keys of `ChartArchive.default_limits()`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (dir, *, version = None, app_version = None, mtime = None, limits = None))]
fn package_chart(
    py: Python<'_>,
    dir: PathArg,
    version: Option<VersionArg>,
    app_version: Option<String>,
    mtime: Option<u64>,
    limits: Option<Section<'_>>,
) -> Result<PyChartPackage> {
    let options = package_options(py, version, app_version, mtime, limits)?;
    Ok(PyChartPackage(
        py.detach(|| core::package(&dir.0, &options))?,
    ))
}

/// `package_chart` in a worker thread, for `await` in asyncio code.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pyfunction]
#[pyo3(signature = (dir, *, version = None, app_version = None, mtime = None, limits = None))]
#[gen_stub(override_return_type(
    type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartPackage]",
    imports = ("collections.abc", "typing")
))]
fn package_chart_async<'py>(
    py: Python<'py>,
    dir: PathArg,
    version: Option<VersionArg>,
    app_version: Option<String>,
    mtime: Option<u64>,
    limits: Option<Section<'py>>,
) -> PyResult<Bound<'py, PyAny>> {
    let function = py.import("shiprail._native")?.getattr("package_chart")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("version", version.map(|v| PyReleaseVersion(v.0)))?;
    kwargs.set_item("app_version", app_version)?;
    kwargs.set_item("mtime", mtime)?;
    kwargs.set_item("limits", limits.map(|l| l.0))?;
    to_thread(function, vec![dir.0.into_pyobject(py)?], Some(&kwargs))
}

// ---------------------------------------------------------------------------------------------
// Archives

/// A loaded chart archive (`.tgz`): its top-level directory, its files and its Chart.yaml.
///
/// Loading refuses (`UnsafeArchiveError`) absolute paths, `..`, drive letters, entries outside
/// the one chart directory, links, devices, duplicates, and anything beyond the limits (the
/// decompressed stream itself is metered, so a gzip bomb stops early); malformed gzip or tar is
/// an `ArchiveError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChartArchive", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChartArchive(pub(crate) ChartArchive);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChartArchive {
    /// Loads a `.tgz` file (the GIL released); `limits` as `default_limits()`, missing keys
    /// keeping their defaults.
    #[staticmethod]
    #[pyo3(signature = (path, limits = None))]
    fn open(py: Python<'_>, path: PathArg, limits: Option<Section<'_>>) -> Result<Self> {
        let limits = self::limits(py, limits)?;
        Ok(PyChartArchive(
            py.detach(|| ChartArchive::open(&path.0, &limits))?,
        ))
    }

    /// `open` in a worker thread, for `await` in asyncio code.
    #[staticmethod]
    #[pyo3(signature = (path, limits = None))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Coroutine[typing.Any, typing.Any, ChartArchive]",
        imports = ("collections.abc", "typing")
    ))]
    fn open_async<'py>(
        py: Python<'py>,
        path: PathArg,
        limits: Option<Section<'py>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let open = py.get_type::<PyChartArchive>().getattr("open")?;
        let mut args = vec![path.0.into_pyobject(py)?];
        if let Some(limits) = limits {
            args.push(limits.0);
        }
        to_thread(open, args, None)
    }

    /// Loads `.tgz` bytes (a pulled chart, `ChartPackage.bytes`), the GIL released.
    #[staticmethod]
    #[pyo3(signature = (data, limits = None))]
    fn read(py: Python<'_>, data: Data<'_>, limits: Option<Section<'_>>) -> Result<Self> {
        let limits = self::limits(py, limits)?;
        let data = data.as_bytes();
        Ok(PyChartArchive(
            py.detach(|| ChartArchive::read(data, &limits))?,
        ))
    }

    /// The limits applied when none are given (Helm's: 100 MiB decompressed, 5 MiB per file;
    /// plus 10,000 entries and 4 KiB paths): `{"max_total_size", "max_file_size",
    /// "max_entries", "max_path_len"}`.
    #[staticmethod]
    fn default_limits(py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &ArchiveLimits::default())
    }

    /// The chart's top-level directory in the archive (normally the chart name).
    #[getter]
    fn root(&self) -> &str {
        self.0.root()
    }

    /// The chart metadata.
    #[getter]
    fn metadata(&self) -> PyChartMetadata {
        PyChartMetadata(self.0.metadata().clone())
    }

    /// The parsed Chart.yaml.
    #[getter]
    fn chart(&self) -> PyChartFile {
        PyChartFile(self.0.chart().clone())
    }

    /// Every file, relative to the top-level directory, in archive order.
    #[getter]
    fn files(&self) -> Vec<String> {
        self.0.files().iter().map(|f| f.path.clone()).collect()
    }

    /// The content of the file at `path` (relative to the top-level directory; a leading UTF-8
    /// BOM removed, as Helm does), `None` when there is none.
    fn file<'py>(&self, py: Python<'py>, path: &str) -> Option<Bound<'py, PyBytes>> {
        self.0.file(path).map(|data| PyBytes::new(py, data))
    }

    /// `{"root", "metadata", "files", "size"}` (the decompressed size), as `shiprail chart
    /// inspect` prints it.
    fn summary(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.summary())
    }

    /// Writes the chart into `dir/<root>/`, which must not exist yet (the GIL released), and
    /// returns that path. Nothing is written outside it.
    fn extract_to(&self, py: Python<'_>, dir: PathArg) -> Result<PathBuf> {
        let archive = &self.0;
        Ok(py.detach(|| archive.extract_to(&dir.0))?)
    }

    /// The summary.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        self.summary(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let md = self.0.metadata();
        repr_fields!(py, "ChartArchive",
            "root" => self.0.root(),
            "name" => md.name.as_str(),
            "version" => md.version.as_str(),
            "files" => self.0.files().len(),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Release names

/// The names of one deployment of one version of a service: the Helm release name (a
/// DNS-1123 label of at most 53 characters, `delivery-v1-0-2-qa`) and the recommended
/// `app.kubernetes.io/*` labels.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ReleaseNames", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReleaseNames(pub(crate) ReleaseNames);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyReleaseNames {
    /// The Helm release name.
    #[getter]
    fn release(&self) -> &str {
        &self.0.release
    }

    /// The service as it appears in names (lowercase, `-` for other characters).
    #[getter]
    fn service(&self) -> &str {
        &self.0.service
    }

    /// The version deployed.
    #[getter]
    fn version(&self) -> PyReleaseVersion {
        PyReleaseVersion(self.0.version.clone())
    }

    /// The environment, when the name carries one.
    #[getter]
    fn environment(&self) -> Option<&str> {
        self.0.environment.as_deref()
    }

    /// Whether a hash suffix was added (the readable name was too long, or did not keep every
    /// input apart).
    #[getter]
    fn hashed(&self) -> bool {
        self.0.hashed
    }

    /// `app.kubernetes.io/name`, `/instance` and `/version`, with valid label values.
    #[getter]
    fn labels(&self) -> std::collections::BTreeMap<String, String> {
        self.0.labels.clone()
    }

    /// `{"release", "service", "version", "environment", "hashed", "labels"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.release
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ReleaseNames",
            "release" => self.0.release.as_str(),
            "version" => self.0.version.to_string(),
            "environment" => self.0.environment.as_deref(),
            "hashed" => self.0.hashed,
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0.release)
    }
}

/// The Helm release name of `service` at `version`, optionally in `environment`, so that
/// versions run side by side: `{service}-v{version}[-{environment}]` with every character
/// other than a letter or digit as `-`; a name too long, or not keeping its inputs apart, is
/// shortened and gets a stable 8-hex-digit hash. Raises `ChartError` when the service or the
/// environment has no letter or digit.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (service, version, environment = None))]
fn release_names(
    service: &str,
    version: VersionArg,
    environment: Option<&str>,
) -> Result<PyReleaseNames> {
    Ok(PyReleaseNames(core::release_names(
        service,
        &version.0,
        environment,
    )?))
}

/// Whether `name` is a DNS-1123 label: 1 to 63 lowercase letters, digits and `-`, starting and
/// ending with a letter or digit.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn is_dns1123_label(name: &str) -> bool {
    core::is_dns1123_label(name)
}

/// The template of the `kubernetes.io/change-cause` annotation: text with `{service}`,
/// `{version}`, `{environment}`, `{branch}`, `{commit}`, `{short_commit}` (7 characters) and
/// `{reason}`; a `[...]` group is left out when a value it uses is missing or empty.
/// `ChangeCauseTemplate()` is the default, `{service} v{version}[ to {environment}][ from
/// {branch}][ at {short_commit}][: {reason}]`; a malformed template raises `PatternError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ChangeCauseTemplate", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyChangeCauseTemplate(pub(crate) ChangeCauseTemplate);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyChangeCauseTemplate {
    /// Parses a template; without one, the default.
    #[new]
    #[pyo3(signature = (text = None))]
    fn new(text: Option<&str>) -> Result<Self> {
        Ok(PyChangeCauseTemplate(match text {
            None => ChangeCauseTemplate::default(),
            Some(text) => text.parse()?,
        }))
    }

    /// The annotation value for a deployment, from a mapping of its facts (`service`,
    /// `version`, `environment`, `branch`, `commit`, `reason`; read by the core's rules, so an
    /// unknown key is a `ConfigError`) and/or the same keywords (keywords win). Control
    /// characters become spaces and the result is cut at `MAX_CHANGE_CAUSE_LEN` characters; a
    /// placeholder outside `[...]` without a value raises `PatternError`.
    #[pyo3(signature = (
        cause = None,
        /,
        *,
        service = None,
        version = None,
        environment = None,
        branch = None,
        commit = None,
        reason = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn render(
        &self,
        py: Python<'_>,
        cause: Option<Section<'_>>,
        service: Option<String>,
        version: Option<VersionArg>,
        environment: Option<String>,
        branch: Option<String>,
        commit: Option<String>,
        reason: Option<String>,
    ) -> Result<String> {
        let mut facts: ChangeCause = match cause {
            None => ChangeCause::default(),
            Some(mapping) => section(py, "change cause", Some(mapping), None)?,
        };
        // Every field named, so a field added to the core's ChangeCause is noticed here.
        let ChangeCause {
            service: s,
            version: v,
            environment: e,
            branch: b,
            commit: c,
            reason: r,
        } = &mut facts;
        if let Some(service) = service {
            *s = service;
        }
        if let Some(version) = version {
            *v = Some(version.0);
        }
        for (slot, value) in [(e, environment), (b, branch), (c, commit), (r, reason)] {
            if value.is_some() {
                *slot = value;
            }
        }
        Ok(self.0.render(&facts)?)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ChangeCauseTemplate({})",
            py_repr(py, self.0.to_string())?
        ))
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0.to_string())
    }
}

/// Registers the chart classes, functions and constants.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyChartMetadata>()?;
    m.add_class::<PyChartFile>()?;
    m.add_class::<PyChartLintFinding>()?;
    m.add_class::<PyChartLintReport>()?;
    m.add_class::<PyChartVersions>()?;
    m.add_class::<PyChartVersionChange>()?;
    m.add_class::<PyHelmIgnore>()?;
    m.add_class::<PyChartPackage>()?;
    m.add_class::<PyChartArchive>()?;
    m.add_class::<PyReleaseNames>()?;
    m.add_class::<PyChangeCauseTemplate>()?;
    m.add_function(wrap_pyfunction!(lint_chart, m)?)?;
    m.add_function(wrap_pyfunction!(lint_chart_dir, m)?)?;
    m.add_function(wrap_pyfunction!(lint_chart_dir_async, m)?)?;
    m.add_function(wrap_pyfunction!(chart_lint_rules, m)?)?;
    m.add_function(wrap_pyfunction!(rewrite_chart_versions, m)?)?;
    m.add_function(wrap_pyfunction!(rewrite_chart_dependency_version, m)?)?;
    m.add_function(wrap_pyfunction!(write_chart_versions, m)?)?;
    m.add_function(wrap_pyfunction!(write_chart_dependency_version, m)?)?;
    m.add_function(wrap_pyfunction!(package_chart, m)?)?;
    m.add_function(wrap_pyfunction!(package_chart_async, m)?)?;
    m.add_function(wrap_pyfunction!(release_names, m)?)?;
    m.add_function(wrap_pyfunction!(is_dns1123_label, m)?)?;
    m.add("CHART_FILE", core::CHART_FILE)?;
    m.add("HELMIGNORE", core::HELMIGNORE)?;
    m.add("MAX_RELEASE_NAME_LEN", core::MAX_RELEASE_NAME_LEN)?;
    m.add("MAX_LABEL_LEN", core::MAX_LABEL_LEN)?;
    m.add("CHANGE_CAUSE_ANNOTATION", core::CHANGE_CAUSE_ANNOTATION)?;
    m.add("MAX_CHANGE_CAUSE_LEN", core::MAX_CHANGE_CAUSE_LEN)?;
    Ok(())
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "CHART_FILE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "HELMIGNORE", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "MAX_RELEASE_NAME_LEN", usize);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "MAX_LABEL_LEN", usize);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "CHANGE_CAUSE_ANNOTATION", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "MAX_CHANGE_CAUSE_LEN", usize);
