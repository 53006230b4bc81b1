//! `shiprail.yaml`: the `Config` class and the release questions answered from it.
//!
//! Loading a file runs off the main thread (`Config.load` returns a Promise, an N-API
//! `AsyncTask` on the libuv pool); `Config.loadSync` is the blocking variant. The sections
//! (`branches`, `versioning`, `tags`, ...) come out as plain objects in their YAML form, so they
//! can be passed as the `rules`/`policy` argument of the free functions.

use crate::convert::{
    self, Branch, BranchResult, Finding, NextRelease, PlanLintFinding, PromotionTarget, Release,
};
use crate::error::{OrThrow, throwable};
use crate::plan::Plan;
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use shiprail::config as core;

/// The default file name, looked up at the repository root.
#[napi]
pub const FILE_NAME: &str = core::FILE_NAME;

/// The largest configuration file accepted, in bytes.
#[napi]
pub const MAX_FILE_SIZE: f64 = core::MAX_FILE_SIZE as f64;

/// A validated `shiprail.yaml`.
///
/// `new Config()` is the scenario's rules with no services declared (any well-formed service
/// name accepted), what commands use when there is no configuration file.
#[napi]
pub struct Config {
    pub(crate) inner: core::Config,
}

impl From<core::Config> for Config {
    fn from(inner: core::Config) -> Self {
        Config { inner }
    }
}

/// Reads and validates a configuration file on the libuv thread pool.
pub struct LoadConfig {
    path: String,
}

impl Task for LoadConfig {
    type Output = shiprail::Result<core::Config>;
    type JsValue = Config;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(core::Config::load(&self.path))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Config> {
        output.map(Config::from).map_err(|e| throwable(&env, &e))
    }
}

/// Options of `Config#nextVersion`.
#[napi(object, object_to_js = false)]
pub struct NextReleaseOptions {
    /// Ask for `X.Y.Z-<label>.N` instead of a stable version.
    pub prerelease: Option<bool>,
}

#[napi]
impl Config {
    /// The default configuration: the scenario's rules, no services declared.
    #[napi(constructor)]
    pub fn new() -> Self {
        core::Config::default().into()
    }

    /// Reads and validates a configuration file without blocking the event loop.
    #[napi(ts_return_type = "Promise<Config>")]
    pub fn load(path: String) -> AsyncTask<LoadConfig> {
        AsyncTask::new(LoadConfig { path })
    }

    /// Reads and validates a configuration file, blocking.
    #[napi(factory)]
    pub fn load_sync(env: &Env, path: String) -> napi::Result<Config> {
        core::Config::load(&path).map(Config::from).or_throw(env)
    }

    /// Parses and validates configuration text.
    #[napi(factory)]
    pub fn from_yaml(env: &Env, text: String) -> napi::Result<Config> {
        core::Config::from_yaml_str(&text)
            .map(Config::from)
            .or_throw(env)
    }

    /// Parses and validates configuration bytes (UTF-8 required; errors point at a bad byte).
    #[napi(factory)]
    pub fn from_yaml_bytes(env: &Env, bytes: Buffer) -> napi::Result<Config> {
        core::Config::from_yaml_bytes(&bytes)
            .map(Config::from)
            .or_throw(env)
    }

    /// The JSON Schema of `shiprail.yaml`.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn json_schema() -> Value {
        core::Config::json_schema()
    }

    /// The declared service names, sorted.
    #[napi]
    pub fn service_names(&self) -> Vec<String> {
        self.inner
            .service_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// A declared service, as its `services.<name>` section.
    #[napi(ts_return_type = "ServiceConfig")]
    pub fn service(&self, env: &Env, name: String) -> napi::Result<Value> {
        let service = self.inner.service(&name).or_throw(env)?;
        convert::to_plain(service)
    }

    /// A declared environment, as its `environments.<name>` section.
    #[napi(ts_return_type = "EnvironmentConfig")]
    pub fn environment(&self, env: &Env, name: String) -> napi::Result<Value> {
        let environment = self.inner.environment(&name).or_throw(env)?;
        convert::to_plain(environment)
    }

    /// The image repository of a service (`myrepo.azurecr.io/delivery`).
    #[napi]
    pub fn image_repository(&self, env: &Env, service: String) -> napi::Result<String> {
        self.inner.image_repository(&service).or_throw(env)
    }

    /// The services `service` depends on, directly or through others, sorted.
    #[napi]
    pub fn service_dependencies(&self, env: &Env, service: String) -> napi::Result<Vec<String>> {
        let deps = self.inner.service_dependencies(&service).or_throw(env)?;
        Ok(deps.into_iter().map(str::to_string).collect())
    }

    /// Classifies a branch or ref by the configured rules and declared services.
    #[napi]
    pub fn classify_branch(&self, env: &Env, reference: String) -> napi::Result<Branch> {
        self.inner
            .classify_branch(&reference)
            .map(Branch::from)
            .or_throw(env)
    }

    /// Classifies many refs in one call; each item carries its branch or its error.
    #[napi]
    pub fn classify_branches(&self, references: Vec<String>) -> Vec<BranchResult> {
        references
            .iter()
            .map(|r| BranchResult::new(r, self.inner.classify_branch(r)))
            .collect()
    }

    /// What a release branch releases: service, version and every tag.
    #[napi]
    pub fn release_for_branch(&self, env: &Env, reference: String) -> napi::Result<Release> {
        self.inner
            .release_for_branch(&reference)
            .map(Release::from)
            .or_throw(env)
    }

    /// The next version of `service` from the repository's tags (any; others are ignored) and
    /// the commit messages since its last release.
    #[napi]
    pub fn next_version(
        &self,
        env: &Env,
        service: String,
        tags: Vec<String>,
        commits: Vec<String>,
        options: Option<NextReleaseOptions>,
    ) -> napi::Result<NextRelease> {
        let prerelease = options.and_then(|o| o.prerelease).unwrap_or(false);
        self.inner
            .next_version(&service, &tags, &commits, prerelease)
            .map(NextRelease::from)
            .or_throw(env)
    }

    /// Where `image` is promoted to for `environment`.
    #[napi]
    pub fn promotion_target(
        &self,
        env: &Env,
        image: String,
        environment: String,
    ) -> napi::Result<PromotionTarget> {
        self.inner
            .promotion_target(&image, &environment)
            .map(PromotionTarget::from)
            .or_throw(env)
    }

    /// The registry, `null` when none is configured.
    #[napi(getter)]
    pub fn registry(&self) -> Option<String> {
        self.inner.registry.as_ref().map(|r| r.to_string())
    }

    /// The `services:` section.
    #[napi(getter, ts_return_type = "Record<string, ServiceConfig>")]
    pub fn services(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.services)
    }

    /// The `branches:` section (pass it as `rules`).
    #[napi(getter, ts_return_type = "BranchRules")]
    pub fn branches(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.branches)
    }

    /// The `versioning:` section (pass it as a version `policy`).
    #[napi(getter, ts_return_type = "VersionPolicy")]
    pub fn versioning(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.versioning)
    }

    /// The `tags:` section (pass it as a tag `policy`).
    #[napi(getter, ts_return_type = "TagPolicy")]
    pub fn tags(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.tags)
    }

    /// The `promotion:` section.
    #[napi(getter, ts_return_type = "PromotionSection")]
    pub fn promotion(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.promotion)
    }

    /// The `environments:` section.
    #[napi(getter, ts_return_type = "Record<string, EnvironmentConfig>")]
    pub fn environments(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.environments)
    }

    /// The `pipelines:` section (pipeline kinds and the rules choosing them).
    #[napi(getter, ts_return_type = "PipelinesSection")]
    pub fn pipelines(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner.pipelines)
    }

    /// What `event` runs (`shiprail plan`): the pipeline kind, the services and each one's
    /// stages and steps. An event no rule matches gives a plan with `run: false`.
    #[napi]
    pub fn plan(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "PlanEvent")] event: Value,
    ) -> napi::Result<Plan> {
        convert::plan_event(event)
            .and_then(|event| self.inner.plan(&event))
            .map(Plan::from)
            .or_throw(env)
    }

    /// The release configuration lint (`shiprail release lint`): isolation of production,
    /// data stores, mutable tags, environments reachable without their gates.
    #[napi]
    pub fn lint_release(&self) -> Vec<PlanLintFinding> {
        shiprail::plan::lint(&self.inner)
            .iter()
            .map(PlanLintFinding::from)
            .collect()
    }

    /// The whole configuration as a plain object (defaults filled in).
    #[napi(js_name = "toJSON", ts_return_type = "ConfigDocument")]
    pub fn to_json(&self) -> napi::Result<Value> {
        convert::to_plain(&self.inner)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

/// Findings about `config` against the repository's files (`repoPaths`, as `repositoryFiles`
/// lists them): a file claimed by several services (`service_path_overlap`) and a service
/// whose includes match no file (`unmatched_service_paths`).
#[napi]
pub fn lint_config(
    env: &Env,
    config: &Config,
    repo_paths: Vec<String>,
) -> napi::Result<Vec<Finding>> {
    shiprail::trigger::lint::lint_config(&config.inner, &repo_paths)
        .map(|found| found.into_iter().map(Finding::from).collect())
        .or_throw(env)
}
