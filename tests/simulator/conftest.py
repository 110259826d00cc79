from __future__ import annotations

import pytest

from roi_ml.simulator import simulate


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    """One `small` world (about two seconds) shared by the simulator tests."""
    root = tmp_path_factory.mktemp("small_world")
    summary = simulate("small", seed=3, raw_dir=root / "raw", truth_dir=root / "truth")
    return {"raw": root / "raw", "truth": root / "truth", "summary": summary}
