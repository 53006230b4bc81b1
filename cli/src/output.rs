//! Rendering results and errors, and the exit-code contract.

use serde_json::{Value, json};
use shiprail::Error;
use std::io::Write;
use std::process::ExitCode;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// One JSON document on stdout.
    Json,
    /// `key: value` lines for people.
    Text,
}

/// The global `--format` as typed: a document format for every command, or (for `shiprail
/// plan` only) the variables of a CI system, so that `plan --format github` does what CI
/// documentation of other tools leads people to type; `plan --output github` is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FormatArg {
    /// One JSON document on stdout.
    Json,
    /// `key: value` lines for people.
    Text,
    /// `shiprail plan` only: `name=value` lines for `$GITHUB_OUTPUT` (as `--output github`).
    Github,
    /// `shiprail plan` only: Azure Pipelines logging commands (as `--output azure`).
    Azure,
    /// `shiprail plan` only: a GitLab dotenv report (as `--output gitlab`).
    Gitlab,
}

impl FormatArg {
    /// The document format results and errors are printed in (JSON for the CI formats, whose
    /// errors are still JSON documents).
    pub(crate) fn document(self) -> Format {
        match self {
            FormatArg::Text => Format::Text,
            _ => Format::Json,
        }
    }

    /// The CI system named, if any.
    pub(crate) fn ci(self) -> Option<shiprail::plan::CiFormat> {
        use shiprail::plan::CiFormat;
        match self {
            FormatArg::Github => Some(CiFormat::Github),
            FormatArg::Azure => Some(CiFormat::Azure),
            FormatArg::Gitlab => Some(CiFormat::Gitlab),
            FormatArg::Json | FormatArg::Text => None,
        }
    }
}

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error: printed as `{"error": ...}`; exit 1 for a rule violation, else 2.
    Error(Error),
    /// A complete report whose findings break rules (a failing lint): printed as the result
    /// itself, exit 1, so that the caller sees every finding and not just the first.
    Findings(Value),
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Error(err)
    }
}

/// A command's outcome: its JSON result, or why it failed.
pub(crate) type Outcome = Result<Value, Failure>;

/// The JSON form of an error: `{"error": {"code", "message", ...}}`.
pub(crate) fn error_json(err: &Error) -> Value {
    let mut body = json!({ "code": err.code(), "message": err.message() });
    if let Some(input) = err.input() {
        body["input"] = json!(input);
    }
    if let Some(location) = err.location() {
        if let Some(file) = &location.file {
            body["file"] = json!(file.display().to_string());
        }
        body["line"] = json!(location.line);
        body["column"] = json!(location.column);
    }
    if let Some(suggestion) = err.suggestion() {
        body["suggestion"] = json!(suggestion);
    }
    json!({ "error": body })
}

/// Prints the outcome and maps it to the exit code: 0 ok, 1 rule violation, 2 bad input.
pub(crate) fn finish(format: Format, outcome: Outcome) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let written = match (&outcome, format) {
        (Ok(value) | Err(Failure::Findings(value)), Format::Json) => {
            writeln!(stdout, "{}", pretty(value))
        }
        (Ok(value) | Err(Failure::Findings(value)), Format::Text) => {
            write_text(&mut stdout, value, "")
        }
        (Err(Failure::Error(err)), Format::Json) => {
            writeln!(stdout, "{}", pretty(&error_json(err)))
        }
        (Err(Failure::Error(err)), Format::Text) => {
            writeln!(std::io::stderr(), "error[{}]: {err}", err.code())
        }
    };
    if written.is_err() {
        // stdout closed (a pipe's reader went away): nothing more can be reported there.
        return ExitCode::from(2);
    }
    match outcome {
        Ok(_) => ExitCode::SUCCESS,
        Err(Failure::Findings(_)) => ExitCode::from(1),
        Err(Failure::Error(err)) if err.kind().is_rule_violation() => ExitCode::from(1),
        Err(Failure::Error(_)) => ExitCode::from(2),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// `key: value` lines; nested objects indent, arrays join with `, ` when they hold scalars.
fn write_text(out: &mut impl Write, value: &Value, indent: &str) -> std::io::Result<()> {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::Object(_) => {
                        writeln!(out, "{indent}{key}:")?;
                        write_text(out, v, &format!("{indent}  "))?;
                    }
                    Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                        writeln!(out, "{indent}{key}:")?;
                        for item in items {
                            writeln!(out, "{indent}  -")?;
                            write_text(out, item, &format!("{indent}    "))?;
                        }
                    }
                    _ => writeln!(out, "{indent}{key}: {}", scalar(v))?,
                }
            }
            Ok(())
        }
        other => writeln!(out, "{indent}{}", scalar(other)),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
