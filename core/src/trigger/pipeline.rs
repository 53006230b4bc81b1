//! One entry point over the dialects: load a pipeline file of any supported CI system,
//! evaluate an event against it, lint it.
//!
//! ```
//! use shiprail::trigger::{Dialect, Event, EventKind, PipelineFile, ChangedPath};
//! let azure = PipelineFile::from_yaml_str(
//!     Dialect::Azure,
//!     "trigger:\n  branches: {include: [master]}\n  paths: {include: [/src/shipping/delivery/]}\n",
//! )?;
//! let push = Event {
//!     kind: Some(EventKind::Push),
//!     git_ref: "master".into(),
//!     changed: Some(vec![ChangedPath::modified("src/shipping/delivery/Program.cs")]),
//!     ..Event::default()
//! };
//! assert!(azure.evaluate(&push)?.run);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::lint::{Finding, LintContext};
use super::{Decision, Event, azure, github};
use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A CI system whose trigger language shiprail reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Dialect {
    /// Azure Pipelines: `trigger:` and `pr:` of an azure-pipelines.yml.
    Azure,
    /// GitHub Actions: `on:` of a workflow file.
    Github,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: &'static [Dialect] = &[Dialect::Azure, Dialect::Github];

    /// The dialect's name as the CLI and the bindings write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Azure => "azure",
            Dialect::Github => "github",
        }
    }

    /// Guesses the dialect of a pipeline file: a file under `.github/workflows/` is GitHub
    /// Actions, and so is a document whose top level has an `on:` key; any other YAML is taken
    /// for Azure Pipelines (which needs no trigger key at all).
    pub fn detect(path: &Path, text: &str) -> Dialect {
        let in_workflows = path
            .parent()
            .is_some_and(|p| p.ends_with(".github/workflows"));
        let has_on = text
            .lines()
            .any(|l| l.starts_with("on:") || l.starts_with("\"on\":") || l.starts_with("'on':"));
        if in_workflows || has_on {
            Dialect::Github
        } else {
            Dialect::Azure
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = Error;

    fn from_str(s: &str) -> Result<Dialect> {
        match s {
            "azure" | "azure-pipelines" => Ok(Dialect::Azure),
            "github" | "github-actions" => Ok(Dialect::Github),
            other => Err(Error::new(
                ErrorKind::InvalidPipeline,
                format!(
                    "unknown dialect `{}`: expected `azure` or `github`",
                    other.escape_debug()
                ),
            )
            .with_input(other)),
        }
    }
}

/// A parsed pipeline file of one dialect.
// Loaded once per file and never held in bulk: the size difference between variants is moot.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PipelineFile {
    /// An Azure Pipelines file.
    Azure(azure::Pipeline),
    /// A GitHub Actions workflow.
    Github(github::Workflow),
}

impl PipelineFile {
    /// Reads a pipeline file of `dialect`; with `None`, the dialect is detected.
    pub fn load(dialect: Option<Dialect>, path: impl AsRef<Path>) -> Result<PipelineFile> {
        let path = path.as_ref();
        let dialect = match dialect {
            Some(d) => d,
            None => {
                let text = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
                Dialect::detect(path, &String::from_utf8_lossy(&text))
            }
        };
        Ok(match dialect {
            Dialect::Azure => PipelineFile::Azure(azure::Pipeline::load(path)?),
            Dialect::Github => PipelineFile::Github(github::Workflow::load(path)?),
        })
    }

    /// Parses pipeline text of `dialect`.
    pub fn from_yaml_str(dialect: Dialect, text: &str) -> Result<PipelineFile> {
        Ok(match dialect {
            Dialect::Azure => PipelineFile::Azure(azure::Pipeline::from_yaml_str(text)?),
            Dialect::Github => PipelineFile::Github(github::Workflow::from_yaml_str(text)?),
        })
    }

    /// The file's dialect.
    pub fn dialect(&self) -> Dialect {
        match self {
            PipelineFile::Azure(_) => Dialect::Azure,
            PipelineFile::Github(_) => Dialect::Github,
        }
    }

    /// Whether the event runs the pipeline, with the trace of the decision.
    pub fn evaluate(&self, event: &Event) -> Result<Decision> {
        match self {
            PipelineFile::Azure(p) => p.evaluate(event),
            PipelineFile::Github(w) => w.evaluate(event),
        }
    }

    /// The file the pipeline was loaded from ([`PipelineFile::load`]), when it was.
    pub fn path(&self) -> Option<&Path> {
        match self {
            PipelineFile::Azure(p) => p.path(),
            PipelineFile::Github(w) => w.path(),
        }
    }

    /// The pipeline as read from `path`, for text the caller read itself: lint findings then
    /// name the file.
    #[must_use]
    pub fn with_path(self, path: impl Into<std::path::PathBuf>) -> PipelineFile {
        match self {
            PipelineFile::Azure(p) => PipelineFile::Azure(p.with_path(path)),
            PipelineFile::Github(w) => PipelineFile::Github(w.with_path(path)),
        }
    }

    /// The dialect's lint findings against the repository's rules and files; for a pipeline
    /// loaded from a file, each finding's location names the file (`location.file`), so a
    /// finding read alone says where it is.
    pub fn lint(&self, context: &LintContext<'_>) -> Vec<Finding> {
        match self {
            PipelineFile::Azure(p) => p.lint(context),
            PipelineFile::Github(w) => w.lint(context),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::branch::BranchRules;

    const AZURE: &str = "trigger:\n  branches:\n    include: [relelase/delivery/v*]\n";
    const GITHUB: &str = "on:\n  push:\n    branches: [relelase/delivery/v*]\n";

    /// Findings of a pipeline loaded from a file name it; text parsed in memory has no file
    /// unless the caller gives one.
    #[test]
    fn findings_name_the_file_they_come_from() {
        let dir = tempfile::tempdir().unwrap();
        let rules = BranchRules::default();
        let context = LintContext::new(&rules, vec!["delivery".into()]);
        for (dialect, name, text) in [
            (Dialect::Azure, "azure-pipelines.yml", AZURE),
            (Dialect::Github, "delivery.yml", GITHUB),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            for dialect in [Some(dialect), None] {
                let loaded = PipelineFile::load(dialect, &path).unwrap();
                assert_eq!(loaded.path(), Some(path.as_path()));
                let findings = loaded.lint(&context);
                assert_eq!(findings[0].code, "unmatched_branch_pattern", "{findings:?}");
                for finding in &findings {
                    let location = finding.location.as_ref().unwrap();
                    assert_eq!(location.file.as_deref(), Some(path.as_path()));
                    assert!(
                        finding
                            .to_string()
                            .starts_with(&format!("{}:3:", path.display()))
                    );
                    let json = serde_json::to_value(finding).unwrap();
                    assert_eq!(json["location"]["file"], path.display().to_string());
                    assert_eq!(json["location"]["line"], 3);
                }
            }
            let parsed = PipelineFile::from_yaml_str(dialect, text).unwrap();
            assert_eq!(parsed.path(), None);
            let findings = parsed.lint(&context);
            let json = serde_json::to_value(&findings[0]).unwrap();
            assert_eq!(json["location"]["line"], 3, "{json}");
            assert_eq!(json["location"].get("file"), None, "{json}");
            let named = parsed.with_path("ci/x.yml").lint(&context);
            assert_eq!(
                named[0].location.as_ref().and_then(|l| l.file.as_deref()),
                Some(Path::new("ci/x.yml"))
            );
        }
    }

    #[test]
    fn in_file_keeps_a_file_already_named_and_skips_findings_without_location() {
        let at = |file: Option<&str>| crate::error::Location {
            file: file.map(Into::into),
            line: 1,
            column: 2,
        };
        let finding = |location| Finding {
            code: "c".into(),
            severity: super::super::lint::Severity::Warning,
            message: "m".into(),
            location,
            suggestion: None,
        };
        let file = Some(Path::new("b.yml"));
        assert_eq!(finding(None).in_file(file).location, None);
        assert_eq!(
            finding(Some(at(Some("a.yml")))).in_file(file).location,
            Some(at(Some("a.yml")))
        );
        assert_eq!(
            finding(Some(at(None))).in_file(file).location,
            Some(at(Some("b.yml")))
        );
        assert_eq!(
            finding(Some(at(None))).in_file(None).location,
            Some(at(None))
        );
    }
}
