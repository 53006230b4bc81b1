//! # Pipeline plans and release state
//!
//! [`Config::plan`](crate::config::Config::plan) answers "what does this event run?": the
//! pipeline kind, the services, and for each service the stages (`ci`, then one per
//! environment) and steps, each with its inputs (image references, chart and version, release
//! name, namespace, cluster, change cause, Helm values), the steps it needs and the gates in
//! front of it. [`ReleaseState`] then records what happened to one release (gate results,
//! approvals, promotions, deployments) in a hash-chained audit trail, and answers what may
//! run next. The JSON Schema of the plan is published as `docs/plan.schema.json`.
//!
//! ## Pipeline kinds and rules
//!
//! `pipelines.rules` maps an event to a pipeline kind; the first rule whose `event`, `branch`
//! (kinds of the pushed or pull-request source branch) and `base` (kinds of a pull request's
//! target) match decides. The defaults are the scenario's: a feature or topic push runs
//! `validation` (build, unit tests); a pull request into the trunk or a release branch runs
//! `pull_request` (also the test-runner image, the tests in it, the runtime image and a
//! vulnerability scan); a trunk push runs `trunk` (validation and the runtime image, not
//! pushed); a release branch runs `release` (all of CI, the image pushed under its version,
//! the chart packaged with chart version = app version and pushed, the git tag) and then CD.
//! A manual run plans like a push. A push of `refs/tags/...` is a tag event.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{PlanEvent, Trigger};
//! let config = Config::from_yaml_str(
//!     "services:\n  delivery: {paths: {include: ['src/delivery/**']}}\n",
//! )?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "feature/delivery/eta"))?;
//! assert_eq!(plan.pipeline.as_deref(), Some("validation"));
//! assert_eq!(plan.outline().services["delivery"], ["ci/build", "ci/unit_test"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Nothing to run is an answer, not an error
//!
//! An event no rule matches (a tag push by default: the release pipeline pushes its git tag
//! itself), a rule whose `pipeline` is `none`, or changes that touch no service give a plan
//! with `run: false` and the reason. A branch name that fits no kind is still an error
//! (`unknown_branch_kind`, with a suggestion): a typo is never skipped silently.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{PlanEvent, Trigger};
//! let config = Config::from_yaml_str(
//!     "services:\n  delivery: {paths: {include: ['src/delivery/**']}}\n",
//! )?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Tag, "delivery-v1.0.2"))?;
//! assert!(!plan.run);
//! assert!(plan.reason.starts_with("push of tag `delivery-v1.0.2`: no rule of `pipelines.rules` matches"));
//! let err = config.plan(&PlanEvent::new(Trigger::Push, "relase/delivery/v1.0.2")).unwrap_err();
//! assert_eq!(err.code(), "unknown_branch_kind");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Services
//!
//! A versioned event (a release branch, a release tag) plans exactly the service it names.
//! Otherwise the services are those the changed paths affect ([`Config::affected`](crate::config::Config::affected), with
//! `depends_on`), plus the service a feature or topic branch names; unknown changes plan the
//! branch's service, or every service when the branch names none. Each service says why.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{PlanEvent, Trigger};
//! use shiprail::trigger::ChangedPath;
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n",
//!     "  delivery: {paths: {include: ['src/delivery/**']}, depends_on: ['libs/**']}\n",
//!     "  package: {paths: {include: ['src/package/**']}}\n",
//! ))?;
//! let mut pr = PlanEvent::new(Trigger::PullRequest, "feature/package/x");
//! pr.base_ref = Some("main".into());
//! pr.changed = Some(vec![ChangedPath::modified("libs/retry.cs")]);
//! let plan = config.plan(&pr)?;
//! assert_eq!(plan.services.len(), 1);
//! assert_eq!(plan.services[0].reason, "`libs/retry.cs` matches `libs/**` (depends_on)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Steps, needs and inputs
//!
//! CI steps keep a fixed order of dependencies: tests and the scan before the push, the image
//! before the chart that names it, both before the git tag; a step the kind leaves out passes
//! its dependencies on. Step ids are `<service>/<stage>/<action>`. Images without a release
//! version are tagged `ci-<commit>` (never `latest`) and never pushed; the test-runner image
//! is `<repository>-test`. Helm releases get the side-by-side names of
//! [`release_names`](crate::chart::release_names).
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{PlanEvent, Trigger};
//! let config = Config::from_yaml_str(concat!(
//!     "registry: myrepo.azurecr.io\n",
//!     "services:\n  delivery: {paths: {include: ['src/delivery/**']}}\n",
//!     "environments:\n  dev: {cluster: dev-aks, namespace: shipping-dev}\n",
//! ))?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))?;
//! let push = plan.step("delivery/ci/image_push").expect("planned");
//! assert_eq!(push.inputs.image.as_deref(), Some("myrepo.azurecr.io/delivery:v1.0.2"));
//! assert!(push.needs.contains(&"delivery/ci/vulnerability_scan".to_string()));
//! let deploy = plan.step("delivery/dev/deploy").expect("planned");
//! assert_eq!(deploy.inputs.release_name.as_deref(), Some("delivery-v1-0-2"));
//! assert_eq!(deploy.inputs.values["image.tag"], "v1.0.2");
//! assert_eq!(deploy.inputs.chart_reference.as_deref(), Some("oci://myrepo.azurecr.io/helm/delivery"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Environments and gates
//!
//! A deploying kind deploys to its `environments` (default: all) in order: each after the
//! ones in its `after` (default: the one before it in the order dev, test, qa, uat, staging,
//! others, production). An environment's first step is gated on the environments before it
//! having passed with the same digest, and on its approval (N reviewers of the `approvers`,
//! not the author unless allowed, a `timeout`, a `wait_timer`). An environment with a
//! `registry_namespace` gets a `promote` step (once per namespace); `exclusive_lock` puts a
//! lock gate on its deployment; `allowed_branches` leaves it (and what comes after it) out of
//! plans from other branch kinds, with a note.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{PlanEvent, Trigger};
//! let config = Config::from_yaml_str(concat!(
//!     "registry: myrepo.azurecr.io\n",
//!     "services:\n  delivery: {paths: {include: ['src/delivery/**']}}\n",
//!     "environments:\n",
//!     "  qa: {cluster: dev-aks, namespace: shipping-qa}\n",
//!     "  dev: {cluster: dev-aks, namespace: shipping-dev}\n",
//!     "  prod: {cluster: prod-aks, namespace: shipping, registry_namespace: prod, production: true,\n",
//!     "         exclusive_lock: true, approval: {required: true}}\n",
//! ))?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))?;
//! assert_eq!(plan.environments, ["dev", "qa", "prod"]);
//! assert_eq!(plan.outline().services["delivery"][14..], [
//!     "prod/promote [passed:qa, approval:1]".to_string(),
//!     "prod/deploy [lock:prod]".to_string(),
//!     "prod/verify".to_string(),
//! ]);
//! let promote = plan.step("delivery/prod/promote").expect("planned");
//! assert_eq!(promote.inputs.target_image.as_deref(), Some("myrepo.azurecr.io/prod/delivery:v1.0.2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Configuration errors
//!
//! What contradicts itself fails when the configuration loads, with the location: a rule
//! naming an unknown kind or pipeline, a kind deploying to an unknown environment or to one
//! without the environments it comes `after` (its gate could never pass), environments that
//! come after one another (a gate depending on a later stage), CD actions listed as CI steps,
//! more reviewers than approvers.
//!
//! ```
//! use shiprail::config::Config;
//! let err = Config::from_yaml_str(concat!(
//!     "services:\n  delivery: {paths: {include: ['src/**']}}\n",
//!     "environments:\n  qa: {cluster: c, namespace: qa, after: [dve]}\n  dev: {cluster: c, namespace: dev}\n",
//! )).unwrap_err();
//! assert_eq!(err.to_string(), "line 4, column 43: environment `qa` comes after `dve`, which is not a declared environment (declared: `dev`, `qa`) (did you mean `dev`?)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## CI outputs
//!
//! [`ci::render`] writes a plan's variables (`run`, `pipeline`, `reason`, `services`,
//! `service_list`, `matrix`, and for a release `service`, `version`, `image`, `image_tag`,
//! `chart_version`, `git_tag`, `release_name`, `environments`) as `$GITHUB_OUTPUT` lines,
//! Azure Pipelines `##vso[task.setvariable]` commands or a GitLab dotenv report.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{ci, CiFormat, PlanEvent, Trigger};
//! let config = Config::from_yaml_str("services:\n  delivery: {paths: {include: ['src/**']}}\n")?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "feature/delivery/x"))?;
//! let out = ci::render(&plan, CiFormat::Github);
//! assert!(out.contains("\nmatrix={\"include\":[{\"service\":\"delivery\","));
//! let out = ci::render(&plan, CiFormat::Azure);
//! assert!(out.starts_with("##vso[task.setvariable variable=run;isoutput=true]true\n"));
//! assert!(ci::render(&plan, CiFormat::Gitlab).contains("\nSHIPRAIL_SERVICE_LIST=delivery\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Release state
//!
//! A [`ReleaseState`] starts from a versioned plan and records gate results (CI steps, with
//! the digest `image_push` pushed; each environment's `verify`), approvals (who, when, which
//! digest), promotions and deployments. A record is refused unless what its step needs is
//! done and its gates pass: a production deployment needs the digest QA passed with and an
//! approval of that digest ([`ErrorKind::GateNotPassed`](crate::ErrorKind::GateNotPassed),
//! [`ErrorKind::ApprovalMissing`](crate::ErrorKind::ApprovalMissing),
//! [`ErrorKind::ApprovalRefused`](crate::ErrorKind::ApprovalRefused)). [`ReleaseState::next`]
//! says what may run now and why the rest may not. The state is saved atomically (a
//! temporary file renamed over the old one).
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{GateResult, InitOptions, PlanEvent, ReleaseState, Trigger};
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n  delivery: {paths: {include: ['src/**']}}\n",
//!     "environments:\n  qa: {cluster: c, namespace: qa}\n",
//!     "  prod: {cluster: p, namespace: prod, production: true, approval: {required: true}}\n",
//!     "pipelines:\n  kinds:\n    release: {steps: [image_push], deploy: true}\n",
//! ))?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))?;
//! let options = InitOptions { author: Some("alice".into()), ..InitOptions::default() };
//! let mut state = ReleaseState::new(&plan, options)?;
//! let (d, t) = (format!("sha256:{}", "a".repeat(64)), "2024-06-11T09:00:00Z".parse()?);
//! state.record_gate("ci/image_push", GateResult::Passed, Some(&d), "ci", t)?;
//! state.record_deployment("qa", &d, "ci", t)?;
//! state.record_gate("qa/verify", GateResult::Passed, None, "ci", t)?;
//! let err = state.record_deployment("prod", &d, "ci", t).unwrap_err();
//! assert_eq!(err.code(), "approval_missing");
//! assert_eq!(state.record_approval("prod", &d, "alice", None, t).unwrap_err().code(), "approval_refused");
//! state.record_approval("prod", &d, "bob", Some("QA sign-off"), t)?;
//! assert_eq!(state.next(t).ready, ["delivery/prod/deploy"]);
//! state.record_deployment("prod", &d, "ci", t)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Audit trail
//!
//! Every record is an [`AuditEntry`] (seq, when, who, the commit, what, the digest) whose
//! `hash` is the SHA-256 of the entry and whose `prev` is the hash of the entry before; the
//! first entry's hash covers the plan, the release and the rollback targets. Loading checks
//! the chain: a changed, removed or reordered entry, or a changed plan, is
//! [`ErrorKind::StateTampered`](crate::ErrorKind::StateTampered); a state of a newer format
//! is [`ErrorKind::StateVersion`](crate::ErrorKind::StateVersion).
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{InitOptions, PlanEvent, ReleaseState, Trigger};
//! let config = Config::from_yaml_str("services:\n  delivery: {paths: {include: ['src/**']}}\n")?;
//! let plan = config.plan(&PlanEvent::new(Trigger::Push, "release/delivery/v1.0.2"))?;
//! let state = ReleaseState::new(&plan, InitOptions::default())?;
//! let text = state.to_json();
//! assert_eq!(ReleaseState::from_json(&text)?, state);
//! let forged = text.replace("\"actor\": \"shiprail\"", "\"actor\": \"mallory\"");
//! assert_eq!(ReleaseState::from_json(&forged).unwrap_err().code(), "state_tampered");
//! let newer = text.replacen("\"format\": 1", "\"format\": 9", 1);
//! assert_eq!(ReleaseState::from_json(&newer).unwrap_err().code(), "state_version");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Rollback
//!
//! A state started with the state of the release before ([`InitOptions::previous`]) knows what
//! ran in each environment; [`ReleaseState::rollback_plan`] gives that release (version,
//! chart, digest) and the steps back to it: redeploy its chart with its image pinned by
//! digest, verify, and uninstall this release's side-by-side Helm release.
//!
//! ## Lint
//!
//! [`lint()`] finds what loads but bypasses isolation or gates: a production environment
//! sharing the cluster of a dev/test environment (one that runs unpromoted images) without
//! `shares_cluster_with`; a dev/test environment whose data-store values (`mongodb.host`, a
//! connection string) name production's; `latest` (or an image with another mutable tag)
//! anywhere; a production environment reachable first, without approval, from any branch,
//! or on unpromoted images; a deploying pipeline on pull requests.
//!
//! ```
//! use shiprail::config::Config;
//! use shiprail::plan::{lint, LintRule};
//! let config = Config::from_yaml_str(concat!(
//!     "services:\n  delivery: {paths: {include: ['src/**']}}\n",
//!     "environments:\n  qa: {cluster: aks, namespace: qa, values: {db.host: prod-db}}\n",
//!     "  prod: {cluster: aks, namespace: prod, registry_namespace: prod, production: true,\n",
//!     "         allowed_branches: [release], approval: {required: true}, values: {db.host: prod-db}}\n",
//! ))?;
//! let rules: Vec<LintRule> = lint(&config).iter().map(|f| f.rule).collect();
//! assert_eq!(rules, [LintRule::SharedCluster, LintRule::ProductionData]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub mod ci;
mod lint;
mod model;
mod pipelines;
mod state;
mod time;

pub use ci::CiFormat;
pub use lint::{LintFinding, LintRule, LintSeverity, lint};
pub use model::{
    BranchInfo, EventSummary, Gate, PLAN_FORMAT, Plan, PlanEvent, PlanOutline, ReleaseInfo,
    ServicePlan, Stage, Step, StepInputs,
};
pub(crate) use pipelines::validate as validate_config;
pub use pipelines::{Action, PipelineKind, PipelineRule, Pipelines, Trigger, Triggers};
pub use state::{
    AuditEntry, Deployment, GateResult, InitOptions, NextSteps, Record, ReleaseState, RollbackPlan,
    RollbackStep, STATE_FORMAT, StepState, StepStatus,
};
pub use time::Timestamp;

// Public types must be shareable across threads (bindings and servers hand them around).
const _: fn() = || {
    fn check<T: Send + Sync>() {}
    check::<Action>();
    check::<AuditEntry>();
    check::<BranchInfo>();
    check::<CiFormat>();
    check::<Deployment>();
    check::<EventSummary>();
    check::<Gate>();
    check::<GateResult>();
    check::<InitOptions>();
    check::<LintFinding>();
    check::<LintRule>();
    check::<LintSeverity>();
    check::<NextSteps>();
    check::<PipelineKind>();
    check::<PipelineRule>();
    check::<Pipelines>();
    check::<Plan>();
    check::<PlanEvent>();
    check::<PlanOutline>();
    check::<Record>();
    check::<ReleaseInfo>();
    check::<ReleaseState>();
    check::<RollbackPlan>();
    check::<RollbackStep>();
    check::<ServicePlan>();
    check::<Stage>();
    check::<Step>();
    check::<StepInputs>();
    check::<StepState>();
    check::<StepStatus>();
    check::<Timestamp>();
    check::<Trigger>();
    check::<Triggers>();
};

#[cfg(test)]
mod tests;
