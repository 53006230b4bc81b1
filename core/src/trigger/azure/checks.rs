//! The Azure Pipelines part of the lint: checks that need the repository's branch rules and
//! paths, or that flag documented pitfalls of the trigger language.

use super::pattern::{Shape, intersects};
use super::{
    CiTrigger, PathFilter, PathPattern, Pipeline, PrTrigger, RefFilter, RefKind, RefPattern,
};
use crate::suggest;
use crate::trigger::lint::{Finding, LintContext, Severity};
use crate::version::ReleaseVersion;
use std::collections::BTreeSet;

/// The top-level keys of an Azure Pipelines file (pipeline, stages, jobs and steps forms).
const KNOWN_KEYS: &[&str] = &[
    "name",
    "appendCommitMessageToRunName",
    "trigger",
    "pr",
    "schedules",
    "resources",
    "variables",
    "parameters",
    "pool",
    "stages",
    "jobs",
    "steps",
    "extends",
    "lockBehavior",
    "workspace",
    "container",
    "services",
    "strategy",
    "continueOnError",
    "timeoutInMinutes",
    "cancelTimeoutInMinutes",
    "condition",
    "templateContext",
    "uses",
];

pub(super) fn lint(pipeline: &Pipeline, context: &LintContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    unknown_keys(pipeline, &mut out);
    batch_with_approvals(pipeline, &mut out);
    let (ref_filters, path_filters) = filters(pipeline);
    for (label, filter) in &ref_filters {
        for (list, patterns) in [("include", &filter.include), ("exclude", &filter.exclude)] {
            for pattern in patterns {
                variable(
                    &format!("{label}.{list}"),
                    pattern.as_str(),
                    pattern.location(),
                    &mut out,
                );
            }
        }
        exclude_only(
            label,
            filter.include.is_empty(),
            filter.exclude.is_empty(),
            filter.location(),
            &mut out,
        );
        if filter
            .include
            .first()
            .is_some_and(|p| p.kind() == RefKind::Branch)
        {
            for pattern in &filter.include {
                unmatchable_branch(&format!("{label}.include"), pattern, context, &mut out);
            }
        }
    }
    for (label, filter) in &path_filters {
        for (list, patterns) in [("include", &filter.include), ("exclude", &filter.exclude)] {
            for pattern in patterns {
                let list_label = format!("{label}.{list}");
                variable(&list_label, pattern.as_str(), pattern.location(), &mut out);
                missing_path(&list_label, pattern, pipeline, context, &mut out);
            }
        }
        exclude_only(
            label,
            filter.include.is_empty(),
            filter.exclude.is_empty(),
            filter.location(),
            &mut out,
        );
    }
    out
}

type Filters<'a> = (
    Vec<(&'static str, &'a RefFilter)>,
    Vec<(&'static str, &'a PathFilter)>,
);

fn filters(pipeline: &Pipeline) -> Filters<'_> {
    let mut refs = Vec::new();
    let mut paths = Vec::new();
    if let CiTrigger::Filters(f) = pipeline.trigger() {
        if let Some(b) = &f.branches {
            refs.push(("trigger.branches", b));
        }
        if let Some(t) = &f.tags {
            refs.push(("trigger.tags", t));
        }
        if let Some(p) = &f.paths {
            paths.push(("trigger.paths", p));
        }
    }
    if let PrTrigger::Filters(f) = pipeline.pr() {
        if let Some(b) = &f.branches {
            refs.push(("pr.branches", b));
        }
        if let Some(p) = &f.paths {
            paths.push(("pr.paths", p));
        }
    }
    (refs, paths)
}

fn finding(
    code: &str,
    severity: Severity,
    message: String,
    location: Option<&crate::Location>,
    suggestion: Option<String>,
) -> Finding {
    Finding {
        code: code.to_owned(),
        severity,
        message,
        location: location.cloned(),
        suggestion,
    }
}

fn unknown_keys(pipeline: &Pipeline, out: &mut Vec<Finding>) {
    for (key, location) in pipeline.keys() {
        if KNOWN_KEYS.contains(&key) || key.starts_with("${{") {
            continue;
        }
        let suggestion = suggest::closest(key, KNOWN_KEYS.iter().copied()).map(str::to_owned);
        out.push(finding(
            "unknown_key",
            Severity::Error,
            format!(
                "`{}` is not a top-level key of an Azure Pipelines file, so Azure Pipelines \
                 refuses the file",
                key.escape_debug()
            ),
            location,
            suggestion,
        ));
    }
}

fn batch_with_approvals(pipeline: &Pipeline, out: &mut Vec<Finding>) {
    let CiTrigger::Filters(filters) = pipeline.trigger() else {
        return;
    };
    if !filters.batch || pipeline.deployments().is_empty() {
        return;
    }
    let gated: Vec<String> = pipeline
        .deployments()
        .iter()
        .map(|d| match &d.stage {
            Some(stage) => format!("`{}` in stage `{stage}`", d.environment),
            None => format!("`{}` in job `{}`", d.environment, d.job),
        })
        .collect();
    out.push(finding(
        "batch_with_approvals",
        Severity::Warning,
        format!(
            "`batch: true` in a pipeline with deployments to environments ({}): a batched run \
             starts only after the previous run reaches a terminal state, so a run waiting for \
             an approval holds back every later push",
            gated.join(", ")
        ),
        filters.batch_location(),
        Some("split the pipeline in two: one for CI (batched) and one for deployments".to_owned()),
    ));
}

fn variable(list: &str, pattern: &str, location: Option<&crate::Location>, out: &mut Vec<Finding>) {
    if !["$(", "${{", "$["].iter().any(|v| pattern.contains(v)) {
        return;
    }
    out.push(finding(
        "variable_in_filter",
        Severity::Error,
        format!(
            "`{}` in `{list}` is matched literally: variables are evaluated at run time, after \
             the trigger has fired, so they cannot be used in triggers",
            pattern.escape_debug()
        ),
        location,
        None,
    ));
}

fn exclude_only(
    label: &str,
    no_include: bool,
    no_exclude: bool,
    location: Option<&crate::Location>,
    out: &mut Vec<Finding>,
) {
    if !no_include || no_exclude {
        return;
    }
    out.push(finding(
        "exclude_only_list",
        Severity::Info,
        format!(
            "`{label}` has an exclude list but no include list: Azure Pipelines treats it as \
             including `*` (Azure DevOps Server 2019.1 and older triggered nothing)"
        ),
        location,
        Some("add `include: ['*']` to make the intent explicit".to_owned()),
    ));
}

/// A branch name shape allowed by the rules, and a sample name rendered from the rules.
struct Allowed {
    shape: Vec<Shape>,
    glob: String,
    sample: Option<String>,
}

fn allowed_branches(context: &LintContext<'_>) -> Vec<Allowed> {
    let rules = context.branch_rules;
    let mut out = Vec::new();
    for trunk in &rules.trunk {
        out.push(Allowed {
            shape: literal(&format!("refs/heads/{trunk}")),
            glob: trunk.clone(),
            sample: Some(trunk.clone()),
        });
    }
    let version: Option<ReleaseVersion> = "1.0.0".parse().ok();
    for (kind, pattern) in &rules.kinds {
        let text = pattern.to_string();
        let services: Vec<Option<&str>> = if pattern.has_service() && !context.services.is_empty() {
            context.services.iter().map(|s| Some(s.as_str())).collect()
        } else {
            vec![None]
        };
        for service in services {
            let sample = service.and_then(|s| {
                rules
                    .render(kind, Some(s), Some("my-topic"), version.as_ref())
                    .ok()
            });
            let sample = sample.or_else(|| {
                (!pattern.has_service())
                    .then(|| {
                        rules
                            .render(kind, None, Some("my-topic"), version.as_ref())
                            .ok()
                    })
                    .flatten()
            });
            out.push(Allowed {
                shape: kind_shape(&text, service),
                glob: kind_glob(&text, service),
                sample,
            });
        }
    }
    out
}

fn literal(text: &str) -> Vec<Shape> {
    text.chars().map(Shape::Lit).collect()
}

/// `release/{service}/v{version}` as a shape: a service is one segment, a topic anything
/// non-empty, a version a non-empty run without `/`.
fn kind_shape(text: &str, service: Option<&str>) -> Vec<Shape> {
    let mut shape = literal("refs/heads/");
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{service}") {
            match service {
                Some(name) => shape.extend(literal(name)),
                None => shape.extend([Shape::One { slash: false }, Shape::Many { slash: false }]),
            }
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{topic}") {
            shape.extend([Shape::One { slash: true }, Shape::Many { slash: true }]);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{version}") {
            shape.extend([Shape::One { slash: false }, Shape::Many { slash: false }]);
            rest = after;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                shape.push(Shape::Lit(c));
            }
            rest = chars.as_str();
        }
    }
    shape
}

/// `release/{service}/v{version}` as an Azure pattern a user could write.
fn kind_glob(text: &str, service: Option<&str>) -> String {
    let text = text.replace("{topic}", "*").replace("{version}", "*");
    match service {
        Some(name) => text.replace("{service}", name),
        None => text.replace("{service}", "*"),
    }
}

fn unmatchable_branch(
    list: &str,
    pattern: &RefPattern,
    context: &LintContext<'_>,
    out: &mut Vec<Finding>,
) {
    if !pattern.full().starts_with("refs/heads/")
        || ["$(", "${{", "$["]
            .iter()
            .any(|v| pattern.as_str().contains(v))
    {
        return;
    }
    let allowed = allowed_branches(context);
    let shape = pattern.shape();
    if allowed.iter().any(|a| intersects(&shape, &a.shape)) {
        return;
    }
    let samples: Vec<String> = allowed
        .iter()
        .filter_map(|a| a.sample.as_ref())
        .map(|s| format!("`{s}`"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(8)
        .collect();
    let mut globs: Vec<String> = allowed.iter().map(|a| a.glob.clone()).collect();
    for kind in context.branch_rules.kinds.values() {
        globs.push(kind_glob(&kind.to_string(), None));
        if let Some((head, _)) = kind.to_string().split_once('/') {
            globs.push(format!("{head}/*"));
        }
    }
    let suggestion =
        suggest::closest(pattern.as_str(), globs.iter().map(String::as_str)).map(str::to_owned);
    out.push(finding(
        "unmatched_branch_pattern",
        Severity::Error,
        format!(
            "`{}` in `{list}` matches no branch the branch rules allow (such as {})",
            pattern.as_str().escape_debug(),
            if samples.is_empty() {
                "none at all".to_owned()
            } else {
                samples.join(", ")
            }
        ),
        pattern.location(),
        suggestion,
    ));
}

fn missing_path(
    list: &str,
    pattern: &PathPattern,
    pipeline: &Pipeline,
    context: &LintContext<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(repo_paths) = &context.repo_paths else {
        return;
    };
    if pattern.is_root()
        || ["$(", "${{", "$["]
            .iter()
            .any(|v| pattern.as_str().contains(v))
    {
        return;
    }
    let crossing = pipeline.options().path_star_crosses_slash;
    if repo_paths.iter().any(|p| pattern.matches(p, crossing)) {
        return;
    }
    let wanted = pattern.normalized();
    // Only folders and files at the pattern's own depth can be its case twin or its typo, so
    // each repository path contributes one prefix: linear in the input, however deep it is.
    let depth = wanted.split('/').count();
    let mut known: BTreeSet<&str> = BTreeSet::new();
    for path in repo_paths {
        let path = path.trim_start_matches('/').trim_end_matches('/');
        let prefix = match path.match_indices('/').nth(depth.saturating_sub(1)) {
            Some((i, _)) => &path[..i],
            None if path.split('/').count() == depth => path,
            None => continue,
        };
        known.insert(prefix);
    }
    let leading = if pattern.as_str().starts_with('/') {
        "/"
    } else {
        ""
    };
    let case_twin = known
        .iter()
        .find(|k| k.to_lowercase() == wanted.to_lowercase());
    let (message, suggestion) = match case_twin {
        Some(twin) => (
            format!(
                "`{}` in `{list}` matches no path of the repository: paths are case-sensitive, and \
                 the repository has `{twin}`",
                pattern.as_str().escape_debug()
            ),
            Some(format!("{leading}{twin}")),
        ),
        None => (
            format!(
                "`{}` in `{list}` matches no path of the repository",
                pattern.as_str().escape_debug()
            ),
            suggest::closest(wanted, known.iter().copied()).map(|s| format!("{leading}{s}")),
        ),
    };
    out.push(finding(
        "unmatched_path_pattern",
        Severity::Warning,
        message,
        pattern.location(),
        suggestion,
    ));
}
