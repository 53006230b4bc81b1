"""Runs examples/python/release.py, the Drone Delivery release script, as CI would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

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
