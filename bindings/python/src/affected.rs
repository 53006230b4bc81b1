//! `shiprail.affected` and `shiprail.changes`: which services a change set affects, and the
//! change sets themselves, read from git.
//!
//! `Config.affected(changed)` answers for a loaded configuration; `AffectedMatcher` is the
//! compiled matcher itself (build it once, ask it many times; from a `Config` or from
//! `ServiceRules` written in Python). `Git` and the functions `changed_between`,
//! `changed_for_pull_request`, `changed_for_new_branch` and `repository_files` read git;
//! `lint_config` checks `shiprail.yaml` against the repository's files. Matching and git run
//! with the GIL released.

use crate::config::PyConfig;
use crate::conversions::{
    Data, JsonDict, PathArg, Patterns, Strings, hash_of, py_repr, repr_fields,
};
use crate::error::Result;
use crate::trigger::{PyChangedPath, PyFinding};
use pyo3::prelude::*;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::{gen_stub_pyclass, gen_stub_pyfunction, gen_stub_pymethods};
use shiprail::affected::{
    self as core, Affected, AffectedMatcher, Overlap, Pattern, PatternSource, Reason, ServiceRules,
};
use shiprail::changes::{self, Git};
use shiprail::config::PathGlob;
use shiprail::trigger::ChangedPath;

/// A glob as `shiprail.yaml` writes it (GitHub Actions syntax), compiled as the configuration
/// compiles it.
pub(crate) fn path_glob(text: &str) -> Result<Pattern> {
    let glob: PathGlob = text.parse()?;
    Ok(Pattern::from_path_glob(&glob))
}

/// One path pattern of a service: the text shown in explanations, and how it is matched.
///
/// `Pattern(text)` is a glob as `shiprail.yaml` writes it (GitHub Actions syntax: `*` within a
/// segment, `**` across, dotfiles matched); `Pattern.glob(text)` a glob in the set matcher's
/// own syntax, compiled as written; `Pattern.regex(text, regex)` a pattern shown as `text`
/// and matched by a regular expression against the whole path. Malformed globs raise
/// `PatternError` here or, for `glob` and `regex`, when the matcher is built.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, hash, name = "Pattern", module = "shiprail._native")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyPattern(pub(crate) Pattern);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyPattern {
    /// A glob as `shiprail.yaml` writes it.
    #[new]
    fn new(text: &str) -> Result<Self> {
        Ok(PyPattern(path_glob(text)?))
    }

    /// A glob in the set matcher's syntax (`/` literal, `**` across segments), shown and
    /// compiled as written.
    #[staticmethod]
    fn glob(text: &str) -> Self {
        PyPattern(Pattern::glob(text))
    }

    /// A pattern shown as `text`, matched by the regular expression `regex` (Rust `regex`
    /// syntax, anchored at both ends).
    #[staticmethod]
    fn regex(text: &str, regex: &str) -> Self {
        PyPattern(Pattern::regex(text, regex))
    }

    /// The pattern as written (what explanations show).
    #[getter]
    fn text(&self) -> &str {
        self.0.as_str()
    }

    /// How it is compiled: `glob` or `regex`.
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['glob', 'regex']",
        imports = ("typing")
    ))]
    fn kind(&self) -> &'static str {
        match self.0.source() {
            PatternSource::Regex(_) => "regex",
            _ => "glob",
        }
    }

    /// What is compiled: the glob or the regular expression.
    #[getter]
    fn source(&self) -> &str {
        match self.0.source() {
            PatternSource::Glob(s) | PatternSource::Regex(s) => s,
            _ => "",
        }
    }

    fn __str__(&self) -> &str {
        self.0.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Pattern",
            "text" => self.0.as_str(),
            "kind" => self.kind(),
            "source" => self.source(),
        )
    }
}

/// The path rules of one service, as the matcher takes them: `include` (its paths),
/// `exclude` (paths that never affect it), `depends_on_paths` (shared paths whose changes
/// affect it) and `depends_on_services` (services whose being affected affects it). Patterns
/// are `Pattern`s or strings (globs as `shiprail.yaml` writes them).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "ServiceRules", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyServiceRules(pub(crate) ServiceRules);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyServiceRules {
    /// The rules of service `name`.
    #[new]
    #[pyo3(signature = (
        name,
        *,
        include = Patterns(Vec::new()),
        exclude = Patterns(Vec::new()),
        depends_on_paths = Patterns(Vec::new()),
        depends_on_services = Strings(Vec::new())
    ))]
    #[pyo3(
        text_signature = "(name, *, include=(), exclude=(), depends_on_paths=(), depends_on_services=())"
    )]
    fn new(
        name: String,
        include: Patterns,
        exclude: Patterns,
        depends_on_paths: Patterns,
        depends_on_services: Strings,
    ) -> Self {
        let mut rules = ServiceRules::new(name);
        rules.include = include.0;
        rules.exclude = exclude.0;
        rules.depends_on_paths = depends_on_paths.0;
        rules.depends_on_services = depends_on_services.0;
        PyServiceRules(rules)
    }

    /// The service name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Paths that belong to the service.
    #[getter]
    fn include(&self) -> Vec<PyPattern> {
        self.0.include.iter().cloned().map(PyPattern).collect()
    }

    /// Paths that never affect it.
    #[getter]
    fn exclude(&self) -> Vec<PyPattern> {
        self.0.exclude.iter().cloned().map(PyPattern).collect()
    }

    /// Shared paths whose changes affect it.
    #[getter]
    fn depends_on_paths(&self) -> Vec<PyPattern> {
        self.0
            .depends_on_paths
            .iter()
            .cloned()
            .map(PyPattern)
            .collect()
    }

    /// Services whose being affected affects it.
    #[getter]
    fn depends_on_services(&self) -> Vec<String> {
        self.0.depends_on_services.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let texts = |patterns: &[Pattern]| -> Vec<String> {
            patterns.iter().map(|p| p.as_str().to_string()).collect()
        };
        repr_fields!(py, "ServiceRules",
            "name" => self.0.name.as_str(),
            "include" => texts(&self.0.include),
            "exclude" => texts(&self.0.exclude),
            "depends_on_paths" => texts(&self.0.depends_on_paths),
            "depends_on_services" => self.0.depends_on_services.clone(),
        )
    }
}

/// Why one service is affected: the first changed path (in input order) that affected it and
/// the first of its globs that matched it, or, for a service affected through
/// `depends_on: {service: ...}`, the chain of services (`via`) down to the one the path
/// affected.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Reason", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyReason(pub(crate) Reason);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]
#[pymethods]
impl PyReason {
    /// The affected service.
    #[getter]
    fn service(&self) -> &str {
        &self.0.service
    }

    /// The changed path that affected it (or the last service of `via`).
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// The glob, as written, that matched the path.
    #[getter]
    fn pattern(&self) -> &str {
        &self.0.pattern
    }

    /// Whether the glob is an include (`paths.include`) or a shared path (`depends_on`).
    #[getter]
    #[gen_stub(override_return_type(
        type_repr = "typing.Literal['paths.include', 'depends_on']",
        imports = ("typing")
    ))]
    fn matched_by(&self) -> String {
        crate::conversions::serde_name(&self.0.matched_by)
    }

    /// The services depended on, from the service's own dependency to the one the path
    /// affected; empty when the path affected the service itself.
    #[getter]
    fn via(&self) -> Vec<String> {
        self.0.via.clone()
    }

    /// `{"service", "path", "pattern", "matched_by", "via"?}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Reason",
            "service" => self.0.service.as_str(),
            "path" => self.0.path.as_str(),
            "pattern" => self.0.pattern.as_str(),
            "matched_by" => self.matched_by(),
            "via" => self.0.via.clone(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.service, &self.0.path, &self.0.pattern, &self.0.via))
    }
}

/// The services a change set affects, sorted by name, and (when asked for) one `Reason` per
/// service in the same order.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Affected", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyAffected(pub(crate) Affected);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyAffected {
    /// The affected services, sorted.
    #[getter]
    fn services(&self) -> Vec<String> {
        self.0.services.clone()
    }

    /// One reason per affected service (empty unless `explain` was asked for).
    #[getter]
    fn explain(&self) -> Vec<PyReason> {
        self.0.explain.iter().cloned().map(PyReason).collect()
    }

    /// `{"services": [...], "explain"?: [...]}`, as `shiprail affected` prints it.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Affected(services={})",
            py_repr(py, self.0.services.clone())?
        ))
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0.services)
    }
}

/// A repository path that two or more services claim (an include matches it and none of the
/// service's excludes does).
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Overlap", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyOverlap(pub(crate) Overlap);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyOverlap {
    /// The path.
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }

    /// The services that claim it, sorted.
    #[getter]
    fn services(&self) -> Vec<String> {
        self.0.services.clone()
    }

    /// `{"path", "services"}`.
    fn to_dict(&self, py: Python<'_>) -> Result<JsonDict> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_fields!(py, "Overlap",
            "path" => self.0.path.as_str(),
            "services" => self.0.services.clone(),
        )
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.0.path, &self.0.services))
    }
}

/// The path rules of every service compiled into one matcher: each changed path is examined
/// once, whatever the number of services, and identical globs of several services are
/// compiled once. Build it once (from a `Config`, or with `from_rules`) and ask it many times;
/// the questions run with the GIL released.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, name = "AffectedMatcher", module = "shiprail._native")]
pub(crate) struct PyAffectedMatcher(pub(crate) AffectedMatcher);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyAffectedMatcher {
    /// Compiles the path rules of every service of `config`.
    #[new]
    fn new(py: Python<'_>, config: &PyConfig) -> Result<Self> {
        let config = &config.0;
        Ok(PyAffectedMatcher(
            py.detach(|| AffectedMatcher::new(config))?,
        ))
    }

    /// Compiles rules written in Python (any iterable of `ServiceRules`). Service names must
    /// be unique and every service in `depends_on_services` among them (`ConfigError`); a
    /// pattern that does not compile raises `PatternError`.
    #[staticmethod]
    fn from_rules(py: Python<'_>, rules: Vec<PyRef<'_, PyServiceRules>>) -> Result<Self> {
        let rules: Vec<ServiceRules> = rules.iter().map(|r| r.0.clone()).collect();
        Ok(PyAffectedMatcher(
            py.detach(|| AffectedMatcher::from_rules(rules))?,
        ))
    }

    /// The services it knows, sorted.
    #[getter]
    fn service_names(&self) -> Vec<String> {
        self.0.service_names().to_vec()
    }

    /// How many distinct patterns were compiled.
    #[getter]
    fn pattern_count(&self) -> usize {
        self.0.pattern_count()
    }

    /// The services affected by changed `paths` (repository-relative, `/`-separated; any
    /// iterable of `str`), sorted; with `explain`, one `Reason` per service.
    #[pyo3(signature = (paths, explain = false))]
    fn affected(&self, py: Python<'_>, paths: Strings, explain: bool) -> PyAffected {
        let matcher = &self.0;
        PyAffected(py.detach(|| matcher.affected(paths.0.iter().map(String::as_str), explain)))
    }

    /// The paths two or more services claim through their includes, in input order.
    fn overlaps(&self, py: Python<'_>, paths: Strings) -> Vec<PyOverlap> {
        let matcher = &self.0;
        py.detach(|| matcher.overlaps(paths.0.iter().map(String::as_str)))
            .into_iter()
            .map(PyOverlap)
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "AffectedMatcher(services={}, patterns={})",
            self.0.service_names().len(),
            self.0.pattern_count()
        )
    }
}

/// Whether a glob written as in `shiprail.yaml` (`paths.include`, `paths.exclude`, a
/// `depends_on` path) matches each path, one result per path; raises `PatternError` for a
/// malformed glob. The matchers of `Config.affected` apply the same rules to every glob of
/// every service at once.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn path_glob_matches(py: Python<'_>, glob: &str, paths: Strings) -> Result<Vec<bool>> {
    let glob: PathGlob = glob.parse()?;
    let paths = paths.0;
    Ok(py.detach(|| paths.iter().map(|p| glob.is_match(p)).collect()))
}

/// The matcher rules of every service of `config`, sorted by name: a start for rules
/// adjusted in Python and compiled with `AffectedMatcher.from_rules`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn rules_of(config: &PyConfig) -> Vec<PyServiceRules> {
    core::rules_of(&config.0)
        .into_iter()
        .map(PyServiceRules)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Changes from git

fn changed(paths: Vec<ChangedPath>) -> Vec<PyChangedPath> {
    paths.into_iter().map(PyChangedPath).collect()
}

/// A repository and the git program that reads it (`git` from `PATH` unless `program` names
/// another). git runs with `LC_ALL=C` and without `GIT_DIR`, `GIT_WORK_TREE` and
/// `GIT_INDEX_FILE`, so the repository is always the folder given; its output is read
/// NUL-separated, so every file name survives. Failures raise `GitError`, naming the revision
/// or folder and quoting git. Every method releases the GIL while git runs.
#[cfg_attr(feature = "stub-gen", gen_stub_pyclass)]
#[pyclass(frozen, eq, name = "Git", module = "shiprail._native")]
#[derive(PartialEq)]
pub(crate) struct PyGit(pub(crate) Git);

#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]
#[pymethods]
impl PyGit {
    /// The repository at `repo` (any folder of its work tree, or a bare repository).
    #[new]
    #[pyo3(signature = (repo, *, program = None))]
    fn new(repo: PathArg, program: Option<PathArg>) -> Self {
        let git = Git::new(repo.0);
        PyGit(match program {
            Some(program) => git.with_program(program.0),
            None => git,
        })
    }

    /// The paths changed from `base` to `head` (two dots: the comparison of a push that moved
    /// a branch from `base` to `head`).
    fn changed_between(
        &self,
        py: Python<'_>,
        base: &str,
        head: &str,
    ) -> Result<Vec<PyChangedPath>> {
        let git = &self.0;
        Ok(changed(py.detach(|| git.changed_between(base, head))?))
    }

    /// The paths a pull request of `head` into `base` changes (three dots: from their
    /// merge-base to `head`).
    fn changed_for_pull_request(
        &self,
        py: Python<'_>,
        base: &str,
        head: &str,
    ) -> Result<Vec<PyChangedPath>> {
        let git = &self.0;
        Ok(changed(
            py.detach(|| git.changed_for_pull_request(base, head))?,
        ))
    }

    /// The paths a newly pushed branch `head` changed since it forked from `default_branch`;
    /// every file of `head` when they share no history.
    fn changed_for_new_branch(
        &self,
        py: Python<'_>,
        head: &str,
        default_branch: &str,
    ) -> Result<Vec<PyChangedPath>> {
        let git = &self.0;
        Ok(changed(py.detach(|| {
            git.changed_for_new_branch(head, default_branch)
        })?))
    }

    /// Every file of the work tree under the folder (tracked, and untracked but not ignored),
    /// `/`-separated, sorted: what `lint_config` and `Pipeline.lint` check globs against.
    fn repository_files(&self, py: Python<'_>) -> Result<Vec<String>> {
        let git = &self.0;
        Ok(py.detach(|| git.repository_files())?)
    }

    /// The best common ancestor of two revisions, `None` when they share no history.
    fn merge_base(&self, py: Python<'_>, a: &str, b: &str) -> Result<Option<String>> {
        let git = &self.0;
        Ok(py.detach(|| git.merge_base(a, b))?)
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// The paths changed from `base` to `head` in the repository at `repo` (as
/// `Git(repo).changed_between`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn changed_between(
    py: Python<'_>,
    repo: PathArg,
    base: &str,
    head: &str,
) -> Result<Vec<PyChangedPath>> {
    Ok(changed(py.detach(|| {
        changes::changed_between(&repo.0, base, head)
    })?))
}

/// The paths a pull request of `head` into `base` changes (as
/// `Git(repo).changed_for_pull_request`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn changed_for_pull_request(
    py: Python<'_>,
    repo: PathArg,
    base: &str,
    head: &str,
) -> Result<Vec<PyChangedPath>> {
    Ok(changed(py.detach(|| {
        changes::changed_for_pull_request(&repo.0, base, head)
    })?))
}

/// The paths a newly pushed branch changed (as `Git(repo).changed_for_new_branch`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn changed_for_new_branch(
    py: Python<'_>,
    repo: PathArg,
    head: &str,
    default_branch: &str,
) -> Result<Vec<PyChangedPath>> {
    Ok(changed(py.detach(|| {
        changes::changed_for_new_branch(&repo.0, head, default_branch)
    })?))
}

/// Every file of the repository at `repo` (as `Git(repo).repository_files`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn repository_files(py: Python<'_>, repo: PathArg) -> Result<Vec<String>> {
    Ok(py.detach(|| changes::repository_files(&repo.0))?)
}

/// Reads the output of `git diff --name-status -z` (or `diff-tree -r -z --name-status`):
/// statuses `A`, `M`, `T`, `U` (modified), `D`, `R<score>` (renamed, both paths kept),
/// `C<score>` (the copy added). Malformed output raises `GitError`.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_name_status(data: Data<'_>) -> Result<Vec<PyChangedPath>> {
    Ok(changed(changes::parse_name_status(data.as_bytes())?))
}

/// Reads `git diff --name-status` output without `-z`, one entry a line (the form of a
/// `--changed-from` file): the statuses of `parse_name_status`, quoted paths decoded, a line
/// without a tab read as a bare path. A malformed line raises `GitError` naming its number.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn parse_name_status_lines(text: &str) -> Result<Vec<PyChangedPath>> {
    Ok(changed(changes::parse_name_status_lines(text)?))
}

/// Findings about `shiprail.yaml` against the repository's files (`repo_paths`, as
/// `repository_files` lists them): a file claimed by several services
/// (`service_path_overlap`) and a service whose includes match no file
/// (`unmatched_service_paths`).
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
fn lint_config(py: Python<'_>, config: &PyConfig, repo_paths: Strings) -> Result<Vec<PyFinding>> {
    let config = &config.0;
    let findings = py.detach(|| shiprail::trigger::lint::lint_config(config, &repo_paths.0))?;
    Ok(findings.into_iter().map(PyFinding).collect())
}

/// Registers the affected-services and changes classes and functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPattern>()?;
    m.add_class::<PyServiceRules>()?;
    m.add_class::<PyReason>()?;
    m.add_class::<PyAffected>()?;
    m.add_class::<PyOverlap>()?;
    m.add_class::<PyAffectedMatcher>()?;
    m.add_class::<PyGit>()?;
    m.add_function(wrap_pyfunction!(rules_of, m)?)?;
    m.add_function(wrap_pyfunction!(path_glob_matches, m)?)?;
    m.add_function(wrap_pyfunction!(changed_between, m)?)?;
    m.add_function(wrap_pyfunction!(changed_for_pull_request, m)?)?;
    m.add_function(wrap_pyfunction!(changed_for_new_branch, m)?)?;
    m.add_function(wrap_pyfunction!(repository_files, m)?)?;
    m.add_function(wrap_pyfunction!(parse_name_status, m)?)?;
    m.add_function(wrap_pyfunction!(parse_name_status_lines, m)?)?;
    m.add_function(wrap_pyfunction!(lint_config, m)?)?;
    Ok(())
}
