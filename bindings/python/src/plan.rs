//! `shiprail.plan`: what an event runs (`Config.plan` → `Plan`), the plan's variables for a CI
//! system (`Plan.render`), the release lint (`lint_release`), and the run record of one release
//! (`ReleaseState`: gates, approvals, promotions, deployments, what may run next, the rollback
//! plan and the hash-chained audit trail).
//!
//! The plan, its steps and the answers of the state (`next`, `rollback_plan`, audit entries)
//! are the core's JSON as plain Python data: what `shiprail plan` and `shiprail release ...`
//! print. Times are RFC 3339 strings or `datetime.datetime`s (read by the core's parser), and
//! `None` is now.

use crate::config::PyConfig;
use crate::conversions::{JsonDict, PathArg, Seconds, TimeText, repr_fields};
use crate::error::Result;
use pyo3::prelude::*;
use pyo3::types::PyDict;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::{PyStubType, TypeInfo};
use shiprail::config::Duration;
use shiprail::plan::{
    CiFormat, GateResult, InitOptions, LintFinding, Plan, ReleaseState, Timestamp, ci, lint,
};

/// A point in time: an RFC 3339 `str` (`2024-06-11T09:30:00Z`, an offset is converted to UTC)
/// or an aware `datetime.datetime` (written with `isoformat()`); both read by the core's parser,
/// so a naive datetime or a malformed string is an `EventError`.
pub(crate) struct TimeArg(pub(crate) Timestamp);

impl<'a, 'py> FromPyObject<'a, 'py> for TimeArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let TimeText(text) = obj.extract()?;
        text.parse::<Timestamp>()
            .map(TimeArg)
            .map_err(|e| crate::error::BindingError::Core(e).into())
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for TimeArg {
    fn type_output() -> TypeInfo {
        TimeText::type_output()
    }

    fn type_input() -> TypeInfo {
        TimeText::type_input()
    }
}

/// The time given, or now.
fn time_or_now(at: Option<TimeArg>) -> Timestamp {
    at.map_or_else(Timestamp::now, |t| t.0)
}

/// What an event runs: the pipeline kind, and per service the stages and steps with their
/// inputs, the steps they need and the gates in front of them (`Config.plan`).
///
/// The attributes and `to_dict()` are the core's JSON, as `shiprail plan` prints it;
/// `to_json()` is the file `shiprail plan --save` writes, which `Plan.from_json` and
/// `shiprail release init --plan` read back. `render(format)` gives the variables of a CI
/// system. An event nothing runs for is a plan too: `run` is false and `reason` says why.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Plan", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyPlan(pub(crate) Plan);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyPlan {
    /// Reads a plan from its JSON form (`shiprail plan --save`, `to_json()`); a newer format
    /// is a `StateError` (`state_version`), JSON that does not fit a `ConfigError`.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(PyPlan(Plan::from_json(text)?))
    }

    /// Reads a plan file (`shiprail plan --save FILE`, `to_json()` written out); errors name
    /// the file (`IoError`, `ConfigError` for text that is not UTF-8, and those of
    /// `from_json`).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathArg) -> Result<Self> {
        Ok(PyPlan(py.detach(|| Plan::load(&path.0))?))
    }

    /// The JSON Schema of the plan (`docs/plan.schema.json`).
    #[staticmethod]
    fn json_schema(py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &Plan::json_schema())
    }

    /// The format version of the plan's JSON.
    #[getter]
    fn format(&self) -> u32 {
        self.0.format
    }

    /// The event planned for: `{"kind", "ref", "base_ref", "commit", "changed_paths"}` (full
    /// refs; a push of a tag is a `tag`).
    #[getter]
    fn event(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.event)
    }

    /// The pipeline kind run (`release`), or `None` when no rule matched or one said `none`.
    #[getter]
    fn pipeline(&self) -> Option<&str> {
        self.0.pipeline.as_deref()
    }

    /// Whether anything runs.
    #[getter]
    fn run(&self) -> bool {
        self.0.run
    }

    /// Why this pipeline runs, or why nothing does.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The classified branch (`{"name", "kind", "service", "version"}`), when the event has one.
    #[getter]
    fn branch(&self, py: Python<'_>) -> Result<Option<JsonDict>> {
        self.0
            .branch
            .as_ref()
            .map(|v| JsonDict::of(py, v))
            .transpose()
    }

    /// The release of a versioned event (`{"service", "version", "image_tag", "image",
    /// "chart_version", "app_version", "git_tag", "release_name"}`), else `None`.
    #[getter]
    fn release(&self, py: Python<'_>) -> Result<Option<JsonDict>> {
        self.0
            .release
            .as_ref()
            .map(|v| JsonDict::of(py, v))
            .transpose()
    }

    /// The environments deployed to, in order.
    #[getter]
    fn environments(&self) -> Vec<&str> {
        self.0.environments.iter().map(String::as_str).collect()
    }

    /// One plan per service, sorted by service: `{"service", "reason", "image_repository",
    /// "image", "chart", "stages": [{"id", "environment", "needs", "steps": [...]}]}`.
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[builtins.dict[builtins.str, typing.Any]]",
        imports = ("builtins", "typing")
    ))]
    #[getter]
    fn services(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.services)
    }

    /// What was left out and why (an environment this branch may not deploy to, ...).
    #[getter]
    fn notes(&self) -> Vec<&str> {
        self.0.notes.iter().map(String::as_str).collect()
    }

    /// The plan of one service, or `None` when it is not planned.
    fn service(&self, py: Python<'_>, name: &str) -> Result<Option<JsonDict>> {
        self.0
            .service(name)
            .map(|v| JsonDict::of(py, v))
            .transpose()
    }

    /// The step with this id (`delivery/prod/deploy`), in any service, or `None`: `{"id",
    /// "action", "needs", "gates", "inputs"}`.
    fn step(&self, py: Python<'_>, id: &str) -> Result<Option<JsonDict>> {
        self.0.step(id).map(|v| JsonDict::of(py, v)).transpose()
    }

    /// The plan in brief, as `shiprail plan --output outline` prints it: `{"pipeline", "run",
    /// "reason", "services": {service: ["stage/action [gate, ...]", ...]}}`.
    fn outline(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.outline())
    }

    /// The variables a CI system reads, by name in output order (a `dict` in output order: `run`, `pipeline`, `reason`,
    /// `services`, `service_list`, `matrix`, and for a release `service`, `version`, `image`,
    /// ..., `environments`); `format` (`github`, `azure` or `gitlab`) shapes `matrix`.
    #[gen_stub(override_return_type(
        type_repr = "builtins.dict[builtins.str, builtins.str]",
        imports = ("builtins",)
    ))]
    fn variables<'py>(&self, py: Python<'py>, format: &str) -> Result<Bound<'py, PyDict>> {
        let format: CiFormat = format.parse()?;
        let variables = PyDict::new(py);
        for (name, value) in ci::variables(&self.0, format) {
            variables.set_item(name, value)?;
        }
        Ok(variables)
    }

    /// The variables as a CI system takes them (`shiprail plan --output github|azure|gitlab`):
    /// `name=value` lines for `$GITHUB_OUTPUT`, Azure Pipelines `##vso[task.setvariable]`
    /// commands, or a GitLab dotenv report; every line ends with a newline. An unknown format
    /// is a `PipelineError`.
    fn render(&self, format: &str) -> Result<String> {
        let format: CiFormat = format.parse()?;
        Ok(ci::render(&self.0, format))
    }

    /// The whole plan, as `shiprail plan` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    /// The whole plan as pretty JSON with a final newline, the file `shiprail plan --save`
    /// writes.
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.0).unwrap_or_default() + "\n"
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Plan",
            "pipeline" => self.0.pipeline.as_deref(),
            "run" => self.0.run,
            "services" => self.0.services.iter().map(|s| s.service.as_str()).collect::<Vec<_>>(),
        )
    }
}

/// One finding of the release lint (`lint_release`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ReleaseFinding", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReleaseFinding(pub(crate) LintFinding);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyReleaseFinding {
    /// The rule broken (`shared_cluster`, `production_data`, `mutable_tag`,
    /// `ungated_environment`, `no_approval`, `any_branch`, `no_promotion`,
    /// `deploy_on_pull_request`).
    #[getter]
    fn rule(&self) -> String {
        crate::conversions::serde_name(&self.0.rule)
    }

    /// `error` or `warning`.
    #[getter]
    fn severity(&self) -> String {
        crate::conversions::serde_name(&self.0.severity)
    }

    /// Where in `shiprail.yaml` (`environments.prod.cluster`).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// What is wrong and how to fix it.
    #[getter]
    fn message(&self) -> &str {
        &self.0.message
    }

    /// `{"rule", "severity", "path", "message"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ReleaseFinding",
            "rule" => self.rule(),
            "severity" => self.severity(),
            "path" => self.0.path.as_str(),
        )
    }

    fn __hash__(&self) -> u64 {
        crate::conversions::hash_of(&(&self.0.rule, &self.0.path, &self.0.message))
    }
}

/// Checks the release configuration beyond what loading checks (`shiprail release lint`):
/// production isolation, production data in dev/test, `latest`, environments a release reaches
/// without the gates before them. Findings are sorted by path; an `error` breaks a release
/// rule.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn lint_release(config: PyRef<'_, PyConfig>) -> Vec<PyReleaseFinding> {
    lint(&config.0).into_iter().map(PyReleaseFinding).collect()
}

/// The run record of one release as it moves through its plan, with an append-only,
/// hash-chained audit trail (`shiprail release ...`).
///
/// `ReleaseState(plan, author=...)` starts one from a versioned plan; `record_gate`,
/// `record_approval`, `record_promotion` and `record_deployment` record what happened, each
/// refused (and nothing recorded) unless its step may run (`PolicyError`: `gate_not_passed`,
/// `approval_missing`, `approval_refused`; `ClobberError` when `image_push` is recorded with
/// another digest); `next()` says what may run now. `save(path)` writes it atomically and
/// `ReleaseState.load(path)` reads it back, checking the hash chain (`StateError`:
/// `state_tampered`, `state_version`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(eq, name = "ReleaseState", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReleaseState(pub(crate) ReleaseState);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyReleaseState {
    /// A new state for the release of `plan` (a release branch or tag; other plans are a
    /// `BranchError`), its audit trail started with an `init` entry by `actor` (default the
    /// author, else `shiprail`) at `at` (default now). `service` picks one of several planned
    /// services; `previous` is the state of the release before, whose deployments become the
    /// rollback targets.
    #[new]
    #[pyo3(signature = (plan, *, author = None, actor = None, at = None, previous = None, service = None))]
    fn new(
        plan: PyRef<'_, PyPlan>,
        author: Option<String>,
        actor: Option<String>,
        at: Option<TimeArg>,
        previous: Option<PyRef<'_, PyReleaseState>>,
        service: Option<String>,
    ) -> Result<Self> {
        let options = InitOptions {
            service,
            author,
            actor,
            at: at.map(|t| t.0),
            previous: previous.map(|p| p.0.clone()),
        };
        Ok(PyReleaseState(ReleaseState::new(&plan.0, options)?))
    }

    /// Reads a state from JSON text and checks its hash chain (`StateError`).
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self> {
        Ok(PyReleaseState(ReleaseState::from_json(text)?))
    }

    /// Reads and checks a state file (`StateError` names the file).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathArg) -> Result<Self> {
        Ok(PyReleaseState(py.detach(|| ReleaseState::load(&path.0))?))
    }

    /// Writes the state atomically: a temporary file beside `path`, flushed, then renamed
    /// over it.
    fn save(&self, py: Python<'_>, path: PathArg) -> Result<()> {
        let state = &self.0;
        Ok(py.detach(|| state.save(&path.0))?)
    }

    /// The state as pretty JSON, as `save` writes it.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The state as the core's JSON: `{"format", "release", "author", "commit", "plan",
    /// "previous", "audit"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    /// Checks the audit trail (numbering, hashes, the chain, the `init` entry over the plan);
    /// raises `StateError`.
    fn verify(&self) -> Result<()> {
        Ok(self.0.verify()?)
    }

    /// The format version of the state.
    #[getter]
    fn format(&self) -> u32 {
        self.0.format
    }

    /// The release: `{"service", "version", "image_tag", "image", ..., "release_name"}`.
    #[getter]
    fn release(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.release)
    }

    /// Who started the release, if known.
    #[getter]
    fn author(&self) -> Option<&str> {
        self.0.author.as_deref()
    }

    /// The commit released, if known.
    #[getter]
    fn commit(&self) -> Option<&str> {
        self.0.commit.as_deref()
    }

    /// The release's plan: its service's stages and steps (as in `Plan.services`).
    #[getter]
    fn plan(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.plan)
    }

    /// What ran in each environment before this release (the rollback targets), by
    /// environment.
    #[getter]
    fn previous(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.previous)
    }

    /// The audit trail, oldest first: `{"seq", "at", "actor", "commit", "action", ..., "prev",
    /// "hash"}` each.
    #[gen_stub(override_return_type(
        type_repr = "builtins.list[builtins.dict[builtins.str, typing.Any]]",
        imports = ("builtins", "typing")
    ))]
    #[getter]
    fn audit(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.audit)
    }

    /// The digest of the release's image: the one `image_push` recorded (else the first one
    /// deployed), `None` before.
    #[getter]
    fn digest(&self) -> Option<&str> {
        self.0.digest()
    }

    /// The audit trail as JSON lines, one entry a line (`shiprail release audit --jsonl`).
    fn audit_json_lines(&self) -> String {
        self.0.audit_json_lines()
    }

    /// Records a step's result (a CI step such as `ci/image_push`, or an environment's
    /// `qa/verify`; the service prefix is optional): `result` is `passed` or `failed`,
    /// `digest` the image digest (required for `image_push`). Returns the audit entry.
    #[pyo3(signature = (step, result = "passed", *, by, digest = None, at = None))]
    fn record_gate(
        &mut self,
        py: Python<'_>,
        step: &str,
        result: &str,
        by: &str,
        digest: Option<&str>,
        at: Option<TimeArg>,
    ) -> Result<JsonDict> {
        let result: GateResult = result.parse()?;
        let at = time_or_now(at);
        let entry = self.0.record_gate(step, result, digest, by, at)?;
        JsonDict::of(py, entry)
    }

    /// Records an approval of `digest` for `environment` by the reviewer `by`. Returns the
    /// audit entry.
    #[pyo3(signature = (environment, digest, *, by, comment = None, at = None))]
    fn record_approval(
        &mut self,
        py: Python<'_>,
        environment: &str,
        digest: &str,
        by: &str,
        comment: Option<&str>,
        at: Option<TimeArg>,
    ) -> Result<JsonDict> {
        let at = time_or_now(at);
        let entry = self
            .0
            .record_approval(environment, digest, by, comment, at)?;
        JsonDict::of(py, entry)
    }

    /// Records the promotion of `digest` into `environment`'s registry namespace. Returns the
    /// audit entry.
    #[pyo3(signature = (environment, digest, *, by, at = None))]
    fn record_promotion(
        &mut self,
        py: Python<'_>,
        environment: &str,
        digest: &str,
        by: &str,
        at: Option<TimeArg>,
    ) -> Result<JsonDict> {
        let at = time_or_now(at);
        let entry = self.0.record_promotion(environment, digest, by, at)?;
        JsonDict::of(py, entry)
    }

    /// Records a deployment of `digest` to `environment`. Returns the audit entry.
    #[pyo3(signature = (environment, digest, *, by, at = None))]
    fn record_deployment(
        &mut self,
        py: Python<'_>,
        environment: &str,
        digest: &str,
        by: &str,
        at: Option<TimeArg>,
    ) -> Result<JsonDict> {
        let at = time_or_now(at);
        let entry = self.0.record_deployment(environment, digest, by, at)?;
        JsonDict::of(py, entry)
    }

    /// What may run at `at` (default now), as `shiprail release next` prints it: `{"service",
    /// "version", "digest", "ready": [step, ...], "complete", "steps": [{"step", "action",
    /// "status", "why"}]}` (status `done`, `ready`, `blocked` or `failed`).
    #[pyo3(signature = (at = None))]
    fn next(&self, py: Python<'_>, at: Option<TimeArg>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.next(time_or_now(at)))
    }

    /// The environments this release was deployed to, in plan order.
    fn deployed_environments(&self) -> Vec<String> {
        self.0.deployed_environments()
    }

    /// This release's latest deployment in `environment` (`{"environment", "service",
    /// "version", "release_name", "chart_version", ..., "image", "digest", "at"}`), or `None`.
    fn deployment(&self, py: Python<'_>, environment: &str) -> Result<Option<JsonDict>> {
        self.0
            .deployment(environment)
            .map(|v| JsonDict::of(py, &v))
            .transpose()
    }

    /// How to return `environment` to what ran there before this release (`shiprail release
    /// rollback-plan`): `{"environment", "current", "previous", "steps": [{"action", "inputs"}],
    /// "notes"}`; an environment the plan does not deploy to is an `UnknownNameError`.
    fn rollback_plan(&self, py: Python<'_>, environment: &str) -> Result<JsonDict> {
        JsonDict::of(py, &self.0.rollback_plan(environment)?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "ReleaseState",
            "service" => self.0.release.service.as_str(),
            "version" => self.0.release.version.as_str(),
            "entries" => self.0.audit().len(),
        )
    }
}

/// A duration as `shiprail.yaml` writes it (`30d`, `72h`, `1h30m`, `0s`: whole units, largest
/// first) as a `datetime.timedelta`; anything else is a `ConfigError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_duration(text: &str) -> Result<std::time::Duration> {
    let duration: Duration = text.parse()?;
    Ok(std::time::Duration::from_secs(duration.as_secs()))
}

/// A duration (`datetime.timedelta` or seconds) written as `shiprail.yaml` writes it, in whole
/// seconds with the largest units (`5400` → `1h30m`); capped at 3,650 days.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn format_duration(duration: Seconds) -> String {
    Duration::from_secs(duration.0.as_secs()).to_string()
}

/// Registers the plan classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPlan>()?;
    m.add_class::<PyReleaseFinding>()?;
    m.add_class::<PyReleaseState>()?;
    m.add_function(wrap_pyfunction!(lint_release, m)?)?;
    m.add_function(wrap_pyfunction!(parse_duration, m)?)?;
    m.add_function(wrap_pyfunction!(format_duration, m)?)?;
    Ok(())
}
