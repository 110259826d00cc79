"""The simulator's ground truth as a Kedro dataset. Only the evaluation pipeline reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError


class GroundTruth:
    """Lazy access to the files of a truth directory (see its README.md).

    `available` is False when the directory does not exist (real data has no truth): the
    evaluation nodes then skip with a log line instead of failing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.available = (self.path / "creator_truth.csv").exists()
        self._cache: dict[str, pd.DataFrame] = {}

    def read(self, name: str) -> pd.DataFrame:
        """`read("creator_truth")` → the CSV or Parquet file of that name."""
        if name not in self._cache:
            for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
                file = self.path / f"{name}{suffix}"
                if file.exists():
                    self._cache[name] = reader(file)
                    break
            else:
                raise FileNotFoundError(f"ground truth file '{name}' not found in {self.path}")
        return self._cache[name]

    def __repr__(self) -> str:
        return f"GroundTruth({str(self.path)!r}, available={self.available})"


class GroundTruthDataset(AbstractDataset[None, GroundTruth]):
    """Read-only dataset: `load()` returns a GroundTruth for the directory, present or not."""

    def __init__(self, path: str, metadata: dict[str, Any] | None = None) -> None:
        self._path = path
        self.metadata = metadata

    def load(self) -> GroundTruth:
        return GroundTruth(self._path)

    def save(self, data: None) -> None:
        raise DatasetError("The ground truth is written by `roi-ml simulate`, never by a pipeline.")

    def _describe(self) -> dict[str, Any]:
        return {"path": self._path}

    def _exists(self) -> bool:
        return Path(self._path).exists()
