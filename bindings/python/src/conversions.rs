//! Every conversion between Python values and core values, in one place (the polars `Wrap<T>`
//! pattern): argument newtypes that extract what a Python caller naturally passes, and the
//! serde bridge for policies and results.
//!
//! Rules the whole binding follows:
//! - **Iterables in, lists out.** Arguments that take several values accept any iterable
//!   ([`Strings`], [`Versions`]), refusing a bare `str` (which would iterate characters);
//!   results are `list`s.
//! - **Versions in as `ReleaseVersion | str`** ([`VersionArg`]); a `str` is parsed by the core's
//!   `FromStr`, so a bad one raises the core's `VersionError`.
//! - **Paths in as `str | os.PathLike`**: PyO3 extracts `PathBuf` from both.
//! - **Policies and rule sets in as mappings** ([`Section`]): the same keys as the section of
//!   `shiprail.yaml`, read through serde ([`section`]) so the binding never interprets them; a
//!   mapping that does not fit is a `ConfigError` (`config_syntax`), as in a file.
//! - **Plain data out as `dict`** ([`JsonDict`]): the serde serialization of a core value, the
//!   same JSON the CLI prints and the conformance vectors hold (`to_dict()` on every result).

use crate::error::{BindingError, Result, schema_error};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use pyo3_stub_gen::{PyStubType, TypeInfo};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shiprail::version::ReleaseVersion;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Refuses a `str` or `bytes` where an iterable of values is expected.
fn refuse_text(obj: &Borrowed<'_, '_, PyAny>, what: &str) -> PyResult<()> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "expected an iterable of {what}, got a single string; wrap it in a list"
        )));
    }
    Ok(())
}

/// A stub type written out in full, with the modules it needs imported.
fn stub_type(name: &str, imports: &[&str]) -> TypeInfo {
    TypeInfo {
        name: name.to_string(),
        source_module: None,
        import: imports.iter().map(|m| (*m).into()).collect(),
        type_refs: Default::default(),
    }
}

/// `collections.abc.Iterable[...]` around another stub type.
fn iterable_of(inner: TypeInfo) -> TypeInfo {
    let mut info = inner;
    info.name = format!("collections.abc.Iterable[{}]", info.name);
    info.import.insert("collections.abc".into());
    info
}

/// Any iterable of `str` (list, tuple, generator, `str.splitlines()` ...), but not a `str`.
pub(crate) struct Strings(pub(crate) Vec<String>);

impl Strings {
    /// The strings as `&str`s, the form the core takes.
    pub(crate) fn as_strs(&self) -> Vec<&str> {
        self.0.iter().map(String::as_str).collect()
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Strings {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "str")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(item?.extract::<String>()?);
        }
        Ok(Strings(out))
    }
}

impl PyStubType for Strings {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<String>()
    }

    fn type_input() -> TypeInfo {
        iterable_of(String::type_input())
    }
}

/// A version argument: a `ReleaseVersion`, or a `str` parsed by the core (`v` prefix accepted).
pub(crate) struct VersionArg(pub(crate) ReleaseVersion);

impl<'a, 'py> FromPyObject<'a, 'py> for VersionArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(version) = obj.cast::<crate::version::PyReleaseVersion>() {
            return Ok(VersionArg(version.get().0.clone()));
        }
        let text: String = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a ReleaseVersion or a str, got {}",
                obj.get_type()
                    .name()
                    .map_or_else(|_| "an object".to_string(), |n| n.to_string())
            ))
        })?;
        text.parse::<ReleaseVersion>()
            .map(VersionArg)
            .map_err(|e| BindingError::Core(e).into())
    }
}

impl PyStubType for VersionArg {
    fn type_output() -> TypeInfo {
        crate::version::PyReleaseVersion::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::version::PyReleaseVersion::type_input() | String::type_input()
    }
}

/// Any iterable of versions (`ReleaseVersion` or `str`), but not a `str`.
pub(crate) struct Versions(pub(crate) Vec<ReleaseVersion>);

impl<'a, 'py> FromPyObject<'a, 'py> for Versions {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "versions")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(item?.extract::<VersionArg>()?.0);
        }
        Ok(Versions(out))
    }
}

impl PyStubType for Versions {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<crate::version::PyReleaseVersion>()
    }

    fn type_input() -> TypeInfo {
        iterable_of(VersionArg::type_input())
    }
}

/// A section of `shiprail.yaml` given as a Python mapping (`{"v_prefix": "require"}`).
pub(crate) struct Section<'py>(pub(crate) Bound<'py, PyAny>);

impl<'a, 'py> FromPyObject<'a, 'py> for Section<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Section(obj.to_owned()))
    }
}

impl PyStubType for Section<'_> {
    fn type_output() -> TypeInfo {
        JsonDict::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type(
            "collections.abc.Mapping[builtins.str, typing.Any]",
            &["builtins", "collections.abc", "typing"],
        )
    }
}

/// Reads a section (`what` names it in errors) from an optional mapping and keyword fields
/// (fields win), through the section's own serde rules: defaults for what is missing, unknown
/// keys refused.
///
/// The mapping goes through JSON (`json.dumps`, then `serde_json`), so it is read exactly as
/// the same data in `shiprail.yaml` or in a conformance vector would be: a `str` is never taken
/// for a list of characters, and values JSON cannot hold (a set, bytes) are refused.
pub(crate) fn section<T: DeserializeOwned>(
    py: Python<'_>,
    what: &str,
    mapping: Option<Section<'_>>,
    fields: Option<&Bound<'_, PyDict>>,
) -> Result<T> {
    let merged = PyDict::new(py);
    if let Some(Section(mapping)) = mapping {
        merged.call_method1("update", (mapping,)).map_err(|_| {
            PyTypeError::new_err(format!("{what} must be a mapping of str to values"))
        })?;
    }
    if let Some(fields) = fields {
        merged.update(fields.as_mapping())?;
    }
    let json: String = py
        .import("json")?
        .call_method1("dumps", (merged,))
        .map_err(|e| schema_error(what, e.value(py)))?
        .extract()?;
    serde_json::from_str(&json).map_err(|e| {
        // The position is in the JSON text built above, which the caller never saw.
        let text = e.to_string();
        let bare = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m);
        schema_error(what, bare).into()
    })
}

/// A core value serialized to plain Python data (dicts, lists, str, int, bool, None).
pub(crate) struct JsonDict(pub(crate) Py<PyAny>);

impl JsonDict {
    /// Serializes `value` with its serde implementation.
    pub(crate) fn of<T: Serialize>(py: Python<'_>, value: &T) -> Result<JsonDict> {
        let object = pythonize::pythonize(py, value).map_err(PyErr::from)?;
        Ok(JsonDict(object.unbind()))
    }
}

impl<'py> IntoPyObject<'py> for JsonDict {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = std::convert::Infallible;

    fn into_pyobject(self, py: Python<'py>) -> std::result::Result<Self::Output, Self::Error> {
        Ok(self.0.into_bound(py))
    }
}

impl PyStubType for JsonDict {
    fn type_output() -> TypeInfo {
        stub_type(
            "builtins.dict[builtins.str, typing.Any]",
            &["builtins", "typing"],
        )
    }
}

/// The hash of a core value, for `__hash__` of classes whose core type is `Hash`.
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Python's `repr()` of a value converted to Python.
pub(crate) fn py_repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}

/// `Name(key=repr(value), ...)`: the `__repr__` of a result class, each value as Python shows it.
macro_rules! repr_fields {
    ($py:expr, $name:expr, $( $key:literal => $value:expr ),* $(,)?) => {{
        let parts: Vec<String> = vec![
            $( format!("{}={}", $key, $crate::conversions::py_repr($py, $value)?) ),*
        ];
        Ok::<String, pyo3::PyErr>(format!("{}({})", $name, parts.join(", ")))
    }};
}
pub(crate) use repr_fields;

/// A path argument: `str` or any `os.PathLike[str]` (`pathlib.Path`).
pub(crate) struct PathArg(pub(crate) std::path::PathBuf);

impl<'a, 'py> FromPyObject<'a, 'py> for PathArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        obj.extract::<std::path::PathBuf>().map(PathArg)
    }
}

impl PyStubType for PathArg {
    fn type_output() -> TypeInfo {
        std::path::PathBuf::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type(
            "builtins.str | os.PathLike[builtins.str]",
            &["builtins", "os"],
        )
    }
}

/// YAML given as text or as the bytes of a file (which must be UTF-8).
pub(crate) enum YamlText {
    /// Already decoded text.
    Text(String),
    /// Undecoded bytes, checked by the core.
    Bytes(Vec<u8>),
}

impl<'a, 'py> FromPyObject<'a, 'py> for YamlText {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(YamlText::Bytes(bytes.as_bytes().to_vec()));
        }
        obj.extract::<String>()
            .map(YamlText::Text)
            .map_err(|_| PyTypeError::new_err("expected YAML as str or bytes"))
    }
}

impl PyStubType for YamlText {
    fn type_output() -> TypeInfo {
        String::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type("builtins.str | builtins.bytes", &["builtins"])
    }
}
