//! Every conversion between JavaScript values and core values, in one place.
//!
//! Two directions, two rules:
//! - In: a policy or configuration section arrives as a plain JS object written exactly like
//!   its `shiprail.yaml` section (snake_case keys, e.g. `{v_prefix: "require"}`) and is read by
//!   the core's own serde implementation ([`section`]), so defaults, unknown keys and value
//!   checks are the core's. `undefined`/`null` means the section's defaults. A value that does
//!   not fit is a `config_syntax` error, as in a configuration file. `AzureOptions` is read the
//!   same way. A trigger event is data rather than a policy: it is written like a result, in
//!   camelCase, and read strictly by [`event`] (unknown keys are `invalid_event`).
//! - Out: a result is a plain object with camelCase keys (`imageTag`), one `#[napi(object)]`
//!   struct here per core result type, built by a `From` impl that copies fields and nothing
//!   else. Versions and other validated values go out as their display strings. Sections go
//!   out as the core serializes them ([`to_plain`]), so they can be passed back in.

use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shiprail::{Error, ErrorKind};
use std::collections::BTreeMap;

/// A `shiprail.yaml` section from a plain JS object; `None`/`null` is the section's defaults.
pub(crate) fn section<T: DeserializeOwned + Default>(
    name: &str,
    value: Option<Value>,
) -> shiprail::Result<T> {
    match value {
        None | Some(Value::Null) => Ok(T::default()),
        Some(value) => serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("invalid `{name}` section: {e}"),
            )
        }),
    }
}

/// A core value as the plain object its serde form describes (sections, schemas).
pub(crate) fn to_plain<T: Serialize>(value: &T) -> napi::Result<Value> {
    serde_json::to_value(value).map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// Display strings of a list of values (versions, references).
pub(crate) fn strings<T: ToString>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// `&[String]` as the `&[&str]` the core takes.
pub(crate) fn strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// A classified branch.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Branch {
    /// The full ref, `refs/heads/<name>`.
    #[napi(js_name = "ref")]
    pub reference: String,
    /// The short branch name.
    pub name: String,
    /// The kind: `trunk`, `feature`, `topic`, `release` or a configured kind.
    pub kind: String,
    /// The service, for kinds whose pattern has `{service}`.
    pub service: Option<String>,
    /// The release version (without `v`), for release-like kinds.
    pub version: Option<String>,
    /// The topic (slashes included), for kinds with `{topic}`.
    pub topic: Option<String>,
}

impl From<shiprail::branch::Branch> for Branch {
    fn from(b: shiprail::branch::Branch) -> Self {
        Branch {
            reference: b.reference,
            name: b.name,
            kind: b.kind.to_string(),
            service: b.service,
            version: b.version.map(|v| v.to_string()),
            topic: b.topic,
        }
    }
}

/// Every name of one release.
#[napi(object, object_from_js = false)]
pub struct ReleaseTags {
    /// The release version, normalised (no `v`).
    pub version: String,
    /// The image tag (`v1.0.2`).
    pub image_tag: String,
    /// The Helm chart version (`1.0.2`).
    pub chart_version: String,
    /// The Helm chart appVersion (`1.0.2`).
    pub app_version: String,
    /// The git tag of the release commit (`delivery-v1.0.2`).
    pub git_tag: String,
    /// The OCI tag the chart is pushed under (`+` -> `_`).
    pub chart_oci_tag: String,
}

impl From<shiprail::tag::ReleaseTags> for ReleaseTags {
    fn from(t: shiprail::tag::ReleaseTags) -> Self {
        ReleaseTags {
            version: t.version.to_string(),
            image_tag: t.image_tag,
            chart_version: t.chart_version,
            app_version: t.app_version,
            git_tag: t.git_tag,
            chart_oci_tag: t.chart_oci_tag,
        }
    }
}

/// What a release branch releases: the service, the branch, and every name of the release
/// (flattened, as the CLI prints it).
#[napi(object, object_from_js = false)]
pub struct Release {
    /// The service released.
    pub service: String,
    /// The classified branch.
    pub branch: Branch,
    /// The release version (no `v`).
    pub version: String,
    /// The image tag.
    pub image_tag: String,
    /// The Helm chart version.
    pub chart_version: String,
    /// The Helm chart appVersion.
    pub app_version: String,
    /// The git tag.
    pub git_tag: String,
    /// The chart's OCI tag.
    pub chart_oci_tag: String,
}

impl From<shiprail::release::Release> for Release {
    fn from(r: shiprail::release::Release) -> Self {
        let tags = ReleaseTags::from(r.tags);
        Release {
            service: r.service,
            branch: r.branch.into(),
            version: tags.version,
            image_tag: tags.image_tag,
            chart_version: tags.chart_version,
            app_version: tags.app_version,
            git_tag: tags.git_tag,
            chart_oci_tag: tags.chart_oci_tag,
        }
    }
}

/// The outcome of a next-version computation.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NextVersion {
    /// The highest released version, `null` for a service never released.
    pub current: Option<String>,
    /// The bump applied.
    #[napi(ts_type = "Bump")]
    pub bump: String,
    /// The next version, `null` when no commit calls for a release.
    pub next: Option<String>,
}

impl From<shiprail::version::NextVersion> for NextVersion {
    fn from(n: shiprail::version::NextVersion) -> Self {
        NextVersion {
            current: n.current.map(|v| v.to_string()),
            bump: n.bump.to_string(),
            next: n.next.map(|v| v.to_string()),
        }
    }
}

/// The next version of a service with the tags it would get.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NextRelease {
    /// The service.
    pub service: String,
    /// The highest released version, `null` for a service never released.
    pub current: Option<String>,
    /// The bump applied.
    #[napi(ts_type = "Bump")]
    pub bump: String,
    /// The next version, `null` when no commit calls for a release.
    pub next: Option<String>,
    /// The names of the next version, `null` when there is none.
    pub tags: Option<ReleaseTags>,
}

impl From<shiprail::release::NextRelease> for NextRelease {
    fn from(n: shiprail::release::NextRelease) -> Self {
        let next = NextVersion::from(n.next);
        NextRelease {
            service: n.service,
            current: next.current,
            bump: next.bump,
            next: next.next,
            tags: n.tags.map(ReleaseTags::from),
        }
    }
}

/// Where an image goes when promoted into an environment.
#[napi(object, object_from_js = false)]
pub struct PromotionTarget {
    /// The source reference, normalised.
    pub source: String,
    /// The destination reference.
    pub target: String,
    /// The environment promoted into.
    pub environment: String,
    /// The environment's registry namespace.
    pub namespace: String,
}

impl From<shiprail::release::PromotionTarget> for PromotionTarget {
    fn from(p: shiprail::release::PromotionTarget) -> Self {
        PromotionTarget {
            source: p.source,
            target: p.target,
            environment: p.environment,
            namespace: p.namespace,
        }
    }
}

/// The parts of an image reference.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ImageParts {
    /// The registry host with its port (`myrepo.azurecr.io`).
    pub registry: String,
    /// The path inside the registry (`prod/delivery`).
    pub repository: String,
    /// The last path component (`delivery`).
    pub name: String,
    /// The path before the name (`prod`), empty when there is none.
    pub namespace: String,
    /// The tag, `null` when absent.
    pub tag: Option<String>,
    /// The digest, `null` when absent.
    pub digest: Option<String>,
    /// The full normalised form.
    pub full: String,
    /// The short form Docker prints.
    pub familiar: String,
}

impl From<shiprail::image::ImageParts> for ImageParts {
    fn from(p: shiprail::image::ImageParts) -> Self {
        ImageParts {
            registry: p.registry,
            repository: p.repository,
            name: p.name,
            namespace: p.namespace,
            tag: p.tag,
            digest: p.digest,
            full: p.full,
            familiar: p.familiar,
        }
    }
}

/// What a tag template reads from a tag.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ParsedTag {
    /// The service, `null` when the template has no `{service}`.
    pub service: Option<String>,
    /// The version (no `v`).
    pub version: String,
}

impl From<(Option<String>, shiprail::version::ReleaseVersion)> for ParsedTag {
    fn from((service, version): (Option<String>, shiprail::version::ReleaseVersion)) -> Self {
        ParsedTag {
            service,
            version: version.to_string(),
        }
    }
}

/// The service and version a git tag belongs to.
#[napi(object, object_from_js = false)]
pub struct TagAttribution {
    /// The declared service the tag belongs to.
    pub service: String,
    /// Its version (no `v`).
    pub version: String,
}

impl From<(String, shiprail::version::ReleaseVersion)> for TagAttribution {
    fn from((service, version): (String, shiprail::version::ReleaseVersion)) -> Self {
        TagAttribution {
            service,
            version: version.to_string(),
        }
    }
}

/// What a branch pattern holds.
#[napi(object, object_from_js = false)]
pub struct BranchPatternInfo {
    /// The pattern as displayed (normalised).
    pub pattern: String,
    /// Whether it holds `{version}` (its branches carry a release version).
    pub release_like: bool,
    /// Whether it holds `{service}`.
    pub has_service: bool,
    /// Whether it holds `{topic}`.
    pub has_topic: bool,
}

impl From<&shiprail::branch::BranchPattern> for BranchPatternInfo {
    fn from(p: &shiprail::branch::BranchPattern) -> Self {
        BranchPatternInfo {
            pattern: p.to_string(),
            release_like: p.is_release_like(),
            has_service: p.has_service(),
            has_topic: p.has_topic(),
        }
    }
}

/// One item of a batch: the input, and either its value or its error.
macro_rules! batch_result {
    ($doc:literal, $name:ident, $field:ident: $ty:ty) => {
        #[doc = $doc]
        #[napi(object, object_from_js = false, use_nullable = true)]
        pub struct $name {
            /// The input item, as given.
            pub input: String,
            /// The result, `null` when the item failed.
            pub $field: Option<$ty>,
            /// The error, `null` when the item succeeded.
            pub error: Option<crate::error::ErrorInfo>,
        }

        impl $name {
            /// The batch item for `input` and its core outcome.
            pub(crate) fn new<T: Into<$ty>>(input: &str, outcome: shiprail::Result<T>) -> Self {
                match outcome {
                    Ok(value) => $name {
                        input: input.to_string(),
                        $field: Some(value.into()),
                        error: None,
                    },
                    Err(err) => $name {
                        input: input.to_string(),
                        $field: None,
                        error: Some((&err).into()),
                    },
                }
            }
        }
    };
}

batch_result!(
    "One ref of `classifyBranches`.",
    BranchResult,
    branch: Branch
);
batch_result!(
    "One input of `parseVersions`: the normalised version or the error.",
    VersionResult,
    version: String
);
batch_result!(
    "One input of `parseImages`.",
    ImageResult,
    image: ImageParts
);
batch_result!(
    "One tag of `attributeTags`.",
    TagAttributionResult,
    attribution: TagAttribution
);

/// A trigger event from the plain JS object `TriggerEvent` (camelCase keys, as results use, so
/// the `ChangedPath`s of `parseChangedLines` can be passed back as `changed`).
///
/// Read with serde and strict keys: an unknown key (`base_ref` for `baseRef`) is an
/// `invalid_event` error instead of being dropped. `kind` is parsed by the core's `FromStr`
/// (aliases `pr`, `workflow_dispatch` included); an absent `kind` or `ref` is left for the
/// dialect to judge. A `changed` item is a `ChangedPath` object or a bare path (a modified
/// file, `ChangedPath::modified`).
pub(crate) fn event(value: Value) -> shiprail::Result<shiprail::trigger::Event> {
    use shiprail::trigger::{Event, EventKind};

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct EventIn {
        kind: Option<String>,
        #[serde(rename = "ref")]
        reference: Option<String>,
        base_ref: Option<String>,
        changed: Option<Vec<Value>>,
        commit_messages: Option<Vec<String>>,
        new_branch: Option<bool>,
    }

    let invalid = |message: String| Error::new(ErrorKind::InvalidEvent, message);
    let input: EventIn =
        serde_json::from_value(value).map_err(|e| invalid(format!("invalid event: {e}")))?;
    let changed = input
        .changed
        .map(|items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    changed_item(item)
                        .map_err(|e| invalid(format!("invalid event: `changed[{i}]`: {e}")))
                })
                .collect::<shiprail::Result<Vec<_>>>()
        })
        .transpose()?;
    Ok(Event {
        kind: input
            .kind
            .as_deref()
            .map(str::parse::<EventKind>)
            .transpose()?,
        git_ref: input.reference.unwrap_or_default(),
        base_ref: input.base_ref,
        changed,
        commit_messages: input.commit_messages.unwrap_or_default(),
        new_branch: input.new_branch.unwrap_or_default(),
    })
}

/// One item of a change set: a bare path (a modified file, `ChangedPath::modified`) or a
/// `ChangedPath` object (`{ path, status, previousPath }`), read strictly: an unknown key or
/// status is refused. The error is serde's text; the caller says which item it was.
pub(crate) fn changed_item(item: Value) -> Result<shiprail::trigger::ChangedPath, String> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct ChangeIn {
        path: String,
        status: shiprail::trigger::ChangeStatus,
        previous_path: Option<String>,
    }

    match item {
        Value::String(path) => Ok(shiprail::trigger::ChangedPath::modified(path)),
        other => serde_json::from_value::<ChangeIn>(other)
            .map(|c| shiprail::trigger::ChangedPath {
                path: c.path,
                status: c.status,
                previous_path: c.previous_path,
            })
            .map_err(|e| e.to_string()),
    }
}

/// One changed path (`parseChangedLines`), in the shape a `TriggerEvent`'s `changed` takes.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChangedPath {
    /// The path, `/`-separated from the repository root (the new path of a rename).
    pub path: String,
    /// How it changed.
    #[napi(ts_type = "'added' | 'modified' | 'deleted' | 'renamed'")]
    pub status: String,
    /// The old path of a rename, `null` otherwise.
    pub previous_path: Option<String>,
}

impl From<shiprail::trigger::ChangedPath> for ChangedPath {
    fn from(c: shiprail::trigger::ChangedPath) -> Self {
        ChangedPath {
            path: c.path,
            // The core's serde name (`added`, ...): ChangeStatus has no Display.
            status: serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            previous_path: c.previous_path,
        }
    }
}

/// One step of a trigger evaluation: a subject checked against a filter.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct TraceStep {
    /// The filter consulted (`trigger.branches`, `on.push.paths-ignore`, `skip marker`, ...).
    pub filter: String,
    /// What was checked: a ref, a path or a commit message.
    pub subject: String,
    /// The pattern that matched, `null` when none did.
    pub pattern: Option<String>,
    /// The outcome: `included`, `excluded`, `no_match`, `skipped`, ...
    pub outcome: String,
    /// The dialect rule that applied, in a sentence.
    pub rule: String,
}

impl From<shiprail::trigger::TraceStep> for TraceStep {
    fn from(s: shiprail::trigger::TraceStep) -> Self {
        TraceStep {
            filter: s.filter,
            subject: s.subject,
            pattern: s.pattern,
            outcome: s.outcome,
            rule: s.rule,
        }
    }
}

/// Whether an event runs a pipeline, why, and the trace of the decision.
#[napi(object, object_from_js = false)]
pub struct Decision {
    /// Whether the pipeline runs.
    pub run: bool,
    /// One sentence naming the deciding filter and pattern.
    pub reason: String,
    /// Every step of the evaluation, in order.
    pub explain: Vec<TraceStep>,
}

impl From<shiprail::trigger::Decision> for Decision {
    fn from(d: shiprail::trigger::Decision) -> Self {
        Decision {
            run: d.run,
            reason: d.reason,
            explain: d.explain.into_iter().map(TraceStep::from).collect(),
        }
    }
}

/// One event of `Pipeline#evaluateEvents`: its decision or its error (items are in the order
/// of the events given).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct EvaluationResult {
    /// The decision, `null` when the event could not be evaluated.
    pub decision: Option<Decision>,
    /// The error (`invalid_event`, ...), `null` when the event was evaluated.
    pub error: Option<crate::error::ErrorInfo>,
}

impl From<shiprail::Result<shiprail::trigger::Decision>> for EvaluationResult {
    fn from(outcome: shiprail::Result<shiprail::trigger::Decision>) -> Self {
        match outcome {
            Ok(decision) => EvaluationResult {
                decision: Some(decision.into()),
                error: None,
            },
            Err(err) => EvaluationResult {
                decision: None,
                error: Some((&err).into()),
            },
        }
    }
}

/// Where a lint finding is in its pipeline file.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct SourceLocation {
    /// The file, when the pipeline was loaded from one.
    pub file: Option<String>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl From<shiprail::error::Location> for SourceLocation {
    fn from(l: shiprail::error::Location) -> Self {
        SourceLocation {
            file: l.file.map(|f| f.display().to_string()),
            line: l.line,
            column: l.column,
        }
    }
}

/// One problem the trigger lint found.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Finding {
    /// A stable snake_case code naming the check (`unmatched_branch_pattern`, ...).
    pub code: String,
    /// How serious it is.
    #[napi(ts_type = "'error' | 'warning' | 'info'")]
    pub severity: String,
    /// What is wrong, naming the filter and the pattern.
    pub message: String,
    /// Where in the pipeline file, `null` when unknown.
    pub location: Option<SourceLocation>,
    /// A likely correction, `null` when none is known.
    pub suggestion: Option<String>,
}

impl From<shiprail::trigger::lint::Finding> for Finding {
    fn from(f: shiprail::trigger::lint::Finding) -> Self {
        Finding {
            code: f.code,
            severity: f.severity.as_str().to_string(),
            message: f.message,
            location: f.location.map(SourceLocation::from),
            suggestion: f.suggestion,
        }
    }
}

/// The files of a chart in memory (`ChartLintInput`, camelCase keys like a result) as the
/// core's `LintInput`. Read strictly: an unknown key (`chart_yaml` for `chartYaml`) is an
/// `invalid_chart` error rather than a file silently taken as missing. `templates` is read by
/// the core's serde (`missing`, `file`, `directory`); an absent one is the core's default.
pub(crate) fn lint_input(value: Value) -> shiprail::Result<shiprail::chart::LintInput> {
    use shiprail::chart::{LintInput, PathKind};

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct LintInputIn {
        chart_yaml: Option<String>,
        values_yaml: Option<String>,
        values_schema: Option<String>,
        templates: Option<PathKind>,
        subcharts: Option<Vec<String>>,
    }

    let input: LintInputIn = serde_json::from_value(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidChart,
            format!("invalid chart lint input: {e}"),
        )
    })?;
    // Every field named, so a field added to the core's LintInput fails to compile here.
    Ok(LintInput {
        chart_yaml: input.chart_yaml,
        values_yaml: input.values_yaml,
        values_schema: input.values_schema,
        templates: input.templates.unwrap_or_default(),
        subcharts: input.subcharts,
    })
}

/// The facts of a change cause (`ChangeCause`) as the core's. Read strictly: an unknown key
/// (`enviroment`) is an `invalid_template` error, as a value the template needs and does not
/// get; the version is parsed by the core's `FromStr` (`invalid_version`).
pub(crate) fn change_cause(value: Value) -> shiprail::Result<shiprail::chart::ChangeCause> {
    #[derive(Default, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct ChangeCauseIn {
        service: String,
        version: Option<String>,
        environment: Option<String>,
        branch: Option<String>,
        commit: Option<String>,
        reason: Option<String>,
    }

    let cause: ChangeCauseIn = serde_json::from_value(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidTemplate,
            format!("invalid change cause: {e}"),
        )
    })?;
    // Every field named, so a field added to the core's ChangeCause fails to compile here.
    Ok(shiprail::chart::ChangeCause {
        service: cause.service,
        version: cause.version.as_deref().map(str::parse).transpose()?,
        environment: cause.environment,
        branch: cause.branch,
        commit: cause.commit,
        reason: cause.reason,
    })
}

/// A count as a JS number (counts of findings never come near `u32::MAX`).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One finding of a chart lint.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartFinding {
    /// How serious it is: only errors fail a lint (warnings too when strict).
    #[napi(ts_type = "'error' | 'warning' | 'info'")]
    pub severity: String,
    /// The rule's stable id (`version_semver`, `mutable_image_tag`, ...), one of
    /// `chartLintRules()`.
    pub rule: String,
    /// The file, relative to the chart directory (`Chart.yaml`, `values.yaml`, `templates/`).
    pub file: String,
    /// 1-based line, `null` when the finding is not about a written value.
    pub line: Option<u32>,
    /// 1-based column (characters), `null` with `line`.
    pub column: Option<u32>,
    /// What is wrong, naming the value.
    pub message: String,
}

impl From<shiprail::chart::Finding> for ChartFinding {
    fn from(f: shiprail::chart::Finding) -> Self {
        ChartFinding {
            severity: f.severity.to_string(),
            rule: f.rule.to_string(),
            file: f.file,
            line: f.line,
            column: f.column,
            message: f.message,
        }
    }
}

/// The findings of one chart lint, in rule order, with the verdicts.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartLintReport {
    /// No errors (what makes `helm lint` exit 0).
    pub passed: bool,
    /// No errors and no warnings (`helm lint --strict`).
    pub passed_strict: bool,
    /// The number of errors.
    pub errors: u32,
    /// The number of warnings.
    pub warnings: u32,
    /// Every finding, in rule order.
    pub findings: Vec<ChartFinding>,
    /// The errors as one error to throw (the first error's code, every error in the message),
    /// `null` when the lint passed.
    pub error: Option<crate::error::ErrorInfo>,
}

impl From<shiprail::chart::LintReport> for ChartLintReport {
    fn from(r: shiprail::chart::LintReport) -> Self {
        ChartLintReport {
            passed: r.passed(),
            passed_strict: r.passed_strict(),
            errors: count(r.errors()),
            warnings: count(r.warnings()),
            error: r.to_error().as_ref().map(crate::error::ErrorInfo::from),
            findings: r.findings.into_iter().map(ChartFinding::from).collect(),
        }
    }
}

/// A chart lint rule: its id, its severity, the error code a failing finding maps to, and
/// whether Helm's loader enforces it.
#[napi(object, object_from_js = false)]
pub struct ChartLintRuleInfo {
    /// The stable id (`version_semver`).
    pub id: String,
    /// The severity of its findings.
    #[napi(ts_type = "'error' | 'warning' | 'info'")]
    pub severity: String,
    /// The error code a failing finding maps to (`invalid_chart`, `version_not_higher`, ...).
    pub code: String,
    /// Whether Helm's chart loader enforces it, so that `helm package`, `helm template` and
    /// `helm install` fail on it too (not only `helm lint`).
    pub enforced_on_load: bool,
}

impl From<shiprail::chart::LintRule> for ChartLintRuleInfo {
    fn from(rule: shiprail::chart::LintRule) -> Self {
        ChartLintRuleInfo {
            id: rule.id().to_string(),
            severity: rule.severity().to_string(),
            code: rule.kind().code().to_string(),
            enforced_on_load: rule.enforced_on_load(),
        }
    }
}

/// The chart version and appVersion of one release (can be passed as the versions of
/// `rewriteChartVersions`, `writeChartVersions` and `packageChart`).
#[napi(object, object_from_js = false)]
pub struct ChartVersions {
    /// The chart `version`: the release version (no `v`).
    pub version: String,
    /// The chart `appVersion`, by the tag policy.
    pub app_version: String,
}

impl From<shiprail::chart::ChartVersions> for ChartVersions {
    fn from(v: shiprail::chart::ChartVersions) -> Self {
        ChartVersions {
            version: v.version.to_string(),
            app_version: v.app_version,
        }
    }
}

/// What an in-place edit of Chart.yaml changed.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartVersionChange {
    /// The edited file.
    pub file: String,
    /// The chart version (for a dependency bump, the dependency's version) before.
    pub previous_version: Option<String>,
    /// The version after.
    pub version: Option<String>,
    /// appVersion before (chart edits only).
    pub previous_app_version: Option<String>,
    /// appVersion after (chart edits only).
    pub app_version: Option<String>,
    /// The dependency edited (dependency bumps only).
    pub dependency: Option<String>,
    /// Whether the file changed (it is rewritten only then).
    pub changed: bool,
}

impl From<shiprail::chart::VersionChange> for ChartVersionChange {
    fn from(c: shiprail::chart::VersionChange) -> Self {
        ChartVersionChange {
            file: c.file.display().to_string(),
            previous_version: c.previous_version,
            version: c.version,
            previous_app_version: c.previous_app_version,
            app_version: c.app_version,
            dependency: c.dependency,
            changed: c.changed,
        }
    }
}

/// The names of one deployment of one version of a service.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ReleaseNames {
    /// The Helm release name: a DNS-1123 label of at most 53 characters.
    pub release: String,
    /// The service as it appears in names (lowercase, `-` for other characters).
    pub service: String,
    /// The version deployed (no `v`).
    pub version: String,
    /// The environment as it appears in the name, `null` when the name carries none.
    pub environment: Option<String>,
    /// Whether a hash suffix was added (the readable name was too long or did not keep the
    /// inputs apart).
    pub hashed: bool,
    /// The recommended labels `app.kubernetes.io/name`, `/instance` and `/version`.
    #[napi(ts_type = "Record<string, string>")]
    pub labels: std::collections::BTreeMap<String, String>,
}

impl From<shiprail::chart::ReleaseNames> for ReleaseNames {
    fn from(n: shiprail::chart::ReleaseNames) -> Self {
        ReleaseNames {
            release: n.release,
            service: n.service,
            version: n.version.to_string(),
            environment: n.environment,
            hashed: n.hashed,
            labels: n.labels,
        }
    }
}

/// What a loaded chart archive holds.
#[napi(object, object_from_js = false)]
pub struct ArchiveSummary {
    /// The chart's top-level directory in the archive.
    pub root: String,
    /// The chart metadata, in its Chart.yaml form.
    #[napi(ts_type = "ChartMetadata")]
    pub metadata: Value,
    /// Every file, relative to the top-level directory, in archive order.
    pub files: Vec<String>,
    /// The decompressed size of all files, in bytes.
    pub size: f64,
}

impl TryFrom<shiprail::chart::ArchiveSummary> for ArchiveSummary {
    type Error = napi::Error;

    fn try_from(s: shiprail::chart::ArchiveSummary) -> napi::Result<Self> {
        Ok(ArchiveSummary {
            metadata: to_plain(&s.metadata)?,
            root: s.root,
            files: s.files,
            size: s.size as f64,
        })
    }
}

/// A packaged chart, as `ChartPackage#toJSON` writes it (the archive bytes left out).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartPackageInfo {
    /// `<name>-<version>.tgz`.
    pub file_name: String,
    /// The chart name.
    pub name: String,
    /// The chart version in the archive.
    pub version: String,
    /// The appVersion in the archive, `null` when the chart has none.
    pub app_version: Option<String>,
    /// The SHA-256 of the archive, lowercase hex.
    pub sha256: String,
    /// `sha256:<hex>`, as OCI registries and `helm push` print it.
    pub digest: String,
    /// The archive size in bytes.
    pub size: f64,
    /// The archive entries (`<name>/Chart.yaml`, ...), in archive order.
    pub files: Vec<String>,
}

impl From<&shiprail::chart::ChartPackage> for ChartPackageInfo {
    fn from(p: &shiprail::chart::ChartPackage) -> Self {
        ChartPackageInfo {
            file_name: p.file_name.clone(),
            name: p.name.clone(),
            version: p.version.clone(),
            app_version: p.app_version.clone(),
            sha256: p.sha256.clone(),
            digest: p.digest(),
            size: p.size as f64,
            files: p.files.clone(),
        }
    }
}

/// A pulled chart, as `ChartPull#toJSON` writes it (the archive bytes left out).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartPullInfo {
    /// The reference pulled, with its tag (`oci://HOST/PATH/NAME:TAG`).
    pub reference: String,
    /// The chart name.
    pub name: String,
    /// The chart version.
    pub version: String,
    /// The digest of the manifest.
    pub digest: String,
    /// The digest of the chart layer: the SHA-256 of the archive.
    pub chart_digest: String,
    /// The archive size in bytes.
    pub size: f64,
    /// `<name>-<version>.tgz`.
    pub file_name: String,
    /// The chart metadata, in its Chart.yaml form.
    #[napi(ts_type = "ChartMetadata")]
    pub metadata: Value,
}

impl TryFrom<&shiprail::registry::ChartPull> for ChartPullInfo {
    type Error = napi::Error;

    fn try_from(p: &shiprail::registry::ChartPull) -> napi::Result<Self> {
        Ok(ChartPullInfo {
            reference: p.reference.to_string(),
            name: p.name.clone(),
            version: p.version.clone(),
            digest: p.digest.to_string(),
            chart_digest: p.chart_digest.to_string(),
            size: p.size as f64,
            file_name: p.file_name(),
            metadata: to_plain(&p.metadata)?,
        })
    }
}

/// What `RegistryClient#pushChart` did.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ChartPush {
    /// Where the chart is now: `oci://HOST/PATH/NAME:TAG`.
    pub reference: String,
    /// The chart name.
    pub name: String,
    /// The chart version.
    pub version: String,
    /// The tag: the version with `+` mapped to `_`.
    pub tag: String,
    /// The digest of the manifest the tag names.
    pub digest: String,
    /// The digest of the chart layer: the SHA-256 of the archive.
    pub chart_digest: String,
    /// The digest of the config blob.
    pub config_digest: String,
    /// The archive size in bytes.
    pub size: f64,
    /// The tag already named this chart (the same archive): nothing was written, and `digest`
    /// is the manifest found (another tool or creation time may have pushed it).
    pub already_pushed: bool,
    /// With `force`, the manifest digest the tag named before it was replaced; else `null`.
    pub replaced: Option<String>,
}

impl From<shiprail::registry::ChartPush> for ChartPush {
    fn from(p: shiprail::registry::ChartPush) -> Self {
        ChartPush {
            reference: p.reference.to_string(),
            name: p.name,
            version: p.version,
            tag: p.tag,
            digest: p.digest.to_string(),
            chart_digest: p.chart_digest.to_string(),
            config_digest: p.config_digest.to_string(),
            size: p.size as f64,
            already_pushed: p.already_pushed,
            replaced: p.replaced.map(|d| d.to_string()),
        }
    }
}

/// The serde name of a core enum value that has no `Display` (`paths.include`, `added`).
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Why one service is affected: the first changed path that affected it and the glob that
/// matched, or the dependency chain it was reached through.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct AffectedReason {
    /// The affected service.
    pub service: String,
    /// The first changed path (in input order) that affected it, or, for a service reached
    /// through `via`, the path that affected the last service of the chain.
    pub path: String,
    /// The glob, as written in `shiprail.yaml`, that matched the path.
    pub pattern: String,
    /// Whether the glob is one of `paths.include` or a shared `depends_on` path.
    #[napi(ts_type = "'paths.include' | 'depends_on'")]
    pub matched_by: String,
    /// The services depended on, from the service's own dependency to the one the path
    /// affected; empty when the path affected this service itself.
    pub via: Vec<String>,
}

impl From<shiprail::affected::Reason> for AffectedReason {
    fn from(r: shiprail::affected::Reason) -> Self {
        AffectedReason {
            matched_by: serde_name(&r.matched_by),
            service: r.service,
            path: r.path,
            pattern: r.pattern,
            via: r.via,
        }
    }
}

/// The services a change set affects.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Affected {
    /// The affected services, sorted by name.
    pub services: Vec<String>,
    /// One reason per affected service, in the same order; `null` unless `explain` was asked.
    pub explain: Option<Vec<AffectedReason>>,
}

impl Affected {
    /// The result of a core evaluation; `explain` says whether reasons were asked for.
    pub(crate) fn new(a: shiprail::affected::Affected, explain: bool) -> Self {
        Affected {
            services: a.services,
            explain: explain.then(|| a.explain.into_iter().map(AffectedReason::from).collect()),
        }
    }
}

/// A repository path that several services claim.
#[napi(object, object_from_js = false)]
pub struct Overlap {
    /// The path.
    pub path: String,
    /// The services whose includes match it (and whose excludes do not), sorted.
    pub services: Vec<String>,
}

impl From<shiprail::affected::Overlap> for Overlap {
    fn from(o: shiprail::affected::Overlap) -> Self {
        Overlap {
            path: o.path,
            services: o.services,
        }
    }
}

/// A pattern of the affected-services matcher: as written, and the glob or the regular
/// expression it is compiled from (exactly one of the two).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PatternInfo {
    /// The pattern as the user wrote it (what explanations show).
    pub written: String,
    /// The glob (globset syntax, `/` literal) it compiles from, `null` for a regex.
    pub glob: Option<String>,
    /// The regular expression (anchored at both ends) it compiles from, `null` for a glob.
    pub regex: Option<String>,
}

impl From<&shiprail::affected::Pattern> for PatternInfo {
    fn from(p: &shiprail::affected::Pattern) -> Self {
        use shiprail::affected::PatternSource;
        let (glob, regex) = match p.source() {
            PatternSource::Glob(g) => (Some(g.clone()), None),
            PatternSource::Regex(r) => (None, Some(r.clone())),
            _ => (None, None),
        };
        PatternInfo {
            written: p.as_str().to_string(),
            glob,
            regex,
        }
    }
}

/// The path rules of one service, as the affected-services matcher consumes them.
#[napi(object, object_from_js = false)]
pub struct ServiceRulesInfo {
    /// The service name.
    pub name: String,
    /// Paths that belong to the service.
    pub include: Vec<PatternInfo>,
    /// Paths that never affect it.
    pub exclude: Vec<PatternInfo>,
    /// Shared paths whose changes affect it.
    pub depends_on_paths: Vec<PatternInfo>,
    /// Services whose being affected affects it.
    pub depends_on_services: Vec<String>,
}

impl From<&shiprail::affected::ServiceRules> for ServiceRulesInfo {
    fn from(r: &shiprail::affected::ServiceRules) -> Self {
        let patterns =
            |list: &[shiprail::affected::Pattern]| list.iter().map(PatternInfo::from).collect();
        ServiceRulesInfo {
            name: r.name.clone(),
            include: patterns(&r.include),
            exclude: patterns(&r.exclude),
            depends_on_paths: patterns(&r.depends_on_paths),
            depends_on_services: r.depends_on_services.clone(),
        }
    }
}

/// Service rules from plain JS objects (`ServiceRules`: camelCase, unknown keys refused); a
/// pattern is a glob string, `{ glob }` (shown as written) or `{ written?, regex }`. A shape
/// that does not fit is `config_invalid`, naming the item.
pub(crate) fn service_rules(
    values: Vec<Value>,
) -> shiprail::Result<Vec<shiprail::affected::ServiceRules>> {
    use shiprail::affected::{Pattern, ServiceRules};

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct RulesIn {
        name: String,
        #[serde(default)]
        include: Vec<PatternIn>,
        #[serde(default)]
        exclude: Vec<PatternIn>,
        #[serde(default)]
        depends_on_paths: Vec<PatternIn>,
        #[serde(default)]
        depends_on_services: Vec<String>,
    }

    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum PatternIn {
        Glob(String),
        Object(PatternObject),
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PatternObject {
        written: Option<String>,
        glob: Option<String>,
        regex: Option<String>,
    }

    let invalid = |i: usize, why: String| {
        Error::new(
            ErrorKind::ConfigInvalid,
            format!("invalid service rules `rules[{i}]`: {why}"),
        )
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let input: RulesIn =
                serde_json::from_value(value).map_err(|e| invalid(i, e.to_string()))?;
            let pattern = |p: PatternIn| match p {
                PatternIn::Glob(glob) => Ok(Pattern::glob(glob)),
                PatternIn::Object(PatternObject {
                    written,
                    glob: Some(glob),
                    regex: None,
                }) if written.as_ref().is_none_or(|w| *w == glob) => Ok(Pattern::glob(glob)),
                PatternIn::Object(PatternObject {
                    written,
                    glob: None,
                    regex: Some(regex),
                }) => Ok(Pattern::regex(written.unwrap_or_else(|| regex.clone()), regex)),
                PatternIn::Object(PatternObject {
                    glob: Some(_),
                    regex: None,
                    ..
                }) => Err(invalid(
                    i,
                    "a glob is shown as written: `written` differs from `glob` (give `regex` to show another text)".to_string(),
                )),
                PatternIn::Object(_) => Err(invalid(
                    i,
                    "a pattern object has exactly one of `glob` and `regex`".to_string(),
                )),
            };
            let patterns = |list: Vec<PatternIn>| list.into_iter().map(pattern).collect::<shiprail::Result<Vec<_>>>();
            let mut rules = ServiceRules::new(input.name);
            rules.include = patterns(input.include)?;
            rules.exclude = patterns(input.exclude)?;
            rules.depends_on_paths = patterns(input.depends_on_paths)?;
            rules.depends_on_services = input.depends_on_services;
            Ok(rules)
        })
        .collect()
}

/// A count as a JS number (`usize` counts of manifests and blobs).
fn count_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One promotion to perform: what `PromotionPolicy#request` returns and `RegistryClient#promote`
/// takes.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PromoteRequest {
    /// The image promoted, by tag.
    pub source: String,
    /// The tag written, on the same or another registry.
    pub destination: String,
    /// The digest the source tag must resolve to (the one QA approved), `null` when unknown.
    pub expected_digest: Option<String>,
    /// For an image index, the platforms kept (`linux/amd64`); empty keeps all.
    pub platforms: Vec<String>,
    /// Move a destination tag that names another digest (refused otherwise).
    pub force: bool,
    /// Plan and report without writing anything.
    pub dry_run: bool,
    /// Copy signatures, attestations and SBOMs along.
    pub referrers: bool,
}

impl From<shiprail::registry::PromoteRequest> for PromoteRequest {
    fn from(r: shiprail::registry::PromoteRequest) -> Self {
        PromoteRequest {
            source: r.source.to_string(),
            destination: r.destination.to_string(),
            expected_digest: r.expected_digest.map(|d| d.to_string()),
            platforms: strings(&r.platforms),
            force: r.force,
            dry_run: r.dry_run,
            referrers: r.referrers,
        }
    }
}

/// A promote request from a plain JS object (`PromoteRequestInput`: camelCase, unknown keys
/// refused as `invalid_image_reference`). `source` and `destination` are required, the options
/// default as `PromoteRequest::new` sets them: the digest of a `source@sha256:...` is the
/// expected digest, and an `expectedDigest` that contradicts it is refused.
pub(crate) fn promote_request(
    value: Value,
) -> shiprail::Result<shiprail::registry::PromoteRequest> {
    use shiprail::registry::{Digest, Platform};

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct RequestIn {
        source: String,
        destination: String,
        expected_digest: Option<String>,
        platforms: Option<Vec<String>>,
        force: Option<bool>,
        dry_run: Option<bool>,
        referrers: Option<bool>,
    }

    let input: RequestIn = serde_json::from_value(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidImageReference,
            format!("invalid promote request: {e}"),
        )
    })?;
    let mut request =
        shiprail::registry::PromoteRequest::new(input.source.parse()?, input.destination.parse()?);
    if let Some(text) = input.expected_digest {
        let expected: Digest = text.parse()?;
        if let Some(named) = &request.expected_digest
            && *named != expected
        {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "the source names {named} but `expectedDigest` is {expected}: approve one digest"
                ),
            )
            .with_input(text));
        }
        request.expected_digest = Some(expected);
    }
    request.platforms = input
        .platforms
        .unwrap_or_default()
        .iter()
        .map(|p| p.parse::<Platform>())
        .collect::<shiprail::Result<_>>()?;
    request.force = input.force.unwrap_or(request.force);
    request.dry_run = input.dry_run.unwrap_or(request.dry_run);
    request.referrers = input.referrers.unwrap_or(request.referrers);
    Ok(request)
}

/// How the blobs of a promotion were handled.
#[napi(object, object_from_js = false)]
pub struct BlobCounts {
    /// Already in the destination repository.
    pub skipped: u32,
    /// Mounted from the source repository inside one registry (no bytes moved).
    pub mounted: u32,
    /// Streamed from source to destination, verified on the way.
    pub copied: u32,
}

/// The result of a promotion.
#[napi(object, object_from_js = false)]
pub struct Promotion {
    /// The source reference (by tag).
    pub source: String,
    /// The destination reference (by tag).
    pub destination: String,
    /// The digest the destination tag names: the source's, unless a platform filter rewrote
    /// an index.
    pub digest: String,
    /// How many manifests were written (or would be, in a dry run).
    pub manifests: u32,
    /// How the blobs were handled (or would be).
    pub blobs: BlobCounts,
    /// The bytes streamed between registries (or that would be).
    pub bytes_copied: f64,
    /// The destination tag already named the digest: nothing was written.
    pub already_promoted: bool,
    /// The digest the source tag named.
    pub source_digest: String,
    /// Nothing was written: the counts are the plan.
    pub dry_run: bool,
    /// The signature, attestation and SBOM tags, and referrer digests, that travelled along.
    pub referrers: Vec<String>,
}

impl From<shiprail::registry::Promotion> for Promotion {
    fn from(p: shiprail::registry::Promotion) -> Self {
        Promotion {
            source: p.source,
            destination: p.destination,
            digest: p.digest.to_string(),
            manifests: count_of(p.manifests),
            blobs: BlobCounts {
                skipped: count_of(p.blobs.skipped),
                mounted: count_of(p.blobs.mounted),
                copied: count_of(p.blobs.copied),
            },
            bytes_copied: p.bytes_copied as f64,
            already_promoted: p.already_promoted,
            source_digest: p.source_digest.to_string(),
            dry_run: p.dry_run,
            referrers: p.referrers,
        }
    }
}

/// What a promotion is doing, as the `onProgress` callback receives it: `event` says which
/// step, and the fields of that step are set (the others are `null`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ProgressEvent {
    /// The step: `resolved` (source tag -> digest), `planned`, `blob_skipped`,
    /// `blob_mounted`, `blob_progress` (every 100 ms or so while copying), `blob_copied`,
    /// `manifest` (written), `tagged` (the destination tag: done).
    #[napi(
        ts_type = "'resolved' | 'planned' | 'blob_skipped' | 'blob_mounted' | 'blob_progress' | 'blob_copied' | 'manifest' | 'tagged'"
    )]
    pub event: String,
    /// The reference resolved, the tag or digest a manifest was written under, or the
    /// destination tagged (`resolved`, `manifest`, `tagged`).
    pub reference: Option<String>,
    /// The digest of the source, blob or manifest concerned.
    pub digest: Option<String>,
    /// The manifest's media type (`manifest`).
    pub media_type: Option<String>,
    /// Manifests to write (`planned`).
    pub manifests: Option<u32>,
    /// Distinct blobs referenced (`planned`).
    pub blobs: Option<u32>,
    /// Bytes to stream between registries (`planned`).
    pub bytes_to_copy: Option<f64>,
    /// Bytes of the blob sent so far (`blob_progress`).
    pub bytes: Option<f64>,
    /// The blob's size (`blob_*`).
    pub size: Option<f64>,
}

impl From<&shiprail::registry::ProgressEvent> for ProgressEvent {
    fn from(e: &shiprail::registry::ProgressEvent) -> Self {
        use shiprail::registry::ProgressEvent as E;
        let mut out = ProgressEvent {
            // The core's serde tag (`blob_copied`): the event has no Display.
            event: serde_json::to_value(e)
                .ok()
                .and_then(|v| v.get("event").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default(),
            reference: None,
            digest: None,
            media_type: None,
            manifests: None,
            blobs: None,
            bytes_to_copy: None,
            bytes: None,
            size: None,
        };
        match e {
            E::Resolved { reference, digest } | E::Tagged { reference, digest } => {
                out.reference = Some(reference.clone());
                out.digest = Some(digest.to_string());
            }
            E::Planned {
                manifests,
                blobs,
                bytes_to_copy,
            } => {
                out.manifests = Some(count_of(*manifests));
                out.blobs = Some(count_of(*blobs));
                out.bytes_to_copy = Some(*bytes_to_copy as f64);
            }
            E::BlobSkipped { digest, size }
            | E::BlobMounted { digest, size }
            | E::BlobCopied { digest, size } => {
                out.digest = Some(digest.to_string());
                out.size = Some(*size as f64);
            }
            E::BlobProgress {
                digest,
                bytes,
                size,
            } => {
                out.digest = Some(digest.to_string());
                out.bytes = Some(*bytes as f64);
                out.size = Some(*size as f64);
            }
            E::Manifest {
                digest,
                media_type,
                reference,
            } => {
                out.digest = Some(digest.to_string());
                out.media_type = Some(media_type.clone());
                out.reference = Some(reference.clone());
            }
            _ => {}
        }
        out
    }
}

/// A manifest reference resolved to its digest.
#[napi(object, object_from_js = false)]
pub struct Resolved {
    /// The reference asked for, normalised.
    pub reference: String,
    /// The digest of the manifest it names.
    pub digest: String,
    /// The manifest's media type (an image manifest or an index).
    pub media_type: String,
    /// The manifest's size in bytes.
    pub size: f64,
}

impl From<shiprail::registry::Resolved> for Resolved {
    fn from(r: shiprail::registry::Resolved) -> Self {
        Resolved {
            reference: r.reference,
            digest: r.digest.to_string(),
            media_type: r.media_type,
            size: r.size as f64,
        }
    }
}

/// The outcome of deleting a tag.
#[napi(object, object_from_js = false)]
pub struct DeletedTag {
    /// The reference whose tag was deleted.
    pub reference: String,
    /// The digest the tag named.
    pub digest: String,
    /// `tag` when the registry deleted the tag alone; `manifest` when it could only delete the
    /// manifest (done only when no other tag names it).
    #[napi(ts_type = "'tag' | 'manifest'")]
    pub method: String,
}

impl From<shiprail::registry::DeletedTag> for DeletedTag {
    fn from(d: shiprail::registry::DeletedTag) -> Self {
        DeletedTag {
            reference: d.reference,
            digest: d.digest.to_string(),
            method: d.method,
        }
    }
}

/// One release tag of a repository and the version it names.
#[napi(object, object_from_js = false)]
pub struct ReleaseTag {
    /// The tag (`v1.0.2`).
    pub tag: String,
    /// The version it names (`1.0.2`).
    pub version: String,
}

impl From<shiprail::registry::ReleaseTag> for ReleaseTag {
    fn from(r: shiprail::registry::ReleaseTag) -> Self {
        ReleaseTag {
            tag: r.tag,
            version: r.version.to_string(),
        }
    }
}

/// Which credentials a registry gets: the kind and the user name, never the secret.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct CredentialsInfo {
    /// `anonymous`, `basic` (user name and password or token) or `bearer` (a ready token).
    #[napi(ts_type = "'anonymous' | 'basic' | 'bearer'")]
    pub kind: String,
    /// The user name of basic credentials, `null` otherwise.
    pub username: Option<String>,
    /// A description for messages (`user \`ci\``, `a bearer token`, `no credentials`).
    pub description: String,
}

impl From<&shiprail::registry::Credentials> for CredentialsInfo {
    fn from(c: &shiprail::registry::Credentials) -> Self {
        use shiprail::registry::Credentials;
        let (kind, username) = match c {
            Credentials::Anonymous => ("anonymous", None),
            Credentials::Basic { username, .. } => ("basic", Some(username.clone())),
            Credentials::Bearer(_) => ("bearer", None),
            _ => ("unknown", None),
        };
        CredentialsInfo {
            kind: kind.to_string(),
            username,
            description: c.describe(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plans and release state

/// A plan event from the plain JS object `PlanEvent` (camelCase keys, like `TriggerEvent`):
/// `{ kind, ref, baseRef, commit, changed }`, read strictly (an unknown key is `invalid_event`).
/// `kind` is parsed by the core's `FromStr`; a `changed` item is a `ChangedPath` or a bare
/// path; `changed` absent or `null` means the changes are unknown.
pub(crate) fn plan_event(value: Value) -> shiprail::Result<shiprail::plan::PlanEvent> {
    use shiprail::plan::{PlanEvent, Trigger};

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct EventIn {
        kind: String,
        #[serde(rename = "ref")]
        reference: String,
        base_ref: Option<String>,
        commit: Option<String>,
        changed: Option<Vec<Value>>,
    }

    let invalid = |message: String| Error::new(ErrorKind::InvalidEvent, message);
    let input: EventIn =
        serde_json::from_value(value).map_err(|e| invalid(format!("invalid event: {e}")))?;
    let changed = input
        .changed
        .map(|items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    changed_item(item)
                        .map_err(|e| invalid(format!("invalid event: `changed[{i}]`: {e}")))
                })
                .collect::<shiprail::Result<Vec<_>>>()
        })
        .transpose()?;
    let mut event = PlanEvent::new(input.kind.parse::<Trigger>()?, input.reference);
    event.base_ref = input.base_ref;
    event.commit = input.commit;
    event.changed = changed;
    Ok(event)
}

/// The event a plan was made for, as the plan records it.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanEventSummary {
    /// The kind of event (a push of a tag is `tag`).
    #[napi(ts_type = "'push' | 'pull_request' | 'tag' | 'manual'")]
    pub kind: String,
    /// The full ref (`refs/heads/...`, `refs/tags/...`).
    #[napi(js_name = "ref")]
    pub reference: String,
    /// For a pull request: the full target ref.
    pub base_ref: Option<String>,
    /// The commit, when given.
    pub commit: Option<String>,
    /// How many paths changed; `null` when unknown.
    pub changed_paths: Option<u32>,
}

impl From<&shiprail::plan::EventSummary> for PlanEventSummary {
    fn from(e: &shiprail::plan::EventSummary) -> Self {
        PlanEventSummary {
            kind: e.kind.to_string(),
            reference: e.git_ref.clone(),
            base_ref: e.base_ref.clone(),
            commit: e.commit.clone(),
            changed_paths: e
                .changed_paths
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        }
    }
}

/// The classified branch of a plan's event.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanBranch {
    /// The short branch name.
    pub name: String,
    /// Its kind (`trunk`, `feature`, `topic`, `release`, or a configured one).
    pub kind: String,
    /// The service it names, for kinds with `{service}`.
    pub service: Option<String>,
    /// The release version, for release-like kinds.
    pub version: Option<String>,
}

impl From<&shiprail::plan::BranchInfo> for PlanBranch {
    fn from(b: &shiprail::plan::BranchInfo) -> Self {
        PlanBranch {
            name: b.name.clone(),
            kind: b.kind.clone(),
            service: b.service.clone(),
            version: b.version.clone(),
        }
    }
}

/// The release a versioned plan produces: one service at one version and its names.
#[napi(object, object_from_js = false)]
pub struct PlanRelease {
    /// The service released.
    pub service: String,
    /// The release version (no `v`).
    pub version: String,
    /// The image tag (`v1.0.2`).
    pub image_tag: String,
    /// The image reference CI pushes (`myrepo.azurecr.io/delivery:v1.0.2`).
    pub image: String,
    /// The chart version (`1.0.2`).
    pub chart_version: String,
    /// The chart appVersion (`1.0.2`).
    pub app_version: String,
    /// The git tag of the release commit (`delivery-v1.0.2`).
    pub git_tag: String,
    /// The side-by-side Helm release name (`delivery-v1-0-2`).
    pub release_name: String,
}

impl From<&shiprail::plan::ReleaseInfo> for PlanRelease {
    fn from(r: &shiprail::plan::ReleaseInfo) -> Self {
        PlanRelease {
            service: r.service.clone(),
            version: r.version.clone(),
            image_tag: r.image_tag.clone(),
            image: r.image.clone(),
            chart_version: r.chart_version.clone(),
            app_version: r.app_version.clone(),
            git_tag: r.git_tag.clone(),
            release_name: r.release_name.clone(),
        }
    }
}

/// A gate in front of a step: `passed` (the environment before passed, with `step` and
/// `sameDigest`), `approval` (`reviewers`, `approvers`, `allowSelfApproval`, `timeout`,
/// `waitTimer`) or `lock` (`name`). Fields of other gates are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanGate {
    /// Which gate.
    #[napi(ts_type = "'passed' | 'approval' | 'lock'")]
    pub gate: String,
    /// The environment it is about.
    pub environment: String,
    /// `passed`: the step whose success is the environment's result.
    pub step: Option<String>,
    /// `passed`: whether the digest must be the one that passed there.
    pub same_digest: Option<bool>,
    /// `approval`: how many distinct reviewers must approve.
    pub reviewers: Option<u32>,
    /// `approval`: who may approve (empty: anyone).
    pub approvers: Option<Vec<String>>,
    /// `approval`: whether the release's author may approve.
    pub allow_self_approval: Option<bool>,
    /// `approval`: how long approvals are accepted (`30d`).
    pub timeout: Option<String>,
    /// `approval`: how long the step waits after the approval (`10m`).
    pub wait_timer: Option<String>,
    /// `lock`: the lock's name (`shiprail-prod`).
    pub name: Option<String>,
}

impl From<&shiprail::plan::Gate> for PlanGate {
    fn from(g: &shiprail::plan::Gate) -> Self {
        use shiprail::plan::Gate;
        let mut out = PlanGate {
            gate: String::new(),
            environment: String::new(),
            step: None,
            same_digest: None,
            reviewers: None,
            approvers: None,
            allow_self_approval: None,
            timeout: None,
            wait_timer: None,
            name: None,
        };
        match g {
            Gate::Passed {
                environment,
                step,
                same_digest,
            } => {
                out.gate = "passed".into();
                out.environment.clone_from(environment);
                out.step = Some(step.clone());
                out.same_digest = Some(*same_digest);
            }
            Gate::Approval {
                environment,
                reviewers,
                approvers,
                allow_self_approval,
                timeout,
                wait_timer,
            } => {
                out.gate = "approval".into();
                out.environment.clone_from(environment);
                out.reviewers = Some(*reviewers);
                out.approvers = Some(approvers.clone());
                out.allow_self_approval = Some(*allow_self_approval);
                out.timeout = Some(timeout.to_string());
                out.wait_timer = Some(wait_timer.to_string());
            }
            Gate::Lock { environment, name } => {
                out.gate = "lock".into();
                out.environment.clone_from(environment);
                out.name = Some(name.clone());
            }
            other => {
                // A gate kind added to the core later: its tag and environment at least.
                let value = serde_json::to_value(other).unwrap_or_default();
                out.gate = value["gate"].as_str().unwrap_or_default().to_string();
                out.environment = value["environment"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
            }
        }
        out
    }
}

/// What a step works on: only the fields that apply to its action are set, the others are
/// `null`; `values` is empty unless the step deploys.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct StepInputs {
    /// The image reference built, scanned, pushed, deployed or verified.
    pub image: Option<String>,
    /// Whether a built image is pushed (only `image_push` pushes).
    pub push: Option<bool>,
    /// The Dockerfile of an image build.
    pub dockerfile: Option<String>,
    /// The Dockerfile target of an image build (`test` for the test-runner image).
    pub target: Option<String>,
    /// The step whose recorded digest this step uses (the image is pinned by digest).
    pub digest_from: Option<String>,
    /// The chart directory.
    pub chart: Option<String>,
    /// The chart version (= the release version).
    pub chart_version: Option<String>,
    /// The chart appVersion.
    pub app_version: Option<String>,
    /// The chart package file (`delivery-1.0.2.tgz`).
    pub chart_package: Option<String>,
    /// The OCI chart reference (`oci://myrepo.azurecr.io/helm/delivery`), without version.
    pub chart_reference: Option<String>,
    /// The git tag written.
    pub git_tag: Option<String>,
    /// The image promoted (the one CI pushed).
    pub source_image: Option<String>,
    /// Where it is promoted to.
    pub target_image: Option<String>,
    /// The environment.
    pub environment: Option<String>,
    /// The environment's cluster (kubeconfig context).
    pub cluster: Option<String>,
    /// The environment's Kubernetes namespace.
    pub namespace: Option<String>,
    /// The Helm release name.
    pub release_name: Option<String>,
    /// The `kubernetes.io/change-cause` annotation.
    pub change_cause: Option<String>,
    /// Helm values set on the deployment (`image.repository`, `image.tag`, the environment's
    /// `values`), keys as written.
    #[napi(ts_type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
}

impl From<&shiprail::plan::StepInputs> for StepInputs {
    fn from(i: &shiprail::plan::StepInputs) -> Self {
        StepInputs {
            image: i.image.clone(),
            push: i.push,
            dockerfile: i.dockerfile.clone(),
            target: i.target.clone(),
            digest_from: i.digest_from.clone(),
            chart: i.chart.clone(),
            chart_version: i.chart_version.clone(),
            app_version: i.app_version.clone(),
            chart_package: i.chart_package.clone(),
            chart_reference: i.chart_reference.clone(),
            git_tag: i.git_tag.clone(),
            source_image: i.source_image.clone(),
            target_image: i.target_image.clone(),
            environment: i.environment.clone(),
            cluster: i.cluster.clone(),
            namespace: i.namespace.clone(),
            release_name: i.release_name.clone(),
            change_cause: i.change_cause.clone(),
            values: i.values.clone(),
        }
    }
}

/// One step of a service's plan.
#[napi(object, object_from_js = false)]
pub struct PlanStep {
    /// `<service>/<stage>/<action>` (`delivery/prod/deploy`): unique in the plan.
    pub id: String,
    /// What it does.
    #[napi(
        ts_type = "'build' | 'unit_test' | 'test_image_build' | 'test_run' | 'image_build' | 'vulnerability_scan' | 'image_push' | 'chart_package' | 'chart_push' | 'git_tag' | 'promote' | 'deploy' | 'verify'"
    )]
    pub action: String,
    /// The steps that must have succeeded first.
    pub needs: Vec<String>,
    /// The gates that must pass before it starts.
    pub gates: Vec<PlanGate>,
    /// What it works on.
    pub inputs: StepInputs,
}

impl From<&shiprail::plan::Step> for PlanStep {
    fn from(s: &shiprail::plan::Step) -> Self {
        PlanStep {
            id: s.id.clone(),
            action: s.action.to_string(),
            needs: s.needs.clone(),
            gates: s.gates.iter().map(PlanGate::from).collect(),
            inputs: (&s.inputs).into(),
        }
    }
}

/// A group of steps: `ci`, or one environment.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanStage {
    /// `ci` or the environment's name.
    pub id: String,
    /// The environment deployed to, for a CD stage.
    pub environment: Option<String>,
    /// The stages that come before it.
    pub needs: Vec<String>,
    /// Its steps, in order.
    pub steps: Vec<PlanStep>,
}

impl From<&shiprail::plan::Stage> for PlanStage {
    fn from(s: &shiprail::plan::Stage) -> Self {
        PlanStage {
            id: s.id.clone(),
            environment: s.environment.clone(),
            needs: s.needs.clone(),
            steps: s.steps.iter().map(PlanStep::from).collect(),
        }
    }
}

/// The plan of one service.
#[napi(object, object_from_js = false)]
pub struct ServicePlan {
    /// The service.
    pub service: String,
    /// Why it is in the plan (the branch that names it, the path that affected it).
    pub reason: String,
    /// Its image repository (`myrepo.azurecr.io/delivery`).
    pub image_repository: String,
    /// The image reference CI builds (`...:v1.0.2` for a release, `...:ci-<commit>` otherwise).
    pub image: String,
    /// Its chart directory.
    pub chart: String,
    /// `ci` first, then one stage per environment in deployment order.
    pub stages: Vec<PlanStage>,
}

impl From<&shiprail::plan::ServicePlan> for ServicePlan {
    fn from(s: &shiprail::plan::ServicePlan) -> Self {
        ServicePlan {
            service: s.service.clone(),
            reason: s.reason.clone(),
            image_repository: s.image_repository.clone(),
            image: s.image.clone(),
            chart: s.chart.clone(),
            stages: s.stages.iter().map(PlanStage::from).collect(),
        }
    }
}

/// A whole plan as plain data (`Plan#toJSON`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanDocument {
    /// The format version of the plan (`PLAN_FORMAT`).
    pub format: u32,
    /// The event planned for.
    pub event: PlanEventSummary,
    /// The pipeline kind run; `null` when no rule matched (or one said `none`).
    pub pipeline: Option<String>,
    /// Whether anything runs.
    pub run: bool,
    /// Why this pipeline, or why nothing runs.
    pub reason: String,
    /// The classified branch, when the event has one.
    pub branch: Option<PlanBranch>,
    /// The release, for a versioned event (a release branch, a release tag).
    pub release: Option<PlanRelease>,
    /// The environments deployed to, in order.
    pub environments: Vec<String>,
    /// One plan per service, sorted by service.
    pub services: Vec<ServicePlan>,
    /// Things left out and why.
    pub notes: Vec<String>,
}

impl From<&shiprail::plan::Plan> for PlanDocument {
    fn from(p: &shiprail::plan::Plan) -> Self {
        PlanDocument {
            format: p.format,
            event: (&p.event).into(),
            pipeline: p.pipeline.clone(),
            run: p.run,
            reason: p.reason.clone(),
            branch: p.branch.as_ref().map(PlanBranch::from),
            release: p.release.as_ref().map(PlanRelease::from),
            environments: p.environments.clone(),
            services: p.services.iter().map(ServicePlan::from).collect(),
            notes: p.notes.clone(),
        }
    }
}

/// A plan in brief: each service's steps as `stage/action`, with ` [gate, ...]` when gated.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanOutline {
    /// The pipeline kind, if any.
    pub pipeline: Option<String>,
    /// Whether anything runs.
    pub run: bool,
    /// Why.
    pub reason: String,
    /// Per service: `ci/build`, `prod/promote [passed:qa, approval:1]`, ...
    #[napi(ts_type = "Record<string, Array<string>>")]
    pub services: BTreeMap<String, Vec<String>>,
}

impl From<shiprail::plan::PlanOutline> for PlanOutline {
    fn from(o: shiprail::plan::PlanOutline) -> Self {
        PlanOutline {
            pipeline: o.pipeline,
            run: o.run,
            reason: o.reason,
            services: o.services,
        }
    }
}

/// One variable of a plan for a CI system, in output order.
#[napi(object, object_from_js = false)]
pub struct CiVariable {
    /// Its name (`run`, `matrix`, `image_tag`, ...).
    pub name: String,
    /// Its value, unescaped.
    pub value: String,
}

/// A finding of the release configuration lint (`Config#lintRelease`).
#[napi(object, object_from_js = false)]
pub struct PlanLintFinding {
    /// The rule (`shared_cluster`, `no_approval`, ...).
    #[napi(
        ts_type = "'shared_cluster' | 'production_data' | 'mutable_tag' | 'ungated_environment' | 'no_approval' | 'any_branch' | 'no_promotion' | 'deploy_on_pull_request'"
    )]
    pub rule: String,
    /// `error` or `warning`.
    #[napi(ts_type = "'error' | 'warning'")]
    pub severity: String,
    /// Where in shiprail.yaml (`environments.prod.cluster`).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl From<&shiprail::plan::LintFinding> for PlanLintFinding {
    fn from(f: &shiprail::plan::LintFinding) -> Self {
        PlanLintFinding {
            rule: serde_name(&f.rule),
            severity: serde_name(&f.severity),
            path: f.path.clone(),
            message: f.message.clone(),
        }
    }
}

/// One entry of a release's audit trail: who did what, when, to which digest, chained to the
/// entry before by its hash. `action` says which fields are set: `init` (`headerSha256`),
/// `gate` (`step`, `result`, `digest`), `approve` (`environment`, `digest`, `comment`),
/// `promote` (`environment`, `digest`, `source`, `target`), `deploy` (`environment`,
/// `digest`, `image`, `releaseName`, `chartVersion`); the others are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct AuditEntry {
    /// 0 for the first entry, then one more each.
    pub seq: u32,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (a CI user, a reviewer).
    pub actor: String,
    /// The commit of the release.
    pub commit: Option<String>,
    /// What.
    #[napi(ts_type = "'init' | 'gate' | 'approve' | 'promote' | 'deploy'")]
    pub action: String,
    /// `init`: SHA-256 (hex) of the plan, release and rollback targets.
    pub header_sha256: Option<String>,
    /// `gate`: the step.
    pub step: Option<String>,
    /// `gate`: its result.
    #[napi(ts_type = "'passed' | 'failed' | null")]
    pub result: Option<String>,
    /// The image digest it is about.
    pub digest: Option<String>,
    /// `approve`: what the reviewer said.
    pub comment: Option<String>,
    /// `approve`, `promote`, `deploy`: the environment.
    pub environment: Option<String>,
    /// `promote`: the source reference.
    pub source: Option<String>,
    /// `promote`: the destination reference.
    pub target: Option<String>,
    /// `deploy`: the image reference deployed.
    pub image: Option<String>,
    /// `deploy`: the Helm release name.
    pub release_name: Option<String>,
    /// `deploy`: the chart version.
    pub chart_version: Option<String>,
    /// SHA-256 (hex) of the previous entry (64 zeros for the first).
    pub prev: String,
    /// SHA-256 (hex) of this entry without `hash`.
    pub hash: String,
}

impl From<&shiprail::plan::AuditEntry> for AuditEntry {
    fn from(e: &shiprail::plan::AuditEntry) -> Self {
        use shiprail::plan::Record;
        let mut out = AuditEntry {
            seq: u32::try_from(e.seq).unwrap_or(u32::MAX),
            at: e.at.to_string(),
            actor: e.actor.clone(),
            commit: e.commit.clone(),
            action: String::new(),
            header_sha256: None,
            step: None,
            result: None,
            digest: None,
            comment: None,
            environment: None,
            source: None,
            target: None,
            image: None,
            release_name: None,
            chart_version: None,
            prev: e.prev.clone(),
            hash: e.hash.clone(),
        };
        match &e.record {
            Record::Init { header_sha256 } => {
                out.header_sha256 = Some(header_sha256.clone());
            }
            Record::Gate {
                step,
                result,
                digest,
            } => {
                out.step = Some(step.clone());
                out.result = Some(serde_name(result));
                out.digest.clone_from(digest);
            }
            Record::Approve {
                environment,
                digest,
                comment,
            } => {
                out.environment = Some(environment.clone());
                out.digest = Some(digest.clone());
                out.comment.clone_from(comment);
            }
            Record::Promote {
                environment,
                digest,
                source,
                target,
            } => {
                out.environment = Some(environment.clone());
                out.digest = Some(digest.clone());
                out.source = Some(source.clone());
                out.target = Some(target.clone());
            }
            Record::Deploy {
                environment,
                digest,
                image,
                release_name,
                chart_version,
            } => {
                out.environment = Some(environment.clone());
                out.digest = Some(digest.clone());
                out.image = Some(image.clone());
                out.release_name = Some(release_name.clone());
                out.chart_version.clone_from(chart_version);
            }
            _ => {}
        }
        // The tag as the core writes it, for every record kind (a later one included).
        out.action = serde_json::to_value(&e.record)
            .ok()
            .and_then(|v| v["action"].as_str().map(str::to_string))
            .unwrap_or_default();
        out
    }
}

/// A deployment of a release: what ran where (the rollback plan's `current` and `previous`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Deployment {
    /// The environment.
    pub environment: String,
    /// The service.
    pub service: String,
    /// The release version.
    pub version: String,
    /// The Helm release name.
    pub release_name: String,
    /// The chart version.
    pub chart_version: Option<String>,
    /// The OCI chart reference, when charts are pushed to one.
    pub chart_reference: Option<String>,
    /// The chart package file, when the chart was deployed from one.
    pub chart_package: Option<String>,
    /// The image reference.
    pub image: String,
    /// The digest deployed.
    pub digest: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

impl From<&shiprail::plan::Deployment> for Deployment {
    fn from(d: &shiprail::plan::Deployment) -> Self {
        Deployment {
            environment: d.environment.clone(),
            service: d.service.clone(),
            version: d.version.clone(),
            release_name: d.release_name.clone(),
            chart_version: d.chart_version.clone(),
            chart_reference: d.chart_reference.clone(),
            chart_package: d.chart_package.clone(),
            image: d.image.clone(),
            digest: d.digest.clone(),
            at: d.at.to_string(),
        }
    }
}

/// Where one step of a release stands, and why.
#[napi(object, object_from_js = false)]
pub struct StepState {
    /// The step.
    pub step: String,
    /// Its action.
    #[napi(
        ts_type = "'build' | 'unit_test' | 'test_image_build' | 'test_run' | 'image_build' | 'vulnerability_scan' | 'image_push' | 'chart_package' | 'chart_push' | 'git_tag' | 'promote' | 'deploy' | 'verify'"
    )]
    pub action: String,
    /// Where it stands.
    #[napi(ts_type = "'done' | 'ready' | 'blocked' | 'failed'")]
    pub status: String,
    /// Why it is blocked or failed (empty when done or ready).
    pub why: Vec<String>,
}

/// What may run now in a release, and why the rest may not (`ReleaseState#next`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct NextSteps {
    /// The service.
    pub service: String,
    /// The release version.
    pub version: String,
    /// The digest of the release's image, once known.
    pub digest: Option<String>,
    /// The steps that may run now.
    pub ready: Vec<String>,
    /// Whether every step is done.
    pub complete: bool,
    /// Every step, in plan order.
    pub steps: Vec<StepState>,
}

impl From<shiprail::plan::NextSteps> for NextSteps {
    fn from(n: shiprail::plan::NextSteps) -> Self {
        NextSteps {
            service: n.service,
            version: n.version,
            digest: n.digest,
            ready: n.ready,
            complete: n.complete,
            steps: n
                .steps
                .into_iter()
                .map(|s| StepState {
                    step: s.step,
                    action: s.action.to_string(),
                    status: serde_name(&s.status),
                    why: s.why,
                })
                .collect(),
        }
    }
}

/// One step of a rollback.
#[napi(object, object_from_js = false)]
pub struct RollbackStep {
    /// `redeploy`, `verify` or `uninstall`.
    #[napi(ts_type = "'redeploy' | 'verify' | 'uninstall'")]
    pub action: String,
    /// What it works on.
    pub inputs: StepInputs,
}

/// How to return an environment to what ran there before a release.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RollbackPlan {
    /// The environment.
    pub environment: String,
    /// What runs there now from this release, `null` if it was not deployed.
    pub current: Option<Deployment>,
    /// What ran before (the target), `null` if unknown.
    pub previous: Option<Deployment>,
    /// The steps, in order.
    pub steps: Vec<RollbackStep>,
    /// Things to know (no previous release known, nothing deployed yet, ...).
    pub notes: Vec<String>,
}

impl From<shiprail::plan::RollbackPlan> for RollbackPlan {
    fn from(r: shiprail::plan::RollbackPlan) -> Self {
        RollbackPlan {
            environment: r.environment,
            current: r.current.as_ref().map(Deployment::from),
            previous: r.previous.as_ref().map(Deployment::from),
            steps: r
                .steps
                .iter()
                .map(|s| RollbackStep {
                    action: s.action.clone(),
                    inputs: (&s.inputs).into(),
                })
                .collect(),
            notes: r.notes,
        }
    }
}

/// A whole release state as plain data (`ReleaseState#toJSON`); the state file itself is
/// `ReleaseState#toJsonString()`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ReleaseStateDocument {
    /// The format version (`STATE_FORMAT`).
    pub format: u32,
    /// The release: service, version and its names.
    pub release: PlanRelease,
    /// Who started the release.
    pub author: Option<String>,
    /// The commit released.
    pub commit: Option<String>,
    /// The release's plan (its service's stages and steps).
    pub plan: ServicePlan,
    /// What ran in each environment before this release (the rollback targets).
    #[napi(ts_type = "Record<string, Deployment>")]
    pub previous: BTreeMap<String, Deployment>,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
}

impl From<&shiprail::plan::ReleaseState> for ReleaseStateDocument {
    fn from(s: &shiprail::plan::ReleaseState) -> Self {
        ReleaseStateDocument {
            format: s.format,
            release: (&s.release).into(),
            author: s.author.clone(),
            commit: s.commit.clone(),
            plan: (&s.plan).into(),
            previous: previous_deployments(s),
            audit: s.audit().iter().map(AuditEntry::from).collect(),
        }
    }
}

/// The rollback targets of a state, by environment.
pub(crate) fn previous_deployments(
    s: &shiprail::plan::ReleaseState,
) -> BTreeMap<String, Deployment> {
    s.previous
        .iter()
        .map(|(env, d)| (env.clone(), d.into()))
        .collect()
}
