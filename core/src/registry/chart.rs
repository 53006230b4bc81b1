//! Helm charts in OCI registries: push, pull and version listing, the way Helm does them.

use super::client::{RegistryClient, mismatch};
use super::digest::Digest;
use super::http::scope;
use crate::chart::{
    ArchiveLimits, ChartArchive, ChartMetadata, ChartReference, DEFAULT_CREATED,
    HELM_CHART_LAYER_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE, HELM_LEGACY_CHART_LAYER_MEDIA_TYPE,
    OCI_MANIFEST_MEDIA_TYPE, chart_versions_from_tags, check_created, helm_annotations,
    helm_config_json, helm_manifest_json,
};
use crate::error::{Error, ErrorKind, Result};
use crate::tag::chart_oci_tag;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How a chart is pushed.
#[derive(Debug, Clone, Default)]
pub struct ChartPushOptions {
    /// The `org.opencontainers.image.created` annotation (RFC 3339); `None` writes
    /// [`DEFAULT_CREATED`], so one archive always gives one manifest digest.
    pub created: Option<String>,
    /// Replace a tag that already names a chart with other content.
    pub force: bool,
    /// The limits the archive is loaded with before it is pushed.
    pub limits: ArchiveLimits,
}

/// What [`RegistryClient::push_chart`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartPush {
    /// Where the chart is now: `oci://HOST/PATH/NAME:TAG`.
    pub reference: ChartReference,
    /// The chart name.
    pub name: String,
    /// The chart version (with `+` where the tag has `_`).
    pub version: String,
    /// The tag: the version with `+` mapped to `_`.
    pub tag: String,
    /// The digest of the manifest the tag names.
    pub digest: Digest,
    /// The digest of the chart layer: the SHA-256 of the archive.
    pub chart_digest: Digest,
    /// The digest of the config blob.
    pub config_digest: Digest,
    /// The archive's size in bytes.
    pub size: u64,
    /// The tag already named this chart (same archive): nothing was written. `digest` is then
    /// the manifest found, which may differ from shiprail's when another tool (or another
    /// creation time) pushed it.
    pub already_pushed: bool,
    /// With `force`, the manifest digest the tag named before, when it was replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<Digest>,
}

/// A chart read from a registry by [`RegistryClient::pull_chart`].
#[derive(Debug, Clone, Serialize)]
pub struct ChartPull {
    /// The reference pulled: `oci://HOST/PATH/NAME:TAG`.
    pub reference: ChartReference,
    /// The chart name.
    pub name: String,
    /// The chart version.
    pub version: String,
    /// The digest of the manifest.
    pub digest: Digest,
    /// The digest of the chart layer: the SHA-256 of the archive.
    pub chart_digest: Digest,
    /// The archive's size in bytes.
    pub size: u64,
    /// The chart's metadata, from the archive's Chart.yaml.
    pub metadata: ChartMetadata,
    #[serde(skip)]
    bytes: Vec<u8>,
}

impl ChartPull {
    /// The archive's bytes, exactly as pushed.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The archive's file name: `<name>-<version>.tgz`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }

    /// Writes the archive to `dir/<name>-<version>.tgz` (the directory is created) through a
    /// temporary file renamed into place, so a reader never sees half a file; an existing file
    /// of that name is replaced, as `helm pull` does. Returns the path.
    ///
    /// # Errors
    /// [`ErrorKind::UnsafeArchive`] when the name or version would leave `dir`;
    /// [`ErrorKind::Io`] when writing fails.
    pub fn write_to(&self, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let name = self.file_name();
        if name.contains(['/', '\\', '\0'])
            || name.starts_with('.')
            || name.chars().any(char::is_control)
        {
            return Err(Error::new(
                ErrorKind::UnsafeArchive,
                format!(
                    "`{}` cannot be a file name in `{}`",
                    name.escape_debug(),
                    dir.display()
                ),
            )
            .with_input(name));
        }
        let io = |what: &str, path: &Path, e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot {what} `{}`: {e}", path.display()),
            )
            .with_input(path.display().to_string())
        };
        std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
        let path = dir.join(&name);
        let temp = dir.join(format!(".{name}.{}.part", std::process::id()));
        std::fs::write(&temp, &self.bytes).map_err(|e| io("write", &temp, e))?;
        std::fs::rename(&temp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io("write", &path, e)
        })?;
        Ok(path)
    }
}

/// The parts of a manifest a chart pull needs.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    #[serde(default)]
    schema_version: Option<i64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<RawDescriptor>,
    #[serde(default)]
    layers: Vec<RawDescriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    size: u64,
}

/// The chart layer of a Helm chart manifest, or why the manifest is not one.
fn chart_layer(bytes: &[u8], what: &str) -> Result<(Digest, u64)> {
    let not_chart = |why: String| {
        Error::new(
            ErrorKind::InvalidChart,
            format!("{what} is not a Helm chart: {why}"),
        )
        .with_input(what.trim_matches('`').to_string())
    };
    let manifest: RawManifest = serde_json::from_slice(bytes)
        .map_err(|e| not_chart(format!("its manifest is not JSON ({e})")))?;
    if manifest.schema_version != Some(2) {
        return Err(not_chart("its manifest is not schema version 2".into()));
    }
    if let Some(media_type) = manifest.media_type.as_deref().filter(|m| !m.is_empty())
        && media_type != OCI_MANIFEST_MEDIA_TYPE
    {
        return Err(not_chart(format!(
            "its manifest is `{}`, not an OCI image manifest",
            media_type.escape_debug()
        )));
    }
    match &manifest.config {
        Some(config) if config.media_type == HELM_CONFIG_MEDIA_TYPE => {}
        Some(config) => {
            return Err(not_chart(format!(
                "its config is `{}`, not `{HELM_CONFIG_MEDIA_TYPE}` (an image, not a chart?)",
                config.media_type.escape_debug()
            )));
        }
        None => return Err(not_chart("its manifest has no config".into())),
    }
    let layer = manifest
        .layers
        .iter()
        .find(|l| l.media_type == HELM_CHART_LAYER_MEDIA_TYPE)
        .or_else(|| {
            manifest
                .layers
                .iter()
                .find(|l| l.media_type == HELM_LEGACY_CHART_LAYER_MEDIA_TYPE)
        })
        .ok_or_else(|| {
            not_chart(format!(
                "it has no layer of type `{HELM_CHART_LAYER_MEDIA_TYPE}`"
            ))
        })?;
    let digest: Digest = layer
        .digest
        .parse()
        .map_err(|e: Error| not_chart(e.message().to_string()))?;
    Ok((digest, layer.size))
}

impl RegistryClient {
    /// Pushes a packaged chart (`.tgz` bytes) under `destination` (`oci://HOST/PATH`), as
    /// `helm push` does: repository `PATH/<name>`, tag [`chart_oci_tag`] of the version, the
    /// config, layer and manifest of [`crate::chart`]'s OCI section.
    ///
    /// The archive is loaded with [`ChartArchive::read`] and its Chart.yaml checked like
    /// Helm's loader first: nothing that Helm could not load is pushed. Blobs go first, the tag
    /// last. When the tag already names a chart with the same archive (pushed by shiprail or
    /// by Helm, whatever its creation time), nothing is written (`already_pushed`). When it
    /// names anything else, the push is refused with [`ErrorKind::RegistryClobber`] naming
    /// both digests, unless [`ChartPushOptions::force`]: a released chart version must not
    /// change under the deployments that use it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArchive`], [`ErrorKind::UnsafeArchive`] or
    /// [`ErrorKind::InvalidChart`] for the archive; [`ErrorKind::InvalidImageReference`] when
    /// `destination` has a tag; `registry_*` codes from the registry.
    pub async fn push_chart(
        &self,
        archive: &[u8],
        destination: &ChartReference,
        options: &ChartPushOptions,
    ) -> Result<ChartPush> {
        if destination.tag().is_some() {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{destination}` has a tag: push to the repository (`{}`); the tag is the chart version",
                    destination.without_tag()
                ),
            )
            .with_input(destination.to_string()));
        }
        let loaded = ChartArchive::read(archive, &options.limits)?;
        loaded.chart().validate()?;
        let md = loaded.metadata();
        let chart = destination.join(&md.name)?;
        let reference = chart.with_version(&md.version)?;
        let tag = chart_oci_tag(&md.version);
        let created = options.created.as_deref().unwrap_or(DEFAULT_CREATED);
        check_created(created)?;
        let config = bytes::Bytes::from(helm_config_json(md));
        let layer = bytes::Bytes::copy_from_slice(archive);
        let manifest = bytes::Bytes::from(helm_manifest_json(
            &config,
            &layer,
            &helm_annotations(md, created),
        ));
        let digest = Digest::of(&manifest);
        let chart_digest = Digest::of(&layer);
        let config_digest = Digest::of(&config);
        let image = chart.image()?;
        let host = self.host(image.registry()).await?;
        let repository = image.repository().to_string();
        let shown = format!("`{reference}`");
        let mut outcome = ChartPush {
            reference,
            name: md.name.clone(),
            version: md.version.clone(),
            tag: tag.clone(),
            digest: digest.clone(),
            chart_digest: chart_digest.clone(),
            config_digest: config_digest.clone(),
            size: archive.len() as u64,
            already_pushed: false,
            replaced: None,
        };
        if let Some(existing) = self.head_manifest(&host, &repository, &tag).await? {
            let same = existing == digest || {
                let found = super::client::manifest_ref(&host.name, &repository, &tag);
                let (bytes, _) = self.get_manifest(&host, &found, &shown).await?;
                chart_layer(&bytes, &shown).is_ok_and(|(d, _)| d == chart_digest)
            };
            if same {
                outcome.digest = existing;
                outcome.already_pushed = true;
                return Ok(outcome);
            }
            if !options.force {
                return Err(Error::new(
                    ErrorKind::RegistryClobber,
                    format!(
                        "{shown} already names {existing}, another chart than this archive ({chart_digest}): a released chart version never changes; bump the version, or pass --force to replace it"
                    ),
                )
                .with_input(outcome.reference.to_string()));
            }
            outcome.replaced = Some(existing);
        }
        for (blob, blob_digest) in [(&config, &config_digest), (&layer, &chart_digest)] {
            if !self.blob_exists(&host, &repository, blob_digest).await? {
                self.upload_blob(&host, &repository, blob, blob_digest)
                    .await?;
            }
        }
        self.put_manifest_bytes(&host, &repository, &tag, &manifest, OCI_MANIFEST_MEDIA_TYPE)
            .await?;
        Ok(outcome)
    }

    /// Pulls a chart from `reference` (`oci://HOST/PATH/NAME`, or `...:TAG`), version
    /// `version` (mapped to its tag by [`chart_oci_tag`]); with neither a tag nor a version,
    /// the highest version ([`RegistryClient::chart_versions`]), as `helm pull` does.
    ///
    /// The manifest is checked against its digest and must be a Helm chart (config media
    /// type [`HELM_CONFIG_MEDIA_TYPE`], a chart layer); the layer is checked against its
    /// digest and size, loaded with [`ChartArchive::read`] under `limits`, and must hold the
    /// chart the reference names (same name and version).
    ///
    /// # Errors
    /// [`ErrorKind::RegistryNotFound`] (no such version), [`ErrorKind::InvalidChart`] (not a
    /// chart, or another chart), [`ErrorKind::RegistryDigestMismatch`],
    /// [`ErrorKind::InvalidImageReference`] (a tag and a version that differ), archive
    /// errors, `registry_*` codes.
    pub async fn pull_chart(
        &self,
        reference: &ChartReference,
        version: Option<&str>,
        limits: &ArchiveLimits,
    ) -> Result<ChartPull> {
        let tag = match (reference.tag(), version) {
            (Some(tag), Some(v)) if tag != chart_oci_tag(v) => {
                return Err(Error::new(
                    ErrorKind::InvalidImageReference,
                    format!(
                        "`{reference}` names tag `{tag}`, but the version asked for is `{}`",
                        v.escape_debug()
                    ),
                )
                .with_input(reference.to_string()));
            }
            (Some(tag), _) => tag.to_string(),
            (None, Some(v)) => chart_oci_tag(v),
            (None, None) => {
                let versions = self.chart_versions(reference).await?;
                let Some(highest) = versions.first() else {
                    return Err(Error::new(
                        ErrorKind::RegistryNotFound,
                        format!("`{reference}` has no chart versions (no SemVer tags)"),
                    )
                    .with_input(reference.to_string()));
                };
                chart_oci_tag(highest)
            }
        };
        let reference = reference.without_tag().with_version(&tag)?;
        let image = reference.image()?;
        let host = self.host(image.registry()).await?;
        let repository = image.repository().to_string();
        let shown = format!("`{reference}`");
        let found = super::client::manifest_ref(&host.name, &repository, &tag);
        let (manifest, digest) = self.get_manifest(&host, &found, &shown).await?;
        let (layer_digest, size) = chart_layer(&manifest, &shown)?;
        let cap = limits.max_total_size.max(1 << 20);
        if size > cap {
            return Err(Error::new(
                ErrorKind::InvalidArchive,
                format!("the chart layer of {shown} is {size} bytes, above the {cap}-byte limit"),
            )
            .with_input(reference.to_string()));
        }
        let path = format!("/v2/{repository}/blobs/{layer_digest}");
        let response = self
            .request(
                &host,
                Method::GET,
                &path,
                &[scope(&repository, false)],
                None,
            )
            .await?;
        if !response.status.is_success() {
            return Err(self.refused(
                &host,
                &format!("the chart layer {layer_digest} of {shown}"),
                &response,
            ));
        }
        let bytes = response.bytes.to_vec();
        let actual = Digest::of(&bytes);
        if actual != layer_digest || bytes.len() as u64 != size {
            return Err(mismatch(
                &format!(
                    "the chart layer of {shown} ({} bytes, {size} expected)",
                    bytes.len()
                ),
                &layer_digest,
                &actual,
            ));
        }
        let loaded = ChartArchive::read(bytes.as_slice(), limits)?;
        let md = loaded.metadata().clone();
        if md.name != reference.name() || chart_oci_tag(&md.version) != tag {
            return Err(Error::new(
                ErrorKind::InvalidChart,
                format!(
                    "{shown} holds chart `{}` version `{}`, not the `{}` `{}` it is named for",
                    md.name.escape_debug(),
                    md.version.escape_debug(),
                    reference.name(),
                    tag
                ),
            )
            .with_input(reference.to_string()));
        }
        Ok(ChartPull {
            reference,
            name: md.name.clone(),
            version: md.version.clone(),
            digest,
            chart_digest: actual,
            size,
            metadata: md,
            bytes,
        })
    }

    /// The chart versions in `reference`'s repository (`oci://HOST/PATH/NAME`; a tag is
    /// ignored), highest first, as `helm` lists them ([`chart_versions_from_tags`]).
    ///
    /// # Errors
    /// `registry_*` codes; [`ErrorKind::InvalidImageReference`] for a reference without a path.
    pub async fn chart_versions(&self, reference: &ChartReference) -> Result<Vec<String>> {
        let image = reference.without_tag().image()?;
        let tags = self.list_tags(&image).await?;
        Ok(chart_versions_from_tags(&tags))
    }

    /// Uploads one blob in a single request pair (POST, then PUT with the digest).
    async fn upload_blob(
        &self,
        host: &super::client::Host,
        repository: &str,
        blob: &bytes::Bytes,
        digest: &Digest,
    ) -> Result<()> {
        let scopes = [scope(repository, true)];
        let what = format!("blob {digest} of `{}/{repository}`", host.name);
        let start = self
            .request(
                host,
                Method::POST,
                &format!("/v2/{repository}/blobs/uploads/"),
                &scopes,
                None,
            )
            .await?;
        if start.status.as_u16() != 202 {
            return Err(self.refused(host, &format!("uploading {what}"), &start));
        }
        let location = start.header("Location").unwrap_or_default().to_string();
        let mut path = match location.find("/v2/") {
            Some(at) => location[at..].to_string(),
            None => {
                return Err(Error::new(
                    ErrorKind::Registry,
                    format!("`{}` gave no upload location for {what}", host.name),
                )
                .with_input(host.name.clone()));
            }
        };
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&format!("digest={digest}"));
        let done = self
            .request(
                host,
                Method::PUT,
                &path,
                &scopes,
                Some((blob, "application/octet-stream")),
            )
            .await?;
        if done.status.is_success() {
            Ok(())
        } else if done.status.as_u16() == 400 && done.body.contains("DIGEST_INVALID") {
            Err(mismatch(&what, digest, &Digest::of(blob)))
        } else {
            Err(self.refused(host, &format!("uploading {what}"), &done))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn chart_layer_table() {
        let d = format!("sha256:{}", "a".repeat(64));
        let manifest = |media: &str, config: &str, layer: &str| {
            format!(
                r#"{{"schemaVersion":2{media},"config":{{"mediaType":"{config}","digest":"{d}","size":1}},"layers":[{{"mediaType":"{layer}","digest":"{d}","size":7}}]}}"#
            )
        };
        let ok = manifest("", HELM_CONFIG_MEDIA_TYPE, HELM_CHART_LAYER_MEDIA_TYPE);
        assert_eq!(chart_layer(ok.as_bytes(), "`x`").unwrap().1, 7);
        let legacy = manifest(
            "",
            HELM_CONFIG_MEDIA_TYPE,
            HELM_LEGACY_CHART_LAYER_MEDIA_TYPE,
        );
        assert!(chart_layer(legacy.as_bytes(), "`x`").is_ok());
        let with_type = manifest(
            &format!(r#","mediaType":"{OCI_MANIFEST_MEDIA_TYPE}""#),
            HELM_CONFIG_MEDIA_TYPE,
            HELM_CHART_LAYER_MEDIA_TYPE,
        );
        assert!(chart_layer(with_type.as_bytes(), "`x`").is_ok());
        let cases: &[(String, &str)] = &[
            (
                manifest("", "application/vnd.oci.image.config.v1+json", "x"),
                "its config is `application/vnd.oci.image.config.v1+json`",
            ),
            (
                manifest("", HELM_CONFIG_MEDIA_TYPE, "application/octet-stream"),
                "no layer of type",
            ),
            (
                manifest(
                    r#","mediaType":"application/vnd.oci.image.index.v1+json""#,
                    HELM_CONFIG_MEDIA_TYPE,
                    HELM_CHART_LAYER_MEDIA_TYPE,
                ),
                "not an OCI image manifest",
            ),
            ("{}".to_string(), "schema version 2"),
            ("nope".to_string(), "not JSON"),
        ];
        for (text, want) in cases {
            let err = chart_layer(text.as_bytes(), "`oci://r.io/c:1.0.0`").unwrap_err();
            assert_eq!(err.code(), "invalid_chart");
            assert!(err.message().contains(want), "{}", err.message());
        }
        assert_eq!(
            chart_layer(b"{}", "`oci://r.io/c:1.0.0`")
                .unwrap_err()
                .to_string(),
            "`oci://r.io/c:1.0.0` is not a Helm chart: its manifest is not schema version 2"
        );
    }

    #[test]
    fn unsafe_file_names_are_refused() {
        let pull = ChartPull {
            reference: "oci://r.io/c:1.0.0".parse().unwrap(),
            name: "../c".into(),
            version: "1.0.0".into(),
            digest: Digest::of(b""),
            chart_digest: Digest::of(b""),
            size: 0,
            metadata: ChartMetadata::default(),
            bytes: Vec::new(),
        };
        let dir = std::env::temp_dir();
        assert_eq!(pull.write_to(&dir).unwrap_err().code(), "unsafe_archive");
    }
}
