"""Runs the shared conformance vectors of tests/conformance/*.json through the Python API.

The format is the one of core/tests/common/mod.rs; the dispatch mirrors the Rust runners
core/tests/conformance_<file>.rs op by op (argument order included, so that when several
arguments are wrong the same error wins). Every file is loaded: a file whose name starts with a
prefix in PENDING is skipped with its reason (its capability is not bound yet), any other file
must only hold ops this module knows, so new vectors are noticed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import shiprail
from shiprail import (
    BranchPattern,
    BranchRules,
    ImageReference,
    ReleaseVersion,
    TagPolicy,
    TagTemplate,
    VersionPolicy,
)

from support import CONFORMANCE

# File-name prefixes of vectors whose capability the Python package does not bind yet.
PENDING = {
    "trigger": "trigger dialects: bound once core/src/trigger lands",
    "affected": "affected services: bound once core/src/affected lands",
    "chart": "charts: bound once core/src/chart lands",
}

# The minimum number of cases per file, as the Rust runners assert.
MIN_CASES = {"branch": 60, "image": 60, "tag": 50, "version": 60}

Args = dict[str, Any]


def opt(args: Args, key: str) -> Any:
    """An optional argument: absent and `null` are both None."""
    return args.get(key)


def version_policy(args: Args) -> VersionPolicy:
    return VersionPolicy(args["policy"]) if "policy" in args else VersionPolicy()


def tag_policy(args: Args) -> TagPolicy:
    return TagPolicy(args["policy"]) if "policy" in args else TagPolicy()


def branch_rules(args: Args) -> BranchRules:
    return BranchRules(opt(args, "rules"))


def version_next(args: Args) -> Any:
    released = [ReleaseVersion(v) for v in args["released"]]
    return version_policy(args).next(released, args["commits"], args["prerelease"]).to_dict()


def version_sort(args: Args) -> Any:
    # A test helper op: sorting ReleaseVersion objects with Python's sort uses their ordering;
    # the batch `sort_versions` must agree.
    ordered = [str(v) for v in sorted(ReleaseVersion(v) for v in args["versions"])]
    assert [str(v) for v in shiprail.sort_versions(args["versions"])] == ordered
    return ordered


def bump_for_commits(args: Args) -> Any:
    if "policy" in args:
        return version_policy(args).bump_for_commits(args["messages"])
    return shiprail.bump_for_commits(args["messages"])


def version_policy_op(args: Args) -> Any:
    policy = version_policy(args)
    policy.validate()
    return policy.to_dict()


def ensure_higher(args: Args) -> Any:
    version = ReleaseVersion(args["version"])
    shiprail.ensure_higher(version, [ReleaseVersion(v) for v in args["released"]])
    return True


def tag_parse(args: Args) -> Any:
    parsed = TagTemplate(args["template"]).parse(args["tag"])
    if parsed is None:
        return False
    service, version = parsed
    return [service, str(version)]


def tag_render(args: Args) -> Any:
    template = TagTemplate(args["template"])
    return template.render(args["service"], ReleaseVersion(args["version"]))


def tag_attribute(args: Args) -> Any:
    service, version = tag_policy(args).attribute(args["tag"], args["services"])
    return [service, str(version)]


def tag_check_immutable(args: Args) -> Any:
    tag_policy(args).check_immutable(args["tag"])
    return True


def tag_policy_op(args: Args) -> Any:
    policy = tag_policy(args)
    policy.validate()
    return policy.to_dict()


def branch_render(args: Args) -> Any:
    version = ReleaseVersion(args["version"]) if opt(args, "version") is not None else None
    return branch_rules(args).render(
        args["kind"], service=opt(args, "service"), topic=opt(args, "topic"), version=version
    )


def branch_render_release(args: Args) -> Any:
    version = ReleaseVersion(args["version"])
    return branch_rules(args).release_branch(args["service"], version)


def branch_validate(args: Args) -> Any:
    branch_rules(args).validate()
    return True


def image_promotion_target(args: Args) -> Any:
    source = ImageReference(args["source"])
    return str(source.promotion_target(args["namespace"], template=opt(args, "template")))


OPS: dict[str, Callable[[Args], Any]] = {
    "branch.classify": lambda a: branch_rules(a)
    .classify(a["ref"], services=opt(a, "services"))
    .to_dict(),
    "branch.render_release": branch_render_release,
    "branch.render": branch_render,
    "branch.validate": branch_validate,
    "branch.parse_pattern": lambda a: str(BranchPattern(a["pattern"])),
    "version.parse": lambda a: str(version_policy(a).parse(a["input"])),
    "version.with_v": lambda a: ReleaseVersion(a["input"]).with_v(),
    "version.bump": lambda a: str(ReleaseVersion(a["version"]).bump(a["bump"])),
    "version.next_prerelease": lambda a: str(ReleaseVersion(a["version"]).next_prerelease(a["label"])),
    "version.with_build": lambda a: str(ReleaseVersion(a["version"]).with_build(a["build"])),
    "version.with_commit": lambda a: str(ReleaseVersion(a["version"]).with_commit(a["sha"])),
    "version.cmp_precedence": lambda a: ReleaseVersion(a["a"]).cmp_precedence(ReleaseVersion(a["b"])),
    "version.sort": version_sort,
    "version.bump_for_commits": bump_for_commits,
    "version.next": version_next,
    "version.ensure_higher": ensure_higher,
    "version.policy": version_policy_op,
    "tag.template": lambda a: str(TagTemplate(a["template"])),
    "tag.render": tag_render,
    "tag.parse": tag_parse,
    "tag.derive": lambda a: tag_policy(a).derive(a["service"], ReleaseVersion(a["version"])).to_dict(),
    "tag.attribute": tag_attribute,
    "tag.released_versions": lambda a: [
        str(v) for v in tag_policy(a).released_versions(a["service"], a["tags"], a["services"])
    ],
    "tag.chart_oci_tag": lambda a: shiprail.chart_oci_tag(a["version"]),
    "tag.chart_version_from_oci_tag": lambda a: shiprail.chart_version_from_oci_tag(a["tag"]),
    "tag.check_immutable": tag_check_immutable,
    "tag.policy": tag_policy_op,
    "image.parse": lambda a: ImageReference(a["input"]).to_dict(),
    "image.promotion_target": image_promotion_target,
}


def pending_reason(path: Path) -> str | None:
    for prefix, reason in PENDING.items():
        if path.stem.startswith(prefix):
            return reason
    return None


def vector_files() -> list[Path]:
    return sorted(CONFORMANCE.glob("*.json"))


def cases() -> Iterator[Any]:
    for path in vector_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        reason = pending_reason(path)
        for case in data["cases"]:
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            yield pytest.param(
                path.stem, data.get("defaults", {}), case, id=f"{path.stem}::{case['name']}", marks=marks
            )


@pytest.mark.parametrize(("file", "defaults", "case"), list(cases()))
def test_case(file: str, defaults: Args, case: dict[str, Any]) -> None:
    op = case["op"]
    assert op in OPS, f"{file}.json: op `{op}` has no Python dispatch; add it to OPS (or PENDING)"
    assert ("ok" in case) != ("error" in case), "a case needs exactly one of ok / error"
    args = {**defaults, **case.get("args", {})}
    if "ok" in case:
        assert OPS[op](args) == case["ok"]
        return
    want = case["error"]
    with pytest.raises(shiprail.ShiprailError) as caught:
        OPS[op](args)
    assert caught.value.code == want["code"], str(caught.value)
    if "message" in want:
        assert str(caught.value) == want["message"]


def test_every_vector_file_is_run_or_pending() -> None:
    files = vector_files()
    assert {p.stem for p in files} >= set(MIN_CASES), "a known vector file is missing"
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if pending_reason(path):
            continue
        unknown = sorted({c["op"] for c in data["cases"]} - OPS.keys())
        assert not unknown, f"{path.name}: ops without Python dispatch: {unknown}"
        assert len(data["cases"]) >= MIN_CASES.get(path.stem, 1), f"{path.name} has too few cases"
