//! Reading a workflow file's `on:` with positions: the raw YAML shapes, before validation.
//!
//! The shapes follow GitHub's workflow schema: `on` is a string, a sequence of strings or a
//! mapping from event names to `null` or a mapping of filters; each filter is a non-empty
//! string or a sequence of them. Everything else in the file is skipped unread.

use crate::config::Located;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The part of a workflow file the trigger dialect reads.
#[derive(Deserialize)]
#[serde(expecting = "a workflow: a mapping with `on:` and `jobs:`")]
pub(super) struct RawWorkflow {
    /// The triggering events.
    #[serde(default)]
    pub(super) on: Option<Located<RawOn>>,
}

/// The three forms of `on:`.
pub(super) enum RawOn {
    /// `on: push`.
    Name(String),
    /// `on: [push, pull_request]`.
    List(Vec<Located<String>>),
    /// `on: {push: {...}, workflow_dispatch: null}`, in file order.
    Map(Vec<(Located<String>, RawEvent)>),
}

/// The value of one event in the mapping form.
pub(super) enum RawEvent {
    /// `push`, `pull_request` or `pull_request_target`: `null` or its filters.
    Filtered(Option<RawFilters>),
    /// Any other event: its configuration is not read.
    Other,
}

/// The filters of one event, in file order.
pub(super) struct RawFilters {
    pub(super) entries: Vec<(Located<String>, Option<Located<RawStrings>>)>,
}

/// A filter's value: one string or a sequence of strings.
pub(super) enum RawStrings {
    /// `branches: main`.
    One(String),
    /// `branches: [main, 'releases/**']`.
    Many(Vec<Located<String>>),
}

/// The keys whose values are read as strings; any other key is recorded and reported later.
const STRING_KEYS: &[&str] = &[
    "branches",
    "branches-ignore",
    "tags",
    "tags-ignore",
    "paths",
    "paths-ignore",
    "types",
];

impl<'de> Deserialize<'de> for RawOn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OnVisitor;

        impl<'de> Visitor<'de> for OnVisitor {
            type Value = RawOn;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event name, a list of event names or a mapping of events")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawOn, E> {
                Ok(RawOn::Name(v.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawOn, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Located<String>>()? {
                    names.push(name);
                }
                Ok(RawOn::List(names))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawOn, A::Error> {
                let mut events = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    let value = match key.as_str() {
                        "push" | "pull_request" | "pull_request_target" => {
                            RawEvent::Filtered(map.next_value::<Option<RawFilters>>()?)
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            RawEvent::Other
                        }
                    };
                    events.push((key, value));
                }
                Ok(RawOn::Map(events))
            }
        }

        deserializer.deserialize_any(OnVisitor)
    }
}

impl<'de> Deserialize<'de> for RawFilters {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FiltersVisitor;

        impl<'de> Visitor<'de> for FiltersVisitor {
            type Value = RawFilters;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of filters (`branches`, `tags`, `paths`, ...) or nothing")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFilters, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    let value = if STRING_KEYS.contains(&key.as_str()) {
                        Some(map.next_value::<Located<RawStrings>>()?)
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        None
                    };
                    entries.push((key, value));
                }
                Ok(RawFilters { entries })
            }
        }

        deserializer.deserialize_any(FiltersVisitor)
    }
}

impl<'de> Deserialize<'de> for RawStrings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringsVisitor;

        impl<'de> Visitor<'de> for StringsVisitor {
            type Value = RawStrings;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pattern or a list of patterns")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawStrings, E> {
                Ok(RawStrings::One(v.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawStrings, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Located<String>>()? {
                    items.push(item);
                }
                Ok(RawStrings::Many(items))
            }
        }

        deserializer.deserialize_any(StringsVisitor)
    }
}
