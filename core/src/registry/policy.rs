//! What may be promoted where: the promotion policy and the request it produces.

use super::digest::Digest;
use super::platform::Platform;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::image::{ImageReference, PromotionTemplate};
use crate::tag::{TagPolicy, chart_version_from_oci_tag};
use crate::version::ReleaseVersion;
use serde::Serialize;

/// The rules a promotion follows: where an image goes (the promotion template and the target
/// environment's registry namespace) and which tags may be promoted (release tags only, never
/// a mutable one).
///
/// Built from `shiprail.yaml` with [`PromotionPolicy::from_config`]; every field can then be
/// overridden for one call.
///
/// ```
/// use shiprail::registry::PromotionPolicy;
/// let policy = PromotionPolicy { namespace: "prod".into(), ..PromotionPolicy::default() };
/// let request = policy.request("myrepo.azurecr.io/delivery:v1.0.2", None)?;
/// assert_eq!(request.destination.to_string(), "myrepo.azurecr.io/prod/delivery:v1.0.2");
/// assert_eq!(policy.request("myrepo.azurecr.io/delivery:latest", None).unwrap_err().code(), "mutable_tag");
/// assert_eq!(policy.request("myrepo.azurecr.io/delivery:nightly-5", None).unwrap_err().code(), "invalid_tag");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionPolicy {
    /// How the destination is named from the source and the namespace.
    pub template: PromotionTemplate,
    /// The registry namespace promoted into (`prod`); empty for the registry root.
    pub namespace: String,
    /// Mutable tags (refused) and the image tag template (what a release tag looks like).
    pub tags: TagPolicy,
    /// Whether both tags must be release tags: what `tags.image` renders from a SemVer
    /// version (`v1.0.2`). On by default; turning it off still refuses mutable tags.
    pub release_tags_only: bool,
}

impl Default for PromotionPolicy {
    fn default() -> Self {
        PromotionPolicy {
            template: PromotionTemplate::default(),
            namespace: String::new(),
            tags: TagPolicy::default(),
            release_tags_only: true,
        }
    }
}

/// One promotion to perform: source, destination and options. Produced by
/// [`PromotionPolicy::request`] or built directly with [`PromoteRequest::new`].
///
/// Serialized as `{"source", "destination", "expected_digest", "platforms", "force",
/// "dry_run", "referrers"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoteRequest {
    /// The image promoted, by tag (a digest in the reference is the expected digest).
    pub source: ImageReference,
    /// The tag written, on the same or another registry.
    pub destination: ImageReference,
    /// The digest the source tag must resolve to (the one QA approved), if known.
    pub expected_digest: Option<Digest>,
    /// For an image index, the platforms to keep; empty keeps all. Dropping any changes the
    /// digest of the promoted index.
    pub platforms: Vec<Platform>,
    /// Move a destination tag that names another digest (refused otherwise).
    pub force: bool,
    /// Plan and report without writing anything.
    pub dry_run: bool,
    /// Copy signatures, attestations and SBOMs along (`sha256-<hex>.sig|.att|.sbom` tags and
    /// OCI referrers). On by default.
    pub referrers: bool,
}

impl PromoteRequest {
    /// A request with the default options: keep all platforms, no force, not a dry run, copy
    /// referrers. A digest on `source` becomes the expected digest.
    pub fn new(source: ImageReference, destination: ImageReference) -> PromoteRequest {
        let expected_digest = source.digest().and_then(|d| d.parse().ok());
        PromoteRequest {
            source,
            destination,
            expected_digest,
            platforms: Vec::new(),
            force: false,
            dry_run: false,
            referrers: true,
        }
    }
}

impl PromotionPolicy {
    /// The policy of promoting into `environment`: its `registry_namespace`, the configured
    /// `promotion.template` and the `tags` policy.
    pub fn from_config(config: &Config, environment: &str) -> Result<PromotionPolicy> {
        let env = config.environment(environment)?;
        Ok(PromotionPolicy {
            template: config.promotion.template.clone(),
            namespace: env.registry_namespace.clone(),
            tags: config.tags.clone(),
            release_tags_only: true,
        })
    }

    /// Checks a tag against the policy: never `latest` or another mutable tag
    /// ([`ErrorKind::MutableTag`]); with [`release_tags_only`](Self::release_tags_only), a
    /// release tag under `tags.image` ([`ErrorKind::InvalidTag`]). Returns the release version
    /// when the tag is one.
    pub fn check_tag(&self, tag: &str) -> Result<Option<ReleaseVersion>> {
        if tag.eq_ignore_ascii_case("latest") {
            return Err(Error::new(
                ErrorKind::MutableTag,
                "`latest` is never promoted: it moves, so it cannot name what was approved; promote a release tag such as `v1.0.2`",
            )
            .with_input(tag));
        }
        self.tags.check_immutable(tag)?;
        let version = release_version(&self.tags, tag);
        if version.is_none() && self.release_tags_only {
            let shown: String = tag.chars().take(200).collect();
            return Err(Error::new(
                ErrorKind::InvalidTag,
                format!(
                    "`{}` is not a release tag: tags.image `{}` names releases with a SemVer version, such as `{}`",
                    shown.escape_debug(),
                    self.tags.image,
                    self.tags.image.render("service", &ReleaseVersion::new(semver::Version::new(1, 0, 2)))
                ),
            )
            .with_input(tag));
        }
        Ok(version)
    }

    /// The request promoting `source` to `destination`, or to where the template and
    /// namespace send it when `destination` is `None`. Both must carry a tag that passes
    /// [`check_tag`](Self::check_tag); the destination carries no digest (its digest is the
    /// source's). A digest on the source becomes the expected digest.
    pub fn request(&self, source: &str, destination: Option<&str>) -> Result<PromoteRequest> {
        let source: ImageReference = source.parse()?;
        let Some(tag) = source.tag() else {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{source}` cannot be promoted: promotion starts from a release tag such as `:v1.0.2`, and the reference has none"
                ),
            )
            .with_input(source.to_string()));
        };
        self.check_tag(tag)?;
        let destination = match destination {
            Some(text) => {
                let dest: ImageReference = text.parse()?;
                if dest.digest().is_some() {
                    return Err(Error::new(
                        ErrorKind::InvalidImageReference,
                        format!(
                            "`{dest}` names a digest: a destination is a tag, and its digest is the source's"
                        ),
                    )
                    .with_input(text));
                }
                dest
            }
            None => source
                .promotion_target(&self.template, &self.namespace)?
                .without_digest(),
        };
        let Some(dest_tag) = destination.tag() else {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{destination}` has no tag: promotion writes a release tag such as `:v1.0.2`"
                ),
            )
            .with_input(destination.to_string()));
        };
        self.check_tag(dest_tag)?;
        if destination.without_digest() == source.without_digest() {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{destination}` is the source itself: promotion writes another repository or tag"),
            )
            .with_input(destination.to_string()));
        }
        Ok(
            PromoteRequest::new(source.without_digest(), destination)
                .with_expected(source.digest()),
        )
    }
}

impl PromoteRequest {
    fn with_expected(mut self, digest: Option<&str>) -> PromoteRequest {
        self.expected_digest = digest.and_then(|d| d.parse().ok());
        self
    }
}

/// The release version an image tag stands for under `tags.image` (build metadata's `+`
/// written `_`), or `None`.
fn release_version(tags: &TagPolicy, tag: &str) -> Option<ReleaseVersion> {
    tags.image
        .parse(&chart_version_from_oci_tag(tag))
        .map(|(_, version)| version)
}

/// One release tag of a repository and the version it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseTag {
    /// The tag (`v1.0.2`).
    pub tag: String,
    /// The version it names (`1.0.2`).
    pub version: ReleaseVersion,
}

/// The highest release among a repository's `tags`, by SemVer precedence: tags that are not
/// release tags under `tags.image` (mutable tags, `sha256-...` signature tags, other names) are
/// ignored; with a `{service}` in the image template only `service`'s tags count; pre-releases
/// count only when `include_prereleases`. Among tags of equal precedence (build metadata
/// differs) the lexically highest wins, so the answer never depends on listing order.
///
/// ```
/// use shiprail::registry::highest_release;
/// use shiprail::tag::TagPolicy;
/// let tags = ["v1.0.2", "v1.0.10", "latest", "v1.1.0-rc.1", "sha256-ab.sig", "v1.0.9"];
/// let best = highest_release(&tags, &TagPolicy::default(), None, false).map(|r| r.tag);
/// assert_eq!(best.as_deref(), Some("v1.0.10"));
/// let pre = highest_release(&tags, &TagPolicy::default(), None, true).map(|r| r.tag);
/// assert_eq!(pre.as_deref(), Some("v1.1.0-rc.1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn highest_release<S: AsRef<str>>(
    tags: &[S],
    policy: &TagPolicy,
    service: Option<&str>,
    include_prereleases: bool,
) -> Option<ReleaseTag> {
    tags.iter()
        .map(AsRef::as_ref)
        .filter(|tag| policy.check_immutable(tag).is_ok())
        .filter_map(|tag| {
            let plain = chart_version_from_oci_tag(tag);
            let version = match (service, policy.image.has_service()) {
                (Some(service), true) => policy.image.parse_for_service(&plain, service)?,
                _ => policy.image.parse(&plain)?.1,
            };
            (include_prereleases || !version.is_prerelease()).then(|| ReleaseTag {
                tag: tag.to_string(),
                version,
            })
        })
        .max_by(|a, b| {
            a.version
                .cmp_precedence(&b.version)
                .then_with(|| a.tag.cmp(&b.tag))
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn prod() -> PromotionPolicy {
        PromotionPolicy {
            namespace: "prod".into(),
            ..PromotionPolicy::default()
        }
    }

    #[test]
    fn request_table() {
        let d = format!("sha256:{}", "a".repeat(64));
        let cases: &[(&str, Option<&str>, Result<&str, &str>)] = &[
            (
                "myrepo.azurecr.io/delivery:v1.0.2",
                None,
                Ok("myrepo.azurecr.io/prod/delivery:v1.0.2"),
            ),
            (
                "127.0.0.1:5000/delivery:v1.0.2",
                Some("127.0.0.1:5443/prod/delivery:v1.0.2"),
                Ok("127.0.0.1:5443/prod/delivery:v1.0.2"),
            ),
            (
                "myrepo.azurecr.io/delivery:v1.0.2_build.5",
                None,
                Ok("myrepo.azurecr.io/prod/delivery:v1.0.2_build.5"),
            ),
            (
                "myrepo.azurecr.io/delivery:v1.1.0-rc.1",
                None,
                Ok("myrepo.azurecr.io/prod/delivery:v1.1.0-rc.1"),
            ),
            (
                "myrepo.azurecr.io/delivery",
                None,
                Err("invalid_image_reference"),
            ),
            (
                "myrepo.azurecr.io/delivery:latest",
                None,
                Err("mutable_tag"),
            ),
            (
                "myrepo.azurecr.io/delivery:Stable",
                None,
                Err("mutable_tag"),
            ),
            ("myrepo.azurecr.io/delivery:1.0.2", None, Err("invalid_tag")),
            ("myrepo.azurecr.io/delivery:v1.0", None, Err("invalid_tag")),
            (
                "myrepo.azurecr.io/delivery:v1.0.2",
                Some("myrepo.azurecr.io/prod/delivery:latest"),
                Err("mutable_tag"),
            ),
            (
                "myrepo.azurecr.io/delivery:v1.0.2",
                Some("myrepo.azurecr.io/prod/delivery"),
                Err("invalid_image_reference"),
            ),
            (
                "myrepo.azurecr.io/delivery:v1.0.2",
                Some("myrepo.azurecr.io/delivery:v1.0.2"),
                Err("invalid_image_reference"),
            ),
            ("Myrepo/Delivery:v1", None, Err("invalid_image_reference")),
            ("", None, Err("invalid_image_reference")),
        ];
        for (source, dest, want) in cases {
            let got = prod()
                .request(source, *dest)
                .map(|r| r.destination.to_string());
            match (want, got) {
                (Ok(want), Ok(got)) => assert_eq!(&got, want, "{source}"),
                (Err(code), Err(err)) => assert_eq!(err.code(), *code, "{source}: {err}"),
                (want, got) => panic!("{source}: want {want:?}, got {got:?}"),
            }
        }
        let with_digest = prod()
            .request(&format!("myrepo.azurecr.io/delivery:v1.0.2@{d}"), None)
            .unwrap();
        assert_eq!(with_digest.expected_digest.unwrap().as_str(), d);
        assert_eq!(
            with_digest.source.to_string(),
            "myrepo.azurecr.io/delivery:v1.0.2"
        );
        assert_eq!(
            with_digest.destination.to_string(),
            "myrepo.azurecr.io/prod/delivery:v1.0.2"
        );
    }

    #[test]
    fn exact_messages() {
        let policy = prod();
        assert_eq!(
            policy.check_tag("nightly-5").unwrap_err().to_string(),
            "`nightly-5` is not a release tag: tags.image `v{version}` names releases with a SemVer version, such as `v1.0.2`"
        );
        assert_eq!(
            policy.check_tag("LATEST").unwrap_err().to_string(),
            "`latest` is never promoted: it moves, so it cannot name what was approved; promote a release tag such as `v1.0.2`"
        );
        let any = PromotionPolicy {
            release_tags_only: false,
            ..prod()
        };
        assert_eq!(any.check_tag("build-5").unwrap(), None);
        assert_eq!(any.check_tag("latest").unwrap_err().code(), "mutable_tag");
        let mut no_latest = prod();
        no_latest.tags.mutable.clear();
        assert_eq!(
            no_latest.check_tag("latest").unwrap_err().code(),
            "mutable_tag"
        );
    }

    #[test]
    fn highest_release_table() {
        let policy = TagPolicy::default();
        let cases: &[(&[&str], bool, Option<&str>)] = &[
            (&[], false, None),
            (&["latest", "main"], false, None),
            (&["v1.0.2", "v1.0.10", "v1.0.9"], false, Some("v1.0.10")),
            (&["v2.0.0-rc.1", "v1.9.9"], false, Some("v1.9.9")),
            (&["v2.0.0-rc.1", "v1.9.9"], true, Some("v2.0.0-rc.1")),
            (&["v1.0.2_b.1", "v1.0.2_b.2"], false, Some("v1.0.2_b.2")),
            (&["1.0.2", "v01.0.0", "sha256-abc.sig"], false, None),
        ];
        for (tags, pre, want) in cases {
            let got = highest_release(tags, &policy, None, *pre).map(|r| r.tag);
            assert_eq!(got.as_deref(), *want, "{tags:?}");
        }
        let per_service = TagPolicy {
            image: "{service}-v{version}".parse().unwrap(),
            ..TagPolicy::default()
        };
        let tags = ["delivery-v1.0.2", "package-v9.0.0", "delivery-v1.1.0"];
        assert_eq!(
            highest_release(&tags, &per_service, Some("delivery"), false).map(|r| r.tag),
            Some("delivery-v1.1.0".to_string())
        );
    }

    #[test]
    fn hostile_input_never_panics() {
        let policy = prod();
        for input in ["\0", &"a".repeat(1 << 20), "r.io/x:\u{7f}", "r.io/é:v1.0.0"] {
            let _ = policy.request(input, None);
            let _ = policy.check_tag(input);
            let _ = highest_release(&[input], &policy.tags, Some(input), true);
        }
    }
}
