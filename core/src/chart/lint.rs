//! `helm lint`'s chart checks, plus shiprail's release rules, with severities and positions.

use super::helm_rules::{self, LooseVersion};
use super::metadata::{
    ApiVersion, CHART_FILE, ChartFile, DEPENDENCY_KEYS, KNOWN_KEYS, MAINTAINER_KEYS, known_key,
};
use super::yaml::{self, Node, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::tag::{TagPolicy, chart_oci_tag};
use crate::version::{ReleaseVersion, ensure_higher};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// How much a finding matters, as in `helm lint`: only errors fail a lint (warnings too with
/// `--strict`); infos are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// Advice (`[INFO]`).
    Info,
    /// Likely a mistake, or rejected by a newer Helm (`[WARNING]`).
    Warning,
    /// Helm refuses the chart, or it breaks a release rule (`[ERROR]`).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl FromStr for Severity {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(Error::new(
                ErrorKind::InvalidChart,
                format!(
                    "`{}` is not a severity: use info, warning or error",
                    s.escape_debug()
                ),
            )
            .with_input(s)),
        }
    }
}

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident, $kind:ident, $load:literal; )*) => {
        /// A lint rule, identified by a stable snake_case id (see the module section
        /// "Lint" for the list). Each has a fixed severity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum LintRule {
            $( $(#[$doc])* $variant, )*
        }

        impl LintRule {
            /// Every rule, in evaluation order.
            pub const ALL: &'static [LintRule] = &[ $( LintRule::$variant, )* ];

            /// The stable id (`version_semver`, ...).
            pub const fn id(self) -> &'static str {
                match self { $( LintRule::$variant => $id, )* }
            }

            /// The severity of a finding of this rule.
            pub const fn severity(self) -> Severity {
                match self { $( LintRule::$variant => Severity::$severity, )* }
            }

            /// The error kind a failing finding of this rule maps to.
            pub const fn kind(self) -> ErrorKind {
                match self { $( LintRule::$variant => ErrorKind::$kind, )* }
            }

            /// Whether Helm's chart loader itself enforces the rule, so that `helm package`,
            /// `helm template` and `helm install` fail on it (not only `helm lint`).
            pub const fn enforced_on_load(self) -> bool {
                match self { $( LintRule::$variant => $load, )* }
            }
        }
    };
}

rules! {
    /// There is no Chart.yaml file (or it is a directory).
    ChartYamlMissing = "chart_yaml_missing", Error, InvalidChart, true;
    /// Chart.yaml is not YAML, or a field has a type Helm cannot load.
    ChartYamlSyntax = "chart_yaml_syntax", Error, ConfigSyntax, true;
    /// Chart.yaml has an unknown field or a duplicate key (Helm 4 warns).
    ChartYamlStrict = "chart_yaml_strict", Warning, InvalidChart, false;
    /// `name` is missing or empty.
    NameRequired = "name_required", Error, InvalidChart, true;
    /// `name` has path parts (`a/b`, `../a`) or is `.`/`..`.
    NamePath = "name_path", Error, InvalidChart, true;
    /// `name` does not match `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$` (an error in newer Helm).
    NamePattern = "name_pattern", Warning, InvalidChart, false;
    /// `apiVersion` is missing or not `v1`/`v2`.
    ApiVersion = "api_version", Error, InvalidChart, false;
    /// `version` is not a YAML string (`version: 1.0` is the number 1).
    VersionType = "version_type", Error, InvalidChart, false;
    /// `version` is missing or empty.
    VersionRequired = "version_required", Error, InvalidChart, true;
    /// `version` is not SemVer, even by Helm's lenient reading.
    VersionSemver = "version_semver", Error, InvalidChart, true;
    /// `version` is `0.0.0-0`, which is not above the lowest version.
    VersionLowest = "version_lowest", Error, InvalidChart, false;
    /// `version` is SemVer only by Helm's lenient reading (`v1.0`, `1.0`, leading zeros).
    VersionStrict = "version_strict", Warning, InvalidChart, false;
    /// `appVersion` is not a YAML string (`appVersion: 1.10` is the number 1.1).
    AppVersionType = "app_version_type", Error, InvalidChart, false;
    /// A `maintainers` entry is empty (null).
    MaintainerEmpty = "maintainer_empty", Error, InvalidChart, true;
    /// A maintainer has no `name`.
    MaintainerName = "maintainer_name", Error, InvalidChart, false;
    /// A maintainer's `email` is not an e-mail address.
    MaintainerEmail = "maintainer_email", Error, InvalidChart, false;
    /// A maintainer's `url` is not a URL.
    MaintainerUrl = "maintainer_url", Error, InvalidChart, false;
    /// A `sources` entry is not an absolute URL.
    SourceUrl = "source_url", Error, InvalidChart, false;
    /// There is no `icon`.
    IconMissing = "icon_missing", Info, InvalidChart, false;
    /// `icon` is not an absolute URL.
    IconUrl = "icon_url", Error, InvalidChart, false;
    /// `type` is set in an apiVersion v1 chart.
    TypeApiVersion = "type_api_version", Error, InvalidChart, false;
    /// `type` is neither `application` nor `library`.
    TypeValue = "type_value", Error, InvalidChart, true;
    /// `dependencies` are listed in an apiVersion v1 chart.
    DependenciesApiVersion = "dependencies_api_version", Error, InvalidChart, false;
    /// A `dependencies` entry is empty (null).
    DependencyEmpty = "dependency_empty", Error, InvalidChart, true;
    /// A dependency `alias` has characters other than letters, digits, `_` and `-`.
    DependencyAlias = "dependency_alias", Error, InvalidChart, true;
    /// Two dependencies share a name or alias.
    DependencyUnique = "dependency_unique", Error, InvalidChart, true;
    /// A dependency is listed in Chart.yaml but not present in `charts/`.
    DependencyMissing = "dependency_missing", Warning, InvalidChart, false;
    /// A chart in `charts/` is not listed in Chart.yaml's `dependencies`.
    DependencyUnlisted = "dependency_unlisted", Error, InvalidChart, false;
    /// Something in `charts/` is not a loadable chart.
    SubchartInvalid = "subchart_invalid", Error, InvalidChart, true;
    /// The chart directory cannot be read as a chart: a malformed .helmignore, a device or
    /// fifo, a symbolic link loop, a file over the size limits.
    ChartFiles = "chart_files", Error, InvalidChart, true;
    /// There is no values.yaml.
    ValuesMissing = "values_missing", Info, InvalidChart, false;
    /// values.yaml is not YAML or not a mapping.
    ValuesSyntax = "values_syntax", Error, ConfigSyntax, true;
    /// values.schema.json is not JSON.
    ValuesSchemaSyntax = "values_schema_syntax", Error, ConfigSyntax, true;
    /// There is no `templates/` directory.
    TemplatesMissing = "templates_missing", Warning, InvalidChart, false;
    /// `templates` is a file, not a directory.
    TemplatesNotDir = "templates_not_dir", Error, InvalidChart, false;
    /// shiprail: the chart version is not above every released version.
    VersionNotHigher = "version_not_higher", Error, VersionNotHigher, false;
    /// shiprail: `appVersion` is not what the tag policy derives from the chart version.
    AppVersionPolicy = "app_version_policy", Error, InvalidTag, false;
    /// shiprail: values.yaml names an image by a mutable tag (`latest`, ...).
    MutableImageTag = "mutable_image_tag", Error, MutableTag, false;
    /// shiprail: values.yaml pins an image tag other than the one the tag policy derives.
    ImageTagPolicy = "image_tag_policy", Warning, InvalidTag, false;
    /// shiprail: values.yaml names an image without a tag or digest (Docker reads `latest`).
    ImageUntagged = "image_untagged", Warning, MutableTag, false;
}

impl fmt::Display for LintRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for LintRule {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        LintRule::ALL
            .iter()
            .copied()
            .find(|r| r.id() == s)
            .ok_or_else(|| {
                let mut e = Error::new(
                    ErrorKind::InvalidChart,
                    format!("`{}` is not a lint rule", s.escape_debug()),
                )
                .with_input(s);
                if s.len() <= 64
                    && let Some(c) =
                        crate::suggest::closest(s, LintRule::ALL.iter().map(|r| r.id()))
                {
                    e = e.with_suggestion(c);
                }
                e
            })
    }
}

impl Serialize for LintRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LintRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One lint finding: which rule, how severe, where, and what is wrong.
///
/// Serialized as `{"severity", "rule", "file", "line"?, "column"?, "message"}`; `file` is
/// relative to the chart directory (`Chart.yaml`, `values.yaml`, `templates/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's severity.
    pub severity: Severity,
    /// The rule.
    pub rule: LintRule,
    /// The file, relative to the chart directory.
    pub file: String,
    /// 1-based line, when the finding is about a written value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// What is wrong, naming the value.
    pub message: String,
}

impl Finding {
    fn new(rule: LintRule, file: &str, at: Option<&Node>, message: impl Into<String>) -> Finding {
        Finding {
            severity: rule.severity(),
            rule,
            file: file.to_string(),
            line: at.map(|n| n.span.start.line),
            column: at.map(|n| n.span.start.column),
            message: message.into(),
        }
    }

    /// The finding as an error of its rule's kind (for callers that stop at the first one):
    /// located in [`Finding::file`] (relative to the chart) when the finding has a position,
    /// else the message names the file.
    pub fn to_error(&self) -> Error {
        match self.line {
            Some(line) => Error::new(self.rule.kind(), self.message.clone()).with_location(
                crate::error::Location {
                    file: Some(self.file.clone().into()),
                    line,
                    column: self.column.unwrap_or(1),
                },
            ),
            None => Error::new(self.rule.kind(), format!("{}: {}", self.file, self.message)),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}",
            self.severity.to_string().to_uppercase(),
            self.file
        )?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {} ({})", self.message, self.rule)
    }
}

/// The findings of one lint run, in rule order.
///
/// Serialized as `{"passed", "errors", "warnings", "findings"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// Every finding.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// No errors (what makes `helm lint` exit 0).
    pub fn passed(&self) -> bool {
        self.errors() == 0
    }

    /// No errors and no warnings (`helm lint --strict`).
    pub fn passed_strict(&self) -> bool {
        self.errors() == 0 && self.warnings() == 0
    }

    /// The number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// The number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The first error as an [`Error`] of its rule's kind, the message listing every error.
    pub fn to_error(&self) -> Option<Error> {
        let errors: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let first = errors.first()?;
        let mut error = first.to_error();
        if errors.len() > 1 {
            let all: Vec<String> = errors.iter().map(|f| f.to_string()).collect();
            error = Error::new(
                first.rule.kind(),
                format!("{} lint errors: {}", errors.len(), all.join("; ")),
            );
        }
        Some(error)
    }
}

impl Serialize for LintReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("LintReport", 4)?;
        s.serialize_field("passed", &self.passed())?;
        s.serialize_field("errors", &self.errors())?;
        s.serialize_field("warnings", &self.warnings())?;
        s.serialize_field("findings", &self.findings)?;
        s.end()
    }
}

/// Whether something exists at a path in the chart, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PathKind {
    /// Nothing there.
    Missing,
    /// A file.
    File,
    /// A directory.
    #[default]
    Directory,
}

/// The files of a chart that lint reads, in memory. `None` means the file does not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintInput {
    /// Chart.yaml.
    pub chart_yaml: Option<String>,
    /// values.yaml.
    pub values_yaml: Option<String>,
    /// values.schema.json.
    pub values_schema: Option<String>,
    /// What `templates` is.
    pub templates: PathKind,
    /// The names (Chart.yaml `name`) of the charts in `charts/`; `None` skips the dependency
    /// checks.
    pub subcharts: Option<Vec<String>>,
}

/// shiprail's release context for lint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintOptions {
    /// Versions already released; the chart version must be above all of them.
    pub released: Vec<ReleaseVersion>,
    /// The tag policy deriving appVersion and the image tag from the chart version.
    pub policy: TagPolicy,
}

/// Lints a chart from its files in memory (see the module section "Lint").
pub fn lint(input: &LintInput, options: &LintOptions) -> LintReport {
    let mut findings = Vec::new();
    let chart = match &input.chart_yaml {
        None => {
            findings.push(Finding::new(
                LintRule::ChartYamlMissing,
                CHART_FILE,
                None,
                "Chart.yaml file is missing",
            ));
            None
        }
        Some(text) => match ChartFile::parse(text) {
            Ok(file) => {
                findings.extend(chart_yaml_findings(&file));
                Some(file)
            }
            Err(e) => {
                findings.push(syntax_finding(LintRule::ChartYamlSyntax, CHART_FILE, &e));
                None
            }
        },
    };
    let values = values_findings(input, &mut findings);
    match input.templates {
        PathKind::Missing => findings.push(Finding::new(
            LintRule::TemplatesMissing,
            "templates/",
            None,
            "directory does not exist",
        )),
        PathKind::File => findings.push(Finding::new(
            LintRule::TemplatesNotDir,
            "templates/",
            None,
            "not a directory",
        )),
        PathKind::Directory => {}
    }
    if let Some(chart) = &chart {
        if let Some(subcharts) = &input.subcharts
            && chart.validate().is_ok()
        {
            dependency_dir_findings(chart, subcharts, &mut findings);
        }
        release_findings(chart, values.as_ref(), options, &mut findings);
    }
    LintReport { findings }
}

fn syntax_finding(rule: LintRule, file: &str, e: &Error) -> Finding {
    let mut f = Finding::new(rule, file, None, e.message());
    if let Some(at) = e.location() {
        f.line = Some(at.line);
        f.column = Some(at.column);
    }
    f
}

/// values.yaml and values.schema.json checks; returns the values tree when it parsed.
fn values_findings(input: &LintInput, findings: &mut Vec<Finding>) -> Option<Node> {
    let mut tree = None;
    match &input.values_yaml {
        None => findings.push(Finding::new(
            LintRule::ValuesMissing,
            "values.yaml",
            None,
            "file does not exist",
        )),
        Some(text) => match yaml::parse(text.strip_prefix(super::metadata::BOM).unwrap_or(text)) {
            Err(e) => findings.push(syntax_finding(LintRule::ValuesSyntax, "values.yaml", &e)),
            Ok(Some(root)) if !(root.is_null() || root.as_map().is_some()) => {
                findings.push(Finding::new(
                    LintRule::ValuesSyntax,
                    "values.yaml",
                    Some(&root),
                    format!(
                        "values.yaml must be a mapping of values, not {}",
                        describe(&root)
                    ),
                ));
            }
            Ok(root) => tree = root,
        },
    }
    if let Some(schema) = &input.values_schema
        && let Err(e) = serde_json::from_str::<serde_json::Value>(schema)
    {
        let mut f = Finding::new(
            LintRule::ValuesSchemaSyntax,
            "values.schema.json",
            None,
            format!("values.schema.json is not JSON: {e}"),
        );
        f.line = u32::try_from(e.line()).ok();
        f.column = u32::try_from(e.column()).ok();
        findings.push(f);
    }
    tree
}

fn describe(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
    }
}

/// Unknown keys and duplicate keys of one mapping (Helm 4's strict parse).
fn strict_findings(
    map: &Node,
    known: &'static [&'static str],
    path: &str,
    findings: &mut Vec<Finding>,
) {
    let Some(entries) = map.as_map() else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    for (key, _) in entries {
        let name = key.key_string().unwrap_or_default();
        if known_key(known, &name).is_none() {
            findings.push(Finding::new(
                LintRule::ChartYamlStrict,
                CHART_FILE,
                Some(key),
                format!(
                    "unknown field `{path}{}` (Helm keeps only the fields it knows)",
                    name.escape_debug()
                ),
            ));
        }
        if seen.contains(&name) {
            findings.push(Finding::new(
                LintRule::ChartYamlStrict,
                CHART_FILE,
                Some(key),
                format!(
                    "duplicate key `{path}{}`: only the last one counts",
                    name.escape_debug()
                ),
            ));
        }
        seen.push(name);
    }
}

/// The Chart.yaml rules of `helm lint` and of Helm's loader, in Helm's order.
pub(crate) fn chart_yaml_findings(file: &ChartFile) -> Vec<Finding> {
    let mut out = Vec::new();
    let md = file.metadata();
    let root = file.root();
    let node = |key: &str| root.and_then(|r| r.get(key));
    let f = CHART_FILE;

    if let Some(root) = root {
        strict_findings(root, KNOWN_KEYS, "", &mut out);
        for (list, known) in [
            ("maintainers", MAINTAINER_KEYS),
            ("dependencies", DEPENDENCY_KEYS),
        ] {
            for item in node(list).and_then(Node::as_seq).unwrap_or_default() {
                strict_findings(item, known, &format!("{list}[]."), &mut out);
            }
        }
    }

    // name
    if md.name.is_empty() {
        out.push(Finding::new(
            LintRule::NameRequired,
            f,
            node("name"),
            "name is required",
        ));
    } else if helm_rules::filepath_base(&md.name) != md.name
        || md.name == "."
        || md.name == ".."
        || md.name.contains(['/', '\\'])
    {
        out.push(Finding::new(
            LintRule::NamePath,
            f,
            node("name"),
            format!(
                "chart name `{}` is invalid: it must be a single path component",
                md.name.escape_debug()
            ),
        ));
    } else if !is_chart_name(&md.name) {
        out.push(Finding::new(
            LintRule::NamePattern,
            f,
            node("name"),
            format!(
                "chart name `{}` should contain only lowercase letters, digits and dashes, and start and end with a letter or digit (newer Helm refuses it)",
                md.name.escape_debug()
            ),
        ));
    }

    // apiVersion
    if md.api_version.is_empty() {
        out.push(Finding::new(
            LintRule::ApiVersion,
            f,
            node("apiVersion"),
            "apiVersion is required. The value must be either \"v1\" or \"v2\"",
        ));
    } else if md.api_version.parse::<ApiVersion>().is_err() {
        out.push(Finding::new(
            LintRule::ApiVersion,
            f,
            node("apiVersion"),
            format!(
                "apiVersion `{}` is not valid. The value must be either \"v1\" or \"v2\"",
                md.api_version.escape_debug()
            ),
        ));
    }

    // version
    let exact = |key: &str| {
        root.and_then(Node::as_map)
            .and_then(|m| {
                m.iter()
                    .rev()
                    .find(|(k, _)| k.key_string().as_deref() == Some(key))
            })
            .map(|(_, v)| v)
    };
    if let Some(v) = exact("version")
        && v.as_str().is_none()
    {
        out.push(Finding::new(
            LintRule::VersionType,
            f,
            Some(v),
            format!(
                "version should be of type string but it's of type {}: quote it, e.g. `version: \"{}\"`",
                v.go_type(),
                v.as_go_string().unwrap_or_default()
            ),
        ));
    }
    let loose = LooseVersion::parse(&md.version);
    if md.version.is_empty() {
        out.push(Finding::new(
            LintRule::VersionRequired,
            f,
            node("version"),
            "version is required",
        ));
    } else {
        match &loose {
            None => out.push(Finding::new(
                LintRule::VersionSemver,
                f,
                node("version"),
                format!(
                    "version `{}` is not a valid SemVer",
                    md.version.escape_debug()
                ),
            )),
            Some(v) if !v.is_above_lowest() => out.push(Finding::new(
                LintRule::VersionLowest,
                f,
                node("version"),
                format!(
                    "version {} is less than or equal to 0.0.0-0",
                    v.normalized()
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(v) = exact("appVersion")
        && v.as_str().is_none()
    {
        out.push(Finding::new(
            LintRule::AppVersionType,
            f,
            Some(v),
            format!(
                "appVersion should be of type string but it's of type {}: quote it, e.g. `appVersion: \"{}\"`",
                v.go_type(),
                v.as_go_string().unwrap_or_default()
            ),
        ));
    }

    // maintainers
    for item in node("maintainers")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if item.is_null() {
            out.push(Finding::new(
                LintRule::MaintainerEmpty,
                f,
                Some(item),
                "a maintainer entry is empty",
            ));
            continue;
        }
        let field = |k: &str| item.get(k).and_then(Node::as_go_string).unwrap_or_default();
        let (name, email, url) = (field("name"), field("email"), field("url"));
        if name.is_empty() {
            out.push(Finding::new(
                LintRule::MaintainerName,
                f,
                Some(item),
                "each maintainer requires a name",
            ));
        } else if !email.is_empty() && !helm_rules::is_email(&email) {
            out.push(Finding::new(
                LintRule::MaintainerEmail,
                f,
                item.get("email"),
                format!(
                    "invalid email `{}` for maintainer `{}`",
                    email.escape_debug(),
                    name.escape_debug()
                ),
            ));
        } else if !url.is_empty() && !helm_rules::is_url(&url) {
            out.push(Finding::new(
                LintRule::MaintainerUrl,
                f,
                item.get("url"),
                format!(
                    "invalid url `{}` for maintainer `{}`",
                    url.escape_debug(),
                    name.escape_debug()
                ),
            ));
        }
    }

    // sources, icon
    let sources = node("sources").and_then(Node::as_seq).unwrap_or_default();
    for (i, source) in md.sources.iter().enumerate() {
        if source.is_empty() || !helm_rules::is_request_url(source) {
            out.push(Finding::new(
                LintRule::SourceUrl,
                f,
                sources.get(i),
                format!(
                    "invalid source URL `{}`: it must be absolute, e.g. https://...",
                    source.escape_debug()
                ),
            ));
        }
    }
    match md.icon.as_deref() {
        None | Some("") => out.push(Finding::new(
            LintRule::IconMissing,
            f,
            None,
            "icon is recommended",
        )),
        Some(icon) if !helm_rules::is_request_url(icon) => out.push(Finding::new(
            LintRule::IconUrl,
            f,
            node("icon"),
            format!(
                "invalid icon URL `{}`: it must be absolute, e.g. https://...",
                icon.escape_debug()
            ),
        )),
        Some(_) => {}
    }

    // type and dependencies against apiVersion
    let is_v2 = md.api_version == "v2";
    if md.chart_type.as_deref().is_some_and(|t| !t.is_empty()) && !is_v2 {
        out.push(Finding::new(
            LintRule::TypeApiVersion,
            f,
            node("type"),
            format!(
                "chart type is not valid in apiVersion `{}`. It is valid in apiVersion `v2`",
                md.api_version.escape_debug()
            ),
        ));
    }
    if md.chart_type().is_none() {
        out.push(Finding::new(
            LintRule::TypeValue,
            f,
            node("type"),
            format!(
                "chart type `{}` is not valid: it must be application or library",
                md.chart_type.as_deref().unwrap_or_default().escape_debug()
            ),
        ));
    }
    let dependency_nodes = node("dependencies")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    if !dependency_nodes.is_empty() && !is_v2 {
        out.push(Finding::new(
            LintRule::DependenciesApiVersion,
            f,
            node("dependencies"),
            format!(
                "dependencies are not valid in the Chart file with apiVersion `{}`. They are valid in apiVersion `v2`",
                md.api_version.escape_debug()
            ),
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for item in dependency_nodes {
        if item.is_null() {
            out.push(Finding::new(
                LintRule::DependencyEmpty,
                f,
                Some(item),
                "dependencies must not contain empty or null nodes",
            ));
            continue;
        }
        let name = item
            .get("name")
            .and_then(Node::as_go_string)
            .unwrap_or_default();
        let alias = item
            .get("alias")
            .and_then(Node::as_go_string)
            .unwrap_or_default();
        if !alias.is_empty() && !helm_rules::is_valid_alias(&alias) {
            out.push(Finding::new(
                LintRule::DependencyAlias,
                f,
                item.get("alias"),
                format!(
                    "dependency `{}` has disallowed characters in the alias `{}`: use letters, digits, `_` and `-`",
                    name.escape_debug(),
                    alias.escape_debug()
                ),
            ));
        }
        let key = if alias.is_empty() { name } else { alias };
        if seen.contains(&key) {
            out.push(Finding::new(
                LintRule::DependencyUnique,
                f,
                Some(item),
                format!(
                    "more than one dependency with name or alias `{}`: give the others distinct aliases",
                    key.escape_debug()
                ),
            ));
        }
        seen.push(key);
    }

    // Helm 4's strict SemVer 2.0 warning.
    if !md.version.is_empty() && loose.is_some() && !helm_rules::is_strict_semver(&md.version) {
        out.push(Finding::new(
            LintRule::VersionStrict,
            f,
            node("version"),
            format!(
                "version `{}` is not strict SemVer 2.0; write `{}`",
                md.version.escape_debug(),
                loose
                    .as_ref()
                    .map(LooseVersion::normalized)
                    .unwrap_or_default()
            ),
        ));
    }
    out
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
pub(crate) fn is_chart_name(name: &str) -> bool {
    let b = name.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty() && edge(b[0]) && edge(b[b.len() - 1]) && b.iter().all(|&c| edge(c) || c == b'-')
}

fn dependency_dir_findings(chart: &ChartFile, subcharts: &[String], out: &mut Vec<Finding>) {
    let md = chart.metadata();
    let listed: Vec<&str> = md.dependencies.iter().map(|d| d.name.as_str()).collect();
    let unlisted: Vec<&str> = subcharts
        .iter()
        .map(String::as_str)
        .filter(|s| !listed.contains(s))
        .collect();
    if !unlisted.is_empty() {
        out.push(Finding::new(
            LintRule::DependencyUnlisted,
            "charts/",
            None,
            format!(
                "chart metadata is missing these dependencies: {}",
                unlisted.join(",")
            ),
        ));
    }
    let missing: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|d| !subcharts.iter().any(|s| s == d))
        .collect();
    if !missing.is_empty() {
        out.push(Finding::new(
            LintRule::DependencyMissing,
            "charts/",
            None,
            format!(
                "chart directory is missing these dependencies: {} (run `helm dependency build`)",
                missing.join(",")
            ),
        ));
    }
}

/// shiprail's rules: a version above every release, appVersion and image tags by the policy,
/// no mutable image tags.
fn release_findings(
    chart: &ChartFile,
    values: Option<&Node>,
    options: &LintOptions,
    out: &mut Vec<Finding>,
) {
    let md = chart.metadata();
    let node = |key: &str| chart.root().and_then(|r| r.get(key));
    let version = md
        .version
        .parse::<semver::Version>()
        .ok()
        .map(ReleaseVersion::new);
    if let Some(version) = &version {
        if let Err(e) = ensure_higher(version, &options.released) {
            out.push(Finding::new(
                LintRule::VersionNotHigher,
                CHART_FILE,
                node("version"),
                e.message(),
            ));
        }
        let expected = options.policy.app_version.render(&md.name, version);
        if md.app_version.as_deref() != Some(expected.as_str()) {
            let written = match &md.app_version {
                Some(a) => format!("appVersion `{}`", a.escape_debug()),
                None => "a missing appVersion".to_string(),
            };
            out.push(Finding::new(
                LintRule::AppVersionPolicy,
                CHART_FILE,
                node("appVersion").or_else(|| node("version")),
                format!(
                    "{written} does not follow the tag policy: chart version {version} gives appVersion `{expected}` (tags.app_version `{}`)",
                    options.policy.app_version
                ),
            ));
        }
    }
    if let Some(values) = values {
        let expected_tag = version
            .as_ref()
            .map(|v| chart_oci_tag(&options.policy.image.render(&md.name, v)));
        scan_images(values, false, expected_tag.as_deref(), &options.policy, out);
    }
}

/// Walks values.yaml for image references: `tag:` in an image block (a mapping under a key
/// containing `image`, or one with a `repository` key) and `image:` strings.
fn scan_images(
    node: &Node,
    in_image_key: bool,
    expected: Option<&str>,
    policy: &TagPolicy,
    out: &mut Vec<Finding>,
) {
    match &node.value {
        Value::Map(entries) => {
            let image_block = in_image_key || node.get("repository").is_some();
            for (key, value) in entries {
                let name = key.key_string().unwrap_or_default();
                let is_image_key = name.to_ascii_lowercase().contains("image");
                match &value.value {
                    Value::Str(tag) if image_block && name == "tag" && !tag.is_empty() => {
                        if policy.check_immutable(tag).is_err() {
                            out.push(mutable_finding(value, tag, &name));
                        } else if let Some(expected) = expected
                            && tag != expected
                        {
                            out.push(Finding::new(
                                LintRule::ImageTagPolicy,
                                "values.yaml",
                                Some(value),
                                format!(
                                    "image tag `{}` is not the tag the policy derives from the chart version: `{expected}` (tags.image `{}`); set it empty to follow appVersion, or update it",
                                    tag.escape_debug(),
                                    policy.image
                                ),
                            ));
                        }
                    }
                    Value::Str(reference) if is_image_key && !reference.is_empty() => {
                        image_string_findings(value, reference, &name, policy, out);
                    }
                    _ => scan_images(value, is_image_key, expected, policy, out),
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                scan_images(item, in_image_key, expected, policy, out);
            }
        }
        _ => {}
    }
}

fn mutable_finding(at: &Node, tag: &str, key: &str) -> Finding {
    Finding::new(
        LintRule::MutableImageTag,
        "values.yaml",
        Some(at),
        format!(
            "`{key}` names the mutable image tag `{}`: a release deploys only immutable tags such as `v1.0.2`",
            tag.escape_debug()
        ),
    )
}

fn image_string_findings(
    at: &Node,
    reference: &str,
    key: &str,
    policy: &TagPolicy,
    out: &mut Vec<Finding>,
) {
    if reference.contains('@') || reference.contains("{{") {
        return;
    }
    let last_segment = reference.rsplit('/').next().unwrap_or(reference);
    match last_segment.rsplit_once(':') {
        Some((_, tag)) => {
            if policy.check_immutable(tag).is_err() {
                out.push(mutable_finding(at, tag, key));
            }
        }
        None => out.push(Finding::new(
            LintRule::ImageUntagged,
            "values.yaml",
            Some(at),
            format!(
                "`{key}` names image `{}` without a tag or digest, which pulls `latest`",
                reference.escape_debug()
            ),
        )),
    }
}

/// Reads a text file of the chart; a directory in its place or bytes that are not UTF-8 become
/// findings.
fn read_text(dir: &Path, name: &str, rule: LintRule, pre: &mut Vec<Finding>) -> Option<String> {
    let path = dir.join(name);
    if path.is_dir() {
        if rule == LintRule::ChartYamlSyntax {
            pre.push(Finding::new(
                LintRule::ChartYamlMissing,
                name,
                None,
                "should be a file, not a directory",
            ));
        }
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    match super::metadata::utf8(&bytes) {
        Ok(text) => Some(text.to_string()),
        Err(e) => {
            pre.push(syntax_finding(rule, name, &e));
            None
        }
    }
}

/// Lints a chart directory: reads Chart.yaml, values.yaml, values.schema.json, `templates/`
/// and the charts in `charts/` (see [`lint`]). Fails only when the directory cannot be read.
pub fn lint_dir(dir: impl AsRef<Path>, options: &LintOptions) -> Result<LintReport> {
    let dir = dir.as_ref();
    if !dir.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("`{}` is not a chart directory", dir.display()),
        )
        .with_input(dir.display().to_string()));
    }
    let mut pre = Vec::new();
    let chart_yaml = read_text(dir, CHART_FILE, LintRule::ChartYamlSyntax, &mut pre);
    let values_yaml = read_text(dir, "values.yaml", LintRule::ValuesSyntax, &mut pre);
    let values_schema = read_text(
        dir,
        "values.schema.json",
        LintRule::ValuesSchemaSyntax,
        &mut pre,
    );
    let templates = dir.join("templates");
    let templates = if templates.is_dir() {
        PathKind::Directory
    } else if templates.exists() {
        PathKind::File
    } else {
        PathKind::Missing
    };
    let mut subchart_findings = Vec::new();
    let subcharts = match super::package::subchart_names(dir) {
        Ok(names) => Some(names),
        Err(super::package::SubchartScanError::Subchart(e)) => {
            subchart_findings.push(Finding::new(
                LintRule::SubchartInvalid,
                "charts/",
                None,
                e.message(),
            ));
            None
        }
        Err(super::package::SubchartScanError::Files(e)) => {
            let mut f = Finding::new(LintRule::ChartFiles, ".", None, e.to_string());
            if let Some(file) = e.location().and_then(|l| l.file.as_ref()) {
                f.file = file.strip_prefix(dir).unwrap_or(file).display().to_string();
                f.message = e.message().to_string();
                f.line = e.location().map(|l| l.line);
                f.column = e.location().map(|l| l.column);
            }
            subchart_findings.push(f);
            None
        }
    };
    let input = LintInput {
        chart_yaml: chart_yaml.clone(),
        values_yaml,
        values_schema,
        templates,
        subcharts,
    };
    let mut report = lint(&input, options);
    if !pre.is_empty() {
        // A file that could not be read is reported once, by the reading step.
        let superseded = |f: &Finding| {
            matches!(f.rule, LintRule::ChartYamlMissing | LintRule::ValuesMissing)
                && pre.iter().any(|p| p.file == f.file)
        };
        report.findings.retain(|f| !superseded(f));
        pre.append(&mut report.findings);
        report.findings = pre;
    }
    report.findings.append(&mut subchart_findings);
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn chart(yaml: &str) -> LintInput {
        LintInput {
            chart_yaml: Some(yaml.to_string()),
            values_yaml: Some("a: 1\n".to_string()),
            ..LintInput::default()
        }
    }

    fn rules(yaml: &str) -> Vec<String> {
        lint(&chart(yaml), &LintOptions::default())
            .findings
            .iter()
            .filter(|f| f.rule != LintRule::IconMissing)
            .map(|f| f.rule.id().to_string())
            .collect()
    }

    #[test]
    fn table() {
        let base = "apiVersion: v2\nname: c\n";
        let cases: &[(&str, &[&str])] = &[
            ("version: 1.0.0\nappVersion: \"1.0.0\"\n", &[]),
            (
                "version: 1.0\nappVersion: \"1\"\n",
                &["version_type", "version_strict"],
            ),
            ("version: 1.0.0-01\n", &["version_semver"]),
            (
                "version: 0.0.0-0\n",
                &["version_lowest", "app_version_policy"],
            ),
            (
                "version: v1.0.0\nappVersion: \"1.0.0\"\n",
                &["version_strict"],
            ),
            (
                "version: 1.0.0\nappVersion: 1.0\n",
                &["app_version_type", "app_version_policy"],
            ),
            (
                "version: 1.0.0\nappVersion: \"1.0.0\"\ntype: other\n",
                &["type_value"],
            ),
            (
                "version: 1.0.0\nappVersion: \"1.0.0\"\nfoo: 1\n",
                &["chart_yaml_strict"],
            ),
            (
                "version: 1.0.0\nappVersion: \"1.0.0\"\nicon: nope\n",
                &["icon_url"],
            ),
            (
                "version: 1.0.0\nappVersion: \"1.0.0\"\nmaintainers: [~]\n",
                &["maintainer_empty"],
            ),
        ];
        for (tail, want) in cases {
            assert_eq!(rules(&format!("{base}{tail}")), *want, "{tail}");
        }
    }

    #[test]
    fn exact_messages_and_positions() {
        let report = lint(
            &chart("apiVersion: v2\nname: c\nversion: 1.0\n"),
            &LintOptions::default(),
        );
        let first = &report.findings[0];
        assert_eq!(
            first.to_string(),
            "[ERROR] Chart.yaml:3:10: version should be of type string but it's of type float64: quote it, e.g. `version: \"1\"` (version_type)"
        );
        assert!(!report.passed());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["passed"], false);
        assert_eq!(json["findings"][0]["rule"], "version_type");
        assert_eq!(json["findings"][0]["line"], 3);
    }

    #[test]
    fn release_rules() {
        let options = LintOptions {
            released: vec!["1.0.2".parse().unwrap()],
            policy: TagPolicy::default(),
        };
        let mut input =
            chart("apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: \"1.0.2\"\n");
        input.values_yaml = Some(
            "image:\n  repository: r/delivery\n  tag: latest\nsidecar:\n  image: busybox\nother:\n  image: nginx:v1\n"
                .to_string(),
        );
        let report = lint(&input, &options);
        let ids: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
        assert_eq!(
            ids,
            [
                "icon_missing",
                "version_not_higher",
                "mutable_image_tag",
                "image_untagged"
            ]
        );
        assert_eq!(report.to_error().unwrap().code(), "version_not_higher");
    }

    #[test]
    fn rules_round_trip() {
        for rule in LintRule::ALL {
            assert_eq!(rule.id().parse::<LintRule>().unwrap(), *rule);
        }
        let err = "version_semvar".parse::<LintRule>().unwrap_err();
        assert_eq!(err.suggestion(), Some("version_semver"));
    }
}
