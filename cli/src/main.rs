//! The `shiprail` command line.
#![forbid(unsafe_code)]
fn main() {}
