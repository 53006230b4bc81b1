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
//! - **Events in as `Event` or a mapping** ([`EventArg`], [`EventItems`]): the keys of the
//!   core's JSON (`kind`, `ref`, `base_ref`, `changed`, `commit_messages`, `new_branch`), so
//!   `Event.to_dict()` and a conformance vector's event are accepted as they are; `changed`
//!   items are `ChangedPath`s, plain paths or their mappings ([`Changes`]). Unknown keys,
//!   kinds and statuses are `EventError`s (never silently dropped), wrong types `TypeError`s.

use crate::error::{BindingError, Result, schema_error};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyMapping, PyString};
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::{PyStubType, TypeInfo};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shiprail::branch::BranchRules;
use shiprail::trigger::azure::RefKind;
use shiprail::trigger::{ChangeStatus, ChangedPath, Event, EventKind};
use shiprail::version::ReleaseVersion;
use shiprail::{Error, ErrorKind};
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
#[cfg(feature = "stub-gen")]
fn stub_type(name: &str, imports: &[&str]) -> TypeInfo {
    TypeInfo {
        name: name.to_string(),
        source_module: None,
        import: imports.iter().map(|m| (*m).into()).collect(),
        type_refs: Default::default(),
    }
}

/// `collections.abc.Iterable[...]` around another stub type.
#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
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

#[cfg(feature = "stub-gen")]
impl PyStubType for YamlText {
    fn type_output() -> TypeInfo {
        String::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type("builtins.str | builtins.bytes", &["builtins"])
    }
}

/// The name a core enum has in JSON (`added`, `push`, ...): its serde name, for enums that
/// have no `Display`.
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The name of the Python type of `obj`, for `TypeError` messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "an object".to_string(), |n| n.to_string())
}

/// A change status by its core name (`added`, `modified`, `deleted`, `renamed`), read by the
/// core's serde; any other name is an `invalid_event`.
pub(crate) fn change_status(name: &str) -> Result<ChangeStatus> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).map_err(|_| {
        Error::new(
            ErrorKind::InvalidEvent,
            format!(
                "unknown change status `{}`: expected added, modified, deleted or renamed",
                name.escape_debug()
            ),
        )
        .with_input(name)
        .into()
    })
}

/// The error for a key an event mapping (or a `changed` item) does not have: refused rather
/// than dropped, so a misspelt `baseRef` is noticed.
fn unknown_field(what: &str, key: &str, expected: &str) -> BindingError {
    Error::new(
        ErrorKind::InvalidEvent,
        format!(
            "unknown {what} field `{}`: expected {expected}",
            key.escape_debug()
        ),
    )
    .with_input(key)
    .into()
}

/// Extracts the value of `key` of a mapping, naming the key when its type is wrong.
fn field<'py, T>(key: &str, value: &Bound<'py, PyAny>) -> Result<T>
where
    T: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    value
        .extract::<T>()
        .map_err(|e| PyTypeError::new_err(format!("`{key}`: {}", e.value(value.py()))).into())
}

/// The `(key, value)` pairs of a mapping, keys as `str`.
fn mapping_items<'py>(mapping: &Bound<'py, PyMapping>) -> Result<Vec<(String, Bound<'py, PyAny>)>> {
    let mut out = Vec::new();
    for item in mapping.items()?.iter() {
        let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
        let key: String = key
            .extract()
            .map_err(|_| PyTypeError::new_err("event mappings have str keys"))?;
        out.push((key, value));
    }
    Ok(out)
}

/// One changed path: a `ChangedPath`, a bare path (a modified file, the core's
/// `ChangedPath::modified`), or a mapping with `path`, optional `status` and `previous_path`
/// (what `ChangedPath.to_dict()` gives).
pub(crate) fn changed_path(obj: &Bound<'_, PyAny>) -> Result<ChangedPath> {
    if let Ok(change) = obj.cast::<crate::trigger::PyChangedPath>() {
        return Ok(change.get().0.clone());
    }
    if let Ok(path) = obj.cast::<PyString>() {
        return Ok(ChangedPath::modified(path.to_cow()?));
    }
    let Ok(mapping) = obj.cast::<PyMapping>() else {
        return Err(PyTypeError::new_err(format!(
            "expected a ChangedPath, a path (str) or a mapping, got {}",
            type_name(obj)
        ))
        .into());
    };
    let (mut path, mut status, mut previous_path) = (None, None, None);
    for (key, value) in mapping_items(mapping)? {
        match key.as_str() {
            "path" => path = Some(field::<String>(&key, &value)?),
            "status" => status = field::<Option<String>>(&key, &value)?,
            "previous_path" => previous_path = field::<Option<String>>(&key, &value)?,
            other => {
                return Err(unknown_field(
                    "changed path",
                    other,
                    "path, status or previous_path",
                ));
            }
        }
    }
    let Some(path) = path else {
        return Err(Error::new(
            ErrorKind::InvalidEvent,
            "a changed path mapping needs `path`",
        )
        .into());
    };
    let mut change = ChangedPath::modified(path);
    if let Some(status) = status {
        change.status = change_status(&status)?;
    }
    change.previous_path = previous_path;
    Ok(change)
}

/// Changed paths: any iterable (not a `str`) of what [`changed_path`] takes.
pub(crate) struct Changes(pub(crate) Vec<ChangedPath>);

impl Changes {
    fn read(obj: &Bound<'_, PyAny>) -> Result<Changes> {
        refuse_text(&obj.as_borrowed(), "changed paths")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            out.push(changed_path(&item?)?);
        }
        Ok(Changes(out))
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Changes {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Changes::read(&obj.to_owned())?)
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for Changes {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<crate::trigger::PyChangedPath>()
    }

    fn type_input() -> TypeInfo {
        let mut info = crate::trigger::PyChangedPath::type_input();
        info.name = format!(
            "collections.abc.Iterable[{} | builtins.str | collections.abc.Mapping[builtins.str, typing.Any]]",
            info.name
        );
        for module in ["builtins", "collections.abc", "typing"] {
            info.import.insert(module.into());
        }
        info
    }
}

/// The fields of an event, each `None` when not given: `Event(...)`'s keywords, or the keys of
/// an event mapping (the core's JSON names, which are Python's: `kind`, `ref`, `base_ref`,
/// `changed`, `commit_messages`, `new_branch`; a `None` value counts as absent).
#[derive(Default)]
pub(crate) struct EventFields {
    pub(crate) kind: Option<String>,
    pub(crate) reference: Option<String>,
    pub(crate) base_ref: Option<String>,
    pub(crate) changed: Option<Vec<ChangedPath>>,
    pub(crate) commit_messages: Option<Vec<String>>,
    pub(crate) new_branch: Option<bool>,
}

impl EventFields {
    /// Reads the keys of an event mapping; an unknown key is an `invalid_event`.
    fn from_mapping(mapping: &Bound<'_, PyMapping>) -> Result<EventFields> {
        let mut fields = EventFields::default();
        for (key, value) in mapping_items(mapping)? {
            if value.is_none() {
                continue;
            }
            match key.as_str() {
                "kind" => fields.kind = Some(field(&key, &value)?),
                "ref" => fields.reference = Some(field(&key, &value)?),
                "base_ref" => fields.base_ref = Some(field(&key, &value)?),
                "changed" => fields.changed = Some(Changes::read(&value)?.0),
                "commit_messages" => {
                    fields.commit_messages = Some(field::<Strings>(&key, &value)?.0);
                }
                "new_branch" => fields.new_branch = Some(field(&key, &value)?),
                other => {
                    return Err(unknown_field(
                        "event",
                        other,
                        "kind, ref, base_ref, changed, commit_messages or new_branch",
                    ));
                }
            }
        }
        Ok(fields)
    }

    /// `event` with the given fields replaced; `kind` is read by the core's `FromStr`
    /// (aliases `pr`, `workflow_dispatch` included).
    pub(crate) fn apply(self, mut event: Event) -> Result<Event> {
        if let Some(kind) = self.kind {
            event.kind = Some(kind.parse::<EventKind>()?);
        }
        if let Some(reference) = self.reference {
            event.git_ref = reference;
        }
        if let Some(base_ref) = self.base_ref {
            event.base_ref = Some(base_ref);
        }
        if let Some(changed) = self.changed {
            event.changed = Some(changed);
        }
        if let Some(messages) = self.commit_messages {
            event.commit_messages = messages;
        }
        if let Some(new_branch) = self.new_branch {
            event.new_branch = new_branch;
        }
        Ok(event)
    }
}

/// An event: an `Event`, or a mapping of its fields (`{"kind": "push", "ref": "main"}`, the
/// core's JSON and `Event.to_dict()`). Errors in the data are `EventError`s, wrong types
/// `TypeError`s.
pub(crate) fn event(obj: &Bound<'_, PyAny>) -> Result<Event> {
    if let Ok(event) = obj.cast::<crate::trigger::PyEvent>() {
        return Ok(event.get().0.clone());
    }
    match obj.cast::<PyMapping>() {
        Ok(mapping) => EventFields::from_mapping(mapping)?.apply(Event::default()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "expected an Event or a mapping of event fields, got {}",
            type_name(obj)
        ))
        .into()),
    }
}

/// The stub type of one event argument.
#[cfg(feature = "stub-gen")]
fn event_input_type() -> TypeInfo {
    let mut info = crate::trigger::PyEvent::type_input();
    info.name = format!(
        "{} | collections.abc.Mapping[builtins.str, typing.Any]",
        info.name
    );
    for module in ["builtins", "collections.abc", "typing"] {
        info.import.insert(module.into());
    }
    info
}

/// One event argument (see [`event`]).
pub(crate) struct EventArg(pub(crate) Event);

impl<'a, 'py> FromPyObject<'a, 'py> for EventArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(EventArg(event(&obj.to_owned())?))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for EventArg {
    fn type_output() -> TypeInfo {
        crate::trigger::PyEvent::type_output()
    }

    fn type_input() -> TypeInfo {
        event_input_type()
    }
}

/// Many events (any iterable, not a `str`), each read as [`event`]: an event whose data is
/// wrong keeps its error in place (batch calls report it for that event alone); a wrong type
/// raises `TypeError` for the whole call.
pub(crate) struct EventItems(pub(crate) Vec<shiprail::Result<Event>>);

impl<'a, 'py> FromPyObject<'a, 'py> for EventItems {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "events")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            match event(&item?) {
                Ok(event) => out.push(Ok(event)),
                Err(BindingError::Core(err)) => out.push(Err(err)),
                Err(BindingError::Python(err)) => return Err(err),
            }
        }
        Ok(EventItems(out))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for EventItems {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<crate::trigger::PyEvent>()
    }

    fn type_input() -> TypeInfo {
        iterable_of(event_input_type())
    }
}

/// Branch rules: a `BranchRules`, or a mapping with the keys of the `branches:` section.
pub(crate) struct RulesArg(pub(crate) BranchRules);

impl<'a, 'py> FromPyObject<'a, 'py> for RulesArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(rules) = obj.cast::<crate::branch::PyBranchRules>() {
            return Ok(RulesArg(rules.get().0.clone()));
        }
        let rules = section(
            obj.py(),
            "branch rules",
            Some(Section(obj.to_owned())),
            None,
        )?;
        Ok(RulesArg(rules))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for RulesArg {
    fn type_output() -> TypeInfo {
        crate::branch::PyBranchRules::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::branch::PyBranchRules::type_input() | Section::type_input()
    }
}

/// Which list of an Azure Pipelines filter a pattern is an entry of: `branch`, `tag` or
/// `path` (the lists decide how an entry is completed and matched).
pub(crate) enum AzureList {
    /// A `branches` entry, matched against refs.
    Ref(RefKind),
    /// A `paths` entry, matched against repository paths.
    Path,
}

impl<'a, 'py> FromPyObject<'a, 'py> for AzureList {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let name: String = obj.extract()?;
        match name.as_str() {
            "branch" => Ok(AzureList::Ref(RefKind::Branch)),
            "tag" => Ok(AzureList::Ref(RefKind::Tag)),
            "path" => Ok(AzureList::Path),
            other => Err(BindingError::Core(
                Error::new(
                    ErrorKind::InvalidPattern,
                    format!(
                        "unknown Azure filter list `{}`: expected branch, tag or path",
                        other.escape_debug()
                    ),
                )
                .with_input(other),
            )
            .into()),
        }
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for AzureList {
    fn type_output() -> TypeInfo {
        String::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type("typing.Literal['branch', 'tag', 'path']", &["typing"])
    }
}

/// Strings back to Python as a tuple: the stub generator renders a default of
/// `Strings(Vec::new())` through this, as `()` (the default `services` of `Pipeline.lint`).
impl<'py> IntoPyObject<'py> for Strings {
    type Target = pyo3::types::PyTuple;
    type Output = Bound<'py, pyo3::types::PyTuple>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        pyo3::types::PyTuple::new(py, self.0)
    }
}

/// A tag policy: a `TagPolicy`, or a mapping with the keys of the `tags:` section.
pub(crate) struct TagPolicyArg(pub(crate) shiprail::tag::TagPolicy);

impl<'a, 'py> FromPyObject<'a, 'py> for TagPolicyArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(policy) = obj.cast::<crate::tag::PyTagPolicy>() {
            return Ok(TagPolicyArg(policy.get().0.clone()));
        }
        let policy = section(obj.py(), "tags policy", Some(Section(obj.to_owned())), None)?;
        Ok(TagPolicyArg(policy))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for TagPolicyArg {
    fn type_output() -> TypeInfo {
        crate::tag::PyTagPolicy::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::tag::PyTagPolicy::type_input() | Section::type_input()
    }
}

/// The policy of an optional argument: the given one, else the default `tags:` section.
pub(crate) fn tag_policy(policy: Option<TagPolicyArg>) -> shiprail::tag::TagPolicy {
    policy.map(|p| p.0).unwrap_or_default()
}

/// An image reference: an `ImageReference`, or a `str` parsed by the core (`ImageError` when
/// invalid).
pub(crate) struct ImageArg(pub(crate) shiprail::image::ImageReference);

impl<'a, 'py> FromPyObject<'a, 'py> for ImageArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(image) = obj.cast::<crate::image::PyImageReference>() {
            return Ok(ImageArg(image.get().0.clone()));
        }
        let text: String = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected an ImageReference or a str, got {}",
                type_name(&obj.to_owned())
            ))
        })?;
        text.parse()
            .map(ImageArg)
            .map_err(|e| BindingError::Core(e).into())
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for ImageArg {
    fn type_output() -> TypeInfo {
        crate::image::PyImageReference::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::image::PyImageReference::type_input() | String::type_input()
    }
}

/// A duration: seconds as a number (`0.5`), or a `datetime.timedelta`. Negative, infinite or
/// NaN values raise `ValueError`.
pub(crate) struct Seconds(pub(crate) std::time::Duration);

impl<'a, 'py> FromPyObject<'a, 'py> for Seconds {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(duration) = obj.extract::<std::time::Duration>() {
            return Ok(Seconds(duration));
        }
        let seconds: f64 = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected seconds (a number) or a datetime.timedelta, got {}",
                type_name(&obj.to_owned())
            ))
        })?;
        std::time::Duration::try_from_secs_f64(seconds)
            .map(Seconds)
            .map_err(|_| {
                pyo3::exceptions::PyValueError::new_err(format!(
                    "{seconds} is not a duration: give 0 or more seconds"
                ))
            })
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for Seconds {
    fn type_output() -> TypeInfo {
        f64::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type(
            "builtins.float | datetime.timedelta",
            &["builtins", "datetime"],
        )
    }
}

/// Paths to match against `.helmignore` rules: any iterable (not a `str`) of paths (files) and
/// `(path, is_dir)` pairs.
pub(crate) struct IgnorePaths(pub(crate) Vec<(String, bool)>);

impl<'a, 'py> FromPyObject<'a, 'py> for IgnorePaths {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "paths")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            let item = item?;
            if let Ok(path) = item.extract::<String>() {
                out.push((path, false));
                continue;
            }
            let pair: (String, bool) = item.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected a path (str) or a (path, is_dir) pair, got {}",
                    type_name(&item)
                ))
            })?;
            out.push(pair);
        }
        Ok(IgnorePaths(out))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for IgnorePaths {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<String>()
    }

    fn type_input() -> TypeInfo {
        stub_type(
            "collections.abc.Iterable[builtins.str | tuple[builtins.str, builtins.bool]]",
            &["builtins", "collections.abc"],
        )
    }
}

/// Path patterns of a service's rules: any iterable (not a `str`) of `Pattern`s and strings;
/// a string is a glob as `shiprail.yaml` writes it (`Pattern.path_glob`).
pub(crate) struct Patterns(pub(crate) Vec<shiprail::affected::Pattern>);

impl<'a, 'py> FromPyObject<'a, 'py> for Patterns {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "patterns")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            let item = item?;
            if let Ok(pattern) = item.cast::<crate::affected::PyPattern>() {
                out.push(pattern.get().0.clone());
                continue;
            }
            let text: String = item.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected a Pattern or a glob (str), got {}",
                    type_name(&item)
                ))
            })?;
            out.push(crate::affected::path_glob(&text)?);
        }
        Ok(Patterns(out))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for Patterns {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<crate::affected::PyPattern>()
    }

    fn type_input() -> TypeInfo {
        let mut info = crate::affected::PyPattern::type_input();
        info.name = format!("collections.abc.Iterable[{} | builtins.str]", info.name);
        for module in ["builtins", "collections.abc"] {
            info.import.insert(module.into());
        }
        info
    }
}

/// Versions back to Python as a tuple: the stub generator renders a default of
/// `Versions(Vec::new())` through this, as `()` (the default `released` of `lint_chart`).
impl<'py> IntoPyObject<'py> for Versions {
    type Target = pyo3::types::PyTuple;
    type Output = Bound<'py, pyo3::types::PyTuple>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        pyo3::types::PyTuple::new(py, self.0.into_iter().map(crate::version::PyReleaseVersion))
    }
}

/// Patterns back to Python as a tuple, for the rendering of a default `()`.
impl<'py> IntoPyObject<'py> for Patterns {
    type Target = pyo3::types::PyTuple;
    type Output = Bound<'py, pyo3::types::PyTuple>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        pyo3::types::PyTuple::new(py, self.0.into_iter().map(crate::affected::PyPattern))
    }
}

/// A digest: a `Digest`, or a `str` parsed by the core (`ImageError` when invalid).
pub(crate) struct DigestArg(pub(crate) shiprail::registry::Digest);

impl<'a, 'py> FromPyObject<'a, 'py> for DigestArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(digest) = obj.cast::<crate::registry::PyDigest>() {
            return Ok(DigestArg(digest.get().0.clone()));
        }
        let text: String = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a Digest or a str, got {}",
                type_name(&obj.to_owned())
            ))
        })?;
        text.parse()
            .map(DigestArg)
            .map_err(|e| BindingError::Core(e).into())
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for DigestArg {
    fn type_output() -> TypeInfo {
        crate::registry::PyDigest::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::registry::PyDigest::type_input() | String::type_input()
    }
}

/// Platforms: any iterable (not a `str`) of `Platform`s and strings (`linux/amd64`) parsed by
/// the core.
pub(crate) struct Platforms(pub(crate) Vec<shiprail::registry::Platform>);

impl<'a, 'py> FromPyObject<'a, 'py> for Platforms {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        refuse_text(&obj, "platforms")?;
        let mut out = Vec::new();
        for item in obj.try_iter()? {
            let item = item?;
            if let Ok(platform) = item.cast::<crate::registry::PyPlatform>() {
                out.push(platform.get().0.clone());
                continue;
            }
            let text: String = item.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected a Platform or a str such as `linux/amd64`, got {}",
                    type_name(&item)
                ))
            })?;
            out.push(text.parse().map_err(BindingError::Core)?);
        }
        Ok(Platforms(out))
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for Platforms {
    fn type_output() -> TypeInfo {
        TypeInfo::list_of::<crate::registry::PyPlatform>()
    }

    fn type_input() -> TypeInfo {
        let mut info = crate::registry::PyPlatform::type_input();
        info.name = format!("collections.abc.Iterable[{} | builtins.str]", info.name);
        for module in ["builtins", "collections.abc"] {
            info.import.insert(module.into());
        }
        info
    }
}

/// Platforms back to Python as a tuple, for the rendering of a default `()`.
impl<'py> IntoPyObject<'py> for Platforms {
    type Target = pyo3::types::PyTuple;
    type Output = Bound<'py, pyo3::types::PyTuple>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        pyo3::types::PyTuple::new(py, self.0.into_iter().map(crate::registry::PyPlatform))
    }
}

/// Binary data passed as `bytes` (an archive, git's output, content to hash).
pub(crate) struct Data<'py>(pub(crate) Bound<'py, PyBytes>);

impl Data<'_> {
    /// The bytes, borrowed from the immutable Python object (usable with the GIL released).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Data<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        obj.cast::<PyBytes>()
            .map(|b| Data(b.to_owned()))
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected bytes, got {}",
                    type_name(&obj.to_owned())
                ))
            })
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for Data<'_> {
    fn type_output() -> TypeInfo {
        stub_type("builtins.bytes", &["builtins"])
    }
}

/// A chart reference: a `ChartReference`, or an `oci://` `str` parsed by the core (`ImageError`
/// when invalid).
pub(crate) struct ChartRefArg(pub(crate) shiprail::chart::ChartReference);

impl<'a, 'py> FromPyObject<'a, 'py> for ChartRefArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(reference) = obj.cast::<crate::chart_oci::PyChartReference>() {
            return Ok(ChartRefArg(reference.get().0.clone()));
        }
        let text: String = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a ChartReference or a str, got {}",
                type_name(&obj.to_owned())
            ))
        })?;
        text.parse()
            .map(ChartRefArg)
            .map_err(|e| BindingError::Core(e).into())
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for ChartRefArg {
    fn type_output() -> TypeInfo {
        crate::chart_oci::PyChartReference::type_output()
    }

    fn type_input() -> TypeInfo {
        crate::chart_oci::PyChartReference::type_input() | String::type_input()
    }
}

/// A packaged chart to push: its `.tgz` bytes, a `ChartPackage`, or the path of a `.tgz` file
/// (`str | os.PathLike`), read when the operation runs (with the GIL released).
pub(crate) enum ChartData {
    /// The archive's bytes (copied, so an async push owns them).
    Bytes(Vec<u8>),
    /// A file to read.
    File(std::path::PathBuf),
}

impl ChartData {
    /// The archive's bytes; a file that cannot be read is an `io` error naming it.
    pub(crate) fn into_bytes(self) -> shiprail::Result<Vec<u8>> {
        match self {
            ChartData::Bytes(bytes) => Ok(bytes),
            ChartData::File(path) => std::fs::read(&path).map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot read `{}`: {e}", path.display()),
                )
                .with_input(path.display().to_string())
            }),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for ChartData {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<PyBytes>() {
            return Ok(ChartData::Bytes(bytes.as_bytes().to_vec()));
        }
        if let Ok(package) = obj.cast::<crate::chart::PyChartPackage>() {
            return Ok(ChartData::Bytes(package.get().0.bytes().to_vec()));
        }
        obj.extract::<std::path::PathBuf>()
            .map(ChartData::File)
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected a chart archive as bytes, a ChartPackage or a path, got {}",
                    type_name(&obj.to_owned())
                ))
            })
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for ChartData {
    fn type_output() -> TypeInfo {
        stub_type("builtins.bytes", &["builtins"])
    }

    fn type_input() -> TypeInfo {
        stub_type("builtins.bytes", &["builtins"])
            | crate::chart::PyChartPackage::type_input()
            | PathArg::type_input()
    }
}

/// A time as text: an RFC 3339 `str`, or an aware `datetime.datetime` written with
/// `isoformat()`. Only the core reads the text (so a naive datetime is refused there): the
/// `created` time of a pushed chart takes it as it is, release records parse it (`TimeArg`).
pub(crate) struct TimeText(pub(crate) String);

impl<'a, 'py> FromPyObject<'a, 'py> for TimeText {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let datetime = obj.py().import("datetime")?.getattr("datetime")?;
        if obj.is_instance(&datetime)? {
            return Ok(TimeText(obj.call_method0("isoformat")?.extract()?));
        }
        obj.extract().map(TimeText).map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a time: an RFC 3339 str or a datetime.datetime, got {}",
                type_name(&obj.to_owned())
            ))
        })
    }
}

#[cfg(feature = "stub-gen")]
impl PyStubType for TimeText {
    fn type_output() -> TypeInfo {
        String::type_output()
    }

    fn type_input() -> TypeInfo {
        stub_type(
            "builtins.str | datetime.datetime",
            &["builtins", "datetime"],
        )
    }
}
