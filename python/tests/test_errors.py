"""The error mapping: every core error code becomes a ShiprailError subclass with its parts."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import shiprail
from shiprail import _native, exceptions
from shiprail.exceptions import (
    ArchiveError,
    BranchError,
    ChartError,
    ClobberError,
    ConfigError,
    DigestMismatchError,
    EventError,
    GitError,
    ImageError,
    IoError,
    PatternError,
    PipelineError,
    PolicyError,
    RegistryAuthError,
    RegistryError,
    RegistryNotFoundError,
    RegistryTlsError,
    ShiprailError,
    TagError,
    UnexpectedDigestError,
    UnknownNameError,
    StateError,
    UnsafeArchiveError,
    VersionError,
)

# The public contract: the family of every code (moving a code to another class breaks
# `except` clauses, so it is pinned here as well as decided in bindings/python/src/error.rs).
FAMILY: dict[str, type[ShiprailError]] = {
    "invalid_ref_name": BranchError,
    "not_a_branch": BranchError,
    "unknown_branch_kind": BranchError,
    "not_a_release_branch": BranchError,
    "unknown_service": UnknownNameError,
    "invalid_branch_version": BranchError,
    "invalid_version": VersionError,
    "version_not_higher": PolicyError,
    "mutable_tag": PolicyError,
    "invalid_tag": TagError,
    "ambiguous_tag": TagError,
    "invalid_template": PatternError,
    "invalid_image_reference": ImageError,
    "invalid_pattern": PatternError,
    "unknown_environment": UnknownNameError,
    "invalid_event": EventError,
    "invalid_pipeline": PipelineError,
    "git": GitError,
    "config_syntax": ConfigError,
    "config_invalid": ConfigError,
    "invalid_utf8": ConfigError,
    "io": IoError,
    "invalid_chart": ChartError,
    "invalid_archive": ArchiveError,
    "unsafe_archive": UnsafeArchiveError,
    "registry_unauthorized": RegistryAuthError,
    "registry_not_found": RegistryNotFoundError,
    "registry_tls": RegistryTlsError,
    "registry_digest_mismatch": DigestMismatchError,
    "registry_clobber": ClobberError,
    "registry_unexpected_digest": UnexpectedDigestError,
    "registry": RegistryError,
    "state_tampered": StateError,
    "state_version": StateError,
    "gate_not_passed": PolicyError,
    "approval_missing": PolicyError,
    "approval_refused": PolicyError,
}

# Codes deliberately raised as the base class (none so far; list a code here with a reason).
BASE_ON_PURPOSE: dict[str, str] = {}

# The codes that are rule violations (the CLI exits 1 for them), from the core's docs.
RULE_VIOLATIONS = {
    "not_a_branch",
    "unknown_branch_kind",
    "not_a_release_branch",
    "unknown_service",
    "invalid_branch_version",
    "version_not_higher",
    "mutable_tag",
    "ambiguous_tag",
    "unknown_environment",
    "registry_clobber",
    "registry_unexpected_digest",
    "gate_not_passed",
    "approval_missing",
    "approval_refused",
}


def raised(code: str, **parts: Any) -> ShiprailError:
    with pytest.raises(ShiprailError) as caught:
        _native._raise_for_code(code, "the message", **parts)
    return caught.value


def test_error_codes_are_the_cores() -> None:
    assert shiprail.ERROR_CODES == _native.ERROR_CODES
    assert len(set(shiprail.ERROR_CODES)) == len(shiprail.ERROR_CODES) >= 22
    assert set(FAMILY) == set(shiprail.ERROR_CODES), "pin the family of every new code in FAMILY"


@pytest.mark.parametrize("code", _native.ERROR_CODES)
def test_every_code_maps_to_its_family(code: str) -> None:
    error = raised(code)
    if code in BASE_ON_PURPOSE:
        assert type(error) is ShiprailError
        return
    assert type(error) is not ShiprailError, f"`{code}` falls through to the base class"
    assert type(error) is FAMILY[code]
    assert error.code == code
    assert error.message == "the message"
    assert str(error) == "the message"
    assert error.is_rule_violation == (code in RULE_VIOLATIONS)
    assert type(error).__name__ in exceptions.__all__
    assert getattr(shiprail, type(error).__name__) is type(error)


def test_every_family_is_used() -> None:
    used = {type(raised(code)) for code in _native.ERROR_CODES}
    declared = {getattr(exceptions, name) for name in exceptions.__all__} - {ShiprailError}
    assert declared == used


def test_all_parts_are_carried() -> None:
    error = raised(
        "unknown_service",
        input="delivry",
        file="shiprail.yaml",
        line=3,
        column=5,
        suggestion="delivery",
    )
    assert (error.input, error.file, error.line, error.column, error.suggestion) == (
        "delivry",
        "shiprail.yaml",
        3,
        5,
        "delivery",
    )
    assert str(error) == "shiprail.yaml:3:5: the message (did you mean `delivery`?)"
    assert repr(error) == (
        "UnknownNameError('shiprail.yaml:3:5: the message (did you mean `delivery`?)', "
        "code='unknown_service')"
    )


def test_missing_parts_are_none() -> None:
    error = raised("git")
    assert (error.input, error.file, error.line, error.column, error.suggestion) == (None,) * 5


@pytest.mark.parametrize("code", _native.ERROR_CODES)
def test_errors_pickle(code: str) -> None:
    error = raised(code, input="x", suggestion="y")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert (again.code, again.message, again.input, again.suggestion, str(again)) == (
        error.code,
        error.message,
        error.input,
        error.suggestion,
        str(error),
    )


def test_builtin_bases_keep_generic_handlers_working() -> None:
    assert isinstance(raised("invalid_version"), ValueError)
    assert isinstance(raised("unknown_service"), LookupError)
    assert isinstance(raised("io"), OSError)
    assert not isinstance(raised("version_not_higher"), ValueError)
    assert isinstance(raised("registry_not_found"), LookupError)
    assert isinstance(raised("invalid_chart"), ValueError)


def test_families_nest() -> None:
    """A handler for a family catches its more specific codes: an unsafe archive is an archive
    error; every registry failure a RegistryError; the two promotion rules also policy errors."""
    assert isinstance(raised("unsafe_archive"), ArchiveError)
    assert not isinstance(raised("invalid_archive"), UnsafeArchiveError)
    for code in (
        "registry",
        "registry_unauthorized",
        "registry_not_found",
        "registry_tls",
        "registry_digest_mismatch",
        "registry_clobber",
        "registry_unexpected_digest",
    ):
        assert isinstance(raised(code), RegistryError), code
    for code in ("registry_clobber", "registry_unexpected_digest", "mutable_tag", "version_not_higher"):
        assert isinstance(raised(code), PolicyError), code
    assert not isinstance(raised("registry_tls"), PolicyError)


def test_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not an error code"):
        _native._raise_for_code("no_such_code", "x")


def test_python_side_construction() -> None:
    error = ShiprailError("boom")
    assert (error.code, error.message, error.input, error.is_rule_violation) == ("", "boom", None, False)


def test_trigger_errors_from_real_calls(tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as azure:
        shiprail.Pipeline.from_yaml("trigger: nope\n", "azure")
    assert (azure.value.code, azure.value.line, azure.value.column, azure.value.file) == ("invalid_pipeline", 1, 10, None)
    assert str(azure.value) == (
        "line 1, column 10: `trigger` must be `none`, a list of branches, or a mapping of batch, "
        "branches, paths and tags; found `nope`"
    )
    assert isinstance(azure.value, ValueError) and not azure.value.is_rule_violation
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on:\n  push:\n    branches: [ main, release/v[0-9].[0-9] ]\n", encoding="utf-8")
    with pytest.raises(PipelineError) as loaded:
        shiprail.Pipeline.load(workflow)
    assert (loaded.value.file, loaded.value.line) == (str(workflow), 3)
    assert str(loaded.value).startswith(f"{workflow}:3:")
    with pytest.raises(PipelineError) as dialect:
        shiprail.Pipeline.from_yaml("on: push\n", "gitlab")
    assert dialect.value.input == "gitlab"
    with pytest.raises(EventError) as no_kind:
        shiprail.Pipeline.from_yaml("steps: []\n", "azure").evaluate({"ref": "main"})
    assert no_kind.value.code == "invalid_event"
    assert no_kind.value.message == "the event has no `kind`: expected push, pull_request, pull_request_target or manual"
    with pytest.raises(EventError) as no_base:
        shiprail.Pipeline.from_yaml("on: push\n", "github").evaluate(shiprail.Event(kind="pull_request", ref="x"))
    assert "base_ref" in no_base.value.message
    with pytest.raises(EventError) as kind:
        shiprail.Event(kind="merge")
    assert (kind.value.input, kind.value.is_rule_violation) == ("merge", False)
    with pytest.raises(PatternError) as pattern:
        shiprail.Pipeline.from_yaml("trigger:\n  branches:\n    include: ['']\n", "azure")
    assert (pattern.value.code, pattern.value.line, pattern.value.column) == ("invalid_pattern", 3, 15)


def test_plan_errors_from_real_calls(drone: shiprail.Config, tmp_path: Path) -> None:
    """Every code the plan module (plans, release state, durations) raises, raised by a real
    call and mapped to its family."""
    digest, other = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    plan = drone.plan("push", "release/delivery/v1.0.2")

    def fresh() -> shiprail.ReleaseState:
        return shiprail.ReleaseState(plan, author="alice", at="2024-06-11T08:00:00Z")

    def through_staging() -> shiprail.ReleaseState:
        state = fresh()
        for step in ("build", "unit_test", "test_image_build", "test_run", "image_build", "vulnerability_scan"):
            state.record_gate(f"ci/{step}", by="ci")
        state.record_gate("ci/image_push", digest=digest, by="ci")
        for step in ("chart_package", "chart_push", "git_tag"):
            state.record_gate(f"ci/{step}", by="ci")
        for env in ("dev", "qa", "staging"):
            if env == "staging":
                state.record_promotion(env, digest, by="ci")
            state.record_deployment(env, digest, by="ci")
            state.record_gate(f"{env}/verify", by="ci")
        return state

    saved = fresh().to_json()
    calls: dict[str, Callable[[], object]] = {
        "approval_missing": lambda: through_staging().record_deployment("prod", digest, by="ci"),
        "approval_refused": lambda: through_staging().record_approval("prod", digest, by="alice"),
        "gate_not_passed": lambda: fresh().record_deployment("qa", digest, by="ci"),
        "registry_clobber": lambda: through_staging().record_gate("ci/image_push", digest=other, by="ci"),
        "state_tampered": lambda: shiprail.ReleaseState.from_json(saved.replace('"actor": "alice"', '"actor": "eve"')),
        "state_version": lambda: shiprail.ReleaseState.from_json(saved.replace('"format": 1', '"format": 2', 1)),
        "not_a_release_branch": lambda: shiprail.ReleaseState(drone.plan("push", "master")),
        "unknown_service": lambda: shiprail.ReleaseState(plan, service="nope"),
        "unknown_environment": lambda: fresh().rollback_plan("nope"),
        "invalid_event": lambda: fresh().record_gate("ci/build", by="ci", at="yesterday"),
        "invalid_pipeline": lambda: plan.render("jenkins"),
        "config_invalid": lambda: shiprail.parse_duration("72"),
        "config_syntax": lambda: shiprail.Plan.from_json("not json"),
        "io": lambda: shiprail.ReleaseState.load(tmp_path / "missing.json"),
    }
    for code, call in calls.items():
        with pytest.raises(ShiprailError) as caught:
            call()
        assert caught.value.code == code, f"{code}: {caught.value}"
        assert type(caught.value) is FAMILY[code], code
        assert caught.value.is_rule_violation == (code in RULE_VIOLATIONS), code


HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\u202e",
    "é/ü/ß",
    "🚀/🚀",
    "refs/heads/",
    "v" * 1_000_000,
    "a/" * 100_000,
    "{" * 10_000,
    "release/" + "1." * 50_000,
]

AZURE_PIPELINE = shiprail.Pipeline.from_yaml(
    "trigger:\n  branches: {include: ['release/*']}\n  paths: {exclude: [docs]}\npr: [main]\n", "azure"
)
PLAN_CONFIG = shiprail.Config.from_yaml(
    "services:\n  delivery: {paths: {include: ['src/**']}}\n"
    "environments:\n  qa: {cluster: c, namespace: qa}\n"
    "  prod: {cluster: p, namespace: prod, production: true, approval: {required: true}}\n"
)
RELEASE_PLAN = PLAN_CONFIG.plan("push", "release/delivery/v1.0.2")
GITHUB_PIPELINE = shiprail.Pipeline.from_yaml(
    "on:\n  push:\n    branches: ['release/**']\n    paths-ignore: ['docs/**']\n", "github"
)

CALLS: list[tuple[str, Callable[[str], object]]] = [
    ("ReleaseVersion", shiprail.ReleaseVersion),
    ("VersionPolicy.parse", shiprail.VersionPolicy(v_prefix="require").parse),
    ("BranchPattern", shiprail.BranchPattern),
    ("BranchRules.classify", shiprail.BranchRules().classify),
    ("BranchRules.render", lambda s: shiprail.BranchRules().render("feature", service=s, topic=s)),
    ("TagTemplate", shiprail.TagTemplate),
    ("TagTemplate.parse", shiprail.TagTemplate("{service}-v{version}").parse),
    ("TagPolicy.derive", lambda s: shiprail.TagPolicy().derive(s, "1.0.2")),
    ("TagPolicy.attribute", lambda s: shiprail.TagPolicy().attribute(s, ["delivery", s])),
    ("TagPolicy.check_immutable", shiprail.TagPolicy().check_immutable),
    ("ImageReference", shiprail.ImageReference),
    ("ImageReference.with_tag", shiprail.ImageReference("ubuntu").with_tag),
    ("ImageReference.with_digest", shiprail.ImageReference("ubuntu").with_digest),
    ("ImageReference.with_repository", shiprail.ImageReference("ubuntu").with_repository),
    ("ImageReference.promotion_target", shiprail.ImageReference("a.io/b:v1").promotion_target),
    ("promotion template", lambda s: shiprail.ImageReference("a.io/b:v1").promotion_target("p", s)),
    ("Config.from_yaml", shiprail.Config.from_yaml),
    ("Config.from_yaml bytes", lambda s: shiprail.Config.from_yaml(s.encode("utf-8", "surrogatepass"))),
    ("Config.classify_branch", shiprail.Config.default().classify_branch),
    ("Config.release_for_branch", shiprail.Config.default().release_for_branch),
    ("Config.next_version", lambda s: shiprail.Config.default().next_version(s, [s], [s])),
    ("bump_for_commits", lambda s: shiprail.bump_for_commits([s])),
    ("split_commit_messages", shiprail.split_commit_messages),
    ("ReleaseVersion.with_build", shiprail.ReleaseVersion("1.0.0").with_build),
    ("ReleaseVersion.with_commit", shiprail.ReleaseVersion("1.0.0").with_commit),
    ("ReleaseVersion.next_prerelease", shiprail.ReleaseVersion("1.0.0").next_prerelease),
    ("ReleaseVersion.bump", shiprail.ReleaseVersion("1.0.0").bump),
    ("Pipeline.from_yaml azure", lambda s: shiprail.Pipeline.from_yaml(s, "azure")),
    ("Pipeline.from_yaml github", lambda s: shiprail.Pipeline.from_yaml(s, "github")),
    ("Pipeline.from_yaml dialect", lambda s: shiprail.Pipeline.from_yaml("", s)),
    ("Pipeline.load", shiprail.Pipeline.load),
    ("Pipeline.evaluate azure", lambda s: AZURE_PIPELINE.evaluate({"kind": "pull_request", "ref": s, "base_ref": s, "changed": [s]})),
    ("Pipeline.evaluate github", lambda s: GITHUB_PIPELINE.evaluate({"kind": "push", "ref": s, "changed": [s], "commit_messages": [s]})),
    ("Pipeline.evaluate_events", lambda s: GITHUB_PIPELINE.evaluate_events([{"kind": s}, {s: s}])),
    ("Pipeline.lint azure", lambda s: AZURE_PIPELINE.lint(services=[s])),
    # Not the Azure lint with hostile `repo_paths`: its unmatched-path suggestion takes time
    # quadratic in a path's depth (minutes for `a/` * 100_000), a core issue to fix there.
    ("Pipeline.lint github", lambda s: GITHUB_PIPELINE.lint(services=[s], repo_paths=[s])),
    ("Event", lambda s: shiprail.Event(kind=s, ref=s, changed=[{"path": s, "status": s}])),
    ("parse_changed_lines", shiprail.parse_changed_lines),
    ("detect_dialect", lambda s: shiprail.detect_dialect(s, s)),
    ("azure_pattern_matches branch", lambda s: shiprail.azure_pattern_matches("branch", s, [s])),
    ("azure_pattern_matches path", lambda s: shiprail.azure_pattern_matches("path", s, [s])),
    ("github_pattern_matches", lambda s: shiprail.github_pattern_matches(s, [s])),
    ("github_pattern_to_regex", shiprail.github_pattern_to_regex),
    ("github_pattern_as_glob", shiprail.github_pattern_as_glob),
    ("github_pattern_escape", shiprail.github_pattern_escape),
    ("github_skip_instruction", shiprail.github_skip_instruction),
    ("ChartFile", shiprail.ChartFile),
    ("ChartFile bytes", lambda s: shiprail.ChartFile(s.encode("utf-8", "surrogatepass"))),
    ("ChartFile.validate", lambda s: shiprail.ChartFile(f"name: {s!r}\nversion: {s!r}\n").validate()),
    ("ChartFile.location_of", lambda s: shiprail.ChartFile("name: c\n").location_of(s)),
    (
        "lint_chart",
        lambda s: shiprail.lint_chart(
            chart_yaml=s, values_yaml=s, values_schema=s, subcharts=[s], released=["1.0.0"], policy={"image": "v{version}"}
        ),
    ),
    ("lint_chart templates", lambda s: shiprail.lint_chart(templates=s)),  # type: ignore[arg-type]
    ("ChartVersions.from_release", lambda s: shiprail.ChartVersions.from_release(s, s)),
    ("rewrite_chart_versions", lambda s: shiprail.rewrite_chart_versions(s, version="1.0.2", app_version=s)),
    ("rewrite_chart_dependency_version", lambda s: shiprail.rewrite_chart_dependency_version(s, s, s)),
    ("HelmIgnore", shiprail.HelmIgnore),
    ("HelmIgnore.matches", lambda s: shiprail.HelmIgnore("*.md\n!keep\n").matches([s, (s, True)])),
    ("ChartArchive.read", lambda s: shiprail.ChartArchive.read(s.encode("utf-8", "surrogatepass"))),
    ("release_names", lambda s: shiprail.release_names(s, "1.0.2", s)),
    ("ChangeCauseTemplate", shiprail.ChangeCauseTemplate),
    (
        "ChangeCauseTemplate.render",
        lambda s: shiprail.ChangeCauseTemplate().render(service=s, version="1.0.2", branch=s, commit=s, reason=s),
    ),
    ("is_dns1123_label", shiprail.is_dns1123_label),
    ("Pattern", shiprail.Pattern),
    ("path_glob_matches", lambda s: shiprail.path_glob_matches(s, [s])),
    (
        "AffectedMatcher.from_rules",
        lambda s: shiprail.AffectedMatcher.from_rules(
            [shiprail.ServiceRules(s, include=[shiprail.Pattern.glob(s)], exclude=[shiprail.Pattern.regex(s, s)])]
        ).affected([s], explain=True),
    ),
    ("Config.affected", lambda s: shiprail.Config.default().affected([s, {"path": s, "status": "renamed", "previous_path": s}])),
    ("parse_name_status", lambda s: shiprail.parse_name_status(s.encode("utf-8", "surrogatepass"))),
    ("changed_between", lambda s: shiprail.changed_between(".", s, s)),
    ("Digest", shiprail.Digest),
    ("Platform", shiprail.Platform),
    ("PromotionPolicy.request", lambda s: shiprail.PromotionPolicy(namespace="prod").request(s, s)),
    ("PromotionPolicy template", lambda s: shiprail.PromotionPolicy(namespace=s, template=s).request("a.io/b:v1.0.0")),
    ("PromotionPolicy.check_tag", shiprail.PromotionPolicy().check_tag),
    ("PromoteRequest", lambda s: shiprail.PromoteRequest(s, s, expected_digest=s, platforms=[s])),
    ("highest_release", lambda s: shiprail.highest_release([s, "v1.0.0"], service=s)),
    ("DockerConfig.from_json", shiprail.DockerConfig.from_json),
    ("Config.plan", lambda s: PLAN_CONFIG.plan("push", s, commit=s, changed=[s])),
    ("Config.plan kind", lambda s: PLAN_CONFIG.plan(s, s, base_ref=s)),
    ("Plan.from_json", shiprail.Plan.from_json),
    ("Plan.render", RELEASE_PLAN.render),
    ("Plan.step", RELEASE_PLAN.step),
    ("ReleaseState", lambda s: shiprail.ReleaseState(RELEASE_PLAN, author=s, actor=s, at=s, service=s)),
    ("ReleaseState.from_json", shiprail.ReleaseState.from_json),
    ("ReleaseState.record_gate", lambda s: shiprail.ReleaseState(RELEASE_PLAN).record_gate(s, s, by=s, digest=s, at=s)),
    ("ReleaseState.record_gate step", lambda s: shiprail.ReleaseState(RELEASE_PLAN).record_gate(s, by="ci")),
    ("ReleaseState.record_approval", lambda s: shiprail.ReleaseState(RELEASE_PLAN).record_approval(s, s, by=s, comment=s)),
    ("ReleaseState.record_deployment", lambda s: shiprail.ReleaseState(RELEASE_PLAN).record_deployment("qa", s, by="ci")),
    ("ReleaseState.rollback_plan", lambda s: shiprail.ReleaseState(RELEASE_PLAN).rollback_plan(s)),
    ("ReleaseState.next", lambda s: shiprail.ReleaseState(RELEASE_PLAN).next(s)),
    ("parse_duration", shiprail.parse_duration),
    ("DockerConfig.credentials_for", lambda s: shiprail.DockerConfig.from_json('{"auths": {"r.io": {"auth": "eDp5"}}}').credentials_for(s)),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_hostile_input_never_raises_a_bare_exception(name: str, call: Callable[[str], object]) -> None:
    for text in HOSTILE:
        try:
            call(text)
        except ShiprailError as error:
            assert error.code in shiprail.ERROR_CODES
            assert error.message
        except BaseException as error:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{name}({text[:20]!r}...) raised {type(error).__name__}: {error}")


def test_policy_mappings_that_do_not_fit_are_config_errors() -> None:
    for build in (
        lambda: shiprail.VersionPolicy(v_prefix=3),
        lambda: shiprail.VersionPolicy({"unknown": 1}),
        lambda: shiprail.TagPolicy(mutable="latest"),
        lambda: shiprail.BranchRules(kinds={"x": "x/{nope}"}),
        lambda: shiprail.BranchRules(trunk=[1]),
    ):
        with pytest.raises(ConfigError) as caught:
            build()
        assert caught.value.code == "config_syntax"


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        shiprail.ReleaseVersion(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="single string"):
        shiprail.sort_versions("1.0.0")
    with pytest.raises(TypeError):
        shiprail.sort_versions([1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        shiprail.VersionPolicy(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shiprail.Config.from_yaml(3)  # type: ignore[arg-type]
