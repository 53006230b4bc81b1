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
