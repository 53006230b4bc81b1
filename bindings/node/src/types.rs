//! TypeScript declarations of the `shiprail.yaml` sections that policies are passed as, of the
//! other plain objects read through serde (`AzureOptions`, `TriggerEvent`, `ChartLintInput`,
//! `ChangeCause`, `ArchiveLimits`, `ServiceRules`, `PromoteRequestInput`), of the credentials
//! read key by key (`RegistryCredentials`), of the plain objects written by the core's serde
//! (`ChartMetadata`), and of the string unions results use.
//!
//! These structs exist for `index.d.ts` only: they are never converted at runtime (policies go
//! through the core's serde, see [`crate::convert::section`]; events through
//! [`crate::convert::event`]; chart inputs through [`crate::convert::lint_input`] and
//! [`crate::convert::change_cause`]; rules through [`crate::convert::service_rules`]; promote
//! requests through [`crate::convert::promote_request`]). Section keys are the YAML keys (snake_case), so a section
//! read from a `Config` can be passed back as a policy. The Node tests compare each section
//! interface's keys with the core's JSON Schema, `AzureOptions` with the core's serialized
//! options, `TriggerEvent`, `ChartLintInput` and `ChangeCause` with the keys the conversions
//! accept, `ArchiveLimits` with the core's default limits and `ChartMetadata` with a parsed
//! Chart.yaml that has every field, so a field added to the core and not here fails the suite.
#![allow(missing_docs)]

use napi_derive::napi;

/// A bump level: `none < patch < minor < major`.
#[napi(string_enum = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

/// The `versioning:` section: how versions are written, labelled, started and bumped.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct VersionPolicy {
    /// `accept` (default), `require` or `forbid` a leading `v` on input versions.
    #[napi(js_name = "v_prefix", ts_type = "'accept' | 'require' | 'forbid'")]
    pub v_prefix: Option<String>,
    /// The pre-release label (default `rc`): `X.Y.Z-<label>.<N>`.
    #[napi(js_name = "prerelease_label")]
    pub prerelease_label: Option<String>,
    /// The first release of a service (default `0.1.0`).
    #[napi(js_name = "initial_version")]
    pub initial_version: Option<String>,
    /// The bumps of breaking changes and features while the major version is 0.
    #[napi(js_name = "pre_1_0")]
    pub pre_1_0: Option<PreStablePolicy>,
    /// The bump of a message that is not a conventional commit: `none` (default) or `patch`.
    #[napi(ts_type = "'none' | 'patch'")]
    pub other: Option<String>,
}

/// `versioning.pre_1_0`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PreStablePolicy {
    /// The bump of a breaking change on 0.x (default `minor`).
    #[napi(ts_type = "'major' | 'minor' | 'patch'")]
    pub breaking: Option<String>,
    /// The bump of a feature on 0.x (default `minor`).
    #[napi(ts_type = "'major' | 'minor' | 'patch'")]
    pub feature: Option<String>,
}

/// The `tags:` section: how a release's names follow from its version.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct TagPolicy {
    /// The image tag template (default `v{version}`).
    pub image: Option<String>,
    /// The chart version template: always `{version}`.
    #[napi(js_name = "chart_version")]
    pub chart_version: Option<String>,
    /// The chart appVersion template (default `{version}`).
    #[napi(js_name = "app_version")]
    pub app_version: Option<String>,
    /// The git tag template (default `{service}-v{version}`).
    pub git: Option<String>,
    /// Tags that move and are refused everywhere (default `latest`, `stable`, ...).
    pub mutable: Option<Vec<String>>,
}

/// The `branches:` section: trunk names and branch kinds.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct BranchRules {
    /// Trunk branch names (default `main`, `master`); replaces the default list.
    pub trunk: Option<Vec<String>>,
    /// Kinds by name, merged with the defaults; `null` removes a default kind.
    #[napi(ts_type = "Record<string, string | null>")]
    pub kinds: Option<String>,
}

/// The `promotion:` section.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PromotionSection {
    /// The promotion template (default `{registry}/{namespace}/{name}:{tag}`).
    pub template: Option<String>,
}

/// An entry of `environments:`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct EnvironmentConfig {
    /// The Kubernetes cluster (a kubeconfig context).
    pub cluster: String,
    /// The Kubernetes namespace.
    pub namespace: String,
    /// The registry namespace images are promoted into (empty: none).
    #[napi(js_name = "registry_namespace")]
    pub registry_namespace: Option<String>,
    /// Whether this is a production environment.
    pub production: Option<bool>,
    /// The approval a deployment needs.
    pub approval: Option<ApprovalConfig>,
    /// The environments a release must have passed before it may be deployed here.
    pub after: Option<Vec<String>>,
    /// The branch kinds whose releases may be deployed here (empty: every kind).
    #[napi(js_name = "allowed_branches")]
    pub allowed_branches: Option<Vec<String>>,
    /// Whether one deployment at a time may run here.
    #[napi(js_name = "exclusive_lock")]
    pub exclusive_lock: Option<bool>,
    /// Environments this one knowingly shares its cluster with.
    #[napi(js_name = "shares_cluster_with")]
    pub shares_cluster_with: Option<Vec<String>>,
    /// Helm values set on every deployment here.
    #[napi(ts_type = "Record<string, string>")]
    pub values: Option<String>,
}

/// `environments.<name>.approval`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ApprovalConfig {
    /// Whether an approval is required.
    pub required: Option<bool>,
    /// How many distinct reviewers must approve.
    pub reviewers: Option<u32>,
    /// Whether the author of a release may approve it.
    #[napi(js_name = "allow_self_approval")]
    pub allow_self_approval: Option<bool>,
    /// Who may approve (empty: anyone but, by default, the author).
    pub approvers: Option<Vec<String>>,
    /// How long approvals are accepted (`30d`, `72h`, `1h30m`).
    pub timeout: Option<String>,
    /// How long to wait after the approval before deploying.
    #[napi(js_name = "wait_timer")]
    pub wait_timer: Option<String>,
}

/// An entry of `services:`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ServiceConfig {
    /// The source paths of the service.
    pub paths: PathFilterConfig,
    /// Shared path globs or `{service}` entries whose changes also affect this service.
    #[napi(js_name = "depends_on", ts_type = "Array<string | ServiceDependency>")]
    pub depends_on: Option<Vec<String>>,
    /// The Helm chart folder.
    pub chart: Option<String>,
    /// The image repository.
    pub image: Option<String>,
    /// The Dockerfile.
    pub dockerfile: Option<String>,
}

/// `services.<name>.paths`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PathFilterConfig {
    /// Globs of the paths that belong to the service.
    pub include: Option<Vec<String>>,
    /// Globs of paths that never belong to it.
    pub exclude: Option<Vec<String>>,
}

/// The mapping form of a service dependency.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ServiceDependency {
    /// The service depended on.
    pub service: String,
}

/// The whole of `shiprail.yaml`, as `Config#toJSON` returns it.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ConfigDocument {
    /// The registry images are pushed to.
    pub registry: Option<String>,
    /// The services, by name.
    #[napi(ts_type = "Record<string, ServiceConfig>")]
    pub services: String,
    /// Branch naming rules.
    pub branches: BranchRules,
    /// The version policy.
    pub versioning: VersionPolicy,
    /// The tag policy.
    pub tags: TagPolicy,
    /// Promotion naming.
    pub promotion: PromotionSection,
    /// Environments, by name.
    #[napi(ts_type = "Record<string, EnvironmentConfig>")]
    pub environments: String,
    /// Which pipeline kind each event runs and what each kind does.
    pub pipelines: Option<PipelinesSection>,
}

/// The `pipelines:` section: the pipeline kinds and the rules that choose one per event.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PipelinesSection {
    /// Kinds by name, merged with the defaults (`validation`, `pull_request`, `trunk`,
    /// `release`, `deploy`); `null` removes a default kind.
    #[napi(ts_type = "Record<string, PipelineKindConfig | null>")]
    pub kinds: Option<String>,
    /// The rules, first match wins; replaces the default list when given.
    pub rules: Option<Vec<PipelineRuleConfig>>,
    /// The OCI path charts are pushed under (default `helm`).
    #[napi(js_name = "chart_repository")]
    pub chart_repository: Option<String>,
    /// The `kubernetes.io/change-cause` template of each deployment.
    #[napi(js_name = "change_cause")]
    pub change_cause: Option<String>,
}

/// `pipelines.kinds.<name>`: one pipeline kind.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PipelineKindConfig {
    /// The CI steps, each at most once (`build`, `unit_test`, `test_image_build`, `test_run`,
    /// `image_build`, `vulnerability_scan`, `image_push`, `chart_package`, `chart_push`,
    /// `git_tag`).
    #[napi(
        ts_type = "Array<'build' | 'unit_test' | 'test_image_build' | 'test_run' | 'image_build' | 'vulnerability_scan' | 'image_push' | 'chart_package' | 'chart_push' | 'git_tag'>"
    )]
    pub steps: Option<Vec<String>>,
    /// Whether CD follows CI.
    pub deploy: Option<bool>,
    /// The environments deployed to (default all).
    pub environments: Option<Vec<String>>,
}

/// `pipelines.rules[]`: an event (and branch kinds) mapped to a pipeline kind.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PipelineRuleConfig {
    /// One event kind or a list of them.
    #[napi(
        ts_type = "'push' | 'pull_request' | 'tag' | 'manual' | Array<'push' | 'pull_request' | 'tag' | 'manual'>"
    )]
    pub event: String,
    /// Kinds of the pushed branch (a pull request's source); empty: any.
    pub branch: Option<Vec<String>>,
    /// For pull requests: kinds of the target branch; empty: any.
    pub base: Option<Vec<String>>,
    /// A pipeline kind, or `none`.
    pub pipeline: String,
}

/// An event to plan for (`Config#plan`), camelCase keys like results; unknown keys are
/// refused with `invalid_event`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PlanEvent {
    /// `push` (a push of `refs/tags/...` counts as `tag`), `pull_request`, `tag` or `manual`.
    #[napi(ts_type = "'push' | 'pull_request' | 'tag' | 'manual'")]
    pub kind: String,
    /// The branch pushed or run on, the tag pushed, or a pull request's source branch.
    #[napi(js_name = "ref")]
    pub reference: String,
    /// A pull request's target branch.
    #[napi(ts_type = "string | null")]
    pub base_ref: Option<String>,
    /// The commit built (names non-release images `ci-<12 characters>`).
    #[napi(ts_type = "string | null")]
    pub commit: Option<String>,
    /// The changed paths; absent or `null`: unknown.
    #[napi(ts_type = "Array<ChangedPath | string> | null")]
    pub changed: Option<Vec<String>>,
}

/// The Azure Pipelines behaviour switches (the core's `AzureOptions`, snake_case keys); an
/// omitted key keeps the current documented behaviour.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct AzureOptions {
    /// Where the repository is hosted (default `github`); `pr:` is ignored on Azure Repos Git.
    #[napi(ts_type = "'github' | 'bitbucket' | 'azure_repos'")]
    pub repository: Option<String>,
    /// The *Disable implied YAML CI trigger* setting: a file without `trigger:` then has no CI
    /// trigger.
    #[napi(js_name = "implied_ci_trigger_disabled")]
    pub implied_ci_trigger_disabled: Option<bool>,
    /// Azure DevOps Server 2019.1 and older: an exclude-only list matches nothing.
    #[napi(js_name = "exclude_only_matches_nothing")]
    pub exclude_only_matches_nothing: Option<bool>,
    /// Azure DevOps Server 2019.1 and older: `paths` without `branches` never fires.
    #[napi(js_name = "paths_require_branches")]
    pub paths_require_branches: Option<bool>,
    /// The first push of a new branch runs whatever the path filters say.
    #[napi(js_name = "new_branch_ignores_paths")]
    pub new_branch_ignores_paths: Option<bool>,
    /// Which commits' messages are searched for skip markers (default `any_commit`).
    #[napi(
        js_name = "skip_marker_scope",
        ts_type = "'any_commit' | 'head_commit'"
    )]
    pub skip_marker_scope: Option<String>,
    /// `*` and `?` in path filters also match `/`.
    #[napi(js_name = "path_star_crosses_slash")]
    pub path_star_crosses_slash: Option<bool>,
    /// Compare branch and tag names ignoring case.
    #[napi(js_name = "branch_case_insensitive")]
    pub branch_case_insensitive: Option<bool>,
    /// The pull request is a draft (`drafts: false` then keeps it from running).
    #[napi(js_name = "pr_is_draft")]
    pub pr_is_draft: Option<bool>,
}

/// An event to evaluate against a pipeline (camelCase keys, like results; unknown keys are
/// refused with `invalid_event`).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct TriggerEvent {
    /// The kind of event (`pr` and `workflow_dispatch` are accepted as aliases). Azure
    /// Pipelines requires it; a GitHub workflow takes an event without one as a push.
    #[napi(
        ts_type = "'push' | 'pull_request' | 'pull_request_target' | 'manual' | 'pr' | 'workflow_dispatch' | null"
    )]
    pub kind: Option<String>,
    /// The ref pushed (`main`, `refs/heads/main`, `refs/tags/v1.0.2`; a name without `refs/`
    /// is a branch), or a pull request's source branch.
    #[napi(js_name = "ref")]
    pub reference: String,
    /// A pull request's target branch, which PR branch filters are matched against.
    #[napi(ts_type = "string | null")]
    pub base_ref: Option<String>,
    /// The changed paths: `ChangedPath` objects (as `parseChangedLines` returns them) or bare
    /// paths (modified). Omitted or `null`: unknown, and path filters cannot exclude anything.
    #[napi(ts_type = "Array<ChangedPath | string> | null")]
    pub changed: Option<Vec<String>>,
    /// The commit messages of the push, newest first (skip markers are read from them).
    pub commit_messages: Option<Vec<String>>,
    /// Whether this push created the branch.
    pub new_branch: Option<bool>,
}

/// The files of a chart in memory, for `lintChart` (camelCase keys, like a result; unknown
/// keys are refused with `invalid_chart`). An omitted or `null` file does not exist.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ChartLintInput {
    /// Chart.yaml.
    #[napi(ts_type = "string | null")]
    pub chart_yaml: Option<String>,
    /// values.yaml.
    #[napi(ts_type = "string | null")]
    pub values_yaml: Option<String>,
    /// values.schema.json.
    #[napi(ts_type = "string | null")]
    pub values_schema: Option<String>,
    /// What `templates` is (default `directory`).
    #[napi(ts_type = "'missing' | 'file' | 'directory' | null")]
    pub templates: Option<String>,
    /// The names (Chart.yaml `name`) of the charts in `charts/`; omitted or `null`, the
    /// dependency checks are skipped.
    #[napi(ts_type = "Array<string> | null")]
    pub subcharts: Option<Vec<String>>,
}

/// The facts a change cause is rendered from (unknown keys are refused with
/// `invalid_template`).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ChangeCause {
    /// The service deployed.
    pub service: String,
    /// The version deployed (`v` accepted).
    #[napi(ts_type = "string | null")]
    pub version: Option<String>,
    /// The environment deployed to.
    #[napi(ts_type = "string | null")]
    pub environment: Option<String>,
    /// The branch the release came from.
    #[napi(ts_type = "string | null")]
    pub branch: Option<String>,
    /// The commit the release was built from (`{short_commit}` is its first 7 characters).
    #[napi(ts_type = "string | null")]
    pub commit: Option<String>,
    /// Why (an approval note, a ticket).
    #[napi(ts_type = "string | null")]
    pub reason: Option<String>,
}

/// Limits on what a chart archive may hold (the core's snake_case keys); an omitted key keeps
/// its default (`ChartArchive.defaultLimits()`).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ArchiveLimits {
    /// The most bytes all files may hold together, decompressed (default 100 MiB).
    #[napi(js_name = "max_total_size")]
    pub max_total_size: Option<f64>,
    /// The most bytes one file may hold (default 5 MiB).
    #[napi(js_name = "max_file_size")]
    pub max_file_size: Option<f64>,
    /// The most entries, files and directories (default 10,000).
    #[napi(js_name = "max_entries")]
    pub max_entries: Option<f64>,
    /// The longest path, in bytes (default 4096).
    #[napi(js_name = "max_path_len")]
    pub max_path_len: Option<f64>,
}

/// Chart.yaml's metadata in its Chart.yaml form, as Helm reads it. `apiVersion`, `name` and
/// `version` are always present (empty when not written); other fields only when written.
/// Fields Helm does not know are kept too, under their own keys, in file order.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ChartMetadata {
    /// `v1` or `v2` (as written; lint checks it).
    pub api_version: String,
    /// The chart name.
    pub name: String,
    /// The chart version (as written; lint checks it is SemVer).
    pub version: String,
    /// The Kubernetes versions the chart supports (a SemVer range).
    pub kube_version: Option<String>,
    /// One sentence about the chart.
    pub description: Option<String>,
    /// `application` or `library`.
    #[napi(js_name = "type")]
    pub chart_type: Option<String>,
    /// Search keywords.
    pub keywords: Option<Vec<String>>,
    /// The project's home page.
    pub home: Option<String>,
    /// Source code URLs.
    pub sources: Option<Vec<String>>,
    /// The charts this chart depends on.
    pub dependencies: Option<Vec<ChartDependency>>,
    /// The maintainers.
    pub maintainers: Option<Vec<ChartMaintainer>>,
    /// The icon URL.
    pub icon: Option<String>,
    /// The version of the application deployed (any text; numbers read as Go formats them).
    pub app_version: Option<String>,
    /// Whether the chart is deprecated (present only when `true`).
    pub deprecated: Option<bool>,
    /// Annotations.
    #[napi(ts_type = "Record<string, string>")]
    pub annotations: Option<String>,
    /// apiVersion v1 only: the condition enabling the chart as a subchart.
    pub condition: Option<String>,
    /// apiVersion v1 only: the tags grouping the chart as a subchart.
    pub tags: Option<String>,
}

/// An entry of Chart.yaml `dependencies` (unknown fields kept under their own keys).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ChartDependency {
    /// The chart name.
    pub name: String,
    /// A version or SemVer range.
    pub version: Option<String>,
    /// The repository URL (`oci://`, `https://`, `file://`) or alias (`@name`).
    pub repository: Option<String>,
    /// A values path that enables the dependency.
    pub condition: Option<String>,
    /// Tags that enable the dependency.
    pub tags: Option<Vec<String>>,
    /// Whether it is enabled.
    pub enabled: Option<bool>,
    /// Values imported from the subchart.
    #[napi(js_name = "import-values", ts_type = "Array<unknown>")]
    pub import_values: Option<Vec<String>>,
    /// The name the dependency is known by in this chart.
    pub alias: Option<String>,
}

/// An entry of Chart.yaml `maintainers` (unknown fields kept under their own keys).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ChartMaintainer {
    /// The maintainer's name.
    pub name: String,
    /// An e-mail address.
    pub email: Option<String>,
    /// A URL.
    pub url: Option<String>,
}

/// The path rules of one service for `AffectedMatcher.fromRules` (camelCase keys; unknown keys
/// are refused with `config_invalid`). A pattern is a glob string (GitHub Actions filter
/// syntax compiled with globset: `*` within a segment, `**` across), `{ glob }`, or
/// `{ written, regex }` for a pattern no glob expresses (the regex must match the whole path;
/// `written` is what explanations show). `affectedRules(config)` returns rules of this shape.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ServiceRules {
    /// The service name (unique).
    pub name: String,
    /// Paths that belong to the service.
    #[napi(ts_type = "Array<string | PatternSpec>")]
    pub include: Option<Vec<String>>,
    /// Paths that never affect it, even when an include or a shared path matches.
    #[napi(ts_type = "Array<string | PatternSpec>")]
    pub exclude: Option<Vec<String>>,
    /// Shared paths whose changes affect it.
    #[napi(ts_type = "Array<string | PatternSpec>")]
    pub depends_on_paths: Option<Vec<String>>,
    /// Services whose being affected affects it (each must be among the rules).
    pub depends_on_services: Option<Vec<String>>,
}

/// A pattern of `ServiceRules` given as an object: exactly one of `glob` and `regex`.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PatternSpec {
    /// What explanations show; for a glob it must be the glob itself (or left out).
    #[napi(ts_type = "string | null")]
    pub written: Option<String>,
    /// A glob.
    #[napi(ts_type = "string | null")]
    pub glob: Option<String>,
    /// A regular expression (Rust `regex` syntax, anchored at both ends).
    #[napi(ts_type = "string | null")]
    pub regex: Option<String>,
}

/// A promotion for `RegistryClient#promote` (camelCase keys; unknown keys are refused with
/// `invalid_image_reference`). `PromotionPolicy#request` returns one with every key.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PromoteRequestInput {
    /// The image promoted, by tag (`myrepo.azurecr.io/delivery:v1.0.2`); a `@sha256:...` on it
    /// is the expected digest.
    pub source: String,
    /// The tag written (`myrepo.azurecr.io/prod/delivery:v1.0.2`), on the same or another
    /// registry.
    pub destination: String,
    /// The digest the source tag must name (the one QA approved): `registry_unexpected_digest`
    /// otherwise, and nothing is written.
    #[napi(ts_type = "string | null")]
    pub expected_digest: Option<String>,
    /// For an image index, the platforms kept (`linux/amd64`); empty or omitted keeps all.
    pub platforms: Option<Vec<String>>,
    /// Move a destination tag that names another digest (default `false`:
    /// `registry_clobber`).
    pub force: Option<bool>,
    /// Plan and report without writing anything (default `false`).
    pub dry_run: Option<bool>,
    /// Copy signatures, attestations and SBOMs along (default `true`).
    pub referrers: Option<bool>,
}

/// The credentials of one registry in `RegistryOptions.credentials`: a user name and a
/// password (or a token used as password), a bearer `token`, or none (`{}`). Unknown keys are
/// refused (`config_syntax`, naming the key, never a value).
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct RegistryCredentials {
    /// The user name, with `password`.
    pub username: Option<String>,
    /// The password or token, with `username`.
    pub password: Option<String>,
    /// A ready bearer token, sent as `Authorization: Bearer ...`.
    pub token: Option<String>,
}
