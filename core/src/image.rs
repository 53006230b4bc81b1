//! Container image references and where a release image is promoted to.
//!
//! After QA and an approval, the pipeline retags the very image it tested into the production
//! namespace of the registry: `myrepo.azurecr.io/delivery:v1.0.2` becomes
//! `myrepo.azurecr.io/prod/delivery:v1.0.2`, same digest. This module parses such references with
//! the grammar of Docker's `distribution/reference` package (the one `docker pull`, containerd and
//! most registries agree on), normalises them the way Docker does, and computes promotion targets.
//!
//! # Grammar
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ registry "/" ] path
//! registry   := host [ ":" port ]
//! host       := domain-component ( "." domain-component )* | "[" ipv6 "]"
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! port       := [0-9]+
//! ipv6       := [a-fA-F0-9:]+
//! path       := path-component ( "/" path-component )*
//! path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" hex
//! algorithm  := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*
//! ```
//!
//! ```
//! use shiprail::image::ImageReference;
//! let image: ImageReference = "myrepo.azurecr.io/delivery:v1.0.2".parse()?;
//! assert_eq!(image.registry(), "myrepo.azurecr.io");
//! assert_eq!(image.repository(), "delivery");
//! assert_eq!(image.tag(), Some("v1.0.2"));
//! assert_eq!(image.digest(), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Which first component is a registry
//!
//! A reference has no marker that separates the registry from the path, so Docker decides by
//! looking at the text before the first `/`: it is a registry when it is `localhost`, contains
//! a `.` (`myrepo.azurecr.io`, `127.0.0.1`) or a `:` (`registry:5000`, `[::1]:5000`), or
//! contains uppercase letters. Otherwise it is the first path component of a Docker Hub image.
//! The uppercase rule is the one of the current upstream `distribution/reference` (its
//! `splitDockerDomain`): since a path may not hold uppercase letters, a first component that has
//! some can only be a host. Older Docker releases refused `MyRegistry/app` as an uppercase path
//! instead; shiprail follows the current rule, so `MyRegistry/app` is registry `MyRegistry`,
//! path `app`.
//! A reference without any `/` never has a registry, so bare `localhost:5000` is the Hub image
//! `localhost` with tag `5000`, exactly as in Docker.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let local: ImageReference = "localhost/delivery".parse()?;
//! assert_eq!(local.registry(), "localhost");
//! let port: ImageReference = "registry:5000/delivery".parse()?;
//! assert_eq!(port.registry(), "registry:5000");
//! let ipv6: ImageReference = "[::1]:5000/delivery:v1".parse()?;
//! assert_eq!(ipv6.registry(), "[::1]:5000");
//! let upper: ImageReference = "MyRegistry/delivery".parse()?;
//! assert_eq!(upper.registry(), "MyRegistry");
//! let hub: ImageReference = "fabrikam/delivery".parse()?;
//! assert_eq!((hub.registry(), hub.repository()), ("docker.io", "fabrikam/delivery"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Deviation: when the first component is taken for a registry but is not a valid host
//! (`foo_bar.com/app`), upstream falls back to reading the whole name as a path with *no*
//! registry at all; shiprail refuses it instead, naming the host component at fault, because a
//! pipeline must never push to an accidental registry.
//!
//! # Docker Hub normalisation
//!
//! No registry means Docker Hub, `docker.io`; the legacy name `index.docker.io` is the same
//! registry and is rewritten to `docker.io`; a Hub path of a single component is an official
//! image under `library/`. Other registries are never rewritten (not even their letter case).
//!
//! ```
//! use shiprail::image::ImageReference;
//! let ubuntu: ImageReference = "ubuntu:22.04".parse()?;
//! assert_eq!(ubuntu.to_string(), "docker.io/library/ubuntu:22.04");
//! let legacy: ImageReference = "index.docker.io/ubuntu".parse()?;
//! assert_eq!(legacy.to_string(), "docker.io/library/ubuntu");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Path components
//!
//! Path components are lowercase letters and digits, joined inside a component by exactly one
//! `.`, one `_`, two `__`, or any run of `-`; they neither start nor end with a separator and are
//! never empty. Uppercase letters in the path are refused with "repository names must be
//! lowercase". [`ImageReference::namespace`] is everything before the last component,
//! [`ImageReference::name`] the last component.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let image: ImageReference = "myrepo.azurecr.io/team__a/drone--delivery.svc:v1".parse()?;
//! assert_eq!((image.namespace(), image.name()), ("team__a", "drone--delivery.svc"));
//! let err = "myrepo.azurecr.io/Delivery:v1".parse::<ImageReference>().unwrap_err();
//! assert!(err.to_string().contains("repository names must be lowercase"));
//! assert!("myrepo.azurecr.io/team___a/delivery".parse::<ImageReference>().is_err());
//! assert!("myrepo.azurecr.io//delivery".parse::<ImageReference>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Length limit
//!
//! The repository name, registry and path together (`myrepo.azurecr.io/prod/delivery`, after
//! normalisation, so a Hub name counts its `docker.io/library/`), is at most 255 characters.
//! Current upstream counts the path alone; shiprail keeps the older, stricter count that the OCI
//! distribution specification names as the limit many clients impose, so that a reference it
//! accepts is accepted by every client a pipeline may hand it to.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let longest = format!("r.io/{}", "a".repeat(250));
//! assert!(longest.parse::<ImageReference>().is_ok());
//! assert!(format!("{longest}a").parse::<ImageReference>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Tags
//!
//! A tag is 1 to 128 ASCII letters, digits, `_`, `.` and `-`, and does not start with `.` or
//! `-`. A reference without a tag keeps no tag: shiprail never invents `latest`.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let untagged: ImageReference = "myrepo.azurecr.io/delivery".parse()?;
//! assert_eq!(untagged.tag(), None);
//! assert!(format!("ubuntu:{}", "a".repeat(128)).parse::<ImageReference>().is_ok());
//! assert!(format!("ubuntu:{}", "a".repeat(129)).parse::<ImageReference>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Digests
//!
//! A digest is `algorithm:hex`. `sha256`, `sha384` and `sha512` digests have exactly 64, 96 and
//! 128 *lowercase* hex digits (the registered algorithms of the OCI image specification, whose
//! names must be written in lowercase); any other well-formed algorithm needs at least 32 hex
//! digits, as in the reference grammar (registries may still refuse algorithms they do not
//! know). A reference may carry both a tag and a digest; the digest is what gets pulled.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let hex = "a".repeat(64);
//! let pinned: ImageReference = format!("myrepo.azurecr.io/delivery:v1.0.2@sha256:{hex}").parse()?;
//! assert_eq!(pinned.tag(), Some("v1.0.2"));
//! assert_eq!(pinned.digest(), Some(format!("sha256:{hex}").as_str()));
//! assert!("ubuntu@sha256:abc".parse::<ImageReference>().is_err());
//! assert!(format!("ubuntu@sha256:{}", "A".repeat(64)).parse::<ImageReference>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A bare string of 64 lowercase hex digits is an image ID, not a name, and is refused (Docker
//! does the same so that an ID is never mistaken for a Hub repository).
//!
//! # Display and familiar form
//!
//! `Display` (and serde) give the full normalised form, which parses back to an equal value.
//! [`ImageReference::familiar`] gives the short form Docker prints (`ubuntu:22.04`,
//! `fabrikam/delivery`), which also parses back to an equal value: where Docker's short form
//! would be read differently (`docker.io/example.com/app` would lose its registry), the
//! registry is kept.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let image: ImageReference = "docker.io/library/ubuntu:22.04".parse()?;
//! assert_eq!(image.familiar(), "ubuntu:22.04");
//! let acr: ImageReference = "myrepo.azurecr.io/delivery:v1.0.2".parse()?;
//! assert_eq!(acr.familiar(), "myrepo.azurecr.io/delivery:v1.0.2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//!
//! Every refusal is [`ErrorKind::InvalidImageReference`] whose message names the input and the
//! rule that failed (which component, and why). No input makes the parser panic: empty strings,
//! megabytes of text, control characters and non-ASCII text are all refused with a message.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let err = "myrepo.azurecr.io/delivery:v1.0.2@sha256:abc".parse::<ImageReference>().unwrap_err();
//! assert_eq!(err.code(), "invalid_image_reference");
//! assert_eq!(
//!     err.to_string(),
//!     "`myrepo.azurecr.io/delivery:v1.0.2@sha256:abc` is not a valid image reference: \
//!      a sha256 digest has exactly 64 hex digits, but `abc` has 3"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Derived references
//!
//! [`ImageReference::with_tag`], [`with_digest`](ImageReference::with_digest),
//! [`without_digest`](ImageReference::without_digest) and
//! [`with_repository`](ImageReference::with_repository) build a new reference from an existing
//! one, checking the new part with the same rules as the parser.
//!
//! ```
//! use shiprail::image::ImageReference;
//! let built: ImageReference = "myrepo.azurecr.io/delivery".parse()?;
//! let released = built.with_tag("v1.0.2")?.with_repository("prod/delivery")?;
//! assert_eq!(released.to_string(), "myrepo.azurecr.io/prod/delivery:v1.0.2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Promotion templates
//!
//! A [`PromotionTemplate`] says where an approved image goes. Its placeholders are
//! `{registry}` (the source registry), `{namespace}` (the *target* environment's namespace in the
//! registry, e.g. `prod`), `{repository}` (the source path), `{name}` (the last component of the
//! source path) and `{tag}` (the source tag). The default is `{registry}/{namespace}/{name}:{tag}`.
//! A template must use `{tag}` (each release lands on its own immutable tag), `{name}` or
//! `{repository}` (otherwise every service would land on one repository), and no `@` (the digest
//! is carried over by itself); an unknown placeholder is [`ErrorKind::InvalidTemplate`]. An empty
//! placeholder that fills a whole path component drops one neighbouring `/`, so an empty
//! namespace never produces `//`.
//!
//! ```
//! use shiprail::image::PromotionTemplate;
//! assert_eq!(PromotionTemplate::default().to_string(), "{registry}/{namespace}/{name}:{tag}");
//! let err = "{registry}/{namespce}/{name}:{tag}".parse::<PromotionTemplate>().unwrap_err();
//! assert_eq!(err.code(), "invalid_template");
//! assert_eq!(err.suggestion(), Some("{namespace}"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Promotion targets
//!
//! [`ImageReference::promotion_target`] renders the template for one source image. The source
//! must carry a release tag, and `latest` (in any letter case) is refused as
//! [`ErrorKind::MutableTag`]: promotion moves one tested, immutable release. A source digest is
//! kept on the target, since promotion copies the same manifest. Because the default template
//! uses `{name}`, a source path's own namespace is replaced, not nested: `dev/delivery` and
//! `prod/delivery` both promote to `prod/delivery`, which makes promotion idempotent.
//!
//! ```
//! use shiprail::image::{ImageReference, PromotionTemplate};
//! let template = PromotionTemplate::default();
//! let source: ImageReference = "myrepo.azurecr.io/delivery:v1.0.2".parse()?;
//! let target = source.promotion_target(&template, "prod")?;
//! assert_eq!(target.to_string(), "myrepo.azurecr.io/prod/delivery:v1.0.2");
//! let again = target.promotion_target(&template, "prod")?;
//! assert_eq!(again, target);
//! let root = source.promotion_target(&template, "")?;
//! assert_eq!(root.to_string(), "myrepo.azurecr.io/delivery:v1.0.2");
//! let latest: ImageReference = "myrepo.azurecr.io/delivery:latest".parse()?;
//! assert_eq!(latest.promotion_target(&template, "prod").unwrap_err().code(), "mutable_tag");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use std::fmt;
use std::str::FromStr;

/// Docker Hub's canonical registry name: what a reference without a registry means.
pub const DOCKER_HUB: &str = "docker.io";

/// Docker Hub's legacy name (the old "Docker Index"), rewritten to [`DOCKER_HUB`].
const LEGACY_DOCKER_HUB: &str = "index.docker.io";

/// The Hub namespace of official images: `ubuntu` means `library/ubuntu`.
const OFFICIAL_NAMESPACE: &str = "library/";

/// The longest repository name (`registry/path`) accepted, in characters: see the module docs.
pub const MAX_NAME_LEN: usize = 255;

/// The longest tag accepted, in characters (Docker's tag grammar).
pub const MAX_TAG_LEN: usize = 128;

/// Inputs are echoed in messages up to this many characters, so a megabyte of garbage does not
/// turn into a megabyte of error text (the full input stays in [`Error::input`]).
const SHOWN_MAX_CHARS: usize = 300;

/// Echoes untrusted text for a message: escaped so control characters are visible, and cut
/// short when very long.
fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == SHOWN_MAX_CHARS {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out
}

/// Echoes one character for a message.
fn shown_char(c: char) -> String {
    c.escape_debug().to_string()
}

/// A container image reference, `registry/path[:tag][@digest]`, normalised the way Docker does.
///
/// Parse it with [`str::parse`]; `Display` gives the full normalised form and serde uses the
/// same string. See the [module documentation](self) for the grammar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageReference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// The parts of an [`ImageReference`] as plain data, for JSON output and the bindings.
///
/// `tag` and `digest` are `null` when absent; `namespace` is the empty string when the
/// repository has a single component (it is never absent, just empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ImageParts {
    /// The registry host with its port, e.g. `myrepo.azurecr.io` or `127.0.0.1:5000`.
    pub registry: String,
    /// The path inside the registry, e.g. `prod/delivery` or `library/ubuntu`.
    pub repository: String,
    /// The last path component, e.g. `delivery`.
    pub name: String,
    /// The path before the name, e.g. `prod`; empty when there is none.
    pub namespace: String,
    /// The tag, when the reference has one.
    pub tag: Option<String>,
    /// The digest (`algorithm:hex`), when the reference has one.
    pub digest: Option<String>,
    /// The full normalised form, as `Display` prints it.
    pub full: String,
    /// The short form Docker prints, as [`ImageReference::familiar`] returns it.
    pub familiar: String,
}

impl ImageReference {
    /// The registry host, with its port when there is one (`docker.io`, `localhost:5000`,
    /// `[::1]:5000`): where the image is pushed to and pulled from.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The path inside the registry, without the registry (`library/ubuntu`, `prod/delivery`):
    /// the repository the registry API addresses.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The last path component (`ubuntu`, `delivery`): the image's own name, which promotion
    /// keeps while it changes the namespace.
    pub fn name(&self) -> &str {
        match self.repository.rsplit_once('/') {
            Some((_, name)) => name,
            None => &self.repository,
        }
    }

    /// The path before the name (`library`, `prod`, `team/prod`), or the empty string when the
    /// repository has a single component: the part an environment owns.
    pub fn namespace(&self) -> &str {
        match self.repository.rsplit_once('/') {
            Some((namespace, _)) => namespace,
            None => "",
        }
    }

    /// The tag, when the reference has one; never defaulted to `latest`.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:...`), when the reference has one: it pins the exact manifest.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The repository name with its registry and without tag or digest
    /// (`myrepo.azurecr.io/prod/delivery`): the name the length limit applies to.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The short form Docker prints: without `docker.io/`, and without `library/` for official
    /// images (`ubuntu:22.04`). Other registries are printed in full. The result always parses
    /// back to an equal reference, so the registry is kept where dropping it would change the
    /// meaning (a Hub path whose first component looks like a registry).
    pub fn familiar(&self) -> String {
        let mut out = String::new();
        if self.registry != DOCKER_HUB {
            out.push_str(&self.registry);
            out.push('/');
            out.push_str(&self.repository);
        } else {
            let first = self
                .repository
                .split_once('/')
                .map_or(self.repository.as_str(), |(first, _)| first);
            let official = self
                .repository
                .strip_prefix(OFFICIAL_NAMESPACE)
                .filter(|rest| !rest.contains('/'));
            match official {
                Some(name)
                    if !(is_image_id(name) && self.tag.is_none() && self.digest.is_none()) =>
                {
                    out.push_str(name)
                }
                _ if registry_cause(first).is_some() => {
                    out.push_str(DOCKER_HUB);
                    out.push('/');
                    out.push_str(&self.repository);
                }
                _ => out.push_str(&self.repository),
            }
        }
        push_suffix(&mut out, self.tag.as_deref(), self.digest.as_deref());
        out
    }

    /// All parts as one serializable value (what `image.parse` returns in the conformance
    /// vectors and the bindings).
    pub fn parts(&self) -> ImageParts {
        ImageParts {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            name: self.name().to_owned(),
            namespace: self.namespace().to_owned(),
            tag: self.tag.clone(),
            digest: self.digest.clone(),
            full: self.to_string(),
            familiar: self.familiar(),
        }
    }

    /// The same reference with `tag` as its tag (replacing any tag, keeping any digest).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when `tag` breaks the tag grammar.
    pub fn with_tag(&self, tag: &str) -> Result<ImageReference> {
        check_tag(tag).map_err(|reason| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{}` is not a valid image tag: {reason}", shown(tag)),
            )
            .with_input(tag)
        })?;
        Ok(ImageReference {
            tag: Some(tag.to_owned()),
            ..self.clone()
        })
    }

    /// The same reference without a tag (keeping any digest).
    pub fn without_tag(&self) -> ImageReference {
        ImageReference {
            tag: None,
            ..self.clone()
        }
    }

    /// The same reference pinned to `digest` (`algorithm:hex`), keeping any tag.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when `digest` breaks the digest rules.
    pub fn with_digest(&self, digest: &str) -> Result<ImageReference> {
        check_digest(digest).map_err(|reason| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{}` is not a valid image digest: {reason}", shown(digest)),
            )
            .with_input(digest)
        })?;
        Ok(ImageReference {
            digest: Some(digest.to_owned()),
            ..self.clone()
        })
    }

    /// The same reference without its digest (keeping any tag): the form to retag under.
    pub fn without_digest(&self) -> ImageReference {
        ImageReference {
            digest: None,
            ..self.clone()
        }
    }

    /// The same reference on the same registry with `repository` as its path (`prod/delivery`),
    /// keeping tag and digest. On Docker Hub a single component gets the `library/` prefix.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when `repository` breaks the path rules or the
    /// resulting name is longer than [`MAX_NAME_LEN`].
    pub fn with_repository(&self, repository: &str) -> Result<ImageReference> {
        let build = || -> std::result::Result<String, String> {
            check_path(repository)?;
            let repository = normalise_path(&self.registry, repository);
            check_name_length(&self.registry, &repository)?;
            Ok(repository)
        };
        let repository = build().map_err(|reason| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{}` is not a valid repository path for `{}`: {reason}",
                    shown(repository),
                    self.full_name()
                ),
            )
            .with_input(repository)
        })?;
        Ok(ImageReference {
            repository,
            ..self.clone()
        })
    }

    /// Where this image goes when it is promoted into the registry namespace `namespace` (the
    /// target environment's, e.g. `prod`; empty for the registry root), following `template`.
    ///
    /// The source must carry a tag other than `latest`; its digest, if any, is kept on the
    /// target. The rendered text must itself be a valid reference with a tag.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidImageReference`] when the source has no tag, `namespace` is not a
    /// valid path, or the rendered target is not a valid reference;
    /// [`ErrorKind::MutableTag`] when the tag is `latest`;
    /// [`ErrorKind::InvalidTemplate`] when the rendered target carries no tag.
    pub fn promotion_target(
        &self,
        template: &PromotionTemplate,
        namespace: &str,
    ) -> Result<ImageReference> {
        let Some(tag) = self.tag.as_deref() else {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "`{self}` cannot be promoted: promotion needs a release tag such as \
                     `:v1.0.2`, and the reference has none"
                ),
            )
            .with_input(self.to_string()));
        };
        if tag.eq_ignore_ascii_case("latest") {
            return Err(Error::new(
                ErrorKind::MutableTag,
                format!(
                    "`{self}` cannot be promoted: the tag `{tag}` is mutable; promote an \
                     immutable release tag such as `v1.0.2`"
                ),
            )
            .with_input(self.to_string()));
        }
        if !namespace.is_empty() {
            check_path(namespace).map_err(|reason| {
                Error::new(
                    ErrorKind::InvalidImageReference,
                    format!(
                        "the target namespace `{}` is not a valid repository path: {reason}",
                        shown(namespace)
                    ),
                )
                .with_input(namespace)
            })?;
        }
        let rendered = template.render(&Values {
            registry: &self.registry,
            namespace,
            repository: &self.repository,
            name: self.name(),
            tag,
        });
        let target = parse_reference(&rendered).map_err(|reason| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!(
                    "promoting `{self}` into namespace `{}` with `{template}` gives `{}`, which \
                     is not a valid image reference: {reason}",
                    shown(namespace),
                    shown(&rendered)
                ),
            )
            .with_input(rendered.clone())
        })?;
        if target.tag.is_none() {
            return Err(Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "promoting `{self}` with `{template}` gives `{}`, which carries no tag",
                    shown(&rendered)
                ),
            )
            .with_input(template.to_string()));
        }
        Ok(ImageReference {
            digest: self.digest.clone(),
            ..target
        })
    }
}

/// Appends `:tag` and `@digest` when present.
fn push_suffix(out: &mut String, tag: Option<&str>, digest: Option<&str>) {
    if let Some(tag) = tag {
        out.push(':');
        out.push_str(tag);
    }
    if let Some(digest) = digest {
        out.push('@');
        out.push_str(digest);
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.full_name();
        push_suffix(&mut out, self.tag.as_deref(), self.digest.as_deref());
        f.write_str(&out)
    }
}

impl FromStr for ImageReference {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidImageReference,
                "the image reference is empty; expected `[registry/]path[:tag][@digest]`",
            )
            .with_input(s));
        }
        parse_reference(s).map_err(|reason| {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!("`{}` is not a valid image reference: {reason}", shown(s)),
            )
            .with_input(s)
        })
    }
}

impl serde::Serialize for ImageReference {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ImageReference {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for ImageReference {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImageReference".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A container image reference, `[registry/]path[:tag][@digest]`, \
                            with Docker's grammar (e.g. `myrepo.azurecr.io/delivery:v1.0.2`).",
            "minLength": 1
        })
    }
}

/// Whether `s` is a bare image ID: exactly 64 lowercase hex digits.
fn is_image_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why the text before the first `/` is read as a registry, or `None` when it is a path.
fn registry_cause(first: &str) -> Option<&'static str> {
    if first == "localhost" {
        Some("is `localhost`")
    } else if first.contains('.') {
        Some("contains `.`")
    } else if first.contains(':') {
        Some("contains `:`")
    } else if first.chars().any(char::is_uppercase) {
        Some("contains uppercase letters")
    } else {
        None
    }
}

/// Parses a non-empty reference; the error is the reason, to be wrapped by the caller.
fn parse_reference(s: &str) -> std::result::Result<ImageReference, String> {
    if s.is_empty() {
        return Err("it is empty".to_owned());
    }
    if is_image_id(s) {
        return Err(
            "a bare string of 64 hex digits is an image ID, not a repository name".to_owned(),
        );
    }
    let (registry, rest) = match s.split_once('/') {
        Some((first, rest)) => match registry_cause(first) {
            Some(cause) => {
                check_registry(first, cause)?;
                let registry = if first == LEGACY_DOCKER_HUB {
                    DOCKER_HUB
                } else {
                    first
                };
                (registry, rest)
            }
            None => (DOCKER_HUB, s),
        },
        None => (DOCKER_HUB, s),
    };
    let (name_and_tag, digest) = match rest.split_once('@') {
        Some((name_and_tag, digest)) => (name_and_tag, Some(digest)),
        None => (rest, None),
    };
    // With the registry split off, a `:` can only introduce the tag. One followed by a `/` sits
    // inside the path, where the path rules report it.
    let (path, tag) = match name_and_tag.split_once(':') {
        Some((path, tag)) if !tag.contains('/') => (path, Some(tag)),
        _ => (name_and_tag, None),
    };
    check_path(path)?;
    if let Some(tag) = tag {
        check_tag(tag)?;
    }
    if let Some(digest) = digest {
        check_digest(digest)?;
    }
    let repository = normalise_path(registry, path);
    check_name_length(registry, &repository)?;
    Ok(ImageReference {
        registry: registry.to_owned(),
        repository,
        tag: tag.map(str::to_owned),
        digest: digest.map(str::to_owned),
    })
}

/// Adds `library/` to a single-component Docker Hub path.
fn normalise_path(registry: &str, path: &str) -> String {
    if registry == DOCKER_HUB && !path.contains('/') {
        format!("{OFFICIAL_NAMESPACE}{path}")
    } else {
        path.to_owned()
    }
}

/// Checks a registry (`host[:port]`), which was taken for one because of `cause`.
fn check_registry(registry: &str, cause: &str) -> std::result::Result<(), String> {
    let fail = |problem: String| {
        Err(format!(
            "`{}` is read as the registry because it {cause}, but {problem}",
            shown(registry)
        ))
    };
    let port = if let Some(after_bracket) = registry.strip_prefix('[') {
        let Some((address, tail)) = after_bracket.split_once(']') else {
            return fail("its IPv6 address opens with `[` and is never closed".to_owned());
        };
        if address.is_empty() {
            return fail("its IPv6 address `[]` is empty".to_owned());
        }
        if let Some(c) = address
            .chars()
            .find(|c| !(c.is_ascii_hexdigit() || *c == ':'))
        {
            return fail(format!(
                "its IPv6 address `[{}]` contains `{}`; only hex digits and `:` are allowed \
                 (no zone identifiers)",
                shown(address),
                shown_char(c)
            ));
        }
        match tail.strip_prefix(':') {
            Some(port) => Some(port),
            None if tail.is_empty() => None,
            None => {
                return fail(format!(
                    "`]` is followed by `{}`; only `:port` may follow an IPv6 address",
                    shown(tail)
                ));
            }
        }
    } else {
        let (host, port) = match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        };
        if host.is_empty() {
            return fail("its host is empty".to_owned());
        }
        for component in host.split('.') {
            if let Some(problem) = host_component_problem(component) {
                return fail(problem);
            }
        }
        port
    };
    match port {
        Some("") => fail("its port after `:` is empty".to_owned()),
        Some(port) if !port.bytes().all(|b| b.is_ascii_digit()) => {
            fail(format!("its port `{}` is not made of digits", shown(port)))
        }
        _ => Ok(()),
    }
}

/// What is wrong with one dot-separated component of a registry host name, if anything.
fn host_component_problem(component: &str) -> Option<String> {
    if component.is_empty() {
        return Some(
            "its host name has an empty component (a leading, trailing or doubled `.`)".to_owned(),
        );
    }
    if let Some(c) = component
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Some(format!(
            "its host component `{}` contains `{}`; host components allow only ASCII letters, \
             digits and `-`",
            shown(component),
            shown_char(c)
        ));
    }
    for (edge, at_edge) in [
        ("starts", component.starts_with('-')),
        ("ends", component.ends_with('-')),
    ] {
        if at_edge {
            return Some(format!(
                "its host component `{}` {edge} with `-`; host components start and end with a \
                 letter or digit",
                shown(component)
            ));
        }
    }
    None
}

/// Checks a repository path (`prod/delivery`), before Hub normalisation.
fn check_path(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err(
            "the repository path is empty; at least one component such as `delivery` \
                    is needed"
                .to_owned(),
        );
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(format!(
                "the repository path `{}` has an empty component (a leading, trailing or \
                 doubled `/`)",
                shown(path)
            ));
        }
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "repository names must be lowercase, and the path component `{}` is not",
                shown(component)
            ));
        }
        if let Some(problem) = path_component_problem(component) {
            return Err(format!(
                "the path component `{}` {problem}",
                shown(component)
            ));
        }
    }
    Ok(())
}

/// What is wrong with one non-empty, uppercase-free path component, if anything.
fn path_component_problem(component: &str) -> Option<String> {
    let is_separator = |c: char| matches!(c, '.' | '_' | '-');
    if let Some(c) = component
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || is_separator(*c)))
    {
        return Some(format!(
            "contains `{}`; path components allow only lowercase letters, digits, `.`, `_` \
             and `-`",
            shown_char(c)
        ));
    }
    if let Some(c) = component.chars().next().filter(|c| is_separator(*c)) {
        return Some(format!(
            "starts with `{c}`; path components start with a lowercase letter or digit"
        ));
    }
    if let Some(c) = component.chars().next_back().filter(|c| is_separator(*c)) {
        return Some(format!(
            "ends with `{c}`; path components end with a lowercase letter or digit"
        ));
    }
    let bad_run = component
        .split(|c: char| c.is_ascii_alphanumeric())
        .find(|run| {
            !(run.is_empty() || matches!(*run, "." | "_" | "__") || run.bytes().all(|b| b == b'-'))
        });
    bad_run.map(|run| {
        format!(
            "has the separator `{run}`; letters and digits may be joined only by one `.`, one \
             `_`, two `__` or a run of `-`"
        )
    })
}

/// Checks that `registry/repository` is within [`MAX_NAME_LEN`].
fn check_name_length(registry: &str, repository: &str) -> std::result::Result<(), String> {
    let length = registry.chars().count() + 1 + repository.chars().count();
    if length > MAX_NAME_LEN {
        return Err(format!(
            "the repository name `{}/{}` is {length} characters long; at most {MAX_NAME_LEN} are \
             allowed",
            shown(registry),
            shown(repository)
        ));
    }
    Ok(())
}

/// Checks a tag against `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> std::result::Result<(), String> {
    let Some(first) = tag.chars().next() else {
        return Err("the tag after `:` is empty".to_owned());
    };
    if !(first.is_ascii_alphanumeric() || first == '_') {
        return Err(format!(
            "the tag `{}` starts with `{}`; tags start with a letter, digit or `_`",
            shown(tag),
            shown_char(first)
        ));
    }
    if let Some(c) = tag
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(*c, '_' | '.' | '-')))
    {
        return Err(format!(
            "the tag `{}` contains `{}`; tags allow only letters, digits, `_`, `.` and `-`",
            shown(tag),
            shown_char(c)
        ));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(format!(
            "the tag is {} characters long; at most {MAX_TAG_LEN} are allowed",
            tag.len()
        ));
    }
    Ok(())
}

/// The registered digest algorithms and their exact number of lowercase hex digits.
const REGISTERED_ALGORITHMS: &[(&str, usize)] = &[("sha256", 64), ("sha384", 96), ("sha512", 128)];

/// The fewest hex digits of a digest with an algorithm that is not registered (128 bits).
const MIN_OTHER_DIGEST_HEX: usize = 32;

/// Checks a digest, `algorithm:hex`.
fn check_digest(digest: &str) -> std::result::Result<(), String> {
    if digest.is_empty() {
        return Err("the digest after `@` is empty".to_owned());
    }
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!(
            "the digest `{}` is not of the form `algorithm:hex` (e.g. `sha256:...`)",
            shown(digest)
        ));
    };
    if hex.contains(':') {
        return Err(format!(
            "the digest `{}` has a second `:`; a tag goes before the `@`, never after the digest",
            shown(digest)
        ));
    }
    if !is_digest_algorithm(algorithm) {
        return Err(format!(
            "the digest algorithm `{}` is not letters and digits starting with a letter, \
             joined by single `+`, `.`, `_` or `-`",
            shown(algorithm)
        ));
    }
    let registered = REGISTERED_ALGORITHMS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(algorithm));
    match registered {
        Some((name, _)) if *name != algorithm => Err(format!(
            "the digest algorithm `{algorithm}` must be written `{name}`"
        )),
        Some((name, digits)) => {
            if let Some(c) = hex.chars().find(|c| !matches!(*c, '0'..='9' | 'a'..='f')) {
                let why = if c.is_ascii_hexdigit() {
                    "digests are lowercase hex"
                } else {
                    "digests are hex"
                };
                return Err(format!(
                    "{name} {why}, but `{}` contains `{}`",
                    shown(hex),
                    shown_char(c)
                ));
            }
            if hex.len() != *digits {
                return Err(format!(
                    "a {name} digest has exactly {digits} hex digits, but `{}` has {}",
                    shown(hex),
                    hex.len()
                ));
            }
            Ok(())
        }
        None => {
            if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
                return Err(format!(
                    "digests are hex, but `{}` contains `{}`",
                    shown(hex),
                    shown_char(c)
                ));
            }
            if hex.len() < MIN_OTHER_DIGEST_HEX {
                return Err(format!(
                    "a `{}` digest (an algorithm without a fixed length) has at least \
                     {MIN_OTHER_DIGEST_HEX} hex digits, but `{}` has {}",
                    shown(algorithm),
                    shown(hex),
                    hex.len()
                ));
            }
            Ok(())
        }
    }
}

/// Whether `algorithm` fits `[A-Za-z][A-Za-z0-9]*([+._-][A-Za-z][A-Za-z0-9]*)*`.
fn is_digest_algorithm(algorithm: &str) -> bool {
    algorithm.split(['+', '.', '_', '-']).all(|component| {
        let mut chars = component.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric())
    })
}

/// One placeholder of a [`PromotionTemplate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Placeholder {
    Registry,
    Namespace,
    Repository,
    Name,
    Tag,
}

impl Placeholder {
    /// Every placeholder with its name, in the order messages list them.
    const ALL: [(&'static str, Placeholder); 5] = [
        ("registry", Placeholder::Registry),
        ("namespace", Placeholder::Namespace),
        ("repository", Placeholder::Repository),
        ("name", Placeholder::Name),
        ("tag", Placeholder::Tag),
    ];
}

/// One piece of a parsed [`PromotionTemplate`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    Placeholder(Placeholder),
}

/// The values a template is rendered with.
struct Values<'a> {
    registry: &'a str,
    namespace: &'a str,
    repository: &'a str,
    name: &'a str,
    tag: &'a str,
}

impl Values<'_> {
    fn get(&self, placeholder: Placeholder) -> &str {
        match placeholder {
            Placeholder::Registry => self.registry,
            Placeholder::Namespace => self.namespace,
            Placeholder::Repository => self.repository,
            Placeholder::Name => self.name,
            Placeholder::Tag => self.tag,
        }
    }
}

/// Where an approved image is promoted to: a reference with placeholders, such as the default
/// `{registry}/{namespace}/{name}:{tag}`.
///
/// Placeholders: `{registry}` (source registry), `{namespace}` (the target environment's
/// namespace), `{repository}` (source path), `{name}` (last source path component), `{tag}`
/// (source tag). See the [module documentation](self) for the rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PromotionTemplate {
    text: String,
    segments: Vec<Segment>,
}

/// The default promotion template: same registry, the target namespace, same name and tag.
pub const DEFAULT_PROMOTION_TEMPLATE: &str = "{registry}/{namespace}/{name}:{tag}";

impl PromotionTemplate {
    /// The template text, exactly as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Renders the template; an empty value that fills a whole path component takes one
    /// neighbouring `/` with it.
    fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        let mut drop_leading_slash = false;
        for (index, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(text) => {
                    let text = match text.strip_prefix('/') {
                        Some(rest) if drop_leading_slash => rest,
                        _ => text,
                    };
                    drop_leading_slash = false;
                    out.push_str(text);
                }
                Segment::Placeholder(placeholder) => {
                    drop_leading_slash = false;
                    let value = values.get(*placeholder);
                    if !value.is_empty() {
                        out.push_str(value);
                        continue;
                    }
                    let next = match self.segments.get(index + 1) {
                        Some(Segment::Literal(text)) => text.chars().next(),
                        Some(Segment::Placeholder(_)) => Some('{'),
                        None => None,
                    };
                    let starts_component = out.is_empty() || out.ends_with('/');
                    match next {
                        Some('/') if starts_component => drop_leading_slash = true,
                        None | Some(':') if out.ends_with('/') => {
                            out.pop();
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }

    /// The error for a malformed template.
    fn invalid(text: &str, problem: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::InvalidTemplate,
            format!("the promotion template `{}` {problem}", shown(text)),
        )
        .with_input(text)
    }
}

impl Default for PromotionTemplate {
    fn default() -> Self {
        PromotionTemplate {
            text: DEFAULT_PROMOTION_TEMPLATE.to_owned(),
            segments: vec![
                Segment::Placeholder(Placeholder::Registry),
                Segment::Literal("/".to_owned()),
                Segment::Placeholder(Placeholder::Namespace),
                Segment::Literal("/".to_owned()),
                Segment::Placeholder(Placeholder::Name),
                Segment::Literal(":".to_owned()),
                Segment::Placeholder(Placeholder::Tag),
            ],
        }
    }
}

impl FromStr for PromotionTemplate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidTemplate,
                format!(
                    "the promotion template is empty; the default is `{DEFAULT_PROMOTION_TEMPLATE}`"
                ),
            )
            .with_input(s));
        }
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = s;
        while let Some(at) = rest.find(['{', '}']) {
            literal.push_str(&rest[..at]);
            if rest[at..].starts_with('}') {
                return Err(Self::invalid(s, "has a `}` that closes no placeholder"));
            }
            let inner = &rest[at + 1..];
            let Some(close) = inner
                .find(['{', '}'])
                .filter(|i| inner[*i..].starts_with('}'))
            else {
                return Err(Self::invalid(
                    s,
                    "has a `{` that is not closed by `}` before the next `{` or the end",
                ));
            };
            let name = &inner[..close];
            let Some((_, placeholder)) = Placeholder::ALL.iter().find(|(n, _)| *n == name) else {
                let known = Placeholder::ALL.map(|(n, _)| format!("{{{n}}}"));
                let error = Self::invalid(
                    s,
                    format_args!(
                        "has the unknown placeholder `{{{}}}`; the placeholders are {}",
                        shown(name),
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                let suggestion = crate::suggest::closest(name, Placeholder::ALL.map(|(n, _)| n));
                return Err(match suggestion {
                    Some(n) => error.with_suggestion(format!("{{{n}}}")),
                    None => error,
                });
            };
            if !literal.is_empty() {
                segments.push(Segment::Literal(std::mem::take(&mut literal)));
            }
            segments.push(Segment::Placeholder(*placeholder));
            rest = &inner[close + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        let uses = |p: Placeholder| segments.contains(&Segment::Placeholder(p));
        if s.contains('@') {
            return Err(Self::invalid(
                s,
                "contains `@`; a promotion carries the source digest over by itself",
            ));
        }
        if !uses(Placeholder::Tag) {
            return Err(Self::invalid(
                s,
                "has no `{tag}`; every release must land on its own immutable tag",
            ));
        }
        if !uses(Placeholder::Name) && !uses(Placeholder::Repository) {
            return Err(Self::invalid(
                s,
                "has neither `{name}` nor `{repository}`; every image would be promoted onto \
                 the same repository",
            ));
        }
        let template = PromotionTemplate {
            text: s.to_owned(),
            segments,
        };
        // Render two typical sources (with and without a namespace) so that a template that can
        // never give a valid, tagged reference is refused when it is read, not at promotion time.
        for namespace in ["prod", ""] {
            let sample = Values {
                registry: "myrepo.azurecr.io",
                namespace,
                repository: "dev/delivery",
                name: "delivery",
                tag: "v1.0.2",
            };
            let rendered = template.render(&sample);
            match parse_reference(&rendered) {
                Ok(reference) if reference.tag.is_some() => {}
                Ok(_) => {
                    return Err(Self::invalid(
                        s,
                        format_args!(
                            "renders `{}` for `myrepo.azurecr.io/dev/delivery:v1.0.2`, which \
                             carries no tag; put `{{tag}}` after a `:`",
                            shown(&rendered)
                        ),
                    ));
                }
                Err(reason) => {
                    return Err(Self::invalid(
                        s,
                        format_args!(
                            "renders `{}` for `myrepo.azurecr.io/dev/delivery:v1.0.2` and \
                             namespace `{namespace}`, which is not a valid image reference: \
                             {reason}",
                            shown(&rendered)
                        ),
                    ));
                }
            }
        }
        Ok(template)
    }
}

impl fmt::Display for PromotionTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for PromotionTemplate {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PromotionTemplate {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for PromotionTemplate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PromotionTemplate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Where an approved image is promoted to. Placeholders: `{registry}`, \
                            `{namespace}` (the target environment's), `{repository}`, `{name}`, \
                            `{tag}`; must use `{tag}` and `{name}` or `{repository}`.",
            "default": DEFAULT_PROMOTION_TEMPLATE
        })
    }
}

const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ImageReference>();
    assert_send_sync::<ImageParts>();
    assert_send_sync::<PromotionTemplate>();
};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ImageReference> {
        s.parse()
    }

    #[test]
    fn parses_valid_references() {
        // (input, registry, repository, tag, digest)
        type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
        #[rustfmt::skip]
        let cases: &[Case<'_>] = &[
            ("ubuntu", "docker.io", "library/ubuntu", None, None),
            ("ubuntu:22.04", "docker.io", "library/ubuntu", Some("22.04"), None),
            ("fabrikam/delivery", "docker.io", "fabrikam/delivery", None, None),
            ("docker.io/ubuntu", "docker.io", "library/ubuntu", None, None),
            ("index.docker.io/ubuntu", "docker.io", "library/ubuntu", None, None),
            ("localhost/delivery", "localhost", "delivery", None, None),
            ("localhost:5000/delivery:v1", "localhost:5000", "delivery", Some("v1"), None),
            ("127.0.0.1:5000/delivery:v1.0.2", "127.0.0.1:5000", "delivery", Some("v1.0.2"), None),
            ("[::1]:5000/delivery", "[::1]:5000", "delivery", None, None),
            ("[2001:db8::1]/a/b", "[2001:db8::1]", "a/b", None, None),
            ("MyRegistry/delivery", "MyRegistry", "delivery", None, None),
            ("myrepo.azurecr.io/prod/delivery:v1.0.2", "myrepo.azurecr.io", "prod/delivery", Some("v1.0.2"), None),
            ("a.io/a__b/c---d/e.f/g_h", "a.io", "a__b/c---d/e.f/g_h", None, None),
            ("localhost:5000", "docker.io", "library/localhost", Some("5000"), None),
        ];
        for (input, registry, repository, tag, digest) in cases {
            let image = parse(input).unwrap();
            assert_eq!(image.registry(), *registry, "{input}");
            assert_eq!(image.repository(), *repository, "{input}");
            assert_eq!(image.tag(), *tag, "{input}");
            assert_eq!(image.digest(), *digest, "{input}");
        }
        let d = format!("sha256:{}", "0123456789abcdef".repeat(4));
        let pinned = parse(&format!("ubuntu:22.04@{d}")).unwrap();
        assert_eq!(pinned.digest(), Some(d.as_str()));
        assert_eq!(
            pinned.to_string(),
            format!("docker.io/library/ubuntu:22.04@{d}")
        );
    }

    #[test]
    fn refuses_invalid_references_with_exact_messages() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("", "the image reference is empty; expected `[registry/]path[:tag][@digest]`"),
            ("Ubuntu", "`Ubuntu` is not a valid image reference: repository names must be lowercase, and the path component `Ubuntu` is not"),
            ("myrepo.azurecr.io//delivery", "`myrepo.azurecr.io//delivery` is not a valid image reference: the repository path `/delivery` has an empty component (a leading, trailing or doubled `/`)"),
            ("foo_bar.com/app", "`foo_bar.com/app` is not a valid image reference: `foo_bar.com` is read as the registry because it contains `.`, but its host component `foo_bar` contains `_`; host components allow only ASCII letters, digits and `-`"),
            ("r.io/a___b", "`r.io/a___b` is not a valid image reference: the path component `a___b` has the separator `___`; letters and digits may be joined only by one `.`, one `_`, two `__` or a run of `-`"),
            ("r.io/app:", "`r.io/app:` is not a valid image reference: the tag after `:` is empty"),
            ("r.io/app:.v1", "`r.io/app:.v1` is not a valid image reference: the tag `.v1` starts with `.`; tags start with a letter, digit or `_`"),
            ("r.io/app@sha256:abc", "`r.io/app@sha256:abc` is not a valid image reference: a sha256 digest has exactly 64 hex digits, but `abc` has 3"),
            ("a\u{7}b", "`a\\u{7}b` is not a valid image reference: the path component `a\\u{7}b` contains `\\u{7}`; path components allow only lowercase letters, digits, `.`, `_` and `-`"),
            ("localhost:x/app", "`localhost:x/app` is not a valid image reference: `localhost:x` is read as the registry because it contains `:`, but its port `x` is not made of digits"),
        ];
        for (input, message) in cases {
            let err = parse(input).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidImageReference, "{input:?}");
            assert_eq!(err.to_string(), *message, "{input:?}");
            assert_eq!(err.input(), Some(*input));
        }
    }

    #[test]
    fn refuses_more_invalid_references_without_panicking() {
        let long = "a".repeat(1 << 20);
        #[rustfmt::skip]
        let inputs = [
            ":", "@", ":@", "/", "//", "@sha256:", "a/", "/a", "a//b", "-a", "a-", "a..b", "a._b",
            "a:b:c", "a@b", "a@sha256", "a@:abc", "[::1/a", "[zz]/a", "[]:5/a", "[::1]x/a",
            "r.io:/a", ":5000/a", "r..io/a", "-r.io/a", "r.io-/a", "ünicode", "a b", "a\nb",
            "a:tag/b", "A/B", "r.io/a:b/c", "a:\u{0}", "Ü/a", &long, &format!("{long}:tag"),
            &format!("r.io/{long}"), &format!("a:{long}"), &format!("a@sha256:{long}"),
        ];
        for input in inputs {
            let err = parse(input).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidImageReference, "{input:?}");
            assert!(
                err.to_string().chars().count() < 2000,
                "{input:?}: message too long"
            );
        }
    }

    #[test]
    fn length_limits_are_exact() {
        assert!(parse(&format!("r.io/{}", "a".repeat(250))).is_ok());
        let err = parse(&format!("r.io/{}", "a".repeat(251))).unwrap_err();
        assert!(
            err.message()
                .ends_with("is 256 characters long; at most 255 are allowed")
        );
        assert!(parse(&"a".repeat(255 - 18)).is_ok());
        assert!(parse(&"a".repeat(256 - 18)).is_err());
        assert!(parse(&format!("a:{}", "b".repeat(128))).is_ok());
        assert!(parse(&format!("a:{}", "b".repeat(129))).is_err());
    }

    #[test]
    fn digests() {
        #[rustfmt::skip]
        let valid = [
            format!("a@sha256:{}", "f".repeat(64)),
            format!("a@sha384:{}", "f".repeat(96)),
            format!("a@sha512:{}", "f".repeat(128)),
            format!("a@blake3:{}", "F".repeat(32)),
            format!("a@sha256+b64u.x_y-z:{}", "f".repeat(40)),
        ];
        for input in &valid {
            assert!(parse(input).is_ok(), "{input}");
        }
        #[rustfmt::skip]
        let invalid = [
            format!("a@sha256:{}", "F".repeat(64)),
            format!("a@sha256:{}", "f".repeat(65)),
            format!("a@SHA256:{}", "f".repeat(64)),
            format!("a@sha512:{}", "f".repeat(64)),
            format!("a@blake3:{}", "f".repeat(31)),
            format!("a@1sha:{}", "f".repeat(64)),
            format!("a@sha--256:{}", "f".repeat(64)),
            format!("a@sha256:{}g", "f".repeat(63)),
        ];
        for input in &invalid {
            assert!(parse(input).is_err(), "{input}");
        }
        let hex = "f".repeat(64);
        assert_eq!(
            parse(&format!("a@SHA256:{hex}")).unwrap_err().message(),
            format!(
                "`a@SHA256:{hex}` is not a valid image reference: the digest algorithm `SHA256` must be written `sha256`"
            )
        );
        assert!(parse(&"a".repeat(64)).is_err());
        assert!(parse(&format!("{}:v1", "a".repeat(64))).is_ok());
    }

    #[test]
    fn familiar_forms_parse_back_to_the_same_reference() {
        #[rustfmt::skip]
        let cases = [
            ("ubuntu", "ubuntu"),
            ("docker.io/library/ubuntu:22.04", "ubuntu:22.04"),
            ("fabrikam/delivery:v1", "fabrikam/delivery:v1"),
            ("docker.io/library/a/b", "library/a/b"),
            ("docker.io/example.com/app", "docker.io/example.com/app"),
            ("docker.io/localhost/app", "docker.io/localhost/app"),
            ("myrepo.azurecr.io/delivery", "myrepo.azurecr.io/delivery"),
        ];
        for (input, familiar) in cases {
            let image = parse(input).unwrap();
            assert_eq!(image.familiar(), familiar, "{input}");
            assert_eq!(parse(familiar).unwrap(), image, "{input}");
        }
        let id = "a".repeat(64);
        let image = parse(&format!("library/{id}")).unwrap();
        assert_eq!(image.familiar(), format!("library/{id}"));
    }

    #[test]
    fn builders() {
        let image = parse("myrepo.azurecr.io/delivery:v1.0.2").unwrap();
        let digest = format!("sha256:{}", "a".repeat(64));
        let pinned = image.with_digest(&digest).unwrap();
        assert_eq!(
            pinned.to_string(),
            format!("myrepo.azurecr.io/delivery:v1.0.2@{digest}")
        );
        assert_eq!(pinned.without_digest(), image);
        assert_eq!(pinned.without_tag().tag(), None);
        assert_eq!(image.with_tag("v2").unwrap().tag(), Some("v2"));
        assert_eq!(
            image.with_tag("-x").unwrap_err().to_string(),
            "`-x` is not a valid image tag: the tag `-x` starts with `-`; tags start with a letter, digit or `_`"
        );
        assert!(image.with_digest("sha256:abc").is_err());
        assert_eq!(
            image.with_repository("prod/delivery").unwrap().repository(),
            "prod/delivery"
        );
        assert_eq!(
            image
                .with_repository("Prod/delivery")
                .unwrap_err()
                .to_string(),
            "`Prod/delivery` is not a valid repository path for `myrepo.azurecr.io/delivery`: repository names must be lowercase, and the path component `Prod` is not"
        );
        assert!(image.with_repository(&"a".repeat(250)).is_err());
        let hub = parse("ubuntu").unwrap();
        assert_eq!(
            hub.with_repository("debian").unwrap().repository(),
            "library/debian"
        );
    }

    #[test]
    fn promotion_targets() {
        let digest = format!("sha256:{}", "b".repeat(64));
        let pinned_source = format!("myrepo.azurecr.io/delivery:v1.0.2@{digest}");
        let pinned_target = format!("myrepo.azurecr.io/prod/delivery:v1.0.2@{digest}");
        let default = DEFAULT_PROMOTION_TEMPLATE;
        // (source, namespace, template, target)
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, &str)] = &[
            ("myrepo.azurecr.io/delivery:v1.0.2", "prod", default, "myrepo.azurecr.io/prod/delivery:v1.0.2"),
            ("myrepo.azurecr.io/dev/delivery:v1.0.2", "prod", default, "myrepo.azurecr.io/prod/delivery:v1.0.2"),
            ("myrepo.azurecr.io/prod/delivery:v1.0.2", "prod", default, "myrepo.azurecr.io/prod/delivery:v1.0.2"),
            ("127.0.0.1:5000/delivery:v1.0.2", "prod", default, "127.0.0.1:5000/prod/delivery:v1.0.2"),
            ("myrepo.azurecr.io/dev/delivery:v1.0.2", "", default, "myrepo.azurecr.io/delivery:v1.0.2"),
            ("myrepo.azurecr.io/dev/delivery:v1.0.2", "prod", "{registry}/{namespace}/{repository}:{tag}", "myrepo.azurecr.io/prod/dev/delivery:v1.0.2"),
            ("myrepo.azurecr.io/delivery:v1.0.2", "prod", "prodrepo.azurecr.io/{name}:{tag}", "prodrepo.azurecr.io/delivery:v1.0.2"),
            ("myrepo.azurecr.io/delivery:v1.0.2", "", "{registry}/{name}/{namespace}:{tag}", "myrepo.azurecr.io/delivery:v1.0.2"),
            ("myrepo.azurecr.io/delivery:v1.0.2", "", "{namespace}/{name}:{tag}", "docker.io/library/delivery:v1.0.2"),
            ("myrepo.azurecr.io/delivery:v1.0.2", "team/prod", "{registry}/{namespace}/{name}:{tag}-approved", "myrepo.azurecr.io/team/prod/delivery:v1.0.2-approved"),
            (&pinned_source, "prod", default, &pinned_target),
        ];
        for (source, namespace, template, target) in cases {
            let template: PromotionTemplate = template.parse().unwrap();
            let got = parse(source)
                .unwrap()
                .promotion_target(&template, namespace)
                .unwrap();
            assert_eq!(got.to_string(), *target, "{source} {namespace} {template}");
        }
    }

    #[test]
    fn promotion_refusals() {
        let template = PromotionTemplate::default();
        let promote = |s: &str, ns: &str| {
            parse(s)
                .unwrap()
                .promotion_target(&template, ns)
                .unwrap_err()
        };
        let untagged = promote("myrepo.azurecr.io/delivery", "prod");
        assert_eq!(untagged.kind(), ErrorKind::InvalidImageReference);
        assert_eq!(
            untagged.to_string(),
            "`myrepo.azurecr.io/delivery` cannot be promoted: promotion needs a release tag such as `:v1.0.2`, and the reference has none"
        );
        let latest = promote("myrepo.azurecr.io/delivery:LaTeSt", "prod");
        assert_eq!(latest.kind(), ErrorKind::MutableTag);
        assert_eq!(
            latest.to_string(),
            "`myrepo.azurecr.io/delivery:LaTeSt` cannot be promoted: the tag `LaTeSt` is mutable; promote an immutable release tag such as `v1.0.2`"
        );
        for namespace in ["Prod", "/prod", "prod/", "pr od", "a//b", "\u{0}"] {
            let err = promote("myrepo.azurecr.io/delivery:v1", namespace);
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidImageReference,
                "{namespace:?}"
            );
        }
        let long = promote(&format!("r.io/{}:v1", "a".repeat(250)), "prod");
        assert_eq!(long.kind(), ErrorKind::InvalidImageReference);
        assert!(long.message().contains("at most 255 are allowed"));
    }

    #[test]
    fn template_refusals() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("", "the promotion template is empty; the default is `{registry}/{namespace}/{name}:{tag}`"),
            ("{registry}/{namespce}/{name}:{tag}", "the promotion template `{registry}/{namespce}/{name}:{tag}` has the unknown placeholder `{namespce}`; the placeholders are `{registry}`, `{namespace}`, `{repository}`, `{name}`, `{tag}` (did you mean `{namespace}`?)"),
            ("{registry}/{name}:latest", "the promotion template `{registry}/{name}:latest` has no `{tag}`; every release must land on its own immutable tag"),
            ("{registry}/prod/app:{tag}", "the promotion template `{registry}/prod/app:{tag}` has neither `{name}` nor `{repository}`; every image would be promoted onto the same repository"),
            ("{registry}/{name}:{tag}@sha256:x", "the promotion template `{registry}/{name}:{tag}@sha256:x` contains `@`; a promotion carries the source digest over by itself"),
            ("{registry}/{name}:{tag", "the promotion template `{registry}/{name}:{tag` has a `{` that is not closed by `}` before the next `{` or the end"),
            ("{registry}/{name}}:{tag}", "the promotion template `{registry}/{name}}:{tag}` has a `}` that closes no placeholder"),
            ("{registry}/{name}/{tag}", "the promotion template `{registry}/{name}/{tag}` renders `myrepo.azurecr.io/delivery/v1.0.2` for `myrepo.azurecr.io/dev/delivery:v1.0.2`, which carries no tag; put `{tag}` after a `:`"),
        ];
        for (input, message) in cases {
            let err = input.parse::<PromotionTemplate>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidTemplate, "{input}");
            assert_eq!(err.to_string(), *message, "{input}");
        }
        #[rustfmt::skip]
        let more = [
            "{}", "{{name}}:{tag}", "{registry}//{name}:{tag}", "{registry}/{Name}:{tag}",
            "{registry}/{namespace}{name}:{tag}x y", "\u{0}{name}:{tag}",
        ];
        for input in more {
            let err = input.parse::<PromotionTemplate>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidTemplate, "{input:?}");
        }
    }

    #[test]
    fn default_template_matches_its_text() {
        let parsed: PromotionTemplate = DEFAULT_PROMOTION_TEMPLATE.parse().unwrap();
        assert_eq!(parsed, PromotionTemplate::default());
        assert_eq!(parsed.as_str(), DEFAULT_PROMOTION_TEMPLATE);
    }

    #[test]
    fn serde_uses_the_string_forms() {
        let image = parse("ubuntu:22.04").unwrap();
        let json = serde_json::to_string(&image).unwrap();
        assert_eq!(json, "\"docker.io/library/ubuntu:22.04\"");
        let back: ImageReference = serde_json::from_str("\"ubuntu:22.04\"").unwrap();
        assert_eq!(back, image);
        assert!(serde_json::from_str::<ImageReference>("\"Ubuntu\"").is_err());
        let text = "\"{registry}/{namespace}/{name}:{tag}\"";
        let template: PromotionTemplate = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&template).unwrap(), text);
        assert!(serde_json::from_str::<PromotionTemplate>("\"{nope}\"").is_err());
    }

    /// A deterministic stand-in for a fuzzer: random strings over an alphabet of the grammar's
    /// interesting pieces must never panic, and whatever parses must round-trip through
    /// `Display` and `familiar`.
    #[test]
    fn random_inputs_never_panic_and_round_trip() {
        #[rustfmt::skip]
        const ALPHABET: &[&str] = &[
            "a", "b", "z", "0", "9", "A", "Z", ".", "_", "__", "-", "/", ":", "@", "[", "]",
            "localhost", "docker.io", "index.docker.io", "sha256", "library", "latest", "é",
            "\u{0}", "\n", " ", "{", "}", "{name}", "{tag}", "{namespace}",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let template = PromotionTemplate::default();
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let input: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let _ = input.parse::<PromotionTemplate>();
            if let Ok(image) = parse(&input) {
                parsed += 1;
                let full = image.to_string();
                assert_eq!(parse(&full).unwrap(), image, "{input:?} -> {full}");
                let familiar = image.familiar();
                assert_eq!(parse(&familiar).unwrap(), image, "{input:?} -> {familiar}");
                for namespace in ["prod", ""] {
                    if let Ok(target) = image.promotion_target(&template, namespace) {
                        assert_eq!(parse(&target.to_string()).unwrap(), target, "{input:?}");
                        assert_eq!(target.tag(), image.tag(), "{input:?}");
                        assert_eq!(target.digest(), image.digest(), "{input:?}");
                    }
                }
            }
        }
        // The alphabet is tuned so that a good share of the inputs is valid.
        assert!(parsed > 1_000, "only {parsed} random inputs parsed");
    }
}
