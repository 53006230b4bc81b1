"""The examples of docs/python.md and of the package's docstrings run as written."""

from __future__ import annotations

import doctest

import pytest

import shiprail
from support import ROOT

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_docs_python_md(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the page's paths are relative to the repository root
    result = doctest.testfile(str(ROOT / "docs" / "python.md"), module_relative=False, optionflags=FLAGS)
    assert result.attempted >= 8
    assert result.failed == 0


def test_package_docstrings() -> None:
    result = doctest.testmod(shiprail, optionflags=FLAGS)
    assert result.attempted >= 1
    assert result.failed == 0
