"""The ledger of alerts already reported by the daily summary (data/08_reporting/alerts_seen.csv).

Loading a ledger that does not exist yet (the first run) gives an empty ledger, so the first
summary reports every open alert as new. Two catalog entries point at the same file: the
previous run's ledger (`alerts_seen_previous`, an input) and this run's (`alerts_seen`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset

from roi_ml.reporting.summary import LEDGER_COLUMNS, empty_ledger


class AlertLedgerDataset(AbstractDataset[pd.DataFrame, pd.DataFrame]):
    """A local CSV of alert ids; missing file -> empty ledger with the ledger's columns."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def _load(self) -> pd.DataFrame:
        if not self._filepath.exists():
            return empty_ledger()
        ledger = pd.read_csv(self._filepath, dtype="string", keep_default_na=False)
        missing = [c for c in LEDGER_COLUMNS if c not in ledger.columns]
        if missing:
            raise ValueError(f"{self._filepath}: alert ledger lacks column(s) {missing}; delete the "
                             "file to start a new ledger (every open alert is then reported as new)")
        return ledger[LEDGER_COLUMNS]

    def _save(self, data: pd.DataFrame) -> None:
        self._filepath.parent.mkdir(parents=True, exist_ok=True)
        data[LEDGER_COLUMNS].to_csv(self._filepath, index=False)

    def _exists(self) -> bool:
        return self._filepath.exists()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
