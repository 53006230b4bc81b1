//! Node bindings of shiprail (N-API addon): conversions and error mapping only, no logic.
#![allow(unsafe_code)]
use napi_derive::napi;

/// The version of the native addon.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
