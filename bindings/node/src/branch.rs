//! Branch naming rules: `classifyBranch`, `classifyBranches`, `renderBranch`, `releaseBranch`,
//! `branchKindPattern`, `validateBranchRules`, `parseBranchPattern`.
//!
//! `rules` is the `branches:` section as a plain object (default rules when omitted);
//! `services` lists the declared services (any well-formed name when omitted).

use crate::convert::{self, Branch, BranchPatternInfo, BranchResult, section};
use crate::error::OrThrow;
use napi::Env;
use napi_derive::napi;
use serde_json::Value;
use shiprail::branch::{BranchKind, BranchPattern, BranchRules};
use shiprail::version::ReleaseVersion;

/// Options of branch classification.
#[napi(object, object_to_js = false)]
pub struct ClassifyOptions {
    /// The declared services; omitted, any well-formed service name is accepted.
    pub services: Option<Vec<String>>,
    /// The `branches:` section; omitted, the default rules.
    #[napi(ts_type = "BranchRules")]
    pub rules: Option<Value>,
}

/// The placeholder values of a branch to render.
#[napi(object, object_to_js = false)]
pub struct BranchValues {
    /// The `{service}` value.
    pub service: Option<String>,
    /// The `{topic}` value.
    pub topic: Option<String>,
    /// The `{version}` value (with or without `v`).
    pub version: Option<String>,
}

fn branch_rules(value: Option<Value>) -> shiprail::Result<BranchRules> {
    section("branches", value)
}

fn split(options: Option<ClassifyOptions>) -> (Option<Vec<String>>, Option<Value>) {
    options.map_or((None, None), |o| (o.services, o.rules))
}

/// Classifies a branch name or `refs/heads/...` ref: its kind, service, version and topic.
#[napi]
pub fn classify_branch(
    env: &Env,
    reference: String,
    options: Option<ClassifyOptions>,
) -> napi::Result<Branch> {
    let (services, rules) = split(options);
    let rules = branch_rules(rules).or_throw(env)?;
    let services = services.as_deref().map(convert::strs);
    rules
        .classify(&reference, services.as_deref())
        .map(Branch::from)
        .or_throw(env)
}

/// Classifies many refs in one call; each item carries its branch or its error (never throws
/// for an item, only for invalid `rules`).
#[napi]
pub fn classify_branches(
    env: &Env,
    references: Vec<String>,
    options: Option<ClassifyOptions>,
) -> napi::Result<Vec<BranchResult>> {
    let (services, rules) = split(options);
    let rules = branch_rules(rules).or_throw(env)?;
    let services = services.as_deref().map(convert::strs);
    Ok(references
        .iter()
        .map(|r| BranchResult::new(r, rules.classify(r, services.as_deref())))
        .collect())
}

/// Renders a branch name of `kind` from placeholder values (the trunk renders as the first
/// trunk name); the name is checked to read back as `kind` with the same values.
#[napi]
pub fn render_branch(
    env: &Env,
    kind: String,
    values: Option<BranchValues>,
    #[napi(ts_arg_type = "BranchRules")] rules: Option<Value>,
) -> napi::Result<String> {
    let kind: BranchKind = kind.parse().or_throw(env)?;
    let rules = branch_rules(rules).or_throw(env)?;
    let values = values.unwrap_or(BranchValues {
        service: None,
        topic: None,
        version: None,
    });
    let version: Option<ReleaseVersion> = values
        .version
        .as_deref()
        .map(str::parse)
        .transpose()
        .or_throw(env)?;
    rules
        .render(
            &kind,
            values.service.as_deref(),
            values.topic.as_deref(),
            version.as_ref(),
        )
        .or_throw(env)
}

/// The release branch of `service` at `version` (`release/delivery/v1.0.2`).
#[napi]
pub fn release_branch(
    env: &Env,
    service: String,
    version: String,
    #[napi(ts_arg_type = "BranchRules")] rules: Option<Value>,
) -> napi::Result<String> {
    let version: ReleaseVersion = version.parse().or_throw(env)?;
    branch_rules(rules)
        .and_then(|r| r.release_branch(&service, &version))
        .or_throw(env)
}

/// The pattern of a branch kind, or `null` when the rules do not define it (the trunk has none).
#[napi]
pub fn branch_kind_pattern(
    env: &Env,
    kind: String,
    #[napi(ts_arg_type = "BranchRules")] rules: Option<Value>,
) -> napi::Result<Option<BranchPatternInfo>> {
    let kind: BranchKind = kind.parse().or_throw(env)?;
    let rules = branch_rules(rules).or_throw(env)?;
    Ok(rules.pattern(&kind).map(BranchPatternInfo::from))
}

/// Checks branch rules for contradictions (overlapping kinds, a trunk name a kind matches, ...)
/// and returns them normalised (defaults merged in).
#[napi(ts_return_type = "BranchRules")]
pub fn validate_branch_rules(
    env: &Env,
    #[napi(ts_arg_type = "BranchRules")] rules: Option<Value>,
) -> napi::Result<Value> {
    let rules = branch_rules(rules).or_throw(env)?;
    rules.validate().or_throw(env)?;
    convert::to_plain(&rules)
}

/// Parses a branch pattern such as `hotfix/{service}/v{version}`.
#[napi]
pub fn parse_branch_pattern(env: &Env, pattern: String) -> napi::Result<BranchPatternInfo> {
    let pattern: BranchPattern = pattern.parse().or_throw(env)?;
    Ok(BranchPatternInfo::from(&pattern))
}
