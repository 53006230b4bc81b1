//! The one mapping of shiprail errors to Python exceptions.
//!
//! Every binding function returns [`Result`]; `?` turns both a core [`shiprail::Error`] and a
//! [`PyErr`] into a [`BindingError`], and PyO3 raises it through `From<BindingError> for PyErr`,
//! the only place where a core error becomes a Python exception. The exception classes are
//! plain Python (`python/shiprail/exceptions.py`, so their attributes are typed and they
//! pickle); this module only picks the class for an [`ErrorKind`] ([`exception_class`]) and fills
//! in the attributes.
//!
//! Adding an [`ErrorKind`] to the core: add its arm to [`exception_class`] (the match has a
//! catch-all because the enum is `#[non_exhaustive]`; the Python test `test_errors.py` fails for
//! any code that lands there without being listed as deliberate).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::derive::gen_stub_pyfunction;
use shiprail::{Error, ErrorKind, Location};

/// The result type of every binding function.
pub(crate) type Result<T, E = BindingError> = std::result::Result<T, E>;

/// An error on its way to Python: a core error (mapped to a `ShiprailError` subclass) or an
/// error Python itself raised (a wrong argument type, say), passed through unchanged.
#[derive(Debug)]
pub(crate) enum BindingError {
    /// A shiprail error.
    Core(Error),
    /// A Python error, raised as it is.
    Python(PyErr),
}

impl From<Error> for BindingError {
    fn from(err: Error) -> Self {
        BindingError::Core(err)
    }
}

impl From<PyErr> for BindingError {
    fn from(err: PyErr) -> Self {
        BindingError::Python(err)
    }
}

impl From<BindingError> for PyErr {
    fn from(err: BindingError) -> PyErr {
        match err {
            BindingError::Python(err) => err,
            BindingError::Core(err) => Python::attach(|py| to_exception(py, &err)),
        }
    }
}

/// The name of the class in `shiprail.exceptions` raised for `kind`: one family per domain.
pub(crate) fn exception_class(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidRefName
        | ErrorKind::NotABranch
        | ErrorKind::UnknownBranchKind
        | ErrorKind::NotAReleaseBranch
        | ErrorKind::InvalidBranchVersion => "BranchError",
        ErrorKind::InvalidVersion => "VersionError",
        ErrorKind::VersionNotHigher | ErrorKind::MutableTag => "PolicyError",
        ErrorKind::InvalidTag | ErrorKind::AmbiguousTag => "TagError",
        ErrorKind::InvalidPattern | ErrorKind::InvalidTemplate => "PatternError",
        ErrorKind::InvalidImageReference => "ImageError",
        ErrorKind::UnknownService | ErrorKind::UnknownEnvironment => "UnknownNameError",
        ErrorKind::InvalidEvent => "EventError",
        ErrorKind::InvalidPipeline => "PipelineError",
        ErrorKind::Git => "GitError",
        ErrorKind::ConfigSyntax | ErrorKind::ConfigInvalid | ErrorKind::InvalidUtf8 => {
            "ConfigError"
        }
        ErrorKind::Io => "IoError",
        ErrorKind::InvalidChart => "ChartError",
        ErrorKind::InvalidArchive => "ArchiveError",
        ErrorKind::UnsafeArchive => "UnsafeArchiveError",
        ErrorKind::RegistryUnauthorized => "RegistryAuthError",
        ErrorKind::RegistryNotFound => "RegistryNotFoundError",
        ErrorKind::RegistryTls => "RegistryTlsError",
        ErrorKind::RegistryDigestMismatch => "DigestMismatchError",
        ErrorKind::RegistryClobber => "ClobberError",
        ErrorKind::RegistryUnexpectedDigest => "UnexpectedDigestError",
        ErrorKind::Registry => "RegistryError",
        ErrorKind::StateTampered | ErrorKind::StateVersion => "StateError",
        ErrorKind::GateNotPassed | ErrorKind::ApprovalMissing | ErrorKind::ApprovalRefused => {
            "PolicyError"
        }
        _ => "ShiprailError",
    }
}

/// The `shiprail.exceptions` module, imported once.
fn exceptions(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || py.import("shiprail.exceptions").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Builds the exception instance for `err`: `Class(str(err), code=..., message=..., input=...,
/// file=..., line=..., column=..., suggestion=..., is_rule_violation=...)`.
fn to_exception(py: Python<'_>, err: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = exceptions(py)?.getattr(exception_class(err.kind()))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("code", err.code())?;
        kwargs.set_item("message", err.message())?;
        kwargs.set_item("input", err.input())?;
        let location = err.location();
        kwargs.set_item(
            "file",
            location.and_then(|l| l.file.as_ref().map(|f| f.display().to_string())),
        )?;
        kwargs.set_item("line", location.map(|l| l.line))?;
        kwargs.set_item("column", location.map(|l| l.column))?;
        kwargs.set_item("suggestion", err.suggestion())?;
        kwargs.set_item("is_rule_violation", err.kind().is_rule_violation())?;
        let instance = class.call((err.to_string(),), Some(&kwargs))?;
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|failure| {
        // Only reachable when `shiprail.exceptions` cannot be imported (a broken install).
        PyRuntimeError::new_err(format!(
            "{err} [{}] (shiprail.exceptions is unavailable: {failure})",
            err.code()
        ))
    })
}

/// Every error code of the core, in declaration order (`ErrorKind::ALL`).
pub(crate) fn error_codes() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.code()).collect()
}

/// Raises the exception that a core error of `code` becomes, with the given parts.
///
/// For tests of the error mapping only: most codes cannot be provoked through the API yet.
#[cfg_attr(feature = "stub-gen", gen_stub_pyfunction(module = "shiprail._native"))]
#[pyfunction]
#[pyo3(signature = (code, message, *, input=None, file=None, line=None, column=None, suggestion=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _raise_for_code(
    code: &str,
    message: &str,
    input: Option<String>,
    file: Option<crate::conversions::PathArg>,
    line: Option<u32>,
    column: Option<u32>,
    suggestion: Option<String>,
) -> Result<()> {
    let Some(kind) = ErrorKind::ALL.iter().copied().find(|k| k.code() == code) else {
        return Err(PyErr::new::<pyo3::exceptions::PyValueError, _>(format!(
            "`{code}` is not an error code of shiprail"
        ))
        .into());
    };
    let mut err = Error::new(kind, message);
    if let Some(input) = input {
        err = err.with_input(input);
    }
    if let (Some(line), Some(column)) = (line, column) {
        err = err.with_location(Location {
            file: None,
            line,
            column,
        });
    }
    if let Some(file) = file {
        err = err.in_file(&file.0);
    }
    if let Some(suggestion) = suggestion {
        err = err.with_suggestion(suggestion);
    }
    Err(err.into())
}

/// Converts a serde error met while reading a Python value into a policy or rule set: the
/// value does not fit the schema of that `shiprail.yaml` section, as a YAML file would not.
pub(crate) fn schema_error(what: &str, err: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::ConfigSyntax, format!("invalid {what}: {err}"))
}

/// Registers the error helpers of the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ERROR_CODES", error_codes())?;
    m.add_function(wrap_pyfunction!(_raise_for_code, m)?)?;
    Ok(())
}
