//! The `pipelines:` section of shiprail.yaml: which pipeline kind an event runs and what each
//! kind does.

use crate::chart::ChangeCauseTemplate;
use crate::config::{Config, Located};
use crate::error::{Error, ErrorKind, Result};
use crate::suggest;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The kind of event a pipeline rule reacts to.
///
/// A push of a `refs/tags/...` ref is a [`Trigger::Tag`], whatever the CI system calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Trigger {
    /// Commits pushed to a branch (including the push that creates it).
    Push,
    /// A pull request opened or updated.
    PullRequest,
    /// A git tag pushed.
    Tag,
    /// A manual run ("Run pipeline", `workflow_dispatch`).
    Manual,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: &'static [Trigger] = &[
        Trigger::Push,
        Trigger::PullRequest,
        Trigger::Tag,
        Trigger::Manual,
    ];

    /// The name as written in configuration and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Trigger::Push => "push",
            Trigger::PullRequest => "pull_request",
            Trigger::Tag => "tag",
            Trigger::Manual => "manual",
        }
    }
}

impl FromStr for Trigger {
    type Err = Error;

    fn from_str(s: &str) -> Result<Trigger> {
        match s {
            "push" => Ok(Trigger::Push),
            "pull_request" | "pr" | "pull_request_target" | "merge_request" => {
                Ok(Trigger::PullRequest)
            }
            "tag" => Ok(Trigger::Tag),
            "manual" | "workflow_dispatch" => Ok(Trigger::Manual),
            other => Err(Error::new(
                ErrorKind::InvalidEvent,
                format!(
                    "unknown event `{}`: expected push, pull_request, tag or manual",
                    other.escape_debug()
                ),
            )
            .with_input(other)),
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Trigger {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Trigger {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Trigger {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Trigger".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "enum": ["push", "pull_request", "tag", "manual"],
            "description": "The kind of event: a branch push, a pull request, a tag push or a manual run."
        })
    }
}

/// What one step of a pipeline does.
///
/// The CI actions run in a fixed dependency order (tests and the scan before the push, the
/// image before the chart that names it, both before the git tag); the CD actions are planned
/// per environment and cannot be listed in a kind's `steps`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Compile the service.
    Build,
    /// Run its unit tests.
    UnitTest,
    /// Build the test-runner image (the Dockerfile's `test` target); never pushed.
    TestImageBuild,
    /// Run the tests inside the test-runner image.
    TestRun,
    /// Build the runtime image (pushed only by `image_push`).
    ImageBuild,
    /// Scan the runtime image for vulnerabilities.
    VulnerabilityScan,
    /// Push the runtime image under its release tag and record its digest.
    ImagePush,
    /// Package the chart with chart version = the release version.
    ChartPackage,
    /// Push the chart package to the OCI chart repository.
    ChartPush,
    /// Tag the release commit (`delivery-v1.0.2`).
    GitTag,
    /// Copy the image, same digest, into an environment's registry namespace.
    Promote,
    /// Install or upgrade the Helm release in an environment.
    Deploy,
    /// Run the acceptance tests against the deployment; its result is the environment's gate.
    Verify,
}

impl Action {
    /// The actions a kind's `steps` may list, in their canonical order.
    pub const CI: &'static [Action] = &[
        Action::Build,
        Action::UnitTest,
        Action::TestImageBuild,
        Action::TestRun,
        Action::ImageBuild,
        Action::VulnerabilityScan,
        Action::ImagePush,
        Action::ChartPackage,
        Action::ChartPush,
        Action::GitTag,
    ];

    /// The name as written in configuration and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Build => "build",
            Action::UnitTest => "unit_test",
            Action::TestImageBuild => "test_image_build",
            Action::TestRun => "test_run",
            Action::ImageBuild => "image_build",
            Action::VulnerabilityScan => "vulnerability_scan",
            Action::ImagePush => "image_push",
            Action::ChartPackage => "chart_package",
            Action::ChartPush => "chart_push",
            Action::GitTag => "git_tag",
            Action::Promote => "promote",
            Action::Deploy => "deploy",
            Action::Verify => "verify",
        }
    }

    /// The CI actions this one runs after, when the pipeline has them.
    pub(crate) const fn prerequisites(self) -> &'static [Action] {
        match self {
            Action::Build | Action::ChartPackage => &[],
            Action::UnitTest | Action::TestImageBuild | Action::ImageBuild => &[Action::Build],
            Action::TestRun => &[Action::TestImageBuild],
            Action::VulnerabilityScan => &[Action::ImageBuild],
            Action::ImagePush => &[
                Action::UnitTest,
                Action::TestRun,
                Action::ImageBuild,
                Action::VulnerabilityScan,
            ],
            Action::ChartPush => &[Action::ChartPackage, Action::ImagePush],
            Action::GitTag => &[Action::ImagePush, Action::ChartPush],
            Action::Promote | Action::Deploy | Action::Verify => &[],
        }
    }

    /// Whether the action needs a release version (it publishes versioned artifacts).
    pub(crate) const fn needs_version(self) -> bool {
        matches!(
            self,
            Action::ImagePush
                | Action::ChartPackage
                | Action::ChartPush
                | Action::GitTag
                | Action::Promote
                | Action::Deploy
                | Action::Verify
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One pipeline kind: its CI steps and whether (and where) it deploys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct PipelineKind {
    /// The CI steps, each at most once; they run in their fixed dependency order.
    #[serde(default)]
    pub steps: Vec<Located<Action>>,
    /// Whether the pipeline goes on to deploy (CD) after CI.
    #[serde(default)]
    pub deploy: bool,
    /// The environments deployed to; unset: every declared environment. Each environment's
    /// `after` environments must be listed too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<Located<String>>>,
}

impl PipelineKind {
    fn ci(steps: &[Action], deploy: bool) -> PipelineKind {
        PipelineKind {
            steps: steps.iter().copied().map(Located::new).collect(),
            deploy,
            environments: None,
        }
    }
}

/// The events one rule matches, written as one event or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triggers(pub Vec<Trigger>);

impl Serialize for Triggers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(serializer),
            many => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Triggers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let names = match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        if names.is_empty() {
            return Err(serde::de::Error::custom(
                "`event` is empty: name at least one of push, pull_request, tag, manual",
            ));
        }
        names
            .iter()
            .map(|n| n.parse::<Trigger>().map_err(serde::de::Error::custom))
            .collect::<Result<Vec<_>, _>>()
            .map(Triggers)
    }
}

impl schemars::JsonSchema for Triggers {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Triggers".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = generator.subschema_for::<Trigger>();
        schemars::json_schema!({
            "description": "One event kind or a list of them.",
            "anyOf": [one, {"type": "array", "items": one, "minItems": 1}]
        })
    }
}

/// One rule: an event (and branch kinds) mapped to a pipeline kind. Rules are tried in order;
/// the first that matches decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct PipelineRule {
    /// The event kinds the rule matches.
    pub event: Triggers,
    /// The kinds of the pushed branch (for a pull request: its source branch); empty matches
    /// any, and a tag push has no branch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branch: Vec<Located<String>>,
    /// For pull requests: the kinds of the target branch; empty matches any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base: Vec<Located<String>>,
    /// The pipeline kind to run, or `none` to run nothing.
    pub pipeline: Located<String>,
}

impl PipelineRule {
    fn new(events: &[Trigger], branch: &[&str], base: &[&str], pipeline: &str) -> Self {
        let strings = |v: &[&str]| v.iter().map(|s| Located::new(s.to_string())).collect();
        PipelineRule {
            event: Triggers(events.to_vec()),
            branch: strings(branch),
            base: strings(base),
            pipeline: Located::new(pipeline.to_string()),
        }
    }
}

/// The `pipelines:` section of shiprail.yaml.
///
/// Defaults (the scenario's):
///
/// ```yaml
/// pipelines:
///   kinds:
///     validation: {steps: [build, unit_test]}
///     pull_request: {steps: [build, unit_test, test_image_build, test_run, image_build, vulnerability_scan]}
///     trunk: {steps: [build, unit_test, image_build]}
///     release: {steps: [build, unit_test, test_image_build, test_run, image_build, vulnerability_scan,
///                       image_push, chart_package, chart_push, git_tag], deploy: true}
///     deploy: {deploy: true}
///   rules:
///     - {event: [push, manual], branch: [feature, topic], pipeline: validation}
///     - {event: pull_request, base: [trunk, release], pipeline: pull_request}
///     - {event: [push, manual], branch: [trunk], pipeline: trunk}
///     - {event: [push, manual], branch: [release], pipeline: release}
///   chart_repository: helm
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case", default)]
pub struct Pipelines {
    /// Pipeline kinds by name, merged with the defaults: the same name replaces a default,
    /// `null` removes it.
    #[serde(with = "kinds_serde")]
    #[schemars(with = "BTreeMap<String, Option<PipelineKind>>")]
    pub kinds: BTreeMap<String, PipelineKind>,
    /// The rules, first match wins; replaces the default list when given. No match: nothing
    /// runs, and the plan says why.
    pub rules: Vec<Located<PipelineRule>>,
    /// The OCI repository path, under the registry, that charts are pushed to (`helm` gives
    /// `oci://myrepo.azurecr.io/helm/delivery`).
    pub chart_repository: String,
    /// The `kubernetes.io/change-cause` annotation of each deployment.
    pub change_cause: ChangeCauseTemplate,
}

fn default_kinds() -> BTreeMap<String, PipelineKind> {
    use Action::*;
    let full = [
        Build,
        UnitTest,
        TestImageBuild,
        TestRun,
        ImageBuild,
        VulnerabilityScan,
        ImagePush,
        ChartPackage,
        ChartPush,
        GitTag,
    ];
    [
        ("validation", PipelineKind::ci(&[Build, UnitTest], false)),
        ("pull_request", PipelineKind::ci(&full[..6], false)),
        (
            "trunk",
            PipelineKind::ci(&[Build, UnitTest, ImageBuild], false),
        ),
        ("release", PipelineKind::ci(&full, true)),
        ("deploy", PipelineKind::ci(&[], true)),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_string(), k))
    .collect()
}

fn default_rules() -> Vec<Located<PipelineRule>> {
    use Trigger::*;
    [
        PipelineRule::new(&[Push, Manual], &["feature", "topic"], &[], "validation"),
        PipelineRule::new(&[PullRequest], &[], &["trunk", "release"], "pull_request"),
        PipelineRule::new(&[Push, Manual], &["trunk"], &[], "trunk"),
        PipelineRule::new(&[Push, Manual], &["release"], &[], "release"),
    ]
    .into_iter()
    .map(Located::new)
    .collect()
}

impl Default for Pipelines {
    fn default() -> Self {
        Pipelines {
            kinds: default_kinds(),
            rules: default_rules(),
            chart_repository: "helm".to_string(),
            change_cause: ChangeCauseTemplate::default(),
        }
    }
}

/// Serde for `kinds`: overrides merged into the defaults, `null` removing one; serialized with
/// `null` for each removed default so that a round trip gives the same kinds.
mod kinds_serde {
    use super::{PipelineKind, default_kinds};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub(super) fn serialize<S: Serializer>(
        kinds: &BTreeMap<String, PipelineKind>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut out: BTreeMap<&str, Option<&PipelineKind>> = BTreeMap::new();
        let defaults = default_kinds();
        for name in defaults.keys() {
            if !kinds.contains_key(name) {
                out.insert(name, None);
            }
        }
        for (name, kind) in kinds {
            out.insert(name, Some(kind));
        }
        out.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, PipelineKind>, D::Error> {
        let overrides: Option<BTreeMap<String, Option<PipelineKind>>> =
            Option::deserialize(deserializer)?;
        let mut kinds = default_kinds();
        for (name, kind) in overrides.unwrap_or_default() {
            match kind {
                Some(kind) => kinds.insert(name, kind),
                None => kinds.remove(&name),
            };
        }
        Ok(kinds)
    }
}

/// The word that means "run nothing" in a rule's `pipeline`.
pub(crate) const NONE: &str = "none";

fn names(list: &[&str]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    list.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn invalid(at: &Located<String>, message: String, candidates: &[&str]) -> Error {
    let mut err = Error::new(ErrorKind::ConfigInvalid, message).with_input(at.as_str());
    if let Some(s) = suggest::closest(at.as_str(), candidates.iter().copied()) {
        err = err.with_suggestion(s);
    }
    at.locate(err)
}

/// Checks the `pipelines:` section and the environments' ordering keys against the rest of
/// the configuration (see the plan module's "Configuration errors").
pub(crate) fn validate(config: &Config) -> Result<()> {
    let mut kinds: Vec<&str> = vec!["trunk"];
    kinds.extend(config.branches.kinds.keys().map(|k| k.as_str()));
    let envs: Vec<&str> = config.environments.keys().map(String::as_str).collect();
    for (name, env) in &config.environments {
        if name == "ci" {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "environment `ci`: the name is reserved for the CI stage of a plan",
            ));
        }
        for after in env.after.iter().flatten() {
            if after.as_str() == name {
                return Err(invalid(
                    after,
                    format!("environment `{name}` comes after itself"),
                    &[],
                ));
            }
            if !config.environments.contains_key(after.as_str()) {
                return Err(invalid(
                    after,
                    format!(
                        "environment `{name}` comes after `{}`, which is not a declared environment (declared: {})",
                        after.escape_debug(),
                        names(&envs)
                    ),
                    &envs,
                ));
            }
        }
        let mut with_tag = kinds.clone();
        with_tag.push("tag");
        for kind in &env.allowed_branches {
            if !with_tag.contains(&kind.as_str()) {
                return Err(invalid(
                    kind,
                    format!(
                        "environment `{name}` allows branch kind `{}`, which is not a branch kind (kinds: {}, or `tag`)",
                        kind.escape_debug(),
                        names(&kinds)
                    ),
                    &with_tag,
                ));
            }
        }
        let approval = &env.approval;
        if approval.required && !approval.approvers.is_empty() {
            let unique: BTreeSet<&String> = approval.approvers.iter().collect();
            if unique.len() < approval.approvers.len() {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("environment `{name}`: `approval.approvers` lists someone twice"),
                ));
            }
            if approval.reviewers as usize > unique.len() {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "environment `{name}` needs {} reviewers but `approval.approvers` lists only {}",
                        approval.reviewers,
                        unique.len()
                    ),
                ));
            }
        }
    }
    // A cycle through `after` would make a gate depend on a later stage.
    let order = super::build::environment_order(config, None)?;
    drop(order);
    let pipeline_names: Vec<&str> = config.pipelines.kinds.keys().map(String::as_str).collect();
    for (name, kind) in &config.pipelines.kinds {
        let mut seen = BTreeSet::new();
        for step in &kind.steps {
            if !Action::CI.contains(step.value()) {
                return Err(step.locate(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "pipeline kind `{name}` lists `{}` as a step: promote, deploy and verify are planned per environment when `deploy: true`",
                        step.value()
                    ),
                )));
            }
            if !seen.insert(*step.value()) {
                return Err(step.locate(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("pipeline kind `{name}` lists step `{}` twice", step.value()),
                )));
            }
        }
        if let Some(list) = &kind.environments {
            for env in list {
                if !config.environments.contains_key(env.as_str()) {
                    return Err(invalid(
                        env,
                        format!(
                            "pipeline kind `{name}` deploys to `{}`, which is not a declared environment (declared: {})",
                            env.escape_debug(),
                            names(&envs)
                        ),
                        &envs,
                    ));
                }
            }
            let listed: BTreeSet<&str> = list.iter().map(|e| e.as_str()).collect();
            for env in list {
                for before in super::build::predecessors(config, env.as_str()) {
                    if !listed.contains(before) {
                        return Err(env.locate(Error::new(
                            ErrorKind::ConfigInvalid,
                            format!(
                                "pipeline kind `{name}` deploys to `{}` but not to `{before}`, which `{}` comes after: its gate could never pass",
                                env.as_str(),
                                env.as_str()
                            ),
                        )));
                    }
                }
            }
        }
    }
    for (i, rule) in config.pipelines.rules.iter().enumerate() {
        let target = &rule.pipeline;
        if target.as_str() != NONE && !config.pipelines.kinds.contains_key(target.as_str()) {
            let mut candidates = pipeline_names.clone();
            candidates.push(NONE);
            return Err(invalid(
                target,
                format!(
                    "pipelines.rules[{i}] runs `{}`, which is not a pipeline kind (kinds: {}, or `none`)",
                    target.escape_debug(),
                    names(&pipeline_names)
                ),
                &candidates,
            ));
        }
        for (field, list) in [("branch", &rule.branch), ("base", &rule.base)] {
            for kind in list {
                if !kinds.contains(&kind.as_str()) {
                    return Err(invalid(
                        kind,
                        format!(
                            "pipelines.rules[{i}].{field} names `{}`, which is not a branch kind (kinds: {})",
                            kind.escape_debug(),
                            names(&kinds)
                        ),
                        &kinds,
                    ));
                }
            }
        }
        if !rule.base.is_empty() && !rule.event.0.contains(&Trigger::PullRequest) {
            return Err(rule.locate(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "pipelines.rules[{i}] has `base`, which only a pull_request has, but its events are {}",
                    rule.event
                        .0
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )));
        }
    }
    let repo = &config.pipelines.chart_repository;
    if repo.starts_with('/') || repo.ends_with('/') || repo.contains("//") {
        return Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!(
                "pipelines.chart_repository `{}` is a repository path: no leading, trailing or double `/`",
                repo.escape_debug()
            ),
        ));
    }
    Ok(())
}
