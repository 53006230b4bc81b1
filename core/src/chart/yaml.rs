//! A small YAML document tree with positions, with scalars resolved the way Helm reads them.
//!
//! Helm decodes Chart.yaml and values.yaml with `sigs.k8s.io/yaml`, which runs go-yaml v2 and
//! therefore YAML 1.1 scalar resolution: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `010` is an
//! octal integer, `1_000` is 1000, timestamps stay strings. Lint rules such as "version must be a
//! string" depend on exactly that, so the tree is built from the parser's events here rather
//! than through a YAML 1.2 deserializer. Every node keeps its span, so findings and in-place
//! edits can point at the exact text.

use crate::error::{Error, ErrorKind, Location};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span as ParserSpan};
use std::collections::HashMap;

/// At most this many nodes per document, counting alias expansions (a "billion laughs" guard).
const MAX_NODES: usize = 1_000_000;

/// A position in the text: 1-based line and column (characters), and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) offset: usize,
}

impl Pos {
    pub(crate) fn location(&self) -> Location {
        Location {
            file: None,
            line: self.line,
            column: self.column,
        }
    }
}

/// Where a node was written. For scalars `start..end` covers the scalar token itself
/// (quotes included); `tag_start` is where an explicit tag such as `!!str` begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: Pos,
    pub(crate) end: Pos,
    pub(crate) tag_start: Option<usize>,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Block,
    /// A collection (mapping or sequence).
    Collection,
    /// A flow collection (`[...]`, `{...}`).
    FlowCollection,
    /// An alias (`*name`): the node is a copy of the anchored one.
    Alias,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) span: Span,
    pub(crate) style: Style,
    /// Whether the node has an anchor (`&name`) that an alias may share.
    pub(crate) anchored: bool,
}

impl Node {
    /// The Go type name `sigs.k8s.io/yaml` reports for this value after its JSON round trip
    /// (`%T` of the decoded `interface{}`): numbers are all `float64`.
    pub(crate) fn go_type(&self) -> &'static str {
        match &self.value {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Seq(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// The JSON type name encoding/json reports when this value cannot go into a field.
    pub(crate) fn json_type(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// The value as a Go string field receives it: scalars are converted (`1.0` is `"1"`,
    /// `yes` is `"true"`, null is `""`); collections are `None`.
    pub(crate) fn as_go_string(&self) -> Option<String> {
        Some(match &self.value {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::UInt(u) => u.to_string(),
            Value::Float(f) => go_format_float(*f),
            Value::Str(s) => s.clone(),
            Value::Seq(_) | Value::Map(_) => return None,
        })
    }

    /// The string value when the node is a YAML string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries when the node is a mapping.
    pub(crate) fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items when the node is a sequence.
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Whether the node is YAML null.
    pub(crate) fn is_null(&self) -> bool {
        self.value == Value::Null
    }

    /// A mapping's key as JSON sees it (scalars stringified).
    pub(crate) fn key_string(&self) -> Option<String> {
        self.as_go_string()
    }

    /// The value of the last entry whose key is exactly `key`, or failing that, the last whose
    /// key matches ignoring ASCII case (encoding/json's field matching).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Like [`Node::get`], returning the key node too.
    pub(crate) fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        let entries = self.as_map()?;
        let exact = entries
            .iter()
            .rev()
            .find(|(k, _)| k.key_string().as_deref() == Some(key));
        exact
            .or_else(|| {
                entries.iter().rev().find(|(k, _)| {
                    k.key_string()
                        .is_some_and(|name| name.eq_ignore_ascii_case(key))
                })
            })
            .map(|(k, v)| (k, v))
    }

    /// Every entry whose key matches `key` exactly or ignoring ASCII case.
    pub(crate) fn entries_named<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = (&'a Node, &'a Node)> + 'a {
        self.as_map()
            .unwrap_or_default()
            .iter()
            .filter_map(move |(k, v)| {
                k.key_string()
                    .is_some_and(|name| name.eq_ignore_ascii_case(key))
                    .then_some((k, v))
            })
    }

    /// The value as plain JSON (for fields shiprail does not interpret).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or_else(|| J::String(go_format_float(*f))),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(k.key_string().unwrap_or_default(), v.to_json());
                }
                J::Object(map)
            }
        }
    }

    /// The number of nodes in this subtree.
    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
            _ => 0,
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, which `sigs.k8s.io/yaml` uses to put a YAML
/// float into a string field: shortest digits, exponent form below 1e-4 and from 1e6 on.
pub(crate) fn go_format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // Single precision, like sigs.k8s.io/yaml; Rust's `{:e}` gives the shortest digits.
    #[allow(clippy::cast_possible_truncation)]
    let single = f as f32;
    if single == 0.0 {
        return if single.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{single:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Resolves a plain scalar the way go-yaml v2 does (YAML 1.1 booleans and nulls, Go integer
/// syntax with `_`, floats; anything else, timestamps included, is a string).
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first == b'.' {
        if let Some(f) = go_float(text) {
            return Value::Float(f);
        }
        return Value::Str(text.to_string());
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return Value::Str(text.to_string());
    }
    if looks_like_timestamp(text) {
        return Value::Str(text.to_string());
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(v) = go_parse_int(&plain) {
        return v;
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    for (prefix, negative) in [("0b", false), ("-0b", true)] {
        if let Some(bits) = plain.strip_prefix(prefix)
            && let Ok(v) = i64::from_str_radix(bits, 2)
        {
            return Value::Int(if negative { -v } else { v });
        }
    }
    Value::Str(text.to_string())
}

/// `strconv.ParseFloat` for the `.5` style floats go-yaml tries first.
fn go_float(text: &str) -> Option<f64> {
    if text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    if is_yaml_float(text) {
        return text.parse().ok();
    }
    None
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: an optional sign, then
/// `0x`/`0o`/`0b` prefixes or a leading `0` for octal.
fn go_parse_int(s: &str) -> Option<Value> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        let v = i128::try_from(magnitude).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(Value::Int)
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Value::Int(v))
    } else {
        u64::try_from(magnitude).ok().map(Value::UInt)
    }
}

/// go-yaml v2 decodes timestamps into `interface{}` as their original strings; this only needs
/// to recognise the `YYYY-M-D...` prefix so that `2024-01-01` is not read as arithmetic.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// Builds the tree of the first document of `text` (a leading UTF-8 BOM is skipped).
/// `Ok(None)` for an empty stream or document. Errors are `config_syntax` with the position.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, Error> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let mark = e.marker();
            syntax_error(
                &e.info(),
                Pos {
                    line: to_u32(mark.line()),
                    column: to_u32(mark.col() + 1),
                    offset: mark.byte_offset().unwrap_or(0),
                },
            )
        })?;
        if builder.feed(event, span)? {
            break;
        }
    }
    Ok(builder.root)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn syntax_error(message: &str, at: Pos) -> Error {
    Error::new(ErrorKind::ConfigSyntax, format!("invalid YAML: {message}"))
        .with_location(at.location())
}

fn pos(marker: &serde_saphyr::granit_parser::Marker, text_offset_fallback: usize) -> Pos {
    Pos {
        line: to_u32(marker.line()),
        column: to_u32(marker.col() + 1),
        offset: marker.byte_offset().unwrap_or(text_offset_fallback),
    }
}

fn span_of(span: &ParserSpan) -> Span {
    Span {
        start: pos(&span.start, 0),
        end: pos(&span.end, 0),
        tag_start: span.tag_start.and_then(|m| m.byte_offset()),
    }
}

/// A collection being built.
enum Open {
    Seq {
        items: Vec<Node>,
        span: Span,
        style: Style,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        span: Span,
        style: Style,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    in_document: bool,
}

impl Builder {
    /// Feeds one event; `Ok(true)` once the first document is complete.
    fn feed(&mut self, event: Event<'_>, span: ParserSpan) -> Result<bool, Error> {
        let at = span_of(&span);
        match event {
            Event::DocumentStart(..) => self.in_document = true,
            Event::DocumentEnd => return Ok(self.in_document),
            Event::StreamEnd => return Ok(true),
            Event::Scalar(text, style, anchor, tag) => {
                // A core tag other than !!str/!!binary resolves like a plain scalar; an
                // application tag leaves the text a string, as go-yaml v2 does.
                let resolvable = tag.as_ref().is_none_or(|t| {
                    t.handle() == "tag:yaml.org,2002:" && !matches!(t.suffix(), "str" | "binary")
                });
                let (value, style) = match style {
                    ScalarStyle::Plain => {
                        let value = if resolvable {
                            resolve_plain(&text)
                        } else {
                            Value::Str(text.to_string())
                        };
                        (value, Style::Plain)
                    }
                    ScalarStyle::SingleQuoted => {
                        (Value::Str(text.to_string()), Style::SingleQuoted)
                    }
                    ScalarStyle::DoubleQuoted => {
                        (Value::Str(text.to_string()), Style::DoubleQuoted)
                    }
                    _ => (Value::Str(text.to_string()), Style::Block),
                };
                let node = Node {
                    value,
                    span: at,
                    style,
                    anchored: anchor != 0,
                };
                self.count(1, at)?;
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node)?;
            }
            Event::Alias(id) => {
                let Some(n) = self.anchors.get(&id).map(Node::count) else {
                    return Err(syntax_error("unknown anchor", at.start));
                };
                self.count(n, at)?;
                let Some(mut node) = self.anchors.get(&id).cloned() else {
                    return Err(syntax_error("unknown anchor", at.start));
                };
                node.span = at;
                node.style = Style::Alias;
                node.anchored = false;
                self.push(node)?;
            }
            Event::SequenceStart(style, anchor, _) => {
                self.count(1, at)?;
                self.stack.push(Open::Seq {
                    items: Vec::new(),
                    span: at,
                    style: collection_style(style),
                    anchor,
                });
            }
            Event::MappingStart(style, anchor, _) => {
                self.count(1, at)?;
                self.stack.push(Open::Map {
                    entries: Vec::new(),
                    pending_key: None,
                    span: at,
                    style: collection_style(style),
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(syntax_error("unbalanced collection", at.start));
                };
                let (value, mut span, style, anchor) = match open {
                    Open::Seq {
                        items,
                        span,
                        style,
                        anchor,
                    } => (Value::Seq(items), span, style, anchor),
                    Open::Map {
                        entries,
                        span,
                        style,
                        anchor,
                        ..
                    } => (Value::Map(merge_keys(entries)), span, style, anchor),
                };
                span.end = at.end;
                let node = Node {
                    value,
                    span,
                    style,
                    anchored: anchor != 0,
                };
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push(node)?;
            }
            _ => {}
        }
        Ok(false)
    }

    fn count(&mut self, n: usize, at: Span) -> Result<(), Error> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(syntax_error(
                &format!(
                    "the document has more than {MAX_NODES} nodes (counting alias expansions)"
                ),
                at.start,
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), Error> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                        return Err(syntax_error(
                            "a mapping key must be a scalar",
                            node.span.start,
                        ));
                    }
                    *pending_key = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

fn collection_style(style: serde_saphyr::granit_parser::StructureStyle) -> Style {
    match style {
        serde_saphyr::granit_parser::StructureStyle::Flow => Style::FlowCollection,
        _ => Style::Collection,
    }
}

/// Applies `<<` merge keys: entries of the merged mapping(s) are added where the mapping does
/// not set the key itself.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| k.style == Style::Plain && k.as_str() == Some("<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let mut own: Vec<(Node, Node)> = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries {
        if is_merge(&k) {
            let sources: Vec<&Node> = match &v.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![&v],
            };
            for source in sources {
                if let Some(map) = source.as_map() {
                    merged.extend(map.iter().cloned());
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        let name = k.key_string();
        if !own.iter().any(|(o, _)| o.key_string() == name) {
            own.push((k, v));
        }
    }
    own
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_go_yaml_v2() {
        let cases: &[(&str, Value)] = &[
            ("1.0.0", Value::Str("1.0.0".into())),
            ("1.0", Value::Float(1.0)),
            ("1", Value::Int(1)),
            ("010", Value::Int(8)),
            ("0x10", Value::Int(16)),
            ("0o17", Value::Int(15)),
            ("1_000", Value::Int(1000)),
            ("0b101", Value::Int(5)),
            ("-0b101", Value::Int(-5)),
            ("1e3", Value::Float(1000.0)),
            (".5", Value::Float(0.5)),
            ("+1", Value::Int(1)),
            ("yes", Value::Bool(true)),
            ("Off", Value::Bool(false)),
            ("y", Value::Bool(true)),
            ("~", Value::Null),
            ("", Value::Null),
            ("2024-01-01", Value::Str("2024-01-01".into())),
            ("18446744073709551615", Value::UInt(u64::MAX)),
            ("18446744073709551616", Value::Float(18446744073709551616.0)),
            ("v1.0.0", Value::Str("v1.0.0".into())),
            ("1.0.0-rc.1", Value::Str("1.0.0-rc.1".into())),
            ("-", Value::Str("-".into())),
            ("08", Value::Float(8.0)),
        ];
        for (text, want) in cases {
            assert_eq!(&resolve_plain(text), want, "{text}");
        }
    }

    #[test]
    fn floats_format_like_go() {
        for (f, want) in [
            (1.0, "1"),
            (1000.0, "1000"),
            (7244500.0, "7.2445e+06"),
            (0.5, "0.5"),
            (1.25, "1.25"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
        ] {
            assert_eq!(go_format_float(f), want, "{f}");
        }
    }

    #[test]
    fn spans_and_locations() {
        let root = parse("# c\nname: \"c\"\nversion: 1.0.0\n")
            .unwrap()
            .unwrap();
        let (key, value) = root.entry("version").unwrap();
        assert_eq!((key.span.start.line, key.span.start.column), (3, 1));
        assert_eq!((value.span.start.line, value.span.start.column), (3, 10));
        let name = root.get("name").unwrap();
        assert_eq!(name.style, Style::DoubleQuoted);
        assert_eq!(
            &"# c\nname: \"c\"\n"[name.span.start.offset..name.span.end.offset],
            "\"c\""
        );
    }

    #[test]
    fn aliases_expand_and_laughs_are_bounded() {
        let root = parse("a: &x [1, 2]\nb: *x\n").unwrap().unwrap();
        assert_eq!(root.get("b").unwrap().as_seq().unwrap().len(), 2);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            bomb.push_str(&format!(
                "{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                p = (b'a' + i - 1) as char
            ));
        }
        let err = parse(&bomb).unwrap_err();
        assert_eq!(err.code(), "config_syntax");
    }

    #[test]
    fn merge_keys_and_case_insensitive_lookup() {
        // `y` is a YAML 1.1 boolean key, so it reads as "true".
        let root = parse("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n  y: 4\nVersion: 1\n")
            .unwrap()
            .unwrap();
        let m = root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().value, Value::Int(1));
        assert_eq!(m.get("z").unwrap().value, Value::Int(3));
        assert_eq!(m.get("true").unwrap().value, Value::Int(4));
        assert_eq!(root.get("version").unwrap().value, Value::Int(1));
    }

    #[test]
    fn errors_carry_positions() {
        let err = parse("a: [1\nb: 2\n").unwrap_err();
        assert_eq!(err.code(), "config_syntax");
        assert_eq!(err.location().map(|l| l.line), Some(2));
        assert!(parse("").unwrap().is_none());
        assert!(parse("# only a comment\n").unwrap().is_none());
        assert_eq!(parse("---\n").unwrap().map(|n| n.value), Some(Value::Null));
    }
}
