r"""The exceptions shiprail raises: one base class and one class per error family.

Every error of the core arrives as an instance of a subclass of :class:`ShiprailError`
carrying the core's stable ``code`` (``"unknown_service"``, ...), the bare ``message``, the
offending ``input``, where in a file it is (``file``, ``line``, ``column``), a ``suggestion``
when a near-miss is recognised, and ``is_rule_violation`` (well-formed input that breaks a
release rule, as opposed to malformed input). ``str(error)`` is the core's own rendering:
``file:line:column: message (did you mean `...`?)``.

Which family a code belongs to is decided in one place, the binding's error module
(``bindings/python/src/error.rs``); ``shiprail.ERROR_CODES`` lists every code. Catch a family to
handle a domain (``except shiprail.BranchError``), and switch on ``.code`` for one rule.
Families that report malformed input also derive from :class:`ValueError`, lookups of
undeclared names from :class:`LookupError`, file access from :class:`OSError`, so generic
handlers keep working. Registry failures share :class:`RegistryError`, with one subclass per
cause (credentials, not found, TLS, a digest that does not match); the two promotion rules that
refuse well-formed requests (a tag never moves, the source is what was approved) are also
:class:`PolicyError`\ s.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "BranchError",
    "ChartError",
    "ClobberError",
    "ConfigError",
    "DigestMismatchError",
    "EventError",
    "GitError",
    "ImageError",
    "IoError",
    "PatternError",
    "PipelineError",
    "PolicyError",
    "RegistryAuthError",
    "RegistryError",
    "RegistryNotFoundError",
    "RegistryTlsError",
    "ShiprailError",
    "StateError",
    "TagError",
    "UnexpectedDigestError",
    "UnknownNameError",
    "UnsafeArchiveError",
    "VersionError",
]


class ShiprailError(Exception):
    """Base class of every error shiprail raises."""

    code: str
    """The stable snake_case code of the error kind, e.g. ``"unknown_service"``."""
    message: str
    """The message alone, without location or suggestion."""
    input: str | None
    """The offending input, verbatim, when one was recorded."""
    file: str | None
    """The file the error is in, when it came from one."""
    line: int | None
    """1-based line in ``file`` (or in the text parsed), when known."""
    column: int | None
    """1-based column (in characters), when known."""
    suggestion: str | None
    """A suggested correction (the branch name that was probably meant, ...)."""
    is_rule_violation: bool
    """Whether the input is well-formed but breaks a release rule (the CLI exits 1) rather than
    being malformed or unreadable (the CLI exits 2)."""

    def __init__(
        self,
        text: str,
        *,
        code: str = "",
        message: str | None = None,
        input: str | None = None,  # noqa: A002 - the name the core uses
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
        is_rule_violation: bool = False,
    ) -> None:
        super().__init__(text)
        self.code = code
        self.message = text if message is None else message
        self.input = input
        self.file = file
        self.line = line
        self.column = column
        self.suggestion = suggestion
        self.is_rule_violation = is_rule_violation

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args[0]!r}, code={self.code!r})"


class BranchError(ShiprailError, ValueError):
    """A ref is not a valid branch of a known kind: ``invalid_ref_name``, ``not_a_branch``,
    ``unknown_branch_kind``, ``not_a_release_branch``, ``invalid_branch_version``."""


class VersionError(ShiprailError, ValueError):
    """A string is not a strict SemVer 2.0 version: ``invalid_version``."""


class PolicyError(ShiprailError):
    """Well-formed input that breaks a release rule: ``version_not_higher`` (releases only go
    up), ``mutable_tag`` (a release is only named by tags that never move)."""


class TagError(ShiprailError, ValueError):
    """A tag does not fit its template or grammar, or fits several services:
    ``invalid_tag``, ``ambiguous_tag``."""


class PatternError(ShiprailError, ValueError):
    """A glob, branch pattern or naming template is malformed or cannot be filled:
    ``invalid_pattern``, ``invalid_template``."""


class ImageError(ShiprailError, ValueError):
    """A string is not a valid image reference: ``invalid_image_reference``."""


class UnknownNameError(ShiprailError, LookupError):
    """A name the configuration does not declare: ``unknown_service``,
    ``unknown_environment``."""


class EventError(ShiprailError, ValueError):
    """An event description is malformed: ``invalid_event``."""


class PipelineError(ShiprailError, ValueError):
    """A pipeline file is malformed or uses filters its CI system rejects:
    ``invalid_pipeline``."""


class GitError(ShiprailError):
    """Running git failed or git reported an error: ``git``."""


class ConfigError(ShiprailError, ValueError):
    """``shiprail.yaml`` (or a policy mapping) is malformed or contradicts itself:
    ``config_syntax``, ``config_invalid``, ``invalid_utf8``."""


class IoError(ShiprailError, OSError):
    """Reading or writing a file failed: ``io``."""


class ChartError(ShiprailError, ValueError):
    """A Helm chart breaks Helm's rules (a Chart.yaml field, a lint error) or cannot be edited,
    packaged or named as asked: ``invalid_chart``."""


class ArchiveError(ShiprailError, ValueError):
    """A chart archive is not a gzip-compressed tar stream, or its tar structure is broken:
    ``invalid_archive``."""


class UnsafeArchiveError(ArchiveError):
    """A chart archive holds what a loader must refuse: a path that could escape the extraction
    directory, a link, a device, a duplicate entry, more than the limits: ``unsafe_archive``."""


class RegistryError(ShiprailError):
    """A registry operation failed: unreachable, a server error that persisted through the
    retries, an answer that breaks the distribution protocol: ``registry``. The subclasses name
    more specific causes."""


class RegistryAuthError(RegistryError):
    """The registry refused the credentials, or none were found for it:
    ``registry_unauthorized``."""


class RegistryNotFoundError(RegistryError, LookupError):
    """The registry has no such repository, tag, manifest or blob: ``registry_not_found``."""


class RegistryTlsError(RegistryError):
    """The TLS connection failed (an untrusted or mismatched certificate, a server without TLS
    where plain HTTP is not allowed), or a CA file holds no certificate: ``registry_tls``."""


class DigestMismatchError(RegistryError):
    """Content does not hash to its digest; nothing built on it was written:
    ``registry_digest_mismatch``."""


class ClobberError(RegistryError, PolicyError):
    """A promotion would move a destination tag that names another digest (tags never move
    unless forced): ``registry_clobber``."""


class UnexpectedDigestError(RegistryError, PolicyError):
    """The source of a promotion is not the digest that was approved:
    ``registry_unexpected_digest``."""


class StateError(ShiprailError, ValueError):
    """A release state file was altered outside shiprail (its hash chain is broken:
    ``state_tampered``) or written by a newer format (``state_version``)."""
