"""Affected services and change sets from Python: Config.affected, AffectedMatcher, Pattern,
ServiceRules, git change sets, and the lint of shiprail.yaml against the repository's files."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import shiprail
from shiprail import (
    Affected,
    AffectedMatcher,
    ChangedPath,
    Config,
    ConfigError,
    Git,
    GitError,
    Overlap,
    Pattern,
    PatternError,
    Reason,
    ServiceRules,
)

LAYOUT = """\
services:
  ingestion: {paths: {include: ['src/ingestion/**']}}
  delivery:
    paths: {include: ['src/delivery/**'], exclude: ['**/*.md']}
    depends_on: ['libs/common/**', {service: ingestion}]
  workflow: {paths: {include: ['src/workflow/**']}, depends_on: [{service: delivery}]}
"""


def test_affected_on_the_sample(drone: Config) -> None:
    assert drone.affected(["src/shipping/delivery/Program.cs"]).services == ["delivery", "workflow"]
    assert drone.affected(["src/shipping/delivery/README.md"]).services == []
    assert drone.affected(["libs/common/common.c"]).services == ["delivery", "workflow"]
    assert drone.affected([]).services == []
    parsed = shiprail.parse_changed_lines("M\tsrc/shipping/package/app.py\nA\tdocs/x.md\n")
    assert drone.affected(parsed).services == ["package"]
    assert drone.affected_paths(iter(["src/shipping/ingestion/a.cs"])).services == ["ingestion"]


def test_renames_count_twice() -> None:
    config = Config.from_yaml("services:\n  a: {paths: {include: ['a/**']}}\n  b: {paths: {include: ['b/**']}}\n")
    moved = ChangedPath("b/util.cs", "renamed", "a/util.cs")
    assert config.affected([moved]).services == ["a", "b"]
    assert config.affected([{"path": "b/util.cs", "status": "renamed", "previous_path": "a/util.cs"}]).services == ["a", "b"]
    with pytest.raises(shiprail.EventError):
        config.affected([{"path": "x", "status": "moved"}])
    with pytest.raises(TypeError, match="single string"):
        config.affected("a/x")


def test_explain() -> None:
    config = Config.from_yaml(LAYOUT)
    affected = config.affected(["docs/x.md", "src/ingestion/a.cs"], explain=True)
    assert isinstance(affected, Affected)
    assert affected.services == ["delivery", "ingestion", "workflow"]
    reasons = affected.explain
    assert all(isinstance(r, Reason) for r in reasons)
    assert [(r.service, r.path, r.pattern, r.matched_by, r.via) for r in reasons] == [
        ("delivery", "src/ingestion/a.cs", "src/ingestion/**", "paths.include", ["ingestion"]),
        ("ingestion", "src/ingestion/a.cs", "src/ingestion/**", "paths.include", []),
        ("workflow", "src/ingestion/a.cs", "src/ingestion/**", "paths.include", ["delivery", "ingestion"]),
    ]
    assert reasons[1].to_dict() == {
        "service": "ingestion",
        "path": "src/ingestion/a.cs",
        "pattern": "src/ingestion/**",
        "matched_by": "paths.include",
    }
    shared = config.affected(["libs/common/retry.cs"], explain=True).explain[0]
    assert (shared.service, shared.matched_by) == ("delivery", "depends_on")
    assert config.affected(["src/ingestion/a.cs"]).explain == []
    assert affected.to_dict()["services"] == affected.services
    assert repr(affected) == "Affected(services=['delivery', 'ingestion', 'workflow'])"
    assert affected == config.affected(["docs/x.md", "src/ingestion/a.cs"], explain=True)
    assert len({affected, config.affected(["docs/x.md", "src/ingestion/a.cs"], explain=True)}) == 1


def test_overlapping_paths() -> None:
    config = Config.from_yaml("services:\n  a: {paths: {include: ['src/**']}}\n  b: {paths: {include: ['src/b/**']}}\n")
    overlaps = config.overlapping_paths(["src/a/x.cs", "src/b/y.cs"])
    assert overlaps == [AffectedMatcher(config).overlaps(["src/a/x.cs", "src/b/y.cs"])[0]]
    assert isinstance(overlaps[0], Overlap)
    assert (overlaps[0].path, overlaps[0].services) == ("src/b/y.cs", ["a", "b"])
    assert overlaps[0].to_dict() == {"path": "src/b/y.cs", "services": ["a", "b"]}


def test_matcher_from_a_config(drone: Config) -> None:
    matcher = AffectedMatcher(drone)
    assert matcher.service_names == drone.service_names()
    assert matcher.pattern_count == 7  # five includes, one shared `**/*.md`, one shared library
    assert repr(matcher) == "AffectedMatcher(services=5, patterns=7)"
    assert matcher.affected(["src/shipping/workflow/a.go"]).services == ["workflow"]
    paths = [f"src/shipping/{s}/f{i}.cs" for i in range(2000) for s in ("package", "ingestion")]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda chunk: matcher.affected(chunk).services, [paths] * 8))
    assert all(r == ["ingestion", "package"] for r in results)


def test_path_glob_matches() -> None:
    assert shiprail.path_glob_matches("src/*.go", ["src/a.go", "src/x/a.go", "src/.env.go"]) == [True, False, True]
    assert shiprail.path_glob_matches("deploy/**", ("deploy/a/b/.env",)) == [True]
    with pytest.raises(PatternError):
        shiprail.path_glob_matches("src/[", [])


def test_patterns() -> None:
    yaml_glob = Pattern("src/*.go")
    assert (yaml_glob.text, yaml_glob.kind, str(yaml_glob)) == ("src/*.go", "glob", "src/*.go")
    assert Pattern.glob("src/**") == Pattern.glob("src/**") and hash(Pattern.glob("a")) == hash(Pattern.glob("a"))
    regex = Pattern.regex("api/**/*_test.go", r"api/(?:.*/)?[^/]*_test\.go")
    assert (regex.text, regex.kind, regex.source) == ("api/**/*_test.go", "regex", r"api/(?:.*/)?[^/]*_test\.go")
    assert repr(regex).startswith("Pattern(text='api/**/*_test.go', kind='regex'")
    with pytest.raises(PatternError):
        Pattern("src/[")


def test_matcher_from_rules() -> None:
    api = ServiceRules(
        "api",
        include=["api/**", Pattern.glob("deploy/api/**")],
        exclude=[Pattern.regex("api/**/*_test.go", r"api/(?:.*/)?[^/]*_test\.go")],
    )
    web = ServiceRules("web", include=("web/**",), depends_on_paths=["libs/ui/**"], depends_on_services=["api"])
    assert [p.text for p in api.include] == ["api/**", "deploy/api/**"]
    assert (web.name, web.depends_on_services, [p.text for p in web.depends_on_paths]) == ("web", ["api"], ["libs/ui/**"])
    assert api.exclude[0].kind == "regex" and web.exclude == []
    assert "ServiceRules(name='api'" in repr(api)
    matcher = AffectedMatcher.from_rules([web, api])
    assert matcher.service_names == ["api", "web"]
    assert matcher.affected(["api/x/y_test.go"]).services == []
    assert matcher.affected(["api/x/y.go"]).services == ["api", "web"]
    assert matcher.affected(["libs/ui/button.ts"], explain=True).explain[0].matched_by == "depends_on"
    with pytest.raises(ConfigError) as twice:
        AffectedMatcher.from_rules([api, api])
    assert twice.value.code == "config_invalid"
    with pytest.raises(ConfigError) as unknown:
        AffectedMatcher.from_rules([ServiceRules("web", depends_on_services=["apo"]), api])
    assert unknown.value.suggestion == "api"
    with pytest.raises(PatternError):
        AffectedMatcher.from_rules([ServiceRules("x", include=[Pattern.regex("bad", "(")])])
    with pytest.raises(TypeError, match="single string"):
        ServiceRules("x", include="a/**")


def test_rules_of_a_config_round_trip() -> None:
    config = Config.from_yaml(LAYOUT)
    rules = shiprail.rules_of(config)
    assert [r.name for r in rules] == ["delivery", "ingestion", "workflow"]
    delivery = rules[0]
    assert ([p.text for p in delivery.include], [p.text for p in delivery.exclude]) == (["src/delivery/**"], ["**/*.md"])
    assert ([p.text for p in delivery.depends_on_paths], delivery.depends_on_services) == (["libs/common/**"], ["ingestion"])
    rebuilt = AffectedMatcher.from_rules(rules)
    paths = ["src/ingestion/a", "libs/common/b.md", "src/workflow/c"]
    assert rebuilt.affected(paths, explain=True) == config.affected_paths(paths, explain=True)


# --- change sets from git -----------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(key, None)
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: README; feature (from main): delivery app + rename; main moves on with docs."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / "src" / "shipping" / "package").mkdir(parents=True)
    (tmp_path / "src" / "shipping" / "package" / "old.py").write_text("p", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "src" / "shipping" / "delivery").mkdir(parents=True)
    (tmp_path / "src" / "shipping" / "delivery" / "app cs.cs").write_text("y", encoding="utf-8")
    git(tmp_path, "mv", "src/shipping/package/old.py", "src/shipping/package/new.py")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "two")
    git(tmp_path, "checkout", "-q", "main")
    (tmp_path / "docs.md").write_text("d", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "three")
    return tmp_path


def test_change_sets_from_git(repo: Path, drone: Config) -> None:
    pushed = shiprail.changed_between(repo, "main~1", "feature")
    assert {(c.status, c.path) for c in pushed} == {
        ("added", "src/shipping/delivery/app cs.cs"),
        ("renamed", "src/shipping/package/new.py"),
    }
    renamed = next(c for c in pushed if c.status == "renamed")
    assert renamed.previous_path == "src/shipping/package/old.py"
    pull = shiprail.changed_for_pull_request(repo, "main", "feature")
    assert pull == pushed  # docs.md landed on main meanwhile and is not counted
    assert drone.affected(pull).services == ["delivery", "package", "workflow"]
    assert shiprail.changed_for_new_branch(str(repo), "feature", "main") == pushed
    assert shiprail.repository_files(repo) == ["README.md", "docs.md", "src/shipping/package/old.py"]
    handle = Git(repo)
    assert handle.changed_between("main~1", "feature") == pushed
    assert handle.changed_for_pull_request("main", "feature") == pull
    assert handle.changed_for_new_branch("feature", "main") == pushed
    assert handle.repository_files() == shiprail.repository_files(repo)
    assert handle.merge_base("main", "feature") == git(repo, "rev-parse", "main~1")
    assert Git(repo, program="git") == handle


def test_git_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(GitError) as option:
        shiprail.changed_between(repo, "--output=/tmp/x", "HEAD")
    assert option.value.message == "invalid revision `--output=/tmp/x`: a revision cannot start with `-`"
    with pytest.raises(GitError) as unknown:
        Git(repo).changed_between("v9.9.9", "HEAD")
    assert unknown.value.message.startswith("unknown revision `v9.9.9` in `")
    with pytest.raises(GitError, match="not installed"):
        Git(repo, program=repo / "no-such-git").repository_files()
    outside = tmp_path_factory.mktemp("plain")  # not inside the repository
    with pytest.raises(GitError, match="not a git repository"):
        shiprail.repository_files(outside)


def test_parse_name_status() -> None:
    changed = shiprail.parse_name_status(b"R087\0old name.cs\0new\nname.cs\0D\0gone.md\0")
    assert [(c.status, c.path, c.previous_path) for c in changed] == [
        ("renamed", "new\nname.cs", "old name.cs"),
        ("deleted", "gone.md", None),
    ]
    # An unmerged path is in conflict, so it has changed; `X` is git's "unknown" type.
    assert [(c.status, c.path) for c in shiprail.parse_name_status(b"U\0conflict\0")] == [("modified", "conflict")]
    with pytest.raises(GitError, match=r"-z` output, entry 1: status `X`"):
        shiprail.parse_name_status(b"X\0")
    with pytest.raises(TypeError, match="bytes"):
        shiprail.parse_name_status("M\0a\0")  # type: ignore[arg-type]


def test_parse_name_status_lines() -> None:
    changed = shiprail.parse_name_status_lines('M100\tbig\nR087\t"old\\tname"\tnew\nsrc/x\n')
    assert [(c.status, c.path, c.previous_path) for c in changed] == [
        ("modified", "big", None),
        ("renamed", "new", "old\tname"),
        ("modified", "src/x", None),
    ]
    with pytest.raises(GitError, match=r"^malformed `git diff --name-status` output, line 2: "):
        shiprail.parse_name_status_lines("M\ta\nR100\tonly-old\n")


def test_lint_config() -> None:
    config = Config.from_yaml(
        "services:\n  a: {paths: {include: ['src/**']}}\n  b: {paths: {include: ['src/b/**']}}\n"
        "  c: {paths: {include: ['srv/c/**']}}\n"
    )
    findings = shiprail.lint_config(config, ["src/b/main.c", "src/a/main.c"])
    assert [(f.code, f.severity) for f in findings] == [
        ("service_path_overlap", "warning"),
        ("unmatched_service_paths", findings[1].severity),
    ]
    assert all(isinstance(f, shiprail.Finding) for f in findings)
    assert shiprail.lint_config(Config.from_yaml(LAYOUT), ["src/ingestion/a", "src/delivery/b", "src/workflow/c"]) == []
