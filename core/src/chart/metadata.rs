//! The Chart.yaml model: [`ChartMetadata`] and [`ChartFile`] (the parsed file with its text and
//! positions).

use super::yaml::{self, Node, Value};
use crate::error::{Error, ErrorKind, Location, Result};
use serde::{Deserialize, Serialize};
use serde_json::Map;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The name of a chart's metadata file.
pub const CHART_FILE: &str = "Chart.yaml";

/// A UTF-8 byte order mark, which Helm strips from every chart file.
pub(crate) const BOM: &str = "\u{feff}";

/// `apiVersion` of a chart: `v1` (Helm 2 charts, dependencies in requirements.yaml) or `v2`
/// (Helm 3 and later: `dependencies` and `type` live in Chart.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `v1`: the Helm 2 chart format.
    V1,
    /// `v2`: the Helm 3+ chart format.
    V2,
}

impl FromStr for ApiVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "v1" => Ok(ApiVersion::V1),
            "v2" => Ok(ApiVersion::V2),
            _ => Err(Error::new(
                ErrorKind::InvalidChart,
                format!(
                    "apiVersion `{}` is not valid: the value must be either \"v1\" or \"v2\"",
                    s.escape_debug()
                ),
            )
            .with_input(s)),
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        })
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// `type` of a chart: an installable `application`, or a `library` of templates that other
/// charts include and that cannot be installed itself. Absent means application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChartType {
    /// An installable chart.
    Application,
    /// A chart of shared templates only.
    Library,
}

impl FromStr for ChartType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "application" => Ok(ChartType::Application),
            "library" => Ok(ChartType::Library),
            _ => Err(Error::new(
                ErrorKind::InvalidChart,
                format!(
                    "chart type `{}` is not valid: it must be application or library",
                    s.escape_debug()
                ),
            )
            .with_input(s)),
        }
    }
}

impl fmt::Display for ChartType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChartType::Application => "application",
            ChartType::Library => "library",
        })
    }
}

impl Serialize for ChartType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChartType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One `maintainers` entry. Fields Helm does not know are kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Maintainer {
    /// A person's or organisation's name; required.
    pub name: String,
    /// A contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A contact URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Fields Helm does not know, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, serde_json::Value>,
}

/// One `dependencies` entry of an umbrella chart. Fields Helm does not know are kept in
/// `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    /// The subchart's name (its Chart.yaml `name`).
    pub name: String,
    /// The version or SemVer range of the subchart (`1.0.2`, `~1.0.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the subchart comes from (`https://...`, `oci://...`, `file://...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// A values path whose boolean enables the subchart (`delivery.enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Tags that enable or disable subcharts together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether the subchart is loaded (set by Helm while resolving conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Values imported from the subchart into the parent.
    #[serde(
        default,
        rename = "import-values",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub import_values: Vec<serde_json::Value>,
    /// The name the subchart is installed under, so one chart can be a dependency twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Fields Helm does not know, kept as written.
    #[serde(flatten)]
    pub extra: Map<String, serde_json::Value>,
}

impl Dependency {
    /// The name the dependency is known by in the parent: its alias, else its name. Two
    /// dependencies may not share it.
    pub fn effective_name(&self) -> &str {
        match self.alias.as_deref() {
            Some(alias) if !alias.is_empty() => alias,
            _ => &self.name,
        }
    }
}

/// The contents of a Chart.yaml, as Helm reads it.
///
/// Values are kept as written (strings are not validated here; [`ChartFile::validate`] and
/// [`lint`](super::lint) do that), so that a broken chart can still be inspected and linted.
/// Scalars in string fields are read like Helm reads them (`appVersion: 1.0` is the string
/// `"1"`); fields Helm does not know are kept in `extra` in file order. Serialized with the
/// Chart.yaml key names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMetadata {
    /// `v1` or `v2` (see [`ApiVersion`]); empty when missing.
    #[serde(default)]
    pub api_version: String,
    /// The chart name; required.
    #[serde(default)]
    pub name: String,
    /// The chart version, SemVer; required.
    #[serde(default)]
    pub version: String,
    /// A SemVer range of the Kubernetes versions the chart supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// A one-sentence description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `application` or `library` (see [`ChartType`]).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub chart_type: Option<String>,
    /// Search keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// The project's home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// URLs of the source code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Subcharts (apiVersion v2 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Who maintains the chart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    /// A URL of an SVG or PNG icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The version of the application the chart deploys; shiprail sets it from the release
    /// version through the tag policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Whether the chart is deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Free-form annotations (string to string).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Legacy (Helm 2) top-level `condition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Legacy (Helm 2) top-level `tags`, one string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Fields Helm does not know, kept in file order.
    #[serde(flatten)]
    pub extra: Map<String, serde_json::Value>,
}

impl ChartMetadata {
    /// The `apiVersion`, when it is `v1` or `v2`. Helm reads a missing one as `v1`.
    pub fn api_version(&self) -> Option<ApiVersion> {
        if self.api_version.is_empty() {
            return Some(ApiVersion::V1);
        }
        self.api_version.parse().ok()
    }

    /// The chart type, when valid; a missing or empty `type` is an application.
    pub fn chart_type(&self) -> Option<ChartType> {
        match self.chart_type.as_deref() {
            None | Some("") => Some(ChartType::Application),
            Some(t) => t.parse().ok(),
        }
    }

    /// The file name Helm gives the packaged chart: `<name>-<version>.tgz`.
    pub fn archive_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// The top-level keys Helm's model knows (compared ignoring ASCII case, like encoding/json).
pub(crate) const KNOWN_KEYS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

/// Keys of a maintainer entry.
pub(crate) const MAINTAINER_KEYS: &[&str] = &["name", "email", "url"];

/// Keys of a dependency entry.
pub(crate) const DEPENDENCY_KEYS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// The known key `key` maps to, ignoring ASCII case.
pub(crate) fn known_key(known: &'static [&'static str], key: &str) -> Option<&'static str> {
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(key))
}

fn type_error(field: &str, node: &Node, want: &str) -> Error {
    Error::new(
        ErrorKind::ConfigSyntax,
        format!(
            "`{field}` must be {want}, not {} (Helm cannot load this Chart.yaml)",
            describe(node)
        ),
    )
    .with_location(node.span.start.location())
}

fn describe(node: &Node) -> &'static str {
    match node.json_type() {
        "null" => "null",
        "bool" => "a boolean",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        _ => "a mapping",
    }
}

fn string_of(field: &str, node: &Node) -> Result<Option<String>> {
    if node.is_null() {
        return Ok(None);
    }
    node.as_go_string()
        .map(Some)
        .ok_or_else(|| type_error(field, node, "a string"))
}

fn bool_of(field: &str, node: &Node) -> Result<Option<bool>> {
    match node.value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        _ => Err(type_error(field, node, "a boolean")),
    }
}

fn strings_of(field: &str, node: &Node) -> Result<Vec<String>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    let items = node
        .as_seq()
        .ok_or_else(|| type_error(field, node, "a list of strings"))?;
    items
        .iter()
        .map(|item| {
            item.as_go_string()
                .ok_or_else(|| type_error(&format!("{field}[]"), item, "a string"))
        })
        .collect()
}

fn map_of<'a>(field: &str, node: &'a Node) -> Result<&'a [(Node, Node)]> {
    node.as_map()
        .ok_or_else(|| type_error(field, node, "a mapping"))
}

fn maintainer_of(node: &Node) -> Result<Maintainer> {
    let mut m = Maintainer::default();
    for (key, value) in map_of("maintainers[]", node)? {
        let key = key.key_string().unwrap_or_default();
        match known_key(MAINTAINER_KEYS, &key) {
            Some("name") => m.name = string_of("maintainers[].name", value)?.unwrap_or_default(),
            Some("email") => m.email = string_of("maintainers[].email", value)?,
            Some("url") => m.url = string_of("maintainers[].url", value)?,
            _ => {
                m.extra.insert(key, value.to_json());
            }
        }
    }
    Ok(m)
}

fn dependency_of(node: &Node) -> Result<Dependency> {
    let mut d = Dependency::default();
    for (key, value) in map_of("dependencies[]", node)? {
        let key = key.key_string().unwrap_or_default();
        let field = |f: &str| format!("dependencies[].{f}");
        match known_key(DEPENDENCY_KEYS, &key) {
            Some("name") => d.name = string_of(&field("name"), value)?.unwrap_or_default(),
            Some("version") => d.version = string_of(&field("version"), value)?,
            Some("repository") => d.repository = string_of(&field("repository"), value)?,
            Some("condition") => d.condition = string_of(&field("condition"), value)?,
            Some("tags") => d.tags = strings_of(&field("tags"), value)?,
            Some("enabled") => d.enabled = bool_of(&field("enabled"), value)?,
            Some("import-values") => {
                d.import_values = match &value.value {
                    Value::Null => Vec::new(),
                    Value::Seq(items) => items.iter().map(Node::to_json).collect(),
                    _ => return Err(type_error(&field("import-values"), value, "a list")),
                }
            }
            Some("alias") => d.alias = string_of(&field("alias"), value)?,
            _ => {
                d.extra.insert(key, value.to_json());
            }
        }
    }
    Ok(d)
}

impl ChartMetadata {
    /// Reads the metadata from a parsed YAML document the way Helm's loader does; a type
    /// Helm cannot load (a list where a string belongs, ...) is `config_syntax`.
    pub(crate) fn from_tree(root: Option<&Node>) -> Result<ChartMetadata> {
        let mut md = ChartMetadata::default();
        let Some(root) = root else {
            return Ok(md);
        };
        if root.is_null() {
            return Ok(md);
        }
        let entries = root.as_map().ok_or_else(|| {
            Error::new(
                ErrorKind::ConfigSyntax,
                format!(
                    "Chart.yaml must be a mapping of fields, not {} (Helm cannot load it)",
                    describe(root)
                ),
            )
            .with_location(root.span.start.location())
        })?;
        for (key, value) in entries {
            let key = key.key_string().unwrap_or_default();
            let s = |f: &str| string_of(f, value);
            match known_key(KNOWN_KEYS, &key) {
                Some("name") => md.name = s("name")?.unwrap_or_default(),
                Some("home") => md.home = s("home")?,
                Some("sources") => md.sources = strings_of("sources", value)?,
                Some("version") => md.version = s("version")?.unwrap_or_default(),
                Some("description") => md.description = s("description")?,
                Some("keywords") => md.keywords = strings_of("keywords", value)?,
                Some("maintainers") => {
                    md.maintainers = match &value.value {
                        Value::Null => Vec::new(),
                        Value::Seq(items) => items
                            .iter()
                            .filter(|i| !i.is_null())
                            .map(maintainer_of)
                            .collect::<Result<_>>()?,
                        _ => return Err(type_error("maintainers", value, "a list")),
                    }
                }
                Some("icon") => md.icon = s("icon")?,
                Some("apiVersion") => md.api_version = s("apiVersion")?.unwrap_or_default(),
                Some("condition") => md.condition = s("condition")?,
                Some("tags") => md.tags = s("tags")?,
                Some("appVersion") => md.app_version = s("appVersion")?,
                Some("deprecated") => {
                    md.deprecated = bool_of("deprecated", value)?.unwrap_or(false)
                }
                Some("annotations") => {
                    md.annotations = BTreeMap::new();
                    if !value.is_null() {
                        for (k, v) in map_of("annotations", value)? {
                            let k = k.key_string().unwrap_or_default();
                            let v = string_of(&format!("annotations.{k}"), v)?.unwrap_or_default();
                            md.annotations.insert(k, v);
                        }
                    }
                }
                Some("kubeVersion") => md.kube_version = s("kubeVersion")?,
                Some("dependencies") => {
                    md.dependencies = match &value.value {
                        Value::Null => Vec::new(),
                        Value::Seq(items) => items
                            .iter()
                            .filter(|i| !i.is_null())
                            .map(dependency_of)
                            .collect::<Result<_>>()?,
                        _ => return Err(type_error("dependencies", value, "a list")),
                    }
                }
                Some("type") => md.chart_type = s("type")?,
                _ => {
                    md.extra.insert(key, value.to_json());
                }
            }
        }
        Ok(md)
    }
}

/// A parsed Chart.yaml: the metadata, the text it came from (a leading BOM removed) and the
/// position of every value, for findings and in-place edits.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    text: String,
    metadata: ChartMetadata,
    root: Option<Node>,
    file: Option<PathBuf>,
}

/// Checks that `bytes` are UTF-8, pointing at the first bad byte otherwise.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let prefix = std::str::from_utf8(good).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::new(
            ErrorKind::InvalidUtf8,
            format!(
                "the file is not UTF-8: invalid byte 0x{:02x}",
                bytes[e.valid_up_to()]
            ),
        )
        .with_location(Location {
            file: None,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        })
    })
}

impl ChartFile {
    /// Parses Chart.yaml text. Fails with `config_syntax` (with line and column) when the
    /// YAML is malformed or a field has a type Helm cannot load; semantic problems are left to
    /// [`ChartFile::validate`] and [`lint`](super::lint).
    pub fn parse(text: &str) -> Result<ChartFile> {
        let text = text.strip_prefix(BOM).unwrap_or(text);
        let root = yaml::parse(text)?;
        let metadata = ChartMetadata::from_tree(root.as_ref())?;
        Ok(ChartFile {
            text: text.to_string(),
            metadata,
            root,
            file: None,
        })
    }

    /// Parses Chart.yaml bytes (UTF-8 required).
    pub fn from_bytes(bytes: &[u8]) -> Result<ChartFile> {
        ChartFile::parse(utf8(bytes)?)
    }

    /// Reads and parses a Chart.yaml file; errors name the file.
    pub fn load(path: impl AsRef<Path>) -> Result<ChartFile> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let mut file = ChartFile::from_bytes(&bytes).map_err(|e| e.in_file(path))?;
        file.file = Some(path.to_path_buf());
        Ok(file)
    }

    /// The metadata.
    pub fn metadata(&self) -> &ChartMetadata {
        &self.metadata
    }

    /// The text, without a leading BOM.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file it was loaded from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Where the value of top-level field `key` is written, if present.
    pub fn location_of(&self, key: &str) -> Option<Location> {
        let node = self.root.as_ref()?.get(key)?;
        let mut location = node.span.start.location();
        location.file.clone_from(&self.file);
        Some(location)
    }

    /// The YAML tree (for lint rules and edits).
    pub(crate) fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }

    /// Checks what Helm's loader checks before it accepts a chart (`helm package`, `helm
    /// install` and `helm template` all fail otherwise): a name that is one path component, a
    /// valid SemVer version, a valid type, no empty maintainer or dependency entries, valid and
    /// unique dependency aliases. The first problem is an [`ErrorKind::InvalidChart`] error at
    /// its position.
    pub fn validate(&self) -> Result<()> {
        let findings = super::lint::chart_yaml_findings(self);
        match findings.into_iter().find(|f| f.rule.enforced_on_load()) {
            None => Ok(()),
            Some(finding) => {
                let mut error = Error::new(ErrorKind::InvalidChart, finding.message.clone());
                if let Some(line) = finding.line {
                    error = error.with_location(Location {
                        file: self.file.clone(),
                        line,
                        column: finding.column.unwrap_or(1),
                    });
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_every_field_the_way_helm_reads_it() {
        let file = ChartFile::parse(
            "\u{feff}apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: 1.0\n\
             kubeVersion: \">=1.20.0\"\ndescription: 5\ntype: application\nkeywords: [a, 1]\n\
             home: https://x.io\nsources: [https://github.com/x/y]\n\
             maintainers:\n- name: team\n  email: a@b.io\n  slack: '#team'\n- ~\n\
             dependencies:\n- name: sub\n  version: ~1.0.0\n  repository: file://../sub\n  alias: s\n  \
             import-values: [data]\n  tags: [x]\n  enabled: yes\n\
             icon: https://x.io/i.png\ndeprecated: on\nannotations: {a: 1}\nx-custom: {k: v}\n",
        )
        .unwrap();
        let md = file.metadata();
        assert_eq!(md.app_version.as_deref(), Some("1"));
        assert_eq!(md.description.as_deref(), Some("5"));
        assert_eq!(md.keywords, ["a", "1"]);
        assert_eq!(md.maintainers.len(), 1);
        assert_eq!(md.maintainers[0].extra["slack"], "#team");
        assert_eq!(md.dependencies[0].effective_name(), "s");
        assert_eq!(md.dependencies[0].enabled, Some(true));
        assert!(md.deprecated);
        assert_eq!(md.annotations["a"], "1");
        assert_eq!(md.extra["x-custom"]["k"], "v");
        assert_eq!(md.api_version(), Some(ApiVersion::V2));
        assert_eq!(md.chart_type(), Some(ChartType::Application));
        assert_eq!(md.archive_name(), "delivery-1.0.2.tgz");
        let json = serde_json::to_value(md).unwrap();
        assert_eq!(json["appVersion"], "1");
        assert_eq!(json["x-custom"]["k"], "v");
        let back: ChartMetadata = serde_json::from_value(json).unwrap();
        assert_eq!(&back, md);
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let cases = [
            (
                "appVersion: [1]\n",
                "2:13",
                "`appVersion` must be a string, not a list (Helm cannot load this Chart.yaml)",
            ),
            (
                "deprecated: \"yes\"\n",
                "2:13",
                "`deprecated` must be a boolean, not a string (Helm cannot load this Chart.yaml)",
            ),
            (
                "keywords: a\n",
                "2:11",
                "`keywords` must be a list of strings, not a string (Helm cannot load this Chart.yaml)",
            ),
            (
                "annotations:\n  a:\n    b: c\n",
                "4:5",
                "`annotations.a` must be a string, not a mapping (Helm cannot load this Chart.yaml)",
            ),
            (
                "dependencies:\n- name: a\n  tags: x\n",
                "4:9",
                "`dependencies[].tags` must be a list of strings, not a string (Helm cannot load this Chart.yaml)",
            ),
        ];
        for (tail, at, message) in cases {
            let err = ChartFile::parse(&format!("name: c\n{tail}")).unwrap_err();
            assert_eq!(err.code(), "config_syntax", "{tail}");
            assert_eq!(err.message(), message, "{tail}");
            let l = err.location().unwrap();
            assert_eq!(format!("{}:{}", l.line, l.column), at, "{tail}");
        }
        let err = ChartFile::parse("- a\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 1: Chart.yaml must be a mapping of fields, not a list (Helm cannot load it)"
        );
    }

    #[test]
    fn case_insensitive_keys_like_encoding_json() {
        let md = ChartFile::parse("Name: c\nVERSION: 1.0.0\nappversion: x\n").unwrap();
        assert_eq!(md.metadata().name, "c");
        assert_eq!(md.metadata().version, "1.0.0");
        assert_eq!(md.metadata().app_version.as_deref(), Some("x"));
    }

    #[test]
    fn enums_round_trip() {
        for s in ["v1", "v2"] {
            assert_eq!(s.parse::<ApiVersion>().unwrap().to_string(), s);
        }
        for s in ["application", "library"] {
            assert_eq!(s.parse::<ChartType>().unwrap().to_string(), s);
        }
        assert_eq!(
            "V2".parse::<ApiVersion>().unwrap_err().to_string(),
            "apiVersion `V2` is not valid: the value must be either \"v1\" or \"v2\""
        );
    }
}
