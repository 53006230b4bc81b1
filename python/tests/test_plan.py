"""Plans and release state from Python: `Config.plan`, `Plan` (outline, steps, CI variables,
its saved JSON), `lint_release`, and a release walked through its gates with `ReleaseState`
on the Drone Delivery sample, as `shiprail plan` and `shiprail release ...` do it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import shiprail
from shiprail import (
    BranchError,
    ClobberError,
    Config,
    EventError,
    Plan,
    PolicyError,
    ReleaseState,
    StateError,
    UnknownNameError,
)

DIGEST = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64
CI_STEPS = [
    "build",
    "unit_test",
    "test_image_build",
    "test_run",
    "image_build",
    "vulnerability_scan",
    "image_push",
    "chart_package",
    "chart_push",
    "git_tag",
]


def at(minute: int, hour: int = 9) -> str:
    return f"2024-06-11T{hour:02d}:{minute:02d}:00Z"


def release_plan(drone: Config, version: str = "1.0.2") -> Plan:
    return drone.plan("push", f"release/delivery/v{version}", commit="4f2a9c1e0b7d3c2a")


def through_staging(state: ReleaseState, digest: str = DIGEST) -> None:
    """CI, then dev, qa and staging deployed and verified with `digest`."""
    for minute, step in enumerate(CI_STEPS):
        state.record_gate(f"ci/{step}", digest=digest if step == "image_push" else None, by="ci", at=at(minute))
    state.record_deployment("dev", digest, by="ci", at=at(20))
    state.record_gate("dev/verify", by="ci", at=at(21))
    state.record_deployment("qa", digest, by="ci", at=at(22))
    state.record_gate("qa/verify", by="ci", at=at(23))
    state.record_promotion("staging", digest, by="ci", at=at(24))
    state.record_deployment("staging", digest, by="ci", at=at(25))
    state.record_gate("staging/verify", by="ci", at=at(26))


def test_release_branch_plan(drone: Config) -> None:
    plan = release_plan(drone)
    assert (plan.pipeline, plan.run, plan.format) == ("release", True, 1)
    assert plan.reason == "push to `release/delivery/v1.0.2` (a release branch) runs `release` (pipelines.rules[3])"
    assert repr(plan) == "Plan(pipeline='release', run=True, services=['delivery'])"
    assert plan.environments == ["dev", "qa", "staging", "prod"]
    assert plan.notes == []
    assert plan.event == {"kind": "push", "ref": "refs/heads/release/delivery/v1.0.2", "commit": "4f2a9c1e0b7d3c2a"}
    assert plan.branch == {"name": "release/delivery/v1.0.2", "kind": "release", "service": "delivery", "version": "1.0.2"}
    assert plan.release is not None
    assert plan.release["image"] == "myrepo.azurecr.io/delivery:v1.0.2"
    assert plan.release["release_name"] == "delivery-v1-0-2"
    assert [s["service"] for s in plan.services] == ["delivery"]
    outline = plan.outline()
    assert outline["services"]["delivery"][-4:] == [
        "staging/deploy",
        "staging/verify",
        "prod/deploy [passed:staging, approval:1]",
        "prod/verify",
    ]
    push = plan.step("delivery/ci/image_push")
    assert push is not None
    assert push["inputs"] == {"image": "myrepo.azurecr.io/delivery:v1.0.2", "push": True}
    assert "delivery/ci/vulnerability_scan" in push["needs"]
    deploy = plan.step("delivery/prod/deploy")
    assert deploy is not None
    approval = next(g for g in deploy["gates"] if g["gate"] == "approval")
    assert (approval["reviewers"], approval["timeout"], approval["wait_timer"]) == (1, "30d", "0s")
    assert shiprail.parse_duration(approval["timeout"]) == timedelta(days=30)
    promote = plan.step("delivery/staging/promote")
    assert promote is not None and promote["inputs"]["target_image"] == "myrepo.azurecr.io/prod/delivery:v1.0.2"
    assert plan.step("delivery/ci/nope") is None
    service = plan.service("delivery")
    assert service is not None and service["stages"][0]["id"] == "ci"
    assert plan.service("package") is None
    assert plan.to_dict()["services"] == plan.services


def test_plan_json_round_trip_and_schema(drone: Config, tmp_path: Path) -> None:
    plan = release_plan(drone)
    text = plan.to_json()
    assert text.endswith("}\n") and json.loads(text) == plan.to_dict()
    saved = tmp_path / "plan.json"
    saved.write_text(text, encoding="utf-8")
    assert Plan.from_json(saved.read_text(encoding="utf-8")) == plan
    assert Plan.load(saved) == Plan.load(str(saved)) == plan
    newer_file = tmp_path / "newer.json"
    newer_file.write_text(text.replace('"format": 1', '"format": 9', 1), encoding="utf-8")
    with pytest.raises(StateError) as in_file:
        Plan.load(newer_file)
    assert in_file.value.file == str(newer_file)
    with pytest.raises(shiprail.IoError):
        Plan.load(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b'{"format": 1, "reason": "caf\xe9"}')
    with pytest.raises(shiprail.ConfigError) as not_utf8:
        Plan.load(tmp_path / "latin1.json")
    assert (not_utf8.value.code, not_utf8.value.line) == ("invalid_utf8", 1)
    assert plan != drone.plan("push", "release/delivery/v1.0.3")
    schema = Plan.json_schema()
    assert schema["title"] == "shiprail plan"
    with pytest.raises(StateError) as newer:
        Plan.from_json(text.replace('"format": 1', '"format": 9', 1))
    assert newer.value.code == "state_version"
    with pytest.raises(shiprail.ConfigError) as junk:
        Plan.from_json("{")
    assert junk.value.code == "config_syntax"


def test_ci_renderings(drone: Config) -> None:
    plan = release_plan(drone)
    github = plan.render("github")
    assert github.startswith("run=true\npipeline=release\n")
    assert 'matrix={"include":[{"service":"delivery","image":"myrepo.azurecr.io/delivery:v1.0.2","chart":"charts/delivery"}]}\n' in github
    assert github.endswith('environments=["dev","qa","staging","prod"]\n')
    azure = plan.render("azure")
    assert azure.startswith("##vso[task.setvariable variable=run;isoutput=true]true\n")
    assert '"delivery":{"service":"delivery"' in azure
    gitlab = plan.render("gitlab")
    assert "SHIPRAIL_SERVICE_LIST=delivery\n" in gitlab and "SHIPRAIL_GIT_TAG=delivery-v1.0.2\n" in gitlab
    assert plan.render("github-actions") == github
    variables = plan.variables("gitlab")
    assert list(variables)[:6] == ["run", "pipeline", "reason", "services", "service_list", "matrix"]
    assert json.loads(variables["matrix"]) == [
        {"service": "delivery", "image": "myrepo.azurecr.io/delivery:v1.0.2", "chart": "charts/delivery"}
    ]
    with pytest.raises(shiprail.PipelineError) as unknown:
        plan.render("jenkins")
    assert (unknown.value.code, unknown.value.input) == ("invalid_pipeline", "jenkins")


def test_other_events(drone: Config) -> None:
    tag = drone.plan("tag", "delivery-v1.0.2")
    assert (tag.run, tag.pipeline, tag.release, tag.services) == (False, None, None, [])
    assert tag.render("github").startswith("run=false\npipeline=\n")
    pr = drone.plan(
        "pull_request",
        "feature/package/retry",
        base_ref="master",
        changed=shiprail.parse_changed_lines("M\tsrc/shipping/delivery/Program.cs\n"),
    )
    assert pr.pipeline == "pull_request"
    assert [s["service"] for s in pr.services] == ["delivery", "workflow"]
    assert pr.services[1]["reason"] == "it depends on `delivery`, which `src/shipping/delivery/Program.cs` affects"
    feature = drone.plan("push", "feature/delivery/eta", commit="0123456789abcdef")
    assert feature.outline()["services"] == {"delivery": ["ci/build", "ci/unit_test"]}
    # Changed paths as mappings and plain paths, a manual run as its GitHub name.
    manual = drone.plan("workflow_dispatch", "master", changed=[{"path": "src/shipping/package/app.py"}])
    assert manual.event["kind"] == "manual" and [s["service"] for s in manual.services] == ["package"]


def test_lint_release(drone: Config) -> None:
    findings = shiprail.lint_release(drone)
    assert [(f.rule, f.severity, f.path) for f in findings] == [
        ("any_branch", "warning", "environments.prod.allowed_branches")
    ]
    assert findings[0].to_dict()["message"] == findings[0].message
    bad = Config.from_yaml(
        "services:\n  delivery: {paths: {include: ['src/**']}}\n"
        "environments:\n  qa: {cluster: aks, namespace: qa}\n"
        "  prod: {cluster: aks, namespace: prod, production: true}\n"
    )
    rules = {f.rule for f in shiprail.lint_release(bad) if f.severity == "error"}
    assert {"shared_cluster", "no_approval"} <= rules
    assert len({*shiprail.lint_release(bad)}) == len(shiprail.lint_release(bad))


def test_release_walk(drone: Config, tmp_path: Path) -> None:
    state = ReleaseState(release_plan(drone), author="alice", actor="ci", at=at(0, hour=8))
    assert repr(state) == "ReleaseState(service='delivery', version='1.0.2', entries=1)"
    assert (state.author, state.commit, state.digest, state.format) == ("alice", "4f2a9c1e0b7d3c2a", None, 1)
    assert state.next(at(0))["ready"] == ["delivery/ci/build", "delivery/ci/chart_package"]
    path = tmp_path / "state.json"
    state.save(path)

    # Each job loads the state, records, saves (as the CLI does).
    state = ReleaseState.load(path)
    through_staging(state)
    state.save(path)
    state = ReleaseState.load(str(path))
    assert state.digest == DIGEST
    assert state.deployed_environments() == ["dev", "qa", "staging"]
    assert state.next(at(30))["ready"] == []

    # Production: refused without an approval of the digest QA and staging passed with.
    with pytest.raises(PolicyError) as missing:
        state.record_deployment("prod", DIGEST, by="ci", at=at(30))
    assert (missing.value.code, missing.value.is_rule_violation) == ("approval_missing", True)
    with pytest.raises(PolicyError) as self_approval:
        state.record_approval("prod", DIGEST, by="alice", at=at(31))
    assert self_approval.value.code == "approval_refused"
    with pytest.raises(PolicyError) as other_digest:
        state.record_approval("prod", OTHER, by="bob", at=at(31))
    assert other_digest.value.code == "approval_refused"
    entry = state.record_approval("prod", DIGEST, by="bob", comment="QA sign-off", at=at(32))
    assert {k: entry[k] for k in ("action", "environment", "digest", "comment", "actor")} == {
        "action": "approve",
        "environment": "prod",
        "digest": DIGEST,
        "comment": "QA sign-off",
        "actor": "bob",
    }
    assert state.next(at(33))["ready"] == ["delivery/prod/deploy"]
    with pytest.raises(PolicyError) as unverified:
        state.record_deployment("prod", OTHER, by="ci", at=at(33))
    assert unverified.value.code == "gate_not_passed"
    deployed = state.record_deployment("prod", DIGEST, by="ci", at=datetime(2024, 6, 11, 11, 34, tzinfo=timezone(timedelta(hours=2))))
    assert deployed["at"] == "2024-06-11T09:34:00Z"
    state.record_gate("prod/verify", "passed", by="ci", at=at(40))
    done = state.next(at(41))
    assert (done["complete"], done["ready"], done["digest"]) == (True, [], DIGEST)
    assert {s["status"] for s in done["steps"]} == {"done"}
    deployment = state.deployment("prod")
    assert deployment is not None and (deployment["digest"], deployment["version"]) == (DIGEST, "1.0.2")
    assert state.deployment("nowhere") is None
    state.save(path)
    assert ReleaseState.load(path) == state

    # The audit trail: hash-chained, exported one entry a line.
    audit = state.audit
    assert [e["seq"] for e in audit] == list(range(len(audit)))
    assert audit[0]["action"] == "init" and audit[0]["prev"] == "0" * 64
    assert all(e["prev"] == before["hash"] for before, e in zip(audit, audit[1:]))
    lines = state.audit_json_lines().splitlines()
    assert [json.loads(line) for line in lines] == audit
    state.verify()


def test_failed_gate_and_clobber(drone: Config) -> None:
    state = ReleaseState(release_plan(drone), author="alice", at=at(0))
    state.record_gate("ci/build", "failed", by="ci", at=at(1))
    build = state.next(at(2))["steps"][0]
    assert (build["status"], build["why"]) == ("failed", ["`delivery/ci/build` failed; run it again once fixed"])
    through_staging(state)
    with pytest.raises(ClobberError) as clobber:
        state.record_gate("ci/image_push", digest=OTHER, by="ci", at=at(50))
    assert clobber.value.code == "registry_clobber"
    assert isinstance(clobber.value, PolicyError) and isinstance(clobber.value, shiprail.RegistryError)


def test_tampered_and_newer_state_files(drone: Config, tmp_path: Path) -> None:
    state = ReleaseState(release_plan(drone), author="alice", at=at(0))
    through_staging(state)
    path = tmp_path / "state.json"
    state.save(path)
    text = path.read_text(encoding="utf-8")

    forged = json.loads(text)
    forged["audit"][3]["actor"] = "mallory"
    path.write_text(json.dumps(forged), encoding="utf-8")
    with pytest.raises(StateError) as tampered:
        ReleaseState.load(path)
    assert tampered.value.code == "state_tampered"
    assert tampered.value.file == str(path)
    assert str(tampered.value).startswith(f"{path}:")
    assert tampered.value.message == "the release state was changed outside shiprail: audit entry 3 does not match its hash"
    assert isinstance(tampered.value, ValueError) and not tampered.value.is_rule_violation

    # Removing the approval gate from the plan is caught by the `init` entry's hash.
    ungated = json.loads(text)
    for stage in ungated["plan"]["stages"]:
        for step in stage["steps"]:
            step["gates"] = []
    with pytest.raises(StateError) as plan_changed:
        ReleaseState.from_json(json.dumps(ungated))
    assert "the plan, release or previous deployments differ" in plan_changed.value.message

    with pytest.raises(StateError) as newer:
        ReleaseState.from_json(text.replace('"format": 1', '"format": 9', 1))
    assert newer.value.code == "state_version"
    assert ReleaseState.from_json(text) == state


def test_rollback_plan(drone: Config) -> None:
    previous = ReleaseState(release_plan(drone, "1.0.1"), author="alice", at=at(0, hour=7))
    through_staging(previous, OTHER)
    previous.record_approval("prod", OTHER, by="bob", at=at(30))
    previous.record_deployment("prod", OTHER, by="ci", at=at(31))

    state = ReleaseState(release_plan(drone), author="alice", at=at(0, hour=8), previous=previous)
    assert state.previous["prod"]["version"] == "1.0.1"
    nothing = state.rollback_plan("prod")
    assert "current" not in nothing and nothing["previous"]["version"] == "1.0.1"
    assert any("was not deployed to `prod`" in note for note in nothing["notes"])

    through_staging(state)
    state.record_approval("prod", DIGEST, by="bob", at=at(40))
    state.record_deployment("prod", DIGEST, by="ci", at=at(41))
    back = state.rollback_plan("prod")
    assert back["environment"] == "prod"
    assert (back["current"]["version"], back["previous"]["version"]) == ("1.0.2", "1.0.1")
    assert [s["action"] for s in back["steps"]] == ["redeploy", "verify", "uninstall"]
    redeploy = back["steps"][0]["inputs"]
    assert redeploy["release_name"] == "delivery-v1-0-1"
    assert redeploy["image"].endswith("@" + OTHER)
    assert back["steps"][2]["inputs"]["release_name"] == "delivery-v1-0-2"
    with pytest.raises(UnknownNameError) as unknown:
        state.rollback_plan("prd")
    assert (unknown.value.code, unknown.value.suggestion) == ("unknown_environment", "prod")


def test_argument_errors(drone: Config) -> None:
    plan = release_plan(drone)
    with pytest.raises(BranchError) as not_release:
        ReleaseState(drone.plan("push", "master"))
    assert not_release.value.code == "not_a_release_branch"
    with pytest.raises(UnknownNameError) as service:
        ReleaseState(plan, service="pakage")
    assert (service.value.code, service.value.input) == ("unknown_service", "pakage")
    state = ReleaseState(plan, author="alice", at=at(0))
    with pytest.raises(EventError) as step:
        state.record_gate("ci/biuld", by="ci", at=at(1))
    assert step.value.suggestion == "delivery/ci/build"
    with pytest.raises(EventError) as digest:
        state.record_deployment("dev", "sha256:nope", by="ci", at=at(1))
    assert digest.value.input == "sha256:nope"
    with pytest.raises(EventError) as when:
        state.record_gate("ci/build", by="ci", at="yesterday")
    assert when.value.message == "`yesterday` is not a timestamp: expected RFC 3339 such as `2024-06-11T09:30:00Z`"
    with pytest.raises(EventError):
        state.record_gate("ci/build", by="ci", at=datetime(2024, 6, 11, 9, 0))  # naive: ambiguous
    with pytest.raises(EventError) as result:
        state.record_gate("ci/build", "maybe", by="ci", at=at(1))
    assert result.value.input == "maybe"
    with pytest.raises(EventError):
        state.record_gate("ci/build", by="", at=at(1))
    with pytest.raises(TypeError):
        state.record_gate("ci/build", by="ci", at=1718096400)  # type: ignore[arg-type]
    assert len(state.audit) == 1, "refused records write nothing"
    with pytest.raises(EventError) as kind:
        drone.plan("deploy", "master")
    assert kind.value.input == "deploy"
    with pytest.raises(EventError):
        drone.plan("pull_request", "feature/delivery/x")
    with pytest.raises(BranchError) as typo:
        drone.plan("push", "relase/delivery/v1.0.2")
    assert typo.value.code == "unknown_branch_kind"
    with pytest.raises(shiprail.IoError):
        ReleaseState.load(Path("/nonexistent/state.json"))


def test_durations() -> None:
    assert shiprail.parse_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert shiprail.parse_duration("0s") == timedelta(0)
    assert shiprail.format_duration(timedelta(minutes=90)) == "1h30m"
    assert shiprail.format_duration(5400) == "1h30m"
    assert shiprail.format_duration(0) == "0s"
    with pytest.raises(shiprail.ConfigError) as bad:
        shiprail.parse_duration("1.5h")
    assert (bad.value.code, bad.value.input) == ("config_invalid", "1.5h")
