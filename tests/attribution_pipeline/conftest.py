"""Fixtures of the attribution pipeline tests: the hand-made world, run once per module."""

from __future__ import annotations

import pytest
from attribution_world import run_attribution


@pytest.fixture(scope="module")
def world() -> dict:
    return run_attribution()
