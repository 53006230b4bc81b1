//! The one error type of shiprail.
//!
//! Every failure is an [`Error`] carrying an [`ErrorKind`] whose [`ErrorKind::code`] is a stable
//! snake_case string: the CLI prints it in its JSON, the Python binding maps it to an exception
//! class and the Node binding puts it on `error.code`. Codes never change meaning once released;
//! new kinds are added, which is why [`ErrorKind`] is `#[non_exhaustive]`.
//!
//! Messages name the offending input and the rule it breaks. Errors about a file carry a
//! [`Location`] (file, 1-based line and column) so that editors and CI annotations can point at it.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, as a stable category.
///
/// Each variant's [`code`](ErrorKind::code) is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A branch or ref name breaks git's own ref-name rules (control characters, `..`, `~`,
    /// `^`, `:`, `?`, `*`, `[`, `\`, a space, an empty segment, a trailing `.lock`, ...).
    InvalidRefName,
    /// A ref is a tag (`refs/tags/...`) or another non-branch ref where a branch was expected.
    NotABranch,
    /// A branch name matches none of the configured branch kinds.
    UnknownBranchKind,
    /// A release was asked of a branch that is not a release branch (no version in its name).
    NotAReleaseBranch,
    /// A branch or tag names a service that the configuration does not declare.
    UnknownService,
    /// A release branch or tag carries a version that is not `v` + strict SemVer 2.0.
    InvalidBranchVersion,
    /// A string is not a strict SemVer 2.0 version (with an optional `v` prefix where allowed).
    InvalidVersion,
    /// A new release version is not higher than every version already released.
    VersionNotHigher,
    /// A tag is mutable (`latest`, `stable`, ...) and mutable tags are refused everywhere.
    MutableTag,
    /// A tag does not fit the grammar or the template it is checked against.
    InvalidTag,
    /// A git tag could be attributed to more than one service.
    AmbiguousTag,
    /// A naming template (`{service}-v{version}`, ...) is malformed or cannot round-trip.
    InvalidTemplate,
    /// A string is not a valid image reference (`host[:port]/path/name[:tag][@digest]`).
    InvalidImageReference,
    /// A path glob or branch pattern cannot be compiled.
    InvalidPattern,
    /// An environment name is not declared in the configuration.
    UnknownEnvironment,
    /// An event description is malformed (unknown kind, missing ref, ...).
    InvalidEvent,
    /// A pipeline file (azure-pipelines.yml, a GitHub workflow) is malformed or uses a
    /// combination of filters its CI system rejects.
    InvalidPipeline,
    /// Running git failed or it reported an error (unknown revision, not a repository).
    Git,
    /// A configuration file is not well-formed YAML or does not fit the schema (unknown key,
    /// wrong type, missing field).
    ConfigSyntax,
    /// A configuration file is well-formed but contradicts itself (unknown service in
    /// `depends_on`, a dependency cycle, a path claimed twice, ...).
    ConfigInvalid,
    /// A file holds bytes that are not UTF-8 where text is required.
    InvalidUtf8,
    /// Reading or writing a file failed.
    Io,
    /// A Helm chart breaks Helm's own rules (a Chart.yaml field, a missing or malformed file, a
    /// lint error) or cannot be edited, packaged or named as asked.
    InvalidChart,
    /// A chart archive is not a gzip-compressed tar stream, or its tar structure is broken.
    InvalidArchive,
    /// A chart archive holds something a loader must refuse: a path that could escape the
    /// extraction directory (absolute, `..`, a drive letter), a link, a device or fifo, a
    /// duplicate entry, or more data or entries than the configured limits.
    UnsafeArchive,
    /// A registry refused the credentials (HTTP 401/403, a failed token exchange) or none were
    /// found for it: `docker login`, a credential helper, or explicit credentials are needed.
    RegistryUnauthorized,
    /// A registry has no such repository, tag, manifest or blob (HTTP 404).
    RegistryNotFound,
    /// The TLS connection to a registry failed: an untrusted or mismatched certificate, or a
    /// server that does not speak TLS where plain HTTP is not allowed.
    RegistryTls,
    /// Content does not hash to its digest (a manifest or blob changed or was truncated on the
    /// way): nothing built on it is written.
    RegistryDigestMismatch,
    /// A promotion would move a destination tag that already names another digest; tags
    /// never move unless forced.
    RegistryClobber,
    /// The source of a promotion is not the digest that was approved (`--expect-digest`).
    RegistryUnexpectedDigest,
    /// Any other registry failure: unreachable, a server error that persisted through the
    /// retries, an answer that breaks the distribution protocol, an unsupported operation.
    Registry,
    /// A release state file fails its integrity check: the audit trail's hash chain is broken,
    /// or the plan and release it records no longer hash to what the trail started with.
    StateTampered,
    /// A release state or plan was written by a newer format version than this shiprail
    /// reads.
    StateVersion,
    /// A step was recorded before the gates in front of it passed: a step it needs has not
    /// succeeded, or the environment before did not pass with this digest.
    GateNotPassed,
    /// A promotion or deployment needs approvals that have not been given for the digest
    /// being deployed (or whose wait timer has not run out).
    ApprovalMissing,
    /// An approval that cannot count: the author approving their own release, someone who
    /// is not an approver, a digest that did not pass the environment before, or one given
    /// after the approval window closed.
    ApprovalRefused,
}

impl ErrorKind {
    /// Every kind, in declaration order: lets tests and bindings check that each code is mapped.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidRefName,
        ErrorKind::NotABranch,
        ErrorKind::UnknownBranchKind,
        ErrorKind::NotAReleaseBranch,
        ErrorKind::UnknownService,
        ErrorKind::InvalidBranchVersion,
        ErrorKind::InvalidVersion,
        ErrorKind::VersionNotHigher,
        ErrorKind::MutableTag,
        ErrorKind::InvalidTag,
        ErrorKind::AmbiguousTag,
        ErrorKind::InvalidTemplate,
        ErrorKind::InvalidImageReference,
        ErrorKind::InvalidPattern,
        ErrorKind::UnknownEnvironment,
        ErrorKind::InvalidEvent,
        ErrorKind::InvalidPipeline,
        ErrorKind::Git,
        ErrorKind::ConfigSyntax,
        ErrorKind::ConfigInvalid,
        ErrorKind::InvalidUtf8,
        ErrorKind::Io,
        ErrorKind::InvalidChart,
        ErrorKind::InvalidArchive,
        ErrorKind::UnsafeArchive,
        ErrorKind::RegistryUnauthorized,
        ErrorKind::RegistryNotFound,
        ErrorKind::RegistryTls,
        ErrorKind::RegistryDigestMismatch,
        ErrorKind::RegistryClobber,
        ErrorKind::RegistryUnexpectedDigest,
        ErrorKind::Registry,
        ErrorKind::StateTampered,
        ErrorKind::StateVersion,
        ErrorKind::GateNotPassed,
        ErrorKind::ApprovalMissing,
        ErrorKind::ApprovalRefused,
    ];

    /// The stable snake_case code of this kind.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidRefName => "invalid_ref_name",
            ErrorKind::NotABranch => "not_a_branch",
            ErrorKind::UnknownBranchKind => "unknown_branch_kind",
            ErrorKind::NotAReleaseBranch => "not_a_release_branch",
            ErrorKind::UnknownService => "unknown_service",
            ErrorKind::InvalidBranchVersion => "invalid_branch_version",
            ErrorKind::InvalidVersion => "invalid_version",
            ErrorKind::VersionNotHigher => "version_not_higher",
            ErrorKind::MutableTag => "mutable_tag",
            ErrorKind::InvalidTag => "invalid_tag",
            ErrorKind::AmbiguousTag => "ambiguous_tag",
            ErrorKind::InvalidTemplate => "invalid_template",
            ErrorKind::InvalidImageReference => "invalid_image_reference",
            ErrorKind::InvalidPattern => "invalid_pattern",
            ErrorKind::UnknownEnvironment => "unknown_environment",
            ErrorKind::InvalidEvent => "invalid_event",
            ErrorKind::InvalidPipeline => "invalid_pipeline",
            ErrorKind::Git => "git",
            ErrorKind::ConfigSyntax => "config_syntax",
            ErrorKind::ConfigInvalid => "config_invalid",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::Io => "io",
            ErrorKind::InvalidChart => "invalid_chart",
            ErrorKind::InvalidArchive => "invalid_archive",
            ErrorKind::UnsafeArchive => "unsafe_archive",
            ErrorKind::RegistryUnauthorized => "registry_unauthorized",
            ErrorKind::RegistryNotFound => "registry_not_found",
            ErrorKind::RegistryTls => "registry_tls",
            ErrorKind::RegistryDigestMismatch => "registry_digest_mismatch",
            ErrorKind::RegistryClobber => "registry_clobber",
            ErrorKind::RegistryUnexpectedDigest => "registry_unexpected_digest",
            ErrorKind::Registry => "registry",
            ErrorKind::StateTampered => "state_tampered",
            ErrorKind::StateVersion => "state_version",
            ErrorKind::GateNotPassed => "gate_not_passed",
            ErrorKind::ApprovalMissing => "approval_missing",
            ErrorKind::ApprovalRefused => "approval_refused",
        }
    }

    /// Whether this kind means "the input is well-formed but breaks a release rule" (the CLI
    /// exits 1) rather than "the input itself is malformed or unreadable" (the CLI exits 2).
    pub const fn is_rule_violation(self) -> bool {
        matches!(
            self,
            ErrorKind::NotABranch
                | ErrorKind::UnknownBranchKind
                | ErrorKind::NotAReleaseBranch
                | ErrorKind::UnknownService
                | ErrorKind::InvalidBranchVersion
                | ErrorKind::VersionNotHigher
                | ErrorKind::MutableTag
                | ErrorKind::AmbiguousTag
                | ErrorKind::UnknownEnvironment
                | ErrorKind::RegistryClobber
                | ErrorKind::RegistryUnexpectedDigest
                | ErrorKind::GateNotPassed
                | ErrorKind::ApprovalMissing
                | ErrorKind::ApprovalRefused
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A position in a file: 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file, when the input came from one.
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}:{}:{}", file.display(), self.line, self.column),
            None => write!(f, "line {}, column {}", self.line, self.column),
        }
    }
}

/// A shiprail error: a kind, a message that names the input and the rule, and optionally the
/// offending input, where it is in a file, and a suggested fix.
///
/// Displayed as `file:line:column: message (did you mean ...?)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    input: Option<String>,
    location: Option<Location>,
    suggestion: Option<String>,
}

impl Error {
    /// A new error of `kind` with a complete message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            input: None,
            location: None,
            suggestion: None,
        }
    }

    /// Records the offending input (kept verbatim; shown by callers that want it apart).
    #[must_use]
    pub fn with_input(mut self, input: impl Into<String>) -> Self {
        self.input = Some(input.into());
        self
    }

    /// Records where in a file the error is.
    #[must_use]
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Sets the file of the location (or a location at the file's start when there is none yet).
    #[must_use]
    pub fn in_file(mut self, file: &Path) -> Self {
        match &mut self.location {
            Some(location) => location.file = Some(file.to_path_buf()),
            None => {
                self.location = Some(Location {
                    file: Some(file.to_path_buf()),
                    line: 1,
                    column: 1,
                })
            }
        }
        self
    }

    /// Records a suggested correction, e.g. the branch name that was probably meant.
    #[must_use]
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind, e.g. `unknown_service`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message, without location or suggestion.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The offending input, when one was recorded.
    pub fn input(&self) -> Option<&str> {
        self.input.as_deref()
    }

    /// Where in a file the error is, when it came from one.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// A suggested correction, when one is known.
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }

    pub(crate) fn io(path: &Path, err: &std::io::Error) -> Self {
        Error::new(
            ErrorKind::Io,
            format!("cannot read `{}`: {err}", path.display()),
        )
        .with_input(path.display().to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean `{suggestion}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The result type of every fallible shiprail operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()),
                "{code} is not snake_case"
            );
        }
    }

    #[test]
    fn display_puts_location_first_and_suggestion_last() {
        let err = Error::new(ErrorKind::UnknownService, "unknown service `delivry`")
            .with_location(Location {
                file: Some("shiprail.yaml".into()),
                line: 3,
                column: 5,
            })
            .with_suggestion("delivery");
        assert_eq!(
            err.to_string(),
            "shiprail.yaml:3:5: unknown service `delivry` (did you mean `delivery`?)"
        );
    }
}
