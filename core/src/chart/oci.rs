//! Helm charts as OCI artifacts: references, the config blob, the manifest and tags, byte for
//! byte as Helm 3.19 and 4.1 write them. The network side is
//! [`RegistryClient::push_chart`](crate::registry::RegistryClient) (feature `registry`).

use super::metadata::{ChartMetadata, Dependency, Maintainer};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageReference;
use crate::plan::Timestamp;
use crate::tag::{chart_oci_tag, chart_version_from_oci_tag};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The media type of the config blob of a Helm chart: the Chart.yaml metadata as JSON.
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// The media type of the layer holding the packaged chart (`.tgz`).
pub const HELM_CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// The chart layer media type of Helm before 3.8; still accepted on pull, as Helm does.
pub const HELM_LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
/// The media type of a provenance (`.prov`) layer.
pub const HELM_PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The media type of the manifest of a chart: an OCI image manifest.
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The `org.opencontainers.image.created` value shiprail writes unless told otherwise: the
/// Unix epoch, like the entries of a package, so pushing one archive twice gives one manifest.
pub const DEFAULT_CREATED: &str = "1970-01-01T00:00:00Z";

/// The URL scheme of chart references.
const SCHEME: &str = "oci://";

/// A chart location in an OCI registry: `oci://HOST[:PORT]/PATH[:TAG]`.
///
/// For a push, the path is where charts go (`oci://myrepo.azurecr.io/helm`; it may be empty)
/// and the chart name is appended; for a pull or a version listing, the path ends with the
/// chart name (`oci://myrepo.azurecr.io/helm/delivery`). The host must read as a registry
/// (`localhost`, or with a `.` or a `:`), the path follows the OCI repository rules, and a tag
/// is a valid OCI tag. Serialized as the `oci://` string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChartReference {
    registry: String,
    repository: String,
    tag: Option<String>,
}

impl ChartReference {
    /// The registry host (`myrepo.azurecr.io`, `127.0.0.1:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path (`helm/delivery`); empty for `oci://HOST`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag given after `:` in the last path component, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The last path component: the chart name of a pull reference.
    pub fn name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// The same location without its tag.
    pub fn without_tag(&self) -> ChartReference {
        ChartReference {
            tag: None,
            ..self.clone()
        }
    }

    /// The reference of chart `name` under this location (what a push writes to): the path with
    /// `/name` appended, no tag.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when the result breaks the repository rules.
    pub fn join(&self, name: &str) -> Result<ChartReference> {
        let repository = if self.repository.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.repository)
        };
        format!("{SCHEME}{}/{repository}", self.registry).parse()
    }

    /// The reference with `tag` (a chart version is mapped by
    /// [`chart_oci_tag`](crate::tag::chart_oci_tag) first).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when `tag` is not a valid OCI tag.
    pub fn with_version(&self, version: &str) -> Result<ChartReference> {
        let tag = chart_oci_tag(version);
        self.image()?.with_tag(&tag)?;
        Ok(ChartReference {
            tag: Some(tag),
            ..self.clone()
        })
    }

    /// The repository as an image reference (registry and path; the tag when there is one).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when the path is empty.
    pub fn image(&self) -> Result<ImageReference> {
        if self.repository.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{self}` names no repository: add the chart's path (`{self}/delivery`)"),
            )
            .with_input(self.to_string()));
        }
        let base: ImageReference = format!("{}/x", self.registry).parse()?;
        let image = base.with_repository(&self.repository)?;
        match &self.tag {
            Some(tag) => image.with_tag(tag),
            None => Ok(image),
        }
    }
}

impl fmt::Display for ChartReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}", self.registry)?;
        if !self.repository.is_empty() {
            write!(f, "/{}", self.repository)?;
        }
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        Ok(())
    }
}

impl FromStr for ChartReference {
    type Err = Error;

    fn from_str(input: &str) -> Result<ChartReference> {
        let shown: String = input.chars().take(200).collect::<String>();
        let shown = shown.escape_debug().to_string();
        let fail = |why: String| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{shown}` is not a valid chart reference: {why}"),
            )
            .with_input(shown.clone())
        };
        let Some(rest) = input.strip_prefix(SCHEME) else {
            return Err(fail(
                "it must start with `oci://` (`oci://myrepo.azurecr.io/helm/delivery`)".into(),
            ));
        };
        if rest.contains('@') {
            return Err(fail(
                "a digest (`@sha256:...`) is not supported; name the version".into(),
            ));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(fail("the registry host after `oci://` is empty".into()));
        }
        // A tag sits in the last component only (a `:` in the host is its port).
        let (path, tag) = match path.rsplit_once('/') {
            _ if path.is_empty() => (path, None),
            Some((dir, last)) => match last.split_once(':') {
                Some((name, tag)) => (&path[..dir.len() + 1 + name.len()], Some(tag)),
                None => (path, None),
            },
            None => match path.split_once(':') {
                Some((name, tag)) => (name, Some(tag)),
                None => (path, None),
            },
        };
        let base: ImageReference = format!("{host}/x")
            .parse()
            .map_err(|e: Error| fail(e.message().to_string()))?;
        if base.registry() != host {
            return Err(fail(format!(
                "`{}` does not read as a registry host: it needs a `.` or a `:` (`{}:5000`), or to be `localhost`",
                host.escape_debug(),
                host.escape_debug()
            )));
        }
        let mut repository = String::new();
        if !path.is_empty() {
            let image = base
                .with_repository(path)
                .map_err(|e| fail(e.message().to_string()))?;
            repository = image.repository().to_string();
        }
        if let Some(tag) = tag {
            base.with_tag(tag)
                .map_err(|e| fail(e.message().to_string()))?;
            if repository.is_empty() {
                return Err(fail("a tag needs a repository path before it".into()));
            }
        }
        Ok(ChartReference {
            registry: host.to_string(),
            repository,
            tag: tag.map(str::to_string),
        })
    }
}

impl Serialize for ChartReference {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChartReference {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The chart versions among a repository's tags, highest first, as Helm lists them: each tag
/// with `_` read as `+`, kept when it is strict SemVer (`1.0.2`, `1.0.3-rc.1`,
/// `1.0.2+build.5`; not `v1.0.2`, not `1.0`), sorted by SemVer precedence.
pub fn chart_versions_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<String> {
    let mut versions: Vec<semver::Version> = tags
        .iter()
        .filter_map(|t| semver::Version::parse(&chart_version_from_oci_tag(t.as_ref())).ok())
        .collect();
    versions.sort_by(|a, b| b.cmp(a));
    versions.dedup();
    versions.iter().map(ToString::to_string).collect()
}

/// Helm's `sanitizeString`: whitespace becomes a space, other unprintable characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// Go's `unicode.IsPrint` for the characters that matter: no controls, no format characters,
/// no private-use or unassigned code points of the special planes.
fn printable(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || matches!(u, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
            | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF
            | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF))
}

/// JSON text the way Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and U+2029
/// escaped. Only string contents can hold those characters, so replacing them is safe.
fn go_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Objects with keys sorted, as Go writes a `map[string]interface{}`.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let tree: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(tree.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn put_str(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.map(sanitize).filter(|v| !v.is_empty()) {
        map.insert(key.to_string(), Value::String(v));
    }
}

fn put_list(map: &mut Map<String, Value>, key: &str, values: &[String]) {
    if !values.is_empty() {
        map.insert(
            key.to_string(),
            Value::Array(values.iter().map(|v| Value::String(sanitize(v))).collect()),
        );
    }
}

fn maintainer_json(m: &Maintainer) -> Value {
    let mut map = Map::new();
    put_str(&mut map, "name", Some(&m.name));
    put_str(&mut map, "email", m.email.as_deref());
    put_str(&mut map, "url", m.url.as_deref());
    Value::Object(map)
}

fn dependency_json(d: &Dependency) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), Value::String(sanitize(&d.name)));
    put_str(&mut map, "version", d.version.as_deref());
    map.insert(
        "repository".into(),
        Value::String(sanitize(d.repository.as_deref().unwrap_or(""))),
    );
    put_str(&mut map, "condition", d.condition.as_deref());
    put_list(&mut map, "tags", &d.tags);
    if d.enabled == Some(true) {
        map.insert("enabled".into(), Value::Bool(true));
    }
    if !d.import_values.is_empty() {
        map.insert(
            "import-values".into(),
            Value::Array(d.import_values.iter().map(sorted).collect()),
        );
    }
    put_str(&mut map, "alias", d.alias.as_deref());
    Value::Object(map)
}

/// The config blob Helm writes for a chart: its metadata as JSON, with Helm's field names and
/// order, empty fields left out, strings sanitized as Helm's loader does, fields Helm does not
/// know dropped, and Go's escaping (`<` is `\u003c`). A missing `apiVersion` is `v1`.
///
/// ```
/// use shiprail::chart::{helm_config_json, ChartFile};
/// let file = ChartFile::parse("apiVersion: v2\nname: delivery\nversion: 1.0.2\nappVersion: \"1.0.2\"\nx-team: drones\n")?;
/// assert_eq!(String::from_utf8(helm_config_json(file.metadata()))?,
///     r#"{"name":"delivery","version":"1.0.2","apiVersion":"v2","appVersion":"1.0.2"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn helm_config_json(md: &ChartMetadata) -> Vec<u8> {
    let mut map = Map::new();
    put_str(&mut map, "name", Some(&md.name));
    put_str(&mut map, "home", md.home.as_deref());
    put_list(&mut map, "sources", &md.sources);
    if !md.version.is_empty() {
        map.insert("version".into(), Value::String(md.version.clone()));
    }
    put_str(&mut map, "description", md.description.as_deref());
    put_list(&mut map, "keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        map.insert(
            "maintainers".into(),
            Value::Array(md.maintainers.iter().map(maintainer_json).collect()),
        );
    }
    put_str(&mut map, "icon", md.icon.as_deref());
    let api_version = if md.api_version.is_empty() {
        "v1"
    } else {
        md.api_version.as_str()
    };
    map.insert("apiVersion".into(), Value::String(api_version.to_string()));
    put_str(&mut map, "condition", md.condition.as_deref());
    put_str(&mut map, "tags", md.tags.as_deref());
    put_str(&mut map, "appVersion", md.app_version.as_deref());
    if md.deprecated {
        map.insert("deprecated".into(), Value::Bool(true));
    }
    if !md.annotations.is_empty() {
        map.insert(
            "annotations".into(),
            Value::Object(
                md.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        );
    }
    put_str(&mut map, "kubeVersion", md.kube_version.as_deref());
    if !md.dependencies.is_empty() {
        map.insert(
            "dependencies".into(),
            Value::Array(md.dependencies.iter().map(dependency_json).collect()),
        );
    }
    put_str(&mut map, "type", md.chart_type.as_deref());
    go_json(&Value::Object(map)).into_bytes()
}

/// The manifest annotations Helm writes: description, title (the name), version, url (home),
/// created, source (the first of `sources`), authors (`Name (email), Name`), then the chart's
/// own annotations, which may replace any of those except title and version. Empty values are
/// left out.
///
/// ```
/// use shiprail::chart::{helm_annotations, ChartFile};
/// let file = ChartFile::parse("name: delivery\nversion: 1.0.2\nmaintainers: [{name: Ann, email: a@x.io}]\n")?;
/// let annotations = helm_annotations(file.metadata(), "1970-01-01T00:00:00Z");
/// assert_eq!(annotations["org.opencontainers.image.authors"], "Ann (a@x.io)");
/// assert_eq!(annotations["org.opencontainers.image.title"], "delivery");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn helm_annotations(md: &ChartMetadata, created: &str) -> BTreeMap<String, String> {
    const PREFIX: &str = "org.opencontainers.image.";
    let mut out = BTreeMap::new();
    let mut add = |key: &str, value: &str| {
        if !value.trim().is_empty() {
            out.insert(format!("{PREFIX}{key}"), value.to_string());
        }
    };
    add(
        "description",
        &sanitize(md.description.as_deref().unwrap_or("")),
    );
    add("title", &sanitize(&md.name));
    add("version", &md.version);
    add("url", &sanitize(md.home.as_deref().unwrap_or("")));
    add("created", created);
    if let Some(source) = md.sources.first() {
        add("source", &sanitize(source));
    }
    if !md.maintainers.is_empty() {
        let authors: Vec<String> = md
            .maintainers
            .iter()
            .map(|m| {
                let mut s = sanitize(&m.name);
                if let Some(email) = m.email.as_deref().map(sanitize).filter(|e| !e.is_empty()) {
                    s.push_str(&format!(" ({email})"));
                }
                s
            })
            .collect();
        add("authors", &authors.join(", "));
    }
    for (key, value) in &md.annotations {
        if key == &format!("{PREFIX}title") || key == &format!("{PREFIX}version") {
            continue;
        }
        out.insert(key.clone(), value.clone());
    }
    out
}

/// A blob a manifest points at.
fn descriptor(media_type: &str, bytes: &[u8]) -> Value {
    serde_json::json!({
        "mediaType": media_type,
        "digest": format!("sha256:{}", super::sha256_hex(bytes)),
        "size": bytes.len(),
    })
}

/// The manifest of a chart as Helm writes it (no `mediaType` field; it is sent as the
/// `Content-Type`): `{"schemaVersion":2,"config":...,"layers":[...],"annotations":{...}}`.
pub fn helm_manifest_json(
    config: &[u8],
    chart: &[u8],
    annotations: &BTreeMap<String, String>,
) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("schemaVersion".into(), Value::from(2));
    map.insert("config".into(), descriptor(HELM_CONFIG_MEDIA_TYPE, config));
    map.insert(
        "layers".into(),
        Value::Array(vec![descriptor(HELM_CHART_LAYER_MEDIA_TYPE, chart)]),
    );
    if !annotations.is_empty() {
        map.insert(
            "annotations".into(),
            Value::Object(
                annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        );
    }
    go_json(&Value::Object(map)).into_bytes()
}

/// `seconds` after the Unix epoch as RFC 3339 in UTC (`2024-05-01T12:00:00Z`), the form of
/// `org.opencontainers.image.created`. The same clock arithmetic as release records
/// ([`Timestamp`]), capped at the year 9999.
pub fn rfc3339_utc(seconds: u64) -> String {
    Timestamp::from_unix_seconds(seconds).to_string()
}

/// Checks that `created` is an RFC 3339 date-time of a real calendar date from 1970 on
/// (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00+02:00`, fractions allowed), as
/// [`Timestamp`] reads it. The value itself is kept as written in the annotation.
///
/// # Errors
/// [`ErrorKind::InvalidChart`] naming the value.
pub fn check_created(created: &str) -> Result<()> {
    created.parse::<Timestamp>().map(drop).map_err(|_| {
        let shown: String = created.chars().take(100).collect();
        Error::new(
            ErrorKind::InvalidChart,
            format!(
                "`{}` is not an RFC 3339 date-time for `org.opencontainers.image.created` (`2024-05-01T12:00:00Z`)",
                shown.escape_debug()
            ),
        )
        .with_input(shown)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chart::ChartFile;

    #[test]
    fn reference_table() {
        let ok: &[(&str, &str, &str, Option<&str>)] = &[
            (
                "oci://127.0.0.1:5000/charts",
                "127.0.0.1:5000",
                "charts",
                None,
            ),
            ("oci://127.0.0.1:5000", "127.0.0.1:5000", "", None),
            ("oci://127.0.0.1:5000/", "127.0.0.1:5000", "", None),
            (
                "oci://r.io/a/b/delivery:1.0.2_build.5",
                "r.io",
                "a/b/delivery",
                Some("1.0.2_build.5"),
            ),
            (
                "oci://localhost/delivery:1.0.2",
                "localhost",
                "delivery",
                Some("1.0.2"),
            ),
            ("oci://[::1]:5000/x", "[::1]:5000", "x", None),
        ];
        for (input, registry, repository, tag) in ok {
            let r: ChartReference = input.parse().unwrap();
            assert_eq!(
                (r.registry(), r.repository(), r.tag()),
                (*registry, *repository, *tag),
                "{input}"
            );
            assert_eq!(r.to_string(), input.trim_end_matches('/'));
        }
        let bad: &[(&str, &str)] = &[
            ("127.0.0.1:5000/charts", "must start with `oci://`"),
            ("oci://", "host after `oci://` is empty"),
            ("oci:///charts", "host after `oci://` is empty"),
            ("oci://registry/charts", "does not read as a registry host"),
            ("oci://r.io/Charts", "not a valid repository path"),
            ("oci://r.io/a:1.0+x", "not a valid image tag"),
            ("oci://r.io/a@sha256:00", "digest"),
            ("oci://r.io:1.0.0", "port `1.0.0` is not made of digits"),
        ];
        for (input, want) in bad {
            let err = input.parse::<ChartReference>().unwrap_err();
            assert_eq!(err.code(), "invalid_image_reference", "{input}");
            assert!(err.message().contains(want), "{input}: {}", err.message());
        }
        assert_eq!(
            "oci://registry/charts"
                .parse::<ChartReference>()
                .unwrap_err()
                .to_string(),
            "`oci://registry/charts` is not a valid chart reference: `registry` does not read as a registry host: it needs a `.` or a `:` (`registry:5000`), or to be `localhost`"
        );
    }

    #[test]
    fn hostile_references_never_panic() {
        let long = format!("oci://r.io/{}", "a".repeat(1 << 20));
        for input in [
            "",
            "\0",
            "oci://\u{7}/x",
            "oci://r.io/é",
            &long,
            "oci://r.io/a:",
            "oci://:5000/x",
        ] {
            let err = input.parse::<ChartReference>().unwrap_err();
            assert_eq!(err.code(), "invalid_image_reference");
            assert!(err.message().len() < 2000);
        }
    }

    #[test]
    fn join_and_versions() {
        let base: ChartReference = "oci://r.io/helm".parse().unwrap();
        let chart = base.join("delivery").unwrap();
        assert_eq!(chart.to_string(), "oci://r.io/helm/delivery");
        assert_eq!(
            chart.with_version("1.0.2+b.5").unwrap().to_string(),
            "oci://r.io/helm/delivery:1.0.2_b.5"
        );
        let root: ChartReference = "oci://r.io".parse().unwrap();
        assert_eq!(
            root.join("delivery").unwrap().image().unwrap().to_string(),
            "r.io/delivery"
        );
        assert!(root.image().is_err());
    }

    #[test]
    fn versions_from_tags() {
        let tags = [
            "0.9.0",
            "v1.0.0",
            "1.0.2_build.5",
            "latest",
            "1.0",
            "1.0.3-rc.1",
            "1.0.2",
            "sha256-ab.sig",
        ];
        assert_eq!(
            chart_versions_from_tags(&tags),
            ["1.0.3-rc.1", "1.0.2+build.5", "1.0.2", "0.9.0"]
        );
        assert!(chart_versions_from_tags::<&str>(&[]).is_empty());
    }

    #[test]
    fn config_json_matches_helm() {
        // What Helm 3.19 and 4.1 wrote for this Chart.yaml (read back from a registry).
        let file = ChartFile::parse(concat!(
            "apiVersion: v2\nname: probe\nversion: 1.2.3+build.7\nappVersion: \"1.2.3\"\n",
            "description: \"D\u{e9}j\u{e0} <vu> & co\\tx\"\nhome: https://example.com/a?b=c&d\n",
            "sources: [https://s1, https://s2]\nkeywords: [a, b]\n",
            "maintainers:\n  - name: Ann\n    email: ann@example.com\n  - name: Bob\n    url: https://bob\n",
            "annotations:\n  org.opencontainers.image.title: ignored\n  custom: \"\u{fc}n\u{ef}\"\n  a.b: \"x\"\n",
            "dependencies:\n  - name: sub\n    version: 0.1.0\n    repository: \"\"\n",
            "    import-values: [{child: b, parent: a}, data]\nx-extra: 1\n",
        ))
        .unwrap();
        let config = helm_config_json(file.metadata());
        assert_eq!(
            String::from_utf8(config.clone()).unwrap(),
            "{\"name\":\"probe\",\"home\":\"https://example.com/a?b=c\\u0026d\",\"sources\":[\"https://s1\",\"https://s2\"],\"version\":\"1.2.3+build.7\",\"description\":\"D\u{e9}j\u{e0} \\u003cvu\\u003e \\u0026 co x\",\"keywords\":[\"a\",\"b\"],\"maintainers\":[{\"name\":\"Ann\",\"email\":\"ann@example.com\"},{\"name\":\"Bob\",\"url\":\"https://bob\"}],\"apiVersion\":\"v2\",\"appVersion\":\"1.2.3\",\"annotations\":{\"a.b\":\"x\",\"custom\":\"\u{fc}n\u{ef}\",\"org.opencontainers.image.title\":\"ignored\"},\"dependencies\":[{\"name\":\"sub\",\"version\":\"0.1.0\",\"repository\":\"\",\"import-values\":[{\"child\":\"b\",\"parent\":\"a\"},\"data\"]}]}"
        );
        assert_eq!(
            super::super::sha256_hex(&config),
            "3f609444a16129f09d621f3161a95e6fccaf423f351b4611540c8ef16325a650"
        );
        let annotations = helm_annotations(file.metadata(), "2020-01-02T03:04:05Z");
        let manifest = helm_manifest_json(&config, b"x", &annotations);
        let text = String::from_utf8(manifest).unwrap();
        assert!(text.starts_with("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"sha256:3f609444a16129f09d621f3161a95e6fccaf423f351b4611540c8ef16325a650\",\"size\":528},\"layers\":[{\"mediaType\":\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\""), "{text}");
        assert!(text.ends_with(",\"annotations\":{\"a.b\":\"x\",\"custom\":\"\u{fc}n\u{ef}\",\"org.opencontainers.image.authors\":\"Ann (ann@example.com), Bob\",\"org.opencontainers.image.created\":\"2020-01-02T03:04:05Z\",\"org.opencontainers.image.description\":\"D\u{e9}j\u{e0} \\u003cvu\\u003e \\u0026 co x\",\"org.opencontainers.image.source\":\"https://s1\",\"org.opencontainers.image.title\":\"probe\",\"org.opencontainers.image.url\":\"https://example.com/a?b=c\\u0026d\",\"org.opencontainers.image.version\":\"1.2.3+build.7\"}}"), "{text}");
    }

    #[test]
    fn minimal_config_defaults_api_version() {
        let file = ChartFile::parse("name: a\nversion: 0.1.0\ndeprecated: true\n").unwrap();
        assert_eq!(
            String::from_utf8(helm_config_json(file.metadata())).unwrap(),
            r#"{"name":"a","version":"0.1.0","apiVersion":"v1","deprecated":true}"#
        );
    }

    #[test]
    fn timestamps() {
        let cases: &[(u64, &str)] = &[
            (0, "1970-01-01T00:00:00Z"),
            (1_577_934_245, "2020-01-02T03:04:05Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ];
        for (secs, want) in cases {
            assert_eq!(rfc3339_utc(*secs), *want);
            check_created(want).unwrap();
        }
        for ok in ["2024-05-01T14:00:00+02:00", "2024-05-01T14:00:00.123Z"] {
            check_created(ok).unwrap();
        }
        for bad in [
            "",
            "now",
            "2024-05-01",
            "2024-05-01T14:00:00",
            "2024-05-01T14:00:00+0200",
            "2024-05-01T14:00:00.Z",
            "2024-02-30T00:00:00Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(
                check_created(bad).unwrap_err().code(),
                "invalid_chart",
                "{bad}"
            );
        }
    }
}
