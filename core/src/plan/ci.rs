//! A plan as the variables a CI system reads: `$GITHUB_OUTPUT` lines, Azure Pipelines logging
//! commands, a GitLab dotenv report.

use super::model::Plan;
use crate::error::{Error, ErrorKind, Result};
use serde_json::{Value, json};
use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

/// The CI system a plan's variables are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CiFormat {
    /// GitHub Actions: `name=value` lines to append to `$GITHUB_OUTPUT` (multi-line values
    /// in the `name<<DELIMITER` form); `matrix` is `{"include": [...]}` for `fromJSON`.
    Github,
    /// Azure Pipelines: `##vso[task.setvariable variable=NAME;isoutput=true]VALUE` logging
    /// commands; `matrix` is the object of named legs a `strategy.matrix` expression takes.
    Azure,
    /// GitLab CI: `SHIPRAIL_NAME=value` lines of a dotenv report (`artifacts:reports:dotenv`),
    /// one line each, no newlines in values.
    Gitlab,
}

impl CiFormat {
    /// Every format.
    pub const ALL: &'static [CiFormat] = &[CiFormat::Github, CiFormat::Azure, CiFormat::Gitlab];

    /// The name as the CLI writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            CiFormat::Github => "github",
            CiFormat::Azure => "azure",
            CiFormat::Gitlab => "gitlab",
        }
    }
}

impl fmt::Display for CiFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CiFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<CiFormat> {
        match s {
            "github" | "github-actions" => Ok(CiFormat::Github),
            "azure" | "azure-pipelines" => Ok(CiFormat::Azure),
            "gitlab" | "gitlab-ci" => Ok(CiFormat::Gitlab),
            other => Err(Error::new(
                ErrorKind::InvalidPipeline,
                format!(
                    "unknown CI format `{}`: expected github, azure or gitlab",
                    other.escape_debug()
                ),
            )
            .with_input(other)),
        }
    }
}

/// The variables of a plan, by name, in output order.
///
/// `run` (`true`/`false`), `pipeline`, `reason`, `services` (JSON list), `service_list`
/// (space-separated, for shell loops), `matrix`, and for a
/// release `service`, `version`, `image`, `image_tag`, `chart_version`, `git_tag`, `release_name`,
/// `environments` (JSON list).
pub fn variables(plan: &Plan, format: CiFormat) -> Vec<(&'static str, String)> {
    let services: Vec<&str> = plan.services.iter().map(|s| s.service.as_str()).collect();
    let legs: Vec<Value> = plan
        .services
        .iter()
        .map(|s| json!({"service": s.service, "image": s.image, "chart": s.chart}))
        .collect();
    let matrix = match format {
        CiFormat::Github => json!({ "include": legs }),
        CiFormat::Azure => Value::Object(
            plan.services
                .iter()
                .zip(&legs)
                .map(|(s, leg)| (s.service.clone(), leg.clone()))
                .collect(),
        ),
        CiFormat::Gitlab => Value::Array(legs),
    };
    let mut vars = vec![
        ("run", plan.run.to_string()),
        ("pipeline", plan.pipeline.clone().unwrap_or_default()),
        ("reason", plan.reason.clone()),
        ("services", json!(services).to_string()),
        ("service_list", services.join(" ")),
        ("matrix", matrix.to_string()),
    ];
    if let Some(r) = &plan.release {
        vars.push(("service", r.service.clone()));
        vars.push(("version", r.version.clone()));
        vars.push(("image", r.image.clone()));
        vars.push(("image_tag", r.image_tag.clone()));
        vars.push(("chart_version", r.chart_version.clone()));
        vars.push(("git_tag", r.git_tag.clone()));
        vars.push(("release_name", r.release_name.clone()));
    }
    if !plan.environments.is_empty() {
        vars.push(("environments", json!(plan.environments).to_string()));
    }
    vars
}

/// Renders a plan's [`variables`] for a CI system (see [`CiFormat`]); every line ends with
/// `\n`.
pub fn render(plan: &Plan, format: CiFormat) -> String {
    let mut out = String::new();
    for (name, value) in variables(plan, format) {
        // Writing into a String cannot fail.
        let _ = match format {
            CiFormat::Github => {
                if value.contains(['\n', '\r']) {
                    let delimiter = heredoc_delimiter(&value);
                    writeln!(out, "{name}<<{delimiter}\n{value}\n{delimiter}")
                } else {
                    writeln!(out, "{name}={value}")
                }
            }
            CiFormat::Azure => writeln!(
                out,
                "##vso[task.setvariable variable={name};isoutput=true]{}",
                azure_escape(&value)
            ),
            CiFormat::Gitlab => writeln!(
                out,
                "SHIPRAIL_{}={}",
                name.to_ascii_uppercase(),
                value.replace(['\n', '\r'], " ")
            ),
        };
    }
    out
}

/// A heredoc delimiter that does not occur in the value.
fn heredoc_delimiter(value: &str) -> String {
    let mut delimiter = "SHIPRAIL_EOF".to_string();
    while value.contains(&delimiter) {
        delimiter.push('_');
    }
    delimiter
}

/// Azure's escaping of a logging command's message: `%`, CR and LF.
fn azure_escape(value: &str) -> String {
    value
        .replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}
