//! The plan's data model: what [`Config::plan`](crate::config::Config::plan) returns, as JSON.

use super::pipelines::{Action, Trigger};
use crate::config::Duration;
use crate::trigger::ChangedPath;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the plan's JSON format; a reader refuses a newer one.
pub const PLAN_FORMAT: u32 = 1;

/// The event a plan is made for.
///
/// `ref` is a branch (`release/delivery/v1.0.2`, `refs/heads/main`) or, for a tag push, a tag
/// (`delivery-v1.0.2`, `refs/tags/delivery-v1.0.2`); a push of a `refs/tags/` ref is a tag push.
/// For a pull request `ref` is the source branch and `base_ref` the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanEvent {
    /// The kind of event.
    pub kind: Trigger,
    /// The ref pushed, tagged or run on; for a pull request, its source branch.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// For a pull request: the target branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// The changed paths; unknown (`None`) plans every service where changes decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<Vec<ChangedPath>>,
    /// The commit built (its first 12 characters name non-release images).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl PlanEvent {
    /// An event of `kind` on `git_ref`, changes unknown.
    pub fn new(kind: Trigger, git_ref: impl Into<String>) -> PlanEvent {
        PlanEvent {
            kind,
            git_ref: git_ref.into(),
            base_ref: None,
            changed: None,
            commit: None,
        }
    }
}

/// The event as the plan records it (the changed paths counted, not listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSummary {
    /// The kind of event (a push of a tag is `tag`).
    pub kind: Trigger,
    /// The full ref (`refs/heads/...`, `refs/tags/...`).
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// For a pull request: the full target ref.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// The commit, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// How many paths changed; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_paths: Option<usize>,
}

/// The classified branch of the event (for a pull request, its source branch when it fits a
/// kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchInfo {
    /// The short branch name.
    pub name: String,
    /// Its kind (`trunk`, `feature`, `topic`, `release`, or a configured one).
    pub kind: String,
    /// The service it names, for kinds with `{service}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The release version, for release-like kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The release a versioned pipeline produces: one service at one version, and every name that
/// follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInfo {
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

/// A condition that must hold before a step may start, beyond its `needs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "gate", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Gate {
    /// The environment before passed: its `verify` step succeeded, and (with `same_digest`)
    /// for the very image digest about to move on.
    Passed {
        /// The environment that must have passed.
        environment: String,
        /// The step whose success is the environment's result.
        step: String,
        /// Whether the digest must be the one that passed there.
        same_digest: bool,
    },
    /// Approvals for the digest about to be deployed.
    Approval {
        /// The environment approved for.
        environment: String,
        /// How many distinct reviewers must approve.
        reviewers: u32,
        /// Who may approve; empty: anyone.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        approvers: Vec<String>,
        /// Whether the release's author may approve.
        allow_self_approval: bool,
        /// How long after the environment becomes reachable approvals are accepted.
        timeout: Duration,
        /// How long after the approval the step must wait.
        wait_timer: Duration,
    },
    /// One deployment at a time in the environment.
    Lock {
        /// The environment locked.
        environment: String,
        /// The lock's name (a concurrency group, a resource group).
        name: String,
    },
}

/// What a step works on. Only the fields that apply to its action are set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInputs {
    /// The image reference built, scanned, pushed, deployed or verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Whether a built image is pushed (only `image_push` pushes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<bool>,
    /// The Dockerfile of an image build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// The Dockerfile target of an image build (`test` for the test-runner image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The step whose recorded digest this step uses (the image is pinned by digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_from: Option<String>,
    /// The chart directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// The chart version (= the release version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// The chart appVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// The chart package file (`delivery-1.0.2.tgz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_package: Option<String>,
    /// The OCI chart reference (`oci://myrepo.azurecr.io/helm/delivery`), without version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_reference: Option<String>,
    /// The git tag written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_tag: Option<String>,
    /// The image promoted (the one CI pushed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_image: Option<String>,
    /// Where it is promoted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_image: Option<String>,
    /// The environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The environment's cluster (kubeconfig context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The environment's Kubernetes namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The Helm release name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// The `kubernetes.io/change-cause` annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_cause: Option<String>,
    /// Helm values set on the deployment (`image.repository`, `image.tag`, the environment's
    /// `values`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

/// One step of a service's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `<service>/<stage>/<action>` (`delivery/prod/deploy`): unique in the plan.
    pub id: String,
    /// What it does.
    pub action: Action,
    /// The steps that must have succeeded first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// The gates that must pass before it starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Gate>,
    /// What it works on.
    pub inputs: StepInputs,
}

/// A group of steps: `ci`, or one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// `ci` or the environment's name.
    pub id: String,
    /// The environment deployed to, for a CD stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The stages that come before it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// Its steps, in order.
    pub steps: Vec<Step>,
}

/// The plan of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
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
    pub stages: Vec<Stage>,
}

impl ServicePlan {
    /// Every step, stage by stage.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.stages.iter().flat_map(|s| s.steps.iter())
    }

    /// The step with this id (`delivery/qa/verify`) or this id without the service
    /// (`qa/verify`).
    pub fn step(&self, id: &str) -> Option<&Step> {
        let full = if id.starts_with(&format!("{}/", self.service)) {
            id.to_string()
        } else {
            format!("{}/{id}", self.service)
        };
        self.steps().find(|s| s.id == full)
    }
}

/// What an event runs: the pipeline kind, and per service the stages and steps with their
/// inputs, dependencies and gates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "shiprail plan",
    description = "What a CI event runs: the pipeline kind, and per service the stages and steps with their inputs, dependencies and gates."
)]
pub struct Plan {
    /// The format version of the plan (1); readers refuse a newer one.
    pub format: u32,
    /// The event planned for.
    pub event: EventSummary,
    /// The pipeline kind run; null when no rule matched (or one said `none`).
    pub pipeline: Option<String>,
    /// Whether anything runs (a pipeline with at least one service).
    pub run: bool,
    /// Why this pipeline, or why nothing runs.
    pub reason: String,
    /// The classified branch, when the event has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchInfo>,
    /// The release, for a versioned event (a release branch, a release tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<ReleaseInfo>,
    /// The environments deployed to, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// One plan per service, sorted by service.
    pub services: Vec<ServicePlan>,
    /// Things left out and why (an environment this branch may not deploy to, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A plan in brief: the pipeline, the reason and each service's steps with their gates, as
/// the conformance vectors pin it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOutline {
    /// The pipeline kind, if any.
    pub pipeline: Option<String>,
    /// Whether anything runs.
    pub run: bool,
    /// Why.
    pub reason: String,
    /// Per service: `stage/action` for each step, followed by ` [gate, ...]` when gated
    /// (`passed:qa`, `approval:1`, `lock:prod`).
    pub services: BTreeMap<String, Vec<String>>,
}

impl Plan {
    /// Reads a plan from its JSON form (`shiprail plan --save`): a newer format is
    /// [`ErrorKind::StateVersion`](crate::ErrorKind::StateVersion), JSON that does not fit
    /// [`ErrorKind::ConfigSyntax`](crate::ErrorKind::ConfigSyntax).
    pub fn from_json(text: &str) -> crate::Result<Plan> {
        use crate::error::{Error, ErrorKind};
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("the plan is not JSON: {e}"),
            )
        })?;
        if let Some(f) = value.get("format").and_then(serde_json::Value::as_u64)
            && f > u64::from(PLAN_FORMAT)
        {
            return Err(Error::new(
                ErrorKind::StateVersion,
                format!(
                    "the plan has format {f}, newer than the {PLAN_FORMAT} this shiprail reads: upgrade shiprail"
                ),
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!("the plan does not fit the plan format: {e}"),
            )
        })
    }

    /// Reads a plan file (`shiprail plan --save FILE`): [`Plan::from_json`] of its text, with
    /// errors naming the file; [`ErrorKind::Io`](crate::ErrorKind::Io) when it cannot be read,
    /// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8) (with line and column) when it
    /// is not UTF-8. The one reader of plan files, for the CLI and the bindings alike.
    pub fn load(path: impl AsRef<std::path::Path>) -> crate::Result<Plan> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, &e))?;
        crate::config::utf8_text(&bytes)
            .and_then(Plan::from_json)
            .map_err(|e| e.in_file(path))
    }

    /// The JSON Schema of the plan (published as `docs/plan.schema.json`).
    pub fn json_schema() -> serde_json::Value {
        let schema = schemars::schema_for!(Plan);
        serde_json::to_value(&schema).unwrap_or_default()
    }

    /// The plan of one service.
    pub fn service(&self, name: &str) -> Option<&ServicePlan> {
        self.services.iter().find(|s| s.service == name)
    }

    /// The step with this id, in any service.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.services
            .iter()
            .flat_map(ServicePlan::steps)
            .find(|s| s.id == id)
    }

    /// The plan in brief (see [`PlanOutline`]).
    pub fn outline(&self) -> PlanOutline {
        let services = self
            .services
            .iter()
            .map(|svc| {
                let prefix = format!("{}/", svc.service);
                let steps = svc
                    .steps()
                    .map(|step| {
                        let id = step.id.strip_prefix(&prefix).unwrap_or(&step.id);
                        if step.gates.is_empty() {
                            id.to_string()
                        } else {
                            let gates: Vec<String> = step.gates.iter().map(gate_brief).collect();
                            format!("{id} [{}]", gates.join(", "))
                        }
                    })
                    .collect();
                (svc.service.clone(), steps)
            })
            .collect();
        PlanOutline {
            pipeline: self.pipeline.clone(),
            run: self.run,
            reason: self.reason.clone(),
            services,
        }
    }
}

fn gate_brief(gate: &Gate) -> String {
    match gate {
        Gate::Passed { environment, .. } => format!("passed:{environment}"),
        Gate::Approval { reviewers, .. } => format!("approval:{reviewers}"),
        Gate::Lock { environment, .. } => format!("lock:{environment}"),
    }
}
