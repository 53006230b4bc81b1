//! Lint findings about pipeline triggers, shared by the dialects.
//!
//! A trigger that can never fire is the quiet failure of a monorepo pipeline: a typo in
//! `relelase/delivery/v*` parses, evaluates, and never runs anything. Each dialect's `lint`
//! checks its filters against what the repository allows (the branch rules of
//! `shiprail.yaml`, the declared services, the files that exist) and reports [`Finding`]s.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::lint::{LintContext, Severity};
//! let rules = BranchRules::default();
//! let ctx = LintContext::new(&rules, vec!["delivery".into()]);
//! let p = Pipeline::from_yaml_str("trigger:\n- main\n- $(release)\n")?;
//! let findings = p.lint(&ctx);
//! assert_eq!(findings[0].code, "variable_in_filter");
//! assert_eq!(findings[0].severity, Severity::Error);
//! assert_eq!(findings[0].location.as_ref().map(|l| (l.line, l.column)), Some((3, 3)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::branch::BranchRules;
use crate::error::Location;
use serde::ser::SerializeMap;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// The trigger cannot work as written (a pattern that matches nothing the repository allows).
    Error,
    /// The trigger works but probably not as meant (a path that matches no file yet).
    Warning,
    /// Worth knowing, nothing to fix.
    Info,
}

impl Severity {
    /// The name used in JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem a lint found.
///
/// Serialized as `{"code", "severity", "message", "location": {"file"?, "line", "column"} | null,
/// "suggestion": string | null}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable snake_case code naming the check (`unmatched_branch_pattern`, ...).
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, naming the filter and the pattern.
    pub message: String,
    /// Where in the pipeline file, when known.
    pub location: Option<Location>,
    /// A corrected value, when one is likely (the pattern with the typo fixed, ...).
    pub suggestion: Option<String>,
}

impl Finding {
    /// The finding with `file` as the file of its location (when it has one and names no file
    /// yet): a pipeline loaded from a file reports findings that say which file they are about,
    /// as its parse errors do.
    #[must_use]
    pub fn in_file(mut self, file: Option<&std::path::Path>) -> Finding {
        if let (Some(location), Some(file)) = (self.location.as_mut(), file) {
            location.file.get_or_insert_with(|| file.to_path_buf());
        }
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{} [{}]: {}", self.severity, self.code, self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

impl serde::Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct At<'a>(&'a Location);
        impl serde::Serialize for At<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                if let Some(file) = &self.0.file {
                    map.serialize_entry("file", &file.display().to_string())?;
                }
                map.serialize_entry("line", &self.0.line)?;
                map.serialize_entry("column", &self.0.column)?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("severity", &self.severity)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("location", &self.location.as_ref().map(At))?;
        map.serialize_entry("suggestion", &self.suggestion)?;
        map.end()
    }
}

/// What a lint checks trigger filters against.
#[derive(Debug, Clone)]
pub struct LintContext<'a> {
    /// The branch naming rules: a branch filter should match some branch they allow.
    pub branch_rules: &'a BranchRules,
    /// The declared services (sample branch names are rendered for each); empty means any
    /// well-formed service name.
    pub services: Vec<String>,
    /// Every file of the repository, `/`-separated from the root, when known: a path filter
    /// should match at least one.
    pub repo_paths: Option<Vec<String>>,
}

impl<'a> LintContext<'a> {
    /// A context with branch rules and services, and no file list.
    pub fn new(branch_rules: &'a BranchRules, services: Vec<String>) -> Self {
        LintContext {
            branch_rules,
            services,
            repo_paths: None,
        }
    }

    /// Adds the repository's file list, enabling the path checks.
    #[must_use]
    pub fn with_repo_paths(mut self, paths: Vec<String>) -> Self {
        self.repo_paths = Some(paths);
        self
    }
}

/// Lint findings about `shiprail.yaml` itself against the repository's files: a file claimed
/// by two services (a change to it would release both, which is rarely meant) and a service
/// whose include globs match no file at all (probably a typo or a moved folder).
///
/// ```
/// use shiprail::config::Config;
/// use shiprail::trigger::lint::lint_config;
/// let config = Config::from_yaml_str(
///     "services:\n  a: {paths: {include: ['src/**']}}\n  b: {paths: {include: ['src/b/**']}}\n  c: {paths: {include: ['srv/c/**']}}\n",
/// )?;
/// let files = vec!["src/b/main.c".to_string(), "src/a/main.c".to_string()];
/// let findings = lint_config(&config, &files)?;
/// assert_eq!(findings[0].code, "service_path_overlap");
/// assert_eq!(findings[1].code, "unmatched_service_paths");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint_config(
    config: &crate::config::Config,
    repo_paths: &[String],
) -> crate::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let overlaps = config.overlapping_paths(repo_paths.iter().map(String::as_str))?;
    // One finding per set of services, naming the first path and how many more there are.
    let mut by_services: std::collections::BTreeMap<Vec<String>, Vec<String>> =
        std::collections::BTreeMap::new();
    for overlap in overlaps {
        by_services
            .entry(overlap.services)
            .or_default()
            .push(overlap.path);
    }
    for (services, paths) in by_services {
        let more = match paths.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        findings.push(Finding {
            code: "service_path_overlap".into(),
            severity: Severity::Warning,
            message: format!(
                "`{}`{more} belong to several services ({}): a change there releases all of them; narrow an include or add an exclude",
                paths[0],
                services
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            location: None,
            suggestion: None,
        });
    }
    for (name, service) in &config.services {
        let matches_any = repo_paths.iter().any(|p| service.paths.is_match(p));
        if !matches_any {
            let includes: Vec<String> = service
                .paths
                .include
                .iter()
                .map(|g| format!("`{g}`"))
                .collect();
            findings.push(Finding {
                code: "unmatched_service_paths".into(),
                severity: Severity::Warning,
                message: format!(
                    "service `{name}`: no file of the repository matches {}; no change can affect it",
                    includes.join(", ")
                ),
                location: None,
                suggestion: None,
            });
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: fn() = || {
        fn assert<T: Send + Sync>() {}
        assert::<Finding>();
        assert::<Severity>();
        assert::<LintContext<'static>>();
    };

    #[test]
    fn finding_serializes_flat_with_location() {
        let finding = Finding {
            code: "c".into(),
            severity: Severity::Warning,
            message: "m".into(),
            location: Some(Location {
                file: None,
                line: 3,
                column: 7,
            }),
            suggestion: None,
        };
        assert_eq!(
            serde_json::to_string(&finding).ok().as_deref(),
            Some(
                r#"{"code":"c","severity":"warning","message":"m","location":{"line":3,"column":7},"suggestion":null}"#
            )
        );
        assert_eq!(finding.to_string(), "line 3, column 7: warning [c]: m");
    }
}
