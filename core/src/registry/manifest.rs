//! Reading just enough of a manifest to copy it: its media type and the descriptors it points
//! at. The bytes themselves are never re-serialized (except when a platform filter rewrites an
//! index), so the digest of what is copied is the digest of what was read.

use super::digest::Digest;
use super::platform::Platform;
use crate::error::{Error, ErrorKind, Result};
use serde::Deserialize;

pub(crate) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub(crate) const OCI_ARTIFACT: &str = "application/vnd.oci.artifact.manifest.v1+json";

/// The manifest media types asked for, in the `Accept` header of every manifest request.
pub(crate) const ACCEPTED: &[&str] = &[
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_LIST,
    OCI_ARTIFACT,
];

/// A descriptor: what a manifest points at.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub(crate) media_type: String,
    pub(crate) digest: String,
    #[serde(default)]
    pub(crate) size: u64,
    #[serde(default)]
    pub(crate) platform: Option<DescriptorPlatform>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DescriptorPlatform {
    #[serde(default)]
    pub(crate) os: String,
    #[serde(default)]
    pub(crate) architecture: String,
    #[serde(default)]
    pub(crate) variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    schema_version: Option<i64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    blobs: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

/// A parsed manifest: its media type, the blobs it needs and the manifests it lists.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    pub(crate) media_type: String,
    /// Config and layers (or an artifact's blobs), in order.
    pub(crate) blobs: Vec<Descriptor>,
    /// The child manifests of an index.
    pub(crate) manifests: Vec<Descriptor>,
}

impl Manifest {
    /// Parses manifest bytes; `what` names the manifest in messages.
    pub(crate) fn parse(bytes: &[u8], what: &str) -> Result<Manifest> {
        let bad = |why: String| {
            Error::new(
                ErrorKind::Registry,
                format!("{what} is not a manifest shiprail can copy: {why}"),
            )
        };
        let raw: Raw =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("invalid JSON ({e})")))?;
        if raw.schema_version != Some(2) {
            return Err(bad(format!(
                "schemaVersion is {}, and only version 2 (Docker schema 2 and OCI) is supported",
                raw.schema_version
                    .map_or("missing".to_string(), |v| v.to_string())
            )));
        }
        let media_type = match raw.media_type.filter(|m| !m.is_empty()) {
            Some(m) => m,
            // The OCI media type field is optional; the content decides.
            None if raw.manifests.is_some() => OCI_INDEX.to_string(),
            None => OCI_MANIFEST.to_string(),
        };
        let mut blobs = Vec::new();
        blobs.extend(raw.config);
        blobs.extend(raw.layers.unwrap_or_default());
        blobs.extend(raw.blobs.unwrap_or_default());
        let manifests = raw.manifests.unwrap_or_default();
        for d in blobs.iter().chain(&manifests) {
            d.digest
                .parse::<Digest>()
                .map_err(|e| bad(e.message().to_string()))?;
        }
        Ok(Manifest {
            media_type,
            blobs,
            manifests,
        })
    }

    /// Whether this is an index (a list of manifests).
    pub(crate) fn is_index(&self) -> bool {
        self.media_type == OCI_INDEX || self.media_type == DOCKER_LIST
    }
}

impl Descriptor {
    pub(crate) fn digest(&self) -> Result<Digest> {
        self.digest.parse()
    }

    /// A foreign or non-distributable layer (Windows base layers, fetched from their `urls`):
    /// not copied, as registries neither hold nor accept it.
    pub(crate) fn is_foreign(&self) -> bool {
        self.media_type.contains("foreign") || self.media_type.contains("nondistributable")
    }

    /// Whether this index entry is selected by `platforms` (empty selects all).
    pub(crate) fn selected_by(&self, platforms: &[Platform]) -> bool {
        platforms.is_empty()
            || self.platform.as_ref().is_some_and(|p| {
                platforms
                    .iter()
                    .any(|want| want.matches(&p.os, &p.architecture, p.variant.as_deref()))
            })
    }
}

/// An index holding only the entries `platforms` selects, as new bytes; `None` when every
/// entry is kept (the original bytes, and digest, stay). Keys and their order are kept.
pub(crate) fn filter_index(bytes: &[u8], platforms: &[Platform]) -> Result<Option<Vec<u8>>> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Registry,
            format!("the index is not valid JSON: {e}"),
        )
    })?;
    let Some(entries) = value
        .get_mut("manifests")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return Ok(None);
    };
    let before = entries.len();
    entries.retain(|entry| {
        serde_json::from_value::<Descriptor>(entry.clone())
            .map(|d| d.selected_by(platforms))
            .unwrap_or(false)
    });
    if entries.len() == before {
        return Ok(None);
    }
    serde_json::to_vec(&value).map(Some).map_err(|e| {
        Error::new(
            ErrorKind::Registry,
            format!("cannot write the filtered index: {e}"),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn parse_table() {
        let image = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"c","digest":"{D1}","size":3}},"layers":[{{"mediaType":"l","digest":"{D2}","size":5}}]}}"#
        );
        let m = Manifest::parse(image.as_bytes(), "m").unwrap();
        assert_eq!(m.media_type, OCI_MANIFEST);
        assert_eq!(m.blobs.len(), 2);
        assert!(!m.is_index());
        let index = format!(r#"{{"schemaVersion":2,"manifests":[{{"digest":"{D1}","size":3}}]}}"#);
        let m = Manifest::parse(index.as_bytes(), "m").unwrap();
        assert!(m.is_index());
        let cases: &[(&str, &str)] = &[
            (
                "{}",
                "`x` is not a manifest shiprail can copy: schemaVersion is missing, and only version 2 (Docker schema 2 and OCI) is supported",
            ),
            (
                r#"{"schemaVersion":1}"#,
                "`x` is not a manifest shiprail can copy: schemaVersion is 1, and only version 2 (Docker schema 2 and OCI) is supported",
            ),
            (
                "nope",
                "`x` is not a manifest shiprail can copy: invalid JSON (expected ident at line 1 column 2)",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(
                Manifest::parse(input.as_bytes(), "`x`")
                    .unwrap_err()
                    .to_string(),
                *message
            );
        }
        let bad_digest = r#"{"schemaVersion":2,"layers":[{"digest":"md5:00","size":1}]}"#;
        assert!(Manifest::parse(bad_digest.as_bytes(), "m").is_err());
    }

    #[test]
    fn filter_keeps_order_and_reports_no_change() {
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"digest":"{D1}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}},{{"digest":"{D2}","size":1,"platform":{{"os":"linux","architecture":"arm64"}}}}]}}"#
        );
        let amd: Vec<Platform> = vec!["linux/amd64".parse().unwrap()];
        let out = filter_index(index.as_bytes(), &amd).unwrap().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(r#"{"schemaVersion":2,"mediaType""#),
            "{text}"
        );
        assert!(text.contains(D1) && !text.contains(D2));
        let both: Vec<Platform> = vec![
            "linux/amd64".parse().unwrap(),
            "linux/arm64".parse().unwrap(),
        ];
        assert!(filter_index(index.as_bytes(), &both).unwrap().is_none());
    }
}
