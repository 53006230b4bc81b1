"""Shared fixtures."""

from __future__ import annotations

import pytest

import shiprail
from real_registries import Registries, load
from support import DRONE_CONFIG


@pytest.fixture(scope="session")
def drone() -> shiprail.Config:
    """The Drone Delivery sample's configuration."""
    return shiprail.Config.load(DRONE_CONFIG)


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> Registries:
    """The real registries of tests/services/registry.sh (SHIPRAIL_REGISTRY_ENV); without them
    the test fails, or is skipped with SHIPRAIL_SKIP_REAL=1."""
    return load(tmp_path_factory)
