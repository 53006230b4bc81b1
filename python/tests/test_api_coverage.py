"""Every public operation of the core has a Python counterpart, or a written reason why not.

The list of operations comes from the core's source (core_api.py); the counterparts from
api_coverage.txt. A new `pub fn` in core/src fails this test until it is bound (or waived).
"""

from __future__ import annotations

from pathlib import Path

import shiprail
from core_api import core_operations

COVERAGE = Path(__file__).with_name("api_coverage.txt")


def coverage() -> dict[str, str]:
    table: dict[str, str] = {}
    for number, raw in enumerate(COVERAGE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, counterpart = line.partition(" ")
        assert counterpart.strip(), f"api_coverage.txt:{number}: `{op}` names no counterpart"
        assert op not in table, f"api_coverage.txt:{number}: `{op}` is listed twice"
        table[op] = counterpart.strip()
    return table


def resolve(dotted: str) -> bool:
    """Whether `shiprail.<dotted>` exists (an attribute, or an annotated instance attribute)."""
    target: object = shiprail
    for name in dotted.split("."):
        if hasattr(target, name):
            target = getattr(target, name)
            continue
        annotated = isinstance(target, type) and any(
            name in getattr(klass, "__annotations__", {}) for klass in target.__mro__
        )
        return annotated and name == dotted.rsplit(".", 1)[-1]
    return True


def test_core_operations_are_found() -> None:
    operations = core_operations()
    assert len(operations) >= 100
    assert "version::ReleaseVersion::bump" in operations
    assert "release::split_lines" in operations
    assert not any("suggest::" in op for op in operations), "private modules are not API"


def covered(op: str, table: dict[str, str]) -> bool:
    """Listed itself, or inside a module waived as a whole (`module::*`)."""
    return op in table or any(
        key.endswith("::*") and op.startswith(key[:-1]) for key in table
    )


def test_every_core_operation_has_a_counterpart() -> None:
    table = coverage()
    missing = [op for op in core_operations() if not covered(op, table)]
    assert not missing, (
        "core operations without a Python counterpart; bind them and add a line to "
        "python/tests/api_coverage.txt (or a `waived: reason` line):\n" + "\n".join(missing)
    )


def test_no_stale_lines() -> None:
    operations = core_operations()
    stale = sorted(
        key
        for key in coverage()
        if not (key in operations or (key.endswith("::*") and any(op.startswith(key[:-1]) for op in operations)))
    )
    assert not stale, f"api_coverage.txt lists operations the core no longer has: {stale}"


def test_counterparts_exist() -> None:
    for op, counterpart in coverage().items():
        assert not op.endswith("::*") or counterpart.startswith("waived:"), f"`{op}`: only waivers cover a module"
        if counterpart.startswith("waived:"):
            assert len(counterpart) > len("waived: ") + 10, f"`{op}`: give the reason of the waiver"
            continue
        assert resolve(counterpart), f"`{op}`: shiprail.{counterpart} does not exist"
