//! Setting a chart's version and appVersion from a release, by editing the Chart.yaml text in
//! place so comments and formatting survive.

use super::metadata::{BOM, CHART_FILE, ChartFile, ChartMetadata};
use super::yaml::{self, Node, Style, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::tag::TagPolicy;
use crate::version::ReleaseVersion;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The chart version and appVersion of one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartVersions {
    /// The chart `version`: the release version itself (Helm requires SemVer there).
    pub version: ReleaseVersion,
    /// The chart `appVersion`, rendered by the tag policy's `app_version` template.
    pub app_version: String,
}

impl ChartVersions {
    /// The versions of chart `chart` for `release` under `policy` (1:1 by default:
    /// release 1.0.2 gives version 1.0.2 and appVersion "1.0.2"). Fails with
    /// [`ErrorKind::ConfigInvalid`] for an invalid policy.
    pub fn from_release(
        policy: &TagPolicy,
        chart: &str,
        release: &ReleaseVersion,
    ) -> Result<ChartVersions> {
        policy.validate()?;
        Ok(ChartVersions {
            version: release.clone(),
            app_version: policy.app_version.render(chart, release),
        })
    }
}

/// What an in-place edit changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionChange {
    /// The edited file.
    pub file: PathBuf,
    /// The chart (or, for a dependency bump, the dependency) version before.
    pub previous_version: Option<String>,
    /// The version after.
    pub version: Option<String>,
    /// appVersion before (chart edits only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_app_version: Option<String>,
    /// appVersion after (chart edits only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// The dependency edited (dependency bumps only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependency: Option<String>,
    /// Whether the file changed.
    pub changed: bool,
}

struct Edit {
    start: usize,
    end: usize,
    text: String,
}

fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.start..edit.end, &edit.text);
    }
    out
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidChart, message)
}

/// A YAML double-quoted scalar.
pub(crate) fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `value` can be written as a plain scalar and still read back as the same string.
fn plain_safe(value: &str) -> bool {
    value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with([' ', ':'])
        && !value.contains(['\n', '\t', '{', '}', '[', ']', ',', '"', '\'', '`'])
        && matches!(yaml::resolve_plain(value), Value::Str(_))
}

/// The scalar text for `value`, written the way the old scalar was where that is safe.
fn scalar_text(value: &str, old: Option<Style>, force_quotes: bool) -> String {
    match old {
        Some(Style::SingleQuoted) if !force_quotes => format!("'{}'", value.replace('\'', "''")),
        Some(Style::Plain) if !force_quotes && plain_safe(value) => value.to_string(),
        None if !force_quotes && plain_safe(value) => value.to_string(),
        _ => double_quoted(value),
    }
}

/// Replaces the value `node` (a scalar or alias) with `new_text`.
fn replace_value(node: &Node, field: &str, new_text: String) -> Result<Edit> {
    match node.style {
        Style::Plain | Style::SingleQuoted | Style::DoubleQuoted | Style::Alias => {}
        Style::Block => {
            return Err(invalid(format!(
                "`{field}` is a block scalar (`|` or `>`); write it as a plain or quoted scalar to let shiprail set it"
            )));
        }
        Style::Collection | Style::FlowCollection => {
            return Err(invalid(format!(
                "`{field}` is a {}, not a scalar",
                if node.as_seq().is_some() {
                    "list"
                } else {
                    "mapping"
                }
            )));
        }
    }
    let start = node.span.tag_start.unwrap_or(node.span.start.offset);
    Ok(Edit {
        start,
        end: node.span.end.offset,
        text: new_text,
    })
}

/// Where to insert a new `key: value` line after the entry whose value is `after` (at the start
/// of the next line), with the indentation of `key_node`.
fn insert_after(text: &str, after: &Node, key_node: &Node, key: &str, value: &str) -> Result<Edit> {
    let end = after.span.end.offset.min(text.len());
    let at_line_start = end == 0 || text[..end].ends_with('\n');
    let (at, prefix) = if at_line_start {
        (end, "")
    } else {
        match text[end..].find('\n') {
            Some(i) => (end + i + 1, ""),
            None => (text.len(), "\n"),
        }
    };
    let indent = " ".repeat(key_node.span.start.column.saturating_sub(1) as usize);
    Ok(Edit {
        start: at,
        end: at,
        text: format!("{prefix}{indent}{key}: {value}\n"),
    })
}

fn check_app_version(app_version: &str) -> Result<()> {
    if app_version.is_empty() || app_version.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::InvalidTag,
            format!(
                "appVersion `{}` must be non-empty text without control characters",
                app_version.escape_debug()
            ),
        )
        .with_input(app_version));
    }
    Ok(())
}

fn parse_for_edit(text: &str) -> Result<(bool, &str, ChartFile)> {
    let had_bom = text.starts_with(BOM);
    let body = text.strip_prefix(BOM).unwrap_or(text);
    let file = ChartFile::parse(body)?;
    Ok((had_bom, body, file))
}

fn finish(had_bom: bool, body: String) -> String {
    if had_bom {
        format!("{BOM}{body}")
    } else {
        body
    }
}

/// Sets `version` and/or `appVersion` in Chart.yaml text, changing only those scalars (see
/// the module section "Versioning"). `appVersion` is always written double-quoted, so that
/// `1.10` stays a string; `version` keeps its quoting. A missing key is added on its own line
/// after `version` (or `name`). The result is parsed again and must differ from the input in
/// those two values only, or the edit is refused ([`ErrorKind::InvalidChart`]).
pub fn rewrite_versions(
    text: &str,
    version: Option<&ReleaseVersion>,
    app_version: Option<&str>,
) -> Result<String> {
    if let Some(a) = app_version {
        check_app_version(a)?;
    }
    let (had_bom, body, file) = parse_for_edit(text)?;
    let root = file.root();
    if root.is_some_and(|r| r.style == Style::FlowCollection) {
        return Err(invalid(
            "Chart.yaml is a flow mapping (`{...}`); write it in block style to let shiprail edit it"
                .to_string(),
        ));
    }
    let mut edits = Vec::new();
    let mut new_entries: Vec<(String, String)> = Vec::new();
    let fields: [(&str, Option<String>, bool); 2] = [
        ("version", version.map(ToString::to_string), false),
        ("appVersion", app_version.map(str::to_string), true),
    ];
    for (key, value, force_quotes) in fields {
        let Some(value) = value else { continue };
        let nodes: Vec<&Node> = root
            .map(|r| r.entries_named(key).map(|(_, v)| v).collect())
            .unwrap_or_default();
        if nodes.is_empty() {
            new_entries.push((key.to_string(), scalar_text(&value, None, force_quotes)));
        }
        for node in nodes {
            let old = (node.style != Style::Alias).then_some(node.style);
            edits.push(replace_value(
                node,
                key,
                scalar_text(&value, old, force_quotes),
            )?);
        }
    }
    for (key, value) in &new_entries {
        match root.and_then(|r| r.as_map()) {
            Some(entries) if !entries.is_empty() => {
                let after_key = if key == "appVersion" {
                    "version"
                } else {
                    "name"
                };
                let anchor = root
                    .and_then(|r| r.entry(after_key))
                    .or_else(|| entries.last().map(|(k, v)| (k, v)));
                if let Some((k, v)) = anchor {
                    edits.push(insert_after(body, v, k, key, value)?);
                }
            }
            _ => {
                let sep = if body.is_empty() || body.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                edits.push(Edit {
                    start: body.len(),
                    end: body.len(),
                    text: format!("{sep}{key}: {value}\n"),
                });
            }
        }
    }
    // Two insertions at the same point keep their order (version before appVersion).
    let out = apply_in_order(body, edits);
    let mut expected = file.metadata().clone();
    if let Some(v) = version {
        expected.version = v.to_string();
    }
    if let Some(a) = app_version {
        expected.app_version = Some(a.to_string());
    }
    verify(&out, &expected, "version and appVersion")?;
    Ok(finish(had_bom, out))
}

fn apply_in_order(text: &str, edits: Vec<Edit>) -> String {
    // Stable on equal positions: later edits at the same offset go after earlier ones.
    let mut indexed: Vec<(usize, Edit)> = edits.into_iter().enumerate().collect();
    indexed.sort_by(|(ia, a), (ib, b)| b.start.cmp(&a.start).then(ib.cmp(ia)));
    let mut out = text.to_string();
    for (_, edit) in indexed {
        out.replace_range(edit.start..edit.end, &edit.text);
    }
    out
}

fn verify(out: &str, expected: &ChartMetadata, what: &str) -> Result<()> {
    let reread = ChartFile::parse(out).map_err(|e| {
        invalid(format!(
            "setting the {what} in place would break Chart.yaml ({e}); edit it by hand"
        ))
    })?;
    if reread.metadata() != expected {
        return Err(invalid(format!(
            "cannot set the {what} in place: the value is shared with other fields (an anchor, alias or merge key) or written more than once in different ways; edit Chart.yaml by hand"
        )));
    }
    Ok(())
}

/// Sets the `version` of dependency `dependency` (matched by the name it is known by: its
/// alias, else its name; failing that, by its chart name) in an
/// umbrella chart's Chart.yaml text, e.g. to pin a subchart to its new release. `version` is
/// an exact version or a range (`1.0.2`, `~1.0.0`, `>=1.0.0 <2.0.0`).
pub fn rewrite_dependency_version(text: &str, dependency: &str, version: &str) -> Result<String> {
    let version_ok = !version.trim().is_empty()
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .+-*^~<>=!|,".contains(c));
    if !version_ok {
        return Err(Error::new(
            ErrorKind::InvalidVersion,
            format!(
                "`{}` is not a dependency version: write a version or range such as `1.0.2` or `~1.0.0`",
                version.escape_debug()
            ),
        )
        .with_input(version));
    }
    let (had_bom, body, file) = parse_for_edit(text)?;
    let items: Vec<&Node> = file
        .root()
        .and_then(|r| r.get("dependencies"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(|n| n.as_map().is_some())
        .collect();
    let field = |n: &Node, k: &str| n.get(k).and_then(Node::as_go_string).unwrap_or_default();
    // The name a dependency is known by (its alias, else its name) first; then the plain name.
    let known_by = |n: &Node| {
        let alias = field(n, "alias");
        if alias.is_empty() {
            field(n, "name")
        } else {
            alias
        }
    };
    let by_known: Vec<usize> = (0..items.len())
        .filter(|&i| known_by(items[i]) == dependency)
        .collect();
    let matches = if by_known.is_empty() {
        (0..items.len())
            .filter(|&i| field(items[i], "name") == dependency)
            .collect()
    } else {
        by_known
    };
    let index = match matches.as_slice() {
        [one] => *one,
        [] => {
            let names: Vec<String> = items
                .iter()
                .flat_map(|n| [field(n, "name"), field(n, "alias")])
                .filter(|s| !s.is_empty())
                .collect();
            let mut e = invalid(format!(
                "Chart.yaml has no dependency named `{}`",
                dependency.escape_debug()
            ))
            .with_input(dependency);
            if dependency.len() <= 64
                && let Some(c) =
                    crate::suggest::closest(dependency, names.iter().map(String::as_str))
            {
                e = e.with_suggestion(c);
            }
            return Err(e);
        }
        _ => {
            return Err(invalid(format!(
                "several dependencies are named `{}`: name the one to bump by its alias",
                dependency.escape_debug()
            )));
        }
    };
    let item = items[index];
    let edit = match item.entry("version") {
        Some((_, node)) => {
            let old = (node.style != Style::Alias).then_some(node.style);
            replace_value(
                node,
                "dependencies[].version",
                scalar_text(version, old, false),
            )?
        }
        None => {
            if item.style == Style::FlowCollection {
                return Err(invalid(
                    "the dependency is a flow mapping (`{...}`); add its version by hand"
                        .to_string(),
                ));
            }
            let (k, v) = item
                .entry("name")
                .or_else(|| item.as_map().and_then(|m| m.last()).map(|(k, v)| (k, v)))
                .ok_or_else(|| invalid("the dependency entry is empty".to_string()))?;
            insert_after(body, v, k, "version", &scalar_text(version, None, false))?
        }
    };
    let out = apply(body, vec![edit]);
    let mut expected = file.metadata().clone();
    let target_name = field(item, "name");
    let target_alias = item.get("alias").and_then(Node::as_go_string);
    if let Some(dep) = expected
        .dependencies
        .iter_mut()
        .filter(|d| d.name == target_name && d.alias == target_alias)
        .nth(
            items[..index]
                .iter()
                .filter(|n| {
                    field(n, "name") == target_name
                        && n.get("alias").and_then(Node::as_go_string) == target_alias
                })
                .count(),
        )
    {
        dep.version = Some(version.to_string());
    }
    verify(&out, &expected, "dependency version")?;
    Ok(finish(had_bom, out))
}

fn read_chart_yaml(dir: &Path) -> Result<(PathBuf, String)> {
    let path = dir.join(CHART_FILE);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, &e))?;
    let text = super::metadata::utf8(&bytes)
        .map_err(|e| e.in_file(&path))?
        .to_string();
    Ok((path, text))
}

fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("yaml.shiprail-tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, &e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, &e)
    })
}

/// Sets `version` and/or `appVersion` in `dir/Chart.yaml` in place ([`rewrite_versions`]);
/// the file is replaced atomically and only when something changed.
pub fn write_versions(
    dir: impl AsRef<Path>,
    version: Option<&ReleaseVersion>,
    app_version: Option<&str>,
) -> Result<VersionChange> {
    let (path, text) = read_chart_yaml(dir.as_ref())?;
    let before = ChartFile::parse(&text).map_err(|e| e.in_file(&path))?;
    let out = rewrite_versions(&text, version, app_version).map_err(|e| e.in_file(&path))?;
    let changed = out != text;
    if changed {
        write_atomically(&path, &out)?;
    }
    let after = ChartFile::parse(&out).map_err(|e| e.in_file(&path))?;
    Ok(VersionChange {
        file: path,
        previous_version: Some(before.metadata().version.clone()),
        version: Some(after.metadata().version.clone()),
        previous_app_version: before.metadata().app_version.clone(),
        app_version: after.metadata().app_version.clone(),
        dependency: None,
        changed,
    })
}

/// Sets a dependency's version in `dir/Chart.yaml` in place ([`rewrite_dependency_version`]).
pub fn write_dependency_version(
    dir: impl AsRef<Path>,
    dependency: &str,
    version: &str,
) -> Result<VersionChange> {
    let (path, text) = read_chart_yaml(dir.as_ref())?;
    let before = ChartFile::parse(&text).map_err(|e| e.in_file(&path))?;
    let out =
        rewrite_dependency_version(&text, dependency, version).map_err(|e| e.in_file(&path))?;
    let changed = out != text;
    if changed {
        write_atomically(&path, &out)?;
    }
    let previous = before
        .metadata()
        .dependencies
        .iter()
        .find(|d| d.effective_name() == dependency || d.name == dependency)
        .and_then(|d| d.version.clone());
    Ok(VersionChange {
        file: path,
        previous_version: previous,
        version: Some(version.to_string()),
        previous_app_version: None,
        app_version: None,
        dependency: Some(dependency.to_string()),
        changed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn v(s: &str) -> ReleaseVersion {
        s.parse().unwrap()
    }

    #[test]
    fn edits_keep_everything_else() {
        let text = "apiVersion: v2\nname: delivery # the service\n# set by CI:\nversion: 0.1.0   # chart\nappVersion: '0.1.0'\nkeywords:\n  - a\n";
        let out = rewrite_versions(text, Some(&v("1.0.2")), Some("1.0.2")).unwrap();
        assert_eq!(
            out,
            "apiVersion: v2\nname: delivery # the service\n# set by CI:\nversion: 1.0.2   # chart\nappVersion: \"1.0.2\"\nkeywords:\n  - a\n"
        );
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<&str>, &str)] = &[
            (
                "name: c\nversion: \"0.1.0\"\n",
                "1.0.2",
                None,
                "name: c\nversion: \"1.0.2\"\n",
            ),
            (
                "name: c\nversion: '0.1.0'\n",
                "1.0.2",
                None,
                "name: c\nversion: '1.0.2'\n",
            ),
            (
                "name: c\nversion: 0.1.0\n",
                "1.0.2",
                Some("1.10"),
                "name: c\nversion: 1.0.2\nappVersion: \"1.10\"\n",
            ),
            (
                "name: c\nversion: 0.1.0",
                "1.0.2",
                Some("x"),
                "name: c\nversion: 1.0.2\nappVersion: \"x\"\n",
            ),
            (
                "name: c\n",
                "1.0.2",
                Some("1.0.2"),
                "name: c\nversion: 1.0.2\nappVersion: \"1.0.2\"\n",
            ),
            ("", "1.0.2", None, "version: 1.0.2\n"),
            (
                "name: c\nversion: !!str 0.1\n",
                "1.0.2",
                None,
                "name: c\nversion: 1.0.2\n",
            ),
            (
                "\u{feff}name: c\nversion: 0.1.0\n",
                "1.0.2",
                None,
                "\u{feff}name: c\nversion: 1.0.2\n",
            ),
            (
                "name: c\nversion: 0.1.0\r\nappVersion: a\r\n",
                "1.0.2",
                Some("b\"q"),
                "name: c\nversion: 1.0.2\r\nappVersion: \"b\\\"q\"\r\n",
            ),
        ];
        for (text, version, app, want) in cases {
            assert_eq!(
                rewrite_versions(text, Some(&v(version)), *app).unwrap(),
                *want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn refusals() {
        let err = rewrite_versions(
            "version: &v 0.1.0\nappVersion: *v\n",
            Some(&v("1.0.2")),
            None,
        )
        .unwrap_err();
        assert!(
            err.message()
                .starts_with("cannot set the version and appVersion in place"),
            "{err}"
        );
        let err =
            rewrite_versions("{name: c, version: 0.1.0}\n", Some(&v("1.0.2")), None).unwrap_err();
        assert_eq!(err.code(), "invalid_chart");
        let err = rewrite_versions("version: |\n  0.1.0\n", Some(&v("1.0.2")), None).unwrap_err();
        assert!(err.message().contains("block scalar"));
        let err = rewrite_versions("version: 1\n", None, Some("a\nb")).unwrap_err();
        assert_eq!(err.code(), "invalid_tag");
    }

    #[test]
    fn dependency_bumps() {
        let text = "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: delivery\n    version: 0.1.0 # pinned\n    repository: oci://r\n  - name: package\n    alias: pkg\n    repository: oci://r\n";
        let out = rewrite_dependency_version(text, "delivery", "1.0.2").unwrap();
        assert!(out.contains("    version: 1.0.2 # pinned\n"), "{out}");
        let out = rewrite_dependency_version(text, "pkg", "~2.0.0").unwrap();
        assert!(
            out.contains("  - name: package\n    version: \"~2.0.0\"\n    alias: pkg\n"),
            "{out}"
        );
        let err = rewrite_dependency_version(text, "delivry", "1.0.2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Chart.yaml has no dependency named `delivry` (did you mean `delivery`?)"
        );
        assert_eq!(
            rewrite_dependency_version(text, "delivery", "1.0\n")
                .unwrap_err()
                .code(),
            "invalid_version"
        );
    }
}
