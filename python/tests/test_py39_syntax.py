"""The package supports CPython 3.9 (``requires-python = ">=3.9"``, an abi3-py39 wheel), but
the tests run on a newer interpreter: this checks the Python sources that run on a user's
interpreter (the package and the examples) against what 3.9 offers.

- **Grammar**: every file parses with ``ast.parse(..., feature_version=(3, 9))`` (no ``match``,
  no ``except*``, no parenthesised context managers), without a warning (an invalid escape
  sequence is a ``DeprecationWarning``, from 3.12 on a ``SyntaxWarning``).
- **Annotations**: ``X | Y`` in an annotation is evaluated at run time (and fails on 3.9) unless
  the module starts with ``from __future__ import annotations``; ``isinstance(x, A | B)`` always
  is.
- **Library**: no keyword argument or name that 3.10 or later introduced (``zip(strict=)``,
  ``@dataclass(slots=, kw_only=)``, ``int.bit_count``, ``itertools.pairwise``, ...).

The ``.pyi`` stub is not executed (type checkers read it), so it may use the newer syntax."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

from support import EXAMPLES, ROOT

SOURCES = sorted((ROOT / "python" / "shiprail").glob("*.py")) + sorted(EXAMPLES.glob("*.py"))

# Calls whose keyword argument is newer than 3.9: function name -> keywords.
NEW_KEYWORDS = {
    "zip": {"strict"},
    "dataclass": {"slots", "kw_only", "match_args"},
    "field": {"kw_only"},
    "make_dataclass": {"slots", "kw_only", "match_args"},
}

# Names (variables, attributes, imports) that CPython 3.10 or later introduced.
NEW_NAMES = {
    "BaseExceptionGroup",
    "Concatenate",
    "EncodingWarning",
    "ExceptionGroup",
    "LiteralString",
    "Never",
    "ParamSpec",
    "Self",
    "StrEnum",
    "TaskGroup",
    "TypeAlias",
    "TypeGuard",
    "aclosing",
    "aiter",
    "anext",
    "assert_never",
    "bit_count",
    "get_annotations",
    "pairwise",
    "reveal_type",
    "tomllib",
}


def test_there_are_sources() -> None:
    names = {path.name for path in SOURCES}
    assert {"__init__.py", "exceptions.py", "release.py", "pipeline_runs.py"} <= names


def parse(path: Path) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 9))


def has_future_annotations(module: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in module.body
    )


def annotations_of(module: ast.Module) -> list[ast.expr]:
    found: list[ast.expr] = []
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            found += [a.annotation for a in every if a.annotation is not None]
            if node.returns is not None:
                found.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
    return found


def has_union(node: ast.expr) -> bool:
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.BitOr) for n in ast.walk(node))


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def problems(path: Path) -> list[str]:
    module = parse(path)
    found: list[str] = []
    if not has_future_annotations(module):
        found += [
            f"line {a.lineno}: `X | Y` annotation without `from __future__ import annotations`"
            for a in annotations_of(module)
            if has_union(a)
        ]
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            name = called_name(node)
            if name in ("isinstance", "issubclass") and len(node.args) == 2 and has_union(node.args[1]):
                found.append(f"line {node.lineno}: `{name}` with an `X | Y` type (3.10+)")
            for keyword in node.keywords:
                if name in NEW_KEYWORDS and keyword.arg in NEW_KEYWORDS[name]:
                    found.append(f"line {node.lineno}: `{name}({keyword.arg}=...)` (3.10+)")
        elif isinstance(node, ast.Name) and node.id in NEW_NAMES:
            found.append(f"line {node.lineno}: `{node.id}` (3.10+)")
        elif isinstance(node, ast.Attribute) and node.attr in NEW_NAMES:
            found.append(f"line {node.lineno}: `.{node.attr}` (3.10+)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            for name in [alias.name for alias in node.names] + modules:
                if name.split(".")[0] in NEW_NAMES or name in NEW_NAMES:
                    found.append(f"line {node.lineno}: imports `{name}` (3.10+)")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_runs_on_python_3_9(path: Path) -> None:
    assert problems(path) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("match x:\n    case 1:\n        pass\n", SyntaxError),
        # The warning, made an error, is reported as a SyntaxError.
        ('"""An invalid escape: \\ ."""\n', SyntaxError),
        (
            "def f(a: int | None) -> None: ...\n",
            ["line 1: `X | Y` annotation without `from __future__ import annotations`"],
        ),
        ("from __future__ import annotations\ndef f(a: int | None) -> None: ...\n", []),
        ("isinstance(1, int | str)\n", ["line 1: `isinstance` with an `X | Y` type (3.10+)"]),
        ("list(zip([], [], strict=True))\n", ["line 1: `zip(strict=...)` (3.10+)"]),
        ("(5).bit_count()\n", ["line 1: `.bit_count` (3.10+)"]),
        ("from itertools import pairwise\n", ["line 1: imports `pairwise` (3.10+)"]),
        ("import tomllib\n", ["line 1: imports `tomllib` (3.10+)"]),
    ],
)
def test_the_checks_catch(source: str, expected: object, tmp_path: Path) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    if expected is SyntaxError:
        with pytest.raises(SyntaxError):
            problems(path)
    else:
        assert problems(path) == expected
