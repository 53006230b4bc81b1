"""Shared fixtures."""

from __future__ import annotations

import pytest

import shiprail
from support import DRONE_CONFIG


@pytest.fixture(scope="session")
def drone() -> shiprail.Config:
    """The Drone Delivery sample's configuration."""
    return shiprail.Config.load(DRONE_CONFIG)
