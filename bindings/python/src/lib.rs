//! Python bindings of shiprail: the native module `shiprail._native`.
#![allow(unsafe_code)]
use pyo3::prelude::*;

/// The native module: conversions and error mapping only, no logic.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
