//! # shiprail
//!
//! The release logic of a microservice monorepo shipped to Kubernetes with Helm, modelled once:
//! what a branch name means, which version a release gets, which tags follow from it, where an
//! image is promoted to, and how a monorepo declares its services.
//!
//! (The specification sections of this page are filled in module by module.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod branch;
pub mod config;
pub mod error;
pub mod image;
pub mod release;
mod suggest;
pub mod tag;
pub mod trigger;
pub mod version;

pub use error::{Error, ErrorKind, Location, Result};
