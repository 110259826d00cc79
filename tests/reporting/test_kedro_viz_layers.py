"""Every catalog entry across conf/base/catalog*.yml carries a kedro-viz layer, so
`kedro viz run` shows the data flow by layer."""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
# Entries known to lack a layer (none today). Remove a line once its entry has a layer: the
# test fails while a listed entry is already fixed, so this list cannot go stale.
PENDING: set[str] = set()
LAYERS = {"raw", "intermediate", "primary", "feature", "model_input", "models", "model_output",
          "reporting",
          "ground_truth"}  # the simulator's truth: its own layer, read only by evaluation


def _entries():
    for path in sorted((PROJECT / "conf" / "base").glob("catalog*.yml")):
        for name, entry in (yaml.safe_load(path.read_text()) or {}).items():
            if name.startswith("_"):  # YAML anchors, not datasets
                continue
            yield path.name, name, entry or {}


def _layer(entry: dict):
    return ((entry.get("metadata") or {}).get("kedro-viz") or {}).get("layer")


def test_every_catalog_entry_has_a_known_kedro_viz_layer():
    entries = list(_entries())
    assert len(entries) > 50  # every catalog file was read
    missing = {f"{f}: {n}" for f, n, e in entries if _layer(e) is None}
    fixed = PENDING - missing
    assert not fixed, f"remove from PENDING, these now have a layer: {sorted(fixed)}"
    missing = sorted(missing - PENDING)
    unknown = [f"{f}: {n} ({_layer(e)})" for f, n, e in entries if _layer(e) not in LAYERS | {None}]
    assert not missing, ("catalog entries without `metadata: kedro-viz: layer:` — add one "
                         f"({sorted(LAYERS)}): {missing}")
    assert not unknown, f"catalog entries with an unknown layer: {unknown}"


def test_the_check_sees_a_missing_layer():
    assert _layer({"type": "pandas.ParquetDataset"}) is None
    assert _layer({"metadata": {"kedro-viz": {"layer": "reporting"}}}) == "reporting"
