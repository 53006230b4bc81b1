//! Helm release names for versions deployed side by side, and the `kubernetes.io/change-cause`
//! annotation.

use crate::error::{Error, ErrorKind, Result};
use crate::version::ReleaseVersion;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Helm refuses release names longer than this.
pub const MAX_RELEASE_NAME_LEN: usize = 53;

/// Kubernetes label values and DNS-1123 labels are at most this long.
pub const MAX_LABEL_LEN: usize = 63;

/// The annotation `kubectl rollout history` shows for each revision.
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";

/// A change cause longer than this many characters is cut (with `…`).
pub const MAX_CHANGE_CAUSE_LEN: usize = 1024;

/// Whether `s` is a DNS-1123 label: 1 to 63 lowercase letters, digits and `-`, starting and
/// ending with a letter or digit.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= MAX_LABEL_LEN
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter().all(|&c| edge(c) || c == b'-')
}

/// The names of one deployment of one version of a service.
///
/// Serialized as `{"release", "service", "version", "environment", "hashed", "labels"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseNames {
    /// The Helm release name: a DNS-1123 label of at most 53 characters.
    pub release: String,
    /// The service as it appears in names (lowercase, `-` for other characters).
    pub service: String,
    /// The version deployed.
    pub version: ReleaseVersion,
    /// The environment, when the name carries one.
    pub environment: Option<String>,
    /// Whether a hash suffix was added, because the readable name was too long or did not
    /// keep every input apart (upper case, build metadata, `-` inside pre-release parts).
    pub hashed: bool,
    /// Recommended labels (`app.kubernetes.io/name`, `/instance`, `/version`) with valid
    /// label values.
    pub labels: BTreeMap<String, String>,
}

/// Lowercases and turns every run of characters other than letters and digits into one `-`.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The first 8 hex digits of the SHA-256 of the inputs: stable across runs and platforms.
fn short_hash(service: &str, version: &ReleaseVersion, environment: Option<&str>) -> String {
    let digest = Sha256::digest(format!(
        "{service}\n{version}\n{}",
        environment.unwrap_or_default()
    ));
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// A label value: at most 63 characters of letters, digits, `-`, `_`, `.`, starting and ending
/// with a letter or digit.
fn label_value(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_LABEL_LEN)
        .collect();
    mapped
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// The release names of `service` at `version`, optionally in `environment` (see the module
/// section "Release names"). Fails with [`ErrorKind::InvalidChart`] when the service or the
/// environment has no letter or digit.
pub fn release_names(
    service: &str,
    version: &ReleaseVersion,
    environment: Option<&str>,
) -> Result<ReleaseNames> {
    let empty = |what: &str, value: &str| {
        Error::new(
            ErrorKind::InvalidChart,
            format!(
                "{what} `{}` cannot be part of a release name: it has no ASCII letter or digit",
                value.escape_debug()
            ),
        )
        .with_input(value)
    };
    let svc = sanitize(service);
    if svc.is_empty() {
        return Err(empty("service", service));
    }
    let env = match environment {
        None => None,
        Some(e) => {
            let s = sanitize(e);
            if s.is_empty() {
                return Err(empty("environment", e));
            }
            Some(s)
        }
    };
    let semver = version.semver();
    let version_text = version.to_string();
    let version_lossless = !version_text.chars().any(|c| c.is_ascii_uppercase())
        && semver.build.is_empty()
        && semver.pre.split('.').all(|p| !p.contains('-'));
    let lossless =
        version_lossless && svc == service && environment.is_none_or(|e| env.as_deref() == Some(e));
    let version_part = format!("v{}", sanitize(&version_text));
    let mut parts = vec![svc.clone(), version_part];
    if let Some(e) = &env {
        parts.push(e.clone());
    }
    let readable = parts.join("-");
    let hashed = !lossless || readable.len() > MAX_RELEASE_NAME_LEN;
    let release = if hashed {
        let hash = short_hash(service, version, environment);
        let budget = MAX_RELEASE_NAME_LEN - hash.len() - 1;
        let mut name = readable.clone();
        if name.len() > budget {
            // Shorten the service first, keeping at least 8 characters of it, so that the
            // version and environment stay readable; then cut the end.
            let excess = name.len() - budget;
            let keep = svc.len().saturating_sub(excess).max(svc.len().min(8));
            let rest = &readable[svc.len()..];
            name = format!("{}{rest}", &svc[..keep]);
            name.truncate(budget);
        }
        format!("{}-{hash}", name.trim_end_matches('-'))
    } else {
        readable
    };
    let mut labels = BTreeMap::new();
    labels.insert("app.kubernetes.io/name".to_string(), label_value(&svc));
    labels.insert("app.kubernetes.io/instance".to_string(), release.clone());
    labels.insert(
        "app.kubernetes.io/version".to_string(),
        label_value(&version_text),
    );
    Ok(ReleaseNames {
        release,
        service: svc,
        version: version.clone(),
        environment: env,
        hashed,
        labels,
    })
}

/// A value a change-cause template can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Service,
    Version,
    Environment,
    Branch,
    Commit,
    ShortCommit,
    Reason,
}

const FIELDS: &[(&str, Field)] = &[
    ("service", Field::Service),
    ("version", Field::Version),
    ("environment", Field::Environment),
    ("branch", Field::Branch),
    ("commit", Field::Commit),
    ("short_commit", Field::ShortCommit),
    ("reason", Field::Reason),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
    Optional(Vec<Piece>),
}

/// The template of the `kubernetes.io/change-cause` annotation: text with `{service}`,
/// `{version}`, `{environment}`, `{branch}`, `{commit}`, `{short_commit}` (7 characters) and
/// `{reason}`; a `[...]` group is left out when a value it uses is missing or empty.
///
/// Default: `{service} v{version}[ to {environment}][ from {branch}][ at {short_commit}][: {reason}]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCauseTemplate {
    text: String,
    pieces: Vec<Piece>,
}

/// The facts a change cause is rendered from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChangeCause {
    /// The service deployed.
    pub service: String,
    /// The version deployed.
    pub version: Option<ReleaseVersion>,
    /// The environment deployed to.
    pub environment: Option<String>,
    /// The branch the release came from.
    pub branch: Option<String>,
    /// The commit the release was built from.
    pub commit: Option<String>,
    /// Why (an approval note, a ticket).
    pub reason: Option<String>,
}

impl Default for ChangeCauseTemplate {
    fn default() -> Self {
        let text = "{service} v{version}[ to {environment}][ from {branch}][ at {short_commit}][: {reason}]";
        // The default is valid by construction; fall back to an empty template otherwise.
        text.parse().unwrap_or(ChangeCauseTemplate {
            text: String::new(),
            pieces: Vec::new(),
        })
    }
}

impl FromStr for ChangeCauseTemplate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let err = |reason: String| {
            Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "`{}` is not a valid change-cause template: {reason}",
                    s.escape_debug()
                ),
            )
            .with_input(s)
        };
        let mut top: Vec<Piece> = Vec::new();
        let mut group: Option<Vec<Piece>> = None;
        let mut text = String::new();
        let mut chars = s.char_indices().peekable();
        let flush = |text: &mut String, target: &mut Vec<Piece>| {
            if !text.is_empty() {
                target.push(Piece::Text(std::mem::take(text)));
            }
        };
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => {
                    let rest = &s[i + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(err("a `{` is never closed".to_string()));
                    };
                    let name = &rest[..end];
                    let Some((_, field)) = FIELDS.iter().find(|(n, _)| *n == name) else {
                        let mut e = err(format!(
                            "`{{{}}}` is not a placeholder; use {{service}}, {{version}}, {{environment}}, {{branch}}, {{commit}}, {{short_commit}} or {{reason}}",
                            name.escape_debug()
                        ));
                        if name.len() <= 64
                            && let Some(c) =
                                crate::suggest::closest(name, FIELDS.iter().map(|(n, _)| *n))
                        {
                            e = e.with_suggestion(format!("{{{c}}}"));
                        }
                        return Err(e);
                    };
                    let target = group.as_mut().unwrap_or(&mut top);
                    flush(&mut text, target);
                    target.push(Piece::Field(*field));
                    for _ in 0..=name.chars().count() {
                        chars.next();
                    }
                }
                '}' => return Err(err("a `}` closes no placeholder".to_string())),
                '[' => {
                    if group.is_some() {
                        return Err(err("`[` groups cannot be nested".to_string()));
                    }
                    flush(&mut text, &mut top);
                    group = Some(Vec::new());
                }
                ']' => {
                    let Some(mut pieces) = group.take() else {
                        return Err(err("a `]` closes no group".to_string()));
                    };
                    flush(&mut text, &mut pieces);
                    top.push(Piece::Optional(pieces));
                }
                c if c.is_control() => {
                    return Err(err("it contains a control character".to_string()));
                }
                c => text.push(c),
            }
        }
        if group.is_some() {
            return Err(err("a `[` is never closed".to_string()));
        }
        flush(&mut text, &mut top);
        Ok(ChangeCauseTemplate {
            text: s.to_string(),
            pieces: top,
        })
    }
}

impl fmt::Display for ChangeCauseTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for ChangeCauseTemplate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChangeCauseTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for ChangeCauseTemplate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ChangeCauseTemplate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A change-cause template: text with {service}, {version}, {environment}, {branch}, {commit}, {short_commit} and {reason}; a [...] group is left out when a value it uses is missing."
        })
    }
}

impl ChangeCauseTemplate {
    /// Renders the annotation value. Control characters become spaces; the result is cut at
    /// [`MAX_CHANGE_CAUSE_LEN`] characters. A placeholder outside `[...]` whose value is
    /// missing or empty fails with [`ErrorKind::InvalidTemplate`].
    pub fn render(&self, cause: &ChangeCause) -> Result<String> {
        let value = |field: Field| -> Option<String> {
            let v = match field {
                Field::Service => Some(cause.service.clone()),
                Field::Version => cause.version.as_ref().map(ToString::to_string),
                Field::Environment => cause.environment.clone(),
                Field::Branch => cause.branch.clone(),
                Field::Commit => cause.commit.clone(),
                Field::ShortCommit => cause.commit.as_ref().map(|c| c.chars().take(7).collect()),
                Field::Reason => cause.reason.clone(),
            };
            v.filter(|s| !s.trim().is_empty())
        };
        let name = |field: Field| {
            FIELDS
                .iter()
                .find(|(_, f)| *f == field)
                .map_or("", |(n, _)| n)
        };
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(field) => match value(*field) {
                    Some(v) => out.push_str(&v),
                    None => {
                        return Err(Error::new(
                            ErrorKind::InvalidTemplate,
                            format!(
                                "change-cause template `{}` needs a value for {{{}}}; give one, or put it in `[...]` to make it optional",
                                self.text,
                                name(*field)
                            ),
                        ));
                    }
                },
                Piece::Optional(pieces) => {
                    let mut part = String::new();
                    let mut complete = true;
                    for p in pieces {
                        match p {
                            Piece::Text(t) => part.push_str(t),
                            Piece::Field(f) => match value(*f) {
                                Some(v) => part.push_str(&v),
                                None => complete = false,
                            },
                            Piece::Optional(_) => {}
                        }
                    }
                    if complete {
                        out.push_str(&part);
                    }
                }
            }
        }
        let cleaned: String = out
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if cleaned.chars().count() > MAX_CHANGE_CAUSE_LEN {
            let mut cut: String = cleaned.chars().take(MAX_CHANGE_CAUSE_LEN - 1).collect();
            cut.push('…');
            return Ok(cut);
        }
        Ok(cleaned)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(service: &str, version: &str, env: Option<&str>) -> ReleaseNames {
        release_names(service, &version.parse().unwrap(), env).unwrap()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, Option<&str>, &str, bool)] = &[
            ("delivery", "1.0.2", None, "delivery-v1-0-2", false),
            ("delivery", "1.0.2", Some("qa"), "delivery-v1-0-2-qa", false),
            (
                "delivery",
                "1.0.3-rc.1",
                Some("qa"),
                "delivery-v1-0-3-rc-1-qa",
                false,
            ),
            (
                "dronescheduler",
                "0.1.0",
                Some("prod"),
                "dronescheduler-v0-1-0-prod",
                false,
            ),
            (
                "delivery",
                "1.0.2+build.5",
                None,
                "delivery-v1-0-2-build-5-d8659ad1",
                true,
            ),
            (
                "Delivery_API",
                "1.0.2",
                None,
                "delivery-api-v1-0-2-6863cfb7",
                true,
            ),
        ];
        for (service, version, env, want, hashed) in cases {
            let n = names(service, version, *env);
            assert_eq!((n.release.as_str(), n.hashed), (*want, *hashed));
            assert!(is_dns1123_label(&n.release), "{}", n.release);
        }
    }

    #[test]
    fn long_names_stay_apart_and_bounded() {
        let long = "a".repeat(60);
        let a = names(&format!("{long}x"), "1.0.0", Some("production"));
        let b = names(&format!("{long}y"), "1.0.0", Some("production"));
        assert_ne!(a.release, b.release);
        assert!(a.release.len() <= MAX_RELEASE_NAME_LEN);
        assert!(a.release.contains("-v1-0-0-production-"), "{}", a.release);
        assert!(is_dns1123_label(&a.release));
        let err = release_names("__", &"1.0.0".parse().unwrap(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "service `__` cannot be part of a release name: it has no ASCII letter or digit"
        );
    }

    #[test]
    fn change_cause() {
        let t = ChangeCauseTemplate::default();
        let mut cause = ChangeCause {
            service: "delivery".into(),
            version: Some("1.0.2".parse().unwrap()),
            ..ChangeCause::default()
        };
        assert_eq!(t.render(&cause).unwrap(), "delivery v1.0.2");
        cause.environment = Some("prod".into());
        cause.branch = Some("release/delivery/v1.0.2".into());
        cause.commit = Some("0123456789abcdef".into());
        cause.reason = Some("approved\nby QA".into());
        assert_eq!(
            t.render(&cause).unwrap(),
            "delivery v1.0.2 to prod from release/delivery/v1.0.2 at 0123456: approved by QA"
        );
        let err = "{servce}".parse::<ChangeCauseTemplate>().unwrap_err();
        assert_eq!(err.suggestion(), Some("{service}"));
        for bad in ["{x", "a}", "[[a]]", "[a", "a]", "{}"] {
            assert!(bad.parse::<ChangeCauseTemplate>().is_err(), "{bad}");
        }
        let t: ChangeCauseTemplate = "{reason}".parse().unwrap();
        assert_eq!(
            t.render(&ChangeCause::default()).unwrap_err().code(),
            "invalid_template"
        );
    }
}
