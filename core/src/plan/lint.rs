//! The release lint: configuration that loads but would let a release bypass isolation or
//! gates.

use super::build::predecessors;
use super::pipelines::Trigger;
use crate::config::{Config, Environment};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How serious a finding is: errors fail `shiprail release lint`.
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
pub enum LintSeverity {
    /// A release rule is broken.
    Error,
    /// Probably a mistake.
    Warning,
}

/// The rule a finding breaks.
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
pub enum LintRule {
    /// A production environment shares its cluster with a dev/test environment, undeclared.
    SharedCluster,
    /// A dev/test environment uses a production data store setting.
    ProductionData,
    /// `latest` (or another mutable tag on an image) somewhere in the configuration.
    MutableTag,
    /// A production environment a release can reach without passing an environment first.
    UngatedEnvironment,
    /// A production environment that needs no approval.
    NoApproval,
    /// A production environment any branch kind may deploy to.
    AnyBranch,
    /// A production environment that runs images from where CI pushed them (no promotion).
    NoPromotion,
    /// A pull request runs a pipeline that deploys.
    DeployOnPullRequest,
}

/// One finding of [`lint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LintFinding {
    /// The rule.
    pub rule: LintRule,
    /// Error or warning.
    pub severity: LintSeverity,
    /// Where in shiprail.yaml (`environments.prod.cluster`).
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Keys of Helm values that name a data store.
const DATA_STORE_WORDS: &[&str] = &[
    "db",
    "database",
    "datastore",
    "mongo",
    "mongodb",
    "sql",
    "postgres",
    "mysql",
    "redis",
    "cosmos",
    "storage",
    "connection",
    "dsn",
    "cache",
    "kafka",
    "eventhub",
    "servicebus",
    "queue",
    "bucket",
    "elastic",
];

fn is_data_store_key(key: &str) -> bool {
    key.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            DATA_STORE_WORDS
                .iter()
                .any(|w| word == *w || word.ends_with(w) || word.starts_with(w))
        })
}

/// A dev/test environment: not production, and running images that were not promoted into a
/// production environment's registry namespace (staging on promoted images is not one).
fn is_dev_test(config: &Config, env: &Environment) -> bool {
    !env.production
        && !config.environments.values().any(|p| {
            p.production
                && !p.registry_namespace.is_empty()
                && p.registry_namespace == env.registry_namespace
        })
}

/// Checks the release configuration beyond what loading checks (see the plan module's
/// "Lint"): production isolation, production data in dev/test, `latest`, and environments a
/// release can reach without the gates before them. Findings are sorted by path.
pub fn lint(config: &Config) -> Vec<LintFinding> {
    let mut findings = Vec::new();
    let mut add = |rule, severity, path: String, message: String| {
        findings.push(LintFinding {
            rule,
            severity,
            path,
            message,
        });
    };
    for (name, env) in &config.environments {
        if !env.production {
            continue;
        }
        for (other, o) in &config.environments {
            if o.production || o.cluster != env.cluster || !is_dev_test(config, o) {
                continue;
            }
            if env.shares_cluster_with.contains(other) || o.shares_cluster_with.contains(name) {
                continue;
            }
            add(
                LintRule::SharedCluster,
                LintSeverity::Error,
                format!("environments.{name}.cluster"),
                format!(
                    "production environment `{name}` shares cluster `{}` with dev/test environment `{other}`: give it a cluster of its own, or declare `shares_cluster_with: [{other}]`",
                    env.cluster
                ),
            );
        }
        for (other, o) in &config.environments {
            if !is_dev_test(config, o) {
                continue;
            }
            for (key, value) in &o.values {
                if !is_data_store_key(key) || value.trim().is_empty() {
                    continue;
                }
                let prod_value = env.values.get(key);
                let same = prod_value.is_some_and(|p| p == value);
                let contains = env.values.iter().any(|(k, p)| {
                    is_data_store_key(k) && p.len() >= 4 && value.contains(p.as_str())
                });
                if same || contains {
                    add(
                        LintRule::ProductionData,
                        LintSeverity::Error,
                        format!("environments.{other}.values.{key}"),
                        format!(
                            "dev/test environment `{other}` sets `{key}` to `{}`, a data store of production environment `{name}`: dev/test must not reach production data",
                            value.escape_debug()
                        ),
                    );
                }
            }
        }
        if predecessors(config, name).is_empty() {
            add(
                LintRule::UngatedEnvironment,
                LintSeverity::Error,
                format!("environments.{name}.after"),
                format!(
                    "production environment `{name}` comes after no environment: a release reaches it without passing anywhere first; set `after:` to the environment it must pass"
                ),
            );
        }
        if !env.approval.required {
            add(
                LintRule::NoApproval,
                LintSeverity::Error,
                format!("environments.{name}.approval.required"),
                format!(
                    "production environment `{name}` needs no approval: set `approval: {{required: true}}`"
                ),
            );
        }
        if env.allowed_branches.is_empty() {
            add(
                LintRule::AnyBranch,
                LintSeverity::Warning,
                format!("environments.{name}.allowed_branches"),
                format!(
                    "any branch kind may deploy to production environment `{name}`: consider `allowed_branches: [release]`"
                ),
            );
        }
        if env.registry_namespace.is_empty() {
            add(
                LintRule::NoPromotion,
                LintSeverity::Warning,
                format!("environments.{name}.registry_namespace"),
                format!(
                    "production environment `{name}` runs images from where CI pushed them: set `registry_namespace` (e.g. `prod`) so that only promoted images run there"
                ),
            );
        }
    }
    for (i, rule) in config.pipelines.rules.iter().enumerate() {
        let deploys = config
            .pipelines
            .kinds
            .get(rule.pipeline.as_str())
            .is_some_and(|k| k.deploy);
        if deploys && rule.event.0.contains(&Trigger::PullRequest) {
            add(
                LintRule::DeployOnPullRequest,
                LintSeverity::Error,
                format!("pipelines.rules[{i}]"),
                format!(
                    "pipelines.rules[{i}] runs `{}`, which deploys, on pull requests: unreviewed code would reach the environments",
                    rule.pipeline.as_str()
                ),
            );
        }
    }
    // `latest` anywhere.
    let value = serde_json::to_value(config).unwrap_or(Value::Null);
    let mutable: Vec<String> = config
        .tags
        .mutable
        .iter()
        .map(|m| m.to_ascii_lowercase())
        .collect();
    walk(&value, "", &mut |path, text| {
        if path == "tags.mutable" || path.starts_with("tags.mutable[") {
            return;
        }
        let lower = text.to_ascii_lowercase();
        let tag = lower
            .rsplit_once(':')
            .filter(|(before, after)| !before.is_empty() && !after.contains('/'))
            .map(|(_, t)| t);
        let hit = lower == "latest" || tag.is_some_and(|t| mutable.iter().any(|m| m == t));
        if hit {
            add(
                LintRule::MutableTag,
                LintSeverity::Error,
                path.to_string(),
                format!(
                    "`{}` at `{path}` names a mutable tag: only tags that never move, such as `v1.0.2`, may name what runs",
                    text.escape_debug()
                ),
            );
        }
    });
    findings.sort_by(|a, b| (&a.path, a.rule).cmp(&(&b.path, b.rule)));
    findings
}

/// Calls `f` with the dotted path and text of every string in a JSON value (keys of Helm
/// values included as written).
fn walk(value: &Value, path: &str, f: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::String(s) => f(path, s),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), f);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &p, f);
            }
        }
        _ => {}
    }
}
