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
    Decision,
    Event,
    ImageReference,
    Pipeline,
    ReleaseVersion,
    TagPolicy,
    TagTemplate,
    VersionPolicy,
)

from support import CONFORMANCE, SERVICES  # the Drone Delivery services the lint vectors use

# File-name prefixes of vectors whose capability the Python package does not bind yet.
PENDING = {
    "affected": "affected services: bound once core/src/affected lands",
    "chart": "charts: bound once core/src/chart lands",
}

# The minimum number of cases per file, as the Rust runners assert.
MIN_CASES = {
    "branch": 60,
    "image": 60,
    "tag": 50,
    "version": 60,
    "trigger_azure": 160,
    "trigger_github": 160,
}

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


def checked(decision: Decision) -> Any:
    """The decision projected to its outcome, as the Rust runners compare it."""
    assert decision.explain, "the trace is always filled"
    assert decision.reason, "a reason is always given"
    assert decision.to_dict()["run"] is decision.run
    return {"run": decision.run}


def azure_eval(args: Args) -> Any:
    # Like the Rust runner: the options first, then the pipeline, then the event.
    pipeline = Pipeline.from_yaml(args["pipeline"], "azure", azure_options=opt(args, "options"))
    decision = pipeline.evaluate(Event(args["event"]))
    # The mapping itself is an event too, and the batch gives the same answer.
    assert pipeline.evaluate(args["event"]) == decision
    assert pipeline.evaluate_events([args["event"]]) == [decision]
    return checked(decision)


def azure_pattern(args: Args) -> Any:
    return shiprail.azure_pattern_matches(
        args["kind"], args["pattern"], args["subjects"], options=opt(args, "options")
    )


def github_eval(args: Args) -> Any:
    pipeline = Pipeline.from_yaml(args["workflow"], "github")
    return checked(pipeline.evaluate(Event(args["event"])))


def github_lint(args: Args) -> Any:
    pipeline = Pipeline.from_yaml(args["workflow"], "github")
    findings = pipeline.lint(BranchRules(), SERVICES, repo_paths=opt(args, "repo_paths"))
    return [{"code": f.code, "severity": f.severity, "suggestion": f.suggestion} for f in findings]


def github_parse(args: Args) -> Any:
    pipeline = Pipeline.from_yaml(args["workflow"], "github")
    return pipeline.events


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
    "trigger.azure.eval": azure_eval,
    "trigger.azure.pattern": azure_pattern,
    "trigger.github.pattern": lambda a: shiprail.github_pattern_matches(a["pattern"], a["paths"]),
    "trigger.github.glob": lambda a: shiprail.github_pattern_as_glob(a["pattern"]),
    "trigger.github.parse": github_parse,
    "trigger.github.eval": github_eval,
    "trigger.github.lint": github_lint,
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
