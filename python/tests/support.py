"""Where the repository's shared files are, for every test module."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "tests" / "conformance"
CORE_SRC = ROOT / "core" / "src"
DRONE_CONFIG = ROOT / "examples" / "drone-delivery" / "shiprail.yaml"
EXAMPLES = ROOT / "examples" / "python"
SERVICES = ["delivery", "dronescheduler", "ingestion", "package", "workflow"]
