//! Node bindings of shiprail (N-API addon): conversions and error mapping only, no logic.
//!
//! Layout (follow it when adding a capability):
//! - [`error`]: the one mapping of `shiprail::Error` to a thrown JS `Error` (with `code`, `reason`,
//!   `input`, `suggestion`, `file`, `line`, `column`) and to the plain [`error::ErrorInfo`] that
//!   batch results carry; `ERROR_CODES`.
//! - [`convert`]: every JS <-> core conversion: policy objects in, plain result objects out.
//! - [`task`]: running a core operation on the libuv thread pool, or a core future on napi's
//!   Tokio runtime, behind a Promise.
//! - [`types`]: TypeScript-only declarations of the `shiprail.yaml` sections that policies are
//!   passed as (never converted at runtime; checked against the core's JSON Schema by the tests).
//! - one module per domain area, each a thin layer of `#[napi]` functions and classes over the
//!   core: [`branch`], [`version`], [`tag`], [`image`], [`config`], [`release`], [`trigger`],
//!   [`chart`], [`chart_oci`], [`affected`], [`changes`], [`registry`], [`plan`].
//!
//! Naming: JS names are the core's names in camelCase (`release_for_branch` ->
//! `releaseForBranch`); a free function that needs a policy takes it as its last, optional
//! argument; batch variants take a list and return one result object per item.
#![allow(unsafe_code)]

pub mod affected;
pub mod branch;
pub mod changes;
pub mod chart;
pub mod chart_oci;
pub mod config;
pub mod convert;
pub mod error;
pub mod image;
pub mod plan;
pub mod registry;
pub mod release;
pub mod tag;
pub mod task;
pub mod trigger;
pub mod types;
pub mod version;

use napi_derive::napi;

/// The version of the native addon (the shiprail crate version it was built from).
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
