//! `shiprail.trigger`: does this push or pull request run a pipeline, and why.
//!
//! `Pipeline` is one pipeline file of either dialect (an Azure Pipelines file or a GitHub
//! Actions workflow): `evaluate`, `evaluate_events` (batch, the GIL released), `lint`. Events
//! are `Event` values or plain mappings with the core's JSON keys (read in `conversions`);
//! `ChangedPath`s come from `parse_changed_lines` or are plain paths. Each dialect's pattern
//! language can be queried directly (`azure_pattern_matches`, `github_pattern_matches`, ...).

use crate::conversions::{
    AzureList, Changes, EventArg, EventFields, EventItems, JsonDict, PathArg, RulesArg, Section,
    Strings, hash_of, py_repr, repr_fields, section, serde_name,
};
use crate::error::{BindingError, Result};
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::branch::BranchRules;
use shiprail::trigger::azure::{AzureOptions, PathPattern, RefPattern};
use shiprail::trigger::github::{self, GithubPattern};
use shiprail::trigger::lint::{Finding, LintContext};
use shiprail::trigger::{
    ChangedPath, Decision, Dialect, Event, PipelineFile, TraceStep, event as core_event,
};

/// One changed path, `/`-separated from the repository root.
///
/// `ChangedPath("src/a.cs")` is a modified file; `status` is `added`, `modified`, `deleted` or
/// `renamed` (with `previous_path`, the old path: both sides of a rename count as changed).
/// `parse_changed_lines` reads `git diff --name-status` into a list of them.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "ChangedPath", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyChangedPath(pub(crate) ChangedPath);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyChangedPath {
    /// A changed path; without `status`, a modified file. Raises `EventError` for an unknown
    /// status.
    #[new]
    #[pyo3(signature = (path, status = None, previous_path = None))]
    fn new(path: String, status: Option<&str>, previous_path: Option<String>) -> Result<Self> {
        let mut change = ChangedPath::modified(path);
        if let Some(status) = status {
            change.status = crate::conversions::change_status(status)?;
        }
        change.previous_path = previous_path;
        Ok(PyChangedPath(change))
    }

    /// A modified path: the common case when only names are known.
    #[staticmethod]
    fn modified(path: String) -> Self {
        PyChangedPath(ChangedPath::modified(path))
    }

    /// The path (the new one, for a rename).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// How it changed: `added`, `modified`, `deleted` or `renamed`.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['added', 'modified', 'deleted', 'renamed']",
        imports = ("typing")
    ))]
    fn status(&self) -> String {
        serde_name(&self.0.status)
    }

    /// The old path of a rename, `None` otherwise.
    #[getter]
    fn previous_path(&self) -> Option<&str> {
        self.0.previous_path.as_deref()
    }

    /// Every path the change touches: both sides of a rename.
    fn paths(&self) -> Vec<&str> {
        self.0.paths().collect()
    }

    /// `{"path", "status", "previous_path"?}`, the core's JSON (accepted back in `changed`).
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.path
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ChangedPath",
            "path" => self.0.path.as_str(),
            "status" => serde_name(&self.0.status),
            "previous_path" => self.0.previous_path.as_deref(),
        )
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[ChangedPath], tuple[builtins.str, builtins.str, typing.Optional[builtins.str]]]",
        imports = ("builtins", "typing")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let change = &slf.get().0;
        let args = (
            change.path.as_str(),
            serde_name(&change.status),
            change.previous_path.as_deref(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

/// What happened in the repository: the event a CI system reacts to, evaluated against any
/// dialect.
///
/// Built from keywords (`Event(kind="push", ref="main", changed=["src/a.cs"])`) or from a
/// mapping with the same keys (the core's JSON, which `to_dict()` gives back); keywords replace
/// the mapping's values. `kind` is `push`, `pull_request` (or `pr`), `pull_request_target` or
/// `manual` (or `workflow_dispatch`); `ref` is the ref pushed or the pull request's source
/// branch (a short name is a branch); `base_ref` the pull request's target branch; `changed`
/// the changed paths (`None`: unknown, so path filters exclude nothing); `commit_messages` the
/// pushed commits' messages, newest first (skip markers are read there); `new_branch` whether
/// the push created the branch. `Pipeline.evaluate` also takes the mapping directly. Unknown
/// keys and kinds raise `EventError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Event", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyEvent(pub(crate) Event);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyEvent {
    // The stub of `__new__` is written out below: a parameter named `ref` is `r#ref` in Rust,
    // which the stub generator would print as it is.
    #[new]
    #[gen_stub(skip)]
    #[pyo3(signature = (
        event = None,
        /,
        *,
        kind = None,
        r#ref = None,
        base_ref = None,
        changed = None,
        commit_messages = None,
        new_branch = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        event: Option<EventArg>,
        kind: Option<String>,
        r#ref: Option<String>,
        base_ref: Option<String>,
        changed: Option<Changes>,
        commit_messages: Option<Strings>,
        new_branch: Option<bool>,
    ) -> Result<Self> {
        let fields = EventFields {
            kind,
            reference: r#ref,
            base_ref,
            changed: changed.map(|c| c.0),
            commit_messages: commit_messages.map(|m| m.0),
            new_branch,
        };
        let base = event.map(|e| e.0).unwrap_or_default();
        Ok(PyEvent(fields.apply(base)?))
    }

    /// The kind, `None` when not given (GitHub then takes a push; Azure refuses the event).
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Optional[typing.Literal['push', 'pull_request', 'pull_request_target', 'manual']]",
        imports = ("typing")
    ))]
    fn kind(&self) -> Option<String> {
        self.0.kind.map(|k| k.to_string())
    }

    /// The ref as given (`main`, `refs/tags/v1.0.2`); `""` when not given.
    #[getter]
    #[pyo3(name = "ref")]
    fn reference(&self) -> &str {
        &self.0.git_ref
    }

    /// The pull request's target branch, as given.
    #[getter]
    fn base_ref(&self) -> Option<&str> {
        self.0.base_ref.as_deref()
    }

    /// The changed paths, `None` when unknown.
    #[getter]
    fn changed(&self) -> Option<Vec<PyChangedPath>> {
        self.0
            .changed
            .as_ref()
            .map(|c| c.iter().cloned().map(PyChangedPath).collect())
    }

    /// The commit messages, newest first.
    #[getter]
    fn commit_messages(&self) -> Vec<String> {
        self.0.commit_messages.clone()
    }

    /// Whether the push created the branch.
    #[getter]
    fn new_branch(&self) -> bool {
        self.0.new_branch
    }

    /// The full ref: a name without `refs/` is a branch (`main` -> `refs/heads/main`).
    #[getter]
    fn full_ref(&self) -> String {
        self.0.full_ref()
    }

    /// The full form of the base ref, when there is one.
    #[getter]
    fn full_base_ref(&self) -> Option<String> {
        self.0.full_base_ref()
    }

    /// Whether the ref is a tag (`refs/tags/...`).
    #[getter]
    fn is_tag(&self) -> bool {
        self.0.is_tag()
    }

    /// The core's JSON of the event (absent fields left out), accepted back by `Event(...)`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> Result<String> {
        let dict = JsonDict::of(py, &self.0)?;
        Ok(format!("Event({})", py_repr(py, dict)?))
    }

    #[gen_stub(override_return_type(
        type_repr = "tuple[type[Event], tuple[builtins.dict[builtins.str, typing.Any]]]",
        imports = ("builtins", "typing")
    ))]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> Result<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let dict = JsonDict::of(slf.py(), &slf.get().0)?;
        let args = PyTuple::new(slf.py(), [dict])?;
        Ok((slf.get_type(), args))
    }
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::inventory::submit! {
    pyo3_stub_gen::derive::gen_methods_from_python! {
        r#"
        import builtins
        import collections.abc
        import typing

        class PyEvent:
            def __new__(
                cls,
                event: typing.Optional[Event | collections.abc.Mapping[builtins.str, typing.Any]] = None,
                /,
                *,
                kind: typing.Optional[builtins.str] = None,
                ref: typing.Optional[builtins.str] = None,
                base_ref: typing.Optional[builtins.str] = None,
                changed: typing.Optional[collections.abc.Iterable[ChangedPath | builtins.str | collections.abc.Mapping[builtins.str, typing.Any]]] = None,
                commit_messages: typing.Optional[collections.abc.Iterable[builtins.str]] = None,
                new_branch: typing.Optional[builtins.bool] = None,
            ) -> Event:
                """An event from a mapping and/or keywords (keywords win)."""
        "#
    }
}

/// One step of an evaluation: a subject (a ref, a path, a commit message) checked against a
/// filter.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "TraceStep", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyTraceStep(pub(crate) TraceStep);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyTraceStep {
    /// The filter consulted (`trigger.branches.include`, `on.push.paths-ignore`, ...).
    #[getter]
    fn filter(&self) -> &str {
        &self.0.filter
    }

    /// What was checked: a ref, a path or a commit message.
    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The pattern that matched, `None` when none did.
    #[getter]
    fn pattern(&self) -> Option<&str> {
        self.0.pattern.as_deref()
    }

    /// The outcome: `included`, `excluded`, `no_match`, `skipped`, ...
    #[getter]
    fn outcome(&self) -> &str {
        &self.0.outcome
    }

    /// The dialect's rule that applied, in a sentence.
    #[getter]
    fn rule(&self) -> &str {
        &self.0.rule
    }

    /// `{"filter", "subject", "pattern"?, "outcome", "rule"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "TraceStep",
            "filter" => self.0.filter.as_str(),
            "subject" => self.0.subject.as_str(),
            "pattern" => self.0.pattern.as_deref(),
            "outcome" => self.0.outcome.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(
            &self.0.filter,
            &self.0.subject,
            &self.0.pattern,
            &self.0.outcome,
        ))
    }
}

/// Whether an event runs a pipeline (`run`), why (`reason`, one sentence naming the deciding
/// filter and pattern), and every step of the evaluation (`explain`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Decision", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyDecision(pub(crate) Decision);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyDecision {
    /// Whether the pipeline runs.
    #[getter]
    fn run(&self) -> bool {
        self.0.run
    }

    /// Why, naming the deciding filter and pattern.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Every step of the evaluation, in order.
    #[getter]
    fn explain(&self) -> Vec<PyTraceStep> {
        self.0.explain.iter().cloned().map(PyTraceStep).collect()
    }

    /// `{"run", "reason", "explain": [...]}`, as `shiprail trigger eval` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> &str {
        &self.0.reason
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Decision",
            "run" => self.0.run,
            "reason" => self.0.reason.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(self.0.run, &self.0.reason, self.0.explain.len()))
    }
}

/// One problem the trigger lint found: a filter that can never match, a pattern with a typo.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Finding", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyFinding(pub(crate) Finding);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyFinding {
    /// A stable snake_case code naming the check (`unmatched_branch_pattern`, ...).
    #[getter]
    fn code(&self) -> &str {
        &self.0.code
    }

    /// How serious it is: `error` (cannot work as written), `warning`, `info`.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['error', 'warning', 'info']",
        imports = ("typing")
    ))]
    fn severity(&self) -> &'static str {
        self.0.severity.as_str()
    }

    /// What is wrong, naming the filter and the pattern.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// The pipeline file, when it was loaded from one and the place is known.
    #[getter]
    fn file(&self) -> Option<String> {
        self.0
            .location
            .as_ref()
            .and_then(|l| l.file.as_ref().map(|f| f.display().to_string()))
    }

    /// 1-based line in the pipeline file, when known.
    #[getter]
    fn line(&self) -> Option<u32> {
        self.0.location.as_ref().map(|l| l.line)
    }

    /// 1-based column (in characters), when known.
    #[getter]
    fn column(&self) -> Option<u32> {
        self.0.location.as_ref().map(|l| l.column)
    }

    /// A likely correction, `None` when none is known.
    #[getter]
    fn suggestion(&self) -> Option<&str> {
        self.0.suggestion.as_deref()
    }

    /// `{"code", "severity", "message", "location": {"file"?, "line", "column"} | None,
    /// "suggestion"}`, as `shiprail trigger lint` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Finding",
            "code" => self.0.code.as_str(),
            "severity" => self.0.severity.as_str(),
            "line" => self.0.location.as_ref().map(|l| l.line),
            "suggestion" => self.0.suggestion.as_deref(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.code, &self.0.message, &self.0.location))
    }
}

/// A dialect name (`azure`, `github`, or the aliases the core accepts), parsed by the core.
fn dialect(name: Option<&str>) -> shiprail::Result<Option<Dialect>> {
    name.map(str::parse).transpose()
}

/// The Azure options of a mapping (the core's snake_case keys, read by its serde).
fn azure_options(py: Python<'_>, options: Option<Section<'_>>) -> Result<Option<AzureOptions>> {
    options
        .map(|o| section(py, "Azure options", Some(o), None))
        .transpose()
}

/// The same file with the Azure options applied (a GitHub workflow has none to apply).
fn with_azure(file: PipelineFile, options: Option<AzureOptions>) -> PipelineFile {
    match (file, options) {
        (PipelineFile::Azure(p), Some(options)) => PipelineFile::Azure(p.with_options(options)),
        (file, _) => file,
    }
}

/// A parsed pipeline file of one dialect: an Azure Pipelines file (`trigger:`, `pr:`) or a
/// GitHub Actions workflow (`on:`).
///
/// Ask it whether an event runs it (`evaluate`, `evaluate_events`) and whether its filters can
/// match anything in the repository (`lint`). `azure_options` (a mapping with the core's keys:
/// `{"branch_case_insensitive": True}`, ...) switches between documented Azure behaviours and
/// applies to Azure pipelines only.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, name = "Pipeline", module = "shiprail._native")]
pub(crate) struct PyPipeline(pub(crate) PipelineFile);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyPipeline {
    /// Reads a pipeline file (the GIL is released while it is read and parsed); without
    /// `dialect` (`azure` or `github`) it is detected from the path and the content
    /// (`detect_dialect`). Raises `PipelineError`, `PatternError` or `IoError`, with `file`,
    /// `line` and `column`.
    #[staticmethod]
    #[pyo3(signature = (path, dialect = None, azure_options = None))]
    fn load(
        py: Python<'_>,
        path: PathArg,
        dialect: Option<&str>,
        azure_options: Option<Section<'_>>,
    ) -> Result<Self> {
        let dialect = self::dialect(dialect)?;
        let options = self::azure_options(py, azure_options)?;
        let file = py.detach(|| PipelineFile::load(dialect, &path.0))?;
        Ok(PyPipeline(with_azure(file, options)))
    }

    /// `load` in a worker thread (`asyncio.to_thread`), for `await` in asyncio code:
    /// `await asyncio.gather(*(Pipeline.load_async(p) for p in paths))` reads files
    /// concurrently. Argument types are checked at the call; every other error is raised by
    /// the `await`.
    #[staticmethod]
    #[pyo3(signature = (path, dialect = None, azure_options = None))]
    #[gen_stub(override_return_type(
        type_repr = "collections.abc.Awaitable[Pipeline]",
        imports = ("collections.abc")
    ))]
    fn load_async<'py>(
        py: Python<'py>,
        path: PathArg,
        dialect: Option<String>,
        azure_options: Option<Section<'py>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let load = py.get_type::<PyPipeline>().getattr("load")?;
        let options = azure_options.map(|s| s.0);
        py.import("asyncio")?
            .call_method1("to_thread", (load, path.0, dialect, options))
    }

    /// Parses pipeline text of `dialect` (`azure` or `github`).
    #[staticmethod]
    #[pyo3(signature = (text, dialect, azure_options = None))]
    fn from_yaml(
        py: Python<'_>,
        text: &str,
        dialect: &str,
        azure_options: Option<Section<'_>>,
    ) -> Result<Self> {
        let dialect: Dialect = dialect.parse()?;
        let options = self::azure_options(py, azure_options)?;
        let file = PipelineFile::from_yaml_str(dialect, text)?;
        Ok(PyPipeline(with_azure(file, options)))
    }

    /// The file the pipeline was read from (`None` for text from `from_yaml`); lint findings
    /// name it in `Finding.file`.
    #[getter]
    fn path(&self) -> Option<std::path::PathBuf> {
        self.0.path().map(std::path::Path::to_path_buf)
    }

    /// The file's dialect.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['azure', 'github']",
        imports = ("typing")
    ))]
    fn dialect(&self) -> &'static str {
        self.0.dialect().as_str()
    }

    /// The options an Azure pipeline is evaluated with (every key, defaults included); `None`
    /// for a GitHub workflow.
    #[getter]
    fn azure_options(&self, py: Python<'_>) -> Result<Option<JsonDict>> {
        match &self.0 {
            PipelineFile::Azure(p) => JsonDict::of(py, p.options()).map(Some),
            _ => Ok(None),
        }
    }

    /// The events a GitHub workflow declares under `on:`, in file order; `None` for an Azure
    /// pipeline (which has no such list).
    #[getter]
    fn events(&self) -> Option<Vec<String>> {
        match &self.0 {
            PipelineFile::Github(w) => Some(w.events().to_vec()),
            _ => None,
        }
    }

    /// Whether `event` (an `Event` or a mapping of its fields) runs the pipeline, why, and
    /// every filter consulted. Raises `EventError` for an event the dialect cannot judge (a
    /// pull request without `base_ref`, an Azure event without `kind`).
    fn evaluate(&self, event: EventArg) -> Result<PyDecision> {
        Ok(PyDecision(self.0.evaluate(&event.0)?))
    }

    /// Evaluates many events in one call, the GIL released: one result per event, in order,
    /// each a `Decision` or the `ShiprailError` that `evaluate` would raise for it (as
    /// `BranchRules.classify_many`). A value that is not an event at all raises `TypeError`.
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[Decision | exceptions.ShiprailError]",
        imports = ("builtins", "shiprail.exceptions")
    ))]
    fn evaluate_events(&self, py: Python<'_>, events: EventItems) -> Result<Vec<Py<PyAny>>> {
        let file = &self.0;
        let outcomes: Vec<shiprail::Result<Decision>> = py.detach(|| {
            events
                .0
                .into_iter()
                .map(|event| event.and_then(|e| file.evaluate(&e)))
                .collect()
        });
        outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Ok(decision) => Ok(Py::new(py, PyDecision(decision))?.into_any()),
                Err(err) => Ok(PyErr::from(BindingError::Core(err))
                    .into_value(py)
                    .into_any()),
            })
            .collect()
    }

    /// The dialect's findings about the file: filters that match no branch the rules allow
    /// (`branch_rules`: a `BranchRules` or the `branches:` mapping; default rules when
    /// omitted), no declared service (`services`; empty: any well-formed name), or, when
    /// `repo_paths` (every file of the repository, `/`-separated) is given, no file. Pass
    /// `config.branches` and `config.service_names()` of a loaded `Config`.
    #[pyo3(
        signature = (branch_rules = None, services = Strings(Vec::new()), repo_paths = None),
        // PyO3 writes a default it cannot render as `...`; the stub and `help()` show `()`.
        text_signature = "(self, /, branch_rules=None, services=(), repo_paths=None)"
    )]
    fn lint(
        &self,
        py: Python<'_>,
        branch_rules: Option<RulesArg>,
        services: Strings,
        repo_paths: Option<Strings>,
    ) -> Vec<PyFinding> {
        let rules: BranchRules = branch_rules.map(|r| r.0).unwrap_or_default();
        let mut context = LintContext::new(&rules, services.0);
        if let Some(paths) = repo_paths {
            context = context.with_repo_paths(paths.0);
        }
        let file = &self.0;
        let findings = py.detach(|| file.lint(&context));
        findings.into_iter().map(PyFinding).collect()
    }

    fn __repr__(&self) -> String {
        format!("Pipeline(dialect='{}')", self.0.dialect())
    }
}

/// The full form of a ref: a name without `refs/` is a branch (`main` -> `refs/heads/main`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn full_ref(name: &str) -> String {
    core_event::full_ref(name)
}

/// Reads a changed-path list, one a line: bare paths (modified) or the lines of `git diff
/// --name-status` (`M\tpath`, `R100\told\tnew`, ...), blank lines skipped. The result can be
/// passed as an `Event`'s `changed`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_changed_lines(text: &str) -> Vec<PyChangedPath> {
    core_event::parse_changed_lines(text)
        .into_iter()
        .map(PyChangedPath)
        .collect()
}

/// The dialect of a pipeline file: GitHub Actions for a file under `.github/workflows/` or a
/// document with a top-level `on:`, Azure Pipelines otherwise.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pyfunction]
#[gen_stub(override_return_type(
    type_repr = "typing.Literal['azure', 'github']",
    imports = ("typing")
))]
fn detect_dialect(path: PathArg, text: &str) -> &'static str {
    Dialect::detect(&path.0, text).as_str()
}

/// Whether each subject matches an Azure Pipelines filter entry of list `kind`: `branch` and
/// `tag` entries match refs (a subject without `refs/` is a branch, as `full_ref`), `path`
/// entries match repository paths (the entry's folder and everything under it). Of `options`
/// (the Azure options mapping), `branch_case_insensitive` and `path_star_crosses_slash` apply.
/// Raises `PatternError` for a malformed entry.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (kind, pattern, subjects, options = None))]
fn azure_pattern_matches(
    py: Python<'_>,
    kind: AzureList,
    pattern: &str,
    subjects: Strings,
    options: Option<Section<'_>>,
) -> Result<Vec<bool>> {
    let options = azure_options(py, options)?.unwrap_or_default();
    let subjects = subjects.0;
    Ok(match kind {
        AzureList::Ref(kind) => {
            let compiled = RefPattern::new(pattern, kind)?;
            let case_insensitive = options.branch_case_insensitive;
            py.detach(|| {
                subjects
                    .iter()
                    .map(|s| compiled.matches(&core_event::full_ref(s), case_insensitive))
                    .collect()
            })
        }
        AzureList::Path => {
            let compiled = PathPattern::new(pattern)?;
            let crosses = options.path_star_crosses_slash;
            py.detach(|| {
                subjects
                    .iter()
                    .map(|s| compiled.matches(s, crosses))
                    .collect()
            })
        }
    })
}

/// Whether a GitHub Actions filter pattern's body matches each subject (a branch or tag name,
/// or a repository path), one result per subject. A leading `!` negates within the list that
/// holds the pattern: the body's match is reported. Raises `PatternError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn github_pattern_matches(py: Python<'_>, pattern: &str, subjects: Strings) -> Result<Vec<bool>> {
    let pattern = GithubPattern::parse(pattern)?;
    let subjects = subjects.0;
    Ok(py.detach(|| subjects.iter().map(|s| pattern.is_match(s)).collect()))
}

/// The anchored regular expression (Rust `regex` syntax) a GitHub pattern's body compiles to.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn github_pattern_to_regex(pattern: &str) -> Result<String> {
    Ok(GithubPattern::parse(pattern)?.to_regex())
}

/// The equivalent glob (`/` matched literally) of a GitHub pattern's body, `None` when there
/// is none (`?` and `+` quantifiers, `**` inside a segment, ...).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn github_pattern_as_glob(pattern: &str) -> Result<Option<String>> {
    Ok(GithubPattern::parse(pattern)?.as_glob())
}

/// `text` with GitHub's pattern characters escaped, so a pattern matches exactly `text`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn github_pattern_escape(text: &str) -> String {
    GithubPattern::escape(text)
}

/// The skip instruction of a HEAD commit message under GitHub's rules (`[skip ci]`, a
/// `skip-checks: true` trailer, ...), `None` when it has none.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn github_skip_instruction(message: &str) -> Option<&'static str> {
    github::skip_instruction(message)
}

/// Registers the trigger classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyChangedPath>()?;
    m.add_class::<PyEvent>()?;
    m.add_class::<PyTraceStep>()?;
    m.add_class::<PyDecision>()?;
    m.add_class::<PyFinding>()?;
    m.add_class::<PyPipeline>()?;
    m.add_function(wrap_pyfunction!(full_ref, m)?)?;
    m.add_function(wrap_pyfunction!(parse_changed_lines, m)?)?;
    m.add_function(wrap_pyfunction!(detect_dialect, m)?)?;
    m.add_function(wrap_pyfunction!(azure_pattern_matches, m)?)?;
    m.add_function(wrap_pyfunction!(github_pattern_matches, m)?)?;
    m.add_function(wrap_pyfunction!(github_pattern_to_regex, m)?)?;
    m.add_function(wrap_pyfunction!(github_pattern_as_glob, m)?)?;
    m.add_function(wrap_pyfunction!(github_pattern_escape, m)?)?;
    m.add_function(wrap_pyfunction!(github_skip_instruction, m)?)?;
    Ok(())
}
