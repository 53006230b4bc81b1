//! Loads the shared conformance vectors of `tests/conformance/*.json`.
//!
//! File format (the same for the Rust, Python and Node suites):
//! ```json
//! { "description": "...", "defaults": { ...args merged under every case's args... },
//!   "cases": [ { "name": "...", "op": "branch.classify", "args": {...},
//!                "ok": <expected JSON result> } ,
//!              { "name": "...", "op": "...", "args": {...},
//!                "error": {"code": "unknown_service", "message": "optional exact message"} } ] }
//! ```
#![allow(dead_code, unreachable_pub)]

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// One conformance file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    pub description: String,
    #[serde(default)]
    pub defaults: Map<String, Value>,
    pub cases: Vec<Case>,
}

/// One case: an operation, its arguments, and either the expected result or the expected error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub op: String,
    #[serde(default)]
    pub args: Map<String, Value>,
    /// The expected result; present even when it is JSON `null`.
    #[serde(default, deserialize_with = "present")]
    pub ok: Option<Value>,
    #[serde(default)]
    pub error: Option<ExpectedError>,
    /// Where the rule comes from (a documentation sentence, an issue line): for readers only.
    #[serde(default)]
    pub source: Option<String>,
}

/// Keeps an explicit `null` as `Some(Value::Null)`, so `"ok": null` expects a null result.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The error a case expects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
}

impl Case {
    /// The case's args with the file's defaults filled in underneath.
    pub fn args_with(&self, defaults: &Map<String, Value>) -> Map<String, Value> {
        let mut merged = defaults.clone();
        for (k, v) in &self.args {
            merged.insert(k.clone(), v.clone());
        }
        merged
    }
}

/// The repository root (the workspace), from this crate's manifest dir.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core has a parent")
        .to_path_buf()
}

/// Loads `tests/conformance/<name>.json`.
pub fn load(name: &str) -> VectorFile {
    let path = repo_root()
        .join("tests/conformance")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs every case of a file through `run`, which returns the operation's result as JSON or the
/// error; collects every mismatch and panics once with all of them.
pub fn check_file<F>(name: &str, mut run: F) -> usize
where
    F: FnMut(&str, &Map<String, Value>) -> Result<Value, shiprail::Error>,
{
    let file = load(name);
    let mut failures = Vec::new();
    for case in &file.cases {
        let args = case.args_with(&file.defaults);
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&case.op, &args)));
        let outcome = match outcome {
            Ok(o) => o,
            Err(_) => {
                failures.push(format!("{}: panicked", case.name));
                continue;
            }
        };
        match (&case.ok, &case.error, outcome) {
            (Some(want), None, Ok(got)) if &got == want => {}
            (Some(want), None, Ok(got)) => {
                failures.push(format!("{}: expected {want}, got {got}", case.name))
            }
            (Some(want), None, Err(e)) => failures.push(format!(
                "{}: expected {want}, got error {}: {e}",
                case.name,
                e.code()
            )),
            (None, Some(want), Err(e)) => {
                if e.code() != want.code {
                    failures.push(format!(
                        "{}: expected error {}, got {}: {e}",
                        case.name,
                        want.code,
                        e.code()
                    ));
                } else if let Some(msg) = &want.message
                    && msg != &e.to_string()
                {
                    failures.push(format!(
                        "{}: expected message {msg:?}, got {:?}",
                        case.name,
                        e.to_string()
                    ));
                }
            }
            (None, Some(want), Ok(got)) => failures.push(format!(
                "{}: expected error {}, got {got}",
                case.name, want.code
            )),
            _ => failures.push(format!(
                "{}: a case needs exactly one of ok / error",
                case.name
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {name}.json failed:\n{}",
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
    file.cases.len()
}
