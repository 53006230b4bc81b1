"""The trigger engine from Python: pipelines of both dialects, events, decisions, lint, patterns."""

from __future__ import annotations

import asyncio
import copy
import os
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import shiprail
from shiprail import (
    BranchRules,
    ChangedPath,
    Config,
    Decision,
    Event,
    Finding,
    Pipeline,
    TraceStep,
)
from support import ROOT, SERVICES

DRONE = ROOT / "examples" / "drone-delivery"
AZURE = DRONE / "pipelines" / "azure"
GITHUB = DRONE / ".github" / "workflows"

AZURE_DELIVERY = """\
trigger:
  branches:
    include: [master, release/delivery/v*]
  paths:
    include: [/src/shipping/delivery/]
pr:
  branches:
    include: [master]
"""

GITHUB_DELIVERY = """\
on:
  push:
    branches: [master, "release/delivery/v*"]
    paths: ["src/shipping/delivery/**"]
  workflow_dispatch:
"""


def release_push(service: str, changed_in: str) -> Event:
    return Event(kind="push", ref=f"release/{service}/v1.0.2", changed=[f"src/shipping/{changed_in}/x.cs"])


def repo_files() -> list[str]:
    return sorted(p.relative_to(DRONE).as_posix() for p in DRONE.rglob("*") if p.is_file())


# --- pipelines --------------------------------------------------------------------------------


def test_load_detects_the_dialect_and_accepts_paths() -> None:
    azure = Pipeline.load(AZURE / "delivery.yml")
    github = Pipeline.load(str(GITHUB / "delivery.yml"))

    class PathLike(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(GITHUB / "delivery.yml")

    assert (azure.dialect, github.dialect, Pipeline.load(PathLike()).dialect) == ("azure", "github", "github")
    assert repr(azure) == "Pipeline(dialect='azure')"
    assert github.events == ["push", "pull_request"] and azure.events is None
    assert github.azure_options is None
    assert azure.azure_options is not None and azure.azure_options["branch_case_insensitive"] is False
    # A dialect given wins over detection (the file is Azure Pipelines YAML, read as GitHub).
    with pytest.raises(shiprail.PipelineError):
        Pipeline.load(AZURE / "delivery.yml", dialect="github")
    assert Pipeline.load(GITHUB / "delivery.yml", "github-actions").dialect == "github"


def test_from_yaml_and_azure_options() -> None:
    pipeline = Pipeline.from_yaml(AZURE_DELIVERY, "azure")
    push = Event(kind="push", ref="Master", changed=["src/shipping/delivery/a.cs"])
    assert not pipeline.evaluate(push).run
    insensitive = Pipeline.from_yaml(AZURE_DELIVERY, "azure", azure_options={"branch_case_insensitive": True})
    assert insensitive.evaluate(push).run
    assert insensitive.azure_options is not None and insensitive.azure_options["branch_case_insensitive"] is True
    # Options apply to Azure pipelines only: a workflow takes them and has none.
    assert Pipeline.from_yaml(GITHUB_DELIVERY, "github", azure_options={"pr_is_draft": True}).azure_options is None
    with pytest.raises(shiprail.ConfigError) as unknown:
        Pipeline.from_yaml(AZURE_DELIVERY, "azure", azure_options={"case_insensitive": True})
    assert unknown.value.code == "config_syntax"
    with pytest.raises(shiprail.PipelineError) as dialect:
        Pipeline.from_yaml(AZURE_DELIVERY, "jenkins")
    assert dialect.value.input == "jenkins"


def test_load_async_reads_files_concurrently() -> None:
    paths = sorted(AZURE.glob("*.yml")) + sorted(GITHUB.glob("*.yml"))

    async def load_all() -> list[Pipeline]:
        return await asyncio.gather(*(Pipeline.load_async(p) for p in paths))

    pipelines = asyncio.run(load_all())
    assert [p.dialect for p in pipelines] == ["azure"] * 5 + ["github"] * 5
    event = release_push("package", "package")
    assert [p.evaluate(event).run for p in pipelines] == [s == "package" for s in SERVICES] * 2


def test_load_async_raises_on_await(tmp_path: Path) -> None:
    async def load(path: Path) -> Pipeline:
        return await Pipeline.load_async(path, azure_options={"pr_is_draft": True})

    defaults = Pipeline.load(AZURE / "delivery.yml").azure_options
    assert defaults is not None and defaults["pr_is_draft"] is False
    assert asyncio.run(load(AZURE / "delivery.yml")).azure_options == {**defaults, "pr_is_draft": True}
    with pytest.raises(shiprail.IoError):
        asyncio.run(load(tmp_path / "missing.yml"))
    with pytest.raises(TypeError):
        Pipeline.load_async(3)  # type: ignore[arg-type]


def test_evaluate_returns_the_decision_and_its_trace() -> None:
    pipeline = Pipeline.load(AZURE / "delivery.yml")
    decision = pipeline.evaluate(release_push("delivery", "delivery"))
    assert isinstance(decision, Decision) and decision.run
    assert decision.reason.startswith("push to `refs/heads/release/delivery/v1.0.2` runs: ")
    assert str(decision) == decision.reason
    assert repr(decision).startswith("Decision(run=True, reason='push to ")
    first = decision.explain[0]
    assert isinstance(first, TraceStep)
    assert (first.filter, first.subject, first.pattern, first.outcome) == (
        "trigger.branches.include",
        "refs/heads/release/delivery/v1.0.2",
        "release/delivery/v*",
        "included",
    )
    assert first.rule and first.to_dict()["rule"] == first.rule
    assert repr(first).startswith("TraceStep(filter='trigger.branches.include', ")
    data = decision.to_dict()
    assert data["run"] is True and data["explain"][1]["filter"] == "trigger.paths.include"
    assert decision == pipeline.evaluate(release_push("delivery", "delivery"))
    assert hash(decision) == hash(pipeline.evaluate(release_push("delivery", "delivery")))
    assert not pipeline.evaluate(release_push("delivery", "package")).run


def test_evaluate_takes_mappings() -> None:
    pipeline = Pipeline.from_yaml(GITHUB_DELIVERY, "github")
    event: dict[str, Any] = {"kind": "push", "ref": "master", "changed": ["src/shipping/delivery/a.cs"]}
    assert pipeline.evaluate(event) == pipeline.evaluate(Event(event))
    assert pipeline.evaluate({"kind": "workflow_dispatch"}).run
    assert not pipeline.evaluate({"kind": "push", "ref": "master", "commit_messages": ["fix [skip ci]"]}).run
    with pytest.raises(TypeError, match="mapping of event fields"):
        pipeline.evaluate("master")  # type: ignore[arg-type]


def test_evaluate_events_returns_errors_in_place() -> None:
    pipeline = Pipeline.load(AZURE / "delivery.yml")
    events: list[Event | dict[str, Any]] = [
        release_push("delivery", "delivery"),
        {"kind": "pull_request", "ref": "feature/delivery/retry"},
        {"kind": "push", "ref": "master", "changed": ["src/shipping/package/x.cs"]},
        {"kind": "push", "ref": "master", "baseRef": "x"},
        {"kind": "merge"},
    ]
    results = pipeline.evaluate_events(events)
    assert [type(r).__name__ for r in results] == ["Decision", "EventError", "Decision", "EventError", "EventError"]
    first, second, third = results[0], results[1], results[2]
    assert isinstance(first, Decision) and first.run and isinstance(third, Decision) and not third.run
    assert isinstance(second, shiprail.EventError) and "base_ref" in second.message
    assert pipeline.evaluate_events(iter([])) == []
    with pytest.raises(TypeError):
        pipeline.evaluate_events([release_push("delivery", "delivery"), 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single string"):
        pipeline.evaluate_events("master")  # type: ignore[arg-type]


def test_evaluate_events_from_threads() -> None:
    """The batch releases the GIL: threads evaluating at once get the same answers."""
    pipelines = [Pipeline.load(p) for p in sorted(AZURE.glob("*.yml"))]
    events = [release_push(s, c) for s in SERVICES for c in SERVICES] * 40
    expected = [[d.run for d in p.evaluate_events(events) if isinstance(d, Decision)] for p in pipelines]
    barrier = threading.Barrier(len(pipelines))

    def run(pipeline: Pipeline) -> list[bool]:
        barrier.wait()
        return [d.run for d in pipeline.evaluate_events(events) if isinstance(d, Decision)]

    with ThreadPoolExecutor(len(pipelines)) as pool:
        assert list(pool.map(run, pipelines)) == expected
    assert all(len(runs) == len(events) for runs in expected)


def test_example_pipelines_run_for_their_own_service_only() -> None:
    for service in SERVICES:
        for path in (AZURE / f"{service}.yml", GITHUB / f"{service}.yml"):
            pipeline = Pipeline.load(path)
            runs = [pipeline.evaluate(release_push(service, other)).run for other in SERVICES]
            assert runs == [other == service for other in SERVICES], path


def test_lint() -> None:
    drone = Config.load(DRONE / "shiprail.yaml")
    files = repo_files()
    for path in sorted(AZURE.glob("*.yml")) + sorted(GITHUB.glob("*.yml")):
        assert Pipeline.load(path).lint(drone.branches, drone.service_names(), repo_paths=files) == [], path
    pipeline = Pipeline.from_yaml("trigger:\n- main\n- $(release)\n- relase/delivery/v*\n", "azure")
    findings = pipeline.lint(BranchRules(), ("delivery",))
    assert [f.code for f in findings] == ["variable_in_filter", "unmatched_branch_pattern"]
    variable = findings[0]
    assert isinstance(variable, Finding)
    assert (variable.severity, variable.line, variable.column, variable.file) == ("error", 3, 3, None)
    assert str(variable).startswith("line 3, column 3: error [variable_in_filter]: `$(release)`")
    assert variable.to_dict()["location"] == {"line": 3, "column": 3}
    assert repr(variable) == "Finding(code='variable_in_filter', severity='error', line=3, suggestion=None)"
    assert findings[1].suggestion == "release/delivery/v*"
    assert pipeline.lint() == pipeline.lint(BranchRules(), []) == pipeline.lint({"kinds": {}})
    assert len({*findings, *pipeline.lint(BranchRules(), ["delivery"])}) == 2
    # Without the file list, path filters are not checked against files.
    github = Pipeline.load(GITHUB / "delivery.yml")
    assert github.lint() == []
    missing = github.lint(repo_paths=["README.md"])
    assert [f.code for f in missing] == ["unmatched_path_pattern"] * 2
    assert missing[0].severity == "warning" and missing[0].line == 13
    # A loaded pipeline knows its file, and its findings name it; text has none.
    assert github.path == GITHUB / "delivery.yml" and pipeline.path is None
    assert {f.file for f in missing} == {str(GITHUB / "delivery.yml")}
    assert str(missing[0]).startswith(f"{GITHUB / 'delivery.yml'}:13:")
    with pytest.raises(shiprail.ConfigError):
        pipeline.lint({"trunk": 3})
    with pytest.raises(TypeError, match="single string"):
        pipeline.lint(services="delivery")


# --- events -----------------------------------------------------------------------------------


def test_event_from_keywords_and_mappings() -> None:
    event = Event(
        kind="pr",
        ref="feature/delivery/retry",
        base_ref="master",
        changed=["a.cs", ChangedPath("b.cs", "added"), {"path": "c.cs", "status": "renamed", "previous_path": "d.cs"}],
        commit_messages=("fix: a",),
        new_branch=True,
    )
    assert (event.kind, event.ref, event.base_ref, event.commit_messages, event.new_branch) == (
        "pull_request",
        "feature/delivery/retry",
        "master",
        ["fix: a"],
        True,
    )
    assert event.changed == [
        ChangedPath("a.cs"),
        ChangedPath("b.cs", status="added"),
        ChangedPath("c.cs", "renamed", "d.cs"),
    ]
    assert (event.full_ref, event.full_base_ref, event.is_tag) == (
        "refs/heads/feature/delivery/retry",
        "refs/heads/master",
        False,
    )
    assert event.to_dict() == {
        "kind": "pull_request",
        "ref": "feature/delivery/retry",
        "base_ref": "master",
        "changed": [
            {"path": "a.cs", "status": "modified"},
            {"path": "b.cs", "status": "added"},
            {"path": "c.cs", "status": "renamed", "previous_path": "d.cs"},
        ],
        "commit_messages": ["fix: a"],
        "new_branch": True,
    }
    assert Event(event.to_dict()) == event == Event(event)
    assert Event(event, kind="push", changed=[]).to_dict()["kind"] == "push"
    assert Event(event, changed=[]).changed == []
    assert pickle.loads(pickle.dumps(event)) == event and copy.deepcopy(event) == event
    assert repr(event).startswith("Event({'kind': 'pull_request', 'ref': 'feature/delivery/retry',")


def test_event_defaults() -> None:
    event = Event()
    assert (event.kind, event.ref, event.base_ref, event.changed, event.commit_messages, event.new_branch) == (
        None,
        "",
        None,
        None,
        [],
        False,
    )
    assert Event({"kind": None, "changed": None}) == event
    tag = Event(kind="push", ref="refs/tags/delivery-v1.0.2")
    assert tag.is_tag and tag.full_ref == "refs/tags/delivery-v1.0.2" and tag.full_base_ref is None
    assert Event(kind="workflow_dispatch").kind == "manual"


def test_event_errors() -> None:
    with pytest.raises(shiprail.EventError) as unknown_key:
        Event({"kind": "push", "baseRef": "master"})
    assert unknown_key.value.input == "baseRef"
    assert str(unknown_key.value) == (
        "unknown event field `baseRef`: expected kind, ref, base_ref, changed, commit_messages or new_branch"
    )
    with pytest.raises(shiprail.EventError) as kind:
        Event(kind="merge")
    assert kind.value.input == "merge"
    with pytest.raises(shiprail.EventError, match="unknown change status `moved`"):
        Event(changed=[{"path": "a", "status": "moved"}])
    with pytest.raises(shiprail.EventError, match="needs `path`"):
        Event(changed=[{"status": "added"}])
    with pytest.raises(shiprail.EventError, match="unknown changed path field `old_path`"):
        Event(changed=[{"path": "a", "old_path": "b"}])
    with pytest.raises(TypeError, match="`new_branch`"):
        Event({"new_branch": "yes"})
    with pytest.raises(TypeError, match="single string"):
        Event(changed="src/a.cs")
    with pytest.raises(TypeError):
        Event(changed=[3])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Event(3)  # type: ignore[arg-type]


def test_changed_paths() -> None:
    renamed = ChangedPath("new/c.rs", "renamed", previous_path="old/c.rs")
    assert (renamed.path, renamed.status, renamed.previous_path) == ("new/c.rs", "renamed", "old/c.rs")
    assert renamed.paths() == ["new/c.rs", "old/c.rs"]
    assert str(renamed) == "new/c.rs"
    assert repr(renamed) == "ChangedPath(path='new/c.rs', status='renamed', previous_path='old/c.rs')"
    assert renamed.to_dict() == {"path": "new/c.rs", "status": "renamed", "previous_path": "old/c.rs"}
    assert ChangedPath.modified("a") == ChangedPath("a") == ChangedPath("a", "modified")
    assert len({ChangedPath("a"), ChangedPath.modified("a"), renamed}) == 2
    assert pickle.loads(pickle.dumps(renamed)) == renamed
    with pytest.raises(shiprail.EventError):
        ChangedPath("a", "moved")


def test_parse_changed_lines() -> None:
    changed = shiprail.parse_changed_lines("src/a.rs\nD\tsrc/b.rs\r\n\nR087\told/c.rs\tnew/c.rs\nC75\tx\ty\n")
    assert changed == [
        ChangedPath("src/a.rs"),
        ChangedPath("src/b.rs", "deleted"),
        ChangedPath("new/c.rs", "renamed", "old/c.rs"),
        ChangedPath("y", "added"),
    ]
    assert shiprail.parse_changed_lines("") == []
    assert Event(changed=changed).changed == changed


# --- dialects and patterns --------------------------------------------------------------------


def test_detect_dialect_and_full_ref() -> None:
    assert shiprail.detect_dialect(".github/workflows/ci.yml", "jobs: {}\n") == "github"
    assert shiprail.detect_dialect(Path("ci.yml"), "on: push\n") == "github"
    assert shiprail.detect_dialect("azure-pipelines.yml", "trigger: none\n") == "azure"
    assert shiprail.full_ref("main") == "refs/heads/main"
    assert shiprail.full_ref("refs/tags/v1") == "refs/tags/v1"


def test_azure_patterns() -> None:
    assert shiprail.azure_pattern_matches("branch", "release/*", ["release/a/b", "refs/tags/release/1"]) == [True, False]
    assert shiprail.azure_pattern_matches("tag", "v*", ["refs/tags/v1.0", "v1.0"]) == [True, False]
    assert shiprail.azure_pattern_matches("path", "/src/shipping/delivery/", ["src/shipping/delivery/a", "src/x"]) == [
        True,
        False,
    ]
    assert shiprail.azure_pattern_matches("branch", "main", ["Main"], {"branch_case_insensitive": True}) == [True]
    assert shiprail.azure_pattern_matches("path", "src/*.cs", ["src/a/b.cs"], {"path_star_crosses_slash": True}) == [True]
    with pytest.raises(shiprail.PatternError) as kind:
        shiprail.azure_pattern_matches("paths", "src", [])  # type: ignore[arg-type]
    assert kind.value.input == "paths"
    with pytest.raises(shiprail.PatternError):
        shiprail.azure_pattern_matches("branch", "", [])


def test_github_patterns() -> None:
    assert shiprail.github_pattern_matches("release/v*", ["release/v1", "release/v1/x"]) == [True, False]
    assert shiprail.github_pattern_matches("!docs/**", ["docs/a/b.md"]) == [True]
    assert shiprail.github_pattern_to_regex("release/v*") == "(?s)^release/v[^/]*$"
    assert shiprail.github_pattern_as_glob("release/**") == "release/**"
    assert shiprail.github_pattern_as_glob("v1.?") is None
    assert shiprail.github_pattern_escape("a*b") == "a\\*b"
    assert shiprail.github_pattern_matches(shiprail.github_pattern_escape("v[1]*"), ["v[1]*", "v1"]) == [True, False]
    assert shiprail.github_skip_instruction("fix: x [skip ci]") == "[skip ci]"
    assert shiprail.github_skip_instruction("fix: x") is None
    with pytest.raises(shiprail.PatternError) as bad:
        shiprail.github_pattern_matches("release/v[0-9", ["x"])
    assert "never closed" in bad.value.message
