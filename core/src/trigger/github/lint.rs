//! The GitHub dialect's lint: filters that can never match, or that match everything.

use super::{FilterKind, FilterList, GithubPattern, PatternEntry, Workflow, pattern::shown};
use crate::branch::{BranchKind, BranchRules};
use crate::trigger::lint::{Finding, LintContext, Severity};
use crate::version::ReleaseVersion;

/// Texts put in place of wildcards to build names a pattern matches.
const FILLS: &[&str] = &["", "x", "0", "0.0", "1.0.0", "x/y"];

/// The service name used for sample branches when no services are declared.
const ANY_SERVICE: &str = "service";

impl Workflow {
    /// Checks the workflow's filters against the repository.
    ///
    /// Findings, in file order per event:
    /// - `unmatched_branch_pattern` (error; warning for `!` and `branches-ignore` patterns): a
    ///   branch pattern that no branch allowed by the branch rules can match, with the pattern
    ///   corrected as suggestion when a segment is a near-miss (`relelase/delivery/v*` ->
    ///   `release/delivery/v*`);
    /// - `unmatched_path_pattern` (warning, only with `repo_paths`): a path pattern matching no
    ///   file, with a suggestion when a different letter case or `<dir>/**` would match;
    /// - `exclude_only_list` (warning): `branches`, `tags` or `paths` holding only `!` patterns,
    ///   which match nothing;
    /// - `empty_filter_list` (warning): a filter with no pattern, which matches nothing;
    /// - `ignores_everything` (warning): an `*-ignore` pattern matching every name or path;
    /// - `negation_in_ignore_list` (warning): a `!` pattern in an `*-ignore` list, which has no
    ///   effect there.
    ///
    /// For a workflow loaded from a file, each finding's location names the file.
    pub fn lint(&self, ctx: &LintContext<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let branches = BranchSpace::new(ctx);
        for (_, filters) in self.filtered_events() {
            for list in filters.lists() {
                lint_list(list, &mut findings);
                match list.kind() {
                    FilterKind::Branches | FilterKind::BranchesIgnore => {
                        for entry in list.patterns() {
                            branches.check(list, entry, &mut findings);
                        }
                    }
                    FilterKind::Paths | FilterKind::PathsIgnore => {
                        if let Some(paths) = &ctx.repo_paths {
                            for entry in list.patterns() {
                                check_path(list, entry, paths, &mut findings);
                            }
                        }
                    }
                    FilterKind::Tags | FilterKind::TagsIgnore => {}
                }
            }
        }
        findings
            .into_iter()
            .map(|f| f.in_file(self.path()))
            .collect()
    }
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

/// The checks that look at a list as a whole.
fn lint_list(list: &FilterList, findings: &mut Vec<Finding>) {
    let name = list.name();
    let patterns = list.patterns();
    if patterns.is_empty() {
        findings.push(finding(
            "empty_filter_list",
            Severity::Warning,
            format!("`{name}` lists no pattern, so it matches nothing"),
            list.location(),
            None,
        ));
        return;
    }
    if list.kind().is_ignore() {
        for entry in patterns {
            if entry.pattern.is_negated() {
                findings.push(finding(
                    "negation_in_ignore_list",
                    Severity::Warning,
                    format!(
                        "`{name}` pattern `{}` has no effect: `!` re-includes only in `{}`",
                        shown(entry.pattern.as_str()),
                        list.kind().counterpart()
                    ),
                    entry.location.as_ref(),
                    None,
                ));
            } else if entry.pattern.matches_anything() {
                let what = match list.kind() {
                    FilterKind::PathsIgnore => "every changed path",
                    FilterKind::TagsIgnore => "every tag",
                    _ => "every branch",
                };
                findings.push(finding(
                    "ignores_everything",
                    Severity::Warning,
                    format!(
                        "`{name}` pattern `{}` ignores {what}, so the workflow never runs for them",
                        shown(entry.pattern.as_str())
                    ),
                    entry.location.as_ref(),
                    None,
                ));
            }
        }
    } else if patterns.iter().all(|e| e.pattern.is_negated()) {
        let bodies: Vec<String> = patterns
            .iter()
            .map(|e| format!("'{}'", e.pattern.body()))
            .collect();
        findings.push(finding(
            "exclude_only_list",
            Severity::Warning,
            format!(
                "`{name}` holds only `!` patterns, which exclude from nothing: it matches nothing; \
                 list what to include first, or use `{}`",
                list.kind().counterpart()
            ),
            list.location(),
            Some(format!(
                "{}: [{}]",
                list.kind().counterpart(),
                bodies.join(", ")
            )),
        ));
    }
}

/// The branches the rules allow, as sample names and as a classifier.
struct BranchSpace<'a> {
    rules: &'a BranchRules,
    services: Vec<&'a str>,
    samples: Vec<String>,
    /// Literal segments of the sample names, by position (for near-miss suggestions).
    segments: Vec<Vec<String>>,
}

impl<'a> BranchSpace<'a> {
    fn new(ctx: &'a LintContext<'a>) -> Self {
        let services: Vec<&str> = ctx.services.iter().map(String::as_str).collect();
        let rules = ctx.branch_rules;
        let mut samples: Vec<String> = rules.trunk.clone();
        let version: Option<ReleaseVersion> = "1.0.0".parse().ok();
        let sample_services: Vec<&str> = if services.is_empty() {
            vec![ANY_SERVICE]
        } else {
            services.clone()
        };
        for kind in rules.kinds.keys() {
            for service in &sample_services {
                for topic in ["x", "x/y"] {
                    if let Ok(name) =
                        rules.render(kind, Some(service), Some(topic), version.as_ref())
                        && !samples.contains(&name)
                    {
                        samples.push(name);
                    }
                }
            }
        }
        let mut segments: Vec<Vec<String>> = Vec::new();
        for sample in &samples {
            for (i, segment) in sample.split('/').enumerate() {
                if segments.len() <= i {
                    segments.push(Vec::new());
                }
                if !segments[i].iter().any(|s| s == segment) {
                    segments[i].push(segment.to_owned());
                }
            }
        }
        BranchSpace {
            rules,
            services,
            samples,
            segments,
        }
    }

    /// Whether some allowed branch matches the pattern's body.
    fn can_match(&self, pattern: &GithubPattern) -> bool {
        if self.samples.iter().any(|s| pattern.is_match(s)) {
            return true;
        }
        let services = (!self.services.is_empty()).then_some(self.services.as_slice());
        let mut fills: Vec<String> = FILLS.iter().map(|f| (*f).to_owned()).collect();
        for service in self.services.iter().copied().chain([ANY_SERVICE]) {
            fills.push(service.to_owned());
            fills.push(format!("{service}/x"));
            fills.push(format!("{service}/v1.0.0"));
        }
        fills.iter().any(|fill| {
            let name = pattern.sample(fill);
            pattern.is_match(&name) && self.rules.classify(&name, services).is_ok()
        })
    }

    /// The rules, as listed in messages.
    fn describe(&self) -> String {
        let mut shapes: Vec<String> = self.rules.trunk.iter().map(|t| format!("`{t}`")).collect();
        for (kind, pattern) in &self.rules.kinds {
            if *kind != BranchKind::Trunk {
                shapes.push(format!("`{pattern}`"));
            }
        }
        shapes.join(", ")
    }

    /// The pattern with near-miss literal segments corrected, if that makes it match.
    fn corrected(&self, pattern: &GithubPattern) -> Option<String> {
        let mut changed = false;
        let segments: Vec<String> = pattern
            .body()
            .split('/')
            .enumerate()
            .map(|(i, segment)| {
                let literal = GithubPattern::parse(segment).ok().and_then(|p| p.literal());
                let known = self.segments.get(i);
                match (literal, known) {
                    (Some(literal), Some(known)) if !known.contains(&literal) => {
                        match crate::suggest::closest(&literal, known.iter().map(String::as_str)) {
                            Some(near) => {
                                changed = true;
                                near.to_owned()
                            }
                            None => segment.to_owned(),
                        }
                    }
                    _ => segment.to_owned(),
                }
            })
            .collect();
        if !changed {
            return None;
        }
        let body = segments.join("/");
        let candidate = GithubPattern::parse(&body).ok()?;
        self.can_match(&candidate).then(|| {
            if pattern.is_negated() {
                format!("!{body}")
            } else {
                body
            }
        })
    }

    fn check(&self, list: &FilterList, entry: &PatternEntry, findings: &mut Vec<Finding>) {
        if self.can_match(&entry.pattern) {
            return;
        }
        let severity = if entry.pattern.is_negated() || list.kind().is_ignore() {
            Severity::Warning
        } else {
            Severity::Error
        };
        findings.push(finding(
            "unmatched_branch_pattern",
            severity,
            format!(
                "`{}` pattern `{}` matches no branch the branch rules allow ({})",
                list.name(),
                shown(entry.pattern.as_str()),
                self.describe()
            ),
            entry.location.as_ref(),
            self.corrected(&entry.pattern),
        ));
    }
}

/// Checks one path pattern against the repository's files.
fn check_path(
    list: &FilterList,
    entry: &PatternEntry,
    paths: &[String],
    findings: &mut Vec<Finding>,
) {
    let pattern = &entry.pattern;
    if paths.iter().any(|p| pattern.is_match(p)) {
        return;
    }
    findings.push(finding(
        "unmatched_path_pattern",
        Severity::Warning,
        format!(
            "`{}` pattern `{}` matches no file of the repository",
            list.name(),
            shown(pattern.as_str())
        ),
        entry.location.as_ref(),
        path_suggestion(pattern, paths),
    ));
}

/// A corrected path pattern: letter case fixed from a file it matches case-insensitively, or
/// `<pattern>/**` when the pattern names a directory.
fn path_suggestion(pattern: &GithubPattern, paths: &[String]) -> Option<String> {
    let prefix = if pattern.is_negated() { "!" } else { "" };
    if let Some(insensitive) = pattern.case_insensitive()
        && let Some(path) = paths.iter().find(|p| insensitive.is_match(p))
    {
        let path_segments: Vec<&str> = path.split('/').collect();
        let mut segments: Vec<String> = Vec::new();
        for (i, segment) in pattern.body().split('/').enumerate() {
            let literal = GithubPattern::parse(segment).ok().and_then(|p| p.literal());
            match (literal, path_segments.get(i)) {
                (Some(literal), Some(actual))
                    if literal.to_lowercase() == actual.to_lowercase() =>
                {
                    segments.push(GithubPattern::escape(actual));
                }
                _ => segments.push(segment.to_owned()),
            }
        }
        let body = segments.join("/");
        if GithubPattern::parse(&body).is_ok_and(|p| p.is_match(path)) {
            return Some(format!("{prefix}{body}"));
        }
        return Some(format!("{prefix}{}", GithubPattern::escape(path)));
    }
    let directory = format!("{}/**", pattern.body().trim_end_matches('/'));
    let candidate = GithubPattern::parse(&directory).ok()?;
    paths
        .iter()
        .any(|p| candidate.is_match(p))
        .then(|| format!("{prefix}{directory}"))
}
