//! Building a plan from a configuration and an event.

use super::model::{
    BranchInfo, EventSummary, Gate, PLAN_FORMAT, Plan, PlanEvent, ReleaseInfo, ServicePlan, Stage,
    Step, StepInputs,
};
use super::pipelines::{Action, NONE, PipelineKind, Trigger};
use crate::affected::MatchedBy;
use crate::branch::Branch;
use crate::chart::{ChangeCause, release_names};
use crate::config::{Config, Environment, environment::default_order_key};
use crate::error::{Error, ErrorKind, Result};
use crate::tag::ReleaseTags;
use crate::trigger::event::full_ref;
use crate::version::ReleaseVersion;
use std::collections::{BTreeMap, BTreeSet};

/// The environments `name` comes after: its `after`, else the one before it in the default
/// order.
pub(crate) fn predecessors<'a>(config: &'a Config, name: &str) -> Vec<&'a str> {
    let Some(env) = config.environments.get(name) else {
        return Vec::new();
    };
    if let Some(after) = &env.after {
        return after.iter().map(|a| a.as_str()).collect();
    }
    let mut sorted: Vec<(&String, &Environment)> = config.environments.iter().collect();
    sorted.sort_by_key(|(n, e)| default_order_key(n, e));
    let pos = sorted.iter().position(|(n, _)| n.as_str() == name);
    match pos {
        Some(i) if i > 0 => vec![sorted[i - 1].0.as_str()],
        _ => Vec::new(),
    }
}

/// The environments of `subset` (every declared one when `None`) in deployment order: each
/// after the ones it comes after, ties in the default order. A cycle is an error.
pub(crate) fn environment_order<'a>(
    config: &'a Config,
    subset: Option<&BTreeSet<&str>>,
) -> Result<Vec<&'a str>> {
    let mut names: Vec<(&'a String, &'a Environment)> = config
        .environments
        .iter()
        .filter(|(n, _)| subset.is_none_or(|s| s.contains(n.as_str())))
        .collect();
    names.sort_by_key(|(n, e)| default_order_key(n, e));
    let included: BTreeSet<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
    let mut placed: Vec<&'a str> = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while placed.len() < names.len() {
        let next = names.iter().find(|(n, _)| {
            !done.contains(n.as_str())
                && predecessors(config, n)
                    .iter()
                    .all(|p| done.contains(p) || !included.contains(p))
        });
        match next {
            Some((n, _)) => {
                placed.push(n.as_str());
                done.insert(n.as_str());
            }
            None => {
                let stuck: Vec<String> = names
                    .iter()
                    .filter(|(n, _)| !done.contains(n.as_str()))
                    .map(|(n, _)| format!("`{n}`"))
                    .collect();
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!(
                        "environments {} come after one another (`after`): a gate cannot depend on a later stage",
                        stuck.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(placed)
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn describe_branch(branch: &Branch) -> String {
    let kind = branch.kind.as_str();
    format!("`{}` ({} {kind} branch)", branch.name, article(kind))
}

/// The short form of a ref, for messages.
fn short(reference: &str) -> &str {
    reference
        .strip_prefix("refs/heads/")
        .or_else(|| reference.strip_prefix("refs/tags/"))
        .unwrap_or(reference)
}

fn branch_info(branch: &Branch) -> BranchInfo {
    BranchInfo {
        name: branch.name.clone(),
        kind: branch.kind.as_str().to_string(),
        service: branch.service.clone(),
        version: branch.version.as_ref().map(ToString::to_string),
    }
}

/// A tag for images that carry no release version: `ci-` and the commit's first 12
/// characters, else the branch name made tag-safe.
pub(super) fn ci_tag(commit: Option<&str>, reference: &str) -> String {
    if let Some(c) = commit.filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_hexdigit())) {
        let short: String = c.chars().take(12).collect();
        return format!("ci-{}", short.to_ascii_lowercase());
    }
    let mut tag = String::from("ci-");
    for c in short(reference).chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            tag.push(c.to_ascii_lowercase());
        } else if !tag.ends_with('-') {
            tag.push('-');
        }
    }
    tag.truncate(128);
    tag.trim_end_matches(['-', '.']).to_string()
}

/// The event after normalisation: a push of a tag is a tag event; refs are full.
struct Normalised {
    kind: Trigger,
    git_ref: String,
    base_ref: Option<String>,
}

fn normalise(event: &PlanEvent) -> Result<Normalised> {
    let bad = |message: String| Error::new(ErrorKind::InvalidEvent, message);
    if event.git_ref.trim().is_empty() {
        return Err(bad(format!("a {} event needs a `ref`", event.kind)));
    }
    let mut kind = event.kind;
    let git_ref = if kind == Trigger::Tag {
        if event.git_ref.starts_with("refs/tags/") {
            event.git_ref.clone()
        } else if event.git_ref.starts_with("refs/") {
            return Err(bad(format!(
                "a tag event names a tag, not `{}`",
                event.git_ref.escape_debug()
            ))
            .with_input(&event.git_ref));
        } else {
            format!("refs/tags/{}", event.git_ref)
        }
    } else {
        let full = full_ref(&event.git_ref);
        if full.starts_with("refs/tags/") {
            if kind == Trigger::PullRequest {
                return Err(bad(format!(
                    "a pull request comes from a branch, not from tag `{}`",
                    event.git_ref.escape_debug()
                ))
                .with_input(&event.git_ref));
            }
            kind = Trigger::Tag;
        }
        full
    };
    let base_ref = match (kind, &event.base_ref) {
        (Trigger::PullRequest, None) => {
            return Err(bad(
                "a pull_request event needs `base_ref`, the branch it merges into".to_string(),
            ));
        }
        (Trigger::PullRequest, Some(base)) => Some(full_ref(base)),
        (_, _) => None,
    };
    Ok(Normalised {
        kind,
        git_ref,
        base_ref,
    })
}

/// What the rules matched.
struct Matched<'c> {
    name: &'c str,
    kind: Option<&'c PipelineKind>,
    rule: usize,
}

impl Config {
    /// The plan of an event: which pipeline kind runs, for which services, with which steps
    /// (see the [`plan`](crate::plan) module).
    pub fn plan(&self, event: &PlanEvent) -> Result<Plan> {
        let ev = normalise(event)?;
        let summary = EventSummary {
            kind: ev.kind,
            git_ref: ev.git_ref.clone(),
            base_ref: ev.base_ref.clone(),
            commit: event.commit.clone(),
            changed_paths: event.changed.as_ref().map(|c| {
                c.iter()
                    .map(|p| 1 + usize::from(p.previous_path.is_some()))
                    .sum()
            }),
        };
        let mut notes = Vec::new();
        // The branch (push, manual; a pull request's source) and, for a pull request, the base.
        let (branch, base) = match ev.kind {
            Trigger::Push | Trigger::Manual => (Some(self.classify_branch(&event.git_ref)?), None),
            Trigger::PullRequest => {
                let base_ref = event.base_ref.as_deref().unwrap_or_default();
                let base = match self.classify_branch(base_ref) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        notes.push(format!("the target branch fits no kind: {e}"));
                        None
                    }
                };
                (self.classify_branch(&event.git_ref).ok(), base)
            }
            Trigger::Tag => (None, None),
        };
        let described = match ev.kind {
            Trigger::Push => format!(
                "push to {}",
                branch.as_ref().map(describe_branch).unwrap_or_default()
            ),
            Trigger::Manual => format!(
                "manual run on {}",
                branch.as_ref().map(describe_branch).unwrap_or_default()
            ),
            Trigger::PullRequest => format!(
                "pull request from `{}` into {}",
                short(&ev.git_ref),
                match &base {
                    Some(b) => describe_branch(b),
                    None => format!("`{}`", short(ev.base_ref.as_deref().unwrap_or_default())),
                }
            ),
            Trigger::Tag => format!("push of tag `{}`", short(&ev.git_ref)),
        };
        let empty = |pipeline: Option<String>, reason: String, notes: Vec<String>| Plan {
            format: PLAN_FORMAT,
            event: summary.clone(),
            pipeline,
            run: false,
            reason,
            branch: branch.as_ref().map(branch_info),
            release: None,
            environments: Vec::new(),
            services: Vec::new(),
            notes,
        };
        let Some(matched) = self.match_rule(ev.kind, branch.as_ref(), base.as_ref()) else {
            let hint = if ev.kind == Trigger::Tag {
                " (the release pipeline pushes its git tag itself; add a rule with `event: tag` to run a pipeline on tags)"
            } else {
                ""
            };
            return Ok(empty(
                None,
                format!("{described}: no rule of `pipelines.rules` matches, so nothing runs{hint}"),
                notes,
            ));
        };
        let Some(kind) = matched.kind else {
            return Ok(empty(
                None,
                format!(
                    "{described}: `pipelines.rules[{}]` says `none`, so nothing runs",
                    matched.rule
                ),
                notes,
            ));
        };
        let reason = format!(
            "{described} runs `{}` (pipelines.rules[{}])",
            matched.name, matched.rule
        );

        // A versioned event: a release-like branch, or a release tag.
        let release: Option<(String, ReleaseVersion)> = match (&branch, ev.kind) {
            (_, Trigger::Tag) => {
                let services = self.service_names();
                Some(self.tags.attribute(&ev.git_ref, &services)?)
            }
            (Some(b), Trigger::Push | Trigger::Manual) => match (&b.service, &b.version) {
                (Some(s), Some(v)) => Some((s.clone(), v.clone())),
                (None, Some(v)) if self.services.len() == 1 => {
                    Some((self.service_names()[0].to_string(), v.clone()))
                }
                _ => None,
            },
            _ => None,
        };
        let versioned_steps: Vec<Action> = kind
            .steps
            .iter()
            .map(|s| *s.value())
            .filter(|a| a.needs_version())
            .collect();
        if release.is_none() && (kind.deploy || !versioned_steps.is_empty()) {
            let what = if kind.deploy {
                "deploys".to_string()
            } else {
                format!("has step `{}`", versioned_steps[0])
            };
            return Err(Error::new(
                ErrorKind::NotAReleaseBranch,
                format!(
                    "{described}: pipeline `{}` {what}, which needs a release version, but the event carries none: run it on a release branch or a release tag",
                    matched.name
                ),
            )
            .with_input(short(&ev.git_ref)));
        }

        // The services.
        let mut services: BTreeMap<String, String> = BTreeMap::new();
        if let Some((service, version)) = &release {
            self.service(service)?;
            let why = match ev.kind {
                Trigger::Tag => format!(
                    "tag `{}` releases `{service}` {version}",
                    short(&ev.git_ref)
                ),
                _ => format!("`{}` releases `{service}` {version}", short(&ev.git_ref)),
            };
            services.insert(service.clone(), why);
        } else {
            if let Some(service) = branch.as_ref().and_then(|b| b.service.as_ref())
                && ev.kind != Trigger::PullRequest
            {
                self.service(service)?;
                services.insert(
                    service.clone(),
                    format!("the branch `{}` names it", short(&ev.git_ref)),
                );
            }
            match &event.changed {
                // A branch that names its service says what it is for.
                None if !services.is_empty() => {}
                None => {
                    for name in self.service_names() {
                        services.entry(name.to_string()).or_insert_with(|| {
                            "the changed paths are unknown, so every service is planned".into()
                        });
                    }
                }
                Some(changed) => {
                    let affected = self.affected(changed, true)?;
                    for why in affected.explain {
                        let text = if why.via.is_empty() {
                            format!(
                                "`{}` matches `{}` ({})",
                                why.path,
                                why.pattern,
                                match why.matched_by {
                                    MatchedBy::DependsOn => "depends_on",
                                    _ => "paths.include",
                                }
                            )
                        } else {
                            format!(
                                "it depends on `{}`, which `{}` affects",
                                why.via.join("` -> `"),
                                why.path
                            )
                        };
                        services.entry(why.service).or_insert(text);
                    }
                }
            }
        }

        let tags = match &release {
            Some((service, version)) => Some(self.tags.derive(service, version)?),
            None => None,
        };
        let release_name = match &release {
            Some((service, version)) => Some(release_names(service, version, None)?.release),
            None => None,
        };

        // The environments, in order, that this event may deploy to.
        let mut environments: Vec<String> = Vec::new();
        if kind.deploy {
            let subset: Option<BTreeSet<&str>> = kind
                .environments
                .as_ref()
                .map(|l| l.iter().map(|e| e.as_str()).collect());
            let order = environment_order(self, subset.as_ref())?;
            let source_kind = match (&branch, ev.kind) {
                (_, Trigger::Tag) => "tag".to_string(),
                (Some(b), _) => b.kind.as_str().to_string(),
                (None, _) => String::new(),
            };
            let mut left_out: BTreeSet<&str> = BTreeSet::new();
            for name in order {
                let env = &self.environments[name];
                let allowed = env.allowed_branches.is_empty()
                    || env
                        .allowed_branches
                        .iter()
                        .any(|k| k.as_str() == source_kind);
                if !allowed {
                    notes.push(format!(
                        "`{name}` is left out: it allows releases from {} only, and this one comes from {}",
                        env.allowed_branches
                            .iter()
                            .map(|k| format!("`{}`", k.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if source_kind == "tag" {
                            "a tag".to_string()
                        } else {
                            format!("{} `{source_kind}` branch", article(&source_kind))
                        }
                    ));
                    left_out.insert(name);
                    continue;
                }
                if let Some(p) = predecessors(self, name)
                    .into_iter()
                    .find(|p| left_out.contains(p))
                {
                    notes.push(format!(
                        "`{name}` is left out: it comes after `{p}`, which is left out"
                    ));
                    left_out.insert(name);
                    continue;
                }
                environments.push(name.to_string());
            }
        }

        let ctx = Context {
            config: self,
            kind,
            tags: tags.as_ref(),
            release_name: release_name.as_deref(),
            environments: &environments,
            commit: event.commit.as_deref(),
            reference: &ev.git_ref,
        };
        let mut plans = Vec::with_capacity(services.len());
        for (service, why) in services {
            plans.push(ctx.service_plan(&service, why)?);
        }
        let release_info = match (&release, &tags, &release_name) {
            (Some((service, _)), Some(t), Some(name)) => Some(ReleaseInfo {
                service: service.clone(),
                version: t.version.to_string(),
                image_tag: t.image_tag.clone(),
                image: format!("{}:{}", self.image_repository(service)?, t.image_tag),
                chart_version: t.chart_version.clone(),
                app_version: t.app_version.clone(),
                git_tag: t.git_tag.clone(),
                release_name: name.clone(),
            }),
            _ => None,
        };
        let run = !plans.is_empty();
        let reason = if run {
            reason
        } else {
            format!("{reason}, but no changed path belongs to a service, so nothing runs")
        };
        Ok(Plan {
            format: PLAN_FORMAT,
            event: summary,
            pipeline: Some(matched.name.to_string()),
            run,
            reason,
            branch: branch.as_ref().map(branch_info),
            release: release_info,
            environments,
            services: plans,
            notes,
        })
    }

    fn match_rule(
        &self,
        trigger: Trigger,
        branch: Option<&Branch>,
        base: Option<&Branch>,
    ) -> Option<Matched<'_>> {
        let kind_in = |list: &[crate::config::Located<String>], b: Option<&Branch>| {
            list.is_empty() || b.is_some_and(|b| list.iter().any(|k| k.as_str() == b.kind.as_str()))
        };
        self.pipelines
            .rules
            .iter()
            .enumerate()
            .find(|(_, rule)| {
                rule.event.0.contains(&trigger)
                    && kind_in(&rule.branch, branch)
                    && kind_in(&rule.base, base)
            })
            .map(|(i, rule)| {
                let name = rule.pipeline.as_str();
                Matched {
                    name,
                    kind: if name == NONE {
                        None
                    } else {
                        self.pipelines.kinds.get(name)
                    },
                    rule: i,
                }
            })
    }
}

/// What every service's plan shares.
struct Context<'a> {
    config: &'a Config,
    kind: &'a PipelineKind,
    tags: Option<&'a ReleaseTags>,
    release_name: Option<&'a str>,
    environments: &'a [String],
    commit: Option<&'a str>,
    reference: &'a str,
}

impl Context<'_> {
    fn service_plan(&self, service: &str, reason: String) -> Result<ServicePlan> {
        let config = self.config;
        let svc = config.service(service)?;
        let repository = config.image_repository(service)?;
        let tag = match self.tags {
            Some(t) => t.image_tag.clone(),
            None => ci_tag(self.commit, self.reference),
        };
        let image = format!("{repository}:{tag}");
        let test_image = format!("{repository}-test:{tag}");
        let chart_dir = svc
            .chart
            .as_ref()
            .map_or_else(|| format!("charts/{service}"), |c| c.as_str().to_string());
        let chart_name = chart_dir.rsplit('/').next().unwrap_or(service).to_string();
        let dockerfile = svc.dockerfile.as_ref().map(|d| d.as_str().to_string());
        let chart_reference = config.registry.as_ref().map(|r| {
            let repo = config.pipelines.chart_repository.trim_matches('/');
            if repo.is_empty() {
                format!("oci://{}/{chart_name}", r.as_str())
            } else {
                format!("oci://{}/{repo}/{chart_name}", r.as_str())
            }
        });
        let id = |stage: &str, action: Action| format!("{service}/{stage}/{action}");

        // CI.
        let actions: BTreeSet<Action> = self.kind.steps.iter().map(|s| *s.value()).collect();
        let mut ci_steps = Vec::new();
        let mut needed: BTreeSet<Action> = BTreeSet::new();
        for action in Action::CI.iter().copied().filter(|a| actions.contains(a)) {
            let mut needs = BTreeSet::new();
            resolve_needs(action, &actions, &mut needs);
            needed.extend(needs.iter().copied());
            let mut inputs = StepInputs::default();
            match action {
                Action::Build | Action::UnitTest => {}
                Action::TestImageBuild => {
                    inputs.image = Some(test_image.clone());
                    inputs.dockerfile.clone_from(&dockerfile);
                    inputs.target = Some("test".into());
                    inputs.push = Some(false);
                }
                Action::TestRun => inputs.image = Some(test_image.clone()),
                Action::ImageBuild => {
                    inputs.image = Some(image.clone());
                    inputs.dockerfile.clone_from(&dockerfile);
                    inputs.push = Some(false);
                }
                Action::VulnerabilityScan => inputs.image = Some(image.clone()),
                Action::ImagePush => {
                    inputs.image = Some(image.clone());
                    inputs.push = Some(true);
                }
                Action::ChartPackage | Action::ChartPush => {
                    inputs.chart = Some(chart_dir.clone());
                    if let Some(t) = self.tags {
                        inputs.chart_version = Some(t.chart_version.clone());
                        inputs.app_version = Some(t.app_version.clone());
                        inputs.chart_package =
                            Some(format!("{chart_name}-{}.tgz", t.chart_version));
                    }
                    if action == Action::ChartPush {
                        inputs.chart_reference.clone_from(&chart_reference);
                    }
                }
                Action::GitTag => {
                    inputs.git_tag = self.tags.map(|t| t.git_tag.clone());
                }
                Action::Promote | Action::Deploy | Action::Verify => {}
            }
            ci_steps.push(Step {
                id: id("ci", action),
                action,
                needs: needs.iter().map(|a| id("ci", *a)).collect(),
                gates: Vec::new(),
                inputs,
            });
        }
        // The CI steps nothing else in CI waits for: CD starts after all of them.
        let ci_ends: Vec<String> = ci_steps
            .iter()
            .filter(|s| !needed.contains(&s.action))
            .map(|s| s.id.clone())
            .collect();
        let mut stages = Vec::new();
        if !ci_steps.is_empty() {
            stages.push(Stage {
                id: "ci".into(),
                environment: None,
                needs: Vec::new(),
                steps: ci_steps,
            });
        }

        // CD. A deployment takes the chart from the chart repository when it is there (pushed
        // by this pipeline, or by an earlier one when this one packages nothing), else the
        // package this pipeline built.
        let deploy_reference = chart_reference.clone().filter(|_| {
            actions.contains(&Action::ChartPush) || !actions.contains(&Action::ChartPackage)
        });
        let pushed_digest = actions
            .contains(&Action::ImagePush)
            .then(|| id("ci", Action::ImagePush));
        let mut located: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
        for name in self.environments {
            let env = &config.environments[name];
            let before: Vec<&str> = predecessors(config, name)
                .into_iter()
                .filter(|p| self.environments.iter().any(|e| e == p))
                .collect();
            let entry_needs: Vec<String> = if before.is_empty() {
                ci_ends.clone()
            } else {
                before.iter().map(|p| id(p, Action::Verify)).collect()
            };
            let mut entry_gates: Vec<Gate> = before
                .iter()
                .map(|p| Gate::Passed {
                    environment: p.to_string(),
                    step: id(p, Action::Verify),
                    same_digest: true,
                })
                .collect();
            if env.approval.required {
                entry_gates.push(Gate::Approval {
                    environment: name.clone(),
                    reviewers: env.approval.reviewers,
                    approvers: env.approval.approvers.clone(),
                    allow_self_approval: env.approval.allow_self_approval,
                    timeout: env.approval.timeout,
                    wait_timer: env.approval.wait_timer,
                });
            }
            // Where the image runs from here: promoted into the environment's registry
            // namespace, or where CI pushed it. The digest comes from the step that put it
            // there.
            let (env_image, digest_from, promote) = if env.registry_namespace.is_empty() {
                (image.clone(), pushed_digest.clone(), None)
            } else if let Some((img, from)) = located.get(&env.registry_namespace) {
                (img.clone(), from.clone(), None)
            } else {
                let target = config.promotion_target(&image, name)?.target;
                let promote_id = id(name, Action::Promote);
                located.insert(
                    env.registry_namespace.clone(),
                    (target.clone(), Some(promote_id.clone())),
                );
                (target.clone(), Some(promote_id), Some(target))
            };
            let (env_repository, env_tag) = split_tag(&env_image);
            let mut steps = Vec::new();
            if let Some(target) = promote {
                steps.push(Step {
                    id: id(name, Action::Promote),
                    action: Action::Promote,
                    needs: entry_needs.clone(),
                    gates: std::mem::take(&mut entry_gates),
                    inputs: StepInputs {
                        source_image: Some(image.clone()),
                        target_image: Some(target),
                        digest_from: pushed_digest.clone(),
                        environment: Some(name.clone()),
                        ..StepInputs::default()
                    },
                });
            }
            let deploy_needs = match steps.last() {
                Some(promote) => vec![promote.id.clone()],
                None => entry_needs,
            };
            let mut deploy_gates = entry_gates;
            if env.exclusive_lock {
                deploy_gates.push(Gate::Lock {
                    environment: name.clone(),
                    name: format!("shiprail-{name}"),
                });
            }
            let mut values = BTreeMap::new();
            values.insert("image.repository".to_string(), env_repository.to_string());
            values.insert("image.tag".to_string(), env_tag.to_string());
            for (k, v) in &env.values {
                values.insert(k.clone(), v.clone());
            }
            let change_cause = config.pipelines.change_cause.render(&ChangeCause {
                service: service.to_string(),
                version: self.tags.map(|t| t.version.clone()),
                environment: Some(name.clone()),
                branch: (!self.reference.starts_with("refs/tags/"))
                    .then(|| short(self.reference).to_string()),
                commit: self.commit.map(str::to_string),
                reason: None,
            })?;
            let common = StepInputs {
                environment: Some(name.clone()),
                cluster: Some(env.cluster.clone()),
                namespace: Some(env.namespace.clone()),
                release_name: self.release_name.map(str::to_string),
                image: Some(env_image.clone()),
                digest_from: digest_from.clone(),
                ..StepInputs::default()
            };
            steps.push(Step {
                id: id(name, Action::Deploy),
                action: Action::Deploy,
                needs: deploy_needs,
                gates: deploy_gates,
                inputs: StepInputs {
                    chart: Some(chart_dir.clone()),
                    chart_version: self.tags.map(|t| t.chart_version.clone()),
                    chart_reference: deploy_reference.clone(),
                    chart_package: match (&deploy_reference, self.tags) {
                        (None, Some(t)) => Some(format!("{chart_name}-{}.tgz", t.chart_version)),
                        _ => None,
                    },
                    change_cause: Some(change_cause),
                    values,
                    ..common.clone()
                },
            });
            steps.push(Step {
                id: id(name, Action::Verify),
                action: Action::Verify,
                needs: vec![id(name, Action::Deploy)],
                gates: Vec::new(),
                inputs: common,
            });
            let stage_needs = if before.is_empty() {
                if stages.is_empty() {
                    Vec::new()
                } else {
                    vec!["ci".to_string()]
                }
            } else {
                before.iter().map(|p| p.to_string()).collect()
            };
            stages.push(Stage {
                id: name.clone(),
                environment: Some(name.clone()),
                needs: stage_needs,
                steps,
            });
        }
        Ok(ServicePlan {
            service: service.to_string(),
            reason,
            image_repository: repository,
            image,
            chart: chart_dir,
            stages,
        })
    }
}

/// The CI steps `action` waits for among those present: its prerequisites, or where one is
/// absent, that one's prerequisites in turn.
fn resolve_needs(action: Action, present: &BTreeSet<Action>, out: &mut BTreeSet<Action>) {
    for pre in action.prerequisites() {
        if present.contains(pre) {
            out.insert(*pre);
        } else {
            resolve_needs(*pre, present, out);
        }
    }
}

/// `repo:tag` -> (`repo`, `tag`); the colon is the last one after the last `/`.
pub(super) fn split_tag(image: &str) -> (&str, &str) {
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(i) => (&image[..slash + i], &image[slash + i + 1..]),
        None => (image, ""),
    }
}
