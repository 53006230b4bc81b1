//! Image references: the `ImageReference` class, `parseImage`, `parseImages`,
//! `promotionTarget` and `validatePromotionTemplate`.

use crate::convert::{ImageParts, ImageResult};
use crate::error::OrThrow;
use napi::Env;
use napi_derive::napi;
use shiprail::image::{self as core, PromotionTemplate};

/// The registry of references that name none (Docker Hub).
#[napi]
pub const DOCKER_HUB: &str = core::DOCKER_HUB;

/// The longest repository name with its registry, in characters.
#[napi]
pub const MAX_NAME_LEN: u32 = core::MAX_NAME_LEN as u32;

/// The longest tag, in characters.
#[napi]
pub const MAX_TAG_LEN: u32 = core::MAX_TAG_LEN as u32;

/// The default promotion template.
#[napi]
pub const DEFAULT_PROMOTION_TEMPLATE: &str = core::DEFAULT_PROMOTION_TEMPLATE;

fn promotion_template(env: &Env, text: Option<String>) -> napi::Result<PromotionTemplate> {
    match text {
        None => Ok(PromotionTemplate::default()),
        Some(text) => text.parse().or_throw(env),
    }
}

/// A container image reference, `registry/path[:tag][@digest]`, normalised the way Docker does.
#[napi]
pub struct ImageReference {
    inner: core::ImageReference,
}

impl From<core::ImageReference> for ImageReference {
    fn from(inner: core::ImageReference) -> Self {
        ImageReference { inner }
    }
}

#[napi]
impl ImageReference {
    /// Parses a reference (`ubuntu`, `myrepo.azurecr.io/delivery:v1.0.2`, `...@sha256:...`).
    #[napi(constructor)]
    pub fn new(env: &Env, text: String) -> napi::Result<Self> {
        text.parse::<core::ImageReference>()
            .map(Self::from)
            .or_throw(env)
    }

    /// The registry host with its port (`docker.io`, `localhost:5000`).
    #[napi(getter)]
    pub fn registry(&self) -> String {
        self.inner.registry().to_string()
    }

    /// The path inside the registry (`library/ubuntu`, `prod/delivery`).
    #[napi(getter)]
    pub fn repository(&self) -> String {
        self.inner.repository().to_string()
    }

    /// The last path component (`delivery`).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The path before the name (`prod`), empty when there is none.
    #[napi(getter)]
    pub fn namespace(&self) -> String {
        self.inner.namespace().to_string()
    }

    /// The tag, `null` when there is none.
    #[napi(getter)]
    pub fn tag(&self) -> Option<String> {
        self.inner.tag().map(str::to_string)
    }

    /// The digest (`sha256:...`), `null` when there is none.
    #[napi(getter)]
    pub fn digest(&self) -> Option<String> {
        self.inner.digest().map(str::to_string)
    }

    /// The repository name with its registry, without tag or digest.
    #[napi(getter)]
    pub fn full_name(&self) -> String {
        self.inner.full_name()
    }

    /// The short form Docker prints (`ubuntu:22.04`).
    #[napi(getter)]
    pub fn familiar(&self) -> String {
        self.inner.familiar()
    }

    /// All parts as a plain object.
    #[napi]
    pub fn parts(&self) -> ImageParts {
        self.inner.parts().into()
    }

    /// The same reference with `tag` as its tag (keeping any digest).
    #[napi]
    pub fn with_tag(&self, env: &Env, tag: String) -> napi::Result<ImageReference> {
        self.inner.with_tag(&tag).map(Self::from).or_throw(env)
    }

    /// The same reference without a tag.
    #[napi]
    pub fn without_tag(&self) -> ImageReference {
        self.inner.without_tag().into()
    }

    /// The same reference pinned to `digest` (keeping any tag).
    #[napi]
    pub fn with_digest(&self, env: &Env, digest: String) -> napi::Result<ImageReference> {
        self.inner
            .with_digest(&digest)
            .map(Self::from)
            .or_throw(env)
    }

    /// The same reference without its digest.
    #[napi]
    pub fn without_digest(&self) -> ImageReference {
        self.inner.without_digest().into()
    }

    /// The same reference on the same registry with another repository path.
    #[napi]
    pub fn with_repository(&self, env: &Env, repository: String) -> napi::Result<ImageReference> {
        self.inner
            .with_repository(&repository)
            .map(Self::from)
            .or_throw(env)
    }

    /// Where this image goes when promoted into registry namespace `namespace` (empty for the
    /// registry root), by `template` (default `{registry}/{namespace}/{name}:{tag}`).
    #[napi]
    pub fn promotion_target(
        &self,
        env: &Env,
        namespace: String,
        template: Option<String>,
    ) -> napi::Result<ImageReference> {
        let template = promotion_template(env, template)?;
        self.inner
            .promotion_target(&template, &namespace)
            .map(Self::from)
            .or_throw(env)
    }

    /// Whether both references are equal after normalisation.
    #[napi]
    pub fn equals(&self, other: &ImageReference) -> bool {
        self.inner == other.inner
    }

    /// The full normalised form.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }

    /// JSON form: the full normalised form.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> String {
        self.inner.to_string()
    }
}

/// The parts of an image reference as a plain object.
#[napi]
pub fn parse_image(env: &Env, text: String) -> napi::Result<ImageParts> {
    text.parse::<core::ImageReference>()
        .map(|r| r.parts().into())
        .or_throw(env)
}

/// Parses many references in one call; each item carries its parts or its error.
#[napi]
pub fn parse_images(references: Vec<String>) -> Vec<ImageResult> {
    references
        .iter()
        .map(|r| ImageResult::new(r, r.parse::<core::ImageReference>().map(|i| i.parts())))
        .collect()
}

/// The reference `source` is promoted to in registry namespace `namespace`, as a string.
#[napi]
pub fn promotion_target(
    env: &Env,
    source: String,
    namespace: String,
    template: Option<String>,
) -> napi::Result<String> {
    let template = promotion_template(env, template)?;
    source
        .parse::<core::ImageReference>()
        .and_then(|s| s.promotion_target(&template, &namespace))
        .map(|t| t.to_string())
        .or_throw(env)
}

/// Checks a promotion template and returns its text.
#[napi]
pub fn validate_promotion_template(env: &Env, template: String) -> napi::Result<String> {
    template
        .parse::<PromotionTemplate>()
        .map(|t| t.as_str().to_string())
        .or_throw(env)
}
