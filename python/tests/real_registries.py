"""The real registries of tests/services/registry.sh, for the tests that talk to them
(test_registry.py, test_chart_oci.py); the `registries` fixture is in conftest.py.

The test command starts them and exports SHIPRAIL_REGISTRY_ENV (the env file it writes).
Without it the real-registry tests fail, unless SHIPRAIL_SKIP_REAL=1 says to skip them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shiprail import Credentials, Digest, DockerConfig, RegistryClient
from support import ROOT

MKOCI = ROOT / "tests" / "tools" / "mkoci.py"


class Registries:
    """The registries started by tests/services/registry.sh, from its env file."""

    def __init__(self, values: dict[str, str], work: Path) -> None:
        self.values = values
        self.work = work
        self.plain = values["SHIPRAIL_REGISTRY_PLAIN"]
        self.tls = values["SHIPRAIL_REGISTRY_TLS"]
        self.password = values["SHIPRAIL_REGISTRY_PASSWORD"]

    def client(self, password: str | None = None, **options: Any) -> RegistryClient:
        user = self.values["SHIPRAIL_REGISTRY_USER"]
        return RegistryClient(
            ca_files=[self.values["SHIPRAIL_REGISTRY_CA"]],
            credentials={self.tls: Credentials.basic(user, password or self.password)},
            docker_config=DockerConfig(),
            **options,
        )

    def access(self, image: str, prefix: str) -> list[str]:
        if image.startswith(self.tls + "/"):
            user = self.values["SHIPRAIL_REGISTRY_USER"]
            return [
                f"{prefix}cert-dir={self.values['SHIPRAIL_REGISTRY_CERT_DIR']}",
                f"{prefix}creds={user}:{self.password}",
            ]
        return [f"{prefix}tls-verify=false"]

    def skopeo_raw(self, image: str) -> bytes:
        """`skopeo inspect --raw`: the manifest bytes exactly as the registry serves them."""
        done = subprocess.run(
            ["skopeo", "inspect", "--raw", *self.access(image, "--"), f"docker://{image}"],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        return done.stdout

    def seed(self, name: str, content: str = "") -> tuple[str, Digest]:
        """Writes one image with mkoci.py and pushes it with skopeo to a fresh repository of
        the plain registry; returns its reference and digest."""
        layout = self.work / f"layout-{name}"
        args = [sys.executable, str(MKOCI), "image", str(layout), "v1.0.2"]
        if content:
            extra = self.work / f"{name}.txt"
            extra.write_text(content, encoding="utf-8")
            args += ["--file", str(extra)]
        digest = subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
        image = f"{self.plain}/{unique(name)}:v1.0.2"
        subprocess.run(
            ["skopeo", "copy", "-q", "--preserve-digests", "--dest-tls-verify=false", f"oci:{layout}:v1.0.2", f"docker://{image}"],
            capture_output=True,
            check=True,
            timeout=120,
        )
        return image, Digest(digest)


COUNTER = iter(range(1_000_000))


def unique(name: str) -> str:
    """A repository path no other test or earlier run uses."""
    return f"py{os.getpid()}-{time.time_ns() % 10**9}-{next(COUNTER)}/{name}"


def load(tmp_path_factory: pytest.TempPathFactory) -> Registries:
    """The registries named by SHIPRAIL_REGISTRY_ENV; skips or fails the test without it."""
    path = os.environ.get("SHIPRAIL_REGISTRY_ENV", "")
    if not path:
        if os.environ.get("SHIPRAIL_SKIP_REAL") == "1":
            pytest.skip("real registries skipped (SHIPRAIL_SKIP_REAL=1)")
        pytest.fail(
            "SHIPRAIL_REGISTRY_ENV is not set: run `bash tests/services/registry.sh start DIR` and set "
            "SHIPRAIL_REGISTRY_ENV=DIR/env (or SHIPRAIL_SKIP_REAL=1 to skip real-registry tests)"
        )
    values = dict(
        line.split("=", 1) for line in Path(path).read_text(encoding="utf-8").splitlines() if "=" in line
    )
    return Registries({k.strip(): v.strip() for k, v in values.items()}, tmp_path_factory.mktemp("registry"))


