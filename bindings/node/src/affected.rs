//! Affected services: which services of the monorepo a change set touches
//! (`Config#affected`, `Config#overlappingPaths`, the reusable `AffectedMatcher` class and
//! `affectedRules`).
//!
//! A change set crosses the boundary once, as a JS array: each item is a bare path (a modified
//! file) or a `ChangedPath` object (`{ path, status, previousPath }`, as `parseChangedLines`,
//! `parseNameStatus` and `changedBetween` return them; both paths of a rename count), read
//! strictly by [`convert::changed_item`]. [`ChangeSet`] copies every string straight into one
//! buffer (no JSON value, no allocation per path): converting 100,000 paths is the N-API floor
//! of one element read and one string copy each. The matching itself is the core's
//! (`Config::affected_paths`, `shiprail::affected::AffectedMatcher`).

use crate::config::Config;
use crate::convert::{self, Affected, Overlap, ServiceRulesInfo};
use crate::error::OrThrow;
use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue};
use napi::{Env, ValueType, sys};
use napi_derive::napi;
use serde_json::Value;
use shiprail::affected as core;
use shiprail::{Error, ErrorKind};

/// Options of an affected-services evaluation.
#[napi(object, object_to_js = false)]
pub struct AffectedOptions {
    /// Say, for each affected service, which path and glob (or dependency) affected it.
    pub explain: Option<bool>,
}

/// A change set converted at the boundary in one pass over the JS array, in input order: each
/// path is copied straight into one buffer (one `napi_get_value_string_utf8` call per string
/// item, no allocation per path), and an object item is read strictly as a `ChangedPath`
/// ([`convert::changed_item`]) whose paths (both of a rename) join the buffer. An item that is
/// neither is kept as the `invalid_event` error the call reports; it is never skipped.
pub struct ChangeSet {
    text: String,
    ends: Vec<usize>,
    error: Option<Error>,
}

impl ChangeSet {
    fn push(&mut self, path: &str) {
        self.text.push_str(path);
        self.ends.push(self.text.len());
    }

    /// The paths, in input order (both paths of a rename, new then old), or the first bad item.
    fn paths(&self) -> shiprail::Result<impl Iterator<Item = &str>> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        Ok(starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.text[start..end]))
    }
}

impl TypeName for ChangeSet {
    fn type_name() -> &'static str {
        "Array<string | ChangedPath>"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for ChangeSet {}

impl FromNapiValue for ChangeSet {
    unsafe fn from_napi_value(env: sys::napi_env, array: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: `env` and `array` come from napi for this call (the contract of
        // `from_napi_value`); every buffer handed to napi is valid for the length given.
        unsafe {
            let mut is_array = false;
            check(sys::napi_is_array(env, array, &mut is_array))?;
            if !is_array {
                return Err(napi::Error::new(
                    napi::Status::ArrayExpected,
                    "a change set is an array of paths and ChangedPath objects",
                ));
            }
            let mut len = 0u32;
            check(sys::napi_get_array_length(env, array, &mut len))?;
            let mut set = ChangeSet {
                text: String::with_capacity(len as usize * 48),
                ends: Vec::with_capacity(len as usize),
                error: None,
            };
            let mut buf: Vec<u8> = vec![0; 4096];
            for i in 0..len {
                let mut item = std::ptr::null_mut();
                check(sys::napi_get_element(env, array, i, &mut item))?;
                let mut written = 0usize;
                let status = sys::napi_get_value_string_utf8(
                    env,
                    item,
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    &mut written,
                );
                if status == sys::Status::napi_ok {
                    // napi stops short of a character that does not fit: near the end of the
                    // buffer, ask for the whole length and read again.
                    if written + 4 >= buf.len() {
                        check(sys::napi_get_value_string_utf8(
                            env,
                            item,
                            std::ptr::null_mut(),
                            0,
                            &mut written,
                        ))?;
                        buf.resize(written + 1, 0);
                        check(sys::napi_get_value_string_utf8(
                            env,
                            item,
                            buf.as_mut_ptr().cast(),
                            buf.len(),
                            &mut written,
                        ))?;
                    }
                    // napi writes UTF-8 (lone surrogates become U+FFFD); checked all the same.
                    match std::str::from_utf8(&buf[..written]) {
                        Ok(path) => set.push(path),
                        Err(_) => set.push(&String::from_utf8_lossy(&buf[..written])),
                    }
                } else if set.error.is_none() {
                    let value = Value::from_napi_value(env, item);
                    let changed = value
                        .map_err(|e| e.reason.clone())
                        .and_then(convert::changed_item);
                    match changed {
                        Ok(changed) => {
                            for path in changed.paths() {
                                set.push(path);
                            }
                        }
                        Err(e) => {
                            set.error = Some(Error::new(
                                ErrorKind::InvalidEvent,
                                format!("invalid changed path `changed[{i}]`: {e}"),
                            ));
                        }
                    }
                }
            }
            Ok(set)
        }
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::from(status),
            "cannot read the change set",
        ))
    }
}

fn explain(options: Option<AffectedOptions>) -> bool {
    options.and_then(|o| o.explain).unwrap_or(false)
}

#[napi]
impl Config {
    /// The services a change set affects (both paths of a rename count), sorted; with
    /// `{ explain: true }`, one reason per service. Compiles every service's globs for this
    /// call; an `AffectedMatcher` keeps them compiled across calls.
    #[napi]
    pub fn affected(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Array<string | ChangedPath>")] changed: ChangeSet,
        options: Option<AffectedOptions>,
    ) -> napi::Result<Affected> {
        let explain = explain(options);
        let paths = changed.paths().or_throw(env)?;
        self.inner
            .affected_paths(paths, explain)
            .map(|a| Affected::new(a, explain))
            .or_throw(env)
    }

    /// The repository paths that two or more services claim through their includes (an
    /// include matches and none of the service's excludes does), in input order: a lint for
    /// globs written too wide. Pass every file of the repository.
    #[napi]
    pub fn overlapping_paths(&self, env: &Env, paths: Vec<String>) -> napi::Result<Vec<Overlap>> {
        self.inner
            .overlapping_paths(paths.iter().map(String::as_str))
            .map(|list| list.into_iter().map(Overlap::from).collect())
            .or_throw(env)
    }
}

/// The path rules of every service of a configuration, sorted by name, as the matcher consumes
/// them: each glob as written and as compiled. They can be edited and passed to
/// `AffectedMatcher.fromRules`.
#[napi]
pub fn affected_rules(config: &Config) -> Vec<ServiceRulesInfo> {
    core::rules_of(&config.inner)
        .iter()
        .map(ServiceRulesInfo::from)
        .collect()
}

/// Every service's path rules compiled into one matcher, kept across calls: build it once per
/// configuration, then evaluate each change set in one call (`affected`) or lint repository
/// paths (`overlaps`). Identical globs of several services are compiled once.
#[napi]
pub struct AffectedMatcher {
    inner: core::AffectedMatcher,
}

#[napi]
impl AffectedMatcher {
    /// Compiles the path rules of every service of a configuration.
    #[napi(constructor)]
    pub fn new(env: &Env, config: &Config) -> napi::Result<Self> {
        core::AffectedMatcher::new(&config.inner)
            .map(|inner| AffectedMatcher { inner })
            .or_throw(env)
    }

    /// Compiles rules that do not come from a configuration file: names must be unique and
    /// every `dependsOnServices` entry declared (`config_invalid`); a pattern that does not
    /// compile is `invalid_pattern`.
    #[napi(factory)]
    pub fn from_rules(
        env: &Env,
        #[napi(ts_arg_type = "Array<ServiceRules>")] rules: Vec<Value>,
    ) -> napi::Result<Self> {
        let rules = convert::service_rules(rules).or_throw(env)?;
        core::AffectedMatcher::from_rules(rules)
            .map(|inner| AffectedMatcher { inner })
            .or_throw(env)
    }

    /// The service names the matcher knows, sorted.
    #[napi(getter)]
    pub fn service_names(&self) -> Vec<String> {
        self.inner.service_names().to_vec()
    }

    /// The number of distinct patterns compiled (a glob shared by several services counts once).
    #[napi(getter)]
    pub fn pattern_count(&self) -> u32 {
        u32::try_from(self.inner.pattern_count()).unwrap_or(u32::MAX)
    }

    /// The services a change set affects, sorted (both paths of a rename count); with
    /// `{ explain: true }`, one reason per service.
    #[napi]
    pub fn affected(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "Array<string | ChangedPath>")] changed: ChangeSet,
        options: Option<AffectedOptions>,
    ) -> napi::Result<Affected> {
        let explain = explain(options);
        let paths = changed.paths().or_throw(env)?;
        Ok(Affected::new(self.inner.affected(paths, explain), explain))
    }

    /// The paths that two or more services claim through their includes, in input order.
    #[napi]
    pub fn overlaps(&self, paths: Vec<String>) -> Vec<Overlap> {
        self.inner
            .overlaps(paths.iter().map(String::as_str))
            .into_iter()
            .map(Overlap::from)
            .collect()
    }
}
