//! # Pipeline plans
//!
//! (specification written below)

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
