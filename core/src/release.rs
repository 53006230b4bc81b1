//! The release questions a pipeline asks, answered from one [`Config`]: what does this branch
//! release, which version comes next, and where is an image promoted to.
//!
//! These compose the branch, version, tag and image rules so that the CLI and the bindings ask
//! the same question the same way.
//!
//! ```
//! use shiprail::config::Config;
//! let config = Config::default();
//! let release = config.release_for_branch("release/delivery/v1.0.2")?;
//! assert_eq!(release.tags.image_tag, "v1.0.2");
//! assert_eq!(release.tags.chart_version, "1.0.2");
//! assert_eq!(release.tags.git_tag, "delivery-v1.0.2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::branch::Branch;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageReference;
use crate::tag::ReleaseTags;
use crate::version::{NextVersion, ReleaseVersion};
use serde::Serialize;

/// What a release branch releases: the service, the version and every tag that follows from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    /// The service released.
    pub service: String,
    /// The classified branch.
    pub branch: Branch,
    /// The version, image tag, chart version, appVersion, git tag and chart OCI tag.
    #[serde(flatten)]
    pub tags: ReleaseTags,
}

/// The next version of a service, with the tags it would get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextRelease {
    /// The service.
    pub service: String,
    /// The current and next version and the bump between them.
    #[serde(flatten)]
    pub next: NextVersion,
    /// The tags of the next version, when there is one.
    pub tags: Option<ReleaseTags>,
}

/// Where an image goes when it is promoted into an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromotionTarget {
    /// The source reference, normalised.
    pub source: String,
    /// The destination reference.
    pub target: String,
    /// The environment promoted into.
    pub environment: String,
    /// The environment's registry namespace.
    pub namespace: String,
}

impl Config {
    /// The declared services, or `None` when none are declared (any name is then accepted).
    fn known_services(&self) -> Option<Vec<&str>> {
        (!self.services.is_empty()).then(|| self.service_names())
    }

    /// Classifies a branch or ref by the configured branch rules and declared services.
    pub fn classify_branch(&self, reference: &str) -> Result<Branch> {
        let services = self.known_services();
        self.branches.classify(reference, services.as_deref())
    }

    /// The release a branch stands for: it must be of a release-like kind (its pattern holds
    /// `{version}`) and name a service.
    pub fn release_for_branch(&self, reference: &str) -> Result<Release> {
        let branch = self.classify_branch(reference)?;
        let (Some(service), Some(version)) = (branch.service.clone(), branch.version.clone())
        else {
            return Err(Error::new(
                ErrorKind::NotAReleaseBranch,
                format!(
                    "`{}` is a {} branch, not a release branch: only a branch like `release/<service>/v<semver>` carries a version",
                    branch.name, branch.kind
                ),
            )
            .with_input(reference));
        };
        let tags = self.tags.derive(&service, &version)?;
        Ok(Release {
            service,
            branch,
            tags,
        })
    }

    /// The next version of `service` from the repository's tags (any tags; those of other
    /// services are ignored) and the commit messages since the last release.
    pub fn next_version<S: AsRef<str>>(
        &self,
        service: &str,
        tags: &[S],
        commits: &[S],
        prerelease: bool,
    ) -> Result<NextRelease> {
        if !self.services.is_empty() {
            self.service(service)?;
        }
        let tags: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
        let commits: Vec<&str> = commits.iter().map(AsRef::as_ref).collect();
        let services = self.known_services().unwrap_or_else(|| vec![service]);
        let released: Vec<ReleaseVersion> = self.tags.released_versions(service, &tags, &services);
        let next = self.versioning.next(&released, &commits, prerelease)?;
        let tags = match &next.next {
            Some(version) => Some(self.tags.derive(service, version)?),
            None => None,
        };
        Ok(NextRelease {
            service: service.to_string(),
            next,
            tags,
        })
    }

    /// The reference an image is promoted to for `environment`, by the promotion template and
    /// the environment's registry namespace.
    pub fn promotion_target(&self, image: &str, environment: &str) -> Result<PromotionTarget> {
        let env = self.environment(environment)?;
        let source: ImageReference = image.parse()?;
        if let Some(tag) = source.tag() {
            self.tags.check_immutable(tag)?;
        }
        let target = source.promotion_target(&self.promotion.template, &env.registry_namespace)?;
        Ok(PromotionTarget {
            source: source.to_string(),
            target: target.to_string(),
            environment: environment.to_string(),
            namespace: env.registry_namespace.clone(),
        })
    }
}

/// Splits commit messages as `git log --format=%B%x00` prints them (NUL-separated); text with
/// no NUL is taken as one message a line. Empty messages are dropped.
///
/// ```
/// use shiprail::release::split_commit_messages;
/// assert_eq!(split_commit_messages("feat: a\n\nbody\n\0fix: b\n\0"), ["feat: a\n\nbody", "fix: b"]);
/// assert_eq!(split_commit_messages("feat: a\nfix: b\n"), ["feat: a", "fix: b"]);
/// ```
pub fn split_commit_messages(text: &str) -> Vec<&str> {
    let parts: Vec<&str> = if text.contains('\0') {
        text.split('\0').collect()
    } else {
        text.lines().collect()
    };
    parts
        .into_iter()
        .map(|m| m.trim_matches(|c: char| c == '\n' || c == '\r'))
        .filter(|m| !m.trim().is_empty())
        .collect()
}

/// Splits a list of tags or paths given one a line (as `git tag` prints them), trimming
/// whitespace and dropping blank lines.
pub fn split_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}
