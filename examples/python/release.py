#!/usr/bin/env python3
"""The release step of the Drone Delivery pipeline, written with the shiprail Python package.

A CI job runs it on every push with the pushed ref, the repository's tags and the commit
messages since the last release of the service, and gets back one JSON plan:

- a release branch (``release/delivery/v1.0.2``) -> ``"action": "release"``: the image to build
  and push, the chart version and appVersion to package, the git tag to create, and where the
  image is promoted for each environment that has its own registry namespace. The version must
  be higher than every version of the service already tagged.
- a feature or topic branch (``feature/delivery/retry``) -> ``"action": "validate"``: only a
  validation build, with the pre-release the service would get next, for information.
- the trunk (``main``, ``master``) -> ``"action": "integrate"``: integration builds of every
  service; releases are cut from release branches only.

With ``--changed-file`` (the push's ``git diff --name-status``, or one path a line) the plan also
lists the services the push affects (``"affected"``: includes, excludes, shared paths and
service dependencies of ``shiprail.yaml``), and the trunk builds only those. With
``--package-dir`` a release also packages its Helm chart, version and appVersion set from the
release, into a reproducible ``<chart>-<version>.tgz`` there, after linting what was packaged
(a lint error stops the release): ``"chart": {"package", "digest", "lint", ...}``.

Rule violations exit 1 and malformed input exits 2 (as the ``shiprail`` CLI does), with the
error as JSON: ``{"error": {"code", "message", "suggestion", ...}}``.

    git tag > tags.txt
    git log --format=%B%x00 delivery-v1.0.2..HEAD > commits.txt
    git diff --name-status HEAD~1 HEAD > changed.txt
    python examples/python/release.py release/delivery/v1.0.3 \\
        --tags-file tags.txt --commits-file commits.txt --changed-file changed.txt \\
        --package-dir dist
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shiprail

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "drone-delivery" / "shiprail.yaml"


def read_tags(path: Path | None) -> list[str]:
    """Tags one a line, as `git tag` prints them."""
    return shiprail.split_lines(path.read_text(encoding="utf-8")) if path else []


def read_commits(path: Path | None) -> list[str]:
    """Commit messages as `git log --format=%B%x00` prints them."""
    return shiprail.split_commit_messages(path.read_text(encoding="utf-8")) if path else []


def read_changed(path: Path | None) -> list[shiprail.ChangedPath] | None:
    """The changed paths of the push: `git diff --name-status` lines or bare paths."""
    return shiprail.parse_changed_lines(path.read_text(encoding="utf-8")) if path else None


def package_chart(
    config: shiprail.Config,
    release: shiprail.Release,
    released: list[shiprail.ReleaseVersion],
    chart_dir: Path,
    out_dir: Path,
) -> dict[str, Any]:
    """Packages the service's chart with the release's chart version and appVersion, lints
    what was packaged (Helm's checks and the release rules: the version goes up, appVersion and
    image tags follow the tag policy, no mutable tags) and writes the package; raises the
    lint's error when it does not pass, before anything is written."""
    versions = shiprail.ChartVersions.from_release(release.service, release.version, config.tags)
    package = shiprail.package_chart(chart_dir, version=versions.version, app_version=versions.app_version)
    with tempfile.TemporaryDirectory() as scratch:
        shipped = shiprail.ChartArchive.read(package.bytes).extract_to(scratch)
        report = shiprail.lint_chart_dir(shipped, released=released, policy=config.tags)
    error = report.to_error()
    if error is not None:
        raise error
    path = package.write_to(out_dir)
    return {
        "package": str(path),
        "digest": package.digest,
        "lint": [str(finding) for finding in report.findings],
    }


def release_plan(
    config: shiprail.Config, ref: str, tags: list[str], root: Path, package_dir: Path | None = None
) -> dict[str, Any]:
    """What a release branch builds, packages, tags and promotes."""
    release = config.release_for_branch(ref)
    service = release.service
    released = config.tags.released_versions(service, tags, config.service_names())
    shiprail.ensure_higher(release.version, released)
    image = shiprail.ImageReference(config.image_repository(service)).with_tag(
        release.tags.image_tag
    )
    promotions = {
        name: config.promotion_target(str(image), name).target
        for name, env in config.environments.items()
        if env["registry_namespace"]
    }
    chart_path = config.service(service).get("chart")
    chart: dict[str, Any] = {
        "path": chart_path,
        "version": release.tags.chart_version,
        "app_version": release.tags.app_version,
        "oci_tag": release.tags.chart_oci_tag,
    }
    if package_dir is not None and chart_path:
        chart.update(package_chart(config, release, released, root / chart_path, package_dir))
    return {
        "action": "release",
        "ref": release.branch.ref,
        "service": service,
        "version": str(release.version),
        "previous": str(released[-1]) if released else None,
        "image": str(image),
        "chart": chart,
        "git_tag": release.tags.git_tag,
        "promotions": promotions,
    }


def validate_plan(
    config: shiprail.Config, branch: shiprail.Branch, tags: list[str], commits: list[str]
) -> dict[str, Any]:
    """A feature or topic branch: a validation build and the pre-release it would lead to."""
    plan: dict[str, Any] = {
        "action": "validate",
        "ref": branch.ref,
        "kind": branch.kind,
        "service": branch.service,
    }
    if branch.service is not None:
        plan["next"] = config.next_version(branch.service, tags, commits, prerelease=True).to_dict()
    return plan


def integrate_plan(
    config: shiprail.Config, branch: shiprail.Branch, affected: list[str] | None
) -> dict[str, Any]:
    """The trunk: integration builds of every service the push affects (every service when the
    changes are not known), no release."""
    services = config.service_names() if affected is None else affected
    return {"action": "integrate", "ref": branch.ref, "services": services}


def plan(
    config: shiprail.Config,
    ref: str,
    tags: list[str],
    commits: list[str],
    changed: list[shiprail.ChangedPath] | None = None,
    root: Path = DEFAULT_CONFIG.parent,
    package_dir: Path | None = None,
) -> dict[str, Any]:
    """The plan for a push of `ref`."""
    branch = config.classify_branch(ref)
    affected = None if changed is None else config.affected(changed).services
    if branch.is_release_like:
        document = release_plan(config, ref, tags, root, package_dir)
    elif branch.kind == "trunk":
        document = integrate_plan(config, branch, affected)
    else:
        document = validate_plan(config, branch, tags, commits)
    if affected is not None:
        document["affected"] = affected
    return document


def error_document(error: shiprail.ShiprailError) -> dict[str, Any]:
    """The error as the CLI prints it."""
    fields = {
        "code": error.code,
        "message": error.message,
        "input": error.input,
        "file": error.file,
        "line": error.line,
        "column": error.column,
        "suggestion": error.suggestion,
    }
    return {"error": {k: v for k, v in fields.items() if v is not None}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("ref", help="the pushed branch, short or refs/heads/...")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="shiprail.yaml")
    parser.add_argument("--tags-file", type=Path, help="`git tag` output")
    parser.add_argument("--commits-file", type=Path, help="`git log --format=%%B%%x00` output")
    parser.add_argument("--changed-file", type=Path, help="`git diff --name-status` output of the push")
    parser.add_argument("--package-dir", type=Path, help="lint and package a release's chart into this folder")
    args = parser.parse_args(argv)
    try:
        config = shiprail.Config.load(args.config)
        document = plan(
            config,
            args.ref,
            read_tags(args.tags_file),
            read_commits(args.commits_file),
            read_changed(args.changed_file),
            args.config.resolve().parent,
            args.package_dir,
        )
    except shiprail.ShiprailError as error:
        print(json.dumps(error_document(error), indent=2))
        return 1 if error.is_rule_violation else 2
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
