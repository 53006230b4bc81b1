"""Runs the examples of examples/python/ as CI would: release.py, the Drone Delivery release
script, and pipeline_runs.py, which decides which pipelines an event runs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import shiprail
from support import EXAMPLES

SCRIPT = EXAMPLES / "release.py"


def run(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Path]:
    tags = tmp_path / "tags.txt"
    tags.write_text("delivery-v1.0.1\ndelivery-v1.0.2\npackage-v2.0.0\nlatest\n", encoding="utf-8")
    commits = tmp_path / "commits.txt"
    commits.write_text("fix(api): null check\n\nbody\n\0docs: readme\n\0", encoding="utf-8")
    return tags, commits


def test_release_branch(history: tuple[Path, Path]) -> None:
    tags, _ = history
    code, plan = run("release/delivery/v1.0.3", "--tags-file", str(tags))
    assert code == 0
    assert plan == {
        "action": "release",
        "ref": "refs/heads/release/delivery/v1.0.3",
        "service": "delivery",
        "version": "1.0.3",
        "previous": "1.0.2",
        "image": "myrepo.azurecr.io/delivery:v1.0.3",
        "chart": {"path": "charts/delivery", "version": "1.0.3", "app_version": "1.0.3", "oci_tag": "1.0.3"},
        "git_tag": "delivery-v1.0.3",
        "promotions": {
            "prod": "myrepo.azurecr.io/prod/delivery:v1.0.3",
            "staging": "myrepo.azurecr.io/prod/delivery:v1.0.3",
        },
    }


def test_release_packages_the_chart(history: tuple[Path, Path], tmp_path: Path) -> None:
    tags, _ = history
    dist = tmp_path / "dist"
    code, plan = run("release/delivery/v1.0.3", "--tags-file", str(tags), "--package-dir", str(dist))
    assert code == 0
    chart = plan["chart"]
    path = Path(chart["package"])
    assert path == dist / "delivery-1.0.3.tgz"
    assert chart["digest"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    archive = shiprail.ChartArchive.open(path)
    assert (archive.metadata.version, archive.metadata.app_version) == ("1.0.3", "1.0.3")
    assert any("(icon_missing)" in line for line in chart["lint"])
    # The same release packages to the same bytes.
    code, again = run("release/delivery/v1.0.3", "--tags-file", str(tags), "--package-dir", str(tmp_path / "again"))
    assert again["chart"]["digest"] == chart["digest"]


def test_a_chart_lint_error_stops_the_release(history: tuple[Path, Path], tmp_path: Path) -> None:
    tags, _ = history
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES.parent / "drone-delivery", repo)
    values = repo / "charts" / "delivery" / "values.yaml"
    values.write_text(values.read_text(encoding="utf-8").replace('tag: "v0.1.0"', "tag: latest"), encoding="utf-8")
    dist = tmp_path / "dist"
    code, out = run(
        "release/delivery/v1.0.3", "--config", str(repo / "shiprail.yaml"), "--tags-file", str(tags), "--package-dir", str(dist)
    )
    assert (code, out["error"]["code"], out["error"]["file"]) == (1, "mutable_tag", "values.yaml")
    assert not dist.exists()


def test_changed_files_give_the_affected_services(tmp_path: Path) -> None:
    changed = tmp_path / "changed.txt"
    changed.write_text("M\tlibs/common/common.c\nM\tdocs/readme.md\n", encoding="utf-8")
    code, plan = run("master", "--changed-file", str(changed))
    assert code == 0
    assert plan["services"] == plan["affected"] == ["delivery", "workflow"]
    changed.write_text("libs/common/README.md\n", encoding="utf-8")
    code, plan = run("master", "--changed-file", str(changed))
    assert plan["services"] == plan["affected"] == []
    changed.write_text("R100\tsrc/shipping/package/a.py\tsrc/shipping/ingestion/a.py\n", encoding="utf-8")
    code, plan = run("feature/delivery/retry", "--changed-file", str(changed))
    assert (code, plan["action"], plan["affected"]) == (0, "validate", ["ingestion", "package"])


def test_release_must_go_up(history: tuple[Path, Path]) -> None:
    tags, _ = history
    code, out = run("release/delivery/v1.0.2", "--tags-file", str(tags))
    assert code == 1
    assert out["error"]["code"] == "version_not_higher"


def test_feature_branch_validates(history: tuple[Path, Path]) -> None:
    tags, commits = history
    code, plan = run("refs/heads/feature/delivery/retry", "--tags-file", str(tags), "--commits-file", str(commits))
    assert code == 0
    assert (plan["action"], plan["kind"], plan["service"]) == ("validate", "feature", "delivery")
    assert (plan["next"]["current"], plan["next"]["bump"], plan["next"]["next"]) == ("1.0.2", "patch", "1.0.3-rc.0")


def test_trunk_integrates() -> None:
    code, plan = run("master")
    assert code == 0
    assert plan["action"] == "integrate" and len(plan["services"]) == 5


def test_near_miss_gets_a_suggestion() -> None:
    code, out = run("release/delivry/v1.0.3")
    assert code == 1
    assert out["error"]["code"] == "unknown_service"
    assert out["error"]["suggestion"] == "release/delivery/v1.0.3"


def test_malformed_input_exits_2(tmp_path: Path) -> None:
    code, out = run("feature/delivery/a..b")
    assert (code, out["error"]["code"]) == (2, "invalid_ref_name")
    broken = tmp_path / "shiprail.yaml"
    broken.write_text("services: {}\nbranches: {trunk: 3}\n", encoding="utf-8")
    code, out = run("main", "--config", str(broken))
    assert code == 2
    assert out["error"]["code"] == "config_syntax" and out["error"]["file"] == str(broken)


# --- pipeline_runs.py -------------------------------------------------------------------------

PIPELINE_RUNS = EXAMPLES / "pipeline_runs.py"


def pipeline_runs(*args: str, **env: str) -> tuple[int, list[dict[str, Any]]]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    done = subprocess.run(
        [sys.executable, str(PIPELINE_RUNS), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**clean, **env},
    )
    assert done.stderr == ""
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    path = tmp_path / "changed.txt"
    path.write_text("M\tsrc/shipping/delivery/Program.cs\nA\tdocs/notes.md\n", encoding="utf-8")
    return path


def test_release_push_runs_the_services_pipelines(changed: Path) -> None:
    code, lines = pipeline_runs("--kind", "push", "--ref", "release/delivery/v1.0.3", "--changed", str(changed))
    assert code == 0
    assert len(lines) == 10
    running = [(line["dialect"], Path(line["pipeline"]).stem) for line in lines if line["run"]]
    assert running == [("azure", "delivery"), ("github", "delivery")]
    assert all(line["reason"] for line in lines)


def test_pull_request_from_the_github_environment(changed: Path, tmp_path: Path) -> None:
    output = tmp_path / "github_output"
    code, lines = pipeline_runs(
        "--changed",
        str(changed),
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_HEAD_REF="feature/delivery/retry",
        GITHUB_BASE_REF="master",
        GITHUB_OUTPUT=str(output),
    )
    assert code == 0
    assert sum(line["run"] for line in lines) == 2
    written = output.read_text(encoding="utf-8").splitlines()
    assert "azure-delivery=true" in written and "github-package=false" in written and len(written) == 10


def test_one_file_without_changes() -> None:
    workflow = str(Path(PIPELINE_RUNS).parents[1] / "drone-delivery" / ".github" / "workflows" / "package.yml")
    code, lines = pipeline_runs("--kind", "push", "--ref", "master", workflow)
    assert code == 0
    assert [(line["dialect"], line["run"]) for line in lines] == [("github", True)]


def test_invalid_event_exits_1() -> None:
    code, lines = pipeline_runs("--kind", "pull_request", "--ref", "feature/delivery/retry")
    assert code == 1
    assert lines[0]["error"]["code"] == "invalid_event"
    code, lines = pipeline_runs("--kind", "merge", "--ref", "master")
    assert (code, lines[0]["error"]["code"]) == (1, "invalid_event")


def test_invalid_pipeline_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "azure-pipelines.yml"
    broken.write_text("trigger: nope\n", encoding="utf-8")
    code, lines = pipeline_runs("--kind", "push", "--ref", "master", str(broken))
    assert code == 1
    assert lines[0]["error"] == {
        "code": "invalid_pipeline",
        "message": lines[0]["error"]["message"],
        "file": str(broken),
        "line": 1,
    }
