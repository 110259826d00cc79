"""Fixtures of the attribution tests: the hand-computed example journeys."""

from __future__ import annotations

import pytest
from attribution_cases import build


@pytest.fixture
def three_paths():
    """The spec's three-path example: A > B converts, B converts, A does not."""
    return build([(["A", "B"], True, 30.0), (["B"], True, 60.0), (["A"], False)])


@pytest.fixture
def four_paths():
    """Order 1 and order 2 disagree: A > B conv, B > A null, A conv, B null."""
    return build([(["A", "B"], True, 10.0), (["B", "A"], False), (["A"], True, 20.0), (["B"], False)])
