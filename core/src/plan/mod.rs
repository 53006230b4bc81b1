//! # Pipeline plans
//!
//! (specification written below)

mod build;
pub mod ci;
mod model;
mod pipelines;

pub use ci::CiFormat;
pub use model::{
    BranchInfo, EventSummary, Gate, PLAN_FORMAT, Plan, PlanEvent, PlanOutline, ReleaseInfo,
    ServicePlan, Stage, Step, StepInputs,
};
pub(crate) use pipelines::validate as validate_config;
pub use pipelines::{Action, PipelineKind, PipelineRule, Pipelines, Trigger, Triggers};
