//! Pipeline plans and release state: the `Plan` and `ReleaseState` classes over the core's
//! `shiprail::plan` (`Config#plan` and `Config#lintRelease` live in [`crate::config`]).
//!
//! A `Plan` is what `Config#plan(event)` answers: its parts come out as plain objects
//! (`services`, `step(id)`, `outline()`), its CI variables as `{ name, value }` items or the
//! text a CI system reads (`renderCi`). `toJsonString()` is the plan file `shiprail plan
//! --save` writes, which `Plan.load` / `Plan.fromJson` read back.
//!
//! A `ReleaseState` is the record of one release (`shiprail release ...`): the records mutate
//! it in memory and return the audit entry written; `save` writes the state file atomically
//! and `load` reads and checks it (its hash chain), both off the main thread with `...Sync`
//! variants. Times are RFC 3339 strings (`2024-06-11T09:00:00Z`); an omitted time is now.

use crate::convert::{
    self, AuditEntry, CiVariable, Deployment, NextSteps, PlanBranch, PlanDocument,
    PlanEventSummary, PlanOutline, PlanRelease, PlanStep, ReleaseStateDocument, RollbackPlan,
    ServicePlan,
};
use crate::error::OrThrow;
use crate::task::{Blocking, blocking};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, ClassInstance};
use napi_derive::napi;
use serde_json::Value;
use shiprail::plan::{self as core, CiFormat, GateResult, Timestamp, ci};
use std::collections::BTreeMap;

/// The plan format this package reads and writes; a newer plan is refused (`state_version`).
#[napi]
pub const PLAN_FORMAT: u32 = core::PLAN_FORMAT;

/// The release state format this package reads and writes; a newer state is refused
/// (`state_version`).
#[napi]
pub const STATE_FORMAT: u32 = core::STATE_FORMAT;

/// The CI systems `Plan#renderCi` and `Plan#ciVariables` write for.
#[napi]
pub const CI_FORMATS: [&str; 3] = [
    CiFormat::ALL[0].as_str(),
    CiFormat::ALL[1].as_str(),
    CiFormat::ALL[2].as_str(),
];

/// A time argument: RFC 3339, or now when omitted.
fn time(at: Option<&str>) -> shiprail::Result<Timestamp> {
    at.map_or_else(|| Ok(Timestamp::now()), str::parse)
}

// ---------------------------------------------------------------------------------------------
// Plan

/// What a CI event runs (`Config#plan`): the pipeline kind, and per service the stages and
/// steps with their inputs, dependencies and gates.
#[napi]
pub struct Plan {
    pub(crate) inner: core::Plan,
}

impl From<core::Plan> for Plan {
    fn from(inner: core::Plan) -> Self {
        Plan { inner }
    }
}

fn plan_class(inner: core::Plan) -> napi::Result<Plan> {
    Ok(Plan { inner })
}

fn ci_format(format: &str) -> shiprail::Result<CiFormat> {
    format.parse()
}

#[napi]
impl Plan {
    /// Reads a plan from its JSON form (`toJsonString()`, `shiprail plan --save`): a newer
    /// format is `state_version`, JSON that does not fit `config_syntax`.
    #[napi(factory)]
    pub fn from_json(env: &Env, text: String) -> napi::Result<Plan> {
        core::Plan::from_json(&text).map(Plan::from).or_throw(env)
    }

    /// Reads a plan file without blocking the event loop; errors name the file.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn load(path: String) -> AsyncTask<Blocking<core::Plan, Plan>> {
        blocking(move || core::Plan::load(&path), plan_class)
    }

    /// Reads a plan file, blocking.
    #[napi(factory)]
    pub fn load_sync(env: &Env, path: String) -> napi::Result<Plan> {
        core::Plan::load(&path).map(Plan::from).or_throw(env)
    }

    /// The JSON Schema of the plan file (`docs/plan.schema.json`).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn json_schema() -> Value {
        core::Plan::json_schema()
    }

    /// The format version of the plan.
    #[napi(getter)]
    pub fn format(&self) -> u32 {
        self.inner.format
    }

    /// The event planned for.
    #[napi(getter)]
    pub fn event(&self) -> PlanEventSummary {
        (&self.inner.event).into()
    }

    /// The pipeline kind run; `null` when no rule matched (or one said `none`).
    #[napi(getter)]
    pub fn pipeline(&self) -> Option<String> {
        self.inner.pipeline.clone()
    }

    /// Whether anything runs.
    #[napi(getter)]
    pub fn run(&self) -> bool {
        self.inner.run
    }

    /// Why this pipeline, or why nothing runs.
    #[napi(getter)]
    pub fn reason(&self) -> String {
        self.inner.reason.clone()
    }

    /// The classified branch, `null` when the event has none.
    #[napi(getter)]
    pub fn branch(&self) -> Option<PlanBranch> {
        self.inner.branch.as_ref().map(PlanBranch::from)
    }

    /// The release, for a versioned event; `null` otherwise.
    #[napi(getter)]
    pub fn release(&self) -> Option<PlanRelease> {
        self.inner.release.as_ref().map(PlanRelease::from)
    }

    /// The environments deployed to, in order.
    #[napi(getter)]
    pub fn environments(&self) -> Vec<String> {
        self.inner.environments.clone()
    }

    /// One plan per service, sorted by service.
    #[napi(getter)]
    pub fn services(&self) -> Vec<ServicePlan> {
        self.inner.services.iter().map(ServicePlan::from).collect()
    }

    /// Things left out and why.
    #[napi(getter)]
    pub fn notes(&self) -> Vec<String> {
        self.inner.notes.clone()
    }

    /// The plan of one service, `null` when it is not planned.
    #[napi]
    pub fn service(&self, name: String) -> Option<ServicePlan> {
        self.inner.service(&name).map(ServicePlan::from)
    }

    /// The step with this id (`delivery/prod/deploy`), `null` when there is none.
    #[napi]
    pub fn step(&self, id: String) -> Option<PlanStep> {
        self.inner.step(&id).map(PlanStep::from)
    }

    /// Every step of `service` (`stage` by stage), or of every service; `[]` for a service
    /// not planned.
    #[napi]
    pub fn steps(&self, service: Option<String>) -> Vec<PlanStep> {
        self.inner
            .services
            .iter()
            .filter(|s| service.as_ref().is_none_or(|name| &s.service == name))
            .flat_map(core::ServicePlan::steps)
            .map(PlanStep::from)
            .collect()
    }

    /// The plan in brief: each service's steps with their gates.
    #[napi]
    pub fn outline(&self) -> PlanOutline {
        self.inner.outline().into()
    }

    /// The plan's variables for a CI system (`github`, `azure`, `gitlab`), in output order,
    /// unescaped.
    #[napi]
    pub fn ci_variables(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "'github' | 'azure' | 'gitlab'")] format: String,
    ) -> napi::Result<Vec<CiVariable>> {
        let format = ci_format(&format).or_throw(env)?;
        Ok(ci::variables(&self.inner, format)
            .into_iter()
            .map(|(name, value)| CiVariable {
                name: name.to_string(),
                value,
            })
            .collect())
    }

    /// The variables as the CI system reads them: `$GITHUB_OUTPUT` lines, Azure
    /// `##vso[task.setvariable]` commands, or a GitLab dotenv report.
    #[napi]
    pub fn render_ci(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "'github' | 'azure' | 'gitlab'")] format: String,
    ) -> napi::Result<String> {
        let format = ci_format(&format).or_throw(env)?;
        Ok(ci::render(&self.inner, format))
    }

    /// The plan file (pretty JSON in the core's format, as `shiprail plan --save` writes it).
    #[napi]
    pub fn to_json_string(&self) -> napi::Result<String> {
        serde_json::to_string_pretty(&self.inner)
            .map(|text| text + "\n")
            .map_err(|e| napi::Error::from_reason(e.to_string()))
    }

    /// The plan as a plain object (camelCase keys).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> PlanDocument {
        (&self.inner).into()
    }
}

// ---------------------------------------------------------------------------------------------
// Release state

/// How a new `ReleaseState` starts (every key optional).
#[napi(object, object_to_js = false)]
pub struct ReleaseStateOptions<'a> {
    /// The service, when the plan has several (a release plan has one).
    pub service: Option<String>,
    /// Who started the release (may not approve it unless the environment allows).
    pub author: Option<String>,
    /// Who creates the state (the CI identity); defaults to the author, else `shiprail`.
    pub actor: Option<String>,
    /// When (RFC 3339); defaults to now.
    pub at: Option<String>,
    /// The state of the release that ran before: its deployments become this release's
    /// rollback targets.
    pub previous: Option<ClassInstance<'a, ReleaseState>>,
}

/// Who and when, for a promotion or a deployment.
#[napi(object, object_to_js = false)]
pub struct RecordOptions {
    /// Who did it (a CI identity).
    pub by: String,
    /// When (RFC 3339); defaults to now.
    pub at: Option<String>,
}

/// A step's result (`ReleaseState#recordGate`).
#[napi(object, object_to_js = false)]
pub struct GateRecordOptions {
    /// Who recorded it (a CI identity).
    pub by: String,
    /// When (RFC 3339); defaults to now.
    pub at: Option<String>,
    /// `passed` (default) or `failed`.
    #[napi(ts_type = "'passed' | 'failed'")]
    pub result: Option<String>,
    /// The image digest (`sha256:...`): the one pushed, for `image_push`; for `verify`, the
    /// one deployed (the default).
    pub digest: Option<String>,
}

/// An approval (`ReleaseState#recordApproval`).
#[napi(object, object_to_js = false)]
pub struct ApprovalOptions {
    /// The reviewer.
    pub by: String,
    /// When (RFC 3339); defaults to now.
    pub at: Option<String>,
    /// What the reviewer said.
    pub comment: Option<String>,
}

/// The record of one release as it moves through its plan: gate results, approvals,
/// promotions and deployments in a hash-chained audit trail. A record is refused (and the
/// state left unchanged) unless its step may run.
#[napi]
pub struct ReleaseState {
    inner: core::ReleaseState,
}

fn state_class(inner: core::ReleaseState) -> napi::Result<ReleaseState> {
    Ok(ReleaseState { inner })
}

fn nothing(_: ()) -> napi::Result<()> {
    Ok(())
}

#[napi]
impl ReleaseState {
    /// Starts the state of the release of `plan` (a release branch or tag), its audit trail
    /// opening with an `init` entry.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        plan: &Plan,
        options: Option<ReleaseStateOptions<'_>>,
    ) -> napi::Result<Self> {
        let init = match options {
            None => Ok(core::InitOptions::default()),
            Some(o) => {
                o.at.as_deref()
                    .map(str::parse::<Timestamp>)
                    .transpose()
                    .map(|at| core::InitOptions {
                        service: o.service,
                        author: o.author,
                        actor: o.actor,
                        at,
                        previous: o.previous.map(|p| p.inner.clone()),
                    })
            }
        };
        init.and_then(|init| core::ReleaseState::new(&plan.inner, init))
            .map(|inner| ReleaseState { inner })
            .or_throw(env)
    }

    /// Reads a state from its JSON text and checks its audit trail: a change made outside
    /// shiprail is `state_tampered`, a newer format `state_version`.
    #[napi(factory)]
    pub fn from_json(env: &Env, text: String) -> napi::Result<Self> {
        core::ReleaseState::from_json(&text)
            .map(|inner| ReleaseState { inner })
            .or_throw(env)
    }

    /// Reads and checks a state file without blocking the event loop; errors name the file.
    #[napi(ts_return_type = "Promise<ReleaseState>")]
    pub fn load(path: String) -> AsyncTask<Blocking<core::ReleaseState, ReleaseState>> {
        blocking(move || core::ReleaseState::load(&path), state_class)
    }

    /// Reads and checks a state file, blocking.
    #[napi(factory)]
    pub fn load_sync(env: &Env, path: String) -> napi::Result<Self> {
        core::ReleaseState::load(&path)
            .map(|inner| ReleaseState { inner })
            .or_throw(env)
    }

    /// Writes the state file atomically (a temporary file beside it, flushed, renamed over
    /// it) without blocking the event loop. The state is written as it is when called.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn save(&self, path: String) -> AsyncTask<Blocking<(), ()>> {
        let state = self.inner.clone();
        blocking(move || state.save(&path), nothing)
    }

    /// Writes the state file atomically, blocking.
    #[napi]
    pub fn save_sync(&self, env: &Env, path: String) -> napi::Result<()> {
        self.inner.save(&path).or_throw(env)
    }

    /// The state file's text (pretty JSON in the core's format).
    #[napi]
    pub fn to_json_string(&self) -> String {
        self.inner.to_json()
    }

    /// The state as a plain object (camelCase keys).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> ReleaseStateDocument {
        (&self.inner).into()
    }

    /// Checks the audit trail again (`state_tampered`, `state_version`).
    #[napi]
    pub fn verify(&self, env: &Env) -> napi::Result<()> {
        self.inner.verify().or_throw(env)
    }

    /// The format version of the state.
    #[napi(getter)]
    pub fn format(&self) -> u32 {
        self.inner.format
    }

    /// The release: service, version and its names.
    #[napi(getter)]
    pub fn release(&self) -> PlanRelease {
        (&self.inner.release).into()
    }

    /// Who started the release, `null` when not recorded.
    #[napi(getter)]
    pub fn author(&self) -> Option<String> {
        self.inner.author.clone()
    }

    /// The commit released, `null` when the plan had none.
    #[napi(getter)]
    pub fn commit(&self) -> Option<String> {
        self.inner.commit.clone()
    }

    /// The release's plan (its service's stages and steps).
    #[napi(getter)]
    pub fn plan(&self) -> ServicePlan {
        (&self.inner.plan).into()
    }

    /// What ran in each environment before this release (the rollback targets).
    #[napi(getter, ts_return_type = "Record<string, Deployment>")]
    pub fn previous(&self) -> BTreeMap<String, Deployment> {
        convert::previous_deployments(&self.inner)
    }

    /// The digest of the release's image (the one `image_push` recorded, else the first one
    /// deployed), `null` until known.
    #[napi(getter)]
    pub fn digest(&self) -> Option<String> {
        self.inner.digest().map(str::to_string)
    }

    /// The audit trail, oldest first.
    #[napi]
    pub fn audit(&self) -> Vec<AuditEntry> {
        self.inner.audit().iter().map(AuditEntry::from).collect()
    }

    /// The audit trail as JSON lines, one entry a line (for a log store).
    #[napi]
    pub fn audit_json_lines(&self) -> String {
        self.inner.audit_json_lines()
    }

    /// The environments this release was deployed to, in plan order.
    #[napi]
    pub fn deployed_environments(&self) -> Vec<String> {
        self.inner.deployed_environments()
    }

    /// This release's latest deployment in `environment`, `null` if none.
    #[napi]
    pub fn deployment(&self, environment: String) -> Option<Deployment> {
        self.inner
            .deployment(&environment)
            .as_ref()
            .map(Deployment::from)
    }

    /// Records a step's result (a CI step, with `digest` for `image_push`, or an environment's
    /// `verify`); `step` is `delivery/qa/verify` or `qa/verify`.
    #[napi]
    pub fn record_gate(
        &mut self,
        env: &Env,
        step: String,
        options: GateRecordOptions,
    ) -> napi::Result<AuditEntry> {
        let result = options
            .result
            .as_deref()
            .map_or(Ok(GateResult::Passed), str::parse);
        result
            .and_then(|result| {
                let at = time(options.at.as_deref())?;
                self.inner
                    .record_gate(&step, result, options.digest.as_deref(), &options.by, at)
                    .map(AuditEntry::from)
            })
            .or_throw(env)
    }

    /// Records an approval of `digest` for `environment` by `options.by`.
    #[napi]
    pub fn record_approval(
        &mut self,
        env: &Env,
        environment: String,
        digest: String,
        options: ApprovalOptions,
    ) -> napi::Result<AuditEntry> {
        time(options.at.as_deref())
            .and_then(|at| {
                self.inner
                    .record_approval(
                        &environment,
                        &digest,
                        &options.by,
                        options.comment.as_deref(),
                        at,
                    )
                    .map(AuditEntry::from)
            })
            .or_throw(env)
    }

    /// Records the promotion of `digest` into `environment`'s registry namespace.
    #[napi]
    pub fn record_promotion(
        &mut self,
        env: &Env,
        environment: String,
        digest: String,
        options: RecordOptions,
    ) -> napi::Result<AuditEntry> {
        time(options.at.as_deref())
            .and_then(|at| {
                self.inner
                    .record_promotion(&environment, &digest, &options.by, at)
                    .map(AuditEntry::from)
            })
            .or_throw(env)
    }

    /// Records a deployment of `digest` to `environment`.
    #[napi]
    pub fn record_deployment(
        &mut self,
        env: &Env,
        environment: String,
        digest: String,
        options: RecordOptions,
    ) -> napi::Result<AuditEntry> {
        time(options.at.as_deref())
            .and_then(|at| {
                self.inner
                    .record_deployment(&environment, &digest, &options.by, at)
                    .map(AuditEntry::from)
            })
            .or_throw(env)
    }

    /// What may run at `at` (RFC 3339; default now), and why the other steps may not.
    #[napi]
    pub fn next(&self, env: &Env, at: Option<String>) -> napi::Result<NextSteps> {
        let at = time(at.as_deref()).or_throw(env)?;
        Ok(self.inner.next(at).into())
    }

    /// How to return `environment` to the release that ran there before this one.
    #[napi]
    pub fn rollback_plan(&self, env: &Env, environment: String) -> napi::Result<RollbackPlan> {
        self.inner
            .rollback_plan(&environment)
            .map(RollbackPlan::from)
            .or_throw(env)
    }
}
