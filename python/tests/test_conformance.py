"""Runs the shared conformance vectors of tests/conformance/*.json through the Python API.

The format is the one of core/tests/common/mod.rs; the dispatch mirrors the Rust runners
core/tests/conformance_<file>.rs op by op (argument order included, so that when several
arguments are wrong the same error wins). Every file is loaded: a file whose name starts with a
prefix in PENDING is skipped with its reason (its capability is not bound yet), any other file
must only hold ops this module knows, so new vectors are noticed (PENDING is empty: every
capability is bound, charts as OCI artifacts included). Several ops also check that two ways of asking the same question agree (a
compiled AffectedMatcher and Config.affected, HelmIgnore.is_ignored and HelmIgnore.matches, the
report and its findings, a plan and its saved JSON, a release state and its JSON).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import shiprail
from shiprail import (
    AffectedMatcher,
    BranchPattern,
    BranchRules,
    ChangeCauseTemplate,
    ChangedPath,
    ChartFile,
    ChartReference,
    ChartVersions,
    Config,
    Decision,
    Digest,
    DockerConfig,
    Event,
    HelmIgnore,
    ImageReference,
    Pipeline,
    Platform,
    Plan,
    PromotionPolicy,
    ReleaseState,
    ReleaseVersion,
    TagPolicy,
    TagTemplate,
    VersionPolicy,
)

from support import CONFORMANCE, SERVICES  # the Drone Delivery services the lint vectors use

# File-name prefixes of vectors whose capability the Python package does not bind yet.
PENDING: dict[str, str] = {}

# The minimum number of cases per file, as the Rust runners assert.
MIN_CASES = {
    "branch": 60,
    "image": 60,
    "tag": 50,
    "version": 60,
    "trigger_azure": 160,
    "trigger_github": 160,
    "trigger_native": 60,
    "chart_metadata": 20,
    "chart_lint": 40,
    "chart_versioning": 15,
    "chart_helmignore": 25,
    "chart_release_names": 20,
    "chart_oci": 35,
    "registry": 60,
    "plan_pipelines": 60,
    "plan_state": 30,
    "plan_lint": 12,
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


# --- charts (core/tests/conformance_chart.rs) ---------------------------------------------------


def chart_validate(args: Args) -> Any:
    ChartFile(args["chart_yaml"]).validate()
    return True


def chart_lint(args: Args) -> shiprail.ChartLintReport:
    # values_yaml defaults to `a: 1` in the vectors; null means values.yaml is missing.
    report = shiprail.lint_chart(
        chart_yaml=opt(args, "chart_yaml"),
        values_yaml=args.get("values_yaml", "a: 1\n"),
        values_schema=opt(args, "values_schema"),
        templates=args.get("templates") or "directory",
        subcharts=opt(args, "subcharts"),
        released=args.get("released", []),
        policy=opt(args, "policy"),
    )
    assert report.errors == sum(f.severity == "error" for f in report.findings)
    assert report.passed == (report.to_error() is None)
    return report


def chart_lint_rules(args: Args) -> Any:
    report = chart_lint(args)
    return {"passed": report.passed, "rules": [f"{f.severity} {f.rule}" for f in report.findings]}


def chart_helmignore(args: Args) -> Any:
    ignore = HelmIgnore(args["rules"])
    is_dir = bool(args.get("is_dir", False))
    answer = ignore.is_ignored(args["path"], is_dir)
    assert ignore.matches([(args["path"], is_dir)]) == [answer]
    return answer


def chart_change_cause(args: Args) -> Any:
    template = ChangeCauseTemplate(opt(args, "template"))
    return template.render(args.get("cause", {}))


# --- charts as OCI artifacts (core/tests/conformance_chart_oci.rs) -----------------------------


def chart_oci_reference(args: Args) -> Any:
    reference = ChartReference(args["reference"])
    # The string form reads back as the same reference, and pickles.
    assert ChartReference(str(reference)) == reference
    assert pickle.loads(pickle.dumps(reference)) == reference
    return {
        "registry": reference.registry,
        "repository": reference.repository,
        "tag": reference.tag,
        "name": reference.name,
        "string": str(reference),
    }


def chart_oci_push_reference(args: Args) -> Any:
    base = ChartReference(args["destination"])
    return str(base.join(args["name"]).with_version(args["version"]))


def chart_oci_check_created(args: Args) -> Any:
    shiprail.check_created(args["created"])
    return True


# --- affected services (core/tests/conformance_trigger_native.rs) -------------------------------


def affected(args: Args) -> Any:
    config = Config.from_yaml(args["config"])
    result = config.affected(args["changed"])
    # The compiled matcher, asked with both paths of every change, agrees.
    changes = [ChangedPath(**c) if isinstance(c, dict) else ChangedPath(c) for c in args["changed"]]
    paths = [p for change in changes for p in change.paths()]
    assert AffectedMatcher(config).affected(paths).services == result.services
    assert config.affected_paths(paths) == result
    return result.services


def affected_explain(args: Args) -> Any:
    explained = Config.from_yaml(args["config"]).affected(args["changed"], explain=True)
    assert [r.service for r in explained.explain] == explained.services
    return [reason.to_dict() for reason in explained.explain]


def affected_overlaps(args: Args) -> Any:
    config = Config.from_yaml(args["config"])
    overlaps = config.overlapping_paths(args["paths"])
    assert AffectedMatcher(config).overlaps(args["paths"]) == overlaps
    return [overlap.to_dict() for overlap in overlaps]


# --- registry (core/tests/conformance_registry.rs) ---------------------------------------------


def promotion_policy(args: Args) -> PromotionPolicy:
    return PromotionPolicy(
        namespace=args.get("namespace") or "",
        template=opt(args, "template"),
        tags=args.get("policy", {}),
        release_tags_only=args.get("release_tags_only", True),
    )


def registry_check_tag(args: Args) -> Any:
    version = promotion_policy(args).check_tag(args["tag"])
    return None if version is None else str(version)


def registry_highest_release(args: Args) -> Any:
    found = shiprail.highest_release(
        args["tags"],
        opt(args, "policy"),
        opt(args, "service"),
        include_prereleases=args.get("include_prereleases", False),
    )
    return None if found is None else found.to_dict()


def registry_digest(args: Args) -> Any:
    digest = Digest(args["digest"])
    return {"digest": str(digest), "algorithm": digest.algorithm, "hex": digest.hex, "tag_form": digest.tag_form}


def registry_credentials(args: Args) -> Any:
    config = DockerConfig.from_json(json.dumps(args["config"]))
    credentials = config.credentials_for(args["registry"])
    assert "<redacted>" in repr(credentials) or credentials.kind == "anonymous"
    if credentials.kind == "basic":
        return {"kind": "basic", "username": credentials.username}
    return {"kind": credentials.kind}


# --- plans and release state (core/tests/conformance_plan.rs) ----------------------------------


def plan_of(args: Args) -> Plan:
    """The case's plan: `config`, then `event` ({kind, ref, base_ref, commit}) and `changed`
    (paths; absent: unknown)."""
    config = Config.from_yaml(args["config"])
    event = args["event"]
    plan = config.plan(
        event["kind"],
        event["ref"],
        base_ref=event.get("base_ref"),
        changed=args.get("changed"),
        commit=event.get("commit"),
    )
    # The saved form reads back as the same plan.
    assert Plan.from_json(plan.to_json()) == plan
    return plan


def rust_lines(text: str) -> list[str]:
    """`str::lines` of Rust: split at `\n` (a `\r` before it dropped), no final empty line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def plan_ci(args: Args) -> Any:
    plan = plan_of(args)
    text = plan.render(args["format"])
    variables = plan.variables(args["format"])
    assert variables["run"] == str(plan.run).lower()
    return rust_lines(text)


def apply_record(state: ReleaseState, record: Args) -> None:
    """One record of a state case: `action` gate|approve|promote|deploy with `by` (default
    `ci`), `at`, `step`, `result`, `env`, `digest`, `comment`."""

    def text(key: str, default: str) -> str:
        value = record.get(key)
        return value if isinstance(value, str) else default

    by = text("by", "ci")
    at = record["at"]
    action = record["action"]
    if action == "gate":
        state.record_gate(record["step"], text("result", "passed"), digest=record.get("digest"), by=by, at=at)
    elif action == "approve":
        state.record_approval(record["env"], record["digest"], by=by, comment=record.get("comment"), at=at)
    elif action == "promote":
        state.record_promotion(record["env"], record["digest"], by=by, at=at)
    elif action == "deploy":
        state.record_deployment(record["env"], record["digest"], by=by, at=at)
    else:
        raise AssertionError(f"unknown record action {action}")


def state_of(args: Args) -> ReleaseState:
    """A state from `event` (a release), `author`, `at`, an optional `previous` state spec
    (same keys) and `records`."""
    previous = None
    if isinstance(args.get("previous"), dict):
        merged = {k: v for k, v in args.items() if k != "previous"}
        merged.update(args["previous"])
        previous = state_of(merged)
    plan = plan_of(args)
    state = ReleaseState(plan, author=args.get("author"), actor="ci", at=args["at"], previous=previous)
    for record in args.get("records") or []:
        apply_record(state, record)
    return state


def state_next(args: Args) -> Any:
    state = state_of(args)
    answer = state.next(args["now"])
    # The state survives its JSON form, with the same answer.
    again = ReleaseState.from_json(state.to_json())
    assert again == state and again.next(args["now"]) == answer
    return answer


def state_audit(args: Args) -> Any:
    entries = state_of(args).audit
    for entry in entries:
        for key in ("hash", "prev", "header_sha256"):
            entry.pop(key, None)
    return entries


def set_pointer(document: Any, pointer: str, value: Any) -> None:
    """Sets the value at a JSON pointer (RFC 6901) that exists."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    target = document
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        assert last in target, f"the pointer {pointer} exists"
        target[last] = value


def state_tamper(args: Args) -> Any:
    # Serialize, change one value at a JSON pointer, read back.
    document = state_of(args).to_dict()
    set_pointer(document, args["pointer"], args["value"])
    ReleaseState.from_json(json.dumps(document))
    return "accepted"


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
    "chart.parse": lambda a: ChartFile(a["chart_yaml"]).metadata.to_dict(),
    "chart.validate": chart_validate,
    "chart.archive_name": lambda a: ChartFile(a["chart_yaml"]).archive_name,
    "chart.lint": lambda a: chart_lint(a).to_dict(),
    "chart.lint_rules": chart_lint_rules,
    "chart.set_versions": lambda a: shiprail.rewrite_chart_versions(
        a["chart_yaml"], version=opt(a, "version"), app_version=opt(a, "app_version")
    ),
    "chart.bump_dependency": lambda a: shiprail.rewrite_chart_dependency_version(
        a["chart_yaml"], a["dependency"], a["version"]
    ),
    "chart.versions_from_release": lambda a: ChartVersions.from_release(
        a["chart"], a["version"], opt(a, "policy")
    ).to_dict(),
    "chart.helmignore": chart_helmignore,
    "chart.release_name": lambda a: shiprail.release_names(
        a["service"], a["version"], opt(a, "environment")
    ).to_dict(),
    "chart.change_cause": chart_change_cause,
    "chart.is_dns1123_label": lambda a: shiprail.is_dns1123_label(a["name"]),
    "chart.oci_tag": lambda a: shiprail.chart_oci_tag(a["version"]),
    "chart.version_from_oci_tag": lambda a: shiprail.chart_version_from_oci_tag(a["tag"]),
    "chart_oci.tag": lambda a: shiprail.chart_oci_tag(a["version"]),
    "chart_oci.version_from_tag": lambda a: shiprail.chart_version_from_oci_tag(a["tag"]),
    "chart_oci.versions_from_tags": lambda a: shiprail.chart_versions_from_tags(a["tags"]),
    "chart_oci.reference": chart_oci_reference,
    "chart_oci.push_reference": chart_oci_push_reference,
    "chart_oci.config_json": lambda a: shiprail.helm_config_json(ChartFile(a["chart_yaml"]).metadata).decode(),
    "chart_oci.annotations": lambda a: shiprail.helm_annotations(ChartFile(a["chart_yaml"]).metadata, a["created"]),
    "chart_oci.created": lambda a: shiprail.rfc3339_utc(a["seconds"]),
    "chart_oci.check_created": chart_oci_check_created,
    "affected": affected,
    "affected.explain": affected_explain,
    "affected.overlaps": affected_overlaps,
    "registry.request": lambda a: promotion_policy(a).request(a["source"], opt(a, "destination")).to_dict(),
    "registry.check_tag": registry_check_tag,
    "registry.highest_release": registry_highest_release,
    "registry.digest": registry_digest,
    "registry.platform": lambda a: str(Platform(a["platform"])),
    "registry.credentials": registry_credentials,
    "plan.outline": lambda a: plan_of(a).outline(),
    "plan.step": lambda a: plan_of(a).step(a["step"]),
    "plan.release": lambda a: plan_of(a).release,
    "plan.envs": lambda a: (lambda p: {"environments": p.environments, "notes": p.notes})(plan_of(a)),
    "plan.lint": lambda a: [f.to_dict() for f in shiprail.lint_release(Config.from_yaml(a["config"]))],
    "plan.ci": plan_ci,
    "state.next": state_next,
    "state.ready": lambda a: state_of(a).next(a["now"])["ready"],
    "state.rollback": lambda a: state_of(a).rollback_plan(a["env"]),
    "state.audit": state_audit,
    "state.tamper": state_tamper,
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
