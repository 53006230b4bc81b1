//! Promotion: copying a tagged image, unchanged, to another repository or registry.

use super::client::{Host, RegistryClient, digest_ref, is_transient, map_error, mismatch, oci_ref};
use super::digest::{Digest, Hasher};
use super::manifest::{Manifest, filter_index};
use super::policy::PromoteRequest;
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageReference;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use oci_client::errors::OciDistributionError;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

/// How the blobs of a promotion were handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BlobCounts {
    /// Already in the destination repository (found by a HEAD request).
    pub skipped: usize,
    /// Mounted from the source repository inside one registry: no bytes moved.
    pub mounted: usize,
    /// Streamed from source to destination, verified on the way.
    pub copied: usize,
}

/// The result of a promotion.
///
/// Serialized as `{"source", "destination", "digest", "manifests", "blobs": {"skipped",
/// "mounted", "copied"}, "bytes_copied", "already_promoted", "source_digest", "dry_run",
/// "referrers"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Promotion {
    /// The source reference (by tag).
    pub source: String,
    /// The destination reference (by tag).
    pub destination: String,
    /// The digest the destination tag names: the source's, unless a platform filter rewrote
    /// an index.
    pub digest: Digest,
    /// How many manifests were written (or would be, in a dry run).
    pub manifests: usize,
    /// How the blobs were handled (or would be).
    pub blobs: BlobCounts,
    /// The bytes streamed between registries (or that would be).
    pub bytes_copied: u64,
    /// The destination tag already named the digest: nothing was written.
    pub already_promoted: bool,
    /// The digest the source tag named; differs from `digest` only when a platform filter
    /// dropped entries of an index.
    pub source_digest: Digest,
    /// Nothing was written: the counts are the plan.
    pub dry_run: bool,
    /// The signature, attestation and SBOM tags, and referrer digests, that travelled along.
    pub referrers: Vec<String>,
}

/// What a promotion is doing, reported through the progress callback as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProgressEvent {
    /// The source tag resolved to a digest.
    Resolved {
        /// The source reference.
        reference: String,
        /// Its digest.
        digest: Digest,
    },
    /// The plan: what is to be written and copied.
    Planned {
        /// Manifests to write.
        manifests: usize,
        /// Distinct blobs referenced.
        blobs: usize,
        /// Bytes to stream between registries.
        bytes_to_copy: u64,
    },
    /// A blob was already in the destination.
    BlobSkipped {
        /// The blob.
        digest: Digest,
        /// Its size.
        size: u64,
    },
    /// A blob was mounted from the source repository.
    BlobMounted {
        /// The blob.
        digest: Digest,
        /// Its size.
        size: u64,
    },
    /// Bytes of a blob being copied (sent every 100 ms or so).
    BlobProgress {
        /// The blob.
        digest: Digest,
        /// Bytes sent so far.
        bytes: u64,
        /// Its size.
        size: u64,
    },
    /// A blob was copied and verified.
    BlobCopied {
        /// The blob.
        digest: Digest,
        /// Its size.
        size: u64,
    },
    /// A manifest was written.
    Manifest {
        /// Its digest.
        digest: Digest,
        /// Its media type.
        media_type: String,
        /// The tag or digest it was written under.
        reference: String,
    },
    /// The destination tag was written: the promotion is complete.
    Tagged {
        /// The destination reference.
        reference: String,
        /// The digest it names.
        digest: Digest,
    },
}

/// A manifest to write.
struct Node {
    digest: Digest,
    media_type: String,
    bytes: Bytes,
    /// The tag it is written under (signature tags), else by digest.
    tag: Option<String>,
}

/// A blob to bring over.
#[derive(Clone)]
struct Blob {
    digest: Digest,
    size: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Skip,
    Mount,
    Copy,
}

/// Manifests collected from the source, children before the manifests that list them.
#[derive(Default)]
struct Collected {
    nodes: Vec<Node>,
    blobs: Vec<Blob>,
    seen_manifests: HashSet<Digest>,
    seen_blobs: HashSet<Digest>,
}

impl Collected {
    fn add_blobs(&mut self, manifest: &Manifest) -> Result<()> {
        for d in &manifest.blobs {
            if d.is_foreign() {
                continue;
            }
            let digest = d.digest()?;
            if self.seen_blobs.insert(digest.clone()) {
                self.blobs.push(Blob {
                    digest,
                    size: d.size,
                });
            }
        }
        Ok(())
    }
}

/// Progress callbacks take `&ProgressEvent`; they must be cheap (they run on the copy path).
pub type Progress<'a> = &'a (dyn Fn(&ProgressEvent) + Send + Sync);

impl RegistryClient {
    /// Promotes `request.source` to `request.destination` (see the module documentation for
    /// the rules), reporting progress to `progress`.
    pub async fn promote(
        &self,
        request: &PromoteRequest,
        progress: Progress<'_>,
    ) -> Result<Promotion> {
        let source = &request.source;
        let destination = &request.destination;
        let (Some(_), Some(dest_tag)) = (source.tag(), destination.tag()) else {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!("promoting `{source}` to `{destination}`: both need a tag"),
            ));
        };
        let mut both = self
            .hosts(&[source.registry(), destination.registry()])
            .await?;
        let (Some(dst), Some(src)) = (both.pop(), both.pop()) else {
            return Err(Error::new(
                ErrorKind::Registry,
                "the registries could not be set up",
            ));
        };

        // 1. Resolve the source tag and check it is what was approved.
        let source_ref = oci_ref(source, None);
        let (root_bytes, source_digest) = self
            .get_manifest(&src, &source_ref, &format!("`{source}`"))
            .await?;
        progress(&ProgressEvent::Resolved {
            reference: source.to_string(),
            digest: source_digest.clone(),
        });
        if let Some(expected) = &request.expected_digest
            && *expected != source_digest
        {
            return Err(Error::new(
                ErrorKind::RegistryUnexpectedDigest,
                format!(
                    "`{source}` is {source_digest}, not the approved {expected}: the tag moved since approval; nothing was promoted"
                ),
            )
            .with_input(source.to_string()));
        }

        // 2. Collect every manifest and blob, children first.
        let root = Manifest::parse(&root_bytes, &format!("`{source}`"))?;
        let mut collected = Collected::default();
        let (root_bytes, digest) = if root.is_index() {
            let kept: Vec<_> = root
                .manifests
                .iter()
                .filter(|d| d.selected_by(&request.platforms))
                .collect();
            if kept.is_empty() {
                let platforms: Vec<String> =
                    request.platforms.iter().map(ToString::to_string).collect();
                return Err(Error::new(
                    ErrorKind::RegistryNotFound,
                    format!(
                        "`{source}` has no manifest for {}: its index lists {}",
                        platforms.join(", "),
                        describe_platforms(&root)
                    ),
                )
                .with_input(source.to_string()));
            }
            for child in kept {
                self.collect_manifest(&src, source, &child.digest()?, None, &mut collected, 0)
                    .await?;
            }
            match filter_index(&root_bytes, &request.platforms)? {
                Some(filtered) => {
                    let bytes = Bytes::from(filtered);
                    let digest = Digest::of(&bytes);
                    (bytes, digest)
                }
                None => (root_bytes, source_digest.clone()),
            }
        } else {
            collected.add_blobs(&root)?;
            (root_bytes, source_digest.clone())
        };
        collected.seen_manifests.insert(digest.clone());
        let root_node = Node {
            digest: digest.clone(),
            media_type: root.media_type.clone(),
            bytes: root_bytes,
            tag: Some(dest_tag.to_string()),
        };

        // 3. The destination tag: already there (done), elsewhere (refused unless forced).
        let existing = self
            .head_manifest(&dst, destination.repository(), dest_tag)
            .await?;
        if let Some(existing) = existing {
            if existing == digest {
                return Ok(Promotion {
                    source: source.to_string(),
                    destination: destination.to_string(),
                    digest,
                    manifests: 0,
                    blobs: BlobCounts::default(),
                    bytes_copied: 0,
                    already_promoted: true,
                    source_digest,
                    dry_run: request.dry_run,
                    referrers: Vec::new(),
                });
            }
            if !request.force {
                return Err(Error::new(
                    ErrorKind::RegistryClobber,
                    format!(
                        "`{destination}` already names {existing}; promoting `{source}` ({digest}) would move it, and release tags never move (force overwrites)"
                    ),
                )
                .with_input(destination.to_string()));
            }
        }

        // 4. Signatures, attestations, SBOMs and referrers of what is promoted.
        let image_nodes = collected.nodes.len();
        let mut referrers = Vec::new();
        if request.referrers {
            let mut subjects: BTreeSet<Digest> = collected.seen_manifests.iter().cloned().collect();
            if digest != source_digest {
                // The rewritten index has no signatures; the original's do not apply to it.
                subjects.remove(&digest);
            } else {
                subjects.insert(source_digest.clone());
            }
            self.collect_referrers(&src, source, &subjects, &mut collected, &mut referrers)
                .await?;
        }

        // 5. Plan the blobs.
        let same_registry = src.name == dst.name;
        let concurrency = self.options.concurrency.max(1);
        let actions: Vec<(Blob, Action)> = stream::iter(collected.blobs.clone())
            .map(|blob| {
                let dst = &dst;
                async move {
                    let present = self
                        .blob_exists(dst, destination.repository(), &blob.digest)
                        .await?;
                    let action = match (present, same_registry) {
                        (true, _) => Action::Skip,
                        (false, true) => Action::Mount,
                        (false, false) => Action::Copy,
                    };
                    Ok::<_, Error>((blob, action))
                }
            })
            .buffered(concurrency)
            .try_collect()
            .await?;
        let bytes_to_copy: u64 = actions
            .iter()
            .filter(|(_, a)| *a == Action::Copy)
            .map(|(b, _)| b.size)
            .sum();
        let manifests = collected.nodes.len() + 1;
        progress(&ProgressEvent::Planned {
            manifests,
            blobs: actions.len(),
            bytes_to_copy,
        });
        if request.dry_run {
            let count = |want: Action| actions.iter().filter(|(_, a)| *a == want).count();
            return Ok(Promotion {
                source: source.to_string(),
                destination: destination.to_string(),
                digest,
                manifests,
                blobs: BlobCounts {
                    skipped: count(Action::Skip),
                    mounted: count(Action::Mount),
                    copied: count(Action::Copy),
                },
                bytes_copied: bytes_to_copy,
                already_promoted: false,
                source_digest,
                dry_run: true,
                referrers,
            });
        }

        // 6. Blobs.
        let done: Vec<(Action, u64)> = stream::iter(actions)
            .map(|(blob, action)| {
                let (src, dst) = (&src, &dst);
                async move {
                    self.bring_blob(src, source, dst, destination, &blob, action, progress)
                        .await
                }
            })
            .buffer_unordered(concurrency)
            .try_collect()
            .await?;
        let mut blobs = BlobCounts::default();
        let mut bytes_copied = 0;
        for (action, bytes) in done {
            match action {
                Action::Skip => blobs.skipped += 1,
                Action::Mount => blobs.mounted += 1,
                Action::Copy => {
                    blobs.copied += 1;
                    bytes_copied += bytes;
                }
            }
        }

        // 7. Manifests: children, then (when referrers follow) the root by digest, then the
        //    referrers, and the destination tag last.
        let (children, referrer_nodes) = collected.nodes.split_at(image_nodes);
        for node in children {
            self.put_manifest(&dst, destination, node, None, progress)
                .await?;
        }
        if !referrer_nodes.is_empty() {
            self.put_manifest(&dst, destination, &root_node, None, progress)
                .await?;
            for node in referrer_nodes {
                self.put_manifest(&dst, destination, node, node.tag.as_deref(), progress)
                    .await?;
            }
        }
        self.put_manifest(&dst, destination, &root_node, Some(dest_tag), progress)
            .await?;
        progress(&ProgressEvent::Tagged {
            reference: destination.to_string(),
            digest: digest.clone(),
        });
        Ok(Promotion {
            source: source.to_string(),
            destination: destination.to_string(),
            digest,
            manifests,
            blobs,
            bytes_copied,
            already_promoted: false,
            source_digest,
            dry_run: false,
            referrers,
        })
    }

    /// Fetches a manifest by digest (or `tag`) and everything it lists, children first.
    async fn collect_manifest(
        &self,
        host: &Host,
        image: &ImageReference,
        digest: &Digest,
        tag: Option<&str>,
        collected: &mut Collected,
        depth: usize,
    ) -> Result<()> {
        if !collected.seen_manifests.insert(digest.clone()) {
            return Ok(());
        }
        let what = format!("manifest {digest} of `{}`", image.without_tag());
        let (bytes, fetched) = self
            .get_manifest(host, &digest_ref(image, digest), &what)
            .await?;
        if fetched != *digest {
            return Err(mismatch(&what, digest, &fetched));
        }
        let manifest = Manifest::parse(&bytes, &what)?;
        if manifest.is_index() {
            if depth >= 4 {
                return Err(Error::new(
                    ErrorKind::Registry,
                    format!("{what} nests indexes more than 4 deep"),
                ));
            }
            for child in &manifest.manifests {
                Box::pin(self.collect_manifest(
                    host,
                    image,
                    &child.digest()?,
                    None,
                    collected,
                    depth + 1,
                ))
                .await?;
            }
        } else {
            collected.add_blobs(&manifest)?;
        }
        collected.nodes.push(Node {
            digest: digest.clone(),
            media_type: manifest.media_type,
            bytes,
            tag: tag.map(str::to_string),
        });
        Ok(())
    }

    /// Signature, attestation and SBOM tags (`sha256-<hex>[.sig|.att|.sbom]`) of `subjects`,
    /// and the referrers the registry's referrers API lists for them.
    async fn collect_referrers(
        &self,
        host: &Host,
        image: &ImageReference,
        subjects: &BTreeSet<Digest>,
        collected: &mut Collected,
        names: &mut Vec<String>,
    ) -> Result<()> {
        let prefixes: Vec<String> = subjects.iter().map(Digest::tag_form).collect();
        let tags = self.tags_of(host, &oci_ref(image, None), image).await?;
        for tag in tags {
            let related = prefixes.iter().any(|p| {
                tag.strip_prefix(p.as_str())
                    .is_some_and(|rest| matches!(rest, "" | ".sig" | ".att" | ".sbom"))
            });
            if !related {
                continue;
            }
            let reference = oci_ref(image, Some(&tag));
            let what = format!("`{}:{tag}`", image.without_tag());
            let (_, digest) = self.get_manifest(host, &reference, &what).await?;
            if collected.seen_manifests.contains(&digest) {
                continue;
            }
            self.collect_manifest(host, image, &digest, Some(&tag), collected, 0)
                .await?;
            names.push(tag);
        }
        for subject in subjects {
            // The OCI referrers API; registries without it (404) were covered by the tags.
            for digest in self.referrers(host, image.repository(), subject).await? {
                if collected.seen_manifests.contains(&digest) {
                    continue;
                }
                self.collect_manifest(host, image, &digest, None, collected, 0)
                    .await?;
                names.push(digest.to_string());
            }
        }
        Ok(())
    }

    /// Writes a manifest's bytes under `tag`, or under its digest.
    async fn put_manifest(
        &self,
        dst: &Host,
        destination: &ImageReference,
        node: &Node,
        tag: Option<&str>,
        progress: Progress<'_>,
    ) -> Result<()> {
        let reference = tag.map_or_else(|| node.digest.to_string(), str::to_string);
        self.put_manifest_bytes(
            dst,
            destination.repository(),
            &reference,
            &node.bytes,
            &node.media_type,
        )
        .await?;
        progress(&ProgressEvent::Manifest {
            digest: node.digest.clone(),
            media_type: node.media_type.clone(),
            reference,
        });
        Ok(())
    }

    /// Skips, mounts or copies one blob; returns what was done and the bytes copied.
    #[allow(clippy::too_many_arguments)]
    async fn bring_blob(
        &self,
        src: &Host,
        source: &ImageReference,
        dst: &Host,
        destination: &ImageReference,
        blob: &Blob,
        action: Action,
        progress: Progress<'_>,
    ) -> Result<(Action, u64)> {
        let event = |action| match action {
            Action::Skip => ProgressEvent::BlobSkipped {
                digest: blob.digest.clone(),
                size: blob.size,
            },
            Action::Mount => ProgressEvent::BlobMounted {
                digest: blob.digest.clone(),
                size: blob.size,
            },
            Action::Copy => ProgressEvent::BlobCopied {
                digest: blob.digest.clone(),
                size: blob.size,
            },
        };
        match action {
            Action::Skip => {
                progress(&event(Action::Skip));
                return Ok((Action::Skip, 0));
            }
            Action::Mount => {
                let mounted = self
                    .mount(
                        dst,
                        destination.repository(),
                        source.repository(),
                        &blob.digest,
                    )
                    .await?;
                if mounted {
                    progress(&event(Action::Mount));
                    return Ok((Action::Mount, 0));
                }
                // Declined (the registry opened an upload instead): copy.
            }
            Action::Copy => {}
        }
        let mut attempt = 0;
        loop {
            match self
                .copy_blob(src, source, dst, destination, blob, progress)
                .await
            {
                Ok(()) => break,
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Transient(e, _)) if attempt < self.options.retries => {
                    drop(e);
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(Failure::Transient(e, host)) => {
                    let host = if host { src } else { dst };
                    return Err(map_error(
                        e,
                        host,
                        &format!("copying blob {} to `{destination}`", blob.digest),
                    ));
                }
            }
        }
        progress(&event(Action::Copy));
        Ok((Action::Copy, blob.size))
    }

    /// Streams one blob from source to destination with bounded memory, verifying its size
    /// and digest on the way: the last chunk is held back until the whole blob has been
    /// hashed, so a blob that does not match is never completed at the destination.
    async fn copy_blob(
        &self,
        src: &Host,
        source: &ImageReference,
        dst: &Host,
        destination: &ImageReference,
        blob: &Blob,
        progress: Progress<'_>,
    ) -> Result<(), Failure> {
        let what = format!("blob {} of `{}`", blob.digest, source.without_tag());
        let descriptor = oci_client::manifest::OciDescriptor {
            digest: blob.digest.to_string(),
            size: i64::try_from(blob.size).unwrap_or(i64::MAX),
            ..Default::default()
        };
        let sized = src
            .oci
            .pull_blob_stream(&oci_ref(source, None), &descriptor)
            .await
            .map_err(|e| classify(e, src, &what, true))?;
        if let Some(length) = sized.content_length
            && length != blob.size
        {
            return Err(Failure::Final(Error::new(
                ErrorKind::RegistryDigestMismatch,
                format!(
                    "{what} is served as {length} bytes, but its descriptor says {}: it was changed or truncated; nothing was written",
                    blob.size
                ),
            )
            .with_input(blob.digest.to_string())));
        }
        let sent = Arc::new(AtomicU64::new(0));
        let failure: Arc<Mutex<Option<Error>>> = Arc::new(Mutex::new(None));
        let verified = Verified {
            inner: sized.stream,
            hasher: Some(Hasher::new(&blob.digest)),
            expected: blob.digest.clone(),
            size: blob.size,
            seen: 0,
            held: None,
            sent: sent.clone(),
            failure: failure.clone(),
            what: what.clone(),
            done: false,
        };
        let dest_ref = oci_ref(destination, None);
        let push =
            dst.oci
                .push_blob_stream(&dest_ref, verified, blob.digest.as_str(), Some(blob.size));
        tokio::pin!(push);
        let mut ticker = tokio::time::interval(Duration::from_millis(100));
        let outcome = loop {
            tokio::select! {
                outcome = &mut push => break outcome,
                _ = ticker.tick() => progress(&ProgressEvent::BlobProgress {
                    digest: blob.digest.clone(),
                    bytes: sent.load(Ordering::Relaxed),
                    size: blob.size,
                }),
            }
        };
        let recorded = failure.lock().ok().and_then(|mut slot| slot.take());
        if let Some(error) = recorded {
            return Err(Failure::Final(error));
        }
        outcome.map(|_| ()).map_err(|e| {
            classify(
                e,
                dst,
                &format!("copying blob {} to `{destination}`", blob.digest),
                false,
            )
        })
    }
}

/// How a blob copy failed: for good, or in a way a fresh attempt may fix (with the error and
/// whether it came from the source side).
enum Failure {
    Final(Error),
    Transient(OciDistributionError, bool),
}

fn classify(e: OciDistributionError, host: &Host, what: &str, source_side: bool) -> Failure {
    if is_transient(&e) {
        Failure::Transient(e, source_side)
    } else {
        Failure::Final(map_error(e, host, what))
    }
}

/// A blob stream checked against its size and digest, holding back its last chunk until the
/// whole blob is verified.
struct Verified {
    inner: BoxStream<'static, std::io::Result<Bytes>>,
    hasher: Option<Hasher>,
    expected: Digest,
    size: u64,
    seen: u64,
    held: Option<Bytes>,
    sent: Arc<AtomicU64>,
    failure: Arc<Mutex<Option<Error>>>,
    what: String,
    done: bool,
}

impl Verified {
    fn fail(&mut self, error: Error) -> Poll<Option<oci_client::errors::Result<Bytes>>> {
        let text = error.message().to_string();
        if let Ok(mut slot) = self.failure.lock() {
            *slot = Some(error);
        }
        self.done = true;
        self.held = None;
        Poll::Ready(Some(Err(OciDistributionError::GenericError(Some(text)))))
    }

    fn truncated(&self) -> Error {
        Error::new(
            ErrorKind::RegistryDigestMismatch,
            format!(
                "{} is truncated: {} of {} bytes arrived; nothing was written",
                self.what, self.seen, self.size
            ),
        )
        .with_input(self.expected.to_string())
    }

    fn release(&mut self, chunk: Bytes) -> Poll<Option<oci_client::errors::Result<Bytes>>> {
        self.sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(chunk)))
    }
}

impl Stream for Verified {
    type Item = oci_client::errors::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return match this.held.take() {
                    Some(chunk) => this.release(chunk),
                    None => Poll::Ready(None),
                };
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    this.seen += chunk.len() as u64;
                    if this.seen > this.size {
                        let error = Error::new(
                            ErrorKind::RegistryDigestMismatch,
                            format!(
                                "{} is longer than its descriptor's {} bytes; nothing was written",
                                this.what, this.size
                            ),
                        )
                        .with_input(this.expected.to_string());
                        return this.fail(error);
                    }
                    if let Some(hasher) = this.hasher.as_mut() {
                        hasher.update(&chunk);
                    }
                    if let Some(previous) = this.held.replace(chunk) {
                        return this.release(previous);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    if let Some(inner) = e.get_ref()
                        && let Some(oci_client::errors::DigestError::VerificationError {
                            expected,
                            actual,
                        }) = inner.downcast_ref::<oci_client::errors::DigestError>()
                    {
                        // oci-client checks the digest at the end of the body too.
                        let error = if this.seen < this.size {
                            this.truncated()
                        } else {
                            Error::new(
                                ErrorKind::RegistryDigestMismatch,
                                format!(
                                    "{} does not match its digest: expected {expected}, the content hashes to {actual}; nothing was written",
                                    this.what
                                ),
                            )
                            .with_input(this.expected.to_string())
                        };
                        return this.fail(error);
                    }
                    this.done = true;
                    this.held = None;
                    return Poll::Ready(Some(Err(OciDistributionError::IoError(e))));
                }
                Poll::Ready(None) => {
                    if this.seen < this.size {
                        let error = this.truncated();
                        return this.fail(error);
                    }
                    let actual = this.hasher.take().map(Hasher::finish);
                    if let Some(actual) = actual
                        && actual != this.expected
                    {
                        let error = mismatch(&this.what, &this.expected, &actual);
                        return this.fail(error);
                    }
                    this.done = true;
                }
            }
        }
    }
}

fn describe_platforms(index: &Manifest) -> String {
    let platforms: Vec<String> = index
        .manifests
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .map(|p| match &p.variant {
            Some(v) => format!("`{}/{}/{v}`", p.os, p.architecture),
            None => format!("`{}/{}`", p.os, p.architecture),
        })
        .collect();
    if platforms.is_empty() {
        "no platforms".to_string()
    } else {
        platforms.join(", ")
    }
}
