//! The raw shape of azure-pipelines.yml as far as shiprail reads it: `trigger:`, `pr:`, and the
//! stages and jobs (for deployment jobs), every other key skipped. Positions come from
//! serde-saphyr's spans.

use crate::error::Location;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A string with the line and column it was read from.
pub(super) type Text = Spanned<String>;

pub(super) fn location<T>(spanned: &Spanned<T>) -> Option<Location> {
    let at = spanned.referenced;
    (at.line() > 0).then(|| Location {
        file: None,
        line: u32::try_from(at.line()).unwrap_or(u32::MAX),
        column: u32::try_from(at.column()).unwrap_or(u32::MAX),
    })
}

/// The whole file.
#[derive(Debug, Default)]
pub(super) struct RawPipeline {
    pub(super) trigger: Option<RawTrigger>,
    pub(super) pr: Option<RawPr>,
    pub(super) stages: Option<Node>,
    pub(super) jobs: Option<Node>,
    /// Every top-level key with its position, in order.
    pub(super) keys: Vec<Text>,
}

impl<'de> Deserialize<'de> for RawPipeline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PipelineVisitor;
        impl<'de> Visitor<'de> for PipelineVisitor {
            type Value = RawPipeline;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a pipeline: a mapping of trigger, pr, stages, jobs, steps, ...")
            }

            fn visit_unit<E: de::Error>(self) -> Result<RawPipeline, E> {
                Ok(RawPipeline::default())
            }

            fn visit_none<E: de::Error>(self) -> Result<RawPipeline, E> {
                Ok(RawPipeline::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPipeline, A::Error> {
                let mut pipeline = RawPipeline::default();
                while let Some(key) = map.next_key::<Text>()? {
                    match key.value.as_str() {
                        "trigger" => pipeline.trigger = map.next_value()?,
                        "pr" => pipeline.pr = map.next_value()?,
                        "stages" => pipeline.stages = map.next_value()?,
                        "jobs" => pipeline.jobs = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    pipeline.keys.push(key);
                }
                Ok(pipeline)
            }
        }
        deserializer.deserialize_any(PipelineVisitor)
    }
}

/// `trigger:` as written.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per file, never moved in bulk
pub(super) enum RawTrigger {
    None,
    List(Vec<Text>),
    Full(RawCiFull),
}

/// `pr:` as written.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per file, never moved in bulk
pub(super) enum RawPr {
    None,
    List(Vec<Text>),
    Full(RawPrFull),
}

/// The full `trigger:` syntax.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCiFull {
    #[serde(default)]
    pub(super) batch: Option<Spanned<AzureBool>>,
    #[serde(default)]
    pub(super) branches: Option<Spanned<RawFilters>>,
    #[serde(default)]
    pub(super) paths: Option<Spanned<RawFilters>>,
    #[serde(default)]
    pub(super) tags: Option<Spanned<RawFilters>>,
}

/// The full `pr:` syntax.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawPrFull {
    #[serde(default)]
    pub(super) auto_cancel: Option<Spanned<AzureBool>>,
    #[serde(default)]
    pub(super) branches: Option<Spanned<RawFilters>>,
    #[serde(default)]
    pub(super) paths: Option<Spanned<RawFilters>>,
    #[serde(default)]
    pub(super) drafts: Option<Spanned<AzureBool>>,
}

/// `include:` / `exclude:` lists (a bare list is read as `include:`).
#[derive(Debug, Default)]
pub(super) struct RawFilters {
    pub(super) include: Vec<Text>,
    pub(super) exclude: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiltersMap {
    #[serde(default)]
    include: Option<Vec<Text>>,
    #[serde(default)]
    exclude: Option<Vec<Text>>,
}

impl<'de> Deserialize<'de> for RawFilters {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FiltersVisitor;
        impl<'de> Visitor<'de> for FiltersVisitor {
            type Value = RawFilters;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping with `include` and `exclude` lists")
            }

            fn visit_unit<E: de::Error>(self) -> Result<RawFilters, E> {
                Ok(RawFilters::default())
            }

            fn visit_none<E: de::Error>(self) -> Result<RawFilters, E> {
                Ok(RawFilters::default())
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<RawFilters, A::Error> {
                Ok(RawFilters {
                    include: strings(seq)?,
                    exclude: Vec::new(),
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFilters, A::Error> {
                let raw = RawFiltersMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawFilters {
                    include: raw.include.unwrap_or_default(),
                    exclude: raw.exclude.unwrap_or_default(),
                })
            }
        }
        deserializer.deserialize_any(FiltersVisitor)
    }
}

fn strings<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<Text>, A::Error> {
    let mut out = Vec::new();
    while let Some(item) = seq.next_element::<Text>()? {
        out.push(item);
    }
    Ok(out)
}

const TRIGGER_EXPECTED: &str =
    "`none`, a list of branches, or a mapping of batch, branches, paths and tags";
const PR_EXPECTED: &str =
    "`none`, a list of branches, or a mapping of autoCancel, branches, paths and drafts";

macro_rules! trigger_like {
    ($ty:ident, $full:ident, $key:literal, $expected:ident) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct TriggerVisitor;
                impl<'de> Visitor<'de> for TriggerVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expected)
                    }

                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        if s == "none" {
                            Ok($ty::None)
                        } else {
                            Err(E::custom(format!(
                                "`{}` must be {}; found `{}`",
                                $key,
                                $expected,
                                s.escape_debug()
                            )))
                        }
                    }

                    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<$ty, A::Error> {
                        strings(seq).map($ty::List)
                    }

                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        $full::deserialize(de::value::MapAccessDeserializer::new(map))
                            .map($ty::Full)
                    }
                }
                deserializer.deserialize_any(TriggerVisitor)
            }
        }
    };
}

trigger_like!(RawTrigger, RawCiFull, "trigger", TRIGGER_EXPECTED);
trigger_like!(RawPr, RawPrFull, "pr", PR_EXPECTED);

/// A boolean as Azure Pipelines reads one: YAML `true`/`false`, or one of `y`, `yes`, `on`,
/// `true`, `n`, `no`, `off`, `false` in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AzureBool(pub(super) bool);

impl<'de> Deserialize<'de> for AzureBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoolVisitor;
        impl Visitor<'_> for BoolVisitor {
            type Value = AzureBool;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean (true, false, yes, no, on, off, y, n)")
            }

            fn visit_bool<E: de::Error>(self, b: bool) -> Result<AzureBool, E> {
                Ok(AzureBool(b))
            }

            fn visit_str<E: de::Error>(self, s: &str) -> Result<AzureBool, E> {
                match s.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" => Ok(AzureBool(true)),
                    "false" | "no" | "n" | "off" => Ok(AzureBool(false)),
                    _ => Err(E::custom(format!(
                        "`{}` is not a boolean: expected true, false, yes, no, on, off, y or n",
                        s.escape_debug()
                    ))),
                }
            }
        }
        deserializer.deserialize_any(BoolVisitor)
    }
}

/// Any YAML value, kept loosely: the parts of the file shiprail only walks (stages, jobs).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under a string key of a mapping.
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Node::Scalar(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn items(&self) -> &[Node] {
        match self {
            Node::Seq(items) => items,
            _ => &[],
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }

            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_owned()))
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
                Ok(Node::Scalar(String::from_utf8_lossy(v).into_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Node>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<Node, Node>()? {
                    entries.push((k, v));
                }
                Ok(Node::Map(entries))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}
