"""shiprail: the release logic of a microservice monorepo shipped to Kubernetes with Helm.

What a branch name means, which version a release gets, which image tag, chart version and git
tag follow from it, where an image is promoted to, and which pipelines a push or pull request
runs (Azure Pipelines and GitHub Actions triggers), answered by the Rust core through the
native module ``shiprail._native``; this package re-exports it with the exception tree of
:mod:`shiprail.exceptions`.

>>> import shiprail
>>> shiprail.BranchRules().classify("release/delivery/v1.0.2").version
ReleaseVersion('1.0.2')

Values with behaviour are classes with read-only attributes and a ``to_dict()`` that gives the
core's JSON (the CLI's output); configuration data is returned as ``dict``. Arguments that take
several values accept any iterable and results are lists; versions are accepted as
``ReleaseVersion`` or ``str``, paths as ``str`` or ``os.PathLike``.
"""

from __future__ import annotations

from shiprail import exceptions as exceptions
from shiprail._native import (
    DEFAULT_PROMOTION_TEMPLATE as DEFAULT_PROMOTION_TEMPLATE,
    DOCKER_HUB as DOCKER_HUB,
    ERROR_CODES as ERROR_CODES,
    MAX_NAME_LEN as MAX_NAME_LEN,
    MAX_TAG_LEN as MAX_TAG_LEN,
    Branch as Branch,
    BranchPattern as BranchPattern,
    BranchRules as BranchRules,
    ChangedPath as ChangedPath,
    Config as Config,
    Decision as Decision,
    Event as Event,
    Finding as Finding,
    ImageReference as ImageReference,
    NextRelease as NextRelease,
    NextVersion as NextVersion,
    Pipeline as Pipeline,
    PromotionTarget as PromotionTarget,
    Release as Release,
    ReleaseTags as ReleaseTags,
    ReleaseVersion as ReleaseVersion,
    TagPolicy as TagPolicy,
    TagTemplate as TagTemplate,
    TraceStep as TraceStep,
    VersionPolicy as VersionPolicy,
    __version__ as __version__,
    azure_pattern_matches as azure_pattern_matches,
    bump_for_commits as bump_for_commits,
    chart_oci_tag as chart_oci_tag,
    chart_version_from_oci_tag as chart_version_from_oci_tag,
    detect_dialect as detect_dialect,
    ensure_higher as ensure_higher,
    full_ref as full_ref,
    github_pattern_as_glob as github_pattern_as_glob,
    github_pattern_escape as github_pattern_escape,
    github_pattern_matches as github_pattern_matches,
    github_pattern_to_regex as github_pattern_to_regex,
    github_skip_instruction as github_skip_instruction,
    parse_changed_lines as parse_changed_lines,
    parse_images as parse_images,
    parse_versions as parse_versions,
    sort_versions as sort_versions,
    split_commit_messages as split_commit_messages,
    split_lines as split_lines,
)
from shiprail.exceptions import (
    BranchError as BranchError,
    ConfigError as ConfigError,
    EventError as EventError,
    GitError as GitError,
    ImageError as ImageError,
    IoError as IoError,
    PatternError as PatternError,
    PipelineError as PipelineError,
    PolicyError as PolicyError,
    ShiprailError as ShiprailError,
    TagError as TagError,
    UnknownNameError as UnknownNameError,
    VersionError as VersionError,
)

__all__ = [
    "DEFAULT_PROMOTION_TEMPLATE",
    "DOCKER_HUB",
    "ERROR_CODES",
    "MAX_NAME_LEN",
    "MAX_TAG_LEN",
    "Branch",
    "BranchError",
    "BranchPattern",
    "BranchRules",
    "ChangedPath",
    "Config",
    "ConfigError",
    "Decision",
    "Event",
    "EventError",
    "Finding",
    "GitError",
    "ImageError",
    "ImageReference",
    "IoError",
    "NextRelease",
    "NextVersion",
    "PatternError",
    "Pipeline",
    "PipelineError",
    "PolicyError",
    "PromotionTarget",
    "Release",
    "ReleaseTags",
    "ReleaseVersion",
    "ShiprailError",
    "TagError",
    "TagPolicy",
    "TagTemplate",
    "TraceStep",
    "UnknownNameError",
    "VersionError",
    "VersionPolicy",
    "__version__",
    "azure_pattern_matches",
    "bump_for_commits",
    "chart_oci_tag",
    "chart_version_from_oci_tag",
    "detect_dialect",
    "ensure_higher",
    "exceptions",
    "full_ref",
    "github_pattern_as_glob",
    "github_pattern_escape",
    "github_pattern_matches",
    "github_pattern_to_regex",
    "github_skip_instruction",
    "parse_changed_lines",
    "parse_images",
    "parse_versions",
    "sort_versions",
    "split_commit_messages",
    "split_lines",
]
