//! The one mapping of `shiprail::Error` to JavaScript.
//!
//! A failing call throws (or rejects its promise with) a plain `Error` whose `message` is the
//! core's full display (`file:line:column: message (did you mean ...?)`) and which carries:
//! - `code`: the core's stable snake_case code (`unknown_service`), always;
//! - `reason`: the message alone, without location or suggestion, always;
//! - `input`, `suggestion`, `file`, `line`, `column`: when the core recorded them.
//!
//! Batch functions do not throw per item; each failed item carries an [`ErrorInfo`] with the
//! same fields as plain data.

use napi::bindgen_prelude::Object;
use napi::{Env, JsValue};
use napi_derive::napi;
use shiprail::ErrorKind;

const KINDS: usize = ErrorKind::ALL.len();

/// Every error code the core can produce, in declaration order: `err.code` is always one of them.
#[napi]
pub const ERROR_CODES: [&str; KINDS] = {
    let mut codes = [""; KINDS];
    let mut i = 0;
    while i < KINDS {
        codes[i] = ErrorKind::ALL[i].code();
        i += 1;
    }
    codes
};

/// A shiprail error as plain data: what a batch result carries for an item that failed.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ErrorInfo {
    /// The stable code, one of `ERROR_CODES`.
    pub code: String,
    /// The full message, as a thrown error's `message`.
    pub message: String,
    /// The message without location or suggestion.
    pub reason: String,
    /// The offending input, when recorded.
    pub input: Option<String>,
    /// A suggested correction, when one is known.
    pub suggestion: Option<String>,
    /// The file the error is in, when it came from one.
    pub file: Option<String>,
    /// 1-based line, when the error has a location.
    pub line: Option<u32>,
    /// 1-based column (characters), when the error has a location.
    pub column: Option<u32>,
}

impl From<&shiprail::Error> for ErrorInfo {
    fn from(err: &shiprail::Error) -> Self {
        let location = err.location();
        ErrorInfo {
            code: err.code().to_string(),
            message: err.to_string(),
            reason: err.message().to_string(),
            input: err.input().map(str::to_string),
            suggestion: err.suggestion().map(str::to_string),
            file: location
                .and_then(|l| l.file.as_ref())
                .map(|f| f.display().to_string()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
        }
    }
}

/// The JS `Error` object for a core error (see the module documentation for its properties).
pub(crate) fn error_object<'env>(
    env: &'env Env,
    err: &shiprail::Error,
) -> napi::Result<Object<'env>> {
    let info = ErrorInfo::from(err);
    let mut object = env.create_error(napi::Error::from_reason(info.message))?;
    object.set("code", info.code)?;
    object.set("reason", info.reason)?;
    let optional = [
        ("input", info.input),
        ("suggestion", info.suggestion),
        ("file", info.file),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            object.set(key, value)?;
        }
    }
    if let (Some(line), Some(column)) = (info.line, info.column) {
        object.set("line", line)?;
        object.set("column", column)?;
    }
    Ok(object)
}

/// A core error as the `napi::Error` that throws exactly the object of [`error_object`].
pub(crate) fn throwable(env: &Env, err: &shiprail::Error) -> napi::Error {
    match error_object(env, err) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        Err(e) => e,
    }
}

/// `result.or_throw(env)?`: the one way a binding function turns a core result into a JS one.
pub(crate) trait OrThrow<T> {
    /// The value, or the core error as a thrown JS `Error`.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for shiprail::Result<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| throwable(env, &e))
    }
}
