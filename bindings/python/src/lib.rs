//! Python bindings of shiprail: the native module `shiprail._native`, re-exported by the pure
//! Python package `shiprail`.
//!
//! # Layout (follow it when binding a new capability)
//!
//! - `error`: the one mapping of `shiprail::Error` to the Python exception tree. Binding
//!   functions return `error::Result`; `?` converts core errors there, nowhere else.
//! - `conversions`: every conversion of arguments and results (iterables, versions, paths,
//!   policy mappings, `to_dict()` data). No other module interprets a Python value.
//! - One module per domain area of the core, named after it (`version`, `branch`, `tag`,
//!   `image`, `config`, `release`, `trigger`, `chart`, `chart_oci` (`chart::oci`), `affected`
//!   with `changes`, `registry`, `plan`),
//!   each with a `register(m)` that adds its classes and functions, called from `_native`
//!   below.
//! - `runtime`: the Tokio runtime of the async registry client, and the two ways Python waits
//!   for it (blocking with the GIL released, or an asyncio awaitable).
//!
//! # Rules
//!
//! 1. **No logic.** A method converts its arguments, calls one core function, converts the
//!    result. Defaults come from the core (`PrereleaseLabel::default()`), string-to-enum from
//!    the core's `FromStr`, policies from serde.
//! 2. **Classes for values, dicts for data.** A core value with identity or behaviour becomes a
//!    `#[pyclass(frozen)]` newtype `Py<Name>(core::Name)` with read-only getters, `__repr__`,
//!    `__eq__` (and `__hash__` where the core type is hashable or has a natural key), and a
//!    `to_dict()` that is exactly the core's serde JSON (what the CLI prints and the
//!    conformance vectors compare). Configuration data without behaviour (a service, an
//!    environment, the JSON Schema) is returned as a `dict`.
//! 3. **Batch where a script would loop**: `parse_versions`, `sort_versions`,
//!    `BranchRules.classify_many`, `parse_images`, `Pipeline.evaluate_events`: one call crosses
//!    the boundary (and work on many items releases the GIL).
//! 4. **Stubs are generated**: every class, method and function carries the `gen_stub_*`
//!    attribute and `module = "shiprail._native"`, behind the `stub-gen` feature
//!    (`#[cfg_attr(feature = "stub-gen", gen_stub_pymethods)]`; a block or function with
//!    `#[gen_stub(...)]` helper attributes also carries
//!    `#[cfg_attr(not(feature = "stub-gen"), pyo3_stub_gen_derive::remove_gen_stub)]`, which
//!    drops them when the feature is off). The wheel is built without it (abi3 for CPython
//!    3.9, whose limited API pyo3-stub-gen does not compile against);
//!    `cargo run -p shiprail-python --no-default-features --features stub-gen --bin stub_gen`
//!    rewrites `python/shiprail/_native.pyi`, and the test script fails on drift.
//! 5. **Coverage is checked**: each new core `pub fn` needs a line in
//!    `python/tests/api_coverage.txt` naming its Python counterpart (or a waiver with reason).
#![allow(unsafe_code)]

pub(crate) mod affected;
pub(crate) mod branch;
pub(crate) mod chart;
pub(crate) mod chart_oci;
pub(crate) mod config;
pub(crate) mod conversions;
pub(crate) mod error;
pub(crate) mod image;
pub(crate) mod plan;
pub(crate) mod registry;
pub(crate) mod release;
pub(crate) mod runtime;
pub(crate) mod tag;
pub(crate) mod trigger;
pub(crate) mod version;

use pyo3::prelude::*;
#[cfg(feature = "stub-gen")]
use pyo3_stub_gen::{StubInfo, pyproject::StubGenConfig};

/// The native module: conversions and error mapping only, no logic.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    version::register(m)?;
    branch::register(m)?;
    tag::register(m)?;
    image::register(m)?;
    config::register(m)?;
    release::register(m)?;
    trigger::register(m)?;
    chart::register(m)?;
    chart_oci::register(m)?;
    affected::register(m)?;
    registry::register(m)?;
    plan::register(m)?;
    Ok(())
}

#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "__version__", &str);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::module_variable!("shiprail._native", "ERROR_CODES", Vec<&str>);
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::export_verbatim!("shiprail._native", "__version__");
#[cfg(feature = "stub-gen")]
pyo3_stub_gen::export_verbatim!("shiprail._native", "_raise_for_code");

/// The name of the native module, as Python imports it.
pub const MODULE: &str = "shiprail._native";

/// The stub information gathered from the annotated items of this crate (it must live in the
/// library: the items register themselves through `inventory`).
#[cfg(feature = "stub-gen")]
pub fn stub_info() -> pyo3_stub_gen::Result<StubInfo> {
    let python_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python");
    StubInfo::from_project_root(
        MODULE.to_string(),
        python_dir,
        true,
        StubGenConfig::default(),
    )
}
