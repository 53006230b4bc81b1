//! Findings about pipeline files: the common vocabulary of every dialect's lint.
//!
//! A trigger that parses can still be wrong for the repository it guards: a branch pattern no
//! branch name allowed by the branch rules can match, a path filter naming a folder that does not
//! exist (or exists in another case), a variable that the CI system never expands. Each dialect
//! checks its own file against a [`LintContext`] and returns [`Finding`]s; nothing here fails.
//!
//! # Findings
//!
//! A finding has a stable `code`, a [`Severity`], a message naming the offending text, the
//! location in the file and, when one is known, a suggested replacement.
//!
//! ```
//! use shiprail::branch::BranchRules;
//! use shiprail::trigger::azure::Pipeline;
//! use shiprail::trigger::lint::{LintContext, Severity};
//! let rules = BranchRules::default();
//! let pipeline = Pipeline::from_yaml_str("trigger:\n- main\n- $(release)\n")?;
//! let findings = pipeline.lint(&LintContext::new(&rules));
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].code, "azure_variable_in_filter");
//! assert_eq!(findings[0].severity, Severity::Warning);
//! assert_eq!(findings[0].location.as_ref().map(|l| (l.line, l.column)), Some((3, 3)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::branch::BranchRules;
use crate::error::Location;
use serde::Serialize;
use serde::ser::SerializeStruct;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// The file does not do what it says: a filter that can never match, a run that never starts.
    Error,
    /// Probably a mistake: it works, but not the way it reads.
    Warning,
    /// Worth knowing: behaviour that differs between CI versions or surprises readers.
    Info,
}

/// One thing a lint found, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable snake_case identifier of the check (`azure_variable_in_filter`, ...), so that
    /// callers can filter or suppress findings by code.
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, naming the offending text in backticks and the rule it breaks.
    pub message: String,
    /// Where in the file, when known.
    pub location: Option<Location>,
    /// A replacement that would fix it, when one is known.
    pub suggestion: Option<String>,
}

impl Serialize for Finding {
    /// `{code, severity, message, location: {file, line, column} | null, suggestion}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct At {
            file: Option<String>,
            line: u32,
            column: u32,
        }
        let location = self.location.as_ref().map(|l| At {
            file: l.file.as_ref().map(|f| f.display().to_string()),
            line: l.line,
            column: l.column,
        });
        let mut s = serializer.serialize_struct("Finding", 5)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("location", &location)?;
        s.serialize_field("suggestion", &self.suggestion)?;
        s.end()
    }
}

/// What a lint knows about the repository besides the pipeline file.
#[derive(Debug, Clone)]
pub struct LintContext<'a> {
    /// The branch naming rules: branch patterns are checked against the names they allow.
    pub branch_rules: &'a BranchRules,
    /// The declared services (an empty list: any service name).
    pub services: Vec<String>,
    /// The repository's paths (files, or folders down to the depth filters name), relative to
    /// the root; `None` skips the path checks.
    pub repo_paths: Option<Vec<String>>,
}

impl<'a> LintContext<'a> {
    /// A context with branch rules only: no services declared, no repository paths.
    pub fn new(branch_rules: &'a BranchRules) -> Self {
        LintContext {
            branch_rules,
            services: Vec::new(),
            repo_paths: None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finding_serializes_flat() {
        let finding = Finding {
            code: "x".into(),
            severity: Severity::Warning,
            message: "m".into(),
            location: Some(Location {
                file: None,
                line: 3,
                column: 5,
            }),
            suggestion: None,
        };
        assert_eq!(
            serde_json::to_string(&finding).unwrap(),
            r#"{"code":"x","severity":"warning","message":"m","location":{"file":null,"line":3,"column":5},"suggestion":null}"#
        );
    }
}
